-- A script's own SET search_path (SET [LOCAL], RESET, SET ... TO DEFAULT,
-- SELECT [pg_catalog.]set_config('search_path', 'literal', b)) applies to its later
-- statements when evaluate() and submit() judge the script before any of it runs:
-- the names are resolved on that path, as they are when the script runs.  What
-- dbchange cannot read for certain (an expression, a DO block, a function of the
-- user's, a DEFAULT calling set_config()) is not followed, and the check that each
-- statement still names what it was judged with refuses the mismatch when it runs.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_script_search_path;
DROP ROLE IF EXISTS ssp_dev, ssp_other, ssp_lead;
CREATE DATABASE regress_script_search_path;
\c regress_script_search_path
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
CREATE ROLE ssp_dev LOGIN IN ROLE dbchange_developer;
CREATE ROLE ssp_other LOGIN IN ROLE dbchange_developer;
CREATE ROLE ssp_lead LOGIN IN ROLE dbchange_approver;
GRANT ssp_other TO ssp_dev;
SET dbchange.enforce = off;
CREATE SCHEMA billing AUTHORIZATION ssp_dev;
CREATE SCHEMA app AUTHORIZATION ssp_dev;
CREATE SCHEMA ssp_dev AUTHORIZATION ssp_dev;
CREATE SCHEMA "app, public" AUTHORIZATION ssp_dev;
CREATE SCHEMA shadow AUTHORIZATION ssp_dev;
CREATE SCHEMA shadow2 AUTHORIZATION ssp_dev;
GRANT ALL ON SCHEMA public TO ssp_dev, ssp_other;
GRANT USAGE, CREATE ON SCHEMA app TO ssp_other;
SET ROLE ssp_dev;
CREATE TABLE public.invoices (id int);
CREATE TABLE billing.invoices (id int);
CREATE TABLE public.payments (id int);
CREATE TABLE app.payments (id int);
CREATE TABLE app.orders (id int);
INSERT INTO app.orders VALUES (1);
CREATE TABLE ssp_dev.invoices (id int);
CREATE TABLE "app, public".payments (id int);
-- a set_config of the developer's own, which a path putting shadow first finds
CREATE FUNCTION shadow.set_config(text, text, boolean) RETURNS text LANGUAGE sql AS 'SELECT $2';
-- ... and one that only matches three arguments through a DEFAULT parameter; a volatile now()
CREATE FUNCTION shadow2.set_config(text, text, boolean, int DEFAULT 0) RETURNS text LANGUAGE sql AS 'SELECT $2';
CREATE FUNCTION shadow2.now() RETURNS timestamptz LANGUAGE sql VOLATILE AS 'SELECT pg_catalog.clock_timestamp()';
-- code that changes the path when a statement evaluates it (a volatile DEFAULT)
CREATE FUNCTION public.flip_path() RETURNS int LANGUAGE plpgsql AS
  $$BEGIN PERFORM pg_catalog.set_config('search_path', 'public', false); RETURN 1; END$$;
CREATE FUNCTION public.flip_path_imm(int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS
  $$BEGIN PERFORM pg_catalog.set_config('search_path', 'public', false); RETURN $1; END$$;
RESET ROLE;
RESET dbchange.enforce;
\set src `cat lua_policies/protected_objects.lua`
-- (the policy's test count is stock_policies' concern)
SELECT dbchange.set_policy('protected_objects', :'src') ~ '^policy "protected_objects" created \(\d+ tests passed\)$' AS policy_set;
\set src `cat lua_policies/destructive_changes.lua`
SELECT dbchange.set_policy('destructive_changes', :'src') ~ '^policy "destructive_changes" created \(\d+ tests passed\)$' AS policy_set;
SELECT * FROM dbchange.configure(environment => 'dev', default_action => 'approve') WHERE key = 'environment';

-- ---- evaluate(): the later statements are judged on the path the script sets ----
SET ROLE ssp_dev;
SHOW search_path;
SELECT statement_no, action, risk, facts->>'identity' AS identity, reasons
  FROM dbchange.evaluate($$SET search_path = billing;
ALTER TABLE invoices ADD COLUMN y bigint;
DROP TABLE invoices$$, 'prod');
-- as pg_dump writes it: app.payments is not the protected public.payments
SELECT statement_no, action, facts->>'identity' AS identity, reasons
  FROM dbchange.evaluate($$SELECT pg_catalog.set_config('search_path', 'app, public', false);
ALTER TABLE payments ADD COLUMN y bigint$$, 'prod');
-- each form, and back: SET LOCAL, set_config(.., true), SET SCHEMA, TO DEFAULT, RESET, RESET ALL
SELECT statement_no, facts->>'identity' AS identity
  FROM dbchange.evaluate($$SET LOCAL search_path TO app;
ALTER TABLE payments ADD COLUMN a int;
SET search_path TO DEFAULT;
ALTER TABLE payments ADD COLUMN b int;
SELECT set_config('search_path', 'billing', true);
ALTER TABLE invoices ADD COLUMN c int;
RESET search_path;
ALTER TABLE invoices ADD COLUMN d int;
SET SCHEMA 'app';
ALTER TABLE payments ADD COLUMN e int;
RESET ALL;
ALTER TABLE payments ADD COLUMN f int;
SET SESSION search_path = "$user", public;
ALTER TABLE invoices ADD COLUMN g int$$, 'prod');
-- quoting as PostgreSQL reads it: a quoted name (or one string) is one schema, commas and all
SELECT statement_no, facts->>'identity' AS identity
  FROM dbchange.evaluate($$SET search_path = "app, public";
ALTER TABLE payments ADD COLUMN a int;
SET search_path = 'app, public';
ALTER TABLE payments ADD COLUMN b int;
SET search_path = app, public;
ALTER TABLE payments ADD COLUMN c int;
SELECT set_config('search_path', '"app, public"', false);
ALTER TABLE payments ADD COLUMN d int$$, 'prod');
-- a table the script creates on that path is created_in_script for the statements after it
SELECT statement_no, facts->>'identity' AS identity, facts->'created_in_script' AS created_in_script
  FROM dbchange.evaluate($$SET search_path = app;
CREATE TABLE lines (id int, note varchar(10));
ALTER TABLE lines ALTER COLUMN note TYPE int USING 0$$, 'prod');
-- pg_temp first: a temporary table shadows the protected one, and the judgement names it
CREATE TEMP TABLE payments (id int);
SELECT statement_no, facts->>'identity' LIKE 'pg_temp%.payments' AS temporary, reasons
  FROM dbchange.evaluate($$SET search_path = pg_temp, public;
ALTER TABLE payments ADD COLUMN a int;
SET search_path = public, pg_temp;
ALTER TABLE payments ADD COLUMN b int$$, 'prod');
DROP TABLE pg_temp.payments;
-- not followed (judged on the session's path): an expression, a query with more in it,
-- a DO block, a set_config of the developer's found first, a syntax PostgreSQL refuses,
-- a function in another schema (which need not exist: no error here)
SELECT statement_no, facts->>'identity' AS identity
  FROM dbchange.evaluate($$SELECT set_config('search_path', 'bill' || 'ing', false);
ALTER TABLE invoices ADD COLUMN a int;
SELECT set_config('search_path', 'billing', false), 1;
ALTER TABLE invoices ADD COLUMN b int;
SELECT set_config('search_path', 'billing', false) FROM pg_class LIMIT 1;
ALTER TABLE invoices ADD COLUMN c int;
DO $do$BEGIN PERFORM set_config('search_path', 'billing', false); END$do$;
ALTER TABLE invoices ADD COLUMN d int;
SET search_path = shadow, pg_catalog, public;
SELECT set_config('search_path', 'billing', false);
ALTER TABLE invoices ADD COLUMN e int;
SELECT pg_catalog.set_config('search_path', '"billing', false);
ALTER TABLE invoices ADD COLUMN f int;
SELECT nosuch.set_config('search_path', 'billing', false);
ALTER TABLE invoices ADD COLUMN g int$$, 'prod');
-- the caller's search_path is as it was: after evaluate(), inside a transaction with
-- SET LOCAL, and after a check that failed half way
SHOW search_path;
BEGIN;
SET LOCAL search_path = app;
SELECT count(*) FROM dbchange.evaluate('SET search_path = billing; ALTER TABLE invoices ADD COLUMN y int', 'prod');
SHOW search_path;
COMMIT;
SHOW search_path;
SET client_min_messages = notice;
DO $$
BEGIN
  PERFORM dbchange.submit('SET search_path = billing; ALTER TABLE invoices ADD COLUMN y int; COMMIT');
EXCEPTION WHEN others THEN
  RAISE NOTICE 'refused: %; search_path now %', SQLERRM, current_setting('search_path');
END $$;
SET client_min_messages = warning;
SELECT classify->>'identity' AS classify_identity
  FROM dbchange.classify('SET search_path = billing; ALTER TABLE invoices ADD COLUMN y int') classify;
SHOW search_path;
RESET ROLE;

-- ---- submit(): the script runs end to end, on the path it set ----
SET ROLE ssp_dev;
SELECT dbchange.submit($$SET search_path = app;
ALTER TABLE orders ADD COLUMN y bigint;
CREATE TABLE items (id int);
CREATE INDEX items_id ON items (id)$$, 'app work') AS id \gset
SELECT status FROM dbchange.changes WHERE id = :id;
SELECT to_regclass('app.items') IS NOT NULL AS app_items, to_regclass('public.items') IS NULL AS no_public_items,
       (SELECT count(*) FROM pg_attribute WHERE attrelid = 'app.orders'::regclass AND attname = 'y') AS app_orders_y;
-- the session's path is untouched; the change records the path it was requested with,
-- and each statement as it was judged
SHOW search_path;
RESET ROLE;
SELECT search_path FROM dbchange.change WHERE id = :id;
SELECT statement_no, facts->>'identity' AS identity FROM dbchange.change_statement WHERE change_id = :id ORDER BY 1;
SET ROLE ssp_dev;
SELECT dbchange.submit($$SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE app.qualified (id int)$$, 'pg_dump style') > 0 AS pg_dump_style_applied;
SELECT dbchange.submit($$SET LOCAL search_path = billing;
ALTER TABLE invoices ADD COLUMN local_y int$$, 'SET LOCAL') > 0 AS set_local_applied;
SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = 'billing.invoices'::regclass AND attname = 'local_y') AS billing_y,
       (SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.invoices'::regclass AND attname = 'local_y') AS public_y;
-- $user is the submitter
SELECT dbchange.submit($$SET search_path = "$user", public;
ALTER TABLE invoices ADD COLUMN mine int$$, '$user') > 0 AS user_schema_applied;
SELECT count(*) AS ssp_dev_invoices_mine FROM pg_attribute WHERE attrelid = 'ssp_dev.invoices'::regclass AND attname = 'mine';
RESET ROLE;
-- a schema the script creates before setting the path to it
SELECT dbchange.submit($$CREATE SCHEMA fresh;
SET search_path = fresh;
CREATE TABLE ft (id int);
ALTER TABLE ft ADD COLUMN x int;
CREATE INDEX ft_x ON ft (x)$$, 'a new schema') > 0 AS new_schema_applied;
SELECT to_regclass('fresh.ft') IS NOT NULL AS fresh_ft, to_regclass('fresh.ft_x') IS NOT NULL AS fresh_ft_x;

-- ---- queued, approved, applied: apply() runs the SET and the statements agree ----
SELECT * FROM dbchange.configure(environment => 'stage') WHERE key = 'environment';
SET ROLE ssp_dev;
SELECT dbchange.submit($$SET search_path = billing;
ALTER TABLE invoices ADD COLUMN z int$$, 'billing column') AS q \gset
SELECT status, risk, reasons FROM dbchange.changes WHERE id = :q;
RESET ROLE;
SET ROLE ssp_lead;
SELECT dbchange.approve(:q, 'billing.invoices, fine');
RESET ROLE;
SELECT dbchange.apply(:q);
SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = 'billing.invoices'::regclass AND attname = 'z') AS billing_z,
       (SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.invoices'::regclass AND attname = 'z') AS public_z;
SHOW search_path;
SELECT * FROM dbchange.configure(environment => 'dev') WHERE key = 'environment';

-- ---- attacks: judgement and execution must not disagree ----
SET ROLE ssp_dev;
-- a path set by a statement dbchange does not follow: refused when it runs
SELECT dbchange.submit($$SELECT set_config('search_path', 'bill' || 'ing', false);
ALTER TABLE invoices ADD COLUMN w int$$, 'expression');
SELECT dbchange.submit($$DO $do$BEGIN PERFORM set_config('search_path', 'billing', false); END $do$;
ALTER TABLE invoices ADD COLUMN w int$$, 'DO block');
-- a DEFAULT's function changes the path between two statements: judged app.payments, would alter public.payments
SELECT dbchange.submit($$SET search_path = app;
ALTER TABLE orders ADD COLUMN d int DEFAULT public.flip_path();
ALTER TABLE payments ADD COLUMN w int$$, 'default flips the path');
-- ... an index expression's function (IMMUTABLE in name only) cannot: PostgreSQL builds an
-- index in a GUC nest level of its own, so the path is the one judged when statement 3 runs
SELECT dbchange.submit($$SET search_path = app;
CREATE INDEX orders_flip ON orders (public.flip_path_imm(id));
ALTER TABLE payments ADD COLUMN i int$$, 'index expression flips the path') > 0 AS index_expression_applied;
SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = 'app.payments'::regclass AND attname = 'i') AS app_payments_i;
-- SET ROLE changes what "$user" means: refused (the role is not the one checked)
SELECT dbchange.submit($$SET search_path = "$user", public;
SET ROLE ssp_other;
ALTER TABLE invoices ADD COLUMN w int$$, 'set role');
-- a temporary table shadowing the protected one is dropped half way: the next name is public.payments
CREATE TEMP TABLE payments (id int);
SELECT dbchange.submit($$SET search_path = pg_temp, public;
DROP TABLE payments;
ALTER TABLE payments ADD COLUMN w int$$, 'temporary shadow');
DROP TABLE IF EXISTS pg_temp.payments;
-- a set_config of the developer's is not pg_catalog's: judged and run on the path as it was
SELECT statement_no, facts->>'identity' AS identity, reasons
  FROM dbchange.evaluate($$SET search_path = shadow, pg_catalog, public;
SELECT set_config('search_path', 'app', false);
ALTER TABLE payments ADD COLUMN w int$$, 'prod');
-- a path naming a schema the script creates later: judged as public.payments (not there
-- yet), runs on the new later.payments (created by the change: allowed)
SELECT statement_no, facts->>'identity' AS identity, reasons
  FROM dbchange.evaluate($$SET search_path = later, public;
CREATE SCHEMA later;
CREATE TABLE later.payments (id int);
ALTER TABLE payments ADD COLUMN w int$$, 'prod');
RESET ROLE;
SELECT dbchange.submit($$SET search_path = later, public;
CREATE SCHEMA later;
CREATE TABLE later.payments (id int);
ALTER TABLE payments ADD COLUMN w int$$, 'later') > 0 AS later_applied;
SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = 'later.payments'::regclass AND attname = 'w') AS later_w;
SET ROLE ssp_dev;
-- red team: a set_config of the developer's that matches three arguments through a DEFAULT
-- parameter is what PostgreSQL runs (ahead of pg_catalog): not followed, statement 3 is
-- judged on the path as it was (the protected public.payments), not on 'app'
SELECT statement_no, facts->>'identity' AS identity, reasons
  FROM dbchange.evaluate($$SET search_path = shadow2, pg_catalog, public;
SELECT set_config('search_path', 'app', false);
ALTER TABLE payments ADD COLUMN w int$$, 'prod');
-- ... so a DEFAULT's now() is judged as shadow2's volatile one, which is the one that runs
SELECT statement_no, facts->'columns'->0->>'default_volatile' AS default_volatile
  FROM dbchange.evaluate($$SET search_path = shadow2, pg_catalog, public;
SELECT set_config('search_path', 'app', false);
ALTER TABLE app.orders ADD COLUMN ts timestamptz DEFAULT now()$$, 'prod') WHERE statement_no = 3;
-- red team: a path set by something not followed, for a statement whose names stay the
-- same: judged with pg_catalog's now() (stable: no rewrite), it would run shadow2's
-- (volatile: a rewrite of the table): refused, the path is not the one it was judged with
SELECT dbchange.submit($$DO $do$BEGIN PERFORM pg_catalog.set_config('search_path', 'shadow2, pg_catalog', false); END $do$;
ALTER TABLE app.orders ADD COLUMN ts timestamptz DEFAULT now()$$, 'DO block, same names');
SELECT dbchange.submit($$SET search_path = app;
ALTER TABLE orders ADD COLUMN d int DEFAULT public.flip_path();
ALTER TABLE app.orders ADD COLUMN ts timestamptz DEFAULT now()$$, 'default flips the path, same names');
SELECT count(*) AS app_orders_ts FROM pg_attribute WHERE attrelid = 'app.orders'::regclass AND attname = 'ts';
RESET ROLE;
-- ... also when a queued change is approved and then applied: the path each statement was
-- judged with is kept with its facts
SELECT * FROM dbchange.configure(environment => 'stage') WHERE key = 'environment';
SET ROLE ssp_dev;
SELECT dbchange.submit($$DO $do$BEGIN PERFORM pg_catalog.set_config('search_path', 'shadow2, pg_catalog', false); END $do$;
ALTER TABLE billing.invoices ADD COLUMN ts timestamptz DEFAULT now()$$, 'queued, DO block') AS q2 \gset
RESET ROLE;
SELECT statement_no, facts->>'checked_search_path' AS checked_search_path
  FROM dbchange.change_statement WHERE change_id = :q2 ORDER BY 1;
SET ROLE ssp_lead;
SELECT dbchange.approve(:q2, 'a stable default, fine');
RESET ROLE;
SELECT dbchange.apply(:q2);
SELECT status, error_sqlstate, error_message FROM dbchange.changes WHERE id = :q2;
SELECT count(*) AS billing_invoices_ts FROM pg_attribute WHERE attrelid = 'billing.invoices'::regclass AND attname = 'ts';
-- a change requested with an empty search_path (as pg_dump leaves it) is applied on it,
-- not on the applier's path
SET ROLE ssp_dev;
SET search_path = '';
SELECT dbchange.submit($$ALTER TABLE billing.invoices ADD COLUMN e int$$, 'empty path') AS q3 \gset
RESET search_path;
RESET ROLE;
SET ROLE ssp_lead;
SELECT dbchange.approve(:q3, 'fine');
RESET ROLE;
SELECT dbchange.apply(:q3);
SELECT count(*) AS billing_invoices_e FROM pg_attribute WHERE attrelid = 'billing.invoices'::regclass AND attname = 'e';
SELECT * FROM dbchange.configure(environment => 'dev') WHERE key = 'environment';
-- nothing above touched the protected tables or public.invoices
SELECT attrelid::regclass AS rel, attname FROM pg_attribute
 WHERE attrelid IN ('public.payments'::regclass, 'public.invoices'::regclass, 'app.payments'::regclass) AND attnum > 0
 ORDER BY 1, 2;
SHOW search_path;
\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_script_search_path;
DROP ROLE ssp_dev, ssp_other, ssp_lead;
