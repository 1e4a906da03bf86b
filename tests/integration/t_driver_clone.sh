# Clone, promote, rollback, rename, bookmarks.

test_clone_promote() {
	zfs create -p tank/ROOT/a
	echo one >/tmp/mnt/tank/ROOT/a/f
	zfs snapshot tank/ROOT/a@s1
	ok "$ZDRV" clone tank/ROOT/a@s1 tank/ROOT/b canmount=noauto
	eq tank/ROOT/a@s1 "$(zfs get -H -o value origin tank/ROOT/b)"
	eq noauto "$(zfs get -H -o value canmount tank/ROOT/b)"
	ok "$ZDRV" promote tank/ROOT/b
	eq tank/ROOT/b@s1 "$(zfs get -H -o value origin tank/ROOT/a)"
	eq - "$(zfs get -H -o value origin tank/ROOT/b)"
	fails "not a cloned|clone" "$ZDRV" promote tank/ROOT/b
	fails "exists" "$ZDRV" clone tank/ROOT/b@s1 tank/ROOT/a
}

test_rollback() {
	zfs create tank/a
	echo one >/tmp/mnt/tank/a/f
	zfs snapshot tank/a@s1
	echo two >/tmp/mnt/tank/a/f
	zfs snapshot tank/a@s2
	echo three >/tmp/mnt/tank/a/f
	ok "$ZDRV" rollback tank/a@s2
	eq two "$(cat /tmp/mnt/tank/a/f)"
	fails "more recent snapshots" "$ZDRV" rollback tank/a@s1
	exists tank/a@s2 || fail "s2 destroyed without -r"
	ok "$ZDRV" rollback -r tank/a@s1
	eq one "$(cat /tmp/mnt/tank/a/f)"
	exists tank/a@s2 && fail "s2 survived rollback -r"
	true
}

test_rename() {
	zfs create -p tank/a/b
	zfs snapshot -r tank/a@s
	ok "$ZDRV" rename -r tank/a@s tank/a@t
	exists tank/a@t || fail "snapshot rename failed"
	exists tank/a/b@t || fail "recursive snapshot rename missed a child"
	ok "$ZDRV" rename tank/a/b tank/a/c
	exists tank/a/c@t || fail "rename failed"
	ok "$ZDRV" rename -p tank/a/c tank/x/y/c
	exists tank/x/y/c || fail "rename -p failed"
	ok "$ZDRV" rename -u tank/a tank/z
	exists tank/z || fail "rename -u failed"
	fails "recursive rename is for snapshots" "$ZDRV" rename -r tank/z tank/w
	fails "does not exist" "$ZDRV" rename tank/nope tank/nope2
	fails "expected a snapshot" "$ZDRV" rename tank/z@t tank/w
}

test_bookmarks() {
	zfs create tank/a
	zfs snapshot tank/a@s1
	ok "$ZDRV" bookmark tank/a@s1 tank/a#m1
	eq "$(zfs get -H -p -o value guid tank/a@s1)" "$(zfs get -H -p -o value guid tank/a#m1)"
	ok "$ZDRV" bookmark tank/a#m1 tank/a#m2
	exists tank/a#m2 || fail "bookmark copy failed"
	ok "$ZDRV" destroy-bookmark tank/a#m1
	exists tank/a#m1 && fail "bookmark not destroyed"
	fails "expected a bookmark" "$ZDRV" destroy-bookmark tank/a@s1
	fails "does not exist" "$ZDRV" bookmark tank/a@nope tank/a#x
}

test_holds() {
	zfs create tank/a
	zfs snapshot -r tank@s
	ok "$ZDRV" hold zeit:send:backup tank@s
	ok "$ZDRV" hold -r other tank@s
	ok "$ZDRV" holds -r tank@s
	eq 3 "$(wc -l <<<"$OUT")" "hold count"
	has "$OUT" "tank@s	zeit:send:backup	"
	has "$OUT" "tank/a@s	other	"
	ts=$(grep 'tank@s	zeit' <<<"$OUT" | cut -f3)
	now=$(date +%s)
	if zfs holds -H -p tank@s >/dev/null 2>&1; then
		[ $((now - ts)) -lt 600 ] || fail "hold time $ts is not recent"
	else
		# OpenZFS 2.1 has no holds -p: its time is a date for people.
		eq 0 "$ts" "an undated hold"
	fi
	fails "tag already exists" "$ZDRV" hold other tank@s
	ok "$ZDRV" release -r other tank@s
	ok "$ZDRV" holds tank/a@s
	eq "" "$OUT"
	fails "no such tag" "$ZDRV" release other tank@s
	fails "invalid hold tag" "$ZDRV" hold "" tank@s
}
