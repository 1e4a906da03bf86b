/* The reader of `zpool status -p`: states, error counts from device rows
 * (names with spaces, notes after the counts), permanent errors and the
 * last scrub, from text zpool 2.1 and 2.3 print alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zeit/zfs.h"

static struct zeit z;

static const char two_pools[] =
        "  pool: solo\n"
        " state: ONLINE\n"
        "  scan: scrub repaired 0B in 00:00:00 with 0 errors on Tue Dec  1 "
        "17:07:32 2026\n"
        "config:\n"
        "\n"
        "\tNAME        STATE     READ WRITE CKSUM\n"
        "\tsolo        ONLINE       0     0     0\n"
        "\t  /tmp/d3   ONLINE       0     0     0\n"
        "\n"
        "errors: No known data errors\n"
        "\n"
        "  pool: sp ace\n"
        " state: DEGRADED\n"
        "status: One or more devices are faulted in response to persistent "
        "errors.\n"
        "\tSufficient replicas exist for the pool to continue functioning "
        "in a\n"
        "\tdegraded state.\n"
        "action: Replace the faulted device, or use 'zpool clear' to mark "
        "the device\n"
        "\trepaired.\n"
        "  scan: scrub in progress since Tue Dec  1 17:10:00 2026\n"
        "config:\n"
        "\n"
        "\tNAME         STATE     READ WRITE CKSUM\n"
        "\tsp ace       DEGRADED     0     0     0\n"
        "\t  mirror-0   DEGRADED     0     0     0\n"
        "\t    /tmp/d1  ONLINE       0     0     2\n"
        "\t    /tmp/a b FAULTED     17     5     0  too many errors\n"
        "\tspares\n"
        "\t  /tmp/d9    AVAIL\n"
        "\n"
        "errors: 3 data errors, use '-v' for a list\n";

static void test_two_pools(void **state)
{
	(void)state;
	struct zpool_health_list l;
	assert_int_equal(zpool_health_parse(&z, two_pools, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].pool, "solo");
	assert_string_equal(l.v[0].state, "ONLINE");
	assert_int_equal(l.v[0].read_errors + l.v[0].write_errors +
	                         l.v[0].cksum_errors,
	                 0);
	assert_int_equal(l.v[0].data_errors, 0);
	assert_false(l.v[0].scrub_running);
	struct tm tm = {.tm_year = 126,
	                .tm_mon = 11,
	                .tm_mday = 1,
	                .tm_hour = 17,
	                .tm_min = 7,
	                .tm_sec = 32,
	                .tm_isdst = -1};
	assert_int_equal(l.v[0].scrub_end, mktime(&tm));
	assert_string_equal(l.v[1].pool, "sp ace");
	assert_string_equal(l.v[1].state, "DEGRADED");
	assert_int_equal(l.v[1].read_errors, 17);
	assert_int_equal(l.v[1].write_errors, 5);
	assert_int_equal(l.v[1].cksum_errors, 2);
	assert_int_equal(l.v[1].data_errors, 3);
	assert_true(l.v[1].scrub_running);
	assert_int_equal(l.v[1].scrub_end, 0);
	zpool_health_list_free(&l);
}

/* Never scrubbed, a resilver (not a scrub), a suspended pool with no
 * errors line: nothing is made up. */
static void test_what_is_not_said(void **state)
{
	(void)state;
	static const char text[] =
	        "  pool: a\n state: ONLINE\n  scan: none requested\n"
	        "config:\n\n\tNAME STATE READ WRITE CKSUM\n"
	        "\ta ONLINE 0 0 0\n\nerrors: No known data errors\n\n"
	        "  pool: b\n state: ONLINE\n  scan: resilvered 1M in 00:00:01 "
	        "with 0 errors on Tue Dec  1 17:07:32 2026\n\n"
	        "  pool: c\n state: SUSPENDED\n";
	struct zpool_health_list l;
	assert_int_equal(zpool_health_parse(&z, text, &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].scrub_end, 0);
	assert_int_equal(l.v[1].scrub_end, 0);
	assert_int_equal(l.v[1].data_errors, -1);
	assert_string_equal(l.v[2].state, "SUSPENDED");
	assert_int_equal(l.v[2].data_errors, -1);
	zpool_health_list_free(&l);
}

/* OpenZFS 2.1 prints a suspended pool (failmode=continue) as ONLINE,
 * and says why only in its status line. */
static void test_suspended_on_2_1(void **state)
{
	(void)state;
	static const char text[] =
	        "  pool: sick\n state: ONLINE\n"
	        "status: One or more devices are faulted in response to IO "
	        "failures.\n"
	        "action: Make sure the affected devices are connected, then "
	        "run 'zpool clear'.\n"
	        "  scan: none requested\n"
	        "config:\n\n\tNAME STATE READ WRITE CKSUM\n"
	        "\tsick ONLINE 0 0 0\n\t  /dev/mapper/status ONLINE 0 3 0\n\n"
	        "errors: 1 data errors, use '-v' for a list\n\n"
	        "  pool: well\n state: ONLINE\n"
	        "status: Some supported features are not enabled.\n"
	        "config:\n\n\tNAME STATE READ WRITE CKSUM\n"
	        "\twell ONLINE 0 0 0\n\nerrors: No known data errors\n";
	struct zpool_health_list l;
	assert_int_equal(zpool_health_parse(&z, text, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].state, "SUSPENDED");
	assert_int_equal(l.v[0].data_errors, 1);
	assert_string_equal(l.v[1].state, "ONLINE");
	zpool_health_list_free(&l);
}

/* Odd text: a date that does not parse, counts that are not numbers, a
 * nameless pool (refused), nothing at all. */
static void test_odd_text(void **state)
{
	(void)state;
	struct zpool_health_list l;
	static const char odd[] =
	        "junk before any pool\n  pool: x\n state:\n"
	        "  scan: scrub repaired 0B in 0 with 0 errors on someday\n"
	        "config:\n\tx ONLINE 1e3 -1 0\n\tx ONLINE 99999999999999999999 "
	        "0 0\n"
	        "errors: many data errors\n";
	assert_int_equal(zpool_health_parse(&z, odd, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].state, "-");
	assert_int_equal(l.v[0].scrub_end, 0);
	assert_int_equal(l.v[0].read_errors, 0);
	assert_int_equal(l.v[0].data_errors, -1);
	zpool_health_list_free(&l);
	assert_int_equal(zpool_health_parse(&z, "  pool: \n", &l), -1);
	assert_int_equal(l.n, 0);
	assert_int_equal(zpool_health_parse(&z, "", &l), 0);
	assert_int_equal(l.n, 0);
}

int main(void)
{
	zeit_init(&z);
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_two_pools),
	        cmocka_unit_test(test_what_is_not_said),
	        cmocka_unit_test(test_suspended_on_2_1),
	        cmocka_unit_test(test_odd_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
