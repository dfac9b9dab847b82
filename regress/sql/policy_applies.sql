-- A policy's optional `applies(command, environment)`: asked once per command
-- and environment; when it says no, check() is not called.
CREATE DATABASE regress_policy_applies;
\c regress_policy_applies
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
RESET client_min_messages;
\set VERBOSITY terse
\set SHOW_CONTEXT never

-- A prod-only policy whose check() fails for every statement it is called
-- for: its dev and test cases pass only because check() is never called.
SELECT dbchange.set_policy('prod_only', $lua$
return {
  name = "prod_only", description = "fails loudly whenever it is called",
  applies = function(command, environment) return environment == "prod" end,
  check = function(c) error("check() was called in " .. tostring(c.environment)) end,
  tests = {
    { sql = "CREATE TABLE t (id int)", environment = "dev", expect = "none" },
    { sql = "DROP TABLE t", environment = "test", expect = "none" },
  },
}
$lua$);
SELECT statement_no, action, reasons FROM dbchange.evaluate('CREATE TABLE t (id int); DROP TABLE t', 'dev');
SELECT action, reasons FROM dbchange.evaluate('CREATE TABLE t (id int)', 'prod');

-- the gate (this database is dev): the statement runs and is recorded
CREATE TABLE t (id int);
SELECT count(*) AS applied FROM dbchange.change WHERE statement = 'CREATE TABLE t (id int)' AND status = 'applied';
-- in prod, check() runs and fails closed, naming the policy
SELECT key, value FROM dbchange.configure(environment => 'prod') WHERE key = 'environment';
CREATE INDEX i ON t (id);
SELECT to_regclass('i') IS NULL AS index_not_created;
SELECT key, value FROM dbchange.configure(environment => 'dev') WHERE key = 'environment';
SELECT dbchange.drop_policy('prod_only');

-- Asked once per command and environment: the count lives in an upvalue
-- the policy itself reports.
SELECT dbchange.set_policy('counts', $lua$
local asked = 0
return {
  name = "counts", description = "reports how often applies() was asked",
  applies = function(command, environment)
    asked = asked + 1
    return command ~= "COMMENT"
  end,
  check = function(c) return { action = "approve", reason = "asked " .. asked } end,
  tests = { { sql = "CREATE TABLE t (id int)", expect = "approve" } },
}
$lua$);
SELECT statement_no, action, reasons FROM dbchange.evaluate(
  'CREATE TABLE a (id int); CREATE TABLE b (id int); COMMENT ON TABLE t IS ''x''; '
  'COMMENT ON TABLE t IS ''y''; CREATE TABLE c (id int); CREATE INDEX j ON t (id)', 'dev');
-- the same commands in another environment are asked again, once
SELECT statement_no, action, reasons FROM dbchange.evaluate(
  'CREATE TABLE a (id int); CREATE TABLE b (id int)', 'stage');
-- more environments than are kept: every answer is still right
SELECT count(*) FILTER (WHERE e.command = 'CREATE TABLE' AND e.reasons[1] LIKE 'counts: asked %') AS creates_judged,
       count(*) FILTER (WHERE e.command = 'COMMENT' AND e.reasons[1] LIKE 'default: %') AS comments_left_out
  FROM generate_series(1, 40) g,
       LATERAL dbchange.evaluate('CREATE TABLE a (id int); COMMENT ON TABLE t IS ''x''', 'env' || g) e;
SELECT dbchange.drop_policy('counts');

-- applies() may not widen what `commands` leaves out: both must say yes
SELECT dbchange.set_policy('both', $lua$
return {
  name = "both", description = "commands and applies together",
  commands = { "CREATE INDEX" },
  applies = function(command, environment) return true end,
  check = function(c) return { action = "queue", risk = "high", reason = "saw " .. c.command } end,
  tests = { { sql = "CREATE INDEX i ON t (id)", expect = "queue" },
            { sql = "CREATE TABLE t (id int)", expect = "none" } },
}
$lua$);
SELECT statement_no, action FROM dbchange.evaluate('CREATE TABLE x (id int); CREATE INDEX i ON t (id)', 'dev');
SELECT dbchange.drop_policy('both');

-- A test that applies() leaves out says why check() gave nothing.
SELECT dbchange.set_policy('left_out', $lua$
return { name = "left_out", description = "d",
  applies = function(command, environment) return environment == "prod" end,
  check = function(c) return { action = "queue" } end,
  tests = { { sql = "CREATE INDEX i ON t (id)", environment = "dev", expect = "queue" } } }
$lua$);

-- applies() that fails, loops or eats memory fails closed like check(),
-- naming the policy; the backend stays healthy.
SELECT count(*) AS policies_before FROM dbchange.policies;
SELECT dbchange.set_policy('bad_type', $lua$
return { name = "b", description = "d", applies = { "prod" }, check = function(c) end,
  tests = { { sql = "SELECT 1", expect = "none" } } }
$lua$);
SELECT dbchange.set_policy('bad_error_text', $lua$
return { name = "b", description = "d",
  applies = function(command, environment) error("no table named " .. command) end,
  check = function(c) end, tests = { { sql = "CREATE TABLE t (id int)", expect = "none" } } }
$lua$);
SELECT dbchange.set_policy('bad_error', $lua$
return { name = "b", description = "d",
  applies = function(command, environment) error({ code = 42 }) end,
  check = function(c) end, tests = { { sql = "CREATE TABLE t (id int)", expect = "none" } } }
$lua$);
SET statement_timeout = '20s';
SELECT dbchange.set_policy('bad_loop', $lua$
return { name = "b", description = "d",
  applies = function(command, environment) while true do end end,
  check = function(c) end, tests = { { sql = "CREATE TABLE t (id int)", expect = "none" } } }
$lua$);
-- (which of the two limits it meets first depends on the machine's speed)
DO $$
BEGIN
  PERFORM dbchange.set_policy('bad_memory', $lua$
return { name = "b", description = "d",
  applies = function(command, environment) local t = {} for i = 1, 1e9 do t[i] = i end end,
  check = function(c) end, tests = { { sql = "CREATE TABLE t (id int)", expect = "none" } } }
$lua$);
EXCEPTION WHEN others THEN
  RAISE NOTICE 'bad_memory refused: %', CASE
    WHEN SQLERRM ~ 'check\(\) failed: (memory|instruction) limit exceeded' THEN 'a limit was exceeded'
    ELSE SQLERRM END;
END $$;
RESET statement_timeout;
SELECT count(*) AS policies_after FROM dbchange.policies;
-- an enabled policy whose applies() fails for one command: that statement
-- is refused by the gate, naming the policy, and changes nothing
SELECT dbchange.set_policy('fails_on_drop', $lua$
return { name = "fails_on_drop", description = "d",
  applies = function(command, environment)
    if command == "DROP TABLE" then error("cannot judge drops") end
    return false
  end,
  check = function(c) end, tests = { { sql = "CREATE TABLE t (id int)", expect = "none" } } }
$lua$);
DROP TABLE t;
SELECT to_regclass('t') IS NOT NULL AS t_still_there;
SELECT action, reasons FROM dbchange.evaluate('DROP TABLE t', 'dev');
SELECT dbchange.drop_policy('fails_on_drop');
SELECT 1 AS backend_alive;

\c postgres
DROP DATABASE regress_policy_applies;
