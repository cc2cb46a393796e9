/* What other layers read of a GSModel. */
#include "model_impl.h"

MPI_Comm GSModelGetComm(GSModel m)
{
  return m->comm;
}

const GSPatch *GSModelGetPatch(GSModel m)
{
  return &m->patch;
}

Vec GSModelGetLocalX(GSModel m)
{
  return m->xlocal;
}

Vec GSModelGetLocalY(GSModel m)
{
  return m->ylocal;
}

GSHalo GSModelGetHalo(GSModel m)
{
  return m->halo;
}

Mat GSModelGetJacobian(GSModel m)
{
  return m->J;
}

Mat GSModelGetJacobianP(GSModel m)
{
  return m->Jp;
}

const GSGrid *GSModelGetGrid(GSModel m)
{
  return &m->grid;
}

const GSParams *GSModelGetParams(GSModel m)
{
  return &m->params;
}
