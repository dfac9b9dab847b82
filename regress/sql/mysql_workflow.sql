-- MySQL changes follow the same approval flows; PostgreSQL never runs them.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_mysql_workflow;
CREATE DATABASE regress_mysql_workflow;
\c regress_mysql_workflow
CREATE EXTENSION dbchange;
SET client_min_messages = warning;
\set VERBOSITY default
DROP ROLE IF EXISTS regress_myw_dev;
DROP ROLE IF EXISTS regress_myw_approver;
DROP ROLE IF EXISTS regress_myw_deployer;
CREATE ROLE regress_myw_dev;
CREATE ROLE regress_myw_approver IN ROLE dbchange_approver;
CREATE ROLE regress_myw_deployer IN ROLE dbchange_deployer;
CREATE FUNCTION public.e(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN regexp_replace(SQLERRM, 'change [0-9]+', 'change N', 'g');
END $$;

-- prod: rollout auto (an approved PostgreSQL change applies at once), drops queue
SELECT key, value FROM dbchange.configure(environment => 'prod', rollout => 'auto', default_action => 'queue');
SET ROLE regress_myw_dev;
SELECT dbchange.submit_mysql('DROP TABLE orders;', 'shop', 'drop orders') AS drop_id \gset
RESET ROLE;
SELECT status, dialect, flow_steps FROM dbchange.change WHERE id = :drop_id;
SELECT step_no, role, state FROM dbchange.change_steps WHERE change_id = :drop_id;

-- the requester cannot approve it; an approver can, and it becomes ready to deploy, not applied
SET ROLE regress_myw_dev;
SELECT e('SELECT dbchange.approve(' || :drop_id || ')');
SET ROLE regress_myw_approver;
SELECT dbchange.approve(:drop_id, 'ok for the maintenance window');
RESET ROLE;
SELECT status, applied_at IS NULL AS not_applied FROM dbchange.change WHERE id = :drop_id;

-- PostgreSQL refuses to apply it, in a function or at top level
SET ROLE regress_myw_deployer;
SELECT e('SELECT dbchange.apply(' || :drop_id || ')');
SELECT e('SELECT * FROM dbchange.authorize_toplevel(' || :drop_id || ')');
RESET ROLE;
SELECT status FROM dbchange.change WHERE id = :drop_id;
SELECT event FROM dbchange.audit WHERE change_id = :drop_id ORDER BY seq;

-- a MySQL change can be rejected like any other
SET ROLE regress_myw_dev;
SELECT dbchange.submit_mysql('DROP TABLE customers') AS drop2_id \gset
SET ROLE regress_myw_approver;
SELECT dbchange.reject(:drop2_id, 'not now');
RESET ROLE;
SET ROLE regress_myw_deployer;
SELECT count(*) AS deployable FROM dbchange.mysql_changes('shop') WHERE id = :drop2_id;
RESET ROLE;

-- the reverse: MySQL text submitted as a PostgreSQL change is refused by PostgreSQL's parser
SELECT e($$SELECT dbchange.submit('CREATE TABLE `t` (id int) ENGINE=InnoDB')$$);
SELECT count(*) AS changes FROM dbchange.change WHERE statement LIKE '%ENGINE=InnoDB%';
