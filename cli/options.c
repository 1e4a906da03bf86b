/* Global flags, accepted before or after the command name. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "zeit/config.h"
#include "zeit/ztime.h"

enum { OPT_NOW = 0x1000, OPT_CONFIG, OPT_LOCK_WAIT };

static const char global_short[] = "njHv";
static const struct option global_long[] = {
        {"dry-run", no_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},
        {"verbose", no_argument, NULL, 'v'},
        {"now", required_argument, NULL, OPT_NOW},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"lock-wait", required_argument, NULL, OPT_LOCK_WAIT},
        {NULL, 0, NULL, 0},
};

int cli_usage_error(struct cli *cli, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s%s%s: ", cli->prog, cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s help%s%s' for more information.\n",
	        cli->prog, cmd ? " " : "", cmd ? cmd : "");
	return ZEIT_EXIT_USAGE;
}

void cli_print_note(void *arg, int level, const char *text)
{
	(void)arg;
	(void)level;
	fprintf(stderr, "zeit: %s\n", text);
}

void cli_notes(const struct cli *cli, int level, const struct strv *notes)
{
	for (size_t i = 0; cli->z.verbose >= level && i < notes->n; i++)
		fprintf(stderr, "zeit: %s\n", notes->v[i]);
}

int cli_error(struct cli *cli)
{
	fprintf(stderr, "%s: %s\n", cli->prog, zeit_error(&cli->z));
	return ZEIT_EXIT_ERROR;
}

/* Applies a global option; returns false if c is not one. */
static bool apply_global(struct cli *cli, int c, const char *arg, bool *bad)
{
	switch (c) {
	case 'n': cli->z.dry_run = true; return true;
	case 'j': cli->json = true; return true;
	case 'H': cli->scripted = true; return true;
	case 'v': cli->z.verbose++; return true;
	case OPT_NOW:
		if (!ztime_parse(arg, &cli->z.now)) {
			cli_usage_error(cli, NULL,
			                "invalid --now '%s': expected ISO 8601 "
			                "UTC, e.g. 2026-11-27T22:15:00Z",
			                arg);
			*bad = true;
		}
		return true;
	case OPT_CONFIG: cli->config_path = arg; return true;
	case OPT_LOCK_WAIT: {
		char *end;
		long v = strtol(arg, &end, 10);
		if (*end || v < 0 || v > 86400) {
			cli_usage_error(cli, NULL,
			                "invalid --lock-wait '%s': seconds",
			                arg);
			*bad = true;
		}
		cli->lock_wait = (int)v;
		return true;
	}
	default: return false;
	}
}

int cli_load_config(struct cli *cli, struct zeit_config *cfg)
{
	const char *path = cli->config_path;
	bool must = true;

	config_init(cfg);
	if (!path || !*path)
		path = getenv("ZEIT_CONFIG");
	if (!path || !*path) {
		path = ZEIT_CONFIG_PATH;
		must = false;
	}
	if (config_load(&cli->z, path, must, cfg) < 0)
		return -1;
	/* Every name the library reads from now on reads by these rules. */
	cli->z.names = cfg->names;
	return 0;
}

int cli_getopt(struct cli *cli, int argc, char **argv, const char *shortopts,
               const struct option *longopts)
{
	char sbuf[128];
	struct option lbuf[64];
	size_t n = 0;

	/* A leading '+' stops at the first operand (the command name, or a
	 * command to run); otherwise options may follow operands. */
	bool stop = shortopts && shortopts[0] == '+';
	snprintf(sbuf, sizeof(sbuf), "%s:%s%s", stop ? "+" : "", global_short,
	         shortopts ? shortopts + stop : "");
	for (size_t i = 0; longopts && longopts[i].name && n < 48; i++)
		lbuf[n++] = longopts[i];
	for (size_t i = 0; global_long[i].name; i++)
		lbuf[n++] = global_long[i];
	memset(&lbuf[n], 0, sizeof(lbuf[n]));

	for (;;) {
		int c = getopt_long(argc, argv, sbuf, lbuf, NULL);
		bool bad = false;
		if (c == -1) {
			if (cli->json && cli->scripted)
				return cli_usage_error(cli, NULL,
				                       "-j and -H exclude each "
				                       "other"),
				       '?';
			return -1;
		}
		if (c == '?') {
			if (optopt)
				return cli_usage_error(cli, cli->cmd,
				                       "unknown option '-%c'",
				                       optopt),
				       '?';
			return cli_usage_error(cli, cli->cmd,
			                       "unknown option '%s'",
			                       argv[optind - 1]),
			       '?';
		}
		if (c == ':')
			return cli_usage_error(cli, cli->cmd,
			                       "option '%s' needs a value",
			                       argv[optind - 1]),
			       '?';
		if (apply_global(cli, c, optarg, &bad)) {
			if (bad)
				return '?';
			continue;
		}
		return c;
	}
}
