/* Copying entries from one tree into another and removing them, for zeit
 * restore (a snapshot into the live dataset) and zeit bisect isolate (the
 * first bad snapshot into a clone of the last good one). Both trees are
 * untrusted: every path is opened beneath its root with no symlink in any
 * component (rootdir_open_beneath), each entry by its name in a directory
 * fd zeit opened itself, never following a link; FIFOs and devices are
 * made anew, never opened. An entry is replaced by renaming a fresh one
 * over it, so a reader never sees half a file. */
#ifndef ZEIT_TREECOPY_H
#define ZEIT_TREECOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "zeit/zeit.h"

/* Told of each entry before it is copied (rel inside the destination),
 * and whether one is there already and would be replaced. */
typedef void (*tree_each)(void *arg, const char *rel, mode_t mode,
                          bool replaces);

struct tree_copy_opts {
	bool dry_run;   /* only call each */
	tree_each each; /* or NULL */
	void *arg;
	unsigned long entries; /* out: entries copied (or that would be) */
};

/* Copies the entry at src_rel in src (with what is below it) to dst_rel
 * in dst, with owner, mode, times and extended attributes. An existing
 * directory there is merged into (what the source lacks stays); anything
 * else there is replaced. dst_rel's parent must exist; its last
 * component is src_rel's. */
int tree_copy(struct zeit *z, int src, const char *src_rel, int dst,
              const char *dst_rel, struct tree_copy_opts *o);

/* Removes the entry at rel in root and everything below it. */
int tree_remove(struct zeit *z, int root, const char *rel);

/* Replaces the contents of the regular file at rel in root with data,
 * keeping its owner, mode and attributes (rewritten in place). */
int tree_write_file(struct zeit *z, int root, const char *rel, const void *data,
                    size_t len);

#endif
