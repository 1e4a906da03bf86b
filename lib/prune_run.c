/* zeit prune from listing to destroying: a read-only channel program per
 * pool lists (two fast `zfs list` calls where that fails), and one channel
 * program per pool destroys. */
#include <stdlib.h>
#include <string.h>

#include "zeit/config.h"
#include "zeit/props.h"
#include "zeit/prune.h"
#include "zeit/select.h"

/* Plans one dataset (names: its n snapshots). One whose policy cannot be
 * read is skipped and named in plan->skipped; the rest go on. */
static void plan_one(struct zeit *z, const struct prune_request *req,
                     const struct zfs_dataset *d, const char *const *names,
                     size_t n, struct prune_plan *plan)
{
	struct ds_view v;
	struct policy pol;

	ds_view_from(d, &v);
	if (v.prune_off) {
		if (n)
			zeit_note(z, 1,
			          "%s: " ZEIT_PROP_PRUNE "=off; left alone",
			          v.name);
		return;
	}
	if (config_policy(z, req->config, v.name, v.keep, &pol) < 0) {
		const char *e = zeit_error(z);
		size_t l = strlen(v.name);
		if (!strncmp(e, v.name, l) && e[l] == ':')
			strv_push(&plan->skipped, e);
		else
			strv_pushf(&plan->skipped, "%s: %s", v.name, e);
		zeit_clear_error(z);
		return;
	}
	if (n)
		prune_plan_dataset(&pol, &req->config->names,
		                   req->config->adopt, names, n, z->now, plan);
}

static int plan_pool_datasets(struct zfs *zh, const struct prune_request *req,
                              const struct zfs_dataset_list *all,
                              const struct zfs_snap_list *snaps,
                              struct prune_plan *plan)
{
	struct zfs_snap_index ix;
	const char **names = xcalloc(snaps->n + 1, sizeof(char *));

	/* Datasets with snapshots first, then (so a broken policy where
	 * there is nothing to prune yet is named too) those without. */
	zfs_snap_index_build(&ix, snaps);
	for (int pass = 0; pass < 2; pass++)
		for (size_t d = 0; d < all->n; d++) {
			size_t n;
			const struct zfs_snap *const *mine =
			        zfs_snap_index_of(&ix, all->v[d].name, &n);
			if ((pass == 0) != (n > 0))
				continue;
			for (size_t k = 0; k < n; k++)
				names[k] = mine[k]->name;
			names[n] = NULL;
			plan_one(zh->z, req, &all->v[d], n ? names : NULL, n,
			         plan);
		}
	zfs_snap_index_free(&ix);
	free(names);
	return 0;
}

static int by_snap_name(const void *a, const void *b)
{
	const struct zfs_snap *x = a, *y = b;
	return strcmp(x->name, y->name);
}

/* The fallback listings: datasets with their properties, then the
 * snapshots of each root on zfs's fast path. Overlapping roots (tank/a
 * and tank/a/b with -r) list some snapshots twice; each is planned once. */
static int list_and_plan(struct zfs *zh, const struct prune_request *req,
                         struct zfs_dataset_list *all, struct prune_plan *plan)
{
	struct zfs_snap_list snaps = {0};
	size_t nroots = 0;
	bool *named = NULL;
	int rc = -1;

	for (; req->roots && req->roots[nroots]; nroots++)
		;
	if (select_list(zh, req->roots, req->recursive, all, &named) < 0)
		return -1;
	for (size_t r = 0; r < (nroots ? nroots : 1); r++) {
		struct zfs_snap_list one;
		if (zfs_list_snapshots(
		            zh, nroots ? req->roots[r] : NULL,
		            req->recursive || !nroots ? ZFS_SNAP_RECURSIVE : 0,
		            &one) < 0)
			goto out;
		snaps.v = xrealloc(snaps.v,
		                   (snaps.n + one.n + 1) * sizeof(*snaps.v));
		memcpy(snaps.v + snaps.n, one.v, one.n * sizeof(*one.v));
		snaps.n += one.n;
		free(one.v);
	}
	if (nroots > 1) {
		qsort(snaps.v, snaps.n, sizeof(*snaps.v), by_snap_name);
		size_t w = 0;
		for (size_t i = 0; i < snaps.n; i++) {
			if (w &&
			    !strcmp(snaps.v[w - 1].name, snaps.v[i].name)) {
				free(snaps.v[i].name);
				continue;
			}
			snaps.v[w++] = snaps.v[i];
		}
		snaps.n = w;
	}
	rc = plan_pool_datasets(zh, req, all, &snaps, plan);
out:
	zfs_snap_list_free(&snaps);
	free(named);
	return rc;
}

int prune_run(struct zfs *zh, const struct prune_request *req,
              struct prune_plan *plan, struct prune_exec_stats *stats)
{
	struct zfs_dataset_list all;
	struct zfs_snap_list snaps;
	int rc = -1;

	memset(stats, 0, sizeof(*stats));
	prune_plan_init(plan);
	if (req->mode != PRUNE_MODE_BATCH &&
	    prune_list(zh, req->roots, req->recursive, &all, &snaps) == 0) {
		int prc = plan_pool_datasets(zh, req, &all, &snaps, plan);
		zfs_snap_list_free(&snaps);
		if (prc < 0)
			goto out;
	} else {
		if (req->mode != PRUNE_MODE_BATCH) {
			zeit_note(zh->z, 1,
			          "listing with zfs list instead of a channel "
			          "program: %s",
			          zeit_error(zh->z));
			zeit_clear_error(zh->z);
		}
		if (list_and_plan(zh, req, &all, plan) < 0)
			goto out;
	}

	/* One execution per pool, in order of first appearance. */
	struct strv pools;
	strv_init(&pools);
	rc = 0;
	for (size_t i = 0; i < plan->n && rc == 0; i++) {
		char pool[ZFS_MAX_NAME_LEN + 1];
		if (plan->v[i].action != PRUNE_DESTROY)
			continue;
		zfs_pool_of(plan->v[i].name, pool, sizeof(pool));
		if (strv_contains(&pools, pool))
			continue;
		strv_push(&pools, pool);
		struct prune_exec_stats st;
		rc = prune_execute(zh, pool, plan, req->mode, &st);
		stats->destroyed += st.destroyed;
		stats->held += st.held;
		stats->cloned += st.cloned;
		stats->used_program |= st.used_program;
	}
	strv_free(&pools);
out:
	select_pools_with(&all, DSP_PRUNE_ERROR, &plan->erred);
	zfs_dataset_list_free(&all);
	return rc;
}
