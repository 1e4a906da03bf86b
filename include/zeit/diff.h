/* zeit diff: what changed between two snapshots of one dataset (or a
 * snapshot and the live dataset): files, packages and file contents. */
#ifndef ZEIT_DIFF_H
#define ZEIT_DIFF_H

#include <stdbool.h>

#include "zeit/pkgdb.h"
#include "zeit/zfs.h"

/* A filesystem tree to read: a snapshot or dataset, reachable at path
 * (through .zfs/snapshot, its mountpoint, or a temporary read-only mount
 * that diff_root_close undoes). */
struct diff_root {
	char *name;
	char *path;
	char *tmpdir; /* set when zeit mounted it */
};

int diff_root_open(struct zfs *zh, const char *name, struct diff_root *r);
void diff_root_close(struct zfs *zh, struct diff_root *r);

/* Checks that from is a snapshot and to (NULL: the live dataset) a
 * snapshot of the same dataset or that dataset; fills *dataset. */
int diff_check_pair(struct zeit *z, const char *from, const char *to,
                    char **dataset);

struct diff_request {
	const char *from;
	const char *to;           /* NULL: the live dataset */
	const char *const *paths; /* prefixes inside the dataset, or NULL */
	bool absolute;            /* paths under the dataset's mountpoint */
};

/* One zfs diff, with paths made relative to the dataset's root ("/etc/x")
 * or absolute under its mountpoint property, and filtered by prefixes. */
int diff_files(struct zfs *zh, const struct diff_request *req,
               struct zfs_diff_list *out);

/* Whether path (relative, "/"-rooted) lies under one of prefixes. */
bool diff_path_selected(const char *path, size_t len,
                        const char *const *prefixes);

/* The package databases of from and to, and what changed. */
int diff_packages(struct zfs *zh, const char *from, const char *to,
                  struct pkg_list *a, struct pkg_list *b,
                  struct pkg_changes *changes);

/* Unified diffs of the regular files changed under path, written to out
 * (stdout of the CLI); files over max_bytes or binary are only named. */
int diff_contents(struct zfs *zh, const char *from, const char *to,
                  const char *path, long long max_bytes, struct buf *out);

#endif
