-- DROP ... IF EXISTS of objects none of which exists drops nothing: migration tools write it
-- for what an older version may have left behind (authelia's V0007 drops a dozen tables it
-- never made, regress/corpus.sh).  Fact drops_nothing says so from the catalog: at the gate,
-- and in a script judged whole only when no earlier statement could have made an object of
-- that name (a CREATE, a RENAME, code run by DO).  destructive_changes and index_locking say
-- nothing about such a statement.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_classify_drops_nothing;
CREATE DATABASE regress_classify_drops_nothing;
\c regress_classify_drops_nothing
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
SET dbchange.enforce = off;
CREATE TABLE dn_devices (id bigint PRIMARY KEY, kid text);
CREATE INDEX dn_devices_kid_idx ON dn_devices (kid);
RESET dbchange.enforce;

-- one statement at a time (classify(): the catalog is current)
SELECT v.sql, dbchange.classify(v.sql)->>'drops_nothing' AS drops_nothing
  FROM (VALUES ('DROP TABLE IF EXISTS dn_gone'), ('DROP TABLE IF EXISTS dn_gone, dn_devices'),
               ('DROP TABLE dn_gone'), ('DROP TABLE IF EXISTS dn_devices'),
               ('DROP INDEX IF EXISTS dn_gone_idx'), ('DROP INDEX IF EXISTS dn_devices_kid_idx'),
               ('DROP VIEW IF EXISTS dn_gone_view'), ('DROP TABLE IF EXISTS dn_gone CASCADE')) v(sql);

-- in a script judged whole: after other DROPs, COMMENT and GRANT, known; after anything that
-- may create or rename (CREATE, RENAME, DO, a SET of search_path, DML), unknown
CREATE FUNCTION dn_eval(sql text) RETURNS TABLE (statement_no int, drops_nothing text)
LANGUAGE sql AS $$
  SELECT e.statement_no, e.facts->>'drops_nothing' FROM dbchange.evaluate(sql, 'prod', 'migration') e $$;
SELECT * FROM dn_eval('DROP TABLE IF EXISTS dn_a; DROP INDEX IF EXISTS dn_b; COMMENT ON TABLE dn_devices IS ''x''; DROP TABLE IF EXISTS dn_c');
SELECT * FROM dn_eval('CREATE TABLE dn_a (id int); DROP TABLE IF EXISTS dn_a');
SELECT * FROM dn_eval('CREATE TABLE dn_x (id int PRIMARY KEY); DROP INDEX IF EXISTS dn_x_pkey');
SELECT * FROM dn_eval('ALTER TABLE dn_devices RENAME TO dn_a; DROP TABLE IF EXISTS dn_a');
SELECT * FROM dn_eval('DO $$BEGIN EXECUTE ''CREATE TABLE dn_a (id int)''; END$$; DROP TABLE IF EXISTS dn_a');
SELECT * FROM dn_eval('SET search_path = other; DROP TABLE IF EXISTS dn_a');

-- the stock checks: nothing about what is not there, the same about what is
\set src `cat lua_policies/destructive_changes.lua`
SELECT dbchange.set_policy('destructive_changes', :'src');
\set src `cat lua_policies/index_locking.lua`
SELECT dbchange.set_policy('index_locking', :'src');
SELECT e.statement_no, e.action, e.risk, e.reasons FROM dbchange.evaluate($$
DROP TABLE IF EXISTS dn_gone;
DROP INDEX IF EXISTS dn_gone_idx;
DROP TABLE IF EXISTS dn_devices;
CREATE TABLE dn_gone (id int);
DROP TABLE IF EXISTS dn_gone$$, 'prod', 'migration') e ORDER BY 1;

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_classify_drops_nothing;
