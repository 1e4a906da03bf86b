/* The clone record bisect and isolate share, and their one test runner
 * (see bisect_priv.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "bisect_priv.h"
#include "zeit/run.h"

const char *bisect_local_value(const struct zfs_prop_list *pl, const char *ds,
                               const char *prop)
{
	const struct zfs_prop *p = zfs_prop_find(pl, ds, prop);
	return p && p->source == ZFS_SRC_LOCAL ? p->value : NULL;
}

void clone_recs_free(struct clone_recs *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].origin);
		free(r->v[i].token);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

void clone_recs_add(struct clone_recs *r, const char *name, const char *origin,
                    const char *token)
{
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	r->v[r->n].name = xstrdup(name);
	r->v[r->n].origin = xstrdup(origin);
	r->v[r->n++].token = xstrdup(token);
}

void clone_recs_remove(struct clone_recs *r, size_t i)
{
	free(r->v[i].name);
	free(r->v[i].origin);
	free(r->v[i].token);
	memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(*r->v));
	r->n--;
}

int clone_recs_load(struct be_ctx *be, const char *prop, struct clone_recs *r)
{
	const char *const props[] = {prop, NULL};
	struct zfs_prop_list pl;

	memset(r, 0, sizeof(*r));
	if (zfs_get_props(be->zh, (const char *const[]){be->root, NULL}, 0,
	                  props, &pl) < 0)
		return -1;
	const char *v = bisect_local_value(&pl, be->root, prop);
	r->set = v != NULL;
	char *copy = xstrdup(v ? v : ""), *save = NULL;
	for (char *e = strtok_r(copy, ",", &save); e;
	     e = strtok_r(NULL, ",", &save)) {
		char *o = strchr(e, '='), *t = o ? strchr(o + 1, '=') : NULL;
		if (!t)
			continue;
		*o = *t = '\0';
		clone_recs_add(r, e, o + 1, t + 1);
	}
	free(copy);
	zfs_prop_list_free(&pl);
	return 0;
}

int clone_recs_save(struct be_ctx *be, const char *prop,
                    const struct clone_recs *r)
{
	if (!r->n)
		return zfs_inherit_prop(be->zh, be->root, prop, false);
	struct buf b;
	buf_init(&b);
	buf_addf(&b, "%s=", prop);
	for (size_t i = 0; i < r->n; i++)
		buf_addf(&b, "%s%s=%s=%s", i ? "," : "", r->v[i].name,
		         r->v[i].origin, r->v[i].token);
	const char *const set[] = {b.data, NULL};
	int rc = zfs_set_props(be->zh, be->root, set);
	buf_free(&b);
	return rc;
}

int clone_token(struct zeit *z, char out[33])
{
	unsigned char r[16];
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return zeit_fail(z, errno, "getrandom: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	return 0;
}

int clone_children(struct be_ctx *be, const char *token_prop,
                   struct zfs_prop_list *pl)
{
	const char *const props[] = {"origin", token_prop, NULL};
	return zfs_get_props(be->zh, (const char *const[]){be->root, NULL}, 1,
	                     props, pl);
}

enum clone_state clone_state_of(const struct be_ctx *be,
                                const struct zfs_prop_list *pl,
                                const char *token_prop,
                                const struct clone_rec *rec)
{
	char *ds = be_dataset(be, rec->name);
	const struct zfs_prop *o = zfs_prop_find(pl, ds, "origin");
	const char *tok = bisect_local_value(pl, ds, token_prop);
	free(ds);
	if (!o)
		return CLONE_GONE;
	return !strcmp(o->value, rec->origin) && tok && !strcmp(tok, rec->token)
	               ? CLONE_OURS
	               : CLONE_FOREIGN;
}

int bisect_test_run(struct zeit *z, const char *const *argv, const char *root,
                    int *status)
{
	char *env = xasprintf("ZEIT_BISECT_ROOT=%s", root);
	const char *const envv[] = {env, NULL};
	struct run_cmd c;

	run_cmd_init(&c, argv);
	c.env = envv;
	c.flags = RUN_INHERIT_STDIN | RUN_INHERIT_STDOUT | RUN_INHERIT_STDERR;
	int r = run(z, &c);
	*status = r < 0 ? -1 : c.status;
	run_cmd_free(&c);
	free(env);
	return r < 0 ? -1 : 0;
}
