-- A protected table (stock protected_objects: public.payments, public.ledger_entries,
-- billing.*) that is a partition or an inheritance child is protected from the statements that
-- reach it through its parent, or through a schema dropped with CASCADE, exactly as from
-- those that name it: in prod a destructive one is rejected (critical) and changes nothing,
-- another is queued (critical).  ONLY, and partitions that are not protected, are not
-- refused by this rule.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_gate_protected_descendants;
CREATE DATABASE regress_gate_protected_descendants;
\c regress_gate_protected_descendants
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse

-- public.payments is a partition of pay_all; public.ledger_entries an inheritance child of
-- ledger; billing.inv_2024 (a protected schema) a partition of sales.inv.
CREATE TABLE pay_all (id int, at date, amount numeric, memo text) PARTITION BY RANGE (at);
CREATE TABLE pay_2023 PARTITION OF pay_all FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE payments PARTITION OF pay_all FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO pay_all SELECT g, '2023-06-01', g, 'm' FROM generate_series(1, 30) g;
INSERT INTO pay_all SELECT g, '2024-06-01', g, 'm' FROM generate_series(1, 40) g;
CREATE TABLE ledger (id int, amount numeric, memo text);
CREATE TABLE ledger_entries () INHERITS (ledger);
INSERT INTO ledger SELECT g, g, 'm' FROM generate_series(1, 5) g;
INSERT INTO ledger_entries SELECT g, g, 'm' FROM generate_series(1, 50) g;
CREATE SCHEMA sales;
CREATE SCHEMA billing;
CREATE TABLE sales.inv (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE billing.inv_2024 PARTITION OF sales.inv FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO sales.inv SELECT g, '2024-02-01' FROM generate_series(1, 20) g;
CREATE TABLE other_all (id int) PARTITION BY LIST (id);
CREATE TABLE other_1 PARTITION OF other_all FOR VALUES IN (1);

-- The stock protected_objects and destructive_changes policies, in prod.
\set src `cat lua_policies/protected_objects.lua`
SELECT dbchange.set_policy('protected_objects', :'src');
\set src `cat lua_policies/destructive_changes.lua`
SELECT dbchange.set_policy('destructive_changes', :'src');
SELECT key, value FROM dbchange.configure(environment => 'prod', default_action => 'approve')
 WHERE key IN ('environment', 'default_action') ORDER BY key;

-- What the library decides, and whether protected_objects speaks (its reason names the
-- protected table and the parent the statement names).
\set script 'DROP TABLE pay_all; DROP TABLE ledger CASCADE; DROP SCHEMA public CASCADE; DROP SCHEMA sales CASCADE; TRUNCATE pay_all; TRUNCATE ledger; ALTER TABLE pay_all DROP COLUMN memo; ALTER TABLE ledger DROP COLUMN memo; ALTER TABLE pay_all ALTER COLUMN amount TYPE bigint; ALTER TABLE ledger ALTER COLUMN amount TYPE int USING 0; ALTER TABLE pay_all ADD COLUMN note text; CREATE INDEX ON pay_all (at); TRUNCATE ONLY ledger; TRUNCATE pay_2023; DROP TABLE other_all; ALTER TABLE ONLY ledger ADD COLUMN note text; ALTER TABLE pay_all OWNER TO CURRENT_USER'
SELECT statement_no, statement, action, risk,
       (SELECT string_agg(r, ' | ') FROM unnest(reasons) r WHERE r LIKE '%protected-object%') AS protected_reason
  FROM dbchange.evaluate(:'script', 'prod') ORDER BY statement_no;

-- At the gate: each destructive statement is rejected (ZC002), the type change queued (ZC001).
\set VERBOSITY sqlstate
DROP TABLE pay_all;
DROP TABLE ledger CASCADE;
DROP SCHEMA public CASCADE;
DROP SCHEMA sales CASCADE;
TRUNCATE pay_all;
TRUNCATE ledger;
ALTER TABLE pay_all DROP COLUMN memo;
ALTER TABLE ledger DROP COLUMN memo;
ALTER TABLE ledger ALTER COLUMN amount TYPE int USING 0;
ALTER TABLE pay_all ALTER COLUMN amount TYPE bigint;
\set VERBOSITY terse
SELECT status, command, risk,
       (SELECT string_agg(r, ' | ') FROM unnest(reasons) r WHERE r LIKE '%protected-object%') AS protected_reason
  FROM dbchange.changes ORDER BY id;
-- Nothing changed: every table, row and column is still there, the types unchanged.
SELECT (SELECT count(*) FROM pay_2023) AS pay_2023, (SELECT count(*) FROM payments) AS payments,
       (SELECT count(*) FROM ONLY ledger) AS ledger_own, (SELECT count(*) FROM ledger_entries) AS ledger_entries,
       (SELECT count(*) FROM billing.inv_2024) AS inv_2024;
SELECT a.attrelid::regclass AS relation,
       string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) AS columns
  FROM pg_attribute a
 WHERE a.attrelid IN ('pay_all'::regclass, 'pay_2023'::regclass, 'payments'::regclass, 'ledger'::regclass,
                      'ledger_entries'::regclass, 'sales.inv'::regclass, 'billing.inv_2024'::regclass)
   AND a.attnum > 0 AND NOT a.attisdropped
 GROUP BY a.attrelid ORDER BY a.attrelid::regclass::text;

-- Not refused by this rule: TRUNCATE ONLY of the inheritance parent, statements on a partition
-- or a partitioned table with nothing protected below (destructive_changes, which would queue
-- them in prod, is switched off to let them run).
SELECT dbchange.disable_policy('destructive_changes');
TRUNCATE ONLY ledger;
TRUNCATE pay_2023;
DROP TABLE other_all;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 3;
SELECT (SELECT count(*) FROM ONLY ledger) AS ledger_own, (SELECT count(*) FROM ledger_entries) AS ledger_entries,
       (SELECT count(*) FROM pay_2023) AS pay_2023, (SELECT count(*) FROM payments) AS payments,
       to_regclass('other_all') AS other_all;
