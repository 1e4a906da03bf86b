#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zeit/pkgtxn.h"

/* /proc/PID/stat: the command name may hold spaces and parentheses. */
static void test_parse_stat(void **state)
{
	(void)state;
	pid_t ppid;
	unsigned long long start;
	char comm[64];
	const char *odd = "4242 (a) (b c) S 17 4242 4242 0 -1 4194560 103 0 0 "
	                  "0 0 0 0 0 20 0 1 0 98765 1000 10 "
	                  "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 "
	                  "0 0 0 0 0\n";
	assert_int_equal(
	        pkgtxn_parse_stat(odd, &ppid, &start, comm, sizeof(comm)), 0);
	assert_int_equal(ppid, 17);
	assert_true(start == 98765);
	assert_string_equal(comm, "a) (b c");
	/* Cut short, no parentheses, junk where numbers belong. */
	assert_int_equal(pkgtxn_parse_stat("4242 (x) S 17 1 2", &ppid, &start,
	                                   comm, sizeof(comm)),
	                 -1);
	assert_int_equal(pkgtxn_parse_stat("4242 x S 17", &ppid, &start, comm,
	                                   sizeof(comm)),
	                 -1);
	assert_int_equal(pkgtxn_parse_stat("1 (x) S 1x 1 1 0 -1 1 1 0 0 0 0 0 "
	                                   "0 0 20 0 1 0 5 1",
	                                   &ppid, &start, comm, sizeof(comm)),
	                 -1);
	/* This very process, as the kernel writes it. */
	FILE *f = fopen("/proc/self/stat", "r");
	char text[1024];
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	assert_int_equal(
	        pkgtxn_parse_stat(text, &ppid, &start, comm, sizeof(comm)), 0);
	assert_int_equal(ppid, getppid());
	assert_true(start > 0);
}

static void test_delta_summary(void **state)
{
	(void)state;
	struct pkg_change v[] = {
	        {PKG_UPGRADED, "libc6", "2.36-9", "2.36-9+deb12u1"},
	        {PKG_ADDED, "zt-a", NULL, "1.0"},
	        {PKG_REMOVED, "zt-b", "2.0", NULL},
	        {PKG_DOWNGRADED, "zt-c", "3", "2"},
	};
	struct pkg_changes ch = {v, 4};
	char *s = pkgtxn_delta_summary(&ch, 1000);
	assert_string_equal(s, "libc6 2.36-9 -> 2.36-9+deb12u1, +zt-a 1.0, "
	                       "-zt-b 2.0, zt-c 3 -> 2");
	free(s);
	/* Too long: cut with a count, never past the limit. */
	s = pkgtxn_delta_summary(&ch, 50);
	assert_true(strlen(s) <= 50);
	assert_non_null(strstr(s, "more)"));
	free(s);
	struct pkg_changes none = {NULL, 0};
	s = pkgtxn_delta_summary(&none, 100);
	assert_string_equal(s, "");
	free(s);
}

static void test_state_round_trip(void **state)
{
	(void)state;
	struct zeit z;
	struct pkgtxn_state s, back;
	struct buf b, b2;

	zeit_init(&z);
	pkgtxn_state_init(&s);
	snprintf(s.dataset, sizeof(s.dataset), "rpool/ROOT/debian");
	snprintf(s.pre, sizeof(s.pre), "zeit_pkgpre_20261201T100000Z");
	snprintf(s.post, sizeof(s.post), "zeit_pkg_20261201T100005Z");
	s.open = true;
	s.pm = (struct pkgtxn_proc){1234, 5678};
	s.parent = (struct pkgtxn_proc){1200, 5000};
	s.closed = 1796000000;
	s.last = 1796000005;
	snprintf(s.manager, sizeof(s.manager), "apt");
	s.format = PKG_DPKG;
	strv_push(&s.commands, "apt-get install ./x.deb");
	/* A command line with a newline would forge a line: left out. */
	strv_push(&s.commands, "evil\npre=zeit_pkgpre_x");
	s.pkgs.format = PKG_DPKG;
	s.pkgs.v = calloc(2, sizeof(*s.pkgs.v));
	s.pkgs.cap = 2;
	s.pkgs.v[0] = (struct pkg){strdup("libc6:amd64"), strdup("2.36-9")};
	s.pkgs.v[1] = (struct pkg){strdup("bad\tname"), strdup("1")};
	s.pkgs.n = 2;
	buf_init(&b);
	buf_init(&b2);
	pkgtxn_state_format(&s, &b);
	assert_null(strstr(b.data, "evil"));
	assert_int_equal(pkgtxn_state_parse(&z, b.data, b.len, &back), 0);
	assert_string_equal(back.pre, s.pre);
	assert_string_equal(back.post, s.post);
	assert_true(back.open);
	assert_int_equal(back.pm.pid, 1234);
	assert_true(back.parent.start == 5000);
	assert_int_equal(back.format, PKG_DPKG);
	assert_int_equal(back.commands.n, 1);
	assert_int_equal(back.pkgs.n, 1);
	assert_string_equal(back.pkgs.v[0].name, "libc6:amd64");
	pkgtxn_state_format(&back, &b2);
	assert_string_equal(b.data, b2.data);
	pkgtxn_state_free(&back);
	pkgtxn_state_free(&s);
	buf_free(&b);
	buf_free(&b2);
}

/* Anything zeit did not write is refused whole. */
static void test_state_hostile(void **state)
{
	(void)state;
	struct zeit z;
	struct pkgtxn_state s;
	const char *bad[] = {
	        "version=2\ndataset=a/b\n",
	        "dataset=a/b\nunknown=1\n",
	        "dataset=a/b\npre=../../x\n",
	        "dataset=a/b\npre=a@b\n",
	        "dataset=a/b@c\n",
	        "dataset=a/b\nopen=yes\n",
	        "dataset=a/b\nopen=1\n", /* open without a pre */
	        "dataset=a/b\npm=x:1\n",
	        "dataset=a/b\npm=12\n",
	        "dataset=a/b\nlast=-1\n",
	        "dataset=a/b\nformat=rpm\n",
	        "dataset=a/b\npkg=name\n",
	        "dataset=a/b\npkg=a\tb\tc\n",
	        "dataset=a/b\ncommand=x\x1b[2J\n",
	        "dataset=a/b\nno end",
	        "pre=zeit_pkgpre_20261201T100000Z\n", /* no dataset */
	};
	zeit_init(&z);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (pkgtxn_state_parse(&z, bad[i], strlen(bad[i]), &s) == 0)
			fail_msg("accepted: %s", bad[i]);
		zeit_clear_error(&z);
	}
	const char nul[] = "dataset=a/b\n\0pre=x\n";
	assert_int_equal(pkgtxn_state_parse(&z, nul, sizeof(nul) - 1, &s), -1);
	const char *good = "dataset=a/b\nopen=0\n";
	assert_int_equal(pkgtxn_state_parse(&z, good, strlen(good), &s), 0);
	pkgtxn_state_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_stat),
	        cmocka_unit_test(test_delta_summary),
	        cmocka_unit_test(test_state_round_trip),
	        cmocka_unit_test(test_state_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
