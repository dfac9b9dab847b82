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

# ---- a throwaway MariaDB (MySQL targets) ----
# dbc_mysql_start: mariadb-install-db into $DBC_BASE/mysql, mariadbd on
# 127.0.0.1:$DBC_MYSQL_PORT with its own socket, as the "mysql" OS user when
# we are root; stopped by PID.  Creates the TCP user $DBC_MYSQL_USER with
# password $DBC_MYSQL_PASSWORD (all privileges) and the database "dbc_target".
# Reuses a server that is already running from this $DBC_BASE.
DBC_MYSQL_DIR=$DBC_BASE/mysql
DBC_MYSQL_PORT=${DBC_MYSQL_PORT:-$((DBC_PORT_BASE + 7))}
DBC_MYSQL_SOCK=$DBC_MYSQL_DIR/mysqld.sock
DBC_MYSQL_USER=dbc_deployer
DBC_MYSQL_PASSWORD='Pw-9zq-Not-In-Logs'

# mariadb client as the server's superuser (unix socket authentication as root)
dbc_mysql() {
	mariadb --no-defaults -S "$DBC_MYSQL_SOCK" -u root --batch --skip-column-names "$@"
}

dbc_mysql_start() {
	local d=$DBC_MYSQL_DIR
	if [ -f "$d/mysqld.pid" ] && kill -0 "$(cat "$d/mysqld.pid")" 2>/dev/null &&
		dbc_mysql -e 'SELECT 1' >/dev/null 2>&1; then
		return 0
	fi
	command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || {
		echo "mariadbd not found: apt-get install mariadb-server" >&2; return 1; }
	rm -rf "$d"
	mkdir -p "$d/data"
	chmod 755 "$DBC_BASE" "$d"
	local as_user=()
	if [ "$(id -u)" = 0 ]; then
		chown -R mysql:mysql "$d"
		as_user=(--user=mysql)
	fi
	mariadb-install-db --no-defaults "${as_user[@]}" --datadir="$d/data" \
		--auth-root-authentication-method=socket --skip-test-db >"$d/install.log" 2>&1 || {
		tail -20 "$d/install.log" >&2; return 1; }
	local bin=/usr/sbin/mariadbd
	command -v mariadbd >/dev/null && bin=$(command -v mariadbd)
	"$bin" --no-defaults "${as_user[@]}" --datadir="$d/data" --socket="$DBC_MYSQL_SOCK" \
		--port="$DBC_MYSQL_PORT" --bind-address=127.0.0.1 --pid-file="$d/mysqld.pid" \
		--log-error="$d/error.log" --innodb-buffer-pool-size=32M --innodb-log-file-size=16M \
		--skip-name-resolve --max-connections=50 --performance-schema=OFF \
		--innodb-flush-log-at-trx-commit=2 \
		>"$d/stdout.log" 2>&1 &
	local i
	for i in $(seq 1 120); do
		dbc_mysql -e 'SELECT 1' >/dev/null 2>&1 && break
		sleep 0.5
	done
	dbc_mysql -e 'SELECT 1' >/dev/null 2>&1 || { tail -20 "$d/error.log" >&2; return 1; }
	dbc_mysql -e "CREATE USER '$DBC_MYSQL_USER'@'127.0.0.1' IDENTIFIED BY '$DBC_MYSQL_PASSWORD';
		GRANT ALL ON *.* TO '$DBC_MYSQL_USER'@'127.0.0.1';
		CREATE DATABASE dbc_target;" || return 1
}

dbc_mysql_stop() {
	local pidf=$DBC_MYSQL_DIR/mysqld.pid
	[ -f "$pidf" ] || return 0
	local pid
	pid=$(cat "$pidf")
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	rm -f "$pidf"
}

# A mysql:// URI for database DB (default dbc_target) with the test password.
dbc_mysql_uri() {
	echo "mysql://$DBC_MYSQL_USER:$DBC_MYSQL_PASSWORD@127.0.0.1:$DBC_MYSQL_PORT/${1:-dbc_target}"
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
