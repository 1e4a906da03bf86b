#!/bin/sh
# dracut pre-mount hook: the boot menu, when the kernel command line has
# zeit.menu. It boots the chosen environment with kexec; if it ends without
# booting, it exports the pools it imported and dracut's zfs module goes on.
type getargbool >/dev/null 2>&1 || . /lib/dracut-lib.sh
getargbool 0 zeit.menu || return 0 2>/dev/null || exit 0
zeit-menu --cmdline --zeit "$(command -v zeit)" </dev/console >/dev/console 2>&1
