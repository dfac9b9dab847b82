
-- ===========================================================================
-- 30_workflow.sql -- approval flows, the DBA's verbs (approve, reject, apply),
-- rollout, submitted scripts, the hash-chained audit trail and DORA metrics.
-- User documentation: docs/workflow.md.  C parts: extension/apply.c
-- (running an approved change), extension/submit.c (submit()).
-- ===========================================================================

-- Extra columns of a change used by the workflow.
--   flow_steps  the approval flow's roles, snapshotted when the change is
--               queued (later set_flow() calls do not move a waiting change)
--   failed_at   when applying it failed (metrics: change failure rate)
ALTER TABLE dbchange.change ADD COLUMN flow_steps text[];
ALTER TABLE dbchange.change ADD COLUMN failed_at timestamptz;
-- metrics() and drift: a window of history by applied_at.  BRIN, not a
-- b-tree: every approved DDL statement inserts a change row with applied_at
-- set, and a b-tree entry was a twentieth of what the gate adds to a DDL
-- statement; a BRIN insert into a range not yet summarized writes nothing.
-- Rows are appended in applied_at order (the gate's rows; an approved change
-- applied later gets a new row version at the end), so each range's bounds
-- stay narrow and a window reads the heap pages of that window only.
CREATE INDEX change_applied_at_idx ON dbchange.change USING brin (applied_at)
  WITH (pages_per_range = 16, autosummarize = on);
CREATE INDEX change_failed_at_idx ON dbchange.change (failed_at) INCLUDE (id, environment, status)
  WHERE failed_at IS NOT NULL;
CREATE INDEX change_decided_at_idx ON dbchange.change (decided_at) INCLUDE (environment, status, created_at)
  WHERE flow_steps IS NOT NULL;

-- Approval flows: a name (a risk level, 'default', or a name a policy gives in
-- its decision's "flow") mapped to an ordered list of PostgreSQL roles.
CREATE TABLE dbchange.flow (
  name       text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_-]{0,62}$'),
  steps      text[] NOT NULL CHECK (pg_catalog.cardinality(steps) BETWEEN 1 AND 32),
  updated_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
  updated_by text NOT NULL
);

-- One row per approval given: step step_no of the change's flow_steps.
CREATE TABLE dbchange.change_step (
  change_id       bigint NOT NULL REFERENCES dbchange.change (id),
  step_no         int NOT NULL CHECK (step_no >= 1),
  role            text NOT NULL,
  approved_by     text NOT NULL,
  approved_by_oid oid NOT NULL,
  approved_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
  comment         text,
  approved_by_login text,       -- session_user (the login) of the approver; see approve()
  PRIMARY KEY (change_id, step_no)
);

SELECT pg_catalog.pg_extension_config_dump('dbchange.flow', '');
SELECT pg_catalog.pg_extension_config_dump('dbchange.change_step', '');

-- The flow used when nothing else applies: one approval by dbchange_approver.
CREATE FUNCTION dbchange._default_steps() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY['dbchange_approver']::text[] $$;

-- Which flow a queued change waits for: the flow a policy named, else the flow
-- of its risk level, else 'default', else the built-in default.  A flow named
-- by a policy but not defined falls back to the strictest configured flow
-- ('critical', then the risk's, then default) -- fail closed -- and says so.
CREATE FUNCTION dbchange._resolve_flow(p_flow text, p_risk text, OUT name text, OUT steps text[], OUT note text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_flow IS NOT NULL THEN
    SELECT f.name, f.steps INTO name, steps FROM dbchange.flow f WHERE f.name = p_flow;
    IF FOUND THEN RETURN; END IF;
    note := pg_catalog.format('workflow: the flow "%s" a policy asked for is not defined; the change waits for the strictest configured flow instead', p_flow);
    SELECT f.name, f.steps INTO name, steps FROM dbchange.flow f WHERE f.name = 'critical';
    IF FOUND THEN RETURN; END IF;
  END IF;
  SELECT f.name, f.steps INTO name, steps FROM dbchange.flow f WHERE f.name = p_risk;
  IF FOUND THEN RETURN; END IF;
  SELECT f.name, f.steps INTO name, steps FROM dbchange.flow f WHERE f.name = 'default';
  IF FOUND THEN RETURN; END IF;
  name := 'default';
  steps := dbchange._default_steps();
END $$;

-- Snapshot the flow onto a change as it is queued (by the gate's durable
-- writer or submit()).  Only reads the flow table, so the durable writer never
-- waits here.  A restored row (pg_dump) already carries its snapshot.
CREATE FUNCTION dbchange._on_change_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  f record;
BEGIN
  IF NEW.status = 'pending' AND NEW.flow_steps IS NULL THEN
    f := dbchange._resolve_flow(NEW.flow, NEW.risk);
    NEW.flow := f.name;
    NEW.flow_steps := f.steps;
    IF f.note IS NOT NULL THEN
      NEW.reasons := NEW.reasons || f.note;
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER change_flow_snapshot BEFORE INSERT ON dbchange.change
  FOR EACH ROW WHEN (NEW.status = 'pending' AND NEW.flow_steps IS NULL)
  EXECUTE FUNCTION dbchange._on_change_insert();
ALTER TABLE dbchange.change ENABLE ALWAYS TRIGGER change_flow_snapshot;

-- Every step of every change that has a flow, with its approval if given.
CREATE VIEW dbchange.change_steps AS
  SELECT c.id AS change_id, s.step_no::int AS step_no, s.role, a.approved_by, a.approved_at, a.comment,
         CASE WHEN a.step_no IS NOT NULL THEN 'approved'
              WHEN c.status = 'pending'
                   AND s.step_no = 1 + (SELECT pg_catalog.count(*) FROM dbchange.change_step x WHERE x.change_id = c.id)
                THEN 'waiting'
              ELSE 'not reached' END AS state
    FROM dbchange.change c
    CROSS JOIN LATERAL pg_catalog.unnest(c.flow_steps) WITH ORDINALITY AS s(role, step_no)
    LEFT JOIN dbchange.change_step a ON a.change_id = c.id AND a.step_no = s.step_no;

-- The configured flows, with the built-in default when none is set.
CREATE VIEW dbchange.flows AS
  SELECT r.name, coalesce(f.steps, CASE WHEN r.name = 'default' THEN dbchange._default_steps() END) AS steps,
         f.updated_at, f.updated_by, f.name IS NOT NULL AS configured
    FROM (VALUES ('low', 1), ('moderate', 2), ('high', 3), ('critical', 4), ('default', 5)) AS r(name, ord)
    LEFT JOIN dbchange.flow f ON f.name = r.name
  UNION ALL
  SELECT f.name, f.steps, f.updated_at, f.updated_by, true
    FROM dbchange.flow f WHERE f.name NOT IN ('low', 'moderate', 'high', 'critical', 'default');

-- Refuse unless the caller may administer policies.
CREATE FUNCTION dbchange._require_policy_admin(p_what text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT dbchange._caller_is('dbchange_policy_admin') THEN
    RAISE EXCEPTION 'permission denied to %', p_what
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Role %I is neither a superuser nor a member of dbchange_policy_admin.', dbchange._caller()),
            HINT = 'Ask a superuser to run: GRANT dbchange_policy_admin TO ' || pg_catalog.quote_ident(dbchange._caller()) || ';';
  END IF;
END $$;

-- Store a flow after checking its steps.  NULL steps remove it.
CREATE FUNCTION dbchange._store_flow(p_name text, p_steps text[]) RETURNS text[]
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_role text;
  v_known text;
  i int := 0;
BEGIN
  IF p_steps IS NULL THEN
    DELETE FROM dbchange.flow WHERE name = p_name;
    PERFORM dbchange._audit('flow_removed', NULL, dbchange._caller(), pg_catalog.jsonb_build_object('flow', p_name));
    RETURN (dbchange._resolve_flow(NULL, p_name)).steps;
  END IF;
  IF pg_catalog.cardinality(p_steps) = 0 THEN
    RAISE EXCEPTION 'an approval flow needs at least one step'
      USING ERRCODE = '22023',
            DETAIL = 'An empty list would let a queued change through without any approval.',
            HINT = 'Give one or more role names, e.g. ARRAY[''dbchange_approver''], or NULL to remove the flow (the default flow applies then).';
  END IF;
  IF pg_catalog.cardinality(p_steps) > 32 THEN
    RAISE EXCEPTION 'an approval flow has at most 32 steps' USING ERRCODE = '22023';
  END IF;
  FOREACH v_role IN ARRAY p_steps LOOP
    i := i + 1;
    IF v_role IS NULL OR v_role = '' THEN
      RAISE EXCEPTION 'step % of the flow has no role', i
        USING ERRCODE = '22004', DETAIL = 'Each step of a flow is the name of a PostgreSQL role whose members approve it.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = v_role) THEN
      SELECT pg_catalog.string_agg(pg_catalog.quote_ident(rolname), ', ' ORDER BY rolname) INTO v_known
        FROM (SELECT rolname FROM pg_catalog.pg_roles WHERE rolname !~ '^pg_' ORDER BY rolname LIMIT 30) r;
      RAISE EXCEPTION 'role "%" of step % does not exist', v_role, i
        USING ERRCODE = '42704',
              DETAIL = 'Existing roles: ' || coalesce(v_known, '(none)') || '.',
              HINT = pg_catalog.format('Create it first (custom roles are plain roles): CREATE ROLE %I; GRANT %I TO <approver>;', v_role, v_role);
    END IF;
    IF v_role ~ '^pg_' THEN
      RAISE EXCEPTION 'role "%" of step % is a predefined role', v_role, i
        USING ERRCODE = '22023', DETAIL = 'Predefined pg_* roles cannot be approval steps.',
              HINT = 'Create a role for the step: CREATE ROLE reviewers;';
    END IF;
  END LOOP;
  INSERT INTO dbchange.flow AS f (name, steps, updated_by) VALUES (p_name, p_steps, dbchange._caller())
  ON CONFLICT (name) DO UPDATE SET steps = excluded.steps, updated_at = pg_catalog.clock_timestamp(),
                                   updated_by = excluded.updated_by;
  PERFORM dbchange._audit('flow_set', NULL, dbchange._caller(),
                          pg_catalog.jsonb_build_object('flow', p_name, 'steps', pg_catalog.to_jsonb(p_steps)));
  RETURN p_steps;
END $$;

-- set_flow(risk, steps): the approval flow for a risk level (or 'default', used
-- for changes without a risk or whose risk has no flow).  Returns the steps now
-- in force for that risk.  Policy admins only.
CREATE FUNCTION dbchange.set_flow(risk text, steps text[])
RETURNS text[] LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM dbchange._require_policy_admin('set approval flows');
  IF set_flow.risk IS NULL OR set_flow.risk NOT IN ('low', 'moderate', 'high', 'critical', 'default') THEN
    RAISE EXCEPTION 'unknown risk level "%"', coalesce(set_flow.risk, 'NULL')
      USING ERRCODE = '22023',
            DETAIL = 'The risk levels are low, moderate, high and critical; default is the flow for changes whose risk has no flow of its own.',
            HINT = 'Call dbchange.set_flow(''high'', ARRAY[''tester'', ''dbchange_approver'']). Flows with other names (for policies that name a flow) are set with dbchange.define_flow().';
  END IF;
  RETURN dbchange._store_flow(set_flow.risk, set_flow.steps);
END $$;

-- define_flow(name, steps): a named flow a policy's decision can ask for
-- ({action = "queue", flow = "security_review"}).  Policy admins only.
CREATE FUNCTION dbchange.define_flow(name text, steps text[])
RETURNS text[] LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM dbchange._require_policy_admin('define approval flows');
  IF define_flow.name IS NULL OR define_flow.name !~ '^[a-z][a-z0-9_-]{0,62}$' THEN
    RAISE EXCEPTION 'invalid flow name "%"', dbchange._shown(coalesce(define_flow.name, 'NULL'))
      USING ERRCODE = '22023',
            DETAIL = 'A flow name is 1 to 63 lower-case letters, digits, "_" or "-", starting with a letter.';
  END IF;
  RETURN dbchange._store_flow(define_flow.name, define_flow.steps);
END $$;

-- ---------------------------------------------------------------------------
-- The verbs
-- ---------------------------------------------------------------------------

-- Advisory lock keys (two-int form): class 1 is the audit chain, class 2 a
-- change being applied at top level by the CLI (session lock, see
-- authorize_toplevel).
CREATE FUNCTION dbchange._lock_class() RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 1145193472 $$;

-- What a change waits for, in words (for errors and pending()).
CREATE FUNCTION dbchange._waiting_for(c dbchange.change) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n int;
  steps text[] := coalesce(c.flow_steps, dbchange._default_steps());
BEGIN
  CASE c.status
  WHEN 'pending' THEN
    SELECT pg_catalog.count(*) + 1 INTO n FROM dbchange.change_step WHERE change_id = c.id;
    RETURN pg_catalog.format('approval: step %s of %s, by a member of role %I (not the requester, nor an approver of another step)',
                             n, pg_catalog.cardinality(steps), steps[n]);
  WHEN 'approved' THEN
    RETURN 'apply: by a member of dbchange_deployer (SELECT dbchange.apply(' || c.id || '))';
  ELSE
    RETURN 'nothing: the change is ' || c.status;
  END CASE;
END $$;

-- Lock a change row for a verb; clear errors for a NULL or unknown id.
CREATE FUNCTION dbchange._lock_change(p_id bigint, p_verb text) RETURNS dbchange.change
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c dbchange.change;
BEGIN
  IF p_id IS NULL THEN
    RAISE EXCEPTION 'change id must not be null'
      USING ERRCODE = '22004', HINT = 'SELECT * FROM dbchange.pending() lists the changes waiting for approval or apply.';
  END IF;
  SELECT * INTO c FROM dbchange.change WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'change % does not exist', p_id
      USING ERRCODE = 'P0002', HINT = 'SELECT * FROM dbchange.pending() lists the changes waiting for approval or apply.';
  END IF;
  RETURN c;
END $$;

-- Refuse a verb on a change in the wrong state, saying what state it is in.
CREATE FUNCTION dbchange._wrong_state(c dbchange.change, p_verb text, p_allowed text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_detail text;
BEGIN
  v_detail := CASE c.status
    WHEN 'pending' THEN 'It waits for ' || dbchange._waiting_for(c) || '.'
    WHEN 'approved' THEN 'It is fully approved and waits for ' || dbchange._waiting_for(c) || '.'
    WHEN 'applied' THEN 'It was applied.'
    WHEN 'failed' THEN pg_catalog.format('Applying it failed: %s (SQLSTATE %s).', c.error_message, c.error_sqlstate)
    WHEN 'rejected' THEN 'It was rejected; that is final.'
    WHEN 'rolled_back' THEN 'It was applied and later rolled back.'
  END;
  RAISE EXCEPTION 'change % is %, so it cannot be %', c.id, c.status, p_verb
    USING ERRCODE = '55000',
          DETAIL = v_detail || ' Only a change that is ' || p_allowed || ' can be ' || p_verb || '.',
          HINT = CASE c.status WHEN 'failed' THEN 'Submit a corrected change.'
                               WHEN 'applied' THEN 'To undo it, use dbchange.rollback(' || c.id || ').'
                               ELSE 'SELECT * FROM dbchange.pending() shows what each change waits for.' END;
END $$;

-- Run an approved change whose row the caller has locked; record the outcome.
-- Returns the new status, or 'toplevel' (left approved: it contains a statement
-- that must run at top level, which the CLI does).
CREATE FUNCTION dbchange._apply_locked(p_id bigint, p_actor text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record;
BEGIN
  PERFORM dbchange._refuse_mysql_apply(p_id);  -- MySQL changes deploy to MySQL targets only (60_mysql.sql)
  SELECT * INTO r FROM dbchange._execute(p_id);
  IF r.result = 'applied' THEN
    UPDATE dbchange.change SET status = 'applied', applied_at = pg_catalog.clock_timestamp() WHERE id = p_id;
    PERFORM dbchange._audit('applied', p_id, p_actor, pg_catalog.jsonb_build_object('statements', r.statement_no));
    RETURN 'applied';
  ELSIF r.result = 'failed' THEN
    UPDATE dbchange.change SET status = 'failed', failed_at = pg_catalog.clock_timestamp(),
                               error_message = r.error_message, error_sqlstate = r.error_sqlstate
     WHERE id = p_id;
    PERFORM dbchange._audit('failed', p_id, p_actor,
      pg_catalog.jsonb_build_object('error', r.error_message, 'sqlstate', r.error_sqlstate, 'statement_no', r.statement_no));
    RETURN 'failed';
  END IF;
  RETURN 'toplevel';
END $$;

-- The sessions holding change p_id's top-level lock whose login may apply
-- changes (a superuser or a member of dbchange_deployer): authorize_toplevel
-- only runs for those.  Any role may take any advisory lock, so a holder
-- that is none of these took it by hand (a requester keeping their approved
-- change from being rejected); such a lock is not a top-level apply.
CREATE FUNCTION dbchange._toplevel_holders(p_id bigint, p_deployers boolean) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_catalog.string_agg(pg_catalog.format('pid %s (%s)', l.pid, a.usename), ', ' ORDER BY l.pid)
    FROM pg_catalog.pg_locks l
    JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
    LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.usesysid
   WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
     AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
     AND l.classid = (dbchange._lock_class() + 1)::oid AND l.objid = (p_id % 2147483647)::oid
     AND (coalesce(r.rolsuper, false)
          OR (r.oid IS NOT NULL AND pg_catalog.pg_has_role(r.oid, 'dbchange_deployer', 'MEMBER'))) = p_deployers
$$;

-- Is another session applying this change at top level right now?
CREATE FUNCTION dbchange._check_not_in_toplevel_apply(p_id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT pg_catalog.pg_try_advisory_xact_lock(dbchange._lock_class() + 1, (p_id % 2147483647)::int)
     AND dbchange._toplevel_holders(p_id, true) IS NOT NULL THEN
    RAISE EXCEPTION 'change % is being applied at top level by another session', p_id
      USING ERRCODE = '55006',
            HINT = 'Wait for that session (see pg_locks, locktype advisory) to finish.';
  END IF;
END $$;

-- approve(id, comment): approve the step the change waits for.
CREATE FUNCTION dbchange.approve(id bigint, comment text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_caller name := dbchange._caller();
  v_oid oid := dbchange._caller_oid();
  -- The person: the login (session_user), which SET ROLE does not change.  A
  -- non-superuser login is compared too, so that nobody approves their own
  -- change, or two steps, by switching to another role they belong to.  (A
  -- superuser session can become anyone with SET SESSION AUTHORIZATION; for
  -- it only the role is compared.)
  v_login text := session_user;
  v_login_checked boolean := NOT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false);
  c dbchange.change;
  steps text[];
  n int;
  v_prev int;
  v_rollout text;
  v_status text;
BEGIN
  c := dbchange._lock_change(approve.id, 'approved');
  IF c.status <> 'pending' THEN
    PERFORM dbchange._wrong_state(c, 'approved', 'pending');
  END IF;
  steps := coalesce(c.flow_steps, dbchange._default_steps());
  SELECT pg_catalog.count(*) + 1 INTO n FROM dbchange.change_step s WHERE s.change_id = c.id;
  -- A promoted change also carries who requested it at every earlier stage and
  -- the logins that ran it there (origin, nested): someone who made it in dev
  -- under another role does not approve it in prod.
  IF v_oid = c.requested_by_oid OR v_caller = c.requested_by
     OR (c.origin IS NOT NULL AND pg_catalog.jsonb_path_exists(c.origin, '$.**.requested_by ? (@ == $r)',
                                                              pg_catalog.jsonb_build_object('r', v_caller::text)))
     OR (v_login_checked AND (v_login = c.requested_by
         OR EXISTS (SELECT 1 FROM dbchange.change_statement cs
                     WHERE cs.change_id = c.id AND cs.facts->>'session_user' = v_login)
         OR (c.origin IS NOT NULL AND (
               pg_catalog.jsonb_path_exists(c.origin, '$.**.logins[*] ? (@ == $l)', pg_catalog.jsonb_build_object('l', v_login))
            OR pg_catalog.jsonb_path_exists(c.origin, '$.**.requested_by ? (@ == $l)', pg_catalog.jsonb_build_object('l', v_login)))))) THEN
    RAISE EXCEPTION 'permission denied: % requested change % and cannot approve it',
      CASE WHEN v_login_checked AND v_login <> v_caller THEN pg_catalog.format('%s (login %s)', v_caller, v_login) ELSE v_caller END, c.id
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Separation of duties: the requester never approves their own change. Change %s waits for step %s of %s, which a member of role %I other than %I approves.',
                                       c.id, n, pg_catalog.cardinality(steps), steps[n], v_caller),
            HINT = 'Ask another member of that role; the requester may withdraw the change with dbchange.reject().';
  END IF;
  SELECT s.step_no INTO v_prev FROM dbchange.change_step s
   WHERE s.change_id = c.id
     AND (s.approved_by_oid = v_oid OR (v_login_checked AND (s.approved_by_login = v_login OR s.approved_by = v_login)))
   ORDER BY s.step_no LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'permission denied: % already approved step % of change %',
      CASE WHEN v_login_checked AND v_login <> v_caller THEN pg_catalog.format('%s (login %s)', v_caller, v_login) ELSE v_caller END, v_prev, c.id
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Each step of a change is approved by a different person. Change %s waits for step %s of %s, which another member of role %I approves.',
                                       c.id, n, pg_catalog.cardinality(steps), steps[n]),
            HINT = 'Ask another member of that role.';
  END IF;
  IF NOT dbchange._caller_is(steps[n]) THEN
    RAISE EXCEPTION 'permission denied to approve change %', c.id
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Change %s waits for step %s of %s (flow %s: %s), which a member of role %I approves; role %I is not a member%s.',
                                       c.id, n, pg_catalog.cardinality(steps), coalesce(c.flow, 'default'),
                                       pg_catalog.array_to_string(steps, ' -> '), steps[n], v_caller,
                                       CASE WHEN NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = steps[n])
                                            THEN ' (the role no longer exists; only a superuser can approve this step)' ELSE '' END),
            HINT = CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.unnest(steps[n+1:]) r WHERE dbchange._caller_is(r))
                        THEN pg_catalog.format('Steps are approved in order: step %s (role %I) comes first; approve your step after it.', n, steps[n])
                        ELSE pg_catalog.format('Ask a member of %I to approve, or GRANT %I TO %I;', steps[n], steps[n], v_caller) END;
  END IF;

  INSERT INTO dbchange.change_step (change_id, step_no, role, approved_by, approved_by_oid, comment, approved_by_login)
  VALUES (c.id, n, steps[n], v_caller, v_oid, approve.comment, v_login);

  IF n < pg_catalog.cardinality(steps) THEN
    PERFORM dbchange._audit('step_approved', c.id, v_caller,
      pg_catalog.jsonb_build_object('step', n, 'of', pg_catalog.cardinality(steps), 'role', steps[n], 'comment', approve.comment));
    RETURN 'pending';
  END IF;

  UPDATE dbchange.change SET status = 'approved', decided_at = pg_catalog.clock_timestamp() WHERE change.id = c.id;
  PERFORM dbchange._audit('approved', c.id, v_caller,
    pg_catalog.jsonb_build_object('step', n, 'of', pg_catalog.cardinality(steps), 'role', steps[n], 'comment', approve.comment));

  SELECT value INTO v_rollout FROM dbchange.settings WHERE key = 'rollout';
  IF coalesce(v_rollout, 'manual') <> 'auto' OR c.dialect = 'mysql' THEN
    RETURN 'approved';  -- a MySQL change is now ready to deploy (dbchange promote --to mysql://...)
  END IF;
  PERFORM dbchange._check_not_in_toplevel_apply(c.id);
  v_status := dbchange._apply_locked(c.id, v_caller);
  IF v_status = 'toplevel' THEN
    RAISE NOTICE 'change % is approved but not applied: it contains a statement that cannot run inside a function', c.id
      USING HINT = pg_catalog.format('A deployer runs it at top level with the CLI: dbchange apply %s', c.id);
    RETURN 'approved';
  END IF;
  RETURN v_status;
END $$;

-- reject(id, reason): terminal.  Anyone who may approve a step of the change,
-- the requester (withdrawing it), and for an approved change a deployer.
CREATE FUNCTION dbchange.reject(id bigint, reason text)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_caller name := dbchange._caller();
  v_oid oid := dbchange._caller_oid();
  c dbchange.change;
  steps text[];
  v_withdraw boolean;
BEGIN
  c := dbchange._lock_change(reject.id, 'rejected');
  IF reject.reason IS NULL OR pg_catalog.btrim(reject.reason) = '' THEN
    RAISE EXCEPTION 'a reason is required to reject change %', c.id
      USING ERRCODE = '22004', HINT = pg_catalog.format('SELECT dbchange.reject(%s, ''why'');', c.id);
  END IF;
  IF c.status NOT IN ('pending', 'approved') THEN
    PERFORM dbchange._wrong_state(c, 'rejected', 'pending or approved (not yet applied)');
  END IF;
  steps := coalesce(c.flow_steps, dbchange._default_steps());
  v_withdraw := v_oid = c.requested_by_oid OR v_caller = c.requested_by;
  IF NOT v_withdraw
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(steps) r WHERE dbchange._caller_is(r))
     AND NOT (c.status = 'approved' AND dbchange._caller_is('dbchange_deployer')) THEN
    RAISE EXCEPTION 'permission denied to reject change %', c.id
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('A change is rejected by a member of a role of its flow (%s), by its requester %I (withdrawing it), or once approved by a deployer; role %I is none of these. It waits for %s.',
                                       pg_catalog.array_to_string(steps, ', '), c.requested_by, v_caller, dbchange._waiting_for(c)),
            HINT = 'Ask an approver of the change.';
  END IF;
  PERFORM dbchange._check_not_in_toplevel_apply(c.id);
  UPDATE dbchange.change SET status = 'rejected', decided_at = pg_catalog.clock_timestamp() WHERE change.id = c.id;
  PERFORM dbchange._audit('rejected', c.id, v_caller,
    pg_catalog.jsonb_build_object('reason', reject.reason, 'withdrawn', v_withdraw, 'previous_status', c.status));
  RETURN 'rejected';
END $$;

-- apply(id): run an approved change (rollout manual).  Deployers only.
CREATE FUNCTION dbchange.apply(id bigint)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_caller name := dbchange._caller();
  c dbchange.change;
  v_status text;
BEGIN
  IF NOT dbchange._caller_is('dbchange_deployer') THEN
    RAISE EXCEPTION 'permission denied to apply changes'
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Role %I is neither a superuser nor a member of dbchange_deployer.', v_caller),
            HINT = 'Ask a deployer, or a superuser to run: GRANT dbchange_deployer TO ' || pg_catalog.quote_ident(v_caller) || ';';
  END IF;
  c := dbchange._lock_change(apply.id, 'applied');
  IF c.status <> 'approved' THEN
    PERFORM dbchange._wrong_state(c, 'applied', 'approved');
  END IF;
  PERFORM dbchange._check_not_in_toplevel_apply(c.id);
  v_status := dbchange._apply_locked(c.id, v_caller);
  IF v_status = 'toplevel' THEN
    RAISE EXCEPTION 'change % contains a statement that cannot run inside a function', c.id
      USING ERRCODE = 'ZC006',
            DETAIL = 'Statements such as CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, ALTER SYSTEM or VACUUM refuse to run inside a function or transaction block. The change stays approved.',
            HINT = pg_catalog.format('Apply it with the CLI, which runs it at top level under a one-time authorisation: dbchange apply %s', c.id);
  END IF;
  RETURN v_status;
END $$;

-- pending(): the changes waiting for approval or apply, with the step each waits for.
DROP FUNCTION dbchange.pending();
CREATE FUNCTION dbchange.pending()
RETURNS TABLE (id bigint, uid uuid, status text, environment text, command text, statement text,
               requested_by text, risk text, reasons text[], created_at timestamptz, waiting_for text,
               step_no int, steps int, step_role text, flow text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT c.id, c.uid, c.status, c.environment, c.command, c.statement, c.requested_by, c.risk,
         c.reasons, c.created_at,
         CASE c.status WHEN 'pending' THEN 'approval' ELSE 'apply' END,
         CASE c.status WHEN 'pending' THEN a.n END,
         pg_catalog.cardinality(coalesce(c.flow_steps, dbchange._default_steps())),
         CASE c.status WHEN 'pending' THEN (coalesce(c.flow_steps, dbchange._default_steps()))[a.n]
                       ELSE 'dbchange_deployer' END,
         c.flow
    FROM dbchange.change c
    CROSS JOIN LATERAL (SELECT (pg_catalog.count(*) + 1)::int AS n FROM dbchange.change_step s
                         WHERE s.change_id = c.id) a
   WHERE c.status IN ('pending', 'approved')
   ORDER BY c.id
$$;

-- ---------------------------------------------------------------------------
-- Running approved changes (C, extension/apply.c)
-- ---------------------------------------------------------------------------

-- Run an approved change as its requester, in a subtransaction.  Internal:
-- only the verbs above call it (after their checks, with the row locked).
CREATE FUNCTION dbchange._execute(id bigint, OUT result text, OUT error_message text,
                                  OUT error_sqlstate text, OUT statement_no int)
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'dbc_execute_change';

-- The backend-local top-level authorisation (see authorize_toplevel).
CREATE FUNCTION dbchange._authorize_toplevel(id bigint) RETURNS int
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'dbc_authorize_toplevel';
CREATE FUNCTION dbchange._toplevel_state(OUT change_id bigint, OUT state text, OUT next_statement int,
                                         OUT statements int, OUT error_message text, OUT error_sqlstate text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'dbc_toplevel_state';
CREATE FUNCTION dbchange._toplevel_clear() RETURNS void
  LANGUAGE C AS 'MODULE_PATHNAME', 'dbc_toplevel_clear';

-- Called by the gate (C) when the last authorised statement has run at top
-- level: the change is applied.
CREATE FUNCTION dbchange._toplevel_applied(p_id bigint, p_checksum text, p_actor text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE dbchange.change SET status = 'applied', applied_at = pg_catalog.clock_timestamp()
   WHERE id = p_id AND checksum = p_checksum AND status = 'approved';
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  PERFORM dbchange._audit('applied', p_id, p_actor, pg_catalog.jsonb_build_object('toplevel', true));
  RETURN true;
END $$;

-- authorize_toplevel(id): let this session run the approved change's
-- statements at top level, once, in order (the CLI's `dbchange apply ID`).
-- Returns the statements to send, one query each.  Deployers only.
CREATE FUNCTION dbchange.authorize_toplevel(id bigint)
RETURNS TABLE (statement_no int, statement text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_caller name := dbchange._caller();
  c dbchange.change;
BEGIN
  IF NOT dbchange._caller_is('dbchange_deployer') THEN
    RAISE EXCEPTION 'permission denied to apply changes'
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Role %I is neither a superuser nor a member of dbchange_deployer.', v_caller);
  END IF;
  c := dbchange._lock_change(authorize_toplevel.id, 'applied');
  IF c.status <> 'approved' THEN
    PERFORM dbchange._wrong_state(c, 'applied', 'approved');
  END IF;
  PERFORM dbchange._refuse_mysql_apply(c.id);
  IF NOT pg_catalog.pg_try_advisory_lock(dbchange._lock_class() + 1, (c.id % 2147483647)::int) THEN
    IF dbchange._toplevel_holders(c.id, true) IS NULL THEN
      RAISE EXCEPTION 'change %''s top-level lock is held by a session that may not apply changes', c.id
        USING ERRCODE = '55006',
              DETAIL = pg_catalog.format('Advisory lock (%s, %s) is held by %s.', dbchange._lock_class() + 1,
                                         c.id % 2147483647, dbchange._toplevel_holders(c.id, false)),
              HINT = 'A superuser can end that session with pg_terminate_backend(pid).';
    END IF;
    RAISE EXCEPTION 'change % is being applied at top level by another session', c.id USING ERRCODE = '55006';
  END IF;
  PERFORM dbchange._authorize_toplevel(c.id);
  PERFORM dbchange._audit('toplevel_authorized', c.id, v_caller, pg_catalog.jsonb_build_object('pid', pg_catalog.pg_backend_pid()));
  RETURN QUERY SELECT s.statement_no, s.statement FROM dbchange.change_statement s
                WHERE s.change_id = c.id ORDER BY s.statement_no;
END $$;

-- finish_toplevel(id): after the CLI ran the authorised statements (or one of
-- them failed), record the outcome and release the authorisation.  Returns the
-- change's status.  The outcome is what this backend saw, not what the client says.
CREATE FUNCTION dbchange.finish_toplevel(id bigint)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_caller name := dbchange._caller();
  t record;
  c dbchange.change;
BEGIN
  t := dbchange._toplevel_state();
  IF t.change_id IS DISTINCT FROM finish_toplevel.id THEN
    RAISE EXCEPTION 'this session holds no top-level authorisation for change %', finish_toplevel.id
      USING ERRCODE = '55000', HINT = 'Call dbchange.authorize_toplevel(id) first, in this session.';
  END IF;
  c := dbchange._lock_change(finish_toplevel.id, 'applied');
  IF t.state = 'failed' AND c.status = 'approved' THEN
    UPDATE dbchange.change SET status = 'failed', failed_at = pg_catalog.clock_timestamp(),
                               error_message = t.error_message, error_sqlstate = t.error_sqlstate
     WHERE change.id = c.id;
    PERFORM dbchange._audit('failed', c.id, v_caller,
      pg_catalog.jsonb_build_object('error', t.error_message, 'sqlstate', t.error_sqlstate,
                                    'statement_no', t.next_statement, 'toplevel', true));
  ELSIF t.state = 'running' THEN
    PERFORM dbchange._audit('toplevel_abandoned', c.id, v_caller,
      pg_catalog.jsonb_build_object('next_statement', t.next_statement, 'statements', t.statements));
  END IF;
  PERFORM dbchange._toplevel_clear();
  PERFORM pg_catalog.pg_advisory_unlock(dbchange._lock_class() + 1, (c.id % 2147483647)::int);
  RETURN (SELECT status FROM dbchange.change WHERE change.id = c.id);
END $$;

-- ---------------------------------------------------------------------------
-- Submitted scripts (C, extension/submit.c)
-- ---------------------------------------------------------------------------

-- submit(script, description, down_script): the script is one change.  Not
-- SECURITY DEFINER: approved scripts run as the caller, in the caller's transaction.
CREATE FUNCTION dbchange.submit(script text, description text DEFAULT NULL, down_script text DEFAULT NULL,
                                source text DEFAULT 'submit', uid uuid DEFAULT NULL)
RETURNS bigint LANGUAGE C AS 'MODULE_PATHNAME', 'dbc_submit';

-- submit_promoted(...): the same change arriving from another environment
-- (CLI promote): identity travels with it.  Deployers only; idempotent on uid.
CREATE FUNCTION dbchange.submit_promoted(script text, uid uuid, checksum text,
                                         description text DEFAULT NULL, down_script text DEFAULT NULL,
                                         requested_by text DEFAULT NULL, origin jsonb DEFAULT NULL)
RETURNS bigint LANGUAGE C AS 'MODULE_PATHNAME', 'dbc_submit_promoted';

-- ---------------------------------------------------------------------------
-- Audit chain
-- ---------------------------------------------------------------------------

-- The canonical content of an audit row (jsonb text is canonical: keys sorted,
-- no insignificant spaces; the time as integer microseconds, independent of TimeZone).
CREATE FUNCTION dbchange._audit_content(a dbchange.audit) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_catalog.jsonb_build_array(a.chain_pos, a.seq, (EXTRACT(epoch FROM a.at) * 1000000)::bigint,
                                      a.actor, a.event, a.change_id, a.details)::text
$$;

CREATE FUNCTION dbchange._audit_hash(p_prev text, p_content text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT dbchange._checksum(p_prev || p_content)
$$;

CREATE FUNCTION dbchange._audit_genesis() RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT pg_catalog.repeat('0', 64) $$;

-- The "applied" events of statements the gate approved are not written with
-- the statement (catalog.c, insert_applied): the sealer below writes them
-- from the change rows first, then seals.  It finds them by id, from
-- low_id up (change rows with facts are exactly the gate's approved
-- statements; NOT EXISTS skips those already written).  low_id may move to
-- mark_id + 1 only once no transaction that could still insert a change with
-- an id up to mark_id is running: mark_id is the last change id handed out
-- (_last_id(), ids.c: in increasing order, as a sequence does) read before a
-- snapshot whose xmax is mark_xmax, every change's id is drawn after
-- its transaction has an xid, so all of them had xids below mark_xmax, and
-- once the oldest running transaction's xid is mark_xmax or more they have
-- all ended (committed and visible to the sealer, or aborted).  One row;
-- not dumped: a restored database starts again from id 0, which finds
-- nothing to write but what is missing.
CREATE TABLE dbchange.audit_deferred (
  one        boolean PRIMARY KEY DEFAULT true CHECK (one),
  low_id     bigint NOT NULL DEFAULT 0,
  mark_id    bigint,
  mark_xmax  bigint
);
INSERT INTO dbchange.audit_deferred DEFAULT VALUES;

-- Write the deferred "applied" events; the caller holds the chain lock.
-- Approved statements whose "applied" event is not written yet: the one
-- definition the sealer (below) and the audit_log view share.
CREATE VIEW dbchange._audit_unwritten AS
  SELECT c.id AS change_id, c.applied_at AS at, c.requested_by AS actor
    FROM dbchange.change c, dbchange.audit_deferred d
   WHERE c.id >= d.low_id AND c.facts IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM dbchange.audit a WHERE a.change_id = c.id AND a.event = 'applied');

-- plan_cache_mode: the change ids above the mark must reach the planner as a
-- constant; a generic plan expects a third of the table there and joins the
-- whole audit trail (tens of milliseconds per verb with a long history).
CREATE FUNCTION dbchange._audit_write_deferred() RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  d dbchange.audit_deferred;
  v_last bigint;
  v_xmin bigint;
  v_xmax bigint;
  n int;
BEGIN
  SELECT * INTO d FROM dbchange.audit_deferred;
  -- the sequence's last value first, then the snapshot (separate statements)
  v_last := dbchange._last_id('dbchange.change_id_seq');
  SELECT pg_catalog.txid_snapshot_xmin(x), pg_catalog.txid_snapshot_xmax(x) INTO v_xmin, v_xmax
    FROM pg_catalog.txid_current_snapshot() x;
  INSERT INTO dbchange.audit (at, actor, event, change_id, details)
  SELECT u.at, u.actor, 'applied', u.change_id, '{}'
    FROM dbchange._audit_unwritten u
   WHERE u.change_id >= d.low_id        -- (the view's own bound, as a constant)
   ORDER BY u.change_id;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF d.mark_xmax IS NOT NULL AND d.mark_xmax > v_xmax THEN
    d.mark_id := NULL;          -- not this cluster's transaction ids
  END IF;
  IF d.mark_id IS NULL THEN
    UPDATE dbchange.audit_deferred SET mark_id = v_last, mark_xmax = v_xmax;
  ELSIF v_xmin >= d.mark_xmax THEN
    UPDATE dbchange.audit_deferred
       SET low_id = GREATEST(d.low_id, d.mark_id + 1), mark_id = v_last, mark_xmax = v_xmax;
  END IF;
  RETURN n;
END $$;

-- Seal unsealed rows into the chain, in seq order, under the chain lock.
-- p_wait false (the hot path, the durable writer): give up at once if another
-- transaction holds the lock -- it or a later sealer will seal these rows.
-- Not under REPEATABLE READ / SERIALIZABLE: an old snapshot could miss the
-- chain head another transaction committed.  Returns the rows sealed.
CREATE FUNCTION dbchange._audit_seal(p_wait boolean) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_pos bigint;
  v_hash text;
  v_new text;
  r dbchange.audit;
  n int := 0;
BEGIN
  IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
    RETURN 0;
  END IF;
  -- The chain lock is the row lock on audit_deferred's one row, not an
  -- advisory lock: any role may take any advisory lock, and a developer who
  -- held this one kept every event unsealed and made verify_audit() wait for
  -- good.  Nobody but dbchange may lock this row.
  IF p_wait THEN
    PERFORM 1 FROM dbchange.audit_deferred FOR UPDATE;
  ELSIF NOT EXISTS (SELECT 1 FROM dbchange.audit_deferred FOR UPDATE SKIP LOCKED) THEN
    RETURN 0;
  END IF;
  PERFORM dbchange._audit_write_deferred();
  SELECT a.chain_pos, a.hash INTO v_pos, v_hash FROM dbchange.audit a
   WHERE a.chain_pos IS NOT NULL ORDER BY a.chain_pos DESC LIMIT 1;
  v_pos := coalesce(v_pos, 0);
  v_hash := coalesce(v_hash, dbchange._audit_genesis());
  FOR r IN SELECT * FROM dbchange.audit a WHERE a.hash IS NULL ORDER BY a.seq LOOP
    v_pos := v_pos + 1;
    r.chain_pos := v_pos;
    v_new := dbchange._audit_hash(v_hash, dbchange._audit_content(r));
    UPDATE dbchange.audit SET chain_pos = v_pos, prev_hash = v_hash, hash = v_new WHERE seq = r.seq;
    v_hash := v_new;
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;

-- _audit (replaces the catalog's): append unsealed, notify, then seal if the
-- chain lock is free.  Every state change of a change goes through here.
CREATE OR REPLACE FUNCTION dbchange._audit(p_event text, p_change_id bigint, p_actor text, p_details jsonb)
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
  PERFORM dbchange._audit_seal(false);
  RETURN v_seq;
END $$;

-- The trail is append-only: no DELETE, no TRUNCATE, and an UPDATE only seals
-- an unsealed row without touching its content.
CREATE FUNCTION dbchange._audit_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
     AND (NEW.seq, NEW.at, NEW.actor, NEW.event, NEW.change_id, NEW.details)
         IS NOT DISTINCT FROM (OLD.seq, OLD.at, OLD.actor, OLD.event, OLD.change_id, OLD.details) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the dbchange audit trail is append-only'
    USING ERRCODE = 'ZC005', DETAIL = pg_catalog.format('%s on dbchange.audit is refused.', TG_OP);
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON dbchange.audit
  FOR EACH ROW EXECUTE FUNCTION dbchange._audit_guard();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON dbchange.audit
  FOR EACH STATEMENT EXECUTE FUNCTION dbchange._audit_guard();
ALTER TABLE dbchange.audit ENABLE ALWAYS TRIGGER audit_append_only;
ALTER TABLE dbchange.audit ENABLE ALWAYS TRIGGER audit_no_truncate;

-- verify_audit(): seal what is pending, then check the whole chain; the first
-- broken entry's seq, or NULL when the chain is intact.  A row is broken when
-- its hash does not match its content and prev_hash, when prev_hash is not
-- the previous row's hash (a row was deleted or replaced), or when its
-- position is not the next one.
CREATE FUNCTION dbchange.verify_audit() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_seq bigint;
BEGIN
  PERFORM dbchange._audit_seal(true);
  SELECT x.seq INTO v_seq FROM (
    SELECT a.seq, a.chain_pos, a.prev_hash, a.hash,
           pg_catalog.row_number() OVER w AS rn,
           pg_catalog.lag(a.hash) OVER w AS prev_actual,
           dbchange._audit_hash(a.prev_hash, dbchange._audit_content(a)) AS expected
      FROM dbchange.audit a WHERE a.chain_pos IS NOT NULL
    WINDOW w AS (ORDER BY a.chain_pos)) x
   WHERE x.chain_pos <> x.rn
      OR x.prev_hash IS DISTINCT FROM coalesce(x.prev_actual, dbchange._audit_genesis())
      OR x.hash IS DISTINCT FROM x.expected
   ORDER BY x.chain_pos LIMIT 1;
  IF v_seq IS NULL THEN
    SELECT a.seq INTO v_seq FROM dbchange.audit a
     WHERE (a.chain_pos IS NULL) <> (a.hash IS NULL) ORDER BY a.seq LIMIT 1;
  END IF;
  RETURN v_seq;
END $$;

-- verify_audit(from_position, from_hash): a position and hash saved from audit_head()
-- earlier; checks that entry still has that hash and every entry after it
CREATE FUNCTION dbchange.verify_audit(from_position bigint, from_hash text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_seq bigint;
  v_hash text;
BEGIN
  IF from_position IS NULL OR from_position < 1 OR from_hash IS NULL THEN
    RAISE EXCEPTION 'verify_audit() needs a chain position of 1 or more and a hash'
      USING ERRCODE = '22023',
            DETAIL = 'They say where a verification starts: an entry checked before.',
            HINT = 'Pass the chain_pos and hash dbchange.audit_head() returned earlier, or call dbchange.verify_audit() without arguments to check the whole chain.';
  END IF;
  PERFORM dbchange._audit_seal(true);
  SELECT a.seq, a.hash INTO v_seq, v_hash FROM dbchange.audit a WHERE a.chain_pos = from_position;
  IF NOT FOUND THEN
    RETURN 0;                   -- the saved entry is gone: the chain was cut back
  END IF;
  IF v_hash IS DISTINCT FROM from_hash THEN
    RETURN v_seq;               -- the saved entry was rewritten
  END IF;
  SELECT x.seq INTO v_seq FROM (
    SELECT a.seq, a.chain_pos, a.prev_hash, a.hash,
           pg_catalog.row_number() OVER w AS rn,
           pg_catalog.lag(a.hash) OVER w AS prev_actual,
           dbchange._audit_hash(a.prev_hash, dbchange._audit_content(a)) AS expected
      FROM dbchange.audit a WHERE a.chain_pos >= from_position
    WINDOW w AS (ORDER BY a.chain_pos)) x
   WHERE x.chain_pos <> from_position - 1 + x.rn
      OR (x.rn > 1 AND x.prev_hash IS DISTINCT FROM x.prev_actual)
      OR x.hash IS DISTINCT FROM x.expected
   ORDER BY x.chain_pos LIMIT 1;
  IF v_seq IS NULL THEN
    SELECT a.seq INTO v_seq FROM dbchange.audit a
     WHERE a.seq > (SELECT b.seq FROM dbchange.audit b WHERE b.chain_pos = from_position)
       AND (a.chain_pos IS NULL) <> (a.hash IS NULL) ORDER BY a.seq LIMIT 1;
  END IF;
  RETURN v_seq;
END $$;

-- audit_head(): position and hash of the newest sealed entry: copy it somewhere
-- else from time to time, so cutting the tail off the chain is detectable too.
CREATE FUNCTION dbchange.audit_head(OUT chain_pos bigint, OUT hash text, OUT seq bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT a.chain_pos, a.hash, a.seq FROM dbchange.audit a
   WHERE a.chain_pos IS NOT NULL ORDER BY a.chain_pos DESC LIMIT 1
$$;

CREATE VIEW dbchange.audit_log AS
  SELECT a.seq, a.chain_pos, a.at, a.actor, a.event, a.change_id, a.details, a.prev_hash, a.hash,
         a.hash IS NOT NULL AS sealed
    FROM dbchange.audit a
  UNION ALL
  -- approved statements whose "applied" event the next seal writes (no seq yet)
  SELECT NULL::bigint, NULL::bigint, u.at, u.actor, 'applied'::text, u.change_id, '{}'::jsonb,
         NULL::text, NULL::text, false
    FROM dbchange._audit_unwritten u;

-- ---------------------------------------------------------------------------
-- Metrics (DORA) per environment over a window [since, until)
-- ---------------------------------------------------------------------------

CREATE FUNCTION dbchange._metrics(since timestamptz, until timestamptz)
RETURNS TABLE (environment text, window_start timestamptz, window_end timestamptz,
               deployments bigint, deployments_per_day numeric,
               lead_time_median interval, lead_time_p90 interval,
               failures bigint, change_failure_rate numeric,
               restores bigint, time_to_restore_median interval,
               approvals bigint, approval_wait_median interval, approval_wait_p90 interval)
-- jit off: with a large history the estimated cost triggers JIT compilation,
-- which costs seconds and saves nothing on a few ten thousand rows
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
  WITH deployed AS (          -- applied in the window (and possibly rolled back since)
    SELECT c.id, c.environment, c.status, c.created_at, c.applied_at FROM dbchange.change c
     WHERE c.applied_at >= since AND c.applied_at < until AND c.status IN ('applied', 'rolled_back')
  ), failed AS (              -- applying failed in the window
    SELECT c.id, c.environment, c.failed_at FROM dbchange.change c
     WHERE c.failed_at >= since AND c.failed_at < until AND c.status = 'failed'
  ), failure AS (             -- failures: failed, or deployed and later rolled back
    SELECT f.id, f.environment, f.failed_at AS at FROM failed f
    UNION ALL
    SELECT d.id, d.environment, d.applied_at FROM deployed d WHERE d.status = 'rolled_back'
  ), objs AS (                -- what a change is about: objects it touched, identities its statements name
    SELECT o.change_id, o.identity FROM dbchange.change_object o
     WHERE o.identity IS NOT NULL
       AND o.change_id IN (SELECT d.id FROM deployed d UNION ALL SELECT x.id FROM failure x)
    UNION
    -- the two parts of change_statement, each by its key: through the view the
    -- planner joins every change's statement facts (seconds with a long history)
    SELECT s.change_id, s.facts->>'identity' FROM dbchange.stored_statement s
     WHERE s.facts->>'identity' IS NOT NULL
       AND s.change_id IN (SELECT d.id FROM deployed d UNION ALL SELECT x.id FROM failure x)
    UNION
    SELECT c.id, c.facts->>'identity' FROM dbchange.change c
     WHERE c.facts->>'identity' IS NOT NULL
       AND c.id IN (SELECT d.id FROM deployed d UNION ALL SELECT x.id FROM failure x)
  ), restore AS (             -- the next change applied (in the window) on one of the same objects
    SELECT x.id, x.environment, pg_catalog.min(d.applied_at) - x.at AS ttr
      FROM failure x
      LEFT JOIN objs xo ON xo.change_id = x.id
      LEFT JOIN objs dobj ON dobj.identity = xo.identity
      LEFT JOIN deployed d ON d.id = dobj.change_id AND d.environment = x.environment
                          AND d.applied_at > x.at AND d.id <> x.id
     GROUP BY x.id, x.environment, x.at
  ), approval AS (            -- changes that went through a flow, finally approved in the window
    SELECT c.environment, c.decided_at - c.created_at AS wait FROM dbchange.change c
     WHERE c.decided_at >= since AND c.decided_at < until AND c.flow_steps IS NOT NULL
       AND c.status IN ('approved', 'applied', 'failed', 'rolled_back')
  ), envs AS (
    SELECT d.environment FROM deployed d UNION SELECT f.environment FROM failed f
    UNION SELECT a.environment FROM approval a
  )
  SELECT e.environment, since, until,
         (SELECT pg_catalog.count(*) FROM deployed d WHERE d.environment = e.environment),
         round((SELECT pg_catalog.count(*) FROM deployed d WHERE d.environment = e.environment)
               / (EXTRACT(epoch FROM until - since) / 86400.0), 3),
         (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d.applied_at - d.created_at)
            FROM deployed d WHERE d.environment = e.environment),
         (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY d.applied_at - d.created_at)
            FROM deployed d WHERE d.environment = e.environment),
         (SELECT pg_catalog.count(*) FROM failure x WHERE x.environment = e.environment),
         (SELECT round(pg_catalog.count(*)::numeric / nullif(
                   (SELECT pg_catalog.count(*) FROM deployed d WHERE d.environment = e.environment)
                 + (SELECT pg_catalog.count(*) FROM failed f WHERE f.environment = e.environment), 0), 4)
            FROM failure x WHERE x.environment = e.environment),
         (SELECT pg_catalog.count(r.ttr) FROM restore r WHERE r.environment = e.environment),
         (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY r.ttr) FROM restore r
           WHERE r.environment = e.environment AND r.ttr IS NOT NULL),
         (SELECT pg_catalog.count(*) FROM approval a WHERE a.environment = e.environment),
         (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a.wait) FROM approval a WHERE a.environment = e.environment),
         (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY a.wait) FROM approval a WHERE a.environment = e.environment)
    FROM envs e
   ORDER BY e.environment
$$;

-- metrics(since, until): the window checked first (NULL is the default bound;
-- an empty or infinite window has no rate), then _metrics() above.
CREATE FUNCTION dbchange.metrics(since timestamptz DEFAULT pg_catalog.now() - interval '30 days',
                                 until timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (environment text, window_start timestamptz, window_end timestamptz,
               deployments bigint, deployments_per_day numeric,
               lead_time_median interval, lead_time_p90 interval,
               failures bigint, change_failure_rate numeric,
               restores bigint, time_to_restore_median interval,
               approvals bigint, approval_wait_median interval, approval_wait_p90 interval)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_until timestamptz := coalesce(metrics.until, pg_catalog.now());
  v_since timestamptz := coalesce(metrics.since, v_until - interval '30 days');
BEGIN
  IF NOT pg_catalog.isfinite(v_since) OR NOT pg_catalog.isfinite(v_until) OR v_since >= v_until THEN
    RAISE EXCEPTION 'invalid metrics window from % to %', v_since, v_until
      USING ERRCODE = '22023',
            DETAIL = 'The window is [since, until): finite timestamps, since before until (the rates are per day of the window).',
            HINT = 'For example: SELECT * FROM dbchange.metrics(now() - interval ''7 days'', now());';
  END IF;
  RETURN QUERY SELECT * FROM dbchange._metrics(v_since, v_until);
END $$;

CREATE VIEW dbchange.metrics AS SELECT * FROM dbchange.metrics();

-- ---------------------------------------------------------------------------
-- Privileges (the catalog script's blanket REVOKE ran before these objects existed)
-- ---------------------------------------------------------------------------
REVOKE ALL ON dbchange.flow, dbchange.change_step FROM PUBLIC;
REVOKE ALL ON FUNCTION dbchange._default_steps(), dbchange._resolve_flow(text, text),
  dbchange._on_change_insert(), dbchange._require_policy_admin(text), dbchange._store_flow(text, text[]),
  dbchange._lock_class(), dbchange._waiting_for(dbchange.change), dbchange._lock_change(bigint, text),
  dbchange._wrong_state(dbchange.change, text, text), dbchange._apply_locked(bigint, text),
  dbchange._toplevel_holders(bigint, boolean), dbchange._check_not_in_toplevel_apply(bigint), dbchange._execute(bigint),
  dbchange._authorize_toplevel(bigint), dbchange._toplevel_state(), dbchange._toplevel_clear(),
  dbchange._toplevel_applied(bigint, text, text), dbchange._audit_content(dbchange.audit),
  dbchange._audit_hash(text, text), dbchange._audit_genesis(), dbchange._audit_seal(boolean),
  dbchange._audit(text, bigint, text, jsonb), dbchange._audit_guard(), dbchange._audit_write_deferred(),
  dbchange._metrics(timestamptz, timestamptz)
  FROM PUBLIC;
REVOKE ALL ON dbchange.audit_deferred, dbchange._audit_unwritten FROM PUBLIC;
GRANT SELECT ON dbchange.change_steps, dbchange.flows, dbchange.audit_log, dbchange.metrics TO PUBLIC;
GRANT EXECUTE ON FUNCTION dbchange.set_flow(text, text[]), dbchange.define_flow(text, text[]),
  dbchange.approve(bigint, text), dbchange.reject(bigint, text), dbchange.apply(bigint),
  dbchange.pending(), dbchange.authorize_toplevel(bigint), dbchange.finish_toplevel(bigint),
  dbchange.submit(text, text, text, text, uuid), dbchange.submit_promoted(text, uuid, text, text, text, text, jsonb),
  dbchange.verify_audit(), dbchange.verify_audit(bigint, text), dbchange.audit_head(),
  dbchange.metrics(timestamptz, timestamptz)
  TO PUBLIC;
