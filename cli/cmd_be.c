#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "zeit/lock.h"
#include "zeit/be.h"
#include "zeit/ztime.h"

static const char *root_opt;

static const struct option be_longopts[] = {
        {"root", required_argument, NULL, 'R'},
        {NULL, 0, NULL, 0},
};

static int usage(struct cli *cli, const char *fmt, const char *arg)
{
	return cli_usage_error(cli, "be", fmt, arg ? arg : "");
}

/* Parses a subcommand's own flags (plus --root); returns the first
 * operand's index, or -1 after a usage error. */
static int sub_opts(struct cli *cli, int argc, char **argv,
                    const char *shortopts, const struct option *extra,
                    int (*on)(int c, void *arg), void *arg)
{
	struct option lo[16];
	size_t n = 0;
	for (size_t i = 0; extra && extra[i].name && n < 12; i++)
		lo[n++] = extra[i];
	lo[n++] = be_longopts[0];
	memset(&lo[n], 0, sizeof(lo[n]));
	int c;
	while ((c = cli_getopt(cli, argc, argv, shortopts, lo)) != -1) {
		if (c == 'R') {
			root_opt = optarg;
			continue;
		}
		if (c == '?' || !on || on(c, arg) < 0)
			return -1;
	}
	return optind;
}

static int open_ctx(struct cli *cli, struct zfs *zh, struct be_ctx *c)
{
	zfs_init(zh, &cli->z, NULL);
	const char *root = root_opt ? root_opt : getenv("ZEIT_BE_ROOT");
	return be_open(c, zh, root && *root ? root : NULL);
}

static int flag_on(int c, void *arg)
{
	(void)c;
	*(bool *)arg = true;
	return 0;
}

static int be_cmd_list(struct cli *cli, int argc, char **argv)
{
	static const char *const cols[] = {"NAME",  "ACTIVE", "CREATION",
	                                   "#USED", "ORIGIN", "KERNELS",
	                                   "TRIAL", NULL};
	bool no_kernels = false;
	static const struct option lo[] = {
	        {"no-kernels", no_argument, NULL, 'K'}, {NULL, 0, NULL, 0}};
	if (sub_opts(cli, argc, argv, "", lo, flag_on, &no_kernels) < 0)
		return ZEIT_EXIT_USAGE;
	struct zfs zh;
	struct be_ctx c;
	struct be_list l;
	if (open_ctx(cli, &zh, &c) < 0)
		return cli_error(cli);
	if (be_list(&c, !no_kernels, &l) < 0) {
		be_close(&c);
		return cli_error(cli);
	}
	struct table t;
	table_init(&t, cols);
	for (size_t i = 0; i < l.n; i++) {
		const struct be_info *b = &l.v[i];
		char act[4] = "", when[32], used[32];
		struct buf k;
		buf_init(&k);
		if (b->active_now)
			strcat(act, "N");
		if (b->active_reboot)
			strcat(act, "R");
		if (b->active_once)
			strcat(act, "T");
		ztime_format((time_t)b->creation, when, sizeof(when));
		if (cli->json || cli->scripted)
			snprintf(used, sizeof(used), "%llu",
			         (unsigned long long)b->used);
		else
			cli_human_bytes(b->used, true, used, sizeof(used));
		for (size_t j = 0; j < b->kernels.n; j++)
			buf_addf(&k, "%s%s", j ? "," : "",
			         b->kernels.v[j].version[0]
			                 ? b->kernels.v[j].version
			                 : b->kernels.v[j].kernel);
		const char *row[] = {b->name,
		                     *act ? act : "-",
		                     when,
		                     used,
		                     b->origin,
		                     !b->kernels_read ? "?"
		                     : k.len          ? k.data
		                                      : "none",
		                     be_trial_name(b->trial)};
		table_add(&t, row);
		buf_free(&k);
	}
	table_print(cli, &t, "environments");
	table_free(&t);
	be_list_free(&l);
	be_close(&c);
	return ZEIT_EXIT_OK;
}

struct create_args {
	struct be_create_opts o;
	int modes;
};

static int create_on(int c, void *arg)
{
	struct create_args *a = arg;
	switch (c) {
	case 'e': a->o.source = optarg; return 0;
	case 'r': a->o.recursive = true; return 0;
	case 'C':
		a->o.mode = BE_CLONE;
		a->modes++;
		return 0;
	case 'P':
		a->o.mode = BE_PROMOTE;
		a->modes++;
		return 0;
	case 'D':
		a->o.mode = BE_DUPLICATE;
		a->modes++;
		return 0;
	}
	return -1;
}

static int be_cmd_create(struct cli *cli, int argc, char **argv)
{
	static const struct option lo[] = {
	        {"clone", no_argument, NULL, 'C'},
	        {"promote", no_argument, NULL, 'P'},
	        {"duplicate", no_argument, NULL, 'D'},
	        {"recursive", no_argument, NULL, 'r'},
	        {NULL, 0, NULL, 0}};
	struct create_args a = {.o = {.mode = BE_CLONE}};
	int i = sub_opts(cli, argc, argv, "e:r", lo, create_on, &a);
	if (i < 0)
		return ZEIT_EXIT_USAGE;
	if (a.modes > 1)
		return usage(cli,
		             "--clone, --promote and --duplicate exclude "
		             "each other%s",
		             NULL);
	if (argc - i != 1)
		return usage(cli, "create needs one NAME%s", NULL);
	a.o.name = argv[i];
	if (be_name_check(&cli->z, a.o.name) < 0)
		return usage(cli, "%s", zeit_error(&cli->z));
	struct zfs zh;
	struct be_ctx c;
	if (open_ctx(cli, &zh, &c) < 0)
		return cli_error(cli);
	int rc = be_create(&c, &a.o) < 0 ? cli_error(cli) : ZEIT_EXIT_OK;
	if (rc == ZEIT_EXIT_OK && !cli->z.dry_run && !cli->json)
		printf("created %s/%s\n", c.root, a.o.name);
	be_close(&c);
	return rc;
}

struct activate_args {
	bool once, trial;
};

static int activate_on(int c, void *arg)
{
	struct activate_args *a = arg;
	if (c == 't')
		a->once = true;
	else if (c == 'T')
		a->trial = true;
	else
		return -1;
	return 0;
}

static int be_cmd_activate(struct cli *cli, int argc, char **argv)
{
	static const struct option lo[] = {{"once", no_argument, NULL, 't'},
	                                   {"trial", no_argument, NULL, 'T'},
	                                   {NULL, 0, NULL, 0}};
	struct activate_args a = {0};
	int i = sub_opts(cli, argc, argv, "t", lo, activate_on, &a);
	if (i < 0)
		return ZEIT_EXIT_USAGE;
	if (a.once && a.trial)
		return usage(cli,
		             "--once and --trial exclude each other (a trial "
		             "is a once-only boot that must confirm)%s",
		             NULL);
	if (argc - i != 1)
		return usage(cli, "activate needs one NAME%s", NULL);
	struct zfs zh;
	struct be_ctx c;
	if (open_ctx(cli, &zh, &c) < 0)
		return cli_error(cli);
	int r = a.trial ? be_activate_trial(&c, argv[i])
	                : be_activate(&c, argv[i], a.once);
	/* Made the default by hand: a trial it failed is over. */
	if (r == 0 && !a.trial && !a.once)
		r = be_trial_forget(&c, argv[i]);
	int rc = r < 0 ? cli_error(cli) : ZEIT_EXIT_OK;
	be_close(&c);
	return rc;
}

/* Run by zeit-boot-ok.service once the boot reached its target. */
static int be_cmd_confirm(struct cli *cli, int argc, char **argv)
{
	int i = sub_opts(cli, argc, argv, "", NULL, NULL, NULL);
	if (i < 0)
		return ZEIT_EXIT_USAGE;
	if (argc - i != 0)
		return usage(cli, "confirm takes no operands%s", NULL);
	/* A system not booted from ZFS has no boot to confirm. */
	char *rootds = zfs_dataset_at("/");
	bool on_zfs = rootds != NULL;
	free(rootds);
	if (!on_zfs)
		return ZEIT_EXIT_OK;
	struct zfs zh;
	struct be_ctx c;
	struct be_confirm_result r;
	if (open_ctx(cli, &zh, &c) < 0)
		return cli_error(cli);
	int rc = be_confirm(&c, &r) < 0 ? cli_error(cli) : ZEIT_EXIT_OK;
	if (rc == ZEIT_EXIT_OK && !cli->z.dry_run) {
		if (r.confirmed)
			printf("confirmed %s: it is the default now\n",
			       r.confirmed);
		for (size_t k = 0; k < r.failed.n; k++)
			printf("trial of %s failed: it never confirmed its "
			       "boot\n",
			       r.failed.v[k]);
	}
	be_confirm_result_free(&r);
	be_close(&c);
	return rc;
}

static int be_cmd_nextboot(struct cli *cli, int argc, char **argv)
{
	static const struct option lo[] = {{"take", no_argument, NULL, 'T'},
	                                   {NULL, 0, NULL, 0}};
	bool take = false;
	int i = sub_opts(cli, argc, argv, "", lo, flag_on, &take);
	if (i < 0)
		return ZEIT_EXIT_USAGE;
	if (argc - i != 0)
		return usage(cli, "next-boot takes no operands%s", NULL);
	struct zfs zh;
	struct be_ctx c;
	if (open_ctx(cli, &zh, &c) < 0)
		return cli_error(cli);
	char *name = take ? be_take_nextboot(&c)
	                  : (c.nextboot ? xstrdup(c.nextboot) : NULL);
	int rc = ZEIT_EXIT_OK;
	if (take && !name && cli->z.err)
		rc = cli_error(cli);
	else if (name)
		printf("%s\n", name);
	free(name);
	be_close(&c);
	return rc;
}

static int be_cmd_destroy(struct cli *cli, int argc, char **argv)
{
	bool origin = false;
	int i = sub_opts(cli, argc, argv, "o", NULL, flag_on, &origin);
	if (i < 0)
		return ZEIT_EXIT_USAGE;
	if (argc - i != 1)
		return usage(cli, "destroy needs one NAME%s", NULL);
	struct zfs zh;
	struct be_ctx c;
	if (open_ctx(cli, &zh, &c) < 0)
		return cli_error(cli);
	int rc = be_destroy(&c, argv[i], origin) < 0 ? cli_error(cli)
	                                             : ZEIT_EXIT_OK;
	be_close(&c);
	return rc;
}

static int be_cmd_rename(struct cli *cli, int argc, char **argv)
{
	int i = sub_opts(cli, argc, argv, "", NULL, NULL, NULL);
	if (i < 0)
		return ZEIT_EXIT_USAGE;
	if (argc - i != 2)
		return usage(cli, "rename needs OLD and NEW%s", NULL);
	struct zfs zh;
	struct be_ctx c;
	if (open_ctx(cli, &zh, &c) < 0)
		return cli_error(cli);
	int rc = be_rename(&c, argv[i], argv[i + 1]) < 0 ? cli_error(cli)
	                                                 : ZEIT_EXIT_OK;
	be_close(&c);
	return rc;
}

static int be_cmd_mount(struct cli *cli, int argc, char **argv)
{
	bool ro = false;
	static const struct option lo[] = {
	        {"read-only", no_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};
	int i = sub_opts(cli, argc, argv, "", lo, flag_on, &ro);
	if (i < 0)
		return ZEIT_EXIT_USAGE;
	if (argc - i < 1 || argc - i > 2)
		return usage(cli, "mount needs NAME [DIR]%s", NULL);
	struct zfs zh;
	struct be_ctx c;
	if (open_ctx(cli, &zh, &c) < 0)
		return cli_error(cli);
	char *where = NULL;
	int rc = be_mount(&c, argv[i], argc - i == 2 ? argv[i + 1] : NULL, ro,
	                  &where) < 0
	                 ? cli_error(cli)
	                 : ZEIT_EXIT_OK;
	if (where)
		printf("%s\n", where);
	free(where);
	be_close(&c);
	return rc;
}

static int be_cmd_umount(struct cli *cli, int argc, char **argv)
{
	int i = sub_opts(cli, argc, argv, "", NULL, NULL, NULL);
	if (i < 0)
		return ZEIT_EXIT_USAGE;
	if (argc - i != 1)
		return usage(cli, "umount needs NAME%s", NULL);
	struct zfs zh;
	struct be_ctx c;
	if (open_ctx(cli, &zh, &c) < 0)
		return cli_error(cli);
	int rc = be_umount(&c, argv[i]) < 0 ? cli_error(cli) : ZEIT_EXIT_OK;
	be_close(&c);
	return rc;
}

static int be_cmd_chroot(struct cli *cli, int argc, char **argv)
{
	bool ro = false;
	static const struct option lo[] = {
	        {"read-only", no_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};
	/* '+': everything after NAME belongs to the command. */
	int i = sub_opts(cli, argc, argv, "+", lo, flag_on, &ro);
	if (i < 0)
		return ZEIT_EXIT_USAGE;
	if (argc - i < 1)
		return usage(cli, "chroot needs NAME [CMD...]%s", NULL);
	struct zfs zh;
	struct be_ctx c;
	if (open_ctx(cli, &zh, &c) < 0)
		return cli_error(cli);
	int status = -1;
	int rc = be_chroot(&c, argv[i], ro, (const char *const *)argv + i + 1,
	                   &status);
	be_close(&c);
	if (rc < 0)
		return cli_error(cli);
	return status < 0 ? ZEIT_EXIT_ERROR : status;
}

static int be_cmd_snapshots(struct cli *cli, int argc, char **argv)
{
	static const char *const cols[] = {"SNAPSHOT", "TIER", "CREATION",
	                                   "AGE", NULL};
	int i = sub_opts(cli, argc, argv, "", NULL, NULL, NULL);
	if (i < 0)
		return ZEIT_EXIT_USAGE;
	if (argc - i != 1)
		return usage(cli, "snapshots needs NAME%s", NULL);
	struct zfs zh;
	struct be_ctx c;
	struct be_snap_list l;
	if (open_ctx(cli, &zh, &c) < 0)
		return cli_error(cli);
	if (be_snapshots(&c, argv[i], &l) < 0) {
		be_close(&c);
		return cli_error(cli);
	}
	struct table t;
	table_init(&t, cols);
	for (size_t k = 0; k < l.n; k++) {
		char when[32], age[32];
		long long secs = (long long)(cli->z.now - l.v[k].creation);
		ztime_format((time_t)l.v[k].creation, when, sizeof(when));
		if (secs < 0)
			snprintf(age, sizeof(age), "future");
		else if (secs < 3600)
			snprintf(age, sizeof(age), "%lldm", secs / 60);
		else if (secs < 2 * 86400)
			snprintf(age, sizeof(age), "%lldh", secs / 3600);
		else
			snprintf(age, sizeof(age), "%lldd", secs / 86400);
		const char *row[] = {l.v[k].name,
		                     l.v[k].tier ? l.v[k].tier : "-", when,
		                     age};
		table_add(&t, row);
	}
	table_print(cli, &t, "snapshots");
	table_free(&t);
	be_snap_list_free(&l);
	be_close(&c);
	return ZEIT_EXIT_OK;
}

struct rollback_args {
	struct be_rollback_opts o;
	bool yes;
};

static int rollback_on(int c, void *arg)
{
	struct rollback_args *a = arg;
	switch (c) {
	case 'r': a->o.destroy_later = true; return 0;
	case 'y': a->yes = true; return 0;
	case 'f': a->o.force = true; return 0;
	}
	return -1;
}

static int be_cmd_rollback(struct cli *cli, int argc, char **argv)
{
	static const struct option lo[] = {{"yes", no_argument, NULL, 'y'},
	                                   {"force", no_argument, NULL, 'f'},
	                                   {NULL, 0, NULL, 0}};
	struct rollback_args a = {0};
	int i = sub_opts(cli, argc, argv, "ryf", lo, rollback_on, &a);
	if (i < 0)
		return ZEIT_EXIT_USAGE;
	if (argc - i != 1)
		return usage(cli, "rollback needs NAME@SNAPSHOT%s", NULL);
	a.o.target = argv[i];
	if (!a.yes && !cli->z.dry_run) {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr,
			        "zeit be rollback: discards everything "
			        "written since %s; confirm with -y\n",
			        a.o.target);
			return ZEIT_EXIT_USAGE;
		}
		fprintf(stderr,
		        "Roll back to %s, discarding what was written "
		        "since? [y/N] ",
		        a.o.target);
		char ans[16] = "";
		if (!fgets(ans, sizeof(ans), stdin) ||
		    (ans[0] != 'y' && ans[0] != 'Y')) {
			fprintf(stderr, "nothing done\n");
			return ZEIT_EXIT_ERROR;
		}
	}
	struct zfs zh;
	struct be_ctx c;
	if (open_ctx(cli, &zh, &c) < 0)
		return cli_error(cli);
	int rc = be_rollback(&c, &a.o) < 0 ? cli_error(cli) : ZEIT_EXIT_OK;
	be_close(&c);
	return rc;
}

/* changes: the subcommand changes the pool, so it takes the host's lock. */
static const struct {
	const char *name;
	int (*run)(struct cli *, int, char **);
	bool changes;
} subs[] = {
        {"list", be_cmd_list, false},
        {"create", be_cmd_create, true},
        {"activate", be_cmd_activate, true},
        {"next-boot", be_cmd_nextboot, true},
        {"confirm", be_cmd_confirm, true},
        {"destroy", be_cmd_destroy, true},
        {"rename", be_cmd_rename, true},
        {"mount", be_cmd_mount, false},
        {"umount", be_cmd_umount, false},
        {"unmount", be_cmd_umount, false},
        {"chroot", be_cmd_chroot, false},
        {"snapshots", be_cmd_snapshots, false},
        {"rollback", be_cmd_rollback, true},
};

int cmd_be(struct cli *cli, int argc, char **argv)
{
	root_opt = NULL;
	int c;
	while ((c = cli_getopt(cli, argc, argv, "+", be_longopts)) != -1) {
		if (c == 'R')
			root_opt = optarg;
		else
			return ZEIT_EXIT_USAGE;
	}
	const char *sub = optind < argc ? argv[optind] : "list";
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(sub, subs[i].name))
			continue;
		int sub_argc = optind < argc ? argc - optind : 1;
		char **sub_argv = optind < argc ? argv + optind : argv;
		optind = 0;
		int lock = -1;
		if (subs[i].changes && !cli->z.dry_run &&
		    (lock = zeit_lock(&cli->z, cli->lock_wait)) < 0)
			return cli_error(cli);
		int rc = subs[i].run(cli, sub_argc, sub_argv);
		zeit_unlock(lock);
		return rc;
	}
	return usage(cli, "unknown subcommand '%s' (see zeit help be)", sub);
}
