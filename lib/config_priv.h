/* What config.c and its section readers (config_send.c) share. */
#ifndef ZEIT_CONFIG_PRIV_H
#define ZEIT_CONFIG_PRIV_H

#include "zeit/config.h"

struct load_ctx {
	struct zeit *z;
	struct zeit_config *c;
	const char *path;
	int line;
	bool seen_adopt, seen_mode;
	bool seen_hook; /* a hook command was set: the file's owner matters */
	char failed;    /* set when the handler recorded a message */
};

/* on/yes/true/1 -> 1, off/no/false/0 -> 0, else -1. */
int config_bool_value(const char *v);
/* Records the message; inih then returns the line, which config_load
 * puts in front. Returns 0, what inih takes for a failure. */
int config_fail_at(struct load_ctx *x, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* [send NAME]: one key of a declared replication job. */
int config_send_key(struct load_ctx *x, const char *job, const char *name,
                    const char *value);
/* [send]: what all jobs share (parallel). */
int config_send_defaults_key(struct load_ctx *x, const char *name,
                             const char *value);
/* After the file: every job names a source and a target. */
int config_send_jobs_check(struct load_ctx *x);
void config_send_jobs_free(struct zeit_config *c);

/* The hook keys of a section (config_hooks.c): kind is "snapshot" in
 * [defaults] and [DATASET], "send" in [send NAME]. Returns 1 when taken,
 * 0 on a bad value (the message recorded), -1 when name is no hook key. */
int config_hook_key(struct load_ctx *x, struct config_hooks *h,
                    const char *kind, const char *name, const char *value);
void config_hooks_init(struct config_hooks *h);
void config_hooks_free(struct config_hooks *h);
/* Hook commands run as root: a file that sets one must be root's (or the
 * user's running zeit) and writable by nobody else. */
int config_hooks_file_check(struct load_ctx *x, int fd);

#endif
