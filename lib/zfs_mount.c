/* mount(2) of a ZFS dataset onto a directory fd (see zfs_mount.h). The
 * kernel module needs no helper for this: canmount and mountpoint are
 * mount.zfs's business, and zeit decides where itself. */
#include "zeit/zfs_mount.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

int zfs_mount_fd(struct zfs *zh, const char *name, int dirfd, unsigned flags)
{
	char target[64];
	unsigned long mf = 0;

	if (zfs_name_check(zh->z, name, ZFS_NAME_DATASET | ZFS_NAME_SNAPSHOT) <
	    0)
		return -1;
	if ((flags & ZFS_MOUNT_RDONLY) || strchr(name, '@'))
		mf |= MS_RDONLY;
	if (flags & ZFS_MOUNT_NOSUID)
		mf |= MS_NOSUID | MS_NODEV;
	if (flags & ZFS_MOUNT_NOEXEC)
		mf |= MS_NOEXEC;
	snprintf(target, sizeof(target), "/proc/self/fd/%d", dirfd);
	zeit_note(zh->z, 2, "mount(%s, %s)", name, target);
	if (mount(name, target, "zfs", mf, NULL) < 0) {
		int e = errno;
		return zeit_fail(zh->z, e, "cannot mount %s: %s", name,
		                 e == EACCES || e == EPERM
		                         ? "permission denied (is its key "
		                           "loaded?)"
		                         : strerror(e));
	}
	return 0;
}
