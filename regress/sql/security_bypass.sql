-- Red team: ways a developer might get around the gate, each proven to fail.
-- Roles are people: rt_dev (developer), rt_dev2, rt_appr (approver); rt_lead
-- and rt_qa are step roles.  SET SESSION AUTHORIZATION makes the login
-- (session_user) a non-superuser, as a real developer's session is.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_security_bypass;
CREATE DATABASE regress_security_bypass;
\c regress_security_bypass
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
SET dbchange.enforce = off;
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['rt_dev', 'rt_dev2', 'rt_appr'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN EXECUTE format('CREATE ROLE %I LOGIN', r); END IF;
  END LOOP;
  FOREACH r IN ARRAY ARRAY['rt_lead', 'rt_qa'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN EXECUTE format('CREATE ROLE %I NOLOGIN', r); END IF;
  END LOOP;
END $$;
GRANT dbchange_developer TO rt_dev, rt_dev2;
GRANT dbchange_approver TO rt_lead;
GRANT rt_lead TO rt_dev;            -- the developer also leads: may approve others' changes
GRANT rt_lead, rt_qa TO rt_appr;    -- one person holding both step roles
CREATE SCHEMA app;
GRANT ALL ON SCHEMA app TO rt_dev, rt_dev2;
GRANT CREATE ON DATABASE regress_security_bypass TO rt_dev;   -- may create schemas
-- prod: creations are approved by policy, everything else waits for a person
SELECT dbchange.set_policy('creates_ok', $lua$
return {
  name = "creates_ok",
  description = "creating tables, functions and indexes needs no approval",
  check = function(c)
    if c.command == "CREATE TABLE" or c.command == "CREATE TABLE AS" or c.command == "CREATE FUNCTION"
       or c.command == "CREATE INDEX" or c.command == "CREATE MATERIALIZED VIEW"
       or c.command == "REFRESH MATERIALIZED VIEW" or c.command == "CREATE SCHEMA" then
      return { action = "approve", risk = "low", reason = "a creation" }
    end
  end,
  tests = {
    { sql = "CREATE TABLE t (id int)", environment = "prod", expect = "approve" },
    { sql = "DROP TABLE t", environment = "prod", expect = "none" },
  },
}
$lua$);
SELECT * FROM dbchange.configure(environment => 'prod', default_action => 'queue');
SELECT dbchange.set_flow('default', ARRAY['rt_lead', 'rt_qa']);
RESET dbchange.enforce;

-- 1. DDL hidden in a function that an approved statement calls is judged on
--    its own (it used to run unjudged inside the approved statement's frame)
SET SESSION AUTHORIZATION rt_dev;
CREATE TABLE app.important (id int);
INSERT INTO app.important VALUES (1);
CREATE FUNCTION app.evil() RETURNS int LANGUAGE plpgsql AS $$
BEGIN EXECUTE 'DROP TABLE app.important'; RETURN 1; END $$;
DROP TABLE app.important;                                  -- queued: the direct way
CREATE TABLE app.x AS SELECT app.evil() AS a;              -- CREATE TABLE AS: the drop is queued
CREATE MATERIALIZED VIEW app.mv AS SELECT app.evil() AS a; -- matview query
SELECT to_regclass('app.important') IS NOT NULL AS important_still_there,
       to_regclass('app.x') IS NULL AS no_x, to_regclass('app.mv') IS NULL AS no_mv;
RESET SESSION AUTHORIZATION;
SELECT command, status, statement FROM dbchange.changes WHERE command = 'DROP TABLE' ORDER BY id;

-- an approved nested statement is recorded as its own change
SET SESSION AUTHORIZATION rt_dev;
CREATE FUNCTION app.mk() RETURNS int LANGUAGE plpgsql AS $$
BEGIN EXECUTE 'CREATE TABLE app.made_inside (id int)'; RETURN 1; END $$;
CREATE TABLE app.z AS SELECT app.mk() AS a;
RESET SESSION AUTHORIZATION;
SELECT command, status, statement FROM dbchange.changes WHERE statement LIKE '%made_inside%' OR statement LIKE '%app.z%' ORDER BY id;

-- REFRESH MATERIALIZED VIEW CONCURRENTLY's own temporary tables are not judged
SET SESSION AUTHORIZATION rt_dev;
CREATE MATERIALIZED VIEW app.mv_ok AS SELECT 1 AS id;
CREATE UNIQUE INDEX ON app.mv_ok (id);
REFRESH MATERIALIZED VIEW CONCURRENTLY app.mv_ok;
RESET SESSION AUTHORIZATION;
SELECT count(*) AS temp_table_changes FROM dbchange.changes WHERE statement ILIKE '%pg_temp%';

-- applying an approved change does not wave through DDL its statements call
SET SESSION AUTHORIZATION rt_dev2;
CREATE TABLE app.t2 (id int);
CREATE TABLE app.t2_other (id int);
INSERT INTO app.t2 VALUES (1);
CREATE FUNCTION app.evil2() RETURNS int LANGUAGE plpgsql AS $$
BEGIN EXECUTE 'DROP TABLE app.t2_other'; RETURN 1; END $$;
ALTER TABLE app.t2 ADD COLUMN b int DEFAULT app.evil2();   -- queued: the approver sees this text
RESET SESSION AUTHORIZATION;
SELECT max(id) AS cid FROM dbchange.changes WHERE status = 'pending' AND statement LIKE 'ALTER TABLE app.t2%' \gset
SELECT dbchange.approve(:cid, 'step 1');
SET ROLE rt_appr;
SELECT dbchange.approve(:cid, 'step 2');
RESET ROLE;
SELECT dbchange.apply(:cid);
SELECT status, error_sqlstate, error_message FROM dbchange.changes WHERE id = :cid;
SELECT to_regclass('app.t2_other') IS NOT NULL AS t2_other_still_there;
SELECT status, statement FROM dbchange.changes WHERE statement = 'DROP TABLE app.t2_other';

-- nor DDL that a query or DML statement of the change runs: the approvers saw
-- "SELECT app.run_cmds()", and the developer chose what it runs after approval
SET SESSION AUTHORIZATION rt_dev2;
CREATE TABLE app.t2_keep (id int);
CREATE TABLE app.cmds (sql text);
CREATE FUNCTION app.run_cmds() RETURNS int LANGUAGE plpgsql AS $$
DECLARE s text; BEGIN FOR s IN SELECT sql FROM app.cmds LOOP EXECUTE s; END LOOP; RETURN 1; END $$;
SELECT dbchange.submit('SELECT app.run_cmds()', 'housekeeping') AS cid \gset
RESET SESSION AUTHORIZATION;
SELECT dbchange.approve(:cid, 'step 1');
SET ROLE rt_appr;
SELECT dbchange.approve(:cid, 'step 2');
RESET ROLE;
SET SESSION AUTHORIZATION rt_dev2;
INSERT INTO app.cmds VALUES ('DROP TABLE app.t2_keep');    -- after approval
RESET SESSION AUTHORIZATION;
SELECT dbchange.apply(:cid);                               -- failed: the DROP is judged, and queued
SELECT status, error_sqlstate FROM dbchange.changes WHERE id = :cid;
SELECT to_regclass('app.t2_keep') IS NOT NULL AS t2_keep_still_there;
SELECT status, requested_by FROM dbchange.changes WHERE statement = 'DROP TABLE app.t2_keep';

-- 2. separation of duties is by person (login), not by the role in use
SET SESSION AUTHORIZATION rt_dev;
CREATE TABLE app.t3 (id int);
ALTER TABLE app.t3 ADD COLUMN c int;                       -- queued, requested by rt_dev
SELECT max(id) AS cid FROM dbchange.changes WHERE status = 'pending' \gset
SELECT dbchange.approve(:cid, 'as myself');               -- refused (as before)
SET ROLE rt_lead;
SELECT dbchange.approve(:cid, 'through another role');    -- refused: same login
-- requesting under another role does not help either
ALTER TABLE app.t3 ADD COLUMN d int;                       -- queued, requested by rt_lead
SELECT max(id) AS cid2 FROM dbchange.changes WHERE status = 'pending' \gset
RESET ROLE;
SELECT dbchange.approve(:cid2, 'I am not rt_lead');       -- refused: same login
RESET SESSION AUTHORIZATION;
SELECT id, status, requested_by FROM dbchange.changes WHERE id IN (:cid, :cid2) ORDER BY id;
SELECT count(*) AS steps_given FROM dbchange.change_step WHERE change_id IN (:cid, :cid2);

-- one person, one step: rt_appr holds both step roles
SET SESSION AUTHORIZATION rt_appr;
SET ROLE rt_lead;
SELECT dbchange.approve(:cid, 'step 1 as rt_lead');
SET ROLE rt_qa;
SELECT dbchange.approve(:cid, 'step 2 as rt_qa');         -- refused: same login
RESET ROLE;
SELECT dbchange.approve(:cid, 'step 2 as rt_appr');       -- refused: same login
RESET SESSION AUTHORIZATION;
SELECT change_id, step_no, role, approved_by, approved_by_login FROM dbchange.change_step WHERE change_id = :cid;
SELECT status FROM dbchange.changes WHERE id = :cid;

-- a different person completes it (the superuser here: only the role is compared for superuser logins)
SET ROLE rt_qa;
SELECT dbchange.approve(:cid, 'another person');
RESET ROLE;

-- forms of DDL the gate cannot judge as written are refused and create nothing:
-- EXPLAIN ANALYZE runs CREATE TABLE AS / SELECT INTO / CREATE MATERIALIZED VIEW itself
-- (no ProcessUtility, no event trigger); a GRANT inside CREATE SCHEMA may name any
-- object; an EXECUTE of a prepared SELECT INTO would be recorded as its PREPARE
SET SESSION AUTHORIZATION rt_dev;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) CREATE TABLE app.ex1 AS SELECT 1 AS id;
EXPLAIN ANALYZE SELECT 1 AS id INTO app.ex2;
EXPLAIN ANALYZE CREATE MATERIALIZED VIEW app.ex3 AS SELECT 1 AS id;
PREPARE ex_q AS SELECT 1 AS id;
EXPLAIN ANALYZE CREATE TABLE app.ex4 AS EXECUTE ex_q;
PREPARE ex_p AS SELECT 1 AS id INTO app.ex5;
EXPLAIN ANALYZE EXECUTE ex_p;
EXECUTE ex_p;
DO $$ BEGIN EXECUTE 'EXPLAIN ANALYZE CREATE TABLE app.ex6 AS SELECT 1'; END $$;
CREATE SCHEMA app_g GRANT ALL ON app.important TO PUBLIC;
CREATE SCHEMA app_t CREATE TABLE t (id int);
SELECT dbchange.submit('CREATE SCHEMA app_s GRANT ALL ON app.important TO PUBLIC');  -- nor through submit()
-- a plan without ANALYZE runs nothing, and EXPLAIN ANALYZE of a query is untouched
EXPLAIN (COSTS OFF) CREATE TABLE app.ex7 AS SELECT 1 AS id;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT 1;
EXECUTE ex_q;
-- evaluate() says what the gate would do with them: refused (not "not checked", not approved)
SELECT statement_no, command, action, reasons FROM dbchange.evaluate($$
EXPLAIN (ANALYZE, COSTS OFF) CREATE TABLE app.ex1 AS SELECT 1 AS id;
EXPLAIN ANALYZE SELECT 1 AS id INTO app.ex2 UNION SELECT 2;
EXPLAIN ANALYZE CREATE MATERIALIZED VIEW app.ex3 AS SELECT 1 AS id;
EXPLAIN ANALYZE CREATE TABLE app.ex4 AS EXECUTE ex_q;
EXPLAIN ANALYZE EXECUTE ex_p;
CREATE SCHEMA app_t CREATE TABLE t (id int);
EXPLAIN CREATE TABLE app.ex7 AS SELECT 1 AS id;
EXPLAIN (ANALYZE false) CREATE TABLE app.ex7 AS SELECT 1 AS id;
EXPLAIN ANALYZE SELECT 1;
EXPLAIN ANALYZE EXECUTE ex_q$$);
RESET SESSION AUTHORIZATION;
SELECT count(*) AS none_created FROM pg_class WHERE relname IN ('ex1', 'ex2', 'ex3', 'ex4', 'ex5', 'ex6', 'ex7');
SELECT to_regnamespace('app_g') IS NULL AS no_app_g, to_regnamespace('app_t') IS NULL AS no_app_t,
       to_regnamespace('app_s') IS NULL AS no_app_s;
SELECT count(*) AS public_grants_on_important
  FROM aclexplode((SELECT relacl FROM pg_class WHERE oid = 'app.important'::regclass)) WHERE grantee = 0;
SELECT count(*) AS recorded FROM dbchange.changes WHERE statement ~ 'ex[1-7]|app_g|app_t|app_s';

-- red team: code that an approved change's statements reach runs as the
-- requester, and calls into dbchange as the requester too.  The outer role
-- stays the approver's (or deployer's), and dbchange named it as the caller:
-- a function in a harmless-looking "SELECT app.stats()", redefined after it
-- was queued, called dbchange.approve() of the developer's DROP TABLE (and
-- configure(), for an approver who is a policy admin) as the approver whose
-- approval (rollout auto) ran it.
SELECT dbchange.set_flow('default', ARRAY['rt_lead']);
SELECT key, value FROM dbchange.configure(rollout => 'auto') WHERE key = 'rollout';
SET SESSION AUTHORIZATION rt_dev2;
CREATE TABLE app.big2 (id int);
CREATE FUNCTION app.stats() RETURNS int LANGUAGE sql AS 'SELECT 1';
SELECT dbchange.submit('SELECT app.stats()', 'refresh stats') AS stats_change \gset
SELECT dbchange.submit('DROP TABLE app.big2', 'drop big2') AS drop_change \gset
SELECT format($f$CREATE OR REPLACE FUNCTION app.stats() RETURNS int LANGUAGE plpgsql AS $b$
BEGIN
  PERFORM dbchange.approve(%s, 'lgtm');
  RETURN 1;
END $b$$f$, :drop_change) \gexec
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION rt_appr;
SELECT dbchange.approve(:stats_change, 'fine');
RESET SESSION AUTHORIZATION;
SELECT id = :stats_change AS is_stats, status, error_message FROM dbchange.change
 WHERE id IN (:stats_change, :drop_change) ORDER BY id;
SELECT count(*) AS drop_approvals FROM dbchange.change_step WHERE change_id = :drop_change;
SELECT to_regclass('app.big2') IS NOT NULL AS big2_still_there;
SELECT key, value FROM dbchange.configure(rollout => 'manual') WHERE key = 'rollout';

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_security_bypass;
