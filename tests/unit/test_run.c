/* The process runner against ordinary programs (sh, head, wc, cat). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zeit/ratelimit.h"
#include "zeit/run.h"

static struct zeit z;

static int sh(const char *script, const char *input, int timeout_ms,
              struct run_cmd *c)
{
	static const char *argv[4];
	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = script;
	argv[3] = NULL;
	run_cmd_init(c, argv);
	if (input) {
		c->input = input;
		c->input_len = strlen(input);
	}
	c->timeout_ms = timeout_ms;
	return run(&z, c);
}

static void test_status_and_output(void **state)
{
	struct run_cmd c;
	(void)state;
	assert_int_equal(sh("echo out; echo err >&2; exit 3", NULL, 0, &c), 0);
	assert_int_equal(c.status, 3);
	assert_string_equal(c.out.data, "out\n");
	assert_string_equal(c.err.data, "err\n");
	assert_false(c.timed_out);
	run_cmd_free(&c);

	assert_int_equal(sh("kill -TERM $$", NULL, 0, &c), 0);
	assert_int_equal(c.status, 128 + 15);
	run_cmd_free(&c);

	/* stdin is /dev/null unless input is given. */
	assert_int_equal(sh("cat", NULL, 0, &c), 0);
	assert_int_equal(c.out.len, 0);
	run_cmd_free(&c);
}

static void test_large_output_and_input(void **state)
{
	struct run_cmd c;
	(void)state;
	/* More than a pipe holds, on both streams at once: no deadlock. */
	assert_int_equal(
	        sh("head -c 3000000 /dev/zero; head -c 200000 /dev/zero >&2",
	           NULL, 0, &c),
	        0);
	assert_int_equal(c.status, 0);
	assert_int_equal(c.out.len, 3000000);
	assert_int_equal(c.err.len, 200000);
	run_cmd_free(&c);

	char *big = malloc(500001);
	memset(big, 'x', 500000);
	big[500000] = '\0';
	assert_int_equal(sh("wc -c", big, 0, &c), 0);
	assert_int_equal(atoi(c.out.data), 500000);
	run_cmd_free(&c);
	free(big);
}

static void test_timeout(void **state)
{
	struct run_cmd c;
	struct timespec a, b;
	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(sh("sleep 30", NULL, 300, &c), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(c.timed_out);
	assert_int_equal(c.status, 128 + 15);
	assert_true(b.tv_sec - a.tv_sec < 10);
	run_cmd_free(&c);

	/* A program that ignores TERM is killed after the grace period. */
	assert_int_equal(
	        sh("trap '' TERM; sleep 30 & wait; sleep 30", NULL, 200, &c),
	        0);
	assert_true(c.timed_out);
	assert_int_equal(c.status, 128 + 9);
	run_cmd_free(&c);
}

/* Whether pid is gone (or a zombie nobody has reaped yet), within 3 s. */
static bool gone(pid_t pid)
{
	for (int i = 0; i < 300; i++) {
		char path[64], st[512] = "";
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		FILE *f = fopen(path, "r");
		if (!f)
			return true;
		size_t n = fread(st, 1, sizeof(st) - 1, f);
		fclose(f);
		st[n] = '\0';
		const char *paren = strrchr(st, ')');
		if (paren && paren[1] == ' ' && paren[2] == 'Z')
			return true;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return false;
}

static void test_timeout_kills_group(void **state)
{
	static const char *argv[] = {
	        "sh", "-c", "sleep 1000 & echo $!; trap '' TERM; wait", NULL};
	struct run_cmd c;
	(void)state;
	/* Without its own group only the shell is signalled: the
	 * background sleep outlives the timeout (what a hook must not). */
	run_cmd_init(&c, argv);
	c.timeout_ms = 200;
	assert_int_equal(run(&z, &c), 0);
	assert_true(c.timed_out);
	pid_t left = (pid_t)atoi(c.out.data);
	assert_true(left > 0);
	assert_false(gone(left));
	kill(left, SIGKILL);
	run_cmd_free(&c);

	/* With it the whole group goes, the shell ignoring TERM too. */
	run_cmd_init(&c, argv);
	c.timeout_ms = 200;
	c.flags = RUN_OWN_PGROUP;
	assert_int_equal(run(&z, &c), 0);
	assert_true(c.timed_out);
	pid_t child = (pid_t)atoi(c.out.data);
	assert_true(child > 0);
	assert_true(gone(child));
	run_cmd_free(&c);

	/* A sleep that ignores TERM, its shell gone at TERM: still killed. */
	static const char *argv2[] = {
	        "sh", "-c", "(trap '' TERM; exec sleep 1000) & echo $!; wait",
	        NULL};
	run_cmd_init(&c, argv2);
	c.timeout_ms = 200;
	c.flags = RUN_OWN_PGROUP;
	assert_int_equal(run(&z, &c), 0);
	assert_true(c.timed_out);
	child = (pid_t)atoi(c.out.data);
	assert_true(child > 0);
	assert_true(gone(child));
	run_cmd_free(&c);
}

static void test_missing_program(void **state)
{
	const char *argv[] = {"zeit-no-such-program", NULL};
	struct run_cmd c;
	(void)state;
	run_cmd_init(&c, argv);
	zeit_clear_error(&z);
	assert_int_equal(run(&z, &c), -1);
	assert_non_null(strstr(zeit_error(&z), "zeit-no-such-program"));
	run_cmd_free(&c);
}

static void test_env_and_cwd(void **state)
{
	const char *argv[] = {"sh", "-c", "echo \"$ZEIT_T:$(pwd)\"", NULL};
	const char *env[] = {"ZEIT_T=hello world", NULL};
	struct run_cmd c;
	(void)state;
	run_cmd_init(&c, argv);
	c.env = env;
	c.cwd = "/";
	assert_int_equal(run(&z, &c), 0);
	assert_string_equal(c.out.data, "hello world:/\n");
	run_cmd_free(&c);
}

struct progress_seen {
	int calls;
	uint64_t last;
};

static bool on_progress(uint64_t bytes, void *arg)
{
	struct progress_seen *p = arg;
	p->calls++;
	p->last = bytes;
	return true;
}

static bool stop_early(uint64_t bytes, void *arg)
{
	(void)arg;
	return bytes < 1000000;
}

static void test_pipeline_cancel(void **state)
{
	/* An endless stream, abandoned by the callback once 1 MB crossed. */
	const char *prod_argv[] = {"cat", "/dev/zero", NULL};
	const char *cons_argv[] = {"sh", "-c", "cat >/dev/null", NULL};
	struct run_cmd p, c;
	uint64_t bytes = 0;
	struct run_progress prog = {stop_early, NULL, 5};
	(void)state;
	run_cmd_init(&p, prod_argv);
	run_cmd_init(&c, cons_argv);
	p.timeout_ms = 30000;
	assert_int_equal(run_pipeline(&z, &p, &c, &bytes, &prog), 0);
	assert_true(p.cancelled);
	assert_true(c.cancelled);
	assert_false(p.timed_out);
	assert_int_equal(p.status, 128 + 9);
	assert_int_equal(c.status, 128 + 9);
	assert_true(bytes >= 1000000);
	run_cmd_free(&p);
	run_cmd_free(&c);
}

static void test_pipeline(void **state)
{
	const char *prod_argv[] = {"head", "-c", "10000000", "/dev/zero", NULL};
	const char *cons_argv[] = {"wc", "-c", NULL};
	struct run_cmd p, c;
	uint64_t bytes = 0;
	struct progress_seen seen = {0, 0};
	struct run_progress prog = {on_progress, &seen, 10};
	(void)state;
	run_cmd_init(&p, prod_argv);
	run_cmd_init(&c, cons_argv);
	assert_int_equal(run_pipeline(&z, &p, &c, &bytes, &prog), 0);
	assert_int_equal(p.status, 0);
	assert_int_equal(c.status, 0);
	assert_int_equal(bytes, 10000000);
	assert_int_equal(atoi(c.out.data), 10000000);
	assert_true(seen.calls >= 1);
	assert_int_equal(seen.last, 10000000);
	run_cmd_free(&p);
	run_cmd_free(&c);
}

static void test_pipeline_slow_consumer(void **state)
{
	/* A consumer that reads 16 KiB at a time at about 20 MB/s, as ssh
	 * does: the relay paces itself and every byte still arrives, in
	 * order, and the end of the stream is seen. */
	const char *prod_argv[] = {"seq", "1", "1500000", NULL};
	const char *cons_argv[] = {
	        "python3", "-c",
	        "import hashlib, sys, time\n"
	        "h = hashlib.sha256(); n = 0\n"
	        "while True:\n"
	        "    b = sys.stdin.buffer.read1(16384)\n"
	        "    if not b: break\n"
	        "    h.update(b); n += len(b); time.sleep(0.0008)\n"
	        "print(h.hexdigest(), n)\n",
	        NULL};
	const char *want_argv[] = {
	        "sh", "-c", "seq 1 1500000 | sha256sum | cut -d' ' -f1", NULL};
	struct run_cmd p, c, w;
	uint64_t bytes = 0;
	char expect[128];
	(void)state;
	run_cmd_init(&w, want_argv);
	assert_int_equal(run(&z, &w), 0);
	assert_int_equal(w.status, 0);
	run_cmd_init(&p, prod_argv);
	run_cmd_init(&c, cons_argv);
	p.timeout_ms = 60000;
	assert_int_equal(run_pipeline(&z, &p, &c, &bytes, NULL), 0);
	assert_false(p.timed_out);
	assert_int_equal(p.status, 0);
	assert_int_equal(c.status, 0);
	assert_int_equal(bytes, 10888896);
	w.out.data[strcspn(w.out.data, "\n")] = '\0';
	snprintf(expect, sizeof(expect), "%s 10888896\n", w.out.data);
	assert_string_equal(c.out.data, expect);
	run_cmd_free(&w);
	run_cmd_free(&p);
	run_cmd_free(&c);
}

static void test_pipeline_consumer_fails(void **state)
{
	/* The consumer exits at once: the producer must not hang. */
	const char *prod_argv[] = {"sh", "-c", "exec cat /dev/zero", NULL};
	const char *cons_argv[] = {
	        "sh", "-c", "head -c 1000 >/dev/null; echo nope >&2; exit 4",
	        NULL};
	struct run_cmd p, c;
	uint64_t bytes = 0;
	(void)state;
	run_cmd_init(&p, prod_argv);
	run_cmd_init(&c, cons_argv);
	p.timeout_ms = 20000;
	assert_int_equal(run_pipeline(&z, &p, &c, &bytes, NULL), 0);
	assert_int_equal(c.status, 4);
	assert_string_equal(c.err.data, "nope\n");
	assert_false(p.timed_out);
	assert_int_not_equal(p.status, 0); /* SIGPIPE or EPIPE */
	run_cmd_free(&p);
	run_cmd_free(&c);
}

static void test_pipeline_producer_fails(void **state)
{
	const char *prod_argv[] = {"sh", "-c",
	                           "printf abc; echo broken >&2; exit 2", NULL};
	const char *cons_argv[] = {"cat", NULL};
	struct run_cmd p, c;
	uint64_t bytes = 0;
	(void)state;
	run_cmd_init(&p, prod_argv);
	run_cmd_init(&c, cons_argv);
	assert_int_equal(run_pipeline(&z, &p, &c, &bytes, NULL), 0);
	assert_int_equal(p.status, 2);
	assert_string_equal(p.err.data, "broken\n");
	assert_int_equal(c.status, 0);
	assert_string_equal(c.out.data, "abc");
	assert_int_equal(bytes, 3);
	run_cmd_free(&p);
	run_cmd_free(&c);
}

static bool head_is_not_x(const unsigned char *head, size_t n, void *arg)
{
	*(size_t *)arg = n;
	return n == 0 || head[0] != 'x';
}

/* A gate sees the stream's head before the consumer does: refused, the
 * consumer reads nothing; passed, everything arrives, a stream shorter
 * than the head too. */
static void test_pipeline_gate(void **state)
{
	(void)state;
	size_t seen = 0;
	struct run_gate gate = {936, head_is_not_x, &seen};
	const char *bad[] = {"sh", "-c", "head -c 5000 /dev/zero | tr '\\0' x",
	                     NULL};
	const char *good[] = {"sh", "-c", "head -c 5000 /dev/zero | tr '\\0' y",
	                      NULL};
	const char *tiny[] = {"printf", "yz", NULL};
	const char *cat[] = {"wc", "-c", NULL};
	struct run_cmd p, c;
	uint64_t bytes = 0;

	run_cmd_init(&p, bad);
	run_cmd_init(&c, cat);
	assert_int_equal(run_pipeline_gated(&z, &p, &c, &bytes, NULL, &gate),
	                 0);
	assert_int_equal(seen, 936);
	assert_true(c.cancelled);
	assert_true(bytes == 0);
	assert_true(!c.out.data || !strstr(c.out.data, "5000"));
	run_cmd_free(&p);
	run_cmd_free(&c);

	run_cmd_init(&p, good);
	run_cmd_init(&c, cat);
	assert_int_equal(run_pipeline_gated(&z, &p, &c, &bytes, NULL, &gate),
	                 0);
	assert_false(c.cancelled);
	assert_int_equal(c.status, 0);
	assert_true(bytes == 5000);
	assert_non_null(strstr(c.out.data, "5000"));
	run_cmd_free(&p);
	run_cmd_free(&c);

	run_cmd_init(&p, tiny);
	run_cmd_init(&c, cat);
	assert_int_equal(run_pipeline_gated(&z, &p, &c, &bytes, NULL, &gate),
	                 0);
	assert_int_equal(seen, 2);
	assert_true(bytes == 2);
	assert_non_null(strstr(c.out.data, "2"));
	run_cmd_free(&p);
	run_cmd_free(&c);
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_pipeline_limit(void **state)
{
	/* 3 MiB at 4 MiB/s: no sooner than 0.75 s (the bucket starts
	 * empty), every byte there, and the cap needs no progress
	 * callback. A loaded machine may be late, never early. */
	const char *prod_argv[] = {"head", "-c", "3145728", "/dev/zero", NULL};
	const char *cons_argv[] = {"wc", "-c", NULL};
	struct run_cmd p, c;
	struct rate_bucket b;
	uint64_t bytes = 0;
	(void)state;
	rate_bucket_init(&b, 4 << 20, rate_clock_ns());
	struct run_progress prog = {.limit = &b};
	run_cmd_init(&p, prod_argv);
	run_cmd_init(&c, cons_argv);
	double t0 = mono_s();
	assert_int_equal(run_pipeline(&z, &p, &c, &bytes, &prog), 0);
	double secs = mono_s() - t0;
	assert_int_equal(p.status, 0);
	assert_int_equal(c.status, 0);
	assert_int_equal(bytes, 3145728);
	assert_int_equal(atoi(c.out.data), 3145728);
	if (secs < 0.74 || secs > 10)
		fail_msg("3 MiB at 4 MiB/s took %.3f s", secs);
	run_cmd_free(&p);
	run_cmd_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_status_and_output),
	        cmocka_unit_test(test_large_output_and_input),
	        cmocka_unit_test(test_timeout),
	        cmocka_unit_test(test_timeout_kills_group),
	        cmocka_unit_test(test_missing_program),
	        cmocka_unit_test(test_env_and_cwd),
	        cmocka_unit_test(test_pipeline),
	        cmocka_unit_test(test_pipeline_slow_consumer),
	        cmocka_unit_test(test_pipeline_consumer_fails),
	        cmocka_unit_test(test_pipeline_producer_fails),
	        cmocka_unit_test(test_pipeline_cancel),
	        cmocka_unit_test(test_pipeline_gate),
	        cmocka_unit_test(test_pipeline_limit),
	};
	zeit_init(&z);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
