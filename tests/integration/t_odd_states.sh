# Odd states and hostile properties on real pools: what zeit owns is
# proved, not inferred; a clock that was ahead, one broken policy or an
# escape sequence in a property cost nothing and reach no one.

H=3600
D=86400
T0=1793491200 # 2026-11-01T00:00:00Z
R=tank/ROOT

at() { "$ZEIT" --now "@$1" "${@:2}"; }
stamp() { date -u -d "@$2" "+zeit_$1_%Y%m%dT%H%M%SZ"; }

# An environment "void" with daily snapshots 1..$1; from day $2 on its
# /etc/foo.conf says mode=broken.
odd_history() {
	zfs create -o mountpoint=none $R
	zfs create -o mountpoint=/ -o canmount=noauto -o org.zeit:snap=on $R/void
	zpool set bootfs=$R/void tank
	mkdir -p /tmp/oh
	mount -t zfs -o zfsutil $R/void /tmp/oh
	mkdir -p /tmp/oh/etc
	for d in $(seq 1 "$1"); do
		if [ "$d" -lt "$2" ]; then echo mode=fine; else echo mode=broken; fi >/tmp/oh/etc/foo.conf
		sync
		zfs snapshot "$R/void@$(stamp daily $((T0 + (d - 1) * D)))"
	done
	umount /tmp/oh
}

clones_of_bisect() { zfs list -H -o name -d1 $R | grep -- '-bisect-' || true; }

test_odd_bisect_destroys_only_its_clones() {
	odd_history 8 5
	# Someone once marked an environment as a bisect clone by hand (or an
	# older zeit copied the marker): bisect must not take it for its own.
	zfs create -o mountpoint=/ -o canmount=noauto -o org.zeit:bisect-clone=x $R/other
	ok "$ZEIT" bisect start void --good "$(stamp daily $T0)"
	clone=$(clones_of_bisect)
	[ -n "$clone" ] || fail "bisect start made no clone"
	# The user keeps what they tested: an environment made from the clone.
	echo kept >/var/tmp/odd-kept
	ok "$ZEIT" be create keep -e "${clone##*/}"
	# The copy carries the user's policy and none of zeit's markers.
	eq on "$(zfs get -H -o value org.zeit:snap $R/keep)" "policy carried"
	eq "" "$(zfs get -H -s local -o property all $R/keep | grep '^org\.zeit:' | grep -v '^org\.zeit:snap$' || true)" \
		"zeit markers on the copy"
	# The next step drops the old clone: keep stays (and so does the clone
	# keep was made from: destroying it would take keep along).
	ok "$ZEIT" bisect skip
	exists $R/keep || fail "bisect skip destroyed the environment the user kept"
	exists $R/other || fail "bisect skip destroyed a dataset it did not make"
	exists "$clone" || fail "the clone keep depends on was destroyed"
	has "$ERR" "left $clone"
	# A clone renamed by the user is the user's.
	clone2=$(clones_of_bisect | grep -vx "$clone")
	[ -n "$clone2" ] || fail "bisect skip made no new clone"
	ok "$ZEIT" be rename "${clone2##*/}" renamed
	ok "$ZEIT" bisect reset
	exists $R/keep || fail "bisect reset destroyed the environment the user kept"
	exists $R/renamed || fail "bisect reset destroyed the renamed clone"
	exists $R/other || fail "bisect reset destroyed a dataset it did not make"
	eq "" "$(zfs get -H -s local -o property all $R | grep '^org\.zeit:bisect' || true)" "bisect state left"
	# Its own clones, when nothing depends on them, do go.
	ok "$ZEIT" bisect start void --good "$(stamp daily $T0)"
	mine=$(clones_of_bisect | grep -vx "$clone")
	[ -n "$mine" ] || fail "no clone"
	ok "$ZEIT" bisect reset
	if exists "$mine"; then fail "bisect reset left its own clone $mine"; fi
}

test_odd_future_snapshots_take_no_slots() {
	zfs create -o org.zeit:snap=on \
		-o org.zeit:keep=frequent=0,hourly=3,daily=0,weekly=0,monthly=0 tank/f
	now=$((T0 + 10 * H))
	for i in 2 1 0; do at $((now - i * H)) snap -t hourly tank/f >/dev/null; done
	# A replica from a host whose clock was a year ahead, or this host's
	# clock once was.
	f1=$(stamp hourly $((now + 365 * D)))
	f2=$(stamp hourly $((now + 365 * D + H)))
	zfs snapshot tank/f@"$f1"
	zfs snapshot tank/f@"$f2"
	ok at $now prune
	eq 5 "$(zfs list -H -t snapshot -o name -r tank/f | wc -l)" \
		"prune destroyed real snapshots to keep future ones"
	# An hour later the hourly is due: the future ones are not newest.
	ok at $((now + H)) snap --auto
	has "$OUT" "tank/f@$(stamp hourly $((now + H)))"
	ok at $((now + H)) prune
	has "$OUT" "tank/f@$(stamp hourly $((now - 2 * H)))"
	for s in "$f1" "$f2" "$(stamp hourly $((now + H)))" "$(stamp hourly "$now")" \
		"$(stamp hourly $((now - H)))"; do
		exists tank/f@"$s" || fail "prune destroyed $s"
	done
	# status warns, says why and names them.
	rc=0
	out=$(at $((now + H)) status tank/f) || rc=$?
	eq 1 "$rc" "status exit with future-dated snapshots"
	has "$out" "WARNING"
	has "$out" "in the future"
	has "$out" "$f1"
	has "$out" "$f2"
	rc=0
	out=$(at $((now + H)) status --nagios tank/f) || rc=$?
	eq 1 "$rc" "--nagios exit"
	has "$out" "ZEIT WARNING"
	# The tier's age counts from the newest real one, not a future one.
	has "$out" "'tank/f hourly age'=0s"
}

test_odd_broken_policy_skips_its_dataset() {
	zfs create -o org.zeit:snap=on tank/good
	zfs create -o org.zeit:snap=on -o org.zeit:keep=daily=lots tank/bad
	zfs create -o org.zeit:keep=hourly=often tank/empty
	# snap --auto takes the good one's, names the bad one, exits 1.
	rc=0
	at $T0 snap --auto >/tmp/o 2>/tmp/e || rc=$?
	eq 1 "$rc" "snap --auto exit"
	has "$(cat /tmp/e)" "tank/bad: property org.zeit:keep: bad value 'lots' for daily"
	exists tank/good@"$(stamp daily $T0)" || fail "the good dataset was not snapshotted"
	has "$(cat /tmp/o)" "tank/good@$(stamp hourly $T0)"
	eq "" "$(zfs list -H -t snapshot -o name -r tank/bad)" "snapshots of the unplannable dataset"
	# Six frequent snapshots on both; the default policy keeps four.
	for i in 1 2 3 4 5; do
		at $((T0 + i * 900)) snap -t frequent tank/good tank/bad >/dev/null
	done
	at $T0 snap -t frequent tank/bad >/dev/null
	rc=0
	at $((T0 + 5 * 900)) prune >/tmp/o 2>/tmp/e || rc=$?
	eq 1 "$rc" "prune exit"
	has "$(cat /tmp/e)" "tank/bad: property org.zeit:keep: bad value 'lots' for daily"
	has "$(cat /tmp/e)" "tank/empty: property org.zeit:keep"
	eq 4 "$(zfs list -H -t snapshot -o name -r tank/good | grep -c frequent)" "good dataset pruned"
	eq 6 "$(zfs list -H -t snapshot -o name -r tank/bad | grep -c frequent)" "bad dataset untouched"
	# A bad policy on a dataset with no snapshots is reported by -n too.
	rc=0
	at $((T0 + 5 * 900)) -n prune tank/empty >/tmp/o 2>/tmp/e || rc=$?
	eq 1 "$rc" "-n prune exit"
	has "$(cat /tmp/e)" "tank/empty: property org.zeit:keep: bad value 'often' for hourly"
}
