/* rootfile.h against a tree of hostile entries in a temporary directory:
 * symlinks out of the root (absolute, "..", through a directory), a FIFO,
 * a device, a directory, a file over the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zeit/rootfile.h"

static struct zeit z;
static char top[] = "/tmp/zeit-rootfile-XXXXXX";
static char root_path[64], outside[80];
static int root = -1;

static void put(const char *rel, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", root_path, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_at(const char *target, const char *rel)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", root_path, rel);
	assert_int_equal(symlink(target, p), 0);
}

static void dir_at(const char *rel)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", root_path, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

/* top/outside holds a secret; top/root is the root under test. */
static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(top))
		return -1;
	snprintf(root_path, sizeof(root_path), "%s/root", top);
	snprintf(outside, sizeof(outside), "%s/secret", top);
	mkdir(root_path, 0755);
	FILE *f = fopen(outside, "w");
	fputs("host secret\n", f);
	fclose(f);
	dir_at("etc");
	dir_at("usr");
	dir_at("usr/lib");
	put("usr/lib/os-release", "ID=inside\n");
	put("etc/plain", "plain\n");
	link_at("/usr/lib/os-release", "etc/os-release");
	link_at(outside, "etc/abs-out");
	link_at("../../../../../../../secret", "etc/rel-out");
	link_at("/", "up");
	char p[256];
	snprintf(p, sizeof(p), "%s/fifo", root_path);
	assert_int_equal(mkfifo(p, 0644), 0);
	link_at("/dev/zero", "zero");
	put("big", "0123456789");
	put("secret", "inside secret\n");
	root = root_open(&z, root_path);
	return root < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	close(root);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_reads_plain_and_inner_absolute_links(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	assert_int_equal(rootfile_read(&z, root, "etc/plain", 100, &b), 0);
	assert_string_equal(b.data, "plain\n");
	/* Absolute links resolve inside the root, as in the booted system. */
	assert_int_equal(rootfile_read(&z, root, "/etc/os-release", 100, &b),
	                 0);
	assert_string_equal(b.data, "ID=inside\n");
	buf_free(&b);
}

static void test_links_out_stay_inside(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	/* Every way out lands on the root's own /secret, never top/secret. */
	const char *ways[] = {"etc/rel-out", "up/secret", "../secret",
	                      "etc/../../../secret", NULL};
	for (size_t i = 0; ways[i]; i++) {
		assert_int_equal(rootfile_read(&z, root, ways[i], 100, &b), 0);
		assert_string_equal(b.data, "inside secret\n");
	}
	/* An absolute link to a path that exists only outside: missing. */
	assert_int_equal(rootfile_read(&z, root, "etc/abs-out", 100, &b), -1);
	assert_int_equal(z.err, ENOENT);
	buf_free(&b);
}

static void test_refuses_what_is_not_a_regular_file(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	assert_int_equal(rootfile_read(&z, root, "fifo", 100, &b), -1);
	assert_int_equal(z.err, EINVAL);
	assert_non_null(strstr(z.errmsg, "FIFO"));
	assert_int_equal(rootfile_read(&z, root, "etc", 100, &b), -1);
	assert_non_null(strstr(z.errmsg, "directory"));
	/* zero -> /dev/zero resolves inside: no such file, nothing read. */
	assert_int_equal(rootfile_read(&z, root, "zero", 100, &b), -1);
	assert_int_equal(z.err, ENOENT);
	assert_int_equal(rootfile_read(&z, root, "nothing", 100, &b), -1);
	assert_int_equal(z.err, ENOENT);
	assert_false(root_exists(root, "nothing"));
	assert_true(root_exists(root, "fifo"));
	buf_free(&b);
}

static void test_size_cap(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	assert_int_equal(rootfile_read(&z, root, "big", 10, &b), 0);
	assert_int_equal(b.len, 10);
	assert_int_equal(rootfile_read(&z, root, "big", 9, &b), -1);
	assert_int_equal(z.err, EFBIG);
	buf_free(&b);
}

static void test_dirs(void **state)
{
	(void)state;
	int fd = rootdir_open(&z, root, "usr/lib");
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(rootdir_open(&z, root, "etc/plain"), -1);
	assert_int_equal(z.err, ENOTDIR);
	/* The root itself. */
	fd = rootdir_open(&z, root, "/");
	assert_true(fd >= 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_reads_plain_and_inner_absolute_links),
	        cmocka_unit_test(test_links_out_stay_inside),
	        cmocka_unit_test(test_refuses_what_is_not_a_regular_file),
	        cmocka_unit_test(test_size_cap),
	        cmocka_unit_test(test_dirs),
	};
	zeit_init(&z);
	return cmocka_run_group_tests(tests, setup, teardown);
}
