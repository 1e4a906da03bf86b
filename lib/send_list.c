/* The replication executor's listings: both sides in two calls where
 * both are on this machine (four when the target is remote), checked to
 * answer for what was asked, and each dataset's part of them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "send_priv.h"
#include "zeit/props.h"

static const char *const target_props[] = {"receive_resume_token", "written",
                                           ZEIT_PROP_PLACEHOLDER, NULL};
static const char *const source_props[] = {"origin", "encryption", NULL};

/* One dataset's part of a listing (in the listing's createtxg order),
 * copied so the planner sees only it. */
struct zfs_snap *send_slice(const struct zfs_snap_list *l,
                            struct zfs_snap_index *ix, bool *built,
                            const char *ds, size_t *n)
{
	if (!*built) {
		zfs_snap_index_build(ix, l);
		*built = true;
	}
	const struct zfs_snap *const *g = zfs_snap_index_of(ix, ds, n);
	struct zfs_snap *v = xcalloc(*n + 1, sizeof(*v));
	for (size_t i = 0; i < *n; i++)
		v[i] = *g[i];
	return v;
}

/* The group of name's dataset, then name in it: a lookup per dataset
 * must not cost the whole listing (500 datasets of 200 snapshots made
 * that 50 million comparisons a run). */
const struct zfs_snap *send_find_snap(const struct zfs_snap_list *l,
                                      struct zfs_snap_index *ix, bool *built,
                                      const char *name)
{
	char ds[ZFS_MAX_NAME_LEN + 1];
	size_t len = strcspn(name, "@#"), n;

	if (len > ZFS_MAX_NAME_LEN)
		return NULL;
	memcpy(ds, name, len);
	ds[len] = '\0';
	if (!*built) {
		zfs_snap_index_build(ix, l);
		*built = true;
	}
	const struct zfs_snap *const *g = zfs_snap_index_of(ix, ds, &n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(g[i]->name, name))
			return g[i];
	return NULL;
}

const struct zfs_snap *send_find_name(const struct zfs_snap_list *l,
                                      const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

bool send_target_has_guid(const struct run_state *st, uint64_t guid)
{
	for (size_t i = 0; i < st->tsnaps.n; i++)
		if (st->tsnaps.v[i].guid == guid)
			return true;
	for (size_t i = 0; i < st->narrived; i++)
		if (st->arrived[i] == guid)
			return true;
	return false;
}

bool send_source_has_guid(const struct run_state *st, uint64_t guid)
{
	for (size_t i = 0; i < st->ssnaps.n; i++)
		if (st->ssnaps.v[i].guid == guid)
			return true;
	return false;
}

void send_note_arrived(struct run_state *st, const struct zfs_snap *v, size_t n,
                       const struct send_step *s)
{
	const struct zfs_snap *from = NULL, *to = NULL;
	for (size_t i = 0; i < n; i++) {
		if (s->from && !strcmp(v[i].name, s->from))
			from = &v[i];
		if (!strcmp(v[i].name, s->to))
			to = &v[i];
	}
	for (size_t i = 0; to && i < n; i++) {
		bool in = &v[i] == to ||
		          (s->intermediates && from && !v[i].bookmark &&
		           v[i].createtxg > from->createtxg &&
		           v[i].createtxg < to->createtxg);
		if (!in)
			continue;
		st->arrived = xrealloc(st->arrived,
		                       (st->narrived + 1) * sizeof(uint64_t));
		st->arrived[st->narrived++] = v[i].guid;
	}
}

long send_find_target(const struct run_state *st, const char *name)
{
	for (size_t i = 0; i < st->tds.n; i++)
		if (!strcmp(st->tds.v[i].name, name))
			return (long)i;
	return -1;
}

/* Lists the target's datasets and snapshots; a missing target is empty. */
static int list_target(struct run_state *st)
{
	struct zeit *z = st->src->z;
	const char *t = st->req->target;

	memset(&st->tds, 0, sizeof(st->tds));
	memset(&st->tsnaps, 0, sizeof(st->tsnaps));
	if (zfs_list_datasets(st->dst, t, st->req->recursive ? -1 : 0,
	                      ZFS_TYPE_FILESYSTEM | ZFS_TYPE_VOLUME,
	                      target_props, &st->tds) < 0) {
		if (st->dst->z->err != ENOENT)
			return -1;
		zeit_clear_error(st->dst->z);
		zeit_clear_error(z);
		return 0;
	}
	for (size_t i = 0; i < st->tds.n; i++)
		strv_push(&st->tnames, st->tds.v[i].name);
	return zfs_list_snapshots(st->dst, t,
	                          st->req->recursive ? ZFS_SNAP_RECURSIVE : 0,
	                          &st->tsnaps);
}

/* name (a dataset, or a snapshot or bookmark of one) lies under root:
 * is root's, or with recursive is in root's tree. */
bool send_under(const char *name, const char *root, bool recursive)
{
	return recursive ? zfs_name_under(name, root) : zfs_name_of(name, root);
}

/* Moves the rows of all under root into out, keeping the property
 * columns [first, first + count). */
static void take_datasets(struct zfs_dataset_list *all, const char *root,
                          bool recursive, size_t first, size_t count,
                          struct zfs_dataset_list *out)
{
	out->nprops = count;
	out->v = xrealloc(out->v, (out->n + all->n + 1) * sizeof(*out->v));
	for (size_t i = 0; i < all->n; i++) {
		struct zfs_dataset *d = &all->v[i];
		if (!d->name || !send_under(d->name, root, recursive))
			continue;
		char **values = xcalloc(count + 1, sizeof(char *));
		for (size_t k = 0; k < count; k++) {
			values[k] = d->values[first + k];
			d->values[first + k] = NULL;
		}
		out->v[out->n++] =
		        (struct zfs_dataset){d->name, d->type, values};
		d->name = NULL;
	}
}

static void take_snaps(struct zfs_snap_list *all, const char *root,
                       bool recursive, bool bookmarks,
                       struct zfs_snap_list *out)
{
	/* Sized once: a row's realloc each cost a copy of the list. */
	out->v = xrealloc(out->v, (out->n + all->n + 1) * sizeof(*out->v));
	for (size_t i = 0; i < all->n; i++) {
		struct zfs_snap *v = &all->v[i];
		if (!v->name || !send_under(v->name, root, recursive) ||
		    (v->bookmark && !bookmarks))
			continue;
		out->v[out->n++] = *v;
		v->name = NULL;
	}
}

/* Source and target both on this machine, neither inside the other: each
 * kind of listing covers both in one zfs call, two calls instead of four
 * (the per-process cost is what a small incremental run is made of). */
static int list_both_local(struct run_state *st, struct zfs_dataset_list *sds)
{
	/* source_props, then target_props, in their enums' order. */
	static const char *const props[] = {
	        "origin",  "encryption",          "receive_resume_token",
	        "written", ZEIT_PROP_PLACEHOLDER, NULL};
	const struct send_request *req = st->req;
	const char *roots[] = {req->source, req->target, NULL};
	bool missing[2] = {false, false};
	bool rec = req->recursive;
	struct zfs_dataset_list all;
	struct zfs_snap_list snaps;

	memset(&st->tds, 0, sizeof(st->tds));
	memset(&st->tsnaps, 0, sizeof(st->tsnaps));
	memset(&st->ssnaps, 0, sizeof(st->ssnaps));
	if (zfs_list_datasets_roots(st->src, roots, rec ? -1 : 0,
	                            ZFS_TYPE_FILESYSTEM | ZFS_TYPE_VOLUME,
	                            props, &all, missing) < 0)
		return -1;
	if (missing[0]) {
		zfs_dataset_list_free(&all);
		goto no_source;
	}
	take_datasets(&all, req->source, rec, SP_ORIGIN, SP_COUNT, sds);
	take_datasets(&all, req->target, rec, SP_COUNT, TP_COUNT, &st->tds);
	zfs_dataset_list_free(&all);
	for (size_t i = 0; i < st->tds.n; i++)
		strv_push(&st->tnames, st->tds.v[i].name);
	if (missing[1])
		roots[1] = NULL;
	/* A target dataset created between the two calls is listed as
	 * empty, as if it had not been there. */
	if (zfs_list_snapshots_roots(st->src, roots,
	                             ZFS_SNAP_BOOKMARKS |
	                                     (rec ? ZFS_SNAP_RECURSIVE : 0),
	                             &snaps, missing) < 0)
		return -1;
	take_snaps(&snaps, req->source, rec, true, &st->ssnaps);
	take_snaps(&snaps, req->target, rec, false, &st->tsnaps);
	zfs_snap_list_free(&snaps);
	if (!missing[0])
		return 0;
no_source:
	return zeit_fail(st->src->z, ENOENT,
	                 "cannot open '%s': dataset does not exist",
	                 req->source);
}

/* Lists both sides: the source's datasets and snapshots, the target's
 * (a missing target is empty). */
int send_list_sides(struct run_state *st, struct zfs_dataset_list *sds)
{
	const struct send_request *req = st->req;

	if (!st->src->host && !st->dst->host &&
	    !send_under(req->target, req->source, true) &&
	    !send_under(req->source, req->target, true))
		return list_both_local(st, sds);
	if (zfs_list_datasets(st->src, req->source, req->recursive ? -1 : 0,
	                      ZFS_TYPE_FILESYSTEM | ZFS_TYPE_VOLUME,
	                      source_props, sds) < 0)
		return -1;
	if (zfs_list_snapshots(
	            st->src, req->source,
	            ZFS_SNAP_BOOKMARKS |
	                    (req->recursive ? ZFS_SNAP_RECURSIVE : 0),
	            &st->ssnaps) < 0)
		return -1;
	return list_target(st);
}

/* Refreshes what the target holds of one dataset after a resume. */
int send_relist_one(struct run_state *st, const char *tname)
{
	struct zfs_snap_list l;
	struct zfs_dataset_list d;
	long ti = send_find_target(st, tname);

	if (zfs_list_datasets(st->dst, tname, 0,
	                      ZFS_TYPE_FILESYSTEM | ZFS_TYPE_VOLUME,
	                      target_props, &d) < 0) {
		if (st->dst->z->err != ENOENT)
			return -1;
		zeit_clear_error(st->dst->z);
		d.n = 0;
		d.v = NULL;
	}
	if (ti >= 0) {
		/* Mark it gone or take the new values. */
		free(st->tds.v[ti].name);
		st->tds.v[ti].name = xstrdup(d.n ? tname : "");
		for (size_t k = 0; d.n && k < TP_COUNT; k++) {
			free(st->tds.v[ti].values[k]);
			st->tds.v[ti].values[k] = xstrdup(d.v[0].values[k]);
		}
	}
	zfs_dataset_list_free(&d);
	if (ti < 0 || !*st->tds.v[ti].name)
		return 0;
	if (zfs_list_snapshots(st->dst, tname, 0, &l) < 0)
		return -1;
	for (size_t i = 0; i < l.n; i++) {
		if (send_find_name(&st->tsnaps, l.v[i].name))
			continue;
		st->tsnaps.v =
		        xrealloc(st->tsnaps.v,
		                 (st->tsnaps.n + 1) * sizeof(struct zfs_snap));
		st->tsnaps.v[st->tsnaps.n++] = l.v[i];
		l.v[i].name = NULL;
		if (st->tix_ok)
			zfs_snap_index_free(&st->tix);
		st->tix_ok = false;
	}
	zfs_snap_list_free(&l);
	return 0;
}

/* Both sides' listings answer what was asked: the source's names its
 * root, a target's that exists names its root, and nothing lies outside
 * either. A listing that does not (an empty answer, say, from a peer that
 * is not zfs) would otherwise read as nothing to do. */
int send_check_listings(struct run_state *st,
                        const struct zfs_dataset_list *sds)
{
	const struct send_request *req = st->req;
	bool src_root = false, dst_root = false;

	for (size_t i = 0; i < sds->n; i++) {
		if (!send_under(sds->v[i].name, req->source, req->recursive))
			goto bad_source;
		src_root |= !strcmp(sds->v[i].name, req->source);
	}
	for (size_t i = 0; i < st->tds.n; i++) {
		if (!send_under(st->tds.v[i].name, req->target, req->recursive))
			goto bad_target;
		dst_root |= !strcmp(st->tds.v[i].name, req->target);
	}
	if (!src_root)
		goto bad_source;
	if (st->tds.n && !dst_root)
		goto bad_target;
	return 0;
bad_source:
	return zeit_fail(st->src->z, EPROTO,
	                 "the listing of %s%s%s does not answer for it",
	                 req->source, st->src->host ? " on " : "",
	                 st->src->host ? st->src->host->ssh : "");
bad_target:
	return zeit_fail(st->src->z, EPROTO,
	                 "the listing of %s%s%s does not answer for it",
	                 req->target, st->dst->host ? " on " : "",
	                 st->dst->host ? st->dst->host->ssh : "");
}
