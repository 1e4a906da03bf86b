/* libzeit's handle: where a failing call leaves its message, and the
 * settings every capability shares (planning clock, verbosity). */
#ifndef ZEIT_ZEIT_H
#define ZEIT_ZEIT_H

#include <stdbool.h>
#include <time.h>

#include "zeit/snapname.h"

#define ZEIT_VERSION "0.1.0"

/* Exit codes of the zeit command, documented in zeit(8). */
enum {
	ZEIT_EXIT_OK = 0,
	ZEIT_EXIT_ERROR = 1,
	ZEIT_EXIT_USAGE = 2,
};

struct zeit {
	char errmsg[4096]; /* the last failure, one line or a few */
	int err;           /* errno-style code of the last failure, 0 if none */
	int verbose;       /* -v count: progress notes to stderr */
	bool dry_run;      /* -n: plan and print, change nothing */
	time_t now; /* planning clock (UTC), from --now/ZEIT_NOW or time() */
	/* How adopted schemes' names read (the configuration's [adopt]). */
	struct snapname_rules names;
	/* Where notes go (zeit_note): the program using the library (the
	 * CLI, the menu) prints them; unset, nowhere. The library prints
	 * nothing itself. */
	void (*note_to)(void *arg, int level, const char *text);
	void *note_arg;
	int keep;       /* zeit_keep_error depth */
	bool kept_held; /* an error was recorded when the keeping began */
};

void zeit_init(struct zeit *z);

/* Records a failure on the handle and returns -1, so callers can write
 * `return zeit_fail(z, EINVAL, "...")`. */
int zeit_fail(struct zeit *z, int err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Prepends context ("while doing X: ") to the message already recorded. */
int zeit_fail_ctx(struct zeit *z, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
void zeit_clear_error(struct zeit *z);
const char *zeit_error(const struct zeit *z);

/* Cleanup after a failure (undoing what an operation made, putting a pool
 * back): between zeit_keep_error and zeit_release_error the error recorded
 * when it began is neither replaced nor cleared, and of the failures
 * within, only the first is recorded. So the failure reported is the one
 * the cleanup followed, with no saving and restoring around it. Nests. */
void zeit_keep_error(struct zeit *z);
void zeit_release_error(struct zeit *z);

/* A note for the person running zeit: what a dry run would do (level 0)
 * or, for -v, what is being done; handed to note_to when verbose >= level,
 * as it happens. */
void zeit_note(const struct zeit *z, int level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#endif
