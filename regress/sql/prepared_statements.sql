-- Statements that go through PREPARE / EXECUTE.  EXECUTE names no table: what it runs is
-- looked up by name, the session's prepared statement at the gate, and in evaluate(),
-- submit() and classify() also the PREPAREs earlier in the same script (DEALLOCATE ends a
-- name).  CREATE TABLE ... AS EXECUTE p gets the reads of p's query, so it copies a
-- protected table under the same finding as CREATE TABLE ... AS SELECT; EXECUTE of a
-- prepared SELECT INTO, which the gate refuses (ZC003: its text would be the PREPARE), is
-- shown refused by evaluate() and refused by submit() before anything is recorded.  A
-- prepared plain SELECT is untouched.  (The stock protected_objects, in prod.)
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_prepared_statements;
CREATE DATABASE regress_prepared_statements;
\c regress_prepared_statements
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
SET dbchange.enforce = off;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ps_dev') THEN CREATE ROLE ps_dev LOGIN; END IF;
END $$;
GRANT dbchange_developer TO ps_dev;
-- payments is protected (public.payments), so is every table of billing (billing.*)
CREATE TABLE payments (id int, amount numeric);
INSERT INTO payments SELECT g, g FROM generate_series(1, 5) g;
CREATE TABLE small (id int);
INSERT INTO small VALUES (1);
CREATE VIEW pay_v AS SELECT * FROM payments;
CREATE TABLE invoices (id int, what text);
INSERT INTO invoices VALUES (1, 'public.invoices');
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (id int, what text);
INSERT INTO billing.invoices VALUES (1, 'billing.invoices');
GRANT ALL ON SCHEMA public TO ps_dev;
GRANT USAGE ON SCHEMA billing TO ps_dev;
GRANT SELECT ON ALL TABLES IN SCHEMA public, billing TO ps_dev;
RESET dbchange.enforce;
\set src `cat lua_policies/protected_objects.lua`
SELECT dbchange.set_policy('protected_objects', :'src');
SELECT key, value FROM dbchange.configure(environment => 'prod', default_action => 'approve')
 WHERE key IN ('environment', 'default_action') ORDER BY key;

-- 1. At the gate: a copy of payments through a prepared query is queued like the direct one,
-- with the same finding and the same reads (through a view too: the view, and payments read
-- by it).
SET SESSION AUTHORIZATION ps_dev;
PREPARE p AS SELECT * FROM payments;
PREPARE pv AS SELECT * FROM pay_v;
\set VERBOSITY sqlstate
CREATE TABLE copy1 AS EXECUTE p;
CREATE TABLE copy2 AS SELECT * FROM payments;
CREATE TABLE copy3 AS EXECUTE pv WITH NO DATA;
CREATE TABLE copy4 AS SELECT * FROM pay_v;
\set VERBOSITY terse
RESET SESSION AUTHORIZATION;
SELECT c.id, c.status, c.statement, c.risk, c.reasons,
       (SELECT jsonb_agg(jsonb_build_object('identity', r->'identity', 'read_by', r->'read_by'))
          FROM jsonb_array_elements(s.facts->'reads') r) AS reads,
       s.facts->'reads_count' AS reads_count, s.facts->'reads_complete' AS reads_complete
  FROM dbchange.changes c JOIN dbchange.change_statement s ON s.change_id = c.id
 WHERE c.statement LIKE 'CREATE TABLE copy%' ORDER BY c.id;

-- 2. A prepared statement whose plan PostgreSQL analyses again at EXECUTE is read as
-- PostgreSQL will read it: after a change of search_path, invoices is billing.invoices
-- (protected); after small_t was dropped and created again, the new small_t.
CREATE TABLE small_t (id int);
GRANT SELECT ON small_t TO ps_dev;
SET SESSION AUTHORIZATION ps_dev;
PREPARE pi AS SELECT * FROM invoices;
PREPARE ps AS SELECT id FROM small_t;
SET search_path = billing, public;
EXECUTE pi;
\set VERBOSITY sqlstate
CREATE TABLE public.copy5 AS EXECUTE pi;
\set VERBOSITY terse
RESET search_path;
RESET SESSION AUTHORIZATION;
DROP TABLE small_t;
CREATE TABLE small_t (id int);
INSERT INTO small_t VALUES (6);
GRANT SELECT ON small_t TO ps_dev;
SET SESSION AUTHORIZATION ps_dev;
CREATE TABLE copy6 AS EXECUTE ps;
SELECT * FROM copy6;
-- a name that is not prepared: PostgreSQL would refuse the statement, and nothing is known
-- of what it reads (reads_complete false): queued, not approved
\set VERBOSITY sqlstate
CREATE TABLE copy7 AS EXECUTE nope;
\set VERBOSITY terse
RESET SESSION AUTHORIZATION;
SELECT c.statement, c.status, c.risk, c.reasons,
       (SELECT jsonb_agg(r->'identity') FROM jsonb_array_elements(s.facts->'reads') r) AS reads,
       s.facts->'reads_complete' AS reads_complete
  FROM dbchange.changes c JOIN dbchange.change_statement s ON s.change_id = c.id
 WHERE c.statement ~ 'copy[5-7]' ORDER BY c.id;

-- 3. EXECUTE of a prepared SELECT INTO is refused (ZC003), also the form whose INTO sits on
-- the first SELECT of a UNION, and so is EXPLAIN ANALYZE of it; EXECUTE of a plain prepared
-- SELECT is not checked: it runs and nothing is recorded.
SET SESSION AUTHORIZATION ps_dev;
PREPARE p_into AS SELECT * INTO copy8 FROM small;
PREPARE p_union AS SELECT 1 AS id INTO copy9 UNION SELECT 2;
PREPARE plain AS SELECT count(*) FROM payments;
\set VERBOSITY sqlstate
EXECUTE p_into;
EXECUTE p_union;
EXPLAIN ANALYZE EXECUTE p_into;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE p_union;
\set VERBOSITY terse
SELECT count(*) AS changes_before FROM dbchange.changes \gset
EXECUTE plain;
SELECT count(*) = :changes_before AS nothing_recorded FROM dbchange.changes;
SELECT count(*) AS none_created FROM pg_class WHERE relname IN ('copy8', 'copy9');

-- 4. evaluate(): the script's own PREPAREs, and the session's (p, p_into, plain above), by
-- name; DEALLOCATE ends a name, DEALLOCATE ALL every one.  The same reads and decision as the
-- gate's, and EXECUTE / EXPLAIN ANALYZE EXECUTE of a prepared SELECT INTO shown refused.
SELECT statement_no, command, action, risk, reasons,
       (SELECT jsonb_agg(r->'identity') FROM jsonb_array_elements(facts->'reads') r) AS reads,
       facts->'reads_complete' AS reads_complete
  FROM dbchange.evaluate($$
PREPARE q AS SELECT * FROM payments;
CREATE TABLE c1 AS EXECUTE q;
CREATE TABLE c1 AS SELECT * FROM payments;
PREPARE qs AS SELECT * FROM small;
CREATE TABLE c2 AS EXECUTE qs;
PREPARE q_into AS SELECT * INTO c3 FROM small;
EXECUTE q_into;
EXPLAIN ANALYZE EXECUTE q_into;
EXPLAIN ANALYZE CREATE TABLE c4 AS EXECUTE q;
DEALLOCATE q_into;
EXECUTE q_into;
CREATE TABLE c5 AS EXECUTE p;
EXECUTE p_into;
EXECUTE plain;
DEALLOCATE PREPARE p_into;
EXECUTE p_into;
DEALLOCATE qs;
CREATE TABLE c6 AS EXECUTE qs;
DEALLOCATE ALL;
CREATE TABLE c7 AS EXECUTE q;
EXECUTE plain$$, 'prod') ORDER BY statement_no;
-- DISCARD ALL ends the session's names too
SELECT statement_no, command, action, facts->'reads_count' AS reads_count, facts->'reads_complete' AS reads_complete
  FROM dbchange.evaluate('CREATE TABLE c9 AS EXECUTE p; DISCARD ALL; CREATE TABLE c9 AS EXECUTE p', 'dev')
 ORDER BY statement_no;
-- classify() reads the script's PREPAREs too
SELECT f->>'command' AS command, (SELECT jsonb_agg(r->'identity') FROM jsonb_array_elements(f->'reads') r) AS reads
  FROM dbchange.classify('PREPARE cq AS SELECT * FROM pay_v; CREATE TABLE c8 AS EXECUTE cq') f;
-- the session's prepared statements are as they were: evaluate() ran nothing
SELECT name, statement FROM pg_prepared_statements ORDER BY name;

-- 5. submit(): a script's EXECUTE of a SELECT INTO it (or the session) prepared is refused
-- before anything is decided or recorded; a copy of payments through a prepared query is
-- queued; one of small runs, and the session's names check at run time agrees with the
-- check's (the script's PREPARE has run by then).
SELECT count(*) AS changes_before FROM dbchange.changes \gset
\set VERBOSITY sqlstate
SELECT dbchange.submit('PREPARE s1 AS SELECT * INTO copy10 FROM small; EXECUTE s1');
SELECT dbchange.submit('EXECUTE p_into');
\set VERBOSITY terse
SELECT count(*) = :changes_before AS nothing_recorded FROM dbchange.changes;
SELECT dbchange.submit('PREPARE s2 AS SELECT * FROM payments; CREATE TABLE copy11 AS EXECUTE s2; DEALLOCATE s2') AS queued_id \gset
SELECT dbchange.submit('PREPARE s3 AS SELECT * FROM small; CREATE TABLE copy12 AS EXECUTE s3; DEALLOCATE s3') AS applied_id \gset
RESET SESSION AUTHORIZATION;
SELECT id = :queued_id AS queued, status, risk, reasons FROM dbchange.changes WHERE id IN (:queued_id, :applied_id) ORDER BY id;
SELECT statement_no, statement, action,
       (SELECT jsonb_agg(r->'identity') FROM jsonb_array_elements(facts->'reads') r) AS reads
  FROM dbchange.change_statement WHERE change_id IN (:queued_id, :applied_id) ORDER BY change_id, statement_no;
SELECT to_regclass('copy10') IS NULL AS no_copy10, to_regclass('copy11') IS NULL AS no_copy11,
       (SELECT count(*) FROM copy12) AS copy12_rows;
SELECT name FROM pg_prepared_statements ORDER BY name;

-- 6. Applying a queued script later (apply(), rollout auto) runs it in the applier's session,
-- whose prepared statements are not transactional: its PREPAREs were left behind there (also
-- when the change failed and was rolled back), and a name the applier had prepared made the
-- change fail.  Now the names the change prepared are deallocated after it, applied or failed
-- (also those a DO block prepared); a change that would use or change one of the session's own
-- prepared statements (PREPARE or EXECUTE or DEALLOCATE of a name the session has and the change
-- has not prepared, DEALLOCATE ALL while it has any) is refused before anything runs: an
-- error with the reason and what to do, and the change stays approved.
\set SHOW_CONTEXT never
SET SESSION AUTHORIZATION ps_dev;
DEALLOCATE ALL;
SELECT dbchange.submit('PREPARE a1 AS SELECT * FROM payments; CREATE TABLE copy13 AS EXECUTE a1; EXECUTE a1') AS a1_id \gset
SELECT dbchange.submit('PREPARE a2 AS SELECT * FROM payments; CREATE TABLE copy14 AS EXECUTE a2') AS a2_id \gset
SELECT dbchange.submit('PREPARE a3 AS SELECT * FROM payments; CREATE TABLE copy15 AS EXECUTE a3; CREATE TABLE copy15 (id int)') AS a3_id \gset
SELECT dbchange.submit($$PREPARE a4 AS SELECT * FROM payments; CREATE TABLE copy16 AS EXECUTE a4; DO 'BEGIN EXECUTE ''PREPARE a5 AS SELECT 5''; END'$$) AS a4_id \gset
PREPARE mine AS SELECT * FROM payments;
SELECT dbchange.submit('CREATE TABLE copy17 AS EXECUTE mine') AS mine_id \gset
SELECT dbchange.submit('PREPARE a6 AS SELECT * FROM payments; CREATE TABLE copy18 AS EXECUTE a6; DEALLOCATE ALL') AS all_id \gset
DEALLOCATE mine;
RESET SESSION AUTHORIZATION;
SELECT count(*) FILTER (WHERE status = 'pending') AS queued FROM dbchange.changes
 WHERE id IN (:a1_id, :a2_id, :a3_id, :a4_id, :mine_id, :all_id);
SELECT count(dbchange.approve(id, 'reviewed')) AS approved FROM dbchange.changes
 WHERE id IN (:a1_id, :a2_id, :a3_id, :a4_id, :mine_id, :all_id);
-- applied: nothing the change prepared is left in the applier's session
SELECT dbchange.apply(:a1_id);
SELECT count(*) AS copy13_rows FROM copy13;
SELECT name FROM pg_prepared_statements ORDER BY name;
-- the applier had prepared a2: refused before anything ran, the change stays approved and the
-- applier's a2 is still theirs; after DEALLOCATE it applies
PREPARE a2 AS SELECT 'the applier''s own' AS what;
\set VERBOSITY default
SELECT dbchange.apply(:a2_id);
\set VERBOSITY terse
SELECT status FROM dbchange.changes WHERE id = :a2_id;
SELECT to_regclass('copy14') IS NULL AS no_copy14;
EXECUTE a2;
DEALLOCATE a2;
SELECT dbchange.apply(:a2_id);
SELECT name FROM pg_prepared_statements ORDER BY name;
-- a change that fails midway (statement 3) is recorded failed, rolled back, and leaves
-- nothing prepared
SELECT dbchange.apply(:a3_id);
SELECT status, error_message FROM dbchange.changes WHERE id = :a3_id;
SELECT to_regclass('copy15') IS NULL AS no_copy15, count(*) AS prepared FROM pg_prepared_statements;
-- what a DO block of the change prepared is deallocated too
SELECT dbchange.apply(:a4_id);
SELECT name FROM pg_prepared_statements ORDER BY name;
-- EXECUTE of a statement the change does not prepare ran the applier's statement of that name
-- (not the requester's, which was judged): refused while the session has one; DEALLOCATE ALL
-- would drop the applier's statements: refused while it has any
PREPARE mine AS SELECT 'the applier''s own' AS what;
\set VERBOSITY default
SELECT dbchange.apply(:mine_id);
SELECT dbchange.apply(:all_id);
\set VERBOSITY terse
SELECT id = :mine_id AS mine, status FROM dbchange.changes WHERE id IN (:mine_id, :all_id) ORDER BY id;
SELECT to_regclass('copy17') IS NULL AS no_copy17, to_regclass('copy18') IS NULL AS no_copy18;
EXECUTE mine;
DEALLOCATE mine;
SELECT dbchange.apply(:all_id);
SELECT name FROM pg_prepared_statements ORDER BY name;
-- rollout auto: the final approval applies the change, and leaves nothing prepared either; with
-- a clash, the approval is refused with the same error and nothing is recorded
SELECT key, value FROM dbchange.configure(rollout => 'auto') WHERE key = 'rollout';
SET SESSION AUTHORIZATION ps_dev;
SELECT dbchange.submit('PREPARE a7 AS SELECT * FROM payments; CREATE TABLE copy19 AS EXECUTE a7') AS a7_id \gset
SELECT dbchange.submit('PREPARE a8 AS SELECT * FROM payments; CREATE TABLE copy20 AS EXECUTE a8') AS a8_id \gset
RESET SESSION AUTHORIZATION;
SELECT dbchange.approve(:a7_id, 'reviewed');
SELECT name FROM pg_prepared_statements ORDER BY name;
PREPARE a8 AS SELECT 8;
SELECT dbchange.approve(:a8_id, 'reviewed');
SELECT status FROM dbchange.changes WHERE id = :a8_id;
DEALLOCATE a8;
SELECT dbchange.approve(:a8_id, 'reviewed');
SELECT count(*) AS prepared FROM pg_prepared_statements;
SELECT key, value FROM dbchange.configure(rollout => 'manual') WHERE key = 'rollout';
\set SHOW_CONTEXT errors

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_prepared_statements;
DROP ROLE ps_dev;
