/* The snapshots of one dataset from a tree listing: a hash of dataset
 * names to groups, filled in two passes over the listing (count, then
 * place), so building is linear and each group keeps the listing's
 * createtxg order. */
#include "zeit/zfs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct zfs_snap_group {
	const char *name; /* the dataset part of a member's name */
	size_t len;       /* of that part; 0: slot unused */
	size_t first, n;  /* members: v[first .. first + n) */
};

static size_t dataset_len(const char *name)
{
	return strcspn(name, "@#");
}

static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static struct zfs_snap_group *slot(const struct zfs_snap_index *ix,
                                   const char *name, size_t len)
{
	size_t i = (size_t)hash(name, len) & (ix->nslots - 1);
	while (ix->slots[i].len && (ix->slots[i].len != len ||
	                            memcmp(ix->slots[i].name, name, len)))
		i = (i + 1) & (ix->nslots - 1);
	return &ix->slots[i];
}

/* The group of s's dataset, made on first sight; NULL for a row with
 * no name (or an empty dataset part). */
static struct zfs_snap_group *group_of(struct zfs_snap_index *ix,
                                       const struct zfs_snap *s)
{
	size_t len = s->name ? dataset_len(s->name) : 0;
	if (!len)
		return NULL;
	struct zfs_snap_group *g = slot(ix, s->name, len);
	if (!g->len)
		*g = (struct zfs_snap_group){s->name, len, 0, 0};
	return g;
}

void zfs_snap_index_build(struct zfs_snap_index *ix,
                          const struct zfs_snap_list *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].name != NULL;
	ix->nslots = 2;
	while (ix->nslots < 2 * n)
		ix->nslots *= 2;
	ix->slots = xcalloc(ix->nslots, sizeof(*ix->slots));
	ix->v = xcalloc(n + 1, sizeof(*ix->v));
	/* Pass 1: count each dataset's members. */
	size_t next = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct zfs_snap_group *g = group_of(ix, &l->v[i]);
		if (g)
			g->n++;
	}
	for (size_t i = 0; i < ix->nslots; i++)
		if (ix->slots[i].len) {
			ix->slots[i].first = next;
			next += ix->slots[i].n;
			ix->slots[i].n = 0;
		}
	/* Pass 2: place them, keeping the listing's order. */
	for (size_t i = 0; i < l->n; i++) {
		struct zfs_snap_group *g = group_of(ix, &l->v[i]);
		if (g)
			ix->v[g->first + g->n++] = &l->v[i];
	}
}

const struct zfs_snap *const *zfs_snap_index_of(const struct zfs_snap_index *ix,
                                                const char *ds, size_t *n)
{
	size_t len = strlen(ds);
	*n = 0;
	if (!len || !ix->nslots || len != dataset_len(ds))
		return NULL;
	const struct zfs_snap_group *g = slot(ix, ds, len);
	if (!g->len)
		return NULL;
	*n = g->n;
	return ix->v + g->first;
}

void zfs_snap_index_free(struct zfs_snap_index *ix)
{
	free(ix->slots);
	free(ix->v);
	memset(ix, 0, sizeof(*ix));
}
