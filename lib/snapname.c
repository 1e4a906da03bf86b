#include "zeit/snapname.h"

#include <stdio.h>
#include <string.h>

#include "zeit/ztime.h"

static const char *const tier_names[ZEIT_TIER_COUNT] = {
	"frequent", "hourly", "daily", "weekly", "monthly", "yearly",
};

const char *zeit_tier_name(enum zeit_tier t)
{
	return t >= 0 && t < ZEIT_TIER_COUNT ? tier_names[t] : "-";
}

enum zeit_tier zeit_tier_from_name(const char *name)
{
	for (int i = 0; i < ZEIT_TIER_COUNT; i++)
		if (strcmp(name, tier_names[i]) == 0)
			return (enum zeit_tier)i;
	return ZEIT_TIER_NONE;
}

void zeit_snapname_format(enum zeit_tier t, time_t when, char *buf, size_t len)
{
	struct tm tm;
	char stamp[32];

	gmtime_r(&when, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "%s_%s_%s", ZEIT_SNAP_PREFIX, zeit_tier_name(t),
		 stamp);
}

bool zeit_snapname_parse(const char *name, enum zeit_tier *tier, time_t *when)
{
	const char *at = strchr(name, '@');
	const char *s = at ? at + 1 : name;
	char tname[16];

	if (strncmp(s, ZEIT_SNAP_PREFIX "_", sizeof(ZEIT_SNAP_PREFIX)) != 0)
		return false;
	s += sizeof(ZEIT_SNAP_PREFIX);
	const char *us = strchr(s, '_');
	if (!us || (size_t)(us - s) >= sizeof(tname))
		return false;
	memcpy(tname, s, (size_t)(us - s));
	tname[us - s] = '\0';
	enum zeit_tier t = zeit_tier_from_name(tname);
	const char *stamp = us + 1;
	time_t w;
	/* Exactly YYYYMMDDTHHMMSSZ: anything else is not zeit's. */
	if (t == ZEIT_TIER_NONE || strlen(stamp) != 16 || stamp[15] != 'Z' ||
	    !ztime_parse(stamp, &w))
		return false;
	if (tier)
		*tier = t;
	if (when)
		*when = w;
	return true;
}
