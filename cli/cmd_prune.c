#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "zeit/config.h"
#include "zeit/lock.h"
#include "zeit/prune.h"
#include "zeit/send_auto.h"

static void print_plan(struct cli *cli, const struct prune_plan *plan,
                       const struct prune_exec_stats *st)
{
	static const char *const cols[] = {"SNAPSHOT", "ACTION", "REASON",
	                                   NULL};
	struct table t;
	size_t ndestroy = prune_plan_count(plan, PRUNE_DESTROY);
	bool all_rows = cli->z.dry_run || cli->json || cli->z.verbose;

	table_init(&t, cols);
	for (size_t i = 0; i < plan->n; i++) {
		const struct prune_item *it = &plan->v[i];
		if (!all_rows && it->action == PRUNE_KEEP)
			continue;
		const char *row[] = {
		        it->name,
		        it->action == PRUNE_DESTROY
		                ? (cli->z.dry_run ? "destroy" : "destroyed")
		                : "keep",
		        it->reason};
		table_add(&t, row);
	}
	if (!cli->json && !cli->scripted)
		printf("%s %zu of %zu snapshot%s (%zu held, %zu clone "
		       "origin%s kept)%s\n",
		       cli->z.dry_run ? "would destroy" : "destroyed", ndestroy,
		       plan->n, plan->n == 1 ? "" : "s", st->held, st->cloned,
		       st->cloned == 1 ? "" : "s", t.cells.n ? ":" : "");
	if (t.cells.n || cli->json)
		table_print(cli, &t, "prune");
	table_free(&t);
	if (ndestroy && cli->z.verbose >= 1)
		fprintf(stderr, "zeit: %s %s\n",
		        cli->z.dry_run ? "checked" : "destroyed",
		        st->used_program ? "by one channel program per pool"
		                         : "by batched zfs destroy calls");
}

/* The timer's run (every pool) keeps its outcome on the pools it pruned
 * or could not, for zeit status. */
static void record(struct cli *cli, const struct prune_plan *plan,
                   time_t started, int rc)
{
	struct strv pools;
	strv_init(&pools);
	for (size_t i = 0; i < plan->n; i++)
		run_outcome_add_pool(&pools, plan->v[i].name);
	for (size_t i = 0; i < plan->skipped.n; i++)
		run_outcome_add_pool(&pools, plan->skipped.v[i]);
	cli_record_outcome(cli, "prune", &pools, &plan->erred, started, rc,
	                   &plan->skipped);
	strv_free(&pools);
}

int cmd_prune(struct cli *cli, int argc, char **argv)
{
	enum { OPT_BATCH = 0x2000, OPT_PROGRAM };
	static const struct option longopts[] = {
	        {"recursive", no_argument, NULL, 'r'},
	        {"batch", no_argument, NULL, OPT_BATCH},
	        {"channel-program", no_argument, NULL, OPT_PROGRAM},
	        {NULL, 0, NULL, 0},
	};
	struct prune_request req = {0};
	struct prune_plan plan;
	struct prune_exec_stats st;
	struct zeit_config cfg;
	int mode = -1, c;

	while ((c = cli_getopt(cli, argc, argv, "r", longopts)) != -1) {
		switch (c) {
		case 'r': req.recursive = true; break;
		case OPT_BATCH: mode = PRUNE_MODE_BATCH; break;
		case OPT_PROGRAM: mode = PRUNE_MODE_PROGRAM; break;
		default: return ZEIT_EXIT_USAGE;
		}
	}
	if (req.recursive && optind >= argc)
		return cli_usage_error(cli, "prune", "-r needs a dataset");
	for (int i = optind; i < argc; i++)
		if (zfs_name_check(&cli->z, argv[i], ZFS_NAME_DATASET) < 0)
			return cli_usage_error(cli, "prune", "%s",
			                       zeit_error(&cli->z));
	if (cli_load_config(cli, &cfg) < 0)
		return cli_error(cli);
	req.roots = (const char *const *)argv + optind;
	req.config = &cfg;
	req.mode = mode >= 0 ? (enum prune_mode)mode : cfg.prune_mode;

	int lock = -1;
	if (!cli->z.dry_run &&
	    (lock = zeit_lock(&cli->z, cli->lock_wait)) < 0) {
		config_free(&cfg);
		return cli_error(cli);
	}
	struct zfs zh;
	zfs_init(&zh, &cli->z, NULL);
	time_t started = cli->z.now;
	int rc = prune_run(&zh, &req, &plan, &st) < 0 ? cli_error(cli)
	                                              : ZEIT_EXIT_OK;
	zeit_unlock(lock);

	if (rc == ZEIT_EXIT_OK)
		print_plan(cli, &plan, &st);
	for (size_t i = 0; i < plan.skipped.n; i++)
		fprintf(stderr, "%s: %s; skipped\n", cli->prog,
		        plan.skipped.v[i]);
	if (rc == ZEIT_EXIT_OK && plan.skipped.n)
		rc = ZEIT_EXIT_ERROR;
	if (optind >= argc)
		record(cli, &plan, started, rc);
	prune_plan_free(&plan);
	config_free(&cfg);
	return rc;
}
