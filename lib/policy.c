#include "zeit/policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/util.h"
#include "zeit/ztime.h"

void policy_default(struct policy *p)
{
	static const long long counts[ZEIT_TIER_COUNT] = {4,  24, 31, 8,
	                                                  12, 0,  20, 20};
	for (int t = 0; t < ZEIT_TIER_COUNT; t++) {
		p->tier[t].kind = KEEP_COUNT;
		p->tier[t].n = counts[t];
	}
}

bool policy_tier_enabled(const struct policy *p, enum zeit_tier t)
{
	return t < ZEIT_TIER_TIMED && p->tier[t].n > 0;
}

static int parse_item(struct zeit *z, const char *item, const char *where,
                      enum zeit_tier *tier, struct keep_rule *rule)
{
	const char *eq = strchr(item, '=');
	char name[32];

	if (!eq)
		return zeit_fail(z, EINVAL,
		                 "%s: '%s' is not TIER=COUNT, TIER=AGE or xN",
		                 where, item);
	size_t nlen = (size_t)(eq - item);
	if (nlen == 0 || nlen >= sizeof(name))
		return zeit_fail(z, EINVAL, "%s: no tier name in '%s'", where,
		                 item);
	memcpy(name, item, nlen);
	name[nlen] = '\0';
	*tier = zeit_tier_from_name(name);
	if (*tier == ZEIT_TIER_NONE)
		return zeit_fail(
		        z, EINVAL,
		        "%s: unknown tier '%s' (frequent, hourly, daily, "
		        "weekly, monthly, yearly, pkg)",
		        where, name);
	/* A transaction's pre snapshot lives as long as its post. */
	if (*tier == ZEIT_TIER_PKGPRE)
		return zeit_fail(z, EINVAL,
		                 "%s: pkgpre follows pkg; set pkg=N instead",
		                 where);
	const char *v = eq + 1;
	unsigned long long n;
	long long secs;
	if (parse_u64(v, &n) && n <= 1000000) {
		rule->kind = KEEP_COUNT;
		rule->n = (long long)n;
		return 0;
	}
	if (ztime_parse_duration(v, &secs)) {
		rule->kind = KEEP_AGE;
		rule->n = secs;
		return 0;
	}
	return zeit_fail(z, EINVAL,
	                 "%s: bad value '%s' for %s: a count (24) or an age "
	                 "with a unit m h d w y (36h)",
	                 where, v, name);
}

int policy_apply_spec(struct zeit *z, struct policy *p, const char *spec,
                      const char *where)
{
	struct policy out = *p;
	bool seen[ZEIT_TIER_COUNT] = {false};
	bool multiplied = false;
	char *copy = xstrdup(spec), *save = NULL;
	struct strv items;
	int rc = 0;

	/* The spec's items, trimmed, in order. */
	strv_init(&items);
	for (char *it = strtok_r(copy, ",", &save); it;
	     it = strtok_r(NULL, ",", &save)) {
		while (*it == ' ')
			it++;
		size_t l = strlen(it);
		while (l && it[l - 1] == ' ')
			it[--l] = '\0';
		if (*it)
			strv_push(&items, it);
	}
	free(copy);

	/* Multipliers first, so "daily=10,x2" and "x2,daily=10" agree: the
	 * named tier is exact either way. */
	for (size_t i = 0; i < items.n && rc == 0; i++) {
		const char *it = items.v[i];
		if (it[0] != 'x')
			continue;
		unsigned long long m;
		if (!parse_u64(it + 1, &m) || m == 0 || m > 1000) {
			rc = zeit_fail(z, EINVAL,
			               "%s: bad multiplier '%s' (x2, x3, ...)",
			               where, it);
			break;
		}
		if (multiplied) {
			rc = zeit_fail(z, EINVAL,
			               "%s: more than one multiplier", where);
			break;
		}
		multiplied = true;
		for (int t = 0; t < ZEIT_TIER_COUNT; t++)
			out.tier[t].n *= (long long)m;
	}
	for (size_t i = 0; i < items.n && rc == 0; i++) {
		const char *it = items.v[i];
		if (it[0] == 'x')
			continue;
		enum zeit_tier t = ZEIT_TIER_NONE;
		struct keep_rule r = {KEEP_COUNT, 0};
		if (parse_item(z, it, where, &t, &r) < 0) {
			rc = -1;
			break;
		}
		if (seen[t]) {
			rc = zeit_fail(z, EINVAL, "%s: %s is given twice",
			               where, zeit_tier_name(t));
			break;
		}
		seen[t] = true;
		out.tier[t] = r;
	}
	strv_free(&items);
	out.tier[ZEIT_TIER_PKGPRE] = out.tier[ZEIT_TIER_PKG];
	if (rc == 0)
		*p = out;
	return rc;
}

static void format_age(long long s, char *buf, size_t len)
{
	static const struct {
		long long secs;
		char unit;
	} units[] = {{365 * 86400LL, 'y'},
	             {7 * 86400LL, 'w'},
	             {86400, 'd'},
	             {3600, 'h'},
	             {60, 'm'}};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (s % units[i].secs == 0) {
			snprintf(buf, len, "%lld%c", s / units[i].secs,
			         units[i].unit);
			return;
		}
	snprintf(buf, len, "%lldm", s / 60);
}

void policy_format(const struct policy *p, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int t = 0; t < ZEIT_TIER_COUNT && off < len; t++) {
		char v[32];
		/* pkg only when not its default (so the timed tiers' spec
		 * reads as before); pkgpre never (it follows pkg). */
		if (t == ZEIT_TIER_PKGPRE ||
		    (t == ZEIT_TIER_PKG && p->tier[t].kind == KEEP_COUNT &&
		     p->tier[t].n == 20))
			continue;
		if (p->tier[t].kind == KEEP_AGE && p->tier[t].n > 0)
			format_age(p->tier[t].n, v, sizeof(v));
		else
			snprintf(v, sizeof(v), "%lld", p->tier[t].n);
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s",
		                        t ? "," : "", zeit_tier_name(t), v);
	}
}

long long tier_bucket(enum zeit_tier t, time_t when)
{
	struct tm tm;

	switch (t) {
	case ZEIT_TIER_FREQUENT: return (long long)when / 900;
	case ZEIT_TIER_HOURLY: return (long long)when / 3600;
	case ZEIT_TIER_DAILY: return (long long)when / 86400;
	case ZEIT_TIER_WEEKLY:
		/* 1970-01-01 was a Thursday; shift so weeks start on Monday. */
		return ((long long)when / 86400 + 3) / 7;
	case ZEIT_TIER_MONTHLY:
		gmtime_r(&when, &tm);
		return (long long)(tm.tm_year + 1900) * 12 + tm.tm_mon;
	case ZEIT_TIER_YEARLY: gmtime_r(&when, &tm); return tm.tm_year + 1900;
	default: return 0;
	}
}

long long tier_period(enum zeit_tier t)
{
	static const long long p[ZEIT_TIER_COUNT] = {
	        900, 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400, 0, 0};
	return t >= 0 && t < ZEIT_TIER_COUNT ? p[t] : 0;
}
