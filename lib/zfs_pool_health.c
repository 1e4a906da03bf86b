/* Pool health from one `zpool status -p` of every pool (see zfs.h): the
 * pool's state, its devices' error counts, permanent data errors and the
 * last scrub. zpool status has no -H and its -j is 2.3's, so the text is
 * read; it is the same on 2.1 and 2.3. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zfs_priv.h"

void zpool_health_list_free(struct zpool_health_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].pool);
		free(l->v[i].state);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static struct zpool_health *add_pool(struct zpool_health_list *l,
                                     const char *name)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	struct zpool_health *h = &l->v[l->n++];
	memset(h, 0, sizeof(*h));
	h->pool = xstrdup(name);
	h->state = xstrdup("-");
	h->data_errors = -1;
	return h;
}

/* "  pool: NAME" -> NAME (a pool's name may hold spaces). */
static const char *field(const char *line, const char *key)
{
	while (*line == ' ' || *line == '\t')
		line++;
	size_t k = strlen(key);
	if (strncmp(line, key, k) || line[k] != ':')
		return NULL;
	line += k + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

static bool all_digits(const char *s, size_t n)
{
	if (!n || n > 18)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool is_state(const char *s, size_t n)
{
	static const char *const states[] = {
	        "ONLINE",  "DEGRADED",  "FAULTED", "OFFLINE", "UNAVAIL",
	        "REMOVED", "SUSPENDED", "AVAIL",   "INUSE",   NULL};
	for (size_t i = 0; states[i]; i++)
		if (strlen(states[i]) == n && !strncmp(states[i], s, n))
			return true;
	return false;
}

/* A device row: NAME (may hold spaces) STATE READ WRITE CKSUM [note].
 * Its counts are added to the pool's; rows without them (spares, the
 * heading) add nothing. */
static void device_row(const char *line, struct zpool_health *h)
{
	const char *tok[64];
	size_t len[64], n = 0;
	for (const char *p = line; *p && n < 64;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		tok[n] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		len[n] = (size_t)(p - tok[n]);
		n++;
	}
	for (size_t i = 1; i + 3 < n; i++) {
		if (!is_state(tok[i], len[i]) ||
		    !all_digits(tok[i + 1], len[i + 1]) ||
		    !all_digits(tok[i + 2], len[i + 2]) ||
		    !all_digits(tok[i + 3], len[i + 3]))
			continue;
		h->read_errors += strtoll(tok[i + 1], NULL, 10);
		h->write_errors += strtoll(tok[i + 2], NULL, 10);
		h->cksum_errors += strtoll(tok[i + 3], NULL, 10);
		return;
	}
}

/* "scrub repaired 0B in 00:00:01 with 0 errors on Tue Dec  1 17:07:32
 * 2026": when it ended, in local time as zpool printed it (ctime). */
static void scan_line(const char *v, struct zpool_health *h)
{
	if (!strncmp(v, "scrub in progress", 17)) {
		h->scrub_running = true;
		return;
	}
	if (strncmp(v, "scrub repaired", 14))
		return;
	const char *on = NULL;
	for (const char *p = strstr(v, " on "); p; p = strstr(p + 1, " on "))
		on = p;
	if (!on)
		return;
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(on + 4, "%a %b %d %H:%M:%S %Y", &tm);
	if (!end || (*end && *end != '\n'))
		return;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t > 0)
		h->scrub_end = t;
}

/* "errors: No known data errors" or "errors: 3 data errors, use '-v'". */
static void errors_line(const char *v, struct zpool_health *h)
{
	if (!strncmp(v, "No known data errors", 20)) {
		h->data_errors = 0;
		return;
	}
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (end != v && !errno && n >= 0 && !strncmp(end, " data error", 11))
		h->data_errors = n;
}

int zpool_health_parse(struct zeit *z, const char *text,
                       struct zpool_health_list *out)
{
	struct zpool_health *h = NULL;
	bool in_config = false;
	char *copy = xstrdup(text), *save = NULL;

	out->v = NULL;
	out->n = 0;
	for (char *line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *v;
		if ((v = field(line, "pool"))) {
			if (!*v) {
				free(copy);
				zpool_health_list_free(out);
				return zeit_fail(z, EPROTO,
				                 "zpool status: a pool with no "
				                 "name");
			}
			h = add_pool(out, v);
			in_config = false;
		} else if (!h) {
			continue;
		} else if ((v = field(line, "state")) && !in_config) {
			free(h->state);
			h->state = xstrdup(*v ? v : "-");
		} else if ((v = field(line, "status")) && !in_config &&
		           strstr(v, "faulted in response to IO failures")) {
			/* OpenZFS 2.1 says a suspended pool's state is
			 * ONLINE; only this line tells. */
			free(h->state);
			h->state = xstrdup("SUSPENDED");
		} else if ((v = field(line, "scan")) && !in_config) {
			scan_line(v, h);
		} else if ((v = field(line, "config"))) {
			in_config = true;
		} else if ((v = field(line, "errors"))) {
			in_config = false;
			errors_line(v, h);
		} else if (in_config) {
			device_row(line, h);
		}
	}
	free(copy);
	return 0;
}

int zpool_health_list(struct zfs *zh, struct zpool_health_list *out)
{
	struct strv a;
	struct run_cmd c;

	out->v = NULL;
	out->n = 0;
	strv_init(&a);
	strv_push(&a, "zpool");
	strv_push(&a, "status");
	strv_push(&a, "-p");
	int rc = zfs_run_any(zh, &a, NULL, &c);
	strv_free(&a);
	if (rc < 0)
		return -1;
	if (c.status != 0) {
		zfs_fail_cmd(zh, &c);
		run_cmd_free(&c);
		return -1;
	}
	rc = zpool_health_parse(zh->z, c.out.data ? c.out.data : "", out);
	run_cmd_free(&c);
	return rc;
}
