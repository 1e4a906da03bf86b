#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/select.h"
#include "zeit/snap.h"

static void test_names(void **state)
{
	char buf[ZEIT_SNAPNAME_MAX];
	enum zeit_tier t;
	time_t when;
	(void)state;
	zeit_snapname_format(ZEIT_TIER_DAILY, 1795817700, buf, sizeof(buf));
	assert_string_equal(buf, "zeit_daily_20261127T221500Z");
	assert_true(zeit_snapname_parse(buf, &t, &when));
	assert_int_equal(t, ZEIT_TIER_DAILY);
	assert_int_equal(when, 1795817700);
	assert_true(zeit_snapname_parse("tank/a@zeit_frequent_20261127T221500Z",
	                                &t, &when));
	assert_int_equal(t, ZEIT_TIER_FREQUENT);
	for (int i = 0; i < ZEIT_TIER_COUNT; i++) {
		zeit_snapname_format((enum zeit_tier)i, 0, buf, sizeof(buf));
		assert_true(zeit_snapname_parse(buf, &t, &when));
		assert_int_equal(t, i);
		assert_int_equal(when, 0);
	}
	const char *notours[] = {"zfs-auto-snap_daily-2026-11-27-0000",
	                         "autosnap_2026-11-27_00:00:00_daily",
	                         "zeit_daily_20261127T221500",
	                         "zeit_daily_20261127T221500Zx",
	                         "zeit_fortnightly_20261127T221500Z",
	                         "zeit_daily_20261327T221500Z",
	                         "zeitx_daily_20261127T221500Z",
	                         "zeit_daily_2026-11-27T22:15:00Z",
	                         "zeit__20261127T221500Z",
	                         NULL};
	for (size_t i = 0; notours[i]; i++)
		if (zeit_snapname_parse(notours[i], &t, &when))
			fail_msg("'%s' is not zeit's", notours[i]);
}

static void test_sortable(void **state)
{
	char a[ZEIT_SNAPNAME_MAX], b[ZEIT_SNAPNAME_MAX];
	(void)state;
	/* Later times sort later as text, across digit-count boundaries. */
	zeit_snapname_format(ZEIT_TIER_HOURLY, 1795817700, a, sizeof(a));
	zeit_snapname_format(ZEIT_TIER_HOURLY, 1795817700 + 3600 * 24 * 40, b,
	                     sizeof(b));
	assert_true(strcmp(a, b) < 0);
}

static void test_plan(void **state)
{
	const char *ds[] = {"tank/a", "tank/b", "other/c", NULL};
	enum zeit_tier tiers[] = {ZEIT_TIER_HOURLY, ZEIT_TIER_DAILY,
	                          ZEIT_TIER_NONE};
	struct strv names;
	(void)state;
	snap_plan(ds, tiers, 1795817700, &names);
	assert_int_equal(names.n, 6);
	assert_string_equal(names.v[0], "tank/a@zeit_hourly_20261127T221500Z");
	assert_string_equal(names.v[2], "other/c@zeit_hourly_20261127T221500Z");
	assert_string_equal(names.v[5], "other/c@zeit_daily_20261127T221500Z");
	strv_free(&names);
}

/* A selection row: name, org.zeit:snap, org.zeit:keep ("-": unset). */
static void add_row(struct zfs_dataset_list *l, const char *name,
                    const char *snap, const char *keep)
{
	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	struct zfs_dataset *d = &l->v[l->n++];
	d->name = strdup(name);
	d->type = ZFS_TYPE_FILESYSTEM;
	d->values = calloc(DSP_COUNT, sizeof(char *));
	for (size_t i = 0; i < DSP_COUNT; i++)
		d->values[i] = strdup("-");
	free(d->values[DSP_SNAP]);
	d->values[DSP_SNAP] = strdup(snap);
	free(d->values[DSP_KEEP]);
	d->values[DSP_KEEP] = strdup(keep);
}

static bool has_name(const struct strv *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], s))
			return true;
	return false;
}

/* Named datasets take the tiers asked, even one marked off; a child
 * reached by -r that is marked off is left out with a note; tiers come
 * tier by tier so each is its own batch. */
static void test_plan_named(void **state)
{
	struct zeit z;
	struct zeit_config cfg;
	struct zfs_dataset_list all = {.nprops = DSP_COUNT};
	struct snap_plan plan;
	enum zeit_tier tiers[] = {ZEIT_TIER_DAILY, ZEIT_TIER_HOURLY,
	                          ZEIT_TIER_NONE};
	(void)state;
	zeit_init(&z);
	config_init(&cfg);
	add_row(&all, "t/a", "off", "-");
	add_row(&all, "t/a/kid", "off", "-");
	add_row(&all, "t/a/other", "-", "-");
	bool named[] = {true, false, false};
	struct snap_plan_input in = {.all = &all,
	                             .named = named,
	                             .any_roots = true,
	                             .tiers = tiers,
	                             .config = &cfg,
	                             .now = 1795817700};
	snap_plan_init(&plan);
	snap_plan_datasets(&z, &in, &plan);
	assert_int_equal(plan.names.n, 4);
	/* Hourly before daily: the tiers' order, not the flags'. */
	assert_string_equal(plan.names.v[0],
	                    "t/a@zeit_hourly_20261127T221500Z");
	assert_string_equal(plan.names.v[1],
	                    "t/a/other@zeit_hourly_20261127T221500Z");
	assert_string_equal(plan.names.v[2], "t/a@zeit_daily_20261127T221500Z");
	assert_int_equal(plan.notes.n, 1);
	assert_string_equal(plan.notes.v[0],
	                    "t/a/kid: not selected (excluded by "
	                    "org.zeit:snap=off or "
	                    "com.sun:auto-snapshot=false)");
	assert_int_equal(plan.skipped.n, 0);
	snap_plan_free(&plan);
	zfs_dataset_list_free(&all);
	config_free(&cfg);
}

/* --auto: a tier is due when its newest is a period old; a dataset whose
 * org.zeit:keep cannot be read is skipped with one message naming it and
 * costs nobody else; nothing due is said in a note. */
static void test_plan_auto(void **state)
{
	struct zeit z;
	struct zeit_config cfg;
	struct zfs_dataset_list all = {.nprops = DSP_COUNT};
	struct snap_plan plan;
	time_t now = 1795817700;
	(void)state;
	zeit_init(&z);
	config_init(&cfg);
	add_row(&all, "t/fresh", "on", "hourly=24");
	add_row(&all, "t/stale", "on", "hourly=24");
	add_row(&all, "t/broken", "on", "daily=lots");
	add_row(&all, "t/unmarked", "-", "hourly=24");
	time_t newest[4][ZEIT_TIER_COUNT] = {{0}};
	newest[0][ZEIT_TIER_HOURLY] = now - 600;
	newest[1][ZEIT_TIER_HOURLY] = now - 2 * 3600;
	bool named[4] = {false};
	struct snap_plan_input in = {.all = &all,
	                             .named = named,
	                             .auto_mode = true,
	                             .config = &cfg,
	                             .newest = newest,
	                             .now = now};
	snap_plan_init(&plan);
	snap_plan_datasets(&z, &in, &plan);
	assert_true(
	        has_name(&plan.names, "t/stale@zeit_hourly_20261127T221500Z"));
	assert_false(
	        has_name(&plan.names, "t/fresh@zeit_hourly_20261127T221500Z"));
	for (size_t i = 0; i < plan.names.n; i++)
		assert_null(strstr(plan.names.v[i], "t/broken@"));
	for (size_t i = 0; i < plan.names.n; i++)
		assert_null(strstr(plan.names.v[i], "t/unmarked@"));
	assert_int_equal(plan.skipped.n, 1);
	assert_non_null(strstr(plan.skipped.v[0], "t/broken"));
	assert_non_null(strstr(plan.skipped.v[0], "lots"));
	assert_true(has_name(&plan.notes,
	                     "t/unmarked: not selected (no org.zeit:snap=on, "
	                     "configuration or com.sun:auto-snapshot=true)"));
	snap_plan_free(&plan);

	/* Every tier fresh: nothing to take, and the note says so. */
	for (int t = 0; t < ZEIT_TIER_COUNT; t++)
		newest[0][t] = newest[1][t] = now;
	snap_plan_init(&plan);
	snap_plan_datasets(&z, &in, &plan);
	assert_int_equal(plan.names.n, 0);
	assert_true(has_name(&plan.notes, "nothing to take: no tier is due on "
	                                  "any selected dataset"));
	snap_plan_free(&plan);
	zfs_dataset_list_free(&all);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_names),
	        cmocka_unit_test(test_sortable),
	        cmocka_unit_test(test_plan),
	        cmocka_unit_test(test_plan_named),
	        cmocka_unit_test(test_plan_auto),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
