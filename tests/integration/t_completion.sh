# shellcheck shell=bash
# bash completion (contrib/completion/zeit.bash) through bash's own
# machinery: the function `complete -p zeit` registered, called as
# readline would call it, against a real pool; zfs calls are counted by a
# wrapper that runs the real zfs.

# comp_bash LINE...: the completions bash offers for each LINE (the cursor
# at its end), in one fresh bash with bash-completion (when installed) and
# zeit's script loaded: those of the last LINE one a line in $COMP, those of
# LINE number i in $COMPDIR/i; the zfs calls made, one a line after a
# line "#i", in $ZFS_CALLS (calls N: how many LINE N made).
comp_bash() {
	local bin
	bin=$(mktemp -d /tmp/compbin.XXXXXX)
	COMPDIR=$bin
	ZFS_CALLS=$bin/calls
	: >"$ZFS_CALLS"
	cat >"$bin/zfs" <<ZFS
#!/bin/sh
echo "\$*" >>"$ZFS_CALLS"
exec $(command -v zfs) "\$@"
ZFS
	chmod +x "$bin/zfs"
	ln -s "$ZEIT" "$bin/zeit"
	PATH=$bin:$PATH COMP_OUT=$bin bash --norc --noprofile -c '
		[ -r /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion
		. contrib/completion/zeit.bash
		spec=$(complete -p zeit) || exit 3
		echo "$spec" >"$COMP_OUT/spec"
		fn=$(sed -nE "s/.*-F ([^ ]+) .*/\1/p" <<<"$spec")
		i=0
		for COMP_LINE in "$@"; do
			i=$((i + 1))
			COMP_POINT=${#COMP_LINE}
			# Split at blanks as readline does for these lines; an
			# empty word at a trailing space.
			read -r -a COMP_WORDS <<<"$COMP_LINE"
			[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMPREPLY=()
			echo "#$i" >>"$COMP_OUT/calls"
			"$fn" zeit "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
			if [ ${#COMPREPLY[@]} -gt 0 ]; then printf "%s\n" "${COMPREPLY[@]}"; fi >"$COMP_OUT/$i"
		done
	' comp "$@" 2>"$bin/stderr" || fail "completion of [$*] failed: $(cat "$bin/stderr")"
	[ ! -s "$bin/stderr" ] || fail "completion of [$*] wrote on stderr: $(cat "$bin/stderr")"
	COMP=$(cat "$bin/$#")
	COMP_SPEC=$(cat "$bin/spec")
}

calls() {
	awk -v n="#$1" '/^#/ { on = ($0 == n); next } on' "$ZFS_CALLS" | wc -l
}

# comp_check EXPECTED...: each LINE's completions (as comp_bash left them)
# against EXPECTED (words separated by spaces, in order).
comp_check() {
	local i=0 want
	for want in "$@"; do
		i=$((i + 1))
		eq "$want" "$(tr '\n' ' ' <"$COMPDIR/$i" | sed 's/ $//')" "completion $i"
	done
}

test_completion_commands_flags_tiers() {
	comp_bash 'zeit ' 'zeit sn' 'zeit snap --re' 'zeit snap -t ' 'zeit -n prune -t w' \
		'zeit send --no-' 'zeit be ' 'zeit be activate --o' 'zeit --dry' 'zeit -V' \
		'zeit adopt --from s' 'zeit help b' 'zeit --config /etc/zeit/zeit.c' 'zeit serve --allow-p'
	eq "complete -F _zeit zeit" "$COMP_SPEC" "registered with complete"
	# Every command zeit's help lists, and nothing else.
	comp_check "$("$ZEIT" --help | sed -nE '/^Commands:/,/^$/s/^  ([a-z-]+) .*/\1/p' | tr '\n' ' ' | sed 's/ $//')" \
		snap --recursive "frequent hourly daily weekly monthly yearly" weekly \
		"--no-raw --no-progress" \
		"list create activate confirm next-boot destroy rename mount umount chroot snapshots rollback" \
		--once --dry-run -V sanoid "be bisect" "" "--allow-prune --allow-plaintext"
	eq "" "$(grep -v '^#' "$ZFS_CALLS")" "no zfs call for commands and flags"

	# Every flag of every command's help is offered after that command,
	# and no zfs call is made for any of it.
	local c f i=0 cmds lines=()
	cmds=$("$ZEIT" --help | sed -nE '/^Commands:/,/^$/s/^  ([a-z-]+) .*/\1/p')
	for c in $cmds; do lines+=("zeit $c -"); done
	comp_bash "${lines[@]}"
	for c in $cmds; do
		i=$((i + 1))
		for f in $("$ZEIT" help "$c" | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
			grep -qxF -- "$f" "$COMPDIR/$i" || fail "zeit $c: $f not offered: $(cat "$COMPDIR/$i")"
		done
	done
	eq "" "$(grep -v "^#" "$ZFS_CALLS")" "no zfs call for the flags"
}

test_completion_names_from_the_pool() {
	zfs create tank/data
	zfs create tank/data/child
	zfs create tank/other
	zfs create "tank/with space"
	zfs snapshot tank/data@one
	zfs snapshot tank/data@two
	zfs snapshot tank/data/child@three
	comp_bash 'zeit list tank/' 'zeit snap -r tank/d' 'zeit prune tank/with' \
		'zeit destroy tank/data@' 'zeit diff tank/data@t' 'zeit diff tank/oth' \
		'zeit snap --root tank/nonexistent/' 'zeit destroy tank/nonexistent@' \
		'zeit restore tank/data /x --from tank/data@o' 'zeit log --replica tank/ot'
	comp_check "$(zfs list -H -o name -t filesystem,volume | grep '^tank/' | sed 's/ /\\ /g' | tr '\n' ' ' | sed 's/ $//')" \
		"tank/data tank/data/child" 'tank/with\ space' "tank/data@one tank/data@two" \
		tank/data@two tank/other@ "" "" tank/data@one tank/other
	# One zfs call a completion: the datasets, or one dataset's snapshots.
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do eq 1 "$(calls $i)" "zfs calls of completion $i: $(cat "$ZFS_CALLS")"; done
	has "$(cat "$ZFS_CALLS")" "list -H -o name -t snapshot -d 1 tank/data"
}

test_completion_boot_environments() {
	zfs create -o mountpoint=none tank/ROOT
	zfs create -o mountpoint=/ -o canmount=noauto tank/ROOT/debian
	zfs create -o mountpoint=/ -o canmount=noauto tank/ROOT/test-upgrade
	comp_bash 'zeit be --root tank/ROOT activate ' 'zeit be --root tank/ROOT destroy t' \
		'zeit be --root tank/ROOT create -e d'
	comp_check "debian test-upgrade" test-upgrade debian
	eq 1 "$(calls 1)" "one zfs call"
	ZEIT_BE_ROOT=tank/ROOT comp_bash 'zeit bisect start '
	eq "debian test-upgrade" "$(tr '\n' ' ' <"$COMPDIR/1" | sed 's/ $//')" "ZEIT_BE_ROOT"
}

# zsh's completion parses, and offers what the bash one offers for a
# dataset (its helpers run as zsh would, against the pool).
test_completion_zsh_parses() {
	command -v zsh >/dev/null || fail "zsh is not installed (tests/vm/install-deps)"
	zsh -n contrib/completion/_zeit || fail "_zeit does not parse"
	zfs create tank/zdata
	out=$(PATH=$PWD/$BUILD:$PATH zsh -f -c '
		compadd() { if [[ $1 == -a ]]; then print -l ${(P)2}; else print -l "$@"; fi; }
		_describe() { :; }
		eval "$(sed "/^_zeit \"\$@\"$/d" contrib/completion/_zeit)"
		PREFIX=tank/z
		_zeit_datasets')
	has "$out" tank/zdata "zsh: datasets from the pool"
}
