#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "zeit/adopt.h"
#include "zeit/config.h"
#include "zeit/zfs.h"

static void print_lines(const char *title, const struct strv *l)
{
	if (!l->n)
		return;
	printf("%s\n", title);
	for (size_t i = 0; i < l->n; i++)
		printf("  %s\n", l->v[i]);
}

/* A new file only: an existing configuration is the user's to merge. */
static int write_new(struct cli *cli, const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return zeit_fail(&cli->z, errno, "cannot create %s: %s%s", path,
		                 strerror(errno),
		                 errno == EEXIST
		                         ? " (merge the configuration "
		                           "above into it by hand, or "
		                           "write another with --output)"
		                         : "");
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	if (close(fd) < 0 || n != (ssize_t)len) {
		unlink(path);
		return zeit_fail(&cli->z, EIO, "cannot write %s", path);
	}
	return 0;
}

int cmd_adopt(struct cli *cli, int argc, char **argv)
{
	enum { OPT_WRITE = 0x2000, OPT_OUTPUT, OPT_SANOID_CONF };
	static const struct option longopts[] = {
	        {"from", required_argument, NULL, 'f'},
	        {"write", no_argument, NULL, OPT_WRITE},
	        {"output", required_argument, NULL, OPT_OUTPUT},
	        {"sanoid-conf", required_argument, NULL, OPT_SANOID_CONF},
	        {NULL, 0, NULL, 0},
	};
	const char *from = NULL, *output = NULL, *sanoid_conf = NULL;
	bool write = false;
	enum adopt_tool tool;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "f:", longopts)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case OPT_WRITE: write = true; break;
		case OPT_OUTPUT: output = optarg; break;
		case OPT_SANOID_CONF: sanoid_conf = optarg; break;
		default: return ZEIT_EXIT_USAGE;
		}
	}
	if (!from || !adopt_tool_from(from, &tool) || optind < argc)
		return cli_usage_error(cli, "adopt",
		                       "adopt --from zfs-auto-snapshot|sanoid "
		                       "[--write [--output FILE]]");
	if (!output)
		output = cli->config_path && *cli->config_path
		                 ? cli->config_path
		         : getenv("ZEIT_CONFIG") && *getenv("ZEIT_CONFIG")
		                 ? getenv("ZEIT_CONFIG")
		                 : ZEIT_CONFIG_PATH;

	struct zfs zh;
	struct adopt_source src;
	struct adopt_plan plan;
	zfs_init(&zh, &cli->z, NULL);
	if (adopt_read(&zh, tool, sanoid_conf, &src) < 0) {
		adopt_source_free(&src);
		return cli_error(cli);
	}
	adopt_plan_make(&src.in, &plan);
	const char *name = adopt_tool_name(tool);
	int rc = ZEIT_EXIT_OK;

	printf("what zeit reads from %s:\n", name);
	for (size_t i = 0; i < plan.read.n; i++)
		printf("  %s\n", plan.read.v[i]);
	print_lines("what does not map:", &plan.notes);
	printf("\nthe zeit configuration for %s:\n\n%s\n", output,
	       plan.config.data);
	if (!plan.found) {
		fprintf(stderr,
		        "zeit adopt: %s is not scheduled here (no cron line or "
		        "unit runs it)\n",
		        name);
		rc = ZEIT_EXIT_ERROR;
	} else if (write && !cli->z.dry_run) {
		if (write_new(cli, output, plan.config.data) < 0)
			rc = cli_error(cli);
		else
			printf("wrote %s\n", output);
	} else {
		printf("(nothing written: zeit adopt --from %s --write writes "
		       "it)\n",
		       name);
	}
	if (rc == ZEIT_EXIT_OK) {
		printf("\nto switch %s off and zeit on, run:\n", name);
		for (size_t i = 0; i < plan.steps.n; i++)
			printf("  %s\n", plan.steps.v[i]);
	}
	adopt_plan_free(&plan);
	adopt_source_free(&src);
	return rc;
}
