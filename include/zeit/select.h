/* Which datasets zeit snapshots and prunes, read from their properties
 * and the configuration, and which tiers are due. Pure code. */
#ifndef ZEIT_SELECT_H
#define ZEIT_SELECT_H

#include <stdbool.h>
#include <time.h>

#include "zeit/config.h"
#include "zeit/policy.h"
#include "zeit/zfs.h"

/* The properties zeit reads, in this order, in one listing. */
enum {
	DSP_SNAP,           /* org.zeit:snap */
	DSP_AUTOSNAP,       /* com.sun:auto-snapshot */
	DSP_AUTOSNAP_TIER0, /* com.sun:auto-snapshot:<tier>, one per tier */
	DSP_KEEP = DSP_AUTOSNAP_TIER0 + ZEIT_TIER_TIMED, /* org.zeit:keep */
	DSP_PRUNE,                                       /* org.zeit:prune */
	/* On a pool's root: the last failed snap --auto, prune (props.h);
	 * read here so a good run clears them without a call more. */
	DSP_SNAP_ERROR,
	DSP_PRUNE_ERROR,
	DSP_COUNT,
};
/* NULL-terminated list of those property names. */
const char *const *select_props(void);
/* The pool roots among all's rows whose column col (DSP_SNAP_ERROR,
 * DSP_PRUNE_ERROR) is set, pushed to out. */
void select_pools_with(const struct zfs_dataset_list *all, int col,
                       struct strv *out);

struct ds_view {
	const char *name;
	int snap;     /* -1 unset, 0 off, 1 on */
	int autosnap; /* -1 unset, 0 false, 1 true */
	bool tier_off[ZEIT_TIER_COUNT];
	const char *keep; /* NULL when unset */
	bool prune_off;
};

/* Reads one listed dataset (values in select_props() order). */
void ds_view_from(const struct zfs_dataset *d, struct ds_view *v);

/* Explicitly excluded: org.zeit:snap=off or com.sun:auto-snapshot=false. */
bool ds_excluded(const struct ds_view *v);
/* Taken by `snap --auto` (see config.h for the precedence). */
bool ds_auto_selected(const struct ds_view *v, const struct zeit_config *c);

/* Which tiers are due for a dataset at now: enabled in its policy, not
 * switched off for it, and no zeit snapshot of the tier yet in the
 * current period. newest[t] is 0 when there is none; one dated after now
 * counts as none. */
void tiers_due(const struct policy *p, const bool tier_off[ZEIT_TIER_COUNT],
               const time_t newest[ZEIT_TIER_COUNT], time_t now,
               bool due[ZEIT_TIER_COUNT]);

/* Lists the datasets zeit may consider, with select_props(): one call for
 * all pools (roots NULL or empty), else one per root (its tree with
 * `recursive`). The list comes sorted by name, without repeats; named[i]
 * says whether dataset i was itself one of roots (caller frees). */
int select_list(struct zfs *zh, const char *const *roots, bool recursive,
                struct zfs_dataset_list *all, bool **named);

/* Index of the dataset called name[0..len) in a list from select_list,
 * or -1. */
long select_find(const struct zfs_dataset_list *l, const char *name,
                 size_t len);

#endif
