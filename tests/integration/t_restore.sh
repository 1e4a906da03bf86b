# zeit restore on real ZFS: a deleted tree comes back with owners, modes,
# times and extended attributes, after a guard snapshot; -n changes
# nothing; a snapshot's links and FIFOs come back as what they are, and a
# link on the way in the live dataset is never written through.

xattr_get() { python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).decode())' "$1" "$2"; }
xattr_set() { python3 -c 'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode(), follow_symlinks=False)' "$1" "$2" "$3"; }

# Owner, group, mode, mtime, type and size of every entry below $1.
tree_meta() { (cd "$1" && find . -printf '%p %u:%g %m %T@ %y %s %l\n' | sort); }

restore_fixture() {
	zfs create tank/data
	M=/tmp/mnt/tank/data
	mkdir -p $M/etc/libvirt/qemu/networks
	echo '<domain/>' >$M/etc/libvirt/qemu/vm1.xml
	echo 'listen_tls = 0' >$M/etc/libvirt/libvirtd.conf
	echo '<network/>' >$M/etc/libvirt/qemu/networks/default.xml
	ln -s ../default.xml $M/etc/libvirt/qemu/networks/autostart
	ln -s /etc/shadow $M/etc/libvirt/shadow-link
	mkfifo $M/etc/libvirt/control.fifo
	chown 64055:64055 $M/etc/libvirt/qemu $M/etc/libvirt/qemu/vm1.xml
	chown 0:64055 $M/etc/libvirt/libvirtd.conf
	chmod 0750 $M/etc/libvirt/qemu
	chmod 0640 $M/etc/libvirt/libvirtd.conf
	chmod 4711 $M/etc/libvirt/qemu/vm1.xml # set-id survives the chown
	xattr_set $M/etc/libvirt/libvirtd.conf user.origin debian
	xattr_set $M/etc/libvirt/qemu user.dir-label qemu
	touch -h -d @1700000000 $M/etc/libvirt/qemu/networks/autostart
	touch -d @1700000100 $M/etc/libvirt/libvirtd.conf
	zfs snapshot tank/data@before
}

test_restore_deleted_tree_with_owners_modes_xattrs() {
	restore_fixture
	local want
	want=$(tree_meta $M/etc/libvirt)
	rm -rf $M/etc/libvirt
	echo keep >$M/etc/other
	local state
	state=$(zfs list -H -t all -o name -r tank)
	# -n: names what would come back, changes nothing.
	ok "$ZEIT" -n restore $M/etc/libvirt --from before
	has "$OUT" "would create directory /etc/libvirt"
	has "$OUT" "would create file /etc/libvirt/qemu/vm1.xml"
	has "$OUT" "would create symlink /etc/libvirt/shadow-link"
	[ ! -e $M/etc/libvirt ] || fail "-n restored something"
	eq "$state" "$(zfs list -H -t all -o name -r tank)" "-n took a snapshot"
	ok "$ZEIT" -j restore $M/etc/libvirt --from before
	local guard
	guard=$(jq -r .guard <<<"$OUT")
	case $guard in tank/data@zeit-restore_*Z) ;; *) fail "guard named $guard" ;; esac
	exists "$guard" || fail "no guard snapshot $guard"
	eq /etc/libvirt "$(zfs get -H -o value org.zeit:restore-guard "$guard")" "guard's mark"
	eq 9 "$(jq .entries <<<"$OUT")" "entries restored"
	eq "$want" "$(tree_meta $M/etc/libvirt)" "owners, modes, times, types"
	eq debian "$(xattr_get $M/etc/libvirt/libvirtd.conf user.origin)" "file xattr"
	eq qemu "$(xattr_get $M/etc/libvirt/qemu user.dir-label)" "directory xattr"
	eq /etc/shadow "$(readlink $M/etc/libvirt/shadow-link)" "link kept as a link"
	[ -p $M/etc/libvirt/control.fifo ] || fail "the FIFO is not a FIFO"
	eq keep "$(cat $M/etc/other)" "what was not restored"
	# The guard holds the state before: no libvirt there.
	[ ! -e $M/.zfs/snapshot/${guard#*@}/etc/libvirt ] || fail "guard taken after"
}

test_restore_overwrite_in_place_to_dir_and_links_on_the_way() {
	restore_fixture
	echo 'listen_tls = 1' >$M/etc/libvirt/libvirtd.conf
	ok "$ZEIT" -n -H restore tank/data /etc/libvirt/libvirtd.conf --from tank/data@before
	eq "overwrite	file	/etc/libvirt/libvirtd.conf" "$OUT" "-n -H"
	eq 'listen_tls = 1' "$(cat $M/etc/libvirt/libvirtd.conf)" "-n wrote"
	ok "$ZEIT" restore tank/data /etc/libvirt/libvirtd.conf --from before
	eq 'listen_tls = 0' "$(cat $M/etc/libvirt/libvirtd.conf)" "restored in place"
	# Two restores in one second (here, at one --now): each its own guard.
	ok "$ZEIT" -j --now 2026-12-01T10:00:00Z restore tank/data /etc/libvirt/libvirtd.conf --from before
	eq tank/data@zeit-restore_20261201T100000Z "$(jq -r .guard <<<"$OUT")" "first guard"
	ok "$ZEIT" -j --now 2026-12-01T10:00:00Z restore tank/data /etc/libvirt/libvirtd.conf --from before
	eq tank/data@zeit-restore_20261201T100000Z_2 "$(jq -r .guard <<<"$OUT")" "second guard, same second"
	# --to: into another directory, under its own name.
	local to elsewhere
	to=$(mktemp -d /tmp/restore-to.XXXXXX)
	ok "$ZEIT" restore $M/etc/libvirt/qemu --from before --to "$to"
	eq '<domain/>' "$(cat "$to/qemu/vm1.xml")" "--to"
	# A link on the way in the live dataset: refused, nothing written
	# where it points.
	elsewhere=$(mktemp -d /tmp/restore-elsewhere.XXXXXX)
	rm -rf $M/etc/libvirt
	ln -s "$elsewhere" $M/etc/libvirt
	local n
	n=$(zfs list -H -t snapshot -o name -r tank | wc -l)
	fails "symbolic link" "$ZEIT" --now 2026-12-01T10:00:00Z restore tank/data /etc/libvirt/libvirtd.conf --from before
	[ -z "$(ls -A "$elsewhere")" ] || fail "wrote through a link: $(ls -A "$elsewhere")"
	# Refused before anything was written: its guard is gone again.
	eq "$n" "$(zfs list -H -t snapshot -o name -r tank | wc -l)" "guard of a refused restore"
	# A snapshot without the path: an error, and no guard taken.
	fails "No such file" "$ZEIT" restore tank/data /etc/nothing --from before
	eq "$n" "$(zfs list -H -t snapshot -o name -r tank | wc -l)" "guard for nothing"
}
