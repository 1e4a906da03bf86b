/* zeit diff: files through zfs diff, packages and contents through the
 * snapshots' own trees. */
#include "zeit/diff.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zeit/rootfile.h"
#include "zeit/run.h"
#include "zeit/tmpmount.h"

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

/* The tree of name: its mount's own fd where it is mounted (a snapshot
 * through .zfs/snapshot), else a temporary mount of this process. */
int diff_root_open(struct zfs *zh, const char *name, struct diff_root *r)
{
	char *ds = dataset_of(name);
	const char *at = strchr(name, '@');

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->tm.fd = -1;
	r->name = xstrdup(name);
	if (check_filesystem(zh, ds) < 0) {
		free(ds);
		return -1;
	}
	char *mnt = zfs_mounted_at(ds);
	free(ds);
	if (mnt) {
		char *path = at ? xasprintf("%s/.zfs/snapshot/%s", mnt, at + 1)
		                : xstrdup(mnt);
		free(mnt);
		/* .zfs/snapshot automounts on access; it can be refused
		 * (snapdir disabled in a jail, say): then mount it here. */
		r->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(path);
		if (r->fd >= 0)
			return 0;
	}
	if (tmpmount_open(zh, name, &r->tm) < 0)
		return -1;
	r->fd = r->tm.fd;
	return 0;
}

void diff_root_close(struct diff_root *r)
{
	if (r->fd >= 0 && r->fd != r->tm.fd)
		close(r->fd);
	tmpmount_close(&r->tm);
	free(r->name);
	memset(r, 0, sizeof(*r));
	r->fd = r->tm.fd = -1;
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

/* --absolute: the dataset's mountpoint path (malloc'd), under which its
 * files are shown; NULL (with the reason) when it has none. */
static char *absolute_base(struct zfs *zh, const char *ds)
{
	static const char *const props[] = {"mountpoint", NULL};
	const char *d[] = {ds, NULL};
	struct zfs_prop_list pl;
	char *base = NULL;
	if (zfs_get_props(zh, d, 0, props, &pl) < 0)
		return NULL;
	const struct zfs_prop *mp = zfs_prop_find(&pl, ds, "mountpoint");
	if (mp && mp->value[0] == '/')
		base = xstrdup(mp->value);
	zfs_prop_list_free(&pl);
	if (!base)
		zeit_fail(zh->z, EINVAL,
		          "%s has no mountpoint path (legacy or none): "
		          "--absolute cannot place its files",
		          ds);
	return base;
}

/* The entries as paths inside the dataset (or under base), and of those
 * only the ones under the PATHs asked for. */
static void keep_selected(struct zfs_diff_list *out, const char *mnt,
                          const char *base, const char *const *paths)
{
	size_t bl = base ? strlen(base) : 0;
	size_t w = 0;
	for (size_t i = 0; i < out->n; i++) {
		struct zfs_diff_entry *e = &out->v[i];
		bool ok = rebase(&e->path, &e->path_len, mnt, base);
		if (ok && e->new_path)
			ok = rebase(&e->new_path, &e->new_path_len, mnt, base);
		/* Filter on the dataset-relative form. */
		bool sel = ok &&
		           (diff_path_selected(e->path + bl, e->path_len - bl,
		                               paths) ||
		            (e->new_path &&
		             diff_path_selected(e->new_path + bl,
		                                e->new_path_len - bl, paths)));
		if (!sel) {
			free(e->path);
			free(e->new_path);
			continue;
		}
		out->v[w++] = *e;
	}
	out->n = w;
}

int diff_files(struct zfs *zh, const struct diff_request *req,
               struct zfs_diff_list *out)
{
	char *ds = NULL, *mnt = NULL, *base = NULL;
	struct tmpmount tm = {NULL, -1};
	int rc = -1;

	out->v = NULL;
	out->n = 0;
	if (diff_check_pair(zh->z, req->from, req->to, &ds) < 0)
		return -1;
	if (check_filesystem(zh, ds) < 0)
		goto out;
	if (req->absolute && !(base = absolute_base(zh, ds)))
		goto out;
	/* zfs diff refuses an unmounted dataset: boot environments are
	 * canmount=noauto, so mount it read-only for the diff. */
	mnt = zfs_mounted_at(ds);
	if (!mnt) {
		if (tmpmount_open(zh, ds, &tm) < 0)
			goto out;
		mnt = xstrdup(tm.dir);
	}
	rc = zfs_diff(zh, req->from, req->to, out);
	tmpmount_close(&tm);
	if (rc == 0)
		keep_selected(out, mnt, base, req->paths);
out:
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
	if (pkgdb_read(zh->z, ra.fd, from, a) < 0) {
		zeit_fail_ctx(zh->z, "%s", from);
		goto out_b;
	}
	if (pkgdb_read(zh->z, rb.fd, to ? to : ds, b) < 0) {
		zeit_fail_ctx(zh->z, "%s", to ? to : ds);
		goto out_b;
	}
	rc = pkgdb_diff(zh->z, a, b, changes);
out_b:
	diff_root_close(&rb);
out_a:
	diff_root_close(&ra);
out_ds:
	free(ds);
	return rc;
}

bool diff_parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v = 0, unit = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (ULLONG_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (*p == 'k' || *p == 'K')
		unit = 1024, p++;
	else if (*p == 'M')
		unit = 1024 * 1024, p++;
	else if (*p == 'G')
		unit = 1024 * 1024 * 1024, p++;
	if (*p || v == 0 || v > ULLONG_MAX / unit)
		return false;
	*out = v * unit;
	return true;
}

/* True if the first 8 KiB hold a NUL byte, as diff(1) and git decide. */
static bool looks_binary(int fd)
{
	char tmp[8192];
	ssize_t n = pread(fd, tmp, sizeof(tmp), 0);
	return n > 0 && memchr(tmp, '\0', (size_t)n) != NULL;
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

/* One side of a content diff: the file opened inside its root, or none
 * (created or removed). */
struct side {
	int fd;
	unsigned long long size;
	char arg[32]; /* what diff(1) opens: /dev/fd/N or /dev/null */
};

static int side_open(struct zeit *z, int root, const char *rel, struct side *s)
{
	struct stat st;

	s->fd = -1;
	s->size = 0;
	snprintf(s->arg, sizeof(s->arg), "/dev/null");
	if (!rel)
		return 0;
	s->fd = rootfile_open(z, root, rel, &st);
	if (s->fd < 0)
		return -1;
	s->size = (unsigned long long)st.st_size;
	snprintf(s->arg, sizeof(s->arg), "/dev/fd/%d", s->fd);
	return 0;
}

/* diff(1) gets the two files as the fds zeit opened inside the roots,
 * never as paths it would resolve itself: only for that run are they
 * inherited (zeit runs no other child meanwhile). */
static void inherit(const struct side *s, bool on)
{
	if (s->fd >= 0)
		fcntl(s->fd, F_SETFD, on ? 0 : FD_CLOEXEC);
}

static int emit_text(struct zeit *z, diff_emit emit, void *arg,
                     const char *text, size_t len)
{
	if (emit(arg, text, len) == 0)
		return 0;
	return zeit_fail(z, EIO, "cannot write the diff: %s", strerror(errno));
}

static int run_diff(struct zeit *z, const struct side *a, const struct side *b,
                    const char *la, const char *lb, diff_emit emit, void *arg)
{
	const char *argv[] = {"diff", "-u",   "--label", la,  "--label",
	                      lb,     a->arg, b->arg,    NULL};
	struct run_cmd c;
	int rc = 0;

	run_cmd_init(&c, argv);
	inherit(a, true);
	inherit(b, true);
	int r = run(z, &c);
	inherit(a, false);
	inherit(b, false);
	if (r < 0)
		rc = -1;
	else if (c.status > 1)
		rc = zeit_fail(z, EIO, "diff of %s failed: %s", la + 1,
		               c.err.data ? c.err.data : "");
	else if (c.out.len)
		rc = emit_text(z, emit, arg, c.out.data, c.out.len);
	run_cmd_free(&c);
	return rc;
}

static int one_file(struct zeit *z, const struct diff_root *ra,
                    const struct diff_root *rb, const char *rel_old, size_t rlo,
                    const char *rel_new, size_t rln,
                    unsigned long long max_bytes, diff_emit emit, void *arg)
{
	struct side a, b;
	struct buf la, lb, msg;
	int rc = -1;

	buf_init(&la);
	buf_init(&lb);
	buf_init(&msg);
	buf_adds(&la, "a");
	printable(&la, rel_old ? rel_old : rel_new, rel_old ? rlo : rln);
	buf_adds(&lb, "b");
	printable(&lb, rel_new ? rel_new : rel_old, rel_new ? rln : rlo);
	b.fd = -1;
	if (side_open(z, ra->fd, rel_old, &a) < 0 ||
	    side_open(z, rb->fd, rel_new, &b) < 0) {
		zeit_fail_ctx(z, "%s",
		              rel_old && a.fd < 0 ? ra->name : rb->name);
		goto out;
	}
	if (a.size > max_bytes || b.size > max_bytes) {
		buf_addf(&msg,
		         "Files %s and %s differ (over %llu bytes; raise the "
		         "limit with --max-size)\n",
		         la.data, lb.data, max_bytes);
		rc = emit_text(z, emit, arg, msg.data, msg.len);
	} else if ((a.fd >= 0 && looks_binary(a.fd)) ||
	           (b.fd >= 0 && looks_binary(b.fd))) {
		buf_addf(&msg, "Binary files %s and %s differ\n", la.data,
		         lb.data);
		rc = emit_text(z, emit, arg, msg.data, msg.len);
	} else {
		rc = run_diff(z, &a, &b, la.data, lb.data, emit, arg);
	}
out:
	if (a.fd >= 0)
		close(a.fd);
	if (b.fd >= 0)
		close(b.fd);
	buf_free(&la);
	buf_free(&lb);
	buf_free(&msg);
	return rc;
}

int diff_contents(struct zfs *zh, const struct diff_content_request *req,
                  diff_emit emit, void *arg)
{
	const char *prefixes[] = {req->path, NULL};
	struct diff_request dr = {req->from, req->to, prefixes, false};
	struct zfs_diff_list l;
	struct diff_root ra, rb;
	char *ds = NULL;
	int rc = -1;

	if (diff_check_pair(zh->z, req->from, req->to, &ds) < 0)
		return -1;
	if (diff_files(zh, &dr, &l) < 0)
		goto out_ds;
	if (diff_root_open(zh, req->from, &ra) < 0)
		goto out_l;
	if (diff_root_open(zh, req->to ? req->to : ds, &rb) < 0)
		goto out_a;
	rc = 0;
	/* Each file's diff goes out as soon as it is made: a large tree
	 * never sits in memory whole. */
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		const struct zfs_diff_entry *e = &l.v[i];
		if (e->type != 'F')
			continue;
		const char *np = e->new_path ? e->new_path : e->path;
		size_t npl = e->new_path ? e->new_path_len : e->path_len;
		rc = one_file(zh->z, &ra, &rb,
		              e->change == '+' ? NULL : e->path, e->path_len,
		              e->change == '-' ? NULL : np, npl, req->max_bytes,
		              emit, arg);
	}
	diff_root_close(&rb);
out_a:
	diff_root_close(&ra);
out_l:
	zfs_diff_list_free(&l);
out_ds:
	free(ds);
	return rc;
}
