/* Files inside an untrusted root: openat2 confined to the root, regular
 * files only, non-blocking, size-capped (see rootfile.h). */
#include "zeit/rootfile.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* glibc has no openat2 wrapper before 2.38. */
static int openat2_in_root(int root, const char *rel, int flags)
{
	struct open_how how = {
	        .flags = (unsigned long long)(flags | O_CLOEXEC),
	        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	/* "/etc/x" and "etc/x" name the same file: the root is "/". */
	while (*rel == '/')
		rel++;
	if (!*rel)
		rel = ".";
	return (int)syscall(SYS_openat2, root, rel, &how, sizeof(how));
}

int rootdir_open_beneath(struct zeit *z, int root, const char *rel)
{
	struct open_how how = {
	        .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
	        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	                   RESOLVE_NO_MAGICLINKS,
	};
	while (*rel == '/')
		rel++;
	if (!*rel)
		rel = ".";
	int fd = (int)syscall(SYS_openat2, root, rel, &how, sizeof(how));
	if (fd < 0)
		return zeit_fail(z, errno, "cannot open %s: %s", rel,
		                 errno == ELOOP
		                         ? "it goes through a symbolic link"
		                 : errno == EXDEV ? "it leads out of its root"
		                                  : strerror(errno));
	return fd;
}

static const char *kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a regular file";
}

int root_open(struct zeit *z, const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return zeit_fail(z, errno, "cannot open %s: %s", path,
		                 strerror(errno));
	return fd;
}

static int lookup(struct zeit *z, int root, const char *rel, struct stat *st,
                  int flags)
{
	int fd = openat2_in_root(root, rel, O_PATH | flags);
	if (fd < 0) {
		int e = errno;
		if (e == ENOSYS)
			return zeit_fail(
			        z, e,
			        "cannot read %s: this kernel has no "
			        "openat2 (Linux 5.6 or later is needed "
			        "to read inside a snapshot safely)",
			        rel);
		return zeit_fail(z, e, "cannot read %s: %s", rel,
		                 e == EXDEV ? "it leads out of its root"
		                            : strerror(e));
	}
	if (fstat(fd, st) < 0) {
		int e = errno;
		close(fd);
		return zeit_fail(z, e, "cannot read %s: %s", rel, strerror(e));
	}
	return fd;
}

int root_lookup(struct zeit *z, int root, const char *rel, struct stat *st)
{
	return lookup(z, root, rel, st, 0);
}

int root_lookup_nofollow(struct zeit *z, int root, const char *rel,
                         struct stat *st)
{
	return lookup(z, root, rel, st, O_NOFOLLOW);
}

bool root_exists(int root, const char *rel)
{
	int fd = openat2_in_root(root, rel, O_PATH);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Reopens an O_PATH fd for reading: the same inode, so nothing can be
 * swapped in between the check and the open, and a device is never
 * opened at all. Without /proc (an early initramfs) openat2 opens it. */
static int reopen(struct zeit *z, int root, const char *rel, int path_fd,
                  int flags, mode_t want)
{
	char self[64];
	struct stat st;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", path_fd);
	int fd = open(self, flags | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		fd = openat2_in_root(root, rel, flags);
	if (fd < 0)
		return zeit_fail(z, errno, "cannot read %s: %s", rel,
		                 strerror(errno));
	if (fstat(fd, &st) < 0 || (st.st_mode & S_IFMT) != want) {
		close(fd);
		return zeit_fail(z, EINVAL, "cannot read %s: it changed", rel);
	}
	return fd;
}

int rootfile_open(struct zeit *z, int root, const char *rel, struct stat *st)
{
	struct stat tmp;
	struct stat *s = st ? st : &tmp;

	int pfd = root_lookup(z, root, rel, s);
	if (pfd < 0)
		return -1;
	if (!S_ISREG(s->st_mode)) {
		close(pfd);
		return zeit_fail(z, EINVAL,
		                 "cannot read %s: it is %s, not a regular file",
		                 rel, kind(s->st_mode));
	}
	int fd = reopen(z, root, rel, pfd, O_RDONLY | O_NONBLOCK | O_NOCTTY,
	                S_IFREG);
	close(pfd);
	return fd;
}

int rootdir_open(struct zeit *z, int root, const char *rel)
{
	struct stat st;

	int pfd = root_lookup(z, root, rel, &st);
	if (pfd < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		close(pfd);
		return zeit_fail(z, ENOTDIR, "cannot read %s: it is %s", rel,
		                 kind(st.st_mode));
	}
	int fd = reopen(z, root, rel, pfd, O_RDONLY | O_DIRECTORY, S_IFDIR);
	close(pfd);
	return fd;
}

int rootfile_read_fd(struct zeit *z, int fd, const char *what, size_t max,
                     struct buf *out)
{
	char tmp[65536];
	ssize_t n;

	buf_reset(out);
	buf_add(out, "", 0); /* a string even when the file is empty */
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return zeit_fail(z, errno, "cannot read %s: %s", what,
			                 strerror(errno));
		}
		if ((size_t)n > max - out->len)
			return zeit_fail(
			        z, EFBIG,
			        "cannot read %s: larger than %zu bytes", what,
			        max);
		buf_add(out, tmp, (size_t)n);
	}
	return 0;
}

int rootfile_read(struct zeit *z, int root, const char *rel, size_t max,
                  struct buf *out)
{
	struct stat st;

	int fd = rootfile_open(z, root, rel, &st);
	if (fd < 0)
		return -1;
	int rc = 0;
	if ((unsigned long long)st.st_size > max)
		rc = zeit_fail(z, EFBIG,
		               "cannot read %s: larger than %zu bytes", rel,
		               max);
	else
		rc = rootfile_read_fd(z, fd, rel, max, out);
	close(fd);
	return rc;
}

char *rootfile_read_host(struct zeit *z, const char *path, size_t max,
                         size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		zeit_fail(z, errno, "%s", strerror(errno));
		return NULL;
	}
	struct buf b;
	buf_init(&b);
	int rc = rootfile_read_fd(z, fd, path, max, &b);
	close(fd);
	if (rc < 0) {
		buf_free(&b);
		return NULL;
	}
	if (len)
		*len = b.len;
	return buf_detach(&b);
}
