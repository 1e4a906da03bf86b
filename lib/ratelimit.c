/* RATE parsing and the relay's token bucket (see ratelimit.h). The bucket
 * is a virtual schedule: due_ns is the time at which every byte spent so
 * far is paid for at the rate; bytes may move while due_ns stays within
 * one window ahead of now. Time idle earns nothing beyond the window. */
#include "zeit/ratelimit.h"

#include <stdio.h>
#include <time.h>
#include <stdint.h>

#define NS_PER_S 1000000000ULL

bool rate_parse(const char *s, uint64_t *bytes_per_s)
{
	uint64_t whole = 0, frac = 0, scale = 1;
	const char *p = s;

	if (!s || *p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > RATE_MAX)
			return false;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		/* Nine digits are more than any unit can show; the rest
		 * must still be digits. */
		for (; *p >= '0' && *p <= '9'; p++)
			if (scale < NS_PER_S) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
	}
	unsigned shift = 0;
	switch (*p) {
	case '\0': break;
	case 'k':
	case 'K': shift = 10; break;
	case 'm':
	case 'M': shift = 20; break;
	case 'g':
	case 'G': shift = 30; break;
	case 't':
	case 'T': shift = 40; break;
	default: return false;
	}
	if (*p && p[1])
		return false;
	if (whole > RATE_MAX >> shift)
		return false;
	/* frac < scale <= 1e9 and the unit <= 2^40: the product needs
	 * 70 bits, so the unit is applied in two halves. */
	uint64_t v = whole << shift;
	uint64_t lo = shift > 20 ? 20 : shift, hi = shift - lo;
	v += ((frac << lo) / scale) << hi;
	v += (((frac << lo) % scale) << hi) / scale;
	if (v < RATE_MIN || v > RATE_MAX)
		return false;
	*bytes_per_s = v;
	return true;
}

void rate_format(uint64_t r, char *out, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)r;
	int i = 0;
	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(out, len, "%llu bytes/s", (unsigned long long)r);
	else
		snprintf(out, len, "%.4g %s/s (%llu bytes/s)", v, units[i],
		         (unsigned long long)r);
}

int64_t rate_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void rate_bucket_init(struct rate_bucket *b, uint64_t rate, int64_t now_ns)
{
	if (rate < RATE_MIN)
		rate = RATE_MIN;
	if (rate > RATE_MAX)
		rate = RATE_MAX;
	b->rate = rate;
	/* Two bytes' time at least, so a wake for one byte has slack. */
	uint64_t two = 2 * ((NS_PER_S + rate - 1) / rate);
	b->window_ns =
	        two > (uint64_t)RATE_WINDOW_NS ? (int64_t)two : RATE_WINDOW_NS;
	/* RATE_STEP_NS * RATE_MAX < 2^64. */
	b->step = (uint64_t)RATE_STEP_NS * rate / NS_PER_S;
	if (b->step == 0)
		b->step = 1;
	/* Empty at the start: the first second gets no head start. */
	b->due_ns = now_ns + b->window_ns;
	b->rem_ns = 0;
}

/* floor((ahead * rate - rem_ns) / 1e9), 0 when negative, for ahead up
 * to a few seconds: the seconds apart, so no product passes 2^64
 * (below 1e9 * RATE_MAX). */
static uint64_t credit_of(const struct rate_bucket *b, uint64_t ahead)
{
	uint64_t q = ahead / NS_PER_S, r = ahead % NS_PER_S;
	uint64_t whole = q * b->rate, part = r * b->rate;
	if (part >= b->rem_ns)
		return whole + (part - b->rem_ns) / NS_PER_S;
	uint64_t owe = (b->rem_ns - part + NS_PER_S - 1) / NS_PER_S;
	return whole > owe ? whole - owe : 0;
}

uint64_t rate_bucket_allow(struct rate_bucket *b, int64_t now_ns, uint64_t max,
                           int64_t *wake_ns)
{
	if (b->due_ns < now_ns) {
		b->due_ns = now_ns; /* idle: no credit beyond the window */
		b->rem_ns = 0;
	}
	/* A step is small beside the window: a wake that comes late (the
	 * poll rounds to ms, a loaded machine runs zeit late, zfs stalls)
	 * loses nothing until the window is full. */
	uint64_t want = b->step < max ? b->step : (max ? max : 1);
	/* A clock that went back (only a fake one can) leaves due_ns more
	 * than a window ahead: no credit, and the wait below is from
	 * due_ns, so it cannot grant what the clock took back. */
	int64_t ahead = now_ns + b->window_ns - b->due_ns;
	if (ahead > 0) {
		uint64_t credit = credit_of(b, (uint64_t)ahead);
		if (credit >= want)
			return credit < max ? credit : max;
	}
	/* When `want` more bytes are paid for: the exact due time
	 * (due_ns + rem_ns / rate) plus their cost, less the window,
	 * rounded up. want * 1e9 <= RATE_STEP_NS * rate, or 1e9. */
	uint64_t cost = (want * NS_PER_S + b->rem_ns + b->rate - 1) / b->rate;
	int64_t from = b->due_ns - b->window_ns;
	*wake_ns = cost > (uint64_t)(INT64_MAX - from) ? INT64_MAX
	                                               : from + (int64_t)cost;
	return 0;
}

/* due_ns + add, stopping at INT64_MAX (centuries away). */
static void due_add(struct rate_bucket *b, uint64_t add)
{
	if (add > (uint64_t)(INT64_MAX - b->due_ns))
		b->due_ns = INT64_MAX;
	else
		b->due_ns += (int64_t)add;
}

void rate_bucket_spend(struct rate_bucket *b, uint64_t n)
{
	/* Whole seconds' worth first; the rest (below the rate) in pieces
	 * of 2^34 bytes, so piece * 1e9 + rem_ns fits in 64 bits. */
	uint64_t secs = n / b->rate;
	n %= b->rate;
	if (secs > (uint64_t)INT64_MAX / NS_PER_S)
		b->due_ns = INT64_MAX;
	else
		due_add(b, secs * NS_PER_S);
	while (n) {
		uint64_t m = n < (1ULL << 34) ? n : (1ULL << 34);
		uint64_t t = m * NS_PER_S + b->rem_ns;
		due_add(b, t / b->rate);
		b->rem_ns = t % b->rate;
		n -= m;
	}
}
