/* Wall-clock times in a named zone, read back to UTC. Other tools name
 * snapshots by local time; zeit keeps UTC. The zone is a TZ database name,
 * so the C library's mktime does the reading, with TZ switched for the
 * call (zeit is single-threaded; TZ is put back before returning). */
#include "zeit/ztime.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zeit/util.h"

static bool same_clock(const struct tm *a, const struct tm *b)
{
	return a->tm_year == b->tm_year && a->tm_mon == b->tm_mon &&
	       a->tm_mday == b->tm_mday && a->tm_hour == b->tm_hour &&
	       a->tm_min == b->tm_min && a->tm_sec == b->tm_sec;
}

/* Every instant whose local clock shows want: one, two in DST's repeated
 * hour, none in the skipped hour (then mktime's normalised guess). */
static int readings(const struct tm *want, time_t out[2])
{
	int n = 0;

	for (int dst = 0; dst <= 1; dst++) {
		struct tm tm = *want, back;
		tm.tm_isdst = dst;
		time_t t = mktime(&tm);
		if (!localtime_r(&t, &back) || !same_clock(&back, want))
			continue;
		if (n == 1 && out[0] == t)
			continue;
		out[n++] = t;
	}
	if (n == 2 && out[1] < out[0]) {
		time_t x = out[0];
		out[0] = out[1];
		out[1] = x;
	}
	if (n == 0) {
		struct tm tm = *want;
		tm.tm_isdst = -1;
		out[n++] = mktime(&tm);
	}
	return n;
}

bool ztime_zone_valid(const char *zone)
{
	if (!zone[0] || !strcmp(zone, "UTC"))
		return true;
	/* A name under the zone directory, never a path out of it. */
	if (zone[0] == '/' || strstr(zone, "..") ||
	    strspn(zone, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                 "0123456789/_+-") != strlen(zone))
		return false;
	const char *dir = getenv("TZDIR");
	char *path = xasprintf("%s/%s",
	                       dir && *dir ? dir : "/usr/share/zoneinfo", zone);
	bool ok = access(path, R_OK) == 0;
	free(path);
	return ok;
}

int ztime_from_zone(const char *zone, int y, int mo, int d, int h, int mi,
                    int se, time_t *early, time_t *late)
{
	struct tm tm;
	time_t r[2];
	int n;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	if (!strcmp(zone, "UTC")) {
		*early = *late = timegm(&tm);
		return 1;
	}
	if (!zone[0]) {
		n = readings(&tm, r);
	} else {
		const char *was = getenv("TZ");
		char *old = was ? xstrdup(was) : NULL;
		setenv("TZ", zone, 1);
		tzset();
		n = readings(&tm, r);
		if (old)
			setenv("TZ", old, 1);
		else
			unsetenv("TZ");
		tzset();
		free(old);
	}
	*early = r[0];
	*late = r[n - 1];
	return n;
}
