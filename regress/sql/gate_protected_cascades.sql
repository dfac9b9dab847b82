-- A protected table (stock protected_objects: public.payments, public.ledger_entries,
-- billing.*) is protected from the statements that destroy or lock its data or objects through
-- another name, exactly as from those that name it: TRUNCATE ... CASCADE of a table it
-- references by foreign key, DROP ... CASCADE of a table, view, function or type it (or a
-- view in a protected schema) depends on, DROP INDEX / DROP TRIGGER of its partitioned parent,
-- VACUUM FULL / CLUSTER / REINDEX of that parent.  In prod a destructive one is rejected
-- (critical) and changes nothing, another is queued (critical); the reason names the
-- protected object and what the statement names.  Statements that reach nothing protected are
-- not refused by this rule.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_gate_protected_cascades;
CREATE DATABASE regress_gate_protected_cascades;
\c regress_gate_protected_cascades
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse

-- payments references accounts and has a column of type mood; billing.fees (a protected
-- schema) is a view on fee(); ledger_entries is a partition of ledger_all, which has an index
-- and a row trigger.  customers/orders and other_all reach nothing protected.
CREATE TYPE mood AS ENUM ('calm', 'angry');
CREATE TABLE accounts (id int PRIMARY KEY);
CREATE TABLE payments (id int, account int REFERENCES accounts, amount numeric, m mood);
INSERT INTO accounts SELECT generate_series(1, 10);
INSERT INTO payments SELECT g, g, g, 'calm' FROM generate_series(1, 10) g;
CREATE FUNCTION fee(numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'select $1 / 100';
CREATE VIEW base_v AS SELECT id, fee(amount) AS fee FROM accounts JOIN (VALUES (1::numeric)) v(amount) ON true;
CREATE SCHEMA billing;
CREATE VIEW billing.fees AS SELECT * FROM base_v;
CREATE TABLE ledger_all (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE ledger_2023 PARTITION OF ledger_all FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE ledger_entries PARTITION OF ledger_all FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO ledger_all SELECT g, '2024-03-01' FROM generate_series(1, 30) g;
CREATE INDEX ledger_all_at ON ledger_all (at);
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';
CREATE TRIGGER ledger_row BEFORE INSERT ON ledger_all FOR EACH ROW EXECUTE FUNCTION trg();
CREATE TABLE customers (id int PRIMARY KEY);
CREATE TABLE orders (customer int REFERENCES customers);
INSERT INTO customers VALUES (1);
INSERT INTO orders VALUES (1);
CREATE VIEW cust_v AS SELECT * FROM customers;
CREATE VIEW cust_v2 AS SELECT * FROM cust_v;
CREATE TABLE other_all (id int) PARTITION BY LIST (id);
CREATE TABLE other_1 PARTITION OF other_all FOR VALUES IN (1);
CREATE INDEX other_all_id ON other_all (id);

-- The stock protected_objects and destructive_changes policies, in prod.
\set src `cat lua_policies/protected_objects.lua`
SELECT dbchange.set_policy('protected_objects', :'src');
\set src `cat lua_policies/destructive_changes.lua`
SELECT dbchange.set_policy('destructive_changes', :'src');
SELECT key, value FROM dbchange.configure(environment => 'prod', default_action => 'approve')
 WHERE key IN ('environment', 'default_action') ORDER BY key;

-- What the library decides, and what protected_objects says.
\set script 'TRUNCATE accounts CASCADE; DROP TABLE accounts CASCADE; DROP TYPE mood CASCADE; DROP FUNCTION fee(numeric) CASCADE; DROP VIEW base_v CASCADE; DROP INDEX ledger_all_at; DROP TRIGGER ledger_row ON ledger_all; VACUUM FULL ledger_all; CLUSTER ledger_all USING ledger_all_at; REINDEX TABLE ledger_all; TRUNCATE customers CASCADE; DROP VIEW cust_v CASCADE; DROP INDEX other_all_id; VACUUM FULL other_all; TRUNCATE accounts'
SELECT statement_no, statement, action, risk,
       (SELECT string_agg(r, ' | ') FROM unnest(reasons) r WHERE r LIKE '%protected-object%') AS protected_reason
  FROM dbchange.evaluate(:'script', 'prod') ORDER BY statement_no;
-- destructive_changes' ban-cascade names what CASCADE takes along.
SELECT (SELECT string_agg(r, ' | ') FROM unnest(reasons) r WHERE r LIKE 'destructive_changes%ban-cascade%') AS ban_cascade
  FROM dbchange.evaluate('TRUNCATE accounts CASCADE; DROP TYPE mood CASCADE', 'prod') ORDER BY statement_no;

-- At the gate: each destructive statement is rejected (ZC002), VACUUM FULL / CLUSTER / REINDEX
-- queued (ZC001).
\set VERBOSITY sqlstate
TRUNCATE accounts CASCADE;
DROP TABLE accounts CASCADE;
DROP TYPE mood CASCADE;
DROP FUNCTION fee(numeric) CASCADE;
DROP VIEW base_v CASCADE;
DROP INDEX ledger_all_at;
DROP TRIGGER ledger_row ON ledger_all;
CLUSTER ledger_all USING ledger_all_at;
REINDEX TABLE ledger_all;
\set VERBOSITY terse
SELECT status, command, risk,
       (SELECT string_agg(r, ' | ') FROM unnest(reasons) r WHERE r LIKE '%protected-object%') AS protected_reason
  FROM dbchange.changes ORDER BY id;
-- Nothing changed: rows, columns, constraints, views, indexes and triggers are all there.
SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM payments) AS payments,
       (SELECT count(*) FROM ledger_entries) AS ledger_entries,
       (SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
          FROM pg_attribute WHERE attrelid = 'payments'::regclass AND attnum > 0 AND NOT attisdropped) AS payments_columns,
       (SELECT count(*) FROM pg_constraint WHERE conrelid = 'payments'::regclass AND contype = 'f') AS payments_fks,
       to_regclass('billing.fees') AS fees_view, to_regclass('ledger_entries_at_idx') AS partition_index,
       (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'ledger_entries'::regclass AND tgname = 'ledger_row') AS partition_trigger;

-- Not refused by this rule: the same statements reaching nothing protected (destructive_changes,
-- which rejects CASCADE in prod, is switched off to let them run).
SELECT dbchange.disable_policy('destructive_changes');
TRUNCATE customers CASCADE;
DROP VIEW cust_v CASCADE;
DROP INDEX other_all_id;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 3;
SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM orders) AS orders,
       to_regclass('cust_v2') AS cust_v2, to_regclass('other_1_id_idx') AS other_partition_index;

-- DROP OWNED / REASSIGN OWNED name roles, not objects: the objects the roles own in this
-- database are listed (owned_objects), so DROP OWNED of the owner of a protected table is
-- rejected like DROP TABLE of it, and REASSIGN OWNED, which hands it to another role, is
-- queued.  Neither changes anything.
CREATE ROLE regress_pc_alice;
CREATE ROLE regress_pc_bob;
SET dbchange.enforce = off;
CREATE SCHEMA alices AUTHORIZATION regress_pc_alice;
ALTER TABLE payments OWNER TO regress_pc_alice;
ALTER FUNCTION trg() OWNER TO regress_pc_alice;
CREATE TABLE bobs_t (id int);
ALTER TABLE bobs_t OWNER TO regress_pc_bob;
SET dbchange.enforce = on;
SELECT e->>'object_type' AS object_type, e->>'identity' AS identity, e->'rows' AS rows,
       f.facts->'owned_object_count' AS count
  FROM dbchange.evaluate('DROP OWNED BY regress_pc_alice', 'prod') f,
       jsonb_array_elements(f.facts->'owned_objects') e;
SELECT statement, action, risk, reasons
  FROM dbchange.evaluate('DROP OWNED BY regress_pc_bob; DROP OWNED BY no_such_role; DROP OWNED BY public', 'prod');
DROP OWNED BY regress_pc_alice;
REASSIGN OWNED BY regress_pc_alice TO regress_pc_bob;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 2;
SELECT pg_get_userbyid(relowner) AS payments_owner, (SELECT count(*) FROM payments) AS payments,
       to_regnamespace('alices') AS alices FROM pg_class WHERE oid = 'payments'::regclass;
-- bob owns nothing protected: his DROP OWNED is not refused by this rule
DROP OWNED BY regress_pc_bob;
SELECT to_regclass('bobs_t') AS bobs_t;
SET dbchange.enforce = off;
REASSIGN OWNED BY regress_pc_alice TO CURRENT_USER;
DROP ROLE regress_pc_alice;
DROP ROLE regress_pc_bob;

-- Statements that process every table of the database, a schema or a tablespace without
-- naming one reach the protected tables too: queued (critical), "(perhaps)" since the facts
-- cannot list what they reach.  REINDEX of another schema is not refused by this rule.
SET dbchange.enforce = on;
VACUUM FULL;
CLUSTER;
REINDEX SCHEMA public;
ALTER TABLE ALL IN TABLESPACE pg_default SET TABLESPACE pg_default;
CREATE SCHEMA plain_s;
REINDEX SCHEMA plain_s;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 6;
-- ... and privileges on every table of a schema holding a protected one, or its ownership
-- (the owner of a schema can drop anything in it), queued like a GRANT on the table itself
CREATE ROLE regress_pc_carol;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO regress_pc_carol;
ALTER SCHEMA public OWNER TO regress_pc_carol;
GRANT SELECT ON ALL TABLES IN SCHEMA plain_s TO regress_pc_carol;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 3;
SELECT has_table_privilege('regress_pc_carol', 'payments', 'SELECT') AS carol_reads_payments,
       pg_get_userbyid(nspowner) AS public_owner FROM pg_namespace WHERE nspname = 'public';
SET dbchange.enforce = off;
REVOKE ALL ON ALL TABLES IN SCHEMA plain_s FROM regress_pc_carol;
DROP ROLE regress_pc_carol;

-- A function a protected table uses, replaced or altered: the table's trigger, CHECK
-- constraint or default runs the new body (one returning NULL from a BEFORE trigger drops
-- every row written).  The objects that use it are listed (used_by) and the change is
-- queued (critical); the body is unchanged.  A function nothing protected uses is not
-- refused by this rule.
CREATE FUNCTION pay_guard() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';
CREATE FUNCTION positive(numeric) RETURNS bool IMMUTABLE LANGUAGE sql AS 'select $1 > 0';
CREATE FUNCTION unused_f() RETURNS int LANGUAGE sql AS 'select 1';
SET dbchange.enforce = off;
CREATE TRIGGER pay_guard BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION pay_guard();
ALTER TABLE payments ADD CONSTRAINT pay_positive CHECK (positive(amount));
SET dbchange.enforce = on;
SELECT e->>'object_type' AS object_type, e->>'identity' AS identity, e->>'table' AS "table",
       f.facts->'used_by_count' AS count
  FROM dbchange.evaluate($$CREATE OR REPLACE FUNCTION pay_guard() RETURNS trigger LANGUAGE plpgsql
                           AS 'begin return null; end'; ALTER FUNCTION positive(numeric) COST 5$$, 'prod') f,
       jsonb_array_elements(f.facts->'used_by') e;
CREATE OR REPLACE FUNCTION pay_guard() RETURNS trigger LANGUAGE plpgsql AS 'begin return null; end';
ALTER FUNCTION positive(numeric) SECURITY DEFINER;
CREATE OR REPLACE FUNCTION unused_f() RETURNS int LANGUAGE sql AS 'select 2';
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 3;
SELECT prosrc, prosecdef FROM pg_proc WHERE proname IN ('pay_guard', 'positive') ORDER BY proname;

-- A publication of every table, or of a schema holding a protected one, would send its rows
-- to the subscribers: queued (critical).
CREATE PUBLICATION pub_all FOR ALL TABLES;
CREATE PUBLICATION pub_public FOR TABLES IN SCHEMA public;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 2;
SELECT count(*) AS publications FROM pg_publication;

-- An enum value renamed renames it in every column of the type (payments.m is a mood), and
-- a domain's constraints are those of every column of the domain: queued (critical), and a
-- domain constraint dropped is rejected in prod.  Nothing changes.
CREATE DOMAIN positive_amount AS numeric CHECK (VALUE > 0);
SET dbchange.enforce = off;
ALTER TABLE payments ADD COLUMN fee positive_amount;
SET dbchange.enforce = on;
ALTER TYPE mood RENAME VALUE 'calm' TO 'serene';
ALTER DOMAIN positive_amount DROP CONSTRAINT positive_amount_check;
ALTER DOMAIN positive_amount SET DEFAULT 1;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 3;
SELECT (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'mood'::regtype) AS mood,
       (SELECT count(*) FROM pg_constraint WHERE contypid = 'positive_amount'::regtype) AS domain_checks;

-- An attribute of a composite type is one of every column of the type (payments.addr): one
-- dropped takes its values out of payments (rejected in prod), one added, altered or renamed
-- is queued (critical).  A sequence a protected table's default or identity column draws from,
-- restarted or limited, is queued.  Nothing changes; an unused type or sequence is not
-- refused by this rule.
CREATE TYPE addr AS (street text, zip text);
CREATE SEQUENCE pay_ref;
CREATE TYPE free_t AS (a int);
CREATE SEQUENCE free_seq;
SET dbchange.enforce = off;
ALTER TABLE payments ADD COLUMN addr addr, ADD COLUMN ref int DEFAULT nextval('pay_ref'),
  ADD COLUMN n int GENERATED BY DEFAULT AS IDENTITY;
UPDATE payments SET addr = ('main st', '12345');
SET dbchange.enforce = on;
SELECT statement, e->>'object_type' AS object_type, e->>'identity' AS identity, e->>'table' AS "table"
  FROM dbchange.evaluate($$ALTER TYPE addr DROP ATTRIBUTE zip; ALTER SEQUENCE pay_ref RESTART;
                           ALTER SEQUENCE payments_n_seq AS smallint$$, 'prod') f,
       jsonb_array_elements(f.facts->'used_by') e ORDER BY statement_no, identity;
ALTER TYPE addr DROP ATTRIBUTE zip;
ALTER TYPE addr RENAME ATTRIBUTE zip TO postcode;
ALTER SEQUENCE pay_ref RESTART;
ALTER SEQUENCE payments_n_seq MAXVALUE 12;
ALTER TYPE free_t ADD ATTRIBUTE b int;
ALTER SEQUENCE free_seq RESTART;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 6;
SELECT (addr).zip, ref, n FROM payments ORDER BY id LIMIT 1;

-- A protected table made a member of an extension (DROP EXTENSION drops its members, pg_dump
-- leaves them out) is queued (critical); DROP EXTENSION of an extension it is a member of,
-- CASCADE or not, is rejected in prod and payments stays.  ALTER DEFAULT PRIVILEGES IN
-- SCHEMA of a protected schema (every table created there gets them) is queued.
SET dbchange.enforce = off;
CREATE EXTENSION pgcrypto;
SET dbchange.enforce = on;
ALTER EXTENSION pgcrypto ADD TABLE payments;
SET dbchange.enforce = off;
ALTER EXTENSION pgcrypto ADD TABLE payments;
SET dbchange.enforce = on;
SELECT e->>'object_type' AS object_type, e->>'identity' AS identity, (f.facts->>'member_count')::int > 1 AS with_others
  FROM dbchange.evaluate('DROP EXTENSION pgcrypto', 'prod') f, jsonb_array_elements(f.facts->'members') e
 WHERE e->>'object_type' <> 'function';
DROP EXTENSION pgcrypto;
ALTER DEFAULT PRIVILEGES IN SCHEMA billing GRANT SELECT ON TABLES TO PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA plain_s GRANT SELECT ON TABLES TO PUBLIC;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 4;
SELECT to_regclass('payments') AS payments, (SELECT count(*) FROM payments) AS rows,
       (SELECT count(*) FROM pg_default_acl) AS default_acls;
SET dbchange.enforce = off;
ALTER EXTENSION pgcrypto DROP TABLE payments;
DROP EXTENSION pgcrypto;
ALTER DEFAULT PRIVILEGES IN SCHEMA plain_s REVOKE SELECT ON TABLES FROM PUBLIC;

-- A rule on another table whose actions write a protected one runs them on every matching
-- statement there: DO INSTEAD DELETE FROM payments on customers' INSERT would empty payments
-- at the next insert.  The tables its actions write are listed (writes): queued (critical).
-- A rule that writes nothing protected is not refused by this rule.
SET dbchange.enforce = on;
CREATE RULE wipe AS ON INSERT TO customers DO INSTEAD DELETE FROM payments;
CREATE RULE also_log AS ON UPDATE TO customers DO ALSO (INSERT INTO orders VALUES (NULL); UPDATE payments SET amount = 0);
CREATE RULE quiet AS ON DELETE TO customers DO INSTEAD NOTHING;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 3;
SELECT rulename FROM pg_rules WHERE tablename = 'customers' ORDER BY 1;
SET dbchange.enforce = off;
DROP RULE quiet ON customers;

-- Membership in the role that owns a protected table, or a login for it, gives whoever holds
-- it the owner's rights (drop, alter, read everything): GRANT of that role and ALTER ROLE of
-- it are queued (critical); the same for a role that owns nothing protected is not refused.
CREATE ROLE regress_pc_payowner;
CREATE ROLE regress_pc_dave;
SET dbchange.enforce = off;
ALTER TABLE payments OWNER TO regress_pc_payowner;
SET dbchange.enforce = on;
GRANT regress_pc_payowner TO regress_pc_dave;
ALTER ROLE regress_pc_payowner LOGIN;
GRANT regress_pc_dave TO regress_pc_payowner;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 3;
SELECT pg_has_role('regress_pc_dave', 'regress_pc_payowner', 'MEMBER') AS dave_is_owner,
       rolcanlogin AS owner_logs_in FROM pg_roles WHERE rolname = 'regress_pc_payowner';
SET dbchange.enforce = off;
REVOKE regress_pc_dave FROM regress_pc_payowner;
ALTER TABLE payments OWNER TO CURRENT_USER;
DROP ROLE regress_pc_payowner;
DROP ROLE regress_pc_dave;

-- A text search configuration that a protected table's generated column parses with: its
-- mappings decide what the column holds, so ALTER TEXT SEARCH CONFIGURATION is queued.
CREATE TEXT SEARCH CONFIGURATION pay_search (COPY = simple);
SET dbchange.enforce = off;
ALTER TABLE payments ADD COLUMN doc tsvector GENERATED ALWAYS AS (to_tsvector('pay_search', 'x')) STORED;
SET dbchange.enforce = on;
SELECT e->>'object_type' AS object_type, e->>'identity' AS identity
  FROM dbchange.evaluate('ALTER TEXT SEARCH CONFIGURATION pay_search DROP MAPPING FOR word', 'prod') f,
       jsonb_array_elements(f.facts->'used_by') e;
ALTER TEXT SEARCH CONFIGURATION pay_search DROP MAPPING FOR word;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 1;

-- An index's comment is its table's, as DROP INDEX's table is: COMMENT ON INDEX of an index of
-- a protected table is queued (critical), like COMMENT ON TABLE of it.
SET dbchange.enforce = off;
CREATE INDEX payments_amount_idx ON payments (amount);
SET dbchange.enforce = on;
SELECT f.facts->>'table' AS "table", f.action, f.risk
  FROM dbchange.evaluate('COMMENT ON INDEX payments_amount_idx IS ''by amount''', 'prod') f;
COMMENT ON INDEX payments_amount_idx IS 'by amount';
SELECT obj_description('payments_amount_idx'::regclass, 'pg_class') AS index_comment;

-- A view reads its tables with its owner's rights: GRANT SELECT on a view over payments (or
-- over a view over it), ALTER VIEW ... OWNER TO, a materialized view's grant, a view in an
-- unprotected schema granted ON ALL TABLES IN SCHEMA, and a trigger or rule on such a view
-- reach payments as GRANT SELECT ON payments does (fact reads: the relations the view's query
-- reads, through views over views): queued (critical).  CREATE OR REPLACE VIEW of a view
-- already granted to PUBLIC with a query over payments, CREATE MATERIALIZED VIEW and CREATE
-- TABLE AS reading it are queued too.  The same on a view over customers is approved.
CREATE ROLE regress_pc_mallory;
SET dbchange.enforce = off;
CREATE VIEW pay_v AS SELECT id, amount FROM payments;
CREATE SCHEMA reports;
CREATE VIEW reports.pay_v2 AS SELECT id FROM pay_v;
CREATE MATERIALIZED VIEW pay_mv AS SELECT id FROM payments;
CREATE VIEW cust_pub AS SELECT id FROM customers;
CREATE VIEW cust_pub2 AS SELECT id FROM cust_pub;
GRANT SELECT ON cust_pub TO PUBLIC;
SET dbchange.enforce = on;
SELECT e->>'object_type' AS object_type, e->>'identity' AS identity, e->>'read_by' AS read_by,
       f.facts->'reads_count' AS reads_count, f.facts->'reads_complete' AS complete
  FROM dbchange.evaluate('GRANT SELECT ON reports.pay_v2 TO PUBLIC', 'prod') f,
       jsonb_array_elements(f.facts->'reads') e ORDER BY 2;
\set VERBOSITY sqlstate
GRANT SELECT ON pay_v TO PUBLIC;
GRANT SELECT ON reports.pay_v2 TO regress_pc_mallory;
GRANT SELECT ON pay_mv TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA reports TO PUBLIC;
ALTER VIEW pay_v OWNER TO regress_pc_mallory;
ALTER VIEW pay_v SET (security_invoker = true);
CREATE RULE pay_v_ins AS ON INSERT TO pay_v DO INSTEAD NOTHING;
CREATE OR REPLACE VIEW cust_pub AS SELECT id FROM payments;
CREATE VIEW pay_v3 AS SELECT * FROM customers WHERE EXISTS (SELECT FROM reports.pay_v2);
CREATE MATERIALIZED VIEW pay_mv2 AS SELECT * FROM payments;
CREATE TABLE pay_copy AS SELECT * FROM payments;
SELECT * INTO pay_copy2 FROM pay_v;
\set VERBOSITY terse
GRANT SELECT ON cust_pub2 TO PUBLIC;
CREATE VIEW cust_pub3 AS SELECT * FROM cust_pub2;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 14;
-- Nothing changed: no privilege on the views, their owner and definitions are as they were.
SELECT c.relname, c.relacl, pg_get_userbyid(c.relowner) = current_user AS owner_unchanged, c.reloptions
  FROM pg_class c WHERE c.relname IN ('pay_v', 'pay_v2', 'pay_mv', 'cust_pub') ORDER BY 1;
SELECT pg_get_viewdef('cust_pub') AS cust_pub, to_regclass('pay_copy2') AS pay_copy2, to_regclass('pay_v3') AS pay_v3, to_regclass('pay_mv2') AS pay_mv2,
       to_regclass('pay_copy') AS pay_copy, (SELECT count(*) FROM pg_rules WHERE tablename = 'pay_v') AS pay_v_rules;
SET dbchange.enforce = off;
DROP VIEW cust_pub3, cust_pub2, cust_pub;
DROP SCHEMA reports CASCADE;
DROP MATERIALIZED VIEW pay_mv;
DROP VIEW pay_v;
DROP ROLE regress_pc_mallory;

-- An extended statistics object of a protected table: DROP STATISTICS (destructive) is
-- rejected, ALTER STATISTICS queued; the statistics object's table is the statement's table.
-- An index of a protected table dropped after another table's index is rejected too (each
-- index's table is in objects).  The same for customers' statistics is approved.
SET dbchange.enforce = off;
CREATE STATISTICS pay_st ON account, amount FROM payments;
CREATE STATISTICS cust_st (ndistinct) ON id, (id + 1) FROM customers;
CREATE INDEX cust_idx ON customers (id);
SET dbchange.enforce = on;
\set VERBOSITY sqlstate
DROP STATISTICS pay_st;
DROP STATISTICS cust_st, pay_st;
ALTER STATISTICS pay_st SET STATISTICS 0;
ALTER STATISTICS pay_st OWNER TO CURRENT_USER;
DROP INDEX cust_idx, payments_amount_idx;
\set VERBOSITY terse
ALTER STATISTICS cust_st SET STATISTICS 0;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 6;
SELECT stxname, stxstattarget FROM pg_statistic_ext ORDER BY 1;
SELECT to_regclass('cust_idx') AS cust_idx, to_regclass('payments_amount_idx') AS payments_amount_idx;
SET dbchange.enforce = off;
DROP STATISTICS cust_st, pay_st;
DROP INDEX cust_idx;

-- A sequence a protected table's default or identity column draws from: UPDATE (or ALL) on it
-- lets the grantee setval() it, and so decide which ids payments gets next (colliding or
-- skipped ones), and so may its owner.  GRANT/REVOKE on it (ON SEQUENCE, or ON TABLE naming
-- it) and ALTER SEQUENCE / ALTER TABLE ... OWNER TO of it list its users (used_by) as ALTER
-- SEQUENCE ... RESTART does: queued (critical), nothing granted, the owner unchanged.  The
-- same on a sequence nothing protected uses is not refused by this rule.
CREATE ROLE regress_pc_mallory;
SELECT statement, e->>'object_type' AS object_type, e->>'identity' AS identity, e->>'table' AS "table"
  FROM dbchange.evaluate($$GRANT UPDATE ON SEQUENCE payments_n_seq TO regress_pc_mallory;
                           ALTER SEQUENCE pay_ref OWNER TO regress_pc_mallory$$, 'prod') f,
       jsonb_array_elements(f.facts->'used_by') e ORDER BY statement_no;
SET dbchange.enforce = on;
\set VERBOSITY sqlstate
GRANT UPDATE ON SEQUENCE payments_n_seq TO regress_pc_mallory;
GRANT ALL ON SEQUENCE pay_ref TO regress_pc_mallory;
GRANT UPDATE ON pay_ref TO regress_pc_mallory;
REVOKE ALL ON SEQUENCE payments_n_seq FROM PUBLIC;
ALTER SEQUENCE pay_ref OWNER TO regress_pc_mallory;
ALTER TABLE pay_ref OWNER TO regress_pc_mallory;
\set VERBOSITY terse
GRANT ALL ON SEQUENCE free_seq TO regress_pc_mallory;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 7;
SELECT c.relname, c.relacl, pg_get_userbyid(c.relowner) = current_user AS owner_unchanged
  FROM pg_class c WHERE c.relname IN ('payments_n_seq', 'pay_ref', 'free_seq') ORDER BY 1;
SET dbchange.enforce = off;
REVOKE ALL ON SEQUENCE free_seq FROM regress_pc_mallory;

-- The same through ON ALL SEQUENCES IN SCHEMA, of a schema that holds nothing protected but
-- the sequence payments (in public) draws its ids from: the schema's sequences' users are
-- listed (used_by), queued (critical), nothing granted.  A schema of unused sequences is not
-- refused by this rule.
CREATE SCHEMA pc_ids;
CREATE SEQUENCE pc_ids.pay_code;
CREATE SCHEMA pc_free_ids;
CREATE SEQUENCE pc_free_ids.unused;
ALTER TABLE payments ADD COLUMN code bigint DEFAULT nextval('pc_ids.pay_code');
SELECT statement, e->>'object_type' AS object_type, e->>'identity' AS identity, e->>'table' AS "table"
  FROM dbchange.evaluate($$GRANT UPDATE ON ALL SEQUENCES IN SCHEMA pc_free_ids, pc_ids TO regress_pc_mallory$$,
                         'prod') f,
       jsonb_array_elements(f.facts->'used_by') e;
SET dbchange.enforce = on;
\set VERBOSITY sqlstate
GRANT UPDATE ON ALL SEQUENCES IN SCHEMA pc_free_ids, pc_ids TO regress_pc_mallory;
\set VERBOSITY terse
GRANT ALL ON ALL SEQUENCES IN SCHEMA pc_free_ids TO regress_pc_mallory;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 2;
SELECT c.relname, c.relacl IS NOT NULL AS granted
  FROM pg_class c WHERE c.relname IN ('pay_code', 'unused') ORDER BY 1;
SET dbchange.enforce = off;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA pc_free_ids FROM regress_pc_mallory;
ALTER TABLE payments DROP COLUMN code;
DROP SCHEMA pc_ids CASCADE;
DROP SCHEMA pc_free_ids CASCADE;

-- The owner role of a view over payments: the view reads payments with its owner's rights, so
-- whoever is given the view (REASSIGN OWNED), joins its owner (GRANT role) or logs in as it
-- (ALTER ROLE ... LOGIN) may grant it or replace its query, as ALTER VIEW ... OWNER TO
-- allows.  Those statements list what the roles' views read (reads, read_by the owned view,
-- through views over views): queued (critical), the views keep their owner, mallory is no
-- member.  The same for the owner of a view over customers is not refused by this rule.
CREATE ROLE regress_pc_viewowner;
CREATE ROLE regress_pc_custowner;
CREATE VIEW pay_ov AS SELECT id, amount FROM payments;
CREATE VIEW pay_ov2 AS SELECT id FROM pay_ov;
CREATE VIEW cust_ov AS SELECT id FROM customers;
ALTER VIEW pay_ov2 OWNER TO regress_pc_viewowner;
ALTER VIEW cust_ov OWNER TO regress_pc_custowner;
SET dbchange.enforce = on;
SELECT statement, e->>'object_type' AS object_type, e->>'identity' AS identity, e->>'read_by' AS read_by,
       f.facts->'reads_count' AS reads_count, f.facts->'reads_complete' AS complete
  FROM dbchange.evaluate($$GRANT regress_pc_viewowner TO regress_pc_mallory;
                           REASSIGN OWNED BY regress_pc_custowner TO regress_pc_mallory$$, 'prod') f,
       jsonb_array_elements(f.facts->'reads') e ORDER BY statement_no, identity;
\set VERBOSITY sqlstate
GRANT regress_pc_viewowner TO regress_pc_mallory;
REASSIGN OWNED BY regress_pc_viewowner TO regress_pc_mallory;
ALTER ROLE regress_pc_viewowner LOGIN;
\set VERBOSITY terse
GRANT regress_pc_custowner TO regress_pc_mallory;
REASSIGN OWNED BY regress_pc_custowner TO regress_pc_mallory;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 5;
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
 WHERE c.relname IN ('pay_ov', 'pay_ov2', 'cust_ov') ORDER BY 1;
SELECT pg_has_role('regress_pc_mallory', 'regress_pc_viewowner', 'MEMBER') AS mallory_is_viewowner,
       rolcanlogin AS viewowner_logs_in FROM pg_roles WHERE rolname = 'regress_pc_viewowner';
SET dbchange.enforce = off;
DROP VIEW pay_ov2, pay_ov, cust_ov;
REVOKE regress_pc_custowner FROM regress_pc_mallory;
DROP ROLE regress_pc_viewowner;
DROP ROLE regress_pc_custowner;
DROP ROLE regress_pc_mallory;

-- ALTER TABLE ... DROP COLUMN / DROP CONSTRAINT ... CASCADE (session 26): what it takes along
-- is listed now, so a protected object among it is named (payments' foreign key goes with
-- accounts' primary key) and one that reaches nothing protected (orders' key) gets no
-- "(perhaps)" finding; at the gate the first is rejected and changes nothing.
RESET dbchange.enforce;
SELECT statement, action, risk,
       (SELECT string_agg(r, ' | ') FROM unnest(reasons) r WHERE r LIKE '%protected-object%') AS protected_reason
  FROM dbchange.evaluate('ALTER TABLE accounts DROP CONSTRAINT accounts_pkey CASCADE; ALTER TABLE customers DROP CONSTRAINT customers_pkey CASCADE', 'prod')
 ORDER BY statement_no;
ALTER TABLE accounts DROP CONSTRAINT accounts_pkey CASCADE;
SELECT conname FROM pg_constraint WHERE conrelid = 'payments'::regclass AND contype = 'f';
