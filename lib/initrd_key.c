/* The key's cpio archive and the memfd image (initrd_key.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zeit/initrd_key.h"

/* Sourced in a subshell by Debian's zfs script, with ENCRYPTIONROOT set,
 * before it would prompt: loads the key when it is this root's, then
 * overwrites it in place (1<> does not truncate, so the same pages are
 * written) and removes it, whether the load worked or not. */
static const char hook[] =
        "# zeit-menu: the passphrase typed at the boot menu, for one\n"
        "# encryption root; in this initramfs' memory only, erased once "
        "used.\n"
        "zeit_dir=${zeit_dir:-/" INITRD_KEY_DIR "}\n"
        "if [ -r \"$zeit_dir/key\" ] &&\n"
        "\tread -r zeit_root <\"$zeit_dir/encryptionroot\" &&\n"
        "\t[ \"$zeit_root\" = \"$ENCRYPTIONROOT\" ]; then\n"
        "\t\"${ZFS:-zfs}\" load-key -L prompt \"$ENCRYPTIONROOT\" "
        "<\"$zeit_dir/key\"\n"
        "\tzeit_rc=$?\n"
        "\tprintf '%01024d' 0 1<>\"$zeit_dir/key\"\n"
        "\trm -f \"$zeit_dir/key\" \"$zeit_dir/encryptionroot\"\n"
        "\t[ \"$zeit_rc\" -eq 0 ] &&\n"
        "\t\techo \"zeit-menu: the key of $ENCRYPTIONROOT came from the "
        "boot menu\"\n"
        "\t[ \"$zeit_rc\" -eq 0 ]\n"
        "fi\n";

struct out {
	char *p;
	size_t len, cap;
	unsigned ino;
	int full;
};

static void put(struct out *o, const void *data, size_t n)
{
	if (!n)
		return;
	if (o->full || n > o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, data, n);
	o->len += n;
}

static void pad(struct out *o, size_t to)
{
	static const char zero[512];
	put(o, zero, (to - o->len % to) % to);
}

static void entry(struct out *o, const char *name, unsigned mode,
                  const char *data, size_t n)
{
	char h[111];
	size_t nl = strlen(name) + 1;
	snprintf(h, sizeof(h),
	         "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
	         ++o->ino, mode, 0u, 0u, (mode & 0040000) ? 2u : 1u, 0u,
	         (unsigned)n, 0u, 0u, 0u, 0u, (unsigned)nl, 0u);
	put(o, h, 110);
	put(o, name, nl);
	pad(o, 4);
	put(o, data, n);
	pad(o, 4);
}

size_t initrd_key_archive(char *dst, size_t cap, const char *encroot,
                          const struct secret *key)
{
	struct out o = {.p = dst, .cap = cap};
	if (!*encroot || strchr(encroot, '\n') || key->len > SECRET_MAX)
		return 0;
	/* The hook's directories, parents first. */
	for (const char *sl = strchr(INITRD_KEY_HOOK, '/'); sl;
	     sl = strchr(sl + 1, '/')) {
		char d[128];
		snprintf(d, sizeof(d), "%.*s", (int)(sl - INITRD_KEY_HOOK),
		         INITRD_KEY_HOOK);
		entry(&o, d, 0040755, NULL, 0);
	}
	entry(&o, INITRD_KEY_HOOK, 0100644, hook, sizeof(hook) - 1);
	entry(&o, INITRD_KEY_DIR, 0040700, NULL, 0);
	/* The name and the key each end in a newline, as read and zfs's
	 * line read of a passphrase want them. */
	char root[1024];
	int rn = snprintf(root, sizeof(root), "%s\n", encroot);
	if (rn < 0 || (size_t)rn >= sizeof(root))
		return 0;
	entry(&o, INITRD_KEY_DIR "/encryptionroot", 0100600, root, (size_t)rn);
	/* The key's bytes go straight from the locked page to dst; the
	 * newline is written after them. */
	key->p[key->len] = '\n';
	entry(&o, INITRD_KEY_DIR "/key", 0100600, key->p, key->len + 1);
	key->p[key->len] = '\0';
	entry(&o, "TRAILER!!!", 0, NULL, 0);
	pad(&o, 512);
	if (o.full) {
		explicit_bzero(dst, cap);
		return 0;
	}
	return o.len;
}

/* Copies the environment's initramfs after the archive. */
static int append_fd(int to, int from)
{
	char b[65536];
	for (;;) {
		ssize_t n = read(from, b, sizeof(b));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(to, b + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -1;
			off += w;
		}
	}
}

/* The archive is built in locked memory, then written to the memfd. */
#define ARCHIVE_CAP 8192

int initrd_key_build(struct initrd_key *k, int initrd_fd, const char *encroot,
                     const struct secret *key)
{
	k->fd = -1;
	k->prefix_len = 0;
	char *a = mmap(NULL, ARCHIVE_CAP, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED || !a)
		return -1;
	int e = 0;
	if (mlock(a, ARCHIVE_CAP) < 0)
		e = errno;
	size_t n = e ? 0 : initrd_key_archive(a, ARCHIVE_CAP, encroot, key);
	if (!e && !n)
		e = EINVAL;
	int fd = e ? -1 : memfd_create("zeit-menu-initrd", MFD_CLOEXEC);
	if (!e && fd < 0)
		e = errno;
	if (!e && (write(fd, a, n) != (ssize_t)n || append_fd(fd, initrd_fd)))
		e = errno ? errno : EIO;
	explicit_bzero(a, ARCHIVE_CAP);
	munlock(a, ARCHIVE_CAP);
	munmap(a, ARCHIVE_CAP);
	if (e) {
		if (fd >= 0) {
			k->fd = fd;
			k->prefix_len = n;
			initrd_key_wipe(k);
		}
		errno = e;
		return -1;
	}
	k->fd = fd;
	k->prefix_len = n;
	return 0;
}

void initrd_key_wipe(struct initrd_key *k)
{
	static const char zero[512];
	if (k->fd < 0)
		return;
	for (size_t off = 0; off < k->prefix_len; off += sizeof(zero))
		if (pwrite(k->fd, zero, sizeof(zero), (off_t)off) < 0)
			break;
	close(k->fd);
	k->fd = -1;
	k->prefix_len = 0;
}
