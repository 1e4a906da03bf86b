/* Running one hook (see hook.h). */
#include "zeit/hook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/run.h"

void hook_key_name(const char *kind, enum hook_phase phase, char *buf,
                   size_t len)
{
	if (phase == HOOK_PHASE_PRE)
		snprintf(buf, len, "pre_%s", kind);
	else if (phase == HOOK_PHASE_POST)
		snprintf(buf, len, "post_%s", kind);
	else
		snprintf(buf, len, "on_%s_failure", kind);
}

long long hook_timeout(const struct config_hooks *h,
                       const struct config_hooks *fallback)
{
	if (h && h->timeout > 0)
		return h->timeout;
	if (fallback && fallback->timeout > 0)
		return fallback->timeout;
	return HOOK_TIMEOUT_DEFAULT;
}

enum hook_pre_failure hook_pre_failure(const struct config_hooks *h,
                                       const struct config_hooks *fallback)
{
	if (h && h->pre_failure != HOOK_PRE_UNSET)
		return h->pre_failure;
	if (fallback && fallback->pre_failure != HOOK_PRE_UNSET)
		return fallback->pre_failure;
	return HOOK_PRE_SKIP;
}

bool hook_post_always(const struct config_hooks *h,
                      const struct config_hooks *fallback)
{
	if (h && h->post_always != -1)
		return h->post_always;
	return fallback && fallback->post_always == 1;
}

void hook_env(struct strv *env, const char *name, const char *value)
{
	strv_pushf(env, "%s=%s", name, value ? value : "");
}

/* The first line of what it said, printable and short. */
static char *first_line(const struct buf *b)
{
	const char *s = b->data ? b->data : "";
	size_t n = strcspn(s, "\n");
	if (n > 200)
		n = 200;
	char *line = xstrndup(s, n);
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return line;
}

int hook_exec(struct zeit *z, const char *command, long long timeout,
              const char *key, const char *const *env, char **why)
{
	/* $0 names the hook in the shell's own messages. */
	const char *argv[] = {"/bin/sh", "-c", command, key, NULL};
	struct strv all;
	struct run_cmd c;
	struct zeit scratch;

	*why = NULL;
	strv_init(&all);
	hook_env(&all, "ZEIT_HOOK", key);
	strv_pushv(&all, env);
	run_cmd_init(&c, argv);
	c.env = (const char *const *)all.v;
	c.timeout_ms = (int)(timeout * 1000);
	c.flags = RUN_OWN_PGROUP;
	zeit_init(&scratch);
	scratch.now = z->now;
	int rc = run(&scratch, &c);
	if (rc < 0) {
		*why = xstrdup(zeit_error(&scratch));
	} else if (c.timed_out || c.abandoned) {
		*why = xasprintf("timed out after %llds; killed", timeout);
		rc = -1;
	} else if (c.status != 0) {
		char *line = first_line(&c.err);
		if (c.status > 128)
			*why = xasprintf("killed by signal %d%s%s",
			                 c.status - 128, *line ? ": " : "",
			                 line);
		else
			*why = xasprintf("exit status %d%s%s", c.status,
			                 *line ? ": " : "", line);
		free(line);
		rc = -1;
	}
	run_cmd_free(&c);
	strv_free(&all);
	return rc;
}
