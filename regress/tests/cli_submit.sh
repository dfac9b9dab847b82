#!/usr/bin/env bash
# CLI submit / approve / reject / apply: exit 0 applied, 3 queued (id and who
# must approve printed), 4 rejected (reasons printed), 1 failed (file, line
# and statement named, nothing applied); a down script is kept; statements
# that cannot run inside a function are applied at top level by the CLI.
cd "$(dirname "$0")/../.."
. regress/lib.sh
. regress/cli_lib.sh

DEV=cli_submit_dev
PROD=cli_submit_prod
STRICT=cli_submit_strict
ALICE=cli_submit_alice
new_db $DEV dev && new_db $PROD prod && new_db $STRICT prod || { not_ok "setup"; dbc_summary; exit 1; }
require_api $DEV submit approve reject apply
# prod queues what no policy judges; "strict" rejects it
sql $PROD "SELECT * FROM dbchange.configure(default_action => 'queue', rollout => 'manual')" >/dev/null
sql $STRICT "SELECT * FROM dbchange.configure(default_action => 'reject')" >/dev/null
dbc_psql "$DBC_PORT" postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ALICE') THEN CREATE ROLE $ALICE LOGIN; END IF; END \$\$" \
	-c "GRANT dbchange_approver, dbchange_deployer TO $ALICE" >/dev/null
DD=$(conninfo $DEV)
DP=$(conninfo $PROD)
DS=$(conninfo $STRICT)
DA=$(conninfo $PROD $ALICE)

cat >"$CLI_TMP/two.sql" <<'SQL'
-- two tables, one change
CREATE TABLE sub_a (id int PRIMARY KEY);

CREATE TABLE sub_b (id int REFERENCES sub_a);
SQL
echo "DROP TABLE sub_b; DROP TABLE sub_a;" >"$CLI_TMP/two.down.sql"

# ---- applied: exit 0 ----
run submit "$CLI_TMP/two.sql" --down "$CLI_TMP/two.down.sql" -m "two tables" -d "$DD"
check "submit applied: exit 0" 0 "$RC"
check_match "submit applied: says applied with the id" "^applied: change [0-9]+" "$OUT"
check "submit applied: both tables exist" "t|t" "$(sql $DEV "SELECT to_regclass('sub_a') IS NOT NULL, to_regclass('sub_b') IS NOT NULL" | tr '\n' '|' | sed 's/|$//')"
ID=$(sql $DEV "SELECT max(id) FROM dbchange.changes WHERE source = 'submit'")
check "submit: the whole script is one change" "$(cat "$CLI_TMP/two.sql")" "$(sql $DEV "SELECT statement FROM dbchange.changes WHERE id = $ID")"
check "submit: status applied" "applied" "$(sql $DEV "SELECT status FROM dbchange.changes WHERE id = $ID")"
check "submit: -m is the description" "two tables" "$(sql $DEV "SELECT description FROM dbchange.changes WHERE id = $ID")"
check "submit: the down script is kept" "$(cat "$CLI_TMP/two.down.sql")" "$(sql $DEV "SELECT down_script FROM dbchange.change WHERE id = $ID")"
check "submit: checksum is the SHA-256 of the file" "$(sha256sum "$CLI_TMP/two.sql" | cut -d' ' -f1)" \
	"$(sql $DEV "SELECT checksum FROM dbchange.changes WHERE id = $ID")"
check "submit: two statements recorded" 2 "$(sql $DEV "SELECT count(*) FROM dbchange.change_statement WHERE change_id = $ID")"

echo "CREATE TABLE sub_json (id int);" >"$CLI_TMP/json.sql"
run submit "$CLI_TMP/json.sql" -d "$DD" --json
check "submit --json applied: exit 0" 0 "$RC"
check_json "submit --json is valid JSON"
check "submit --json: outcome" "applied" "$(json_get 'j["outcome"]')"
check "submit: description defaults to the file name" "json.sql" "$(sql $DEV "SELECT description FROM dbchange.changes WHERE statement LIKE '%sub_json%'")"

# ---- failed: exit 1, file/line/statement, nothing applied ----
cat >"$CLI_TMP/syntax.sql" <<'SQL'
CREATE TABLE sub_ok (id int);
-- a comment

CREATE TABEL sub_bad (id int);
SQL
before=$(sql $DEV "SELECT count(*) FROM dbchange.changes")
run submit "$CLI_TMP/syntax.sql" -d "$DD"
check "syntax error: exit 1" 1 "$RC"
check_match "syntax error: names file and line" "dbchange: error: $CLI_TMP/syntax.sql:4: syntax error at or near \"TABEL\"" "$ERR"
check_match "syntax error: shows the statement's line" "line 4: CREATE TABEL sub_bad" "$ERR"
check "syntax error: nothing applied" "" "$(sql $DEV "SELECT to_regclass('sub_ok')")"
check "syntax error: no change recorded" "$before" "$(sql $DEV "SELECT count(*) FROM dbchange.changes")"
run submit "$CLI_TMP/syntax.sql" -d "$DD" --json
check "syntax error --json: exit 1" 1 "$RC"
check_json "syntax error --json is valid JSON"
check "syntax error --json: line" 4 "$(json_get 'j["error"]["line"]')"

cat >"$CLI_TMP/fails.sql" <<'SQL'
CREATE TABLE sub_c (id int);
CREATE TABLE sub_a (id int);
SQL
run submit "$CLI_TMP/fails.sql" -d "$DD"
check "failing statement: exit 1" 1 "$RC"
check_match "failing statement: names file, line and the error" "fails.sql:2: relation \"sub_a\" already exists" "$ERR"
check_match "failing statement: names the statement" "statement 2, line 2: CREATE TABLE sub_a" "$ERR"
check "failing statement: all or nothing (sub_c not created)" "" "$(sql $DEV "SELECT to_regclass('sub_c')")"

# ---- queued: exit 3 ----
run submit "$CLI_TMP/two.sql" -d "$DP"
check "submit queued: exit 3" 3 "$RC"
check_match "submit queued: says queued with the id" "^queued: change [0-9]+" "$OUT"
check_match "submit queued: who must approve" "waits for: approval by dbchange_approver" "$OUT"
check_match "submit queued: how to approve" "dbchange approve [0-9]+" "$OUT"
QID=$(sql $PROD "SELECT max(id) FROM dbchange.changes")
check "submit queued: pending" "pending" "$(sql $PROD "SELECT status FROM dbchange.changes WHERE id = $QID")"
check "submit queued: nothing ran" "" "$(sql $PROD "SELECT to_regclass('sub_a')")"
run pending -d "$DP"
check_match "pending lists it with its step" "$QID +pending +approval by dbchange_approver \\(step 1 of 1\\)" "$OUT"
run status -d "$DP"
check_match "status: what waits for whom" "$QID +pending +approval by dbchange_approver" "$OUT"

# approve: the requester may not; alice may
run approve "$QID" -d "$DP"
check "self-approval: exit 1" 1 "$RC"
check_match "self-approval: refused with the reason" "dbchange: error: could not approve change $QID: permission denied" "$ERR"
run approve "$QID" -m "looks fine" -d "$DA"
check "approve: exit 0" 0 "$RC"
check_match "approve: new status" "change $QID approved: status approved" "$OUT"
run approve "$QID" -d "$DA"
check "approve twice: exit 1" 1 "$RC"
run apply "$QID" -d "$DA" --json
check "apply: exit 0" 0 "$RC"
check_json "apply --json is valid JSON"
check "apply --json: status" "applied" "$(json_get 'j["status"]')"
check "apply: the tables exist now" "t" "$(sql $PROD "SELECT to_regclass('sub_b') IS NOT NULL")"
run apply "$QID" -d "$DA"
check "apply of an applied change: exit 1" 1 "$RC"
check_match "apply of an applied change: says its state" "applied" "$ERR"
run show "$QID" -d "$DP" --json
check_json "show --json of an approved change is valid JSON"
check "show --json: the approval is listed" "True" "$(json_get 'j["approvals"] is None or len(j["approvals"]) >= 1')"

# reject
echo "CREATE TABLE sub_r (id int);" >"$CLI_TMP/r.sql"
run submit "$CLI_TMP/r.sql" -d "$DP" --json
check "submit --json queued: exit 3" 3 "$RC"
check_json "submit --json queued is valid JSON"
RID=$(json_get 'j["id"]')
check "submit --json queued: the id is the change's" "$(sql $PROD "SELECT max(id) FROM dbchange.changes")" "$RID"
run reject "$RID" -m "not now" -d "$DA"
check "reject: exit 0" 0 "$RC"
check "reject: status rejected" "rejected" "$(sql $PROD "SELECT status FROM dbchange.changes WHERE id = $RID")"
run approve "$RID" -d "$DA"
check "approve after reject: exit 1" 1 "$RC"
run approve 999999 -d "$DA"
check "approve of an unknown change: exit 1" 1 "$RC"
# the server's hint names SQL (dbchange.pending()); the CLI adds its own command
check_match "approve of an unknown change: the server's hint" "dbchange: hint: .*dbchange\\.pending\\(\\)" "$ERR"
check_match "approve of an unknown change: the same step as a command" "dbchange: hint: with this tool: dbchange pending$" "$ERR"

# an apply that fails says so on stdout too (not "applied: status failed")
echo "CREATE TABLE sub_f (id int);" >"$CLI_TMP/f.sql"
run submit "$CLI_TMP/f.sql" -d "$DP"
FID=$(sql $PROD "SELECT max(id) FROM dbchange.changes")
run approve "$FID" -d "$DA"
sql $PROD "SET dbchange.enforce = off; CREATE TABLE sub_f (id int)" >/dev/null
run apply "$FID" -d "$DA"
check "failed apply: exit 1" 1 "$RC"
check_match "failed apply: stdout says not applied" "^change $FID not applied: status failed$" "$OUT"
check_match "failed apply: the server's error" "dbchange: error: change $FID failed: relation \"sub_f\" already exists" "$ERR"
# with rollout auto the approval itself applies: it approved, the apply failed
sql $PROD "SELECT * FROM dbchange.configure(rollout => 'auto')" >/dev/null
echo "CREATE TABLE sub_g (id int);" >"$CLI_TMP/g.sql"
run submit "$CLI_TMP/g.sql" -d "$DP"
GID=$(sql $PROD "SELECT max(id) FROM dbchange.changes")
sql $PROD "SET dbchange.enforce = off; CREATE TABLE sub_g (id int)" >/dev/null
run approve "$GID" -d "$DA"
check "approve whose automatic apply fails: exit 1" 1 "$RC"
check_match "approve whose automatic apply fails: says both" "^change $GID approved, but its apply failed: status failed$" "$OUT"
sql $PROD "SELECT * FROM dbchange.configure(rollout => 'manual')" >/dev/null

# ---- rejected: exit 4 ----
run submit "$CLI_TMP/r.sql" -d "$DS"
check "submit rejected: exit 4" 4 "$RC"
check_match "submit rejected: says rejected" "^rejected" "$OUT"
check_match "submit rejected: prints the reasons" "reasons: .*default action is reject" "$OUT"
check "submit rejected: nothing ran" "" "$(sql $STRICT "SELECT to_regclass('sub_r')")"
run submit "$CLI_TMP/r.sql" -d "$DS" --json
check "submit --json rejected: exit 4" 4 "$RC"
check_json "submit --json rejected is valid JSON"
check "submit --json rejected: outcome" "rejected" "$(json_get 'j["outcome"]')"

# ---- statements that cannot run inside a function ----
sql $DEV "INSERT INTO sub_a SELECT generate_series(1, 1000)" >/dev/null
echo "CREATE INDEX CONCURRENTLY sub_a_conc ON sub_a (id);" >"$CLI_TMP/conc.sql"
run submit "$CLI_TMP/conc.sql" -d "$DD"
check "submit of CREATE INDEX CONCURRENTLY: exit 0" 0 "$RC"
check_match "submit of CREATE INDEX CONCURRENTLY: ran at top level" "running at top level: CREATE INDEX CONCURRENTLY" "$OUT"
check "CREATE INDEX CONCURRENTLY: a valid index" "t" "$(sql $DEV "SELECT indisvalid FROM pg_index WHERE indexrelid = 'sub_a_conc'::regclass")"
check "CREATE INDEX CONCURRENTLY: change applied" "applied" "$(sql $DEV "SELECT status FROM dbchange.changes WHERE statement LIKE '%sub_a_conc%' ORDER BY id DESC LIMIT 1")"
# queued in prod, approved, applied by the CLI at top level
run submit "$CLI_TMP/conc.sql" -d "$DP"
check "queued CREATE INDEX CONCURRENTLY: exit 3" 3 "$RC"
CID=$(sql $PROD "SELECT max(id) FROM dbchange.changes")
run approve "$CID" -d "$DA"
check "approve CREATE INDEX CONCURRENTLY: exit 0" 0 "$RC"
run apply "$CID" -d "$DA"
check "apply CREATE INDEX CONCURRENTLY: exit 0" 0 "$RC"
check_match "apply: says it runs at top level" "running them at top level" "$OUT"
check "apply CREATE INDEX CONCURRENTLY: applied" "applied" "$(sql $PROD "SELECT status FROM dbchange.changes WHERE id = $CID")"
check "apply CREATE INDEX CONCURRENTLY: the index exists" "t" "$(sql $PROD "SELECT to_regclass('sub_a_conc') IS NOT NULL")"

# ---- a script that sets its own search_path, with a statement run at top level ----
# judged on the path it sets (SET LOCAL too: a submitted script is one transaction); the CLI
# runs each statement alone, in a transaction of its own, on that path all the same
sql $DEV "SET dbchange.enforce = off; CREATE SCHEMA sub_app; CREATE TABLE sub_app.sub_a (id int); CREATE TABLE sub_app.sub_t (id int)" >/dev/null
printf 'SET LOCAL search_path = sub_app;\nCREATE INDEX CONCURRENTLY sub_app_conc ON sub_a (id);\nALTER TABLE sub_t ADD COLUMN note text;\n' >"$CLI_TMP/conc_path.sql"
run submit "$CLI_TMP/conc_path.sql" -d "$DD"
check "submit SET search_path + CONCURRENTLY: exit 0" 0 "$RC"
check "SET search_path + CONCURRENTLY: the index is on sub_app.sub_a" "sub_app.sub_a" \
	"$(sql $DEV "SELECT indrelid::regclass FROM pg_index WHERE indexrelid = 'sub_app.sub_app_conc'::regclass")"
check "SET search_path + CONCURRENTLY: the column is on sub_app.sub_t" "1|0" \
	"$(sql $DEV "SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = 'sub_app.sub_t'::regclass AND attname = 'note'), (SELECT count(*) FROM pg_attribute WHERE attrelid = 'sub_a'::regclass AND attname = 'note')" | tr '\n' '|' | sed 's/|$//')"
check "SET search_path + CONCURRENTLY: change applied" "applied" "$(sql $DEV "SELECT status FROM dbchange.changes WHERE statement LIKE '%sub_app_conc%' ORDER BY id DESC LIMIT 1")"

cli_valgrind_report
drop_db $DEV
drop_db $PROD
drop_db $STRICT
dbc_summary
