/* RATE parsing and the relay's token bucket, on a fake clock: every rate
 * from 1 byte/s to the top holds over a minute, the first second does not
 * burst, an early wake waits for the rest, idle time earns no burst, and
 * a clock that goes back grants nothing (UBSan watches the arithmetic). */
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
#include "zeit/ratelimit.h"

#define S 1000000000LL

static void test_parse_good(void **state)
{
	static const struct {
		const char *in;
		uint64_t want;
	} v[] = {
	        {"1", 1},
	        {"1000", 1000},
	        {"512K", 524288},
	        {"512k", 524288},
	        {"2M", 2097152},
	        {"2m", 2097152},
	        {"1.5G", 1610612736},
	        {"0.5K", 512},
	        {"1.9", 1}, /* whole bytes, rounded down */
	        {"0.001K", 1},
	        {"0.9990234375K", 1022}, /* digits past the ninth: ignored */
	        {"1.00000000000000000001M", 1048576},
	        {"0.015625T", 17179869184ULL},
	        {"10G", 10737418240ULL},
	        {"16G", RATE_MAX},
	        {"17179869184", RATE_MAX},
	        {"007M", 7340032},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint64_t r = 0;
		if (!rate_parse(v[i].in, &r))
			fail_msg("'%s' refused", v[i].in);
		if (r != v[i].want)
			fail_msg("'%s' read as %llu, not %llu", v[i].in,
			         (unsigned long long)r,
			         (unsigned long long)v[i].want);
	}
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
	        "",
	        "0",
	        "0.4",
	        "0K",
	        "-1",
	        "+1",
	        " 1",
	        "1 ",
	        "1M ",
	        "2X",
	        "2MB",
	        "2MiB",
	        "1e6",
	        "0x10",
	        ".5M",
	        "5.M",
	        "1..5",
	        "1.5.5",
	        "17G",
	        "1T",
	        "inf",
	        "nan",
	        "1,5M",
	        "M",
	        "2M/s",
	        "2\nM",
	        "2\tM",
	        "17179869185",
	        "16.1G",
	        "99999999999999999999999999999999999999",
	        "18446744073709551617K",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t r = 77;
		if (rate_parse(bad[i], &r))
			fail_msg("'%s' read as %llu", bad[i],
			         (unsigned long long)r);
		assert_int_equal(r, 77);
	}
	uint64_t r;
	assert_false(rate_parse(NULL, &r));
}

static void test_format(void **state)
{
	char b[64];
	(void)state;
	rate_format(2097152, b, sizeof(b));
	assert_string_equal(b, "2 MiB/s (2097152 bytes/s)");
	rate_format(1610612736, b, sizeof(b));
	assert_string_equal(b, "1.5 GiB/s (1610612736 bytes/s)");
	rate_format(7, b, sizeof(b));
	assert_string_equal(b, "7 bytes/s");
}

/* A deterministic jitter: how late each wake comes, 0-3 ms, and one in
 * sixteen 200 ms late (a loaded machine, a zfs stall). */
static uint64_t rng = 88172645463325252ULL;
static int64_t late_ns(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (int64_t)(rng % 3000000) + (rng % 16 == 0 ? 200000000 : 0);
}

/* Runs a relay against the bucket for secs on a fake clock that starts at
 * t0; wakes come late by the jitter. Checks at every step that no more
 * moved than the rate allows since the start, and that the first second
 * stayed within its share; returns what moved. */
static uint64_t simulate(uint64_t rate, uint64_t max, int64_t t0, int secs)
{
	struct rate_bucket b;
	int64_t t = t0, end = t0 + (int64_t)secs * S;
	uint64_t moved = 0, first_second = 0;

	rate_bucket_init(&b, rate, t0);
	while (t < end) {
		int64_t wake = 0;
		uint64_t n = rate_bucket_allow(&b, t, max, &wake);
		if (n == 0) {
			if (wake <= t)
				fail_msg("rate %llu: a wait into the past",
				         (unsigned long long)rate);
			t = wake + late_ns();
			continue;
		}
		if (n > max)
			fail_msg("rate %llu: %llu granted over %llu",
			         (unsigned long long)rate,
			         (unsigned long long)n,
			         (unsigned long long)max);
		rate_bucket_spend(&b, n);
		moved += n;
		if (t < t0 + S)
			first_second = moved;
		/* In long double: el * rate needs up to 85 bits. */
		long double bound =
		        (long double)(t - t0) * (long double)rate / S + 1;
		if ((long double)moved > bound)
			fail_msg("rate %llu: %llu moved by %lld ns, over %.0Lf",
			         (unsigned long long)rate,
			         (unsigned long long)moved, (long long)(t - t0),
			         bound);
	}
	if (first_second > rate)
		fail_msg("rate %llu: %llu in the first second",
		         (unsigned long long)rate,
		         (unsigned long long)first_second);
	return moved;
}

static void test_bucket_minute(void **state)
{
	static const uint64_t rates[] = {
	        1,        2,       3,       7,          1000,
	        524288,   2097152, 3000017, 1610612736, 10737418240ULL,
	        RATE_MAX,
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		uint64_t r = rates[i];
		/* The relay's own chunk, and more where a MiB would take
		 * the simulation too many steps. */
		uint64_t max = r > (12ULL << 30) ? (64ULL << 20) : (1ULL << 20);
		/* A clock far from zero, as CLOCK_MONOTONIC on a machine up
		 * for years, and one at zero. */
		int64_t starts[] = {0, 4000000000LL * S / 1000};
		for (int k = 0; k < 2; k++) {
			uint64_t moved = simulate(r, max, starts[k], 60);
			uint64_t want = 60 * r;
			/* Within 5% (the promise), and in fact short by no
			 * more than the last wait: a step and a late wake. */
			uint64_t last = r / 5 + r / 50 + 2;
			if (moved * 100 < want * 95 || moved + last < want)
				fail_msg("rate %llu: %llu in a minute, want "
				         "%llu",
				         (unsigned long long)r,
				         (unsigned long long)moved,
				         (unsigned long long)want);
		}
	}
}

static void test_bucket_early_wake_waits_again(void **state)
{
	struct rate_bucket b;
	int64_t wake = 0, again = 0;
	(void)state;
	rate_bucket_init(&b, 2097152, 10 * S);
	/* Empty at the start: nothing moves before the rate pays for it. */
	assert_int_equal(rate_bucket_allow(&b, 10 * S, 1 << 20, &wake), 0);
	assert_true(wake > 10 * S);
	/* A signal or another fd ends the wait early: still nothing, and
	 * the same time to wait for. */
	assert_int_equal(rate_bucket_allow(&b, wake - 1000000, 1 << 20, &again),
	                 0);
	assert_int_equal(again, wake);
	assert_true(rate_bucket_allow(&b, wake, 1 << 20, &again) > 0);
}

static void test_bucket_idle_earns_no_burst(void **state)
{
	struct rate_bucket b;
	int64_t wake = 0;
	(void)state;
	rate_bucket_init(&b, 2097152, 0);
	int64_t t = S;
	uint64_t n = rate_bucket_allow(&b, t, UINT64_MAX, &wake);
	rate_bucket_spend(&b, n);
	/* An hour without data (zfs send working out a stream): at most
	 * a window's worth may go at once after it. */
	t += 3600 * S;
	n = rate_bucket_allow(&b, t, UINT64_MAX, &wake);
	assert_true(n <= 2097152 * (uint64_t)(RATE_WINDOW_NS / S) + 1);
	rate_bucket_spend(&b, n);
	assert_int_equal(rate_bucket_allow(&b, t, UINT64_MAX, &wake), 0);
}

static void test_bucket_clock_back_grants_nothing(void **state)
{
	struct rate_bucket b;
	int64_t wake = 0, t = 100 * S;
	uint64_t moved = 0;
	(void)state;
	rate_bucket_init(&b, 1000000, t);
	for (int i = 0; i < 100; i++) {
		uint64_t n = rate_bucket_allow(&b, t, 65536, &wake);
		if (n) {
			rate_bucket_spend(&b, n);
			moved += n;
		} else {
			t = wake;
		}
	}
	int64_t latest = t;
	/* Back a minute, then forward again to where it was: no more
	 * than the rate allowed up to the latest time seen. */
	t -= 60 * S;
	assert_int_equal(rate_bucket_allow(&b, t, 65536, &wake), 0);
	assert_true(wake >= latest - RATE_WINDOW_NS);
	assert_int_equal(rate_bucket_allow(&b, latest - S, 65536, &wake), 0);
	assert_true(moved <= (uint64_t)(latest - 100 * S) / 1000);
}

static void test_bucket_huge_spend_saturates(void **state)
{
	struct rate_bucket b;
	int64_t wake = 0;
	(void)state;
	/* A caller that spends far more than it was granted: the debt is
	 * paid in time (centuries at 1 byte/s), never an overflow. */
	rate_bucket_init(&b, 1, 0);
	rate_bucket_spend(&b, UINT64_MAX);
	assert_int_equal(rate_bucket_allow(&b, 3600 * S, 1, &wake), 0);
	assert_true(wake > 3600 * S);
	rate_bucket_init(&b, RATE_MAX, 0);
	rate_bucket_spend(&b, UINT64_MAX);
	assert_int_equal(rate_bucket_allow(&b, S, 1 << 20, &wake), 0);
	assert_true(wake > S);
}

/* Loads a [send NAME] job with the given limit line; returns the load's
 * result, the job's limit in *limit and the message in msg. */
static int load_job_limit(const char *line, uint64_t *limit, char *msg,
                          size_t len)
{
	char path[] = "/tmp/zeit-test-limit.XXXXXX";
	char text[512];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	snprintf(text, sizeof(text),
	         "[send off]\nsource = tank/a\ntarget = backup/a\n%s", line);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct zeit z;
	struct zeit_config c;
	zeit_init(&z);
	config_init(&c);
	int rc = config_load(&z, path, true, &c);
	*limit = rc == 0 && c.njobs ? c.jobs[0].limit : 0;
	snprintf(msg, len, "%s", rc == 0 ? "" : zeit_error(&z));
	config_free(&c);
	unlink(path);
	return rc;
}

static void test_job_limit(void **state)
{
	uint64_t limit;
	char msg[512];
	(void)state;
	assert_int_equal(
	        load_job_limit("limit = 1.5G\n", &limit, msg, sizeof(msg)), 0);
	assert_int_equal(limit, 1610612736);
	assert_int_equal(load_job_limit("", &limit, msg, sizeof(msg)), 0);
	assert_int_equal(limit, 0);
	/* One clear error naming the value, and the line. */
	assert_int_equal(
	        load_job_limit("limit = 2 MB\n", &limit, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "got '2 MB'"));
	assert_non_null(strstr(msg, ":4:"));
	assert_int_equal(
	        load_job_limit("limit = 0\n", &limit, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "limit: expected a rate"));
	assert_int_equal(load_job_limit("limit = 2M\nlimit = 3M\n", &limit, msg,
	                                sizeof(msg)),
	                 -1);
	assert_non_null(strstr(msg, "limit is given twice"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_good),
	        cmocka_unit_test(test_parse_bad),
	        cmocka_unit_test(test_format),
	        cmocka_unit_test(test_bucket_minute),
	        cmocka_unit_test(test_bucket_early_wake_waits_again),
	        cmocka_unit_test(test_bucket_idle_earns_no_burst),
	        cmocka_unit_test(test_bucket_clock_back_grants_nothing),
	        cmocka_unit_test(test_bucket_huge_spend_saturates),
	        cmocka_unit_test(test_job_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
