/* Channel programs: the only Lua in zeit, and the one reader of what
 * `zfs program -j` returns. Each program has a call named for what it
 * does (a checked destroy, a tree listing, bookmarks), so callers never
 * see Lua or JSON. A program runs in one txg on one pool; its names come
 * as arguments or as quoted Lua strings. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zfs_priv.h"

int zfs_program(struct zfs *zh, const struct zfs_program_opts *o, char **json)
{
	struct strv a;
	struct run_cmd c;
	int rc;

	*json = NULL;
	if (zfs_check_name(zh, o->pool, ZFS_NAME_POOL) < 0)
		return -1;
	if (!o->script)
		return zeit_fail(zh->z, EINVAL, "no channel program given");
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "program");
	strv_push(&a, "-j");
	if (o->no_sync)
		strv_push(&a, "-n");
	if (o->instr_limit) {
		strv_push(&a, "-t");
		strv_pushf(&a, "%llu", (unsigned long long)o->instr_limit);
	}
	if (o->mem_limit) {
		strv_push(&a, "-m");
		strv_pushf(&a, "%llu", (unsigned long long)o->mem_limit);
	}
	strv_push(&a, o->pool);
	strv_push(&a, "-"); /* the script comes on stdin, here or remote */
	strv_pushv(&a, o->args);
	rc = zfs_run_any(zh, &a, o->script, &c);
	if (rc == 0 && c.status != 0) {
		zfs_fail_cmd(zh, &c); /* names c's argv: before a goes */
		run_cmd_free(&c);
		rc = -1;
	}
	strv_free(&a);
	if (rc < 0)
		return -1;
	*json = buf_detach(&c.out);
	run_cmd_free(&c);
	return 0;
}

bool zfs_program_unavailable(const struct zeit *z)
{
	/* Not root, a delegated user (EPERM), or a zfs without channel
	 * programs (ENOTSUP): the codes the driver gave zfs's words. */
	return z->err == EPERM || z->err == ENOTSUP;
}

/* The one reader of a program's result: zfs prints {"return": VALUE};
 * the programs here all return a table. *root is the caller's to put. */
static json_object *program_return(struct zeit *z, const char *what,
                                   const char *json, json_object **root)
{
	json_object *ret = NULL;

	*root = json_tokener_parse(json);
	if (*root && json_object_object_get_ex(*root, "return", &ret) &&
	    json_object_is_type(ret, json_type_object))
		return ret;
	zeit_fail(z, EPROTO, "%s%sunexpected channel program output: %.200s",
	          what ? what : "", what ? ": " : "", json);
	json_object_put(*root);
	*root = NULL;
	return NULL;
}

/* A string member as a "\n"-joined list (no ZFS name holds a newline);
 * anything but a string (null, a number, a table) lists nothing. */
static void split_lines(json_object *ret, const char *key, struct strv *out)
{
	json_object *v;

	strv_init(out);
	if (!json_object_object_get_ex(ret, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return;
	char *copy = xstrdup(json_object_get_string(v));
	for (char *s = copy, *nl; s && *s; s = nl ? nl + 1 : NULL) {
		nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		strv_push(out, s);
	}
	free(copy);
}

/* ---- Lua source ---- */

void zfs_lua_quote(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_addf(b, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			buf_addf(b, "\\%03u", *p);
		else
			buf_addc(b, (char)*p);
	}
	buf_addc(b, '"');
}

char *zfs_destroy_checked_source(const char *const *names, size_t n)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "-- zeit prune: check every snapshot, keep held ones and "
	             "clone\n"
	             "-- origins, then destroy the rest in this one txg, or "
	             "nothing.\n"
	             "local mode = (...)[\"argv\"][1]\n"
	             "local names = {\n");
	for (size_t i = 0; i < n; i++) {
		zfs_lua_quote(&b, names[i]);
		buf_adds(&b, ",\n");
	}
	/* zfs.check.destroy answers every question at once, as the destroy
	 * itself would: EBUSY for a held (or in-use) snapshot, EEXIST for a
	 * clone's origin, ENOENT for one already gone. One lookup a snapshot
	 * before the destroys keeps the program close to a bare destroy. */
	buf_adds(&b,
	         "}\n"
	         "local EBUSY, EEXIST, ENOENT = 16, 17, 2\n"
	         "local doomed, held, cloned, gone = {}, {}, {}, {}\n"
	         "for _, s in ipairs(names) do\n"
	         "  local err = zfs.check.destroy(s)\n"
	         "  if err == 0 then doomed[#doomed + 1] = s\n"
	         "  elseif err == EBUSY then held[#held + 1] = s\n"
	         "  elseif err == EEXIST then cloned[#cloned + 1] = s\n"
	         "  elseif err == ENOENT then gone[#gone + 1] = s\n"
	         "  else return {failed = s, error = err} end\n"
	         "end\n"
	         "if mode == \"destroy\" then\n"
	         "  for _, s in ipairs(doomed) do\n"
	         "    local err = zfs.sync.destroy(s)\n"
	         "    if err ~= 0 then return {failed = s, error = err} end\n"
	         "  end\n"
	         "end\n"
	         "return {destroyed = table.concat(doomed, \"\\n\"),\n"
	         "        held = table.concat(held, \"\\n\"),\n"
	         "        cloned = table.concat(cloned, \"\\n\"),\n"
	         "        gone = table.concat(gone, \"\\n\"),\n"
	         "        count = #doomed}\n");
	return buf_detach(&b);
}

/* ---- Checked destroy ---- */

void zfs_destroy_result_free(struct zfs_destroy_result *r)
{
	strv_free(&r->destroyed);
	strv_free(&r->held);
	strv_free(&r->cloned);
	strv_free(&r->gone);
	free(r->failed);
	memset(r, 0, sizeof(*r));
}

int zfs_destroy_checked_parse(struct zeit *z, const char *what,
                              const char *json, struct zfs_destroy_result *out)
{
	json_object *root, *failed;

	memset(out, 0, sizeof(*out));
	json_object *ret = program_return(z, what, json, &root);
	if (!ret)
		return -1;
	if (json_object_object_get_ex(ret, "failed", &failed)) {
		json_object *e = NULL;
		int err = json_object_object_get_ex(ret, "error", &e) &&
		                          json_object_is_type(e, json_type_int)
		                  ? json_object_get_int(e)
		                  : EIO;
		out->failed =
		        xstrdup(json_object_is_type(failed, json_type_string)
		                        ? json_object_get_string(failed)
		                        : "a snapshot");
		out->error = err > 0 ? err : EIO;
	} else {
		split_lines(ret, "destroyed", &out->destroyed);
		split_lines(ret, "held", &out->held);
		split_lines(ret, "cloned", &out->cloned);
		split_lines(ret, "gone", &out->gone);
	}
	json_object_put(root);
	return 0;
}

int zfs_destroy_checked(struct zfs *zh, const char *pool,
                        const char *const *snaps, size_t n, bool check_only,
                        const char *what, struct zfs_destroy_result *out)
{
	char *src = zfs_destroy_checked_source(snaps, n);
	const char *args[] = {check_only ? "check" : "destroy", NULL};
	/* A few hundred instructions a snapshot; zfs caps the limit at 1e8. */
	unsigned long long limit = 1000000ULL + 2000ULL * n;
	struct zfs_program_opts o = {
	        .pool = pool,
	        .script = src,
	        .args = args,
	        .instr_limit = limit > 100000000ULL ? 100000000ULL : limit,
	        /* The names live in the script: allow for them (zfs caps
	         * the limit at 100 MiB). */
	        .mem_limit = 10485760ULL + 1024ULL * n > 104857600ULL
	                             ? 104857600ULL
	                             : 10485760ULL + 1024ULL * n,
	        .no_sync = check_only,
	};
	char *json = NULL;
	int rc = zfs_program(zh, &o, &json);
	free(src);
	memset(out, 0, sizeof(*out));
	if (rc == 0)
		rc = zfs_destroy_checked_parse(zh->z, what, json, out);
	free(json);
	return rc;
}

/* ---- Tree listing ---- */

/* argv[1] is "r" for whole trees or "d" for the roots alone; the roots
 * follow. A dataset reached twice (overlapping roots) is listed once. Its
 * snapshots' full names come "\n"-joined (no ZFS name holds a newline)
 * under the key " snapshots", which no property name can be. Nothing is
 * read per snapshot: a zfs.get_prop on each costs ten times the listing. */
static const char list_program[] =
        "local argv = (...)[\"argv\"]\n"
        "local recursive = argv[1] == \"r\"\n"
        "local props = {PROPS}\n"
        "local datasets = {}\n"
        "local stack = {}\n"
        "for i = 2, #argv do stack[#stack + 1] = argv[i] end\n"
        "while #stack > 0 do\n"
        "  local d = table.remove(stack)\n"
        "  if datasets[d] == nil then\n"
        "    local row = {[\"type\"] = zfs.get_prop(d, \"type\")}\n"
        "    for _, p in ipairs(props) do\n"
        "      local v = zfs.get_prop(d, p)\n"
        "      if v ~= nil then row[p] = v end\n"
        "    end\n"
        "    local snaps = {}\n"
        "    for s in zfs.list.snapshots(d) do snaps[#snaps + 1] = s end\n"
        "    row[\" snapshots\"] = table.concat(snaps, \"\\n\")\n"
        "    datasets[d] = row\n"
        "    if recursive then\n"
        "      for c in zfs.list.children(d) do stack[#stack + 1] = c end\n"
        "    end\n"
        "  end\n"
        "end\n"
        "return {datasets = datasets}\n";

char *zfs_list_tree_source(const char *const *props)
{
	struct buf b;

	buf_init(&b);
	const char *at = strstr(list_program, "PROPS");
	buf_add(&b, list_program, (size_t)(at - list_program));
	for (size_t i = 0; props[i]; i++)
		buf_addf(&b, "%s\"%s\"", i ? ", " : "", props[i]);
	buf_adds(&b, at + strlen("PROPS"));
	return buf_detach(&b);
}

static int by_name(const void *a, const void *b)
{
	const struct zfs_dataset *x = a, *y = b;
	return strcmp(x->name, y->name);
}

/* How many names a " snapshots" member holds. */
static size_t count_lines(json_object *row)
{
	json_object *t;
	size_t lines = 0;

	if (!json_object_object_get_ex(row, " snapshots", &t) ||
	    !json_object_is_type(t, json_type_string))
		return 0;
	const char *p = json_object_get_string(t);
	for (lines = 1; (p = strchr(p, '\n')); p++)
		lines++;
	return lines;
}

/* Appends the names of joined to snaps, whose room the caller made. */
static void add_snapshots(struct zfs_snap_list *snaps, const char *joined)
{
	for (const char *p = joined; *p;) {
		size_t len = strcspn(p, "\n");
		if (len && memchr(p, '@', len)) {
			struct zfs_snap *s = &snaps->v[snaps->n++];
			memset(s, 0, sizeof(*s));
			s->name = xstrndup(p, len);
		}
		p += len + (p[len] == '\n');
	}
}

int zfs_list_tree_parse(struct zeit *z, const char *json,
                        const char *const *props, struct zfs_dataset_list *all,
                        struct zfs_snap_list *snaps)
{
	json_object *root, *ds;
	json_object *ret = program_return(z, NULL, json, &root);

	if (!ret)
		return -1;
	/* An empty Lua table may come back as nothing at all. */
	if (json_object_object_get_ex(ret, "datasets", &ds) &&
	    json_object_is_type(ds, json_type_object)) {
		size_t n = all->n + (size_t)json_object_object_length(ds);
		all->v = xrealloc(all->v, (n ? n : 1) * sizeof(*all->v));
		/* Room for every dataset's snapshots at once: growing the
		 * list a dataset at a time would copy it once for each. */
		size_t ns = snaps->n;
		json_object_object_foreach(ds, key, r)
		{
			(void)key;
			ns += count_lines(r);
		}
		snaps->v =
		        xrealloc(snaps->v, (ns ? ns : 1) * sizeof(*snaps->v));
		json_object_object_foreach(ds, name, row)
		{
			struct zfs_dataset *d = &all->v[all->n++];
			json_object *t;
			d->name = xstrdup(name);
			d->type = ZFS_TYPE_FILESYSTEM;
			if (json_object_object_get_ex(row, "type", &t) &&
			    json_object_is_type(t, json_type_string) &&
			    !strcmp(json_object_get_string(t), "volume"))
				d->type = ZFS_TYPE_VOLUME;
			if (json_object_object_get_ex(row, " snapshots", &t) &&
			    json_object_is_type(t, json_type_string))
				add_snapshots(snaps, json_object_get_string(t));
			d->values = xcalloc(all->nprops, sizeof(char *));
			for (size_t i = 0; i < all->nprops && props[i]; i++) {
				json_object *v;
				const char *val =
				        json_object_object_get_ex(row, props[i],
				                                  &v)
				                ? json_object_get_string(v)
				                : NULL;
				d->values[i] = xstrdup(val ? val : "-");
			}
		}
		qsort(all->v, all->n, sizeof(*all->v), by_name);
	}
	json_object_put(root);
	return 0;
}

/* One program for the roots of one pool (or the pool itself). */
static int list_pool(struct zfs *zh, const char *pool, const struct strv *roots,
                     bool recursive, const char *const *props,
                     struct zfs_dataset_list *all, struct zfs_snap_list *snaps)
{
	struct strv args;
	char *src = zfs_list_tree_source(props), *out = NULL;

	strv_init(&args);
	strv_push(&args, recursive ? "r" : "d");
	for (size_t i = 0; i < roots->n; i++)
		strv_push(&args, roots->v[i]);
	struct zfs_program_opts o = {
	        .pool = pool,
	        .script = src,
	        .args = (const char *const *)args.v,
	        /* zfs's ceilings: a listing reads, so it may use them. */
	        .instr_limit = 100000000ULL,
	        .mem_limit = 104857600ULL,
	        .no_sync = true,
	};
	int rc = zfs_program(zh, &o, &out);
	if (rc == 0)
		rc = zfs_list_tree_parse(zh->z, out, props, all, snaps);
	free(out);
	free(src);
	strv_free(&args);
	return rc;
}

int zfs_list_tree(struct zfs *zh, const char *const *roots, bool recursive,
                  const char *const *props, struct zfs_dataset_list *all,
                  struct zfs_snap_list *snaps)
{
	struct strv pools;
	int rc = 0;

	memset(all, 0, sizeof(*all));
	memset(snaps, 0, sizeof(*snaps));
	for (all->nprops = 0; props[all->nprops]; all->nprops++)
		;
	if (!roots || !roots[0]) {
		if (zpool_list(zh, &pools) < 0)
			return -1;
		recursive = true;
	} else {
		strv_init(&pools);
		for (size_t i = 0; roots[i]; i++) {
			char pool[ZFS_MAX_NAME_LEN + 1];
			zfs_pool_of(roots[i], pool, sizeof(pool));
			if (!strv_contains(&pools, pool))
				strv_push(&pools, pool);
		}
	}
	for (size_t p = 0; p < pools.n && rc == 0; p++) {
		struct strv mine;
		strv_init(&mine);
		for (size_t i = 0; roots && roots[i]; i++) {
			char pool[ZFS_MAX_NAME_LEN + 1];
			zfs_pool_of(roots[i], pool, sizeof(pool));
			if (!strcmp(pool, pools.v[p]))
				strv_push(&mine, roots[i]);
		}
		if (!mine.n)
			strv_push(&mine, pools.v[p]);
		rc = list_pool(zh, pools.v[p], &mine, recursive, props, all,
		               snaps);
		strv_free(&mine);
	}
	strv_free(&pools);
	if (rc < 0) {
		zfs_dataset_list_free(all);
		zfs_snap_list_free(snaps);
	}
	return rc;
}

/* ---- Bookmarks ---- */

static const char bookmark_program[] =
        "local argv = (...)[\"argv\"]\n"
        "local errors = {}\n"
        "local failed = 0\n"
        "for i = 1, #argv, 2 do\n"
        "  local err = zfs.sync.bookmark(argv[i], argv[i + 1])\n"
        "  if err ~= 0 then\n"
        "    errors[argv[i + 1]] = err\n"
        "    failed = failed + 1\n"
        "  end\n"
        "end\n"
        "return {failed = failed, errors = errors}\n";

/* 0 when every bookmark exists now, -1 with the first failure, 1 when
 * channel programs cannot run here. */
int zfs_program_bookmarks(struct zfs *zh, const char *const *from,
                          const char *const *to)
{
	char pool[ZFS_MAX_NAME_LEN + 1];
	struct strv args;
	char *out = NULL;
	int rc;

	zfs_pool_of(to[0], pool, sizeof(pool));
	strv_init(&args);
	for (size_t i = 0; to[i]; i++) {
		strv_push(&args, from[i]);
		strv_push(&args, to[i]);
	}
	struct zfs_program_opts o = {.pool = pool,
	                             .script = bookmark_program,
	                             .args = (const char *const *)args.v};
	rc = zfs_program(zh, &o, &out);
	strv_free(&args);
	if (rc < 0) {
		if (!zfs_program_unavailable(zh->z))
			return -1;
		zeit_note(zh->z, 1,
		          "channel programs unavailable on %s (%s); one zfs "
		          "bookmark per dataset",
		          pool, zeit_error(zh->z));
		zeit_clear_error(zh->z);
		return 1;
	}
	char what[ZFS_MAX_NAME_LEN + 32];
	snprintf(what, sizeof(what), "bookmarks on %s", pool);
	json_object *root, *errs = NULL;
	json_object *ret = program_return(zh->z, what, out, &root);
	if (!ret) {
		rc = -1;
	} else if (json_object_object_get_ex(ret, "errors", &errs) &&
	           json_object_is_type(errs, json_type_object)) {
		json_object_object_foreach(errs, name, jerr)
		{
			int err = json_object_get_int(jerr);
			if (err == EEXIST)
				continue;
			rc = zeit_fail(zh->z, err ? err : EIO,
			               "cannot create bookmark %s: %s", name,
			               strerror(err ? err : EIO));
			break;
		}
	}
	json_object_put(root);
	free(out);
	return rc;
}
