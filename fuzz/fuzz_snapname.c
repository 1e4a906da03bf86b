/* libFuzzer: the reader of snapshot names and of times. Any bytes read in
 * any zone never crash; a name that reads has a tier in range, its two
 * DST readings in order, and zeit's own names read back to themselves. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/snapname.h"
#include "zeit/ztime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const zones[] = {"", "UTC", "Europe/Berlin",
                                    "America/New_York", "Australia/Lord_Howe"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapname_rules r;
	struct snapname sn;
	time_t t;
	long long secs;

	if (size < 1)
		return 0;
	snapname_rules_default(&r);
	/* The first byte picks the rules: zones, a prefix, a separator. */
	uint8_t k = data[0];
	snprintf(r.auto_zone, sizeof(r.auto_zone), "%s", zones[k % 5]);
	snprintf(r.sanoid_zone, sizeof(r.sanoid_zone), "%s",
	         zones[(k / 5) % 5]);
	if (k & 0x80) {
		snprintf(r.auto_prefix, sizeof(r.auto_prefix), "a-b");
		r.auto_sep = '-';
	}
	char *s = strndup((const char *)data + 1, size - 1);
	if (snapname_read(&r, s, SNAP_ORIGIN_ALL, &sn)) {
		if (sn.tier < ZEIT_TIER_NONE || sn.tier >= ZEIT_TIER_COUNT ||
		    sn.when > sn.when_late || !sn.origin ||
		    strlen(sn.label) >= sizeof(sn.label))
			abort();
		if (sn.origin == SNAP_ORIGIN_ZEIT) {
			char back[ZEIT_SNAPNAME_MAX];
			const char *at = strchr(s, '@');
			zeit_snapname_format(sn.tier, sn.when, back,
			                     sizeof(back));
			if (strcmp(back, at ? at + 1 : s))
				abort();
		}
	}
	/* The same bytes as a list of names, one a line, in creation order
	 * given by their position backwards. */
	const char *names[16];
	uint64_t txg[16];
	struct snapname out[16];
	size_t n = 0;
	for (char *save = NULL, *line = strtok_r(s, "\n", &save);
	     line && n < 16; line = strtok_r(NULL, "\n", &save)) {
		names[n] = line;
		txg[n] = 100 - n;
		n++;
	}
	snapname_read_dataset(&r, SNAP_ORIGIN_ALL, names, txg, n, out);
	for (size_t i = 0; i < n; i++)
		if (out[i].origin && out[i].when != out[i].when_late)
			abort(); /* every fold resolved */
	free(s);

	char *u = strndup((const char *)data + 1, size - 1);
	if (ztime_parse(u, &t)) {
		char iso[32];
		time_t back;
		ztime_format(t, iso, sizeof(iso));
		if (!ztime_parse(iso, &back) || back != t)
			abort();
	}
	ztime_parse_duration(u, &secs);
	free(u);
	return 0;
}
