/* The boot menu's model: import, discover, choose, load. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zeit/bootcmd.h"
#include "zeit/initrd_key.h"
#include "kexec_priv.h"
#include "menu_priv.h"
#include "zeit/menu.h"
#include "zeit/rootfile.h"
#include "zeit/tmpmount.h"

static char *parent_of(const char *ds)
{
	const char *slash = strrchr(ds, '/');
	return slash ? xstrndup(ds, (size_t)(slash - ds)) : NULL;
}

/* Roots: the parent of each pool's bootfs first, then the parent of every
 * other filesystem that mounts at /, as zfsbootmenu finds environments. */
static int discover_roots(struct menu *m, struct strv *roots)
{
	const char *const pprops[] = {"bootfs", NULL};
	const char *const dprops[] = {"mountpoint", NULL};
	struct zfs_prop_list pl;
	struct zfs_dataset_list dl;

	strv_init(roots);
	if (zpool_get_props(&m->zh, NULL, pprops, &pl) < 0)
		return -1;
	for (size_t i = 0; i < pl.n; i++) {
		char *p = strcmp(pl.v[i].value, "-") ? parent_of(pl.v[i].value)
		                                     : NULL;
		if (p && !strv_contains(roots, p))
			strv_push(roots, p);
		free(p);
	}
	zfs_prop_list_free(&pl);
	if (zfs_list_datasets(&m->zh, NULL, -1, ZFS_TYPE_FILESYSTEM, dprops,
	                      &dl) < 0)
		return -1;
	for (size_t i = 0; i < dl.n; i++) {
		if (strcmp(dl.v[i].values[0], "/"))
			continue;
		char *p = parent_of(dl.v[i].name);
		if (p && !strv_contains(roots, p))
			strv_push(roots, p);
		free(p);
	}
	zfs_dataset_list_free(&dl);
	return 0;
}

static void free_envs(struct menu *m)
{
	/* be_list_free takes the whole list: hand it ours. */
	struct be_list all = {.v = xcalloc(m->nenv + 1, sizeof(*all.v)),
	                      .n = m->nenv};
	for (size_t i = 0; i < m->nenv; i++)
		all.v[i] = m->env[i].info;
	be_list_free(&all);
	free(m->env);
	m->env = NULL;
	m->nenv = 0;
}

int menu_refresh(struct menu *m)
{
	char *keep = m->nenv ? xstrdup(m->env[m->def].info.dataset) : NULL;

	free_envs(m);
	for (size_t r = 0; r < m->nctx; r++) {
		struct be_list l;
		if (be_list(&m->ctx[r], false, &l) < 0) {
			free(keep);
			return -1;
		}
		m->env =
		        xrealloc(m->env, (m->nenv + l.n + 1) * sizeof(*m->env));
		for (size_t i = 0; i < l.n; i++) {
			/* Hidden as zfsbootmenu hides it, unless it is the
			 * bootfs, the next-boot choice or the default, which
			 * were chosen and must stay bootable. */
			const struct be_info *b = &l.v[i];
			bool chosen =
			        b->active_reboot ||
			        (keep && !strcmp(keep, b->dataset)) ||
			        (m->ctx[r].nextboot &&
			         (!strcmp(m->ctx[r].nextboot, b->name) ||
			          !strcmp(m->ctx[r].nextboot, b->dataset)));
			if (b->menu_hidden && !chosen) {
				struct be_list one = {
				        .v = xcalloc(1, sizeof(*one.v)),
				        .n = 1};
				one.v[0] = l.v[i];
				be_list_free(&one);
				continue;
			}
			m->env[m->nenv].ctx = &m->ctx[r];
			m->env[m->nenv].info = l.v[i];
			m->nenv++;
		}
		free(l.v); /* the members moved into m->env */
	}
	long k = keep ? menu_find(m, keep) : -1;
	free(keep);
	if (k >= 0)
		m->def = (size_t)k;
	else if (m->def >= m->nenv)
		m->def = 0;
	return 0;
}

long menu_find(const struct menu *m, const char *dataset)
{
	for (size_t i = 0; i < m->nenv; i++)
		if (!strcmp(m->env[i].info.dataset, dataset))
			return (long)i;
	return -1;
}

/* The next-boot-only request wins (and is cleared: once means once), then
 * the first pool's bootfs, then the first environment. */
static int choose_default(struct menu *m)
{
	m->def = 0;
	for (size_t r = 0; r < m->nctx; r++) {
		struct be_ctx *c = &m->ctx[r];
		if (!c->nextboot)
			continue;
		char *want = strchr(c->nextboot, '/')
		                     ? xstrdup(c->nextboot)
		                     : be_dataset(c, c->nextboot);
		if (menu_writable(m, c->pool) < 0) {
			free(want);
			return -1;
		}
		char *taken = be_take_nextboot(c);
		if (!taken && !m->z->dry_run) {
			free(want);
			return -1;
		}
		free(taken);
		long k = menu_find(m, want);
		if (k >= 0) {
			m->def = (size_t)k;
			m->def_is_once = true;
			m->once = want;
			return 0;
		}
		zeit_note(m->z, 0,
		          "next-boot-only request %s names no boot "
		          "environment; ignored",
		          want);
		free(want);
	}
	for (size_t i = 0; i < m->nenv; i++)
		if (m->env[i].info.active_reboot) {
			m->def = i;
			return 0;
		}
	return 0;
}

int menu_open(struct menu *m, struct zeit *z, const struct menu_opts *o)
{
	struct strv roots;

	memset(m, 0, sizeof(*m));
	m->z = z;
	m->o = *o;
	zfs_init(&m->zh, z, NULL);
	strv_init(&m->imported);
	if (o->import) {
		/* Pools that fail to import are reported; the others still
		 * boot. */
		unsigned fl = ZPOOL_IMPORT_READONLY |
		              (o->force_import ? ZPOOL_IMPORT_FORCE : 0);
		struct strv before, after;
		if (zpool_list(&m->zh, &before) < 0)
			return -1;
		if (zpool_import(&m->zh, NULL, fl) < 0) {
			zeit_note(z, 0, "importing pools: %s", zeit_error(z));
			zeit_clear_error(z);
		}
		if (zpool_list(&m->zh, &after) < 0) {
			strv_free(&before);
			return -1;
		}
		for (size_t i = 0; i < after.n; i++)
			if (!strv_contains(&before, after.v[i]))
				strv_push(&m->imported, after.v[i]);
		strv_free(&before);
		strv_free(&after);
	}
	if (o->roots) {
		strv_init(&roots);
		strv_pushv(&roots, o->roots);
	} else if (discover_roots(m, &roots) < 0) {
		return -1;
	}
	if (roots.n == 0) {
		strv_free(&roots);
		return zeit_fail(
		        z, ENOENT,
		        "no boot environments: no pool has a bootfs and "
		        "no filesystem mounts at /");
	}
	m->ctx = xcalloc(roots.n, sizeof(*m->ctx));
	for (size_t i = 0; i < roots.n; i++) {
		if (be_open(&m->ctx[m->nctx], &m->zh, roots.v[i]) < 0) {
			strv_free(&roots);
			return -1;
		}
		m->nctx++;
	}
	strv_free(&roots);
	if (menu_refresh(m) < 0)
		return -1;
	if (m->nenv == 0)
		return zeit_fail(z, ENOENT, "no boot environments under %s",
		                 m->ctx[0].root);
	return choose_default(m);
}

int menu_release(struct menu *m)
{
	int rc = 0;
	for (size_t i = 0; i < m->imported.n; i++)
		if (zpool_export(&m->zh, m->imported.v[i]) < 0)
			rc = -1;
	strv_free(&m->imported);
	strv_init(&m->imported);
	return rc;
}

void menu_close(struct menu *m)
{
	free_envs(m);
	strv_free(&m->imported);
	for (size_t i = 0; i < m->nctx; i++)
		be_close(&m->ctx[i]);
	free(m->ctx);
	free(m->once);
	menu_forget_keys(m);
	memset(m, 0, sizeof(*m));
}

bool menu_pool_writable(struct menu *m, const char *pool)
{
	const char *const props[] = {"readonly", NULL};
	struct zfs_prop_list pl;

	if (zpool_get_props(&m->zh, pool, props, &pl) < 0) {
		zeit_clear_error(m->z);
		return false;
	}
	bool rw = pl.n && !strcmp(pl.v[0].value, "off");
	zfs_prop_list_free(&pl);
	return rw;
}

int menu_writable(struct menu *m, const char *pool)
{
	if (m->z->dry_run || menu_pool_writable(m, pool))
		return 0;
	zeit_note(m->z, 1, "re-importing %s read-write", pool);
	if (zpool_export(&m->zh, pool) < 0)
		return zeit_fail_ctx(m->z, "making %s writable", pool);
	unsigned fl = m->o.force_import ? ZPOOL_IMPORT_FORCE : 0;
	if (zpool_import(&m->zh, pool, fl) < 0) {
		/* Leave it imported as it was rather than not at all. */
		zeit_keep_error(m->z);
		zpool_import(&m->zh, pool, fl | ZPOOL_IMPORT_READONLY);
		zeit_release_error(m->z);
		return zeit_fail_ctx(m->z, "cannot import %s read-write", pool);
	}
	return 0;
}

static const char *prop_value(const struct zfs_prop_list *pl, const char *ds,
                              const char *prop)
{
	const struct zfs_prop *p = zfs_prop_find(pl, ds, prop);
	return p && p->source != ZFS_SRC_NONE && strcmp(p->value, "-")
	               ? p->value
	               : NULL;
}

/* Mounts the environment for reading (tmpmount.h: read-only, nodev,
 * nosuid, noexec, gone with the menu), asking for its key first when it is
 * locked. */
static int mount_env(struct menu *m, const char *ds, struct tmpmount *t)
{
	if (tmpmount_open(&m->zh, ds, t) == 0)
		return 0;
	/* Only a failed mount pays for the key check; with no key to ask
	 * for, the mount's failure stands. */
	if (menu_unlock(m, ds) != MENU_UNLOCK_LOADED)
		return -1;
	return tmpmount_open(&m->zh, ds, t);
}

int menu_kernels(struct menu *m, size_t i)
{
	struct be_info *b = &m->env[i].info;
	struct tmpmount t;
	if (b->kernels_read)
		return 0;
	if (mount_env(m, b->dataset, &t) < 0)
		return -1;
	int rc = be_kernels_at(m->z, t.fd, &b->kernels);
	tmpmount_close(&t);
	if (rc == 0)
		b->kernels_read = true;
	return rc;
}

/* Reads rel inside the root (rootfile.h: an absolute symlink is followed
 * inside it, not in the menu's own filesystem), at most 64 KiB. NULL when
 * missing or unreadable: these files only refine the command line. */
static char *read_in_root(struct menu *m, int root, const char *rel)
{
	struct buf b;
	buf_init(&b);
	if (rootfile_read(m->z, root, rel, 65536, &b) < 0) {
		zeit_note(m->z, 1, "%s", zeit_error(m->z));
		zeit_clear_error(m->z);
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* org.zfsbootmenu:* on the environment and every ancestor, one call. */
static int read_boot_props(struct menu *m, const char *ds,
                           struct zfs_prop_list *pl, struct strv *chain)
{
	const char *const props[] = {BOOT_KCL_PROP, BOOT_PREFIX_PROP,
	                             BOOT_KERNEL_PROP, NULL};
	strv_init(chain);
	strv_push(chain, ds);
	for (char *p = parent_of(ds); p;
	     p = parent_of(chain->v[chain->n - 1])) {
		strv_push(chain, p);
		free(p);
	}
	return zfs_get_props(&m->zh, (const char *const *)chain->v, 0, props,
	                     pl);
}

static char *env_args(struct menu *m, const struct zfs_prop_list *pl,
                      const struct strv *chain, int root)
{
	struct kcl_level *lv = xcalloc(chain->n, sizeof(*lv));
	for (size_t i = 0; i < chain->n; i++) {
		const struct zfs_prop *p =
		        zfs_prop_find(pl, chain->v[i], BOOT_KCL_PROP);
		lv[i].value = prop_value(pl, chain->v[i], BOOT_KCL_PROP);
		lv[i].inherited = p && p->source == ZFS_SRC_INHERITED;
	}
	char *args = boot_kcl_expand(lv, chain->n);
	free(lv);
	if (args && *args)
		return args;
	free(args);
	char *text = read_in_root(m, root, "etc/default/zfsbootmenu");
	args = boot_first_line(text);
	free(text);
	if (args)
		return args;
	text = read_in_root(m, root, "etc/default/grub");
	args = text ? boot_grub_default(text) : NULL;
	free(text);
	return args ? args : xstrdup(BOOT_DEFAULT_ARGS);
}

/* Opens the kernel and initramfs inside the environment (rootfile.h) and
 * hands their fds to kexec_file_load: regular files of its own, however
 * /boot's names point. No size cap: the kernel reads and checks them. */
static int load_kernel(struct menu *m, int root, struct menu_boot *b)
{
	char *kp = xasprintf("boot/%s", b->kernel);
	char *ip = b->initrd ? xasprintf("boot/%s", b->initrd) : NULL;
	int kfd = -1, ifd = -1, rc = -1;

	kfd = rootfile_open(m->z, root, kp, NULL);
	if (kfd >= 0 && ip)
		ifd = rootfile_open(m->z, root, ip, NULL);
	if (kfd >= 0 && (!ip || ifd >= 0)) {
		/* The key typed here goes with the initramfs, in memory. */
		struct initrd_key k = {.fd = -1};
		int with = ifd >= 0 ? menu_key_initrd(m, b, ifd, &k) : 0;
		if (with >= 0)
			rc = kexec_load(m->z, kfd, with ? k.fd : ifd,
			                b->cmdline);
		initrd_key_wipe(&k);
	}
	if (rc < 0)
		zeit_fail_ctx(m->z, "%s", b->dataset);
	if (kfd >= 0)
		close(kfd);
	if (ifd >= 0)
		close(ifd);
	free(kp);
	free(ip);
	return rc;
}

int menu_boot_plan(struct menu *m, size_t i, const char *kernel,
                   const char *args, bool load, struct menu_boot *b)
{
	struct be_info *e = &m->env[i].info;
	struct zfs_prop_list pl = {0};
	struct strv chain;
	struct be_kernel_list kl = {0};
	int rc = -1;

	struct tmpmount t;

	memset(b, 0, sizeof(*b));
	b->dataset = xstrdup(e->dataset);
	if (mount_env(m, e->dataset, &t) < 0)
		return -1;
	strv_init(&chain);
	if (read_boot_props(m, e->dataset, &pl, &chain) < 0)
		goto out;
	rc = be_kernels_at(m->z, t.fd, &kl);
	if (rc < 0)
		goto out;
	rc = -1;
	if (kl.n == 0) {
		zeit_fail(m->z, ENOENT, "%s has no kernel in /boot",
		          e->dataset);
		goto out;
	}
	long k = -1;
	if (kernel) {
		for (size_t j = 0; j < kl.n; j++)
			if (!strcmp(kl.v[j].kernel, kernel))
				k = (long)j;
		if (k < 0) {
			zeit_fail(m->z, ENOENT, "%s has no kernel /boot/%s",
			          e->dataset, kernel);
			goto out;
		}
	} else {
		const char **names = xcalloc(kl.n, sizeof(*names));
		for (size_t j = 0; j < kl.n; j++)
			names[j] = kl.v[j].kernel;
		k = boot_pick_kernel(
		        names, kl.n,
		        prop_value(&pl, e->dataset, BOOT_KERNEL_PROP));
		free(names);
	}
	b->kernel = xstrdup(kl.v[k].kernel);
	b->initrd = kl.v[k].initrd ? xstrdup(kl.v[k].initrd) : NULL;
	b->args = args ? xstrdup(args) : env_args(m, &pl, &chain, t.fd);

	char *usr = read_in_root(m, t.fd, "usr/lib/os-release");
	char *etc = read_in_root(m, t.fd, "etc/os-release");
	const char *prefix = boot_root_prefix(
	        prop_value(&pl, e->dataset, BOOT_PREFIX_PROP), usr, etc);
	b->cmdline = boot_cmdline(prefix, e->dataset, b->args);
	free(usr);
	free(etc);
	if (!b->cmdline) {
		zeit_fail(m->z, EINVAL,
		          "%s cannot be booted: its name holds a space or "
		          "control character, which the kernel command line "
		          "would split into more arguments; rename it",
		          e->dataset);
		goto out;
	}
	rc = 0;
	if (load && !m->z->dry_run)
		rc = load_kernel(m, t.fd, b);
out:
	be_kernel_list_free(&kl);
	zfs_prop_list_free(&pl);
	strv_free(&chain);
	tmpmount_close(&t);
	return rc;
}

void menu_boot_free(struct menu_boot *b)
{
	free(b->dataset);
	free(b->kernel);
	free(b->initrd);
	free(b->args);
	free(b->cmdline);
	free(b->key_root);
	memset(b, 0, sizeof(*b));
}

int menu_boot_exec(struct menu *m)
{
	struct strv pools;

	if (m->z->dry_run)
		return 0;
	/* The booted system imports its pools itself; leave them exported
	 * and clean, as a shutdown would. */
	if (zpool_list(&m->zh, &pools) < 0)
		return -1;
	for (size_t i = 0; i < pools.n; i++)
		if (zpool_export(&m->zh, pools.v[i]) < 0) {
			strv_free(&pools);
			kexec_unload(m->z);
			return -1;
		}
	strv_free(&pools);
	kexec_exec(m->z);
	/* Still here: bring the pools back so the menu can go on. */
	zeit_keep_error(m->z);
	zpool_import(&m->zh, NULL,
	             ZPOOL_IMPORT_READONLY |
	                     (m->o.force_import ? ZPOOL_IMPORT_FORCE : 0));
	zeit_release_error(m->z);
	return -1;
}

int menu_set_kernel(struct menu *m, size_t i, const char *kernel)
{
	struct menu_env *e = &m->env[i];

	if (menu_writable(m, e->ctx->pool) < 0)
		return -1;
	char *a = xasprintf("%s=%s", BOOT_KERNEL_PROP, kernel);
	const char *const props[] = {a, NULL};
	int rc = m->z->dry_run ? 0
	                       : zfs_set_props(&m->zh, e->info.dataset, props);
	free(a);
	return rc;
}
