#include "zeit/select.h"

#include <stdlib.h>
#include <string.h>

#include "zeit/props.h"

const char *const *select_props(void)
{
	static const char *const props[DSP_COUNT + 1] = {
	        ZEIT_PROP_SNAP,
	        "com.sun:auto-snapshot",
	        "com.sun:auto-snapshot:frequent",
	        "com.sun:auto-snapshot:hourly",
	        "com.sun:auto-snapshot:daily",
	        "com.sun:auto-snapshot:weekly",
	        "com.sun:auto-snapshot:monthly",
	        "com.sun:auto-snapshot:yearly",
	        ZEIT_PROP_KEEP,
	        ZEIT_PROP_PRUNE,
	        ZEIT_PROP_SNAP_ERROR,
	        ZEIT_PROP_PRUNE_ERROR,
	        NULL,
	};
	return props;
}

void select_pools_with(const struct zfs_dataset_list *all, int col,
                       struct strv *out)
{
	for (size_t i = 0; i < all->n; i++) {
		const struct zfs_dataset *d = &all->v[i];
		if (!strchr(d->name, '/') && d->values &&
		    strcmp(d->values[col], "-"))
			strv_push(out, d->name);
	}
}

static int tristate(const char *v)
{
	if (!v || !strcmp(v, "-") || !*v)
		return -1;
	if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes"))
		return 1;
	if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no"))
		return 0;
	return -1;
}

void ds_view_from(const struct zfs_dataset *d, struct ds_view *v)
{
	memset(v, 0, sizeof(*v));
	v->name = d->name;
	v->snap = tristate(d->values[DSP_SNAP]);
	v->autosnap = tristate(d->values[DSP_AUTOSNAP]);
	for (int t = 0; t < ZEIT_TIER_TIMED; t++)
		v->tier_off[t] =
		        tristate(d->values[DSP_AUTOSNAP_TIER0 + t]) == 0;
	v->keep = strcmp(d->values[DSP_KEEP], "-") ? d->values[DSP_KEEP] : NULL;
	v->prune_off = tristate(d->values[DSP_PRUNE]) == 0;
}

bool ds_excluded(const struct ds_view *v)
{
	return v->snap == 0 || v->autosnap == 0;
}

bool ds_auto_selected(const struct ds_view *v, const struct zeit_config *c)
{
	if (ds_excluded(v))
		return false;
	if (v->snap == 1)
		return true;
	const struct config_section *s =
	        config_section_for(c, v->name, CONFIG_WANT_SNAP);
	if (s)
		return s->snap == 1;
	return v->autosnap == 1;
}

void tiers_due(const struct policy *p, const bool tier_off[ZEIT_TIER_COUNT],
               const time_t newest[ZEIT_TIER_COUNT], time_t now,
               bool due[ZEIT_TIER_COUNT])
{
	for (int t = 0; t < ZEIT_TIER_COUNT; t++) {
		enum zeit_tier tier = (enum zeit_tier)t;
		/* A newest dated after now (a clock that was ahead) is no
		 * newest: it must not keep the tier from being taken. */
		bool none = newest[t] == 0 || newest[t] > now;
		due[t] = policy_tier_enabled(p, tier) && !tier_off[t] &&
		         (none || tier_bucket(tier, newest[t]) <
		                          tier_bucket(tier, now));
	}
}

static int by_name(const void *a, const void *b)
{
	const struct zfs_dataset *x = a, *y = b;
	return strcmp(x->name, y->name);
}

/* Index of name in the sorted dataset list, or -1. */
long select_find(const struct zfs_dataset_list *l, const char *name, size_t len)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(l->v[mid].name, name, len);
		if (c == 0 && l->v[mid].name[len] != '\0')
			c = 1;
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int select_list(struct zfs *zh, const char *const *roots, bool recursive,
                struct zfs_dataset_list *all, bool **named)
{
	const char *const *props = select_props();
	size_t nroots = 0;

	for (; roots && roots[nroots]; nroots++)
		;
	*named = NULL;
	if (nroots == 0) {
		if (zfs_list_datasets(zh, NULL, -1, 0, props, all) < 0)
			return -1;
		*named = xcalloc(all->n ? all->n : 1, sizeof(bool));
		qsort(all->v, all->n, sizeof(*all->v), by_name);
		return 0;
	}
	all->v = NULL;
	all->n = 0;
	all->nprops = DSP_COUNT;
	for (size_t r = 0; r < nroots; r++) {
		struct zfs_dataset_list one;
		if (zfs_list_datasets(zh, roots[r], recursive ? -1 : 0, 0,
		                      props, &one) < 0) {
			zfs_dataset_list_free(all);
			return -1;
		}
		all->v = xrealloc(all->v, (all->n + one.n) * sizeof(*all->v));
		memcpy(all->v + all->n, one.v, one.n * sizeof(*one.v));
		all->n += one.n;
		free(one.v);
	}
	qsort(all->v, all->n, sizeof(*all->v), by_name);
	/* Overlapping roots (tank and tank/a with -r) list some twice. */
	size_t w = 0;
	for (size_t i = 0; i < all->n; i++) {
		if (w && !strcmp(all->v[w - 1].name, all->v[i].name)) {
			zfs_dataset_free(&all->v[i], all->nprops);
			continue;
		}
		all->v[w++] = all->v[i];
	}
	all->n = w;
	*named = xcalloc(all->n ? all->n : 1, sizeof(bool));
	for (size_t i = 0; i < all->n; i++)
		for (size_t r = 0; r < nroots; r++)
			(*named)[i] |= !strcmp(all->v[i].name, roots[r]);
	return 0;
}
