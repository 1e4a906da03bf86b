/* The ZFS driver: the only place in zeit that knows a zfs or zpool flag.
 * Each call does one thing, takes batches where ZFS can, returns 0 or -1
 * with the command line and zfs's own stderr on the zeit handle, and prints
 * nothing. Commands run locally or on a remote host (struct run_host). */
#ifndef ZEIT_ZFS_H
#define ZEIT_ZFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "zeit/run.h"
#include "zeit/util.h"
#include "zeit/zeit.h"

struct zfs {
	struct zeit *z;
	const struct run_host *host; /* NULL: this machine */
	unsigned long calls;         /* zfs/zpool invocations made */
	int timeout_ms;              /* per command; 0: none */
	/* Listings in JSON (-j, OpenZFS 2.3): 0 not known yet, -1 this zfs
	 * has no -j (learnt from its first answer) or ZEIT_ZFS_NO_JSON=1 in
	 * the environment forces the checked -H fallback. */
	int json;
	/* `zfs holds -p` (OpenZFS 2.2): 0 not known yet, -1 learnt that this
	 * zfs has none, so holds are listed without it from then on. */
	int holds_p;
};

void zfs_init(struct zfs *zh, struct zeit *z, const struct run_host *host);

/* ---- Names (ZFS's own rules, checked before anything runs) ---- */

enum zfs_name_kind {
	ZFS_NAME_POOL = 1 << 0,
	ZFS_NAME_DATASET = 1 << 1,  /* pool or pool/a/b */
	ZFS_NAME_SNAPSHOT = 1 << 2, /* dataset@snap */
	ZFS_NAME_BOOKMARK = 1 << 3, /* dataset#mark */
};
#define ZFS_MAX_NAME_LEN 255

/* Returns 0 if name is valid as one of the kinds in `kinds`, else -1 with a
 * message saying what is wrong. */
int zfs_name_check(struct zeit *z, const char *name, unsigned kinds);
/* A component after '@' or '#', or a user-chosen dataset component. */
bool zfs_component_valid(const char *comp);
/* User property names: "module:property", as zfsprops(7) defines. */
bool zfs_user_prop_valid(const char *prop);
/* Copies the pool part of name (up to the first '/', '@' or '#'). */
void zfs_pool_of(const char *name, char *out, size_t outlen);
/* The one rule for "name lies in root's tree": name is root, or root
 * followed by '/', '@' or '#' and more. root's own snapshots and bookmarks
 * count (they are in its tree; zfs destroy -r takes them). A root that is
 * not a dataset name (empty, ending in '/', holding '@' or '#') holds no
 * name but itself, and the empty root nothing: "tank/a" holds "tank/a/b"
 * and "tank/a@x", never "tank/ab". */
bool zfs_name_under(const char *name, const char *root);
/* name is dataset ds itself or one of ds's own snapshots or bookmarks
 * (not a child's): the rule zfs_name_under keeps to one level. */
bool zfs_name_of(const char *name, const char *ds);
/* Whether a listing of root at depth (as zfs_list_datasets) can hold
 * name: root itself, or below it, a snapshot or bookmark counting as one
 * level more than its dataset. A snapshot or bookmark root holds only
 * itself. */
bool zfs_name_within(const char *name, const char *root, int depth);

/* ---- Listing ---- */

enum zfs_type {
	ZFS_TYPE_FILESYSTEM = 1 << 0,
	ZFS_TYPE_VOLUME = 1 << 1,
	ZFS_TYPE_SNAPSHOT = 1 << 2,
	ZFS_TYPE_BOOKMARK = 1 << 3,
};

struct zfs_dataset {
	char *name;
	enum zfs_type type;
	char **values; /* one per requested property; "-" when unset */
	/* -H only: a value held a tab, so which field was whose is not
	 * known and values are NULL; the driver reads them again with zfs
	 * get before anyone sees the row. */
	bool unread;
};

struct zfs_dataset_list {
	struct zfs_dataset *v;
	size_t n;
	size_t nprops;
};

/* depth: 0 = only root, -1 = the whole tree, N = N levels below root.
 * root may also be a snapshot or bookmark, which lists just itself.
 * props: extra properties (native or user) to fetch, or NULL. */
int zfs_list_datasets(struct zfs *zh, const char *root, int depth,
                      unsigned types, const char *const *props,
                      struct zfs_dataset_list *out);
/* Several roots (NULL-terminated) in one zfs call; their rows come back
 * in one list. missing: NULL, and a root that does not exist fails the
 * call; else missing[i] says root i does not exist, and the others are
 * listed. */
int zfs_list_datasets_roots(struct zfs *zh, const char *const *roots, int depth,
                            unsigned types, const char *const *props,
                            struct zfs_dataset_list *out, bool *missing);
void zfs_dataset_list_free(struct zfs_dataset_list *l);
void zfs_dataset_free(struct zfs_dataset *d, size_t nprops);

struct zfs_snap {
	char *name; /* dataset@snap or dataset#bookmark */
	bool bookmark;
	uint64_t guid;
	uint64_t createtxg;
};

struct zfs_snap_list {
	struct zfs_snap *v;
	size_t n;
};

enum zfs_snap_flags {
	ZFS_SNAP_RECURSIVE = 1 << 0, /* the whole tree under root */
	ZFS_SNAP_BOOKMARKS = 1 << 1, /* bookmarks too */
	ZFS_SNAP_NO_SNAPSHOTS = 1 << 2,
};

/* Snapshots (and bookmarks) on zfs's fast path: only name, guid and
 * createtxg, sorted by createtxg. root NULL: every imported pool. */
int zfs_list_snapshots(struct zfs *zh, const char *root, unsigned flags,
                       struct zfs_snap_list *out);
/* The same for several roots in one call, as zfs_list_datasets_roots. */
int zfs_list_snapshots_roots(struct zfs *zh, const char *const *roots,
                             unsigned flags, struct zfs_snap_list *out,
                             bool *missing);
void zfs_snap_list_free(struct zfs_snap_list *l);

/* The snapshots (and bookmarks) of each dataset of a tree listing, found
 * by the dataset's name: built in one pass (O(n)), looked up in O(1).
 * Each dataset's entries keep the listing's order (createtxg). The index
 * points into the list, which must outlive it unchanged. */
struct zfs_snap_index {
	const struct zfs_snap **v; /* grouped by dataset */
	struct zfs_snap_group *slots;
	size_t nslots;
};
void zfs_snap_index_build(struct zfs_snap_index *ix,
                          const struct zfs_snap_list *l);
/* ds's entries (*n of them; NULL and 0 when it has none). */
const struct zfs_snap *const *zfs_snap_index_of(const struct zfs_snap_index *ix,
                                                const char *ds, size_t *n);
void zfs_snap_index_free(struct zfs_snap_index *ix);

/* Names of the imported pools. */
int zpool_list(struct zfs *zh, struct strv *pools);

enum {
	ZPOOL_IMPORT_READONLY = 1 << 0,
	ZPOOL_IMPORT_FORCE = 1 << 1, /* -f: last used by another host */
};
/* `zpool import -N -o cachefile=none` of pool, or of every pool found
 * when pool is NULL; nothing is mounted. */
int zpool_import(struct zfs *zh, const char *pool, unsigned flags);
int zpool_export(struct zfs *zh, const char *pool);

/* ---- Properties ---- */

enum zfs_prop_source {
	ZFS_SRC_NONE, /* "-" */
	ZFS_SRC_DEFAULT,
	ZFS_SRC_LOCAL,
	ZFS_SRC_INHERITED, /* inherited from another dataset */
	ZFS_SRC_RECEIVED,
	ZFS_SRC_TEMPORARY,
};

struct zfs_prop {
	char *dataset;
	char *name;
	char *value;
	enum zfs_prop_source source;
	char *inherited_from; /* for ZFS_SRC_INHERITED, else NULL */
};

struct zfs_prop_list {
	struct zfs_prop *v;
	size_t n;
};

/* `zfs get` of props (NULL: all) on each of datasets; depth as above. */
int zfs_get_props(struct zfs *zh, const char *const *datasets, int depth,
                  const char *const *props, struct zfs_prop_list *out);
/* `zpool get` of props on pool (bootfs, user properties, ...); pool NULL:
 * every imported pool in one call. */
int zpool_get_props(struct zfs *zh, const char *pool, const char *const *props,
                    struct zfs_prop_list *out);
/* The same, sources not read (they may be ZFS_SRC_NONE): one call fewer
 * on a zpool without -j (OpenZFS 2.1) when only native properties are
 * named. */
int zpool_get_values(struct zfs *zh, const char *pool, const char *const *props,
                     struct zfs_prop_list *out);
void zfs_prop_list_free(struct zfs_prop_list *l);

/* A pool's health as `zpool status -p` tells it. */
struct zpool_health {
	char *pool;
	char *state; /* ONLINE, DEGRADED, ... as zpool printed it */
	long long read_errors, write_errors, cksum_errors; /* all devices */
	long long data_errors; /* permanent errors; -1 when not said */
	time_t scrub_end;      /* the last finished scrub; 0 for none */
	bool scrub_running;
};

struct zpool_health_list {
	struct zpool_health *v;
	size_t n;
};

/* Every imported pool's, in one call. */
int zpool_health_list(struct zfs *zh, struct zpool_health_list *out);
/* The parser of that call's output (pure; fuzzed). */
int zpool_health_parse(struct zeit *z, const char *text,
                       struct zpool_health_list *out);
void zpool_health_list_free(struct zpool_health_list *l);
const struct zfs_prop *zfs_prop_find(const struct zfs_prop_list *l,
                                     const char *dataset, const char *prop);

/* assignments: "name=value" strings, all set in one call. */
int zfs_set_props(struct zfs *zh, const char *dataset,
                  const char *const *assignments);
/* The same assignments on several datasets, in one call. */
int zfs_set_props_on(struct zfs *zh, const char *const *datasets,
                     const char *const *assignments);
int zfs_inherit_prop(struct zfs *zh, const char *dataset, const char *prop,
                     bool recursive);
int zpool_set_prop(struct zfs *zh, const char *pool, const char *prop,
                   const char *value);

/* ---- Creating and destroying ---- */

/* Creates all snapshots (full names, one pool) atomically in one call.
 * props: "name=value" applied to each, or NULL. */
int zfs_snapshot(struct zfs *zh, const char *const *snaps,
                 const char *const *props);

/* Destroys snapshots: one `zfs destroy ds@a,b,c` per dataset, split only to
 * stay under the argument-size limit. A refused call is read back as
 * libzfs_core's errlist: its held snapshots, clone origins (both only
 * without defer) and gone ones are named in out, the rest of that call
 * destroyed by one more; the calls after it still run. out->destroyed is
 * what went; -1 when anything was refused, with the first refusal's
 * message (what zfs said) on the handle. Free out with
 * zfs_destroy_result_free. */
struct zfs_destroy_result;
int zfs_destroy_snapshots_report(struct zfs *zh, const char *const *snaps,
                                 bool defer, size_t limit,
                                 struct zfs_destroy_result *out);
/* The same without the report, at ZFS_DESTROY_ARG_LIMIT. */
int zfs_destroy_snapshots(struct zfs *zh, const char *const *snaps, bool defer);
/* With a chosen batch size limit in bytes (tests use a small one). */
int zfs_destroy_snapshots_limit(struct zfs *zh, const char *const *snaps,
                                bool defer, size_t limit);
/* Linux limits one argument to 128 KiB (MAX_ARG_STRLEN); a remote command
 * is one ssh argument and one shell line, so batches stay well below. */
#define ZFS_DESTROY_ARG_LIMIT (64 * 1024)

/* The argv batches zfs_destroy_snapshots would run (for dry runs and
 * tests); the limit is bytes per argument list. */
void zfs_destroy_batches(const char *const *snaps, size_t limit,
                         struct strv *batches);

int zfs_create(struct zfs *zh, const char *dataset, bool parents,
               const char *const *props);
/* Destroys a filesystem or volume; recursive also takes its snapshots and
 * children. Never follows clones (-R is not offered). */
int zfs_destroy_dataset(struct zfs *zh, const char *dataset, bool recursive);
int zfs_destroy_bookmark(struct zfs *zh, const char *bookmark);

int zfs_clone(struct zfs *zh, const char *snap, const char *target,
              const char *const *props);
int zfs_promote(struct zfs *zh, const char *dataset);

enum zfs_rollback_flags {
	ZFS_ROLLBACK_LATER = 1 << 0,  /* -r: destroy later snapshots */
	ZFS_ROLLBACK_CLONES = 1 << 1, /* -R: and their clones */
	ZFS_ROLLBACK_FORCE = 1 << 2,  /* -f: unmount if needed */
};
int zfs_rollback(struct zfs *zh, const char *snap, unsigned flags);

enum zfs_rename_flags {
	ZFS_RENAME_RECURSIVE = 1 << 0, /* -r, snapshots only */
	ZFS_RENAME_NOMOUNT = 1 << 1,   /* -u */
	ZFS_RENAME_PARENTS = 1 << 2,   /* -p */
};
int zfs_rename(struct zfs *zh, const char *from, const char *to,
               unsigned flags);

int zfs_hold(struct zfs *zh, const char *tag, const char *const *snaps,
             bool recursive);
int zfs_release(struct zfs *zh, const char *tag, const char *const *snaps,
                bool recursive);

struct zfs_hold {
	char *snapshot;
	char *tag;
	int64_t timestamp; /* seconds since the epoch */
};
struct zfs_hold_list {
	struct zfs_hold *v;
	size_t n;
};
int zfs_holds(struct zfs *zh, const char *const *snaps, bool recursive,
              struct zfs_hold_list *out);
/* Every hold on the snapshots of roots' trees (NULL or empty: every
 * pool): one listing of the snapshots' userrefs, then zfs holds of only
 * those that have any (a call each 2,000 of them; none when nothing is
 * held), its rows checked against the listing's counts. */
int zfs_holds_in_trees(struct zfs *zh, const char *const *roots,
                       struct zfs_hold_list *out);
void zfs_hold_list_free(struct zfs_hold_list *l);

int zfs_bookmark(struct zfs *zh, const char *snap_or_bookmark,
                 const char *bookmark);
/* Bookmarks to[i] of from[i] (NULL-terminated, one pool), in one channel
 * program (one txg) where programs run here, else one zfs bookmark
 * each. A bookmark that exists already counts as made. */
int zfs_bookmarks(struct zfs *zh, const char *const *from,
                  const char *const *to);

/* ---- Send and receive ---- */

/* Whether a value of the encryption property is an encrypted one (not
 * "off", nor "-" where the property is absent): such a dataset is sent
 * raw (-w), so its data stays encrypted on the way and at the target. */
static inline bool zfs_is_encrypted(const char *encryption)
{
	return encryption && strcmp(encryption, "off") &&
	       strcmp(encryption, "-");
}

struct zfs_send_opts {
	const char *snap;         /* what to send (full name) */
	const char *from;         /* incremental base (snapshot or bookmark) */
	bool intermediates;       /* -I (all snapshots between) instead of -i */
	bool raw;                 /* -w */
	bool props;               /* -p */
	bool replicate;           /* -R */
	bool large_blocks;        /* -L */
	bool compressed;          /* -c */
	bool embedded;            /* -e */
	const char *resume_token; /* send -t TOKEN; the rest is ignored */
};

struct zfs_recv_opts {
	const char *target;
	bool resumable;                   /* -s */
	bool force;                       /* -F: roll back the target first */
	bool nomount;                     /* -u */
	const char *const *set_props;     /* -o name=value */
	const char *const *exclude_props; /* -x name */
	/* The stream comes from a host that may be hostile (a pull's
	 * source): it is received with zfs_recv_pins, and refused before
	 * zfs sees a byte if its first records carry properties or are not
	 * of the type expected. */
	bool untrusted;
	bool volume; /* what an untrusted stream must be */
};

/* Every record of a send stream is this long; the head is at most
 * three (a package: BEGIN, END, its first substream's BEGIN). */
#define ZFS_STREAM_RECORD   312
#define ZFS_STREAM_HEAD_MAX (3 * ZFS_STREAM_RECORD)

/* What a stream's first records say: whether it carries properties (a
 * compound stream with a payload: send -p or -R), else whether it is a
 * volume's, and the snapshot it claims to be. */
struct zfs_stream_head {
	bool props;
	bool volume;
	char toname[257];
};
/* How many bytes zfs_stream_head_parse needs, from the first record. */
size_t zfs_stream_head_len(const unsigned char *rec);
int zfs_stream_head_parse(struct zeit *z, const unsigned char *rec, size_t len,
                          struct zfs_stream_head *out);
/* The receive options that keep a stream inert: never mounted, no
 * mountpoint or sharing of its own, nothing setuid, no devices, nothing
 * run; a volume without device nodes. Appended to argv. */
void zfs_recv_pins(bool volume, struct strv *argv);

/* send -nvP: the stream's estimated size in bytes. */
int zfs_send_estimate(struct zfs *zh, const struct zfs_send_opts *o,
                      uint64_t *bytes);
/* `zfs send ... | zfs recv ...`, sender on src's host, receiver on dst's. */
int zfs_send_recv(struct zfs *src, const struct zfs_send_opts *so,
                  struct zfs *dst, const struct zfs_recv_opts *ro,
                  const struct run_progress *progress, uint64_t *bytes);
/* What an interrupted receive's token asks the sender for, decoded by
 * zeit (never from `zfs send -nvt`'s text, which a name can forge). */
struct zfs_resume_token {
	char toname[ZFS_MAX_NAME_LEN + 1]; /* the snapshot being sent */
	uint64_t toguid;
	uint64_t fromguid; /* when incremental */
	uint64_t bytes;    /* received so far */
	bool incremental;
	bool raw; /* rawok: the stream is raw (-w) */
	bool compressed, embedded, large_blocks, redacted;
};
/* Decodes receive_resume_token text strictly: -1 with "resume token is
 * corrupt: ..." for anything zfs itself would not take. */
int zfs_resume_token_decode(struct zeit *z, const char *token,
                            struct zfs_resume_token *out);
/* recv -A: discards a partially received state on dataset. */
int zfs_recv_abort(struct zfs *zh, const char *dataset);

/* ---- diff ---- */

enum zfs_diff_change {
	ZFS_DIFF_REMOVED = '-',
	ZFS_DIFF_CREATED = '+',
	ZFS_DIFF_MODIFIED = 'M',
	ZFS_DIFF_RENAMED = 'R',
};

struct zfs_diff_entry {
	int64_t sec; /* inode change time */
	long nsec;
	char change; /* one of enum zfs_diff_change */
	char type;   /* F file, / dir, @ symlink, B block, C char, | fifo,
	                = socket, > door, P event port */
	char *path;  /* raw bytes (escapes decoded), NUL-terminated */
	size_t path_len;
	char *new_path; /* renames only */
	size_t new_path_len;
};

struct zfs_diff_list {
	struct zfs_diff_entry *v;
	size_t n;
};

/* `zfs diff -FHt from [to]`; to NULL means the live dataset. */
int zfs_diff(struct zfs *zh, const char *from, const char *to,
             struct zfs_diff_list *out);
void zfs_diff_list_free(struct zfs_diff_list *l);

/* ---- Temporary mounts ---- */

/* Mounts a filesystem or snapshot at dir (`mount -t zfs -o zfsutil`),
 * whatever its mountpoint and canmount say; snapshots mount read-only. */
int zfs_mount_at(struct zfs *zh, const char *name, const char *dir,
                 bool readonly);
int zfs_unmount_at(struct zfs *zh, const char *dir);
/* `zfs load-key` of an encryption root, prompting on this terminal when
 * its keylocation is prompt. */
int zfs_load_key(struct zfs *zh, const char *dataset);
struct secret;
/* `zfs load-key -L prompt` with the passphrase fed on a pipe; a wrong one
 * fails with zfs's message. */
int zfs_load_key_with(struct zfs *zh, const char *dataset,
                      const struct secret *key);
/* Where dataset is mounted on this machine now (malloc'd), or NULL. */
char *zfs_mounted_at(const char *dataset);
/* The ZFS dataset mounted at dir (as this process sees it), or NULL. */
char *zfs_dataset_at(const char *dir);
/* Every ZFS mount this process sees: dataset and directory, in order. */
void zfs_mounts(struct strv *datasets, struct strv *dirs);

/* ---- Channel programs (lib/zfs_program.c: zeit's only Lua) ---- */

struct zfs_program_opts {
	const char *pool;
	const char *script;      /* Lua source, passed on stdin */
	const char *const *args; /* script arguments */
	uint64_t instr_limit;    /* -t; 0: zfs's default */
	uint64_t mem_limit;      /* -m; 0: zfs's default */
	bool no_sync;            /* -n: read-only, no txg */
};

/* Runs the program and returns zfs's JSON output text (`zfs program -j`)
 * in *json (caller frees). */
int zfs_program(struct zfs *zh, const struct zfs_program_opts *o, char **json);
/* After zfs_program failed: true when channel programs cannot run here at
 * all (not root, a delegated user, compiled out), so the caller falls back
 * to plain zfs commands; false for a failure of the program itself. */
bool zfs_program_unavailable(const struct zeit *z);

/* A checked destroy of snapshots of one pool in one txg, all or nothing:
 * each is checked as zfs destroy would (zfs.check.destroy); held ones,
 * clone origins and those already gone are named and left, the rest are
 * destroyed unless check_only. what prefixes error messages. */
struct zfs_destroy_result {
	struct strv destroyed; /* with check_only: would be */
	struct strv held, cloned, gone;
	char *failed; /* non-NULL: nothing was destroyed, this one refused */
	int error;    /* with failed: its errno */
};
int zfs_destroy_checked(struct zfs *zh, const char *pool,
                        const char *const *snaps, size_t n, bool check_only,
                        const char *what, struct zfs_destroy_result *out);
void zfs_destroy_result_free(struct zfs_destroy_result *r);

/* Every dataset under roots (every pool when roots is NULL or empty;
 * whole trees when recursive) with the properties props, sorted by name,
 * and their snapshots' names, listed by one read-only program per pool:
 * no ioctl a snapshot, as `zfs list` pays. */
int zfs_list_tree(struct zfs *zh, const char *const *roots, bool recursive,
                  const char *const *props, struct zfs_dataset_list *all,
                  struct zfs_snap_list *snaps);

/* The programs' sources and result readers, pure, for the unit tests and
 * fuzzers: any JSON is read or refused with a message. */
char *zfs_destroy_checked_source(const char *const *names, size_t n);
int zfs_destroy_checked_parse(struct zeit *z, const char *what,
                              const char *json, struct zfs_destroy_result *out);
char *zfs_list_tree_source(const char *const *props);
/* Appends to all (all->nprops values a row, from props) and snaps. */
int zfs_list_tree_parse(struct zeit *z, const char *json,
                        const char *const *props, struct zfs_dataset_list *all,
                        struct zfs_snap_list *snaps);
/* Writes s as a Lua string literal. */
void zfs_lua_quote(struct buf *b, const char *s);

/* ---- Pure parsers (unit-tested without ZFS) ---- */

/* The -H layouts, each row checked so that a property value cannot pose
 * as a row (zfs_parse.c says why): `name,guid,createtxg`; datasets as
 * `name,type,P1,...,Pn,name` (a row whose values hold a tab, with more
 * than one value, comes back unread); properties in the columns cols names (n
 * name, p property, v value, s source; "npvsn" for zfs get, "npvn" and
 * "nps" for zpool get; cmd names the command in messages); `zfs holds -H
 * -p`. */
int zfs_parse_snapshots(struct zeit *z, char *text, struct zfs_snap_list *out);
int zfs_parse_datasets(struct zeit *z, char *text, size_t nprops,
                       struct zfs_dataset_list *out);
int zfs_parse_props(struct zeit *z, char *text, const char *cmd,
                    const char *cols, struct zfs_prop_list *out);
int zfs_parse_holds(struct zeit *z, char *text, struct zfs_hold_list *out);
/* The same for `zfs holds -H` without -p (OpenZFS 2.1 has no -p): the time
 * is a date for people, kept as 0. */
int zfs_parse_holds_undated(struct zeit *z, char *text,
                            struct zfs_hold_list *out);
/* No byte below 0x20 and no 0x7f. */
bool zfs_text_clean(const char *s);
/* `zfs list -j -p` (props as asked for with -o), and `zfs get -j -p` or
 * `zpool get -j -p` output. */
int zfs_parse_json_datasets(struct zeit *z, const char *text,
                            const char *const *props,
                            struct zfs_dataset_list *out);
int zfs_parse_json_props(struct zeit *z, const char *text,
                         struct zfs_prop_list *out);
int zfs_parse_diff(struct zeit *z, char *text, struct zfs_diff_list *out);
/* Decodes zfs's `\0ooo` escapes (and a plain `\\`) in place; returns the
 * decoded length, or -1 on a malformed escape. */
long zfs_unescape(char *s);
/* The roots `zfs list` said do not exist, from its stderr: each line must
 * be "cannot open 'ROOT': dataset does not exist" for one of roots (sets
 * missing[i]). -1, with nothing set, if any line says something else. */
int zfs_parse_missing(const char *err, const char *const *roots, bool *missing);
/* Finds "size\t<N>" in `zfs send -nvP` output. */
int zfs_parse_send_size(const char *text, uint64_t *bytes);

#endif
