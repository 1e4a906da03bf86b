/* Which snapshots zeit status lists: the named roots' trees and, once
 * each, the local sources of the replicas in them, never every pool's
 * history. A machine's other pools (a replica target, another tool's
 * pool) can hold many times the roots' snapshots, and listing them cost
 * status nearly all its time (172 s for 10,000 snapshots in bench/scale,
 * where zfs list -r of the root takes a fifth of it). */
#include <stdlib.h>
#include <string.h>

#include "zeit/select.h"
#include "zeit/status.h"

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool under_any(const char *name, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (zfs_name_under(name, v[i]))
			return true;
	return false;
}

/* Sorts s and drops repeats and, with nested, names under one kept
 * (sorted, an ancestor comes first; roots are few, so each is asked). */
static void sort_unique(struct strv *s, bool nested)
{
	size_t k = 0;

	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), by_str);
	for (size_t i = 0; i < s->n; i++) {
		if (k && (!strcmp(s->v[k - 1], s->v[i]) ||
		          (nested &&
		           under_any(s->v[i], (const char *const *)s->v, k)))) {
			free(s->v[i]);
			continue;
		}
		s->v[k++] = s->v[i];
	}
	s->n = k;
	if (s->v)
		s->v[k] = NULL;
}

void status_snap_scope(const struct zfs_dataset_list *ds,
                       const char *const *roots, const char *hostname,
                       struct strv *trees, struct strv *sources)
{
	/* A source is listed only if the listing has it: its value is
	 * whatever a sender set, and one that is no dataset here is
	 * reported gone, not asked of zfs. */
	const char **names = xcalloc(ds->n + 1, sizeof(*names));
	for (size_t i = 0; i < ds->n; i++)
		names[i] = ds->v[i].name;
	qsort(names, ds->n, sizeof(*names), by_str);
	strv_init(trees);
	strv_init(sources);
	strv_pushv(trees, roots);
	sort_unique(trees, true);
	for (size_t i = 0; i < ds->n; i++) {
		const struct zfs_dataset *d = &ds->v[i];
		if (!under_any(d->name, (const char *const *)trees->v,
		               trees->n))
			continue;
		const char *src = d->values[DSP_COUNT + STP_SOURCE];
		const char *colon = strchr(src, ':');
		if (!strcmp(src, "-") || !*src)
			continue;
		if (colon && ((size_t)(colon - src) != strlen(hostname) ||
		              strncmp(src, hostname, colon - src)))
			continue; /* another host's: its last-sent time only */
		const char *sds = colon ? colon + 1 : src;
		if (bsearch(&sds, names, ds->n, sizeof(*names), by_str) &&
		    !under_any(sds, (const char *const *)trees->v, trees->n))
			strv_push(sources, sds);
	}
	free(names);
	sort_unique(sources, false);
}

/* Moves b's snapshots to the end of a. */
static void append(struct zfs_snap_list *a, struct zfs_snap_list *b)
{
	if (!b->n) {
		zfs_snap_list_free(b);
		return;
	}
	a->v = xrealloc(a->v, (a->n + b->n + 1) * sizeof(*a->v));
	memcpy(a->v + a->n, b->v, b->n * sizeof(*b->v));
	a->n += b->n;
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

int status_list_snaps(struct zfs *zh, const struct zfs_dataset_list *ds,
                      const char *const *roots, const char *hostname,
                      struct zfs_snap_list *out)
{
	struct strv trees, sources;
	struct zfs_snap_list more;

	if (!roots || !roots[0])
		return zfs_list_snapshots(zh, NULL, ZFS_SNAP_RECURSIVE, out);
	status_snap_scope(ds, roots, hostname, &trees, &sources);
	int rc = zfs_list_snapshots_roots(zh, (const char *const *)trees.v,
	                                  ZFS_SNAP_RECURSIVE, out, NULL);
	if (rc == 0 && sources.n) {
		/* A source destroyed since the first listing is reported
		 * gone, not a failure. */
		bool *missing = xcalloc(sources.n + 1, sizeof(*missing));
		rc = zfs_list_snapshots_roots(
		        zh, (const char *const *)sources.v, 0, &more, missing);
		free(missing);
		if (rc == 0)
			append(out, &more);
		else
			zfs_snap_list_free(out);
	}
	strv_free(&trees);
	strv_free(&sources);
	return rc;
}
