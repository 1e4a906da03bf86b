/* Reading files inside a snapshot or boot environment: the one way in.
 * Someone else wrote those trees (an old environment, a replica from another
 * host, a local user), so every path is resolved relative to the root's
 * directory fd with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): ".."
 * and symlinks, absolute ones included, stay inside the root. Only regular
 * files are opened for reading (a FIFO would hang zeit, a device would be
 * read without end), never blocking, and whole-file reads are size-capped. */
#ifndef ZEIT_ROOTFILE_H
#define ZEIT_ROOTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "zeit/util.h"
#include "zeit/zeit.h"

/* Opens the root directory itself (a path zeit chose: a mount it made or
 * the dataset's mountpoint). Returns the fd, or -1 with a message. */
int root_open(struct zeit *z, const char *path);

/* Resolves rel inside root to an O_PATH fd and fills *st. Returns the fd,
 * or -1 with a message; z->err is ENOENT when nothing is there. */
int root_lookup(struct zeit *z, int root, const char *rel, struct stat *st);

/* root_lookup without following a link in the last component: the fd
 * and *st are the link itself when one is there. */
int root_lookup_nofollow(struct zeit *z, int root, const char *rel,
                         struct stat *st);

/* Opens the directory at rel exactly beneath root for changing it: no
 * "..", no symlink in any component (RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS),
 * so a write never lands outside root or where a link points. */
int rootdir_open_beneath(struct zeit *z, int root, const char *rel);

/* Whether anything (of any type) is at rel inside root. */
bool root_exists(int root, const char *rel);

/* Opens the regular file at rel inside root for reading (O_NONBLOCK) and
 * fills *st when st is not NULL. Anything else there (directory, FIFO,
 * device, socket) is refused with EINVAL. Returns the fd or -1. */
int rootfile_open(struct zeit *z, int root, const char *rel, struct stat *st);

/* Opens the directory at rel inside root ("." for the root itself) for
 * reading with fdopendir. Returns the fd or -1 (ENOTDIR if not one). */
int rootdir_open(struct zeit *z, int root, const char *rel);

/* Reads the whole of fd (at most max bytes: more is EFBIG) into out,
 * replacing what it held. what names the file in messages. */
int rootfile_read_fd(struct zeit *z, int fd, const char *what, size_t max,
                     struct buf *out);

/* The whole of a file on this host that the caller names (a key script,
 * a scheduler's file), opened without blocking and read by
 * rootfile_read_fd: a malloc'd string (*len, when given, its length: a
 * NUL byte inside shows as a shorter strlen), or NULL. */
char *rootfile_read_host(struct zeit *z, const char *path, size_t max,
                         size_t *len);

/* rootfile_open, then rootfile_read_fd. */
int rootfile_read(struct zeit *z, int root, const char *rel, size_t max,
                  struct buf *out);

#endif
