#!/usr/bin/env bash
# MySQL / MariaDB targets, end to end against a real MariaDB (dbc_mysql_start):
# submit --dialect mysql, promote --to mysql://... (tables really created, reruns
# apply nothing twice), a drop queued by prod's policy waits for approval, a
# script failing part-way is recorded with its failing statement and stops the
# next promotion until mysql-resolve, edited changes, drift, password sources
# (URI, MYSQL_PWD, ~/.my.cnf), bad input -- and the password is never printed --
# and a stored procedure whose body drops a table, queued in prod by the stock
# destructive_changes and stored by MariaDB with the very body that was judged;
# a SET that turns strict mode off is queued in prod and not applied, the
# ONLY_FULL_GROUP_BY idiom (REPLACE(@@sql_mode, ...)) goes through.
cd "$(dirname "$0")/../.."
. regress/lib.sh
. regress/cli_lib.sh

CTL=mysql_ctl
PGT=mysql_pgtarget
APPROVER=mysql_alice
MYDB=dbc_target
trap 'rm -rf "$CLI_TMP"; dbc_mysql_stop' EXIT

if ! dbc_mysql_start >"$CLI_TMP/mysql-start.log" 2>&1; then
	not_ok "a throwaway MariaDB starts (mariadb-server installed?): $(tail -3 "$CLI_TMP/mysql-start.log")"
	dbc_summary
	exit 1
fi
dbc_mysql -e "DROP DATABASE IF EXISTS $MYDB; DROP DATABASE IF EXISTS dbc_dry; CREATE DATABASE $MYDB" || not_ok "a fresh MariaDB database"
new_db $CTL prod && new_db $PGT prod || { not_ok "setup"; dbc_summary; exit 1; }
require_api $CTL submit_mysql approve
dbc_psql "$DBC_PORT" postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$APPROVER') THEN CREATE ROLE $APPROVER LOGIN; END IF; END \$\$" \
	-c "GRANT dbchange_approver TO $APPROVER" >/dev/null 2>&1
DC=$(conninfo $CTL)
DA=$(conninfo $CTL $APPROVER)
URI=$(dbc_mysql_uri $MYDB)
PW=$DBC_MYSQL_PASSWORD
ALL_OUTPUT=$CLI_TMP/all-output
: >"$ALL_OUTPUT"

# every CLI run of this driver: output kept for the password check at the end
mrun() {
	run "$@"
	printf '%s\n%s\n' "$OUT" "$ERR" >>"$ALL_OUTPUT"
}
my() { dbc_mysql -e "$1" 2>&1; }
tables() { my "SELECT GROUP_CONCAT(TABLE_NAME ORDER BY TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${1:-$MYDB}'"; }
history_rows() { my "SELECT COUNT(*) FROM $MYDB.dbchange_history"; }
deployments() { sql $CTL "SELECT count(*) FROM dbchange.deployments"; }

# ---- a two-statement script: submitted, promoted, tables with the right columns ----
cat >"$CLI_TMP/shop.sql" <<'SQL'
-- customers and their orders; a ';' in a comment
CREATE TABLE customers (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, `name` VARCHAR(100) NOT NULL) ENGINE=InnoDB;
CREATE TABLE orders (
  id INT NOT NULL PRIMARY KEY,
  customer_id INT NOT NULL,
  note VARCHAR(20) DEFAULT 'a;b', # a note; with a default holding ';'
  total DECIMAL(10,2) NOT NULL DEFAULT 0,
  KEY ix_orders_customer (customer_id),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) /*!50100 ENGINE=InnoDB */;
SQL
mrun submit --dialect mysql "$CLI_TMP/shop.sql" -m "shop tables" -d "$DC"
check "submit --dialect mysql: exit 0 (approved, ready to deploy)" 0 "$RC"
check_match "submit: says ready to deploy" "approved: ready to deploy" "$OUT"
SHOP_ID=$(sql $CTL "SELECT max(id) FROM dbchange.changes WHERE dialect = 'mysql'")
check "submit: one MySQL change with two statements" "approved mysql 2" \
	"$(sql $CTL "SELECT status || ' ' || dialect || ' ' || (SELECT count(*) FROM dbchange.change_statement WHERE change_id = $SHOP_ID) FROM dbchange.changes WHERE id = $SHOP_ID")"
check "submit: PostgreSQL never ran it" 0 "$(sql $CTL "SELECT count(*) FROM pg_class WHERE relname IN ('customers', 'orders')")"

mrun promote --from "$DC" --to "$URI"
check "promote to MariaDB: exit 0" 0 "$RC"
check_match "promote: one change applied" "1 change applied" "$OUT"
check "promote: both tables exist in MariaDB" "customers,dbchange_history,orders" "$(tables)"
check "promote: orders has the right columns" "id:int(11):NO customer_id:int(11):NO note:varchar(20):YES total:decimal(10,2):NO" \
	"$(my "SELECT GROUP_CONCAT(CONCAT(COLUMN_NAME, ':', COLUMN_TYPE, ':', IS_NULLABLE) ORDER BY ORDINAL_POSITION SEPARATOR ' ') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 'orders'")"
check "promote: the default holding ';' arrived intact" "a;b" \
	"$(my "SELECT COLUMN_DEFAULT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'note'" | tr -d "'")"
check "promote: the target's history says applied, 2 of 2 statements" "applied 2 2" \
	"$(my "SELECT CONCAT_WS(' ', status, statements_done, statements_total) FROM $MYDB.dbchange_history")"
check "promote: the control catalog recorded the deployment" "applied mysql://127.0.0.1:$DBC_MYSQL_PORT/$MYDB" \
	"$(sql $CTL "SELECT status || ' ' || target FROM dbchange.deployments")"
check "promote: the change is applied in the control database" applied "$(sql $CTL "SELECT status FROM dbchange.changes WHERE id = $SHOP_ID")"
mrun show "$SHOP_ID" -d "$DC" --no-color
check_match "show: lists the change's deployments" "Deployments to MySQL targets:.*mysql://127.0.0.1:$DBC_MYSQL_PORT/$MYDB +applied" "$(printf '%s' "$OUT" | tr '\n' ' ')"

# ---- rerun: nothing applied twice ----
mrun promote --from "$DC" --to "$URI"
check "rerun: exit 0" 0 "$RC"
check_match "rerun: nothing applied, one already applied" "0 changes applied, 1 already applied" "$OUT"
check "rerun: no second deployment" 1 "$(deployments)"
check "rerun: one history row" 1 "$(history_rows)"

mrun promote --from "$DC" --to "$URI" --json
check_json "promote --json: valid JSON"
check "promote --json: the change is already applied" "already applied 0" "$(json_get "j['changes'][0]['outcome'] + ' ' + str(j['exit_code'])")"

# ---- dry run on an empty database: says what, creates nothing ----
my "CREATE DATABASE dbc_dry" >/dev/null
mrun promote --from "$DC" --to "$(dbc_mysql_uri dbc_dry)" --dry-run
check "dry run: exit 0" 0 "$RC"
check_match "dry run: would apply the change" "change $SHOP_ID: would apply" "$OUT"
check "dry run: nothing created, not even the history table" "NULL" "$(tables dbc_dry)"

# ---- prod's policy queues a drop: not applied until approved ----
# a small custom policy (the Lua engine), or the environment's default action without it
if has_api $CTL set_policy; then
	mkdir -p "$CLI_TMP/policies"
	cat >"$CLI_TMP/policies/mysql-prod-drops.lua" <<'LUA'
return {
  name = "mysql-prod-drops",
  description = "MySQL drops in prod wait for a DBA",
  check = function(c)
    if c.dialect == "mysql" and c.environment == "prod" and c.destructive then
      return { action = "queue", risk = "high", reason = "MySQL " .. c.command .. " in prod needs a DBA" }
    end
  end,
  tests = {
    { sql = "DROP TABLE orders", environment = "prod", facts = { dialect = "mysql" }, expect = "queue", risk = "high" },
    { sql = "DROP TABLE orders", environment = "dev", facts = { dialect = "mysql" }, expect = "none" },
    { sql = "CREATE TABLE t (id int)", environment = "prod", facts = { dialect = "mysql" }, expect = "none" },
  },
}
LUA
	mrun policy push "$CLI_TMP/policies" -d "$DC"
	check "a custom MySQL policy is pushed (policy push)" 0 "$RC"
else
	sql $CTL "SELECT * FROM dbchange.configure(default_action => 'queue')" >/dev/null
fi
echo "DROP TABLE orders;" >"$CLI_TMP/drop.sql"
mrun submit --dialect mysql "$CLI_TMP/drop.sql" -d "$DC"
check "drop in prod: queued, exit 3" 3 "$RC"
has_api $CTL set_policy && check_match "drop in prod: the policy's reason" "in prod needs a DBA" "$OUT"
DROP_ID=$(sql $CTL "SELECT max(id) FROM dbchange.changes WHERE dialect = 'mysql'")
sql $CTL "SELECT * FROM dbchange.configure(default_action => 'approve')" >/dev/null
echo "CREATE TABLE after_drop (id INT);" >"$CLI_TMP/after.sql"
mrun submit --dialect mysql "$CLI_TMP/after.sql" -d "$DC" --json
check "a later change: approved" 0 "$RC"
check_json "submit --dialect mysql --json: valid JSON"
check "submit --json: status and dialect" "approved mysql" "$(json_get "j['status'] + ' ' + j['dialect']")"
mrun promote --from "$DC" --to "$URI"
check "promote with a queued drop: exit 3" 3 "$RC"
check_match "promote: says the change waits for approval" "change $DROP_ID waits for approval" "$OUT$ERR"
check "queued drop not applied, nothing after it either" "customers,dbchange_history,orders" "$(tables)"
mrun approve "$DROP_ID" -m "maintenance window" -d "$DA"
check "approver approves the drop" 0 "$RC"
mrun promote --from "$DC" --to "$URI"
check "promote after approval: exit 0" 0 "$RC"
check "approved drop applied, then the later change" "after_drop,customers,dbchange_history" "$(tables)"

# ---- a script failing part-way: recorded, the next promotion stops there ----
printf 'CREATE TABLE fail_a (id INT);\nINSERT INTO missing_table VALUES (1);\nCREATE TABLE fail_b (id INT);\n' >"$CLI_TMP/fail.sql"
mrun submit --dialect mysql "$CLI_TMP/fail.sql" -d "$DC"
FAIL_ID=$(sql $CTL "SELECT max(id) FROM dbchange.changes WHERE dialect = 'mysql'")
echo "CREATE TABLE after_fail (id INT);" >"$CLI_TMP/after2.sql"
mrun submit --dialect mysql "$CLI_TMP/after2.sql" -d "$DC"
mrun promote --from "$DC" --to "$URI"
check "failing script: exit 1" 1 "$RC"
check_match "failing script: names statement 2 and the server's error" "statement 2 of 3.*ERROR 1146.*missing_table" "$ERR"
check_match "failing script: shows the failing statement" "INSERT INTO missing_table VALUES \\(1\\)" "$ERR"
check_match "failing script: says how to resolve" "mysql-resolve $FAIL_ID --retry" "$ERR"
check "failing script: statement 1 ran (DDL commits implicitly), 3 did not" "after_drop,customers,dbchange_history,fail_a" "$(tables)"
check "failing script: the target's history has the failing statement" "failed 2 INSERT INTO missing_table VALUES (1)" \
	"$(my "SELECT CONCAT_WS(' ', status, failed_statement_no, failed_statement) FROM $MYDB.dbchange_history WHERE change_id = $FAIL_ID")"
check_match "failing script: the control catalog has the statement and error" "failed\|2\|INSERT INTO missing_table VALUES \\(1\\)\|ERROR 1146" \
	"$(sql $CTL "SELECT status, failed_statement_no, failed_statement, error FROM dbchange.deployments WHERE change_id = $FAIL_ID")"
check "failing script: the change is failed in the control database" failed "$(sql $CTL "SELECT status FROM dbchange.changes WHERE id = $FAIL_ID")"
mrun promote --from "$DC" --to "$URI"
check "next promotion: stops at the failed change, exit 1" 1 "$RC"
check_match "next promotion: says resolve it first" "change $FAIL_ID is failed.*promotion stops there" "$ERR"
check "next promotion: the later change is not applied" "after_drop,customers,dbchange_history,fail_a" "$(tables)"

mrun mysql-resolve "$FAIL_ID" -d "$DC" --to "$URI"
check "mysql-resolve without --retry or --mark-applied: exit 2" 2 "$RC"
my "CREATE TABLE $MYDB.missing_table (id INT)" >/dev/null
mrun mysql-resolve "$FAIL_ID" --retry -d "$DC" --to "$URI"
check "mysql-resolve --retry: exit 0 (resumes at statement 2: fail_a is not created twice)" 0 "$RC"
check "retry: applied in the target's history" "applied 3" \
	"$(my "SELECT CONCAT_WS(' ', status, statements_done) FROM $MYDB.dbchange_history WHERE change_id = $FAIL_ID")"
mrun promote --from "$DC" --to "$URI"
check "promote after the retry: exit 0, the later change applied" "0 after_fail" "$RC $(my "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 'after_fail'")"

printf 'CREATE TABLE by_hand_a (id INT);\nCREATE TABLE by_hand_a (id INT);\n' >"$CLI_TMP/fail2.sql"
mrun submit --dialect mysql "$CLI_TMP/fail2.sql" -d "$DC"
FAIL2_ID=$(sql $CTL "SELECT max(id) FROM dbchange.changes WHERE dialect = 'mysql'")
mrun promote --from "$DC" --to "$URI"
check "second failing script: exit 1" 1 "$RC"
mrun mysql-resolve "$FAIL2_ID" --mark-applied -d "$DC" --to "$URI"
check "mysql-resolve --mark-applied: exit 0" 0 "$RC"
check "mark-applied: recorded on both sides" "marked_applied marked_applied applied" \
	"$(my "SELECT status FROM $MYDB.dbchange_history WHERE change_id = $FAIL2_ID") $(sql $CTL "SELECT d.status || ' ' || c.status FROM dbchange.deployments d JOIN dbchange.changes c ON c.id = d.change_id WHERE d.change_id = $FAIL2_ID ORDER BY d.id DESC LIMIT 1")"
mrun promote --from "$DC" --to "$URI"
check "promote after mark-applied: exit 0" 0 "$RC"
mrun mysql-resolve "$SHOP_ID" --retry -d "$DC" --to "$URI"
check "mysql-resolve of a change that did not fail: exit 1" 1 "$RC"
check_match "mysql-resolve of a change that did not fail: says so" "has not failed" "$ERR"

# ---- a retry runs in a new session: refused after the change set up its session ----
# "USE other; INSERT INTO landing ..." is classified against other.landing.  When the INSERT
# failed (no such table there), mysql-resolve --retry ran it again in a new session, against
# the target URI's own database: a table the policies never judged.
my "CREATE DATABASE ${MYDB}_other; CREATE TABLE $MYDB.landing (id INT)" >/dev/null
printf 'USE %s_other;\nINSERT INTO landing VALUES (42);\n' "$MYDB" >"$CLI_TMP/retryuse.sql"
mrun submit --dialect mysql "$CLI_TMP/retryuse.sql" -d "$DC"
RUSE_ID=$(sql $CTL "SELECT max(id) FROM dbchange.changes WHERE dialect = 'mysql'")
mrun promote --from "$DC" --to "$URI"
check "USE then a failing INSERT: exit 1" 1 "$RC"
mrun mysql-resolve "$RUSE_ID" --retry -d "$DC" --to "$URI"
check "retry after USE: refused, exit 1" 1 "$RC"
check_match "retry after USE: says why" "cannot be retried from statement 2.*statement 1 \\(USE\\)" "$ERR"
check "retry after USE: nothing inserted in the URI's database" 0 "$(my "SELECT COUNT(*) FROM $MYDB.landing")"
check "retry after USE: the change stays failed" failed "$(sql $CTL "SELECT status FROM dbchange.changes WHERE id = $RUSE_ID")"
mrun mysql-resolve "$RUSE_ID" --mark-applied -d "$DC" --to "$URI"
check "retry after USE: resolved by hand instead (--mark-applied)" 0 "$RC"
my "DROP DATABASE ${MYDB}_other; DROP TABLE $MYDB.landing" >/dev/null

# ---- a statement smuggled past the splitter cannot run ----
# Under NO_BACKSLASH_ESCAPES the server would end the string at \' and see a DROP; the
# splitter (default quoting) sees one SELECT.  The CLI refuses to send it (the session's
# sql_mode reads it differently, below); were it sent, it would go as one query without
# multi-statement mode, and the server would refuse it whole.
cat >"$CLI_TMP/smuggle.sql" <<'SQL'
SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';
SELECT 'a\'; DROP TABLE customers; -- ';
SQL
mrun submit --dialect mysql "$CLI_TMP/smuggle.sql" -d "$DC"
SMUGGLE_ID=$(sql $CTL "SELECT max(id) FROM dbchange.changes WHERE dialect = 'mysql'")
check "smuggling script: classified as two statements, SET and SELECT" "SET SELECT" \
	"$(sql $CTL "SELECT string_agg(command, ' ' ORDER BY statement_no) FROM dbchange.change_statement WHERE change_id = $SMUGGLE_ID")"
mrun promote --from "$DC" --to "$URI"
check "smuggled DROP: not run, exit 1" 1 "$RC"
check_match "smuggled DROP: refused at statement 2" "statement 2 of 2.*not run: .*NO_BACKSLASH_ESCAPES" "$ERR"
check "smuggled DROP: customers still exists" 1 \
	"$(my "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 'customers'")"
mrun mysql-resolve "$SMUGGLE_ID" --mark-applied -d "$DC" --to "$URI"

# ---- one statement the server would read as another is not run ----
# The classifier reads with MySQL's default rules; a script that changes sql_mode or the
# character set could make the server run a statement the policies never saw: below, a
# table comment to the classifier is, under NO_BACKSLASH_ESCAPES, a comment 'x\' followed
# by DROP COLUMN.  The CLI checks each statement against the session's rules first.
my "CREATE TABLE $MYDB.keepme (id INT, secret INT)" >/dev/null
secret_kept() { my "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 'keepme' AND COLUMN_NAME = 'secret'"; }
misread_case() { # label, script file, expected reason (regex)
	mrun submit --dialect mysql "$2" -d "$DC"
	local id
	id=$(sql $CTL "SELECT max(id) FROM dbchange.changes WHERE dialect = 'mysql'")
	check "$1: approved (the policies saw no drop)" "0 approved" "$RC $(sql $CTL "SELECT status FROM dbchange.changes WHERE id = $id")"
	check "$1: classified without drop_column" "f" \
		"$(sql $CTL "SELECT bool_or(facts->'operations' ? 'drop_column') FROM dbchange.change_statement WHERE change_id = $id")"
	mrun promote --from "$DC" --to "$URI"
	check "$1: promote refuses the statement, exit 1" 1 "$RC"
	check_match "$1: says why, at statement 2" "statement 2 of 2.*not run: the target could read it as another statement.*$3" "$ERR"
	check "$1: the column is still there" 1 "$(secret_kept)"
	check "$1: the target's history has it failed at statement 2" "failed 2" \
		"$(my "SELECT CONCAT_WS(' ', status, failed_statement_no) FROM $MYDB.dbchange_history WHERE change_id = $id")"
	mrun mysql-resolve "$id" --mark-applied -d "$DC" --to "$URI"
}
cat >"$CLI_TMP/misread_nbe.sql" <<'SQL'
SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES');
ALTER TABLE keepme COMMENT 'x\', DROP COLUMN secret -- ';
SQL
misread_case "NO_BACKSLASH_ESCAPES set by the script" "$CLI_TMP/misread_nbe.sql" "NO_BACKSLASH_ESCAPES"
cat >"$CLI_TMP/misread_ansi.sql" <<'SQL'
SET SESSION sql_mode = 'ANSI_QUOTES';
ALTER TABLE keepme ADD COLUMN "c\" INT, DROP COLUMN secret -- " INT;
SQL
misread_case "ANSI_QUOTES set by the script" "$CLI_TMP/misread_ansi.sql" "ANSI_QUOTES"
cat >"$CLI_TMP/misread_gbk.sql" <<'SQL'
SET NAMES gbk;
ALTER TABLE keepme COMMENT '中\', DROP COLUMN secret -- ';
SQL
misread_case "SET NAMES gbk" "$CLI_TMP/misread_gbk.sql" "multibyte"
# the same rules do not stop a statement both read alike
cat >"$CLI_TMP/read_alike.sql" <<'SQL'
SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES,ANSI_QUOTES');
ALTER TABLE keepme COMMENT 'it''s plain; no backslash' /* a "quoted" comment \ */;
SQL
mrun submit --dialect mysql "$CLI_TMP/read_alike.sql" -d "$DC"
mrun promote --from "$DC" --to "$URI"
check "a statement read alike under those modes: applied, exit 0" 0 "$RC"
check "read alike: the comment arrived" "it's plain; no backslash" \
	"$(my "SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 'keepme'")"

# ---- red team: the CLI's own history writes are read alike in every mode and character set ----
# The refused statement's text (and the description) went into the history table as
# mysql_real_escape_string() literals, escaped by the client library's idea of the character
# set.  A script that turned off session tracking (so the library never learned of SET NAMES)
# and switched to gbk made the refused statement's '中' end the string early: the CLI's UPDATE
# then set every history row applied, and the next promotion went past the failed change.
HIST_APPLIED=$(my "SELECT COUNT(*) FROM $MYDB.dbchange_history WHERE status = 'applied'")
printf "SET SESSION session_track_system_variables = '';\nSET NAMES gbk;\nSELECT '\xe4\xb8\xad' , status = 0x6170706c696564, statements_done = 3, error = NULL # \n, 1;\n" \
	>"$CLI_TMP/hist_inject.sql"
mrun submit --dialect mysql "$CLI_TMP/hist_inject.sql" -m "$(printf "d\xe4\xb8\xad' , 0x78) #")" -d "$DC"
HINJ_ID=$(sql $CTL "SELECT max(id) FROM dbchange.changes WHERE dialect = 'mysql'")
mrun promote --from "$DC" --to "$URI"
check "history injection: the statement is refused, exit 1" 1 "$RC"
check "history injection: the target's history has it failed at statement 3, no other row changed" \
	"failed 2 3 NULL $HIST_APPLIED" \
	"$(my "SELECT CONCAT_WS(' ', status, statements_done, failed_statement_no, IFNULL(applied_at, 'NULL'), (SELECT COUNT(*) FROM $MYDB.dbchange_history WHERE status = 'applied')) FROM $MYDB.dbchange_history WHERE change_id = $HINJ_ID")"
check "history injection: the statement and description are stored as they are" "t|t" \
	"$(sql $CTL "SELECT (SELECT string_agg(statement, '') FROM dbchange.change_statement WHERE change_id = $HINJ_ID AND statement_no = 3) = convert_from(decode('$(my "SELECT HEX(failed_statement) FROM $MYDB.dbchange_history WHERE change_id = $HINJ_ID")', 'hex'), 'UTF8'), description = convert_from(decode('$(my "SELECT HEX(description) FROM $MYDB.dbchange_history WHERE change_id = $HINJ_ID")', 'hex'), 'UTF8') FROM dbchange.changes WHERE id = $HINJ_ID")"
mrun promote --from "$DC" --to "$URI"
check "history injection: the next promotion still stops at the failed change" 1 "$RC"
mrun mysql-resolve "$HINJ_ID" --mark-applied -d "$DC" --to "$URI"

# ---- red team: versioned executable comments the server skips are not run ----
# The classifier reads the content of every /*! ... */ and /*M! ... */ as code; the server
# skips it when the version written is above its own (MySQL skips every /*M!).  So
# "DELETE FROM vrows /*M!999999 WHERE id = -1 */" was a DELETE with a WHERE to the policies
# (approved) and deleted every row on the target.
my "CREATE TABLE $MYDB.vrows (id INT); INSERT INTO $MYDB.vrows VALUES (1), (2), (3)" >/dev/null
echo "DELETE FROM vrows /*M!999999 WHERE id = -1 */;" >"$CLI_TMP/vskip.sql"
mrun submit --dialect mysql "$CLI_TMP/vskip.sql" -d "$DC"
VSKIP_ID=$(sql $CTL "SELECT max(id) FROM dbchange.changes WHERE dialect = 'mysql'")
check "versioned comment: classified as a DELETE with a WHERE" "true" \
	"$(sql $CTL "SELECT facts->>'has_where' FROM dbchange.change_statement WHERE change_id = $VSKIP_ID")"
mrun promote --from "$DC" --to "$URI"
check "versioned comment the server skips: not run, exit 1" 1 "$RC"
check_match "versioned comment: says why" "not run: .*executable comment \"/\*M!999999\" whose content this server does not run" "$ERR"
check "versioned comment: no row deleted" 3 "$(my "SELECT COUNT(*) FROM $MYDB.vrows")"
mrun mysql-resolve "$VSKIP_ID" --mark-applied -d "$DC" --to "$URI"
# comments the server runs, and markers inside strings, are no reason to refuse
cat >"$CLI_TMP/vrun.sql" <<'SQL'
DELETE FROM vrows /*!50100 WHERE id = 1 */ /*M!100000 OR id = 2 */;
ALTER TABLE vrows COMMENT '/*M!999999 not code */';
SQL
mrun submit --dialect mysql "$CLI_TMP/vrun.sql" -d "$DC"
mrun promote --from "$DC" --to "$URI"
check "versioned comments the server runs: applied, exit 0" 0 "$RC"
check "versioned comments the server runs: their content ran" "3 /*M!999999 not code */" \
	"$(my "SELECT CONCAT_WS(' ', GROUP_CONCAT(id), (SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 'vrows')) FROM $MYDB.vrows")"

# ---- red team: dynamic SQL and anonymous blocks are refused, nothing stored ----
# EXECUTE IMMEDIATE 'DROP TABLE ...' was classified as a harmless EXECUTE, approved in
# prod by the stock policies and dropped the table on the target.
my "CREATE TABLE $MYDB.dynvictim (id INT)" >/dev/null
for dyn in "EXECUTE IMMEDIATE CONCAT('DR', 'OP TABLE dynvictim');" \
	"PREPARE s FROM 'DROP TABLE dynvictim'; EXECUTE s;" \
	"BEGIN NOT ATOMIC DROP TABLE dynvictim; END;"; do
	before=$(sql $CTL "SELECT count(*) FROM dbchange.changes")
	printf '%s\n' "$dyn" >"$CLI_TMP/dyn.sql"
	mrun submit --dialect mysql "$CLI_TMP/dyn.sql" -d "$DC"
	check "dynamic SQL refused at submit (${dyn%% *}): exit 1, nothing stored" "1 $before" \
		"$RC $(sql $CTL "SELECT count(*) FROM dbchange.changes")"
	check_match "dynamic SQL refused (${dyn%% *}): says why" "not supported in MySQL scripts" "$ERR"
done
mrun promote --from "$DC" --to "$URI"
check "dynamic SQL: the table is still there" 1 \
	"$(my "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 'dynvictim'")"

# ---- edited changes are detected, nothing applied ----
echo "CREATE TABLE edited (id INT);" >"$CLI_TMP/edited.sql"
mrun submit --dialect mysql "$CLI_TMP/edited.sql" -d "$DC"
EDIT_ID=$(sql $CTL "SELECT max(id) FROM dbchange.changes WHERE dialect = 'mysql'")
sql $CTL "UPDATE dbchange.change SET statement = 'DROP TABLE customers' WHERE id = $EDIT_ID" >/dev/null
mrun promote --from "$DC" --to "$URI"
check "edited in the control database: exit 1" 1 "$RC"
check_match "edited in the control database: said" "change $EDIT_ID was edited" "$ERR"
check "edited: customers still there, nothing applied" "1 0" \
	"$(my "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 'customers'") $(my "SELECT COUNT(*) FROM $MYDB.dbchange_history WHERE change_id = $EDIT_ID")"
sql $CTL "UPDATE dbchange.change SET statement = 'CREATE TABLE edited (id INT);' || chr(10) WHERE id = $EDIT_ID" >/dev/null
mrun promote --from "$DC" --to "$URI"
check "restored text: promoted" 0 "$RC"
my "UPDATE $MYDB.dbchange_history SET checksum = REPEAT('0', 64) WHERE change_id = $SHOP_ID" >/dev/null
mrun promote --from "$DC" --to "$URI"
check "history checksum differs (the change was edited after it was deployed): exit 1" 1 "$RC"
check_match "checksum mismatch: said" "applied to .* with another text" "$ERR"
my "UPDATE $MYDB.dbchange_history h SET checksum = '$(sql $CTL "SELECT checksum FROM dbchange.changes WHERE id = $SHOP_ID")' WHERE change_id = $SHOP_ID" >/dev/null

# ---- drift ----
mrun drift -d "$URI" --control "$DC"
check "drift right after a deployment: none, exit 0" 0 "$RC"
check_match "no drift: said" "no drift" "$OUT"
my "ALTER TABLE $MYDB.customers ADD COLUMN shadow INT, ADD INDEX ix_shadow (shadow)" >/dev/null
mrun drift -d "$URI" --control "$DC"
check "drift after an ALTER outside dbchange: exit 1" 1 "$RC"
check_match "drift: names the new column" "table customers/column shadow +unexpected" "$OUT"
check_match "drift: names the new index" "table customers/index ix_shadow +unexpected" "$OUT"
mrun drift -d "$URI" --control "$DC" --json
check_json "drift --json: valid JSON"
mrun drift -d "$(dbc_mysql_uri dbc_dry)" --control "$DC"
check "drift of a target never deployed to: exit 1" 1 "$RC"
check_match "drift of a target never deployed to: said" "no deployment to .* is recorded" "$ERR"

# ---- passwords from MYSQL_PWD and ~/.my.cnf; no password at all ----
NOPW="mysql://$DBC_MYSQL_USER@127.0.0.1:$DBC_MYSQL_PORT/$MYDB"
HOME_SAVE=$HOME
export HOME=$CLI_TMP/home
mkdir -p "$HOME"
MYSQL_PWD=$PW mrun promote --from "$DC" --to "$NOPW"
check "password from MYSQL_PWD: exit 0" 0 "$RC"
printf '[client]\npassword=%s\n' "$PW" >"$HOME/.my.cnf"
chmod 600 "$HOME/.my.cnf"
mrun promote --from "$DC" --to "$NOPW"
check "password from ~/.my.cnf: exit 0" 0 "$RC"
rm -f "$HOME/.my.cnf"
mrun promote --from "$DC" --to "$NOPW"
check "no password anywhere: exit 1" 1 "$RC"
check_match "no password: access denied, with a hint" "Access denied.*hint: Check the user and password" "$(printf '%s' "$ERR" | tr '\n' ' ')"
export HOME=$HOME_SAVE

# ---- bad input: clear errors, nothing applied, no password ----
BEFORE=$(history_rows)
mrun promote --from "$DC" --to "mysql://$DBC_MYSQL_USER:$PW@127.0.0.1:notaport/$MYDB"
check "malformed URI (port): exit 2" 2 "$RC"
check_match "malformed URI: says why and how" "invalid MySQL URI .*port.*hint: Write it as mysql://user" "$(printf '%s' "$ERR" | tr '\n' ' ')"
check_match "malformed URI: masked" "mysql://$DBC_MYSQL_USER:\\*\\*\\*\\*@" "$ERR"
mrun promote --from "$DC" --to "mysql://$DBC_MYSQL_USER:$PW@127.0.0.1:$DBC_MYSQL_PORT"
check "URI without a database: exit 2" 2 "$RC"
check_match "URI without a database: said" "the database is missing" "$ERR"
mrun promote --from "$DC" --to "mysql://$DBC_MYSQL_USER:$PW@/$MYDB"
check "URI without a host: exit 2" 2 "$RC"
mrun promote --from "$DC" --to "mysql://$DBC_MYSQL_USER:$PW@127.0.0.1:1/$MYDB"
check "unreachable server: exit 1" 1 "$RC"
check_match "unreachable server: says so, with a hint" "could not connect to the MySQL target.*Is the server running" "$(printf '%s' "$ERR" | tr '\n' ' ')"
mrun promote --from "$DC" --to "mysql://$DBC_MYSQL_USER:wrong-$PW@127.0.0.1:$DBC_MYSQL_PORT/$MYDB"
check "wrong credentials: exit 1" 1 "$RC"
check_match "wrong credentials: access denied" "Access denied for user" "$ERR"
mrun promote --from "$DC" --to "$(dbc_mysql_uri no_such_db)"
check "nonexistent target database: exit 1" 1 "$RC"
check_match "nonexistent target database: says so" "Unknown database 'no_such_db'.*create it first" "$(printf '%s' "$ERR" | tr '\n' ' ')"
mrun status -d "$URI"
check "a MySQL URI where a PostgreSQL database is expected: exit 2" 2 "$RC"
check_match "status -d mysql://: said, masked" "names a MySQL server" "$ERR"
mrun promote --from "$URI" --to "$DC"
check "promote --from a MySQL server: exit 2" 2 "$RC"
mrun submit --dialect mysql "$CLI_TMP/after.sql" -d "$URI"
check "submit -d mysql:// (MySQL changes go to the control database): exit 2" 2 "$RC"
mrun submit --dialect oracle "$CLI_TMP/after.sql" -d "$DC"
check "unknown --dialect: exit 2" 2 "$RC"
check "bad input applied nothing" "$BEFORE" "$(history_rows)"

# a PostgreSQL change aimed at the MySQL target, and a MySQL change aimed at PostgreSQL
echo "CREATE TABLE pg_only (id serial PRIMARY KEY, tags text[]);" >"$CLI_TMP/pg.sql"
mrun submit "$CLI_TMP/pg.sql" -d "$DC"
PG_ID=$(sql $CTL "SELECT max(id) FROM dbchange.changes WHERE dialect = 'postgresql'")
check "PostgreSQL change in the control database: applied there" "0 applied" "$RC $(sql $CTL "SELECT status FROM dbchange.changes WHERE id = $PG_ID")"
mrun promote --from "$DC" --to "$URI"
check "promote to MySQL leaves PostgreSQL changes out" "0 0" "$RC $(my "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 'pg_only'")"
mrun mysql-resolve "$PG_ID" --mark-applied -d "$DC" --to "$URI"
check "mysql-resolve of a PostgreSQL change: exit 1" 1 "$RC"
check_match "mysql-resolve of a PostgreSQL change: said" "not a MySQL change" "$ERR"
echo "CREATE TABLE never_in_pg (id INT);" >"$CLI_TMP/never.sql"
mrun submit --dialect mysql "$CLI_TMP/never.sql" -d "$DC"
NEVER_ID=$(sql $CTL "SELECT max(id) FROM dbchange.changes WHERE dialect = 'mysql'")
mrun apply "$NEVER_ID" -d "$DC"
check "apply of an approved MySQL change in PostgreSQL: exit 1" 1 "$RC"
check_match "apply of a MySQL change: refused, says where it goes" "MySQL change and cannot be applied in PostgreSQL" "$ERR"
check "apply of a MySQL change: nothing ran in PostgreSQL" "0 approved" \
	"$(sql $CTL "SELECT count(*) FROM pg_class WHERE relname = 'never_in_pg'") $(sql $CTL "SELECT status FROM dbchange.changes WHERE id = $NEVER_ID")"
mrun promote --from "$DC" --to "$(conninfo $PGT)"
MY_UIDS=$(sql $CTL "SELECT string_agg(quote_literal(uid::text), ',') FROM dbchange.changes WHERE dialect = 'mysql'")
check "promote to another PostgreSQL database carries MySQL changes only as MySQL changes" 0 \
	"$(sql $PGT "SELECT count(*) FROM dbchange.changes WHERE uid::text IN ($MY_UIDS) AND dialect <> 'mysql'")"
check "the MySQL text never ran in PostgreSQL" 0 "$(sql $PGT "SELECT count(*) FROM pg_class WHERE relname IN ('customers', 'orders', 'fail_a')")"

# ---- killed in the middle (kill -9): the next run stops there, --retry resumes ----
printf 'CREATE TABLE killed_a (id INT);\nDO SLEEP(4);\nCREATE TABLE killed_b (id INT);\n' >"$CLI_TMP/kill.sql"
mrun submit --dialect mysql "$CLI_TMP/kill.sql" -d "$DC"
KILL_ID=$(sql $CTL "SELECT max(id) FROM dbchange.changes WHERE dialect = 'mysql'")
"$DBC_CLI" promote --from "$DC" --to "$URI" >"$CLI_TMP/kill.out" 2>&1 &
KPID=$!
for _ in $(seq 1 50); do
	[ "$(my "SELECT statements_done FROM $MYDB.dbchange_history WHERE change_id = $KILL_ID")" = 1 ] && break
	sleep 0.1
done
mrun promote --from "$DC" --to "$URI"
check "a second promotion while one runs: exit 1" 1 "$RC"
check_match "a second promotion while one runs: said" "another dbchange session is deploying" "$ERR"
{ kill -9 $KPID; wait $KPID; } 2>/dev/null
for _ in $(seq 1 100); do
	[ "$(my "SELECT IS_FREE_LOCK('dbchange:$MYDB')")" = 1 ] && break
	sleep 0.1
done
check "killed: statement 1 done, 3 not" "running 1 killed_a" \
	"$(my "SELECT CONCAT_WS(' ', status, statements_done) FROM $MYDB.dbchange_history WHERE change_id = $KILL_ID") $(my "SELECT GROUP_CONCAT(TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME LIKE 'killed%'")"
mrun promote --from "$DC" --to "$URI"
check "after kill -9: the next promotion stops at the change, exit 1" 1 "$RC"
check_match "after kill -9: says it is unfinished" "change $KILL_ID is unfinished" "$ERR"
mrun mysql-resolve "$KILL_ID" --retry -d "$DC" --to "$URI"
check "after kill -9: --retry resumes and finishes, exit 0" 0 "$RC"
check "after kill -9: both tables, each once" "killed_a,killed_b" \
	"$(my "SELECT GROUP_CONCAT(TABLE_NAME ORDER BY TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME LIKE 'killed%'")"
check "after kill -9: the interrupted deployment is closed as failed, the retry applied" "failed applied" \
	"$(sql $CTL "SELECT string_agg(status, ' ' ORDER BY id) FROM dbchange.deployments WHERE change_id = $KILL_ID")"

# ---- the password: never in argv (ps), output, logs or catalogs ----
printf 'DO SLEEP(3);\n' >"$CLI_TMP/slow.sql"
mrun submit --dialect mysql "$CLI_TMP/slow.sql" -d "$DC"
"$DBC_CLI" promote --from "$DC" --to "$URI" >"$CLI_TMP/slow.out" 2>&1 &
SLOW_PID=$!
sleep 1.5
CMDLINE=$(tr '\0' ' ' <"/proc/$SLOW_PID/cmdline" 2>/dev/null)
wait $SLOW_PID
check "slow promote: exit 0" 0 "$?"
check_match "ps shows the promote" "promote --from" "$CMDLINE"
case "$CMDLINE" in *"$PW"*) not_ok "the password is visible in ps";; *) ok "the password is not visible in ps";; esac
cat "$CLI_TMP/slow.out" >>"$ALL_OUTPUT"
leaks=""
grep -qF -- "$PW" "$ALL_OUTPUT" && leaks="$leaks CLI-output"
grep -rqF -- "$PW" "$DBC_MYSQL_DIR"/*.log 2>/dev/null && leaks="$leaks mariadb-logs"
grep -rqF -- "$PW" "$DBC_BASE"/pg-main/log "$DBC_BASE"/pg-main/server.log 2>/dev/null && leaks="$leaks postgres-log"
sql $CTL "SELECT row_to_json(d)::text FROM dbchange.deployment d UNION ALL SELECT row_to_json(a)::text FROM dbchange.audit a" | grep -qF -- "$PW" && leaks="$leaks control-catalog"
my "SELECT * FROM $MYDB.dbchange_history" | grep -qF -- "$PW" && leaks="$leaks target-history"
check "the password appears in no output, log or catalog" "" "$leaks"
check_match "the URIs were printed masked" "\\*\\*\\*\\*" "$(cat "$ALL_OUTPUT")"

# ---- test -> prod between control databases: MySQL changes travel with their uid ----
CTLT=mysql_ctl_test
new_db $CTLT test || not_ok "setup: the test control database"
DT=$(conninfo $CTLT)
TURI=$(dbc_mysql_uri dbc_test)
my "DROP DATABASE IF EXISTS dbc_test; CREATE DATABASE dbc_test" >/dev/null
echo "CREATE TABLE carried (id INT PRIMARY KEY);" >"$CLI_TMP/carried.sql"
mrun submit --dialect mysql "$CLI_TMP/carried.sql" -m "carried table" -d "$DT"
check "test: submitted" 0 "$RC"
mrun promote --from "$DT" --to "$TURI"
check "test: deployed to the test MySQL" 0 "$RC"
mrun promote --from "$DT" --to "$DC"
check "promote test -> prod control databases: exit 0" 0 "$RC"
check_match "promote test -> prod: the MySQL change was carried" "\\[mysql\\] test #[0-9]+ → prod #[0-9]+: approved" "$OUT"
CARRIED_UID=$(sql $CTLT "SELECT uid FROM dbchange.changes WHERE dialect = 'mysql'")
check "prod has the same uid, from a promotion, approved" "approved promotion mysql" \
	"$(sql $CTL "SELECT status || ' ' || source || ' ' || dialect FROM dbchange.changes WHERE uid = '$CARRIED_UID'")"
mrun promote --from "$DT" --to "$DC"
check "promote test -> prod again: nothing carried twice" "0 1" \
	"$RC $(sql $CTL "SELECT count(*) FROM dbchange.changes WHERE uid = '$CARRIED_UID'")"
mrun promote --from "$DC" --to "$URI"
check "prod: the carried change deployed to the prod MySQL" "0 carried" \
	"$RC $(my "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 'carried'")"
echo "DROP TABLE carried;" >"$CLI_TMP/carried-drop.sql"
# submitted in test by mysql_alice herself (her own login), who approves in prod
mrun submit --dialect mysql "$CLI_TMP/carried-drop.sql" -d "$(conninfo $CTLT $APPROVER)"
check "test: the drop is approved in test" 0 "$RC"
mrun promote --from "$DT" --to "$TURI"
mrun promote --from "$DT" --to "$DC" --dry-run
check_match "dry run test -> prod: the drop would wait for approval" "would wait for approval" "$OUT"
mrun promote --from "$DT" --to "$DC"
check "promote test -> prod: the drop waits for approval in prod, exit 3" 3 "$RC"
check_match "promote test -> prod: says so" "waits for approval" "$OUT"
mrun promote --from "$DC" --to "$URI"
check "prod: the drop is not deployed before its approval" "3 carried" \
	"$RC $(my "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 'carried'")"

# red team: a MySQL change travels with its requester and the logins that made it, like a
# PostgreSQL change (docs/security.md): mysql_alice, who submitted the drop in test, may not
# approve it in prod.  (It arrived as the deployer's own change, which she could approve.)
DROP_ID=$(sql $CTL "SELECT id FROM dbchange.changes WHERE dialect = 'mysql' AND statement LIKE 'DROP TABLE carried%'")
check "prod: the carried drop keeps its requester, the deployer is the actor" "$APPROVER postgres" \
	"$(sql $CTL "SELECT c.requested_by || ' ' || a.actor FROM dbchange.changes c JOIN dbchange.audit a ON a.change_id = c.id AND a.event = 'queued' WHERE c.id = $DROP_ID")"
check "prod: the carried drop's origin names test, its change and the logins" "test t [\"$APPROVER\"]" \
	"$(sql $CTL "SELECT concat_ws(' ', origin->>'from_environment', (origin->>'from_change_id')::bigint > 0, origin->>'logins') FROM dbchange.change_scripts WHERE id = $DROP_ID")"
mrun approve "$DROP_ID" -d "$DA"
check "prod: mysql_alice cannot approve the MySQL change she made in test: exit 1" 1 "$RC"
check_match "prod: refused for separation of duties" "requested change $DROP_ID and cannot approve it" "$ERR"
check "prod: the drop still waits" pending "$(sql $CTL "SELECT status FROM dbchange.changes WHERE id = $DROP_ID")"

# ---- stored-program bodies: a procedure whose body drops a table is judged as the
# drop (stock destructive_changes queues it in prod), and the body judged is the
# body MariaDB stores and runs ----
CTLB=mysql_ctlbody
BDB=dbc_body
BURI=$(dbc_mysql_uri $BDB)
my "DROP DATABASE IF EXISTS $BDB; CREATE DATABASE $BDB" >/dev/null
new_db $CTLB prod || not_ok "setup: a second control database"
DCB=$(conninfo $CTLB)
printf "SELECT dbchange.set_policy('destructive_changes', :'src');\n" |
	dbc_psql "$DBC_PORT" $CTLB -At -v src="$(cat lua_policies/destructive_changes.lua)" >/dev/null 2>&1
check "body: the stock destructive_changes policy is loaded" 1 \
	"$(sql $CTLB "SELECT count(*) FROM dbchange.policies WHERE name = 'destructive_changes'")"
cat >"$CLI_TMP/body.sql" <<'SQL'
CREATE TABLE victim (id INT PRIMARY KEY);
INSERT INTO victim VALUES (1);
CREATE PROCEDURE purge_victim(IN really INT)
BEGIN
  DECLARE n INT DEFAULT 0;
  IF really = 1 THEN
    SELECT COUNT(*) INTO n FROM victim; -- a comment; with a semicolon
    DROP TABLE victim;
  END IF;
END;
SQL
mrun submit --dialect mysql "$CLI_TMP/body.sql" -d "$DCB"
check "body: a procedure whose body drops a table is queued in prod, exit 3" 3 "$RC"
check_match "body: the reason is the body's drop" "body-destroys-data.*DROP TABLE" "$OUT$ERR"
BODY_ID=$(sql $CTLB "SELECT max(id) FROM dbchange.changes WHERE dialect = 'mysql'")
mrun promote --from "$DCB" --to "$BURI"
check "body: not deployed before approval (no victim table), exit 3" "3 dbchange_history" "$RC $(tables $BDB)"
mrun approve "$BODY_ID" -m "reviewed the procedure" -d "$(conninfo $CTLB $APPROVER)"
check "body: approved" 0 "$RC"
mrun promote --from "$DCB" --to "$BURI"
check "body: deployed after approval, 3 of 3 statements" "0 applied 3 3" \
	"$RC $(my "SELECT CONCAT_WS(' ', status, statements_done, statements_total) FROM $BDB.dbchange_history")"
check "body: MariaDB stored the whole body the classifier read (one routine, with the drop)" "1 1" \
	"$(my "SELECT CONCAT_WS(' ', COUNT(*), SUM(ROUTINE_DEFINITION LIKE '%DROP TABLE victim%')) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '$BDB'")"
my "CALL $BDB.purge_victim(1)" >/dev/null
check "body: calling it drops the table, as body_destructive said" "dbchange_history" "$(tables $BDB)"
my "DROP DATABASE IF EXISTS $BDB" >/dev/null

# ---- a stored program created in a stored program's body: MariaDB refuses it, and so
# does dbchange, before anything is stored (it read the inner event's body up to its
# first ';' and took the rest for statements of the procedure) ----
my "DROP DATABASE IF EXISTS $BDB; CREATE DATABASE $BDB" >/dev/null
cat >"$CLI_TMP/nested.sql" <<'SQL'
CREATE TABLE t (id INT);
CREATE PROCEDURE p()
BEGIN
  SELECT 1;
  CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t WHERE id = 1; DROP TABLE t; END;
END;
SQL
check_match "nested: MariaDB refuses an event with a body inside a procedure" \
	"ERROR 1576 .*Recursion of EVENT DDL statements is forbidden when body is present" \
	"$(printf 'USE %s;\nDELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t WHERE id = 1; DROP TABLE t; END; END//\n' "$BDB" | dbc_mysql 2>&1)"
check_match "nested: MariaDB refuses a procedure created inside an event's body" \
	"ERROR 1303 .*Can't create a PROCEDURE from within another stored routine" \
	"$(printf 'USE %s;\nDELIMITER //\nCREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN CREATE PROCEDURE q() SELECT 1; END//\n' "$BDB" | dbc_mysql 2>&1)"
BEFORE=$(sql $CTLB "SELECT count(*) FROM dbchange.change")
mrun submit --dialect mysql "$CLI_TMP/nested.sql" -d "$DCB"
check "nested: submit refuses the script, exit 1" 1 "$RC"
check_match "nested: says what, where, why and how to fix it" \
	"CREATE EVENT inside the body of CREATE PROCEDURE is not allowed \(line 5\).*Recursion of EVENT DDL.*Write the CREATE EVENT as a statement of its own" \
	"$(printf '%s' "$ERR" | tr '\n' ' ')"
check "nested: nothing stored" "$BEFORE" "$(sql $CTLB "SELECT count(*) FROM dbchange.change")"
# a body statement the classifier reads by its first word only is judged by what it
# runs: MariaDB's ANALYZE DELETE deletes (the procedure is stored and does so)
printf 'CREATE PROCEDURE an() BEGIN ANALYZE DELETE FROM t; END;\n' >"$CLI_TMP/analyze.sql"
mrun submit --dialect mysql "$CLI_TMP/analyze.sql" -d "$DCB"
check "analyze: a body that runs ANALYZE DELETE is queued in prod, exit 3" 3 "$RC"
check_match "analyze: the reason is the body's DELETE" "body-destroys-data.*DELETE" "$OUT$ERR"
my "CREATE TABLE $BDB.t (id INT); INSERT INTO $BDB.t VALUES (1), (2)" >/dev/null
printf 'USE %s;\nDELIMITER //\nCREATE PROCEDURE an() BEGIN ANALYZE DELETE FROM t; END//\nDELIMITER ;\nCALL an();\n' "$BDB" | dbc_mysql >/dev/null 2>&1
check "analyze: MariaDB stores such a procedure, and calling it deletes every row" 0 "$(my "SELECT COUNT(*) FROM $BDB.t")"
my "DROP DATABASE IF EXISTS $BDB" >/dev/null

# ---- a statement the classifier does not know (fact unknown): MariaDB's LOAD XML,
# which writes rows, read as a bare "LOAD" (in environment_risk's not-DDL set) was
# approved in prod and applied; now environment_risk queues it (env-unknown-statement)
# and nothing of the change reaches the target before a DBA approves it ----
CTLU=mysql_ctlunknown
UDB=dbc_unknown
UURI=$(dbc_mysql_uri $UDB)
my "DROP DATABASE IF EXISTS $UDB; CREATE DATABASE $UDB; CREATE TABLE $UDB.loaded (id INT PRIMARY KEY, name VARCHAR(20))" >/dev/null
new_db $CTLU prod || not_ok "setup: a control database for unknown statements"
DCU=$(conninfo $CTLU)
printf "SELECT dbchange.set_policy('environment_risk', :'src');\n" |
	dbc_psql "$DBC_PORT" $CTLU -At -v src="$(cat lua_policies/environment_risk.lua)" >/dev/null 2>&1
check "unknown: the stock environment_risk policy is loaded" 1 \
	"$(sql $CTLU "SELECT count(*) FROM dbchange.policies WHERE name = 'environment_risk'")"
XML=$DBC_BASE/unknown-rows.xml
printf '<rows>\n<row><id>2</id><name>from xml</name></row>\n</rows>\n' >"$XML"
chmod 644 "$XML"
printf "INSERT INTO loaded VALUES (1, 'plain');\nLOAD XML INFILE '%s' INTO TABLE loaded ROWS IDENTIFIED BY '<row>';\n" "$XML" >"$CLI_TMP/unknown.sql"
mrun submit --dialect mysql "$CLI_TMP/unknown.sql" -d "$DCU"
check "unknown: LOAD XML is queued in prod, exit 3" 3 "$RC"
check_match "unknown: the reason says dbchange does not know the statement and how to proceed" \
	"env-unknown-statement: dbchange does not know the MySQL statement LOAD XML INFILE.*have someone who knows what it does on the target approve it, or write the change with statements dbchange knows" \
	"$(printf '%s' "$OUT$ERR" | tr '\n' ' ')"
UNK_ID=$(sql $CTLU "SELECT max(id) FROM dbchange.changes WHERE dialect = 'mysql'")
check "unknown: the statement's facts say unknown, command LOAD" "LOAD true queue" \
	"$(sql $CTLU "SELECT concat_ws(' ', facts->>'command', facts->>'unknown', action) FROM dbchange.change_statement WHERE change_id = $UNK_ID AND statement_no = 2")"
mrun promote --from "$DCU" --to "$UURI"
check "unknown: promote stops at the queued change, exit 3" 3 "$RC"
check "unknown: nothing applied to the target (no row, no history row)" "0 0" \
	"$(my "SELECT CONCAT_WS(' ', (SELECT COUNT(*) FROM $UDB.loaded), (SELECT COUNT(*) FROM $UDB.dbchange_history))")"
mrun approve "$UNK_ID" -m "LOAD XML reviewed" -d "$(conninfo $CTLU $APPROVER)"
check "unknown: approved" 0 "$RC"
mrun promote --from "$DCU" --to "$UURI"
check "unknown: deployed after approval; MariaDB ran LOAD XML, which wrote a row" "0 1:plain,2:from xml" \
	"$RC $(my "SELECT GROUP_CONCAT(CONCAT(id, ':', name) ORDER BY id) FROM $UDB.loaded")"
rm -f "$XML"
my "DROP DATABASE IF EXISTS $UDB" >/dev/null

# ---- a target reached through the server's unix socket (?socket=) is named by its
# socket in the control catalog, not by a TCP endpoint (host:3306) it never used;
# TCP targets keep their names ----
CTLS=mysql_ctlsock
SDB=dbc_sock
my "CREATE USER IF NOT EXISTS '$DBC_MYSQL_USER'@'localhost' IDENTIFIED BY '$PW';
	GRANT ALL ON *.* TO '$DBC_MYSQL_USER'@'localhost';
	DROP DATABASE IF EXISTS $SDB; CREATE DATABASE $SDB" >/dev/null
new_db $CTLS prod || not_ok "setup: a control database for the socket target"
DCS=$(conninfo $CTLS)
SURI="mysql://$DBC_MYSQL_USER:$PW@localhost/$SDB?socket=$DBC_MYSQL_SOCK"
SKEY="mysql://localhost/$SDB?socket=$DBC_MYSQL_SOCK"
SKEY_RE=$(printf '%s' "$SKEY" | sed 's/[.?]/\\&/g')
echo "CREATE TABLE via_socket (id INT PRIMARY KEY);" >"$CLI_TMP/sock.sql"
mrun submit --dialect mysql "$CLI_TMP/sock.sql" -d "$DCS"
mrun promote --from "$DCS" --to "$SURI"
check "socket: promote through the socket, exit 0, the table created" "0 via_socket" \
	"$RC $(my "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$SDB' AND TABLE_NAME = 'via_socket'")"
check_match "socket: the output names the socket" "change 1 \\(sock.sql\\) to $SKEY_RE" "$OUT$ERR"
check "socket: the catalog names the target by its socket" "$SKEY" \
	"$(sql $CTLS "SELECT string_agg(DISTINCT target, ' ') FROM dbchange.deployments")"
check "socket: no TCP endpoint recorded for it" 0 "$(sql $CTLS "SELECT count(*) FROM dbchange.deployments WHERE target LIKE '%:3306%'")"
mrun promote --from "$DCS" --to "$SURI"
check_match "socket: a rerun finds the change applied under the same name" "$SKEY_RE: 0 changes applied, 1 already applied" "$OUT$ERR"
mrun drift -d "$SURI" --control "$DCS"
check "socket: drift finds the socket target's baseline, no drift, exit 0" 0 "$RC"
check_match "socket: drift names it by its socket" "no drift: $SKEY_RE" "$OUT"
mrun drift -d "mysql://$DBC_MYSQL_USER:$PW@127.0.0.1:$DBC_MYSQL_PORT/$SDB" --control "$DCS"
check "socket: the same database over TCP is another target name (no baseline), exit 1" 1 "$RC"
check "TCP targets keep their host:port names" 0 \
	"$(sql $CTL "SELECT count(*) FROM dbchange.deployments WHERE target !~ '^mysql://127\.0\.0\.1:$DBC_MYSQL_PORT/[a-z_]+\$'")"
mrun promote --from "$DCS" --to "mysql://$DBC_MYSQL_USER:$PW@127.0.0.1/$SDB?socket=$DBC_MYSQL_SOCK"
check "socket with a host other than localhost (TCP, the socket ignored): exit 2" 2 "$RC"
check_match "socket with another host: says why" "a socket is used only with the host localhost" "$ERR"
mrun promote --from "$DCS" --to "mysql://$DBC_MYSQL_USER:$PW@localhost:$DBC_MYSQL_PORT/$SDB?socket=$DBC_MYSQL_SOCK"
check "socket with a port: exit 2" 2 "$RC"
mrun promote --from "$DCS" --to "mysql://$DBC_MYSQL_USER:$PW@localhost/$SDB?socket=mysqld.sock"
check "socket not an absolute path: exit 2" 2 "$RC"
check_match "relative socket: says so" "the socket must be an absolute path" "$ERR"
mrun promote --from "$DCS" --to "mysql://$DBC_MYSQL_USER:$PW@localhost/$SDB?socket=$CLI_TMP/no.sock"
check "a socket nobody listens on: exit 1" 1 "$RC"
check_match "a socket nobody listens on: the hint names the socket" "listening on the socket $CLI_TMP/no.sock" "$ERR"
my "DROP DATABASE IF EXISTS $SDB; DROP USER IF EXISTS '$DBC_MYSQL_USER'@'localhost'" >/dev/null

# ---- files: the MySQL server's, and the deploying client's own ----
# A change runs with the deploying account's FILE privilege, on the deployer's
# client: LOAD DATA LOCAL INFILE would have the CLI send one of the deployer's
# files into a table the change's author reads; INTO OUTFILE and LOAD_FILE()
# write and read the server's files.
FDB=dbc_files
CTLF=mysql_files_dev
CTLFP=mysql_files_prod
my "DROP DATABASE IF EXISTS $FDB; CREATE DATABASE $FDB; CREATE TABLE $FDB.loot (line TEXT)" >/dev/null
new_db $CTLF dev && new_db $CTLFP prod || not_ok "setup: control databases for the file checks"
for f in lua_policies/environment_risk.lua; do
	for d in $CTLF $CTLFP; do
		dbc_psql "$DBC_PORT" $d -v src="$(cat "$f")" <<<"SELECT dbchange.set_policy('environment_risk', :'src');" >/dev/null
	done
done
DCF=$(conninfo $CTLF)
DCFP=$(conninfo $CTLFP)
FURI=$(dbc_mysql_uri $FDB)
SECRET=$CLI_TMP/deployer-secret.txt
echo "deployer-secret-$$" >"$SECRET"
chmod 644 "$SECRET"
OUTF=/tmp/dbc-outfile-$$.txt
rm -f "$OUTF"
loot() { my "SELECT COUNT(*) FROM $FDB.loot"; }
printf "LOAD DATA LOCAL INFILE '%s' INTO TABLE loot;\n" "$SECRET" >"$CLI_TMP/local.sql"
mrun submit --dialect mysql "$CLI_TMP/local.sql" -d "$DCFP"
check "files: LOAD DATA LOCAL INFILE in prod is rejected (exit 4)" 4 "$RC"
check_match "files: the reason says the CLI sends no files of the deploying machine" "the dbchange CLI refuses to send its files" "$OUT$ERR"
printf "SELECT 'x' INTO OUTFILE '%s';\n" "$OUTF" >"$CLI_TMP/outfile.sql"
mrun submit --dialect mysql "$CLI_TMP/outfile.sql" -d "$DCFP"
check "files: SELECT ... INTO OUTFILE in prod is queued (exit 3)" 3 "$RC"
check_match "files: critical, naming the server's file" "critical.*writes a file .SELECT ... INTO OUTFILE / DUMPFILE. on the MySQL server" "$OUT$ERR"
echo "INSERT INTO loot SELECT LOAD_FILE('/etc/hostname');" >"$CLI_TMP/loadfile.sql"
mrun submit --dialect mysql "$CLI_TMP/loadfile.sql" -d "$DCFP"
check "files: INSERT ... LOAD_FILE() in prod is queued (exit 3)" 3 "$RC"
mrun promote --from "$DCFP" --to "$FURI"
check "files: promotion stops at the queued change (exit 3)" 3 "$RC"
check "files: nothing written on the server, nothing loaded" "no 0" "$([ -e "$OUTF" ] && echo yes || echo no) $(loot)"
# in dev the policy only warns; deploying it still sends nothing, even with
# local-infile switched on in the deployer's option file
mrun submit --dialect mysql "$CLI_TMP/local.sql" -d "$DCF"
check "files: LOAD DATA LOCAL INFILE in dev is approved with the warning (exit 0)" 0 "$RC"
check_match "files: dev's warning says it is rejected outside dev" "rejected outside dev" "$OUT$ERR"
HOME_SAVE=$HOME
export HOME=$CLI_TMP/home-infile
mkdir -p "$HOME"
printf '[client]\nlocal-infile=1\n' >"$HOME/.my.cnf"
mrun promote --from "$DCF" --to "$FURI"
export HOME=$HOME_SAVE
check "files: deploying LOAD DATA LOCAL INFILE fails (exit 1)" 1 "$RC"
check_match "files: the error says the client sends no file" "does not send files of the machine that deploys|disabled the local infile capability" "$ERR"
check "files: the deployer's file never reached the server" "0 0" \
	"$(loot) $(my "SELECT COUNT(*) FROM $FDB.loot WHERE line LIKE 'deployer-secret%'")"
check "files: the change is recorded failed" "failed" "$(sql $CTLF "SELECT status FROM dbchange.changes ORDER BY id DESC LIMIT 1")"
rm -f "$OUTF"
my "DROP DATABASE IF EXISTS $FDB" >/dev/null

# ---- session settings: strict mode switched off is queued in prod, the ONLY_FULL_GROUP_BY idiom is not ----
# SET sql_mode = REPLACE(@@sql_mode, 'STRICT_TRANS_TABLES', '') lets the INSERT after it
# store 'abc' of 'abcdef' with a warning; taking out ONLY_FULL_GROUP_BY (Laravel, WordPress)
# keeps strict mode: the stock migration_hygiene's session-weakens-checks reads both.
MDB=dbc_mode
CTLM=mysql_mode_prod
my "DROP DATABASE IF EXISTS $MDB; CREATE DATABASE $MDB" >/dev/null
new_db $CTLM prod || not_ok "setup: a control database for the sql_mode checks"
dbc_psql "$DBC_PORT" $CTLM -v src="$(cat lua_policies/migration_hygiene.lua)" \
	<<<"SELECT dbchange.set_policy('migration_hygiene', :'src');" >/dev/null
DCM=$(conninfo $CTLM)
MURI=$(dbc_mysql_uri $MDB)
cat >"$CLI_TMP/mode-ok.sql" <<'SQL'
SET sql_mode = (SELECT REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', ''));
CREATE TABLE codes (c VARCHAR(3));
INSERT INTO codes VALUES ('abc');
SQL
mrun submit --dialect mysql "$CLI_TMP/mode-ok.sql" -d "$DCM"
check "sql_mode: the REPLACE of ONLY_FULL_GROUP_BY in prod is approved (exit 0)" 0 "$RC"
mrun promote --from "$DCM" --to "$MURI"
check "sql_mode: the approved change is applied to MariaDB" "0 abc" "$RC $(my "SELECT GROUP_CONCAT(c) FROM $MDB.codes")"
cat >"$CLI_TMP/mode-weak.sql" <<'SQL'
SET sql_mode = REPLACE(@@sql_mode, 'STRICT_TRANS_TABLES', '');
INSERT INTO codes VALUES ('abcdef');
SQL
mrun submit --dialect mysql "$CLI_TMP/mode-weak.sql" -d "$DCM"
check "sql_mode: the REPLACE of STRICT_TRANS_TABLES in prod is queued (exit 3)" 3 "$RC"
check_match "sql_mode: the reason says it takes strict mode out" "session-weakens-checks.*takes out STRICT_TRANS_TABLES" "$OUT$ERR"
mrun promote --from "$DCM" --to "$MURI"
check "sql_mode: promotion stops at the queued change (exit 3)" 3 "$RC"
check "sql_mode: nothing truncated into the table" "abc" "$(my "SELECT GROUP_CONCAT(c) FROM $MDB.codes")"
my "DROP DATABASE IF EXISTS $MDB" >/dev/null

cli_valgrind_report
dbc_summary
