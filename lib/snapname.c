#include "zeit/snapname.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/util.h"
#include "zeit/ztime.h"

static const char *const tier_names[ZEIT_TIER_COUNT] = {
        "frequent", "hourly", "daily", "weekly",
        "monthly",  "yearly", "pkg",   "pkgpre",
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
	/* Only what zeit writes: a leap second's :60 is the next minute. */
	char back[ZEIT_SNAPNAME_MAX];
	zeit_snapname_format(t, w, back, sizeof(back));
	if (strcmp(back, s - sizeof(ZEIT_SNAP_PREFIX)) != 0)
		return false;
	if (tier)
		*tier = t;
	if (when)
		*when = w;
	return true;
}

void snapname_rules_default(struct snapname_rules *r)
{
	memset(r, 0, sizeof(*r));
	/* zfs-auto-snapshot 1.2.4 stamps `date --utc`; sanoid stamps
	 * localtime (Debian's units set TZ=UTC, which zeit adopt reads). */
	snprintf(r->auto_zone, sizeof(r->auto_zone), "UTC");
	snprintf(r->auto_prefix, sizeof(r->auto_prefix), "zfs-auto-snap");
	r->auto_sep = '_';
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

static bool zoned(const char *zone, int y, int mo, int d, int h, int mi, int se,
                  struct snapname *out)
{
	if (!ztime_fields_valid(y, mo, d, h, mi, se) || se == 60)
		return false;
	ztime_from_zone(zone, y, mo, d, h, mi, se, &out->when, &out->when_late);
	return out->when != (time_t)-1;
}

static void set_label(struct snapname *out, const char *s, size_t n)
{
	if (n >= sizeof(out->label))
		n = sizeof(out->label) - 1;
	memcpy(out->label, s, n);
	out->label[n] = '\0';
}

static bool read_zeit(const char *s, struct snapname *out)
{
	if (!zeit_snapname_parse(s, &out->tier, &out->when))
		return false;
	out->when_late = out->when;
	snprintf(out->label, sizeof(out->label), "%s",
	         zeit_tier_name(out->tier));
	return true;
}

/* zfs-auto-snapshot: PREFIX[SEP LABEL]-YYYY-MM-DD-HHMM, as its script
 * builds "$opt_prefix${opt_label:+$opt_sep$opt_label}-$DATE". The label is
 * any --label; the stamp is always the last 16 characters. */
static bool read_auto(const struct snapname_rules *r, const char *s,
                      struct snapname *out)
{
	size_t pl = strlen(r->auto_prefix), n = strlen(s);
	int y, mo, d, h, mi;

	if (!pl || strncmp(s, r->auto_prefix, pl) != 0 || n < pl + 16)
		return false;
	const char *t = s + n - 15;
	if (t[-1] != '-' || !num(t, 4, &y) || t[4] != '-' ||
	    !num(t + 5, 2, &mo) || t[7] != '-' || !num(t + 8, 2, &d) ||
	    t[10] != '-' || !num(t + 11, 2, &h) || !num(t + 13, 2, &mi))
		return false;
	const char *label = s + pl;
	size_t ll = (size_t)(t - 1 - label);
	if (ll) {
		/* SEP then a non-empty label */
		if (*label != r->auto_sep || ll < 2 ||
		    ll - 1 >= sizeof(out->label))
			return false;
		label++;
		ll--;
	}
	if (memchr(label, '@', ll) || memchr(label, '/', ll) ||
	    memchr(label, '#', ll))
		return false;
	set_label(out, label, ll);
	out->tier = zeit_tier_from_name(out->label);
	return zoned(r->auto_zone, y, mo, d, h, mi, 0, out);
}

/* sanoid: autosnap_YYYY-MM-DD_HH:MM:SS_TYPE; "frequently" is the
 * frequent tier, the rest are zeit's words. */
static bool read_sanoid(const struct snapname_rules *r, const char *s,
                        struct snapname *out)
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
	if (tr == ZEIT_TIER_NONE || strcmp(type, "frequent") == 0)
		return false;
	set_label(out, type, strlen(type));
	out->tier = tr;
	return zoned(r->sanoid_zone, y, mo, d, h, mi, se, out);
}

bool snapname_read(const struct snapname_rules *rules, const char *name,
                   unsigned origins, struct snapname *out)
{
	static struct snapname_rules defaults;
	const char *at = strchr(name, '@');
	const char *s = at ? at + 1 : name;

	if (!rules) {
		if (!defaults.auto_sep)
			snapname_rules_default(&defaults);
		rules = &defaults;
	}
	memset(out, 0, sizeof(*out));
	out->tier = ZEIT_TIER_NONE;
	/* One '@' at most, as in any ZFS name; a bookmark is no snapshot. */
	if (strpbrk(s, "@#/"))
		return false;
	if ((origins & SNAP_ORIGIN_ZEIT) && read_zeit(s, out))
		out->origin = SNAP_ORIGIN_ZEIT;
	else if ((origins & SNAP_ORIGIN_AUTO_SNAPSHOT) &&
	         read_auto(rules, s, out))
		out->origin = SNAP_ORIGIN_AUTO_SNAPSHOT;
	else if ((origins & SNAP_ORIGIN_SANOID) && read_sanoid(rules, s, out))
		out->origin = SNAP_ORIGIN_SANOID;
	if (!out->origin) {
		memset(out, 0, sizeof(*out));
		out->tier = ZEIT_TIER_NONE;
		return false;
	}
	return true;
}

void snapname_resolve_folds(struct snapname *v, size_t n)
{
	time_t latest = 0;

	for (size_t i = 0; i < n; i++) {
		if (!v[i].origin)
			continue;
		if (v[i].when_late != v[i].when && latest > v[i].when)
			v[i].when = v[i].when_late;
		v[i].when_late = v[i].when;
		if (v[i].when > latest)
			latest = v[i].when;
	}
}

struct txg_pos {
	uint64_t txg;
	size_t i;
};

static int by_txg(const void *a, const void *b)
{
	const struct txg_pos *x = a, *y = b;
	return x->txg < y->txg ? -1 : x->txg > y->txg;
}

void snapname_read_dataset(const struct snapname_rules *rules, unsigned origins,
                           const char *const *names, const uint64_t *createtxg,
                           size_t n, struct snapname *out)
{
	bool folds = false;

	for (size_t i = 0; i < n; i++) {
		snapname_read(rules, names[i], origins, &out[i]);
		folds |= out[i].when != out[i].when_late;
	}
	if (!folds)
		return;
	struct txg_pos *ord = xcalloc(n, sizeof(*ord));
	struct snapname *seq = xcalloc(n, sizeof(*seq));
	for (size_t i = 0; i < n; i++)
		ord[i] = (struct txg_pos){createtxg[i], i};
	qsort(ord, n, sizeof(*ord), by_txg);
	for (size_t k = 0; k < n; k++)
		seq[k] = out[ord[k].i];
	snapname_resolve_folds(seq, n);
	for (size_t k = 0; k < n; k++)
		out[ord[k].i] = seq[k];
	free(seq);
	free(ord);
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

const char *snap_origin_tool(unsigned origin)
{
	switch (origin) {
	case SNAP_ORIGIN_ZEIT: return "zeit";
	case SNAP_ORIGIN_AUTO_SNAPSHOT: return "zfs-auto-snapshot";
	case SNAP_ORIGIN_SANOID: return "sanoid";
	default: return "-";
	}
}
