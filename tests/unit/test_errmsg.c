#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/zfs_errmsg.h"

static void expect(const char *const *argv, const char *err, int verbose,
                   const char *host, const char *want)
{
	struct zfs_errmsg_in in = {argv, err, 1, host, verbose};
	char *m = zfs_errmsg(&in);
	assert_string_equal(m, want);
	free(m);
}

static const char *const list[] = {"zfs", "list", "-H", "tank/x", NULL};

/* zfs's first line, as zfs says it; the command only at -v. */
static void test_voice(void **state)
{
	(void)state;
	expect(list, "cannot open 'tank/x': dataset does not exist\n", 0, NULL,
	       "cannot open 'tank/x': dataset does not exist");
	expect(list, "cannot open 'tank/x': dataset does not exist\n", 1, NULL,
	       "cannot open 'tank/x': dataset does not exist "
	       "(`zfs list -H tank/x` exited 1)");
	expect(list,
	       "\n\n  cannot open 'nosuch': dataset does not exist  \n"
	       "cannot receive new filesystem stream: unable to restore\n",
	       0, NULL, "cannot open 'nosuch': dataset does not exist");
	expect(list,
	       "Channel program execution failed:\n[string \"channel "
	       "program\"]:3: bad\nstack traceback:\n",
	       0, NULL,
	       "Channel program execution failed: [string \"channel "
	       "program\"]:3: bad");
	expect(list, "ends:\n\n", 0, NULL, "ends:");
	expect(list, "cannot open 'tank/x': dataset does not exist", 0, "nas",
	       "nas: cannot open 'tank/x': dataset does not exist");
	expect(list, "", 0, NULL, "zfs list failed (exit 1) without a message");
	expect(list, NULL, 0, NULL,
	       "zfs list failed (exit 1) without a message");
}

/* Where zfs's words name no object, or call a snapshot a dataset. */
static void test_rewrites(void **state)
{
	(void)state;
	static const char *const d1[] = {"zfs", "destroy", "tank/a@s", NULL};
	static const char *const dn[] = {"zfs", "destroy", "tank/a@s,t", NULL};
	expect(d1,
	       "could not find any snapshots to destroy; check snapshot "
	       "names.\n",
	       0, NULL, "snapshot 'tank/a@s' does not exist");
	expect(dn,
	       "could not find any snapshots to destroy; check snapshot "
	       "names.\n",
	       0, NULL, "no snapshot named in 'tank/a@s,t' exists");
	expect(list, "cannot open 'tank/a@s': dataset does not exist", 0, NULL,
	       "snapshot 'tank/a@s' does not exist");
	/* Not a snapshot, or not this message: left as zfs said it. */
	expect(list, "cannot open 'tank/a': dataset does not exist", 0, NULL,
	       "cannot open 'tank/a': dataset does not exist");
	expect(list, "cannot open 'a@b': dataset is busy", 0, NULL,
	       "cannot open 'a@b': dataset is busy");
	expect(list, "cannot open '': dataset does not exist", 0, NULL,
	       "cannot open '': dataset does not exist");
}

/* What an older OpenZFS (2.1) lacks is named as missing. */
static void test_older_zfs(void **state)
{
	(void)state;
	static const char *const holds[] = {"zfs", "holds",    "-H",
	                                    "-p",  "tank/a@s", NULL};
	expect(holds, "invalid option 'p'\nusage:\n\tholds [-rH] <snapshot>\n",
	       0, NULL,
	       "this zfs has no 'zfs holds -p' (a newer OpenZFS has it)");
	static const char *const get[] = {
	        "zpool", "get", "-H", "-p", "bootfs,org.zeit:nextboot",
	        "rpool", NULL};
	expect(get, "bad property list: invalid property 'org.zeit:nextboot'\n",
	       0, NULL,
	       "this zpool has no pool user properties, needed for "
	       "'org.zeit:nextboot' (OpenZFS 2.2 has them)");
	/* A plain bad property is zfs's own words. */
	expect(get, "bad property list: invalid property 'bogus'\n", 0, NULL,
	       "bad property list: invalid property 'bogus'");
}

/* What zfs echoes back can come from someone else (a forged name, a
 * remote's stderr): no terminal escape, no second line. */
static void test_hostile(void **state)
{
	(void)state;
	expect(list, "cannot open 'x\033]0;owned\a': \033[2Jgone\r\n", 0, NULL,
	       "cannot open 'x\\x1b]0;owned\\x07': \\x1b[2Jgone");
	expect(list, "\t\r\n", 0, NULL,
	       "zfs list failed (exit 1) without a message");
	static const char *const lone[] = {"zfs", NULL};
	expect(lone, "", 0, NULL, "zfs  failed (exit 1) without a message");
	/* A huge batch: the command is cut at -v, the message is not. */
	static const char *big[600];
	big[0] = "zfs";
	big[1] = "destroy";
	for (int i = 2; i < 599; i++)
		big[i] = "tank/some/long/dataset@zeit_daily_20261101T000000Z";
	big[599] = NULL;
	struct zfs_errmsg_in in = {big, "cannot destroy: busy", 1, NULL, 1};
	char *m = zfs_errmsg(&in);
	assert_non_null(strstr(m, "cannot destroy: busy (`zfs destroy "));
	assert_non_null(strstr(m, " ...` with 599 arguments exited 1)"));
	assert_true(strlen(m) < 600);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_voice),
	        cmocka_unit_test(test_rewrites),
	        cmocka_unit_test(test_older_zfs),
	        cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
