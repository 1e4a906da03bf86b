/* Boot environments: discovery, listing, create, activate, destroy,
 * rename, snapshots and rollback, all through the driver. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zeit/be.h"
#include "zeit/rootfile.h"
#include "zeit/snapname.h"
#include "zeit/tmpmount.h"
#include "zeit/ztime.h"

static char *parent_of(const char *ds)
{
	const char *slash = strrchr(ds, '/');
	return slash ? xstrndup(ds, slash - ds) : NULL;
}

static char *dash_null(const char *v)
{
	return v && *v && strcmp(v, "-") ? xstrdup(v) : NULL;
}

static const char *dash_null_view(const char *v)
{
	return v && *v && strcmp(v, "-") ? v : NULL;
}

static bool dataset_exists(struct zfs *zh, const char *name, unsigned types)
{
	struct zfs_dataset_list l;
	if (zfs_list_datasets(zh, name, 0, types, NULL, &l) < 0) {
		zeit_clear_error(zh->z);
		return false;
	}
	bool found = l.n > 0;
	zfs_dataset_list_free(&l);
	return found;
}

/* What boots: the pool's bootfs, and the one-time choice, which is a user
 * property of the BE root's own (local, not inherited or received): one
 * place on every OpenZFS (2.1 has no pool user properties), per root, and
 * read by the boot menu from the same place. A value that is no dataset
 * name is no choice: it is never shown or booted. */
static int read_boot_props(struct be_ctx *c)
{
	const char *const pprops[] = {"bootfs", NULL};
	const char *const dprops[] = {BE_NEXTBOOT_PROP, NULL};
	const char *const roots[] = {c->root, NULL};
	struct zfs_prop_list pl;

	if (zpool_get_props(c->zh, c->pool, pprops, &pl) < 0)
		return -1;
	const struct zfs_prop *p = zfs_prop_find(&pl, c->pool, "bootfs");
	c->bootfs = p ? dash_null(p->value) : NULL;
	zfs_prop_list_free(&pl);
	if (zfs_get_props(c->zh, roots, 0, dprops, &pl) < 0)
		return -1;
	p = zfs_prop_find(&pl, c->root, BE_NEXTBOOT_PROP);
	if (p && p->source == ZFS_SRC_LOCAL && *p->value) {
		struct zeit quiet = *c->zh->z;
		quiet.note_to = NULL;
		/* A bare name is another tool's way to say the same. */
		if (strchr(p->value, '/')
		            ? zfs_name_check(&quiet, p->value,
		                             ZFS_NAME_DATASET) == 0
		            : be_name_check(&quiet, p->value) == 0)
			c->nextboot = xstrdup(p->value);
		else
			zeit_note(c->zh->z, 0,
			          "%s on %s names no dataset; ignored",
			          BE_NEXTBOOT_PROP, c->root);
	}
	zfs_prop_list_free(&pl);
	return 0;
}

int be_open(struct be_ctx *c, struct zfs *zh, const char *root_override)
{
	struct zeit *z = zh->z;

	memset(c, 0, sizeof(*c));
	c->zh = zh;
	c->running = zfs_dataset_at("/");
	if (root_override) {
		if (zfs_name_check(z, root_override, ZFS_NAME_DATASET) < 0)
			return -1;
		if (!dataset_exists(zh, root_override, ZFS_TYPE_FILESYSTEM))
			return zeit_fail(
			        z, ENOENT,
			        "boot environment root %s does not exist",
			        root_override);
		c->root = xstrdup(root_override);
	} else if (c->running && strchr(c->running, '/')) {
		c->root = parent_of(c->running);
	} else {
		struct strv pools, found;
		if (zpool_list(zh, &pools) < 0)
			return -1;
		strv_init(&found);
		for (size_t i = 0; i < pools.n; i++) {
			const char *const props[] = {"bootfs", NULL};
			struct zfs_prop_list pl;
			if (zpool_get_props(zh, pools.v[i], props, &pl) < 0) {
				strv_free(&pools);
				strv_free(&found);
				return -1;
			}
			if (pl.n && strcmp(pl.v[0].value, "-") &&
			    strchr(pl.v[0].value, '/'))
				strv_push(&found, pl.v[0].value);
			zfs_prop_list_free(&pl);
		}
		strv_free(&pools);
		if (found.n != 1) {
			int rc = zeit_fail(
			        z, ENOENT,
			        found.n ? "%zu pools have a bootfs; name the "
			                  "boot "
			                  "environment root with --root"
			                : "%zu pools have a bootfs and / is "
			                  "not "
			                  "on ZFS; name the boot environment "
			                  "root "
			                  "with --root (e.g. rpool/ROOT)",
			        found.n);
			strv_free(&found);
			return rc;
		}
		c->root = parent_of(found.v[0]);
		strv_free(&found);
	}
	zfs_pool_of(c->root, c->pool, sizeof(c->pool));
	return read_boot_props(c);
}

void be_close(struct be_ctx *c)
{
	free(c->root);
	free(c->running);
	free(c->bootfs);
	free(c->nextboot);
	memset(c, 0, sizeof(*c));
}

int be_name_check(struct zeit *z, const char *name)
{
	if (!name || !*name || !zfs_component_valid(name) ||
	    strpbrk(name, "/@#% ") || !strcmp(name, ".") || !strcmp(name, ".."))
		return zeit_fail(z, EINVAL,
		                 "invalid boot environment name '%s': one "
		                 "dataset name component (letters, digits, "
		                 "- _ . :)",
		                 name ? name : "");
	return 0;
}

char *be_dataset(const struct be_ctx *c, const char *name)
{
	return xasprintf("%s/%s", c->root, name);
}

static const char *short_of(const char *ds)
{
	const char *s = strrchr(ds, '/');
	return s ? s + 1 : ds;
}

/* nextboot holds a dataset; a bare name is accepted from other tools. */
static bool is_nextboot(const struct be_ctx *c, const char *ds)
{
	return c->nextboot &&
	       (!strcmp(c->nextboot, ds) || !strcmp(c->nextboot, short_of(ds)));
}

/* Reads the /boot of ds (a filesystem or snapshot): where it is mounted,
 * else through a temporary mount of this process (tmpmount.h). */
static int kernels_of(struct be_ctx *c, const char *ds, const char *mounted,
                      struct be_kernel_list *out)
{
	struct zeit *z = c->zh->z;
	struct tmpmount tm = {NULL, -1};
	int rc;

	if (mounted) {
		int root = root_open(z, mounted);
		if (root < 0)
			return -1;
		rc = be_kernels_at(z, root, out);
		close(root);
		return rc;
	}
	if (tmpmount_open(c->zh, ds, &tm) < 0)
		return -1;
	rc = be_kernels_at(z, tm.fd, out);
	tmpmount_close(&tm);
	return rc;
}

enum {
	LP_CREATION,
	LP_USED,
	LP_ORIGIN,
	LP_MOUNTPOINT,
	LP_ACTIVE,
	LP_TRIAL,
	LP_COUNT
};

int be_list(struct be_ctx *c, bool kernels, struct be_list *out)
{
	const char *const props[] = {
	        "creation",     "used",        "origin", "mountpoint",
	        BE_ACTIVE_PROP, BE_TRIAL_PROP, NULL};
	struct zfs_dataset_list l;

	memset(out, 0, sizeof(*out));
	if (zfs_list_datasets(c->zh, c->root, 1, ZFS_TYPE_FILESYSTEM, props,
	                      &l) < 0)
		return -1;
	out->v = xcalloc(l.n + 1, sizeof(*out->v));
	for (size_t i = 0; i < l.n; i++) {
		const struct zfs_dataset *d = &l.v[i];
		if (!strcmp(d->name, c->root))
			continue;
		struct be_info *b = &out->v[out->n++];
		unsigned long long u = 0, cr = 0;
		b->dataset = xstrdup(d->name);
		b->name = xstrdup(short_of(d->name));
		b->active_now = c->running && !strcmp(c->running, d->name);
		b->active_reboot = c->bootfs && !strcmp(c->bootfs, d->name);
		b->active_once = is_nextboot(c, d->name);
		parse_u64(d->values[LP_CREATION], &cr);
		parse_u64(d->values[LP_USED], &u);
		b->creation = (int64_t)cr;
		b->used = u;
		b->origin = xstrdup(d->values[LP_ORIGIN]);
		b->mountpoint = xstrdup(d->values[LP_MOUNTPOINT]);
		b->menu_hidden = !strcmp(d->values[LP_ACTIVE], "off");
		b->trial = be_trial_state(c, d->name,
		                          dash_null_view(d->values[LP_TRIAL]));
		b->mounted_at = zfs_mounted_at(d->name);
		if (kernels) {
			if (kernels_of(c, d->name, b->mounted_at, &b->kernels) <
			    0) {
				zfs_dataset_list_free(&l);
				return -1;
			}
			b->kernels_read = true;
		}
	}
	zfs_dataset_list_free(&l);
	return 0;
}

void be_list_free(struct be_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct be_info *b = &l->v[i];
		free(b->name);
		free(b->dataset);
		free(b->origin);
		free(b->mountpoint);
		free(b->mounted_at);
		be_kernel_list_free(&b->kernels);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* zeit's own org.zeit: properties that a person sets to say what to do
 * with a dataset; a copy carries them. Every other org.zeit: property is a
 * marker zeit keeps about that one dataset (a bisect clone, a replica's
 * bookkeeping, a placeholder) and would assert on the copy what only the
 * original is. */
static bool zeit_marker(const char *prop)
{
	static const char *const policy[] = {"org.zeit:snap", "org.zeit:keep",
	                                     "org.zeit:prune", NULL};
	if (!str_starts(prop, "org.zeit:"))
		return false;
	for (size_t i = 0; policy[i]; i++)
		if (!strcmp(prop, policy[i]))
			return false;
	return true;
}

/* Properties a new environment carries from its source: the local and
 * received ones, minus those that belong to the layout or cannot be set
 * on a clone, and minus zeit's markers. */
static bool carried(const char *prop)
{
	if (zeit_marker(prop))
		return false;
	static const char *const never[] = {
	        "mountpoint",  "canmount",    "encryption", "keyformat",
	        "keylocation", "pbkdf2iters", "pbkdf2salt", "encryptionroot",
	        "origin",      "volsize",     NULL};
	for (size_t i = 0; never[i]; i++)
		if (!strcmp(prop, never[i]))
			return false;
	return true;
}

static void carried_props(const struct zfs_prop_list *pl, const char *ds,
                          bool is_root, struct strv *out)
{
	for (size_t i = 0; i < pl->n; i++) {
		const struct zfs_prop *p = &pl->v[i];
		if (strcmp(p->dataset, ds) || (p->source != ZFS_SRC_LOCAL &&
		                               p->source != ZFS_SRC_RECEIVED))
			continue;
		if (carried(p->name))
			strv_pushf(out, "%s=%s", p->name, p->value);
		else if (!is_root && p->source == ZFS_SRC_LOCAL &&
		         !strcmp(p->name, "mountpoint"))
			/* A child's own mountpoint is part of the tree. */
			strv_pushf(out, "%s=%s", p->name, p->value);
	}
}

static const char *prop_of(const struct zfs_prop_list *pl, const char *ds,
                           const char *name, enum zfs_prop_source *src)
{
	const struct zfs_prop *p = zfs_prop_find(pl, ds, name);
	if (src)
		*src = p ? p->source : ZFS_SRC_NONE;
	return p ? p->value : NULL;
}

/* The source dataset and snapshot of `be create`: an existing snapshot,
 * or one taken now (marked as zeit's) of every dataset in the tree. */
static int create_source(struct be_ctx *c, const struct be_create_opts *o,
                         char **src_ds, char **snapname, struct strv *tree)
{
	struct zeit *z = c->zh->z;
	const char *src = o->source;
	char *ds = NULL;

	*snapname = NULL;
	if (!src) {
		const char *from = c->running ? c->running : c->bootfs;
		if (!from)
			return zeit_fail(z, ENOENT,
			                 "no running or bootfs environment to "
			                 "copy; name one with -e");
		ds = xstrdup(from);
	} else {
		const char *at = strchr(src, '@');
		size_t l = at ? (size_t)(at - src) : strlen(src);
		char *base = xstrndup(src, l);
		ds = strchr(base, '/') ? xstrdup(base) : be_dataset(c, base);
		free(base);
		if (at)
			*snapname = xstrdup(at + 1);
	}
	if (!dataset_exists(c->zh, ds, ZFS_TYPE_FILESYSTEM)) {
		int rc = zeit_fail(z, ENOENT,
		                   "source environment %s does not exist", ds);
		free(ds);
		free(*snapname);
		*snapname = NULL;
		return rc;
	}
	struct zfs_dataset_list l;
	if (zfs_list_datasets(c->zh, ds, o->recursive ? -1 : 0,
	                      ZFS_TYPE_FILESYSTEM, NULL, &l) < 0) {
		free(ds);
		return -1;
	}
	for (size_t i = 0; i < l.n; i++)
		strv_push(tree, l.v[i].name);
	zfs_dataset_list_free(&l);
	*src_ds = ds;

	if (*snapname) {
		for (size_t i = 0; i < tree->n; i++) {
			char *s = xasprintf("%s@%s", tree->v[i], *snapname);
			bool ok = dataset_exists(c->zh, s, ZFS_TYPE_SNAPSHOT);
			free(s);
			if (!ok)
				return zeit_fail(z, ENOENT,
				                 "%s@%s does not exist%s",
				                 tree->v[i], *snapname,
				                 i ? " (needed by -r)" : "");
		}
		return 0;
	}
	char when[32];
	struct tm tm;
	gmtime_r(&z->now, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	*snapname = xasprintf("zeitbe_%s_%s", o->name, when);
	if (z->dry_run)
		return 0;
	struct strv snaps;
	strv_init(&snaps);
	for (size_t i = 0; i < tree->n; i++)
		strv_pushf(&snaps, "%s@%s", tree->v[i], *snapname);
	char *mark = xasprintf("%s=%s", BE_SNAP_PROP, o->name);
	const char *const props[] = {mark, NULL};
	int rc = zfs_snapshot(c->zh, (const char *const *)snaps.v, props);
	free(mark);
	strv_free(&snaps);
	return rc;
}

/* The properties a new dataset of the environment is made with. */
static void new_props(const struct zfs_prop_list *pl, const char *ds,
                      bool is_root, const struct be_create_opts *o,
                      struct strv *props)
{
	strv_init(props);
	carried_props(pl, ds, is_root, props);
	/* Nothing mounts by itself: a clone of /var must not land on the
	 * running system's /var. */
	strv_push(props, "canmount=noauto");
	if (is_root)
		strv_push(props, "mountpoint=/");
	/* The caller's markers, set by the call that creates it. */
	for (size_t k = 0; is_root && o->markers && o->markers[k]; k++)
		strv_push(props, o->markers[k]);
}

/* A full copy by send and receive: raw when encrypted, so it stays so. */
static int duplicate_one(struct be_ctx *c, const struct zfs_prop_list *pl,
                         const char *ds, const char *from, const char *to,
                         const struct strv *props, struct strv *made)
{
	bool raw = zfs_is_encrypted(prop_of(pl, ds, "encryption", NULL));
	struct zfs_send_opts so = {.snap = from,
	                           .raw = raw,
	                           .large_blocks = !raw,
	                           .compressed = !raw,
	                           .embedded = !raw};
	const char *const rprops[] = {"canmount=noauto", NULL};
	struct zfs_recv_opts ro = {
	        .target = to, .nomount = true, .set_props = rprops};
	uint64_t bytes;
	if (zfs_send_recv(c->zh, &so, c->zh, &ro, NULL, &bytes) < 0)
		return -1;
	strv_push(made, to);
	return zfs_set_props(c->zh, to, (const char *const *)props->v);
}

/* Makes the environment's copy of ds (the source tree's i-th dataset):
 * a clone, or a duplicate; made gets what exists now. */
static int create_one(struct be_ctx *c, const struct be_create_opts *o,
                      const struct zfs_prop_list *pl, const char *ds,
                      bool is_root, const char *to, const char *from,
                      struct strv *made)
{
	struct zeit *z = c->zh->z;
	struct strv props;
	enum zfs_prop_source cm_src;
	const char *cm = prop_of(pl, ds, "canmount", &cm_src);
	new_props(pl, ds, is_root, o, &props);
	zeit_note(z, z->dry_run ? 0 : 1, "%s %s from %s",
	          z->dry_run ? "would create" : "creating", to, from);
	int r = 0;
	if (!z->dry_run && o->mode == BE_DUPLICATE) {
		r = duplicate_one(c, pl, ds, from, to, &props, made);
	} else if (!z->dry_run) {
		r = zfs_clone(c->zh, from, to, (const char *const *)props.v);
		if (r == 0)
			strv_push(made, to);
	}
	/* A child keeps the canmount its source had. */
	if (r == 0 && !z->dry_run && !is_root && cm &&
	    cm_src == ZFS_SRC_LOCAL && strcmp(cm, "noauto")) {
		char *a = xasprintf("canmount=%s", cm);
		const char *const set[] = {a, NULL};
		r = zfs_set_props(c->zh, to, set);
		free(a);
	}
	strv_free(&props);
	return r;
}

/* Every dataset of the source tree, in order; all or nothing: on a
 * failure what this call made goes again. */
static int create_tree(struct be_ctx *c, const struct be_create_opts *o,
                       const char *target, const char *src_ds, const char *snap,
                       const struct strv *tree, struct strv *made)
{
	struct zeit *z = c->zh->z;
	struct zfs_prop_list pl = {0};
	int rc = zfs_get_props(c->zh, (const char *const *)tree->v, 0, NULL,
	                       &pl);
	for (size_t i = 0; rc == 0 && i < tree->n; i++) {
		const char *ds = tree->v[i];
		char *to = xasprintf("%s%s", target, ds + strlen(src_ds));
		char *from = xasprintf("%s@%s", ds, snap);
		if (create_one(c, o, &pl, ds, i == 0, to, from, made) < 0) {
			zeit_keep_error(z);
			for (size_t k = made->n; k-- > 0;)
				zfs_destroy_dataset(c->zh, made->v[k], true);
			zeit_release_error(z);
			rc = -1;
		}
		free(to);
		free(from);
	}
	zfs_prop_list_free(&pl);
	return rc;
}

int be_create(struct be_ctx *c, const struct be_create_opts *o)
{
	struct zeit *z = c->zh->z;
	char *target = NULL, *src_ds = NULL, *snap = NULL;
	struct strv tree, made;
	int rc = -1;

	if (be_name_check(z, o->name) < 0)
		return -1;
	target = be_dataset(c, o->name);
	if (dataset_exists(c->zh, target,
	                   ZFS_TYPE_FILESYSTEM | ZFS_TYPE_VOLUME)) {
		rc = zeit_fail(z, EEXIST,
		               "boot environment %s already exists (%s)",
		               o->name, target);
		free(target);
		return rc;
	}
	strv_init(&tree);
	strv_init(&made);
	if (create_source(c, o, &src_ds, &snap, &tree) < 0 ||
	    create_tree(c, o, target, src_ds, snap, &tree, &made) < 0)
		goto out;
	if (o->mode == BE_PROMOTE && !z->dry_run)
		for (size_t i = 0; i < made.n; i++)
			if (zfs_promote(c->zh, made.v[i]) < 0)
				goto out;
	rc = 0;
out:
	strv_free(&tree);
	strv_free(&made);
	free(target);
	free(src_ds);
	free(snap);
	return rc;
}

/* The origin property of ds ("-" when none), malloc'd. */
static char *origin_of(struct zfs *zh, const char *ds)
{
	const char *const props[] = {"origin", NULL};
	struct zfs_dataset_list l;
	if (zfs_list_datasets(zh, ds, 0, ZFS_TYPE_FILESYSTEM, props, &l) < 0)
		return NULL;
	char *o = l.n ? xstrdup(l.v[0].values[0]) : NULL;
	zfs_dataset_list_free(&l);
	return o;
}

int be_activate(struct be_ctx *c, const char *name, bool once)
{
	struct zeit *z = c->zh->z;
	int rc = -1;

	if (be_name_check(z, name) < 0)
		return -1;
	char *ds = be_dataset(c, name);
	if (!dataset_exists(c->zh, ds, ZFS_TYPE_FILESYSTEM)) {
		rc = zeit_fail(z, ENOENT, "no boot environment %s (%s)", name,
		               ds);
		goto out;
	}
	if (once) {
		zeit_note(z, z->dry_run ? 0 : 1, "%s %s=%s on %s",
		          z->dry_run ? "would set" : "setting",
		          BE_NEXTBOOT_PROP, ds, c->root);
		rc = z->dry_run ? 0 : be_set_nextboot(c, ds);
		goto out;
	}
	/* A clone is promoted, so the environment it came from can be
	 * destroyed later without taking this one's history along. */
	char *origin = origin_of(c->zh, ds);
	if (!origin)
		goto out;
	if (strcmp(origin, "-") && zfs_name_under(origin, c->root)) {
		zeit_note(z, z->dry_run ? 0 : 1, "%s %s (a clone of %s)",
		          z->dry_run ? "would promote" : "promoting", ds,
		          origin);
		if (!z->dry_run && zfs_promote(c->zh, ds) < 0) {
			free(origin);
			goto out;
		}
	}
	free(origin);
	zeit_note(z, z->dry_run ? 0 : 1, "%s bootfs=%s on %s",
	          z->dry_run ? "would set" : "setting", ds, c->pool);
	rc = z->dry_run ? 0 : zpool_set_prop(c->zh, c->pool, "bootfs", ds);
out:
	free(ds);
	return rc;
}

static const char *or_unset(const char *ds)
{
	return ds && strcmp(ds, "none") ? ds : "";
}

int be_set_bootfs(struct be_ctx *c, const char *ds)
{
	return zpool_set_prop(c->zh, c->pool, "bootfs", or_unset(ds));
}

int be_set_nextboot(struct be_ctx *c, const char *ds)
{
	if (!*or_unset(ds))
		return zfs_inherit_prop(c->zh, c->root, BE_NEXTBOOT_PROP,
		                        false);
	char *a = xasprintf("%s=%s", BE_NEXTBOOT_PROP, ds);
	const char *const set[] = {a, NULL};
	int rc = zfs_set_props(c->zh, c->root, set);
	free(a);
	return rc;
}

char *be_take_nextboot(struct be_ctx *c)
{
	if (!c->nextboot)
		return NULL;
	char *name = xstrdup(c->nextboot);
	if (!c->zh->z->dry_run && be_set_nextboot(c, NULL) < 0) {
		free(name);
		return NULL;
	}
	free(c->nextboot);
	c->nextboot = NULL;
	return name;
}

/* What may not be destroyed: the running environment, what boots next,
 * what boots once. */
static int destroy_refusal(struct be_ctx *c, const char *name, const char *ds)
{
	struct zeit *z = c->zh->z;
	if (c->running && zfs_name_under(c->running, ds))
		return zeit_fail(z, EBUSY,
		                 "%s is the running boot environment; boot "
		                 "another one first",
		                 name);
	if (c->bootfs && !strcmp(c->bootfs, ds))
		return zeit_fail(z, EBUSY,
		                 "%s is the pool's bootfs (what boots next); "
		                 "activate another environment first",
		                 name);
	if (is_nextboot(c, ds))
		return zeit_fail(z, EBUSY,
		                 "%s is chosen for the next boot (activate "
		                 "--once); choose another first",
		                 name);
	return 0;
}

/* Clones of this environment's snapshots elsewhere in the pool are
 * promoted first: they take those snapshots over and live on. */
static int promote_dependents(struct be_ctx *c, const char *name,
                              const char *ds)
{
	struct zeit *z = c->zh->z;
	const char *const props[] = {"origin", NULL};
	struct zfs_dataset_list all = {0};
	int rc = zfs_list_datasets(c->zh, c->pool, -1, ZFS_TYPE_FILESYSTEM,
	                           props, &all);
	for (size_t i = 0; rc == 0 && i < all.n; i++) {
		const char *o = all.v[i].values[0];
		if (!strcmp(o, "-") || !zfs_name_under(o, ds) ||
		    zfs_name_under(all.v[i].name, ds))
			continue;
		zeit_note(z, 0, "%s %s (a clone of %s) so it outlives %s",
		          z->dry_run ? "would promote" : "promoting",
		          all.v[i].name, o, name);
		if (!z->dry_run && zfs_promote(c->zh, all.v[i].name) < 0)
			rc = -1;
	}
	zfs_dataset_list_free(&all);
	return rc;
}

/* The snapshots ds was cloned from that go with it: zeit took them for
 * `be create` (or origin_too says so) and nothing else depends on them. */
static int doomed_origins(struct be_ctx *c, const char *ds,
                          const struct strv *origins, bool origin_too,
                          struct strv *doomed)
{
	struct zeit *z = c->zh->z;
	struct zfs_prop_list pl = {0};
	const char *const oprops[] = {BE_SNAP_PROP, "clones", NULL};
	if (origins->n && zfs_get_props(c->zh, (const char *const *)origins->v,
	                                0, oprops, &pl) < 0)
		return -1;
	for (size_t i = 0; i < origins->n; i++) {
		const struct zfs_prop *mark =
		        zfs_prop_find(&pl, origins->v[i], BE_SNAP_PROP);
		const struct zfs_prop *cl =
		        zfs_prop_find(&pl, origins->v[i], "clones");
		bool zeits = mark && strcmp(mark->value, "-");
		bool free_of_clones =
		        !cl || !strcmp(cl->value, "-") || !*cl->value ||
		        (z->dry_run && strstr(cl->value, ds) == cl->value);
		if ((zeits || origin_too) && free_of_clones)
			strv_push(doomed, origins->v[i]);
		else
			zeit_note(z, 1, "keeping origin %s (%s)", origins->v[i],
			          !free_of_clones ? "other clones use it"
			                          : "not made by zeit; -o "
			                            "destroys it");
	}
	zfs_prop_list_free(&pl);
	return 0;
}

/* Destroys ds and its snapshots and children; origins gets what it was
 * cloned from, looked up after the promotions (which may have made it a
 * clone itself). */
static int destroy_tree(struct be_ctx *c, const char *name, const char *ds,
                        struct strv *origins)
{
	struct zeit *z = c->zh->z;
	const char *const props[] = {"origin", NULL};
	struct zfs_dataset_list mine = {0};
	if (zfs_list_datasets(c->zh, ds, -1, ZFS_TYPE_FILESYSTEM, props,
	                      &mine) < 0) {
		if (z->err == ENOENT)
			zeit_fail(z, ENOENT, "no boot environment %s (%s)",
			          name, ds);
		return -1;
	}
	zfs_dataset_list_free(&mine);
	if (promote_dependents(c, name, ds) < 0 ||
	    zfs_list_datasets(c->zh, ds, -1, ZFS_TYPE_FILESYSTEM, props,
	                      &mine) < 0)
		return -1;
	for (size_t i = 0; i < mine.n; i++)
		if (strcmp(mine.v[i].values[0], "-"))
			strv_push(origins, mine.v[i].values[0]);
	zeit_note(z, z->dry_run ? 0 : 1, "%s %s with its snapshots%s",
	          z->dry_run ? "would destroy" : "destroying", ds,
	          mine.n > 1 ? " and children" : "");
	zfs_dataset_list_free(&mine);
	if (!z->dry_run && zfs_destroy_dataset(c->zh, ds, true) < 0)
		return -1;
	return 0;
}

int be_destroy(struct be_ctx *c, const char *name, bool origin_too)
{
	struct zeit *z = c->zh->z;
	struct strv origins, doomed;
	int rc = -1;

	if (be_name_check(z, name) < 0)
		return -1;
	char *ds = be_dataset(c, name);
	strv_init(&origins);
	strv_init(&doomed);
	if (destroy_refusal(c, name, ds) < 0 ||
	    destroy_tree(c, name, ds, &origins) < 0 ||
	    doomed_origins(c, ds, &origins, origin_too, &doomed) < 0)
		goto out;
	for (size_t i = 0; i < doomed.n; i++)
		zeit_note(z, z->dry_run ? 0 : 1, "%s origin %s",
		          z->dry_run ? "would destroy" : "destroying",
		          doomed.v[i]);
	rc = doomed.n && !z->dry_run
	             ? zfs_destroy_snapshots(
	                       c->zh, (const char *const *)doomed.v, false)
	             : 0;
out:
	strv_free(&doomed);
	strv_free(&origins);
	free(ds);
	return rc;
}

int be_rename(struct be_ctx *c, const char *from, const char *to)
{
	struct zeit *z = c->zh->z;
	int rc = -1;

	if (be_name_check(z, from) < 0 || be_name_check(z, to) < 0)
		return -1;
	char *a = be_dataset(c, from), *b = be_dataset(c, to);
	if (!dataset_exists(c->zh, a, ZFS_TYPE_FILESYSTEM)) {
		rc = zeit_fail(z, ENOENT, "no boot environment %s", from);
		goto out;
	}
	if (dataset_exists(c->zh, b, ZFS_TYPE_FILESYSTEM)) {
		rc = zeit_fail(z, EEXIST, "boot environment %s already exists",
		               to);
		goto out;
	}
	if (z->dry_run) {
		zeit_note(z, 0, "would rename %s to %s", a, b);
		rc = 0;
		goto out;
	}
	if (zfs_rename(c->zh, a, b, ZFS_RENAME_NOMOUNT) < 0)
		goto out;
	/* What pointed at the old name follows it. */
	if (c->bootfs && !strcmp(c->bootfs, a) &&
	    zpool_set_prop(c->zh, c->pool, "bootfs", b) < 0)
		goto out;
	if (is_nextboot(c, a) && be_set_nextboot(c, b) < 0)
		goto out;
	rc = 0;
out:
	free(a);
	free(b);
	return rc;
}

static int newest_first(const void *x, const void *y)
{
	const struct be_snap *a = x, *b = y;
	/* creation has one-second steps; the txg breaks ties truly. */
	if (a->creation != b->creation)
		return a->creation < b->creation ? 1 : -1;
	return a->createtxg < b->createtxg   ? 1
	       : a->createtxg > b->createtxg ? -1
	                                     : 0;
}

int be_snapshots(struct be_ctx *c, const char *name, struct be_snap_list *out)
{
	const char *const props[] = {"creation", "createtxg", NULL};
	struct zfs_dataset_list l;

	memset(out, 0, sizeof(*out));
	if (be_name_check(c->zh->z, name) < 0)
		return -1;
	char *ds = be_dataset(c, name);
	int rc = zfs_list_datasets(c->zh, ds, 1, ZFS_TYPE_SNAPSHOT, props, &l);
	free(ds);
	if (rc < 0)
		return -1;
	out->v = xcalloc(l.n + 1, sizeof(*out->v));
	for (size_t i = 0; i < l.n; i++) {
		struct be_snap *s = &out->v[out->n++];
		unsigned long long cr = 0;
		s->name = xstrdup(strchr(l.v[i].name, '@') + 1);
		unsigned long long txg = 0;
		parse_u64(l.v[i].values[0], &cr);
		parse_u64(l.v[i].values[1], &txg);
		s->creation = (int64_t)cr;
		s->createtxg = txg;
		/* The menu shows adopted schemes' tiers too. */
		struct snapname sn;
		s->tier = snapname_read(&c->zh->z->names, s->name,
		                        SNAP_ORIGIN_ALL, &sn) &&
		                          sn.tier != ZEIT_TIER_NONE
		                  ? zeit_tier_name(sn.tier)
		                  : NULL;
	}
	zfs_dataset_list_free(&l);
	qsort(out->v, out->n, sizeof(*out->v), newest_first);
	return 0;
}

void be_snap_list_free(struct be_snap_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int be_rollback(struct be_ctx *c, const struct be_rollback_opts *o)
{
	struct zeit *z = c->zh->z;
	const char *at = strchr(o->target, '@');
	int rc = -1;

	if (!at)
		return zeit_fail(z, EINVAL,
		                 "rollback needs NAME@SNAPSHOT, not %s",
		                 o->target);
	char *name = xstrndup(o->target, at - o->target);
	char *ds = NULL, *snap = NULL;
	struct zfs_snap_list sl = {0};
	if (be_name_check(z, name) < 0)
		goto out;
	ds = be_dataset(c, name);
	snap = xasprintf("%s%s", ds, at);
	if (c->running && !strcmp(c->running, ds)) {
		rc = zeit_fail(z, EBUSY,
		               "%s is the running boot environment; roll it "
		               "back from another one (or the boot menu)",
		               name);
		goto out;
	}
	if (zfs_list_snapshots(c->zh, ds, 0, &sl) < 0)
		goto out;
	const struct zfs_snap *s = NULL;
	size_t later = 0;
	const char *newest = NULL;
	for (size_t i = 0; i < sl.n; i++)
		if (!strcmp(sl.v[i].name, snap))
			s = &sl.v[i];
	if (!s) {
		rc = zeit_fail(z, ENOENT, "no snapshot %s", snap);
		goto out;
	}
	for (size_t i = 0; i < sl.n; i++)
		if (sl.v[i].createtxg > s->createtxg) {
			later++;
			newest = sl.v[i].name;
		}
	if (later && !o->destroy_later) {
		rc = zeit_fail(z, EEXIST,
		               "%zu later snapshot%s (newest %s) would be "
		               "destroyed; -r allows it",
		               later, later == 1 ? "" : "s", newest);
		goto out;
	}
	/* A snapshot with no kernel would not boot. */
	struct be_kernel_list kl = {0};
	if (kernels_of(c, snap, NULL, &kl) < 0)
		goto out;
	size_t nk = kl.n;
	be_kernel_list_free(&kl);
	if (!nk && !o->force) {
		rc = zeit_fail(z, ENOENT,
		               "%s has no kernel in /boot and would not boot; "
		               "--force rolls back anyway",
		               snap);
		goto out;
	}
	zeit_note(z, z->dry_run ? 0 : 1, "%s %s to %s%s",
	          z->dry_run ? "would roll back" : "rolling back", ds, snap,
	          later ? " destroying later snapshots" : "");
	rc = z->dry_run ? 0
	                : zfs_rollback(c->zh, snap,
	                               later ? ZFS_ROLLBACK_LATER : 0);
out:
	zfs_snap_list_free(&sl);
	free(name);
	free(ds);
	free(snap);
	return rc;
}
