-- renamed_in_script, the relations that move or are renamed with another: the indexes and
-- owned sequences SET SCHEMA of a table moves with it, the index RENAME CONSTRAINT of a
-- primary key / unique constraint renames; CREATE TABLE (LIKE t) of a table the script renamed;
-- and a session with a temporary schema.  Each is judged as the relation it will act on, and a
-- later statement of a change cannot get a large relation judged as a small or unknown one:
-- it queues, or fails when it runs (ZC003).  The stock library in prod, environment_risk tuned
-- to approve prod DDL as in script_renames, so the size findings decide.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_script_renames_moves;
DROP ROLE IF EXISTS srm_dev, srm_dba, srm_dan;
CREATE DATABASE regress_script_renames_moves;
\c regress_script_renames_moves
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
CREATE ROLE srm_dev LOGIN IN ROLE dbchange_developer;
CREATE ROLE srm_dba LOGIN IN ROLE dbchange_approver;
CREATE ROLE srm_dan LOGIN IN ROLE dbchange_deployer;
SET dbchange.enforce = off;
CREATE SCHEMA arch;
CREATE SCHEMA busy;
CREATE TABLE events_old (id bigserial PRIMARY KEY, payload varchar(20), n int,
                         CONSTRAINT events_payload_key UNIQUE (payload), CONSTRAINT events_n_check CHECK (n > 0));
INSERT INTO events_old (payload, n) SELECT 'p' || g, 1 FROM generate_series(1, 120000) g;
CREATE INDEX events_n_idx ON events_old (n);
CREATE TABLE ident (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
CREATE TABLE few (id serial PRIMARY KEY, v text);
CREATE INDEX few_v_idx ON few (v);
INSERT INTO few (v) VALUES ('1');
CREATE TABLE few2 (id int);
CREATE TABLE bulk (id int, v text);
INSERT INTO bulk SELECT g, 'v' FROM generate_series(1, 120000) g;
CREATE INDEX bulk_ix ON bulk (v);
CREATE TABLE busy.few_v_idx (id int);
CREATE SEQUENCE lone_seq;
ANALYZE events_old, ident, few, few2, bulk;
GRANT ALL ON SCHEMA public, arch TO srm_dev, srm_dan;
ALTER TABLE events_old OWNER TO srm_dev;
ALTER TABLE ident OWNER TO srm_dev;
ALTER TABLE few OWNER TO srm_dev;
ALTER TABLE few2 OWNER TO srm_dev;
ALTER TABLE bulk OWNER TO srm_dev;
ALTER SEQUENCE lone_seq OWNER TO srm_dev;
-- code a statement between runs (a column default ADD COLUMN evaluates once): whatever
-- swap_sql holds, as the submitter could arrange
CREATE TABLE swap_sql (sql text);
GRANT ALL ON swap_sql TO PUBLIC;
SET check_function_bodies = off;
CREATE FUNCTION do_swap() RETURNS int LANGUAGE plpgsql VOLATILE
  AS $f$ DECLARE s text; BEGIN FOR s IN SELECT sql FROM public.swap_sql LOOP EXECUTE s; END LOOP; RETURN 1; END $f$;
CREATE FUNCTION swap_default() RETURNS int LANGUAGE plpgsql IMMUTABLE
  AS $f$ BEGIN PERFORM public.do_swap(); RETURN 0; END $f$;
RESET check_function_bodies;
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

-- submit(), and the SQLSTATE and message it fails with
CREATE FUNCTION submitted(script text, description text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dbchange.submit(script, description);
  RETURN 'submitted';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- the facts of each statement of a script that matter here
CREATE FUNCTION judged(script text, source text DEFAULT 'migration')
RETURNS TABLE (no int, action text, ex jsonb, identity text, "table" text, table_rows jsonb,
               renamed_from jsonb)
LANGUAGE sql AS $$
  SELECT statement_no, action, facts->'exists', facts->>'identity', facts->>'table', facts->'table_rows',
         facts->'renamed_from'
    FROM dbchange.evaluate(script, 'prod', source) ORDER BY statement_no
$$;

-- 1. SET SCHEMA of a table moves its indexes and the sequences its columns own: a later
-- statement naming them in the new schema is judged as them (REINDEX and the narrowing
-- ALTER SEQUENCE of the large table's queue, as they do unmoved), and their old names are gone
SELECT * FROM judged($$
ALTER TABLE events_old SET SCHEMA arch;
ALTER SEQUENCE arch.events_old_id_seq AS integer;
ALTER SEQUENCE public.events_old_id_seq AS integer;
ALTER INDEX public.events_n_idx SET (fillfactor = 90);
REINDEX INDEX arch.events_n_idx$$);
-- an identity column's sequence too
SELECT * FROM judged($$
ALTER TABLE ident SET SCHEMA arch;
ALTER SEQUENCE arch.ident_id_seq RESTART$$);
-- not noted when a name the move needs is taken in the new schema (the SET SCHEMA fails when
-- it runs): the later statement is judged on the catalog as it is
SELECT * FROM judged($$
ALTER TABLE few SET SCHEMA busy;
ALTER TABLE busy.few ADD COLUMN x int$$);
-- an index renamed by the script earlier: everything forgotten at the move; and a constraint
-- whose index moved: forgotten at its rename (a rename of a relation noted, as any other)
SELECT * FROM judged($$
ALTER INDEX events_n_idx RENAME TO events_by_n;
ALTER TABLE events_old SET SCHEMA arch;
REINDEX INDEX arch.events_by_n$$);
SELECT * FROM judged($$
ALTER TABLE events_old SET SCHEMA arch;
ALTER TABLE arch.events_old RENAME CONSTRAINT events_payload_key TO events_payload_uq;
REINDEX INDEX arch.events_payload_uq$$);

-- 2. RENAME CONSTRAINT of a unique / primary key constraint renames its index: judged as it
SELECT * FROM judged($$
ALTER TABLE events_old RENAME CONSTRAINT events_payload_key TO events_payload_uq;
REINDEX INDEX events_payload_uq;
REINDEX INDEX events_payload_key$$);
-- after the table's own rename, the usual pair of a migration
SELECT * FROM judged($$
ALTER TABLE events_old RENAME TO events;
ALTER TABLE events RENAME CONSTRAINT events_old_pkey TO events_pkey;
REINDEX INDEX events_pkey$$);
-- a CHECK constraint names no relation: the renames noted stay
SELECT * FROM judged($$
ALTER TABLE events_old RENAME TO events;
ALTER TABLE events RENAME CONSTRAINT events_n_check TO events_n_positive;
ALTER TABLE events ALTER COLUMN payload TYPE varchar(10)$$);
-- a constraint the catalog does not have under that name: everything forgotten
SELECT * FROM judged($$
ALTER TABLE events_old RENAME TO events;
ALTER TABLE events RENAME CONSTRAINT no_such_constraint TO x;
ALTER TABLE events ALTER COLUMN payload TYPE varchar(10)$$);

-- 3. CREATE TABLE (LIKE t): the table copied is found as PostgreSQL will find it (through the
-- script's renames, renamed_from), named in "like", and what it copies is judged: its columns
-- (with their NOT NULL; defaults, identity, generation with INCLUDING), its primary key with
-- INCLUDING INDEXES
SELECT statement_no AS no, facts->'like' AS "like", facts->'renamed_from' AS renamed_from,
       facts->'has_primary_key' AS has_pk,
       (SELECT array_agg(c->>'name' || ' ' || (c->>'type') ||
                         CASE WHEN c->'typmods' <> '[]' THEN (c->'typmods')::text ELSE '' END ||
                         CASE WHEN (c->>'not_null')::bool THEN ' not null' ELSE '' END ||
                         CASE WHEN (c->>'primary_key')::bool THEN ' pk' ELSE '' END ||
                         CASE WHEN (c->>'default_volatile')::bool THEN ' volatile default'
                              WHEN (c->>'has_default')::bool THEN ' default' ELSE '' END)
          FROM jsonb_array_elements(facts->'columns') c) AS columns
  FROM dbchange.evaluate($$
ALTER TABLE events_old RENAME TO events;
CREATE TABLE events_copy (LIKE events INCLUDING ALL, extra int);
CREATE TABLE events_bare (LIKE events);
CREATE TABLE events_none (LIKE events_old);
CREATE TABLE ident_copy (LIKE ident INCLUDING IDENTITY)$$, 'prod', 'migration') ORDER BY 1;

-- 4. a session with a temporary schema: the script's renames are followed in the order
-- PostgreSQL searches, the temporary schema first unless the path puts it elsewhere
CREATE TEMP TABLE events (id bigint, payload varchar(20));
SELECT no, action, identity LIKE 'pg_temp_%' AS temp, table_rows, renamed_from FROM judged($$
ALTER TABLE events_old RENAME TO events;
ALTER TABLE events ALTER COLUMN payload TYPE varchar(10)$$);
SET search_path = public, pg_temp;
SELECT no, action, identity LIKE 'pg_temp_%' AS temp, table_rows, renamed_from FROM judged($$
ALTER TABLE events_old RENAME TO events;
ALTER TABLE events ALTER COLUMN payload TYPE varchar(10)$$);
RESET search_path;
-- an index renamed while the session has a temporary schema: judged as it (REINDEX queues)
SELECT * FROM judged($$
ALTER INDEX events_n_idx RENAME TO events_by_n;
REINDEX INDEX events_by_n$$);
-- a script that makes a temporary relation: nothing is noted from then on (the temporary
-- table comes first when the later statements run, and is not in the catalog yet)
SELECT no, action, identity, table_rows, renamed_from FROM judged($$
CREATE TEMP TABLE events3 (id bigint, payload varchar(20));
ALTER TABLE events_old RENAME TO events3;
ALTER TABLE events3 ALTER COLUMN payload TYPE varchar(10)$$);
SELECT no, renamed_from FROM judged($$
CREATE INDEX events_tmp_ix ON events (payload);
ALTER TABLE events_old RENAME TO events4;
ALTER TABLE events4 ALTER COLUMN payload TYPE varchar(10)$$);
-- a statement between that runs code (a query here) no longer makes the script forget its
-- relation renames (it forgot them up to session 26, so the sequence's new name was judged as
-- naming nothing, approved, and then refused when it ran): the sequence is judged as the large
-- table's and the change is queued; code that swapped it would fail the OID check when it runs
SET ROLE srm_dev;
SELECT * FROM judged($$
ALTER TABLE events_old SET SCHEMA arch;
SELECT 1;
ALTER SEQUENCE arch.events_old_id_seq AS integer$$);
SELECT submitted($$
ALTER TABLE events_old SET SCHEMA arch;
SELECT 1;
ALTER SEQUENCE arch.events_old_id_seq AS integer$$, 'forgotten');
RESET ROLE;
SELECT to_regclass('public.events_old') AS events_old, format_type(seqtypid, NULL) AS seq_type
  FROM pg_sequence WHERE seqrelid = 'public.events_old_id_seq'::regclass;
-- the same where nothing else tells: a sequence no column uses, an index built on a table
-- renamed: judged as the renamed ones across the query, queued (a name forgotten for other
-- reasons that stood for no relation when it was checked must stand for none but the change's
-- own when it runs: below)
SET ROLE srm_dev;
SELECT * FROM judged($$
ALTER SEQUENCE lone_seq RENAME TO lone_seq2;
SELECT 1;
ALTER SEQUENCE lone_seq2 AS integer;
ALTER TABLE bulk RENAME TO bulk2;
SELECT 1;
CREATE INDEX bulk2_id ON bulk2 (id)$$);
SELECT submitted($$
ALTER SEQUENCE lone_seq RENAME TO lone_seq2;
SELECT 1;
ALTER SEQUENCE lone_seq2 AS integer$$, 'forgotten sequence');
SELECT submitted($$
ALTER TABLE bulk RENAME TO bulk2;
SELECT 1;
CREATE INDEX bulk2_id ON bulk2 (id)$$, 'forgotten table');
RESET ROLE;
SELECT description, status FROM dbchange.changes
 WHERE description IN ('forgotten', 'forgotten sequence', 'forgotten table') ORDER BY id;
SET ROLE srm_dev;
-- a name forgotten by a SET between (not followed for relation names) is still judged as naming
-- nothing, and refused when it runs
SELECT submitted($$
ALTER TABLE bulk RENAME TO bulk2;
SET work_mem = '64MB';
CREATE INDEX bulk2_id ON bulk2 (id)$$, 'forgotten by a setting');
-- but a relation the change itself made is its own
SELECT dbchange.submit($$
CREATE TABLE made_here (id int);
SELECT 1;
CREATE INDEX made_here_id ON made_here (id);
ALTER INDEX made_here_id SET (fillfactor = 90)$$, 'made here') AS made_id \gset
RESET ROLE;
SELECT status FROM dbchange.changes WHERE id = :made_id;
SELECT to_regclass('lone_seq') AS lone_seq, to_regclass('bulk') AS bulk, to_regclass('bulk2_id') AS bulk2_id;

-- a dodge: the temporary table is judged (no rows), then renamed away by the script, so the
-- statement would act on the large table renamed to its name: refused when it runs (ZC003)
DISCARD TEMP;
SET ROLE srm_dev;
CREATE TEMP TABLE events (id bigint, payload varchar(20));
SELECT no, action, identity LIKE 'pg_temp_%' AS temp, table_rows FROM judged($$
ALTER TABLE events_old RENAME TO events;
ALTER TABLE pg_temp.events RENAME TO events_gone;
ALTER TABLE events ALTER COLUMN payload TYPE varchar(10)$$);
SELECT submitted($$
ALTER TABLE events_old RENAME TO events;
ALTER TABLE pg_temp.events RENAME TO events_gone;
ALTER TABLE events ALTER COLUMN payload TYPE varchar(10)$$, 'temp dodge');
RESET ROLE;
SELECT to_regclass('public.events_old') AS events_old, to_regclass('public.events') AS public_events;
DISCARD TEMP;

-- submit(): the small table moved with its index and sequence, both then changed, applied
SET ROLE srm_dev;
SELECT dbchange.submit($$
ALTER TABLE few SET SCHEMA arch;
ALTER INDEX arch.few_v_idx SET (fillfactor = 90);
ALTER SEQUENCE arch.few_id_seq CACHE 2$$, 'moves') AS mv_id \gset
SELECT dbchange.submit($$
ALTER TABLE arch.few RENAME CONSTRAINT few_pkey TO few_pk;
ALTER INDEX arch.few_pk SET (fillfactor = 80)$$, 'constraint') AS mv2_id \gset
RESET ROLE;
SELECT status FROM dbchange.changes WHERE id IN (:mv_id, :mv2_id) ORDER BY id;
SELECT change_id = :mv_id AS first, statement_no, action, facts->'renamed_from' AS renamed_from
  FROM dbchange.change_statement WHERE change_id IN (:mv_id, :mv2_id) ORDER BY change_id, statement_no;
SELECT c.oid::regclass, c.reloptions FROM pg_class c
 WHERE c.oid IN ('arch.few_v_idx'::regclass, 'arch.few_pk'::regclass) ORDER BY 1::text;
SELECT seqcache FROM pg_sequence WHERE seqrelid = 'arch.few_id_seq'::regclass;
-- a dodge: code run between moves the small index away and renames the large table's index
-- into its place; the REINDEX judged on the small one is refused when it runs (ZC003)
INSERT INTO swap_sql VALUES ('ALTER INDEX public.few_v_idx RENAME TO few_v_aside'),
  ('ALTER INDEX public.bulk_ix RENAME TO few_v_idx');
SET ROLE srm_dev;
SELECT * FROM judged($$
ALTER TABLE arch.few SET SCHEMA public;
ALTER TABLE few2 ADD COLUMN token int DEFAULT swap_default();
REINDEX INDEX public.few_v_idx$$);
SELECT submitted($$
ALTER TABLE arch.few SET SCHEMA public;
ALTER TABLE few2 ADD COLUMN token int DEFAULT swap_default();
REINDEX INDEX public.few_v_idx$$, 'swap');
RESET ROLE;
SELECT to_regclass('arch.few') AS arch_few, to_regclass('public.bulk_ix') AS bulk_ix;
DELETE FROM swap_sql;
-- and LIKE: the table copied replaced by code run between -> ZC003
INSERT INTO swap_sql VALUES ('ALTER TABLE arch.few_like RENAME TO few_aside'), ('CREATE TABLE arch.few_like (id int)');
SET ROLE srm_dev;
SELECT submitted($$
ALTER TABLE arch.few RENAME TO few_like;
ALTER TABLE few2 ADD COLUMN token int DEFAULT swap_default();
CREATE TABLE few_copy (LIKE arch.few_like INCLUDING ALL)$$, 'like swap');
RESET ROLE;
DELETE FROM swap_sql;
SET ROLE srm_dev;
SELECT dbchange.submit($$
ALTER TABLE arch.few RENAME TO few_like;
CREATE TABLE few_copy (LIKE arch.few_like INCLUDING ALL)$$, 'like') AS lk2_id \gset
RESET ROLE;
SELECT status FROM dbchange.changes WHERE id = :lk2_id;
SELECT statement_no, facts->'like' AS "like", facts->'renamed_from' AS renamed_from
  FROM dbchange.change_statement WHERE change_id = :lk2_id ORDER BY 1;
SELECT to_regclass('few_copy_pkey') AS copied_pk;

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_script_renames_moves;
DROP ROLE srm_dev, srm_dba, srm_dan;
