#!/usr/bin/env bash
# Runs in the zvm guest (tests/deb/run): apt installs, upgrades, removes
# and purges the packages in WORK inside a chroot whose root is an overlay
# over the guest's own, so everything the packages write lands in one
# upper directory that is listed afterwards. A pool with zeit's marks and
# snapshots exists throughout; it must come out untouched.
# Usage: guest.sh WORK VERSION
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/vm/guest-lib.sh
work=$1 ver=$2
passed=0 failed=0
result() { # NAME OK? DETAIL...
	if [ "$2" = 1 ]; then
		passed=$((passed + 1))
		printf 'PASS %s\n' "$1"
	else
		failed=$((failed + 1))
		printf 'FAIL %s\n' "$1"
		shift 2
		printf '%s\n' "$@" | tail -n 30 | sed 's/^/    /'
	fi
}
check() { # NAME COMMAND...: passes when COMMAND succeeds; its output on failure
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then result "$name" 1; else result "$name" 0 "$out"; fi
}
finish() {
	echo "guest: $passed passed, $failed failed"
	exit 0
}

# A pool the packages must leave alone: marked for zeit, with snapshots.
zvm_file_pool tank 256M >/dev/null || { result "a pool" 0; finish; }
zfs create -o org.zeit:snap=on tank/data
zfs snapshot tank/data@before
pool_state() {
	zfs list -H -p -t all -o name,guid,createtxg,org.zeit:snap
	zpool history -i tank | grep -vc '^$'
}
pool_before=$(pool_state)

# The chroot: an overlay over / (itself the guest's overlay) with its own
# upper directory, and the kernel filesystems bound in.
ch=/tmp/deb-chroot
mkdir -p $ch/rw
mount -t tmpfs tmpfs $ch/rw
mkdir -p $ch/rw/upper $ch/rw/work $ch/root
mount -t overlay -o lowerdir=/,upperdir=$ch/rw/upper,workdir=$ch/rw/work overlay $ch/root ||
	{ result "overlay chroot" 0; finish; }
for d in proc sys dev dev/pts; do mount --bind "/$d" "$ch/root/$d"; done
mount -t tmpfs tmpfs "$ch/root/tmp"
mount -t tmpfs tmpfs "$ch/root/run"
in_root() { chroot "$ch/root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
apt_do() { in_root timeout 1200 apt-get -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "$@"; }

# What is in the upper directory: files and links (type, path), and
# directories the guest's root does not have. Package managers' own state
# and caches are theirs to keep.
upper_list() { # (update-initramfs.conf: set above, for the test)
	(cd $ch/rw/upper && find . -mindepth 1 \( -type d -printf 'd %P\n' \) -o -printf '%y %P\n') |
		grep -vE ' (var/lib/dpkg|var/lib/apt|var/cache/apt|var/cache/debconf|var/cache/man|var/lib/man-db|var/cache/ldconfig|var/log|etc/ld\.so\.cache|etc/initramfs-tools/update-initramfs\.conf|tmp|run|dev|proc|sys|root)(/|$)' |
		while read -r t p; do
			if [ "$t" = d ] && [ -d "/$p" ]; then continue; fi
			echo "$t $p"
		done | LC_ALL=C sort
}
# man-db's trigger would rebuild its index from every man page on the
# (9p, emulated) root: minutes. man zeit reads the page without it.
rm -f "$ch/root/var/lib/man-db/auto-update"
# zeit-menu's initramfs-tools hook triggers update-initramfs, as
# zfs-initramfs's does; building one in the emulated guest takes minutes
# and is the hook's test (tests/menu), not the package's.
echo update_initramfs=no >"$ch/root/etc/initramfs-tools/update-initramfs.conf"
clean_upper=$(upper_list)

debs=("$work/zeit_${ver}_amd64.deb" "$work/zeit-menu_${ver}_amd64.deb")
check "apt install ./zeit_${ver}_amd64.deb ./zeit-menu_${ver}_amd64.deb" apt_do install "${debs[@]}"
check "zeit-snap.timer enabled on install" test "$(in_root systemctl is-enabled zeit-snap.timer 2>&1)" = enabled
check "zeit-snap.service not enabled (the timer starts it)" \
	test ! -e "$ch/root/etc/systemd/system/multi-user.target.wants/zeit-snap.service"
check "zeit-boot-ok.service enabled on install (it confirms trial boots)" \
	test "$(in_root systemctl is-enabled zeit-boot-ok.service 2>&1)" = enabled
check "zeit-failure@.service shipped" test -f "$ch/root/lib/systemd/system/zeit-failure@.service"
check "zeit-snap.service reports its failures through it" \
	grep -qx 'OnFailure=zeit-failure@%n.service' "$ch/root/lib/systemd/system/zeit-snap.service"
check "zeit-boot-ok.service runs zeit be confirm from /usr/sbin" \
	grep -qx 'ExecStart=/usr/sbin/zeit be confirm' "$ch/root/lib/systemd/system/zeit-boot-ok.service"
v=$(in_root zeit --version 2>&1)
check "zeit --version says $ver ($v)" grep -qw -- "$ver" <<<"$v"
check "man zeit" bash -c "chroot $ch/root env MANPAGER=cat MANWIDTH=80 man 8 zeit 2>&1 | grep -q 'ZFS machine'"
check "man zeit-menu" bash -c "chroot $ch/root env MANPAGER=cat man 8 zeit-menu 2>&1 | grep -q 'the boot menu'"
check "example configuration in /usr/share/doc" test -s "$ch/root/usr/share/doc/zeit/examples/zeit.conf.example"
check "bash completion loads" bash -c "chroot $ch/root bash -c '. /usr/share/bash-completion/bash_completion; _completion_loader zeit; complete -p zeit' | grep -q '_zeit zeit'"
check "zsh completion installed" test -s "$ch/root/usr/share/zsh/vendor-completions/_zeit"
for f in /usr/sbin/zeit-menu /usr/sbin/zeit-menu-image /usr/lib/dracut/modules.d/90zeit-menu/module-setup.sh \
	/usr/share/initramfs-tools/hooks/zeit-menu /usr/share/initramfs-tools/scripts/local-top/zeit-menu; do
	check "zeit-menu ships $f" test -x "$ch/root$f"
done
check "zeit-menu runs" bash -c "chroot $ch/root zeit-menu --help >/dev/null"
if [ -e contrib/apt/80zeit ]; then
	check "the apt hook is installed" test -s "$ch/root/etc/apt/apt.conf.d/80zeit"
fi

up=("$work/up/zeit_${ver}+1_amd64.deb" "$work/up/zeit-menu_${ver}+1_amd64.deb")
check "apt upgrade to ${ver}+1" apt_do install "${up[@]}"
check "zeit --version after the upgrade" test "$(in_root dpkg-query -W -f '${Version}' zeit)" = "${ver}+1"
check "the timer still enabled after the upgrade" test "$(in_root systemctl is-enabled zeit-snap.timer 2>&1)" = enabled
# An administrator's disable survives an upgrade (as with sanoid's timer).
in_root systemctl disable zeit-snap.timer >/dev/null 2>&1
check "apt reinstall" apt_do install --reinstall "${up[@]}"
check "a disabled timer stays disabled on upgrade" test "$(in_root systemctl is-enabled zeit-snap.timer 2>&1)" = disabled
in_root systemctl enable zeit-snap.timer >/dev/null 2>&1

check "apt remove (apt keeps working with the conffiles left)" apt_do remove zeit zeit-menu
check "apt after the remove" apt_do install --reinstall "${up[@]}"
check "apt purge zeit zeit-menu" apt_do purge zeit zeit-menu
left=$(diff <(echo "$clean_upper") <(upper_list) | sed -n 's/^> //p')
check "purge leaves nothing behind (${left:-nothing})" test -z "$left"
check "no zeit file in dpkg's database" bash -c "! ls $ch/root/var/lib/dpkg/info/ | grep -q '^zeit'"

pool_after=$(pool_state)
check "the pool is untouched" test "$pool_before" = "$pool_after"
check "no snapshot taken by the package" test "$(zfs list -H -t snapshot -o name | tr '\n' ' ')" = "tank/data@before "

umount -R $ch/root 2>/dev/null
finish
