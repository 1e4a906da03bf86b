/* Pre/post snapshots around a package transaction: the snapshot before
 * (tier pkgpre) and after (tier pkg) of a boot environment's whole tree,
 * one `zfs snapshot -r` each, atomic per pool. The post snapshot carries
 * the transaction's command line and package delta in user properties. A
 * transaction that changed no package leaves no pair; a burst of
 * transactions from one run (apt calling dpkg several times, unattended-
 * upgrades calling apt several times) becomes one pair. At most two zfs
 * calls a transaction: the pre snapshot and the post snapshot, or, for a
 * later part of a burst, the new post and the destruction of the old one.
 *
 * Between pre and post the state lives in a file under /run/zeit/pkg
 * (0700), one per dataset, replaced by rename under a lock, so a killed
 * hook leaves either the old state or the new one. */
#ifndef ZEIT_PKGTXN_H
#define ZEIT_PKGTXN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "zeit/pkgdb.h"
#include "zeit/util.h"
#include "zeit/zfs.h"

#define PKGTXN_STATE_DIR "/run/zeit/pkg"
/* Set for what `zeit run` runs: hooks inside it leave the pair to it. */
#define PKGTXN_ENV           "ZEIT_PKG_TXN"
#define PKGTXN_BURST_DEFAULT 10 /* seconds */

/* User properties of a post snapshot. */
#define PKGTXN_P_COMMAND "org.zeit:pkg-command"
#define PKGTXN_P_DELTA   "org.zeit:pkg-delta"
#define PKGTXN_P_PRE     "org.zeit:pkg-pre"
#define PKGTXN_P_MANAGER "org.zeit:pkg-manager"
#define PKGTXN_P_NOTE    "org.zeit:pkg-note"

/* Who runs a transaction: the package manager's process and its parent,
 * each as pid and start time (a pid alone is reused). */
struct pkgtxn_proc {
	pid_t pid;
	unsigned long long start;
};

struct pkgtxn_opts {
	const char *dataset;    /* NULL: the dataset "/" is */
	const char *manager;    /* "apt", "pacman", "apk", "run" */
	const char *command;    /* NULL: the package manager's command line */
	const char *note;       /* or NULL */
	enum pkg_format format; /* PKG_NONE: what the root holds */
	long burst;             /* seconds between post and next pre */
	bool keep;              /* keep the pair even if no package changed */
	const char *state_dir;  /* NULL: PKGTXN_STATE_DIR */
	const char *root;       /* the system's root directory; NULL: "/" */
	/* The package manager: pid 0 finds it among this process's
	 * ancestors (the first that is no shell). */
	struct pkgtxn_proc pm;
};

enum pkgtxn_outcome {
	PKGTXN_SKIPPED,      /* nothing to do here (why says) */
	PKGTXN_PRE_TAKEN,    /* a new pre snapshot */
	PKGTXN_JOINED,       /* part of an open or recent run: no snapshot */
	PKGTXN_POST_TAKEN,   /* the post snapshot */
	PKGTXN_NO_CHANGE,    /* no package changed: the pair is gone */
	PKGTXN_NOTHING_OPEN, /* a post without a pre (the pre failed) */
};

struct pkgtxn_result {
	enum pkgtxn_outcome outcome;
	char why[ZFS_MAX_NAME_LEN + 64];
	char dataset[ZFS_MAX_NAME_LEN + 1];
	char pre[64], post[64];
	char *delta; /* the post's delta summary, or NULL */
	/* Done on the side (a lone pre destroyed, an old post replaced);
	 * warnings that did not fail the call. */
	struct strv notes;
};

void pkgtxn_result_init(struct pkgtxn_result *r);
void pkgtxn_result_free(struct pkgtxn_result *r);

/* r is initialised by the caller. Returns 0 (r says what happened) or -1 with a
 * message on z; a failure never leaves a state that the next call cannot go on
 * from. */
int pkgtxn_pre(struct zfs *zh, const struct pkgtxn_opts *o,
               struct pkgtxn_result *r);
int pkgtxn_post(struct zfs *zh, const struct pkgtxn_opts *o,
                struct pkgtxn_result *r);

/* ---- Pure parts (unit-tested) ---- */

/* The delta as one short line: "name OLD -> NEW, +name VER, -name VER",
 * at most max bytes, then "... (N more)". malloc'd; "" when empty. */
char *pkgtxn_delta_summary(const struct pkg_changes *ch, size_t max);

/* /proc/PID/stat's text: ppid, start time and the command name (which
 * may hold spaces and parentheses). */
int pkgtxn_parse_stat(const char *text, pid_t *ppid, unsigned long long *start,
                      char *comm, size_t commlen);

/* The state kept between pre and post. */
struct pkgtxn_state {
	char dataset[ZFS_MAX_NAME_LEN + 1];
	char pre[64];   /* the pre snapshot's short name, or "" */
	char post[64];  /* the run's post so far, or "" */
	char stale[64]; /* an older post being replaced, or "" */
	bool open;      /* between a pre and its post */
	struct pkgtxn_proc pm, parent;
	long long closed; /* when the last post was taken */
	/* The same instant in the clock /proc's start times count in
	 * (ticks since boot), to compare with the next run's start. */
	unsigned long long closed_tick;
	long long last; /* the newest name time used */
	char manager[16];
	enum pkg_format format;
	struct strv commands; /* escaped, one per transaction of the run */
	struct pkg_list pkgs; /* the packages before the run */
};

void pkgtxn_state_init(struct pkgtxn_state *s);
void pkgtxn_state_free(struct pkgtxn_state *s);
/* Strict: any line that is not one zeit writes fails the whole text. */
int pkgtxn_state_parse(struct zeit *z, const char *text, size_t len,
                       struct pkgtxn_state *s);
void pkgtxn_state_format(const struct pkgtxn_state *s, struct buf *out);

#endif
