/* What the parts of the replication executor share (lib/send.c runs it,
 * lib/send_list.c lists both sides, lib/send_protect.c keeps the bases
 * by holds and bookmarks); nothing else uses it. */
#ifndef ZEIT_SEND_PRIV_H
#define ZEIT_SEND_PRIV_H

#include "zeit/ratelimit.h"
#include "zeit/send.h"

/* The columns of the target's and the source's dataset listings. */
enum { TP_TOKEN, TP_WRITTEN, TP_PLACEHOLDER, TP_COUNT };
enum { SP_ORIGIN, SP_ENCRYPTION, SP_COUNT };

struct run_state {
	struct zfs *src, *dst;
	const struct send_request *req;
	struct send_report *rep;
	struct zfs_snap_list ssnaps, tsnaps;
	/* By dataset, built when first asked; tix_ok goes false whenever
	 * tsnaps changes. */
	struct zfs_snap_index six, tix;
	bool six_ok, tix_ok;
	struct zfs_dataset_list tds;
	struct strv tnames; /* target datasets that exist now */
	uint64_t *arrived;  /* guids received in this run */
	size_t narrived;
	struct strv keep_hold; /* source snapshots that are now bases */
	struct strv old_base;  /* source snapshots that were bases */
	/* Bookmarks of the new bases, made together after the streams:
	 * source snapshots and bookmark names, pairwise; then this target's
	 * older bookmarks go. */
	struct strv bm_from, bm_new, bm_old;
	char tag[256];
	char bmprefix[32];
	char bmprefix_v1[32]; /* what older versions named them */
	bool stalled;         /* a stream stopped moving: the target is stuck */
	bool volume;          /* the dataset being sent is a volume */
	/* req->limit's bucket, one for the run's streams: started with
	 * the first, so listings earn it nothing. */
	struct rate_bucket bucket;
	bool bucket_ready;
};

/* ---- Listings (send_list.c) ---- */

/* Lists both sides: the source's datasets (into sds, with the SP_
 * columns) and snapshots, the target's (a missing target is empty). */
int send_list_sides(struct run_state *st, struct zfs_dataset_list *sds);
/* Both listings answer what was asked (see send_list.c). */
int send_check_listings(struct run_state *st,
                        const struct zfs_dataset_list *sds);
/* Refreshes what the target holds of one dataset after a resume. */
int send_relist_one(struct run_state *st, const char *tname);
/* One dataset's part of a listing (in the listing's createtxg order),
 * copied so the planner sees only it. */
struct zfs_snap *send_slice(const struct zfs_snap_list *l,
                            struct zfs_snap_index *ix, bool *built,
                            const char *ds, size_t *n);
/* name in l by way of l's index (built when first asked). */
const struct zfs_snap *send_find_snap(const struct zfs_snap_list *l,
                                      struct zfs_snap_index *ix, bool *built,
                                      const char *name);
/* The same by a pass over l, for a list that is changing. */
const struct zfs_snap *send_find_name(const struct zfs_snap_list *l,
                                      const char *name);
long send_find_target(const struct run_state *st, const char *name);
bool send_target_has_guid(const struct run_state *st, uint64_t guid);
bool send_source_has_guid(const struct run_state *st, uint64_t guid);
/* Records what step s brought to the target (v: the dataset's slice). */
void send_note_arrived(struct run_state *st, const struct zfs_snap *v, size_t n,
                       const struct send_step *s);
/* name lies under root: is root's, or with recursive is in its tree. */
bool send_under(const char *name, const char *root, bool recursive);

/* ---- Protection of the bases (send_protect.c) ---- */

/* Queues a bookmark of newest on the source, and the removal of this
 * target's older bookmarks of ds (v: ds's slice of the listing). */
void send_queue_bookmark(struct run_state *st, const char *ds,
                         const struct zfs_snap *newest,
                         const struct zfs_snap *v, size_t n);
int send_make_bookmarks(struct run_state *st);
/* Holds every new base with the target's tag, releases the old ones. */
int send_move_holds(struct run_state *st);

#endif
