/* Mounting a boot environment with its children, and running a command
 * rooted in it with /proc, /sys and /dev bound in; everything is undone on
 * the way out, whatever the command did. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zeit/be.h"

#define BE_MOUNT_BASE "/run/zeit/be"

static int mkdir_p(struct zeit *z, const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			*s = 0;
			if (mkdir(p, 0755) < 0 && errno != EEXIST) {
				int e = errno;
				zeit_fail(z, e, "mkdir %s: %s", p, strerror(e));
				free(p);
				return -1;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return 0;
}

/* Where a child lands under dir: its mountpoint relative to the root's. */
static char *child_dir(const char *dir, const char *root_ds,
                       const char *root_mp, const char *ds, const char *mp)
{
	size_t rl = strlen(root_mp);
	if (mp[0] == '/' && !strcmp(root_mp, "/"))
		return xasprintf("%s%s", dir, mp);
	if (mp[0] == '/' && !strncmp(mp, root_mp, rl) && mp[rl] == '/')
		return xasprintf("%s%s", dir, mp + rl);
	return xasprintf("%s%s", dir, ds + strlen(root_ds));
}

static void unmount_under(struct be_ctx *c, const char *ds)
{
	struct strv dss, dirs;
	size_t l = strlen(ds);

	/* The mount table lists parents first: undo it backwards. */
	zfs_mounts(&dss, &dirs);
	for (size_t i = dss.n; i-- > 0;)
		if (!strncmp(dss.v[i], ds, l) &&
		    (dss.v[i][l] == 0 || dss.v[i][l] == '/'))
			zfs_unmount_at(c->zh, dirs.v[i]);
	strv_free(&dss);
	strv_free(&dirs);
}

int be_mount(struct be_ctx *c, const char *name, const char *dir, bool readonly,
             char **where)
{
	struct zeit *z = c->zh->z;
	const char *const props[] = {"mountpoint", "canmount", NULL};
	struct zfs_dataset_list l;
	int rc = -1;

	*where = NULL;
	if (be_name_check(z, name) < 0)
		return -1;
	char *ds = be_dataset(c, name);
	char *already = zfs_mounted_at(ds);
	if (already) {
		rc = zeit_fail(z, EBUSY, "%s is already mounted at %s", name,
		               already);
		free(already);
		free(ds);
		return rc;
	}
	if (zfs_list_datasets(c->zh, ds, -1, ZFS_TYPE_FILESYSTEM, props, &l) <
	    0) {
		free(ds);
		return -1;
	}
	char *d = dir ? xstrdup(dir) : xasprintf("%s/%s", BE_MOUNT_BASE, name);
	if (mkdir_p(z, d) < 0)
		goto out;
	for (size_t i = 0; i < l.n; i++) {
		const char *mp = l.v[i].values[0];
		char *at;
		if (i == 0) {
			at = xstrdup(d);
		} else {
			if (!strcmp(mp, "none") || !strcmp(mp, "legacy"))
				continue;
			at = child_dir(d, ds, l.v[0].values[0], l.v[i].name,
			               mp);
			if (mkdir_p(z, at) < 0) {
				free(at);
				unmount_under(c, ds);
				goto out;
			}
		}
		int r = zfs_mount_at(c->zh, l.v[i].name, at, readonly);
		free(at);
		if (r < 0) {
			char msg[sizeof(z->errmsg)];
			snprintf(msg, sizeof(msg), "%s", z->errmsg);
			int err = z->err;
			unmount_under(c, ds);
			zeit_fail(z, err, "%s", msg);
			goto out;
		}
	}
	*where = d;
	d = NULL;
	rc = 0;
out:
	zfs_dataset_list_free(&l);
	free(d);
	free(ds);
	return rc;
}

int be_umount(struct be_ctx *c, const char *name)
{
	struct zeit *z = c->zh->z;

	if (be_name_check(z, name) < 0)
		return -1;
	char *ds = be_dataset(c, name);
	char *at = zfs_mounted_at(ds);
	if (!at) {
		int rc = zeit_fail(z, ENOENT, "%s is not mounted", name);
		free(ds);
		return rc;
	}
	if (!strcmp(at, "/")) {
		free(at);
		free(ds);
		return zeit_fail(z, EBUSY, "%s is the running root", name);
	}
	unmount_under(c, ds);
	char *still = zfs_mounted_at(ds);
	int rc = 0;
	if (still)
		rc = zeit_fail(z, EBUSY, "%s is still mounted at %s (in use?)",
		               name, still);
	else if (str_starts(at, BE_MOUNT_BASE "/"))
		rmdir(at);
	free(still);
	free(at);
	free(ds);
	return rc;
}

/* Binds the host's kernel filesystems into the environment; slave
 * propagation keeps unmounting them inside from reaching the host. */
static int bind_into(struct zeit *z, const char *root, const char *what,
                     struct strv *done)
{
	char *to = xasprintf("%s%s", root, what);
	int rc = 0;
	if (mkdir_p(z, to) < 0 ||
	    mount(what, to, NULL, MS_BIND | MS_REC, NULL) < 0) {
		int e = errno;
		rc = zeit_fail(z, e, "bind %s on %s: %s", what, to,
		               strerror(e));
	} else {
		mount(NULL, to, NULL, MS_SLAVE | MS_REC, NULL);
		strv_push(done, to);
	}
	free(to);
	return rc;
}

int be_chroot(struct be_ctx *c, const char *name, bool readonly,
              const char *const *argv, int *status)
{
	struct zeit *z = c->zh->z;
	static const char *const binds[] = {"/proc", "/sys", "/dev", NULL};
	struct strv bound, cmd;
	char *root = NULL;
	char tmpl[] = "/run/zeit-chroot-XXXXXX";
	int rc = -1;

	*status = -1;
	if (!mkdtemp(tmpl))
		return zeit_fail(z, errno, "mkdtemp: %s", strerror(errno));
	if (be_mount(c, name, tmpl, readonly, &root) < 0) {
		rmdir(tmpl);
		return -1;
	}
	strv_init(&bound);
	strv_init(&cmd);
	for (size_t i = 0; binds[i]; i++)
		if (bind_into(z, root, binds[i], &bound) < 0)
			goto cleanup;
	strv_push(&cmd, "chroot");
	strv_push(&cmd, root);
	if (argv && argv[0]) {
		strv_pushv(&cmd, argv);
	} else {
		const char *sh = getenv("SHELL");
		strv_push(&cmd, sh && *sh ? sh : "/bin/sh");
	}
	/* The terminal's ^C belongs to the command; zeit stays to clean up. */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_quit;
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	struct run_cmd rc_;
	run_cmd_init(&rc_, (const char *const *)cmd.v);
	rc_.flags = RUN_INHERIT_STDIN | RUN_INHERIT_STDOUT | RUN_INHERIT_STDERR;
	int r = run(z, &rc_);
	*status = rc_.status;
	run_cmd_free(&rc_);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	rc = r;
cleanup:
	for (size_t i = bound.n; i-- > 0;)
		if (umount2(bound.v[i], MNT_DETACH) < 0 && rc == 0)
			rc = zeit_fail(z, errno, "umount %s: %s", bound.v[i],
			               strerror(errno));
	{
		char *ds = be_dataset(c, name);
		unmount_under(c, ds);
		char *still = zfs_mounted_at(ds);
		if (still && rc == 0)
			rc = zeit_fail(z, EBUSY,
			               "%s is still mounted at %s (a process "
			               "inside keeps it busy)",
			               name, still);
		free(still);
		free(ds);
	}
	rmdir(tmpl);
	strv_free(&bound);
	strv_free(&cmd);
	free(root);
	return rc;
}
