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
		if (e == ENOENT)
			return zeit_fail(
			        zh->z, e,
			        strchr(name, '@')
			                ? "snapshot '%s' does not exist"
			                : "cannot open '%s': dataset "
			                  "does not exist",
			        name);
		return zeit_fail(zh->z, e, "cannot mount '%s': %s", name,
		                 e == EACCES || e == EPERM
		                         ? "permission denied (is its key "
		                           "loaded?)"
		                         : strerror(e));
	}
	return 0;
}

/* The kernel writes space, tab, newline and backslash in a field as \ooo;
 * anything else is left as it is. */
static void unescape(char *f)
{
	char *w = f;
	for (char *r = f; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' &&
		    r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 +
			              (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

bool zfs_mounts_line(char *line, char **dataset, char **dir)
{
	char *fields[3] = {NULL};
	char *save = NULL, *p = line;

	line[strcspn(line, "\n")] = '\0';
	for (int i = 0; i < 3; i++, p = NULL)
		fields[i] = strtok_r(p, " ", &save);
	if (!fields[2] || strcmp(fields[2], "zfs") != 0)
		return false;
	unescape(fields[0]);
	unescape(fields[1]);
	*dataset = fields[0];
	*dir = fields[1];
	return true;
}
