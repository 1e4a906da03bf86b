/* The listings prune plans from, taken inside the kernel: one read-only
 * channel program per pool returns every dataset under the roots with the
 * selection properties, and every snapshot's name. `zfs list` pays one
 * ioctl a snapshot, which dominates a prune on a slow or emulated machine;
 * the program pays none. Any failure here is harmless: the caller lists
 * with `zfs list` instead. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/prune.h"
#include "zeit/select.h"

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

char *prune_list_program_source(void)
{
	const char *const *props = select_props();
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

static void add_snapshots(struct zfs_snap_list *snaps, const char *joined)
{
	size_t lines = 1;
	for (const char *p = joined; (p = strchr(p, '\n')); p++)
		lines++;
	snaps->v = xrealloc(snaps->v, (snaps->n + lines) * sizeof(*snaps->v));
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

int prune_list_parse(struct zeit *z, const char *json,
                     struct zfs_dataset_list *all, struct zfs_snap_list *snaps)
{
	const char *const *props = select_props();
	json_object *root = json_tokener_parse(json), *ret, *ds;
	int rc = -1;

	if (!root || !json_object_object_get_ex(root, "return", &ret) ||
	    !json_object_is_type(ret, json_type_object)) {
		zeit_fail(z, EPROTO,
		          "unexpected channel program output: %.200s", json);
		goto out;
	}
	/* An empty Lua table may come back as nothing at all. */
	if (json_object_object_get_ex(ret, "datasets", &ds) &&
	    json_object_is_type(ds, json_type_object)) {
		size_t n = all->n + (size_t)json_object_object_length(ds);
		all->v = xrealloc(all->v, (n ? n : 1) * sizeof(*all->v));
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
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

/* One program for the roots of one pool (or the pool itself). */
static int list_pool(struct zfs *zh, const char *pool, const struct strv *roots,
                     bool recursive, struct zfs_dataset_list *all,
                     struct zfs_snap_list *snaps)
{
	struct strv args;
	char *src = prune_list_program_source(), *out = NULL;

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
		rc = prune_list_parse(zh->z, out, all, snaps);
	free(out);
	free(src);
	strv_free(&args);
	return rc;
}

int prune_list(struct zfs *zh, const char *const *roots, bool recursive,
               struct zfs_dataset_list *all, struct zfs_snap_list *snaps)
{
	struct strv pools;
	int rc = 0;

	memset(all, 0, sizeof(*all));
	memset(snaps, 0, sizeof(*snaps));
	all->nprops = DSP_COUNT;
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
		rc = list_pool(zh, pools.v[p], &mine, recursive, all, snaps);
		strv_free(&mine);
	}
	strv_free(&pools);
	if (rc < 0) {
		zfs_dataset_list_free(all);
		zfs_snap_list_free(snaps);
	}
	return rc;
}
