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

/* Works out the snapshots (names in *names) and, unless z->dry_run,
 * takes them. Reasons for leaving datasets out go to -v notes; a dataset
 * whose policy cannot be read is left out with the reason in *skipped
 * (one message each, naming it), and the rest are taken. */
int snap_run(struct zfs *zh, const struct snap_request *req, struct strv *names,
             struct strv *skipped);

#endif
