-- _caller() inside a security-restricted operation: a developer's function
-- run as the table owner by an index build, REINDEX or REFRESH MATERIALIZED
-- VIEW that an approver or superuser started named that approver (the outer
-- user), so it could approve the developer's queued change in their name.
-- Nobody acts there: dbchange refuses.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_security_restricted;
DROP ROLE IF EXISTS sr_dev, sr_dba;
CREATE DATABASE regress_security_restricted;
\c regress_security_restricted
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
CREATE ROLE sr_dev LOGIN;
CREATE ROLE sr_dba LOGIN IN ROLE dbchange_approver;
GRANT CREATE ON SCHEMA public TO sr_dev;
SET ROLE sr_dev;
CREATE TABLE victim (id int);
CREATE TABLE dt (x int);
INSERT INTO dt VALUES (1);
RESET ROLE;
SELECT value FROM dbchange.configure(default_action => 'queue') WHERE key = 'default_action';
SET ROLE sr_dev;
SELECT dbchange.submit('DROP TABLE victim') AS drop_id \gset
-- the developer's function approves whatever it can, in whoever's name
SELECT format($f$CREATE FUNCTION trojan(int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $b$
BEGIN
  BEGIN PERFORM dbchange.approve(%s, 'looks fine'); EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'trojan: %%', SQLERRM; END;
  RETURN $1;
END $b$$f$, :drop_id) AS trojan_sql \gset
RESET ROLE;
SELECT value FROM dbchange.configure(default_action => 'approve') WHERE key = 'default_action';
SET ROLE sr_dev;
:trojan_sql;
CREATE INDEX dt_trojan ON dt ((trojan(x)));
RESET ROLE;
-- a superuser reindexes the developer's table: the function runs as sr_dev
SET client_min_messages = notice;
REINDEX TABLE dt;
SET client_min_messages = warning;
SELECT status FROM dbchange.changes WHERE id = :drop_id;
SELECT count(*) AS approvals FROM dbchange.audit WHERE change_id = :drop_id AND event = 'approved';

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_security_restricted;
DROP ROLE sr_dev, sr_dba;
