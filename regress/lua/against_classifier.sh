#!/bin/bash
# against_classifier.sh -- developer aid: run every stock policy test against facts from the
# real classifier (dbchange.classify) without the Lua engine, using the standalone lua5.4
# interpreter.  Needs a running cluster from regress/lib.sh with the extension installed:
#   . regress/lib.sh; dbc_stage_install; dbc_pg_start main $DBC_PORT_BASE yes
#   bash regress/lua/against_classifier.sh        (ALL=1 to print every decision)
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/regress/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dbc_psql "$DBC_PORT_BASE" postgres -qc "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS dbc_policy_facts" -c 'CREATE DATABASE dbc_policy_facts' >/dev/null
dbc_psql "$DBC_PORT_BASE" dbc_policy_facts -qc 'CREATE EXTENSION dbchange' >/dev/null
lua5.4 "$top/regress/lua/dump_tests.lua" "$top"/lua_policies/*.lua > "$tmp/tests.tsv"
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
rows = [l.rstrip('\n').split('\t', 2) for l in open(d + '/tests.tsv')]
with open(d + '/classify.sql', 'w') as f:
    for path, i, sql in rows:
        f.write("SELECT (SELECT json_agg(c)::text FROM dbchange.classify($qq$%s$qq$) c);\n" % sql)
PY
dbc_psql "$DBC_PORT_BASE" dbc_policy_facts -At -f "$tmp/classify.sql" > "$tmp/classify.out"
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
rows = [l.rstrip('\n').split('\t', 2) for l in open(d + '/tests.tsv')]
outs = [l.rstrip('\n') for l in open(d + '/classify.out')]
def lua(v):
    if v is None: return 'nil'
    if isinstance(v, bool): return 'true' if v else 'false'
    if isinstance(v, (int, float)): return repr(v)
    if isinstance(v, str): return json.dumps(v)
    if isinstance(v, list): return '{' + ','.join(lua(x) for x in v) + '}'
    return '{' + ','.join('[%s]=%s' % (json.dumps(k), lua(x)) for k, x in v.items() if x is not None) + '}'
with open(d + '/facts.lua', 'w') as f:
    f.write('return {\n')
    for (path, i, sql), o in zip(rows, outs):
        facts = json.loads(o)[0] if o else {}
        f.write('{path=%s, idx=%s, facts=%s},\n' % (json.dumps(path), i, lua(facts)))
    f.write('}\n')
PY
cd "$top"
FACTS="$tmp/facts.lua" lua5.4 regress/lua/check_real_facts.lua
[ -n "$TIMING" ] && FACTS="$tmp/facts.lua" lua5.4 regress/lua/timing.lua
dbc_psql "$DBC_PORT_BASE" postgres -qc 'DROP DATABASE dbc_policy_facts' >/dev/null
