/* kexec_file_load(2) and reboot(LINUX_REBOOT_CMD_KEXEC). The kernel
 * verifies and places the image itself, which is all kexec-tools' -s mode
 * does too. */
#include <errno.h>
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kexec_priv.h"

static const char *why(int err)
{
	switch (err) {
	case ENOSYS:
		return "this kernel has no kexec_file_load (CONFIG_KEXEC_FILE)";
	case EPERM:
		return "not permitted (root needed; kexec may be disabled by "
		       "kernel lockdown or kernel.kexec_load_disabled)";
	case ENOEXEC: return "not a kernel image this kernel can load";
	case EKEYREJECTED:
	case EBADMSG:
		return "the image's signature was rejected (Secure Boot "
		       "needs a signed kernel)";
	case ENOMEM: return "not enough memory to stage the kernel";
	default: return strerror(err);
	}
}

int kexec_load(struct zeit *z, int kernel_fd, int initrd_fd,
               const char *cmdline)
{
	unsigned long flags = initrd_fd < 0 ? KEXEC_FILE_NO_INITRAMFS : 0;
	long rc = syscall(SYS_kexec_file_load, kernel_fd, initrd_fd,
	                  strlen(cmdline) + 1, cmdline, flags);
	if (rc != 0)
		return zeit_fail(z, errno, "kexec_file_load failed: %s",
		                 why(errno));
	return 0;
}

int kexec_unload(struct zeit *z)
{
	if (syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL,
	            (unsigned long)KEXEC_FILE_UNLOAD) != 0)
		return zeit_fail(z, errno, "kexec unload: %s", why(errno));
	return 0;
}

int kexec_exec(struct zeit *z)
{
	sync();
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
	        LINUX_REBOOT_CMD_KEXEC, NULL);
	return zeit_fail(z, errno, "kexec into the loaded kernel failed: %s",
	                 why(errno));
}
