-- Calls a view's query makes without naming the function are followed too (fact calls, and
-- what they read in reads, read_by the function): a user cast (CREATE CAST ... WITH FUNCTION;
-- explicit with ::, CAST(), an array cast, and implicit ones a raw query cannot see), the CHECK
-- constraints of a domain cast to (also function-style, paid(x)), the operators that BETWEEN,
-- NOT BETWEEN, a simple CASE, IN/ANY over a subquery, ORDER BY ... USING and JOIN USING apply,
-- and the default-argument expressions of a called function (string-bodied SQL or plpgsql).
-- Stock protected_objects in prod: each such CREATE VIEW whose hidden call reads payments is
-- queued and nothing is created, wherever the construct sits (WHERE, a subquery, a CTE, a
-- LATERAL join, ORDER BY, GROUP BY, a SQL function's body); the same constructs whose functions
-- read customers only are approved.  Existing views (pg_depend) and analysed queries (CREATE
-- MATERIALIZED VIEW, CREATE TABLE AS at the gate) follow domain checks and defaults too.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_gate_protected_implied;
CREATE DATABASE regress_gate_protected_implied;
\c regress_gate_protected_implied
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse

CREATE TABLE payments (id int, amount numeric);
CREATE TABLE customers (id int, name text);
\set src `cat lua_policies/protected_objects.lua`
-- (the policy's test count is stock_policies' concern)
SELECT dbchange.set_policy('protected_objects', :'src') ~ '^policy "protected_objects" created \(\d+ tests passed\)$' AS policy_set;
SELECT key, value FROM dbchange.configure(environment => 'prod', default_action => 'approve')
 WHERE key IN ('environment', 'default_action') ORDER BY key;

-- What reads customers only: each construct is approved.
CREATE TYPE cmoney AS (v numeric);
CREATE FUNCTION to_cmoney(int) RETURNS cmoney LANGUAGE sql
  AS 'SELECT ROW((SELECT count(*) FROM customers WHERE id = $1))::cmoney';
CREATE CAST (int AS cmoney) WITH FUNCTION to_cmoney(int);
CREATE FUNCTION cust_check(int) RETURNS bool LANGUAGE sql
  AS 'SELECT NOT EXISTS (SELECT FROM customers WHERE id = $1)';
CREATE DOMAIN custd AS int CHECK (cust_check(VALUE));
CREATE TYPE ctok AS (v int);
CREATE FUNCTION ctok_cmp(ctok, ctok) RETURNS bool LANGUAGE sql
  AS 'SELECT EXISTS (SELECT FROM customers)';
CREATE OPERATOR <= (FUNCTION = ctok_cmp, LEFTARG = ctok, RIGHTARG = ctok);
CREATE OPERATOR >= (FUNCTION = ctok_cmp, LEFTARG = ctok, RIGHTARG = ctok);
CREATE OPERATOR < (FUNCTION = ctok_cmp, LEFTARG = ctok, RIGHTARG = ctok);
CREATE OPERATOR > (FUNCTION = ctok_cmp, LEFTARG = ctok, RIGHTARG = ctok);
CREATE OPERATOR = (FUNCTION = ctok_cmp, LEFTARG = ctok, RIGHTARG = ctok);
CREATE FUNCTION ctok_order(ctok, ctok) RETURNS int LANGUAGE sql AS 'SELECT 0';
CREATE OPERATOR CLASS ctok_ops FOR TYPE ctok USING btree AS OPERATOR 1 <, OPERATOR 2 <=,
  OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 ctok_order(ctok, ctok);
CREATE FUNCTION cust_count() RETURNS int LANGUAGE sql AS 'SELECT count(*)::int FROM customers';
CREATE FUNCTION with_cdefault(a int DEFAULT cust_count()) RETURNS int LANGUAGE sql AS 'SELECT $1';
CREATE TYPE cimp AS (v text);
CREATE FUNCTION to_cimp(text) RETURNS cimp LANGUAGE sql
  AS 'SELECT ROW((SELECT max(name) FROM customers))::cimp';
CREATE CAST (text AS cimp) WITH FUNCTION to_cimp(text) AS IMPLICIT;
CREATE FUNCTION takes_cimp(cimp) RETURNS text LANGUAGE sql AS 'SELECT ($1).v';
CREATE TABLE ctoks (t ctok, n int);

-- The facts of the constructs, checked before they run: the hidden calls and what they read.
SELECT statement_no, e->>'identity' AS identity, e->>'read_by' AS read_by
  FROM dbchange.evaluate('CREATE VIEW n1 AS SELECT 1::cmoney AS m;
                          CREATE VIEW n2 AS SELECT CAST(id AS custd) AS d FROM customers;
                          CREATE VIEW n3 AS SELECT ROW(1)::ctok BETWEEN ROW(0)::ctok AND ROW(2)::ctok AS b;
                          CREATE VIEW n4 AS SELECT with_cdefault() AS d;
                          CREATE VIEW n5 AS SELECT takes_cimp(name) AS t FROM customers', 'prod') f,
       jsonb_array_elements(f.facts->'calls') e ORDER BY 1, 2;
SELECT statement_no, e->>'identity' AS identity, e->>'read_by' AS read_by
  FROM dbchange.evaluate('CREATE VIEW n4 AS SELECT with_cdefault() AS d', 'prod') f,
       jsonb_array_elements(f.facts->'reads') e ORDER BY 1, 2;

SET dbchange.enforce = on;
CREATE VIEW n_cast AS SELECT 1::cmoney AS m;
CREATE VIEW n_cast_where AS SELECT * FROM customers WHERE id::cmoney IS NOT NULL;
CREATE VIEW n_domain AS SELECT CAST(id AS custd) AS d FROM customers;
CREATE VIEW n_domain_fn AS SELECT custd(id) AS d FROM customers;
CREATE VIEW n_between AS SELECT * FROM ctoks WHERE t BETWEEN ROW(0)::ctok AND ROW(2)::ctok;
CREATE VIEW n_case AS SELECT CASE t WHEN ROW(1)::ctok THEN 1 END AS c FROM ctoks;
CREATE VIEW n_in_sub AS SELECT * FROM ctoks WHERE t IN (SELECT t FROM ctoks);
CREATE VIEW n_order AS SELECT * FROM ctoks ORDER BY t USING <;
CREATE VIEW n_using AS SELECT t, a.n FROM ctoks a JOIN ctoks b USING (t);
CREATE VIEW n_default AS SELECT with_cdefault() AS d;
CREATE VIEW n_implicit AS SELECT takes_cimp(name) AS t FROM customers;

-- What reads payments: the same constructs are queued and create nothing.
SET dbchange.enforce = off;
CREATE TYPE pmoney AS (v numeric);
CREATE FUNCTION to_pmoney(int) RETURNS pmoney LANGUAGE sql
  AS 'SELECT ROW((SELECT sum(amount) FROM payments WHERE id = $1))::pmoney';
CREATE CAST (int AS pmoney) WITH FUNCTION to_pmoney(int);
CREATE FUNCTION pay_check(int) RETURNS bool LANGUAGE sql
  AS 'SELECT NOT EXISTS (SELECT FROM payments WHERE id = $1)';
CREATE DOMAIN paid AS int CHECK (pay_check(VALUE));
CREATE DOMAIN paid2 AS paid;
CREATE TYPE ptok AS (v int);
CREATE FUNCTION ptok_cmp(ptok, ptok) RETURNS bool LANGUAGE sql
  AS 'SELECT EXISTS (SELECT FROM payments)';
CREATE OPERATOR <= (FUNCTION = ptok_cmp, LEFTARG = ptok, RIGHTARG = ptok);
CREATE OPERATOR >= (FUNCTION = ptok_cmp, LEFTARG = ptok, RIGHTARG = ptok);
CREATE OPERATOR < (FUNCTION = ptok_cmp, LEFTARG = ptok, RIGHTARG = ptok);
CREATE OPERATOR > (FUNCTION = ptok_cmp, LEFTARG = ptok, RIGHTARG = ptok);
CREATE OPERATOR = (FUNCTION = ptok_cmp, LEFTARG = ptok, RIGHTARG = ptok);
CREATE OPERATOR ~~~ (FUNCTION = ptok_cmp, LEFTARG = ptok, RIGHTARG = ptok);
CREATE FUNCTION ptok_order(ptok, ptok) RETURNS int LANGUAGE sql AS 'SELECT 0';
CREATE OPERATOR CLASS ptok_ops FOR TYPE ptok USING btree AS OPERATOR 1 <, OPERATOR 2 <=,
  OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 ptok_order(ptok, ptok);
CREATE FUNCTION pay_count() RETURNS int LANGUAGE sql AS 'SELECT count(*)::int FROM payments';
CREATE FUNCTION with_pdefault(a int DEFAULT pay_count()) RETURNS int LANGUAGE sql AS 'SELECT $1';
CREATE FUNCTION pl_pdefault(a int DEFAULT pay_count()) RETURNS int LANGUAGE plpgsql
  AS 'BEGIN RETURN a; END';
CREATE FUNCTION body_cast() RETURNS int LANGUAGE sql AS 'SELECT 1::paid';
CREATE TABLE ptoks (t ptok, n int);
-- existing views, created before the policy looks (enforce off)
CREATE VIEW x_domain AS SELECT 1::paid2 AS d;
CREATE VIEW x_default AS SELECT with_pdefault() AS d;
CREATE VIEW x_cdefault AS SELECT with_cdefault() AS d;
SET dbchange.enforce = on;
\set VERBOSITY sqlstate
CREATE VIEW p_cast AS SELECT 1::pmoney AS m;
CREATE VIEW p_cast_where AS SELECT * FROM customers WHERE id::pmoney IS NOT NULL;
CREATE VIEW p_cast_sub AS SELECT (SELECT CAST(max(id) AS pmoney) FROM customers) AS m;
CREATE VIEW p_cast_cte AS WITH c AS (SELECT id::pmoney AS m FROM customers) SELECT * FROM c;
CREATE VIEW p_cast_lateral AS SELECT * FROM customers c, LATERAL (SELECT c.id::pmoney AS m) l;
CREATE VIEW p_cast_array AS SELECT ARRAY[1, 2]::pmoney[] AS a;
CREATE VIEW p_domain AS SELECT CAST(id AS paid) AS d FROM customers;
CREATE VIEW p_domain_fn AS SELECT paid(id) AS d FROM customers;
CREATE VIEW p_domain_base AS SELECT * FROM customers WHERE id::paid2 > 0;
CREATE VIEW p_domain_body AS SELECT body_cast() AS b;
CREATE VIEW p_between AS SELECT * FROM ptoks WHERE t BETWEEN ROW(0)::ptok AND ROW(2)::ptok;
CREATE VIEW p_not_between AS SELECT * FROM ptoks WHERE t NOT BETWEEN SYMMETRIC ROW(0)::ptok AND ROW(2)::ptok;
CREATE VIEW p_case AS SELECT CASE t WHEN ROW(1)::ptok THEN 1 END AS c FROM ptoks;
CREATE VIEW p_in_sub AS SELECT * FROM ptoks WHERE t IN (SELECT t FROM ptoks);
CREATE VIEW p_not_in_sub AS SELECT * FROM ptoks WHERE t NOT IN (SELECT t FROM ptoks WHERE n > 0);
CREATE VIEW p_any_sub AS SELECT * FROM ptoks WHERE t ~~~ ANY (SELECT t FROM ptoks);
CREATE VIEW p_in_list AS SELECT * FROM ptoks WHERE t IN (ROW(1)::ptok, ROW(2)::ptok);
CREATE VIEW p_distinct AS SELECT * FROM ptoks WHERE t IS DISTINCT FROM ROW(1)::ptok;
CREATE VIEW p_nullif AS SELECT NULLIF(t, ROW(1)::ptok) AS t FROM ptoks;
CREATE VIEW p_order AS SELECT * FROM ptoks ORDER BY t USING <;
CREATE VIEW p_order_expr AS SELECT * FROM ptoks ORDER BY t BETWEEN ROW(0)::ptok AND ROW(1)::ptok;
CREATE VIEW p_group AS SELECT t BETWEEN ROW(0)::ptok AND ROW(1)::ptok AS b, count(*) FROM ptoks GROUP BY 1;
CREATE VIEW p_using AS SELECT t, a.n FROM ptoks a JOIN ptoks b USING (t);
CREATE VIEW p_natural AS SELECT * FROM ptoks NATURAL JOIN ptoks b;
CREATE VIEW p_default AS SELECT with_pdefault() AS d;
CREATE VIEW p_default_pl AS SELECT * FROM customers WHERE pl_pdefault() > 0;
-- analysed queries (the gate has PostgreSQL's analysis of these)
CREATE MATERIALIZED VIEW pm_domain AS SELECT 1::paid AS d WITH NO DATA;
CREATE TABLE pt_default AS SELECT with_pdefault() AS d WITH NO DATA;
-- existing views: GRANT exposes what they read
GRANT SELECT ON x_domain TO PUBLIC;
GRANT SELECT ON x_default TO PUBLIC;
\set VERBOSITY terse
GRANT SELECT ON x_cdefault TO PUBLIC;

-- Last, an implicit cast that reads payments: a raw query cannot tell where PostgreSQL applies
-- one, so every raw query counts it (and the customers one above).
SET dbchange.enforce = off;
CREATE TYPE pimp AS (v text);
CREATE FUNCTION to_pimp(text) RETURNS pimp LANGUAGE sql
  AS 'SELECT ROW((SELECT max(amount)::text FROM payments))::pimp';
CREATE CAST (text AS pimp) WITH FUNCTION to_pimp(text) AS IMPLICIT;
CREATE FUNCTION takes_pimp(pimp) RETURNS text LANGUAGE sql AS 'SELECT ($1).v';
SET dbchange.enforce = on;
\set VERBOSITY sqlstate
CREATE VIEW p_implicit AS SELECT takes_pimp(name) AS t FROM customers;
\set VERBOSITY terse
SET dbchange.enforce = off;

SELECT status, command, reasons FROM dbchange.changes WHERE status <> 'applied' ORDER BY id;
SELECT count(*) AS approved FROM dbchange.changes WHERE status = 'applied' AND statement LIKE 'CREATE VIEW n\_%';
-- Nothing queued happened.
SELECT c.relname FROM pg_class c WHERE c.relname ~ '^(n|p|pm|pt)_' ORDER BY 1;
SELECT c.relname, has_table_privilege('public', c.oid, 'SELECT') AS public_selects
  FROM pg_class c WHERE c.relname LIKE 'x\_%' ORDER BY 1;

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_gate_protected_implied;
