/* XDMF sidecar files so that ParaView opens the HDF5 fields (final state and snapshot series). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gsinv/io.h"

static void XdmfField(FILE *f, const char *h5_name, const char *name, const char *dataset, PetscInt nx, PetscInt ny, PetscInt t, PetscInt nt)
{
  fprintf(f, "      <Attribute Name=\"%s\" AttributeType=\"Scalar\" Center=\"Node\">\n", name);
  if (t < 0) fprintf(f, "        <DataItem Dimensions=\"%d %d\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">%s:%s</DataItem>\n", (int)ny, (int)nx, h5_name, dataset);
  else {
    fprintf(f, "        <DataItem ItemType=\"HyperSlab\" Dimensions=\"%d %d\" Type=\"HyperSlab\">\n", (int)ny, (int)nx);
    fprintf(f, "          <DataItem Dimensions=\"3 3\" Format=\"XML\">%d 0 0 1 1 1 1 %d %d</DataItem>\n", (int)t, (int)ny, (int)nx);
    fprintf(f, "          <DataItem Dimensions=\"%d %d %d\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">%s:%s</DataItem>\n", (int)nt, (int)ny, (int)nx, h5_name, dataset);
    fprintf(f, "        </DataItem>\n");
  }
  fprintf(f, "      </Attribute>\n");
}

static void XdmfGrid(FILE *f, const char *h5_name, const char *grid_name, const char *group, PetscInt nx, PetscInt ny, PetscReal h, PetscInt t, PetscInt nt, double time)
{
  char u[64], v[64];

  snprintf(u, sizeof(u), "%s/u", group);
  snprintf(v, sizeof(v), "%s/v", group);
  fprintf(f, "    <Grid Name=\"%s\" GridType=\"Uniform\">\n", grid_name);
  if (t >= 0) fprintf(f, "      <Time Value=\"%.17g\"/>\n", time);
  fprintf(f, "      <Topology TopologyType=\"2DCoRectMesh\" Dimensions=\"%d %d\"/>\n", (int)ny, (int)nx);
  fprintf(f, "      <Geometry GeometryType=\"ORIGIN_DXDY\">\n");
  fprintf(f, "        <DataItem Dimensions=\"2\" Format=\"XML\">0 0</DataItem>\n");
  fprintf(f, "        <DataItem Dimensions=\"2\" Format=\"XML\">%.17g %.17g</DataItem>\n", (double)h, (double)h);
  fprintf(f, "      </Geometry>\n");
  XdmfField(f, h5_name, "u", u, nx, ny, t, nt);
  XdmfField(f, h5_name, "v", v, nx, ny, t, nt);
  fprintf(f, "    </Grid>\n");
}

static int XdmfWriteFile(const char *path, const char *h5_name, PetscInt nx, PetscInt ny, PetscReal h, const GSSnapshots *snaps)
{
  FILE *f = fopen(path, "w");

  if (!f) return errno;
  fprintf(f, "<?xml version=\"1.0\" ?>\n<Xdmf Version=\"3.0\">\n  <Domain>\n");
  XdmfGrid(f, h5_name, "state", "/state", nx, ny, h, -1, 0, 0.0);
  if (snaps && snaps->count) {
    fprintf(f, "    <Grid Name=\"snapshots\" GridType=\"Collection\" CollectionType=\"Temporal\">\n");
    for (PetscInt t = 0; t < snaps->count; t++) {
      char name[32];
      snprintf(name, sizeof(name), "step_%lld", (long long)snaps->steps[t]);
      XdmfGrid(f, h5_name, name, "/snapshots", nx, ny, h, t, snaps->count, (double)snaps->steps[t]);
    }
    fprintf(f, "    </Grid>\n");
  }
  fprintf(f, "  </Domain>\n</Xdmf>\n");
  return fclose(f) ? errno : 0;
}

PetscErrorCode GSXdmfWrite(MPI_Comm comm, const char *h5_path, PetscInt nx, PetscInt ny, PetscReal h, const GSSnapshots *snaps)
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
    err = XdmfWriteFile(partial, base ? base + 1 : h5_path, nx, ny, h, snaps);
    if (!err && rename(partial, xmf)) err = errno;
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, PETSC_ERR_FILE_WRITE, "cannot write XDMF file %s (%s)", xmf, strerror(err));
  PetscFunctionReturn(0);
}
