/* The four-edge ghost exchange of a periodic 2-D decomposition with a star stencil of width 1: rows
   are sent and received in place, columns through packed buffers; nothing of the patch's interior
   moves. */
#include "gsinv/model/halo.h"

/* Tags by the direction a message travels. */
enum { TAG_EAST = 7301, TAG_WEST, TAG_NORTH, TAG_SOUTH };

struct _p_GSHalo {
  MPI_Comm     comm;
  PetscMPIInt  west, east, south, north;
  PetscInt     dof, xm, ym, gxm;
  PetscScalar *buf; /* 4 columns of ym cells: send west, send east, received from west, from east */
};

PetscErrorCode GSHaloCreate(MPI_Comm comm, const GSDecomposition *d, PetscInt dof, GSHalo *halo)
{
  GSHalo h;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&h));
  h->dof   = dof;
  h->xm    = d->xm;
  h->ym    = d->ym;
  h->gxm   = d->xm + 2;
  h->west  = d->west;
  h->east  = d->east;
  h->south = d->south;
  h->north = d->north;
  PetscCallMPI(MPI_Comm_dup(comm, &h->comm));
  PetscCall(PetscMalloc1(4 * h->ym * h->dof, &h->buf));
  *halo = h;
  PetscFunctionReturn(0);
}

PetscErrorCode GSHaloDestroy(GSHalo *halo)
{
  PetscFunctionBeginUser;
  if (!*halo) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Comm_free(&(*halo)->comm));
  PetscCall(PetscFree((*halo)->buf));
  PetscCall(PetscFree(*halo));
  PetscFunctionReturn(0);
}

/* Copies column i of the owned rows between the local array and a packed buffer. */
static void Column(const GSHalo h, PetscScalar *local, PetscInt i, PetscScalar *packed, PetscBool pack)
{
  for (PetscInt j = 0; j < h->ym; j++) {
    PetscScalar *cell = local + ((j + 1) * h->gxm + i) * h->dof;
    for (PetscInt c = 0; c < h->dof; c++) {
      if (pack) packed[j * h->dof + c] = cell[c];
      else cell[c] = packed[j * h->dof + c];
    }
  }
}

PetscErrorCode GSHaloExchange(GSHalo h, PetscScalar *local)
{
  const PetscMPIInt row = (PetscMPIInt)(h->xm * h->dof), col = (PetscMPIInt)(h->ym * h->dof);
  const PetscInt    first = h->gxm * h->dof + h->dof, last = h->ym * h->gxm * h->dof + h->dof; /* owned rows 0 and ym-1, cell 0 */
  PetscScalar      *send_w = h->buf, *send_e = h->buf + col, *recv_w = h->buf + 2 * col, *recv_e = h->buf + 3 * col;
  MPI_Request       req[8];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Irecv(local + h->dof, row, MPIU_SCALAR, h->south, TAG_NORTH, h->comm, &req[0]));
  PetscCallMPI(MPI_Irecv(local + last + h->gxm * h->dof, row, MPIU_SCALAR, h->north, TAG_SOUTH, h->comm, &req[1]));
  PetscCallMPI(MPI_Irecv(recv_w, col, MPIU_SCALAR, h->west, TAG_EAST, h->comm, &req[2]));
  PetscCallMPI(MPI_Irecv(recv_e, col, MPIU_SCALAR, h->east, TAG_WEST, h->comm, &req[3]));
  Column(h, local, 1, send_w, PETSC_TRUE);
  Column(h, local, h->xm, send_e, PETSC_TRUE);
  PetscCallMPI(MPI_Isend(local + last, row, MPIU_SCALAR, h->north, TAG_NORTH, h->comm, &req[4]));
  PetscCallMPI(MPI_Isend(local + first, row, MPIU_SCALAR, h->south, TAG_SOUTH, h->comm, &req[5]));
  PetscCallMPI(MPI_Isend(send_e, col, MPIU_SCALAR, h->east, TAG_EAST, h->comm, &req[6]));
  PetscCallMPI(MPI_Isend(send_w, col, MPIU_SCALAR, h->west, TAG_WEST, h->comm, &req[7]));
  PetscCallMPI(MPI_Waitall(8, req, MPI_STATUSES_IGNORE));
  Column(h, local, 0, recv_w, PETSC_FALSE);
  Column(h, local, h->xm + 1, recv_e, PETSC_FALSE);
  PetscFunctionReturn(0);
}
