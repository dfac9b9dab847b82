-- The classifier: size estimates, objects that do not exist, schema resolution,
-- multi-statement scripts, DO bodies, context facts, privileges.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_classify_sizes;
CREATE DATABASE regress_classify_sizes;
\c regress_classify_sizes
SET client_min_messages = warning;
CREATE EXTENSION dbchange;

-- a table never analysed: rows estimated from its size as the planner does, by the average
-- widths of the column types (4 + 32 bytes of data a row where there are about 105 here, so
-- too many; more in classify_row_estimate), bytes from its files
CREATE TABLE big (id int PRIMARY KEY, pad text);
INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 5000) g;
SELECT f->'table_rows' AS rows, f->'table_rows_estimated' AS estimated,
       (f->>'table_bytes')::bigint > 500000 AS bytes_measured
FROM dbchange.classify('ALTER TABLE big ADD c int') f;
-- after ANALYZE: the row estimate, and bytes match pg_relation_size (+ TOAST)
ANALYZE big;
SELECT (f->>'table_rows')::bigint AS rows,
       (f->>'table_bytes')::bigint = pg_relation_size('big')
         + coalesce(pg_relation_size((SELECT reltoastrelid FROM pg_class WHERE oid = 'big'::regclass)), 0)
         AS bytes_match
FROM dbchange.classify('CREATE INDEX ON big (pad)') f;
-- the same for statements on a column or constraint of the table (sizes taken
-- from the table's lookup, not looked up again)
SELECT f->>'command' AS command, f->>'table' AS tab, (f->>'table_rows')::bigint AS rows,
       (f->>'table_bytes')::bigint = pg_relation_size('big')
         + coalesce(pg_relation_size((SELECT reltoastrelid FROM pg_class WHERE oid = 'big'::regclass)), 0)
         AS bytes_match
FROM dbchange.classify($$ALTER TABLE big RENAME COLUMN pad TO pad2; COMMENT ON COLUMN big.pad IS 'x';
CREATE UNIQUE INDEX big_pad ON public.big (pad); ALTER TABLE big RENAME CONSTRAINT big_pkey TO big_pk$$) f;
-- an empty table: zero bytes, so zero rows (never analysed: estimated from its size)
CREATE TABLE empty_t (id int);
SELECT f->'table_rows' AS rows, f->'table_rows_estimated' AS estimated, f->'table_bytes' AS bytes
FROM dbchange.classify('ALTER TABLE empty_t ADD c int') f;
-- per object and summed for lists
SELECT f->'table_rows' AS rows, (f->'objects'->0->>'rows')::bigint AS rows_big,
       f->'objects'->1->'rows' AS rows_missing, f->'objects'->1->'exists' AS exists_missing
FROM dbchange.classify('TRUNCATE big, nosuch') f;
-- an index: its own size in objects, the indexed table in table_rows/table_bytes
SELECT f->>'table' AS tab, (f->>'table_rows')::bigint AS rows,
       (f->'objects'->0->>'bytes')::bigint = pg_relation_size('big_pkey') AS index_bytes_match
FROM dbchange.classify('DROP INDEX big_pkey') f;

-- partitioned tables: the sum over their partitions
CREATE TABLE part (id int, v text) PARTITION BY RANGE (id);
CREATE TABLE part_1 PARTITION OF part FOR VALUES FROM (0) TO (1000);
CREATE TABLE part_2 PARTITION OF part FOR VALUES FROM (1000) TO (2000) PARTITION BY RANGE (id);
CREATE TABLE part_2a PARTITION OF part_2 FOR VALUES FROM (1000) TO (2000);
INSERT INTO part SELECT g, 'v' FROM generate_series(0, 1999) g;
ANALYZE part;
SELECT (f->>'table_rows')::bigint AS rows,
       (f->>'table_bytes')::bigint = pg_relation_size('part_1') + pg_relation_size('part_2a') AS bytes_sum
FROM dbchange.classify('ALTER TABLE part ADD COLUMN w int DEFAULT random()') f;
-- CREATE TABLE ... PARTITION OF: the parent's sizes and lock
SELECT f->>'table' AS tab, (f->>'table_rows')::bigint AS rows, f->>'lock' AS lock
FROM dbchange.classify('CREATE TABLE part_3 PARTITION OF part FOR VALUES FROM (2000) TO (3000)') f;

-- objects that do not exist: never an error, exists false, sizes null
SELECT f->>'command' AS command, f->>'identity' AS identity, f->'exists' AS exists,
       f->'table_rows' AS rows, f->'table_bytes' AS bytes, f->'rewrites_table' AS rewrites
FROM dbchange.classify($$
ALTER TABLE nosuch ALTER c TYPE bigint;
DROP TABLE nosuch_schema.t;
CREATE INDEX ON nosuch_schema.t (a);
ALTER TABLE otherdb.public.t ADD c int;
DROP FUNCTION nosuch_f(int);
DROP TYPE nosuch_schema.ty;
DROP SCHEMA nosuch_schema;
DROP ROLE nosuch_role;
DROP EXTENSION nosuch_ext;
$$) f;

-- schema resolution: explicit, found on the search_path, or where it would be created
CREATE SCHEMA app;
CREATE TABLE app.orders (id int);
CREATE FUNCTION app.fn() RETURNS int LANGUAGE sql AS 'select 1';
CREATE TYPE app.color AS ENUM ('red');
SET search_path = app, public;
SELECT f->>'identity' AS identity, f->'exists' AS exists
FROM dbchange.classify($$ALTER TABLE orders ADD c int; ALTER TABLE big ADD c int; CREATE TABLE fresh (a int);
DROP FUNCTION fn(); DROP TYPE color; CREATE TEMP TABLE tmp (a int)$$) f;
SET search_path = nosuch_schema;
SELECT f->>'identity' AS identity, f->>'schema' AS schema FROM dbchange.classify('CREATE TABLE lost (a int)') f;
RESET search_path;
-- an unqualified name resolves as PostgreSQL resolves it: pg_catalog first
-- unless the path places it, this session's temporary schema first unless
-- the path places it
CREATE TABLE public.pg_am (a int);
SELECT f->>'identity' AS identity, f->'exists' AS exists FROM dbchange.classify('ALTER TABLE pg_am ADD b int') f;
SET search_path = public, pg_catalog;
SELECT f->>'identity' AS identity, f->'exists' AS exists FROM dbchange.classify('ALTER TABLE pg_am ADD b int') f;
RESET search_path;
DROP TABLE public.pg_am;
CREATE TABLE public.shadowed (a int);
INSERT INTO public.shadowed SELECT generate_series(1, 1000);
ANALYZE public.shadowed;
CREATE TEMP TABLE shadowed (a int);
SELECT f->>'schema' LIKE 'pg_temp%' AS temp_first, f->'table_rows' AS rows FROM dbchange.classify('ALTER TABLE shadowed ADD b int') f;
SET search_path = public, pg_temp;
SELECT f->>'schema' AS schema, f->'table_rows' AS rows FROM dbchange.classify('ALTER TABLE shadowed ADD b int') f;
RESET search_path;
DROP TABLE public.shadowed;
-- classifying does not create the temporary schema a path names first
\c
SET client_min_messages = warning;
SET search_path = pg_temp, public;
SELECT f->>'identity' AS identity, f->'exists' AS exists
FROM dbchange.classify('ALTER TABLE big ADD c int; ALTER TABLE nosuch ADD c int') f;
SELECT pg_my_temp_schema() = 0 AS no_temp_schema;
RESET search_path;

-- multi-statement strings: one row per statement, each with its own exact text
SELECT f->>'statement' AS statement, f->>'command' AS command
FROM dbchange.classify($$CREATE TABLE m1 (id int);  ALTER TABLE m1 ADD b int ;
-- a comment
COMMENT ON TABLE m1 IS 'a;b'; DROP TABLE m1$$) f;
SELECT count(*) AS empty_script FROM dbchange.classify('  ;  ');

-- DO blocks and function bodies are not descended into: one statement
SELECT f->>'command' AS command, f->'operations' AS ops, f->'destructive' AS destructive,
       f->>'statement' AS statement
FROM dbchange.classify($q$DO $b$ BEGIN EXECUTE 'DROP TABLE big'; END $b$;
CREATE FUNCTION g() RETURNS void LANGUAGE plpgsql AS $b$ BEGIN DROP TABLE big; END $b$$q$) f;

-- a syntax error names the line
\set VERBOSITY default
SELECT * FROM dbchange.classify($$CREATE TABLE ok (a int);
CREATE TABLE bad (a int$$);
\set VERBOSITY terse
SELECT * FROM dbchange.classify(NULL);

-- classify runs nothing
SELECT count(*) FROM dbchange.classify('DROP TABLE big; TRUNCATE part');
SELECT count(*) AS big_rows FROM big;

-- context facts come with every statement; the document is one jsonb object per statement
SELECT f->>'environment' AS environment, f->>'user' AS "user", f->>'dialect' AS dialect,
       f->>'source' AS source, f->'in_transaction_block' AS in_tx, f->>'database' AS database,
       jsonb_typeof(f->'roles') AS roles, jsonb_typeof(f->'epoch') AS epoch
FROM dbchange.classify('CREATE TABLE x (a int)') f;

-- any user may classify, also statements about objects they cannot see or use
CREATE ROLE regress_classify_nobody;
CREATE SCHEMA secret;
CREATE TABLE secret.t (a int);
REVOKE ALL ON SCHEMA secret FROM PUBLIC;
SET ROLE regress_classify_nobody;
SELECT f->>'identity' AS identity, f->'exists' AS exists, f->'operations' AS ops,
       f->'default_volatile' AS volatile
FROM dbchange.classify($$DROP TABLE secret.t; ALTER TABLE secret.t ADD c int DEFAULT secret.fn()$$) f;
RESET ROLE;
DROP TABLE secret.t;
DROP SCHEMA secret;
DROP ROLE regress_classify_nobody;
