/* Connection sharing for remote commands; see zeit/ssh_share.h. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zeit/ssh_share.h"

/* An ssh option word ("ControlPath=x", "controlmaster no") names key. */
static bool names_key(const char *word, const char *key)
{
	size_t n = strlen(key);
	while (isspace((unsigned char)*word))
		word++;
	return !strncasecmp(word, key, n) &&
	       (word[n] == '=' || word[n] == '\0' ||
	        isspace((unsigned char)word[n]));
}

/* ssh(1)'s flags that take an argument, which ends a bundle of flags. */
#define SSH_FLAGS_WITH_ARG "BbcDEeFIiJLlmOopQRWw"

static bool decides(const char *word)
{
	return names_key(word, "ControlMaster") ||
	       names_key(word, "ControlPath") ||
	       names_key(word, "ControlPersist");
}

bool ssh_opts_decide_sharing(const char *const *opts)
{
	/* The flag whose argument the next word is, if any. */
	char arg_of = 0;

	for (size_t i = 0; opts && opts[i]; i++) {
		const char *o = opts[i];
		if (arg_of) {
			if (arg_of == 'o' && decides(o))
				return true;
			arg_of = 0;
			continue;
		}
		if (o[0] != '-')
			continue;
		/* Flags may be bundled ("-Cp2222"); -S (the control socket)
		 * and -M (master mode) decide sharing outright. */
		for (const char *f = o + 1; *f; f++) {
			if (*f == 'S' || *f == 'M')
				return true;
			if (!strchr(SSH_FLAGS_WITH_ARG, *f))
				continue;
			if (!f[1])
				arg_of = *f;
			else if (*f == 'o' && decides(f + 1))
				return true;
			break;
		}
	}
	return false;
}

/* dir exists as a real directory of this user's that nobody else can
 * enter. */
static bool dir_is_private(const char *dir)
{
	struct stat st;
	return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	       st.st_uid == geteuid() && (st.st_mode & 077) == 0;
}

/* Makes dir (or finds it) and checks that it is private. ssh appends "/",
 * a 40-character hash, zeit "-" and 16 more, and while it sets up, a
 * suffix of 17: a Unix socket's path holds 107 bytes. */
static bool usable(const char *dir)
{
	if (strlen(dir) + 1 + 57 + 17 > 107)
		return false;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return false;
	return dir_is_private(dir);
}

bool ssh_share_dir(char *buf, size_t len)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	int n;

	if (run && *run == '/' && dir_is_private(run)) {
		n = snprintf(buf, len, "%s/zeit-ssh", run);
		if (n > 0 && (size_t)n < len && usable(buf))
			return true;
	}
	n = snprintf(buf, len, "/tmp/zeit-ssh-%u", (unsigned)geteuid());
	return n > 0 && (size_t)n < len && usable(buf);
}

static uint64_t fnv1a_word(uint64_t h, const char *w)
{
	for (const char *c = w;; c++) {
		h = (h ^ (unsigned char)*c) * 0x100000001b3ULL;
		if (!*c)
			return h;
	}
}

/* FNV-1a over the destination as the user wrote it and every argument: a
 * connection is shared only by commands whose destination and ssh
 * arguments (key, port, options) are the same. ssh's %C hashes the host
 * after ssh_config resolved it, so two aliases of one host with keys of
 * their own would otherwise share a login. */
static uint64_t opts_hash(const char *dest, const char *const *opts)
{
	uint64_t h = fnv1a_word(0xcbf29ce484222325ULL, dest ? dest : "");
	for (size_t i = 0; opts && opts[i]; i++)
		h = fnv1a_word(h, opts[i]);
	return h;
}

void ssh_share_add(struct strv *opts, const char *dest)
{
	char dir[128];

	if (ssh_opts_decide_sharing((const char *const *)opts->v) ||
	    !ssh_share_dir(dir, sizeof(dir)))
		return;
	/* %C stands for user, host and port; the hash for the rest, so a
	 * run with another key never rides on this one's login. */
	uint64_t h = opts_hash(dest, (const char *const *)opts->v);
	strv_push(opts, "-oControlMaster=auto");
	strv_pushf(opts, "-oControlPath=%s/%%C-%016llx", dir,
	           (unsigned long long)h);
	strv_pushf(opts, "-oControlPersist=%d", SSH_SHARE_PERSIST_S);
}
