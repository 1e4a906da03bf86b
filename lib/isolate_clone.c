/* The clones zeit bisect isolate tests on. Ownership is proved as bisect
 * proves its own: before the clone exists its name, origin and a random
 * token are recorded on the BE root, and the clone is made with the token
 * in the same call; only a dataset where all three agree is destroyed. A
 * run killed at any point leaves at most the recorded clone, which the
 * next run (or bisect reset) destroys. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isolate_priv.h"

/* What the record names, if it is still the clone zeit made and not the
 * running root, is destroyed; another dataset there is left, said so. */
static int drop_recorded(struct be_ctx *be, const struct clone_rec *rec,
                         bool *destroyed)
{
	struct zeit *z = be->zh->z;
	struct zfs_prop_list kids;

	if (be_name_check(z, rec->name) < 0 ||
	    clone_children(be, ISOLATE_TOKEN_PROP, &kids) < 0)
		return -1;
	enum clone_state st =
	        clone_state_of(be, &kids, ISOLATE_TOKEN_PROP, rec);
	zfs_prop_list_free(&kids);
	char *ds = be_dataset(be, rec->name);
	int rc = 0;
	if (st == CLONE_OURS) {
		char *at = zfs_mounted_at(ds);
		if (at && !strcmp(at, "/"))
			rc = zeit_fail(z, EBUSY, "%s is the running root", ds);
		else if (zfs_destroy_dataset(be->zh, ds, true) < 0)
			rc = -1;
		else
			*destroyed = true;
		free(at);
	} else if (st == CLONE_FOREIGN) {
		zeit_note(z, 0,
		          "left %s: it is not the clone bisect isolate made",
		          ds);
	}
	free(ds);
	return rc;
}

int isolate_cleanup(struct be_ctx *be)
{
	struct clone_recs r;
	bool destroyed = false;
	int rc = 0;

	if (clone_recs_load(be, ISOLATE_CLONE_PROP, &r) < 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < r.n; i++)
		rc = drop_recorded(be, &r.v[i], &destroyed);
	bool recorded = r.set;
	clone_recs_free(&r);
	if (rc == 0 && recorded)
		rc = zfs_inherit_prop(be->zh, be->root, ISOLATE_CLONE_PROP,
		                      false);
	return rc < 0 ? -1 : destroyed;
}

int isolate_clone_make(struct be_ctx *be, const char *snap, char **name)
{
	struct clone_recs r = {0};
	char token[33];

	*name = NULL;
	if (clone_token(be->zh->z, token) < 0)
		return -1;
	const char *at = strchr(snap, '@');
	const char *leaf = memrchr(snap, '/', (size_t)(at - snap));
	leaf = leaf ? leaf + 1 : snap;
	*name = xasprintf("%.*s-isolate-%.8s", (int)(at - leaf), leaf, token);
	clone_recs_add(&r, *name, snap, token);
	int rc = clone_recs_save(be, ISOLATE_CLONE_PROP, &r);
	clone_recs_free(&r);
	if (rc < 0)
		return -1;
	/* One dataset, laid out as an environment, nothing mounting by
	 * itself; zfs diff compared only this one. */
	char *mark = xasprintf(ISOLATE_TOKEN_PROP "=%s", token);
	char *ds = be_dataset(be, *name);
	const char *const props[] = {"canmount=noauto", "mountpoint=/", mark,
	                             NULL};
	rc = zfs_clone(be->zh, snap, ds, props);
	free(ds);
	free(mark);
	return rc;
}
