/* Snapshot names: zeit's own, zeit_<tier>_<UTC time> with the time as
 * YYYYMMDDTHHMMSSZ (sortable as text within a tier and parsed back to the
 * time, so listing never needs zfs's slow `creation` property; the format
 * is stable), and the schemes zeit adopts from zfs-auto-snapshot and
 * sanoid, whose names are in a time zone of their own. */
#ifndef ZEIT_SNAPNAME_H
#define ZEIT_SNAPNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum zeit_tier {
	ZEIT_TIER_FREQUENT,
	ZEIT_TIER_HOURLY,
	ZEIT_TIER_DAILY,
	ZEIT_TIER_WEEKLY,
	ZEIT_TIER_MONTHLY,
	ZEIT_TIER_YEARLY,
	/* Package transactions: the snapshot after one (pkg) and before it
	 * (pkgpre). No period: they are taken when a package manager runs,
	 * and kept by count like any tier (pkgpre as many as pkg). */
	ZEIT_TIER_PKG,
	ZEIT_TIER_PKGPRE,
	ZEIT_TIER_COUNT,
	ZEIT_TIER_NONE = -1,
};

/* The tiers taken by the clock (frequent..yearly) come first. */
#define ZEIT_TIER_TIMED (ZEIT_TIER_YEARLY + 1)

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
	SNAP_ORIGIN_ALL = 7,
};

/* How the adopted schemes were written on this machine. zeit's own names
 * are always UTC. A zone is "" (the machine's local zone, $TZ), "UTC", or
 * a TZ database name such as "Europe/Berlin". */
struct snapname_rules {
	char auto_zone[64];   /* zfs-auto-snapshot: UTC, as its script writes */
	char sanoid_zone[64]; /* sanoid: local, as it writes without TZ= */
	char auto_prefix[64]; /* zfs-auto-snapshot --prefix */
	char auto_sep;        /* zfs-auto-snapshot --sep */
};

void snapname_rules_default(struct snapname_rules *r);

/* What a snapshot's name says. */
struct snapname {
	unsigned origin;     /* the scheme it follows; 0: none read */
	enum zeit_tier tier; /* NONE for a label that is no zeit tier */
	time_t when;         /* UTC */
	/* A local time that a DST change repeats names two instants: when is
	 * the earlier, when_late the later (else both are equal). */
	time_t when_late;
	char label[32]; /* the tier word as the scheme spells it */
};

/* THE reader of snapshot names: a short name or a full dataset@name, of
 * any scheme in origins, under rules (NULL: the defaults). Every command
 * reads names through it. False when no scheme in origins matches. */
bool snapname_read(const struct snapname_rules *rules, const char *name,
                   unsigned origins, struct snapname *out);

/* Resolves DST's repeated hour for one dataset's names, given in creation
 * (createtxg) order: a repeated local time is the later instant when a
 * snapshot made before it is already later than its first reading; else
 * the first (a tool that names by local time cannot make the same name
 * twice, so the second pass of the hour is the one it skips). */
void snapname_resolve_folds(struct snapname *v, size_t n);

/* Reads one dataset's names (any order) into out[0..n), folds resolved
 * by createtxg[0..n). */
void snapname_read_dataset(const struct snapname_rules *rules, unsigned origins,
                           const char *const *names, const uint64_t *createtxg,
                           size_t n, struct snapname *out);

/* "zeit", "zfs-auto-snap" or "autosnap" <-> enum snap_origin; 0 if unknown. */
unsigned snap_origin_from_prefix(const char *prefix);
const char *snap_origin_prefix(unsigned origin);
/* The tool behind a scheme: "zeit", "zfs-auto-snapshot", "sanoid". */
const char *snap_origin_tool(unsigned origin);

#endif
