/* Taking snapshots: plan the names, then create each pool's share in one
 * atomic zfs call. */
#ifndef ZEIT_SNAP_H
#define ZEIT_SNAP_H

#include <time.h>

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

/* Expands roots into datasets: each root itself, and with `recursive` its
 * whole tree of filesystems and volumes. Names repeat at most once. */
int snap_expand(struct zfs *zh, const char *const *roots, bool recursive,
		struct strv *datasets);

#endif
