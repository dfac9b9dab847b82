-- Red team: what a developer (non-superuser, CREATE on a schema, member of
-- dbchange_developer and of an approver role) cannot do to the catalog, the
-- settings or the internal functions.  Every attempt must fail.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_security_privileges;
CREATE DATABASE regress_security_privileges;
\c regress_security_privileges
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
SET dbchange.enforce = off;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rt_dev') THEN CREATE ROLE rt_dev LOGIN; END IF;
END $$;
GRANT dbchange_developer TO rt_dev;
CREATE SCHEMA app;
GRANT ALL ON SCHEMA app TO rt_dev;
SELECT * FROM dbchange.configure(environment => 'prod', default_action => 'queue');
RESET dbchange.enforce;

-- every SECURITY DEFINER function of dbchange pins its search_path
SELECT count(*) AS secdef_without_search_path FROM pg_proc p
 WHERE p.pronamespace = 'dbchange'::regnamespace AND p.prosecdef
   AND NOT coalesce(array_to_string(p.proconfig, ',') LIKE '%search_path=pg_catalog, pg_temp%', false);
-- no table or sequence of dbchange is writable by a developer
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'dbchange'::regnamespace AND c.relkind IN ('r', 'v', 'S', 'p')
   AND (has_table_privilege('rt_dev', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES')
        OR (c.relkind = 'S' AND has_sequence_privilege('rt_dev', c.oid, 'USAGE, UPDATE')));
-- internal functions are not executable by a developer (_link_rollback, _verify_script,
-- _rollback_target and _down_of are PUBLIC by design and check the caller themselves)
SELECT p.proname FROM pg_proc p
 WHERE p.pronamespace = 'dbchange'::regnamespace
   AND p.proname IN ('_record', '_record_objects', '_audit', '_invalidate', '_audit_seal', '_toplevel_applied',
                     '_apply_locked', '_lock_change', '_policy_changed')
   AND has_function_privilege('rt_dev', p.oid, 'EXECUTE');

SET SESSION AUTHORIZATION rt_dev;
-- settings
SET dbchange.enforce = off;
SELECT set_config('dbchange.enforce', 'off', true);
SET session_replication_role = replica;
SET dbchange.policy_instruction_limit = 1;
-- direct writes, sequences, locks
INSERT INTO dbchange.settings (key, value, updated_by) VALUES ('default_action', 'approve', 'me');
UPDATE dbchange.settings SET value = 'approve';
UPDATE dbchange.changes SET status = 'approved';
DELETE FROM dbchange.change;
INSERT INTO dbchange.change_step VALUES (1, 1, 'dbchange_approver', 'x', 0, now(), 'x');
SELECT nextval('dbchange.change_id_seq');
SELECT setval('dbchange.change_id_seq', 1);
BEGIN; LOCK TABLE dbchange.change IN ACCESS EXCLUSIVE MODE; ROLLBACK;
BEGIN; LOCK TABLE dbchange.changes IN ACCESS EXCLUSIVE MODE; ROLLBACK;
BEGIN; LOCK TABLE dbchange.settings IN SHARE ROW EXCLUSIVE MODE; ROLLBACK;
BEGIN; SELECT * FROM dbchange.settings FOR UPDATE; ROLLBACK;
-- internal functions
SELECT dbchange._record('{"status": "applied", "statement": "x", "command": "X", "requested_by": "x", "source": "x", "action": "approve"}');
SELECT dbchange._audit('x', NULL, 'x', '{}');
SELECT dbchange._invalidate('dbchange.settings');
SELECT dbchange._record_objects(1, '[]');
-- the verbs check the caller
SELECT dbchange.configure(default_action => 'approve');
SELECT dbchange.set_flow('default', ARRAY['rt_dev']);
SELECT dbchange.set_policy('p', 'return {}');
SELECT dbchange.disable_policy('anything');
SELECT dbchange.submit_promoted('CREATE TABLE app.p (id int)', gen_random_uuid(),
                                encode(sha256('CREATE TABLE app.p (id int)'), 'hex'));
-- DDL on dbchange's objects and the extension: refused before any policy (ZC002)
TRUNCATE dbchange.audit;
CREATE TRIGGER trg BEFORE INSERT ON dbchange.change FOR EACH ROW EXECUTE FUNCTION dbchange._audit_guard();
CREATE RULE r AS ON INSERT TO dbchange.change DO INSTEAD NOTHING;
CREATE FUNCTION dbchange.mine() RETURNS int LANGUAGE sql AS 'SELECT 1';
ALTER EXTENSION dbchange DROP TABLE dbchange.audit;
DROP EXTENSION dbchange;
COMMENT ON TABLE dbchange.change IS 'x';
-- superuser-only things stay superuser-only
COPY (SELECT 1) TO PROGRAM 'true';
RESET SESSION AUTHORIZATION;

-- every refused attempt on dbchange itself is on record, rejected, risk critical
SELECT command, status, risk FROM dbchange.changes ORDER BY id;

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_security_privileges;
