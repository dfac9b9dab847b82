# regress/lib.sh -- shared by the test drivers and the demo: a private install
# of PostgreSQL + dbchange, throwaway clusters and a throwaway MariaDB.
#
# Everything lives under $DBC_BASE (default /tmp/dbc-<checkout hash>), so
# several checkouts can test side by side.  The PostgreSQL tree is copied
# there and dbchange is installed into the copy (PostgreSQL finds its share
# directory relative to its binaries), so tests never touch the system's
# PostgreSQL.  Servers run as the "postgres" OS user when we are root
# (initdb refuses root), listen only on a unix socket, and are stopped by
# PID.

DBC_TOP=${DBC_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
_dbc_hash=$(printf '%s' "$DBC_TOP" | cksum | cut -d' ' -f1)
DBC_BASE=${DBC_BASE:-/tmp/dbc-$_dbc_hash}
DBC_PORT_BASE=${DBC_PORT_BASE:-$((20000 + _dbc_hash % 20000))}
PG_SYS_BIN=$(pg_config --bindir)
PG_SYS_SHARE=$(pg_config --sharedir)
DBC_STAGE=$DBC_BASE/stage
DBC_PGBIN=$DBC_STAGE$PG_SYS_BIN
DBC_CLI=$DBC_STAGE/usr/local/bin/dbchange
DBC_SOCK=$DBC_BASE/sock

dbc_as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Copy PostgreSQL into the stage (once) and install dbchange into it.
dbc_stage_install() {
	mkdir -p "$DBC_BASE"
	chmod 755 "$DBC_BASE"
	if [ ! -x "$DBC_PGBIN/postgres" ]; then
		mkdir -p "$DBC_STAGE$(dirname "$PG_SYS_BIN")" "$DBC_STAGE$(dirname "$PG_SYS_SHARE")"
		cp -a "$(dirname "$PG_SYS_BIN")/." "$DBC_STAGE$(dirname "$PG_SYS_BIN")/"
		cp -a "$PG_SYS_SHARE" "$DBC_STAGE$(dirname "$PG_SYS_SHARE")/"
	fi
	make -C "$DBC_TOP" -s install DESTDIR="$DBC_STAGE" PREFIX=/usr/local >/dev/null || return 1
	chmod -R a+rX "$DBC_STAGE"
	mkdir -p "$DBC_SOCK"
	chmod 777 "$DBC_SOCK"
}

# dbc_pg_start NAME PORT PRELOAD(yes|no) [extra postgres -c options...]
dbc_pg_start() {
	local name=$1 port=$2 preload=$3
	shift 3
	local data=$DBC_BASE/pg-$name
	dbc_pg_stop "$name" 2>/dev/null
	rm -rf "$data"
	mkdir -p "$data"
	[ "$(id -u)" = 0 ] && chown postgres "$data"
	dbc_as_pg "$DBC_PGBIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$DBC_BASE/initdb-$name.log" 2>&1 || {
		cat "$DBC_BASE/initdb-$name.log"; return 1; }
	{
		echo "listen_addresses = ''"
		echo "port = $port"
		echo "unix_socket_directories = '$DBC_SOCK'"
		echo "max_worker_processes = 24"
		echo "max_connections = 100"
		echo "fsync = off"
		echo "wal_level = replica"
		echo "log_min_messages = warning"
		echo "lc_messages = 'C'"
		[ "$preload" = yes ] && echo "shared_preload_libraries = 'dbchange'"
		for o in "$@"; do echo "$o"; done
	} >>"$data/postgresql.conf"
	dbc_as_pg "$DBC_PGBIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null || {
		tail -20 "$data/server.log"; return 1; }
}

dbc_pg_stop() {
	local data=$DBC_BASE/pg-$1
	if [ -f "$data/postmaster.pid" ]; then
		local pid
		pid=$(head -1 "$data/postmaster.pid")
		kill -INT "$pid" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
}

# psql against the cluster on PORT: dbc_psql PORT DB [psql args]
dbc_psql() {
	local port=$1 db=$2
	shift 2
	"$PG_SYS_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DBC_SOCK" -p "$port" -U postgres -d "$db" "$@"
}

# ---- a tiny TAP-like reporter for the shell drivers ----
DBC_PASS=0
DBC_FAIL=0
ok() { DBC_PASS=$((DBC_PASS + 1)); echo "ok - $*"; }
not_ok() { DBC_FAIL=$((DBC_FAIL + 1)); echo "not ok - $*"; }
# check DESCRIPTION EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (expected [$2], got [$3])"; fi
}
# check_match DESCRIPTION REGEX ACTUAL
check_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then ok "$1"; else not_ok "$1 (no match for /$2/ in [$3])"; fi
}
dbc_summary() { echo "# $(basename "$0"): $DBC_PASS passed, $DBC_FAIL failed"; }
