-- renamed_in_script: evaluate() and submit() judge a script before any of it runs, when a
-- table (index, column) the script renames is not under its new name yet.  A later statement
-- naming the new name is judged as the renamed relation -- its sizes, columns, indexes from the
-- catalog entry of the old name -- and says so (renamed_in_script, renamed_from,
-- renamed_columns); anything between that could change what names mean forgets the renames
-- (code run between forgets only the column renames);
-- and when the statement runs, the name must stand for the very relation renamed (ZC003
-- otherwise).  The stock library in prod, environment_risk tuned to approve prod DDL
-- (DDL.prod = { "approve", "high" }) as in script_new_tables, so the size findings decide.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_script_renames;
DROP ROLE IF EXISTS srn_dev, srn_dba, srn_dan;
CREATE DATABASE regress_script_renames;
\c regress_script_renames
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
CREATE ROLE srn_dev LOGIN IN ROLE dbchange_developer;
CREATE ROLE srn_dba LOGIN IN ROLE dbchange_approver;
CREATE ROLE srn_dan LOGIN IN ROLE dbchange_deployer;
SET dbchange.enforce = off;
CREATE SCHEMA arch;
CREATE TABLE registry_old (id int PRIMARY KEY, url varchar(100) NOT NULL, name text);
INSERT INTO registry_old SELECT g, 'u' || g, 'n' FROM generate_series(1, 10) g;
CREATE INDEX registry_name_idx ON registry_old (name);
CREATE TABLE events_old (id bigint PRIMARY KEY, payload varchar(20));
INSERT INTO events_old SELECT g, 'p' FROM generate_series(1, 120000) g;
CREATE TABLE few (id int);
INSERT INTO few VALUES (1);
ANALYZE registry_old, events_old, few;
GRANT ALL ON SCHEMA public, arch TO srn_dev, srn_dan;
ALTER TABLE registry_old OWNER TO srn_dev;
ALTER TABLE events_old OWNER TO srn_dev;
ALTER TABLE few OWNER TO srn_dev;
RESET dbchange.enforce;
\set src `sed -e '/^local DDL /,+1s/prod = { "queue", "high" }/prod = { "approve", "high" }/' -e '/^  tests = {/,/^  },/c\  tests = { { sql = "CREATE TABLE t_env (id int)", environment = "prod", expect = "approve", risk = "high" } },' lua_policies/environment_risk.lua`
SELECT dbchange.set_policy('environment_risk', :'src');
\set src `cat lua_policies/index_locking.lua`
SELECT dbchange.set_policy('index_locking', :'src');
\set src `cat lua_policies/safe_constraints.lua`
SELECT dbchange.set_policy('safe_constraints', :'src');
\set src `cat lua_policies/table_rewrites.lua`
SELECT dbchange.set_policy('table_rewrites', :'src');
\set src `cat lua_policies/column_changes.lua`
SELECT dbchange.set_policy('column_changes', :'src');
\set src `cat lua_policies/destructive_changes.lua`
SELECT dbchange.set_policy('destructive_changes', :'src');
SELECT key, value FROM dbchange.configure(environment => 'prod', rollout => 'manual', default_action => 'approve')
 WHERE key IN ('environment', 'rollout') ORDER BY key;
SELECT dbchange.set_flow('high', ARRAY['dbchange_approver']);

-- the facts of each statement of a script that matter here
CREATE FUNCTION judged(script text, source text DEFAULT 'migration')
RETURNS TABLE (no int, action text, risk text, ex jsonb, table_rows jsonb, renamed jsonb,
               renamed_from jsonb, renamed_columns jsonb, reasons text[])
LANGUAGE sql AS $$
  SELECT statement_no, action, risk, facts->'exists', facts->'table_rows',
         facts->'renamed_in_script', facts->'renamed_from', facts->'renamed_columns', reasons
    FROM dbchange.evaluate(script, 'prod', source) ORDER BY statement_no
$$;

-- before: the statement alone names a table that does not exist
SELECT * FROM judged('ALTER TABLE registry ALTER COLUMN url TYPE varchar(50)');
-- a table renamed earlier in the script: judged as the table it is (10 rows): approve
SELECT * FROM judged($$
ALTER TABLE registry_old RENAME TO registry;
ALTER TABLE registry ALTER COLUMN url TYPE varchar(50)$$);
-- a large one (120000 rows): the rewrite queues
SELECT * FROM judged($$
ALTER TABLE events_old RENAME TO events;
ALTER TABLE events ALTER COLUMN payload TYPE bigint USING 0;
ALTER TABLE events ADD COLUMN seen boolean NOT NULL$$);
-- SET SCHEMA: the table in its new schema, and no longer in its old one
SELECT * FROM judged($$
ALTER TABLE events_old SET SCHEMA arch;
ALTER TABLE arch.events_old ALTER COLUMN payload TYPE bigint USING 0;
ALTER TABLE public.events_old ADD COLUMN x int$$);
-- a column renamed: its type, nullability; the old name is gone
SELECT * FROM judged($$
ALTER TABLE registry_old RENAME COLUMN url TO address;
ALTER TABLE registry_old ALTER COLUMN address TYPE varchar(100);
ALTER TABLE registry_old ALTER COLUMN address SET NOT NULL;
ALTER TABLE registry_old ALTER COLUMN url TYPE varchar(100)$$);
-- type_unchanged and was_not_null stay null on a table renamed: the statements before the
-- rename named it otherwise (here statement 1 changes the column's type; without the rename,
-- statement 3 is matched by name and is null as well)
SELECT statement_no, facts->'subcommands'->0->'type_unchanged' AS type_unchanged,
       facts->'subcommands'->0->'was_not_null' AS was_not_null
  FROM dbchange.evaluate($$
ALTER TABLE registry_old ALTER COLUMN url TYPE text;
ALTER TABLE registry_old RENAME TO registry;
ALTER TABLE registry ALTER COLUMN url TYPE varchar(100);
ALTER TABLE registry ALTER COLUMN url SET NOT NULL$$, 'prod') ORDER BY 1;
SELECT statement_no, facts->'subcommands'->0->'type_unchanged' AS type_unchanged
  FROM dbchange.evaluate($$
ALTER TABLE registry_old ALTER COLUMN url TYPE text;
ALTER TABLE registry_old ALTER COLUMN url TYPE varchar(100)$$, 'prod') ORDER BY 1;
-- a table and its column renamed, then the column's type changed on a large table
SELECT * FROM judged($$
ALTER TABLE events_old RENAME TO events;
ALTER TABLE events RENAME COLUMN payload TO body;
ALTER TABLE events ALTER COLUMN body TYPE bigint USING 0$$);
-- an index renamed
SELECT * FROM judged($$
ALTER INDEX registry_name_idx RENAME TO registry_by_name;
DROP INDEX registry_by_name$$);

-- forgotten when anything between could change what the names mean: the last statement is
-- judged on the catalog as it is (registry does not exist).  A statement that runs code (DO,
-- DML, a query) keeps the relation renames since session 26 -- what code does to the names is
-- caught by the OID check when the statement runs -- but forgets the column renames
SELECT s AS script, (SELECT array_agg(coalesce(renamed::text, '-') ORDER BY no) FROM judged(s, src)) AS renamed,
       (SELECT table_rows FROM judged(s, src) ORDER BY no DESC LIMIT 1) AS last_table_rows
  FROM (VALUES
    ('ALTER TABLE registry_old RENAME TO registry; SET lock_timeout = ''1s''; ALTER TABLE registry ADD COLUMN x int', 'migration'),
    ('ALTER TABLE registry_old RENAME TO registry; ALTER TABLE few ADD COLUMN x int; ALTER TABLE registry ADD COLUMN x int', 'migration'),
    ('ALTER TABLE registry_old RENAME TO registry; DROP TABLE IF EXISTS nothing_here; ALTER TABLE registry ADD COLUMN x int', 'migration'),
    ('ALTER TABLE registry_old RENAME TO registry; CREATE TABLE registry_old (id int); ALTER TABLE registry ADD COLUMN x int', 'migration'),
    ('ALTER TABLE registry_old RENAME TO registry; CREATE INDEX ON few (id); ALTER TABLE registry ADD COLUMN x int', 'migration'),
    ('ALTER TABLE registry_old RENAME TO registry; SET search_path = public; ALTER TABLE registry ADD COLUMN x int', 'migration'),
    ('ALTER TABLE registry_old RENAME TO registry; SET ROLE srn_dev; ALTER TABLE registry ADD COLUMN x int', 'migration'),
    ('ALTER TABLE registry_old RENAME TO registry; DO $d$ BEGIN END $d$; ALTER TABLE registry ADD COLUMN x int', 'migration'),
    ('ALTER TABLE registry_old RENAME TO registry; INSERT INTO few VALUES (2); ALTER TABLE registry ADD COLUMN x int', 'migration'),
    ('ALTER TABLE registry_old RENAME TO registry; SELECT count(*) FROM few; ALTER TABLE registry ADD COLUMN x int', 'migration'),
    ('ALTER TABLE registry_old RENAME TO registry; ALTER TABLE registry RENAME TO registry2; ALTER TABLE registry2 ADD COLUMN x int', 'migration'),
    ('ALTER TABLE registry_old RENAME TO registry; ALTER TABLE registry RENAME TO registry_old; ALTER TABLE registry_old ADD COLUMN x int', 'migration'),
    ('ALTER TABLE registry_old RENAME TO registry; ALTER SCHEMA arch RENAME TO arch2; ALTER TABLE registry ADD COLUMN x int', 'migration'),
    ('ALTER TABLE registry_old RENAME TO events_old; ALTER TABLE events_old ADD COLUMN x int', 'migration'),
    ('ALTER TABLE registry_old RENAME TO registry; CREATE INDEX CONCURRENTLY few_id ON few (id); ALTER TABLE registry ADD COLUMN x int', 'migration'),
    ('BEGIN; ALTER TABLE registry_old RENAME TO registry; ROLLBACK; ALTER TABLE registry ADD COLUMN x int', 'interactive'),
    ('BEGIN; ALTER TABLE registry_old RENAME TO registry; COMMIT; ALTER TABLE registry ADD COLUMN x int', 'interactive'),
    ('ALTER TABLE registry_old RENAME COLUMN url TO address; ALTER TABLE registry_old RENAME COLUMN address TO url; ALTER TABLE registry_old ALTER COLUMN address DROP NOT NULL', 'migration'),
    ('ALTER TABLE registry_old RENAME COLUMN url TO address; SELECT 1; ALTER TABLE registry_old ALTER COLUMN address DROP NOT NULL', 'migration')
  ) AS v(s, src);

-- submit(): the small table's change is approved and applied in one transaction
SET ROLE srn_dev;
SELECT dbchange.submit($$
ALTER TABLE registry_old RENAME TO registry;
ALTER TABLE registry RENAME COLUMN url TO address;
ALTER TABLE registry ALTER COLUMN address TYPE varchar(50)$$, 'registry') AS reg_id \gset
RESET ROLE;
SELECT status, risk FROM dbchange.changes WHERE id = :reg_id;
SELECT statement_no, action, facts->'renamed_in_script' AS renamed, facts->'table_rows' AS table_rows
  FROM dbchange.change_statement WHERE change_id = :reg_id ORDER BY 1;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'registry'::regclass AND attname = 'address';
-- the renamed table under its new name wherever the facts name it by OID: as an index's table,
-- as what a view reads (directly, or through another view); the statements run as judged
SET dbchange.enforce = off;
CREATE TABLE nm_old (id int PRIMARY KEY, v text);
CREATE VIEW nm_view AS SELECT * FROM nm_old;
ALTER TABLE nm_old OWNER TO srn_dev;
ALTER VIEW nm_view OWNER TO srn_dev;
RESET dbchange.enforce;
SET ROLE srn_dev;
SELECT dbchange.submit($$
ALTER TABLE nm_old RENAME TO nm;
ALTER INDEX nm_old_pkey SET (fillfactor = 90);
CREATE VIEW nm_direct AS SELECT * FROM nm;
CREATE VIEW nm_through AS SELECT * FROM nm_view$$, 'by OID') AS nm_id \gset
RESET ROLE;
SELECT status FROM dbchange.changes WHERE id = :nm_id;
SELECT statement_no, facts->>'table' AS "table", facts->'renamed_from' AS renamed_from,
       (SELECT array_agg(r->>'identity' ORDER BY r->>'identity') FROM jsonb_array_elements(facts->'reads') r) AS reads
  FROM dbchange.change_statement WHERE change_id = :nm_id ORDER BY 1;

-- on the large table, a change that rewrites nothing is approved and applied too (a longer
-- varchar: no rewrite, the table judged as it is, not of unknown size)
SET ROLE srn_dev;
SELECT dbchange.submit($$
ALTER TABLE events_old RENAME TO events;
ALTER TABLE events ALTER COLUMN payload TYPE varchar(30)$$, 'events') AS ev_id \gset
-- one that rewrites it is queued, then approved and applied: the relations stored for
-- apply() are the table renamed (moved), by its OID
SELECT dbchange.submit($$
ALTER TABLE events SET SCHEMA arch;
ALTER TABLE arch.events ALTER COLUMN payload TYPE bigint USING 0$$, 'events') AS ev2_id \gset
RESET ROLE;
SELECT id = :ev_id AS first, status, risk FROM dbchange.changes WHERE id IN (:ev_id, :ev2_id) ORDER BY id;
SELECT statement_no, action, facts->'renamed_from' AS renamed_from,
       facts->'checked_relations'->0->'oids'->>0 = 'events'::regclass::oid::text AS checked_as_it
  FROM dbchange.change_statement WHERE change_id = :ev2_id ORDER BY 1;
SET ROLE srn_dba;
SELECT dbchange.approve(:ev2_id, 'ok');
SET ROLE srn_dan;
SELECT dbchange.apply(:ev2_id);
RESET ROLE;
SELECT status FROM dbchange.changes WHERE id = :ev2_id;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'arch.events'::regclass AND attname = 'payload';
-- queued again, and before it is applied somebody moves the table back and puts another one
-- under the new name: the SET SCHEMA's own check refuses the change (ZC003)
SET ROLE srn_dev;
SELECT dbchange.submit($$
ALTER TABLE arch.events SET SCHEMA public;
ALTER TABLE public.events ALTER COLUMN payload TYPE int$$, 'events back') AS ev3_id \gset
RESET ROLE;
SELECT status, (SELECT facts->'renamed_from' FROM dbchange.change_statement
                 WHERE change_id = :ev3_id AND statement_no = 2) AS renamed_from
  FROM dbchange.changes WHERE id = :ev3_id;
SET dbchange.enforce = off;
ALTER TABLE arch.events RENAME TO events_aside;
CREATE TABLE arch.events (id bigint, payload bigint);
RESET dbchange.enforce;
SET ROLE srn_dba;
SELECT dbchange.approve(:ev3_id, 'ok');
SET ROLE srn_dan;
SELECT dbchange.apply(:ev3_id);
RESET ROLE;
SELECT status, error_sqlstate, error_message FROM dbchange.changes WHERE id = :ev3_id;
SELECT to_regclass('public.events') AS public_events;

-- a dodge: code a statement between runs (a column default ADD COLUMN evaluates once) renames
-- the table away and creates another under its new name.  The script is judged as above
-- (statement 3 on the 10-row table), but when statement 3 runs its name stands for another
-- table, one the change created: ZC003, and nothing of the change stays
SET dbchange.enforce = off;
CREATE TABLE small_old (id int PRIMARY KEY, url varchar(100));
INSERT INTO small_old VALUES (1, 'u');
ANALYZE small_old;
ALTER TABLE small_old OWNER TO srn_dev;
SET check_function_bodies = off;
CREATE FUNCTION swap_small() RETURNS int LANGUAGE plpgsql VOLATILE
  AS $f$ BEGIN ALTER TABLE public.small RENAME TO small_moved; CREATE TABLE public.small (id int, url varchar(100)); RETURN 1; END $f$;
CREATE FUNCTION swap_default() RETURNS int LANGUAGE plpgsql IMMUTABLE
  AS $f$ BEGIN PERFORM public.swap_small(); RETURN 0; END $f$;
RESET check_function_bodies;
RESET dbchange.enforce;
\set swap 'ALTER TABLE small_old RENAME TO small;\nALTER TABLE few ADD COLUMN token int DEFAULT swap_default();\nALTER TABLE small ALTER COLUMN url TYPE varchar(50);'
SELECT E:'swap' AS swap \gset
SELECT * FROM judged(:'swap');
SET ROLE srn_dev;
SELECT dbchange.submit(:'swap');
RESET ROLE;
SELECT to_regclass('small') AS small, to_regclass('small_old') AS small_old, to_regclass('small_moved') AS small_moved;
-- the same swap in a DO block between, which keeps the relation renames (session 26): judged as
-- the 10-row table, and when statement 3 runs its name stands for another table: ZC003, nothing
-- of the change stays
\set swapdo 'ALTER TABLE small_old RENAME TO small;\nDO $d$ BEGIN PERFORM public.swap_small(); END $d$;\nALTER TABLE small ALTER COLUMN url TYPE varchar(50);'
SELECT E:'swapdo' AS swapdo \gset
SELECT no, action, renamed_from FROM judged(:'swapdo');
SET ROLE srn_dev;
SELECT dbchange.submit(:'swapdo');
RESET ROLE;
SELECT to_regclass('small') AS small, to_regclass('small_old') AS small_old, to_regclass('small_moved') AS small_moved;
-- another: a DO block sets the search_path, so the rename renames another schema's table than
-- the one judged; fails closed (the rename's own names check)
SET dbchange.enforce = off;
CREATE TABLE arch.small_old (id int, url varchar(100));
ALTER TABLE arch.small_old OWNER TO srn_dev;
RESET dbchange.enforce;
SET ROLE srn_dev;
SELECT dbchange.submit($$
DO $d$ BEGIN PERFORM set_config('search_path', 'arch, public', false); END $d$;
ALTER TABLE small_old RENAME TO small;
ALTER TABLE small ALTER COLUMN url TYPE varchar(50)$$);
RESET ROLE;
SELECT to_regclass('small') AS small, to_regclass('arch.small') AS arch_small;

-- the gate: statements run one by one, so the catalog has the rename when the next one is
-- judged; no renamed_in_script
SET ROLE srn_dev;
ALTER TABLE small_old RENAME TO small;
ALTER TABLE small ALTER COLUMN url TYPE varchar(60);
RESET ROLE;
SELECT statement, action, facts->'renamed_in_script' AS renamed, facts->'table_rows' AS table_rows
  FROM dbchange.change_statement WHERE statement LIKE 'ALTER TABLE small%' ORDER BY change_id;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'small'::regclass AND attname = 'url';

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_script_renames;
DROP ROLE srn_dev, srn_dba, srn_dan;
