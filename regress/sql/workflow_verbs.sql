-- Approval flows and the DBA's verbs: an ordered two-step flow with custom
-- roles, refusals (out of order, outsider, self-approval, one step per person),
-- reject is terminal, manual vs auto rollout, apply runs as the requester with
-- the recorded search_path, a failing apply is recorded as failed, bad input.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_workflow_verbs;
DROP ROLE IF EXISTS wfv_dev, wfv_dev2, wfv_alice, wfv_bob, wfv_carol, wfv_dan, wfv_eve, wfv_tester, wfv_dba;
CREATE DATABASE regress_workflow_verbs;
\c regress_workflow_verbs
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Custom roles are plain roles: tester and dba.  alice tests, bob and carol are DBAs,
-- dan deploys, eve is nobody in particular, dev and dev2 request changes.
CREATE ROLE wfv_tester;
CREATE ROLE wfv_dba;
CREATE ROLE wfv_dev LOGIN;
CREATE ROLE wfv_dev2 LOGIN;
CREATE ROLE wfv_alice LOGIN IN ROLE wfv_tester;
CREATE ROLE wfv_bob LOGIN IN ROLE wfv_dba, wfv_tester;
CREATE ROLE wfv_carol LOGIN IN ROLE wfv_dba;
CREATE ROLE wfv_dan LOGIN IN ROLE dbchange_deployer;
CREATE ROLE wfv_eve LOGIN;
CREATE SCHEMA app;
GRANT CREATE, USAGE ON SCHEMA app, public TO wfv_dev, wfv_dev2;
ALTER ROLE wfv_dev SET search_path = app, public;

-- ---- flows --------------------------------------------------------------
SELECT dbchange.set_flow('default', ARRAY['wfv_tester', 'wfv_dba']);
SELECT name, steps, configured FROM dbchange.flows ORDER BY name;

-- everything gets queued from now on
SELECT value FROM dbchange.configure(default_action => 'queue') WHERE key = 'default_action';

-- dev requests a table (in app: the search_path of dev's session)
\c - wfv_dev
\set SHOW_CONTEXT never
SHOW search_path;
\set VERBOSITY terse
CREATE TABLE orders (id int);
\set VERBOSITY default
\c - postgres
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SELECT id, status, requested_by, search_path, flow, flow_steps FROM dbchange.change WHERE statement = 'CREATE TABLE orders (id int)';
SELECT id AS orders_id FROM dbchange.change WHERE statement = 'CREATE TABLE orders (id int)' \gset
SELECT status, waiting_for, step_no, steps, step_role FROM dbchange.pending() WHERE id = :orders_id;

-- later flow changes do not move a change that is already waiting
SELECT dbchange.set_flow('default', ARRAY['wfv_dba']);

-- the requester cannot approve; carol (a dba) cannot approve step 1 (tester);
-- eve is an outsider
SET ROLE wfv_dev;
SELECT dbchange.approve(:orders_id, 'mine');
SET ROLE wfv_carol;
SELECT dbchange.approve(:orders_id, 'out of order');
SET ROLE wfv_eve;
SELECT dbchange.approve(:orders_id);
-- alice approves step 1
SET ROLE wfv_alice;
SELECT dbchange.approve(:orders_id, 'tests pass');
-- alice cannot approve step 2 (not a dba, and one step per person)
SELECT dbchange.approve(:orders_id, 'again');
RESET ROLE;
SELECT change_id, step_no, role, approved_by, comment, state FROM dbchange.change_steps WHERE change_id = :orders_id ORDER BY step_no;
-- nothing changed by the refusals
SELECT status FROM dbchange.change WHERE id = :orders_id;
-- manual rollout: the final approval leaves it approved
SET ROLE wfv_carol;
SELECT dbchange.approve(:orders_id, 'ok for prod');
RESET ROLE;
SELECT status, waiting_for, step_role FROM dbchange.pending() WHERE id = :orders_id;
SELECT to_regclass('app.orders') IS NULL AS not_yet_created;
-- only deployers apply
SET ROLE wfv_carol;
SELECT dbchange.apply(:orders_id);
SET ROLE wfv_dan;
SELECT dbchange.apply(:orders_id);
RESET ROLE;
-- applied as the requester, with the requester's search_path (app): owner is wfv_dev
SELECT schemaname, tablename, tableowner FROM pg_tables WHERE tablename = 'orders';
SELECT status, applied_at IS NOT NULL AS has_applied_at FROM dbchange.change WHERE id = :orders_id;
SELECT action, object_type, identity FROM dbchange.change_object WHERE change_id = :orders_id;
SELECT event, actor, details->>'step' AS step FROM dbchange.audit_log WHERE change_id = :orders_id ORDER BY seq;
-- wrong state: approving or applying an applied change
SELECT dbchange.approve(:orders_id);
SET ROLE wfv_dan;
SELECT dbchange.apply(:orders_id);
RESET ROLE;

-- ---- the same person for two steps of a duplicated role -------------------
SELECT dbchange.set_flow('default', ARRAY['wfv_dba', 'wfv_dba']);
SET ROLE wfv_dev2;
SELECT dbchange.submit('CREATE TABLE two_dbas (id int)') AS two_id \gset
RESET ROLE;
SET ROLE wfv_bob;
SELECT dbchange.approve(:two_id);
SELECT dbchange.approve(:two_id);
SET ROLE wfv_carol;
SELECT dbchange.approve(:two_id);
RESET ROLE;

-- ---- reject is terminal ----------------------------------------------------
SELECT dbchange.set_flow('default', ARRAY['wfv_tester', 'wfv_dba']);
SET ROLE wfv_dev2;
SELECT dbchange.submit('CREATE TABLE rejected_one (id int)') AS rej_id \gset
RESET ROLE;
-- an outsider may not reject; a reason is required
SET ROLE wfv_eve;
SELECT dbchange.reject(:rej_id, 'no');
SET ROLE wfv_carol;
SELECT dbchange.reject(:rej_id, NULL);
SELECT dbchange.reject(:rej_id, '   ');
-- carol approves step 2 roles only, but may reject (she may approve a step of it)
SELECT dbchange.reject(:rej_id, 'not now');
SELECT dbchange.reject(:rej_id, 'twice');
SET ROLE wfv_alice;
SELECT dbchange.approve(:rej_id);
SET ROLE wfv_dan;
SELECT dbchange.apply(:rej_id);
RESET ROLE;
SELECT status FROM dbchange.change WHERE id = :rej_id;
SELECT event, actor, details->>'reason' AS reason, details->>'withdrawn' AS withdrawn FROM dbchange.audit_log WHERE change_id = :rej_id ORDER BY seq;

-- the requester may withdraw their own change
SET ROLE wfv_dev2;
SELECT dbchange.submit('CREATE TABLE withdrawn_one (id int)') AS wd_id \gset
SELECT dbchange.reject(:wd_id, 'changed my mind');
RESET ROLE;
SELECT d.event, d.details->>'withdrawn' AS withdrawn FROM dbchange.audit_log d JOIN dbchange.change c ON c.id = d.change_id
 WHERE c.statement = 'CREATE TABLE withdrawn_one (id int)' ORDER BY d.seq;

-- ---- auto rollout: the final approval applies at once -------------------------
SELECT value FROM dbchange.configure(rollout => 'auto') WHERE key = 'rollout';
SET ROLE wfv_dev2;
SELECT dbchange.submit('CREATE TABLE auto_one (id int)') AS auto_id \gset
RESET ROLE;
SET ROLE wfv_alice;
SELECT dbchange.approve(:auto_id, 'step 1');
SET ROLE wfv_bob;
SELECT dbchange.approve(:auto_id, 'step 2, applies');
RESET ROLE;
SELECT tableowner FROM pg_tables WHERE tablename = 'auto_one';
SELECT event, actor FROM dbchange.audit_log WHERE change_id = :auto_id ORDER BY seq;

-- ---- a failing apply is recorded as failed, and the verb returns 'failed' ----
SET ROLE wfv_dev2;
SELECT dbchange.submit('ALTER TABLE auto_one ADD COLUMN id int') AS fail_id \gset
RESET ROLE;
SET ROLE wfv_alice;
SELECT dbchange.approve(:fail_id);
SET ROLE wfv_carol;
SELECT dbchange.approve(:fail_id);
RESET ROLE;
SELECT status, error_message, error_sqlstate, failed_at IS NOT NULL AS has_failed_at FROM dbchange.change WHERE id = :fail_id;
SELECT event, details->>'sqlstate' AS sqlstate FROM dbchange.audit_log WHERE change_id = :fail_id ORDER BY seq;
SET ROLE wfv_dan;
SELECT dbchange.apply(:fail_id);
RESET ROLE;

-- the requester's privileges, not the deployer's: dev2 may not drop app.orders (owned by dev)
SELECT value FROM dbchange.configure(rollout => 'manual') WHERE key = 'rollout';
SET ROLE wfv_dev2;
SELECT dbchange.submit('DROP TABLE app.orders') AS drop_id \gset
RESET ROLE;
SET ROLE wfv_alice;
SELECT dbchange.approve(:drop_id);
SET ROLE wfv_bob;
SELECT dbchange.approve(:drop_id);
SET ROLE wfv_dan;
SELECT dbchange.apply(:drop_id);
RESET ROLE;
SELECT status, error_message, error_sqlstate FROM dbchange.change WHERE id = :drop_id;
SELECT to_regclass('app.orders') IS NOT NULL AS orders_still_there;

-- ---- bad input --------------------------------------------------------------
SELECT dbchange.approve(NULL);
SELECT dbchange.approve(999999);
SELECT dbchange.reject(999999, 'x');
SET ROLE wfv_dan;
SELECT dbchange.apply(NULL);
SELECT dbchange.apply(999999);
RESET ROLE;
SELECT dbchange.set_flow('urgent', ARRAY['wfv_dba']);
SELECT dbchange.set_flow(NULL, ARRAY['wfv_dba']);
-- (terse: the detail lists the cluster's roles)
\set VERBOSITY terse
SELECT dbchange.set_flow('high', ARRAY['wfv_nobody']);
\set VERBOSITY default
SELECT dbchange.set_flow('high', ARRAY['wfv_dba', NULL]);
SELECT dbchange.set_flow('high', '{}');
SELECT dbchange.set_flow('high', ARRAY['pg_monitor']);
SET ROLE wfv_carol;
SELECT dbchange.set_flow('high', ARRAY['wfv_dba']);
RESET ROLE;
SELECT name, steps FROM dbchange.flow ORDER BY name;
-- NULL steps removes a flow (the default applies again)
SELECT dbchange.set_flow('high', ARRAY['wfv_tester', 'wfv_dba', 'wfv_dba']);
SELECT dbchange.set_flow('high', NULL);
SELECT name, steps FROM dbchange.flow ORDER BY name;

-- the audit trail of all this is intact
SELECT dbchange.verify_audit();

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_workflow_verbs;
DROP ROLE wfv_dev, wfv_dev2, wfv_alice, wfv_bob, wfv_carol, wfv_dan, wfv_eve, wfv_tester, wfv_dba;
