-- submit(): a script is one change, all or nothing; each statement keeps its
-- own decision; queued -> pending; rejected -> error, recorded durably;
-- non-transactional statements -> apply() refuses with the CLI hint;
-- submit_promoted(): identity travels, checksum checked, idempotent; bad input.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_workflow_submit;
DROP ROLE IF EXISTS wfs_dev, wfs_dba, wfs_dan;
CREATE DATABASE regress_workflow_submit;
\c regress_workflow_submit
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE ROLE wfs_dev LOGIN;
CREATE ROLE wfs_dba LOGIN IN ROLE dbchange_approver;
CREATE ROLE wfs_dan LOGIN IN ROLE dbchange_deployer;
GRANT CREATE ON SCHEMA public TO wfs_dev, wfs_dan;

-- approved (default action approve): everything runs now, as the caller, one change
SET ROLE wfs_dev;
SELECT dbchange.submit($$
  CREATE TABLE items (id int PRIMARY KEY, name text);
  CREATE INDEX items_name ON items (name);
  INSERT INTO items VALUES (1, 'one');
$$, 'items table') AS items_id \gset
RESET ROLE;
SELECT status, command, description, source, requested_by, applied_at IS NOT NULL AS applied
  FROM dbchange.changes WHERE id = :items_id;
SELECT statement_no, statement, command, action FROM dbchange.change_statement WHERE change_id = :items_id ORDER BY 1;
SELECT action, object_type, identity FROM dbchange.change_object WHERE change_id = :items_id ORDER BY seq;
SELECT tableowner FROM pg_tables WHERE tablename = 'items';
SELECT * FROM items;
-- the statements were not recorded again as separate changes by the gate
SELECT count(*) AS changes FROM dbchange.change WHERE statement LIKE '%items%';
-- checksum is the sha256 of the script
SELECT checksum = encode(sha256(convert_to(statement, 'UTF8')), 'hex') AS checksum_ok FROM dbchange.change WHERE id = :items_id;

-- all or nothing: statement 2 fails, statement 1 is undone, nothing is recorded
SET ROLE wfs_dev;
\set SHOW_CONTEXT errors
SELECT dbchange.submit($$CREATE TABLE partial (id int); CREATE TABLE items (id int)$$);
-- the line is the failing statement's own, counted past comments, blank lines,
-- a statement of several lines and a semicolon inside a string
SELECT dbchange.submit($$-- a comment; with a semicolon
CREATE TABLE partial (
  id int,
  note text DEFAULT 'a;b'
);

/* a block
   comment */ CREATE TABLE partial2 (id int); CREATE TABLE partial3 (id int);
CREATE TABLE items (id int)$$);
\set SHOW_CONTEXT never
RESET ROLE;
SELECT to_regclass('partial') AS partial_table, count(*) AS recorded FROM dbchange.change WHERE statement LIKE '%partial%';
-- inside the caller's transaction: the caller's rollback undoes the change and its record
BEGIN;
SELECT dbchange.submit('CREATE TABLE rolled_back (id int)') IS NOT NULL AS submitted;
ROLLBACK;
SELECT to_regclass('rolled_back') AS rolled_back_table, count(*) AS recorded FROM dbchange.change WHERE statement LIKE '%rolled_back%';

-- a DO block is not DDL the policies can see into: its DDL is judged by the gate on its own
SET ROLE wfs_dev;
SELECT dbchange.submit($s$DO $do$ BEGIN EXECUTE 'CREATE TABLE from_do (id int)'; END $do$$s$) AS do_id \gset
RESET ROLE;
SELECT id = :do_id AS is_submitted, source, command FROM dbchange.changes WHERE statement LIKE '%from_do%' ORDER BY id;

-- queued: the whole script waits; nothing runs
SELECT value FROM dbchange.configure(default_action => 'queue') WHERE key = 'default_action';
SET ROLE wfs_dev;
SELECT dbchange.submit($$ALTER TABLE items ADD COLUMN price numeric; CREATE INDEX items_price ON items (price)$$) AS q_id \gset
RESET ROLE;
SELECT status, command FROM dbchange.changes WHERE id = :q_id;
SELECT statement_no, statement, action FROM dbchange.change_statement WHERE change_id = :q_id ORDER BY 1;
SELECT count(*) AS price_columns FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'price';
SELECT status, step_role FROM dbchange.pending() WHERE id = :q_id;
SET ROLE wfs_dba;
SELECT dbchange.approve(:q_id, 'fine');
SET ROLE wfs_dan;
SELECT dbchange.apply(:q_id);
RESET ROLE;
SELECT count(*) AS price_columns FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'price';
SELECT indexname FROM pg_indexes WHERE tablename = 'items' ORDER BY 1;

-- rejected: an error; the attempt is recorded durably although the transaction aborted
SELECT value FROM dbchange.configure(default_action => 'reject') WHERE key = 'default_action';
SET ROLE wfs_dev;
\set VERBOSITY terse
SELECT dbchange.submit('DROP TABLE items', 'please');
\set VERBOSITY default
RESET ROLE;
SELECT status, statement, description, requested_by FROM dbchange.changes WHERE statement = 'DROP TABLE items';
SELECT to_regclass('items') IS NOT NULL AS items_still_there;

-- a statement that cannot run inside a function: recorded approved, apply() refuses with the hint
SELECT value FROM dbchange.configure(default_action => 'approve') WHERE key = 'default_action';
SET ROLE wfs_dev;
SELECT dbchange.submit('CREATE INDEX CONCURRENTLY items_name2 ON items (name)') AS cic_id \gset
RESET ROLE;
SELECT status FROM dbchange.changes WHERE id = :cic_id;
SET ROLE wfs_dan;
SELECT dbchange.apply(:cic_id);
RESET ROLE;
SELECT status FROM dbchange.changes WHERE id = :cic_id;
-- the authorisation refuses changes mixing queries with top-level statements
SET ROLE wfs_dev;
SELECT dbchange.submit('CREATE INDEX CONCURRENTLY items_name3 ON items (name); SELECT 1') AS mixed_id \gset
SET ROLE wfs_dan;
SELECT * FROM dbchange.authorize_toplevel(:mixed_id);
SELECT dbchange.finish_toplevel(:mixed_id);
RESET ROLE;

-- ---- promotion ----------------------------------------------------------------
\set script 'CREATE TABLE promoted (id int)'
SELECT encode(sha256(convert_to(:'script', 'UTF8')), 'hex') AS sum \gset
-- deployers only
SET ROLE wfs_dev;
SELECT dbchange.submit_promoted(:'script', '8a1c7f1e-0000-4000-8000-000000000001', :'sum');
SET ROLE wfs_dan;
-- the checksum must be the script's
SELECT dbchange.submit_promoted(:'script', '8a1c7f1e-0000-4000-8000-000000000001', 'abc');
SELECT dbchange.submit_promoted(:'script', NULL, :'sum');
SELECT dbchange.submit_promoted(:'script', '8a1c7f1e-0000-4000-8000-000000000001', :'sum',
       'from dev', NULL, 'alice', '{"environment": "dev", "id": 42}') AS p_id \gset
-- idempotent: the same uid and checksum returns the same change
SELECT dbchange.submit_promoted(:'script', '8a1c7f1e-0000-4000-8000-000000000001', :'sum') = :p_id AS same_change;
-- the same uid with another text is an error
SELECT dbchange.submit_promoted('CREATE TABLE promoted2 (id int)', '8a1c7f1e-0000-4000-8000-000000000001',
       encode(sha256(convert_to('CREATE TABLE promoted2 (id int)', 'UTF8')), 'hex'));
RESET ROLE;
SELECT uid, status, source, requested_by, description, origin FROM dbchange.change WHERE id = :p_id;
SELECT tableowner FROM pg_tables WHERE tablename = 'promoted';

-- ---- bad input --------------------------------------------------------------------
SELECT dbchange.submit(NULL);
SELECT dbchange.submit('');
SELECT dbchange.submit('  -- only a comment');
SELECT dbchange.submit('BEGIN; CREATE TABLE x (id int); COMMIT');
SELECT dbchange.submit('CREATE TABLE ok (id int); CREATE TABL broken');
SELECT dbchange.submit('CREATE TABLE x (id int)', source => 'cron');
SELECT count(*) AS nothing_recorded FROM dbchange.change WHERE statement LIKE '%broken%' OR statement LIKE '%COMMIT%';

SELECT dbchange.verify_audit();

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_workflow_submit;
DROP ROLE wfs_dev, wfs_dba, wfs_dan;
