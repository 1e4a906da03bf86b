/* Handing a passphrase the boot menu was given to the booted system's
 * initramfs, in memory only. kexec_file_load takes one initramfs; the
 * kernel unpacks concatenated cpio archives in turn, so the menu puts a
 * small uncompressed archive in front of the environment's own (as early
 * microcode is put): it carries the key and an initramfs-tools load-key
 * hook (/etc/zfs/initramfs-tools-load-key.d/, which Debian's zfs script
 * sources before it would prompt) that loads the key and erases it. The
 * whole image lives in a memfd; nothing is written to any disk. */
#ifndef ZEIT_INITRD_KEY_H
#define ZEIT_INITRD_KEY_H

#include <stddef.h>

#include "zeit/secret.h"

/* Where the key and its encryption root's name sit in the initramfs. */
#define INITRD_KEY_DIR  "etc/zeit-menu"
#define INITRD_KEY_HOOK "etc/zfs/initramfs-tools-load-key.d/zeit-menu"

/* Writes the key's archive (newc cpio, padded to 512 bytes) into dst;
 * returns its length, or 0 when it does not fit in cap or encroot is
 * empty or holds a newline. */
size_t initrd_key_archive(char *dst, size_t cap, const char *encroot,
                          const struct secret *key);

struct initrd_key {
	int fd;            /* the memfd: key archive, then the initramfs */
	size_t prefix_len; /* bytes of the key archive */
};

/* Builds the image from the environment's initramfs open at initrd_fd.
 * Returns 0, or -1 with errno (nothing left open). */
int initrd_key_build(struct initrd_key *k, int initrd_fd, const char *encroot,
                     const struct secret *key);
/* Overwrites the key archive with zeros and closes the memfd: call it
 * once kexec_file_load has taken its copy. */
void initrd_key_wipe(struct initrd_key *k);

#endif
