#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "zeit/config.h"
#include "zeit/lock.h"
#include "zeit/prune.h"
#include "zeit/ratelimit.h"
#include "zeit/send.h"
#include "zeit/hook.h"
#include "zeit/send_auto.h"
#include "zeit/send_to.h"
#include "zeit/status.h"
#include "send_parallel.h"
#include "zeit/snapname.h"
#include "zeit/ztime.h"

struct progress_state {
	bool tty;
	uint64_t estimate;
	struct timespec start;
	const char *what;
};

static double since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static bool show_progress(uint64_t bytes, void *arg)
{
	struct progress_state *p = arg;
	char done[32], total[32], rate[32];
	double secs = since(&p->start);
	double bps = secs > 0 ? (double)bytes / secs : 0;

	cli_human_bytes(bytes, false, done, sizeof(done));
	cli_human_bytes(p->estimate, false, total, sizeof(total));
	cli_human_bytes((uint64_t)bps, false, rate, sizeof(rate));
	if (p->estimate > bytes && bps > 0) {
		long eta = (long)((double)(p->estimate - bytes) / bps);
		fprintf(stderr, "\r  %s: %s of ~%s, %s/s, %ld:%02ld left   ",
		        p->what, done, total, rate, eta / 60, eta % 60);
	} else {
		fprintf(stderr, "\r  %s: %s, %s/s   ", p->what, done, rate);
	}
	return true;
}

static void on_step(const char *dataset, const struct send_step *s,
                    uint64_t estimate, void *arg)
{
	struct progress_state *p = arg;
	if (p->tty && p->what)
		fputc('\n', stderr);
	p->estimate = estimate;
	p->what = s ? s->to : dataset;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
}

static void print_report(struct cli *cli, const struct send_report *rep,
                         uint64_t limit)
{
	static const char *const cols[] = {"SOURCE",   "TARGET", "RESULT",
	                                   "#STREAMS", "#BYTES", "NEWEST",
	                                   "MESSAGE",  NULL};
	struct table t;

	table_init(&t, cols);
	for (size_t i = 0; i < rep->n; i++) {
		const struct send_result *r = &rep->v[i];
		char streams[24], bytes[24];
		const char *result = r->failed ? "failed"
		                     : r->verdict == SEND_DIVERGED
		                             ? "rolled back"
		                             : send_verdict_name(r->verdict);
		snprintf(streams, sizeof(streams), "%zu", r->streams);
		snprintf(bytes, sizeof(bytes), "%llu",
		         (unsigned long long)r->bytes);
		const char *newest = r->newest ? strchr(r->newest, '@') : NULL;
		const char *row[] = {r->source,
		                     r->target,
		                     result,
		                     streams,
		                     bytes,
		                     newest ? newest + 1 : "-",
		                     r->message   ? r->message
		                     : r->resumed ? "resumed an interrupted "
		                                    "receive"
		                     : r->aborted_resume
		                             ? "discarded a stale resume state"
		                             : "-"};
		table_add(&t, row);
	}
	table_print(cli, &t, "send");
	table_free(&t);
	if (!cli->json && !cli->scripted) {
		char b[32];
		cli_human_bytes(rep->bytes, false, b, sizeof(b));
		printf("%s%s in %.2f s (%.1f MiB/s)",
		       cli->z.dry_run ? "dry run: nothing sent; " : "", b,
		       rep->seconds,
		       rep->seconds > 0
		               ? (double)rep->bytes / rep->seconds / 1048576
		               : 0.0);
		/* What the streams took apart from the listings and the
		 * bookkeeping around them. */
		if (rep->stream_seconds > 0)
			printf(", streams %.2f s (%.1f MiB/s)",
			       rep->stream_seconds,
			       (double)rep->bytes / rep->stream_seconds /
			               1048576);
		if (limit) {
			char r[64];
			rate_format(limit, r, sizeof(r));
			printf(", limit %s", r);
		}
		putchar('\n');
	}
}

/* What the command line asks besides the request itself. */
struct send_args {
	struct send_request req;
	struct strv ssh_opts;
	bool prune, no_progress;
	bool auto_jobs;   /* --auto: the configuration's due jobs */
	struct strv jobs; /* --job NAME: only these */
	int parallel;     /* --parallel N; 0: [send] parallel or the default */
};

/* The flags that exclude or need each other, and the operands (nargs of
 * them); returns -1 to go on, else the exit status. */
static int check_args(struct cli *cli, int nargs, const struct send_args *a)
{
	if (a->jobs.n && !a->auto_jobs)
		return cli_usage_error(cli, "send", "--job goes with --auto");
	if (a->parallel && !a->auto_jobs)
		return cli_usage_error(cli, "send",
		                       "--parallel goes with --auto");
	if (a->auto_jobs && nargs != 0)
		return cli_usage_error(
		        cli, "send",
		        "--auto runs the configured jobs and takes "
		        "no datasets");
	if (!a->auto_jobs && nargs != 2)
		return cli_usage_error(cli, "send",
		                       "needs SOURCE and TARGET datasets");
	if (a->req.raw && a->req.no_raw)
		return cli_usage_error(cli, "send",
		                       "--raw and --no-raw exclude each other");
	return -1;
}

enum {
	OPT_RAW = 0x2000,
	OPT_NO_RAW,
	OPT_ROLLBACK,
	OPT_FORCE,
	OPT_ALL,
	OPT_PRUNE,
	OPT_SSH_OPT,
	OPT_COMPRESS,
	OPT_NO_PROGRESS,
	OPT_STALL,
	OPT_AUTO,
	OPT_JOB,
	OPT_LIMIT,
	OPT_PARALLEL,
};
static const struct option send_longopts[] = {
        {"recursive", no_argument, NULL, 'r'},
        {"raw", no_argument, NULL, OPT_RAW},
        {"no-raw", no_argument, NULL, OPT_NO_RAW},
        {"rollback", no_argument, NULL, OPT_ROLLBACK},
        {"force", no_argument, NULL, OPT_FORCE},
        {"all-snapshots", no_argument, NULL, OPT_ALL},
        {"prune", no_argument, NULL, OPT_PRUNE},
        {"ssh-opt", required_argument, NULL, OPT_SSH_OPT},
        {"compress", no_argument, NULL, OPT_COMPRESS},
        {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
        {"stall-timeout", required_argument, NULL, OPT_STALL},
        {"auto", no_argument, NULL, OPT_AUTO},
        {"job", required_argument, NULL, OPT_JOB},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"parallel", required_argument, NULL, OPT_PARALLEL},
        {NULL, 0, NULL, 0},
};

/* A whole number from lo to hi. */
static bool int_arg(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || end == s || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

/* Reads the flags into a; returns -1 to go on, else the exit status. */
static int parse_args(struct cli *cli, int argc, char **argv,
                      struct send_args *a)
{
	struct send_request *req = &a->req;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "r", send_longopts)) != -1) {
		switch (c) {
		case 'r': req->recursive = true; break;
		case OPT_RAW: req->raw = true; break;
		case OPT_NO_RAW: req->no_raw = true; break;
		case OPT_ROLLBACK: req->rollback = true; break;
		case OPT_FORCE: req->force = true; break;
		case OPT_ALL: req->select.all = true; break;
		case OPT_PRUNE: a->prune = true; break;
		case OPT_SSH_OPT: strv_push(&a->ssh_opts, optarg); break;
		case OPT_COMPRESS: strv_push(&a->ssh_opts, "-C"); break;
		case OPT_NO_PROGRESS: a->no_progress = true; break;
		case OPT_AUTO: a->auto_jobs = true; break;
		case OPT_JOB: strv_push(&a->jobs, optarg); break;
		case OPT_LIMIT:
			if (!rate_parse(optarg, &req->limit))
				return cli_usage_error(cli, "send",
				                       "--limit needs %s, not "
				                       "'%s'",
				                       RATE_EXPECTED, optarg);
			break;
		case OPT_PARALLEL:
			if (!int_arg(optarg, 1, SEND_PARALLEL_MAX,
			             &a->parallel))
				return cli_usage_error(
				        cli, "send",
				        "--parallel needs jobs at "
				        "once (1-%d), not '%s'",
				        SEND_PARALLEL_MAX, optarg);
			break;
		case OPT_STALL:
			if (!int_arg(optarg, 1, 86400, &req->stall_timeout_s))
				return cli_usage_error(cli, "send",
				                       "--stall-timeout needs "
				                       "seconds (1-86400), "
				                       "not '%s'",
				                       optarg);
			break;
		default: return ZEIT_EXIT_USAGE;
		}
	}
	return check_args(cli, argc - optind, a);
}

/* send --prune, after a send that succeeded. */
static int prune_after(struct cli *cli, struct zfs *dst,
                       const struct send_request *req,
                       const struct zeit_config *cfg)
{
	struct prune_plan plan;
	struct prune_exec_stats st;
	int rc = ZEIT_EXIT_OK;

	if (send_prune_target(dst, req, cfg, &plan, &st) < 0) {
		rc = cli_error(cli);
	} else if (!cli->json && !cli->scripted) {
		printf("target pruned: %s %zu of %zu snapshots (%zu "
		       "held, %zu clone origins kept)\n",
		       cli->z.dry_run ? "would destroy" : "destroyed",
		       prune_plan_count(&plan, PRUNE_DESTROY), plan.n, st.held,
		       st.cloned);
	}
	for (size_t i = 0; i < plan.skipped.n; i++)
		fprintf(stderr, "zeit send: %s; not pruned\n",
		        plan.skipped.v[i]);
	if (rc == ZEIT_EXIT_OK && plan.skipped.n)
		rc = ZEIT_EXIT_ERROR;
	prune_plan_free(&plan);
	return rc;
}

/* The send itself, under the lock, and what it prints. */
static int run_send(struct cli *cli, struct send_args *a,
                    const struct send_endpoint *src,
                    const struct zeit_config *cfg)
{
	struct send_request *req = &a->req;
	struct progress_state ps = {.tty = isatty(STDERR_FILENO) &&
	                                   !a->no_progress && !cli->json};
	struct run_progress prog = {show_progress, &ps, 500};
	if (ps.tty) {
		req->progress = &prog;
		req->on_step = on_step;
		req->arg = &ps;
	}
	/* A send changes the target (and destroys there with --prune,
	 * --force, --rollback): one changing zeit run at a time. */
	int lock = -1;
	if (!cli->z.dry_run && (lock = zeit_lock(&cli->z, cli->lock_wait)) < 0)
		return cli_error(cli);
	struct zfs szh, dzh;
	struct send_report rep;
	zfs_init(&szh, &cli->z, send_endpoint_host(src));
	zfs_init(&dzh, &cli->z, req->target_host);
	int rc = send_run(&szh, &dzh, req, &rep) < 0 ? ZEIT_EXIT_ERROR
	                                             : ZEIT_EXIT_OK;
	if (ps.tty && ps.what)
		fputc('\n', stderr);
	for (size_t i = 0; i < rep.n; i++)
		if (rep.v[i].note)
			fprintf(stderr, "zeit: %s\n", rep.v[i].note);
	if (rc != ZEIT_EXIT_OK && rep.n == 0) {
		rc = cli_error(cli);
	} else {
		print_report(cli, &rep, req->limit);
		if (rc != ZEIT_EXIT_OK)
			fprintf(stderr, "zeit send: %s\n", zeit_error(&cli->z));
	}
	if (rc == ZEIT_EXIT_OK && a->prune)
		rc = prune_after(cli, &dzh, req, cfg);
	zeit_unlock(lock);
	send_report_free(&rep);
	return rc;
}

/* One declared job, as `zeit send` with its flags would run it. */
static int run_job(struct cli *cli, const struct send_args *cmdline,
                   const struct config_send_job *j,
                   const struct zeit_config *cfg)
{
	struct send_args a = {0};
	struct send_endpoint src, dst;
	strv_init(&a.ssh_opts);
	strv_pushv(&a.ssh_opts, (const char *const *)cmdline->ssh_opts.v);
	char *words = xstrdup(j->ssh_opts ? j->ssh_opts : "");
	for (char *save = NULL, *w = strtok_r(words, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save))
		strv_push(&a.ssh_opts, w);
	free(words);
	a.req = cmdline->req;
	a.req.recursive = j->recursive == 1;
	a.req.raw = j->raw == 1;
	a.req.no_raw = j->raw == 0;
	a.req.rollback = j->rollback == 1;
	a.req.force = j->force == 1;
	a.req.select.all = j->all_snapshots == 1;
	a.req.exclude = (const char *const *)j->exclude;
	a.prune = j->prune == 1;
	a.no_progress = true;
	if (j->limit) /* else the command line's --limit */
		a.req.limit = j->limit;
	int rc;
	if (send_endpoints(&cli->z, j->source, j->target,
	                   (const char *const *)a.ssh_opts.v, &src, &dst) < 0) {
		rc = cli_error(cli);
	} else {
		a.req.source = src.dataset;
		a.req.target = dst.dataset;
		a.req.target_host = send_endpoint_host(&dst);
		a.req.select.origins = cfg->adopt | SNAP_ORIGIN_ZEIT;
		a.req.select.names = &cfg->names;
		rc = run_send(cli, &a, &src, cfg);
	}
	send_endpoint_free(&src);
	send_endpoint_free(&dst);
	strv_free(&a.ssh_opts);
	strv_free(&a.jobs);
	return rc;
}

/* A hook's failure: printed, kept as the job's error unless one is. */
static void hook_failed(struct cli *cli, const struct config_send_job *j,
                        char *why, bool *failed)
{
	fprintf(stderr, "%s: job %s: %s\n", cli->prog, j->name, why);
	if (!*failed)
		zeit_fail(&cli->z, EIO, "%s", why);
	*failed = true;
	free(why);
}

/* The job inside its hooks: pre_send (a failure skips the send unless
 * pre_send_failure = send), the send, post_send (unless the pre-hook
 * failed and post_send_always is not set), on_send_failure. */
static int run_job_hooked(struct cli *cli, const struct send_args *cmdline,
                          const struct config_send_job *j,
                          const struct zeit_config *cfg)
{
	struct hook_send_state st = {.pre = "none"};
	bool failed = false;
	char *why;
	int rc = ZEIT_EXIT_OK;
	if (hook_send_job(&cli->z, j, cfg, HOOK_PHASE_PRE, NULL, &why) < 0) {
		st.pre = "failed";
		hook_failed(cli, j, why, &failed);
	} else if (j->hooks.pre) {
		st.pre = "ok";
	}
	if (failed && hook_pre_failure(&j->hooks, NULL) == HOOK_PRE_SKIP) {
		st.result = "skipped";
	} else {
		rc = run_job(cli, cmdline, j, cfg);
		st.result = rc == ZEIT_EXIT_OK ? "sent" : "failed";
		failed |= rc != ZEIT_EXIT_OK;
	}
	if (strcmp(st.pre, "failed") || hook_post_always(&j->hooks, NULL))
		if (hook_send_job(&cli->z, j, cfg, HOOK_PHASE_POST, &st, &why) <
		    0)
			hook_failed(cli, j, why, &failed);
	if (failed) {
		st.error = zeit_error(&cli->z);
		if (hook_send_job(&cli->z, j, cfg, HOOK_PHASE_FAILURE, &st,
		                  &why) < 0) {
			fprintf(stderr, "%s: job %s: %s\n", cli->prog, j->name,
			        why);
			free(why);
		}
	}
	return failed ? ZEIT_EXIT_ERROR : rc;
}

static bool job_asked(const struct send_args *a, const char *name)
{
	if (!a->jobs.n)
		return true;
	for (size_t i = 0; i < a->jobs.n; i++)
		if (!strcmp(a->jobs.v[i], name))
			return true;
	return false;
}

/* Whether job j is due, from its recorded outcome (read: from the one
 * read of all jobs, else read now); says why not. */
static bool job_due(struct cli *cli, struct zfs *zh,
                    const struct config_send_job *j,
                    struct send_job_state *read, char **note)
{
	struct send_job_state st = {0};
	if (read) {
		st = *read;
		memset(read, 0, sizeof(*read));
	} else if (send_job_state_read(zh, j, &st) < 0) {
		/* Its side is missing or unreadable: the run says why. */
		zeit_clear_error(&cli->z);
		return true;
	}
	bool due = send_job_due(j, st.last_ok, cli->z.now);
	if (!due && !cli->json && !cli->scripted) {
		char at[32];
		ztime_format(st.last_ok + j->interval, at, sizeof(at));
		*note = xasprintf("job %s: not due (next at %s)\n", j->name,
		                  at);
	}
	send_job_state_free(&st);
	return due;
}

/* One due job: announced, run inside its hooks, its outcome recorded. */
static int auto_job(struct cli *cli, const struct send_args *a,
                    const struct config_send_job *j,
                    const struct zeit_config *cfg)
{
	struct zfs zh;
	zfs_init(&zh, &cli->z, NULL);
	if (!cli->json && !cli->scripted)
		printf("job %s: %s -> %s\n", j->name, j->source, j->target);
	time_t started = cli->z.now;
	int rc = run_job_hooked(cli, a, j, cfg);
	if (rc != ZEIT_EXIT_OK)
		rc = ZEIT_EXIT_ERROR;
	if (!cli->z.dry_run &&
	    send_job_record(&zh, j, started, rc == ZEIT_EXIT_OK,
	                    zeit_error(&cli->z)) < 0) {
		fprintf(stderr, "zeit send: job %s: %s\n", j->name,
		        zeit_error(&cli->z));
		rc = ZEIT_EXIT_ERROR;
	}
	zeit_clear_error(&cli->z);
	return rc;
}

struct due_jobs {
	const struct send_args *a;
	const struct zeit_config *cfg;
	const struct config_send_job **v;
	const char **hosts; /* the other side's host; "" this machine */
	size_t *job;        /* each one's place in cfg->jobs */
	size_t n;
	char **notes; /* per job in cfg->jobs: why it is not due, or NULL */
};

static int due_job(struct cli *cli, size_t i, void *arg)
{
	struct due_jobs *d = arg;
	return auto_job(cli, d->a, d->v[i], d->cfg);
}

/* The host a job talks to: the part before a colon that comes before any
 * slash, on either side; "" when both sides are this machine. */
static char *job_host(const struct config_send_job *j)
{
	const char *sides[] = {j->source, j->target};
	for (size_t k = 0; k < 2; k++) {
		const char *colon = strchr(sides[k], ':');
		const char *slash = strchr(sides[k], '/');
		if (colon && (!slash || colon < slash))
			return xstrndup(sides[k], (size_t)(colon - sides[k]));
	}
	return xstrdup("");
}

/* Jobs to more than one host, and more than one allowed at once. */
static bool run_apart(const struct due_jobs *d, int parallel)
{
	if (parallel <= 1)
		return false;
	for (size_t i = 1; i < d->n; i++)
		if (strcmp(d->hosts[i], d->hosts[0]))
			return true;
	return false;
}

/* The due jobs: one after another in their order when they go to one
 * host (or parallel is 1), else in parallel per host. */
static int run_due(struct cli *cli, struct due_jobs *d, int parallel)
{
	int rc = ZEIT_EXIT_OK;
	if (!run_apart(d, parallel)) {
		/* As the jobs come, the ones not due said in their place. */
		for (size_t i = 0, k = 0; i < d->cfg->njobs; i++) {
			if (d->notes[i])
				fputs(d->notes[i], stdout);
			if (k < d->n && d->job[k] == i &&
			    due_job(cli, k++, d) != ZEIT_EXIT_OK)
				rc = ZEIT_EXIT_ERROR;
		}
		return rc;
	}
	for (size_t i = 0; i < d->cfg->njobs; i++)
		if (d->notes[i])
			fputs(d->notes[i], stdout);
	/* The children share this run's lock: one changing run at a time
	 * still holds across all of them. */
	int lock = -1;
	if (!cli->z.dry_run && (lock = zeit_lock(&cli->z, cli->lock_wait)) < 0)
		return cli_error(cli);
	rc = send_run_parallel(cli, d->n, d->hosts, parallel, due_job, d);
	zeit_unlock(lock);
	return rc;
}

/* The file's job i's outcome from the listing's columns 1 + 2i, 2 + 2i
 * on its local side's row; a side not listed is no state (due). */
static void state_from_listing(struct cli *cli,
                               const struct zfs_dataset_list *l,
                               const struct config_send_job *j, size_t i,
                               struct send_job_state *st)
{
	const char *side = send_job_local_side(j);
	for (size_t r = 0; r < l->n; r++) {
		if (strcmp(l->v[r].name, side))
			continue;
		if (!send_job_state_parse(l->v[r].values[1 + 2 * i],
		                          l->v[r].values[2 + 2 * i], st))
			zeit_note(&cli->z, 1,
			          "%s: job %s's recorded outcome does not "
			          "read; the job counts as due",
			          side, j->name);
		return;
	}
}

/* One listing of every dataset: org.zeit:send-to, whose jobs join cfg
 * after the file's, and the file's jobs' outcomes, into st (have[i] set
 * for those read). A value that does not read is said and fails the run;
 * it starts nothing. */
static int list_jobs(struct cli *cli, struct zfs *zh, struct zeit_config *cfg,
                     struct send_job_state **st, bool **have)
{
	struct zfs_dataset_list l;
	struct send_to_refusals refused = {0};
	struct strv props;
	size_t nconf = cfg->njobs;
	strv_init(&props);
	strv_push(&props, ZEIT_PROP_SEND_TO);
	status_job_props(cfg, &props);
	int rc = zfs_list_datasets(zh, NULL, -1,
	                           ZFS_TYPE_FILESYSTEM | ZFS_TYPE_VOLUME,
	                           (const char *const *)props.v, &l);
	strv_free(&props);
	if (rc < 0) {
		fprintf(stderr, "zeit send: %s\n", zeit_error(&cli->z));
		zeit_clear_error(&cli->z);
		*st = xcalloc(nconf + 1, sizeof(**st));
		*have = xcalloc(nconf + 1, sizeof(**have));
		return ZEIT_EXIT_ERROR;
	}
	send_to_add_jobs(cfg, &l, 0, &refused);
	for (size_t i = 0; i < refused.n; i++)
		fprintf(stderr, "zeit send: %s\n", refused.v[i].message);
	rc = refused.n ? ZEIT_EXIT_ERROR : ZEIT_EXIT_OK;
	send_to_refusals_free(&refused);
	*st = xcalloc(cfg->njobs + 1, sizeof(**st));
	*have = xcalloc(cfg->njobs + 1, sizeof(**have));
	for (size_t i = 0; i < nconf; i++) {
		state_from_listing(cli, &l, &cfg->jobs[i], i, &(*st)[i]);
		(*have)[i] = true;
	}
	zfs_dataset_list_free(&l);
	return rc;
}

/* --auto: every due job, each on its own: one that fails is recorded
 * and the others still run. */
static int run_jobs(struct cli *cli, const struct send_args *a,
                    struct zeit_config *cfg)
{
	struct zfs zh;
	struct send_job_state *st;
	bool *have;
	size_t nconf = cfg->njobs;
	zfs_init(&zh, &cli->z, NULL);
	int rc = list_jobs(cli, &zh, cfg, &st, &have);
	for (size_t i = 0; i < a->jobs.n; i++) {
		bool known = false;
		for (size_t k = 0; k < cfg->njobs; k++)
			known |= !strcmp(cfg->jobs[k].name, a->jobs.v[i]);
		if (!known) {
			free(st);
			free(have);
			return cli_usage_error(
			        cli, "send", "no job '%s' in %s", a->jobs.v[i],
			        cfg->path ? cfg->path : "the configuration");
		}
	}
	bool *want = xcalloc(cfg->njobs + 1, sizeof(*want));
	bool more = false;
	for (size_t i = 0; i < cfg->njobs; i++) {
		want[i] = job_asked(a, cfg->jobs[i].name);
		more |= i >= nconf && want[i];
	}
	/* The property's jobs' outcomes: one zfs get more, when there are
	 * any; if a side is missing, one each. */
	if (more &&
	    send_jobs_state_read(&zh, cfg->jobs + nconf, cfg->njobs - nconf,
	                         want + nconf, st + nconf) == 0)
		for (size_t i = nconf; i < cfg->njobs; i++)
			have[i] = true;
	zeit_clear_error(&cli->z);
	struct due_jobs d = {.a = a, .cfg = cfg};
	d.v = xcalloc(cfg->njobs + 1, sizeof(*d.v));
	d.hosts = xcalloc(cfg->njobs + 1, sizeof(*d.hosts));
	d.job = xcalloc(cfg->njobs + 1, sizeof(*d.job));
	d.notes = xcalloc(cfg->njobs + 1, sizeof(*d.notes));
	for (size_t i = 0; i < cfg->njobs; i++) {
		const struct config_send_job *j = &cfg->jobs[i];
		if (!want[i] ||
		    !job_due(cli, &zh, j, have[i] ? &st[i] : NULL, &d.notes[i]))
			continue;
		d.hosts[d.n] = job_host(j);
		d.job[d.n] = i;
		d.v[d.n++] = j;
	}
	for (size_t i = 0; i < cfg->njobs; i++)
		send_job_state_free(&st[i]);
	free(st);
	free(want);
	free(have);
	int parallel = a->parallel          ? a->parallel
	               : cfg->send_parallel ? cfg->send_parallel
	                                    : SEND_PARALLEL_DEFAULT;
	if (run_due(cli, &d, parallel) != ZEIT_EXIT_OK)
		rc = ZEIT_EXIT_ERROR;
	for (size_t i = 0; i < d.n; i++)
		free((char *)d.hosts[i]);
	for (size_t i = 0; i < cfg->njobs; i++)
		free(d.notes[i]);
	free(d.notes);
	free(d.job);
	free(d.hosts);
	free(d.v);
	/* The timer runs send --auto whether or not jobs are declared. */
	if (!cfg->njobs)
		zeit_note(&cli->z, 1, "no [send NAME] jobs in %s",
		          cfg->path ? cfg->path : "the configuration");
	return rc;
}

static int send_auto(struct cli *cli, struct send_args *a)
{
	struct zeit_config cfg;
	if (cli_load_config(cli, &cfg) < 0)
		return cli_error(cli);
	int rc = run_jobs(cli, a, &cfg);
	config_free(&cfg);
	return rc;
}

int cmd_send(struct cli *cli, int argc, char **argv)
{
	struct send_args a = {0};
	struct send_endpoint src, dst;
	struct zeit_config cfg;

	strv_init(&a.ssh_opts);
	strv_init(&a.jobs);
	int rc = parse_args(cli, argc, argv, &a);
	if (rc < 0 && a.auto_jobs)
		rc = send_auto(cli, &a);
	if (rc >= 0) {
		strv_free(&a.ssh_opts);
		strv_free(&a.jobs);
		return rc;
	}
	if (send_endpoints(&cli->z, argv[optind], argv[optind + 1],
	                   (const char *const *)a.ssh_opts.v, &src, &dst) < 0) {
		rc = cli_usage_error(cli, "send", "%s", zeit_error(&cli->z));
	} else if (cli_load_config(cli, &cfg) < 0) {
		rc = cli_error(cli);
	} else {
		a.req.source = src.dataset;
		a.req.target = dst.dataset;
		a.req.target_host = send_endpoint_host(&dst);
		a.req.select.origins = cfg.adopt | SNAP_ORIGIN_ZEIT;
		a.req.select.names = &cfg.names;
		rc = run_send(cli, &a, &src, &cfg);
		config_free(&cfg);
	}
	send_endpoint_free(&src);
	send_endpoint_free(&dst);
	strv_free(&a.ssh_opts);
	strv_free(&a.jobs);
	return rc;
}
