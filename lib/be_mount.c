/* Mounting a boot environment with its children, and running a command
 * rooted in it with /proc, /sys and /dev bound in; everything is undone on
 * the way out, whatever the command did.
 *
 * The environment's tree is not trusted: a child's mountpoint, or /proc
 * for a bind, may run through a symlink in it (var -> /var/tmp/victim).
 * Each target is resolved inside the root (rootfile.h) and mounted on by
 * fd, so nothing lands on a host path. Mounts are nosuid,nodev: an old
 * environment's setuid binaries and device nodes stay inert. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zeit/be.h"
#include "zeit/rootfile.h"
#include "zeit/tmpmount.h"
#include "zeit/zfs_mount.h"

#define RUN_BASE      "/run/zeit"
#define BE_MOUNT_BASE RUN_BASE "/be"

/* Makes path's directories, each private (0700) when private is set:
 * what is mounted under /run/zeit is nobody else's to look into. */
static int mkdir_p(struct zeit *z, const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	for (char *s = p + 1;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			*s = 0;
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
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

/* The directory rel inside root as an O_PATH fd, making what is missing.
 * Symlinks on the way resolve inside root, never on the host. */
static int dir_in_root(struct zeit *z, int root, const char *rel)
{
	struct buf prefix;
	struct stat st;
	int fd = -1;

	buf_init(&prefix);
	buf_adds(&prefix, "");
	for (const char *p = rel;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		int parent = root_lookup(z, root,
		                         prefix.len ? prefix.data : ".", &st);
		if (parent < 0)
			goto out;
		char *comp = xstrndup(p, n);
		if (mkdirat(parent, comp, 0755) < 0 && errno != EEXIST) {
			zeit_fail(z, errno,
			          "cannot make %s%s%s in the environment: %s",
			          prefix.data, prefix.len ? "/" : "", comp,
			          strerror(errno));
			free(comp);
			close(parent);
			goto out;
		}
		free(comp);
		close(parent);
		if (prefix.len)
			buf_addc(&prefix, '/');
		buf_add(&prefix, p, n);
		p += n;
	}
	fd = root_lookup(z, root, prefix.len ? prefix.data : ".", &st);
	if (fd >= 0 && !S_ISDIR(st.st_mode)) {
		close(fd);
		fd = zeit_fail(z, ENOTDIR,
		               "%s in the environment is not a directory",
		               prefix.data);
	}
out:
	buf_free(&prefix);
	return fd;
}

/* Where a child lands inside the root: its mountpoint relative to the
 * root's, else its name relative to the root dataset's. */
static const char *child_rel(const char *root_ds, const char *root_mp,
                             const char *ds, const char *mp)
{
	size_t rl = strlen(root_mp);
	if (mp[0] == '/' && !strcmp(root_mp, "/"))
		return mp;
	if (mp[0] == '/' && !strncmp(mp, root_mp, rl) && mp[rl] == '/')
		return mp + rl;
	return ds + strlen(root_ds);
}

static void unmount_under(struct be_ctx *c, const char *ds)
{
	struct strv dss, dirs;

	/* The mount table lists parents first: undo it backwards. A
	 * snapshot of the tree mounted somewhere is another's use: left. */
	zfs_mounts(&dss, &dirs);
	for (size_t i = dss.n; i-- > 0;)
		if (zfs_name_under(dss.v[i], ds) && !strchr(dss.v[i], '@'))
			zfs_unmount_at(c->zh, dirs.v[i]);
	strv_free(&dss);
	strv_free(&dirs);
}

/* Mounts the root dataset on d, then each child inside it. */
static int mount_tree(struct be_ctx *c, const struct zfs_dataset_list *l,
                      const char *d, unsigned flags)
{
	struct zeit *z = c->zh->z;
	int dfd = open(d, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return zeit_fail(z, errno, "cannot open %s: %s", d,
		                 strerror(errno));
	int rc = zfs_mount_fd(c->zh, l->v[0].name, dfd, flags);
	close(dfd);
	if (rc < 0)
		return -1;
	int root = root_open(z, d); /* now the mounted root */
	if (root < 0)
		return -1;
	for (size_t i = 1; i < l->n && rc == 0; i++) {
		const char *mp = l->v[i].values[0];
		if (!strcmp(mp, "none") || !strcmp(mp, "legacy"))
			continue;
		const char *rel = child_rel(l->v[0].name, l->v[0].values[0],
		                            l->v[i].name, mp);
		int at = dir_in_root(z, root, rel);
		rc = at < 0 ? -1 : zfs_mount_fd(c->zh, l->v[i].name, at, flags);
		if (at >= 0)
			close(at);
		if (rc < 0)
			zeit_fail_ctx(z, "mounting %s", l->v[i].name);
	}
	close(root);
	return rc;
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
	/* /run/zeit and /run/zeit/be: 0700 even if an older zeit made them
	 * world-readable. */
	if (!dir &&
	    (mkdir_p(z, BE_MOUNT_BASE, 0700) < 0 || chmod(RUN_BASE, 0700) < 0 ||
	     chmod(BE_MOUNT_BASE, 0700) < 0))
		goto out;
	if (mkdir_p(z, d, 0755) < 0)
		goto out;
	unsigned flags = ZFS_MOUNT_NOSUID | (readonly ? ZFS_MOUNT_RDONLY : 0);
	if (l.n == 0) {
		rc = zeit_fail(z, ENOENT, "%s has no filesystem to mount",
		               name);
		goto out;
	}
	if (mount_tree(c, &l, d, flags) < 0) {
		zeit_keep_error(z);
		unmount_under(c, ds);
		zeit_release_error(z);
		goto out;
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

/* Binds the host's kernel filesystem what (a host path: trusted) on its
 * place inside the environment, resolved inside it. The path it ends up
 * at is kept for the unmount. */
static int bind_into(struct zeit *z, int root, const char *what,
                     struct strv *done)
{
	char self[64], path[4096];
	int at = dir_in_root(z, root, what);
	if (at < 0)
		return -1;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", at);
	ssize_t n = readlink(self, path, sizeof(path) - 1);
	int rc = 0;
	if (n <= 0 || mount(what, self, NULL, MS_BIND | MS_REC, NULL) < 0) {
		int e = errno;
		rc = zeit_fail(z, e, "bind %s into the environment: %s", what,
		               strerror(e));
	} else {
		path[n] = '\0';
		strv_push(done, path);
	}
	close(at);
	return rc;
}

int be_chroot(struct be_ctx *c, const char *name, bool readonly,
              const char *const *argv, int *status)
{
	struct zeit *z = c->zh->z;
	static const char *const binds[] = {"/proc", "/sys", "/dev", NULL};
	struct strv bound, cmd;
	char *root = NULL;
	int rc = -1, rootfd = -1;

	*status = -1;
	/* Everything mounted for the command lives in this process's own
	 * namespace (the command runs in it too): however zeit ends, even
	 * by SIGKILL, none of it stays behind on the host. */
	char *dir = tmpmount_mkdir(z);
	if (!dir)
		return -1;
	if (be_mount(c, name, dir, readonly, &root) < 0) {
		rmdir(dir);
		free(dir);
		return -1;
	}
	strv_init(&bound);
	strv_init(&cmd);
	rootfd = root_open(z, root);
	if (rootfd < 0)
		goto cleanup;
	for (size_t i = 0; binds[i]; i++)
		if (bind_into(z, rootfd, binds[i], &bound) < 0)
			goto cleanup;
	strv_push(&cmd, "chroot");
	strv_push(&cmd, root);
	if (argv && argv[0]) {
		strv_pushv(&cmd, argv);
	} else {
		const char *sh = getenv("SHELL");
		strv_push(&cmd, sh && *sh ? sh : "/bin/sh");
	}
	/* The terminal's ^C belongs to the command (run() gives it the
	 * default disposition back); zeit stays to clean up. */
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
	if (rootfd >= 0)
		close(rootfd);
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
	rmdir(dir);
	free(dir);
	strv_free(&bound);
	strv_free(&cmd);
	free(root);
	return rc;
}
