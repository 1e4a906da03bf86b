/* The boot bisection's state machine: decided from the state alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/bisect.h"

#define CLONE "rpool/ROOT/deb-bisect-s4"

static struct bisect_boot_view view(void)
{
	return (struct bisect_boot_view){.boot = true,
	                                 .current = "rpool/ROOT/deb@s4",
	                                 .clone = CLONE,
	                                 .running = "rpool/ROOT/deb",
	                                 .nextboot = NULL};
}

static void test_idle_without_boot_bisection(void **state)
{
	(void)state;
	struct bisect_boot_view v = view();
	v.boot = false;
	assert_int_equal(bisect_boot_decide(&v), BBOOT_IDLE);
}

static void test_candidate_running_is_tested(void **state)
{
	(void)state;
	struct bisect_boot_view v = view();
	v.running = CLONE;
	assert_int_equal(bisect_boot_decide(&v), BBOOT_TEST);
	/* However the one-time choice still reads. */
	v.nextboot = CLONE;
	assert_int_equal(bisect_boot_decide(&v), BBOOT_TEST);
}

static void test_choice_taken_and_default_running_is_failed(void **state)
{
	(void)state;
	struct bisect_boot_view v = view();
	assert_int_equal(bisect_boot_decide(&v), BBOOT_FAILED);
	/* Another environment's one-time choice: still failed. */
	v.nextboot = "rpool/ROOT/other";
	assert_int_equal(bisect_boot_decide(&v), BBOOT_FAILED);
	/* No running environment known: failed, never tested. */
	v.running = NULL;
	assert_int_equal(bisect_boot_decide(&v), BBOOT_FAILED);
}

static void test_boot_still_ahead_reboots(void **state)
{
	(void)state;
	struct bisect_boot_view v = view();
	v.nextboot = CLONE;
	assert_int_equal(bisect_boot_decide(&v), BBOOT_REBOOT);
	v.nextboot = "deb-bisect-s4"; /* the short form the menu reads */
	assert_int_equal(bisect_boot_decide(&v), BBOOT_REBOOT);
	v.nextboot = "bisect-s4"; /* a suffix is not the name */
	assert_int_equal(bisect_boot_decide(&v), BBOOT_FAILED);
}

static void test_marked_or_unset_moves_on(void **state)
{
	(void)state;
	struct bisect_boot_view v = view();
	/* Cut off after the mark, before the next was set up: the mark is
	 * never taken twice, whatever runs. */
	v.current_marked = true;
	v.running = CLONE;
	assert_int_equal(bisect_boot_decide(&v), BBOOT_NEXT);
	v = view();
	v.current = NULL;
	assert_int_equal(bisect_boot_decide(&v), BBOOT_NEXT);
	/* The clone vanished before its boot: picked again, not marked. */
	v = view();
	v.clone = NULL;
	v.nextboot = CLONE;
	assert_int_equal(bisect_boot_decide(&v), BBOOT_NEXT);
}

/* The unit run twice: the second run sees the state the first left. */
static void test_step_twice_is_a_reboot_not_a_mark(void **state)
{
	(void)state;
	struct bisect_boot_view v = view();
	v.running = CLONE; /* first run: tests s4, sets s6 up */
	assert_int_equal(bisect_boot_decide(&v), BBOOT_TEST);
	v.current = "rpool/ROOT/deb@s6";
	v.clone = "rpool/ROOT/deb-bisect-s6";
	v.nextboot = "rpool/ROOT/deb-bisect-s6";
	assert_int_equal(bisect_boot_decide(&v), BBOOT_REBOOT);
}

static void test_reboot_limit(void **state)
{
	(void)state;
	assert_false(bisect_boot_too_many(0, 8));
	assert_false(bisect_boot_too_many(20, 8));
	assert_true(bisect_boot_too_many(21, 8));
	assert_true(bisect_boot_too_many(4000000000u, 0));
}

static void test_timeout_values(void **state)
{
	(void)state;
	assert_int_equal(bisect_boot_timeout_parse("600"), 600);
	assert_int_equal(bisect_boot_timeout_parse("1"), 1);
	assert_int_equal(bisect_boot_timeout_parse("86400"), 86400);
	static const char *const odd[] = {
	        "",   "0",   "86401",          "-5",   "5s",
	        " 5", "1e3", "99999999999999", "0x10", NULL};
	for (size_t i = 0; odd[i]; i++)
		assert_int_equal(bisect_boot_timeout_parse(odd[i]), -1);
	assert_int_equal(bisect_boot_timeout_parse(NULL), -1);
}

static void test_check_status_to_mark(void **state)
{
	(void)state;
	assert_int_equal(bisect_boot_mark_of(0, false), BISECT_GOOD);
	assert_int_equal(bisect_boot_mark_of(125, false), BISECT_SKIP);
	assert_int_equal(bisect_boot_mark_of(1, false), BISECT_BAD);
	assert_int_equal(bisect_boot_mark_of(127, false), BISECT_BAD);
	/* Unattended: nobody to stop for; what did not end well is bad. */
	assert_int_equal(bisect_boot_mark_of(137, false), BISECT_BAD);
	assert_int_equal(bisect_boot_mark_of(-1, false), BISECT_BAD);
	assert_int_equal(bisect_boot_mark_of(0, true), BISECT_BAD);
}

/* The whole walk over 8 snapshots whose 5th on do not come up, one boot
 * at a time, the planner choosing and the machine deciding: names the
 * 5th, within the reboot limit. */
static void test_walk_eight_fifth_bad(void **state)
{
	(void)state;
	static struct zeit z;
	enum bisect_mark m[8] = {BISECT_GOOD, 0, 0, 0, 0, 0, 0, BISECT_BAD};
	struct bisect_next nx;
	unsigned reboots = 0;
	for (;;) {
		assert_int_equal(bisect_next(&z, m, 8, &nx), 0);
		if (nx.done)
			break;
		size_t p = (size_t)nx.pick;
		reboots++; /* into the candidate */
		struct bisect_boot_view v = view();
		v.running = p < 4 ? CLONE : "rpool/ROOT/deb";
		if (p >= 4)
			reboots++; /* it panicked: the default came up */
		enum bisect_boot_do d = bisect_boot_decide(&v);
		assert_int_equal(d, p < 4 ? BBOOT_TEST : BBOOT_FAILED);
		m[p] = p < 4 ? BISECT_GOOD : BISECT_BAD;
		assert_false(bisect_boot_too_many(reboots, 8));
	}
	assert_int_equal(nx.first_bad, 4);
	assert_int_equal(nx.last_good, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_idle_without_boot_bisection),
	        cmocka_unit_test(test_candidate_running_is_tested),
	        cmocka_unit_test(
	                test_choice_taken_and_default_running_is_failed),
	        cmocka_unit_test(test_boot_still_ahead_reboots),
	        cmocka_unit_test(test_marked_or_unset_moves_on),
	        cmocka_unit_test(test_step_twice_is_a_reboot_not_a_mark),
	        cmocka_unit_test(test_reboot_limit),
	        cmocka_unit_test(test_timeout_values),
	        cmocka_unit_test(test_check_status_to_mark),
	        cmocka_unit_test(test_walk_eight_fifth_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
