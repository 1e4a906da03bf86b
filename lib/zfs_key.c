/* Loading an encryption root's key from a passphrase the caller holds
 * (the boot menu read it itself): fed to zfs on a pipe, never a file. */
#include "zfs_priv.h"

#include <string.h>

#include "zeit/run.h"
#include "zeit/secret.h"

int zfs_load_key_with(struct zfs *zh, const char *dataset,
                      const struct secret *key)
{
	struct strv a;
	struct run_cmd c;

	if (zfs_check_name(zh, dataset, ZFS_NAME_DATASET) < 0)
		return -1;
	strv_init(&a);
	strv_push(&a, "zfs");
	strv_push(&a, "load-key");
	/* Whatever keylocation says: the passphrase comes on stdin, which
	 * zfs reads as one line when it is not a terminal. */
	strv_push(&a, "-L");
	strv_push(&a, "prompt");
	strv_push(&a, dataset);
	key->p[key->len] = '\n';
	key->p[key->len + 1] = '\0';
	int rc = zfs_run_any(zh, &a, key->p, &c);
	key->p[key->len] = '\0';
	if (rc == 0) {
		/* c.argv is a's: the message needs it. */
		if (c.status != 0) {
			zfs_fail_cmd(zh, &c);
			rc = -1;
		}
		run_cmd_free(&c);
	}
	strv_free(&a);
	return rc;
}
