/* zeit status: the last outcome of each [send NAME] job (on its local
 * side) and of snap --auto and prune (on each pool's root), as they
 * recorded them in user properties. The values are anyone's who can set a
 * property: one that does not read is reported, never trusted. */
#include <stdlib.h>
#include <string.h>

#include "status_priv.h"
#include "zeit/select.h"
#include "zeit/send_auto.h"
#include "zeit/ztime.h"

void status_job_props(const struct zeit_config *cfg, struct strv *props)
{
	for (size_t i = 0; i < cfg->njobs; i++) {
		char *ok = send_job_prop(cfg->jobs[i].name, "ok");
		char *err = send_job_prop(cfg->jobs[i].name, "error");
		strv_push(props, ok);
		strv_push(props, err);
		free(ok);
		free(err);
	}
}

static long row_of(const struct zfs_dataset_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return (long)i;
	return -1;
}

static bool wanted(const char *const *roots, const char *name)
{
	if (!roots || !roots[0])
		return true;
	for (size_t i = 0; roots[i]; i++)
		if (zfs_name_under(name, roots[i]))
			return true;
	return false;
}

static void ago(time_t now, time_t t, char *out, size_t len)
{
	long long s = (long long)(now - t);
	if (s < 0)
		snprintf(out, len, "in the future");
	else if (s < 3600)
		snprintf(out, len, "%lldm ago", s / 60);
	else if (s < 2 * 86400)
		snprintf(out, len, "%lldh%02lldm ago", s / 3600, s % 3600 / 60);
	else
		snprintf(out, len, "%lldd%02lldh ago", s / 86400,
		         s % 86400 / 3600);
}

/* One outcome: failed warns (with its message and the last good run);
 * a good run long past its interval warns too, since nothing then runs
 * the job at all. */
static void outcome(const char *kind, const char *job, const char *subject,
                    const char *check, const char *ok, const char *err,
                    long long interval, bool pool, time_t now,
                    struct status_report *r)
{
	struct send_job_state st;
	struct status_check *c =
	        status_check_add(r, STATUS_JOB, subject, check);
	c->job_kind = kind;
	c->job = xstrdup(job);
	struct buf b;
	buf_init(&b);
	enum status_state s = STATUS_OK;
	char when[32], last[48];
	if (!send_job_state_parse(ok, err, &st)) {
		s = STATUS_UNKNOWN;
		buf_addf(&b, "its recorded outcome does not read (%s, %s)", ok,
		         err);
	} else if (st.error) {
		s = STATUS_WARNING;
		c->job_failed = true;
		ztime_format(st.last_error, when, sizeof(when));
		buf_addf(&b, "failed at %s: %s", when, st.error);
		if (pool) {
			/* A pool's runs: :ok is only the last clearing. */
		} else if (st.last_ok > 0) {
			ago(now, st.last_ok, last, sizeof(last));
			buf_addf(&b, "; last good run %s", last);
		} else {
			buf_addf(&b, "; no good run recorded");
		}
	} else if (st.last_ok > 0 && pool) {
		ztime_format(st.last_ok, when, sizeof(when));
		buf_addf(&b, "no failure since the run at %s", when);
	} else if (st.last_ok > 0) {
		ago(now, st.last_ok, last, sizeof(last));
		buf_addf(&b, "last good run %s", last);
		if (interval > 0 &&
		    now - st.last_ok > 3 * interval + SEND_JOB_SLACK) {
			s = STATUS_WARNING;
			buf_addf(&b,
			         ", its interval is %llds: is the "
			         "timer running it?",
			         interval);
		}
	} else {
		buf_addf(&b, "no run recorded yet");
	}
	c->job_ok = pool ? 0 : st.last_ok;
	status_check_set(c, s, b.data);
	buf_free(&b);
	send_job_state_free(&st);
}

static void send_jobs(const struct zeit_config *cfg,
                      const struct status_input *in, struct status_report *r)
{
	const struct zfs_dataset_list *l = in->datasets;
	size_t base = DSP_COUNT + STP_COUNT;
	/* A listing without the jobs' columns (none configured when it
	 * was made) has nothing to say about them. */
	if (l->nprops < base + 2 * cfg->njobs)
		return;
	for (size_t i = 0; i < cfg->njobs; i++) {
		const struct config_send_job *j = &cfg->jobs[i];
		const char *side = send_job_local_side(j);
		if (!wanted(in->roots, side))
			continue;
		char *check = xasprintf("send job %s", j->name);
		long row = row_of(l, side);
		if (row < 0) {
			/* A pull's target before its first good run. */
			struct status_check *c =
			        status_check_add(r, STATUS_JOB, side, check);
			c->job_kind = "send";
			c->job = xstrdup(j->name);
			c->job_failed = true;
			status_check_set(c, STATUS_WARNING,
			                 "does not exist: the job never "
			                 "succeeded");
		} else {
			char *const *v = l->v[row].values;
			outcome("send", j->name, side, check, v[base + 2 * i],
			        v[base + 2 * i + 1], j->interval, false,
			        in->now, r);
		}
		free(check);
	}
}

/* Pool roots: a row without a slash. */
static void pool_runs(const struct status_input *in, struct status_report *r)
{
	const struct zfs_dataset_list *l = in->datasets;
	for (size_t i = 0; i < l->n; i++) {
		const struct zfs_dataset *d = &l->v[i];
		char *const *v = d->values;
		if (strchr(d->name, '/') || !wanted(in->roots, d->name))
			continue;
		static const struct {
			const char *kind;
			int ok, err;
		} runs[] = {
		        {"snap", DSP_COUNT + STP_SNAP_OK, DSP_SNAP_ERROR},
		        {"prune", DSP_COUNT + STP_PRUNE_OK, DSP_PRUNE_ERROR}};
		for (size_t k = 0; k < 2; k++) {
			const char *ok = v[runs[k].ok];
			const char *err = v[runs[k].err];
			if (!strcmp(ok, "-") && !strcmp(err, "-"))
				continue; /* never ran here: nothing to say */
			outcome(runs[k].kind, runs[k].kind, d->name,
			        runs[k].kind, ok, err, 0, true, in->now, r);
		}
	}
}

void status_check_jobs(const struct zeit_config *cfg,
                       const struct status_input *in, struct status_report *r)
{
	send_jobs(cfg, in, r);
	pool_runs(in, r);
}
