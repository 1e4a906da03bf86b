#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "zeit/policy.h"

static struct zeit z;

static void test_default_and_format(void **state)
{
	struct policy p;
	char buf[256];
	(void)state;
	policy_default(&p);
	policy_format(&p, buf, sizeof(buf));
	assert_string_equal(
	        buf,
	        "frequent=4,hourly=24,daily=31,weekly=8,monthly=12,yearly=0");
	assert_false(policy_tier_enabled(&p, ZEIT_TIER_YEARLY));
	assert_true(policy_tier_enabled(&p, ZEIT_TIER_FREQUENT));
}

static void test_specs(void **state)
{
	struct policy p;
	char buf[256];
	(void)state;
	policy_default(&p);
	assert_int_equal(
	        policy_apply_spec(&z, &p, "hourly=48, daily=1w,yearly=2", "t"),
	        0);
	policy_format(&p, buf, sizeof(buf));
	assert_string_equal(
	        buf,
	        "frequent=4,hourly=48,daily=1w,weekly=8,monthly=12,yearly=2");
	assert_int_equal(p.tier[ZEIT_TIER_DAILY].kind, KEEP_AGE);
	assert_int_equal(p.tier[ZEIT_TIER_DAILY].n, 7 * 86400);

	policy_default(&p);
	assert_int_equal(policy_apply_spec(&z, &p, "x2", "t"), 0);
	policy_format(&p, buf, sizeof(buf));
	assert_string_equal(
	        buf,
	        "frequent=8,hourly=48,daily=62,weekly=16,monthly=24,yearly=0,"
	        "pkg=40");

	/* The multiplier applies to what lies below; named tiers are exact,
	 * whichever order they are written in. */
	policy_default(&p);
	assert_int_equal(policy_apply_spec(&z, &p, "daily=10,x3", "t"), 0);
	assert_int_equal(p.tier[ZEIT_TIER_DAILY].n, 10);
	assert_int_equal(p.tier[ZEIT_TIER_HOURLY].n, 72);

	policy_default(&p);
	assert_int_equal(policy_apply_spec(&z, &p, "daily=36h", "t"), 0);
	assert_int_equal(policy_apply_spec(&z, &p, "x2", "t"), 0);
	assert_int_equal(p.tier[ZEIT_TIER_DAILY].n, 72 * 3600);
	policy_format(&p, buf, sizeof(buf));
	assert_string_equal(
	        buf,
	        "frequent=8,hourly=48,daily=3d,weekly=16,monthly=24,yearly=0,"
	        "pkg=40");
	assert_int_equal(policy_apply_spec(&z, &p, "", "t"), 0);

	/* Package transactions: pkg is a tier like the others, pkgpre
	 * follows it and is never set on its own. */
	policy_default(&p);
	assert_int_equal(p.tier[ZEIT_TIER_PKG].n, 20);
	assert_int_equal(policy_apply_spec(&z, &p, "pkg=5", "t"), 0);
	assert_int_equal(p.tier[ZEIT_TIER_PKGPRE].n, 5);
	assert_false(policy_tier_enabled(&p, ZEIT_TIER_PKG));
	assert_int_equal(policy_apply_spec(&z, &p, "pkgpre=3", "t"), -1);
	assert_int_equal(policy_apply_spec(&z, &p, "pkg=30d", "t"), 0);
	assert_int_equal(p.tier[ZEIT_TIER_PKGPRE].kind, KEEP_AGE);
	policy_format(&p, buf, sizeof(buf));
	assert_non_null(strstr(buf, ",pkg=30d"));
	assert_null(strstr(buf, "pkgpre"));
}

static void bad(const char *spec, const char *why)
{
	struct policy p, before;
	policy_default(&p);
	before = p;
	zeit_clear_error(&z);
	if (policy_apply_spec(&z, &p, spec, "tank/a: property org.zeit:keep") ==
	    0)
		fail_msg("'%s' should be refused", spec);
	if (!strstr(zeit_error(&z), why))
		fail_msg("'%s': '%s' lacks '%s'", spec, zeit_error(&z), why);
	assert_non_null(
	        strstr(zeit_error(&z), "tank/a: property org.zeit:keep"));
	assert_memory_equal(&p, &before, sizeof(p)); /* nothing half-applied */
}

static void test_errors(void **state)
{
	(void)state;
	bad("hourly", "not TIER=COUNT");
	bad("hourley=24", "unknown tier 'hourley'");
	bad("hourly=24x", "bad value '24x'");
	bad("hourly=-1", "bad value");
	bad("hourly=1s", "bad value");
	bad("hourly=24,hourly=12", "hourly is given twice");
	bad("x0", "bad multiplier");
	bad("xx", "bad multiplier");
	bad("x2,x3", "more than one multiplier");
	bad("daily=1d,=4", "no tier name");
}

static void test_buckets(void **state)
{
	time_t t;
	(void)state;
	/* 2026-11-27 (a Friday) 22:15:00Z */
	t = 1795817700;
	assert_int_equal(tier_bucket(ZEIT_TIER_FREQUENT, t),
	                 tier_bucket(ZEIT_TIER_FREQUENT, t + 899));
	assert_int_not_equal(tier_bucket(ZEIT_TIER_FREQUENT, t),
	                     tier_bucket(ZEIT_TIER_FREQUENT, t + 900));
	assert_int_equal(tier_bucket(ZEIT_TIER_HOURLY, t),
	                 tier_bucket(ZEIT_TIER_HOURLY, t - 900));
	assert_int_not_equal(tier_bucket(ZEIT_TIER_HOURLY, t),
	                     tier_bucket(ZEIT_TIER_HOURLY, t - 901));
	/* Weeks start on Monday 2026-11-23 00:00Z. */
	time_t monday = 1795392000;
	assert_int_equal(tier_bucket(ZEIT_TIER_WEEKLY, monday),
	                 tier_bucket(ZEIT_TIER_WEEKLY, t));
	assert_int_not_equal(tier_bucket(ZEIT_TIER_WEEKLY, monday - 1),
	                     tier_bucket(ZEIT_TIER_WEEKLY, monday));
	/* Calendar months and years. */
	time_t dec1 = 1796083200; /* 2026-12-01T00:00:00Z */
	assert_int_equal(tier_bucket(ZEIT_TIER_MONTHLY, dec1) -
	                         tier_bucket(ZEIT_TIER_MONTHLY, dec1 - 1),
	                 1);
	assert_int_equal(tier_bucket(ZEIT_TIER_YEARLY, dec1), 2026);
	assert_int_equal(tier_period(ZEIT_TIER_DAILY), 86400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_default_and_format),
	        cmocka_unit_test(test_specs),
	        cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_buckets),
	};
	zeit_init(&z);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
