/* What determines a result: an ordered list of named, typed settings from which come the resume
   signature, the refusal message when a resume would mix settings, and the provenance attributes. */
#pragma once

#include <petscts.h>

#include "gsinv/io/h5file.h"
#include "gsinv/io/grid.h"
#include "gsinv/physics/kernels.h"
#include "gsinv/physics/noise.h"

/* Entries are named by the option as the user types it (e.g. -ts_rk_type) and hold its effective
   value. The struct body is private to src/io/settings.c. */
typedef struct _p_GSSettings *GSSettings;

/* Creates an empty description of one run of subcommand; the first entry is the subcommand. Not
   collective. */
PetscErrorCode GSSettingsCreate(const char *subcommand, GSSettings *settings);
PetscErrorCode GSSettingsDestroy(GSSettings *settings);

/* Adds (or replaces) an entry holding the effective value of option. Not collective. */
PetscErrorCode GSSettingsAddInt(GSSettings settings, const char *option, PetscInt64 value);
PetscErrorCode GSSettingsAddReal(GSSettings settings, const char *option, PetscReal value);
PetscErrorCode GSSettingsAddReals(GSSettings settings, const char *option, PetscInt n, const PetscReal *values);
PetscErrorCode GSSettingsAddString(GSSettings settings, const char *option, const char *value);

/* Drops the entry of an option the subcommand lets change on resume (e.g. invert's -gs_max_it:
   a rerun with a higher cap continues). Not collective. */
PetscErrorCode GSSettingsRemove(GSSettings settings, const char *option);

/* Adds the grid, spacing and theta of the model (-da_grid_x, -da_grid_y, -gs_h, -gs_F, -gs_k,
   -gs_Du, -gs_Dv). Not collective. */
PetscErrorCode GSSettingsAddGrid(GSSettings settings, const GSGrid *grid, const GSParams *params);
/* Adds the initial-state recipe: -gs_seed, -gs_sample, -gs_init_noise, -gs_init_block. Not
   collective. */
PetscErrorCode GSSettingsAddRecipe(GSSettings settings, const GSInitialRecipe *recipe);
/* Adds the time stepper's state as queried from the object: -ts_type, -ts_rk_type or
   -ts_theta_theta, -ts_dt, -ts_max_steps. Not collective. */
PetscErrorCode GSSettingsAddTS(GSSettings settings, TS ts);
/* Adds, as text, every option given explicitly (command line, options files, PETSC_OPTIONS) that
   has no entry yet and can change results: everything except the list GSSettingsIsHarmless
   accepts. Call it last. Not collective. */
PetscErrorCode GSSettingsAddGivenOptions(GSSettings settings);
/* Whether option cannot change a result (progress, monitors, views, logs, output paths, -help,
   -options_file, checkpoint memory): such options may differ on resume. */
PetscBool GSSettingsIsHarmless(const char *option);

/* The signature: one line per entry, "option<TAB>type<TAB>value". Not collective. */
PetscErrorCode GSSettingsGetSignature(GSSettings settings, const char **signature);
/* Compares with a stored signature: *msg is empty if they agree, else a message naming the first
   option that differs and both values, e.g. "-ts_rk_type is 4 but WHERE was made with 1fe: REMEDY".
   A signature stored before an option existed agrees with the value every earlier gsinv used
   (-gs_init_sampler boxmuller). Not collective. */
PetscErrorCode GSSettingsCompare(GSSettings settings, const char *stored, const char *where, const char *remedy, char *msg, size_t len);
/* For an option added after signatures and settings attributes were first stored, the value every
   earlier gsinv used (-gs_init_sampler: boxmuller): what a file without it was made with. NULL
   for other options. Not collective. */
const char *GSSettingsEarlierValue(const char *option);
/* Writes one typed root attribute per entry, named like the option (int64, double, double array or
   string), plus "settings_signature". Collective on the file's communicator. */
PetscErrorCode GSSettingsWriteAttributes(GSSettings settings, GSOutput *out);
