#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "zeit/lock.h"
#include "zeit/send_auto.h"
#include "zeit/snap.h"

/* Reads the flags into req and tiers; returns -1 to go on, else the
 * exit status. */
static int parse_args(struct cli *cli, int argc, char **argv,
                      struct snap_request *req, enum zeit_tier *tiers)
{
	static const struct option longopts[] = {
	        {"tier", required_argument, NULL, 't'},
	        {"recursive", no_argument, NULL, 'r'},
	        {"auto", no_argument, NULL, 'a'},
	        {NULL, 0, NULL, 0},
	};
	size_t ntiers = 0;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "t:ra", longopts)) != -1) {
		switch (c) {
		case 't': {
			enum zeit_tier t = zeit_tier_from_name(optarg);
			if (t == ZEIT_TIER_NONE || t >= ZEIT_TIER_TIMED)
				return cli_usage_error(
				        cli, "snap",
				        "unknown tier '%s' (frequent, hourly, "
				        "daily, weekly, monthly, yearly)",
				        optarg);
			bool seen = false;
			for (size_t i = 0; i < ntiers; i++)
				seen |= tiers[i] == t;
			if (!seen)
				tiers[ntiers++] = t;
			break;
		}
		case 'r': req->recursive = true; break;
		case 'a': req->auto_mode = true; break;
		default: return ZEIT_EXIT_USAGE;
		}
	}
	tiers[ntiers] = ZEIT_TIER_NONE;
	if (ntiers && req->auto_mode)
		return cli_usage_error(cli, "snap",
		                       "--auto and --tier exclude each other");
	if (!ntiers && !req->auto_mode)
		return cli_usage_error(cli, "snap",
		                       "give --tier TIER or --auto");
	if (!req->auto_mode && optind >= argc)
		return cli_usage_error(
		        cli, "snap",
		        "no dataset given (--auto alone takes the "
		        "datasets marked org.zeit:snap=on)");
	if (req->recursive && optind >= argc)
		return cli_usage_error(cli, "snap", "-r needs a dataset");
	for (int i = optind; i < argc; i++)
		if (zfs_name_check(&cli->z, argv[i], ZFS_NAME_DATASET) < 0)
			return cli_usage_error(cli, "snap", "%s",
			                       zeit_error(&cli->z));
	req->roots = (const char *const *)argv + optind;
	req->tiers = tiers;
	return -1;
}

static void print_taken(struct cli *cli, const struct strv *names)
{
	static const char *const cols[] = {"SNAPSHOT", NULL};
	struct table t;

	table_init(&t, cols);
	for (size_t i = 0; i < names->n; i++) {
		const char *row[] = {names->v[i]};
		table_add(&t, row);
	}
	if (!cli->json && !cli->scripted)
		printf("%s %zu snapshot%s%s\n",
		       cli->z.dry_run ? "would take" : "took", names->n,
		       names->n == 1 ? "" : "s", names->n ? ":" : "");
	if (names->n || cli->json)
		table_print(cli, &t, cli->z.dry_run ? "would_take" : "taken");
	table_free(&t);
}

/* The timer's run (--auto) keeps its outcome on the pools it snapshots
 * or could not, for zeit status. */
static void record(struct cli *cli, const struct snap_plan *plan,
                   time_t started, int rc)
{
	/* Why: the datasets skipped, then the hooks that failed. */
	struct strv why;
	strv_init(&why);
	strv_pushv(&why, (const char *const *)plan->skipped.v);
	strv_pushv(&why, (const char *const *)plan->failed.v);
	cli_record_outcome(cli, "snap", &plan->pools, &plan->erred, started, rc,
	                   &why);
	strv_free(&why);
}

int cmd_snap(struct cli *cli, int argc, char **argv)
{
	enum zeit_tier tiers[ZEIT_TIER_COUNT + 1];
	struct snap_request req = {0};
	struct zeit_config cfg;
	struct snap_plan plan;
	struct zfs zh;

	int rc = parse_args(cli, argc, argv, &req, tiers);
	if (rc >= 0)
		return rc;
	if (cli_load_config(cli, &cfg) < 0)
		return cli_error(cli);
	req.config = &cfg;

	int lock = -1;
	if (!cli->z.dry_run &&
	    (lock = zeit_lock(&cli->z, cli->lock_wait)) < 0) {
		config_free(&cfg);
		return cli_error(cli);
	}
	zfs_init(&zh, &cli->z, NULL);
	time_t started = cli->z.now;
	int ran = snap_run(&zh, &req, &plan);
	cli_notes(cli, 1, &plan.notes);
	rc = ran < 0 ? cli_error(cli) : ZEIT_EXIT_OK;
	zeit_unlock(lock);
	for (size_t i = 0; i < plan.skipped.n; i++)
		fprintf(stderr, "%s: %s; skipped\n", cli->prog,
		        plan.skipped.v[i]);
	for (size_t i = 0; i < plan.failed.n; i++)
		fprintf(stderr, "%s: %s\n", cli->prog, plan.failed.v[i]);
	if (rc == ZEIT_EXIT_OK)
		print_taken(cli, &plan.names);
	if (rc == ZEIT_EXIT_OK && (plan.skipped.n || plan.failed.n))
		rc = ZEIT_EXIT_ERROR;
	if (req.auto_mode)
		record(cli, &plan, started, rc);
	snap_plan_free(&plan);
	config_free(&cfg);
	return rc;
}
