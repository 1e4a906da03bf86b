/* One wording for a failed zfs/zpool command, in zfs's own voice: the
 * object and what is wrong, on one line; the command line only at -v. */
#ifndef ZEIT_ZFS_ERRMSG_H
#define ZEIT_ZFS_ERRMSG_H

struct zfs_errmsg_in {
	const char *const *argv; /* the command that failed */
	const char *err;         /* what it wrote on stderr (may be NULL) */
	int status;              /* its exit status */
	const char *host;        /* ssh destination, NULL when local */
	int verbose;             /* the handle's -v count */
};

/* The message for a failure (free it). Takes zfs's first line, rewrites
 * the few that name no object, escapes control bytes, prefixes the host
 * and, at -v, appends the command line and exit status. */
char *zfs_errmsg(const struct zfs_errmsg_in *in);

#endif
