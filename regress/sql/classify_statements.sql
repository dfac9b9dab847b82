-- The classifier across statement kinds: command, object_type, identity,
-- operations and the detail facts policies use (docs/facts.md).
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_classify_statements;
CREATE DATABASE regress_classify_statements;
\c regress_classify_statements
SET client_min_messages = warning;
CREATE EXTENSION dbchange;

-- the main facts of many statement kinds (nothing runs; objects need not exist)
SELECT n, f->>'command' AS command, f->>'object_type' AS object_type, f->>'identity' AS identity,
       f->'operations' AS operations, f->'destructive' AS destr, f->>'lock' AS lock,
       f->'nontransactional' AS nontx
FROM dbchange.classify($$
CREATE TABLE s.t (id int);
CREATE UNLOGGED TABLE IF NOT EXISTS t2 (id int);
CREATE TEMP TABLE tt (id int);
CREATE TABLE t3 AS SELECT 1 AS x;
SELECT 1 AS x INTO t4;
CREATE FOREIGN TABLE ft (a int) SERVER srv;
CREATE INDEX ON t (a);
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_a ON s.t USING hash (a);
DROP INDEX CONCURRENTLY t_a;
REINDEX TABLE CONCURRENTLY t;
REINDEX SCHEMA s;
REINDEX SYSTEM regress_classify_statements;
CREATE OR REPLACE VIEW v AS SELECT 1;
CREATE RECURSIVE VIEW rv (n) AS SELECT 1 UNION ALL SELECT n + 1 FROM rv;
CREATE MATERIALIZED VIEW mv AS SELECT 1 WITH NO DATA;
REFRESH MATERIALIZED VIEW mv;
REFRESH MATERIALIZED VIEW CONCURRENTLY mv;
CREATE SEQUENCE sq START 10 CACHE 5;
ALTER SEQUENCE sq RESTART;
CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'select 1';
CREATE OR REPLACE PROCEDURE p() LANGUAGE plpgsql AS $b$ BEGIN END $b$;
ALTER FUNCTION f(int) SECURITY DEFINER;
ALTER PROCEDURE p() SET search_path = public;
ALTER ROUTINE f(int) IMMUTABLE;
CREATE AGGREGATE ag (int) (sfunc = int4pl, stype = int);
CREATE TRIGGER trg AFTER INSERT ON t FOR EACH STATEMENT EXECUTE FUNCTION tf();
CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING;
CREATE EVENT TRIGGER et ON sql_drop EXECUTE FUNCTION ef();
ALTER EVENT TRIGGER et ENABLE ALWAYS;
CREATE SCHEMA IF NOT EXISTS s2;
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TYPE rng AS RANGE (subtype = int4);
CREATE TYPE shell;
CREATE TYPE comp AS (a int, b text);
ALTER TYPE mood ADD VALUE 'happy' AFTER 'ok';
ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';
CREATE DOMAIN posint AS int NOT NULL DEFAULT 1 CHECK (VALUE > 0);
ALTER DOMAIN posint DROP CONSTRAINT posint_check CASCADE;
ALTER DOMAIN posint SET NOT NULL;
CREATE EXTENSION IF NOT EXISTS hstore SCHEMA s VERSION '1.8' CASCADE;
ALTER EXTENSION hstore UPDATE TO '1.9';
ALTER EXTENSION hstore ADD FUNCTION f(int);
CREATE POLICY pol ON t AS RESTRICTIVE FOR UPDATE TO alice, bob USING (true) WITH CHECK (true);
ALTER POLICY pol ON t TO carol;
CREATE PUBLICATION pub FOR TABLE t, s.t2;
ALTER PUBLICATION pub ADD TABLES IN SCHEMA s;
CREATE SUBSCRIPTION sub CONNECTION 'host=x' PUBLICATION a, b;
ALTER SUBSCRIPTION sub DISABLE;
DROP SUBSCRIPTION IF EXISTS sub;
CREATE STATISTICS st (ndistinct) ON a, b FROM t;
CREATE FOREIGN DATA WRAPPER w;
CREATE SERVER srv FOREIGN DATA WRAPPER w;
CREATE USER MAPPING FOR alice SERVER srv;
IMPORT FOREIGN SCHEMA remote FROM SERVER srv INTO s;
CREATE CAST (int AS text) WITH INOUT;
CREATE OR REPLACE LANGUAGE plsample HANDLER h;
CREATE COLLATION c1 (locale = 'C');
ALTER COLLATION c1 REFRESH VERSION;
TRUNCATE t, s.t2 RESTART IDENTITY CASCADE;
VACUUM FULL t;
VACUUM;
ANALYZE t;
CLUSTER t USING t_pkey;
CLUSTER;
DO $d$ BEGIN END $d$;
CALL p();
LOCK TABLE t IN SHARE MODE;
$$) WITH ORDINALITY AS x(f, n) ORDER BY n;

-- DROP of every shape of name, with objects and flags
SELECT n, f->>'command' AS command, f->>'object_type' AS object_type,
       (SELECT jsonb_agg(o->>'identity') FROM jsonb_array_elements(f->'objects') o) AS objects,
       f->'cascade' AS cascade, f->'if_exists' AS if_exists, f->>'table' AS tab, f->>'lock' AS lock
FROM dbchange.classify($$
DROP TABLE IF EXISTS a, s.b CASCADE;
DROP VIEW v;
DROP MATERIALIZED VIEW mv;
DROP SEQUENCE sq;
DROP INDEX s.i;
DROP FUNCTION f(int), s.g;
DROP PROCEDURE p();
DROP AGGREGATE ag(int);
DROP TRIGGER trg ON s.t;
DROP POLICY pol ON t;
DROP RULE r ON t;
DROP SCHEMA s, s2 CASCADE;
DROP TYPE mood;
DROP DOMAIN posint;
DROP EXTENSION hstore;
DROP EVENT TRIGGER et;
DROP PUBLICATION pub;
DROP CAST (int AS text);
DROP OPERATOR CLASS oc USING btree;
DROP COLLATION c1;
DROP LANGUAGE plsample;
DROP SERVER srv;
DROP USER MAPPING FOR alice SERVER srv;
DROP ROLE IF EXISTS alice, bob;
DROP DATABASE IF EXISTS db WITH (FORCE);
DROP TABLESPACE ts;
DROP OWNED BY alice CASCADE;
REASSIGN OWNED BY alice TO bob;
$$) WITH ORDINALITY AS x(f, n) ORDER BY n;

-- CREATE TABLE: columns with normalised types, constraints, primary key
SELECT c->>'name' AS name, c->>'type' AS type, c->'typmods' AS typmods, c->'is_array' AS arr,
       c->'not_null' AS nn, c->'has_default' AS def, c->'default_volatile' AS vol,
       c->>'identity' AS ident, c->'serial' AS serial, c->'primary_key' AS pk, c->'unique' AS uq,
       c->>'references' AS refs, c->>'generated' AS gen, c->>'collation' AS coll
FROM dbchange.classify($$CREATE TABLE ty (
  a int, b integer, c int4, d bigint, e smallint, f real, g double precision, h float,
  i numeric(10,2), j decimal, k boolean, l char(3), m character, n "char", o varchar(255),
  p character varying, q text, r timestamp, s timestamp with time zone, t timestamptz,
  u time, v time with time zone, w interval, x bit(8), y varbit, z serial, z2 bigserial,
  z3 smallserial, z4 serial8, z5 pg_catalog.int4, z6 myschema.mytype, z7 int[], z8 text ARRAY,
  z9 bytea, id bigint GENERATED BY DEFAULT AS IDENTITY, u1 uuid UNIQUE DEFAULT gen_random_uuid(),
  fk int REFERENCES other(id), g2 int GENERATED ALWAYS AS (a + 1) STORED, cl text COLLATE "C",
  PRIMARY KEY (a, b))$$) f, jsonb_array_elements(f->'columns') c;

SELECT f->'has_primary_key' AS has_pk, f->>'persistence' AS persistence,
       f->'partitioned' AS partitioned, f->>'partition_of' AS partition_of, f->'inherits' AS inherits,
       f->>'table' AS tab, f->>'lock' AS lock,
       (SELECT jsonb_agg(c->>'constraint_type' || ':' || (c->'columns')::text)
          FROM jsonb_array_elements(f->'constraints') c) AS constraints
FROM dbchange.classify($$
CREATE TABLE a (id int PRIMARY KEY, b int CHECK (b > 0), c int REFERENCES x, UNIQUE (b, c), EXCLUDE USING gist (c WITH =));
CREATE TABLE b (id int, v int NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE b1 PARTITION OF b FOR VALUES FROM (1) TO (10);
CREATE TEMP TABLE c () INHERITS (a, s.b);
CREATE TABLE d (LIKE a INCLUDING ALL)
$$) f;

-- CREATE INDEX details
SELECT f->>'name' AS name, f->>'table' AS tab, f->'unique' AS uniq, f->'concurrently' AS conc,
       f->'column_count' AS ncols, f->'index_columns' AS cols, f->'include_columns' AS incl,
       f->>'index_method' AS method, f->'partial' AS partial, f->>'lock' AS lock,
       f->'blocks_writes' AS blocks_writes, f->'blocks_reads' AS blocks_reads
FROM dbchange.classify($$
CREATE INDEX ix ON t (a, lower(b)) INCLUDE (c) WHERE a > 0;
CREATE UNIQUE INDEX CONCURRENTLY ON s.t USING gin (d);
$$) f;

-- functions and triggers
SELECT f->>'object_type' AS ot, f->>'language' AS lang, f->>'volatility' AS vol,
       f->'security_definer' AS secdef, f->'strict' AS strict, f->'leakproof' AS leak,
       f->>'returns' AS returns, f->'argument_types' AS args, f->'or_replace' AS repl
FROM dbchange.classify($$
CREATE OR REPLACE FUNCTION f(a int, b text DEFAULT 'x', OUT c bigint) LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER AS $b$ BEGIN END $b$;
CREATE FUNCTION g(timestamp, VARIADIC int[]) RETURNS SETOF varchar LEAKPROOF IMMUTABLE AS 'select 1' LANGUAGE sql;
CREATE PROCEDURE p(INOUT x int) AS 'select 1' LANGUAGE sql;
$$) f;
SELECT f->'options' AS options, f->'security_definer' AS secdef, f->>'volatility' AS vol
FROM dbchange.classify('ALTER FUNCTION f(int) SECURITY DEFINER VOLATILE COST 5 RESET search_path') f;
SELECT f->>'name' AS name, f->>'table' AS tab, f->>'timing' AS timing, f->'events' AS events,
       f->>'for_each' AS for_each, f->>'function' AS func, f->'constraint_trigger' AS ctrig
FROM dbchange.classify($$
CREATE TRIGGER a BEFORE INSERT OR UPDATE OF x OR DELETE ON t FOR EACH ROW EXECUTE FUNCTION s.tf();
CREATE TRIGGER b INSTEAD OF UPDATE ON v FOR EACH ROW EXECUTE PROCEDURE tf();
CREATE CONSTRAINT TRIGGER c AFTER INSERT ON t DEFERRABLE FOR EACH ROW EXECUTE FUNCTION tf();
$$) f;

-- schema elements, enum values, domain and extension facts
SELECT f->>'name' AS name, f->>'authorization' AS auth, f->'elements' AS elements
FROM dbchange.classify('CREATE SCHEMA AUTHORIZATION alice CREATE TABLE x (a int) CREATE VIEW y AS SELECT 1') f;
SELECT f->>'type_kind' AS kind, f->'values' AS vals, f->>'value' AS value, f->>'new_value' AS new_value,
       f->'columns'->1->>'type' AS second_column_type
FROM dbchange.classify($$CREATE TYPE e AS ENUM ('a', 'b'); CREATE TYPE c AS (x int, y timestamptz);
ALTER TYPE e RENAME VALUE 'a' TO 'z'$$) f;
SELECT f->>'type' AS base, f->'not_null' AS nn, f->'has_default' AS def,
       f->'constraints'->0->>'constraint_type' AS con
FROM dbchange.classify('CREATE DOMAIN d AS varchar(10) NOT NULL DEFAULT $x$a$x$ CHECK (VALUE <> $x$$x$)') f;
SELECT f->'operations' AS ops, f->>'constraint_type' AS con, f->'not_valid' AS not_valid,
       f->>'constraint_name' AS name, f->'destructive' AS destr, f->'scans_table' AS scans
FROM dbchange.classify($$ALTER DOMAIN d ADD CONSTRAINT c CHECK (VALUE <> 'x') NOT VALID;
ALTER DOMAIN d VALIDATE CONSTRAINT c;
ALTER DOMAIN d DROP CONSTRAINT IF EXISTS c;
ALTER DOMAIN d SET DEFAULT 'x';
ALTER DOMAIN d DROP DEFAULT;
ALTER DOMAIN d DROP NOT NULL$$) f;
SELECT f->>'name' AS name, f->>'schema' AS schema, f->>'version' AS version, f->'cascade' AS cascade,
       f->>'member_type' AS member_type, f->>'member' AS member
FROM dbchange.classify($$CREATE EXTENSION pgcrypto WITH SCHEMA crypto VERSION '1.3' CASCADE;
ALTER EXTENSION pgcrypto DROP TABLE s.t$$) f;

-- row-level security policies
SELECT f->>'identity' AS identity, f->>'table' AS tab, f->'permissive' AS permissive,
       f->>'policy_command' AS cmd, f->'policy_roles' AS roles, f->'has_using' AS using_,
       f->'has_with_check' AS with_check
FROM dbchange.classify($$CREATE POLICY p1 ON s.t USING (true);
CREATE POLICY p2 ON t AS RESTRICTIVE FOR DELETE TO CURRENT_USER, alice USING (false);
ALTER POLICY p1 ON s.t WITH CHECK (true)$$) f;

-- GRANT / REVOKE
SELECT f->'operations' AS ops, f->'is_grant' AS is_grant, f->>'object_type' AS ot,
       f->'privileges' AS privs, f->'columns' AS cols, f->'grantees' AS grantees,
       (SELECT jsonb_agg(o->>'identity') FROM jsonb_array_elements(f->'objects') o) AS objects,
       f->'all_in_schema' AS in_schema, f->'grant_option' AS grant_opt, f->'cascade' AS cascade
FROM dbchange.classify($$
GRANT SELECT, UPDATE (a, b) ON t, s.u TO alice, PUBLIC WITH GRANT OPTION;
REVOKE GRANT OPTION FOR ALL ON ALL TABLES IN SCHEMA s, public FROM bob CASCADE;
GRANT EXECUTE ON FUNCTION f(int) TO CURRENT_USER;
GRANT USAGE ON SCHEMA s TO alice;
GRANT CONNECT, TEMPORARY ON DATABASE db TO alice;
GRANT SET, ALTER SYSTEM ON PARAMETER work_mem TO alice;
GRANT USAGE ON TYPE mood TO alice;
$$) f;
SELECT f->'operations' AS ops, f->'granted_roles' AS granted, f->'grantees' AS grantees,
       f->'admin_option' AS admin
FROM dbchange.classify('GRANT pg_monitor, app_rw TO alice, bob WITH ADMIN OPTION; REVOKE app_rw FROM alice') f;
SELECT f->>'target_object_type' AS target, f->'privileges' AS privs, f->'grantees' AS grantees,
       f->'schemas' AS schemas, f->'for_roles' AS for_roles, f->'is_grant' AS is_grant
FROM dbchange.classify('ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA s GRANT SELECT ON TABLES TO reader') f;

-- roles, databases, tablespaces, ALTER SYSTEM
SELECT f->>'name' AS name, f->'operations' AS ops, f->'role_options' AS role_options,
       f->>'parameter' AS parameter, f->>'value' AS value, f->>'in_database' AS in_db
FROM dbchange.classify($$
CREATE ROLE r1 SUPERUSER LOGIN PASSWORD 'secret' CONNECTION LIMIT 3 VALID UNTIL '2030-01-01' IN ROLE a, b ROLE c ADMIN d;
CREATE USER u1;
ALTER ROLE r1 NOSUPERUSER CREATEDB BYPASSRLS NOREPLICATION NOINHERIT CREATEROLE PASSWORD NULL;
ALTER ROLE r1 IN DATABASE db SET work_mem = '64MB';
ALTER ROLE ALL RESET ALL;
$$) f;
SELECT f->>'name' AS name, f->'operations' AS ops, f->'options' AS options, f->>'parameter' AS parameter,
       f->'force' AS force, f->>'location' AS location, f->'nontransactional' AS nontx
FROM dbchange.classify($$
CREATE DATABASE db2 TEMPLATE template0 ENCODING 'UTF8';
ALTER DATABASE db2 CONNECTION LIMIT 5;
ALTER DATABASE db2 SET search_path = s;
DROP DATABASE db2 WITH (FORCE);
CREATE TABLESPACE ts LOCATION '/tmp/ts';
ALTER TABLESPACE ts SET (random_page_cost = 1.1);
$$) f;
SELECT f->>'object_type' AS ot, f->>'name' AS name, f->'operations' AS ops, f->>'parameter' AS parameter,
       f->>'value' AS value, f->'nontransactional' AS nontx
FROM dbchange.classify($$ALTER SYSTEM SET shared_buffers = '1GB';
ALTER SYSTEM SET max_connections = 200;
ALTER SYSTEM SET log_statement TO DEFAULT;
ALTER SYSTEM RESET work_mem;
ALTER SYSTEM RESET ALL$$) f;

-- VACUUM / ANALYZE / CLUSTER / REINDEX
SELECT f->>'command' AS command, f->'operations' AS ops, f->'full' AS full, f->'options' AS options,
       f->'rewrites_table' AS rewrites, f->>'lock' AS lock, f->>'index' AS index,
       f->'concurrently' AS conc, f->'blocks_reads' AS blocks_reads
FROM dbchange.classify($$
VACUUM (FULL, ANALYZE) t, s.u;
VACUUM (FULL false, VERBOSE) t;
VACUUM FREEZE;
ANALYZE VERBOSE t;
CLUSTER t USING t_pkey;
REINDEX INDEX t_pkey;
REINDEX (CONCURRENTLY) INDEX t_pkey;
$$) f;

-- COMMENT, SECURITY LABEL, RENAME, SET SCHEMA, OWNER TO, DEPENDS ON EXTENSION
SELECT f->>'command' AS command, f->>'object_type' AS ot, f->>'identity' AS identity,
       f->'operations' AS ops, f->>'table' AS tab, f->>'comment' AS comment,
       f->>'old_name' AS old_name, f->>'new_name' AS new_name, f->>'column' AS column,
       f->>'new_schema' AS new_schema, f->>'new_owner' AS new_owner, f->>'lock' AS lock
FROM dbchange.classify($$
COMMENT ON TABLE s.t IS 'orders';
COMMENT ON COLUMN s.t.a IS NULL;
COMMENT ON FUNCTION f(int) IS 'f';
COMMENT ON CONSTRAINT c ON s.t IS 'c';
COMMENT ON CONSTRAINT dc ON DOMAIN d IS 'dc';
COMMENT ON TRIGGER trg ON t IS 'x';
COMMENT ON SCHEMA s IS 'x';
COMMENT ON CAST (int AS text) IS 'x';
SECURITY LABEL FOR selinux ON TABLE t IS 'label';
ALTER TABLE s.t RENAME TO t2;
ALTER TABLE IF EXISTS t RENAME COLUMN a TO b;
ALTER TABLE t RENAME CONSTRAINT c TO c2;
ALTER INDEX i RENAME TO i2;
ALTER VIEW v RENAME TO v2;
ALTER TRIGGER trg ON t RENAME TO trg2;
ALTER POLICY pol ON t RENAME TO pol2;
ALTER TYPE comp RENAME ATTRIBUTE a TO a2;
ALTER TYPE mood RENAME TO feeling;
ALTER DOMAIN d RENAME CONSTRAINT dc TO dc2;
ALTER FUNCTION f(int) RENAME TO g;
ALTER SCHEMA s RENAME TO s3;
ALTER ROLE alice RENAME TO alicia;
ALTER DATABASE db RENAME TO db3;
ALTER TABLE t SET SCHEMA s;
ALTER TYPE mood SET SCHEMA s;
ALTER FUNCTION f(int) OWNER TO bob;
ALTER SCHEMA s OWNER TO bob;
ALTER DATABASE db OWNER TO bob;
ALTER FUNCTION f(int) DEPENDS ON EXTENSION hstore;
$$) f;

-- single_object: objects is the main object alone (a policy that checked
-- schema/name/identity need not open objects); lists and publications are not
SELECT s, dbchange.classify(s)->>'single_object' AS single_object,
       jsonb_array_length(dbchange.classify(s)->'objects') AS objects
  FROM (VALUES ('CREATE TABLE so_x (id int)'), ('DROP TABLE so_a, so_b'), ('DROP TABLE so_a'),
               ('CREATE INDEX so_i ON so_t (x)'), ('GRANT SELECT ON so_a, so_b TO PUBLIC'),
               ('CREATE SCHEMA so_s'), ('CREATE PUBLICATION so_p FOR TABLE so_a')) v(s);

-- a CREATE is looked up where it would be created (the first schema of the
-- search path), not along the path: pg_catalog's pg_class is not the table
-- "CREATE TABLE pg_class" makes
SELECT s, f->>'schema' AS schema, f->>'identity' AS identity, f->>'exists' AS exists
  FROM (VALUES ('CREATE TABLE pg_class (x int)'), ('CREATE TABLE pg_catalog.pg_class (x int)')) v(s),
       LATERAL dbchange.classify(s) f;

-- facts as PostgreSQL runs the statement (review, session 15): a repeated
-- option counts by its last value, SELECT ... INTO on a set operation creates
-- a table, REFRESH ... WITH NO DATA empties the view
SELECT s, f->>'command' AS command, f->>'full' AS full, f->>'concurrently' AS concurrently,
       f->>'destructive' AS destructive, f->>'lock' AS lock
  FROM (VALUES ('VACUUM (FULL false, FULL true) cs_big'), ('VACUUM (FULL true, FULL false) cs_big'),
               ('REINDEX (CONCURRENTLY, CONCURRENTLY false) TABLE cs_big'),
               ('SELECT 1 AS x INTO cs_u UNION SELECT 2'),
               ('REFRESH MATERIALIZED VIEW cs_mv WITH NO DATA'), ('REFRESH MATERIALIZED VIEW cs_mv')) v(s),
       LATERAL dbchange.classify(s) f;

-- ADD COLUMN of a domain with constraints rewrites the table (the constraints
-- are checked against every row), of a plain domain it does not
CREATE DOMAIN cs_dom AS int CHECK (VALUE > 0);
CREATE DOMAIN cs_dom_free AS int;
SELECT s, f->>'rewrites_table' AS rewrites_table, f->>'scans_table' AS scans_table
  FROM (VALUES ('ALTER TABLE cs_t ADD COLUMN d cs_dom'), ('ALTER TABLE cs_t ADD COLUMN d cs_dom_free'),
               ('ALTER TABLE cs_t ADD COLUMN d no_such_type')) v(s),
       LATERAL dbchange.classify(s) f;

-- a function named with its argument types is the one PostgreSQL resolves:
-- the first on the search path with those types, not the first of that name
-- (pg_catalog, searched first, has concat(VARIADIC "any") and lower(text));
-- without argument types, or with ones no function has, the name alone
SET dbchange.enforce = off;
CREATE SCHEMA cs_fn;
CREATE FUNCTION cs_fn.concat(text, VARIADIC anyarray) RETURNS text LANGUAGE sql AS 'SELECT $1';
CREATE FUNCTION cs_fn.lower(text, int) RETURNS text LANGUAGE sql AS 'SELECT $1';
CREATE FUNCTION cs_fn.step(text, text, int) RETURNS text LANGUAGE sql AS 'SELECT $1';
CREATE AGGREGATE cs_fn.max(text, int) (sfunc = cs_fn.step, stype = text);
RESET dbchange.enforce;
SET search_path = cs_fn, public;
SELECT s, f->>'schema' AS schema, f->>'identity' AS identity, f->>'exists' AS exists
  FROM (VALUES ('DROP FUNCTION concat(text, anyarray)'), ('DROP FUNCTION lower(text, int)'),
               ('DROP FUNCTION lower(text)'), ('DROP ROUTINE lower(text, integer)'),
               ('ALTER FUNCTION concat(text, anyarray) STABLE'),
               ('ALTER FUNCTION lower(text, int) OWNER TO CURRENT_USER'),
               ('ALTER FUNCTION lower(text, int) RENAME TO lower2'),
               ('COMMENT ON FUNCTION concat(text, anyarray) IS $c$x$c$'),
               ('DROP AGGREGATE max(text, int)'), ('DROP AGGREGATE max(int)'),
               ('DROP FUNCTION lower(text, bigint)')) v(s),
       LATERAL dbchange.classify(s) f;
RESET search_path;
