/* The handle's error through a cleanup: the failure that started it is the
 * one reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "zeit/zeit.h"

static void test_cleanup_keeps_first_failure(void **state)
{
	(void)state;
	struct zeit z;
	zeit_init(&z);
	zeit_fail(&z, EEXIST, "first");
	zeit_keep_error(&z);
	assert_int_equal(zeit_fail(&z, EBUSY, "cleanup"), -1);
	zeit_fail_ctx(&z, "while undoing");
	zeit_clear_error(&z);
	zeit_release_error(&z);
	assert_string_equal(zeit_error(&z), "first");
	assert_int_equal(z.err, EEXIST);
	/* After the cleanup, failures record as before. */
	zeit_fail(&z, ENOENT, "later");
	assert_string_equal(zeit_error(&z), "later");
	zeit_clear_error(&z);
	assert_int_equal(z.err, 0);
}

static void test_cleanup_without_failure(void **state)
{
	(void)state;
	struct zeit z;
	zeit_init(&z);
	zeit_keep_error(&z);
	zeit_keep_error(&z);
	zeit_fail(&z, EBUSY, "one");
	zeit_fail(&z, EIO, "two");
	zeit_release_error(&z);
	assert_string_equal(zeit_error(&z), "one");
	/* A failure met inside may still be cleared there. */
	zeit_clear_error(&z);
	zeit_release_error(&z);
	assert_int_equal(z.err, 0);
	zeit_release_error(&z); /* unbalanced: harmless */
	zeit_fail(&z, EIO, "three");
	assert_string_equal(zeit_error(&z), "three");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_cleanup_keeps_first_failure),
	        cmocka_unit_test(test_cleanup_without_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
