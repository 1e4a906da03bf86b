/* zeit's snapshot names: zeit_<tier>_<UTC time>, time as YYYYMMDDTHHMMSSZ.
 * Sortable as text within a tier and parsed back to the time, so listing
 * never needs zfs's slow `creation` property. The format is stable. */
#ifndef ZEIT_SNAPNAME_H
#define ZEIT_SNAPNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum zeit_tier {
	ZEIT_TIER_FREQUENT,
	ZEIT_TIER_HOURLY,
	ZEIT_TIER_DAILY,
	ZEIT_TIER_WEEKLY,
	ZEIT_TIER_MONTHLY,
	ZEIT_TIER_YEARLY,
	ZEIT_TIER_COUNT,
	ZEIT_TIER_NONE = -1,
};

#define ZEIT_SNAP_PREFIX "zeit"
/* "zeit_frequent_20261127T221500Z" plus room */
#define ZEIT_SNAPNAME_MAX 64

const char *zeit_tier_name(enum zeit_tier t);
enum zeit_tier zeit_tier_from_name(const char *name);

/* Writes the short snapshot name (after '@') for tier at time t. */
void zeit_snapname_format(enum zeit_tier t, time_t when, char *buf, size_t len);

/* Parses a short snapshot name (or a full dataset@name); true if zeit made
 * it, with its tier and time. */
bool zeit_snapname_parse(const char *name, enum zeit_tier *tier, time_t *when);

#endif
