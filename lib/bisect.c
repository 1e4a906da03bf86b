/* A bisection kept in ZFS user properties: start, marks, the throwaway
 * clones of manual mode, `run`, and reset. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect_priv.h"
#include "zeit/bisect.h"
#include "zeit/snapname.h"
#include "zeit/tmpmount.h"

static const char *const state_props[] = {
        P_TARGET,     P_TIER,        P_BOOTFS, P_NEXTBOOT,
        P_CURRENT,    P_CLONES,      P_BBOOT,  P_BBOOT_CHECK,
        P_BBOOT_WAIT, P_BBOOT_BOOTS, NULL};

static char *full_snap(const char *target, const char *s)
{
	return strchr(s, '@') ? xstrdup(s) : xasprintf("%s@%s", target, s);
}

int bisect_set_one(struct zfs *zh, const char *ds, const char *prop,
                   const char *value)
{
	char *a = xasprintf("%s=%s", prop, value);
	const char *const set[] = {a, NULL};
	int rc = zfs_set_props(zh, ds, set);
	free(a);
	return rc;
}

/* One bisection at a time under a BE root. */
static int check_idle(struct be_ctx *be)
{
	struct zfs_prop_list pl;
	if (zfs_get_props(be->zh, (const char *const[]){be->root, NULL}, 0,
	                  state_props, &pl) < 0)
		return -1;
	const char *running = bisect_local_value(&pl, be->root, P_TARGET);
	int rc = running ? zeit_fail(be->zh->z, EEXIST,
	                             "a bisection of %s is in progress; zeit "
	                             "bisect reset ends it",
	                             running)
	                 : 0;
	zfs_prop_list_free(&pl);
	return rc;
}

/* The dataset bisected: the one named, else the running one, else what
 * boots (malloc'd), or NULL. */
static char *start_target(struct be_ctx *be, const struct bisect_start_opts *o)
{
	if (o->target)
		return strchr(o->target, '/') ? xstrdup(o->target)
		                              : be_dataset(be, o->target);
	if (be->running)
		return xstrdup(be->running);
	if (be->bootfs)
		return xstrdup(be->bootfs);
	zeit_fail(be->zh->z, ENOENT, "name the environment to bisect");
	return NULL;
}

/* The good and bad ends among target's snapshots; *bad gets the bad one's
 * name (the newest when o names none). */
static int find_ends(struct be_ctx *be, const char *target, const char *good,
                     const struct bisect_start_opts *o, char **bad)
{
	struct zeit *z = be->zh->z;
	struct zfs_snap_list sl = {0};
	if (zfs_list_snapshots(be->zh, target, 0, &sl) < 0)
		return -1;
	const char *bad_short = !o->bad               ? NULL
	                        : strchr(o->bad, '@') ? strchr(o->bad, '@') + 1
	                                              : o->bad;
	const struct zfs_snap *g = NULL, *b = NULL;
	for (size_t i = 0; i < sl.n; i++) {
		if (!strcmp(sl.v[i].name, good))
			g = &sl.v[i];
		if (o->bad && !strcmp(strchr(sl.v[i].name, '@') + 1, bad_short))
			b = &sl.v[i];
	}
	if (!o->bad && sl.n)
		b = &sl.v[sl.n - 1];
	int rc = 0;
	if (!g)
		rc = zeit_fail(z, ENOENT, "no snapshot %s", good);
	else if (!b)
		rc = zeit_fail(z, ENOENT, "no snapshot %s@%s", target,
		               o->bad ? o->bad : "(none)");
	else if (b->createtxg <= g->createtxg)
		rc = zeit_fail(z, EINVAL,
		               "the bad snapshot %s is not newer than the good "
		               "one %s",
		               b->name, g->name);
	else
		*bad = xstrdup(b->name);
	zfs_snap_list_free(&sl);
	return rc;
}

/* The bisection's state on the BE root (with what boots, to restore),
 * then the two ends' marks. */
static int save_start(struct be_ctx *be, const char *target, const char *tier,
                      const char *good, const char *bad)
{
	char *a1 = xasprintf(P_TARGET "=%s", target);
	char *a2 = xasprintf(P_TIER "=%s", tier ? tier : "all");
	char *a3 = xasprintf(P_BOOTFS "=%s", be->bootfs ? be->bootfs : "none");
	char *a4 = xasprintf(P_NEXTBOOT "=%s",
	                     be->nextboot ? be->nextboot : "none");
	const char *const set[] = {a1, a2, a3, a4, NULL};
	int rc = zfs_set_props(be->zh, be->root, set);
	free(a1);
	free(a2);
	free(a3);
	free(a4);
	if (rc == 0)
		rc = bisect_set_one(be->zh, good, P_MARK, "good");
	if (rc == 0)
		rc = bisect_set_one(be->zh, bad, P_MARK, "bad");
	return rc;
}

int bisect_start(struct be_ctx *be, const struct bisect_start_opts *o)
{
	struct zeit *z = be->zh->z;
	char *good = NULL, *bad = NULL;

	if (check_idle(be) < 0)
		return -1;
	if (o->tier && zeit_tier_from_name(o->tier) == ZEIT_TIER_NONE)
		return zeit_fail(z, EINVAL, "unknown tier '%s'", o->tier);
	char *target = start_target(be, o);
	if (!target)
		return -1;
	good = full_snap(target, o->good);
	int rc = find_ends(be, target, good, o, &bad);
	if (rc == 0 && z->dry_run)
		zeit_note(z, 0, "would bisect %s between %s and %s", target,
		          good, bad);
	else if (rc == 0)
		rc = save_start(be, target, o->tier, good, bad);
	free(target);
	free(good);
	free(bad);
	return rc;
}

void bisect_free(struct bisect *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].snap);
	free(b->v);
	free(b->target);
	free(b->tier);
	free(b->bootfs);
	free(b->nextboot);
	free(b->current);
	free(b->check);
	memset(b, 0, sizeof(*b));
}

const char *bisect_current(const struct bisect *b)
{
	return b->current;
}

/* The bisection's state from the BE root's properties. */
static int load_state(struct be_ctx *be, struct bisect *b)
{
	struct zfs_prop_list pl;
	if (zfs_get_props(be->zh, (const char *const[]){be->root, NULL}, 0,
	                  state_props, &pl) < 0)
		return -1;
	const char *t = bisect_local_value(&pl, be->root, P_TARGET);
	if (!t) {
		zfs_prop_list_free(&pl);
		return zeit_fail(be->zh->z, ENOENT,
		                 "no bisection in progress under %s (zeit "
		                 "bisect start)",
		                 be->root);
	}
	/* A forged target outside the BE root would have bisect clone and
	 * boot another pool's datasets. */
	if (!zfs_name_under(t, be->root) || !strcmp(t, be->root) ||
	    strchr(t + strlen(be->root) + 1, '/') || strpbrk(t, "@#")) {
		int rc = zeit_fail(be->zh->z, EINVAL,
		                   "%s on %s names %s, which is not an "
		                   "environment of %s (zeit bisect reset)",
		                   P_TARGET, be->root, t, be->root);
		zfs_prop_list_free(&pl);
		return rc;
	}
	b->target = xstrdup(t);
	const char *tier = bisect_local_value(&pl, be->root, P_TIER);
	b->tier = tier && strcmp(tier, "all") ? xstrdup(tier) : NULL;
	const char *bootfs = bisect_local_value(&pl, be->root, P_BOOTFS);
	const char *nextboot = bisect_local_value(&pl, be->root, P_NEXTBOOT);
	const char *current = bisect_local_value(&pl, be->root, P_CURRENT);
	b->bootfs = xstrdup(bootfs ? bootfs : "none");
	b->nextboot = xstrdup(nextboot ? nextboot : "none");
	b->current = current ? xstrdup(current) : NULL;
	bisect_boot_state_read(b, &pl);
	zfs_prop_list_free(&pl);
	return 0;
}

/* The listing's indexes in creation order (malloc'd). */
static size_t *creation_order(const struct zfs_dataset_list *l)
{
	unsigned long long *txg = xcalloc(l->n + 1, sizeof(*txg));
	size_t *ord = xcalloc(l->n + 1, sizeof(*ord));
	for (size_t i = 0; i < l->n; i++) {
		parse_u64(l->v[i].values[1], &txg[i]);
		ord[i] = i;
	}
	for (size_t i = 1; i < l->n; i++)
		for (size_t j = i; j > 0 && txg[ord[j - 1]] > txg[ord[j]];
		     j--) {
			size_t x = ord[j];
			ord[j] = ord[j - 1];
			ord[j - 1] = x;
		}
	free(txg);
	return ord;
}

/* The candidates, from the first good to the last bad in creation order
 * (ord); pos[candidate] gets its place in that order. */
static void take_candidates(struct bisect *b, const struct zfs_dataset_list *l,
                            const size_t *ord, size_t *pos)
{
	const struct snapname_rules *names = &b->be->zh->z->names;
	long first_good = -1, last_bad = -1;
	for (size_t k = 0; k < l->n; k++) {
		const char *m = l->v[ord[k]].values[0];
		if (!strcmp(m, "good") && first_good < 0)
			first_good = (long)k;
		if (!strcmp(m, "bad"))
			last_bad = (long)k;
	}
	b->v = xcalloc(l->n + 1, sizeof(*b->v));
	for (long k = first_good; k >= 0 && k <= last_bad; k++) {
		const struct zfs_dataset *d = &l->v[ord[k]];
		enum bisect_mark m = bisect_mark_from(d->values[0]);
		struct snapname sn;
		/* Outside the chosen tier only the marked ends count; the
		 * tier is the name's, in any scheme zeit reads. */
		if (b->tier && m == BISECT_UNKNOWN &&
		    (!snapname_read(names, d->name, SNAP_ORIGIN_ALL, &sn) ||
		     strcmp(zeit_tier_name(sn.tier), b->tier)))
			continue;
		pos[b->n] = (size_t)k;
		b->v[b->n].snap = xstrdup(d->name);
		b->v[b->n++].mark = m;
	}
}

/* What the tier filter hid between the answer's two ends, by scheme. */
static void count_left_out(struct bisect *b, const struct zfs_dataset_list *l,
                           const size_t *ord, const size_t *pos)
{
	const struct snapname_rules *names = &b->be->zh->z->names;
	size_t lo = pos[b->next.last_good], hi = pos[b->next.first_bad];
	for (size_t k = lo + 1, c = (size_t)b->next.last_good + 1; k < hi;
	     k++) {
		if (c < b->n && pos[c] == k) {
			c++;
			continue;
		}
		struct snapname sn;
		b->left_out++;
		if (!snapname_read(names, l->v[ord[k]].name, SNAP_ORIGIN_ALL,
		                   &sn))
			b->left_out_foreign++;
		b->left_out_auto += sn.origin == SNAP_ORIGIN_AUTO_SNAPSHOT;
		b->left_out_sanoid += sn.origin == SNAP_ORIGIN_SANOID;
		b->left_out_zeit += sn.origin == SNAP_ORIGIN_ZEIT;
	}
}

int bisect_load(struct be_ctx *be, struct bisect *b)
{
	struct zeit *z = be->zh->z;
	const char *const sp[] = {P_MARK, "createtxg", NULL};
	struct zfs_dataset_list l;

	memset(b, 0, sizeof(*b));
	b->be = be;
	if (load_state(be, b) < 0 ||
	    zfs_list_datasets(be->zh, b->target, 1, ZFS_TYPE_SNAPSHOT, sp, &l) <
	            0)
		return -1;
	/* Creation order, the good one first, the bad one last. */
	size_t *ord = creation_order(&l);
	size_t *pos = xcalloc(l.n + 1, sizeof(*pos)); /* candidate -> k */
	take_candidates(b, &l, ord, pos);
	enum bisect_mark *marks = xcalloc(b->n + 1, sizeof(*marks));
	for (size_t i = 0; i < b->n; i++)
		marks[i] = b->v[i].mark;
	int rc = bisect_next(z, marks, b->n, &b->next);
	if (rc == 0) {
		/* Marks besides the start's good (first) and bad (last). */
		for (size_t i = 1; i + 1 < b->n; i++)
			b->tested += marks[i] != BISECT_UNKNOWN;
		count_left_out(b, &l, ord, pos);
	}
	free(marks);
	free(pos);
	free(ord);
	zfs_dataset_list_free(&l);
	return rc;
}

int bisect_mark(struct bisect *b, const char *snap, enum bisect_mark m)
{
	struct zeit *z = b->be->zh->z;
	if (!snap)
		snap = b->current;
	if (!snap)
		return zeit_fail(z, EINVAL,
		                 "no snapshot is under test; name one");
	char *full = full_snap(b->target, snap);
	bool known = false;
	for (size_t i = 0; i < b->n; i++)
		if (!strcmp(b->v[i].snap, full))
			known = true;
	if (!known) {
		int rc = zeit_fail(z, EINVAL,
		                   "%s is not a candidate of this bisection",
		                   full);
		free(full);
		return rc;
	}
	int rc = z->dry_run ? 0
	                    : bisect_set_one(b->be->zh, full, P_MARK,
	                                     bisect_mark_name(m));
	free(full);
	if (rc < 0)
		return -1;
	struct be_ctx *be = b->be;
	bisect_free(b);
	return bisect_load(be, b);
}

static char *clone_name(const struct bisect *b, const char *snap)
{
	const char *t = strrchr(b->target, '/');
	return xasprintf("%s-bisect-%s", t ? t + 1 : b->target,
	                 strchr(snap, '@') + 1);
}

/* ---- The clones this bisection made ----
 * Recorded in P_CLONES on the BE root, each made with P_CLONE=token (see
 * bisect_priv.h for why ownership is proved so). */

/* Whether a snapshot of ds is the origin of another dataset. */
static int has_dependents(struct zfs *zh, const char *ds, bool *yes)
{
	const char *const props[] = {"clones", NULL};
	struct zfs_dataset_list l;

	*yes = false;
	if (zfs_list_datasets(zh, ds, 1, ZFS_TYPE_SNAPSHOT, props, &l) < 0)
		return -1;
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].values[0][0] && strcmp(l.v[i].values[0], "-"))
			*yes = true;
	zfs_dataset_list_free(&l);
	return 0;
}

/* A clone of snap in the BE root, recorded before it exists. Its name
 * says what it is a clone of; when another dataset has that name (the
 * user built on an earlier bisection's clone), a number is added. */
int bisect_make_clone(struct bisect *b, const char *snap,
                      const char *const *extra, char **name)
{
	struct be_ctx *be = b->be;
	struct clone_recs r;
	struct zfs_prop_list pl;
	char token[33];

	*name = NULL;
	if (clone_token(be->zh->z, token) < 0 ||
	    clone_children(be, P_CLONE, &pl) < 0)
		return -1;
	char *base = clone_name(b, snap);
	*name = xstrdup(base);
	for (int k = 2; k < 100; k++) {
		char *ds = be_dataset(be, *name);
		bool taken = zfs_prop_find(&pl, ds, "origin") != NULL;
		free(ds);
		if (!taken)
			break;
		free(*name);
		*name = xasprintf("%s-%d", base, k);
	}
	free(base);
	zfs_prop_list_free(&pl);
	if (clone_recs_load(be, P_CLONES, &r) < 0)
		return -1;
	clone_recs_add(&r, *name, snap, token);
	int rc = clone_recs_save(be, P_CLONES, &r);
	clone_recs_free(&r);
	if (rc < 0)
		return -1;
	char *mark = xasprintf(P_CLONE "=%s", token);
	const char *markers[4] = {mark, NULL};
	for (size_t i = 0; extra && extra[i] && i < 2; i++)
		markers[i + 1] = extra[i];
	struct be_create_opts o = {.name = *name,
	                           .source = snap,
	                           .mode = BE_CLONE,
	                           .markers = markers};
	rc = be_create(be, &o);
	free(mark);
	return rc;
}

/* Destroys the clones this bisection made, except keep's (a snapshot) and
 * the running one, and forgets the rest of the record: gone already, replaced
 * by another dataset, or built on (another dataset was made from it). */
int bisect_drop_clones(struct be_ctx *be, const char *keep)
{
	struct zeit *z = be->zh->z;
	struct clone_recs r;
	struct zfs_prop_list pl;
	bool changed = false;
	int rc = 0;

	if (clone_recs_load(be, P_CLONES, &r) < 0)
		return -1;
	if (!r.n)
		return 0;
	if (clone_children(be, P_CLONE, &pl) < 0) {
		clone_recs_free(&r);
		return -1;
	}
	for (size_t i = 0; i < r.n && rc == 0;) {
		const struct clone_rec *c = &r.v[i];
		char *ds = be_dataset(be, c->name);
		enum clone_state st = clone_state_of(be, &pl, P_CLONE, c);
		bool deps = false;
		if (st == CLONE_OURS &&
		    ((keep && !strcmp(c->origin, keep)) ||
		     (be->running && !strcmp(be->running, ds)))) {
			free(ds);
			i++;
			continue;
		}
		if (st == CLONE_OURS)
			rc = has_dependents(be->zh, ds, &deps);
		if (rc == 0 && st == CLONE_OURS && !deps)
			rc = zfs_destroy_dataset(be->zh, ds, true);
		else if (rc == 0 && st == CLONE_OURS)
			zeit_note(z, 0,
			          "left %s: another dataset was made from it "
			          "(zeit be destroy it when done)",
			          ds);
		else if (st == CLONE_FOREIGN)
			zeit_note(z, 0,
			          "left %s: it is not the clone this "
			          "bisection made",
			          ds);
		free(ds);
		if (rc == 0) {
			clone_recs_remove(&r, i);
			changed = true;
		}
	}
	if (rc == 0 && changed)
		rc = clone_recs_save(be, P_CLONES, &r);
	zfs_prop_list_free(&pl);
	clone_recs_free(&r);
	return rc;
}

/* The name of this bisection's clone of snap, or NULL when there is none. */
int bisect_own_clone(struct be_ctx *be, const char *snap, char **name)
{
	struct clone_recs r;
	struct zfs_prop_list pl;

	*name = NULL;
	if (clone_recs_load(be, P_CLONES, &r) < 0)
		return -1;
	int rc = r.n ? clone_children(be, P_CLONE, &pl) : 0;
	for (size_t i = 0; rc == 0 && i < r.n && !*name; i++)
		if (!strcmp(r.v[i].origin, snap) &&
		    clone_state_of(be, &pl, P_CLONE, &r.v[i]) == CLONE_OURS)
			*name = xstrdup(r.v[i].name);
	if (rc == 0 && r.n)
		zfs_prop_list_free(&pl);
	clone_recs_free(&r);
	return rc;
}

int bisect_checkout(struct bisect *b, char **clone)
{
	struct be_ctx *be = b->be;
	*clone = NULL;
	if (b->next.done)
		return bisect_drop_clones(be, NULL);
	const char *snap = b->v[b->next.pick].snap;
	char *name = NULL;
	if (bisect_drop_clones(be, snap) < 0 ||
	    bisect_own_clone(be, snap, &name) < 0)
		return -1;
	if (!name && bisect_make_clone(b, snap, NULL, &name) < 0) {
		free(name);
		return -1;
	}
	if (be_activate(be, name, true) < 0 ||
	    bisect_set_one(be->zh, be->root, P_CURRENT, snap) < 0) {
		free(name);
		return -1;
	}
	*clone = name;
	return 0;
}

int bisect_auto(struct bisect *b, const char *const *argv, bool chroot,
                void (*report)(const char *snap, enum bisect_mark m, int step,
                               void *arg),
                void *arg)
{
	struct be_ctx *be = b->be;
	struct zeit *z = be->zh->z;
	int step = 0;

	/* The clones' mounts (and chroot's binds) live in this process's
	 * own mount namespace, which the test command shares: killed at
	 * any point, no mount is left behind; the next run destroys the
	 * recorded clone. */
	if (mount_ns_private(z) < 0)
		return -1;
	/* A manual step's clone goes, and the next boot is as it was. */
	if (bisect_drop_clones(be, NULL) < 0 ||
	    be_set_nextboot(be, b->nextboot) < 0)
		return -1;
	while (!b->next.done) {
		const char *snap = b->v[b->next.pick].snap;
		char *name = NULL, *where = NULL, *ds = NULL;
		int status = -1;
		step++;
		if (bisect_make_clone(b, snap, NULL, &name) < 0) {
			free(name);
			return -1;
		}
		ds = be_dataset(be, name);
		if (chroot) {
			if (be_chroot(be, name, false, argv, &status) < 0)
				goto fail;
		} else {
			if (be_mount(be, name, NULL, false, &where) < 0)
				goto fail;
			int r = bisect_test_run(z, argv, where, &status);
			if (be_umount(be, name) < 0 || r < 0)
				goto fail;
		}
		if (bisect_drop_clones(be, NULL) < 0)
			goto fail;
		free(ds);
		free(where);
		free(name);
		enum bisect_mark m = bisect_mark_from_status(status);
		if (m == BISECT_UNKNOWN)
			return zeit_fail(z, EINTR,
			                 "the test command stopped the "
			                 "bisection (exit status %d at %s)",
			                 status, snap);
		if (report)
			report(snap, m, step, arg);
		char *s = xstrdup(snap);
		int rc = bisect_mark(b, s, m);
		free(s);
		if (rc < 0)
			return -1;
		continue;
	fail:
		free(ds);
		free(where);
		free(name);
		return -1;
	}
	return 0;
}

int bisect_reset(struct be_ctx *be)
{
	struct zeit *z = be->zh->z;
	struct bisect b;
	const char *const mp[] = {P_MARK, NULL};
	struct zfs_prop_list pl;

	bool forged = false;
	if (bisect_load(be, &b) < 0 && !b.target) {
		/* A state naming what is not an environment here is
		 * forgotten, and nothing it names is touched. */
		if (z->err != EINVAL)
			return -1;
		forged = true;
	}
	zeit_clear_error(z);
	if (z->dry_run) {
		zeit_note(z, 0,
		          "would destroy bisect's clones, clear its "
		          "marks and restore bootfs and next boot");
		bisect_free(&b);
		return 0;
	}
	if (be->running) {
		struct clone_recs r;
		bool busy = false;
		if (clone_recs_load(be, P_CLONES, &r) == 0) {
			for (size_t i = 0; i < r.n; i++) {
				char *ds = be_dataset(be, r.v[i].name);
				busy |= !strcmp(ds, be->running);
				free(ds);
			}
			clone_recs_free(&r);
		}
		/* A boot bisection is ended from wherever it stands; the
		 * clone that runs stays, and says so. */
		if (busy && b.boot)
			zeit_note(z, 0,
			          "left %s: it runs now; boot the default and "
			          "zeit be destroy it",
			          be->running);
		else if (busy) {
			bisect_free(&b);
			return zeit_fail(z, EBUSY,
			                 "this system runs a bisect clone; "
			                 "boot another environment and "
			                 "reset from there");
		}
	}
	int rc = bisect_drop_clones(be, NULL);
	/* Restore what boots, then forget the bisection. */
	if (rc == 0 && !forged)
		rc = be_set_bootfs(be, b.bootfs);
	if (rc == 0 && !forged)
		rc = be_set_nextboot(be, b.nextboot);
	if (rc == 0 && !forged &&
	    zfs_get_props(be->zh, (const char *const[]){b.target, NULL}, 1, mp,
	                  &pl) == 0) {
		for (size_t i = 0; i < pl.n && rc == 0; i++)
			if (pl.v[i].source == ZFS_SRC_LOCAL &&
			    strchr(pl.v[i].dataset, '@'))
				rc = zfs_inherit_prop(be->zh, pl.v[i].dataset,
				                      P_MARK, false);
		zfs_prop_list_free(&pl);
	}
	for (size_t i = 0; rc == 0 && state_props[i]; i++)
		rc = zfs_inherit_prop(be->zh, be->root, state_props[i], false);
	bisect_free(&b);
	return rc;
}
