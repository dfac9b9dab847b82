#!/usr/bin/env bash
# regress/corpus.sh -- replay a public project's PostgreSQL migrations
# through the stock policy library and print what it says about them.  A
# tool, not part of run-all.sh (like regress/pgsuite.sh): it needs a git
# checkout or bare clone of the project.
#
#   bash regress/corpus.sh LAYOUT GIT_DIR [REV]
#
# LAYOUT says where the project keeps its migrations and how they are
# ordered:
#   pop:DIR        gobuffalo/pop as ory/x's popx runs it (ory/kratos, ory/hydra):
#                  DIR/<version>_<name>[.postgres][.autocommit].up.sql; per
#                  version, the postgres file when there is one, else the
#                  dialect-free one; "autocommit" files run outside a
#                  transaction
#   kratos         pop:persistence/sql/migrations/sql (ory/kratos)
#   keto           pop:internal/persistence/sql/migrations/sql (ory/keto), after
#                  the table "networks" of ory/x's networkx migration, which
#                  keto merges in (its version 20150100000001000000 sorts first)
#   harbor         goharbor/harbor: make/migrations/postgresql/*.up.sql
#                  (golang-migrate: each file as it is, no transaction added;
#                  its table schema_migrations is made first)
#   supabase-auth  supabase/auth: migrations/*.up.sql (pop; the template
#                  {{ index .Options "Namespace" }} is the schema "auth", which
#                  is also the search_path)
#   temporal:DB    temporalio/temporal: schema/postgresql/v12/DB/versioned/
#                  vX.Y/ (DB temporal or visibility; temporal-sql-tool's
#                  update-schema: versions in numeric order, the files each
#                  manifest.json lists, statement by statement, no transaction)
#   synapse        element-hq/synapse: synapse/storage/schema/: the full
#                  schemas of version 72 (common, main, state), then for each
#                  version after it the delta files of every root, sorted by
#                  file name as prepare_database.py sorts them (*.sql and
#                  *.sql.postgres; Python deltas are left out), each in a
#                  transaction; its placeholder $%AUTO_INCREMENT_PRIMARY_KEY%$
#                  is what Synapse puts there for PostgreSQL
#   goose:DIR      pressly/goose files DIR/*.sql in path order (their names
#                  start with the version): the "-- +goose Up" part only, in a
#                  transaction unless the file says "-- +goose NO TRANSACTION";
#                  migrations written in Go are left out
#   numbered:DIR   DIR/<n>-name.sql (or <n>_name.sql) in the order of the
#                  number n (postgres-migrations, as supabase/storage uses
#                  it: 00010 after 0009), each in a transaction unless it
#                  says "postgres-migrations disable-transaction"
#   diesel:DIR     Diesel: DIR/<version>_<name>/up.sql in the order of the
#                  version (its dashes removed), each in a transaction unless
#                  the directory's metadata.toml says run_in_transaction = false
#   sql-migrate:DIR  rubenv/sql-migrate: the *.sql files directly in DIR,
#                  those whose name starts with a number in the order of that
#                  number (as an integer), then the others by name; of each
#                  file only the lines of its "-- +migrate Up" sections (the
#                  "-- +migrate ..." lines left out), in a transaction unless
#                  an Up line has the option notransaction (which then holds
#                  for all of the file's Up statements)
#   glob:REGEX     every *.sql file whose path matches REGEX, in path order,
#                  each in a transaction
#
# On a throwaway cluster of the staged server (shared_preload_libraries =
# 'dbchange'), a database "corpus" gets CREATE EXTENSION dbchange, the whole
# stock library (lua_policies/*.lua) and environment dev.  For each migration
# file, in order:
#   1. dbchange.evaluate(file_text, 'prod', 'migration'): every row
#      (statement, command, action, risk, reasons) goes to eval.jsonl; an
#      error (with its SQLSTATE) to eval-errors.txt;
#   2. the file runs as the superuser through the gate (environment dev:
#      every stock finding is approved there, and recorded), so the next
#      migration is judged against the schema the earlier ones made.  A file
#      the gate still refuses (ZC00x) runs again with dbchange.enforce off;
#      both go to run-errors.txt.
# The tables are empty throughout, so size-dependent checks speak only where
# the size is unknown (the table does not exist yet when the script is
# judged) or does not matter.
#
# Output: $DBC_BASE/corpus/LAYOUT/ (files/, eval.jsonl, errors, summary.txt);
# the summary (decisions by action, findings per check id with an example,
# errors, crashes and XX errors in the server log) goes to stdout.
# CORPUS_KEEP=1 leaves the cluster running; DBC_NO_INSTALL=1 skips the build.
set -u
cd "$(dirname "$0")/.."
. regress/lib.sh
LAYOUT=${1:?usage: corpus.sh LAYOUT GIT_DIR [REV]}
GITDIR=${2:?usage: corpus.sh LAYOUT GIT_DIR [REV]}
REV=${3:-HEAD}
NAME=$(printf '%s' "$LAYOUT" | tr -c 'a-zA-Z0-9_-' '_')
W=$DBC_BASE/corpus/$NAME
PORT=$((DBC_PORT_BASE + 12))
CL=corpus

[ -n "${DBC_NO_INSTALL:-}" ] || { make -s >/dev/null && dbc_stage_install; } || {
	echo "build / stage install failed" >&2; exit 1; }
rm -rf "$W"
mkdir -p "$W/files"

# ---- the migration files, in order, as numbered copies
python3 - "$LAYOUT" "$GITDIR" "$REV" "$W/files" <<'PY' || exit 1
import re, subprocess, sys
layout, gitdir, rev, out = sys.argv[1:5]
def git(*a):
    return subprocess.run(['git', '--git-dir', gitdir] + list(a), check=True,
                          capture_output=True).stdout
paths = git('ls-tree', '-r', '--name-only', rev).decode().split('\n')
sel = []          # (path, mode) with mode "tx" or "autocommit"
subst = []
uptext = {}       # path -> the text to run, when not the file's own
if layout == 'kratos':
    layout = 'pop:persistence/sql/migrations/sql'
elif layout == 'keto':
    layout = 'pop:internal/persistence/sql/migrations/sql'
if layout.startswith('pop:'):
    # popx (ory/x): per version, the postgres file when there is one, else
    # the dialect-free one ("all"); versions compared as strings
    d = layout[4:].rstrip('/') + '/'
    by = {}
    for p in paths:
        if not p.startswith(d):
            continue
        m = re.match(r'(\d+)_([^./]+)(?:\.([a-z0-9]+))?(\.autocommit)?\.up\.sql$', p[len(d):])
        if not m:
            continue
        dialect = m.group(3)
        if dialect == 'autocommit':
            # "<v>_<name>.autocommit.up.sql": dialect-free, autocommit
            dialect, auto = None, True
        else:
            auto = bool(m.group(4))
        if dialect in (None, 'postgres', 'postgresql', 'pg'):
            mode = 'autocommit' if auto else 'tx'
            # the postgres file wins over the dialect-free one
            if dialect is not None or m.group(1) not in by:
                by[m.group(1)] = (p, mode)
    sel = [by[k] for k in sorted(by)]
elif layout == 'harbor':
    d = 'make/migrations/postgresql/'
    sel = [(p, 'asis') for p in sorted(paths) if p.startswith(d) and p.endswith('.up.sql')]
elif layout == 'supabase-auth':
    sel = [(p, 'tx') for p in sorted(paths) if re.match(r'migrations/[^/]+\.up\.sql$', p)]
    subst = [(r'\{\{\s*index \.Options "Namespace"\s*\}\}', 'auth')]
elif layout.startswith('temporal:'):
    import json
    d = 'schema/postgresql/v12/%s/versioned/' % layout[9:]
    vers = sorted({p[len(d):].split('/')[0] for p in paths if p.startswith(d)},
                  key=lambda v: tuple(int(x) for x in v[1:].split('.')))
    for v in vers:
        man = json.loads(git('show', '%s:%s%s/manifest.json' % (rev, d, v)))
        sel += [('%s%s/%s' % (d, v, f), 'asis') for f in man.get('SchemaUpdateCqlFiles') or []]
elif layout == 'synapse':
    d = 'synapse/storage/schema/'
    roots = ('common', 'main', 'state')
    sel = [('%s%s/full_schemas/72/full.sql.postgres' % (d, r), 'tx') for r in roots]
    deltas = {}
    for p in paths:
        m = re.match(re.escape(d) + r'(common|main|state)/delta/(\d+)/([^/]+\.sql(?:\.postgres)?)$', p)
        if m and int(m.group(2)) > 72:
            deltas.setdefault(int(m.group(2)), []).append((m.group(3), p))
    for v in sorted(deltas):
        sel += [(p, 'tx') for _, p in sorted(deltas[v])]
    subst = [(r'\$%AUTO_INCREMENT_PRIMARY_KEY%\$', 'BIGINT PRIMARY KEY GENERATED ALWAYS AS IDENTITY')]
elif layout.startswith('goose:'):
    d = layout[6:].rstrip('/') + '/'
    for p in sorted(paths):
        if p.startswith(d) and p.endswith('.sql') and '/' not in p[len(d):]:
            text = git('show', '%s:%s' % (rev, p)).decode('utf-8', 'replace')
            sel.append((p, 'asis' if re.search(r'^--\s*\+goose\s+NO\s+TRANSACTION', text, re.M | re.I) else 'tx'))
    cut = [(r'(?ms)\A.*?^--\s*\+goose\s+Up[^\n]*\n', ''), (r'(?ms)^--\s*\+goose\s+Down\b.*\Z', '')]
    subst = cut
elif layout.startswith('numbered:'):
    d = layout[9:].rstrip('/') + '/'
    found = []
    for p in paths:
        m = re.match(re.escape(d) + r'(\d+)[-_][^/]*\.sql$', p)
        if m:
            text = git('show', '%s:%s' % (rev, p)).decode('utf-8', 'replace')
            mode = 'asis' if re.search(r'postgres-migrations\s+disable-transaction', text) else 'tx'
            found.append((int(m.group(1)), p, mode))
    sel = [(p, mode) for _, p, mode in sorted(found)]
elif layout.startswith('diesel:'):
    # Diesel: DIR/<version>_<name>/up.sql, ordered by the version (the name up
    # to its first "_", dashes removed: 2024-02-12-120203 is 20240212120203),
    # each in a transaction unless its metadata.toml says
    # run_in_transaction = false
    d = layout[7:].rstrip('/') + '/'
    found = []
    for p in paths:
        m = re.match(re.escape(d) + r'([^/_]+)[^/]*/up\.sql$', p)
        if m:
            meta = p[:-len('up.sql')] + 'metadata.toml'
            mode = 'tx'
            if meta in paths:
                toml = git('show', '%s:%s' % (rev, meta)).decode('utf-8', 'replace')
                if re.search(r'^\s*run_in_transaction\s*=\s*false\b', toml, re.M):
                    mode = 'asis'
            found.append((m.group(1).replace('-', ''), p, mode))
    sel = [(p, mode) for _, p, mode in sorted(found)]
elif layout.startswith('sql-migrate:'):
    # rubenv/sql-migrate (migrate.go, sqlparse/sqlparse.go): a file's id is its
    # name; ids starting with digits sort by that number, before the others,
    # which sort as strings.  Only lines starting exactly "-- +migrate " are
    # commands; "Up" / "Down" switch the direction, and "notransaction" on
    # any Up line turns the transaction off for the whole Up part.
    d = layout[12:].rstrip('/') + '/'
    found = []
    for p in paths:
        if not (p.startswith(d) and p.endswith('.sql') and '/' not in p[len(d):]):
            continue
        text = git('show', '%s:%s' % (rev, p)).decode('utf-8', 'replace')
        up, keep, notx = [], False, False
        for line in text.split('\n'):
            if line.startswith('-- +migrate '):
                f = line[len('-- +migrate '):].split()
                if f and f[0] == 'Up':
                    keep = True
                    notx = notx or 'notransaction' in f[1:]
                elif f and f[0] == 'Down':
                    keep = False
                continue
            if keep and not line.startswith('-- +'):
                up.append(line)
        name = p[len(d):]
        m = re.match(r'\d+', name)
        key = (0, int(m.group(0)), name) if m else (1, 0, name)
        found.append((key, p, 'asis' if notx else 'tx', '\n'.join(up) + '\n'))
    found.sort()
    sel = [(p, mode) for _, p, mode, _ in found]
    uptext = {p: t for _, p, _, t in found}
elif layout.startswith('glob:'):
    rx = re.compile(layout[5:])
    sel = [(p, 'tx') for p in sorted(paths) if p.endswith('.sql') and rx.search(p)]
else:
    sys.exit('unknown layout %s' % layout)
if not sel:
    sys.exit('no migration files found')
with open(out + '/../manifest.txt', 'w') as man:
    for i, (p, mode) in enumerate(sel, 1):
        if p in uptext:
            text = uptext[p]
        else:
            text = git('show', '%s:%s' % (rev, p)).decode('utf-8', 'replace')
        for a, b in subst:
            text = re.sub(a, b, text)
        # a file that manages its own transactions runs as it is (a BEGIN
        # that opens a PL/pgSQL block has no semicolon after it)
        if mode == 'tx' and re.search(r'^\s*((BEGIN|COMMIT)(\s+(TRANSACTION|WORK))?\s*;|START\s+TRANSACTION\b)', text, re.I | re.M):
            mode = 'asis'
        with open('%s/%04d.sql' % (out, i), 'w') as f:
            f.write(text)
        man.write('%04d %s %s\n' % (i, mode, p))
PY
nfiles=$(wc -l <"$W/manifest.txt")
echo "# $LAYOUT: $nfiles migration files at $(git --git-dir="$GITDIR" rev-parse "$REV")"
chmod -R a+rX "$W"

# The server's log says what failed and with which SQLSTATE.
dbc_pg_start "$CL" "$PORT" yes "log_line_prefix = '%m [%p] %e '" || exit 1
dbc_psql "$PORT" postgres -c "CREATE DATABASE corpus" || exit 1
{
	echo "SET client_min_messages = warning;"
	echo "CREATE EXTENSION dbchange;"
	echo "SELECT count(*) FROM dbchange.configure(environment => 'dev');"
	for f in lua_policies/*.lua; do
		echo "\\set src \`cat $f\`"
		echo "SELECT dbchange.set_policy('$(basename "$f" .lua)', :'src');"
	done
	# what the projects expect to find (their installers make it)
	case $LAYOUT in
	supabase-auth)
		echo "CREATE SCHEMA auth;"
		for r in anon authenticated service_role supabase_auth_admin dashboard_user postgres_admin; do
			echo "CREATE ROLE $r;"
		done
		# its migrations run as supabase_auth_admin, whose search_path is auth
		echo "ALTER DATABASE corpus SET search_path = auth;" ;;
	harbor)
		# golang-migrate's own table, which some migrations update
		echo "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);" ;;
	keto)
		# ory/x networkx/migrations/sql/20150100000001000000_networks.postgres.up.sql
		echo 'CREATE TABLE "networks" ("id" UUID NOT NULL, PRIMARY KEY("id"), "created_at" timestamp NOT NULL, "updated_at" timestamp NOT NULL);' ;;
	esac
	# the clock-dependent policies would judge the time of the run, not the
	# migration (as in regress/sql/stock_corpus.sql)
	echo "SELECT dbchange.disable_policy('maintenance_window');"
	echo "SELECT dbchange.disable_policy('change_freeze');"
	echo "SELECT count(*) AS policies FROM dbchange.policies WHERE enabled;"
} >"$W/setup.sql"
dbc_psql "$PORT" corpus -At -f "$W/setup.sql" >"$W/setup.out" 2>&1 || { cat "$W/setup.out"; exit 1; }
echo "# corpus: dbchange installed, environment dev, $(tail -1 "$W/setup.out") stock policies enabled"

psqlv() { "$PG_SYS_BIN/psql" -X -q -h "$DBC_SOCK" -p "$PORT" -U postgres -d corpus -v VERBOSITY=verbose "$@"; }
: >"$W/eval.jsonl"
: >"$W/eval-errors.txt"
: >"$W/run-errors.txt"
while read -r no mode path; do
	f=$W/files/$no.sql
	# 1. the dry run in prod: one JSON line per statement
	psqlv -At -v ON_ERROR_STOP=1 >>"$W/eval.jsonl" 2>"$W/err.tmp" <<-EOF
		\\set src \`cat $f\`
		SELECT json_build_object('file', '$no', 'path', '$path', 'no', statement_no,
		       'command', command, 'action', action, 'risk', risk, 'reasons', reasons,
		       'statement', statement)
		  FROM dbchange.evaluate(:'src', 'prod', 'migration');
	EOF
	rc=$?
	[ -s "$W/err.tmp" ] && sed "s|^|$no $path: |" "$W/err.tmp" >>"$W/eval-errors.txt"
	# psql exits 2 when the connection is lost (3 is an error in the script)
	[ $rc -eq 2 ] && echo "$no $path: CRASH (psql exit $rc)" >>"$W/eval-errors.txt"
	# 2. the migration itself, through the gate in dev
	case $mode in
	tx) one=(-1) ;;
	*) one=() ;;
	esac
	psqlv -v ON_ERROR_STOP=1 "${one[@]}" -f "$f" >/dev/null 2>"$W/err.tmp"
	rc=$?
	if [ $rc -ne 0 ]; then
		sed "s|^|$no $path: |" "$W/err.tmp" >>"$W/run-errors.txt"
		[ $rc -eq 2 ] && echo "$no $path: CRASH (psql exit $rc)" >>"$W/run-errors.txt"
		if grep -q 'ERROR:  ZC00' "$W/err.tmp"; then
			PGOPTIONS="-c dbchange.enforce=off" psqlv -v ON_ERROR_STOP=1 "${one[@]}" -f "$f" >/dev/null 2>"$W/err.tmp" ||
				sed "s|^|$no $path (enforce off): |" "$W/err.tmp" >>"$W/run-errors.txt"
		fi
	fi
done <"$W/manifest.txt"
rm -f "$W/err.tmp"

# ---- the summary
python3 - "$W" "$LAYOUT" <<'PY' | tee "$W/summary.txt"
import collections, json, re, sys
w, layout = sys.argv[1:3]
rows = [json.loads(l) for l in open(w + '/eval.jsonl') if l.strip()]
files = set(r['file'] for r in rows)
print('# %s: %d statements evaluated from %d files' % (layout, len(rows), len(files)))
acts = collections.Counter((r['action'], r['risk']) for r in rows)
print('# decisions in prod (action / risk):')
for (a, k), n in sorted(acts.items(), key=lambda x: -x[1]):
    print('#   %6d  %s / %s' % (n, a, k))
cmds = collections.Counter(r['command'] for r in rows)
print('# commands: ' + ', '.join('%s %d' % kv for kv in cmds.most_common()))
checks = collections.Counter()
example = {}
for r in rows:
    seen = set()
    for reason in r['reasons'] or []:
        # "policy: check-id: text; check-id: text" (a check id has a dash)
        m = re.match(r'([a-z_]+): (.*)$', reason, re.S)
        pol, text = (m.group(1), m.group(2)) if m else ('', reason)
        ids = re.findall(r'(?:^|; )([a-z][a-z0-9]*(?:-[a-z0-9]+)+): ', text)
        if not ids:
            ids = [text[:40]]
        for cid in ids:
            cid = (pol + '/' + cid) if pol else cid
            if cid in seen:
                continue
            seen.add(cid)
            checks[cid] += 1
            example.setdefault(cid, (r['file'], r['path'], r['statement'], reason))
print('# findings per check id (statements), with the first example:')
for cid, n in checks.most_common():
    f, p, st, reason = example[cid]
    st = ' '.join(st.split())
    print('#   %6d  %s' % (n, cid))
    print('#           %s %s: %s' % (f, p.rsplit('/', 1)[-1], st[:160]))
    print('#           -> %s' % ' '.join(reason.split())[:300])
PY
echo "# evaluate() errors: $(grep -c 'ERROR:' "$W/eval-errors.txt") ($W/eval-errors.txt)"
grep 'ERROR:' "$W/eval-errors.txt" | head -20
grep CRASH "$W/eval-errors.txt"
echo "# migrations that failed to run: $(cut -d' ' -f1 "$W/run-errors.txt" | sort -u | wc -l) ($W/run-errors.txt)"
grep 'ERROR:' "$W/run-errors.txt" | head -20
grep CRASH "$W/run-errors.txt"
log=$DBC_BASE/pg-$CL/server.log
echo "# server log: $(grep -cE 'terminated by signal|TRAP|PANIC' "$log") crashes/traps, $(grep -cE ' XX[0-9A-Z]{3} ' "$log") XX errors"
grep -E 'terminated by signal|TRAP|PANIC| XX[0-9A-Z]{3} ' "$log" | head -20
nch=$(dbc_psql "$PORT" corpus -At -c "SELECT count(*) FROM dbchange.change")
echo "# gate (dev): $nch changes recorded while the migrations ran"
[ -n "${CORPUS_KEEP:-}" ] || dbc_pg_stop "$CL"
