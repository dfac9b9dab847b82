#!/usr/bin/env bash
# CLI policy push DIR / policy test DIR: policy as code.  push installs every
# *.lua through set_policy() (all or nothing, each file reported); test runs
# the files' own tests without installing anything; the pushed policies then
# decide (a submit queued by one of them exits 3).
cd "$(dirname "$0")/../.."
. regress/lib.sh
. regress/cli_lib.sh

DB=cli_policy_db
BOB=cli_policy_bob
new_db $DB prod || { not_ok "setup"; dbc_summary; exit 1; }
require_api $DB set_policy test_policies
dbc_psql "$DBC_PORT" postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$BOB') THEN CREATE ROLE $BOB LOGIN; END IF; END \$\$" >/dev/null
D=$(conninfo $DB)
npolicies() { sql $DB "SELECT count(*) FROM dbchange.policy"; }

P=$CLI_TMP/policies
mkdir -p "$P"
cat >"$P/no_drop_in_prod.lua" <<'LUA'
return {
  name = "no-drop-in-prod",
  description = "DROP TABLE waits for a human in prod",
  check = function(c)
    if c.command == "DROP TABLE" and c.environment == "prod" then
      return { action = "queue", risk = "high", reason = "DROP TABLE in prod" }
    end
  end,
  tests = {
    { sql = "DROP TABLE t", environment = "prod", expect = "queue" },
    { sql = "DROP TABLE t", environment = "dev", expect = "none" },
  },
}
LUA
cat >"$P/no_truncate.lua" <<'LUA'
return {
  name = "no-truncate",
  description = "TRUNCATE is refused everywhere",
  check = function(c)
    if c.command == "TRUNCATE TABLE" then
      return { action = "reject", risk = "critical", reason = "TRUNCATE loses data" }
    end
  end,
  tests = {
    { sql = "TRUNCATE t", environment = "prod", expect = "reject" },
    { sql = "CREATE TABLE t (id int)", environment = "prod", expect = "none" },
  },
}
LUA
echo "policies are *.lua files; this one is ignored" >"$P/README.md"

# ---- test: nothing installed ----
run policy test "$P" -d "$D"
check "policy test: exit 0" 0 "$RC"
check_match "policy test: one line per file, named by the policy" "ok +no-drop-in-prod +\\(.*no_drop_in_prod.lua, 2 tests\\)" "$OUT"
check_match "policy test: summary" "2 policies, 4 tests, 0 failed; nothing was installed" "$OUT"
check "policy test: nothing installed" 0 "$(npolicies)"
run policy test "$P" -d "$D" --json
check_json "policy test --json is valid JSON"
check "policy test --json: 4 tests" 4 "$(json_get 'j["tests"]')"

# a failing test and a syntax error
B=$CLI_TMP/bad
mkdir -p "$B"
cp "$P/no_truncate.lua" "$B/"
sed 's/expect = "queue"/expect = "reject"/' "$P/no_drop_in_prod.lua" >"$B/wrong_expectation.lua"
printf 'return { name = "broken", check = function(c) return { action = "queue" end }\n' >"$B/broken.lua"
run policy test "$B" -d "$D"
check "policy test with a failing test: exit 1" 1 "$RC"
check_match "policy test: the failing policy is named" "FAILED +no-drop-in-prod +\\(.*wrong_expectation.lua" "$OUT"
check_match "policy test: the other passes" "ok +no-truncate" "$OUT"
check_match "policy test: the syntax error is named" "policy broken \\($B/broken.lua\\)" "$ERR"
check_match "policy test: the syntax error says what" "broken.*expected" "$ERR"
check "policy test with failures: nothing installed" 0 "$(npolicies)"
# a folder given with a trailing "/" (as shells complete it): files named with one "/"
run policy test "$B/" -d "$D"
check_match "policy test of dir/: the file's path has one separator" "policy broken \\($B/broken.lua\\)" "$ERR"

# ---- push: all or nothing ----
run policy push "$B" -d "$D"
check "policy push with a bad file: exit 1" 1 "$RC"
check_match "policy push: the refused file is reported" "refused +no-drop-in-prod +\\(.*wrong_expectation.lua" "$OUT"
check "policy push: the refused file has one line, not a \"refused\" and a \"FAILED\" line" 1 "$(grep -c 'wrong_expectation.lua' <<<"$OUT")"
check_match "policy push: the good file is reported too" "tests ok no-truncate" "$OUT"
check_match "policy push: nothing installed, said" "nothing was installed" "$ERR"
check "policy push with a bad file: nothing installed" 0 "$(npolicies)"

run policy push "$P" -d "$D"
check "policy push: exit 0" 0 "$RC"
check_match "policy push: each reported" "ok +no-truncate .*created \\(2 tests passed\\)" "$OUT"
check "policy push: both installed under their names" "no-drop-in-prod no-truncate" "$(sql $DB "SELECT string_agg(name, ' ' ORDER BY name) FROM dbchange.policy")"
check_match "policy push: the summary counts them" "^all 2 policies installed$" "$OUT"
mkdir -p "$CLI_TMP/one"
cp "$P/no_truncate.lua" "$CLI_TMP/one/"
run policy push "$CLI_TMP/one" -d "$D"
check "policy push of one file: exit 0" 0 "$RC"
check_match "policy push of one file: not \"all 1 policies\"" "^the policy is installed$" "$OUT"
run policy push "$P" -d "$D" --json
check "policy push again (replace): exit 0" 0 "$RC"
check_json "policy push --json is valid JSON"
check "policy push --json: installed count" 2 "$(json_get 'j["installed"]')"

# the pushed policies decide
sql $DB "CREATE TABLE pol_t (id int)" >/dev/null
echo "DROP TABLE pol_t;" >"$CLI_TMP/drop.sql"
run submit "$CLI_TMP/drop.sql" -d "$D"
check "a pushed policy queues: exit 3" 3 "$RC"
check_match "a pushed policy queues: its reason" "DROP TABLE in prod" "$OUT"
echo "TRUNCATE pol_t;" >"$CLI_TMP/trunc.sql"
run submit "$CLI_TMP/trunc.sql" -d "$D"
check "a pushed policy rejects: exit 4" 4 "$RC"

# ---- bad input ----
run policy push "$CLI_TMP/nothing-here" -d "$D"
check "missing policy folder: exit 1" 1 "$RC"
mkdir -p "$CLI_TMP/empty"
run policy test "$CLI_TMP/empty" -d "$D"
check "folder without *.lua: exit 1" 1 "$RC"
check_match "folder without *.lua: said" "no \\*.lua policy files" "$ERR"
run policy push "$P" -d "$(conninfo $DB $BOB)"
check "push by a non-admin: exit 1" 1 "$RC"
check_match "push by a non-admin: permission denied" "permission denied" "$ERR"
check "push by a non-admin: each file one line on stdout" 2 "$(grep -c '^refused ' <<<"$OUT")"
check "push by a non-admin: no FAILED line besides" 0 "$(grep -c 'FAILED' <<<"$OUT")"

# ---- the stock library: its tests pass here, it installs, and prod's copy decides a promotion ----
run policy test lua_policies -d "$D"
check "policy test of the stock library: exit 0" 0 "$RC"
check_match "policy test of the stock library: every file" "$(ls lua_policies/*.lua | wc -l) policies, [0-9]+ tests, 0 failed" "$OUT"
SDEV=cli_policy_sdev
SPROD=cli_policy_sprod
new_db $SDEV dev && new_db $SPROD prod
run policy push lua_policies -d "$(conninfo $SPROD)"
check "policy push of the stock library: exit 0" 0 "$RC"
check "policy push of the stock library: all installed" "$(ls lua_policies/*.lua | wc -l)" "$(sql $SPROD "SELECT count(*) FROM dbchange.policy WHERE enabled")"
# the clock's policies (a maintenance window, change freezes: Friday afternoon, year end)
# would make what follows depend on when the suite runs; the SQL tests and the demo
# switch them off likewise, and their own tests use a fixed time
sql $SPROD "SELECT dbchange.disable_policy('maintenance_window'), dbchange.disable_policy('change_freeze')" >/dev/null
sql $SDEV "CREATE TABLE stock_a (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text)" >/dev/null
sql $SDEV "CREATE TABLE stock_b (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)" >/dev/null
sql $SDEV "DROP TABLE stock_b" >/dev/null
sql $SDEV "COMMENT ON TABLE stock_a IS 'after the drop'" >/dev/null
run promote --from "$(conninfo $SDEV)" --to "$(conninfo $SPROD)"
check "stock policies in prod queue DDL: exit 3" 3 "$RC"
check_match "stock policies: the first change waits, with the policy's reason" "queued +dev #[0-9]+ → prod #[0-9]+ +CREATE TABLE stock_a" "$OUT"
check_match "stock policies: the reasons name the policy" "reasons: .*environment_risk" "$OUT"
check "stock policies: nothing applied in prod" "||" "$(sql $SPROD "SELECT to_regclass('stock_a'), to_regclass('stock_b')")|$(sql $SPROD "SELECT count(*) FILTER (WHERE status = 'applied') FROM dbchange.changes" | sed 's/^0$//')"
run promote --from "$(conninfo $SDEV)" --to "$(conninfo $SPROD)" --dry-run
check "dry run against the stock policies: exit 3" 3 "$RC"
check_match "dry run: the DROP would be queued too" "would queue +dev #[0-9]+ +DROP TABLE stock_b" "$OUT"
drop_db $SDEV
drop_db $SPROD

cli_valgrind_report
drop_db $DB
dbc_summary
