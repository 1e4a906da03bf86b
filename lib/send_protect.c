/* What keeps a replication's common base on the source: a hold with the
 * target's tag on the newest snapshot both sides have, moved in one call
 * for the whole tree, and a bookmark of it (made together, in one channel
 * program where the driver can) should the snapshot go anyway. */
#include <stdlib.h>
#include <string.h>

#include "send_priv.h"

/* Queues a bookmark of the base on the source, unless it has one (the
 * fallback should the snapshot be destroyed anyway), and the removal of
 * this target's older bookmarks of ds. v is ds's slice of the listing. */
void send_queue_bookmark(struct run_state *st, const char *ds,
                         const struct zfs_snap *newest,
                         const struct zfs_snap *v, size_t n)
{
	const char *shortn = strchr(newest->name, '@') + 1;
	char *bm = xasprintf("%s#%s%s", ds, st->bmprefix, shortn);
	bool have = false;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, bm))
			have = true;
	if (!have) {
		strv_push(&st->bm_from, newest->name);
		strv_push(&st->bm_new, bm);
	}
	for (size_t i = 0; i < n; i++) {
		const char *hash = strchr(v[i].name, '#');
		if (v[i].bookmark && hash &&
		    (str_starts(hash + 1, st->bmprefix) ||
		     str_starts(hash + 1, st->bmprefix_v1)) &&
		    strcmp(v[i].name, bm))
			strv_push(&st->bm_old, v[i].name);
	}
	free(bm);
}

/* Membership in a list of names, sorted once: each base asked about
 * would otherwise cost the whole tree's list. */
struct name_set {
	const char **v;
	size_t n;
};

static int by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void set_init(struct name_set *s, char *const *v, size_t n)
{
	s->v = xcalloc(n + 1, sizeof(*s->v));
	s->n = n;
	for (size_t i = 0; i < n; i++)
		s->v[i] = v[i];
	if (n)
		qsort(s->v, n, sizeof(*s->v), by_str);
}

static bool set_has(const struct name_set *s, const char *name)
{
	return s->n &&
	       bsearch(&name, s->v, s->n, sizeof(*s->v), by_str) != NULL;
}

/* Makes the queued bookmarks, in one program where there are several,
 * and then drops the older ones they replace. */
int send_make_bookmarks(struct run_state *st)
{
	struct zfs *zh = st->src;

	if (st->bm_new.n &&
	    zfs_bookmarks(zh, (const char *const *)st->bm_from.v,
	                  (const char *const *)st->bm_new.v) < 0)
		return -1;
	for (size_t i = 0; i < st->bm_old.n; i++)
		if (zfs_destroy_bookmark(zh, st->bm_old.v[i]) < 0)
			return -1;
	return 0;
}

/* Holds every new base with this target's tag and releases the tag from
 * the snapshots that were bases before. The usual case costs a hold and a
 * release call for the whole tree, with no listing: the tag on the old
 * bases and not on the new ones is what the last run left. When that
 * guess is wrong (a run was interrupted between its calls, a hold was
 * taken or released by hand), a call fails and the holds listing decides
 * instead. */
static int move_holds_listed(struct run_state *st, const struct strv *all)
{
	struct zfs_hold_list hl;
	struct strv to_hold, to_release;
	int rc = -1;

	strv_init(&to_hold);
	strv_init(&to_release);
	if (zfs_holds(st->src, (const char *const *)all->v, false, &hl) < 0)
		goto out;
	struct name_set held_set, keep;
	char **ours = xcalloc(hl.n + 1, sizeof(*ours));
	size_t nours = 0;
	for (size_t k = 0; k < hl.n; k++)
		if (!strcmp(hl.v[k].tag, st->tag))
			ours[nours++] = hl.v[k].snapshot;
	set_init(&held_set, ours, nours);
	set_init(&keep, st->keep_hold.v, st->keep_hold.n);
	for (size_t i = 0; i < all->n; i++) {
		bool held = set_has(&held_set, all->v[i]);
		bool want = set_has(&keep, all->v[i]);
		if (want && !held)
			strv_push(&to_hold, all->v[i]);
		else if (!want && held)
			strv_push(&to_release, all->v[i]);
	}
	free(held_set.v);
	free(keep.v);
	free(ours);
	zfs_hold_list_free(&hl);
	/* Hold first: a crash between the two leaves two holds, not none. */
	if (to_hold.n && zfs_hold(st->src, st->tag,
	                          (const char *const *)to_hold.v, false) < 0)
		goto out;
	if (to_release.n &&
	    zfs_release(st->src, st->tag, (const char *const *)to_release.v,
	                false) < 0)
		goto out;
	rc = 0;
out:
	strv_free(&to_hold);
	strv_free(&to_release);
	return rc;
}

int send_move_holds(struct run_state *st)
{
	struct strv all, to_release;
	int rc = 0;

	if (!st->keep_hold.n && !st->old_base.n)
		return 0;
	struct name_set keep, old;
	set_init(&keep, st->keep_hold.v, st->keep_hold.n);
	set_init(&old, st->old_base.v, st->old_base.n);
	strv_init(&all);
	strv_init(&to_release);
	for (size_t i = 0; i < st->keep_hold.n; i++)
		strv_push(&all, st->keep_hold.v[i]);
	/* Sorted, a repeated old base is next to its twin. */
	for (size_t i = 0; i < old.n; i++)
		if (!set_has(&keep, old.v[i]) && !strchr(old.v[i], '#') &&
		    (i == 0 || strcmp(old.v[i - 1], old.v[i]))) {
			strv_push(&all, old.v[i]);
			strv_push(&to_release, old.v[i]);
		}
	/* A base that stays a base keeps its hold; with nothing new to hold
	 * or release, the listing checks that it still is held. */
	struct strv to_hold;
	strv_init(&to_hold);
	for (size_t i = 0; i < st->keep_hold.n; i++)
		if (!set_has(&old, st->keep_hold.v[i]))
			strv_push(&to_hold, st->keep_hold.v[i]);
	free(keep.v);
	free(old.v);
	bool guessed =
	        (to_hold.n || to_release.n) &&
	        (!to_hold.n ||
	         zfs_hold(st->src, st->tag, (const char *const *)to_hold.v,
	                  false) == 0) &&
	        (!to_release.n ||
	         zfs_release(st->src, st->tag,
	                     (const char *const *)to_release.v, false) == 0);
	if (!guessed) {
		zeit_clear_error(st->src->z);
		rc = move_holds_listed(st, &all);
	}
	strv_free(&to_hold);
	strv_free(&all);
	strv_free(&to_release);
	return rc;
}
