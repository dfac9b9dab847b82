-- Lua policies: set_policy, the gate, evaluate(), refusals, permissions.
CREATE DATABASE regress_policy_basic;
\c regress_policy_basic
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
RESET client_min_messages;
\set VERBOSITY terse
\set SHOW_CONTEXT never

-- A custom policy: DROP TABLE is queued in prod, approved elsewhere.
SELECT dbchange.set_policy('no_drop_in_prod', $lua$
local M = { name = "no_drop_in_prod", description = "DROP TABLE in prod waits for a DBA" }
function M.check(change)
  if change.command ~= "DROP TABLE" then return end
  if change.environment == "prod" then
    return { action = "queue", risk = "high", reason = "dropping a table in production" }
  end
  return { action = "approve", risk = "low", reason = "drop outside production" }
end
M.tests = {
  { sql = "DROP TABLE t", environment = "prod", expect = "queue", risk = "high" },
  { sql = "DROP TABLE t", environment = "dev", expect = "approve" },
  { sql = "CREATE TABLE t (id int)", environment = "prod", expect = "none" },
}
return M
$lua$);
SELECT name, description, enabled, length(checksum) FROM dbchange.policies;

-- Through the real gate: in dev the DROP runs, in prod it is queued (ZC001).
CREATE TABLE keep_me (id int);
CREATE TABLE drop_me (id int);
DROP TABLE drop_me;
SELECT to_regclass('drop_me') IS NULL AS dropped_in_dev;
SELECT value FROM dbchange.configure(environment => 'prod') WHERE key = 'environment';
\set VERBOSITY default
DROP TABLE keep_me;
\set VERBOSITY terse
SELECT to_regclass('keep_me') IS NOT NULL AS still_there;
SELECT status, command, risk, reasons FROM dbchange.changes WHERE statement = 'DROP TABLE keep_me';
-- no policy has an opinion on CREATE TABLE: default action (approve)
CREATE TABLE new_in_prod (id int);
SELECT status, reasons FROM dbchange.changes WHERE statement = 'CREATE TABLE new_in_prod (id int)';

-- evaluate(): one row per statement, nothing executed, missing objects fine.
SELECT statement_no, statement, command, action, risk, reasons, policies
  FROM dbchange.evaluate($$CREATE TABLE ev1 (id int); DROP TABLE keep_me;
DROP TABLE no_such_table; ALTER TABLE keep_me ADD COLUMN x int$$);
SELECT to_regclass('ev1') IS NULL AS not_created, to_regclass('keep_me') IS NOT NULL AS not_dropped;
SELECT count(*) AS changes_recorded_by_evaluate FROM dbchange.changes WHERE statement LIKE '%ev1%';
-- utility statements are classified and judged too
SELECT statement_no, command, action, reasons[1] LIKE 'default:%' AS judged FROM dbchange.evaluate($$VACUUM FULL keep_me; CLUSTER keep_me;
REINDEX TABLE keep_me; TRUNCATE keep_me; DROP DATABASE nope; ALTER SYSTEM SET work_mem = '1MB';
VACUUM keep_me$$);
-- another environment, and statements the gate does not check
SELECT statement_no, action, risk, reasons FROM dbchange.evaluate('DROP TABLE keep_me; SELECT 1', 'dev');
-- the time facts
SELECT facts->'time'->>'timezone' AS tz, facts->'time' ? 'weekday' AS has_weekday,
       (facts->'time'->>'hour')::int BETWEEN 0 AND 23 AS hour_ok
  FROM dbchange.evaluate('DROP TABLE keep_me');
-- syntax error names the statement and line
SELECT * FROM dbchange.evaluate($$CREATE TABLE a (id int);
CREATE TABLE b (id int);
CREATE TABLEE c (id int);$$);
-- so does an error the grammar raises with another SQLSTATE, with the cursor in the script
\set VERBOSITY default
SELECT * FROM dbchange.evaluate($$CREATE TABLE a (id int);
CREATE TABLE b (f float(0));$$);
-- submit(): the cursor of a syntax error points into the script, not into the call
SELECT dbchange.submit($$CREATE TABLE a (id int);
CREATE TABLEE b (id int);$$);
\set VERBOSITY terse
SELECT * FROM dbchange.evaluate('DROP TABLE x', 'Prod!');
SELECT * FROM dbchange.evaluate('DROP TABLE x', 'prod', 'sneaky');
-- evaluate_facts: a facts document from elsewhere (e.g. MySQL)
SELECT action, risk, reasons, facts->>'dialect' AS dialect, facts ? 'user' AS has_context
  FROM dbchange.evaluate_facts('{"command": "DROP TABLE", "dialect": "mysql", "statement": "DROP TABLE t"}');
SELECT action FROM dbchange.evaluate_facts('{"command": "DROP TABLE"}', 'dev');
SELECT * FROM dbchange.evaluate_facts('[1,2]');

-- test_policies(): one row per test
SELECT policy, test_no, statement, environment, expected, actual, passed FROM dbchange.test_policies();

-- Refusals: nothing changes.
SELECT dbchange.set_policy('broken', 'return {');
SELECT dbchange.set_policy('broken', 'return 42');
SELECT dbchange.set_policy('broken', $$return { description = "d", check = function() end, tests = {{sql = "DROP TABLE t", expect = "none"}} }$$);
SELECT dbchange.set_policy('broken', $$return { name = "broken", description = "d", check = "no", tests = {} }$$);
SELECT dbchange.set_policy('broken', $$return { name = "broken", description = "d", check = function() end, tests = {} }$$);
SELECT dbchange.set_policy('broken', $$return { name = "broken", check = function() end, tests = {{sql = "DROP TABLE t", expect = "none"}} }$$);
SELECT dbchange.set_policy('broken', $$return { name = "broken", description = "d", check = function() end,
  tests = {{sql = "DROP TABLE t", expect = "none"}, {sql = "DROP TABLE t", expect = "queue"}} }$$);
SELECT dbchange.set_policy('broken', $$return { name = "broken", description = "d", check = function() end,
  tests = {{sql = "DROP TABLEE t", expect = "none"}} }$$);
SELECT dbchange.set_policy('broken', $$return { name = "broken", description = "d", check = function() end,
  tests = {{sql = "DROP TABLE t", expect = "maybe"}} }$$);
-- a misspelt field would leave the test running in the database's own
-- environment, testing something else than its author meant: refused
SELECT dbchange.set_policy('broken', $$return { name = "broken", description = "d", check = function() end,
  tests = {{sql = "DROP TABLE t", enviroment = "prod", expect = "none"}} }$$);
SELECT dbchange.set_policy('broken', $$return { name = "broken", description = "d", check = function() end,
  tests = {{sql = "DROP TABLE t", environment = "PROD", expect = "none"}} }$$);
SELECT dbchange.set_policy('broken', $$return { name = "broken", description = "d", check = function() end,
  tests = {{"DROP TABLE t", expect = "none"}} }$$);
SELECT dbchange.set_policy('broken', $$return { name = "broken", description = "d",
  check = function(c) return { action = "queue", risk = "severe" } end,
  tests = {{sql = "DROP TABLE t", expect = "queue"}} }$$);
SELECT dbchange.set_policy('Bad Name', 'return {}');
SELECT dbchange.set_policy('broken', NULL);
SELECT count(*) AS policies FROM dbchange.policy;

-- A failing test names the test and why, in full:
\set VERBOSITY default
SELECT dbchange.set_policy('broken', $$return { name = "broken", description = "d",
  check = function(c) if c.command == "DROP TABLE" then return { action = "approve", risk = "low", reason = "fine" } end end,
  tests = {{sql = "CREATE TABLE t ()", expect = "none"}, {name = "drops wait", sql = "DROP TABLE t", environment = "prod", expect = "queue"}} }$$);
\set VERBOSITY terse

-- Test facts overrides: size thresholds, time windows.
SELECT dbchange.set_policy('big_tables', $lua$
local LIMIT = 1000000
return {
  name = "big_tables",
  description = "ALTER TABLE on big tables waits; nothing at night",
  check = function(change)
    if change.command ~= "ALTER TABLE" then return end
    if change.time.hour < 6 then
      return { action = "reject", risk = "critical", reason = "no changes at night", flow = "night" }
    end
    if (change.table_rows or 0) > LIMIT then
      return { action = "queue", risk = "moderate", reason = ("table has %d rows"):format(change.table_rows) }
    end
  end,
  tests = {
    { sql = "ALTER TABLE t ADD COLUMN c int", facts = { table_rows = 5000000, time = { hour = 12 } }, expect = "queue", risk = "moderate" },
    { sql = "ALTER TABLE t ADD COLUMN c int", facts = { table_rows = 10, time = { hour = 12 } }, expect = "none" },
    { sql = "ALTER TABLE t ADD COLUMN c int", facts = { time = { hour = 3 } }, expect = "reject" },
  },
}
$lua$);
SELECT statement_no, action, risk, flow FROM dbchange.evaluate_facts('{"command": "ALTER TABLE", "table_rows": 2000000, "time": {"hour": 4}}');
SELECT statement_no, action, risk, reasons, policies FROM dbchange.evaluate_facts('{"command": "ALTER TABLE", "table_rows": 2000000, "time": {"hour": 14}}');

-- test_policy(): a policy's tests without storing it (policy as code: check before push)
SELECT policy, test_no, expected, actual, passed FROM dbchange.test_policy($$return { name = "x", description = "d",
  check = function(c) return { action = "queue" } end,
  tests = {{sql = "DROP TABLE t", expect = "queue"}, {sql = "DROP TABLE t", expect = "approve"}} }$$, 'file_name');
SELECT count(*) AS not_stored FROM dbchange.policies WHERE name IN ('x', 'file_name');

-- Facts are read-only Lua tables: pairs, ipairs, #, next and nested tables work.
SELECT dbchange.set_policy('facts_reader', $lua$
return {
  name = "facts_reader",
  description = "reads the facts every way a policy might",
  check = function(c)
    if c.command ~= "CREATE TABLE" then return end
    local keys = 0
    for k, v in pairs(c) do keys = keys + 1 end
    local cols = {}
    for i, col in ipairs(c.columns) do cols[#cols + 1] = col.name .. ":" .. col.type end
    local ops = next(c.operations) ~= nil and table.concat(c.operations, ",") or "-"
    local ok = pcall(function() c.columns[1].name = "x" end)
    return { action = "approve", risk = "low",
             reason = ("%s keys>30=%s cols=%s ops=%s writable=%s tz=%s"):format(c.name, tostring(keys > 30),
               table.concat(cols, ","), ops, tostring(ok), c.time.timezone) }
  end,
  tests = { { sql = "CREATE TABLE t (a int, b text)", expect = "approve" } },
}
$lua$);
SELECT action, reasons FROM dbchange.evaluate('CREATE TABLE r (id bigint, note text)');
SELECT dbchange.drop_policy('facts_reader');

-- A decision hands nested objects (a column) over lazily: each field is made
-- a Lua value on first use.  Reading a field twice, pairs() over the object,
-- # and writes behave as for the rest of the facts, and a column kept past
-- its decision is refused (its C tree is gone).  Tests build the change whole.
SELECT dbchange.set_policy('nested_reader', $lua$
local kept
return {
  name = "nested_reader",
  description = "reads a column object every way",
  check = function(c)
    if c.command ~= "CREATE TABLE" then return end
    local col = c.columns[1]
    local n = 0
    for k, v in pairs(col) do n = n + 1 end
    local again = col.name == c.columns[1].name and c.columns[1] == col
    local ok_write = pcall(function() col.not_null = false end)
    local ok_new = pcall(function() col.extra = 1 end)
    local stale = "none"
    if kept then
      local ok, err = pcall(function() return kept.type end)
      stale = ok and "readable" or (tostring(err):match("earlier statement") and "refused" or tostring(err))
    end
    kept = c.columns[2]
    return { action = "approve", risk = "low",
      reason = ("name=%s type=%s not_null=%s fields=%d again=%s write=%s new=%s len=%d not_null_after=%s stale=%s"):format(
        col.name, col.type, tostring(col.not_null), n, tostring(again), tostring(ok_write), tostring(ok_new), #col,
        tostring(col.not_null), stale) }
  end,
  tests = { { sql = "CREATE TABLE t (a int NOT NULL, b text)", expect = "approve" } },
}
$lua$);
SELECT action, reasons FROM dbchange.evaluate('CREATE TABLE r (id bigint NOT NULL, note text)');
SELECT action, reasons FROM dbchange.evaluate('CREATE TABLE r2 (id int, note text)');
SELECT dbchange.drop_policy('nested_reader');

-- the facts' metatables stay out of reach, whichever way a policy asks
SELECT dbchange.set_policy('proxy_guard', $lua$
return {
  name = "proxy_guard",
  description = "asks for the facts' metatables",
  check = function(c)
    if c.command ~= "CREATE TABLE" then return end
    local found = false
    for k in pairs(c) do if k == "command" then found = true end end
    local set_top = pcall(setmetatable, c, {})
    local set_nested = pcall(setmetatable, c.columns, nil)
    local plain = getmetatable(setmetatable({}, { x = 1 })).x
    return { action = "approve", risk = "low",
      reason = ("mt=%s nested_mt=%s set=%s set_nested=%s pairs=%s next=%s len=%d string_mt=%s plain=%s command=%s"):format(
        tostring(getmetatable(c)), tostring(getmetatable(c.columns[1])), tostring(set_top), tostring(set_nested),
        tostring(found), tostring(next(c) ~= nil), #c.columns, tostring(getmetatable("")), tostring(plain), c.command) }
  end,
  tests = { { sql = "CREATE TABLE t (a int)", expect = "approve" } },
}
$lua$);
CREATE TABLE guarded (id int, note text);
SELECT reasons FROM dbchange.changes WHERE statement LIKE 'CREATE TABLE guarded%';
SELECT action, reasons FROM dbchange.evaluate('CREATE TABLE g2 (id int)');
SELECT dbchange.drop_policy('proxy_guard');

-- each policy has its own random generator: a_seed reseeds its own before
-- every draw, and b_read's draws stay unpredictable (were the generator
-- shared, b_read would draw the same number each time)
SELECT dbchange.set_policy('a_seed', $lua$
return { name = "a_seed", description = "reseeds",
  check = function(c) math.randomseed(7) return { action = "approve", reason = "seeded " .. math.random(1, 1000000000) } end,
  tests = { { sql = "CREATE TABLE t (a int)", expect = "approve" } } }
$lua$);
SELECT dbchange.set_policy('b_read', $lua$
return { name = "b_read", description = "draws",
  check = function(c) return { action = "approve", reason = "drew " .. math.random(1, 1000000000) } end,
  tests = { { sql = "CREATE TABLE t (a int)", expect = "approve" } } }
$lua$);
SELECT count(DISTINCT r) FILTER (WHERE r LIKE 'a_seed%') AS a_seed_values,
       count(DISTINCT r) FILTER (WHERE r LIKE 'b_read%') AS b_read_values
  FROM generate_series(1, 4) g, dbchange.evaluate('CREATE TABLE rnd' || g || ' (id int)') e, unnest(e.reasons) r;
SELECT dbchange.drop_policy('a_seed'), dbchange.drop_policy('b_read');

-- enable / disable / drop, and the audit trail
SELECT dbchange.disable_policy('big_tables');
SELECT dbchange.disable_policy('big_tables');
SELECT name, enabled FROM dbchange.policies ORDER BY name;
SELECT count(*) AS enabled_tests FROM dbchange.test_policies();
SELECT dbchange.enable_policy('big_tables');
SELECT dbchange.set_policy('big_tables', (SELECT source FROM dbchange.policies WHERE name = 'big_tables'));
SELECT dbchange.drop_policy('big_tables');
SELECT dbchange.drop_policy('big_tables');
SELECT dbchange.enable_policy('nope');
SELECT event, actor, details->>'policy' AS policy, details->>'old_checksum' IS NOT NULL AS had_old,
       details->>'new_checksum' IS NOT NULL AS has_new
  FROM dbchange.audit WHERE event LIKE 'policy%' ORDER BY seq;
-- every source ever set is in the (hash-chained) audit trail, under the checksum recorded
SELECT count(*) AS sets,
       bool_and(encode(sha256(convert_to(details->>'source', 'UTF8')), 'hex') = details->>'new_checksum') AS sources_kept
  FROM dbchange.audit WHERE event = 'policy_set';

-- Only policy admins (and superusers) manage policies.
CREATE ROLE regress_policy_dev LOGIN;
CREATE ROLE regress_policy_admin LOGIN IN ROLE dbchange_policy_admin;
SET ROLE regress_policy_dev;
SELECT dbchange.set_policy('mine', $$return {}$$);
SELECT dbchange.disable_policy('no_drop_in_prod');
SELECT dbchange.drop_policy('no_drop_in_prod');
SELECT dbchange.enable_policy('no_drop_in_prod');
SELECT * FROM dbchange.test_policy('return {}');
UPDATE dbchange.policy SET enabled = false;
SELECT name FROM dbchange.policies;
-- anyone may dry-run
SELECT action, risk, facts->>'user' AS "user" FROM dbchange.evaluate('DROP TABLE keep_me');
RESET ROLE;
SET ROLE regress_policy_admin;
SELECT dbchange.disable_policy('no_drop_in_prod');
SELECT dbchange.enable_policy('no_drop_in_prod');
RESET ROLE;
SELECT actor, event FROM dbchange.audit WHERE event IN ('policy_disabled', 'policy_enabled') ORDER BY seq DESC LIMIT 2;

\c postgres
DROP DATABASE regress_policy_basic;
DROP ROLE regress_policy_dev;
DROP ROLE regress_policy_admin;
