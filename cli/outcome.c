/* The outcome of an unattended snap --auto or prune, kept on the pools it
 * worked on for zeit status. Keeping it must not change what the command
 * reports: a failure to record is said on stderr, and the exit status
 * stays the command's own. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "zeit/send_auto.h"

void cli_record_outcome(struct cli *cli, const char *kind,
                        const struct strv *touched, const struct strv *erred,
                        time_t started, int rc, const struct strv *skipped)
{
	/* A good run clears the failures recorded, a failed one records
	 * on each pool it worked on. */
	const struct strv *pools = rc == ZEIT_EXIT_OK ? erred : touched;
	if (cli->z.dry_run || !pools->n)
		return;
	char *msg = NULL;
	if (rc != ZEIT_EXIT_OK && skipped->n)
		msg = skipped->n == 1
		              ? xstrdup(skipped->v[0])
		              : xasprintf("%s (and %zu more)", skipped->v[0],
		                          skipped->n - 1);
	else if (rc != ZEIT_EXIT_OK)
		msg = xstrdup(zeit_error(&cli->z));
	/* The command's own error stays for cli_error to print. */
	struct zeit scratch;
	zeit_init(&scratch);
	scratch.now = cli->z.now;
	scratch.verbose = cli->z.verbose; /* -vv shows the call too */
	scratch.note_to = cli->z.note_to;
	scratch.note_arg = cli->z.note_arg;
	struct zfs zh;
	zfs_init(&zh, &scratch, NULL);
	if (run_outcome_record(&zh, kind, pools, started, rc == ZEIT_EXIT_OK,
	                       msg) < 0)
		fprintf(stderr, "%s: cannot record the %s outcome: %s\n",
		        cli->prog, kind, zeit_error(&scratch));
	free(msg);
}
