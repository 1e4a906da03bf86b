/* Bisecting snapshots, as git bisect does commits: the planner is pure
 * code over the candidates (snapshots in creation order, the first known
 * good, the last known bad) and their marks. */
#ifndef ZEIT_BISECT_H
#define ZEIT_BISECT_H

#include <stdbool.h>
#include <stddef.h>

#include "zeit/zeit.h"

enum bisect_mark {
	BISECT_UNKNOWN,
	BISECT_GOOD,
	BISECT_BAD,
	BISECT_SKIP,
};

struct bisect_next {
	bool done;        /* nothing left to test */
	bool ambiguous;   /* done, but skips hide which one is first bad */
	long pick;        /* the candidate to test next, or -1 when done */
	long last_good;   /* highest index marked good */
	long first_bad;   /* lowest index marked bad */
	size_t remaining; /* untested, unskipped candidates in between */
	int steps_left;   /* at most this many more tests (without skips) */
};

/* marks[0..n): the candidates in order. Needs a good before a bad; fails
 * (with a message naming both) when a good one comes after a bad one. */
int bisect_next(struct zeit *z, const enum bisect_mark *marks, size_t n,
                struct bisect_next *out);

const char *bisect_mark_name(enum bisect_mark m);
/* "good", "bad", "skip" (and git's "old"/"new") to a mark; UNKNOWN if
 * not one. */
enum bisect_mark bisect_mark_from(const char *word);

/* git's convention for `bisect run`: 0 good, 125 skip, 1-127 bad, 128 or
 * more (a signal, or -1 for one that did not run) stops. Returns the mark,
 * or UNKNOWN to stop. */
enum bisect_mark bisect_mark_from_status(int status);

#endif
