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

static bool num(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool utc_time(int y, int mo, int d, int h, int mi, int se, time_t *out)
{
	char iso[32];
	snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d,
	         h, mi, se);
	return ztime_parse(iso, out);
}

/* zfs-auto-snapshot: zfs-auto-snap_<label>-YYYY-MM-DD-HHMM */
static bool parse_auto_snapshot(const char *s, enum zeit_tier *tier,
                                time_t *when)
{
	static const char prefix[] = "zfs-auto-snap_";
	char label[16];
	int y, mo, d, h, mi;

	if (strncmp(s, prefix, sizeof(prefix) - 1) != 0)
		return false;
	s += sizeof(prefix) - 1;
	const char *dash = strchr(s, '-');
	if (!dash || (size_t)(dash - s) >= sizeof(label))
		return false;
	memcpy(label, s, (size_t)(dash - s));
	label[dash - s] = '\0';
	const char *t = dash + 1;
	if (strlen(t) != 15 || !num(t, 4, &y) || t[4] != '-' ||
	    !num(t + 5, 2, &mo) || t[7] != '-' || !num(t + 8, 2, &d) ||
	    t[10] != '-' || !num(t + 11, 2, &h) || !num(t + 13, 2, &mi))
		return false;
	enum zeit_tier tr = zeit_tier_from_name(label);
	if (tr == ZEIT_TIER_NONE || !utc_time(y, mo, d, h, mi, 0, when))
		return false;
	*tier = tr;
	return true;
}

/* sanoid: autosnap_YYYY-MM-DD_HH:MM:SS_<type>, "frequently" for frequent */
static bool parse_sanoid(const char *s, enum zeit_tier *tier, time_t *when)
{
	static const char prefix[] = "autosnap_";
	int y, mo, d, h, mi, se;

	if (strncmp(s, prefix, sizeof(prefix) - 1) != 0)
		return false;
	const char *t = s + sizeof(prefix) - 1;
	if (strlen(t) < 21 || !num(t, 4, &y) || t[4] != '-' ||
	    !num(t + 5, 2, &mo) || t[7] != '-' || !num(t + 8, 2, &d) ||
	    t[10] != '_' || !num(t + 11, 2, &h) || t[13] != ':' ||
	    !num(t + 14, 2, &mi) || t[16] != ':' || !num(t + 17, 2, &se) ||
	    t[19] != '_')
		return false;
	const char *type = t + 20;
	enum zeit_tier tr = strcmp(type, "frequently") == 0
	                            ? ZEIT_TIER_FREQUENT
	                            : zeit_tier_from_name(type);
	if (tr == ZEIT_TIER_NONE || strcmp(type, "frequent") == 0 ||
	    !utc_time(y, mo, d, h, mi, se, when))
		return false;
	*tier = tr;
	return true;
}

unsigned snapname_parse_any(const char *name, unsigned origins,
                            enum zeit_tier *tier, time_t *when)
{
	const char *at = strchr(name, '@');
	const char *s = at ? at + 1 : name;
	enum zeit_tier t;
	time_t w;

	if ((origins & SNAP_ORIGIN_ZEIT) && zeit_snapname_parse(s, &t, &w)) {
		*tier = t;
		*when = w;
		return SNAP_ORIGIN_ZEIT;
	}
	if ((origins & SNAP_ORIGIN_AUTO_SNAPSHOT) &&
	    parse_auto_snapshot(s, tier, when))
		return SNAP_ORIGIN_AUTO_SNAPSHOT;
	if ((origins & SNAP_ORIGIN_SANOID) && parse_sanoid(s, tier, when))
		return SNAP_ORIGIN_SANOID;
	return 0;
}

unsigned snap_origin_from_prefix(const char *prefix)
{
	if (strcmp(prefix, "zeit") == 0)
		return SNAP_ORIGIN_ZEIT;
	if (strcmp(prefix, "zfs-auto-snap") == 0)
		return SNAP_ORIGIN_AUTO_SNAPSHOT;
	if (strcmp(prefix, "autosnap") == 0)
		return SNAP_ORIGIN_SANOID;
	return 0;
}

const char *snap_origin_prefix(unsigned origin)
{
	switch (origin) {
	case SNAP_ORIGIN_ZEIT: return "zeit";
	case SNAP_ORIGIN_AUTO_SNAPSHOT: return "zfs-auto-snap";
	case SNAP_ORIGIN_SANOID: return "autosnap";
	default: return "-";
	}
}
