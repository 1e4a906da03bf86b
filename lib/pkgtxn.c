/* Pre/post snapshots around package transactions (pkgtxn.h says what and
 * why): finding the package manager and the dataset, the state file under
 * its lock, and the two zfs calls. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "zeit/escape.h"
#include "zeit/pkgtxn.h"
#include "zeit/rootfile.h"
#include "zfs_txn_priv.h"

#define STATE_MAX    (16u << 20)
#define COMMAND_MAX  400  /* one transaction's command line, escaped */
#define COMMANDS_MAX 1500 /* the property: a run's command lines */
#define DELTA_MAX    1500

void pkgtxn_result_init(struct pkgtxn_result *r)
{
	memset(r, 0, sizeof(*r));
	strv_init(&r->notes);
}

void pkgtxn_result_free(struct pkgtxn_result *r)
{
	free(r->delta);
	strv_free(&r->notes);
	memset(r, 0, sizeof(*r));
}

/* ---- Processes ---- */

static int proc_read(pid_t pid, const char *what, struct buf *out)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	buf_reset(out);
	char chunk[4096];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 && out->len < 65536)
		buf_add(out, chunk, (size_t)n);
	close(fd);
	return n < 0 ? -1 : 0;
}

static int proc_stat(pid_t pid, pid_t *ppid, unsigned long long *start,
                     char *comm, size_t commlen)
{
	struct buf b;
	buf_init(&b);
	int rc = proc_read(pid, "stat", &b);
	if (rc == 0)
		rc = b.len ? pkgtxn_parse_stat(b.data, ppid, start, comm,
		                               commlen)
		           : -1;
	buf_free(&b);
	return rc;
}

/* Whether p is still the process it was. */
static bool proc_alive(const struct pkgtxn_proc *p)
{
	pid_t pp;
	unsigned long long st;
	return p->pid > 0 && proc_stat(p->pid, &pp, &st, NULL, 0) == 0 &&
	       st == p->start;
}

static bool proc_same(const struct pkgtxn_proc *a, const struct pkgtxn_proc *b)
{
	return a->pid > 0 && a->pid == b->pid && a->start == b->start;
}

/* The hook's shells and zeit itself stand between it and the package
 * manager (apt runs its hooks through sh -c). */
static bool is_hook_wrapper(const char *comm)
{
	static const char *const w[] = {"sh",   "dash", "bash",
	                                "zeit", "env",  NULL};
	for (size_t i = 0; w[i]; i++)
		if (!strcmp(comm, w[i]))
			return true;
	return false;
}

static void find_manager(struct pkgtxn_proc *pm, struct pkgtxn_proc *parent)
{
	pid_t pid = getppid(), ppid = 0;
	unsigned long long start = 0;
	char comm[64];

	memset(pm, 0, sizeof(*pm));
	memset(parent, 0, sizeof(*parent));
	for (int depth = 0; pid > 1 && depth < 16; depth++) {
		if (proc_stat(pid, &ppid, &start, comm, sizeof(comm)) < 0)
			return;
		if (!is_hook_wrapper(comm))
			break;
		pid = ppid;
	}
	if (pid <= 1)
		return;
	/* A package manager's own forks (apt runs its hooks from a child
	 * of itself) are the package manager. */
	char pcomm[64];
	pid_t pppid;
	unsigned long long pstart;
	for (int depth = 0; ppid > 1 && depth < 16; depth++) {
		if (proc_stat(ppid, &pppid, &pstart, pcomm, sizeof(pcomm)) <
		            0 ||
		    strcmp(pcomm, comm))
			break;
		pid = ppid;
		start = pstart;
		ppid = pppid;
	}
	pm->pid = pid;
	pm->start = start;
	if (ppid > 1 && proc_stat(ppid, &pppid, &pstart, NULL, 0) == 0) {
		parent->pid = ppid;
		parent->start = pstart;
	}
}

static char *proc_cmdline(pid_t pid)
{
	struct buf b, out;
	buf_init(&b);
	buf_init(&out);
	if (proc_read(pid, "cmdline", &b) == 0 && b.len) {
		size_t n = b.len;
		while (n && b.data[n - 1] == '\0')
			n--;
		for (size_t i = 0; i < n; i++)
			if (b.data[i] == '\0')
				b.data[i] = ' ';
		escape_printable(&out, b.data, n);
	}
	buf_free(&b);
	buf_adds(&out, "");
	return buf_detach(&out);
}

/* ---- The state file ---- */

struct txn {
	struct zfs *zh;
	const struct pkgtxn_opts *o;
	struct pkgtxn_result *r;
	int dirfd, lockfd;
	char file[ZFS_MAX_NAME_LEN + 16];
	struct pkgtxn_proc pm, parent;
};

/* /run/zeit and its pkg directory: root's own, 0700, no links. */
static int open_dir(struct zeit *z, const char *path)
{
	char *copy = xstrdup(path);
	for (char *s = copy + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(copy, 0755);
			*s = '/';
		}
	free(copy);
	/* The last two levels (/run/zeit/pkg) are private. */
	char *parent = xstrdup(path);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (mkdir(parent, 0700) == 0 || errno == EEXIST)
			(void)0;
	}
	free(parent);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return zeit_fail(z, errno, "cannot make %s: %s", path,
		                 strerror(errno));
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return zeit_fail(z, errno, "cannot open %s: %s", path,
		                 strerror(errno));
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		close(fd);
		return zeit_fail(z, EPERM,
		                 "%s is not this user's alone (owner %u, mode "
		                 "%o): not used",
		                 path, (unsigned)st.st_uid,
		                 (unsigned)(st.st_mode & 0777));
	}
	return fd;
}

static void state_name(const char *dataset, char *out, size_t len)
{
	/* '+' is in no dataset name, so the file name is the dataset's. */
	snprintf(out, len, "%s.state", dataset);
	for (char *c = out; *c; c++)
		if (*c == '/')
			*c = '+';
}

/* 1: read, 0: none, -1: unreadable or not zeit's (it is set aside). */
static int state_load(struct txn *t, struct pkgtxn_state *s)
{
	struct zeit *z = t->zh->z;
	int fd = openat(t->dirfd, t->file,
	                O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT) {
		pkgtxn_state_init(s);
		return 0;
	}
	struct stat st;
	struct buf b;
	buf_init(&b);
	int rc = -1;
	bool parsed = false;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    rootfile_read_fd(z, fd, t->file, STATE_MAX, &b) == 0 &&
	    pkgtxn_state_parse(z, b.data ? b.data : "", b.len, s) == 0) {
		parsed = true;
		if (!strcmp(s->dataset, t->r->dataset))
			rc = 1;
	}
	if (fd >= 0)
		close(fd);
	buf_free(&b);
	if (rc < 0) {
		if (parsed)
			pkgtxn_state_free(s);
		pkgtxn_state_init(s);
		strv_pushf(&t->r->notes, "%s/%s is not zeit's state: ignored",
		           t->o->state_dir ? t->o->state_dir : PKGTXN_STATE_DIR,
		           t->file);
		zeit_clear_error(z);
		unlinkat(t->dirfd, t->file, 0);
	}
	return rc;
}

/* Written beside it and renamed over it: a kill leaves one or the
 * other. */
static int state_save(struct txn *t, const struct pkgtxn_state *s)
{
	struct zeit *z = t->zh->z;
	char tmp[sizeof(t->file) + 32];
	struct buf b;
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", t->file, (int)getpid());
	buf_init(&b);
	pkgtxn_state_format(s, &b);
	unlinkat(t->dirfd, tmp, 0);
	int fd = openat(t->dirfd, tmp,
	                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	                0600);
	int rc = -1;
	if (fd >= 0) {
		size_t off = 0;
		while (off < b.len) {
			ssize_t n = write(fd, b.data + off, b.len - off);
			if (n <= 0)
				break;
			off += (size_t)n;
		}
		if (off == b.len && fsync(fd) == 0)
			rc = 0;
		close(fd);
	}
	if (rc == 0 && renameat(t->dirfd, tmp, t->dirfd, t->file) < 0)
		rc = -1;
	if (rc < 0) {
		int e = errno;
		unlinkat(t->dirfd, tmp, 0);
		zeit_fail(z, e, "cannot write %s: %s", t->file, strerror(e));
	}
	buf_free(&b);
	return rc;
}

/* ---- Steps ---- */

/* Skips quietly (0, r->outcome SKIPPED) what is no transaction of a ZFS
 * root: a read-only root, a root that is no ZFS dataset, a run inside
 * `zeit run`. */
static int txn_open(struct txn *t)
{
	const struct pkgtxn_opts *o = t->o;
	struct zeit *z = t->zh->z;
	const char *root = o->root ? o->root : "/";
	struct statvfs vfs;

	t->dirfd = t->lockfd = -1;
	t->r->outcome = PKGTXN_SKIPPED;
	if (strcmp(o->manager, "run") && getenv(PKGTXN_ENV)) {
		snprintf(t->r->why, sizeof(t->r->why),
		         "inside zeit run, which takes the pair");
		return 1;
	}
	if (statvfs(root, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) {
		snprintf(t->r->why, sizeof(t->r->why), "%s is read-only", root);
		return 1;
	}
	if (o->dataset) {
		if (zfs_name_check(z, o->dataset, ZFS_NAME_DATASET) < 0)
			return -1;
		snprintf(t->r->dataset, sizeof(t->r->dataset), "%s",
		         o->dataset);
	} else {
		char *ds = zfs_root_dataset();
		if (!ds || zfs_name_check(z, ds, ZFS_NAME_DATASET) < 0) {
			zeit_clear_error(z);
			snprintf(t->r->why, sizeof(t->r->why),
			         "the root is no ZFS dataset");
			free(ds);
			return 1;
		}
		snprintf(t->r->dataset, sizeof(t->r->dataset), "%s", ds);
		free(ds);
	}
	if (o->pm.pid > 0) {
		t->pm = o->pm;
		pid_t pp;
		unsigned long long st;
		if (proc_stat(getppid(), &pp, &st, NULL, 0) == 0)
			t->parent = (struct pkgtxn_proc){getppid(), st};
	} else {
		find_manager(&t->pm, &t->parent);
	}
	t->dirfd = open_dir(z, o->state_dir ? o->state_dir : PKGTXN_STATE_DIR);
	if (t->dirfd < 0)
		return -1;
	t->lockfd = openat(t->dirfd, "lock",
	                   O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (t->lockfd < 0 || flock(t->lockfd, LOCK_EX) < 0)
		return zeit_fail(z, errno, "cannot lock %s/lock: %s",
		                 o->state_dir ? o->state_dir : PKGTXN_STATE_DIR,
		                 strerror(errno));
	state_name(t->r->dataset, t->file, sizeof(t->file));
	return 0;
}

static void txn_close(struct txn *t)
{
	if (t->lockfd >= 0)
		close(t->lockfd);
	if (t->dirfd >= 0)
		close(t->dirfd);
}

static int read_packages(struct txn *t, struct pkg_list *out)
{
	struct zeit *z = t->zh->z;
	const char *root = t->o->root ? t->o->root : "/";
	int fd = root_open(z, root);
	if (fd < 0)
		return -1;
	int rc = pkgdb_read_as(z, fd, root, t->o->format, out);
	close(fd);
	return rc;
}

/* A name for tier at the clock, after every name this state used (two
 * transactions in one second must not collide). */
static void next_name(struct pkgtxn_state *s, enum zeit_tier tier, time_t now,
                      char *out, size_t len)
{
	long long when = now > s->last ? now : s->last + 1;
	s->last = when;
	zeit_snapname_format(tier, (time_t)when, out, len);
}

static void push_command(struct txn *t, struct pkgtxn_state *s)
{
	char *cmd = t->o->command ? escape_dup(t->o->command)
	            : t->pm.pid   ? proc_cmdline(t->pm.pid)
	                          : xstrdup("");
	if (strlen(cmd) > COMMAND_MAX)
		strcpy(cmd + COMMAND_MAX - 3, "...");
	if (!*cmd) {
		free(cmd);
		cmd = xstrdup(t->o->manager);
	}
	strv_push(&s->commands, cmd);
	free(cmd);
}

static void destroy_quietly(struct txn *t, const char *a, const char *b,
                            const char *what)
{
	const char *names[3] = {a, b, NULL};
	if (!a[0])
		return;
	if (!b || !b[0])
		names[1] = NULL;
	if (zfs_destroy_snapshot_tree(t->zh, t->r->dataset, names) < 0) {
		strv_pushf(&t->r->notes, "%s not destroyed: %s", what,
		           zeit_error(t->zh->z));
		zeit_clear_error(t->zh->z);
	} else {
		strv_pushf(&t->r->notes, "%s destroyed: %s@%s%s%s", what,
		           t->r->dataset, a, names[1] ? "," : "",
		           names[1] ? names[1] : "");
	}
}

/* Now in /proc's start-time clock: ticks since boot. */
static unsigned long long boot_ticks(void)
{
	struct timespec ts;
	long hz = sysconf(_SC_CLK_TCK);
	if (hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return 0;
	return (unsigned long long)ts.tv_sec * (unsigned long long)hz +
	       (unsigned long long)ts.tv_nsec / (1000000000ULL / (unsigned)hz);
}

/* One run goes on: the same package manager soon after its last post
 * (apt's next dpkg run, unattended-upgrades' next commit), or another
 * of the same parent started soon after it (a script running apt again;
 * how long apt takes to start does not count). */
static bool same_run(const struct txn *t, const struct pkgtxn_state *s,
                     long burst)
{
	long hz = sysconf(_SC_CLK_TCK);
	if (proc_same(&s->pm, &t->pm))
		return (long long)t->zh->z->now - s->closed <= burst;
	if (!proc_same(&s->parent, &t->parent) || !proc_alive(&t->parent) ||
	    hz <= 0 || !s->closed_tick)
		return false;
	return t->pm.start <= s->closed_tick + (unsigned long long)burst * hz;
}

/* This run joins the open (or just closed) transaction s: its pre stands. */
static int join(struct txn *t, struct pkgtxn_state *s)
{
	t->r->outcome = PKGTXN_JOINED;
	snprintf(t->r->pre, sizeof(t->r->pre), "%s", s->pre);
	int rc = state_save(t, s);
	pkgtxn_state_free(s);
	return rc;
}

/* What a dead run left: a lone pre (or a burst whose last part died,
 * whose post stands), and a post the burst replaced. */
static void settle_left(struct txn *t, struct pkgtxn_state *s)
{
	if (s->open) {
		if (!s->post[0])
			destroy_quietly(t, s->pre, NULL, "lone pre snapshot");
		s->open = false;
	}
	if (s->stale[0]) {
		destroy_quietly(t, s->stale, NULL, "replaced post snapshot");
		s->stale[0] = '\0';
	}
}

/* A new transaction's state, its packages as they are now; the last
 * name used carries over. */
static void begin_new(struct txn *t, struct pkgtxn_state *s, long long last)
{
	struct zeit *z = t->zh->z;

	pkgtxn_state_init(s);
	s->last = last;
	snprintf(s->dataset, sizeof(s->dataset), "%s", t->r->dataset);
	snprintf(s->manager, sizeof(s->manager), "%s", t->o->manager);
	s->pm = t->pm;
	s->parent = t->parent;
	if (read_packages(t, &s->pkgs) < 0) {
		/* Without a database every pair is kept (keep=1 below). */
		strv_pushf(&t->r->notes, "no package database read: %s",
		           zeit_error(z));
		zeit_clear_error(z);
		s->format = PKG_NONE;
	} else {
		s->format = s->pkgs.format;
	}
	push_command(t, s);
	next_name(s, ZEIT_TIER_PKGPRE, z->now, s->pre, sizeof(s->pre));
	s->open = true;
}

/* The state names the pre before it exists: killed in between, the next
 * run destroys a snapshot that is not there, and goes on. A pre that
 * could not be taken leaves the state closed. */
static int take_pre(struct txn *t, struct pkgtxn_state *s)
{
	struct zeit *z = t->zh->z;
	int rc = state_save(t, s);
	if (rc == 0) {
		char *full = xasprintf("%s@%s", t->r->dataset, s->pre);
		rc = zfs_snapshot_tree(t->zh, full, NULL);
		free(full);
		if (rc < 0) {
			zeit_keep_error(z);
			s->open = false;
			s->pre[0] = '\0';
			strv_free(&s->commands);
			strv_init(&s->commands);
			pkg_list_free(&s->pkgs);
			state_save(t, s);
			zeit_release_error(z);
		}
	}
	if (rc == 0) {
		t->r->outcome = PKGTXN_PRE_TAKEN;
		snprintf(t->r->pre, sizeof(t->r->pre), "%s", s->pre);
	}
	return rc;
}

static int pre_step(struct txn *t)
{
	struct pkgtxn_state s;
	int have = state_load(t, &s);
	long burst = t->o->burst >= 0 ? t->o->burst : PKGTXN_BURST_DEFAULT;

	if (have > 0 && s.open &&
	    (proc_same(&s.pm, &t->pm) || proc_alive(&s.pm))) {
		/* The same run again (apt's next dpkg run), or one still
		 * going: its pre stands. */
		if (!proc_same(&s.pm, &t->pm))
			push_command(t, &s);
		return join(t, &s);
	}
	if (have > 0)
		settle_left(t, &s);
	if (have > 0 && !s.open && s.post[0] && s.pre[0] &&
	    same_run(t, &s, burst)) {
		/* A burst: the next run of the same parent, right after. */
		s.open = true;
		s.pm = t->pm;
		s.parent = t->parent;
		push_command(t, &s);
		return join(t, &s);
	}
	long long last = have > 0 ? s.last : 0;
	pkgtxn_state_free(&s);
	begin_new(t, &s, last);
	int rc = take_pre(t, &s);
	pkgtxn_state_free(&s);
	return rc;
}

static char *join_commands(const struct strv *c)
{
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	for (size_t i = 0; i < c->n; i++) {
		if (b.len + strlen(c->v[i]) + 3 > COMMANDS_MAX) {
			buf_addf(&b, "; ... (%zu more)", c->n - i);
			break;
		}
		buf_addf(&b, "%s%s", i ? "; " : "", c->v[i]);
	}
	return buf_detach(&b);
}

/* The packages' change since the pre, when both ends are known. */
static bool read_delta(struct txn *t, struct pkgtxn_state *s,
                       struct pkg_list *now, struct pkg_changes *ch)
{
	struct zeit *z = t->zh->z;

	if (s->format != PKG_NONE && read_packages(t, now) == 0) {
		if (pkgdb_diff(z, &s->pkgs, now, ch) == 0)
			return true;
		pkg_list_free(now);
	}
	strv_pushf(&t->r->notes, "no package delta: %s",
	           s->format == PKG_NONE ? "no database at the pre"
	                                 : zeit_error(z));
	zeit_clear_error(z);
	return false;
}

/* The post snapshot, with what the run did in its properties. */
static int snapshot_post(struct txn *t, const struct pkgtxn_state *s,
                         const char *post, const char *delta)
{
	char *cmds = join_commands(&s->commands);
	char *note = t->o->note ? escape_dup(t->o->note) : NULL;
	struct strv props;

	strv_init(&props);
	strv_pushf(&props, PKGTXN_P_COMMAND "=%s", cmds);
	strv_pushf(&props, PKGTXN_P_DELTA "=%s", *delta ? delta : "-");
	strv_pushf(&props, PKGTXN_P_PRE "=%s", s->pre);
	strv_pushf(&props, PKGTXN_P_MANAGER "=%s", s->manager);
	if (note)
		strv_pushf(&props, PKGTXN_P_NOTE "=%s", note);
	char *full = xasprintf("%s@%s", t->r->dataset, post);
	int rc = zfs_snapshot_tree(t->zh, full, (const char *const *)props.v);
	free(full);
	free(note);
	free(cmds);
	strv_free(&props);
	return rc;
}

/* Takes the post and closes the transaction; the burst's earlier post
 * goes, recorded as stale first, so a kill leaves it to the next run. */
static int take_post(struct txn *t, struct pkgtxn_state *s, char **delta)
{
	struct zeit *z = t->zh->z;
	char post[64];

	next_name(s, ZEIT_TIER_PKG, z->now, post, sizeof(post));
	int rc = snapshot_post(t, s, post, *delta);
	if (rc < 0)
		return -1;
	snprintf(s->stale, sizeof(s->stale), "%s", s->post);
	snprintf(s->post, sizeof(s->post), "%s", post);
	s->open = false;
	s->closed = (long long)z->now;
	s->closed_tick = boot_ticks();
	rc = state_save(t, s);
	if (rc == 0 && s->stale[0]) {
		destroy_quietly(t, s->stale, NULL, "the burst's earlier post");
		s->stale[0] = '\0';
		rc = state_save(t, s);
	}
	t->r->outcome = PKGTXN_POST_TAKEN;
	snprintf(t->r->post, sizeof(t->r->post), "%s", post);
	t->r->delta = *delta;
	*delta = NULL;
	return rc;
}

static int post_step(struct txn *t)
{
	struct pkgtxn_state s;
	int have = state_load(t, &s);

	if (have <= 0 || !s.open) {
		t->r->outcome = PKGTXN_NOTHING_OPEN;
		snprintf(t->r->why, sizeof(t->r->why),
		         "no pre snapshot is open for %s", t->r->dataset);
		pkgtxn_state_free(&s);
		return 0;
	}
	snprintf(t->r->pre, sizeof(t->r->pre), "%s", s.pre);
	struct pkg_list now;
	struct pkg_changes ch = {0};
	bool known = read_delta(t, &s, &now, &ch);
	char *delta = known ? pkgtxn_delta_summary(&ch, DELTA_MAX)
	                    : xstrdup("(no package database)");
	int rc;
	if (known && ch.n == 0 && !t->o->keep) {
		/* Nothing changed over the whole run: no pair at all. */
		destroy_quietly(t, s.pre, s.post, "unchanged pair");
		t->r->outcome = PKGTXN_NO_CHANGE;
		s.open = false;
		s.pre[0] = s.post[0] = '\0';
		rc = state_save(t, &s);
	} else {
		rc = take_post(t, &s, &delta);
	}
	free(delta);
	if (known) {
		pkg_changes_free(&ch);
		pkg_list_free(&now);
	}
	pkgtxn_state_free(&s);
	return rc;
}

static int txn(struct zfs *zh, const struct pkgtxn_opts *o,
               struct pkgtxn_result *r, int (*step)(struct txn *))
{
	struct txn t = {zh, o, r, -1, -1, "", {0, 0}, {0, 0}};
	int rc = txn_open(&t);
	if (rc == 0)
		rc = step(&t);
	else if (rc > 0)
		rc = 0;
	txn_close(&t);
	return rc;
}

int pkgtxn_pre(struct zfs *zh, const struct pkgtxn_opts *o,
               struct pkgtxn_result *r)
{
	return txn(zh, o, r, pre_step);
}

int pkgtxn_post(struct zfs *zh, const struct pkgtxn_opts *o,
                struct pkgtxn_result *r)
{
	return txn(zh, o, r, post_step);
}
