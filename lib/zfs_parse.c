/* Parsers for `zfs ... -H -p` output, the fallback where zfs has no -j
 * (zfs_json.c reads JSON), and zfs's messages. Pure functions over text,
 * so they are unit-tested and fuzzed without ZFS. Each takes the text by
 * pointer and may modify it in place. */
#include "zeit/zfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 64

/* How the fallback (a zfs without -j) cannot be fooled. zfs -H prints one
 * line a row, fields split by tabs, values raw: a value may hold tabs and
 * newlines. zeit asks for the name both first and last (`-o name,...,name`)
 * and accepts a line only with the fields asked for, a valid ZFS
 * name first (ZFS names hold no tab, newline or control byte) and the same
 * name last, and refuses a listing in which a row (a name, or a dataset and
 * property) comes twice. A value with a newline splits its row: the first
 * piece starts with the real name, the last piece ends with it, so either
 * one of them is not a well-formed line or both are, and then the name
 * comes twice. Lines between them are whatever the value says, but they
 * cannot come without the two. A value with a tab but no newline gives too
 * many fields; a tab cannot end a row, so it forges nothing: where one
 * column alone can hold it (a zfs get value, a listing of one property)
 * the fields around it are split off from both ends and the value keeps
 * its tabs; a dataset row with several values and a tab is taken with its
 * values unread, and the driver reads them with zfs get. So every forgery
 * fails the whole listing, with the dataset named; nothing is silently
 * dropped. Any other byte in a value (an escape, a carriage return) ends
 * no row and no field, so it passes as zfs stored it, as JSON passes it;
 * whoever prints a value escapes it. `zfs get` rows are further checked by
 * the driver against the properties asked for (every one is printed for
 * every dataset, so a forged one is a duplicate). */

bool zfs_text_clean(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Splits line into want fields of which only field vi may hold tabs:
 * the vi fields before it from the left, the rest from the right. */
static bool split_around(char *line, char **f, size_t want, size_t vi)
{
	char *p = line;
	for (size_t i = 0; i < vi; i++) {
		char *t = strchr(p, '\t');
		if (!t)
			return false;
		*t = '\0';
		f[i] = p;
		p = t + 1;
	}
	char *end = p + strlen(p);
	for (size_t k = want - 1; k > vi; k--) {
		char *t = end;
		while (t > p && t[-1] != '\t')
			t--;
		if (t == p)
			return false;
		t[-1] = '\0';
		f[k] = t;
		end = t - 1;
	}
	f[vi] = p;
	return true;
}

/* A name as zfs prints it, valid for one of kinds. zfs_name_check's own
 * message is replaced by the caller's. */
static bool name_ok(struct zeit *z, const char *name, unsigned kinds)
{
	return zfs_text_clean(name) && zfs_name_check(z, name, kinds) == 0;
}

#define ANY_NAME                                                               \
	(ZFS_NAME_POOL | ZFS_NAME_DATASET | ZFS_NAME_SNAPSHOT |                \
	 ZFS_NAME_BOOKMARK)

static int bad_line(struct zeit *z, const char *cmd, const char *first)
{
	/* Only a valid name is shown: a forged field may hold escapes. */
	char shown[ZFS_MAX_NAME_LEN + 1];
	size_t n = strcspn(first, "\t");
	if (n > ZFS_MAX_NAME_LEN)
		n = ZFS_MAX_NAME_LEN;
	memcpy(shown, first, n);
	shown[n] = '\0';
	struct zeit quiet = *z;
	if (!name_ok(&quiet, shown, ANY_NAME))
		return zeit_fail(z, EPROTO,
		                 "%s printed a malformed line (a property "
		                 "value with a newline?)",
		                 cmd);
	return zeit_fail(z, EPROTO,
	                 "%s printed a malformed line for %s (a property "
	                 "value with a newline?)",
	                 cmd, shown);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fails when a string comes twice in v[0..n) (which it sorts). */
static int refuse_dups(struct zeit *z, const char *cmd, char **v, size_t n)
{
	qsort(v, n, sizeof(char *), cmp_str);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(v[i - 1], v[i]))
			return zeit_fail(z, EPROTO,
			                 "%s printed %s twice (a forged row?)",
			                 cmd, v[i]);
	return 0;
}

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

/* name, guid, createtxg: none of them can hold a byte a user chose. */
static int snap_line(char *line, void *arg)
{
	struct snap_ctx *c = arg;
	char *f[4];
	unsigned long long guid, txg;

	if (!*line)
		return 0;
	if (split_tabs(line, f, 4) != 3 || !parse_u64(f[1], &guid) ||
	    !parse_u64(f[2], &txg) ||
	    !name_ok(c->z, f[0], ZFS_NAME_SNAPSHOT | ZFS_NAME_BOOKMARK))
		return bad_line(c->z, "zfs list", line);
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
	if (for_each_line(text, snap_line, &c))
		goto fail;
	char **names = xcalloc(out->n + 1, sizeof(char *));
	for (size_t i = 0; i < out->n; i++)
		names[i] = out->v[i].name;
	int rc = refuse_dups(z, "zfs list", names, out->n);
	free(names);
	if (rc == 0)
		return 0;
fail:
	zfs_snap_list_free(out);
	return -1;
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

static unsigned kinds_of(enum zfs_type t)
{
	switch (t) {
	case ZFS_TYPE_SNAPSHOT: return ZFS_NAME_SNAPSHOT;
	case ZFS_TYPE_BOOKMARK: return ZFS_NAME_BOOKMARK;
	default: return ZFS_NAME_DATASET;
	}
}

struct ds_ctx {
	struct zeit *z;
	struct zfs_dataset_list *out;
	size_t nprops, cap;
};

/* name \t type \t P1 ... \t Pn \t name */
static int ds_line(char *line, void *arg)
{
	struct ds_ctx *c = arg;
	char *f[MAX_FIELDS + 4];
	size_t want = c->nprops + 3;
	struct buf keep;

	if (!*line)
		return 0;
	buf_init(&keep);
	buf_adds(&keep, line);
	/* A tab in a value gives more fields: with one value it is that
	 * value's; with several, which one's is not known here. */
	size_t n = split_tabs(line, f, want + 1);
	bool tabbed = n > want && c->nprops;
	if (tabbed) {
		/* name, type, the values (tabs and all), name */
		char *g[4];
		strcpy(line, keep.data);
		if (!split_around(line, g, 4, 2))
			g[0] = g[1] = g[2] = g[3] = (char *)"";
		f[0] = g[0];
		f[1] = g[1];
		f[2] = g[2];
		f[want - 1] = g[3];
	}
	enum zfs_type t = tabbed || n == want ? type_from_string(f[1]) : 0;
	bool ok = t && !strcmp(f[0], f[want - 1]) &&
	          name_ok(c->z, f[0], kinds_of(t));
	if (!ok) {
		bad_line(c->z, "zfs list", keep.data);
		buf_free(&keep);
		return -1;
	}
	buf_free(&keep);
	if (c->out->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->out->v = xrealloc(c->out->v, c->cap * sizeof(*c->out->v));
	}
	struct zfs_dataset *d = &c->out->v[c->out->n++];
	d->name = xstrdup(f[0]);
	d->type = t;
	d->values = xcalloc(c->nprops ? c->nprops : 1, sizeof(char *));
	d->unread = tabbed && c->nprops > 1;
	for (size_t k = 0; k < c->nprops && !d->unread; k++)
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
	if (for_each_line(text, ds_line, &c))
		goto fail;
	char **names = xcalloc(out->n + 1, sizeof(char *));
	for (size_t i = 0; i < out->n; i++)
		names[i] = out->v[i].name;
	int rc = refuse_dups(z, "zfs list", names, out->n);
	free(names);
	if (rc == 0)
		return 0;
fail:
	zfs_dataset_list_free(out);
	return -1;
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

static int parse_source(struct zeit *z, const char *s,
                        enum zfs_prop_source *src, char **from)
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
	else if (str_starts(s, "inherited from ") &&
	         name_ok(z, s + strlen("inherited from "), ZFS_NAME_DATASET)) {
		*src = ZFS_SRC_INHERITED;
		*from = xstrdup(s + strlen("inherited from "));
	} else
		return -1;
	return 0;
}

struct prop_ctx {
	struct zeit *z;
	const char *cols, *cmd;
	struct zfs_prop_list *out;
	size_t cap;
};

/* One line of the columns in cols: n name, p property, v value, s source;
 * a second n must repeat the first. */
static int prop_line(char *line, void *arg)
{
	struct prop_ctx *c = arg;
	size_t want = strlen(c->cols);
	char *f[8], *name = NULL, *prop = NULL, *value = NULL, *from = NULL;
	enum zfs_prop_source src = ZFS_SRC_NONE;
	struct buf keep;
	bool ok;

	if (!*line)
		return 0;
	buf_init(&keep);
	buf_adds(&keep, line);
	/* The value is the one column that may hold a tab. */
	size_t vi = strcspn(c->cols, "v");
	ok = want < 8 && (vi < want ? split_around(line, f, want, vi)
	                            : split_tabs(line, f, want + 1) == want);
	for (size_t i = 0; ok && i < want; i++) {
		switch (c->cols[i]) {
		case 'n':
			ok = name ? !strcmp(name, f[i])
			          : name_ok(c->z, f[i], ANY_NAME);
			name = f[i];
			break;
		case 'p':
			prop = f[i];
			ok = *prop && zfs_text_clean(prop) &&
			     !strchr(prop, ' ');
			break;
		case 'v': value = f[i]; break;
		case 's':
			free(from);
			ok = parse_source(c->z, f[i], &src, &from) == 0;
			break;
		default: ok = false;
		}
	}
	if (!ok || !name || !prop) {
		free(from);
		bad_line(c->z, c->cmd, keep.data);
		buf_free(&keep);
		return -1;
	}
	buf_free(&keep);
	if (c->out->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->out->v = xrealloc(c->out->v, c->cap * sizeof(*c->out->v));
	}
	struct zfs_prop *p = &c->out->v[c->out->n++];
	p->dataset = xstrdup(name);
	p->name = xstrdup(prop);
	p->value = value ? xstrdup(value) : NULL;
	p->source = src;
	p->inherited_from = from;
	return 0;
}

/* The rows as "dataset\tproperty" keys, to find one that comes twice. */
static int refuse_dup_props(struct zeit *z, const char *cmd,
                            const struct zfs_prop_list *l)
{
	char **keys = xcalloc(l->n ? l->n : 1, sizeof(char *));
	for (size_t i = 0; i < l->n; i++)
		keys[i] = xasprintf("%s property %s", l->v[i].dataset,
		                    l->v[i].name);
	char **sorted = xcalloc(l->n ? l->n : 1, sizeof(char *));
	memcpy(sorted, keys, l->n * sizeof(char *));
	int rc = refuse_dups(z, cmd, sorted, l->n);
	free(sorted);
	for (size_t i = 0; i < l->n; i++)
		free(keys[i]);
	free(keys);
	return rc;
}

int zfs_parse_props(struct zeit *z, char *text, const char *cmd,
                    const char *cols, struct zfs_prop_list *out)
{
	struct prop_ctx c = {z, cols, cmd, out, 0};

	out->v = NULL;
	out->n = 0;
	if (for_each_line(text, prop_line, &c) ||
	    refuse_dup_props(z, c.cmd, out) < 0) {
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
	bool dated; /* -p: the time in seconds */
};

/* snapshot \t tag \t time. A tag may hold any byte but NUL, and `zfs
 * holds` has no -j: a tag with a tab gives a fourth field and is refused,
 * as is one with a control byte. A tag with both a tab and a newline can
 * still pose as a row; the driver checks each row's snapshot against
 * those asked about. */
static int hold_line(char *line, void *arg)
{
	struct hold_ctx *c = arg;
	char *f[4];
	unsigned long long ts;
	struct buf keep;

	if (!*line)
		return 0;
	buf_init(&keep);
	buf_adds(&keep, line);
	ts = 0;
	if (split_tabs(line, f, 4) != 3 ||
	    (c->dated ? !parse_u64(f[2], &ts) : !zfs_text_clean(f[2])) ||
	    !*f[1] || !zfs_text_clean(f[1]) ||
	    !name_ok(c->z, f[0], ZFS_NAME_SNAPSHOT)) {
		bad_line(c->z, "zfs holds", keep.data);
		buf_free(&keep);
		return -1;
	}
	buf_free(&keep);
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

static int parse_holds(struct zeit *z, char *text, struct zfs_hold_list *out,
                       bool dated)
{
	struct hold_ctx c = {z, out, 0, dated};

	out->v = NULL;
	out->n = 0;
	if (for_each_line(text, hold_line, &c)) {
		zfs_hold_list_free(out);
		return -1;
	}
	/* ZFS keeps one hold a tag on each snapshot. */
	char **keys = xcalloc(out->n ? out->n : 1, sizeof(char *));
	for (size_t i = 0; i < out->n; i++)
		keys[i] = xasprintf("%s hold %s", out->v[i].snapshot,
		                    out->v[i].tag);
	int rc = refuse_dups(z, "zfs holds", keys, out->n);
	for (size_t i = 0; i < out->n; i++)
		free(keys[i]);
	free(keys);
	if (rc < 0)
		zfs_hold_list_free(out);
	return rc;
}

int zfs_parse_holds(struct zeit *z, char *text, struct zfs_hold_list *out)
{
	return parse_holds(z, text, out, true);
}

int zfs_parse_holds_undated(struct zeit *z, char *text,
                            struct zfs_hold_list *out)
{
	return parse_holds(z, text, out, false);
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
