/* zeit status on zeit send's holds: which tags are zeit's form, which
 * holds are stale (superseded on their dataset, or retired), and the
 * count a pool's summary and the Prometheus textfile carry. */
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
#include "zeit/status.h"

static struct zeit z;
static const time_t T0 = 1793491200; /* 2026-11-01T00:00:00Z */
static const long long D = 86400;

static void test_zeit_tag_form(void **state)
{
	const char *t;
	(void)state;
	assert_true(status_zeit_tag("zeit-send:backup/h", &t));
	assert_string_equal(t, "backup/h");
	assert_true(status_zeit_tag("zeit-send:far.example:pool/h", &t));
	assert_null(t);
	assert_true(status_zeit_tag("zeit-send:root@far:pool/h/x", &t));
	assert_null(t);
	assert_true(status_zeit_tag("zeit-send:0123abcd", &t));
	assert_null(t);
	/* Look-alikes. */
	assert_false(status_zeit_tag("zeit-send", &t));
	assert_false(status_zeit_tag("zeit-send:", &t));
	assert_false(status_zeit_tag("zeit-sendx:a/b", &t));
	assert_false(status_zeit_tag("Zeit-send:a/b", &t));
	assert_false(status_zeit_tag(" zeit-send:a/b", &t));
	assert_false(status_zeit_tag("zeit-send:pool", &t)); /* no pool */
	assert_false(status_zeit_tag("zeit-send:a b:c/d", &t));
	assert_false(status_zeit_tag("zeit-send:h:c/d\n", &t));
	assert_false(status_zeit_tag("zeit-send:-oProxy:c/d", &t));
	assert_false(status_zeit_tag("zeit-send:a/b@snap", &t));
	assert_false(status_zeit_tag("zeit-send:0123ABCD", &t));
	assert_false(status_zeit_tag("zeit-send:0123abc", &t));
}

struct fixture {
	struct zfs_dataset_list ds;
	struct zfs_snap_list sn;
	struct zfs_prop_list cap;
	struct zfs_hold_list holds;
	struct zeit_config cfg;
	struct status_report r;
};

static void add_ds(struct fixture *f, const char *name)
{
	size_t np = DSP_COUNT + STP_COUNT;
	f->ds.v = xrealloc(f->ds.v, (f->ds.n + 1) * sizeof(*f->ds.v));
	struct zfs_dataset *d = &f->ds.v[f->ds.n++];
	d->name = xstrdup(name);
	d->type = ZFS_TYPE_FILESYSTEM;
	d->unread = false;
	d->values = xcalloc(np, sizeof(char *));
	for (size_t i = 0; i < np; i++)
		d->values[i] = xstrdup("-");
	f->ds.nprops = np;
}

static void add_snap(struct fixture *f, const char *name, uint64_t txg)
{
	f->sn.v = xrealloc(f->sn.v, (f->sn.n + 1) * sizeof(*f->sn.v));
	f->sn.v[f->sn.n++] = (struct zfs_snap){xstrdup(name), false, txg, txg};
}

static void add_hold(struct fixture *f, const char *snap, const char *tag,
                     int64_t when)
{
	f->holds.v =
	        xrealloc(f->holds.v, (f->holds.n + 1) * sizeof(*f->holds.v));
	f->holds.v[f->holds.n++] =
	        (struct zfs_hold){xstrdup(snap), xstrdup(tag), when};
}

static void setup(struct fixture *f, const char *conf)
{
	memset(f, 0, sizeof(*f));
	config_init(&f->cfg);
	if (conf) {
		char path[] = "/tmp/zeit-test-status-holds.XXXXXX";
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, conf, strlen(conf)),
		                 (ssize_t)strlen(conf));
		close(fd);
		assert_int_equal(config_load(&z, path, true, &f->cfg), 0);
		unlink(path);
	}
	add_ds(f, "t");
	add_ds(f, "t/h");
	add_ds(f, "t/k");
	f->cap.v = xcalloc(1, sizeof(*f->cap.v));
	f->cap.v[0] = (struct zfs_prop){.dataset = xstrdup("t"),
	                                .name = xstrdup("capacity"),
	                                .value = xstrdup("10")};
	f->cap.n = 1;
	add_snap(f, "t/h@odd name", 5);
	add_snap(f, "t/h@zeit_daily_20261102T000000Z", 10);
	add_snap(f, "t/h@zeit_daily_20261103T000000Z", 20);
	add_snap(f, "t/h@zeit_daily_20261104T000000Z", 30);
	add_snap(f, "t/k@zeit_daily_20261102T000000Z", 11);
	add_snap(f, "t/k@zeit_daily_20261104T000000Z", 31);
}

static void evaluate(struct fixture *f, time_t now, const char *error)
{
	struct status_input in = {
	        .datasets = &f->ds,
	        .snaps = &f->sn,
	        .capacity = &f->cap,
	        .hostname = "h",
	        .now = now,
	        .holds = error ? NULL : &f->holds,
	        .holds_error = error,
	};
	assert_int_equal(status_evaluate(&z, &f->cfg, &in, &f->r), 0);
}

static void teardown(struct fixture *f)
{
	status_report_free(&f->r);
	zfs_dataset_list_free(&f->ds);
	zfs_snap_list_free(&f->sn);
	zfs_prop_list_free(&f->cap);
	zfs_hold_list_free(&f->holds);
	config_free(&f->cfg);
}

static const struct status_check *hold(const struct status_report *r,
                                       const char *snap, const char *tag)
{
	char *check = xasprintf("hold %s", tag);
	const struct status_check *found = NULL;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].kind == STATUS_HOLD &&
		    !strcmp(r->v[i].subject, snap) &&
		    !strcmp(r->v[i].check, check))
			found = &r->v[i];
	free(check);
	return found;
}

static const struct status_check *summary(const struct status_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].kind == STATUS_HOLD && !r->v[i].hold_tag)
			return &r->v[i];
	fail_msg("no holds summary");
	return NULL;
}

/* An interrupted run's older holds of a tag on one dataset are stale, the
 * newest is its base; other datasets and foreign tags are left alone. */
static void test_superseded(void **state)
{
	struct fixture f;
	(void)state;
	setup(&f, NULL);
	const char *tag = "zeit-send:b/h";
	add_hold(&f, "t/h@zeit_daily_20261104T000000Z", tag, T0 + 3 * D);
	add_hold(&f, "t/h@zeit_daily_20261102T000000Z", tag, T0 + D);
	add_hold(&f, "t/h@odd name", tag, T0);
	add_hold(&f, "t/h@zeit_daily_20261102T000000Z", "mine", T0);
	add_hold(&f, "t/h@zeit_daily_20261103T000000Z", "zeit-send:", T0);
	add_hold(&f, "t/h@zeit_daily_20261102T000000Z", "zeit-sendx:b/h", T0);
	/* t/k's base is its own, older than t/h's. */
	add_hold(&f, "t/k@zeit_daily_20261102T000000Z", tag, T0 + D);
	evaluate(&f, T0 + 4 * D, NULL);
	const struct status_check *c =
	        hold(&f.r, "t/h@zeit_daily_20261102T000000Z", tag);
	assert_non_null(c);
	assert_int_equal(c->state, STATUS_WARNING);
	assert_string_equal(c->detail,
	                    "stale: its base on this dataset is now "
	                    "@zeit_daily_20261104T000000Z; release it: zfs "
	                    "release zeit-send:b/h "
	                    "t/h@zeit_daily_20261102T000000Z");
	c = hold(&f.r, "t/h@odd name", tag);
	assert_non_null(c);
	assert_non_null(strstr(c->detail, "zfs release zeit-send:b/h "
	                                  "'t/h@odd name'"));
	assert_null(hold(&f.r, "t/h@zeit_daily_20261104T000000Z", tag));
	assert_null(hold(&f.r, "t/k@zeit_daily_20261102T000000Z", tag));
	assert_null(hold(&f.r, "t/h@zeit_daily_20261102T000000Z", "mine"));
	assert_null(
	        hold(&f.r, "t/h@zeit_daily_20261103T000000Z", "zeit-send:"));
	c = summary(&f.r);
	assert_string_equal(c->subject, "t");
	assert_int_equal(c->holds, 4);
	assert_int_equal(c->count, 2);
	assert_int_equal(c->state, STATUS_WARNING);
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	status_prometheus(&f.r, T0, m);
	fclose(m);
	assert_non_null(strstr(text, "\nzeit_holds_stale{pool=\"t\"} 2\n"));
	free(text);
	teardown(&f);
}

/* A tag no job sends to whose target is not here goes stale once its
 * holds have not moved for hold_stale: by the hold's time, or (0: a zfs
 * without holds -p) the snapshot's name. A job's tag and a target that
 * is here never do. */
static void test_retired(void **state)
{
	struct fixture f;
	(void)state;
	setup(&f, "[status]\nhold_stale = 10d\n"
	          "[send offsite]\nsource = t/h\ntarget = far:pool/h\n");
	const char *base = "t/h@zeit_daily_20261104T000000Z";
	add_hold(&f, base, "zeit-send:far:pool/h", T0 + 3 * D);
	add_hold(&f, base, "zeit-send:old:pool/h", T0 + 3 * D);
	add_hold(&f, base, "zeit-send:t/k", T0 + 3 * D);
	add_hold(&f, base, "zeit-send:t/gone", T0 + 3 * D);
	add_hold(&f, base, "zeit-send:0123abcd", 0); /* undated */
	add_hold(&f, "t/h@odd name", "zeit-send:t/undated", 0);
	evaluate(&f, T0 + 12 * D, NULL);
	assert_int_equal(summary(&f.r)->count, 0);
	status_report_free(&f.r);

	evaluate(&f, T0 + 14 * D, NULL);
	assert_null(hold(&f.r, base, "zeit-send:far:pool/h"));
	assert_null(hold(&f.r, base, "zeit-send:t/k"));
	const struct status_check *c = hold(&f.r, base, "zeit-send:old:pool/h");
	assert_non_null(c);
	assert_non_null(strstr(c->detail, "no job sends to its target and "
	                                  "its holds have not moved for 11 "
	                                  "days"));
	c = hold(&f.r, base, "zeit-send:t/gone");
	assert_non_null(c);
	assert_non_null(strstr(c->detail, "no job sends to t/gone (not on "
	                                  "this machine)"));
	/* Undated, by its name's time (T0 + 3d). */
	assert_non_null(hold(&f.r, base, "zeit-send:0123abcd"));
	/* Undated and no time in its name: never called stale. */
	assert_null(hold(&f.r, "t/h@odd name", "zeit-send:t/undated"));
	assert_int_equal(summary(&f.r)->count, 3);
	assert_int_equal(summary(&f.r)->holds, 6);
	status_report_free(&f.r);

	f.cfg.status.hold_stale = 0; /* never */
	evaluate(&f, T0 + 400 * D, NULL);
	assert_int_equal(summary(&f.r)->count, 0);
	teardown(&f);
}

/* Holds that could not be listed are one unknown check; roots keep
 * other pools' holds out. */
static void test_unlisted_and_scope(void **state)
{
	struct fixture f;
	(void)state;
	setup(&f, NULL);
	evaluate(&f, T0, "zfs holds printed a malformed line");
	size_t unknown = 0;
	for (size_t i = 0; i < f.r.n; i++)
		if (f.r.v[i].kind == STATUS_HOLD) {
			assert_int_equal(f.r.v[i].state, STATUS_UNKNOWN);
			unknown++;
		}
	assert_int_equal(unknown, 1);
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	status_prometheus(&f.r, T0, m);
	fclose(m);
	assert_null(strstr(text, "\nzeit_holds_stale{"));
	free(text);
	teardown(&f);

	setup(&f, NULL);
	add_hold(&f, "t/h@zeit_daily_20261104T000000Z", "zeit-send:b/h", T0);
	add_hold(&f, "t/h@zeit_daily_20261102T000000Z", "zeit-send:b/h", T0);
	add_hold(&f, "t/k@zeit_daily_20261102T000000Z", "zeit-send:b/k", T0);
	add_hold(&f, "t/k@zeit_daily_20261104T000000Z", "zeit-send:b/k", T0);
	const char *const roots[] = {"t/k", NULL};
	struct status_input in = {.datasets = &f.ds,
	                          .snaps = &f.sn,
	                          .capacity = &f.cap,
	                          .roots = roots,
	                          .hostname = "h",
	                          .now = T0,
	                          .holds = &f.holds};
	assert_int_equal(status_evaluate(&z, &f.cfg, &in, &f.r), 0);
	assert_null(
	        hold(&f.r, "t/h@zeit_daily_20261102T000000Z", "zeit-send:b/h"));
	assert_non_null(
	        hold(&f.r, "t/k@zeit_daily_20261102T000000Z", "zeit-send:b/k"));
	assert_int_equal(summary(&f.r)->count, 1);
	assert_int_equal(summary(&f.r)->holds, 2);
	teardown(&f);
}

int main(void)
{
	zeit_init(&z);
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_zeit_tag_form),
	        cmocka_unit_test(test_superseded),
	        cmocka_unit_test(test_retired),
	        cmocka_unit_test(test_unlisted_and_scope),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
