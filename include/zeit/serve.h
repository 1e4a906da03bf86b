/* `zeit serve`: one side of replication as an ssh forced command
 * (command="zeit serve DATASET..." in authorized_keys), for a peer that
 * may be hostile. The receiving side (the default) is append-only: it
 * accepts listings, receives that are never mounted and take no
 * properties from the stream or the peer, resume aborts, parents and
 * zeit's own bookkeeping; rollback and destroy only when the key's
 * command line allows them. With --send it is the source of a pull:
 * listings, sends of snapshots under its roots (raw where encrypted),
 * zeit's holds and bookmarks, and nothing that changes data.
 *
 * The peer's line is split into words, parsed against the grammar of
 * each accepted command, and a fresh argv is built from what was checked;
 * the peer's own words never reach zfs unparsed. */
#ifndef ZEIT_SERVE_H
#define ZEIT_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zeit/util.h"
#include "zeit/zeit.h"
#include "zeit/zfs.h"

struct serve_opts {
	const char *const *roots; /* datasets this key may act under */
	bool send_side;           /* --send: the source of a pull */
	bool allow_prune;         /* destroy zeit's snapshots under roots */
	bool allow_rollback;      /* zfs rollback and receive -F */
	bool allow_plaintext;     /* --send: non-raw sends of encrypted data */
};

/* What serve must find out before it runs a checked command. */
enum serve_need {
	SERVE_NEED_NONE,
	SERVE_NEED_STREAM,     /* receive: the stream's first record */
	SERVE_NEED_TOKEN,      /* send -t: what the token resumes */
	SERVE_NEED_ENCRYPTION, /* non-raw send: is the dataset encrypted */
};

struct serve_cmd {
	struct strv argv; /* zfs, then the checked words */
	enum serve_need need;
	const char *token; /* send -t: in argv */
	char *dataset;     /* send: the dataset whose snapshot goes */
	bool raw;          /* send: -w */
};

void serve_cmd_free(struct serve_cmd *c);

/* Splits a shell line into words; shell syntax beyond quoting is refused. */
int serve_split(struct zeit *z, const char *line, struct strv *words);

/* Checks line (SSH_ORIGINAL_COMMAND) against o and fills c with the
 * command to run. -1 with a "permission denied: ..." message when it is
 * refused. Pure: runs nothing. */
int serve_check(struct zeit *z, const char *line, const struct serve_opts *o,
                struct serve_cmd *c);

/* Runs line for a peer under o: checks it, finds out what it needs (the
 * stream's first record from stdin, without consuming it; the resume
 * token's contents; the dataset's encryption), runs zfs by absolute path
 * with the peer's stdin and stdout, and returns its exit status, or -1
 * with a message. */
int serve_run(struct zeit *z, const char *line, const struct serve_opts *o);

#endif
