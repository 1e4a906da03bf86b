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

/* A calendar date and clock time that exists (leap days, no month 13). */
bool ztime_fields_valid(int y, int mo, int d, int h, int mi, int se);

/* A wall-clock time in zone ("" the machine's local zone, "UTC", or a TZ
 * database name) as UTC. Returns how many instants show that clock: 2 in
 * the hour a DST change repeats (*early and *late differ), 1 otherwise;
 * a time the change skips is read as mktime normalises it. */
int ztime_from_zone(const char *zone, int y, int mo, int d, int h, int mi,
                    int se, time_t *early, time_t *late);
/* "", "UTC" or a zone the TZ database has. */
bool ztime_zone_valid(const char *zone);

#endif
