#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "zeit/zfs.h"

static struct zeit z;

static void ok(const char *name, unsigned kinds)
{
	if (zfs_name_check(&z, name, kinds) != 0)
		fail_msg("'%s' should be valid: %s", name, zeit_error(&z));
}

static void bad(const char *name, unsigned kinds, const char *why)
{
	zeit_clear_error(&z);
	if (zfs_name_check(&z, name, kinds) == 0)
		fail_msg("'%s' should be invalid", name);
	if (!strstr(zeit_error(&z), why))
		fail_msg("'%s': message '%s' lacks '%s'", name, zeit_error(&z),
		         why);
	/* The message names what was wrong. */
	assert_non_null(strstr(zeit_error(&z), name[0] ? name : "''"));
}

static void test_valid(void **state)
{
	(void)state;
	ok("tank", ZFS_NAME_POOL);
	ok("tank", ZFS_NAME_DATASET);
	ok("tank/ROOT/void", ZFS_NAME_DATASET);
	ok("tank/with space/x.y:z-_", ZFS_NAME_DATASET);
	ok("tank/ROOT/void@zeit_daily_20261127T000000Z", ZFS_NAME_SNAPSHOT);
	ok("tank@snap", ZFS_NAME_SNAPSHOT);
	ok("tank/a#mark", ZFS_NAME_BOOKMARK);
	ok("tank/a#mark", ZFS_NAME_SNAPSHOT | ZFS_NAME_BOOKMARK);
	char longname[256];
	memset(longname, 'a', 255);
	longname[255] = '\0';
	ok(longname, ZFS_NAME_DATASET);
}

static void test_invalid(void **state)
{
	(void)state;
	bad("", ZFS_NAME_DATASET, "empty");
	bad("/tank/a", ZFS_NAME_DATASET, "leading '/'");
	bad("tank/a/", ZFS_NAME_DATASET, "trailing '/'");
	bad("tank//a", ZFS_NAME_DATASET, "empty component");
	bad("tank/a$b", ZFS_NAME_DATASET, "'$' is not allowed");
	bad("tank/a\nb", ZFS_NAME_DATASET, "invalid character");
	bad("tank/a%b", ZFS_NAME_DATASET, "'%' is not allowed");
	bad("tank/./a", ZFS_NAME_DATASET, "'.' or '..'");
	bad("tank/..", ZFS_NAME_DATASET, "'.' or '..'");
	bad("1tank", ZFS_NAME_POOL, "begin with a letter");
	bad("mirror", ZFS_NAME_POOL, "reserved");
	bad("raidz2", ZFS_NAME_POOL, "reserved");
	bad("log", ZFS_NAME_POOL, "reserved");
	bad("c0t0d0", ZFS_NAME_POOL, "disk");
	bad("tank@a@b", ZFS_NAME_SNAPSHOT, "more than one '@'");
	bad("tank@", ZFS_NAME_SNAPSHOT, "empty component");
	bad("@snap", ZFS_NAME_SNAPSHOT, "no dataset part");
	bad("tank@a#b", ZFS_NAME_SNAPSHOT, "both '@' and '#'");
	bad("tank/a@s/x", ZFS_NAME_SNAPSHOT, "'/' is not allowed");
	bad("tank/a", ZFS_NAME_SNAPSHOT, "expected a snapshot");
	bad("tank/a@s", ZFS_NAME_DATASET, "expected a dataset");
	bad("tank/a", ZFS_NAME_POOL, "expected a pool");
	bad("tank/a#b", ZFS_NAME_SNAPSHOT, "expected a snapshot");
	char longname[300];
	memset(longname, 'a', 256);
	longname[256] = '\0';
	bad(longname, ZFS_NAME_DATASET, "longer than 255");
}

static void test_user_props(void **state)
{
	(void)state;
	assert_true(zfs_user_prop_valid("org.zeit:snap"));
	assert_true(zfs_user_prop_valid("com.sun:auto-snapshot:daily"));
	assert_false(zfs_user_prop_valid("compression"));
	assert_false(zfs_user_prop_valid("org.zeit:Snap"));
	assert_false(zfs_user_prop_valid(":x"));
	assert_false(zfs_user_prop_valid(""));
}

static void test_pool_of(void **state)
{
	char p[16];
	(void)state;
	zfs_pool_of("tank/a/b@c", p, sizeof(p));
	assert_string_equal(p, "tank");
	zfs_pool_of("tank@c", p, sizeof(p));
	assert_string_equal(p, "tank");
	zfs_pool_of("tank#m", p, sizeof(p));
	assert_string_equal(p, "tank");
	zfs_pool_of("averyveryverylongpoolname/x", p, 5);
	assert_string_equal(p, "aver");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_valid),
	        cmocka_unit_test(test_invalid),
	        cmocka_unit_test(test_user_props),
	        cmocka_unit_test(test_pool_of),
	};
	zeit_init(&z);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
