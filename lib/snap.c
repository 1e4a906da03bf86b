#include "zeit/snap.h"

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

int snap_apply(struct zfs *zh, const char *const *names)
{
	char pool[ZFS_MAX_NAME_LEN + 1], other[ZFS_MAX_NAME_LEN + 1];
	struct strv done;
	int rc = 0;

	/* One atomic call per pool: zfs cannot span pools in one txg. */
	strv_init(&done);
	for (size_t i = 0; names[i] && rc == 0; i++) {
		zfs_pool_of(names[i], pool, sizeof(pool));
		if (strv_contains(&done, pool))
			continue;
		struct strv batch;
		strv_init(&batch);
		for (size_t k = i; names[k]; k++) {
			zfs_pool_of(names[k], other, sizeof(other));
			if (strcmp(pool, other) == 0)
				strv_push(&batch, names[k]);
		}
		rc = zfs_snapshot(zh, (const char *const *)batch.v, NULL);
		strv_free(&batch);
		strv_push(&done, pool);
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
