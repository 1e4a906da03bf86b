/* send --auto's jobs to different hosts at once (send_parallel.c). */
#ifndef ZEIT_CLI_SEND_PARALLEL_H
#define ZEIT_CLI_SEND_PARALLEL_H

#include <stddef.h>

#include "cli.h"

/* Runs job i (0..n-1) in a child; returns its exit status. */
typedef int (*send_job_fn)(struct cli *cli, size_t i, void *arg);

/* Runs the n jobs, at most parallel at once and one at a time per host
 * (hosts[i] is job i's, "" for this machine), starting them in their
 * order. Each job's stdout and stderr are printed whole when it ends.
 * Returns ZEIT_EXIT_OK when every job did. */
int send_run_parallel(struct cli *cli, size_t n, const char *const *hosts,
                      int parallel, send_job_fn fn, void *arg);

#endif
