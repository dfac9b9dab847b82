#!/usr/bin/env bash
# bench/script_scale.sh -- does judging a script cost the same per statement
# whatever its length?
#
# evaluate() of generated schema scripts (CREATE TABLE, CREATE INDEX, ADD
# FOREIGN KEY per table, as an initial migration or a schema dump has them)
# of SIZES tables each (default 500, 2,000 and 5,000: 1,501 to 15,001
# statements), with the stock policies loaded, environment prod; and the same
# scripts sent to the gate as one multi-statement query string (as tools that
# send a migration file in one call do), inside a transaction that is rolled
# back.  Prints the time and the time per statement: a figure that grows with
# the script's length means work that is quadratic in it.  ROUNDS rounds, the
# median printed.
#
# Prints figures; asserts nothing.
set -u
cd "$(dirname "$0")/.."
. regress/lib.sh
ROUNDS=${ROUNDS:-3}
SIZES=${SIZES:-"500 2000 5000"}
make -s >/dev/null && dbc_stage_install || exit 1
P=$((DBC_PORT_BASE + 34))
dbc_pg_start bench_scale "$P" yes "max_locks_per_transaction = 2048" || exit 1
TMP=$(mktemp -d)
chmod 755 "$TMP"
trap 'dbc_pg_stop bench_scale; rm -rf "$TMP"' EXIT

dbc_psql "$P" postgres -c "CREATE DATABASE b" >/dev/null
dbc_psql "$P" b -c "CREATE EXTENSION dbchange" >/dev/null
for f in lua_policies/*.lua; do
	dbc_psql "$P" b -v src="$(cat "$f")" -v name="$(basename "$f" .lua)" \
		<<<"SELECT dbchange.set_policy(:'name', :'src');" >/dev/null
done

script() { # tables
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			printf "CREATE TABLE s_%d (id bigint PRIMARY KEY, v text, ref bigint);\n", i
			printf "CREATE INDEX s_%d_v ON s_%d (v);\n", i, i
			printf "ALTER TABLE s_%d ADD CONSTRAINT s_%d_fk FOREIGN KEY (ref) REFERENCES s_%d (id);\n", i, i, (i > 0 ? i - 1 : 0)
		}
	}'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ms() { # psql file -> milliseconds of its last \timing line
	"$PG_SYS_BIN/psql" -X -q -h "$DBC_SOCK" -p "$P" -U postgres -d b -f "$1" 2>/dev/null |
		awk '/^Time: / {t = $2} END {print t + 0}'
}

printf '%-10s  %-26s  %-26s\n' "statements" "evaluate(): ms (µs each)" "gate, one string: ms (µs each)"
for n in $SIZES; do
	script "$n" >"$TMP/s.sql"
	stmts=$((n * 3))
	{ printf '\\set src `cat %s`\n\\timing on\n' "$TMP/s.sql"
	  echo "SELECT count(*) FROM dbchange.evaluate(:'src', 'prod');"; } >"$TMP/eval.sql"
	# psql sends statements joined by \; as one query string
	{ echo "SELECT dbchange.configure(environment => 'dev');"
	  printf 'BEGIN;\n\\timing on\n'
	  sed '$!s/;$/ \\;/' "$TMP/s.sql"
	  printf '\\timing off\nROLLBACK;\n'; } >"$TMP/gate.sql"
	: >"$TMP/e"; : >"$TMP/g"
	for _ in $(seq 1 "$ROUNDS"); do
		ms "$TMP/eval.sql" >>"$TMP/e"
		ms "$TMP/gate.sql" >>"$TMP/g"
	done
	e=$(median <"$TMP/e"); g=$(median <"$TMP/g")
	printf '%-10s  %-26s  %-26s\n' "$stmts" \
		"$(awk -v t="$e" -v n="$stmts" 'BEGIN {printf "%.0f (%.1f)", t, t * 1000 / n}')" \
		"$(awk -v t="$g" -v n="$stmts" 'BEGIN {printf "%.0f (%.1f)", t, t * 1000 / n}')"
done
