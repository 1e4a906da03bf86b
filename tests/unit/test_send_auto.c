/* zeit send --auto's bookkeeping: [send NAME] jobs read from zeit.conf
 * (and refused when odd), when a job is due, and its recorded outcome
 * read back from property values that may be anything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zeit/config.h"
#include "zeit/send_auto.h"

static struct zeit z;
static char path[64];

static void write_conf(const char *text)
{
	snprintf(path, sizeof(path), "/tmp/zeit-test-jobs.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_jobs_read(void **state)
{
	(void)state;
	struct zeit_config c;
	write_conf("[send local]\n"
	           "source = tank/home\n"
	           "target = backup/home\n"
	           "interval = 1h\n"
	           "recursive = yes\n"
	           "prune = yes\n"
	           "[tank/home]\n"
	           "keep = daily=9\n"
	           "[send offsite]\n"
	           "source = tank/home\n"
	           "target = root@backup.example:tank/replica/home\n"
	           "interval = 3h\n"
	           "raw = yes\n"
	           "ssh_opts = -p 2222\n"
	           "[send pull.a-1]\n"
	           "source = laptop:rpool/home\n"
	           "target = tank/laptop/home\n");
	config_init(&c);
	assert_int_equal(config_load(&z, path, true, &c), 0);
	assert_int_equal(c.njobs, 3);
	assert_string_equal(c.jobs[0].name, "local");
	assert_int_equal(c.jobs[0].interval, 3600);
	assert_int_equal(c.jobs[0].recursive, 1);
	assert_int_equal(c.jobs[0].prune, 1);
	assert_int_equal(c.jobs[0].raw, -1);
	assert_string_equal(c.jobs[1].target,
	                    "root@backup.example:tank/replica/home");
	assert_int_equal(c.jobs[1].raw, 1);
	assert_string_equal(c.jobs[1].ssh_opts, "-p 2222");
	assert_int_equal(c.jobs[2].interval, -1);
	assert_int_equal(c.nsections, 1);
	/* Where each keeps its outcome: on this machine's side. */
	assert_string_equal(send_job_local_side(&c.jobs[0]), "tank/home");
	assert_string_equal(send_job_local_side(&c.jobs[1]), "tank/home");
	assert_string_equal(send_job_local_side(&c.jobs[2]),
	                    "tank/laptop/home");
	config_free(&c);
	unlink(path);
}

static void bad(const char *text, const char *why)
{
	struct zeit_config c;
	write_conf(text);
	config_init(&c);
	zeit_clear_error(&z);
	if (config_load(&z, path, true, &c) == 0)
		fail_msg("accepted: %s", text);
	if (!strstr(zeit_error(&z), why))
		fail_msg("'%s' lacks '%s'", zeit_error(&z), why);
	config_free(&c);
	unlink(path);
}

static void test_jobs_refused(void **state)
{
	(void)state;
	bad("[send a b]\nsource = t/a\n", "a job's name is 1 to 64");
	bad("[send a:x]\nsource = t/a\n", "a job's name");
	bad("[send ]\nsource = t/a\n", "a job's name");
	/* zfs takes no capital in a user property's name: the outcome
	 * could never be recorded. */
	bad("[send Offsite]\nsource = t/a\n", "lowercase");
	bad("[send a]\nsource = t/a\ntarget = b/a\nsource = t/b\n",
	    "source is given twice");
	bad("[send a]\nsource = t/a\ninterval = often\n",
	    "interval: expected a duration");
	bad("[send a]\nsource = t/a\nrecursive = maybe\n",
	    "recursive: expected yes or no");
	bad("[send a]\nsource = t/a\nraw = sometimes\n",
	    "raw: expected yes, no or auto");
	bad("[send a]\nsource = -oProxyCommand=x:t/a\n", "names no host");
	bad("[send a]\nsource = host:\n", "names no dataset");
	bad("[send a]\nsource = t/a@snap\n", "source:");
	bad("[send a]\nsourc = t/a\n", "unknown key 'sourc' in [send a]");
	bad("[send a]\nsource = t/a\n", "[send a]: no target");
	bad("[send a]\ntarget = t/a\n", "[send a]: no source");
	bad("[send a]\nsource = h1:t/a\ntarget = h2:b/a\n",
	    "both on other hosts");
}

static void test_due(void **state)
{
	(void)state;
	struct config_send_job j = {.name = "x", .interval = 3 * 3600};
	const time_t t = 1793491200;
	assert_true(send_job_due(&j, 0, t));
	assert_false(send_job_due(&j, t, t + 3600));
	/* A run that started a few seconds late is still due on the tick. */
	assert_true(send_job_due(&j, t + 5, t + 3 * 3600));
	assert_false(send_job_due(&j, t, t + 3 * 3600 - 61));
	assert_true(send_job_due(&j, t, t + 3 * 3600 - 60));
	/* The clock went back: not due until the interval passes again. */
	assert_false(send_job_due(&j, t, t - 3600));
	j.interval = 0;
	assert_true(send_job_due(&j, t, t));
	j.interval = -1;
	assert_true(send_job_due(&j, t, t));
}

static void test_state_values(void **state)
{
	(void)state;
	struct send_job_state s;
	assert_true(send_job_state_parse("2026-12-01T03:00:00Z", "-", &s));
	assert_int_equal(s.last_ok, 1796094000);
	assert_null(s.error);
	send_job_state_free(&s);
	assert_true(send_job_state_parse(
	        "-", "2026-12-01T03:15:00Z ssh: connect to host b: refused",
	        &s));
	assert_int_equal(s.last_ok, 0);
	assert_int_equal(s.last_error, 1796094900);
	assert_string_equal(s.error, "ssh: connect to host b: refused");
	send_job_state_free(&s);
	/* Anything else is no state, and said to be so. */
	assert_false(send_job_state_parse("yesterday", NULL, &s));
	assert_int_equal(s.last_ok, 0);
	send_job_state_free(&s);
	assert_false(send_job_state_parse("2026-12-01T03:00:00Z trailing", NULL,
	                                  &s));
	assert_int_equal(s.last_ok, 0);
	send_job_state_free(&s);
	assert_false(send_job_state_parse(NULL, "\x1b[31m boom", &s));
	assert_null(s.error);
	send_job_state_free(&s);
	char *p = send_job_prop("offsite", "ok");
	assert_string_equal(p, "org.zeit:job:offsite:ok");
	free(p);
}

int main(void)
{
	zeit_init(&z);
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_jobs_read),
	        cmocka_unit_test(test_jobs_refused),
	        cmocka_unit_test(test_due),
	        cmocka_unit_test(test_state_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
