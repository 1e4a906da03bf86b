/* A send job's hooks (see hook.h): the job's names in the environment. */
#include "zeit/hook.h"

#include <stdlib.h>

int hook_send_job(struct zeit *z, const struct config_send_job *j,
                  const struct zeit_config *cfg, enum hook_phase phase,
                  const struct hook_send_state *st, char **why)
{
	const struct config_hooks *h = &j->hooks;
	const char *cmd = phase == HOOK_PHASE_PRE    ? h->pre
	                  : phase == HOOK_PHASE_POST ? h->post
	                                             : h->failure;
	char key[48];
	*why = NULL;
	if (!cmd)
		return 0;
	hook_key_name("send", phase, key, sizeof(key));
	if (z->dry_run) {
		zeit_note(z, 0, "would run %s hook (job %s): %s", key, j->name,
		          cmd);
		return 0;
	}
	struct strv env;
	strv_init(&env);
	hook_env(&env, "ZEIT_JOB", j->name);
	hook_env(&env, "ZEIT_SOURCE", j->source);
	hook_env(&env, "ZEIT_TARGET", j->target);
	if (st && st->pre)
		hook_env(&env, "ZEIT_PRE", st->pre);
	if (st && st->result)
		hook_env(&env, "ZEIT_RESULT", st->result);
	if (st && st->error)
		hook_env(&env, "ZEIT_ERROR", st->error);
	zeit_note(z, 1, "running %s hook (job %s)", key, j->name);
	int rc =
	        hook_exec(z, cmd, hook_timeout(h, cfg ? &cfg->run_hooks : NULL),
	                  key, (const char *const *)env.v, why);
	strv_free(&env);
	if (rc < 0) {
		char *msg = xasprintf("%s hook failed: %s", key, *why);
		free(*why);
		*why = msg;
	}
	return rc;
}
