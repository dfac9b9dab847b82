-- created_in_script: evaluate(), submit() and apply() judge a script before any of it runs,
-- when a table the script creates does not exist yet.  A later statement about that table,
-- new and empty in the change's own transaction, is judged so (no lock, rewrite or
-- CONCURRENTLY finding from the stock policies), as the gate judges it statement by
-- statement; an existing table named so is not, and the claim is verified when the
-- statement runs (ZC003 otherwise).  environment_risk is tuned to approve prod DDL
-- (DDL.prod = { "approve", "high" }, its tests cut down), so the other findings decide.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_script_new_tables;
DROP ROLE IF EXISTS snt_dev, snt_dba, snt_dan;
CREATE DATABASE regress_script_new_tables;
\c regress_script_new_tables
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
CREATE ROLE snt_dev LOGIN IN ROLE dbchange_developer;
CREATE ROLE snt_dba LOGIN IN ROLE dbchange_approver;
CREATE ROLE snt_dan LOGIN IN ROLE dbchange_deployer;
SET dbchange.enforce = off;
CREATE TABLE big_customers (id bigint PRIMARY KEY, name text);
INSERT INTO big_customers SELECT g, 'c' FROM generate_series(1, 120000) g;
CREATE TABLE big_orders (id bigint PRIMARY KEY, customer_id bigint, note varchar(10));
INSERT INTO big_orders SELECT g, g, 'n' FROM generate_series(1, 120000) g;
ANALYZE big_customers, big_orders;
CREATE SCHEMA app;
CREATE TABLE app.items (id bigint PRIMARY KEY, note varchar(10));
INSERT INTO app.items SELECT g, 'n' FROM generate_series(1, 120000) g;
ANALYZE app.items;
GRANT ALL ON SCHEMA public, app TO snt_dev, snt_dan;
GRANT ALL ON ALL TABLES IN SCHEMA public, app TO snt_dev, snt_dan;
ALTER TABLE big_customers OWNER TO snt_dev;
ALTER TABLE big_orders OWNER TO snt_dev;
ALTER TABLE app.items OWNER TO snt_dev;
RESET dbchange.enforce;
\set src `sed -e '/^local DDL /,+1s/prod = { "queue", "high" }/prod = { "approve", "high" }/' -e '/^  tests = {/,/^  },/c\  tests = { { sql = "CREATE TABLE t_env (id int)", environment = "prod", expect = "approve", risk = "high" } },' lua_policies/environment_risk.lua`
SELECT dbchange.set_policy('environment_risk', :'src');
\set src `cat lua_policies/index_locking.lua`
SELECT dbchange.set_policy('index_locking', :'src');
\set src `cat lua_policies/safe_constraints.lua`
SELECT dbchange.set_policy('safe_constraints', :'src');
\set src `cat lua_policies/table_rewrites.lua`
SELECT dbchange.set_policy('table_rewrites', :'src');
\set src `cat lua_policies/column_changes.lua`
SELECT dbchange.set_policy('column_changes', :'src');
\set src `cat lua_policies/destructive_changes.lua`
SELECT dbchange.set_policy('destructive_changes', :'src');
SELECT key, value FROM dbchange.configure(environment => 'prod', rollout => 'manual', default_action => 'approve')
 WHERE key IN ('environment', 'rollout') ORDER BY key;
SELECT dbchange.set_flow('high', ARRAY['dbchange_approver']);

-- the ORM migration: every statement after the CREATE is about the new, empty table
\set orm 'CREATE TABLE orders_new (id bigint PRIMARY KEY, customer_id bigint, note varchar(10));\nALTER TABLE orders_new ADD CONSTRAINT orders_new_note_key UNIQUE (note);\nALTER TABLE orders_new ADD CONSTRAINT orders_new_customer_fk FOREIGN KEY (customer_id) REFERENCES big_customers (id);\nALTER TABLE orders_new ALTER COLUMN note TYPE text;\nCREATE INDEX orders_new_customer_idx ON orders_new (customer_id);'
SELECT E:'orm' AS orm \gset
SELECT statement_no, action, risk, facts->'created_in_script' AS created_in_script, reasons
  FROM dbchange.evaluate(:'orm', 'prod');
-- the same statements on an existing big table still queue
SELECT statement_no, action, risk, facts->'created_in_script' AS created_in_script, reasons
  FROM dbchange.evaluate($$
ALTER TABLE big_orders ADD CONSTRAINT big_orders_note_key UNIQUE (note);
ALTER TABLE big_orders ADD CONSTRAINT big_orders_customer_fk FOREIGN KEY (customer_id) REFERENCES big_customers (id);
ALTER TABLE big_orders ALTER COLUMN note TYPE int USING 0;
CREATE INDEX big_orders_customer_idx ON big_orders (customer_id)$$, 'prod');
-- interactively, statement by statement through the gate: the table exists and is empty
SET ROLE snt_dev;
BEGIN;
CREATE TABLE orders_new (id bigint PRIMARY KEY, customer_id bigint, note varchar(10));
ALTER TABLE orders_new ADD CONSTRAINT orders_new_note_key UNIQUE (note);
ALTER TABLE orders_new ADD CONSTRAINT orders_new_customer_fk FOREIGN KEY (customer_id) REFERENCES big_customers (id);
ALTER TABLE orders_new ALTER COLUMN note TYPE text;
CREATE INDEX orders_new_customer_idx ON orders_new (customer_id);
ROLLBACK;
-- submit(): approved and applied, in one transaction
SELECT dbchange.submit(:'orm', 'orders_new') AS orm_id \gset
RESET ROLE;
SELECT status, risk FROM dbchange.changes WHERE id = :orm_id;
SELECT statement_no, action, facts->'created_in_script' AS created_in_script
  FROM dbchange.change_statement WHERE change_id = :orm_id ORDER BY 1;
SELECT conname FROM pg_constraint WHERE conrelid = 'orders_new'::regclass ORDER BY 1;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'orders_new'::regclass AND attname = 'note';

-- the timeouts a migration sets and resets between its parts (frain-dev/convoy) keep the
-- new table; RESET ALL (which resets search_path and role too) does not
SELECT statement_no, action, facts->'created_in_script' AS created_in_script, reasons
  FROM dbchange.evaluate($$
SET lock_timeout = '2s';
CREATE TABLE jobs_new (id bigint, run_at timestamptz);
RESET lock_timeout;
RESET statement_timeout;
SET lock_timeout = '2s';
SET LOCAL statement_timeout TO DEFAULT;
CREATE INDEX jobs_new_run_at ON jobs_new (run_at);
RESET ALL;
CREATE INDEX jobs_new_id ON jobs_new (id)$$, 'prod');

-- attacks: none of these is judged as a new table
-- IF NOT EXISTS naming an existing table creates nothing
SELECT statement_no, action, facts->'created_in_script' AS created_in_script, reasons
  FROM dbchange.evaluate($$
CREATE TABLE IF NOT EXISTS big_orders (id bigint, customer_id bigint, note varchar(10));
ALTER TABLE big_orders ALTER COLUMN note TYPE int USING 0$$, 'prod');
-- SET search_path (or set_config()) between: the unqualified name is app.items at run time,
-- and is judged so (the script's path is followed), not as the new table
SELECT statement_no, action, facts->'created_in_script' AS created_in_script, reasons
  FROM dbchange.evaluate($$
CREATE TABLE public.items (id bigint, note varchar(10));
SET search_path = app;
ALTER TABLE items ALTER COLUMN note TYPE int USING 0$$, 'prod');
SELECT statement_no, action, facts->'created_in_script' AS created_in_script
  FROM dbchange.evaluate($$
CREATE TABLE items (id bigint, note varchar(10));
SELECT set_config('search_path', 'app', false);
ALTER TABLE items ALTER COLUMN note TYPE int USING 0$$, 'prod');
SET ROLE snt_dev;
SELECT dbchange.submit($$
CREATE TABLE public.items (id bigint, note varchar(10));
SET search_path = app;
ALTER TABLE items ALTER COLUMN note TYPE int USING 0$$) AS sp_id \gset
RESET ROLE;
SELECT status FROM dbchange.changes WHERE id = :sp_id;
-- a DROP, a RENAME of an existing table into the name, rows put in, a copy with data, a temporary table
SELECT statement_no, action, facts->'created_in_script' AS created_in_script
  FROM dbchange.evaluate($$
CREATE TABLE swap (id bigint, note varchar(10));
DROP TABLE swap;
ALTER TABLE big_orders RENAME TO swap;
ALTER TABLE swap ALTER COLUMN note TYPE int USING 0$$, 'prod');
SELECT statement_no, action, facts->'created_in_script' AS created_in_script
  FROM dbchange.evaluate($$
CREATE TABLE filled (id bigint, customer_id bigint);
INSERT INTO filled SELECT id, customer_id FROM big_orders;
ALTER TABLE filled ADD FOREIGN KEY (customer_id) REFERENCES big_customers (id)$$, 'prod');
SELECT statement_no, action, facts->'created_in_script' AS created_in_script
  FROM dbchange.evaluate($$
CREATE TABLE copied AS SELECT id, customer_id FROM big_orders;
ALTER TABLE copied ADD FOREIGN KEY (customer_id) REFERENCES big_customers (id);
CREATE TABLE copied_empty AS SELECT id, customer_id FROM big_orders WITH NO DATA;
ALTER TABLE copied_empty ADD FOREIGN KEY (customer_id) REFERENCES big_customers (id)$$, 'prod');
SELECT statement_no, action, facts->'created_in_script' AS created_in_script
  FROM dbchange.evaluate($$
CREATE TEMP TABLE tmp (id bigint, note varchar(10));
ALTER TABLE tmp ALTER COLUMN note TYPE int USING 0$$, 'prod');
-- an existing table altered in between (a volatile default runs for each of its rows), or
-- attached under the new one: forgotten
SELECT statement_no, action, facts->'created_in_script' AS created_in_script
  FROM dbchange.evaluate($$
CREATE TABLE mid (id bigint, customer_id bigint);
ALTER TABLE big_orders ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE mid ADD FOREIGN KEY (customer_id) REFERENCES big_customers (id)$$, 'prod');
SELECT statement_no, action, facts->'created_in_script' AS created_in_script
  FROM dbchange.evaluate($$
CREATE TABLE parts (id bigint, customer_id bigint, note varchar(10)) PARTITION BY RANGE (id);
ALTER TABLE parts ATTACH PARTITION big_orders FOR VALUES FROM (0) TO (1000000);
ALTER TABLE parts ALTER COLUMN note TYPE int USING 0$$, 'prod');
-- a partition created in the script, and a schema created in the script, are new tables
SELECT statement_no, action, facts->'created_in_script' AS created_in_script
  FROM dbchange.evaluate($$
CREATE SCHEMA fresh;
CREATE TABLE fresh.parts (id bigint, customer_id bigint) PARTITION BY RANGE (id);
CREATE TABLE fresh.parts_1 PARTITION OF fresh.parts FOR VALUES FROM (0) TO (1000);
CREATE INDEX ON fresh.parts (customer_id);
ALTER TABLE fresh.parts_1 ADD CHECK (customer_id > 0)$$, 'prod');
-- destructive findings stay
SELECT statement_no, action, facts->'created_in_script' AS created_in_script, reasons
  FROM dbchange.evaluate($$
CREATE TABLE gone (id bigint, note text);
ALTER TABLE gone DROP COLUMN note$$, 'prod');

-- checked, then another table under the name before it runs: refused when it runs (the
-- same check as at submit(), where another session could commit a table under the name
-- between the check and the run; here the change waits for approval in between).
-- A queued change (its last statement queues) applied after somebody created the table
SET ROLE snt_dev;
SELECT dbchange.submit($$
CREATE TABLE IF NOT EXISTS later (id bigint, note varchar(10));
ALTER TABLE later ALTER COLUMN note TYPE bigint USING length(note);
ALTER TABLE big_orders ADD CONSTRAINT big_orders_customer_fk FOREIGN KEY (customer_id) REFERENCES big_customers (id)$$)
  AS later_id \gset
RESET ROLE;
SELECT status FROM dbchange.changes WHERE id = :later_id;
SELECT statement_no, action, facts->'created_in_script' AS created_in_script
  FROM dbchange.change_statement WHERE change_id = :later_id ORDER BY 1;
SET dbchange.enforce = off;
CREATE TABLE later (id bigint, note varchar(10));
INSERT INTO later SELECT g, 'n' FROM generate_series(1, 1000) g;
RESET dbchange.enforce;
SET ROLE snt_dba;
SELECT dbchange.approve(:later_id, 'ok');
SET ROLE snt_dan;
SELECT dbchange.apply(:later_id);
RESET ROLE;
SELECT status, error_message, error_sqlstate FROM dbchange.changes WHERE id = :later_id;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'later'::regclass AND attname = 'note';
SELECT count(*) AS fk FROM pg_constraint WHERE conname = 'big_orders_customer_fk';
-- and without the table, the same change applies; the applying session's own table of that
-- name, created earlier in its transaction, is not the change's
SET dbchange.enforce = off;
DROP TABLE later;
RESET dbchange.enforce;
SET ROLE snt_dev;
SELECT dbchange.submit($$
CREATE TABLE IF NOT EXISTS later2 (id bigint, note varchar(10));
ALTER TABLE later2 ALTER COLUMN note TYPE bigint USING length(note);
ALTER TABLE big_orders ADD CONSTRAINT big_orders_customer_fk FOREIGN KEY (customer_id) REFERENCES big_customers (id)$$)
  AS later2_id \gset
RESET ROLE;
SET ROLE snt_dba;
SELECT dbchange.approve(:later2_id, 'ok');
SET ROLE snt_dan;
BEGIN;
CREATE TABLE later2 (id bigint, note varchar(10));
SELECT dbchange.apply(:later2_id);
SELECT status, error_message, error_sqlstate FROM dbchange.changes WHERE id = :later2_id;
ROLLBACK;
SELECT dbchange.apply(:later2_id);
RESET ROLE;
SELECT status FROM dbchange.change WHERE id = :later2_id;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'later2'::regclass AND attname = 'note';

-- code a statement between runs can fill the new table: a function in an index expression of
-- another table (an IMMUTABLE function calling a VOLATILE one, evaluated for each row of that
-- table) or a column default that ADD COLUMN evaluates once.  The script is judged as before
-- (statement 4 created_in_script: no rewrite or scan finding), but when it runs the table holds
-- 120000 rows: ZC003, and nothing of it stays
SET dbchange.enforce = off;
SET check_function_bodies = off;
CREATE TABLE few (id int);
INSERT INTO few VALUES (1), (2);
ANALYZE few;
ALTER TABLE few OWNER TO snt_dev;
CREATE FUNCTION fill_sneaky() RETURNS int LANGUAGE sql VOLATILE
  AS $f$ INSERT INTO public.sneaky SELECT id, customer_id, note FROM public.big_orders; SELECT 1 $f$;
CREATE FUNCTION sneaky_key(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE
  AS $f$ BEGIN IF i = 1 THEN PERFORM public.fill_sneaky(); END IF; RETURN i; END $f$;
CREATE FUNCTION fill_sneaky_p() RETURNS int LANGUAGE sql VOLATILE
  AS $f$ INSERT INTO public.sneaky_p SELECT id, note FROM public.big_orders; SELECT 1 $f$;
CREATE FUNCTION sneaky_default() RETURNS int LANGUAGE plpgsql IMMUTABLE
  AS $f$ BEGIN PERFORM public.fill_sneaky_p(); RETURN 0; END $f$;
RESET check_function_bodies;
RESET dbchange.enforce;
\set sneaky 'CREATE TABLE sneaky (id bigint, customer_id bigint, note varchar(10));\nALTER TABLE sneaky ADD FOREIGN KEY (customer_id) REFERENCES big_customers (id);\nCREATE INDEX few_key_idx ON few ((sneaky_key(id)));\nALTER TABLE sneaky ALTER COLUMN note TYPE int USING length(note);\nALTER TABLE sneaky ADD CONSTRAINT sneaky_id_key UNIQUE (id);'
SELECT E:'sneaky' AS sneaky \gset
SELECT statement_no, action, facts->'created_in_script' AS created_in_script, reasons
  FROM dbchange.evaluate(:'sneaky', 'prod');
SET ROLE snt_dev;
SELECT dbchange.submit(:'sneaky');
RESET ROLE;
SELECT to_regclass('sneaky') AS sneaky, to_regclass('few_key_idx') AS few_key_idx;
-- a partition of a partitioned table the script creates, filled through a default
SET ROLE snt_dev;
SELECT dbchange.submit($$
CREATE TABLE sneaky_p (id bigint, note varchar(10)) PARTITION BY RANGE (id);
CREATE TABLE sneaky_p1 PARTITION OF sneaky_p FOR VALUES FROM (MINVALUE) TO (MAXVALUE);
CREATE TABLE sneaky_other (id int);
ALTER TABLE sneaky_other ADD COLUMN token int DEFAULT sneaky_default();
ALTER TABLE sneaky_p ALTER COLUMN note TYPE int USING length(note)$$);
RESET ROLE;
SELECT to_regclass('sneaky_p') AS sneaky_p;

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_script_new_tables;
DROP ROLE snt_dev, snt_dba, snt_dan;
