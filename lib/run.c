#include "zeit/run.h"

#include "zeit/ratelimit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define KILL_GRACE_MS 2000
/* How long a SIGKILLed child may take to go before zeit leaves it. */
#define ABANDON_MS 10000

void run_cmd_init(struct run_cmd *c, const char *const *argv)
{
	memset(c, 0, sizeof(*c));
	c->argv = argv;
	buf_init(&c->out);
	buf_init(&c->err);
	c->status = -1;
}

void run_cmd_free(struct run_cmd *c)
{
	buf_free(&c->out);
	buf_free(&c->err);
}

void run_real_argv(const struct run_cmd *c, struct strv *out)
{
	strv_init(out);
	if (!c->host || !c->host->ssh) {
		strv_pushv(out, c->argv);
		return;
	}
	struct buf cmd;
	buf_init(&cmd);
	if (c->env && c->env[0]) {
		/* ssh cannot carry environment reliably; env(1) can. */
		buf_adds(&cmd, "env ");
		shell_join(&cmd, c->env);
		buf_addc(&cmd, ' ');
	}
	shell_join(&cmd, c->argv);
	strv_push(out, "ssh");
	strv_push(out, "-o");
	strv_push(out, "BatchMode=yes");
	strv_pushv(out, c->host->ssh_opts);
	/* "--" before the destination: ssh reads options after it too, and
	 * a destination that starts with '-' is never one. */
	strv_push(out, "--");
	strv_push(out, c->host->ssh);
	strv_push(out, cmd.data);
	buf_free(&cmd);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void ignore_sigpipe(void)
{
	/* A consumer that exits early must surface as EPIPE, not kill zeit. */
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* A started child and the parent's ends of its pipes (-1 when unused). */
struct child {
	pid_t pid;
	bool group; /* leads its own process group (RUN_OWN_PGROUP) */
	int in_fd;  /* parent writes the child's stdin */
	int out_fd; /* parent reads the child's stdout */
	int err_fd; /* parent reads the child's stderr */
	int pid_fd; /* pidfd: readable once the child has exited; -1 if none */
	int wstatus;
	bool reaped;
};

static char **build_env(const char *const *extra, struct strv *store)
{
	if (!extra || !extra[0])
		return environ;
	strv_init(store);
	for (char **e = environ; *e; e++) {
		bool replaced = false;
		const char *eq = strchr(*e, '=');
		size_t klen = eq ? (size_t)(eq - *e) : strlen(*e);
		for (const char *const *x = extra; *x; x++)
			if (strncmp(*x, *e, klen) == 0 && (*x)[klen] == '=')
				replaced = true;
		if (!replaced)
			strv_push(store, *e);
	}
	strv_pushv(store, extra);
	return store->v;
}

/* The parent's end of a pipe after the spawn: the child's end closes,
 * the parent's goes non-blocking into *mine. */
static void keep_end(int p[2], int parent, int *mine)
{
	if (p[1 - parent] < 0)
		return;
	close(p[1 - parent]);
	p[1 - parent] = -1;
	*mine = p[parent];
	p[parent] = -1;
	set_nonblock(*mine);
}

/* The child's stdin, stdout and stderr: the given fds, new pipes, or
 * /dev/null and the inherited ones, as c's flags say. */
static int child_stdio(struct run_cmd *c, posix_spawn_file_actions_t *fa,
                       int stdin_fd, int stdout_fd, int inp[2], int outp[2],
                       int errp[2])
{
	if (stdin_fd >= 0) {
		posix_spawn_file_actions_adddup2(fa, stdin_fd, 0);
	} else if (c->input) {
		if (pipe2(inp, O_CLOEXEC) < 0)
			return -1;
		posix_spawn_file_actions_adddup2(fa, inp[0], 0);
	} else if (!(c->flags & RUN_INHERIT_STDIN)) {
		posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY,
		                                 0);
	}
	if (stdout_fd >= 0) {
		posix_spawn_file_actions_adddup2(fa, stdout_fd, 1);
	} else if (!(c->flags & RUN_INHERIT_STDOUT)) {
		if (pipe2(outp, O_CLOEXEC) < 0)
			return -1;
		posix_spawn_file_actions_adddup2(fa, outp[1], 1);
	}
	if (!(c->flags & RUN_INHERIT_STDERR)) {
		if (pipe2(errp, O_CLOEXEC) < 0)
			return -1;
		posix_spawn_file_actions_adddup2(fa, errp[1], 2);
	}
	return 0;
}

/* zeit ignores SIGPIPE, and SIGINT and SIGQUIT while a command owns the
 * terminal (be chroot); its children must not inherit that, or ^C could
 * not stop them. */
static void child_signals(posix_spawnattr_t *attr)
{
	sigset_t none, dflt;
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGQUIT);
	posix_spawnattr_setsigmask(attr, &none);
	posix_spawnattr_setsigdefault(attr, &dflt);
	posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK |
	                                       POSIX_SPAWN_SETSIGDEF);
}

static void child_clear(struct run_cmd *c, struct child *ch)
{
	ch->pid = -1;
	ch->group = false;
	ch->in_fd = ch->out_fd = ch->err_fd = ch->pid_fd = -1;
	ch->reaped = false;
	c->status = -1;
	c->timed_out = false;
	c->cancelled = false;
	c->abandoned = false;
	buf_reset(&c->out);
	buf_reset(&c->err);
}

/* Starts c. stdin_fd/stdout_fd, when >= 0, are given to the child as its
 * stdin/stdout instead of the defaults (used to join a pipeline). */
static int child_start(struct zeit *z, struct run_cmd *c, struct child *ch,
                       int stdin_fd, int stdout_fd)
{
	int inp[2] = {-1, -1}, outp[2] = {-1, -1}, errp[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct strv argv, envstore = {0};
	int rc = -1;

	child_clear(c, ch);
	if (!c->argv || !c->argv[0])
		return zeit_fail(z, EINVAL, "internal error: empty command");
	run_real_argv(c, &argv);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	if (child_stdio(c, &fa, stdin_fd, stdout_fd, inp, outp, errp) < 0) {
		zeit_fail(z, errno, "cannot set up pipes for %s: %s", argv.v[0],
		          strerror(errno));
		goto out;
	}
	if (c->cwd && !(c->host && c->host->ssh))
		posix_spawn_file_actions_addchdir_np(&fa, c->cwd);
	child_signals(&attr);
	if (c->flags & RUN_OWN_PGROUP) {
		posix_spawnattr_setpgroup(&attr, 0);
		short fl = 0;
		posix_spawnattr_getflags(&attr, &fl);
		posix_spawnattr_setflags(&attr, fl | POSIX_SPAWN_SETPGROUP);
	}
	char **envp =
	        build_env((c->host && c->host->ssh) ? NULL : c->env, &envstore);
	int err = posix_spawnp(&ch->pid, argv.v[0], &fa, &attr, argv.v, envp);
	if (err) {
		zeit_fail(z, err, "cannot run %s: %s", argv.v[0],
		          strerror(err));
		ch->pid = -1;
		goto out;
	}
	/* Lets the loop see the exit even if a grandchild keeps our pipes
	 * open; without pidfds (old kernels) the loop polls waitpid. */
	ch->pid_fd = (int)syscall(SYS_pidfd_open, ch->pid, 0);
	ch->group = (c->flags & RUN_OWN_PGROUP) != 0;
	keep_end(inp, 1, &ch->in_fd);
	keep_end(outp, 0, &ch->out_fd);
	keep_end(errp, 0, &ch->err_fd);
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (inp[i] >= 0)
			close(inp[i]);
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	strv_free(&argv);
	strv_free(&envstore);
	return rc;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Reads what is there into b; closes the fd at EOF. */
static void drain(int *fd, struct buf *b)
{
	char tmp[65536];

	for (;;) {
		ssize_t n = read(*fd, tmp, sizeof(tmp));
		if (n > 0) {
			buf_add(b, tmp, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		close_fd(fd);
		return;
	}
}

static void child_record(struct child *ch, struct run_cmd *c)
{
	ch->reaped = true;
	close_fd(&ch->pid_fd);
	if (WIFEXITED(ch->wstatus))
		c->status = WEXITSTATUS(ch->wstatus);
	else if (WIFSIGNALED(ch->wstatus))
		c->status = 128 + WTERMSIG(ch->wstatus);
}

static bool child_try_reap(struct child *ch, struct run_cmd *c);

static void child_reap(struct child *ch, struct run_cmd *c)
{
	if (ch->pid < 0 || ch->reaped)
		return;
	if (c->abandoned) {
		if (!child_try_reap(ch, c)) {
			close_fd(&ch->pid_fd);
			c->status = -1;
		}
		return;
	}
	while (waitpid(ch->pid, &ch->wstatus, 0) < 0 && errno == EINTR)
		;
	child_record(ch, c);
}

/* Reaps without blocking; true if the child has exited. */
static bool child_try_reap(struct child *ch, struct run_cmd *c)
{
	if (ch->pid < 0 || ch->reaped)
		return true;
	if (waitpid(ch->pid, &ch->wstatus, WNOHANG) != ch->pid)
		return false;
	child_record(ch, c);
	/* What it wrote is in the pipes already; a grandchild that still
	 * holds them open must not keep zeit waiting. */
	if (ch->out_fd >= 0)
		drain(&ch->out_fd, &c->out);
	if (ch->err_fd >= 0)
		drain(&ch->err_fd, &c->err);
	close_fd(&ch->out_fd);
	close_fd(&ch->err_fd);
	close_fd(&ch->in_fd);
	return true;
}

static void child_kill(struct child *ch, int sig)
{
	/* A group outlives its leader while any member is left (the pgid is
	 * not reused until then), so it is signalled even once reaped. */
	if (ch->pid > 0 && ch->group)
		kill(-ch->pid, sig);
	else if (ch->pid > 0 && !ch->reaped)
		kill(ch->pid, sig);
}

/* The shared event loop. One or two children; when `relay` is set the
 * first child's stdout is moved into the second's stdin. */
struct loop {
	struct child *ch[2];
	struct run_cmd *cmd[2];
	size_t n;
	bool relay;
	int relay_in,
	        relay_out;  /* parent's ends: read producer, write consumer */
	bool relay_blocked; /* last move hit a full consumer pipe */
	bool splice_ok;
	uint64_t bytes;
	/* Pacing: a consumer that reads in small pieces (ssh: 16 KiB) would
	 * wake zeit for every piece. When the consumer's pipe is full, zeit
	 * waits until about half of it has drained at the rate measured, then
	 * fills it again: the same throughput, a fraction of the wakeups. */
	long long relay_resume_at; /* ms; 0: poll the consumer as usual */
	long long rate_t0;         /* window for the drain rate */
	uint64_t rate_b0;
	double rate;     /* bytes per ms; 0: not known yet */
	long pipe_bytes; /* the consumer pipe's capacity */
	char *bounce;    /* read/write fallback buffer */
	size_t bounce_len, bounce_off;
	const struct run_progress *progress;
	/* --limit: the bucket the relay spends from, and when (monotonic
	 * ns) it has enough again; 0: the relay may move now. */
	struct rate_bucket *limit;
	int64_t limit_wake_ns;
	const struct run_gate *gate; /* NULL, or until it opened */
	bool gate_refused;
	/* The clock, in ms: the shortest command timeout (0: none), then
	 * SIGTERM, SIGKILL after a grace, and giving up on a child SIGKILL
	 * does not end. */
	long long start, last_progress, kill_at, killed_at;
	int timeout_ms;
	bool termed;
	size_t input_off[2]; /* how much of each command's input was written */
};

/* One round's poll set: each entry's pollfd and the fd variable it came
 * from (closed fds read -1 by dispatch time). */
struct pollset {
	struct pollfd pfd[12];
	int *fdp[12];
	size_t n;
	bool need_tick; /* a child without pidfd: look at waitpid often */
};

static void pollset_add(struct pollset *ps, int *fd, short events)
{
	ps->pfd[ps->n] = (struct pollfd){*fd, events, 0};
	ps->fdp[ps->n++] = fd;
}

/* The consumer pipe just filled up: when to try it again. Pacing only
 * pays when half a pipe lasts a few ms; a fast consumer is polled as
 * before. The wait is capped, so a consumer that speeds up is starved
 * for little; the rate it then shows (up to twice the estimate a round)
 * shortens the next wait. */
static void relay_pace(struct loop *l)
{
	enum { MIN_MS = 2, MAX_MS = 100 };
	long long t = now_ms();

	if (t - l->rate_t0 >= 200) {
		if (l->rate_t0)
			l->rate = (double)(l->bytes - l->rate_b0) /
			          (double)(t - l->rate_t0);
		l->rate_t0 = t;
		l->rate_b0 = l->bytes;
	}
	l->relay_resume_at = 0;
	if (l->rate <= 0 || l->pipe_bytes <= 0)
		return;
	double ms = (double)l->pipe_bytes / 2 / l->rate;
	if (ms >= MIN_MS)
		l->relay_resume_at = t + (ms > MAX_MS ? MAX_MS : (long long)ms);
}

/* How much the relay may move now, at most want; 0 (with limit_wake_ns
 * set) when the cap says to wait. */
static size_t relay_budget(struct loop *l, size_t want)
{
	if (!l->limit)
		return want;
	int64_t wake = 0;
	uint64_t n = rate_bucket_allow(l->limit, rate_clock_ns(), want, &wake);
	l->limit_wake_ns = n ? 0 : wake;
	return (size_t)n;
}

static void relay_spent(struct loop *l, size_t n)
{
	if (l->limit)
		rate_bucket_spend(l->limit, n);
}

/* Collects the stream's head for the gate in the bounce buffer. Returns
 * false when the gate refused it (or the producer failed first). Once it
 * opens, the head goes out through the bounce path like any data. */
static bool gate_step(struct loop *l)
{
	const struct run_gate *g = l->gate;
	bool eof = false;
	ssize_t n = read(l->relay_in, l->bounce + l->bounce_len,
	                 g->len - l->bounce_len);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		eof = true;
	l->bounce_len += (size_t)n;
	if (!eof && l->bounce_len < g->len)
		return true;
	if (!g->check((const unsigned char *)l->bounce, l->bounce_len,
	              g->arg)) {
		l->gate_refused = true;
		return false;
	}
	l->gate = NULL;
	l->bounce_off = 0;
	/* The head was read unmetered; what follows pays for it. */
	relay_spent(l, l->bounce_len);
	if (eof) {
		/* A stream shorter than the head: hand it over and end. */
		while (l->bounce_off < l->bounce_len) {
			ssize_t w =
			        write(l->relay_out, l->bounce + l->bounce_off,
			              l->bounce_len - l->bounce_off);
			if (w < 0 && errno != EAGAIN && errno != EINTR)
				return false;
			if (w > 0) {
				l->bounce_off += (size_t)w;
				l->bytes += (uint64_t)w;
			}
		}
		l->bounce_len = 0;
		return false;
	}
	return true;
}

/* Moves what it can from relay_in to relay_out. Returns false at EOF or
 * when the consumer side is gone. */
static bool relay_step(struct loop *l)
{
	enum { CHUNK = 1 << 20 };

	if (l->gate)
		return gate_step(l);

	if (l->splice_ok && l->bounce_len == 0) {
		size_t may = relay_budget(l, CHUNK);
		if (may == 0)
			return true;
		ssize_t n = splice(l->relay_in, NULL, l->relay_out, NULL, may,
		                   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			relay_spent(l, (size_t)n);
			l->bytes += (uint64_t)n;
			l->relay_blocked = false;
			return true;
		}
		if (n == 0)
			return false;
		if (errno == EAGAIN) {
			/* Waiting for input, the output had no room; waiting
			 * for room, the input ran dry. */
			l->relay_blocked = !l->relay_blocked;
			if (l->relay_blocked)
				relay_pace(l);
			return true;
		}
		if (errno == EINTR)
			return true;
		if (errno != EINVAL)
			return false; /* EPIPE: the consumer went away */
		l->splice_ok = false;
	}
	if (l->bounce_len == 0) {
		size_t may = relay_budget(l, CHUNK);
		if (may == 0)
			return true;
		ssize_t n = read(l->relay_in, l->bounce, may);
		if (n == 0)
			return false;
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		relay_spent(l, (size_t)n);
		l->bounce_len = (size_t)n;
		l->bounce_off = 0;
	}
	ssize_t w = write(l->relay_out, l->bounce + l->bounce_off,
	                  l->bounce_len - l->bounce_off);
	if (w < 0) {
		if (errno == EAGAIN || errno == EINTR) {
			l->relay_blocked = true;
			relay_pace(l);
			return true;
		}
		return false;
	}
	l->bytes += (uint64_t)w;
	l->bounce_off += (size_t)w;
	if (l->bounce_off == l->bounce_len)
		l->bounce_len = 0;
	l->relay_blocked = l->bounce_len != 0;
	return true;
}

/* The shortest timeout of the loop's commands; 0: none. */
static int loop_timeout(const struct loop *l)
{
	int timeout_ms = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->cmd[i]->timeout_ms > 0 &&
		    (timeout_ms == 0 || l->cmd[i]->timeout_ms < timeout_ms))
			timeout_ms = l->cmd[i]->timeout_ms;
	return timeout_ms;
}

/* The children's pipes and pidfds; a child without a pidfd is reaped
 * here when it has exited, else polled by tick. */
static void loop_child_fds(struct loop *l, struct pollset *ps)
{
	for (size_t i = 0; i < l->n; i++) {
		struct child *ch = l->ch[i];
		if (ch->out_fd >= 0)
			pollset_add(ps, &ch->out_fd, POLLIN);
		if (ch->err_fd >= 0)
			pollset_add(ps, &ch->err_fd, POLLIN);
		if (ch->in_fd >= 0)
			pollset_add(ps, &ch->in_fd, POLLOUT);
		if (ch->pid_fd >= 0) {
			pollset_add(ps, &ch->pid_fd, POLLIN);
		} else if (!ch->reaped && !child_try_reap(ch, l->cmd[i])) {
			ps->need_tick = true;
			pollset_add(ps, &ch->pid_fd, 0); /* -1: a place only */
		}
	}
}

/* How long the relay still waits for its consumer to drain (relay_pace);
 * 0 when it is to be polled now. */
static long long loop_paced_ms(struct loop *l)
{
	if (!l->relay || l->relay_in < 0 || !l->relay_blocked ||
	    !l->relay_resume_at)
		return 0;
	long long ms = l->relay_resume_at - now_ms();
	if (ms > 0)
		return ms;
	l->relay_resume_at = 0;
	return 0;
}

/* How long the cap still holds the relay back, in ms rounded up (the
 * bucket has half a window of slack for the rounding); 0: not now. A
 * wake that comes early (another fd, a signal) lands here again and
 * waits for the rest. */
static long long loop_limit_ms(struct loop *l)
{
	if (!l->relay || l->relay_in < 0 || !l->limit_wake_ns)
		return 0;
	int64_t left = l->limit_wake_ns - rate_clock_ns();
	if (left > 0)
		return (left + 999999) / 1000000;
	l->limit_wake_ns = 0;
	return 0;
}

static void loop_relay_fd(struct loop *l, struct pollset *ps)
{
	if (l->relay_blocked)
		pollset_add(ps, &l->relay_out, POLLOUT);
	else
		pollset_add(ps, &l->relay_in, POLLIN);
}

static void loop_kill_all(struct loop *l, int sig)
{
	for (size_t i = 0; i < l->n; i++)
		child_kill(l->ch[i], sig);
}

/* The three timeout stages at time t: SIGTERM when the timeout passes,
 * SIGKILL a grace later, and then (a process SIGKILL does not end is
 * waiting in the kernel, I/O to a suspended pool) zeit stops waiting with
 * it. Returns false to leave the loop; *wait_ms gets the poll's bound. */
static bool loop_deadlines(struct loop *l, long long t, int *wait_ms)
{
	*wait_ms = -1;
	if (l->timeout_ms > 0) {
		long long left = l->start + l->timeout_ms - t;
		if (!l->termed && left <= 0) {
			for (size_t i = 0; i < l->n; i++)
				l->cmd[i]->timed_out = true;
			loop_kill_all(l, SIGTERM);
			l->termed = true;
			l->kill_at = t + KILL_GRACE_MS;
		}
		*wait_ms = l->termed
		                   ? (int)(l->kill_at > t ? l->kill_at - t : 0)
		                   : (int)left;
	}
	if (l->termed && t >= l->kill_at) {
		loop_kill_all(l, SIGKILL);
		if (!l->killed_at)
			l->killed_at = t;
		l->kill_at = t + 60000;
	}
	if (l->killed_at && t - l->killed_at >= ABANDON_MS) {
		for (size_t i = 0; i < l->n; i++)
			if (!l->ch[i]->reaped)
				l->cmd[i]->abandoned = true;
		return false;
	}
	if (l->killed_at && (*wait_ms < 0 || *wait_ms > 200))
		*wait_ms = 200;
	return true;
}

/* Calls the progress callback every interval; a false answer cancels. */
static void loop_progress(struct loop *l, long long t, int *wait_ms)
{
	if (!l->progress || !l->progress->fn)
		return;
	int iv = l->progress->interval_ms > 0 ? l->progress->interval_ms : 1000;
	if (t - l->last_progress >= iv) {
		if (!l->progress->fn(l->bytes, l->progress->arg))
			for (size_t i = 0; i < l->n; i++) {
				l->cmd[i]->cancelled = true;
				child_kill(l->ch[i], SIGKILL);
				if (!l->killed_at)
					l->killed_at = t;
			}
		l->last_progress = t;
	}
	if (*wait_ms < 0 || *wait_ms > iv)
		*wait_ms = iv;
}

/* The relay could move data. At the producer's EOF, or when the consumer
 * is gone, closing zeit's ends passes that on; a refused head stops both
 * before the consumer reads a byte. */
static void loop_relay_event(struct loop *l)
{
	if (relay_step(l))
		return;
	if (l->gate_refused)
		for (size_t i = 0; i < l->n; i++) {
			l->cmd[i]->cancelled = true;
			child_kill(l->ch[i], SIGKILL);
		}
	close_fd(&l->relay_in);
	close_fd(&l->relay_out);
}

/* Writes what it can of command i's input; closes its stdin when all is
 * written or the child stopped reading. */
static void loop_feed_input(struct loop *l, size_t i)
{
	struct child *ch = l->ch[i];
	struct run_cmd *c = l->cmd[i];
	size_t left = c->input_len - l->input_off[i];
	ssize_t w =
	        left ? write(ch->in_fd, c->input + l->input_off[i], left) : 0;
	if (w > 0)
		l->input_off[i] += (size_t)w;
	if (left == 0 || (w < 0 && errno != EAGAIN && errno != EINTR) ||
	    l->input_off[i] == c->input_len)
		close_fd(&ch->in_fd);
}

static void loop_child_event(struct loop *l, int fd)
{
	for (size_t i = 0; i < l->n; i++) {
		struct child *ch = l->ch[i];
		struct run_cmd *c = l->cmd[i];
		if (fd == ch->pid_fd)
			child_try_reap(ch, c);
		else if (fd == ch->out_fd)
			drain(&ch->out_fd, &c->out);
		else if (fd == ch->err_fd)
			drain(&ch->err_fd, &c->err);
		else if (fd == ch->in_fd)
			loop_feed_input(l, i);
	}
}

static void loop_dispatch(struct loop *l, const struct pollset *ps)
{
	for (size_t k = 0; k < ps->n; k++) {
		if (!ps->pfd[k].revents || *ps->fdp[k] < 0)
			continue;
		int fd = *ps->fdp[k];
		if (l->relay && (fd == l->relay_in || fd == l->relay_out))
			loop_relay_event(l);
		else
			loop_child_event(l, fd);
	}
}

/* The shared event loop, one round at a time: what to poll, how long
 * (timeouts, progress, pacing), poll, then each ready fd's handler. */
static void loop_run(struct loop *l)
{
	l->start = l->last_progress = now_ms();
	l->timeout_ms = loop_timeout(l);
	for (;;) {
		struct pollset ps = {.n = 0};
		loop_child_fds(l, &ps);
		long long paced_ms = loop_paced_ms(l);
		long long limit_ms = loop_limit_ms(l);
		if (limit_ms > paced_ms)
			paced_ms = limit_ms;
		if (l->relay && l->relay_in >= 0 && paced_ms == 0)
			loop_relay_fd(l, &ps);
		if (ps.n == 0 && paced_ms == 0)
			break;
		int wait_ms;
		long long t = now_ms();
		if (!loop_deadlines(l, t, &wait_ms))
			break;
		loop_progress(l, t, &wait_ms);
		if (ps.need_tick && (wait_ms < 0 || wait_ms > 100))
			wait_ms = 100;
		if (paced_ms > 0 && (wait_ms < 0 || wait_ms > paced_ms))
			wait_ms = (int)paced_ms;
		int r = poll(ps.pfd, ps.n, wait_ms);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0)
			loop_dispatch(l, &ps);
	}
	if (l->progress && l->progress->fn)
		l->progress->fn(l->bytes, l->progress->arg);
}

int run(struct zeit *z, struct run_cmd *c)
{
	struct child ch;
	struct loop l;

	ignore_sigpipe();
	if (child_start(z, c, &ch, -1, -1) < 0)
		return -1;
	memset(&l, 0, sizeof(l));
	l.ch[0] = &ch;
	l.cmd[0] = c;
	l.n = 1;
	l.relay_in = l.relay_out = -1;
	loop_run(&l);
	close_fd(&ch.in_fd);
	close_fd(&ch.out_fd);
	close_fd(&ch.err_fd);
	child_reap(&ch, c);
	/* What a timed-out command left running (a shell's background
	 * children) goes with it. */
	if (c->timed_out && ch.group)
		child_kill(&ch, SIGKILL);
	return 0;
}

int run_pipeline(struct zeit *z, struct run_cmd *producer,
                 struct run_cmd *consumer, uint64_t *bytes,
                 const struct run_progress *progress)
{
	return run_pipeline_gated(z, producer, consumer, bytes, progress, NULL);
}

int run_pipeline_gated(struct zeit *z, struct run_cmd *producer,
                       struct run_cmd *consumer, uint64_t *bytes,
                       const struct run_progress *progress,
                       const struct run_gate *gate)
{
	if (gate && (gate->len == 0 || gate->len > 64 * 1024 || !gate->check))
		return zeit_fail(z, EINVAL, "a pipeline gate of %zu bytes",
		                 gate ? gate->len : 0);
	struct child pch, cch;
	struct loop l;
	int a[2], b[2];

	ignore_sigpipe();
	if (pipe2(a, O_CLOEXEC) < 0)
		return zeit_fail(z, errno, "pipe: %s", strerror(errno));
	if (pipe2(b, O_CLOEXEC) < 0) {
		int e = errno;
		close(a[0]);
		close(a[1]);
		return zeit_fail(z, e, "pipe: %s", strerror(e));
	}
	/* Bigger pipes mean fewer wakeups for a multi-gigabyte stream. */
	fcntl(a[0], F_SETPIPE_SZ, 1 << 20);
	fcntl(b[0], F_SETPIPE_SZ, 1 << 20);

	if (child_start(z, consumer, &cch, b[0], -1) < 0) {
		close(a[0]);
		close(a[1]);
		close(b[0]);
		close(b[1]);
		return -1;
	}
	close(b[0]);
	if (child_start(z, producer, &pch, -1, a[1]) < 0) {
		close(a[0]);
		close(a[1]);
		close(b[1]);
		child_kill(&cch, SIGTERM);
		close_fd(&cch.out_fd);
		close_fd(&cch.err_fd);
		child_reap(&cch, consumer);
		return -1;
	}
	close(a[1]);

	memset(&l, 0, sizeof(l));
	l.ch[0] = &pch;
	l.cmd[0] = producer;
	l.ch[1] = &cch;
	l.cmd[1] = consumer;
	l.n = 2;
	l.relay = true;
	l.relay_in = a[0];
	l.relay_out = b[1];
	l.splice_ok = true;
	l.bounce = xmalloc(1 << 20);
	l.pipe_bytes = fcntl(b[1], F_GETPIPE_SZ);
	l.progress = progress;
	l.limit = progress ? progress->limit : NULL;
	l.gate = gate;
	set_nonblock(l.relay_in);
	set_nonblock(l.relay_out);
	loop_run(&l);
	free(l.bounce);
	close_fd(&l.relay_in);
	close_fd(&l.relay_out);
	for (int i = 0; i < 2; i++) {
		close_fd(&l.ch[i]->in_fd);
		close_fd(&l.ch[i]->out_fd);
		close_fd(&l.ch[i]->err_fd);
	}
	child_reap(&pch, producer);
	child_reap(&cch, consumer);
	if (bytes)
		*bytes = l.bytes;
	return 0;
}
