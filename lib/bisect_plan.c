/* The bisect planner: halve the range between the last good and the first
 * bad candidate, stepping around skipped ones near the midpoint. */
#include <errno.h>
#include <string.h>

#include "zeit/bisect.h"

const char *bisect_mark_name(enum bisect_mark m)
{
	switch (m) {
	case BISECT_GOOD: return "good";
	case BISECT_BAD: return "bad";
	case BISECT_SKIP: return "skip";
	case BISECT_UNKNOWN: break;
	}
	return "unknown";
}

enum bisect_mark bisect_mark_from(const char *w)
{
	if (!strcmp(w, "good") || !strcmp(w, "old"))
		return BISECT_GOOD;
	if (!strcmp(w, "bad") || !strcmp(w, "new"))
		return BISECT_BAD;
	if (!strcmp(w, "skip"))
		return BISECT_SKIP;
	return BISECT_UNKNOWN;
}

enum bisect_mark bisect_mark_from_status(int status)
{
	if (status == 0)
		return BISECT_GOOD;
	if (status == 125)
		return BISECT_SKIP;
	if (status > 0 && status < 128)
		return BISECT_BAD;
	return BISECT_UNKNOWN;
}

static int ceil_log2(size_t n)
{
	int k = 0;
	while (((size_t)1 << k) < n)
		k++;
	return k;
}

int bisect_next(struct zeit *z, const enum bisect_mark *marks, size_t n,
                struct bisect_next *out)
{
	long g = -1, b = -1;

	memset(out, 0, sizeof(*out));
	out->pick = -1;
	for (size_t i = 0; i < n; i++) {
		if (marks[i] == BISECT_GOOD)
			g = (long)i;
		if (marks[i] == BISECT_BAD && b < 0)
			b = (long)i;
	}
	if (g < 0)
		return zeit_fail(z, EINVAL, "no candidate is marked good");
	if (b < 0)
		return zeit_fail(z, EINVAL, "no candidate is marked bad");
	if (g > b)
		return zeit_fail(z, EINVAL,
		                 "candidate %ld is marked good but comes after "
		                 "candidate %ld, marked bad: the marks "
		                 "contradict each other",
		                 g, b);
	out->last_good = g;
	out->first_bad = b;

	bool skipped = false;
	for (long i = g + 1; i < b; i++) {
		if (marks[i] == BISECT_SKIP)
			skipped = true;
		else
			out->remaining++;
	}
	if (!out->remaining) {
		out->done = true;
		out->ambiguous = skipped;
		return 0;
	}
	out->steps_left = ceil_log2(out->remaining + 1);
	/* The midpoint, or the nearest candidate to it that is not
	 * skipped, looking alternately after and before. */
	long mid = g + (b - g) / 2;
	for (long d = 0; d < b - g; d++) {
		long c[2] = {mid + d, mid - d};
		for (int k = 0; k < 2; k++)
			if (c[k] > g && c[k] < b &&
			    marks[c[k]] != BISECT_SKIP) {
				out->pick = c[k];
				return 0;
			}
	}
	return zeit_fail(z, EIO, "bisect: no candidate found (a bug)");
}
