-- What a script judged whole (evaluate(), submit(), policy tests) follows of its own earlier
-- statements, and what CREATE TABLE ... (LIKE t INCLUDING ...) copies: one section each.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_script_state_gaps;
DROP ROLE IF EXISTS ssg_dev;
CREATE DATABASE regress_script_state_gaps;
\c regress_script_state_gaps
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
CREATE ROLE ssg_dev LOGIN IN ROLE dbchange_developer;
GRANT ALL ON SCHEMA public TO ssg_dev;
SET dbchange.enforce = off;
CREATE TABLE big (id bigint PRIMARY KEY, price numeric(12,4), note text);
INSERT INTO big SELECT g, g / 7.0, 'n' FROM generate_series(1, 120000) g;
CREATE TABLE other (id int);
INSERT INTO other VALUES (1);
CREATE TABLE stand_in (id bigint, price numeric(12,4), note text);
INSERT INTO stand_in VALUES (1, 1, 'x');
CREATE TABLE tree (id int, v int) PARTITION BY RANGE (id);
CREATE TABLE tree_1 PARTITION OF tree FOR VALUES FROM (0) TO (1000);
INSERT INTO tree SELECT g, g FROM generate_series(0, 999) g;
CREATE TABLE trig (id int);
INSERT INTO trig VALUES (1);
CREATE FUNCTION refill() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RETURN NULL; END $f$;
CREATE TRIGGER trig_refill AFTER TRUNCATE ON trig FOR EACH STATEMENT EXECUTE FUNCTION refill();
ANALYZE big, other, stand_in, tree, trig;
ALTER TABLE big OWNER TO ssg_dev;
ALTER TABLE other OWNER TO ssg_dev;
ALTER TABLE stand_in OWNER TO ssg_dev;
ALTER TABLE tree OWNER TO ssg_dev;
ALTER TABLE tree_1 OWNER TO ssg_dev;
ALTER TABLE trig OWNER TO ssg_dev;
RESET dbchange.enforce;
\set src `cat lua_policies/column_changes.lua`
SELECT dbchange.set_policy('column_changes', :'src');
SELECT key, value FROM dbchange.configure(environment => 'prod', rollout => 'manual', default_action => 'approve')
 WHERE key IN ('environment', 'rollout') ORDER BY key;

-- 1. TRUNCATE, then ADD COLUMN ... NOT NULL in the same transaction: nothing for the NOT NULL
-- to fail on (as a change dbchange runs: one transaction)
SELECT statement_no, action, risk, facts->'emptied_in_script' AS emptied, facts->'emptied_statement' AS by_statement
  FROM dbchange.evaluate($$
SET lock_timeout = '2s';
TRUNCATE big;
COMMENT ON TABLE big IS 'emptied';
ALTER TABLE big ADD COLUMN region text NOT NULL;
CREATE INDEX big_region_idx ON big (region);
ALTER TABLE big ALTER COLUMN price TYPE numeric(10,2);
$$, NULL, 'submit') ORDER BY 1;
-- interactively each statement is its own transaction: another session may insert in between
SELECT statement_no, action, risk, facts->'emptied_in_script' AS emptied
  FROM dbchange.evaluate($$
TRUNCATE big;
ALTER TABLE big ADD COLUMN region text NOT NULL;
$$) WHERE statement_no = 2;
-- ... unless the script opens one; COMMIT ends it, ROLLBACK TO a savepoint before the TRUNCATE undoes it
SELECT statement_no, action, risk, facts->'emptied_in_script' AS emptied
  FROM dbchange.evaluate($$
BEGIN;
TRUNCATE big;
ALTER TABLE big ADD COLUMN region text NOT NULL;
SAVEPOINT s;
ROLLBACK TO s;
ALTER TABLE big ADD COLUMN region2 text NOT NULL;
COMMIT;
ALTER TABLE big ADD COLUMN region3 text NOT NULL;
BEGIN;
SAVEPOINT s2;
TRUNCATE big;
ROLLBACK TO s2;
ALTER TABLE big ADD COLUMN region4 text NOT NULL;
COMMIT;
$$) WHERE command = 'ALTER TABLE' ORDER BY 1;
-- anything between that may put rows back, or bring another table under the name, forgets it:
-- DML, DO, SET search_path, an ALTER of another table, a second TRUNCATE with CASCADE, a
-- partition made, a rename; an ALTER that evaluates code (a USING) forgets it for the next one;
-- and a table the script renamed is not noted at all
SELECT statement_no, left(statement, 50) AS stmt, facts->'emptied_in_script' AS emptied
  FROM dbchange.evaluate($$
TRUNCATE big;
INSERT INTO big VALUES (1, 1, 'x');
ALTER TABLE big ADD COLUMN r1 text NOT NULL;
TRUNCATE big;
DO $d$ BEGIN INSERT INTO public.big VALUES (1, 1, 'x'); END $d$;
ALTER TABLE big ADD COLUMN r2 text NOT NULL;
TRUNCATE big;
SET search_path = public;
ALTER TABLE big ADD COLUMN r3 text NOT NULL;
TRUNCATE big;
ALTER TABLE other ADD COLUMN x int;
ALTER TABLE big ADD COLUMN r4 text NOT NULL;
TRUNCATE big;
TRUNCATE other CASCADE;
ALTER TABLE big ADD COLUMN r5 text NOT NULL;
TRUNCATE big;
ALTER TABLE big ALTER COLUMN note TYPE varchar(5) USING left(note, 5);
ALTER TABLE big ADD COLUMN r6 text NOT NULL;
TRUNCATE tree;
CREATE TABLE tree_2 PARTITION OF tree FOR VALUES FROM (1000) TO (2000);
ALTER TABLE tree ADD COLUMN r7 int NOT NULL;
TRUNCATE big;
ALTER TABLE big RENAME TO big_old;
ALTER TABLE stand_in RENAME TO big;
ALTER TABLE big ADD COLUMN r8 text NOT NULL;
TRUNCATE big_old;
ALTER TABLE big_old ADD COLUMN r9 text NOT NULL;
$$, NULL, 'submit') WHERE statement IN ('ALTER TABLE big ALTER COLUMN note TYPE varchar(5) USING left(note, 5)')
    OR statement ~ 'ADD COLUMN r' ORDER BY 1;
-- what is noted: not ONLY of a table with partitions (they keep their rows), not a table with a
-- TRUNCATE trigger (its code runs after the rows are gone), not TRUNCATE ... CASCADE; a
-- partitioned table truncated whole, its partitions with it
SELECT statement_no, left(statement, 50) AS stmt, facts->'emptied_in_script' AS emptied
  FROM dbchange.evaluate($$
TRUNCATE ONLY tree;
ALTER TABLE tree ADD COLUMN r1 int NOT NULL;
TRUNCATE trig;
ALTER TABLE trig ADD COLUMN r2 int NOT NULL;
TRUNCATE big CASCADE;
ALTER TABLE big ADD COLUMN r3 int NOT NULL;
TRUNCATE tree;
ALTER TABLE tree ADD COLUMN r4 int NOT NULL;
ALTER TABLE tree_1 ADD COLUMN r5 int NOT NULL;
$$, NULL, 'submit') WHERE command = 'ALTER TABLE' ORDER BY 1;
-- submitted and applied: the table is empty indeed when the ALTER runs
SET ROLE ssg_dev;
SELECT dbchange.submit($$
TRUNCATE other;
ALTER TABLE other ADD COLUMN region text NOT NULL;
$$, 'emptied') AS emptied_id \gset
RESET ROLE;
SELECT status FROM dbchange.changes WHERE id = :emptied_id;
SELECT statement_no, action, facts->'emptied_in_script' AS emptied
  FROM dbchange.change_statement WHERE change_id = :emptied_id ORDER BY 1;
SELECT attname, attnotnull FROM pg_attribute WHERE attrelid = 'other'::regclass AND attname = 'region';
-- code dbchange does not see (an event trigger on COMMENT) puts rows back: the ALTER judged on
-- an empty table is refused when it runs (ZC003), and nothing of the change stays
SET dbchange.enforce = off;
CREATE FUNCTION put_back() RETURNS event_trigger LANGUAGE plpgsql AS
  $f$ BEGIN INSERT INTO public.big_rows SELECT 1, 1.2345, 'x'; END $f$;
CREATE TABLE big_rows (id bigint, price numeric(12,4), note text);
INSERT INTO big_rows VALUES (2, 2.5, 'y');
ALTER TABLE big_rows OWNER TO ssg_dev;
CREATE EVENT TRIGGER put_back ON ddl_command_end WHEN TAG IN ('COMMENT') EXECUTE FUNCTION put_back();
RESET dbchange.enforce;
SELECT statement_no, action, risk, facts->'emptied_in_script' AS emptied
  FROM dbchange.evaluate($$
TRUNCATE big_rows;
COMMENT ON TABLE big_rows IS 'refilled';
ALTER TABLE big_rows ALTER COLUMN price TYPE numeric(10,2);
$$, NULL, 'submit') ORDER BY 1;
SET ROLE ssg_dev;
SELECT dbchange.submit($$
TRUNCATE big_rows;
COMMENT ON TABLE big_rows IS 'refilled';
ALTER TABLE big_rows ALTER COLUMN price TYPE numeric(10,2);
$$, 'refilled');
RESET ROLE;
SELECT id, price FROM big_rows ORDER BY 1;
SET dbchange.enforce = off;
DROP EVENT TRIGGER put_back;
RESET dbchange.enforce;

-- 2. CREATE TABLE ... (LIKE t INCLUDING ...): the constraints it copies (PostgreSQL 15:
-- INCLUDING CONSTRAINTS every CHECK by name, validated, NO INHERIT kept; INCLUDING INDEXES the
-- primary key, unique and exclusion constraints under new names; never a foreign key)
SET dbchange.enforce = off;
CREATE TABLE other_pk (id int PRIMARY KEY);
CREATE TABLE src (id int PRIMARY KEY, a int NOT NULL CHECK (a > 0), b text UNIQUE, c int,
                  d int CHECK (d > 1) NO INHERIT, e int REFERENCES other_pk, EXCLUDE USING btree (c WITH =),
                  UNIQUE (a, c) DEFERRABLE);
ALTER TABLE src ADD CONSTRAINT src_c_nv CHECK (c < 5) NOT VALID;
CREATE FUNCTION cons(f jsonb) RETURNS text LANGUAGE sql AS
  $f$ SELECT string_agg(format('%s %s %s%s%s', c->>'constraint_type', coalesce(c->>'name', '-'), c->'columns',
                               CASE WHEN (c->>'not_valid')::bool THEN ' not valid' ELSE '' END,
                               CASE WHEN (c->>'deferrable')::bool THEN ' deferrable' ELSE '' END), '; ')
        FROM jsonb_array_elements(f->'constraints') c $f$;
RESET dbchange.enforce;
SELECT opt, cons(f) AS constraints, f->'has_primary_key' AS pk
  FROM unnest(ARRAY['', 'INCLUDING CONSTRAINTS', 'INCLUDING INDEXES', 'INCLUDING ALL', 'INCLUDING ALL EXCLUDING CONSTRAINTS']) opt,
       dbchange.classify(format('CREATE TABLE copy (LIKE src %s, x int CHECK (x > 0))', opt)) f
 ORDER BY 1;
-- as PostgreSQL makes them
BEGIN;
SET LOCAL dbchange.enforce = off;
CREATE TABLE copy_c (LIKE src INCLUDING CONSTRAINTS);
CREATE TABLE copy_i (LIKE src INCLUDING INDEXES);
SELECT conrelid::regclass AS tab, conname, contype, convalidated, connoinherit, condeferrable FROM pg_constraint
 WHERE conrelid IN ('copy_c'::regclass, 'copy_i'::regclass) ORDER BY 1, 2;
ROLLBACK;
-- what the script drops from it before is not copied: a constraint, a column (its constraints)
SELECT statement_no, cons(facts) AS constraints
  FROM dbchange.evaluate($$
ALTER TABLE src DROP CONSTRAINT src_a_check;
ALTER TABLE src DROP COLUMN b;
CREATE TABLE copy (LIKE src INCLUDING ALL);
$$) WHERE statement_no = 3;
-- a table the script creates first is not in the catalog: nothing copied is known
SELECT statement_no, cons(facts) AS constraints, facts->'like' AS "like"
  FROM dbchange.evaluate($$
CREATE TABLE src_new (id int PRIMARY KEY, a int CHECK (a > 0));
CREATE TABLE copy_new (LIKE src_new INCLUDING ALL);
$$) WHERE statement_no = 2;

-- 3. foreign-key locks follow the script's own partitions and keys.  Statement by statement,
-- then a transaction: the earlier statements' partitions and keys are not in the catalog yet
SET dbchange.enforce = off;
CREATE TABLE p (id int PRIMARY KEY, c int) PARTITION BY RANGE (id);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (100);
CREATE TABLE p2 (id int NOT NULL, c int CHECK (c > 0));
CREATE TABLE p3 (id int NOT NULL, c int CHECK (c > 0));
CREATE TABLE r (id int PRIMARY KEY, c int CHECK (c > 0));
CREATE TABLE b (x int, c int CHECK (c > 0));
RESET dbchange.enforce;
SELECT statement_no, left(statement, 60) AS stmt, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
ALTER TABLE p ATTACH PARTITION p2 FOR VALUES FROM (100) TO (200);
BEGIN;
ALTER TABLE b ADD CONSTRAINT b_fk FOREIGN KEY (x) REFERENCES p NOT VALID;
ALTER TABLE p2 VALIDATE CONSTRAINT p2_c_check;
COMMIT;
ALTER TABLE p ADD CONSTRAINT p_r_fk FOREIGN KEY (c) REFERENCES r;
BEGIN;
ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM (200) TO (300);
ALTER TABLE r VALIDATE CONSTRAINT r_c_check;
ALTER TABLE b VALIDATE CONSTRAINT b_c_check;
COMMIT;
BEGIN;
ALTER TABLE p DETACH PARTITION p2;
ALTER TABLE b VALIDATE CONSTRAINT b_c_check;
COMMIT;
BEGIN;
ALTER TABLE b DROP CONSTRAINT b_fk;
ALTER TABLE p3 VALIDATE CONSTRAINT p3_c_check;
COMMIT;
CREATE TABLE a (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE a1 PARTITION OF a FOR VALUES FROM (0) TO (10);
BEGIN;
CREATE TABLE a_ref (a_id int REFERENCES a);
ALTER TABLE a1 VALIDATE CONSTRAINT a1_check;
COMMIT;
ALTER TABLE p3 RENAME TO p3_renamed;
BEGIN;
ALTER TABLE b ADD CONSTRAINT b_fk2 FOREIGN KEY (x) REFERENCES p NOT VALID;
ALTER TABLE p3_renamed VALIDATE CONSTRAINT p3_c_check;
COMMIT;
$$) WHERE statement_no IN (4, 9, 10, 14, 18, 24, 29) ORDER BY 1;
-- what PostgreSQL 15 holds, the same statements run
SET dbchange.enforce = off;
ALTER TABLE p ATTACH PARTITION p2 FOR VALUES FROM (100) TO (200);
BEGIN;
ALTER TABLE b ADD CONSTRAINT b_fk FOREIGN KEY (x) REFERENCES p NOT VALID;
SELECT c.relname, max(l.mode) AS mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND c.relname IN ('p', 'p1', 'p2') AND l.mode <> 'AccessShareLock' GROUP BY 1 ORDER BY 1;
COMMIT;
ALTER TABLE p ADD CONSTRAINT p_r_fk FOREIGN KEY (c) REFERENCES r;
BEGIN;
ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM (200) TO (300);
SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND c.relname IN ('r', 'b') AND l.mode NOT IN ('AccessShareLock', 'RowShareLock') ORDER BY 1, 2;
COMMIT;
BEGIN;
ALTER TABLE p DETACH PARTITION p2;
SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND c.relname = 'b' AND l.mode = 'AccessExclusiveLock';
COMMIT;
BEGIN;
ALTER TABLE b DROP CONSTRAINT b_fk;
SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND c.relname IN ('p', 'p1', 'p3') ORDER BY 1, 2;
COMMIT;
CREATE TABLE a (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE a1 PARTITION OF a FOR VALUES FROM (0) TO (10);
BEGIN;
CREATE TABLE a_ref (a_id int REFERENCES a);
SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND c.relname IN ('a', 'a1') AND l.mode <> 'AccessShareLock' ORDER BY 1, 2;
COMMIT;
RESET dbchange.enforce;

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_script_state_gaps;
DROP ROLE ssg_dev;
