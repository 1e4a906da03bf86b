/* Small containers shared by the library: growable byte buffers and
 * NULL-terminated string vectors (argv-shaped). Allocation failure aborts:
 * zeit has no useful way to go on without memory. */
#ifndef ZEIT_UTIL_H
#define ZEIT_UTIL_H

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* Hands the contents to the caller and leaves the buffer empty. */
char *buf_detach(struct buf *b);

struct strv {
	char **v; /* NULL-terminated */
	size_t n;
	size_t cap;
};

void strv_init(struct strv *s);
void strv_free(struct strv *s);
void strv_push(struct strv *s, const char *str);
void strv_pushf(struct strv *s, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
void strv_pushv(struct strv *s, const char *const *v);
bool strv_contains(const struct strv *s, const char *str);
/* Pushes the names of an open directory's entries, without . and ..;
 * d may be NULL (nothing pushed). Does not close d. */
void strv_push_dir(struct strv *s, DIR *d);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Splits text at '\n' in place; calls fn for each line (without the
 * newline). A final line without a newline is passed too. Stops and returns
 * fn's value when it is non-zero. */
int for_each_line(char *text, int (*fn)(char *line, void *arg), void *arg);

/* Splits line in place at '\t' into at most max fields; returns the count. */
size_t split_tabs(char *line, char **fields, size_t max);

bool str_starts(const char *s, const char *prefix);
/* Parses a whole decimal unsigned 64-bit number; false on junk or overflow. */
bool parse_u64(const char *s, unsigned long long *out);

#endif
