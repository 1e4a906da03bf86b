# zeit serve against a hostile peer, through a real sshd: what a stolen
# push key can do to a backup host (nothing that destroys, mounts, runs or
# exports), what a stolen pull key can do to a source, and pull mode.

T0=1793491200 # 2026-11-01T00:00:00Z

# Every dataset and snapshot of a pool with its guid and the properties an
# attack could change: the state that must survive the attack suite.
pool_state() {
	zfs list -H -p -t all -r -o name,guid,mountpoint,canmount,setuid,devices,exec,readonly,org.zeit:keep,org.zeit:snap "$1"
}

# serve_key NAME SERVE-ARGS...: a key whose forced command is
# `zeit serve SERVE-ARGS`; sets SSH (ssh with its options, one shared
# connection per key) and SENDOPTS (the same for zeit send).
serve_key() {
	local name=$1
	shift
	zvm_sshd
	rm -f "/run/zk-$name" "/run/zk-$name.pub"
	ssh-keygen -q -t ed25519 -N '' -C "zeit-$name" -f "/run/zk-$name"
	echo "command=\"$ZEIT serve $*\",restrict $(cat "/run/zk-$name.pub")" >>/root/.ssh/authorized_keys
	local opts=("-i/run/zk-$name" -oIdentitiesOnly=yes -p2222 -oStrictHostKeyChecking=no
		-oUserKnownHostsFile=/dev/null -oLogLevel=ERROR -oBatchMode=yes
		-oControlMaster=auto "-oControlPath=/run/zk-$name-%C" -oControlPersist=300)
	SSH=(ssh "${opts[@]}" root@127.0.0.1)
	SENDOPTS=()
	local o
	for o in "${opts[@]}"; do SENDOPTS+=("--ssh-opt=$o"); done
}

# A replica on backup/r with a few zeit snapshots, pushed honestly.
honest_replica() {
	zfs create tank/h
	zfs create tank/h/home
	echo data >/tmp/mnt/tank/h/home/f
	snap hourly $T0 tank/h -r
	snap hourly $((T0 + 3600)) tank/h -r
	zfs create backup/r
	ok "$ZEIT" -H send -r "${SENDOPTS[@]}" tank/h root@127.0.0.1:backup/r/h
}

# A stream that carries properties (send -p) meant to put a `zfs` into
# root's PATH and make it setuid: refused whole. A plain stream of the
# same dataset arrives inert: never mounted, no mountpoint of its own,
# setuid, devices and exec off.
test_serve_attack_property_stream() {
	zvm_file_pool backup 256M
	serve_key push backup/r
	zfs create backup/r
	zfs create -o mountpoint=/tmp/evil -o setuid=on -o devices=on tank/evil
	printf '#!/bin/sh\ntouch /tmp/owned\n' >/tmp/evil/zfs
	chmod 4755 /tmp/evil/zfs
	zfs snapshot tank/evil@s
	# Unmounted first: set on a mounted dataset, the mount point would
	# move into this test's own PATH.
	zfs unmount tank/evil
	zfs set canmount=noauto tank/evil
	zfs set mountpoint=/usr/local/sbin tank/evil
	fails "carries properties" bash -c "zfs send -p tank/evil@s | $(printf '%q ' "${SSH[@]}") zfs receive -s backup/r/evil"
	exists backup/r/evil && fail "a property stream was received"
	fails "carries properties" bash -c "zfs send -R tank/evil@s | $(printf '%q ' "${SSH[@]}") zfs receive -s backup/r/evil"
	exists backup/r/evil && fail "a replication stream was received"
	# Properties the peer asks for itself are refused too.
	fails "may not be set" bash -c "zfs send tank/evil@s | $(printf '%q ' "${SSH[@]}") zfs receive -o mountpoint=/usr/local/sbin backup/r/evil"
	fails "not accepted" bash -c "zfs send tank/evil@s | $(printf '%q ' "${SSH[@]}") zfs receive -x canmount backup/r/evil"
	# Not mounted even without -u.
	ok bash -c "zfs send tank/evil@s | $(printf '%q ' "${SSH[@]}") zfs receive backup/r/evil"
	eq no "$(zfs get -H -o value mounted backup/r/evil)" "received dataset mounted"
	eq noauto "$(zfs get -H -o value canmount backup/r/evil)"
	eq off "$(zfs get -H -o value setuid backup/r/evil)"
	eq off "$(zfs get -H -o value devices backup/r/evil)"
	eq off "$(zfs get -H -o value exec backup/r/evil)"
	eq "inherited from backup" "$(zfs get -H -o source mountpoint backup/r/evil)"
	eq off "$(zfs get -H -o value sharenfs backup/r/evil)"
	[ ! -e /usr/local/sbin/zfs ] || fail "a zfs appeared in root's PATH"
	# `zfs mount -a` (what boot does) leaves it alone. (The source
	# would mount onto /usr/local/sbin itself: it goes first.)
	zfs destroy -r tank/evil
	zfs mount -a
	eq no "$(zfs get -H -o value mounted backup/r/evil)" "mounted by zfs mount -a"
	# A volume arrives with no device nodes for the kernel to parse.
	zfs create -V 8M tank/vol
	zfs snapshot tank/vol@s
	ok bash -c "zfs send tank/vol@s | $(printf '%q ' "${SSH[@]}") zfs receive -s backup/r/vol"
	eq none "$(zfs get -H -o value volmode backup/r/vol)"
	# Junk instead of a stream is refused before zfs sees it.
	fails "not a zfs send stream" bash -c "head -c 4096 /dev/urandom | $(printf '%q ' "${SSH[@]}") zfs receive -s backup/r/junk"
	[ ! -e /tmp/owned ] || fail "the peer's binary ran"
}

# With a key that may only push: rollback, -F, destroy (inside and outside
# the root, the prefix trick), writes of zeit's policy properties, control
# bytes, shell syntax and other programs are all refused, and the backup
# pool is exactly as before; its own prune keeps every replica snapshot,
# and the next honest push succeeds.
test_serve_attack_nothing_destroys() {
	zvm_file_pool backup 256M
	serve_key push backup/r
	honest_replica
	zfs create backup/rx
	zfs snapshot backup/rx@zeit_hourly_20261101T000000Z
	zfs create backup/other
	zfs snapshot backup/other@zeit_hourly_20261101T000000Z
	local before
	before=$(pool_state backup)
	local s=backup/r/h/home@zeit_hourly_20261101T000000Z
	local attacks=(
		"zfs rollback -r $s"
		"zfs rollback -rf $s"
		"zfs rollback backup/r/h/home@zeit_hourly_20261101T010000Z"
		"zfs receive -F backup/r/h/home"
		"zfs receive -sF backup/r/h"
		"zfs destroy $s"
		"zfs destroy -r backup/r/h"
		"zfs destroy backup/rx@zeit_hourly_20261101T000000Z"
		"zfs destroy backup/r@,backup/other@zeit_hourly_20261101T000000Z"
		"zfs destroy backup/other@"
		"zfs set org.zeit:keep=frequent=0,hourly=0,daily=0 backup/r"
		"zfs set org.zeit:snap=off backup/r"
		"zfs set mountpoint=/usr/local/sbin backup/r/h"
		"zfs set canmount=on backup/r/h"
		"zfs set sharenfs=on backup/r/h"
		"zfs set setuid=on backup/r/h"
		"zfs set 'org.zeit:last-snapshot=x
backup/other@zeit_hourly_20261101T000000Z' backup/r/h"
		"zfs set \"org.zeit:source=\$(printf '\\033[2J')\" backup/r/h"
		"zfs list -H backup/r; zfs destroy -r backup/r"
		"zfs list -H backup/r && touch /tmp/owned"
		"zfs list -H backup/r | sh"
		"zfs list -H \$(touch /tmp/owned)"
		"zfs list -H backup/rx"
		"zfs list -H backup/r -r backup/other"
		"zfs program backup /dev/stdin"
		"zpool export backup"
		"zpool destroy backup"
		"sh -c id"
		"/sbin/zfs destroy $s"
		"id"
	)
	local a
	for a in "${attacks[@]}"; do
		fails "permission denied" "${SSH[@]}" "$a"
	done
	# Control bytes that reach serve raw (not through the shell's quoting).
	fails "permission denied" "${SSH[@]}" "$(printf 'zfs set org.zeit:last-snapshot=a\nb backup/r/h')"
	fails "permission denied" "${SSH[@]}" "$(printf 'zfs set org.zeit:source=h:tank\033[2J backup/r/h')"
	[ ! -e /tmp/owned ] || fail "a shell ran"
	eq "$before" "$(pool_state backup)" "the backup pool changed"
	# The backup host's own timer keeps every replica snapshot.
	ok "$ZEIT" --now "@$((T0 + 7200))" snap --auto
	ok "$ZEIT" --now "@$((T0 + 7200))" prune backup/r
	exists $s || fail "the backup host's prune destroyed a replica snapshot"
	exists backup/r/h/home@zeit_hourly_20261101T010000Z || fail "the backup host's prune destroyed the newest"
	snap hourly $((T0 + 7200)) tank/h -r
	ok "$ZEIT" -H send -r "${SENDOPTS[@]}" tank/h root@127.0.0.1:backup/r/h
	eq "$(guids tank/h | grep zeit_)" "$(guids backup/r/h | grep zeit_)" "the next honest push"
}

# --allow-prune and --allow-rollback are the key's to give, and even then
# only zeit's snapshots under the root go.
test_serve_allow_prune_and_rollback() {
	zvm_file_pool backup 256M
	serve_key prune --allow-prune --allow-rollback backup/r
	honest_replica
	zfs snapshot backup/r/h/home@manual
	zfs create backup/other
	zfs snapshot backup/other@zeit_hourly_20261101T000000Z
	fails "not a snapshot zeit made" "${SSH[@]}" zfs destroy backup/r/h/home@manual
	fails "outside" "${SSH[@]}" zfs destroy backup/other@zeit_hourly_20261101T000000Z
	fails "outside" "${SSH[@]}" zfs destroy otherpool/x@
	exists backup/r/h/home@manual || fail "a manual snapshot was destroyed"
	exists backup/other@zeit_hourly_20261101T000000Z || fail "a snapshot outside the root was destroyed"
	ok "${SSH[@]}" zfs destroy backup/r/h/home@zeit_hourly_20261101T000000Z
	exists backup/r/h/home@zeit_hourly_20261101T000000Z && fail "an allowed destroy did nothing"
	ok "${SSH[@]}" zfs rollback -r backup/r/h@zeit_hourly_20261101T000000Z
	exists backup/r/h@zeit_hourly_20261101T010000Z && fail "an allowed rollback did nothing"
	true
}

# The sender resumes only a token that asks for the snapshot being sent,
# raw where the run is raw; a forged one (another dataset's snapshot, or
# plaintext of an encrypted source) is refused and the partial state
# discarded, and the run goes on.
test_serve_forged_resume_token_refused() {
	zvm_file_pool backup 512M
	echo "passphrase-for-tests" >/tmp/key
	zfs create -o compression=off -o encryption=on -o keyformat=passphrase -o keylocation=file:///tmp/key tank/secret
	dd if=/dev/urandom of=/tmp/mnt/tank/secret/data bs=1M count=20 2>/dev/null
	snap daily $T0 tank/secret
	zfs create -o compression=off tank/other
	dd if=/dev/urandom of=/tmp/mnt/tank/other/data bs=1M count=20 2>/dev/null
	snap daily $T0 tank/other
	local s=tank/secret@zeit_daily_20261101T000000Z
	# Partial receives: the honest raw one, and two a compromised target
	# could hold: plaintext of the secret, and another dataset.
	zfs send -w $s | head -c 4000000 | zfs receive -s backup/secret 2>/dev/null || true
	zfs send $s | head -c 4000000 | zfs receive -s backup/plain 2>/dev/null || true
	zfs send tank/other@zeit_daily_20261101T000000Z | head -c 4000000 | zfs receive -s backup/wrong 2>/dev/null || true
	local honest plain wrong
	honest=$(zfs get -H -o value receive_resume_token backup/secret)
	plain=$(zfs get -H -o value receive_resume_token backup/plain)
	wrong=$(zfs get -H -o value receive_resume_token backup/wrong)
	[ "$honest" != - ] && [ "$plain" != - ] && [ "$wrong" != - ] || fail "no partial receives to forge from"
	# The target lies through a forced command that rewrites the token
	# it reports for backup/secret.
	zvm_sshd
	rm -f /run/zk-liar /run/zk-liar.pub
	ssh-keygen -q -t ed25519 -N '' -C zeit-liar -f /run/zk-liar
	cat >/run/liar <<EOF
#!/bin/bash
out=\$(bash -c "\$SSH_ORIGINAL_COMMAND"); rc=\$?
printf '%s\n' "\${out//$honest/\$(cat /run/liar.token)}"
exit \$rc
EOF
	chmod 755 /run/liar
	echo "command=\"/run/liar\",restrict $(cat /run/zk-liar.pub)" >>/root/.ssh/authorized_keys
	local opts=(-i/run/zk-liar -oIdentitiesOnly=yes -p2222 -oStrictHostKeyChecking=no
		-oUserKnownHostsFile=/dev/null -oLogLevel=ERROR -oControlMaster=no)
	local sendopts=() o
	for o in "${opts[@]}"; do sendopts+=("--ssh-opt=$o"); done
	for forged in "$plain" "$wrong"; do
		printf '%s' "$forged" >/run/liar.token
		ok "$ZEIT" -v -H send "${sendopts[@]}" tank/secret root@127.0.0.1:backup/secret
		has "$ERR" "resume token"
		has "$ERR" "discarding"
		# The run went on: the secret arrived raw, never in plaintext.
		eq "$(zfs get -H -p -o value guid $s)" "$(zfs get -H -p -o value guid backup/secret@zeit_daily_20261101T000000Z)"
		eq unavailable "$(zfs get -H -o value keystatus backup/secret)" "the target got plaintext"
		zfs destroy -r backup/secret
		zfs send -w $s | head -c 4000000 | zfs receive -s backup/secret 2>/dev/null || true
		honest_now=$(zfs get -H -o value receive_resume_token backup/secret)
		sed -i "s/$honest/$honest_now/" /run/liar
		honest=$honest_now
	done
	# An honest token resumes.
	printf '%s' "$honest" >/run/liar.token
	ok "$ZEIT" -H send "${sendopts[@]}" tank/secret root@127.0.0.1:backup/secret
	has "$OUT" "resumed"
	eq "$(zfs get -H -p -o value guid $s)" "$(zfs get -H -p -o value guid backup/secret@zeit_daily_20261101T000000Z)"
}

# Pull mode: the backup host holds the key and pulls through
# `zeit serve --send`: full, incremental, recursive (a clone included),
# raw for an encrypted dataset, holds and bookmarks on the source, and the
# local target pruned after.
test_serve_pull_full_incremental_recursive() {
	zvm_file_pool backup 256M
	serve_key pull --send tank/src
	zfs create tank/src
	zfs create tank/src/a
	zfs create tank/src/a/b
	echo "passphrase-for-tests" >/tmp/key
	zfs create -o encryption=on -o keyformat=passphrase -o keylocation=file:///tmp/key tank/src/enc
	echo one >/tmp/mnt/tank/src/a/f
	echo hidden >/tmp/mnt/tank/src/enc/f
	snap hourly $T0 tank/src -r
	zfs clone tank/src/a@zeit_hourly_20261101T000000Z tank/src/c
	snap hourly $((T0 + 3600)) tank/src -r
	local src=root@127.0.0.1:tank/src
	ok "$ZEIT" -H send -r "${SENDOPTS[@]}" "$src" backup/src
	for d in "" /a /a/b /c /enc; do
		eq "$(guids tank/src$d | grep zeit_)" "$(guids backup/src$d | grep zeit_)" "guids of $d"
	done
	eq backup/src/a@zeit_hourly_20261101T000000Z "$(zfs get -H -o value origin backup/src/c)"
	eq unavailable "$(zfs get -H -o value keystatus backup/src/enc)" "the pull decrypted"
	local newest=tank/src/a@zeit_hourly_20261101T010000Z tag
	tag="zeit-send:$(hostname):backup/src"
	has "$(zfs holds -H $newest)" "$tag"
	has "$(zfs list -H -o name -t bookmark tank/src/a)" "-zeit_hourly_20261101T010000Z"
	eq "127.0.0.1:tank/src/a" "$(zfs get -H -o value org.zeit:source backup/src/a | sed 's/^root@//')"
	snap hourly $((T0 + 7200)) tank/src -r
	ok "$ZEIT" -H send -r "${SENDOPTS[@]}" "$src" backup/src
	eq incremental "$(awk -F'\t' '$1 == "tank/src/a" { print $3 }' <<<"$OUT")"
	for d in "" /a /a/b /c /enc; do
		eq "$(guids tank/src$d | grep zeit_)" "$(guids backup/src$d | grep zeit_)" "incremental guids of $d"
	done
	has "$(zfs holds -H tank/src/a@zeit_hourly_20261101T020000Z)" "$tag"
	hasnt "$(zfs holds -H $newest)" "$tag"
	# Up to date, and the local target pruned after the pull.
	ok "$ZEIT" -H --now "@$((T0 + 7200))" send -r --prune "${SENDOPTS[@]}" "$src" backup/src
	eq "up to date" "$(awk -F'\t' '$1 == "tank/src/a/b" { print $3 }' <<<"$OUT")"

	# What the pull key cannot do to its source.
	local before
	before=$(zfs list -H -p -t all -r -o name,guid,readonly,org.zeit:keep tank)
	local s=tank/src/a@zeit_hourly_20261101T000000Z
	local attacks=(
		"zfs destroy $s"
		"zfs destroy -r tank/src/a"
		"zfs destroy tank/src/a#mine"
		"zfs rollback -r $s"
		"zfs receive -s tank/src/new"
		"zfs set org.zeit:keep=hourly=0 tank/src"
		"zfs set readonly=on tank/src"
		"zfs create tank/src/new"
		"zfs send tank/other@x"
		"zfs send -R tank/src@zeit_hourly_20261101T000000Z"
		"zfs send -p $s"
		"zfs send tank/src/enc@zeit_hourly_20261101T000000Z"
		"zfs send -i tank/other@x $s"
		"zfs hold keep $s"
		"zfs release keep $s"
		"zfs bookmark $s tank/src/a#mine"
		"zfs list -H -r tank"
		"zfs program tank /dev/stdin"
		"sh -c id"
	)
	zfs create tank/other
	zfs snapshot tank/other@x
	local a
	for a in "${attacks[@]}"; do
		fails "permission denied" "${SSH[@]}" "$a"
	done
	eq "$before" "$(zfs list -H -p -t all -r -o name,guid,readonly,org.zeit:keep tank | grep -v '^tank/other')" "the source changed"
	# Its encrypted dataset goes raw only.
	fails "encrypted" "${SSH[@]}" zfs send tank/src/enc@zeit_hourly_20261101T000000Z
	ok bash -c "$(printf '%q ' "${SSH[@]}") zfs send -w tank/src/enc@zeit_hourly_20261101T000000Z | wc -c"
}

# A pull of 200 MiB killed with SIGKILL at ten random points: each next
# run resumes through the source's serve --send, and the data arrives
# whole.
test_serve_pull_killed_ten_times_resumes() {
	zvm_file_pool backup 512M
	serve_key pullk --send tank/big
	zfs create -o compression=off tank/big
	dd if=/dev/urandom of=/tmp/mnt/tank/big/data bs=1M count=200 2>/dev/null
	snap daily $T0 tank/big
	echo more >/tmp/mnt/tank/big/more
	snap daily $((T0 + 86400)) tank/big
	local before src=root@127.0.0.1:tank/big
	before=$(guids tank/big)
	# Calibrate: a whole pull, then an up-to-date run.
	local start ms setup
	start=$(date +%s%N)
	ok "$ZEIT" send "${SENDOPTS[@]}" "$src" backup/probe
	ms=$((($(date +%s%N) - start) / 1000000))
	start=$(date +%s%N)
	ok "$ZEIT" send "${SENDOPTS[@]}" "$src" backup/probe
	setup=$((($(date +%s%N) - start) / 1000000))
	ms=$((ms - setup))
	zfs destroy -r backup/probe
	zfs release "zeit-send:$(hostname):backup/probe" tank/big@zeit_daily_20261102T000000Z
	kill_sends "$setup" "$ms" backup/big "$ZEIT" send "${SENDOPTS[@]}" "$src" backup/big
	ok "$ZEIT" send "${SENDOPTS[@]}" "$src" backup/big
	[ "$KILLS" -ge 10 ] || fail "only $KILLS kills before the pull finished"
	[ "$PARTIAL" -ge 1 ] || fail "no kill landed inside a stream"
	eq "$(guids tank/big | grep zeit_)" "$(guids backup/big | grep zeit_)"
	zfs set canmount=on backup/big
	zfs mount backup/big
	eq "$(cd /tmp/mnt/tank/big && sha256sum data more)" "$(cd /tmp/mnt/backup/big && sha256sum data more)"
	eq "$before" "$(guids tank/big)" "source snapshots changed"
}

# A host word is a destination for ssh, never one of its options: no
# ProxyCommand smuggled in as a "host", for a target or a pull's source.
test_serve_host_word_is_never_an_ssh_option() {
	zfs create tank/x
	snap hourly $T0 tank/x
	fails "invalid (host|name)" "$ZEIT" send -- tank/x "-oProxyCommand=touch /tmp/owned:backup/x"
	fails "invalid host" "$ZEIT" send -- tank/x "-oProxyCommand=sh:backup/x"
	fails "invalid host" "$ZEIT" send -- "-oProxyCommand=sh:tank/x" tank/y
	fails "names no dataset|name the dataset" "$ZEIT" send tank/x "nas:"
	[ ! -e /tmp/owned ] || fail "ssh ran a ProxyCommand"
}

# A pull's source may be the compromised machine: a stream that carries
# properties (here a keep policy that would make the backup host's prune
# destroy its replicas, and a mount point in root's PATH), or one of
# another type than the source listed, is refused before zfs receive sees
# a byte; nothing is created on the backup host.
test_serve_pull_from_hostile_source() {
	zvm_file_pool backup 256M
	zfs create -o mountpoint=/tmp/evil tank/src
	printf '#!/bin/sh\ntouch /tmp/owned\n' >/tmp/evil/zfs
	chmod 4755 /tmp/evil/zfs
	zfs set org.zeit:keep=hourly=0 tank/src
	snap hourly $T0 tank/src
	zfs unmount tank/src
	zfs set canmount=noauto tank/src
	zfs set mountpoint=/usr/local/sbin tank/src
	zfs create -V 8M tank/vol
	zfs snapshot tank/vol@zeit_hourly_20261101T000000Z
	zvm_sshd
	rm -f /run/zk-evil /run/zk-evil.pub
	ssh-keygen -q -t ed25519 -N '' -C zeit-evil -f /run/zk-evil
	# The source answers listings honestly and sends what it likes.
	cat >/run/evil-source <<'EOS'
#!/bin/bash
cmd=$SSH_ORIGINAL_COMMAND
case $cmd in
"zfs list "*) [ ! -e /run/evil-quiet ] || exit 0 ;;
"zfs send "*-n*) ;;
"zfs send "*) cmd=$(sed "s|^zfs send |zfs send $(cat /run/evil-mode) |; s|tank/src@|$(cat /run/evil-from)@|" <<<"$cmd") ;;
esac
exec bash -c "$cmd"
EOS
	chmod 755 /run/evil-source
	echo "command=\"/run/evil-source\",restrict $(cat /run/zk-evil.pub)" >>/root/.ssh/authorized_keys
	local opts=(-i/run/zk-evil -oIdentitiesOnly=yes -p2222 -oStrictHostKeyChecking=no
		-oUserKnownHostsFile=/dev/null -oLogLevel=ERROR -oControlMaster=no)
	local sendopts=() o
	for o in "${opts[@]}"; do sendopts+=("--ssh-opt=$o"); done
	printf '%s' -p >/run/evil-mode
	printf '%s' tank/src >/run/evil-from
	# A listing that answers nothing is no "nothing to do".
	touch /run/evil-quiet
	fails "does not answer for it" "$ZEIT" send "${sendopts[@]}" root@127.0.0.1:tank/src backup/src
	rm /run/evil-quiet
	fails "carries properties" "$ZEIT" send "${sendopts[@]}" root@127.0.0.1:tank/src backup/src
	exists backup/src && fail "a property stream from the source was received"
	printf '%s' -R >/run/evil-mode
	fails "carries properties" "$ZEIT" send "${sendopts[@]}" root@127.0.0.1:tank/src backup/src
	exists backup/src && fail "a replication stream from the source was received"
	printf '%s' -L >/run/evil-mode
	printf '%s' tank/vol >/run/evil-from
	fails "volume" "$ZEIT" send "${sendopts[@]}" root@127.0.0.1:tank/src backup/src
	exists backup/src && fail "a volume's stream was taken for a filesystem"
	[ ! -e /usr/local/sbin/zfs ] || fail "a zfs appeared in root's PATH"
	[ ! -e /tmp/owned ] || fail "the source's binary ran"
	# An honest stream from it arrives inert.
	printf '%s' tank/src >/run/evil-from
	ok "$ZEIT" send "${sendopts[@]}" root@127.0.0.1:tank/src backup/src
	eq noauto "$(zfs get -H -o value canmount backup/src)"
	eq off "$(zfs get -H -o value setuid backup/src)"
	eq - "$(zfs get -H -o value org.zeit:keep backup/src)" "a property came with the stream"
}

# zeit serve as an ordinary user with the delegation zeit-send(8) gives,
# so that not even a bug in zfs's receive path runs as root: pushes,
# incremental pushes and a pull work.
test_serve_as_delegated_user() {
	zvm_file_pool backup 256M
	zvm_sshd
	# What udev does on a real system: /dev/zfs for everyone (zfs checks
	# each operation against the delegation).
	chmod 0666 /dev/zfs
	id zrecv >/dev/null 2>&1 || useradd -m zrecv
	id zsend >/dev/null 2>&1 || useradd -m zsend
	usermod -p '*' zrecv
	usermod -p '*' zsend
	zfs create backup/laptop
	zfs allow -u zrecv create,receive,mount,userprop,readonly,canmount,setuid,devices,exec,volmode,mountpoint,sharenfs,sharesmb backup/laptop
	rm -f /run/zk-user /run/zk-user.pub
	ssh-keygen -q -t ed25519 -N '' -C zeit-user -f /run/zk-user
	local u
	for u in zrecv zsend; do
		mkdir -p /home/$u/.ssh
		chown $u /home/$u/.ssh
	done
	echo "command=\"$ZEIT serve backup/laptop\",restrict $(cat /run/zk-user.pub)" >/home/zrecv/.ssh/authorized_keys
	echo "command=\"$ZEIT serve --send tank/h\",restrict $(cat /run/zk-user.pub)" >/home/zsend/.ssh/authorized_keys
	local opts=(-i/run/zk-user -oIdentitiesOnly=yes -p2222 -oStrictHostKeyChecking=no
		-oUserKnownHostsFile=/dev/null -oLogLevel=ERROR -oBatchMode=yes)
	local sendopts=() o
	for o in "${opts[@]}"; do sendopts+=("--ssh-opt=$o"); done
	zfs create tank/h
	zfs create tank/h/home
	echo data >/tmp/mnt/tank/h/home/f
	snap hourly $T0 tank/h -r
	ok "$ZEIT" -H send -r "${sendopts[@]}" tank/h zrecv@127.0.0.1:backup/laptop/h
	eq "$(guids tank/h | grep zeit_)" "$(guids backup/laptop/h | grep zeit_)" "a push as zrecv"
	eq off "$(zfs get -H -o value setuid backup/laptop/h/home)"
	snap hourly $((T0 + 3600)) tank/h -r
	ok "$ZEIT" -H send -r "${sendopts[@]}" tank/h zrecv@127.0.0.1:backup/laptop/h
	eq "$(guids tank/h | grep zeit_)" "$(guids backup/laptop/h | grep zeit_)" "an incremental push as zrecv"
	zfs allow -u zsend send,hold,release,bookmark,destroy tank/h
	ok "$ZEIT" -H send -r "${sendopts[@]}" zsend@127.0.0.1:tank/h backup/pulled
	eq "$(guids tank/h | grep zeit_)" "$(guids backup/pulled | grep zeit_)" "a pull from zsend"
	has "$(zfs holds -H tank/h/home@zeit_hourly_20261101T010000Z)" "zeit-send:"
}
