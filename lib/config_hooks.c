/* The hook keys of zeit.conf: pre_KIND, post_KIND, on_KIND_failure,
 * hook_timeout, pre_KIND_failure and post_KIND_always, where KIND is
 * "snapshot" ([defaults], [DATASET]) or "send" ([send NAME]). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_priv.h"
#include "zeit/util.h"
#include "zeit/ztime.h"

/* A day: a hook that runs longer is stuck, and zeit must not hang. */
#define HOOK_TIMEOUT_MAX 86400

void config_hooks_init(struct config_hooks *h)
{
	memset(h, 0, sizeof(*h));
	h->timeout = -1;
	h->pre_failure = HOOK_PRE_UNSET;
	h->post_always = -1;
}

void config_hooks_free(struct config_hooks *h)
{
	free(h->pre);
	free(h->post);
	free(h->failure);
	config_hooks_init(h);
}

bool config_hooks_set(const struct config_hooks *h)
{
	return h->pre || h->post || h->failure;
}

static int command_value(struct load_ctx *x, const char *key, const char *value,
                         char **out)
{
	if (*out)
		return config_fail_at(x, "%s is given twice", key);
	if (!*value || strspn(value, " \t") == strlen(value))
		return config_fail_at(x, "%s: no command given", key);
	for (const char *p = value; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return config_fail_at(
			        x, "%s: a control character in the command",
			        key);
	*out = xstrdup(value);
	x->seen_hook = true;
	return 1;
}

static int timeout_value(struct load_ctx *x, const char *value,
                         struct config_hooks *h)
{
	unsigned long long n;
	long long secs;
	if (h->timeout != -1)
		return config_fail_at(x, "hook_timeout is given twice");
	if (parse_u64(value, &n) && n <= HOOK_TIMEOUT_MAX)
		secs = (long long)n;
	else if (!ztime_parse_duration(value, &secs) || secs > HOOK_TIMEOUT_MAX)
		secs = 0;
	if (secs <= 0)
		return config_fail_at(
		        x,
		        "hook_timeout: expected seconds or a duration such as "
		        "30s or 5m, above 0 and at most 1d, got '%s'",
		        value);
	h->timeout = secs;
	return 1;
}

int config_hook_key(struct load_ctx *x, struct config_hooks *h,
                    const char *kind, const char *name, const char *value)
{
	char pre[32], post[32], fail[32], pre_fail[32], always[32];
	snprintf(pre, sizeof(pre), "pre_%s", kind);
	snprintf(post, sizeof(post), "post_%s", kind);
	snprintf(fail, sizeof(fail), "on_%s_failure", kind);
	snprintf(pre_fail, sizeof(pre_fail), "pre_%s_failure", kind);
	snprintf(always, sizeof(always), "post_%s_always", kind);
	/* What a failing pre-hook leaves: "take" for snapshots, "send"
	 * for jobs, as the word reads in the file. */
	const char *go_on = !strcmp(kind, "send") ? "send" : "take";

	if (!strcmp(name, pre))
		return command_value(x, name, value, &h->pre);
	if (!strcmp(name, post))
		return command_value(x, name, value, &h->post);
	if (!strcmp(name, fail))
		return command_value(x, name, value, &h->failure);
	if (!strcmp(name, "hook_timeout"))
		return timeout_value(x, value, h);
	if (!strcmp(name, pre_fail)) {
		if (h->pre_failure != HOOK_PRE_UNSET)
			return config_fail_at(x, "%s is given twice", name);
		if (!strcmp(value, "skip"))
			h->pre_failure = HOOK_PRE_SKIP;
		else if (!strcmp(value, go_on))
			h->pre_failure = HOOK_PRE_GO_ON;
		else
			return config_fail_at(
			        x, "%s: expected skip or %s, got '%s'", name,
			        go_on, value);
		return 1;
	}
	if (!strcmp(name, always)) {
		int b = config_bool_value(value);
		if (b < 0)
			return config_fail_at(
			        x, "%s: expected yes or no, got '%s'", name,
			        value);
		if (h->post_always != -1)
			return config_fail_at(x, "%s is given twice", name);
		h->post_always = b;
		return 1;
	}
	return -1;
}

int config_hooks_file_check(struct load_ctx *x, int fd)
{
	struct stat st;
	if (!x->seen_hook)
		return 0;
	if (fstat(fd, &st) < 0)
		return zeit_fail(x->z, errno, "%s: %s", x->path,
		                 strerror(errno));
	if ((st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		return zeit_fail(x->z, EPERM,
		                 "%s sets hook commands, which run as this "
		                 "user, but is %s; refusing it",
		                 x->path,
		                 st.st_uid != 0 && st.st_uid != geteuid()
		                         ? "owned by another user"
		                         : "writable by others");
	return 0;
}
