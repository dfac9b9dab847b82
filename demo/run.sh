#!/usr/bin/env bash
# demo/run.sh -- the whole product on a throwaway local cluster.
#
# Installs what is missing (Debian 12), builds, starts a PostgreSQL cluster
# under /tmp with dbchange preloaded, creates a "dev" and a "prod" database,
# and walks through DDL that is approved, queued and rejected, printing what
# happens at each step.  The cluster is stopped at the end (DBC_KEEP=1 keeps it).
set -u
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh || exit 1
make -s >/dev/null || exit 1
. regress/lib.sh
dbc_stage_install || exit 1
PORT=$((DBC_PORT_BASE + 20))
dbc_pg_start demo "$PORT" yes || exit 1
[ "${DBC_KEEP:-}" = 1 ] || trap 'dbc_pg_stop demo' EXIT

if [ -t 1 ]; then B=$(printf '\033[1m'); N=$(printf '\033[0m'); else B=; N=; fi
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
run() { # run DB SQL: show the statement and what PostgreSQL answered
	printf '%s=> %s\n' "$1" "$2"
	"$PG_SYS_BIN/psql" -X -h "$DBC_SOCK" -p "$PORT" -U postgres -d "$1" -c "$2" 2>&1 | sed 's/^/   /'
}
sql() { "$PG_SYS_BIN/psql" -X -q -h "$DBC_SOCK" -p "$PORT" -U postgres -d "$1" -c "$2" >/dev/null 2>&1; }

say "Two environments: database dev (default approve) and database prod (default queue)"
for db in dev prod; do
	sql postgres "DROP DATABASE IF EXISTS $db"
	sql postgres "CREATE DATABASE $db"
	sql "$db" "CREATE EXTENSION dbchange"
done
run dev "SELECT * FROM dbchange.configure(environment => 'dev', default_action => 'approve')"
run prod "SELECT * FROM dbchange.configure(environment => 'prod', rollout => 'manual', default_action => 'queue')"

say "In dev, DDL is approved: it runs and is recorded with its exact text"
run dev "CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL)"
run dev "ALTER TABLE customers ADD COLUMN email text"
run dev "SELECT id, status, command, statement FROM dbchange.changes ORDER BY id"

say "In prod, the same DDL is queued: it does not run, the change waits for approval"
run prod "CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL)"
run prod "SELECT to_regclass('customers') AS customers_exists"
run prod "SELECT id, status, command, waiting_for FROM dbchange.pending()"

say "A reject: prod refuses DDL outright when its default action is reject"
sql prod "SELECT dbchange.configure(default_action => 'reject')"
run prod "DROP TABLE IF EXISTS customers"
sql prod "SELECT dbchange.configure(default_action => 'queue')"
run prod "SELECT id, status, statement, reasons FROM dbchange.changes ORDER BY id"

say "The audit trail of prod"
run prod "SELECT seq, event, change_id, actor FROM dbchange.audit ORDER BY seq"
echo
echo "Cluster: psql -h $DBC_SOCK -p $PORT -U postgres dev   (stopped at exit unless DBC_KEEP=1)"
