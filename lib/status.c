/* zeit status: the evaluator (pure), the three listings, and the
 * Prometheus textfile. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "status_priv.h"
#include "zeit/props.h"
#include "zeit/select.h"
#include "zeit/send_to.h"
#include "zeit/status.h"
#include "zeit/ztime.h"

static const char *const extra[] = {ZEIT_PROP_SOURCE,
                                    "receive_resume_token",
                                    ZEIT_PROP_LAST_SENT,
                                    ZEIT_PROP_TRIAL,
                                    "creation",
                                    ZEIT_PROP_SNAP_OK,
                                    ZEIT_PROP_PRUNE_OK,
                                    ZEIT_PROP_BISECT_RESULT,
                                    NULL};

const char *const *status_extra_props(void)
{
	return extra;
}

const char *status_state_name(enum status_state s)
{
	switch (s) {
	case STATUS_OK: return "OK";
	case STATUS_WARNING: return "WARNING";
	case STATUS_CRITICAL: return "CRITICAL";
	case STATUS_UNKNOWN: break;
	}
	return "UNKNOWN";
}

void status_report_free(struct status_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].subject);
		free(r->v[i].check);
		free(r->v[i].detail);
		free(r->v[i].source);
		free(r->v[i].pool_state);
		free(r->v[i].job);
		free(r->v[i].hold_tag);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static struct status_check *add(struct status_report *r, enum status_kind k,
                                const char *subject, const char *check)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	struct status_check *c = &r->v[r->n++];
	memset(c, 0, sizeof(*c));
	c->kind = k;
	c->subject = xstrdup(subject);
	c->check = xstrdup(check);
	c->tier = ZEIT_TIER_NONE;
	c->age = c->count = c->lag = c->lag_snaps = -1;
	c->capacity = -1;
	c->scrub_age = -1;
	for (int e = 0; e < 4; e++)
		c->errors[e] = -1;
	return c;
}

__attribute__((format(printf, 3, 4))) static void
set(struct status_check *c, enum status_state s, const char *fmt, ...)
{
	va_list ap;
	struct buf b;
	buf_init(&b);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(c->detail);
	c->detail = buf_detach(&b);
	c->state = s;
}

static void human_age(long long s, char *out, size_t len)
{
	if (s < 0)
		snprintf(out, len, "?");
	else if (s < 3600)
		snprintf(out, len, "%lldm", s / 60);
	else if (s < 2 * 86400)
		snprintf(out, len, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(out, len, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}

static bool in_roots(const char *const *roots, const char *name)
{
	if (!roots || !roots[0])
		return true;
	for (size_t i = 0; roots[i]; i++)
		if (zfs_name_under(name, roots[i]))
			return true;
	return false;
}

static void check_tiers(struct zeit *z, const struct zeit_config *cfg,
                        const struct status_input *in,
                        const struct zfs_snap_index *ix,
                        const struct zfs_dataset *d, struct status_report *r)
{
	struct ds_view v;
	struct policy pol;
	time_t newest[ZEIT_TIER_COUNT] = {0};
	long long count[ZEIT_TIER_COUNT] = {0};
	size_t nm;

	ds_view_from(d, &v);
	if (!ds_auto_selected(&v, cfg))
		return;
	if (config_policy(z, cfg, v.name, v.keep, &pol) < 0) {
		struct status_check *c = add(r, STATUS_TIER, v.name, "policy");
		set(c, STATUS_UNKNOWN, "%s", zeit_error(z));
		zeit_clear_error(z);
		return;
	}
	const struct zfs_snap *const *mine = zfs_snap_index_of(ix, v.name, &nm);
	/* Adopted schemes' snapshots are this history too. */
	const char **names = xcalloc(nm + 1, sizeof(*names));
	uint64_t *txg = xcalloc(nm + 1, sizeof(*txg));
	struct snapname *sn = xcalloc(nm + 1, sizeof(*sn));
	size_t n = 0;
	for (size_t i = 0; i < nm; i++) {
		if (mine[i]->bookmark)
			continue;
		names[n] = mine[i]->name;
		txg[n++] = mine[i]->createtxg;
	}
	snapname_read_dataset(&cfg->names, cfg->adopt | SNAP_ORIGIN_ZEIT, names,
	                      txg, n, sn);
	for (size_t i = 0; i < n; i++) {
		enum zeit_tier t = sn[i].tier;
		/* One dated in the future is no newest (check_future). */
		if (!sn[i].origin || t == ZEIT_TIER_NONE ||
		    sn[i].when > in->now)
			continue;
		count[t]++;
		if (sn[i].when > newest[t])
			newest[t] = sn[i].when;
	}
	free(names);
	free(txg);
	free(sn);
	for (int t = 0; t < ZEIT_TIER_COUNT; t++) {
		if (!policy_tier_enabled(&pol, (enum zeit_tier)t) ||
		    v.tier_off[t])
			continue;
		struct status_check *c =
		        add(r, STATUS_TIER, v.name, zeit_tier_name(t));
		long long period = tier_period((enum zeit_tier)t);
		c->tier = (enum zeit_tier)t;
		c->count = count[t];
		if (!newest[t]) {
			set(c, STATUS_CRITICAL, "no %s snapshot",
			    zeit_tier_name(t));
			continue;
		}
		c->age = (long long)(in->now - newest[t]);
		char age[32];
		human_age(c->age, age, sizeof(age));
		if (c->age > cfg->status.crit * (double)period)
			set(c, STATUS_CRITICAL,
			    "newest is %s old (over %g periods): snapshots "
			    "stopped?",
			    age, cfg->status.crit);
		else if (c->age > cfg->status.warn * (double)period)
			set(c, STATUS_WARNING,
			    "newest is %s old (over %g periods)", age,
			    cfg->status.warn);
		else
			set(c, STATUS_OK, "newest is %s old, %lld kept", age,
			    c->count);
	}
}

static long find_dataset(const struct zfs_dataset_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return (long)i;
	return -1;
}

static int by_guid(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The newest of the source's snapshots sv that the target tv has (by
 * guid), or NULL. The target's guids are sorted and searched once a
 * source snapshot: a history of 100,000 must not cost their product. */
static const struct zfs_snap *last_common(const struct zfs_snap *const *sv,
                                          size_t ns,
                                          const struct zfs_snap *const *tv,
                                          size_t nt)
{
	const struct zfs_snap *common = NULL;
	uint64_t *tg = xcalloc(nt + 1, sizeof(*tg));
	size_t ntg = 0;

	for (size_t k = 0; k < nt; k++)
		if (!tv[k]->bookmark)
			tg[ntg++] = tv[k]->guid;
	qsort(tg, ntg, sizeof(*tg), by_guid);
	for (size_t i = 0; i < ns; i++)
		if (!sv[i]->bookmark &&
		    bsearch(&sv[i]->guid, tg, ntg, sizeof(*tg), by_guid))
			common = sv[i];
	free(tg);
	return common;
}

static time_t snap_time(const struct zeit_config *cfg, const char *name,
                        unsigned origins)
{
	struct snapname sn;
	return snapname_read(&cfg->names, name, origins, &sn) ? sn.when : 0;
}

/* Snapshots whose name's time is after now: the clock was ahead once,
 * here or on a replica's source. They count as no tier's newest, so they
 * are reported, by name. */
static void check_future(const struct zeit_config *cfg,
                         const struct status_input *in,
                         const struct zfs_snap_index *ix,
                         const struct zfs_dataset *d, struct status_report *r)
{
	unsigned origins = cfg->adopt | SNAP_ORIGIN_ZEIT;
	struct buf names;
	size_t nm, n = 0;

	buf_init(&names);
	const struct zfs_snap *const *mine =
	        zfs_snap_index_of(ix, d->name, &nm);
	for (size_t i = 0; i < nm; i++) {
		time_t when = mine[i]->bookmark
		                      ? 0
		                      : snap_time(cfg, mine[i]->name, origins);
		if (when <= in->now)
			continue;
		if (n++ < 5)
			buf_addf(&names, "%s%s", n > 1 ? ", " : "",
			         strchr(mine[i]->name, '@') + 1);
	}
	if (n) {
		struct status_check *c = add(r, STATUS_CLOCK, d->name, "clock");
		set(c, STATUS_WARNING,
		    "%zu snapshot%s dated in the future (a clock was ahead), "
		    "not counted as newest: %s%s",
		    n, n == 1 ? "" : "s", names.data, n > 5 ? ", ..." : "");
	}
	buf_free(&names);
}

/* A replica whose source is not here: only the last transfer's time. */
static void check_remote_replica(const struct zeit_config *cfg,
                                 const struct status_input *in,
                                 const struct zfs_dataset *d,
                                 const char *source, const char *sds,
                                 bool local, struct status_check *c)
{
	time_t sent;

	if (local) {
		set(c, STATUS_CRITICAL, "its source %s is gone", sds);
		return;
	}
	if (!ztime_parse(d->values[DSP_COUNT + STP_LAST_SENT], &sent)) {
		set(c, STATUS_UNKNOWN, "no record of the last transfer");
		return;
	}
	c->lag = (long long)(in->now - sent);
	char age[32];
	human_age(c->lag, age, sizeof(age));
	set(c,
	    c->lag > cfg->status.replica_crit   ? STATUS_CRITICAL
	    : c->lag > cfg->status.replica_warn ? STATUS_WARNING
	                                        : STATUS_OK,
	    "last received %s ago (the source is on %s)", age, source);
}

static void check_replica(const struct zeit_config *cfg,
                          const struct status_input *in,
                          const struct zfs_snap_index *ix,
                          const struct zfs_dataset *d, const char *source,
                          struct status_report *r)
{
	const char *colon = strchr(source, ':');
	const char *sds = colon ? colon + 1 : source;
	char *host = colon ? xstrndup(source, colon - source) : xstrdup("");
	char *what = xasprintf("replica of %s", source);
	struct status_check *c = add(r, STATUS_REPLICA, d->name, what);
	unsigned origins = cfg->adopt | SNAP_ORIGIN_ZEIT;
	size_t ns, nt;

	free(what);
	c->source = xstrdup(source);
	c->resume_pending = strcmp(d->values[DSP_COUNT + STP_TOKEN], "-") &&
	                    *d->values[DSP_COUNT + STP_TOKEN];
	bool local = !*host || !strcmp(host, in->hostname);
	free(host);
	if (!local || find_dataset(in->datasets, sds) < 0) {
		check_remote_replica(cfg, in, d, source, sds, local, c);
		return;
	}
	const struct zfs_snap *const *sv = zfs_snap_index_of(ix, sds, &ns);
	const struct zfs_snap *const *tv = zfs_snap_index_of(ix, d->name, &nt);
	const struct zfs_snap *common = last_common(sv, ns, tv, nt),
	                      *newest = NULL;
	for (size_t i = 0; i < ns; i++) {
		const struct zfs_snap *s = sv[i];
		if (s->bookmark)
			continue;
		time_t st = snap_time(cfg, s->name, origins);
		if (st && st <= in->now)
			newest = s;
	}
	if (!common) {
		set(c, STATUS_CRITICAL, "no snapshot in common with %s", sds);
		return;
	}
	c->lag_snaps = 0;
	for (size_t i = 0; i < ns; i++)
		if (!sv[i]->bookmark && sv[i]->createtxg > common->createtxg &&
		    snap_time(cfg, sv[i]->name, origins))
			c->lag_snaps++;
	time_t tc = snap_time(cfg, common->name, origins),
	       tn = newest ? snap_time(cfg, newest->name, origins) : 0;
	c->lag = tc && tn > tc ? (long long)(tn - tc) : 0;
	char lag[32];
	human_age(c->lag, lag, sizeof(lag));
	const char *at = strchr(common->name, '@') + 1;
	enum status_state s =
	        c->lag > cfg->status.replica_crit   ? STATUS_CRITICAL
	        : c->lag > cfg->status.replica_warn ? STATUS_WARNING
	                                            : STATUS_OK;
	if (c->resume_pending && s == STATUS_OK)
		s = STATUS_WARNING;
	set(c, s, "%lld snapshot%s (%s) behind; last common @%s%s",
	    c->lag_snaps, c->lag_snaps == 1 ? "" : "s", lag, at,
	    c->resume_pending ? "; an interrupted transfer waits to resume"
	                      : "");
}

static bool pool_wanted(const char *const *roots, const char *pool)
{
	if (!roots || !roots[0])
		return true;
	for (size_t k = 0; roots[k]; k++) {
		char p[ZFS_MAX_NAME_LEN + 1];
		zfs_pool_of(roots[k], p, sizeof(p));
		if (!strcmp(p, pool))
			return true;
	}
	return false;
}

/* The pool's state and errors: DEGRADED (redundancy lost) or device
 * errors warn; permanent data errors and any state in which the pool
 * cannot serve (FAULTED, UNAVAIL, SUSPENDED, ...) are critical. */
static void check_health(const struct zpool_health *h, struct status_report *r)
{
	struct status_check *c = add(r, STATUS_HEALTH, h->pool, "health");
	c->pool_state = xstrdup(h->state);
	c->errors[0] = h->read_errors;
	c->errors[1] = h->write_errors;
	c->errors[2] = h->cksum_errors;
	c->errors[3] = h->data_errors;
	bool online = !strcmp(h->state, "ONLINE");
	long long dev = h->read_errors + h->write_errors + h->cksum_errors;
	enum status_state s = online                          ? STATUS_OK
	                      : !strcmp(h->state, "DEGRADED") ? STATUS_WARNING
	                                                      : STATUS_CRITICAL;
	if (dev > 0 && s == STATUS_OK)
		s = STATUS_WARNING;
	if (h->data_errors > 0)
		s = STATUS_CRITICAL;
	struct buf b;
	buf_init(&b);
	buf_addf(&b, "%s", h->state);
	if (dev > 0)
		buf_addf(&b, "; %lld read, %lld write, %lld checksum errors",
		         h->read_errors, h->write_errors, h->cksum_errors);
	if (h->data_errors > 0)
		buf_addf(&b, "; %lld permanent data error%s", h->data_errors,
		         h->data_errors == 1 ? "" : "s");
	if (s != STATUS_OK)
		buf_addf(&b, " (zpool status -v %s)", h->pool);
	set(c, s, "%s", b.data);
	buf_free(&b);
}

/* The last finished scrub against [status] scrub_warn. A pool never
 * scrubbed warns once its root dataset is older than that. */
static void check_scrub(const struct zeit_config *cfg,
                        const struct status_input *in,
                        const struct zpool_health *h, struct status_report *r)
{
	if (cfg->status.scrub_warn <= 0)
		return;
	struct status_check *c = add(r, STATUS_SCRUB, h->pool, "scrub");
	char age[32];
	if (h->scrub_running) {
		set(c, STATUS_OK, "a scrub is running");
		return;
	}
	if (h->scrub_end > 0) {
		c->scrub_age = (long long)(in->now - h->scrub_end);
		human_age(c->scrub_age < 0 ? 0 : c->scrub_age, age,
		          sizeof(age));
		set(c,
		    c->scrub_age > cfg->status.scrub_warn ? STATUS_WARNING
		                                          : STATUS_OK,
		    "last finished %s ago", age);
		return;
	}
	long p = find_dataset(in->datasets, h->pool);
	char *end;
	long long born =
	        p < 0 ? 0
	              : strtoll(in->datasets->v[p]
	                                .values[DSP_COUNT + STP_CREATION],
	                        &end, 10);
	bool old = born > 0 && in->now - born > cfg->status.scrub_warn;
	set(c, old ? STATUS_WARNING : STATUS_OK, "never scrubbed%s",
	    old ? " (zpool scrub)" : "");
}

static void check_pools(const struct zeit_config *cfg,
                        const struct status_input *in, struct status_report *r)
{
	for (size_t i = 0; in->health && i < in->health->n; i++) {
		const struct zpool_health *h = &in->health->v[i];
		bool seen =
		        false; /* the first record of a name is the pool's */
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(in->health->v[k].pool, h->pool);
		if (seen || !pool_wanted(in->roots, h->pool))
			continue;
		check_health(h, r);
		check_scrub(cfg, in, h, r);
	}
}

struct status_check *status_check_add(struct status_report *r,
                                      enum status_kind k, const char *subject,
                                      const char *check)
{
	return add(r, k, subject, check);
}

void status_check_set(struct status_check *c, enum status_state s,
                      const char *detail)
{
	set(c, s, "%s", detail);
}

static int worst_first(const void *a, const void *b)
{
	const struct status_check *x = a, *y = b;
	if (x->state != y->state) {
		/* UNKNOWN sorts between WARNING and CRITICAL in urgency. */
		static const int rank[] = {0, 1, 3, 2};
		return rank[y->state] - rank[x->state];
	}
	int c = strcmp(x->subject, y->subject);
	return c ? c : strcmp(x->check, y->check);
}

/* A trial boot that never confirmed (be_trial.c wrote "failed DATASET"
 * on the environment; the name proves the mark its own, not inherited). */
static void check_trial(const struct zfs_dataset *d, struct status_report *r)
{
	const char *v = d->values[DSP_COUNT + STP_TRIAL];
	if (!str_starts(v, "failed ") || strcmp(v + strlen("failed "), d->name))
		return;
	set(add(r, STATUS_BOOT, d->name, "trial boot"), STATUS_WARNING,
	    "booted once on trial and never confirmed; the default was kept");
}

/* The answer a boot bisection kept on the BE root ("first-bad=SNAP
 * last-good=SNAP"): the BE root's own when the snapshot is of one of its
 * children (its children inherit the value). */
static void check_bisect(const struct zfs_dataset *d, struct status_report *r)
{
	const char *v = d->values[DSP_COUNT + STP_BISECT_RESULT];
	const char *eq = strchr(v, '=');
	size_t n = strlen(d->name);
	if (!eq || strncmp(eq + 1, d->name, n) || eq[1 + n] != '/')
		return;
	struct status_check *c = add(r, STATUS_BOOT, d->name, "bisect");
	set(c, STATUS_OK, "the last boot bisection ended with %s", v);
}

int status_evaluate(struct zeit *z, const struct zeit_config *cfg,
                    const struct status_input *in, struct status_report *out)
{
	struct zfs_snap_index ix;

	memset(out, 0, sizeof(*out));
	zfs_snap_index_build(&ix, in->snaps);

	for (size_t i = 0; i < in->datasets->n; i++) {
		const struct zfs_dataset *d = &in->datasets->v[i];
		if (!in_roots(in->roots, d->name))
			continue;
		check_tiers(z, cfg, in, &ix, d, out);
		check_future(cfg, in, &ix, d, out);
		check_trial(d, out);
		check_bisect(d, out);
		/* A replica has its own org.zeit:source; its children that
		 * merely inherit one are not replicas themselves. */
		const char *src = d->values[DSP_COUNT + STP_SOURCE];
		if (strcmp(src, "-")) {
			const char *slash = strrchr(d->name, '/');
			long p = -1;
			if (slash) {
				char *parent =
				        xstrndup(d->name, slash - d->name);
				p = find_dataset(in->datasets, parent);
				free(parent);
			}
			if (p < 0 ||
			    strcmp(in->datasets->v[p]
			                   .values[DSP_COUNT + STP_SOURCE],
			           src))
				check_replica(cfg, in, &ix, d, src, out);
		}
	}
	for (size_t i = 0; in->capacity && i < in->capacity->n; i++) {
		const struct zfs_prop *p = &in->capacity->v[i];
		bool wanted = !in->roots || !in->roots[0];
		for (size_t k = 0; !wanted && in->roots[k]; k++) {
			char pool[ZFS_MAX_NAME_LEN + 1];
			zfs_pool_of(in->roots[k], pool, sizeof(pool));
			wanted = !strcmp(pool, p->dataset);
		}
		if (strcmp(p->name, "capacity") || !wanted)
			continue;
		struct status_check *c =
		        add(out, STATUS_POOL, p->dataset, "capacity");
		c->capacity = atoi(p->value);
		set(c,
		    c->capacity >= cfg->status.capacity_crit   ? STATUS_CRITICAL
		    : c->capacity >= cfg->status.capacity_warn ? STATUS_WARNING
		                                               : STATUS_OK,
		    "%d%% full", c->capacity);
	}
	check_pools(cfg, in, out);
	status_check_jobs(cfg, in, out);
	status_check_holds(cfg, in, &ix, out);
	zfs_snap_index_free(&ix);
	qsort(out->v, out->n, sizeof(*out->v), worst_first);
	out->worst = STATUS_OK;
	for (size_t i = 0; i < out->n; i++) {
		static const int rank[] = {0, 1, 3, 2};
		if (rank[out->v[i].state] > rank[out->worst])
			out->worst = out->v[i].state;
	}
	return 0;
}

int status_run(struct zfs *zh, const struct zeit_config *cfg,
               const char *const *roots, struct status_report *out)
{
	struct zfs_dataset_list ds = {0};
	struct zfs_snap_list snaps = {0};
	struct zfs_prop_list cap = {0};
	struct zpool_health_list health = {0};
	struct zfs_hold_list holds = {0};
	struct strv props, trees, sources;
	char *holds_error = NULL;
	char host[256] = "";
	int rc = -1;

	strv_init(&props);
	strv_init(&trees);
	strv_init(&sources);
	strv_pushv(&props, select_props());
	strv_pushv(&props, status_extra_props());
	status_job_props(cfg, &props);
	strv_push(&props, ZEIT_PROP_SEND_TO); /* last: status_send_to.c */
	struct zeit_config all = *cfg;
	all.jobs = NULL;
	/* One call each, for every pool. */
	if (zfs_list_datasets(zh, NULL, -1,
	                      ZFS_TYPE_FILESYSTEM | ZFS_TYPE_VOLUME,
	                      (const char *const *)props.v, &ds) < 0 ||
	    status_send_to_jobs(zh, cfg, &ds, &all) < 0)
		goto out;
	for (size_t i = 0; roots && roots[i]; i++)
		if (find_dataset(&ds, roots[i]) < 0) {
			zeit_fail(zh->z, ENOENT,
			          "cannot open '%s': dataset does not exist",
			          roots[i]);
			goto out;
		}
	gethostname(host, sizeof(host) - 1);
	if (status_list_snaps(zh, &ds, roots, host, &snaps) < 0)
		goto out;
	const char *const cp[] = {"capacity", NULL};
	if (zpool_get_values(zh, NULL, cp, &cap) < 0 ||
	    zpool_health_list(zh, &health) < 0)
		goto out;
	/* Holds a hostile tag makes unreadable are one unknown check, not
	 * a status that cannot run. */
	if (roots && roots[0])
		status_snap_scope(&ds, roots, host, &trees, &sources);
	if (zfs_holds_in_trees(zh, (const char *const *)trees.v, &holds) < 0) {
		holds_error = xstrdup(zeit_error(zh->z));
		zeit_clear_error(zh->z);
	}
	struct status_input in = {
	        .datasets = &ds,
	        .snaps = &snaps,
	        .capacity = &cap,
	        .health = &health,
	        .roots = roots,
	        .hostname = host,
	        .now = zh->z->now,
	        .holds = holds_error ? NULL : &holds,
	        .holds_error = holds_error,
	};
	rc = status_evaluate(zh->z, &all, &in, out);
out:
	free(holds_error);
	zfs_hold_list_free(&holds);
	strv_free(&trees);
	strv_free(&sources);
	status_send_to_free(&all, cfg->njobs);
	strv_free(&props);
	zfs_dataset_list_free(&ds);
	zfs_snap_list_free(&snaps);
	zfs_prop_list_free(&cap);
	zpool_health_list_free(&health);
	return rc;
}

/* Label values escape backslash, quote and newline. */
static void label(FILE *f, const char *name, const char *v, bool first)
{
	fprintf(f, "%s%s=\"", first ? "" : ",", name);
	for (const char *p = v; *p; p++) {
		if (*p == '\\' || *p == '"')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void metric_head(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* The pools' capacity, state, errors and last scrub. */
static void prometheus_pools(const struct status_report *r, FILE *f)
{
	metric_head(f, "zeit_pool_capacity_ratio",
	            "Fraction of a pool's space in use.");
	for (size_t i = 0; i < r->n; i++) {
		const struct status_check *c = &r->v[i];
		if (c->kind != STATUS_POOL)
			continue;
		fputs("zeit_pool_capacity_ratio{", f);
		label(f, "pool", c->subject, true);
		fprintf(f, "} %.2f\n", c->capacity / 100.0);
	}
	metric_head(f, "zeit_pool_state",
	            "1 for the state zpool gives a pool (ONLINE, DEGRADED, "
	            "...).");
	for (size_t i = 0; i < r->n; i++) {
		const struct status_check *c = &r->v[i];
		if (c->kind != STATUS_HEALTH)
			continue;
		fputs("zeit_pool_state{", f);
		label(f, "pool", c->subject, true);
		label(f, "state", c->pool_state, false);
		fputs("} 1\n", f);
	}
	metric_head(f, "zeit_pool_errors",
	            "A pool's device errors (read, write, checksum) and "
	            "permanent data errors.");
	static const char *const err_kind[] = {"read", "write", "checksum",
	                                       "data"};
	for (size_t i = 0; i < r->n; i++) {
		const struct status_check *c = &r->v[i];
		for (int k = 0; c->kind == STATUS_HEALTH && k < 4; k++) {
			if (c->errors[k] < 0)
				continue;
			fputs("zeit_pool_errors{", f);
			label(f, "pool", c->subject, true);
			label(f, "type", err_kind[k], false);
			fprintf(f, "} %lld\n", c->errors[k]);
		}
	}
	metric_head(f, "zeit_pool_scrub_age_seconds",
	            "Seconds since a pool's last finished scrub.");
	for (size_t i = 0; i < r->n; i++) {
		const struct status_check *c = &r->v[i];
		if (c->kind != STATUS_SCRUB || c->scrub_age < 0)
			continue;
		fputs("zeit_pool_scrub_age_seconds{", f);
		label(f, "pool", c->subject, true);
		fprintf(f, "} %lld\n", c->scrub_age);
	}
}

/* Each job's last good run and whether its last run failed. */
static void prometheus_jobs(const struct status_report *r, FILE *f)
{
	metric_head(f, "zeit_job_last_success_timestamp_seconds",
	            "When a job's last good run started (send: a [send NAME] "
	            "job; snap, prune: on a pool).");
	for (size_t i = 0; i < r->n; i++) {
		const struct status_check *c = &r->v[i];
		if (c->kind != STATUS_JOB || c->job_ok <= 0)
			continue;
		fputs("zeit_job_last_success_timestamp_seconds{", f);
		label(f, "kind", c->job_kind, true);
		label(f, "job", c->job, false);
		label(f, "dataset", c->subject, false);
		fprintf(f, "} %lld\n", (long long)c->job_ok);
	}
	metric_head(f, "zeit_job_failed",
	            "1 when a job's last run failed (or it never succeeded "
	            "and its dataset does not exist).");
	for (size_t i = 0; i < r->n; i++) {
		const struct status_check *c = &r->v[i];
		if (c->kind != STATUS_JOB)
			continue;
		fputs("zeit_job_failed{", f);
		label(f, "kind", c->job_kind, true);
		label(f, "job", c->job, false);
		label(f, "dataset", c->subject, false);
		fprintf(f, "} %d\n", c->job_failed ? 1 : 0);
	}
}

/* Each pool's count of stale zeit-send holds. */
static void prometheus_holds(const struct status_report *r, FILE *f)
{
	metric_head(f, "zeit_holds_stale",
	            "zeit-send holds on a pool that are no longer a target's "
	            "base.");
	for (size_t i = 0; i < r->n; i++) {
		const struct status_check *c = &r->v[i];
		if (c->kind != STATUS_HOLD || c->hold_tag || c->count < 0)
			continue;
		fputs("zeit_holds_stale{", f);
		label(f, "pool", c->subject, true);
		fprintf(f, "} %lld\n", c->count);
	}
}

void status_prometheus(const struct status_report *r, time_t now, FILE *f)
{
	metric_head(f, "zeit_snapshot_age_seconds",
	            "Seconds since the newest zeit snapshot of a tier.");
	for (size_t i = 0; i < r->n; i++) {
		const struct status_check *c = &r->v[i];
		if (c->kind != STATUS_TIER || c->age < 0)
			continue;
		fputs("zeit_snapshot_age_seconds{", f);
		label(f, "dataset", c->subject, true);
		label(f, "tier", c->check, false);
		fprintf(f, "} %lld\n", c->age);
	}
	metric_head(f, "zeit_snapshots", "zeit snapshots of a tier.");
	for (size_t i = 0; i < r->n; i++) {
		const struct status_check *c = &r->v[i];
		if (c->kind != STATUS_TIER || c->count < 0)
			continue;
		fputs("zeit_snapshots{", f);
		label(f, "dataset", c->subject, true);
		label(f, "tier", c->check, false);
		fprintf(f, "} %lld\n", c->count);
	}
	metric_head(f, "zeit_replica_lag_seconds",
	            "How far a replica is behind its source, in seconds.");
	for (size_t i = 0; i < r->n; i++) {
		const struct status_check *c = &r->v[i];
		if (c->kind != STATUS_REPLICA || c->lag < 0)
			continue;
		fputs("zeit_replica_lag_seconds{", f);
		label(f, "replica", c->subject, true);
		label(f, "source", c->source, false);
		fprintf(f, "} %lld\n", c->lag);
	}
	metric_head(f, "zeit_replica_lag_snapshots",
	            "Source snapshots not yet on a replica.");
	for (size_t i = 0; i < r->n; i++) {
		const struct status_check *c = &r->v[i];
		if (c->kind != STATUS_REPLICA || c->lag_snaps < 0)
			continue;
		fputs("zeit_replica_lag_snapshots{", f);
		label(f, "replica", c->subject, true);
		label(f, "source", c->source, false);
		fprintf(f, "} %lld\n", c->lag_snaps);
	}
	metric_head(f, "zeit_replica_resume_pending",
	            "1 when an interrupted receive waits to be resumed.");
	for (size_t i = 0; i < r->n; i++) {
		const struct status_check *c = &r->v[i];
		if (c->kind != STATUS_REPLICA)
			continue;
		fputs("zeit_replica_resume_pending{", f);
		label(f, "replica", c->subject, true);
		label(f, "source", c->source, false);
		fprintf(f, "} %d\n", c->resume_pending ? 1 : 0);
	}
	prometheus_pools(r, f);
	prometheus_jobs(r, f);
	prometheus_holds(r, f);
	metric_head(f, "zeit_check_state",
	            "State of each check: 0 ok, 1 warning, 2 critical, 3 "
	            "unknown.");
	for (size_t i = 0; i < r->n; i++) {
		const struct status_check *c = &r->v[i];
		fputs("zeit_check_state{", f);
		label(f, "subject", c->subject, true);
		label(f, "check", c->check, false);
		fprintf(f, "} %d\n", (int)c->state);
	}
	metric_head(f, "zeit_status_timestamp_seconds",
	            "When zeit status wrote this file.");
	fprintf(f, "zeit_status_timestamp_seconds %lld\n", (long long)now);
}

/* A new file beside path, never one that was there: O_EXCL refuses a name
 * someone planted (a symlink to a file of root's included) and O_NOFOLLOW
 * says so; the random part makes the name unguessable. node_exporter reads
 * it, so 0644. */
static int open_temp_beside(struct zeit *z, const char *path, char **tmp)
{
	for (int tries = 0; tries < 16; tries++) {
		unsigned char r[8];
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return zeit_fail(z, errno, "getrandom: %s",
			                 strerror(errno));
		*tmp = xasprintf("%s.tmp.%02x%02x%02x%02x%02x%02x%02x%02x",
		                 path, r[0], r[1], r[2], r[3], r[4], r[5], r[6],
		                 r[7]);
		int fd = open(*tmp,
		              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		                      O_CLOEXEC,
		              0644);
		if (fd >= 0)
			return fd;
		int e = errno;
		free(*tmp);
		*tmp = NULL;
		if (e != EEXIST)
			return zeit_fail(z, e, "cannot write %s: %s", path,
			                 strerror(e));
	}
	return zeit_fail(z, EEXIST, "cannot write %s: no free temporary name",
	                 path);
}

int status_prometheus_write(struct zeit *z, const struct status_report *r,
                            time_t now, const char *path)
{
	/* node_exporter must never read half a file: write beside it, then
	 * rename over it. */
	char *tmp = NULL;
	int fd = open_temp_beside(z, path, &tmp);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		int e = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		return zeit_fail(z, e, "cannot write %s: %s", path,
		                 strerror(e));
	}
	status_prometheus(r, now, f);
	bool bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		free(tmp);
		return zeit_fail(z, e, "cannot write %s: %s", path,
		                 strerror(e));
	}
	free(tmp);
	return 0;
}
