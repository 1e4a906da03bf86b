#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/bootcmd.h"
#include "zeit/menu_keys.h"

static void test_kcl_plain_and_unset(void **state)
{
	struct kcl_level one[] = {{"quiet splash", false}};
	struct kcl_level none[] = {{NULL, false}, {"ro", false}};
	(void)state;
	char *s = boot_kcl_expand(one, 1);
	assert_string_equal(s, "quiet splash");
	free(s);
	/* The environment's own value decides; a parent's is not used when
	 * the property is unset here (zfs would show it inherited). */
	assert_null(boot_kcl_expand(none, 2));
}

static void test_kcl_parent_expansion(void **state)
{
	/* rpool/ROOT/a: "%{parent} debug"; rpool/ROOT: "%{parent} quiet";
	 * rpool: "ro". */
	struct kcl_level chain[] = {{"%{parent} debug", false},
	                            {"%{parent} quiet", false},
	                            {"ro", false}};
	(void)state;
	char *s = boot_kcl_expand(chain, 3);
	assert_string_equal(s, "ro quiet debug");
	free(s);
	/* Twice in one value, and a parent with nothing set. */
	struct kcl_level twice[] = {{"a %{parent} b %{parent}", false},
	                            {NULL, false}};
	s = boot_kcl_expand(twice, 2);
	assert_string_equal(s, "a  b ");
	free(s);
	/* No parent at all (a pool's root dataset). */
	struct kcl_level top[] = {{"x %{parent}", false}};
	s = boot_kcl_expand(top, 1);
	assert_string_equal(s, "x ");
	free(s);
}

static void test_kcl_inherited_is_parents_expansion(void **state)
{
	/* The BE inherits "%{parent} quiet" from rpool/ROOT: it gets
	 * rpool/ROOT's expansion verbatim, not a second round. */
	struct kcl_level chain[] = {{"%{parent} quiet", true},
	                            {"%{parent} quiet", false},
	                            {"ro", false}};
	(void)state;
	char *s = boot_kcl_expand(chain, 3);
	assert_string_equal(s, "ro quiet");
	free(s);
}

static void test_osrelease(void **state)
{
	const char *deb = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
	                  "NAME=\"Debian GNU/Linux\"\nID=debian\n";
	const char *mint = "NAME='Linux Mint'\nID=linuxmint\n"
	                   "ID_LIKE=\"ubuntu debian\"\n";
	const char *arch = "ID=arch\n";
	const char *endeavour = "ID=endeavouros\nID_LIKE=arch\n";
	const char *gentoo = "ID=gentoo\n";
	const char *fedora = "ID=fedora\n";
	(void)state;
	char *v = boot_osrelease_get(deb, "NAME");
	assert_string_equal(v, "Debian GNU/Linux");
	free(v);
	v = boot_osrelease_get(mint, "NAME");
	assert_string_equal(v, "Linux Mint");
	free(v);
	assert_null(boot_osrelease_get(deb, "ID_LIKE"));
	assert_string_equal(boot_root_prefix(NULL, NULL, deb), "root=zfs:");
	assert_string_equal(boot_root_prefix(NULL, NULL, mint), "root=zfs:");
	assert_string_equal(boot_root_prefix(NULL, arch, NULL), "zfs=");
	assert_string_equal(boot_root_prefix(NULL, NULL, endeavour), "zfs=");
	assert_string_equal(boot_root_prefix(NULL, NULL, gentoo), "root=ZFS=");
	assert_string_equal(boot_root_prefix(NULL, NULL, fedora), "root=zfs:");
	assert_string_equal(boot_root_prefix(NULL, NULL, NULL), "root=zfs:");
	/* /etc/os-release wins over /usr/lib/os-release. */
	assert_string_equal(boot_root_prefix(NULL, deb, gentoo), "root=ZFS=");
	/* The property wins over both; "-" means unset. */
	assert_string_equal(boot_root_prefix("zfs=", deb, deb), "zfs=");
	assert_string_equal(boot_root_prefix("-", NULL, gentoo), "root=ZFS=");
}

static void test_grub_and_defaults(void **state)
{
	const char *grub = "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\n"
	                   "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\n"
	                   "GRUB_CMDLINE_LINUX=\"\"\n";
	(void)state;
	char *v = boot_grub_default(grub);
	assert_string_equal(v, "quiet splash");
	free(v);
	assert_null(boot_grub_default("GRUB_TIMEOUT=5\n"));
	v = boot_first_line("rw loglevel=7\nignored\n");
	assert_string_equal(v, "rw loglevel=7");
	free(v);
	assert_null(boot_first_line("\nsecond"));
	v = boot_cmdline("root=zfs:", "rpool/ROOT/a", "quiet");
	assert_string_equal(v, "root=zfs:rpool/ROOT/a quiet");
	free(v);
	v = boot_cmdline("zfs=", "rpool/ROOT/a", "");
	assert_string_equal(v, "zfs=rpool/ROOT/a");
	free(v);
	/* A name with whitespace would add kernel arguments of its own. */
	assert_null(boot_cmdline("root=zfs:", "rpool/ROOT/a init=/bin/sh", ""));
	assert_null(boot_cmdline("root=zfs:", "rpool/ROOT/a\tb", "quiet"));
	assert_null(boot_cmdline("root=zfs:", "rpool/ROOT/a\"b", "quiet"));
}

static void test_pick_kernel(void **state)
{
	const char *k[] = {"vmlinuz-6.10.2-amd64", "vmlinuz-6.1.0-13-amd64",
	                   "vmlinuz-6.1.0-9-amd64"};
	(void)state;
	assert_int_equal(boot_pick_kernel(k, 3, NULL), 0);
	assert_int_equal(boot_pick_kernel(k, 3, "-"), 0);
	assert_int_equal(boot_pick_kernel(k, 3, "6\\.1\\.0"), 1);
	assert_int_equal(boot_pick_kernel(k, 3, "vmlinuz-6.1.0-9-amd64"), 2);
	/* Matches nothing: the newest. */
	assert_int_equal(boot_pick_kernel(k, 3, "lts"), 0);
	/* Not a valid expression: a plain substring. */
	assert_int_equal(boot_pick_kernel(k, 3, "6.1.0-9("), 0);
	const char *p[] = {"vmlinuz-a", "vmlinuz-6.1.0-9("};
	assert_int_equal(boot_pick_kernel(p, 2, "6.1.0-9("), 1);
	assert_int_equal(boot_pick_kernel(k, 0, NULL), -1);
}

static void test_key_script(void **state)
{
	struct menu_keys k;
	char err[256];
	(void)state;
	assert_int_equal(menu_keys_parse("down down # to the third\n"
	                                 "s  enter c\n\"my be\" enter y esc",
	                                 &k, err, sizeof(err)),
	                 0);
	int want[] = {MK_DOWN, MK_DOWN, 's', MK_ENTER, 'c', 'm',   'y',
	              ' ',     'b',     'e', MK_ENTER, 'y', MK_ESC};
	assert_int_equal(k.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < k.n; i++)
		assert_int_equal(k.v[i], want[i]);
	menu_keys_free(&k);
	assert_int_equal(menu_keys_parse("\"a\\\"b\\\\\" tab space backspace",
	                                 &k, err, sizeof(err)),
	                 0);
	int want2[] = {'a', '"', 'b', '\\', '\t', ' ', MK_BACKSPACE};
	assert_int_equal(k.n, 7);
	for (size_t i = 0; i < k.n; i++)
		assert_int_equal(k.v[i], want2[i]);
	menu_keys_free(&k);
	assert_int_equal(menu_keys_parse("", &k, err, sizeof(err)), 0);
	assert_int_equal(k.n, 0);
	menu_keys_free(&k);
}

static void test_key_script_errors(void **state)
{
	struct menu_keys k;
	char err[256];
	(void)state;
	assert_int_equal(
	        menu_keys_parse("down\nsideways", &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2"));
	assert_non_null(strstr(err, "sideways"));
	assert_null(k.v);
	assert_int_equal(menu_keys_parse("\"open", &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unterminated"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_kcl_plain_and_unset),
	        cmocka_unit_test(test_kcl_parent_expansion),
	        cmocka_unit_test(test_kcl_inherited_is_parents_expansion),
	        cmocka_unit_test(test_osrelease),
	        cmocka_unit_test(test_grub_and_defaults),
	        cmocka_unit_test(test_pick_kernel),
	        cmocka_unit_test(test_key_script),
	        cmocka_unit_test(test_key_script_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
