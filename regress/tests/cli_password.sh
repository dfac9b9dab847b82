#!/usr/bin/env bash
# CLI password prompt: when the server wants a password libpq does not have,
# the CLI asks on the terminal (/dev/tty, no echo) and connects; -w never
# asks; a wrong password is a prefixed error.  Needs a cluster that asks for
# passwords, so this driver starts its own (scram-sha-256 for one role).
cd "$(dirname "$0")/../.."
. regress/lib.sh
. regress/cli_lib.sh

PORT=$((DBC_PORT + 7))
if ! command -v script >/dev/null; then
	echo "# skip: no script(1) to give the CLI a terminal"
	dbc_summary
	exit 0
fi
dbc_pg_start cli_pw "$PORT" yes || { not_ok "start a cluster that asks for passwords"; dbc_summary; exit 1; }
trap 'dbc_pg_stop cli_pw; rm -rf "$CLI_TMP"' EXIT
dbc_psql "$PORT" postgres -c "CREATE ROLE cli_pw_user LOGIN PASSWORD 'sekret 42'" -c "CREATE DATABASE cli_pw_db" >/dev/null
dbc_psql "$PORT" cli_pw_db -c "CREATE EXTENSION dbchange" >/dev/null
HBA=$DBC_BASE/pg-cli_pw/pg_hba.conf
{ echo "local all cli_pw_user scram-sha-256"; cat "$HBA"; } >"$CLI_TMP/hba" && cat "$CLI_TMP/hba" >"$HBA"
dbc_psql "$PORT" postgres -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
C="host=$DBC_SOCK port=$PORT user=cli_pw_user dbname=cli_pw_db"

run status -w -d "$C"
check "-w and a password needed: exit 1" 1 "$RC"
check_match "-w: libpq's reason, prefixed" "^dbchange: error: could not connect .*password" "$ERR"

# the terminal: script(1) gives the CLI a pty; the password is typed once the prompt is up
typed() { # PASSWORD -> runs "status" with the password typed at the prompt; sets OUT, RC
	local wait=1
	[ "${DBC_VALGRIND:-0}" = 1 ] && wait=4
	OUT=$( (sleep $wait; printf '%s\n' "$1"; sleep $wait) |
		script -qec "$(printf '%q ' "$DBC_CLI" status -d "$C")" /dev/null 2>&1)
	RC=$?
}
typed "sekret 42"
check "password typed at the prompt: exit 0" 0 "$RC"
check_match "the prompt names the user" "Password for user cli_pw_user:" "$OUT"
check_match "connected after the prompt" "environment +dev" "$OUT"
if printf '%s' "$OUT" | grep -q "sekret"; then not_ok "the typed password is not echoed"; else ok "the typed password is not echoed"; fi
typed "wrong"
check "wrong password: exit 1" 1 "$RC"
check_match "wrong password: prefixed error" "dbchange: error: could not connect .*password authentication failed" "$OUT"
PGPASSWORD="sekret 42" run status -d "$C"
check "PGPASSWORD: no prompt needed, exit 0" 0 "$RC"

# a password on the command line does not show in ps: the CLI overwrites it
# in the memory /proc/PID/cmdline reads (the script is a FIFO, so the CLI
# waits while its command line is read)
cmdline_raw() { # ARGS... (after "submit FIFO") -> the CLI's command line as ps sees it
	rm -f "$CLI_TMP/script.fifo"; mkfifo "$CLI_TMP/script.fifo"
	"$DBC_CLI" submit "$CLI_TMP/script.fifo" "$@" >"$CLI_TMP/fifo.out" 2>&1 &
	local pid=$! line=""
	for _ in $(seq 1 50); do
		line=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
		[ -n "$line" ] && break
		sleep 0.1
	done
	sleep 0.3
	line=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
	echo "SELECT 1;" >"$CLI_TMP/script.fifo"
	wait $pid
	printf '%s' "$line"
}
cmdline_of() { # CONNINFO -> the same, for "-d CONNINFO"
	cmdline_raw -d "$1"
}
LINE=$(cmdline_of "$C password='sekret 42'")
check_match "ps: the connection string's password is overwritten" "password=x{11} " "$LINE"
if printf '%s' "$LINE" | grep -q "sekret"; then not_ok "ps: no password (key/value)"; else ok "ps: no password (key/value)"; fi
if grep -q "password authentication failed" "$CLI_TMP/fifo.out"; then not_ok "the scrubbed password still reached libpq"; else ok "the scrubbed password still reached libpq"; fi
LINE=$(cmdline_of "postgresql://cli_pw_user:sekret%2042@/cli_pw_db?host=$DBC_SOCK&port=$PORT")
check_match "ps: the URI's password is overwritten" "postgresql://cli_pw_user:x{11}@/cli_pw_db" "$LINE"
if grep -q "password authentication failed" "$CLI_TMP/fifo.out"; then not_ok "the URI's password still reached libpq"; else ok "the URI's password still reached libpq"; fi

# red team: every way of writing a password libpq accepts is overwritten, the
# CLI still connects with it, and no message quotes it
U="postgresql://cli_pw_user@/cli_pw_db?host=$DBC_SOCK&port=$PORT"
for form in "--dbname=password='sekret 42' $C" "-dpassword='sekret 42' $C" "--dbname=$C password = 'sekret 42'" \
	"--dbname=$U&%70assword=sekret%2042" "--dbname=$C password='sekret 42' application_name=mysql://x" \
	"--dbname=postgresql://cli_pw_user:sekret%2042@/cli_pw_db?host=$DBC_SOCK&port=$PORT&application_name=mysql://x"; do
	LINE=$(cmdline_raw "$form")
	if printf '%s' "$LINE" | grep -q "sekret"; then not_ok "ps: no password in [$LINE]"; else ok "ps: no password (${form:0:24}...)"; fi
	if grep -q "applied: change" "$CLI_TMP/fifo.out"; then ok "connected with the scrubbed password"; else not_ok "connected with the scrubbed password: $(cat "$CLI_TMP/fifo.out")"; fi
done
run status -w -d "postgresql://cli_pw_user:sekret%zz42@/cli_pw_db?host=$DBC_SOCK&port=$PORT"
check "a malformed escape in the URI's password: exit 1" 1 "$RC"
check_match "libpq's reason, without the token" 'invalid percent-encoded token: "\.\.\."' "$ERR"
run status -w -d "postgresql://cli_pw_user:sekret42@[::1/cli_pw_db"
check_match "an unclosed IPv6 host: libpq's reason, without the URI" 'IPv6 host address in URI: "\.\.\."' "$ERR"
run status -w -d "$C password=sekret 42"
check_match "an unquoted space in the password: libpq's reason, without the word" 'missing "=" after "\.\.\."' "$ERR"
run status -w -d "$U&sslmod=x"
check_match "no password: libpq's quotes are kept" 'invalid URI query parameter: "sslmod"' "$ERR"
run status --dbnmae="postgresql://cli_pw_user:sekret42@/cli_pw_db"
check_match "an unknown option: its name only" 'unknown option "--dbnmae"$' "$ERR"
if printf '%s' "$ERR" | grep -q "sekret"; then not_ok "no message quotes a password"; else ok "no message quotes a password"; fi

cli_valgrind_report
dbc_summary
