#include "zeit/ztime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool digits(const char *s, int n, int *out)
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

bool ztime_fields_valid(int y, int mo, int d, int h, int mi, int se)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30,
	                            31, 31, 30, 31, 30, 31};
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || h > 23 ||
	    mi > 59 || se > 60)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	int max = mdays[mo - 1] - (mo == 2 && !leap ? 1 : 0);
	return d <= max;
}

static bool build(int y, int mo, int d, int h, int mi, int se, time_t *out)
{
	struct tm tm;

	if (!ztime_fields_valid(y, mo, d, h, mi, se))
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = timegm(&tm);
	return *out != (time_t)-1;
}

static bool utc_suffix(const char *s)
{
	return *s == '\0' || strcmp(s, "Z") == 0 || strcmp(s, "z") == 0 ||
	       strcmp(s, "+00:00") == 0 || strcmp(s, "+0000") == 0;
}

bool ztime_parse(const char *s, time_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0;

	if (!s)
		return false;
	if (s[0] == '@') {
		char *end;
		long long v = strtoll(s + 1, &end, 10);
		/* Up to 9999-12-31T23:59:59Z: a time every format zeit writes
		 * (snapshot names, ISO 8601) can say and read back. */
		if (end == s + 1 || *end || v < 0 || v > 253402300799LL)
			return false;
		*out = (time_t)v;
		return true;
	}
	/* Compact: YYYYMMDDTHHMMSSZ or YYYYMMDDTHHMMZ */
	if (strlen(s) >= 13 && s[8] == 'T' && digits(s, 4, &y) &&
	    digits(s + 4, 2, &mo) && digits(s + 6, 2, &d) &&
	    digits(s + 9, 2, &h) && digits(s + 11, 2, &mi)) {
		const char *rest = s + 13;
		if (digits(rest, 2, &se))
			rest += 2;
		return utc_suffix(rest) && *rest &&
		       build(y, mo, d, h, mi, se, out);
	}
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return false;
	const char *p = s + 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (!digits(p + 1, 2, &h) || p[3] != ':' ||
		    !digits(p + 4, 2, &mi))
			return false;
		p += 6;
		if (*p == ':') {
			if (!digits(p + 1, 2, &se))
				return false;
			p += 3;
		}
	}
	return utc_suffix(p) && build(y, mo, d, h, mi, se, out);
}

void ztime_format(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool ztime_parse_duration(const char *s, long long *seconds)
{
	char *end;
	long long v, mult;

	if (!s || *s < '0' || *s > '9')
		return false;
	v = strtoll(s, &end, 10);
	if (end[0] == '\0' || end[1] != '\0')
		return false;
	switch (end[0]) {
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	case 'w': mult = 7 * 86400; break;
	case 'y': mult = 365 * 86400; break;
	default: return false;
	}
	if (v > (long long)1e12 / mult)
		return false;
	*seconds = v * mult;
	return true;
}
