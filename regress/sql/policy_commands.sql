-- A policy's optional `commands`: check() is called only for those statements.
CREATE DATABASE regress_policy_commands;
\c regress_policy_commands
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
RESET client_min_messages;
\set VERBOSITY terse
\set SHOW_CONTEXT never

-- A check() that fails for every statement it is called for: its tests pass
-- only because it is never called for a CREATE TABLE or a COMMENT.
SELECT dbchange.set_policy('index_only', $lua$
return {
  name = "index_only", description = "fails loudly whenever it is called",
  commands = { "CREATE INDEX" },
  check = function(c) error("check() was called for " .. tostring(c.command)) end,
  tests = {
    { sql = "CREATE TABLE t (id int)", environment = "prod", expect = "none" },
    { sql = "COMMENT ON TABLE t IS 'x'", expect = "none" },
  },
}
$lua$);

-- evaluate(): no opinion outside the list, the policy's error inside it
SELECT statement_no, command, action, reasons FROM dbchange.evaluate('CREATE TABLE t (id int); COMMENT ON TABLE t IS ''x''');
SELECT action, reasons FROM dbchange.evaluate('CREATE INDEX i ON t (id)');

-- the gate: the CREATE TABLE runs, the CREATE INDEX fails closed naming the policy
CREATE TABLE t (id int);
SELECT count(*) AS applied FROM dbchange.change WHERE statement = 'CREATE TABLE t (id int)' AND status = 'applied';
CREATE INDEX i ON t (id);
SELECT to_regclass('i') IS NULL AS index_not_created;
SELECT dbchange.drop_policy('index_only');

-- The list is copied when the policy is compiled: a check() that changes
-- its own `commands` afterwards still sees only CREATE INDEX.
SELECT dbchange.set_policy('copied_list', $lua$
local P
P = {
  name = "copied_list", description = "tries to widen its own commands",
  commands = { "CREATE INDEX" },
  check = function(c)
    P.commands[#P.commands + 1] = "CREATE TABLE"
    return { action = "queue", risk = "high", reason = "saw " .. c.command }
  end,
  tests = { { sql = "CREATE INDEX i ON t (id)", expect = "queue" } },
}
return P
$lua$);
SELECT statement_no, action, reasons FROM dbchange.evaluate('CREATE INDEX i ON t (id); CREATE TABLE t2 (id int); CREATE INDEX i2 ON t (id)');

-- A test for a command outside the list says why check() gave nothing.
SELECT dbchange.set_policy('forgot_one', $lua$
return { name = "forgot_one", description = "d", commands = { "CREATE TABLE" },
  check = function(c) return { action = "queue" } end,
  tests = { { sql = "CREATE INDEX i ON t (id)", expect = "queue" } } }
$lua$);

-- Malformed lists are refused and change nothing.
SELECT count(*) AS policies_before FROM dbchange.policies;
SELECT dbchange.set_policy('bad_string', $lua$
return { name = "b", description = "d", commands = "ALTER TABLE", check = function(c) end,
  tests = { { sql = "SELECT 1", expect = "none" } } }
$lua$);
SELECT dbchange.set_policy('bad_empty', $lua$
return { name = "b", description = "d", commands = {}, check = function(c) end,
  tests = { { sql = "SELECT 1", expect = "none" } } }
$lua$);
SELECT dbchange.set_policy('bad_lower', $lua$
return { name = "b", description = "d", commands = { "alter table" }, check = function(c) end,
  tests = { { sql = "SELECT 1", expect = "none" } } }
$lua$);
SELECT dbchange.set_policy('bad_element', $lua$
return { name = "b", description = "d", commands = { "ALTER TABLE", 5 }, check = function(c) end,
  tests = { { sql = "SELECT 1", expect = "none" } } }
$lua$);
SELECT dbchange.set_policy('bad_injection', $lua$
return { name = "b", description = "d", commands = { "ALTER TABLE'; DROP TABLE t; --" }, check = function(c) end,
  tests = { { sql = "SELECT 1", expect = "none" } } }
$lua$);
SELECT dbchange.set_policy('bad_long', format($lua$
return { name = "b", description = "d", commands = { "%s" }, check = function(c) end,
  tests = { { sql = "SELECT 1", expect = "none" } } }
$lua$, repeat('A', 100000)));
-- A list whose length and elements come from C functions would loop in C,
-- where neither the budget nor a cancel reaches: refused at once.
SET statement_timeout = '20s';
SELECT dbchange.set_policy('bad_metatable', $lua$
return { name = "b", description = "d",
  commands = setmetatable({}, { __len = function() return math.maxinteger end,
                                __index = getmetatable, __metatable = "ALTER TABLE" }),
  check = function(c) end, tests = { { sql = "SELECT 1", expect = "none" } } }
$lua$);
RESET statement_timeout;
-- holes and named keys would drop a listed command silently: refused
SELECT dbchange.set_policy('bad_holes', $lua$
local l = { "ALTER TABLE" }; l[3] = "CREATE INDEX"
return { name = "b", description = "d", commands = l, check = function(c) end,
  tests = { { sql = "SELECT 1", expect = "none" } } }
$lua$);
SELECT dbchange.set_policy('bad_named', $lua$
return { name = "b", description = "d", commands = { "ALTER TABLE", extra = "CREATE INDEX" },
  check = function(c) end, tests = { { sql = "SELECT 1", expect = "none" } } }
$lua$);
SELECT dbchange.set_policy('bad_many', $lua$
local l = {} for i = 1, 300 do l[i] = "ALTER TABLE" end
return { name = "b", description = "d", commands = l, check = function(c) end,
  tests = { { sql = "SELECT 1", expect = "none" } } }
$lua$);
SELECT count(*) AS policies_after FROM dbchange.policies;
SELECT to_regclass('t') IS NOT NULL AS t_still_there;

\c postgres
DROP DATABASE regress_policy_commands;
