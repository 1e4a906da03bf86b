#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_names),
	        cmocka_unit_test(test_sortable),
	        cmocka_unit_test(test_plan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
