#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/send.h"
#include "zeit/snapname.h"

static struct zeit z;
static const struct send_select zeit_only = {false, SNAP_ORIGIN_ZEIT};
static const struct send_select every = {true, 0};

#define S(n, g, t)                                                             \
	{                                                                      \
		(char *)(n), false, g, t                                       \
	}
#define B(n, g, t)                                                             \
	{                                                                      \
		(char *)(n), true, g, t                                        \
	}

static const char *step_str(const struct send_step *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s %s", s->from ? s->from : "-",
	         s->intermediates ? "-I" : "-i", s->to);
	return buf;
}

static void expect_steps(const struct send_plan *p, const char *const *want)
{
	char buf[512];
	size_t n = 0;
	while (want[n])
		n++;
	for (size_t i = 0; i < p->nsteps && i < n; i++)
		assert_string_equal(step_str(&p->steps[i], buf, sizeof(buf)),
		                    want[i]);
	assert_int_equal(p->nsteps, n);
}

static struct zfs_snap src_snaps[] = {
        S("t/a@zeit_daily_20261101T000000Z", 11, 100),
        S("t/a@manual", 12, 110),
        S("t/a@zeit_daily_20261102T000000Z", 13, 120),
        S("t/a@zeit_daily_20261103T000000Z", 14, 130),
        S("t/a@zeit_hourly_20261103T010000Z", 15, 140),
};
static const struct send_side src = {src_snaps, 5, true, false, 0};

static void test_first_send_is_full_then_runs(void **state)
{
	struct send_side dst = {NULL, 0, false, false, 0};
	struct send_plan p;
	(void)state;
	send_plan_dataset(&src, &dst, &zeit_only, NULL, false, &p);
	assert_int_equal(p.verdict, SEND_FULL);
	assert_false(p.force_recv);
	/* The manual snapshot is skipped by a -i over it; the run after it
	 * goes as one -I stream. */
	expect_steps(&p, (const char *const[]){
	                         "- -i t/a@zeit_daily_20261101T000000Z",
	                         "t/a@zeit_daily_20261101T000000Z -i "
	                         "t/a@zeit_daily_20261102T000000Z",
	                         "t/a@zeit_daily_20261102T000000Z -I "
	                         "t/a@zeit_hourly_20261103T010000Z",
	                         NULL});
	assert_string_equal(p.newest->name, "t/a@zeit_hourly_20261103T010000Z");
	send_plan_free(&p);

	send_plan_dataset(&src, &dst, &every, NULL, false, &p);
	expect_steps(&p, (const char *const[]){
	                         "- -i t/a@zeit_daily_20261101T000000Z",
	                         "t/a@zeit_daily_20261101T000000Z -I "
	                         "t/a@zeit_hourly_20261103T010000Z",
	                         NULL});
	send_plan_free(&p);
}

static void test_incremental_matches_by_guid_not_name(void **state)
{
	/* The target renamed the shared snapshot; another one carries a
	 * source name but a different guid. */
	struct zfs_snap t[] = {
	        S("b/a@renamed", 11, 5),
	        S("b/a@zeit_daily_20261102T000000Z", 99, 6),
	};
	struct send_side dst = {t, 1, true, false, 0};
	struct send_plan p;
	(void)state;
	send_plan_dataset(&src, &dst, &zeit_only, NULL, false, &p);
	assert_int_equal(p.verdict, SEND_INCREMENTAL);
	assert_string_equal(p.base->name, "t/a@zeit_daily_20261101T000000Z");
	assert_string_equal(p.tbase->name, "b/a@renamed");
	send_plan_free(&p);

	/* Same name, other guid, after the base: the target diverged. */
	dst.n = 2;
	send_plan_dataset(&src, &dst, &zeit_only, NULL, false, &p);
	assert_int_equal(p.verdict, SEND_DIVERGED);
	assert_int_equal(p.diverged.n, 1);
	assert_non_null(strstr(p.why, "zeit_daily_20261102T000000Z"));
	assert_non_null(strstr(p.why, "--rollback"));
	/* The steps are still planned, for --rollback. */
	assert_true(p.nsteps > 0);
	send_plan_free(&p);
}

static void test_up_to_date_and_writes(void **state)
{
	struct zfs_snap t[] = {S("b/a@x", 15, 9)};
	struct send_side dst = {t, 1, true, false, 0};
	struct send_plan p;
	(void)state;
	send_plan_dataset(&src, &dst, &zeit_only, NULL, false, &p);
	assert_int_equal(p.verdict, SEND_UP_TO_DATE);
	assert_int_equal(p.nsteps, 0);
	assert_string_equal(p.newest->name, "t/a@zeit_hourly_20261103T010000Z");
	send_plan_free(&p);
	dst.written = 4096;
	send_plan_dataset(&src, &dst, &zeit_only, NULL, false, &p);
	assert_int_equal(p.verdict, SEND_DIVERGED);
	assert_non_null(strstr(p.why, "written"));
	send_plan_free(&p);
}

static void test_no_common_refused_unless_forced(void **state)
{
	struct zfs_snap t[] = {S("b/a@other", 77, 9)};
	struct send_side dst = {t, 1, true, false, 0};
	struct send_plan p;
	(void)state;
	send_plan_dataset(&src, &dst, &zeit_only, NULL, false, &p);
	assert_int_equal(p.verdict, SEND_NO_COMMON);
	assert_int_equal(p.nsteps, 0);
	assert_non_null(strstr(p.why, "--force"));
	send_plan_free(&p);
	send_plan_dataset(&src, &dst, &zeit_only, NULL, true, &p);
	assert_int_equal(p.verdict, SEND_FULL);
	assert_true(p.force_recv);
	send_plan_free(&p);
	/* An empty placeholder zeit made is no obstacle. */
	struct send_side ph = {NULL, 0, true, true, 0};
	send_plan_dataset(&src, &ph, &zeit_only, NULL, false, &p);
	assert_int_equal(p.verdict, SEND_FULL);
	assert_true(p.force_recv);
	send_plan_free(&p);
	/* An empty dataset that is not one is. */
	ph.placeholder = false;
	send_plan_dataset(&src, &ph, &zeit_only, NULL, false, &p);
	assert_int_equal(p.verdict, SEND_NO_COMMON);
	send_plan_free(&p);
}

static void test_bookmark_base_uses_i(void **state)
{
	/* The base snapshot was destroyed on the source; its bookmark is
	 * left, and -I cannot start from a bookmark. */
	struct zfs_snap s[] = {
	        B("t/a#zeitsend-00000000-zeit_daily_20261101T000000Z", 11, 100),
	        S("t/a@zeit_daily_20261102T000000Z", 13, 120),
	        S("t/a@zeit_daily_20261103T000000Z", 14, 130),
	};
	struct send_side ss = {s, 3, true, false, 0};
	struct zfs_snap t[] = {S("b/a@zeit_daily_20261101T000000Z", 11, 9)};
	struct send_side dst = {t, 1, true, false, 0};
	struct send_plan p;
	(void)state;
	send_plan_dataset(&ss, &dst, &zeit_only, NULL, false, &p);
	assert_int_equal(p.verdict, SEND_INCREMENTAL);
	assert_true(p.base->bookmark);
	expect_steps(&p,
	             (const char *const[]){"t/a#zeitsend-00000000-zeit_daily_"
	                                   "20261101T000000Z -i "
	                                   "t/a@zeit_daily_20261102T000000Z",
	                                   "t/a@zeit_daily_20261102T000000Z -I "
	                                   "t/a@zeit_daily_20261103T000000Z",
	                                   NULL});
	send_plan_free(&p);
}

static void test_nothing_selected(void **state)
{
	struct zfs_snap s[] = {S("t/a@manual", 1, 1)};
	struct send_side ss = {s, 1, true, false, 0};
	struct send_side dst = {NULL, 0, false, false, 0};
	struct send_plan p;
	(void)state;
	send_plan_dataset(&ss, &dst, &zeit_only, NULL, false, &p);
	assert_int_equal(p.verdict, SEND_NOTHING);
	assert_int_equal(p.nsteps, 0);
	send_plan_free(&p);
}

static void test_clone_first_step_from_origin(void **state)
{
	struct zfs_snap s[] = {S("t/c@zeit_daily_20261105T000000Z", 3, 300)};
	struct send_side ss = {s, 1, true, false, 0};
	struct send_side dst = {NULL, 0, false, false, 0};
	struct send_plan p;
	(void)state;
	send_plan_dataset(&ss, &dst, &zeit_only,
	                  "t/a@zeit_daily_20261101T000000Z", false, &p);
	expect_steps(&p,
	             (const char *const[]){"t/a@zeit_daily_20261101T000000Z -i "
	                                   "t/c@zeit_daily_20261105T000000Z",
	                                   NULL});
	send_plan_free(&p);
}

static void test_order_parents_and_origins(void **state)
{
	const char *names[] = {"t", "t/b", "t/b/c", "t/clone", "t/z"};
	/* t/clone is a clone of t/z's snapshot: it must come after t/z. */
	const char *origins[] = {"-", "-", "-", "t/z@s1", "-"};
	size_t order[5];
	(void)state;
	send_order(names, origins, 5, order);
	size_t pos[5];
	for (size_t i = 0; i < 5; i++)
		pos[order[i]] = i;
	assert_true(pos[0] < pos[1]);
	assert_true(pos[1] < pos[2]);
	assert_true(pos[4] < pos[3]);
	assert_true(pos[0] < pos[3]);
}

static void test_target_names_and_tags(void **state)
{
	char tag[256], bm[32];
	(void)state;
	char *n = send_target_name("tank/home", "backup/home", "tank/home/u/x");
	assert_string_equal(n, "backup/home/u/x");
	free(n);
	n = send_target_name("tank/home", "backup/h", "tank/home");
	assert_string_equal(n, "backup/h");
	free(n);
	send_hold_tag("host", "backup/a", tag, sizeof(tag));
	assert_string_equal(tag, "zeit-send:host:backup/a");
	send_hold_tag(NULL, "backup/a", tag, sizeof(tag));
	assert_string_equal(tag, "zeit-send:backup/a");
	send_bookmark_prefix(NULL, "backup/a", bm, sizeof(bm));
	char bm2[32];
	send_bookmark_prefix("h", "backup/a", bm2, sizeof(bm2));
	assert_true(str_starts(bm, "zeitsend-"));
	assert_string_not_equal(bm, bm2);
	assert_true(zfs_component_valid(bm));
	assert_int_equal(strlen(bm), strlen("zeitsend-") + 16 + 1);
	send_bookmark_prefix_v1(NULL, "backup/a", bm2, sizeof(bm2));
	assert_int_equal(strlen(bm2), strlen("zeitsend-") + 8 + 1);
	assert_false(str_starts(bm, bm2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_first_send_is_full_then_runs),
	        cmocka_unit_test(test_incremental_matches_by_guid_not_name),
	        cmocka_unit_test(test_up_to_date_and_writes),
	        cmocka_unit_test(test_no_common_refused_unless_forced),
	        cmocka_unit_test(test_bookmark_base_uses_i),
	        cmocka_unit_test(test_nothing_selected),
	        cmocka_unit_test(test_clone_first_step_from_origin),
	        cmocka_unit_test(test_order_parents_and_origins),
	        cmocka_unit_test(test_target_names_and_tags),
	};
	zeit_init(&z);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
