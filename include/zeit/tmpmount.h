/* A temporary read-only mount of a filesystem or snapshot, to read it:
 * the one home for "mount it somewhere fresh, read, unmount". It is
 * nodev,nosuid,noexec and lives in a private mount namespace of this
 * process, so nobody else sees it and it vanishes with the process, even
 * after SIGKILL. */
#ifndef ZEIT_TMPMOUNT_H
#define ZEIT_TMPMOUNT_H

#include "zeit/zfs.h"

struct tmpmount {
	char *dir; /* where it is mounted (in this process's namespace) */
	int fd;    /* the mounted root, for rootfile.h; -1 when closed */
};

/* Moves this process (once) into its own mount namespace, with / a slave
 * of the host's: host mounts still show up here, mounts made here never
 * reach the host and go when the process does. Children inherit it. */
int mount_ns_private(struct zeit *z);

/* A fresh empty directory (malloc'd) for mounts of this process: on a
 * tmpfs of the private namespace, so it too goes with the process. */
char *tmpmount_mkdir(struct zeit *z);

/* Mounts name read-only, nodev, nosuid, noexec at a fresh directory. */
int tmpmount_open(struct zfs *zh, const char *name, struct tmpmount *t);
/* Unmounts (lazily if busy) and removes the directory; t may be closed. */
void tmpmount_close(struct tmpmount *t);

#endif
