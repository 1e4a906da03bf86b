# zeit bisect on real ZFS: 30 daily snapshots of an environment whose
# package database is upgraded day by day; on day 17 an upgrade of "foo"
# changes /etc/foo.conf in a way that makes the check fail.

R=tank/ROOT
DAY0=1793491200 # 2026-11-01T00:00:00Z
BAD_DAY=17

day_name() { date -u -d "@$((DAY0 + ($1 - 1) * 86400))" +zeit_daily_%Y%m%dT%H%M%SZ; }

# The check the user would run: does foo's configuration still work?
cat >/var/tmp/zeit-check.sh <<'EOF'
#!/bin/sh
root=${ZEIT_BISECT_ROOT:-}
! grep -q 'mode=broken' "$root/etc/foo.conf"
EOF
chmod +x /var/tmp/zeit-check.sh

make_history() {
	zfs create -o mountpoint=none $R
	zfs create -o mountpoint=/ -o canmount=noauto $R/void
	zfs create -o mountpoint=/ -o canmount=noauto $R/other
	zpool set bootfs=$R/void tank
	local m=/tmp/hist
	mkdir -p $m
	mount -t zfs -o zfsutil $R/void $m
	mkdir -p $m/etc $m/var/lib/dpkg $m/boot
	echo kernel >$m/boot/vmlinuz-6.1.0-13-amd64
	for d in $(seq 1 30); do
		foo=1.0
		conf=mode=fine
		[ "$d" -lt $BAD_DAY ] || { foo=2.0; conf=mode=broken; }
		echo "$conf" >$m/etc/foo.conf
		printf 'Package: foo\nStatus: install ok installed\nVersion: %s\n\nPackage: bar\nStatus: install ok installed\nVersion: 1.%s\n\n' \
			"$foo" "$d" >$m/var/lib/dpkg/status
		sync
		zfs snapshot "$R/void@$(day_name "$d")"
	done
	umount $m
}

# Everything bisect may touch, to compare before start and after reset.
pool_state() {
	zfs list -H -p -o name,guid,userrefs -t all -r tank
	zfs get -H -r -s local -o name,property,value all tank
	zpool get -H -o property,value bootfs tank
}

test_bisect_run_finds_the_day_and_reset_restores() {
	make_history
	before=$(pool_state)
	ok "$ZEIT" bisect start void --good "$(day_name 1)"
	ok "$ZEIT" bisect run /var/tmp/zeit-check.sh
	echo "$OUT" >&2
	has "$OUT" "first bad snapshot: $R/void@$(day_name $BAD_DAY)"
	has "$OUT" "last good snapshot: $R/void@$(day_name $((BAD_DAY - 1)))"
	steps=$(grep -c '^step ' <<<"$OUT")
	# ceil(log2 30) = 5 steps at most.
	[ "$steps" -le 5 ] || fail "$steps steps for 30 snapshots"
	# The culprit package and file.
	has "$OUT" "foo"
	has "$OUT" "2.0"
	has "$OUT" "/etc/foo.conf"
	# No clone is left behind by run.
	eq "" "$(zfs list -H -o name -r $R | grep bisect || true)"
	ok "$ZEIT" bisect log
	has "$OUT" "zeit bisect start $R/void --good $(day_name 1)"
	cp /dev/null /var/tmp/bisect.log
	echo "$OUT" >/var/tmp/bisect.log
	ok "$ZEIT" bisect reset
	eq "$before" "$(pool_state)" "pool state after reset"

	# The log replays to the same answer.
	ok "$ZEIT" bisect replay /var/tmp/bisect.log
	has "$OUT" "first bad snapshot: $R/void@$(day_name $BAD_DAY)"
	ok "$ZEIT" bisect reset
	eq "$before" "$(pool_state)" "pool state after the replay's reset"
}

test_bisect_manual_across_reboots() {
	make_history
	before=$(pool_state)
	ok "$ZEIT" bisect start void --good "$(day_name 1)" --bad "$(day_name 30)" --tier daily
	has "$OUT" "set to boot once"
	fails "in progress" "$ZEIT" bisect start void --good "$(day_name 1)"
	steps=0
	while :; do
		# A "reboot": nothing survives but the pool. The clone that
		# would boot is the one the menu would take.
		rm -f /tmp/zt.err
		next=$(nextboot_of $R)
		[ -n "$next" ] || fail "no environment set to boot once"
		mkdir -p /tmp/under-test
		mount -t zfs -o zfsutil,ro "$next" /tmp/under-test
		verdict=good
		ZEIT_BISECT_ROOT=/tmp/under-test /var/tmp/zeit-check.sh || verdict=bad
		umount /tmp/under-test
		steps=$((steps + 1))
		[ $steps -le 5 ] || fail "more than 5 steps"
		if [ $steps -eq 1 ]; then
			# Marked from inside the clone under test, as a booted
			# system would: zeit rooted in it, / on the clone.
			repo=$(cd "$(dirname "$ZEIT")/.." && pwd)
			cat >/var/tmp/zeit-inside.sh <<-EOF
				set -e
				mkdir -p /tmp/ri
				mount -t zfs -o zfsutil $next /tmp/ri
				for d in usr proc dev sys; do mkdir -p /tmp/ri/\$d; mount --rbind /\$d /tmp/ri/\$d; done
				mkdir -p /tmp/ri/run
				mount -t tmpfs tmpfs /tmp/ri/run
				for l in bin sbin lib lib64; do [ -e /tmp/ri/\$l ] || ln -s usr/\$l /tmp/ri/\$l; done
				mkdir -p /tmp/ri$repo
				mount --bind $repo /tmp/ri$repo
				chroot /tmp/ri $ZEIT bisect $verdict
			EOF
			out=$(unshare -m bash /var/tmp/zeit-inside.sh 2>&1) || fail "marking from inside failed: $out"
		else
			ok "$ZEIT" bisect $verdict
			out=$OUT
		fi
		grep -q "first bad snapshot" <<<"$out" && break
	done
	has "$out" "first bad snapshot: $R/void@$(day_name $BAD_DAY)"
	ok "$ZEIT" bisect status
	has "$OUT" "done: first bad $(day_name $BAD_DAY)"
	ok "$ZEIT" bisect reset
	eq "$before" "$(pool_state)" "pool state after reset"
}

test_bisect_run_on_a_replica() {
	make_history
	zvm_file_pool backup 256M
	zfs create -o mountpoint=none backup/ROOT
	ok "$ZEIT" send $R/void backup/ROOT/void
	before=$(zfs list -H -p -o name,guid -t all -r backup; zfs get -H -r -s local -o name,property,value all backup)
	# The backup pool keeps the history: bisect there, cloning there.
	ok "$ZEIT" bisect --root backup/ROOT start backup/ROOT/void --good "$(day_name 1)"
	ok "$ZEIT" bisect --root backup/ROOT run /var/tmp/zeit-check.sh
	has "$OUT" "first bad snapshot: backup/ROOT/void@$(day_name $BAD_DAY)"
	eq $R/void "$(zpool get -H -o value bootfs tank)" "the bisect on the replica touched the source pool"
	ok "$ZEIT" bisect --root backup/ROOT reset
	eq "$before" "$(zfs list -H -p -o name,guid -t all -r backup; zfs get -H -r -s local -o name,property,value all backup)"
}
