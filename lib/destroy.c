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

int destroy_apply(struct zfs *zh, const struct destroy_plan *p, bool defer)
{
	if (zfs_destroy_snapshots(zh, (const char *const *)p->snaps.v, defer) <
	    0)
		return -1;
	zeit_note(zh->z, 1, "destroyed %zu snapshot%s", p->snaps.n,
	          p->snaps.n == 1 ? "" : "s");
	return 0;
}

void destroy_plan_free(struct destroy_plan *p)
{
	strv_free(&p->snaps);
	strv_free(&p->batches);
}
