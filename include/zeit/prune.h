/* Pruning: a pure planner that decides, per dataset and tier, which
 * snapshots go and which stay and why; and an executor that destroys one
 * pool's share in one channel program (all or nothing, one txg), or in one
 * batched `zfs destroy` per dataset where channel programs are not
 * available. Held snapshots and clone origins are always kept. */
#ifndef ZEIT_PRUNE_H
#define ZEIT_PRUNE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "zeit/config.h"
#include "zeit/policy.h"
#include "zeit/snapname.h"
#include "zeit/zfs.h"

struct zeit_config;

enum prune_action {
	PRUNE_KEEP,
	PRUNE_DESTROY,
};

struct prune_item {
	char *name;          /* dataset@snapshot */
	enum zeit_tier tier; /* ZEIT_TIER_NONE if not a scheme zeit prunes */
	time_t when;
	unsigned origin; /* enum snap_origin, 0 if none */
	enum prune_action action;
	char reason[96]; /* the rule that decided */
};

struct prune_plan {
	struct prune_item *v;
	size_t n, cap;
	/* "dataset: why" for each dataset whose policy could not be read:
	 * left out, while the others are planned and pruned. */
	struct strv skipped;
	struct strv erred; /* pools whose last prune failed */
};

void prune_plan_init(struct prune_plan *p);
void prune_plan_free(struct prune_plan *p);

/* Plans one dataset: snaps are its snapshots' full names (any order),
 * read by names (NULL: the defaults). origins: the naming schemes adopted
 * (zeit's always should be). Items are appended to out, newest first
 * within each tier. */
void prune_plan_dataset(const struct policy *pol,
                        const struct snapname_rules *names, unsigned origins,
                        const char *const *snaps, size_t n, time_t now,
                        struct prune_plan *out);

size_t prune_plan_count(const struct prune_plan *p, enum prune_action a);

/* enum prune_mode is the configuration's (zeit/config.h). */

struct prune_exec_stats {
	size_t destroyed;
	size_t held;
	size_t cloned;
	bool used_program;
};

/* Carries out the DESTROY items of plan that lie in pool,
 * turning held snapshots and clone origins into KEEP items with the
 * reason. With z->dry_run it only checks. */
int prune_execute(struct zfs *zh, const char *pool, struct prune_plan *plan,
                  enum prune_mode mode, struct prune_exec_stats *stats);

/* The destroying program's JSON result (`zfs program -j`) applied to
 * plan: held ones and clone origins become KEEP items, counts go to st.
 * Pure, for the unit tests and the fuzzer: any JSON is handled. */
int prune_result_parse(struct zeit *z, const char *pool, const char *json,
                       struct prune_plan *plan, struct prune_exec_stats *st);

struct prune_request {
	const char *const *roots; /* NULL or empty: every imported pool */
	bool recursive;
	const struct zeit_config *config;
	enum prune_mode mode;
};

/* The datasets under roots (every pool when roots is NULL or empty; whole
 * trees when recursive) with select_props(), sorted by name, and their
 * snapshots, listed by one read-only channel program per pool. */
int prune_list(struct zfs *zh, const char *const *roots, bool recursive,
               struct zfs_dataset_list *all, struct zfs_snap_list *snaps);

/* Plans every selected dataset and executes pool by pool (one channel
 * program each). The plan is left in *plan for printing. */
int prune_run(struct zfs *zh, const struct prune_request *req,
              struct prune_plan *plan, struct prune_exec_stats *stats);

#endif
