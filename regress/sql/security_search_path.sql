-- Red team: a developer's search_path must never reach SQL that dbchange runs
-- as the catalog owner.  The developer defines an "=" operator for text in
-- their own schema, puts that schema before pg_catalog, and runs approved DDL
-- in a fresh session (so dbchange reads its settings then).  If dbchange
-- resolved "=" in their path while running as the catalog owner, the operator
-- would make the developer a superuser.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_security_search_path;
CREATE DATABASE regress_security_search_path;
\c regress_security_search_path
SET client_min_messages = warning;
-- a role left by an earlier run (before the extension: not recorded)
DROP ROLE IF EXISTS rt_path;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rt_path') THEN CREATE ROLE rt_path LOGIN; END IF;
END $$;
ALTER ROLE rt_path NOSUPERUSER;
GRANT dbchange_developer TO rt_path;
SET dbchange.enforce = off;
CREATE SCHEMA trap AUTHORIZATION rt_path;
-- the trap: whoever evaluates it tries to make rt_path a superuser
CREATE FUNCTION trap.eq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    EXECUTE 'ALTER ROLE rt_path SUPERUSER';
  EXCEPTION WHEN OTHERS THEN NULL;
  END;
  RETURN a OPERATOR(pg_catalog.=) b;
END $$;
CREATE OPERATOR trap.= (LEFTARG = text, RIGHTARG = text, FUNCTION = trap.eq);
ALTER FUNCTION trap.eq(text, text) OWNER TO rt_path;
ALTER OPERATOR trap.= (text, text) OWNER TO rt_path;
-- a risky approved statement reads the restore-point setting too
SELECT * FROM dbchange.configure(environment => 'dev', default_action => 'approve');
RESET dbchange.enforce;

\c - rt_path
SET search_path = trap, pg_catalog, public;
CREATE TABLE trap.t (id int);
ALTER TABLE trap.t ADD COLUMN v text;
DROP TABLE trap.t;
\c - postgres
SELECT rolsuper AS rt_path_became_superuser FROM pg_roles WHERE rolname = 'rt_path';
-- the statements were recorded, with the requester's search_path
SELECT command, requested_by, search_path FROM dbchange.change ORDER BY id;
-- the trap itself works: evaluated by a superuser, it would have done it
SET search_path = trap, pg_catalog;
SELECT 'x' = 'x' AS trap_fires;
RESET search_path;
SELECT rolsuper AS trap_works_for_a_superuser FROM pg_roles WHERE rolname = 'rt_path';
ALTER ROLE rt_path NOSUPERUSER;
