/* The boot bisection's decisions, from its state alone: every step is
 * decided again on every boot, so a reboot at any point (a power cut, the
 * unit run twice) only repeats what was not written yet. */
#include <stdlib.h>
#include <string.h>

#include "zeit/bisect.h"

/* nextboot names ds: the full dataset or, as the menu also reads it, its
 * last component. */
static bool names_ds(const char *nextboot, const char *ds)
{
	if (!nextboot || !ds)
		return false;
	const char *s = strrchr(ds, '/');
	return !strcmp(nextboot, ds) || (s && !strcmp(nextboot, s + 1));
}

enum bisect_boot_do bisect_boot_decide(const struct bisect_boot_view *v)
{
	if (!v->boot)
		return BBOOT_IDLE;
	/* Marked already (the step was cut off before it moved on), or its
	 * clone is gone: move on; an unmarked one is picked again. */
	if (!v->current || v->current_marked || !v->clone)
		return BBOOT_NEXT;
	if (v->running && !strcmp(v->running, v->clone))
		return BBOOT_TEST;
	if (names_ds(v->nextboot, v->clone))
		return BBOOT_REBOOT;
	/* The menu took the one-time choice and something else runs: the
	 * candidate booted and never got as far as this unit. */
	return BBOOT_FAILED;
}

bool bisect_boot_too_many(unsigned reboots, size_t n)
{
	/* Each candidate costs at most two boots (its own and, when it
	 * fails, the default's), plus the way back at the end. */
	return reboots > 2 * n + 4;
}

long bisect_boot_timeout_parse(const char *s)
{
	if (!s || !*s || strlen(s) > 5)
		return -1;
	long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v >= 1 && v <= 86400 ? v : -1;
}

enum bisect_mark bisect_boot_mark_of(int status, bool timed_out)
{
	if (timed_out || status < 0)
		return BISECT_BAD;
	enum bisect_mark m = bisect_mark_from_status(status);
	return m == BISECT_UNKNOWN ? BISECT_BAD : m;
}
