/* zeit log: one path through a dataset's snapshots (see filelog.h). Each
 * snapshot's tree is read inside it (rootfile.h) through the dataset's
 * .zfs/snapshot directory; an unmounted dataset (a boot environment) is
 * mounted read-only in this process's namespace for that. */
#include "zeit/filelog.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zeit/rootfile.h"
#include "zeit/textdiff.h"
#include "zeit/tmpmount.h"

/* Contents compared or shown are read whole up to this size. */
#define FILELOG_MAX_READ (64u << 20)

struct filelog_source {
	char *dataset;
	struct tmpmount tm; /* when zeit mounted the dataset */
	int snapdir;        /* its .zfs/snapshot, or -1 */
};

const char *filelog_kind_name(enum filelog_kind k)
{
	switch (k) {
	case FILELOG_ABSENT: return "absent";
	case FILELOG_FILE: return "file";
	case FILELOG_DIR: return "directory";
	case FILELOG_LINK: return "symlink";
	case FILELOG_OTHER: return "special";
	}
	return "?";
}

static int source_open(struct zfs *zh, const char *ds, struct filelog_source *s)
{
	memset(s, 0, sizeof(*s));
	s->dataset = xstrdup(ds);
	s->tm.fd = -1;
	s->snapdir = -1;
	char *mnt = zfs_mounted_at(ds);
	if (!mnt) {
		if (tmpmount_open(zh, ds, &s->tm) < 0)
			return -1;
		mnt = xstrdup(s->tm.dir);
	}
	/* .zfs/snapshot automounts through a helper in the host's mount
	 * namespace, which cannot see a mount of this process: then, and
	 * where .zfs is refused, each snapshot is mounted on its own. */
	if (s->tm.dir) {
		free(mnt);
		return 0;
	}
	char *p = xasprintf("%s/.zfs/snapshot", mnt);
	s->snapdir = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(p);
	free(mnt);
	return 0;
}

static void source_close(struct filelog_source *s)
{
	if (s->snapdir >= 0)
		close(s->snapdir);
	tmpmount_close(&s->tm);
	free(s->dataset);
}

/* The root of snapshot i, as a directory fd; *tm is set when it had to
 * be mounted (close it with root_close). */
static int root_of(struct zfs *zh, const struct filelog *l, size_t i,
                   struct tmpmount *tm)
{
	const struct filelog_source *s = &l->src[l->src_of[i]];
	const char *full = l->snaps.v[i];
	const char *shortname = strchr(full, '@') + 1;

	tm->dir = NULL;
	tm->fd = -1;
	if (s->snapdir >= 0) {
		struct stat a, b;
		int fd =
		        openat(s->snapdir, shortname,
		               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		/* Mounted on access: a device of its own, else the empty
		 * directory an automount that failed leaves. */
		if (fd >= 0 && fstat(fd, &a) == 0 &&
		    fstat(s->snapdir, &b) == 0 && a.st_dev != b.st_dev)
			return fd;
		if (fd >= 0)
			close(fd);
	}
	if (tmpmount_open(zh, full, tm) < 0)
		return -1;
	return tm->fd;
}

static void root_close(int fd, struct tmpmount *tm)
{
	if (fd >= 0 && fd != tm->fd)
		close(fd);
	tmpmount_close(tm);
}

static enum filelog_kind kind_of(mode_t m)
{
	if (S_ISREG(m))
		return FILELOG_FILE;
	if (S_ISDIR(m))
		return FILELOG_DIR;
	if (S_ISLNK(m))
		return FILELOG_LINK;
	return FILELOG_OTHER;
}

/* What is at the path in snapshot i (the link itself, not its target). */
static int look(struct zfs *zh, struct filelog *l, size_t i,
                enum filelog_kind *k, struct stat *st)
{
	struct tmpmount tm;
	int root = root_of(zh, l, i, &tm);
	if (root < 0)
		return zeit_fail_ctx(zh->z, "%s", l->snaps.v[i]);
	l->stats++;
	int fd = root_lookup_nofollow(zh->z, root, l->path, st);
	int rc = 0;
	if (fd >= 0) {
		*k = kind_of(st->st_mode);
		close(fd);
	} else if (zh->z->err == ENOENT || zh->z->err == ENOTDIR) {
		zeit_clear_error(zh->z);
		*k = FILELOG_ABSENT;
		memset(st, 0, sizeof(*st));
	} else {
		rc = zeit_fail_ctx(zh->z, "%s", l->snaps.v[i]);
	}
	root_close(root, &tm);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's content for comparing and showing: its sorted names, one
 * a line (escaped by whoever prints them). */
static int read_dir(struct zeit *z, int root, const char *rel, struct buf *out)
{
	int fd = rootdir_open(z, root, rel);
	if (fd < 0)
		return -1;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return zeit_fail(z, errno, "cannot read %s", rel);
	}
	struct strv names;
	strv_init(&names);
	strv_push_dir(&names, d);
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), cmp_names);
	buf_reset(out);
	buf_add(out, "", 0);
	for (size_t i = 0; i < names.n; i++)
		buf_addf(out, "%s\n", names.v[i]);
	strv_free(&names);
	return 0;
}

/* The content of the path in snapshot i: a file's bytes, a link's target,
 * a directory's names; nothing for what is absent or special. */
static int content(struct zfs *zh, struct filelog *l, size_t i,
                   enum filelog_kind k, struct buf *out)
{
	struct zeit *z = zh->z;
	struct tmpmount tm;
	struct stat st;
	int rc = 0;

	buf_reset(out);
	buf_add(out, "", 0);
	if (k == FILELOG_ABSENT || k == FILELOG_OTHER)
		return 0;
	int root = root_of(zh, l, i, &tm);
	if (root < 0)
		return zeit_fail_ctx(z, "%s", l->snaps.v[i]);
	l->reads++;
	if (k == FILELOG_FILE) {
		rc = rootfile_read(z, root, l->path, FILELOG_MAX_READ, out);
	} else if (k == FILELOG_DIR) {
		rc = read_dir(z, root, l->path, out);
	} else {
		int fd = root_lookup_nofollow(z, root, l->path, &st);
		char target[4096];
		ssize_t n = fd < 0 ? -1
		                   : readlinkat(fd, "", target, sizeof(target));
		if (fd >= 0 && n < 0)
			rc = zeit_fail(z, errno, "cannot read the link %s",
			               l->path);
		else if (fd < 0)
			rc = -1;
		else
			buf_add(out, target, (size_t)n);
		if (fd >= 0)
			close(fd);
	}
	root_close(root, &tm);
	if (rc < 0)
		zeit_fail_ctx(z, "%s", l->snaps.v[i]);
	return rc;
}

static bool same_times(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Whether the path holds the same in snapshots i and j, reading contents
 * only when the metadata cannot tell. */
static int same(struct zfs *zh, struct filelog *l, size_t i,
                enum filelog_kind ki, const struct stat *si, size_t j,
                enum filelog_kind kj, const struct stat *sj, bool *yes)
{
	*yes = false;
	if (ki != kj)
		return 0;
	if (ki == FILELOG_ABSENT) {
		*yes = true;
		return 0;
	}
	/* Unchanged: a snapshot keeps the inode and its change time, which
	 * every write moves and nobody can set back. */
	if (si->st_ino == sj->st_ino &&
	    same_times(&si->st_ctim, &sj->st_ctim) &&
	    si->st_size == sj->st_size &&
	    same_times(&si->st_mtim, &sj->st_mtim)) {
		*yes = true;
		return 0;
	}
	if (ki == FILELOG_OTHER) {
		*yes = (si->st_mode & S_IFMT) == (sj->st_mode & S_IFMT) &&
		       si->st_rdev == sj->st_rdev;
		return 0;
	}
	if (ki != FILELOG_DIR && si->st_size != sj->st_size)
		return 0;
	struct buf a, b;
	buf_init(&a);
	buf_init(&b);
	int rc = content(zh, l, i, ki, &a);
	if (rc == 0)
		rc = content(zh, l, j, kj, &b);
	if (rc == 0)
		*yes = a.len == b.len && !memcmp(a.data, b.data, a.len);
	buf_free(&a);
	buf_free(&b);
	return rc;
}

static void add_run(struct filelog_version *v, size_t i)
{
	if (v->nruns && v->runs[v->nruns - 1][1] + 1 == i) {
		v->runs[v->nruns - 1][1] = i;
	} else {
		v->runs = xrealloc(v->runs, (v->nruns + 1) * sizeof(*v->runs));
		v->runs[v->nruns][0] = v->runs[v->nruns][1] = i;
		v->nruns++;
	}
	v->count++;
}

/* The version snapshot i starts (its predecessor differs): an earlier one
 * when the content is that one's again (deleted and recreated, or put
 * back), else a new one. */
static int place(struct zfs *zh, struct filelog *l, size_t i,
                 enum filelog_kind k, const struct stat *st, int *next_id)
{
	for (size_t v = 0; v < l->n; v++) {
		struct filelog_version *fv = &l->v[v];
		bool eq = false;
		if (fv->kind != k || (k != FILELOG_ABSENT && k != FILELOG_DIR &&
		                      fv->st.st_size != st->st_size))
			continue;
		size_t first = fv->runs[0][0];
		if (same(zh, l, first, fv->kind, &fv->st, i, k, st, &eq) < 0)
			return -1;
		if (eq) {
			l->version[i] = v;
			add_run(fv, i);
			return 0;
		}
	}
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	struct filelog_version *fv = &l->v[l->n];
	memset(fv, 0, sizeof(*fv));
	fv->kind = k;
	fv->st = *st;
	fv->id = k == FILELOG_ABSENT ? 0 : (*next_id)++;
	add_run(fv, i);
	l->version[i] = l->n++;
	return 0;
}

/* The snapshots to walk: the dataset's, and the replica's that the
 * dataset no longer has (a replica keeps longer), each read where it is;
 * a snapshot both have (one guid) is read from the dataset. In creation
 * order: the replica's order, with the dataset's own inserted after the
 * last snapshot both have that precedes them. */
static int walk_list(struct zfs *zh, const struct filelog_request *r,
                     struct filelog *l)
{
	struct zfs_snap_list a = {0}, b = {0};

	if (zfs_list_snapshots(zh, r->dataset, 0, &a) < 0)
		return -1;
	if (r->replica && zfs_list_snapshots(zh, r->replica, 0, &b) < 0) {
		zfs_snap_list_free(&a);
		return -1;
	}
	size_t cap = a.n + b.n + 1;
	l->src_of = xcalloc(cap, sizeof(*l->src_of));
	l->version = xcalloc(cap, sizeof(*l->version));
	if (!r->replica) {
		for (size_t i = 0; i < a.n; i++)
			if (!a.v[i].bookmark)
				strv_push(&l->snaps, a.v[i].name);
	} else {
		/* For each replica snapshot: the dataset's index of the
		 * same guid, or -1. */
		size_t ai = 0;
		for (size_t j = 0; j <= b.n; j++) {
			long in_a = -1;
			for (size_t k = 0; j < b.n && k < a.n; k++)
				if (a.v[k].guid == b.v[j].guid)
					in_a = (long)k;
			/* The dataset's own before this common one. */
			if (in_a >= 0 || j == b.n) {
				size_t upto = j == b.n ? a.n : (size_t)in_a;
				for (; ai < upto; ai++) {
					bool common = false;
					for (size_t k = 0; k < b.n; k++)
						common |= b.v[k].guid ==
						          a.v[ai].guid;
					if (!common && !a.v[ai].bookmark) {
						l->src_of[l->snaps.n] = 0;
						strv_push(&l->snaps,
						          a.v[ai].name);
					}
				}
			}
			if (j == b.n || b.v[j].bookmark)
				continue;
			if (in_a >= 0) {
				l->src_of[l->snaps.n] = 0;
				strv_push(&l->snaps, a.v[in_a].name);
				ai = (size_t)in_a + 1;
			} else {
				l->src_of[l->snaps.n] = 1;
				strv_push(&l->snaps, b.v[j].name);
			}
		}
	}
	zfs_snap_list_free(&a);
	zfs_snap_list_free(&b);
	return 0;
}

int filelog_build(struct zfs *zh, const struct filelog_request *r,
                  struct filelog *out)
{
	struct zeit *z = zh->z;
	int next_id = 1;

	memset(out, 0, sizeof(*out));
	strv_init(&out->snaps);
	if (zfs_name_check(z, r->dataset, ZFS_NAME_DATASET) < 0 ||
	    (r->replica && zfs_name_check(z, r->replica, ZFS_NAME_DATASET) < 0))
		return -1;
	out->path = r->path[0] == '/' ? xstrdup(r->path)
	                              : xasprintf("/%s", r->path);
	out->src = xcalloc(2, sizeof(*out->src));
	if (walk_list(zh, r, out) < 0)
		return -1;
	if (source_open(zh, r->dataset, &out->src[out->nsrc++]) < 0)
		return zeit_fail_ctx(z, "%s", r->dataset);
	if (r->replica &&
	    source_open(zh, r->replica, &out->src[out->nsrc++]) < 0)
		return zeit_fail_ctx(z, "%s", r->replica);
	enum filelog_kind pk = FILELOG_ABSENT;
	struct stat ps;
	memset(&ps, 0, sizeof(ps));
	for (size_t i = 0; i < out->snaps.n; i++) {
		enum filelog_kind k = FILELOG_ABSENT;
		struct stat st;
		bool eq = false;
		if (look(zh, out, i, &k, &st) < 0)
			return -1;
		if (i && same(zh, out, i - 1, pk, &ps, i, k, &st, &eq) < 0)
			return -1;
		if (eq) {
			out->version[i] = out->version[i - 1];
			add_run(&out->v[out->version[i]], i);
		} else if (place(zh, out, i, k, &st, &next_id) < 0) {
			return -1;
		}
		pk = k;
		ps = st;
	}
	return 0;
}

void filelog_free(struct filelog *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].runs);
	free(l->v);
	for (size_t i = 0; i < l->nsrc; i++)
		source_close(&l->src[i]);
	free(l->src);
	free(l->src_of);
	free(l->version);
	free(l->path);
	strv_free(&l->snaps);
	memset(l, 0, sizeof(*l));
}

int filelog_diff(struct zfs *zh, struct filelog *l, size_t a, size_t b,
                 diff_emit emit, void *arg)
{
	const struct filelog_version *va = &l->v[a], *vb = &l->v[b];
	struct buf ta, tb, out;
	int rc;

	buf_init(&ta);
	buf_init(&tb);
	buf_init(&out);
	char *la = xasprintf("%s@%s", l->path,
	                     strchr(l->snaps.v[va->runs[0][0]], '@') + 1);
	char *lb = xasprintf("%s@%s", l->path,
	                     strchr(l->snaps.v[vb->runs[0][0]], '@') + 1);
	rc = content(zh, l, va->runs[0][0], va->kind, &ta);
	if (rc == 0)
		rc = content(zh, l, vb->runs[0][0], vb->kind, &tb);
	if (rc == 0 && (textdiff_binary(ta.data, ta.len) ||
	                textdiff_binary(tb.data, tb.len)))
		buf_addf(&out, "Binary files %s and %s differ\n", la, lb);
	else if (rc == 0) {
		struct buf note;
		buf_init(&note);
		if (va->kind != vb->kind)
			buf_addf(&note, "%s: %s -> %s\n", l->path,
			         filelog_kind_name(va->kind),
			         filelog_kind_name(vb->kind));
		rc = textdiff_unified(zh->z, ta.data, ta.len, tb.data, tb.len,
		                      la, lb, &out);
		if (note.len) {
			buf_add(&note, out.data, out.len);
			buf_reset(&out);
			buf_add(&out, note.data, note.len);
		}
		buf_free(&note);
	}
	if (rc == 0 && out.len && emit(arg, out.data, out.len) != 0)
		rc = zeit_fail(zh->z, EIO, "cannot write the diff");
	free(la);
	free(lb);
	buf_free(&ta);
	buf_free(&tb);
	buf_free(&out);
	return rc;
}

int filelog_resolve(struct zeit *z, const char *abspath, char **dataset,
                    char **rel)
{
	*dataset = *rel = NULL;
	if (abspath[0] != '/')
		return zeit_fail(z, EINVAL,
		                 "%s: name the dataset, or give an absolute "
		                 "path on a mounted one",
		                 abspath);
	char *p = xstrdup(abspath);
	size_t len = strlen(p);
	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	/* The deepest ZFS mount holding the path (which may be gone now). */
	for (size_t cut = len;;) {
		char save = p[cut];
		p[cut] = '\0';
		char *ds = zfs_dataset_at(cut ? p : "/");
		p[cut] = save;
		if (ds) {
			*dataset = ds;
			*rel = xstrdup(cut < len ? p + cut : "/");
			free(p);
			return 0;
		}
		if (!cut)
			break;
		while (cut > 0 && p[cut - 1] != '/')
			cut--;
		if (cut > 0)
			cut--; /* the slash itself */
	}
	free(p);
	return zeit_fail(z, ENOENT, "%s is on no mounted ZFS dataset", abspath);
}
