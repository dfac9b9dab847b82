#!/usr/bin/env bash
# CLI deploy DIR: versioned migrations applied in version order, each one
# change with a uid derived from its version (UUID v5) and the SHA-256 of its
# file; a rerun skips them; an edited applied file is checksum drift (exit 1,
# nothing applied); bad names, mixed schemes, duplicates, a down script
# without its up, an empty file: exit 1 before anything runs; a queued
# migration stops the run (exit 3) and a rerun after approval carries on.
cd "$(dirname "$0")/../.."
. regress/lib.sh
. regress/cli_lib.sh

DB=cli_deploy_db
PROD=cli_deploy_prod
ALICE=cli_deploy_alice
new_db $DB dev && new_db $PROD prod || { not_ok "setup"; dbc_summary; exit 1; }
require_api $DB submit approve
sql $PROD "SELECT * FROM dbchange.configure(rollout => 'auto')" >/dev/null
dbc_psql "$DBC_PORT" postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ALICE') THEN CREATE ROLE $ALICE LOGIN; END IF; END \$\$" \
	-c "GRANT dbchange_approver TO $ALICE" >/dev/null
D=$(conninfo $DB)
DP=$(conninfo $PROD)
NS=8c1d4f7e-3b2a-4e59-9a61-0f5d2c7b8e43
uid5() { python3 -c "import uuid,sys; print(uuid.uuid5(uuid.UUID('$NS'), sys.argv[1]))" "migration:$1"; }

M=$CLI_TMP/migrations
mkdir -p "$M"
echo "CREATE TABLE dep_users (id int PRIMARY KEY);" >"$M/V1__create_users.sql"
echo "DROP TABLE dep_users;" >"$M/U1__create_users.sql"
printf 'ALTER TABLE dep_users ADD COLUMN name text;\nCREATE INDEX dep_users_name ON dep_users (name);\n' >"$M/V2__add_name.sql"
echo "ALTER TABLE dep_users DROP COLUMN name;" >"$M/V2__add_name.down.sql"
echo "CREATE TABLE dep_orders (id int, user_id int REFERENCES dep_users);" >"$M/V10__orders.sql"
echo "not a migration, ignored" >"$M/README.md"

run deploy "$M" -d "$D"
check "deploy: exit 0" 0 "$RC"
check_match "deploy: summary" "deployed: 3 applied, 0 already applied, 3 in folder" "$OUT"
check "deploy: in version order (V2 before V10)" "V1__create_users.sql V2__add_name.sql V10__orders.sql" \
	"$(printf '%s\n' "$OUT" | awk '$1 == "applied" {print $2}' | tr '\n' ' ' | sed 's/ $//')"
check "deploy: three migration changes" 3 "$(sql $DB "SELECT count(*) FROM dbchange.changes WHERE source = 'migration' AND status = 'applied'")"
check "deploy: uid of V1 is UUID v5 of its version" "$(uid5 1)" "$(sql $DB "SELECT uid FROM dbchange.changes WHERE statement LIKE '%CREATE TABLE dep_users%'")"
check "deploy: uid of V10 is UUID v5 of its version" "$(uid5 10)" "$(sql $DB "SELECT uid FROM dbchange.changes WHERE statement LIKE '%dep_orders%'")"
check "deploy: checksum is the file's SHA-256" "$(sha256sum "$M/V2__add_name.sql" | cut -d' ' -f1)" \
	"$(sql $DB "SELECT checksum FROM dbchange.changes WHERE statement LIKE '%ADD COLUMN name%'")"
check "deploy: the description comes from the file name" "add name" "$(sql $DB "SELECT description FROM dbchange.changes WHERE statement LIKE '%ADD COLUMN name%'")"
check "deploy: U1 is V1's down script" "DROP TABLE dep_users;" "$(sql $DB "SELECT down_script FROM dbchange.change WHERE statement LIKE '%CREATE TABLE dep_users%'")"
check "deploy: V2.down.sql is V2's down script" "ALTER TABLE dep_users DROP COLUMN name;" "$(sql $DB "SELECT down_script FROM dbchange.change WHERE statement LIKE '%ADD COLUMN name%'")"
check "deploy: the schema is there" "t" "$(sql $DB "SELECT to_regclass('dep_orders') IS NOT NULL")"

# rerun: nothing to do
run deploy "$M" -d "$D"
check "deploy rerun: exit 0" 0 "$RC"
check_match "deploy rerun: all skipped" "deployed: 0 applied, 3 already applied" "$OUT"
check "deploy rerun: no new change" 3 "$(sql $DB "SELECT count(*) FROM dbchange.changes WHERE source = 'migration'")"

# a new migration plus an edited applied one: drift, nothing runs
echo "CREATE TABLE dep_new (id int);" >"$M/V11__new.sql"
echo "CREATE TABLE dep_users (id bigint PRIMARY KEY);" >"$M/V1__create_users.sql"
run deploy "$M" -d "$D"
check "checksum drift: exit 1" 1 "$RC"
check_match "checksum drift: names the file" "dbchange: error: checksum drift: \"V1__create_users.sql\" was changed after it was applied" "$ERR"
check "checksum drift: later migrations not applied" "" "$(sql $DB "SELECT to_regclass('dep_new')")"
echo "CREATE TABLE dep_users (id int PRIMARY KEY);" >"$M/V1__create_users.sql"
run deploy "$M" -d "$D" --json
check "deploy after restoring the file: exit 0" 0 "$RC"
check_json "deploy --json is valid JSON"
check "deploy --json: one applied" 1 "$(json_get 'j["applied"]')"
check "deploy --json: three skipped" 3 "$(json_get 'j["skipped"]')"

# dry run on a fresh database changes nothing
new_db cli_deploy_dry dev
run deploy "$M" -d "$(conninfo cli_deploy_dry)" --dry-run
if sql cli_deploy_dry "SELECT 1 FROM pg_proc WHERE proname = 'evaluate' AND pronamespace = 'dbchange'::regnamespace" | grep -q 1; then
	check "deploy --dry-run: exit 0" 0 "$RC"
	check_match "deploy --dry-run: says what would run" "would approve +V1__create_users.sql" "$OUT"
else
	check "deploy --dry-run without evaluate(): exit 1" 1 "$RC"
fi
check "deploy --dry-run: nothing changed" "0|" "$(sql cli_deploy_dry "SELECT count(*), to_regclass('dep_users') FROM dbchange.changes" )"
check_match "deploy --dry-run: a summary line" "dry run: [0-9]+ would apply, 0 would be queued, 0 would be rejected, 0 already applied" "$OUT"
drop_db cli_deploy_dry

# a dry run exits with what a real run would: 3 when a migration would be queued,
# 4 when one would be rejected -- and still evaluates every migration
n_migrations=$(ls "$M"/V*.sql | grep -vc '\.down\.sql$')
check "deploy --dry-run: several migrations to evaluate" yes "$([ "$n_migrations" -gt 1 ] && echo yes)"
for verdict in queue:3 reject:4; do
	new_db cli_deploy_dryq prod
	sql cli_deploy_dryq "SELECT count(*) FROM dbchange.configure(default_action => '${verdict%%:*}')" >/dev/null
	run deploy "$M" -d "$(conninfo cli_deploy_dryq)" --dry-run
	check "deploy --dry-run, default action ${verdict%%:*}: exit ${verdict#*:}" "${verdict#*:}" "$RC"
	check "deploy --dry-run, default action ${verdict%%:*}: every migration evaluated" "$n_migrations" "$(printf '%s\n' "$OUT" | grep -c '^would ')"
	check "deploy --dry-run, default action ${verdict%%:*}: nothing changed" "0" "$(sql cli_deploy_dryq "SELECT count(*) FROM dbchange.changes")"
	run deploy "$M" -d "$(conninfo cli_deploy_dryq)" --dry-run --json
	check "deploy --dry-run --json, default action ${verdict%%:*}: exit_code" "${verdict#*:}" "$(json_get 'j["exit_code"]')"
	# a migration of three statements: the reason they share is said once
	mkdir -p "$CLI_TMP/multi"
	printf 'CREATE TABLE dm_a (id int);\nCREATE TABLE dm_b (id int);\nCREATE TABLE dm_c (id int);\n' >"$CLI_TMP/multi/V1__three.sql"
	run deploy "$CLI_TMP/multi" -d "$(conninfo cli_deploy_dryq)" --dry-run
	check "deploy --dry-run, three statements: the shared reason once" 1 "$(printf '%s\n' "$OUT" | grep -o 'no policy has an opinion' | wc -l)"
	drop_db cli_deploy_dryq
done

# timestamped scheme, and the second folder of the same database
T=$CLI_TMP/ts
mkdir -p "$T"
echo "CREATE TABLE dep_ts1 (id int);" >"$T/20240102_090000_first.sql"
echo "CREATE TABLE dep_ts2 (id int);" >"$T/20240102_100500_second_one.sql"
echo "DROP TABLE dep_ts2;" >"$T/20240102_100500_second_one.down.sql"
run deploy "$T" -d "$D"
check "timestamped migrations: exit 0" 0 "$RC"
check "timestamped: uid from the timestamp" "$(uid5 20240102_100500)" "$(sql $DB "SELECT uid FROM dbchange.changes WHERE statement LIKE '%dep_ts2%'")"
check "timestamped: description" "second one" "$(sql $DB "SELECT description FROM dbchange.changes WHERE statement LIKE '%dep_ts2%'")"

# bad folders: exit 1 before anything runs
bad() { # NAME FILE... -> a folder with those (empty-bodied unless given)
	rm -rf "$CLI_TMP/bad"
	mkdir -p "$CLI_TMP/bad"
	for f in "$@"; do echo "CREATE TABLE dep_bad_$RANDOM (id int);" >"$CLI_TMP/bad/$f"; done
}
count_before=$(sql $DB "SELECT count(*) FROM dbchange.changes")
bad V1__a.sql create_things.sql
run deploy "$CLI_TMP/bad" -d "$D"
check "a .sql file with another name: exit 1" 1 "$RC"
check_match "a .sql file with another name: named with the rule" "\"create_things.sql\" .* is not a migration file name" "$ERR"
bad V1__a.sql 20240101_000000_b.sql
run deploy "$CLI_TMP/bad" -d "$D"
check "mixed naming schemes: exit 1" 1 "$RC"
check_match "mixed naming schemes: said" "different naming schemes" "$ERR"
bad V1__a.sql V01__b.sql
run deploy "$CLI_TMP/bad" -d "$D"
check "duplicate version: exit 1" 1 "$RC"
check_match "duplicate version: said" "have the same version 1" "$ERR"
bad V1__a.sql U2__b.sql
run deploy "$CLI_TMP/bad" -d "$D"
check "down script without its up: exit 1" 1 "$RC"
check_match "down script without its up: said" "has no up migration with version 2" "$ERR"
bad V1__.sql
run deploy "$CLI_TMP/bad" -d "$D"
check "no description: exit 1" 1 "$RC"
bad 20241340_000000_x.sql
run deploy "$CLI_TMP/bad" -d "$D"
check "impossible timestamp: exit 1" 1 "$RC"
bad V1__a.sql V2__b.sql
: >"$CLI_TMP/bad/V2__b.sql"
run deploy "$CLI_TMP/bad" -d "$D"
check "an empty migration: exit 1" 1 "$RC"
check_match "an empty migration: named" "V2__b.sql\" is empty" "$ERR"
check "nothing of the bad folders ran" "$count_before" "$(sql $DB "SELECT count(*) FROM dbchange.changes")"
run deploy "$CLI_TMP/nonexistent" -d "$D"
check "missing folder: exit 1" 1 "$RC"
check_match "missing folder: said" "cannot open migrations folder" "$ERR"
run deploy "$M/V2__add_name.sql" -d "$D"
check "a file instead of a folder: exit 1" 1 "$RC"
check_match "a file instead of a folder: hint to submit" "dbchange submit FILE" "$ERR"

# a failing migration: exit 1, named, the ones before it stay applied
F=$CLI_TMP/failing
mkdir -p "$F"
echo "CREATE TABLE dep_f1 (id int);" >"$F/V1__ok.sql"
printf 'CREATE TABLE dep_f2 (id int);\nALTER TABLE dep_nope ADD COLUMN x int;\n' >"$F/V2__broken.sql"
echo "CREATE TABLE dep_f3 (id int);" >"$F/V3__after.sql"
new_db cli_deploy_f dev
run deploy "$F" -d "$(conninfo cli_deploy_f)"
check "failing migration: exit 1" 1 "$RC"
check_match "failing migration: file, line, error" "V2__broken.sql:2: relation \"dep_nope\" does not exist" "$ERR"
check "failing migration: the one before is applied, it and the later not" "t||" \
	"$(sql cli_deploy_f "SELECT to_regclass('dep_f1') IS NOT NULL, to_regclass('dep_f2'), to_regclass('dep_f3')")"
drop_db cli_deploy_f

# queued in prod: exit 3, stop; approve (rollout auto applies); rerun carries on
run deploy "$M" -d "$DP"
check "deploy to prod (approves by default): exit 0" 0 "$RC"
sql $PROD "SELECT * FROM dbchange.configure(default_action => 'queue')" >/dev/null
echo "CREATE TABLE dep_q1 (id int);" >"$M/V12__q1.sql"
echo "CREATE TABLE dep_q2 (id int);" >"$M/V13__q2.sql"
run deploy "$M" -d "$DP"
check "queued migration: exit 3" 3 "$RC"
check_match "queued migration: named with its change" "queued +V12__q1.sql +\\(change [0-9]+\\)" "$OUT"
check "queued migration: the next one not submitted" "0" "$(sql $PROD "SELECT count(*) FROM dbchange.changes WHERE statement LIKE '%dep_q2%'")"
run deploy "$M" -d "$DP"
check "rerun while still queued: exit 3" 3 "$RC"
check_match "rerun while still queued: says it waits" "waiting +V12__q1.sql" "$OUT"
check "rerun while still queued: not submitted twice" 1 "$(sql $PROD "SELECT count(*) FROM dbchange.changes WHERE statement LIKE '%dep_q1%'")"
QID=$(sql $PROD "SELECT id FROM dbchange.changes WHERE statement LIKE '%dep_q1%'")
run approve "$QID" -d "$(conninfo $PROD $ALICE)"
check "approve the queued migration: exit 0" 0 "$RC"
sql $PROD "SELECT * FROM dbchange.configure(default_action => 'approve')" >/dev/null
run deploy "$M" -d "$DP"
check "rerun after approval: exit 0" 0 "$RC"
check_match "rerun after approval: carries on" "deployed: 1 applied" "$OUT"
check "every migration exactly once in prod" "6|6" "$(sql $PROD "SELECT count(*), count(DISTINCT uid) FROM dbchange.changes WHERE source = 'migration' AND status = 'applied'")"

# red team: a file committed to the folder as a symbolic link to a file of the
# deployer's (~/.pgpass) was read, and its first line printed as the failing
# statement; a link to /dev/zero or a FIFO never ended
L=$CLI_TMP/links
mkdir -p "$L/m"
echo "db1.internal:5432:*:deployer:S3cretDeployPW" >"$L/pgpass"
chmod 600 "$L/pgpass"
echo "CREATE TABLE dep_link1 (id int);" >"$L/m/V1__first.sql"
ln -s "$L/pgpass" "$L/m/V2__innocent.sql"
new_db cli_deploy_link dev
run deploy "$L/m" -d "$(conninfo cli_deploy_link)"
check "a link out of the folder: exit 1" 1 "$RC"
check_match "a link out of the folder: named" "V2__innocent.sql\" is a symbolic link that leads out of" "$ERR"
if printf '%s\n%s' "$OUT" "$ERR" | grep -q "S3cret"; then not_ok "the linked file is not printed"; else ok "the linked file is not printed"; fi
check "a link out of the folder: nothing applied" 0 "$(sql cli_deploy_link "SELECT count(*) FROM dbchange.changes")"
rm "$L/m/V2__innocent.sql"
mkfifo "$L/m/V2__fifo.sql"
# a writer that gives up, so that a CLI which opens the FIFO does not hang the driver
timeout 15 sh -c "echo 'SELECT 1;' >'$L/m/V2__fifo.sql'" &
run deploy "$L/m" -d "$(conninfo cli_deploy_link)"
check_match "a FIFO in the folder: refused, not waited for" "V2__fifo.sql\" is not a regular file" "$ERR"
rm "$L/m/V2__fifo.sql"
mkdir -p "$L/m/shared"
echo "CREATE TABLE dep_link2 (id int);" >"$L/m/shared/two.sql"
ln -s shared/two.sql "$L/m/V2__again.sql"
run deploy "$L/m" -d "$(conninfo cli_deploy_link)"
check "a link inside the folder: exit 0" 0 "$RC"
check_match "a link inside the folder is read" "applied +V2__again.sql" "$OUT"
drop_db cli_deploy_link

# a migration that begins with SET search_path (Flyway/Sqitch/hand-written, or
# pg_dump's set_config): judged and run on the path it sets, not the session's
new_db cli_deploy_path dev
sql cli_deploy_path "SET dbchange.enforce = off; CREATE SCHEMA billing; CREATE TABLE billing.invoices (id int); CREATE TABLE public.invoices (id int)" >/dev/null
SP=$CLI_TMP/path_migrations
mkdir -p "$SP"
printf -- '-- billing accounts\nSET search_path = billing, public;\nCREATE TABLE accounts (id int PRIMARY KEY);\nALTER TABLE invoices ADD COLUMN account_id int REFERENCES accounts;\n' >"$SP/V1__billing_accounts.sql"
printf "SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE billing.notes (id int);\n" >"$SP/V2__dump_style.sql"
run deploy "$SP" -d "$(conninfo cli_deploy_path)" --dry-run
check "SET search_path migration, dry run: exit 0" 0 "$RC"
run deploy "$SP" -d "$(conninfo cli_deploy_path)"
check "SET search_path migration: exit 0" 0 "$RC"
check_match "SET search_path migration: both applied" "deployed: 2 applied" "$OUT"
check "SET search_path migration: billing.accounts created, not public.accounts" "t|t|t" \
	"$(sql cli_deploy_path "SELECT to_regclass('billing.accounts') IS NOT NULL, to_regclass('public.accounts') IS NULL, to_regclass('billing.notes') IS NOT NULL" | tr '\n' '|' | sed 's/|$//')"
check "SET search_path migration: billing.invoices altered, public.invoices not" "1|0" \
	"$(sql cli_deploy_path "SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = 'billing.invoices'::regclass AND attname = 'account_id'), (SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.invoices'::regclass AND attname = 'account_id')" | tr '\n' '|' | sed 's/|$//')"
check "SET search_path migration: recorded as judged" "billing.invoices" \
	"$(sql cli_deploy_path "SELECT s.facts->>'identity' FROM dbchange.change_statement s JOIN dbchange.changes c ON c.id = s.change_id WHERE c.description = 'billing accounts' AND s.statement_no = 3")"
drop_db cli_deploy_path

cli_valgrind_report
drop_db $DB
drop_db $PROD
dbc_summary
