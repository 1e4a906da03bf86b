/* The boot menu's model: pools imported read-only, boot environments found
 * as `zeit be` finds them, the default chosen, a kernel loaded with the
 * command line zfsbootmenu would give it. The screens (menu/) call this;
 * nothing here draws. */
#ifndef ZEIT_MENU_H
#define ZEIT_MENU_H

#include <stdbool.h>
#include <stddef.h>

#include "zeit/be.h"
#include "zeit/secret.h"
#include "zeit/zfs.h"

struct menu_env {
	struct be_ctx *ctx; /* the BE root it lives under */
	struct be_info info;
};

/* A passphrase that loaded an encryption root's key. */
struct menu_kept_key {
	char *root;
	struct secret pass;
};

struct menu_opts {
	const char *const *roots; /* BE roots to use; NULL: discover */
	bool import;              /* import pools (read-only) first */
	bool force_import;        /* zpool import -f */
};

struct menu {
	struct zeit *z;
	struct zfs zh;
	struct menu_opts o;
	struct be_ctx *ctx;
	size_t nctx;
	struct menu_env *env;
	size_t nenv;
	size_t def;           /* the environment the countdown boots */
	bool def_is_once;     /* chosen by a next-boot-only request */
	char *once;           /* that request (taken, so cleared), or NULL */
	struct strv imported; /* pools menu_open imported */
	/* Loads the key of a locked encryption root (the screens read the
	 * passphrase and call menu_load_key); NULL: zfs_load_key as is,
	 * which prompts on the terminal and keeps nothing. */
	int (*ask_key)(void *arg, struct menu *m, const char *encroot);
	void *ask_key_arg;
	/* The passphrases that worked, in locked memory: booting an
	 * environment under one of these roots hands its key to the
	 * environment's initramfs (initrd_key.h). Wiped by menu_close. */
	struct menu_kept_key *keys;
	size_t nkeys;
};

/* Imports, discovers and picks the default. A next-boot-only request is
 * taken here, re-importing its pool read-write to clear it. */
int menu_open(struct menu *m, struct zeit *z, const struct menu_opts *o);
void menu_close(struct menu *m);
/* Exports the pools menu_open imported, so a boot that goes on without
 * the menu finds them as it left them. */
int menu_release(struct menu *m);
/* Lists the environments again (after a clone, rename, destroy...). */
int menu_refresh(struct menu *m);
/* Index of the environment with this dataset, or -1. */
long menu_find(const struct menu *m, const char *dataset);

/* Makes the pool writable: export and import read-write when it is
 * imported read-only. */
int menu_writable(struct menu *m, const char *pool);
bool menu_pool_writable(struct menu *m, const char *pool);

enum menu_unlock_result {
	MENU_UNLOCK_FAILED = -1, /* the key did not load (the error says) */
	MENU_UNLOCK_NOT_NEEDED,  /* not locked */
	MENU_UNLOCK_LOADED,
};
/* Loads the key of the dataset's encryption root when it is locked. */
enum menu_unlock_result menu_unlock(struct menu *m, const char *dataset);
/* Loads root's key with pass (zfs_load_key_with) and, when it worked,
 * keeps a copy for the boot. Returns 0, or -1 with zfs's message (a wrong
 * passphrase: "Incorrect key provided"). */
int menu_load_key(struct menu *m, const char *root, const struct secret *pass);

/* Reads the environment's kernels (mounting it read-only for a moment). */
int menu_kernels(struct menu *m, size_t i);

struct menu_boot {
	char *dataset;
	char *kernel; /* file name in /boot */
	char *initrd; /* file name in /boot, or NULL */
	char *args;   /* everything after root=<prefix><dataset> */
	char *cmdline;
	char *key_root; /* whose key went with the initramfs, or NULL */
};

/* Works out what booting environment i means: kernel (kernel NULL: the
 * org.zfsbootmenu:kernel match, else the newest) and command line (args
 * NULL: the environment's). With load, also stages it with kexec. */
int menu_boot_plan(struct menu *m, size_t i, const char *kernel,
                   const char *args, bool load, struct menu_boot *b);
void menu_boot_free(struct menu_boot *b);
/* Exports every pool and jumps into the staged kernel. */
int menu_boot_exec(struct menu *m);

/* Sets org.zfsbootmenu:kernel on the environment (its default kernel). */
int menu_set_kernel(struct menu *m, size_t i, const char *kernel);

#endif
