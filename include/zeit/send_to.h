/* Replication declared by property: org.zeit:send-to on a source dataset,
 * inherited by its children as zfs inherits any user property, so one
 * `zfs set org.zeit:send-to=backup/m1 tank/data` replicates the tree.
 *
 * The value: one or more targets separated by commas or blanks, each
 *   [INTERVAL@][[USER@]HOST:]DATASET
 * e.g. "backup/m1", "3h@nas:tank/m1, 1d@root@far:vault/m1". INTERVAL is a
 * duration (15m, 3h, 1d); without one the job runs on every run of the
 * timer. "none" or "off" (alone) sets no target: below a dataset that
 * sends, it leaves that subtree out.
 *
 * A dataset whose value is its parent's (inherited, or set to the same
 * text) is part of the parent's job, sent by its recursive send. One whose
 * value differs is a job of its own (or, with none, no job) and is left
 * out of the job above it. The job's name comes from the dataset where the
 * value starts: '/' becomes '.', e.g. tank/data -> tank.data; a name that
 * would be lossy (capitals, a space, ':') or long gets a hash of the
 * dataset's name; a second and later target get their own hash. Its
 * outcome is kept as a [send NAME] job's is, on the source.
 *
 * The value is anyone's who may set a property: a value that does not
 * read (an option-like word, a host with shell or ssh syntax, a control
 * byte, an overlong value, a target inside the source) makes no job at
 * all, with one message naming the dataset and the value. */
#ifndef ZEIT_SEND_TO_H
#define ZEIT_SEND_TO_H

#include <stdbool.h>
#include <stddef.h>

#include "zeit/config.h"
#include "zeit/zfs.h"

#define ZEIT_PROP_SEND_TO   "org.zeit:send-to"
#define SEND_TO_MAX_LEN     1024 /* bytes of one value */
#define SEND_TO_MAX_TARGETS 8

struct send_to_target {
	char *target;       /* [USER@HOST:]dataset, as zeit send takes it */
	long long interval; /* seconds; 0: every run */
};

struct send_to_value {
	struct send_to_target v[SEND_TO_MAX_TARGETS];
	size_t n;
	bool none; /* "none" or "off" */
};

/* Reads the value set on (or inherited by) source. On a value that does
 * not read, returns -1 with why (a sentence, no dataset or value in it). */
int send_to_parse(const char *source, const char *value,
                  struct send_to_value *out, char *why, size_t whylen);
void send_to_value_free(struct send_to_value *v);

/* The job name of target i of the value starting at dataset. */
char *send_to_job_name(const char *dataset, const char *target, size_t i);

/* One value that made no job: for the caller to print. */
struct send_to_refusal {
	char *dataset;
	char *message; /* names dataset and (escaped) value */
};

struct send_to_refusals {
	struct send_to_refusal *v;
	size_t n;
};
void send_to_refusals_free(struct send_to_refusals *r);

/* Adds the property's jobs to cfg->jobs from a listing of every dataset
 * (rows in zfs list's order, parents before children) whose column col
 * is org.zeit:send-to. A source->target pair that a [send NAME] job
 * already declares is that job's (it runs once, with its settings); a
 * value that does not read goes into refused. Returns how many jobs it
 * added. */
size_t send_to_add_jobs(struct zeit_config *cfg,
                        const struct zfs_dataset_list *l, size_t col,
                        struct send_to_refusals *refused);

/* The one listing: every dataset's org.zeit:send-to. */
int send_to_list(struct zfs *zh, struct zfs_dataset_list *out);

#endif
