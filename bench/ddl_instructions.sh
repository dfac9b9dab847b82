#!/usr/bin/env bash
# bench/ddl_instructions.sh -- what the gate costs per DDL statement, counted
# rather than timed: CPU instructions (valgrind's callgrind) and WAL bytes, for
# the DDL mix of ddl_overhead.sh, with dbchange against vanilla PostgreSQL.
#
# The wall-clock ratio of ddl_overhead.sh moves by 0.1-0.5 between runs on a
# shared machine; these counts move by well under 1 % and say which part of
# the gate an instruction went to.  What they do not see: time in the kernel
# (file creation, WAL writes, page faults) and memory stalls, so the wall-clock
# ratio is the one the targets are stated in.
#
# Each cluster runs its postmaster under callgrind.  After the 600 warm-up
# statements, one session runs SHORT statements and another SHORT+N; the
# difference over N is the cost per statement without the per-session start-up.
# The same sessions measure WAL bytes (pg_current_wal_lsn before and after).
# Prints, per side, instructions and WAL bytes per statement, the ratios, and
# with TOP=1 the gate's functions by inclusive instructions per statement.
# POLICIES=stock loads every lua_policies/*.lua first.  LUALIB=dir runs the
# dbchange side with the liblua5.4.so.0 in dir (a build with symbols: Debian's
# has none, so Lua's own functions show as addresses; bench/README.md,
# nineteenth round, says how to build one).  Takes a few minutes.
# Prints figures; asserts nothing.
set -u
cd "$(dirname "$0")/.."
. regress/lib.sh
. bench/ddl_mix.sh
N=${N:-1200}
SHORT=${SHORT:-120}
command -v valgrind >/dev/null || { echo "ddl_instructions.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
make -s >/dev/null && dbc_stage_install || exit 1
TMP=$(mktemp -d)
chmod 777 "$TMP"
PA=$((DBC_PORT_BASE + 32)); PB=$((DBC_PORT_BASE + 33))

ddl_mix $(( (600 + SHORT + SHORT + N) / 6 + 1 )) >"$TMP/all.sql"
head -600 "$TMP/all.sql" >"$TMP/warm.sql"
sed -n "601,$((600 + SHORT))p" "$TMP/all.sql" >"$TMP/short.sql"
sed -n "$((601 + SHORT)),$((600 + SHORT + SHORT + N))p" "$TMP/all.sql" >"$TMP/long.sql"

stop_side() { # name port
	local data=$DBC_BASE/pg-$1 pid
	[ -f "$data/postmaster.pid" ] || return 0
	pid=$(head -1 "$data/postmaster.pid")
	kill -INT "$pid" 2>/dev/null
	for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}
# KEEP=dir keeps the callgrind files there (for callgrind_annotate)
trap 'stop_side bench_cg_dbc; stop_side bench_cg_vanilla; [ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$TMP"/bench_cg_* "$KEEP"/; rm -rf "$TMP"' EXIT

# session port file -> "backend_pid wal_bytes": one session runs the file; the WAL
# it wrote, from the insert position before its first statement to after its last
session() {
	local lsn="pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_insert_lsn(), '0/0')"
	dbc_psql "$1" b -At -F ' ' -c "SELECT pg_backend_pid(), $lsn" -f "$2" -c "SELECT $lsn" |
		sed -n '1p;$p' | tr '\n' ' ' | awk '{printf "%d %d\n", $1, $3 - $2}'
}

# run_side name port preload(yes|no) extension(yes|no) -> "instructions wal_bytes" per statement
run_side() {
	local name=$1 port=$2 pre=$3 ext=$4 data=$DBC_BASE/pg-$1 p1 p2 w1 w2 i1 i2 f
	stop_side "$name"
	rm -rf "$data"; mkdir -p "$data"
	[ "$(id -u)" = 0 ] && chown postgres "$data"
	dbc_as_pg "$DBC_PGBIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null 2>&1 || return 1
	{
		echo "listen_addresses = ''"; echo "port = $port"; echo "unix_socket_directories = '$DBC_SOCK'"
		echo "fsync = off"; echo "autovacuum = off"; echo "shared_buffers = 256MB"
		# no checkpoint inside a measured session: one falls in the short or the long
		# session by chance, and its full-page images moved the counts by 1-3 %
		echo "checkpoint_timeout = 1h"; echo "max_wal_size = 16GB"
		echo "log_min_messages = warning"; echo "lc_messages = 'C'"
		[ "$pre" = yes ] && echo "shared_preload_libraries = 'dbchange'"
	} >>"$data/postgresql.conf"
	dbc_as_pg env ${LUALIB:+LD_LIBRARY_PATH=$LUALIB} valgrind --tool=callgrind --callgrind-out-file="$TMP/$name.%p" \
		"$DBC_PGBIN/postgres" -D "$data" >"$TMP/$name.log" 2>&1 &
	for _ in $(seq 1 300); do dbc_psql "$port" postgres -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
	dbc_psql "$port" postgres -c "CREATE DATABASE b" >/dev/null || return 1
	if [ "$ext" = yes ]; then
		dbc_psql "$port" b -c "CREATE EXTENSION dbchange" >/dev/null || return 1
		if [ "${POLICIES:-}" = stock ]; then
			for f in lua_policies/*.lua; do
				dbc_psql "$port" b -v src="$(cat "$f")" -v name="$(basename "$f" .lua)" \
					<<<"SELECT dbchange.set_policy(:'name', :'src');" >/dev/null
			done
		fi
	fi
	dbc_psql "$port" b -f "$TMP/warm.sql" >/dev/null
	read -r p1 w1 < <(session "$port" "$TMP/short.sql")
	read -r p2 w2 < <(session "$port" "$TMP/long.sql")
	stop_side "$name"
	for _ in $(seq 1 100); do grep -qs '^summary' "$TMP/$name.$p2" && break; sleep 0.2; done
	i1=$(awk '/^summary/ {print $2}' "$TMP/$name.$p1"); i2=$(awk '/^summary/ {print $2}' "$TMP/$name.$p2")
	echo "$(( (i2 - i1) / N )) $(( w2 / (SHORT + N) )) $p2"
}

# both sides at once (callgrind is single-threaded; the counts do not depend on timing)
run_side bench_cg_dbc "$PA" yes yes >"$TMP/res_a" 2>"$TMP/err_a" &
run_side bench_cg_vanilla "$PB" no no >"$TMP/res_b" 2>"$TMP/err_b" &
wait
read -r ia wa pa <"$TMP/res_a"; read -r ib wb pb <"$TMP/res_b"
if [ -z "${ia:-}" ] || [ -z "${ib:-}" ]; then
	echo "ddl_instructions.sh: a side did not finish:" >&2
	cat "$TMP/err_a" "$TMP/err_b" >&2
	exit 1
fi
echo "DDL mix, $N statements after $((600 + SHORT)), callgrind, fsync off${POLICIES:+, POLICIES=$POLICIES}"
echo "instructions per statement: dbchange $ia, vanilla $ib, ratio $(awk -v a="$ia" -v b="$ib" 'BEGIN {printf "%.3f", a / b}'), the gate adds $((ia - ib))"
echo "WAL bytes per statement: dbchange $wa, vanilla $wb, ratio $(awk -v a="$wa" -v b="$wb" 'BEGIN {printf "%.3f", a / b}')"
if [ "${TOP:-}" = 1 ]; then
	echo "the gate's functions, inclusive instructions per statement:"
	callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$TMP/bench_cg_dbc.$pa" 2>/dev/null |
		awk -v n="$N" '/dbchange.so\]/ {c = $1; gsub(",", "", c); f = $0; sub(/^.*%\) +/, "", f); sub(/ \[.*$/, "", f); sub(/^.*:/, "", f)
			if (c / n >= 2000) printf "%10d  %s\n", c / n, f}' | head -40
fi
