#!/usr/bin/env bash
# CLI rollback, verify-rollback, drift and diff against real databases:
# verify a file pair (complete: exit 0; incomplete: exit 1 naming the
# leftover; nothing changes), verify a change by id, rollback through a flow
# (exit 3 queued, then applied after approval: the original is rolled_back),
# drift after a superuser's change with enforcement off, diff of two
# environments naming a missing table; bad input.
cd "$(dirname "$0")/../.."
. regress/lib.sh
. regress/cli_lib.sh

DEV=rollback_cli_dev
PROD=rollback_cli_prod
LEAD=rollback_cli_lead
new_db $DEV dev && new_db $PROD prod || { not_ok "setup"; dbc_summary; exit 1; }
dbc_psql "$DBC_PORT" postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$LEAD') THEN CREATE ROLE $LEAD LOGIN; END IF; END \$\$" \
	-c "SET client_min_messages = warning" -c "GRANT dbchange_approver TO $LEAD" >/dev/null
DD=$(conninfo $DEV)
DP=$(conninfo $PROD)
DL=$(conninfo $PROD $LEAD)
sql $DEV "CREATE TABLE account (id int PRIMARY KEY, name text)" >/dev/null
sql $PROD "CREATE TABLE account (id int PRIMARY KEY, name text)" >/dev/null
fingerprint() { sql "$1" "SELECT dbchange.snapshot_hash(dbchange.schema_snapshot()) || (SELECT count(*) FROM dbchange.change)"; }

cat >"$CLI_TMP/up.sql" <<'SQL'
CREATE TABLE invoice (id int PRIMARY KEY, account_id int REFERENCES account);
CREATE INDEX invoice_account_idx ON invoice (account_id);
SQL
echo "DROP TABLE invoice;" >"$CLI_TMP/down.sql"
echo "DROP INDEX invoice_account_idx;" >"$CLI_TMP/incomplete.sql"
echo "DROP TABEL invoice;" >"$CLI_TMP/broken.sql"
: >"$CLI_TMP/empty.sql"

# ---- verify-rollback FILE --down FILE ----
FP=$(fingerprint $DEV)
run verify-rollback "$CLI_TMP/up.sql" --down "$CLI_TMP/down.sql" -d "$DD"
check "verify complete pair: exit 0" 0 "$RC"
check_match "verify complete pair: says verified" "rollback verified" "$OUT"
run verify-rollback "$CLI_TMP/up.sql" --down "$CLI_TMP/incomplete.sql" -d "$DD"
check "verify incomplete pair: exit 1" 1 "$RC"
check_match "verify incomplete pair: names the leftover table" "table public\.invoice +still exists" "$OUT"
check_match "verify incomplete pair: says it does not revert" "does not revert everything" "$ERR"
run verify-rollback "$CLI_TMP/up.sql" -d "$DD"
check "verify with the generated down script: exit 0" 0 "$RC"
run verify-rollback "$CLI_TMP/up.sql" --down "$CLI_TMP/incomplete.sql" -d "$DD" --json
check "verify --json: exit 1" 1 "$RC"
check_json "verify --json: valid JSON"
check "verify --json: rows name objects" "True" "$(json_get "any(r['object'] == 'table public.invoice' for r in j)")"
check "verification changed nothing" "$FP" "$(fingerprint $DEV)"

# ---- bad input ----
run verify-rollback "$CLI_TMP/up.sql" --down "$CLI_TMP/broken.sql" -d "$DD"
check "down script with a syntax error: exit 1" 1 "$RC"
check_match "down script with a syntax error: says which script and line" "syntax error in the down script.*" "$ERR"
run verify-rollback "$CLI_TMP/up.sql" --down "$CLI_TMP/empty.sql" -d "$DD"
check "empty down file: exit 1" 1 "$RC"
echo "DROP TABLE account;" >"$CLI_TMP/drop.sql"
run verify-rollback "$CLI_TMP/drop.sql" -d "$DD"
check "no down script and none can be generated: exit 1" 1 "$RC"
check_match "no down script: the reason is given" "DROP TABLE is destructive" "$ERR"
run verify-rollback "$CLI_TMP/nope.sql" -d "$DD"
check "missing file: exit 1" 1 "$RC"
run verify-rollback 999999 -d "$DD"
check "unknown change id: exit 1" 1 "$RC"
check_match "unknown change id: named" "change 999999 does not exist" "$ERR"
run verify-rollback 5 --down "$CLI_TMP/down.sql" -d "$DD"
check "--down with an id: usage error (exit 2)" 2 "$RC"
run verify-rollback -d "$DD"
check "verify-rollback without argument: exit 2" 2 "$RC"
check "bad input changed nothing" "$FP" "$(fingerprint $DEV)"

# ---- rollback through a flow in prod ----
sql $PROD "SELECT * FROM dbchange.configure(default_action => 'queue', rollout => 'auto')" >/dev/null
sql $PROD "SELECT dbchange.set_flow('default', ARRAY['$LEAD'])" >/dev/null
run submit "$CLI_TMP/up.sql" --down "$CLI_TMP/down.sql" -d "$DP"
check "prod submit queued: exit 3" 3 "$RC"
ID=$(sql $PROD "SELECT max(id) FROM dbchange.changes WHERE source = 'submit'")
run verify-rollback "$ID" -d "$DP"
check "verify a pending change by id: exit 0" 0 "$RC"
run rollback "$ID" -d "$DP"
check "rollback of a pending change: exit 1" 1 "$RC"
check_match "rollback of a pending change: says it is not applied" "is pending, not applied" "$ERR"
check_match "rollback of a pending change: the hint as a command of this tool, with the id" "dbchange: hint: with this tool: dbchange reject $ID -m REASON$" "$ERR"
run approve "$ID" -d "$DL"
check "approve (auto rollout applies it): exit 0" 0 "$RC"
check "the change is applied" "applied" "$(sql $PROD "SELECT status FROM dbchange.changes WHERE id = $ID")"
run rollback "$ID" -d "$DP"
check "rollback queued: exit 3" 3 "$RC"
check_match "rollback: says which change it became" "rollback of change $ID submitted as change [0-9]+: status pending" "$OUT"
RB=$(sql $PROD "SELECT max(id) FROM dbchange.change WHERE rollback_of = $ID")
check "rollback change: source rollback, the down script" "rollback|DROP TABLE invoice;" \
	"$(sql $PROD "SELECT source || '|' || statement FROM dbchange.changes WHERE id = $RB")"
check "original still applied while the rollback waits" "applied" "$(sql $PROD "SELECT status FROM dbchange.changes WHERE id = $ID")"
run approve "$RB" -d "$DL"
check "approving the rollback applies it: exit 0" 0 "$RC"
check "original rolled_back" "rolled_back" "$(sql $PROD "SELECT status FROM dbchange.changes WHERE id = $ID")"
check "table gone" "t" "$(sql $PROD "SELECT to_regclass('invoice') IS NULL")"
run rollback "$ID" -d "$DP"
check "rollback of a rolled-back change: exit 1" 1 "$RC"
run rollback abc -d "$DP"
check "rollback of a non-number: exit 2" 2 "$RC"

# ---- drift ----
run drift -d "$DD"
check "drift first run (takes the baseline): exit 0" 0 "$RC"
sql $DEV "CREATE TABLE gated (id int)" >/dev/null
run drift -d "$DD"
check "drift after a gated change: exit 0" 0 "$RC"
check_match "drift: says none" "no drift" "$OUT"
dbc_psql "$DBC_PORT" $DEV -c "SET dbchange.enforce = off" -c "CREATE TABLE behind_the_gate (id int)" \
	-c "ALTER TABLE account ADD COLUMN secret text" >/dev/null
run drift -d "$DD"
check "drift after a change with enforcement off: exit 1" 1 "$RC"
check_match "drift names the table" "table public\.behind_the_gate +exists but no recorded change created it" "$OUT"
check_match "drift names the column" "column public\.account\.secret" "$OUT"
run drift -d "$DD" --json
check_json "drift --json: valid JSON"
run drift -d "$DD" --control "$DD"
check "drift --control without a MySQL target: exit 2" 2 "$RC"

# ---- diff of two environments ----
run diff --from "$DD" --to "$DP"
check "diff of differing environments: exit 1" 1 "$RC"
check_match "diff names the table missing in B" "table public\.behind_the_gate +missing in B" "$OUT"
check_match "diff names the column missing in B" "column public\.account\.secret +missing in B" "$OUT"
run diff --from "$DD" --to "$DD"
check "diff of an environment with itself: exit 0" 0 "$RC"
check_match "diff: says identical" "identical" "$OUT"
run diff --from "$DD"
check "diff without --to: exit 2" 2 "$RC"
run diff --from "$DD" --to "host=$DBC_SOCK port=$DBC_PORT dbname=no_such_db_xyz"
check "diff with a bad connection: exit 1" 1 "$RC"
check_match "diff with a bad connection: prefixed message" "^dbchange: " "$ERR"

drop_db $DEV
drop_db $PROD
dbc_summary
