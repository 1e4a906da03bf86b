#include "zeit/zeit.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "zeit/util.h"

void zeit_init(struct zeit *z)
{
	memset(z, 0, sizeof(*z));
	z->now = time(NULL);
	snapname_rules_default(&z->names);
}

int zeit_fail(struct zeit *z, int err, const char *fmt, ...)
{
	va_list ap;

	if (z->keep && z->err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(z->errmsg, sizeof(z->errmsg), fmt, ap);
	va_end(ap);
	z->err = err ? err : -1;
	return -1;
}

int zeit_fail_ctx(struct zeit *z, const char *fmt, ...)
{
	char ctx[1024], old[sizeof(z->errmsg)];
	va_list ap;

	if (z->keep && z->err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	memcpy(old, z->errmsg, sizeof(old));
	/* Truncation is fine: the message is for people. */
	struct buf b;
	buf_init(&b);
	buf_addf(&b, "%s: %s", ctx, old);
	size_t n =
	        b.len < sizeof(z->errmsg) - 1 ? b.len : sizeof(z->errmsg) - 1;
	memcpy(z->errmsg, b.data, n);
	z->errmsg[n] = '\0';
	buf_free(&b);
	if (!z->err)
		z->err = -1;
	return -1;
}

void zeit_clear_error(struct zeit *z)
{
	if (z->keep && z->kept_held)
		return;
	z->errmsg[0] = '\0';
	z->err = 0;
}

void zeit_keep_error(struct zeit *z)
{
	if (!z->keep++)
		z->kept_held = z->err != 0;
}

void zeit_release_error(struct zeit *z)
{
	if (z->keep && !--z->keep)
		z->kept_held = false;
}

const char *zeit_error(const struct zeit *z)
{
	return z->errmsg[0] ? z->errmsg : "unknown error";
}

void zeit_note(const struct zeit *z, int level, const char *fmt, ...)
{
	char text[sizeof(z->errmsg)];
	va_list ap;

	if (z->verbose < level || !z->note_to)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	z->note_to(z->note_arg, level, text);
}
