-- A change's statements are classified as PostgreSQL reads them by default
-- (standard_conforming_strings on).  A script that turns the setting off
-- would have a later statement read at run time as other statements than
-- those the policies checked: each statement is read again just before it
-- runs, and refused when the reading differs.  Settings a change makes do not
-- outlive it in the session that ran it (submit, or an approver's apply).  Names
-- must resolve when a statement runs to what they named when it was checked.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_security_reading;
CREATE DATABASE regress_security_reading;
\c regress_security_reading
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
DROP ROLE IF EXISTS regress_rd_dev;
DROP ROLE IF EXISTS regress_rd_lead;
CREATE ROLE regress_rd_dev;
CREATE ROLE regress_rd_lead;
GRANT CREATE ON SCHEMA public TO regress_rd_dev;
GRANT dbchange_developer TO regress_rd_dev;
GRANT dbchange_approver TO regress_rd_lead;
SELECT dbchange.set_policy('no_drop', $lua$
return { name = "no_drop", description = "DROP TABLE is never allowed",
  check = function(c) if c.command == "DROP TABLE" then return { action = "reject", risk = "critical", reason = "never" } end end,
  tests = { { sql = "DROP TABLE t", environment = "dev", expect = "reject" } } }
$lua$);
SET ROLE regress_rd_dev;
CREATE TABLE keep_me (id int);
DROP TABLE keep_me;                               -- rejected: the direct way

-- submitted and approved at once (dev, default approve): refused at statement 2
SELECT dbchange.submit($s$SET standard_conforming_strings = off;
CREATE VIEW v1 AS SELECT 'a\' || ' ; DROP TABLE keep_me; --' AS x;$s$, 'a view');
SELECT dbchange.submit($s$SELECT set_config('standard_conforming_strings', 'off', false);
CREATE VIEW v2 AS SELECT 'a\' || ' ; DROP TABLE keep_me; --' AS x;$s$, 'a view');
SELECT to_regclass('keep_me') IS NOT NULL AS kept, to_regclass('v1') IS NULL AS no_v1, to_regclass('v2') IS NULL AS no_v2;
-- what classification saw: two statements, SET and CREATE VIEW, no DROP
SELECT statement_no, command FROM dbchange.evaluate($s$SET standard_conforming_strings = off;
CREATE VIEW v1 AS SELECT 'a\' || ' ; DROP TABLE keep_me; --' AS x;$s$);
-- a statement read alike either way runs; the setting does not outlive the script
SELECT dbchange.submit($s$SET standard_conforming_strings = off;
CREATE VIEW v3 AS SELECT 'plain' AS x;$s$, 'a plain view') IS NOT NULL AS submitted;
SELECT to_regclass('v3') IS NOT NULL AS v3_created, current_setting('standard_conforming_strings') AS scs_after_submit;
SHOW search_path;
SELECT dbchange.submit($s$SET search_path = pg_temp, public;
CREATE VIEW public.v4 AS SELECT 1 AS x;$s$, 'sets search_path') IS NOT NULL AS submitted;
SHOW search_path;
RESET ROLE;

-- through approval and apply(): the approver's session is not left with the change's settings
SELECT * FROM dbchange.configure(default_action => 'queue') WHERE key = 'default_action';
SET ROLE regress_rd_dev;
SELECT dbchange.submit($s$SET standard_conforming_strings = off;
CREATE VIEW v5 AS SELECT 'a\' || ' ; DROP TABLE keep_me; --' AS x;$s$, 'queued view') AS bad \gset
SELECT dbchange.submit($s$SET search_path = pg_temp;
CREATE VIEW public.v6 AS SELECT 1 AS x;$s$, 'queued, sets search_path') AS good \gset
RESET ROLE;
SET ROLE regress_rd_lead;
SELECT dbchange.approve(:bad, 'looks like a view');
SELECT dbchange.approve(:good, 'fine');
RESET ROLE;
SELECT dbchange.apply(:bad);
SELECT dbchange.apply(:good);
SELECT status FROM dbchange.changes WHERE id IN (:bad, :good) ORDER BY id;
SELECT to_regclass('keep_me') IS NOT NULL AS kept, to_regclass('v5') IS NULL AS no_v5, to_regclass('public.v6') IS NOT NULL AS v6_created;
SELECT current_setting('standard_conforming_strings') AS scs_after_apply;
SHOW search_path;

-- names resolve when a statement runs as they did when it was checked: a SET
-- search_path, set_config() or rename earlier in the script does not make the
-- policies judge one table while another is changed.  A SET search_path (or
-- set_config() of a literal) is followed when the script is judged, so the policies
-- see public.ledger and queue it; so is a rename of the table the name first found
-- (scriptnames.c: scratch.ledger is no longer under that name, so ledger is public.ledger);
-- a path dbchange cannot read before it runs (an expression, a DO block) is refused when
-- the names change
SELECT * FROM dbchange.configure(default_action => 'approve') WHERE key = 'default_action';
SELECT dbchange.set_policy('protect_ledger', $lua$
return { name = "protect_ledger", description = "public.ledger changes need approval",
  check = function(c) if c.identity == "public.ledger" then return { action = "queue", risk = "critical", reason = "ledger" } end end,
  tests = { { sql = "ALTER TABLE public.ledger ADD COLUMN x int", environment = "dev", expect = "queue" } } }
$lua$);
SET dbchange.enforce = off;
CREATE SCHEMA scratch AUTHORIZATION regress_rd_dev;
CREATE TABLE public.ledger (id int);
ALTER TABLE public.ledger OWNER TO regress_rd_dev;
RESET dbchange.enforce;
SET ROLE regress_rd_dev;
CREATE TABLE scratch.ledger (id int);
SET search_path = scratch;
SELECT dbchange.submit($s$SET search_path = public;
ALTER TABLE ledger ADD COLUMN note text;$s$, 'scratch work');
SELECT dbchange.submit($s$SELECT set_config('search_path', 'public', false);
ALTER TABLE ledger ADD COLUMN note text;$s$, 'scratch work');
SELECT dbchange.submit($s$SELECT set_config('search_path', 'pub' || 'lic', false);
ALTER TABLE ledger ADD COLUMN note text;$s$, 'scratch work');
SELECT dbchange.submit($s$DO $do$BEGIN PERFORM set_config('search_path', 'public', false); END $do$;
ALTER TABLE ledger ADD COLUMN note text;$s$, 'scratch work');
SET search_path = scratch, public;
SELECT dbchange.submit($s$ALTER TABLE scratch.ledger RENAME TO ledger_old;
ALTER TABLE ledger ADD COLUMN note text;$s$, 'scratch work') AS renamed_id \gset
RESET ROLE;
SELECT status, (SELECT facts->>'identity' FROM dbchange.change_statement
                 WHERE change_id = :renamed_id AND statement_no = 2) AS judged_as
  FROM dbchange.changes WHERE id = :renamed_id;
SET ROLE regress_rd_dev;
RESET search_path;
SELECT dbchange.submit('ALTER TABLE public.ledger ADD COLUMN note text', 'named: judged as it is') > 0 AS queued;
RESET ROLE;
SELECT count(*) AS ledger_notes FROM pg_attribute WHERE attrelid = 'public.ledger'::regclass AND attname = 'note';
SELECT to_regclass('scratch.ledger') IS NOT NULL AS scratch_ledger_kept;

-- ... but objects the change itself creates may resolve elsewhere than the
-- classifier guessed before anything ran: a temporary table (its index, a later
-- ALTER), a partition's parent, a table in a schema the change created; a new
-- table in another existing schema than the one checked may not
SET ROLE regress_rd_dev;
SET search_path = scratch;
SELECT dbchange.submit($s$CREATE TEMP TABLE tmp_n (id int, x int);
CREATE INDEX tmp_n_x ON tmp_n (x);
ALTER TABLE tmp_n ADD COLUMN y int;$s$, 'temporary') > 0 AS temporary_table_runs;
SELECT dbchange.submit($s$CREATE TABLE parted (id int, x int) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
CREATE INDEX parted_x ON parted (x);$s$, 'partitions') > 0 AS partitions_run;
RESET ROLE;
SELECT dbchange.submit($s$CREATE SCHEMA fresh9;
SET search_path = fresh9;
CREATE TABLE t9 (id int);
CREATE INDEX t9_i ON t9 (id);$s$, 'a new schema') > 0 AS new_schema_runs;
SET ROLE regress_rd_dev;
SET search_path = scratch;
SELECT dbchange.submit($s$SELECT set_config('search_path', 'pub' || 'lic', false);
CREATE TABLE newt (id int);$s$, 'elsewhere');
RESET search_path;
RESET ROLE;
SELECT to_regclass('public.newt') IS NULL AS newt_not_created;

-- the parent of INHERIT is a name resolved like the others; and a name checked as one
-- table may not name another old table by the time it runs (moved there by SET SCHEMA)
SET dbchange.enforce = off;
CREATE SCHEMA scratch2 AUTHORIZATION regress_rd_dev;
RESET dbchange.enforce;
SET ROLE regress_rd_dev;
CREATE TABLE scratch.kid (id int);
CREATE TABLE scratch.acct (id int);
CREATE TABLE scratch2.acct (id int, big text);
SET search_path = scratch;
SELECT dbchange.submit($s$SELECT set_config('search_path', 'pub' || 'lic', false);
ALTER TABLE scratch.kid INHERIT ledger;$s$, 'inherit');
SELECT dbchange.submit($s$ALTER TABLE scratch.acct RENAME TO acct_old;
ALTER TABLE scratch2.acct SET SCHEMA scratch;
ALTER TABLE scratch.acct ADD COLUMN z int;$s$, 'swap');
RESET search_path;
RESET ROLE;
SELECT count(*) AS kid_parents FROM pg_inherits WHERE inhrelid = 'scratch.kid'::regclass;
SELECT to_regclass('scratch2.acct') IS NOT NULL AS acct_not_moved;

-- names as PostgreSQL stores them (mixed case, dots): a temporary table's index runs; a
-- swap under a mixed-case name is refused, in submit() and in apply() after approval
SET ROLE regress_rd_dev;
SET search_path = scratch;
SELECT dbchange.submit($s$CREATE TEMP TABLE "MixCase" (id int);
CREATE INDEX ON "MixCase" (id);$s$, 'temporary, mixed case') > 0 AS mixed_case_runs;
CREATE TABLE scratch."Sw" (id int);
CREATE TABLE scratch."Sw_new" (id int, x int);
SELECT dbchange.submit($s$ALTER TABLE "Sw" RENAME TO "Sw_old";
ALTER TABLE "Sw_new" RENAME TO "Sw";
CREATE INDEX ON "Sw" (x);$s$, 'swap');
RESET ROLE;
SELECT * FROM dbchange.configure(default_action => 'queue') WHERE key = 'default_action';
SET ROLE regress_rd_dev;
SELECT dbchange.submit($s$ALTER TABLE "Sw" RENAME TO "Sw_old";
ALTER TABLE "Sw_new" RENAME TO "Sw";
CREATE INDEX ON "Sw" (x);$s$, 'swap, queued') AS swap \gset
RESET ROLE;
SET ROLE regress_rd_lead;
SELECT dbchange.approve(:swap, 'an index on Sw');
RESET ROLE;
SELECT dbchange.apply(:swap);
SELECT status FROM dbchange.changes WHERE id = :swap;
SELECT count(*) AS sw_new_indexes FROM pg_index WHERE indrelid = 'scratch."Sw_new"'::regclass;
SELECT * FROM dbchange.configure(default_action => 'approve') WHERE key = 'default_action';
RESET search_path;

-- a name a script makes ambiguous (a schema "scratch.small" beside a table scratch."small.t")
-- must not switch the check off
SET ROLE regress_rd_dev;
CREATE TABLE scratch."small.t" (id int);
CREATE TABLE scratch.big (id int);
RESET ROLE;
SET dbchange.enforce = off;
GRANT CREATE ON DATABASE regress_security_reading TO regress_rd_dev;
RESET dbchange.enforce;
SET ROLE regress_rd_dev;
SELECT dbchange.submit($s$CREATE SCHEMA "scratch.small";
CREATE TABLE "scratch.small".t (id int);
ALTER TABLE scratch."small.t" RENAME TO gone;
ALTER TABLE scratch.big RENAME TO "small.t";
ALTER TABLE scratch."small.t" ADD COLUMN judged_on_the_empty_one int;$s$, 'ambiguous');
RESET ROLE;
SELECT to_regclass('scratch.big') IS NOT NULL AS big_not_renamed;

-- a swap made by hand between approval and apply(): the queued statement kept the
-- relations its names stood for when it was checked, so apply() refuses
SET ROLE regress_rd_dev;
CREATE TABLE scratch.small3 (id int);
CREATE TABLE scratch.big3 (id int, payload text);
RESET ROLE;
SELECT * FROM dbchange.configure(default_action => 'queue') WHERE key = 'default_action';
SET ROLE regress_rd_dev;
SELECT dbchange.submit('ALTER TABLE scratch.small3 ADD COLUMN judged_small int', 'on small3') AS late \gset
RESET ROLE;
SELECT jsonb_path_query_array(facts, '$.checked_relations[*].name') AS kept
  FROM dbchange.change_statement WHERE change_id = :late;
SET ROLE regress_rd_lead;
SELECT dbchange.approve(:late, 'small3 is empty');
RESET ROLE;
SELECT * FROM dbchange.configure(default_action => 'approve') WHERE key = 'default_action';
SET ROLE regress_rd_dev;
ALTER TABLE scratch.small3 RENAME TO small3_old;
ALTER TABLE scratch.big3 RENAME TO small3;
RESET ROLE;
SELECT dbchange.apply(:late);
SELECT status FROM dbchange.changes WHERE id = :late;
SELECT count(*) AS big3_columns_added FROM pg_attribute WHERE attrelid = 'scratch.small3'::regclass AND attname = 'judged_small';

-- ... but an index rebuilt under a new OID (REINDEX CONCURRENTLY) is still its table's index
SET ROLE regress_rd_dev;
CREATE TABLE scratch.rx (a int);
CREATE INDEX rx_a_idx ON scratch.rx (a);
RESET ROLE;
SELECT * FROM dbchange.configure(default_action => 'queue') WHERE key = 'default_action';
SET ROLE regress_rd_dev;
SELECT dbchange.submit('ALTER INDEX scratch.rx_a_idx SET (fillfactor = 70)', 'fillfactor') AS rx \gset
RESET ROLE;
SET ROLE regress_rd_lead;
SELECT dbchange.approve(:rx, 'fine');
RESET ROLE;
SELECT * FROM dbchange.configure(default_action => 'approve') WHERE key = 'default_action';
SET ROLE regress_rd_dev;
REINDEX INDEX CONCURRENTLY scratch.rx_a_idx;
RESET ROLE;
SELECT dbchange.apply(:rx);

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_security_reading;
DROP ROLE regress_rd_dev;
DROP ROLE regress_rd_lead;
