# regress/cli_lib.sh -- helpers of the CLI drivers (regress/tests/cli_*.sh).
# Source after regress/lib.sh.  Uses the cluster run-all.sh started
# ($DBC_PORT) and the CLI it installed ($DBC_CLI).
#
#   DBC_VALGRIND=1   run every CLI call under valgrind (memcheck, full leak
#                    check); any error makes the call exit 99 and is listed
#                    by cli_valgrind_report at the end of the driver.

: "${DBC_PORT:?run the drivers through regress/run-all.sh, or export DBC_PORT}"
CLI_TMP=$(mktemp -d /tmp/dbc-cli.XXXXXX)
chmod 755 "$CLI_TMP"
trap 'rm -rf "$CLI_TMP"' EXIT

# The libpq connection string of database $1 (as user $2, default postgres).
conninfo() { echo "host=$DBC_SOCK port=$DBC_PORT user=${2:-postgres} dbname=$1"; }

# cli ARGS...: the CLI, under valgrind when asked.
cli() {
	if [ "${DBC_VALGRIND:-0}" = 1 ]; then
		valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
			--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
			--log-file="$CLI_TMP/valgrind.%p" "$DBC_CLI" "$@"
	else
		"$DBC_CLI" "$@"
	fi
}

# run ARGS...: the CLI with stdout in $OUT, stderr in $ERR, exit status in $RC.
run() {
	cli "$@" >"$CLI_TMP/out" 2>"$CLI_TMP/err"
	RC=$?
	OUT=$(cat "$CLI_TMP/out")
	ERR=$(cat "$CLI_TMP/err")
}

# sql DB QUERY: one value per line, unaligned.
sql() { dbc_psql "$DBC_PORT" "$1" -At -c "$2"; }

# new_db NAME ENVIRONMENT: a fresh database with dbchange, configured.
new_db() {
	dbc_psql "$DBC_PORT" postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1
	dbc_psql "$DBC_PORT" postgres -c "CREATE DATABASE $1" >/dev/null &&
		dbc_psql "$DBC_PORT" "$1" -c "CREATE EXTENSION dbchange" \
			-c "SELECT * FROM dbchange.configure(environment => '$2')" >/dev/null
}

drop_db() { dbc_psql "$DBC_PORT" postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1; }

# Is the JSON on stdout valid?  check_json DESCRIPTION
check_json() {
	if printf '%s' "$OUT" | python3 -m json.tool >/dev/null 2>"$CLI_TMP/json.err"; then
		ok "$1"
	else
		not_ok "$1 ($(cat "$CLI_TMP/json.err"): [$OUT])"
	fi
}

# json_get EXPR: evaluate a Python expression on the parsed stdout (as j).
json_get() { printf '%s' "$OUT" | python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# At the end of a driver: one check line for valgrind, when it ran.
cli_valgrind_report() {
	[ "${DBC_VALGRIND:-0}" = 1 ] || return 0
	local logs
	logs=$(cat "$CLI_TMP"/valgrind.* 2>/dev/null)
	if [ -z "$logs" ]; then
		ok "valgrind: no errors and no leaks in $(ls "$CLI_TMP"/valgrind.* 2>/dev/null | wc -l) CLI runs"
	else
		not_ok "valgrind found problems"
		printf '%s\n' "$logs" | head -80
	fi
}

# has_api DB FUNCTION: does dbchange.FUNCTION exist in DB?
has_api() { [ "$(sql "$1" "SELECT count(*) > 0 FROM pg_proc WHERE proname = '$2' AND pronamespace = 'dbchange'::regnamespace")" = t ]; }

# require_api DB FUNCTION...: end the driver (0 passed, 0 failed, a skip
# line) when this build lacks a part of the SQL API the driver exercises.
require_api() {
	local db=$1 f
	shift
	for f in "$@"; do
		if ! has_api "$db" "$f"; then
			echo "# skip: dbchange.$f() is not in this build; $(basename "$0") needs it"
			dbc_summary
			exit 0
		fi
	done
}
