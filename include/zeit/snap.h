/* Taking snapshots: choose the datasets and tiers, plan the names, then
 * create them with one atomic zfs call per pool and tier. */
#ifndef ZEIT_SNAP_H
#define ZEIT_SNAP_H

#include <time.h>

#include "zeit/config.h"
#include "zeit/snapname.h"
#include "zeit/util.h"
#include "zeit/zfs.h"

/* Full snapshot names for each dataset and each tier (tiers ends with
 * ZEIT_TIER_NONE), all stamped `when`. */
void snap_plan(const char *const *datasets, const enum zeit_tier *tiers,
               time_t when, struct strv *names);

/* Creates the snapshots: one atomic `zfs snapshot` per pool and short
 * name (ZFS allows one snapshot per dataset in a call). */
int snap_apply(struct zfs *zh, const char *const *names);

struct snap_request {
	const char *const *roots; /* datasets named; NULL or empty: all pools */
	bool recursive;           /* their trees, minus excluded datasets */
	bool auto_mode;           /* --auto: the tiers due per dataset */
	const enum zeit_tier *tiers; /* explicit tiers (ZEIT_TIER_NONE-ended) */
	const struct zeit_config *config;
};

/* What the planner sees: the selection's rows (select_list) and, for
 * --auto, the newest snapshot of each tier per row. */
struct snap_plan_input {
	const struct zfs_dataset_list *all;
	const bool *named; /* per row: named on the command line */
	bool any_roots;    /* datasets were named */
	bool auto_mode;
	const enum zeit_tier *tiers; /* without auto_mode */
	const struct zeit_config *config;
	time_t (*newest)[ZEIT_TIER_COUNT]; /* with auto_mode, per row */
	time_t now;
};

struct snap_plan {
	struct strv names;   /* to take, tier by tier */
	struct strv skipped; /* datasets whose policy cannot be read, why */
	struct strv notes;   /* why datasets were left out, for -v */
	struct strv failed;  /* hooks that failed, datasets they kept out */
	struct strv erred;   /* pools whose last snap --auto failed */
	/* pools the run worked on, before hooks kept any dataset out:
	 * where snap --auto records its outcome */
	struct strv pools;
};

void snap_plan_init(struct snap_plan *p);
void snap_plan_free(struct snap_plan *p);
/* The pure planner: which datasets take which tiers now. A dataset whose
 * policy cannot be read is left out, with the reason in out->skipped
 * (one message each, naming it), and the rest are planned. */
void snap_plan_datasets(struct zeit *z, const struct snap_plan_input *in,
                        struct snap_plan *out);

/* Takes names inside the configuration's hooks (hook.h): the run's and
 * each dataset's pre-hooks, the snapshots (less those a failed pre-hook
 * keeps out, removed from names), the post-hooks, the failure hooks. Hook
 * failures go into fails and, with record_outcome, onto the pool's
 * org.zeit:run:snap:error, where zeit status reads it (snap --auto leaves
 * that to its caller, which records the whole run's outcome in one zfs
 * set); returns -1 when a snapshot call failed.
 * With z->dry_run it notes the hooks it would run and runs nothing. */
int snap_apply_hooked(struct zfs *zh, const struct zeit_config *cfg,
                      struct strv *names, struct strv *fails,
                      bool record_outcome);

/* Lists, plans (into *plan, which the caller frees) and, unless
 * z->dry_run, takes the snapshots. */
int snap_run(struct zfs *zh, const struct snap_request *req,
             struct snap_plan *plan);

#endif
