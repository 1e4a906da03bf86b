/* zeit send --auto: which declared jobs ([send NAME] in zeit.conf) are
 * due, and each job's outcome, kept as user properties on the job's own
 * side on this machine (the source for a push or a local copy, the
 * target for a pull), where zeit status reads them. */
#ifndef ZEIT_SEND_AUTO_H
#define ZEIT_SEND_AUTO_H

#include <stdbool.h>
#include <time.h>

#include "zeit/config.h"
#include "zeit/zfs.h"

/* Runs start on the timer's ticks, a little late at times: a job whose
 * interval has all but passed (within this slack) is due. */
#define SEND_JOB_SLACK 60

/* The dataset on this machine where the job's outcome is kept (points
 * into the job's source or target). */
const char *send_job_local_side(const struct config_send_job *j);

/* Due when it never succeeded or its interval (less the slack) has gone
 * by since its last good run started. A failed job stays due, so it
 * catches up on the next run after whatever failed is fixed. */
bool send_job_due(const struct config_send_job *j, time_t last_ok, time_t now);

/* Property names of the job's outcome. */
char *send_job_prop(const char *job, const char *what);

struct send_job_state {
	time_t last_ok;    /* 0: never */
	time_t last_error; /* 0: none since the last good run */
	char *error;       /* its message, or NULL */
};

/* Reads the state from a value of org.zeit:job:NAME:ok and :error as
 * zfs gives them ("-" unset). Values that do not parse are no state;
 * returns false then, so the caller can say so. */
bool send_job_state_parse(const char *ok, const char *error,
                          struct send_job_state *out);
void send_job_state_free(struct send_job_state *s);

/* One zfs get of both properties on the job's local side. */
int send_job_state_read(struct zfs *zh, const struct config_send_job *j,
                        struct send_job_state *out);
/* The states of the jobs with want[i] set, in one zfs get of every
 * such job's properties on all their local sides: the timer runs send
 * --auto every 15 minutes, mostly with nothing due. Fails whole (a side
 * missing): then read each with send_job_state_read. */
int send_jobs_state_read(struct zfs *zh, const struct config_send_job *jobs,
                         size_t n, const bool *want,
                         struct send_job_state *out);
/* A message as an outcome keeps it: one line, printable, at most 1024
 * bytes (it is a property value, and goes to a terminal again through
 * zeit status). */
char *outcome_line(const char *msg);

/* Records a run that started at started: ok sets :ok and clears
 * :error; a failure sets :error to "TIME MESSAGE". */
int send_job_record(struct zfs *zh, const struct config_send_job *j,
                    time_t started, bool ok, const char *message);

/* snap --auto's and prune's outcomes (kind "snap" or "prune"), on the
 * root dataset of each pool in pools, in one zfs call. */
void run_outcome_add_pool(struct strv *pools, const char *name);
/* The one form of a recorded failure, org.zeit:run:snap:error's and
 * :prune:error's: "TIME MESSAGE", the message on one line. */
char *run_outcome_error_value(time_t when, const char *message);
int run_outcome_record(struct zfs *zh, const char *kind,
                       const struct strv *pools, time_t started, bool ok,
                       const char *message);

#endif
