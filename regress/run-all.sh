#!/usr/bin/env bash
# regress/run-all.sh -- every test suite of dbchange, against real servers it
# starts and stops itself:
#   1. pg_regress (make installcheck) on a cluster with shared_preload_libraries = 'dbchange'
#   2. the shell drivers regress/tests/*.sh (CLI, concurrency, crash, MariaDB) on that cluster
#   3. pg_regress regress/nopreload/ on a cluster without preloading
# The last line sums all suites: "N passed, N failed".  Exit status 0 only if nothing failed.
set -u
cd "$(dirname "$0")/.."
. regress/lib.sh

total_pass=0
total_fail=0
add() { total_pass=$((total_pass + $1)); total_fail=$((total_fail + $2)); }

cleanup() {
	dbc_pg_stop main
	dbc_pg_stop nopreload
	[ -n "$(type -t dbc_mysql_stop)" ] && dbc_mysql_stop 2>/dev/null
}
trap cleanup EXIT

# A fresh machine gets its Debian packages first (quick when they are there).
[ -n "${DBC_NO_INSTALL:-}" ] || bash .ci/install-deps.sh || { echo "installing the Debian packages failed"; echo "0 passed, 1 failed"; exit 1; }
make -s >/dev/null 2>"$DBC_BASE.build.log" || { cat "$DBC_BASE.build.log"; echo "0 passed, 1 failed"; exit 1; }
dbc_stage_install || { echo "stage install failed"; echo "0 passed, 1 failed"; exit 1; }

PORT=$DBC_PORT_BASE
NOPRE_PORT=$((DBC_PORT_BASE + 1))
export DBC_PORT=$PORT

# Count pg_regress's "... ok" / "... FAILED" lines of a run's output.
# count_regress OUTPUT LABEL EXPECTED: a test that never reported (pg_regress
# stopped early, e.g. on a missing expected file) counts as failed.
count_regress() {
	local out=$1
	local p f
	p=$(grep -cE '^(ok|test|     |    |  )? *[a-z0-9_]+ +\.\.\. ok' "$out")
	f=$(grep -cE '\.\.\. FAILED|\.\.\. failed' "$out")
	if [ $((p + f)) -lt "$3" ]; then
		echo "not ok - pg_regress $2: $(($3 - p - f)) of $3 tests did not report (see the output above)"
		f=$(($3 - p))
	fi
	echo "# pg_regress $2: $p passed, $f failed"
	add "$p" "$f"
	[ "$f" = 0 ] || { [ -f regress/regression.diffs ] && head -200 regress/regression.diffs; }
}

echo "== pg_regress (preloaded)"
if dbc_pg_start main "$PORT" yes; then
	make -s installcheck PGHOST="$DBC_SOCK" PGPORT="$PORT" PGUSER=postgres >"$DBC_BASE/regress.out" 2>&1
	cat "$DBC_BASE/regress.out"
	count_regress "$DBC_BASE/regress.out" preloaded "$(ls regress/sql/*.sql | wc -l)"

	echo "== drivers"
	for t in regress/tests/*.sh; do
		[ -e "$t" ] || continue
		if [ -n "${DBC_ONLY:-}" ] && ! printf '%s' "$t" | grep -q -- "$DBC_ONLY"; then continue; fi
		echo "-- $t"
		out=$(timeout 900 bash "$t" 2>&1)
		rc=$?
		printf '%s\n' "$out"
		line=$(printf '%s\n' "$out" | grep -E '^# .*: [0-9]+ passed, [0-9]+ failed$' | tail -1)
		if [ -n "$line" ]; then
			p=$(printf '%s' "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/')
			f=$(printf '%s' "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/')
			add "$p" "$f"
		else
			echo "not ok - $t ended without a summary (exit $rc)"
			add 0 1
		fi
	done
else
	echo "not ok - could not start the preloaded cluster"
	add 0 1
fi
dbc_pg_stop main

echo "== pg_regress (not preloaded)"
if dbc_pg_start nopreload "$NOPRE_PORT" no; then
	tests=$(cd regress/nopreload/sql && ls *.sql 2>/dev/null | sed 's/\.sql$//' | tr '\n' ' ')
	if [ -n "$tests" ]; then
		PGHOST="$DBC_SOCK" PGPORT="$NOPRE_PORT" PGUSER=postgres \
			"$(dirname "$(pg_config --pgxs)")/../test/regress/pg_regress" \
			--inputdir=regress/nopreload --outputdir=regress/nopreload --dbname=dbchange_nopreload \
			--bindir="$PG_SYS_BIN" $tests >"$DBC_BASE/nopreload.out" 2>&1
		cat "$DBC_BASE/nopreload.out"
		count_regress "$DBC_BASE/nopreload.out" not-preloaded "$(printf '%s' "$tests" | wc -w)"
	fi
else
	echo "not ok - could not start the cluster without preload"
	add 0 1
fi

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
