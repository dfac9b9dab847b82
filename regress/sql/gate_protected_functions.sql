-- A view reads its tables with its owner's rights, and also what the functions its query
-- calls read (with the function owner's rights when SECURITY DEFINER).  Stock
-- protected_objects in prod: GRANT SELECT on a view whose query reads payments only inside a
-- function it calls -- a SQL function with a string body (in FROM, in WHERE, one calling
-- another), a SECURITY DEFINER one with its own search_path, one with a BEGIN ATOMIC body, one
-- with a RETURN body -- is queued (critical) as for a view over payments (fact reads, read_by
-- the function; fact calls lists the functions).  So are CREATE VIEW, CREATE MATERIALIZED VIEW
-- and CREATE TABLE AS whose query calls one, a view calling a plpgsql function whose body
-- names payments ("(perhaps)": its body is not followed, its words are checked), and one
-- calling a SQL function whose body does not parse (the walk is incomplete).  The same view
-- over a harmless function, one naming payments only in a string literal or a comment, one
-- recursive function and a function whose own search_path finds another schema's payments
-- are approved.  (An operator counts as its function.)
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_gate_protected_functions;
CREATE DATABASE regress_gate_protected_functions;
\c regress_gate_protected_functions
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse

CREATE TABLE payments (id int, amount numeric);
CREATE TABLE customers (id int, name text);
CREATE SCHEMA app;
CREATE TABLE app.payments (id int, amount numeric);
INSERT INTO payments VALUES (1, 10);
INSERT INTO customers VALUES (1, 'ann');
-- what reads payments, none of them returning its row type (a view over such a function
-- depends on the table's columns already)
CREATE FUNCTION pay_rows() RETURNS TABLE (id int, amount numeric) LANGUAGE sql
  AS 'SELECT id, amount FROM payments';
CREATE FUNCTION pay_total(int) RETURNS numeric LANGUAGE sql
  AS $$SELECT sum(amount) FROM payments WHERE id = $1$$;
CREATE FUNCTION pay_outer() RETURNS TABLE (id int, amount numeric) LANGUAGE sql
  AS 'SELECT * FROM pay_rows() WHERE amount > 0';
CREATE FUNCTION app.pay_def() RETURNS TABLE (id int, amount numeric) LANGUAGE sql SECURITY DEFINER
  SET search_path = public AS 'SELECT id, amount FROM payments';
CREATE FUNCTION pay_atomic() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM payments; END;
CREATE FUNCTION pay_ret(int) RETURNS numeric LANGUAGE sql RETURN (SELECT amount FROM payments WHERE id = $1);
CREATE FUNCTION pay_pl() RETURNS TABLE (id int, amount numeric) LANGUAGE plpgsql
  AS $$BEGIN RETURN QUERY EXECUTE 'SELECT id, amount FROM public.Payments'; END$$;
SET check_function_bodies = off;
CREATE FUNCTION broken() RETURNS int LANGUAGE sql AS 'SELEC id FROM payments';
RESET check_function_bodies;
-- what does not
CREATE FUNCTION cust_rows() RETURNS TABLE (id int, name text) LANGUAGE sql
  AS $$SELECT id, name FROM customers -- not payments
      WHERE name <> 'payments'$$;
CREATE FUNCTION countdown(int) RETURNS int LANGUAGE sql
  AS 'SELECT CASE WHEN $1 > 0 THEN countdown($1 - 1) ELSE 0 END';
CREATE FUNCTION app.safe_rows() RETURNS TABLE (id int, amount numeric) LANGUAGE sql
  SET search_path = app AS 'SELECT id, amount FROM payments';
CREATE FUNCTION pay_gt(int, int) RETURNS bool LANGUAGE sql
  AS 'SELECT $1 > $2 AND EXISTS (SELECT FROM payments)';
CREATE OPERATOR ### (FUNCTION = pay_gt, LEFTARG = int, RIGHTARG = int);
CREATE FUNCTION fmt(numeric) RETURNS text LANGUAGE plpgsql AS $$BEGIN RETURN to_char($1, '999'); END$$;

CREATE VIEW v_sql AS SELECT * FROM pay_rows();
CREATE VIEW v_where AS SELECT * FROM customers WHERE pay_total(id) > 0;
CREATE VIEW v_nested AS SELECT id FROM pay_outer();
CREATE VIEW v_def AS SELECT * FROM app.pay_def();
CREATE VIEW v_atomic AS SELECT pay_atomic() AS n;
CREATE VIEW v_ret AS SELECT id, pay_ret(id) AS amount FROM customers;
CREATE VIEW v_pl AS SELECT * FROM pay_pl();
CREATE VIEW v_broken AS SELECT broken() AS b;
CREATE VIEW v_cust AS SELECT * FROM cust_rows();
CREATE VIEW v_rec AS SELECT countdown(3) AS n, fmt(1) AS f;
CREATE VIEW v_safe AS SELECT * FROM app.safe_rows();
CREATE VIEW v_op AS SELECT id FROM customers WHERE id ### 0;

-- The stock protected_objects policy, in prod.
\set src `cat lua_policies/protected_objects.lua`
SELECT dbchange.set_policy('protected_objects', :'src');
SELECT key, value FROM dbchange.configure(environment => 'prod', default_action => 'approve')
 WHERE key IN ('environment', 'default_action') ORDER BY key;

-- The facts: what the views read, through which function, and the functions they call.
SELECT statement_no, e->>'identity' AS identity, e->>'read_by' AS read_by,
       f.facts->'reads_complete' AS complete
  FROM dbchange.evaluate('GRANT SELECT ON v_nested TO PUBLIC; GRANT SELECT ON v_where TO PUBLIC;
                          GRANT SELECT ON v_rec TO PUBLIC; GRANT SELECT ON v_broken TO PUBLIC;
                          GRANT SELECT ON v_op TO PUBLIC; CREATE VIEW v_op2 AS SELECT 1 WHERE 2 ### 1',
                         'prod') f
  LEFT JOIN LATERAL jsonb_array_elements(f.facts->'reads') e ON true ORDER BY 1, 2;
-- Names in a SQL body are looked up on the function's own search_path (pay_def: public,
-- safe_rows: app), else on the caller's (pay_rows, here: app.payments), as when they run.
SET search_path = app, public;
SELECT statement_no, e->>'identity' AS identity, e->>'read_by' AS read_by
  FROM dbchange.evaluate('GRANT SELECT ON v_def TO PUBLIC; GRANT SELECT ON v_safe TO PUBLIC;
                          GRANT SELECT ON v_sql TO PUBLIC', 'prod') f,
       jsonb_array_elements(f.facts->'reads') e ORDER BY 1, 2;
RESET search_path;
SELECT statement_no, e->>'identity' AS identity, e->>'read_by' AS read_by, e->>'language' AS language,
       e->'security_definer' AS definer, e->'opaque' AS opaque, e->'words' AS words,
       e->'words_complete' AS words_complete, f.facts->'calls_count' AS calls_count
  FROM dbchange.evaluate('GRANT SELECT ON v_nested, v_def TO PUBLIC; GRANT SELECT ON v_pl, v_rec TO PUBLIC;
                          CREATE VIEW v_new AS SELECT * FROM customers WHERE pay_atomic() > 0', 'prod') f,
       jsonb_array_elements(f.facts->'calls') e ORDER BY 1, 2;
-- A statement on a view calling no function has no calls fact.
CREATE VIEW v_plain AS SELECT id FROM customers;
SELECT f.facts ? 'calls' AS has_calls, f.facts->'reads_count' AS reads_count
  FROM dbchange.evaluate('GRANT SELECT ON v_plain TO PUBLIC', 'prod') f;

SET dbchange.enforce = on;
CREATE ROLE regress_pf_mallory;
\set VERBOSITY sqlstate
GRANT SELECT ON v_sql TO regress_pf_mallory;
GRANT SELECT ON v_where TO regress_pf_mallory;
GRANT SELECT ON v_nested TO regress_pf_mallory;
GRANT SELECT ON v_def TO regress_pf_mallory;
GRANT SELECT ON v_atomic TO regress_pf_mallory;
GRANT SELECT ON v_ret TO regress_pf_mallory;
GRANT SELECT ON v_pl TO regress_pf_mallory;
GRANT SELECT ON v_broken TO regress_pf_mallory;
GRANT SELECT ON v_op TO regress_pf_mallory;
ALTER VIEW v_def OWNER TO regress_pf_mallory;
CREATE VIEW v_new AS SELECT * FROM customers WHERE pay_atomic() > 0;
CREATE MATERIALIZED VIEW mv_new AS SELECT * FROM pay_outer();
CREATE TABLE pay_copy AS SELECT pay_ret(1) AS amount;
\set VERBOSITY terse
GRANT SELECT ON v_cust TO regress_pf_mallory;
GRANT SELECT ON v_rec TO regress_pf_mallory;
GRANT SELECT ON v_safe TO regress_pf_mallory;
CREATE VIEW v_cust2 AS SELECT * FROM cust_rows() WHERE countdown(2) = 0;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 17;
-- Nothing queued happened: mallory may select from the approved views only.
SELECT c.relname, has_table_privilege('regress_pf_mallory', c.oid, 'SELECT') AS mallory_selects,
       pg_get_userbyid(c.relowner) = current_user AS owner_unchanged
  FROM pg_class c WHERE c.relname LIKE 'v\_%' ORDER BY 1;
SELECT to_regclass('v_new') AS v_new, to_regclass('mv_new') AS mv_new, to_regclass('pay_copy') AS pay_copy;
SET dbchange.enforce = off;
DROP VIEW v_cust2;
REVOKE ALL ON v_cust, v_rec, v_safe FROM regress_pf_mallory;
DROP ROLE regress_pf_mallory;
