#!/usr/bin/env bash
# Ids of the catalog's rows (extension/ids.c) across what shared memory does
# not survive: a restart, a crash (immediate stop), a restart without
# preloading and back, and many sessions drawing at once.  After each, new
# changes get ids above every id handed out before, none twice, and the
# session's lastval() is left alone.  Runs its own cluster (it restarts it).
set -u
. "$(dirname "$0")/../lib.sh"
P=$((DBC_PORT_BASE + 13))
NAME=ids
DATA=$DBC_BASE/pg-$NAME
DB=ids
q() { dbc_psql "$P" "$DB" -At "$@"; }
restart() {		# restart MODE PRELOAD(yes|no)
	dbc_as_pg "$DBC_PGBIN/pg_ctl" -D "$DATA" -m "$1" -w -t 60 stop >/dev/null 2>&1
	if [ "$2" = yes ]; then
		sed -i "s/^#*shared_preload_libraries.*/shared_preload_libraries = 'dbchange'/" "$DATA/postgresql.conf"
	else
		sed -i "s/^shared_preload_libraries.*/#shared_preload_libraries = ''/" "$DATA/postgresql.conf"
	fi
	dbc_as_pg "$DBC_PGBIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >/dev/null
}
trap 'dbc_pg_stop $NAME' EXIT

dbc_pg_start "$NAME" "$P" yes || { not_ok "cluster start"; dbc_summary; exit 1; }
dbc_psql "$P" postgres -c "CREATE DATABASE $DB" >/dev/null
q -c "SET client_min_messages=warning; CREATE EXTENSION dbchange" >/dev/null
q -c "CREATE SEQUENCE app_seq START 500" >/dev/null

# n DDL statements, in one session, after a nextval() of the application's
# sequence; prints lastval() at the end
ddl() {
	local tag=$1 n=$2 i sql="SELECT nextval('app_seq');"
	for i in $(seq 1 "$n"); do sql="$sql CREATE TABLE ${tag}_$i (a int);"; done
	# (the library loaded first: without preloading, a multi-statement
	# string that loads it is refused, as documented)
	q -c "SELECT dbchange.preloaded()" -c "$sql" -c "SELECT lastval()" | tail -1
}
max_id() { q -c "SELECT max(id) FROM dbchange.change"; }

lv=$(ddl a 5)
check "lastval() after 5 approved statements is the application's" "$(q -c "SELECT last_value FROM app_seq")" "$lv"
m1=$(max_id)
check "5 changes recorded" 5 "$(q -c "SELECT count(*) FROM dbchange.change WHERE statement ~ '^CREATE TABLE a_'")"

# a clean restart: the counters start empty and reserve from the sequence
restart fast yes
ddl b 3 >/dev/null
check "after a restart: new ids above the old ones" t "$(q -c "SELECT min(id) > $m1 FROM dbchange.change WHERE statement ~ '^CREATE TABLE b_'")"
m2=$(max_id)

# a crash: the block reserved before it is WAL-logged, so no id comes again
ddl c 4 >/dev/null
m3=$(max_id)
restart immediate yes
ddl d 3 >/dev/null
check "after a crash: new ids above every id committed before" t "$(q -c "SELECT min(id) > $m3 FROM dbchange.change WHERE statement ~ '^CREATE TABLE d_'")"

# without preloading: nextval() as a bigserial default, still after the ids before
m4=$(max_id)
restart fast no
check "not preloaded" f "$(q -c "SELECT dbchange.preloaded()")"
ddl e 3 >/dev/null
check "without preloading: new ids above the old ones" t "$(q -c "SELECT min(id) > $m4 FROM dbchange.change WHERE statement ~ '^CREATE TABLE e_'")"
m5=$(max_id)
check "without preloading: the sequence is the last id" "$m5" "$(q -c "SELECT dbchange._last_id('dbchange.change_id_seq')")"
restart fast yes
ddl f 3 >/dev/null
check "preloaded again: new ids above the old ones" t "$(q -c "SELECT min(id) > $m5 FROM dbchange.change WHERE statement ~ '^CREATE TABLE f_'")"

# eight sessions drawing at once, 40 statements each (the blocks of 32 run out
# and are reserved again under contention); audit rows too (queued changes
# are written by the durable worker, another backend)
m6=$(max_id)
for s in $(seq 1 8); do
	( ddl "g${s}" 40 >/dev/null ) &
done
wait
check "8 x 40 concurrent changes recorded" 320 "$(q -c "SELECT count(*) FROM dbchange.change WHERE id > $m6")"
check "no id twice, none below the ones before" "t|t" "$(q -c "SELECT count(*) = count(DISTINCT id), min(id) > $m6 FROM dbchange.change WHERE id > $m6")"
check "_last_id() is the highest id" t "$(q -c "SELECT dbchange._last_id('dbchange.change_id_seq') = max(id) FROM dbchange.change")"
check "every id is in order of its session's statements" 0 "$(q -c "
  SELECT count(*) FROM (
    SELECT id, lag(id) OVER (PARTITION BY substring(statement from '^CREATE TABLE (g[0-9]+)_')
                             ORDER BY substring(statement from '_([0-9]+) ')::int) AS prev
      FROM dbchange.change WHERE id > $m6) x
   WHERE prev >= id")"
q -c "SELECT dbchange.configure(default_action => 'queue')" >/dev/null
for s in $(seq 1 4); do
	( q -c "CREATE TABLE h_$s (a int)" >/dev/null 2>&1 ) &
done
wait
check "4 queued changes recorded by the durable worker" 4 "$(q -c "SELECT count(*) FROM dbchange.change WHERE status = 'pending' AND statement ~ '^CREATE TABLE h_'")"
check "audit ids unique" t "$(q -c "SELECT count(*) = count(DISTINCT seq) FROM dbchange.audit")"
# the sealer's mark: every applied change has its "applied" event once
check "the audit chain is intact after sealing" "" "$(q -c "SELECT dbchange.verify_audit()")"
check "every approved change has one applied event after sealing" 0 "$(q -c "
  SELECT count(*) FROM dbchange.change c
   WHERE c.facts IS NOT NULL AND c.status = 'applied'
     AND (SELECT count(*) FROM dbchange.audit a WHERE a.change_id = c.id AND a.event = 'applied') <> 1")"

dbc_summary
[ "$DBC_FAIL" = 0 ]
