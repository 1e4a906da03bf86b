/* What status.c shares with the evaluators in their own files
 * (status_jobs.c). */
#ifndef ZEIT_STATUS_PRIV_H
#define ZEIT_STATUS_PRIV_H

#include "zeit/status.h"

struct status_check *status_check_add(struct status_report *r,
                                      enum status_kind k, const char *subject,
                                      const char *check);
void status_check_set(struct status_check *c, enum status_state s,
                      const char *detail);

/* Each configured job's and each pool's snap and prune outcomes. */
void status_check_jobs(const struct zeit_config *cfg,
                       const struct status_input *in, struct status_report *r);

/* The stale zeit-send holds and each pool's count of them. */
void status_check_holds(const struct zeit_config *cfg,
                        const struct status_input *in,
                        const struct zfs_snap_index *ix,
                        struct status_report *r);

/* The jobs org.zeit:send-to declares (status_send_to.c): from ds, whose
 * last column is that property, into m (cfg's jobs, then those), ds's
 * rows widened with their outcome columns. Free m with
 * status_send_to_free(m, cfg->njobs), whatever it returned. */
int status_send_to_jobs(struct zfs *zh, const struct zeit_config *cfg,
                        struct zfs_dataset_list *ds, struct zeit_config *m);
void status_send_to_free(struct zeit_config *m, size_t nconf);

#endif
