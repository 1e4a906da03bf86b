/* zeit bisect isolate (see isolate.h): the changes from zfs diff, their
 * hunks from libgit2, subsets applied onto a fresh clone per test, ddmin
 * at three granularities. */
#include "zeit/isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolate_priv.h"
#include "zeit/bisect.h"
#include "zeit/ddmin.h"
#include "zeit/diff.h"
#include "zeit/rootfile.h"
#include "zeit/run.h"
#include "zeit/tmpmount.h"
#include "zeit/treecopy.h"

/* Text files up to this size are split into hunks; larger ones are one
 * change. */
#define ISOLATE_MAX_TEXT (16u << 20)

const char *isolate_kind_name(enum isolate_kind k)
{
	switch (k) {
	case ISOLATE_HUNKS: return "modified";
	case ISOLATE_REPLACE: return "replaced";
	case ISOLATE_CREATE: return "created";
	case ISOLATE_REMOVE: return "removed";
	case ISOLATE_RENAME: return "renamed";
	}
	return "?";
}

/* ---- The changes ---- */

/* Whether an ancestor of path is in l with the same change (a created or
 * removed tree is one change). */
static bool under_same(const struct zfs_diff_list *l, const char *path,
                       char change)
{
	size_t pl = strlen(path);
	for (size_t i = 0; i < l->n; i++) {
		const struct zfs_diff_entry *e = &l->v[i];
		if (e->change != change || e->type != '/' || e->path_len >= pl)
			continue;
		if (!memcmp(e->path, path, e->path_len) &&
		    path[e->path_len] == '/')
			return true;
	}
	return false;
}

/* A modified regular file: its hunks when both sides are text and the
 * hunks give the new text back; else the whole file. */
static void split_text(struct zeit *z, int good, int bad,
                       struct isolate_change *c)
{
	struct buf b, check;
	buf_init(&b);
	buf_init(&check);
	c->kind = ISOLATE_REPLACE;
	if (rootfile_read(z, good, c->path, ISOLATE_MAX_TEXT, &c->good) < 0 ||
	    rootfile_read(z, bad, c->path, ISOLATE_MAX_TEXT, &b) < 0) {
		c->why = z->err == EFBIG ? "large" : "unreadable";
		zeit_clear_error(z);
		goto out;
	}
	if (textdiff_binary(c->good.data, c->good.len) ||
	    textdiff_binary(b.data, b.len)) {
		c->why = "binary";
		goto out;
	}
	if (textdiff_hunks(z, c->good.data, c->good.len, b.data, b.len, &c->d) <
	    0) {
		zeit_clear_error(z);
		c->why = "unreadable";
		goto out;
	}
	if (!c->d.n) {
		c->why = "metadata";
		goto out;
	}
	bool **pick = xcalloc(c->d.n, sizeof(*pick));
	for (size_t h = 0; h < c->d.n; h++) {
		pick[h] = xcalloc(c->d.v[h].nlines + 1, sizeof(**pick));
		for (size_t k = 0; k < c->d.v[h].nlines; k++)
			pick[h][k] = true;
	}
	textdiff_apply(c->good.data, c->good.len, &c->d, (bool *const *)pick,
	               &check);
	for (size_t h = 0; h < c->d.n; h++)
		free(pick[h]);
	free(pick);
	if (check.len == b.len && !memcmp(check.data, b.data, b.len))
		c->kind = ISOLATE_HUNKS;
	else
		c->why = "no newline at the end";
out:
	if (c->kind != ISOLATE_HUNKS) {
		textdiff_free(&c->d);
		buf_free(&c->good);
		buf_init(&c->good);
	}
	buf_free(&b);
	buf_free(&check);
}

static int by_path(const void *a, const void *b)
{
	const struct isolate_change *x = a, *y = b;
	return strcmp(x->path, y->path);
}

static int build_changes(struct zfs *zh, const struct isolate_request *r,
                         int good, int bad, struct isolate_result *out)
{
	struct diff_request dr = {r->good, r->bad, r->paths, false};
	struct zfs_diff_list l;

	if (diff_files(zh, &dr, &l) < 0)
		return -1;
	out->changes = xcalloc(l.n + 1, sizeof(*out->changes));
	for (size_t i = 0; i < l.n; i++) {
		const struct zfs_diff_entry *e = &l.v[i];
		/* A directory's own change is the entries that changed in
		 * it; what is inside a created or removed tree goes with it. */
		if (e->change == 'M' && e->type == '/')
			continue;
		if ((e->change == '+' || e->change == '-') &&
		    under_same(&l, e->path, e->change))
			continue;
		struct isolate_change *c = &out->changes[out->nchanges++];
		c->type = e->type;
		c->path = xstrdup(e->path);
		c->new_path = e->new_path ? xstrdup(e->new_path) : NULL;
		buf_init(&c->good);
		switch (e->change) {
		case '+': c->kind = ISOLATE_CREATE; break;
		case '-': c->kind = ISOLATE_REMOVE; break;
		case 'R': c->kind = ISOLATE_RENAME; break;
		default:
			if (e->type == 'F') {
				split_text(zh->z, good, bad, c);
			} else {
				c->kind = ISOLATE_REPLACE;
				c->why = e->type == '@' ? "link" : "special";
			}
		}
	}
	zfs_diff_list_free(&l);
	/* zfs diff's order is the objects'; by path, a search over the same
	 * changes runs the same tests. */
	qsort(out->changes, out->nchanges, sizeof(*out->changes), by_path);
	return 0;
}

/* ---- Applying a subset onto a clone ---- */

struct ctx {
	struct be_ctx *be;
	const struct isolate_request *r;
	struct isolate_result *res;
	int bad;                          /* the first bad snapshot's root */
	const struct isolate_unit *units; /* this level's */
	int level;
	char *clone, *base, *where; /* the clone, its snapshot, its mount */
	bool dirty;                 /* changed since the rollback */
};

static bool unit_picks(const struct isolate_unit *u, size_t c, size_t h,
                       size_t k)
{
	return u->change == c &&
	       (u->hunk < 0 || ((size_t)u->hunk == h &&
	                        (u->line < 0 || (size_t)u->line == k)));
}

static int apply_change(struct ctx *x, int clone, size_t ci,
                        const struct isolate_unit *const *sel, size_t nsel)
{
	struct zeit *z = x->be->zh->z;
	const struct isolate_change *c = &x->res->changes[ci];
	struct tree_copy_opts o = {0};

	switch (c->kind) {
	case ISOLATE_REMOVE: return tree_remove(z, clone, c->path);
	case ISOLATE_CREATE:
	case ISOLATE_REPLACE:
		return tree_copy(z, x->bad, c->path, clone, c->path, &o);
	case ISOLATE_RENAME:
		if (tree_remove(z, clone, c->path) < 0)
			return -1;
		return tree_copy(z, x->bad, c->new_path, clone, c->new_path,
		                 &o);
	case ISOLATE_HUNKS: break;
	}
	bool **pick = xcalloc(c->d.n, sizeof(*pick));
	for (size_t h = 0; h < c->d.n; h++) {
		pick[h] = xcalloc(c->d.v[h].nlines + 1, sizeof(**pick));
		for (size_t k = 0; k < c->d.v[h].nlines; k++)
			for (size_t s = 0; s < nsel && !pick[h][k]; s++)
				pick[h][k] = unit_picks(sel[s], ci, h, k);
	}
	struct buf text;
	buf_init(&text);
	textdiff_apply(c->good.data, c->good.len, &c->d, (bool *const *)pick,
	               &text);
	for (size_t h = 0; h < c->d.n; h++)
		free(pick[h]);
	free(pick);
	int rc = tree_write_file(z, clone, c->path, text.data, text.len);
	buf_free(&text);
	return rc;
}

/* Removals first: a path removed and created again (a file become a
 * link) is then whatever the creation makes. */
static int apply(struct ctx *x, int clone, const size_t *idx, size_t n)
{
	const struct isolate_unit **sel = xcalloc(n + 1, sizeof(*sel));
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		sel[i] = &x->units[idx[i]];
	for (int pass = 0; pass < 2 && rc == 0; pass++)
		for (size_t ci = 0; ci < x->res->nchanges && rc == 0; ci++) {
			bool removal =
			        x->res->changes[ci].kind == ISOLATE_REMOVE;
			bool any = false;
			if (removal != (pass == 0))
				continue;
			for (size_t i = 0; i < n && !any; i++)
				any = sel[i]->change == ci;
			if (any)
				rc = apply_change(x, clone, ci, sel, n);
		}
	free(sel);
	return rc;
}

/* ---- One test run ---- */

/* One clone for the whole search, with a snapshot of it as it was made:
 * each test starts from a rollback to that (one zfs call), not a clone
 * made and destroyed. */
static int clone_setup(struct ctx *x)
{
	struct be_ctx *be = x->be;
	if (isolate_clone_make(be, x->r->good, &x->clone) < 0)
		return -1;
	char *ds = be_dataset(be, x->clone);
	x->base = xasprintf("%s@isolate-base", ds);
	free(ds);
	const char *const snaps[] = {x->base, NULL};
	if (zfs_snapshot(be->zh, snaps, NULL) < 0)
		return -1;
	return be_mount(be, x->clone, NULL, false, &x->where);
}

static int clone_teardown(struct ctx *x)
{
	int rc = 0;
	if (x->where && be_umount(x->be, x->clone) < 0)
		rc = -1;
	if (x->clone && isolate_cleanup(x->be) < 0)
		rc = -1;
	free(x->clone);
	free(x->base);
	free(x->where);
	x->clone = x->base = x->where = NULL;
	return rc;
}

static int run_one(struct ctx *x, const size_t *idx, size_t n,
                   enum ddmin_outcome *out)
{
	struct be_ctx *be = x->be;
	struct zeit *z = be->zh->z;
	int status = -1;

	/* Later snapshots the test made go with the rollback. */
	if (x->dirty && zfs_rollback(be->zh, x->base, ZFS_ROLLBACK_LATER) < 0)
		return -1;
	x->dirty = true;
	int root = root_open(z, x->where);
	if (root < 0)
		return -1;
	bool applied = apply(x, root, idx, n) == 0;
	close(root);
	if (!applied) {
		/* A subset that cannot be applied cannot tell. */
		zeit_note(z, 1, "could not apply: %s", zeit_error(z));
		zeit_clear_error(z);
		status = 125;
	} else {
		if (bisect_test_run(z, x->r->argv, x->where, &status) < 0)
			return -1;
	}
	x->res->tests++;
	enum bisect_mark m = bisect_mark_from_status(status);
	if (m == BISECT_UNKNOWN)
		return zeit_fail(z, EINTR,
		                 "the test command stopped the search (exit "
		                 "status %d)",
		                 status);
	*out = m == BISECT_GOOD  ? DDMIN_PASS
	       : m == BISECT_BAD ? DDMIN_FAIL
	                         : DDMIN_UNRESOLVED;
	if (x->r->report)
		x->r->report(x->r->arg, x->level, x->res->tests, n,
		             *out == DDMIN_PASS   ? 0
		             : *out == DDMIN_FAIL ? 1
		                                  : 2);
	return 0;
}

static int ddmin_cb(const size_t *idx, size_t n, enum ddmin_outcome *out,
                    void *arg)
{
	return run_one(arg, idx, n, out);
}

/* ---- The three levels ---- */

/* The units of the next level from the answer of this one: a file's
 * hunks, a hunk's lines. Returns how many (same as n: nothing to split). */
static size_t refine(const struct isolate_result *res,
                     const struct isolate_unit *in, size_t n, int level,
                     struct isolate_unit **out)
{
	size_t m = 0;
	size_t cap = n + 1;
	*out = xcalloc(cap, sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		const struct isolate_unit *u = &in[i];
		const struct isolate_change *c = &res->changes[u->change];
		size_t parts = 1;
		long h = u->hunk < 0 ? 0 : u->hunk;
		if (c->kind == ISOLATE_HUNKS && level == 1 && u->hunk < 0)
			parts = c->d.n;
		else if (c->kind == ISOLATE_HUNKS && level == 2 &&
		         u->line < 0 && (u->hunk >= 0 || c->d.n == 1))
			parts = c->d.v[h].nlines;
		if (m + parts + 1 > cap) {
			cap = 2 * (m + parts + 1);
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		for (size_t p = 0; p < parts; p++) {
			struct isolate_unit v = *u;
			if (parts > 1 && level == 1)
				v.hunk = (long)p;
			else if (parts > 1) {
				v.hunk = h;
				v.line = (long)p;
			}
			(*out)[m++] = v;
		}
	}
	return m;
}

static int search(struct ctx *x, struct isolate_unit *units, size_t n,
                  struct isolate_result *out)
{
	struct isolate_unit *cur = units;
	size_t ncur = n;
	for (int level = 0; level < 3; level++) {
		struct isolate_unit *next = NULL;
		size_t nnext = ncur;
		if (level > 0) {
			nnext = refine(out, cur, ncur, level, &next);
			if (nnext == ncur) {
				free(next);
				continue; /* nothing finer */
			}
			free(cur);
			cur = next;
		}
		size_t *idx = xcalloc(nnext + 1, sizeof(*idx));
		for (size_t i = 0; i < nnext; i++)
			idx[i] = i;
		struct ddmin_result dr;
		unsigned before = out->tests;
		x->units = cur;
		x->level = level;
		int rc = ddmin(idx, nnext, ddmin_cb, x, &dr);
		free(idx);
		if (rc < 0) {
			free(cur);
			ddmin_result_free(&dr);
			return -1;
		}
		struct isolate_level *lv = &out->levels[out->nlevels++];
		lv->level = level;
		lv->units = nnext;
		lv->left = dr.n;
		lv->tests = out->tests - before;
		struct isolate_unit *kept = xcalloc(dr.n + 1, sizeof(*kept));
		for (size_t i = 0; i < dr.n; i++)
			kept[i] = cur[dr.v[i]];
		free(cur);
		cur = kept;
		ncur = dr.n;
		ddmin_result_free(&dr);
	}
	out->answer = cur;
	out->nanswer = ncur;
	return 0;
}

int isolate_run(struct be_ctx *be, const struct isolate_request *r,
                struct isolate_result *out)
{
	struct zfs *zh = be->zh;
	struct zeit *z = zh->z;
	struct diff_root good, bad;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	/* Clones mount in this process's own namespace, which the test
	 * shares: a kill leaves no mount. A clone a killed run left goes. */
	if (mount_ns_private(z) < 0 || isolate_cleanup(be) < 0)
		return -1;
	if (diff_root_open(zh, r->good, &good) < 0)
		return -1;
	if (diff_root_open(zh, r->bad, &bad) < 0)
		goto out_good;
	if (build_changes(zh, r, good.fd, bad.fd, out) < 0)
		goto out_bad;
	if (!out->nchanges) {
		rc = zeit_fail(z, ENOENT, "nothing changed between %s and %s%s",
		               r->good, r->bad,
		               r->paths && r->paths[0] ? " under those paths"
		                                       : "");
		goto out_bad;
	}
	struct ctx x = {be, r, out, bad.fd, NULL, 0, NULL, NULL, NULL, false};
	if (clone_setup(&x) < 0) {
		clone_teardown(&x);
		goto out_bad;
	}
	struct isolate_unit *units = xcalloc(out->nchanges + 1, sizeof(*units));
	size_t *all = xcalloc(out->nchanges + 1, sizeof(*all));
	for (size_t i = 0; i < out->nchanges; i++) {
		units[i] = (struct isolate_unit){i, -1, -1};
		all[i] = i;
	}
	x.units = units;
	/* The search needs the good clone to pass and every change to fail
	 * it; else it would answer a question nobody asked. */
	enum ddmin_outcome none, every;
	if (run_one(&x, all, 0, &none) < 0 ||
	    run_one(&x, all, out->nchanges, &every) < 0) {
		free(units);
		free(all);
		goto out_clone;
	}
	free(all);
	if (none != DDMIN_PASS || every != DDMIN_FAIL) {
		free(units);
		if (none != DDMIN_PASS)
			zeit_fail(z, EINVAL,
			          "the test does not pass on a clone of %s "
			          "itself: nothing to isolate",
			          r->good);
		else
			zeit_fail(z, EINVAL,
			          "with all %zu changes applied to a clone of "
			          "%s the test does not fail: the failure is "
			          "not in the files compared",
			          out->nchanges, r->good);
		goto out_clone;
	}
	rc = search(&x, units, out->nchanges, out);
out_clone:
	/* The clone goes whatever happened; its error only when the search
	 * itself went well. */
	if (clone_teardown(&x) < 0 && rc == 0)
		rc = -1;
out_bad:
	diff_root_close(&bad);
out_good:
	diff_root_close(&good);
	return rc;
}

void isolate_result_free(struct isolate_result *r)
{
	for (size_t i = 0; i < r->nchanges; i++) {
		free(r->changes[i].path);
		free(r->changes[i].new_path);
		textdiff_free(&r->changes[i].d);
		buf_free(&r->changes[i].good);
	}
	free(r->changes);
	free(r->answer);
	memset(r, 0, sizeof(*r));
}
