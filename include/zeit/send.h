/* Replication: a pure planner that, from both sides' snapshot listings,
 * decides per dataset what travels (a full stream, then -I runs of the
 * selected snapshots, matched by guid, never by name) or why nothing may;
 * and an executor that resumes interrupted receives, sends the steps,
 * protects the new common base with a hold and a bookmark on the source,
 * and records what arrived in user properties on the target. */
#ifndef ZEIT_SEND_H
#define ZEIT_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "zeit/prune.h"
#include "zeit/zfs.h"

/* One stream: full when from is NULL; -I when intermediates. */
struct send_step {
	const char *from; /* source snapshot or bookmark, or NULL */
	const char *to;   /* source snapshot */
	bool intermediates;
};

enum send_verdict {
	SEND_UP_TO_DATE,
	SEND_FULL,        /* no target yet: a full stream, then increments */
	SEND_INCREMENTAL, /* from the newest common snapshot */
	SEND_NOTHING,     /* no selected snapshot on the source */
	SEND_DIVERGED,    /* target changed since the base */
	SEND_NO_COMMON,   /* target has snapshots, none shared */
};

/* One side's view of a dataset for the planner. */
struct send_side {
	const struct zfs_snap *snaps; /* sorted by createtxg; bookmarks too */
	size_t n;
	bool exists;
	bool placeholder; /* target: an empty parent zeit created */
	uint64_t written; /* target: bytes written since its newest snapshot */
};

struct send_select {
	bool all;         /* every snapshot, whatever its name */
	unsigned origins; /* else these naming schemes (enum snap_origin) */
	const struct snapname_rules *names; /* how they read; NULL: defaults */
};

struct send_plan {
	enum send_verdict verdict;
	struct send_step *steps;
	size_t nsteps;
	const struct zfs_snap *base;   /* source side of the common base */
	const struct zfs_snap *tbase;  /* target side of it */
	const struct zfs_snap *newest; /* what the target will end at */
	struct strv diverged;          /* target-only snapshots after base */
	bool force_recv;               /* receive with -F (full over old) */
	char why[256];                 /* a sentence for refusals */
};

/* Plans one dataset. force: a target with snapshots but none in common is
 * overwritten by a full stream (recv -F). clone_origin: the source
 * snapshot this dataset was cloned from, when the target has it, so the
 * first stream is incremental from it and the target is a clone too. */
void send_plan_dataset(const struct send_side *src, const struct send_side *dst,
                       const struct send_select *sel, const char *clone_origin,
                       bool force, struct send_plan *out);
void send_plan_free(struct send_plan *p);
const char *send_verdict_name(enum send_verdict v);
bool send_selected(const struct send_select *sel, const char *snapname);

/* The hold tag protecting the base for one target ("zeit-send:HOST:DS"). */
void send_hold_tag(const char *host, const char *target, char *out, size_t len);
/* The bookmark prefix for one target: "zeitsend-<16 hex>-". */
void send_bookmark_prefix(const char *host, const char *target, char *out,
                          size_t len);
/* The prefix earlier versions used ("zeitsend-<8 hex>-"): their bookmarks
 * are this target's too, and go once a new one replaces them. */
void send_bookmark_prefix_v1(const char *host, const char *target, char *out,
                             size_t len);

/* Maps a source dataset to its place under the target root. */
char *send_target_name(const char *src_root, const char *dst_root,
                       const char *src_dataset);

/* Orders datasets parents first and clones after their origins' datasets:
 * origins[i] is dataset i's origin snapshot (or NULL / "-"). Writes a
 * permutation of 0..n-1 into order. */
void send_order(const char *const *names, const char *const *origins, size_t n,
                size_t *order);

struct send_request {
	const char *source;                 /* dataset */
	const char *target;                 /* dataset on the target side */
	const struct run_host *target_host; /* NULL: this machine */
	bool recursive;
	/* With recursive: datasets whose trees are left out (NULL-terminated,
	 * or NULL), as org.zeit:send-to=none or another job's value asks. */
	const char *const *exclude;
	bool raw;      /* -w; forced on for encrypted sources */
	bool no_raw;   /* --no-raw: decrypt (needs the key) */
	bool rollback; /* discard target-only snapshots and writes */
	bool force;    /* overwrite a target with no common snapshot */
	struct send_select select;
	const struct run_progress *progress; /* NULL: none */
	int stall_timeout_s; /* give up when no data moves this long; 0: 120 */
	uint64_t limit;      /* the streams' cap in bytes per second; 0: none */
	/* Called before each stream with its estimate (0 when unknown). */
	void (*on_step)(const char *dataset, const struct send_step *s,
	                uint64_t estimate, void *arg);
	void *arg;
};

struct send_result {
	char *source;
	char *target;
	enum send_verdict verdict;
	size_t streams;
	uint64_t bytes;
	bool resumed;        /* an interrupted receive was finished */
	bool aborted_resume; /* a stale resume state was discarded */
	char *newest;        /* snapshot the target ends at, or NULL */
	char *message;       /* why nothing was sent, or the error */
	char *note;          /* for the user, beside the table, or NULL */
	bool failed;
};

struct send_report {
	struct send_result *v;
	size_t n;
	uint64_t bytes;
	double seconds;        /* the whole run */
	double stream_seconds; /* of which zfs send | zfs receive ran */
};

void send_report_free(struct send_report *r);

/* Replicates source (and with recursive its tree) to target. src and dst
 * are the two sides' drivers. Returns 0 when every dataset is up to date,
 * -1 when one failed or was refused (the report says which). */
int send_run(struct zfs *src, struct zfs *dst, const struct send_request *req,
             struct send_report *rep);

/* One side of a send as the command names it: [user@]HOST:dataset, or a
 * dataset on this machine. */
struct send_endpoint {
	char *host;          /* NULL: this machine */
	const char *dataset; /* points into the argument */
	struct strv ssh_opts;
	struct run_host rh; /* with host: its ssh, sharing one connection */
};
/* Reads both sides' arguments and sets up each remote side's ssh (the
 * user's ssh_opts and a shared connection). A host that could pose as an
 * ssh option, or a host with no dataset, fails with a message for a
 * usage error. Free both with send_endpoint_free either way. */
int send_endpoints(struct zeit *z, const char *src_arg, const char *dst_arg,
                   const char *const *ssh_opts, struct send_endpoint *src,
                   struct send_endpoint *dst);
/* The side's host for zfs_init: NULL for this machine. */
const struct run_host *send_endpoint_host(const struct send_endpoint *e);
void send_endpoint_free(struct send_endpoint *e);

/* send --prune: prunes the target's tree (req's target, recursive as the
 * send was) by cfg, into plan and st, as zeit prune would. */
int send_prune_target(struct zfs *dst, const struct send_request *req,
                      const struct zeit_config *cfg, struct prune_plan *plan,
                      struct prune_exec_stats *st);

#endif
