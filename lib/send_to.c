/* org.zeit:send-to (see send_to.h): reading a value, naming its jobs and
 * finding them in one listing. */
#include "zeit/send_to.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"
#include "zeit/escape.h"
#include "zeit/ztime.h"

void send_to_value_free(struct send_to_value *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i].target);
	memset(v, 0, sizeof(*v));
}

static int refuse(char *why, size_t len, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int refuse(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* A host as ssh takes a destination, and nothing a shell or ssh would
 * read more into: letters, digits, '.', '-', '_', and one "user@" in
 * front; never a leading '-' (an option). */
static bool host_ok(const char *h, size_t n)
{
	const char *at = memchr(h, '@', n);
	if (at && (at == h || memchr(at + 1, '@', n - (size_t)(at + 1 - h))))
		return false;
	const char *host = at ? at + 1 : h;
	if (host == h + n || *h == '-' || *host == '-' || n > 255)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = h[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		      c == '_' || c == '@'))
			return false;
	}
	return true;
}

/* One word: [INTERVAL@][[USER@]HOST:]DATASET. */
static int target_word(const char *source, const char *w,
                       struct send_to_target *t, char *why, size_t len)
{
	if (*w == '-')
		return refuse(why, len, "'%s' looks like an option", w);
	t->interval = 0;
	const char *at = strchr(w, '@');
	if (at && at[1]) {
		char iv[32];
		size_t n = (size_t)(at - w);
		long long secs;
		if (n && n < sizeof(iv)) {
			memcpy(iv, w, n);
			iv[n] = '\0';
			if (ztime_parse_duration(iv, &secs) && secs > 0) {
				t->interval = secs;
				w = at + 1;
			}
		}
	}
	const char *colon = strchr(w, ':');
	const char *slash = strchr(w, '/');
	const char *ds = w;
	bool remote = colon && (!slash || colon < slash);
	if (remote) {
		if (!host_ok(w, (size_t)(colon - w)))
			return refuse(
			        why, len,
			        "'%.*s' is no host name (letters, digits, "
			        "'.', '-', '_', one USER@)",
			        (int)(colon - w), w);
		ds = colon + 1;
	} else if (strchr(w, '@')) {
		return refuse(why, len,
		              "'%s': an interval is a duration such as 15m, "
		              "3h or 1d",
		              w);
	}
	struct zeit scratch;
	zeit_init(&scratch);
	if (!*ds)
		return refuse(why, len, "'%s' names no dataset", w);
	if (zfs_name_check(&scratch, ds, ZFS_NAME_DATASET) < 0)
		return refuse(why, len, "'%s': %s", w, zeit_error(&scratch));
	if (!strchr(ds, '/'))
		return refuse(why, len, "'%s' is a pool; name a dataset in it",
		              w);
	if (!remote &&
	    (zfs_name_under(ds, source) || zfs_name_under(source, ds)))
		return refuse(why, len, "target %s lies %s source %s", ds,
		              zfs_name_under(ds, source) ? "inside" : "above",
		              source);
	t->target = xstrdup(w);
	return 0;
}

int send_to_parse(const char *source, const char *value,
                  struct send_to_value *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	size_t len = strlen(value);
	if (len > SEND_TO_MAX_LEN)
		return refuse(why, whylen, "the value is %zu bytes, over %d",
		              len, SEND_TO_MAX_LEN);
	for (const char *p = value; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			if (*p != '\t')
				return refuse(why, whylen,
				              "the value holds a control "
				              "byte");
		}
	if (!strcmp(value, "none") || !strcmp(value, "off")) {
		out->none = true;
		return 0;
	}
	char *copy = xstrdup(value);
	int rc = 0;
	/* An option-like word anywhere is what an attack looks like: say
	 * that, whatever else is wrong. */
	for (const char *p = value; *p; p++)
		if (*p == '-' && (p == value || strchr(", \t", p[-1]))) {
			size_t n = strcspn(p, ", \t");
			free(copy);
			return refuse(why, whylen,
			              "'%.*s' looks like an option",
			              (int)(n > 64 ? 64 : n), p);
		}
	for (char *save = NULL, *w = strtok_r(copy, ", \t", &save);
	     w && rc == 0; w = strtok_r(NULL, ", \t", &save)) {
		if (out->n == SEND_TO_MAX_TARGETS) {
			rc = refuse(why, whylen, "more than %d targets",
			            SEND_TO_MAX_TARGETS);
			break;
		}
		if (!strcmp(w, "none") || !strcmp(w, "off")) {
			rc = refuse(why, whylen,
			            "'%s' stands alone or not at all", w);
			break;
		}
		rc = target_word(source, w, &out->v[out->n], why, whylen);
		if (rc == 0)
			out->n++;
	}
	free(copy);
	if (rc == 0 && out->n == 0)
		rc = refuse(why, whylen, "the value names no target");
	for (size_t i = 0; rc == 0 && i < out->n; i++)
		for (size_t k = 0; k < i; k++)
			if (!strcmp(out->v[i].target, out->v[k].target))
				rc = refuse(why, whylen,
				            "target %s is named twice",
				            out->v[i].target);
	if (rc < 0)
		send_to_value_free(out);
	return rc;
}

static unsigned long fnv1a(const char *s)
{
	unsigned long h = 2166136261ul;
	for (; *s; s++)
		h = ((h ^ (unsigned char)*s) * 16777619ul) & 0xfffffffful;
	return h;
}

char *send_to_job_name(const char *dataset, const char *target, size_t i)
{
	/* What zfs takes in a user property's name (lowercase, digits,
	 * '-', '_', '.'), as a [send NAME] job's name. */
	struct buf b;
	bool lossy = false;
	buf_init(&b);
	for (const char *p = dataset; *p; p++) {
		char c = *p;
		if (c == '/')
			c = '.';
		else if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a'), lossy = true;
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		           c == '-' || c == '_' || c == '.'))
			c = '_', lossy = true;
		buf_addc(&b, c);
	}
	if (lossy || b.len > 46) {
		if (b.len > 37)
			b.data[b.len = 37] = '\0';
		buf_addf(&b, ".%08lx", fnv1a(dataset));
	}
	if (i > 0)
		buf_addf(&b, ".%08lx", fnv1a(target));
	return b.data;
}

void send_to_refusals_free(struct send_to_refusals *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].dataset);
		free(r->v[i].message);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static void refused_add(struct send_to_refusals *r, const char *ds,
                        const char *value, const char *why)
{
	char *ev = escape_dup(value);
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	r->v[r->n].dataset = xstrdup(ds);
	r->v[r->n].message = xasprintf("%s: " ZEIT_PROP_SEND_TO
	                               " '%s': %s; no job sent from it",
	                               ds, ev, why);
	r->n++;
	free(ev);
}

/* The row of name's parent in l, or -1 (a pool's root has none). */
static long parent_row(const struct zfs_dataset_list *l, size_t upto,
                       const char *name)
{
	const char *slash = strrchr(name, '/');
	if (!slash)
		return -1;
	size_t n = (size_t)(slash - name);
	/* Parents come before children in zfs list's order: look back. */
	for (size_t i = upto; i-- > 0;)
		if (strlen(l->v[i].name) == n &&
		    !strncmp(l->v[i].name, name, n))
			return (long)i;
	return -1;
}

/* Whether row i's value is where a value starts: set, and not its
 * parent's. */
static bool starts_here(const struct zfs_dataset_list *l, size_t i, size_t col)
{
	const char *v = l->v[i].values[col];
	if (!strcmp(v, "-"))
		return false;
	long p = parent_row(l, i, l->v[i].name);
	return p < 0 || strcmp(l->v[p].values[col], v);
}

static bool declared(const struct zeit_config *cfg, size_t nconf,
                     const char *source, const char *target)
{
	for (size_t i = 0; i < nconf; i++)
		if (!strcmp(cfg->jobs[i].source, source) &&
		    !strcmp(cfg->jobs[i].target, target))
			return true;
	return false;
}

static bool name_taken(const struct zeit_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->njobs; i++)
		if (!strcmp(cfg->jobs[i].name, name))
			return true;
	return false;
}

/* The datasets below row r whose own value starts there (another job,
 * or none): the job of row r leaves their trees out. */
static char **excluded_below(const struct zfs_dataset_list *l, size_t r,
                             size_t col)
{
	struct strv ex;
	strv_init(&ex);
	const char *root = l->v[r].name;
	for (size_t i = r + 1; i < l->n; i++) {
		const char *n = l->v[i].name;
		if (!zfs_name_under(n, root))
			continue;
		bool inside = false;
		for (size_t k = 0; k < ex.n; k++)
			inside |= zfs_name_under(n, ex.v[k]);
		if (!inside && starts_here(l, i, col))
			strv_push(&ex, n);
	}
	if (!ex.n) {
		strv_free(&ex);
		return NULL;
	}
	return ex.v;
}

static void add_job(struct zeit_config *cfg, const char *source,
                    const struct send_to_target *t, const char *name,
                    char **exclude)
{
	cfg->jobs = xrealloc(cfg->jobs, (cfg->njobs + 1) * sizeof(*cfg->jobs));
	struct config_send_job *j = &cfg->jobs[cfg->njobs++];
	memset(j, 0, sizeof(*j));
	j->name = xstrdup(name);
	j->source = xstrdup(source);
	j->target = xstrdup(t->target);
	j->interval = t->interval;
	j->recursive = 1;
	j->raw = j->rollback = j->force = j->prune = j->all_snapshots = -1;
	j->where = xasprintf("%s on %s", ZEIT_PROP_SEND_TO, source);
	j->exclude = exclude;
	j->from_property = true;
	config_hooks_init(&j->hooks);
}

static void exclude_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static char **exclude_dup(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	if (!n)
		return NULL;
	char **d = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		d[i] = xstrdup(v[i]);
	return d;
}

size_t send_to_add_jobs(struct zeit_config *cfg,
                        const struct zfs_dataset_list *l, size_t col,
                        struct send_to_refusals *refused)
{
	size_t nconf = cfg->njobs, added = 0;
	char why[512];
	for (size_t i = 0; i < l->n; i++) {
		const char *ds = l->v[i].name;
		const char *value = l->v[i].values[col];
		if (!starts_here(l, i, col))
			continue;
		struct send_to_value sv;
		if (send_to_parse(ds, value, &sv, why, sizeof(why)) < 0) {
			refused_add(refused, ds, value, why);
			continue;
		}
		char **ex = sv.none ? NULL : excluded_below(l, i, col);
		for (size_t k = 0; k < sv.n; k++) {
			const struct send_to_target *t = &sv.v[k];
			if (declared(cfg, nconf, ds, t->target))
				continue;
			char *name = send_to_job_name(ds, t->target, k);
			if (name_taken(cfg, name)) {
				snprintf(why, sizeof(why),
				         "its job's name %s is taken", name);
				refused_add(refused, ds, value, why);
			} else {
				add_job(cfg, ds, t, name, exclude_dup(ex));
				added++;
			}
			free(name);
		}
		exclude_free(ex);
		send_to_value_free(&sv);
	}
	return added;
}

int send_to_list(struct zfs *zh, struct zfs_dataset_list *out)
{
	const char *const props[] = {ZEIT_PROP_SEND_TO, NULL};
	return zfs_list_datasets(zh, NULL, -1,
	                         ZFS_TYPE_FILESYSTEM | ZFS_TYPE_VOLUME, props,
	                         out);
}
