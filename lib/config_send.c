/* [send NAME] sections of zeit.conf: replication jobs that `zeit send
 * --auto` runs when they are due (see config.h). Sides are checked here
 * only as far as a typo shows; `zeit send` reads them in full when the
 * job runs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"
#include "zeit/ratelimit.h"
#include "zeit/zfs.h"
#include "zeit/ztime.h"

void config_send_jobs_free(struct zeit_config *c)
{
	for (size_t i = 0; i < c->njobs; i++) {
		struct config_send_job *j = &c->jobs[i];
		free(j->name);
		free(j->source);
		free(j->target);
		free(j->ssh_opts);
		free(j->where);
		for (size_t k = 0; j->exclude && j->exclude[k]; k++)
			free(j->exclude[k]);
		free(j->exclude);
		config_hooks_free(&j->hooks);
	}
	free(c->jobs);
	c->jobs = NULL;
	c->njobs = 0;
}

/* The name becomes part of property names (org.zeit:job:NAME:...), so
 * only what zfs takes in a user property's name (no capitals), and
 * short. */
static bool job_name_ok(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > 64)
		return false;
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

static struct config_send_job *job_get(struct load_ctx *x, const char *name)
{
	struct zeit_config *c = x->c;
	for (size_t i = 0; i < c->njobs; i++)
		if (!strcmp(c->jobs[i].name, name))
			return &c->jobs[i];
	c->jobs = xrealloc(c->jobs, (c->njobs + 1) * sizeof(*c->jobs));
	struct config_send_job *j = &c->jobs[c->njobs++];
	memset(j, 0, sizeof(*j));
	j->name = xstrdup(name);
	j->where = xasprintf("%s [send %s]", x->path, name);
	j->interval = -1;
	config_hooks_init(&j->hooks);
	j->recursive = j->raw = j->rollback = j->force = j->prune =
	        j->all_snapshots = -1;
	return j;
}

/* Whether a side names a host: a colon before any slash. */
static bool has_host(const char *side)
{
	const char *colon = strchr(side, ':');
	const char *slash = strchr(side, '/');
	return colon && (!slash || colon < slash);
}

/* [HOST:]dataset: the dataset part must be a dataset's name; a host may
 * not pose as an ssh option. */
static int side_value(struct load_ctx *x, const char *key, const char *value,
                      char **out)
{
	if (*out)
		return config_fail_at(x, "%s is given twice", key);
	const char *ds = value;
	/* A colon before any slash separates a host, as zeit send reads
	 * it; a pool's name holds no colon. */
	if (has_host(value)) {
		const char *colon = strchr(value, ':');
		if (colon == value || value[0] == '-')
			return config_fail_at(x, "%s: '%s' names no host", key,
			                      value);
		ds = colon + 1;
	}
	struct zeit scratch;
	zeit_init(&scratch);
	if (!*ds)
		return config_fail_at(x, "%s: '%s' names no dataset", key,
		                      value);
	if (zfs_name_check(&scratch, ds, ZFS_NAME_DATASET) < 0)
		return config_fail_at(x, "%s: %s", key, zeit_error(&scratch));
	*out = xstrdup(value);
	return 1;
}

static int flag_value(struct load_ctx *x, const char *key, const char *value,
                      int *out)
{
	int b = config_bool_value(value);
	if (b < 0)
		return config_fail_at(x, "%s: expected yes or no, got '%s'",
		                      key, value);
	if (*out != -1)
		return config_fail_at(x, "%s is given twice", key);
	*out = b;
	return 1;
}

static int interval_value(struct load_ctx *x, const char *value,
                          struct config_send_job *j)
{
	long long secs = 0;
	if (j->interval != -1)
		return config_fail_at(x, "interval is given twice");
	if (strcmp(value, "0") &&
	    (!ztime_parse_duration(value, &secs) || secs <= 0))
		return config_fail_at(x,
		                      "interval: expected a duration (e.g. 3h) "
		                      "or 0, got '%s'",
		                      value);
	j->interval = secs;
	return 1;
}

int config_send_key(struct load_ctx *x, const char *job, const char *name,
                    const char *value)
{
	if (!job_name_ok(job))
		return config_fail_at(x,
		                      "[send %s]: a job's name is 1 to 64 "
		                      "lowercase letters, digits, '-', '_' "
		                      "or '.'",
		                      job);
	struct config_send_job *j = job_get(x, job);
	static const char *const flags[] = {"recursive", "rollback", "force",
	                                    "prune", "all_snapshots"};
	int *const slots[] = {&j->recursive, &j->rollback, &j->force, &j->prune,
	                      &j->all_snapshots};
	if (!strcmp(name, "source"))
		return side_value(x, name, value, &j->source);
	if (!strcmp(name, "target"))
		return side_value(x, name, value, &j->target);
	if (!strcmp(name, "interval"))
		return interval_value(x, value, j);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strcmp(name, flags[i]))
			return flag_value(x, name, value, slots[i]);
	if (!strcmp(name, "raw")) {
		if (j->raw != -1)
			return config_fail_at(x, "raw is given twice");
		j->raw = !strcmp(value, "auto") ? -1 : config_bool_value(value);
		if (j->raw == -1 && strcmp(value, "auto"))
			return config_fail_at(
			        x,
			        "raw: expected yes, no or auto, got "
			        "'%s'",
			        value);
		return 1;
	}
	if (!strcmp(name, "limit")) {
		if (j->limit)
			return config_fail_at(x, "limit is given twice");
		if (!rate_parse(value, &j->limit))
			return config_fail_at(x, "limit: expected %s, got '%s'",
			                      RATE_EXPECTED, value);
		return 1;
	}
	if (!strcmp(name, "ssh_opts")) {
		if (j->ssh_opts)
			return config_fail_at(x, "ssh_opts is given twice");
		j->ssh_opts = xstrdup(value);
		return 1;
	}
	int hook = config_hook_key(x, &j->hooks, "send", name, value);
	if (hook >= 0)
		return hook;
	return config_fail_at(x,
	                      "unknown key '%s' in [send %s] (source, target, "
	                      "interval, recursive, raw, rollback, force, "
	                      "prune, all_snapshots, ssh_opts, limit, "
	                      "pre_send, post_send, on_send_failure, "
	                      "hook_timeout, pre_send_failure, "
	                      "post_send_always)",
	                      name, job);
}

int config_send_defaults_key(struct load_ctx *x, const char *name,
                             const char *value)
{
	if (strcmp(name, "parallel"))
		return config_fail_at(
		        x, "unknown key '%s' in [send] (parallel)", name);
	char *end;
	long v = strtol(value, &end, 10);
	if (*end || end == value || v < 1 || v > SEND_PARALLEL_MAX)
		return config_fail_at(x,
		                      "parallel: expected jobs at once, 1 to "
		                      "%d, got '%s'",
		                      SEND_PARALLEL_MAX, value);
	if (x->c->send_parallel)
		return config_fail_at(x, "parallel is given twice");
	x->c->send_parallel = (int)v;
	return 1;
}

int config_send_jobs_check(struct load_ctx *x)
{
	for (size_t i = 0; i < x->c->njobs; i++) {
		const struct config_send_job *j = &x->c->jobs[i];
		if (!j->source || !j->target)
			return zeit_fail(x->z, EINVAL, "%s: no %s", j->where,
			                 j->source ? "target" : "source");
		if (has_host(j->source) && has_host(j->target))
			return zeit_fail(x->z, EINVAL,
			                 "%s: source and target are both on "
			                 "other hosts; one side must be this "
			                 "machine",
			                 j->where);
	}
	return 0;
}
