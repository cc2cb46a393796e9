/* gsinv's log events, registered in one place under gsinv's own class: -log_view lists them
   together ("GSInv"), whichever objects a run creates. */
#pragma once

#include <petsclog.h>

typedef enum {
  GS_EVENT_RHS,        /* the right-hand side f(X) */
  GS_EVENT_HALO,       /* ghost exchange of the patch edges */
  GS_EVENT_JACOBIAN,   /* J or J^T applied */
  GS_EVENT_JACOBIAN_P, /* df/dtheta applied */
  GS_EVENT_LOSS,       /* a field loss and its dL/dX */
  GS_EVENT_ADJOINT,    /* the reverse sweep of a gradient */
  GS_EVENT_IO,         /* HDF5 output */
  GS_EVENT_SETUP,      /* a model's grid: the DMDA, its patch, the ghost exchange */
  GS_EVENT_INITIAL,    /* an initial state from the recipe or a file */
  GS_EVENT_N
} GSEvent;

/* Registers the class and every event, once (later calls return at once). Not collective. */
PetscErrorCode GSLogEventsRegister(void);
/* The PETSc event of e; registers first if needed. Not collective. */
PetscErrorCode GSLogEventGet(GSEvent e, PetscLogEvent *event);
