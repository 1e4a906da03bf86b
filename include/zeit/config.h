/* zeit's configuration: an optional INI file (parsed with inih) and the
 * user properties on datasets, resolved into per-dataset settings.
 *
 * Precedence, lowest first, for the keep policy:
 *   built-in defaults < [defaults] keep < the nearest [DATASET] section at
 *   or above the dataset < the org.zeit:keep property (local or inherited).
 * For whether `snap --auto` takes a dataset:
 *   org.zeit:snap=off or com.sun:auto-snapshot=false exclude it; else
 *   org.zeit:snap=on includes it; else the nearest [DATASET] section's
 *   snap; else com.sun:auto-snapshot=true includes it; else it is left out.
 */
#ifndef ZEIT_CONFIG_H
#define ZEIT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "zeit/policy.h"
#include "zeit/zeit.h"

#define ZEIT_CONFIG_PATH "/etc/zeit/zeit.conf"
/* [send] parallel and --parallel: jobs to different hosts at once. */
#define SEND_PARALLEL_DEFAULT 2
#define SEND_PARALLEL_MAX     64

/* How prune destroys ([prune] mode, --mode). */
enum prune_mode {
	PRUNE_MODE_AUTO,    /* channel program, falling back to batches */
	PRUNE_MODE_PROGRAM, /* channel program only */
	PRUNE_MODE_BATCH,   /* one zfs destroy per dataset */
};

/* What a failing pre-hook means. */
enum hook_pre_failure {
	HOOK_PRE_UNSET = -1,
	HOOK_PRE_SKIP,  /* no snapshot (no send): the run fails */
	HOOK_PRE_GO_ON, /* take it (send) anyway; the run still fails */
};

/* The commands run before and after snapshots ([defaults]: around the
 * whole run; [DATASET]: around each dataset of its tree) or a send job
 * ([send NAME]), and after a failure (see hook.h). */
struct config_hooks {
	char *pre, *post, *failure;        /* /bin/sh -c commands, or NULL */
	long long timeout;                 /* seconds; -1 unset (30) */
	enum hook_pre_failure pre_failure; /* unset: skip */
	int post_always; /* -1 unset (no): post after a failed pre too */
};

struct config_section {
	char *dataset;
	char *keep;  /* or NULL */
	char *where; /* "file:line" of its keep, for messages */
	int snap;    /* -1 unset, 0 off, 1 on */
	struct config_hooks hooks;
};

/* [send NAME]: a replication `zeit send --auto` runs when it is due. */
struct config_send_job {
	char *name;         /* letters, digits, '-', '_', '.' */
	char *source;       /* [HOST:]dataset, as zeit send takes it */
	char *target;       /* [HOST:]dataset */
	long long interval; /* seconds between runs; 0: every run */
	int recursive;      /* -1 unset (no), 0, 1 */
	int raw;            /* -1 as the source is (raw if encrypted), 0, 1 */
	int rollback, force, prune, all_snapshots; /* -1 unset (no) */
	char *ssh_opts; /* words for ssh -o style options, or NULL */
	uint64_t limit; /* bytes per second (ratelimit.h); 0: unset */
	char *where;    /* "file [send NAME]", for messages */
	struct config_hooks hooks; /* pre_send, post_send, on_send_failure */
	/* Declared by org.zeit:send-to (send_to.h), not in the file. */
	bool from_property;
	char **exclude; /* NULL-terminated trees left out of it, or NULL */
};

struct zeit_config {
	char *path;         /* the file read, or NULL */
	char *default_keep; /* [defaults] keep, or NULL */
	char *default_where;
	unsigned adopt;              /* snap_origin schemes prune may destroy */
	struct snapname_rules names; /* [adopt]: how their names read */
	enum prune_mode prune_mode;
	/* [pkg]: package transactions' dataset (NULL: the running root)
	 * and burst window in seconds (-1: the default). */
	char *pkg_dataset;
	long pkg_burst;
	struct config_hooks run_hooks; /* [defaults]: around a whole run */
	struct config_section *sections;
	size_t nsections;
	struct config_send_job *jobs; /* in the file's order */
	size_t njobs;
	int send_parallel; /* [send] parallel: jobs at once; 0 unset */
	/* [status]: thresholds of zeit status. */
	struct {
		double warn, crit;      /* times a tier's period */
		long long replica_warn; /* seconds of replication lag */
		long long replica_crit;
		int capacity_warn; /* percent of a pool */
		int capacity_crit;
		long long scrub_warn; /* seconds; 0: no scrub check */
		/* seconds a hold of a target no job sends to may stay
		 * unmoved before it counts as stale; 0: never */
		long long hold_stale;
	} status;
};

void config_init(struct zeit_config *c);
void config_free(struct zeit_config *c);

/* Reads path. A missing file is fine unless must_exist. Errors name the
 * file and line. */
int config_load(struct zeit *z, const char *path, bool must_exist,
                struct zeit_config *c);

enum config_want {
	CONFIG_WANT_KEEP,  /* the nearest section that sets keep */
	CONFIG_WANT_SNAP,  /* the nearest section that sets snap */
	CONFIG_WANT_HOOKS, /* the nearest that sets a snapshot hook */
};

/* Whether any hook command is set. */
bool config_hooks_set(const struct config_hooks *h);

/* The nearest section at or above dataset that sets what is wanted (a
 * section applies to its whole tree, as an inherited property does). */
const struct config_section *config_section_for(const struct zeit_config *c,
                                                const char *dataset,
                                                enum config_want want);

/* The keep policy of a dataset whose org.zeit:keep value is prop_keep
 * ("-" or NULL when unset). */
int config_policy(struct zeit *z, const struct zeit_config *c,
                  const char *dataset, const char *prop_keep,
                  struct policy *out);

#endif
