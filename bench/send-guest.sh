#!/usr/bin/env bash
# The guest half of bench/send.
set -euo pipefail
. tests/vm/guest-lib.sh
trap zvm_destroy_pools EXIT
ZEIT=${ZEIT:-$PWD/build/zeit} # ZVM_PASS=ZEIT to measure another build
size=1024 rounds=3
while [ $# -gt 0 ]; do
	case $1 in
	--size) size=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
done

zvm_file_pool src $((size + 512))M -O compression=off
zvm_file_pool dst $((size + 512))M -O compression=off
zfs create src/d
# Incompressible data in a few files, one snapshot zeit, syncoid and the
# floor all send.
for i in 1 2 3 4; do
	dd if=/dev/urandom of=/tmp/mnt/src/d/f$i bs=1M count=$((size / 4)) 2>/dev/null
done
zfs snapshot src/d@zeit_daily_20261127T000000Z
snap=src/d@zeit_daily_20261127T000000Z
bytes=$(zfs send -nvP "$snap" | awk '$1 == "size" {print $2}')

zvm_sshd
SSH=(ssh -p 2222 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
	-o ControlMaster=auto -o ControlPath=/run/bench-%C -o ControlPersist=600)
# One shared connection for every peer, opened before any is timed.
"${SSH[@]}" root@127.0.0.1 true
zeit_ssh=()
for o in "${SSH[@]:1}"; do zeit_ssh+=("--ssh-opt=$o"); done
# zeit pulls as a backup host would: through a key whose forced command is
# `zeit serve --send`, on a connection of its own, opened now too.
rm -f /run/bench-pull /run/bench-pull.pub
ssh-keygen -q -t ed25519 -N '' -f /run/bench-pull
echo "command=\"$ZEIT serve --send src/d\",restrict $(cat /run/bench-pull.pub)" >>/root/.ssh/authorized_keys
PULL=(-i /run/bench-pull -o IdentitiesOnly=yes -p 2222 -o StrictHostKeyChecking=no
	-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ControlMaster=auto
	-o ControlPath=/run/bench-pull-%C -o ControlPersist=600)
ssh "${PULL[@]}" root@127.0.0.1 zfs list -H src/d >/dev/null
zeit_pull_opts=()
for o in "${PULL[@]}"; do zeit_pull_opts+=("--ssh-opt=$o"); done

# Each peer starts on quiet pools: the last peer's destroyed copy is freed
# in the background, through the same emulated CPU, and would otherwise be
# charged to whoever runs next.
quiesce() {
	local p
	for p in src dst; do
		zpool sync "$p"
		zpool wait -t free "$p"
	done
}
secs() {
	local s e
	quiesce
	s=$(date +%s%N)
	"$@" >/tmp/bench.out 2>/tmp/bench.err || { cat /tmp/bench.err >&2; return 1; }
	e=$(date +%s%N)
	echo "scale=2; ($e - $s) / 1000000000" | bc
}
clean() {
	zfs destroy -r "$1" 2>/dev/null || true
	zfs release -r "zeit-send:$2" "$snap" 2>/dev/null || true
	zfs list -H -o name -t bookmark src/d | xargs -r -n1 zfs destroy 2>/dev/null || true
}
floor_local() { zfs send -L -c -e "$snap" | zfs recv -u dst/floor; }
floor_ssh() { zfs send -L -c -e "$snap" | "${SSH[@]}" root@127.0.0.1 zfs recv -u dst/floor; }
zeit_local() { "$ZEIT" send --no-progress src/d dst/zeit; }
zeit_ssh() { "$ZEIT" send --no-progress "${zeit_ssh[@]}" src/d root@127.0.0.1:dst/zeit; }
floor_pull() { "${SSH[@]}" root@127.0.0.1 zfs send -L -c -e "$snap" | zfs recv -u dst/floor; }
zeit_pull() { "$ZEIT" send --no-progress "${zeit_pull_opts[@]}" root@127.0.0.1:src/d dst/zeit; }
syncoid_local() { syncoid --no-sync-snap --quiet src/d dst/syncoid; }
syncoid_ssh() {
	syncoid --no-sync-snap --quiet --sshport=2222 \
		--sshoption=StrictHostKeyChecking=no --sshoption=UserKnownHostsFile=/dev/null \
		src/d root@127.0.0.1:dst/syncoid
}
syncoid_pull() {
	syncoid --no-sync-snap --quiet --sshport=2222 \
		--sshoption=StrictHostKeyChecking=no --sshoption=UserKnownHostsFile=/dev/null \
		root@127.0.0.1:src/d dst/syncoid
}

# One untimed transfer each way first: the first stream of a boot pays
# once for what later ones find warm (module paths, the ssh channel, ARC
# metadata), and whichever peer ran first was charged for it.
floor_local && clean dst/floor x
floor_ssh && clean dst/floor x
floor_pull && clean dst/floor x

declare -A total streams
peers=(floor zeit syncoid)
for r in $(seq "$rounds"); do
	# Each round starts with a different peer, so none always runs first
	# (cold caches) or right after another.
	k=$(((r - 1) % 3))
	order=("${peers[@]:k}" "${peers[@]:0:k}")
	for where in local ssh pull; do
		for peer in "${order[@]}"; do
			t=$(secs "${peer}_$where")
			total[$peer-$where]=$(echo "${total[$peer-$where]:-0} + $t" | bc)
			if [ $peer = zeit ]; then
				# zeit's own account of its streams (zfs send | zfs
				# receive), without the listings and bookkeeping.
				st=$(sed -n 's/.*, streams \([0-9.]*\) s .*/\1/p' /tmp/bench.out)
				streams[$where]=$(echo "${streams[$where]:-0} + ${st:?no stream time in zeit output}" | bc)
			fi
			echo "round $r $where $peer: $t s" >&2
			case $peer in
			zeit) case $where in
				ssh) clean dst/zeit root@127.0.0.1:dst/zeit ;;
				pull) clean dst/zeit "$(hostname):dst/zeit" ;;
				*) clean dst/zeit dst/zeit ;;
				esac ;;
			*) clean "dst/$peer" x ;;
			esac
		done
	done
done

# What a run costs beyond its stream: zeit against a replica that is
# already up to date (the listings, and nothing else), best of three.
fixed() {
	local best='' t i
	for i in 1 2 3; do
		t=$(secs "$@")
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
	done
	echo "$best"
}
zeit_local >/dev/null
zeit_ssh >/dev/null
fixed_local=$(fixed zeit_local)
fixed_ssh=$(fixed zeit_ssh)
clean dst/zeit root@127.0.0.1:dst/zeit
zeit_pull >/dev/null
fixed_pull=$(fixed zeit_pull)

echo
echo "stream: $((bytes / 1048576)) MiB of incompressible data, one snapshot, times summed over $rounds rounds"
printf '%-10s %-8s %10s %10s %10s\n' where peer seconds "MiB/s" "x floor"
for where in local ssh pull; do
	f=${total[floor-$where]}
	for peer in floor zeit syncoid; do
		t=${total[$peer-$where]}
		printf '%-10s %-8s %10s %10s %10s\n' "$where" "$peer" "$t" \
			"$(echo "scale=1; $bytes * $rounds / 1048576 / $t" | bc)" \
			"$(echo "scale=3; $f / $t" | bc)"
	done
	t=${streams[$where]}
	printf '%-10s %-8s %10s %10s %10s\n' "$where" "streams" "$t" \
		"$(echo "scale=1; $bytes * $rounds / 1048576 / $t" | bc)" \
		"$(echo "scale=3; $f / $t" | bc)"
done
echo "(x floor is throughput relative to the floor: 1.000 is as fast as bare zfs send | zfs recv;"
echo " \"streams\" is zeit's own time in zfs send | zfs receive, without its listings and bookkeeping)"
echo "(pull: the backup host runs it, zeit through a key whose forced command is zeit serve --send;"
echo " the floor is ssh src zfs send | zfs recv)"
echo "zeit with nothing to send (its fixed cost per run): local ${fixed_local} s, ssh ${fixed_ssh} s, pull ${fixed_pull} s"
