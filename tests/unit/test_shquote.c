/* The remote quoting is checked two ways: the exact text, and a real
 * /bin/sh reading it back word for word, as the remote shell will. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "zeit/run.h"

static void expect(const char *word, const char *quoted)
{
	struct buf b;
	buf_init(&b);
	shell_quote(&b, word);
	assert_string_equal(b.data, quoted);
	buf_free(&b);
}

static void test_text(void **state)
{
	(void)state;
	expect("tank/a@zeit_daily_20261127T000000Z",
	       "tank/a@zeit_daily_20261127T000000Z");
	expect("", "''");
	expect("a b", "'a b'");
	expect("it's", "'it'\\''s'");
	expect("$HOME", "'$HOME'");
	expect("a\\b", "'a\\b'");
	expect("line1\nline2", "'line1\nline2'");
	expect("*", "'*'");
	expect("~root", "'~root'");
	expect("#x", "'#x'");
	expect("a;b|c&d", "'a;b|c&d'");
	expect("`id`", "'`id`'");
	expect("\"q\"", "'\"q\"'");
}

/* Feeds the joined words to sh, which prints each word NUL-terminated. */
static void roundtrip(const char *const *words)
{
	struct zeit z;
	struct buf script;
	struct run_cmd c;
	zeit_init(&z);
	buf_init(&script);
	buf_adds(&script, "printf '%s\\0' ");
	shell_join(&script, words);
	const char *argv[] = {"sh", "-c", script.data, NULL};
	run_cmd_init(&c, argv);
	assert_int_equal(run(&z, &c), 0);
	assert_int_equal(c.status, 0);
	size_t off = 0;
	for (size_t i = 0; words[i]; i++) {
		size_t len = strlen(words[i]);
		assert_true(off + len < c.out.len + 1);
		assert_memory_equal(c.out.data + off, words[i], len);
		assert_int_equal(c.out.data[off + len], '\0');
		off += len + 1;
	}
	assert_int_equal(off, c.out.len);
	run_cmd_free(&c);
	buf_free(&script);
}

static void test_roundtrip(void **state)
{
	(void)state;
	const char *words[] = {"plain",
	                       "two words",
	                       "",
	                       "it's",
	                       "$HOME",
	                       "$(id)",
	                       "back\\slash\\",
	                       "new\nline",
	                       "tab\there",
	                       "'''",
	                       "\"dq\"",
	                       "*?[a]",
	                       "-n",
	                       "--",
	                       "caf\xc3\xa9",
	                       "!bang",
	                       "a'b\"c$d\\e`f",
	                       NULL};
	roundtrip(words);
}

static void test_remote_argv(void **state)
{
	(void)state;
	const char *argv[] = {"zfs", "list", "-H", "tank/a b", NULL};
	const char *opts[] = {"-p", "2222", NULL};
	struct run_host host = {"root@127.0.0.1", opts};
	struct run_cmd c;
	struct strv real;
	run_cmd_init(&c, argv);
	c.host = &host;
	run_real_argv(&c, &real);
	assert_int_equal(real.n, 8);
	assert_string_equal(real.v[0], "ssh");
	assert_string_equal(real.v[1], "-o");
	assert_string_equal(real.v[2], "BatchMode=yes");
	assert_string_equal(real.v[3], "-p");
	assert_string_equal(real.v[4], "2222");
	/* "--" before the destination: ssh reads options after it too, so
	 * only this way can a destination word never be one. */
	assert_string_equal(real.v[5], "--");
	assert_string_equal(real.v[6], "root@127.0.0.1");
	assert_string_equal(real.v[7], "zfs list -H 'tank/a b'");
	strv_free(&real);
	struct run_host hostile = {"-oProxyCommand=sh", opts};
	c.host = &hostile;
	run_real_argv(&c, &real);
	assert_string_equal(real.v[5], "--");
	assert_string_equal(real.v[6], "-oProxyCommand=sh");
	strv_free(&real);
	c.host = &host;

	const char *env[] = {"ZEIT_X=a b", NULL};
	c.env = env;
	run_real_argv(&c, &real);
	assert_string_equal(real.v[7],
	                    "env 'ZEIT_X=a b' zfs list -H 'tank/a b'");
	strv_free(&real);

	c.host = NULL;
	run_real_argv(&c, &real);
	assert_int_equal(real.n, 4);
	assert_string_equal(real.v[3], "tank/a b");
	strv_free(&real);
	run_cmd_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_text),
	        cmocka_unit_test(test_roundtrip),
	        cmocka_unit_test(test_remote_argv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
