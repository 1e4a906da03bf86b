/* zeit status on zeit send's holds. zeit send keeps a target's common
 * base with a hold tagged for the target on the newest snapshot both
 * sides have, moved for the whole tree at each run. A hold of that form
 * is stale when
 *  - superseded: the same tag holds a newer snapshot of the same dataset
 *    (one dataset has one base a target; a run interrupted between its
 *    hold and its release leaves the old one), or
 *  - retired: no [send NAME] job of zeit.conf sends to its target, the
 *    target is not a dataset on this machine, and the tag's newest hold
 *    has not moved for [status] hold_stale (by the hold's time, or on a
 *    zfs without `holds -p` the snapshot's name).
 * A tag only looks like zeit's to status: anyone may take a hold of that
 * name. So status releases nothing; it names each stale hold and the
 * zfs release that would drop it, for the user to run. */
#include <stdlib.h>
#include <string.h>

#include "status_priv.h"
#include "zeit/run.h"
#include "zeit/send.h"
#include "zeit/send_auto.h"
#include "zeit/snapname.h"

#define TAG_PREFIX "zeit-send:"

/* As zeit send reads a side (split_target): a colon before any slash, not
 * first, ends a host. */
static const char *side_split(const char *arg, size_t *hostlen)
{
	const char *colon = strchr(arg, ':');
	const char *slash = strchr(arg, '/');
	if (colon && (!slash || colon < slash) && colon != arg) {
		*hostlen = (size_t)(colon - arg);
		return colon + 1;
	}
	*hostlen = 0;
	return arg;
}

bool status_zeit_tag(const char *tag, const char **target)
{
	*target = NULL;
	if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)))
		return false;
	const char *rest = tag + strlen(TAG_PREFIX);
	if (strlen(rest) == 8 && strspn(rest, "0123456789abcdef") == 8)
		return true; /* a long name's hash */
	size_t hl;
	const char *ds = side_split(rest, &hl);
	for (size_t i = 0; i < hl; i++)
		if ((unsigned char)rest[i] <= ' ' || rest[i] == 0x7f)
			return false;
	struct zeit scratch;
	zeit_init(&scratch);
	if (!strchr(ds, '/') || rest[0] == '-' ||
	    zfs_name_check(&scratch, ds, ZFS_NAME_DATASET) < 0)
		return false;
	if (!hl)
		*target = ds;
	return true;
}

/* The tags of the jobs that keep their holds here: a push's or a local
 * copy's (a pull's are on its remote source). */
static void job_tags(const struct zeit_config *cfg, struct strv *tags)
{
	for (size_t i = 0; i < cfg->njobs; i++) {
		const struct config_send_job *j = &cfg->jobs[i];
		size_t hl;
		side_split(j->source, &hl);
		if (hl)
			continue;
		const char *ds = side_split(j->target, &hl);
		char *host = hl ? xstrndup(j->target, hl) : NULL;
		char tag[256];
		send_hold_tag(host, ds, tag, sizeof(tag));
		strv_push(tags, tag);
		free(host);
	}
}

struct zhold {
	const char *snap, *tag;
	size_t dslen;
	uint64_t txg;
	time_t when; /* the hold's time, else the name's; 0: unknown */
};

static int by_tag_ds_txg(const void *a, const void *b)
{
	const struct zhold *x = a, *y = b;
	int c = strcmp(x->tag, y->tag);
	if (c)
		return c;
	size_t n = x->dslen < y->dslen ? x->dslen : y->dslen;
	c = memcmp(x->snap, y->snap, n);
	if (c || x->dslen != y->dslen)
		return c ? c : x->dslen < y->dslen ? -1 : 1;
	return x->txg < y->txg ? -1 : x->txg > y->txg;
}

static bool wanted(const char *const *roots, const char *name)
{
	if (!roots || !roots[0])
		return true;
	for (size_t i = 0; roots[i]; i++)
		if (zfs_name_under(name, roots[i]))
			return true;
	return false;
}

static bool has_dataset(const struct zfs_dataset_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return true;
	return false;
}

/* The zeit-send holds in scope whose snapshot the listing has. */
static size_t collect(const struct zeit_config *cfg,
                      const struct status_input *in,
                      const struct zfs_snap_index *ix, struct zhold *v)
{
	size_t n = 0;
	for (size_t i = 0; i < in->holds->n; i++) {
		const struct zfs_hold *h = &in->holds->v[i];
		const char *target, *at = strchr(h->snapshot, '@');
		if (!at || !status_zeit_tag(h->tag, &target) ||
		    !wanted(in->roots, h->snapshot))
			continue;
		char *ds = xstrndup(h->snapshot, at - h->snapshot);
		size_t ns;
		const struct zfs_snap *const *sv =
		        zfs_snap_index_of(ix, ds, &ns);
		free(ds);
		const struct zfs_snap *s = NULL;
		for (size_t k = 0; k < ns && !s; k++)
			if (!sv[k]->bookmark &&
			    !strcmp(sv[k]->name, h->snapshot))
				s = sv[k];
		if (!s)
			continue; /* destroyed between the listings */
		struct snapname sn;
		time_t named = snapname_read(&cfg->names, h->snapshot,
		                             cfg->adopt | SNAP_ORIGIN_ZEIT, &sn)
		                       ? sn.when
		                       : 0;
		v[n++] = (struct zhold){
		        .snap = h->snapshot,
		        .tag = h->tag,
		        .dslen = (size_t)(at - h->snapshot),
		        .txg = s->createtxg,
		        .when = h->timestamp > 0 ? (time_t)h->timestamp : named,
		};
	}
	return n;
}

static void stale(struct status_report *r, const struct zhold *h,
                  const char *why)
{
	/* The tag in the check keeps two tags' holds on one snapshot two
	 * checks (and two Prometheus series). */
	char *check = xasprintf("hold %s", h->tag);
	struct status_check *c =
	        status_check_add(r, STATUS_HOLD, h->snap, check);
	free(check);
	c->hold_tag = xstrdup(h->tag);
	struct buf b;
	buf_init(&b);
	buf_addf(&b, "stale: %s; release it: zfs release ", why);
	shell_quote(&b, h->tag);
	buf_adds(&b, " ");
	shell_quote(&b, h->snap);
	status_check_set(c, STATUS_WARNING, b.data);
	buf_free(&b);
}

/* One tag's holds, v[0..n), sorted by dataset and createtxg. */
static void check_tag(const struct zeit_config *cfg,
                      const struct status_input *in, const struct strv *known,
                      const struct zhold *v, size_t n, struct status_report *r)
{
	const char *target;
	status_zeit_tag(v[0].tag, &target);
	time_t moved = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].when > moved)
			moved = v[i].when;
	long long idle = moved ? (long long)(in->now - moved) : -1;
	bool retired = !strv_contains(known, v[0].tag) &&
	               !(target && has_dataset(in->datasets, target)) &&
	               cfg->status.hold_stale > 0 &&
	               idle > cfg->status.hold_stale;
	for (size_t i = 0; i < n; i++) {
		bool base = i + 1 == n || v[i + 1].dslen != v[i].dslen ||
		            memcmp(v[i + 1].snap, v[i].snap, v[i].dslen);
		if (!base) {
			const struct zhold *b = &v[i + 1];
			while (b + 1 < v + n && b[1].dslen == v[i].dslen &&
			       !memcmp(b[1].snap, v[i].snap, v[i].dslen))
				b++;
			char *why = xasprintf("its base on this dataset is now "
			                      "@%s",
			                      strchr(b->snap, '@') + 1);
			stale(r, &v[i], why);
			free(why);
		} else if (retired) {
			char *why = xasprintf(
			        "no job sends to %s%s and its holds have not "
			        "moved for %lld days",
			        target ? target : "its target",
			        target ? " (not on this machine)" : "",
			        idle / 86400);
			stale(r, &v[i], why);
			free(why);
		}
	}
}

void status_check_holds(const struct zeit_config *cfg,
                        const struct status_input *in,
                        const struct zfs_snap_index *ix,
                        struct status_report *r)
{
	if (in->holds_error) {
		struct status_check *c =
		        status_check_add(r, STATUS_HOLD, "holds", "holds");
		char *d = xasprintf("cannot list holds: %s", in->holds_error);
		status_check_set(c, STATUS_UNKNOWN, d);
		free(d);
		return;
	}
	if (!in->holds)
		return;
	struct zhold *v = xcalloc(in->holds->n + 1, sizeof(*v));
	size_t n = collect(cfg, in, ix, v);
	qsort(v, n, sizeof(*v), by_tag_ds_txg);
	struct strv known;
	strv_init(&known);
	job_tags(cfg, &known);
	size_t first = r->n;
	for (size_t i = 0, end; i < n; i = end) {
		for (end = i + 1; end < n && !strcmp(v[end].tag, v[i].tag);)
			end++;
		check_tag(cfg, in, &known, v + i, end - i, r);
	}
	strv_free(&known);
	/* Each pool in scope: how many zeit-send holds, how many stale. */
	for (size_t p = 0; in->capacity && p < in->capacity->n; p++) {
		const char *pool = in->capacity->v[p].dataset;
		bool inscope = !in->roots || !in->roots[0];
		for (size_t k = 0; !inscope && in->roots[k]; k++) {
			char rp[ZFS_MAX_NAME_LEN + 1];
			zfs_pool_of(in->roots[k], rp, sizeof(rp));
			inscope = !strcmp(rp, pool);
		}
		if (!inscope || strcmp(in->capacity->v[p].name, "capacity"))
			continue;
		long long held = 0, nstale = 0;
		for (size_t i = 0; i < n; i++)
			held += zfs_name_under(v[i].snap, pool);
		for (size_t i = first; i < r->n; i++)
			nstale += zfs_name_under(r->v[i].subject, pool);
		struct status_check *c =
		        status_check_add(r, STATUS_HOLD, pool, "holds");
		c->holds = held;
		c->count = nstale;
		char *d = xasprintf("%lld zeit-send hold%s, %lld stale", held,
		                    held == 1 ? "" : "s", nstale);
		status_check_set(c, nstale ? STATUS_WARNING : STATUS_OK, d);
		free(d);
	}
	free(v);
}
