#!/usr/bin/env bash
# regress/tests/policy_sessions.sh -- a policy change reaches sessions that are
# already connected, without reconnecting; policies are compiled once per
# backend and recompiled only after a change of the policy catalog.
#
# Session A is one long-lived psql fed through a FIFO; session B (fresh psql
# calls) changes the policies in between A's statements.
set -u
. "$(dirname "$0")/../lib.sh"
P=${DBC_PORT:?run from regress/run-all.sh or set DBC_PORT}
DB=regress_policy_sessions
TMP=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; wait; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

dbc_psql "$P" postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" \
	-c "CREATE DATABASE $DB" >/dev/null
dbc_psql "$P" "$DB" -c "SET client_min_messages = warning" -c "CREATE EXTENSION dbchange" \
	-c "SELECT dbchange.configure(environment => 'prod')" >/dev/null

b() { dbc_psql "$P" "$DB" -At -v ON_ERROR_STOP=0 -c "\\set VERBOSITY terse" "$@" 2>&1; }

policy() { # name action -> a policy deciding <action> for DROP TABLE
	cat <<LUA
return {
  name = "$1", description = "DROP TABLE: $2",
  check = function(c)
    if c.command == "DROP TABLE" then return { action = "$2", risk = "high", reason = "$1 says $2" } end
  end,
  tests = { { sql = "DROP TABLE t", expect = "$2" }, { sql = "CREATE TABLE t ()", expect = "none" } },
}
LUA
}

# session A
mkfifo "$TMP/a.in"
stdbuf -oL -eL "$PG_SYS_BIN/psql" -X -q -At -h "$DBC_SOCK" -p "$P" -U postgres -d "$DB" \
	-v ON_ERROR_STOP=0 <"$TMP/a.in" >"$TMP/a.out" 2>&1 &
exec 3>"$TMP/a.in"
# a SQL -> what session A printed for it
# (called in $(...), a subshell: the marker must be unique without a counter)
a() {
	local sql=$1 before mark
	mark="__done_$(date +%s%N)_$RANDOM"
	before=$(wc -l <"$TMP/a.out")
	case "$sql" in \\*|*\;) ;; *) sql="$sql;" ;; esac
	printf '%s\n\\echo %s\n' "$sql" "$mark" >&3
	for _ in $(seq 1 300); do
		grep -q "^$mark\$" "$TMP/a.out" && break
		sleep 0.1
	done
	tail -n +"$((before + 1))" "$TMP/a.out" | grep -v '^__done_'
}
a '\set VERBOSITY terse' >/dev/null
pid0=$(a 'SELECT pg_backend_pid()')

# no policies: default action approves
check "A: DROP with no policy runs" "" "$(a 'CREATE TABLE t1 (id int); DROP TABLE t1;')"
check "A: nothing compiled while there are no policies" "0" "$(a 'SELECT policies FROM dbchange._policy_engine()')"

# B adds a queueing policy; A, same connection, is queued
check_match "B: set_policy" 'created' "$(b -c "SELECT dbchange.set_policy('p_drop', \$src\$$(policy p_drop queue)\$src\$)")"
out=$(a 'CREATE TABLE t2 (id int); DROP TABLE t2;')
check_match "A sees B's new policy: DROP queued (ZC001)" 'queued for approval' "$out"
check "the queued change carries the policy's reason" "{\"p_drop: p_drop says queue\"}" \
	"$(b -c "SELECT reasons FROM dbchange.changes WHERE statement = 'DROP TABLE t2'")"
loads1=$(a 'SELECT compilations FROM dbchange._policy_engine()')
check "A: one policy compiled" "1" "$(a 'SELECT policies FROM dbchange._policy_engine()')"

# no change: A reuses what it compiled
a 'CREATE TABLE t3 (id int); DROP TABLE t3; CREATE TABLE t4 (id int); ALTER TABLE t4 ADD COLUMN x int;' >/dev/null
check "A: no recompilation without a change" "$loads1" "$(a 'SELECT compilations FROM dbchange._policy_engine()')"

# B replaces it: reject now
check_match "B: replace the policy" 'replaced' "$(b -c "SELECT dbchange.set_policy('p_drop', \$src\$$(policy p_drop reject)\$src\$)")"
check_match "A sees the replacement: DROP rejected (ZC002)" 'rejected by policy' "$(a 'DROP TABLE t2;')"
check "A: recompiled once after the change" "$((loads1 + 1))" "$(a 'SELECT compilations FROM dbchange._policy_engine()')"

# B disables it: A's DROP runs
check_match "B: disable" 'disabled' "$(b -c "SELECT dbchange.disable_policy('p_drop')")"
check "A sees the disable: DROP runs" "" "$(a 'DROP TABLE t2;')"
check "A: nothing compiled now" "0" "$(a 'SELECT policies FROM dbchange._policy_engine()')"

# B enables it again, then drops it
b -c "SELECT dbchange.enable_policy('p_drop')" >/dev/null
check_match "A sees the enable: DROP rejected" 'rejected by policy' "$(a 'CREATE TABLE t5 (id int); DROP TABLE t5;')"
b -c "SELECT dbchange.drop_policy('p_drop')" >/dev/null
check "A sees the drop: DROP runs" "" "$(a 'DROP TABLE t5;')"

# a superuser's direct UPDATE of the catalog is picked up too (statement trigger)
b -c "SELECT dbchange.set_policy('p_direct', \$src\$$(policy p_direct queue)\$src\$)" >/dev/null
a 'CREATE TABLE t6 (id int);' >/dev/null
b -c "UPDATE dbchange.policy SET enabled = false WHERE name = 'p_direct'" >/dev/null
check "A sees a direct UPDATE of dbchange.policy" "" "$(a 'DROP TABLE t6;')"

# a change made in a transaction that rolls back changes nothing for A
b -c "BEGIN" -c "UPDATE dbchange.policy SET enabled = true WHERE name = 'p_direct'" -c "ROLLBACK" >/dev/null
check "A: a rolled-back change has no effect" "" "$(a 'CREATE TABLE t7 (id int); DROP TABLE t7;')"

# in A's own transaction: its own uncommitted policy change applies to its next statement
out=$(a "BEGIN; UPDATE dbchange.policy SET enabled = true WHERE name = 'p_direct'; CREATE TABLE t8 (id int); DROP TABLE t8;")
check_match "A: own uncommitted change applies within the transaction" 'queued for approval' "$out"
a 'ROLLBACK;' >/dev/null
check "A: after its rollback the policy is off again" "" "$(a 'CREATE TABLE t9 (id int); DROP TABLE t9;')"

# red team: a transaction whose snapshot is older than a change.  Under
# REPEATABLE READ, A's first statement after B's change received the
# invalidation but read the policies, settings and roles again under its old
# snapshot, and kept what it read as valid: after COMMIT A went on with the
# old policies (the new rejecting one never ran), the old environment and the
# old roles fact for as long as it stayed connected.  They are read under the
# newest snapshot now.
b -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS regress_sessions_dev" \
	-c "DROP ROLE IF EXISTS regress_sessions_dba" -c "CREATE ROLE regress_sessions_dba" \
	-c "CREATE ROLE regress_sessions_dev IN ROLE regress_sessions_dba" >/dev/null
rr_probe="SELECT action || ' ' || (facts->>'environment') || ' ' || (facts->'roles' ? 'regress_sessions_dba')
  FROM dbchange.evaluate('DROP TABLE t_rr')"
check "A before: approved in prod, a member of dba" "approve prod true" \
	"$(a "SET ROLE regress_sessions_dev; $rr_probe; RESET ROLE;")"
a "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1;" >/dev/null
b -c "SELECT dbchange.set_policy('p_rr', \$src\$$(policy p_rr reject)\$src\$)" \
	-c "SELECT dbchange.configure(environment => 'stage')" \
	-c "REVOKE regress_sessions_dba FROM regress_sessions_dev" >/dev/null
# (a statement that takes a new lock: where the old code read the invalidation)
a "CREATE TABLE t_rr (id int);" >/dev/null
check "A in an older REPEATABLE READ snapshot sees the new policy, environment and roles" \
	"reject stage false" "$(a "SET ROLE regress_sessions_dev; $rr_probe; RESET ROLE;")"
a "COMMIT;" >/dev/null
check "A after that transaction: still the new policy, environment and roles" \
	"reject stage false" "$(a "SET ROLE regress_sessions_dev; $rr_probe; RESET ROLE;")"
check_match "A after that transaction: DROP TABLE rejected" 'rejected by policy' \
	"$(a 'DROP TABLE t_rr;')"
b -c "SELECT dbchange.drop_policy('p_rr')" -c "SELECT dbchange.configure(environment => 'prod')" \
	-c "DROP ROLE regress_sessions_dev" -c "DROP ROLE regress_sessions_dba" >/dev/null

# Compiled policies are shared between backends (bytecode_cache.c): the first
# backend to parse a source leaves its bytecode in shared memory, later ones
# load it; a changed source is parsed again; error positions survive the trip.
failing() { # name message: a policy whose check() fails on COMMENT, at line 5
	cat <<LUA
return {
  name = "$1", description = "fails on COMMENT",
  check = function(c)
    if c.command == "COMMENT" then
      error("$2")
    end
  end,
  tests = { { sql = "CREATE TABLE t ()", expect = "none" } },
}
LUA
}
check "the preloaded server has a shared bytecode cache" t \
	"$(b -c "SELECT bytecode_stores >= 0 FROM dbchange._policy_engine()")"
stores0=$(b -c "SELECT bytecode_stores FROM dbchange._policy_engine()")
check_match "B: set a policy that fails on COMMENT" 'created' \
	"$(b -c "SELECT dbchange.set_policy('p_share', \$src\$$(failing p_share 'first failure')\$src\$)")"
check "set_policy's compile stored the new source's bytecode" "$((stores0 + 1))" \
	"$(b -c "SELECT bytecode_stores FROM dbchange._policy_engine()")"
out=$(b -c "CREATE TABLE t10 (id int)" -c "SELECT from_bytecode || ' of ' || policies FROM dbchange._policy_engine()")
check_match "a new session loads the policy from the shared bytecode" '^1 of 1$' "$out"
out=$(b -c "CREATE TABLE t11 (id int)" -c "COMMENT ON TABLE t11 IS 'x'")
check_match "loaded from bytecode, the policy's error keeps its line number" 'p_share:5: first failure' "$out"
check_match "B: the same source again is unchanged" 'unchanged' \
	"$(b -c "SELECT dbchange.set_policy('p_share', \$src\$$(failing p_share 'first failure')\$src\$)")"
check "the same source is not stored twice" "$((stores0 + 1))" \
	"$(b -c "SELECT bytecode_stores FROM dbchange._policy_engine()")"
b -c "SELECT dbchange.set_policy('p_share', \$src\$$(failing p_share 'second failure')\$src\$)" >/dev/null
check "a changed source is parsed and stored again" "$((stores0 + 2))" \
	"$(b -c "SELECT bytecode_stores FROM dbchange._policy_engine()")"
check_match "A runs the changed policy, not the old bytecode" 'p_share:5: second failure' \
	"$(a "COMMENT ON TABLE t10 IS 'y';")"
check "A: loaded from the shared bytecode too" "1 1" "$(a "SELECT from_bytecode || ' ' || policies FROM dbchange._policy_engine()")"
b -c "SELECT dbchange.drop_policy('p_share')" >/dev/null

# A compile that a query cancel ends frees the bytecode it had dumped (malloc'd,
# outside any memory context): a large source whose top-level code loops, cut
# short by statement_timeout again and again, must not grow the backend.
{
	echo "local t = {}"
	seq 0 59999 | sed 's/.*/t[&] = & + &/'
	echo "while true do end"
} >"$TMP/looping.lua"
{
	echo "SET dbchange.policy_instruction_limit = 2147483647;"
	echo "\\set src \`cat $TMP/looping.lua\`"
	echo "SET statement_timeout = '800ms';"
	for i in $(seq 1 12); do
		echo "SELECT dbchange.test_policy(:'src', 'p_loop');"
		echo "SELECT 'rss ' || substring(pg_read_file('/proc/self/status') from 'VmRSS:\\s+(\\d+)');"
	done
} >"$TMP/looping.sql"
rss=$(b -f "$TMP/looping.sql" | sed -n 's/^rss //p' | tr '\n' ' ')
read -r -a kb <<<"$rss"
check "12 cancelled compiles measured" 12 "${#kb[@]}"
# (RSS goes up and down with the Lua state's resets: compare the peaks of the
# first and last four; each leaked dump was ~1.5 MB)
peak() { printf '%s\n' "$@" | sort -n | tail -1; }
grew=$(($(peak "${kb[@]:8:4}") - $(peak "${kb[@]:0:4}")))
check "cancelled compiles leak nothing (RSS $rss kB)" yes \
	"$([ "$grew" -lt 5000 ] && echo yes || echo "grew $grew kB")"

# A backend that loads a policy from the shared bytecode keeps no copy of the
# bytecode afterwards: its policy cache holds the sources, not the sources plus
# the bytecode of them (with this 470 kB source, ~470 kB of bytecode).
{
	echo "local t = {}"
	seq 0 19999 | sed 's/.*/t[&] = & + &/'
	echo 'return { name = "p_big", description = "big", check = function() end,'
	echo '  tests = { { sql = "CREATE TABLE t ()", expect = "none" } } }'
} >"$TMP/big.lua"
printf '%s\n' "\\set src \`cat $TMP/big.lua\`" "SELECT dbchange.set_policy('p_big', :'src');" >"$TMP/big.sql"
check_match "B: set a large policy" 'created' "$(b -f "$TMP/big.sql")"
out=$(b -c "CREATE TABLE t12 (id int)" -c "SELECT from_bytecode > 0 FROM dbchange._policy_engine()" \
	-c "SELECT (SELECT total_bytes FROM pg_backend_memory_contexts WHERE name = 'dbchange policy cache') <
	          1.5 * (SELECT sum(octet_length(source)) FROM dbchange.policy WHERE enabled)")
check "loaded from bytecode, the policy cache keeps no copy of it" "t
t" "$(echo "$out" | tail -2)"
b -c "SELECT dbchange.drop_policy('p_big')" >/dev/null

check "A: the same backend throughout (no reconnect)" "$pid0" "$(a 'SELECT pg_backend_pid()')"
exec 3>&-
wait
dbc_psql "$P" postgres -c "DROP DATABASE $DB" >/dev/null
dbc_summary
