#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "zeit/lock.h"
#include "zeit/zfs.h"

int cmd_destroy(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"defer", no_argument, NULL, 'd'},
	        {NULL, 0, NULL, 0},
	};
	static const char *const cols[] = {"BATCH", NULL};
	bool defer = false;
	struct strv snaps, batches;
	struct zfs zh;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "d", longopts)) != -1) {
		if (c != 'd')
			return ZEIT_EXIT_USAGE;
		defer = true;
	}
	if (optind >= argc)
		return cli_usage_error(cli, "destroy", "no snapshot given");
	strv_init(&snaps);
	for (int i = optind; i < argc; i++) {
		/* Only snapshots: a dataset given here is a mistake, not a
		 * wish. */
		if (zfs_name_check(&cli->z, argv[i], ZFS_NAME_SNAPSHOT) < 0) {
			strv_free(&snaps);
			return cli_usage_error(cli, "destroy", "%s",
			                       zeit_error(&cli->z));
		}
		strv_push(&snaps, argv[i]);
	}
	zfs_init(&zh, &cli->z, NULL);
	int rc = ZEIT_EXIT_OK;
	if (cli->z.dry_run) {
		struct table t;
		zfs_destroy_batches((const char *const *)snaps.v,
		                    ZFS_DESTROY_ARG_LIMIT, &batches);
		table_init(&t, cols);
		for (size_t i = 0; i < batches.n; i++) {
			const char *row[] = {batches.v[i]};
			table_add(&t, row);
		}
		if (!cli->json && !cli->scripted)
			printf("would destroy %zu snapshot%s in %zu call%s:\n",
			       snaps.n, snaps.n == 1 ? "" : "s", batches.n,
			       batches.n == 1 ? "" : "s");
		table_print(cli, &t, "would_destroy");
		table_free(&t);
		strv_free(&batches);
	} else {
		int lock = zeit_lock(&cli->z, cli->lock_wait);
		if (lock < 0 ||
		    zfs_destroy_snapshots(&zh, (const char *const *)snaps.v,
		                          defer) < 0)
			rc = cli_error(cli);
		else
			zeit_note(&cli->z, 1, "destroyed %zu snapshot%s",
			          snaps.n, snaps.n == 1 ? "" : "s");
		zeit_unlock(lock);
	}
	strv_free(&snaps);
	return rc;
}
