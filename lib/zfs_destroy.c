/* Destroying snapshots by name: one `zfs destroy ds@a,b,c` a dataset (zfs
 * takes one dataset's list atomically), split only to stay under the
 * argument limit. A refused call is read back as libzfs_core's errlist
 * is: which of its snapshots are held, clone origins or gone, from their
 * properties (codes, not zfs's words); the rest of that call are destroyed
 * by one more, and the calls after it still run. */
#include "zfs_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zfs_destroy_batches(const char *const *snaps, size_t limit,
                         struct strv *batches)
{
	size_t n = 0;
	bool *done;

	strv_init(batches);
	for (; snaps && snaps[n]; n++)
		;
	done = xcalloc(n ? n : 1, sizeof(bool));
	/* Group by dataset in order of first appearance. */
	for (size_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		const char *at = strchr(snaps[i], '@');
		size_t dlen = at ? (size_t)(at - snaps[i]) : strlen(snaps[i]);
		struct buf b;
		buf_init(&b);
		for (size_t k = i; k < n; k++) {
			const char *kat = strchr(snaps[k], '@');
			if (done[k] || !kat ||
			    (size_t)(kat - snaps[k]) != dlen ||
			    strncmp(snaps[k], snaps[i], dlen) != 0)
				continue;
			const char *short_name = kat + 1;
			if (b.len && b.len + 1 + strlen(short_name) > limit) {
				strv_push(batches, b.data);
				buf_reset(&b);
			}
			if (!b.len)
				buf_add(&b, snaps[i], dlen + 1);
			else
				buf_addc(&b, ',');
			buf_adds(&b, short_name);
			done[k] = true;
		}
		if (b.len)
			strv_push(batches, b.data);
		buf_free(&b);
	}
	free(done);
}

/* One `zfs destroy [-d] BATCH`; on failure zfs's message is on the handle. */
static int destroy_call(struct zfs *zh, const char *batch, bool defer)
{
	struct strv a;

	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "destroy");
	if (defer)
		strv_push(&a, "-d");
	strv_push(&a, batch);
	return zfs_run_quiet(zh, &a);
}

/* The full names of one batch, "ds@a,b,c". */
static void batch_names(const char *batch, struct strv *out)
{
	const char *at = strchr(batch, '@');
	int dlen = (int)(at - batch);

	strv_init(out);
	for (const char *p = at + 1; *p;) {
		size_t len = strcspn(p, ",");
		strv_pushf(out, "%.*s@%.*s", dlen, batch, (int)len, p);
		p += len + (p[len] == ',');
	}
}

static bool prop_set(const struct zfs_prop *p, const char *none)
{
	return p && p->value[0] && strcmp(p->value, "-") != 0 &&
	       strcmp(p->value, none) != 0;
}

/* Sorts a refused batch's snapshots by what their dataset's listing says:
 * held (userrefs), clone origins (clones; -d destroys both later), gone
 * (not listed); the others go into again. -1 when the dataset cannot be
 * read. */
static int sort_refused(struct zfs *zh, const struct strv *names, bool defer,
                        struct zfs_destroy_result *out, struct strv *again)
{
	static const char *const props[] = {"userrefs", "clones", NULL};
	char ds[ZFS_MAX_NAME_LEN + 1];
	struct zfs_prop_list pl;

	snprintf(ds, sizeof(ds), "%.*s", (int)strcspn(names->v[0], "@"),
	         names->v[0]);
	const char *const root[] = {ds, NULL};
	if (zfs_get_props(zh, root, 1, props, &pl) < 0)
		return -1;
	for (size_t i = 0; i < names->n; i++) {
		const char *s = names->v[i];
		const struct zfs_prop *refs = zfs_prop_find(&pl, s, "userrefs");
		const struct zfs_prop *cl = zfs_prop_find(&pl, s, "clones");
		if (!refs && !cl)
			strv_push(&out->gone, s);
		else if (!defer && prop_set(refs, "0"))
			strv_push(&out->held, s);
		else if (!defer && prop_set(cl, ""))
			strv_push(&out->cloned, s);
		else
			strv_push(again, s);
	}
	zfs_prop_list_free(&pl);
	return 0;
}

/* A refused batch: what can be named is left, the rest destroyed by one
 * more call; what cannot be named is the batch's failure. */
static void after_refusal(struct zfs *zh, const char *batch, bool defer,
                          struct zfs_destroy_result *out)
{
	struct strv names, again;
	int err = zh->z->err;

	batch_names(batch, &names);
	strv_init(&again);
	if (sort_refused(zh, &names, defer, out, &again) < 0 ||
	    again.n == names.n) {
		if (!out->failed) {
			out->failed = xstrdup(batch);
			out->error = err;
		}
	} else if (again.n) {
		struct strv b;
		zfs_destroy_batches((const char *const *)again.v, SIZE_MAX, &b);
		if (destroy_call(zh, b.v[0], defer) == 0)
			strv_pushv(&out->destroyed,
			           (const char *const *)again.v);
		else if (!out->failed) {
			out->failed = xstrdup(b.v[0]);
			out->error = zh->z->err;
		}
		strv_free(&b);
	}
	strv_free(&again);
	strv_free(&names);
}

int zfs_destroy_snapshots_report(struct zfs *zh, const char *const *snaps,
                                 bool defer, size_t limit,
                                 struct zfs_destroy_result *out)
{
	struct strv batches;

	memset(out, 0, sizeof(*out));
	if (zfs_check_names(zh, snaps, ZFS_NAME_SNAPSHOT) < 0)
		return -1;
	zfs_destroy_batches(snaps, limit, &batches);
	/* From the first refusal on, its message (what zfs said) is the one
	 * kept; reading back what was refused records nothing over it. */
	bool keeping = false;
	for (size_t i = 0; i < batches.n; i++) {
		if (destroy_call(zh, batches.v[i], defer) == 0) {
			struct strv names;
			batch_names(batches.v[i], &names);
			strv_pushv(&out->destroyed,
			           (const char *const *)names.v);
			strv_free(&names);
			continue;
		}
		if (!keeping)
			zeit_keep_error(zh->z);
		keeping = true;
		after_refusal(zh, batches.v[i], defer, out);
	}
	if (keeping)
		zeit_release_error(zh->z);
	strv_free(&batches);
	bool refused =
	        out->failed || out->held.n || out->cloned.n || out->gone.n;
	return refused ? -1 : 0;
}

int zfs_destroy_snapshots_limit(struct zfs *zh, const char *const *snaps,
                                bool defer, size_t limit)
{
	struct zfs_destroy_result r;
	int rc = zfs_destroy_snapshots_report(zh, snaps, defer, limit, &r);
	zfs_destroy_result_free(&r);
	return rc;
}

int zfs_destroy_snapshots(struct zfs *zh, const char *const *snaps, bool defer)
{
	return zfs_destroy_snapshots_limit(zh, snaps, defer,
	                                   ZFS_DESTROY_ARG_LIMIT);
}
