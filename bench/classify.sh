#!/usr/bin/env bash
# bench/classify.sh -- what building the change facts costs.
#
# Times dbchange.classify(sql) per statement kind (N calls each, ROUNDS rounds,
# median printed) on a cluster with the library preloaded, against
# classify('SELECT 1') -- split, context facts and settings, no DDL-specific
# work -- measured in the same run, so "classifier" = kind - baseline is what the
# gate pays for the statement facts.  Tables are real (10,000 rows, a partitioned
# table with 32 partitions) so lookups, file sizes and partition sums are exercised.
#
# Prints figures; asserts nothing.
set -u
cd "$(dirname "$0")/.."
. regress/lib.sh
ROUNDS=${ROUNDS:-5}
N=${N:-2000}
make -s >/dev/null && dbc_stage_install || exit 1
P=$((DBC_PORT_BASE + 32))
dbc_pg_start bench_classify "$P" yes || exit 1
trap 'dbc_pg_stop bench_classify' EXIT

dbc_psql "$P" postgres -c "CREATE DATABASE b" >/dev/null
dbc_psql "$P" b -q >/dev/null <<'SQL'
CREATE EXTENSION dbchange;
CREATE TABLE t (id int PRIMARY KEY, a text, b int, ts timestamp);
INSERT INTO t SELECT g, 'x', g, now() FROM generate_series(1, 10000) g;
CREATE TABLE p (id int, v int) PARTITION BY HASH (id);
SELECT format('CREATE TABLE p_%s PARTITION OF p FOR VALUES WITH (MODULUS 32, REMAINDER %s)', i, i)
FROM generate_series(0, 31) i \gexec
INSERT INTO p SELECT g, g FROM generate_series(1, 10000) g;
ANALYZE;
CREATE FUNCTION bench(sql text, n int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; i int;
BEGIN
  t0 := clock_timestamp();
  FOR i IN 1..n LOOP PERFORM count(*) FROM dbchange.classify(sql); END LOOP;
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1e6 / n;
END $$;
SQL

STMTS=(
	"SELECT 1"
	"CREATE TABLE n (id bigint PRIMARY KEY, a text NOT NULL DEFAULT '', b timestamptz DEFAULT now())"
	"ALTER TABLE t ADD COLUMN c int DEFAULT 0, ALTER COLUMN b TYPE bigint, ALTER COLUMN a SET NOT NULL"
	"ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (b) REFERENCES t(id) NOT VALID"
	"CREATE INDEX CONCURRENTLY ON t (a)"
	"ALTER TABLE p ADD COLUMN w int DEFAULT random()"
	"DROP TABLE IF EXISTS t, p CASCADE"
	"GRANT SELECT ON t TO PUBLIC"
	"COMMENT ON COLUMN t.a IS 'x'"
)
printf '%-100s %10s %12s\n' "statement" "us/call" "classifier"
base=
for s in "${STMTS[@]}"; do
	vals=()
	for r in $(seq 1 "$ROUNDS"); do
		vals+=("$(dbc_psql "$P" b -At -v s="$s" <<<"SELECT round(bench(:'s', $N)::numeric, 1);")")
	done
	med=$(printf '%s\n' "${vals[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	[ -z "$base" ] && base=$med
	printf '%-100s %10s %12s\n' "${s:0:100}" "$med" "$(awk -v m="$med" -v b="$base" 'BEGIN{printf "%.1f", m-b}')"
done
