/* zeit status on jobs' recorded outcomes: a [send NAME] job's on its local
 * side, snap's and prune's on a pool's root; values that are anyone's to
 * set; the Prometheus samples an alert reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zeit/select.h"
#include "zeit/send_auto.h"
#include "zeit/status.h"

static struct zeit z;
static const time_t T0 = 1793491200; /* 2026-11-01T00:00:00Z */

/* Two jobs: a push kept on t/a, a pull kept on t/pulled. */
static void load(struct zeit_config *cfg)
{
	char path[] = "/tmp/zeit-test-status-jobs.XXXXXX";
	const char *text = "[send offsite]\nsource = t/a\n"
	                   "target = b.example:r/a\ninterval = 1h\n"
	                   "[send pull]\nsource = laptop:rpool/home\n"
	                   "target = t/pulled\ninterval = 3h\n";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	config_init(cfg);
	assert_int_equal(config_load(&z, path, true, cfg), 0);
	unlink(path);
}

static size_t np(void)
{
	return DSP_COUNT + STP_COUNT + 4;
}

static struct zfs_dataset *row(struct zfs_dataset_list *l, const char *name)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	struct zfs_dataset *d = &l->v[l->n++];
	d->name = xstrdup(name);
	d->type = ZFS_TYPE_FILESYSTEM;
	d->unread = false;
	d->values = xcalloc(np(), sizeof(char *));
	for (size_t i = 0; i < np(); i++)
		d->values[i] = xstrdup("-");
	l->nprops = np();
	return d;
}

static void put(struct zfs_dataset *d, size_t col, const char *v)
{
	free(d->values[col]);
	d->values[col] = xstrdup(v);
}

static const struct status_check *find(const struct status_report *r,
                                       const char *subject, const char *check)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].kind == STATUS_JOB &&
		    !strcmp(r->v[i].subject, subject) &&
		    !strcmp(r->v[i].check, check))
			return &r->v[i];
	fail_msg("no check %s %s", subject, check);
	return NULL;
}

static void evaluate(const struct zeit_config *cfg,
                     const struct zfs_dataset_list *ds, time_t now,
                     struct status_report *r)
{
	struct zfs_snap_list sn = {0};
	struct status_input in = {
	        .datasets = ds, .snaps = &sn, .hostname = "h", .now = now};
	assert_int_equal(status_evaluate(&z, cfg, &in, r), 0);
}

static void test_send_job_outcomes(void **state)
{
	(void)state;
	struct zeit_config cfg;
	struct zfs_dataset_list ds = {0};
	struct status_report r;
	load(&cfg);
	size_t base = DSP_COUNT + STP_COUNT;
	struct zfs_dataset *a = row(&ds, "t/a");
	put(a, base, "2026-11-01T00:00:00Z");
	put(a, base + 1,
	    "2026-11-01T01:00:00Z ssh: connect to host b.example: "
	    "\x1b[2Jrefused");
	row(&ds, "t");
	evaluate(&cfg, &ds, T0 + 3600 + 60, &r);
	const struct status_check *c = find(&r, "t/a", "send job offsite");
	assert_int_equal(c->state, STATUS_WARNING);
	assert_true(c->job_failed);
	assert_int_equal(c->job_ok, T0);
	assert_non_null(strstr(c->detail, "failed at 2026-11-01T01:00:00Z: "
	                                  "ssh: connect to host b.example"));
	assert_non_null(strstr(c->detail, "last good run 1h01m ago"));
	/* The pull's target is not there yet: it never succeeded. */
	c = find(&r, "t/pulled", "send job pull");
	assert_int_equal(c->state, STATUS_WARNING);
	assert_true(c->job_failed);
	assert_non_null(strstr(c->detail, "never succeeded"));
	/* The textfile an alert reads. */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	status_prometheus(&r, T0, f);
	fclose(f);
	assert_non_null(strstr(text, "zeit_job_failed{kind=\"send\",job="
	                             "\"offsite\",dataset=\"t/a\"} 1\n"));
	assert_non_null(strstr(text, "zeit_job_last_success_timestamp_seconds{"
	                             "kind=\"send\",job=\"offsite\",dataset="
	                             "\"t/a\"} 1793491200\n"));
	assert_non_null(strstr(text, "zeit_job_failed{kind=\"send\",job="
	                             "\"pull\",dataset=\"t/pulled\"} 1\n"));
	free(text);
	status_report_free(&r);

	/* A good run clears it; one long past its interval warns. */
	struct zfs_dataset *p = row(&ds, "t/pulled");
	a = &ds.v[0]; /* the rows moved */
	put(a, base + 1, "-");
	put(p, base + 2, "2026-11-01T00:00:00Z");
	evaluate(&cfg, &ds, T0 + 1800, &r);
	c = find(&r, "t/a", "send job offsite");
	assert_int_equal(c->state, STATUS_OK);
	assert_false(c->job_failed);
	assert_string_equal(c->detail, "last good run 30m ago");
	assert_int_equal(find(&r, "t/pulled", "send job pull")->state,
	                 STATUS_OK);
	status_report_free(&r);
	evaluate(&cfg, &ds, T0 + 4 * 3600, &r);
	c = find(&r, "t/a", "send job offsite");
	assert_int_equal(c->state, STATUS_WARNING);
	assert_non_null(strstr(c->detail, "is the timer running it?"));
	assert_int_equal(find(&r, "t/pulled", "send job pull")->state,
	                 STATUS_OK);
	status_report_free(&r);

	/* Values anyone could have set: no state, said so, never OK. */
	put(a, base, "yesterday; rm -rf /");
	evaluate(&cfg, &ds, T0 + 1800, &r);
	c = find(&r, "t/a", "send job offsite");
	assert_int_equal(c->state, STATUS_UNKNOWN);
	assert_non_null(strstr(c->detail, "does not read"));
	status_report_free(&r);
	/* Only what the roots hold. */
	const char *const roots[] = {"t/pulled", NULL};
	struct zfs_snap_list sn = {0};
	struct status_input in = {.datasets = &ds,
	                          .snaps = &sn,
	                          .roots = roots,
	                          .hostname = "h",
	                          .now = T0};
	assert_int_equal(status_evaluate(&z, &cfg, &in, &r), 0);
	for (size_t i = 0; i < r.n; i++)
		assert_string_not_equal(r.v[i].subject, "t/a");
	status_report_free(&r);
	zfs_dataset_list_free(&ds);
	config_free(&cfg);
}

static void test_pool_run_outcomes(void **state)
{
	(void)state;
	struct zeit_config cfg;
	struct zfs_dataset_list ds = {0};
	struct status_report r;
	config_init(&cfg);
	row(&ds, "tank");
	put(&ds.v[0], DSP_COUNT + STP_SNAP_OK, "2026-11-01T00:00:00Z");
	put(&ds.v[0], DSP_PRUNE_ERROR,
	    "2026-11-01T00:15:00Z tank/a: keep 'daily=x' does not read");
	/* A child inherits the values: it is not the pool. */
	row(&ds, "tank/a");
	put(&ds.v[1], DSP_COUNT + STP_SNAP_OK, "2026-11-01T00:00:00Z");
	row(&ds, "idle");
	/* The listing had no job columns: nothing said about jobs. */
	ds.nprops = DSP_COUNT + STP_COUNT;
	evaluate(&cfg, &ds, T0 + 1800, &r);
	const struct status_check *s = find(&r, "tank", "snap");
	assert_int_equal(s->state, STATUS_OK);
	assert_string_equal(s->detail, "no failure since the run at "
	                               "2026-11-01T00:00:00Z");
	assert_int_equal(s->job_ok, 0);

	const struct status_check *p = find(&r, "tank", "prune");
	assert_int_equal(p->state, STATUS_WARNING);
	assert_true(p->job_failed);
	assert_non_null(strstr(p->detail, "keep 'daily=x' does not read"));
	assert_null(strstr(p->detail, "good run"));
	for (size_t i = 0; i < r.n; i++)
		assert_true(r.v[i].kind != STATUS_JOB ||
		            !strcmp(r.v[i].subject, "tank"));
	assert_int_equal(r.worst, STATUS_WARNING);
	status_report_free(&r);
	ds.nprops = np();
	zfs_dataset_list_free(&ds);
	config_free(&cfg);
}

/* Where snap and prune record: the pools of what they name, read from
 * "dataset: why" and snapshot names; anything else is no pool. */
static void test_outcome_pools(void **state)
{
	(void)state;
	struct strv p;
	strv_init(&p);
	run_outcome_add_pool(&p, "tank/a@zeit_hourly_20261101T000000Z");
	run_outcome_add_pool(&p, "tank: keep 'x' does not read");
	run_outcome_add_pool(&p, "backup/b/c: why");
	run_outcome_add_pool(&p, "-oops");
	run_outcome_add_pool(&p, "");
	assert_int_equal(p.n, 2);
	assert_string_equal(p.v[0], "tank");
	assert_string_equal(p.v[1], "backup");
	strv_free(&p);
}

int main(void)
{
	zeit_init(&z);
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_send_job_outcomes),
	        cmocka_unit_test(test_pool_run_outcomes),
	        cmocka_unit_test(test_outcome_pools),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
