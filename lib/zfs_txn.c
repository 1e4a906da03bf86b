/* The driver's calls for package transactions: a recursive snapshot of a
 * boot environment's tree with its user properties in the same call, the
 * destruction of such snapshots, and which dataset is the root this
 * process runs on (read from the kernel's mount table, no zfs call). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/zfs_mount.h"
#include "zfs_txn_priv.h"
#include "zfs_priv.h"

static int run_checked(struct zfs *zh, struct strv *a)
{
	struct run_cmd c;
	if (zfs_run_any(zh, a, NULL, &c) < 0) {
		strv_free(a);
		return -1;
	}
	int rc = 0;
	if (c.status != 0) {
		zfs_fail_cmd(zh, &c); /* reads a */
		rc = -1;
	}
	run_cmd_free(&c);
	strv_free(a);
	return rc;
}

int zfs_snapshot_tree(struct zfs *zh, const char *snap,
                      const char *const *props)
{
	struct strv a;

	if (zfs_check_name(zh, snap, ZFS_NAME_SNAPSHOT) < 0)
		return -1;
	for (size_t i = 0; props && props[i]; i++) {
		const char *eq = strchr(props[i], '=');
		if (!eq || eq == props[i])
			return zeit_fail(zh->z, EINVAL,
			                 "invalid property assignment '%s'",
			                 props[i]);
	}
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "snapshot");
	strv_push(&a, "-r");
	for (size_t i = 0; props && props[i]; i++) {
		strv_push(&a, "-o");
		strv_push(&a, props[i]);
	}
	strv_push(&a, snap);
	return run_checked(zh, &a);
}

int zfs_destroy_snapshot_tree(struct zfs *zh, const char *dataset,
                              const char *const *names)
{
	struct strv a;
	struct buf b;

	if (zfs_check_name(zh, dataset, ZFS_NAME_DATASET) < 0)
		return -1;
	if (!names || !names[0])
		return zeit_fail(zh->z, EINVAL, "no snapshots to destroy");
	buf_init(&b);
	buf_addf(&b, "%s@", dataset);
	for (size_t i = 0; names[i]; i++) {
		if (!zfs_component_valid(names[i])) {
			buf_free(&b);
			return zeit_fail(zh->z, EINVAL,
			                 "invalid snapshot name '%s'",
			                 names[i]);
		}
		buf_addf(&b, "%s%s", i ? "," : "", names[i]);
	}
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "destroy");
	strv_push(&a, "-r");
	strv_push(&a, b.data);
	buf_free(&b);
	return run_checked(zh, &a);
}

char *zfs_root_dataset(void)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	char *line = NULL, *found = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	/* The last mount at "/" is the one this process sees; it counts
	 * only when it is ZFS. */
	while (getline(&line, &cap, f) > 0) {
		char dev[4096], dir[4096], type[64];
		if (sscanf(line, "%4095s %4095s %63s", dev, dir, type) != 3 ||
		    strcmp(dir, "/") != 0)
			continue;
		free(found);
		found = NULL;
		char *ds, *d;
		if (strcmp(type, "zfs") == 0 && zfs_mounts_line(line, &ds, &d))
			found = xstrdup(ds);
	}
	free(line);
	fclose(f);
	return found;
}
