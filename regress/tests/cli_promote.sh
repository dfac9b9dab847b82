#!/usr/bin/env bash
# CLI promote --from A --to B: dev -> test copies every applied change with
# the same uids, checksums and provenance, in dev's order; a rerun changes
# nothing; --dry-run changes nothing; prod queues -> exit 3, nothing after
# it applied, a rerun after approval carries on; rejected -> 4; failed -> 1;
# kill -9 during a 200-change promotion, rerun -> every change exactly once.
cd "$(dirname "$0")/../.."
. regress/lib.sh
. regress/cli_lib.sh

DEV=cli_promote_dev
TEST=cli_promote_test
PROD=cli_promote_prod
ALICE=cli_promote_alice
new_db $DEV dev && new_db $TEST test && new_db $PROD prod || { not_ok "setup"; dbc_summary; exit 1; }
require_api $DEV submit submit_promoted approve
sql $PROD "SELECT * FROM dbchange.configure(rollout => 'auto')" >/dev/null
dbc_psql "$DBC_PORT" postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ALICE') THEN CREATE ROLE $ALICE LOGIN; END IF; END \$\$" \
	-c "GRANT dbchange_approver, dbchange_deployer TO $ALICE" >/dev/null
DD=$(conninfo $DEV)
DT=$(conninfo $TEST)
DP=$(conninfo $PROD)
has_evaluate=$(sql $DEV "SELECT count(*) FROM pg_proc WHERE proname = 'evaluate' AND pronamespace = 'dbchange'::regnamespace")

# applied uids of a database, in the order it applied them
uids() { sql "$1" "SELECT uid FROM dbchange.changes WHERE status IN ('applied', 'rolled_back') ORDER BY applied_at, id" | tr '\n' ' '; }

# ---- dev's history: interactive DDL, a submitted script with a down script, a migration ----
sql $DEV "CREATE TABLE pro_customers (id int PRIMARY KEY, name text)" >/dev/null
sql $DEV "ALTER TABLE pro_customers ADD COLUMN email text" >/dev/null
sql $DEV "CREATE INDEX pro_customers_email ON pro_customers (email)" >/dev/null
printf 'CREATE TABLE pro_orders (id int PRIMARY KEY, customer int REFERENCES pro_customers);\nCOMMENT ON TABLE pro_orders IS $$orders; "quoted"$$;\n' >"$CLI_TMP/orders.sql"
echo "DROP TABLE pro_orders;" >"$CLI_TMP/orders.down.sql"
run submit "$CLI_TMP/orders.sql" --down "$CLI_TMP/orders.down.sql" -m "orders table" -d "$DD"
check "setup: submit in dev" 0 "$RC"
mkdir -p "$CLI_TMP/mig"
echo "CREATE TABLE pro_audit (id bigint);" >"$CLI_TMP/mig/V1__audit.sql"
run deploy "$CLI_TMP/mig" -d "$DD"
check "setup: deploy in dev" 0 "$RC"
sql $DEV "CREATE VIEW pro_v AS SELECT id FROM pro_customers" >/dev/null
N_DEV=$(sql $DEV "SELECT count(*) FROM dbchange.changes WHERE status = 'applied'")

# ---- bad input first: nothing may change ----
run promote --from "$DD" --to "$DD"
check "same database for --from and --to: exit 2" 2 "$RC"
check_match "same database: said" "name the same database" "$ERR"
dbc_psql "$DBC_PORT" postgres -c "DROP DATABASE IF EXISTS cli_promote_noext" -c "CREATE DATABASE cli_promote_noext" >/dev/null
run promote --from "$DD" --to "$(conninfo cli_promote_noext)"
check "target without the extension: exit 1" 1 "$RC"
check_match "target without the extension: names --to" "not installed in database \"cli_promote_noext\" \\(given by --to\\)" "$ERR"
run promote --from "$(conninfo cli_promote_noext)" --to "$DT"
check "source without the extension: exit 1" 1 "$RC"
check_match "source without the extension: names --from" "given by --from" "$ERR"
run promote --from "host=$DBC_SOCK port=1 dbname=x" --to "$DT"
check "unreachable source: exit 1" 1 "$RC"
check_match "unreachable source: names --from" "could not connect to the database given by --from" "$ERR"
drop_db cli_promote_noext
check "bad input changed nothing in test" 0 "$(sql $TEST "SELECT count(*) FROM dbchange.changes")"

# ---- dry run: nothing changes ----
run promote --from "$DD" --to "$DT" --dry-run
if [ "$has_evaluate" = 1 ]; then
	check "dry run: exit 0 (all would apply in test)" 0 "$RC"
	check_match "dry run: one line per change" "\\[  1/$N_DEV\\] would approve" "$OUT"
	check_match "dry run: summary" "dry run: $N_DEV would apply" "$OUT"
	run promote --from "$DD" --to "$DT" --dry-run --json
	check_json "dry run --json is valid JSON"
	check "dry run --json: every change evaluated" "$N_DEV" "$(json_get 'len(j["changes"])')"
else
	check "dry run without evaluate(): exit 1" 1 "$RC"
fi
check "dry run: no change recorded in test" 0 "$(sql $TEST "SELECT count(*) FROM dbchange.changes")"
check "dry run: no table created in test" "" "$(sql $TEST "SELECT to_regclass('pro_customers')")"

# ---- dev -> test ----
run promote --from "$DD" --to "$DT"
check "promote dev -> test: exit 0" 0 "$RC"
check_match "promote: one progress line per change" "\\[  $N_DEV/$N_DEV\\] applied" "$OUT"
check_match "promote: summary" "done: $N_DEV applied, 0 already present" "$OUT"
check "promote: every applied change, same uids, same order" "$(uids $DEV)" "$(uids $TEST)"
check "promote: same checksums" \
	"$(sql $DEV "SELECT string_agg(checksum, ',' ORDER BY uid) FROM dbchange.changes WHERE status = 'applied'")" \
	"$(sql $TEST "SELECT string_agg(checksum, ',' ORDER BY uid) FROM dbchange.changes WHERE status = 'applied'")"
check "promote: same statements" \
	"$(sql $DEV "SELECT md5(string_agg(statement, '|' ORDER BY uid)) FROM dbchange.changes WHERE status = 'applied'")" \
	"$(sql $TEST "SELECT md5(string_agg(statement, '|' ORDER BY uid)) FROM dbchange.changes WHERE status = 'applied'")"
check "promote: source promotion" "promotion" "$(sql $TEST "SELECT DISTINCT source FROM dbchange.changes")"
check "promote: description and down script travel" "orders table|DROP TABLE pro_orders;" \
	"$(sql $TEST "SELECT description || '|' || down_script FROM dbchange.change WHERE statement LIKE '%pro_orders (id%'")"
dev_id=$(sql $DEV "SELECT id FROM dbchange.changes WHERE statement LIKE '%pro_orders (id%'")
check "promote: provenance (environment, change id, requester, source)" "dev|$dev_id|postgres|submit" \
	"$(sql $TEST "SELECT concat_ws('|', origin->>'from_environment', origin->>'from_change_id', origin->>'requested_by', origin->>'source')
	              FROM dbchange.change WHERE statement LIKE '%pro_orders (id%'")"
check "promote: the original requester is kept" "postgres" "$(sql $TEST "SELECT DISTINCT requested_by FROM dbchange.changes")"
check "promote: the schema is in test" "t" "$(sql $TEST "SELECT to_regclass('pro_v') IS NOT NULL")"

# a deployer who is not a superuser promotes too, down scripts and provenance included
DEP=cli_promote_deployer
T2=cli_promote_test2
new_db $T2 test
dbc_psql "$DBC_PORT" postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DEP') THEN CREATE ROLE $DEP LOGIN; END IF; END \$\$" \
	-c "GRANT dbchange_deployer TO $DEP" >/dev/null
sql $T2 "GRANT CREATE ON SCHEMA public TO $DEP" >/dev/null
run promote --from "$(conninfo $DEV $DEP)" --to "$(conninfo $T2 $DEP)"
check "promote by a non-superuser deployer: exit 0" 0 "$RC"
check "non-superuser promote: no warning about down scripts" "" "$ERR"
check "non-superuser promote: the down script travels" "DROP TABLE pro_orders;" \
	"$(sql $T2 "SELECT down_script FROM dbchange.change WHERE statement LIKE '%pro_orders (id%'")"
check "non-superuser promote: the original requester is kept" "postgres" "$(sql $T2 "SELECT DISTINCT requested_by FROM dbchange.changes")"
run show "$(sql $T2 "SELECT min(id) FROM dbchange.changes")" -d "$(conninfo $T2 $DEP)" --json
check "show by a non-superuser: the statements are listed" "True" "$(json_get 'len(j["statements"]) >= 1')"
check "show by a non-superuser: the audit events are listed" "True" "$(json_get 'len(j["audit"]) >= 1')"
drop_db $T2

# rerun: nothing changes
before=$(sql $TEST "SELECT count(*) FROM dbchange.changes")
run promote --from "$DD" --to "$DT"
check "rerun: exit 0" 0 "$RC"
check_match "rerun: nothing to do" "0 applied, $N_DEV already present" "$OUT"
check "rerun: no new change in test" "$before" "$(sql $TEST "SELECT count(*) FROM dbchange.changes")"
run promote --from "$DD" --to "$DT" --quiet
check "rerun --quiet: exit 0" 0 "$RC"
check "rerun --quiet: prints nothing" "" "$OUT"
run promote --from "$DD" --to "$DT" --json
check_json "promote --json is valid JSON"
check "promote --json: already present count" "$N_DEV" "$(json_get 'j["already_present"]')"

# ---- test -> prod: queued stops, rerun continues after approval ----
run promote --from "$DT" --to "$DP"
check "test -> prod: exit 0" 0 "$RC"
sql $DEV "CREATE TABLE pro_x1 (id int)" >/dev/null
sql $DEV "CREATE TABLE pro_x2 (id int)" >/dev/null
sql $DEV "CREATE TABLE pro_x3 (id int)" >/dev/null
run promote --from "$DD" --to "$DT"
check "dev -> test (3 more): exit 0" 0 "$RC"
sql $PROD "SELECT * FROM dbchange.configure(default_action => 'queue')" >/dev/null
run promote --from "$DT" --to "$DP"
check "prod queues: exit 3" 3 "$RC"
check_match "prod queues: says which change and who must approve" "queued +test #[0-9]+ → prod #[0-9]+ +CREATE TABLE pro_x1" "$OUT"
check_match "prod queues: who must approve" "waits for: approval by dbchange_approver" "$OUT"
check_match "prod queues: how to continue" "stopped: prod change [0-9]+ waits for approval" "$OUT"
check "prod queues: nothing after it applied" "||" "$(sql $PROD "SELECT to_regclass('pro_x1'), to_regclass('pro_x2'), to_regclass('pro_x3')" )"
check "prod queues: later changes not even submitted" 0 "$(sql $PROD "SELECT count(*) FROM dbchange.changes WHERE statement LIKE '%pro_x2%' OR statement LIKE '%pro_x3%'")"
run promote --from "$DT" --to "$DP"
check "rerun while pending: exit 3" 3 "$RC"
check_match "rerun while pending: says it waits" "waiting +test #[0-9]+ → prod #[0-9]+ \\(pending\\)" "$OUT"
check "rerun while pending: not submitted twice" 1 "$(sql $PROD "SELECT count(*) FROM dbchange.changes WHERE statement LIKE '%pro_x1%'")"
QID=$(sql $PROD "SELECT id FROM dbchange.changes WHERE statement LIKE '%pro_x1%'")
run approve "$QID" -d "$(conninfo $PROD $ALICE)"
check "approve in prod (rollout auto applies): exit 0" 0 "$RC"
check "approved change applied in prod" "applied" "$(sql $PROD "SELECT status FROM dbchange.changes WHERE id = $QID")"

sql $PROD "SELECT * FROM dbchange.configure(default_action => 'approve')" >/dev/null
run promote --from "$DT" --to "$DP"
check "rerun after approval: exit 0" 0 "$RC"
check_match "rerun after approval: the rest applied" "done: 2 applied" "$OUT"
check "prod has test's changes, each once, same order" "$(uids $TEST)" "$(uids $PROD)"

# ---- nobody approves in prod a change they made in dev under another role ----
# alice creates a table in dev as role pro_owner (SET ROLE): the change's requester is
# pro_owner, and only the login (alice, in the source's facts) shows who made it
dbc_psql "$DBC_PORT" postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pro_owner') THEN CREATE ROLE pro_owner NOLOGIN; END IF; END \$\$" \
	-c "GRANT pro_owner TO $ALICE" >/dev/null
sql $DEV "SET dbchange.enforce = off; GRANT CREATE ON SCHEMA public TO pro_owner" >/dev/null   # setup, not a change
dbc_psql "$DBC_PORT" $DEV -U $ALICE -c "SET ROLE pro_owner" -c "CREATE TABLE pro_self (id int)" >/dev/null 2>&1
check "alice's change in dev, requested as pro_owner" "applied pro_owner" \
	"$(sql $DEV "SELECT status || ' ' || requested_by FROM dbchange.changes WHERE statement LIKE '%pro_self%'")"
run promote --from "$DD" --to "$DT" -q
sql $PROD "SELECT * FROM dbchange.configure(default_action => 'queue')" >/dev/null
run promote --from "$DT" --to "$DP"
check "prod queues alice's change: exit 3" 3 "$RC"
SELF_ID=$(sql $PROD "SELECT id FROM dbchange.changes WHERE statement LIKE '%pro_self%'")
check "the queued event names the deployer as actor, the requester in its details" "postgres pro_owner" \
	"$(sql $PROD "SELECT actor || ' ' || (details->>'requested_by') FROM dbchange.audit WHERE change_id = $SELF_ID AND event = 'queued'")"
check "the change itself keeps its requester" "pro_owner" "$(sql $PROD "SELECT requested_by FROM dbchange.changes WHERE id = $SELF_ID")"
check_match "the prod change carries the source logins" "\"logins\": \\[\"$ALICE\"\\]" "$(sql $PROD "SELECT origin::text FROM dbchange.change_scripts WHERE id = $SELF_ID")"
run approve "$SELF_ID" -d "$(conninfo $PROD $ALICE)"
check "alice cannot approve in prod the change she made in dev: exit 1" 1 "$RC"
check_match "alice refused: separation of duties" "requested change $SELF_ID and cannot approve it" "$ERR"
check "alice's change still pending in prod" pending "$(sql $PROD "SELECT status FROM dbchange.changes WHERE id = $SELF_ID")"
dbc_psql "$DBC_PORT" postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pro_bob') THEN CREATE ROLE pro_bob LOGIN; END IF; END \$\$" \
	-c "GRANT dbchange_approver TO pro_bob" >/dev/null
run approve "$SELF_ID" -d "$(conninfo $PROD pro_bob)"
check "another person approves it: applied" applied "$(sql $PROD "SELECT status FROM dbchange.changes WHERE id = $SELF_ID")"
sql $PROD "SELECT * FROM dbchange.configure(default_action => 'approve')" >/dev/null

# ---- rejected: exit 4; failed: exit 1 ----
sql $DEV "CREATE TABLE pro_y1 (id int)" >/dev/null
run promote --from "$DD" --to "$DT" -q
sql $PROD "SELECT * FROM dbchange.configure(default_action => 'reject')" >/dev/null
run promote --from "$DT" --to "$DP"
check "prod rejects: exit 4" 4 "$RC"
check_match "prod rejects: says which" "rejected +test #[0-9]+ → prod" "$OUT"
check_match "prod rejects: reasons" "reasons: .*default action is reject" "$OUT"
check "prod rejects: not applied" "" "$(sql $PROD "SELECT to_regclass('pro_y1')")"
sql $PROD "SELECT * FROM dbchange.configure(default_action => 'approve')" >/dev/null
# prod already has a pro_y1 of its own: the promoted change fails there
sql $PROD "CREATE TABLE pro_y1 (other int)" >/dev/null
sql $DEV "CREATE TABLE pro_y2 (id int)" >/dev/null
run promote --from "$DD" --to "$DT" -q
run promote --from "$DT" --to "$DP"
check "change failing in prod: exit 1" 1 "$RC"
check_match "change failing in prod: the error, named" "dbchange: error: test change [0-9]+:1: relation \"pro_y1\" already exists" "$ERR"
check_match "change failing in prod: where it stopped" "stopped: change [0-9]+ of test failed in prod" "$OUT"
check "change failing in prod: nothing after it" "" "$(sql $PROD "SELECT to_regclass('pro_y2')")"
run promote --from "$DT" --to "$DP" --json
check "failing --json: exit 1" 1 "$RC"
check_json "failing --json is valid JSON"
check "failing --json: stopped" "failed" "$(json_get 'j["stopped"]')"

# ---- kill -9 during a 200-change promotion; rerun -> each change exactly once ----
K1=cli_promote_k_dev
K2=cli_promote_k_test
new_db $K1 dev && new_db $K2 test
sql $K1 "DO \$\$ BEGIN FOR i IN 1..200 LOOP EXECUTE format('CREATE TABLE kill_t%s (id int PRIMARY KEY, v text)', i); END LOOP; END \$\$" >/dev/null
check "200 changes in the source" 200 "$(sql $K1 "SELECT count(*) FROM dbchange.changes WHERE status = 'applied'")"
kills=0
for round in 1 2 3 4 5 6; do
	have=$(sql $K2 "SELECT count(*) FROM dbchange.changes")
	[ "$have" -ge 200 ] && break
	cli -q promote --from "$(conninfo $K1)" --to "$(conninfo $K2)" >/dev/null 2>&1 &
	pid=$!
	target=$((have + 25 + RANDOM % 20))
	while kill -0 $pid 2>/dev/null; do
		n=$(sql $K2 "SELECT count(*) FROM dbchange.changes")
		if [ "$n" -ge "$target" ]; then
			kill -9 $pid 2>/dev/null && kills=$((kills + 1))
			break
		fi
	done
	wait $pid 2>/dev/null
done
echo "# killed $kills promotions in flight"
if [ "$kills" -ge 1 ]; then ok "kill -9 hit at least one running promotion ($kills)"; else not_ok "no kill -9 landed mid-run"; fi
run promote --from "$(conninfo $K1)" --to "$(conninfo $K2)"
check "rerun after kill -9: exit 0" 0 "$RC"
check "after kill -9: every change exactly once" "200|200|200" \
	"$(sql $K2 "SELECT count(*), count(DISTINCT uid), count(*) FILTER (WHERE status = 'applied') FROM dbchange.changes" | tr '\n' '|' | sed 's/|$//')"
check "after kill -9: same uids in the same order" "$(uids $K1)" "$(uids $K2)"
check "after kill -9: all 200 tables exist" 200 "$(sql $K2 "SELECT count(*) FROM pg_class WHERE relname ~ '^kill_t[0-9]+$'")"
check "after kill -9: no failed or orphaned change" 0 "$(sql $K2 "SELECT count(*) FROM dbchange.changes WHERE status <> 'applied'")"
run promote --from "$(conninfo $K1)" --to "$(conninfo $K2)"
check_match "after kill -9: another rerun does nothing" "0 applied, 200 already present" "$OUT"

# ---- two promotions racing to the same target: each change once ----
K4=cli_promote_k_race
new_db $K4 test
cli -q promote --from "$(conninfo $K1)" --to "$(conninfo $K4)" >"$CLI_TMP/race1" 2>&1 &
p1=$!
cli -q promote --from "$(conninfo $K1)" --to "$(conninfo $K4)" >"$CLI_TMP/race2" 2>&1 &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
check "racing promotions: both exit 0" "0 0" "$r1 $r2"
check "racing promotions: every change exactly once" "200|200|200" \
	"$(sql $K4 "SELECT count(*), count(DISTINCT uid), count(*) FILTER (WHERE status = 'applied') FROM dbchange.changes" | tr '\n' '|' | sed 's/|$//')"
drop_db $K4

# ---- Ctrl-C: stops between changes (or cancels the one running), exit 1; a rerun finishes ----
K3=cli_promote_k_int
new_db $K3 test
"$DBC_CLI" promote --from "$(conninfo $K1)" --to "$(conninfo $K3)" >"$CLI_TMP/int.out" 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null && [ "$(sql $K3 "SELECT count(*) FROM dbchange.changes")" -lt 30 ]; do :; done
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
n=$(sql $K3 "SELECT count(*) FROM dbchange.changes")
if [ "$n" -lt 200 ]; then
	check "Ctrl-C during promote: exit 1" 1 "$rc"
	check_match "Ctrl-C during promote: says it stopped" "stopped|cancel" "$(cat "$CLI_TMP/int.out")"
else
	ok "Ctrl-C during promote: (the promotion finished before the signal)"
fi
run promote --from "$(conninfo $K1)" --to "$(conninfo $K3)" -q
check "rerun after Ctrl-C: exit 0" 0 "$RC"
check "after Ctrl-C: every change exactly once" "200|200" "$(sql $K3 "SELECT count(*), count(DISTINCT uid) FROM dbchange.changes WHERE status = 'applied'" | tr '\n' '|' | sed 's/|$//')"
drop_db $K3

cli_valgrind_report
for db in $DEV $TEST $PROD $K1 $K2; do drop_db $db; done
dbc_summary
