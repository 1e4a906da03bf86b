#include "zeit/snap.h"
#include "zeit/send_auto.h"

#include "zeit/policy.h"
#include "zeit/props.h"
#include "zeit/select.h"

#include <stdlib.h>
#include <string.h>

void snap_plan(const char *const *datasets, const enum zeit_tier *tiers,
               time_t when, struct strv *names)
{
	char shortname[ZEIT_SNAPNAME_MAX];

	strv_init(names);
	for (size_t t = 0; tiers[t] != ZEIT_TIER_NONE; t++) {
		zeit_snapname_format(tiers[t], when, shortname,
		                     sizeof(shortname));
		for (size_t d = 0; datasets[d]; d++)
			strv_pushf(names, "%s@%s", datasets[d], shortname);
	}
}

/* The batch key of a snapshot: its pool and its short name. ZFS takes one
 * snapshot per dataset per txg ("multiple snapshots of same fs not
 * allowed"), so each tier of a run is its own atomic call per pool; all
 * share the run's timestamp. */
static char *batch_key(const char *name)
{
	char pool[ZFS_MAX_NAME_LEN + 1];
	const char *at = strchr(name, '@');

	zfs_pool_of(name, pool, sizeof(pool));
	return xasprintf("%s@%s", pool, at ? at + 1 : "");
}

/* The names sharing names[i]'s batch key, from i on. */
static void batch_of(const char *const *names, size_t i, const char *key,
                     struct strv *batch)
{
	strv_init(batch);
	for (size_t k = i; names[k]; k++) {
		char *other = batch_key(names[k]);
		if (strcmp(key, other) == 0)
			strv_push(batch, names[k]);
		free(other);
	}
}

int snap_apply(struct zfs *zh, const char *const *names)
{
	struct strv done;
	int rc = 0;

	strv_init(&done);
	for (size_t i = 0; names[i] && rc == 0; i++) {
		char *key = batch_key(names[i]);
		if (!strv_contains(&done, key)) {
			struct strv batch;
			batch_of(names, i, key, &batch);
			rc = zfs_snapshot(zh, (const char *const *)batch.v,
			                  NULL);
			strv_free(&batch);
			strv_push(&done, key);
		}
		free(key);
	}
	strv_free(&done);
	return rc;
}

void snap_plan_init(struct snap_plan *p)
{
	strv_init(&p->names);
	strv_init(&p->skipped);
	strv_init(&p->notes);
	strv_init(&p->failed);
	strv_init(&p->erred);
	strv_init(&p->pools);
}

void snap_plan_free(struct snap_plan *p)
{
	strv_free(&p->names);
	strv_free(&p->skipped);
	strv_free(&p->notes);
	strv_free(&p->failed);
	strv_free(&p->erred);
	strv_free(&p->pools);
}

/* Whether row i is taken at all; a note says why not (once). */
static bool selected(const struct snap_plan_input *in, size_t i,
                     const struct ds_view *v, bool first, struct snap_plan *out)
{
	if (in->any_roots ? in->named[i] || !ds_excluded(v)
	                  : ds_auto_selected(v, in->config))
		return true;
	if (first)
		strv_pushf(&out->notes, "%s: not selected (%s)", v->name,
		           ds_excluded(v) ? "excluded by " ZEIT_PROP_SNAP
		                            "=off or com.sun:auto-snapshot="
		                            "false"
		                          : "no " ZEIT_PROP_SNAP
		                            "=on, configuration or "
		                            "com.sun:auto-snapshot=true");
	return false;
}

/* Whether tier t is wanted on row i: named, or (auto) due by its policy.
 * -1: its policy cannot be read (named in out->skipped). */
static int wanted(struct zeit *z, const struct snap_plan_input *in, size_t i,
                  const struct ds_view *v, int t, struct snap_plan *out)
{
	if (!in->auto_mode) {
		for (size_t k = 0; in->tiers[k] != ZEIT_TIER_NONE; k++)
			if (in->tiers[k] == t)
				return 1;
		return 0;
	}
	struct policy pol;
	bool due[ZEIT_TIER_COUNT];
	/* One broken policy costs its dataset only. */
	if (config_policy(z, in->config, v->name, v->keep, &pol) < 0) {
		strv_push(&out->skipped, zeit_error(z));
		zeit_clear_error(z);
		return -1;
	}
	tiers_due(&pol, v->tier_off, in->newest[i], in->now, due);
	return due[t];
}

void snap_plan_datasets(struct zeit *z, const struct snap_plan_input *in,
                        struct snap_plan *out)
{
	const struct zfs_dataset_list *all = in->all;
	bool *unplannable = xcalloc(all->n ? all->n : 1, sizeof(bool));

	/* Tier by tier, so each tier's names form their own batch. */
	for (int t = 0; t < ZEIT_TIER_COUNT; t++)
		for (size_t i = 0; i < all->n; i++) {
			struct ds_view v;
			ds_view_from(&all->v[i], &v);
			if (unplannable[i] || !selected(in, i, &v, t == 0, out))
				continue;
			int want = wanted(z, in, i, &v, t, out);
			unplannable[i] = want < 0;
			if (want > 0) {
				char shortname[ZEIT_SNAPNAME_MAX];
				zeit_snapname_format((enum zeit_tier)t, in->now,
				                     shortname,
				                     sizeof(shortname));
				strv_pushf(&out->names, "%s@%s", v.name,
				           shortname);
			}
		}
	if (out->names.n == 0)
		strv_pushf(&out->notes, "nothing to take: %s",
		           in->auto_mode
		                   ? "no tier is due on any selected dataset"
		                   : "no dataset selected");
	free(unplannable);
}

/* The newest snapshot of each tier of each row of all (an adopted tool's
 * counts, so switching to zeit does not take a tier twice): one
 * fast-path listing per named root, or one for all pools. */
static int list_newest(struct zfs *zh, const struct snap_request *req,
                       const struct zfs_dataset_list *all,
                       time_t (*newest)[ZEIT_TIER_COUNT])
{
	struct zeit *z = zh->z;
	bool any_roots = req->roots && req->roots[0];
	unsigned origins =
	        SNAP_ORIGIN_ZEIT | (req->config ? req->config->adopt : 0);
	size_t nroots = 0;

	for (; any_roots && req->roots[nroots]; nroots++)
		;
	for (size_t r = 0; r < (any_roots ? nroots : 1); r++) {
		struct zfs_snap_list snaps;
		struct zfs_snap_index ix;
		if (zfs_list_snapshots(zh, any_roots ? req->roots[r] : NULL,
		                       ZFS_SNAP_RECURSIVE, &snaps) < 0)
			return -1;
		zfs_snap_index_build(&ix, &snaps);
		for (size_t d = 0; d < all->n; d++) {
			size_t n;
			const struct zfs_snap *const *mine =
			        zfs_snap_index_of(&ix, all->v[d].name, &n);
			for (size_t i = 0; i < n; i++) {
				struct snapname sn;
				const char *at = strchr(mine[i]->name, '@');
				/* Dated in the future: not the newest. */
				if (at &&
				    snapname_read(&z->names, at + 1, origins,
				                  &sn) &&
				    sn.tier != ZEIT_TIER_NONE &&
				    sn.when <= z->now &&
				    sn.when > newest[d][sn.tier])
					newest[d][sn.tier] = sn.when;
			}
		}
		zfs_snap_index_free(&ix);
		zfs_snap_list_free(&snaps);
	}
	return 0;
}

int snap_run(struct zfs *zh, const struct snap_request *req,
             struct snap_plan *plan)
{
	struct zfs_dataset_list all;
	bool *named = NULL;
	struct zeit *z = zh->z;
	int rc = -1;

	snap_plan_init(plan);
	if (select_list(zh, req->roots, req->recursive, &all, &named) < 0)
		return -1;
	struct snap_plan_input in = {
	        .all = &all,
	        .named = named,
	        .any_roots = req->roots && req->roots[0],
	        .auto_mode = req->auto_mode,
	        .tiers = req->tiers,
	        .config = req->config,
	        .newest = xcalloc(all.n ? all.n : 1, sizeof(*in.newest)),
	        .now = z->now,
	};
	if (req->auto_mode && list_newest(zh, req, &all, in.newest) < 0)
		goto out;
	snap_plan_datasets(z, &in, plan);
	for (size_t i = 0; i < plan->names.n; i++)
		run_outcome_add_pool(&plan->pools, plan->names.v[i]);
	for (size_t i = 0; i < plan->skipped.n; i++)
		run_outcome_add_pool(&plan->pools, plan->skipped.v[i]);
	rc = snap_apply_hooked(zh, req->config, &plan->names, &plan->failed,
	                       !req->auto_mode);
out:
	select_pools_with(&all, DSP_SNAP_ERROR, &plan->erred);
	free(in.newest);
	free(named);
	zfs_dataset_list_free(&all);
	return rc;
}
