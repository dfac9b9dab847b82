-- The gate builds a statement's facts in two parts (facts.c): the statement
-- facts an approved change stores, and the rest of the context, made only
-- for a policy's decision or a refused statement's record.  Whatever the
-- path, a policy sees the same document evaluate() shows, and the views
-- give the stored facts back with the change's own context.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_gate_facts_parts;
CREATE DATABASE regress_gate_facts_parts;
\c regress_gate_facts_parts
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
RESET client_min_messages;
\set VERBOSITY terse
\set SHOW_CONTEXT never
CREATE ROLE regress_parts_dev LOGIN;
GRANT CREATE ON SCHEMA public TO regress_parts_dev;

-- A policy that lists every field of the change it is given (non-null ones:
-- Lua has no nulls), for sequences; queues those named q_*.
SELECT dbchange.set_policy('field_lister', $lua$
local M = { name = "field_lister", description = "names the fields a policy sees" }
function M.check(change)
  if change.command ~= "CREATE SEQUENCE" then return end
  local keys = {}
  for k in pairs(change) do keys[#keys + 1] = k end
  table.sort(keys)
  local action = change.name:sub(1, 2) == "q_" and "queue" or "approve"
  return { action = action, reason = table.concat(keys, ",") }
end
M.tests = { { sql = "CREATE SEQUENCE s", expect = "approve" } }
return M
$lua$) IS NOT NULL AS policy_set;

-- what evaluate() says a policy sees: the whole document's non-null keys
CREATE FUNCTION seen_keys(sql text) RETURNS text LANGUAGE sql AS $$
  SELECT 'field_lister: ' || string_agg(k, ',' ORDER BY k COLLATE "C")
    FROM dbchange.evaluate(sql) e, jsonb_each(e.facts) AS j(k, v)
   WHERE jsonb_typeof(v) <> 'null'
$$;

SET application_name = 'parts_app';
CREATE SEQUENCE s1;
-- the gate's policy saw exactly the fields evaluate() shows
SELECT c.reasons[1] = seen_keys('CREATE SEQUENCE s1x') AS same_fields_as_evaluate,
       c.reasons[1] LIKE '%,roles,%' AND c.reasons[1] LIKE '%,statement,%'
         AND c.reasons[1] LIKE '%,time,%' AND c.reasons[1] LIKE '%,session_user,%' AS context_included
  FROM dbchange.change c WHERE c.statement = 'CREATE SEQUENCE s1';

-- stored: the statement facts only (no text, environment, roles or clock) ...
SELECT facts ? 'statement' AS has_statement, facts ? 'environment' AS has_environment,
       facts ? 'roles' AS has_roles, facts ? 'time' AS has_time,
       facts->>'session_user' AS session_user, facts->>'command' AS command,
       facts->>'in_transaction_block' AS in_block
  FROM dbchange.change WHERE statement = 'CREATE SEQUENCE s1';
-- ... and the view adds the change's context back under the facts' names
SELECT s.facts->>'statement' AS statement, s.facts->>'environment' AS environment,
       s.facts->>'user' AS "user", s.facts->>'application_name' AS application_name,
       s.facts->>'source' AS source, s.facts->>'dialect' AS dialect,
       s.facts->>'database' = current_database() AS database_ok,
       abs((s.facts->>'epoch')::bigint - extract(epoch FROM c.created_at)) < 2 AS epoch_ok
  FROM dbchange.change_statement s JOIN dbchange.change c ON c.id = s.change_id
 WHERE c.statement = 'CREATE SEQUENCE s1';
-- the whole document but for the roles and the clock's breakdown
SELECT array_agg(k ORDER BY k) AS missing_from_view
  FROM jsonb_object_keys((SELECT facts FROM dbchange.evaluate('CREATE SEQUENCE s1x'))) k
 WHERE NOT (SELECT s.facts FROM dbchange.change_statement s JOIN dbchange.change c ON c.id = s.change_id
             WHERE c.statement = 'CREATE SEQUENCE s1') ? k;

-- after SET ROLE the stored facts still name the login (session_user)
SET ROLE regress_parts_dev;
CREATE SEQUENCE s2;
RESET ROLE;
SELECT requested_by, facts->>'session_user' AS session_user
  FROM dbchange.change WHERE statement = 'CREATE SEQUENCE s2';

-- a queued statement's record keeps the whole document, as the policy saw it
BEGIN;
CREATE SEQUENCE q_s3;
ROLLBACK;
SELECT s.action, s.facts->>'statement' AS statement, s.facts->>'application_name' AS application_name,
       s.facts ? 'roles' AS has_roles, s.facts ? 'time' AS has_time,
       s.reasons[1] = seen_keys('CREATE SEQUENCE q_s3') AS same_fields_as_evaluate
  FROM dbchange.change_statement s JOIN dbchange.change c ON c.id = s.change_id
 WHERE c.statement = 'CREATE SEQUENCE q_s3';

-- without an enabled policy nothing but the statement facts is built, and
-- the record is the same
SELECT dbchange.disable_policy('field_lister');
CREATE SEQUENCE s4;
SELECT (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(a.facts) k)
       = (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(b.facts) k) AS same_stored_keys
  FROM dbchange.change a, dbchange.change b
 WHERE a.statement = 'CREATE SEQUENCE s1' AND b.statement = 'CREATE SEQUENCE s4';

-- the context is kept between statements (facts.c, dbc_gate_context) but
-- never stale: a new application_name, a role granted, another environment
-- are seen by the very next statement
SELECT dbchange.set_policy('context_echo', $lua$
local M = { name = "context_echo", description = "repeats context facts" }
function M.check(change)
  if change.command ~= "CREATE SEQUENCE" or change.name:sub(1, 4) ~= "echo" then return end
  return { action = "approve", reason = change.application_name .. "|" .. table.concat(change.roles, ",")
                                        .. "|" .. change.environment .. "|" .. change.time.timezone }
end
M.tests = { { sql = "CREATE SEQUENCE echo", expect = "approve" } }
return M
$lua$) IS NOT NULL AS policy_set;
SET ROLE regress_parts_dev;
SET application_name = 'first';
CREATE SEQUENCE echo1;
SET application_name = 'second';
CREATE SEQUENCE echo2;
RESET ROLE;
GRANT dbchange_approver TO regress_parts_dev;
SET ROLE regress_parts_dev;
CREATE SEQUENCE echo3;
RESET ROLE;
SELECT dbchange.configure(environment => 'test') IS NOT NULL AS configured;
SET ROLE regress_parts_dev;
CREATE SEQUENCE echo4;
RESET ROLE;
SELECT statement, reasons[1] FROM dbchange.change WHERE statement LIKE 'CREATE SEQUENCE echo%' ORDER BY id;
REVOKE dbchange_approver FROM regress_parts_dev;

-- nested lists: the gate's tree reads them only when a policy opens them
-- (policy_lua.c, fact_ready), evaluate()'s reads the whole document; a policy
-- that walks every nested field sees the same in both, and the fields the
-- gate makes up front (hot_fields) are the document's too
SELECT dbchange.disable_policy('context_echo');
SELECT dbchange.set_policy('nested_dump', $lua$
local M = { name = "nested_dump", description = "writes out nested facts" }
local function dump(v, out)
  if type(v) ~= "table" then out[#out + 1] = tostring(v); return end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  out[#out + 1] = "{"
  for _, k in ipairs(keys) do out[#out + 1] = tostring(k) .. "="; dump(v[k], out); out[#out + 1] = ";" end
  out[#out + 1] = "}"
end
function M.check(change)
  if change.command ~= "ALTER TABLE" then return end
  local out = { change.table, tostring(change.single_object), tostring(#change.objects),
                change.objects[1].identity, tostring(change.subcommands[1].column.not_null) }
  dump({ subcommands = change.subcommands, columns = change.columns, objects = change.objects,
         constraints = change.constraints, operations = change.operations, command = change.command,
         identity = change.identity, schema = change.schema, name = change.name,
         concurrently = change.concurrently, nontransactional = change.nontransactional }, out)
  return { action = "approve", reason = table.concat(out, " ") }
end
M.tests = { { sql = "ALTER TABLE t ADD COLUMN c int", expect = "approve" } }
return M
$lua$) IS NOT NULL AS policy_set;
CREATE TABLE nested_t (id int PRIMARY KEY);
CREATE TEMP TABLE nested_expect AS
  SELECT reasons[1] AS reason FROM dbchange.evaluate(
    'ALTER TABLE nested_t ADD COLUMN note text NOT NULL DEFAULT ''x'' CHECK (note <> ''''), ADD COLUMN n int');
ALTER TABLE nested_t ADD COLUMN note text NOT NULL DEFAULT 'x' CHECK (note <> ''), ADD COLUMN n int;
SELECT c.reasons[1] = e.reason AS gate_sees_what_evaluate_sees, length(e.reason) > 500 AS walked_deep,
       e.reason LIKE 'nested_dump: public.nested_t true 1 public.nested_t true %' AS heads
  FROM dbchange.change c, nested_expect e WHERE c.statement LIKE 'ALTER TABLE nested_t%';

RESET application_name;
\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_gate_facts_parts;
DROP ROLE regress_parts_dev;
