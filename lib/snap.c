#include "zeit/snap.h"

#include "zeit/policy.h"
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

int snap_apply(struct zfs *zh, const char *const *names)
{
	struct strv done;
	int rc = 0;

	strv_init(&done);
	for (size_t i = 0; names[i] && rc == 0; i++) {
		char *key = batch_key(names[i]);
		if (strv_contains(&done, key)) {
			free(key);
			continue;
		}
		struct strv batch;
		strv_init(&batch);
		for (size_t k = i; names[k]; k++) {
			char *other = batch_key(names[k]);
			if (strcmp(key, other) == 0)
				strv_push(&batch, names[k]);
			free(other);
		}
		rc = zfs_snapshot(zh, (const char *const *)batch.v, NULL);
		strv_free(&batch);
		strv_push(&done, key);
		free(key);
	}
	strv_free(&done);
	return rc;
}

int snap_run(struct zfs *zh, const struct snap_request *req, struct strv *names,
             struct strv *skipped)
{
	struct zfs_dataset_list all;
	struct zfs_snap_list snaps = {0};
	bool *named = NULL, *unplannable = NULL;
	time_t(*newest)[ZEIT_TIER_COUNT] = NULL;
	struct zeit *z = zh->z;
	int rc = -1;

	strv_init(names);
	strv_init(skipped);
	if (select_list(zh, req->roots, req->recursive, &all, &named) < 0)
		return -1;
	unplannable = xcalloc(all.n ? all.n : 1, sizeof(bool));
	bool any_roots = req->roots && req->roots[0];

	if (req->auto_mode) {
		/* The newest zeit snapshot of each tier, per dataset: one
		 * fast-path listing per named root, or one for all pools. */
		newest = xcalloc(all.n ? all.n : 1, sizeof(*newest));
		size_t nroots = 0;
		for (; any_roots && req->roots[nroots]; nroots++)
			;
		for (size_t r = 0; r < (any_roots ? nroots : 1); r++) {
			if (zfs_list_snapshots(zh,
			                       any_roots ? req->roots[r] : NULL,
			                       ZFS_SNAP_RECURSIVE, &snaps) < 0)
				goto out;
			/* An adopted tool's snapshot of a tier counts, so
			 * switching to zeit does not take a tier twice. */
			unsigned origins =
			        SNAP_ORIGIN_ZEIT |
			        (req->config ? req->config->adopt : 0);
			struct zfs_snap_index ix;
			zfs_snap_index_build(&ix, &snaps);
			for (size_t d = 0; d < all.n; d++) {
				size_t n;
				const struct zfs_snap *const *mine =
				        zfs_snap_index_of(&ix, all.v[d].name,
				                          &n);
				for (size_t i = 0; i < n; i++) {
					struct snapname sn;
					const char *at =
					        strchr(mine[i]->name, '@');
					if (!at ||
					    !snapname_read(&z->names, at + 1,
					                   origins, &sn) ||
					    sn.tier == ZEIT_TIER_NONE ||
					    sn.when > z->now)
						continue; /* future: not newest
						           */
					if (sn.when > newest[d][sn.tier])
						newest[d][sn.tier] = sn.when;
				}
			}
			zfs_snap_index_free(&ix);
			zfs_snap_list_free(&snaps);
		}
	}

	/* Tier by tier, so each tier's names form their own batch. */
	for (int t = 0; t < ZEIT_TIER_COUNT; t++) {
		for (size_t i = 0; i < all.n; i++) {
			struct ds_view v;
			ds_view_from(&all.v[i], &v);
			bool take;
			if (any_roots)
				take = named[i] || !ds_excluded(&v);
			else
				take = ds_auto_selected(&v, req->config);
			if (unplannable[i])
				continue;
			if (!take) {
				if (t == 0)
					zeit_note(z, 1, "%s: not selected (%s)",
					          v.name,
					          ds_excluded(&v)
					                  ? "excluded by "
					                    "org.zeit:snap=off "
					                    "or "
					                    "com.sun:auto-"
					                    "snapshot=false"
					                  : "no "
					                    "org.zeit:snap=on, "
					                    "configuration or "
					                    "com.sun:auto-"
					                    "snapshot=true");
				continue;
			}
			bool want;
			if (req->auto_mode) {
				struct policy pol;
				bool due[ZEIT_TIER_COUNT];
				/* One broken policy costs its dataset only. */
				if (config_policy(z, req->config, v.name,
				                  v.keep, &pol) < 0) {
					strv_push(skipped, zeit_error(z));
					zeit_clear_error(z);
					unplannable[i] = true;
					continue;
				}
				tiers_due(&pol, v.tier_off, newest[i], z->now,
				          due);
				want = due[t];
			} else {
				want = false;
				for (size_t k = 0;
				     req->tiers[k] != ZEIT_TIER_NONE; k++)
					want |= req->tiers[k] == t;
			}
			if (want) {
				char shortname[ZEIT_SNAPNAME_MAX];
				zeit_snapname_format((enum zeit_tier)t, z->now,
				                     shortname,
				                     sizeof(shortname));
				strv_pushf(names, "%s@%s", v.name, shortname);
			}
		}
	}
	if (names->n == 0)
		zeit_note(z, 1, "nothing to take: %s",
		          req->auto_mode
		                  ? "no tier is due on any selected dataset"
		                  : "no dataset selected");
	rc = z->dry_run || names->n == 0
	             ? 0
	             : snap_apply(zh, (const char *const *)names->v);
out:
	free(newest);
	free(named);
	free(unplannable);
	zfs_snap_list_free(&snaps);
	zfs_dataset_list_free(&all);
	return rc;
}
