#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/be.h"

static struct zeit z;

static void test_debian_kernels_newest_first(void **state)
{
	const char *files[] = {
	        "config-6.1.0-13-amd64",  "initrd.img-6.1.0-13-amd64",
	        "vmlinuz-6.1.0-13-amd64", "System.map-6.1.0-13-amd64",
	        "vmlinuz-6.1.0-9-amd64",  "initrd.img-6.1.0-9-amd64",
	        "vmlinuz-6.10.2-amd64",   "grub"};
	struct be_kernel_list l;
	(void)state;
	be_find_kernels(files, 8, &l);
	assert_int_equal(l.n, 3);
	/* 6.10 is newer than 6.1.0-13, which is newer than 6.1.0-9. */
	assert_string_equal(l.v[0].version, "6.10.2-amd64");
	assert_null(l.v[0].initrd);
	assert_string_equal(l.v[1].kernel, "vmlinuz-6.1.0-13-amd64");
	assert_string_equal(l.v[1].initrd, "initrd.img-6.1.0-13-amd64");
	assert_string_equal(l.v[2].initrd, "initrd.img-6.1.0-9-amd64");
	be_kernel_list_free(&l);
}

static void test_other_distributions(void **state)
{
	/* Void, Arch, Fedora-style and a bare vmlinuz. */
	const char *void_[] = {"vmlinuz-6.6.8_1", "initramfs-6.6.8_1.img",
	                       "vmlinuz-6.6.8_1.sig"};
	const char *arch[] = {"vmlinuz-linux", "initramfs-linux.img",
	                      "initramfs-linux-fallback.img",
	                      "vmlinuz-linux-lts", "initramfs-linux-lts.img"};
	const char *bare[] = {"vmlinuz", "initrd.img", "vmlinuz.old"};
	struct be_kernel_list l;
	(void)state;
	be_find_kernels(void_, 3, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].initrd, "initramfs-6.6.8_1.img");
	be_kernel_list_free(&l);
	be_find_kernels(arch, 5, &l);
	assert_int_equal(l.n, 2);
	for (size_t i = 0; i < 2; i++)
		assert_string_equal(l.v[i].initrd,
		                    !strcmp(l.v[i].version, "linux")
		                            ? "initramfs-linux.img"
		                            : "initramfs-linux-lts.img");
	be_kernel_list_free(&l);
	be_find_kernels(bare, 3, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].kernel, "vmlinuz");
	assert_string_equal(l.v[0].initrd, "initrd.img");
	be_kernel_list_free(&l);
	be_find_kernels(NULL, 0, &l);
	assert_int_equal(l.n, 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(be_name_check(&z, "void-2026.11"), 0);
	assert_int_equal(be_name_check(&z, "a:b_c"), 0);
	assert_int_equal(be_name_check(&z, "a/b"), -1);
	assert_non_null(strstr(zeit_error(&z), "a/b"));
	assert_int_equal(be_name_check(&z, "a@b"), -1);
	assert_int_equal(be_name_check(&z, ""), -1);
	assert_int_equal(be_name_check(&z, ".."), -1);
	assert_int_equal(be_name_check(&z, "with space"), -1);
}

/* The trial mark is read from a property anyone can set: only
 * "pending DATASET" or "failed DATASET" naming this very dataset counts. */
static void test_trial_states(void **state)
{
	(void)state;
	struct be_ctx c = {0};
	const char *ds = "rpool/ROOT/new";
	assert_int_equal(be_trial_state(&c, ds, NULL), BE_TRIAL_NONE);
	assert_int_equal(be_trial_state(&c, ds, ""), BE_TRIAL_NONE);
	assert_int_equal(be_trial_state(&c, ds, "pending"), BE_TRIAL_NONE);
	assert_int_equal(be_trial_state(&c, ds, "pending rpool/ROOT"),
	                 BE_TRIAL_NONE);
	assert_int_equal(be_trial_state(&c, ds, "pending rpool/ROOT/new "),
	                 BE_TRIAL_NONE);
	assert_int_equal(be_trial_state(&c, ds, "pendingx rpool/ROOT/new"),
	                 BE_TRIAL_NONE);
	assert_int_equal(be_trial_state(&c, ds, "pend rpool/ROOT/new"),
	                 BE_TRIAL_NONE);
	assert_int_equal(be_trial_state(&c, ds, "failed rpool/ROOT/new\n"),
	                 BE_TRIAL_NONE);
	assert_int_equal(be_trial_state(&c, ds, "failed rpool/ROOT/new"),
	                 BE_TRIAL_FAILED);
	/* Pending: still the next boot's choice (by dataset or name). */
	c.nextboot = (char *)"rpool/ROOT/new";
	assert_int_equal(be_trial_state(&c, ds, "pending rpool/ROOT/new"),
	                 BE_TRIAL_PENDING);
	c.nextboot = (char *)"new";
	assert_int_equal(be_trial_state(&c, ds, "pending rpool/ROOT/new"),
	                 BE_TRIAL_PENDING);
	/* The request was taken and something else runs: it failed. */
	c.nextboot = NULL;
	c.running = (char *)"rpool/ROOT/old";
	assert_int_equal(be_trial_state(&c, ds, "pending rpool/ROOT/new"),
	                 BE_TRIAL_FAILED);
	/* It runs: up, waiting for its confirmation. */
	c.running = (char *)"rpool/ROOT/new";
	assert_int_equal(be_trial_state(&c, ds, "pending rpool/ROOT/new"),
	                 BE_TRIAL_BOOTED);
	assert_string_equal(be_trial_name(BE_TRIAL_BOOTED), "unconfirmed");
	assert_string_equal(be_trial_name(BE_TRIAL_NONE), "-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_debian_kernels_newest_first),
	        cmocka_unit_test(test_other_distributions),
	        cmocka_unit_test(test_names),
	        cmocka_unit_test(test_trial_states),
	};
	zeit_init(&z);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
