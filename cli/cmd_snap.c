#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "zeit/snap.h"

int cmd_snap(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"tier", required_argument, NULL, 't'},
		{"recursive", no_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	static const char *const cols[] = {"SNAPSHOT", NULL};
	enum zeit_tier tiers[ZEIT_TIER_COUNT + 1];
	size_t ntiers = 0;
	bool recursive = false;
	struct strv datasets, names;
	struct zfs zh;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "t:r", longopts)) != -1) {
		switch (c) {
		case 't': {
			enum zeit_tier t = zeit_tier_from_name(optarg);
			if (t == ZEIT_TIER_NONE)
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
		case 'r':
			recursive = true;
			break;
		default:
			return ZEIT_EXIT_USAGE;
		}
	}
	tiers[ntiers] = ZEIT_TIER_NONE;
	if (ntiers == 0)
		return cli_usage_error(cli, "snap", "no --tier given");
	if (optind >= argc)
		return cli_usage_error(cli, "snap", "no dataset given");
	for (int i = optind; i < argc; i++)
		if (zfs_name_check(&cli->z, argv[i], ZFS_NAME_DATASET) < 0)
			return cli_usage_error(cli, "snap", "%s",
					       zeit_error(&cli->z));

	zfs_init(&zh, &cli->z, NULL);
	if (snap_expand(&zh, (const char *const *)argv + optind, recursive,
			&datasets) < 0)
		return cli_error(cli);
	snap_plan((const char *const *)datasets.v, tiers, cli->z.now, &names);
	strv_free(&datasets);

	int rc = ZEIT_EXIT_OK;
	if (!cli->z.dry_run &&
	    snap_apply(&zh, (const char *const *)names.v) < 0)
		rc = cli_error(cli);
	if (rc == ZEIT_EXIT_OK) {
		struct table t;
		table_init(&t, cols);
		for (size_t i = 0; i < names.n; i++) {
			const char *row[] = {names.v[i]};
			table_add(&t, row);
		}
		if (cli->z.dry_run && !cli->json && !cli->scripted)
			printf("would take %zu snapshot%s:\n", names.n,
			       names.n == 1 ? "" : "s");
		table_print(cli, &t, cli->z.dry_run ? "would_take" : "taken");
		table_free(&t);
	}
	strv_free(&names);
	return rc;
}
