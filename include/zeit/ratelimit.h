/* A bandwidth cap: RATE as users write it, and the token bucket the
 * pipeline relay spends from. The bucket is pure arithmetic on a clock
 * it is given (nanoseconds of CLOCK_MONOTONIC in zeit, a fake one in the
 * tests), so its accuracy is tested without waiting. */
#ifndef ZEIT_RATELIMIT_H
#define ZEIT_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The range a RATE may take, in bytes per second. The top keeps the
 * bucket's products within 64 bits; no pipe moves that much. */
#define RATE_MIN 1ULL
#define RATE_MAX (16ULL << 30)

/* Reads RATE: bytes per second, a decimal number with an optional
 * suffix K, M, G or T (either case) meaning powers of 1024, as pv -L and
 * mbuffer -r (and so syncoid's --target-bw-limit) read them: 2M is
 * 2097152 bytes/s, 1.5G 1610612736, 512K 524288. A fraction rounds down
 * to whole bytes; digits past its ninth are ignored. Returns false for anything
 * else (empty, signs, spaces, exponents, other suffixes, below RATE_MIN or
 * above RATE_MAX). */
bool rate_parse(const char *s, uint64_t *bytes_per_s);

/* What a RATE is, for messages that refuse one. */
#define RATE_EXPECTED                                                          \
	"a rate in bytes per second, with K, M, G or T for powers of "         \
	"1024 (512K, 2M, 1.5G), from 1 to 16G"

/* "2 MiB/s (2097152 bytes/s)": exact and readable, for plans. */
void rate_format(uint64_t bytes_per_s, char *out, size_t len);

/* The bucket holds at most a window's worth of bytes, RATE_WINDOW_NS
 * (two bytes' time at least), and starts empty: the first second moves
 * no more than the rate, and no stretch of time more than rate * (time +
 * window); a minute is at most 3.3% above the rate, and reaches it when
 * the pipeline's stalls and late wakes (a loaded machine's, measured up
 * to a second and more in the test VM) stay under a window. Each wait is for
 * RATE_STEP_NS worth (at least a byte), so the bytes go in small pieces, 50 a
 * second. */
#define RATE_WINDOW_NS 2000000000LL /* 2 s */
#define RATE_STEP_NS   20000000LL   /* 20 ms */

struct rate_bucket {
	uint64_t rate; /* bytes per second, RATE_MIN..RATE_MAX */
	int64_t window_ns;
	uint64_t step;   /* RATE_STEP_NS worth, at least 1 */
	int64_t due_ns;  /* when what was spent so far is paid for */
	uint64_t rem_ns; /* the fraction of a ns carried, times rate */
};

/* The bucket's clock in zeit: CLOCK_MONOTONIC in ns, never wall time,
 * so a clock step cannot open or close the tap. */
int64_t rate_clock_ns(void);

void rate_bucket_init(struct rate_bucket *b, uint64_t rate, int64_t now_ns);

/* How many bytes may move at now_ns, at most max. When fewer than a step
 * (or max, if smaller) may, returns 0 and sets *wake_ns to the time on
 * the same clock when they will. */
uint64_t rate_bucket_allow(struct rate_bucket *b, int64_t now_ns, uint64_t max,
                           int64_t *wake_ns);

/* n bytes moved (at most what allow granted). */
void rate_bucket_spend(struct rate_bucket *b, uint64_t n);

#endif
