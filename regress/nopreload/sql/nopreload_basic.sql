-- Without shared_preload_libraries: the event triggers load the library on
-- the first DDL statement of a session and gate it themselves when its text
-- can be isolated; from then on the ProcessUtility hook gates everything.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_nopreload;
CREATE DATABASE regress_nopreload;
\c regress_nopreload
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY default
SELECT dbchange.preloaded();

-- a new session: the library is not loaded yet
\c regress_nopreload
-- a single statement: gated and recorded by the event triggers
CREATE TABLE np_single (id int);
SELECT id, status, statement FROM dbchange.changes ORDER BY id;
SELECT action, identity FROM dbchange.change_object ORDER BY change_id, seq;

-- a new session whose first DDL is part of a multi-statement string: its text
-- cannot be isolated, so it is refused (never recorded with the wrong text)
\c regress_nopreload
CREATE TABLE np_multi_a (id int) \; CREATE TABLE np_multi_b (id int);
-- running it again works: the hook is active in this session now
CREATE TABLE np_multi_a (id int) \; CREATE TABLE np_multi_b (id int);
SELECT id, status, statement FROM dbchange.changes ORDER BY id;

-- a session's first DDL is refused in the forms the hook refuses: CREATE
-- SCHEMA with statements inside it would run them (a GRANT on any object) as
-- parts of one approved CREATE SCHEMA
\c regress_nopreload
CREATE SCHEMA np_elts CREATE TABLE np_elt (id int) GRANT SELECT ON np_single TO PUBLIC;
SELECT to_regnamespace('np_elts') AS np_elts_exists, has_table_privilege('public', 'np_single', 'SELECT') AS granted;
CREATE SCHEMA np_elts CREATE TABLE np_elt (id int);
SELECT count(*) AS create_schema_recorded FROM dbchange.changes WHERE command = 'CREATE SCHEMA';

-- queue and reject work from the first statement of a session too
SELECT key, value FROM dbchange.configure(default_action => 'queue') WHERE key = 'default_action';
\c regress_nopreload
CREATE TABLE np_queued (id int);
SELECT to_regclass('np_queued') AS np_queued_exists;
SELECT id, status, statement FROM dbchange.changes WHERE status = 'pending';

-- degraded without preload: a session's first statement that no event trigger
-- fires for (TRUNCATE, roles, ALTER SYSTEM, ...) is not gated
\c regress_nopreload
TRUNCATE np_single;
SELECT count(*) AS truncate_recorded FROM dbchange.changes WHERE command = 'TRUNCATE TABLE';
-- ... but once the library is loaded in the session, it is
CREATE TABLE np_loads_it (id int);
TRUNCATE np_single;
SELECT status, statement FROM dbchange.changes WHERE command = 'TRUNCATE TABLE';
SELECT key, value FROM dbchange.configure(default_action => 'approve') WHERE key = 'default_action';
