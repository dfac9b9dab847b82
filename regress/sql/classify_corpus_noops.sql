-- Three no-ops of real migrations (regress/corpus.sh, docs/testing.md) the stock library judged
-- as changes:
--   * ADD COLUMN IF NOT EXISTS of a column that is there, CREATE TABLE / INDEX IF NOT EXISTS of a
--     name that is taken (temporal's combined_v1.10_v1.13.sql): PostgreSQL skips them with a
--     notice.  Fact adds_nothing (per add_column subcommand, its column and constraint objects;
--     on CREATE TABLE / CREATE INDEX).
--   * a limit raised in place, varchar(50) -> varchar(100), varchar -> text, numeric(10,2) ->
--     numeric(12,2): no rewrite, and no client sees another type.  Facts old_type, old_typmods,
--     old_is_array, type_widened on alter_column_type, checked here against what PostgreSQL
--     really rewrites (the table's relfilenode).
--   * DROP INDEX IF EXISTS after ALTER TABLE ... DROP CONSTRAINT IF EXISTS (authelia): an ALTER
--     TABLE that only drops makes no name, so drops_nothing stays known.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_classify_corpus_noops;
CREATE DATABASE regress_classify_corpus_noops;
\c regress_classify_corpus_noops
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
SET dbchange.enforce = off;
CREATE TABLE an_t (id bigint PRIMARY KEY, note text, code text CONSTRAINT an_t_code_key UNIQUE);
CREATE INDEX an_t_note_idx ON an_t (note);
CREATE TABLE an_other (id int, y int);
INSERT INTO an_t SELECT i, 'n' || i, 'c' || i FROM generate_series(1, 100) i;
RESET dbchange.enforce;

-- 1. adds_nothing of ADD COLUMN IF NOT EXISTS, one statement (the catalog is current)
CREATE FUNCTION an_add(sql text, sno int DEFAULT 1)
RETURNS TABLE (col text, adds_nothing text, rewrites text, scans text, column_obj text, constraints text)
LANGUAGE sql AS $$
  SELECT s->>'name', s->>'adds_nothing', s->>'rewrites_table', s->>'scans_table',
         s->'column'->>'adds_nothing',
         (SELECT string_agg(k->>'constraint_type' || '=' || coalesce(k->>'adds_nothing', 'null'), ',')
            FROM jsonb_array_elements(e.facts->'constraints') k)
    FROM dbchange.evaluate(sql, 'prod', 'migration') e, jsonb_array_elements(e.facts->'subcommands') s
   WHERE e.statement_no = sno AND s->>'operation' = 'add_column' $$;
SELECT * FROM an_add('ALTER TABLE an_t ADD COLUMN IF NOT EXISTS note uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE REFERENCES an_other (id)');
SELECT * FROM an_add('ALTER TABLE an_t ADD COLUMN IF NOT EXISTS note int GENERATED ALWAYS AS (id * 2) STORED, ADD COLUMN IF NOT EXISTS fresh bigserial');
-- without IF NOT EXISTS (an error when it is there), a system column's name (an error), the
-- column dropped by the same statement first (added again): not "nothing"
SELECT * FROM an_add('ALTER TABLE an_t ADD COLUMN note text');
SELECT * FROM an_add('ALTER TABLE an_t ADD COLUMN IF NOT EXISTS ctid int');
SELECT * FROM an_add('ALTER TABLE an_t DROP COLUMN note, ADD COLUMN IF NOT EXISTS note text');
SELECT * FROM an_add('ALTER TABLE an_gone ADD COLUMN IF NOT EXISTS note text');
-- what PostgreSQL does with it: nothing (same data file, no sequence, no index, no constraint)
SET dbchange.enforce = off;
SELECT relfilenode AS an_fn FROM pg_class WHERE relname = 'an_t' \gset
ALTER TABLE an_t ADD COLUMN IF NOT EXISTS note bigserial UNIQUE REFERENCES an_other (id);
ALTER TABLE an_t ADD COLUMN IF NOT EXISTS note uuid DEFAULT gen_random_uuid();
RESET dbchange.enforce;
SELECT relfilenode = :an_fn AS same_file,
       (SELECT count(*) FROM pg_class WHERE relname LIKE 'an_t_note%') AS relations_named_note,
       (SELECT count(*) FROM pg_constraint WHERE conrelid = 'an_t'::regclass) AS constraints
  FROM pg_class WHERE relname = 'an_t';

-- In a script judged whole the catalog is as before the script: an earlier DROP COLUMN (of any
-- table: a parent's reaches its children), RENAME, a CREATE of the same name, code (DO, DML),
-- a DROP other than of an index: unknown.  Other ALTER TABLEs, indexes, comments: known.
SELECT * FROM an_add('ALTER TABLE an_t ADD COLUMN IF NOT EXISTS a int; ALTER TABLE an_t ADD COLUMN IF NOT EXISTS note text', 2);
SELECT * FROM an_add('CREATE INDEX ON an_other (y); COMMENT ON TABLE an_t IS ''x''; ALTER TABLE an_t ADD COLUMN IF NOT EXISTS note text', 3);
SELECT * FROM an_add('ALTER TABLE an_other DROP COLUMN y; ALTER TABLE an_t ADD COLUMN IF NOT EXISTS note text', 2);
SELECT * FROM an_add('ALTER TABLE an_t RENAME COLUMN note TO note_old; ALTER TABLE an_t ADD COLUMN IF NOT EXISTS note text', 2);
SELECT * FROM an_add('CREATE TABLE an_t (id int); ALTER TABLE an_t ADD COLUMN IF NOT EXISTS note text', 2);
SELECT * FROM an_add('DO $x$ BEGIN EXECUTE ''ALTER TABLE an_t DROP COLUMN note''; END $x$; ALTER TABLE an_t ADD COLUMN IF NOT EXISTS note text', 2);
SELECT * FROM an_add('DROP TYPE IF EXISTS an_ty CASCADE; ALTER TABLE an_t ADD COLUMN IF NOT EXISTS note text', 2);

-- adds_nothing of CREATE TABLE / CREATE INDEX IF NOT EXISTS
CREATE FUNCTION an_create(sql text) RETURNS TABLE (statement_no int, adds_nothing text, scans text)
LANGUAGE sql AS $$
  SELECT e.statement_no, e.facts->>'adds_nothing', e.facts->>'scans_table'
    FROM dbchange.evaluate(sql, 'prod', 'migration') e
   WHERE e.command IN ('CREATE TABLE', 'CREATE INDEX') $$;
SELECT * FROM an_create('CREATE TABLE IF NOT EXISTS an_t (id serial)');
SELECT * FROM an_create('CREATE TABLE IF NOT EXISTS an_new (id int)');
SELECT * FROM an_create('CREATE TABLE an_t (id int)');
SELECT * FROM an_create('CREATE TEMP TABLE IF NOT EXISTS an_t (id int)');
SELECT * FROM an_create('CREATE UNIQUE INDEX IF NOT EXISTS an_t_note_idx ON an_t (note)');
SELECT * FROM an_create('CREATE INDEX IF NOT EXISTS an_t_code_key ON an_t (code)');
SELECT * FROM an_create('CREATE INDEX IF NOT EXISTS an_t_new_idx ON an_t (code)');
-- scripts: a statement that may take the name away first (a DROP, ALTER TABLE ... DROP
-- CONSTRAINT of the constraint whose index has it, ALTER COLUMN TYPE, which rebuilds
-- indexes, a RENAME): unknown; CREATEs, ALTER TABLE ... ADD COLUMN / SET NOT NULL: known
SELECT * FROM an_create('CREATE TABLE an_new (id int); ALTER TABLE an_other ADD COLUMN z int, ALTER COLUMN y SET NOT NULL; CREATE INDEX IF NOT EXISTS an_t_note_idx ON an_t (note)');
SELECT * FROM an_create('ALTER TABLE an_t DROP CONSTRAINT IF EXISTS an_t_code_key; CREATE UNIQUE INDEX IF NOT EXISTS an_t_code_key ON an_t (code)');
SELECT * FROM an_create('ALTER TABLE an_t ALTER COLUMN note TYPE varchar(200); CREATE INDEX IF NOT EXISTS an_t_note_idx ON an_t (note)');
SELECT * FROM an_create('DROP INDEX an_t_note_idx; CREATE INDEX IF NOT EXISTS an_t_note_idx ON an_t (note)');
SELECT * FROM an_create('ALTER TABLE an_t RENAME TO an_t_old; CREATE TABLE IF NOT EXISTS an_t (id int)');

-- 2. the old type of ALTER COLUMN ... TYPE, and type_widened, against what PostgreSQL rewrites
SET dbchange.enforce = off;
CREATE TABLE an_w (v50 varchar(50), v50b varchar(50), vtext varchar(20), v varchar, n102 numeric(10,2),
                   n102b numeric(10,2), n102c numeric(10,2), ts3 timestamp(3), arr varchar(50)[], c5 char(5),
                   i int);
INSERT INTO an_w VALUES ('a', 'b', 'c', 'd', 1.5, 2.5, 3.5, now(), '{x}', 'e', 1);
RESET dbchange.enforce;
CREATE FUNCTION an_widen(sql text)
RETURNS TABLE (old_type text, old_typmods text, old_is_array text, new_type text, type_widened text,
               rewrites_fact text, rewrote boolean)
LANGUAGE plpgsql AS $$
DECLARE
  f jsonb;
  fn0 oid;
BEGIN
  SELECT e.facts->'subcommands'->0 INTO f FROM dbchange.evaluate(sql, 'prod', 'migration') e;
  SELECT relfilenode INTO fn0 FROM pg_class WHERE relname = 'an_w';
  EXECUTE sql;
  RETURN QUERY SELECT f->>'old_type', f->>'old_typmods', f->>'old_is_array', f->>'type' || (f->>'typmods'),
    f->>'type_widened', f->>'rewrites_table', (SELECT relfilenode FROM pg_class WHERE relname = 'an_w') <> fn0;
END $$;
SET dbchange.enforce = off;
SELECT * FROM an_widen('ALTER TABLE an_w ALTER COLUMN v50 TYPE varchar(100)');
SELECT * FROM an_widen('ALTER TABLE an_w ALTER COLUMN vtext TYPE text');
SELECT * FROM an_widen('ALTER TABLE an_w ALTER COLUMN v TYPE text');
SELECT * FROM an_widen('ALTER TABLE an_w ALTER COLUMN n102 TYPE numeric(12,2)');
SELECT * FROM an_widen('ALTER TABLE an_w ALTER COLUMN n102c TYPE numeric');
SELECT * FROM an_widen('ALTER TABLE an_w ALTER COLUMN ts3 TYPE timestamp(6)');
-- real changes: a scale changed, a shorter varchar, a longer char (padded), another type; and
-- USING, which rewrites_table counts as a rewrite (PostgreSQL skips it for a bare USING col)
SELECT * FROM an_widen('ALTER TABLE an_w ALTER COLUMN n102b TYPE numeric(12,4)');
SELECT * FROM an_widen('ALTER TABLE an_w ALTER COLUMN v50b TYPE varchar(20)');
SELECT * FROM an_widen('ALTER TABLE an_w ALTER COLUMN c5 TYPE char(10)');
SELECT * FROM an_widen('ALTER TABLE an_w ALTER COLUMN i TYPE bigint');
SELECT * FROM an_widen('ALTER TABLE an_w ALTER COLUMN v50 TYPE varchar(200) USING v50');
-- an array of varchar widened: PostgreSQL rewrites it (the element length check is a function)
SELECT * FROM an_widen('ALTER TABLE an_w ALTER COLUMN arr TYPE varchar(100)[]');
RESET dbchange.enforce;
-- null when the catalog may not show the column as it will be (an earlier statement about the table)
SELECT e.statement_no, s->>'old_type' AS old_type, s->>'old_typmods' AS old_typmods, s->>'type_widened' AS type_widened
  FROM dbchange.evaluate('ALTER TABLE an_w ALTER COLUMN v50 TYPE int USING 0; ALTER TABLE an_w ALTER COLUMN v50 TYPE varchar(300)',
                         'prod', 'migration') e, jsonb_array_elements(e.facts->'subcommands') s ORDER BY 1;

-- 3. drops_nothing after an ALTER TABLE that only drops: known; one that may make the name: unknown
CREATE FUNCTION an_drop(sql text) RETURNS TABLE (statement_no int, drops_nothing text)
LANGUAGE sql AS $$
  SELECT e.statement_no, e.facts->>'drops_nothing' FROM dbchange.evaluate(sql, 'prod', 'migration') e
   WHERE e.command = 'DROP INDEX' $$;
SELECT * FROM an_drop('ALTER TABLE an_t DROP CONSTRAINT IF EXISTS an_gone; DROP INDEX IF EXISTS an_gone');
SELECT * FROM an_drop('ALTER TABLE an_t DROP COLUMN IF EXISTS zz, ALTER COLUMN note DROP DEFAULT, ALTER COLUMN note DROP NOT NULL; DROP INDEX IF EXISTS an_gone');
SELECT * FROM an_drop('ALTER TABLE an_t ADD CONSTRAINT an_gone UNIQUE (note); DROP INDEX IF EXISTS an_gone');
SELECT * FROM an_drop('ALTER TABLE an_t DROP CONSTRAINT IF EXISTS x, ADD COLUMN s serial; DROP INDEX IF EXISTS an_gone');
SELECT * FROM an_drop('ALTER TABLE an_t ALTER COLUMN note SET DEFAULT ''x''; DROP INDEX IF EXISTS an_gone');
SELECT * FROM an_drop('ALTER TABLE an_t ADD CONSTRAINT an_gone UNIQUE USING INDEX an_t_note_idx; DROP INDEX IF EXISTS an_gone');

-- The stock checks in prod: nothing about the no-ops, the same findings about real changes
\set src `cat lua_policies/table_rewrites.lua`
SELECT dbchange.set_policy('table_rewrites', :'src');
\set src `cat lua_policies/column_types.lua`
SELECT dbchange.set_policy('column_types', :'src');
\set src `cat lua_policies/column_changes.lua`
SELECT dbchange.set_policy('column_changes', :'src');
\set src `cat lua_policies/safe_constraints.lua`
SELECT dbchange.set_policy('safe_constraints', :'src');
\set src `cat lua_policies/index_locking.lua`
SELECT dbchange.set_policy('index_locking', :'src');
\set src `cat lua_policies/table_design.lua`
SELECT dbchange.set_policy('table_design', :'src');
\set src `cat lua_policies/destructive_changes.lua`
SELECT dbchange.set_policy('destructive_changes', :'src');
SELECT v.n, e.action, e.risk, e.reasons FROM (VALUES
  (1, 'ALTER TABLE an_t ADD COLUMN IF NOT EXISTS note uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE REFERENCES an_other (id) ON DELETE CASCADE'),
  (2, 'ALTER TABLE an_t ADD COLUMN IF NOT EXISTS note int GENERATED ALWAYS AS (id * 2) STORED'),
  (3, 'ALTER TABLE an_t ADD COLUMN IF NOT EXISTS extra int GENERATED ALWAYS AS (id * 2) STORED'),
  (4, 'CREATE TABLE IF NOT EXISTS an_t (id serial, at timestamp)'),
  (5, 'CREATE UNIQUE INDEX IF NOT EXISTS an_t_note_idx ON an_t (note)'),
  (6, 'CREATE UNIQUE INDEX IF NOT EXISTS an_t_note_key ON an_t (note)'),
  (7, 'ALTER TABLE an_w ALTER COLUMN v50 TYPE varchar(400)'),
  (8, 'ALTER TABLE an_w ALTER COLUMN n102 TYPE numeric(14,2)'),
  (9, 'ALTER TABLE an_w ALTER COLUMN n102 TYPE numeric(14,4)'),
  (10, 'ALTER TABLE an_w ALTER COLUMN c5 TYPE text')) v(n, sql),
  LATERAL dbchange.evaluate(v.sql, 'prod') e ORDER BY v.n;
SELECT statement_no, action, risk, reasons FROM dbchange.evaluate($$
ALTER TABLE an_t DROP CONSTRAINT IF EXISTS an_gone_key;
DROP INDEX IF EXISTS an_gone_key$$, 'prod', 'migration') ORDER BY 1;

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_classify_corpus_noops;
