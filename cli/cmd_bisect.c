#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "zeit/lock.h"
#include "zeit/bisect.h"
#include "zeit/config.h"
#include "zeit/diff.h"

static const char *root_opt;

static int open_be(struct cli *cli, struct zfs *zh, struct be_ctx *c)
{
	struct zeit_config cfg;
	/* For how adopted schemes' names read ([adopt]). */
	if (cli_load_config(cli, &cfg) < 0)
		return -1;
	config_free(&cfg);
	zfs_init(zh, &cli->z, NULL);
	const char *root = root_opt ? root_opt : getenv("ZEIT_BE_ROOT");
	return be_open(c, zh, root && *root ? root : NULL);
}

static const char *short_of(const char *snap)
{
	const char *at = strchr(snap, '@');
	return at ? at + 1 : snap;
}

/* "10 zfs-auto-snapshot, 3 sanoid, 1 of no scheme": what the tier filter
 * left out between the answer's two ends. */
static void left_out_schemes(const struct bisect *b, char *buf, size_t len)
{
	const struct {
		size_t n;
		const char *what;
	} parts[] = {
	        {b->left_out_zeit, "zeit"},
	        {b->left_out_auto, "zfs-auto-snapshot"},
	        {b->left_out_sanoid, "sanoid"},
	        {b->left_out_foreign, "of no scheme"},
	};
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i].n && off < len)
			off += (size_t)snprintf(buf + off, len - off,
			                        "%s%zu %s", off ? ", " : "",
			                        parts[i].n, parts[i].what);
}

/* An answer bisect did not test is never given as one: true (after
 * saying why) when the ends were adjacent from the start and the tier
 * filter hid snapshots between them. */
static bool untested(const struct bisect *b)
{
	const struct bisect_next *n = &b->next;
	if (b->tested || n->first_bad != n->last_good + 1)
		return false;
	printf("no snapshot was tested: %s and %s are next to each other "
	       "among the %zu%s%s candidates.\n",
	       short_of(b->v[n->last_good].snap),
	       short_of(b->v[n->first_bad].snap), b->n, b->tier ? " " : "",
	       b->tier ? b->tier : "");
	if (!b->left_out)
		return false;
	char schemes[160];
	left_out_schemes(b, schemes, sizeof(schemes));
	printf("The tier filter left out %zu snapshot%s between them (%s); "
	       "bisect without --tier, or with their tier, to test them.\n",
	       b->left_out, b->left_out == 1 ? "" : "s", schemes);
	return true;
}

/* The answer, then what changed between the last good and first bad. */
static int report_result(struct cli *cli, struct bisect *b)
{
	const struct bisect_next *n = &b->next;
	const char *good = b->v[n->last_good].snap;
	const char *bad = b->v[n->first_bad].snap;
	if (untested(b))
		return ZEIT_EXIT_ERROR;
	if (n->ambiguous) {
		printf("the first bad snapshot is one of:");
		for (long i = n->last_good + 1; i <= n->first_bad; i++)
			printf(" %s", short_of(b->v[i].snap));
		printf("\n(skipped ones hide which)\n");
	} else {
		printf("first bad snapshot: %s\n", bad);
	}
	printf("last good snapshot: %s\n", good);
	if (b->left_out) {
		char schemes[160];
		left_out_schemes(b, schemes, sizeof(schemes));
		printf("(the tier filter left out %zu snapshot%s between "
		       "them: %s)\n",
		       b->left_out, b->left_out == 1 ? "" : "s", schemes);
	}
	printf("\n");
	struct pkg_list pa, pb;
	struct pkg_changes ch;
	if (diff_packages(b->be->zh, good, bad, &pa, &pb, &ch) == 0) {
		printf("packages changed between them:\n");
		cli_print_packages(cli, &pa, &ch);
		pkg_changes_free(&ch);
		pkg_list_free(&pa);
		pkg_list_free(&pb);
	} else {
		printf("(no package database compared: %s)\n",
		       zeit_error(&cli->z));
		zeit_clear_error(&cli->z);
	}
	struct diff_request req = {good, bad, NULL, false};
	struct zfs_diff_list l;
	if (diff_files(b->be->zh, &req, &l) == 0) {
		printf("\nfiles changed between them:\n");
		cli_print_files(cli, &l);
		zfs_diff_list_free(&l);
	}
	return ZEIT_EXIT_OK;
}

/* After a mark in manual mode: the next clone, or the answer. */
static int advance(struct cli *cli, struct bisect *b)
{
	if (b->next.done) {
		char *none;
		if (!cli->z.dry_run && bisect_checkout(b, &none) < 0)
			return cli_error(cli);
		return report_result(cli, b);
	}
	const char *snap = b->v[b->next.pick].snap;
	printf("%zu candidates left (about %d more steps); next: %s\n",
	       b->next.remaining, b->next.steps_left, snap);
	if (cli->z.dry_run)
		return ZEIT_EXIT_OK;
	char *clone = NULL;
	if (bisect_checkout(b, &clone) < 0)
		return cli_error(cli);
	printf("cloned into %s/%s, set to boot once.\n"
	       "Reboot, test, then run `zeit bisect good` or `zeit bisect "
	       "bad` (or skip)\nfrom any environment.\n",
	       b->be->root, clone);
	free(clone);
	return ZEIT_EXIT_OK;
}

static bool replaying;
static int bisect_sub(struct cli *cli, const char *sub,
                      struct bisect_start_opts *opts, bool chroot, int nargs,
                      char **args);

static int do_advance(struct cli *cli, struct bisect *b, void *arg)
{
	(void)arg;
	return advance(cli, b);
}

static int with_state(struct cli *cli,
                      int (*fn)(struct cli *, struct bisect *, void *),
                      void *arg)
{
	struct zfs zh;
	struct be_ctx c;
	struct bisect b;
	if (open_be(cli, &zh, &c) < 0)
		return cli_error(cli);
	int rc;
	if (bisect_load(&c, &b) < 0)
		rc = cli_error(cli);
	else
		rc = fn(cli, &b, arg);
	bisect_free(&b);
	be_close(&c);
	return rc;
}

struct mark_arg {
	const char *snap;
	enum bisect_mark m;
};

static int do_mark(struct cli *cli, struct bisect *b, void *arg)
{
	struct mark_arg *a = arg;
	if (bisect_mark(b, a->snap, a->m) < 0)
		return cli_error(cli);
	return replaying ? ZEIT_EXIT_OK : advance(cli, b);
}

static int do_status(struct cli *cli, struct bisect *b, void *arg)
{
	(void)arg;
	printf("bisecting %s%s%s: %zu candidates\n", b->target,
	       b->tier ? ", tier " : "", b->tier ? b->tier : "", b->n);
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].mark != BISECT_UNKNOWN)
			printf("  %-4s %s\n", bisect_mark_name(b->v[i].mark),
			       short_of(b->v[i].snap));
	if (b->next.done) {
		if (!untested(b))
			printf("done: first bad %s\n",
			       short_of(b->v[b->next.first_bad].snap));
	} else {
		printf("%zu left; next %s%s%s\n", b->next.remaining,
		       short_of(b->v[b->next.pick].snap),
		       bisect_current(b) ? "; under test: " : "",
		       bisect_current(b) ? bisect_current(b) : "");
	}
	(void)cli;
	return ZEIT_EXIT_OK;
}

static int do_log(struct cli *cli, struct bisect *b, void *arg)
{
	(void)arg;
	(void)cli;
	const char *good = NULL, *bad = NULL;
	for (size_t i = 0; i < b->n; i++) {
		if (b->v[i].mark == BISECT_GOOD && !good)
			good = b->v[i].snap;
		if (b->v[i].mark == BISECT_BAD)
			bad = b->v[i].snap;
	}
	printf("zeit bisect start %s --good %s --bad %s%s%s\n", b->target,
	       short_of(good), short_of(bad), b->tier ? " --tier " : "",
	       b->tier ? b->tier : "");
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].mark != BISECT_UNKNOWN && b->v[i].snap != good &&
		    b->v[i].snap != bad)
			printf("zeit bisect %s %s\n",
			       bisect_mark_name(b->v[i].mark),
			       short_of(b->v[i].snap));
	return ZEIT_EXIT_OK;
}

static void run_report(const char *snap, enum bisect_mark m, int step,
                       void *arg)
{
	(void)arg;
	printf("step %d: %s is %s\n", step, snap, bisect_mark_name(m));
	fflush(stdout);
}

struct run_arg {
	const char *const *argv;
	bool chroot;
};

static int do_run(struct cli *cli, struct bisect *b, void *arg)
{
	struct run_arg *a = arg;
	if (bisect_run(b, a->argv, a->chroot, run_report, NULL) < 0)
		return cli_error(cli);
	return report_result(cli, b);
}

int cmd_bisect(struct cli *cli, int argc, char **argv)
{
	static const struct option lo[] = {
	        {"root", required_argument, NULL, 'R'},
	        {"good", required_argument, NULL, 'g'},
	        {"bad", required_argument, NULL, 'b'},
	        {"tier", required_argument, NULL, 't'},
	        {"chroot", no_argument, NULL, 'c'},
	        {NULL, 0, NULL, 0},
	};
	struct bisect_start_opts so = {0};
	bool chroot = false;
	int c;

	if (!replaying)
		root_opt = NULL;
	/* --root may come before the subcommand too, as with zeit be. */
	while (argc >= 2 && str_starts(argv[1], "--root")) {
		if (!strcmp(argv[1], "--root") && argc >= 3) {
			root_opt = argv[2];
			argv[2] = argv[0];
			argv += 2;
			argc -= 2;
		} else if (str_starts(argv[1], "--root=")) {
			root_opt = argv[1] + 7;
			argv[1] = argv[0];
			argv++;
			argc--;
		} else {
			return cli_usage_error(cli, "bisect",
			                       "--root needs a dataset");
		}
	}
	if (argc < 2)
		return cli_usage_error(
		        cli, "bisect",
		        "needs a subcommand (start, good, bad, "
		        "skip, run, status, log, replay, reset)");
	const char *sub = argv[1];
	/* '+': for run, everything after the subcommand's options is the
	 * command. */
	/* The subcommand stands in for the program name: optind 0 makes
	 * getopt start afresh. */
	optind = 0;
	const char *shortopts = strcmp(sub, "run") ? "" : "+";
	while ((c = cli_getopt(cli, argc - 1, argv + 1, shortopts, lo)) != -1) {
		switch (c) {
		case 'R': root_opt = optarg; break;
		case 'g': so.good = optarg; break;
		case 'b': so.bad = optarg; break;
		case 't': so.tier = optarg; break;
		case 'c': chroot = true; break;
		default: return ZEIT_EXIT_USAGE;
		}
	}
	int nargs = argc - 1 - optind;
	char **args = argv + 1 + optind;
	/* Every subcommand but status and log changes the pool (clones,
	 * marks, bootfs): one changing zeit run at a time. */
	int lock = -1;
	if (strcmp(sub, "status") && strcmp(sub, "log") && !cli->z.dry_run &&
	    (lock = zeit_lock(&cli->z, cli->lock_wait)) < 0)
		return cli_error(cli);
	int rc = bisect_sub(cli, sub, &so, chroot, nargs, args);
	zeit_unlock(lock);
	return rc;
}

static int bisect_sub(struct cli *cli, const char *sub,
                      struct bisect_start_opts *opts, bool chroot, int nargs,
                      char **args)
{
	struct bisect_start_opts so = *opts;

	if (!strcmp(sub, "start")) {
		if (!so.good || nargs > 1)
			return cli_usage_error(cli, "bisect",
			                       "start [BE] --good SNAP [--bad "
			                       "SNAP] [--tier T]");
		so.target = nargs ? args[0] : NULL;
		struct zfs zh;
		struct be_ctx ctx;
		if (open_be(cli, &zh, &ctx) < 0)
			return cli_error(cli);
		int rc = bisect_start(&ctx, &so) < 0 ? cli_error(cli)
		                                     : ZEIT_EXIT_OK;
		be_close(&ctx);
		if (rc != ZEIT_EXIT_OK || cli->z.dry_run || replaying)
			return rc;
		return with_state(cli, do_advance, NULL);
	}
	enum bisect_mark m = bisect_mark_from(sub);
	if (m != BISECT_UNKNOWN) {
		if (nargs > 1)
			return cli_usage_error(cli, "bisect",
			                       "%s takes at most one snapshot",
			                       sub);
		struct mark_arg a = {nargs ? args[0] : NULL, m};
		return with_state(cli, do_mark, &a);
	}
	if (!strcmp(sub, "run")) {
		if (!nargs)
			return cli_usage_error(cli, "bisect",
			                       "run needs a command");
		struct run_arg a = {(const char *const *)args, chroot};
		return with_state(cli, do_run, &a);
	}
	if (!strcmp(sub, "status"))
		return with_state(cli, do_status, NULL);
	if (!strcmp(sub, "log"))
		return with_state(cli, do_log, NULL);
	if (!strcmp(sub, "reset")) {
		struct zfs zh;
		struct be_ctx ctx;
		if (open_be(cli, &zh, &ctx) < 0)
			return cli_error(cli);
		int rc = bisect_reset(&ctx) < 0 ? cli_error(cli) : ZEIT_EXIT_OK;
		be_close(&ctx);
		return rc;
	}
	if (!strcmp(sub, "replay")) {
		if (nargs != 1)
			return cli_usage_error(cli, "bisect",
			                       "replay needs a log FILE");
		FILE *f = fopen(args[0], "re");
		if (!f) {
			fprintf(stderr, "zeit bisect: cannot read %s\n",
			        args[0]);
			return ZEIT_EXIT_ERROR;
		}
		char line[1024];
		int rc = ZEIT_EXIT_OK;
		replaying = true;
		while (rc == ZEIT_EXIT_OK && fgets(line, sizeof(line), f)) {
			char *w[12];
			int n = 0;
			for (char *t = strtok(line, " \t\n"); t && n < 11;
			     t = strtok(NULL, " \t\n"))
				w[n++] = t;
			if (n < 3 || strcmp(w[0], "zeit") ||
			    strcmp(w[1], "bisect"))
				continue; /* comments and blank lines */
			w[n] = NULL;
			/* Each line is a zeit bisect command of its own. */
			optind = 0;
			rc = cmd_bisect(cli, n - 1, w + 1);
		}
		fclose(f);
		replaying = false;
		if (rc != ZEIT_EXIT_OK)
			return rc;
		return with_state(cli, do_advance, NULL);
	}
	return cli_usage_error(cli, "bisect", "unknown subcommand '%s'", sub);
}
