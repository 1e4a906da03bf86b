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

#include "send_priv.h"
#include "zeit/props.h"
#include "zeit/snapname.h"
#include "zeit/ztime.h"

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
		free(r->v[i].note);
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

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
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

/* The stream's size, for the progress display or a resume's check: 0 to
 * go on, -1 on an error, 1 when a resume token's base is gone. */
static int estimate(struct run_state *st, const struct zfs_send_opts *so,
                    const char *ds, const struct send_step *s,
                    const char *token)
{
	uint64_t est = 0;

	if (st->req->on_step) {
		if (zfs_send_estimate(st->src, so, &est) < 0)
			return token ? 1 : -1;
		st->req->on_step(ds, s, est, st->req->arg);
	} else if (token && zfs_send_estimate(st->src, so, &est) < 0) {
		return 1;
	}
	return 0;
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
	const struct zfs_snap *to =
	        s ? send_find_snap(&st->ssnaps, &st->six, &st->six_ok, s->to)
	          : NULL;
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
	uint64_t bytes = 0;
	int e = estimate(st, &so, ds, s, token);
	if (e != 0) {
		strv_free(&props);
		return e;
	}
	struct stall_watch w = {.user = st->req->progress,
	                        .limit_s = st->req->stall_timeout_s > 0
	                                           ? st->req->stall_timeout_s
	                                           : 120};
	clock_gettime(CLOCK_MONOTONIC, &w.changed);
	if (st->req->limit && !st->bucket_ready) {
		rate_bucket_init(&st->bucket, st->req->limit, rate_clock_ns());
		st->bucket_ready = true;
	}
	struct run_progress prog = {
	        stall_fn, &w,
	        st->req->progress ? st->req->progress->interval_ms : 1000,
	        st->req->limit ? &st->bucket : NULL};
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

/* Whether the target's resume token asks for what this run would send: a
 * snapshot of ds that the source has (by name and guid), raw exactly when
 * the run is, from a base the source has. The target may be compromised,
 * and `zfs send -t` sends whatever the token names: another dataset's
 * snapshot, or plaintext of one that goes raw. Else why says what. */
static bool token_is_ours(struct run_state *st, const char *ds,
                          const char *token, bool raw, char *why, size_t len)
{
	struct zfs_resume_token t;
	struct zeit scratch;

	zeit_init(&scratch);
	if (zfs_resume_token_decode(&scratch, token, &t) < 0) {
		snprintf(why, len, "cannot be read (%s)", zeit_error(&scratch));
		return false;
	}
	const struct zfs_snap *to =
	        send_find_snap(&st->ssnaps, &st->six, &st->six_ok, t.toname);
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
	if (t.incremental && !send_source_has_guid(st, t.fromguid)) {
		snprintf(why, len, "resumes from a base %s does not have", ds);
		return false;
	}
	return true;
}

/* A resume token on the target: the interrupted receive is finished
 * when the token asks for what this run sends, else discarded (and the
 * result's note says why). *ti is the target's row, looked up again. */
static int settle_resume(struct run_state *st, const char *ds,
                         const char *tname, bool raw, struct send_result *res,
                         long *ti)
{
	struct zeit *z = st->src->z;
	const char *token = *ti >= 0 ? st->tds.v[*ti].values[TP_TOKEN] : "-";
	char why[512];

	if (!strcmp(token, "-") || !*token)
		return 0;
	if (!token_is_ours(st, ds, token, raw, why, sizeof(why))) {
		res->note = xasprintf("%s: discarding the interrupted receive: "
		                      "its resume token %s",
		                      tname, why);
		res->aborted_resume = true;
	} else if (z->dry_run) {
		res->resumed = true;
		return 0;
	} else {
		zeit_note(z, 1, "%s: resuming an interrupted receive", tname);
		int r = stream(st, ds, tname, NULL, raw, false, token, res);
		if (r < 0)
			return -1;
		res->resumed = r == 0;
		if (r > 0) {
			zeit_note(z, 1,
			          "%s: the interrupted stream's base is gone "
			          "(%s); discarding it",
			          tname, zeit_error(z));
			zeit_clear_error(z);
		}
	}
	if (z->dry_run)
		return 0;
	if (!res->resumed) {
		if (zfs_recv_abort(st->dst, tname) < 0)
			return -1;
		res->aborted_resume = true;
	}
	if (send_relist_one(st, tname) < 0)
		return -1;
	*ti = send_find_target(st, tname);
	return 0;
}

/* One dataset's two sides as the planner sees them. */
struct sides {
	struct send_side s, t;
	struct zfs_snap *sv, *tv; /* the slices s and t point into */
	const char *clone_from;
};

static void load_sides(struct run_state *st, const char *ds, const char *tname,
                       long ti, const char *origin, struct sides *o)
{
	memset(o, 0, sizeof(*o));
	o->sv = send_slice(&st->ssnaps, &st->six, &st->six_ok, ds, &o->s.n);
	o->s.snaps = o->sv;
	o->s.exists = true;
	o->tv = send_slice(&st->tsnaps, &st->tix, &st->tix_ok, tname, &o->t.n);
	o->t.snaps = o->tv;
	o->t.exists = ti >= 0;
	if (ti >= 0) {
		unsigned long long w = 0;
		parse_u64(st->tds.v[ti].values[TP_WRITTEN], &w);
		o->t.written = w;
		o->t.placeholder =
		        !strcmp(st->tds.v[ti].values[TP_PLACEHOLDER], tname);
		if (o->t.placeholder)
			o->t.written = 0;
	}
	/* A clone goes as an increment from its origin when the target has
	 * that origin, so it arrives as a clone there too. */
	if (origin && strcmp(origin, "-")) {
		const struct zfs_snap *os = send_find_snap(
		        &st->ssnaps, &st->six, &st->six_ok, origin);
		if (os && send_target_has_guid(st, os->guid))
			o->clone_from = os->name;
	}
}

enum step { STEP_GO, STEP_DONE, STEP_REFUSED, STEP_FAILED };

/* --force: the user named this target to be replaced, and a full
 * receive needs it without snapshots. */
static int clear_target(struct run_state *st, const char *tname,
                        const struct send_side *t)
{
	struct zeit *z = st->src->z;
	const char **doomed = xcalloc(t->n + 1, sizeof(char *));
	size_t nd = 0;

	for (size_t i = 0; i < t->n; i++)
		if (!t->snaps[i].bookmark)
			doomed[nd++] = t->snaps[i].name;
	zeit_note(z, 1, "%s: --force: destroying its %zu snapshots", tname, nd);
	int rc = nd && !z->dry_run
	                 ? zfs_destroy_snapshots(st->dst, doomed, false)
	                 : 0;
	free(doomed);
	return rc;
}

/* What the verdict asks before any stream: nothing to do, a refusal, a
 * rollback, a parent to create, a target to clear. */
static enum step before_streams(struct run_state *st, const char *tname,
                                const struct send_plan *plan,
                                const struct send_side *t,
                                struct send_result *res)
{
	struct zeit *z = st->src->z;

	switch (plan->verdict) {
	case SEND_NOTHING: res->message = xstrdup(plan->why); return STEP_DONE;
	case SEND_NO_COMMON:
		res->message = xstrdup(plan->why);
		return STEP_REFUSED;
	case SEND_DIVERGED:
		if (!st->req->rollback) {
			res->message = xstrdup(plan->why);
			return STEP_REFUSED;
		}
		zeit_note(z, 1, "%s: rolling back to %s (%s)", tname,
		          plan->tbase->name, plan->why);
		if (!z->dry_run &&
		    zfs_rollback(st->dst, plan->tbase->name,
		                 ZFS_ROLLBACK_LATER | ZFS_ROLLBACK_FORCE) < 0)
			return STEP_FAILED;
		break;
	default: break;
	}
	if (plan->verdict == SEND_FULL && ensure_parent(st, tname) < 0)
		return STEP_FAILED;
	if (plan->force_recv && t->n && clear_target(st, tname, t) < 0)
		return STEP_FAILED;
	return STEP_GO;
}

static int run_streams(struct run_state *st, const char *ds, const char *tname,
                       const struct send_plan *plan, const struct sides *o,
                       bool raw, struct send_result *res)
{
	struct zeit *z = st->src->z;

	for (size_t i = 0; i < plan->nsteps && !z->dry_run; i++) {
		if (stream(st, ds, tname, &plan->steps[i], raw,
		           i == 0 && plan->force_recv, NULL, res) != 0)
			return -1;
		send_note_arrived(st, o->sv, o->s.n, &plan->steps[i]);
	}
	res->streams = z->dry_run ? plan->nsteps : res->streams;
	return 0;
}

/* Where the target ends: its bookkeeping, the base's hold and bookmark. */
static int after_streams(struct run_state *st, const char *ds,
                         const char *tname, const struct send_plan *plan,
                         const struct sides *o, struct send_result *res)
{
	struct zeit *z = st->src->z;
	const struct zfs_snap *newest = plan->newest;

	if (!newest)
		return 0;
	res->newest = xstrdup(newest->name);
	/* Nothing new, and the base's snapshot is gone (destroyed by hand
	 * after a release): its bookmark stays the base, and a bookmark can
	 * be neither held nor bookmarked again. */
	if (!newest->bookmark)
		strv_push(&st->keep_hold, newest->name);
	/* The last receive set the bookkeeping when it ended at newest; a
	 * resumed stream carries no properties. */
	bool in_recv = plan->nsteps && !res->resumed &&
	               !strcmp(plan->steps[plan->nsteps - 1].to, newest->name);
	if (!z->dry_run && (res->streams || res->resumed) &&
	    set_bookkeeping(st, ds, tname, newest, in_recv) < 0)
		return -1;
	/* Also when up to date: a run cut off before its bookmarks left the
	 * base without one. */
	if (!z->dry_run && !newest->bookmark)
		send_queue_bookmark(st, ds, newest, o->sv, o->s.n);
	return 0;
}

static int send_one(struct run_state *st, const char *ds, const char *origin,
                    const char *encryption)
{
	const struct send_request *req = st->req;
	char *tname = send_target_name(req->source, req->target, ds);
	struct send_result *res = add_result(st->rep, ds, tname);
	bool raw = wants_raw(req, encryption);
	long ti = send_find_target(st, tname);
	struct send_plan plan;
	struct sides o;
	int rc = -1;

	if (settle_resume(st, ds, tname, raw, res, &ti) < 0) {
		fail_result(st, res);
		free(tname);
		return -1;
	}
	load_sides(st, ds, tname, ti, origin, &o);
	send_plan_dataset(&o.s, &o.t, &req->select, o.clone_from, req->force,
	                  &plan);
	res->verdict = plan.verdict;
	if (plan.base)
		strv_push(&st->old_base, plan.base->name);
	enum step go = before_streams(st, tname, &plan, &o.t, res);
	if (go == STEP_DONE)
		rc = 0;
	else if (go == STEP_REFUSED)
		res->failed = true;
	else if (go == STEP_FAILED ||
	         run_streams(st, ds, tname, &plan, &o, raw, res) < 0 ||
	         after_streams(st, ds, tname, &plan, &o, res) < 0)
		fail_result(st, res);
	else
		rc = 0;
	send_plan_free(&plan);
	free(o.sv);
	free(o.tv);
	free(tname);
	return rc;
}

static int check_request(struct zeit *z, const struct zfs *src,
                         const struct zfs *dst, const struct send_request *req)
{
	if (zfs_name_check(z, req->source, ZFS_NAME_DATASET) < 0 ||
	    zfs_name_check(z, req->target, ZFS_NAME_DATASET) < 0)
		return -1;
	if (!strchr(req->target, '/'))
		return zeit_fail(z, EINVAL,
		                 "target %s is a pool; name a dataset in it "
		                 "(the pool's own dataset is never replaced)",
		                 req->target);
	if (!dst->host && !src->host &&
	    send_under(req->target, req->source, true))
		return zeit_fail(z, EINVAL, "target %s lies inside source %s",
		                 req->target, req->source);
	return 0;
}

static void state_init(struct run_state *st)
{
	/* The tag names the target as the source sees it: its ssh host in a
	 * push, this machine's name in a pull (several backup hosts may pull
	 * into datasets of one name). */
	char self[256] = "";
	const char *thost = st->dst->host ? st->dst->host->ssh : NULL;
	if (!thost && st->src->host && gethostname(self, sizeof(self) - 1) == 0)
		thost = self;
	send_hold_tag(thost, st->req->target, st->tag, sizeof(st->tag));
	send_bookmark_prefix(thost, st->req->target, st->bmprefix,
	                     sizeof(st->bmprefix));
	send_bookmark_prefix_v1(thost, st->req->target, st->bmprefix_v1,
	                        sizeof(st->bmprefix_v1));
	strv_init(&st->tnames);
	strv_init(&st->keep_hold);
	strv_init(&st->old_base);
	strv_init(&st->bm_from);
	strv_init(&st->bm_new);
	strv_init(&st->bm_old);
}

static void state_free(struct run_state *st)
{
	zfs_dataset_list_free(&st->tds);
	if (st->six_ok)
		zfs_snap_index_free(&st->six);
	if (st->tix_ok)
		zfs_snap_index_free(&st->tix);
	zfs_snap_list_free(&st->ssnaps);
	zfs_snap_list_free(&st->tsnaps);
	strv_free(&st->tnames);
	strv_free(&st->keep_hold);
	strv_free(&st->old_base);
	strv_free(&st->bm_from);
	strv_free(&st->bm_new);
	strv_free(&st->bm_old);
	free(st->arrived);
}

/* Every dataset, parents first and clones after their origins; once the
 * target stalls the rest are not tried. Returns whether one failed. */
static bool send_all(struct run_state *st, const struct zfs_dataset_list *sds)
{
	const struct send_request *req = st->req;
	const char **names = xcalloc(sds->n + 1, sizeof(char *));
	const char **origins = xcalloc(sds->n + 1, sizeof(char *));
	size_t *order = xcalloc(sds->n + 1, sizeof(size_t));
	bool failed = false;

	for (size_t i = 0; i < sds->n; i++) {
		names[i] = sds->v[i].name;
		origins[i] = sds->v[i].values[SP_ORIGIN];
	}
	send_order(names, origins, sds->n, order);
	for (size_t k = 0; k < sds->n; k++) {
		const struct zfs_dataset *d = &sds->v[order[k]];
		if (st->stalled) {
			char *tn = send_target_name(req->source, req->target,
			                            d->name);
			struct send_result *r =
			        add_result(st->rep, d->name, tn);
			free(tn);
			r->failed = true;
			r->message = xstrdup("not tried: the target stalled");
			continue;
		}
		st->volume = d->type == ZFS_TYPE_VOLUME;
		if (send_one(st, d->name, d->values[SP_ORIGIN],
		             d->values[SP_ENCRYPTION]) < 0 ||
		    st->rep->v[st->rep->n - 1].failed)
			failed = true;
	}
	free(names);
	free(origins);
	free(order);
	return failed;
}

/* The bases' bookmarks, then their holds: a bookmark that cannot be made
 * leaves the holds, which are what keeps the bases, to be moved all the
 * same. */
static int protect_bases(struct run_state *st)
{
	struct zeit *z = st->src->z;
	int brc = send_make_bookmarks(st);
	char msg[sizeof(z->errmsg)];
	int err = z->err;

	snprintf(msg, sizeof(msg), "%s", zeit_error(z));
	if (send_move_holds(st) < 0)
		return -1;
	if (brc < 0)
		return zeit_fail(z, err, "%s", msg);
	return 0;
}

/* Drops the rows of the trees req->exclude leaves out. */
static void drop_excluded(const struct send_request *req,
                          struct zfs_dataset_list *sds)
{
	size_t k = 0;
	for (size_t i = 0; i < sds->n; i++) {
		bool out = false;
		for (size_t e = 0; req->exclude && req->exclude[e]; e++)
			out |= zfs_name_under(sds->v[i].name, req->exclude[e]);
		if (out)
			zfs_dataset_free(&sds->v[i], sds->nprops);
		else
			sds->v[k++] = sds->v[i];
	}
	sds->n = k;
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
	if (check_request(z, src, dst, req) < 0)
		return -1;
	state_init(&st);
	if (send_list_sides(&st, &sds) < 0 ||
	    send_check_listings(&st, &sds) < 0)
		goto out;
	if (req->recursive && req->exclude)
		drop_excluded(req, &sds);
	bool failed = send_all(&st, &sds);
	if (!z->dry_run && protect_bases(&st) < 0)
		goto out;
	for (size_t i = 0; failed && i < rep->n; i++)
		if (rep->v[i].failed) {
			zeit_fail(z, EIO, "%s: %s", rep->v[i].source,
			          rep->v[i].message ? rep->v[i].message
			                            : "failed");
			break;
		}
	rc = failed ? -1 : 0;
out:
	rep->seconds = seconds_since(&t0);
	zfs_dataset_list_free(&sds);
	state_free(&st);
	return rc;
}
