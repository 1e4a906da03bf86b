/* Temporary mounts in a private mount namespace (see tmpmount.h). */
#include "zeit/tmpmount.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zeit/rootfile.h"
#include "zeit/zfs_mount.h"

/* Not world-readable: an environment mounted here is nobody else's. */
#define RUN_BASE "/run/zeit"
#define TMP_BASE RUN_BASE "/tmp"

/* Each step once, and a failed step is tried again next time. */
static bool unshared, tmpfs_ready;

int mount_ns_private(struct zeit *z)
{
	if (!unshared) {
		if (unshare(CLONE_NEWNS) < 0)
			return zeit_fail(z, errno,
			                 "cannot make a private mount "
			                 "namespace: %s",
			                 strerror(errno));
		unshared = true;
	}
	if (tmpfs_ready)
		return 0;
	/* Slave, not private: mounts the host makes meanwhile (a pool
	 * imported) still show up here. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return zeit_fail(z, errno,
		                 "cannot make / a slave mount in the private "
		                 "namespace: %s",
		                 strerror(errno));
	/* The directories for temporary mounts: on the host an empty
	 * /run/zeit/tmp, here a tmpfs that only this process sees. */
	mkdir("/run", 0755);
	if ((mkdir(RUN_BASE, 0700) < 0 && errno != EEXIST) ||
	    chmod(RUN_BASE, 0700) < 0 ||
	    (mkdir(TMP_BASE, 0700) < 0 && errno != EEXIST))
		return zeit_fail(z, errno, "cannot make %s: %s", TMP_BASE,
		                 strerror(errno));
	if (mount("zeit", TMP_BASE, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	          "mode=0700,size=1m") < 0)
		return zeit_fail(z, errno, "cannot mount a tmpfs on %s: %s",
		                 TMP_BASE, strerror(errno));
	tmpfs_ready = true;
	return 0;
}

char *tmpmount_mkdir(struct zeit *z)
{
	if (mount_ns_private(z) < 0)
		return NULL;
	char *dir = xstrdup(TMP_BASE "/mnt.XXXXXX");
	if (!mkdtemp(dir)) {
		zeit_fail(z, errno, "cannot make a directory in %s: %s",
		          TMP_BASE, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

int tmpmount_open(struct zfs *zh, const char *name, struct tmpmount *t)
{
	t->fd = -1;
	t->dir = tmpmount_mkdir(zh->z);
	if (!t->dir)
		return -1;
	int dfd = open(t->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int rc = dfd < 0 ? zeit_fail(zh->z, errno, "cannot open %s: %s", t->dir,
	                             strerror(errno))
	                 : zfs_mount_fd(zh, name, dfd,
	                                ZFS_MOUNT_RDONLY | ZFS_MOUNT_NOSUID |
	                                        ZFS_MOUNT_NOEXEC);
	if (dfd >= 0)
		close(dfd);
	if (rc == 0) {
		/* The directory's own fd is the one underneath; the path
		 * now leads to the mounted root. */
		t->fd = root_open(zh->z, t->dir);
		if (t->fd < 0) {
			umount2(t->dir, MNT_DETACH);
			rc = -1;
		}
	}
	if (rc < 0) {
		rmdir(t->dir);
		free(t->dir);
		t->dir = NULL;
	}
	return rc;
}

void tmpmount_close(struct tmpmount *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (!t->dir)
		return;
	/* Busy (a child still inside): detached now, gone when it is. The
	 * namespace takes whatever is left with the process anyway. */
	if (umount2(t->dir, 0) < 0)
		umount2(t->dir, MNT_DETACH);
	rmdir(t->dir);
	free(t->dir);
	t->dir = NULL;
}
