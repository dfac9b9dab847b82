#!/usr/bin/env bash
# demo/run.sh -- the whole product on a throwaway local cluster.
#
# Installs what is missing (Debian 12), builds, starts a PostgreSQL cluster
# under /tmp with dbchange preloaded, creates a "dev" and a "prod" database,
# loads the stock policy library into both, and walks through a change's
# life: DDL approved in dev, a dry run, promotion dev -> prod where prod's
# policies queue it, the requester unable to approve their own change, a
# second person approving, a deployer applying, the promotion resuming, a
# rejected statement, a rollback verified and submitted, the audit chain
# and the DORA metrics.  Every step prints the command and what it answered.
# The cluster is stopped at the end (DBC_KEEP=1 keeps it running).
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
conn() { echo "host=$DBC_SOCK port=$PORT user=$1 dbname=$2"; }
run() { # run USER DB SQL: show the statement and what PostgreSQL answered
	printf '%s@%s=> %s\n' "$1" "$2" "$3"
	"$PG_SYS_BIN/psql" -X -h "$DBC_SOCK" -p "$PORT" -U "$1" -d "$2" -c "$3" 2>&1 | sed 's/^/   /'
}
quiet() { "$PG_SYS_BIN/psql" -X -q -h "$DBC_SOCK" -p "$PORT" -U "$1" -d "$2" -c "$3" >/dev/null 2>&1; }
cli() { # cli ARGS...: show the dbchange command line and its output and exit status
	printf '$ dbchange %s\n' "$*"
	"$DBC_CLI" "$@" 2>&1 | sed 's/^/   /'
	LAST_RC=${PIPESTATUS[0]}
	printf '   (exit status %s)\n' "$LAST_RC"
}

say "Two environments: database dev (rollout auto) and database prod (rollout manual)"
for r in alice bob carol; do quiet postgres postgres "DROP ROLE IF EXISTS $r"; done
quiet postgres postgres "CREATE ROLE alice LOGIN; CREATE ROLE bob LOGIN; CREATE ROLE carol LOGIN"
for db in dev prod; do
	quiet postgres postgres "DROP DATABASE IF EXISTS $db"
	quiet postgres postgres "CREATE DATABASE $db"
	quiet postgres "$db" "CREATE EXTENSION dbchange"
	# Setting the demo up is not part of the change history: enforcement off, superuser only.
	quiet postgres "$db" "SET dbchange.enforce = off; GRANT CREATE ON SCHEMA public TO alice;
	                      GRANT dbchange_developer, dbchange_approver TO alice;
	                      GRANT dbchange_approver TO bob; GRANT dbchange_deployer TO carol"
done
# In prod, changes arrive by promotion and run as the deployer who promoted them.
quiet postgres prod "SET dbchange.enforce = off; GRANT CREATE ON SCHEMA public TO carol"
echo "alice is a developer (and an approver), bob an approver, carol a deployer: plain PostgreSQL roles."
run postgres dev "SELECT * FROM dbchange.configure(environment => 'dev', rollout => 'auto', default_action => 'approve')"
run postgres prod "SELECT * FROM dbchange.configure(environment => 'prod', rollout => 'manual', default_action => 'queue')"

say "Policy as code: the stock library (lua_policies/) pushed into both environments"
cli policy push lua_policies -d "$(conn postgres dev)"
cli policy push lua_policies -d "$(conn postgres prod)" --quiet
# The clock-dependent policies would make the demo depend on when it runs.
for db in dev prod; do quiet postgres "$db" "SELECT dbchange.disable_policy('maintenance_window'); SELECT dbchange.disable_policy('change_freeze')"; done
run postgres prod "SELECT name, enabled FROM dbchange.policy ORDER BY name"

say "In dev, alice's DDL is checked and approved: it runs, is recorded with its exact text, and the policies' warnings are kept"
run alice dev "CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL)"
run alice dev "ALTER TABLE customers ADD COLUMN email text"
run alice dev "CREATE INDEX CONCURRENTLY customers_email_idx ON customers (email)"
run alice dev "SELECT id, status, risk, statement, reasons FROM dbchange.changes ORDER BY id"

say "What would prod decide? A dry run executes nothing"
run alice prod "SELECT statement_no, command, action, risk, reasons FROM dbchange.evaluate('ALTER TABLE customers ADD COLUMN email text; DROP TABLE customers CASCADE', 'prod')"

say "Promotion dev -> prod: first a dry run, then for real; prod's policies queue the first change (exit 3)"
cli promote --from "$(conn alice dev)" --to "$(conn carol prod)" --dry-run
cli promote --from "$(conn alice dev)" --to "$(conn carol prod)"
run carol prod "SELECT id, status, risk, command, requested_by, step_role FROM dbchange.pending()"
PENDING=$("$PG_SYS_BIN/psql" -X -At -h "$DBC_SOCK" -p "$PORT" -U postgres -d prod -c "SELECT min(id) FROM dbchange.pending()")

say "Separation of duties: alice is an approver too, but she requested this change; bob approves it"
run alice prod "SELECT dbchange.approve($PENDING, 'looks fine to me')"
run bob prod "SELECT dbchange.approve($PENDING, 'reviewed: new table, no data at risk')"
say "Rollout is manual in prod: carol (deployer) applies it; a promoted change runs as the role that promoted it (carol), alice stays its requester on record"
cli apply "$PENDING" -d "$(conn carol prod)"
run postgres prod "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'"

say "Resume the promotion until prod has every change: bob approves what waits, carol applies (the CLI runs CREATE INDEX CONCURRENTLY at top level)"
ids() { "$PG_SYS_BIN/psql" -X -At -h "$DBC_SOCK" -p "$PORT" -U postgres -d prod -c "SELECT id FROM dbchange.pending() WHERE status = '$1' ORDER BY id"; }
for round in 1 2 3 4 5; do
	cli promote --from "$(conn alice dev)" --to "$(conn carol prod)"
	[ "$LAST_RC" = 3 ] || break
	for id in $(ids pending); do run bob prod "SELECT dbchange.approve($id, 'ok')"; done
	for id in $(ids approved); do cli apply "$id" -d "$(conn carol prod)"; done
done
run carol prod "SELECT id, status, source, requested_by, statement FROM dbchange.changes ORDER BY id"

say "A statement prod's policies reject outright: recorded although its transaction aborted"
run alice prod "DROP TABLE customers CASCADE"
run alice prod "SELECT id, status, risk, statement FROM dbchange.changes WHERE status = 'rejected'"

say "Rollback you can trust: a change submitted with its down script, verified, rolled back"
TMPD=$(mktemp -d)
printf 'CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint NOT NULL);\nCREATE INDEX orders_customer_idx ON orders (customer_id);\n' >"$TMPD/orders.sql"
printf 'DROP INDEX orders_customer_idx;\nDROP TABLE orders;\n' >"$TMPD/orders.down.sql"
printf 'DROP TABLE orders;\n' >"$TMPD/incomplete.down.sql"
cli submit "$TMPD/orders.sql" --down "$TMPD/orders.down.sql" -m "orders table" -d "$(conn alice dev)"
ORDERS=$("$PG_SYS_BIN/psql" -X -At -h "$DBC_SOCK" -p "$PORT" -U postgres -d dev -c "SELECT max(id) FROM dbchange.changes WHERE description = 'orders table'")
cli verify-rollback "$ORDERS" -d "$(conn alice dev)"
echo "A down script that forgets something is named before anyone relies on it:"
run alice dev "SELECT * FROM dbchange.verify_rollback_script('CREATE TABLE t1 (id int); CREATE TABLE t2 (id int)', 'DROP TABLE t1')"
run alice dev "SELECT dbchange.generate_down('ALTER TABLE customers ADD COLUMN email text')"
cli rollback "$ORDERS" -d "$(conn alice dev)"
run alice dev "SELECT id, status, source, statement FROM dbchange.changes WHERE id >= $ORDERS ORDER BY id"
rm -rf "$TMPD"

say "Drift: a superuser's change with enforcement off is named"
cli drift -d "$(conn postgres dev)"
run postgres dev "SET dbchange.enforce = off; CREATE TABLE shadow_table (id int)"
cli drift -d "$(conn postgres dev)"

say "The audit trail is hash-chained; verify_audit() returns NULL when it is intact"
run postgres prod "SELECT dbchange.verify_audit() AS first_broken_entry"
run postgres prod "SELECT seq, at, event, change_id, actor, sealed FROM dbchange.audit_log ORDER BY at DESC, seq DESC LIMIT 8"

say "DORA metrics per environment"
cli metrics -d "$(conn postgres prod)"

echo
echo "Cluster: psql -h $DBC_SOCK -p $PORT -U postgres dev   (stopped at exit unless DBC_KEEP=1)"
