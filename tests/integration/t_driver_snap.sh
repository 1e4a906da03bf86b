# Creating and destroying snapshots and datasets.

test_snapshot_atomic_many_datasets() {
	zfs create -p tank/a/b
	zfs create tank/c
	ok "$ZDRV" -v snapshot org.zeit:tier=daily tank@x tank/a@x tank/a/b@x tank/c@x
	has "$ERR" "calls	1"
	# One call, one txg: all four share a createtxg.
	eq 1 "$(zfs list -H -p -o createtxg -t snapshot -r tank | sort -u | wc -l)" "one txg"
	eq daily "$(zfs get -H -o value org.zeit:tier tank/a/b@x)"
}

test_snapshot_all_or_nothing() {
	zfs create tank/a
	zfs snapshot tank/a@x
	# One of the names exists: zfs refuses the whole batch.
	fails "exists" "$ZDRV" snapshot - tank@x tank/a@x
	exists tank@x && fail "tank@x was created though the batch failed"
	fails "different pools" "$ZDRV" snapshot - tank@y other@y
	fails "expected a snapshot" "$ZDRV" snapshot - tank
}

test_destroy_batched_per_dataset() {
	zfs create tank/a
	zfs create tank/b
	names=()
	for i in 1 2 3 4 5; do
		zfs snapshot tank/a@s$i tank/b@s$i
		names+=("tank/a@s$i" "tank/b@s$i")
	done
	ok "$ZDRV" -vv destroy "${names[@]:0:6}"
	# Two datasets, so exactly two zfs destroy calls.
	eq 2 "$(grep -c 'run: zfs destroy' <<<"$ERR")" "destroy calls"
	has "$ERR" "zfs destroy tank/a@s1,s2,s3"
	eq "tank/a@s4 tank/a@s5 tank/b@s4 tank/b@s5" "$(zfs_names -t snapshot -r tank | paste -sd' ')"
}

test_destroy_split_at_argument_limit() {
	# The real limit is 64 KiB a batch; zdrv lowers it so a dozen
	# snapshots (one zfs call each to make) must split.
	zfs create tank/a
	names=()
	for i in $(seq -w 1 12); do
		zfs snapshot "tank/a@zeit_hourly_$i"
		names+=("tank/a@zeit_hourly_$i")
	done
	ok "$ZDRV" -vv --destroy-limit 60 destroy "${names[@]}"
	calls=$(grep -c 'run: zfs destroy' <<<"$ERR")
	eq 4 "$calls" "batches under 60 bytes"
	has "$ERR" "run: zfs destroy tank/a@zeit_hourly_01,zeit_hourly_02,zeit_hourly_03"
	eq "" "$(zfs_names -t snapshot -r tank)" "all destroyed"
}

test_destroy_held_snapshot_refused() {
	zfs snapshot tank@keep
	zfs snapshot tank@other
	zfs hold mine tank@keep
	fails "dataset is busy|held|busy" "$ZDRV" -v destroy tank@keep
	has "$ERR" "zfs destroy tank@keep"
	exists tank@keep || fail "held snapshot vanished"
	# Deferred destroy marks it and lets it go when released.
	ok "$ZDRV" destroy -d tank@keep
	exists tank@keep || fail "deferred destroy removed a held snapshot"
	eq on "$(zfs get -H -o value defer_destroy tank@keep)"
	zfs release mine tank@keep
	exists tank@keep && fail "deferred snapshot survived its release"
	true
}

test_destroy_clone_origin_refused() {
	zfs create tank/a
	zfs snapshot tank/a@base
	zfs clone tank/a@base tank/c
	fails "dependent clones|busy" "$ZDRV" destroy tank/a@base
	exists tank/a@base || fail "origin destroyed"
}

test_create_and_destroy_dataset() {
	ok "$ZDRV" create -p tank/x/y/z canmount=noauto org.zeit:be=yes
	eq noauto "$(zfs get -H -o value canmount tank/x/y/z)"
	eq yes "$(zfs get -H -o value org.zeit:be tank/x/y/z)"
	fails "does not exist" "$ZDRV" create tank/q/r
	fails "exists" "$ZDRV" create tank/x
	zfs snapshot tank/x/y/z@s
	fails "has children|snapshots" "$ZDRV" destroy-dataset tank/x/y/z
	ok "$ZDRV" destroy-dataset -r tank/x
	exists tank/x && fail "tank/x still there"
	fails "pool's root" "$ZDRV" destroy-dataset tank
	fails "zpool" "$ZDRV" -v create tank
}

test_pool_full() {
	zvm_file_pool small 64M
	zfs create -o compression=off small/fill
	dd if=/dev/urandom of=/tmp/mnt/small/fill/big bs=1M count=200 2>/dev/null || true
	zfs set quota=none small/fill
	# With the pool full, a reservation that cannot fit fails with zfs's
	# own out-of-space message and the command line.
	fails "out of space|space" "$ZDRV" -v create small/res refreservation=500M
	has "$ERR" "zfs create -o refreservation=500M small/res"
}
