#!/usr/bin/env bash
# bench/verbs_1m.sh -- the DBA's verbs with a million changes of history.
#
#   Loads HISTORY (default 1,000,000) historical changes (applied / failed /
#   rejected, two environments' worth of timestamps over two years), one
#   statement each, an approval for every other one, and 2 audit entries per
#   change (pre-sealed: the chain head is what the hot path reads), then
#   measures with pgbench, one client, autocommit:
#     pending()   with OPEN (default 50) changes waiting
#     approve()   final approval of a one-step flow (rollout manual), N distinct changes
#     apply()     of N approved changes, each CREATE TABLE (runs as the requester)
#     baseline    the same CREATE TABLE run directly, dbchange.enforce = off
#                 (vanilla DDL cost, for the apply figure)
#     metrics     the view (last 30 days) once, and verify_audit() is not run
#                 (it is O(history) by design)
#   Target: each verb under 5 ms.  Prints figures; asserts nothing.
set -u
cd "$(dirname "$0")/.."
. regress/lib.sh
HISTORY=${HISTORY:-1000000}
OPEN=${OPEN:-50}
N=${N:-500}
make -s >/dev/null && dbc_stage_install || exit 1
P=$((DBC_PORT_BASE + 32))
dbc_pg_start bench_verbs "$P" yes "shared_buffers = 512MB" "max_wal_size = 4GB" "checkpoint_timeout = 30min" || exit 1
trap 'dbc_pg_stop bench_verbs' EXIT
TMP=$(mktemp -d)
q() { dbc_psql "$P" b -At "$@"; }
pgb() { "$DBC_PGBIN/pgbench" -n -h "$DBC_SOCK" -p "$P" "$@" b 2>&1; }
lat() { grep -E '^latency average' | sed -E 's/latency average = ([0-9.]+) ms/\1/'; }

dbc_psql "$P" postgres -c "CREATE DATABASE b" >/dev/null
q -c "SET client_min_messages = warning; CREATE EXTENSION dbchange" >/dev/null
q >/dev/null <<'SQL'
SET client_min_messages = warning;
SET dbchange.enforce = off;
DROP ROLE IF EXISTS bench_dev, bench_appr, bench_dep;
CREATE ROLE bench_dev LOGIN;
CREATE ROLE bench_appr LOGIN IN ROLE dbchange_approver;
CREATE ROLE bench_dep LOGIN IN ROLE dbchange_deployer;
GRANT CREATE ON SCHEMA public TO bench_dev;
SQL

echo "loading $HISTORY historical changes ..."
start=$(date +%s)
q >/dev/null <<SQL
SET dbchange.enforce = off;
SET synchronous_commit = off;
INSERT INTO dbchange.change (checksum, status, environment, command, statement, requested_by, requested_by_oid,
                             search_path, source, risk, created_at, decided_at, applied_at, failed_at, flow, flow_steps,
                             facts)
SELECT md5(g::text), s.status, CASE WHEN g % 3 = 0 THEN 'test' ELSE 'prod' END, 'ALTER TABLE',
       'ALTER TABLE t' || (g % 1000) || ' ADD COLUMN c' || g || ' int', 'bench_dev', 'bench_dev'::regrole,
       '"\$user", public', 'interactive', (ARRAY['low','moderate','high',NULL])[1 + g % 4],
       t, t + interval '1 hour',
       CASE WHEN s.status = 'applied' THEN t + interval '2 hours' END,
       CASE WHEN s.status = 'failed' THEN t + interval '2 hours' END,
       CASE WHEN g % 2 = 0 THEN 'default' END, CASE WHEN g % 2 = 0 THEN '{dbchange_approver}'::text[] END,
       jsonb_build_object('command', 'ALTER TABLE', 'identity', 'public.t' || (g % 1000))
  FROM generate_series(1, $HISTORY) g
  CROSS JOIN LATERAL (SELECT CASE WHEN g % 50 = 0 THEN 'failed' WHEN g % 37 = 0 THEN 'rejected' ELSE 'applied' END AS status,
                             now() - interval '730 days' * (1 - g::float8 / $HISTORY) AS t) s;
INSERT INTO dbchange.change_step (change_id, step_no, role, approved_by, approved_by_oid, approved_at)
SELECT id, 1, 'dbchange_approver', 'bench_appr', 'bench_appr'::regrole, decided_at
  FROM dbchange.change WHERE flow_steps IS NOT NULL;
-- pre-sealed audit entries (queued + applied per change): realistic index sizes;
-- hashes are placeholders, the hot path only reads the chain head
INSERT INTO dbchange.audit (at, actor, event, change_id, details, chain_pos, prev_hash, hash)
SELECT c.created_at + (e.k * interval '1 hour'), 'bench_dev', e.ev, c.id, '{}'::jsonb,
       (c.id - 1) * 2 + e.k + 1, md5(c.id::text || e.k), md5(c.id::text || e.k || 'h')
  FROM dbchange.change c CROSS JOIN (VALUES (0, 'queued'), (1, 'applied')) AS e(k, ev);
SQL
q -c "VACUUM ANALYZE" >/dev/null 2>&1
echo "loaded in $(( $(date +%s) - start ))s: $(q -c "SELECT count(*) FROM dbchange.change") changes, $(q -c "SELECT count(*) FROM dbchange.audit") audit entries, $(q -c "SELECT pg_size_pretty(pg_database_size('b'))")"

# open changes: OPEN pending (pending() figure), then N pending for approve(), N approved for apply()
mk_pending() { # count prefix
	q >/dev/null <<SQL
SET client_min_messages = warning;
SET ROLE bench_dev;
SELECT count(dbchange.submit('CREATE TABLE $2_' || g || ' (id int)')) FROM generate_series(1, $1) g;
SQL
}
q -c "SELECT dbchange.configure(default_action => 'queue')" >/dev/null
mk_pending "$OPEN" bench_open
echo "open changes: $(q -c "SELECT count(*) FROM dbchange.pending()")"

echo 'SELECT count(*) FROM dbchange.pending();' >"$TMP/pending.sql"
pgb -U bench_appr -t 200 -f "$TMP/pending.sql" >"$TMP/p0"   # warm-up
pgb -U bench_appr -t 1000 -f "$TMP/pending.sql" >"$TMP/p1"
pending_ms=$(lat <"$TMP/p1")

# approve(): N distinct pending changes, consecutive ids
first=$(( $(q -c "SELECT last_value FROM dbchange.change_id_seq") + 1 ))
mk_pending "$N" bench_appr
q -c "SET client_min_messages = warning; SET dbchange.enforce = off; DROP SEQUENCE IF EXISTS public.bench_ids; CREATE SEQUENCE public.bench_ids START $first; GRANT USAGE ON SEQUENCE public.bench_ids TO PUBLIC" >/dev/null
echo "SELECT dbchange.approve(nextval('public.bench_ids'), 'bench');" >"$TMP/approve.sql"
pgb -U bench_appr -t "$N" -f "$TMP/approve.sql" >"$TMP/a1"
approve_ms=$(lat <"$TMP/a1")
check_approved=$(q -c "SELECT count(*) FROM dbchange.change WHERE id >= $first AND status = 'approved'")

# apply(): the N changes just approved, each a CREATE TABLE run as bench_dev
q -c "SELECT setval('public.bench_ids', $first, false)" >/dev/null
echo "SELECT dbchange.apply(nextval('public.bench_ids'));" >"$TMP/apply.sql"
pgb -U bench_dep -t "$N" -f "$TMP/apply.sql" >"$TMP/ap1"
apply_ms=$(lat <"$TMP/ap1")
check_applied=$(q -c "SELECT count(*) FROM dbchange.change WHERE id >= $first AND status = 'applied'")

# baseline: the same DDL directly, without dbchange's gate
printf '\\set n random(1, 1000000000)\nCREATE TABLE IF NOT EXISTS bench_plain_:n (id int);\n' >"$TMP/plain.sql"
PGOPTIONS='-c dbchange.enforce=off' pgb -U postgres -t "$N" -f "$TMP/plain.sql" >"$TMP/b1"
plain_ms=$(lat <"$TMP/b1")

start_ms=$(date +%s%N)
q -c "SELECT count(*) FROM dbchange.metrics" >/dev/null
metrics_ms=$(( ($(date +%s%N) - start_ms) / 1000000 ))

echo
echo "history: $HISTORY changes; open while measuring pending(): $OPEN; N = $N calls per verb"
printf '%-28s %10s ms\n' "pending()" "$pending_ms"
printf '%-28s %10s ms   (%s of %s approved)\n' "approve() (final step)" "$approve_ms" "$check_approved" "$N"
printf '%-28s %10s ms   (%s of %s applied)\n' "apply() (CREATE TABLE)" "$apply_ms" "$check_applied" "$N"
printf '%-28s %10s ms   (enforce off: vanilla DDL)\n' "CREATE TABLE directly" "$plain_ms"
printf '%-28s %10s ms   (one query incl. psql start)\n' "metrics view (30 days)" "$metrics_ms"
rm -rf "$TMP"
