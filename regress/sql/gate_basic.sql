-- The gate's three paths with the environment's default action (no policies),
-- exact statement capture, and what is recorded.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_gate_basic;
CREATE DATABASE regress_gate_basic;
\c regress_gate_basic
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY default

-- approve (the default): the statement runs and is recorded in its transaction
CREATE TABLE t1 (id int);
SELECT id, status, command, statement, source, requested_by FROM dbchange.changes ORDER BY id;
SELECT change_id, action, object_type, identity FROM dbchange.change_object ORDER BY 1, 2;

-- rolled-back DDL leaves no record
BEGIN;
CREATE TABLE t_rolled_back (id int);
ROLLBACK;
SELECT count(*) AS rolled_back_records FROM dbchange.changes WHERE statement LIKE '%t_rolled_back%';

-- several statements in one query string: one change each, each with its own text
CREATE TABLE a (id int) \; ALTER TABLE a ADD b int \; COMMENT ON TABLE a IS 'x;y';
SELECT id, command, statement FROM dbchange.changes WHERE id > 1 ORDER BY id;

-- DDL from DO blocks, EXECUTE and function bodies: the statement itself, not the block
DO $$
BEGIN
  EXECUTE 'CREATE TABLE t_do (x int)';
  EXECUTE format('ALTER TABLE %I ADD y int', 't_do');
END
$$;
CREATE FUNCTION make_t_fn() RETURNS void LANGUAGE plpgsql AS $$ BEGIN CREATE TABLE t_fn (z int); END $$;
SELECT make_t_fn();
SELECT id, command, statement FROM dbchange.changes WHERE id > 4 ORDER BY id;

-- drops are recorded with the objects they removed, cascaded ones included
CREATE VIEW v_t_do AS SELECT x FROM t_do;
DROP TABLE t_do CASCADE;
SELECT o.action, o.object_type, o.identity, o.command_tag
  FROM dbchange.change_object o JOIN dbchange.changes c ON c.id = o.change_id
 WHERE c.statement = 'DROP TABLE t_do CASCADE' ORDER BY o.seq;

-- a table rewrite is noticed
INSERT INTO t1 SELECT generate_series(1, 10);
ALTER TABLE t1 ALTER COLUMN id TYPE bigint;
SELECT c.rewrote_table FROM dbchange.change c WHERE c.statement = 'ALTER TABLE t1 ALTER COLUMN id TYPE bigint';

-- queue: the statement does not run, a pending change is kept, the error names it
SELECT key, value FROM dbchange.configure(default_action => 'queue');
CREATE TABLE q1 (id int);
SELECT to_regclass('q1') AS q1_exists;
SELECT id, status, command, statement FROM dbchange.changes WHERE status = 'pending' ORDER BY id;

-- queue inside BEGIN ... COMMIT, after an approved DDL in the same transaction:
-- the pending record survives the abort, and nothing hangs
SELECT key, value FROM dbchange.configure(default_action => 'approve') WHERE key = 'default_action';
BEGIN;
CREATE TABLE ok_in_block (id int);
SELECT key, value FROM dbchange.configure(default_action => 'queue') WHERE key = 'default_action';
CREATE TABLE queued_in_block (id int);
COMMIT;
SELECT to_regclass('ok_in_block') AS ok_in_block_exists;
SELECT id, status, statement FROM dbchange.changes WHERE statement LIKE '%in_block%' ORDER BY id;

-- (the configure() in the aborted block was rolled back with it)
SELECT key, value FROM dbchange.configure(default_action => 'queue') WHERE key = 'default_action';
-- commands no event trigger sees are gated too
TRUNCATE t1;
CREATE ROLE regress_gate_basic_role;
ALTER SYSTEM SET work_mem = '8MB';
VACUUM FULL t1;
VACUUM t1;
SELECT command, statement FROM dbchange.changes WHERE status = 'pending' AND statement NOT LIKE '%q1%' AND statement NOT LIKE '%in_block%' ORDER BY id;

-- session_replication_role = replica does not switch the gate off
SET session_replication_role = replica;
CREATE TABLE q_replica (id int);
RESET session_replication_role;
SELECT to_regclass('q_replica') AS q_replica_exists;

-- reject: the statement fails, the attempt is kept as a rejected change and audited
SELECT key, value FROM dbchange.configure(default_action => 'reject') WHERE key = 'default_action';
CREATE TABLE r1 (id int);
SELECT status, statement, reasons FROM dbchange.changes WHERE status = 'rejected';
SELECT event, actor FROM dbchange.audit WHERE change_id = (SELECT max(id) FROM dbchange.change);

-- every state change is an audit event
SELECT event, count(*) FROM dbchange.audit GROUP BY event ORDER BY event;
SELECT key, value FROM dbchange.configure(default_action => 'approve') WHERE key = 'default_action';

-- comments before a statement are not part of its recorded text
DO $$ BEGIN EXECUTE E'/* ticket 42 /* nested */ */ -- why\n  CREATE TABLE t_commented (id int)'; END $$;
SELECT statement FROM dbchange.changes WHERE statement LIKE '%t_commented%';

-- every IMMUTABLE function of dbchange reads nothing but its arguments, so a
-- parallel query may call it (PARALLEL SAFE); none is left unmarked
SELECT p.oid::regprocedure AS unmarked FROM pg_proc p
 WHERE p.pronamespace = 'dbchange'::regnamespace AND p.provolatile = 'i' AND p.proparallel <> 's';
