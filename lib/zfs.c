/* The ZFS driver: builds every zfs/zpool argv in zeit, runs it through the
 * process runner (here or over ssh) and turns failures into one message
 * with the command line and what zfs said. Listings live in zfs_list.c,
 * parsing in zfs_parse.c and zfs_json.c. */
#include "zfs_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zeit/zfs_errmsg.h"
#include "zeit/zfs_mount.h"

void zfs_init(struct zfs *zh, struct zeit *z, const struct run_host *host)
{
	memset(zh, 0, sizeof(*zh));
	zh->z = z;
	zh->host = host;
	zfs_json_init(zh);
}

/* Maps zfs's messages to errno-style codes callers can act on. */
static int classify(const char *err)
{
	static const struct {
		const char *text;
		int code;
	} map[] = {
	        {"does not exist", ENOENT},
	        {"no such pool", ENOENT},
	        {"dataset is busy", EBUSY},
	        {"pool or dataset is busy", EBUSY},
	        {"has dependent clones", EBUSY},
	        {"out of space", ENOSPC},
	        {"already exists", EEXIST},
	        {"permission denied", EPERM},
	        {"Permission denied", EPERM},
	        {"Operation not permitted", EPERM},
	        /* A zfs without the subcommand (channel programs compiled
	         * out, an old zfs): before "invalid" reads as EINVAL. */
	        {"unrecognized command", ENOTSUP},
	        {"invalid command", ENOTSUP},
	        {"invalid", EINVAL},
	        {"has been modified", EEXIST},
	        {"destination has snapshots", EEXIST},
	        {"must be a valid", EINVAL},
	        {"unsupported", ENOTSUP},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strstr(err, map[i].text))
			return map[i].code;
	return EIO;
}

static void trim_trailing(struct buf *b)
{
	while (b->len &&
	       (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == ' '))
		b->data[--b->len] = '\0';
}

/* The command line for a message, shortened when it is a long batch. */
static char *command_for_message(const char *const *argv)
{
	enum { MAX = 400 };
	char *line = argv_to_string(argv);
	size_t n = 0;

	if (strlen(line) <= MAX)
		return line;
	for (; argv[n]; n++)
		;
	char *cut = xasprintf("%.*s ... (%zu arguments)", MAX - 100, line, n);
	free(line);
	return cut;
}

/* What zfs said, in its words (lib/zfs_errmsg.c); the command at -v. */
static void fail_cmd(struct zfs *zh, struct run_cmd *c)
{
	const char *where = zh->host && zh->host->ssh ? zh->host->ssh : NULL;

	trim_trailing(&c->err);
	if (c->timed_out || c->cancelled || (where && c->status == 255)) {
		char *line = command_for_message(c->argv);
		if (c->timed_out)
			zeit_fail(zh->z, ETIMEDOUT, "`%s`%s%s timed out", line,
			          where ? " on " : "", where ? where : "");
		else if (c->cancelled)
			zeit_fail(zh->z, ECANCELED, "`%s`%s%s was stopped",
			          line, where ? " on " : "",
			          where ? where : "");
		else
			zeit_fail(zh->z, EHOSTUNREACH,
			          "`%s` on %s: ssh failed: %s", line, where,
			          c->err.len ? c->err.data : "(no message)");
		free(line);
		return;
	}
	struct zfs_errmsg_in in = {c->argv, c->err.data, c->status, where,
	                           zh->z->verbose};
	char *msg = zfs_errmsg(&in);
	zeit_fail(zh->z, classify(c->err.data ? c->err.data : ""), "%s", msg);
	free(msg);
}

static void note_cmd(struct zfs *zh, const char *const *argv)
{
	if (zh->z->verbose < 2)
		return;
	char *line = argv_to_string(argv);
	zeit_note(zh->z, 2, "run%s%s: %s",
	          zh->host && zh->host->ssh ? " on " : "",
	          zh->host && zh->host->ssh ? zh->host->ssh : "", line);
	free(line);
}

/* Runs argv whatever its exit status; c is the caller's (free with
 * run_cmd_free) unless the command could not be run at all. */
static int zrun_any(struct zfs *zh, const struct strv *argv, const char *input,
                    struct run_cmd *c)
{
	run_cmd_init(c, (const char *const *)argv->v);
	c->host = zh->host;
	c->timeout_ms = zh->timeout_ms;
	if (input) {
		c->input = input;
		c->input_len = strlen(input);
	}
	note_cmd(zh, c->argv);
	zh->calls++;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (run(zh->z, c) < 0) {
		run_cmd_free(c);
		return -1;
	}
	if (zh->z->verbose >= 3) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		zeit_note(zh->z, 3, "  took %ld ms",
		          (long)((t1.tv_sec - t0.tv_sec) * 1000 +
		                 (t1.tv_nsec - t0.tv_nsec) / 1000000));
	}
	return 0;
}

/* Runs argv; on success the caller owns c (free with run_cmd_free). */
static int zrun_input(struct zfs *zh, const struct strv *argv,
                      const char *input, struct run_cmd *c)
{
	if (zrun_any(zh, argv, input, c) < 0)
		return -1;
	if (c->status != 0) {
		fail_cmd(zh, c);
		run_cmd_free(c);
		return -1;
	}
	return 0;
}

static int zrun(struct zfs *zh, const struct strv *argv, struct run_cmd *c)
{
	return zrun_input(zh, argv, NULL, c);
}

/* Runs argv and discards its output. */
static int zrun_quiet(struct zfs *zh, struct strv *argv)
{
	struct run_cmd c;
	int rc = zrun(zh, argv, &c);
	if (rc == 0)
		run_cmd_free(&c);
	strv_free(argv);
	return rc;
}

static int check_names(struct zfs *zh, const char *const *names, unsigned kinds)
{
	if (!names || !names[0])
		return zeit_fail(zh->z, EINVAL, "no names given");
	for (size_t i = 0; names[i]; i++)
		if (zfs_name_check(zh->z, names[i], kinds) < 0)
			return -1;
	return 0;
}

static int check_name(struct zfs *zh, const char *name, unsigned kinds)
{
	const char *v[] = {name, NULL};
	return check_names(zh, v, kinds);
}

static int check_assignments(struct zfs *zh, const char *const *a)
{
	for (size_t i = 0; a && a[i]; i++) {
		const char *eq = strchr(a[i], '=');
		if (!eq || eq == a[i])
			return zeit_fail(zh->z, EINVAL,
			                 "invalid property assignment '%s': "
			                 "expected name=value",
			                 a[i]);
	}
	return 0;
}

static void push_depth(struct strv *a, int depth)
{
	if (depth < 0)
		strv_push(a, "-r");
	else if (depth > 0)
		strv_pushf(a, "-d%d", depth);
}

static void push_props_option(struct strv *a, const char *opt,
                              const char *const *assignments)
{
	for (size_t i = 0; assignments && assignments[i]; i++) {
		strv_push(a, opt);
		strv_push(a, assignments[i]);
	}
}

static void join_comma(struct buf *b, const char *first,
                       const char *const *rest)
{
	if (first)
		buf_adds(b, first);
	for (size_t i = 0; rest && rest[i]; i++) {
		if (b->len)
			buf_addc(b, ',');
		buf_adds(b, rest[i]);
	}
}

/* For the driver's other files (zfs_priv.h). */
int zfs_run_any(struct zfs *zh, const struct strv *argv, const char *input,
                struct run_cmd *c)
{
	return zrun_any(zh, argv, input, c);
}

int zfs_run_quiet(struct zfs *zh, struct strv *argv)
{
	return zrun_quiet(zh, argv);
}

void zfs_fail_cmd(struct zfs *zh, struct run_cmd *c)
{
	fail_cmd(zh, c);
}

int zfs_check_names(struct zfs *zh, const char *const *names, unsigned kinds)
{
	return check_names(zh, names, kinds);
}

int zfs_check_name(struct zfs *zh, const char *name, unsigned kinds)
{
	return check_name(zh, name, kinds);
}

void zfs_push_depth(struct strv *a, int depth)
{
	push_depth(a, depth);
}

void zfs_join_comma(struct buf *b, const char *first, const char *const *rest)
{
	join_comma(b, first, rest);
}

int zfs_set_props(struct zfs *zh, const char *dataset,
                  const char *const *assignments)
{
	struct strv a;

	if (check_name(zh, dataset, ZFS_NAME_DATASET | ZFS_NAME_SNAPSHOT) < 0)
		return -1;
	if (!assignments || !assignments[0])
		return zeit_fail(zh->z, EINVAL, "no properties to set on %s",
		                 dataset);
	if (check_assignments(zh, assignments) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "set");
	strv_pushv(&a, assignments);
	strv_push(&a, dataset);
	return zrun_quiet(zh, &a);
}

int zfs_set_props_on(struct zfs *zh, const char *const *datasets,
                     const char *const *assignments)
{
	struct strv a;

	if (!datasets || !datasets[0])
		return zeit_fail(zh->z, EINVAL, "no dataset to set on");
	for (size_t i = 0; datasets[i]; i++)
		if (check_name(zh, datasets[i], ZFS_NAME_DATASET) < 0)
			return -1;
	if (!assignments || !assignments[0])
		return zeit_fail(zh->z, EINVAL, "no properties to set on %s",
		                 datasets[0]);
	if (check_assignments(zh, assignments) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "set");
	strv_pushv(&a, assignments);
	strv_pushv(&a, datasets);
	return zrun_quiet(zh, &a);
}

int zfs_inherit_prop(struct zfs *zh, const char *dataset, const char *prop,
                     bool recursive)
{
	struct strv a;

	if (check_name(zh, dataset, ZFS_NAME_DATASET | ZFS_NAME_SNAPSHOT) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "inherit");
	if (recursive)
		strv_push(&a, "-r");
	strv_push(&a, prop);
	strv_push(&a, dataset);
	return zrun_quiet(zh, &a);
}

int zpool_set_prop(struct zfs *zh, const char *pool, const char *prop,
                   const char *value)
{
	struct strv a;

	if (check_name(zh, pool, ZFS_NAME_POOL) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zpool");
	strv_push(&a, "set");
	strv_pushf(&a, "%s=%s", prop, value);
	strv_push(&a, pool);
	return zrun_quiet(zh, &a);
}

int zpool_import(struct zfs *zh, const char *pool, unsigned flags)
{
	struct strv a;

	if (pool && check_name(zh, pool, ZFS_NAME_POOL) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zpool");
	strv_push(&a, "import");
	/* -N: a boot menu mounts what it needs itself, where it wants. */
	strv_push(&a, "-N");
	strv_push(&a, "-o");
	strv_push(&a, "cachefile=none");
	strv_push(&a, "-o");
	strv_push(&a, flags & ZPOOL_IMPORT_READONLY ? "readonly=on"
	                                            : "readonly=off");
	if (flags & ZPOOL_IMPORT_FORCE)
		strv_push(&a, "-f");
	strv_push(&a, pool ? pool : "-a");
	return zrun_quiet(zh, &a);
}

int zpool_export(struct zfs *zh, const char *pool)
{
	struct strv a;

	if (check_name(zh, pool, ZFS_NAME_POOL) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zpool");
	strv_push(&a, "export");
	strv_push(&a, pool);
	return zrun_quiet(zh, &a);
}

/* ---- Creating and destroying ---- */

int zfs_snapshot(struct zfs *zh, const char *const *snaps,
                 const char *const *props)
{
	char pool0[ZFS_MAX_NAME_LEN + 1], pool[ZFS_MAX_NAME_LEN + 1];
	struct strv a;

	if (check_names(zh, snaps, ZFS_NAME_SNAPSHOT) < 0 ||
	    check_assignments(zh, props) < 0)
		return -1;
	/* zfs takes several snapshots atomically only within one pool. */
	zfs_pool_of(snaps[0], pool0, sizeof(pool0));
	for (size_t i = 1; snaps[i]; i++) {
		zfs_pool_of(snaps[i], pool, sizeof(pool));
		if (strcmp(pool, pool0) != 0)
			return zeit_fail(
			        zh->z, EXDEV,
			        "snapshots %s and %s are in different "
			        "pools; one atomic call takes one pool",
			        snaps[0], snaps[i]);
	}
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "snapshot");
	push_props_option(&a, "-o", props);
	strv_pushv(&a, snaps);
	return zrun_quiet(zh, &a);
}

int zfs_create(struct zfs *zh, const char *dataset, bool parents,
               const char *const *props)
{
	struct strv a;

	if (check_name(zh, dataset, ZFS_NAME_DATASET) < 0 ||
	    check_assignments(zh, props) < 0)
		return -1;
	if (!strchr(dataset, '/'))
		return zeit_fail(zh->z, EINVAL,
		                 "cannot create %s: a pool is made with zpool",
		                 dataset);
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "create");
	if (parents)
		strv_push(&a, "-p");
	push_props_option(&a, "-o", props);
	strv_push(&a, dataset);
	return zrun_quiet(zh, &a);
}

int zfs_destroy_dataset(struct zfs *zh, const char *dataset, bool recursive)
{
	struct strv a;

	if (check_name(zh, dataset, ZFS_NAME_DATASET) < 0)
		return -1;
	if (!strchr(dataset, '/'))
		return zeit_fail(zh->z, EINVAL,
		                 "refusing to destroy %s: it is a pool's root",
		                 dataset);
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "destroy");
	if (recursive)
		strv_push(&a, "-r");
	strv_push(&a, dataset);
	return zrun_quiet(zh, &a);
}

int zfs_destroy_bookmark(struct zfs *zh, const char *bookmark)
{
	struct strv a;

	if (check_name(zh, bookmark, ZFS_NAME_BOOKMARK) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "destroy");
	strv_push(&a, bookmark);
	return zrun_quiet(zh, &a);
}

int zfs_clone(struct zfs *zh, const char *snap, const char *target,
              const char *const *props)
{
	struct strv a;

	if (check_name(zh, snap, ZFS_NAME_SNAPSHOT) < 0 ||
	    check_name(zh, target, ZFS_NAME_DATASET) < 0 ||
	    check_assignments(zh, props) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "clone");
	push_props_option(&a, "-o", props);
	strv_push(&a, snap);
	strv_push(&a, target);
	return zrun_quiet(zh, &a);
}

int zfs_promote(struct zfs *zh, const char *dataset)
{
	struct strv a;

	if (check_name(zh, dataset, ZFS_NAME_DATASET) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "promote");
	strv_push(&a, dataset);
	return zrun_quiet(zh, &a);
}

int zfs_rollback(struct zfs *zh, const char *snap, unsigned flags)
{
	struct strv a;

	if (check_name(zh, snap, ZFS_NAME_SNAPSHOT) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "rollback");
	if (flags & ZFS_ROLLBACK_LATER)
		strv_push(&a, "-r");
	if (flags & ZFS_ROLLBACK_CLONES)
		strv_push(&a, "-R");
	if (flags & ZFS_ROLLBACK_FORCE)
		strv_push(&a, "-f");
	strv_push(&a, snap);
	return zrun_quiet(zh, &a);
}

int zfs_rename(struct zfs *zh, const char *from, const char *to, unsigned flags)
{
	bool snap = strchr(from, '@') != NULL;
	unsigned kind = snap ? ZFS_NAME_SNAPSHOT : ZFS_NAME_DATASET;
	struct strv a;

	if (check_name(zh, from, kind) < 0 || check_name(zh, to, kind) < 0)
		return -1;
	if ((flags & ZFS_RENAME_RECURSIVE) && !snap)
		return zeit_fail(zh->z, EINVAL,
		                 "recursive rename is for snapshots only");
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "rename");
	if (flags & ZFS_RENAME_RECURSIVE)
		strv_push(&a, "-r");
	if (flags & ZFS_RENAME_NOMOUNT)
		strv_push(&a, "-u");
	if (flags & ZFS_RENAME_PARENTS)
		strv_push(&a, "-p");
	strv_push(&a, from);
	strv_push(&a, to);
	return zrun_quiet(zh, &a);
}

static int hold_release(struct zfs *zh, const char *verb, const char *tag,
                        const char *const *snaps, bool recursive)
{
	struct strv a;

	if (!tag || !*tag || strlen(tag) > 255)
		return zeit_fail(zh->z, EINVAL, "invalid hold tag '%s'",
		                 tag ? tag : "");
	if (check_names(zh, snaps, ZFS_NAME_SNAPSHOT) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, verb);
	if (recursive)
		strv_push(&a, "-r");
	strv_push(&a, tag);
	strv_pushv(&a, snaps);
	return zrun_quiet(zh, &a);
}

int zfs_hold(struct zfs *zh, const char *tag, const char *const *snaps,
             bool recursive)
{
	return hold_release(zh, "hold", tag, snaps, recursive);
}

int zfs_release(struct zfs *zh, const char *tag, const char *const *snaps,
                bool recursive)
{
	return hold_release(zh, "release", tag, snaps, recursive);
}

int zfs_bookmark(struct zfs *zh, const char *snap_or_bookmark,
                 const char *bookmark)
{
	struct strv a;

	if (check_name(zh, snap_or_bookmark,
	               ZFS_NAME_SNAPSHOT | ZFS_NAME_BOOKMARK) < 0 ||
	    check_name(zh, bookmark, ZFS_NAME_BOOKMARK) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "bookmark");
	strv_push(&a, snap_or_bookmark);
	strv_push(&a, bookmark);
	return zrun_quiet(zh, &a);
}

/* ---- Send and receive ---- */

static int send_argv(struct zfs *zh, const struct zfs_send_opts *o,
                     bool estimate, struct strv *a)
{
	strv_init(a);
	strv_push(a, "zfs");
	strv_push(a, "send");
	if (estimate) {
		strv_push(a, "-n");
		strv_push(a, "-v");
		strv_push(a, "-P");
	}
	if (o->resume_token) {
		if (!*o->resume_token || strpbrk(o->resume_token, " \t\n"))
			return zeit_fail(zh->z, EINVAL,
			                 "invalid resume token '%s'",
			                 o->resume_token);
		strv_push(a, "-t");
		strv_push(a, o->resume_token);
		return 0;
	}
	if (check_name(zh, o->snap, ZFS_NAME_SNAPSHOT) < 0)
		return -1;
	if (o->from &&
	    check_name(zh, o->from, ZFS_NAME_SNAPSHOT | ZFS_NAME_BOOKMARK) < 0)
		return -1;
	if (o->raw)
		strv_push(a, "-w");
	if (o->props)
		strv_push(a, "-p");
	if (o->replicate)
		strv_push(a, "-R");
	if (o->large_blocks)
		strv_push(a, "-L");
	if (o->compressed)
		strv_push(a, "-c");
	if (o->embedded)
		strv_push(a, "-e");
	if (o->from) {
		strv_push(a, o->intermediates ? "-I" : "-i");
		strv_push(a, o->from);
	}
	strv_push(a, o->snap);
	return 0;
}

int zfs_send_estimate(struct zfs *zh, const struct zfs_send_opts *o,
                      uint64_t *bytes)
{
	struct strv a;
	struct run_cmd c;
	int rc;

	if (send_argv(zh, o, true, &a) < 0) {
		strv_free(&a);
		return -1;
	}
	rc = zrun(zh, &a, &c);
	strv_free(&a);
	if (rc < 0)
		return -1;
	/* The dry-run report goes to stdout in current OpenZFS, to stderr in
	 * older releases. */
	if (zfs_parse_send_size(c.out.data ? c.out.data : "", bytes) < 0 &&
	    zfs_parse_send_size(c.err.data ? c.err.data : "", bytes) < 0)
		rc = zeit_fail(zh->z, EPROTO,
		               "no size in zfs send -nvP output for %s",
		               o->snap ? o->snap : "resume token");
	run_cmd_free(&c);
	return rc;
}

static int recv_argv(struct zfs *zh, const struct zfs_recv_opts *o,
                     struct strv *a)
{
	strv_init(a);
	if (check_name(zh, o->target, ZFS_NAME_DATASET | ZFS_NAME_SNAPSHOT) <
	            0 ||
	    check_assignments(zh, o->set_props) < 0)
		return -1;
	strv_push(a, "zfs");
	strv_push(a, "receive");
	if (o->resumable)
		strv_push(a, "-s");
	if (o->force)
		strv_push(a, "-F");
	if (o->nomount)
		strv_push(a, "-u");
	push_props_option(a, "-o", o->set_props);
	push_props_option(a, "-x", o->exclude_props);
	if (o->untrusted)
		zfs_recv_pins(o->volume, a);
	strv_push(a, o->target);
	return 0;
}

/* The gate of an untrusted stream: its head must carry no properties
 * and be of the type the sender's listing said. */
struct head_check {
	struct zeit z; /* the refusal, for the caller's handle */
	bool volume;
	bool refused;
};

static bool check_head(const unsigned char *head, size_t n, void *arg)
{
	struct head_check *h = arg;
	struct zfs_stream_head s;

	h->refused = true;
	if (n < ZFS_STREAM_RECORD || n < zfs_stream_head_len(head)) {
		zeit_fail(&h->z, EPROTO,
		          "the stream ended within its first "
		          "records");
		return false;
	}
	if (zfs_stream_head_parse(&h->z, head, zfs_stream_head_len(head), &s) <
	    0)
		return false;
	if (s.props) {
		zeit_fail(&h->z, EPERM,
		          "the stream carries properties (zfs send -p or -R); "
		          "a stream from another host may not");
		return false;
	}
	if (s.volume != h->volume) {
		zeit_fail(&h->z, EPERM,
		          "the stream is a %s's, but the source listed a %s",
		          s.volume ? "volume" : "filesystem",
		          h->volume ? "volume" : "filesystem");
		return false;
	}
	h->refused = false;
	return true;
}

int zfs_send_recv(struct zfs *src, const struct zfs_send_opts *so,
                  struct zfs *dst, const struct zfs_recv_opts *ro,
                  const struct run_progress *progress, uint64_t *bytes)
{
	struct strv sa = {0}, ra = {0};
	struct run_cmd sc, rc_;
	int rc = -1;

	if (send_argv(src, so, false, &sa) < 0 || recv_argv(dst, ro, &ra) < 0) {
		if (dst->z != src->z && dst->z->err)
			zeit_fail(src->z, dst->z->err, "%s",
			          zeit_error(dst->z));
		strv_free(&sa);
		strv_free(&ra);
		return -1;
	}
	run_cmd_init(&sc, (const char *const *)sa.v);
	sc.host = src->host;
	run_cmd_init(&rc_, (const char *const *)ra.v);
	rc_.host = dst->host;
	note_cmd(src, sc.argv);
	note_cmd(dst, rc_.argv);
	src->calls++;
	dst->calls++;
	struct head_check hc = {.volume = ro->volume};
	struct run_gate gate = {ZFS_STREAM_HEAD_MAX, check_head, &hc};
	zeit_init(&hc.z);
	if (run_pipeline_gated(src->z, &sc, &rc_, bytes, progress,
	                       ro->untrusted ? &gate : NULL) < 0)
		goto out;
	if (hc.refused) {
		zeit_fail(src->z, hc.z.err,
		          "refused the stream from %s for %s: %s",
		          src->host && src->host->ssh ? src->host->ssh
		                                      : "the source",
		          ro->target, zeit_error(&hc.z));
		goto out;
	}
	/* The receiver's complaint is usually the one that explains both. */
	if (rc_.status != 0) {
		fail_cmd(dst, &rc_);
		if (dst->z != src->z)
			zeit_fail(src->z, dst->z->err, "%s",
			          zeit_error(dst->z));
		goto out;
	}
	if (sc.status != 0) {
		fail_cmd(src, &sc);
		goto out;
	}
	rc = 0;
out:
	run_cmd_free(&sc);
	run_cmd_free(&rc_);
	strv_free(&sa);
	strv_free(&ra);
	return rc;
}

int zfs_recv_abort(struct zfs *zh, const char *dataset)
{
	struct strv a;

	if (check_name(zh, dataset, ZFS_NAME_DATASET) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "receive");
	strv_push(&a, "-A");
	strv_push(&a, dataset);
	return zrun_quiet(zh, &a);
}

/* ---- diff ---- */

/* zfs diff says "No such file or directory" without a name: one listing of
 * both names tells which one is missing, said for the diff (diff's argv). */
static int diff_failed(struct zfs *zh, const char *const *diff, int status,
                       const char *from, const char *to)
{
	struct strv a;
	struct run_cmd c;

	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "list");
	strv_push(&a, "-H");
	strv_push(&a, "-o");
	strv_push(&a, "name");
	strv_push(&a, "-t");
	strv_push(&a, "all");
	strv_push(&a, from);
	if (to)
		strv_push(&a, to);
	if (zrun_any(zh, &a, NULL, &c) == 0) {
		if (c.status != 0) {
			struct zfs_errmsg_in in = {diff, c.err.data, status,
			                           zh->host ? zh->host->ssh
			                                    : NULL,
			                           zh->z->verbose};
			char *msg = zfs_errmsg(&in);
			zeit_fail(zh->z, ENOENT, "%s", msg);
			free(msg);
		}
		run_cmd_free(&c);
	}
	strv_free(&a);
	return -1;
}

int zfs_diff(struct zfs *zh, const char *from, const char *to,
             struct zfs_diff_list *out)
{
	struct strv a;
	struct run_cmd c;
	int rc;

	out->v = NULL;
	out->n = 0;
	if (check_name(zh, from, ZFS_NAME_SNAPSHOT) < 0 ||
	    (to &&
	     check_name(zh, to, ZFS_NAME_SNAPSHOT | ZFS_NAME_DATASET) < 0))
		return -1;
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "diff");
	strv_push(&a, "-F");
	strv_push(&a, "-H");
	strv_push(&a, "-t");
	strv_push(&a, from);
	if (to)
		strv_push(&a, to);
	if (zrun_any(zh, &a, NULL, &c) < 0) {
		strv_free(&a);
		return -1;
	}
	if (c.status != 0) {
		int status = c.status;
		fail_cmd(zh, &c);
		run_cmd_free(&c);
		diff_failed(zh, (const char *const *)a.v, status, from, to);
		strv_free(&a);
		return -1;
	}
	strv_free(&a);
	rc = zfs_parse_diff(zh->z, c.out.data ? c.out.data : (char[]){0}, out);
	run_cmd_free(&c);
	return rc;
}

/* ---- Temporary mounts ---- */

int zfs_mount_at(struct zfs *zh, const char *name, const char *dir,
                 bool readonly)
{
	struct strv a;

	if (check_name(zh, name, ZFS_NAME_DATASET | ZFS_NAME_SNAPSHOT) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "mount");
	strv_push(&a, "-t");
	strv_push(&a, "zfs");
	/* zfsutil lets a filesystem mount whatever its mountpoint says;
	 * snapshots refuse the option and mount read-only anyway. */
	strv_push(&a, "-o");
	if (strchr(name, '@'))
		strv_push(&a, "ro");
	else
		strv_push(&a, readonly ? "ro,zfsutil" : "zfsutil");
	strv_push(&a, name);
	strv_push(&a, dir);
	return zrun_quiet(zh, &a);
}

int zfs_load_key(struct zfs *zh, const char *dataset)
{
	struct strv a;
	struct run_cmd c;

	if (check_name(zh, dataset, ZFS_NAME_DATASET) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "load-key");
	strv_push(&a, dataset);
	/* The prompt, if keylocation says so, is the user's terminal. */
	run_cmd_init(&c, (const char *const *)a.v);
	c.flags = RUN_INHERIT_STDIN | RUN_INHERIT_STDOUT | RUN_INHERIT_STDERR;
	note_cmd(zh, c.argv);
	zh->calls++;
	int rc = run(zh->z, &c);
	if (rc == 0 && c.status != 0)
		rc = zeit_fail(zh->z, EACCES,
		               "zfs load-key %s failed (exit %d)", dataset,
		               c.status);
	run_cmd_free(&c);
	strv_free(&a);
	return rc;
}

int zfs_unmount_at(struct zfs *zh, const char *dir)
{
	struct strv a;

	strv_init(&a);
	strv_push(&a, "umount");
	strv_push(&a, dir);
	return zrun_quiet(zh, &a);
}

/* Where dataset is mounted on this machine, from /proc/self/mounts. */
void zfs_mounts(struct strv *datasets, struct strv *dirs)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	char *line = NULL;
	size_t cap = 0;

	strv_init(datasets);
	strv_init(dirs);
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *ds, *dir;
		if (!zfs_mounts_line(line, &ds, &dir))
			continue;
		strv_push(datasets, ds);
		strv_push(dirs, dir);
	}
	free(line);
	fclose(f);
}

static char *mount_lookup(const char *key, bool by_dataset)
{
	struct strv ds, dirs;
	char *found = NULL;

	zfs_mounts(&ds, &dirs);
	for (size_t i = 0; i < ds.n && !found; i++)
		if (!strcmp(by_dataset ? ds.v[i] : dirs.v[i], key))
			found = xstrdup(by_dataset ? dirs.v[i] : ds.v[i]);
	strv_free(&ds);
	strv_free(&dirs);
	return found;
}

char *zfs_mounted_at(const char *dataset)
{
	return mount_lookup(dataset, true);
}

char *zfs_dataset_at(const char *dir)
{
	return mount_lookup(dir, false);
}
