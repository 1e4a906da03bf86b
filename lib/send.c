/* The replication executor: two listings (four when the target is
 * remote), then per dataset a resume if
 * one is pending, the planned streams and bookkeeping on the target; at
 * the end one hold call moves every base's hold, so a prune on the source
 * can never take the common snapshot, and one channel program bookmarks
 * the new bases. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zeit/send.h"
#include "zeit/props.h"
#include "zeit/snapname.h"
#include "zeit/ztime.h"

enum { TP_TOKEN, TP_WRITTEN, TP_PLACEHOLDER, TP_COUNT };
static const char *const target_props[] = {"receive_resume_token", "written",
                                           ZEIT_PROP_PLACEHOLDER, NULL};
enum { SP_ORIGIN, SP_ENCRYPTION, SP_COUNT };
static const char *const source_props[] = {"origin", "encryption", NULL};

struct run_state {
	struct zfs *src, *dst;
	const struct send_request *req;
	struct send_report *rep;
	struct zfs_snap_list ssnaps, tsnaps;
	/* By dataset, built when first asked; tix_ok goes false whenever
	 * tsnaps changes. */
	struct zfs_snap_index six, tix;
	bool six_ok, tix_ok;
	struct zfs_dataset_list tds;
	struct strv tnames; /* target datasets that exist now */
	uint64_t *arrived;  /* guids received in this run */
	size_t narrived;
	struct strv keep_hold; /* source snapshots that are now bases */
	struct strv old_base;  /* source snapshots that were bases */
	/* Bookmarks of the new bases, made together after the streams:
	 * source snapshots and bookmark names, pairwise; then this target's
	 * older bookmarks go. */
	struct strv bm_from, bm_new, bm_old;
	char tag[256];
	char bmprefix[32];
	char bmprefix_v1[32]; /* what older versions named them */
	bool stalled;         /* a stream stopped moving: the target is stuck */
	bool volume;          /* the dataset being sent is a volume */
};

/* Watches a stream for data that stops moving (a suspended target pool,
 * a dead link) and passes the bytes on to the caller's progress. */
struct stall_watch {
	const struct run_progress *user;
	uint64_t last;
	struct timespec changed;
	int limit_s;
	bool stalled;
};

static bool stall_fn(uint64_t bytes, void *arg)
{
	struct stall_watch *w = arg;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (bytes != w->last) {
		w->last = bytes;
		w->changed = now;
	} else if (now.tv_sec - w->changed.tv_sec >= w->limit_s) {
		w->stalled = true;
		return false;
	}
	return w->user && w->user->fn ? w->user->fn(bytes, w->user->arg) : true;
}

/* Says why a stream stalled: the target pool's health tells a suspended
 * pool (failing devices) from a stuck link. */
static void explain_stall(struct run_state *st, const char *tname, int secs)
{
	char pool[ZFS_MAX_NAME_LEN + 1];
	const char *const props[] = {"health", NULL};
	struct zfs_prop_list pl = {0};
	int saved = st->dst->timeout_ms;
	const char *health = NULL;

	zfs_pool_of(tname, pool, sizeof(pool));
	st->dst->timeout_ms = 15000;
	if (zpool_get_props(st->dst, pool, props, &pl) == 0 && pl.n)
		health = pl.v[0].value;
	st->dst->timeout_ms = saved;
	if (health && strcmp(health, "ONLINE") && strcmp(health, "DEGRADED"))
		zeit_fail(st->src->z, EIO,
		          "no data moved for %d s: target pool %s is %s (its "
		          "devices fail I/O); repair them and run `zpool "
		          "clear %s`, and the next zeit send resumes",
		          secs, pool, health, pool);
	else
		zeit_fail(st->src->z, EIO,
		          "no data moved for %d s into %s (pool %s is %s); "
		          "gave up, and the next zeit send resumes",
		          secs, tname, pool, health ? health : "unreachable");
	zfs_prop_list_free(&pl);
}

void send_report_free(struct send_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].source);
		free(r->v[i].target);
		free(r->v[i].newest);
		free(r->v[i].message);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static struct send_result *add_result(struct send_report *r, const char *src,
                                      const char *dst)
{
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	struct send_result *res = &r->v[r->n++];
	memset(res, 0, sizeof(*res));
	res->source = xstrdup(src);
	res->target = xstrdup(dst);
	return res;
}

/* One dataset's part of a listing (in the listing's createtxg order),
 * copied so the planner sees only it. */
static struct zfs_snap *slice(const struct zfs_snap_list *l,
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

static const struct zfs_snap *find_name(const struct zfs_snap_list *l,
                                        const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

static bool target_has_guid(const struct run_state *st, uint64_t guid)
{
	for (size_t i = 0; i < st->tsnaps.n; i++)
		if (st->tsnaps.v[i].guid == guid)
			return true;
	for (size_t i = 0; i < st->narrived; i++)
		if (st->arrived[i] == guid)
			return true;
	return false;
}

static void note_arrived(struct run_state *st, const struct zfs_snap *v,
                         size_t n, const struct send_step *s)
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

static long find_target(const struct run_state *st, const char *name)
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

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* name (a dataset, or a snapshot or bookmark of one) lies under root:
 * is root's, or with recursive is in root's tree. */
static bool under(const char *name, const char *root, bool recursive)
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
	for (size_t i = 0; i < all->n; i++) {
		struct zfs_dataset *d = &all->v[i];
		if (!d->name || !under(d->name, root, recursive))
			continue;
		char **values = xcalloc(count + 1, sizeof(char *));
		for (size_t k = 0; k < count; k++) {
			values[k] = d->values[first + k];
			d->values[first + k] = NULL;
		}
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n++] =
		        (struct zfs_dataset){d->name, d->type, values};
		d->name = NULL;
	}
}

static void take_snaps(struct zfs_snap_list *all, const char *root,
                       bool recursive, bool bookmarks,
                       struct zfs_snap_list *out)
{
	for (size_t i = 0; i < all->n; i++) {
		struct zfs_snap *v = &all->v[i];
		if (!v->name || !under(v->name, root, recursive) ||
		    (v->bookmark && !bookmarks))
			continue;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
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
static int list_sides(struct run_state *st, struct zfs_dataset_list *sds)
{
	const struct send_request *req = st->req;

	if (!st->src->host && !st->dst->host &&
	    !under(req->target, req->source, true) &&
	    !under(req->source, req->target, true))
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
static int relist_one(struct run_state *st, const char *tname)
{
	struct zfs_snap_list l;
	struct zfs_dataset_list d;
	long ti = find_target(st, tname);

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
		if (find_name(&st->tsnaps, l.v[i].name))
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

static bool wants_raw(const struct send_request *req, const char *encryption)
{
	if (req->no_raw)
		return false;
	return req->raw || (encryption && strcmp(encryption, "off") &&
	                    strcmp(encryption, "-"));
}

/* org.zeit:* bookkeeping for the target after `newest` arrived: what
 * `zeit status` reads. Four "name=value" strings pushed onto out. */
static void bookkeeping_props(struct run_state *st, const char *ds,
                              const struct zfs_snap *newest, struct strv *out)
{
	char host[256] = "", when[32];

	/* The machine the data came from: this one, or a pull's source. */
	if (st->src->host && st->src->host->ssh)
		snprintf(host, sizeof(host), "%s", st->src->host->ssh);
	else if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = 0;
	ztime_format(st->src->z->now, when, sizeof(when));
	strv_pushf(out, ZEIT_PROP_SOURCE "=%s:%s", host, ds);
	strv_pushf(out, ZEIT_PROP_LAST_GUID "=%llu",
	           (unsigned long long)newest->guid);
	strv_pushf(out, ZEIT_PROP_LAST_SNAPSHOT "=%s",
	           strchr(newest->name, '@') + 1);
	strv_pushf(out, ZEIT_PROP_LAST_SENT "=%s", when);
}

static int stream(struct run_state *st, const char *ds, const char *tname,
                  const struct send_step *s, bool raw, bool force,
                  const char *token, struct send_result *res)
{
	struct strv props;
	struct zfs_send_opts so = {
	        .snap = s ? s->to : NULL,
	        .from = s ? s->from : NULL,
	        .intermediates = s && s->intermediates,
	        .raw = raw,
	        .large_blocks = !raw,
	        .compressed = !raw,
	        .embedded = !raw,
	        .resume_token = token,
	};
	/* A new target is read-only, so nothing writes to it between runs
	 * and the next increment applies. The bookkeeping rides along with
	 * each receive (set when it completes), which saves a `zfs set`. */
	strv_init(&props);
	if (s && !s->from && !strv_contains(&st->tnames, tname))
		strv_push(&props, "readonly=on");
	const struct zfs_snap *to = s ? find_name(&st->ssnaps, s->to) : NULL;
	if (to)
		bookkeeping_props(st, ds, to, &props);
	/* A pull's source may be hostile: its stream is checked before
	 * zfs receive sees it, and received inert, as zeit serve does. */
	struct zfs_recv_opts ro = {
	        .target = tname,
	        .resumable = true,
	        .nomount = true,
	        .force = force,
	        .set_props = props.n ? (const char *const *)props.v : NULL,
	        .untrusted = st->src->host != NULL,
	        .volume = st->volume,
	};
	uint64_t est = 0, bytes = 0;

	if (st->req->on_step) {
		if (zfs_send_estimate(st->src, &so, &est) < 0) {
			strv_free(&props);
			if (!token)
				return -1;
			return 1; /* the token's base is gone */
		}
		st->req->on_step(ds, s, est, st->req->arg);
	} else if (token) {
		if (zfs_send_estimate(st->src, &so, &est) < 0) {
			strv_free(&props);
			return 1;
		}
	}
	struct stall_watch w = {.user = st->req->progress,
	                        .limit_s = st->req->stall_timeout_s > 0
	                                           ? st->req->stall_timeout_s
	                                           : 120};
	clock_gettime(CLOCK_MONOTONIC, &w.changed);
	struct run_progress prog = {
	        stall_fn, &w,
	        st->req->progress ? st->req->progress->interval_ms : 1000};
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = zfs_send_recv(st->src, &so, st->dst, &ro, &prog, &bytes);
	st->rep->stream_seconds += seconds_since(&t0);
	strv_free(&props);
	res->bytes += bytes;
	st->rep->bytes += bytes;
	if (rc < 0 && w.stalled) {
		st->stalled = true;
		explain_stall(st, tname, w.limit_s);
		res->message = xstrdup(zeit_error(st->src->z));
	}
	if (rc < 0)
		return -1;
	res->streams++;
	if (!strv_contains(&st->tnames, tname))
		strv_push(&st->tnames, tname);
	return 0;
}

/* Makes the target's parent exist, marking any dataset it creates as a
 * placeholder (the value is its own name, so children, which inherit the
 * property, are not taken for placeholders). */
static int ensure_parent(struct run_state *st, const char *tname)
{
	const char *slash = strrchr(tname, '/');
	if (!slash)
		return 0;
	char *parent = xstrndup(tname, slash - tname);
	int rc = 0;
	if (!strv_contains(&st->tnames, parent) && strchr(parent, '/')) {
		char *ph = xasprintf(ZEIT_PROP_PLACEHOLDER "=%s", parent);
		const char *props[] = {ph, "readonly=on", NULL};
		rc = ensure_parent(st, parent);
		if (rc == 0 && st->src->z->dry_run) {
			strv_push(&st->tnames, parent);
		} else if (rc == 0) {
			rc = zfs_create(st->dst, parent, false, props);
			if (rc < 0 && st->dst->z->err == EEXIST) {
				zeit_clear_error(st->dst->z);
				rc = 0;
			}
			if (rc == 0)
				strv_push(&st->tnames, parent);
		}
		free(ph);
	}
	free(parent);
	return rc;
}

static void fail_result(struct run_state *st, struct send_result *res)
{
	struct zeit *z = st->src->z;
	res->failed = true;
	if (!res->message)
		res->message = xstrdup(st->dst->z->err && st->dst->z != z
		                               ? zeit_error(st->dst->z)
		                               : zeit_error(z));
	zeit_clear_error(z);
	zeit_clear_error(st->dst->z);
}

/* Records on the target what arrived, for `zeit status`, where the
 * receive did not carry it. */
static int set_bookkeeping(struct run_state *st, const char *ds,
                           const char *tname, const struct zfs_snap *newest,
                           bool in_recv)
{
	if (in_recv)
		return 0;
	struct strv props;
	strv_init(&props);
	bookkeeping_props(st, ds, newest, &props);
	int rc = zfs_set_props(st->dst, tname, (const char *const *)props.v);
	strv_free(&props);
	return rc;
}

/* Queues a bookmark of the base on the source, unless it has one (the
 * fallback should the snapshot be destroyed anyway), and the removal of
 * this target's older bookmarks of ds. v is ds's slice of the listing. */
static void queue_bookmark(struct run_state *st, const char *ds,
                           const struct zfs_snap *newest,
                           const struct zfs_snap *v, size_t n)
{
	const char *shortn = strchr(newest->name, '@') + 1;
	char *bm = xasprintf("%s#%s%s", ds, st->bmprefix, shortn);
	bool have = false;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, bm))
			have = true;
	if (!have) {
		strv_push(&st->bm_from, newest->name);
		strv_push(&st->bm_new, bm);
	}
	for (size_t i = 0; i < n; i++) {
		const char *hash = strchr(v[i].name, '#');
		if (v[i].bookmark && hash &&
		    (str_starts(hash + 1, st->bmprefix) ||
		     str_starts(hash + 1, st->bmprefix_v1)) &&
		    strcmp(v[i].name, bm))
			strv_push(&st->bm_old, v[i].name);
	}
	free(bm);
}

/* Makes the queued bookmarks, in one program where there are several,
 * and then drops the older ones they replace. */
static int make_bookmarks(struct run_state *st)
{
	struct zfs *zh = st->src;

	if (st->bm_new.n &&
	    zfs_bookmarks(zh, (const char *const *)st->bm_from.v,
	                  (const char *const *)st->bm_new.v) < 0)
		return -1;
	for (size_t i = 0; i < st->bm_old.n; i++)
		if (zfs_destroy_bookmark(zh, st->bm_old.v[i]) < 0)
			return -1;
	return 0;
}

static bool source_has_guid(const struct run_state *st, uint64_t guid)
{
	for (size_t i = 0; i < st->ssnaps.n; i++)
		if (st->ssnaps.v[i].guid == guid)
			return true;
	return false;
}

/* Whether the target's resume token asks for what this run would send: a
 * snapshot of ds that the source has (by name and guid), raw exactly when
 * the run is, from a base the source has. The target may be compromised,
 * and `zfs send -t` sends whatever the token names: another dataset's
 * snapshot, or plaintext of one that goes raw. Else why says what. */
static bool token_is_ours(const struct run_state *st, const char *ds,
                          const char *token, bool raw, char *why, size_t len)
{
	struct zfs_resume_token t;
	struct zeit scratch;

	zeit_init(&scratch);
	if (zfs_resume_token_decode(&scratch, token, &t) < 0) {
		snprintf(why, len, "cannot be read (%s)", zeit_error(&scratch));
		return false;
	}
	const struct zfs_snap *to = find_name(&st->ssnaps, t.toname);
	if (!zfs_name_of(t.toname, ds) || !to || to->bookmark ||
	    to->guid != t.toguid) {
		snprintf(why, len, "asks for %s, which is not a snapshot of %s",
		         t.toname, ds);
		return false;
	}
	if (t.raw != raw) {
		snprintf(why, len,
		         "asks for a %s stream of %s; this run sends "
		         "it %s",
		         t.raw ? "raw" : "plaintext (not raw)", t.toname,
		         raw ? "raw" : "as plaintext");
		return false;
	}
	if (t.incremental && !source_has_guid(st, t.fromguid)) {
		snprintf(why, len, "resumes from a base %s does not have", ds);
		return false;
	}
	return true;
}

static int send_one(struct run_state *st, const char *ds, const char *origin,
                    const char *encryption)
{
	const struct send_request *req = st->req;
	struct zeit *z = st->src->z;
	char *tname = send_target_name(req->source, req->target, ds);
	struct send_result *res = add_result(st->rep, ds, tname);
	struct send_plan plan;
	struct send_side s = {0}, t = {0};
	struct zfs_snap *sv = NULL, *tv = NULL;
	bool raw = wants_raw(req, encryption);
	int rc = -1;

	long ti = find_target(st, tname);
	const char *token = ti >= 0 ? st->tds.v[ti].values[TP_TOKEN] : "-";
	char why[512];
	if (strcmp(token, "-") && *token &&
	    !token_is_ours(st, ds, token, raw, why, sizeof(why))) {
		zeit_note(z, 0,
		          "%s: discarding the interrupted receive: its resume "
		          "token %s",
		          tname, why);
		res->aborted_resume = true;
		if (!z->dry_run) {
			if (zfs_recv_abort(st->dst, tname) < 0 ||
			    relist_one(st, tname) < 0)
				goto fail;
			ti = find_target(st, tname);
		}
	} else if (strcmp(token, "-") && *token) {
		if (z->dry_run) {
			res->resumed = true;
		} else {
			zeit_note(z, 1, "%s: resuming an interrupted receive",
			          tname);
			int r = stream(st, ds, tname, NULL, raw, false, token,
			               res);
			if (r < 0)
				goto fail;
			if (r > 0) {
				zeit_note(
				        z, 1,
				        "%s: the interrupted stream's base is "
				        "gone (%s); discarding it",
				        tname, zeit_error(z));
				zeit_clear_error(z);
				if (zfs_recv_abort(st->dst, tname) < 0)
					goto fail;
				res->aborted_resume = true;
			} else {
				res->resumed = true;
			}
			if (relist_one(st, tname) < 0)
				goto fail;
			ti = find_target(st, tname);
		}
	}

	sv = slice(&st->ssnaps, &st->six, &st->six_ok, ds, &s.n);
	s.snaps = sv;
	s.exists = true;
	tv = slice(&st->tsnaps, &st->tix, &st->tix_ok, tname, &t.n);
	t.snaps = tv;
	t.exists = ti >= 0;
	if (ti >= 0) {
		unsigned long long w = 0;
		parse_u64(st->tds.v[ti].values[TP_WRITTEN], &w);
		t.written = w;
		t.placeholder =
		        !strcmp(st->tds.v[ti].values[TP_PLACEHOLDER], tname);
		if (t.placeholder)
			t.written = 0;
	}
	/* A clone goes as an increment from its origin when the target has
	 * that origin, so it arrives as a clone there too. */
	const char *clone_from = NULL;
	if (origin && strcmp(origin, "-")) {
		const struct zfs_snap *o = find_name(&st->ssnaps, origin);
		if (o && target_has_guid(st, o->guid))
			clone_from = o->name;
	}
	send_plan_dataset(&s, &t, &req->select, clone_from, req->force, &plan);
	res->verdict = plan.verdict;
	if (plan.base)
		strv_push(&st->old_base, plan.base->name);

	switch (plan.verdict) {
	case SEND_NOTHING:
		res->message = xstrdup(plan.why);
		rc = 0;
		goto out;
	case SEND_NO_COMMON: res->message = xstrdup(plan.why); goto out_failed;
	case SEND_DIVERGED:
		if (!req->rollback) {
			res->message = xstrdup(plan.why);
			goto out_failed;
		}
		zeit_note(z, 1, "%s: rolling back to %s (%s)", tname,
		          plan.tbase->name, plan.why);
		if (!z->dry_run &&
		    zfs_rollback(st->dst, plan.tbase->name,
		                 ZFS_ROLLBACK_LATER | ZFS_ROLLBACK_FORCE) < 0)
			goto fail_plan;
		break;
	default: break;
	}

	if (plan.verdict == SEND_FULL && ensure_parent(st, tname) < 0)
		goto fail_plan;
	if (plan.force_recv && t.n) {
		/* --force: the user named this target to be replaced, and a
		 * full receive needs it without snapshots. */
		const char **doomed = xcalloc(t.n + 1, sizeof(char *));
		size_t nd = 0;
		for (size_t i = 0; i < t.n; i++)
			if (!t.snaps[i].bookmark)
				doomed[nd++] = t.snaps[i].name;
		zeit_note(z, 1, "%s: --force: destroying its %zu snapshots",
		          tname, nd);
		int drc =
		        nd && !z->dry_run
		                ? zfs_destroy_snapshots(st->dst, doomed, false)
		                : 0;
		free(doomed);
		if (drc < 0)
			goto fail_plan;
	}
	for (size_t i = 0; i < plan.nsteps && !z->dry_run; i++) {
		if (stream(st, ds, tname, &plan.steps[i], raw,
		           i == 0 && plan.force_recv, NULL, res) != 0)
			goto fail_plan;
		note_arrived(st, sv, s.n, &plan.steps[i]);
	}
	res->streams = z->dry_run ? plan.nsteps : res->streams;
	if (plan.newest) {
		res->newest = xstrdup(plan.newest->name);
		/* Nothing new, and the base's snapshot is gone (destroyed
		 * by hand after a release): its bookmark stays the base, and
		 * a bookmark can be neither held nor bookmarked again. */
		if (!plan.newest->bookmark)
			strv_push(&st->keep_hold, plan.newest->name);
		/* The last receive set the bookkeeping when it ended at
		 * newest; a resumed stream carries no properties. */
		bool in_recv = plan.nsteps && !res->resumed &&
		               !strcmp(plan.steps[plan.nsteps - 1].to,
		                       plan.newest->name);
		if (!z->dry_run && (res->streams || res->resumed) &&
		    set_bookkeeping(st, ds, tname, plan.newest, in_recv) < 0)
			goto fail_plan;
		/* Also when up to date: a run cut off before its bookmarks
		 * left the base without one. */
		if (!z->dry_run && !plan.newest->bookmark)
			queue_bookmark(st, ds, plan.newest, sv, s.n);
	}
	rc = 0;
	goto out;
fail_plan:
	fail_result(st, res);
	goto out;
out_failed:
	res->failed = true;
out:
	send_plan_free(&plan);
	free(sv);
	free(tv);
	free(tname);
	return rc;
fail:
	fail_result(st, res);
	free(tname);
	return -1;
}

/* Holds every new base with this target's tag and releases the tag from
 * the snapshots that were bases before. The usual case costs a hold and a
 * release call for the whole tree, with no listing: the tag on the old
 * bases and not on the new ones is what the last run left. When that
 * guess is wrong (a run was interrupted between its calls, a hold was
 * taken or released by hand), a call fails and the holds listing decides
 * instead. */
static int move_holds_listed(struct run_state *st, const struct strv *all)
{
	struct zfs_hold_list hl;
	struct strv to_hold, to_release;
	int rc = -1;

	strv_init(&to_hold);
	strv_init(&to_release);
	if (zfs_holds(st->src, (const char *const *)all->v, false, &hl) < 0)
		goto out;
	for (size_t i = 0; i < all->n; i++) {
		bool held = false;
		for (size_t k = 0; k < hl.n; k++)
			if (!strcmp(hl.v[k].snapshot, all->v[i]) &&
			    !strcmp(hl.v[k].tag, st->tag))
				held = true;
		bool want = strv_contains(&st->keep_hold, all->v[i]);
		if (want && !held)
			strv_push(&to_hold, all->v[i]);
		else if (!want && held)
			strv_push(&to_release, all->v[i]);
	}
	zfs_hold_list_free(&hl);
	/* Hold first: a crash between the two leaves two holds, not none. */
	if (to_hold.n && zfs_hold(st->src, st->tag,
	                          (const char *const *)to_hold.v, false) < 0)
		goto out;
	if (to_release.n &&
	    zfs_release(st->src, st->tag, (const char *const *)to_release.v,
	                false) < 0)
		goto out;
	rc = 0;
out:
	strv_free(&to_hold);
	strv_free(&to_release);
	return rc;
}

static int move_holds(struct run_state *st)
{
	struct strv all, to_release;
	int rc = 0;

	if (!st->keep_hold.n && !st->old_base.n)
		return 0;
	strv_init(&all);
	strv_init(&to_release);
	for (size_t i = 0; i < st->keep_hold.n; i++)
		strv_push(&all, st->keep_hold.v[i]);
	for (size_t i = 0; i < st->old_base.n; i++)
		if (!strv_contains(&all, st->old_base.v[i]) &&
		    !strchr(st->old_base.v[i], '#')) {
			strv_push(&all, st->old_base.v[i]);
			strv_push(&to_release, st->old_base.v[i]);
		}
	/* A base that stays a base keeps its hold; with nothing new to hold
	 * or release, the listing checks that it still is held. */
	struct strv to_hold;
	strv_init(&to_hold);
	for (size_t i = 0; i < st->keep_hold.n; i++)
		if (!strv_contains(&st->old_base, st->keep_hold.v[i]))
			strv_push(&to_hold, st->keep_hold.v[i]);
	bool guessed =
	        (to_hold.n || to_release.n) &&
	        (!to_hold.n ||
	         zfs_hold(st->src, st->tag, (const char *const *)to_hold.v,
	                  false) == 0) &&
	        (!to_release.n ||
	         zfs_release(st->src, st->tag,
	                     (const char *const *)to_release.v, false) == 0);
	if (!guessed) {
		zeit_clear_error(st->src->z);
		rc = move_holds_listed(st, &all);
	}
	strv_free(&to_hold);
	strv_free(&all);
	strv_free(&to_release);
	return rc;
}

/* Both sides' listings answer what was asked: the source's names its
 * root, a target's that exists names its root, and nothing lies outside
 * either. A listing that does not (an empty answer, say, from a peer that
 * is not zfs) would otherwise read as nothing to do. */
static int check_listings(struct run_state *st,
                          const struct zfs_dataset_list *sds)
{
	const struct send_request *req = st->req;
	bool src_root = false, dst_root = false;

	for (size_t i = 0; i < sds->n; i++) {
		if (!under(sds->v[i].name, req->source, req->recursive))
			goto bad_source;
		src_root |= !strcmp(sds->v[i].name, req->source);
	}
	for (size_t i = 0; i < st->tds.n; i++) {
		if (!under(st->tds.v[i].name, req->target, req->recursive))
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

int send_run(struct zfs *src, struct zfs *dst, const struct send_request *req,
             struct send_report *rep)
{
	struct zeit *z = src->z;
	struct run_state st = {.src = src, .dst = dst, .req = req, .rep = rep};
	struct zfs_dataset_list sds = {0};
	struct timespec t0;
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (zfs_name_check(z, req->source, ZFS_NAME_DATASET) < 0 ||
	    zfs_name_check(z, req->target, ZFS_NAME_DATASET) < 0)
		return -1;
	if (!strchr(req->target, '/'))
		return zeit_fail(z, EINVAL,
		                 "target %s is a pool; name a dataset in it "
		                 "(the pool's own dataset is never replaced)",
		                 req->target);
	if (!dst->host && !src->host && under(req->target, req->source, true))
		return zeit_fail(z, EINVAL, "target %s lies inside source %s",
		                 req->target, req->source);
	/* The tag names the target as the source sees it: its ssh host in a
	 * push, this machine's name in a pull (several backup hosts may pull
	 * into datasets of one name). */
	char self[256] = "";
	const char *thost = dst->host ? dst->host->ssh : NULL;
	if (!thost && src->host && gethostname(self, sizeof(self) - 1) == 0)
		thost = self;
	send_hold_tag(thost, req->target, st.tag, sizeof(st.tag));
	send_bookmark_prefix(thost, req->target, st.bmprefix,
	                     sizeof(st.bmprefix));
	send_bookmark_prefix_v1(thost, req->target, st.bmprefix_v1,
	                        sizeof(st.bmprefix_v1));
	strv_init(&st.tnames);
	strv_init(&st.keep_hold);
	strv_init(&st.old_base);
	strv_init(&st.bm_from);
	strv_init(&st.bm_new);
	strv_init(&st.bm_old);

	if (list_sides(&st, &sds) < 0 || check_listings(&st, &sds) < 0)
		goto out;

	const char **names = xcalloc(sds.n + 1, sizeof(char *));
	const char **origins = xcalloc(sds.n + 1, sizeof(char *));
	size_t *order = xcalloc(sds.n + 1, sizeof(size_t));
	for (size_t i = 0; i < sds.n; i++) {
		names[i] = sds.v[i].name;
		origins[i] = sds.v[i].values[SP_ORIGIN];
	}
	send_order(names, origins, sds.n, order);
	bool failed = false;
	for (size_t k = 0; k < sds.n; k++) {
		const struct zfs_dataset *d = &sds.v[order[k]];
		if (st.stalled) {
			char *tn = send_target_name(req->source, req->target,
			                            d->name);
			struct send_result *r = add_result(rep, d->name, tn);
			free(tn);
			r->failed = true;
			r->message = xstrdup("not tried: the target stalled");
			continue;
		}
		st.volume = d->type == ZFS_TYPE_VOLUME;
		if (send_one(&st, d->name, d->values[SP_ORIGIN],
		             d->values[SP_ENCRYPTION]) < 0 ||
		    rep->v[rep->n - 1].failed)
			failed = true;
	}
	free(names);
	free(origins);
	free(order);
	if (!z->dry_run) {
		/* A bookmark that cannot be made leaves the holds, which are
		 * what keeps the bases, to be moved all the same. */
		int brc = make_bookmarks(&st);
		char msg[sizeof(z->errmsg)];
		int err = z->err;
		snprintf(msg, sizeof(msg), "%s", zeit_error(z));
		if (move_holds(&st) < 0)
			goto out;
		if (brc < 0) {
			zeit_fail(z, err, "%s", msg);
			goto out;
		}
	}
	if (failed) {
		for (size_t i = 0; i < rep->n; i++)
			if (rep->v[i].failed) {
				zeit_fail(z, EIO, "%s: %s", rep->v[i].source,
				          rep->v[i].message ? rep->v[i].message
				                            : "failed");
				break;
			}
		goto out;
	}
	rc = 0;
out:
	rep->seconds = seconds_since(&t0);
	zfs_dataset_list_free(&sds);
	zfs_dataset_list_free(&st.tds);
	if (st.six_ok)
		zfs_snap_index_free(&st.six);
	if (st.tix_ok)
		zfs_snap_index_free(&st.tix);
	zfs_snap_list_free(&st.ssnaps);
	zfs_snap_list_free(&st.tsnaps);
	strv_free(&st.tnames);
	strv_free(&st.keep_hold);
	strv_free(&st.old_base);
	strv_free(&st.bm_from);
	strv_free(&st.bm_new);
	strv_free(&st.bm_old);
	free(st.arrived);
	return rc;
}
