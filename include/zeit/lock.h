/* One zeit run at a time per host for commands that change snapshots:
 * a second `snap` or `prune` waits for the first, then plans from what the
 * first left, so nothing is taken or destroyed twice. */
#ifndef ZEIT_LOCK_H
#define ZEIT_LOCK_H

#include "zeit/zeit.h"

#define ZEIT_LOCK_PATH "/run/zeit.lock"

/* Takes the lock at $ZEIT_LOCK (default ZEIT_LOCK_PATH), waiting at most
 * timeout_s seconds. Returns the held descriptor, or -1 with a message. */
int zeit_lock(struct zeit *z, int timeout_s);
void zeit_unlock(int fd);

#endif
