#!/bin/sh
# zeit: a snapshot before and after every apk commit (tiers pkgpre and
# pkg); apk runs /etc/apk/commit_hooks.d/* with pre-commit or post-commit.
# See zeit-run(8). Exits 0 whatever zeit did: it never stops apk.
[ -x /usr/sbin/zeit ] || exit 0
case "$1" in
pre-commit) /usr/sbin/zeit hook pre --manager apk ;;
post-commit) /usr/sbin/zeit hook post --manager apk ;;
esac
exit 0
