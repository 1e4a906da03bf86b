/* Parsers for OpenZFS's JSON output (`zfs list -j`, `zfs get -j`,
 * `zpool get -j`, OpenZFS 2.3 and later). A property value may hold any
 * byte, newlines included; JSON escapes them, so no value can pose as a
 * row. Values are asked for with -p and without --json-int: every number
 * comes as a decimal string (--json-int prints guids above 2^63 as
 * 9223372036854775807). Each row is still checked: a valid name equal to
 * its key, a known type, no NUL inside a string. Pure functions, unit-tested
 * and fuzzed. */
#include "zeit/zfs.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* Parses the whole text as one JSON object: trailing bytes other than
 * whitespace, or a truncated document, are an error. zfs's JSON writer
 * stops mid-output (and exits 0) at a value that is not UTF-8. */
static json_object *parse_doc(struct zeit *z, const char *text, const char *cmd)
{
	size_t len = strlen(text);
	json_tokener *tok = json_tokener_new();
	json_object *root = NULL;

	if (!tok)
		return NULL;
	if (len <= (size_t)INT32_MAX)
		root = json_tokener_parse_ex(tok, text, (int)len);
	if (root && json_tokener_get_error(tok) == json_tokener_success) {
		size_t used = json_tokener_get_parse_end(tok);
		while (used < len && strchr(" \t\r\n", text[used]))
			used++;
		if (used != len) {
			json_object_put(root);
			root = NULL;
		}
	} else if (root) {
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	if (!root || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		zeit_fail(z, EPROTO, "%s printed JSON zeit cannot read", cmd);
		return NULL;
	}
	return root;
}

/* A string member of obj, or NULL when absent, not a string or holding a
 * NUL (no ZFS name or value can). */
static const char *get_str(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	const char *s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) != strlen(s))
		return NULL;
	return s;
}

/* The object holding one member per dataset ("datasets") or pool
 * ("pools"). An empty listing still has it. */
static json_object *get_rows(struct zeit *z, json_object *root, const char *key,
                             const char *cmd)
{
	json_object *rows;

	if (!json_object_object_get_ex(root, key, &rows) ||
	    !json_object_is_type(rows, json_type_object)) {
		zeit_fail(z, EPROTO, "%s printed JSON without \"%s\"", cmd,
		          key);
		return NULL;
	}
	return rows;
}

static enum zfs_type type_of(const char *t)
{
	if (!t)
		return 0;
	if (!strcmp(t, "FILESYSTEM"))
		return ZFS_TYPE_FILESYSTEM;
	if (!strcmp(t, "VOLUME"))
		return ZFS_TYPE_VOLUME;
	if (!strcmp(t, "SNAPSHOT"))
		return ZFS_TYPE_SNAPSHOT;
	if (!strcmp(t, "BOOKMARK"))
		return ZFS_TYPE_BOOKMARK;
	return 0;
}

static unsigned name_kinds(enum zfs_type t)
{
	switch (t) {
	case ZFS_TYPE_SNAPSHOT: return ZFS_NAME_SNAPSHOT;
	case ZFS_TYPE_BOOKMARK: return ZFS_NAME_BOOKMARK;
	default: return ZFS_NAME_DATASET;
	}
}

/* A row's key must be a valid name of its type, and the row must say the
 * same name. */
static int check_row(struct zeit *z, const char *cmd, const char *key,
                     json_object *row, enum zfs_type *type)
{
	const char *name = get_str(row, "name");

	*type = type_of(get_str(row, "type"));
	if (!*type || !name || strcmp(name, key) ||
	    zfs_name_check(z, key, name_kinds(*type)) < 0)
		return zeit_fail(z, EPROTO,
		                 "%s printed a malformed row for '%.300s'", cmd,
		                 key);
	return 0;
}

/* properties.PROP.value; NULL when absent or not a string. */
static const char *prop_value(json_object *row, const char *prop,
                              json_object **entry)
{
	json_object *props, *e;

	*entry = NULL;
	if (!json_object_object_get_ex(row, "properties", &props) ||
	    !json_object_object_get_ex(props, prop, &e))
		return NULL;
	*entry = e;
	return get_str(e, "value");
}

int zfs_parse_json_datasets(struct zeit *z, const char *text,
                            const char *const *props,
                            struct zfs_dataset_list *out)
{
	static const char cmd[] = "zfs list";
	size_t nprops = 0;
	json_object *root, *rows;

	for (; props && props[nprops]; nprops++)
		;
	out->v = NULL;
	out->n = 0;
	out->nprops = nprops;
	if (!(root = parse_doc(z, text, cmd)))
		return -1;
	if (!(rows = get_rows(z, root, "datasets", cmd)))
		goto fail;
	size_t n = (size_t)json_object_object_length(rows);
	out->v = xcalloc(n ? n : 1, sizeof(*out->v));
	json_object_object_foreach(rows, key, row)
	{
		enum zfs_type t;
		if (check_row(z, cmd, key, row, &t) < 0)
			goto fail;
		struct zfs_dataset *d = &out->v[out->n++];
		d->name = xstrdup(key);
		d->type = t;
		d->values = xcalloc(nprops ? nprops : 1, sizeof(char *));
		for (size_t k = 0; k < nprops; k++) {
			json_object *e;
			const char *v = prop_value(row, props[k], &e);
			if (e && !v) {
				zeit_fail(z, EPROTO,
				          "%s printed a malformed %s for %s",
				          cmd, props[k], key);
				goto fail;
			}
			/* zfs prints "-" for a property that is unset. */
			d->values[k] = xstrdup(v ? v : "-");
		}
	}
	json_object_put(root);
	return 0;
fail:
	json_object_put(root);
	zfs_dataset_list_free(out);
	return -1;
}

static int source_of(struct zeit *z, json_object *entry,
                     enum zfs_prop_source *src, const char **from)
{
	static const struct {
		const char *name;
		enum zfs_prop_source src;
	} map[] = {
	        {"NONE", ZFS_SRC_NONE},
	        {"DEFAULT", ZFS_SRC_DEFAULT},
	        {"LOCAL", ZFS_SRC_LOCAL},
	        {"INHERITED", ZFS_SRC_INHERITED},
	        {"RECEIVED", ZFS_SRC_RECEIVED},
	        {"TEMPORARY", ZFS_SRC_TEMPORARY},
	};
	json_object *s;
	const char *type;

	*from = NULL;
	if (!json_object_object_get_ex(entry, "source", &s) ||
	    !(type = get_str(s, "type")))
		return -1;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(type, map[i].name))
			continue;
		*src = map[i].src;
		if (*src != ZFS_SRC_INHERITED)
			return 0;
		/* Where it is inherited from: a dataset, checked as one. */
		*from = get_str(s, "data");
		return *from && zfs_name_check(z, *from, ZFS_NAME_DATASET) == 0
		               ? 0
		               : -1;
	}
	return -1;
}

int zfs_parse_json_props(struct zeit *z, const char *text,
                         struct zfs_prop_list *out)
{
	json_object *root, *rows, *pools;
	const char *cmd = "zfs get";
	size_t cap = 0;

	out->v = NULL;
	out->n = 0;
	if (!(root = parse_doc(z, text, cmd)))
		return -1;
	/* zpool get keys its rows by pool, zfs get by dataset. */
	bool pool = json_object_object_get_ex(root, "pools", &pools);
	if (pool)
		cmd = "zpool get";
	if (!(rows = get_rows(z, root, pool ? "pools" : "datasets", cmd)))
		goto fail;
	json_object_object_foreach(rows, key, row)
	{
		json_object *props;
		enum zfs_type t = ZFS_TYPE_FILESYSTEM;
		if (pool) {
			const char *name = get_str(row, "name");
			if (!name || strcmp(name, key) ||
			    zfs_name_check(z, key, ZFS_NAME_POOL) < 0) {
				zeit_fail(z, EPROTO,
				          "%s printed a malformed row for "
				          "'%.300s'",
				          cmd, key);
				goto fail;
			}
		} else if (check_row(z, cmd, key, row, &t) < 0) {
			goto fail;
		}
		if (!json_object_object_get_ex(row, "properties", &props) ||
		    !json_object_is_type(props, json_type_object)) {
			zeit_fail(z, EPROTO, "%s printed no properties for %s",
			          cmd, key);
			goto fail;
		}
		json_object_object_foreach(props, prop, entry)
		{
			enum zfs_prop_source src;
			const char *from, *value = get_str(entry, "value");
			if (!value || !zfs_text_clean(prop) ||
			    source_of(z, entry, &src, &from) < 0) {
				zeit_fail(z, EPROTO,
				          "%s printed a malformed %.100s for "
				          "%s",
				          cmd, prop, key);
				goto fail;
			}
			if (out->n == cap) {
				cap = cap ? cap * 2 : 32;
				out->v =
				        xrealloc(out->v, cap * sizeof(*out->v));
			}
			struct zfs_prop *p = &out->v[out->n++];
			p->dataset = xstrdup(key);
			p->name = xstrdup(prop);
			p->value = xstrdup(value);
			p->source = src;
			p->inherited_from = from ? xstrdup(from) : NULL;
		}
	}
	json_object_put(root);
	return 0;
fail:
	json_object_put(root);
	zfs_prop_list_free(out);
	return -1;
}
