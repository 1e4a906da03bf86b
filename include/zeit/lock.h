/* One zeit run at a time per host for commands that change pools (snap,
 * prune, send, destroy, be's changing subcommands, bisect): a second one
 * waits for the first, then plans from what the first left, so nothing is
 * taken or destroyed twice and no prune removes a snapshot a send or a
 * bisection is using. Read-only commands and dry runs take no lock. */
#ifndef ZEIT_LOCK_H
#define ZEIT_LOCK_H

#include "zeit/zeit.h"

#define ZEIT_LOCK_PATH "/run/zeit.lock"

/* Takes the lock at $ZEIT_LOCK (default ZEIT_LOCK_PATH), waiting at most
 * timeout_s seconds. Returns the held descriptor, or -1 with a message.
 * A process that holds it may take it again; each take needs its unlock. */
int zeit_lock(struct zeit *z, int timeout_s);
void zeit_unlock(int fd);

#endif
