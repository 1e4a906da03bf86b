/* From the send command's words to a request, and what a send chains:
 * each side's [user@]HOST:dataset read, its ssh set up to share one
 * connection, and the target's prune after a send with --prune. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/send.h"
#include "zeit/ssh_share.h"

/* HOST:dataset (HOST may be user@host) or a local dataset. A colon before
 * the first slash marks a host, as scp and syncoid read it. */
static void split_target(const char *arg, char **host, const char **ds)
{
	const char *colon = strchr(arg, ':');
	const char *slash = strchr(arg, '/');
	if (colon && (!slash || colon < slash) && colon != arg) {
		*host = xstrndup(arg, colon - arg);
		*ds = colon + 1;
	} else {
		*host = NULL;
		*ds = arg;
	}
}

/* A host word is a destination for ssh, never one of its options. */
static bool host_ok(const char *host)
{
	if (!host)
		return true;
	if (host[0] == '-')
		return false;
	for (const char *c = host; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return false;
	return true;
}

/* One side's ssh: the user's options plus, per destination, a shared
 * connection. */
static void side_host(struct send_endpoint *e, const char *const *user)
{
	strv_pushv(&e->ssh_opts, user);
	ssh_share_add(&e->ssh_opts, e->host);
	e->rh.ssh = e->host;
	e->rh.ssh_opts = (const char *const *)e->ssh_opts.v;
}

int send_endpoints(struct zeit *z, const char *src_arg, const char *dst_arg,
                   const char *const *ssh_opts, struct send_endpoint *src,
                   struct send_endpoint *dst)
{
	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	strv_init(&src->ssh_opts);
	strv_init(&dst->ssh_opts);
	split_target(dst_arg, &dst->host, &dst->dataset);
	split_target(src_arg, &src->host, &src->dataset);
	if (!host_ok(dst->host) || !host_ok(src->host))
		return zeit_fail(z, EINVAL,
		                 "invalid host '%s': a host is a name for ssh, "
		                 "not an option or a word with spaces",
		                 host_ok(dst->host) ? src->host : dst->host);
	if ((dst->host && !*dst->dataset) || (src->host && !*src->dataset)) {
		bool t = dst->host && !*dst->dataset;
		return zeit_fail(z, EINVAL, "%s '%s:' names no dataset",
		                 t ? "target" : "source",
		                 t ? dst->host : src->host);
	}
	if (dst->host)
		side_host(dst, ssh_opts);
	if (src->host)
		side_host(src, ssh_opts);
	return 0;
}

const struct run_host *send_endpoint_host(const struct send_endpoint *e)
{
	return e->host ? &e->rh : NULL;
}

void send_endpoint_free(struct send_endpoint *e)
{
	free(e->host);
	strv_free(&e->ssh_opts);
	memset(e, 0, sizeof(*e));
}

int send_prune_target(struct zfs *dst, const struct send_request *req,
                      const struct zeit_config *cfg, struct prune_plan *plan,
                      struct prune_exec_stats *st)
{
	const char *roots[] = {req->target, NULL};
	struct prune_request pr = {.roots = roots,
	                           .recursive = req->recursive,
	                           .config = cfg,
	                           .mode = cfg->prune_mode};
	return prune_run(dst, &pr, plan, st);
}
