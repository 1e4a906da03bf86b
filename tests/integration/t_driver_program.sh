# Channel programs: arguments, results, limits, all-or-nothing destroys.

test_program_returns_json() {
	zfs create tank/a
	cat >/tmp/list.lua <<'LUA'
args = ...
argv = args["argv"]
local n = 0
for s in zfs.list.snapshots(argv[1]) do n = n + 1 end
return {count = n, who = argv[2]}
LUA
	zfs snapshot tank/a@1
	zfs snapshot tank/a@2
	ok "$ZDRV" program -n tank /tmp/list.lua tank/a "two words"
	has "$OUT" '"count"'
	python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["return"]; assert r["count"]==2, r; assert r["who"]=="two words", r' <<<"$OUT" ||
		fail "unexpected program output: $OUT"
}

test_program_destroys_in_one_txg() {
	zfs create tank/a
	for i in 1 2 3; do zfs snapshot tank/a@$i; done
	cat >/tmp/destroy.lua <<'LUA'
args = ...
argv = args["argv"]
-- check every doomed snapshot first, then destroy all: all or nothing
for i = 1, #argv do
  local err = zfs.check.destroy(argv[i])
  if err ~= 0 then return {failed = argv[i], err = err} end
end
for i = 1, #argv do zfs.sync.destroy(argv[i]) end
return {destroyed = #argv}
LUA
	zfs hold keep tank/a@3
	ok "$ZDRV" program tank /tmp/destroy.lua tank/a@1 tank/a@2 tank/a@3
	has "$OUT" '"failed":"tank/a@3"'
	exists tank/a@1 || fail "all-or-nothing program destroyed something"
	zfs release keep tank/a@3
	ok "$ZDRV" program tank /tmp/destroy.lua tank/a@1 tank/a@2 tank/a@3
	has "$OUT" '"destroyed":3'
	eq "" "$(zfs_names -t snapshot -r tank)"
}

test_program_limits_and_errors() {
	cat >/tmp/loop.lua <<'LUA'
local x = 0
while true do x = x + 1 end
LUA
	fails "timed out|instruction limit" "$ZDRV" program -n -t 1000 tank /tmp/loop.lua
	cat >/tmp/mem.lua <<'LUA'
local t = {}
for i = 1, 1000000 do t[i] = string.rep("x", 100) .. i end
LUA
	fails "Memory limit exhausted" "$ZDRV" program -n -m 1048576 tank /tmp/mem.lua
	echo 'this is not lua' >/tmp/bad.lua
	fails "zfs program" "$ZDRV" -v program -n tank /tmp/bad.lua
	fails "expected a pool" "$ZDRV" program tank/a /tmp/bad.lua
}
