-- rewrites_table of ALTER COLUMN ... TYPE in a script judged whole (regress/corpus.sh,
-- rust-lang/crates.io: one migration converts 22 timestamp columns of 14 tables to
-- timestamptz after SET timezone = 'UTC').
--
-- 1. timestamp <-> timestamptz rewrites nothing only under a TimeZone of offset 0, and
--    the TimeZone the statement runs with is the one the script's own SET left, not the
--    evaluating session's.  (pg_regress runs the session in PST8PDT.)
-- 2. An earlier type change of another table's column counts as harmless when its cast
--    is PostgreSQL's own and the indexes it may rebuild and the CHECKs it re-checks call
--    only PostgreSQL's own immutable C functions -- a partial index WHERE NOT deleted, an
--    index on lower(a) no longer make every later "no rewrite" unknown -- but not with a
--    function of someone's in an index or a CHECK, nor through a cast someone created.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_classify_retype_scripts;
CREATE DATABASE regress_classify_retype_scripts;
\c regress_classify_retype_scripts
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
SET dbchange.enforce = off;
CREATE TABLE tz_t (id int, a timestamp, b timestamptz);
INSERT INTO tz_t VALUES (1, '2024-01-01 12:00', '2024-01-01 12:00');
RESET dbchange.enforce;
-- the rewrites_table fact of the last statement's first subcommand
CREATE FUNCTION rw(sql text) RETURNS text LANGUAGE sql AS $$
  SELECT e.facts->'subcommands'->0->>'rewrites_table'
    FROM dbchange.evaluate(sql, 'prod', 'migration') e ORDER BY e.statement_no DESC LIMIT 1 $$;

-- 1. the script's TimeZone
SHOW timezone;
SELECT v.label, rw(v.sql) AS rewrites
  FROM (VALUES
    ('alone (PST8PDT)', 'ALTER TABLE tz_t ALTER a TYPE timestamptz'),
    ('SET timezone = UTC', 'SET timezone = ''UTC''; ALTER TABLE tz_t ALTER a TYPE timestamptz'),
    ('SET TIME ZONE Etc/UTC, back', 'SET TIME ZONE ''Etc/UTC''; ALTER TABLE tz_t ALTER b TYPE timestamp'),
    ('SET LOCAL timezone = UTC', 'SET LOCAL timezone = ''UTC''; ALTER TABLE tz_t ALTER a TYPE timestamptz'),
    ('UTC, then a zone with DST', 'SET timezone = ''UTC''; SET timezone = ''Europe/Berlin''; ALTER TABLE tz_t ALTER a TYPE timestamptz'),
    ('SET LOCAL, then COMMIT', 'BEGIN; SET LOCAL timezone = ''UTC''; COMMIT; ALTER TABLE tz_t ALTER a TYPE timestamptz'),
    ('UTC, then RESET', 'SET timezone = ''UTC''; RESET timezone; ALTER TABLE tz_t ALTER a TYPE timestamptz'),
    ('UTC, then RESET ALL', 'SET timezone = ''UTC''; RESET ALL; ALTER TABLE tz_t ALTER a TYPE timestamptz'),
    ('UTC, then code', 'SET timezone = ''UTC''; DO $d$ BEGIN PERFORM set_config(''timezone'', ''America/New_York'', false); END $d$; ALTER TABLE tz_t ALTER a TYPE timestamptz'),
    ('a numeric offset (unknown)', 'SET TIME ZONE 0; ALTER TABLE tz_t ALTER a TYPE timestamptz'),
    ('an unknown zone', 'SET timezone = ''No/Such_Zone''; ALTER TABLE tz_t ALTER a TYPE timestamptz')
  ) AS v(label, sql);
SET timezone = 'UTC';
SELECT v.label, rw(v.sql) AS rewrites
  FROM (VALUES
    ('alone (UTC)', 'ALTER TABLE tz_t ALTER a TYPE timestamptz'),
    ('SET timezone = America/New_York', 'SET timezone = ''America/New_York''; ALTER TABLE tz_t ALTER a TYPE timestamptz'),
    ('SET timezone = DEFAULT', 'SET timezone = DEFAULT; ALTER TABLE tz_t ALTER a TYPE timestamptz'),
    ('SET TIME ZONE LOCAL', 'SET TIME ZONE LOCAL; ALTER TABLE tz_t ALTER a TYPE timestamptz')
  ) AS v(label, sql);
RESET timezone;
-- what PostgreSQL 15 does: a new relfilenode under New York, the same one under UTC
SET dbchange.enforce = off;
BEGIN;
SELECT pg_relation_filenode('tz_t') AS n0 \gset
SET LOCAL timezone = 'America/New_York';
ALTER TABLE tz_t ALTER a TYPE timestamptz;
SELECT pg_relation_filenode('tz_t') <> :n0 AS rewritten_new_york;
SELECT pg_relation_filenode('tz_t') AS n1 \gset
SET LOCAL timezone = 'UTC';
ALTER TABLE tz_t ALTER a TYPE timestamp;
SELECT pg_relation_filenode('tz_t') <> :n1 AS rewritten_utc;
ROLLBACK;
RESET dbchange.enforce;

-- 2. earlier type changes of other tables' columns
SET dbchange.enforce = off;
CREATE FUNCTION rt_g(int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS
  $f$ BEGIN RAISE NOTICE 'rt_g(%)', $1; RETURN $1; END $f$;
CREATE FUNCTION rt_f(text) RETURNS bool LANGUAGE plpgsql AS
  $f$ BEGIN RAISE NOTICE 'rt_f(%)', $1; RETURN true; END $f$;
CREATE FUNCTION rt_cast(date) RETURNS int4 LANGUAGE sql IMMUTABLE AS $f$ SELECT 0 $f$;
CREATE CAST (date AS int4) WITH FUNCTION rt_cast(date) AS ASSIGNMENT;
CREATE TABLE rt_t (id int, name varchar(100));
CREATE TABLE rt_p (id int, a varchar(10), b varchar(10), deleted bool);
CREATE INDEX rt_p_live ON rt_p (id) WHERE NOT deleted;
CREATE INDEX rt_p_lower ON rt_p (lower(a));
CREATE TABLE rt_c2 (id int, a varchar(10) CHECK (length(a) < 100));
CREATE TABLE rt_u (id int, a varchar(10));
CREATE INDEX rt_u_g ON rt_u (rt_g(id));
CREATE TABLE rt_c (id int, a varchar(10) CHECK (rt_f(a)));
CREATE TABLE rt_cv (id int, a varchar(10) CHECK (query_to_xml('select 1', true, true, '') IS NOT NULL));
CREATE TABLE rt_d (id int, d timestamp);
CREATE TABLE rt_d2 (id int, d date);
CREATE TABLE rt_par (id int, a varchar(10));
CREATE TABLE rt_kid () INHERITS (rt_par);
CREATE INDEX rt_kid_g ON rt_kid (rt_g(id));
INSERT INTO rt_u VALUES (1, 'x');
INSERT INTO rt_c VALUES (1, 'x');
RESET dbchange.enforce;
SELECT v.label, rw(v.sql || '; ALTER TABLE rt_t ALTER name TYPE varchar(200)') AS rewrites
  FROM (VALUES
    ('partial index, lower(a)', 'ALTER TABLE rt_p ALTER a TYPE varchar(20), ALTER b TYPE varchar(20)'),
    ('two columns, two statements', 'ALTER TABLE rt_p ALTER a TYPE varchar(20); ALTER TABLE rt_p ALTER b TYPE varchar(20)'),
    ('a built-in CHECK', 'ALTER TABLE rt_c2 ALTER a TYPE varchar(20)'),
    ('someone''s function in an index', 'ALTER TABLE rt_u ALTER a TYPE varchar(20)'),
    ('someone''s function in a CHECK', 'ALTER TABLE rt_c ALTER a TYPE varchar(20)'),
    ('a volatile built-in in a CHECK', 'ALTER TABLE rt_cv ALTER a TYPE varchar(20)'),
    ('a cast someone created', 'ALTER TABLE rt_d2 ALTER d TYPE int4'),
    ('retyped twice (date, then int4)', 'ALTER TABLE rt_d ALTER d TYPE date; ALTER TABLE rt_d ALTER d TYPE int4'),
    ('a child''s index', 'ALTER TABLE rt_par ALTER a TYPE varchar(20)'),
    ('a table the script makes', 'CREATE TABLE rt_new (a varchar(10)); ALTER TABLE rt_new ALTER a TYPE varchar(20)')
  ) AS v(label, sql)
UNION ALL
SELECT 'alone', rw('ALTER TABLE rt_t ALTER name TYPE varchar(200)');
-- what PostgreSQL 15 runs: the CHECK's function on a widening (no rewrite), the
-- index's function on a narrowing (a rewrite), not on a widening
SET dbchange.enforce = off;
SET client_min_messages = notice;
BEGIN;
ALTER TABLE rt_c ALTER a TYPE varchar(20);
ALTER TABLE rt_u ALTER a TYPE varchar(5);
ALTER TABLE rt_u ALTER a TYPE varchar(20);
ROLLBACK;
SET client_min_messages = warning;
RESET dbchange.enforce;

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_classify_retype_scripts;
