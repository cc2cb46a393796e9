/* MPI-IO component choice: the one MPI-specific workaround gsinv applies, decided at run time. */
#pragma once

/* 1 when library_version (MPI_Get_library_version's text) names Open MPI 4.x, whose default
   OMPIO layer can hang collective parallel-HDF5 writes (HDF5 1.10); 0 for Open MPI 5 and later,
   MPICH and any other MPI. Plain C, not collective. */
int GSMPIIONeedsROMIO(const char *library_version);

/* Selects Open MPI 4's ROMIO component (OMPI_MCA_io=romio321) when the MPI linked in is Open MPI
   4.x and the user has not chosen a component (OMPI_MCA_io unset); otherwise changes nothing.
   Call before MPI_Init/PetscInitialize (MPI_Get_library_version may be called before MPI_Init).
   Returns 1 when it selected ROMIO. Not collective. */
int GSMPIIOSelectComponent(void);
