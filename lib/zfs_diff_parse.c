/* Decoding of `zfs diff -FHt` lines. zfs escapes every byte <= 0x20, a
 * backslash and every byte >= 0x7f in paths as `\0ooo` (four octal
 * digits), so a path can hold any byte and tabs and newlines still
 * separate fields and records. */
#include "zeit/zfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int octal(char c)
{
	return c >= '0' && c <= '7' ? c - '0' : -1;
}

long zfs_unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r;) {
		if (*r != '\\') {
			*w++ = *r++;
			continue;
		}
		int d[4];
		for (int i = 0; i < 4; i++) {
			d[i] = octal(r[1 + i]);
			if (d[i] < 0)
				return -1; /* also stops at the string's end */
		}
		int v = d[0] * 512 + d[1] * 64 + d[2] * 8 + d[3];
		if (v > 0377)
			return -1;
		*w++ = (char)v;
		r += 5;
	}
	*w = '\0';
	return (long)(w - s);
}

void zfs_diff_list_free(struct zfs_diff_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].new_path);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

struct diff_ctx {
	struct zeit *z;
	struct zfs_diff_list *out;
	size_t cap;
};

static bool parse_time(const char *s, int64_t *sec, long *nsec)
{
	char *dot = strchr(s, '.');
	unsigned long long a = 0, b = 0;
	char head[32];

	if (!dot || (size_t)(dot - s) >= sizeof(head) || dot == s)
		return false;
	memcpy(head, s, (size_t)(dot - s));
	head[dot - s] = '\0';
	if (!parse_u64(head, &a) || !parse_u64(dot + 1, &b) ||
	    b > 999999999ULL || a > (unsigned long long)INT64_MAX)
		return false;
	*sec = (int64_t)a;
	*nsec = (long)b;
	return true;
}

static bool valid_change(const char *s)
{
	return strlen(s) == 1 && strchr("-+MR", s[0]);
}

static bool valid_type(const char *s)
{
	return strlen(s) == 1 && strchr("F/@BC|=>P", s[0]);
}

static int diff_line(char *line, void *arg)
{
	struct diff_ctx *c = arg;
	char *f[6];
	int64_t sec;
	long nsec;

	if (!*line)
		return 0;
	size_t n = split_tabs(line, f, 6);
	if (n < 4 || n > 5 || !parse_time(f[0], &sec, &nsec) ||
	    !valid_change(f[1]) || !valid_type(f[2]) ||
	    (n == 5) != (f[1][0] == 'R'))
		return zeit_fail(c->z, EPROTO,
		                 "unexpected line in zfs diff output: '%s'",
		                 line);
	long plen = zfs_unescape(f[3]);
	long nlen = n == 5 ? zfs_unescape(f[4]) : 0;
	if (plen < 0 || nlen < 0)
		return zeit_fail(c->z, EPROTO,
		                 "malformed escape in zfs diff path: '%s'",
		                 f[3]);
	if (c->out->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->out->v = xrealloc(c->out->v, c->cap * sizeof(*c->out->v));
	}
	struct zfs_diff_entry *e = &c->out->v[c->out->n++];
	e->sec = sec;
	e->nsec = nsec;
	e->change = f[1][0];
	e->type = f[2][0];
	e->path = xstrndup(f[3], (size_t)plen);
	e->path_len = (size_t)plen;
	e->new_path = n == 5 ? xstrndup(f[4], (size_t)nlen) : NULL;
	e->new_path_len = n == 5 ? (size_t)nlen : 0;
	return 0;
}

int zfs_parse_diff(struct zeit *z, char *text, struct zfs_diff_list *out)
{
	struct diff_ctx c = {z, out, 0};

	out->v = NULL;
	out->n = 0;
	if (for_each_line(text, diff_line, &c)) {
		zfs_diff_list_free(out);
		return -1;
	}
	return 0;
}
