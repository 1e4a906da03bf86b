# zeit-menu's model and screens against real pools, without booting: -n
# and failed loads stop short of kexec, key scripts drive the screens.
# The boots themselves are tested in qemu by tests/menu/run.

R=tank/ROOT
MENU=$PWD/$BUILD/zeit-menu

# A root in miniature: kernels that are not kernels (nothing here boots),
# an os-release, optionally a grub default.
menu_root() { # DATASET KERNEL-VERSION OS-ID
	local m=/tmp/mroot
	mkdir -p $m
	mount -t zfs -o zfsutil "$1" $m
	mkdir -p $m/boot $m/etc $m/usr/lib
	echo "kernel $2" >$m/boot/vmlinuz-"$2"
	echo "initramfs $2" >$m/boot/initrd.img-"$2"
	printf 'NAME="%s"\nID=%s\n' "$3" "$3" >$m/usr/lib/os-release
	# Absolute, as distributions ship it: read inside the root.
	ln -s /usr/lib/os-release $m/etc/os-release
	umount $m
}

menu_roots() {
	zfs create -o mountpoint=none -o org.zfsbootmenu:commandline="ro console=ttyS0" $R
	zfs create -o mountpoint=/ -o canmount=noauto \
		-o org.zfsbootmenu:commandline="%{parent} quiet" $R/void
	menu_root $R/void 6.6.8_1 void
	zfs create -o mountpoint=/ -o canmount=noauto $R/gentoo
	menu_root $R/gentoo 6.6.21-gentoo gentoo
	m=/tmp/mroot
	mount -t zfs -o zfsutil $R/gentoo $m
	echo "kernel old" >$m/boot/vmlinuz-6.1.0-gentoo
	umount $m
	zfs snapshot $R/void@base $R/gentoo@base
	zpool set bootfs=$R/void tank
}

test_menu_default_kernel_and_cmdline() {
	menu_roots
	# Found from the pool's bootfs; the default is bootfs.
	ok "$MENU" -n --auto --no-import
	has "$OUT" "booting vmlinuz-6.6.8_1 from $R/void"
	# %{parent} expands to the parent's own line.
	has "$OUT" "command line: root=zfs:$R/void ro console=ttyS0 quiet"

	# gentoo inherits the parent's line verbatim and gets its prefix
	# from os-release; org.zfsbootmenu:kernel picks the older kernel.
	zfs set org.zfsbootmenu:kernel='6\.1\.0' $R/gentoo
	ok "$ZEIT" be activate gentoo
	ok "$MENU" -n --auto --no-import --root $R
	has "$OUT" "booting vmlinuz-6.1.0-gentoo from $R/gentoo"
	has "$OUT" "command line: root=ZFS=$R/gentoo ro console=ttyS0"
	# org.zfsbootmenu:rootprefix wins over os-release.
	zfs set org.zfsbootmenu:rootprefix=zfs= $R/gentoo
	ok "$MENU" -n --auto --no-import
	has "$OUT" "command line: zfs=$R/gentoo ro console=ttyS0"
	# No property anywhere: /etc/default/grub, then zfsbootmenu's default.
	zfs inherit org.zfsbootmenu:commandline $R
	ok "$MENU" -n --auto --no-import
	has "$OUT" "command line: zfs=$R/gentoo quiet loglevel=4"
	mount -t zfs -o zfsutil $R/gentoo /tmp/mroot
	mkdir -p /tmp/mroot/etc/default
	echo 'GRUB_CMDLINE_LINUX_DEFAULT="splash mitigations=off"' >/tmp/mroot/etc/default/grub
	umount /tmp/mroot
	ok "$MENU" -n --auto --no-import
	has "$OUT" "command line: zfs=$R/gentoo splash mitigations=off"
	# Nothing was left mounted.
	hasnt "$(cat /proc/mounts)" "$R/"

	# org.zfsbootmenu:active=off hides an environment, as zfsbootmenu
	# does: the last one in the list is then gentoo, not void.
	printf 'end enter\n' >/tmp/keys
	ok "$MENU" -n --no-import --keys /tmp/keys
	has "$OUT" "from $R/void"
	zfs set org.zfsbootmenu:active=off $R/void
	ok "$MENU" -n --no-import --keys /tmp/keys
	has "$OUT" "from $R/gentoo"
	# Chosen for the next boot, a hidden environment is shown and boots.
	ok "$ZEIT" be activate --once void
	ok "$MENU" -n --auto --no-import
	has "$OUT" "from $R/void"
}

test_menu_once_is_taken_and_load_errors_are_clear() {
	menu_roots
	ok "$ZEIT" be activate --once gentoo
	eq "$R/gentoo" "$(nextboot_of $R)"
	# A dry run shows the choice and leaves the request in place.
	ok "$MENU" -n --auto --no-import
	has "$OUT" "from $R/gentoo"
	eq "$R/gentoo" "$(nextboot_of $R)"
	# A real run takes it (once means once), then kexec_file_load refuses
	# the fake kernel with a message that says so; the pool stays
	# imported and nothing is left mounted.
	fails "not a kernel image" "$MENU" --auto --no-import
	hasnt "$OUT" "booting"
	eq "" "$(nextboot_of $R)"
	zpool list tank >/dev/null || fail "tank was exported after a failed boot"
	hasnt "$(cat /proc/mounts)" "$R/"
	ok "$MENU" -n --auto --no-import
	has "$OUT" "from $R/void"
}

test_menu_imports_read_only_and_writes_read_write() {
	menu_roots
	zpool export tank
	export ZPOOL_IMPORT_PATH=/tmp/zvm
	# The menu imports the pool itself, read-only.
	ok "$MENU" -n --auto
	has "$OUT" "importing pools read-only"
	has "$OUT" "from $R/void"
	eq on "$(zpool get -H -o value readonly tank)"
	# A write from the screens (set bootfs on gentoo) re-imports it
	# read-write; the key script ends without a boot.
	printf 'k d\n' >/tmp/keys
	fails "key script ended" "$MENU" --no-import --keys /tmp/keys
	eq off "$(zpool get -H -o value readonly tank)"
	eq "$R/gentoo" "$(zpool get -H -o value bootfs tank)"
}

test_menu_keys_snapshot_clone_rollback() {
	menu_roots
	# Environments sort by name: gentoo, void; the cursor starts on the
	# default (void). Clone void@base under the offered name.
	printf 's c enter\n' >/tmp/keys
	fails "key script ended" "$MENU" --no-import --keys /tmp/keys
	eq "$R/void@base" "$(zfs get -H -o value origin $R/void_base)"
	eq noauto "$(zfs get -H -o value canmount $R/void_base)"
	# Clone and promote under a typed name (the offer erased first).
	{ printf 's p'; printf ' backspace%.0s' $(seq 40); printf ' "mybe" enter\n'; } >/tmp/keys
	fails "key script ended" "$MENU" --no-import --keys /tmp/keys
	eq - "$(zfs get -H -o value origin $R/mybe)"
	eq "$R/mybe@base" "$(zfs get -H -o value origin $R/void)"
	# A new snapshot of gentoo under the offered name.
	printf 'home s n enter\n' >/tmp/keys
	fails "key script ended" "$MENU" --no-import --keys /tmp/keys
	new=$(zfs list -H -o name -t snapshot -r $R/gentoo | grep "@menu_") || fail "no menu_ snapshot"
	# Rollback asks first: anything but y keeps everything.
	mount -t zfs -o zfsutil $R/gentoo /tmp/mroot
	echo changed >/tmp/mroot/etc/marker
	umount /tmp/mroot
	printf 'home s j r n\n' >/tmp/keys # newest first: menu_..., base
	fails "key script ended" "$MENU" --no-import --keys /tmp/keys
	exists "$new" || fail "a declined rollback destroyed $new"
	printf 'home s j r y\n' >/tmp/keys
	fails "key script ended" "$MENU" --no-import --keys /tmp/keys
	exists "$new" && fail "rollback -r kept the newer $new"
	mount -t zfs -o zfsutil,ro $R/gentoo /tmp/mroot
	[ ! -e /tmp/mroot/etc/marker ] || { umount /tmp/mroot; fail "rollback kept the change"; }
	umount /tmp/mroot
	# What changed since a snapshot: zeit diff, in the pager (printed
	# when there is no terminal).
	mount -t zfs -o zfsutil $R/gentoo /tmp/mroot
	echo new >/tmp/mroot/etc/added
	umount /tmp/mroot
	printf 'home s D q\n' >/tmp/keys
	fails "key script ended" "$MENU" --no-import --zeit "$ZEIT" --keys /tmp/keys
	has "$OUT" "Changes since $R/gentoo@base"
	has "$OUT" "/etc/added"
	# The kernels screen sets the default kernel of gentoo (the older one).
	printf 'home K j d esc\n' >/tmp/keys
	fails "key script ended" "$MENU" --no-import --keys /tmp/keys
	eq vmlinuz-6.1.0-gentoo "$(zfs get -H -o value org.zfsbootmenu:kernel $R/gentoo)"
	# Bad scripts and options get one clear error.
	printf 'down sideways\n' >/tmp/keys
	fails "unknown key 'sideways'" "$MENU" --no-import --keys /tmp/keys
	fails "--timeout takes whole seconds" "$MENU" --timeout soon
}

test_menu_encrypted_environment_asks_for_its_key() {
	zfs create -o mountpoint=none $R
	# The fewest PBKDF2 rounds zfs allows: five tries here, under TCG.
	echo "correct horse" | zfs create -o encryption=on -o keyformat=passphrase -o pbkdf2iters=100000 \
		-o keylocation=prompt -o mountpoint=/ -o canmount=noauto $R/secret
	menu_root $R/secret 6.6.8_1 debian
	zpool set bootfs=$R/secret tank
	zfs unload-key $R/secret
	eq unavailable "$(zfs get -H -o value keystatus $R/secret)"
	# The menu lists it locked; booting asks for the passphrase, read by
	# the menu from the terminal (here, standard input, a line a try).
	fails "$R/secret stays locked: no passphrase was given" \
		sh -c "echo 'wrong one' | '$MENU' -n --auto --no-import"
	has "$OUT" "the passphrase did not unlock $R/secret"
	hasnt "$(cat /proc/mounts)" "$R/"
	# Three wrong ones and it gives up, whatever follows; one longer
	# than zfs takes counts as a try.
	long=$(head -c 600 /dev/zero | tr '\0' x)
	fails "$R/secret stays locked after 3 wrong passphrases" \
		sh -c "printf 'one\n%s\nthree\ncorrect horse\n' $long | '$MENU' -n --auto --no-import"
	has "$OUT" "longer than the 512 bytes zfs takes"
	has "$OUT" "Passphrase for $R/secret (try 3 of 3)"
	hasnt "$OUT" "try 4"
	eq unavailable "$(zfs get -H -o value keystatus $R/secret)"
	# A wrong one, then the right one.
	ok sh -c "printf 'wrong\ncorrect horse\n' | '$MENU' -n --auto --no-import"
	has "$OUT" "Passphrase for $R/secret (try 2 of 3)"
	has "$OUT" "booting vmlinuz-6.6.8_1 from $R/secret"
	has "$OUT" "command line: root=zfs:$R/secret quiet loglevel=4"
	eq available "$(zfs get -H -o value keystatus $R/secret)"
}

# c: a shell chrooted into the environment (read-write when the pool is),
# with /proc, /sys and /dev bound and all unmounted after; r: the
# recovery shell. Both read their commands from standard input here.
test_menu_chroot_and_recovery_shell() {
	menu_roots
	m=/tmp/mroot
	mount -t zfs -o zfsutil $R/void $m
	mkdir -p $m/bin
	cp /bin/busybox $m/bin/busybox
	ln -s busybox $m/bin/sh
	umount $m
	printf 'c\n' >/tmp/keys
	fails "key script ended" sh -c "echo 'test -d /proc/self && echo inside >/proof; exit' | SHELL=/nonexistent '$MENU' --no-import --keys /tmp/keys"
	hasnt "$(cat /proc/mounts)" "zeit-chroot"
	mount -t zfs -o zfsutil $R/void $m
	eq inside "$(cat $m/proof)" "written from the chroot"
	umount $m
	rm -f /tmp/recovery-ran
	printf 'r\n' >/tmp/keys
	fails "key script ended" sh -c "echo 'touch /tmp/recovery-ran; exit' | '$MENU' --no-import --shell /bin/sh --keys /tmp/keys"
	[ -f /tmp/recovery-ran ] || fail "the recovery shell did not run"
}
