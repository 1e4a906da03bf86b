#!/bin/bash
# dracut module: adds zeit-menu (and zeit, for its diff screen) and runs it
# before the root is mounted when the kernel command line has zeit.menu.
# Install the directory as /usr/lib/dracut/modules.d/90zeit-menu.

check() {
	require_binaries zeit-menu zeit || return 1
	# Only when asked for (dracut -a zeit-menu, or add_dracutmodules+=).
	return 255
}

depends() {
	# zfs-dracut's module: the zfs tools, the zfs kernel module, its udev
	# rules.
	echo zfs
}

install() {
	local b t
	# Always at /usr/sbin inside the image, wherever dracut found them
	# (DRACUT_PATH may name a build directory): the hook runs them from
	# the image's PATH.
	for b in zeit-menu zeit; do
		inst_binary "$(find_binary "$b")" "/usr/sbin/$b" ||
			{ dfatal "zeit-menu: cannot install $b"; return 1; }
	done
	for t in l/linux v/vt100 v/vt102 v/vt220 x/xterm x/xterm-256color s/screen d/dumb; do
		inst_multiple -o "/lib/terminfo/$t" "/usr/share/terminfo/$t"
	done
	# pre-mount 05: after the udev settle, before zfs imports the root pool.
	inst_hook pre-mount 05 "$moddir/zeit-menu.sh"
}
