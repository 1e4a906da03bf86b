#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "zeit/ztime.h"

static time_t p(const char *s)
{
	time_t t = 0;
	if (!ztime_parse(s, &t))
		fail_msg("'%s' should parse", s);
	return t;
}

static void test_parse(void **state)
{
	(void)state;
	assert_int_equal(p("2026-11-27T22:15:00Z"), 1795817700);
	assert_int_equal(p("2026-11-27T22:15:00"), 1795817700);
	assert_int_equal(p("2026-11-27 22:15:00"), 1795817700);
	assert_int_equal(p("2026-11-27T22:15Z"), 1795817700);
	assert_int_equal(p("2026-11-27T22:15:00+00:00"), 1795817700);
	assert_int_equal(p("20261127T221500Z"), 1795817700);
	assert_int_equal(p("2026-11-27"), 1795737600);
	assert_int_equal(p("@1795817700"), 1795817700);
	assert_int_equal(p("@253402300799"), 253402300799LL);
	assert_int_equal(p("2024-02-29"), 1709164800);
	assert_int_equal(p("1970-01-01T00:00:00Z"), 0);
}

static void test_reject(void **state)
{
	time_t t;
	(void)state;
	/* @EPOCH past year 9999 too: no format zeit writes could say it. */
	const char *bad[] = {"",
	                     "yesterday",
	                     "2026-13-01",
	                     "2026-02-29",
	                     "2026-11-31",
	                     "2026-11-27T24:00",
	                     "2026-11-27T22:15:00+01:00",
	                     "2026-11-27X",
	                     "2026-1-27",
	                     "20261127T2215",
	                     "@",
	                     "@-5",
	                     "@974123914002",
	                     "@253402300800",
	                     "2026-11-27T22:15:00ZZ",
	                     "1969-12-31",
	                     NULL};
	for (size_t i = 0; bad[i]; i++)
		if (ztime_parse(bad[i], &t))
			fail_msg("'%s' should not parse", bad[i]);
}

static void test_format(void **state)
{
	char buf[32];
	(void)state;
	ztime_format(1795817700, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-27T22:15:00Z");
}

static void test_duration(void **state)
{
	long long s;
	(void)state;
	assert_true(ztime_parse_duration("15m", &s));
	assert_int_equal(s, 900);
	assert_true(ztime_parse_duration("36h", &s));
	assert_int_equal(s, 36 * 3600);
	assert_true(ztime_parse_duration("1d", &s));
	assert_int_equal(s, 86400);
	assert_true(ztime_parse_duration("8w", &s));
	assert_int_equal(s, 8 * 7 * 86400);
	assert_true(ztime_parse_duration("1y", &s));
	assert_int_equal(s, 365 * 86400);
	assert_false(ztime_parse_duration("1", &s));
	assert_false(ztime_parse_duration("d", &s));
	assert_false(ztime_parse_duration("1dd", &s));
	assert_false(ztime_parse_duration("-1d", &s));
	assert_false(ztime_parse_duration("1s", &s));
	assert_false(ztime_parse_duration("99999999999999y", &s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse),
	        cmocka_unit_test(test_reject),
	        cmocka_unit_test(test_format),
	        cmocka_unit_test(test_duration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
