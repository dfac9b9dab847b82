-- The roles fact: the roles the user is a member of by grant (directly or
-- through other roles), the user included, plus pg_database_owner for the
-- database's owner.  A superuser is not listed as a member of every role
-- (pg_has_role() would say so): the superuser fact says that.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_facts_roles;
CREATE DATABASE regress_facts_roles;
\c regress_facts_roles
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
SET dbchange.enforce = off;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fr_team') THEN CREATE ROLE fr_team NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fr_lead') THEN CREATE ROLE fr_lead NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fr_dev') THEN CREATE ROLE fr_dev LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fr_owner') THEN CREATE ROLE fr_owner LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fr_admin') THEN CREATE ROLE fr_admin LOGIN SUPERUSER; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fr_extra') THEN CREATE ROLE fr_extra NOLOGIN; END IF;
END $$;
GRANT fr_team TO fr_lead;
GRANT fr_lead TO fr_dev;
GRANT fr_lead TO fr_admin;
ALTER DATABASE regress_facts_roles OWNER TO fr_owner;
RESET dbchange.enforce;

-- a developer: their grants, the indirect one included
\c - fr_dev
SELECT f->'roles' AS roles, f->'superuser' AS superuser FROM dbchange.classify('CREATE TABLE t (id int)') f;
-- the database's owner: pg_database_owner (which PostgreSQL lets be a member of nothing)
\c - fr_owner
SELECT f->'roles' AS roles FROM dbchange.classify('CREATE TABLE t (id int)') f;
-- a superuser: what it was granted, not every role of the cluster (nor
-- pg_database_owner: it passes the owner's checks without being the owner)
\c - fr_admin
SELECT f->'roles' AS roles, f->'superuser' AS superuser FROM dbchange.classify('CREATE TABLE t (id int)') f;
SELECT count(*) > 5 AS cluster_has_more_roles FROM pg_roles;
-- a grant made now shows at the next statement (the cached list is dropped)
\c - postgres
GRANT fr_extra TO fr_admin;
\c - fr_admin
SELECT f->'roles' AS roles FROM dbchange.classify('CREATE TABLE t (id int)') f;
-- SET ROLE: the current role's memberships
SET ROLE fr_dev;
SELECT f->'roles' AS roles, f->>'user' AS "user" FROM dbchange.classify('CREATE TABLE t (id int)') f;
RESET ROLE;
\c - postgres
REVOKE fr_extra FROM fr_admin;
ALTER DATABASE regress_facts_roles OWNER TO postgres;
-- the user, session_user and database names are cached per backend: a
-- renamed role shows under its new name at the next statement
SET ROLE fr_team;
SELECT f->>'user' AS "user", f->>'session_user' AS session_user, f->>'database' AS database
  FROM dbchange.classify('CREATE TABLE t (id int)') f;
RESET ROLE;
ALTER ROLE fr_team RENAME TO fr_team_renamed;
SET ROLE fr_team_renamed;
SELECT f->>'user' AS "user", f->>'session_user' AS session_user
  FROM dbchange.classify('CREATE TABLE t (id int)') f;
RESET ROLE;
ALTER ROLE fr_team_renamed RENAME TO fr_team;
