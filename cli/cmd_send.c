#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "zeit/lock.h"
#include "zeit/config.h"
#include "zeit/prune.h"
#include "zeit/send.h"
#include "zeit/snapname.h"
#include "zeit/ssh_share.h"

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

/* HOST:dataset (HOST may be user@host) or a local dataset. A colon before
 * the first slash marks a host, as scp and syncoid read it. */
static void split_target(const char *arg, char **host, const char **ds)
{
	const char *colon = strchr(arg, ':');
	const char *slash = strchr(arg, '/');
	if (colon && (!slash || colon < slash) && colon != arg) {
		*host = xstrndup(arg, colon - arg);
		*ds = colon + 1;
	} else {
		*host = NULL;
		*ds = arg;
	}
}

/* A host word is a destination for ssh, never one of its options. */
static bool host_ok(const char *host)
{
	if (!host)
		return true;
	if (host[0] == '-')
		return false;
	for (const char *c = host; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return false;
	return true;
}

/* One side's ssh: the user's options plus, per destination, a shared
 * connection. */
static void side_host(struct run_host *rh, struct strv *opts,
                      const struct strv *user, const char *host)
{
	strv_init(opts);
	strv_pushv(opts, (const char *const *)user->v);
	ssh_share_add(opts, host);
	rh->ssh = host;
	rh->ssh_opts = (const char *const *)opts->v;
}

static void print_report(struct cli *cli, const struct send_report *rep)
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
		putchar('\n');
	}
}

int cmd_send(struct cli *cli, int argc, char **argv)
{
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
	};
	static const struct option longopts[] = {
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
	        {NULL, 0, NULL, 0},
	};
	struct send_request req = {0};
	struct strv ssh_opts;
	bool prune = false, no_progress = false;
	struct zeit_config cfg;
	int c, rc;

	strv_init(&ssh_opts);
	while ((c = cli_getopt(cli, argc, argv, "r", longopts)) != -1) {
		switch (c) {
		case 'r': req.recursive = true; break;
		case OPT_RAW: req.raw = true; break;
		case OPT_NO_RAW: req.no_raw = true; break;
		case OPT_ROLLBACK: req.rollback = true; break;
		case OPT_FORCE: req.force = true; break;
		case OPT_ALL: req.select.all = true; break;
		case OPT_PRUNE: prune = true; break;
		case OPT_SSH_OPT: strv_push(&ssh_opts, optarg); break;
		case OPT_COMPRESS: strv_push(&ssh_opts, "-C"); break;
		case OPT_NO_PROGRESS: no_progress = true; break;
		case OPT_STALL: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v <= 0 || v > 86400) {
				strv_free(&ssh_opts);
				return cli_usage_error(cli, "send",
				                       "--stall-timeout needs "
				                       "seconds (1-86400), "
				                       "not '%s'",
				                       optarg);
			}
			req.stall_timeout_s = (int)v;
			break;
		}
		default: strv_free(&ssh_opts); return ZEIT_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		strv_free(&ssh_opts);
		return cli_usage_error(cli, "send",
		                       "needs SOURCE and TARGET datasets");
	}
	if (req.raw && req.no_raw) {
		strv_free(&ssh_opts);
		return cli_usage_error(cli, "send",
		                       "--raw and --no-raw exclude each other");
	}
	char *host = NULL, *shost = NULL;
	split_target(argv[optind + 1], &host, &req.target);
	split_target(argv[optind], &shost, &req.source);
	struct run_host rh = {0}, srh = {0};
	struct strv topts, sopts;
	strv_init(&topts);
	strv_init(&sopts);
	if (!host_ok(host) || !host_ok(shost)) {
		rc = cli_usage_error(cli, "send",
		                     "invalid host '%s': a host is a name for "
		                     "ssh, not an option or a word with spaces",
		                     host_ok(host) ? shost : host);
		goto out_early;
	}
	if ((host && !*req.target) || (shost && !*req.source)) {
		rc = cli_usage_error(cli, "send", "%s '%s:' names no dataset",
		                     host && !*req.target ? "target" : "source",
		                     host && !*req.target ? host : shost);
		goto out_early;
	}
	if (host) {
		side_host(&rh, &topts, &ssh_opts, host);
		req.target_host = &rh;
	}
	if (shost)
		side_host(&srh, &sopts, &ssh_opts, shost);
	if (cli_load_config(cli, &cfg) < 0) {
		rc = cli_error(cli);
		goto out_early;
	}
	req.select.origins = cfg.adopt | SNAP_ORIGIN_ZEIT;
	req.select.names = &cfg.names;

	struct progress_state ps = {.tty = isatty(STDERR_FILENO) &&
	                                   !no_progress && !cli->json};
	struct run_progress prog = {show_progress, &ps, 500};
	if (ps.tty) {
		req.progress = &prog;
		req.on_step = on_step;
		req.arg = &ps;
	}

	/* A send changes the target (and destroys there with --prune,
	 * --force, --rollback): one changing zeit run at a time. */
	int lock = -1;
	if (!cli->z.dry_run &&
	    (lock = zeit_lock(&cli->z, cli->lock_wait)) < 0) {
		rc = cli_error(cli);
		config_free(&cfg);
		goto out_early;
	}
	struct zfs src, dst;
	struct send_report rep;
	zfs_init(&src, &cli->z, shost ? &srh : NULL);
	zfs_init(&dst, &cli->z, req.target_host);
	rc = send_run(&src, &dst, &req, &rep) < 0 ? ZEIT_EXIT_ERROR
	                                          : ZEIT_EXIT_OK;
	if (ps.tty && ps.what)
		fputc('\n', stderr);
	for (size_t i = 0; i < rep.n; i++)
		if (rep.v[i].note)
			fprintf(stderr, "zeit: %s\n", rep.v[i].note);
	if (rc != ZEIT_EXIT_OK && rep.n == 0) {
		rc = cli_error(cli);
	} else {
		print_report(cli, &rep);
		if (rc != ZEIT_EXIT_OK)
			fprintf(stderr, "zeit send: %s\n", zeit_error(&cli->z));
	}

	if (rc == ZEIT_EXIT_OK && prune) {
		const char *roots[] = {req.target, NULL};
		struct prune_request pr = {.roots = roots,
		                           .recursive = req.recursive,
		                           .config = &cfg,
		                           .mode = cfg.prune_mode};
		struct prune_plan plan;
		struct prune_exec_stats st;
		if (prune_run(&dst, &pr, &plan, &st) < 0) {
			rc = cli_error(cli);
		} else if (!cli->json && !cli->scripted) {
			printf("target pruned: %s %zu of %zu snapshots (%zu "
			       "held, %zu clone origins kept)\n",
			       cli->z.dry_run ? "would destroy" : "destroyed",
			       prune_plan_count(&plan, PRUNE_DESTROY), plan.n,
			       st.held, st.cloned);
		}
		for (size_t i = 0; i < plan.skipped.n; i++)
			fprintf(stderr, "zeit send: %s; not pruned\n",
			        plan.skipped.v[i]);
		if (rc == ZEIT_EXIT_OK && plan.skipped.n)
			rc = ZEIT_EXIT_ERROR;
		prune_plan_free(&plan);
	}
	zeit_unlock(lock);
	send_report_free(&rep);
	config_free(&cfg);
out_early:
	free(host);
	free(shost);
	strv_free(&topts);
	strv_free(&sopts);
	strv_free(&ssh_opts);
	return rc;
}
