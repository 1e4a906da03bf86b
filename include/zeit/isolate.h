/* zeit bisect isolate: which of the changes between the last good and the
 * first bad snapshot make the test fail. The changes are applied in
 * subsets onto a throwaway clone of the good snapshot, the test runs as
 * for bisect run (ZEIT_BISECT_ROOT; 0 good, 125 cannot tell, 1-127 bad),
 * and ddmin narrows them: first whole files, then the hunks of the text
 * files left, then the lines of the hunks left. A binary file, a link, a
 * special file, a file or tree created, removed or renamed is one change
 * of its own. */
#ifndef ZEIT_ISOLATE_H
#define ZEIT_ISOLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "zeit/be.h"
#include "zeit/textdiff.h"

/* On the BE root while a clone exists: NAME=ORIGIN=TOKEN; on the clone,
 * set when it is made: the TOKEN. Both must agree for zeit to destroy
 * it. */
#define ISOLATE_CLONE_PROP "org.zeit:isolate-clone"
#define ISOLATE_TOKEN_PROP "org.zeit:isolate-token"

enum isolate_kind {
	ISOLATE_HUNKS,   /* a text file's lines */
	ISOLATE_REPLACE, /* a file, link or special file, whole */
	ISOLATE_CREATE,  /* a new file or tree */
	ISOLATE_REMOVE,  /* a removed file or tree */
	ISOLATE_RENAME,  /* moved (and maybe changed) */
};

struct isolate_change {
	enum isolate_kind kind;
	char type; /* zfs diff's: F file, / directory, @ link, ... */
	char *path;
	char *new_path;    /* renames */
	struct textdiff d; /* ISOLATE_HUNKS */
	struct buf good;   /* ISOLATE_HUNKS: the good snapshot's text */
	const char *why;   /* why a modified file is whole: "binary", ... */
};

/* One change to apply: a whole change (hunk -1), a hunk (line -1) or one
 * line of a hunk. */
struct isolate_unit {
	size_t change;
	long hunk;
	long line;
};

struct isolate_level {
	int level;      /* 0 files, 1 hunks, 2 lines */
	size_t units;   /* what ddmin started from */
	size_t left;    /* what it left */
	unsigned tests; /* test runs */
};

struct isolate_result {
	struct isolate_change *changes;
	size_t nchanges;
	struct isolate_unit *answer;
	size_t nanswer;
	struct isolate_level levels[3]; /* files, hunks, lines */
	int nlevels;
	unsigned tests; /* every test run, the two checks included */
};

struct isolate_request {
	const char *good, *bad;   /* full snapshot names */
	const char *const *paths; /* prefixes inside the dataset, or NULL */
	const char *const *argv;  /* the test */
	/* Told of each test run (the level, its number, how many units, the
	 * outcome: 0 good, 1 bad, 2 cannot tell). */
	void (*report)(void *arg, int level, unsigned test, size_t units,
	               int outcome);
	void *arg;
};

int isolate_run(struct be_ctx *be, const struct isolate_request *r,
                struct isolate_result *out);
void isolate_result_free(struct isolate_result *r);

/* Destroys the clone a killed run left, if it is still the one zeit made,
 * and forgets it. Returns 1 when it destroyed one, 0 when there was none,
 * -1 on an error. */
int isolate_cleanup(struct be_ctx *be);

const char *isolate_kind_name(enum isolate_kind k);

#endif
