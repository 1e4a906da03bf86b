/* zeit diff: what changed between two snapshots of one dataset (or a
 * snapshot and the live dataset): files, packages and file contents. */
#ifndef ZEIT_DIFF_H
#define ZEIT_DIFF_H

#include <stdbool.h>

#include "zeit/pkgdb.h"
#include "zeit/tmpmount.h"
#include "zeit/zfs.h"

/* A filesystem tree to read, as a directory fd for rootfile.h: a snapshot
 * through .zfs/snapshot, a dataset at its mountpoint, or a temporary
 * mount (tmpmount.h) that diff_root_close undoes. */
struct diff_root {
	char *name;
	int fd;
	struct tmpmount tm; /* set when zeit mounted it */
};

int diff_root_open(struct zfs *zh, const char *name, struct diff_root *r);
void diff_root_close(struct diff_root *r);

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

/* Receives output as it is made (the CLI writes it to stdout); a
 * non-zero return stops the diff and is returned. */
typedef int (*diff_emit)(void *arg, const char *text, size_t len);

struct diff_content_request {
	const char *from;
	const char *to;   /* NULL: the live dataset */
	const char *path; /* prefix inside the dataset */
	unsigned long long max_bytes;
};

/* Unified diffs of the regular files changed under path, one file at a
 * time to emit; files over max_bytes or binary are only named. Files are
 * read inside the snapshots (rootfile.h), never by path. */
int diff_contents(struct zfs *zh, const struct diff_content_request *req,
                  diff_emit emit, void *arg);

/* --max-size: bytes, or with K, M or G; false on junk, 0 or overflow. */
bool diff_parse_size(const char *s, unsigned long long *out);

#endif
