/* Hooks: their zeit.conf keys (and the refusals), the file they may come
 * from, and running one: values only through the environment (hostile
 * ones arrive intact and run nothing), exit statuses, timeouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zeit/config.h"
#include "zeit/hook.h"

static struct zeit z;
static char path[64];

static void write_conf(const char *text)
{
	snprintf(path, sizeof(path), "/tmp/zeit-test-hooks.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_keys_read(void **state)
{
	(void)state;
	struct zeit_config c;
	write_conf("[defaults]\n"
	           "pre_snapshot = sync\n"
	           "hook_timeout = 1m\n"
	           "post_snapshot_always = yes\n"
	           "[tank/db]\n"
	           "pre_snapshot = /usr/local/sbin/freeze \"$ZEIT_DATASET\"\n"
	           "post_snapshot = /usr/local/sbin/thaw\n"
	           "on_snapshot_failure = logger zeit failed\n"
	           "pre_snapshot_failure = take\n"
	           "hook_timeout = 5\n"
	           "[tank/db/logs]\n"
	           "keep = daily=3\n"
	           "[send off]\n"
	           "source = tank/db\n"
	           "target = backup/db\n"
	           "pre_send = true\n"
	           "pre_send_failure = send\n"
	           "post_send_always = no\n");
	config_init(&c);
	assert_int_equal(config_load(&z, path, true, &c), 0);
	assert_string_equal(c.run_hooks.pre, "sync");
	assert_null(c.run_hooks.post);
	assert_int_equal(c.run_hooks.timeout, 60);
	assert_true(hook_post_always(&c.run_hooks, NULL));
	assert_int_equal(hook_pre_failure(&c.run_hooks, NULL), HOOK_PRE_SKIP);

	const struct config_section *s =
	        config_section_for(&c, "tank/db/logs", CONFIG_WANT_HOOKS);
	assert_non_null(s);
	assert_string_equal(s->dataset, "tank/db");
	assert_string_equal(s->hooks.post, "/usr/local/sbin/thaw");
	assert_int_equal(hook_timeout(&s->hooks, &c.run_hooks), 5);
	assert_int_equal(hook_pre_failure(&s->hooks, &c.run_hooks),
	                 HOOK_PRE_GO_ON);
	/* Unset in the section: [defaults]' value. */
	assert_true(hook_post_always(&s->hooks, &c.run_hooks));
	assert_null(config_section_for(&c, "tank/other", CONFIG_WANT_HOOKS));
	/* A section that sets keep only is no hook section. */
	s = config_section_for(&c, "tank/db/logs", CONFIG_WANT_KEEP);
	assert_string_equal(s->dataset, "tank/db/logs");

	assert_int_equal(c.njobs, 1);
	assert_string_equal(c.jobs[0].hooks.pre, "true");
	assert_int_equal(hook_pre_failure(&c.jobs[0].hooks, NULL),
	                 HOOK_PRE_GO_ON);
	assert_false(hook_post_always(&c.jobs[0].hooks, NULL));
	/* [defaults]' timeout when the job sets none. */
	assert_int_equal(hook_timeout(&c.jobs[0].hooks, &c.run_hooks), 60);
	assert_int_equal(hook_timeout(&c.jobs[0].hooks, NULL),
	                 HOOK_TIMEOUT_DEFAULT);
	config_free(&c);
	unlink(path);
}

static void bad(const char *text, const char *line, const char *want)
{
	struct zeit_config c;
	write_conf(text);
	config_init(&c);
	zeit_clear_error(&z);
	assert_int_equal(config_load(&z, path, true, &c), -1);
	if (!strstr(zeit_error(&z), want) ||
	    (line && !strstr(zeit_error(&z), line)))
		fail_msg("'%s' lacks '%s' (line %s)", zeit_error(&z), want,
		         line ? line : "-");
	config_free(&c);
	unlink(path);
}

static void test_keys_refused(void **state)
{
	(void)state;
	bad("[defaults]\nhook_timeout = 0\n", ":2", "hook_timeout");
	bad("[defaults]\nhook_timeout = forever\n", ":2", "got 'forever'");
	bad("[defaults]\nhook_timeout = 2d\n", ":2", "at most 1d");
	bad("[defaults]\nhook_timeout = -5\n", ":2", "hook_timeout");
	bad("[t/a]\npre_snapshot =\n", ":2", "no command");
	bad("[t/a]\npre_snapshot = a\npre_snapshot = b\n", ":3", "twice");
	bad("[t/a]\npre_snapshot_failure = maybe\n", ":2",
	    "expected skip or take");
	/* A job's word is send, not take. */
	bad("[send j]\nsource = t/a\ntarget = b/a\npre_send_failure = take\n",
	    ":4", "expected skip or send");
	bad("[send j]\nsource = t/a\ntarget = b/a\npre_snapshot = x\n", ":4",
	    "unknown key 'pre_snapshot' in [send j]");
	bad("[t/a]\npre_send = x\n", ":2", "unknown key 'pre_send' in [t/a]");
	bad("[t/a]\npost_snapshot_always = sometimes\n", ":2",
	    "expected yes or no");
	bad("[defaults]\npre_snap = x\n", ":2", "pre_snapshot");
}

/* Hook commands run as root: not from a file others may write. */
static void test_file_others_may_write(void **state)
{
	(void)state;
	struct zeit_config c;
	write_conf("[t/a]\npre_snapshot = true\n");
	chmod(path, 0666);
	config_init(&c);
	zeit_clear_error(&z);
	assert_int_equal(config_load(&z, path, true, &c), -1);
	assert_non_null(strstr(zeit_error(&z), "writable by others"));
	config_free(&c);
	chmod(path, 0620);
	assert_int_equal(config_load(&z, path, true, &c), -1);
	config_free(&c);
	/* The same mode without a hook: nothing to refuse. */
	write_conf("[t/a]\nkeep = daily=3\n");
	chmod(path, 0666);
	assert_int_equal(config_load(&z, path, true, &c), 0);
	config_free(&c);
	unlink(path);
}

static char *slurp(const char *p)
{
	FILE *f = fopen(p, "r");
	if (!f)
		return NULL;
	static char text[4096];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

/* Names zfs would refuse still must not become shell syntax: the runner
 * never sees zfs's rules. */
static void test_hostile_values_reach_intact(void **state)
{
	(void)state;
	char dir[] = "/tmp/zeit-hook-env.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *out = xasprintf("%s/out", dir);
	char *pwned = xasprintf("%s/pwned", dir);
	char *hostile = xasprintf("tank/a b'\"$(touch %s)`touch %s`;"
	                          "touch %s #",
	                          pwned, pwned, pwned);
	char *plain = xasprintf("tank/x@y;touch %s", pwned);
	char *cmd = xasprintf("printf '%%s|%%s|%%s' \"$ZEIT_DATASET\" "
	                      "\"$ZEIT_SNAPSHOT\" \"$ZEIT_HOOK\" >%s",
	                      out);
	struct strv env;
	char *why = NULL;
	strv_init(&env);
	hook_env(&env, "ZEIT_DATASET", hostile);
	hook_env(&env, "ZEIT_SNAPSHOT", plain);
	assert_int_equal(hook_exec(&z, cmd, 10, "pre_snapshot",
	                           (const char *const *)env.v, &why),
	                 0);
	assert_null(why);
	char *want = xasprintf("%s|%s|pre_snapshot", hostile, plain);
	assert_string_equal(slurp(out), want);
	assert_int_equal(access(pwned, F_OK), -1);
	/* A hook that evaluates it unquoted would run it: the check above
	 * can fail. */
	char *naive = xasprintf("eval \"echo $ZEIT_SNAPSHOT\" >/dev/null");
	hook_exec(&z, naive, 10, "pre_snapshot", (const char *const *)env.v,
	          &why);
	free(why);
	assert_int_equal(access(pwned, F_OK), 0);
	unlink(pwned);
	unlink(out);
	rmdir(dir);
	free(naive);
	free(want);
	strv_free(&env);
	free(cmd);
	free(hostile);
	free(plain);
	free(pwned);
	free(out);
}

static void test_status_and_timeout(void **state)
{
	(void)state;
	char *why = NULL;
	assert_int_equal(hook_exec(&z,
	                           "echo fs busy >&2; echo more >&2; exit 3",
	                           10, "pre_snapshot", NULL, &why),
	                 -1);
	assert_string_equal(why, "exit status 3: fs busy");
	free(why);

	assert_int_equal(
	        hook_exec(&z, "kill -KILL $$", 10, "post_snapshot", NULL, &why),
	        -1);
	assert_string_equal(why, "killed by signal 9");
	free(why);

	/* Forever, TERM ignored, a child in the background: killed at the
	 * timeout and its grace, counted as failed, and zeit goes on. */
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(hook_exec(&z, "trap '' TERM; sleep 1000 & wait; wait",
	                           1, "pre_snapshot", NULL, &why),
	                 -1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_string_equal(why, "timed out after 1s; killed");
	free(why);
	assert_true(b.tv_sec - a.tv_sec < 8);

	assert_int_equal(
	        hook_exec(&z, "exit 0", 10, "post_snapshot", NULL, &why), 0);
	assert_null(why);
}

int main(void)
{
	zeit_init(&z);
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_keys_read),
	        cmocka_unit_test(test_keys_refused),
	        cmocka_unit_test(test_file_others_may_write),
	        cmocka_unit_test(test_hostile_values_reach_intact),
	        cmocka_unit_test(test_status_and_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
