/* zeit bisect run --boot and zeit bisect step: the bisection that boots
 * its candidates (lib/bisect_boot.c), and the reboot between them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "zeit/bisect.h"
#include "zeit/config.h"
#include "zeit/run.h"

static int open_root(struct cli *cli, const char *root, struct zfs *zh,
                     struct be_ctx *c)
{
	struct zeit_config cfg;
	if (cli_load_config(cli, &cfg) < 0)
		return -1;
	config_free(&cfg);
	zfs_init(zh, &cli->z, NULL);
	if (!root)
		root = getenv("ZEIT_BE_ROOT");
	return be_open(c, zh, root && *root ? root : NULL);
}

static const char *short_of(const char *snap)
{
	const char *at = strchr(snap, '@');
	return at ? at + 1 : snap;
}

bool cli_bisect_boot_result(struct cli *cli, struct be_ctx *c)
{
	char *r = bisect_boot_result(c);
	if (!r)
		return false;
	zeit_clear_error(&cli->z);
	/* "first-bad=A last-good=B", or first-bad-one-of=A,B,... */
	char *sp = strchr(r, ' ');
	if (sp)
		*sp++ = '\0';
	char *eq = strchr(r, '=');
	printf("no bisection in progress; the last boot bisection ended "
	       "with:\n");
	if (eq && !strncmp(r, "first-bad=", 10))
		printf("first bad snapshot: %s\n", eq + 1);
	else if (eq)
		printf("the first bad snapshot is one of: %s\n", eq + 1);
	if (sp && !strncmp(sp, "last-good=", 10))
		printf("last good snapshot: %s\n", sp + 10);
	free(r);
	return true;
}

/* The machine reboots into what the step set to boot once. */
static int reboot_now(struct cli *cli, bool no_reboot)
{
	if (no_reboot) {
		printf("bisect: reboot now (not rebooting: --no-reboot)\n");
		return ZEIT_EXIT_OK;
	}
	printf("bisect: rebooting\n");
	fflush(stdout);
	const char *const argv[] = {"systemctl", "--no-block", "reboot", NULL};
	struct run_cmd c;
	run_cmd_init(&c, argv);
	c.flags = RUN_INHERIT_STDOUT | RUN_INHERIT_STDERR;
	int r = run(&cli->z, &c);
	int st = c.status;
	run_cmd_free(&c);
	if (r < 0)
		return cli_error(cli);
	if (st != 0) {
		fprintf(stderr, "zeit bisect: systemctl reboot exited %d\n",
		        st);
		return ZEIT_EXIT_ERROR;
	}
	return ZEIT_EXIT_OK;
}

static int report(struct cli *cli, struct be_ctx *c,
                  const struct bisect_boot_outcome *o, bool no_reboot)
{
	if (o->tested)
		printf("bisect: %s is %s%s\n", o->tested,
		       bisect_mark_name(o->mark),
		       o->did == BBOOT_FAILED ? " (it never came up)" : "");
	if (o->did == BBOOT_REBOOT)
		printf("bisect: the candidate under test has not booted "
		       "yet\n");
	if (o->next)
		printf("bisect: next %s, cloned into %s/%s, set to boot "
		       "once\n",
		       short_of(o->next), c->root, o->next_clone);
	else if (o->reboot)
		printf("bisect: answer found; back to the default "
		       "environment\n");
	if (o->finished)
		cli_bisect_boot_result(cli, c);
	if (cli->z.dry_run)
		return ZEIT_EXIT_OK;
	return o->reboot ? reboot_now(cli, no_reboot) : ZEIT_EXIT_OK;
}

int cli_bisect_boot(struct cli *cli, const char *root, const char *check,
                    const char *timeout, bool no_reboot)
{
	struct bisect_boot_opts o = {.check = check};
	if (timeout) {
		long t = bisect_boot_timeout_parse(timeout);
		if (t < 0)
			return cli_usage_error(cli, "bisect",
			                       "--timeout takes seconds, 1 to "
			                       "86400, not '%s'",
			                       timeout);
		o.timeout = (unsigned)t;
	}
	struct zfs zh;
	struct be_ctx c;
	struct bisect_boot_outcome out;
	if (open_root(cli, root, &zh, &c) < 0)
		return cli_error(cli);
	int rc = bisect_boot_begin(&c, &o, &out) < 0
	                 ? cli_error(cli)
	                 : report(cli, &c, &out, no_reboot);
	bisect_boot_outcome_free(&out);
	be_close(&c);
	return rc;
}

int cli_bisect_step(struct cli *cli, const char *root, bool no_reboot)
{
	struct zfs zh;
	struct be_ctx c;
	struct bisect_boot_outcome out;
	if (open_root(cli, root, &zh, &c) < 0)
		return cli_error(cli);
	int rc = bisect_boot_step(&c, &out) < 0
	                 ? cli_error(cli)
	                 : report(cli, &c, &out, no_reboot);
	bisect_boot_outcome_free(&out);
	be_close(&c);
	return rc;
}
