# bench/ddl_mix.sh -- the DDL mix ddl_overhead.sh and ddl_instructions.sh run,
# sourced by both so that the timed and the counted figures are of one script.
# ddl_mix N: N iterations of six autocommit statements on table bench_t<i>.
ddl_mix() {
	local i
	for i in $(seq 1 "$1"); do
		cat <<SQL
CREATE TABLE bench_t$i (id bigint PRIMARY KEY, v text);
ALTER TABLE bench_t$i ADD COLUMN w integer;
CREATE INDEX bench_t${i}_v ON bench_t$i (v);
COMMENT ON TABLE bench_t$i IS 'bench';
ALTER TABLE bench_t$i RENAME COLUMN w TO w2;
DROP TABLE bench_t$i;
SQL
	done
}
