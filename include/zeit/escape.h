/* Text from outside (property values a sender set, dataset and snapshot
 * names) made safe to show a person: one rule for every printer. */
#ifndef ZEIT_ESCAPE_H
#define ZEIT_ESCAPE_H

#include <stddef.h>

#include "zeit/util.h"

/* Appends s[0..n) with control bytes (C0, DEL and C1, UTF-8 encoded or
 * not), backslashes and bytes that are not UTF-8 written as \xHH (a
 * backslash as \\), so no escape sequence reaches a terminal and no tab or
 * newline splits a -H field. Printable UTF-8 is left as it is. */
void escape_printable(struct buf *b, const char *s, size_t n);
/* The same for a NUL-terminated string, malloc'd. */
char *escape_dup(const char *s);

#endif
