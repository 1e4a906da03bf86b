#!/usr/bin/env bash
# Checks that the zvm guest is fit for zeit's integration tests: the zfs
# module, pools on files, dm-delay and dm-flakey, sshd on loopback.
# Run it in the guest:  tests/vm/zvm run tests/vm/selftest.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=guest-lib.sh
. "$here/guest-lib.sh"

fail() {
	echo "selftest: FAIL: $*" >&2
	exit 1
}
t0=$(date +%s%N)
step() { printf 'selftest: [%5.1fs] %s\n' "$((($(date +%s%N) - t0) / 1000000))e-3" "$*"; }

# Pipelines use `grep PATTERN >/dev/null`, not grep -q: under pipefail a
# writer killed by SIGPIPE after an early grep -q exit would read as failure.
[ "${ZVM_GUEST:-}" = 1 ] || fail "not in the zvm guest; run: tests/vm/zvm run $0"
trap 'zvm_destroy_pools || echo "selftest: cleanup failed" >&2' EXIT

step "zfs module"
grep -q '^zfs ' /proc/modules || fail "zfs module not loaded"
v=$(zpool version) || fail "zpool version failed"
grep -q '^zfs-kmod-2\.3' <<<"$v" || fail "kernel module is not OpenZFS 2.3: $v"
grep -q '^zfs-2\.3' <<<"$v" || fail "userland is not OpenZFS 2.3: $v"

step "pool on a file, dataset, snapshot"
zvm_file_pool sfile || fail "zvm_file_pool"
zfs create sfile/ds || fail "zfs create"
mountpoint -q /tmp/mnt/sfile/ds || fail "sfile/ds not mounted at /tmp/mnt/sfile/ds"
echo data >/tmp/mnt/sfile/ds/f
zfs snapshot sfile/ds@one || fail "zfs snapshot"
snaps=$(zfs list -H -t snapshot -o name -r sfile)
[ "$snaps" = sfile/ds@one ] || fail "snapshot list: '$snaps'"
[ "$(zfs get -H -o value mountpoint sfile)" = /tmp/mnt/sfile ] || fail "mountpoint property"

step "pool on dm-delay"
zvm_delay_pool sdelay 256M 20 || fail "zvm_delay_pool"
zpool status sdelay | grep 'zvm-sdelay.*ONLINE' >/dev/null || fail "sdelay vdev not ONLINE"
dmsetup table zvm-sdelay | grep ' delay ' >/dev/null || fail "zvm-sdelay is not a dm-delay device"
zfs create sdelay/ds
# A txg sync writes several times, each at least 20 ms late.
start=$(date +%s%N)
zfs snapshot sdelay/ds@one
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -ge 20 ] || fail "a snapshot on a 20 ms dm-delay pool took only ${ms} ms"
step "  snapshot on 20 ms dm-delay: ${ms} ms"

step "pool on dm-flakey: fail and heal"
zvm_flakey_pool sflakey 256M -o failmode=continue || fail "zvm_flakey_pool"
zfs create sflakey/ds
zvm_flakey_fail sflakey
if dd if=/dev/mapper/zvm-sflakey of=/dev/null bs=4096 count=1 iflag=direct 2>/dev/null; then
	fail "read from a failed flakey device succeeded"
fi
dd if=/dev/urandom of=/tmp/mnt/sflakey/ds/f bs=64k count=4 status=none 2>/dev/null || true
# The txg with these writes cannot complete: ZFS suspends the pool and the
# sync blocks (uninterruptibly) until the device heals and the pool is cleared.
zpool sync sflakey 2>/dev/null &
sync_pid=$!
for _ in $(seq 60); do
	zpool status sflakey | grep 'state: SUSPENDED' >/dev/null && break
	sleep 0.5
done
zpool status sflakey | grep 'state: SUSPENDED' >/dev/null || fail "pool not suspended on a failing device: $(zpool status sflakey)"
zvm_flakey_heal sflakey
dd if=/dev/mapper/zvm-sflakey of=/dev/null bs=4096 count=1 iflag=direct status=none ||
	fail "read after heal failed"
zpool clear sflakey || fail "zpool clear after heal"
# It returns once the pool resumed; with failmode=continue it may report EIO.
wait "$sync_pid" || true
zpool scrub -w sflakey || fail "scrub after heal"
zpool status -x sflakey | grep 'is healthy' >/dev/null || fail "pool not healthy after heal: $(zpool status sflakey)"
# Leave it failing: zvm_destroy_pools must cope.
zvm_flakey_fail sflakey drop_writes

step "sshd on loopback"
zvm_sshd || fail "zvm_sshd"
start=$(date +%s%N)
out=$(ssh -p 2222 -o StrictHostKeyChecking=no -o BatchMode=yes root@127.0.0.1 'echo "ok $ZVM_GUEST $(zpool list -H -o name | sort | tr "\n" " ")"' 2>/dev/null) ||
	fail "ssh root@127.0.0.1 failed: $(tail -n 5 "$ZVM_SSHD_DIR/sshd.log")"
[ "$out" = "ok 1 sdelay sfile sflakey " ] || fail "ssh said '$out'"
step "  ssh login and command: $((($(date +%s%N) - start) / 1000000)) ms"

step "cleanup"
trap - EXIT
zvm_destroy_pools || fail "zvm_destroy_pools"
[ -z "$(zpool list -H -o name)" ] || fail "pools left: $(zpool list -H -o name)"
! dmsetup ls | grep '^zvm-' >/dev/null || fail "dm devices left: $(dmsetup ls)"
[ -z "$(losetup -a)" ] || fail "loop devices left: $(losetup -a)"
zvm_destroy_pools || fail "a second zvm_destroy_pools failed"
step "ok"
