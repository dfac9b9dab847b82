#!/usr/bin/env bash
# regress/tests/doc_policies.sh -- the example policies of the documentation
# work when pasted: every ```lua block of README.md and docs/*.md that is a
# whole policy (a chunk with a top-level "return {") is accepted by
# set_policy() (it compiles, has the contract's shape and passes its own
# tests), and test_policies() then passes all of their tests.
set -u
cd "$(dirname "$0")/../.."
. regress/lib.sh
P=${DBC_PORT:?run from regress/run-all.sh or set DBC_PORT}
DB=regress_doc_policies
TMP=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

dbc_psql "$P" postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" \
	-c "CREATE DATABASE $DB" >/dev/null
dbc_psql "$P" "$DB" -c "SET client_min_messages = warning" -c "CREATE EXTENSION dbchange" >/dev/null

# one file per lua block: TMP/<doc, / as +>_<line>.lua
for doc in README.md docs/*.md; do
	awk -v out="$TMP/${doc//\//+}" '
		/^```lua/ { inblock = 1; file = out "_" NR ".lua"; next }
		/^```/ && inblock { inblock = 0; close(file); next }
		inblock { print > file }' "$doc"
done

n=0
for f in "$TMP"/*.lua; do
	[ -e "$f" ] || continue
	grep -q '^return {' "$f" || continue	# a fragment, not a whole policy
	n=$((n + 1))
	where=$(basename "$f" .lua)
	where=${where//+//}
	out=$(dbc_psql "$P" "$DB" -At -v ON_ERROR_STOP=0 -v "src=$(cat "$f")" \
		-c '\set VERBOSITY terse' -f - 2>&1 <<SQL
SELECT dbchange.set_policy('doc$n', :'src');
SQL
	)
	check_match "the example policy of ${where/_/ line } is accepted by set_policy" \
		"^policy \"doc$n\" created \\([0-9]+ tests? passed\\)\$" "$out"
done
check_match "the documentation has example policies" '^[3-9]|^[1-9][0-9]' "$n"
check "test_policies(): every test of the example policies passes" "0" \
	"$(dbc_psql "$P" "$DB" -At -c "SELECT count(*) FROM dbchange.test_policies() WHERE NOT passed")"

# Every check id a stock policy can give (a string like "attach-partition-scan"
# in its code, before its tests) is described in the policy's header comment and
# in docs/stock-policies.md: a new check does not go undocumented.
for f in lua_policies/*.lua; do
	missing=""
	for id in $(awk '/^  tests = \{/ { exit } { print }' "$f" | grep -oE '"[a-z][a-z0-9]*(-[a-z0-9]+)+"' | tr -d '"' | sort -u); do
		awk '/^\]\]/ { exit } { print }' "$f" | grep -q -- "$id" || missing="$missing $id(header)"
		grep -q -- "$id" docs/stock-policies.md || missing="$missing $id(docs)"
	done
	check "$(basename "$f"): every check id is documented" "" "${missing# }"
done

dbc_psql "$P" postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
dbc_summary
[ "$DBC_FAIL" = 0 ]
