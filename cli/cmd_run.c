/* zeit run: a pre/post pair of snapshots around any command; zeit hook:
 * the same two halves, called by a package manager's hooks (apt's
 * DPkg::Pre-Invoke/Post-Invoke, pacman's alpm hooks, apk's commit hooks).
 * A hook never fails the package manager: it warns and exits 0. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "zeit/config.h"
#include "zeit/pkgtxn.h"
#include "zeit/run.h"

/* Each step's own hard limit, so a hung pool cannot hang the package
 * manager for ever. */
#define TXN_ZFS_TIMEOUT_MS 60000

static void print_result(struct cli *cli, const char *half,
                         const struct pkgtxn_result *r)
{
	for (size_t i = 0; i < r->notes.n; i++)
		fprintf(stderr, "zeit %s: %s\n", half, r->notes.v[i]);
	if (!cli->z.verbose)
		return;
	switch (r->outcome) {
	case PKGTXN_SKIPPED:
		fprintf(stderr, "zeit %s: nothing to do: %s\n", half, r->why);
		break;
	case PKGTXN_PRE_TAKEN:
		fprintf(stderr, "zeit %s: took %s@%s\n", half, r->dataset,
		        r->pre);
		break;
	case PKGTXN_JOINED:
		fprintf(stderr, "zeit %s: part of the run since %s@%s\n", half,
		        r->dataset, r->pre);
		break;
	case PKGTXN_POST_TAKEN:
		fprintf(stderr, "zeit %s: took %s@%s (%s)\n", half, r->dataset,
		        r->post, r->delta && *r->delta ? r->delta : "-");
		break;
	case PKGTXN_NO_CHANGE:
		fprintf(stderr, "zeit %s: no package changed: no pair kept\n",
		        half);
		break;
	case PKGTXN_NOTHING_OPEN:
		fprintf(stderr, "zeit %s: %s\n", half, r->why);
		break;
	}
}

static enum pkg_format manager_format(const char *m)
{
	if (!strcmp(m, "apt") || !strcmp(m, "dpkg"))
		return PKG_DPKG;
	if (!strcmp(m, "pacman"))
		return PKG_PACMAN;
	if (!strcmp(m, "apk"))
		return PKG_APK;
	if (!strcmp(m, "xbps"))
		return PKG_XBPS;
	return PKG_NONE;
}

static int load(struct cli *cli, struct pkgtxn_opts *o, const char *dataset,
                char **owned)
{
	struct zeit_config cfg;
	*owned = NULL;
	if (cli_load_config(cli, &cfg) < 0)
		return -1;
	if (!dataset && cfg.pkg_dataset)
		dataset = *owned = xstrdup(cfg.pkg_dataset);
	o->dataset = dataset;
	o->burst = cfg.pkg_burst;
	o->state_dir = getenv("ZEIT_PKG_STATE_DIR");
	if (o->state_dir && !*o->state_dir)
		o->state_dir = NULL;
	config_free(&cfg);
	return 0;
}

int cmd_hook(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"manager", required_argument, NULL, 'm'},
	        {"dataset", required_argument, NULL, 'd'},
	        {NULL, 0, NULL, 0},
	};
	const char *manager = NULL, *dataset = NULL;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "m:d:", longopts)) != -1) {
		switch (c) {
		case 'm': manager = optarg; break;
		case 'd': dataset = optarg; break;
		default: return ZEIT_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc ||
	    (strcmp(argv[optind], "pre") && strcmp(argv[optind], "post")))
		return cli_usage_error(cli, "hook", "expected pre or post");
	if (!manager || manager_format(manager) == PKG_NONE)
		return cli_usage_error(cli, "hook",
		                       "--manager apt, pacman, apk or xbps");
	const char *half = argv[optind];
	struct pkgtxn_opts o = {.manager = manager,
	                        .format = manager_format(manager)};
	struct pkgtxn_result r;
	char *owned;
	struct zfs zh;
	int rc = -1;

	pkgtxn_result_init(&r);
	if (cli->z.dry_run) {
		printf("would take the %s snapshot of a %s transaction\n", half,
		       manager);
		return ZEIT_EXIT_OK;
	}
	if (load(cli, &o, dataset, &owned) == 0) {
		zfs_init(&zh, &cli->z, NULL);
		zh.timeout_ms = TXN_ZFS_TIMEOUT_MS;
		rc = !strcmp(half, "pre") ? pkgtxn_pre(&zh, &o, &r)
		                          : pkgtxn_post(&zh, &o, &r);
		free(owned);
	}
	print_result(cli, half, &r);
	if (rc < 0)
		fprintf(stderr,
		        "zeit: warning: no %s snapshot of this %s "
		        "transaction: %s\n",
		        half, manager, zeit_error(&cli->z));
	pkgtxn_result_free(&r);
	/* The package manager goes on whatever happened here. */
	return ZEIT_EXIT_OK;
}

/* zeit run is the package manager of its pair: its pid and start time. */
static void self_as_manager(struct pkgtxn_opts *o)
{
	FILE *f = fopen("/proc/self/stat", "re");
	char text[1024] = "";
	pid_t pp;
	char comm[64];

	o->pm.pid = getpid();
	if (f) {
		if (!fgets(text, sizeof(text), f))
			text[0] = '\0';
		fclose(f);
	}
	if (pkgtxn_parse_stat(text, &pp, &o->pm.start, comm, sizeof(comm)) < 0)
		o->pm.start = 0;
}

/* One half of the pair; a failure is a warning, never the command's. The
 * pre half says whether a post is owed. */
static bool take_half(struct cli *cli, struct zfs *zh,
                      const struct pkgtxn_opts *o, bool pre)
{
	struct pkgtxn_result r;

	pkgtxn_result_init(&r);
	if ((pre ? pkgtxn_pre(zh, o, &r) : pkgtxn_post(zh, o, &r)) < 0) {
		fprintf(stderr, "zeit: warning: no %s snapshot: %s\n",
		        pre ? "pre" : "post", zeit_error(&cli->z));
		zeit_clear_error(&cli->z);
	}
	print_result(cli, "run", &r);
	bool paired =
	        r.outcome == PKGTXN_PRE_TAKEN || r.outcome == PKGTXN_JOINED;
	pkgtxn_result_free(&r);
	return paired;
}

/* The user's command, on the terminal, with PKGTXN_ENV set so hooks of a
 * package manager it runs join this pair; its exit status. */
static int run_command(struct cli *cli, char **cmdv)
{
	const char *env[] = {PKGTXN_ENV "=1", NULL};
	struct run_cmd c;

	run_cmd_init(&c, (const char *const *)cmdv);
	c.env = env;
	c.flags = RUN_INHERIT_STDIN | RUN_INHERIT_STDOUT | RUN_INHERIT_STDERR;
	/* ^C is the command's: zeit stays to take the post. */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_quit;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	int status = ZEIT_EXIT_ERROR;
	if (run(&cli->z, &c) < 0) {
		fprintf(stderr, "zeit run: %s\n", zeit_error(&cli->z));
		zeit_clear_error(&cli->z);
	} else {
		status = c.status;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	run_cmd_free(&c);
	return status;
}

int cmd_run(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"dataset", required_argument, NULL, 'd'},
	        {"note", required_argument, NULL, 'N'},
	        {"keep", no_argument, NULL, 'k'},
	        {NULL, 0, NULL, 0},
	};
	const char *dataset = NULL, *note = NULL;
	bool keep = false;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "+d:k", longopts)) != -1) {
		switch (c) {
		case 'd': dataset = optarg; break;
		case 'N': note = optarg; break;
		case 'k': keep = true; break;
		default: return ZEIT_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error(cli, "run", "no command given");
	char **cmdv = argv + optind;
	char *line = argv_to_string((const char *const *)cmdv);
	struct pkgtxn_opts o = {
	        .manager = "run", .command = line, .note = note, .keep = keep};
	char *owned = NULL;
	struct zfs zh;
	int status = ZEIT_EXIT_OK;

	if (load(cli, &o, dataset, &owned) < 0) {
		status = cli_error(cli);
	} else if (cli->z.dry_run) {
		printf("would take a pre snapshot of %s, run %s, and a post "
		       "snapshot if it changed a package%s\n",
		       o.dataset ? o.dataset : "the running root", line,
		       keep ? " (or whatever it changed: --keep)" : "");
	} else {
		self_as_manager(&o);
		zfs_init(&zh, &cli->z, NULL);
		zh.timeout_ms = TXN_ZFS_TIMEOUT_MS;
		bool paired = take_half(cli, &zh, &o, true);
		status = run_command(cli, cmdv);
		if (paired) {
			zh.z->now =
			        time(NULL) > zh.z->now ? time(NULL) : zh.z->now;
			take_half(cli, &zh, &o, false);
		}
	}
	free(owned);
	free(line);
	return status;
}
