# shellcheck shell=bash
# Helpers for integration tests running inside the zvm guest
# (tests/vm/zvm run ...). Source it:  . tests/vm/guest-lib.sh
#
# Pools
#   zvm_file_pool NAME [SIZE] [ZPOOL-CREATE-ARGS...]
#       Pool NAME on a sparse file /tmp/zvm/NAME.img (SIZE default 512M).
#   zvm_delay_pool NAME SIZE MS [ZPOOL-CREATE-ARGS...]
#       Pool on dm-delay over a loop device: every write (and flush) waits MS
#       ms, reads are immediate. 4 is SSD-like, 10-20 a spinning disk. Use it
#       when the cost of txg syncs matters (tmpfs-backed pools hide it).
#   zvm_delay_set NAME MS
#       Change a zvm_delay_pool's write delay in place (dm reload), e.g. 0
#       while a benchmark builds its fixture, then the delay it measures.
#   zvm_flakey_pool NAME SIZE [ZPOOL-CREATE-ARGS...]
#       Pool on a dm-flakey device (over a loop device), healthy at first.
#   zvm_flakey_fail NAME [error|error_writes|drop_writes]
#       Make that device fail: "error" (default) fails all I/O with EIO,
#       "error_writes" fails writes only, "drop_writes" reports writes done
#       but discards them (reads still work). dm-flakey "up 0 down 1".
#   zvm_flakey_heal NAME
#       Make it healthy again. ZFS keeps what it saw: follow with
#       `zpool clear NAME`. With the default failmode=wait, I/O to a pool
#       whose only vdev fails blocks until then; pass `-o failmode=continue`
#       to zvm_flakey_pool if the test wants errors instead.
#   zvm_destroy_pools
#       Destroy every pool in the guest, heal and remove the dm devices, detach
#       the loop devices, delete the files. Safe to call twice or from a trap.
# Every pool is created with `-f -o cachefile=none -m /tmp/mnt/NAME`: the
# root dataset mounts under /tmp/mnt (tmpfs), never over the guest's own
# directories. No altroot, so properties read back exactly as set; a dataset
# given mountpoint=/ (a boot environment) must be canmount=noauto or it would
# mount over the guest's root. Pass `-R DIR` in ZPOOL-CREATE-ARGS for an altroot
# instead. Extra args go before the pool name (e.g. -O compression=off).
# Functions print nothing on success; on failure they say what failed on
# stderr and return non-zero.
#
# SSH
#   zvm_sshd
#       Start sshd on 127.0.0.1:2222 (root, key-only) and give root a key it
#       accepts, so `ssh -p 2222 -o StrictHostKeyChecking=no -o BatchMode=yes
#       root@127.0.0.1 CMD` works. Everything lands in the guest's overlay or
#       /run, never on the host. Each fresh connection costs seconds under
#       TCG: reuse one (ControlMaster) where a test makes many.

ZVM_LIB_DIR=/tmp/zvm             # vdev files and the list of what to tear down
ZVM_MNT=/tmp/mnt                 # pools' root datasets mount at $ZVM_MNT/NAME
ZVM_SSHD_DIR=/run/zvm-sshd
ZVM_SSH_PORT=2222

_zvm_err() {
	echo "guest-lib: $*" >&2
	return 1
}

# Runs a command quietly; on failure shows its output and what failed.
_zvm_do() {
	local out
	if ! out=$("$@" 2>&1); then
		[ -z "$out" ] || printf '%s\n' "$out" >&2
		_zvm_err "failed: $*"
		return 1
	fi
}

_zvm_check_name() {
	[[ ${1:-} =~ ^[A-Za-z][A-Za-z0-9_.-]*$ ]] || _zvm_err "bad pool name '${1:-}'"
}

# Remembers something to undo, one "KIND VALUE" a line, undone last-first.
_zvm_record() {
	mkdir -p "$ZVM_LIB_DIR" && echo "$1 $2" >>"$ZVM_LIB_DIR/resources"
}

# Creates the sparse backing file for NAME and prints its path.
_zvm_backing_file() {
	local name=$1 size=$2 file
	file="$ZVM_LIB_DIR/$1.img"
	[ ! -e "$file" ] || _zvm_err "$file already exists (pool $name created twice?)" || return
	mkdir -p "$ZVM_LIB_DIR" || return
	_zvm_record file "$file"
	_zvm_do truncate -s "$size" "$file" || return
	echo "$file"
}

# Attaches FILE to a loop device and prints it.
_zvm_loop() {
	local loop
	loop=$(losetup -f --show "$1" 2>&1) || _zvm_err "losetup $1: $loop" || return
	_zvm_record loop "$loop"
	echo "$loop"
}

# Creates dm device zvm-NAME with TABLE; no udev in the guest, so make the
# /dev/mapper node by hand.
_zvm_dm_create() {
	local dm="zvm-$1" table=$2
	_zvm_do dmsetup create "$dm" --table "$table" || return
	_zvm_record dm "$dm"
	_zvm_do dmsetup mknodes "$dm" || return
	[ -b "/dev/mapper/$dm" ] || _zvm_err "/dev/mapper/$dm did not appear"
}

_zvm_zpool_create() {
	local name=$1 vdev=$2
	shift 2
	mkdir -p "$ZVM_MNT" || return
	_zvm_do zpool create -f -o cachefile=none -m "$ZVM_MNT/$name" "$@" "$name" "$vdev"
}

zvm_file_pool() {
	local name=${1:-} size=${2:-512M} file
	_zvm_check_name "$name" || return
	shift $(($# < 2 ? $# : 2))
	file=$(_zvm_backing_file "$name" "$size") || return
	_zvm_zpool_create "$name" "$file" "$@"
}

zvm_delay_pool() {
	local name=${1:-} size=${2:-} ms=${3:-} file loop
	_zvm_check_name "$name" || return
	[[ -n $size && $ms =~ ^[0-9]+$ ]] || _zvm_err "usage: zvm_delay_pool NAME SIZE MS [ZPOOL-CREATE-ARGS...]" || return
	shift 3
	file=$(_zvm_backing_file "$name" "$size") || return
	loop=$(_zvm_loop "$file") || return
	# delay <read dev> <offset> <ms> <write dev> <offset> <ms>: flushes
	# take the write delay too.
	_zvm_dm_create "$name" "0 $(blockdev --getsz "$loop") delay $loop 0 0 $loop 0 $ms" || return
	_zvm_zpool_create "$name" "/dev/mapper/zvm-$name" "$@"
}

zvm_delay_set() {
	local name=${1:-} ms=${2:-} loop sectors
	[[ $ms =~ ^[0-9]+$ ]] || _zvm_err "usage: zvm_delay_set NAME MS" || return
	loop=$(dmsetup deps -o devname "zvm-$name" 2>/dev/null | sed -n 's/.*(\(.*\)).*/\1/p')
	[ -n "$loop" ] || _zvm_err "no dm device zvm-$name (not a zvm_delay_pool?)" || return
	loop=/dev/$loop
	sectors=$(blockdev --getsz "$loop") || return
	_zvm_do dmsetup reload "zvm-$name" --table "0 $sectors delay $loop 0 0 $loop 0 $ms" || return
	_zvm_do dmsetup resume "zvm-$name"
}

# dm-flakey tables for the loop device under pool NAME.
_zvm_flakey_table() {
	local name=$1 mode=$2 loop sectors
	loop=$(dmsetup deps -o devname "zvm-$name" 2>/dev/null | sed -n 's/.*(\(.*\)).*/\1/p')
	[ -n "$loop" ] || _zvm_err "no dm device zvm-$name (not a zvm_flakey_pool?)" || return
	loop=/dev/$loop
	sectors=$(blockdev --getsz "$loop") || return
	case "$mode" in
	# up 1 s, down 0 s: never down.
	healthy) echo "0 $sectors flakey $loop 0 1 0" ;;
	# up 0 s, down 1 s: always down. No feature: every I/O fails.
	error) echo "0 $sectors flakey $loop 0 0 1" ;;
	error_writes | drop_writes) echo "0 $sectors flakey $loop 0 0 1 1 $mode" ;;
	*) _zvm_err "unknown flakey mode '$mode' (error, error_writes, drop_writes)" ;;
	esac
}

_zvm_dm_load() {
	local table
	table=$(_zvm_flakey_table "$1" "$2") || return
	_zvm_do dmsetup reload "zvm-$1" --table "$table" || return
	_zvm_do dmsetup resume "zvm-$1"
}

zvm_flakey_pool() {
	local name=${1:-} size=${2:-} file loop
	_zvm_check_name "$name" || return
	[ -n "$size" ] || _zvm_err "usage: zvm_flakey_pool NAME SIZE [ZPOOL-CREATE-ARGS...]" || return
	shift 2
	file=$(_zvm_backing_file "$name" "$size") || return
	loop=$(_zvm_loop "$file") || return
	_zvm_dm_create "$name" "0 $(blockdev --getsz "$loop") flakey $loop 0 1 0" || return
	_zvm_zpool_create "$name" "/dev/mapper/zvm-$name" "$@"
}

zvm_flakey_fail() {
	_zvm_dm_load "${1:?zvm_flakey_fail NAME [MODE]}" "${2:-error}"
}

zvm_flakey_heal() {
	_zvm_dm_load "${1:?zvm_flakey_heal NAME}" healthy
}

zvm_destroy_pools() {
	local rc=0 pool kind what
	# Heal flakey devices first: a pool stuck on failed I/O cannot go away.
	if [ -s "$ZVM_LIB_DIR/resources" ]; then
		while read -r kind what; do
			[ "$kind" = dm ] || continue
			dmsetup table "$what" 2>/dev/null | grep ' flakey ' >/dev/null || continue
			zvm_flakey_heal "${what#zvm-}" || rc=1
		done <"$ZVM_LIB_DIR/resources"
	fi
	local health
	while read -r pool health; do
		[ -n "$pool" ] || continue
		# A suspended pool resumes only once cleared.
		[ "$health" = ONLINE ] || zpool clear "$pool" >/dev/null 2>&1 || true
		_zvm_do zpool destroy -f "$pool" || rc=1
	done <<<"$(zpool list -H -o name,health 2>/dev/null)"
	if [ -s "$ZVM_LIB_DIR/resources" ]; then
		# Undo last-first: dm devices, then the loops under them, then files.
		local undo
		undo=$(tac "$ZVM_LIB_DIR/resources") || rc=1
		while read -r kind what; do
			case "$kind" in
			dm) _zvm_do dmsetup remove --retry "$what" || rc=1 ;;
			loop) _zvm_do losetup -d "$what" || rc=1 ;;
			file) rm -f "$what" || rc=1 ;;
			esac
		done <<<"$undo"
		rm -f "$ZVM_LIB_DIR/resources"
	fi
	return "$rc"
}

zvm_sshd() {
	local d=$ZVM_SSHD_DIR
	if [ -s "$d/sshd.pid" ] && kill -0 "$(cat "$d/sshd.pid")" 2>/dev/null; then
		return 0
	fi
	mkdir -p "$d" /run/sshd /root/.ssh || return
	chmod 0700 /root/.ssh
	# Host key of our own: the host's /etc/ssh keys stay out of it.
	[ -f "$d/host_ed25519" ] || _zvm_do ssh-keygen -q -t ed25519 -N '' -C zvm-host -f "$d/host_ed25519" || return
	# Root's default key, unless one without a passphrase is already there
	# (this writes the guest's overlay, not the host's /root).
	if ! ssh-keygen -y -P '' -f /root/.ssh/id_ed25519 >/dev/null 2>&1; then
		rm -f /root/.ssh/id_ed25519 /root/.ssh/id_ed25519.pub
		_zvm_do ssh-keygen -q -t ed25519 -N '' -C zvm-root -f /root/.ssh/id_ed25519 || return
	fi
	cat /root/.ssh/id_ed25519.pub >>/root/.ssh/authorized_keys || return
	chmod 0600 /root/.ssh/authorized_keys
	# bash run by sshd reads ~/.bashrc even for `ssh host cmd`; the host's
	# (pyenv, cargo...) costs seconds per command under TCG and is no part
	# of any test. Replace it in the guest's overlay only.
	if [ -f /root/.bashrc ] && ! grep -q '^# zvm guest' /root/.bashrc; then
		echo '# zvm guest: the host root'"'"'s ~/.bashrc is left out of ssh sessions.' >/root/.bashrc || return
	fi
	# A stale entry for this port from the host's known_hosts would clash.
	ssh-keygen -q -R "[127.0.0.1]:$ZVM_SSH_PORT" >/dev/null 2>&1 || true
	# Minimal config of our own (the host's sshd_config is not ours to trust).
	# No PAM: nothing in the guest needs it. Curve25519 key exchange: the
	# post-quantum default costs seconds more per connection under TCG.
	cat >"$d/sshd_config" <<EOF || return
Port $ZVM_SSH_PORT
ListenAddress 127.0.0.1
HostKey $d/host_ed25519
PidFile $d/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org
SetEnv ZVM_GUEST=1
Subsystem sftp internal-sftp
EOF
	_zvm_do /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log" || return
	# sshd listens before it daemonizes, but be sure before returning.
	for _ in $(seq 50); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$ZVM_SSH_PORT") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	_zvm_err "sshd does not answer on 127.0.0.1:$ZVM_SSH_PORT (see $d/sshd.log)"
}
