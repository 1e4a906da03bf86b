/* zeit status: is the history healthy? From four listings (datasets with
 * zeit's properties, snapshots on zfs's fast path, pool capacities, pool
 * status, each one call for every pool) and the holds (the snapshots'
 * userrefs, then zfs holds of the held ones) a pure evaluator derives
 * checks: each tier's newest snapshot against its period, each replica's
 * lag behind its source, pending resumable receives, pool capacity, health
 * and scrub, jobs' outcomes, stale zeit-send holds. */
#ifndef ZEIT_STATUS_H
#define ZEIT_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "zeit/config.h"
#include "zeit/snapname.h"
#include "zeit/zfs.h"

/* Monitoring-plugin order: OK 0, WARNING 1, CRITICAL 2, UNKNOWN 3. */
enum status_state {
	STATUS_OK = 0,
	STATUS_WARNING = 1,
	STATUS_CRITICAL = 2,
	STATUS_UNKNOWN = 3,
};

/* STATUS_POOL: capacity; STATUS_HEALTH: a pool's state and errors;
 * STATUS_SCRUB: its last scrub; STATUS_CLOCK: snapshots dated after now;
 * STATUS_BOOT: a trial boot of a boot environment that never confirmed,
 * or the answer the last boot bisection under a BE root kept;
 * STATUS_JOB: the last outcome of a [send NAME] job, or of snap --auto
 * or prune on a pool; STATUS_HOLD: a zeit-send hold that is no longer
 * its target's base (subject: the snapshot), or a pool's summary of its
 * holds (subject: the pool). */
enum status_kind {
	STATUS_TIER,
	STATUS_REPLICA,
	STATUS_POOL,
	STATUS_CLOCK,
	STATUS_BOOT,
	STATUS_HEALTH,
	STATUS_SCRUB,
	STATUS_JOB,
	STATUS_HOLD,
};

struct status_check {
	enum status_kind kind;
	enum status_state state;
	char *subject; /* dataset, replica or pool */
	char *check;   /* "daily", "replica of host:tank/a", "capacity" */
	char *detail;  /* a sentence */
	/* Metrics (negative when unknown). */
	enum zeit_tier tier;
	long long age;       /* tier: seconds since its newest snapshot */
	long long count;     /* tier: how many it has */
	long long lag;       /* replica: seconds behind */
	long long lag_snaps; /* replica: selected snapshots not yet there */
	bool resume_pending; /* replica */
	char *source;        /* replica: host:dataset */
	int capacity;        /* pool: percent */
	/* health: the pool's state and error counts (read, write,
	 * checksum, permanent data errors); scrub: seconds since the last
	 * finished scrub. */
	char *pool_state;
	long long errors[4];
	long long scrub_age;
	/* job: "send", "snap" or "prune"; its name (the pool's for snap
	 * and prune); when its last good run started (0: never); whether
	 * its last run failed. */
	const char *job_kind;
	char *job;
	time_t job_ok;
	bool job_failed;
	/* hold: its tag (NULL on a pool's summary); a summary's count of
	 * zeit-send holds. */
	char *hold_tag;
	long long holds;
};

struct status_report {
	struct status_check *v;
	size_t n, cap;
	enum status_state worst;
};

void status_report_free(struct status_report *r);
const char *status_state_name(enum status_state s);

/* The properties the dataset listing must carry, after select_props(). */
enum {
	STP_SOURCE,
	STP_TOKEN,
	STP_LAST_SENT,
	STP_TRIAL,
	STP_CREATION,
	STP_SNAP_OK, /* the errors are select_props()' */
	STP_PRUNE_OK,
	STP_BISECT_RESULT,
	STP_COUNT
};
const char *const *status_extra_props(void);
/* After those, the listing carries org.zeit:job:NAME:ok and :error of
 * each of cfg's jobs, in its order; this pushes their names. */
void status_job_props(const struct zeit_config *cfg, struct strv *props);

struct status_input {
	const struct zfs_dataset_list *datasets; /* select_props + extra */
	const struct zfs_snap_list *snaps;       /* every pool */
	const struct zfs_prop_list *capacity;    /* zpool get capacity */
	const struct zpool_health_list *health;  /* zpool status; may be NULL */
	const char *const *roots;                /* NULL: everything */
	const char *hostname;
	time_t now;
	/* Every hold on the snapshots in scope (NULL: not listed), or why
	 * they could not be listed. */
	const struct zfs_hold_list *holds;
	const char *holds_error;
};

/* Evaluates everything; checks come worst first. */
int status_evaluate(struct zeit *z, const struct zeit_config *cfg,
                    const struct status_input *in, struct status_report *out);

/* What status lists snapshots of, given roots (none: every pool): trees,
 * the roots without repeats or nesting, each listed whole; sources, the
 * local sources (datasets in ds) of replicas in those trees that lie
 * outside them, each listed without its children. */
void status_snap_scope(const struct zfs_dataset_list *ds,
                       const char *const *roots, const char *hostname,
                       struct strv *trees, struct strv *sources);

/* Those snapshots: one listing of the trees, one of the sources. */
int status_list_snaps(struct zfs *zh, const struct zfs_dataset_list *ds,
                      const char *const *roots, const char *hostname,
                      struct zfs_snap_list *out);

/* Whether tag has the form of zeit send's (send_hold_tag): "zeit-send:"
 * and eight hex digits, or [HOST:]TARGET with TARGET a dataset name
 * below a pool. *target is TARGET when the tag names no host (a target
 * on this machine), else NULL. */
bool status_zeit_tag(const char *tag, const char **target);

/* Lists (four to seven zfs/zpool calls) and evaluates. */
int status_run(struct zfs *zh, const struct zeit_config *cfg,
               const char *const *roots, struct status_report *out);

/* A node_exporter textfile. */
void status_prometheus(const struct status_report *r, time_t now, FILE *f);
/* Writes it to path atomically (a temporary file renamed over it). */
int status_prometheus_write(struct zeit *z, const struct status_report *r,
                            time_t now, const char *path);

#endif
