#!/usr/bin/env bash
# bench/ddl_overhead.sh -- what the gate costs, as ratios against vanilla PostgreSQL
# measured in the same run.
#
#   DDL: 3,000 mixed statements (CREATE TABLE / ALTER TABLE ADD COLUMN / CREATE INDEX /
#        COMMENT / RENAME / DROP TABLE, autocommit, one session) in a database with dbchange
#        installed (approve path, every statement checked and recorded) on a cluster with
#        shared_preload_libraries = 'dbchange', against the same script in a database
#        without it on a cluster without the library.  The script runs in SLICES
#        slices, each slice on both clusters back to back (which goes first alternates),
#        so that the shared machine's slow spells fall on both sides alike; each
#        statement is timed by psql (\timing).  ROUNDS rounds; the median of the
#        rounds' ratios is the figure.
#        Measured twice: with fsync on (PostgreSQL's default: each commit flushes WAL)
#        and with fsync off (commits cost nothing, so the gate's share is largest);
#        FSYNC=on or FSYNC=off runs one.  600 statements warm both clusters first.
#   DML: pgbench -S (select-only) TPS on both, ratio of medians.
#   POLICIES=stock loads every lua_policies/*.lua into the dbchange database first.
#
# Prints figures; asserts nothing.
set -u
cd "$(dirname "$0")/.."
. regress/lib.sh
ROUNDS=${ROUNDS:-5}
N=${N:-500}                 # iterations of the 6-statement mix: 500 -> 3,000 statements
SLICES=${SLICES:-10}        # slices of the script, interleaved between the two clusters
PGB_SECONDS=${PGB_SECONDS:-10}
make -s >/dev/null && dbc_stage_install || exit 1
PA=$((DBC_PORT_BASE + 30)); PB=$((DBC_PORT_BASE + 31))
TMP=$(mktemp -d)
trap 'dbc_pg_stop bench_dbc; dbc_pg_stop bench_vanilla; rm -rf "$TMP"' EXIT

for i in $(seq 1 "$N"); do
	cat <<SQL
CREATE TABLE bench_t$i (id bigint PRIMARY KEY, v text);
ALTER TABLE bench_t$i ADD COLUMN w integer;
CREATE INDEX bench_t${i}_v ON bench_t$i (v);
COMMENT ON TABLE bench_t$i IS 'bench';
ALTER TABLE bench_t$i RENAME COLUMN w TO w2;
DROP TABLE bench_t$i;
SQL
done >"$TMP/ddl.sql"
# the same mix on other names: fills caches and first-touch pages before timing
sed 's/bench_t/warm_t/g' "$TMP/ddl.sql" | head -600 >"$TMP/warm.sql"

start_pair() { # fsync setting: a preloaded cluster with dbchange, a vanilla one
	dbc_pg_start bench_dbc "$PA" yes "shared_buffers = 256MB" "fsync = $1" || exit 1
	dbc_pg_start bench_vanilla "$PB" no "shared_buffers = 256MB" "fsync = $1" || exit 1
	dbc_psql "$PA" postgres -c "CREATE DATABASE b" >/dev/null
	dbc_psql "$PB" postgres -c "CREATE DATABASE b" >/dev/null
	dbc_psql "$PA" b -c "CREATE EXTENSION dbchange" >/dev/null
	if [ "${POLICIES:-}" = stock ]; then
		for f in lua_policies/*.lua; do
			name=$(basename "$f" .lua)
			dbc_psql "$PA" b -v src="$(cat "$f")" -v name="$name" <<<"SELECT dbchange.set_policy(:'name', :'src');" >/dev/null ||
				echo "warning: policy $name not loaded"
		done
		echo "policies loaded: $(dbc_psql "$PA" b -At -c "SELECT count(*) FROM dbchange.policy WHERE enabled" 2>/dev/null)"
	fi
	dbc_psql "$PA" b -q -f "$TMP/warm.sql" >/dev/null 2>&1
	dbc_psql "$PB" b -q -f "$TMP/warm.sql" >/dev/null 2>&1
}

# The script runs in SLICES slices; each slice runs on both clusters back to back
# (which side first alternates), so that a slow spell of the shared machine falls on
# both sides alike.  Each statement is timed by psql (\timing: the client's round
# trip, without psql's start-up and connection), and a round's time is the sum.
split -d -a 3 -n l/"$SLICES" "$TMP/ddl.sql" "$TMP/slice."

run_slice() { # port, slice file -> milliseconds (sum of the statements' times)
	{ echo '\timing on'; cat "$2"; } |
		"$PG_SYS_BIN/psql" -X -q -h "$DBC_SOCK" -p "$1" -U postgres -d b 2>"$TMP/err" |
		awk '/^Time: / {t += $2} END {printf "%.1f\n", t}'
	[ -s "$TMP/err" ] && { echo "errors on port $1:" >&2; head -3 "$TMP/err" >&2; }
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

ddl_ratio() { # fsync setting, label
	local r k ta tb ma mb
	start_pair "$1"
	: >"$TMP/ddl_a"; : >"$TMP/ddl_b"; : >"$TMP/ddl_r"
	for r in $(seq 1 "$ROUNDS"); do
		ta=0; tb=0; k=0
		for f in "$TMP"/slice.*; do
			k=$((k + 1))
			if [ $(( (r + k) % 2 )) = 1 ]; then
				tb=$(awk -v x="$tb" -v y="$(run_slice "$PB" "$f")" 'BEGIN {print x + y}')
				ta=$(awk -v x="$ta" -v y="$(run_slice "$PA" "$f")" 'BEGIN {print x + y}')
			else
				ta=$(awk -v x="$ta" -v y="$(run_slice "$PA" "$f")" 'BEGIN {print x + y}')
				tb=$(awk -v x="$tb" -v y="$(run_slice "$PB" "$f")" 'BEGIN {print x + y}')
			fi
		done
		echo "$ta" >>"$TMP/ddl_a"; echo "$tb" >>"$TMP/ddl_b"
		awk -v a="$ta" -v b="$tb" 'BEGIN {printf "%.3f\n", a / b}' >>"$TMP/ddl_r"
	done
	ma=$(median <"$TMP/ddl_a"); mb=$(median <"$TMP/ddl_b")
	echo "DDL, $((N * 6)) statements, fsync = $1 ($2): dbchange median ${ma} ms [$(tr '\n' ' ' <"$TMP/ddl_a")], vanilla median ${mb} ms [$(tr '\n' ' ' <"$TMP/ddl_b")]"
	echo "DDL ratio per round: [$(tr '\n' ' ' <"$TMP/ddl_r")]"
	echo "DDL ratio, fsync = $1 (dbchange / vanilla, median of the rounds' ratios): $(median <"$TMP/ddl_r")   target <= 1.15"
	echo "changes recorded per round: $(( ($(dbc_psql "$PA" b -At -c "SELECT count(*) FROM dbchange.change") - 600) / ROUNDS ))"
}

# PostgreSQL's default durability first (every commit flushes WAL), then fsync off,
# where commits cost nothing and the gate's share is largest.
for mode in ${FSYNC:-on off}; do
	case $mode in on) label="PostgreSQL's default";; *) label="no flush at commit: worst case for the gate";; esac
	ddl_ratio "$mode" "$label"
done

# settle what the DDL phase left behind (autovacuum of the catalog, dirty buffers) so that
# it does not run during one side's pgbench rounds
for port in "$PA" "$PB"; do
	"$PG_SYS_BIN/pgbench" -i -q -s 10 -h "$DBC_SOCK" -p "$port" -U postgres b >/dev/null 2>&1
	dbc_psql "$port" b -q -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null 2>&1
done
: >"$TMP/tps_a"; : >"$TMP/tps_b"
for r in $(seq 1 "$ROUNDS"); do
	order="b a"; [ $((r % 2)) = 0 ] && order="a b"
	for side in $order; do
		port=$PA; [ $side = b ] && port=$PB
		"$PG_SYS_BIN/pgbench" -n -S -c 2 -j 2 -T "$PGB_SECONDS" -h "$DBC_SOCK" -p "$port" -U postgres b 2>/dev/null |
			sed -n 's/^tps = \([0-9.]*\).*/\1/p' >>"$TMP/tps_$side"
	done
done
ta=$(median <"$TMP/tps_a"); tb=$(median <"$TMP/tps_b")
echo "DML (pgbench -S): dbchange median ${ta} tps, vanilla median ${tb} tps"
echo "DML ratio (dbchange / vanilla): $(awk -v a="$ta" -v b="$tb" 'BEGIN {printf "%.3f", a / b}')   target >= 0.99"
