#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/prune.h"

void prune_plan_init(struct prune_plan *p)
{
	memset(p, 0, sizeof(*p));
}

void prune_plan_free(struct prune_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].name);
	free(p->v);
	strv_free(&p->skipped);
	strv_free(&p->erred);
	prune_plan_init(p);
}

static struct prune_item *plan_add(struct prune_plan *p)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	struct prune_item *it = &p->v[p->n++];
	memset(it, 0, sizeof(*it));
	return it;
}

size_t prune_plan_count(const struct prune_plan *p, enum prune_action a)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += p->v[i].action == a;
	return n;
}

/* Newest first; equal times by name, so plans are deterministic. */
static int by_time_desc(const void *a, const void *b)
{
	const struct prune_item *x = a, *y = b;
	if (x->when != y->when)
		return x->when > y->when ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void format_rule(const struct keep_rule *r, char *buf, size_t len)
{
	struct policy one;
	char all[256];

	/* Reuse the policy formatter for the age units. */
	for (int t = 0; t < ZEIT_TIER_COUNT; t++)
		one.tier[t] = *r;
	policy_format(&one, all, sizeof(all));
	const char *eq = strchr(all, '=');
	const char *comma = strchr(all, ',');
	size_t n = eq && comma ? (size_t)(comma - eq - 1) : 0;
	if (n >= len)
		n = len - 1;
	memcpy(buf, eq ? eq + 1 : "", n);
	buf[n] = '\0';
}

/* One snapshot read as a plan item: its scheme, tier and time, kept
 * with the reason when it is none of the adopted schemes' tiers. */
static void read_item(const struct snapname_rules *names, unsigned origins,
                      const char *snap, struct prune_item *it)
{
	struct snapname sn;

	it->name = xstrdup(snap);
	it->tier = ZEIT_TIER_NONE;
	it->action = PRUNE_KEEP;
	if (snapname_read(names, snap, origins, &sn)) {
		it->origin = sn.origin;
		it->tier = sn.tier;
		it->when = sn.when;
		if (sn.tier == ZEIT_TIER_NONE)
			snprintf(it->reason, sizeof(it->reason),
			         "%s label '%s' is no tier",
			         snap_origin_prefix(sn.origin), sn.label);
	} else if (snapname_read(names, snap, SNAP_ORIGIN_ALL, &sn)) {
		it->when = sn.when;
		snprintf(it->reason, sizeof(it->reason), "%s names not adopted",
		         snap_origin_prefix(sn.origin));
	} else {
		snprintf(it->reason, sizeof(it->reason), "not made by zeit");
	}
}

void prune_plan_dataset(const struct policy *pol,
                        const struct snapname_rules *names, unsigned origins,
                        const char *const *snaps, size_t n, time_t now,
                        struct prune_plan *out)
{
	struct prune_plan tmp;

	prune_plan_init(&tmp);
	for (size_t i = 0; i < n; i++)
		read_item(names, origins, snaps[i], plan_add(&tmp));
	qsort(tmp.v, tmp.n, sizeof(*tmp.v), by_time_desc);

	for (int t = 0; t < ZEIT_TIER_COUNT; t++) {
		const struct keep_rule *r = &pol->tier[t];
		char rule[32];
		long long rank = 0;

		format_rule(r, rule, sizeof(rule));
		for (size_t i = 0; i < tmp.n; i++) {
			struct prune_item *it = &tmp.v[i];
			if (!it->origin || it->tier != (enum zeit_tier)t)
				continue;
			const char *tn = zeit_tier_name(it->tier);
			if (it->when > now) {
				/* Dated in the future (a clock that was ahead,
				 * here or on a replica's source): kept, and
				 * takes no count slot, so it never costs a
				 * real snapshot. */
				snprintf(it->reason, sizeof(it->reason),
				         "%s: dated in the future", tn);
				continue;
			}
			if (r->n == 0) {
				it->action = PRUNE_DESTROY;
				snprintf(it->reason, sizeof(it->reason),
				         "%s: tier off (%s=0)", tn, tn);
			} else if (r->kind == KEEP_COUNT) {
				bool keep = rank < r->n;
				it->action = keep ? PRUNE_KEEP : PRUNE_DESTROY;
				snprintf(it->reason, sizeof(it->reason),
				         "%s: %s the newest %s", tn,
				         keep ? "one of" : "beyond", rule);
			} else {
				bool keep = (long long)(now - it->when) < r->n;
				it->action = keep ? PRUNE_KEEP : PRUNE_DESTROY;
				snprintf(it->reason, sizeof(it->reason),
				         "%s: %s than %s", tn,
				         keep ? "younger" : "older", rule);
			}
			rank++;
		}
	}
	for (size_t i = 0; i < tmp.n; i++) {
		struct prune_item *it = plan_add(out);
		*it = tmp.v[i];
	}
	free(tmp.v);
}
