# zeit send and zeit serve against real pools: local and ssh targets,
# resume after SIGKILL, a failing target device, divergence, the forced
# command's refusals.

T0=1793491200 # 2026-11-01T00:00:00Z

zeit_guids() {
	guids "$1" | grep '@zeit_' || true
}

# The RESULT column of `zeit -H send` for one source dataset.
result_of() { # result_of OUTPUT DATASET
	awk -F'\t' -v d="$2" '$1 == d { print $3 }' <<<"$1"
}

test_send_local_recursive_full_then_incremental() {
	zvm_file_pool backup 256M
	zfs create tank/src
	zfs create tank/src/a
	zfs create tank/src/a/b
	echo one >/tmp/mnt/tank/src/a/f
	snap daily $T0 tank/src -r
	zfs snapshot tank/src/a@manual
	echo two >/tmp/mnt/tank/src/a/f
	snap daily $((T0 + 86400)) tank/src -r
	zfs clone tank/src/a@zeit_daily_20261101T000000Z tank/src/c
	snap daily $((T0 + 2 * 86400)) tank/src -r

	# A missing source is named, whether the target exists or not.
	fails "cannot open 'tank/nosuch': dataset does not exist" "$ZEIT" send tank/nosuch backup/src
	zfs create backup/e
	fails "cannot open 'tank/nosuch': dataset does not exist" "$ZEIT" send tank/nosuch backup/e
	zfs destroy backup/e
	ok "$ZEIT" -vv -H --now "@$((T0 + 2 * 86400))" send -r tank/src backup/src
	eq 2 "$(grep -c 'run: zfs list' <<<"$ERR")" "zfs list calls, target missing"
	eq full "$(result_of "$OUT" tank/src/a)"
	eq full "$(result_of "$OUT" tank/src/c)"
	for d in "" /a /a/b /c; do
		eq "$(zeit_guids tank/src$d)" "$(zeit_guids backup/src$d)" "guids of $d"
	done
	# Only zeit's snapshots travel by default.
	exists backup/src/a@manual && fail "the manual snapshot was sent"
	# The clone arrived as a clone of the replicated origin.
	eq backup/src/a@zeit_daily_20261101T000000Z "$(zfs get -H -o value origin backup/src/c)"
	eq on "$(zfs get -H -o value readonly backup/src)"
	eq no "$(zfs get -H -o value mounted backup/src/a)"
	# The base is held for this target and bookmarked; bookkeeping is on
	# the target.
	newest=tank/src/a@zeit_daily_20261103T000000Z
	has "$(zfs holds -H $newest)" "zeit-send:backup/src"
	has "$(zfs list -H -o name -t bookmark tank/src/a)" "-zeit_daily_20261103T000000Z"
	eq "$(zfs get -H -p -o value guid $newest)" "$(zfs get -H -o value org.zeit:last-guid backup/src/a)"
	eq tank/src/a "$(zfs get -H -o value org.zeit:source backup/src/a | cut -d: -f2-)"
	eq zeit_daily_20261103T000000Z "$(zfs get -H -o value org.zeit:last-snapshot backup/src/a)"

	ok "$ZEIT" -H send -r tank/src backup/src
	eq "up to date" "$(result_of "$OUT" tank/src/a/b)"

	snap daily $((T0 + 3 * 86400)) tank/src -r
	ok "$ZEIT" -n -H send -r tank/src backup/src
	eq incremental "$(result_of "$OUT" tank/src/a)"
	exists backup/src/a@zeit_daily_20261104T000000Z && fail "-n sent something"
	ok "$ZEIT" -vv -H send -r tank/src backup/src
	eq incremental "$(result_of "$OUT" tank/src/a)"
	eq "$(zeit_guids tank/src/a)" "$(zeit_guids backup/src/a)"
	# Four new bases, bookmarked by one channel program, not four zfs
	# bookmark calls; each dataset keeps one bookmark for this target.
	eq 0 "$(grep -c 'zfs bookmark' <<<"$ERR")" "zfs bookmark calls"
	# Both pools are local: one dataset and one snapshot listing cover
	# source and target.
	eq 2 "$(grep -c 'run: zfs list' <<<"$ERR")" "zfs list calls"
	eq 1 "$(grep -c 'zfs program -j tank' <<<"$ERR")" "bookmark programs"
	for d in "" /a /a/b /c; do
		bms=$(zfs list -H -o name -t bookmark tank/src$d | grep zeitsend)
		eq 1 "$(wc -l <<<"$bms")" "bookmarks of tank/src$d"
		has "$bms" "-zeit_daily_20261104T000000Z"
	done
	# The hold moved to the new base.
	hasnt "$(zfs holds -H $newest)" "zeit-send:backup/src"
	has "$(zfs holds -H tank/src/a@zeit_daily_20261104T000000Z)" "zeit-send:backup/src"
	eq 1 "$(zfs list -H -o name -t bookmark tank/src/a | grep -c zeitsend)"
	# The bookkeeping came with the incremental receive.
	eq zeit_daily_20261104T000000Z "$(zfs get -H -o value org.zeit:last-snapshot backup/src/a)"
	eq "$(zfs get -H -p -o value guid tank/src/a@zeit_daily_20261104T000000Z)" \
		"$(zfs get -H -o value org.zeit:last-guid backup/src/a)"

	# Holds moved by hand: the base of a released, a stray hold on a/b's
	# next base. The next run still ends with exactly one hold for this
	# target on each dataset's new base.
	zfs release zeit-send:backup/src tank/src/a@zeit_daily_20261104T000000Z
	snap daily $((T0 + 4 * 86400)) tank/src -r
	zfs hold zeit-send:backup/src tank/src/a/b@zeit_daily_20261105T000000Z
	ok "$ZEIT" -H send -r tank/src backup/src
	eq incremental "$(result_of "$OUT" tank/src/a)"
	held=$(zfs list -H -o name -t snapshot -r tank/src | xargs zfs holds -H | awk -F'\t' '$2 == "zeit-send:backup/src" { print $1 }' | sort)
	eq "$(printf '%s\n' tank/src/a/b@zeit_daily_20261105T000000Z tank/src/a@zeit_daily_20261105T000000Z \
		tank/src/c@zeit_daily_20261105T000000Z tank/src@zeit_daily_20261105T000000Z | sort)" "$held" "holds after a hand-moved hold"

	# A run cut off before its bookmarks: the next, with nothing to send,
	# makes the missing one.
	bm=$(zfs list -H -o name -t bookmark tank/src/a | grep zeitsend)
	zfs destroy "$bm"
	ok "$ZEIT" -H send -r tank/src backup/src
	eq "up to date" "$(result_of "$OUT" tank/src/a)"
	eq "$bm" "$(zfs list -H -o name -t bookmark tank/src/a | grep zeitsend)"
	# The base's snapshot destroyed by hand leaves its bookmark as the
	# base: up to date, not an error, and the next snapshot goes from it.
	zfs release zeit-send:backup/src tank/src/a/b@zeit_daily_20261105T000000Z
	zfs destroy tank/src/a/b@zeit_daily_20261105T000000Z
	ok "$ZEIT" -H send -r tank/src backup/src
	eq "up to date" "$(result_of "$OUT" tank/src/a/b)"
	snap daily $((T0 + 5 * 86400)) tank/src -r
	ok "$ZEIT" -H send -r tank/src backup/src
	eq incremental "$(result_of "$OUT" tank/src/a/b)"
	eq "$(zfs get -H -p -o value guid tank/src/a/b@zeit_daily_20261106T000000Z)" \
		"$(zfs get -H -p -o value guid backup/src/a/b@zeit_daily_20261106T000000Z)"
	has "$(zfs holds -H tank/src/a/b@zeit_daily_20261106T000000Z)" "zeit-send:backup/src"
}

test_send_ssh_through_forced_command() {
	zvm_file_pool backup 256M
	zvm_sshd
	rm -f /run/zk /run/zk.pub
	ssh-keygen -q -t ed25519 -N '' -C zeit-serve -f /run/zk
	echo "command=\"$ZEIT serve backup/r\",restrict $(cat /run/zk.pub)" >>/root/.ssh/authorized_keys
	local opts=(-i/run/zk -oIdentitiesOnly=yes -p2222 -oStrictHostKeyChecking=no
		-oUserKnownHostsFile=/dev/null -oLogLevel=ERROR
		-oControlMaster=auto -oControlPath=/run/zk-%C -oControlPersist=300)
	local sendopts=()
	for o in "${opts[@]}"; do sendopts+=("--ssh-opt=$o"); done

	zfs create tank/h
	zfs create tank/h/home
	echo data >/tmp/mnt/tank/h/home/f
	snap hourly $T0 tank/h -r
	snap hourly $((T0 + 3600)) tank/h -r
	zfs create backup/r
	ok "$ZEIT" -H send -r "${sendopts[@]}" tank/h root@127.0.0.1:backup/r/h
	eq full "$(result_of "$OUT" tank/h/home)"
	eq "$(zeit_guids tank/h)" "$(zeit_guids backup/r/h)"
	snap hourly $((T0 + 7200)) tank/h -r
	ok "$ZEIT" -H send -r "${sendopts[@]}" tank/h root@127.0.0.1:backup/r/h
	eq incremental "$(result_of "$OUT" tank/h/home)"
	eq "$(zeit_guids tank/h/home)" "$(zeit_guids backup/r/h/home)"
	has "$(zfs holds -H tank/h/home@zeit_hourly_20261101T020000Z)" "zeit-send:root@127.0.0.1:backup/r/h"

	# The key does replication into backup/r and nothing else.
	fails "outside" "$ZEIT" send "${sendopts[@]}" tank/h root@127.0.0.1:backup/elsewhere
	exists backup/elsewhere && fail "received outside the served dataset"
	fails "permission denied" ssh "${opts[@]}" root@127.0.0.1 zfs destroy -r backup/r
	fails "permission denied" ssh "${opts[@]}" root@127.0.0.1 zfs destroy backup/r/h@zeit_hourly_20261101T000000Z
	fails "permission denied" ssh "${opts[@]}" root@127.0.0.1 "zfs list -H backup/r; touch /tmp/owned"
	fails "permission denied" ssh "${opts[@]}" root@127.0.0.1 id
	fails "permission denied" ssh "${opts[@]}" root@127.0.0.1 zfs set mountpoint=/ backup/r
	fails "permission denied" ssh "${opts[@]}" root@127.0.0.1 zpool export backup
	[ ! -e /tmp/owned ] || fail "a shell ran"
	exists backup/r/h@zeit_hourly_20261101T000000Z || fail "a refused destroy destroyed"
	ssh "${opts[@]}" -O exit root@127.0.0.1 2>/dev/null || true
}

# With no connection options of the user's, one run's commands on the
# target share one ssh connection; each session on it still goes through
# the key's forced command.
test_send_ssh_shares_one_connection() {
	zvm_file_pool backup 256M
	zvm_sshd
	rm -f /run/zk /run/zk.pub
	rm -rf /tmp/zeit-ssh-0
	ssh-keygen -q -t ed25519 -N '' -C zeit-serve -f /run/zk
	echo "command=\"$ZEIT serve backup/r\",restrict $(cat /run/zk.pub)" >>/root/.ssh/authorized_keys
	local opts=(-i/run/zk -oIdentitiesOnly=yes -p2222 -oStrictHostKeyChecking=no
		-oUserKnownHostsFile=/dev/null -oLogLevel=ERROR)
	local sendopts=()
	for o in "${opts[@]}"; do sendopts+=("--ssh-opt=$o"); done

	zfs create tank/h
	echo data >/tmp/mnt/tank/h/f
	snap hourly $T0 tank/h
	zfs create backup/r
	ok "$ZEIT" -H send "${sendopts[@]}" tank/h root@127.0.0.1:backup/r/h
	eq full "$(result_of "$OUT" tank/h)"
	# The connection outlives the run by a few seconds, for the next.
	local sock
	sock=$(find /tmp/zeit-ssh-0 -type s | head -n 1)
	[ -n "$sock" ] || fail "no shared connection in /tmp/zeit-ssh-0"
	eq 700 "$(stat -c %a /tmp/zeit-ssh-0)"
	ok ssh -oControlPath="$sock" -O check -p2222 root@127.0.0.1
	snap hourly $((T0 + 3600)) tank/h
	ok "$ZEIT" -H send "${sendopts[@]}" tank/h root@127.0.0.1:backup/r/h
	eq incremental "$(result_of "$OUT" tank/h)"
	eq "$(zeit_guids tank/h)" "$(zeit_guids backup/r/h)"
	# The shared connection carries the key's restriction with it.
	fails "outside" "$ZEIT" send "${sendopts[@]}" tank/h root@127.0.0.1:backup/elsewhere
	exists backup/elsewhere && fail "received outside the served dataset"
	ssh -oControlPath="$sock" -O exit -p2222 root@127.0.0.1 2>/dev/null || true
	# The user's own choice wins: no sharing asked for, none made.
	rm -rf /tmp/zeit-ssh-0
	snap hourly $((T0 + 7200)) tank/h
	ok "$ZEIT" -H send "${sendopts[@]}" --ssh-opt=-oControlMaster=no tank/h root@127.0.0.1:backup/r/h
	eq incremental "$(result_of "$OUT" tank/h)"
	[ -z "$(find /tmp/zeit-ssh-0 -type s 2>/dev/null)" ] || fail "shared a connection against -oControlMaster=no"
}

test_send_killed_ten_times_resumes() {
	zvm_file_pool backup 512M
	zfs create -o compression=off tank/big
	dd if=/dev/urandom of=/tmp/mnt/tank/big/data bs=1M count=200 2>/dev/null
	snap daily $T0 tank/big
	echo more >/tmp/mnt/tank/big/more
	snap daily $((T0 + 86400)) tank/big
	before=$(guids tank/big)
	# Calibrate: how long a whole transfer takes here, to kill inside it.
	start=$(date +%s%N)
	ok "$ZEIT" send tank/big backup/probe
	ms=$((($(date +%s%N) - start) / 1000000))
	# And how long zeit takes before the stream starts (an up-to-date run).
	start=$(date +%s%N)
	ok "$ZEIT" send tank/big backup/probe
	setup=$((($(date +%s%N) - start) / 1000000))
	ms=$((ms - setup))
	zfs destroy -r backup/probe
	zfs release zeit-send:backup/probe tank/big@zeit_daily_20261102T000000Z
	# The killed runs are paced at 10 MiB/s (by zeit's own relay, whose
	# bucket starts empty), so the 200 MiB take at least 20 s of streaming
	# however fast this machine is: the calibrated time alone also counts
	# the receive's final sync, and on an idle host a fortieth of it let the
	# transfer end after five kills.
	[ "$ms" -ge 20000 ] || ms=20000
	kill_sends "$setup" "$ms" backup/big "$ZEIT" send --limit 10M tank/big backup/big
	ok "$ZEIT" send tank/big backup/big
	[ "$KILLS" -ge 10 ] || fail "only $KILLS kills before the transfer finished"
	[ "$PARTIAL" -ge 1 ] || fail "no kill landed inside a stream"
	eq "$(zeit_guids tank/big)" "$(zeit_guids backup/big)"
	zfs mount backup/big
	eq "$(cd /tmp/mnt/tank/big && sha256sum data more)" "$(cd /tmp/mnt/backup/big && sha256sum data more)"
	eq "$before" "$(guids tank/big)" "source snapshots changed"
}

test_send_base_survives_source_prune() {
	zvm_file_pool backup 256M
	zfs create tank/p
	for i in 0 1 2 3 4 5; do snap frequent $((T0 + i * 900)) tank/p; done
	ok "$ZEIT" send tank/p backup/p
	base=tank/p@zeit_frequent_20261101T011500Z
	for i in 6 7 8 9 10; do snap frequent $((T0 + i * 900)) tank/p; done
	# The default policy keeps 4 frequent snapshots: the base is not one
	# of them, but it is held.
	ok "$ZEIT" --now "@$((T0 + 10 * 900))" prune -v tank/p
	has "$OUT" "held"
	exists $base || fail "prune destroyed the replication base"
	exists tank/p@zeit_frequent_20261101T010000Z && fail "prune kept an unprotected old snapshot"
	ok "$ZEIT" -H send tank/p backup/p
	eq incremental "$(result_of "$OUT" tank/p)"
	exists backup/p@zeit_frequent_20261101T023000Z || fail "the newest did not arrive"
	# The old base is free again and goes at the next prune.
	ok "$ZEIT" --now "@$((T0 + 10 * 900))" prune tank/p
	exists $base && fail "the released base was kept"
	true
}

test_send_target_device_fails_mid_receive() {
	zvm_flakey_pool backup 512M -o failmode=continue
	zfs create -o compression=off tank/f
	dd if=/dev/urandom of=/tmp/mnt/tank/f/data bs=1M count=250 2>/dev/null
	snap daily $T0 tank/f
	before=$(guids tank/f)
	# failmode=continue: new writes fail at once; the receive already in
	# the kernel waits for its txg all the same (the pool is suspended).
	# zeit notices that no data moves, says why and leaves.
	setsid "$ZEIT" send --stall-timeout 15 tank/f backup/f >/tmp/send.out 2>/tmp/send.err &
	pid=$!
	# Once the stream flows, the device starts failing writes.
	for i in $(seq 100); do pgrep -f "zfs receive" >/dev/null && break; sleep 0.2; done
	sleep 0.5
	zvm_flakey_fail backup error_writes
	rc=0
	timeout 300 tail --pid=$pid -f /dev/null || rc=$?
	[ "$rc" -eq 0 ] || fail "zeit send hung on the failing device"
	wait $pid && fail "send succeeded on a failing device"
	err=$(cat /tmp/send.err)
	echo "error shown: $err" >&2
	has "$err" "zeit send: tank/f:"
	has "$err" "zpool clear backup"
	eq "$before" "$(guids tank/f)" "source changed"
	zvm_flakey_heal backup
	zpool clear backup
	# The stuck receive ends once the pool resumes.
	for i in $(seq 60); do pgrep -f "zfs receive" >/dev/null || break; sleep 1; done
	ok "$ZEIT" send tank/f backup/f
	eq "$(zeit_guids tank/f)" "$(zeit_guids backup/f)"
	zfs mount backup/f
	eq "$(sha256sum </tmp/mnt/tank/f/data)" "$(sha256sum </tmp/mnt/backup/f/data)"
}

test_send_diverged_target_refused_then_rolled_back() {
	zvm_file_pool backup 256M
	zfs create tank/d
	snap daily $T0 tank/d
	ok "$ZEIT" send tank/d backup/d
	zfs set readonly=off backup/d
	zfs snapshot backup/d@local-change
	snap daily $((T0 + 86400)) tank/d
	fails "target has snapshots the source lacks.*@local-change" "$ZEIT" send tank/d backup/d
	exists backup/d@zeit_daily_20261102T000000Z && fail "a diverged target received"
	ok "$ZEIT" send --rollback tank/d backup/d
	exists backup/d@local-change && fail "--rollback kept the target-only snapshot"
	eq "$(zeit_guids tank/d)" "$(zeit_guids backup/d)"
	# Writes without a snapshot diverge too.
	zfs mount backup/d
	dd if=/dev/urandom of=/tmp/mnt/backup/d/junk bs=64k count=4 2>/dev/null
	zpool sync backup
	snap daily $((T0 + 2 * 86400)) tank/d
	fails "written to" "$ZEIT" send tank/d backup/d
	ok "$ZEIT" send --rollback tank/d backup/d
	eq "$(zeit_guids tank/d)" "$(zeit_guids backup/d)"
	# A target sharing nothing with the source needs --force.
	zfs create backup/n
	zfs snapshot backup/n@theirs
	fails "shares no snapshot" "$ZEIT" send tank/d backup/n
	exists backup/n@theirs || fail "refused send changed the target"
	ok "$ZEIT" send --force tank/d backup/n
	eq "$(zeit_guids tank/d)" "$(zeit_guids backup/n)"
	# The pool itself is never a target.
	fails "is a pool" "$ZEIT" send tank/d backup
}

test_send_encrypted_source_goes_raw() {
	zvm_file_pool backup 256M
	echo "passphrase-for-tests" >/tmp/key
	zfs create -o encryption=on -o keyformat=passphrase -o keylocation=file:///tmp/key tank/secret
	echo hidden >/tmp/mnt/tank/secret/f
	snap daily $T0 tank/secret
	snap daily $((T0 + 86400)) tank/secret
	ok "$ZEIT" send tank/secret backup/secret
	eq unavailable "$(zfs get -H -o value keystatus backup/secret)" "the target needed no key"
	eq aes-256-gcm "$(zfs get -H -o value encryption backup/secret)"
	eq "$(zeit_guids tank/secret)" "$(zeit_guids backup/secret)"
}
