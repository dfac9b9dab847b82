#!/usr/bin/env bash
# bench/policy_eval.sh -- time per policy evaluation, in microseconds.
#
# One decision = what the gate does for a DDL statement once its facts are
# built: the statement's facts (jsonb) and the kept context facts -> a tree ->
# Lua tables -> every enabled policy's check() -> combined decision.  Measured
# inside the server by dbchange._policy_bench(script, iterations): the fixed
# statement mix below, each statement decided ITERATIONS times, median / p99 /
# mean / max over all decisions (wall clock), the backend's CPU time over the
# loop per decision (less sensitive to a busy machine); plus the median time to
# build a statement's facts as the gate does (the classifier).  Run with no
# policy, then with the whole stock library (lua_policies/*.lua, loaded as
# `dbchange policy push` does: one policy per file, named after it), in a
# "prod" environment.  (Until the tenth round this measured evaluate()'s way:
# a whole facts document per statement, a little slower.)
#
# ROUNDS rounds (default 5) of ITERATIONS (default 1000) per statement with the
# stock library; the median of the rounds' medians is the headline figure.
#
# Prints figures; asserts nothing.
set -u
cd "$(dirname "$0")/.."
. regress/lib.sh
ITERATIONS=${ITERATIONS:-1000}
ROUNDS=${ROUNDS:-5}
make -s >/dev/null && dbc_stage_install || exit 1
P=$((DBC_PORT_BASE + 40))
dbc_pg_start bench_policy "$P" yes || exit 1
trap 'dbc_pg_stop bench_policy' EXIT
q() { dbc_psql "$P" b -At "$@"; }

dbc_psql "$P" postgres -c "CREATE DATABASE b" >/dev/null
q -c "CREATE EXTENSION dbchange" >/dev/null
q -c "SELECT dbchange.configure(environment => 'prod')" >/dev/null
# a few real tables, so size facts are known for some statements
q >/dev/null <<'SQL'
SET dbchange.enforce = off;
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total numeric(12,2), note text,
                     created_at timestamptz DEFAULT now());
INSERT INTO orders SELECT g, g % 1000, g, 'n', now() FROM generate_series(1, 200000) g;
CREATE TABLE customers (id bigint PRIMARY KEY, name text);
INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 1000) g;
ANALYZE;
SQL

MIX=$(cat <<'SQL'
CREATE TABLE invoices (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, order_id bigint NOT NULL,
  amount numeric(12,2) NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';
ALTER TABLE orders ADD COLUMN shipped boolean NOT NULL;
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at);
ALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2);
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE orders RENAME COLUMN note TO remark;
DROP TABLE customers CASCADE;
TRUNCATE orders;
CREATE TABLE events (id serial PRIMARY KEY, at timestamp, code char(3), payload json);
GRANT ALL ON orders TO PUBLIC;
COMMENT ON TABLE orders IS 'customer orders';
CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
ALTER SYSTEM SET work_mem = '64MB'
SQL
)

bench() {
	q -F ' ' -c "SELECT policies, statements, evaluations, round(median_us::numeric, 1), round(p99_us::numeric, 1),
	                    round(mean_us::numeric, 1), round(max_us::numeric, 1), round(cpu_mean_us::numeric, 1),
	                    round(facts_median_us::numeric, 1), lua_kb
	               FROM dbchange._policy_bench(\$m\$$MIX\$m\$, $ITERATIONS)"
}
FMT='%-28s %8s %5s %7s %10s %8s %8s %8s %12s %12s %7s\n'
printf "$FMT" "" policies stmts decides "median_us" "p99_us" "mean_us" "max_us" "cpu_mean_us" "facts_med_us" "lua_kb"
read -r pol st ev med p99 mean max cmean fmed kb <<<"$(bench)"
printf "$FMT" "no policies" "$pol" "$st" "$ev" "$med" "$p99" "$mean" "$max" "$cmean" "$fmed" "$kb"

loaded=0
for f in lua_policies/*.lua; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .lua)
	if echo "SELECT dbchange.set_policy(:'name', :'src')" |
		q -v ON_ERROR_STOP=1 -v src="$(cat "$f")" -v name="$name" >/dev/null 2>"$DBC_BASE/policy_eval.err"; then
		loaded=$((loaded + 1))
	else
		echo "warning: $name not loaded: $(head -1 "$DBC_BASE/policy_eval.err")"
	fi
done
meds=""
for r in $(seq 1 "$ROUNDS"); do
	read -r pol st ev med p99 mean max cmean fmed kb <<<"$(bench)"
	printf "$FMT" "stock library ($loaded files) #$r" "$pol" "$st" "$ev" "$med" "$p99" "$mean" "$max" "$cmean" "$fmed" "$kb"
	meds="$meds $med"
done
echo "median per evaluation, median of $ROUNDS rounds: $(printf '%s\n' $meds | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') us (best round: $(printf '%s\n' $meds | sort -n | head -1) us)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (wall-clock figures include time other processes took;"
echo "cpu_mean_us: this backend's CPU time over the whole loop / evaluations)"
echo "target: median <= 20 us per evaluation with the whole stock library"
