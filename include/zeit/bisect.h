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
	/* A bisection that boots its candidates (bisect run --boot). */
	bool boot;
	char *check;      /* the check command, or NULL: coming up is good */
	unsigned timeout; /* seconds a candidate has to come up, 0: unset */
	unsigned reboots; /* reboots asked for so far */
	const char *odd;  /* a boot state value that made no sense, or NULL */
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

/* ---- A bisection that boots its candidates (bisect_boot*.c) ----
 * Each candidate is cloned and booted once (org.zeit:nextboot); the
 * booted system's zeit-boot-ok unit runs `zeit bisect step`, which runs
 * the check in it, marks the candidate and sets up the next one. A
 * candidate that never came up is found by the next boot (the default's,
 * the menu having taken the one-time choice) and marked bad. */

/* What one step does, decided from the state alone (pure). */
enum bisect_boot_do {
	BBOOT_IDLE,   /* no boot bisection here: nothing */
	BBOOT_TEST,   /* the candidate under test is running: check it */
	BBOOT_FAILED, /* it was booted and never came up: bad */
	BBOOT_REBOOT, /* its one boot is still ahead: reboot into it */
	BBOOT_NEXT,   /* nothing under test: the next candidate, or the end */
};

struct bisect_boot_view {
	bool boot;            /* a boot bisection is in progress */
	const char *current;  /* the snapshot under test, or NULL */
	bool current_marked;  /* it has its mark already */
	const char *clone;    /* its clone's dataset (ours), or NULL */
	const char *running;  /* dataset at / now, or NULL */
	const char *nextboot; /* the one-time choice, or NULL */
};

enum bisect_boot_do bisect_boot_decide(const struct bisect_boot_view *v);
/* What ends a bisection that keeps rebooting without an answer (a menu
 * that never takes the one-time choice, a forged state): more reboots
 * than n candidates can need. */
bool bisect_boot_too_many(unsigned reboots, size_t n);
/* The seconds of --timeout as stored: 1 to 86400, else -1. */
long bisect_boot_timeout_parse(const char *s);
/* A check's exit status to a mark: git bisect run's 0 good, 125 skip,
 * 1-127 bad; unattended, a check that was killed, timed out or did not
 * run is bad too (there is nobody to stop for). */
enum bisect_mark bisect_boot_mark_of(int status, bool timed_out);

struct bisect_boot_opts {
	const char *check; /* NULL: coming up is good */
	unsigned timeout;  /* seconds; 0: the default */
};

/* What a step did, for the caller to print and act on. */
struct bisect_boot_outcome {
	enum bisect_boot_do did;
	char *tested;          /* the snapshot marked, or NULL */
	enum bisect_mark mark; /* its mark */
	char *next;            /* the candidate set to boot next, or NULL */
	char *next_clone;      /* its BE name */
	bool finished;         /* the answer is kept, the state gone */
	bool reboot;           /* the caller reboots now */
};

/* Turns the bisection in progress into a boot bisection and sets up its
 * first candidate: must run on the default environment. */
int bisect_boot_begin(struct be_ctx *be, const struct bisect_boot_opts *o,
                      struct bisect_boot_outcome *out);
/* One step, run by the boot unit on every boot. */
int bisect_boot_step(struct be_ctx *be, struct bisect_boot_outcome *out);
void bisect_boot_outcome_free(struct bisect_boot_outcome *o);
/* The answer the last boot bisection under the BE root ended with
 * (malloc'd text "first-bad=SNAP last-good=SNAP"), or NULL. */
char *bisect_boot_result(struct be_ctx *be);

#endif
