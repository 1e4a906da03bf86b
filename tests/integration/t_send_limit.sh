# zeit send --limit against real pools: a 64 MiB stream at 2 MiB/s takes
# 32 s within 5%, and zeit itself moves it with splice(2), never with
# read(2)/write(2) (its system calls counted by strace).

T0=1793491200 # 2026-11-01T00:00:00Z

# relay_calls LOG: "SPLICED READ WRITTEN OTHER SECONDS" from strace -ttt's
# log of zeit alone: the bytes its own calls returned, by kind, and the
# time from its first splice to its last (the relay's own span).
relay_calls() {
	awk '
	{ t = $1; $1 = "" ; sub(/^ /, "") }
	match($0, /^[a-z0-9_]+\(/) {
		name = substr($0, 1, RLENGTH - 1)
		# The last ") = N": the strings shown may hold one too.
		r = $0
		if (!sub(/.*\) += /, "", r)) next
		if (r + 0 <= 0) next
		if (name == "splice") { s += r; if (!first) first = t; last = t }
		else if (name ~ /^(read|pread64|readv|preadv)$/) rd += r
		else if (name ~ /^(write|pwrite64|writev|pwritev)$/) wr += r
		else other += r
	}
	END { printf "%d %d %d %d %.2f\n", s, rd, wr, other, last - first }' "$1"
}

test_send_limit_2M_paces_a_64M_stream_by_splice() {
	zvm_file_pool backup 256M
	# Zeros cost the emulated CPU less than random bytes; without
	# compression they are stored, and sent, as data.
	zfs create -o compression=off -o recordsize=1M tank/big
	head -c 64M /dev/zero >/tmp/mnt/tank/big/blob
	snap daily $T0 tank/big

	# A rate that is no rate: refused, the value named, nothing sent.
	# (The unit tests take the hostile rates one by one.)
	for bad in "2 M" 17G; do
		fails "--limit needs a rate in bytes per second.*not '$bad'" \
			"$ZEIT" send --limit "$bad" tank/big backup/big
	done
	exists backup/big && fail "a refused --limit sent"
	# The plan says the limit.
	ok "$ZEIT" -n send --limit 2M tank/big backup/big
	has "$OUT" "dry run: nothing sent"
	has "$OUT" "limit 2 MiB/s (2097152 bytes/s)"

	local t0 t1
	t0=$(date +%s%N)
	ok strace -ttt -o /tmp/zeit.strace \
		-e trace=read,write,readv,writev,pread64,pwrite64,splice,sendfile,copy_file_range,tee,vmsplice \
		"$ZEIT" send --limit 2M tank/big backup/big
	t1=$(date +%s%N)
	eq "$(zfs get -H -p -o value guid tank/big@zeit_daily_20261101T000000Z)" \
		"$(zfs get -H -p -o value guid backup/big@zeit_daily_20261101T000000Z)" "guid"
	has "$OUT" "limit 2 MiB/s"
	local bytes streams wall want spliced rd wr other span
	bytes=$(awk '$1 == "tank/big" { print $5 }' <<<"$OUT")
	streams=$(sed -n 's/.*, streams \([0-9.]*\) s.*/\1/p' <<<"$OUT")
	[ "${bytes:-0}" -ge $((64 << 20)) ] || fail "the stream was $bytes bytes: $OUT"
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
	want=$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 2097152 }')
	read -r spliced rd wr other span <<<"$(relay_calls /tmp/zeit.strace)"
	echo "limit 2M: $bytes bytes, want $want s; relay $span s, streams $streams s, zeit send $wall s"
	echo "zeit's calls: splice $spliced bytes in $(grep -c ' splice(' /tmp/zeit.strace) calls, read $rd, write $wr, other $other"
	# The relay's first byte to its last: the rate within 5%. (The
	# bucket starts empty, so nothing comes before its time; zfs
	# receive's own finish after the last byte is zfs's time.)
	awk -v s="$span" -v w="$want" 'BEGIN { exit !(s >= w * 0.95 && s <= w * 1.05) }' ||
		fail "the relay took $span s, not $want s within 5%"
	# And the whole send never beats the rate.
	awk -v s="$wall" -v w="$want" 'BEGIN { exit !(s >= w * 0.97) }' ||
		fail "zeit send took $wall s, faster than $want s"
	# zeit moved the stream with splice; what it read and wrote itself
	# (zfs's messages, its own output) is a sliver of it.
	[ "$spliced" -eq "$bytes" ] || fail "splice moved $spliced of $bytes bytes"
	[ "$rd" -lt 65536 ] && [ "$wr" -lt 65536 ] && [ "$other" -eq 0 ] ||
		fail "zeit copied through user space: read $rd, write $wr, other $other"
}
