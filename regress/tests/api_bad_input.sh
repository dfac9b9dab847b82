#!/usr/bin/env bash
# regress/tests/api_bad_input.sh -- every function of dbchange's SQL API a user
# may call (no leading "_", plus the "_" helpers open to PUBLIC) with bad
# input: each argument in turn replaced by NULL, '', blanks, unknown names and
# ids (-1, 0, huge), odd characters, 200,000 characters, wrong enum-like
# values ('maybe'), JSON of every shape, arrays with NULL / empty / 5,000
# elements, infinite timestamps; as a superuser and as a member of
# dbchange_developer.  Per function:
#   * no internal error (SQLSTATE class XX) and no crash;
#   * a refusal has a SQLSTATE and a message in PostgreSQL's style
#     (message lower-case without a final period, detail and hint sentences)
#     and changes nothing: a snapshot of every table of the catalog (row
#     counts and a hash of the rows) is the same after the failed call;
#   * every bad value is refused, except the few that are accepted by design
#     (NULL meaning "the default", free text such as a description), listed
#     below in sweep.accept: a new "accepted" is a regression.
# Calls that succeed are rolled back (so each case sees the same fixtures);
# a failed call's transaction is rolled back as PostgreSQL would, so what is
# left over was committed on the side (the gate's durable writer).
# Then specific checks of what the first sweep found (docs/testing.md).
set -u
cd "$(dirname "$0")/../.."
. regress/lib.sh
P=${DBC_PORT:?run from regress/run-all.sh or set DBC_PORT}
DB=regress_api_bad_input
DEV=regress_bi_dev

dbc_psql "$P" postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" \
	-c "DROP ROLE IF EXISTS $DEV" -c "CREATE DATABASE $DB" >/dev/null
dbc_psql "$P" "$DB" -c "SET client_min_messages = warning" -c "CREATE EXTENSION dbchange" \
	-c "SET dbchange.enforce = off" -c "CREATE ROLE $DEV LOGIN IN ROLE dbchange_developer" >/dev/null
q() { dbc_psql "$P" "$DB" -At -v ON_ERROR_STOP=0 -c "SET client_min_messages = warning" "$@" 2>&1; }

# ---- fixtures and the harness (outside the gate) --------------------------
q -v ON_ERROR_STOP=1 -f - <<SQL >/dev/null || { not_ok "setting up the sweep failed"; dbc_summary; exit 1; }
SELECT * FROM dbchange.configure(environment => 'dev', default_action => 'approve');
SET dbchange.enforce = off;
CREATE TABLE public.keep (id int);
CREATE SCHEMA sweep;
GRANT USAGE ON SCHEMA sweep TO PUBLIC;
CREATE TABLE sweep.ids (k text PRIMARY KEY, v bigint);
CREATE FUNCTION sweep.id(text) RETURNS bigint LANGUAGE sql STABLE AS \$\$ SELECT v FROM sweep.ids WHERE k = \$1 \$\$;
CREATE TABLE sweep.lua (src text);
INSERT INTO sweep.lua VALUES (\$lua\$
return {
  name = "sweep_p", description = "DROP TABLE: queue",
  check = function(c)
    if c.command == "DROP TABLE" then return { action = "queue", risk = "high", reason = "sweep" } end
  end,
  tests = { { sql = "DROP TABLE t", expect = "queue" }, { sql = "CREATE TABLE t ()", expect = "none" } },
}
\$lua\$);
GRANT SELECT ON ALL TABLES IN SCHEMA sweep TO PUBLIC;
RESET dbchange.enforce;
SELECT dbchange.set_policy('sweep_p', src) FROM sweep.lua;
SELECT dbchange.disable_policy('sweep_p');
-- A: applied (with its down script); M1, M2: approved MySQL changes, M1
-- deployed with a schema snapshot (drift's baseline), M2 being deployed (D2)
INSERT INTO sweep.ids VALUES ('A', dbchange.submit('CREATE TABLE public.t1 (id int)', 'one', 'DROP TABLE public.t1'));
INSERT INTO sweep.ids VALUES ('M1', dbchange.submit_mysql('CREATE TABLE m1 (id int)', 'db'));
INSERT INTO sweep.ids VALUES ('M2', dbchange.submit_mysql('CREATE TABLE m2 (id int)', 'db'));
INSERT INTO sweep.ids VALUES ('D1', dbchange.mysql_deploy_start(sweep.id('M1'), 'mysql://h:3306/db', 1, 'u'));
SELECT dbchange.mysql_deploy_finish(sweep.id('D1'), 'applied', 1, p_snapshot => '{"table m1": "id int"}');
INSERT INTO sweep.ids VALUES ('D2', dbchange.mysql_deploy_start(sweep.id('M2'), 'mysql://h:3306/db', 1, 'u'));
-- Q: pending
SELECT * FROM dbchange.configure(default_action => 'queue');
INSERT INTO sweep.ids VALUES ('Q', dbchange.submit('CREATE TABLE public.t2 (id int)', 'two'));
SELECT dbchange.record_schema_state();

SET dbchange.enforce = off;
CREATE TABLE sweep.result (n serial, fn text, argno int, expr text, role text, call text, ok boolean,
                           st text, msg text, detail text, hint text, res text, changed text);
-- Every table of the catalog: row count and a hash of its rows.
CREATE FUNCTION sweep.snap() RETURNS jsonb LANGUAGE plpgsql AS \$\$
DECLARE r record; v jsonb := '{}'; h text;
BEGIN
  FOR r IN SELECT c.relname FROM pg_class c
            WHERE c.relnamespace = 'dbchange'::regnamespace AND c.relkind = 'r' ORDER BY 1 LOOP
    EXECUTE format('SELECT count(*) || '':'' || coalesce(md5(string_agg(t::text, ''|'' ORDER BY t::text)), '''') FROM dbchange.%I t', r.relname) INTO h;
    v := v || jsonb_build_object(r.relname, h);
  END LOOP;
  RETURN v;
END \$\$;
-- One call as p_role (NULL: this session's superuser).  A call that succeeds
-- is rolled back too (SQLSTATE ZX999), after its result is kept.
CREATE FUNCTION sweep.try(p_role text, p_sql text, OUT ok boolean, OUT st text, OUT msg text,
                          OUT detail text, OUT hint text, OUT res text)
LANGUAGE plpgsql AS \$\$
BEGIN
  BEGIN
    IF p_role IS NOT NULL THEN EXECUTE format('SET ROLE %I', p_role); END IF;
    EXECUTE 'SELECT left(string_agg(x::text, '' , ''), 300) FROM (' || p_sql || ') x' INTO res;
    ok := true;
    RAISE EXCEPTION USING ERRCODE = 'ZX999';
  EXCEPTION
    WHEN SQLSTATE 'ZX999' THEN NULL;
    WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
                              hint = PG_EXCEPTION_HINT;
      ok := false;
  END;
  RESET ROLE;
END \$\$;

-- bad values by argument type
CREATE TABLE sweep.bad (typ text, expr text);
INSERT INTO sweep.bad VALUES
 ('text', 'NULL'), ('text', \$\$''\$\$), ('text', \$\$'   '\$\$), ('text', \$\$'no_such_xyz'\$\$),
 ('text', \$\$'we"ird; DROP TABLE x;--é'\$\$), ('text', \$\$repeat('x', 200000)\$\$), ('text', \$\$'maybe'\$\$),
 ('name', 'NULL'), ('name', \$\$''\$\$), ('name', \$\$'no_such_role'\$\$),
 ('bigint', 'NULL'), ('bigint', '-1'), ('bigint', '0'), ('bigint', '999999999'), ('bigint', '9223372036854775807'),
 ('integer', 'NULL'), ('integer', '-1'), ('integer', '2147483647'),
 ('uuid', 'NULL'), ('uuid', \$\$'00000000-0000-0000-0000-000000000000'\$\$),
 ('jsonb', 'NULL'), ('jsonb', \$\$'null'\$\$), ('jsonb', \$\$'[]'\$\$), ('jsonb', \$\$'"x"'\$\$), ('jsonb', \$\$'{}'\$\$),
 ('jsonb', \$\$'{"x": [1, {"y": null}]}'\$\$), ('jsonb', \$\$'[{}]'\$\$), ('jsonb', \$\$'42'\$\$),
 ('text[]', 'NULL'), ('text[]', \$\$'{}'\$\$), ('text[]', \$\$'{NULL}'\$\$), ('text[]', \$\$'{""}'\$\$),
 ('text[]', \$\$'{no_such_xyz}'\$\$), ('text[]', \$\$array_fill('x'::text, ARRAY[5000])\$\$),
 ('timestamp with time zone', 'NULL'), ('timestamp with time zone', \$\$'infinity'\$\$),
 ('timestamp with time zone', \$\$'-infinity'\$\$),
 ('boolean', 'NULL'),
 ('aclitem[]', 'NULL'), ('aclitem[]', \$\$'{}'\$\$),
 ('dbchange.change', 'NULL');

-- a plausible call of each function: each argument in turn is replaced by
-- each bad value of its type
CREATE TABLE sweep.base (sig regprocedure PRIMARY KEY, args text[]);
INSERT INTO sweep.base VALUES
 ('dbchange.classify(text)', ARRAY[\$\$'CREATE TABLE t ()'\$\$]),
 ('dbchange.classify_mysql(text,text)', ARRAY[\$\$'CREATE TABLE t (id int)'\$\$, \$\$'db'\$\$]),
 ('dbchange.configure(text,text,text)', ARRAY[\$\$'dev'\$\$, \$\$'manual'\$\$, \$\$'queue'\$\$]),
 ('dbchange.evaluate(text,text,text)', ARRAY[\$\$'DROP TABLE t'\$\$, \$\$'dev'\$\$, \$\$'interactive'\$\$]),
 ('dbchange.evaluate_facts(jsonb,text)', ARRAY[\$\$(SELECT f FROM dbchange.classify('DROP TABLE t') f)\$\$, \$\$'dev'\$\$]),
 ('dbchange.evaluate_mysql(text,text,text)', ARRAY[\$\$'DROP TABLE t'\$\$, \$\$'dev'\$\$, \$\$'submit'\$\$]),
 ('dbchange.set_policy(text,text)', ARRAY[\$\$'sweep_p'\$\$, \$\$(SELECT src FROM sweep.lua)\$\$]),
 ('dbchange.enable_policy(text)', ARRAY[\$\$'sweep_p'\$\$]),
 ('dbchange.disable_policy(text)', ARRAY[\$\$'sweep_p'\$\$]),
 ('dbchange.drop_policy(text)', ARRAY[\$\$'sweep_p'\$\$]),
 ('dbchange.test_policy(text,text)', ARRAY[\$\$(SELECT src FROM sweep.lua)\$\$, \$\$'sweep_p'\$\$]),
 ('dbchange.set_flow(text,text[])', ARRAY[\$\$'high'\$\$, \$\$ARRAY['dbchange_approver']\$\$]),
 ('dbchange.define_flow(text,text[])', ARRAY[\$\$'review'\$\$, \$\$ARRAY['dbchange_approver']\$\$]),
 ('dbchange.approve(bigint,text)', ARRAY[\$\$sweep.id('Q')\$\$, \$\$'ok'\$\$]),
 ('dbchange.reject(bigint,text)', ARRAY[\$\$sweep.id('Q')\$\$, \$\$'no'\$\$]),
 ('dbchange.apply(bigint)', ARRAY[\$\$sweep.id('Q')\$\$]),
 ('dbchange.authorize_toplevel(bigint)', ARRAY[\$\$sweep.id('Q')\$\$]),
 ('dbchange.finish_toplevel(bigint)', ARRAY[\$\$sweep.id('Q')\$\$]),
 ('dbchange.submit(text,text,text,text,uuid)', ARRAY[\$\$'CREATE TABLE public.s1 (id int)'\$\$, \$\$'d'\$\$, \$\$'DROP TABLE public.s1'\$\$, \$\$'submit'\$\$, 'NULL']),
 ('dbchange.submit_promoted(text,uuid,text,text,text,text,jsonb)', ARRAY[\$\$'CREATE TABLE public.s2 (id int)'\$\$, 'gen_random_uuid()', \$\$dbchange._checksum('CREATE TABLE public.s2 (id int)')\$\$, \$\$'d'\$\$, \$\$'DROP TABLE public.s2'\$\$, \$\$'alice'\$\$, \$\$'{"source": "dev"}'\$\$]),
 ('dbchange.submit_mysql(text,text,text,uuid,text,text,jsonb)', ARRAY[\$\$'CREATE TABLE m3 (id int)'\$\$, \$\$'db'\$\$, \$\$'d'\$\$, 'NULL', \$\$'submit'\$\$, 'NULL', 'NULL']),
 ('dbchange.verify_audit(bigint,text)', ARRAY['1', \$\$(SELECT h.hash FROM dbchange.audit_head() h)\$\$]),
 ('dbchange.metrics(timestamp with time zone,timestamp with time zone)', ARRAY[\$\$now() - interval '1 day'\$\$, 'now()']),
 ('dbchange.schema_snapshot(text[])', ARRAY[\$\$ARRAY['public']\$\$]),
 ('dbchange.snapshot_hash(jsonb)', ARRAY[\$\$dbchange.schema_snapshot(ARRAY['public'])\$\$]),
 ('dbchange.snapshot_diff(jsonb,jsonb,text)', ARRAY[\$\$dbchange.schema_snapshot(ARRAY['public'])\$\$, \$\$dbchange.schema_snapshot(ARRAY['public'])\$\$, \$\$'verify'\$\$]),
 ('dbchange.explain_down(text)', ARRAY[\$\$'CREATE TABLE t (id int)'\$\$]),
 ('dbchange.generate_down(text)', ARRAY[\$\$'CREATE TABLE t (id int)'\$\$]),
 ('dbchange.verify_rollback_script(text,text)', ARRAY[\$\$'CREATE TABLE public.v1 (id int)'\$\$, \$\$'DROP TABLE public.v1'\$\$]),
 ('dbchange.verify_rollback(bigint)', ARRAY[\$\$sweep.id('A')\$\$]),
 ('dbchange.rollback(bigint)', ARRAY[\$\$sweep.id('A')\$\$]),
 ('dbchange.set_restore_points(text,text[])', ARRAY[\$\$'high'\$\$, \$\$ARRAY['prod']\$\$]),
 ('dbchange.set_drift_snapshots(text)', ARRAY[\$\$'lazy'\$\$]),
 ('dbchange.rollback_facts(text,text)', ARRAY[\$\$'CREATE TABLE public.v1 (id int)'\$\$, \$\$'DROP TABLE public.v1'\$\$]),
 ('dbchange.mysql_changes(text)', ARRAY[\$\$'db'\$\$]),
 ('dbchange.mysql_deploy_start(bigint,text,integer,text)', ARRAY[\$\$sweep.id('M1')\$\$, \$\$'mysql://h:3306/db'\$\$, '1', \$\$'u'\$\$]),
 ('dbchange.mysql_deploy_finish(bigint,text,integer,integer,text,text,jsonb)', ARRAY[\$\$sweep.id('D2')\$\$, \$\$'failed'\$\$, '1', '2', \$\$'CREATE TABLE x'\$\$, \$\$'boom'\$\$, 'NULL']),
 ('dbchange.mysql_deploy_snapshot(bigint,jsonb)', ARRAY[\$\$sweep.id('D1')\$\$, \$\$'{"table m1": "id int"}'\$\$]),
 ('dbchange.mysql_mark_applied(bigint,text,jsonb,text)', ARRAY[\$\$sweep.id('M1')\$\$, \$\$'mysql://h:3306/db'\$\$, 'NULL', \$\$'u'\$\$]),
 ('dbchange.mysql_drift(text,jsonb)', ARRAY[\$\$'mysql://h:3306/db'\$\$, \$\$'{"table m1": "id int"}'\$\$]),
 -- helpers open to PUBLIC (called by the SECURITY INVOKER functions above)
 ('dbchange._caller_is(name)', ARRAY[\$\$'dbchange_developer'\$\$]),
 ('dbchange._acl(aclitem[])', ARRAY[\$\$'{}'\$\$]),
 ('dbchange._check_script(text,text)', ARRAY[\$\$'CREATE TABLE t ()'\$\$, \$\$'script'\$\$]),
 ('dbchange._checksum(text)', ARRAY[\$\$'x'\$\$]),
 ('dbchange._down_of(dbchange.change)', ARRAY[\$\$(SELECT c FROM dbchange.change c WHERE id = sweep.id('A'))\$\$]),
 ('dbchange._down_script(text,text,text[])', ARRAY[\$\$'CREATE TABLE t (id int)'\$\$, \$\$'public'\$\$, \$\$ARRAY['public']\$\$]),
 ('dbchange._downgen(text,text,text[])', ARRAY[\$\$'CREATE TABLE t (id int)'\$\$, \$\$'public'\$\$, \$\$ARRAY['public']\$\$]),
 ('dbchange._generated_down(text,text)', ARRAY[\$\$'CREATE TABLE t (id int)'\$\$, \$\$'public'\$\$]),
 ('dbchange._key_identity(text)', ARRAY[\$\$'table:public.t'\$\$]),
 ('dbchange._link_rollback(bigint,bigint,boolean)', ARRAY[\$\$sweep.id('Q')\$\$, \$\$sweep.id('A')\$\$, 'true']),
 ('dbchange._policies_use(text)', ARRAY[\$\$'command'\$\$]),
 ('dbchange._ran_schemas(bigint)', ARRAY[\$\$sweep.id('A')\$\$]),
 ('dbchange._risk_rank(text)', ARRAY[\$\$'high'\$\$]),
 ('dbchange._rollback_facts(text,text,text)', ARRAY[\$\$'CREATE TABLE public.v1 (id int)'\$\$, \$\$'DROP TABLE public.v1'\$\$, \$\$'public'\$\$]),
 ('dbchange._rollback_target(bigint)', ARRAY[\$\$sweep.id('A')\$\$]),
 ('dbchange._snapshot_schemas(text[])', ARRAY[\$\$ARRAY['public']\$\$]),
 ('dbchange._submit_as_rollback(bigint,text,text,text)', ARRAY[\$\$sweep.id('A')\$\$, \$\$'DROP TABLE public.t1'\$\$, \$\$'d'\$\$, \$\$'CREATE TABLE public.t1 (id int)'\$\$]),
 ('dbchange._submit_rollback_facts(text,text)', ARRAY[\$\$'CREATE TABLE public.v1 (id int)'\$\$, \$\$'DROP TABLE public.v1'\$\$]),
 ('dbchange._verify_rows(jsonb)', ARRAY[\$\$'{}'\$\$]),
 ('dbchange._verify_script(text,text,text)', ARRAY[\$\$'CREATE TABLE public.v1 (id int)'\$\$, \$\$'DROP TABLE public.v1'\$\$, \$\$'public'\$\$]),
 ('dbchange._jsonb_write_check(jsonb)', ARRAY[\$\$'{}'\$\$]),
 ('dbchange._sha256_paths(text)', ARRAY[\$\$'x'\$\$]),
 ('dbchange._shown(text)', ARRAY[\$\$'x'\$\$]),
 ('dbchange._tests_passed(jsonb)', ARRAY[\$\$'{}'\$\$]);
-- functions without arguments: called once per role
INSERT INTO sweep.base SELECT p.oid::regprocedure, '{}' FROM pg_proc p
 WHERE p.pronamespace = 'dbchange'::regnamespace AND p.pronargs = 0
   AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
   AND (p.proname !~ '^_' OR has_function_privilege('public', p.oid, 'execute'));

CREATE VIEW sweep.cases AS
  SELECT b.sig, i AS argno, bd.expr, r.role,
         format('SELECT * FROM %s(%s)', p.oid::regproc::text, array_to_string(
           (SELECT array_agg(CASE WHEN j = i THEN bd.expr ELSE b.args[j] END ORDER BY j)
              FROM generate_subscripts(b.args, 1) j), ', ')) AS call
    FROM sweep.base b JOIN pg_proc p ON p.oid = b.sig
    CROSS JOIN LATERAL generate_subscripts(b.args, 1) i
    JOIN sweep.bad bd ON bd.typ = format_type(p.proargtypes[i - 1], NULL)
    CROSS JOIN (VALUES (NULL::text), ('$DEV')) r(role)
  UNION ALL
  SELECT b.sig, 0, NULL, r.role, format('SELECT * FROM %s()', p.oid::regproc::text)
    FROM sweep.base b JOIN pg_proc p ON p.oid = b.sig CROSS JOIN (VALUES (NULL::text), ('$DEV')) r(role)
   WHERE p.pronargs = 0;
RESET dbchange.enforce;
SQL

# ---- what the API accepts by design ----------------------------------------
# (function, argument number, bad value) that is not refused: argno 0 = the
# call without arguments, expr NULL = any value of the sweep for that argument.
# The superuser's calls; a developer's are refused more often (privileges).
q -v ON_ERROR_STOP=1 -f - <<'SQL' >/dev/null || { not_ok "the accept list does not load"; dbc_summary; exit 1; }
SET dbchange.enforce = off;
CREATE TABLE sweep.accept (fn regprocedure, argno int, expr text);
INSERT INTO sweep.accept VALUES
 -- read-only functions: a script that is empty or not SQL has no statements / no facts
 ('dbchange.classify(text)', 1, NULL),
 ('dbchange.classify_mysql(text,text)', 1, NULL), ('dbchange.classify_mysql(text,text)', 2, NULL),
 ('dbchange.evaluate_facts(jsonb,text)', 2, NULL),
 ('dbchange.evaluate_mysql(text,text,text)', 2, NULL),
 ('dbchange.evaluate(text,text,text)', 2, NULL),
 ('dbchange.evaluate(text,text,text)', 1, $$'   '$$), ('dbchange.evaluate(text,text,text)', 1, $$''$$),
 ('dbchange.evaluate(text,text,text)', 3, 'NULL'), ('dbchange.evaluate_mysql(text,text,text)', 3, 'NULL'),
 -- MySQL's grammar is not parsed in full: an unknown word is an unknown command
 ('dbchange.evaluate_mysql(text,text,text)', 1, $$'maybe'$$), ('dbchange.evaluate_mysql(text,text,text)', 1, $$'no_such_xyz'$$),
 ('dbchange.evaluate_mysql(text,text,text)', 1, $$repeat('x', 200000)$$),
 -- a facts document built elsewhere: any object
 ('dbchange.evaluate_facts(jsonb,text)', 1, $$'{}'$$), ('dbchange.evaluate_facts(jsonb,text)', 1, $$'{"x": [1, {"y": null}]}'$$),
 ('dbchange.explain_down(text)', 1, NULL), ('dbchange.generate_down(text)', 1, NULL),
 ('dbchange.snapshot_hash(jsonb)', 1, NULL),
 ('dbchange.snapshot_diff(jsonb,jsonb,text)', 1, $$'{}'$$), ('dbchange.snapshot_diff(jsonb,jsonb,text)', 2, $$'{}'$$),
 ('dbchange.snapshot_diff(jsonb,jsonb,text)', 1, $$'{"x": [1, {"y": null}]}'$$),
 ('dbchange.snapshot_diff(jsonb,jsonb,text)', 2, $$'{"x": [1, {"y": null}]}'$$),
 -- NULL is "all schemas"; an empty list is no schema; unknown ones are refused
 ('dbchange.schema_snapshot(text[])', 1, 'NULL'), ('dbchange.schema_snapshot(text[])', 1, $$'{}'$$),
 ('dbchange.verify_rollback_script(text,text)', 2, NULL),
 ('dbchange.rollback_facts(text,text)', 2, NULL),
 ('dbchange.verify_rollback_script(text,text)', 1, $$'   '$$), ('dbchange.verify_rollback_script(text,text)', 1, $$''$$),
 ('dbchange.rollback_facts(text,text)', 1, $$'   '$$), ('dbchange.rollback_facts(text,text)', 1, $$''$$),
 -- configure(): NULL keeps a setting; any well-formed environment name is one
 ('dbchange.configure(text,text,text)', 1, 'NULL'), ('dbchange.configure(text,text,text)', 2, 'NULL'),
 ('dbchange.configure(text,text,text)', 3, 'NULL'),
 ('dbchange.configure(text,text,text)', 1, $$'maybe'$$), ('dbchange.configure(text,text,text)', 1, $$'no_such_xyz'$$),
 -- names of new policies and flows; steps NULL removes a flow (documented)
 ('dbchange.set_policy(text,text)', 1, $$'maybe'$$), ('dbchange.set_policy(text,text)', 1, $$'no_such_xyz'$$),
 ('dbchange.test_policy(text,text)', 2, NULL),
 ('dbchange.define_flow(text,text[])', 1, $$'maybe'$$), ('dbchange.define_flow(text,text[])', 1, $$'no_such_xyz'$$),
 ('dbchange.define_flow(text,text[])', 2, 'NULL'), ('dbchange.set_flow(text,text[])', 2, 'NULL'),
 -- the comment of an approval and the reason of a rejection are free text
 ('dbchange.reject(bigint,text)', 2, $$'maybe'$$), ('dbchange.reject(bigint,text)', 2, $$'no_such_xyz'$$),
 ('dbchange.reject(bigint,text)', 2, $$'we"ird; DROP TABLE x;--é'$$), ('dbchange.reject(bigint,text)', 2, $$repeat('x', 200000)$$),
 -- submit(): description and down script are optional free text; source NULL is the default;
 -- a uid is any uuid
 ('dbchange.submit(text,text,text,text,uuid)', 2, NULL), ('dbchange.submit(text,text,text,text,uuid)', 3, 'NULL'),
 ('dbchange.submit(text,text,text,text,uuid)', 3, $$''$$), ('dbchange.submit(text,text,text,text,uuid)', 3, $$'   '$$),
 ('dbchange.submit(text,text,text,text,uuid)', 4, 'NULL'), ('dbchange.submit(text,text,text,text,uuid)', 5, NULL),
 ('dbchange.submit_promoted(text,uuid,text,text,text,text,jsonb)', 4, NULL),
 ('dbchange.submit_promoted(text,uuid,text,text,text,text,jsonb)', 5, 'NULL'),
 ('dbchange.submit_promoted(text,uuid,text,text,text,text,jsonb)', 5, $$''$$),
 ('dbchange.submit_promoted(text,uuid,text,text,text,text,jsonb)', 5, $$'   '$$),
 ('dbchange.submit_promoted(text,uuid,text,text,text,text,jsonb)', 6, NULL),
 ('dbchange.submit_promoted(text,uuid,text,text,text,text,jsonb)', 7, NULL),
 ('dbchange.submit_promoted(text,uuid,text,text,text,text,jsonb)', 2, $$'00000000-0000-0000-0000-000000000000'$$),
 ('dbchange.submit_mysql(text,text,text,uuid,text,text,jsonb)', 1, $$'maybe'$$),
 ('dbchange.submit_mysql(text,text,text,uuid,text,text,jsonb)', 1, $$'no_such_xyz'$$),
 ('dbchange.submit_mysql(text,text,text,uuid,text,text,jsonb)', 1, $$repeat('x', 200000)$$),
 ('dbchange.submit_mysql(text,text,text,uuid,text,text,jsonb)', 2, 'NULL'),
 ('dbchange.submit_mysql(text,text,text,uuid,text,text,jsonb)', 2, $$'maybe'$$),
 ('dbchange.submit_mysql(text,text,text,uuid,text,text,jsonb)', 2, $$'no_such_xyz'$$),
 ('dbchange.submit_mysql(text,text,text,uuid,text,text,jsonb)', 2, $$'we"ird; DROP TABLE x;--é'$$),
 ('dbchange.submit_mysql(text,text,text,uuid,text,text,jsonb)', 3, NULL),
 ('dbchange.submit_mysql(text,text,text,uuid,text,text,jsonb)', 4, NULL),
 ('dbchange.submit_mysql(text,text,text,uuid,text,text,jsonb)', 5, 'NULL'),
 ('dbchange.submit_mysql(text,text,text,uuid,text,text,jsonb)', 6, 'NULL'),
 ('dbchange.submit_mysql(text,text,text,uuid,text,text,jsonb)', 7, 'NULL'),
 -- verify_audit(pos, hash): a position past the head or another hash is an answer (0 / the entry)
 ('dbchange.verify_audit(bigint,text)', 1, '999999999'), ('dbchange.verify_audit(bigint,text)', 1, '9223372036854775807'),
 ('dbchange.verify_audit(bigint,text)', 2, NULL),
 ('dbchange.metrics(timestamp with time zone,timestamp with time zone)', 1, 'NULL'),
 ('dbchange.metrics(timestamp with time zone,timestamp with time zone)', 2, 'NULL'),
 -- restore points: any environment names (a list for environments to come)
 ('dbchange.set_restore_points(text,text[])', 2, 'NULL'), ('dbchange.set_restore_points(text,text[])', 2, $$'{no_such_xyz}'$$),
 ('dbchange.set_restore_points(text,text[])', 2, $$array_fill('x'::text, ARRAY[5000])$$),
 -- the target database of mysql_changes() is a filter
 ('dbchange.mysql_changes(text)', 1, NULL),
 ('dbchange.mysql_deploy_start(bigint,text,integer,text)', 3, 'NULL'), ('dbchange.mysql_deploy_start(bigint,text,integer,text)', 3, '2147483647'),
 ('dbchange.mysql_deploy_start(bigint,text,integer,text)', 4, NULL),
 ('dbchange.mysql_deploy_finish(bigint,text,integer,integer,text,text,jsonb)', 3, '2147483647'),
 ('dbchange.mysql_deploy_finish(bigint,text,integer,integer,text,text,jsonb)', 4, NULL),
 ('dbchange.mysql_deploy_finish(bigint,text,integer,integer,text,text,jsonb)', 5, NULL),
 ('dbchange.mysql_deploy_finish(bigint,text,integer,integer,text,text,jsonb)', 6, NULL),
 ('dbchange.mysql_deploy_finish(bigint,text,integer,integer,text,text,jsonb)', 7, NULL),
 ('dbchange.mysql_mark_applied(bigint,text,jsonb,text)', 3, NULL), ('dbchange.mysql_mark_applied(bigint,text,jsonb,text)', 4, NULL),
 ('dbchange.mysql_deploy_snapshot(bigint,jsonb)', 2, $$'{}'$$),
 ('dbchange.mysql_deploy_snapshot(bigint,jsonb)', 2, $$'{"x": [1, {"y": null}]}'$$),
 ('dbchange.mysql_drift(text,jsonb)', 2, $$'{}'$$), ('dbchange.mysql_drift(text,jsonb)', 2, $$'{"x": [1, {"y": null}]}'$$),
 ('dbchange.set_drift_snapshots(text)', 0, NULL);
-- functions without arguments, and the PUBLIC helpers (internal: swept for
-- internal errors, refusals that change nothing, and style only)
INSERT INTO sweep.accept SELECT sig, 0, NULL FROM sweep.base WHERE args = '{}';
INSERT INTO sweep.accept SELECT sig, NULL, NULL FROM sweep.base WHERE sig::text ~ '^dbchange\._';
RESET dbchange.enforce;
SQL

# ---- the sweep ---------------------------------------------------------------
start=$(date +%s)
q -v ON_ERROR_STOP=1 -f - <<'SQL' >/dev/null || not_ok "the sweep did not run to its end"
DO $$
DECLARE c record; s0 jsonb; s1 jsonb; t record; ch text;
BEGIN
  FOR c IN SELECT * FROM sweep.cases ORDER BY sig::text, role NULLS FIRST, argno, expr LOOP
    s0 := sweep.snap();
    COMMIT;
    SELECT * INTO t FROM sweep.try(c.role, c.call);
    COMMIT;
    s1 := sweep.snap();
    SELECT string_agg(k, ',' ORDER BY k) INTO ch FROM jsonb_each_text(s0) e(k, v) WHERE s1->>k IS DISTINCT FROM v;
    INSERT INTO sweep.result (fn, argno, expr, role, call, ok, st, msg, detail, hint, res, changed)
    VALUES (c.sig::text, c.argno, c.expr, coalesce(c.role, 'superuser'), left(c.call, 300), t.ok, t.st,
            t.msg, t.detail, t.hint, t.res, ch);
    COMMIT;
  END LOOP;
END $$;
SQL
echo "# $(q -c "SELECT count(*) FROM sweep.result") calls in $(($(date +%s) - start)) s"
check "the server is still up" "1" "$(q -c "SELECT 1")"
check "every function a user may call is swept" "" "$(q -c "SELECT string_agg(p.oid::regprocedure::text, ', ')
  FROM pg_proc p WHERE p.pronamespace = 'dbchange'::regnamespace
   AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
   AND (p.proname !~ '^_' OR has_function_privilege('public', p.oid, 'execute'))
   AND p.oid NOT IN (SELECT sig FROM sweep.base)")"

# one record per function: fn, internal errors, bad refusals, bad input accepted, style
# (what the check lists, when it fails, is the offending calls)
cut300() { sed 's/xxxxxxxxxx*/x.../g'; }
nfn=0
while IFS=$'\x1f' read -r fn xx refusal accepted style; do
	nfn=$((nfn + 1))
	check "$fn: no internal error" "" "$xx"
	check "$fn: refusals have a message and change nothing" "" "$refusal"
	check "$fn: bad input is refused" "" "$accepted"
	check "$fn: messages in PostgreSQL's style" "" "$style"
done < <(q -F $'\x1f' -c "
SELECT r.fn,
  coalesce(string_agg(r.call || ' -> ' || r.st || ' ' || left(r.msg, 200), ' | ') FILTER (WHERE r.st LIKE 'XX%'), ''),
  coalesce(string_agg(r.call || ' -> ' || coalesce(r.st, '?') || ' ' || left(coalesce(r.msg, ''), 200) || ' changed ' || coalesce(r.changed, 'nothing'), ' | ')
           FILTER (WHERE NOT r.ok AND (r.st IS NULL OR coalesce(r.msg, '') = '' OR r.changed IS NOT NULL)), ''),
  coalesce(string_agg(r.role || ': ' || r.call || ' -> ' || coalesce(r.res, 'NULL'), ' | ')
           FILTER (WHERE r.ok AND NOT EXISTS (SELECT 1 FROM sweep.accept a WHERE a.fn::text = r.fn
                     AND (a.argno IS NULL OR (a.argno = r.argno AND (a.expr IS NULL OR a.expr = r.expr))))), ''),
  coalesce(string_agg(r.call || ' -> ' || left(r.msg, 200) || ' / ' || left(coalesce(r.detail, ''), 200) || ' / ' || coalesce(r.hint, ''), ' | ')
           FILTER (WHERE NOT r.ok AND r.st <> '42883' AND (
             (r.msg ~ '^[A-Z][a-z]' AND r.msg !~ '^(MySQL|Lua|DDL|SQL)') OR r.msg ~ '\.$'
             OR (coalesce(r.detail, '') <> '' AND (r.detail !~ '^[A-Z0-9\"(]' OR r.detail !~ '[.?!)]$'))
             OR (coalesce(r.hint, '') <> '' AND (r.hint !~ '^[A-Z0-9\"(]' OR r.hint !~ '[.;?!)]$'))
             OR r.msg ~* 'cache lookup|dbc_[a-z]|\.c:|SPI_|not assigned yet')), '') || chr(30)
  FROM sweep.result r GROUP BY r.fn ORDER BY r.fn" | tr '\n' ' ' | sed 's/\x1e */\n/g' | cut300)
check "every swept function was judged" "$(q -c "SELECT count(*) FROM sweep.base")" "$nfn"

# ---- what the first sweep found, one by one ------------------------------------
# r FN ARGNO EXPR: SQLSTATE and message of the superuser's call with that bad value
r() { q -c "SELECT coalesce(st, 'accepted') || ' ' || coalesce(msg, res, '') FROM sweep.result
             WHERE fn = '$1' AND argno = $2 AND expr = \$e\$$3\$e\$ AND role = 'superuser'"; }
check "_checksum() is declared (apply(), the gate's record and submit with a uid call it)" \
	"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881" "$(q -c "SELECT dbchange._checksum('x')")"
check "_submit_as_rollback(NULL, ...): a NULL error, not an internal one" \
	"22004 the change to roll back and the rollback script must not be null" \
	"$(r 'dbchange._submit_as_rollback(bigint,text,text,text)' 1 NULL)"
check_match "submit_promoted() with a checksum that does not match: 22023, not XX001" \
	"^22023 the checksum does not match the script" \
	"$(r 'dbchange.submit_promoted(text,uuid,text,text,text,text,jsonb)' 3 "'no_such_xyz'")"
check "_down_of(NULL): 22004" "22004 the change must not be null" "$(r 'dbchange._down_of(dbchange.change)' 1 NULL)"
check_match "_down_of() of a change whose statements cannot be read says why (not 'record r is not assigned yet')" \
	"has no down script and none can be generated / Its statements could not be read: [a-z]" \
	"$(q -c "DO \$\$ BEGIN PERFORM dbchange._down_of(jsonb_populate_record(c, jsonb_build_object('down_script', NULL, 'statement', 'CREATE TABLE t9 (id int)', 'search_path', 'we\"ird')))
	  FROM dbchange.change c WHERE id = sweep.id('A'); END \$\$" 2>&1 | sed -n 's/^ERROR: *//p; s/^DETAIL: */\/ /p' | tr '\n' ' ')"
check "metrics(NULL, NULL) is metrics() (NULL is the default bound), not no rows" \
	"$(q -c "SELECT environment, deployments FROM dbchange.metrics()")" \
	"$(q -c "SELECT environment, deployments FROM dbchange.metrics(NULL, NULL)")"
check_match "metrics('-infinity', now()): 22023 with a hint" "^22023 invalid metrics window" \
	"$(r 'dbchange.metrics(timestamp with time zone,timestamp with time zone)' 1 "'-infinity'")"
check_match "metrics(now(), now()): an empty window is refused (it was a division by zero)" "^ERROR:  invalid metrics window" \
	"$(q -c "SELECT * FROM dbchange.metrics(now(), now())")"
check "mysql_mark_applied(-1): the change does not exist (not 'is not a MySQL change')" \
	"P0002 change -1 does not exist" "$(r 'dbchange.mysql_mark_applied(bigint,text,jsonb,text)' 1 -1)"
check "mysql_mark_applied(NULL): 22004" "22004 change id must not be null" \
	"$(r 'dbchange.mysql_mark_applied(bigint,text,jsonb,text)' 1 NULL)"
check "mysql_deploy_start(-1): P0002 like every unknown change" "P0002 change -1 does not exist" \
	"$(r 'dbchange.mysql_deploy_start(bigint,text,integer,text)' 1 -1)"
check "mysql_deploy_start(statements -1): refused" "22023 invalid statement count -1" \
	"$(r 'dbchange.mysql_deploy_start(bigint,text,integer,text)' 3 -1)"
check "mysql_deploy_finish(status NULL): 22023 (it was a not-null violation of the deployment table)" \
	'22023 invalid deployment status "<NULL>"' \
	"$(r 'dbchange.mysql_deploy_finish(bigint,text,integer,integer,text,text,jsonb)' 2 NULL)"
check "mysql_deploy_finish(statements done NULL): 22023 (it was a not-null violation)" \
	'22023 invalid statement count "<NULL>"' \
	"$(r 'dbchange.mysql_deploy_finish(bigint,text,integer,integer,text,text,jsonb)' 3 NULL)"
check "mysql_deploy_finish(NULL): 22004" "22004 deployment id must not be null" \
	"$(r 'dbchange.mysql_deploy_finish(bigint,text,integer,integer,text,text,jsonb)' 1 NULL)"
check "mysql_drift(target, NULL): refused (it reported every object missing)" \
	"22023 a schema snapshot is a JSON object" "$(r 'dbchange.mysql_drift(text,jsonb)' 2 NULL)"
check_match "submit_mysql(target '   '): MySQL has no database name ending with a space" \
	'^22023 invalid MySQL target database name "   "' "$(r 'dbchange.submit_mysql(text,text,text,uuid,text,text,jsonb)' 2 "'   '")"
check_match "evaluate_mysql(source 'maybe'): refused as submit_mysql() refuses it" \
	'^22023 invalid source "maybe" for a MySQL change' "$(r 'dbchange.evaluate_mysql(text,text,text)' 3 "'maybe'")"
check "enable_policy(NULL): 22004 (not 'policy \"<NULL>\" does not exist')" "22004 policy name must not be null" \
	"$(r 'dbchange.enable_policy(text)' 1 NULL)"
check "verify_rollback(-1): P0002, an error class (02000 is a warning's)" "P0002 change -1 does not exist" \
	"$(r 'dbchange.verify_rollback(bigint)' 1 -1)"

dbc_psql "$P" postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $DEV" >/dev/null
dbc_summary
