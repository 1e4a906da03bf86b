/* Taking a run's snapshots inside their hooks: [defaults]' hooks around
 * the whole run, each [DATASET] section's around each dataset of its tree.
 * All pre-hooks finish before the first snapshot and no post-hook starts
 * before the last, so what a pre-hook froze stays frozen across every
 * atomic call of the run. */
#include "zeit/snap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/hook.h"
#include "zeit/props.h"
#include "zeit/send_auto.h"
#include "zeit/ztime.h"

enum pre_state { PRE_NONE, PRE_OK, PRE_FAILED };

/* One dataset of the run and what its hooks did. */
struct hooked_ds {
	char *name;
	struct strv snaps;                /* its snapshots in this run */
	const struct config_hooks *hooks; /* its section's, or NULL */
	enum pre_state pre;
	bool skipped; /* left out by a failed pre-hook */
	char *error;  /* its first failure, or NULL */
};

struct hook_run {
	struct zfs *zh;
	const struct zeit_config *cfg;
	const struct config_hooks *run; /* [defaults]' or NULL */
	struct hooked_ds *ds;
	size_t n;
	enum pre_state run_pre;
	bool taken_failed;  /* a zfs snapshot call failed */
	char *run_error;    /* the run-wide hooks' first failure */
	struct strv *fails; /* messages for the caller */
};

static struct hooked_ds *ds_find(struct hook_run *r, const char *name,
                                 size_t len)
{
	for (size_t i = 0; i < r->n; i++)
		if (strlen(r->ds[i].name) == len &&
		    !strncmp(r->ds[i].name, name, len))
			return &r->ds[i];
	r->ds = xrealloc(r->ds, (r->n + 1) * sizeof(*r->ds));
	struct hooked_ds *d = &r->ds[r->n++];
	memset(d, 0, sizeof(*d));
	d->name = xstrndup(name, len);
	strv_init(&d->snaps);
	const struct config_section *s =
	        config_section_for(r->cfg, d->name, CONFIG_WANT_HOOKS);
	d->hooks = s ? &s->hooks : NULL;
	return d;
}

static void group_by_dataset(struct hook_run *r, const struct strv *names)
{
	for (size_t i = 0; i < names->n; i++) {
		const char *at = strchr(names->v[i], '@');
		size_t len =
		        at ? (size_t)(at - names->v[i]) : strlen(names->v[i]);
		strv_push(&ds_find(r, names->v[i], len)->snaps, names->v[i]);
	}
}

/* The tiers of snaps, space-separated, as their names say. */
static char *tiers_of(const struct zeit *z, const struct strv *snaps)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < snaps->n; i++) {
		struct snapname sn;
		const char *at = strchr(snaps->v[i], '@');
		if (at &&
		    snapname_read(&z->names, at + 1, SNAP_ORIGIN_ZEIT, &sn) &&
		    sn.tier != ZEIT_TIER_NONE) {
			if (b.len)
				buf_addc(&b, ' ');
			buf_adds(&b, zeit_tier_name(sn.tier));
		}
	}
	return buf_detach(&b);
}

static char *joined(const struct strv *v, char sep)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			buf_addc(&b, sep);
		buf_adds(&b, v->v[i]);
	}
	return buf_detach(&b);
}

/* The environment a hook of one dataset (d) or of the run (NULL) gets. */
static void scope_env(struct hook_run *r, const struct hooked_ds *d,
                      struct strv *env)
{
	struct strv names, snaps;
	char when[32];
	strv_init(&names);
	strv_init(&snaps);
	for (size_t i = 0; i < r->n; i++)
		if (!d || d == &r->ds[i]) {
			strv_push(&names, r->ds[i].name);
			strv_pushv(&snaps,
			           (const char *const *)r->ds[i].snaps.v);
		}
	char *names_s = joined(&names, '\n');
	char *snaps_s = joined(&snaps, '\n');
	char *tiers = tiers_of(r->zh->z, &snaps);
	char *first_tier = xstrndup(tiers, strcspn(tiers, " "));
	ztime_format(r->zh->z->now, when, sizeof(when));
	strv_init(env);
	hook_env(env, "ZEIT_SCOPE", d ? "dataset" : "run");
	if (d)
		hook_env(env, "ZEIT_DATASET", d->name);
	hook_env(env, "ZEIT_DATASETS", names_s);
	hook_env(env, "ZEIT_SNAPSHOT", snaps.n ? snaps.v[0] : "");
	hook_env(env, "ZEIT_SNAPSHOTS", snaps_s);
	hook_env(env, "ZEIT_TIER", first_tier);
	hook_env(env, "ZEIT_TIERS", tiers);
	hook_env(env, "ZEIT_TIME", when);
	free(names_s);
	free(snaps_s);
	free(tiers);
	free(first_tier);
	strv_free(&names);
	strv_free(&snaps);
}

/* Runs one hook of d (or of the run); true when it succeeded. A failure
 * goes into *error (if empty) and the caller's messages. */
static bool call(struct hook_run *r, struct hooked_ds *d,
                 const struct config_hooks *h, enum hook_phase phase,
                 struct strv *extra, char **error)
{
	const char *cmd = phase == HOOK_PHASE_PRE    ? h->pre
	                  : phase == HOOK_PHASE_POST ? h->post
	                                             : h->failure;
	char key[48];
	struct strv env;
	char *why = NULL;
	hook_key_name("snapshot", phase, key, sizeof(key));
	const char *scope = d ? d->name : "the run";
	if (r->zh->z->dry_run) {
		zeit_note(r->zh->z, 0, "would run %s hook (%s): %s", key, scope,
		          cmd);
		return true;
	}
	scope_env(r, d, &env);
	if (extra)
		strv_pushv(&env, (const char *const *)extra->v);
	zeit_note(r->zh->z, 1, "running %s hook (%s)", key, scope);
	int rc = hook_exec(r->zh->z, cmd, hook_timeout(h, r->run), key,
	                   (const char *const *)env.v, &why);
	strv_free(&env);
	if (rc == 0)
		return true;
	char *msg = xasprintf("%s hook (%s) failed: %s", key, scope, why);
	strv_push(r->fails, msg);
	if (!*error)
		*error = msg;
	else
		free(msg);
	free(why);
	return false;
}

static void pre_hooks(struct hook_run *r)
{
	if (r->run && r->run->pre) {
		bool ok = call(r, NULL, r->run, HOOK_PHASE_PRE, NULL,
		               &r->run_error);
		r->run_pre = ok ? PRE_OK : PRE_FAILED;
		if (!ok && hook_pre_failure(r->run, NULL) == HOOK_PRE_SKIP)
			for (size_t i = 0; i < r->n; i++)
				r->ds[i].skipped = true;
	}
	for (size_t i = 0; i < r->n; i++) {
		struct hooked_ds *d = &r->ds[i];
		if (d->skipped || !d->hooks || !d->hooks->pre)
			continue;
		bool ok = call(r, d, d->hooks, HOOK_PHASE_PRE, NULL, &d->error);
		d->pre = ok ? PRE_OK : PRE_FAILED;
		if (!ok && hook_pre_failure(d->hooks, r->run) == HOOK_PRE_SKIP)
			d->skipped = true;
	}
}

/* The snapshots of the datasets not skipped, into names (replacing the
 * plan's, so what is reported taken is what was). */
static int take(struct hook_run *r, struct strv *names)
{
	struct strv keep;
	strv_init(&keep);
	for (size_t i = 0; i < names->n; i++) {
		const char *at = strchr(names->v[i], '@');
		size_t len =
		        at ? (size_t)(at - names->v[i]) : strlen(names->v[i]);
		if (!ds_find(r, names->v[i], len)->skipped)
			strv_push(&keep, names->v[i]);
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->ds[i].skipped)
			strv_pushf(r->fails, "%s: not snapshotted (%s)",
			           r->ds[i].name,
			           r->ds[i].error
			                   ? "its pre_snapshot hook failed"
			                   : "the run's pre_snapshot "
			                     "hook failed");
	strv_free(names);
	*names = keep;
	if (r->zh->z->dry_run || names->n == 0)
		return 0;
	int rc = snap_apply(r->zh, (const char *const *)names->v);
	r->taken_failed = rc < 0;
	return rc;
}

static const char *result_of(const struct hook_run *r,
                             const struct hooked_ds *d)
{
	if (d && d->skipped)
		return "skipped";
	if (!d) {
		size_t skipped = 0;
		for (size_t i = 0; i < r->n; i++)
			skipped += r->ds[i].skipped;
		if (skipped == r->n)
			return "skipped";
	}
	return r->taken_failed ? "failed" : "taken";
}

static const char *pre_word(enum pre_state s)
{
	return s == PRE_OK ? "ok" : s == PRE_FAILED ? "failed" : "none";
}

/* A post-hook runs when its pre-hook did not fail, or when asked to
 * anyway (to thaw what a half-done pre-hook froze). */
static void post_hooks(struct hook_run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct hooked_ds *d = &r->ds[i];
		/* A pre-hook that never ran (the run's failed first) froze
		 * nothing: its post-hook has nothing to undo. */
		if (!d->hooks || !d->hooks->post ||
		    (d->hooks->pre && d->pre == PRE_NONE) ||
		    (d->pre == PRE_FAILED &&
		     !hook_post_always(d->hooks, r->run)))
			continue;
		struct strv extra;
		strv_init(&extra);
		hook_env(&extra, "ZEIT_PRE", pre_word(d->pre));
		hook_env(&extra, "ZEIT_RESULT", result_of(r, d));
		call(r, d, d->hooks, HOOK_PHASE_POST, &extra, &d->error);
		strv_free(&extra);
	}
	if (r->run && r->run->post &&
	    (r->run_pre != PRE_FAILED || hook_post_always(r->run, NULL))) {
		struct strv extra;
		strv_init(&extra);
		hook_env(&extra, "ZEIT_PRE", pre_word(r->run_pre));
		hook_env(&extra, "ZEIT_RESULT", result_of(r, NULL));
		call(r, NULL, r->run, HOOK_PHASE_POST, &extra, &r->run_error);
		strv_free(&extra);
	}
}

static void failure_hooks(struct hook_run *r, const char *snap_error)
{
	for (size_t i = 0; i < r->n; i++) {
		struct hooked_ds *d = &r->ds[i];
		const char *why = d->error ? d->error : snap_error;
		if (!d->hooks || !d->hooks->failure || !why)
			continue;
		struct strv extra;
		strv_init(&extra);
		hook_env(&extra, "ZEIT_ERROR", why);
		hook_env(&extra, "ZEIT_RESULT", result_of(r, d));
		call(r, d, d->hooks, HOOK_PHASE_FAILURE, &extra, &d->error);
		strv_free(&extra);
	}
	const char *why = r->run_error ? r->run_error : snap_error;
	for (size_t i = 0; !why && i < r->n; i++)
		why = r->ds[i].error;
	if (r->run && r->run->failure && why) {
		struct strv extra;
		strv_init(&extra);
		hook_env(&extra, "ZEIT_ERROR", why);
		hook_env(&extra, "ZEIT_RESULT", result_of(r, NULL));
		call(r, NULL, r->run, HOOK_PHASE_FAILURE, &extra,
		     &r->run_error);
		strv_free(&extra);
	}
}

/* A failure where zeit status reads snap's outcome: org.zeit:run:snap:error
 * ("TIME MESSAGE") on the root of each pool whose hooks or snapshot
 * failed; a run whose hooks all went well resets it ("-") on the pools it
 * hooked where one is recorded (one zfs get, a zfs set where it changes). */
static void record(struct hook_run *r, const char *snap_error)
{
	struct zeit *z = r->zh->z;
	struct strv pools, why;
	struct zfs_prop_list l = {0};
	const char *const props[] = {ZEIT_PROP_SNAP_ERROR, NULL};
	strv_init(&pools);
	strv_init(&why);
	for (size_t i = 0; i < r->n; i++) {
		const struct hooked_ds *d = &r->ds[i];
		if (!d->hooks && !r->run)
			continue;
		char pool[ZFS_MAX_NAME_LEN + 1];
		zfs_pool_of(d->name, pool, sizeof(pool));
		const char *w = d->error       ? d->error
		                : r->run_error ? r->run_error
		                               : snap_error;
		size_t k = 0;
		while (k < pools.n && strcmp(pools.v[k], pool))
			k++;
		if (k == pools.n) {
			strv_push(&pools, pool);
			strv_push(&why, w ? w : "");
		} else if (w && !*why.v[k]) {
			free(why.v[k]);
			why.v[k] = xstrdup(w);
		}
	}
	zeit_keep_error(z);
	if (pools.n && zfs_get_props(r->zh, (const char *const *)pools.v, 0,
	                             props, &l) == 0)
		for (size_t k = 0; k < pools.n; k++) {
			const struct zfs_prop *p = zfs_prop_find(
			        &l, pools.v[k], ZEIT_PROP_SNAP_ERROR);
			bool had = p && strcmp(p->value, "-");
			if (!*why.v[k] && !had)
				continue;
			char *v = *why.v[k] ? run_outcome_error_value(z->now,
			                                              why.v[k])
			                    : xstrdup("-");
			char *set = xasprintf(ZEIT_PROP_SNAP_ERROR "=%s", v);
			free(v);
			const char *const a[] = {set, NULL};
			if (zfs_set_props(r->zh, pools.v[k], a) < 0)
				strv_pushf(
				        r->fails,
				        "%s: cannot record the hooks' outcome",
				        pools.v[k]);
			free(set);
		}
	zeit_release_error(z);
	zfs_prop_list_free(&l);
	strv_free(&pools);
	strv_free(&why);
}

int snap_apply_hooked(struct zfs *zh, const struct zeit_config *cfg,
                      struct strv *names, struct strv *fails,
                      bool record_outcome)
{
	static const struct zeit_config none_cfg;
	struct hook_run r = {
	        .zh = zh,
	        .cfg = cfg ? cfg : &none_cfg,
	        .fails = fails,
	};
	struct zeit *z = zh->z;
	if (cfg && config_hooks_set(&cfg->run_hooks))
		r.run = &cfg->run_hooks;
	/* Without a hook anywhere, the run is as it always was. */
	bool any = r.run != NULL;
	for (size_t i = 0; cfg && i < cfg->nsections; i++)
		any |= config_hooks_set(&cfg->sections[i].hooks);
	if (!any || names->n == 0)
		return z->dry_run || names->n == 0
		               ? 0
		               : snap_apply(zh, (const char *const *)names->v);
	group_by_dataset(&r, names);
	pre_hooks(&r);
	int rc = take(&r, names);
	/* The snapshot's failure is what the run reports; the hooks after
	 * it (a thaw) still run. */
	char *snap_error = rc < 0 ? xstrdup(zeit_error(z)) : NULL;
	zeit_keep_error(z);
	post_hooks(&r);
	failure_hooks(&r, snap_error);
	zeit_release_error(z);
	if (!z->dry_run && record_outcome)
		record(&r, snap_error);
	free(snap_error);
	for (size_t i = 0; i < r.n; i++) {
		free(r.ds[i].name);
		free(r.ds[i].error);
		strv_free(&r.ds[i].snaps);
	}
	free(r.ds);
	free(r.run_error);
	return rc;
}
