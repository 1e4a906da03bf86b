# A zfs-auto-snapshot or sanoid history is zeit's history: bisect --tier,
# list, status and prune read their names, each scheme in its time zone.

R=tank/ROOT
BAD_DAY=29 # of 45

cat >/var/tmp/zeit-adopted-check.sh <<'EOF'
#!/bin/sh
! grep -q 'mode=broken' "${ZEIT_BISECT_ROOT:-}/etc/foo.conf"
EOF
chmod +x /var/tmp/zeit-adopted-check.sh

# snaps NAME...: one zfs snapshot call each (ZFS takes one snapshot of a
# dataset per transaction, channel programs included).
snaps() {
	local n
	for n in "$@"; do zfs snapshot "$n"; done
}

# A boot environment with one snapshot a day, named by name_of DAY (1-45);
# its /etc/foo.conf breaks on BAD_DAY. One zfs snapshot call a day: each
# day's snapshot needs its own content.
make_days() {
	local name_of=$1 m=/tmp/adopted-root
	zfs create -o mountpoint=none $R
	zfs create -o mountpoint=/ -o canmount=noauto $R/void
	zpool set bootfs=$R/void tank
	mkdir -p $m
	mount -t zfs -o zfsutil $R/void $m
	mkdir -p $m/etc
	for d in $(seq 1 45); do
		if [ "$d" -lt $BAD_DAY ]; then echo mode=fine; else echo mode=broken; fi >$m/etc/foo.conf
		[ "$d" -ne 1 ] && [ "$d" -ne $BAD_DAY ] || sync
		zfs snapshot "$R/void@$($name_of "$d")"
	done
	umount $m
}

auto_daily() { date -u -d "2020-06-01 + $(($1 - 1)) days" +zfs-auto-snap_daily-%Y-%m-%d-0000; }
# sanoid's local midnight in Berlin, across the end of summer time on
# 2026-10-25 (days 1-24 CEST, 25-45 CET).
sanoid_daily() { date -d "2026-10-01 + $(($1 - 1)) days" +autosnap_%Y-%m-%d_00:00:00_daily; }

# bisect run --tier daily finds BAD_DAY in at most ceil(log2 45) = 6 steps.
bisect_days() {
	local name_of=$1
	ok "$ZEIT" bisect start void --good "$($name_of 1)" --bad "$($name_of 45)" --tier daily
	echo "$OUT" >&2
	ok "$ZEIT" bisect status
	has "$OUT" "45 candidates"
	ok "$ZEIT" bisect run /var/tmp/zeit-adopted-check.sh
	echo "$OUT" >&2
	has "$OUT" "first bad snapshot: $R/void@$($name_of $BAD_DAY)"
	has "$OUT" "last good snapshot: $R/void@$($name_of $((BAD_DAY - 1)))"
	hasnt "$OUT" "no snapshot was tested"
	steps=$(grep -c '^step ' <<<"$OUT")
	echo "steps: $steps for 45 snapshots" >&2
	[ "$steps" -ge 1 ] && [ "$steps" -le 6 ] || fail "$steps steps for 45 snapshots"
	ok "$ZEIT" bisect reset
}

test_adopted_bisect_auto_snapshot_daily() {
	make_days auto_daily
	bisect_days auto_daily
	# The same when the configuration adopts zfs-auto-snapshot's names.
	printf '[defaults]\nadopt = zfs-auto-snap\n' >/tmp/zeit-adopted.conf
	ZEIT_CONFIG=/tmp/zeit-adopted.conf bisect_days auto_daily
}

test_adopted_bisect_sanoid_daily_across_dst() {
	export TZ=Europe/Berlin
	make_days sanoid_daily
	bisect_days sanoid_daily
	# Local midnight is 22:00 UTC in summer time, 23:00 after it.
	ok "$ZEIT" list -H $R/void
	has "$OUT" "$R/void@autosnap_2026-10-24_00:00:00_daily	daily	2026-10-23T22:00:00Z"
	has "$OUT" "$R/void@autosnap_2026-10-25_00:00:00_daily	daily	2026-10-24T22:00:00Z"
	has "$OUT" "$R/void@autosnap_2026-10-26_00:00:00_daily	daily	2026-10-25T23:00:00Z"
}

# 02:00-02:59 happens twice on 2026-10-25 in Berlin: creation order tells
# which. 02:30 was made before zeit's 01:00Z snapshot, so it is the first
# (00:30Z); 02:15 after it, so the second (01:15Z).
test_adopted_list_dst_fold_by_creation_order() {
	export TZ=Europe/Berlin
	zfs create tank/d
	zfs snapshot tank/d@autosnap_2026-10-25_02:30:00_frequently
	zfs snapshot tank/d@zeit_frequent_20261025T010000Z
	zfs snapshot tank/d@autosnap_2026-10-25_02:15:00_frequently
	ok "$ZEIT" list -H tank/d
	echo "$OUT" >&2
	has "$OUT" "tank/d@autosnap_2026-10-25_02:30:00_frequently	frequent	2026-10-25T00:30:00Z"
	has "$OUT" "tank/d@zeit_frequent_20261025T010000Z	frequent	2026-10-25T01:00:00Z"
	has "$OUT" "tank/d@autosnap_2026-10-25_02:15:00_frequently	frequent	2026-10-25T01:15:00Z"
}

# Good and bad next to each other among the daily candidates: nothing is
# left to test, and bisect says so, with what the filter left out.
test_adopted_bisect_adjacent_says_nothing_tested() {
	zfs create -o mountpoint=none $R
	zfs create -o mountpoint=/ -o canmount=noauto $R/void
	zpool set bootfs=$R/void tank
	zfs snapshot $R/void@zeit_daily_20261101T000000Z
	snaps $R/void@zfs-auto-snap_hourly-2026-11-01-0100 \
		$R/void@zfs-auto-snap_hourly-2026-11-01-0200 \
		$R/void@zfs-auto-snap_hourly-2026-11-01-0300 \
		$R/void@zfs-auto-snap_hourly-2026-11-01-0400 \
		$R/void@autosnap_2026-11-01_11:00:00_hourly \
		$R/void@autosnap_2026-11-01_12:00:00_hourly $R/void@before-upgrade
	zfs snapshot $R/void@zeit_daily_20261102T000000Z
	local rc=0
	OUT=$("$ZEIT" bisect start void --good zeit_daily_20261101T000000Z \
		--bad zeit_daily_20261102T000000Z --tier daily) || rc=$?
	echo "$OUT" >&2
	eq 1 "$rc" "exit of a bisection that tested nothing"
	has "$OUT" "no snapshot was tested"
	has "$OUT" "7 snapshots between them"
	has "$OUT" "4 zfs-auto-snapshot"
	has "$OUT" "2 sanoid"
	has "$OUT" "1 of no scheme"
	hasnt "$OUT" "first bad snapshot:"
	ok "$ZEIT" bisect status
	has "$OUT" "no snapshot was tested"
	ok "$ZEIT" bisect reset
}

# A machine that ran zfs-auto-snapshot (names in UTC, as its script writes)
# and sanoid at UTC+2 until yesterday, and zeit from today.
test_adopted_list_status_prune() {
	export TZ=Europe/Berlin
	zfs create tank/d
	zfs set com.sun:auto-snapshot=true tank/d
	snaps tank/d@autosnap_2026-11-01_02:00:00_monthly \
		tank/d@zfs-auto-snap_daily-2026-11-28-0000 \
		tank/d@zfs-auto-snap_daily-2026-11-29-0000 \
		tank/d@zfs-auto-snap_daily-2026-11-30-0000 \
		tank/d@autosnap_2026-11-30_02:00:00_weekly \
		tank/d@zfs-auto-snap_hourly-2026-11-30-2200 \
		tank/d@zfs-auto-snap_frequent-2026-11-30-2300 \
		tank/d@zfs-auto-snap_hourly-2026-11-30-2300 \
		tank/d@zfs-auto-snap_frequent-2026-11-30-2345
	printf '[defaults]\nadopt = zfs-auto-snap, autosnap\n[adopt]\nautosnap.timezone = local\n' >/tmp/zeit-adopted.conf
	export ZEIT_CONFIG=/tmp/zeit-adopted.conf ZEIT_NOW=2026-12-01T09:00:00Z

	ok "$ZEIT" list -H tank/d
	has "$OUT" "tank/d@zfs-auto-snap_daily-2026-11-30-0000	daily	2026-11-30T00:00:00Z"
	has "$OUT" "tank/d@zfs-auto-snap_hourly-2026-11-30-2300	hourly	2026-11-30T23:00:00Z"
	has "$OUT" "tank/d@zfs-auto-snap_frequent-2026-11-30-2345	frequent	2026-11-30T23:45:00Z"
	# sanoid at Berlin's UTC+1 in winter: 02:00 local is 01:00 UTC.
	has "$OUT" "tank/d@autosnap_2026-11-30_02:00:00_weekly	weekly	2026-11-30T01:00:00Z"
	has "$OUT" "tank/d@autosnap_2026-11-01_02:00:00_monthly	monthly	2026-11-01T01:00:00Z"

	# Yesterday's daily (33 hours old) is fresh today.
	OUT=$("$ZEIT" status -H tank/d 2>&1) || true
	echo "$OUT" >&2
	grep -E "^OK	tank/d	daily" <<<"$OUT" >/dev/null ||
		fail "daily tier not fresh: $OUT"
	grep -E "^OK	tank/d	weekly" <<<"$OUT" >/dev/null ||
		fail "weekly tier not fresh: $OUT"

	ok "$ZEIT" -n prune tank/d
	echo "$OUT" >&2
	has "$OUT" "zfs-auto-snap_daily-2026-11-30-0000"
	grep -E "zfs-auto-snap_daily-2026-11-30-0000.*daily: one of the newest" <<<"$OUT" >/dev/null ||
		fail "adopted daily not planned by its tier: $OUT"
	grep -E "zfs-auto-snap_frequent-2026-11-30-2300.*frequent: one of the newest" <<<"$OUT" >/dev/null ||
		fail "adopted frequent not planned by its tier: $OUT"
	grep -E "autosnap_2026-11-30_02:00:00_weekly.*weekly: one of the newest" <<<"$OUT" >/dev/null ||
		fail "adopted weekly not planned by its tier: $OUT"

	# Ages use the UTC time: sanoid's weekly (02:00 Berlin = 01:00Z) is
	# 32 hours old at 09:00Z, past 31.5 hours (read as UTC it would be 31).
	zfs set org.zeit:keep=weekly=1890m tank/d
	ok "$ZEIT" -n prune tank/d
	grep -E "autosnap_2026-11-30_02:00:00_weekly +destroy +weekly: older than" <<<"$OUT" >/dev/null ||
		fail "adopted weekly's age not from its UTC time: $OUT"
	zfs set org.zeit:keep=weekly=1950m tank/d
	ok "$ZEIT" -n prune tank/d
	grep -E "autosnap_2026-11-30_02:00:00_weekly +keep +weekly: younger than" <<<"$OUT" >/dev/null ||
		fail "adopted weekly's age not from its UTC time: $OUT"

	# Without adoption the same history counts for nothing.
	printf '[defaults]\nadopt = zeit\n' >/tmp/zeit-adopted.conf
	OUT=$("$ZEIT" status -H tank/d 2>&1) || true
	grep -E "^CRITICAL	tank/d	daily" <<<"$OUT" >/dev/null ||
		fail "daily tier counted without adoption: $OUT"
}

# send replicates adopted schemes' snapshots as it does zeit's, read with
# the configured prefix; names of schemes not adopted stay behind.
test_adopted_send_replicates_adopted() {
	zvm_file_pool backup 256M
	zfs create tank/src
	snaps tank/src@zfs-auto-snap_daily-2026-11-28-0000 tank/src@manual \
		tank/src@mysnap.daily-2026-11-29-0000 tank/src@autosnap_2026-11-29_12:00:00_hourly \
		tank/src@zeit_daily_20261130T000000Z
	printf '[defaults]\nadopt = zfs-auto-snap\n[adopt]\nzfs-auto-snap.prefix = mysnap\nzfs-auto-snap.sep = .\n' >/tmp/zeit-adopted.conf
	ok env ZEIT_CONFIG=/tmp/zeit-adopted.conf "$ZEIT" send tank/src backup/dst
	got=$(zfs list -H -o name -t snapshot -r backup/dst | sed 's/.*@//' | sort | tr '\n' ' ')
	eq "mysnap.daily-2026-11-29-0000 zeit_daily_20261130T000000Z " "$got" "snapshots replicated"
	# Without the prefix setting, the default zfs-auto-snap names go.
	zfs destroy -r backup/dst
	printf '[defaults]\nadopt = zfs-auto-snap\n' >/tmp/zeit-adopted.conf
	ok env ZEIT_CONFIG=/tmp/zeit-adopted.conf "$ZEIT" send tank/src backup/dst
	got=$(zfs list -H -o name -t snapshot -r backup/dst | sed 's/.*@//' | sort | tr '\n' ' ')
	eq "zeit_daily_20261130T000000Z zfs-auto-snap_daily-2026-11-28-0000 " "$got" "snapshots replicated"
}

# zeit adopt on a pool marked as zfs-auto-snapshot's manual describes,
# with Debian's zfs-auto-snapshot package (its cron files) installed.
test_adopted_adopt_from_zfs_auto_snapshot() {
	for f in /etc/cron.d/zfs-auto-snapshot /etc/cron.daily/zfs-auto-snapshot; do
		[ -f "$f" ] || fail "$f missing: the zfs-auto-snapshot package is a test dependency"
	done
	zfs create tank/home
	zfs create tank/tmp
	zfs set com.sun:auto-snapshot=false tank/tmp
	zfs set com.sun:auto-snapshot:frequent=false tank/home
	zfs snapshot tank/home@zfs-auto-snap_daily-2026-11-30-0000
	rm -f /tmp/zeit-adopt.conf
	ok "$ZEIT" adopt --from zfs-auto-snapshot --output /tmp/zeit-adopt.conf
	echo "$OUT" >&2
	has "$OUT" "/etc/cron.d/zfs-auto-snapshot (*/15 * * * *): zfs-auto-snapshot --quiet --syslog --label=frequent --keep=4 //"
	has "$OUT" "/etc/cron.daily/zfs-auto-snapshot (daily): zfs-auto-snapshot --quiet --syslog --label=daily --keep=31 //"
	has "$OUT" "/etc/cron.monthly/zfs-auto-snapshot (monthly)"
	has "$OUT" "tank/tmp: com.sun:auto-snapshot=false"
	has "$OUT" "tank/home: com.sun:auto-snapshot:frequent=false"
	has "$OUT" "in UTC (the script stamps \`date --utc\`)"
	has "$OUT" "keep = frequent=4,hourly=24,daily=31,weekly=8,monthly=12,yearly=0"
	has "$OUT" "adopt = zfs-auto-snap"
	has "$OUT" "zfs-auto-snap.timezone = UTC"
	has "$OUT" "[tank]"
	has "$OUT" "sed -i '/zfs-auto-snapshot/s/^[^#]/# &/' /etc/cron.d/zfs-auto-snapshot"
	has "$OUT" "chmod -x /etc/cron.daily/zfs-auto-snapshot"
	has "$OUT" "apt-get remove zfs-auto-snapshot"
	has "$OUT" "nothing written"
	[ ! -e /tmp/zeit-adopt.conf ] || fail "a dry run wrote the configuration"

	ok "$ZEIT" adopt --from zfs-auto-snapshot --write --output /tmp/zeit-adopt.conf
	has "$OUT" "wrote /tmp/zeit-adopt.conf"
	fails "exists" "$ZEIT" adopt --from zfs-auto-snapshot --write --output /tmp/zeit-adopt.conf
	# zeit then takes what zfs-auto-snapshot took: tank and tank/home, not
	# tank/tmp, and no frequent on tank/home; its daily is yesterday's.
	ok env ZEIT_CONFIG=/tmp/zeit-adopt.conf "$ZEIT" -n --now 2026-11-30T12:00:00Z snap --auto
	echo "$OUT" >&2
	has "$OUT" "tank/home@zeit_hourly_"
	hasnt "$OUT" "tank/tmp@"
	hasnt "$OUT" "tank/home@zeit_frequent_"
	hasnt "$OUT" "tank/home@zeit_daily_"
	has "$OUT" "tank@zeit_daily_"
}

# zeit adopt with Debian's sanoid package (cron line, systemd units with
# TZ=UTC) and a sanoid.conf made from the package's own example.
test_adopted_adopt_from_sanoid() {
	[ -f /lib/systemd/system/sanoid.service ] || fail "sanoid.service missing: the sanoid package is a test dependency"
	export TZ=Europe/Berlin
	zfs create tank/parent2
	zfs snapshot tank/parent2@autosnap_2026-11-30_00:00:00_daily
	mkdir -p /tmp/zeit-sanoid
	sed 's/zpoolname/tank/g' /usr/share/doc/sanoid/examples/sanoid.conf >/tmp/zeit-sanoid/sanoid.conf
	rm -f /tmp/zeit-adopt.conf
	ok "$ZEIT" adopt --from sanoid --sanoid-conf /tmp/zeit-sanoid/sanoid.conf --output /tmp/zeit-adopt.conf
	echo "$OUT" >&2
	has "$OUT" "/lib/systemd/system/sanoid.service: runs sanoid with TZ=UTC"
	has "$OUT" "/lib/systemd/system/sanoid.timer"
	has "$OUT" "[tank/parent2]: autosnap=yes autoprune=yes recursive=zfs -> keep frequent=0,hourly=36,daily=30,weekly=0,monthly=3,yearly=0"
	has "$OUT" "autosnap.timezone = UTC"
	has "$OUT" "adopt = autosnap"
	has "$OUT" "systemctl disable --now sanoid.timer"
	has "$OUT" "sed -i '/sanoid/s/^[^#]/# &/' /etc/cron.d/sanoid"
	[ ! -e /tmp/zeit-adopt.conf ] || fail "a dry run wrote the configuration"
	ok "$ZEIT" adopt --from sanoid --sanoid-conf /tmp/zeit-sanoid/sanoid.conf --write --output /tmp/zeit-adopt.conf
	# Read as sanoid wrote it under Debian's units: UTC, not Berlin's time.
	ok env ZEIT_CONFIG=/tmp/zeit-adopt.conf "$ZEIT" list -H tank/parent2
	has "$OUT" "tank/parent2@autosnap_2026-11-30_00:00:00_daily	daily	2026-11-30T00:00:00Z"
	ok env ZEIT_CONFIG=/tmp/zeit-adopt.conf "$ZEIT" -n --now 2026-11-30T12:00:00Z prune tank/parent2
	grep -E "autosnap_2026-11-30_00:00:00_daily +keep +daily: one of the newest 30" <<<"$OUT" >/dev/null ||
		fail "adopted daily not under sanoid's count: $OUT"
}
