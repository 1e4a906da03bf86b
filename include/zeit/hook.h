/* Hooks: the commands zeit.conf names to run before and after snapshots
 * and send jobs, and after a failure. The command is zeit.conf's own text
 * (a root-owned file) run by /bin/sh -c; everything zeit knows about the
 * run (datasets, snapshots, tiers, the job) reaches it as ZEIT_*
 * environment variables only, never inside the command string, so a
 * dataset's name cannot become shell syntax. Each runs in its own process
 * group, with a timeout that kills the whole group. */
#ifndef ZEIT_HOOK_H
#define ZEIT_HOOK_H

#include "zeit/config.h"
#include "zeit/util.h"
#include "zeit/zeit.h"

#define HOOK_TIMEOUT_DEFAULT 30 /* seconds */

enum hook_phase { HOOK_PHASE_PRE, HOOK_PHASE_POST, HOOK_PHASE_FAILURE };

/* The key naming it: pre_KIND, post_KIND or on_KIND_failure. */
void hook_key_name(const char *kind, enum hook_phase phase, char *buf,
                   size_t len);

/* Settings a section leaves unset come from fallback ([defaults]), then
 * the built-in ones. */
long long hook_timeout(const struct config_hooks *h,
                       const struct config_hooks *fallback);
enum hook_pre_failure hook_pre_failure(const struct config_hooks *h,
                                       const struct config_hooks *fallback);
bool hook_post_always(const struct config_hooks *h,
                      const struct config_hooks *fallback);

/* Appends NAME=value to env. */
void hook_env(struct strv *env, const char *name, const char *value);

/* Runs command with env added to zeit's environment (ZEIT_HOOK is set
 * to the key's name), stdin /dev/null, its output captured. Returns 0
 * when it exited 0; else -1 and *why (the caller frees) says how it
 * failed: its exit status or signal, or the timeout, and the first line
 * it wrote to stderr. z's error is left alone. */
int hook_exec(struct zeit *z, const char *command, long long timeout,
              const char *key, const char *const *env, char **why);

/* What a send job's hook is told besides the job: how its pre-hook went
 * and the send (post and failure hooks), and the first failure. */
struct hook_send_state {
	const char *pre;    /* "ok", "failed", "none"; NULL: not said */
	const char *result; /* "sent", "skipped", "failed"; NULL: not said */
	const char *error;  /* NULL: none */
};

/* Runs job j's hook of this phase if it has one (ZEIT_JOB, ZEIT_SOURCE,
 * ZEIT_TARGET and st in its environment; [defaults]' hook_timeout when
 * the job sets none). Returns 0 when it succeeded or there is none; else
 * -1 and *why. With z->dry_run it notes it would run and runs nothing. */
int hook_send_job(struct zeit *z, const struct config_send_job *j,
                  const struct zeit_config *cfg, enum hook_phase phase,
                  const struct hook_send_state *st, char **why);

#endif
