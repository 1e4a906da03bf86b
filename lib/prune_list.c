/* The listings prune plans from, taken inside the kernel by the driver's
 * tree-listing program (zfs_list_tree): `zfs list` pays one ioctl a
 * snapshot, which dominates a prune on a slow or emulated machine; the
 * program pays none. Any failure here is harmless: the caller lists with
 * `zfs list` instead. */
#include "zeit/prune.h"
#include "zeit/select.h"

int prune_list(struct zfs *zh, const char *const *roots, bool recursive,
               struct zfs_dataset_list *all, struct zfs_snap_list *snaps)
{
	return zfs_list_tree(zh, roots, recursive, select_props(), all, snaps);
}
