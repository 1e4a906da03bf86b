/* What bisect and isolate share (lib/bisect_clones.c): the record of the
 * throwaway clones they make, and the one way a test command runs. */
#ifndef ZEIT_BISECT_PRIV_H
#define ZEIT_BISECT_PRIV_H

#include "zeit/be.h"
#include "zeit/bisect.h"
#include "zeit/props.h"

/* The bisection's properties: its state on the BE root, the marks on
 * snapshots, the token on each clone. */
#define P_TARGET   "org.zeit:bisect-target"
#define P_TIER     "org.zeit:bisect-tier"
#define P_BOOTFS   "org.zeit:bisect-bootfs"
#define P_NEXTBOOT "org.zeit:bisect-nextboot"
#define P_CURRENT  "org.zeit:bisect-current"
#define P_MARK     "org.zeit:bisect"
#define P_CLONE    "org.zeit:bisect-clone"
#define P_CLONES   "org.zeit:bisect-clones"
/* A bisection that boots its candidates (bisect_boot.c): "on" while it
 * runs, the check command, the seconds a candidate has to come up, and
 * the reboots it asked for so far. */
#define P_BBOOT       "org.zeit:bisect-boot"
#define P_BBOOT_CHECK "org.zeit:bisect-boot-check"
#define P_BBOOT_WAIT  "org.zeit:bisect-boot-timeout"
#define P_BBOOT_BOOTS "org.zeit:bisect-boot-reboots"
/* The answer a boot bisection ended with, kept after it ends. */
#define P_BBOOT_RESULT ZEIT_PROP_BISECT_RESULT

int bisect_set_one(struct zfs *zh, const char *ds, const char *prop,
                   const char *value);
/* A recorded clone of snap (extra: up to two more NAME=VALUE markers for
 * the clone call); *name gets its BE name. */
int bisect_make_clone(struct bisect *b, const char *snap,
                      const char *const *extra, char **name);
/* Destroys the bisection's clones but keep's (a snapshot) and the
 * running one. */
int bisect_drop_clones(struct be_ctx *be, const char *keep);
/* This bisection's clone of snap (NULL when none). */
int bisect_own_clone(struct be_ctx *be, const char *snap, char **name);
/* The boot mode's fields of b from the BE root's properties. */
void bisect_boot_state_read(struct bisect *b, const struct zfs_prop_list *pl);

/* Ownership of a clone is proved, never inferred from a property ZFS
 * inherits or a copy carries: before the clone exists, its BE name, its
 * origin and a random token are recorded in a property of the BE root
 * ("NAME=ORIGIN=TOKEN,...": no ZFS name holds ',' or '='), and the clone
 * is made with token_prop=TOKEN in the same call. A dataset is the
 * record's only while all three agree, so a copy, a renamed clone or a
 * dataset marked by hand is never destroyed, and a kill at any point
 * leaves no clone unrecorded. */
struct clone_rec {
	char *name;   /* BE name */
	char *origin; /* full snapshot name */
	char *token;
};

struct clone_recs {
	struct clone_rec *v;
	size_t n;
	bool set; /* the property was set, if only to entries unread */
};

/* The record in prop on the BE root (empty when unset). */
int clone_recs_load(struct be_ctx *be, const char *prop, struct clone_recs *r);
/* Writes the record back (inherits prop when it is empty). */
int clone_recs_save(struct be_ctx *be, const char *prop,
                    const struct clone_recs *r);
void clone_recs_add(struct clone_recs *r, const char *name, const char *origin,
                    const char *token);
void clone_recs_remove(struct clone_recs *r, size_t i);
void clone_recs_free(struct clone_recs *r);

/* A fresh random token, 32 hex digits. */
int clone_token(struct zeit *z, char out[33]);

/* The origin and own token_prop of every child of the BE root: one zfs
 * get for any number of state checks. */
int clone_children(struct be_ctx *be, const char *token_prop,
                   struct zfs_prop_list *pl);

enum clone_state { CLONE_GONE, CLONE_OURS, CLONE_FOREIGN };
/* What stands at rec's name: nothing, the clone recorded, or another. */
enum clone_state clone_state_of(const struct be_ctx *be,
                                const struct zfs_prop_list *pl,
                                const char *token_prop,
                                const struct clone_rec *rec);

/* ds's own (local) value of prop in pl, or NULL. */
const char *bisect_local_value(const struct zfs_prop_list *pl, const char *ds,
                               const char *prop);

/* Runs a bisection's test command on a tree mounted at root, as bisect
 * run and isolate do: ZEIT_BISECT_ROOT=root, the terminal inherited;
 * *status is its exit status (-1 when it could not run: then -1). */
int bisect_test_run(struct zeit *z, const char *const *argv, const char *root,
                    int *status);

#endif
