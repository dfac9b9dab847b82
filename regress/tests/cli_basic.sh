#!/usr/bin/env bash
# CLI basics: --help, --version, usage errors (exit 2), connection failures
# and a database without the extension (exit 1, "dbchange: " messages),
# bad files, read-only commands, --json validity, Ctrl-C cancelling a query.
cd "$(dirname "$0")/../.."
. regress/lib.sh
. regress/cli_lib.sh

DB=cli_basic_db
NOEXT=cli_basic_noext
new_db $DB dev || { not_ok "setup"; dbc_summary; exit 1; }
drop_db $NOEXT
dbc_psql "$DBC_PORT" postgres -c "CREATE DATABASE $NOEXT" >/dev/null
D=$(conninfo $DB)

# ---- help, version, usage ----
run --help
check "--help exits 0" 0 "$RC"
for word in status pending show history approve reject apply submit deploy promote "policy push" "policy test" metrics audit-verify \
	--dbname --from --to --json --quiet --dry-run --message --down --limit --state --no-password --no-color --help --version \
	"Connection options" "Output options" "Command options" "General options" "Exit status"; do
	check_match "--help lists $word" "$word" "$OUT"
done
run -?
check "-? exits 0 like --help" 0 "$RC"
run help submit
check_match "help submit prints its usage" "usage: dbchange submit FILE" "$OUT"
run submit --help
check_match "submit --help prints its usage and options" "--down=FILE" "$OUT"
check_match "submit --help: -m is the change's description" "--message=TEXT +the change's description" "$OUT"
run reject --help
check_match "reject --help: -m is the reason" "--message=TEXT +why the change is rejected" "$OUT"
check "reject --help: not the general list of -m's meanings" 0 "$(grep -c 'description (submit)' <<<"$OUT")"
run status --help
check "status --help: exit 0" 0 "$RC"
check "status --help: no empty options heading" 0 "$(grep -c 'Options of this command' <<<"$OUT")"
check_match "status --help: says it has no options of its own" "no options of its own" "$OUT"
run policy --help
check "policy --help: exit 0, not a missing subcommand" 0 "$RC"
check_match "policy --help: lists policy push" "dbchange policy push DIR" "$OUT"
check_match "policy --help: lists policy test" "dbchange policy test DIR" "$OUT"
run help policy
check "help policy: exit 0" 0 "$RC"
check_match "help policy: lists its subcommands" "dbchange policy test DIR" "$OUT"
run policy
check "policy without a subcommand: still exit 2" 2 "$RC"
run --version
check "--version exits 0" 0 "$RC"
check_match "--version prints the version" "^dbchange [0-9]+\.[0-9]+" "$OUT"
run -V
check "-V exits 0" 0 "$RC"

run
check "no command: exit 2" 2 "$RC"
check_match "no command: prefixed message" "^dbchange: error: no command given" "$ERR"
run frobnicate
check "unknown command: exit 2" 2 "$RC"
check_match "unknown command: named" 'dbchange: error: unknown command "frobnicate"' "$ERR"
run --frobnicate status
check "unknown long option: exit 2" 2 "$RC"
check_match "unknown long option: named" 'unknown option "--frobnicate"' "$ERR"
run -Z status
check "unknown short option: exit 2" 2 "$RC"
check_match "unknown short option: named" 'unknown option "-Z"' "$ERR"
run status -d
check "option without its value: exit 2" 2 "$RC"
check_match "option without its value: named" 'option "-d" needs a value' "$ERR"
run status --down x.sql -d "$D"
check "option of another command: exit 2" 2 "$RC"
check_match "option of another command: said" '"--down" does not apply to "status"' "$ERR"
run show -d "$D"
check "missing argument: exit 2" 2 "$RC"
check_match "missing argument: usage shown" "usage: dbchange show ID" "$ERR"
run show 1 2 -d "$D"
check "too many arguments: exit 2" 2 "$RC"
run show abc -d "$D"
check "bad id: exit 2" 2 "$RC"
check_match "bad id: named" 'invalid change id "abc"' "$ERR"
run policy -d "$D"
check "policy without subcommand: exit 2" 2 "$RC"
check_match "policy without subcommand: lists them" '"policy push" "policy test"' "$ERR"
run reject 1 -d "$D"
check "reject without a reason: exit 2" 2 "$RC"
check_match "reject without a reason: says -m" "needs a reason" "$ERR"
run promote --from "$D"
check "promote without --to: exit 2" 2 "$RC"
run history --limit 0 -d "$D"
check "bad --limit: exit 2" 2 "$RC"

# ---- connections ----
run status -d "host=$DBC_SOCK port=1 user=postgres dbname=x"
check "unreachable server: exit 1" 1 "$RC"
check_match "unreachable server: prefixed message" "^dbchange: error: could not connect to the database given by -d" "$ERR"
check_match "unreachable server: hint" "dbchange: hint: " "$ERR"
run status -d "this is not a conninfo"
check "malformed connection string: exit 1" 1 "$RC"
check_match "malformed connection string: prefixed" "^dbchange: error: could not connect" "$ERR"
run status -d "postgresql://u:secretpw@/nodb?host=$DBC_SOCK&port=$DBC_PORT"
check "failing URI: exit 1" 1 "$RC"
if printf '%s' "$ERR" | grep -q secretpw; then not_ok "the password of a connection string is never echoed"; else ok "the password of a connection string is never echoed"; fi
run status -d "host=$DBC_SOCK port=$DBC_PORT user=postgres dbname=$NOEXT"
check "database without the extension: exit 1" 1 "$RC"
check_match "database without the extension: said" "dbchange extension is not installed in database \"$NOEXT\"" "$ERR"
check_match "database without the extension: hint" "CREATE EXTENSION dbchange" "$ERR"

# PG* variables and a service file name the environment too
PGHOST=$DBC_SOCK PGPORT=$DBC_PORT PGUSER=postgres PGDATABASE=$DB run status
check "PG* variables: exit 0" 0 "$RC"
check_match "PG* variables: environment shown" "environment +dev" "$OUT"
printf '[clitest]\nhost=%s\nport=%s\nuser=postgres\ndbname=%s\n' "$DBC_SOCK" "$DBC_PORT" "$DB" >"$CLI_TMP/pg_service.conf"
PGSERVICEFILE=$CLI_TMP/pg_service.conf run status -d service=clitest
check "service=NAME: exit 0" 0 "$RC"
PGSERVICEFILE=$CLI_TMP/pg_service.conf run status -d "postgresql:///$DB?service=clitest"
check "URI with a service: exit 0" 0 "$RC"
# application_name: the server sees "dbchange"
run status -d "$D" --json
check "status --json: exit 0" 0 "$RC"
check_json "status --json is valid JSON"
check "status --json names the environment" "dev" "$(json_get 'j["environment"]')"

# ---- read-only commands on a small history ----
sql $DB "CREATE TABLE basic_t (id int, note text)" >/dev/null
sql $DB "CREATE INDEX basic_i ON basic_t (id)" >/dev/null
sql $DB "COMMENT ON TABLE basic_t IS 'quote \" backslash \\ tab 	 newline
and unicode é ✓'" >/dev/null
ID=$(sql $DB "SELECT max(id) FROM dbchange.changes")
run history -d "$D"
check "history: exit 0" 0 "$RC"
check_match "history: lists the changes" "CREATE INDEX" "$OUT"
check_match "history: table header" "^id +status +command" "$OUT"
run history -d "$D" --json --limit 2
check_json "history --json is valid JSON"
check "history --limit 2 gives 2 rows" 2 "$(json_get 'len(j)')"
check "history --json: ids are numbers" "True" "$(json_get 'isinstance(j[0]["id"], int)')"
run show "$ID" -d "$D"
check "show: exit 0" 0 "$RC"
check_match "show: status line" "status +applied" "$OUT"
run show "$ID" -d "$D" --json
check_json "show --json with quotes, backslashes, tabs, newlines and unicode is valid JSON"
check "show --json keeps the exact statement" "True" \
	"$(json_get 'j["change"]["statement"].endswith("newline\nand unicode é ✓'"'"'")')"
check "show --json: reasons is an array" "True" "$(json_get 'isinstance(j["change"]["reasons"], list)')"
run show 999999 -d "$D"
check "show of an unknown change: exit 1" 1 "$RC"
check_match "show of an unknown change: said" "change 999999 does not exist" "$ERR"
run pending -d "$D"
check "pending: exit 0" 0 "$RC"
run pending -d "$D" --json
check_json "pending --json is valid JSON"
run status -d "$D"
check_match "status: counts by status" "changes +applied 3" "$OUT"
if has_api $DB metrics; then
	run metrics -d "$D"
	check "metrics: exit 0" 0 "$RC"
	run metrics -d "$D" --json
	check_json "metrics --json is valid JSON"
fi
NO_COLOR= run history -d "$D"
if printf '%s' "$OUT" | grep -q $'\033'; then not_ok "no colour codes when stdout is not a terminal"; else ok "no colour codes when stdout is not a terminal"; fi

# ---- files ----
run submit "$CLI_TMP/missing.sql" -d "$D"
check "missing file: exit 1" 1 "$RC"
check_match "missing file: named" "dbchange: error: cannot read \"$CLI_TMP/missing.sql\": No such file" "$ERR"
run submit "$CLI_TMP" -d "$D"
check "a directory as file: exit 1" 1 "$RC"
check_match "a directory as file: said" "is a directory" "$ERR"
echo "create table nope (id int);" >"$CLI_TMP/unreadable.sql"
chmod 000 "$CLI_TMP/unreadable.sql"
if [ "$(id -u)" != 0 ]; then
	run submit "$CLI_TMP/unreadable.sql" -d "$D"
	check "unreadable file: exit 1" 1 "$RC"
	check_match "unreadable file: said" "Permission denied" "$ERR"
else
	# root reads everything: check the same path as an unprivileged user
	chmod 755 "$CLI_TMP"
	out=$(runuser -u nobody -- "$DBC_CLI" submit "$CLI_TMP/unreadable.sql" -d "$D" 2>&1)
	rc=$?
	check "unreadable file: exit 1" 1 "$rc"
	check_match "unreadable file: said" "Permission denied" "$out"
fi
printf -- '-- only a comment\n\n  /* and a block */ ;\n' >"$CLI_TMP/empty.sql"
run submit "$CLI_TMP/empty.sql" -d "$D"
check "empty script: exit 1" 1 "$RC"
check_match "empty script: said" "is empty" "$ERR"
printf 'create table x (id int);\0garbage' >"$CLI_TMP/binary.sql"
run submit "$CLI_TMP/binary.sql" -d "$D"
check "binary file: exit 1" 1 "$RC"
check "nothing was submitted by the bad files" 3 "$(sql $DB "SELECT count(*) FROM dbchange.changes")"

# ---- Ctrl-C cancels the running query ----
if has_api $DB submit; then
printf 'CREATE TABLE slow AS SELECT 1 AS x FROM pg_sleep(30);\n' >"$CLI_TMP/slow.sql"
"$DBC_CLI" submit "$CLI_TMP/slow.sql" -d "$D" >"$CLI_TMP/slow.out" 2>&1 &
pid=$!
for _ in $(seq 1 50); do
	[ "$(sql $DB "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%dbchange.submit%' AND state = 'active' AND pid <> pg_backend_pid()")" = 1 ] && break
	sleep 0.1
done
start=$(date +%s)
kill -INT $pid
wait $pid
rc=$?
took=$(($(date +%s) - start))
check "Ctrl-C: exit 1" 1 "$rc"
check_match "Ctrl-C: the query was cancelled" "canceling statement due to user request" "$(cat "$CLI_TMP/slow.out")"
if [ "$took" -lt 10 ]; then ok "Ctrl-C: stopped at once (${took}s)"; else not_ok "Ctrl-C: took ${took}s"; fi
check "Ctrl-C: nothing was applied" "" "$(sql $DB "SELECT to_regclass('slow')")"
fi

cli_valgrind_report
drop_db $DB
drop_db $NOEXT
dbc_summary
