#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/select.h"
#include "zeit/status.h"

static struct zeit z;

/* A dataset row: select_props() values, then the status extras. */
static void add_ds(struct zfs_dataset_list *l, const char *name,
                   const char *snap, const char *keep, const char *source,
                   const char *token)
{
	size_t np = DSP_COUNT + STP_COUNT;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	struct zfs_dataset *d = &l->v[l->n++];
	d->name = xstrdup(name);
	d->type = ZFS_TYPE_FILESYSTEM;
	d->values = xcalloc(np, sizeof(char *));
	for (size_t i = 0; i < np; i++)
		d->values[i] = xstrdup("-");
	free(d->values[DSP_SNAP]);
	d->values[DSP_SNAP] = xstrdup(snap);
	free(d->values[DSP_KEEP]);
	d->values[DSP_KEEP] = xstrdup(keep);
	free(d->values[DSP_COUNT + STP_SOURCE]);
	d->values[DSP_COUNT + STP_SOURCE] = xstrdup(source);
	free(d->values[DSP_COUNT + STP_TOKEN]);
	d->values[DSP_COUNT + STP_TOKEN] = xstrdup(token);
	l->nprops = np;
}

static void add_snap(struct zfs_snap_list *l, const char *name, uint64_t guid,
                     uint64_t txg)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = (struct zfs_snap){xstrdup(name), false, guid, txg};
}

static const struct status_check *find(const struct status_report *r,
                                       const char *subject, const char *check)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].subject, subject) &&
		    !strncmp(r->v[i].check, check, strlen(check)))
			return &r->v[i];
	fail_msg("no check %s %s", subject, check);
	return NULL;
}

static const time_t T0 = 1793491200; /* 2026-11-01T00:00:00Z */

static void evaluate(const char *const *roots, time_t now,
                     const struct zfs_dataset_list *ds,
                     const struct zfs_snap_list *sn, struct status_report *r)
{
	struct zeit_config cfg;
	config_init(&cfg);
	struct status_input in = {.datasets = ds,
	                          .snaps = sn,
	                          .roots = roots,
	                          .hostname = "h",
	                          .now = now};
	assert_int_equal(status_evaluate(&z, &cfg, &in, r), 0);
	config_free(&cfg);
}

static void test_tier_thresholds(void **state)
{
	struct zfs_dataset_list ds = {0};
	struct zfs_snap_list sn = {0};
	struct status_report r;
	(void)state;
	add_ds(&ds, "t/a", "on",
	       "frequent=0,hourly=24,daily=0,weekly=0,monthly=0", "-", "-");
	add_snap(&sn, "t/a@zeit_hourly_20261101T000000Z", 1, 10);
	add_snap(&sn, "t/a@zeit_hourly_20261101T010000Z", 2, 11);
	evaluate(NULL, T0 + 3600 + 7199, &ds, &sn, &r);
	assert_int_equal(find(&r, "t/a", "hourly")->state, STATUS_OK);
	assert_int_equal(find(&r, "t/a", "hourly")->count, 2);
	status_report_free(&r);
	evaluate(NULL, T0 + 3600 + 7201, &ds, &sn, &r);
	assert_int_equal(find(&r, "t/a", "hourly")->state, STATUS_WARNING);
	assert_int_equal(r.worst, STATUS_WARNING);
	status_report_free(&r);
	evaluate(NULL, T0 + 3600 + 4 * 3600 + 1, &ds, &sn, &r);
	assert_int_equal(find(&r, "t/a", "hourly")->state, STATUS_CRITICAL);
	status_report_free(&r);
	zfs_dataset_list_free(&ds);
	zfs_snap_list_free(&sn);
}

/* Snapshots dated in the future are named in a warning and are no tier's
 * newest: the tier's age counts from the newest real one. */
static void test_future_snapshots(void **state)
{
	struct zfs_dataset_list ds = {0};
	struct zfs_snap_list sn = {0};
	struct status_report r;
	(void)state;
	add_ds(&ds, "t/a", "on",
	       "frequent=0,hourly=24,daily=0,weekly=0,monthly=0", "-", "-");
	add_snap(&sn, "t/a@zeit_hourly_20261101T000000Z", 1, 10);
	add_snap(&sn, "t/a@zeit_hourly_20271101T000000Z", 2, 11);
	add_snap(&sn, "t/a@zeit_hourly_20271101T010000Z", 3, 12);
	evaluate(NULL, T0 + 5 * 3600, &ds, &sn, &r);
	const struct status_check *h = find(&r, "t/a", "hourly");
	assert_int_equal(h->age, 5 * 3600);
	assert_int_equal(h->count, 1);
	assert_int_equal(h->state, STATUS_CRITICAL);
	const struct status_check *c = find(&r, "t/a", "clock");
	assert_int_equal(c->state, STATUS_WARNING);
	assert_non_null(strstr(c->detail, "2 snapshots dated in the future"));
	assert_non_null(strstr(c->detail, "zeit_hourly_20271101T000000Z"));
	assert_non_null(strstr(c->detail, "zeit_hourly_20271101T010000Z"));
	status_report_free(&r);
	/* None in the future: no such check. */
	evaluate(NULL, T0 + 400 * 86400, &ds, &sn, &r);
	for (size_t i = 0; i < r.n; i++)
		assert_string_not_equal(r.v[i].check, "clock");
	status_report_free(&r);
	zfs_dataset_list_free(&ds);
	zfs_snap_list_free(&sn);
}

static void test_missing_tier_and_unselected(void **state)
{
	struct zfs_dataset_list ds = {0};
	struct zfs_snap_list sn = {0};
	struct status_report r;
	(void)state;
	add_ds(&ds, "t/new", "on",
	       "frequent=0,hourly=0,daily=7,weekly=0,monthly=0", "-", "-");
	add_ds(&ds, "t/other", "-", "-", "-", "-");
	evaluate(NULL, T0, &ds, &sn, &r);
	assert_int_equal(find(&r, "t/new", "daily")->state, STATUS_CRITICAL);
	/* Not snapshotted by zeit: no tier checks at all. */
	for (size_t i = 0; i < r.n; i++)
		assert_string_not_equal(r.v[i].subject, "t/other");
	status_report_free(&r);
	zfs_dataset_list_free(&ds);
	zfs_snap_list_free(&sn);
}

static void set_trial(struct zfs_dataset_list *l, size_t i, const char *v)
{
	free(l->v[i].values[DSP_COUNT + STP_TRIAL]);
	l->v[i].values[DSP_COUNT + STP_TRIAL] = xstrdup(v);
}

/* A failed trial is a warning on its own environment; a mark inherited
 * from a parent, or naming another dataset, is nothing. */
static void test_failed_trial_boot(void **state)
{
	struct zfs_dataset_list ds = {0};
	struct zfs_snap_list sn = {0};
	struct status_report r;
	(void)state;
	add_ds(&ds, "r/ROOT", "-", "-", "-", "-");
	add_ds(&ds, "r/ROOT/a", "-", "-", "-", "-");
	add_ds(&ds, "r/ROOT/b", "-", "-", "-", "-");
	add_ds(&ds, "r/ROOT/c", "-", "-", "-", "-");
	set_trial(&ds, 0, "failed r/ROOT/a");
	set_trial(&ds, 1, "failed r/ROOT/a ");
	set_trial(&ds, 2, "failed r/ROOT/b");
	set_trial(&ds, 3, "pending r/ROOT/c");
	evaluate(NULL, T0, &ds, &sn, &r);
	const struct status_check *c = find(&r, "r/ROOT/b", "trial boot");
	assert_int_equal(c->state, STATUS_WARNING);
	size_t trials = 0;
	for (size_t i = 0; i < r.n; i++)
		trials += r.v[i].kind == STATUS_BOOT;
	assert_int_equal(trials, 1);
	status_report_free(&r);
	zfs_dataset_list_free(&ds);
	zfs_snap_list_free(&sn);
}

static void test_replica_lag_by_guid(void **state)
{
	struct zfs_dataset_list ds = {0};
	struct zfs_snap_list sn = {0};
	struct status_report r;
	(void)state;
	add_ds(&ds, "t/src", "-", "-", "-", "-");
	add_ds(&ds, "b/rep", "-", "-", "h:t/src", "-");
	/* A child that only inherits the source is no replica. */
	add_ds(&ds, "b/rep/x", "-", "-", "h:t/src", "-");
	add_snap(&sn, "t/src@zeit_daily_20261101T000000Z", 11, 1);
	add_snap(&sn, "t/src@zeit_daily_20261102T000000Z", 12, 2);
	add_snap(&sn, "t/src@manual", 99, 3);
	add_snap(&sn, "t/src@zeit_daily_20261103T000000Z", 13, 4);
	add_snap(&sn, "t/src@zeit_daily_20261104T000000Z", 14, 5);
	/* Renamed on the target: matched by guid. */
	add_snap(&sn, "b/rep@kept", 11, 7);
	add_snap(&sn, "b/rep@zeit_daily_20261102T000000Z", 12, 8);
	evaluate(NULL, T0 + 4 * 86400, &ds, &sn, &r);
	const struct status_check *c = find(&r, "b/rep", "replica of h:t/src");
	assert_int_equal(c->lag_snaps, 2);
	assert_int_equal(c->lag, 2 * 86400);
	assert_int_equal(c->state, STATUS_OK);
	for (size_t i = 0; i < r.n; i++)
		assert_string_not_equal(r.v[i].subject, "b/rep/x");
	status_report_free(&r);
	/* A pending resume is a warning; a lost common snapshot critical. */
	free(ds.v[1].values[DSP_COUNT + STP_TOKEN]);
	ds.v[1].values[DSP_COUNT + STP_TOKEN] = xstrdup("1-abc");
	evaluate(NULL, T0, &ds, &sn, &r);
	assert_int_equal(find(&r, "b/rep", "replica")->state, STATUS_WARNING);
	assert_true(find(&r, "b/rep", "replica")->resume_pending);
	status_report_free(&r);
	sn.v[5].guid = 1000;
	sn.v[6].guid = 1001;
	evaluate(NULL, T0, &ds, &sn, &r);
	assert_int_equal(find(&r, "b/rep", "replica")->state, STATUS_CRITICAL);
	status_report_free(&r);
	zfs_dataset_list_free(&ds);
	zfs_snap_list_free(&sn);
}

static void test_prometheus_text(void **state)
{
	struct zfs_dataset_list ds = {0};
	struct zfs_snap_list sn = {0};
	struct status_report r;
	char *text = NULL;
	size_t len = 0;
	(void)state;
	add_ds(&ds, "t/a\"q", "on",
	       "frequent=0,hourly=24,daily=0,weekly=0,monthly=0", "-", "-");
	add_snap(&sn, "t/a\"q@zeit_hourly_20261101T000000Z", 1, 10);
	evaluate(NULL, T0 + 60, &ds, &sn, &r);
	FILE *f = open_memstream(&text, &len);
	status_prometheus(&r, T0 + 60, f);
	fclose(f);
	assert_non_null(
	        strstr(text, "# TYPE zeit_snapshot_age_seconds gauge\n"));
	assert_non_null(strstr(text, "zeit_snapshot_age_seconds{dataset=\"t/"
	                             "a\\\"q\",tier=\"hourly\"} 60\n"));
	assert_non_null(
	        strstr(text, "zeit_status_timestamp_seconds 1793491260\n"));
	free(text);
	status_report_free(&r);
	zfs_dataset_list_free(&ds);
	zfs_snap_list_free(&sn);
}

static struct zpool_health pool(const char *name, const char *st, long long rd,
                                long long data, time_t scrub)
{
	return (struct zpool_health){xstrdup(name), xstrdup(st), rd,   0, 0,
	                             data,          scrub,       false};
}

static void evaluate_pools(const struct zfs_dataset_list *ds,
                           struct zpool_health_list *hl, long long scrub_warn,
                           time_t now, struct status_report *r)
{
	struct zfs_snap_list sn = {0};
	struct zeit_config cfg;
	config_init(&cfg);
	if (scrub_warn >= 0)
		cfg.status.scrub_warn = scrub_warn;
	struct status_input in = {.datasets = ds,
	                          .snaps = &sn,
	                          .health = hl,
	                          .hostname = "h",
	                          .now = now};
	assert_int_equal(status_evaluate(&z, &cfg, &in, r), 0);
	config_free(&cfg);
}

/* A pool's state and errors, and its last scrub: DEGRADED or device
 * errors warn, FAULTED, SUSPENDED and permanent errors are critical; a
 * scrub older than scrub_warn warns, and so does a pool never scrubbed
 * once it is that old. A second record of a pool's name changes nothing. */
static void test_pool_health_and_scrub(void **state)
{
	(void)state;
	struct zfs_dataset_list ds = {0};
	add_ds(&ds, "old", "-", "-", "-", "-");
	free(ds.v[0].values[DSP_COUNT + STP_CREATION]);
	ds.v[0].values[DSP_COUNT + STP_CREATION] =
	        xasprintf("%lld", (long long)(T0 - 100 * 86400));
	add_ds(&ds, "new", "-", "-", "-", "-");
	free(ds.v[1].values[DSP_COUNT + STP_CREATION]);
	ds.v[1].values[DSP_COUNT + STP_CREATION] =
	        xasprintf("%lld", (long long)(T0 - 86400));
	struct zpool_health v[] = {
	        pool("ok", "ONLINE", 0, 0, T0 - 3 * 86400),
	        pool("deg", "DEGRADED", 0, 0, T0 - 41 * 86400),
	        pool("errs", "ONLINE", 4, 0, T0),
	        pool("sus", "SUSPENDED", 0, -1, T0),
	        pool("lost", "ONLINE", 0, 2, T0),
	        pool("old", "ONLINE", 0, 0, 0),
	        pool("new", "ONLINE", 0, 0, 0),
	        pool("ok", "FAULTED", 9, 9, 0),
	};
	struct zpool_health_list hl = {v, sizeof(v) / sizeof(v[0])};
	struct status_report r;
	evaluate_pools(&ds, &hl, -1, T0, &r);
	assert_int_equal(find(&r, "ok", "health")->state, STATUS_OK);
	assert_int_equal(find(&r, "ok", "scrub")->state, STATUS_OK);
	assert_int_equal(find(&r, "ok", "scrub")->scrub_age, 3 * 86400);
	assert_int_equal(find(&r, "deg", "health")->state, STATUS_WARNING);
	assert_int_equal(find(&r, "deg", "scrub")->state, STATUS_WARNING);
	const struct status_check *e = find(&r, "errs", "health");
	assert_int_equal(e->state, STATUS_WARNING);
	assert_non_null(strstr(e->detail, "4 read, 0 write, 0 checksum"));
	assert_non_null(strstr(e->detail, "zpool status -v errs"));
	assert_int_equal(find(&r, "sus", "health")->state, STATUS_CRITICAL);
	assert_non_null(strstr(find(&r, "sus", "health")->detail, "SUSPENDED"));
	assert_int_equal(find(&r, "lost", "health")->state, STATUS_CRITICAL);
	assert_non_null(strstr(find(&r, "lost", "health")->detail,
	                       "2 permanent data errors"));
	assert_int_equal(find(&r, "old", "scrub")->state, STATUS_WARNING);
	assert_int_equal(find(&r, "new", "scrub")->state, STATUS_OK);
	assert_int_equal(r.worst, STATUS_CRITICAL);
	size_t n = 0;
	for (size_t i = 0; i < r.n; i++)
		n += !strcmp(r.v[i].subject, "ok");
	assert_int_equal(n, 2);
	FILE *f = tmpfile();
	status_prometheus(&r, T0, f);
	rewind(f);
	char text[16384];
	text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
	fclose(f);
	assert_non_null(strstr(
	        text, "zeit_pool_state{pool=\"sus\",state=\"SUSPENDED\"} 1"));
	assert_non_null(strstr(
	        text, "zeit_pool_errors{pool=\"errs\",type=\"read\"} 4"));
	assert_non_null(strstr(
	        text, "zeit_pool_errors{pool=\"lost\",type=\"data\"} 2"));
	assert_null(
	        strstr(text, "zeit_pool_errors{pool=\"sus\",type=\"data\"}"));
	assert_non_null(strstr(
	        text, "zeit_pool_scrub_age_seconds{pool=\"ok\"} 259200"));
	status_report_free(&r);
	/* scrub_warn 0: no scrub check at all. */
	evaluate_pools(&ds, &hl, 0, T0, &r);
	for (size_t i = 0; i < r.n; i++)
		assert_int_not_equal(r.v[i].kind, STATUS_SCRUB);
	status_report_free(&r);
	for (size_t i = 0; i < hl.n; i++) {
		free(v[i].pool);
		free(v[i].state);
	}
	zfs_dataset_list_free(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_tier_thresholds),
	        cmocka_unit_test(test_future_snapshots),
	        cmocka_unit_test(test_missing_tier_and_unselected),
	        cmocka_unit_test(test_replica_lag_by_guid),
	        cmocka_unit_test(test_failed_trial_boot),
	        cmocka_unit_test(test_prometheus_text),
	        cmocka_unit_test(test_pool_health_and_scrub),
	};
	zeit_init(&z);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
