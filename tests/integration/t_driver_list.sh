# Listing through the driver agrees with zfs's own listing.

test_list_datasets_tree_and_depth() {
	zfs create -p tank/a/b/c
	zfs create -V 8M tank/vol
	ok "$ZDRV" list-datasets tank -1
	eq "$(zfs list -H -o name,type -r -t filesystem,volume tank)" "$OUT" "whole tree"
	ok "$ZDRV" list-datasets tank 1
	eq "$(printf 'tank\tfilesystem\ntank/a\tfilesystem\ntank/vol\tvolume')" "$OUT" "depth 1"
	ok "$ZDRV" list-datasets tank/a 0
	eq "$(printf 'tank/a\tfilesystem')" "$OUT" "depth 0"
	ok "$ZDRV" list-datasets -V tank -1
	eq "$(printf 'tank/vol\tvolume')" "$OUT" "volumes only"
	ok "$ZDRV" list-datasets - -1
	has "$OUT" "tank/a/b/c"
}

test_list_datasets_with_user_props() {
	zfs create tank/a
	zfs set org.zeit:snap=on tank/a
	zfs set 'org.zeit:note=two words	and a tab' tank
	ok "$ZDRV" list-datasets tank -1 org.zeit:snap mountpoint org.zeit:note
	eq "$(printf 'tank\tfilesystem\t-\t/tmp/mnt/tank\ttwo words\tand a tab\ntank/a\tfilesystem\ton\t/tmp/mnt/tank/a\ttwo words\tand a tab')" "$OUT"
	want=$OUT
	# Without -j (OpenZFS 2.1, or forced) a tab is the value's own too:
	# the same rows, the tabbed ones' values read again with zfs get (one
	# call for all of them).
	ZEIT_ZFS_NO_JSON=1 ok "$ZDRV" -v list-datasets tank -1 org.zeit:snap mountpoint org.zeit:note
	eq "$want" "$OUT" "the -H listing"
	has "$ERR" "tab in a value of 2 datasets; reading their values with zfs get"
	ZEIT_ZFS_NO_JSON=1 ok "$ZDRV" -v list-datasets tank -1 org.zeit:note
	eq "$(printf 'tank\tfilesystem\ttwo words\tand a tab\ntank/a\tfilesystem\ttwo words\tand a tab')" "$OUT" "one value"
	hasnt "$ERR" "zfs get"
	ZEIT_ZFS_NO_JSON=1 ok "$ZDRV" list-datasets tank -1 org.zeit:snap mountpoint
	eq "$(printf 'tank\tfilesystem\t-\t/tmp/mnt/tank\ntank/a\tfilesystem\ton\t/tmp/mnt/tank/a')" "$OUT"
	# A newline still cannot be told from a forged row: refused, naming
	# the dataset.
	zfs set org.zeit:note=$'two\nlines' tank/a
	ZEIT_ZFS_NO_JSON=1 fails "zfs list printed a malformed line for tank/a" \
		"$ZDRV" list-datasets tank -1 org.zeit:snap org.zeit:note
}

test_list_snapshots_fast_path() {
	zfs create tank/a
	zfs snapshot tank@s0
	zfs snapshot tank/a@s1
	zfs snapshot tank/a@s2
	zfs bookmark tank/a@s1 tank/a#b1
	ok "$ZDRV" list-snapshots tank/a
	eq "$(zfs list -H -p -o name,guid,createtxg -t snapshot -s createtxg -d1 tank/a | sed 's/$/\tsnapshot/')" "$OUT"
	ok "$ZDRV" list-snapshots -r tank
	eq 3 "$(wc -l <<<"$OUT")" "recursive count"
	ok "$ZDRV" list-snapshots -b tank/a
	has "$OUT" "tank/a#b1"
	ok "$ZDRV" list-snapshots -B tank/a
	eq "tank/a#b1" "$(cut -f1 <<<"$OUT")" "bookmarks only"
	# Sorted by createtxg: s1 before s2.
	ok "$ZDRV" list-snapshots tank/a
	eq "tank/a@s1 tank/a@s2" "$(cut -f1 <<<"$OUT" | paste -sd' ')"
	# The guid matches zfs's own.
	eq "$(zfs get -H -p -o value guid tank/a@s2)" "$(grep '@s2' <<<"$OUT" | cut -f2)" "guid"
}

test_list_snapshots_many_fast() {
	# ZFS takes one snapshot per dataset a call: 30 datasets, 10 calls.
	for d in $(seq 1 30); do zfs create "tank/d$d"; done
	for i in $(seq -w 1 10); do
		names=()
		for d in $(seq 1 30); do names+=("tank/d$d@s$i"); done
		ok "$ZDRV" snapshot - "${names[@]}"
	done
	ok "$ZDRV" -v list-snapshots -r tank
	eq 300 "$(wc -l <<<"$OUT")"
	has "$ERR" "calls	1"
	ok "$ZDRV" -vv list-snapshots -r tank
	has "$ERR" "-o name,guid,createtxg -s createtxg"
	eq "$(zfs list -H -p -o name,guid,createtxg -t snapshot -s createtxg -r tank)" "$(cut -f1-3 <<<"$OUT")"
}

test_list_pools() {
	zvm_file_pool other 128M
	ok "$ZDRV" pools
	has "$OUT" tank
	has "$OUT" other
}

test_list_errors() {
	fails "^zdrv: cannot open 'tank/nope': dataset does not exist$" "$ZDRV" list-datasets tank/nope 0
	# At -v the message carries the command line too.
	fails "tank/nope.*does not exist" "$ZDRV" -v list-datasets tank/nope 0
	grep -Eq "zfs list -[jH] -p" <<<"$ERR" || fail "no command line in: $ERR"
	fails "invalid name 'tank/a\\\$b'" "$ZDRV" list-snapshots 'tank/a$b'
	fails "leading '/'" "$ZDRV" list-snapshots /tank
	fails "does not exist" "$ZDRV" list-snapshots nopool/x
}
