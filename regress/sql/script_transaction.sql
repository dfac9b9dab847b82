-- What the earlier statements of a transaction leave for the later ones
-- (scriptstate.c): the locks the transaction holds (held_lock, so that
-- VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID
-- is judged as the blocking scan it is), the script's own BEGIN ... COMMIT,
-- and the CHECK (col IS NOT NULL) a script adds and validates, which lets a
-- later SET NOT NULL skip its scan.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_script_transaction;
DROP ROLE IF EXISTS stx_dev;
CREATE DATABASE regress_script_transaction;
\c regress_script_transaction
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
CREATE ROLE stx_dev LOGIN IN ROLE dbchange_developer;
GRANT ALL ON SCHEMA public TO stx_dev;
SET dbchange.enforce = off;
CREATE TABLE orders (id bigint PRIMARY KEY, email text, total numeric, customer_id bigint);
CREATE TABLE customers (id bigint PRIMARY KEY);
INSERT INTO orders SELECT g, 'x' || g, g, g FROM generate_series(1, 120000) g;
ANALYZE orders;
ALTER TABLE orders OWNER TO stx_dev;
ALTER TABLE customers OWNER TO stx_dev;
RESET dbchange.enforce;
\set src `cat lua_policies/safe_constraints.lua`
SELECT dbchange.set_policy('safe_constraints', :'src');
SELECT key, value FROM dbchange.configure(environment => 'prod', rollout => 'auto', default_action => 'approve')
 WHERE key IN ('environment', 'rollout') ORDER BY key;

-- statement by statement (psql -f): the safe pattern; each statement its own transaction
SELECT statement_no, action, facts->'in_transaction_block' AS in_block, facts->'held_lock' AS held,
       facts#>'{subcommands,0,has_validated_check}' AS proved, reasons
  FROM dbchange.evaluate($$
ALTER TABLE orders ADD CONSTRAINT orders_email_nn CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_email_nn;
ALTER TABLE orders ALTER COLUMN email SET NOT NULL;
$$);

-- the script's own BEGIN: one transaction; the VALIDATE scans under the ADD's lock
SELECT statement_no, command, action, risk, facts->'in_transaction_block' AS in_block,
       facts->'held_lock' AS held, facts->'held_lock_blocks_reads' AS blocks_reads,
       facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
BEGIN;
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;
CREATE INDEX CONCURRENTLY orders_email_idx ON orders (email);
COMMIT;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;
$$);
SELECT reasons FROM dbchange.evaluate($$
BEGIN;
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;
COMMIT;
$$) WHERE statement_no = 3;
-- a foreign key: SHARE ROW EXCLUSIVE (writes wait, reads do not)
SELECT statement_no, action, facts->'held_lock' AS held, facts->'held_lock_blocks_reads' AS blocks_reads
  FROM dbchange.evaluate($$
START TRANSACTION;
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;
$$) WHERE statement_no = 3;
-- LOCK TABLE, COMMIT AND CHAIN (locks released, still in a block), ROLLBACK
SELECT statement_no, command, facts->'in_transaction_block' AS in_block, facts->'held_lock' AS held,
       facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
BEGIN;
LOCK TABLE customers, orders IN SHARE MODE;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;
COMMIT AND CHAIN;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
ROLLBACK;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;
$$);

-- a change dbchange runs with a statement that must run at top level (CREATE INDEX CONCURRENTLY)
-- runs statement by statement, each in its own transaction: no lock is held from one to the next
SELECT statement_no, command, facts->'in_transaction_block' AS in_block, facts->'held_lock' AS held,
       facts->'held_lock_statement' AS by_statement
  FROM dbchange.evaluate($$
CREATE INDEX orders_total_idx ON orders (total);
CREATE INDEX CONCURRENTLY orders_email_idx ON orders (email);
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;
ALTER TABLE customers VALIDATE CONSTRAINT customers_x;
$$, NULL, 'submit');

-- the caller's own transaction: its locks count for an interactive dry run, not for a change run later
BEGIN;
SET LOCAL dbchange.enforce = off;
LOCK TABLE orders IN EXCLUSIVE MODE;
SELECT facts->'held_lock' AS held, facts->'held_lock_statement' AS by_statement, facts->'in_transaction_block' AS in_block
  FROM dbchange.evaluate('ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check');
SELECT facts->'held_lock' AS held
  FROM dbchange.evaluate('ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check', NULL, 'submit');
ROLLBACK;

-- submitted as one change: queued, with the reason
SET ROLE stx_dev;
SELECT dbchange.submit($$
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;
$$, 'total check') AS change_id \gset
RESET ROLE;
SELECT status, risk, reasons FROM dbchange.change WHERE id = :change_id;
-- split into two changes: each fine on its own (the second's SET NOT NULL uses the CHECK it validated)
SET ROLE stx_dev;
SELECT dbchange.submit('ALTER TABLE orders ADD CONSTRAINT orders_email_nn CHECK (email IS NOT NULL) NOT VALID',
                       'step 1') AS step1 \gset
SELECT dbchange.submit($$
ALTER TABLE orders VALIDATE CONSTRAINT orders_email_nn;
ALTER TABLE orders ALTER COLUMN email SET NOT NULL;
ALTER TABLE orders DROP CONSTRAINT orders_email_nn;
$$, 'step 2') AS step2 \gset
RESET ROLE;
SELECT id = :step1 AS step1, status, reasons FROM dbchange.change WHERE id IN (:step1, :step2) ORDER BY id;
SELECT attnotnull FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'email';

-- the proof is exact: what does not prove the column NOT NULL
SELECT statement_no, facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate($$
ALTER TABLE orders ADD CONSTRAINT c1 CHECK (total IS NOT NULL) NOT VALID;
ALTER TABLE orders ALTER COLUMN total SET NOT NULL;
ALTER TABLE orders ADD CONSTRAINT c2 CHECK (total IS NOT NULL OR id > 0);
ALTER TABLE orders ALTER COLUMN total SET NOT NULL;
ALTER TABLE orders ADD CHECK (total IS NOT NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;
ALTER TABLE orders ALTER COLUMN total SET NOT NULL;
ALTER TABLE customers ADD CONSTRAINT c3 CHECK (id IS NOT NULL AND total IS NOT NULL);
ALTER TABLE orders ALTER COLUMN total SET NOT NULL;
$$) WHERE statement_no IN (2, 4, 7, 9) ORDER BY statement_no;
SELECT statement_no, facts#>'{subcommands,0,has_validated_check}' AS proved
  FROM dbchange.evaluate($$
ALTER TABLE orders ADD CONSTRAINT c4 CHECK (customer_id IS NOT NULL AND total > 0);
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
ALTER TABLE orders DROP CONSTRAINT c4;
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
ALTER TABLE orders ADD CONSTRAINT c5 CHECK (total IS NOT NULL);
ALTER TABLE orders RENAME COLUMN total TO amount;
ALTER TABLE orders RENAME COLUMN customer_id TO total;
ALTER TABLE orders ALTER COLUMN total SET NOT NULL;
ALTER TABLE orders ADD CONSTRAINT c6 CHECK (customer_id IS NOT NULL);
BEGIN;
ALTER TABLE orders ADD CONSTRAINT c7 CHECK (total IS NOT NULL);
ROLLBACK;
ALTER TABLE orders ALTER COLUMN total SET NOT NULL;
$$) WHERE statement_no IN (2, 4, 8, 13) ORDER BY statement_no;

-- the usual fix of an int overflow, column and sequence in one script (in either order):
-- the sequence's limit after the script is what counts
SET dbchange.enforce = off;
CREATE TABLE counters (id serial PRIMARY KEY);
CREATE TABLE big_counters (id bigserial PRIMARY KEY);
RESET dbchange.enforce;
\set src `cat lua_policies/column_changes.lua`
SELECT dbchange.set_policy('column_changes', :'src');
SELECT statement_no, facts#>'{subcommands,0,sequence_limit}' AS seq_limit,
       facts#>'{subcommands,0,sequence_limits_type}' AS limits_type,
       facts#>'{subcommands,0,sequence_outruns_type}' AS outruns_type,
       EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'column_changes: serial-sequence-mismatch:%') AS flagged
  FROM dbchange.evaluate($$
ALTER TABLE counters ALTER COLUMN id TYPE bigint;
ALTER SEQUENCE counters_id_seq AS bigint;
ALTER SEQUENCE public.big_counters_id_seq AS integer;
ALTER TABLE big_counters ALTER COLUMN id TYPE integer;
$$) WHERE command = 'ALTER TABLE' ORDER BY statement_no;
-- half done: the sequence kept (or capped) below what the column now holds
SELECT statement_no, facts#>'{subcommands,0,sequence_limits_type}' AS limits_type,
       facts#>'{subcommands,0,sequence_outruns_type}' AS outruns_type,
       EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'column_changes: serial-sequence-mismatch:%') AS flagged
  FROM dbchange.evaluate($$
ALTER TABLE counters ALTER COLUMN id TYPE bigint;
ALTER SEQUENCE counters_id_seq MAXVALUE 1000000;
ALTER TABLE big_counters ALTER COLUMN id TYPE integer;
ALTER SEQUENCE other_seq AS integer;
$$) WHERE command = 'ALTER TABLE' ORDER BY statement_no;
SELECT dbchange.disable_policy('column_changes');

-- at the gate: the session's own locks, in a transaction block and inside a function
SELECT count(*) FROM dbchange.configure(environment => 'dev');
SET ROLE stx_dev;
BEGIN;
ALTER TABLE orders ADD CONSTRAINT orders_gate_check CHECK (total >= 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_gate_check;
COMMIT;
ALTER TABLE orders VALIDATE CONSTRAINT orders_gate_check;
CREATE FUNCTION public.revalidate() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE public.orders IN SHARE ROW EXCLUSIVE MODE;
  ALTER TABLE public.orders VALIDATE CONSTRAINT orders_gate_check;
END $$;
SELECT public.revalidate();
SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN note text;
RESET lock_timeout;
RESET ROLE;
SELECT facts->'lock_timeout' AS lock_timeout FROM dbchange.change WHERE statement = 'ALTER TABLE orders ADD COLUMN note text';
-- lock_timeout: the script's own SET; for a change run later only that (the session's is no fact)
SET lock_timeout = '1s';
SELECT statement_no, source, facts->'lock_timeout' AS lock_timeout
  FROM (VALUES ('interactive'), ('submit')) AS s(source),
       LATERAL dbchange.evaluate($$
ALTER TABLE orders ALTER COLUMN note SET DEFAULT '';
SET lock_timeout = '3s';
ALTER TABLE orders ALTER COLUMN note DROP DEFAULT;
SET LOCAL lock_timeout = 500;
ALTER TABLE orders ALTER COLUMN note SET DEFAULT '';
RESET lock_timeout;
ALTER TABLE orders ALTER COLUMN note DROP DEFAULT;
$$, NULL, s.source) WHERE command = 'ALTER TABLE' ORDER BY source, statement_no;
RESET lock_timeout;
SELECT statement, facts->'held_lock' AS held, facts->'held_lock_blocks_reads' AS blocks_reads,
       facts->'held_lock_statement' AS by_statement,
       EXISTS (SELECT FROM unnest(reasons) r WHERE r LIKE 'safe_constraints: validate-in-same-transaction:%') AS flagged
  FROM dbchange.change WHERE statement LIKE '%orders_gate_check%' ORDER BY id;

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_script_transaction;
DROP ROLE stx_dev;
