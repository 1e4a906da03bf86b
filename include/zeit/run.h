/* The one way zeit runs another program: argv vectors only (posix_spawn,
 * never a shell), captured output, an optional timeout, a two-stage
 * pipeline with a byte count, and the same interface on a remote host
 * through ssh. Modelled on git's run-command. */
#ifndef ZEIT_RUN_H
#define ZEIT_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zeit/util.h"
#include "zeit/zeit.h"

/* Where a command runs: here (ssh == NULL) or on a host reached by
 * `ssh -o BatchMode=yes [ssh_opts...] DEST -- <quoted command>`. */
struct run_host {
	const char *ssh; /* [user@]host, or NULL for this machine */
	const char *const
	        *ssh_opts; /* extra ssh arguments, e.g. "-p", "2222" */
};

enum run_flags {
	RUN_INHERIT_STDIN = 1 << 0,  /* else /dev/null, or `input` when set */
	RUN_INHERIT_STDOUT = 1 << 1, /* else captured into `out` */
	RUN_INHERIT_STDERR = 1 << 2, /* else captured into `err` */
	/* Its own process group: a timeout signals the whole group (a
	 * shell's children too) and, once it has timed out, whatever of the
	 * group is still there is killed before run() returns. */
	RUN_OWN_PGROUP = 1 << 3,
};

struct run_cmd {
	/* What to run. */
	const char *const *argv;
	const struct run_host *host; /* NULL: this machine */
	const char *const *env;      /* extra "NAME=value" entries, or NULL */
	const char *cwd;             /* local runs only; NULL: inherit */
	const char *input;           /* bytes fed to stdin, or NULL */
	size_t input_len;
	int timeout_ms; /* 0: none; on expiry TERM, then KILL */
	unsigned flags;

	/* What happened. */
	struct buf out;
	struct buf err;
	int status; /* exit code; 128+N if killed by signal N; -1 if not run */
	bool timed_out;
	bool cancelled; /* a progress callback abandoned the pipeline */
	bool abandoned; /* killed but still not gone (stuck in the kernel,
	                   e.g. on a suspended pool): left behind, status -1 */
};

void run_cmd_init(struct run_cmd *c, const char *const *argv);
void run_cmd_free(struct run_cmd *c);

/* Runs c and waits for it. Returns 0 when it ran (whatever its exit status:
 * look at c->status) and -1 with a message on z when it could not be
 * started or waited for. */
int run(struct zeit *z, struct run_cmd *c);

struct rate_bucket;

struct run_progress {
	/* Returns false to abandon the transfer: both sides are killed
	 * (SIGKILL, as a crash would) and the commands' `cancelled` is set. */
	bool (*fn)(uint64_t bytes, void *arg);
	void *arg;
	int interval_ms; /* at most one call per interval; 0 means 1000 */
	/* A cap on the pipeline (NULL: none): the relay spends from this
	 * token bucket (ratelimit.h) and splice still moves the bytes. The
	 * caller owns it, so one cap holds across a run's streams. fn may
	 * be NULL when only the cap is wanted. */
	struct rate_bucket *limit;
};

/* Runs `producer | consumer`, moving the stream with splice(2) where the
 * kernel can and counting the bytes that cross into *bytes. The consumer's
 * stdout and both stderrs are captured as in run(). If either side fails
 * the other is stopped. Returns 0 when both ran; statuses are in each. */
int run_pipeline(struct zeit *z, struct run_cmd *producer,
                 struct run_cmd *consumer, uint64_t *bytes,
                 const struct run_progress *progress);

/* A look at a stream's first bytes before any of them reaches the
 * consumer: up to len bytes (fewer if the stream ends sooner) go to check;
 * when it returns false both sides are killed, the consumer having read
 * nothing, and both commands' `cancelled` is set. */
struct run_gate {
	size_t len; /* at most 64 KiB */
	bool (*check)(const unsigned char *head, size_t n, void *arg);
	void *arg;
};
int run_pipeline_gated(struct zeit *z, struct run_cmd *producer,
                       struct run_cmd *consumer, uint64_t *bytes,
                       const struct run_progress *progress,
                       const struct run_gate *gate);

/* The argv that run() really executes for c: c->argv itself, or the ssh
 * command that runs it remotely. */
void run_real_argv(const struct run_cmd *c, struct strv *out);

/* Appends word to b quoted for a POSIX shell, so the remote side's shell
 * (ssh always passes the command through one) sees exactly that word. */
void shell_quote(struct buf *b, const char *word);
/* Quotes and joins words with single spaces. */
void shell_join(struct buf *b, const char *const *words);

/* A printable one-line rendering of argv for messages (shell-quoted). */
char *argv_to_string(const char *const *argv);

#endif
