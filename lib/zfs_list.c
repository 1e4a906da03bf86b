/* The driver's listings: zfs list, zfs get, zpool get, zfs holds. A
 * property value may hold any byte, and -H prints it raw, so a value could
 * pose as rows. Where zfs has -j (OpenZFS 2.3) datasets and properties are
 * read as JSON (zfs_json.c); elsewhere the -H layouts that zfs_parse.c
 * checks row by row (a name first and last, no duplicates, no control
 * bytes but a value's own tabs). zfs holds has no -j: its rows are
 * checked and counted. Snapshot listings stay on -H: their columns (name,
 * guid, createtxg) cannot hold a byte a user chose, and JSON costs 1.36x
 * the time there
 * (3000 snapshots in the VM). Every row is then checked against
 * what was asked: a name outside the roots, a property not asked for or a
 * hold on a snapshot not asked about fails the listing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zfs_priv.h"

/* ---- -j or not ---- */

/* What the local zfs said about -j, for handles made later in this
 * process (a remote host is asked once per handle). */
static int local_json, local_holds_p;

void zfs_json_init(struct zfs *zh)
{
	if (!zh->host || !zh->host->ssh)
		zh->holds_p = local_holds_p;
	/* ZEIT_ZFS_NO_JSON=1 forces the -H fallback, so tests can run it
	 * against a zfs that has -j. */
	const char *e = getenv("ZEIT_ZFS_NO_JSON");
	if (e && *e && strcmp(e, "0") != 0)
		zh->json = -1;
	else if (!zh->host || !zh->host->ssh)
		zh->json = local_json;
}

static void no_json(struct zfs *zh)
{
	zh->json = -1;
	if (!zh->host || !zh->host->ssh)
		local_json = -1;
}

/* Runs a listing; the caller owns c when 0 is returned. A zfs without -j
 * (before 2.3) answers it with its usage message and exit 2: that is
 * remembered and 1 returned, so the caller asks again with -H. With
 * missing, a root zfs says does not exist is marked there and is no
 * failure, as long as zfs said nothing else. */
static int zrun_list(struct zfs *zh, const struct strv *a, bool json,
                     const char *const *roots, bool *missing, struct run_cmd *c)
{
	if (zfs_run_any(zh, a, NULL, c) < 0)
		return -1;
	if (json && c->status == 2 && c->err.data &&
	    strstr(c->err.data, "invalid option 'j'")) {
		zeit_note(zh->z, 1, "zfs%s%s has no -j; listing with -H",
		          zh->host && zh->host->ssh ? " on " : "",
		          zh->host && zh->host->ssh ? zh->host->ssh : "");
		no_json(zh);
		run_cmd_free(c);
		return 1;
	}
	for (size_t i = 0; missing && roots[i]; i++)
		missing[i] = false;
	if (c->status == 0)
		return 0;
	bool any = false;
	if (missing && c->status == 1 && !c->timed_out && !c->cancelled &&
	    zfs_parse_missing(c->err.data, roots, missing) == 0)
		for (size_t i = 0; roots[i]; i++)
			any |= missing[i];
	if (!any) {
		zfs_fail_cmd(zh, c);
		run_cmd_free(c);
		return -1;
	}
	return 0;
}

/* One listing: its argv with or without -j, and its parser for either.
 * zfs's JSON writer stops short at a value that is not UTF-8 (and exits
 * 0); JSON that does not parse is asked for again with -H, which is as
 * safe, only stricter. */
struct listing {
	void (*argv)(struct strv *a, bool json, const void *arg);
	int (*parse)(struct zeit *z, char *text, bool json, const void *arg,
	             void *out);
	const void *arg;
	const char *const *roots; /* to mark missing ones in missing */
	bool *missing;
};

static int list_run(struct zfs *zh, const struct listing *l, bool json,
                    void *out)
{
	for (;;) {
		struct strv a;
		struct run_cmd c;
		strv_init(&a);
		l->argv(&a, json, l->arg);
		int rc = zrun_list(zh, &a, json, l->roots, l->missing, &c);
		strv_free(&a);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			json = false;
			continue;
		}
		rc = l->parse(zh->z, c.out.data ? c.out.data : (char[]){0},
		              json, l->arg, out);
		run_cmd_free(&c);
		if (rc == 0 || !json)
			return rc;
		zeit_note(zh->z, 1, "%s; listing again with -H",
		          zeit_error(zh->z));
		zeit_clear_error(zh->z);
		json = false;
	}
}

/* ---- What was asked ---- */

static bool within_any(const char *name, const char *const *roots, int depth)
{
	if (!roots || !roots[0])
		return true;
	for (size_t i = 0; roots[i]; i++)
		if (zfs_name_within(name, roots[i], depth))
			return true;
	return false;
}

static int outside(struct zfs *zh, const char *cmd, const char *name)
{
	return zeit_fail(zh->z, EPROTO,
	                 "%s printed %s, which was not asked for (a forged "
	                 "row?)",
	                 cmd, name);
}

static bool in_list(const char *s, const char *const *v)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(s, v[i]))
			return true;
	return false;
}

static int check_props(struct zfs *zh, const char *cmd,
                       const struct zfs_prop_list *l, const char *const *names,
                       int depth, const char *const *props)
{
	for (size_t i = 0; i < l->n; i++) {
		if (!within_any(l->v[i].dataset, names, depth))
			return outside(zh, cmd, l->v[i].dataset);
		if (props && props[0] && !in_list(l->v[i].name, props))
			return zeit_fail(zh->z, EPROTO,
			                 "%s printed property %s of %s, which "
			                 "was not asked for (a forged row?)",
			                 cmd, l->v[i].name, l->v[i].dataset);
	}
	return 0;
}

/* ---- Datasets ---- */

struct ds_arg {
	const char *const *roots;
	const char *const *props;
	const char *types;
	int depth;
};

static void ds_argv(struct strv *a, bool json, const void *arg)
{
	const struct ds_arg *d = arg;
	struct buf cols;

	buf_init(&cols);
	/* JSON names the type itself; -H asks for the name again last. */
	zfs_join_comma(&cols, json ? "name" : "name,type", d->props);
	if (!json)
		buf_adds(&cols, ",name");
	strv_push(a, "zfs");
	strv_push(a, "list");
	strv_push(a, json ? "-j" : "-H");
	strv_push(a, "-p");
	strv_push(a, "-o");
	strv_push(a, cols.data);
	strv_push(a, "-t");
	strv_push(a, d->types);
	if (d->roots && d->roots[0])
		zfs_push_depth(a, d->depth);
	strv_pushv(a, d->roots);
	buf_free(&cols);
}

static int ds_parse(struct zeit *z, char *text, bool json, const void *arg,
                    void *out)
{
	const struct ds_arg *d = arg;
	size_t n = 0;

	for (; d->props && d->props[n]; n++)
		;
	return json ? zfs_parse_json_datasets(z, text, d->props, out)
	            : zfs_parse_datasets(z, text, n, out);
}

/* Rows the -H parser took unread (their values held a tab, and more than
 * one value was asked for): zfs get prints one value a line, where a tab
 * can only be the value's own, so one call reads them all. */
static int read_unread(struct zfs *zh, const char *const *props,
                       struct zfs_dataset_list *out)
{
	struct strv names;
	struct zfs_prop_list pl;
	int rc = 0;

	strv_init(&names);
	for (size_t i = 0; i < out->n; i++)
		if (out->v[i].unread)
			strv_push(&names, out->v[i].name);
	if (!names.n) {
		strv_free(&names);
		return 0;
	}
	zeit_note(zh->z, 1,
	          "zfs list printed a tab in a value of %zu datasets; reading "
	          "their values with zfs get",
	          names.n);
	if (zfs_get_props(zh, (const char *const *)names.v, 0, props, &pl) <
	    0) {
		strv_free(&names);
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < out->n; i++) {
		struct zfs_dataset *d = &out->v[i];
		for (size_t k = 0; rc == 0 && d->unread && props[k]; k++) {
			const struct zfs_prop *p =
			        zfs_prop_find(&pl, d->name, props[k]);
			if (p && p->value)
				d->values[k] = xstrdup(p->value);
			else
				rc = zeit_fail(zh->z, EPROTO,
				               "zfs get printed no %s for %s",
				               props[k], d->name);
		}
		d->unread = false;
	}
	zfs_prop_list_free(&pl);
	strv_free(&names);
	return rc;
}

int zfs_list_datasets_roots(struct zfs *zh, const char *const *roots, int depth,
                            unsigned types, const char *const *props,
                            struct zfs_dataset_list *out, bool *missing)
{
	struct buf tl;
	size_t nprops = 0;

	out->v = NULL;
	out->n = 0;
	out->nprops = 0;
	/* A snapshot or bookmark lists just itself (depth does not apply). */
	for (size_t i = 0; roots && roots[i]; i++) {
		if (zfs_check_name(zh, roots[i],
		                   ZFS_NAME_DATASET | ZFS_NAME_SNAPSHOT |
		                           ZFS_NAME_BOOKMARK) < 0)
			return -1;
		if (strpbrk(roots[i], "@#"))
			depth = 0;
	}
	for (; props && props[nprops]; nprops++)
		if (!*props[nprops] || strpbrk(props[nprops], ", \t\n"))
			return zeit_fail(zh->z, EINVAL,
			                 "invalid property name '%s'",
			                 props[nprops]);
	buf_init(&tl);
	if (!types)
		types = ZFS_TYPE_FILESYSTEM | ZFS_TYPE_VOLUME;
	if (types & ZFS_TYPE_FILESYSTEM)
		buf_adds(&tl, "filesystem");
	if (types & ZFS_TYPE_VOLUME)
		buf_addf(&tl, "%svolume", tl.len ? "," : "");
	if (types & ZFS_TYPE_SNAPSHOT)
		buf_addf(&tl, "%ssnapshot", tl.len ? "," : "");
	if (types & ZFS_TYPE_BOOKMARK)
		buf_addf(&tl, "%sbookmark", tl.len ? "," : "");

	struct ds_arg d = {roots, props, tl.data, depth};
	struct listing l = {ds_argv, ds_parse, &d, roots,
	                    roots && roots[0] ? missing : NULL};
	/* zfs list -j prints nothing at all when one of its roots does not
	 * exist (2.3.2), the others' rows included: a listing that may name
	 * a missing root takes the checked -H form, in the same one call. */
	int rc = list_run(zh, &l, zh->json >= 0 && !l.missing, out);
	buf_free(&tl);
	if (rc == 0)
		rc = read_unread(zh, props, out);
	for (size_t i = 0; rc == 0 && i < out->n; i++)
		if (!(out->v[i].type & types) ||
		    !within_any(out->v[i].name, roots, depth))
			rc = outside(zh, "zfs list", out->v[i].name);
	if (rc < 0)
		zfs_dataset_list_free(out);
	return rc;
}

int zfs_list_datasets(struct zfs *zh, const char *root, int depth,
                      unsigned types, const char *const *props,
                      struct zfs_dataset_list *out)
{
	const char *roots[] = {root, NULL};
	return zfs_list_datasets_roots(zh, root ? roots : NULL, depth, types,
	                               props, out, NULL);
}

/* ---- Snapshots: -H always, every row checked ---- */

struct snap_arg {
	const char *const *roots;
	const char *types;
	bool recursive;
};

static void snap_argv(struct strv *a, bool json, const void *arg)
{
	const struct snap_arg *s = arg;

	(void)json;
	strv_push(a, "zfs");
	strv_push(a, "list");
	strv_push(a, "-H");
	strv_push(a, "-p");
	/* Only these columns (and this sort key) keep zfs on its fast path,
	 * which skips loading each snapshot's properties. */
	strv_push(a, "-o");
	strv_push(a, "name,guid,createtxg");
	strv_push(a, "-s");
	strv_push(a, "createtxg");
	strv_push(a, "-t");
	strv_push(a, s->types);
	if (s->roots && s->roots[0])
		strv_push(a, s->recursive ? "-r" : "-d1");
	strv_pushv(a, s->roots);
}

static int snap_parse(struct zeit *z, char *text, bool json, const void *arg,
                      void *out)
{
	(void)json;
	(void)arg;
	return zfs_parse_snapshots(z, text, out);
}

int zfs_list_snapshots_roots(struct zfs *zh, const char *const *roots,
                             unsigned flags, struct zfs_snap_list *out,
                             bool *missing)
{
	struct snap_arg s = {roots, "snapshot",
	                     (flags & ZFS_SNAP_RECURSIVE) != 0};

	out->v = NULL;
	out->n = 0;
	for (size_t i = 0; roots && roots[i]; i++)
		if (zfs_check_name(zh, roots[i], ZFS_NAME_DATASET) < 0)
			return -1;
	if (flags & ZFS_SNAP_NO_SNAPSHOTS)
		s.types = "bookmark";
	else if (flags & ZFS_SNAP_BOOKMARKS)
		s.types = "snapshot,bookmark";

	struct listing l = {snap_argv, snap_parse, &s, roots,
	                    roots && roots[0] ? missing : NULL};
	int rc = list_run(zh, &l, false, out);
	for (size_t i = 0; rc == 0 && i < out->n; i++) {
		const struct zfs_snap *v = &out->v[i];
		bool kind = v->bookmark ? strchr(s.types, 'b') != NULL
		                        : strchr(s.types, 's') != NULL;
		if (!kind || !within_any(v->name, roots, s.recursive ? -1 : 1))
			rc = outside(zh, "zfs list", v->name);
	}
	if (rc < 0)
		zfs_snap_list_free(out);
	return rc;
}

int zfs_list_snapshots(struct zfs *zh, const char *root, unsigned flags,
                       struct zfs_snap_list *out)
{
	const char *roots[] = {root, NULL};
	return zfs_list_snapshots_roots(zh, root ? roots : NULL, flags, out,
	                                NULL);
}

/* Pool names hold no byte a user chose either; each line must be one. */
int zpool_list(struct zfs *zh, struct strv *pools)
{
	struct strv a;
	struct run_cmd c;

	strv_init(pools);
	strv_init(&a);
	strv_push(&a, "zpool");
	strv_push(&a, "list");
	strv_push(&a, "-H");
	strv_push(&a, "-o");
	strv_push(&a, "name");
	int rc = zrun_list(zh, &a, false, NULL, NULL, &c);
	strv_free(&a);
	if (rc < 0)
		return -1;
	for (char *p = c.out.data, *nl; rc == 0 && p && *p;
	     p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (!*p)
			continue;
		if (!zfs_text_clean(p) ||
		    zfs_name_check(zh->z, p, ZFS_NAME_POOL) < 0 ||
		    strv_contains(pools, p))
			rc = zeit_fail(zh->z, EPROTO,
			               "zpool list printed a malformed line");
		else
			strv_push(pools, p);
	}
	run_cmd_free(&c);
	if (rc < 0)
		strv_free(pools);
	return rc;
}

/* ---- Properties ---- */

struct get_arg {
	bool pool;                /* zpool get */
	const char *const *names; /* datasets, or the pool (NULL: all) */
	const char *const *props; /* NULL: all */
	int depth;
	const char *cols; /* the -H columns, as zfs_parse_props */
	bool *json_used;
	bool values_only; /* sources not wanted (zpool_get_values) */
};

static const char *const *get_cols(const char *cols)
{
	static const char *const npvsn[] = {"name,property,value,source,name",
	                                    "npvsn"};
	static const char *const npvn[] = {"name,property,value,name", "npvn"};
	static const char *const nps[] = {"name,property,source", "nps"};
	if (!strcmp(cols, "npvn"))
		return npvn;
	if (!strcmp(cols, "nps"))
		return nps;
	return npvsn;
}

static void get_argv(struct strv *a, bool json, const void *arg)
{
	const struct get_arg *g = arg;
	struct buf pl;

	buf_init(&pl);
	zfs_join_comma(&pl, NULL, g->props);
	strv_push(a, g->pool ? "zpool" : "zfs");
	strv_push(a, "get");
	strv_push(a, json ? "-j" : "-H");
	strv_push(a, "-p");
	strv_push(a, "-o");
	strv_push(a,
	          json ? "name,property,value,source" : get_cols(g->cols)[0]);
	if (!g->pool)
		zfs_push_depth(a, g->depth);
	strv_push(a, pl.len ? pl.data : "all");
	strv_pushv(a, g->names);
	buf_free(&pl);
}

static int get_parse(struct zeit *z, char *text, bool json, const void *arg,
                     void *out)
{
	const struct get_arg *g = arg;

	*g->json_used = json;
	return json ? zfs_parse_json_props(z, text, out)
	            : zfs_parse_props(z, text,
	                              g->pool ? "zpool get" : "zfs get",
	                              get_cols(g->cols)[1], out);
}

static int by_row(const void *a, const void *b)
{
	const struct zfs_prop *x = *(const struct zfs_prop *const *)a;
	const struct zfs_prop *y = *(const struct zfs_prop *const *)b;
	int c = strcmp(x->dataset, y->dataset);
	return c ? c : strcmp(x->name, y->name);
}

/* The -H fallback's second listing: `name,property,source` (no value, so
 * nothing a user chose) must name exactly the rows the values came in
 * (zfs_parse_props has refused duplicates in each); it also gives the
 * sources where the value listing could not. One forged value row is
 * then a row too many. */
static int merge_sources(struct zfs *zh, const char *cmd,
                         struct zfs_prop_list *vals,
                         const struct zfs_prop_list *srcs)
{
	const struct zfs_prop **a, **b;
	int rc = 0;

	if (vals->n != srcs->n)
		return zeit_fail(zh->z, EPROTO,
		                 "%s printed %zu rows of values and %zu of "
		                 "sources (a forged row, or a property changed "
		                 "meanwhile)",
		                 cmd, vals->n, srcs->n);
	a = xcalloc(vals->n + 1, sizeof(*a));
	b = xcalloc(vals->n + 1, sizeof(*b));
	for (size_t i = 0; i < vals->n; i++) {
		a[i] = &vals->v[i];
		b[i] = &srcs->v[i];
	}
	qsort(a, vals->n, sizeof(*a), by_row);
	qsort(b, vals->n, sizeof(*b), by_row);
	for (size_t i = 0; i < vals->n && rc == 0; i++) {
		if (by_row(&a[i], &b[i]) != 0) {
			rc = zeit_fail(zh->z, EPROTO,
			               "%s printed %s of %s in one listing and "
			               "not in the other (a forged row?)",
			               cmd, a[i]->name, a[i]->dataset);
			break;
		}
		struct zfs_prop *p = (struct zfs_prop *)a[i];
		p->source = b[i]->source;
		free(p->inherited_from);
		p->inherited_from = b[i]->inherited_from
		                            ? xstrdup(b[i]->inherited_from)
		                            : NULL;
	}
	free(a);
	free(b);
	return rc;
}

/* Whether props are named and none is a user property: zpool prints
 * those values itself (numbers, states, dataset names), so none can hold
 * a newline to pose as a row, and a row zpool did not print for a named
 * property is a duplicate or not asked for, refused either way. */
static bool native_only(const char *const *props)
{
	if (!props || !props[0])
		return false;
	for (size_t i = 0; props[i]; i++)
		if (strchr(props[i], ':'))
			return false;
	return true;
}

static int get_run(struct zfs *zh, struct get_arg *g, struct zfs_prop_list *out)
{
	const char *cmd = g->pool ? "zpool get" : "zfs get";
	bool json = false;
	struct listing l = {get_argv, get_parse, g, NULL, NULL};

	g->json_used = &json;
	/* zpool get has room for four columns: the name twice leaves none
	 * for the source. */
	g->cols = g->pool ? "npvn" : "npvsn";
	int rc = list_run(zh, &l, zh->json >= 0, out);
	/* zfs get all prints only the user properties that are set, so a
	 * forged row for an unset one would be no duplicate: the rows are
	 * counted against a second listing, as zpool get's are. */
	if (rc == 0 && !json && (g->pool || !g->props || !g->props[0]) &&
	    !(g->values_only && native_only(g->props))) {
		struct zfs_prop_list srcs;
		g->cols = "nps";
		rc = list_run(zh, &l, false, &srcs);
		if (rc == 0) {
			rc = merge_sources(zh, cmd, out, &srcs);
			zfs_prop_list_free(&srcs);
		}
	}
	if (rc == 0)
		rc = check_props(zh, cmd, out, g->names, g->pool ? 0 : g->depth,
		                 g->props);
	if (rc < 0)
		zfs_prop_list_free(out);
	return rc;
}

static int check_prop_names(struct zfs *zh, const char *const *props)
{
	for (size_t i = 0; props && props[i]; i++)
		if (!*props[i] || strpbrk(props[i], ", \t\n"))
			return zeit_fail(zh->z, EINVAL,
			                 "invalid property name '%s'",
			                 props[i]);
	return 0;
}

int zfs_get_props(struct zfs *zh, const char *const *datasets, int depth,
                  const char *const *props, struct zfs_prop_list *out)
{
	struct get_arg g = {false, datasets, props, depth, NULL, NULL, false};

	out->v = NULL;
	out->n = 0;
	if (zfs_check_names(zh, datasets,
	                    ZFS_NAME_DATASET | ZFS_NAME_SNAPSHOT |
	                            ZFS_NAME_BOOKMARK) < 0 ||
	    check_prop_names(zh, props) < 0)
		return -1;
	return get_run(zh, &g, out);
}

int zpool_get_props(struct zfs *zh, const char *pool, const char *const *props,
                    struct zfs_prop_list *out)
{
	const char *names[] = {pool, NULL};
	struct get_arg g = {true, pool ? names : NULL, props, 0, NULL, NULL,
	                    false};

	out->v = NULL;
	out->n = 0;
	if (pool && zfs_check_name(zh, pool, ZFS_NAME_POOL) < 0)
		return -1;
	if (check_prop_names(zh, props) < 0)
		return -1;
	return get_run(zh, &g, out);
}

/* As zpool_get_props, without the sources: on a zpool without -j the
 * -H listing has no room for them, and reading them is a second call. */
int zpool_get_values(struct zfs *zh, const char *pool, const char *const *props,
                     struct zfs_prop_list *out)
{
	const char *names[] = {pool, NULL};
	struct get_arg g = {true, pool ? names : NULL, props, 0, NULL, NULL,
	                    true};

	out->v = NULL;
	out->n = 0;
	if (pool && zfs_check_name(zh, pool, ZFS_NAME_POOL) < 0)
		return -1;
	if (check_prop_names(zh, props) < 0)
		return -1;
	return get_run(zh, &g, out);
}

/* ---- Holds (zfs holds has no -j) ---- */

/* Whether a hold listed on snap was asked about: one of snaps, or with
 * recursive a snapshot of the same name below one of their datasets. */
static bool hold_asked(const char *snap, const char *const *snaps,
                       bool recursive)
{
	const char *at = strchr(snap, '@');
	for (size_t i = 0; snaps[i]; i++) {
		if (!strcmp(snap, snaps[i]))
			return true;
		const char *sat = strchr(snaps[i], '@');
		if (!recursive || !at || !sat || strcmp(at, sat))
			continue;
		size_t dl = (size_t)(sat - snaps[i]);
		if ((size_t)(at - snap) > dl && !strncmp(snap, snaps[i], dl) &&
		    snap[dl] == '/')
			return true;
	}
	return false;
}

/* A tag with a tab and a newline in it still poses as a hold row on a
 * snapshot asked about; it cannot change what ZFS counts. So the rows
 * each snapshot got must be its userrefs (one listing more, only when
 * there are holds). */
static int count_holds(struct zfs *zh, const struct zfs_hold_list *l)
{
	static const char *const props[] = {"userrefs", NULL};
	struct zfs_prop_list refs;
	struct strv names;
	int rc = 0;

	strv_init(&names);
	for (size_t i = 0; i < l->n; i++)
		if (!strv_contains(&names, l->v[i].snapshot))
			strv_push(&names, l->v[i].snapshot);
	if (zfs_get_props(zh, (const char *const *)names.v, 0, props, &refs) <
	    0) {
		strv_free(&names);
		return -1;
	}
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		const struct zfs_prop *p =
		        zfs_prop_find(&refs, names.v[i], "userrefs");
		unsigned long long want, got = 0;
		for (size_t k = 0; k < l->n; k++)
			got += !strcmp(l->v[k].snapshot, names.v[i]);
		if (!p || !parse_u64(p->value, &want) || want != got)
			rc = zeit_fail(zh->z, EPROTO,
			               "zfs holds printed %llu holds on %s, "
			               "which has %s (a hold tag posing as a "
			               "row?)",
			               got, names.v[i], p ? p->value : "none");
	}
	zfs_prop_list_free(&refs);
	strv_free(&names);
	return rc;
}

/* The rows each snapshot got must be the userrefs a listing of them gave
 * (held: the rows with any, sorted by name). */
struct held_row {
	const char *name;
	unsigned long long refs, got;
};

static int by_held_name(const void *a, const void *b)
{
	return strcmp(((const struct held_row *)a)->name,
	              ((const struct held_row *)b)->name);
}

static int count_listed(struct zfs *zh, const struct zfs_hold_list *l,
                        struct held_row *held, size_t n)
{
	for (size_t i = 0; i < l->n; i++) {
		struct held_row key = {.name = l->v[i].snapshot};
		struct held_row *h =
		        bsearch(&key, held, n, sizeof(*held), by_held_name);
		if (!h)
			return zeit_fail(zh->z, EPROTO,
			                 "zfs holds printed a hold on %s, "
			                 "which has none",
			                 l->v[i].snapshot);
		h->got++;
	}
	for (size_t i = 0; i < n; i++)
		if (held[i].got != held[i].refs)
			return zeit_fail(
			        zh->z, EPROTO,
			        "zfs holds printed %llu holds on %s, "
			        "which has %llu (a hold tag posing as a "
			        "row?)",
			        held[i].got, held[i].name, held[i].refs);
	return 0;
}

static int holds_run(struct zfs *zh, const char *const *snaps, bool recursive,
                     struct zfs_hold_list *out, struct held_row *held,
                     size_t nheld);

int zfs_holds(struct zfs *zh, const char *const *snaps, bool recursive,
              struct zfs_hold_list *out)
{
	return holds_run(zh, snaps, recursive, out, NULL, 0);
}

/* The names zfs holds is asked about, a batch a call. */
#define HOLDS_BATCH 2000

static int holds_batches(struct zfs *zh, struct held_row *held, size_t n,
                         struct zfs_hold_list *out)
{
	for (size_t i = 0; i < n; i += HOLDS_BATCH) {
		size_t k = n - i < HOLDS_BATCH ? n - i : HOLDS_BATCH;
		const char **batch = xcalloc(k + 1, sizeof(*batch));
		for (size_t j = 0; j < k; j++)
			batch[j] = held[i + j].name;
		struct zfs_hold_list part;
		int rc = holds_run(zh, batch, false, &part, held + i, k);
		free(batch);
		if (rc < 0)
			return -1;
		out->v = xrealloc(out->v,
		                  (out->n + part.n + 1) * sizeof(*out->v));
		memcpy(out->v + out->n, part.v, part.n * sizeof(*part.v));
		out->n += part.n;
		free(part.v);
	}
	return 0;
}

int zfs_holds_in_trees(struct zfs *zh, const char *const *roots,
                       struct zfs_hold_list *out)
{
	static const char *const props[] = {"userrefs", NULL};
	struct zfs_dataset_list l = {0};

	out->v = NULL;
	out->n = 0;
	if (zfs_list_datasets_roots(zh, roots && roots[0] ? roots : NULL, -1,
	                            ZFS_TYPE_SNAPSHOT, props, &l, NULL) < 0)
		return -1;
	struct held_row *held = xcalloc(l.n + 1, sizeof(*held));
	size_t n = 0;
	int rc = 0;
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		unsigned long long refs;
		if (!parse_u64(l.v[i].values[0], &refs))
			rc = zeit_fail(zh->z, EPROTO,
			               "zfs list gave %s userrefs '%s'",
			               l.v[i].name, l.v[i].values[0]);
		else if (refs)
			held[n++] = (struct held_row){l.v[i].name, refs, 0};
	}
	qsort(held, n, sizeof(*held), by_held_name);
	if (rc == 0)
		rc = holds_batches(zh, held, n, out);
	if (rc < 0)
		zfs_hold_list_free(out);
	free(held);
	zfs_dataset_list_free(&l);
	return rc;
}

static int holds_run(struct zfs *zh, const char *const *snaps, bool recursive,
                     struct zfs_hold_list *out, struct held_row *held,
                     size_t nheld)
{
	struct strv a;
	struct run_cmd c;
	int rc;

	out->v = NULL;
	out->n = 0;
	if (zfs_check_names(zh, snaps, ZFS_NAME_SNAPSHOT) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "holds");
	strv_push(&a, "-H");
	strv_push(&a, "-p");
	if (recursive)
		strv_push(&a, "-r");
	strv_pushv(&a, snaps);
	/* OpenZFS 2.1 has no -p: once more without it, the time undated, and
	 * without it from then on in this process. */
	bool dated = zh->holds_p >= 0;
	if (dated) {
		if (zfs_run_any(zh, &a, NULL, &c) < 0) {
			strv_free(&a);
			return -1;
		}
		if (c.status == 2 && c.err.data &&
		    strstr(c.err.data, "invalid option 'p'")) {
			run_cmd_free(&c);
			dated = false;
			zh->holds_p = -1;
			if (!zh->host || !zh->host->ssh)
				local_holds_p = -1;
		}
	}
	if (!dated) {
		free(a.v[3]);
		memmove(&a.v[3], &a.v[4], (a.n - 3) * sizeof(a.v[0]));
		a.n--;
		if (zfs_run_any(zh, &a, NULL, &c) < 0) {
			strv_free(&a);
			return -1;
		}
	}
	strv_free(&a);
	if (c.status != 0) {
		zfs_fail_cmd(zh, &c);
		run_cmd_free(&c);
		return -1;
	}
	char *text = c.out.data ? c.out.data : (char[]){0};
	rc = dated ? zfs_parse_holds(zh->z, text, out)
	           : zfs_parse_holds_undated(zh->z, text, out);
	run_cmd_free(&c);
	for (size_t i = 0; rc == 0 && i < out->n; i++)
		if (!hold_asked(out->v[i].snapshot, snaps, recursive))
			rc = outside(zh, "zfs holds", out->v[i].snapshot);
	if (rc == 0 && held)
		rc = count_listed(zh, out, held, nheld);
	else if (rc == 0 && out->n)
		rc = count_holds(zh, out);
	if (rc < 0)
		zfs_hold_list_free(out);
	return rc;
}
