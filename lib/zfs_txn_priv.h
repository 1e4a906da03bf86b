/* The driver's calls for package transactions (lib/zfs_txn.c), for
 * lib/pkgtxn.c. */
#ifndef ZEIT_ZFS_TXN_PRIV_H
#define ZEIT_ZFS_TXN_PRIV_H

#include "zeit/zfs.h"

/* `zfs snapshot -r [-o prop=value]... dataset@name`: the dataset and every
 * descendant, atomically in one call, the user properties set in it. */
int zfs_snapshot_tree(struct zfs *zh, const char *snap,
                      const char *const *props);
/* `zfs destroy -r dataset@a,b,...`: those snapshots of dataset and of
 * every descendant, in one call. names are short (after '@'). */
int zfs_destroy_snapshot_tree(struct zfs *zh, const char *dataset,
                              const char *const *names);
/* The ZFS dataset this process's "/" is (the last mount there, when it is
 * ZFS), from /proc/self/mounts; NULL otherwise. Inside a chroot, the
 * dataset mounted at the chroot's root. */
char *zfs_root_dataset(void);

#endif
