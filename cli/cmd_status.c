#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "zeit/config.h"
#include "zeit/escape.h"
#include "zeit/status.h"

/* One line, then perfdata, as monitoring plugins print. */
static void print_nagios(const struct status_report *r)
{
	size_t n[4] = {0};
	for (size_t i = 0; i < r->n; i++)
		n[r->v[i].state]++;
	printf("ZEIT %s - %zu critical, %zu warning, %zu unknown, %zu ok",
	       status_state_name(r->worst), n[STATUS_CRITICAL],
	       n[STATUS_WARNING], n[STATUS_UNKNOWN], n[STATUS_OK]);
	int shown = 0;
	for (size_t i = 0; i < r->n && shown < 3; i++) {
		const struct status_check *c = &r->v[i];
		if (c->state == STATUS_OK)
			continue;
		char *sub = escape_dup(c->subject), *chk = escape_dup(c->check),
		     *det = escape_dup(c->detail);
		printf("%s %s %s: %s", shown ? ";" : ":", sub, chk, det);
		free(sub);
		free(chk);
		free(det);
		shown++;
	}
	printf(" |");
	for (size_t i = 0; i < r->n; i++) {
		const struct status_check *c = &r->v[i];
		char *sub = escape_dup(c->subject), *chk = escape_dup(c->check);
		if (c->kind == STATUS_TIER && c->age >= 0)
			printf(" '%s %s age'=%llds", sub, chk, c->age);
		else if (c->kind == STATUS_REPLICA && c->lag >= 0)
			printf(" '%s lag'=%llds", sub, c->lag);
		else if (c->kind == STATUS_POOL)
			printf(" '%s capacity'=%d%%", sub, c->capacity);
		else if (c->kind == STATUS_HOLD && !c->hold_tag &&
		         c->count >= 0)
			printf(" '%s stale holds'=%lld", sub, c->count);
		free(sub);
		free(chk);
	}
	printf("\n");
}

/* The checks as a table, problems coloured for a terminal. */
static void print_table(struct cli *cli, const struct status_report *r)
{
	static const char *const cols[] = {"STATE", "SUBJECT", "CHECK",
	                                   "DETAIL", NULL};
	bool color = !cli->json && !cli->scripted && isatty(1);
	struct table t;
	table_init(&t, cols);
	for (size_t i = 0; i < r->n; i++) {
		const struct status_check *k = &r->v[i];
		const char *paint = k->state == STATUS_CRITICAL  ? "31"
		                    : k->state == STATUS_WARNING ? "33"
		                    : k->state == STATUS_UNKNOWN ? "35"
		                                                 : NULL;
		const char *row[] = {status_state_name(k->state), k->subject,
		                     k->check, k->detail};
		table_add(&t, row);
		if (color && paint)
			table_paint(&t, 0, paint);
	}
	table_print(cli, &t, "status");
	table_free(&t);
}

/* A failure before any check ran: a plugin's UNKNOWN, or the error. */
static int cannot_check(struct cli *cli, bool nagios)
{
	if (!nagios)
		return cli_error(cli);
	printf("ZEIT UNKNOWN - %s\n", zeit_error(&cli->z));
	return STATUS_UNKNOWN;
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	enum { OPT_NAGIOS = 0x2000, OPT_PROM };
	static const struct option longopts[] = {
	        {"nagios", no_argument, NULL, OPT_NAGIOS},
	        {"prometheus", required_argument, NULL, OPT_PROM},
	        {NULL, 0, NULL, 0},
	};
	bool nagios = false;
	const char *prom = NULL;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case OPT_NAGIOS: nagios = true; break;
		case OPT_PROM: prom = optarg; break;
		default: return ZEIT_EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc; i++)
		if (zfs_name_check(&cli->z, argv[i], ZFS_NAME_DATASET) < 0)
			return nagios ? cannot_check(cli, true)
			              : cli_usage_error(cli, "status", "%s",
			                                zeit_error(&cli->z));
	struct zeit_config cfg;
	if (cli_load_config(cli, &cfg) < 0)
		return cannot_check(cli, nagios);
	struct zfs zh;
	struct status_report r;
	zfs_init(&zh, &cli->z, NULL);
	if (status_run(&zh, &cfg, (const char *const *)argv + optind, &r) < 0) {
		config_free(&cfg);
		return cannot_check(cli, nagios);
	}
	int rc = ZEIT_EXIT_OK;
	if (prom && status_prometheus_write(&cli->z, &r, cli->z.now, prom) < 0)
		rc = nagios ? STATUS_UNKNOWN : cli_error(cli);
	if (nagios) {
		print_nagios(&r);
		if (rc == ZEIT_EXIT_OK)
			rc = (int)r.worst;
	} else if (!prom || cli->json || cli->scripted || isatty(1)) {
		print_table(cli, &r);
		/* Problems make the exit status 1, for scripts; --nagios
		 * gives the plugin codes. */
		if (rc == ZEIT_EXIT_OK && r.worst != STATUS_OK)
			rc = ZEIT_EXIT_ERROR;
	}
	status_report_free(&r);
	config_free(&cfg);
	return rc;
}
