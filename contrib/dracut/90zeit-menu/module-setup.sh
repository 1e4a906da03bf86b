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
	echo zfs
}

install() {
	inst_multiple zeit-menu zeit
	local t
	for t in l/linux v/vt100 v/vt102 v/vt220 x/xterm x/xterm-256color s/screen d/dumb; do
		inst_multiple -o "/lib/terminfo/$t" "/usr/share/terminfo/$t"
	done
	# pre-mount 05: after the udev settle, before zfs imports the root pool.
	inst_hook pre-mount 05 "$moddir/zeit-menu.sh"
}
