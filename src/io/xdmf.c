/* XDMF sidecar files so that ParaView opens the HDF5 fields: states, snapshot series, targets, galleries. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gsinv/io/h5file.h"

/* Slice i of a stack of fields, as a virtual dataset: /xdmf<dataset>/<i>. */
static void SlicePath(char *buf, size_t len, const char *dataset, PetscInt i)
{
  snprintf(buf, len, "/xdmf%s/%lld", dataset, (long long)i);
}

/* Creates the virtual dataset at path that shows the hyperslab selected in src_space of dataset. */
static PetscErrorCode CreateSliceView(hid_t file, const char *path, const char *dataset, hid_t type, hid_t src_space, hid_t view_space)
{
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE), dcpl = H5Pcreate(H5P_DATASET_CREATE), dset;

  PetscFunctionBeginUser;
  GSH5Call(lcpl);
  GSH5Call(dcpl);
  GSH5Call(H5Pset_create_intermediate_group(lcpl, 1));
  GSH5Call(H5Pset_virtual(dcpl, view_space, ".", dataset, src_space));
  dset = H5Dcreate2(file, path, type, view_space, lcpl, dcpl, H5P_DEFAULT);
  GSH5Call(dset);
  GSH5Call(H5Dclose(dset));
  GSH5Call(H5Pclose(dcpl));
  GSH5Call(H5Pclose(lcpl));
  PetscFunctionReturn(0);
}

PetscErrorCode GSXdmfAddSlices(GSOutput *out, const char *dataset, PetscInt *count)
{
  hid_t   file, src, space, type, view_space;
  hsize_t dims[8], start[8] = {0}, block[8];
  int     rank;

  PetscFunctionBeginUser;
  PetscCall(PetscViewerHDF5GetFileId(out->viewer, &file));
  src = H5Dopen2(file, dataset, H5P_DEFAULT);
  GSH5Call(src);
  space = H5Dget_space(src);
  GSH5Call(space);
  type = H5Dget_type(src);
  GSH5Call(type);
  rank = H5Sget_simple_extent_ndims(space);
  PetscCheck(rank >= 2 && rank <= 8, out->comm, PETSC_ERR_PLIB, "%s has %d dimensions, expected 2-D fields", dataset, rank);
  GSH5Call(H5Sget_simple_extent_dims(space, dims, NULL));
  *count = 1;
  for (int d = 0; d < rank; d++) block[d] = d < rank - 2 ? 1 : dims[d];
  for (int d = 0; d < rank - 2; d++) *count *= (PetscInt)dims[d];
  view_space = H5Screate_simple(3, (hsize_t[3]){1, dims[rank - 2], dims[rank - 1]}, NULL);
  GSH5Call(view_space);
  for (PetscInt i = 0; i < *count; i++) {
    char path[PETSC_MAX_PATH_LEN];
    /* the leading indices of slice i, last one fastest (C order) */
    for (PetscInt d = rank - 3, rest = i; d >= 0; d--) start[d] = (hsize_t)(rest % (PetscInt)dims[d]), rest /= (PetscInt)dims[d];
    GSH5Call(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, block, NULL));
    SlicePath(path, sizeof(path), dataset, i);
    /* a continued file already has the views of the slices written before */
    if (H5Lexists(file, path, H5P_DEFAULT) <= 0) PetscCall(CreateSliceView(file, path, dataset, type, space, view_space));
  }
  GSH5Call(H5Sclose(view_space));
  GSH5Call(H5Tclose(type));
  GSH5Call(H5Sclose(space));
  GSH5Call(H5Dclose(src));
  PetscFunctionReturn(0);
}

/* One attribute: slice i of dataset, [1][ny][nx] (both readers want the topology's rank). */
static void XdmfAttribute(FILE *f, const char *h5_name, const char *field, const char *dataset, const GSXdmfSet *s, PetscInt slice)
{
  char path[PETSC_MAX_PATH_LEN];

  SlicePath(path, sizeof(path), dataset, slice);
  fprintf(f, "      <Attribute Name=\"%s\" AttributeType=\"Scalar\" Center=\"Node\">\n", field);
  fprintf(f, "        <DataItem Dimensions=\"1 %d %d\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">%s:%s</DataItem>\n", (int)s->ny,
          (int)s->nx, h5_name, path);
  fprintf(f, "      </Attribute>\n");
}

/* One uniform grid in the XY plane (z = 0) with its lower left corner at (x0, y0). */
static void XdmfGrid(FILE *f, const char *h5_name, const char *grid_name, const GSXdmfSet *s, PetscInt slice, double x0, double y0,
                     const double *time)
{
  const PetscBool last = (PetscBool)(s->count && slice == s->count);

  fprintf(f, "    <Grid Name=\"%s\" GridType=\"Uniform\">\n", grid_name);
  if (time) fprintf(f, "      <Time Value=\"%.17g\"/>\n", *time);
  fprintf(f, "      <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"1 %d %d\"/>\n", (int)s->ny, (int)s->nx);
  fprintf(f, "      <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n");
  fprintf(f, "        <DataItem Dimensions=\"3\" Format=\"XML\">0 %.17g %.17g</DataItem>\n", y0, x0);
  fprintf(f, "        <DataItem Dimensions=\"3\" Format=\"XML\">%.17g %.17g %.17g</DataItem>\n", (double)s->h, (double)s->h, (double)s->h);
  fprintf(f, "      </Geometry>\n");
  for (PetscInt c = 0; c < s->nfields; c++) XdmfAttribute(f, h5_name, s->fields[c], last ? s->last[c] : s->datasets[c], s, last ? 0 : slice);
  fprintf(f, "    </Grid>\n");
}

/* A set of fields: one grid, a temporal collection, or a spatial collection of tiles in rows of
   s->columns with a gap of an eighth of a field between them. */
static void XdmfSet(FILE *f, const char *h5_name, const GSXdmfSet *s)
{
  const double   gap_x = PetscMax(1, s->nx / 8) * (double)s->h, gap_y = PetscMax(1, s->ny / 8) * (double)s->h;
  const PetscInt columns = s->columns > 0 ? s->columns : (PetscInt)ceil(sqrt((double)s->count));

  if (s->count == 0) {
    XdmfGrid(f, h5_name, s->name, s, 0, 0, 0, NULL);
    return;
  }
  fprintf(f, "    <Grid Name=\"%s\" GridType=\"Collection\" CollectionType=\"%s\">\n", s->name, s->times ? "Temporal" : "Spatial");
  for (PetscInt i = 0; i < s->count; i++) {
    char   name[64];
    double time = s->times ? (double)s->times[i] : 0;
    double x0   = s->times ? 0 : (double)(i % columns) * (s->nx * (double)s->h + gap_x);
    double y0   = s->times ? 0 : (double)(i / columns) * (s->ny * (double)s->h + gap_y);
    snprintf(name, sizeof(name), "%s_%lld", s->name, (long long)i);
    XdmfGrid(f, h5_name, name, s, i, x0, y0, s->times ? &time : NULL);
  }
  if (s->times && s->last[0]) {
    char   name[64];
    double time = (double)s->last_time;
    snprintf(name, sizeof(name), "%s_%lld", s->name, (long long)s->count);
    XdmfGrid(f, h5_name, name, s, s->count, 0, 0, &time);
  }
  fprintf(f, "    </Grid>\n");
}

static int XdmfWriteFile(const char *path, const char *h5_name, PetscInt nsets, const GSXdmfSet *sets)
{
  FILE *f = fopen(path, "w");

  if (!f) return errno;
  fprintf(f, "<?xml version=\"1.0\" ?>\n<Xdmf Version=\"3.0\">\n  <Domain>\n");
  for (PetscInt i = 0; i < nsets; i++) XdmfSet(f, h5_name, &sets[i]);
  fprintf(f, "  </Domain>\n</Xdmf>\n");
  return fclose(f) ? errno : 0;
}

PetscErrorCode GSXdmfWrite(MPI_Comm comm, const char *h5_path, PetscInt nsets, const GSXdmfSet *sets)
{
  char        xmf[PETSC_MAX_PATH_LEN], partial[PETSC_MAX_PATH_LEN + 16];
  const char *base = strrchr(h5_path, '/');
  PetscMPIInt rank;
  int         err = 0;
  size_t      len;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(xmf, h5_path, sizeof(xmf) - 5));
  PetscCall(PetscStrlen(xmf, &len));
  if (len > 3 && !strcmp(xmf + len - 3, ".h5")) xmf[len - 3] = 0;
  PetscCall(PetscStrlcat(xmf, ".xmf", sizeof(xmf)));
  PetscCall(PetscSNPrintf(partial, sizeof(partial), "%s.partial", xmf));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    err = XdmfWriteFile(partial, base ? base + 1 : h5_path, nsets, sets);
    if (!err && rename(partial, xmf)) err = errno;
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, PETSC_ERR_FILE_WRITE, "cannot write XDMF file %s (%s)", xmf, strerror(err));
  PetscFunctionReturn(0);
}
