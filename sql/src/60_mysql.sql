
-- ===========================================================================
-- MySQL / MariaDB targets (docs/mysql.md).
--
-- The control database stores MySQL-dialect changes (dialect = 'mysql'),
-- decides them with the same Lua policies and approval flows, and never runs
-- them: the CLI applies approved ones to MySQL targets and records each
-- deployment here.  A target is named "mysql://host:port/database", or
-- "mysql://localhost/database?socket=/path" when reached through a unix
-- socket -- never with a user or password.
-- ===========================================================================

ALTER TABLE dbchange.change
  ADD COLUMN dialect text NOT NULL DEFAULT 'postgresql' CHECK (dialect IN ('postgresql', 'mysql')),
  ADD COLUMN target text;
COMMENT ON COLUMN dbchange.change.dialect IS
  'postgresql: runs in this database; mysql: a MySQL change this database only decides and records (applied by dbchange promote --to mysql://...)';
COMMENT ON COLUMN dbchange.change.target IS
  'MySQL changes: the MySQL database name the change is meant for (NULL: any target)';

-- The MySQL classifier: facts of each statement of a script, no context.
CREATE FUNCTION dbchange.classify_mysql(sql text, default_schema text DEFAULT NULL)
RETURNS SETOF jsonb LANGUAGE C IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'dbc_classify_mysql';

-- Dry run of a MySQL script through this environment's policies.
CREATE FUNCTION dbchange.evaluate_mysql(sql text, environment text DEFAULT NULL, source text DEFAULT 'submit')
RETURNS TABLE (statement_no int, statement text, command text, action text, risk text,
               reasons text[], facts jsonb)
LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'dbc_evaluate_mysql';

-- Store a MySQL script as one change (status approved, pending or rejected).
-- A promotion (source 'promotion', deployers only) also passes the original
-- requester and the provenance (origin, with the logins that made the change
-- at the source), as submit_promoted() does: approve() refuses them.
CREATE FUNCTION dbchange.submit_mysql(script text, target text DEFAULT NULL,
                                      description text DEFAULT NULL, uid uuid DEFAULT NULL,
                                      source text DEFAULT 'submit',
                                      requested_by text DEFAULT NULL, origin jsonb DEFAULT NULL)
RETURNS bigint LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'dbc_submit_mysql';

-- One row per deployment of a MySQL change to a MySQL target.
CREATE TABLE dbchange.deployment (
  id                  bigserial PRIMARY KEY,
  change_id           bigint NOT NULL REFERENCES dbchange.change (id),
  uid                 uuid NOT NULL,
  checksum            text NOT NULL,
  target              text NOT NULL,
  status              text NOT NULL CHECK (status IN ('running', 'applied', 'failed', 'marked_applied')),
  statements_total    int,
  statements_done     int NOT NULL DEFAULT 0,
  failed_statement_no int,
  failed_statement    text,
  error               text,
  snapshot            jsonb,
  deployed_by         text NOT NULL,
  mysql_user          text,
  started_at          timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
  finished_at         timestamptz
);
ALTER TABLE dbchange.deployment ALTER COLUMN id SET DEFAULT dbchange._next_id('dbchange.deployment_id_seq');
CREATE INDEX deployment_target_idx ON dbchange.deployment (target, id);
CREATE INDEX deployment_change_idx ON dbchange.deployment (change_id);
SELECT pg_catalog.pg_extension_config_dump('dbchange.deployment', '');
SELECT pg_catalog.pg_extension_config_dump('dbchange.deployment_id_seq', '');

CREATE VIEW dbchange.deployments AS
  SELECT d.id, d.change_id, d.uid, d.target, d.status, d.statements_total, d.statements_done,
         d.failed_statement_no, d.failed_statement, d.error, d.deployed_by, d.mysql_user,
         d.started_at, d.finished_at
    FROM dbchange.deployment d;

-- Deployers only (dbchange_deployer or superuser).
CREATE FUNCTION dbchange._require_deployer() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT dbchange._caller_is('dbchange_deployer') THEN
    RAISE EXCEPTION 'permission denied to deploy MySQL changes'
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Role %I is neither a superuser nor a member of dbchange_deployer.', dbchange._caller()),
            HINT = 'Ask a superuser to run: GRANT dbchange_deployer TO ' || pg_catalog.quote_ident(dbchange._caller()) || ';';
  END IF;
END $$;

CREATE FUNCTION dbchange._check_mysql_target(p_target text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_target IS NULL OR (p_target !~ '^mysql://[^/@:]+:[0-9]+/[^/]+$' AND
                          p_target !~ '^mysql://localhost/[^/]+\?socket=/.+$') THEN
    RAISE EXCEPTION 'invalid MySQL target name "%"', dbchange._shown(p_target)
      USING ERRCODE = '22023',
            DETAIL = 'A target is named mysql://host:port/database, or mysql://localhost/database?socket=/path for a unix socket, without user or password.';
  END IF;
END $$;

-- The MySQL changes a promotion to target database p_database walks through,
-- in order: every MySQL change meant for that database or for any, except
-- rejected ones.  checksum_ok is false when the stored text no longer
-- matches the checksum taken when it was submitted (an edited change).
CREATE FUNCTION dbchange.mysql_changes(p_database text)
RETURNS TABLE (id bigint, uid uuid, checksum text, checksum_ok boolean, status text,
               statement text, description text, requested_by text, risk text, target text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM dbchange._require_deployer();
  RETURN QUERY
    SELECT c.id, c.uid, c.checksum,
           c.checksum = dbchange._checksum(c.statement),
           c.status, c.statement, c.description, c.requested_by, c.risk, c.target
      FROM dbchange.change c
     WHERE c.dialect = 'mysql' AND c.status <> 'rejected'
       AND (c.target IS NULL OR c.target = p_database)
     ORDER BY c.id;
END $$;

-- The MySQL change p_change_id, locked: clear errors for a NULL or unknown id
-- and for a PostgreSQL change.
CREATE FUNCTION dbchange._mysql_change(p_change_id bigint) RETURNS dbchange.change
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c dbchange.change;
BEGIN
  IF p_change_id IS NULL THEN
    RAISE EXCEPTION 'change id must not be null'
      USING ERRCODE = '22004', HINT = 'SELECT * FROM dbchange.mysql_changes(''database''); lists the MySQL changes for a target database.';
  END IF;
  SELECT * INTO c FROM dbchange.change WHERE id = p_change_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'change % does not exist', p_change_id
      USING ERRCODE = 'P0002', HINT = 'SELECT * FROM dbchange.mysql_changes(''database''); lists the MySQL changes for a target database.';
  END IF;
  IF c.dialect <> 'mysql' THEN
    RAISE EXCEPTION 'change % is a PostgreSQL change and cannot be deployed to a MySQL target', p_change_id
      USING ERRCODE = '22023',
            DETAIL = 'Only changes submitted with dialect mysql (dbchange submit --dialect mysql) go to mysql:// targets.',
            HINT = 'Promote PostgreSQL changes to a PostgreSQL database instead.';
  END IF;
  RETURN c;
END $$;

-- A change the CLI is about to deploy: checks and a 'running' deployment row.
CREATE FUNCTION dbchange.mysql_deploy_start(p_change_id bigint, p_target text,
                                            p_statements_total int, p_mysql_user text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c dbchange.change;
  v_id bigint;
BEGIN
  PERFORM dbchange._require_deployer();
  PERFORM dbchange._check_mysql_target(p_target);
  IF p_statements_total < 0 THEN
    RAISE EXCEPTION 'invalid statement count %', p_statements_total
      USING ERRCODE = '22023', DETAIL = 'It is the number of statements of the change, or NULL when unknown.';
  END IF;
  c := dbchange._mysql_change(p_change_id);
  IF c.status NOT IN ('approved', 'applied', 'failed') THEN
    RAISE EXCEPTION 'change % is % and cannot be deployed', p_change_id, c.status
      USING ERRCODE = '55000',
            DETAIL = CASE c.status WHEN 'pending' THEN 'It waits for approval.' ELSE 'Only approved changes are deployed.' END;
  END IF;
  IF c.checksum <> dbchange._checksum(c.statement) THEN
    RAISE EXCEPTION 'change % was edited after it was submitted', p_change_id
      USING ERRCODE = '55000', DETAIL = 'Its text no longer matches its checksum.';
  END IF;
  -- a deployment of this change to this target still 'running' was interrupted
  -- (the CLI was killed): it is over now
  UPDATE dbchange.deployment
     SET status = 'failed', finished_at = pg_catalog.clock_timestamp(),
         error = coalesce(error, 'interrupted: the deploying process ended before it finished')
   WHERE change_id = c.id AND target = p_target AND status = 'running';
  INSERT INTO dbchange.deployment (change_id, uid, checksum, target, status, statements_total,
                                   deployed_by, mysql_user)
  VALUES (c.id, c.uid, c.checksum, p_target, 'running', p_statements_total, dbchange._caller(), p_mysql_user)
  RETURNING id INTO v_id;
  PERFORM dbchange._audit('deploy_started', c.id, dbchange._caller(),
    pg_catalog.jsonb_build_object('target', p_target, 'deployment', v_id));
  RETURN v_id;
END $$;

-- A deployment id passed to the CLI's functions: NULL is an error of its own.
CREATE FUNCTION dbchange._check_deployment_id(p_deployment_id bigint) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_deployment_id IS NULL THEN
    RAISE EXCEPTION 'deployment id must not be null'
      USING ERRCODE = '22004', HINT = 'Pass the id dbchange.mysql_deploy_start() returned.';
  END IF;
END $$;

-- The outcome of a deployment.  p_status: applied or failed.  An applied
-- deployment marks the change applied; a failed one marks it failed with
-- the server's error (the next promotion to that target stops there).
CREATE FUNCTION dbchange.mysql_deploy_finish(p_deployment_id bigint, p_status text,
                                             p_statements_done int,
                                             p_failed_statement_no int DEFAULT NULL,
                                             p_failed_statement text DEFAULT NULL,
                                             p_error text DEFAULT NULL,
                                             p_snapshot jsonb DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  d dbchange.deployment;
BEGIN
  PERFORM dbchange._require_deployer();
  PERFORM dbchange._check_deployment_id(p_deployment_id);
  IF p_status IS NULL OR p_status NOT IN ('applied', 'failed') THEN
    RAISE EXCEPTION 'invalid deployment status "%"', dbchange._shown(p_status)
      USING ERRCODE = '22023', DETAIL = 'A deployment finishes applied or failed.';
  END IF;
  IF p_statements_done IS NULL OR p_statements_done < 0 THEN
    RAISE EXCEPTION 'invalid statement count "%"', p_statements_done
      USING ERRCODE = '22023', DETAIL = 'It is the number of statements of the change that ran, 0 or more.';
  END IF;
  UPDATE dbchange.deployment
     SET status = p_status, statements_done = p_statements_done,
         failed_statement_no = p_failed_statement_no, failed_statement = p_failed_statement,
         error = p_error, snapshot = p_snapshot, finished_at = pg_catalog.clock_timestamp()
   WHERE id = p_deployment_id AND status = 'running'
  RETURNING * INTO d;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'deployment % is not running', p_deployment_id USING ERRCODE = '55000';
  END IF;
  IF p_status = 'applied' THEN
    UPDATE dbchange.change SET status = 'applied', error_message = NULL, error_sqlstate = NULL,
           applied_at = coalesce(applied_at, pg_catalog.clock_timestamp())
     WHERE id = d.change_id;
    PERFORM dbchange._audit('applied', d.change_id, dbchange._caller(),
      pg_catalog.jsonb_build_object('target', d.target, 'deployment', d.id));
  ELSE
    UPDATE dbchange.change SET status = 'failed',
           error_message = pg_catalog.format('%s: statement %s: %s', d.target, p_failed_statement_no, p_error)
     WHERE id = d.change_id;
    PERFORM dbchange._audit('failed', d.change_id, dbchange._caller(),
      pg_catalog.jsonb_build_object('target', d.target, 'deployment', d.id,
        'failed_statement_no', p_failed_statement_no, 'failed_statement', p_failed_statement,
        'error', p_error));
  END IF;
  RETURN p_status;
END $$;

-- The schema as dbchange left the target at the end of a run (promote,
-- mysql-resolve), recorded on the run's last deployment: drift's baseline.
CREATE FUNCTION dbchange.mysql_deploy_snapshot(p_deployment_id bigint, p_snapshot jsonb)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM dbchange._require_deployer();
  PERFORM dbchange._check_deployment_id(p_deployment_id);
  IF pg_catalog.jsonb_typeof(p_snapshot) IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION 'a schema snapshot is a JSON object' USING ERRCODE = '22023';
  END IF;
  UPDATE dbchange.deployment SET snapshot = p_snapshot
   WHERE id = p_deployment_id AND status <> 'running';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'deployment % does not exist or is still running', p_deployment_id USING ERRCODE = '55000';
  END IF;
END $$;

-- mysql-resolve --mark-applied: someone finished a failed change by hand.
CREATE FUNCTION dbchange.mysql_mark_applied(p_change_id bigint, p_target text, p_snapshot jsonb DEFAULT NULL,
                                            p_mysql_user text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c dbchange.change;
  v_id bigint;
BEGIN
  PERFORM dbchange._require_deployer();
  PERFORM dbchange._check_mysql_target(p_target);
  c := dbchange._mysql_change(p_change_id);
  IF c.status NOT IN ('approved', 'applied', 'failed') THEN
    RAISE EXCEPTION 'change % is % and cannot be marked applied', p_change_id, c.status USING ERRCODE = '55000';
  END IF;
  UPDATE dbchange.deployment
     SET status = 'failed', finished_at = pg_catalog.clock_timestamp(),
         error = coalesce(error, 'interrupted: the deploying process ended before it finished')
   WHERE change_id = c.id AND target = p_target AND status = 'running';
  INSERT INTO dbchange.deployment (change_id, uid, checksum, target, status, deployed_by, mysql_user,
                                   snapshot, finished_at)
  VALUES (c.id, c.uid, c.checksum, p_target, 'marked_applied', dbchange._caller(), p_mysql_user,
          p_snapshot, pg_catalog.clock_timestamp())
  RETURNING id INTO v_id;
  UPDATE dbchange.change SET status = 'applied', applied_at = coalesce(applied_at, pg_catalog.clock_timestamp())
   WHERE id = c.id;
  PERFORM dbchange._audit('marked_applied', c.id, dbchange._caller(),
    pg_catalog.jsonb_build_object('target', p_target, 'deployment', v_id));
  RETURN v_id;
END $$;

-- Drift of a MySQL target: the snapshot the CLI takes now (a flat jsonb
-- object: "table t/column c" -> definition) against the one recorded at the
-- end of the last run that deployed to that target (a failed change's
-- statements that ran are dbchange's doing, not drift).  One row per difference.
CREATE FUNCTION dbchange.mysql_drift(p_target text, p_actual jsonb)
RETURNS TABLE (object text, difference text, expected text, actual text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_expected jsonb;
BEGIN
  PERFORM dbchange._check_mysql_target(p_target);
  IF pg_catalog.jsonb_typeof(p_actual) IS DISTINCT FROM 'object' THEN
    -- a NULL snapshot would report every object as missing
    RAISE EXCEPTION 'a schema snapshot is a JSON object' USING ERRCODE = '22023';
  END IF;
  SELECT d.snapshot INTO v_expected FROM dbchange.deployment d
   WHERE d.target = p_target AND d.status <> 'running' AND d.snapshot IS NOT NULL
   ORDER BY d.id DESC LIMIT 1;
  IF v_expected IS NULL THEN
    RAISE EXCEPTION 'no deployment to % is recorded', p_target
      USING ERRCODE = '55000',
            DETAIL = 'Drift compares the target with the schema recorded after the last change dbchange applied to it.',
            HINT = 'Promote a MySQL change to this target first (dbchange promote --from CONTROL --to mysql://...).';
  END IF;
  RETURN QUERY
    SELECT coalesce(e.key, a.key),
           CASE WHEN e.key IS NULL THEN 'unexpected'
                WHEN a.key IS NULL THEN 'missing'
                ELSE 'changed' END,
           e.value #>> '{}', a.value #>> '{}'
      FROM pg_catalog.jsonb_each(v_expected) e
      FULL JOIN pg_catalog.jsonb_each(p_actual) a ON a.key = e.key
     WHERE e.key IS NULL OR a.key IS NULL OR e.value <> a.value
     ORDER BY 1;
END $$;

-- dbchange.apply() must never run MySQL text in PostgreSQL; the workflow's
-- apply() calls this guard.
CREATE FUNCTION dbchange._refuse_mysql_apply(p_change_id bigint) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_target text;
BEGIN
  IF EXISTS (SELECT 1 FROM dbchange.change WHERE id = p_change_id AND dialect = 'mysql') THEN
    SELECT target INTO v_target FROM dbchange.change WHERE id = p_change_id;
    RAISE EXCEPTION 'change % is a MySQL change and cannot be applied in PostgreSQL', p_change_id
      USING ERRCODE = '0A000',
            DETAIL = 'MySQL changes are decided here and deployed to MySQL targets by the dbchange command.',
            HINT = 'Run: dbchange promote --from <this database> --to mysql://user@host:port/' || coalesce(v_target, 'database');
  END IF;
END $$;

REVOKE ALL ON dbchange.deployment FROM PUBLIC;
REVOKE ALL ON SEQUENCE dbchange.deployment_id_seq FROM PUBLIC;
GRANT SELECT ON dbchange.deployments TO PUBLIC;
REVOKE ALL ON FUNCTION dbchange._require_deployer(), dbchange._check_mysql_target(text),
  dbchange._refuse_mysql_apply(bigint), dbchange._mysql_change(bigint),
  dbchange._check_deployment_id(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dbchange.classify_mysql(text, text), dbchange.evaluate_mysql(text, text, text),
  dbchange.submit_mysql(text, text, text, uuid, text, text, jsonb), dbchange.mysql_changes(text),
  dbchange.mysql_deploy_start(bigint, text, int, text),
  dbchange.mysql_deploy_finish(bigint, text, int, int, text, text, jsonb),
  dbchange.mysql_mark_applied(bigint, text, jsonb, text), dbchange.mysql_drift(text, jsonb),
  dbchange.mysql_deploy_snapshot(bigint, jsonb)
  TO PUBLIC;

-- The public view of changes gains the dialect and target of each change
-- (the CLI's PostgreSQL promotion leaves MySQL changes out by it).
CREATE OR REPLACE VIEW dbchange.changes AS
  SELECT id, uid, status, environment, command, statement, requested_by, source, risk,
         reasons, created_at, applied_at, description, checksum, error_message, error_sqlstate,
         dialect, target
    FROM dbchange.change;
