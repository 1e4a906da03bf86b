/* zeit log: the history of one path across a dataset's snapshots (and a
 * replica's): each distinct version once, with the snapshots it lived in.
 * Versions are told apart cheaply: inode, change time, size and mtime
 * first (a snapshot keeps them; nobody can set a change time), and the
 * contents are read only where those disagree and the size does not. */
#ifndef ZEIT_FILELOG_H
#define ZEIT_FILELOG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "zeit/diff.h"
#include "zeit/zfs.h"

enum filelog_kind {
	FILELOG_ABSENT, /* nothing at the path */
	FILELOG_FILE,
	FILELOG_DIR,
	FILELOG_LINK,
	FILELOG_OTHER, /* FIFO, device, socket: never opened */
};

/* A version: one content the path had, and the runs of consecutive
 * snapshots (indexes into filelog.snaps) it had it in. */
struct filelog_version {
	int id; /* 1, 2, ... in order of first appearance; 0: absent */
	enum filelog_kind kind;
	struct stat st;    /* as in its first snapshot */
	size_t (*runs)[2]; /* first and last snapshot of each run */
	size_t nruns;
	size_t count; /* snapshots in all runs */
};

struct filelog_source; /* a dataset's snapshot directory (private) */

struct filelog {
	char *path;        /* inside the dataset, "/"-rooted */
	struct strv snaps; /* full names, oldest first */
	size_t *src_of;    /* per snapshot: which source it is read from */
	size_t *version;   /* per snapshot: index into v */
	struct filelog_version *v;
	size_t n;
	unsigned long stats; /* paths looked up */
	unsigned long reads; /* files, links or directories read */
	struct filelog_source *src;
	size_t nsrc;
};

struct filelog_request {
	const char *dataset;
	const char *path;    /* inside the dataset */
	const char *replica; /* a replica of dataset, or NULL */
};

int filelog_build(struct zfs *zh, const struct filelog_request *r,
                  struct filelog *out);
void filelog_free(struct filelog *l);

/* A unified diff from version a to version b (indexes into v; either may
 * be absent), to emit; binary or oversized contents are only named. */
int filelog_diff(struct zfs *zh, struct filelog *l, size_t a, size_t b,
                 diff_emit emit, void *arg);

/* An absolute path on a mounted dataset to that dataset and the path
 * inside it ("/"-rooted); both malloc'd. */
int filelog_resolve(struct zeit *z, const char *abspath, char **dataset,
                    char **rel);

const char *filelog_kind_name(enum filelog_kind k);

#endif
