/* Encrypted environments in the boot menu: which encryption root is
 * locked, loading its key, keeping the passphrase (locked memory) and
 * handing it to the booted environment's initramfs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "menu_priv.h"

/* The encryption root of ds ("-" and failures: NULL); *locked when its
 * key is not loaded. */
static char *encryption_root(struct menu *m, const char *ds, bool *locked)
{
	const char *const props[] = {"encryptionroot", "keystatus", NULL};
	const char *const dss[] = {ds, NULL};
	struct zfs_prop_list pl;
	char *root = NULL;

	*locked = false;
	/* Not knowing is not locked; a failure already recorded (the
	 * mount's, say) stands. */
	zeit_keep_error(m->z);
	int rc = zfs_get_props(&m->zh, dss, 0, props, &pl);
	zeit_clear_error(m->z);
	zeit_release_error(m->z);
	if (rc < 0)
		return NULL;
	/* Native read-only properties have no source ("-"): read the
	 * values directly. */
	const struct zfs_prop *er = zfs_prop_find(&pl, ds, "encryptionroot");
	const struct zfs_prop *ks = zfs_prop_find(&pl, ds, "keystatus");
	if (er && strcmp(er->value, "-") && *er->value) {
		root = xstrdup(er->value);
		*locked = ks && !strcmp(ks->value, "unavailable");
	}
	zfs_prop_list_free(&pl);
	return root;
}

enum menu_unlock_result menu_unlock(struct menu *m, const char *ds)
{
	bool locked;
	char *root = encryption_root(m, ds, &locked);
	if (!root || !locked) {
		free(root);
		return MENU_UNLOCK_NOT_NEEDED;
	}
	int rc = m->ask_key ? m->ask_key(m->ask_key_arg, m, root)
	                    : zfs_load_key(&m->zh, root);
	free(root);
	return rc < 0 ? MENU_UNLOCK_FAILED : MENU_UNLOCK_LOADED;
}

static struct menu_kept_key *find_key(struct menu *m, const char *root)
{
	for (size_t i = 0; i < m->nkeys; i++)
		if (!strcmp(m->keys[i].root, root))
			return &m->keys[i];
	return NULL;
}

int menu_load_key(struct menu *m, const char *root, const struct secret *pass)
{
	if (zfs_load_key_with(&m->zh, root, pass) < 0)
		return -1;
	struct menu_kept_key *k = find_key(m, root);
	if (!k) {
		m->keys = xrealloc(m->keys, (m->nkeys + 1) * sizeof(*m->keys));
		k = &m->keys[m->nkeys];
		memset(k, 0, sizeof(*k));
		/* Without locked memory the key is loaded but not kept: the
		 * environment's initramfs asks for it again. */
		if (secret_init(&k->pass) < 0) {
			zeit_note(m->z, 1,
			          "cannot lock memory for the key of %s (%s); "
			          "the booted system will ask for it again",
			          root, strerror(errno));
			return 0;
		}
		k->root = xstrdup(root);
		m->nkeys++;
	}
	secret_set(&k->pass, pass->p, pass->len);
	return 0;
}

int menu_key_initrd(struct menu *m, struct menu_boot *b, int initrd_fd,
                    struct initrd_key *k)
{
	if (!m->nkeys)
		return 0;
	bool locked;
	char *root = encryption_root(m, b->dataset, &locked);
	struct menu_kept_key *mk = root ? find_key(m, root) : NULL;
	int rc = 0;
	if (mk) {
		rc = initrd_key_build(k, initrd_fd, root, &mk->pass);
		if (rc < 0)
			rc = zeit_fail(m->z, errno,
			               "cannot put the key of %s into the "
			               "initramfs in memory: %s",
			               root, strerror(errno));
		else
			rc = 1;
	}
	if (rc == 1)
		b->key_root = root;
	else
		free(root);
	return rc;
}

void menu_forget_keys(struct menu *m)
{
	for (size_t i = 0; i < m->nkeys; i++) {
		secret_free(&m->keys[i].pass);
		free(m->keys[i].root);
	}
	free(m->keys);
	m->keys = NULL;
	m->nkeys = 0;
}
