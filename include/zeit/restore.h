/* zeit restore: a file or directory put back from a snapshot, after a
 * guard snapshot of what it is written into, so the restore itself can be
 * undone (zfs rollback, or zeit restore from the guard). */
#ifndef ZEIT_RESTORE_H
#define ZEIT_RESTORE_H

#include "zeit/props.h"
#include "zeit/treecopy.h"
#include "zeit/zfs.h"

/* Set on guard snapshots: the path restored. */
#define RESTORE_GUARD_PROP ZEIT_PROP_RESTORE_GUARD

struct restore_request {
	const char *dataset; /* the snapshot's dataset */
	const char *path;    /* inside it, "/"-rooted */
	const char *from;    /* snapshot: short name or dataset@name */
	const char *to;      /* a directory to put it in; NULL: in place */
	tree_each each;      /* told of every entry (with -n, only that) */
	void *arg;
};

struct restore_result {
	char *guard;      /* the guard snapshot, or NULL (dry run, no ZFS) */
	char *written_in; /* the directory the entry went into */
	unsigned long entries;
};

int restore_run(struct zfs *zh, const struct restore_request *r,
                struct restore_result *out);
void restore_result_free(struct restore_result *r);

#endif
