#!/usr/bin/env bash
# bench/rollback_bench.sh -- what the rollback area costs.
#
#   snapshot   dbchange.schema_snapshot() for schemas of TABLES tables (each: 3 columns, a
#              primary key, an index, a foreign key): median of 5 calls, ms.
#   DDL        the same 3-statement DDL mix (CREATE TABLE / ALTER TABLE ADD COLUMN / DROP TABLE,
#              autocommit) with drift_snapshots lazy (default), with the rollback area's
#              triggers on dbchange.change disabled (the baseline for "what do the triggers
#              cost when off"), and with drift_snapshots eager; ROUNDS rounds, alternating,
#              ratio of medians.
#   verify     verify_rollback_script() of a 3-statement script: median of 9 calls, ms.
#
# Prints figures; asserts nothing.
set -u
cd "$(dirname "$0")/.."
. regress/lib.sh
ROUNDS=${ROUNDS:-5}
N=${N:-200}
make -s >/dev/null && dbc_stage_install || exit 1
P=$((DBC_PORT_BASE + 32))
dbc_pg_start bench_rb "$P" yes "shared_buffers = 128MB" || exit 1
trap 'dbc_pg_stop bench_rb' EXIT
TMP=$(mktemp -d)
q() { "$PG_SYS_BIN/psql" -X -q -At -h "$DBC_SOCK" -p "$P" -U postgres "$@"; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

echo "== schema_snapshot() cost"
for tables in 10 100 500; do
	q -d postgres -c "DROP DATABASE IF EXISTS s$tables" -c "CREATE DATABASE s$tables" >/dev/null
	q -d "s$tables" -c "CREATE EXTENSION dbchange" -c "SET dbchange.enforce = off" -c "
	  CREATE TABLE parent (id int PRIMARY KEY);
	  DO \$\$ BEGIN FOR i IN 1..$tables LOOP
	    EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, a text DEFAULT ''x'', p int REFERENCES parent)', i);
	    EXECUTE format('CREATE INDEX ON t%s (a)', i);
	  END LOOP; END \$\$;" >/dev/null
	# one session: the first call plans the query (once per session), the next 5 are timed
	cold=$(q -d "s$tables" -c "SELECT extract(epoch FROM clock_timestamp()) * 1000" -c "SELECT length(dbchange.schema_snapshot()::text)" \
		-c "SELECT extract(epoch FROM clock_timestamp()) * 1000" | awk 'NR==1{a=$1} NR==3{printf "%.2f", $1-a}')
	vals=$(q -d "s$tables" -c "DO \$\$ DECLARE t0 timestamptz; BEGIN PERFORM dbchange.schema_snapshot();
	  FOR i IN 1..5 LOOP t0 := clock_timestamp(); PERFORM dbchange.schema_snapshot();
	  RAISE NOTICE 'ms %', round((extract(epoch FROM clock_timestamp() - t0) * 1000)::numeric, 2); END LOOP; END \$\$" 2>&1 |
		sed -n 's/.*NOTICE:  ms //p')
	objs=$(q -d "s$tables" -c "SELECT count(*) FROM jsonb_object_keys(dbchange.schema_snapshot())")
	printf "tables %4d  objects %5d  snapshot %7s ms warm (median of 5), %7s ms first call of a session\n" "$tables" "$objs" "$(printf '%s\n' $vals | median)" "$cold"
done

echo "== DDL with the rollback area's triggers"
q -d postgres -c "DROP DATABASE IF EXISTS d" -c "CREATE DATABASE d" >/dev/null
q -d d -c "CREATE EXTENSION dbchange" -c "CREATE TABLE keep (id int PRIMARY KEY)" >/dev/null
for i in $(seq 1 "$N"); do
	echo "CREATE TABLE b$i (id int PRIMARY KEY, v text); ALTER TABLE b$i ADD COLUMN w int; DROP TABLE b$i;"
done >"$TMP/ddl.sql"
run() { local t0; t0=$(date +%s%N); q -d d -f "$TMP/ddl.sql" >/dev/null 2>"$TMP/err"; [ -s "$TMP/err" ] && head -3 "$TMP/err"; echo $(( ($(date +%s%N) - t0) / 1000000 )); }
triggers() { q -d d -c "SET dbchange.enforce = off" -c "ALTER TABLE dbchange.change $1 TRIGGER change_restore_point_ins" \
	-c "ALTER TABLE dbchange.change $1 TRIGGER change_applied_state" >/dev/null; }
: >"$TMP/lazy"; : >"$TMP/off"; : >"$TMP/eager"
for r in $(seq 1 "$ROUNDS"); do
	run >>"$TMP/lazy"
	triggers DISABLE; run >>"$TMP/off"; triggers ENABLE
	q -d d -c "SELECT dbchange.set_drift_snapshots('eager')" >/dev/null; run >>"$TMP/eager"
	q -d d -c "SELECT dbchange.set_drift_snapshots('lazy')" >/dev/null
done
l=$(median <"$TMP/lazy"); o=$(median <"$TMP/off"); e=$(median <"$TMP/eager")
stmts=$((N * 3))
echo "statements per round: $stmts"
echo "triggers disabled: $o ms  lazy (default): $l ms  eager: $e ms"
awk -v l="$l" -v o="$o" -v e="$e" -v n="$stmts" 'BEGIN {
	printf "lazy / triggers disabled = %.3f   (%.1f us per statement)\n", l / o, (l - o) * 1000 / n;
	printf "eager / lazy = %.3f   (%.2f ms per applied change: one snapshot at commit)\n", e / l, (e - l) / n }'

echo "== verify_rollback_script()"
vals=""
for _ in $(seq 1 9); do
	vals="$vals $(q -d d -c "SELECT extract(epoch FROM clock_timestamp()) * 1000" \
		-c "SELECT count(*) FROM dbchange.verify_rollback_script('CREATE TABLE v1 (id int PRIMARY KEY); CREATE INDEX v1_i ON v1 (id); ALTER TABLE keep ADD COLUMN c int')" \
		-c "SELECT extract(epoch FROM clock_timestamp()) * 1000" | awk 'NR==1{a=$1} NR==3{printf "%.2f", $1-a}')"
done
echo "verify of a 3-statement script (generated down, 2 snapshots): $(printf '%s\n' $vals | median) ms (median of 9)"
