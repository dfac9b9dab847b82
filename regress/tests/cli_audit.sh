#!/usr/bin/env bash
# CLI audit-verify: the whole chain, --json, and --state (a file keeping the
# head between checks): only what is new is read, a rewritten entry after the
# head and a chain cut back below it are reported (exit 1) and the file is
# kept as it was; a bad state file and --state on another command are refused.
cd "$(dirname "$0")/../.."
. regress/lib.sh
. regress/cli_lib.sh

DB=cli_audit_db
new_db $DB dev || { not_ok "setup"; dbc_summary; exit 1; }
D=$(conninfo $DB)
STATE="$CLI_TMP/audit.state"

# as a superuser with the append-only trigger off: what only tampering can do
tamper() { sql $DB "SET dbchange.enforce = off; ALTER TABLE dbchange.audit DISABLE TRIGGER USER; $1; ALTER TABLE dbchange.audit ENABLE ALWAYS TRIGGER audit_append_only; ALTER TABLE dbchange.audit ENABLE ALWAYS TRIGGER audit_no_truncate" >/dev/null; }
head_pos() { sql $DB "SELECT chain_pos FROM dbchange.audit_head()"; }

sql $DB "CREATE TABLE au_a (id int)" >/dev/null
sql $DB "SELECT dbchange.submit('CREATE TABLE au_b (id int)')" >/dev/null

# ---- the whole chain ----
run audit-verify -d "$D"
check "whole chain: exit 0" 0 "$RC"
check_match "whole chain: says intact and how long" "audit chain intact: [0-9]+ entries" "$OUT"
run audit-verify -d "$D" --json
check_json "--json is valid JSON"
check "--json: intact" "True" "$(json_get 'j["intact"]')"
check "--json: the head is the database's" "$(head_pos)" "$(json_get 'j["head"]["chain_pos"]')"

# ---- --state: the first run checks everything and keeps the head ----
run audit-verify -d "$D" --state "$STATE"
check "first --state run: exit 0" 0 "$RC"
check "first --state run: the file holds the head" "$(sql $DB "SELECT chain_pos || ' ' || hash FROM dbchange.audit_head()")" "$(cat "$STATE")"
SAVED=$(head_pos)
sql $DB "CREATE TABLE au_c (id int)" >/dev/null
sql $DB "ALTER TABLE au_c ADD COLUMN x int" >/dev/null
run audit-verify -d "$D" --state "$STATE"
check "second --state run: exit 0" 0 "$RC"
check_match "second --state run: checked from the saved head" "audit chain intact from entry $SAVED to entry $(head_pos)" "$OUT"
check "second --state run: the file moved on" "$(head_pos)" "$(cut -d' ' -f1 "$STATE")"

# ---- an entry after the saved head rewritten: reported, the file kept ----
SAVED=$(head_pos)
KEPT=$(cat "$STATE")
sql $DB "CREATE TABLE au_d (id int)" >/dev/null
sql $DB "SELECT dbchange.verify_audit()" >/dev/null
tamper "UPDATE dbchange.audit SET actor = 'mallory' WHERE chain_pos = $SAVED + 1"
run audit-verify -d "$D" --state "$STATE"
check "rewritten entry: exit 1" 1 "$RC"
check_match "rewritten entry: named by seq" "the audit chain is broken at entry seq $(sql $DB "SELECT seq FROM dbchange.audit WHERE chain_pos = $SAVED + 1")" "$ERR"
check "rewritten entry: the state file is unchanged" "$KEPT" "$(cat "$STATE")"
run audit-verify -d "$D" --state "$STATE" --json
check "rewritten entry --json: broken_seq" "$(sql $DB "SELECT seq FROM dbchange.audit WHERE chain_pos = $SAVED + 1")" "$(json_get 'j["broken_seq"]')"
tamper "UPDATE dbchange.audit SET actor = 'postgres' WHERE chain_pos = $SAVED + 1"
run audit-verify -d "$D" --state "$STATE"
check "put back: exit 0" 0 "$RC"

# ---- cut back below the saved head: the whole-chain check cannot see it, --state does ----
SAVED=$(head_pos)
KEPT=$(cat "$STATE")
tamper "DELETE FROM dbchange.audit WHERE chain_pos >= $SAVED - 1"
run audit-verify -d "$D"
check "cut back: the whole chain alone still looks intact" 0 "$RC"
run audit-verify -d "$D" --state "$STATE"
check "cut back: exit 1" 1 "$RC"
check_match "cut back: said, naming the saved entry" "the audit chain was cut back: entry $SAVED" "$ERR"
check "cut back: the state file is unchanged" "$KEPT" "$(cat "$STATE")"

# ---- red team: the state file is the check's anchor ----
# writing it never follows a name someone prepared beside it (it used to write FILE.tmp,
# a symbolic link there made it overwrite another file of the user's)
rm -f "$STATE"   # (cut back above: start a new one)
echo "precious" >"$CLI_TMP/victim"
ln -s "$CLI_TMP/victim" "$STATE.tmp"
run audit-verify -d "$D" --state "$STATE"
check "a symbolic link beside the state file: exit 0" 0 "$RC"
check "a symbolic link beside the state file: the file it points to is untouched" "precious" "$(cat "$CLI_TMP/victim")"
check "the state file holds the head" "$(sql $DB "SELECT chain_pos || ' ' || hash FROM dbchange.audit_head()")" "$(cat "$STATE")"
check "the state file is readable and writable by its owner only" "600" "$(stat -c %a "$STATE")"
rm -f "$STATE.tmp"
# a state file others may write is refused, and left as it is
KEPT=$(cat "$STATE")
chmod 666 "$STATE"
run audit-verify -d "$D" --state "$STATE"
check "a world-writable state file: exit 1" 1 "$RC"
check_match "a world-writable state file: says so" "is writable by everyone \\(mode 0666\\)" "$ERR"
check "a world-writable state file: left as it was" "$KEPT 666" "$(cat "$STATE") $(stat -c %a "$STATE")"
chmod 620 "$STATE"
run audit-verify -d "$D" --state "$STATE"
check "a group-writable state file: exit 1" 1 "$RC"
chmod 644 "$STATE"
if [ "$(id -u)" = 0 ] && chown nobody "$STATE" 2>/dev/null; then
	# another user's file (created before the first run, in a shared directory): refused
	run audit-verify -d "$D" --state "$STATE"
	check "a state file of another user: exit 1" 1 "$RC"
	check_match "a state file of another user: says so" "belongs to another user" "$ERR"
	chown 0 "$STATE"
fi
run audit-verify -d "$D" --state "$STATE"
check "a state file only its owner writes: exit 0" 0 "$RC"

# ---- bad input ----
echo "not a state" >"$CLI_TMP/bad.state"
run audit-verify -d "$D" --state "$CLI_TMP/bad.state"
check "bad state file: exit 1" 1 "$RC"
check_match "bad state file: says what it should hold" "is not an audit-verify state file" "$ERR"
check "bad state file: left as it was" "not a state" "$(cat "$CLI_TMP/bad.state")"
run audit-verify -d "$D" --state "$CLI_TMP"
check "a directory as state file: exit 1" 1 "$RC"
run status -d "$D" --state "$STATE"
check "--state on another command: exit 2" 2 "$RC"
run audit-verify extra -d "$D"
check "an argument: exit 2" 2 "$RC"

cli_valgrind_report
drop_db $DB
dbc_summary
