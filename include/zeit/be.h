/* Boot environments, laid out as zfsbootmenu finds them: the children of
 * a BE root (pool/ROOT), each with mountpoint=/ and canmount=noauto, with
 * kernels in its own /boot. The pool's bootfs is the default; the user
 * property org.zeit:nextboot, set on the BE root itself, a one-time
 * choice (on the root, not the pool: OpenZFS 2.1 has no pool user
 * properties, and one place serves every version). */
#ifndef ZEIT_BE_H
#define ZEIT_BE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "zeit/props.h"
#include "zeit/zfs.h"

/* The BE root's property for "next boot only"; the menu clears it on
 * use. Only a local value counts (children inherit it; a received one
 * came from another machine). */
#define BE_NEXTBOOT_PROP ZEIT_PROP_NEXTBOOT
/* zfsbootmenu's switch to keep an environment out of the menu. */
#define BE_ACTIVE_PROP "org.zfsbootmenu:active"
/* A trial boot's mark on the environment (be_trial.c). */
#define BE_TRIAL_PROP ZEIT_PROP_TRIAL
/* Set on snapshots zeit takes for `be create`, so destroy knows them. */
#define BE_SNAP_PROP ZEIT_PROP_BE_SNAPSHOT

/* ---- Kernels (pure) ---- */

struct be_kernel {
	char *kernel; /* file name in /boot */
	char *initrd; /* matching initramfs, or NULL */
	char *version;
};

struct be_kernel_list {
	struct be_kernel *v;
	size_t n;
};

/* From the file names in a /boot directory: kernels (vmlinuz-*, vmlinux-*,
 * linux-*, or a bare vmlinuz) with their initramfs (initrd.img-V,
 * initramfs-V.img, initramfs-V, initrd-V, initrd-V.img; initramfs-linux.img
 * for Arch's vmlinuz-linux), newest version first. */
void be_find_kernels(const char *const *files, size_t n,
                     struct be_kernel_list *out);
/* Reads /boot of the environment whose root directory is open at root
 * (inside it: rootfile.h) and calls be_find_kernels; none without /boot. */
int be_kernels_at(struct zeit *z, int root, struct be_kernel_list *out);
void be_kernel_list_free(struct be_kernel_list *l);

/* ---- Environments ---- */

struct be_ctx {
	struct zfs *zh;
	char *root; /* the BE root, e.g. pool/ROOT */
	char pool[ZFS_MAX_NAME_LEN + 1];
	char *running;  /* dataset mounted at / now, or NULL */
	char *bootfs;   /* the pool's bootfs, or NULL */
	char *nextboot; /* org.zeit:nextboot on root (a dataset), or NULL */
};

/* Finds the BE root: root_override when given, else the parent of the
 * running root dataset, else of the only pool's bootfs. */
int be_open(struct be_ctx *c, struct zfs *zh, const char *root_override);
void be_close(struct be_ctx *c);

/* A BE name (one dataset component) is valid, and not a path. */
int be_name_check(struct zeit *z, const char *name);
/* pool/ROOT/NAME (malloc'd). */
char *be_dataset(const struct be_ctx *c, const char *name);

enum be_trial {
	BE_TRIAL_NONE,
	BE_TRIAL_PENDING, /* waits for its one boot */
	BE_TRIAL_BOOTED,  /* running now, not confirmed yet */
	BE_TRIAL_FAILED,  /* booted (or was to) and never confirmed */
};

struct be_info {
	char *name;
	char *dataset;
	bool active_now, active_reboot, active_once;
	int64_t creation;
	uint64_t used;
	char *origin; /* "-" when none */
	char *mountpoint;
	char *mounted_at; /* where it is mounted now, or NULL */
	struct be_kernel_list kernels;
	bool kernels_read;
	bool menu_hidden; /* org.zfsbootmenu:active=off */
	enum be_trial trial;
};

struct be_list {
	struct be_info *v;
	size_t n;
};

/* Lists the environments; with kernels, mounts each one not mounted
 * read-only for a moment to read its /boot. */
int be_list(struct be_ctx *c, bool kernels, struct be_list *out);
void be_list_free(struct be_list *l);

enum be_create_mode {
	BE_CLONE,     /* clone, no promote: the cheap throwaway */
	BE_PROMOTE,   /* clone, then promote */
	BE_DUPLICATE, /* send | receive: independent, shares no blocks */
};

struct be_create_opts {
	const char *name;
	const char *source; /* BE or BE@SNAP; NULL: running, else bootfs */
	enum be_create_mode mode;
	bool recursive;
	/* NAME=VALUE: zeit's markers for the new root, set in the call that
	 * creates it (a clone), so it never exists without them; nothing of
	 * the kind is carried from the source. NULL: none. */
	const char *const *markers;
};

int be_create(struct be_ctx *c, const struct be_create_opts *o);
int be_activate(struct be_ctx *c, const char *name, bool once);
/* Trial boots (be_trial.c). activate_trial: boots NAME once, marked so
 * that only a confirmation from inside it makes it bootfs. */
int be_activate_trial(struct be_ctx *c, const char *name);
/* The state of ds's trial from its org.zeit:trial value (NULL: none). */
enum be_trial be_trial_state(const struct be_ctx *c, const char *ds,
                             const char *value);
const char *be_trial_name(enum be_trial t);
/* Drops NAME's trial mark (activated for good, or confirmed). */
int be_trial_forget(struct be_ctx *c, const char *name);

struct be_confirm_result {
	char *confirmed;    /* the trial that became bootfs, or NULL */
	struct strv failed; /* trials found failed (and so marked) */
};
/* This boot came up: the running environment, if on trial, becomes
 * bootfs; trials that booted and never confirmed are marked failed. */
int be_confirm(struct be_ctx *c, struct be_confirm_result *r);
void be_confirm_result_free(struct be_confirm_result *r);

/* Put back what boots, and what boots once, to a dataset a caller saved
 * (bisect's reset): quietly; NULL or "none" unsets. */
int be_set_bootfs(struct be_ctx *c, const char *ds);
int be_set_nextboot(struct be_ctx *c, const char *ds);
/* Returns the one-time choice (malloc'd) and clears it, or NULL. */
char *be_take_nextboot(struct be_ctx *c);
int be_destroy(struct be_ctx *c, const char *name, bool origin_too);
int be_rename(struct be_ctx *c, const char *from, const char *to);

/* Mounts the environment and its children at dir (created if missing);
 * dir NULL: a new directory under /run/zeit. *where gets the path. */
int be_mount(struct be_ctx *c, const char *name, const char *dir, bool readonly,
             char **where);
int be_umount(struct be_ctx *c, const char *name);

/* Mounts, binds /proc /sys /dev /dev/pts /run, runs argv (NULL: a shell)
 * rooted there and unmounts everything whatever happens. *status gets its
 * exit status. */
int be_chroot(struct be_ctx *c, const char *name, bool readonly,
              const char *const *argv, int *status);

struct be_snap {
	char *name;       /* short name */
	const char *tier; /* zeit tier name, or NULL */
	int64_t creation;
	uint64_t createtxg;
};

struct be_snap_list {
	struct be_snap *v;
	size_t n;
};

/* The environment's snapshots, newest first. */
int be_snapshots(struct be_ctx *c, const char *name, struct be_snap_list *out);
void be_snap_list_free(struct be_snap_list *l);

struct be_rollback_opts {
	const char *target; /* NAME@SNAP */
	bool destroy_later; /* -r */
	bool force;         /* no kernel in /boot is fine */
};

int be_rollback(struct be_ctx *c, const struct be_rollback_opts *o);

#endif
