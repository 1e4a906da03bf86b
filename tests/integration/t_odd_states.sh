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

test_odd_changing_commands_take_the_lock() {
	zfs create tank/a
	zfs snapshot tank/a@"$(stamp daily $T0)"
	zfs snapshot tank/a@"$(stamp daily $((T0 + D)))"
	zfs create -o mountpoint=none $R
	zfs create -o mountpoint=/ -o canmount=noauto $R/void
	zfs create -o mountpoint=/ -o canmount=noauto $R/other
	zfs snapshot $R/void@s1
	zfs snapshot $R/void@s2
	zpool set bootfs=$R/void tank
	# This shell holds the lock, as another zeit run would.
	export ZEIT_LOCK=/tmp/odd.lock
	exec 9>"$ZEIT_LOCK"
	flock -n 9 || fail "cannot take the lock"
	before=$(zfs list -H -p -o name,guid -t all -r tank; zfs get -H -r -s local -o name,property,value all tank; zpool get -H -o value bootfs tank)
	# Every command that changes the pool waits for the lock, and gives up.
	while read -r cmd; do
		# shellcheck disable=SC2086
		fails "another zeit run has held" "$ZEIT" --lock-wait 1 $cmd
	done <<-EOC
		send tank/a tank/b
		send --force tank/a tank/a2
		destroy tank/a@$(stamp daily $T0)
		be create x
		be activate other
		be activate --once other
		be rename other x
		be destroy other
		be rollback --yes void@s1
		bisect start void --good s1
		bisect reset
		snap -t daily tank/a
		prune
	EOC
	after=$(zfs list -H -p -o name,guid -t all -r tank; zfs get -H -r -s local -o name,property,value all tank; zpool get -H -o value bootfs tank)
	eq "$before" "$after" "the pool changed while another run held the lock"
	# Read-only commands and dry runs do not wait for it.
	ok "$ZEIT" --lock-wait 1 list tank/a
	ok "$ZEIT" --lock-wait 1 be list
	ok "$ZEIT" --lock-wait 1 -n send tank/a tank/b
	ok "$ZEIT" --lock-wait 1 -n destroy tank/a@"$(stamp daily $T0)"
	ok "$ZEIT" --lock-wait 1 -n be create x
	flock -u 9
	exec 9>&-
	# Free again: they run.
	ok "$ZEIT" --lock-wait 1 send tank/a tank/b
	exists tank/b@"$(stamp daily $((T0 + D)))" || fail "send did not run once the lock was free"
}

test_odd_status_escapes_property_values() {
	zfs create tank/r
	# What a replica's sender (through serve) or any local user may set.
	evil=$'elsewhere:tank/x\e]0;owned\a\e[2J\xc2\x9b31m'
	zfs set org.zeit:source="$evil" tank/r
	for flags in "" -H; do
		rc=0
		# shellcheck disable=SC2086
		out=$("$ZEIT" $flags status tank/r) || rc=$?
		eq 1 "$rc" "status exit ($flags)"
		has "$out" 'elsewhere:tank/x\x1b]0;owned\x07\x1b[2J'
		if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f\x9b]' <<<"$out"; then
			fail "a control byte reached the terminal ($flags): $(od -c <<<"$out" | head -5)"
		fi
	done
	rc=0
	out=$("$ZEIT" status --nagios tank/r) || rc=$?
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f\x9b]' <<<"$out"; then
		fail "a control byte in --nagios output"
	fi
	# JSON keeps the value, escaped by JSON's own rules.
	rc=0
	out=$("$ZEIT" -j status tank/r) || rc=$?
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert any("\x1b]0;owned" in c["check"] for c in d["status"]), d' <<<"$out" \
		|| fail "the JSON lost the value: $out"
}

test_odd_prometheus_file_follows_no_planted_link() {
	zfs create -o org.zeit:snap=on tank/p
	at $T0 snap -t hourly tank/p >/dev/null
	mkdir -p /tmp/prom
	echo secret >/tmp/victim
	# A local user plants the temporary name zeit used (PATH.tmp.PID) as
	# a link to a file of root's; exec keeps the PID the link names.
	T0=$T0 ZEIT=$ZEIT bash -c 'ln -s /tmp/victim /tmp/prom/zeit.prom.tmp.$$
		exec "$ZEIT" --now "@$T0" status --prometheus /tmp/prom/zeit.prom' >/dev/null || true
	eq secret "$(cat /tmp/victim)" "status wrote through a planted link"
	grep -q '^zeit_snapshots{dataset="tank/p",tier="hourly"} 1$' /tmp/prom/zeit.prom \
		|| fail "no metrics written: $(cat /tmp/prom/zeit.prom)"
	[ ! -L /tmp/prom/zeit.prom ] || fail "the output is a link"
	eq 644 "$(stat -c %a /tmp/prom/zeit.prom)" "mode of the textfile"
	eq 1 "$(find /tmp/prom -name 'zeit.prom.tmp.*' | wc -l)" "temporary files left (the planted link)"
}

# zeit's mounts as the host sees them.
zeit_mounts() { grep -E ' /run/zeit|-bisect-' /proc/self/mounts || true; }

# kill -9 DELAY CMD...: starts CMD, kills it with SIGKILL after DELAY
# seconds (if it still runs).
kill9_after() {
	local delay=$1
	shift
	"$@" >/dev/null 2>&1 &
	local pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

test_odd_kill9_prune_is_all_or_nothing() {
	zfs create -o org.zeit:keep=frequent=2,hourly=0,daily=0,weekly=0,monthly=0 tank/k
	zfs create tank/k/a
	zfs create tank/k/b
	now=$((T0 + 12 * 900))
	# Eight frequent snapshots on each (one zfs call per time: ZFS takes
	# one snapshot of a dataset per call), destroyed by one program.
	mk() {
		for i in 1 2 3 4 5 6 7 8; do
			s=$(stamp frequent $((T0 + i * 900)))
			zfs snapshot tank/k/a@"$s" tank/k/b@"$s"
		done
	}
	cat >/tmp/rm.lua <<-'EOL'
		for _, d in ipairs({"tank/k/a", "tank/k/b"}) do
		  local l = {}
		  for s in zfs.list.snapshots(d) do l[#l + 1] = s end
		  for _, s in ipairs(l) do zfs.sync.destroy(s) end
		end
	EOL
	snaps() { zfs list -H -t snapshot -o name -r tank/k | sort; }
	mk
	full=$(snaps)
	t=$(date +%s%N)
	ok at $now prune tank/k -r
	echo "prune took $((($(date +%s%N) - t) / 1000000)) ms" >&2
	pruned=$(snaps)
	eq 4 "$(wc -l <<<"$pruned")" "what prune keeps"
	for delay in 0.05 0.2 0.4 0.6 0.8 1.0 1.3 1.6 2.0 2.5; do
		zfs program tank /tmp/rm.lua >/dev/null
		mk
		eq "$full" "$(snaps)" "setup"
		kill9_after $delay "$ZEIT" --now "@$now" prune -r tank/k
		got=$(snaps)
		[ "$got" = "$full" ] || [ "$got" = "$pruned" ] ||
			fail "kill -9 after ${delay}s left a partial prune: $got"
		echo "kill -9 after ${delay}s: $([ "$got" = "$full" ] && echo nothing || echo all) destroyed" >&2
		eq "" "$(zeit_mounts)" "mounts after kill -9 at ${delay}s"
		ok at $now prune -r tank/k
		eq "$pruned" "$(snaps)" "the next prune after kill -9 at ${delay}s"
	done
}

test_odd_kill9_bisect_run_leaves_nothing() {
	odd_history 6 4
	cat >/var/tmp/odd-check.sh <<-'EOS'
		#!/bin/sh
		sleep 1
		! grep -q mode=broken "$ZEIT_BISECT_ROOT/etc/foo.conf"
	EOS
	chmod +x /var/tmp/odd-check.sh
	state() {
		zfs list -H -p -o name,guid -t all -r tank
		zfs get -H -r -s local -o name,property,value all tank
		zpool get -H -o value bootfs tank
	}
	before=$(state)
	for delay in 0.3 1 2 3 4 5 6 8 10 13; do
		ok "$ZEIT" bisect start void --good "$(stamp daily $T0)"
		kill9_after $delay "$ZEIT" bisect run /var/tmp/odd-check.sh
		eq "" "$(zeit_mounts)" "mounts after kill -9 at ${delay}s"
		echo "kill -9 after ${delay}s: $(zfs get -H -r -s local -o value org.zeit:bisect $R/void | grep -c .) marks, clones: $(clones_of_bisect | wc -l)" >&2
		# Whatever step it reached, the next run finishes the job.
		ok "$ZEIT" bisect run /var/tmp/odd-check.sh
		has "$OUT" "first bad snapshot: $R/void@$(stamp daily $((T0 + 3 * D)))"
		eq "" "$(clones_of_bisect)" "clones after the run that followed kill -9 at ${delay}s"
		ok "$ZEIT" bisect reset
		eq "$before" "$(state)" "pool after kill -9 at ${delay}s, a run and reset"
	done
}
