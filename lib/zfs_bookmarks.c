/* Many bookmarks at once: one channel program, so one transaction group
 * for a whole tree rather than one per dataset, where programs can run
 * (root, this machine); else one `zfs bookmark` each. A remote host is
 * never sent a program: zeit serve --send takes zfs bookmark, never Lua.
 * See zeit/zfs.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zfs_priv.h"

int zfs_bookmarks(struct zfs *zh, const char *const *from,
                  const char *const *to)
{
	size_t n = 0;
	int rc = 1;

	while (to && to[n])
		n++;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char a[ZFS_MAX_NAME_LEN + 1], b[ZFS_MAX_NAME_LEN + 1];
		zfs_pool_of(to[i], a, sizeof(a));
		zfs_pool_of(to[0], b, sizeof(b));
		if (!from[i] || strcmp(a, b))
			return zeit_fail(
			        zh->z, EINVAL,
			        "bookmarks in one call are of one pool");
	}
	if (n > 1 && !zh->host)
		rc = zfs_program_bookmarks(zh, from, to);
	for (size_t i = 0; rc > 0 && i < n; i++) {
		if (zfs_bookmark(zh, from[i], to[i]) < 0 &&
		    zh->z->err != EEXIST)
			return -1;
		zeit_clear_error(zh->z);
	}
	return rc < 0 ? -1 : 0;
}
