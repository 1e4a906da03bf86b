# Snapshots and environments whose contents are hostile: symlinks that
# lead out of the root, FIFOs and devices where files are expected,
# children mounted through symlinks; and commands killed at random points.
# Whatever is in them, zeit reads only inside them, never hangs, and leaves
# no mount behind.

R=tank/ROOT

# hedit DATASET: mount a root at /tmp/he for the test to write into.
hedit() {
	mkdir -p /tmp/he
	mount -t zfs -o zfsutil "$1" /tmp/he
}
hdone() { umount /tmp/he; }

hroot() { # hroot NAME: an empty environment (mountpoint=/, noauto)
	zfs list $R >/dev/null 2>&1 || zfs create -o mountpoint=none $R
	zfs create -o mountpoint=/ -o canmount=noauto "$R/$1"
	[ "$(zpool get -H -o value bootfs tank)" != - ] || zpool set bootfs="$R/$1" tank
}

# A status file of one package, to tell an environment's own from the
# host's (which has hundreds).
one_pkg() { # one_pkg FILE NAME VERSION
	printf 'Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\n\n' "$2" "$3" >"$1"
}

# Mounts zeit made that are still there, as the host sees them.
zeit_mounts() {
	grep -E '/run/zeit|zeit-mnt|zeit-be-|zeit-menu|zeit-chroot' /proc/self/mounts || true
}

test_hostile_packages_stay_inside_the_snapshot() {
	hroot deb
	hedit $R/deb
	mkdir -p /tmp/he/var/lib/dpkg
	one_pkg /tmp/he/var/lib/dpkg/status zeit-own 1.0
	hdone
	zfs snapshot $R/deb@good
	# var is a symlink to the host's /var: the host's packages (this
	# machine's dpkg status) must not be reported as the snapshot's.
	hedit $R/deb
	rm -r /tmp/he/var
	ln -s /var /tmp/he/var
	hdone
	zfs snapshot $R/deb@abs
	hedit $R/deb
	rm /tmp/he/var
	mkdir -p /tmp/he/x/y
	ln -s ../../../../../../../../var /tmp/he/var
	hdone
	zfs snapshot $R/deb@rel
	for s in abs rel; do
		rc=0
		timeout 120 "$ZEIT" -H diff --packages $R/deb@good $R/deb@$s >/tmp/out 2>/tmp/err || rc=$?
		[ $rc -ne 0 ] || fail "var -> host /var ($s) was read: $(head -3 /tmp/out)"
		hasnt "$(cat /tmp/out)" "coreutils" "host packages reported ($s)"
	done
	# A FIFO where the status file should be: an error, not a hang.
	hedit $R/deb
	rm /tmp/he/var
	mkdir -p /tmp/he/var/lib/dpkg
	mkfifo /tmp/he/var/lib/dpkg/status
	hdone
	zfs snapshot $R/deb@fifo
	rc=0
	timeout 60 "$ZEIT" diff --packages $R/deb@good $R/deb@fifo >/tmp/out 2>/tmp/err || rc=$?
	[ $rc -ne 124 ] || fail "a FIFO as the dpkg status hangs zeit"
	[ $rc -ne 0 ] || fail "a FIFO was read as a status file"
	has "$(cat /tmp/err)" "FIFO" "exit $rc"
	# A character device (/dev/zero): refused, not read without end.
	hedit $R/deb
	rm /tmp/he/var/lib/dpkg/status
	mknod /tmp/he/var/lib/dpkg/status c 1 5
	hdone
	zfs snapshot $R/deb@dev
	rc=0
	timeout 60 "$ZEIT" diff --packages $R/deb@good $R/deb@dev >/tmp/out 2>/tmp/err || rc=$?
	[ $rc -ne 124 ] || fail "a device as the dpkg status is read without end"
	[ $rc -ne 0 ] || fail "a device was read as a status file"
	has "$(cat /tmp/err)" "character device" "exit $rc"
	# The environment's own database still reads.
	hedit $R/deb
	rm /tmp/he/var/lib/dpkg/status
	one_pkg /tmp/he/var/lib/dpkg/status zeit-own 2.0
	hdone
	zfs snapshot $R/deb@good2
	ok "$ZEIT" -H diff --packages $R/deb@good $R/deb@good2
	eq "$(printf 'upgraded\tzeit-own\t1.0\t2.0')" "$OUT"
	eq "" "$(zeit_mounts)" "a temporary mount was left behind"
}

test_hostile_content_diff_reads_inside() {
	hroot c
	hedit $R/c
	mkdir -p /tmp/he/etc
	echo one >/tmp/he/etc/conf
	hdone
	zfs snapshot $R/c@a
	hedit $R/c
	echo two >/tmp/he/etc/conf
	hdone
	zfs snapshot $R/c@b
	ok "$ZEIT" diff --content $R/c@a $R/c@b /etc
	has "$OUT" "-one"
	has "$OUT" "+two"
	# --max-size: a size that overflows is a usage error, not a limit.
	rc=0
	"$ZEIT" diff --content --max-size 99999999999999999999 $R/c@a $R/c@b /etc >/dev/null 2>/tmp/err || rc=$?
	eq 2 "$rc" "--max-size overflow"
	rc=0
	"$ZEIT" diff --content --max-size 18014398509481984K $R/c@a $R/c@b /etc >/dev/null 2>/tmp/err || rc=$?
	eq 2 "$rc" "--max-size K overflow"
	ok "$ZEIT" diff --content --max-size 2 $R/c@a $R/c@b /etc
	has "$OUT" "over 2 bytes"
	eq "" "$(zeit_mounts)" "a temporary mount was left behind"
}

# A root for be and the menu: a kernel, an os-release, busybox as sh.
hfill() { # hfill NAME
	hroot "$1"
	hedit $R/$1
	mkdir -p /tmp/he/boot /tmp/he/etc /tmp/he/usr/bin /tmp/he/usr/lib /tmp/he/proc /tmp/he/sys /tmp/he/dev /tmp/he/tmp
	echo kernel >/tmp/he/boot/vmlinuz-6.6.8_1
	echo initramfs >/tmp/he/boot/initrd.img-6.6.8_1
	printf 'NAME="Void"\nID=void\n' >/tmp/he/usr/lib/os-release
	cp /bin/busybox /tmp/he/usr/bin/busybox
	ln -s usr/bin /tmp/he/bin
	for t in sh cat grep; do ln -s busybox /tmp/he/usr/bin/$t; done
	hdone
}

test_hostile_menu_reads_inside() {
	hfill void
	# /etc/os-release leads out of the root to a host file saying gentoo
	# (root=ZFS=): the environment's own (void: root=zfs:) must win.
	printf 'ID=gentoo\n' >/tmp/zeit-host-os-release
	hedit $R/void
	ln -s ../../../../../../../../../tmp/zeit-host-os-release /tmp/he/etc/os-release
	hdone
	ok timeout 120 "$BUILD/zeit-menu" -n --auto --no-import
	has "$OUT" "command line: root=zfs:$R/void"
	hasnt "$OUT" "ZFS="
	# A FIFO as /etc/default/grub: the menu must not hang on it.
	hedit $R/void
	mkdir -p /tmp/he/etc/default
	mkfifo /tmp/he/etc/default/grub
	hdone
	rc=0
	timeout 120 "$BUILD/zeit-menu" -n --auto --no-import >/tmp/out 2>/tmp/err || rc=$?
	[ $rc -ne 124 ] || fail "the menu hangs on a FIFO"
	[ $rc -eq 0 ] || fail "menu failed: $(cat /tmp/err)"
	has "$(cat /tmp/out)" "command line: root=zfs:$R/void"
	eq "" "$(zeit_mounts)" "a temporary mount was left behind"
}

test_hostile_kernels_stay_inside() {
	hfill void
	# /boot is a symlink to the host's /boot: no host kernel is listed.
	hfill other
	hedit $R/other
	rm -r /tmp/he/boot
	ln -s /boot /tmp/he/boot
	hdone
	mkdir -p /boot
	echo host >/boot/vmlinuz-9.9.9-host
	rc=0
	"$ZEIT" -j be list >/tmp/out 2>/tmp/err || rc=$?
	rm -f /boot/vmlinuz-9.9.9-host
	[ $rc -eq 0 ] || fail "be list: $(cat /tmp/err)"
	hasnt "$(cat /tmp/out)" "9.9.9-host" "a host kernel listed for an environment"
	has "$(cat /tmp/out)" "6.6.8_1"
	eq "" "$(zeit_mounts)" "a temporary mount was left behind"
}

test_hostile_be_mount_stays_inside() {
	hfill void
	zfs create -o canmount=noauto $R/void/var
	mkdir -p /var/tmp/victim /srv/victim /srv/victim-proc
	# var (the child's mountpoint) and proc (chroot's bind) are symlinks
	# to host paths.
	hedit $R/void
	mkdir -p /tmp/he/srv/victim /tmp/he/srv/victim-proc
	ln -s /srv/victim /tmp/he/var
	rm -r /tmp/he/proc
	ln -s /srv/victim-proc /tmp/he/proc
	hdone
	ok "$ZEIT" be mount void /tmp/vm
	mounted=$(awk -v d=$R/void/var '$1 == d { print $2 }' /proc/self/mounts)
	grep -q ' /srv/victim ' /proc/self/mounts && fail "the child was mounted on the host's /srv/victim"
	eq /tmp/vm/srv/victim "$mounted" "where the child landed"
	# nosuid,nodev: an old environment's setuid binaries stay inert.
	opts=$(awk -v d=$R/void '$1 == d { print $4 }' /proc/self/mounts)
	has ",$opts," ",nosuid," "be mount options"
	has ",$opts," ",nodev," "be mount options"
	ok "$ZEIT" be umount void
	# The default place is not world-readable.
	ok "$ZEIT" be mount void
	eq 700 "$(stat -c %a /run/zeit/be)" "/run/zeit/be mode"
	eq 700 "$(stat -c %a /run/zeit)" "/run/zeit mode"
	ok "$ZEIT" be umount void
	# chroot: /proc is bound inside, not on /srv/victim-proc.
	ok "$ZEIT" be chroot void sh -c 'test -e /proc/self/status && echo proc-ok'
	has "$OUT" "proc-ok"
	[ -z "$(ls -A /srv/victim-proc)" ] || fail "something was put into the host's /srv/victim-proc"
	hasnt "$(cat /proc/self/mounts)" "/srv/victim"
	# var -> /var/tmp/victim runs through itself inside the root: it
	# cannot be reached there, so it is refused, not mounted on the host.
	hedit $R/void
	rm /tmp/he/var
	ln -s /var/tmp/victim /tmp/he/var
	hdone
	fails "var.*symbolic links" "$ZEIT" be mount void /tmp/vm
	grep -q ' /var/tmp/victim ' /proc/self/mounts && fail "the child was mounted on the host's /var/tmp/victim"
	hasnt "$(grep " zfs " /proc/self/mounts)" "$R/void"
	eq "" "$(zeit_mounts)" "a mount was left behind"
}

test_hostile_chroot_command_gets_sigint() {
	hfill void
	# The command run by chroot must not inherit zeit's ignored SIGINT
	# and SIGQUIT, or ^C cannot stop it: SigIgn has neither bit (2, 3).
	ok "$ZEIT" be chroot void grep SigIgn /proc/self/status
	mask=$(awk '{ print $2 }' <<<"$OUT")
	[ $((0x$mask & 0x6)) -eq 0 ] || fail "SIGINT/SIGQUIT ignored in the command: SigIgn $mask"
}

# kill9 SECONDS CMD...: starts CMD, SIGKILLs it after SECONDS (if still
# running), then checks that no zeit mount is left on the host.
kill9() {
	local t=$1
	shift
	"$@" >/dev/null 2>&1 &
	local pid=$!
	sleep "$t"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	local left
	left=$(zeit_mounts; grep " zfs " /proc/self/mounts | grep -E "^$R/" || true)
	[ -z "$left" ] || fail "after kill -9 at ${t}s of '$*': $left"
}

# Ten points spread over a command's run, as it measures on this machine.
kill_points() { # kill_points CMD...
	local start end ms
	start=$(date +%s%N)
	"$@" >/dev/null 2>/tmp/err || fail "'$*' fails before any kill: $(cat /tmp/err)"
	end=$(date +%s%N)
	ms=$(((end - start) / 1000000))
	for i in 1 2 3 4 5 6 7 8 9 10; do
		t=$(((RANDOM % (ms + 1))))
		kill9 "$((t / 1000)).$(printf %03d $((t % 1000)))" "$@"
		# And the next run succeeds.
		"$@" >/dev/null 2>/tmp/err || fail "'$*' fails after a kill at ${t}ms: $(cat /tmp/err)"
	done
	echo "kill points over ${ms}ms: $*"
}

test_hostile_kill9_leaves_no_mounts() {
	hfill void
	hfill alpine
	zfs snapshot $R/void@a
	hedit $R/void
	echo changed >/tmp/he/etc/changed
	mkdir -p /tmp/he/var/lib/dpkg
	one_pkg /tmp/he/var/lib/dpkg/status p 1
	hdone
	zfs snapshot $R/void@b
	kill_points "$ZEIT" diff $R/void@a
	kill_points "$ZEIT" be list
	kill_points "$ZEIT" be chroot alpine sh -c 'cat /usr/lib/os-release'
}

test_hostile_kill9_menu_leaves_no_mounts() {
	hfill void
	kill_points "$BUILD/zeit-menu" -n --auto --no-import
}

# The boot environment root is the pool's top dataset (tank/void, tank/ok):
# bisect finds the day and reset cleans up, with no name assumed to have a
# parent below the pool.
test_hostile_bisect_with_the_pool_as_root() {
	zfs create -o mountpoint=/ -o canmount=noauto tank/void
	hedit tank/void
	mkdir -p /tmp/he/etc /tmp/he/var/lib/dpkg
	for d in 1 2 3 4 5; do
		[ $d -lt 4 ] || echo broken >/tmp/he/etc/state
		one_pkg /tmp/he/var/lib/dpkg/status foo "1.$d"
		sync
		zfs snapshot "tank/void@zeit_daily_2026110${d}T000000Z"
	done
	hdone
	# The odd state that made the pool's own dataset look like one of
	# bisect's clones: the marker set on it (by hand, or by an older
	# zeit). A dataset without '/' then met strrchr() + 1, and a clean-up
	# without a name to keep went on to `zfs destroy -r tank`.
	zfs set org.zeit:bisect-clone=zeit_daily_20261101T000000Z tank
	before=$(zfs list -H -o name -t all -r tank)
	export ZEIT_BE_ROOT=tank
	ok "$ZEIT" bisect start void --good zeit_daily_20261101T000000Z
	ok "$ZEIT" bisect run sh -c 'test ! -e "$ZEIT_BISECT_ROOT/etc/state"'
	has "$OUT" "zeit_daily_20261104T000000Z"
	ok "$ZEIT" bisect reset
	eq "$before" "$(zfs list -H -o name -t all -r tank)" "what bisect left"
	eq "" "$(zeit_mounts)" "a mount was left behind"
}

# diff --content of a live dataset reads what it compares inside it, even
# while its owner swaps the files for links to host files between zfs
# diff and the read: 200 files flip between a regular file and a link to
# a root-only host file, and the host file's text never appears.
test_hostile_content_diff_of_a_live_dataset_under_swaps() {
	zfs create tank/live
	local d=/tmp/mnt/tank/live i
	echo "TOPSECRET-HOST-FILE" >/root/zeit-secret
	chmod 600 /root/zeit-secret
	for i in $(seq 200); do echo "old $i" >$d/f$i; done
	zfs snapshot tank/live@a
	for i in $(seq 200); do echo "new $i" >$d/f$i; done
	(
		while :; do
			for i in $(seq 200); do
				ln -sfn /root/zeit-secret $d/.l$i && mv -fT $d/.l$i $d/f$i
			done
			for i in $(seq 200); do
				echo "new $i" >$d/.r$i && mv -fT $d/.r$i $d/f$i
			done
		done
	) &
	local flipper=$!
	local rc=0 out err
	out=$("$ZEIT" diff --content tank/live@a tank/live / 2>/tmp/diff.err) || rc=$?
	err=$(cat /tmp/diff.err)
	kill $flipper
	wait $flipper 2>/dev/null || true
	hasnt "$out$err" "TOPSECRET" "a host file's text in the diff"
	# A file that is no regular file inside the dataset when it is read
	# ends the diff with an error that names it; else the diff is whole.
	if [ "$rc" -ne 0 ]; then
		grep -Eq "cannot read /f[0-9]+" <<<"$err" || fail "diff failed ($rc) without naming the file: $err"
	else
		grep -q "^+new" <<<"$out" || fail "the diff showed no file at all: $out"
	fi
	eq "" "$(zeit_mounts)" "a temporary mount was left behind"
}
