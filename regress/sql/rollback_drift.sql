-- Drift: the schema vs what the applied changes produced; environment diff;
-- restore points before high-risk changes in production.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_rollback_drift;
DROP DATABASE IF EXISTS regress_rollback_drift_b;
CREATE DATABASE regress_rollback_drift;
\c regress_rollback_drift
SET client_min_messages = notice;
CREATE EXTENSION dbchange;
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE TABLE account (id int PRIMARY KEY, name text);
CREATE TABLE audit_trail (id int);
-- the first detect_drift() takes the baseline
SELECT * FROM dbchange.detect_drift();
SET client_min_messages = warning;
SELECT reason, change_id > 0 AS covers_changes, snapshot IS NOT NULL AS has_snapshot, length(hash) AS hash_length
  FROM dbchange.schema_state ORDER BY id;

-- changes made through the gate are not drift
CREATE TABLE invoice (id int, account_id int REFERENCES account);
ALTER TABLE account ADD COLUMN email text;
CREATE INDEX invoice_account_idx ON invoice (account_id);
-- (a rename is explained through the classifier's facts, which name the old object)
ALTER TABLE audit_trail RENAME TO audit_log;
ALTER TABLE audit_log RENAME COLUMN id TO entry_id;
SELECT * FROM dbchange.detect_drift();

-- a superuser switches enforcement off and changes things behind the gate: named
SET dbchange.enforce = off;
CREATE TABLE sneaky (x int);
ALTER TABLE account ALTER COLUMN name SET DEFAULT 'anon';
COMMENT ON TABLE invoice IS 'changed by hand';
CREATE FUNCTION shadow() RETURNS int LANGUAGE sql AS 'SELECT 1';
RESET dbchange.enforce;
SELECT count(*) AS recorded FROM dbchange.changes WHERE statement LIKE '%sneaky%' OR statement LIKE '%shadow%';
SELECT * FROM dbchange.detect_drift();

-- a new baseline does not swallow the drift: it is kept until accepted
SELECT dbchange.record_schema_state() > 0 AS recorded;
SELECT count(*) AS drift_rows FROM dbchange.detect_drift();
SELECT event FROM dbchange.audit WHERE event LIKE 'drift%' ORDER BY seq;
-- only the latest baseline keeps the full snapshot; every one keeps its hash
SELECT count(*) AS baselines, count(snapshot) AS with_snapshot, count(hash) AS with_hash FROM dbchange.schema_state;
SELECT dbchange.accept_drift() AS accepted;
SELECT * FROM dbchange.detect_drift();
-- dropped behind the gate: named as missing
SET dbchange.enforce = off;
DROP TABLE sneaky;
RESET dbchange.enforce;
SELECT * FROM dbchange.detect_drift();
SELECT dbchange.accept_drift() AS accepted;

-- eager mode: a baseline (hash) for every applied change
SELECT dbchange.set_drift_snapshots('eager');
SELECT count(*) AS baselines_before FROM dbchange.schema_state \gset
CREATE TABLE eager1 (id int);
CREATE TABLE eager2 (id int);
SELECT count(*) - :baselines_before AS new_baselines FROM dbchange.schema_state;
SELECT reason FROM dbchange.schema_state ORDER BY id DESC LIMIT 1;
-- in eager mode, drift on an object a recorded change also touched is still caught
SET dbchange.enforce = off;
ALTER TABLE eager2 ADD COLUMN hidden int;
RESET dbchange.enforce;
CREATE TABLE eager3 (id int);
SELECT * FROM dbchange.detect_drift();
SELECT dbchange.accept_drift() AS accepted;
SELECT dbchange.set_drift_snapshots('lazy');

-- permissions and bad input
DROP ROLE IF EXISTS regress_rb_drift_dev;
CREATE ROLE regress_rb_drift_dev;
SET ROLE regress_rb_drift_dev;
SELECT count(*) AS anyone_may_look FROM dbchange.detect_drift();
SELECT dbchange.accept_drift();
SELECT dbchange.record_schema_state();
SELECT dbchange.set_drift_snapshots('eager');
SELECT * FROM dbchange.set_restore_points('high');
SELECT * FROM dbchange.schema_state;
RESET ROLE;
DROP ROLE regress_rb_drift_dev;
SELECT dbchange.set_drift_snapshots('sometimes');

-- environment diff: two databases' snapshots, one lacking a table
SELECT dbchange.schema_snapshot() AS env_a \gset
CREATE DATABASE regress_rollback_drift_b;
\c regress_rollback_drift_b
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
CREATE TABLE account (id int PRIMARY KEY, name text DEFAULT 'anon', email text);
CREATE TABLE invoice (id int, account_id int REFERENCES account);
SELECT * FROM dbchange.snapshot_diff(:'env_a'::jsonb, dbchange.schema_snapshot(), 'env')
 WHERE object LIKE 'table %' OR object LIKE 'column public.account.%' ORDER BY 1;
-- and the other way round
SELECT * FROM dbchange.snapshot_diff(dbchange.schema_snapshot(), :'env_a'::jsonb, 'env') WHERE object LIKE 'table %' ORDER BY 1;
\c regress_rollback_drift
SET client_min_messages = warning;
\set SHOW_CONTEXT never

-- restore points: high-risk changes in prod take one before they apply
SELECT * FROM dbchange.set_restore_points('high');
SELECT * FROM dbchange.configure(environment => 'prod') WHERE key = 'environment';
-- (risk comes from policies; the catalog writer records what the gate/workflow decided)
CREATE FUNCTION pg_temp.record(stmt text, risk text) RETURNS bigint LANGUAGE sql AS $$
  SELECT dbchange._record(jsonb_build_object('status', 'applied', 'statement', stmt, 'command', 'DROP TABLE',
    'requested_by', current_user, 'source', 'submit', 'action', 'approve', 'risk', risk))
$$;
SELECT pg_temp.record('DROP TABLE big', 'high') AS high_change \gset
SELECT pg_temp.record('CREATE TABLE small (id int)', 'low') AS low_change \gset
SELECT id = :high_change AS is_high, restore_point = 'dbchange-' || id AS named_by_id, restore_lsn IS NOT NULL AS has_lsn
  FROM dbchange.change WHERE id IN (:high_change, :low_change) ORDER BY id;
-- a pending high-risk change takes it when it is applied
SELECT dbchange._record(jsonb_build_object('status', 'pending', 'statement', 'DROP TABLE huge', 'command', 'DROP TABLE',
    'requested_by', current_user, 'source', 'submit', 'action', 'queue', 'risk', 'critical')) AS crit \gset
SELECT restore_point IS NULL AS none_while_pending FROM dbchange.change WHERE id = :crit;
UPDATE dbchange.change SET status = 'applied' WHERE id = :crit;
SELECT restore_point = 'dbchange-' || id AS taken_at_apply FROM dbchange.change WHERE id = :crit;
-- not in other environments
SELECT * FROM dbchange.configure(environment => 'stage') WHERE key = 'environment';
SELECT pg_temp.record('DROP TABLE big2', 'critical') AS stage_change \gset
SELECT restore_point IS NULL AS none_in_stage FROM dbchange.change WHERE id = :stage_change;
SELECT * FROM dbchange.set_restore_points('off');
SELECT * FROM dbchange.set_restore_points('sometimes');
SELECT * FROM dbchange.set_restore_points('high', ARRAY['Prod!']);
