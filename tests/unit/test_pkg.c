#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "zeit/diff.h"
#include "zeit/pkgdb.h"
#include "zeit/vercmp.h"

static struct zeit z;

/* Each list is strictly increasing under cmp; every pair is checked both
 * ways, and each version equals itself. */
static void ordered(int (*cmp)(const char *, const char *),
                    const char *const *v)
{
	for (size_t i = 0; v[i]; i++) {
		if (cmp(v[i], v[i]) != 0)
			fail_msg("%s != itself", v[i]);
		for (size_t k = i + 1; v[k]; k++) {
			if (cmp(v[i], v[k]) >= 0)
				fail_msg("expected %s < %s", v[i], v[k]);
			if (cmp(v[k], v[i]) <= 0)
				fail_msg("expected %s > %s", v[k], v[i]);
		}
	}
}

static void test_dpkg(void **state)
{
	(void)state;
	const char *a[] = {"1.0~~",        "1.0~rc1",    "1.0",    "1.0-1",
	                   "1.0-1ubuntu1", "1.0+dfsg-1", "1.0.1",  "1.2",
	                   "1.10",         "2.3-1",      "2.30-1", "1:0.9",
	                   "2:0.1~beta",   NULL};
	ordered(vercmp_dpkg, a);
	assert_int_equal(vercmp_dpkg("0:1.0", "1.0"), 0);
	assert_int_equal(vercmp_dpkg("1.01", "1.1"), 0);
	assert_true(vercmp_dpkg("6.4.0-1", "6.5.0-1") < 0);
}

static void test_pacman(void **state)
{
	(void)state;
	const char *a[] = {"1.0a", "1.0rc1", "1.0",   "1.0.1", "1.1",
	                   "1.10", "2.0-1",  "2.0-2", "1:0.1", NULL};
	ordered(vercmp_pacman, a);
	/* A release only counts when both sides have one. */
	assert_int_equal(vercmp_pacman("1.0-1", "1.0"), 0);
	assert_int_equal(vercmp_pacman("1.0", "1.0"), 0);
	assert_true(vercmp_pacman("6.4.0-1", "6.5.0-1") < 0);
}

static void test_xbps(void **state)
{
	(void)state;
	const char *a[] = {"1.0alpha_1", "1.0beta_1", "1.0rc1_1", "1.0_1",
	                   "1.0_2",      "1.0a_1",    "1.0b_1",   "1.0.3_1",
	                   "1.1_1",      "1.10_1",    NULL};
	ordered(vercmp_xbps, a);
	/* dewey: a letter is ".N" and "pl" is ".", so these are equal. */
	assert_int_equal(vercmp_xbps("1.0a_1", "1.0pl1_1"), 0);
	assert_int_equal(vercmp_xbps("1.0a_1", "1.0.1_1"), 0);
	assert_true(vercmp_xbps("6.4.0_1", "6.5.0_1") < 0);
	assert_int_equal(vercmp_xbps("2.0_3", "2.0_3"), 0);
}

static void test_apk(void **state)
{
	(void)state;
	const char *a[] = {"1.0_alpha", "1.0_beta", "1.0_pre", "1.0_rc1",
	                   "1.0_rc2",   "1.0",      "1.0-r1",  "1.0_p1",
	                   "1.0a",      "1.0.1",    "1.9",     "1.10",
	                   NULL};
	ordered(vercmp_apk, a);
	assert_true(vercmp_apk("6.4.0-r0", "6.5.0-r0") < 0);
	/* Found by fuzzing: digit runs past 64 bits must not overflow. */
	assert_true(vercmp_apk("1.99999999999999999999999999", "1.2") > 0);
	assert_true(vercmp_apk("1_p99999999999999999999999", "1_p1") > 0);
	assert_true(vercmp_apk("1-r99999999999999999999999", "1-r1") > 0);
}

static void test_parse_dpkg(void **state)
{
	struct pkg_list l;
	static const char text[] = "Package: libvirt0\n"
	                           "Status: install ok installed\n"
	                           "Priority: optional\n"
	                           "Architecture: amd64\n"
	                           "Version: 6.4.0-1\n"
	                           "Description: library\n"
	                           " continued description line\n"
	                           " .\n"
	                           "\n"
	                           "Package: gone\n"
	                           "Status: deinstall ok config-files\n"
	                           "Version: 1.0\n"
	                           "\n"
	                           "Package: libc6\n"
	                           "Status: install ok installed\n"
	                           "Architecture: amd64\n"
	                           "Version: 2.36-9\n"
	                           "\n"
	                           "Package: libc6\n"
	                           "Status: install ok installed\n"
	                           "Architecture: i386\n"
	                           "Version: 2.36-9\n";
	(void)state;
	pkg_list_init(&l);
	assert_int_equal(pkgdb_parse_dpkg(&z, text, strlen(text), &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].name, "libvirt0");
	assert_string_equal(l.v[0].version, "6.4.0-1");
	assert_string_equal(l.v[1].name, "libc6:amd64");
	assert_string_equal(l.v[2].name, "libc6:i386");
	pkg_list_free(&l);
	/* Repeats far apart and three times are qualified; a name seen
	 * once is not. */
	static const char spread[] =
	        "Package: z\nStatus: install ok installed\nArchitecture: "
	        "amd64\nVersion: 1\n\n"
	        "Package: a\nStatus: install ok installed\nArchitecture: "
	        "all\nVersion: 1\n\n"
	        "Package: m\nStatus: install ok installed\nArchitecture: "
	        "arm64\nVersion: 1\n\n"
	        "Package: z\nStatus: install ok installed\nArchitecture: "
	        "i386\nVersion: 1\n\n"
	        "Package: z\nStatus: install ok installed\nArchitecture: "
	        "armhf\nVersion: 1\n";
	assert_int_equal(pkgdb_parse_dpkg(&z, spread, strlen(spread), &l), 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0].name, "z:amd64");
	assert_string_equal(l.v[1].name, "a");
	assert_string_equal(l.v[2].name, "m");
	assert_string_equal(l.v[3].name, "z:i386");
	assert_string_equal(l.v[4].name, "z:armhf");
	pkg_list_free(&l);
	static const char bad[] = "Package: x\nStatus: install ok installed\n";
	assert_int_equal(pkgdb_parse_dpkg(&z, bad, strlen(bad), &l), -1);
	assert_non_null(strstr(zeit_error(&z), "'x' has no version"));
	pkg_list_free(&l);
}

static void test_parse_others(void **state)
{
	struct pkg_list l;
	static const char apk[] = "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\n\n"
	                          "P:libvirt\nV:6.5.0-r0\n\n";
	static const char desc[] = "%NAME%\nlibvirt\n\n%VERSION%\n1:6.5.0-1\n\n"
	                           "%BASE%\nlibvirt\n";
	static const char plist[] =
	        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<!DOCTYPE plist PUBLIC \"-//Apple Computer//DTD PLIST "
	        "1.0//EN\" "
	        "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
	        "<plist version=\"1.0\">\n<dict>\n"
	        "\t<key>_XBPS_ALTERNATIVES_</key>\n\t<dict/>\n"
	        "\t<key>libvirt</key>\n\t<dict>\n"
	        "\t\t<key>automatic-install</key>\n\t\t<true/>\n"
	        "\t\t<key>pkgver</key>\n\t\t<string>libvirt-6.5.0_1</string>\n"
	        "\t\t<key>state</key>\n\t\t<string>installed</string>\n"
	        "\t</dict>\n"
	        "\t<key>glibc</key>\n\t<dict>\n"
	        "\t\t<key>pkgver</key>\n\t\t<string>glibc-2.32_2</string>\n"
	        "\t\t<key>state</key>\n\t\t<string>installed</string>\n"
	        "\t</dict>\n"
	        "\t<key>half</key>\n\t<dict>\n"
	        "\t\t<key>pkgver</key>\n\t\t<string>half-1.0_1</string>\n"
	        "\t\t<key>state</key>\n\t\t<string>half-unpacked</string>\n"
	        "\t</dict>\n"
	        "</dict>\n</plist>\n";
	(void)state;
	pkg_list_init(&l);
	assert_int_equal(pkgdb_parse_apk(&z, apk, strlen(apk), &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "musl");
	assert_string_equal(l.v[0].version, "1.2.4-r2");
	pkg_list_free(&l);
	assert_int_equal(pkgdb_parse_pacman_desc(&z, desc, strlen(desc), &l),
	                 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].version, "1:6.5.0-1");
	pkg_list_free(&l);
	assert_int_equal(pkgdb_parse_xbps(&z, plist, strlen(plist), &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "libvirt");
	assert_string_equal(l.v[0].version, "6.5.0_1");
	assert_string_equal(l.v[1].name, "glibc");
	pkg_list_free(&l);
	assert_int_equal(
	        pkgdb_parse_xbps(&z, "<plist><array/></plist>", 23, &l), -1);
	assert_int_equal(pkgdb_parse_xbps(&z, "not xml", 7, &l), -1);
	assert_int_equal(pkgdb_parse_pacman_desc(&z, "%NAME%\nx\n", 9, &l), -1);
	pkg_list_free(&l);
}

static void test_diff(void **state)
{
	struct pkg_list a, b;
	struct pkg_changes ch;
	static const char old[] =
	        "P:a\nV:1.0\n\nP:b\nV:2.0\n\nP:c\nV:3.0-r1\n\nP:d\nV:1\n";
	static const char new[] =
	        "P:b\nV:2.0\n\nP:c\nV:3.0\n\nP:d\nV:1.1\n\nP:e\nV:5\n";
	(void)state;
	pkg_list_init(&a);
	pkg_list_init(&b);
	assert_int_equal(pkgdb_parse_apk(&z, old, strlen(old), &a), 0);
	assert_int_equal(pkgdb_parse_apk(&z, new, strlen(new), &b), 0);
	assert_int_equal(pkgdb_diff(&z, &a, &b, &ch), 0);
	assert_int_equal(ch.n, 4);
	assert_int_equal(ch.v[0].kind, PKG_REMOVED);
	assert_string_equal(ch.v[0].name, "a");
	assert_int_equal(ch.v[1].kind, PKG_DOWNGRADED);
	assert_string_equal(ch.v[1].old_version, "3.0-r1");
	assert_string_equal(ch.v[1].new_version, "3.0");
	assert_int_equal(ch.v[2].kind, PKG_UPGRADED);
	assert_string_equal(ch.v[2].name, "d");
	assert_int_equal(ch.v[3].kind, PKG_ADDED);
	assert_null(ch.v[3].old_version);
	pkg_changes_free(&ch);
	b.format = PKG_DPKG;
	assert_int_equal(pkgdb_diff(&z, &a, &b, &ch), -1);
	pkg_list_free(&a);
	pkg_list_free(&b);
}

static void test_path_filter(void **state)
{
	const char *p[] = {"/usr/share/libvirt", "etc/", NULL};
	(void)state;
	assert_true(
	        diff_path_selected("/usr/share/libvirt/cpu_map/x.xml", 32, p));
	assert_true(diff_path_selected("/usr/share/libvirt", 18, p));
	assert_false(diff_path_selected("/usr/share/libvirtd", 19, p));
	assert_true(diff_path_selected("/etc/passwd", 11, p));
	assert_false(diff_path_selected("/var/etc", 8, p));
	assert_true(diff_path_selected("/anything", 9, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_dpkg),
	        cmocka_unit_test(test_pacman),
	        cmocka_unit_test(test_xbps),
	        cmocka_unit_test(test_apk),
	        cmocka_unit_test(test_parse_dpkg),
	        cmocka_unit_test(test_parse_others),
	        cmocka_unit_test(test_diff),
	        cmocka_unit_test(test_path_filter),
	};
	zeit_init(&z);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
