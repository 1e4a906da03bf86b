#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/zfs.h"

static struct zeit z;

static void test_snapshots(void **state)
{
	struct zfs_snap_list l;
	char text[] = "tank/a@s1\t123456789012345678\t10\n"
	              "tank/a#b1\t42\t11\n"
	              "tank/a b@x y\t7\t12\n";
	(void)state;
	assert_int_equal(zfs_parse_snapshots(&z, text, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].name, "tank/a@s1");
	assert_true(l.v[0].guid == 123456789012345678ULL);
	assert_int_equal(l.v[0].createtxg, 10);
	assert_false(l.v[0].bookmark);
	assert_true(l.v[1].bookmark);
	assert_string_equal(l.v[2].name, "tank/a b@x y");
	zfs_snap_list_free(&l);

	char empty[] = "";
	assert_int_equal(zfs_parse_snapshots(&z, empty, &l), 0);
	assert_int_equal(l.n, 0);

	char junk[] = "tank/a@s1\tabc\t10\n";
	assert_int_equal(zfs_parse_snapshots(&z, junk, &l), -1);
	assert_non_null(strstr(zeit_error(&z), "unexpected line"));
	char short_line[] = "tank/a@s1\t1\n";
	assert_int_equal(zfs_parse_snapshots(&z, short_line, &l), -1);
	char not_snap[] = "tank/a\t1\t2\n";
	assert_int_equal(zfs_parse_snapshots(&z, not_snap, &l), -1);
}

static void test_datasets(void **state)
{
	struct zfs_dataset_list l;
	char text[] = "tank\tfilesystem\t/tank\t-\n"
	              "tank/vol\tvolume\t-\tvalue\twith\ttabs\n";
	(void)state;
	assert_int_equal(zfs_parse_datasets(&z, text, 2, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "tank");
	assert_int_equal(l.v[0].type, ZFS_TYPE_FILESYSTEM);
	assert_string_equal(l.v[0].values[0], "/tank");
	assert_string_equal(l.v[0].values[1], "-");
	assert_int_equal(l.v[1].type, ZFS_TYPE_VOLUME);
	assert_string_equal(l.v[1].values[1], "value\twith\ttabs");
	zfs_dataset_list_free(&l);

	char bad_type[] = "tank\tpool\n";
	assert_int_equal(zfs_parse_datasets(&z, bad_type, 0, &l), -1);
	char too_few[] = "tank\tfilesystem\n";
	assert_int_equal(zfs_parse_datasets(&z, too_few, 1, &l), -1);
}

static void test_props(void **state)
{
	struct zfs_prop_list l;
	char text[] = "tank/a\torg.zeit:snap\ton\tlocal\n"
	              "tank/a/b\torg.zeit:snap\ton\tinherited from tank/a\n"
	              "tank/a\tcompression\tlz4\tdefault\n"
	              "tank/a\torg.zeit:note\ta\tb\treceived\n"
	              "tank/a\torg.zeit:none\t-\t-\n"
	              "tank\tbootfs\ttank/ROOT/void\tlocal\n";
	(void)state;
	assert_int_equal(zfs_parse_props(&z, text, &l), 0);
	assert_int_equal(l.n, 6);
	assert_int_equal(l.v[0].source, ZFS_SRC_LOCAL);
	assert_int_equal(l.v[1].source, ZFS_SRC_INHERITED);
	assert_string_equal(l.v[1].inherited_from, "tank/a");
	assert_int_equal(l.v[2].source, ZFS_SRC_DEFAULT);
	assert_string_equal(l.v[3].value, "a\tb");
	assert_int_equal(l.v[3].source, ZFS_SRC_RECEIVED);
	assert_int_equal(l.v[4].source, ZFS_SRC_NONE);
	const struct zfs_prop *p = zfs_prop_find(&l, "tank", "bootfs");
	assert_non_null(p);
	assert_string_equal(p->value, "tank/ROOT/void");
	assert_null(zfs_prop_find(&l, "tank", "nothing"));
	zfs_prop_list_free(&l);

	char bad_src[] = "tank\tx:y\tv\tsomewhere\n";
	assert_int_equal(zfs_parse_props(&z, bad_src, &l), -1);
	assert_non_null(strstr(zeit_error(&z), "somewhere"));
	char too_few[] = "tank\tx:y\n";
	assert_int_equal(zfs_parse_props(&z, too_few, &l), -1);
}

static void test_holds(void **state)
{
	struct zfs_hold_list l;
	char text[] = "tank/a@s1\tzeit:send:backup\t1764288000\n"
	              "tank/a@s1\tkeep\t1764288001\n";
	(void)state;
	assert_int_equal(zfs_parse_holds(&z, text, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].tag, "zeit:send:backup");
	assert_int_equal(l.v[1].timestamp, 1764288001);
	zfs_hold_list_free(&l);
	char bad[] = "tank/a@s1\tkeep\tThu Nov 27\n";
	assert_int_equal(zfs_parse_holds(&z, bad, &l), -1);
}

static void test_send_size(void **state)
{
	uint64_t n = 0;
	(void)state;
	assert_int_equal(zfs_parse_send_size("incremental\ta\ttank/a@b\t1000\n"
	                                     "size\t123456\n",
	                                     &n),
	                 0);
	assert_int_equal(n, 123456);
	assert_int_equal(zfs_parse_send_size("full\ttank/a@b\t99\n", &n), -1);
	assert_int_equal(zfs_parse_send_size("size\tlots\n", &n), -1);
}

static void test_missing_roots(void **state)
{
	const char *roots[] = {"tank/src", "backup/src", NULL};
	static const struct {
		const char *err;
		int rc;
		bool m0, m1;
	} cases[] = {
	        {"", 0, false, false},
	        {"cannot open 'backup/src': dataset does not exist\n", 0, false,
	         true},
	        {"cannot open 'tank/src': dataset does not exist\n"
	         "cannot open 'backup/src': dataset does not exist\n",
	         0, true, true},
	        /* A name that is only a prefix of a root, or any other
	         * message, marks nothing: the caller reports zfs's error
	         * instead. */
	        {"cannot open 'backup/sr': dataset does not exist\n", -1, false,
	         false},
	        {"cannot open 'backup/src': dataset does not exist\n"
	         "cannot open 'tank/src': permission denied\n",
	         -1, false, false},
	        {"cannot open '': dataset does not exist\n", -1, false, false},
	        {"internal error: out of memory\n", -1, false, false},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool m[2] = {true, true};
		assert_int_equal(zfs_parse_missing(cases[i].err, roots, m),
		                 cases[i].rc);
		assert_int_equal(m[0], cases[i].m0);
		assert_int_equal(m[1], cases[i].m1);
	}
}

static void test_destroy_batches(void **state)
{
	const char *snaps[] = {"tank/a@1",   "tank/b@1", "tank/a@2",
	                       "tank/a b@3", "tank/a@3", NULL};
	struct strv b;
	(void)state;
	zfs_destroy_batches(snaps, 1000, &b);
	assert_int_equal(b.n, 3);
	assert_string_equal(b.v[0], "tank/a@1,2,3");
	assert_string_equal(b.v[1], "tank/b@1");
	assert_string_equal(b.v[2], "tank/a b@3");
	strv_free(&b);

	/* Split to stay under the limit; nothing lost, nothing repeated. */
	const char *many[201];
	char names[200][32];
	for (int i = 0; i < 200; i++) {
		snprintf(names[i], sizeof(names[i]), "tank/ds@snap%03d", i);
		many[i] = names[i];
	}
	many[200] = NULL;
	zfs_destroy_batches(many, 100, &b);
	assert_true(b.n > 1);
	size_t total = 0;
	for (size_t i = 0; i < b.n; i++) {
		assert_true(strlen(b.v[i]) <= 100);
		assert_true(strncmp(b.v[i], "tank/ds@", 8) == 0);
		total++;
		for (const char *p = b.v[i]; *p; p++)
			total += *p == ',';
	}
	assert_int_equal(total, 200);
	strv_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_snapshots),
	        cmocka_unit_test(test_datasets),
	        cmocka_unit_test(test_props),
	        cmocka_unit_test(test_holds),
	        cmocka_unit_test(test_send_size),
	        cmocka_unit_test(test_missing_roots),
	        cmocka_unit_test(test_destroy_batches),
	};
	zeit_init(&z);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
