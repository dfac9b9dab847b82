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
#        rounds' ratios is the figure.  One psql session per cluster runs all slices
#        (SESSIONS=fresh: a new session per slice, as until main 4462252), so the
#        figure is what a statement costs; what a new session costs is measured
#        apart (CONNS sessions of one CREATE TABLE + DROP TABLE each).
#        Measured twice: with fsync on (PostgreSQL's default: each commit flushes WAL)
#        and with fsync off (commits cost nothing, so the gate's share is largest);
#        FSYNC=on or FSYNC=off runs one.  600 statements warm both clusters first.
#   DML: pgbench -S (select-only) TPS on both, ratio of medians.
#   POLICIES=stock loads every lua_policies/*.lua into the dbchange database first.
#   PIN=CPU runs both clusters' backends on that one CPU (taskset on the
#   postmasters, whose children inherit it): what the gate costs when a backend
#   does not change core while it waits for its commit's flush.
#
# Prints figures; asserts nothing.
set -u
cd "$(dirname "$0")/.."
. regress/lib.sh
. bench/ddl_mix.sh
ROUNDS=${ROUNDS:-5}
N=${N:-500}                 # iterations of the 6-statement mix: 500 -> 3,000 statements
SLICES=${SLICES:-10}        # slices of the script, interleaved between the two clusters
SESSIONS=${SESSIONS:-kept}  # kept: one psql session per cluster; fresh: one per slice
CONNS=${CONNS:-40}          # new sessions timed per side for the session cost
PGB_SECONDS=${PGB_SECONDS:-10}
make -s >/dev/null && dbc_stage_install || exit 1
PA=$((DBC_PORT_BASE + 30)); PB=$((DBC_PORT_BASE + 31))
TMP=$(mktemp -d)
trap 'dbc_pg_stop bench_dbc; dbc_pg_stop bench_vanilla; rm -rf "$TMP"' EXIT

ddl_mix "$N" >"$TMP/ddl.sql"
# the same mix on other names: fills caches and first-touch pages before timing
sed 's/bench_t/warm_t/g' "$TMP/ddl.sql" | head -600 >"$TMP/warm.sql"

start_pair() { # fsync setting: a preloaded cluster with dbchange, a vanilla one
	dbc_pg_start bench_dbc "$PA" yes "shared_buffers = 256MB" "fsync = $1" || exit 1
	dbc_pg_start bench_vanilla "$PB" no "shared_buffers = 256MB" "fsync = $1" || exit 1
	if [ -n "${PIN:-}" ]; then
		taskset -p -c "$PIN" "$(head -1 "$DBC_BASE/pg-bench_dbc/postmaster.pid")" >/dev/null &&
			taskset -p -c "$PIN" "$(head -1 "$DBC_BASE/pg-bench_vanilla/postmaster.pid")" >/dev/null ||
			{ echo "PIN=$PIN: taskset failed" >&2; exit 1; }
	fi
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

# A psql session kept open per cluster: it reads statements from a FIFO and
# writes to another (line-buffered), so a slice's end is seen by a marker line.
open_session() { # side (a|b), port
	mkfifo "$TMP/in_$1" "$TMP/out_$1"
	stdbuf -oL "$PG_SYS_BIN/psql" -X -q -h "$DBC_SOCK" -p "$2" -U postgres -d b \
		<"$TMP/in_$1" >"$TMP/out_$1" 2>"$TMP/err_$1" &
	eval "pid_$1=$!"
	eval "exec {w_$1}>\"\$TMP/in_$1\"; exec {r_$1}<\"\$TMP/out_$1\""
	eval "echo '\\timing on' >&\$w_$1"
}
close_session() { # side
	# \q rather than end of input: the other session's psql holds this FIFO open too
	eval "echo '\\q' >&\$w_$1; exec {w_$1}>&- {r_$1}<&-; wait \$pid_$1"
	rm -f "$TMP/in_$1" "$TMP/out_$1"
}
slice_kept() { # side, slice file -> milliseconds (sum of the statements' times)
	local w r line times="" t marker="-- slice done $RANDOM$RANDOM"
	eval "w=\$w_$1 r=\$r_$1"
	{ cat "$2"; echo "\\echo '$marker'"; } >&"$w"
	# the times are kept and summed once the slice is done: a process per
	# statement here would run beside the statements being timed
	while IFS= read -r -t 600 line <&"$r"; do
		[ "$line" = "$marker" ] && break
		case $line in "Time: "*) line=${line#Time: }; times+="${line%% *} ";; esac
	done
	t=$(echo "$times" | awk '{for (i = 1; i <= NF; i++) s += $i} END {print s + 0}')
	[ -s "$TMP/err_$1" ] && { echo "errors on side $1:" >&2; head -3 "$TMP/err_$1" >&2; : >"$TMP/err_$1"; }
	printf '%.1f\n' "$t"
}
slice_fresh() { # port, slice file -> milliseconds, in a session of its own
	{ echo '\timing on'; cat "$2"; } |
		"$PG_SYS_BIN/psql" -X -q -h "$DBC_SOCK" -p "$1" -U postgres -d b 2>"$TMP/err" |
		awk '/^Time: / {t += $2} END {printf "%.1f\n", t}'
	[ -s "$TMP/err" ] && { echo "errors on port $1:" >&2; head -3 "$TMP/err" >&2; }
}
run_slice() { # side, port, slice file
	if [ "$SESSIONS" = fresh ]; then slice_fresh "$2" "$3"; else slice_kept "$1" "$3"; fi
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

ddl_ratio() { # fsync setting, label
	local r k ta tb ma mb
	start_pair "$1"
	if [ "$SESSIONS" != fresh ]; then open_session a "$PA"; open_session b "$PB"; fi
	: >"$TMP/ddl_a"; : >"$TMP/ddl_b"; : >"$TMP/ddl_r"
	for r in $(seq 1 "$ROUNDS"); do
		ta=0; tb=0; k=0
		for f in "$TMP"/slice.*; do
			k=$((k + 1))
			if [ $(( (r + k) % 2 )) = 1 ]; then
				tb=$(awk -v x="$tb" -v y="$(run_slice b "$PB" "$f")" 'BEGIN {print x + y}')
				ta=$(awk -v x="$ta" -v y="$(run_slice a "$PA" "$f")" 'BEGIN {print x + y}')
			else
				ta=$(awk -v x="$ta" -v y="$(run_slice a "$PA" "$f")" 'BEGIN {print x + y}')
				tb=$(awk -v x="$tb" -v y="$(run_slice b "$PB" "$f")" 'BEGIN {print x + y}')
			fi
		done
		echo "$ta" >>"$TMP/ddl_a"; echo "$tb" >>"$TMP/ddl_b"
		awk -v a="$ta" -v b="$tb" 'BEGIN {printf "%.3f\n", a / b}' >>"$TMP/ddl_r"
	done
	if [ "$SESSIONS" != fresh ]; then close_session a; close_session b; fi
	ma=$(median <"$TMP/ddl_a"); mb=$(median <"$TMP/ddl_b")
	echo "DDL, $((N * 6)) statements, fsync = $1 ($2): dbchange median ${ma} ms [$(tr '\n' ' ' <"$TMP/ddl_a")], vanilla median ${mb} ms [$(tr '\n' ' ' <"$TMP/ddl_b")]"
	echo "DDL ratio per round: [$(tr '\n' ' ' <"$TMP/ddl_r")]"
	echo "DDL ratio, fsync = $1 (dbchange / vanilla, median of the rounds' ratios): $(median <"$TMP/ddl_r")   target <= $( [ "${POLICIES:-}" = stock ] && echo 1.20 || echo 1.15 )"
	echo "changes recorded per round: $(( ($(dbc_psql "$PA" b -At -c "SELECT count(*) FROM dbchange.change") - 600) / ROUNDS ))"
	session_ratio
}

# What a new session costs on top: CONNS psql runs per side (alternating), each a
# new connection doing one CREATE TABLE and one DROP TABLE, timed from outside
# (connection, the backend's start, its first DDL: dbchange's caches, policies
# compiled).  Ratio of the medians of the per-side totals over 5 batches.
session_ratio() {
	local k j ta tb t0
	: >"$TMP/ses_a"; : >"$TMP/ses_b"
	for j in 1 2 3 4 5; do
		ta=0; tb=0
		for k in $(seq 1 $((CONNS / 5))); do
			for side in a b; do
				port=$PA; [ $side = b ] && port=$PB
				t0=$(date +%s%N)
				"$PG_SYS_BIN/psql" -X -q -h "$DBC_SOCK" -p "$port" -U postgres -d b \
					-c "CREATE TABLE bench_conn_${j}_$k (id int)" -c "DROP TABLE bench_conn_${j}_$k" >/dev/null 2>&1
				t0=$(( $(date +%s%N) - t0 ))
				if [ $side = a ]; then ta=$((ta + t0)); else tb=$((tb + t0)); fi
			done
		done
		echo $((ta / 1000)) >>"$TMP/ses_a"; echo $((tb / 1000)) >>"$TMP/ses_b"
	done
	ta=$(median <"$TMP/ses_a"); tb=$(median <"$TMP/ses_b")
	echo "new session + first DDL ($((CONNS / 5)) per batch): dbchange $(awk -v a="$ta" -v n=$((CONNS / 5)) 'BEGIN {printf "%.2f", a / n / 1000}') ms, vanilla $(awk -v b="$tb" -v n=$((CONNS / 5)) 'BEGIN {printf "%.2f", b / n / 1000}') ms each, ratio $(awk -v a="$ta" -v b="$tb" 'BEGIN {printf "%.3f", a / b}')"
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
