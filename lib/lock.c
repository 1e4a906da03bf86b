#include "zeit/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* The descriptor this process holds the lock on, and how often it took
 * it: a command that runs others (bisect replay) takes it once. */
static int held_fd = -1;
static int held_depth;

int zeit_lock(struct zeit *z, int timeout_s)
{
	if (held_fd >= 0) {
		held_depth++;
		return held_fd;
	}
	const char *path = getenv("ZEIT_LOCK");
	if (!path || !*path)
		path = ZEIT_LOCK_PATH;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return zeit_fail(z, errno, "cannot open lock %s: %s", path,
		                 strerror(errno));
	bool told = false;
	time_t until = time(NULL) + timeout_s;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			held_fd = fd;
			held_depth = 1;
			return fd;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = errno;
			close(fd);
			return zeit_fail(z, e, "cannot lock %s: %s", path,
			                 strerror(e));
		}
		if (time(NULL) >= until) {
			close(fd);
			return zeit_fail(
			        z, EAGAIN,
			        "another zeit run has held %s for over "
			        "%d s; giving up",
			        path, timeout_s);
		}
		if (!told) {
			zeit_note(z, 1, "another zeit run holds %s; waiting",
			          path);
			told = true;
		}
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

void zeit_unlock(int fd)
{
	if (fd < 0)
		return;
	if (fd == held_fd && --held_depth > 0)
		return;
	if (fd == held_fd)
		held_fd = -1;
	close(fd);
}
