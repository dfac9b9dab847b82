#!/usr/bin/env bash
# bench/promote_1000.sh -- promotion throughput: N (default 1,000) changes
# promoted dev -> test by `dbchange promote` over a unix socket, and what
# bounds it.
#
# dev gets N changes through the gate (a mix: CREATE TABLE 40%, ADD COLUMN
# 20%, CREATE INDEX 20%, COMMENT 20%, each its own change).  Each round
# promotes them into a fresh test database and reports changes/s.  Beside it,
# in the same run:
#   direct  the same N statements run by psql into a fresh database with
#           dbchange (autocommit; the gate checks and records each): what
#           the DDL itself and the gate cost, no promotion logic;
#   server  the promotion's server work without the CLI: psql sending
#           BEGIN; SELECT dbchange.submit_promoted(...); COMMIT; per change;
# so  promote / server  is what the CLI adds (its extra round trips: lock and
# look-up of the uid, the state after submit; its CPU), and  server / direct
# what submit_promoted() adds to running the DDL.
# The backend's own CPU time for the server run (/proc/self/stat read through
# pg_read_file at its end) gives a figure the machine's load does not blur:
# how many changes per second one idle core could promote.
# POLICIES=stock loads lua_policies/*.lua into every target first (when this
# build has set_policy()).  Prints figures; asserts nothing.
set -u
cd "$(dirname "$0")/.."
. regress/lib.sh
N=${N:-1000}
ROUNDS=${ROUNDS:-3}
make -s >/dev/null 2>&1 && dbc_stage_install || { echo "build failed"; exit 1; }
PORT=$((DBC_PORT_BASE + 40))
dbc_pg_start bench_promote "$PORT" yes "shared_buffers = 256MB" || exit 1
TMP=$(mktemp -d)
trap 'dbc_pg_stop bench_promote; rm -rf "$TMP"' EXIT
q() { dbc_psql "$PORT" "$@"; }
ci() { echo "host=$DBC_SOCK port=$PORT user=postgres dbname=$1"; }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

fresh() { # NAME ENV
	q postgres -c "DROP DATABASE IF EXISTS $1" >/dev/null 2>&1
	q postgres -c "CREATE DATABASE $1" >/dev/null
	q "$1" -c "CREATE EXTENSION dbchange" -c "SELECT * FROM dbchange.configure(environment => '$2')" >/dev/null
	if [ "${POLICIES:-}" = stock ] && [ "$(q "$1" -At -c "SELECT count(*) FROM pg_proc WHERE proname = 'set_policy'")" != 0 ]; then
		"$DBC_CLI" -q policy push lua_policies -d "$(ci "$1")" >/dev/null || echo "warning: stock policies not loaded into $1"
	fi
}

# the workload
for i in $(seq 1 "$N"); do
	case $((i % 5)) in
		0 | 1) echo "CREATE TABLE bp_t$i (id bigint PRIMARY KEY, v text);" ;;
		2) echo "ALTER TABLE bp_t$((i - 1)) ADD COLUMN w integer;" ;;
		3) echo "CREATE INDEX bp_i$i ON bp_t$((i - 2)) (v);" ;;
		4) echo "COMMENT ON TABLE bp_t$((i - 3)) IS 'promotion bench';" ;;
	esac
done >"$TMP/ddl.sql"
fresh bp_dev dev
q bp_dev -f "$TMP/ddl.sql" >/dev/null
have=$(q bp_dev -At -c "SELECT count(*) FROM dbchange.changes WHERE status = 'applied'")
echo "changes applied in dev: $have"
q bp_dev -At -c "SELECT format('BEGIN; SELECT dbchange.submit_promoted(%L, %L, %L, %L, NULL, %L, NULL); COMMIT;',
                 statement, uid, checksum, description, requested_by)
                 FROM dbchange.changes WHERE status = 'applied' ORDER BY applied_at, id" >"$TMP/server.sql"
echo "SELECT pg_read_file('/proc/self/stat');" >>"$TMP/server.sql"
cp "$TMP/ddl.sql" "$TMP/direct.sql"
echo "SELECT pg_read_file('/proc/self/stat');" >>"$TMP/direct.sql"
TICK=$(getconf CLK_TCK)
# CPU milliseconds of a backend from its /proc/self/stat line (utime + stime, fields 14 and 15)
cpu_ms() { grep '(postgres) ' | tail -1 | sed 's/.*) //' | awk -v t="$TICK" '{print ($12 + $13) * 1000 / t}'; }

for r in $(seq 1 "$ROUNDS"); do
	fresh bp_test test
	t0=$(date +%s%N)
	/usr/bin/time -f "%U %S" -o "$TMP/cpu" "$DBC_CLI" -q promote --from "$(ci bp_dev)" --to "$(ci bp_test)" >"$TMP/out" 2>&1 ||
		{ echo "promote failed:"; head -5 "$TMP/out"; }
	ms "$t0" >>"$TMP/promote"
	awk '{print ($1 + $2) * 1000}' "$TMP/cpu" >>"$TMP/cli_cpu"
	got=$(q bp_test -At -c "SELECT count(*) FROM dbchange.changes WHERE status = 'applied'")
	[ "$got" = "$have" ] || echo "warning: round $r promoted $got of $have"

	fresh bp_direct test
	t0=$(date +%s%N)
	q bp_direct -At -f "$TMP/direct.sql" | cpu_ms >>"$TMP/direct_cpu"
	ms "$t0" >>"$TMP/direct"

	fresh bp_server test
	t0=$(date +%s%N)
	q bp_server -At -f "$TMP/server.sql" | cpu_ms >>"$TMP/server_cpu"
	ms "$t0" >>"$TMP/server"
done

p=$(median <"$TMP/promote")
d=$(median <"$TMP/direct")
s=$(median <"$TMP/server")
c=$(median <"$TMP/cli_cpu")
sc=$(median <"$TMP/server_cpu")
dc=$(median <"$TMP/direct_cpu")
echo "N=$have changes, $ROUNDS rounds, medians; policies: ${POLICIES:-none}"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
awk -v n="$have" -v p="$p" -v d="$d" -v s="$s" -v c="$c" -v sc="$sc" -v dc="$dc" 'BEGIN {
	printf "promote (dbchange CLI)        %7.0f ms  %7.0f changes/s  %.2f ms/change\n", p, n * 1000 / p, p / n
	printf "server only (psql, submit_promoted per change) %7.0f ms  %7.0f changes/s\n", s, n * 1000 / s
	printf "direct DDL through the gate   %7.0f ms  %7.0f changes/s\n", d, n * 1000 / d
	printf "CLI CPU (user+sys)            %7.0f ms  %.3f ms/change (%.0f%% of the wall time)\n", c, c / n, 100 * c / p
	printf "ratios: promote/server %.2f   server/direct %.2f   promote/direct %.2f\n", p / s, s / d, p / d
	printf "backend CPU per change: submit_promoted %.2f ms, the same DDL run directly %.2f ms\n", sc / n, dc / n
	printf "  -> one idle core bounds promotion at about %.0f changes/s (server CPU; the CLI adds %.2f ms/change of its own)\n", n * 1000 / sc, c / n
}'
