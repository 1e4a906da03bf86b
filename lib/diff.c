/* zeit diff: files through zfs diff, packages and contents through the
 * snapshots' own trees. */
#include "zeit/diff.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zeit/run.h"

static char *dataset_of(const char *name)
{
	return xstrndup(name, strcspn(name, "@"));
}

int diff_check_pair(struct zeit *z, const char *from, const char *to,
                    char **dataset)
{
	*dataset = NULL;
	if (zfs_name_check(z, from, ZFS_NAME_SNAPSHOT) < 0)
		return -1;
	if (to &&
	    zfs_name_check(z, to, ZFS_NAME_SNAPSHOT | ZFS_NAME_DATASET) < 0)
		return -1;
	char *ds = dataset_of(from);
	if (to) {
		char *ds2 = dataset_of(to);
		bool same = !strcmp(ds, ds2);
		free(ds2);
		if (!same) {
			zeit_fail(
			        z, EINVAL,
			        "%s and %s are not of one dataset; zeit diff "
			        "compares a snapshot with a later snapshot of "
			        "the same dataset, or with the dataset",
			        from, to);
			free(ds);
			return -1;
		}
	}
	*dataset = ds;
	return 0;
}

static int check_filesystem(struct zfs *zh, const char *dataset)
{
	static const char *const props[] = {"type", NULL};
	const char *ds[] = {dataset, NULL};
	struct zfs_prop_list pl;

	if (zfs_get_props(zh, ds, 0, props, &pl) < 0)
		return -1;
	const struct zfs_prop *t = zfs_prop_find(&pl, dataset, "type");
	bool volume = t && !strcmp(t->value, "volume");
	zfs_prop_list_free(&pl);
	if (volume)
		return zeit_fail(
		        zh->z, EINVAL,
		        "%s is a volume: zfs diff compares files, and a "
		        "volume holds blocks, not files",
		        dataset);
	return 0;
}

static char *make_tmpdir(struct zeit *z)
{
	const char *base = access("/run", W_OK) == 0 ? "/run" : "/tmp";
	char *dir = xasprintf("%s/zeit-mnt.XXXXXX", base);
	if (!mkdtemp(dir)) {
		zeit_fail(z, errno, "cannot make a directory in %s: %s", base,
		          strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

int diff_root_open(struct zfs *zh, const char *name, struct diff_root *r)
{
	char *ds = dataset_of(name);
	const char *at = strchr(name, '@');

	memset(r, 0, sizeof(*r));
	r->name = xstrdup(name);
	if (check_filesystem(zh, ds) < 0) {
		free(ds);
		return -1;
	}
	char *mnt = zfs_mounted_at(ds);
	free(ds);
	if (mnt) {
		r->path = at ? xasprintf("%s/.zfs/snapshot/%s", mnt, at + 1)
		             : xstrdup(mnt);
		free(mnt);
		/* .zfs/snapshot automounts on access; it can be refused
		 * (snapdir disabled in a jail, say): then mount it here. */
		struct stat st;
		if (stat(r->path, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		free(r->path);
		r->path = NULL;
	}
	r->tmpdir = make_tmpdir(zh->z);
	if (!r->tmpdir)
		return -1;
	if (zfs_mount_at(zh, name, r->tmpdir, true) < 0) {
		rmdir(r->tmpdir);
		free(r->tmpdir);
		r->tmpdir = NULL;
		return -1;
	}
	r->path = xstrdup(r->tmpdir);
	return 0;
}

void diff_root_close(struct zfs *zh, struct diff_root *r)
{
	if (r->tmpdir) {
		struct zeit keep = *zh->z; /* an unmount problem must not hide
		                              the error being reported */
		if (zfs_unmount_at(zh, r->tmpdir) == 0)
			rmdir(r->tmpdir);
		else
			fprintf(stderr, "zeit: %s\n", zeit_error(zh->z));
		*zh->z = keep;
	}
	free(r->tmpdir);
	free(r->path);
	free(r->name);
	memset(r, 0, sizeof(*r));
}

bool diff_path_selected(const char *path, size_t len,
                        const char *const *prefixes)
{
	if (!prefixes || !prefixes[0])
		return true;
	for (size_t i = 0; prefixes[i]; i++) {
		const char *p = prefixes[i];
		while (*p == '/')
			p++;
		size_t pl = strlen(p);
		while (pl && p[pl - 1] == '/')
			pl--;
		const char *q = path;
		size_t ql = len;
		while (ql && *q == '/') {
			q++;
			ql--;
		}
		if (pl == 0)
			return true;
		if (ql >= pl && !memcmp(q, p, pl) && (ql == pl || q[pl] == '/'))
			return true;
	}
	return false;
}

/* Turns path (under mount) into "/rel" or base + "/rel"; false if it is
 * not under mount at all. */
static bool rebase(char **path, size_t *len, const char *mount,
                   const char *base)
{
	size_t ml = strlen(mount);
	while (ml > 1 && mount[ml - 1] == '/')
		ml--;
	if (ml == 1)
		ml = 0; /* mounted at / */
	if (*len < ml || memcmp(*path, mount, ml) != 0 ||
	    (*len > ml && (*path)[ml] != '/'))
		return false;
	const char *rel = *path + ml;
	size_t rl = *len - ml;
	struct buf b;
	buf_init(&b);
	if (base && strcmp(base, "/") != 0)
		buf_adds(&b, base);
	if (rl == 0)
		buf_addc(&b, '/');
	else
		buf_add(&b, rel, rl);
	free(*path);
	*len = b.len;
	*path = buf_detach(&b);
	return true;
}

int diff_files(struct zfs *zh, const struct diff_request *req,
               struct zfs_diff_list *out)
{
	char *ds = NULL, *mnt = NULL, *tmpdir = NULL, *base = NULL;
	int rc = -1;

	out->v = NULL;
	out->n = 0;
	if (diff_check_pair(zh->z, req->from, req->to, &ds) < 0)
		return -1;
	if (check_filesystem(zh, ds) < 0)
		goto out;
	if (req->absolute) {
		static const char *const props[] = {"mountpoint", NULL};
		const char *d[] = {ds, NULL};
		struct zfs_prop_list pl;
		if (zfs_get_props(zh, d, 0, props, &pl) < 0)
			goto out;
		const struct zfs_prop *mp =
		        zfs_prop_find(&pl, ds, "mountpoint");
		if (mp && mp->value[0] == '/')
			base = xstrdup(mp->value);
		zfs_prop_list_free(&pl);
		if (!base) {
			rc = zeit_fail(
			        zh->z, EINVAL,
			        "%s has no mountpoint path (legacy or "
			        "none): --absolute cannot place its files",
			        ds);
			goto out;
		}
	}
	/* zfs diff refuses an unmounted dataset: boot environments are
	 * canmount=noauto, so mount it read-only for the diff. */
	mnt = zfs_mounted_at(ds);
	if (!mnt) {
		tmpdir = make_tmpdir(zh->z);
		if (!tmpdir || zfs_mount_at(zh, ds, tmpdir, true) < 0) {
			if (tmpdir)
				rmdir(tmpdir);
			goto out;
		}
		mnt = xstrdup(tmpdir);
	}
	rc = zfs_diff(zh, req->from, req->to, out);
	if (tmpdir) {
		struct zeit keep = *zh->z;
		if (zfs_unmount_at(zh, tmpdir) == 0)
			rmdir(tmpdir);
		else
			fprintf(stderr, "zeit: %s\n", zeit_error(zh->z));
		*zh->z = keep;
	}
	if (rc < 0)
		goto out;

	size_t w = 0;
	for (size_t i = 0; i < out->n; i++) {
		struct zfs_diff_entry *e = &out->v[i];
		bool ok = rebase(&e->path, &e->path_len, mnt, base);
		if (ok && e->new_path)
			ok = rebase(&e->new_path, &e->new_path_len, mnt, base);
		/* Filter on the dataset-relative form. */
		bool sel =
		        ok &&
		        (diff_path_selected(e->path + (base ? strlen(base) : 0),
		                            e->path_len -
		                                    (base ? strlen(base) : 0),
		                            req->paths) ||
		         (e->new_path &&
		          diff_path_selected(
		                  e->new_path + (base ? strlen(base) : 0),
		                  e->new_path_len - (base ? strlen(base) : 0),
		                  req->paths)));
		if (!sel) {
			free(e->path);
			free(e->new_path);
			continue;
		}
		out->v[w++] = *e;
	}
	out->n = w;
	rc = 0;
out:
	free(tmpdir);
	free(mnt);
	free(base);
	free(ds);
	return rc;
}

int diff_packages(struct zfs *zh, const char *from, const char *to,
                  struct pkg_list *a, struct pkg_list *b,
                  struct pkg_changes *changes)
{
	struct diff_root ra, rb;
	char *ds = NULL;
	int rc = -1;

	pkg_list_init(a);
	pkg_list_init(b);
	changes->v = NULL;
	changes->n = 0;
	if (diff_check_pair(zh->z, from, to, &ds) < 0)
		return -1;
	if (diff_root_open(zh, from, &ra) < 0)
		goto out_ds;
	if (diff_root_open(zh, to ? to : ds, &rb) < 0)
		goto out_a;
	if (pkgdb_read(zh->z, ra.path, a) < 0) {
		zeit_fail_ctx(zh->z, "%s", from);
		goto out_b;
	}
	if (pkgdb_read(zh->z, rb.path, b) < 0) {
		zeit_fail_ctx(zh->z, "%s", to ? to : ds);
		goto out_b;
	}
	rc = pkgdb_diff(zh->z, a, b, changes);
out_b:
	diff_root_close(zh, &rb);
out_a:
	diff_root_close(zh, &ra);
out_ds:
	free(ds);
	return rc;
}

/* True if the first 8 KiB hold a NUL byte, as diff(1) and git decide. */
static bool looks_binary(const char *path)
{
	char tmp[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, tmp, sizeof(tmp));
	close(fd);
	return n > 0 && memchr(tmp, '\0', (size_t)n) != NULL;
}

static long long file_size(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode)
	               ? (long long)st.st_size
	               : -1;
}

static void printable(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\')
			buf_adds(b, "\\\\");
		else if (c < 0x20 || c == 0x7f)
			buf_addf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
}

static int one_file(struct zeit *z, const char *old_path, const char *new_path,
                    const char *rel_old, size_t rlo, const char *rel_new,
                    size_t rln, long long max_bytes, struct buf *out)
{
	struct buf la, lb;
	buf_init(&la);
	buf_init(&lb);
	buf_adds(&la, "a");
	printable(&la, rel_old, rlo);
	buf_adds(&lb, "b");
	printable(&lb, rel_new, rln);
	long long sa = old_path ? file_size(old_path) : 0;
	long long sb = new_path ? file_size(new_path) : 0;
	int rc = 0;

	if (sa > max_bytes || sb > max_bytes) {
		buf_addf(out,
		         "Files %s and %s differ (over %lld bytes; raise the "
		         "limit with --max-size)\n",
		         la.data, lb.data, max_bytes);
	} else if ((old_path && looks_binary(old_path)) ||
	           (new_path && looks_binary(new_path))) {
		buf_addf(out, "Binary files %s and %s differ\n", la.data,
		         lb.data);
	} else {
		const char *argv[] = {"diff",
		                      "-u",
		                      "--label",
		                      la.data,
		                      "--label",
		                      lb.data,
		                      old_path ? old_path : "/dev/null",
		                      new_path ? new_path : "/dev/null",
		                      NULL};
		struct run_cmd c;
		run_cmd_init(&c, argv);
		if (run(z, &c) < 0) {
			rc = -1;
		} else if (c.status > 1) {
			rc = zeit_fail(z, EIO, "diff of %s failed: %s",
			               la.data + 1,
			               c.err.data ? c.err.data : "");
		} else if (c.out.len) {
			buf_add(out, c.out.data, c.out.len);
		}
		run_cmd_free(&c);
	}
	buf_free(&la);
	buf_free(&lb);
	return rc;
}

int diff_contents(struct zfs *zh, const char *from, const char *to,
                  const char *path, long long max_bytes, struct buf *out)
{
	const char *prefixes[] = {path, NULL};
	struct diff_request req = {from, to, prefixes, false};
	struct zfs_diff_list l;
	struct diff_root ra, rb;
	char *ds = NULL;
	int rc = -1;

	if (diff_check_pair(zh->z, from, to, &ds) < 0)
		return -1;
	if (diff_files(zh, &req, &l) < 0)
		goto out_ds;
	if (diff_root_open(zh, from, &ra) < 0)
		goto out_l;
	if (diff_root_open(zh, to ? to : ds, &rb) < 0)
		goto out_a;
	rc = 0;
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		const struct zfs_diff_entry *e = &l.v[i];
		if (e->type != 'F')
			continue;
		const char *np = e->new_path ? e->new_path : e->path;
		size_t npl = e->new_path ? e->new_path_len : e->path_len;
		char *old_full = e->change == '+'
		                         ? NULL
		                         : xasprintf("%s%s", ra.path, e->path);
		char *new_full = e->change == '-'
		                         ? NULL
		                         : xasprintf("%s%s", rb.path, np);
		rc = one_file(zh->z, old_full, new_full, e->path, e->path_len,
		              np, npl, max_bytes, out);
		free(old_full);
		free(new_full);
	}
	diff_root_close(zh, &rb);
out_a:
	diff_root_close(zh, &ra);
out_l:
	zfs_diff_list_free(&l);
out_ds:
	free(ds);
	return rc;
}
