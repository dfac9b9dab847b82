-- Down scripts: generated inverses for simple operations, verification in a
-- subtransaction that is always rolled back, and bad input.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_rollback_verify;
CREATE DATABASE regress_rollback_verify;
\c regress_rollback_verify
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE TABLE account (id int PRIMARY KEY, name text);
CREATE TABLE "Mixed Case" (id int);

-- a fingerprint of everything verification must leave alone: the schema and the catalog
CREATE FUNCTION pg_temp.fingerprint() RETURNS text LANGUAGE sql AS $$
  SELECT dbchange.snapshot_hash(dbchange.schema_snapshot()) || '/' ||
         (SELECT count(*) FROM dbchange.change) || '/' || (SELECT count(*) FROM dbchange.audit)
$$;
SELECT pg_temp.fingerprint() AS fp0 \gset

-- generated inverses, one per simple operation (names resolved and quoted)
SELECT statement_no, down, reason FROM dbchange.explain_down($$
  CREATE TABLE invoice (id int);
  CREATE INDEX account_name_idx ON account (name);
  CREATE UNIQUE INDEX mixed_idx ON "Mixed Case" (id);
  CREATE VIEW account_names AS SELECT name FROM account;
  CREATE MATERIALIZED VIEW account_count AS SELECT count(*) FROM account;
  CREATE SEQUENCE invoice_no;
  CREATE FUNCTION add_one(int, VARIADIC text[]) RETURNS int LANGUAGE sql AS 'SELECT $1 + 1';
  CREATE PROCEDURE tidy(a int, OUT b int) LANGUAGE sql AS 'SELECT 1';
  ALTER TABLE account ADD COLUMN email text, ADD CONSTRAINT name_set CHECK (name <> '');
  ALTER TABLE account RENAME TO customer;
  ALTER TABLE account RENAME COLUMN name TO full_name;
  ALTER TABLE account RENAME CONSTRAINT account_pkey TO account_pk;
  ALTER INDEX account_pkey RENAME TO account_pk;
  CREATE SCHEMA reporting;
  CREATE TYPE colour AS ENUM ('red');
  CREATE DOMAIN positive AS int CHECK (VALUE > 0);
  CREATE TABLE other.t (id int);
$$) ORDER BY 1;

-- destructive and unsafe statements get no inverse: NULL and the reason, never a pretend inverse
SELECT statement_no, down IS NULL AS no_inverse, reason FROM dbchange.explain_down($$
  DROP TABLE account;
  ALTER TABLE account DROP COLUMN name;
  ALTER TABLE account ALTER COLUMN name TYPE varchar(10);
  TRUNCATE account;
  CREATE INDEX ON account (name);
  ALTER TABLE account ADD CHECK (id > 0);
  CREATE TABLE IF NOT EXISTS account (id int);
  CREATE OR REPLACE VIEW v AS SELECT 1;
  DELETE FROM account;
$$) ORDER BY 1;
SELECT dbchange.generate_down('DROP TABLE account') IS NULL AS drop_has_no_down;
SELECT dbchange.generate_down('CREATE TABLE a (x int); DROP TABLE account') IS NULL AS mixed_has_no_down;
-- CREATE OR REPLACE FUNCTION: invertible only while the function does not exist yet
SELECT dbchange.generate_down('CREATE OR REPLACE FUNCTION f_new() RETURNS int LANGUAGE sql AS ''SELECT 1''') AS new_function_down;
CREATE FUNCTION f_old() RETURNS int LANGUAGE sql AS 'SELECT 1';
SELECT dbchange.generate_down('CREATE OR REPLACE FUNCTION f_old() RETURNS int LANGUAGE sql AS ''SELECT 2''') IS NULL AS replaced_function_has_no_down;
SELECT pg_temp.fingerprint() AS fp0 \gset

-- the whole script's down: inverses in reverse order
SELECT dbchange.generate_down($$CREATE TABLE invoice (id int); CREATE INDEX invoice_idx ON invoice (id); ALTER TABLE invoice ADD COLUMN total numeric$$);

-- every generated inverse verifies: up + down leave no difference
SELECT s.op, count(v.*) AS differences
  FROM (VALUES
    ('create table', 'CREATE TABLE invoice (id int PRIMARY KEY, total numeric DEFAULT 0)'),
    ('create index', 'CREATE INDEX account_name_idx ON account (name)'),
    ('create view', 'CREATE VIEW account_names AS SELECT name FROM account'),
    ('create matview', 'CREATE MATERIALIZED VIEW account_count AS SELECT count(*) FROM account'),
    ('create sequence', 'CREATE SEQUENCE invoice_no'),
    ('create function', 'CREATE FUNCTION add_one(int) RETURNS int LANGUAGE sql AS ''SELECT $1 + 1'''),
    ('create procedure', 'CREATE PROCEDURE tidy(int) LANGUAGE sql AS ''SELECT 1'''),
    ('add column', 'ALTER TABLE account ADD COLUMN email text NOT NULL DEFAULT ''''') ,
    ('add constraint', 'ALTER TABLE account ADD CONSTRAINT name_set CHECK (name <> '''')'),
    ('add unique', 'ALTER TABLE account ADD CONSTRAINT name_unique UNIQUE (name)'),
    ('rename table', 'ALTER TABLE account RENAME TO customer'),
    ('rename column', 'ALTER TABLE account RENAME COLUMN name TO full_name'),
    ('rename constraint', 'ALTER TABLE account RENAME CONSTRAINT account_pkey TO account_pk'),
    ('rename index', 'ALTER INDEX account_pkey RENAME TO account_pk'),
    ('create schema', 'CREATE SCHEMA reporting'),
    ('create enum', 'CREATE TYPE colour AS ENUM (''red'', ''blue'')'),
    ('create domain', 'CREATE DOMAIN positive AS int CHECK (VALUE > 0)'),
    ('quoted names', 'CREATE TABLE "Odd ""Name""" (id int); CREATE INDEX "Odd Idx" ON "Mixed Case" (id)'),
    ('a script', 'CREATE TABLE invoice (id int); CREATE INDEX invoice_idx ON invoice (id); ALTER TABLE invoice ADD COLUMN total numeric')
  ) AS s(op, up)
  LEFT JOIN LATERAL dbchange.verify_rollback_script(s.up) v ON true
 GROUP BY s.op ORDER BY 1;

-- a complete hand-written down script: no rows
SELECT * FROM dbchange.verify_rollback_script(
  'CREATE TABLE t1 (id int PRIMARY KEY); CREATE TABLE t2 (id int REFERENCES t1 (id) DEFERRABLE); ALTER TABLE account ADD COLUMN note text',
  'ALTER TABLE account DROP COLUMN note; DROP TABLE t2; DROP TABLE t1');
-- an incomplete one: the leftover objects are named
SELECT * FROM dbchange.verify_rollback_script(
  'CREATE TABLE t1 (id int PRIMARY KEY); CREATE TABLE t2 (id int); ALTER TABLE account ADD COLUMN note text',
  'DROP TABLE t1');
-- one that removes too much or changes something else
SELECT * FROM dbchange.verify_rollback_script(
  'CREATE TABLE t1 (id int)',
  'DROP TABLE t1; ALTER TABLE account ALTER COLUMN name SET NOT NULL; DROP TABLE "Mixed Case"');
-- a down script that fails after the up script ran
SELECT * FROM dbchange.verify_rollback_script('CREATE TABLE t1 (id int)', 'DROP TABLE t_other');
-- an up script that fails
SELECT * FROM dbchange.verify_rollback_script('CREATE TABLE account (id int)', 'DROP TABLE account');
-- statements that cannot run in a transaction are not verifiable (and nothing is run)
SELECT * FROM dbchange.verify_rollback_script('CREATE TABLE t9 (id int); CREATE INDEX CONCURRENTLY t9_idx ON account (id)', 'DROP INDEX CONCURRENTLY t9_idx; DROP TABLE t9');
-- nothing of any of this is left behind: no objects, no change records, no audit events
SELECT pg_temp.fingerprint() = :'fp0' AS nothing_changed;
SELECT count(*) AS leftovers FROM pg_class WHERE relname IN ('t1', 't2', 't9', 'invoice', 'customer');

-- verification runs under the gate's apply mark: with default_action queue nothing is queued
SELECT key, value FROM dbchange.configure(default_action => 'queue') WHERE key = 'default_action';
SELECT * FROM dbchange.verify_rollback_script('CREATE TABLE t1 (id int)', 'DROP TABLE t1');
SELECT count(*) AS pending FROM dbchange.changes WHERE status = 'pending';
SELECT key, value FROM dbchange.configure(default_action => 'approve') WHERE key = 'default_action';

-- verify_rollback(id) of an applied change: down then up again, compared with now
CREATE TABLE shipment (id int PRIMARY KEY, account_id int REFERENCES account);
SELECT max(id) AS shipment_change FROM dbchange.changes WHERE statement LIKE 'CREATE TABLE shipment%' \gset
SELECT * FROM dbchange.verify_rollback(:shipment_change);
SELECT rollback_verified FROM dbchange.change WHERE id = :shipment_change;
-- a change with an incomplete down script (recorded through the catalog writer)
SELECT dbchange._record(jsonb_build_object('status', 'pending', 'statement', 'CREATE TABLE a1 (x int); CREATE TABLE a2 (x int)',
  'command', 'CREATE TABLE', 'requested_by', current_user, 'requested_by_oid', (SELECT oid FROM pg_roles WHERE rolname = current_user),
  'search_path', 'public', 'source', 'submit', 'action', 'queue', 'down_script', 'DROP TABLE a1')) AS pending_change \gset
SELECT * FROM dbchange.verify_rollback(:pending_change);
SELECT rollback_verified FROM dbchange.change WHERE id = :pending_change;
SELECT count(*) AS leftovers FROM pg_class WHERE relname IN ('a1', 'a2');

-- bad input
-- a change with no down script, where none can be generated
DROP TABLE "Mixed Case";
SELECT pg_temp.fingerprint() AS fp1 \gset
SELECT max(id) AS drop_change FROM dbchange.changes WHERE command = 'DROP TABLE' \gset
SELECT * FROM dbchange.verify_rollback(:drop_change);
-- unknown change, NULL
SELECT * FROM dbchange.verify_rollback(999999);
SELECT * FROM dbchange.verify_rollback(NULL);
-- syntax errors name the script
SELECT * FROM dbchange.verify_rollback_script('CREATE TABLE t1 (id int)', 'DROP TABEL t1');
SELECT * FROM dbchange.verify_rollback_script('CREATE TABLE t1 (id int);
CREATE TABEL t2 (id int)', 'DROP TABLE t1');
-- no down script and none can be generated
SELECT * FROM dbchange.verify_rollback_script('DROP TABLE account');
SELECT * FROM dbchange.verify_rollback_script('CREATE TABLE t1 (id int)', '  ');
SELECT * FROM dbchange.verify_rollback_script(NULL, 'DROP TABLE t1');
SELECT dbchange.generate_down(NULL);
-- transaction control is refused, not run
SELECT * FROM dbchange.verify_rollback_script('CREATE TABLE t1 (id int); COMMIT', 'DROP TABLE t1');
SELECT pg_temp.fingerprint() = :'fp1' AS nothing_changed;

-- a developer verifies as themselves: privileges are theirs (no escalation through dbchange)
DROP ROLE IF EXISTS regress_rb_dev;
CREATE ROLE regress_rb_dev;
GRANT CREATE ON SCHEMA public TO regress_rb_dev;
SET ROLE regress_rb_dev;
SELECT * FROM dbchange.verify_rollback_script('CREATE TABLE mine (id int)', 'DROP TABLE mine');
SELECT * FROM dbchange.verify_rollback_script('ALTER TABLE account ADD COLUMN x int', 'ALTER TABLE account DROP COLUMN x');
SELECT * FROM dbchange.verify_rollback_script('CREATE TABLE mine (id int)', 'DROP TABLE mine; ALTER ROLE regress_rb_dev SUPERUSER');
-- the internal runner is not callable directly
SELECT dbchange._verify_run('CREATE TABLE x (id int)', 'DROP TABLE x', 'pending', 10, NULL, NULL);
-- nor is verify_rollback of someone else's change
SELECT * FROM dbchange.verify_rollback(:shipment_change);
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM regress_rb_dev;
DROP ROLE regress_rb_dev;

-- the facts the submit path gives policies (rollback_verified)
SELECT dbchange.rollback_facts('CREATE TABLE f1 (id int)') - 'down_script' AS generated_and_verified;
SELECT dbchange.rollback_facts('CREATE TABLE f1 (id int); CREATE TABLE f2 (id int)', 'DROP TABLE f1') AS incomplete;
SELECT dbchange.rollback_facts('DROP TABLE account') AS no_down_script;
SELECT dbchange.rollback_facts('CREATE TABLE f1 (id int)', 'DROP TABLE f1 garbage');
SELECT count(*) AS leftovers FROM pg_class WHERE relname IN ('f1', 'f2');

-- review: the argument types of a generated DROP FUNCTION are quoted, so a
-- type named like SQL cannot end the statement and add its own to the down
-- script (nor does a mixed-case or schema-qualified name break it)
SELECT down FROM dbchange.explain_down($$CREATE FUNCTION f_q(a "x); DROP TABLE account; SELECT (1", b "My Type"[], c "Sch"."T", d account.id%TYPE, e double precision) RETURNS int LANGUAGE sql AS 'SELECT 1'$$);
CREATE TYPE "x); DROP TABLE account; SELECT (1" AS (v int);
CREATE TYPE "My Type" AS (v int);
SELECT * FROM dbchange.verify_rollback_script($$CREATE FUNCTION f_q(a "x); DROP TABLE account; SELECT (1", b "My Type"[]) RETURNS int LANGUAGE sql AS 'SELECT 1'$$);
SELECT dbchange.submit($$CREATE FUNCTION f_q(a "x); DROP TABLE account; SELECT (1", b "My Type"[]) RETURNS int LANGUAGE sql AS 'SELECT 1'$$, 'quoted types') AS fq_change \gset
SELECT down_script FROM dbchange.change WHERE id = :fq_change;
SELECT dbchange.rollback(:fq_change) AS fq_rollback \gset
SELECT status, statement FROM dbchange.changes WHERE id = :fq_rollback;
SELECT to_regclass('account') IS NOT NULL AS account_kept, (SELECT count(*) FROM pg_proc WHERE proname = 'f_q') AS f_q_left;
DROP TYPE "x); DROP TABLE account; SELECT (1";
DROP TYPE "My Type";

-- review: no generated inverse that removes more, or less, than the statement
-- did: USING INDEX takes over an index that existed before (dropping the
-- constraint drops it), PRIMARY KEY marks existing columns NOT NULL (dropping
-- the constraint leaves that), IF EXISTS may have renamed nothing
CREATE TABLE uix (id int, v int);
CREATE UNIQUE INDEX uix_idx ON uix (id);
SELECT statement_no, down, reason FROM dbchange.explain_down($$
  ALTER TABLE uix ADD CONSTRAINT uix_pk PRIMARY KEY USING INDEX uix_idx;
  ALTER TABLE uix ADD CONSTRAINT uix_u UNIQUE USING INDEX uix_idx;
  ALTER TABLE uix ADD CONSTRAINT uix_pk PRIMARY KEY (id);
  ALTER TABLE uix ADD COLUMN "New Id" int, ADD CONSTRAINT uix_pk PRIMARY KEY ("New Id");
  ALTER TABLE IF EXISTS uix RENAME TO uix2;
  ALTER TABLE uix ADD CONSTRAINT uix_v UNIQUE (v);
$$) ORDER BY 1;
SELECT * FROM dbchange.verify_rollback_script('ALTER TABLE uix ADD COLUMN "New Id" int, ADD CONSTRAINT uix_pk PRIMARY KEY ("New Id")');
SELECT dbchange.submit('ALTER TABLE uix ADD CONSTRAINT uix_pk PRIMARY KEY USING INDEX uix_idx', 'pk from index') AS uix_change \gset
SELECT status, down_script IS NULL AS no_down_script FROM dbchange.change WHERE id = :uix_change;
SELECT dbchange.rollback(:uix_change);
SELECT indexrelid::regclass AS index_kept FROM pg_index WHERE indrelid = 'uix'::regclass;
DROP TABLE uix;

-- review: a submitted change's down script is generated before it runs (a
-- RENAME's table is found under its old name, a CREATE OR REPLACE FUNCTION
-- does not exist yet), and a change recorded by the gate is inverted with the
-- schema its object was in when it ran -- not another table of the new name
-- earlier in the search_path
CREATE SCHEMA rb_a;
CREATE SCHEMA rb_b;
CREATE TABLE rb_b.ren (id int);
CREATE TABLE rb_a.ren2 (id int);
SET search_path = rb_a, rb_b;
SELECT dbchange.submit('ALTER TABLE ren RENAME TO ren2', 'rename') AS ren_change \gset
SELECT dbchange.submit('CREATE OR REPLACE FUNCTION rb_a.fresh() RETURNS int LANGUAGE sql AS ''SELECT 1''', 'new function') AS fresh_change \gset
SELECT down_script, down_generated FROM dbchange.change WHERE id IN (:ren_change, :fresh_change) ORDER BY id;
CREATE TABLE rb_b.gren (id int);
ALTER TABLE gren RENAME TO gren2;
SELECT max(id) AS gren_change FROM dbchange.changes WHERE statement = 'ALTER TABLE gren RENAME TO gren2' \gset
CREATE TABLE rb_a.gren2 (id int);
SELECT * FROM dbchange.verify_rollback(:gren_change);
SELECT dbchange.rollback(:gren_change) AS gren_rollback \gset
SELECT status, statement FROM dbchange.changes WHERE id = :gren_rollback;
SELECT to_regclass('rb_b.gren') IS NOT NULL AS renamed_back, to_regclass('rb_a.gren2') IS NOT NULL AS other_table_kept;
RESET search_path;
DROP SCHEMA rb_a CASCADE;
DROP SCHEMA rb_b CASCADE;

-- the settings that bound a migration's waits (as the stock policies advise:
-- SET lock_timeout) need no inverse: the down script starts with them, in
-- their order, so undoing the change waits no longer than making it did;
-- other settings (search_path: names would mean other objects) still have none
SELECT dbchange.generate_down($$SET lock_timeout = '2s'; CREATE TABLE rb_set (id int); SET LOCAL statement_timeout TO '1min'; CREATE INDEX rb_set_idx ON rb_set (id); RESET client_min_messages$$);
SELECT statement_no, down, reason FROM dbchange.explain_down($$SET lock_timeout = '2s'; SET search_path = public; SET ROLE postgres; RESET ALL$$);
SELECT dbchange.generate_down($$SET search_path = public; CREATE TABLE rb_set (id int)$$) IS NULL AS search_path_has_no_down;
SELECT dbchange.generate_down($$SET lock_timeout = '2s'$$) IS NULL AS settings_only_have_no_down;
-- a submitted change with them gets that down script, and it verifies and rolls back
SELECT dbchange.submit($$SET lock_timeout = '3s'; CREATE TABLE rb_set (id int)$$, 'with a lock timeout') AS set_change \gset
SELECT down_script, down_generated FROM dbchange.change WHERE id = :set_change;
SELECT * FROM dbchange.verify_rollback(:set_change);
SELECT dbchange.rollback(:set_change) AS set_rollback \gset
SELECT status FROM dbchange.changes WHERE id = :set_rollback;
SELECT to_regclass('rb_set') IS NULL AS rolled_back;
-- settings only: nothing to undo, said so
SELECT * FROM dbchange.verify_rollback_script($$SET lock_timeout = '2s'$$);
