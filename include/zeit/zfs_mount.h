/* The driver's mount(2) of a ZFS filesystem or snapshot onto a directory
 * given by fd. A path would be resolved again by mount(8), after zeit
 * checked it, and could meanwhile lead elsewhere (a symlink inside an
 * environment pointing at a host path); /proc/self/fd/N is the directory
 * zeit opened, nothing else. */
#ifndef ZEIT_ZFS_MOUNT_H
#define ZEIT_ZFS_MOUNT_H

#include <stdbool.h>

#include "zeit/zfs.h"

enum zfs_mount_flags {
	ZFS_MOUNT_RDONLY = 1 << 0,
	ZFS_MOUNT_NOSUID = 1 << 1, /* nosuid and nodev: an old environment's
	                              setuid binaries and device nodes stay
	                              inert */
	ZFS_MOUNT_NOEXEC = 1 << 2,
};

/* Mounts name on the directory open at dirfd (O_PATH is enough), whatever
 * its mountpoint and canmount say; snapshots mount read-only. */
int zfs_mount_fd(struct zfs *zh, const char *name, int dirfd, unsigned flags);

/* Decodes one line of /proc/self/mounts in place: true for a ZFS mount,
 * with *dataset and *dir pointing into line (octal escapes undone). */
bool zfs_mounts_line(char *line, char **dataset, char **dir);

#endif
