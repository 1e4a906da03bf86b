#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "zeit/serve.h"

int cmd_serve(struct cli *cli, int argc, char **argv)
{
	enum {
		OPT_ALLOW_PRUNE = 0x2000,
		OPT_ALLOW_ROLLBACK,
		OPT_ALLOW_PLAINTEXT,
		OPT_SEND,
	};
	static const struct option longopts[] = {
	        {"allow-prune", no_argument, NULL, OPT_ALLOW_PRUNE},
	        {"allow-rollback", no_argument, NULL, OPT_ALLOW_ROLLBACK},
	        {"allow-plaintext", no_argument, NULL, OPT_ALLOW_PLAINTEXT},
	        {"send", no_argument, NULL, OPT_SEND},
	        {NULL, 0, NULL, 0},
	};
	struct serve_opts o = {0};
	int c;

	while ((c = cli_getopt(cli, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case OPT_ALLOW_PRUNE: o.allow_prune = true; break;
		case OPT_ALLOW_ROLLBACK: o.allow_rollback = true; break;
		case OPT_ALLOW_PLAINTEXT: o.allow_plaintext = true; break;
		case OPT_SEND: o.send_side = true; break;
		default: return ZEIT_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error(cli, "serve",
		                       "name the dataset(s) this key may act "
		                       "on");
	if (o.send_side && (o.allow_prune || o.allow_rollback))
		return cli_usage_error(cli, "serve",
		                       "--send serves a pull's source, which "
		                       "destroys and rolls back nothing");
	if (!o.send_side && o.allow_plaintext)
		return cli_usage_error(cli, "serve",
		                       "--allow-plaintext is for --send");
	for (int i = optind; i < argc; i++)
		if (zfs_name_check(&cli->z, argv[i], ZFS_NAME_DATASET) < 0)
			return cli_usage_error(cli, "serve", "%s",
			                       zeit_error(&cli->z));
	o.roots = (const char *const *)argv + optind;
	const char *line = getenv("SSH_ORIGINAL_COMMAND");
	if (!line) {
		fprintf(stderr, "zeit serve: SSH_ORIGINAL_COMMAND is not set; "
		                "this is an ssh forced command (see "
		                "zeit-send(8))\n");
		return ZEIT_EXIT_USAGE;
	}
	int status = serve_run(&cli->z, line, &o);
	if (status < 0) {
		fprintf(stderr, "zeit serve: %s\n", zeit_error(&cli->z));
		return ZEIT_EXIT_ERROR;
	}
	return status;
}
