# Forged rows: ZFS stores any byte in a user property's value, newlines and
# tabs included, and `zfs list -H`/`zfs get -H`/`zpool get -H` print them
# raw. Whoever can set a property (a replication client through serve, a
# delegated user) must not be able to make zeit see a row zfs did not
# print. Each test runs twice: with zfs's JSON output (-j), and with the
# checked -H fallback that a zfs without -j gets (ZEIT_ZFS_NO_JSON=1).

T0=1793491200 # 2026-11-01T00:00:00Z
D=86400

# both FN: FN in JSON mode, then in the forced fallback. A zfs without -j
# (OpenZFS 2.1) runs the fallback both times: once as zeit finds it out,
# once forced.
both() {
	if zfs_has_json; then
		(unset ZEIT_ZFS_NO_JSON; "$1" json)
	else
		(unset ZEIT_ZFS_NO_JSON; "$1" fallback)
	fi
	(export ZEIT_ZFS_NO_JSON=1; "$1" fallback)
}

# The -H row prune's listing prints for a dataset, with keep as its policy:
# name, type, the eight snapshot marks, org.zeit:keep, org.zeit:prune.
prune_row() {
	printf '%s\tfilesystem\t-\t-\t-\t-\t-\t-\t-\t-\t%s\t-' "$1" "$2"
}

# The attack on a backup host that prunes without channel programs: the
# client's dataset carries a value whose newlines forge rows giving
# another client's dataset a policy that keeps nothing.
forged_prune() {
	local mode=$1
	zfs destroy -r tank/backup 2>/dev/null || true
	zfs create -p tank/backup/client
	zfs create -p tank/backup/other
	for i in 1 2 3; do
		"$ZEIT" --now "@$((T0 + i * D))" snap -t daily tank/backup/other tank/backup/client >/dev/null
	done
	local before value
	before=$(zfs list -H -o name,guid -t snapshot -r tank/backup/other)
	eq 3 "$(wc -l <<<"$before")" "fixture"
	value="-"
	for _ in 1 2 3 4 5 6 7 8; do
		value+=$'\n'$(prune_row tank/backup/other frequent=0,hourly=0,daily=0,weekly=0,monthly=0,yearly=0)
	done
	zfs set "org.zeit:prune=$value" tank/backup/client
	printf '[defaults]\nchannel_program = no\n' >/tmp/forged.conf
	rc=0
	"$ZEIT" --now "@$((T0 + 40 * D))" --config /tmp/forged.conf prune >/tmp/prune.out 2>/tmp/prune.err || rc=$?
	# Whatever prune made of it, the other client's history is intact.
	eq "$before" "$(zfs list -H -o name,guid -t snapshot -r tank/backup/other)" \
		"$mode: snapshots outside the client's dataset"
	if [ "$mode" = fallback ]; then
		[ "$rc" -ne 0 ] || fail "fallback: prune accepted a forged listing"
		grep -q "tank/backup/client" /tmp/prune.err ||
			fail "fallback: the error names the dataset: $(cat /tmp/prune.err)"
	else
		[ "$rc" -eq 0 ] || fail "json: prune failed: $(cat /tmp/prune.err)"
	fi
}

test_forged_rows_prune_outside_root() {
	both forged_prune
}

# zeit status reads every dataset's marks: a forged row adds a dataset
# that does not exist (and a duplicate of one that does).
forged_status() {
	local mode=$1
	rc=0
	"$ZEIT" --now "@$((T0 + 2 * D))" status -H >/tmp/status.out 2>/tmp/status.err || rc=$?
	if grep -q "tank/ghost" /tmp/status.out; then
		fail "$mode: status shows a forged dataset: $(cat /tmp/status.out)"
	fi
	if [ "$mode" = fallback ]; then
		[ "$rc" -ne 0 ] || fail "fallback: status accepted a forged listing"
		grep -q "tank/s" /tmp/status.err || fail "fallback: $(cat /tmp/status.err)"
	else
		grep -q "tank/s" /tmp/status.out || fail "json: tank/s missing: $(cat /tmp/status.out) $(cat /tmp/status.err)"
	fi
}

test_forged_rows_status() {
	zfs create tank/s
	zfs set org.zeit:snap=on org.zeit:keep=frequent=0,hourly=0,daily=3,weekly=0,monthly=0 tank/s
	"$ZEIT" --now "@$((T0 + D))" snap -t daily tank/s >/dev/null
	# A newline in the last column forges a whole row after it.
	ghost=$(printf 'tank/ghost\tfilesystem\ton\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-')
	zfs set "org.zeit:last-sent=x"$'\n'"$ghost" tank/s
	both forged_status
}

# The driver itself, call by call. The values are crafted against the
# plain -H layouts (name,type,PROP / name,property,value,source).
forged_driver() {
	local mode=$1
	if [ "$mode" = json ]; then
		# zfs list: the one dataset asked for, its value intact.
		ok "$ZDRV" --escape list-datasets tank/c 0 org.zeit:note
		eq "$(printf 'tank/c\tfilesystem\tx\\012tank/forged\\011filesystem\\011evil')" "$OUT"
		# zfs get: one row a property, the unset one unset.
		ok "$ZDRV" --escape get 0 org.zeit:note,org.zeit:keep tank/g
		eq "$(printf 'tank/g\torg.zeit:note\tx\\011local\\012tank/g\\011org.zeit:keep\\011frequent=0\tlocal\ntank/g\torg.zeit:keep\t-\tnone')" "$OUT"
		ok "$ZDRV" --escape get 0 all tank/g
		# (all lists only the user properties that are set)
		eq 0 "$(grep -c '^tank/g	org.zeit:keep' <<<"$OUT" || true)" "keep rows in get all"
		has "$OUT" "tank/g	org.zeit:note	x\011local"
		# zpool get: bootfs is what the pool says.
		ok "$ZDRV" --escape pool-get tank bootfs,org.zeit:nextboot
		eq "$(printf 'tank\tbootfs\t-\tdefault\ntank\torg.zeit:nextboot\tx\\011local\\012tank\\011bootfs\\011tank/ROOT/evil\tlocal')" "$OUT"
	else
		fails "zfs list printed.*tank/c" "$ZDRV" list-datasets tank/c 0 org.zeit:note
		fails "zfs list printed.*tank/c" "$ZDRV" list-datasets tank -1 org.zeit:note
		fails "zfs get printed.*tank/g" "$ZDRV" get 0 org.zeit:note,org.zeit:keep tank/g
		fails "zfs get printed" "$ZDRV" get 0 all tank/g
		if zpool_has_user_props; then
			fails "zpool get printed.*tank" "$ZDRV" pool-get tank bootfs,org.zeit:nextboot
			fails "zpool get printed" "$ZDRV" pool-get tank all
			# Values alone: a user property named still takes the
			# second listing that finds the forged row.
			fails "zpool get printed" "$ZDRV" pool-values tank bootfs,org.zeit:nextboot
		else
			# No pool user property, no value to forge a row with;
			# asking for one says what is missing.
			fails "^zdrv: this zpool has no pool user properties, needed for 'org.zeit:nextboot' \(OpenZFS 2.2 has them\)$" \
				"$ZDRV" pool-get tank bootfs,org.zeit:nextboot
			ok "$ZDRV" pool-get tank all
			has "$OUT" "tank	bootfs	-	default"
		fi
	fi
	# Native pool properties alone carry no value a user chose: one
	# listing, every pool's, as zpool prints them.
	ok "$ZDRV" -vv pool-values - bootfs,capacity
	eq "$(zpool get -H -p -o name,property,value bootfs,capacity | sort)" "$(cut -f1-3 <<<"$OUT" | sort)" "$mode: pool values"
	has "$ERR" "run: zpool get " "$mode: zpool get run"
	hasnt "$ERR" "run: zpool get -H -p -o name,property,source" "$mode: a listing of sources"
	# Listings that carry no value are untouched by one.
	ok "$ZDRV" list-datasets tank -1
	eq "$(zfs list -H -o name,type -r tank)" "$OUT" "datasets without values"
	ok "$ZDRV" list-snapshots -r tank
	eq "$(zfs list -H -p -o name,guid,createtxg -t snapshot -s createtxg -r tank)" "$(cut -f1-3 <<<"$OUT")"
	# A hold tag with a tab and a newline poses as a hold on another
	# snapshot: refused in both modes (zfs holds has no -j).
	fails "zfs holds printed tank/d@s, which was not asked for" "$ZDRV" holds tank/c@s
	fails "zfs holds printed 1 holds on tank/d@s, which has 0" "$ZDRV" holds -r tank@s
	# An honest hold still lists.
	ok "$ZDRV" holds tank/g@s
	eq "tank/g@s	keep" "$(cut -f1-2 <<<"$OUT")"
}

test_forged_rows_driver() {
	zfs create tank/c
	zfs create tank/d
	zfs create tank/g
	zfs snapshot -r tank@s
	zfs set "org.zeit:note=x"$'\ntank/forged\tfilesystem\tevil' tank/c
	zfs set "org.zeit:note=x"$'\tlocal\ntank/g\torg.zeit:keep\tfrequent=0' tank/g
	if zpool_has_user_props; then
		zpool set "org.zeit:nextboot=x"$'\tlocal\ntank\tbootfs\ttank/ROOT/evil' tank
	fi
	zfs hold "$(printf 'x\t1\ntank/d@s\tzeit-send')" tank/c@s
	zfs hold keep tank/g@s
	both forged_driver
}

# Escape bytes and tabs without newlines end no row: JSON and the
# fallback both keep them as they are (whoever prints them escapes them).
escapes() {
	ok "$ZDRV" get 0 org.zeit:note tank/e
	eq "$(printf 'tank/e\torg.zeit:note\ta\tb\033[2Jc\tlocal')" "$OUT" "$1"
	ok "$ZDRV" list-datasets tank/e 0 org.zeit:note mountpoint
	eq "$(printf 'tank/e\tfilesystem\ta\tb\033[2Jc\t/tmp/mnt/tank/e')" "$OUT" "$1"
}

test_forged_rows_escapes() {
	zfs create tank/e
	zfs set "org.zeit:note=$(printf 'a\tb\033[2Jc')" tank/e
	both escapes
}

# A value that is not UTF-8 stops zfs's JSON writer short (exit 0): zeit
# asks again with -H, which takes it (it is no control byte).
test_forged_rows_not_utf8() {
	zfs create tank/u
	zfs set "org.zeit:note=$(printf 'a\200b')" tank/u
	ok "$ZDRV" -v get 0 org.zeit:note tank/u
	eq "$(printf 'tank/u\torg.zeit:note\ta\200b\tlocal')" "$OUT"
	if zfs_has_json; then
		has "$ERR" "listing again with -H"
	else
		has "$ERR" "zfs has no -j; listing with -H"
	fi
	ok "$ZDRV" list-datasets tank/u 0 org.zeit:note
	eq "$(printf 'tank/u\tfilesystem\ta\200b')" "$OUT"
}
