#!/usr/bin/env bash
# bench/mysql.sh -- what MySQL targets cost.
#
#  1. The MySQL classifier: dbchange.classify_mysql() over a script of N
#     statements (a mix of CREATE / ALTER / DROP / INSERT with quotes, comments
#     and executable hints), microseconds per statement, against PostgreSQL's
#     own parser splitting the same number of statements (dbchange.classify()
#     of an equivalent PostgreSQL script) measured in the same run.
#  2. Promotion to MariaDB: CHANGES small changes submitted to a control
#     database and applied by `dbchange promote --to mysql://...`, changes per
#     second, against the same statements sent by the mariadb client (vanilla)
#     in the same run.  The ratio is what the history table, the control
#     catalog's deployment records and the schema snapshots cost.
#
# Prints figures; asserts nothing.
set -u
cd "$(dirname "$0")/.."
. regress/lib.sh
N=${N:-5000}
CHANGES=${CHANGES:-200}
make -s >/dev/null && dbc_stage_install || exit 1
P=$((DBC_PORT_BASE + 34))
dbc_pg_start bench_mysql "$P" yes || exit 1
dbc_mysql_start || exit 1
trap 'dbc_pg_stop bench_mysql; dbc_mysql_stop' EXIT
dbc_psql "$P" postgres -c "DROP DATABASE IF EXISTS b" -c "CREATE DATABASE b" >/dev/null
dbc_psql "$P" b -c "CREATE EXTENSION dbchange" >/dev/null

now() { date +%s.%N; }

# ---- 1. classifier ----
my_script=$(for i in $(seq 1 $((N / 4))); do
	printf 'CREATE TABLE `t_%d` (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, note VARCHAR(20) DEFAULT '"'"'a;b'"'"') ENGINE=InnoDB; -- c%d\n' "$i" "$i"
	printf 'ALTER TABLE t_%d ADD COLUMN x INT, MODIFY note TEXT, ALGORITHM=INPLACE, LOCK=NONE; # hash\n' "$i"
	printf '/*!40101 SET NAMES utf8mb4 */;\n'
	printf 'DROP TABLE IF EXISTS t_%d;\n' "$i"
done)
pg_script=$(for i in $(seq 1 $((N / 4))); do
	printf 'CREATE TABLE t_%d (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note varchar(20) DEFAULT '"'"'a;b'"'"'); -- c%d\n' "$i" "$i"
	printf 'ALTER TABLE t_%d ADD COLUMN x int, ALTER COLUMN note TYPE text;\n' "$i"
	printf 'SET client_encoding = '"'"'UTF8'"'"';\n'
	printf 'DROP TABLE IF EXISTS t_%d;\n' "$i"
done)
printf '%s' "$my_script" >"$DBC_BASE/bench_my.sql"
printf '%s' "$pg_script" >"$DBC_BASE/bench_pg.sql"
timeit() {
	dbc_psql "$P" b -At -v f="$1" <<SQL
\set s \`cat :f\`
SELECT count(*) FROM $2(:'s');
\timing on
SELECT count(*) FROM $2(:'s');
SQL
}
my_ms=$(timeit "$DBC_BASE/bench_my.sql" dbchange.classify_mysql | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
pg_ms=$(timeit "$DBC_BASE/bench_pg.sql" dbchange.classify | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
echo "classifier, $N statements in one script:"
awk -v m="$my_ms" -v p="$pg_ms" -v n="$N" 'BEGIN {
	printf "  classify_mysql   %8.1f ms  %6.2f us/statement\n", m, m * 1000 / n
	printf "  classify (pg)    %8.1f ms  %6.2f us/statement\n", p, p * 1000 / n
	printf "  ratio mysql/pg   %8.2f\n", m / p }'

# ---- 2. promotion ----
CTL="host=$DBC_SOCK port=$P user=postgres dbname=b"
dbc_mysql -e "DROP DATABASE IF EXISTS bench_promote; CREATE DATABASE bench_promote; DROP DATABASE IF EXISTS bench_vanilla; CREATE DATABASE bench_vanilla"
for i in $(seq 1 "$CHANGES"); do
	printf 'CREATE TABLE p_%d (id INT PRIMARY KEY, v VARCHAR(10));\n' "$i" >"$DBC_BASE/bench_c.sql"
	"$DBC_CLI" submit --dialect mysql -q "$DBC_BASE/bench_c.sql" -d "$CTL" >/dev/null || { echo "submit failed"; exit 1; }
done
t0=$(now)
"$DBC_CLI" promote -q --from "$CTL" --to "$(dbc_mysql_uri bench_promote)" || { echo "promote failed"; exit 1; }
t1=$(now)
for i in $(seq 1 "$CHANGES"); do printf 'CREATE TABLE p_%d (id INT PRIMARY KEY, v VARCHAR(10));\n' "$i"; done >"$DBC_BASE/bench_v.sql"
t2=$(now)
mariadb --no-defaults -h 127.0.0.1 -P "$DBC_MYSQL_PORT" -u "$DBC_MYSQL_USER" -p"$DBC_MYSQL_PASSWORD" bench_vanilla <"$DBC_BASE/bench_v.sql" 2>/dev/null
t3=$(now)
t4=$(now)
"$DBC_CLI" promote -q --from "$CTL" --to "$(dbc_mysql_uri bench_promote)" || { echo "rerun failed"; exit 1; }
t5=$(now)
echo "promotion of $CHANGES one-statement changes to MariaDB:"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$t4" -v f="$t5" -v n="$CHANGES" 'BEGIN {
	printf "  dbchange promote      %7.2f s  %7.1f changes/s\n", b - a, n / (b - a)
	printf "  mariadb client        %7.2f s  %7.1f statements/s\n", d - c, n / (d - c)
	printf "  ratio promote/client  %7.1f\n", (b - a) / (d - c)
	printf "  rerun (all skipped)   %7.2f s\n", f - e }'
