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

/* Whose naming scheme a snapshot follows. prune destroys zeit's own and,
 * only when the configuration adopts them, the other tools'. */
enum snap_origin {
	SNAP_ORIGIN_ZEIT = 1 << 0, /* zeit_daily_20261127T000000Z */
	SNAP_ORIGIN_AUTO_SNAPSHOT =
	        1 << 1,              /* zfs-auto-snap_daily-2026-11-27-0000 */
	SNAP_ORIGIN_SANOID = 1 << 2, /* autosnap_2026-11-27_00:00:00_daily */
};

/* Parses a name of any scheme in `origins` (times read as UTC). Returns
 * the scheme it matched, or 0. */
unsigned snapname_parse_any(const char *name, unsigned origins,
                            enum zeit_tier *tier, time_t *when);
/* "zeit", "zfs-auto-snap" or "autosnap" <-> enum snap_origin; 0 if unknown. */
unsigned snap_origin_from_prefix(const char *prefix);
const char *snap_origin_prefix(unsigned origin);

#endif
