# Send and receive through the runner's pipeline.

fill() { # fill DIR MB
	dd if=/dev/urandom of="$1/data" bs=1M count="$2" 2>/dev/null
}

test_send_full_and_incremental() {
	zvm_file_pool backup 512M
	zfs create tank/a
	fill /tmp/mnt/tank/a 8
	zfs snapshot tank/a@s1
	ok "$ZDRV" send-estimate tank/a@s1
	est=$OUT
	ok "$ZDRV" send-recv tank/a@s1 backup/a su
	bytes=$OUT
	[ "$bytes" -gt 8000000 ] || fail "only $bytes bytes crossed"
	# The estimate is within a few percent of what crossed.
	[ $((est * 100 / bytes)) -ge 90 ] && [ $((est * 100 / bytes)) -le 110 ] ||
		fail "estimate $est vs sent $bytes"
	eq "$(zfs get -H -p -o value guid tank/a@s1)" "$(zfs get -H -p -o value guid backup/a@s1)"
	# Incremental with -I carries the snapshots in between.
	echo x >/tmp/mnt/tank/a/x
	zfs snapshot tank/a@s2
	echo y >/tmp/mnt/tank/a/y
	zfs snapshot tank/a@s3
	ok "$ZDRV" send-estimate -I tank/a@s1 tank/a@s3
	ok "$ZDRV" send-recv -I tank/a@s1 tank/a@s3 backup/a u
	eq "backup/a@s1 backup/a@s2 backup/a@s3" "$(zfs_names -t snapshot -r backup | paste -sd' ')"
	# -i sends just the one step.
	zfs snapshot tank/a@s4
	zfs snapshot tank/a@s5
	ok "$ZDRV" send-recv -i tank/a@s3 tank/a@s5 backup/a u
	exists backup/a@s4 && fail "-i carried an intermediate snapshot"
	exists backup/a@s5 || fail "-i did not arrive"
	# From a bookmark.
	zfs bookmark tank/a@s5 tank/a#b5
	zfs snapshot tank/a@s6
	ok "$ZDRV" send-recv -i 'tank/a#b5' tank/a@s6 backup/a u
	exists backup/a@s6 || fail "send from bookmark did not arrive"
}

test_send_raw_encrypted() {
	zvm_file_pool backup 256M
	echo "passphrase-for-tests" >/tmp/key
	zfs create -o encryption=on -o keyformat=passphrase -o keylocation=file:///tmp/key tank/secret
	echo hidden >/tmp/mnt/tank/secret/f
	zfs snapshot tank/secret@s1
	# Without -w the stream is decrypted (the key is loaded here).
	ok "$ZDRV" send-recv tank/secret@s1 backup/plain u
	eq off "$(zfs get -H -o value encryption backup/plain)"
	ok "$ZDRV" send-recv -w tank/secret@s1 backup/secret u
	eq unavailable "$(zfs get -H -o value keystatus backup/secret)" "target needs no key"
	eq aes-256-gcm "$(zfs get -H -o value encryption backup/secret)"
}

test_send_resume_after_interruption() {
	zvm_file_pool backup 512M
	zfs create -o compression=off tank/a
	fill /tmp/mnt/tank/a 96
	zfs snapshot tank/a@s1
	# Kill both sides (SIGKILL, as a crash) 20 MB into the stream,
	# leaving a resumable partial state on the target.
	rc=0
	"$ZDRV" --cut-bytes 20000000 send-recv tank/a@s1 backup/a su 2>/tmp/err || rc=$?
	[ "$rc" -ne 0 ] || fail "transfer finished before the cut"
	has "$(cat /tmp/err)" "was stopped"
	token=$(zfs get -H -o value receive_resume_token backup/a)
	[ "$token" != "-" ] && [ -n "$token" ] || fail "no resume token after the cut"
	ok "$ZDRV" send-estimate -t "$token"
	[ "$OUT" -gt 0 ] || fail "no estimate for the rest"
	ok "$ZDRV" send-recv -t "$token" backup/a su
	eq "$(zfs get -H -p -o value guid tank/a@s1)" "$(zfs get -H -p -o value guid backup/a@s1)"
	eq - "$(zfs get -H -o value receive_resume_token backup/a)"
}

test_recv_abort() {
	zvm_file_pool backup 512M
	zfs create -o compression=off tank/a
	fill /tmp/mnt/tank/a 96
	zfs snapshot tank/a@s1
	"$ZDRV" --cut-bytes 20000000 send-recv tank/a@s1 backup/a su 2>/dev/null && fail "transfer was not cut"
	[ "$(zfs get -H -o value receive_resume_token backup/a)" != - ] || fail "no partial state"
	ok "$ZDRV" recv-abort backup/a
	exists backup/a && fail "partial dataset survived the abort"
	fails "does not exist|no partial|resum" "$ZDRV" recv-abort backup/nothing
}

test_recv_into_diverged_target_refused() {
	zvm_file_pool backup 256M
	zfs create tank/a
	zfs snapshot tank/a@s1
	"$ZDRV" send-recv tank/a@s1 backup/a u >/dev/null
	zfs snapshot tank/a@s2
	# The target moves on by itself: a write and a snapshot of its own.
	zfs set mountpoint=/tmp/mnt/backup-a backup/a
	zfs mount backup/a 2>/dev/null || true
	echo local >/tmp/mnt/backup-a/local
	zfs snapshot backup/a@mine
	fails "destination.*has been modified|has snapshots|modified" "$ZDRV" -v send-recv -i tank/a@s1 tank/a@s2 backup/a u
	has "$ERR" "zfs receive -u backup/a"
	exists backup/a@mine || fail "target snapshot lost"
	exists backup/a@s2 && fail "diverged target received the stream"
	true
}

test_send_recv_over_ssh() {
	zvm_file_pool backup 256M
	zvm_sshd
	zfs create tank/a
	echo hello >/tmp/mnt/tank/a/f
	zfs snapshot tank/a@s1
	ssh_opts=(--ssh-opt -p --ssh-opt 2222 --ssh-opt -oStrictHostKeyChecking=no --ssh-opt -oUserKnownHostsFile=/dev/null --ssh-opt -oLogLevel=ERROR)
	ok "$ZDRV" "${ssh_opts[@]}" --dst-host root@127.0.0.1 send-recv tank/a@s1 'backup/a b' u
	eq "$(zfs get -H -p -o value guid tank/a@s1)" "$(zfs get -H -p -o value guid 'backup/a b@s1')"
	# Listing and errors come back across ssh, names with spaces intact.
	ok "$ZDRV" "${ssh_opts[@]}" --host root@127.0.0.1 list-snapshots 'backup/a b'
	has "$OUT" "backup/a b@s1"
	fails "root@127.0.0.1: cannot open 'backup/none': dataset does not exist" "$ZDRV" "${ssh_opts[@]}" --host root@127.0.0.1 list-snapshots backup/none
	fails "ssh failed" "$ZDRV" --ssh-opt -p --ssh-opt 2999 --ssh-opt -oConnectTimeout=20 --host root@127.0.0.1 list-snapshots backup
}
