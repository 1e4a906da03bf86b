/* Parsers for `zfs ... -H -p` output. Pure functions over text, so they
 * are unit-tested and fuzzed without ZFS. Each takes the text by pointer
 * and may modify it in place. */
#include "zeit/zfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 64

void zfs_snap_list_free(struct zfs_snap_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

struct snap_ctx {
	struct zeit *z;
	struct zfs_snap_list *out;
	size_t cap;
};

static int snap_line(char *line, void *arg)
{
	struct snap_ctx *c = arg;
	char *f[4];
	unsigned long long guid, txg;

	if (!*line)
		return 0;
	if (split_tabs(line, f, 4) != 3 || !parse_u64(f[1], &guid) ||
	    !parse_u64(f[2], &txg) || !strpbrk(f[0], "@#"))
		return zeit_fail(c->z, EPROTO,
		                 "unexpected line in zfs list output: '%s'",
		                 line);
	if (c->out->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->out->v = xrealloc(c->out->v, c->cap * sizeof(*c->out->v));
	}
	struct zfs_snap *s = &c->out->v[c->out->n++];
	s->name = xstrdup(f[0]);
	s->bookmark = strchr(f[0], '#') != NULL;
	s->guid = guid;
	s->createtxg = txg;
	return 0;
}

int zfs_parse_snapshots(struct zeit *z, char *text, struct zfs_snap_list *out)
{
	struct snap_ctx c = {z, out, 0};

	out->v = NULL;
	out->n = 0;
	if (for_each_line(text, snap_line, &c)) {
		zfs_snap_list_free(out);
		return -1;
	}
	return 0;
}

void zfs_dataset_free(struct zfs_dataset *d, size_t nprops)
{
	free(d->name);
	for (size_t k = 0; k < nprops; k++)
		free(d->values[k]);
	free(d->values);
}

void zfs_dataset_list_free(struct zfs_dataset_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		zfs_dataset_free(&l->v[i], l->nprops);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static enum zfs_type type_from_string(const char *s)
{
	if (strcmp(s, "filesystem") == 0)
		return ZFS_TYPE_FILESYSTEM;
	if (strcmp(s, "volume") == 0)
		return ZFS_TYPE_VOLUME;
	if (strcmp(s, "snapshot") == 0)
		return ZFS_TYPE_SNAPSHOT;
	if (strcmp(s, "bookmark") == 0)
		return ZFS_TYPE_BOOKMARK;
	return 0;
}

struct ds_ctx {
	struct zeit *z;
	struct zfs_dataset_list *out;
	size_t nprops, cap;
};

static int ds_line(char *line, void *arg)
{
	struct ds_ctx *c = arg;
	char *f[MAX_FIELDS + 2];
	size_t want = c->nprops + 2;

	if (!*line)
		return 0;
	size_t n = split_tabs(line, f, want);
	enum zfs_type t = n >= 2 ? type_from_string(f[1]) : 0;
	if (n != want || !t)
		return zeit_fail(c->z, EPROTO,
		                 "unexpected line in zfs list output: '%s'",
		                 line);
	if (c->out->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->out->v = xrealloc(c->out->v, c->cap * sizeof(*c->out->v));
	}
	struct zfs_dataset *d = &c->out->v[c->out->n++];
	d->name = xstrdup(f[0]);
	d->type = t;
	d->values = xcalloc(c->nprops ? c->nprops : 1, sizeof(char *));
	/* A user property's value may itself hold tabs: the last column
	 * takes the rest of the line, which split_tabs leaves joined. */
	for (size_t k = 0; k < c->nprops; k++)
		d->values[k] = xstrdup(f[k + 2]);
	return 0;
}

int zfs_parse_datasets(struct zeit *z, char *text, size_t nprops,
                       struct zfs_dataset_list *out)
{
	struct ds_ctx c = {z, out, nprops, 0};

	out->v = NULL;
	out->n = 0;
	out->nprops = nprops;
	if (nprops > MAX_FIELDS)
		return zeit_fail(z, E2BIG, "too many properties requested");
	if (for_each_line(text, ds_line, &c)) {
		zfs_dataset_list_free(out);
		return -1;
	}
	return 0;
}

void zfs_prop_list_free(struct zfs_prop_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].dataset);
		free(l->v[i].name);
		free(l->v[i].value);
		free(l->v[i].inherited_from);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int parse_source(const char *s, enum zfs_prop_source *src, char **from)
{
	*from = NULL;
	if (strcmp(s, "-") == 0 || strcmp(s, "none") == 0)
		*src = ZFS_SRC_NONE;
	else if (strcmp(s, "default") == 0)
		*src = ZFS_SRC_DEFAULT;
	else if (strcmp(s, "local") == 0)
		*src = ZFS_SRC_LOCAL;
	else if (strcmp(s, "received") == 0)
		*src = ZFS_SRC_RECEIVED;
	else if (strcmp(s, "temporary") == 0)
		*src = ZFS_SRC_TEMPORARY;
	else if (str_starts(s, "inherited from ")) {
		*src = ZFS_SRC_INHERITED;
		*from = xstrdup(s + strlen("inherited from "));
	} else
		return -1;
	return 0;
}

struct prop_ctx {
	struct zeit *z;
	struct zfs_prop_list *out;
	size_t cap;
};

static int prop_line(char *line, void *arg)
{
	struct prop_ctx *c = arg;
	char *first = line, *tab1, *tab2, *last;
	enum zfs_prop_source src;
	char *from;

	if (!*line)
		return 0;
	/* name \t property \t value \t source, where the value may hold tabs:
	 * take two fields from the left and one from the right. */
	tab1 = strchr(first, '\t');
	tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
	last = strrchr(line, '\t');
	if (!tab1 || !tab2 || last == tab2) {
		/* zpool get with a value-less property, or junk */
		return zeit_fail(c->z, EPROTO,
		                 "unexpected line in zfs get output: '%s'",
		                 line);
	}
	*tab1 = *tab2 = *last = '\0';
	if (parse_source(last + 1, &src, &from) < 0)
		return zeit_fail(c->z, EPROTO,
		                 "unexpected property source '%s' for %s %s",
		                 last + 1, first, tab1 + 1);
	if (c->out->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->out->v = xrealloc(c->out->v, c->cap * sizeof(*c->out->v));
	}
	struct zfs_prop *p = &c->out->v[c->out->n++];
	p->dataset = xstrdup(first);
	p->name = xstrdup(tab1 + 1);
	p->value = xstrdup(tab2 + 1);
	p->source = src;
	p->inherited_from = from;
	return 0;
}

int zfs_parse_props(struct zeit *z, char *text, struct zfs_prop_list *out)
{
	struct prop_ctx c = {z, out, 0};

	out->v = NULL;
	out->n = 0;
	if (for_each_line(text, prop_line, &c)) {
		zfs_prop_list_free(out);
		return -1;
	}
	return 0;
}

const struct zfs_prop *zfs_prop_find(const struct zfs_prop_list *l,
                                     const char *dataset, const char *prop)
{
	for (size_t i = 0; i < l->n; i++)
		if ((!dataset || strcmp(l->v[i].dataset, dataset) == 0) &&
		    strcmp(l->v[i].name, prop) == 0)
			return &l->v[i];
	return NULL;
}

void zfs_hold_list_free(struct zfs_hold_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].snapshot);
		free(l->v[i].tag);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

struct hold_ctx {
	struct zeit *z;
	struct zfs_hold_list *out;
	size_t cap;
};

static int hold_line(char *line, void *arg)
{
	struct hold_ctx *c = arg;
	char *f[4];
	unsigned long long ts;

	if (!*line)
		return 0;
	if (split_tabs(line, f, 4) != 3 || !parse_u64(f[2], &ts) ||
	    !strchr(f[0], '@'))
		return zeit_fail(c->z, EPROTO,
		                 "unexpected line in zfs holds output: '%s'",
		                 line);
	if (c->out->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->out->v = xrealloc(c->out->v, c->cap * sizeof(*c->out->v));
	}
	struct zfs_hold *h = &c->out->v[c->out->n++];
	h->snapshot = xstrdup(f[0]);
	h->tag = xstrdup(f[1]);
	h->timestamp = (int64_t)ts;
	return 0;
}

int zfs_parse_holds(struct zeit *z, char *text, struct zfs_hold_list *out)
{
	struct hold_ctx c = {z, out, 0};

	out->v = NULL;
	out->n = 0;
	if (for_each_line(text, hold_line, &c)) {
		zfs_hold_list_free(out);
		return -1;
	}
	return 0;
}

int zfs_parse_send_size(const char *text, uint64_t *bytes)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > 5 && strncmp(p, "size\t", 5) == 0) {
			char num[32];
			unsigned long long v;
			size_t nlen = len - 5;
			if (nlen >= sizeof(num))
				return -1;
			memcpy(num, p + 5, nlen);
			num[nlen] = '\0';
			if (!parse_u64(num, &v))
				return -1;
			*bytes = v;
			return 0;
		}
		p = nl ? nl + 1 : NULL;
	}
	return -1;
}

struct missing_ctx {
	const char *const *roots;
	bool *missing;
};

static int missing_line(char *line, void *arg)
{
	static const char pre[] = "cannot open '";
	static const char post[] = "': dataset does not exist";
	struct missing_ctx *c = arg;
	size_t len = strlen(line);

	if (!len)
		return 0;
	if (len <= sizeof(pre) + sizeof(post) - 2 ||
	    strncmp(line, pre, sizeof(pre) - 1) ||
	    strcmp(line + len - (sizeof(post) - 1), post))
		return -1;
	const char *name = line + sizeof(pre) - 1;
	size_t nlen = len - (sizeof(pre) - 1) - (sizeof(post) - 1);
	for (size_t i = 0; c->roots[i]; i++)
		if (strlen(c->roots[i]) == nlen &&
		    !strncmp(c->roots[i], name, nlen)) {
			c->missing[i] = true;
			return 0;
		}
	return -1;
}

int zfs_parse_missing(const char *err, const char *const *roots, bool *missing)
{
	char *copy = xstrdup(err ? err : "");
	struct missing_ctx c = {roots, missing};
	size_t n = 0;

	for (; roots[n]; n++)
		missing[n] = false;
	int rc = for_each_line(copy, missing_line, &c) ? -1 : 0;
	free(copy);
	if (rc < 0)
		for (size_t i = 0; i < n; i++)
			missing[i] = false;
	return rc;
}
