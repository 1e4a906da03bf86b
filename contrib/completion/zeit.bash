# bash completion for zeit(8): commands and flags as `zeit help` lists them
# (so they never drift from the program), tiers, and dataset, snapshot and
# boot environment names from the live system, one zfs call a completion.

# The flags in zeit's help (`zeit help [COMMAND]`), one "FLAG [ARG]" a
# line: every "-x, --long ARG" before the two spaces that start its
# description ("-h, --help  this help;  -V, --version  the version" too).
_zeit_help_flags() {
	zeit help "$@" 2>/dev/null | awk '
	/^[ \t]+-/ {
		n = split($0, seg, /;  +/)
		for (s = 1; s <= n; s++) {
			f = seg[s]; sub(/^[ \t]+/, "", f)
			if (f !~ /^-/) continue
			sub(/  .*/, "", f); gsub(/,/, " ", f)
			k = split(f, w, / +/); arg = ""
			for (i = 1; i <= k; i++) if (w[i] ~ /^[A-Z]/) arg = w[i]
			for (i = 1; i <= k; i++) if (w[i] ~ /^--?[A-Za-z0-9]/) print w[i], arg
		}
	}'
}

# The flags a subcommand line of `zeit help COMMAND` shows: for be, the line
# "  SUB ..."; for bisect, the usage lines naming SUB.
_zeit_sub_flags() {
	zeit help "$1" 2>/dev/null | awk -v sub_="$2" '
	{ line = $0; sub(/^(usage: )?( *zeit [a-z]+)? +/, "", line) }
	line ~ "^" sub_ "([ |]|$)" || line ~ "\\|" sub_ "([ |]|$)" {
		n = split(line, w, /[][ |]+/)
		for (i = 1; i <= n; i++) if (w[i] ~ /^--?[a-z]/) print w[i]
	}'
}

_zeit_cache() { # the commands and global flags, once a shell
	[ -n "${_zeit_commands:-}" ] && return
	_zeit_commands=$(zeit --help 2>/dev/null |
		sed -nE '/^Commands:/,/^$/s/^  ([a-z][a-z-]*) .*/\1/p')
	_zeit_globals=$(_zeit_help_flags | cut -d' ' -f1)
}

_zeit_tiers='frequent hourly daily weekly monthly yearly'

# Datasets, or the snapshots of the dataset before '@': one zfs call.
_zeit_names() {
	local cur=$1 kind=${2:-dataset}
	if [[ $cur == *@* ]]; then
		zfs list -H -o name -t snapshot -d 1 "${cur%%@*}" 2>/dev/null
	elif [ "$kind" = snapshot ]; then
		# A snapshot is DATASET@NAME: the datasets, each waiting for its '@'.
		zfs list -H -o name -t filesystem,volume 2>/dev/null | sed 's/$/@/'
	else
		zfs list -H -o name -t filesystem,volume 2>/dev/null
	fi
}

# Boot environments: the children of --root, $ZEIT_BE_ROOT, or the parent
# of the running root dataset (as zeit be finds them; one zfs call).
_zeit_bes() {
	local root=$1 src
	if [ -z "$root" ]; then root=${ZEIT_BE_ROOT:-}; fi
	if [ -z "$root" ]; then
		src=$(findmnt -n -o SOURCE,FSTYPE / 2>/dev/null)
		[[ $src == */*' zfs' ]] && root=${src%/* zfs}
	fi
	[ -n "$root" ] || return 0
	zfs list -H -o name -t filesystem -d 1 "$root" 2>/dev/null |
		sed -n "s|^${root//|/\\|}/||p"
}

# COMPREPLY from names one a line (ZFS names may hold spaces), quoted for
# the command line.
_zeit_reply() {
	local n raw=${cur//\\/}
	COMPREPLY=()
	# A plain prefix match: compgen -W would expand what the names hold.
	while IFS= read -r n; do
		[[ -n $n && $n == "$raw"* ]] && COMPREPLY+=("$(printf '%q' "$n")")
	done <<<"$1"
	# DATASET@ waits for the snapshot name: no space after it.
	if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *@ ]]; then
		compopt -o nospace 2>/dev/null || true
	fi
	if declare -F __ltrim_colon_completions >/dev/null; then
		__ltrim_colon_completions "$raw"
	fi
}

_zeit() {
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion -n : || return
	else
		cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	fi
	_zeit_cache

	# The command is the first word that is a command; global flags may
	# come before it (and --config/--now/--lock-wait take a value).
	local i cmd='' sub='' ci=0 root=''
	for ((i = 1; i < cword; i++)); do
		case "${words[i]}" in
		--config | --now | --lock-wait) ((i++)) ;;
		--root) [ -n "$cmd" ] && root=${words[i + 1]}; ((i++)) ;;
		-*) ;;
		*)
			if [ -z "$cmd" ]; then
				cmd=${words[i]} ci=$i
			elif [ -z "$sub" ]; then
				sub=${words[i]}
			fi
			;;
		esac
	done

	# A flag's argument.
	local argkind=''
	case "$prev" in
	--config | --output | --sanoid-conf | --prometheus) argkind=file ;;
	-t | --tier) argkind=tier ;;
	--root | --replica) argkind=dataset ;;
	--from) case "$cmd" in restore) argkind=snapshot ;; adopt) argkind=tool ;; esac ;;
	--to) argkind=dir ;;
	-f) [ "$cmd" = adopt ] && argkind=tool ;;
	-e) [ "$cmd" = be ] && argkind=be ;;
	--good | --bad) argkind=none ;;
	--now | --lock-wait | --max-size | --ssh-opt | --stall-timeout | --limit | --parallel | --job) argkind=none ;;
	esac
	case "$argkind" in
	file) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
	tier) mapfile -t COMPREPLY < <(compgen -W "$_zeit_tiers" -- "$cur"); return ;;
	dataset) _zeit_reply "$(_zeit_names "$cur")"; return ;;
	snapshot) _zeit_reply "$(_zeit_names "$cur" snapshot)"; return ;;
	dir) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
	tool) mapfile -t COMPREPLY < <(compgen -W 'zfs-auto-snapshot sanoid' -- "$cur"); return ;;
	be) _zeit_reply "$(_zeit_bes "$root")"; return ;;
	none) return ;;
	esac

	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$_zeit_globals" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$_zeit_commands" -- "$cur")
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		local flags
		flags=$(_zeit_help_flags "$cmd" | cut -d' ' -f1)
		if [ -n "$sub" ]; then flags+=" $(_zeit_sub_flags "$cmd" "$sub")"; fi
		[ "$cmd" = be ] && flags+=" --root"
		mapfile -t COMPREPLY < <(compgen -W "$flags $_zeit_globals" -- "$cur")
		return
	fi

	local names=''
	case "$cmd" in
	help) [ "$ci" -eq $((cword - 1)) ] && names=$_zeit_commands ;;
	be)
		if [ -z "$sub" ]; then
			names=$'list\ncreate\nactivate\nconfirm\nnext-boot\ndestroy\nrename\nmount\numount\nchroot\nsnapshots\nrollback'
		else
			case "$sub" in
			activate | destroy | rename | mount | umount | chroot | snapshots) names=$(_zeit_bes "$root") ;;
			rollback) names=$(_zeit_names "$cur" snapshot) ;;
			esac
		fi
		;;
	bisect)
		if [ -z "$sub" ]; then
			names=$'start\ngood\nbad\nskip\nrun\nisolate\nstatus\nlog\nreplay\nreset\nstep'
		elif [ "$sub" = start ]; then
			names=$(_zeit_bes "$root")
		elif [ "$sub" = replay ]; then
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
		fi
		;;
	diff | destroy) names=$(_zeit_names "$cur" snapshot) ;;
	snap | prune | list | status | send) names=$(_zeit_names "$cur") ;;
	log | restore)
		# [DATASET] PATH: a path when it looks like one.
		if [[ $cur == /* || $cur == .* ]]; then
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
		fi
		names=$(_zeit_names "$cur")
		;;
	esac
	_zeit_reply "$names"
}
complete -F _zeit zeit
