# zfs diff through the driver: every name decoded to its exact bytes.

test_diff_names_exact() {
	zfs create tank/d
	m=/tmp/mnt/tank/d
	mkdir "$m/etc"
	echo a >"$m/etc/modified"
	echo b >"$m/etc/removed"
	echo c >"$m/etc/renamed"
	echo d >"$m/with space"
	zfs snapshot tank/d@s1
	echo changed >>"$m/etc/modified"
	rm "$m/etc/removed"
	mv "$m/etc/renamed" "$m/etc/renamed to"
	weird=(
		"tab	in name"
		"new
line"
		'back\slash'
		"café-ü"
		'quote"s and $dollar'
	)
	for n in "${weird[@]}"; do echo x >"$m/$n"; done
	ln -s target "$m/link"
	zfs snapshot tank/d@s2
	ok "$ZDRV" diff tank/d@s1 tank/d@s2
	diff_out=$OUT
	for n in "${weird[@]}"; do
		has "$diff_out" "	+	F	$(hex "$m/$n")" "created '$n'"
	done
	has "$diff_out" "	M	F	$(hex "$m/etc/modified")"
	has "$diff_out" "	-	F	$(hex "$m/etc/removed")"
	has "$diff_out" "	R	F	$(hex "$m/etc/renamed")	$(hex "$m/etc/renamed to")"
	has "$diff_out" "	+	@	$(hex "$m/link")"
	has "$diff_out" "	M	/	$(hex "$m/etc")"
	# An unchanged file is not listed.
	hasnt "$diff_out" "$(hex "$m/with space")"
	# Against the live dataset.
	echo live >"$m/live"
	ok "$ZDRV" diff tank/d@s2
	has "$OUT" "	+	F	$(hex "$m/live")"
}

test_diff_errors() {
	zfs create tank/d
	zfs snapshot tank/d@s1
	fails "expected a snapshot" "$ZDRV" diff tank/d
	# zfs's voice, naming the snapshot; the command only at -v.
	fails "^zdrv: snapshot 'tank/d@nope' does not exist$" "$ZDRV" diff tank/d@nope
	fails "^zdrv: snapshot 'tank/d@nope' does not exist \(.zfs diff -F -H -t tank/d@nope. exited 1\)$" "$ZDRV" -v diff tank/d@nope
	zfs create -V 8M tank/vol
	zfs snapshot tank/vol@s
	fails "zfs diff" "$ZDRV" -v diff tank/vol@s
}
