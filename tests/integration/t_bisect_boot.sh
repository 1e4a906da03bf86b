# zeit bisect run --boot on real ZFS, without booting: each "boot" is the
# step the zeit-boot-ok unit would run, in a chroot whose / is the
# environment the menu would boot (the one-time choice, taken, else
# bootfs; a candidate whose /etc/state says "panics" never gets as far as
# the unit, so the default's step runs instead). 8 snapshots; from the
# 5th on the environment does not come up.

R=tank/ROOT

make_history() { # [FIRST_BAD]
	local bad=${1:-5}
	zfs create -o mountpoint=none $R
	zfs create -o mountpoint=/ -o canmount=noauto $R/deb
	zpool set bootfs=$R/deb tank
	local m=/tmp/hist
	mkdir -p $m
	mount -t zfs -o zfsutil $R/deb $m
	mkdir -p $m/etc $m/boot $m/tmp
	echo kernel >$m/boot/vmlinuz-6.1.0-13-amd64
	for i in 1 2 3 4 5 6 7 8; do
		if [ $i -ge "$bad" ]; then echo panics; else echo fine; fi >$m/etc/state
		sync
		zfs snapshot $R/deb@s$i
	done
	echo fine >$m/etc/state
	umount $m
}

# in_env DS ZEIT-ARGS...: zeit run on a system whose / is DS.
in_env() {
	local ds=$1 r=/tmp/ri.$$ repo
	shift
	repo=$(cd "$(dirname "$ZEIT")/.." && pwd)
	cat >/tmp/in-env.sh <<-EOF
		set -e
		mkdir -p $r
		mount -t zfs -o zfsutil $ds $r
		for d in usr proc dev sys; do mkdir -p $r/\$d; mount --rbind /\$d $r/\$d; done
		mkdir -p $r/run $r/tmp
		mount -t tmpfs tmpfs $r/run
		for l in bin sbin lib lib64; do [ -e $r/\$l ] || ln -s usr/\$l $r/\$l; done
		mkdir -p $r$repo
		mount --bind $repo $r$repo
		exec chroot $r $ZEIT "\$@"
	EOF
	unshare -m bash /tmp/in-env.sh "$@"
}

# What the menu boots now, as zeit-menu chooses: the one-time choice,
# taken, else bootfs; a candidate that panics leaves the default to boot.
menu_boot() {
	local nb
	nb=$(nextboot_of $R)
	if [ -n "$nb" ]; then
		zfs inherit org.zeit:nextboot $R
		[ "$nb" = "${nb#*/}" ] && nb=$R/$nb
		local m=/tmp/peek
		mkdir -p $m
		mount -t zfs -o zfsutil,ro "$nb" $m
		local st
		st=$(cat $m/etc/state)
		umount $m
		[ "$st" = panics ] || { echo "$nb"; return; }
	fi
	zpool get -H -o value bootfs tank
}

# Boots as the menu would until the default reports the answer: $out is
# the last step's output, $ds what it ran on, $boots how many boots.
walk() {
	boots=0
	all=
	while :; do
		ds=$(menu_boot)
		boots=$((boots + 1))
		[ $boots -le 12 ] || fail "12 boots and no answer"
		out=$(in_env "$ds" bisect step --no-reboot 2>&1) || fail "step on $ds: $out"
		echo "boot $boots: $ds: $out" >&2
		all+="$out
"
		# The unit run twice on one boot: nothing marked twice.
		again=$(in_env "$ds" bisect step --no-reboot 2>&1) || fail "second step on $ds: $again"
		hasnt "$again" " is good"
		hasnt "$again" " is bad"
		grep -q "last boot bisection ended" <<<"$out" && break
	done
}

CHECK='echo "$ZEIT_BISECT_SNAPSHOT" >>/dev/shm/zeit-seen; test "$(cat /etc/state)" = fine'

state_of_root() {
	zfs get -H -s local -o property,value all $R | grep -v 'org.zeit:bisect-result' | sort
}

test_bisect_boot_walks_to_the_fifth_unattended() {
	make_history
	rm -f /dev/shm/zeit-seen
	before=$(state_of_root)
	ok in_env $R/deb bisect start deb --good s1 --bad s8
	ok in_env $R/deb bisect run --boot --check "$CHECK" --timeout 60 --no-reboot
	has "$OUT" "set to boot once"
	has "$OUT" "reboot now"
	eq on "$(zfs get -H -s local -o value org.zeit:bisect-boot $R)"
	walk
	has "$out" "first bad snapshot: $R/deb@s5"
	has "$out" "last good snapshot: $R/deb@s4"
	eq $R/deb "$ds" "the last boot is not the default's"
	# Every candidate tested inside itself was one that came up, with
	# its snapshot's name in the environment.
	for s in $(cat /dev/shm/zeit-seen); do
		case $s in $R/deb@s[234]) ;; *) fail "the check ran for $s" ;; esac
	done
	ok "$ZEIT" bisect --root $R status
	has "$OUT" "first bad snapshot: $R/deb@s5"
	has "$OUT" "last good snapshot: $R/deb@s4"
	st=$("$ZEIT" status 2>&1 || true)
	has "$st" "the last boot bisection ended with first-bad=$R/deb@s5 last-good=$R/deb@s4"
	# Said once, by the BE root: its children inherit the value.
	eq 1 "$(grep -c 'last boot bisection' <<<"$st")" "status lines of the answer"
	eq "" "$(zfs list -H -o name -r $R | grep bisect || true)" "clones left"
	eq "" "$(nextboot_of $R)" "a one-time choice left"
	eq $R/deb "$(zpool get -H -o value bootfs tank)"
	eq "" "$(zfs get -H -r -s local -o name org.zeit:bisect tank | grep @ || true)" "marks left"
	eq "$before" "$(state_of_root)" "the BE root's properties after the end"
	echo "boots: $boots" >&2
}

test_bisect_boot_refuses_odd_states() {
	make_history
	ok in_env $R/deb bisect start deb --good s1 --bad s8
	# Only from the default: a candidate is no place to start from.
	zfs clone -o mountpoint=/ -o canmount=noauto $R/deb@s2 $R/other
	fails "starts on the default environment" in_env $R/other bisect run --boot --no-reboot
	fails "takes seconds" in_env $R/deb bisect run --boot --timeout 5m --no-reboot
	ok in_env $R/deb bisect run --boot --no-reboot
	fails "running already" in_env $R/deb bisect run --boot --no-reboot
	# A forged candidate under test, a forged timeout, a reboot loop:
	# each refused before anything is looked at (no chroot needed).
	Z=("$ZEIT" bisect --root $R step --no-reboot)
	zfs set org.zeit:bisect-current=tank/elsewhere@x $R
	fails "not a candidate" "${Z[@]}"
	zfs set org.zeit:bisect-current=$R/deb@s3 org.zeit:bisect-boot-timeout='1;reboot' $R
	fails "org.zeit:bisect-boot-timeout on $R has a value zeit never writes" "${Z[@]}"
	zfs set org.zeit:bisect-boot-timeout=60 org.zeit:bisect-boot-reboots=40 $R
	fails "reboots without an answer" "${Z[@]}"
	# A target outside the BE root: refused, and reset forgets it
	# without touching what it names.
	zfs create tank/victim
	zfs snapshot tank/victim@a
	zfs set org.zeit:bisect=good tank/victim@a
	zfs set org.zeit:bisect-target=tank/victim $R
	fails "not an environment of $R" "${Z[@]}"
	ok "$ZEIT" bisect --root $R reset
	eq good "$(zfs get -H -o value org.zeit:bisect tank/victim@a)"
	eq "" "$(zfs get -H -s local -o property all $R | grep bisect || true)" "state left after reset"
	ok "${Z[@]}"
	eq "" "$OUT" "a step with no bisection says nothing"
}

test_bisect_boot_reset_from_a_candidate() {
	make_history
	ok in_env $R/deb bisect start deb --good s1 --bad s8
	ok in_env $R/deb bisect run --boot --no-reboot
	clone=$(nextboot_of $R)
	[ -n "$clone" ] || fail "no candidate set to boot once"
	zfs inherit org.zeit:nextboot $R
	# Reset inside the candidate: the state goes, the running clone
	# stays (and says so), the default boots next.
	ok in_env "$clone" bisect reset
	has "$ERR" "left $clone: it runs now"
	eq "" "$(zfs get -H -s local -o property all $R | grep bisect || true)" "state left"
	eq $R/deb "$(zpool get -H -o value bootfs tank)"
	eq "" "$(nextboot_of $R)"
	ok in_env $R/deb bisect step --no-reboot
	eq "" "$OUT"
}

# The answer found in a candidate (the 3rd comes up, the 4th on do not):
# it reboots into the default, which ends the bisection; the one-time
# choice the user had before start is back at the end.
test_bisect_boot_answer_found_in_a_candidate() {
	make_history 4
	zfs clone -o mountpoint=/ -o canmount=noauto $R/deb@s1 $R/other
	zfs set org.zeit:nextboot=$R/other $R
	ok in_env $R/deb bisect start deb --good s1 --bad s8
	ok in_env $R/deb bisect run --boot --no-reboot
	walk
	has "$out" "first bad snapshot: $R/deb@s4"
	has "$out" "last good snapshot: $R/deb@s3"
	eq $R/deb "$ds" "the last boot is not the default's"
	has "$all" "answer found; back to the default environment"
	eq $R/other "$(nextboot_of $R)" "the user's one-time choice after the end"
	eq "" "$(zfs list -H -o name -r $R | grep bisect || true)" "clones left"
}
