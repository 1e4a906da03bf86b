/* Every user property zeit reads or writes, named once. A property name
 * is what users see and what other hosts' zeit reads back, so these never
 * change; a new one is added here, not spelt where it is used. */
#ifndef ZEIT_PROPS_H
#define ZEIT_PROPS_H

/* The module prefix of all of them. */
#define ZEIT_PROP_PREFIX "org.zeit:"

/* Set by a person: what to do with a dataset (copied with it). */
#define ZEIT_PROP_SNAP  "org.zeit:snap"  /* on | off: take tiers */
#define ZEIT_PROP_KEEP  "org.zeit:keep"  /* a keep policy */
#define ZEIT_PROP_PRUNE "org.zeit:prune" /* off: never prune */

/* Replication bookkeeping on a target (send, serve, status). */
#define ZEIT_PROP_SOURCE        "org.zeit:source" /* host:dataset */
#define ZEIT_PROP_LAST_GUID     "org.zeit:last-guid"
#define ZEIT_PROP_LAST_SNAPSHOT "org.zeit:last-snapshot"
#define ZEIT_PROP_LAST_SENT     "org.zeit:last-sent"
/* On a parent zeit created only to receive under: names the dataset. */
/* Declared send jobs' outcomes, on the job's local side:
 * org.zeit:job:NAME:ok (when its last good run started) and
 * org.zeit:job:NAME:error (when the last failed run started, and why). */
#define ZEIT_PROP_JOB_PREFIX "org.zeit:job:"
/* snap --auto's and prune's last failure, on the root dataset of each
 * pool they worked on, as a job's: when the run started, and why; the
 * good run after it clears it and sets :ok to when it started. (A good
 * run sets nothing when nothing failed: these runs come every 15
 * minutes, and each zfs call counts.) */
#define ZEIT_PROP_SNAP_OK     "org.zeit:run:snap:ok"
#define ZEIT_PROP_SNAP_ERROR  "org.zeit:run:snap:error"
#define ZEIT_PROP_PRUNE_OK    "org.zeit:run:prune:ok"
#define ZEIT_PROP_PRUNE_ERROR "org.zeit:run:prune:error"

#define ZEIT_PROP_PLACEHOLDER "org.zeit:placeholder"

/* Boot environments. */
#define ZEIT_PROP_NEXTBOOT    "org.zeit:nextboot" /* on the BE root */
#define ZEIT_PROP_BE_SNAPSHOT "org.zeit:be-snapshot"
/* On an environment on trial: "pending DATASET" or "failed DATASET". */
#define ZEIT_PROP_TRIAL "org.zeit:trial"

/* On the guard snapshot zeit restore takes first: the path restored. */
#define ZEIT_PROP_RESTORE_GUARD "org.zeit:restore-guard"

/* Bisect state, on the BE root, its snapshots and throwaway clones. */
#define ZEIT_PROP_BISECT_TARGET   "org.zeit:bisect-target"
#define ZEIT_PROP_BISECT_TIER     "org.zeit:bisect-tier"
#define ZEIT_PROP_BISECT_BOOTFS   "org.zeit:bisect-bootfs"
#define ZEIT_PROP_BISECT_NEXTBOOT "org.zeit:bisect-nextboot"
#define ZEIT_PROP_BISECT_CURRENT  "org.zeit:bisect-current"
#define ZEIT_PROP_BISECT_MARK     "org.zeit:bisect"
#define ZEIT_PROP_BISECT_CLONE    "org.zeit:bisect-clone"
#define ZEIT_PROP_BISECT_CLONES   "org.zeit:bisect-clones"
#define ZEIT_PROP_BISECT_RESULT   "org.zeit:bisect-result"

#endif
