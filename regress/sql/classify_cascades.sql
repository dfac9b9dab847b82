-- The classifier's cascade facts (docs/facts.md, "Cascades"): what TRUNCATE ... CASCADE
-- (tables that reference the truncated ones by foreign key, recursively) and DROP ... CASCADE
-- (the objects that depend on those dropped: views, foreign keys of other tables, columns of
-- other tables, indexes, defaults, sequences, ...) take along (cascades_to, cascades_to_count,
-- cascades_to_complete), with the totals; and the descendants of a partitioned parent whose
-- index or row trigger is dropped, or which is vacuumed, clustered or reindexed.  Each list is
-- compared with what PostgreSQL really does (its NOTICEs), in a transaction rolled back.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_classify_cascades;
CREATE DATABASE regress_classify_cascades;
\c regress_classify_cascades
SET client_min_messages = warning;
CREATE EXTENSION dbchange;

CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, p int REFERENCES parent);
CREATE TABLE grandchild (c int REFERENCES child, x serial);
CREATE TABLE pref (id int, p int REFERENCES parent) PARTITION BY LIST (id);
CREATE TABLE pref_1 PARTITION OF pref FOR VALUES IN (1);
CREATE TABLE unrelated (id int);
INSERT INTO parent SELECT generate_series(1, 100);
INSERT INTO child SELECT g, g FROM generate_series(1, 50) g;
INSERT INTO grandchild SELECT g FROM generate_series(1, 20) g;
CREATE VIEW v_parent AS SELECT * FROM parent;
CREATE SCHEMA rep;
CREATE VIEW rep.v_v AS SELECT * FROM v_parent;
CREATE MATERIALIZED VIEW rep.mv AS SELECT count(*) FROM parent;
CREATE TYPE mood AS ENUM ('a', 'b');
CREATE TABLE people (id int, m mood, ms mood[]);
CREATE FUNCTION f(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'select $1';
CREATE FUNCTION f(text) RETURNS int LANGUAGE sql IMMUTABLE AS 'select 1';
CREATE TABLE gen (a int, b int GENERATED ALWAYS AS (f(a)) STORED);
CREATE INDEX child_f ON child (f(p));
CREATE TABLE pp (id int, at int) PARTITION BY RANGE (at);
CREATE TABLE pp_1 PARTITION OF pp FOR VALUES FROM (0) TO (10);
CREATE TABLE pp_2 PARTITION OF pp FOR VALUES FROM (10) TO (20);
INSERT INTO pp SELECT g, g % 20 FROM generate_series(1, 200) g;
CREATE INDEX pp_at ON pp (at);
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';
CREATE TRIGGER pp_row BEFORE INSERT ON pp FOR EACH ROW EXECUTE FUNCTION trg();
CREATE TRIGGER pp_stmt BEFORE INSERT ON pp FOR EACH STATEMENT EXECUTE FUNCTION trg();
CREATE TABLE inh (id int);
CREATE INDEX inh_id ON inh (id);
CREATE TABLE inh_c () INHERITS (inh);
ANALYZE;

-- What each statement takes along: object_type identity (table it lives on) <- named object.
SELECT s.n AS statement_no, f->>'command' AS command,
       (SELECT string_agg((e->>'object_type') || ' ' || (e->>'identity') ||
                          coalesce(' [' || (e->>'table') || ']', '') || ' <- ' || (e->>'depends_on'), E'\n')
          FROM jsonb_array_elements(f->'cascades_to') e) AS cascades_to,
       f->'cascades_to_count' AS n, f->'cascades_to_complete' AS complete
  FROM dbchange.classify('TRUNCATE parent CASCADE; DROP TABLE parent CASCADE; DROP VIEW v_parent CASCADE;
    DROP TYPE mood CASCADE; DROP FUNCTION f(int) CASCADE; DROP FUNCTION f(text) CASCADE; DROP FUNCTION f CASCADE;
    DROP TABLE child CASCADE; DROP SEQUENCE grandchild_x_seq CASCADE; DROP SCHEMA rep CASCADE;
    DROP TABLE unrelated CASCADE; DROP TYPE IF EXISTS nosuch CASCADE; TRUNCATE unrelated CASCADE')
       WITH ORDINALITY AS s(f, n);

-- PostgreSQL's own account of the same statements (run, then rolled back).
SET client_min_messages = notice;
SET dbchange.enforce = off;
BEGIN; TRUNCATE parent CASCADE; ROLLBACK;
BEGIN; DROP TABLE parent CASCADE; ROLLBACK;
BEGIN; DROP VIEW v_parent CASCADE; ROLLBACK;
BEGIN; DROP TYPE mood CASCADE; ROLLBACK;
BEGIN; DROP FUNCTION f(int) CASCADE; ROLLBACK;
BEGIN; DROP TABLE child CASCADE; ROLLBACK;
BEGIN; DROP SEQUENCE grandchild_x_seq CASCADE; ROLLBACK;
RESET dbchange.enforce;
SET client_min_messages = warning;

-- The sizes: TRUNCATE ... CASCADE counts the tables it reaches (each with its own rows and
-- bytes; a partitioned one has none of its own); DROP ... CASCADE the tables and materialized
-- views it drops.
SELECT (SELECT string_agg((e->>'identity') || ' rows=' || coalesce(e->>'rows', 'null'), ', ')
          FROM jsonb_array_elements(f->'cascades_to') e) AS reached,
       f->'table_rows' AS table_rows, f->'total_rows' AS total_rows,
       (f->>'total_bytes')::bigint = pg_relation_size('parent') + pg_relation_size('child') +
         pg_relation_size('grandchild') + pg_relation_size('pref_1') AS total_bytes_match
  FROM dbchange.classify('TRUNCATE parent CASCADE') f;
SELECT f->'total_rows' AS total_rows,
       (f->>'total_bytes')::bigint = pg_relation_size('parent') + pg_relation_size('rep.mv') AS total_bytes_match
  FROM dbchange.classify('DROP TABLE parent CASCADE') f;

-- Without CASCADE, and for the kinds whose dependents are not walked, there are no such facts.
SELECT s.n AS statement_no, f->>'command' AS command, f ? 'cascades_to' AS has_cascades_to,
       f ? 'total_rows' AS has_totals
  FROM dbchange.classify('TRUNCATE parent; DROP TABLE parent; DROP TYPE mood; DROP FUNCTION f(int);
    DROP TRIGGER pp_row ON pp CASCADE; DROP POLICY IF EXISTS p ON parent CASCADE')
       WITH ORDINALITY AS s(f, n);

-- An index or row trigger of a partitioned table goes from every partition; VACUUM, CLUSTER and
-- REINDEX of a partitioned table process every partition: descendants and totals.  A statement
-- trigger, an index of an inheritance parent and REINDEX of one stay on the table.
SELECT s.n AS statement_no, f->>'command' AS command, f->'descendant_count' AS n,
       (SELECT string_agg(d->>'identity', ', ') FROM jsonb_array_elements(f->'descendants') d) AS descendants,
       f->'total_rows' AS total_rows
  FROM dbchange.classify('DROP INDEX pp_at; DROP TRIGGER pp_row ON pp; DROP TRIGGER pp_stmt ON pp;
    VACUUM FULL pp; VACUUM pp; ANALYZE pp; CLUSTER pp USING pp_at; REINDEX TABLE pp; REINDEX INDEX pp_at;
    DROP INDEX inh_id; REINDEX TABLE inh; VACUUM FULL inh')
       WITH ORDINALITY AS s(f, n);

-- TRUNCATE of a partition of a referenced partitioned table: PostgreSQL also truncates every
-- partition of a partitioned referencing table (each references the parent through its own
-- clone of the foreign key), as heap_truncate_find_FKs() does.
CREATE TABLE ra (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE ra1 PARTITION OF ra FOR VALUES FROM (0) TO (100);
CREATE TABLE rb (id int, aid int REFERENCES ra) PARTITION BY RANGE (id);
CREATE TABLE rb1 PARTITION OF rb FOR VALUES FROM (0) TO (100);
CREATE TABLE rb2 PARTITION OF rb FOR VALUES FROM (100) TO (200);
SELECT (SELECT string_agg(e->>'identity', ', ' ORDER BY e->>'identity') FROM jsonb_array_elements(f->'cascades_to') e) AS truncated
  FROM dbchange.classify('TRUNCATE ra1 CASCADE') f;

-- A part of another object reached from elsewhere takes its owner along: a partition key
-- column of a type dropped with CASCADE drops the whole table (findDependentObjects()).
CREATE TYPE pk_mood AS ENUM ('a', 'b');
CREATE TABLE pk_t (m pk_mood, x int) PARTITION BY LIST (m);
CREATE TABLE pk_t1 PARTITION OF pk_t FOR VALUES IN ('a');
SELECT (SELECT string_agg((e->>'object_type') || ' ' || (e->>'identity'), ', ' ORDER BY e->>'identity')
          FROM jsonb_array_elements(f->'cascades_to') e) AS dropped
  FROM dbchange.classify('DROP TYPE pk_mood CASCADE') f;
-- check against PostgreSQL's own list (rolled back)
BEGIN;
SET LOCAL dbchange.enforce = off;
SET LOCAL client_min_messages = notice;
DROP TYPE pk_mood CASCADE;
ROLLBACK;

-- In a script judged whole the list is what the catalog has before the script runs: the enum
-- value removal pattern moves the columns to a new type first, so DROP TYPE ... CASCADE then
-- takes none of them along.  After such earlier statements the list is marked
-- (cascades_to_before_script; still complete as a walk of the catalog: what an earlier
-- statement makes depend on the object is judged by itself); settings, comments and grants
-- before it change no dependents, and on its own the statement's list is the catalog's.
CREATE TYPE sc_level AS ENUM ('low', 'high', 'gone');
CREATE TABLE sc_limits (id int, level sc_level);
SELECT statement_no, command, facts->'cascades_to_count' AS n,
       facts->'cascades_to_complete' AS complete, facts->'cascades_to_before_script' AS before_script
  FROM dbchange.evaluate($$
CREATE TYPE sc_level_new AS ENUM ('low', 'high');
ALTER TABLE sc_limits ALTER COLUMN level TYPE sc_level_new USING level::text::sc_level_new;
DROP TYPE sc_level CASCADE;
ALTER TYPE sc_level_new RENAME TO sc_level;
$$, 'prod', 'migration') WHERE command = 'DROP TYPE';
SELECT statement_no, command, facts->'cascades_to_count' AS n,
       facts->'cascades_to_complete' AS complete, facts->'cascades_to_before_script' AS before_script
  FROM dbchange.evaluate($$
SET lock_timeout = '2s';
COMMENT ON TYPE sc_level IS 'levels';
DROP TYPE sc_level CASCADE;
$$, 'prod', 'migration') WHERE command = 'DROP TYPE';
SELECT facts->'cascades_to_count' AS n, facts->'cascades_to_complete' AS complete,
       facts->'cascades_to_before_script' AS before_script
  FROM dbchange.evaluate('DROP TYPE sc_level CASCADE', 'prod');
-- TRUNCATE ... CASCADE alike
SELECT statement_no, facts->'cascades_to_complete' AS complete, facts->'cascades_to_before_script' AS before_script
  FROM dbchange.evaluate('CREATE TABLE sc_new (id int); TRUNCATE ra1 CASCADE', 'prod', 'migration')
 WHERE command = 'TRUNCATE TABLE';
-- what the stock policy says about it (destructive_changes's ban-cascade reason)
\set src `cat lua_policies/destructive_changes.lua`
SELECT dbchange.set_policy('destructive_changes', :'src') IS NOT NULL AS loaded;
SELECT statement_no, action, risk,
       (SELECT string_agg(r, ' | ') FROM unnest(reasons) r WHERE r LIKE 'destructive_changes:%') AS reason
  FROM dbchange.evaluate($$
CREATE TYPE sc_level_new AS ENUM ('low', 'high');
ALTER TABLE sc_limits ALTER COLUMN level TYPE sc_level_new USING level::text::sc_level_new;
DROP TYPE sc_level CASCADE;
$$, 'prod', 'migration') WHERE command = 'DROP TYPE';
SELECT action, risk,
       (SELECT string_agg(r, ' | ') FROM unnest(reasons) r WHERE r LIKE 'destructive_changes:%') AS reason
  FROM dbchange.evaluate('DROP TYPE sc_level CASCADE', 'prod');
SELECT dbchange.drop_policy('destructive_changes');

-- ALTER TABLE ... DROP COLUMN / DROP CONSTRAINT ... CASCADE (session 26): the column or the
-- constraint is the walk's root, as the objects of a DROP ... CASCADE are; checked against
-- PostgreSQL's own NOTICEs below.  ONLY, or a table without children: complete; a table with
-- inheritance children or partitions: not complete (their inherited columns' dependents are not
-- tied to the parent's in pg_depend).  A column the catalog does not have: nothing listed.
CREATE TABLE at_cust (id bigint PRIMARY KEY, note text, parent_id int);
CREATE TABLE at_pay (id int, cust_id bigint REFERENCES at_cust (id));
CREATE VIEW at_cust_v AS SELECT id, note FROM at_cust;
CREATE INDEX at_cust_note ON at_cust (note);
SELECT v.sql, facts->'cascades_to_count' AS n, facts->'cascades_to_complete' AS complete,
       (SELECT string_agg((e->>'object_type') || ' ' || (e->>'identity') || ' <- ' || (e->>'depends_on'), ', '
                          ORDER BY e->>'identity')
          FROM jsonb_array_elements(facts->'cascades_to') e) AS dropped
  FROM (VALUES ('ALTER TABLE at_cust DROP COLUMN note CASCADE'),
               ('ALTER TABLE at_cust DROP CONSTRAINT at_cust_pkey CASCADE'),
               ('ALTER TABLE at_cust DROP COLUMN parent_id CASCADE'),
               ('ALTER TABLE at_cust DROP COLUMN IF EXISTS nothing CASCADE'),
               ('ALTER TABLE at_cust DROP COLUMN note, DROP CONSTRAINT at_cust_pkey CASCADE'),
               ('ALTER TABLE at_cust DROP COLUMN note CASCADE, DROP CONSTRAINT at_cust_pkey CASCADE'),
               ('ALTER TABLE at_cust DROP COLUMN note')) AS v(sql),
       LATERAL dbchange.evaluate(v.sql, 'prod') e;
BEGIN;
SET LOCAL dbchange.enforce = off;
SET LOCAL client_min_messages = notice;
ALTER TABLE at_cust DROP COLUMN note CASCADE, DROP CONSTRAINT at_cust_pkey CASCADE;
ROLLBACK;
CREATE TABLE at_kid (k int) INHERITS (at_cust);
SELECT v.sql, facts->'cascades_to_count' AS n, facts->'cascades_to_complete' AS complete
  FROM (VALUES ('ALTER TABLE at_cust DROP COLUMN note CASCADE'),
               ('ALTER TABLE ONLY at_cust DROP COLUMN note CASCADE')) AS v(sql),
       LATERAL dbchange.evaluate(v.sql, 'prod') e;
