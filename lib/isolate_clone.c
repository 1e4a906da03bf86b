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
#include <sys/random.h>

#include "isolate_priv.h"

static const char *local(const struct zfs_prop_list *pl, const char *ds,
                         const char *prop)
{
	const struct zfs_prop *p = zfs_prop_find(pl, ds, prop);
	return p && p->source == ZFS_SRC_LOCAL ? p->value : NULL;
}

int isolate_cleanup(struct be_ctx *be)
{
	struct zeit *z = be->zh->z;
	const char *const rp[] = {ISOLATE_CLONE_PROP, NULL};
	const char *const cp[] = {"origin", ISOLATE_TOKEN_PROP, NULL};
	struct zfs_prop_list pl, kids;

	if (zfs_get_props(be->zh, (const char *const[]){be->root, NULL}, 0, rp,
	                  &pl) < 0)
		return -1;
	const char *rec = local(&pl, be->root, ISOLATE_CLONE_PROP);
	if (!rec) {
		zfs_prop_list_free(&pl);
		return 0;
	}
	/* NAME=ORIGIN=TOKEN: no ZFS name holds '='. */
	char *copy = xstrdup(rec);
	zfs_prop_list_free(&pl);
	char *o = strchr(copy, '='), *t = o ? strchr(o + 1, '=') : NULL;
	int rc = 0;
	bool destroyed = false;
	if (t) {
		*o++ = '\0';
		*t++ = '\0';
		if (be_name_check(z, copy) < 0 ||
		    zfs_get_props(be->zh, (const char *const[]){be->root, NULL},
		                  1, cp, &kids) < 0) {
			free(copy);
			return -1;
		}
		char *ds = be_dataset(be, copy);
		const struct zfs_prop *org = zfs_prop_find(&kids, ds, "origin");
		const char *tok = local(&kids, ds, ISOLATE_TOKEN_PROP);
		if (org && !strcmp(org->value, o) && tok && !strcmp(tok, t)) {
			char *at = zfs_mounted_at(ds);
			if (at && !strcmp(at, "/"))
				rc = zeit_fail(z, EBUSY,
				               "%s is the running root", ds);
			else if (zfs_destroy_dataset(be->zh, ds, true) < 0)
				rc = -1;
			else
				destroyed = true;
			free(at);
		} else if (org) {
			zeit_note(z, 0,
			          "left %s: it is not the clone bisect isolate "
			          "made",
			          ds);
		}
		free(ds);
		zfs_prop_list_free(&kids);
	}
	free(copy);
	if (rc == 0)
		rc = zfs_inherit_prop(be->zh, be->root, ISOLATE_CLONE_PROP,
		                      false);
	return rc < 0 ? -1 : destroyed;
}

int isolate_clone_make(struct be_ctx *be, const char *snap, char **name)
{
	struct zeit *z = be->zh->z;
	unsigned char r[16];
	char token[33];

	*name = NULL;
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return zeit_fail(z, errno, "getrandom: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(token + 2 * i, 3, "%02x", r[i]);
	const char *at = strchr(snap, '@');
	const char *leaf = memrchr(snap, '/', (size_t)(at - snap));
	leaf = leaf ? leaf + 1 : snap;
	*name = xasprintf("%.*s-isolate-%.8s", (int)(at - leaf), leaf, token);
	char *rec =
	        xasprintf(ISOLATE_CLONE_PROP "=%s=%s=%s", *name, snap, token);
	const char *const set[] = {rec, NULL};
	int rc = zfs_set_props(be->zh, be->root, set);
	free(rec);
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
