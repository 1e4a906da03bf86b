/* Copies and removals between untrusted trees (see treecopy.h). */
#include "zeit/treecopy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "zeit/rootfile.h"
#include "zeit/util.h"

/* rel's parent directory and last component; false for the root. */
static bool split(const char *rel, char **parent, char **name)
{
	while (*rel == '/')
		rel++;
	size_t len = strlen(rel);
	while (len && rel[len - 1] == '/')
		len--;
	if (!len)
		return false;
	const char *slash = memrchr(rel, '/', len);
	*parent = slash ? xstrndup(rel, (size_t)(slash - rel)) : xstrdup(".");
	*name = slash ? xstrndup(slash + 1, len - (size_t)(slash - rel) - 1)
	              : xstrndup(rel, len);
	return strcmp(*name, ".") && strcmp(*name, "..");
}

/* A fresh name beside the entry, for building its replacement. */
static void temp_name(char *out, size_t len)
{
	unsigned char r[8] = {0};
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		memset(r, 0x5a, sizeof(r));
	snprintf(out, len, ".zeit-%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1],
	         r[2], r[3], r[4], r[5], r[6], r[7]);
}

static int copy_xattrs(struct zeit *z, int from, int to, const char *what)
{
	ssize_t n = flistxattr(from, NULL, 0);
	if (n < 0)
		return errno == ENOTSUP
		               ? 0
		               : zeit_fail(z, errno,
		                           "cannot list the attributes of "
		                           "%s: %s",
		                           what, strerror(errno));
	if (n == 0)
		return 0;
	char *names = xmalloc((size_t)n);
	n = flistxattr(from, names, (size_t)n);
	int rc = n < 0 ? zeit_fail(z, errno, "cannot list the attributes of %s",
	                           what)
	               : 0;
	for (char *p = names; rc == 0 && p < names + n; p += strlen(p) + 1) {
		ssize_t vl = fgetxattr(from, p, NULL, 0);
		if (vl < 0)
			continue; /* gone meanwhile */
		char *v = xmalloc((size_t)vl + 1);
		vl = fgetxattr(from, p, v, (size_t)vl);
		if (vl >= 0 && fsetxattr(to, p, v, (size_t)vl, 0) < 0 &&
		    errno != ENOTSUP)
			rc = zeit_fail(z, errno,
			               "cannot set the attribute %s of %s: %s",
			               p, what, strerror(errno));
		free(v);
	}
	free(names);
	return rc;
}

/* Owner, then mode (a chown clears set-id bits), then times. */
static int copy_meta_fd(struct zeit *z, int fd, const struct stat *st,
                        const char *what)
{
	struct timespec t[2] = {st->st_atim, st->st_mtim};
	if (fchown(fd, st->st_uid, st->st_gid) < 0 ||
	    fchmod(fd, st->st_mode & 07777) < 0 || futimens(fd, t) < 0)
		return zeit_fail(z, errno,
		                 "cannot set the owner, mode or times "
		                 "of %s: %s",
		                 what, strerror(errno));
	return 0;
}

static int copy_data(struct zeit *z, int in, int out, const char *what)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return zeit_fail(z, errno, "cannot read %s: %s", what,
			                 strerror(errno));
		if (n == 0)
			return 0;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return zeit_fail(z, errno,
				                 "cannot write %s: %s", what,
				                 strerror(errno));
			off += w;
		}
	}
}

static int remove_at(struct zeit *z, int dir, const char *name,
                     const char *what);

/* Removes everything inside the directory open at fd. */
static int empty_dir(struct zeit *z, int fd, const char *what)
{
	int dup_fd = dup(fd);
	DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return zeit_fail(z, errno, "cannot read %s", what);
	}
	struct strv names;
	strv_init(&names);
	strv_push_dir(&names, d);
	closedir(d);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < names.n; i++)
		rc = remove_at(z, fd, names.v[i], what);
	strv_free(&names);
	return rc;
}

static int remove_at(struct zeit *z, int dir, const char *name,
                     const char *what)
{
	struct stat st;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT
		               ? 0
		               : zeit_fail(z, errno, "cannot remove %s: %s",
		                           what, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		int fd =
		        openat(dir, name,
		               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return zeit_fail(z, errno, "cannot remove %s: %s", what,
			                 strerror(errno));
		int rc = empty_dir(z, fd, what);
		close(fd);
		if (rc < 0)
			return -1;
	}
	if (unlinkat(dir, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0 &&
	    errno != ENOENT)
		return zeit_fail(z, errno, "cannot remove %s: %s", what,
		                 strerror(errno));
	return 0;
}

struct copy_ctx {
	struct zeit *z;
	struct tree_copy_opts *o;
	struct buf rel; /* the entry being copied, for messages and each */
};

static int copy_at(struct copy_ctx *c, int sdir, int ddir, const char *name);

/* Puts the fresh entry tmp in place of name (a directory there goes). */
static int replace(struct copy_ctx *c, int ddir, const char *tmp,
                   const char *name, bool dir_there)
{
	if (dir_there && remove_at(c->z, ddir, name, c->rel.data) < 0)
		return -1;
	if (renameat(ddir, tmp, ddir, name) < 0) {
		int e = errno;
		unlinkat(ddir, tmp, 0);
		return zeit_fail(c->z, e, "cannot put %s in place: %s",
		                 c->rel.data, strerror(e));
	}
	return 0;
}

static int copy_file(struct copy_ctx *c, int sdir, int ddir, const char *name,
                     const struct stat *st, bool dir_there)
{
	struct zeit *z = c->z;
	char tmp[32];
	struct stat now;
	int in = openat(sdir, name,
	                O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	                        O_CLOEXEC);
	if (in < 0 || fstat(in, &now) < 0 || !S_ISREG(now.st_mode)) {
		if (in >= 0)
			close(in);
		return zeit_fail(z, EINVAL, "cannot read %s: it changed",
		                 c->rel.data);
	}
	temp_name(tmp, sizeof(tmp));
	int out = openat(ddir, tmp,
	                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	                 0600);
	if (out < 0) {
		close(in);
		return zeit_fail(z, errno, "cannot create beside %s: %s",
		                 c->rel.data, strerror(errno));
	}
	int rc = copy_data(z, in, out, c->rel.data);
	if (rc == 0)
		rc = copy_xattrs(z, in, out, c->rel.data);
	if (rc == 0)
		rc = copy_meta_fd(z, out, st, c->rel.data);
	close(in);
	close(out);
	if (rc == 0)
		return replace(c, ddir, tmp, name, dir_there);
	unlinkat(ddir, tmp, 0);
	return -1;
}

static int copy_dir(struct copy_ctx *c, int sdir, int ddir, const char *name,
                    const struct stat *st, bool exists, bool dir_there)
{
	struct zeit *z = c->z;
	int in = openat(sdir, name,
	                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return zeit_fail(z, errno, "cannot read %s: %s", c->rel.data,
		                 strerror(errno));
	int rc = 0;
	if (exists && !dir_there)
		rc = remove_at(z, ddir, name, c->rel.data);
	if (rc == 0 && !dir_there && mkdirat(ddir, name, 0700) < 0)
		rc = zeit_fail(z, errno, "cannot create %s: %s", c->rel.data,
		               strerror(errno));
	int out = rc < 0 ? -1
	                 : openat(ddir, name,
	                          O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	                                  O_CLOEXEC);
	if (rc == 0 && out < 0)
		rc = zeit_fail(z, errno, "cannot open %s: %s", c->rel.data,
		               strerror(errno));
	int dfd = rc < 0 ? -1 : dup(in);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (rc == 0 && !d)
		rc = zeit_fail(z, errno, "cannot read %s", c->rel.data);
	struct strv names;
	strv_init(&names);
	strv_push_dir(&names, d);
	if (d)
		closedir(d);
	size_t base = c->rel.len;
	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		buf_addf(&c->rel, "/%s", names.v[i]);
		rc = copy_at(c, in, out, names.v[i]);
		c->rel.len = base;
		c->rel.data[base] = '\0';
	}
	strv_free(&names);
	if (rc == 0)
		rc = copy_xattrs(z, in, out, c->rel.data);
	if (rc == 0)
		rc = copy_meta_fd(z, out, st, c->rel.data);
	close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/* A link or a special file: made anew under a temporary name. */
static int copy_node(struct copy_ctx *c, int sdir, int ddir, const char *name,
                     const struct stat *st, bool dir_there)
{
	struct zeit *z = c->z;
	char tmp[32];
	temp_name(tmp, sizeof(tmp));
	if (S_ISLNK(st->st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(sdir, name, target, sizeof(target) - 1);
		if (n < 0)
			return zeit_fail(z, errno,
			                 "cannot read the link %s: %s",
			                 c->rel.data, strerror(errno));
		target[n] = '\0';
		if (symlinkat(target, ddir, tmp) < 0)
			return zeit_fail(z, errno,
			                 "cannot create the link %s: %s",
			                 c->rel.data, strerror(errno));
	} else if (mknodat(ddir, tmp, (st->st_mode & S_IFMT) | 0600,
	                   st->st_rdev) < 0) {
		return zeit_fail(z, errno, "cannot create %s: %s", c->rel.data,
		                 strerror(errno));
	}
	struct timespec t[2] = {st->st_atim, st->st_mtim};
	int rc = 0;
	if (fchownat(ddir, tmp, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) <
	            0 ||
	    (!S_ISLNK(st->st_mode) &&
	     fchmodat(ddir, tmp, st->st_mode & 07777, 0) < 0) ||
	    utimensat(ddir, tmp, t, AT_SYMLINK_NOFOLLOW) < 0)
		rc = zeit_fail(z, errno,
		               "cannot set the owner, mode or times of "
		               "%s: %s",
		               c->rel.data, strerror(errno));
	if (rc == 0)
		return replace(c, ddir, tmp, name, dir_there);
	unlinkat(ddir, tmp, 0);
	return -1;
}

static int copy_at(struct copy_ctx *c, int sdir, int ddir, const char *name)
{
	struct stat st, dst;
	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return zeit_fail(c->z, errno, "cannot read %s: %s", c->rel.data,
		                 strerror(errno));
	if (S_ISSOCK(st.st_mode))
		return 0; /* a socket is a running program's, not a file */
	bool exists = ddir >= 0 &&
	              fstatat(ddir, name, &dst, AT_SYMLINK_NOFOLLOW) == 0;
	bool dir_there = exists && S_ISDIR(dst.st_mode);
	if (c->o->each)
		c->o->each(c->o->arg, c->rel.data, st.st_mode, exists);
	c->o->entries++;
	if (c->o->dry_run) {
		if (!S_ISDIR(st.st_mode))
			return 0;
		/* What is below, too, without changing anything. */
		int in =
		        openat(sdir, name,
		               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int out = dir_there ? openat(ddir, name,
		                             O_RDONLY | O_DIRECTORY |
		                                     O_NOFOLLOW | O_CLOEXEC)
		                    : -1;
		int rc = 0;
		int dfd = in < 0 ? -1 : dup(in);
		DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
		if (!d) {
			if (dfd >= 0)
				close(dfd);
			rc = zeit_fail(c->z, errno, "cannot read %s",
			               c->rel.data);
		}
		struct strv names;
		strv_init(&names);
		strv_push_dir(&names, d);
		if (d)
			closedir(d);
		size_t base = c->rel.len;
		for (size_t i = 0; rc == 0 && i < names.n; i++) {
			buf_addf(&c->rel, "/%s", names.v[i]);
			/* out -1: nothing below is in the destination. */
			rc = copy_at(c, in, out, names.v[i]);
			c->rel.len = base;
			c->rel.data[base] = '\0';
		}
		strv_free(&names);
		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
		return rc;
	}
	if (S_ISREG(st.st_mode))
		return copy_file(c, sdir, ddir, name, &st, dir_there);
	if (S_ISDIR(st.st_mode))
		return copy_dir(c, sdir, ddir, name, &st, exists, dir_there);
	return copy_node(c, sdir, ddir, name, &st, dir_there);
}

int tree_copy(struct zeit *z, int src, const char *src_rel, int dst,
              const char *dst_rel, struct tree_copy_opts *o)
{
	char *sp = NULL, *sn = NULL, *dp = NULL, *dn = NULL;
	int sdir = -1, ddir = -1, rc = -1;
	if (!split(src_rel, &sp, &sn) || !split(dst_rel, &dp, &dn) ||
	    strcmp(sn, dn)) {
		rc = zeit_fail(z, EINVAL, "%s: not a path to copy to %s",
		               src_rel, dst_rel);
		goto out;
	}
	sdir = rootdir_open_beneath(z, src, sp);
	ddir = sdir < 0 ? -1 : rootdir_open_beneath(z, dst, dp);
	if (ddir >= 0) {
		struct copy_ctx c = {z, o, {0}};
		buf_init(&c.rel);
		buf_addf(&c.rel, "%s%s/%s", strcmp(dp, ".") ? "/" : "",
		         strcmp(dp, ".") ? dp : "", dn);
		rc = copy_at(&c, sdir, ddir, sn);
		buf_free(&c.rel);
	}
out:
	if (sdir >= 0)
		close(sdir);
	if (ddir >= 0)
		close(ddir);
	free(sp);
	free(sn);
	free(dp);
	free(dn);
	return rc;
}

int tree_remove(struct zeit *z, int root, const char *rel)
{
	char *parent = NULL, *name = NULL;
	int rc = -1;
	if (!split(rel, &parent, &name)) {
		rc = zeit_fail(z, EINVAL, "%s: not a path to remove", rel);
	} else {
		int dir = rootdir_open_beneath(z, root, parent);
		if (dir >= 0) {
			rc = remove_at(z, dir, name, rel);
			close(dir);
		}
	}
	free(parent);
	free(name);
	return rc;
}

int tree_write_file(struct zeit *z, int root, const char *rel, const void *data,
                    size_t len)
{
	char *parent = NULL, *name = NULL;
	int rc = -1;
	if (!split(rel, &parent, &name)) {
		rc = zeit_fail(z, EINVAL, "%s: not a file", rel);
		goto out;
	}
	int dir = rootdir_open_beneath(z, root, parent);
	if (dir < 0)
		goto out;
	struct stat st;
	int fd = openat(dir, name,
	                O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	                        O_CLOEXEC);
	close(dir);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = zeit_fail(z, fd < 0 ? errno : EINVAL,
		               "cannot write %s: not a regular file", rel);
		if (fd >= 0)
			close(fd);
		goto out;
	}
	rc = ftruncate(fd, 0) < 0 ? zeit_fail(z, errno, "cannot write %s", rel)
	                          : 0;
	for (size_t off = 0; rc == 0 && off < len;) {
		ssize_t w = write(fd, (const char *)data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			rc = zeit_fail(z, errno, "cannot write %s: %s", rel,
			               strerror(errno));
		else
			off += (size_t)w;
	}
	close(fd);
out:
	free(parent);
	free(name);
	return rc;
}
