/* zeit destroy's planner and executor (see destroy.h). */
#include "zeit/destroy.h"

int destroy_plan(struct zeit *z, const char *const *names, size_t n,
                 struct destroy_plan *out)
{
	strv_init(&out->snaps);
	strv_init(&out->batches);
	for (size_t i = 0; i < n; i++) {
		if (zfs_name_check(z, names[i], ZFS_NAME_SNAPSHOT) < 0) {
			destroy_plan_free(out);
			return -1;
		}
		strv_push(&out->snaps, names[i]);
	}
	zfs_destroy_batches((const char *const *)out->snaps.v,
	                    ZFS_DESTROY_ARG_LIMIT, &out->batches);
	return 0;
}

int destroy_apply(struct zfs *zh, const struct destroy_plan *p, bool defer,
                  struct zfs_destroy_result *out)
{
	return zfs_destroy_snapshots_report(zh, (const char *const *)p->snaps.v,
	                                    defer, ZFS_DESTROY_ARG_LIMIT, out);
}

void destroy_plan_free(struct destroy_plan *p)
{
	strv_free(&p->snaps);
	strv_free(&p->batches);
}
