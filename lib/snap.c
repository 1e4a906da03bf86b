#include "zeit/snap.h"

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

int snap_expand(struct zfs *zh, const char *const *roots, bool recursive,
		struct strv *datasets)
{
	strv_init(datasets);
	for (size_t i = 0; roots[i]; i++) {
		struct zfs_dataset_list l;
		if (zfs_list_datasets(zh, roots[i], recursive ? -1 : 0,
				      ZFS_TYPE_FILESYSTEM | ZFS_TYPE_VOLUME,
				      NULL, &l) < 0) {
			strv_free(datasets);
			return -1;
		}
		for (size_t k = 0; k < l.n; k++)
			if (!strv_contains(datasets, l.v[k].name))
				strv_push(datasets, l.v[k].name);
		zfs_dataset_list_free(&l);
	}
	return 0;
}
