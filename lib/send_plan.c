/* The replication planner: pure code over two snapshot listings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/send.h"
#include "zeit/snapname.h"

const char *send_verdict_name(enum send_verdict v)
{
	switch (v) {
	case SEND_UP_TO_DATE: return "up to date";
	case SEND_FULL: return "full";
	case SEND_INCREMENTAL: return "incremental";
	case SEND_NOTHING: return "nothing to send";
	case SEND_DIVERGED: return "diverged";
	case SEND_NO_COMMON: return "no common snapshot";
	}
	return "?";
}

static const char *short_name(const char *full)
{
	const char *p = strpbrk(full, "@#");
	return p ? p + 1 : full;
}

bool send_selected(const struct send_select *sel, const char *snapname)
{
	struct snapname sn;

	if (sel->all)
		return true;
	return snapname_read(sel->names, short_name(snapname),
	                     sel->origins ? sel->origins : SNAP_ORIGIN_ZEIT,
	                     &sn);
}

static void add_step(struct send_plan *p, const char *from, const char *to,
                     bool intermediates)
{
	p->steps = xrealloc(p->steps, (p->nsteps + 1) * sizeof(*p->steps));
	p->steps[p->nsteps++] = (struct send_step){from, to, intermediates};
}

/* Steps from cur (already on the target) through every selected snapshot
 * after it: runs of consecutive selected snapshots go as one -I stream;
 * an unselected snapshot in between is skipped by a -i stream over it. A
 * bookmark can only be the source of -i. */
static void chain(struct send_plan *p, const struct send_side *src,
                  const struct send_select *sel, const struct zfs_snap *cur)
{
	const struct zfs_snap *run_end = NULL;
	bool gap = cur->bookmark;

	for (size_t i = 0; i < src->n; i++) {
		const struct zfs_snap *s = &src->snaps[i];
		if (s->bookmark || s->createtxg <= cur->createtxg)
			continue;
		if (!send_selected(sel, s->name)) {
			if (run_end) {
				add_step(p, cur->name, run_end->name, true);
				cur = run_end;
				run_end = NULL;
			}
			gap = true;
			continue;
		}
		if (gap) {
			add_step(p, cur->name, s->name, false);
			cur = s;
			gap = false;
		} else {
			run_end = s;
		}
	}
	if (run_end) {
		add_step(p, cur->name, run_end->name, true);
		cur = run_end;
	}
	p->newest = cur;
}

/* The source snapshot (preferred) or bookmark with guid, or NULL. */
static const struct zfs_snap *find_guid(const struct send_side *s,
                                        uint64_t guid)
{
	const struct zfs_snap *mark = NULL;
	for (size_t i = 0; i < s->n; i++) {
		if (s->snaps[i].guid != guid)
			continue;
		if (!s->snaps[i].bookmark)
			return &s->snaps[i];
		mark = &s->snaps[i];
	}
	return mark;
}

/* Why a target that diverged after the base cannot take an increment. */
static void explain_divergence(const struct send_side *dst,
                               struct send_plan *out)
{
	if (out->diverged.n) {
		struct buf b;
		buf_init(&b);
		for (size_t i = 0; i < out->diverged.n && i < 3; i++)
			buf_addf(&b, "%s@%s", i ? ", " : "",
			         out->diverged.v[i]);
		if (out->diverged.n > 3)
			buf_addf(&b, " and %zu more", out->diverged.n - 3);
		snprintf(out->why, sizeof(out->why),
		         "the target has snapshots the source lacks "
		         "after the common base @%s: %s; --rollback "
		         "discards them",
		         short_name(out->base->name), b.data);
		buf_free(&b);
	} else {
		snprintf(out->why, sizeof(out->why),
		         "the target was written to (%llu bytes) since "
		         "the common base @%s; --rollback discards that",
		         (unsigned long long)dst->written,
		         short_name(out->base->name));
	}
}

void send_plan_dataset(const struct send_side *src, const struct send_side *dst,
                       const struct send_select *sel, const char *clone_origin,
                       bool force, struct send_plan *out)
{
	const struct zfs_snap *first = NULL;

	memset(out, 0, sizeof(*out));
	strv_init(&out->diverged);
	for (size_t i = 0; i < src->n && !first; i++)
		if (!src->snaps[i].bookmark &&
		    send_selected(sel, src->snaps[i].name))
			first = &src->snaps[i];

	/* The newest target snapshot the source also has, by guid. */
	for (size_t i = dst->exists ? dst->n : 0; i-- > 0;) {
		const struct zfs_snap *m = find_guid(src, dst->snaps[i].guid);
		if (dst->snaps[i].bookmark || !m)
			continue;
		out->base = m;
		out->tbase = &dst->snaps[i];
		break;
	}

	if (!out->base) {
		bool empty = !dst->exists || (dst->n == 0 && dst->placeholder);
		if (!first) {
			out->verdict = SEND_NOTHING;
			snprintf(out->why, sizeof(out->why),
			         "no snapshot to send (%s)",
			         sel->all ? "it has none"
			                  : "none has a selected name");
			return;
		}
		if (!empty && !force) {
			out->verdict = SEND_NO_COMMON;
			snprintf(out->why, sizeof(out->why),
			         "the target exists and shares no snapshot "
			         "with the source (%zu snapshot%s of its own); "
			         "--force replaces it",
			         dst->n, dst->n == 1 ? "" : "s");
			return;
		}
		out->verdict = SEND_FULL;
		out->force_recv = dst->exists;
		add_step(out, clone_origin, first->name, false);
		chain(out, src, sel, first);
		return;
	}

	/* Anything on the target after the base diverges from the source. */
	for (size_t i = 0; i < dst->n; i++)
		if (!dst->snaps[i].bookmark &&
		    dst->snaps[i].createtxg > out->tbase->createtxg)
			strv_push(&out->diverged,
			          short_name(dst->snaps[i].name));
	chain(out, src, sel, out->base);
	if (out->diverged.n || dst->written) {
		out->verdict = SEND_DIVERGED;
		explain_divergence(dst, out);
		return;
	}
	out->verdict = out->nsteps ? SEND_INCREMENTAL : SEND_UP_TO_DATE;
}

void send_plan_free(struct send_plan *p)
{
	free(p->steps);
	strv_free(&p->diverged);
	memset(p, 0, sizeof(*p));
}

/* FNV-1a, enough to tell one target's bookmarks from another's. */
static uint32_t fnv1a(const char *a, const char *b)
{
	uint32_t h = 2166136261u;
	for (const char *s = a ? a : ""; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	h = (h ^ ':') * 16777619u;
	for (const char *s = b; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void send_hold_tag(const char *host, const char *target, char *out, size_t len)
{
	/* zfs limits a tag to 255 bytes; long names fall back to a hash. */
	int n = snprintf(out, len, "zeit-send:%s%s%s", host ? host : "",
	                 host ? ":" : "", target);
	if (n < 0 || (size_t)n >= len || n > 200)
		snprintf(out, len, "zeit-send:%08x", fnv1a(host, target));
}

/* 64 bits, so two targets' prefixes do not meet by chance. */
static uint64_t fnv1a64(const char *a, const char *b)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const char *s = a ? a : ""; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	h = (h ^ ':') * 0x100000001b3ULL;
	for (const char *s = b; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

void send_bookmark_prefix(const char *host, const char *target, char *out,
                          size_t len)
{
	snprintf(out, len, "zeitsend-%016llx-",
	         (unsigned long long)fnv1a64(host, target));
}

void send_bookmark_prefix_v1(const char *host, const char *target, char *out,
                             size_t len)
{
	snprintf(out, len, "zeitsend-%08x-", fnv1a(host, target));
}

char *send_target_name(const char *src_root, const char *dst_root,
                       const char *src_dataset)
{
	size_t rl = strlen(src_root);
	struct buf b;

	buf_init(&b);
	buf_adds(&b, dst_root);
	if (!strncmp(src_dataset, src_root, rl) && src_dataset[rl] == '/')
		buf_adds(&b, src_dataset + rl);
	return buf_detach(&b);
}

static long index_of_dataset(const char *const *names, size_t n,
                             const char *snap)
{
	for (size_t i = 0; i < n; i++)
		if (zfs_name_of(snap, names[i]))
			return (long)i;
	return -1;
}

void send_order(const char *const *names, const char *const *origins, size_t n,
                size_t *order)
{
	bool *done = xcalloc(n ? n : 1, sizeof(bool));
	size_t k = 0;

	/* Repeated passes in name order (parents sort before children): a
	 * dataset goes once its parent and its origin's dataset have gone.
	 * A cycle cannot happen in ZFS; the last pass takes what is left. */
	while (k < n) {
		size_t before = k;
		for (size_t i = 0; i < n; i++) {
			if (done[i])
				continue;
			long dep = -1;
			if (origins && origins[i] && strcmp(origins[i], "-"))
				dep = index_of_dataset(names, n, origins[i]);
			const char *slash = strrchr(names[i], '/');
			long parent = -1;
			if (slash) {
				for (size_t j = 0; j < n; j++)
					if (strlen(names[j]) ==
					            (size_t)(slash -
					                     names[i]) &&
					    !strncmp(names[j], names[i],
					             slash - names[i]))
						parent = (long)j;
			}
			if ((dep >= 0 && !done[dep] && (size_t)dep != i) ||
			    (parent >= 0 && !done[parent]))
				continue;
			done[i] = true;
			order[k++] = i;
		}
		if (k == before) {
			for (size_t i = 0; i < n; i++)
				if (!done[i]) {
					done[i] = true;
					order[k++] = i;
				}
		}
	}
	free(done);
}
