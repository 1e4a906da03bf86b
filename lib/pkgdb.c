/* Package database parsers. Each takes the file's bytes (not trusted: they
 * come from a snapshot) and appends packages to a list. */
#include "zeit/pkgdb.h"

#include <dirent.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zeit/rootfile.h"
#include "zeit/util.h"
#include "zeit/vercmp.h"

void pkg_list_init(struct pkg_list *l)
{
	memset(l, 0, sizeof(*l));
}

void pkg_list_free(struct pkg_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].version);
	}
	free(l->v);
	pkg_list_init(l);
}

const char *pkg_format_name(enum pkg_format f)
{
	switch (f) {
	case PKG_DPKG: return "dpkg";
	case PKG_XBPS: return "xbps";
	case PKG_PACMAN: return "pacman";
	case PKG_APK: return "apk";
	case PKG_RPM: return "rpm";
	default: return "none";
	}
}

static void add(struct pkg_list *l, const char *name, size_t nlen,
                const char *version, size_t vlen)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].name = xstrndup(name, nlen);
	l->v[l->n].version = xstrndup(version, vlen);
	l->n++;
}

/* Walks "Key: value" records separated by blank lines (dpkg) or "K:value"
 * lines (apk). fn sees each record's fields through get(). */
struct record {
	const char *start, *end;
};

/* The value of key in a record, up to the end of its line; continuation
 * lines are not needed for the fields zeit reads. */
static bool field(const struct record *r, const char *key, const char **val,
                  size_t *len)
{
	size_t klen = strlen(key);
	for (const char *p = r->start; p < r->end;) {
		const char *nl = memchr(p, '\n', (size_t)(r->end - p));
		const char *eol = nl ? nl : r->end;
		if ((size_t)(eol - p) >= klen && memcmp(p, key, klen) == 0) {
			const char *v = p + klen;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			const char *e = eol;
			while (e > v &&
			       (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
				e--;
			*val = v;
			*len = (size_t)(e - v);
			return true;
		}
		p = eol + 1;
	}
	return false;
}

static bool next_record(const char **p, const char *end, struct record *r)
{
	/* Skip blank lines. */
	while (*p < end && (**p == '\n' || **p == '\r'))
		(*p)++;
	if (*p >= end)
		return false;
	r->start = *p;
	const char *q = *p;
	for (;;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		if (!nl) {
			q = end;
			break;
		}
		q = nl + 1;
		if (q >= end || *q == '\n' ||
		    (*q == '\r' && q + 1 < end && q[1] == '\n'))
			break;
	}
	r->end = q;
	*p = q;
	return true;
}

static bool has_nul(const char *text, size_t len)
{
	return memchr(text, '\0', len) != NULL;
}

/* Gives packages whose name occurs with several architectures ":arch".
 * Sorting indices by name finds the repeats in n log n: a status file of
 * tens of thousands of stanzas must not cost their square. */
struct name_ix {
	const char *name;
	size_t i;
};

static int by_ix_name(const void *a, const void *b)
{
	return strcmp(((const struct name_ix *)a)->name,
	              ((const struct name_ix *)b)->name);
}

static void qualify_multiarch(struct pkg_list *l, size_t from, char **archs)
{
	size_t n = l->n - from;
	bool *dup = xcalloc(n ? n : 1, sizeof(bool));
	struct name_ix *ix = xcalloc(n ? n : 1, sizeof(*ix));

	for (size_t i = 0; i < n; i++)
		ix[i] = (struct name_ix){l->v[from + i].name, i};
	qsort(ix, n, sizeof(*ix), by_ix_name);
	for (size_t k = 1; k < n; k++)
		if (!strcmp(ix[k - 1].name, ix[k].name))
			dup[ix[k - 1].i] = dup[ix[k].i] = true;
	free(ix);
	for (size_t i = 0; i < n; i++) {
		if (!dup[i] || !archs[i] || !archs[i][0])
			continue;
		char *q = xasprintf("%s:%s", l->v[from + i].name, archs[i]);
		free(l->v[from + i].name);
		l->v[from + i].name = q;
	}
	free(dup);
}

int pkgdb_parse_dpkg(struct zeit *z, const char *text, size_t len,
                     struct pkg_list *out)
{
	const char *p = text, *end = text + len;
	struct record r;
	size_t from = out->n;
	struct strv archs;

	if (has_nul(text, len))
		return zeit_fail(z, EINVAL, "dpkg status: not a text file");
	out->format = PKG_DPKG;
	strv_init(&archs);
	while (next_record(&p, end, &r)) {
		const char *name, *ver, *status, *arch;
		size_t nl, vl, sl, al;
		if (!field(&r, "Package:", &name, &nl))
			continue; /* not a package stanza */
		/* Only what is installed: "install ok installed", not
		 * "deinstall ok config-files". */
		if (!field(&r, "Status:", &status, &sl) || sl < 10 ||
		    memcmp(status + sl - 10, " installed", 10) != 0)
			continue;
		if (!field(&r, "Version:", &ver, &vl) || nl == 0 || vl == 0) {
			strv_free(&archs);
			return zeit_fail(z, EINVAL,
			                 "dpkg status: package '%.*s' has no "
			                 "version",
			                 (int)(nl > 200 ? 200 : nl), name);
		}
		add(out, name, nl, ver, vl);
		if (field(&r, "Architecture:", &arch, &al)) {
			char *a = xstrndup(arch, al);
			strv_push(&archs, a);
			free(a);
		} else {
			strv_push(&archs, "");
		}
	}
	qualify_multiarch(out, from, archs.v);
	strv_free(&archs);
	return 0;
}

int pkgdb_parse_apk(struct zeit *z, const char *text, size_t len,
                    struct pkg_list *out)
{
	const char *p = text, *end = text + len;
	struct record r;

	if (has_nul(text, len))
		return zeit_fail(z, EINVAL, "apk database: not a text file");
	out->format = PKG_APK;
	while (next_record(&p, end, &r)) {
		const char *name, *ver;
		size_t nl, vl;
		bool hn = field(&r, "P:", &name, &nl);
		bool hv = field(&r, "V:", &ver, &vl);
		if (!hn && !hv)
			continue;
		if (!hn || !hv || !nl || !vl)
			return zeit_fail(z, EINVAL,
			                 "apk database: a package without P: "
			                 "or V: near byte %zu",
			                 (size_t)(r.start - text));
		add(out, name, nl, ver, vl);
	}
	return 0;
}

/* %NAME% / %VERSION% sections of one pacman desc file. */
int pkgdb_parse_pacman_desc(struct zeit *z, const char *text, size_t len,
                            struct pkg_list *out)
{
	const char *name = NULL, *ver = NULL, *end = text + len;
	size_t nl = 0, vl = 0;

	if (has_nul(text, len))
		return zeit_fail(z, EINVAL, "pacman desc: not a text file");
	out->format = PKG_PACMAN;
	for (const char *p = text; p < end;) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		const char *eol = e ? e : end;
		size_t l = (size_t)(eol - p);
		const char **slot = NULL;
		size_t *slen = NULL;
		if (l == 6 && !memcmp(p, "%NAME%", 6)) {
			slot = &name;
			slen = &nl;
		} else if (l == 9 && !memcmp(p, "%VERSION%", 9)) {
			slot = &ver;
			slen = &vl;
		}
		p = eol < end ? eol + 1 : end;
		if (slot && p < end) {
			const char *e2 = memchr(p, '\n', (size_t)(end - p));
			const char *eol2 = e2 ? e2 : end;
			*slot = p;
			*slen = (size_t)(eol2 - p);
			p = eol2 < end ? eol2 + 1 : end;
		}
	}
	if (!name || !ver || !nl || !vl)
		return zeit_fail(z, EINVAL,
		                 "pacman desc: no %%NAME%% or %%VERSION%%");
	add(out, name, nl, ver, vl);
	return 0;
}

/* xbps: a property list <dict> of pkgname -> <dict> with "pkgver"
 * (name-version_revision) and "state" ("installed"). */
static xmlNode *next_elem(xmlNode *n)
{
	while (n && n->type != XML_ELEMENT_NODE)
		n = n->next;
	return n;
}

static bool is(const xmlNode *n, const char *name)
{
	return n && !xmlStrcmp(n->name, (const xmlChar *)name);
}

int pkgdb_parse_xbps(struct zeit *z, const char *text, size_t len,
                     struct pkg_list *out)
{
	if (len > 512 * 1024 * 1024)
		return zeit_fail(z, EFBIG, "xbps pkgdb: too large");
	/* No network, no entities, no DTD loading: the file is untrusted. */
	xmlDoc *doc = xmlReadMemory(text, (int)len, "pkgdb.plist", NULL,
	                            XML_PARSE_NONET | XML_PARSE_NOERROR |
	                                    XML_PARSE_NOWARNING);
	if (!doc)
		return zeit_fail(z, EINVAL, "xbps pkgdb: not a property list");
	out->format = PKG_XBPS;
	int rc = 0;
	xmlNode *root = xmlDocGetRootElement(doc);
	xmlNode *dict = is(root, "plist") ? next_elem(root->children) : NULL;
	if (!is(dict, "dict")) {
		rc = zeit_fail(z, EINVAL, "xbps pkgdb: no top-level <dict>");
		goto out;
	}
	for (xmlNode *k = next_elem(dict->children); k;
	     k = next_elem(k->next)) {
		xmlNode *v = next_elem(k->next);
		if (!is(k, "key") || !v) {
			rc = zeit_fail(z, EINVAL,
			               "xbps pkgdb: <key> without a value");
			goto out;
		}
		k = v;
		if (!is(v, "dict"))
			continue; /* "_XBPS_ALTERNATIVES_" and the like */
		xmlChar *pkgver = NULL, *state = NULL;
		for (xmlNode *kk = next_elem(v->children); kk;
		     kk = next_elem(kk->next)) {
			xmlNode *vv = next_elem(kk->next);
			if (!vv)
				break;
			if (is(kk, "key") && is(vv, "string")) {
				xmlChar *key = xmlNodeGetContent(kk);
				if (!xmlStrcmp(key,
				               (const xmlChar *)"pkgver") &&
				    !pkgver)
					pkgver = xmlNodeGetContent(vv);
				else if (!xmlStrcmp(key,
				                    (const xmlChar *)"state") &&
				         !state)
					state = xmlNodeGetContent(vv);
				xmlFree(key);
			}
			kk = vv;
		}
		const char *pv = (const char *)pkgver;
		const char *dash = pv ? strrchr(pv, '-') : NULL;
		bool installed =
		        !state ||
		        !xmlStrcmp(state, (const xmlChar *)"installed");
		if (pv && dash && dash > pv && dash[1] && installed)
			add(out, pv, (size_t)(dash - pv), dash + 1,
			    strlen(dash + 1));
		else if (installed && pv)
			rc = zeit_fail(z, EINVAL,
			               "xbps pkgdb: bad pkgver '%.200s'", pv);
		xmlFree(pkgver);
		xmlFree(state);
		if (rc)
			goto out;
	}
out:
	xmlFreeDoc(doc);
	return rc;
}

/* ---- reading from a root ---- */

/* Large enough for any real database (a full Debian desktop's status is
 * a few MiB), small enough that a hostile one cannot take the memory. */
#define PKGDB_MAX ((size_t)512 << 20)

typedef int (*pkgdb_parser)(struct zeit *, const char *, size_t,
                            struct pkg_list *);

static int read_parse(struct zeit *z, int root, const char *rel,
                      pkgdb_parser parse, struct buf *text,
                      struct pkg_list *out)
{
	if (rootfile_read(z, root, rel, PKGDB_MAX, text) < 0)
		return -1;
	return parse(z, text->data, text->len, out);
}

/* pacman: one directory a package, each with a desc file. */
static int read_pacman(struct zeit *z, int root, const char *dir,
                       struct buf *text, struct pkg_list *out)
{
	int fd = rootdir_open(z, root, dir);
	if (fd < 0)
		return -1;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return zeit_fail(z, errno, "cannot read %s: %s", dir,
		                 strerror(errno));
	}
	struct dirent *e;
	int rc = 0;
	out->format = PKG_PACMAN;
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.' ||
		    !strcmp(e->d_name, "ALPM_DB_VERSION"))
			continue;
		char *desc = xasprintf("%s/%s/desc", dir, e->d_name);
		if (root_exists(root, desc)) {
			rc = read_parse(z, root, desc, pkgdb_parse_pacman_desc,
			                text, out);
			if (rc)
				zeit_fail_ctx(z, "%s", desc);
		}
		free(desc);
	}
	closedir(d);
	return rc;
}

static int by_pkg_name(const void *a, const void *b)
{
	return strcmp(((const struct pkg *)a)->name,
	              ((const struct pkg *)b)->name);
}

int pkgdb_read(struct zeit *z, int root, const char *what, struct pkg_list *out)
{
	return pkgdb_read_as(z, root, what, PKG_NONE, out);
}

int pkgdb_read_as(struct zeit *z, int root, const char *what,
                  enum pkg_format want, struct pkg_list *out)
{
	static const struct {
		const char *rel;
		pkgdb_parser parse;
		enum pkg_format format;
	} files[] = {
	        {"var/lib/dpkg/status", pkgdb_parse_dpkg, PKG_DPKG},
	        {"var/db/xbps/pkgdb-0.38.plist", pkgdb_parse_xbps, PKG_XBPS},
	        {"lib/apk/db/installed", pkgdb_parse_apk, PKG_APK},
	};
	struct buf text;
	int rc = -2;

	pkg_list_init(out);
	buf_init(&text);
	for (size_t i = 0; rc == -2 && i < sizeof(files) / sizeof(*files); i++)
		if ((want == PKG_NONE || want == files[i].format) &&
		    root_exists(root, files[i].rel))
			rc = read_parse(z, root, files[i].rel, files[i].parse,
			                &text, out);
	if (rc != -2) {
		/* read */
	} else if ((want == PKG_NONE || want == PKG_PACMAN) &&
	           root_exists(root, "var/lib/pacman/local")) {
		rc = read_pacman(z, root, "var/lib/pacman/local", &text, out);
	} else if (root_exists(root, "var/lib/rpm") ||
	           root_exists(root, "usr/lib/sysimage/rpm")) {
		out->format = PKG_RPM;
		rc = zeit_fail(
		        z, ENOTSUP,
		        "%s holds an rpm database, which zeit cannot read "
		        "yet (dpkg, xbps, pacman and apk are supported)",
		        what);
	} else {
		rc = zeit_fail(z, ENOENT,
		               "no package database under %s (looked for dpkg, "
		               "xbps, pacman, apk and rpm)",
		               what);
	}
	buf_free(&text);
	if (rc)
		pkg_list_free(out);
	else
		qsort(out->v, out->n, sizeof(*out->v), by_pkg_name);
	return rc;
}

int pkg_vercmp(enum pkg_format f, const char *a, const char *b)
{
	switch (f) {
	case PKG_DPKG: return vercmp_dpkg(a, b);
	case PKG_XBPS: return vercmp_xbps(a, b);
	case PKG_PACMAN: return vercmp_pacman(a, b);
	case PKG_APK: return vercmp_apk(a, b);
	default: return strcmp(a, b);
	}
}

const char *pkg_change_name(enum pkg_change_kind k)
{
	switch (k) {
	case PKG_ADDED: return "added";
	case PKG_REMOVED: return "removed";
	case PKG_UPGRADED: return "upgraded";
	case PKG_DOWNGRADED: return "downgraded";
	}
	return "?";
}

void pkg_changes_free(struct pkg_changes *c)
{
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

int pkgdb_diff(struct zeit *z, struct pkg_list *a, struct pkg_list *b,
               struct pkg_changes *out)
{
	out->v = NULL;
	out->n = 0;
	if (a->format != b->format)
		return zeit_fail(
		        z, EINVAL,
		        "the package databases differ in kind (%s, %s)",
		        pkg_format_name(a->format), pkg_format_name(b->format));
	qsort(a->v, a->n, sizeof(*a->v), by_pkg_name);
	qsort(b->v, b->n, sizeof(*b->v), by_pkg_name);
	out->v = xcalloc(a->n + b->n + 1, sizeof(*out->v));
	size_t i = 0, k = 0;
	while (i < a->n || k < b->n) {
		int c = i >= a->n   ? 1
		        : k >= b->n ? -1
		                    : strcmp(a->v[i].name, b->v[k].name);
		struct pkg_change *ch = &out->v[out->n];
		if (c < 0) {
			*ch = (struct pkg_change){PKG_REMOVED, a->v[i].name,
			                          a->v[i].version, NULL};
			out->n++;
			i++;
		} else if (c > 0) {
			*ch = (struct pkg_change){PKG_ADDED, b->v[k].name, NULL,
			                          b->v[k].version};
			out->n++;
			k++;
		} else {
			int v = pkg_vercmp(a->format, a->v[i].version,
			                   b->v[k].version);
			if (v != 0 ||
			    strcmp(a->v[i].version, b->v[k].version)) {
				*ch = (struct pkg_change){
				        v <= 0 ? PKG_UPGRADED : PKG_DOWNGRADED,
				        a->v[i].name, a->v[i].version,
				        b->v[k].version};
				out->n++;
			}
			i++;
			k++;
		}
	}
	return 0;
}
