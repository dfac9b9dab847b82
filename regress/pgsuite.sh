#!/usr/bin/env bash
# regress/pgsuite.sh -- run PostgreSQL's own regression suite through the
# dbchange gate and print what the gate changes.  A tool, not part of
# run-all.sh: it needs a PostgreSQL 15 source tree of the server's major
# version (PGSRC=/path/to/postgresql-15.x).
#
#   PGSRC=/path/to/postgresql-15.x bash regress/pgsuite.sh
#
# 1. Two throwaway clusters of the staged server: "vanilla" (no dbchange) and
#    "gate" (shared_preload_libraries = 'dbchange').  In each, the database
#    "regression" is created as pg_regress would create it; in the gate
#    cluster it also gets CREATE EXTENSION dbchange, environment dev and the
#    whole stock library (lua_policies/*.lua).  pg_regress then runs the
#    suite (parallel_schedule, or PGSUITE_SCHEDULE) with --use-existing
#    against each, and every test whose output differs between the two runs
#    is printed as a diff (vanilla -> gate).  The gate server's log is
#    searched for crashes and internal errors.
# 2. Every SQL file of the suite is fed to dbchange.evaluate(sql, 'prod') on
#    the gate cluster's regression database (which holds the suite's objects
#    by then), as a superuser and as an unprivileged role: psql
#    meta-commands are cut out (the file is split around them); each chunk
#    is evaluated as a script, then each of its statements on its own.  Errors are
#    counted by SQLSTATE; a crash or an XX* error is a bug.
#
# PGSUITE_PRELOAD=no runs the gate cluster without shared_preload_libraries
# (the event triggers load dbchange in each session).
#
# Output: $DBC_BASE/pgsuite/ (results of both runs, gate.diff, the
# evaluate logs); the summary goes to stdout.  PGSUITE_SKIP_RUN=1 reuses the
# clusters and results of an earlier run for step 2 (the gate cluster must
# still be there: PGSUITE_KEEP=1 leaves both clusters running at the end).
set -u
cd "$(dirname "$0")/.."
. regress/lib.sh
: "${PGSRC:?set PGSRC to a PostgreSQL 15 source tree}"
RSRC=$PGSRC/src/test/regress
[ -f "$RSRC/regress.c" ] && [ -f "$RSRC/parallel_schedule" ] || {
	echo "$RSRC has no regress.c / parallel_schedule" >&2; exit 1; }
SCHEDULE=${PGSUITE_SCHEDULE:-$RSRC/parallel_schedule}
W=$DBC_BASE/pgsuite
VPORT=$((DBC_PORT_BASE + 10))
GPORT=$((DBC_PORT_BASE + 11))
PGREGRESS=$(dirname "$(pg_config --pgxs)")/../test/regress/pg_regress
# The server's log says what failed and with which SQLSTATE.
LOGOPTS=("log_line_prefix = '%m [%p] %e '" "log_min_messages = warning")

if [ -z "${PGSUITE_SKIP_RUN:-}" ]; then
	[ -n "${DBC_NO_INSTALL:-}" ] || { make -s >/dev/null && dbc_stage_install; } || {
		echo "build / stage install failed" >&2; exit 1; }
	rm -rf "$W"
	mkdir -p "$W/lib"
	# regress.so (and contrib/spi's autoinc.so and refint.so, which the
	# triggers test loads), built from the source tree with PGXS, outside
	# this repository.
	cp "$RSRC/regress.c" "$PGSRC/contrib/spi/autoinc.c" "$PGSRC/contrib/spi/refint.c" "$W/lib/"
	printf 'MODULES = regress autoinc refint\nPGXS := $(shell pg_config --pgxs)\ninclude $(PGXS)\n' >"$W/lib/Makefile"
	make -s -C "$W/lib" >"$W/lib/build.log" 2>&1 || { cat "$W/lib/build.log"; exit 1; }
	chmod -R a+rX "$W"
	[ "$(id -u)" = 0 ] && chown -R postgres "$W"

	dbc_pg_start pgs-vanilla "$VPORT" no "${LOGOPTS[@]}" || exit 1
	dbc_pg_start pgs-gate "$GPORT" "${PGSUITE_PRELOAD:-yes}" "${LOGOPTS[@]}" || exit 1

	# The database pg_regress would create (it creates from template0 and
	# sets these), so that --use-existing runs on the same footing.
	mkdb() {
		dbc_psql "$1" postgres -c "CREATE DATABASE regression TEMPLATE template0" \
			-c "ALTER DATABASE regression SET lc_messages TO 'C'" \
			-c "ALTER DATABASE regression SET lc_monetary TO 'C'" \
			-c "ALTER DATABASE regression SET lc_numeric TO 'C'" \
			-c "ALTER DATABASE regression SET lc_time TO 'C'" \
			-c "ALTER DATABASE regression SET bytea_output TO 'hex'" \
			-c "ALTER DATABASE regression SET timezone_abbreviations TO 'Default'"
	}
	mkdb "$VPORT" || exit 1
	mkdb "$GPORT" || exit 1
	{
		echo "SET client_min_messages = warning;"
		echo "CREATE EXTENSION dbchange;"
		echo "SELECT count(*) FROM dbchange.configure(environment => 'dev');"
		for f in lua_policies/*.lua; do
			n=$(basename "$f" .lua)
			echo "\\set src \`cat $f\`"
			echo "SELECT dbchange.set_policy('$n', :'src');"
		done
		echo "SELECT count(*) AS policies FROM dbchange.policies WHERE enabled;"
	} >"$W/setup.sql"
	dbc_psql "$GPORT" regression -At -f "$W/setup.sql" >"$W/setup.out" 2>&1 || {
		cat "$W/setup.out"; exit 1; }
	echo "# gate: dbchange installed in regression, environment dev, $(tail -1 "$W/setup.out") stock policies enabled"

	run_suite() { # NAME PORT
		mkdir -p "$W/$1"
		[ "$(id -u)" = 0 ] && chown postgres "$W/$1"
		(cd "$W/$1" && dbc_as_pg "$PGREGRESS" --use-existing --dbname=regression \
			--inputdir="$RSRC" --outputdir="$W/$1" --dlpath="$W/lib" \
			--bindir="$PG_SYS_BIN" --host="$DBC_SOCK" --port="$2" --user=postgres \
			--max-concurrent-tests=20 --schedule="$SCHEDULE" >"$W/$1.out" 2>&1)
		echo "# $1: $(grep -cE '\.\.\. ok' "$W/$1.out") tests ok, $(grep -ciE '\.\.\. failed' "$W/$1.out") failed against the expected files"
	}
	run_suite vanilla "$VPORT"
	run_suite gate "$GPORT"
fi

# ---- the differences the gate causes
: >"$W/gate.diff"
ndiff=0
for f in "$W"/vanilla/results/*.out; do
	t=$(basename "$f")
	g=$W/gate/results/$t
	if [ ! -f "$g" ]; then
		echo "=== $t: no output in the gate run" >>"$W/gate.diff"
		ndiff=$((ndiff + 1))
	elif ! cmp -s "$f" "$g"; then
		diff -U2 --label "vanilla/$t" --label "gate/$t" "$f" "$g" >>"$W/gate.diff"
		ndiff=$((ndiff + 1))
		echo "#   differs: ${t%.out} ($(diff "$f" "$g" | grep -c '^[<>]') lines)"
	fi
done
echo "# tests whose output differs with the gate: $ndiff (diff: $W/gate.diff)"
glog=$DBC_BASE/pg-pgs-gate/server.log
echo "# gate server log: $(grep -cE 'terminated by signal|TRAP|PANIC' "$glog") crashes/traps"
grep -E 'terminated by signal|TRAP|PANIC' "$glog" | head -20
# XX errors the gate run logged that the vanilla run did not (the suite
# provokes a few on purpose: those are in both logs).
vlog=$DBC_BASE/pg-pgs-vanilla/server.log
xx() { grep -E ' XX[0-9A-Z]{3} ERROR' "$1" | sed -E 's/^[^]]*\] //' | sort -u; }
comm -13 <(xx "$vlog") <(xx "$glog") >"$W/gate-only-xx.txt"
echo "# XX errors only in the gate run: $(wc -l <"$W/gate-only-xx.txt") ($W/gate-only-xx.txt)"
head -20 "$W/gate-only-xx.txt"
nch=$(dbc_psql "$GPORT" regression -At -c "SELECT count(*) FROM dbchange.change")
echo "# gate: $nch changes recorded in regression (committed: approved; queued/rejected are kept durably)"
dbc_psql "$GPORT" regression -At -F ' ' -c "SELECT status, count(*) FROM dbchange.change GROUP BY 1 ORDER BY 1" | sed 's/^/#   /'

# ---- 2. every file of the suite through dbchange.evaluate(sql, 'prod')
# The splitter prints one psql statement per evaluation: a chunk between
# meta-commands, then each of its statements on its own.  Lines beginning with a backslash are psql's; COPY data after a
# COPY ... FROM stdin is skipped up to its "\.".
mkdir -p "$W/eval"
cat >"$W/eval/split.py" <<'PY'
import re, sys

def statements(text):
    """Split SQL text at top-level semicolons (quotes, dollar quotes,
    comments and BEGIN ATOMIC bodies are approximated; a wrong cut only
    makes a syntax error, which evaluate() reports)."""
    out, i, n, start = [], 0, len(text), 0
    while i < n:
        c = text[i]
        if c == "'" or c == '"':
            j = i + 1
            while j < n:
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
        elif c == '-' and text.startswith('--', i):
            j = text.find('\n', i)
            i = n if j < 0 else j + 1
        elif c == '/' and text.startswith('/*', i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith('/*', j):
                    depth, j = depth + 1, j + 2
                elif text.startswith('*/', j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            i = j
        elif c == '$':
            m = re.match(r'\$([A-Za-z_][A-Za-z_0-9]*)?\$', text[i:])
            if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == '_')):
                tag = m.group(0)
                j = text.find(tag, i + len(tag))
                i = n if j < 0 else j + len(tag)
            else:
                i += 1
        elif c == ';':
            s = text[start:i].strip()
            if s:
                out.append(s)
            start = i = i + 1
        else:
            i += 1
    s = text[start:].strip()
    if s:
        out.append(s)
    return out

def quote(s):
    tag = '$pgsuite$'
    k = 0
    while tag in s:
        k += 1
        tag = '$pgsuite%d$' % k
    return tag + s + tag

path, env = sys.argv[1], sys.argv[2]
chunks, cur, in_copy = [], [], False
for line in open(path, encoding='utf-8', errors='replace').read().split('\n'):
    if in_copy:
        if line.startswith('\\.'):
            in_copy = False
        continue
    if line.lstrip().startswith('\\'):
        chunks.append('\n'.join(cur))
        cur = []
        continue
    # a psql "\;" joins statements into one query string: a plain ";" here
    line = line.replace('\\;', ';')
    # a query sent by \g, \gset, \gexec ... ends there
    line = re.sub(r'\\(g|gset|gx|gexec|gdesc|crosstabview|watch)\b.*$', ';', line)
    cur.append(line)
    if re.search(r'\bfrom\s+stdin\b', line, re.I) and line.rstrip().endswith(';'):
        chunks.append('\n'.join(cur))
        cur = []
        in_copy = True
chunks.append('\n'.join(cur))
k = 0
for ch in chunks:
    sts = statements(ch)
    if not sts:
        continue
    k += 1
    print("\\echo '#chunk %d'" % k)
    print("SELECT count(*) AS n, sum(length(facts::text)) AS f FROM dbchange.evaluate(%s, '%s') \\gset" % (quote(ch), env))
    if len(sts) > 1:
        # then one by one: on its own a statement takes other paths (no
        # earlier statement of the script), and a syntax error elsewhere in
        # the chunk no longer hides it
        for j, st in enumerate(sts):
            print("\\echo '#chunk %d statement %d'" % (k, j + 1))
            print("SELECT count(*) AS n FROM dbchange.evaluate(%s, '%s') \\gset" % (quote(st), env))
PY
dbc_psql "$GPORT" regression -c "SET client_min_messages = warning" \
	-c "DROP ROLE IF EXISTS regress_pgsuite_eval" -c "CREATE ROLE regress_pgsuite_eval LOGIN" >/dev/null
neval=0
: >"$W/eval/errors.txt"
for f in "$RSRC"/sql/*.sql; do
	t=$(basename "$f" .sql)
	python3 "$W/eval/split.py" "$f" prod >"$W/eval/$t.sql"
	neval=$((neval + $(grep -c '^SELECT count' "$W/eval/$t.sql")))
	for who in postgres regress_pgsuite_eval; do
		# -X, no ON_ERROR_STOP: every evaluation runs; verbose errors carry the SQLSTATE
		PGOPTIONS="-c statement_timeout=60s -c client_min_messages=warning" \
			"$PG_SYS_BIN/psql" -X -q -h "$DBC_SOCK" -p "$GPORT" -U "$who" -d regression \
			-v VERBOSITY=verbose -c '\set VERBOSITY verbose' -f "$W/eval/$t.sql" \
			>"$W/eval/$t.$who.out" 2>&1
		rc=$?
		grep -E '^(psql:[^ ]* )?ERROR: ' "$W/eval/$t.$who.out" | sed -E "s/^psql:[^ ]* //; s/^/$t $who /" >>"$W/eval/errors.txt"
		if grep -qE 'server closed the connection|connection to server was lost|terminated by signal' "$W/eval/$t.$who.out" || [ "$rc" -gt 1 ]; then
			echo "$t $who CRASH (psql exit $rc; last: $(grep '^#chunk' "$W/eval/$t.$who.out" | tail -1))" >>"$W/eval/errors.txt"
		fi
	done
done
echo "# evaluate(): $neval evaluations per role (each chunk between meta-commands, then each of its statements)"
echo "# evaluate() errors by SQLSTATE (both roles):"
awk '{print $4}' "$W/eval/errors.txt" | sed 's/:$//' | sort | uniq -c | sort -rn | sed 's/^/#   /'
echo "# evaluate() crashes / internal errors:"
grep -E ' CRASH | XX[0-9A-Z]{3}: ' "$W/eval/errors.txt" | head -40

if [ -z "${PGSUITE_KEEP:-}" ]; then
	dbc_pg_stop pgs-vanilla
	dbc_pg_stop pgs-gate
fi
