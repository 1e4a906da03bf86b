/* Text differences through libgit2 (git_patch_from_buffers): no diff of
 * zeit's own. */
#include "zeit/textdiff.h"

#include <errno.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>

static int git_ready(struct zeit *z)
{
	static bool ready;
	if (!ready && git_libgit2_init() < 0)
		return zeit_fail(z, EIO, "cannot start libgit2");
	ready = true;
	return 0;
}

static int git_failed(struct zeit *z, const char *what)
{
	const git_error *e = git_error_last();
	return zeit_fail(z, EIO, "%s: %s", what,
	                 e && e->message ? e->message : "libgit2 failed");
}

bool textdiff_binary(const char *s, size_t len)
{
	return memchr(s, '\0', len < 8192 ? len : 8192) != NULL;
}

static int patch_of(struct zeit *z, const char *a, size_t alen, const char *b,
                    size_t blen, unsigned context, git_patch **p)
{
	git_diff_options o = GIT_DIFF_OPTIONS_INIT;

	if (git_ready(z) < 0)
		return -1;
	o.context_lines = context;
	o.interhunk_lines = 0;
	/* Texts zeit has decided are text: never let libgit2 call them
	 * binary and hide the lines. */
	o.flags = GIT_DIFF_FORCE_TEXT;
	if (git_patch_from_buffers(p, a, alen, "a", b, blen, "b", &o) < 0)
		return git_failed(z, "cannot compare the texts");
	return 0;
}

int textdiff_hunks(struct zeit *z, const char *a, size_t alen, const char *b,
                   size_t blen, struct textdiff *out)
{
	git_patch *p = NULL;

	out->v = NULL;
	out->n = 0;
	if (patch_of(z, a, alen, b, blen, 0, &p) < 0)
		return -1;
	size_t nh = git_patch_num_hunks(p);
	out->v = xcalloc(nh + 1, sizeof(*out->v));
	for (size_t h = 0; h < nh; h++) {
		const git_diff_hunk *gh;
		size_t nl;
		if (git_patch_get_hunk(&gh, &nl, p, h) < 0) {
			git_patch_free(p);
			textdiff_free(out);
			return git_failed(z, "cannot read a hunk");
		}
		struct textdiff_hunk *th = &out->v[out->n++];
		th->old_start = (size_t)gh->old_start;
		th->old_lines = (size_t)gh->old_lines;
		th->new_start = (size_t)gh->new_start;
		th->new_lines = (size_t)gh->new_lines;
		th->header = xstrndup(gh->header, gh->header_len);
		th->header[strcspn(th->header, "\n")] = '\0';
		th->lines = xcalloc(nl + 1, sizeof(*th->lines));
		for (size_t k = 0; k < nl; k++) {
			const git_diff_line *gl;
			if (git_patch_get_line_in_hunk(&gl, p, h, k) < 0)
				continue;
			if (gl->origin != GIT_DIFF_LINE_ADDITION &&
			    gl->origin != GIT_DIFF_LINE_DELETION)
				continue; /* "no newline" markers */
			struct textdiff_line *l = &th->lines[th->nlines++];
			l->origin = gl->origin;
			l->lineno =
			        (size_t)(gl->origin == '-' ? gl->old_lineno
			                                   : gl->new_lineno);
			l->text = xstrndup(gl->content, gl->content_len);
			l->len = gl->content_len;
		}
	}
	git_patch_free(p);
	return 0;
}

void textdiff_free(struct textdiff *d)
{
	for (size_t h = 0; h < d->n; h++) {
		for (size_t k = 0; k < d->v[h].nlines; k++)
			free(d->v[h].lines[k].text);
		free(d->v[h].lines);
		free(d->v[h].header);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

/* The old line after which hunk h's added lines go (0: before the first). */
static size_t anchor(const struct textdiff_hunk *h)
{
	return h->old_lines ? h->old_start + h->old_lines - 1 : h->old_start;
}

static void add_inserts(const struct textdiff *d, bool *const *pick,
                        size_t after, struct buf *out)
{
	for (size_t h = 0; h < d->n; h++) {
		if (anchor(&d->v[h]) != after)
			continue;
		for (size_t k = 0; k < d->v[h].nlines; k++)
			if (d->v[h].lines[k].origin == '+' && pick[h][k])
				buf_add(out, d->v[h].lines[k].text,
				        d->v[h].lines[k].len);
	}
}

static bool deleted(const struct textdiff *d, bool *const *pick, size_t line)
{
	for (size_t h = 0; h < d->n; h++) {
		const struct textdiff_hunk *th = &d->v[h];
		if (!th->old_lines || line < th->old_start ||
		    line >= th->old_start + th->old_lines)
			continue;
		for (size_t k = 0; k < th->nlines; k++)
			if (th->lines[k].origin == '-' &&
			    th->lines[k].lineno == line)
				return pick[h][k];
	}
	return false;
}

void textdiff_apply(const char *a, size_t alen, const struct textdiff *d,
                    bool *const *pick, struct buf *out)
{
	size_t line = 0;
	const char *p = a, *end = a + alen;

	buf_reset(out);
	buf_add(out, "", 0);
	add_inserts(d, pick, 0, out);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		line++;
		if (!deleted(d, pick, line))
			buf_add(out, p, len);
		add_inserts(d, pick, line, out);
		p += len;
	}
}

int textdiff_unified(struct zeit *z, const char *a, size_t alen, const char *b,
                     size_t blen, const char *la, const char *lb,
                     struct buf *out)
{
	git_patch *p = NULL;

	buf_reset(out);
	buf_add(out, "", 0);
	if (patch_of(z, a, alen, b, blen, 3, &p) < 0)
		return -1;
	if (!git_patch_num_hunks(p)) {
		git_patch_free(p);
		return 0;
	}
	buf_addf(out, "--- %s\n+++ %s\n", la, lb);
	for (size_t h = 0; h < git_patch_num_hunks(p); h++) {
		const git_diff_hunk *gh;
		size_t nl;
		if (git_patch_get_hunk(&gh, &nl, p, h) < 0)
			break;
		buf_add(out, gh->header, gh->header_len);
		for (size_t k = 0; k < nl; k++) {
			const git_diff_line *gl;
			if (git_patch_get_line_in_hunk(&gl, p, h, k) < 0)
				continue;
			if (gl->origin == GIT_DIFF_LINE_CONTEXT_EOFNL ||
			    gl->origin == GIT_DIFF_LINE_ADD_EOFNL ||
			    gl->origin == GIT_DIFF_LINE_DEL_EOFNL) {
				buf_adds(out, "\\ No newline at end of file\n");
				continue;
			}
			buf_addc(out, gl->origin);
			buf_add(out, gl->content, gl->content_len);
			if (!gl->content_len ||
			    gl->content[gl->content_len - 1] != '\n')
				buf_addc(out, '\n');
		}
	}
	git_patch_free(p);
	return 0;
}
