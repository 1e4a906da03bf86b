/* libFuzzer: what a hostile peer gives zeit serve and a sending zeit: a
 * command line, a stream's first records, a resume token. No crash, and
 * what is accepted keeps serve's promises: no control byte, nothing
 * outside the roots, receives never mounted, nothing destroyed without
 * the key's flag. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const roots[] = {"backup/laptop", NULL};

static void check_line(struct zeit *z, const char *line,
                       const struct serve_opts *o)
{
	struct serve_cmd c;
	if (serve_check(z, line, o, &c) < 0)
		return;
	if (c.argv.n < 3 || strcmp(c.argv.v[0], "zfs"))
		abort();
	const char *cmd = c.argv.v[1];
	for (size_t i = 0; i < c.argv.n; i++)
		for (const char *p = c.argv.v[i]; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
	if (!strcmp(cmd, "receive") && c.need == SERVE_NEED_STREAM) {
		bool u = false;
		for (size_t i = 2; i < c.argv.n; i++)
			u |= !strcmp(c.argv.v[i], "-u");
		if (!u)
			abort();
	}
	if (!o->send_side && !o->allow_prune && !strcmp(cmd, "destroy"))
		abort();
	if (!o->allow_rollback && !strcmp(cmd, "rollback"))
		abort();
	/* The last word names something under the roots, or is a token. */
	const char *last = c.argv.v[c.argv.n - 1];
	if (c.need != SERVE_NEED_TOKEN && strcmp(last, "-A") &&
	    strncmp(last, "backup/laptop", 13))
		abort();
	serve_cmd_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zeit z;
	zeit_init(&z);
	char *text = strndup((const char *)data, size);
	struct serve_opts recv = {.roots = roots};
	struct serve_opts prune = {.roots = roots, .allow_prune = true};
	struct serve_opts send = {.roots = roots, .send_side = true};
	check_line(&z, text, &recv);
	check_line(&z, text, &prune);
	check_line(&z, text, &send);

	struct zfs_stream_head s;
	if (size >= ZFS_STREAM_RECORD && zfs_stream_head_len(data) <= size &&
	    zfs_stream_head_parse(&z, data, size, &s) == 0 &&
	    memchr(s.toname, 0, sizeof(s.toname)) == NULL)
		abort();

	struct zfs_resume_token t;
	if (zfs_resume_token_decode(&z, text, &t) == 0 &&
	    zfs_name_check(&z, t.toname, ZFS_NAME_SNAPSHOT) < 0)
		abort();
	free(text);
	return 0;
}
