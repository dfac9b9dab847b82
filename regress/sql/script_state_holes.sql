-- Red team of the facts scriptstate.c derives from the earlier statements of
-- a script or transaction (held_lock, has_validated_check proven by the
-- script, lock_timeout, the serial sequence an ALTER SEQUENCE fixes): each
-- section is a way a developer got a dangerous statement judged safe (or a
-- correct one judged dangerous) before it was fixed (docs/security.md,
-- "Holes found and fixed").
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_script_state_holes;
DROP ROLE IF EXISTS ssh_dev;
CREATE DATABASE regress_script_state_holes;
\c regress_script_state_holes
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
CREATE ROLE ssh_dev LOGIN IN ROLE dbchange_developer;
GRANT ALL ON SCHEMA public TO ssh_dev;
SET dbchange.enforce = off;
CREATE TYPE pair AS (a int, b int);
CREATE TABLE orders (id bigint PRIMARY KEY, email text, total numeric, customer_id bigint, p pair);
INSERT INTO orders SELECT g, 'x' || g, g, g, '(1,1)'::pair FROM generate_series(1, 120000) g;
ANALYZE orders;
-- the catalog's: one NOT VALID that proves email, one validated that proves customer_id
ALTER TABLE orders ADD CONSTRAINT orders_email_nv CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_customer_v CHECK (customer_id IS NOT NULL);
CREATE TABLE parent (id int, email text);
CREATE TABLE child () INHERITS (parent);
INSERT INTO child SELECT g, 'x' FROM generate_series(1, 120000) g;
ANALYZE child;
ALTER TABLE parent ADD CONSTRAINT parent_email_ni CHECK (email IS NOT NULL) NO INHERIT;
CREATE TABLE parted (id int, email text) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (1000000);
INSERT INTO parted SELECT g, 'x' FROM generate_series(1, 120000) g;
ANALYZE parted_1;
CREATE SCHEMA other;
CREATE TABLE counters (id serial PRIMARY KEY);
CREATE TABLE other.counters (id serial PRIMARY KEY);
CREATE TABLE gen_ids (id int GENERATED ALWAYS AS IDENTITY, v int);
CREATE TABLE other.gen_ids (id int GENERATED ALWAYS AS IDENTITY (MAXVALUE 100), v int);
ALTER TABLE orders OWNER TO ssh_dev;
-- partitions: a default one, a partitioned one, tables to attach
CREATE TABLE events (id int, kind text) PARTITION BY RANGE (id);
CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (100) PARTITION BY RANGE (id);
CREATE TABLE events_1a PARTITION OF events_1 FOR VALUES FROM (0) TO (50);
CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (100) TO (200) PARTITION BY RANGE (id);
CREATE TABLE events_2a PARTITION OF events_2 FOR VALUES FROM (100) TO (150);
CREATE TABLE events_def PARTITION OF events DEFAULT PARTITION BY LIST (kind);
CREATE TABLE events_def_x PARTITION OF events_def FOR VALUES IN ('x');
CREATE TABLE events_new (id int, kind text);
CREATE TABLE events_newp (id int, kind text) PARTITION BY RANGE (id);
CREATE TABLE events_newp_a PARTITION OF events_newp FOR VALUES FROM (300) TO (350);
-- foreign keys between partitioned tables: fk_pk referenced by fk_ref, fk_kid references fk_other
CREATE TABLE fk_pk (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE fk_pk_1 PARTITION OF fk_pk FOR VALUES FROM (0) TO (100);
CREATE TABLE fk_pk_def PARTITION OF fk_pk DEFAULT;
CREATE TABLE fk_pk_new (id int NOT NULL PRIMARY KEY);
CREATE TABLE fk_ref (id int CONSTRAINT fk_ref_fk REFERENCES fk_pk);
CREATE TABLE fk_other (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE fk_other_1 PARTITION OF fk_other FOR VALUES FROM (0) TO (100);
CREATE TABLE fk_kid (id int CONSTRAINT fk_kid_fk REFERENCES fk_other) PARTITION BY RANGE (id);
CREATE TABLE fk_kid_1 PARTITION OF fk_kid FOR VALUES FROM (0) TO (100);
CREATE TABLE fk_kid_new (id int);
CREATE TABLE fk_plain (id int PRIMARY KEY);
CREATE TABLE fk_plainref (id int CONSTRAINT fk_plainref_fk REFERENCES fk_plain);
-- was_not_null: a large table with a NOT NULL column; code that drops it, run by a CHECK
CREATE TABLE ledger (id bigint PRIMARY KEY, memo text NOT NULL, note text);
INSERT INTO ledger SELECT g, 'm' FROM generate_series(1, 120000) g;
ANALYZE ledger;
CREATE TABLE side (id int NOT NULL, v int);
INSERT INTO side SELECT g, g FROM generate_series(1, 10) g;
CREATE FUNCTION ssh_hook() RETURNS int LANGUAGE plpgsql VOLATILE
  AS $f$BEGIN EXECUTE 'ALTER TABLE ledger ALTER COLUMN memo DROP NOT NULL'; RETURN 1; END$f$;
CREATE FUNCTION ssh_norm(int) RETURNS int LANGUAGE plpgsql IMMUTABLE
  AS $f$BEGIN PERFORM ssh_hook(); RETURN $1; END$f$;
ALTER TABLE side ADD CONSTRAINT side_v_chk CHECK (ssh_norm(v) > 0) NOT VALID;
CREATE DOMAIN ssh_pos AS int CHECK (ssh_norm(VALUE) > 0);
CREATE TABLE ledger_kid (id bigint NOT NULL, memo text NOT NULL, note text NOT NULL);
CREATE TABLE books (id bigint, memo text NOT NULL);
CREATE TABLE books_2024 () INHERITS (books);
ALTER TABLE ledger OWNER TO ssh_dev;
ALTER TABLE side OWNER TO ssh_dev;
ALTER FUNCTION ssh_hook() OWNER TO ssh_dev;
ALTER FUNCTION ssh_norm(int) OWNER TO ssh_dev;
RESET dbchange.enforce;
\set src `cat lua_policies/safe_constraints.lua`
SELECT dbchange.set_policy('safe_constraints', :'src') LIKE 'policy "safe_constraints" created (%' AS loaded;
\set src `cat lua_policies/table_rewrites.lua`
SELECT dbchange.set_policy('table_rewrites', :'src') LIKE 'policy "table_rewrites" created (%' AS loaded;
\set src `cat lua_policies/column_changes.lua`
SELECT dbchange.set_policy('column_changes', :'src') LIKE 'policy "column_changes" created (%' AS loaded;
SELECT key, value FROM dbchange.configure(environment => 'prod', rollout => 'auto', default_action => 'approve')
 WHERE key IN ('environment', 'rollout') ORDER BY key;

-- ==== SET NOT NULL: a CHECK that does not prove what it seems to ====
-- the proof still holds where it should: the catalog's NOT VALID CHECK validated by the script,
-- and the catalog's validated one
SELECT statement_no, facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate($$
ALTER TABLE orders VALIDATE CONSTRAINT orders_email_nv;
ALTER TABLE orders ALTER COLUMN email SET NOT NULL;
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no > 1;
-- "p IS NOT NULL" of a composite column: true only when every field is non-null, and
-- PostgreSQL does not take it as proof
SELECT statement_no, facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate($$
ALTER TABLE orders ADD CONSTRAINT orders_p_nn CHECK (p IS NOT NULL);
ALTER TABLE orders ALTER COLUMN p SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 2;
-- NO INHERIT: SET NOT NULL recurses to the children, which the CHECK does not cover
-- (the script's, and the catalog's)
SELECT statement_no, facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate($$
ALTER TABLE parent ADD CONSTRAINT parent_id_ni CHECK (id IS NOT NULL) NO INHERIT;
ALTER TABLE parent ALTER COLUMN id SET NOT NULL;
ALTER TABLE parent ALTER COLUMN email SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no > 1;
-- the catalog's constraint dropped and another added under its name: the VALIDATE is of
-- the new one, which proves nothing
SELECT statement_no, facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate($$
ALTER TABLE orders DROP CONSTRAINT orders_email_nv;
ALTER TABLE orders ADD CONSTRAINT orders_email_nv CHECK (total > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_email_nv;
ALTER TABLE orders ALTER COLUMN email SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 4;
-- the catalog's validated one dropped before (also with a DROP of something else between,
-- and in the same statement, whatever the order: PostgreSQL drops first)
SELECT statement_no, facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate($$
ALTER TABLE orders DROP CONSTRAINT orders_customer_v;
DROP INDEX IF EXISTS no_such_index;
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 3;
SELECT facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate('ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL, DROP CONSTRAINT orders_customer_v');
-- the column dropped (its CHECK with it) and added again with a default: a full scan
SELECT statement_no, facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate($$
ALTER TABLE orders DROP COLUMN customer_id;
ALTER TABLE orders ADD COLUMN customer_id bigint DEFAULT 1;
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 3;
-- ... a CHECK the script added that reads a column dropped after it (or by the same statement)
-- goes with the column; a column no CHECK reads dropped, or renamed, changes nothing
ALTER TABLE orders ADD COLUMN note text;
SELECT statement_no, facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate($$
ALTER TABLE orders ADD CONSTRAINT orders_total_nn CHECK (total IS NOT NULL AND note <> '');
ALTER TABLE orders DROP COLUMN note;
ALTER TABLE orders ALTER COLUMN total SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 3;
SELECT statement_no, facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate($$
ALTER TABLE orders ADD CONSTRAINT orders_total_nn CHECK (total IS NOT NULL AND note <> '');
ALTER TABLE orders ALTER COLUMN total SET NOT NULL, DROP COLUMN note;
ALTER TABLE orders ADD CONSTRAINT orders_id_nn CHECK (id IS NOT NULL);
ALTER TABLE orders ALTER COLUMN id SET NOT NULL, DROP COLUMN total;
$$, NULL, 'submit') WHERE statement_no IN (2, 4) ORDER BY statement_no;
SELECT statement_no, facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate($$
ALTER TABLE orders DROP COLUMN note;
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
ALTER TABLE orders RENAME COLUMN total TO amount;
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no IN (2, 4) ORDER BY statement_no;
-- columns renamed: the name now stands for another column, which no CHECK proves
SELECT statement_no, facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate($$
ALTER TABLE orders RENAME COLUMN customer_id TO old_customer_id;
ALTER TABLE orders RENAME COLUMN email TO customer_id;
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 3;
-- constraints renamed: the name validated is another constraint's
SELECT statement_no, facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate($$
ALTER TABLE orders RENAME CONSTRAINT orders_email_nv TO orders_email_old;
ALTER TABLE orders ADD CONSTRAINT orders_junk CHECK (total > 0) NOT VALID;
ALTER TABLE orders RENAME CONSTRAINT orders_junk TO orders_email_nv;
ALTER TABLE orders VALIDATE CONSTRAINT orders_email_nv;
ALTER TABLE orders ALTER COLUMN email SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 5;
-- ROLLBACK TO SAVEPOINT undoes the ADD (RELEASE keeps it)
SELECT statement_no, facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate($$
BEGIN;
SAVEPOINT a;
ALTER TABLE orders ADD CONSTRAINT orders_total_nn CHECK (total IS NOT NULL);
ROLLBACK TO SAVEPOINT a;
ALTER TABLE orders ALTER COLUMN total SET NOT NULL;
SAVEPOINT b;
ALTER TABLE orders ADD CONSTRAINT orders_total_nn CHECK (total IS NOT NULL);
RELEASE b;
ALTER TABLE orders ALTER COLUMN total SET NOT NULL;
COMMIT;
$$) WHERE command = 'ALTER TABLE' AND facts#>>'{subcommands,0,operation}' = 'set_not_null';
-- code run between (a DO block may drop the constraint) forgets what the script added
SELECT statement_no, facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate($$
ALTER TABLE orders ADD CONSTRAINT orders_total_nn CHECK (total IS NOT NULL);
DO $do$BEGIN EXECUTE 'ALTER TABLE orders DROP CONSTRAINT orders_total_nn'; END$do$;
ALTER TABLE orders ALTER COLUMN total SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 3;

-- ==== lock_timeout: a setting that no longer holds ====
-- ROLLBACK undoes a SET in its transaction (SET LOCAL or not); COMMIT keeps the SET, ends SET LOCAL;
-- ROLLBACK TO SAVEPOINT undoes the SETs after it
SELECT statement_no, facts->'lock_timeout' AS lock_timeout
  FROM dbchange.evaluate($$
BEGIN;
SET lock_timeout = '1s';
ROLLBACK;
ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;
BEGIN;
SET lock_timeout = '2s';
SET LOCAL lock_timeout = '3s';
ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;
COMMIT;
ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;
BEGIN;
SAVEPOINT a;
SET lock_timeout = 500;
ROLLBACK TO a;
ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;
COMMIT;
$$) WHERE command = 'ALTER TABLE' ORDER BY statement_no;
-- set_config() in a DO block or a query, DISCARD ALL: what the script set no longer holds
SELECT statement_no, facts->'lock_timeout' AS lock_timeout,
       EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'table_rewrites: access-exclusive-lock:%') AS advised
  FROM dbchange.evaluate($$
SET lock_timeout = '1s';
DO $do$BEGIN PERFORM set_config('lock_timeout', '0', false); END$do$;
ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;
SET lock_timeout = '1s';
SELECT set_config('lock_timeout', '0', false);
ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;
SET lock_timeout = '1s';
DISCARD ALL;
ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;
SET lock_timeout = '1s';
ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;
$$, NULL, 'submit') WHERE command = 'ALTER TABLE' ORDER BY statement_no;
-- RESET goes back to the session's reset value, not to what the caller SET
SET lock_timeout = '1s';
SELECT statement_no, facts->'lock_timeout' AS lock_timeout
  FROM dbchange.evaluate($$
SET lock_timeout = '3s';
ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;
RESET lock_timeout;
ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;
$$) WHERE command = 'ALTER TABLE' ORDER BY statement_no;
RESET lock_timeout;
-- a change with a statement that must run at top level runs statement by statement, each in
-- its own transaction (apply.c, the CLI): SET LOCAL holds for nothing, SET for the rest
SELECT statement_no, command, facts->'lock_timeout' AS lock_timeout, facts->'in_transaction_block' AS in_block
  FROM dbchange.evaluate($$
SET LOCAL lock_timeout = '1s';
ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;
SET lock_timeout = '2s';
ALTER TABLE orders ALTER COLUMN total DROP DEFAULT;
VACUUM FULL orders;
$$, NULL, 'submit') WHERE command <> 'SET' ORDER BY statement_no;

-- ==== held_lock: the lock is still held under another name, on a partition, a child ====
SELECT statement_no, command, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement,
       EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'safe_constraints: validate-in-same-transaction:%') AS flagged
  FROM dbchange.evaluate($$
ALTER TABLE orders ADD CONSTRAINT orders_total_pos CHECK (total > 0) NOT VALID;
ALTER TABLE orders RENAME TO orders_renamed;
ALTER TABLE orders_renamed VALIDATE CONSTRAINT orders_total_pos;
ALTER TABLE orders_renamed SET SCHEMA other;
ALTER TABLE other.orders_renamed VALIDATE CONSTRAINT orders_total_pos;
$$, NULL, 'submit') WHERE command = 'ALTER TABLE' AND statement_no IN (3, 5) ORDER BY statement_no;
SELECT statement_no, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
ALTER TABLE parted ADD CONSTRAINT parted_id_pos CHECK (id > 0) NOT VALID;
ALTER TABLE parted_1 VALIDATE CONSTRAINT parted_id_pos;
$$, NULL, 'submit') WHERE statement_no = 2;
SELECT statement_no, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
LOCK TABLE parent IN SHARE MODE;
ALTER TABLE child VALIDATE CONSTRAINT child_check;
LOCK TABLE ONLY counters IN SHARE MODE;
ALTER TABLE ONLY parent ADD CONSTRAINT parent_id_pos CHECK (id > 0) NO INHERIT;
$$, NULL, 'submit') WHERE statement_no = 2;
-- TRUNCATE a, b locks every table it names (and their children without ONLY), not only the first
SELECT statement_no, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
TRUNCATE counters, parent;
ALTER TABLE counters VALIDATE CONSTRAINT counters_check;
ALTER TABLE parent VALIDATE CONSTRAINT parent_check;
ALTER TABLE child VALIDATE CONSTRAINT child_check;
$$, NULL, 'submit') WHERE statement_no > 1 ORDER BY statement_no;
-- CREATE INDEX on a partitioned table locks the partitions (on an inheritance parent, not the children)
SELECT statement_no, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
CREATE INDEX parted_id_idx ON parted (id);
ALTER TABLE parted_1 VALIDATE CONSTRAINT parted_check;
CREATE INDEX parent_id_idx ON parent (id);
ALTER TABLE child VALIDATE CONSTRAINT child_check;
$$, NULL, 'submit') WHERE statement_no IN (2, 4) ORDER BY statement_no;
SELECT statement_no, facts->'held_lock' AS held
  FROM dbchange.evaluate($$
LOCK TABLE ONLY parent IN SHARE MODE;
ALTER TABLE child VALIDATE CONSTRAINT child_check;
$$, NULL, 'submit') WHERE statement_no = 2;
-- a foreign key added locks the table it references too (SHARE ROW EXCLUSIVE)
SELECT statement_no, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
ALTER TABLE orders ADD CONSTRAINT orders_counter_fk FOREIGN KEY (customer_id) REFERENCES counters (id) NOT VALID;
ALTER TABLE counters VALIDATE CONSTRAINT counters_check;
ALTER TABLE orders ADD COLUMN parent_id bigint REFERENCES other.counters;
ALTER TABLE other.counters VALIDATE CONSTRAINT counters_check;
$$, NULL, 'submit') WHERE statement_no IN (2, 4) ORDER BY statement_no;
-- ROLLBACK TO SAVEPOINT releases the locks taken after it
SELECT statement_no, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
BEGIN;
LOCK TABLE orders IN SHARE MODE;
SAVEPOINT a;
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
ROLLBACK TO a;
ALTER TABLE orders VALIDATE CONSTRAINT orders_email_nv;
COMMIT;
$$) WHERE statement_no = 6;
-- ATTACH PARTITION holds ACCESS EXCLUSIVE on the table attached (and its partitions) and on the
-- parent's default partition (and its partitions), not on the parent (SHARE UPDATE EXCLUSIVE)
-- nor its other partitions; DETACH on the parent, the table detached (and its partitions) and
-- the default partition only (pg_locks of PostgreSQL 15)
SELECT statement_no, facts->>'table' AS tab, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
ALTER TABLE events ATTACH PARTITION events_newp FOR VALUES FROM (300) TO (400);
ALTER TABLE events_newp VALIDATE CONSTRAINT c;
ALTER TABLE events_newp_a VALIDATE CONSTRAINT c;
ALTER TABLE events_def VALIDATE CONSTRAINT c;
ALTER TABLE events_def_x VALIDATE CONSTRAINT c;
ALTER TABLE events VALIDATE CONSTRAINT c;
ALTER TABLE events_1 VALIDATE CONSTRAINT c;
$$, NULL, 'submit') WHERE statement_no > 1 ORDER BY statement_no;
SELECT statement_no, facts->>'table' AS tab, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
ALTER TABLE events DETACH PARTITION events_1;
ALTER TABLE events VALIDATE CONSTRAINT c;
ALTER TABLE events_1 VALIDATE CONSTRAINT c;
ALTER TABLE events_1a VALIDATE CONSTRAINT c;
ALTER TABLE events_def VALIDATE CONSTRAINT c;
ALTER TABLE events_def_x VALIDATE CONSTRAINT c;
ALTER TABLE events_2 VALIDATE CONSTRAINT c;
ALTER TABLE events_2a VALIDATE CONSTRAINT c;
$$, NULL, 'submit') WHERE statement_no > 1 ORDER BY statement_no;
-- the same in a transaction the caller opened (the lock manager's own answer), and a plain
-- table attached where there is no default partition
BEGIN;
SELECT statement_no, facts->>'table' AS tab, facts->'held_lock' AS held
  FROM dbchange.evaluate($$
ALTER TABLE events_1 ATTACH PARTITION events_new FOR VALUES FROM (50) TO (100);
ALTER TABLE events_new VALIDATE CONSTRAINT c;
ALTER TABLE events_1a VALIDATE CONSTRAINT c;
$$) WHERE statement_no > 1 ORDER BY statement_no;
ROLLBACK;
-- DETACH ... CONCURRENTLY cannot run in a transaction block: the change runs at top level
SELECT statement_no, facts->'held_lock' AS held
  FROM dbchange.evaluate($$
ALTER TABLE events_2 DETACH PARTITION events_2a CONCURRENTLY;
ALTER TABLE events_2a VALIDATE CONSTRAINT c;
$$, NULL, 'submit') WHERE statement_no = 2;
-- foreign keys make ATTACH / DETACH PARTITION lock tables outside the tree (pg_locks of
-- PostgreSQL 15): DETACH from a referenced parent drops the referencing table's clone of the key
-- (ACCESS EXCLUSIVE on it), ATTACH to one clones it (SHARE ROW EXCLUSIVE); a parent with a
-- foreign key has the key's triggers made on the table it references and each of its partitions
-- (SHARE ROW EXCLUSIVE), ATTACH and DETACH alike
SELECT statement_no, facts->>'table' AS tab, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
ALTER TABLE fk_pk DETACH PARTITION fk_pk_1;
ALTER TABLE fk_ref VALIDATE CONSTRAINT c;
ALTER TABLE fk_pk_def VALIDATE CONSTRAINT c;
$$, NULL, 'submit') WHERE statement_no > 1 ORDER BY statement_no;
SELECT statement_no, facts->>'table' AS tab, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
ALTER TABLE fk_pk ATTACH PARTITION fk_pk_new FOR VALUES FROM (100) TO (200);
ALTER TABLE fk_ref VALIDATE CONSTRAINT c;
ALTER TABLE fk_pk_1 VALIDATE CONSTRAINT c;
$$, NULL, 'submit') WHERE statement_no > 1 ORDER BY statement_no;
SELECT statement_no, facts->>'table' AS tab, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
ALTER TABLE fk_kid ATTACH PARTITION fk_kid_new FOR VALUES FROM (100) TO (200);
ALTER TABLE fk_other VALIDATE CONSTRAINT c;
ALTER TABLE fk_other_1 VALIDATE CONSTRAINT c;
ALTER TABLE fk_kid_1 VALIDATE CONSTRAINT c;
$$, NULL, 'submit') WHERE statement_no > 1 ORDER BY statement_no;
SELECT statement_no, facts->>'table' AS tab, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
ALTER TABLE fk_kid DETACH PARTITION fk_kid_1;
ALTER TABLE fk_other VALIDATE CONSTRAINT c;
ALTER TABLE fk_other_1 VALIDATE CONSTRAINT c;
$$, NULL, 'submit') WHERE statement_no > 1 ORDER BY statement_no;
-- DETACH ... FINALIZE (of a DETACH CONCURRENTLY cut short) runs in a transaction block: the
-- parent SHARE UPDATE EXCLUSIVE only, the table detached ACCESS EXCLUSIVE, the referencing
-- table's clone of the key dropped as by DETACH; the default partition is not touched
SELECT statement_no, facts->>'table' AS tab, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
ALTER TABLE fk_pk DETACH PARTITION fk_pk_1 FINALIZE;
ALTER TABLE fk_pk VALIDATE CONSTRAINT c;
ALTER TABLE fk_pk_1 VALIDATE CONSTRAINT c;
ALTER TABLE fk_ref VALIDATE CONSTRAINT c;
ALTER TABLE fk_pk_def VALIDATE CONSTRAINT c;
$$, NULL, 'submit') WHERE statement_no > 1 ORDER BY statement_no;
-- the stock check sees it: the VALIDATE scans fk_ref under the DETACH's ACCESS EXCLUSIVE lock
SELECT EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'safe_constraints: validate-in-same-transaction:%') AS flagged
  FROM dbchange.evaluate($$
ALTER TABLE fk_pk DETACH PARTITION fk_pk_1;
ALTER TABLE fk_ref VALIDATE CONSTRAINT fk_ref_fk;
$$, NULL, 'submit') WHERE statement_no = 2;
-- CREATE TABLE with a foreign key locks the table it references SHARE ROW EXCLUSIVE, as ADD
-- FOREIGN KEY does (session 26; checked in pg_locks below): a column's REFERENCES or a table
-- constraint, and each partition of a partitioned table referenced
SELECT statement_no, facts->>'table' AS tab, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
CREATE TABLE s26_fk_a (id int REFERENCES counters (id));
ALTER TABLE counters VALIDATE CONSTRAINT counters_check;
CREATE TABLE s26_fk_b (id int, CONSTRAINT s26_fk_b_fk FOREIGN KEY (id) REFERENCES fk_other);
ALTER TABLE fk_other_1 VALIDATE CONSTRAINT c;
$$, NULL, 'submit') WHERE statement_no IN (2, 4) ORDER BY statement_no;
BEGIN;
SET LOCAL dbchange.enforce = off;
CREATE TABLE s26_fk_c (id int REFERENCES fk_other);
SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND c.relname IN ('fk_other', 'fk_other_1') ORDER BY 1, 2;
ROLLBACK;
-- CREATE TABLE ... PARTITION OF attaches the new table as ATTACH PARTITION does -- the
-- default partition, the tables foreign keys link the parent to -- and locks the parent ACCESS
-- EXCLUSIVE (session 26; pg_locks below)
SELECT statement_no, facts->>'table' AS tab, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
CREATE TABLE fk_pk_9 PARTITION OF fk_pk FOR VALUES FROM (900) TO (1000);
ALTER TABLE fk_pk_def VALIDATE CONSTRAINT c;
ALTER TABLE fk_ref VALIDATE CONSTRAINT fk_ref_fk;
CREATE TABLE fk_kid_9 PARTITION OF fk_kid FOR VALUES FROM (900) TO (1000);
ALTER TABLE fk_other_1 VALIDATE CONSTRAINT c;
ALTER TABLE fk_kid VALIDATE CONSTRAINT c;
$$, NULL, 'submit') WHERE statement_no IN (2, 3, 5, 6) ORDER BY statement_no;
BEGIN;
SET LOCAL dbchange.enforce = off;
CREATE TABLE fk_pk_9 PARTITION OF fk_pk FOR VALUES FROM (900) TO (1000);
CREATE TABLE fk_kid_9 PARTITION OF fk_kid FOR VALUES FROM (900) TO (1000);
SELECT c.relname, max(l.mode) AS mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND c.relname IN ('fk_pk', 'fk_pk_def', 'fk_ref', 'fk_kid', 'fk_other', 'fk_other_1')
   AND l.mode IN ('ShareRowExclusiveLock', 'AccessExclusiveLock')
 GROUP BY 1 ORDER BY 1;
ROLLBACK;
-- a foreign key added that references a partitioned table locks each partition of it too
SELECT statement_no, facts->>'table' AS tab, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
ALTER TABLE fk_plainref ADD CONSTRAINT fk_plainref_o FOREIGN KEY (id) REFERENCES fk_other NOT VALID;
ALTER TABLE fk_other VALIDATE CONSTRAINT c;
ALTER TABLE fk_other_1 VALIDATE CONSTRAINT c;
$$, NULL, 'submit') WHERE statement_no > 1 ORDER BY statement_no;
-- DROP CONSTRAINT of a foreign key: ACCESS EXCLUSIVE on the table it references and each of its
-- partitions (their triggers of the key are dropped), and on each partition of its own table,
-- ONLY or not
SELECT statement_no, facts->>'table' AS tab, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
ALTER TABLE fk_plainref DROP CONSTRAINT fk_plainref_fk;
ALTER TABLE fk_plain VALIDATE CONSTRAINT c;
ALTER TABLE ONLY fk_kid DROP CONSTRAINT fk_kid_fk;
ALTER TABLE fk_other VALIDATE CONSTRAINT c;
ALTER TABLE fk_other_1 VALIDATE CONSTRAINT c;
ALTER TABLE fk_kid_1 VALIDATE CONSTRAINT c;
$$, NULL, 'submit') WHERE statement_no IN (2, 4, 5, 6) ORDER BY statement_no;
-- a primary key dropped with CASCADE drops the foreign keys that reference it: the same locks
SELECT statement_no, facts->>'table' AS tab, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
ALTER TABLE fk_plain DROP CONSTRAINT fk_plain_pkey CASCADE;
ALTER TABLE fk_plainref VALIDATE CONSTRAINT c;
$$, NULL, 'submit') WHERE statement_no > 1 ORDER BY statement_no;
-- a foreign key the script added and drops again: SHARE ROW EXCLUSIVE, then ACCESS EXCLUSIVE
SELECT statement_no, facts->>'table' AS tab, facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
ALTER TABLE fk_kid_new ADD CONSTRAINT fk_kid_new_fk FOREIGN KEY (id) REFERENCES fk_plain NOT VALID;
ALTER TABLE fk_plain VALIDATE CONSTRAINT c;
ALTER TABLE fk_kid_new DROP CONSTRAINT fk_kid_new_fk;
ALTER TABLE fk_plain VALIDATE CONSTRAINT c;
$$, NULL, 'submit') WHERE statement_no IN (2, 4) ORDER BY statement_no;

-- ==== the serial sequence: an ALTER SEQUENCE of another sequence by the same name ====
SELECT statement_no, facts#>'{subcommands,0,sequence_outruns_type}' AS outruns,
       EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'column_changes: serial-sequence-mismatch:%') AS flagged
  FROM dbchange.evaluate($$
ALTER TABLE counters ALTER COLUMN id TYPE smallint;
SET search_path = other, public;
ALTER SEQUENCE counters_id_seq AS smallint;
$$, NULL, 'submit') WHERE statement_no = 1;
SELECT statement_no, facts#>'{subcommands,0,sequence_outruns_type}' AS outruns
  FROM dbchange.evaluate($$
ALTER TABLE counters ALTER COLUMN id TYPE smallint;
SET search_path = other, public;
ALTER SEQUENCE public.counters_id_seq AS smallint;
$$, NULL, 'submit') WHERE statement_no = 1;
SELECT statement_no, facts#>'{subcommands,0,sequence_outruns_type}' AS outruns
  FROM dbchange.evaluate($$
ALTER SEQUENCE counters_id_seq RENAME TO counters_id_seq_old;
CREATE SEQUENCE counters_id_seq AS smallint;
ALTER TABLE counters ALTER COLUMN id TYPE smallint;
ALTER SEQUENCE counters_id_seq AS smallint;
$$, NULL, 'submit') WHERE statement_no = 3;
-- ALTER SEQUENCEs apply in the script's order: AS bigint, then CACHE 1, leaves a bigint sequence
-- (the last one alone said nothing of its type: judged as still integer)
SELECT statement_no, facts#>'{subcommands,0,sequence_limit}' AS seq_limit,
       facts#>'{subcommands,0,sequence_limits_type}' AS limits,
       EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'column_changes: serial-sequence-mismatch:%') AS flagged
  FROM dbchange.evaluate($$
ALTER SEQUENCE counters_id_seq AS bigint;
ALTER SEQUENCE counters_id_seq CACHE 1;
ALTER TABLE counters ALTER COLUMN id TYPE bigint;
$$, NULL, 'submit') WHERE statement_no = 3;
SELECT statement_no, facts#>'{subcommands,0,sequence_limit}' AS seq_limit,
       facts#>'{subcommands,0,sequence_limits_type}' AS limits
  FROM dbchange.evaluate($$
ALTER TABLE counters ALTER COLUMN id TYPE bigint;
ALTER SEQUENCE counters_id_seq AS bigint;
ALTER SEQUENCE counters_id_seq RESTART WITH 1000;
$$, NULL, 'submit') WHERE statement_no = 1;
-- ... and an ALTER SEQUENCE is judged on what the earlier ones leave: AS integer after AS bigint
-- narrows it again
SELECT statement_no, facts->'maxvalue' AS maxvalue, facts->'current_maxvalue' AS current_maxvalue,
       facts->'lowers_maxvalue' AS lowers,
       EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'column_changes: sequence-narrowed:%') AS flagged
  FROM dbchange.evaluate($$
ALTER SEQUENCE counters_id_seq AS bigint;
ALTER SEQUENCE counters_id_seq AS integer;
$$, NULL, 'submit') ORDER BY statement_no;
-- code run after an ALTER SEQUENCE may change the sequence again: judged on the catalog
SELECT statement_no, facts#>'{subcommands,0,sequence_limits_type}' AS limits,
       EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'column_changes: serial-sequence-mismatch:%') AS flagged
  FROM dbchange.evaluate($$
ALTER SEQUENCE counters_id_seq AS bigint;
DO $do$BEGIN EXECUTE 'ALTER SEQUENCE counters_id_seq AS integer'; END$do$;
ALTER TABLE counters ALTER COLUMN id TYPE bigint;
$$, NULL, 'submit') WHERE statement_no = 3;
-- an identity column's table named after the script changed its search_path means the table
-- on that path: other.gen_ids's SET MAXVALUE 100 (a no-op there) did not narrow public.gen_ids,
-- whose own SET MAXVALUE 100 does (it was judged from 100 to 100)
SELECT statement_no, facts->>'identity' AS tab, facts#>'{subcommands,0,current_maxvalue}' AS current_max,
       facts#>'{subcommands,0,lowers_maxvalue}' AS lowers,
       EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'column_changes: sequence-narrowed:%') AS flagged
  FROM dbchange.evaluate($$
SET search_path = other;
ALTER TABLE gen_ids ALTER COLUMN id SET MAXVALUE 100;
SET search_path = public;
ALTER TABLE gen_ids ALTER COLUMN id SET MAXVALUE 100;
$$, NULL, 'submit') WHERE command = 'ALTER TABLE' ORDER BY statement_no;
-- ... and a SELECT set_config('search_path', ...) changes it as SET does (the ALTER SEQUENCE
-- after it is of other.counters_id_seq: public's stays integer, past what smallint holds)
SELECT statement_no, facts#>'{subcommands,0,sequence_outruns_type}' AS outruns,
       EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'column_changes: serial-sequence-mismatch:%') AS flagged
  FROM dbchange.evaluate($$
ALTER TABLE public.counters ALTER COLUMN id TYPE smallint;
SELECT pg_catalog.set_config('search_path', 'other', false);
ALTER SEQUENCE counters_id_seq AS smallint;
$$, NULL, 'submit') WHERE statement_no = 1;
-- a script of thousands of sequence changes is read once, not once per statement (5,000
-- SET MAXVALUEs took 20 s, each resolving every other's table and identity sequence)
SELECT string_agg(format('ALTER TABLE gen_ids ALTER COLUMN id SET MAXVALUE %s;', 100000 + g), E'\n') AS long_script
  FROM generate_series(1, 5000) g \gset
SET statement_timeout = '5s';
SELECT count(*) AS statements, count(*) FILTER (WHERE facts->'subcommands'->0->>'lowers_maxvalue' = 'true') AS narrowed,
       max((facts#>>'{subcommands,0,current_maxvalue}')::bigint) AS last_current_max
  FROM dbchange.evaluate(:'long_script', NULL, 'submit');
RESET statement_timeout;

-- ==== was_not_null: a catalog that is no longer what the statement finds ====
-- code an earlier statement runs on another table (a CHECK validated, a volatile DEFAULT, a
-- USING, an index expression) may drop the NOT NULL: SET NOT NULL then scans the whole table
SELECT statement_no, facts#>'{subcommands,0,was_not_null}' AS was_not_null,
       facts#>'{subcommands,0,scans_table}' AS scans
  FROM dbchange.evaluate($$
ALTER TABLE side VALIDATE CONSTRAINT side_v_chk;
ALTER TABLE ledger ALTER COLUMN memo SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 2;
SELECT statement_no, facts#>'{subcommands,0,was_not_null}' AS was_not_null
  FROM dbchange.evaluate($$
ALTER TABLE side ADD COLUMN w int DEFAULT ssh_hook();
ALTER TABLE ledger ALTER COLUMN memo SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 2;
SELECT statement_no, facts#>'{subcommands,0,was_not_null}' AS was_not_null
  FROM dbchange.evaluate($$
ALTER TABLE side ALTER COLUMN v TYPE bigint USING ssh_norm(v);
ALTER TABLE ledger ALTER COLUMN memo SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 2;
SELECT statement_no, facts#>'{subcommands,0,was_not_null}' AS was_not_null
  FROM dbchange.evaluate($$
CREATE INDEX side_norm_idx ON side (ssh_norm(v));
ALTER TABLE ledger ALTER COLUMN memo SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 2;
-- a constant DEFAULT read through a domain's CHECK (an array of the domain)
SELECT statement_no, facts#>'{subcommands,0,was_not_null}' AS was_not_null
  FROM dbchange.evaluate($$
ALTER TABLE side ADD COLUMN w ssh_pos[] DEFAULT '{1}';
ALTER TABLE ledger ALTER COLUMN memo SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 2;
-- what evaluates nothing still leaves the catalog's answer: a constant DEFAULT, an index of
-- columns, a NOT VALID CHECK
SELECT statement_no, facts#>'{subcommands,0,was_not_null}' AS was_not_null
  FROM dbchange.evaluate($$
ALTER TABLE side ADD COLUMN w int DEFAULT 0, ADD COLUMN w2 text DEFAULT 'x'::text;
CREATE INDEX side_v_idx ON side (v);
ALTER TABLE side ADD CONSTRAINT side_w_chk CHECK (ssh_norm(w) > 0) NOT VALID;
ALTER TABLE ledger ALTER COLUMN memo SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 4;
-- a parent's SET / DROP NOT NULL reaches its children
SELECT statement_no, facts#>'{subcommands,0,was_not_null}' AS was_not_null,
       facts#>'{subcommands,0,scans_table}' AS scans
  FROM dbchange.evaluate($$
ALTER TABLE books ALTER COLUMN memo DROP NOT NULL;
ALTER TABLE books_2024 ALTER COLUMN memo SET NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 2;
-- a child the script gives the table (INHERIT, CREATE TABLE ... INHERITS): DROP NOT NULL of a
-- column nullable here drops the child's NOT NULL too
SELECT statement_no, facts#>'{subcommands,0,was_not_null}' AS was_not_null,
       EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'column_changes: ban-drop-not-null:%') AS flagged
  FROM dbchange.evaluate($$
ALTER TABLE ledger_kid INHERIT ledger;
ALTER TABLE ledger ALTER COLUMN note DROP NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 2;
SELECT statement_no, facts#>'{subcommands,0,was_not_null}' AS was_not_null
  FROM dbchange.evaluate($$
CREATE TABLE ledger_2025 (note text NOT NULL) INHERITS (ledger);
ALTER TABLE ledger ALTER COLUMN note DROP NOT NULL;
$$, NULL, 'submit') WHERE statement_no = 2;

-- ==== submitted in prod: queued with the reason, not approved ====
SET ROLE ssh_dev;
SELECT dbchange.submit($$
ALTER TABLE orders DROP COLUMN customer_id;
ALTER TABLE orders ADD COLUMN customer_id bigint DEFAULT 1;
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
$$, 'customer id again') AS c1 \gset
SELECT dbchange.submit($$
ALTER TABLE orders ADD CONSTRAINT orders_total_pos CHECK (total > 0) NOT VALID;
ALTER TABLE orders RENAME TO orders_tmp;
ALTER TABLE orders_tmp VALIDATE CONSTRAINT orders_total_pos;
ALTER TABLE orders_tmp RENAME TO orders;
$$, 'total check') AS c2 \gset
-- the CHECK's code drops the NOT NULL: SET NOT NULL scans 120,000 rows under ACCESS EXCLUSIVE
SELECT dbchange.submit($$
ALTER TABLE side VALIDATE CONSTRAINT side_v_chk;
ALTER TABLE ledger ALTER COLUMN memo SET NOT NULL;
$$, 'memo not null again') AS c3 \gset
RESET ROLE;
SELECT status,
       EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'safe_constraints: adding-not-nullable-field:%') AS not_null_scan,
       (SELECT attnotnull FROM pg_attribute WHERE attrelid = 'ledger'::regclass AND attname = 'memo') AS memo_not_null
  FROM dbchange.change WHERE id = :c3;
SELECT id = :c1 AS first, status,
       EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'safe_constraints: adding-not-nullable-field:%') AS not_null_scan,
       EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'safe_constraints: validate-in-same-transaction:%') AS validate_locked
  FROM dbchange.change WHERE id IN (:c1, :c2) ORDER BY id;

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_script_state_holes;
DROP ROLE ssh_dev;
