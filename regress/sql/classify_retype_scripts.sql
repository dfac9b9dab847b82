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
-- 5. A type change that rewrites a table validates its foreign keys again, and those
--    referencing it: a cast someone created in a key's comparison runs for every row
--    (an earlier rule missed it).
-- 6. The type facts (type_widened, type_unchanged, old_type) take the same earlier type
--    changes as harmless, of other tables (frain-dev/convoy widens the VARCHAR(26) ids of a
--    dozen tables referencing one another, statement after statement) and of other columns
--    of the same table (dani-garcia/vaultwarden).
-- 5. USING the column, as it is or cast to the new type, converts as without USING
--    (frain-dev/convoy: ALTER COLUMN project_id TYPE VARCHAR USING project_id::VARCHAR).
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

-- 3. red team (docs/security.md, "Rewrites judged from a TimeZone or a type"):
--    statements that run code without being DML or a query -- a TRUNCATE trigger,
--    ALTER DOMAIN ... ADD CONSTRAINT, a column default, ANALYZE / CLUSTER / REINDEX /
--    VACUUM (index expressions) -- may set the TimeZone (set_config) or alter the column
--    first; SET LOCAL lasts one statement when a script with CREATE INDEX CONCURRENTLY
--    runs statement by statement; building a GiST index on a range type someone made
--    calls its subtype_diff, in any language.  All "unknown", so counted as a rewrite.
SET dbchange.enforce = off;
CREATE FUNCTION rt_flip() RETURNS trigger LANGUAGE plpgsql AS
  $f$ BEGIN PERFORM set_config('timezone', 'America/New_York', false); RETURN NULL; END $f$;
CREATE FUNCTION rt_flip_int(int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS
  $f$ BEGIN PERFORM set_config('timezone', 'America/New_York', false); RETURN $1; END $f$;
CREATE TABLE rt_tr (id int);
CREATE TRIGGER rt_tr_flip AFTER TRUNCATE ON rt_tr FOR EACH STATEMENT EXECUTE FUNCTION rt_flip();
CREATE DOMAIN rt_dom AS int;
CREATE TABLE rt_domt (v rt_dom);
INSERT INTO rt_domt VALUES (1);
CREATE INDEX rt_u_id ON rt_u (id);
CREATE FUNCTION rt_diff(float8, float8) RETURNS float8 LANGUAGE plpgsql IMMUTABLE AS
  $f$ BEGIN RETURN $1 - $2; END $f$;
CREATE TYPE rt_frange AS RANGE (subtype = float8, subtype_diff = rt_diff);
CREATE TABLE rt_rg (id int, r rt_frange);
CREATE INDEX rt_rg_r ON rt_rg USING gist (r);
CREATE TYPE rt_mood AS ENUM ('calm', 'busy');
CREATE TABLE rt_en (id int, m rt_mood);
CREATE INDEX rt_en_m ON rt_en (m);
RESET dbchange.enforce;
SET timezone = 'America/New_York';
SELECT v.label, rw('SET timezone = ''UTC''; ' || v.sql || '; ALTER TABLE tz_t ALTER a TYPE timestamptz') AS rewrites
  FROM (VALUES
    ('a COMMENT between', 'COMMENT ON TABLE rt_t IS NULL'),
    ('a TRUNCATE (triggers)', 'TRUNCATE rt_tr'),
    ('ALTER DOMAIN ADD CONSTRAINT', 'ALTER DOMAIN rt_dom ADD CONSTRAINT k CHECK (rt_flip_int(VALUE) = VALUE)'),
    ('a default calling a function', 'ALTER TABLE rt_t ADD COLUMN z int DEFAULT rt_flip_int(1)'),
    ('ANALYZE', 'ANALYZE rt_u'),
    ('CLUSTER', 'CLUSTER rt_u USING rt_u_id'),
    ('REINDEX', 'REINDEX TABLE rt_u'),
    ('a plain type change of another table', 'ALTER TABLE rt_t ALTER name TYPE varchar(300)'),
    ('a constant default', 'ALTER TABLE rt_t ADD COLUMN z int DEFAULT 0')
  ) AS v(label, sql)
UNION ALL
SELECT 'SET LOCAL, one transaction', rw('SET LOCAL timezone = ''UTC''; ALTER TABLE tz_t ALTER a TYPE timestamptz')
UNION ALL
SELECT 'SET LOCAL, CONCURRENTLY', rw('SET LOCAL timezone = ''UTC''; CREATE INDEX CONCURRENTLY ON rt_t (id); ALTER TABLE tz_t ALTER a TYPE timestamptz')
UNION ALL
SELECT 'SET, CONCURRENTLY', rw('SET timezone = ''UTC''; CREATE INDEX CONCURRENTLY ON rt_t (id); ALTER TABLE tz_t ALTER a TYPE timestamptz');
RESET timezone;
SELECT v.label, rw(v.sql || '; ALTER TABLE rt_t ALTER name TYPE varchar(200)') AS rewrites
  FROM (VALUES
    ('VACUUM', 'VACUUM rt_u'),
    ('a TRUNCATE (triggers)', 'TRUNCATE rt_tr'),
    ('a GiST index on someone''s range type', 'ALTER TABLE rt_rg ALTER id TYPE bigint'),
    ('an index on an enum', 'ALTER TABLE rt_en ALTER id TYPE bigint')
  ) AS v(label, sql);
-- what PostgreSQL 15 does: the TRUNCATE trigger's set_config() outlives the TRUNCATE
SET dbchange.enforce = off;
SET timezone = 'UTC';
BEGIN;
TRUNCATE rt_tr;
SHOW timezone;
ROLLBACK;
RESET timezone;
RESET dbchange.enforce;

-- 4. when the change runs: a type change judged to rewrite nothing that PostgreSQL would
--    now rewrite is refused (ZC003) -- the TimeZone of the session that applies it, code
--    dbchange cannot see (here an event trigger on COMMENT; a developer's code elsewhere)
SELECT dbchange.configure(environment => 'prod');
SELECT dbchange.set_policy('rt_no_rewrite', $lua$
return {
  name = "rt_no_rewrite",
  description = "an ALTER TABLE that rewrites nothing is approved, one that does waits",
  check = function(c)
    if c.command ~= "ALTER TABLE" then return { action = "approve", risk = "low", reason = "not an ALTER TABLE" } end
    for _, s in ipairs(c.subcommands or {}) do
      if s.rewrites_table ~= false then return { action = "queue", risk = "high", reason = "rewrites " .. tostring(c.table) } end
    end
    return { action = "approve", risk = "low", reason = "rewrites nothing" }
  end,
  tests = { { sql = "CREATE TABLE t (id int)", environment = "prod", expect = "approve" } },
}
$lua$);
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rt27_dev') THEN CREATE ROLE rt27_dev LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rt27_appr') THEN CREATE ROLE rt27_appr LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rt27_depl') THEN CREATE ROLE rt27_depl LOGIN; END IF;
END $$;
GRANT dbchange_developer TO rt27_dev;
GRANT dbchange_approver TO rt27_appr;
GRANT dbchange_deployer TO rt27_depl;
SET dbchange.enforce = off;
CREATE TABLE rt_run (id int, a timestamp, b int);
INSERT INTO rt_run VALUES (1, '2024-01-01 12:00', 1);
ALTER TABLE rt_run OWNER TO rt27_dev;
CREATE FUNCTION rt_et_flip() RETURNS event_trigger LANGUAGE plpgsql AS
  $f$ BEGIN PERFORM set_config('timezone', 'America/New_York', false); END $f$;
CREATE EVENT TRIGGER rt_et ON ddl_command_start WHEN TAG IN ('COMMENT') EXECUTE FUNCTION rt_et_flip();
RESET dbchange.enforce;
SELECT pg_relation_filenode('rt_run') AS f0 \gset
-- judged under the script's SET timezone = 'UTC' and approved; the event trigger flips it
SET SESSION AUTHORIZATION rt27_dev;
SELECT dbchange.submit($s$SET timezone = 'UTC'; COMMENT ON TABLE public.rt_run IS 'x'; ALTER TABLE public.rt_run ALTER a TYPE timestamptz$s$, 'rt');
RESET SESSION AUTHORIZATION;
SELECT pg_relation_filenode('rt_run') = :f0 AS not_rewritten,
       (SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'rt_run'::regclass AND attname = 'a') AS a_type;
SET dbchange.enforce = off;
DROP EVENT TRIGGER rt_et;
RESET dbchange.enforce;
-- judged in a UTC session, queued for another statement, applied by a deployer in New York
SET SESSION AUTHORIZATION rt27_dev;
SET timezone = 'UTC';
SELECT dbchange.submit('ALTER TABLE public.rt_run ALTER a TYPE timestamptz; ALTER TABLE public.rt_run ALTER b TYPE bigint', 'rt') AS id \gset
RESET SESSION AUTHORIZATION;
SELECT (SELECT s.facts->'subcommands'->0->>'rewrites_table' FROM dbchange.change_statement s
         WHERE s.change_id = :id AND s.statement_no = 1) AS judged_rewrites;
SET SESSION AUTHORIZATION rt27_appr;
SELECT dbchange.approve(:id, 'rewrites only the small column');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION rt27_depl;
SET timezone = 'America/New_York';
SELECT dbchange.apply(:id);
RESET SESSION AUTHORIZATION;
SELECT status, error_sqlstate, error_message FROM dbchange.change WHERE id = :id;
SELECT pg_relation_filenode('rt_run') = :f0 AS not_rewritten;
-- the same, applied in a UTC session: runs, and rewrites for the bigint only
SET SESSION AUTHORIZATION rt27_dev;
SET timezone = 'UTC';
SELECT dbchange.submit('ALTER TABLE public.rt_run ALTER a TYPE timestamptz; ALTER TABLE public.rt_run ALTER b TYPE bigint', 'rt') AS id \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION rt27_appr;
SELECT dbchange.approve(:id, 'ok');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION rt27_depl;
SET timezone = 'UTC';
SELECT dbchange.apply(:id);
RESET SESSION AUTHORIZATION;
SELECT status, error_message FROM dbchange.change WHERE id = :id;

-- 5. foreign keys
SET dbchange.enforce = off;
CREATE TYPE rt_e AS ENUM ('x', 'y');
CREATE FUNCTION rt_etext(rt_e) RETURNS text LANGUAGE plpgsql AS
  $f$ BEGIN RAISE NOTICE 'rt_etext(%)', $1; RETURN textin(enum_out($1)); END $f$;
CREATE CAST (rt_e AS text) WITH FUNCTION rt_etext(rt_e) AS IMPLICIT;
CREATE TABLE rt_pk (id varchar(26) PRIMARY KEY);
CREATE TABLE rt_fk (ref rt_e REFERENCES rt_pk (id));
CREATE TABLE rt_pk2 (id varchar(26) PRIMARY KEY);
CREATE TABLE rt_fk2 (ref varchar(26) REFERENCES rt_pk2 (id));
INSERT INTO rt_pk VALUES ('x'), ('y');
INSERT INTO rt_fk VALUES ('x'), ('y');
RESET dbchange.enforce;
SELECT v.label, rw(v.sql || '; ALTER TABLE rt_t ALTER name TYPE varchar(200)') AS rewrites
  FROM (VALUES
    ('a built-in key, referenced', 'ALTER TABLE rt_pk2 ALTER id TYPE varchar(20)'),
    ('a built-in key, referencing', 'ALTER TABLE rt_fk2 ALTER ref TYPE varchar(20)'),
    ('a key through someone''s cast, referenced', 'ALTER TABLE rt_pk ALTER id TYPE varchar(20)'),
    ('a key through someone''s cast, referencing', 'ALTER TABLE rt_fk ALTER ref TYPE rt_e')
  ) AS v(label, sql);
-- what PostgreSQL 15 runs: the cast, for each referencing row, when the referenced
-- column's type change rewrites the table
SET dbchange.enforce = off;
SET client_min_messages = notice;
BEGIN;
ALTER TABLE rt_pk ALTER id TYPE varchar(20);
ROLLBACK;
SET client_min_messages = warning;
RESET dbchange.enforce;

-- 6. the type facts after other tables' type changes
CREATE FUNCTION tf(sql text) RETURNS TABLE (type_widened text, type_unchanged text, old_type text)
  LANGUAGE sql AS $$
  SELECT e.facts->'subcommands'->0->>'type_widened', e.facts->'subcommands'->0->>'type_unchanged',
         e.facts->'subcommands'->0->>'old_type'
    FROM dbchange.evaluate(sql, 'prod', 'migration') e ORDER BY e.statement_no DESC LIMIT 1 $$;
SELECT v.label, f.*
  FROM (VALUES
    ('alone', ''),
    ('after a built-in key''s widening', 'ALTER TABLE rt_pk2 ALTER id TYPE varchar; '),
    ('after a partial index''s table', 'ALTER TABLE rt_p ALTER a TYPE varchar(20); '),
    ('after a key through someone''s cast', 'ALTER TABLE rt_pk ALTER id TYPE varchar(20); '),
    ('after someone''s function in an index', 'ALTER TABLE rt_u ALTER a TYPE varchar(20); '),
    ('after another column of the same table', 'ALTER TABLE rt_t ALTER id TYPE bigint; '),
    ('after the same column', 'ALTER TABLE rt_t ALTER name TYPE varchar(150); '),
    ('after the same column''s default', 'ALTER TABLE rt_t ALTER name SET DEFAULT ''x''; '),
    ('after a column of the same name added', 'ALTER TABLE rt_t DROP name, ADD name int; '),
    ('after a USING', 'ALTER TABLE rt_p ALTER a TYPE varchar(20) USING a; ')
  ) AS v(label, sql),
  LATERAL tf(v.sql || 'ALTER TABLE rt_t ALTER name TYPE varchar(200)') f;
-- and table_rewrites on convoy's statements: both widenings silent, the second too
\set src `cat lua_policies/table_rewrites.lua`
SELECT dbchange.set_policy('table_rewrites', :'src') IS NOT NULL AS loaded;
SELECT e.statement_no, e.reasons
  FROM dbchange.evaluate('ALTER TABLE rt_pk2 ALTER id TYPE varchar; ALTER TABLE rt_fk2 ALTER ref TYPE varchar',
                         'prod', 'migration') e
 ORDER BY 1;

-- 5. USING the column itself, or cast to the new type: converted as without USING
SET dbchange.enforce = off;
CREATE TABLE rt_us (id int, c varchar(26), n numeric(10,2));
INSERT INTO rt_us VALUES (1, 'x', 1.5);
RESET dbchange.enforce;
SELECT v.sql, rw(v.sql) AS rewrites
  FROM (VALUES
    ('ALTER TABLE rt_us ALTER c TYPE varchar USING c::varchar'),
    ('ALTER TABLE rt_us ALTER c TYPE varchar(40) USING c'),
    ('ALTER TABLE rt_us ALTER c TYPE text USING CAST(c AS text)'),
    ('ALTER TABLE rt_us ALTER n TYPE numeric(12,2) USING n::numeric(12,2)'),
    ('ALTER TABLE rt_us ALTER c TYPE varchar(10) USING c::varchar(10)'),
    ('ALTER TABLE rt_us ALTER c TYPE varchar USING c::text'),
    ('ALTER TABLE rt_us ALTER c TYPE varchar USING c::varchar(40)'),
    ('ALTER TABLE rt_us ALTER c TYPE varchar USING lower(c)'),
    ('ALTER TABLE rt_us ALTER c TYPE varchar USING id::varchar'),
    ('ALTER TABLE rt_us ALTER n TYPE numeric(12,3) USING n::numeric(12,3)')
  ) AS v(sql);
-- what PostgreSQL 15 does
SET dbchange.enforce = off;
CREATE FUNCTION rt_fn() RETURNS oid LANGUAGE sql AS $f$ SELECT pg_relation_filenode('rt_us') $f$;
BEGIN;
SELECT rt_fn() AS f0 \gset
ALTER TABLE rt_us ALTER c TYPE varchar USING c::varchar;
ALTER TABLE rt_us ALTER n TYPE numeric(12,2) USING n::numeric(12,2);
SELECT rt_fn() <> :f0 AS using_own_cast_rewritten;
ALTER TABLE rt_us ALTER c TYPE varchar(10) USING c::varchar(10);
SELECT rt_fn() <> :f0 AS using_narrowing_rewritten;
ROLLBACK;
RESET dbchange.enforce;

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_classify_retype_scripts;
