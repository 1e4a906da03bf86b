/* Carrying out a prune plan on one pool. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/prune.h"

/* Marks the item named s as kept for `why`. */
static void mark_kept(struct prune_plan *plan, const char *s, const char *why)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].action == PRUNE_DESTROY &&
		    strcmp(plan->v[i].name, s) == 0) {
			plan->v[i].action = PRUNE_KEEP;
			snprintf(plan->v[i].reason, sizeof(plan->v[i].reason),
			         "%s", why);
		}
}

/* Applies a "\n"-joined list from the program's result. Anything but a
 * string (null, a number, a table) lists nothing. */
static size_t mark_list(struct prune_plan *plan, json_object *ret,
                        const char *key, const char *why)
{
	json_object *v;
	size_t n = 0;

	if (!json_object_object_get_ex(ret, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return 0;
	char *copy = xstrdup(json_object_get_string(v));
	for (char *s = copy, *nl; s && *s; s = nl ? nl + 1 : NULL) {
		nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		if (why)
			mark_kept(plan, s, why);
		n++;
	}
	free(copy);
	return n;
}

static int run_program(struct zfs *zh, const char *pool,
                       struct prune_plan *plan, const struct strv *doomed,
                       struct prune_exec_stats *st)
{
	char *src =
	        prune_program_source((const char *const *)doomed->v, doomed->n);
	const char *args[] = {zh->z->dry_run ? "check" : "destroy", NULL};
	/* A few hundred instructions a snapshot; zfs caps the limit at 1e8. */
	unsigned long long limit = 1000000ULL + 2000ULL * doomed->n;
	struct zfs_program_opts o = {
	        .pool = pool,
	        .script = src,
	        .args = args,
	        .instr_limit = limit > 100000000ULL ? 100000000ULL : limit,
	        /* The names live in the script: allow for them (zfs caps
	         * the limit at 100 MiB). */
	        .mem_limit = 10485760ULL + 1024ULL * doomed->n > 104857600ULL
	                             ? 104857600ULL
	                             : 10485760ULL + 1024ULL * doomed->n,
	        .no_sync = zh->z->dry_run,
	};
	char *out = NULL;
	int rc = zfs_program(zh, &o, &out);
	free(src);
	if (rc == 0)
		rc = prune_result_parse(zh->z, pool, out, plan, st);
	free(out);
	return rc;
}

int prune_result_parse(struct zeit *z, const char *pool, const char *json,
                       struct prune_plan *plan, struct prune_exec_stats *st)
{
	json_object *root = json_tokener_parse(json), *ret = NULL, *failed;
	int rc;

	if (!root || !json_object_object_get_ex(root, "return", &ret) ||
	    !json_object_is_type(ret, json_type_object)) {
		rc = zeit_fail(
		        z, EPROTO,
		        "prune on %s: unexpected channel program output: "
		        "%.200s",
		        pool, json);
		goto done;
	}
	if (json_object_object_get_ex(ret, "failed", &failed)) {
		json_object *e = NULL;
		int err = json_object_object_get_ex(ret, "error", &e) &&
		                          json_object_is_type(e, json_type_int)
		                  ? json_object_get_int(e)
		                  : EIO;
		const char *what = json_object_is_type(failed, json_type_string)
		                           ? json_object_get_string(failed)
		                           : "a snapshot";
		if (err <= 0)
			err = EIO;
		rc = zeit_fail(
		        z, err,
		        "prune on %s: cannot destroy %s: %s; nothing was "
		        "destroyed",
		        pool, what, strerror(err));
		goto done;
	}
	st->held += mark_list(plan, ret, "held",
	                      "held (zfs holds); never destroyed");
	st->cloned += mark_list(plan, ret, "cloned",
	                        "origin of a clone; never destroyed");
	mark_list(plan, ret, "gone", "already gone");
	st->destroyed +=
	        z->dry_run ? 0 : mark_list(plan, ret, "destroyed", NULL);
	st->used_program = true;
	rc = 0;
done:
	json_object_put(root);
	return rc;
}

/* Without channel programs: one `zfs get` for the facts, then one batched
 * `zfs destroy` per dataset. */
static int run_batches(struct zfs *zh, struct prune_plan *plan,
                       const struct strv *doomed, struct prune_exec_stats *st)
{
	static const char *const props[] = {"userrefs", "clones", NULL};
	struct strv go;
	int rc = 0;

	strv_init(&go);
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
			    strcmp(refs->value, "-") != 0) {
				mark_kept(plan, s,
				          "held (zfs holds); never destroyed");
				st->held++;
			} else if (cl && cl->value[0] &&
			           strcmp(cl->value, "-") != 0) {
				mark_kept(plan, s,
				          "origin of a clone; never destroyed");
				st->cloned++;
			} else {
				strv_push(&go, s);
			}
		}
		if (rc == 0)
			zfs_prop_list_free(&pl);
		strv_free(&chunk);
		from = to;
	}
	if (rc == 0 && go.n && !zh->z->dry_run) {
		rc = zfs_destroy_snapshots(zh, (const char *const *)go.v,
		                           false);
		if (rc == 0)
			st->destroyed += go.n;
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
