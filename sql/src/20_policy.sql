-- dbchange: Lua policies -- catalog, management, self-tests, dry runs.
-- (C parts: extension/policy.c, extension/policy_lua.c; contract: docs/policies.md)

-- The policies of this environment.  Written only through set_policy() &
-- co.; the statement trigger below makes every backend recompile after any
-- write, whoever made it.
CREATE TABLE dbchange.policy (
  name        text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_-]{0,62}$'),
  source      text NOT NULL,
  description text NOT NULL,
  enabled     boolean NOT NULL DEFAULT true,
  checksum    text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
  created_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
  updated_by  text NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('dbchange.policy', '');

CREATE FUNCTION dbchange._policy_changed() RETURNS trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'dbc_policy_changed';
CREATE TRIGGER policy_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dbchange.policy
  FOR EACH STATEMENT EXECUTE FUNCTION dbchange._policy_changed();
-- also when session_replication_role = replica
ALTER TABLE dbchange.policy ENABLE ALWAYS TRIGGER policy_changed;

-- Who may read what: the policies are no secret (policy as code).
CREATE VIEW dbchange.policies AS
  SELECT name, description, enabled, checksum, created_at, created_by, updated_at, updated_by, source
    FROM dbchange.policy;

-- Compile a policy, check its shape and run its tests (C).  Raises ZC004
-- when it does not compile or has the wrong shape; otherwise returns
-- {"description": ..., "tests": [{test, name, sql, environment, expect,
-- expect_risk, action, risk, passed, details}, ...]}.
CREATE FUNCTION dbchange._policy_check(name text, source text) RETURNS jsonb
  LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'dbc_policy_check';

CREATE FUNCTION dbchange._policy_require_admin(what text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT dbchange._caller_is('dbchange_policy_admin') THEN
    RAISE EXCEPTION 'permission denied to %', what
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Role %I is neither a superuser nor a member of dbchange_policy_admin.', dbchange._caller()),
            HINT = 'Ask a superuser to run: GRANT dbchange_policy_admin TO ' || pg_catalog.quote_ident(dbchange._caller()) || ';';
  END IF;
END $$;

CREATE FUNCTION dbchange._policy_row(p_name text) RETURNS dbchange.policy
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r dbchange.policy;
BEGIN
  IF p_name IS NULL THEN
    RAISE EXCEPTION 'policy name must not be null'
      USING ERRCODE = '22004',
            HINT = 'SELECT name, enabled FROM dbchange.policies; lists the policies of this environment.';
  END IF;
  SELECT * INTO r FROM dbchange.policy p WHERE p.name = p_name FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'policy "%" does not exist', p_name
      USING ERRCODE = '42704',
            HINT = 'SELECT name, enabled FROM dbchange.policies; lists the policies of this environment.';
  END IF;
  RETURN r;
END $$;

-- Run the tests of a policy and refuse it (ZC004, nothing changed) when one fails.
CREATE FUNCTION dbchange._policy_require_tests(p_name text, p_source text) RETURNS jsonb
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_res jsonb := dbchange._policy_check(p_name, p_source);
  v_failed text[];
  v_total int := pg_catalog.jsonb_array_length(v_res->'tests');
BEGIN
  SELECT pg_catalog.array_agg(pg_catalog.format('test %s%s%s: %s', t->>'test',
           coalesce(' "' || (t->>'name') || '"', ''),
           coalesce(' (' || pg_catalog.left(t->>'sql', 80) || ', in ' || (t->>'environment') || ')', ''),
           t->>'details') ORDER BY (t->>'test')::int)
    INTO v_failed
    FROM pg_catalog.jsonb_array_elements(v_res->'tests') t
   WHERE NOT (t->>'passed')::boolean;
  IF v_failed IS NOT NULL THEN
    RAISE EXCEPTION 'policy "%" was refused: %', p_name, v_failed[1]
      USING ERRCODE = 'ZC004',
            DETAIL = pg_catalog.format('%s of %s %s failed; nothing was changed. Failed: %s', pg_catalog.cardinality(v_failed), v_total,
                                       CASE WHEN v_total = 1 THEN 'test' ELSE 'tests' END,
                                       pg_catalog.array_to_string(v_failed, '; ')),
            HINT = 'A test passes when the policy''s own check() gives the expected action (and risk, when the test names one) for the test''s statement; see docs/policies.md.';
  END IF;
  RETURN v_res;
END $$;

-- "1 test passed" / "12 tests passed": the count in set_policy's answer.
CREATE FUNCTION dbchange._tests_passed(p_res jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.jsonb_array_length(p_res->'tests')::text ||
             CASE WHEN pg_catalog.jsonb_array_length(p_res->'tests') = 1 THEN ' test passed' ELSE ' tests passed' END $$;

-- set_policy(name, source): add or replace a policy.  Compiles it, checks
-- its shape, runs its tests; refuses it (changing nothing) if any of that
-- fails.  A new policy is enabled; a replaced one keeps its enabled flag.
-- The audit event keeps the new source itself, not only its checksum: a
-- permissive policy set for an hour and then replaced by the old one again
-- would otherwise leave two checksums and no trace of what it allowed.
CREATE FUNCTION dbchange.set_policy(name text, source text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_caller text := dbchange._caller();
  v_name text := set_policy.name;
  v_source text := set_policy.source;
  v_old dbchange.policy;
  v_sum text;
  v_res jsonb;
BEGIN
  PERFORM dbchange._policy_require_admin('set policies');
  IF v_name IS NULL OR v_name !~ '^[a-z][a-z0-9_-]{0,62}$' THEN
    RAISE EXCEPTION 'invalid policy name "%"', dbchange._shown(v_name)
      USING ERRCODE = '22023',
            DETAIL = 'A policy name is 1 to 63 lower-case letters, digits, "_" or "-", starting with a letter.',
            HINT = 'For example: SELECT dbchange.set_policy(''no_drop_in_prod'', $lua$ ... $lua$);';
  END IF;
  IF v_source IS NULL OR pg_catalog.btrim(v_source) = '' THEN
    RAISE EXCEPTION 'policy "%" has no source', v_name
      USING ERRCODE = '22023',
            HINT = 'The source is a Lua chunk that returns {name = ..., description = ..., check = function(change) ... end, tests = {...}}.';
  END IF;
  v_sum := dbchange._checksum(v_source);
  SELECT * INTO v_old FROM dbchange.policy p WHERE p.name = v_name FOR UPDATE;
  v_res := dbchange._policy_require_tests(v_name, v_source);
  IF v_old.name IS NOT NULL AND v_old.checksum = v_sum THEN
    RETURN pg_catalog.format('policy "%s" unchanged (%s)', v_name, dbchange._tests_passed(v_res));
  END IF;
  INSERT INTO dbchange.policy AS p (name, source, description, enabled, checksum, created_by, updated_by)
  VALUES (v_name, v_source, v_res->>'description', true, v_sum, v_caller, v_caller)
  ON CONFLICT ON CONSTRAINT policy_pkey DO UPDATE
    SET source = excluded.source, description = excluded.description, checksum = excluded.checksum,
        updated_at = pg_catalog.clock_timestamp(), updated_by = excluded.updated_by;
  PERFORM dbchange._audit('policy_set', NULL, v_caller,
    pg_catalog.jsonb_build_object('policy', v_name, 'old_checksum', v_old.checksum, 'new_checksum', v_sum,
                                  'enabled', coalesce(v_old.enabled, true), 'source', v_source));
  RETURN pg_catalog.format('policy "%s" %s (%s)%s', v_name,
                           CASE WHEN v_old.name IS NULL THEN 'created' ELSE 'replaced' END,
                           dbchange._tests_passed(v_res),
                           CASE WHEN v_old.name IS NOT NULL AND NOT v_old.enabled THEN '; it stays disabled' ELSE '' END);
END $$;

-- enable_policy(name): its tests are run again first (the classifier or
-- the environment may have changed since it was set).
CREATE FUNCTION dbchange.enable_policy(name text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_caller text := dbchange._caller();
  v_old dbchange.policy;
BEGIN
  PERFORM dbchange._policy_require_admin('enable policies');
  v_old := dbchange._policy_row(enable_policy.name);
  IF v_old.enabled THEN
    RETURN pg_catalog.format('policy "%s" is already enabled', v_old.name);
  END IF;
  PERFORM dbchange._policy_require_tests(v_old.name, v_old.source);
  UPDATE dbchange.policy p SET enabled = true, updated_at = pg_catalog.clock_timestamp(), updated_by = v_caller
   WHERE p.name = v_old.name;
  PERFORM dbchange._audit('policy_enabled', NULL, v_caller,
    pg_catalog.jsonb_build_object('policy', v_old.name, 'old_checksum', v_old.checksum, 'new_checksum', v_old.checksum));
  RETURN pg_catalog.format('policy "%s" enabled', v_old.name);
END $$;

CREATE FUNCTION dbchange.disable_policy(name text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_caller text := dbchange._caller();
  v_old dbchange.policy;
BEGIN
  PERFORM dbchange._policy_require_admin('disable policies');
  v_old := dbchange._policy_row(disable_policy.name);
  IF NOT v_old.enabled THEN
    RETURN pg_catalog.format('policy "%s" is already disabled', v_old.name);
  END IF;
  UPDATE dbchange.policy p SET enabled = false, updated_at = pg_catalog.clock_timestamp(), updated_by = v_caller
   WHERE p.name = v_old.name;
  PERFORM dbchange._audit('policy_disabled', NULL, v_caller,
    pg_catalog.jsonb_build_object('policy', v_old.name, 'old_checksum', v_old.checksum, 'new_checksum', v_old.checksum));
  RETURN pg_catalog.format('policy "%s" disabled', v_old.name);
END $$;

CREATE FUNCTION dbchange.drop_policy(name text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_caller text := dbchange._caller();
  v_old dbchange.policy;
BEGIN
  PERFORM dbchange._policy_require_admin('drop policies');
  v_old := dbchange._policy_row(drop_policy.name);
  DELETE FROM dbchange.policy p WHERE p.name = v_old.name;
  PERFORM dbchange._audit('policy_dropped', NULL, v_caller,
    pg_catalog.jsonb_build_object('policy', v_old.name, 'old_checksum', v_old.checksum, 'new_checksum', NULL,
                                  'source', v_old.source));
  RETURN pg_catalog.format('policy "%s" dropped', v_old.name);
END $$;

-- test_policies(): every enabled policy's tests, one row per test.  A
-- policy that no longer compiles gives one failed row (test_no 0).
CREATE FUNCTION dbchange.test_policies()
RETURNS TABLE (policy text, test_no int, test_name text, statement text, environment text,
               expected text, actual text, risk text, passed boolean, details text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  p record;
  v_res jsonb;
BEGIN
  FOR p IN SELECT x.name, x.source FROM dbchange.policy x WHERE x.enabled ORDER BY x.name LOOP
    BEGIN
      v_res := dbchange._policy_check(p.name, p.source);
    EXCEPTION WHEN SQLSTATE 'ZC004' THEN
      policy := p.name; test_no := 0; test_name := NULL; statement := NULL; environment := NULL;
      expected := NULL; actual := NULL; risk := NULL; passed := false; details := SQLERRM;
      RETURN NEXT;
      CONTINUE;
    END;
    RETURN QUERY
      SELECT p.name, (t->>'test')::int, t->>'name', t->>'sql', t->>'environment',
             t->>'expect' || coalesce(' (' || (t->>'expect_risk') || ')', ''),
             t->>'action', t->>'risk', (t->>'passed')::boolean, t->>'details'
        FROM pg_catalog.jsonb_array_elements(v_res->'tests') t;
  END LOOP;
END $$;

-- test_policy(source, name): the tests of a policy that is not stored
-- (policy as code: check a file before pushing it).  Policy admins only.
CREATE FUNCTION dbchange.test_policy(source text, name text DEFAULT NULL)
RETURNS TABLE (policy text, test_no int, test_name text, statement text, environment text,
               expected text, actual text, risk text, passed boolean, details text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_name text := coalesce(test_policy.name, 'candidate');
  v_res jsonb;
BEGIN
  PERFORM dbchange._policy_require_admin('test policies');
  IF test_policy.source IS NULL THEN
    RAISE EXCEPTION 'the policy source must not be null' USING ERRCODE = '22004';
  END IF;
  v_res := dbchange._policy_check(v_name, test_policy.source);
  RETURN QUERY
    SELECT v_name, (t->>'test')::int, t->>'name', t->>'sql', t->>'environment',
           t->>'expect' || coalesce(' (' || (t->>'expect_risk') || ')', ''),
           t->>'action', t->>'risk', (t->>'passed')::boolean, t->>'details'
      FROM pg_catalog.jsonb_array_elements(v_res->'tests') t;
END $$;

-- evaluate(sql, environment, source): the dry run.  One row per statement of
-- the script; nothing is executed.  environment defaults to this
-- database's; source is what the facts say the statement came from.
CREATE FUNCTION dbchange.evaluate(sql text, environment text DEFAULT NULL, source text DEFAULT 'interactive')
RETURNS TABLE (statement_no int, statement text, command text, action text, risk text,
               reasons text[], policies text[], flow text, facts jsonb)
  LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'dbc_evaluate';

-- evaluate_facts(facts, environment): the decision for a facts document
-- built elsewhere (e.g. a MySQL-dialect classifier); this session's context
-- facts are added where the document has none.
CREATE FUNCTION dbchange.evaluate_facts(facts jsonb, environment text DEFAULT NULL)
RETURNS TABLE (statement_no int, statement text, command text, action text, risk text,
               reasons text[], policies text[], flow text, facts jsonb)
  LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'dbc_evaluate_facts';

-- Benchmark helper (bench/policy_eval.sh): time per decision over a script.
CREATE FUNCTION dbchange._policy_bench(script text, iterations int DEFAULT 1000)
RETURNS TABLE (statements int, evaluations int, policies int, median_us float8, p99_us float8,
               mean_us float8, max_us float8, facts_median_us float8, lua_kb bigint,
               convert_median_us float8, cpu_mean_us float8)
  LANGUAGE C VOLATILE STRICT AS 'MODULE_PATHNAME', 'dbc_policy_bench';

-- This backend's engine: compilations so far, policies compiled, Lua state size,
-- policies loaded from the server's shared bytecode, sources the cache stored.
CREATE FUNCTION dbchange._policy_engine(OUT compilations bigint, OUT policies int, OUT lua_kb bigint,
                                        OUT lua_generation bigint, OUT from_bytecode int,
                                        OUT bytecode_stores bigint)
  LANGUAGE C VOLATILE STRICT AS 'MODULE_PATHNAME', 'dbc_policy_engine';

REVOKE ALL ON dbchange.policy FROM PUBLIC;
REVOKE ALL ON FUNCTION dbchange._policy_changed(), dbchange._policy_check(text, text),
  dbchange._policy_require_admin(text), dbchange._policy_row(text),
  dbchange._policy_require_tests(text, text), dbchange._policy_bench(text, int),
  dbchange._policy_engine(),
  dbchange.set_policy(text, text), dbchange.enable_policy(text), dbchange.disable_policy(text),
  dbchange.drop_policy(text), dbchange.test_policies(), dbchange.evaluate(text, text, text),
  dbchange.evaluate_facts(jsonb, text), dbchange.test_policy(text, text)
  FROM PUBLIC;
-- Management functions check the caller themselves (policy admins and
-- superusers), so that a refusal says why instead of "permission denied
-- for function".
GRANT EXECUTE ON FUNCTION dbchange.set_policy(text, text), dbchange.enable_policy(text),
  dbchange.disable_policy(text), dbchange.drop_policy(text), dbchange.test_policies(),
  dbchange.test_policy(text, text), dbchange.evaluate(text, text, text),
  dbchange.evaluate_facts(jsonb, text)
  TO PUBLIC;
GRANT SELECT ON dbchange.policies TO PUBLIC;
