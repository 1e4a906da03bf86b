# zeit log on real ZFS: one file's versions across daily snapshots, read
# cheaply (metadata first), in a mounted dataset and an unmounted boot
# environment, with hostile trees (a link to a host file, a FIFO, a
# same-size rewrite whose mtime is set back).

LOGDAY0=1793491200 # 2026-11-01T00:00:00Z
log_day() { date -u -d "@$((LOGDAY0 + ($1 - 1) * 86400))" +zeit_daily_%Y%m%dT%H%M%SZ; }

# 60 days of /etc/libvirt/qemu.conf in dataset $1 (mounted at $2): it
# changes on days 11 (longer), 26 (same size, new text), 41 and 51; on day
# 30 it is only touched (mtime moves, text stays). Other files churn daily.
log_history() {
	local ds=$1 m=$2 d
	mkdir -p "$m/etc/libvirt" "$m/var/log"
	for d in $(seq 1 60); do
		case $d in
		1) printf 'user = "root"\ngroup = "root"\n' >"$m/etc/libvirt/qemu.conf" ;;
		11) printf 'user = "root"\ngroup = "kvm"\n' >"$m/etc/libvirt/qemu.conf" ;;
		26) printf 'user = "qemu"\ngroup = "kvm"\n' >"$m/etc/libvirt/qemu.conf" ;;
		30) touch -d "@$((LOGDAY0 + 29 * 86400))" "$m/etc/libvirt/qemu.conf" ;;
		41) printf 'user = "qemu"\ngroup = "kvm"\nsecurity_driver = "none"\n' >"$m/etc/libvirt/qemu.conf" ;;
		51) printf 'user = "qemu"\ngroup = "kvm"\nsecurity_driver = "apparmor"\n' >"$m/etc/libvirt/qemu.conf" ;;
		esac
		echo "day $d" >>"$m/var/log/syslog"
		zfs snapshot "$ds@$(log_day "$d")"
	done
}

# The run (first..last day) of version $2 in zeit log -j output $1.
log_runs() {
	jq -r --argjson v "$2" '.versions[] | select(.version == $v) | [.runs[] | "\(.first | sub(".*@"; ""))..\(.last | sub(".*@"; ""))"] | join(",")' <<<"$1"
}

test_log_sixty_days_five_versions_few_reads() {
	zfs create tank/data
	local m=/tmp/mnt/tank/data
	log_history tank/data $m
	ok "$ZEIT" -j log $m/etc/libvirt/qemu.conf
	local j=$OUT
	eq 60 "$(jq .snapshots <<<"$j")" "snapshots walked"
	eq 5 "$(jq '[.versions[] | select(.version != null)] | length' <<<"$j")" "versions"
	eq "$(log_day 1)..$(log_day 10)" "$(log_runs "$j" 1)" "version 1"
	eq "$(log_day 11)..$(log_day 25)" "$(log_runs "$j" 2)" "version 2"
	eq "$(log_day 26)..$(log_day 40)" "$(log_runs "$j" 3)" "version 3 (day 30 only touched)"
	eq "$(log_day 41)..$(log_day 50)" "$(log_runs "$j" 4)" "version 4"
	eq "$(log_day 51)..$(log_day 60)" "$(log_runs "$j" 5)" "version 5"
	eq 0 "$(jq '[.versions[] | select(.version == null)] | length' <<<"$j")" "no deleted rows"
	# Size changed on days 11, 41, 51: no read. Day 26 (same size) and
	# day 30 (touched) each compare two files.
	local reads
	reads=$(jq .reads <<<"$j")
	echo "reads: $reads for 60 snapshots" >&2
	[ "$reads" -le 6 ] || fail "$reads reads for 60 snapshots and 4 changes"
	eq 28 "$(jq '.versions[2].size' <<<"$j")" "size of version 3"
	# People's form and -p: each change's diff, in order.
	ok "$ZEIT" log -p $m/etc/libvirt/qemu.conf
	has "$OUT" "/etc/libvirt/qemu.conf in tank/data: 5 versions in 60 snapshots"
	has "$OUT" "$(log_day 26) .. $(log_day 40) (15)"
	has "$OUT" '-group = "root"'
	has "$OUT" '+group = "kvm"'
	has "$OUT" '+security_driver = "apparmor"'
	eq 4 "$(grep -c 'version [0-9] -> [0-9]' <<<"$OUT")" "four diffs"
	# The dataset named, the path inside it: the same answer.
	ok "$ZEIT" -j log tank/data /etc/libvirt/qemu.conf
	eq "$(jq -c .versions <<<"$j")" "$(jq -c .versions <<<"$OUT")" "DATASET PATH form"
}

test_log_unmounted_environment_deleted_and_recreated() {
	zfs create -o mountpoint=none tank/ROOT
	zfs create -o mountpoint=/ -o canmount=noauto tank/ROOT/void
	local m=/tmp/envhist d
	mkdir -p $m
	mount -t zfs -o zfsutil tank/ROOT/void $m
	mkdir -p $m/etc
	for d in $(seq 1 12); do
		case $d in
		1) echo "a=1" >$m/etc/app.conf ;;
		4) rm $m/etc/app.conf ;;
		7) echo "a=1" >$m/etc/app.conf ;; # the same text again
		10) echo "a=2" >$m/etc/app.conf ;;
		esac
		zfs snapshot "tank/ROOT/void@$(log_day "$d")"
	done
	umount $m
	ok "$ZEIT" -j log tank/ROOT/void /etc/app.conf
	local j=$OUT
	eq 2 "$(jq '[.versions[] | select(.version != null)] | length' <<<"$j")" "versions"
	eq "$(log_day 1)..$(log_day 3),$(log_day 7)..$(log_day 9)" "$(log_runs "$j" 1)" "version 1, twice"
	eq "$(log_day 4)..$(log_day 6)" \
		"$(jq -r '.versions[] | select(.version == null) | .runs[] | "\(.first | sub(".*@"; ""))..\(.last | sub(".*@"; ""))"' <<<"$j")" "deleted"
	eq "$(log_day 10)..$(log_day 12)" "$(log_runs "$j" 2)" "version 2"
	ok "$ZEIT" log tank/ROOT/void /etc/app.conf
	has "$OUT" "deleted"
	# Nothing left mounted, the environment still unmounted.
	hasnt "$(grep zfs /proc/mounts)" "tank/ROOT/void"
	eq no "$(zfs get -H -o value mounted tank/ROOT/void)" "environment mounted"
}

test_log_hostile_same_size_rewrite_link_and_fifo() {
	zfs create tank/data
	local m=/tmp/mnt/tank/data
	echo "secret=aaaa" >$m/conf
	touch -d @1700000000 $m/conf
	zfs snapshot tank/data@s1
	# Same size, other text, mtime set back to what it was: only the
	# change time tells, and the contents are read.
	echo "secret=bbbb" >$m/conf
	touch -d @1700000000 $m/conf
	zfs snapshot tank/data@s2
	# A link to a root-only host file, then a FIFO, at the path.
	rm $m/conf
	ln -s /etc/shadow $m/conf
	zfs snapshot tank/data@s3
	rm $m/conf
	mkfifo $m/conf
	zfs snapshot tank/data@s4
	OUT=$(timeout 20 "$ZEIT" -j log -p tank/data /conf 2>/tmp/zt.err) ||
		fail "zeit log on a FIFO: $(cat /tmp/zt.err)"
	local j=$OUT
	eq 4 "$(jq '.versions | length' <<<"$j")" "four versions (same-size rewrite seen)"
	eq "file,file,symlink,special" "$(jq -r '[.versions[].kind] | join(",")' <<<"$j")" "kinds"
	# The link's own text is shown, never the host file behind it.
	has "$(jq -r '.diffs[1].diff' <<<"$j")" "+/etc/shadow"
	hasnt "$j" "root:"
	has "$(jq -r '.diffs[0].diff' <<<"$j")" "+secret=bbbb"
}

test_log_over_a_replica_that_kept_longer() {
	zfs create tank/data
	local m=/tmp/mnt/tank/data d
	for d in $(seq 1 10); do
		[ "$d" -eq 1 ] && echo one >$m/f
		[ "$d" -eq 4 ] && echo four >$m/f
		[ "$d" -eq 8 ] && echo eight >$m/f
		zfs snapshot "tank/data@$(log_day "$d")"
	done
	zfs send -R "tank/data@$(log_day 10)" | zfs recv -u tank/backup
	# The dataset lets its first five go; the replica keeps them.
	for d in 1 2 3 4 5; do zfs destroy "tank/data@$(log_day "$d")"; done
	ok "$ZEIT" -j log tank/data /f
	eq 5 "$(jq .snapshots <<<"$OUT")" "the dataset alone"
	eq 2 "$(jq '.versions | length' <<<"$OUT")" "versions the dataset alone knows"
	ok "$ZEIT" -j log --replica tank/backup tank/data /f
	local j=$OUT
	eq 10 "$(jq .snapshots <<<"$j")" "dataset and replica"
	eq "$(log_day 1)..$(log_day 3)" "$(log_runs "$j" 1)" "version 1, from the replica"
	eq "$(log_day 4)..$(log_day 7)" "$(log_runs "$j" 2)" "version 2, across both"
	eq "$(log_day 8)..$(log_day 10)" "$(log_runs "$j" 3)" "version 3"
	eq "tank/backup@$(log_day 1)" "$(jq -r '.versions[0].runs[0].first' <<<"$j")" "read from the replica"
	eq "tank/data@$(log_day 8)" "$(jq -r '.versions[2].runs[0].first' <<<"$j")" "read from the dataset"
	# Nothing of the replica left mounted.
	hasnt "$(grep zfs /proc/mounts)" "tank/backup"
}
