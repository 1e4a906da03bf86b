/* send --auto's jobs to different hosts at once: each job runs in a child
 * process whose output goes to files of its own, printed whole when the
 * job ends (in the order jobs end), so two jobs' lines never mix. Jobs to
 * one host run one after another; at most `parallel` run at all. A job
 * that hangs (a host that does not answer) holds its own slot and no
 * other: the rest go on around it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "send_parallel.h"

struct slot {
	pid_t pid;
	size_t job;
	FILE *out, *err;
};

static void copy_whole(FILE *from, FILE *to)
{
	char buf[8192];
	size_t n;
	rewind(from);
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		fwrite(buf, 1, n, to);
	fflush(to);
	fclose(from);
}

static bool host_busy(const struct slot *s, size_t nslots,
                      const char *const *hosts, const char *host)
{
	for (size_t i = 0; i < nslots; i++)
		if (s[i].pid > 0 && !strcmp(hosts[s[i].job], host))
			return true;
	return false;
}

/* The first job not started whose host is free, or n. */
static size_t next_job(const bool *started, size_t n, const struct slot *s,
                       size_t nslots, const char *const *hosts)
{
	for (size_t i = 0; i < n; i++)
		if (!started[i] && !host_busy(s, nslots, hosts, hosts[i]))
			return i;
	return n;
}

static int start(struct cli *cli, struct slot *s, size_t job, send_job_fn fn,
                 void *arg)
{
	s->job = job;
	s->out = tmpfile();
	s->err = tmpfile();
	if (!s->out || !s->err) {
		fprintf(stderr,
		        "%s: cannot make a file for a job's output: %s\n",
		        cli->prog, strerror(errno));
		goto fail;
	}
	fflush(stdout);
	fflush(stderr);
	s->pid = fork();
	if (s->pid < 0) {
		fprintf(stderr, "%s: cannot start a job: %s\n", cli->prog,
		        strerror(errno));
		goto fail;
	}
	if (s->pid == 0) {
		if (dup2(fileno(s->out), STDOUT_FILENO) < 0 ||
		    dup2(fileno(s->err), STDERR_FILENO) < 0)
			_exit(ZEIT_EXIT_ERROR);
		int rc = fn(cli, job, arg);
		fflush(stdout);
		fflush(stderr);
		_exit(rc);
	}
	return 0;
fail:
	if (s->out)
		fclose(s->out);
	if (s->err)
		fclose(s->err);
	s->pid = 0;
	return -1;
}

int send_run_parallel(struct cli *cli, size_t n, const char *const *hosts,
                      int parallel, send_job_fn fn, void *arg)
{
	size_t nslots = parallel < 1 ? 1 : (size_t)parallel;
	struct slot *slots = xcalloc(nslots, sizeof(*slots));
	bool *started = xcalloc(n + 1, sizeof(bool));
	size_t running = 0, done = 0;
	int rc = ZEIT_EXIT_OK;

	while (done < n) {
		for (size_t i = 0; i < nslots; i++) {
			if (slots[i].pid > 0)
				continue;
			size_t job = next_job(started, n, slots, nslots, hosts);
			if (job == n)
				break;
			started[job] = true;
			if (start(cli, &slots[i], job, fn, arg) < 0) {
				rc = ZEIT_EXIT_ERROR;
				done++;
				continue;
			}
			running++;
		}
		if (!running)
			continue;
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (size_t i = 0; i < nslots; i++) {
			if (slots[i].pid != pid)
				continue;
			copy_whole(slots[i].out, stdout);
			copy_whole(slots[i].err, stderr);
			if (!WIFEXITED(status) ||
			    WEXITSTATUS(status) != ZEIT_EXIT_OK)
				rc = ZEIT_EXIT_ERROR;
			if (!WIFEXITED(status))
				fprintf(stderr,
				        "%s: a job's process ended by "
				        "signal %d\n",
				        cli->prog,
				        WIFSIGNALED(status) ? WTERMSIG(status)
				                            : 0);
			slots[i].pid = 0;
			running--;
			done++;
		}
	}
	free(slots);
	free(started);
	return rc;
}
