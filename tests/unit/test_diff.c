#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "zeit/diff.h"
#include "zeit/zfs.h"

static struct zeit z;

static void test_unescape(void **state)
{
	(void)state;
	char a[] = "/a\\0040b";
	assert_int_equal(zfs_unescape(a), 4);
	assert_string_equal(a, "/a b");
	char nl[] = "x\\0012y\\0011z";
	assert_int_equal(zfs_unescape(nl), 5);
	assert_memory_equal(nl, "x\ny\tz", 5);
	char bs[] = "back\\0134slash";
	assert_int_equal(zfs_unescape(bs), 10);
	assert_string_equal(bs, "back\\slash");
	/* UTF-8 "é" is two bytes, each >= 0x80 and so escaped. */
	char utf[] = "caf\\0303\\0251";
	assert_int_equal(zfs_unescape(utf), 5);
	assert_string_equal(utf, "caf\xc3\xa9");
	char del[] = "\\0177";
	assert_int_equal(zfs_unescape(del), 1);
	assert_int_equal((unsigned char)del[0], 0x7f);
	char plain[] = "/usr/share/libvirt/cpu_map/x86_features.xml";
	assert_int_equal(
	        zfs_unescape(plain),
	        (long)strlen("/usr/share/libvirt/cpu_map/x86_features.xml"));

	char trunc[] = "a\\012";
	assert_int_equal(zfs_unescape(trunc), -1);
	char nonoct[] = "a\\0089";
	assert_int_equal(zfs_unescape(nonoct), -1);
	char toobig[] = "a\\0400";
	assert_int_equal(zfs_unescape(toobig), -1);
	char lone[] = "a\\";
	assert_int_equal(zfs_unescape(lone), -1);
}

static void test_lines(void **state)
{
	struct zfs_diff_list l;
	char text[] =
	        "1764288000.123456789\tM\t/\t/mnt/etc\n"
	        "1764288001.000000000\t+\tF\t/mnt/etc/new\\0040file\n"
	        "1764288002.5\t-\t@\t/mnt/etc/old\\0012link\n"
	        "1764288003.000000001\tR\tF\t/mnt/a\\0011b\t/mnt/c\\0134d\n";
	(void)state;
	assert_int_equal(zfs_parse_diff(&z, text, &l), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.v[0].change, 'M');
	assert_int_equal(l.v[0].type, '/');
	assert_int_equal(l.v[0].sec, 1764288000);
	assert_int_equal(l.v[0].nsec, 123456789);
	assert_string_equal(l.v[1].path, "/mnt/etc/new file");
	assert_int_equal(l.v[1].change, '+');
	assert_int_equal(l.v[2].type, '@');
	assert_string_equal(l.v[2].path, "/mnt/etc/old\nlink");
	assert_int_equal(l.v[3].change, 'R');
	assert_string_equal(l.v[3].path, "/mnt/a\tb");
	assert_string_equal(l.v[3].new_path, "/mnt/c\\d");
	assert_int_equal(l.v[3].new_path_len, 8);
	assert_null(l.v[0].new_path);
	zfs_diff_list_free(&l);
}

static void test_bad_lines(void **state)
{
	struct zfs_diff_list l;
	(void)state;
	char no_time[] = "M\t/\t/mnt/etc\n";
	assert_int_equal(zfs_parse_diff(&z, no_time, &l), -1);
	char bad_change[] = "1.0\tX\tF\t/a\n";
	assert_int_equal(zfs_parse_diff(&z, bad_change, &l), -1);
	char bad_type[] = "1.0\tM\tQ\t/a\n";
	assert_int_equal(zfs_parse_diff(&z, bad_type, &l), -1);
	char rename_no_target[] = "1.0\tR\tF\t/a\n";
	assert_int_equal(zfs_parse_diff(&z, rename_no_target, &l), -1);
	char extra_target[] = "1.0\tM\tF\t/a\t/b\n";
	assert_int_equal(zfs_parse_diff(&z, extra_target, &l), -1);
	char bad_escape[] = "1.0\tM\tF\t/a\\09\n";
	assert_int_equal(zfs_parse_diff(&z, bad_escape, &l), -1);
	assert_non_null(strstr(zeit_error(&z), "escape"));
}

/* --max-size: units, and every overflow refused rather than wrapped. */
static void test_parse_size(void **state)
{
	unsigned long long v = 0;
	(void)state;
	assert_true(diff_parse_size("100", &v));
	assert_int_equal(v, 100);
	assert_true(diff_parse_size("2K", &v));
	assert_int_equal(v, 2048);
	assert_true(diff_parse_size("3M", &v));
	assert_int_equal(v, 3ULL << 20);
	assert_true(diff_parse_size("1G", &v));
	assert_int_equal(v, 1ULL << 30);
	assert_true(diff_parse_size("18446744073709551615", &v));
	assert_int_equal(v, 18446744073709551615ULL);
	const char *bad[] = {"",
	                     "0",
	                     "-1",
	                     "1x",
	                     "K",
	                     "18446744073709551616",
	                     "99999999999999999999",
	                     "18014398509481984K",
	                     "17592186044416M",
	                     NULL};
	for (size_t i = 0; bad[i]; i++)
		if (diff_parse_size(bad[i], &v))
			fail_msg("accepted '%s'", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_unescape),
	        cmocka_unit_test(test_lines),
	        cmocka_unit_test(test_bad_lines),
	        cmocka_unit_test(test_parse_size),
	};
	zeit_init(&z);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
