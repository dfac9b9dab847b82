-- A SECURITY DEFINER function runs its body with its owner's rights for everyone who may
-- execute it (PUBLIC unless revoked): one reading payments exposes payments with no view
-- involved.  Stock protected_objects in prod: CREATE [OR REPLACE] FUNCTION/PROCEDURE ...
-- SECURITY DEFINER whose body reads payments (a LANGUAGE sql string body on its own
-- search_path, a BEGIN ATOMIC or RETURN body, through a function or view it uses, schema-
-- qualified or not, in upper case or quoted) is queued (critical) and not created; so is one
-- whose plpgsql body names payments ("(perhaps)"), ALTER FUNCTION ... SECURITY DEFINER of an
-- invoker function reading it, ALTER FUNCTION ... SET search_path that points a definer
-- function at it, ALTER FUNCTION ... OWNER TO of a definer function reading it and GRANT
-- EXECUTE on one (also ON ALL FUNCTIONS IN SCHEMA).  A SECURITY INVOKER function reading
-- payments, a definer function reading another table (or another schema's payments) and a
-- plpgsql definer function naming none are approved.  (Facts: reads, read_by the function;
-- calls, the function itself with no read_by.)  A SECURITY INVOKER function runs with the
-- rights of the definer function calling it, and PostgreSQL records no dependency on a call
-- from a string body: CREATE [OR REPLACE] FUNCTION, RENAME and SET/RESET search_path of an
-- invoker function that definer functions call (by name, from a string body, or from a
-- SQL-standard body) are queued when it then reads payments (facts: reads/calls, each caller
-- with no read_by, the function read_by one); so is REASSIGN OWNED of a definer reader's owner.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_gate_protected_definer;
CREATE DATABASE regress_gate_protected_definer;
\c regress_gate_protected_definer
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse

CREATE TABLE payments (id int, amount numeric);
CREATE TABLE customers (id int, name text);
CREATE SCHEMA app;
CREATE TABLE app.payments (id int, amount numeric);
CREATE VIEW pay_v AS SELECT id, amount FROM payments;
CREATE ROLE regress_pd_mallory;
-- what exists before the policy: an invoker reader, a definer reader not executable by
-- PUBLIC, a definer reading app.payments on its own search_path, ...
CREATE FUNCTION inv_reader() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM payments';
CREATE FUNCTION def_reader() RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = public
  AS 'SELECT count(*) FROM payments';
REVOKE EXECUTE ON FUNCTION def_reader() FROM PUBLIC;
CREATE FUNCTION app.def_app() RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = app
  AS 'SELECT count(*) FROM payments';
CREATE FUNCTION app.def_pay() RETURNS bigint LANGUAGE sql SECURITY DEFINER
  AS 'SELECT count(*) FROM public.payments';
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA app FROM PUBLIC;
CREATE FUNCTION def_cust() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT count(*) FROM customers';
CREATE FUNCTION pay_pl_inv() RETURNS bigint LANGUAGE plpgsql
  AS $$BEGIN RETURN (SELECT count(*) FROM payments); END$$;
-- ... invoker functions that definer functions call from string bodies (PostgreSQL records
-- no dependency), or from a SQL-standard body, or that none calls; inv_later() does not exist
-- yet; a role owning a definer reader of payments, another one owning one of customers
CREATE FUNCTION inv_helper() RETURNS bigint LANGUAGE sql AS 'SELECT 1::bigint';
CREATE FUNCTION inv_helper_pl() RETURNS bigint LANGUAGE plpgsql AS $$BEGIN RETURN 1; END$$;
CREATE FUNCTION inv_path() RETURNS bigint LANGUAGE sql SET search_path = app AS 'SELECT count(*) FROM payments';
CREATE FUNCTION inv_moved() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM payments';
CREATE FUNCTION def_wrap() RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = public
  AS 'SELECT inv_helper() + "inv_path" ()';
CREATE FUNCTION def_wrap_pl() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
  AS $$BEGIN RETURN inv_helper_pl() + Inv_Later(); END$$;
CREATE FUNCTION def_wrap_atomic() RETURNS bigint SECURITY DEFINER BEGIN ATOMIC SELECT inv_helper(); END;
REVOKE EXECUTE ON FUNCTION def_wrap(), def_wrap_pl(), def_wrap_atomic() FROM PUBLIC;
CREATE ROLE regress_pd_owner;
CREATE ROLE regress_pd_owner2;
CREATE FUNCTION def_owned() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT count(*) FROM public.payments';
REVOKE EXECUTE ON FUNCTION def_owned() FROM PUBLIC;
ALTER FUNCTION def_owned() OWNER TO regress_pd_owner;
ALTER FUNCTION def_cust() OWNER TO regress_pd_owner2;
-- a role that may read payments; regress_pd_owner does not inherit yet, regress_pd_deep (a
-- member of regress_pd_mid) owns a definer reader of payments too
ALTER ROLE regress_pd_owner NOINHERIT;
CREATE ROLE regress_pd_reader;
GRANT SELECT ON payments TO regress_pd_reader;
CREATE ROLE regress_pd_mid;
CREATE ROLE regress_pd_deep IN ROLE regress_pd_mid;
CREATE FUNCTION def_deep() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT count(*) FROM public.payments';
REVOKE EXECUTE ON FUNCTION def_deep() FROM PUBLIC;
ALTER FUNCTION def_deep() OWNER TO regress_pd_deep;

-- The stock protected_objects policy, in prod.
\set src `cat lua_policies/protected_objects.lua`
SELECT dbchange.set_policy('protected_objects', :'src');
SELECT key, value FROM dbchange.configure(environment => 'prod', default_action => 'approve')
 WHERE key IN ('environment', 'default_action') ORDER BY key;

-- The facts: what the body reads (read_by the function, or the function it calls), the
-- function itself among calls with no read_by; none for an invoker function.
SELECT statement_no, f.facts->'reads_count' AS reads_count, f.facts->'reads_complete' AS complete,
       (SELECT string_agg(e->>'identity' || ' by ' || (e->>'read_by'), ', ')
          FROM jsonb_array_elements(f.facts->'reads') e) AS reads,
       (SELECT string_agg(e->>'identity' || ' by ' || coalesce(e->>'read_by', '-') ||
                          CASE WHEN (e->>'security_definer')::bool THEN ' definer' ELSE '' END ||
                          CASE WHEN (e->>'opaque')::bool THEN ' ' || (e->>'words') ELSE '' END, ', ')
          FROM jsonb_array_elements(f.facts->'calls') e) AS calls
  FROM dbchange.evaluate($s$
CREATE FUNCTION pay_rows() RETURNS SETOF payments LANGUAGE sql SECURITY DEFINER SET search_path = public AS 'SELECT * FROM payments';
CREATE FUNCTION pay_inv() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM payments';
CREATE FUNCTION pay_call() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT inv_reader() + pay_pl_inv()';
CREATE FUNCTION pay_atomic() RETURNS bigint SECURITY DEFINER BEGIN ATOMIC SELECT count(*) FROM "PAYMENTS"; SELECT count(*) FROM pay_v; END;
CREATE FUNCTION app.safe() RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = app AS 'SELECT count(*) FROM payments';
CREATE FUNCTION pay_pl() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER AS $$BEGIN RETURN (SELECT count(*) FROM Payments); END$$;
ALTER FUNCTION inv_reader() SECURITY DEFINER;
ALTER FUNCTION inv_reader() COST 5;
ALTER FUNCTION app.def_app() SET search_path = public;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA app TO regress_pd_mallory;
REVOKE EXECUTE ON FUNCTION def_reader() FROM regress_pd_mallory;
CREATE OR REPLACE FUNCTION inv_helper() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM payments';
CREATE FUNCTION inv_unused() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM payments';
ALTER FUNCTION inv_moved() RENAME TO inv_later;
ALTER FUNCTION inv_path() SET search_path = public;
REASSIGN OWNED BY regress_pd_owner TO regress_pd_mallory;
GRANT regress_pd_reader TO regress_pd_mid;
ALTER ROLE regress_pd_owner INHERIT;
ALTER ROLE regress_pd_owner LOGIN
$s$, 'prod') f ORDER BY 1;

-- An unqualified CREATE FUNCTION makes the function in the first schema of the path, also
-- when a schema further down holds one of the name: that is the schema reported.
SET search_path = app, public;
SELECT f.facts->>'identity' AS identity, f.facts->'exists' AS exists
  FROM dbchange.evaluate($s$
CREATE FUNCTION inv_helper() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE AGGREGATE inv_helper(int) (SFUNC = int4pl, STYPE = int);
CREATE FUNCTION def_app() RETURNS int LANGUAGE sql AS 'SELECT 1'
$s$, 'prod') f ORDER BY statement_no;
RESET search_path;

SET dbchange.enforce = on;
\set VERBOSITY sqlstate
-- queued: the definer function of the report, reading payments on its own search_path
CREATE FUNCTION pay_rows() RETURNS SETOF payments LANGUAGE sql SECURITY DEFINER SET search_path = public
  AS 'SELECT * FROM payments';
-- ... schema-qualified, in upper case, quoted, without a search_path of its own
CREATE FUNCTION pay_q() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT count(*) FROM public.payments';
CREATE FUNCTION pay_upper() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT count(*) FROM PUBLIC.PAYMENTS';
CREATE FUNCTION pay_quoted() RETURNS bigint LANGUAGE sql SECURITY DEFINER
  AS 'SELECT count(*) FROM "public"."payments"';
-- ... through a function it calls (an invoker one runs with the definer's rights too), a
-- view it reads, a SQL-standard body, a procedure
CREATE FUNCTION pay_call() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT inv_reader()';
CREATE FUNCTION pay_view() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT count(*) FROM pay_v';
CREATE FUNCTION pay_atomic() RETURNS bigint SECURITY DEFINER BEGIN ATOMIC SELECT count(*) FROM payments; END;
CREATE FUNCTION pay_ret(int) RETURNS numeric SECURITY DEFINER RETURN (SELECT amount FROM payments WHERE id = $1);
CREATE PROCEDURE pay_wipe() LANGUAGE sql SECURITY DEFINER AS 'DELETE FROM payments';
-- ... a plpgsql body naming it ("(perhaps)"), or calling an invoker plpgsql function that does
CREATE FUNCTION pay_pl() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
  AS $$BEGIN RETURN (SELECT count(*) FROM PAYMENTS); END$$;
CREATE FUNCTION pay_pl_call() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT pay_pl_inv()';
-- ... an approved definer function replaced by one reading payments
CREATE OR REPLACE FUNCTION def_cust() RETURNS bigint LANGUAGE sql SECURITY DEFINER
  AS 'SELECT count(*) FROM payments';
-- ... an invoker reader made definer, a definer pointed at public's payments, a definer
-- reader given to another owner, EXECUTE on one granted
ALTER FUNCTION inv_reader() SECURITY DEFINER;
ALTER FUNCTION app.def_app() SET search_path = public;
ALTER FUNCTION def_reader() OWNER TO regress_pd_mallory;
GRANT EXECUTE ON FUNCTION def_reader() TO regress_pd_mallory;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA app TO regress_pd_mallory;
-- ... an invoker function that definer functions call, replaced by one reading payments: from
-- a LANGUAGE sql string body and a SQL-standard body, from a plpgsql body ("(perhaps)"); one
-- made under (or renamed to) a name a definer function calls; one pointed at public's payments
-- (SET search_path, RESET: its caller's path); the role owning a definer reader of payments
-- handing it over
CREATE OR REPLACE FUNCTION inv_helper() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM payments';
CREATE OR REPLACE FUNCTION inv_helper_pl() RETURNS bigint LANGUAGE plpgsql
  AS $$BEGIN RETURN (SELECT count(*) FROM payments); END$$;
CREATE FUNCTION inv_later() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM payments';
ALTER FUNCTION inv_moved() RENAME TO inv_later;
ALTER FUNCTION inv_path() SET search_path = public;
ALTER FUNCTION inv_path() RESET search_path;
REASSIGN OWNED BY regress_pd_owner TO regress_pd_mallory;
\set VERBOSITY terse
-- approved: an invoker reader, definers reading another table or app.payments, a plpgsql
-- definer naming no protected table, ALTER of an invoker function, EXECUTE on an invoker one
CREATE FUNCTION pay_inv() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM payments';
CREATE FUNCTION cust_def() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT count(*) FROM customers';
CREATE FUNCTION app.safe() RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = app
  AS 'SELECT count(*) FROM payments';
CREATE FUNCTION fmt(numeric) RETURNS text LANGUAGE plpgsql SECURITY DEFINER
  AS $$BEGIN RETURN to_char($1, '999'); END$$;
ALTER FUNCTION inv_reader() COST 5;
GRANT EXECUTE ON FUNCTION inv_reader() TO regress_pd_mallory;
-- ... an invoker function definer functions call replaced by one reading another table, one
-- reading payments that no definer function calls, renamed to a name none calls, pointed at
-- app's payments; the owner of a definer reader of customers handing it over
CREATE OR REPLACE FUNCTION inv_helper() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM customers';
CREATE FUNCTION inv_unused() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM payments';
ALTER FUNCTION inv_moved() RENAME TO inv_moved2;
ALTER FUNCTION inv_path() SET search_path = app, pg_temp;
REASSIGN OWNED BY regress_pd_owner2 TO regress_pd_mallory;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 35;
-- Nothing queued happened.
SELECT p.oid::regprocedure AS function, p.prosecdef AS definer, p.proconfig AS config,
       pg_get_userbyid(p.proowner) = current_user AS owner_unchanged,
       has_function_privilege('regress_pd_mallory', p.oid, 'EXECUTE') AS mallory_executes
  FROM pg_proc p WHERE p.pronamespace IN ('public'::regnamespace, 'app'::regnamespace) ORDER BY p.oid::regprocedure::text COLLATE "C";
SELECT prosrc FROM pg_proc WHERE proname = 'def_cust';

-- A definer function that fails with permission denied on payments reads it for everyone who
-- may execute it once its owner gets the rights: queued, GRANT of a role that may read it to
-- the owner (or to a role the owner is a member of, at any depth), ALTER ROLE of the owner
-- SUPERUSER, BYPASSRLS or INHERIT, ALTER GROUP ... ADD USER and CREATE ROLE ... IN ROLE ...
-- ROLE of it (facts: reads/calls of the owner's definer functions).  Approved: the same for a
-- role whose definer functions read another table (regress_pd_mallory now owns def_cust) or
-- that owns none, and ALTER ROLE ... CONNECTION LIMIT of the owner.
\set VERBOSITY sqlstate
GRANT regress_pd_reader TO regress_pd_owner;
GRANT regress_pd_reader TO regress_pd_mid;
ALTER ROLE regress_pd_owner INHERIT;
ALTER ROLE regress_pd_owner BYPASSRLS;
ALTER ROLE regress_pd_owner SUPERUSER;
ALTER GROUP regress_pd_reader ADD USER regress_pd_owner;
CREATE ROLE regress_pd_x IN ROLE regress_pd_reader ROLE regress_pd_owner;
\set VERBOSITY terse
GRANT regress_pd_reader TO regress_pd_mallory;
GRANT regress_pd_reader TO regress_pd_owner2;
ALTER ROLE regress_pd_mallory BYPASSRLS;
ALTER ROLE regress_pd_owner CONNECTION LIMIT 5;
CREATE ROLE regress_pd_y IN ROLE regress_pd_reader;
SELECT status, command, risk, reasons FROM dbchange.changes ORDER BY id DESC LIMIT 12;
-- Nothing queued happened: def_deep() and def_owned() still fail.
SELECT r.rolname, r.rolinherit, r.rolbypassrls, r.rolsuper, r.rolconnlimit,
       pg_has_role(r.oid, 'regress_pd_reader', 'USAGE') AS reads_as_reader
  FROM pg_roles r WHERE r.rolname LIKE 'regress_pd_%' ORDER BY 1;
SET ROLE regress_pd_deep;
SELECT def_deep();
RESET ROLE;
SET dbchange.enforce = off;
REVOKE ALL ON FUNCTION inv_reader() FROM regress_pd_mallory;
DROP OWNED BY regress_pd_mallory, regress_pd_owner, regress_pd_owner2, regress_pd_reader, regress_pd_deep;
DROP ROLE regress_pd_mallory, regress_pd_owner, regress_pd_owner2, regress_pd_reader, regress_pd_mid,
  regress_pd_deep, regress_pd_y;
