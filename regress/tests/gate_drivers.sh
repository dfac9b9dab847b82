#!/usr/bin/env bash
# Gate behaviour that needs several sessions, other client protocols or other
# tools: concurrent queueing, no hang when the durable writer runs beside a
# transaction holding locks, the extended protocol, pg_dump/restore.
set -u
. "$(dirname "$0")/../lib.sh"
P=$DBC_PORT
DB=drv_gate
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
q() { dbc_psql "$P" "$DB" -At "$@"; }

dbc_psql "$P" postgres -c "SET client_min_messages=warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
q -c "SET client_min_messages=warning; CREATE EXTENSION dbchange" >/dev/null
q -c "SELECT dbchange.configure(default_action => 'queue')" >/dev/null

# --- eight sessions queueing at the same moment: all recorded, each its own id
for i in $(seq 1 8); do
	( dbc_psql "$P" "$DB" -c "CREATE TABLE conc_$i (id int)" >"$TMP/out_$i" 2>&1 ) &
done
wait
check "8 concurrent queued statements recorded" 8 "$(q -c "SELECT count(*) FROM dbchange.change WHERE status = 'pending' AND statement LIKE 'CREATE TABLE conc_%'")"
check "each session was told its own change id" 8 "$(cat "$TMP"/out_* | grep -o 'queued for approval as change [0-9]*' | sort -u | wc -l)"
check "none of the tables exists" 0 "$(q -c "SELECT count(*) FROM pg_class WHERE relname LIKE 'conc_%'")"
check "8 queued audit events" 8 "$(q -c "SELECT count(*) FROM dbchange.audit a JOIN dbchange.change c ON c.id = a.change_id WHERE a.event = 'queued' AND c.statement LIKE 'CREATE TABLE conc_%'")"

# --- BEGIN; approved DDL; queued DDL; COMMIT must not hang (the worker needs no lock we hold)
q -c "SELECT dbchange.configure(default_action => 'approve')" >/dev/null
start=$(date +%s)
out=$(timeout 60 "$PG_SYS_BIN/psql" -X -h "$DBC_SOCK" -p "$P" -U postgres -d "$DB" 2>&1 <<'SQL'
BEGIN;
CREATE TABLE ok_first (id int);
SELECT dbchange.configure(default_action => 'queue');
CREATE TABLE queued_second (id int);
COMMIT;
SQL
)
rc=$?
check "approved + queued DDL in one transaction does not hang" 0 "$([ $rc -eq 124 ] && echo hang || echo 0)"
check_match "the queued statement is reported" "queued for approval as change" "$out"
check "the pending record survived the abort" 1 "$(q -c "SELECT count(*) FROM dbchange.change WHERE statement = 'CREATE TABLE queued_second (id int)' AND status = 'pending'")"
check "the approved DDL was rolled back with its transaction" "" "$(q -c "SELECT to_regclass('ok_first')")"
echo "# took $(( $(date +%s) - start ))s"

# the same with a rejected statement, and with several sessions each holding locks
q -c "SELECT dbchange.configure(default_action => 'reject')" >/dev/null
for i in $(seq 1 4); do
	( timeout 60 "$PG_SYS_BIN/psql" -X -h "$DBC_SOCK" -p "$P" -U postgres -d "$DB" -c "BEGIN" -c "LOCK TABLE dbchange.settings IN SHARE MODE" -c "CREATE TABLE rej_$i (id int)" >"$TMP/rej_$i" 2>&1; echo $? >"$TMP/rej_rc_$i" ) &
done
wait
check "4 sessions holding a SHARE lock on settings: rejections recorded" 4 "$(q -c "SELECT count(*) FROM dbchange.change WHERE status = 'rejected' AND statement LIKE 'CREATE TABLE rej_%'")"
check "none of them hung" 0 "$(cat "$TMP"/rej_rc_* | grep -c 124)"

# --- the extended query protocol (pgbench -M extended / prepared): exact text recorded
q -c "SELECT dbchange.configure(default_action => 'approve')" >/dev/null
printf 'CREATE TABLE IF NOT EXISTS ext_proto_t (id int);\n' >"$TMP/ext.sql"
"$PG_SYS_BIN/pgbench" -n -h "$DBC_SOCK" -p "$P" -U postgres -t 1 -M extended -f "$TMP/ext.sql" "$DB" >/dev/null 2>&1
check "extended protocol: statement recorded exactly" "CREATE TABLE IF NOT EXISTS ext_proto_t (id int)" "$(q -c "SELECT statement FROM dbchange.change WHERE statement LIKE '%ext_proto_t%'")"
printf 'ALTER TABLE ext_proto_t ADD COLUMN IF NOT EXISTS b int;\n' >"$TMP/prep.sql"
"$PG_SYS_BIN/pgbench" -n -h "$DBC_SOCK" -p "$P" -U postgres -t 1 -M prepared -f "$TMP/prep.sql" "$DB" >/dev/null 2>&1
check "prepared protocol: statement recorded exactly" "ALTER TABLE ext_proto_t ADD COLUMN IF NOT EXISTS b int" "$(q -c "SELECT statement FROM dbchange.change WHERE statement LIKE '%ADD COLUMN IF NOT EXISTS b%'")"
q -c "SELECT dbchange.configure(default_action => 'queue')" >/dev/null
printf 'CREATE TABLE ext_queued (id int);\n' >"$TMP/extq.sql"
"$PG_SYS_BIN/pgbench" -n -h "$DBC_SOCK" -p "$P" -U postgres -t 1 -M extended -f "$TMP/extq.sql" "$DB" >/dev/null 2>&1
check "extended protocol: queued statement recorded exactly" "pending|CREATE TABLE ext_queued (id int)" "$(q -c "SELECT status, statement FROM dbchange.change WHERE statement LIKE '%ext_queued%'")"

# --- pg_dump of a database with the extension, restored into a new one, keeps the history
before=$(q -c "SELECT count(*), max(id), string_agg(uid::text || status, ',' ORDER BY id) FROM dbchange.change")
"$PG_SYS_BIN/pg_dump" -h "$DBC_SOCK" -p "$P" -U postgres -Fc -f "$TMP/dump" "$DB"
check "pg_dump succeeds" 0 $?
dbc_psql "$P" postgres -c "SET client_min_messages=warning" -c "DROP DATABASE IF EXISTS ${DB}_restored" -c "CREATE DATABASE ${DB}_restored" >/dev/null
# Restoring is a superuser's job and replays schema the history already records:
# the documented way is with enforcement off for the restoring session.
PGOPTIONS='-c dbchange.enforce=off' "$PG_SYS_BIN/pg_restore" -h "$DBC_SOCK" -p "$P" -U postgres -d "${DB}_restored" "$TMP/dump" 2>"$TMP/restore.err"
check "pg_restore succeeds" "" "$(grep -v '^$' "$TMP/restore.err")"
after=$(dbc_psql "$P" "${DB}_restored" -At -c "SELECT count(*), max(id), string_agg(uid::text || status, ',' ORDER BY id) FROM dbchange.change")
check "restored database has the same change history" "$before" "$after"
check "restored settings" "queue" "$(dbc_psql "$P" "${DB}_restored" -At -c "SELECT value FROM dbchange.settings WHERE key = 'default_action'")"
check "restored audit trail" "$(q -c "SELECT count(*) FROM dbchange.audit")" "$(dbc_psql "$P" "${DB}_restored" -At -c "SELECT count(*) FROM dbchange.audit")"
check "restored: the chain verifies and every approved statement gets its applied event" "|0" "$(dbc_psql "$P" "${DB}_restored" -At -c "SELECT dbchange.verify_audit()" -c "SELECT count(*) FROM dbchange.change c WHERE c.facts IS NOT NULL AND (SELECT count(*) FROM dbchange.audit a WHERE a.change_id = c.id AND a.event = 'applied') <> 1" | paste -sd'|')"
dbc_psql "$P" "${DB}_restored" -c "CREATE TABLE after_restore (id int)" >/dev/null 2>&1
check "the gate works in the restored database (new id continues the sequence)" "1" "$(dbc_psql "$P" "${DB}_restored" -At -c "SELECT count(*) FROM dbchange.change WHERE statement LIKE '%after_restore%' AND id > $(echo "$before" | cut -d'|' -f2)")"

# --- CREATE INDEX CONCURRENTLY on dbchange.change while another session keeps
# recording approved DDL.  That session keeps the table's indexes between
# statements (rowinsert.c); the index turning ready for inserts half-way must
# reach it, or its rows would be missing from the new index.
q -c "SELECT dbchange.configure(default_action => 'approve')" >/dev/null
for i in $(seq 1 1500); do echo "CREATE TABLE cic_$i (id int); DROP TABLE cic_$i;"; done >"$TMP/cic.sql"
( dbc_psql "$P" "$DB" -q -f "$TMP/cic.sql" >"$TMP/cic_out" 2>&1 ) &
writer=$!
sleep 0.5
q -c "CREATE INDEX CONCURRENTLY change_cic_test ON dbchange.change (environment, id)" >"$TMP/cic_idx" 2>&1
cic_id=$(q -c "SELECT max(id) FROM dbchange.change WHERE statement LIKE 'CREATE INDEX CONCURRENTLY change_cic_test%'")
wait $writer
check "CIC beside a recording session: the writer's 3000 statements recorded" 3000 "$(q -c "SELECT count(*) FROM dbchange.change WHERE statement ~ '^(CREATE|DROP) TABLE cic_'")"
check "the writer went on recording after the index was ready" 1 "$(q -c "SELECT (count(*) > 0)::int FROM dbchange.change WHERE statement ~ '^(CREATE|DROP) TABLE cic_' AND id > ${cic_id:-0}")"
check "the concurrently built index is valid" "t" "$(q -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'dbchange.change_cic_test'::regclass")"
q -c "CREATE EXTENSION IF NOT EXISTS amcheck" >/dev/null
check "it holds every row (amcheck heapallindexed)" "" "$(q -c "SELECT bt_index_check('dbchange.change_cic_test', true)" 2>&1)"
check "index scan finds the writer's last rows" 2 "$(q -c "SET enable_seqscan = off; SET enable_bitmapscan = off; SELECT count(*) FROM dbchange.change WHERE environment = (SELECT environment FROM dbchange.change ORDER BY id DESC LIMIT 1) AND id > (SELECT max(id) - 2 FROM dbchange.change)")"
q -c "DROP INDEX dbchange.change_cic_test" -c "DROP EXTENSION amcheck" >/dev/null

# --- an approved statement's "applied" audit event is written by the next seal
# (catalog.c, insert_applied; _audit_write_deferred): a transaction that holds
# a low change id open across several seals still gets its event once it commits
q -c "SELECT dbchange.configure(default_action => 'approve')" -c "SELECT dbchange.verify_audit()" >/dev/null
( dbc_psql "$P" "$DB" -c "BEGIN" -c "CREATE TABLE late_a (id int)" -c "SELECT pg_sleep(3)" -c "COMMIT" >"$TMP/late_a" 2>&1 ) &
late=$!
for _ in $(seq 1 50); do
	[ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(3)'")" = 1 ] && break
	sleep 0.1
done
for i in 1 2 3; do
	q -c "CREATE TABLE late_b$i (id int)" -c "SELECT dbchange.verify_audit()" >/dev/null
done
check "while it runs: the later statements' events are written" 3 "$(q -c "SELECT count(*) FROM dbchange.audit a JOIN dbchange.change c ON c.id = a.change_id WHERE a.event = 'applied' AND c.statement LIKE 'CREATE TABLE late_b%'")"
check "while it runs: the low-water mark stays below its change" 1 "$(q -c "SELECT (low_id <= (SELECT min(id) FROM dbchange.change WHERE statement LIKE 'CREATE TABLE late_b%'))::int FROM dbchange.audit_deferred")"
wait $late
check "the long transaction committed its DDL" "t" "$(q -c "SELECT to_regclass('late_a') IS NOT NULL")"
check "its event is in audit_log at once (not yet written)" "1|t" "$(q -c "SELECT count(*), bool_and(seq IS NULL) FROM dbchange.audit_log l JOIN dbchange.change c ON c.id = l.change_id WHERE l.event = 'applied' AND c.statement = 'CREATE TABLE late_a (id int)'")"
check "the next seal writes it and the chain is intact" "" "$(q -c "SELECT dbchange.verify_audit()")"
check "written once, sealed" "1|t" "$(q -c "SELECT count(*), bool_and(hash IS NOT NULL) FROM dbchange.audit a JOIN dbchange.change c ON c.id = a.change_id WHERE a.event = 'applied' AND c.statement = 'CREATE TABLE late_a (id int)'")"
q -c "SELECT dbchange.verify_audit()" -c "SELECT dbchange.verify_audit()" >/dev/null
check "the low-water mark moves past it once nothing older runs" 1 "$(q -c "SELECT (low_id > (SELECT id FROM dbchange.change WHERE statement = 'CREATE TABLE late_a (id int)'))::int FROM dbchange.audit_deferred")"
check "every approved statement has exactly one applied event" 0 "$(q -c "SELECT count(*) FROM dbchange.change c WHERE c.facts IS NOT NULL AND (SELECT count(*) FROM dbchange.audit a WHERE a.change_id = c.id AND a.event = 'applied') <> 1")"
q -c "BEGIN" -c "CREATE TABLE late_rolled_back (id int)" -c "ROLLBACK" -c "SELECT dbchange.verify_audit()" >/dev/null
check "a rolled-back statement leaves no event" 0 "$(q -c "SELECT count(*) FROM dbchange.audit_log WHERE event = 'applied' AND change_id NOT IN (SELECT id FROM dbchange.change)")"
check "a developer cannot move the mark" "permission denied" "$(q -c "SET ROLE dbchange_developer" -c "UPDATE dbchange.audit_deferred SET low_id = 1000000" 2>&1 | grep -o 'permission denied' | head -1)"

# --- no background worker slot: the statement is still refused and the log says why
NP=$((DBC_PORT_BASE + 7))
if dbc_pg_start noslot "$NP" yes "max_worker_processes = 0"; then
	dbc_psql "$NP" postgres -c "CREATE EXTENSION dbchange" -c "SELECT dbchange.configure(default_action => 'queue')" >/dev/null 2>&1
	out=$(dbc_psql "$NP" postgres -c "CREATE TABLE no_slot (id int)" 2>&1)
	check_match "no worker slot: refused with a clear message" "could not be recorded" "$out"
	check "no worker slot: the table was not created" "" "$(dbc_psql "$NP" postgres -At -c "SELECT to_regclass('no_slot')")"
	check_match "no worker slot: the server log says why" "could not record queued statement .*no background worker slot" "$(cat "$DBC_BASE/pg-noslot/server.log")"
	dbc_pg_stop noslot
else
	not_ok "could not start the cluster without worker slots"
fi

dbc_summary
