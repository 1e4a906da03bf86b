/* `zeit serve`: the receiving end of replication as an ssh forced command
 * (command="zeit serve DATASET" in authorized_keys). It accepts the zfs
 * commands a sending zeit runs (listing, receive, resume abort, its own
 * org.zeit: bookkeeping, parents, rollback, and with --allow-prune the
 * destroy of snapshots) on datasets under its roots, and nothing else. */
#ifndef ZEIT_SERVE_H
#define ZEIT_SERVE_H

#include <stdbool.h>

#include "zeit/util.h"
#include "zeit/zeit.h"
#include "zeit/zfs.h"

/* Splits a shell line into words; shell syntax beyond quoting is refused. */
int serve_split(struct zeit *z, const char *line, struct strv *words);

/* Checks line (SSH_ORIGINAL_COMMAND) and fills argv with the command to
 * run. Returns -1 with a "permission denied: ..." message when refused. */
int serve_check(struct zeit *z, const char *line, const char *const *roots,
                bool allow_prune, struct strv *argv);

#endif
