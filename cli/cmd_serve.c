#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "zeit/run.h"
#include "zeit/serve.h"

int cmd_serve(struct cli *cli, int argc, char **argv)
{
	enum { OPT_ALLOW_PRUNE = 0x2000 };
	static const struct option longopts[] = {
	        {"allow-prune", no_argument, NULL, OPT_ALLOW_PRUNE},
	        {NULL, 0, NULL, 0},
	};
	bool allow_prune = false;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case OPT_ALLOW_PRUNE: allow_prune = true; break;
		default: return ZEIT_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error(cli, "serve",
		                       "name the dataset(s) this key may "
		                       "replicate into");
	for (int i = optind; i < argc; i++)
		if (zfs_name_check(&cli->z, argv[i], ZFS_NAME_DATASET) < 0)
			return cli_usage_error(cli, "serve", "%s",
			                       zeit_error(&cli->z));
	const char *line = getenv("SSH_ORIGINAL_COMMAND");
	if (!line) {
		fprintf(stderr, "zeit serve: SSH_ORIGINAL_COMMAND is not set; "
		                "this is an ssh forced command (see "
		                "zeit-send(8))\n");
		return ZEIT_EXIT_USAGE;
	}
	struct strv words;
	if (serve_check(&cli->z, line, (const char *const *)argv + optind,
	                allow_prune, &words) < 0) {
		fprintf(stderr, "zeit serve: %s\n", zeit_error(&cli->z));
		return ZEIT_EXIT_ERROR;
	}
	struct run_cmd rc;
	run_cmd_init(&rc, (const char *const *)words.v);
	rc.flags = RUN_INHERIT_STDIN | RUN_INHERIT_STDOUT | RUN_INHERIT_STDERR;
	int status = run(&cli->z, &rc) < 0 ? -1 : rc.status;
	run_cmd_free(&rc);
	strv_free(&words);
	if (status < 0) {
		fprintf(stderr, "zeit serve: %s\n", zeit_error(&cli->z));
		return ZEIT_EXIT_ERROR;
	}
	return status;
}
