-- MySQL changes in the control database: evaluate_mysql, submit_mysql,
-- deployments recorded by the CLI's calls, drift comparison, roles.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_mysql_submit;
CREATE DATABASE regress_mysql_submit;
\c regress_mysql_submit
CREATE EXTENSION dbchange;
SET client_min_messages = warning;
\set VERBOSITY default
DROP ROLE IF EXISTS regress_my_dev;
DROP ROLE IF EXISTS regress_my_deployer;
CREATE ROLE regress_my_dev;
CREATE ROLE regress_my_deployer IN ROLE dbchange_deployer;
-- errors whose text names change ids or uids: the message with those masked
CREATE FUNCTION public.e(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN regexp_replace(regexp_replace(SQLERRM, '[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}', '<uid>'),
                        '(change|deployment) [0-9]+', '\1 N', 'g');
END $$;

-- the same policies decide: here the environment's default action
SELECT key, value FROM dbchange.configure(environment => 'prod', default_action => 'queue');
SELECT statement_no, statement, command, action, facts->>'dialect' AS dialect,
       facts->>'environment' AS env, facts->>'source' AS source
  FROM dbchange.evaluate_mysql('CREATE TABLE a (id int); DROP TABLE b;');
SELECT statement_no, action FROM dbchange.evaluate_mysql('DROP TABLE b', 'test', 'promotion');

-- a developer's dry run reads this environment's settings without reading the table
SET ROLE regress_my_dev;
SELECT statement_no, action, facts->>'user' AS "user" FROM dbchange.evaluate_mysql('DROP TABLE b');
RESET ROLE;

-- submit: one change per script, never executed here
SELECT key, value FROM dbchange.configure(default_action => 'approve');
SET ROLE regress_my_dev;
SELECT dbchange.submit_mysql($$CREATE TABLE t1 (id int PRIMARY KEY, name varchar(20));
CREATE TABLE t2 (id int)$$, 'shop', 'two tables') AS approved_id \gset
RESET ROLE;
SELECT id = :approved_id AS same, status, command, dialect, target, requested_by, source, description
  FROM dbchange.change WHERE id = :approved_id;
SELECT statement_no, statement, command, action, facts->>'schema' AS schema, facts->>'dialect' AS dialect
  FROM dbchange.change_statement WHERE change_id = :approved_id ORDER BY statement_no;
SELECT count(*) AS tables_created_here FROM pg_class WHERE relname IN ('t1', 't2');

SELECT key, value FROM dbchange.configure(default_action => 'queue');
SELECT dbchange.submit_mysql('DROP TABLE t2', 'shop') AS pending_id \gset
SELECT status, risk FROM dbchange.change WHERE id = :pending_id;
SELECT key, value FROM dbchange.configure(default_action => 'reject');
SELECT dbchange.submit_mysql('DROP TABLE t1', 'shop') AS rejected_id \gset
SELECT status FROM dbchange.change WHERE id = :rejected_id;
SELECT key, value FROM dbchange.configure(default_action => 'approve');
SELECT dbchange.submit_mysql('CREATE TABLE other (id int)', 'otherdb') AS other_id \gset
SELECT dbchange.submit_mysql('CREATE TABLE anywhere (id int)') AS any_id \gset

-- bad input
SELECT dbchange.submit_mysql('  -- nothing ');
SELECT dbchange.submit_mysql('SELECT 1', 'a/b');
SELECT dbchange.submit_mysql('SELECT ''unterminated');
SELECT dbchange.submit_mysql(NULL);
SELECT dbchange.submit_mysql('SELECT 1', source => 'migration');
-- a promotion (policies may trust it more) is for deployers only
SET ROLE regress_my_dev;
SELECT dbchange.submit_mysql('DROP TABLE t1', 'shop', source => 'promotion');
RESET ROLE;
SET ROLE regress_my_deployer;
SELECT dbchange.submit_mysql('CREATE TABLE promoted (id int)', 'shop', source => 'promotion') AS promoted_id \gset
RESET ROLE;
SELECT status, source, requested_by FROM dbchange.change WHERE id = :promoted_id;
SELECT statement_no, facts->>'source' AS source FROM dbchange.change_statement WHERE change_id = :promoted_id;
-- red team: a promotion keeps the original requester and provenance (approve()
-- refuses them); a plain submission cannot claim another requester
SET ROLE regress_my_dev;
SELECT dbchange.submit_mysql('CREATE TABLE forged (id int)', 'shop', requested_by => 'someone_else');
RESET ROLE;
SET ROLE regress_my_deployer;
SELECT dbchange.submit_mysql('CREATE TABLE promoted2 (id int)', 'promodb', source => 'promotion',
                             requested_by => 'regress_my_dev',
                             origin => '{"kind": "promotion", "from_environment": "test", "logins": ["regress_my_dev"]}') AS promoted2_id \gset
RESET ROLE;
SELECT requested_by, origin->>'from_environment' AS from_env, origin->'logins' AS logins
  FROM dbchange.change WHERE id = :promoted2_id;
SELECT actor, details->>'requested_by' AS requested_by FROM dbchange.audit
 WHERE change_id = :promoted2_id ORDER BY seq LIMIT 1;

-- the same uid twice: idempotent with the same text, refused with another
SELECT uid AS approved_uid FROM dbchange.change WHERE id = :approved_id \gset
SELECT dbchange.submit_mysql((SELECT statement FROM dbchange.change WHERE id = :approved_id),
                             'shop', NULL, :'approved_uid') = :approved_id AS same_change;
SELECT e(format('SELECT dbchange.submit_mysql(%L, %L, NULL, %L)', 'CREATE TABLE t1 (id bigint)', 'shop', :'approved_uid'));

-- a developer cannot forge a decision or a deployment
SET ROLE regress_my_dev;
SELECT dbchange._record('{"status": "approved", "statement": "DROP TABLE t1"}');
INSERT INTO dbchange.change (checksum, status, environment, command, statement, requested_by, source)
VALUES ('x', 'approved', 'prod', 'DROP TABLE', 'DROP TABLE t1', 'me', 'submit');
UPDATE dbchange.change SET status = 'approved' WHERE id = :pending_id;
SELECT * FROM dbchange.mysql_changes('shop');
SELECT dbchange.mysql_deploy_start(:approved_id, 'mysql://db:3306/shop', 2);
RESET ROLE;

-- the deployer's view: changes for database shop (and for any), rejected ones left out
SET ROLE regress_my_deployer;
SELECT id = :approved_id AS approved, id = :pending_id AS pending, id = :any_id AS any_target,
       status, checksum_ok, target
  FROM dbchange.mysql_changes('shop') ORDER BY id;

-- deployments: checks, then running -> failed -> retried -> applied
SELECT e('SELECT dbchange.mysql_deploy_start(' || :pending_id || ', ''mysql://db:3306/shop'', 1)');
SELECT e('SELECT dbchange.mysql_deploy_start(' || :rejected_id || ', ''mysql://db:3306/shop'', 1)');
SELECT dbchange.mysql_deploy_start(:approved_id, 'mysql://user:pw@db:3306/shop', 2);
SELECT dbchange.mysql_deploy_start(:approved_id, 'mysql://db:3306/shop', 2, 'app') AS dep1 \gset
SELECT dbchange.mysql_deploy_finish(:dep1, 'failed', 1, 2, 'CREATE TABLE t2 (id int)',
                                    'ERROR 1050 (42S01): Table ''t2'' already exists');
SELECT e('SELECT dbchange.mysql_deploy_finish(' || :dep1 || ', ''applied'', 2)');
RESET ROLE;
SELECT status, error_message FROM dbchange.change WHERE id = :approved_id;
SET ROLE regress_my_deployer;
SELECT dbchange.mysql_deploy_start(:approved_id, 'mysql://db:3306/shop', 2) AS dep2 \gset
SELECT dbchange.mysql_deploy_finish(:dep2, 'applied', 2, NULL, NULL, NULL,
  '{"table t1": "BASE TABLE engine=InnoDB", "table t1/column id": "#1 int(11) NOT NULL"}');
SELECT change_id = :approved_id AS same, target, status, statements_total, statements_done,
       failed_statement_no, failed_statement, error, deployed_by, mysql_user
  FROM dbchange.deployments ORDER BY id;
RESET ROLE;
SELECT status, error_message, applied_at IS NOT NULL AS applied FROM dbchange.change WHERE id = :approved_id;
SELECT event, details->>'target' AS target FROM dbchange.audit WHERE change_id = :approved_id ORDER BY seq;

-- drift: the snapshot now against the one recorded after the last deployment
SELECT * FROM dbchange.mysql_drift('mysql://db:3306/shop',
  '{"table t1": "BASE TABLE engine=InnoDB", "table t1/column id": "#1 int(11) NOT NULL"}');
SELECT * FROM dbchange.mysql_drift('mysql://db:3306/shop',
  '{"table t1": "BASE TABLE engine=MyISAM", "table t9": "BASE TABLE engine=InnoDB"}');
SELECT * FROM dbchange.mysql_drift('mysql://db:3306/never', '{}');

-- resolution by hand
SET ROLE regress_my_deployer;
SELECT e('SELECT dbchange.mysql_mark_applied(' || :pending_id || ', ''mysql://db:3306/shop'')');
SELECT dbchange.mysql_mark_applied(:any_id, 'mysql://db:3306/shop') > 0 AS marked;
RESET ROLE;
SELECT status FROM dbchange.change WHERE id = :any_id;

-- an edited change is detected and never deployed
UPDATE dbchange.change SET statement = 'DROP DATABASE shop' WHERE id = :other_id;
SET ROLE regress_my_deployer;
SELECT id = :other_id AS edited, checksum_ok FROM dbchange.mysql_changes('otherdb');
SELECT e('SELECT dbchange.mysql_deploy_start(' || :other_id || ', ''mysql://db:3306/otherdb'', 1)');
RESET ROLE;

-- PostgreSQL never applies a MySQL change
SELECT e('SELECT dbchange._refuse_mysql_apply(' || :approved_id || ')');

-- target names: host and port, or a unix socket (the CLI's ?socket= URIs name
-- the socket, not a TCP endpoint they never used); nothing else
SELECT t, e('SELECT dbchange._check_mysql_target(' || quote_literal(t) || ')') AS checked
  FROM unnest(ARRAY['mysql://db:3306/shop', 'mysql://localhost/shop?socket=/run/mysqld/mysqld.sock',
                    'mysql://localhost/shop?socket=mysqld.sock', 'mysql://db/shop?socket=/run/mysqld/mysqld.sock',
                    'mysql://u@localhost/shop?socket=/x', 'mysql://localhost:3306/shop?socket=/x',
                    'mysql://db/shop']) AS t;

-- a stored program created in a stored program's body is refused, as the
-- server refuses it (regress/sql/mysql_classify.sql): nothing is stored
SELECT count(*) AS changes_before FROM dbchange.change \gset
SELECT e($q$SELECT dbchange.submit_mysql('CREATE PROCEDURE p() BEGIN CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; DROP TABLE u; END; END')$q$);
SELECT count(*) = :changes_before AS nothing_stored FROM dbchange.change;
