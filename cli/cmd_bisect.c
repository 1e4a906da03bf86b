#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "zeit/lock.h"
#include "zeit/bisect.h"
#include "zeit/config.h"
#include "zeit/diff.h"
#include "zeit/isolate.h"
#include "pkg_show.h"

/* One zeit bisect command, parsed: what the subcommands share. */
struct bisect_args {
	const char *root; /* --root, before or after the subcommand */
	struct bisect_start_opts start;
	bool chroot;
	bool boot;      /* run --boot */
	bool no_reboot; /* run --boot, step: say so rather than reboot */
	const char *check;
	const char *timeout;
	bool replaying; /* a line of a replayed log: no next step shown */
	const char *sub;
	int nargs;
	char **args;
};

static int open_be(struct cli *cli, const struct bisect_args *a, struct zfs *zh,
                   struct be_ctx *c)
{
	struct zeit_config cfg;
	/* For how adopted schemes' names read ([adopt]). */
	if (cli_load_config(cli, &cfg) < 0)
		return -1;
	config_free(&cfg);
	zfs_init(zh, &cli->z, NULL);
	const char *root = a->root ? a->root : getenv("ZEIT_BE_ROOT");
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
	/* A package transaction: named, and compared with its own pre. */
	char *pre = NULL;
	if (!n->ambiguous)
		pkg_show_bisect(cli, b->be->zh, bad, &pre);
	if (pre)
		good = pre;
	struct pkg_list pa, pb;
	struct pkg_changes ch;
	if (diff_packages(b->be->zh, good, bad, &pa, &pb, &ch) == 0) {
		printf("packages %s:\n", pre ? "the transaction changed"
		                             : "changed between them");
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
		printf("\nfiles %s:\n", pre ? "the transaction changed"
		                            : "changed between them");
		cli_print_files(cli, &l);
		zfs_diff_list_free(&l);
	}
	free(pre);
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

static int with_state(struct cli *cli, const struct bisect_args *a,
                      int (*fn)(struct cli *, struct bisect *, void *),
                      void *arg)
{
	struct zfs zh;
	struct be_ctx c;
	struct bisect b;
	if (open_be(cli, a, &zh, &c) < 0)
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

static int do_advance(struct cli *cli, struct bisect *b, void *arg)
{
	(void)arg;
	return advance(cli, b);
}

struct mark_arg {
	const char *snap;
	enum bisect_mark m;
	bool replaying;
};

static int do_mark(struct cli *cli, struct bisect *b, void *arg)
{
	struct mark_arg *a = arg;
	if (bisect_mark(b, a->snap, a->m) < 0)
		return cli_error(cli);
	return a->replaying ? ZEIT_EXIT_OK : advance(cli, b);
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
	if (b->boot)
		printf("booting each candidate (%u reboots so far, %u s to "
		       "come up); check: %s\n",
		       b->reboots, b->timeout,
		       b->check ? b->check : "(none: coming up is good)");
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

static void step_report(const char *snap, enum bisect_mark m, int step,
                        void *arg)
{
	(void)arg;
	printf("step %d: %s is %s\n", step, snap, bisect_mark_name(m));
	fflush(stdout);
}

struct auto_arg {
	const char *const *argv;
	bool chroot;
};

static int do_auto(struct cli *cli, struct bisect *b, void *arg)
{
	struct auto_arg *a = arg;
	if (bisect_auto(b, a->argv, a->chroot, step_report, NULL) < 0)
		return cli_error(cli);
	return report_result(cli, b);
}

/* ---- The subcommands ---- */

static int sub_start(struct cli *cli, struct bisect_args *a)
{
	struct bisect_start_opts so = a->start;
	if (!so.good || a->nargs > 1)
		return cli_usage_error(cli, "bisect",
		                       "start [BE] --good SNAP [--bad "
		                       "SNAP] [--tier T]");
	so.target = a->nargs ? a->args[0] : NULL;
	struct zfs zh;
	struct be_ctx ctx;
	if (open_be(cli, a, &zh, &ctx) < 0)
		return cli_error(cli);
	int rc = bisect_start(&ctx, &so) < 0 ? cli_error(cli) : ZEIT_EXIT_OK;
	be_close(&ctx);
	if (rc != ZEIT_EXIT_OK || cli->z.dry_run || a->replaying)
		return rc;
	return with_state(cli, a, do_advance, NULL);
}

/* good, bad, skip, and git's old and new. */
static int sub_mark(struct cli *cli, struct bisect_args *a)
{
	if (a->nargs > 1)
		return cli_usage_error(cli, "bisect",
		                       "%s takes at most one snapshot", a->sub);
	struct mark_arg m = {a->nargs ? a->args[0] : NULL,
	                     bisect_mark_from(a->sub), a->replaying};
	return with_state(cli, a, do_mark, &m);
}

static int sub_run(struct cli *cli, struct bisect_args *a)
{
	if (a->boot)
		return cli_bisect_boot(cli, a->root, a->check, a->timeout,
		                       a->no_reboot);
	if (a->check || a->timeout || a->no_reboot)
		return cli_usage_error(cli, "bisect",
		                       "--check, --timeout and --no-reboot "
		                       "go with run --boot");
	if (!a->nargs)
		return cli_usage_error(cli, "bisect", "run needs a command");
	struct auto_arg r = {(const char *const *)a->args, a->chroot};
	return with_state(cli, a, do_auto, &r);
}

static int sub_status(struct cli *cli, struct bisect_args *a)
{
	struct zfs zh;
	struct be_ctx c;
	struct bisect b;
	if (open_be(cli, a, &zh, &c) < 0)
		return cli_error(cli);
	int rc;
	if (bisect_load(&c, &b) == 0)
		rc = do_status(cli, &b, NULL);
	else if (cli->z.err == ENOENT && !b.target &&
	         cli_bisect_boot_result(cli, &c))
		rc = ZEIT_EXIT_OK; /* none running: the last boot one's answer
		                    */
	else
		rc = cli_error(cli);
	bisect_free(&b);
	be_close(&c);
	return rc;
}

static int sub_step(struct cli *cli, struct bisect_args *a)
{
	if (a->nargs)
		return cli_usage_error(cli, "bisect", "step takes no argument");
	return cli_bisect_step(cli, a->root, a->no_reboot);
}

static int sub_log(struct cli *cli, struct bisect_args *a)
{
	return with_state(cli, a, do_log, NULL);
}

static int sub_reset(struct cli *cli, struct bisect_args *a)
{
	struct zfs zh;
	struct be_ctx ctx;
	if (open_be(cli, a, &zh, &ctx) < 0)
		return cli_error(cli);
	/* isolate's clone, with or without a bisection. */
	int cleaned = cli->z.dry_run ? 0 : isolate_cleanup(&ctx);
	int rc = cleaned < 0                       ? cli_error(cli)
	         : bisect_reset(&ctx) == 0         ? ZEIT_EXIT_OK
	         : cleaned && cli->z.err == ENOENT ? ZEIT_EXIT_OK
	                                           : cli_error(cli);
	be_close(&ctx);
	return rc;
}

/* isolate [PATH...] -- COMMAND...: getopt took a "--" that came right
 * after the options (no PATH); else the first "--" ends the paths. */
static int sub_isolate(struct cli *cli, struct bisect_args *a)
{
	int dashes = -1;
	bool taken = a->args[-1] && !strcmp(a->args[-1], "--");
	for (int i = 0; !taken && i < a->nargs && dashes < 0; i++)
		if (!strcmp(a->args[i], "--"))
			dashes = i;
	int npaths = taken ? 0 : dashes;
	if ((!taken && dashes < 0) || npaths + 1 + !taken > a->nargs)
		return cli_usage_error(cli, "bisect",
		                       "isolate [--good S --bad S] [PATH...] "
		                       "-- COMMAND...");
	struct strv paths;
	strv_init(&paths);
	for (int i = 0; i < npaths; i++)
		strv_push(&paths, a->args[i]);
	int rc = cli_bisect_isolate(
	        cli, a->root, a->start.good, a->start.bad,
	        npaths ? (const char *const *)paths.v : NULL,
	        (const char *const *)a->args + npaths + !taken);
	strv_free(&paths);
	return rc;
}

static int sub_replay(struct cli *cli, struct bisect_args *a);

/* changes: the subcommand changes the pool (clones, marks, bootfs), so it
 * takes the host's lock. command_after: everything after its own options
 * is a command to run. in_replay: it may be a line of a replayed log. */
static const struct bisect_sub {
	const char *name;
	int (*run)(struct cli *cli, struct bisect_args *a);
	bool changes;
	bool command_after;
	bool in_replay;
} subs[] = {
        {"start", sub_start, true, false, true},
        {"good", sub_mark, true, false, true},
        {"bad", sub_mark, true, false, true},
        {"skip", sub_mark, true, false, true},
        {"old", sub_mark, true, false, true},
        {"new", sub_mark, true, false, true},
        {"run", sub_run, true, true, true},
        {"status", sub_status, false, false, true},
        {"log", sub_log, false, false, true},
        {"reset", sub_reset, true, false, true},
        {"step", sub_step, true, false, false},
        {"isolate", sub_isolate, true, true, false},
        {"replay", sub_replay, true, false, false},
};

static const struct bisect_sub *find_sub(const char *name)
{
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(name, subs[i].name))
			return &subs[i];
	return NULL;
}

/* --root may come before the subcommand too, as with zeit be. Moves
 * *argv past it (argv[0] stays the command's name); -1 after a usage
 * error. */
static int root_prefix(struct cli *cli, int *argc, char ***argv,
                       struct bisect_args *a)
{
	char **v = *argv;
	int n = *argc;
	while (n >= 2 && str_starts(v[1], "--root")) {
		int used = 1;
		if (!strcmp(v[1], "--root") && n >= 3)
			a->root = v[used = 2];
		else if (str_starts(v[1], "--root="))
			a->root = v[1] + 7;
		else
			return cli_usage_error(cli, "bisect",
			                       "--root needs a dataset"),
			       -1;
		v[used] = v[0];
		v += used;
		n -= used;
	}
	*argv = v;
	*argc = n;
	return 0;
}

/* Parses one zeit bisect command line into a and finds its subcommand;
 * NULL after a usage error (*rc says which exit). */
static const struct bisect_sub *parse(struct cli *cli, int argc, char **argv,
                                      struct bisect_args *a, int *rc)
{
	static const struct option lo[] = {
	        {"root", required_argument, NULL, 'R'},
	        {"good", required_argument, NULL, 'g'},
	        {"bad", required_argument, NULL, 'b'},
	        {"tier", required_argument, NULL, 't'},
	        {"chroot", no_argument, NULL, 'c'},
	        {"boot", no_argument, NULL, 'B'},
	        {"check", required_argument, NULL, 'C'},
	        {"timeout", required_argument, NULL, 'T'},
	        {"no-reboot", no_argument, NULL, 'N'},
	        {NULL, 0, NULL, 0},
	};
	*rc = ZEIT_EXIT_USAGE;
	if (root_prefix(cli, &argc, &argv, a) < 0)
		return NULL;
	if (argc < 2)
		return cli_usage_error(cli, "bisect",
		                       "needs a subcommand (start, good, bad, "
		                       "skip, run, isolate, status, log, "
		                       "replay, reset, step)"),
		       NULL;
	a->sub = argv[1];
	const struct bisect_sub *s = find_sub(a->sub);
	/* The subcommand stands in for the program name: optind 0 makes
	 * getopt start afresh. */
	optind = 0;
	int c;
	while ((c = cli_getopt(cli, argc - 1, argv + 1,
	                       s && s->command_after ? "+" : "", lo)) != -1) {
		switch (c) {
		case 'R': a->root = optarg; break;
		case 'g': a->start.good = optarg; break;
		case 'b': a->start.bad = optarg; break;
		case 't': a->start.tier = optarg; break;
		case 'c': a->chroot = true; break;
		case 'B': a->boot = true; break;
		case 'C': a->check = optarg; break;
		case 'T': a->timeout = optarg; break;
		case 'N': a->no_reboot = true; break;
		default: return NULL;
		}
	}
	a->nargs = argc - 1 - optind;
	a->args = argv + 1 + optind;
	if (!s)
		*rc = cli_usage_error(cli, "bisect", "unknown subcommand '%s'",
		                      a->sub);
	return s;
}

/* Each line of the log is a zeit bisect command of its own, run under the
 * lock already held; then the next step is shown once. */
static int sub_replay(struct cli *cli, struct bisect_args *a)
{
	if (a->nargs != 1)
		return cli_usage_error(cli, "bisect",
		                       "replay needs a log FILE");
	FILE *f = fopen(a->args[0], "re");
	if (!f) {
		fprintf(stderr, "zeit bisect: cannot read %s\n", a->args[0]);
		return ZEIT_EXIT_ERROR;
	}
	char line[1024];
	int rc = ZEIT_EXIT_OK;
	while (rc == ZEIT_EXIT_OK && fgets(line, sizeof(line), f)) {
		char *w[12];
		int n = 0;
		for (char *t = strtok(line, " \t\n"); t && n < 11;
		     t = strtok(NULL, " \t\n"))
			w[n++] = t;
		if (n < 3 || strcmp(w[0], "zeit") || strcmp(w[1], "bisect"))
			continue; /* comments and blank lines */
		w[n] = NULL;
		struct bisect_args la = {.root = a->root, .replaying = true};
		const struct bisect_sub *s = parse(cli, n - 1, w + 1, &la, &rc);
		if (s && !s->in_replay)
			rc = cli_usage_error(cli, "bisect",
			                     "a log does not replay '%s'",
			                     la.sub);
		else if (s)
			rc = s->run(cli, &la);
		a->root = la.root; /* a line's --root holds for the next */
	}
	fclose(f);
	if (rc != ZEIT_EXIT_OK)
		return rc;
	return with_state(cli, a, do_advance, NULL);
}

int cmd_bisect(struct cli *cli, int argc, char **argv)
{
	struct bisect_args a = {0};
	int rc;
	const struct bisect_sub *s = parse(cli, argc, argv, &a, &rc);
	if (!s)
		return rc;
	int lock = -1;
	if (s->changes && !cli->z.dry_run &&
	    (lock = zeit_lock(&cli->z, cli->lock_wait)) < 0)
		return cli_error(cli);
	rc = s->run(cli, &a);
	zeit_unlock(lock);
	return rc;
}
