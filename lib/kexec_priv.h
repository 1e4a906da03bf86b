/* Loading and starting a kernel with kexec_file_load(2): no kexec-tools
 * needed in the initramfs. */
#ifndef ZEIT_KEXEC_PRIV_H
#define ZEIT_KEXEC_PRIV_H

#include "zeit/zeit.h"

/* Loads the kernel and initrd (-1: none) open at these fds (the caller
 * opened them inside the environment: rootfile.h) with cmdline for the
 * next kexec. The files are read at once, so they may be unmounted
 * afterwards. */
int kexec_load(struct zeit *z, int kernel_fd, int initrd_fd,
               const char *cmdline);
/* Discards a loaded kernel. */
int kexec_unload(struct zeit *z);
/* Syncs and jumps into the loaded kernel; returns only on failure. */
int kexec_exec(struct zeit *z);

#endif
