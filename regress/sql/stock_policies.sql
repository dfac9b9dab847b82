-- stock_policies: the stock library in lua_policies/ loads through set_policy (which runs each
-- file's own tests against the real classifier), test_policies() passes for all of them, and
-- the decisions at the gate and in dry runs are what docs/stock-policies.md says.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_stock_policies;
CREATE DATABASE regress_stock_policies;
\c regress_stock_policies
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
-- Load every file (psql reads them on the client side: no server file access needed).
\set src `cat lua_policies/backward_compatibility.lua`
SELECT dbchange.set_policy('backward_compatibility', :'src');
\set src `cat lua_policies/change_freeze.lua`
SELECT dbchange.set_policy('change_freeze', :'src');
\set src `cat lua_policies/column_changes.lua`
SELECT dbchange.set_policy('column_changes', :'src');
\set src `cat lua_policies/column_types.lua`
SELECT dbchange.set_policy('column_types', :'src');
\set src `cat lua_policies/destructive_changes.lua`
SELECT dbchange.set_policy('destructive_changes', :'src');
\set src `cat lua_policies/environment_risk.lua`
SELECT dbchange.set_policy('environment_risk', :'src');
\set src `cat lua_policies/index_locking.lua`
SELECT dbchange.set_policy('index_locking', :'src');
\set src `cat lua_policies/maintenance_window.lua`
SELECT dbchange.set_policy('maintenance_window', :'src');
\set src `cat lua_policies/migration_hygiene.lua`
SELECT dbchange.set_policy('migration_hygiene', :'src');
\set src `cat lua_policies/naming_conventions.lua`
SELECT dbchange.set_policy('naming_conventions', :'src');
\set src `cat lua_policies/protected_objects.lua`
SELECT dbchange.set_policy('protected_objects', :'src');
\set src `cat lua_policies/safe_constraints.lua`
SELECT dbchange.set_policy('safe_constraints', :'src');
\set src `cat lua_policies/server_security.lua`
SELECT dbchange.set_policy('server_security', :'src');
\set src `cat lua_policies/table_design.lua`
SELECT dbchange.set_policy('table_design', :'src');
\set src `cat lua_policies/table_rewrites.lua`
SELECT dbchange.set_policy('table_rewrites', :'src');
SELECT count(*) AS policies FROM dbchange.policies WHERE enabled;
-- Every test of every policy passes; the failures (none) are listed with why.
SELECT count(*) AS tests, count(*) FILTER (WHERE passed) AS passed FROM dbchange.test_policies();
SELECT policy, test_no, statement, environment, expected, actual, risk, details
  FROM dbchange.test_policies() WHERE NOT passed;
SELECT policy, count(*) AS tests FROM dbchange.test_policies() GROUP BY policy ORDER BY policy;
-- A policy whose tests do not hold is refused, changing nothing: the stock destructive policy
-- with one expectation flipped.
\set src `sed 's/{ sql = "DROP DATABASE analytics", environment = "prod", expect = "reject"/{ sql = "DROP DATABASE analytics", environment = "prod", expect = "approve"/' lua_policies/destructive_changes.lua`
SELECT dbchange.set_policy('destructive_changes', :'src');
SELECT count(*) FILTER (WHERE passed) = count(*) AS still_all_pass FROM dbchange.test_policies();

-- The time-dependent policies are switched off for the checks below, so that the results do
-- not depend on when the test runs (their own tests pin the time through facts overrides).
SELECT dbchange.disable_policy('maintenance_window');
SELECT dbchange.disable_policy('change_freeze');

-- Dry runs: the same script in each environment.
\set script 'CREATE TABLE public.pt_orders (id bigint PRIMARY KEY, created_at timestamptz); CREATE INDEX idx_pt_orders_created ON public.pt_orders (created_at); ALTER TABLE public.pt_orders ADD COLUMN note text; COMMENT ON TABLE public.pt_orders IS ''orders''; ALTER TABLE public.pt_orders RENAME COLUMN note TO remark; DROP TABLE public.pt_orders; DROP TABLE public.pt_orders CASCADE; TRUNCATE public.pt_orders; ALTER TABLE public.payments ADD COLUMN memo text; CREATE TABLE pg_catalog.pt_evil (x int)'
SELECT e.env, statement_no, command, action, risk
  FROM unnest(ARRAY['dev', 'test', 'stage', 'prod']) AS e(env),
       LATERAL dbchange.evaluate(:'script', e.env)
 ORDER BY array_position(ARRAY['dev', 'test', 'stage', 'prod'], e.env), statement_no;
-- Reasons name the policy and the check.
SELECT r FROM dbchange.evaluate('DROP TABLE public.pt_orders CASCADE', 'prod'), unnest(reasons) AS r ORDER BY r;
-- Sizes matter: a large table (from an estimate) turns an index build into a queued change in stage.
CREATE TABLE pt_big (id bigint PRIMARY KEY, v text);
INSERT INTO pt_big SELECT g, 'v' || g FROM generate_series(1, 120000) g;
ANALYZE pt_big;
SELECT statement_no, action, risk, array_to_string(reasons, ' | ') LIKE '%require-concurrent-index-creation%' AS names_check
  FROM dbchange.evaluate('CREATE INDEX idx_pt_big_v ON pt_big (v); CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_pt_big_v ON pt_big (v)', 'stage');
-- Transaction control in a script dbchange runs itself (submit() refuses it):
-- the dry run lets migration_hygiene judge it (transaction-nesting); interactively
-- it is not checked.
SELECT src, statement_no, action, coalesce(risk, '-') AS risk, array_to_string(reasons, ' | ') LIKE '%transaction-nesting%' AS nesting
  FROM (VALUES ('migration'), ('submit'), ('interactive')) s(src),
       LATERAL dbchange.evaluate('BEGIN; CREATE INDEX CONCURRENTLY idx_pt_big_v ON pt_big (v); COMMIT', 'prod', src)
 WHERE command <> 'CREATE INDEX' ORDER BY src, statement_no;
-- evaluate() executed nothing.
SELECT to_regclass('public.pt_orders') AS pt_orders, to_regclass('public.idx_pt_big_v') AS idx;

-- The gate.  In dev the policies approve (reasons kept as warnings).
SELECT key, value FROM dbchange.configure(environment => 'dev') WHERE key = 'environment';
CREATE TABLE pt_gate (id serial PRIMARY KEY, code char(3));
ALTER TABLE pt_gate RENAME COLUMN code TO short_code;
CREATE TABLE pt_keep (id bigint PRIMARY KEY, created_at timestamptz);
DROP TABLE pt_gate;
SELECT status, command, risk, array_length(reasons, 1) > 0 AS has_reasons
  FROM dbchange.changes ORDER BY id DESC LIMIT 4;
-- In prod: DROP TABLE is queued (ZC001), DROP ... CASCADE rejected (ZC002), a routine COMMENT runs.
SELECT key, value FROM dbchange.configure(environment => 'prod') WHERE key = 'environment';
\set VERBOSITY sqlstate
DROP TABLE pt_keep;
DROP TABLE pt_keep CASCADE;
CREATE INDEX idx_pt_big_v ON pt_big (v);
\set VERBOSITY terse
COMMENT ON TABLE pt_keep IS 'kept';
SELECT to_regclass('public.pt_keep') IS NOT NULL AS pt_keep_still_there,
       to_regclass('public.idx_pt_big_v') IS NULL AS no_index_built;
SELECT status, command, risk,
       array_to_string(reasons, ' | ') LIKE '%ban-drop-table%' AS ban_drop_table,
       array_to_string(reasons, ' | ') LIKE '%ban-cascade%' AS ban_cascade,
       array_to_string(reasons, ' | ') LIKE '%require-concurrent-index-creation%' AS concurrent_index
  FROM dbchange.changes ORDER BY id DESC LIMIT 4;
-- In test: the same DROP TABLE is approved with moderate risk.
SELECT key, value FROM dbchange.configure(environment => 'test') WHERE key = 'environment';
DROP TABLE pt_keep;
SELECT status, command, risk FROM dbchange.changes ORDER BY id DESC LIMIT 1;
