/* One ssh connection for every command of a run on a remote host: an
 * OpenSSH control master that zeit starts with its first command there and
 * that goes away by itself shortly after the last. Each command otherwise
 * pays a handshake and a login of its own. */
#ifndef ZEIT_SSH_SHARE_H
#define ZEIT_SSH_SHARE_H

#include <stdbool.h>
#include <stddef.h>

#include "zeit/util.h"

/* Seconds the shared connection stays up with no command using it. */
#define SSH_SHARE_PERSIST_S 10

/* True when the user's own ssh arguments already decide connection
 * sharing (ControlMaster, ControlPath, -S or -M, in any spelling ssh
 * accepts): then zeit adds nothing, so `-oControlMaster=no` turns it off. */
bool ssh_opts_decide_sharing(const char *const *opts);

/* Makes (or checks) the private directory for the control sockets:
 * $XDG_RUNTIME_DIR/zeit-ssh, else /tmp/zeit-ssh-UID. Either must be a
 * directory of ours, mode 0700, never a link, with a path short enough
 * for a socket. Returns false when neither is to be had. */
bool ssh_share_dir(char *buf, size_t len);

/* Appends the options that share one connection to dest ([user@]host as
 * given) to opts, unless the user decided already or no safe directory
 * exists (then commands connect one by one, as before). */
void ssh_share_add(struct strv *opts, const char *dest);

#endif
