-- Row estimates (docs/facts.md, table_rows, table_rows_estimated): pg_class.reltuples is -1
-- until a table's first VACUUM or ANALYZE, so the rows are estimated from the size of the
-- table's data files as the planner estimates them -- but a table with no pages has no rows
-- (the planner assumes 10 pages).  The stock size checks judge such a table by its estimate: a
-- bulk-loaded table far under the bytes threshold but over the rows one is large.  A count is
-- scaled to the table's present size, and a count of 0 with pages now is estimated from them.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_row_estimate;
CREATE DATABASE regress_row_estimate;
\c regress_row_estimate
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse

-- The planner's row estimate for a whole table (EXPLAIN's "Plan Rows").
CREATE FUNCTION plan_rows(tab text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  plan json;
BEGIN
  EXECUTE format('EXPLAIN (FORMAT JSON) SELECT * FROM %s', tab) INTO plan;
  RETURN (plan->0->'Plan'->>'Plan Rows')::bigint;
END $$;

-- A bulk load of narrow rows, a few MB: far under the stock 100 MB, over 100,000 rows.
-- Autovacuum is off for these tables so that nothing analyses them behind the test's back.
CREATE TABLE loaded (id int, n int) WITH (autovacuum_enabled = false);
INSERT INTO loaded SELECT g, g FROM generate_series(1, 150000) g;
CREATE TABLE empty_t (id int, n int) WITH (autovacuum_enabled = false);
CREATE TABLE few (id int, v text) WITH (autovacuum_enabled = false);
INSERT INTO few SELECT g, 'v' || g FROM generate_series(1, 1000) g;
SELECT relname, reltuples, relpages FROM pg_class
 WHERE relname IN ('loaded', 'empty_t', 'few') ORDER BY relname;

-- The estimate is the planner's for a table of more than 10 pages, and flagged.
SELECT (f->>'table_rows')::bigint AS rows, f->'table_rows_estimated' AS estimated,
       (f->>'table_rows')::bigint = plan_rows('loaded') AS as_planner,
       (f->>'table_bytes')::bigint < 100 * 1024 * 1024 AS under_bytes_threshold
  FROM dbchange.classify('CREATE INDEX ON loaded (id)') f;
-- A table of a few pages: estimated from those pages (no 10-page floor).
SELECT (f->>'table_rows')::bigint > 0 AS has_rows, f->'table_rows_estimated' AS estimated,
       (f->>'table_rows')::bigint < plan_rows('few') AS under_planner_floor
  FROM dbchange.classify('CREATE INDEX ON few (id)') f;
-- An empty new table has no rows, not 10 pages' worth (the planner would guess some).
SELECT f->'table_rows' AS rows, f->'table_rows_estimated' AS estimated, f->'table_bytes' AS bytes,
       plan_rows('empty_t') > 0 AS planner_guesses_rows
  FROM dbchange.classify('CREATE INDEX ON empty_t (id)') f;

-- Lists: each object's rows and whether they are estimated; the sum is estimated if any part is.
SELECT o->>'name' AS name, (o->>'rows')::bigint > 0 AS has_rows, o->'rows_estimated' AS estimated,
       f->'table_rows_estimated' AS sum_estimated
  FROM dbchange.classify('TRUNCATE loaded, empty_t, nosuch') f, jsonb_array_elements(f->'objects') o;

-- Partitions: table_rows sums them, the estimated ones flagged, as are the descendants' rows
-- and total_rows.
CREATE TABLE parted (id int, n int) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100000)
  WITH (autovacuum_enabled = false);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (100000) TO (200000)
  WITH (autovacuum_enabled = false);
INSERT INTO parted SELECT g, g FROM generate_series(1, 5000) g;
INSERT INTO parted SELECT g, g FROM generate_series(100000, 100999) g;
ANALYZE parted_2;
SELECT (f->>'table_rows')::bigint = plan_rows('ONLY parted_1') + 1000 AS sum_of_partitions,
       f->'table_rows_estimated' AS estimated,
       f->'total_rows' = f->'table_rows' AS total_is_table, f->'total_rows_estimated' AS total_estimated
  FROM dbchange.classify('CREATE INDEX ON parted (id)') f;
SELECT d->>'name' AS partition, d->'rows' AS rows, d->'rows_estimated' AS estimated
  FROM dbchange.classify('CREATE INDEX ON parted (id)') f, jsonb_array_elements(f->'descendants') d
 ORDER BY 1;

-- Analysed: reltuples, no longer estimated.
ANALYZE few;
SELECT f->'table_rows' AS rows, f->'table_rows_estimated' AS estimated
  FROM dbchange.classify('CREATE INDEX ON few (id)') f;

-- The stock policies judge the loaded table as large.
\set src `cat lua_policies/index_locking.lua`
SELECT dbchange.set_policy('index_locking', :'src') LIKE '%created%' AS loaded;
\set src `cat lua_policies/table_rewrites.lua`
SELECT dbchange.set_policy('table_rewrites', :'src') LIKE '%created%' AS loaded;
\set src `cat lua_policies/safe_constraints.lua`
SELECT dbchange.set_policy('safe_constraints', :'src') LIKE '%created%' AS loaded;
\set src `cat lua_policies/column_changes.lua`
SELECT dbchange.set_policy('column_changes', :'src') LIKE '%created%' AS loaded;
SELECT statement_no, action, risk, array_to_string(reasons, ' | ') AS reasons,
       facts->'table_rows_estimated' AS estimated
  FROM dbchange.evaluate($$CREATE INDEX loaded_id ON loaded (id);
ALTER TABLE loaded ALTER COLUMN n TYPE bigint;
ALTER TABLE loaded ADD CONSTRAINT loaded_n CHECK (n > 0);
CREATE INDEX few_id ON few (id);
CREATE INDEX empty_id ON empty_t (id)$$, 'prod')
 ORDER BY statement_no;
-- At the gate in prod: the index build on the loaded table is queued (ZC001), on the empty one
-- it runs.
SELECT key, value FROM dbchange.configure(environment => 'prod') WHERE key = 'environment';
\set VERBOSITY sqlstate
CREATE INDEX loaded_id ON loaded (id);
\set VERBOSITY terse
CREATE INDEX empty_id ON empty_t (id);
SELECT to_regclass('loaded_id') IS NULL AS not_built, to_regclass('empty_id') IS NOT NULL AS built;
SELECT command, action, risk, (facts->>'table_rows')::bigint > 100000 AS large,
       facts->'table_rows_estimated' AS estimated
  FROM dbchange.change_statement WHERE statement LIKE 'CREATE INDEX%' ORDER BY change_id;

-- Counted while empty, then loaded: a VACUUM (or ANALYZE) of the empty table sets reltuples
-- to 0, which says nothing of the rows loaded since.  As the planner does, the rows come from
-- the size (flagged as estimated), and the next index build on it in prod is queued.
VACUUM empty_t;
SELECT relname, reltuples, relpages FROM pg_class WHERE relname = 'empty_t';
INSERT INTO empty_t SELECT g, g FROM generate_series(1, 150000) g;
SELECT (f->>'table_rows')::bigint AS rows, f->'table_rows_estimated' AS estimated,
       (f->>'table_rows')::bigint = plan_rows('empty_t') AS as_planner
  FROM dbchange.classify('CREATE INDEX ON empty_t (n)') f;
\set VERBOSITY sqlstate
CREATE INDEX empty_n ON empty_t (n);
\set VERBOSITY terse
SELECT to_regclass('empty_n') IS NULL AS not_built;

-- Counted with rows, then grown twentyfold: the count scaled to the present size, as the
-- planner scales it (the statistics' density, so not flagged as estimated).
SELECT relname, reltuples, relpages FROM pg_class WHERE relname = 'few';
INSERT INTO few SELECT g, 'v' || g FROM generate_series(1001, 20000) g;
SELECT (f->>'table_rows')::bigint > 15000 AS grown, f->'table_rows_estimated' AS estimated,
       (f->>'table_rows')::bigint = plan_rows('few') AS as_planner
  FROM dbchange.classify('CREATE INDEX ON few (v)') f;
-- and shrunk back (VACUUM truncates the emptied pages and counts again): the new count
DELETE FROM few WHERE id > 1000;
VACUUM few;
SELECT (f->>'table_rows')::bigint AS rows, f->'table_rows_estimated' AS estimated
  FROM dbchange.classify('CREATE INDEX ON few (v)') f;
