-- How a developer might try to get around the gate, and that each attempt fails.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_gate_protection;
CREATE DATABASE regress_gate_protection;
\c regress_gate_protection
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY default
DROP ROLE IF EXISTS regress_prot_dev;
CREATE ROLE regress_prot_dev LOGIN;
GRANT dbchange_developer TO regress_prot_dev;
GRANT CREATE ON SCHEMA public TO regress_prot_dev;
SELECT * FROM dbchange.configure(environment => 'prod', default_action => 'queue');

SET ROLE regress_prot_dev;
-- the developer's DDL is queued
CREATE TABLE dev_table (id int);
-- writing the catalog directly
UPDATE dbchange.change SET status = 'applied';
DELETE FROM dbchange.change;
INSERT INTO dbchange.settings VALUES ('default_action', 'approve', now(), 'me');
UPDATE dbchange.settings SET value = 'approve';
DELETE FROM dbchange.audit;
-- the internal writers
SELECT dbchange._record('{"status":"applied"}');
SELECT dbchange._audit('applied', 1, 'me', '{}');
-- configuring the environment
SELECT * FROM dbchange.configure(default_action => 'approve');
-- switching enforcement off, or the triggers
SET dbchange.enforce = off;
SET session_replication_role = replica;
ALTER EVENT TRIGGER dbchange_ddl_start DISABLE;
DROP EVENT TRIGGER dbchange_ddl_start;
ALTER EVENT TRIGGER dbchange_ddl_end OWNER TO regress_prot_dev;
-- the extension and its objects
DROP EXTENSION dbchange;
CREATE TABLE dbchange.smuggled (id int);
CREATE OR REPLACE FUNCTION dbchange.pending() RETURNS void LANGUAGE sql AS '';
ALTER TABLE dbchange.change DISABLE TRIGGER ALL;
-- DDL hidden in a function body runs through the gate when called
CREATE FUNCTION sneaky() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'CREATE TABLE sneaky_t (id int)'; END $$;
DO $$ BEGIN EXECUTE 'CREATE TABLE sneaky_do (id int)'; END $$;
-- a multi-statement string: each statement judged on its own
SELECT 1 \; CREATE TABLE multi_t (id int);
RESET ROLE;

-- nothing got through: only pending changes, each with its own text, and the settings unchanged
SELECT to_regclass('dev_table') IS NULL AND to_regclass('sneaky_do') IS NULL
   AND to_regclass('multi_t') IS NULL AND to_regclass('dbchange.smuggled') IS NULL AS nothing_created;
SELECT status, requested_by, statement FROM dbchange.changes ORDER BY id;
SELECT * FROM dbchange.configure();
SELECT evtname, evtenabled FROM pg_event_trigger WHERE evtname LIKE 'dbchange%' ORDER BY 1;

-- reading is allowed
SET ROLE regress_prot_dev;
SELECT count(*) > 0 AS can_read_changes FROM dbchange.changes;
SELECT count(*) >= 0 AS can_list_pending FROM dbchange.pending();
RESET ROLE;

-- a superuser may switch enforcement off (superuser-only setting); it is off only for that session
SET dbchange.enforce = off;
CREATE TABLE su_unchecked (id int);
RESET dbchange.enforce;
SELECT count(*) AS recorded FROM dbchange.changes WHERE statement LIKE '%su_unchecked%';
SELECT * FROM dbchange.configure(environment => 'dev', default_action => 'approve');

-- a superuser can drop the extension (the gate judges and then has nothing to record in)
DROP EXTENSION dbchange;
SELECT count(*) AS dbchange_schema_left FROM pg_namespace WHERE nspname = 'dbchange';
CREATE TABLE after_drop (id int);
CREATE EXTENSION dbchange;
SELECT count(*) AS fresh_history FROM dbchange.changes;

-- the same protection when the DDL arrives as a submitted script, or in a dry run
SET ROLE regress_prot_dev;
SELECT dbchange.submit('CREATE TABLE ok_part (id int); ALTER TABLE dbchange.change ADD COLUMN x int');
SELECT statement_no, action, risk, reasons FROM dbchange.evaluate('DROP EXTENSION dbchange; DROP EVENT TRIGGER dbchange_ddl_end; CREATE TABLE fine (id int)');
RESET ROLE;
SELECT status, risk, statement FROM dbchange.changes WHERE statement LIKE '%ok_part%';

-- an approved statement is recorded as its user's, with the user's search_path
SET ROLE regress_prot_dev;
SET search_path = public, pg_temp;
CREATE TABLE dev_approved (id int);
RESET ROLE;
RESET search_path;
SELECT requested_by, search_path, statement FROM dbchange.change WHERE statement LIKE '%dev_approved%';
