-- dbchange: the change catalog (schema dbchange, created by CREATE EXTENSION).
-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION dbchange" to load this file. \quit

-- Roles.  Cluster-wide, so created only when missing (a second database
-- installing the extension reuses them).  They own nothing.
--   dbchange_developer     whose DDL is checked (everybody's is; the role is for grants)
--   dbchange_approver      may approve or reject changes (flows name finer roles)
--   dbchange_deployer      may apply approved changes (rollout manual)
--   dbchange_policy_admin  may configure the environment, policies and flows
DO $roles$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['dbchange_developer','dbchange_approver','dbchange_deployer','dbchange_policy_admin'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
      EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
    END IF;
  END LOOP;
END
$roles$;

-- Who is calling?  Inside SECURITY DEFINER functions current_user is the
-- extension owner; _caller() names the role that called in (SET ROLE aware).
CREATE FUNCTION dbchange._caller() RETURNS name
  LANGUAGE C STABLE STRICT AS 'MODULE_PATHNAME', 'dbc_caller';
CREATE FUNCTION dbchange._caller_oid() RETURNS oid
  LANGUAGE C STABLE STRICT AS 'MODULE_PATHNAME', 'dbc_caller_oid';
CREATE FUNCTION dbchange.preloaded() RETURNS boolean
  LANGUAGE C STABLE STRICT AS 'MODULE_PATHNAME', 'dbc_is_preloaded';
-- A new change uid: a time-ordered (version 7) UUID, so that change_uid_idx
-- grows at its right edge (catalog.c, time_ordered_uuid).
-- _shown(t): a value a user gave, as an error message repeats it: the first
-- 64 characters and "..." when longer, so that a 200,000-character name does
-- not become a 200 kB message in the server log.
CREATE FUNCTION dbchange._shown(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN pg_catalog.length(t) > 64 THEN pg_catalog.left(t, 64) || '...' ELSE t END
$$;

CREATE FUNCTION dbchange._uuid_v7() RETURNS uuid
  LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'dbc_uuid_v7';

-- Ids for the catalog's rows (ids.c): the default of every bigserial column
-- below, instead of nextval(), which would make the sequence the session's
-- lastval() -- after an approved DDL statement a developer's lastval() would
-- return the gate's change id.  With dbchange preloaded, ids come from
-- shared memory in blocks reserved on the sequence with setval(); without,
-- from nextval() as before.  _last_id() is the last id handed out (the
-- audit sealer's mark); _forget_id_blocks() drops this database's blocks in
-- hand, for a superuser who moved a sequence back with setval().
CREATE FUNCTION dbchange._next_id(regclass) RETURNS bigint
  LANGUAGE C VOLATILE STRICT AS 'MODULE_PATHNAME', 'dbc_next_id';
CREATE FUNCTION dbchange._last_id(regclass) RETURNS bigint
  LANGUAGE C VOLATILE STRICT AS 'MODULE_PATHNAME', 'dbc_last_id';
CREATE FUNCTION dbchange._forget_id_blocks() RETURNS integer
  LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'dbc_forget_id_blocks';

-- The event-trigger functions pg_event_trigger_ddl_commands() and
-- pg_event_trigger_dropped_objects(), declared again to return named row
-- types: the gate calls these (gate.c, collect_srf) on every statement, and
-- a function with OUT parameters rebuilds its row type from pg_proc at each
-- call (about 12,000 instructions), a named one comes from the type cache.
-- The "command" column is a pg_ddl_command, a pseudo-type no row type may
-- hold; bigint has its size (a pointer passed by value) and is never read.
CREATE TYPE dbchange._ddl_command_row AS (
  classid oid, objid oid, objsubid int, command_tag text, object_type text,
  schema_name text, object_identity text, in_extension bool, command bigint);
CREATE FUNCTION dbchange._ddl_commands() RETURNS SETOF dbchange._ddl_command_row
  LANGUAGE internal STRICT VOLATILE AS 'pg_event_trigger_ddl_commands';
CREATE TYPE dbchange._dropped_object_row AS (
  classid oid, objid oid, objsubid int, original bool, normal bool, is_temporary bool,
  object_type text, schema_name text, object_name text, object_identity text,
  address_names text[], address_args text[]);
CREATE FUNCTION dbchange._dropped_objects() RETURNS SETOF dbchange._dropped_object_row
  LANGUAGE internal STRICT VOLATILE AS 'pg_event_trigger_dropped_objects';

-- Is the caller a superuser or a member of role r?
CREATE FUNCTION dbchange._caller_is(r name) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE oid = dbchange._caller_oid() AND rolsuper)
      OR (EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r)
          AND pg_catalog.pg_has_role(dbchange._caller_oid(), r, 'MEMBER'))
$$;

-- Settings of this environment: key/value rows; a missing key has its default
-- (environment 'dev', rollout 'manual', default_action 'approve').  Other
-- parts of dbchange keep their own keys here (each documented where it is set).
CREATE TABLE dbchange.settings (
  key        text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]*$'),
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
  updated_by text NOT NULL
);

-- One row per change: a statement the gate saw, or a submitted script.
CREATE TABLE dbchange.change (
  id               bigserial PRIMARY KEY,
  uid              uuid NOT NULL DEFAULT dbchange._uuid_v7(),
  checksum         text NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending','approved','applied','failed','rejected','rolled_back')),
  environment      text NOT NULL,
  command          text NOT NULL,
  statement        text NOT NULL,
  description      text,
  down_script      text,
  requested_by     text NOT NULL,
  requested_by_oid oid,
  search_path      text,
  source           text NOT NULL,
  application_name text,
  risk             text CHECK (risk IN ('low','moderate','high','critical')),
  reasons          text[] NOT NULL DEFAULT '{}',
  policies         text[] NOT NULL DEFAULT '{}',
  flow             text,
  rewrote_table    boolean NOT NULL DEFAULT false,
  origin           jsonb,
  error_message    text,
  error_sqlstate   text,
  created_at       timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
  decided_at       timestamptz,
  applied_at       timestamptz,
  facts            jsonb,
  objects          jsonb
) WITH (toast_tuple_target = 8160);
ALTER TABLE dbchange.change ALTER COLUMN id SET DEFAULT dbchange._next_id('dbchange.change_id_seq');
-- A uid is looked up only for changes that travel: submitted scripts,
-- migrations and promotions, found again by the uid they arrived with
-- (submit, submit_promoted, the CLI's promote and deploy, which all say
-- source <> 'interactive' so that this index serves them).  A statement the
-- gate saw gets a fresh uid nobody looks up, and the gate writes a row for
-- every approved DDL statement: leaving those rows out of this index saves
-- each such statement an index entry (bench/README.md, twelfth round).  A
-- lookup by uid of a gate-recorded change still finds it, by a table scan.
CREATE INDEX change_uid_idx ON dbchange.change (uid) WHERE source <> 'interactive';
CREATE INDEX change_open_idx ON dbchange.change (id) WHERE status IN ('pending','approved');

-- What an approved DDL statement writes is kept to one change row and one
-- audit row, because it is written on the path of every approved statement:
-- a statement the gate approved keeps its facts in change.facts (its text,
-- command, risk and reasons are the change's own), and the objects a change
-- created, altered, dropped or rewrote are a jsonb array in change.objects
-- (appended to as a submitted change is applied).  toast_tuple_target keeps
-- the facts (1-3 kB of jsonb) inline, out of the TOAST table; the gate
-- compresses those of 2 kB and more itself, lz4 (catalog.c, compressed_inline).  The views
-- change_statement and change_object below give both back as rows.
--
-- The statements of the other changes (queued or rejected statements,
-- submitted scripts, promotions), each with its own facts and decision.  No
-- foreign key: written only by dbchange's own code, in the transaction that
-- writes the change.
CREATE TABLE dbchange.stored_statement (
  change_id    bigint NOT NULL,
  statement_no int NOT NULL,
  statement    text NOT NULL,
  command      text NOT NULL,
  action       text NOT NULL CHECK (action IN ('approve','queue','reject')),
  risk         text,
  reasons      text[] NOT NULL DEFAULT '{}',
  facts        jsonb,
  PRIMARY KEY (change_id, statement_no)
) WITH (toast_tuple_target = 8160);

-- Every statement of every change, with its facts and the gate's decision.
-- An approved statement's row keeps only its statement facts (the
-- classifier's, session_user, superuser, in_transaction_block: facts.c,
-- dbc_build_statement_facts); the context the change's columns hold is
-- added back here under the facts' own names.  Not added back: "roles" and
-- the "time" breakdown (created_at is the time).
CREATE VIEW dbchange.change_statement AS
  SELECT change_id, statement_no, statement, command, action, risk, reasons, facts
    FROM dbchange.stored_statement
  UNION ALL
  SELECT id, 1, statement, command, 'approve'::text, risk, reasons,
         pg_catalog.jsonb_build_object(
           'statement', statement, 'environment', environment, 'user', requested_by,
           'application_name', application_name, 'source', source, 'dialect', 'postgresql',
           'database', pg_catalog.current_database(),
           'epoch', pg_catalog.floor(EXTRACT(epoch FROM created_at))::bigint) OPERATOR(pg_catalog.||) facts
    FROM dbchange.change WHERE facts IS NOT NULL;

-- Objects a change created, altered, dropped or rewrote, in the order the
-- event triggers reported them.
CREATE VIEW dbchange.change_object AS
  SELECT c.id AS change_id, o.ord::int AS seq, o.v->>'action' AS action,
         o.v->>'object_type' AS object_type, o.v->>'schema_name' AS schema_name,
         o.v->>'identity' AS identity, o.v->>'command_tag' AS command_tag
    FROM dbchange.change c,
         LATERAL pg_catalog.jsonb_array_elements(c.objects) WITH ORDINALITY AS o(v, ord)
   WHERE c.objects IS NOT NULL;

-- Append-only audit trail.  Rows are inserted unsealed (hash NULL) so that
-- the durable writer never waits for the chain; sealing assigns chain_pos and
-- the hash (covering the previous hash and the row's content) in order.
CREATE TABLE dbchange.audit (
  seq        bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
  actor      text NOT NULL,
  event      text NOT NULL,
  change_id  bigint,
  details    jsonb NOT NULL DEFAULT '{}',
  chain_pos  bigint,
  prev_hash  text,
  hash       text
);
ALTER TABLE dbchange.audit ALTER COLUMN seq SET DEFAULT dbchange._next_id('dbchange.audit_seq_seq');
CREATE INDEX audit_change_idx ON dbchange.audit (change_id);
CREATE INDEX audit_unsealed_idx ON dbchange.audit (seq) WHERE hash IS NULL;
-- Unique among sealed rows; partial because an unsealed row (chain_pos NULL,
-- every row as it is inserted) needs no entry: NULLs never conflict, and every
-- query by chain_pos (the chain head, verify_audit()) asks for IS NOT NULL.
CREATE UNIQUE INDEX audit_chain_pos_key ON dbchange.audit (chain_pos) WHERE chain_pos IS NOT NULL;

SELECT pg_catalog.pg_extension_config_dump('dbchange.settings', '');
SELECT pg_catalog.pg_extension_config_dump('dbchange.change', '');
SELECT pg_catalog.pg_extension_config_dump('dbchange.change_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('dbchange.stored_statement', '');
SELECT pg_catalog.pg_extension_config_dump('dbchange.audit', '');
SELECT pg_catalog.pg_extension_config_dump('dbchange.audit_seq_seq', '');

-- The public view of changes (DESIGN.md "Fixed public names").
CREATE VIEW dbchange.changes AS
  SELECT id, uid, status, environment, command, statement, requested_by, source, risk,
         reasons, created_at, applied_at, description, checksum, error_message, error_sqlstate
    FROM dbchange.change;

-- Append an audit event and tell listeners.  Sealing into the hash chain is
-- done by dbchange._audit_seal() (see the audit chain section).
CREATE FUNCTION dbchange._audit(p_event text, p_change_id bigint, p_actor text, p_details jsonb)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_seq bigint;
  c dbchange.change;
BEGIN
  INSERT INTO dbchange.audit (actor, event, change_id, details)
  VALUES (p_actor, p_event, p_change_id, coalesce(p_details, '{}'))
  RETURNING seq INTO v_seq;
  IF p_change_id IS NOT NULL THEN
    SELECT * INTO c FROM dbchange.change WHERE id = p_change_id;
    PERFORM pg_catalog.pg_notify('dbchange', pg_catalog.jsonb_build_object(
      'event', p_event, 'id', c.id, 'uid', c.uid, 'status', c.status,
      'environment', c.environment, 'actor', p_actor, 'risk', c.risk)::text);
  ELSE
    PERFORM pg_catalog.pg_notify('dbchange', pg_catalog.jsonb_build_object(
      'event', p_event, 'actor', p_actor)::text);
  END IF;
  RETURN v_seq;
END $$;

-- Store one change from a record built by the gate (catalog.c): used in the
-- statement's own transaction for approved statements and by the durable
-- writer for queued and rejected ones.  The record's keys: status, statement,
-- command, requested_by, requested_by_oid, search_path, source,
-- application_name, action, risk, reasons, policies, flow, facts, and
-- optionally actor, uid, checksum, description, down_script, down_generated
-- (the column is added by 50_rollback.sql), origin, statements
-- (an array of {statement, command, action, risk, reasons, facts}).
CREATE FUNCTION dbchange._record(r jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_id bigint;
  v_env text;
  v_status text := r->>'status';
  s jsonb;
  n int := 0;
BEGIN
  SELECT value INTO v_env FROM dbchange.settings WHERE key = 'environment';
  INSERT INTO dbchange.change (uid, checksum, status, environment, command, statement, description,
                               down_script, down_generated, requested_by, requested_by_oid, search_path, source,
                               application_name, risk, reasons, policies, flow, origin,
                               decided_at, applied_at)
  VALUES (coalesce((r->>'uid')::uuid, dbchange._uuid_v7()),
          coalesce(r->>'checksum', dbchange._checksum(r->>'statement')),
          v_status, coalesce(v_env, 'dev'), r->>'command', r->>'statement', r->>'description',
          r->>'down_script', coalesce((r->>'down_generated')::boolean, false),
          r->>'requested_by', (r->>'requested_by_oid')::oid, r->>'search_path',
          r->>'source', r->>'application_name', r->>'risk',
          coalesce(ARRAY(SELECT jsonb_array_elements_text(r->'reasons')), '{}'),
          coalesce(ARRAY(SELECT jsonb_array_elements_text(r->'policies')), '{}'),
          r->>'flow', r->'origin',
          CASE WHEN v_status <> 'pending' THEN pg_catalog.clock_timestamp() END,
          CASE WHEN v_status = 'applied' THEN pg_catalog.clock_timestamp() END)
  RETURNING id INTO v_id;

  IF r ? 'statements' THEN
    FOR s IN SELECT * FROM jsonb_array_elements(r->'statements') LOOP
      n := n + 1;
      INSERT INTO dbchange.stored_statement VALUES (v_id, n, s->>'statement', s->>'command',
        s->>'action', s->>'risk', coalesce(ARRAY(SELECT jsonb_array_elements_text(s->'reasons')), '{}'),
        s->'facts');
    END LOOP;
  ELSE
    INSERT INTO dbchange.stored_statement VALUES (v_id, 1, r->>'statement', r->>'command',
      r->>'action', r->>'risk', coalesce(ARRAY(SELECT jsonb_array_elements_text(r->'reasons')), '{}'),
      r->'facts');
  END IF;

  -- the actor is who did this here: a promotion's deployer (key actor, with
  -- the original requester in the details), else the requester
  PERFORM dbchange._audit(CASE v_status WHEN 'pending' THEN 'queued' ELSE v_status END,
                          v_id, coalesce(r->>'actor', r->>'requested_by'),
                          pg_catalog.jsonb_build_object('statement', r->>'statement', 'risk', r->>'risk',
                                                        'reasons', r->'reasons', 'source', r->>'source')
                          || CASE WHEN r ? 'actor'
                                  THEN pg_catalog.jsonb_build_object('requested_by', r->>'requested_by')
                                  ELSE '{}' END);
  RETURN v_id;
END $$;

CREATE FUNCTION dbchange._record_objects(p_change_id bigint, objs jsonb) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  UPDATE dbchange.change
     SET objects = coalesce(objects, '[]') || objs,
         rewrote_table = rewrote_table
                         OR EXISTS (SELECT 1 FROM jsonb_array_elements(objs) e WHERE e->>'action' = 'rewritten')
   WHERE id = p_change_id;
$$;

-- Tell every backend to drop what it cached of a table (settings, policies).
CREATE FUNCTION dbchange._invalidate(regclass) RETURNS void
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'dbc_invalidate';

-- configure(): this environment's settings.  Policy admins and superusers only.
CREATE FUNCTION dbchange.configure(environment text DEFAULT NULL, rollout text DEFAULT NULL,
                                   default_action text DEFAULT NULL)
RETURNS TABLE (key text, value text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_caller name := dbchange._caller();
  v_old jsonb;
BEGIN
  IF NOT dbchange._caller_is('dbchange_policy_admin') THEN
    RAISE EXCEPTION 'permission denied to configure dbchange'
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Role %I is neither a superuser nor a member of dbchange_policy_admin.', v_caller),
            HINT = 'Ask a superuser to run: GRANT dbchange_policy_admin TO ' || pg_catalog.quote_ident(v_caller) || ';';
  END IF;
  IF configure.environment IS NOT NULL AND configure.environment !~ '^[a-z][a-z0-9_-]{0,62}$' THEN
    RAISE EXCEPTION 'invalid environment name "%"', dbchange._shown(configure.environment)
      USING ERRCODE = '22023',
            DETAIL = 'An environment name is 1 to 63 lower-case letters, digits, "_" or "-", starting with a letter (for example dev, test, stage, prod).',
            HINT = 'Call dbchange.configure(environment => ''prod'').';
  END IF;
  IF configure.rollout IS NOT NULL AND configure.rollout NOT IN ('auto', 'manual') THEN
    RAISE EXCEPTION 'invalid rollout mode "%"', dbchange._shown(configure.rollout)
      USING ERRCODE = '22023',
            DETAIL = 'The rollout mode is auto (a change applies when its last approval is given) or manual (it waits for dbchange.apply()).',
            HINT = 'Call dbchange.configure(rollout => ''auto'') or dbchange.configure(rollout => ''manual'').';
  END IF;
  IF configure.default_action IS NOT NULL AND configure.default_action NOT IN ('approve', 'queue', 'reject') THEN
    RAISE EXCEPTION 'invalid default action "%"', dbchange._shown(configure.default_action)
      USING ERRCODE = '22023',
            DETAIL = 'The default action, used when no policy has an opinion, is approve, queue or reject.',
            HINT = 'Call dbchange.configure(default_action => ''queue'').';
  END IF;
  SELECT pg_catalog.jsonb_object_agg(s.key, s.value) INTO v_old FROM dbchange.settings s;
  INSERT INTO dbchange.settings AS s (key, value, updated_by)
  SELECT k, v, v_caller FROM (VALUES ('environment', configure.environment),
                                     ('rollout', configure.rollout),
                                     ('default_action', configure.default_action)) AS x(k, v)
   WHERE v IS NOT NULL
  ON CONFLICT ON CONSTRAINT settings_pkey
  DO UPDATE SET value = excluded.value, updated_at = pg_catalog.clock_timestamp(), updated_by = excluded.updated_by;
  IF configure.environment IS NOT NULL OR configure.rollout IS NOT NULL OR configure.default_action IS NOT NULL THEN
    PERFORM dbchange._invalidate('dbchange.settings'::regclass);
    PERFORM dbchange._audit('configured', NULL, v_caller,
      pg_catalog.jsonb_build_object('old', coalesce(v_old, '{}'),
        'new', pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('environment', configure.environment,
               'rollout', configure.rollout, 'default_action', configure.default_action))));
  END IF;
  RETURN QUERY SELECT k, coalesce(s.value, d) FROM (VALUES ('environment', 'dev'), ('rollout', 'manual'),
                                                       ('default_action', 'approve')) AS x(k, d)
                 LEFT JOIN dbchange.settings s ON s.key = x.k ORDER BY 1;
END $$;

-- pending(): changes waiting for approval or apply.
CREATE FUNCTION dbchange.pending()
RETURNS TABLE (id bigint, uid uuid, status text, environment text, command text, statement text,
               requested_by text, risk text, reasons text[], created_at timestamptz, waiting_for text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT c.id, c.uid, c.status, c.environment, c.command, c.statement, c.requested_by, c.risk,
         c.reasons, c.created_at,
         CASE c.status WHEN 'pending' THEN 'approval' ELSE 'apply' END
    FROM dbchange.change c
   WHERE c.status IN ('pending', 'approved')
   ORDER BY c.id
$$;

-- Event triggers (C).  ENABLE ALWAYS: session_replication_role = replica does not switch them off.
CREATE FUNCTION dbchange._on_ddl_start() RETURNS event_trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'dbc_on_ddl_start';
CREATE FUNCTION dbchange._on_ddl_end() RETURNS event_trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'dbc_on_ddl_end';
CREATE FUNCTION dbchange._on_sql_drop() RETURNS event_trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'dbc_on_sql_drop';
CREATE FUNCTION dbchange._on_table_rewrite() RETURNS event_trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'dbc_on_table_rewrite';

CREATE EVENT TRIGGER dbchange_ddl_start ON ddl_command_start EXECUTE FUNCTION dbchange._on_ddl_start();
CREATE EVENT TRIGGER dbchange_ddl_end ON ddl_command_end EXECUTE FUNCTION dbchange._on_ddl_end();
CREATE EVENT TRIGGER dbchange_sql_drop ON sql_drop EXECUTE FUNCTION dbchange._on_sql_drop();
CREATE EVENT TRIGGER dbchange_table_rewrite ON table_rewrite EXECUTE FUNCTION dbchange._on_table_rewrite();
ALTER EVENT TRIGGER dbchange_ddl_start ENABLE ALWAYS;
ALTER EVENT TRIGGER dbchange_ddl_end ENABLE ALWAYS;
ALTER EVENT TRIGGER dbchange_sql_drop ENABLE ALWAYS;
ALTER EVENT TRIGGER dbchange_table_rewrite ENABLE ALWAYS;

-- Privileges: read access through views and functions; no direct writes.
REVOKE ALL ON ALL TABLES IN SCHEMA dbchange FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA dbchange FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA dbchange FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dbchange._shown(text) TO PUBLIC;
GRANT USAGE ON SCHEMA dbchange TO PUBLIC;
GRANT SELECT ON dbchange.changes, dbchange.settings TO PUBLIC;
GRANT EXECUTE ON FUNCTION dbchange.configure(text, text, text), dbchange.pending(),
  dbchange.preloaded(), dbchange._caller(), dbchange._caller_oid(), dbchange._caller_is(name)
  TO PUBLIC;
