/* Differences between two texts, through libgit2's diff (Myers, as git):
 * the hunks and their lines for zeit bisect isolate, and unified diffs
 * for zeit log -p. */
#ifndef ZEIT_TEXTDIFF_H
#define ZEIT_TEXTDIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "zeit/util.h"
#include "zeit/zeit.h"

struct textdiff_line {
	char origin;   /* '-' (a line of the old text) or '+' (a new one) */
	size_t lineno; /* in the old text for '-', in the new for '+' */
	char *text;    /* the line's bytes, its newline included */
	size_t len;
};

struct textdiff_hunk {
	size_t old_start, old_lines, new_start, new_lines;
	char *header; /* "@@ -a,b +c,d @@" */
	struct textdiff_line *lines;
	size_t nlines;
};

struct textdiff {
	struct textdiff_hunk *v;
	size_t n;
};

/* The hunks from a to b without context lines, so that changes with an
 * unchanged line between them are hunks of their own. */
int textdiff_hunks(struct zeit *z, const char *a, size_t alen, const char *b,
                   size_t blen, struct textdiff *out);
void textdiff_free(struct textdiff *d);

/* a's text with only the chosen lines of d applied: pick[h][k] says
 * whether line k of hunk h is (deleted lines go, added lines come after
 * the hunk's old lines). All chosen gives b back. */
void textdiff_apply(const char *a, size_t alen, const struct textdiff *d,
                    bool *const *pick, struct buf *out);

/* A unified diff (3 lines of context) with labels la and lb; empty when
 * the texts are equal. */
int textdiff_unified(struct zeit *z, const char *a, size_t alen, const char *b,
                     size_t blen, const char *la, const char *lb,
                     struct buf *out);

/* Whether the first 8 KiB hold a NUL byte, as diff(1) and git decide. */
bool textdiff_binary(const char *s, size_t len);

#endif
