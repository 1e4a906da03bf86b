/* zeit destroy: snapshots the user names, and nothing else. A pure
 * planner (which calls it takes) and its executor; the CLI prints the
 * plan for a dry run. */
#ifndef ZEIT_DESTROY_H
#define ZEIT_DESTROY_H

#include <stdbool.h>

#include "zeit/util.h"
#include "zeit/zfs.h"

struct destroy_plan {
	struct strv snaps;   /* the names given, each a snapshot */
	struct strv batches; /* one line per zfs destroy call */
};

/* Checks that every name is a snapshot (a dataset named here is a mistake,
 * not a wish) and splits them into calls under the argument limit; -1 with
 * the first bad name's message. */
int destroy_plan(struct zeit *z, const char *const *names, size_t n,
                 struct destroy_plan *out);
/* Destroys the plan's snapshots (defer: zfs destroy -d); out says which
 * went and which were refused and why (free with
 * zfs_destroy_result_free); -1 when any was refused. */
int destroy_apply(struct zfs *zh, const struct destroy_plan *p, bool defer,
                  struct zfs_destroy_result *out);
void destroy_plan_free(struct destroy_plan *p);

#endif
