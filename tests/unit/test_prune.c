#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/prune.h"
#include "zeit/select.h"

static struct zeit z;

static const struct prune_item *find(const struct prune_plan *p,
                                     const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].name, name))
			return &p->v[i];
	fail_msg("%s not in plan", name);
	return NULL;
}

static void test_count_rule(void **state)
{
	struct policy pol;
	struct prune_plan plan;
	const char *snaps[] = {
	        "tank/a@zeit_hourly_20261127T200000Z",
	        "tank/a@zeit_hourly_20261127T210000Z",
	        "tank/a@zeit_hourly_20261127T220000Z",
	        "tank/a@zeit_daily_20261127T000000Z",
	        "tank/a@manual-before-upgrade",
	        "tank/a@zfs-auto-snap_hourly-2026-11-27-1900",
	        "tank/a@autosnap_2026-11-27_18:00:00_hourly",
	};
	(void)state;
	policy_default(&pol);
	assert_int_equal(policy_apply_spec(&z, &pol, "hourly=2,daily=0", "t"),
	                 0);
	prune_plan_init(&plan);
	prune_plan_dataset(&pol, NULL, SNAP_ORIGIN_ZEIT, snaps, 7, 1795817700,
	                   &plan);
	assert_int_equal(plan.n, 7);
	assert_int_equal(find(&plan, snaps[0])->action, PRUNE_DESTROY);
	assert_string_equal(find(&plan, snaps[0])->reason,
	                    "hourly: beyond the newest 2");
	assert_int_equal(find(&plan, snaps[1])->action, PRUNE_KEEP);
	assert_string_equal(find(&plan, snaps[1])->reason,
	                    "hourly: one of the newest 2");
	assert_int_equal(find(&plan, snaps[2])->action, PRUNE_KEEP);
	assert_int_equal(find(&plan, snaps[3])->action, PRUNE_DESTROY);
	assert_string_equal(find(&plan, snaps[3])->reason,
	                    "daily: tier off (daily=0)");
	/* Never someone else's, unless adopted. */
	assert_int_equal(find(&plan, snaps[4])->action, PRUNE_KEEP);
	assert_string_equal(find(&plan, snaps[4])->reason, "not made by zeit");
	assert_int_equal(find(&plan, snaps[5])->action, PRUNE_KEEP);
	assert_string_equal(find(&plan, snaps[5])->reason,
	                    "zfs-auto-snap names not adopted");
	assert_string_equal(find(&plan, snaps[6])->reason,
	                    "autosnap names not adopted");
	assert_int_equal(prune_plan_count(&plan, PRUNE_DESTROY), 2);
	prune_plan_free(&plan);

	/* Adopting zfs-auto-snapshot's history: its hourlies count with zeit's.
	 */
	prune_plan_init(&plan);
	prune_plan_dataset(&pol, NULL,
	                   SNAP_ORIGIN_ZEIT | SNAP_ORIGIN_AUTO_SNAPSHOT, snaps,
	                   7, 1795817700, &plan);
	assert_int_equal(find(&plan, snaps[5])->action, PRUNE_DESTROY);
	assert_int_equal(find(&plan, snaps[0])->action, PRUNE_DESTROY);
	assert_int_equal(find(&plan, snaps[6])->action, PRUNE_KEEP);
	prune_plan_free(&plan);
}

static void test_age_rule_and_future(void **state)
{
	struct policy pol;
	struct prune_plan plan;
	const char *snaps[] = {
	        "tank/a@zeit_daily_20261120T000000Z",
	        "tank/a@zeit_daily_20261125T000000Z",
	        "tank/a@zeit_daily_20261201T000000Z", /* after the clock */
	};
	(void)state;
	policy_default(&pol);
	assert_int_equal(policy_apply_spec(&z, &pol, "daily=5d", "t"), 0);
	prune_plan_init(&plan);
	prune_plan_dataset(&pol, NULL, SNAP_ORIGIN_ZEIT, snaps, 3, 1795817700,
	                   &plan);
	assert_int_equal(find(&plan, snaps[0])->action, PRUNE_DESTROY);
	assert_string_equal(find(&plan, snaps[0])->reason,
	                    "daily: older than 5d");
	assert_int_equal(find(&plan, snaps[1])->action, PRUNE_KEEP);
	assert_string_equal(find(&plan, snaps[1])->reason,
	                    "daily: younger than 5d");
	assert_int_equal(find(&plan, snaps[2])->action, PRUNE_KEEP);
	assert_string_equal(find(&plan, snaps[2])->reason,
	                    "daily: dated in the future");
	prune_plan_free(&plan);
}

/* Snapshots dated after the clock (it was ahead once, here or on a
 * replica's source) are kept but take no count slot: real ones are not
 * destroyed to keep them. */
static void test_future_takes_no_slot(void **state)
{
	struct policy pol;
	struct prune_plan plan;
	const char *snaps[] = {
	        "tank/a@zeit_hourly_20261127T200000Z",
	        "tank/a@zeit_hourly_20261127T210000Z",
	        "tank/a@zeit_hourly_20261127T220000Z",
	        "tank/a@zeit_hourly_20271127T220000Z", /* a year ahead */
	        "tank/a@zeit_hourly_20271127T230000Z",
	};
	(void)state;
	policy_default(&pol);
	assert_int_equal(policy_apply_spec(&z, &pol, "hourly=2,daily=0", "t"),
	                 0);
	prune_plan_init(&plan);
	prune_plan_dataset(&pol, NULL, SNAP_ORIGIN_ZEIT, snaps, 5, 1795817700,
	                   &plan);
	assert_int_equal(find(&plan, snaps[0])->action, PRUNE_DESTROY);
	for (int i = 1; i < 3; i++) {
		assert_int_equal(find(&plan, snaps[i])->action, PRUNE_KEEP);
		assert_string_equal(find(&plan, snaps[i])->reason,
		                    "hourly: one of the newest 2");
	}
	for (int i = 3; i < 5; i++) {
		assert_int_equal(find(&plan, snaps[i])->action, PRUNE_KEEP);
		assert_string_equal(find(&plan, snaps[i])->reason,
		                    "hourly: dated in the future");
	}
	prune_plan_free(&plan);
}

/* The destroying program's answer; a JSON null (or any other type) where
 * a list or a name belongs must not crash prune. */
static void test_result_parse(void **state)
{
	struct prune_plan plan;
	struct prune_exec_stats st = {0};
	(void)state;
	prune_plan_init(&plan);
	struct prune_item *it = NULL;
	const char *names[] = {"tank/a@s1", "tank/a@s2", "tank/a@s3"};
	for (int i = 0; i < 3; i++) {
		plan.v = xrealloc(plan.v, (plan.n + 1) * sizeof(*plan.v));
		it = &plan.v[plan.n++];
		memset(it, 0, sizeof(*it));
		it->name = xstrdup(names[i]);
		it->action = PRUNE_DESTROY;
	}
	assert_int_equal(
	        prune_result_parse(&z, "tank",
	                           "{\"return\": {\"destroyed\": \"tank/a@s1\","
	                           " \"held\": \"tank/a@s2\", \"cloned\": "
	                           "\"tank/a@s3\", \"gone\": \"\", "
	                           "\"count\": 1}}",
	                           &plan, &st),
	        0);
	assert_int_equal(st.destroyed, 1);
	assert_int_equal(st.held, 1);
	assert_int_equal(st.cloned, 1);
	assert_int_equal(plan.v[0].action, PRUNE_DESTROY);
	assert_int_equal(plan.v[1].action, PRUNE_KEEP);
	assert_int_equal(plan.v[2].action, PRUNE_KEEP);
	const char *odd[] = {
	        "{\"return\": {\"held\": null, \"cloned\": null, "
	        "\"gone\": null, \"destroyed\": null}}",
	        "{\"return\": {\"held\": 7, \"destroyed\": {}, "
	        "\"cloned\": []}}",
	        "{\"return\": null}",
	        "{\"return\": \"x\"}",
	        "null",
	        "[]",
	        "",
	};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		struct prune_exec_stats s2 = {0};
		int rc = prune_result_parse(&z, "tank", odd[i], &plan, &s2);
		assert_int_equal(s2.held + s2.cloned + s2.destroyed, 0);
		assert_true(rc == 0 || rc == -1);
		zeit_clear_error(&z);
	}
	/* A failure with a null name or error is still a failure. */
	struct prune_exec_stats s3 = {0};
	assert_int_equal(prune_result_parse(&z, "tank",
	                                    "{\"return\": {\"failed\": null, "
	                                    "\"error\": null}}",
	                                    &plan, &s3),
	                 -1);
	assert_non_null(strstr(zeit_error(&z), "nothing was destroyed"));
	assert_int_equal(prune_result_parse(&z, "tank",
	                                    "{\"return\": {\"failed\": "
	                                    "\"tank/a@s1\", \"error\": 16}}",
	                                    &plan, &s3),
	                 -1);
	assert_non_null(strstr(zeit_error(&z), "cannot destroy tank/a@s1"));
	zeit_clear_error(&z);
	prune_plan_free(&plan);
}

static void test_lua(void **state)
{
	struct buf b;
	(void)state;
	buf_init(&b);
	zfs_lua_quote(&b, "tank/a b@x:y");
	assert_string_equal(b.data, "\"tank/a b@x:y\"");
	buf_reset(&b);
	zfs_lua_quote(&b, "q\"b\\n\nx\x7f");
	assert_string_equal(b.data, "\"q\\\"b\\\\n\\010x\\127\"");
	buf_free(&b);
	const char *names[] = {"tank/a@s1", "tank/b@s2"};
	char *src = zfs_destroy_checked_source(names, 2);
	assert_non_null(strstr(src, "\"tank/a@s1\",\n\"tank/b@s2\",\n}"));
	assert_non_null(strstr(src, "zfs.check.destroy"));
	assert_non_null(strstr(src, "zfs.sync.destroy"));
	free(src);
}

/* The listing program's answer, as `zfs program -j` prints it. */
static void test_list_parse(void **state)
{
	struct zfs_dataset_list all = {.nprops = DSP_COUNT};
	struct zfs_snap_list snaps = {0};
	(void)state;
	char *src = zfs_list_tree_source(select_props());
	assert_non_null(strstr(src, "local props = {\"org.zeit:snap\", "));
	assert_non_null(strstr(src, "\"org.zeit:prune\", "));
	assert_non_null(strstr(src, "\"org.zeit:run:prune:error\"}\n"));
	assert_null(strstr(src, "PROPS"));
	free(src);

	const char *one =
	        "{\"return\": {\"datasets\": {"
	        "\"tank/b\": {\"type\": \"filesystem\", "
	        "\"org.zeit:keep\": \"hourly=2\\tx\", "
	        "\"org.zeit:snap\": \"on\", \" snapshots\": "
	        "\"tank/b@zeit_hourly_20261127T010000Z\\ntank/b@x y\"}, "
	        "\"tank\": {\"type\": \"filesystem\", \" snapshots\": \"\"}, "
	        "\"tank/vol\": {\"type\": \"volume\", "
	        "\"com.sun:auto-snapshot:daily\": \"false\", "
	        "\" snapshots\": \"tank/vol@1\"}}}}";
	/* A pool with no snapshots: Lua's empty table is left out. */
	const char *two = "{\"return\": {\"datasets\": {\"other\": "
	                  "{\"type\": \"filesystem\"}}}}";
	assert_int_equal(
	        zfs_list_tree_parse(&z, one, select_props(), &all, &snaps), 0);
	assert_int_equal(
	        zfs_list_tree_parse(&z, two, select_props(), &all, &snaps), 0);
	assert_int_equal(all.n, 4);
	assert_string_equal(all.v[0].name, "other");
	assert_string_equal(all.v[1].name, "tank");
	assert_string_equal(all.v[2].name, "tank/b");
	assert_string_equal(all.v[3].name, "tank/vol");
	assert_int_equal(all.v[3].type, ZFS_TYPE_VOLUME);
	assert_int_equal(all.v[2].type, ZFS_TYPE_FILESYSTEM);
	assert_string_equal(all.v[2].values[DSP_SNAP], "on");
	assert_string_equal(all.v[2].values[DSP_KEEP], "hourly=2\tx");
	assert_string_equal(all.v[1].values[DSP_KEEP], "-");
	assert_string_equal(
	        all.v[3].values[DSP_AUTOSNAP_TIER0 + ZEIT_TIER_DAILY], "false");
	assert_int_equal(select_find(&all, "tank/b@x", 6), 2);
	assert_int_equal(snaps.n, 3);
	struct strv names;
	strv_init(&names);
	for (size_t i = 0; i < snaps.n; i++)
		strv_push(&names, snaps.v[i].name);
	assert_true(
	        strv_contains(&names, "tank/b@zeit_hourly_20261127T010000Z"));
	assert_true(strv_contains(&names, "tank/b@x y"));
	assert_true(strv_contains(&names, "tank/vol@1"));
	strv_free(&names);
	zfs_dataset_list_free(&all);
	zfs_snap_list_free(&snaps);

	/* An error text instead of JSON is refused, naming what came. */
	assert_int_equal(zfs_list_tree_parse(&z,
	                                     "Channel program execution "
	                                     "failed",
	                                     select_props(), &all, &snaps),
	                 -1);
	assert_non_null(strstr(z.errmsg, "Channel program execution failed"));
	zeit_clear_error(&z);
	assert_int_equal(zfs_list_tree_parse(&z, "{\"return\": 3}",
	                                     select_props(), &all, &snaps),
	                 -1);
	zeit_clear_error(&z);
	/* Nulls where strings belong are read as unset, not followed. */
	assert_int_equal(
	        zfs_list_tree_parse(&z,
	                            "{\"return\": {\"datasets\": {\"t\": "
	                            "{\"type\": null, \" snapshots\": "
	                            "null, \"org.zeit:keep\": null}}}}",
	                            select_props(), &all, &snaps),
	        0);
	assert_int_equal(all.n, 1);
	assert_string_equal(all.v[0].values[DSP_KEEP], "-");
	assert_int_equal(snaps.n, 0);
	zfs_dataset_list_free(&all);
	zfs_snap_list_free(&snaps);
}

/* ---- A year of the 15-minute timer, source and x2 replica ---- */

struct history {
	struct strv names;
};

static void take_due(struct history *h, const struct policy *pol, time_t now)
{
	time_t newest[ZEIT_TIER_COUNT] = {0};
	bool off[ZEIT_TIER_COUNT] = {false}, due[ZEIT_TIER_COUNT];
	for (size_t i = 0; i < h->names.n; i++) {
		enum zeit_tier t;
		time_t w;
		if (zeit_snapname_parse(h->names.v[i], &t, &w) && w > newest[t])
			newest[t] = w;
	}
	tiers_due(pol, off, newest, now, due);
	for (int t = 0; t < ZEIT_TIER_COUNT; t++)
		if (due[t]) {
			char n[ZEIT_SNAPNAME_MAX];
			zeit_snapname_format((enum zeit_tier)t, now, n,
			                     sizeof(n));
			strv_pushf(&h->names, "tank/a@%s", n);
		}
}

static void prune(struct history *h, const struct policy *pol, time_t now)
{
	struct prune_plan plan;
	struct strv kept;
	prune_plan_init(&plan);
	prune_plan_dataset(pol, NULL, SNAP_ORIGIN_ZEIT,
	                   (const char *const *)h->names.v, h->names.n, now,
	                   &plan);
	strv_init(&kept);
	for (size_t i = 0; i < plan.n; i++)
		if (plan.v[i].action == PRUNE_KEEP)
			strv_push(&kept, plan.v[i].name);
	prune_plan_free(&plan);
	strv_free(&h->names);
	h->names = kept;
}

static void count(const struct history *h, size_t out[ZEIT_TIER_COUNT],
                  time_t newest[ZEIT_TIER_COUNT])
{
	memset(out, 0, sizeof(size_t) * ZEIT_TIER_COUNT);
	memset(newest, 0, sizeof(time_t) * ZEIT_TIER_COUNT);
	for (size_t i = 0; i < h->names.n; i++) {
		enum zeit_tier t;
		time_t w;
		assert_true(zeit_snapname_parse(h->names.v[i], &t, &w));
		out[t]++;
		if (w > newest[t])
			newest[t] = w;
	}
}

static void test_year_replay(void **state)
{
	struct policy src, dst;
	struct history a, b;
	const time_t start = 1767225600; /* 2026-01-01T00:00:00Z */
	const time_t end = start + 365 * 86400;
	size_t n[ZEIT_TIER_COUNT];
	time_t newest[ZEIT_TIER_COUNT];
	(void)state;
	policy_default(&src);
	dst = src;
	assert_int_equal(policy_apply_spec(&z, &dst, "x2", "replica"), 0);
	strv_init(&a.names);
	strv_init(&b.names);
	time_t now;
	for (now = start; now < end; now += 900) {
		size_t before = a.names.n;
		take_due(&a, &src, now);
		/* Replication after each run brings what the run took. */
		for (size_t i = before; i < a.names.n; i++)
			strv_push(&b.names, a.names.v[i]);
		prune(&a, &src, now);
		prune(&b, &dst, now);
	}
	now -= 900; /* the last run: 2026-12-31T23:45Z */

	count(&a, n, newest);
	assert_int_equal(n[ZEIT_TIER_FREQUENT], 4);
	assert_int_equal(n[ZEIT_TIER_HOURLY], 24);
	assert_int_equal(n[ZEIT_TIER_DAILY], 31);
	assert_int_equal(n[ZEIT_TIER_WEEKLY], 8);
	assert_int_equal(n[ZEIT_TIER_MONTHLY], 12);
	assert_int_equal(n[ZEIT_TIER_YEARLY], 0);
	assert_int_equal(a.names.n, 4 + 24 + 31 + 8 + 12);
	/* What is kept is the newest of each tier. */
	assert_int_equal(newest[ZEIT_TIER_FREQUENT], now);
	assert_int_equal(newest[ZEIT_TIER_HOURLY], now - 45 * 60);
	assert_int_equal(newest[ZEIT_TIER_DAILY], end - 86400);
	assert_true(strv_contains(&a.names,
	                          "tank/a@zeit_monthly_20260101T000000Z"));
	assert_true(
	        strv_contains(&a.names, "tank/a@zeit_weekly_20261228T000000Z"));
	assert_false(
	        strv_contains(&a.names, "tank/a@zeit_daily_20261130T000000Z"));
	assert_true(
	        strv_contains(&a.names, "tank/a@zeit_daily_20261201T000000Z"));

	/* The replica keeps twice as many; a year holds only 12 monthlies. */
	count(&b, n, newest);
	assert_int_equal(n[ZEIT_TIER_FREQUENT], 8);
	assert_int_equal(n[ZEIT_TIER_HOURLY], 48);
	assert_int_equal(n[ZEIT_TIER_DAILY], 62);
	assert_int_equal(n[ZEIT_TIER_WEEKLY], 16);
	assert_int_equal(n[ZEIT_TIER_MONTHLY], 12);
	assert_true(
	        strv_contains(&b.names, "tank/a@zeit_daily_20261031T000000Z"));
	assert_false(
	        strv_contains(&b.names, "tank/a@zeit_daily_20261030T000000Z"));
	strv_free(&a.names);
	strv_free(&b.names);
}

static void test_tiers_due(void **state)
{
	struct policy pol;
	bool off[ZEIT_TIER_COUNT] = {false}, due[ZEIT_TIER_COUNT];
	time_t newest[ZEIT_TIER_COUNT] = {0};
	const time_t midnight = 1795737600; /* 2026-11-27T00:00Z, a Friday */
	(void)state;
	policy_default(&pol);
	/* Nothing yet: every enabled tier is due, yearly (keep 0) is not. */
	tiers_due(&pol, off, newest, midnight, due);
	assert_true(due[ZEIT_TIER_FREQUENT] && due[ZEIT_TIER_HOURLY] &&
	            due[ZEIT_TIER_DAILY] && due[ZEIT_TIER_WEEKLY] &&
	            due[ZEIT_TIER_MONTHLY]);
	assert_false(due[ZEIT_TIER_YEARLY]);
	for (int t = 0; t < ZEIT_TIER_COUNT; t++)
		newest[t] = midnight;
	/* Five minutes late, the timer finds nothing new due. */
	tiers_due(&pol, off, newest, midnight + 300, due);
	for (int t = 0; t < ZEIT_TIER_COUNT; t++)
		assert_false(due[t]);
	tiers_due(&pol, off, newest, midnight + 900, due);
	assert_true(due[ZEIT_TIER_FREQUENT]);
	assert_false(due[ZEIT_TIER_HOURLY]);
	/* A missed hour: 01:20 still takes the hourly once. */
	tiers_due(&pol, off, newest, midnight + 4800, due);
	assert_true(due[ZEIT_TIER_HOURLY]);
	/* com.sun:auto-snapshot:hourly=false switches just that tier off. */
	off[ZEIT_TIER_HOURLY] = true;
	tiers_due(&pol, off, newest, midnight + 4800, due);
	assert_false(due[ZEIT_TIER_HOURLY]);
	assert_true(due[ZEIT_TIER_FREQUENT]);
	/* A newest dated a year ahead is no newest: the tier is due. */
	off[ZEIT_TIER_HOURLY] = false;
	newest[ZEIT_TIER_HOURLY] = midnight + 365 * 86400;
	tiers_due(&pol, off, newest, midnight + 300, due);
	assert_true(due[ZEIT_TIER_HOURLY]);
	assert_false(due[ZEIT_TIER_DAILY]);
}

static void view(struct ds_view *v, int snap, int autosnap)
{
	memset(v, 0, sizeof(*v));
	v->name = "tank/a/b";
	v->snap = snap;
	v->autosnap = autosnap;
}

static void test_selection(void **state)
{
	struct zeit_config c;
	struct ds_view v;
	(void)state;
	config_init(&c);
	view(&v, -1, -1);
	assert_false(ds_auto_selected(&v, &c));
	view(&v, 1, -1);
	assert_true(ds_auto_selected(&v, &c));
	view(&v, -1, 1);
	assert_true(ds_auto_selected(&v, &c));
	/* zfs-auto-snapshot's false wins over zeit's on. */
	view(&v, 1, 0);
	assert_false(ds_auto_selected(&v, &c));
	assert_true(ds_excluded(&v));
	view(&v, 0, 1);
	assert_false(ds_auto_selected(&v, &c));
	config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_count_rule),
	        cmocka_unit_test(test_age_rule_and_future),
	        cmocka_unit_test(test_future_takes_no_slot),
	        cmocka_unit_test(test_result_parse),
	        cmocka_unit_test(test_lua),
	        cmocka_unit_test(test_list_parse),
	        cmocka_unit_test(test_tiers_due),
	        cmocka_unit_test(test_selection),
	        cmocka_unit_test(test_year_replay),
	};
	zeit_init(&z);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
