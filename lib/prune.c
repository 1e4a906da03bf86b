/* Carrying out a prune plan on one pool. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/prune.h"

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keeps each of names for why; returns how many there were. Sorted and
 * searched: a pool's held snapshots can be thousands, its plan 100,000. */
static size_t mark_all(struct prune_plan *plan, const struct strv *names,
                       const char *why)
{
	if (!why || !names->n)
		return names->n;
	char **sorted = xcalloc(names->n, sizeof(*sorted));
	memcpy(sorted, names->v, names->n * sizeof(*sorted));
	qsort(sorted, names->n, sizeof(*sorted), by_str);
	for (size_t i = 0; i < plan->n; i++) {
		struct prune_item *it = &plan->v[i];
		if (it->action == PRUNE_DESTROY &&
		    bsearch(&it->name, sorted, names->n, sizeof(*sorted),
		            by_str)) {
			it->action = PRUNE_KEEP;
			snprintf(it->reason, sizeof(it->reason), "%s", why);
		}
	}
	free(sorted);
	return names->n;
}

/* A checked destroy's result applied to plan. */
static int apply_result(struct zeit *z, const char *pool,
                        const struct zfs_destroy_result *r,
                        struct prune_plan *plan, struct prune_exec_stats *st)
{
	if (r->failed)
		return zeit_fail(z, r->error,
		                 "prune on %s: cannot destroy %s: %s; nothing "
		                 "was destroyed",
		                 pool, r->failed, strerror(r->error));
	st->held +=
	        mark_all(plan, &r->held, "held (zfs holds); never destroyed");
	st->cloned += mark_all(plan, &r->cloned,
	                       "origin of a clone; never destroyed");
	mark_all(plan, &r->gone, "already gone");
	st->destroyed += z->dry_run ? 0 : mark_all(plan, &r->destroyed, NULL);
	st->used_program = true;
	return 0;
}

static int run_program(struct zfs *zh, const char *pool,
                       struct prune_plan *plan, const struct strv *doomed,
                       struct prune_exec_stats *st)
{
	struct zfs_destroy_result r;
	char what[ZFS_MAX_NAME_LEN + 16];

	snprintf(what, sizeof(what), "prune on %s", pool);
	int rc = zfs_destroy_checked(zh, pool, (const char *const *)doomed->v,
	                             doomed->n, zh->z->dry_run, what, &r);
	if (rc == 0)
		rc = apply_result(zh->z, pool, &r, plan, st);
	zfs_destroy_result_free(&r);
	return rc;
}

int prune_result_parse(struct zeit *z, const char *pool, const char *json,
                       struct prune_plan *plan, struct prune_exec_stats *st)
{
	struct zfs_destroy_result r;
	char what[ZFS_MAX_NAME_LEN + 16];

	snprintf(what, sizeof(what), "prune on %s", pool);
	int rc = zfs_destroy_checked_parse(z, what, json, &r);
	if (rc == 0)
		rc = apply_result(z, pool, &r, plan, st);
	zfs_destroy_result_free(&r);
	return rc;
}

/* Without channel programs: one `zfs get` for the facts, then one batched
 * `zfs destroy` per dataset. */
static int run_batches(struct zfs *zh, struct prune_plan *plan,
                       const struct strv *doomed, struct prune_exec_stats *st)
{
	static const char *const props[] = {"userrefs", "clones", NULL};
	struct strv go, held, cloned;
	int rc = 0;

	strv_init(&go);
	strv_init(&held);
	strv_init(&cloned);
	/* One zfs get for the facts (more only for a list too long for one
	 * command line), then one batched destroy per dataset. */
	for (size_t from = 0; from < doomed->n && rc == 0;) {
		struct zfs_prop_list pl;
		struct strv chunk;
		size_t bytes = 0, to = from;
		strv_init(&chunk);
		while (to < doomed->n &&
		       (to == from || bytes + strlen(doomed->v[to]) + 1 <=
		                              ZFS_DESTROY_ARG_LIMIT)) {
			bytes += strlen(doomed->v[to]) + 1;
			strv_push(&chunk, doomed->v[to++]);
		}
		rc = zfs_get_props(zh, (const char *const *)chunk.v, 0, props,
		                   &pl);
		for (size_t i = 0; rc == 0 && i < chunk.n; i++) {
			const char *s = chunk.v[i];
			const struct zfs_prop *refs =
			        zfs_prop_find(&pl, s, "userrefs");
			const struct zfs_prop *cl =
			        zfs_prop_find(&pl, s, "clones");
			if (refs && strcmp(refs->value, "0") != 0 &&
			    strcmp(refs->value, "-") != 0)
				strv_push(&held, s);
			else if (cl && cl->value[0] &&
			         strcmp(cl->value, "-") != 0)
				strv_push(&cloned, s);
			else
				strv_push(&go, s);
		}
		if (rc == 0)
			zfs_prop_list_free(&pl);
		strv_free(&chunk);
		from = to;
	}
	st->held += mark_all(plan, &held, "held (zfs holds); never destroyed");
	st->cloned +=
	        mark_all(plan, &cloned, "origin of a clone; never destroyed");
	strv_free(&held);
	strv_free(&cloned);
	if (rc == 0 && go.n && !zh->z->dry_run) {
		struct zfs_destroy_result r;
		rc = zfs_destroy_snapshots_report(zh, (const char *const *)go.v,
		                                  false, ZFS_DESTROY_ARG_LIMIT,
		                                  &r);
		st->destroyed += r.destroyed.n;
		zfs_destroy_result_free(&r);
	}
	strv_free(&go);
	return rc;
}

int prune_execute(struct zfs *zh, const char *pool, struct prune_plan *plan,
                  enum prune_mode mode, struct prune_exec_stats *st)
{
	char p[ZFS_MAX_NAME_LEN + 1];
	struct strv doomed;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	strv_init(&doomed);
	for (size_t i = 0; i < plan->n; i++) {
		if (plan->v[i].action != PRUNE_DESTROY)
			continue;
		zfs_pool_of(plan->v[i].name, p, sizeof(p));
		if (strcmp(p, pool) == 0)
			strv_push(&doomed, plan->v[i].name);
	}
	if (doomed.n == 0) {
		strv_free(&doomed);
		return 0;
	}
	if (mode != PRUNE_MODE_BATCH) {
		rc = run_program(zh, pool, plan, &doomed, st);
		if (rc < 0 && mode == PRUNE_MODE_AUTO &&
		    zfs_program_unavailable(zh->z)) {
			zeit_note(zh->z, 1,
			          "channel programs unavailable on %s (%s); "
			          "destroying in batches",
			          pool, zeit_error(zh->z));
			zeit_clear_error(zh->z);
			rc = run_batches(zh, plan, &doomed, st);
		}
	} else {
		rc = run_batches(zh, plan, &doomed, st);
	}
	strv_free(&doomed);
	return rc;
}
