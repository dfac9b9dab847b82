-- Migration tools restate what a column already is: pop/fizz's change_column
-- writes ALTER COLUMN c TYPE <its type>, ALTER COLUMN c DROP NOT NULL to change the
-- nullability alone; others SET NOT NULL on a column that has it.  Facts type_unchanged
-- (alter_column_type) and was_not_null (set_not_null, drop_not_null) say so, from the
-- catalog, when it can be trusted: not in a script after a statement that may have
-- changed the column first, not for a table with children.  The stock checks
-- changing-column-type, prefer-* (column_types), ban-drop-not-null and
-- adding-not-nullable-field say nothing about such a no-op (regress/corpus.sh, ory/kratos).
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_classify_noop_alters;
CREATE DATABASE regress_classify_noop_alters;
\c regress_classify_noop_alters
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
SET dbchange.enforce = off;
CREATE TABLE na_flows (id bigint PRIMARY KEY, token varchar(32), ui jsonb NOT NULL,
                       code text COLLATE "C", seen timestamp);
CREATE TABLE na_parent (id bigint, note text NOT NULL);
CREATE TABLE na_child () INHERITS (na_parent);
RESET dbchange.enforce;
CREATE FUNCTION na_sub(sql text, sno int DEFAULT 1) RETURNS TABLE (op text, type_unchanged text, was_not_null text, scans text)
LANGUAGE sql AS $$
  SELECT s->>'operation', s->>'type_unchanged', s->>'was_not_null', s->>'scans_table'
    FROM dbchange.evaluate(sql, 'prod', 'migration') e, jsonb_array_elements(e.facts->'subcommands') s
   WHERE e.statement_no = sno $$;

-- the restated type, and DROP NOT NULL of a nullable column, in one statement
SELECT * FROM na_sub('ALTER TABLE na_flows ALTER COLUMN token TYPE varchar(32), ALTER COLUMN token DROP NOT NULL');
SELECT * FROM na_sub('ALTER TABLE na_flows ALTER COLUMN ui TYPE jsonb, ALTER COLUMN ui DROP NOT NULL');
-- changes: a wider varchar, USING, the collation the type's default resets (unknown with COLLATE)
SELECT * FROM na_sub('ALTER TABLE na_flows ALTER COLUMN token TYPE varchar(64)');
SELECT * FROM na_sub('ALTER TABLE na_flows ALTER COLUMN token TYPE varchar(32) USING token');
SELECT * FROM na_sub('ALTER TABLE na_flows ALTER COLUMN code TYPE text');
SELECT * FROM na_sub('ALTER TABLE na_flows ALTER COLUMN code TYPE text COLLATE "C"');
SELECT * FROM na_sub('ALTER TABLE na_flows ALTER COLUMN seen TYPE timestamptz');
-- SET NOT NULL of a NOT NULL column scans nothing; of a nullable one it scans
SELECT * FROM na_sub('ALTER TABLE na_flows ALTER COLUMN ui SET NOT NULL');
SELECT * FROM na_sub('ALTER TABLE na_flows ALTER COLUMN token SET NOT NULL');
-- the same column's nullability changed twice in one statement, or by ADD PRIMARY KEY: unknown
SELECT * FROM na_sub('ALTER TABLE na_flows ALTER COLUMN ui DROP NOT NULL, ALTER COLUMN ui SET NOT NULL');
SELECT * FROM na_sub('ALTER TABLE na_flows ADD PRIMARY KEY (token), ALTER COLUMN token DROP NOT NULL');
-- an inheritance parent: SET / DROP NOT NULL reach the children too, unknown
SELECT * FROM na_sub('ALTER TABLE na_parent ALTER COLUMN note SET NOT NULL');
-- a column that does not exist (yet): unknown
SELECT * FROM na_sub('ALTER TABLE na_flows ALTER COLUMN other TYPE text, ALTER COLUMN other DROP NOT NULL');

-- In a script judged whole the catalog is as before the script.  An earlier statement
-- about the same table, or one running code (DML, DO, a query), may have changed the
-- column: unknown.  Statements that leave other columns alone (an index, a comment, another
-- table) do not count.
SELECT * FROM na_sub('ALTER TABLE na_flows ALTER COLUMN token TYPE text; ALTER TABLE na_flows ALTER COLUMN token TYPE varchar(32)', 2);
SELECT * FROM na_sub('ALTER TABLE na_flows ALTER COLUMN ui DROP NOT NULL; ALTER TABLE na_flows ALTER COLUMN ui SET NOT NULL', 2);
SELECT * FROM na_sub('ALTER TABLE na_flows RENAME COLUMN ui TO ui_old; ALTER TABLE na_flows RENAME COLUMN token TO ui; ALTER TABLE na_flows ALTER COLUMN ui SET NOT NULL', 3);
SELECT * FROM na_sub('UPDATE na_flows SET token = NULL; ALTER TABLE na_flows ALTER COLUMN ui DROP NOT NULL', 2);
SELECT * FROM na_sub('DO $x$ BEGIN EXECUTE ''ALTER TABLE na_flows ALTER ui DROP NOT NULL''; END $x$; ALTER TABLE na_flows ALTER COLUMN ui SET NOT NULL', 2);
SELECT * FROM na_sub('CREATE INDEX ON na_flows (token); COMMENT ON TABLE na_flows IS ''x''; ALTER TABLE na_parent ADD COLUMN x int; ALTER TABLE na_flows ALTER COLUMN token TYPE varchar(32), ALTER COLUMN token DROP NOT NULL', 4);

-- The stock checks in prod, on the facts of the real catalog.
\set src `cat lua_policies/table_rewrites.lua`
SELECT dbchange.set_policy('table_rewrites', :'src');
\set src `cat lua_policies/column_types.lua`
SELECT dbchange.set_policy('column_types', :'src');
\set src `cat lua_policies/column_changes.lua`
SELECT dbchange.set_policy('column_changes', :'src');
\set src `cat lua_policies/safe_constraints.lua`
SELECT dbchange.set_policy('safe_constraints', :'src');
SELECT v.n, e.action, e.risk, e.reasons FROM (VALUES
  (1, 'ALTER TABLE na_flows ALTER COLUMN token TYPE varchar(32), ALTER COLUMN token DROP NOT NULL'),
  (2, 'ALTER TABLE na_flows ALTER COLUMN seen TYPE timestamp, ALTER COLUMN seen DROP NOT NULL'),
  (3, 'ALTER TABLE na_flows ALTER COLUMN ui SET NOT NULL'),
  (4, 'ALTER TABLE na_flows ALTER COLUMN ui TYPE jsonb, ALTER COLUMN ui DROP NOT NULL')) v(n, sql),
  LATERAL dbchange.evaluate(v.sql, 'prod') e ORDER BY v.n;
-- the same statements after one that alters the table first: judged as changes, but for
-- the type of token, which the first statement leaves alone (a restated type, silent)
SELECT statement_no, action, risk, reasons FROM dbchange.evaluate($$
ALTER TABLE na_flows ALTER COLUMN ui DROP NOT NULL, ALTER COLUMN token SET NOT NULL, ALTER COLUMN seen TYPE text;
ALTER TABLE na_flows ALTER COLUMN token TYPE varchar(32), ALTER COLUMN token DROP NOT NULL;
ALTER TABLE na_flows ALTER COLUMN seen TYPE timestamp, ALTER COLUMN seen DROP NOT NULL;
ALTER TABLE na_flows ALTER COLUMN ui SET NOT NULL$$, 'prod') WHERE statement_no > 1;

-- What may come before in a script (session 26).  Migrations drop the views on a column before
-- they change its type, and add columns with DEFAULT now() elsewhere in the same file: such
-- statements run no one's code and change no column's type or nullability, so the facts stay
-- known.  DROP VIEW / MATERIALIZED VIEW (CASCADE too) / TRIGGER and DROP INDEX; a DEFAULT of a
-- built-in, non-volatile function with constant arguments or a keyword (CURRENT_TIMESTAMP).
-- Not: a DROP of something named like the table (another relation of that name may then be
-- meant), DROP TABLE, a volatile default (gen_random_uuid() rewrites the table, and its
-- indexes evaluate their expressions), a function of that name the script makes or one
-- qualified with another schema.
SET dbchange.enforce = off;
CREATE TABLE na_other (id int);
CREATE VIEW na_flows_v AS SELECT id, token FROM na_flows;
CREATE VIEW na_unrelated_v AS SELECT 1 AS x;
RESET dbchange.enforce;
SELECT v.label, s.op, s.type_unchanged, s.was_not_null
  FROM (VALUES
    ('drop view', 'DROP VIEW na_unrelated_v; ALTER TABLE na_flows ALTER COLUMN ui TYPE jsonb'),
    ('drop view cascade', 'DROP VIEW na_flows_v CASCADE; ALTER TABLE na_flows ALTER COLUMN ui TYPE jsonb'),
    ('drop trigger', 'DROP TRIGGER IF EXISTS nt ON na_other; ALTER TABLE na_flows ALTER COLUMN ui TYPE jsonb'),
    ('drop of the name', 'DROP VIEW IF EXISTS na_flows; ALTER TABLE na_flows ALTER COLUMN ui TYPE jsonb'),
    ('drop table', 'DROP TABLE IF EXISTS na_gone; ALTER TABLE na_flows ALTER COLUMN ui TYPE jsonb'),
    ('now()', 'ALTER TABLE na_other ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(); ALTER TABLE na_flows ALTER COLUMN ui SET NOT NULL'),
    ('now() into timestamp', 'ALTER TABLE na_other ADD COLUMN created_at timestamp DEFAULT now(); ALTER TABLE na_flows ALTER COLUMN ui SET NOT NULL'),
    ('current_timestamp', 'ALTER TABLE na_other ADD COLUMN created_at timestamptz DEFAULT CURRENT_TIMESTAMP; ALTER TABLE na_flows ALTER COLUMN ui SET NOT NULL'),
    ('gen_random_uuid()', 'ALTER TABLE na_other ADD COLUMN u uuid DEFAULT gen_random_uuid(); ALTER TABLE na_flows ALTER COLUMN ui SET NOT NULL'),
    ('own now()', 'CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE sql AS ''SELECT pg_catalog.now()''; SET search_path = public, pg_catalog; ALTER TABLE na_other ADD COLUMN created_at timestamptz DEFAULT now(); ALTER TABLE na_flows ALTER COLUMN ui SET NOT NULL'),
    ('public.now()', 'ALTER TABLE na_other ADD COLUMN created_at timestamptz DEFAULT public.now(); ALTER TABLE na_flows ALTER COLUMN ui SET NOT NULL')
  ) AS v(label, sql),
  LATERAL na_sub(v.sql, (SELECT max(statement_no) FROM dbchange.evaluate(v.sql, 'prod', 'migration'))) s;

-- Red team (session 26): the DEFAULT is judged from the later statement, on the search_path in
-- effect there, and a built-in non-volatile function is not always harmless.  A public.now() made
-- before the script, put first by SET search_path = public, pg_catalog around the ADD COLUMN,
-- was not seen from the SET NOT NULL after RESET search_path (was_not_null true, no scan); and
-- stable built-ins given constants read tables and views: table_to_xml('v', ...) runs the
-- view's query, here a function that changes na_flows.label to text, so the ALTER back to
-- varchar(32) judged type_unchanged rewrote the table.  Now a function of the name in any
-- schema, or a non-immutable one given arguments, makes the facts unknown.
SET dbchange.enforce = off;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE sql STABLE AS 'SELECT pg_catalog.now()';
CREATE FUNCTION na_widen() RETURNS int LANGUAGE plpgsql VOLATILE AS
  $f$ BEGIN EXECUTE 'ALTER TABLE public.na_flows ALTER COLUMN label TYPE text'; RETURN 1; END $f$;
CREATE VIEW na_evil_v AS SELECT na_widen() AS x;
ALTER TABLE na_flows ADD COLUMN label varchar(32);
RESET dbchange.enforce;
SELECT v.label, s.op, s.type_unchanged, s.was_not_null, s.scans
  FROM (VALUES
    ('old public.now() first', 'SET search_path = public, pg_catalog; ALTER TABLE na_other ADD COLUMN created_at timestamptz DEFAULT now(); RESET search_path; ALTER TABLE na_flows ALTER COLUMN ui SET NOT NULL'),
    ('pg_catalog.now()', 'SET search_path = public, pg_catalog; ALTER TABLE na_other ADD COLUMN created_at timestamptz DEFAULT pg_catalog.now(); RESET search_path; ALTER TABLE na_flows ALTER COLUMN ui SET NOT NULL'),
    ('table_to_xml of a view', 'ALTER TABLE na_other ADD COLUMN doc xml DEFAULT table_to_xml(''na_evil_v'', true, true, ''''); ALTER TABLE na_flows ALTER COLUMN label TYPE varchar(32)'),
    ('database_to_xml', 'ALTER TABLE na_other ADD COLUMN doc xml DEFAULT database_to_xml(true, true, ''''); ALTER TABLE na_flows ALTER COLUMN label TYPE varchar(32)'),
    ('immutable md5', 'ALTER TABLE na_other ADD COLUMN h text DEFAULT md5(''x''); ALTER TABLE na_flows ALTER COLUMN label TYPE varchar(32)')
  ) AS v(label, sql),
  LATERAL na_sub(v.sql, (SELECT max(statement_no) FROM dbchange.evaluate(v.sql, 'prod', 'migration'))) s;
-- what PostgreSQL does: the default runs the view's function, and the ALTER back rewrites
SET dbchange.enforce = off;
BEGIN;
SELECT relfilenode AS before_node FROM pg_class WHERE relname = 'na_flows' \gset
ALTER TABLE na_other ADD COLUMN doc xml DEFAULT table_to_xml('na_evil_v', true, true, '');
SELECT format_type(atttypid, atttypmod) AS token_type FROM pg_attribute WHERE attrelid = 'na_flows'::regclass AND attname = 'label';
ALTER TABLE na_flows ALTER COLUMN label TYPE varchar(32);
SELECT relfilenode <> :before_node AS rewritten FROM pg_class WHERE relname = 'na_flows';
ROLLBACK;
RESET dbchange.enforce;

-- rewrites_table of ALTER COLUMN TYPE is worked out from the catalog's type; in a script whose
-- earlier statements may have changed that type (the same column's TYPE, or code: a DO block,
-- a USING, DML) a "no rewrite" is not trusted (session 26: `ALTER c TYPE text; ALTER c TYPE
-- varchar(32)` was judged as no rewrite, and approved in prod, though the second rewrites the
-- table).  Other columns' plain type changes and the script's renames do not count, nor
-- does an index on lower(a) of such a column's table (PostgreSQL's own immutable
-- function); one on a function of someone's does (classify_retype_scripts).
SET dbchange.enforce = off;
CREATE TABLE na_post (id int PRIMARY KEY, name varchar(100) NOT NULL, title varchar(50), body text);
CREATE TABLE na_post_old (id int, name varchar(100));
CREATE TABLE na_expr (id int, a varchar(10));
CREATE INDEX na_expr_lower ON na_expr (lower(a));
CREATE FUNCTION na_g(text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $f$ BEGIN RETURN $1; END $f$;
CREATE TABLE na_expr2 (id int, a varchar(10));
CREATE INDEX na_expr2_g ON na_expr2 (na_g(a));
RESET dbchange.enforce;
SELECT v.label, (SELECT e.facts->'subcommands'->0->'rewrites_table'
                   FROM dbchange.evaluate(v.sql, 'prod', 'migration') e ORDER BY e.statement_no DESC LIMIT 1) AS rewrites
  FROM (VALUES
    ('type twice', 'ALTER TABLE na_post ALTER COLUMN name TYPE text; ALTER TABLE na_post ALTER COLUMN name TYPE varchar(100)'),
    ('DO first', 'DO $d$ BEGIN EXECUTE ''ALTER TABLE na_post ALTER COLUMN name TYPE text''; END $d$; ALTER TABLE na_post ALTER COLUMN name TYPE varchar(100)'),
    ('DML first', 'UPDATE na_post SET title = NULL; ALTER TABLE na_post ALTER COLUMN name TYPE varchar(200)'),
    ('USING on another column', 'ALTER TABLE na_post ALTER COLUMN title TYPE varchar(255) USING title; ALTER TABLE na_post ALTER COLUMN name TYPE varchar(200)'),
    ('another column first', 'ALTER TABLE na_post ALTER COLUMN title TYPE varchar(255); ALTER TABLE na_post ALTER COLUMN name TYPE varchar(200)'),
    ('a built-in expression index first', 'ALTER TABLE na_expr ALTER COLUMN a TYPE varchar(255); ALTER TABLE na_post ALTER COLUMN name TYPE varchar(200)'),
    ('someone''s function in an index first', 'ALTER TABLE na_expr2 ALTER COLUMN a TYPE varchar(255); ALTER TABLE na_post ALTER COLUMN name TYPE varchar(200)'),
    ('rename first', 'ALTER TABLE na_post_old RENAME TO na_post2; ALTER TABLE na_post2 ALTER COLUMN name TYPE varchar(200)'),
    ('column renamed to it', 'ALTER TABLE na_post RENAME COLUMN body TO name2; ALTER TABLE na_post ALTER COLUMN name2 TYPE varchar(100)'),
    ('names swapped', 'ALTER TABLE na_post RENAME COLUMN name TO tmp; ALTER TABLE na_post RENAME COLUMN body TO name; ALTER TABLE na_post ALTER COLUMN name TYPE varchar(100)'),
    ('alone', 'ALTER TABLE na_post ALTER COLUMN name TYPE varchar(200)')
  ) AS v(label, sql);
-- PostgreSQL: the second statement of 'type twice' rewrites the table (a new relfilenode)
BEGIN;
SET LOCAL dbchange.enforce = off;
ALTER TABLE na_post ALTER COLUMN name TYPE text;
SELECT pg_relation_filenode('na_post') AS before \gset
ALTER TABLE na_post ALTER COLUMN name TYPE varchar(100);
SELECT pg_relation_filenode('na_post') <> :before AS rewritten;
ROLLBACK;

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_classify_noop_alters;
