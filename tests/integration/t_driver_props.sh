# Properties: get, set, inherit, pool properties.

test_props_get_set_inherit() {
	zfs create -p tank/a/b
	ok "$ZDRV" set tank/a org.zeit:snap=on 'org.zeit:note=hello world' compression=lz4
	eq on "$(zfs get -H -o value org.zeit:snap tank/a)"
	eq "hello world" "$(zfs get -H -o value org.zeit:note tank/a)"
	eq lz4 "$(zfs get -H -o value compression tank/a)"
	ok "$ZDRV" get 0 org.zeit:snap,compression tank/a/b
	eq "$(printf 'tank/a/b\torg.zeit:snap\ton\tinherited\ttank/a\ntank/a/b\tcompression\tlz4\tinherited\ttank/a')" "$OUT"
	ok "$ZDRV" get -1 org.zeit:snap tank
	eq "$(printf 'tank\torg.zeit:snap\t-\tnone\ntank/a\torg.zeit:snap\ton\tlocal\ntank/a/b\torg.zeit:snap\ton\tinherited\ttank/a')" "$OUT"
	ok "$ZDRV" set tank/a/b org.zeit:snap=off
	ok "$ZDRV" inherit tank/a/b org.zeit:snap
	eq "inherited from tank/a" "$(zfs get -H -o source org.zeit:snap tank/a/b)"
	ok "$ZDRV" set tank/a/b org.zeit:snap=off
	ok "$ZDRV" inherit -r tank/a org.zeit:snap
	eq "-" "$(zfs get -H -o value org.zeit:snap tank/a/b)"
	ok "$ZDRV" get 0 all tank/a
	has "$OUT" "tank/a	mountpoint	/tmp/mnt/tank/a	inherited	tank"
	has "$OUT" "tank/a	used	"
}

test_props_on_snapshot() {
	zfs snapshot tank@s
	ok "$ZDRV" set tank@s org.zeit:bisect=good
	ok "$ZDRV" get 0 org.zeit:bisect tank@s
	eq "$(printf 'tank@s\torg.zeit:bisect\tgood\tlocal')" "$OUT"
}

test_pool_props() {
	zfs create -p tank/ROOT/void
	ok "$ZDRV" pool-set tank bootfs tank/ROOT/void
	ok "$ZDRV" pool-get tank bootfs
	eq "$(printf 'tank\tbootfs\ttank/ROOT/void\tlocal')" "$OUT"
	if zpool_has_user_props; then
		ok "$ZDRV" pool-set tank org.zeit:note tank/ROOT/void
		ok "$ZDRV" pool-get tank org.zeit:note,bootfs
		has "$OUT" "tank	org.zeit:note	tank/ROOT/void	local"
		eq tank/ROOT/void "$(zpool get -H -o value org.zeit:note tank)"
	else
		# OpenZFS 2.1: the driver says what this zpool lacks.
		fails "^zdrv: this zpool has no pool user properties, needed for 'org.zeit:note' \(OpenZFS 2.2 has them\)$" \
			"$ZDRV" pool-set tank org.zeit:note tank/ROOT/void
		fails "^zdrv: this zpool has no pool user properties, needed for 'org.zeit:note' \(OpenZFS 2.2 has them\)$" \
			"$ZDRV" pool-get tank org.zeit:note,bootfs
	fi
}

test_props_errors() {
	fails "expected name=value" "$ZDRV" set tank novalue
	fails "^zdrv: cannot open 'tank/nope': dataset does not exist$" "$ZDRV" set tank/nope org.zeit:x=1
	fails "does not exist" "$ZDRV" -v set tank/nope org.zeit:x=1
	has "$ERR" "zfs set org.zeit:x=1 tank/nope"
	fails "invalid|bad|property" "$ZDRV" set tank compression=bogus
	fails "does not exist|no such pool" "$ZDRV" pool-get nopool bootfs
	fails "expected a pool" "$ZDRV" pool-get tank/a bootfs
}
