/* zeit send --auto's bookkeeping (see send_auto.h): due jobs and their
 * recorded outcomes. */
#include "zeit/send_auto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/props.h"
#include "zeit/ztime.h"

/* As zeit send reads a side: a colon before any slash ends a host. */
static const char *side_dataset(const char *side)
{
	const char *colon = strchr(side, ':');
	const char *slash = strchr(side, '/');
	return colon && (!slash || colon < slash) ? colon + 1 : NULL;
}

const char *send_job_local_side(const struct config_send_job *j)
{
	/* A pull keeps it on its target; a push or a local copy on its
	 * source. */
	return side_dataset(j->source) ? j->target : j->source;
}

bool send_job_due(const struct config_send_job *j, time_t last_ok, time_t now)
{
	if (last_ok <= 0 || j->interval <= 0)
		return true;
	long long slack = j->interval > 2 * SEND_JOB_SLACK ? SEND_JOB_SLACK : 0;
	return (long long)(now - last_ok) >= j->interval - slack;
}

char *send_job_prop(const char *job, const char *what)
{
	return xasprintf(ZEIT_PROP_JOB_PREFIX "%s:%s", job, what);
}

void send_job_state_free(struct send_job_state *s)
{
	free(s->error);
	memset(s, 0, sizeof(*s));
}

/* "2026-12-01T03:00:00Z" alone, or followed by " MESSAGE". */
static bool time_then(const char *v, time_t *t, const char **rest)
{
	char when[32];
	size_t n = strcspn(v, " ");
	if (n == 0 || n >= sizeof(when))
		return false;
	memcpy(when, v, n);
	when[n] = '\0';
	if (!ztime_parse(when, t))
		return false;
	*rest = v[n] ? v + n + 1 : NULL;
	return true;
}

bool send_job_state_parse(const char *ok, const char *error,
                          struct send_job_state *out)
{
	const char *rest;
	bool good = true;
	memset(out, 0, sizeof(*out));
	if (ok && strcmp(ok, "-") &&
	    (!time_then(ok, &out->last_ok, &rest) || rest)) {
		out->last_ok = 0;
		good = false;
	}
	if (error && strcmp(error, "-")) {
		if (time_then(error, &out->last_error, &rest))
			out->error = xstrdup(rest ? rest : "");
		else
			good = false;
	}
	return good;
}

/* The state of job j from a listing that holds its properties. */
static void state_from(struct zfs *zh, const struct config_send_job *j,
                       const struct zfs_prop_list *l, const char *ok,
                       const char *err, struct send_job_state *out)
{
	const char *ds = send_job_local_side(j);
	const struct zfs_prop *a = zfs_prop_find(l, ds, ok);
	const struct zfs_prop *b = zfs_prop_find(l, ds, err);
	if (!send_job_state_parse(a ? a->value : NULL, b ? b->value : NULL,
	                          out))
		zeit_note(zh->z, 1,
		          "%s: job %s's recorded outcome does not read; the "
		          "job counts as due",
		          ds, j->name);
}

int send_jobs_state_read(struct zfs *zh, const struct config_send_job *jobs,
                         size_t n, const bool *want, struct send_job_state *out)
{
	struct strv names, props;
	struct zfs_prop_list l = {0};
	strv_init(&names);
	strv_init(&props);
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		if (!want[i])
			continue;
		const char *ds = send_job_local_side(&jobs[i]);
		bool seen = false;
		for (size_t k = 0; k < names.n && !seen; k++)
			seen = !strcmp(names.v[k], ds);
		if (!seen)
			strv_push(&names, ds);
		strv_pushf(&props, ZEIT_PROP_JOB_PREFIX "%s:ok", jobs[i].name);
		strv_pushf(&props, ZEIT_PROP_JOB_PREFIX "%s:error",
		           jobs[i].name);
	}
	int rc = 0;
	if (names.n)
		rc = zfs_get_props(zh, (const char *const *)names.v, 0,
		                   (const char *const *)props.v, &l);
	for (size_t i = 0, p = 0; rc == 0 && i < n; i++) {
		if (!want[i])
			continue;
		state_from(zh, &jobs[i], &l, props.v[p], props.v[p + 1],
		           &out[i]);
		p += 2;
	}
	zfs_prop_list_free(&l);
	strv_free(&names);
	strv_free(&props);
	return rc;
}

int send_job_state_read(struct zfs *zh, const struct config_send_job *j,
                        struct send_job_state *out)
{
	const char *ds = send_job_local_side(j);
	char *ok = send_job_prop(j->name, "ok");
	char *err = send_job_prop(j->name, "error");
	const char *const names[] = {ds, NULL};
	const char *const props[] = {ok, err, NULL};
	struct zfs_prop_list l = {0};
	memset(out, 0, sizeof(*out));
	int rc = zfs_get_props(zh, names, 0, props, &l);
	if (rc == 0)
		state_from(zh, j, &l, ok, err, out);
	zfs_prop_list_free(&l);
	free(ok);
	free(err);
	return rc;
}

char *outcome_line(const char *msg)
{
	size_t n = strlen(msg ? msg : "");
	if (n > 1024)
		n = 1024;
	char *s = xstrndup(msg ? msg : "", n);
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return s;
}

int send_job_record(struct zfs *zh, const struct config_send_job *j,
                    time_t started, bool ok, const char *message)
{
	char when[32];
	ztime_format(started, when, sizeof(when));
	char *okp = send_job_prop(j->name, "ok");
	char *errp = send_job_prop(j->name, "error");
	char *a, *b;
	if (ok) {
		a = xasprintf("%s=%s", okp, when);
		b = xasprintf("%s=-", errp);
	} else {
		char *line = outcome_line(message);
		a = xasprintf("%s=%s %s", errp, when, line);
		b = NULL;
		free(line);
	}
	const char *const set[] = {a, b, NULL};
	int rc = zfs_set_props(zh, send_job_local_side(j), set);
	free(a);
	free(b);
	free(okp);
	free(errp);
	return rc;
}
