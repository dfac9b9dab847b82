#!/usr/bin/env bash
# Workflow behaviour that needs several sessions: racing applies and approvals
# (exactly once), LISTEN payloads for every transition, no hang when the
# durable writer runs beside a session holding the audit chain's lock, a
# linear audit chain under concurrent writers, and the CLI's top-level path
# (authorize_toplevel + the statement at top level + finish_toplevel).
set -u
. "$(dirname "$0")/../lib.sh"
P=$DBC_PORT
DB=drv_workflow
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
q() { dbc_psql "$P" "$DB" -At "$@"; }
as() { local u=$1; shift; "$PG_SYS_BIN/psql" -X -q -At -h "$DBC_SOCK" -p "$P" -U "$u" -d "$DB" "$@"; }

dbc_psql "$P" postgres -c "SET client_min_messages=warning" -c "DROP DATABASE IF EXISTS $DB" >/dev/null
for r in wfd_dev wfd_appr1 wfd_appr2 wfd_dep1 wfd_dep2; do
	dbc_psql "$P" postgres -c "SET client_min_messages=warning" -c "DROP ROLE IF EXISTS $r" >/dev/null
done
dbc_psql "$P" postgres -c "CREATE DATABASE $DB" >/dev/null
q -c "SET client_min_messages=warning; CREATE EXTENSION dbchange" >/dev/null
q >/dev/null <<'SQL'
CREATE ROLE wfd_dev LOGIN;
CREATE ROLE wfd_appr1 LOGIN IN ROLE dbchange_approver;
CREATE ROLE wfd_appr2 LOGIN IN ROLE dbchange_approver;
CREATE ROLE wfd_dep1 LOGIN IN ROLE dbchange_deployer;
CREATE ROLE wfd_dep2 LOGIN IN ROLE dbchange_deployer;
GRANT CREATE ON SCHEMA public TO wfd_dev;
SQL
q -c "SELECT dbchange.configure(default_action => 'queue')" >/dev/null

# --- two deployers apply the same change at the same moment: it runs once
id=$(as wfd_dev -c "SELECT dbchange.submit('CREATE TABLE race (id int); SELECT pg_sleep(1)')" 2>/dev/null)
as wfd_appr1 -c "SELECT dbchange.approve($id)" >/dev/null
( as wfd_dep1 -c "SELECT dbchange.apply($id)" >"$TMP/a1" 2>&1 ) &
( as wfd_dep2 -c "SELECT dbchange.apply($id)" >"$TMP/a2" 2>&1 ) &
wait
check "racing applies: one returns applied" 1 "$(cat "$TMP/a1" "$TMP/a2" | grep -cx applied)"
check_match "racing applies: the other is told it is already applied" "change $id is applied, so it cannot be applied" "$(cat "$TMP/a1" "$TMP/a2")"
check "racing applies: one applied event" 1 "$(q -c "SELECT count(*) FROM dbchange.audit WHERE change_id = $id AND event = 'applied'")"
check "racing applies: status applied" applied "$(q -c "SELECT status FROM dbchange.change WHERE id = $id")"

# --- two approvers give the final approval at the same moment (rollout auto): applied once
q -c "SELECT dbchange.configure(rollout => 'auto')" >/dev/null
id=$(as wfd_dev -c "SELECT dbchange.submit('CREATE TABLE race2 (id int); SELECT pg_sleep(1)')" 2>/dev/null)
( as wfd_appr1 -c "SELECT dbchange.approve($id)" >"$TMP/b1" 2>&1 ) &
( as wfd_appr2 -c "SELECT dbchange.approve($id)" >"$TMP/b2" 2>&1 ) &
wait
check "racing approvals: one approval applies the change" 1 "$(cat "$TMP/b1" "$TMP/b2" | grep -cx applied)"
check_match "racing approvals: the other is refused" "change $id is applied, so it cannot be approved" "$(cat "$TMP/b1" "$TMP/b2")"
check "racing approvals: one approval recorded" 1 "$(q -c "SELECT count(*) FROM dbchange.change_step WHERE change_id = $id")"
check "racing approvals: one applied event" 1 "$(q -c "SELECT count(*) FROM dbchange.audit WHERE change_id = $id AND event = 'applied'")"
q -c "SELECT dbchange.configure(rollout => 'manual')" >/dev/null

# --- LISTEN dbchange: every transition arrives with its JSON payload
( "$PG_SYS_BIN/psql" -X -h "$DBC_SOCK" -p "$P" -U postgres -d "$DB" -c "LISTEN dbchange" -c "SELECT pg_sleep(4)" -c "SELECT 1" >"$TMP/listen" 2>&1 ) &
lpid=$!
q -c "SELECT dbchange.set_flow('default', ARRAY['dbchange_approver', 'dbchange_approver'])" >/dev/null
sleep 1
"$PG_SYS_BIN/psql" -X -q -h "$DBC_SOCK" -p "$P" -U wfd_dev -d "$DB" -c "CREATE TABLE listened (id int)" >/dev/null 2>&1
lid=$(q -c "SELECT id FROM dbchange.change WHERE statement = 'CREATE TABLE listened (id int)'")
as wfd_appr1 -c "SELECT dbchange.approve($lid, 'first')" >/dev/null
as wfd_appr2 -c "SELECT dbchange.approve($lid, 'second')" >/dev/null
as wfd_dep1 -c "SELECT dbchange.apply($lid)" >/dev/null
rid=$(as wfd_dev -c "SELECT dbchange.submit('CREATE TABLE withdrawn (id int)')" 2>/dev/null)
as wfd_dev -c "SELECT dbchange.reject($rid, 'not needed')" >/dev/null
q -c "SELECT dbchange.configure(default_action => 'reject')" >/dev/null
"$PG_SYS_BIN/psql" -X -q -h "$DBC_SOCK" -p "$P" -U wfd_dev -d "$DB" -c "CREATE TABLE refused_at_gate (id int)" >/dev/null 2>&1
gid=$(q -c "SELECT id FROM dbchange.change WHERE statement = 'CREATE TABLE refused_at_gate (id int)'")
q -c "SELECT dbchange.configure(default_action => 'approve')" >/dev/null
"$PG_SYS_BIN/psql" -X -q -h "$DBC_SOCK" -p "$P" -U wfd_dev -d "$DB" -c "CREATE TABLE approved_at_gate (id int)" >/dev/null 2>&1
aid=$(q -c "SELECT id FROM dbchange.change WHERE statement = 'CREATE TABLE approved_at_gate (id int)'")
auid=$(q -c "SELECT uid FROM dbchange.change WHERE statement = 'CREATE TABLE approved_at_gate (id int)'")
q -c "SELECT dbchange.configure(default_action => 'queue')" >/dev/null
wait $lpid
payloads=$(grep -o 'payload "{.*}"' "$TMP/listen" | sed 's/^payload "//; s/"$//')
echo "$payloads" >"$TMP/payloads"
pl() { grep "\"id\": $1," "$TMP/payloads" | grep "\"event\": \"$2\"" | head -1; }
check_match "LISTEN: queued at the gate (durable writer)" '"status": "pending"' "$(pl "$lid" queued)"
check_match "LISTEN: payload has id, uid, environment, actor, risk" '"id": [0-9]+, .*"uid": "[0-9a-f-]{36}".*' "$(pl "$lid" queued)"
check_match "LISTEN: payload keys" '"risk": null.*"actor": "wfd_dev".*"environment": "dev"|"actor": "wfd_dev".*"environment": "dev"' "$(pl "$lid" queued)"
check_match "LISTEN: step approved" '"actor": "wfd_appr1"' "$(pl "$lid" step_approved)"
check_match "LISTEN: approved" '"status": "approved"' "$(pl "$lid" approved)"
check_match "LISTEN: applied" '"status": "applied"' "$(pl "$lid" applied)"
check_match "LISTEN: withdrawn (rejected by the requester)" '"status": "rejected"' "$(pl "$rid" rejected)"
check_match "LISTEN: rejected at the gate, although its statement aborted" '"status": "rejected"' "$(pl "$gid" rejected)"
check_match "LISTEN: approved at the gate, with the stored uid" "\"uid\": \"$auid\", \"status\": \"applied\", \"environment\": \"dev\", \"actor\": \"wfd_dev\"" "$(pl "$aid" applied)"

# --- the durable writer never waits for the audit chain's lock
# (a) in the same transaction: set_flow seals the chain (holding its lock), then DDL is queued
q -c "SELECT dbchange.configure(default_action => 'approve')" >/dev/null
out=$(timeout 60 "$PG_SYS_BIN/psql" -X -h "$DBC_SOCK" -p "$P" -U postgres -d "$DB" 2>&1 <<'SQL'
BEGIN;
CREATE TABLE ok (id int);
SELECT dbchange.set_flow('high', ARRAY['dbchange_approver']);
SELECT dbchange.configure(default_action => 'queue');
CREATE TABLE queued_in_tx (id int);
COMMIT;
SQL
)
check "BEGIN; approved DDL; seal; queued DDL; COMMIT does not hang" 0 "$([ $? -eq 124 ] && echo hang || echo 0)"
check_match "the queued statement is reported" "queued for approval as change" "$out"
check "its pending record survived the abort" 1 "$(q -c "SELECT count(*) FROM dbchange.change WHERE statement = 'CREATE TABLE queued_in_tx (id int)' AND status = 'pending'")"
# (b) another session holds the chain lock in an open transaction while DDL is queued
q -c "SELECT dbchange.configure(default_action => 'queue')" >/dev/null
( "$PG_SYS_BIN/psql" -X -q -h "$DBC_SOCK" -p "$P" -U postgres -d "$DB" -c "BEGIN" -c "SELECT dbchange.set_flow('low', ARRAY['dbchange_approver'])" -c "SELECT pg_sleep(5)" -c "COMMIT" >/dev/null 2>&1 ) &
hold=$!
sleep 1
start=$(date +%s)
timeout 60 "$PG_SYS_BIN/psql" -X -q -h "$DBC_SOCK" -p "$P" -U wfd_dev -d "$DB" -c "CREATE TABLE queued_beside_lock (id int)" >/dev/null 2>&1
took=$(( $(date +%s) - start ))
check "queueing beside a held chain lock does not wait for it" yes "$([ $took -lt 4 ] && echo yes || echo "no (${took}s)")"
wait $hold
check "... and is recorded, then sealed later" "pending|" "$(q -c "SELECT c.status, dbchange.verify_audit() FROM dbchange.change c WHERE c.statement = 'CREATE TABLE queued_beside_lock (id int)'")"

# --- concurrent writers: the chain stays linear and verifies
q -c "SELECT dbchange.configure(default_action => 'approve')" >/dev/null
for s in 1 2 3 4 5 6; do
	( for i in $(seq 1 15); do
		as wfd_dev -c "SELECT dbchange.submit('CREATE TABLE chain_${s}_${i} (id int)')" >/dev/null 2>&1
		dbc_psql "$P" "$DB" -c "CREATE TABLE gate_${s}_${i} (id int)" >/dev/null 2>&1
	  done ) &
done
wait
check "concurrent writers: chain verifies" "" "$(q -c "SELECT dbchange.verify_audit()")"
check "concurrent writers: every entry sealed, positions contiguous" "t" "$(q -c "SELECT count(*) = max(chain_pos) AND count(*) = count(hash) AND min(chain_pos) = 1 FROM dbchange.audit")"
check "concurrent writers: 180 changes" 180 "$(q -c "SELECT count(*) FROM dbchange.change WHERE statement ~ 'CREATE TABLE (chain|gate)_'")"

# --- red team: the chain lock is not an advisory lock anyone may take.  A
# developer holding pg_advisory_lock(1145193472, 1) (the old chain lock) in an
# idle session kept every event unsealed and made verify_audit() wait for good.
( as wfd_dev -c "SELECT pg_advisory_lock(1145193472, 1)" -c "SELECT pg_sleep(8)" >/dev/null 2>&1 ) &
hold=$!
sleep 1
id=$(as wfd_dev -c "SELECT dbchange.submit('CREATE TABLE beside_squat (id int)')" 2>/dev/null)
check "a developer's advisory lock does not stop verify_audit()" "" "$(timeout 5 "$PG_SYS_BIN/psql" -X -q -At -h "$DBC_SOCK" -p "$P" -U postgres -d "$DB" -c "SELECT dbchange.verify_audit()" 2>&1 || echo "timed out")"
check "... nor the sealing of the events meanwhile" 0 "$(q -c "SELECT count(*) FROM dbchange.audit WHERE hash IS NULL")"
wait $hold
# a developer may not take the chain lock itself
check_match "the chain lock is dbchange's own" "permission denied" "$(as wfd_dev -c "SELECT 1 FROM dbchange.audit_deferred FOR UPDATE" 2>&1)"

# --- red team: a requester holding their change's top-level lock by hand
# (pg_advisory_lock(1145193473, id)) kept an approver from rejecting it once
# approved ("being applied at top level by another session"), to release it
# just before the deployment ran.  Only a deployer's or superuser's lock counts.
q -c "SELECT dbchange.configure(default_action => 'queue', rollout => 'manual')" >/dev/null
sid=$(as wfd_dev -c "SELECT dbchange.submit('CREATE TABLE squatted (id int)')" 2>/dev/null)
as wfd_appr1 -c "SELECT dbchange.approve($sid)" >/dev/null
( as wfd_dev -c "SELECT pg_advisory_lock(1145193473, $sid)" -c "SELECT pg_sleep(6)" >/dev/null 2>&1 ) &
hold=$!
sleep 1
check "a requester's advisory lock does not keep an approver from rejecting" rejected "$(as wfd_appr1 -c "SELECT dbchange.reject($sid, 'changed my mind')" 2>&1)"
sid2=$(as wfd_dev -c "SELECT dbchange.submit('CREATE INDEX CONCURRENTLY squat_idx ON race (id)')" 2>/dev/null)
as wfd_appr1 -c "SELECT dbchange.approve($sid2)" >/dev/null
as wfd_appr2 -c "SELECT dbchange.approve($sid2)" >/dev/null 2>&1   # (its risk's flow has two steps)
( as wfd_dev -c "SELECT pg_advisory_lock(1145193473, $sid2)" -c "SELECT pg_sleep(4)" >/dev/null 2>&1 ) &
sleep 1
check_match "authorize_toplevel names the session holding the lock by hand" "held by pid [0-9]+ \\(wfd_dev\\)" "$(as wfd_dep1 -c "SELECT count(*) FROM dbchange.authorize_toplevel($sid2)" 2>&1)"
check "... and an approver may still reject it" rejected "$(as wfd_appr1 -c "SELECT dbchange.reject($sid2, 'no')" 2>&1)"
wait

# --- the CLI's top-level path: CREATE INDEX CONCURRENTLY as the requester
q -c "SELECT dbchange.configure(default_action => 'queue')" >/dev/null
as wfd_dev -c "SET client_min_messages = warning; CREATE TABLE big (id int)" >/dev/null 2>&1
bid=$(q -c "SELECT id FROM dbchange.change WHERE statement = 'CREATE TABLE big (id int)'")
as wfd_appr1 -c "SELECT dbchange.approve($bid)" >/dev/null
as wfd_appr2 -c "SELECT dbchange.approve($bid)" >/dev/null
as wfd_dep1 -c "SELECT dbchange.apply($bid)" >/dev/null
cid=$(as wfd_dev -c "SELECT dbchange.submit('CREATE INDEX CONCURRENTLY big_id ON big (id)')" 2>/dev/null)
as wfd_appr1 -c "SELECT dbchange.approve($cid)" >/dev/null
as wfd_appr2 -c "SELECT dbchange.approve($cid)" >/dev/null
check_match "apply() refuses the non-transactional change with the CLI hint" "ZC006|dbchange apply $cid" "$(as wfd_dep1 -v VERBOSITY=verbose -c "SELECT dbchange.apply($cid)" 2>&1)"
# another session cannot use the authorisation, and the exact text is required
out=$(as wfd_dep1 -v ON_ERROR_STOP=1 <<SQL 2>&1
SELECT count(*) FROM dbchange.authorize_toplevel($cid);
CREATE INDEX CONCURRENTLY big_id ON big (id);
SELECT current_user;
SELECT dbchange.finish_toplevel($cid);
SQL
)
check "top level: authorised, ran, user restored, applied" "$(printf '1\nwfd_dep1\napplied')" "$out"
check "top level: index built and valid" "t" "$(q -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_id'::regclass")"
check "top level: objects recorded" "public.big_id" "$(q -c "SELECT identity FROM dbchange.change_object WHERE change_id = $cid")"
check "top level: audit authorised + applied" "toplevel_authorized,applied" "$(q -c "SELECT string_agg(event, ',' ORDER BY seq) FROM dbchange.audit WHERE change_id = $cid AND seq > (SELECT max(seq) FROM dbchange.audit WHERE change_id = $cid AND event = 'approved')")"
# one time: the same statement again is an ordinary statement for the gate (queued)
check_match "top level: the authorisation is used up" "queued for approval" "$(as wfd_dep1 -c "DROP INDEX big_id" -c "CREATE INDEX CONCURRENTLY big_id ON big (id)" 2>&1)"
# a failing top-level statement: the session's user is restored, finish records failed
as wfd_dev -c "INSERT INTO big VALUES (1), (1)" >/dev/null 2>&1 || q -c "INSERT INTO big VALUES (1), (1)" >/dev/null
fid=$(as wfd_dev -c "SELECT dbchange.submit('CREATE UNIQUE INDEX CONCURRENTLY big_u ON big (id)')" 2>/dev/null)
as wfd_appr1 -c "SELECT dbchange.approve($fid)" >/dev/null
as wfd_appr2 -c "SELECT dbchange.approve($fid)" >/dev/null
out=$(as wfd_dep1 <<SQL 2>&1
SELECT count(*) FROM dbchange.authorize_toplevel($fid);
CREATE UNIQUE INDEX CONCURRENTLY big_u ON big (id);
SELECT current_user;
SELECT dbchange.finish_toplevel($fid);
SQL
)
check_match "top level failure: reported" "could not create unique index" "$out"
check_match "top level failure: user restored, recorded failed" "wfd_dep1.failed" "$(printf '%s' "$out" | tr '\n' '.')"
check "top level failure: error kept" "23505" "$(q -c "SELECT error_sqlstate FROM dbchange.change WHERE id = $fid")"
# not a deployer: no authorisation
check_match "top level: deployers only" "permission denied to apply changes" "$(as wfd_dev -c "SELECT * FROM dbchange.authorize_toplevel($cid)" 2>&1)"

check "audit chain intact after all of this" "" "$(q -c "SELECT dbchange.verify_audit()")"

dbc_psql "$P" postgres -c "SET client_min_messages=warning" -c "DROP DATABASE IF EXISTS $DB" >/dev/null
for r in wfd_dev wfd_appr1 wfd_appr2 wfd_dep1 wfd_dep2; do
	dbc_psql "$P" postgres -c "SET client_min_messages=warning" -c "DROP ROLE IF EXISTS $r" >/dev/null
done
dbc_summary
