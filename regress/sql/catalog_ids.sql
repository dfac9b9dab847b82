-- The ids of the catalog's rows (ids.c) leave the session's lastval() alone:
-- an application that runs INSERT, then DDL, then lastval() gets its own
-- value back, not the id of the change the gate recorded (nor "permission
-- denied for sequence change_id_seq").  With dbchange preloaded ids come
-- from shared memory in blocks reserved on the sequences with setval().
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_catalog_ids;
CREATE DATABASE regress_catalog_ids;
\c regress_catalog_ids
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ci_dev') THEN CREATE ROLE ci_dev LOGIN; END IF;
END $$;
GRANT dbchange_developer TO ci_dev;
GRANT CREATE ON SCHEMA public TO ci_dev;
SELECT dbchange.preloaded();
SELECT current_user AS superuser \gset

-- a superuser's session: its own sequence, then DDL the gate records
CREATE SEQUENCE app_seq START 1000;
CREATE TABLE app (id bigint DEFAULT nextval('app_seq'), v text);
INSERT INTO app (v) VALUES ('a');
SELECT lastval() AS after_insert;
CREATE INDEX app_v_idx ON app (v);
ALTER TABLE app ADD COLUMN w int;
COMMENT ON TABLE app IS 'x';
SELECT lastval() AS after_ddl, currval('app_seq') AS currval;
SELECT id, statement FROM dbchange.change WHERE statement ~ 'app' ORDER BY id;

-- a developer with no rights on dbchange's sequences: before, lastval()
-- after an approved statement failed with "permission denied for sequence
-- change_id_seq"; now it is as undefined as PostgreSQL leaves it
GRANT USAGE ON SEQUENCE app_seq TO ci_dev;
GRANT INSERT ON app TO ci_dev;
\c - ci_dev
SET client_min_messages = warning;
CREATE TABLE dev_t (a int);
SELECT lastval();
INSERT INTO app (v) VALUES ('b');
ALTER TABLE dev_t ADD COLUMN b int;
SELECT lastval() AS after_dev_ddl;
-- the developer cannot draw ids, read the last one or drop the blocks
SELECT dbchange._next_id('dbchange.change_id_seq');
SELECT dbchange._last_id('dbchange.change_id_seq');
SELECT dbchange._forget_id_blocks();
\c - :superuser
SET client_min_messages = warning;

-- ids are unique and in order; the sequence is at or above every id handed
-- out (a restart reserves from there), and _last_id() is the last one
SELECT count(*) = count(DISTINCT id) AS unique_ids,
       max(id) = dbchange._last_id('dbchange.change_id_seq') AS last_id_is_max,
       (SELECT last_value FROM dbchange.change_id_seq) >= max(id) AS sequence_ahead
  FROM dbchange.change;
-- a block is 32 ids: the sequence holds the last id of the block in hand
SELECT (SELECT last_value FROM dbchange.change_id_seq) - dbchange._last_id('dbchange.change_id_seq')
       BETWEEN 0 AND 31 AS within_block;

-- someone else's nextval() on the sequence takes ids past the block; the
-- gate's next block starts after them
SELECT nextval('dbchange.change_id_seq') AS outside_id \gset
SELECT dbchange._forget_id_blocks() AS dropped;
CREATE TABLE after_outside (a int);
SELECT id > :outside_id AS after_outside_draw FROM dbchange.change WHERE statement ~ 'after_outside';

-- a setval() forward is honoured from the next block (here at once, as the
-- blocks are dropped); ids never go back while a block is in hand
SELECT setval('dbchange.change_id_seq', 5000) IS NOT NULL AS moved_on;
SELECT dbchange._forget_id_blocks() > 0 AS dropped;
CREATE TABLE after_setval (a int);
SELECT id FROM dbchange.change WHERE statement ~ 'after_setval';
SELECT setval('dbchange.change_id_seq', 10) IS NOT NULL AS moved_back;
CREATE TABLE after_moved_back (a int);
SELECT id FROM dbchange.change WHERE statement ~ 'after_moved_back';
SELECT dbchange._last_id('dbchange.change_id_seq') AS last_id;

-- the other catalog tables draw the same way: audit rows (a policy change),
-- drift baselines
SELECT nextval('app_seq') AS app_value;
SELECT dbchange.set_policy('ci_noop', $p$ return { name = 'ci_noop', description = 'x', check = function(c) end,
  tests = { { sql = 'CREATE TABLE x (a int)', environment = 'dev', expect = 'none' } } } $p$) IS NOT NULL AS policy_set;
SELECT dbchange.record_schema_state() > 0 AS baseline;
SELECT lastval() AS after_policy_and_baseline;
SELECT count(*) > 0 AS audited, max(seq) = dbchange._last_id('dbchange.audit_seq_seq') AS audit_last_id,
       (SELECT count(*) FROM dbchange.schema_state) AS baselines
  FROM dbchange.audit;

-- an id is drawn only inside a transaction that has an xid (the audit
-- sealer's rule), also when called directly
BEGIN;
SELECT dbchange._next_id('dbchange.audit_seq_seq') > 0 AS drawn,
       pg_current_xact_id_if_assigned() IS NOT NULL AS has_xid;
ROLLBACK;
-- not a sequence
SELECT dbchange._next_id('dbchange.change');

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_catalog_ids;
