/* Retention policy: how many snapshots of each tier to keep, by count or
 * by age, and when each tier is due. Pure code: no ZFS, no clock. */
#ifndef ZEIT_POLICY_H
#define ZEIT_POLICY_H

#include <stdbool.h>
#include <time.h>

#include "zeit/snapname.h"
#include "zeit/zeit.h"

enum keep_kind {
	KEEP_COUNT, /* the newest N */
	KEEP_AGE,   /* those younger than N seconds */
};

struct keep_rule {
	enum keep_kind kind;
	long long n; /* a count, or seconds; 0 turns the tier off */
};

struct policy {
	struct keep_rule tier[ZEIT_TIER_COUNT];
};

/* The scheme of the seed story: frequent 4 (an hour of 15-minute
 * snapshots), hourly 24, daily 31, weekly 8, monthly 12, no yearly. */
void policy_default(struct policy *p);

/* Applies a keep specification over p: comma-separated items, each
 * `TIER=N` (count), `TIER=N<unit>` (age; units m h d w y) or `xN` (multiply
 * every count and age of p, before the tier items of the same spec are
 * applied). `where` names the source for messages (a file and line, or a
 * dataset and property). Returns 0, or -1 with one message on z. */
int policy_apply_spec(struct zeit *z, struct policy *p, const char *spec,
                      const char *where);

/* Writes p as a spec ("frequent=4,hourly=24,..."). */
void policy_format(const struct policy *p, char *buf, size_t len);

bool policy_tier_enabled(const struct policy *p, enum zeit_tier t);

/* The period bucket a time falls in, per tier, in UTC: 15-minute slots,
 * hours, days, ISO weeks (from Monday), calendar months and years. A tier
 * is due when its newest snapshot lies in an earlier bucket than now. */
long long tier_bucket(enum zeit_tier t, time_t when);
/* The nominal length of one period, in seconds (months as 30 days, years
 * as 365), for staleness thresholds. */
long long tier_period(enum zeit_tier t);

#endif
