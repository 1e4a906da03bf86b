/* zeit restore (see restore.h): the snapshot is read inside it, the
 * destination written beneath its root (treecopy.h). */
#include "zeit/restore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zeit/diff.h"
#include "zeit/filelog.h"
#include "zeit/rootfile.h"
#include "zeit/ztime.h"

void restore_result_free(struct restore_result *r)
{
	free(r->guard);
	free(r->written_in);
	memset(r, 0, sizeof(*r));
}

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The guard: dataset@zeit-restore_<UTC time>, marked with the path. No
 * tier name, so prune never takes it. */
static int guard(struct zfs *zh, const char *ds, const char *path, char **name)
{
	char t[32];
	ztime_format(zh->z->now, t, sizeof(t));
	/* 2026-12-01T10:00:00Z -> 20261201T100000Z */
	char compact[32];
	size_t k = 0;
	for (size_t i = 0; t[i] && k + 1 < sizeof(compact); i++)
		if (t[i] != '-' && t[i] != ':')
			compact[k++] = t[i];
	compact[k] = '\0';
	char *prop = xasprintf(RESTORE_GUARD_PROP "=%s", path);
	const char *const props[] = {prop, NULL};
	int rc = -1;
	/* Two restores in one second: the second guard is _2, then _3. */
	for (int i = 1; i <= 99; i++) {
		*name = i == 1 ? xasprintf("%s@zeit-restore_%s", ds, compact)
		               : xasprintf("%s@zeit-restore_%s_%d", ds, compact,
		                           i);
		const char *const snaps[] = {*name, NULL};
		rc = zfs_snapshot(zh, snaps, props);
		if (rc == 0)
			break;
		free(*name);
		*name = NULL;
		if (zh->z->err != EEXIST || i == 99)
			break;
		zeit_clear_error(zh->z);
	}
	free(prop);
	return rc;
}

/* The snapshot's full name, checked to be one of r->dataset's; NULL with
 * the reason on the handle. */
static char *source_snapshot(struct zeit *z, const struct restore_request *r)
{
	char *snap = strchr(r->from, '@')
	                     ? xstrdup(r->from)
	                     : xasprintf("%s@%s", r->dataset, r->from);
	if (zfs_name_check(z, snap, ZFS_NAME_SNAPSHOT) < 0) {
		free(snap);
		return NULL;
	}
	if (!zfs_name_of(snap, r->dataset)) {
		zeit_fail(z, EINVAL, "%s is not a snapshot of %s", snap,
		          r->dataset);
		free(snap);
		return NULL;
	}
	return snap;
}

struct destination {
	char *dir; /* the directory written in */
	char *ds;  /* the dataset holding it (for the guard), or NULL */
	char *rel; /* where in dir */
};

/* Where it goes: in place under the dataset's mount, or into --to, and
 * which dataset (if any) that is, for the guard. */
static int destination_of(struct zeit *z, const struct restore_request *r,
                          struct destination *d)
{
	memset(d, 0, sizeof(*d));
	if (r->to) {
		d->dir = xstrdup(r->to);
		if (filelog_resolve(z, r->to, &d->ds, &d->rel) < 0) {
			zeit_clear_error(z); /* not on ZFS: no guard */
			d->ds = NULL;
		}
		free(d->rel);
		d->rel = xasprintf("/%s", base_of(r->path));
		return 0;
	}
	d->dir = zfs_mounted_at(r->dataset);
	if (!d->dir)
		return zeit_fail(z, ENOENT,
		                 "%s is not mounted: mount it, or restore "
		                 "into a directory with --to",
		                 r->dataset);
	d->ds = xstrdup(r->dataset);
	d->rel = xstrdup(r->path);
	return 0;
}

static void destination_free(struct destination *d)
{
	free(d->dir);
	free(d->ds);
	free(d->rel);
}

/* The copy under its guard; a copy refused before anything was written
 * takes its guard back (it holds what the dataset still holds, and only
 * zeit made it). */
static int guarded_copy(struct zfs *zh, const struct restore_request *r,
                        int src, int dst, const struct destination *d,
                        struct restore_result *out)
{
	struct zeit *z = zh->z;

	if (!z->dry_run && d->ds && guard(zh, d->ds, r->path, &out->guard) < 0)
		return -1;
	struct tree_copy_opts o = {z->dry_run, r->each, r->arg, 0};
	int rc = tree_copy(z, src, r->path, dst, d->rel, &o);
	out->entries = o.entries;
	out->written_in = xstrdup(d->dir);
	if (rc < 0 && out->guard && o.entries == 0) {
		zeit_keep_error(z);
		const char *const g[] = {out->guard, NULL};
		zfs_destroy_snapshots(zh, g, false);
		zeit_release_error(z);
		free(out->guard);
		out->guard = NULL;
	} else if (rc < 0 && out->guard) {
		zeit_fail_ctx(z,
		              "(the guard snapshot %s holds what was there "
		              "before)",
		              out->guard);
	}
	return rc;
}

int restore_run(struct zfs *zh, const struct restore_request *r,
                struct restore_result *out)
{
	struct zeit *z = zh->z;
	struct diff_root src;
	struct destination d = {0};
	int dst = -1, rc = -1;

	memset(out, 0, sizeof(*out));
	if (zfs_name_check(z, r->dataset, ZFS_NAME_DATASET) < 0)
		return -1;
	char *snap = source_snapshot(z, r);
	if (!snap)
		return -1;
	if (diff_root_open(zh, snap, &src) < 0)
		goto out_snap;
	if (destination_of(z, r, &d) < 0 || (dst = root_open(z, d.dir)) < 0)
		goto out_src;
	/* The snapshot must have it before anything is taken or changed. */
	struct stat st;
	int pfd = root_lookup_nofollow(z, src.fd, r->path, &st);
	if (pfd < 0) {
		zeit_fail_ctx(z, "%s", snap);
	} else {
		close(pfd);
		rc = guarded_copy(zh, r, src.fd, dst, &d, out);
	}
	close(dst);
out_src:
	diff_root_close(&src);
out_snap:
	destination_free(&d);
	free(snap);
	return rc;
}
