/* Bisecting snapshots, as git bisect does commits: the planner is pure
 * code over the candidates (snapshots in creation order, the first known
 * good, the last known bad) and their marks. */
#ifndef ZEIT_BISECT_H
#define ZEIT_BISECT_H

#include <stdbool.h>
#include <stddef.h>

#include "zeit/be.h"
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

/* ---- A bisection kept in ZFS ----
 * On the BE root (the target's parent): org.zeit:bisect-target, -tier,
 * -bootfs and -nextboot (what to restore); on snapshots: org.zeit:bisect =
 * good|bad|skip; on the throwaway clones: org.zeit:bisect-clone. Any
 * process on any environment reads it back from the pool. */

struct bisect_cand {
	char *snap; /* full name */
	enum bisect_mark mark;
};

struct bisect {
	struct be_ctx *be;
	char *target;          /* dataset bisected */
	char *tier;            /* NULL: every snapshot */
	char *bootfs;          /* to restore, "none" when unset */
	char *nextboot;        /* to restore, "none" when unset */
	char *current;         /* the snapshot under test, or NULL */
	struct bisect_cand *v; /* candidates, in creation order */
	size_t n;
	struct bisect_next next;
	size_t tested; /* marks besides the start's good and bad */
	/* Snapshots between next.last_good and next.first_bad that the tier
	 * filter left out: how many, of which schemes, and of none. */
	size_t left_out;
	size_t left_out_zeit, left_out_auto, left_out_sanoid;
	size_t left_out_foreign;
};

struct bisect_start_opts {
	const char *target; /* BE name or dataset; NULL: running, else bootfs */
	const char *good;   /* snapshot (short or full) */
	const char *bad;    /* NULL: the newest */
	const char *tier;   /* NULL: all */
};

int bisect_start(struct be_ctx *be, const struct bisect_start_opts *o);
/* Loads the bisection in progress (fails when there is none). */
int bisect_load(struct be_ctx *be, struct bisect *b);
void bisect_free(struct bisect *b);
/* Marks snap (NULL: the one under test) and reloads. */
int bisect_mark(struct bisect *b, const char *snap, enum bisect_mark m);
/* Manual mode: a throwaway clone of the next candidate, set to boot once;
 * older clones that are not running go. *clone gets its BE name. */
int bisect_checkout(struct bisect *b, char **clone);
/* Automated: clone, mount, run argv with ZEIT_BISECT_ROOT (or inside it
 * with chroot), destroy, mark; until done. */
int bisect_auto(struct bisect *b, const char *const *argv, bool chroot,
                void (*report)(const char *snap, enum bisect_mark m, int step,
                               void *arg),
                void *arg);
/* Destroys the clones, clears every mark and restores bootfs/next boot. */
int bisect_reset(struct be_ctx *be);
/* The snapshot under test now (the manual clone's), or NULL. */
const char *bisect_current(const struct bisect *b);

#endif
