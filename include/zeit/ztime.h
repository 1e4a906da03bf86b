/* zeit's clock is UTC everywhere; these read and write it. */
#ifndef ZEIT_ZTIME_H
#define ZEIT_ZTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Parses ISO 8601 in UTC: YYYY-MM-DD, YYYY-MM-DDTHH:MM, YYYY-MM-DDTHH:MM:SS,
 * with 'T' or a space, an optional trailing 'Z' or "+00:00"; also the
 * compact YYYYMMDDTHHMMSSZ zeit puts in snapshot names, and @EPOCH.
 * Returns false on anything else (other offsets included). */
bool ztime_parse(const char *s, time_t *out);

/* Writes YYYY-MM-DDTHH:MM:SSZ into buf (at least 21 bytes). */
void ztime_format(time_t t, char *buf, size_t len);

/* Parses a duration: a number and a unit m h d w y (minutes, hours, days,
 * weeks, years of 365 days), e.g. "15m", "36h". */
bool ztime_parse_duration(const char *s, long long *seconds);

#endif
