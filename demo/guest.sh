#!/usr/bin/env bash
# Runs inside the VM (see demo/run).
set -euo pipefail
. tests/vm/guest-lib.sh
ZEIT=$PWD/${1:-build}/zeit
trap zvm_destroy_pools EXIT

show() {
	printf '\n$ %s\n' "$*"
	"$@"
}

echo "== a throwaway pool 'demo' on a sparse file, with a small tree"
zvm_file_pool demo 256M
zfs create -p demo/ROOT/debian
zfs create -p demo/home/alice
zfs list -r -o name,mountpoint demo

echo
echo "== zeit takes snapshots: every dataset of a pool in one atomic zfs call"
show "$ZEIT" -vv --now 2026-11-27T00:00:00Z snap -t daily -t weekly -r demo
show "$ZEIT" --now 2026-11-28T00:00:00Z snap -t daily -r demo

echo
echo "== and lists them on zfs's fast path (name, guid, createtxg)"
show "$ZEIT" list -r demo
show "$ZEIT" -j list demo/home/alice

echo
echo "== a dry run says what destroy would do, then it does it in one call per dataset"
old=$("$ZEIT" -H list -r demo | awk -F'\t' '$2=="daily" && $3=="2026-11-27T00:00:00Z" {print $1}')
# shellcheck disable=SC2086
show "$ZEIT" -n destroy $old
# shellcheck disable=SC2086
show "$ZEIT" -vv destroy $old
show "$ZEIT" list -r demo

echo
echo "== the timer's job: mark the tree, take what is due, prune by policy"
zfs set org.zeit:snap=on demo
zfs set org.zeit:keep=frequent=2 demo/home
for t in 00:15 00:30 00:45 01:00; do
	"$ZEIT" --now "2026-11-28T$t:00Z" snap --auto >/dev/null
done
show "$ZEIT" -n --now 2026-11-28T01:00:00Z prune demo/home/alice
show "$ZEIT" --now 2026-11-28T01:00:00Z prune

echo
echo "== what changed between two snapshots"
mnt=$(zfs get -H -o value mountpoint demo/home/alice)
echo "first" >"$mnt/notes.txt"
"$ZEIT" --now 2026-11-28T01:15:00Z snap -t hourly demo/home/alice >/dev/null
echo "second" >>"$mnt/notes.txt"
"$ZEIT" --now 2026-11-28T01:30:00Z snap -t hourly demo/home/alice >/dev/null
show "$ZEIT" diff demo/home/alice@zeit_hourly_20261128T011500Z demo/home/alice@zeit_hourly_20261128T013000Z
show "$ZEIT" diff --content demo/home/alice@zeit_hourly_20261128T011500Z demo/home/alice@zeit_hourly_20261128T013000Z /
echo
echo "demo finished"
