/* What the driver's files (lib/zfs.c and lib/zfs_*.c) share and nothing
 * else may use: running a zfs command and the argv helpers. */
#ifndef ZEIT_ZFS_PRIV_H
#define ZEIT_ZFS_PRIV_H

#include "zeit/zfs.h"

/* Runs argv whatever its exit status; c is the caller's (free with
 * run_cmd_free) unless the command could not be run at all (-1). */
int zfs_run_any(struct zfs *zh, const struct strv *argv, const char *input,
                struct run_cmd *c);
/* Runs argv (freeing it) and discards its output; a failure leaves the
 * command and zfs's message on the handle. */
int zfs_run_quiet(struct zfs *zh, struct strv *argv);
/* Leaves the failed command's line and zfs's message on the handle. */
void zfs_fail_cmd(struct zfs *zh, struct run_cmd *c);
int zfs_check_names(struct zfs *zh, const char *const *names, unsigned kinds);
int zfs_check_name(struct zfs *zh, const char *name, unsigned kinds);
/* -r for depth < 0, -dN for N > 0, nothing for 0. */
void zfs_push_depth(struct strv *a, int depth);
void zfs_join_comma(struct buf *b, const char *first, const char *const *rest);
/* Sets zh->json from ZEIT_ZFS_NO_JSON and what this process learnt. */
void zfs_json_init(struct zfs *zh);
/* Bookmarks from[i] -> to[i] (one pool) by one program: 0 when every one
 * exists now, -1 with the first failure, 1 when programs cannot run. */
int zfs_program_bookmarks(struct zfs *zh, const char *const *from,
                          const char *const *to);

#endif
