#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "zeit/destroy.h"
#include "zeit/lock.h"

static void print_plan(struct cli *cli, const struct destroy_plan *p)
{
	static const char *const cols[] = {"BATCH", NULL};
	struct table t;
	table_init(&t, cols);
	for (size_t i = 0; i < p->batches.n; i++) {
		const char *row[] = {p->batches.v[i]};
		table_add(&t, row);
	}
	if (!cli->json && !cli->scripted)
		printf("would destroy %zu snapshot%s in %zu call%s:\n",
		       p->snaps.n, p->snaps.n == 1 ? "" : "s", p->batches.n,
		       p->batches.n == 1 ? "" : "s");
	table_print(cli, &t, "would_destroy");
	table_free(&t);
}

/* What a destroy did, as its errlist says: each refused snapshot and
 * why, and how many of those named went (always when some did not). */
static void print_result(struct cli *cli, const struct destroy_plan *p,
                         const struct zfs_destroy_result *r)
{
	const struct {
		const struct strv *names;
		const char *why;
	} refused[] = {
	        {&r->held, "held (zfs holds)"},
	        {&r->cloned, "the origin of a clone"},
	        {&r->gone, "not there (already gone?)"},
	};
	for (size_t k = 0; k < sizeof(refused) / sizeof(refused[0]); k++)
		for (size_t i = 0; i < refused[k].names->n; i++)
			fprintf(stderr, "zeit: %s: not destroyed: %s\n",
			        refused[k].names->v[i], refused[k].why);
	if (r->failed)
		fprintf(stderr, "zeit: %s: not destroyed\n", r->failed);
	if (cli->z.verbose >= 1 || r->destroyed.n < p->snaps.n)
		fprintf(stderr, "zeit: destroyed %zu of %zu snapshot%s\n",
		        r->destroyed.n, p->snaps.n, p->snaps.n == 1 ? "" : "s");
}

int cmd_destroy(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"defer", no_argument, NULL, 'd'},
	        {NULL, 0, NULL, 0},
	};
	bool defer = false;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "d", longopts)) != -1) {
		if (c != 'd')
			return ZEIT_EXIT_USAGE;
		defer = true;
	}
	if (optind >= argc)
		return cli_usage_error(cli, "destroy", "no snapshot given");
	struct destroy_plan p;
	if (destroy_plan(&cli->z, (const char *const *)argv + optind,
	                 (size_t)(argc - optind), &p) < 0)
		return cli_usage_error(cli, "destroy", "%s",
		                       zeit_error(&cli->z));
	int rc = ZEIT_EXIT_OK;
	if (cli->z.dry_run) {
		print_plan(cli, &p);
	} else {
		struct zfs zh;
		zfs_init(&zh, &cli->z, NULL);
		struct zfs_destroy_result r = {0};
		int lock = zeit_lock(&cli->z, cli->lock_wait);
		if (lock < 0) {
			rc = cli_error(cli);
		} else {
			if (destroy_apply(&zh, &p, defer, &r) < 0)
				rc = cli_error(cli);
			/* One snapshot named: its error says it all, in one
			 * line; a batch adds what happened to each. */
			if (p.snaps.n > 1 || rc == ZEIT_EXIT_OK)
				print_result(cli, &p, &r);
		}
		zfs_destroy_result_free(&r);
		zeit_unlock(lock);
	}
	destroy_plan_free(&p);
	return rc;
}
