-- Hostile policies fail closed: the statement is refused (ZC004) naming the
-- policy and what went wrong, nothing escapes the sandbox, and the backend
-- stays healthy (every refusal below is followed by work in the same session).
CREATE DATABASE regress_policy_hostile;
\c regress_policy_hostile
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
RESET client_min_messages;
\set VERBOSITY terse
\set SHOW_CONTEXT never
-- a safety net only: every attack below ends by the sandbox's own limits
SET statement_timeout = '60s';
CREATE TABLE t (id int);

-- A policy whose check() attacks on demand: COMMENT ON TABLE t IS '<attack>'.
-- Its tests never trigger an attack, so set_policy accepts it.
SELECT dbchange.set_policy('hostile', $lua$
local attacks = {}
attacks.loop = function() while true do end end
attacks.loop_pcall = function() while true do pcall(function() while true do end end) end end
attacks.loop_xpcall = function()
  while true do xpcall(function() while true do end end, function(e) while true do end end) end
end
attacks.memory = function() local s = "x" while true do s = s .. s end end
attacks.memory_pcall = function()
  local t = {}
  while true do pcall(function() while true do t[#t + 1] = {} end end) end
end
attacks.rep = function() return string.rep("x", 1 << 40) end
attacks.rep_empty = function() return string.rep("", 1 << 50) end
attacks.rep_method = function() return ("xy"):rep(1 << 33) end
attacks.move = function() return table.move({}, 1, 1 << 50, 2) end
attacks.tailcall = function() local function f(n) return f(n + 1) end return f(1) end
attacks.goto_loop = function() ::again:: goto again end
-- runs long without counting first: the watchdog switches the count hook on
attacks.late_loop = function() local n = 0 for i = 1, 2000000 do n = n + i end while true do end end
attacks.recursion = function() local function f(n) return 1 + f(n + 1) end return f(1) end
attacks.recursion_pcall = function() local function f() pcall(f) f() end f() end
attacks.recursion_load = function() local function f() load("(") f() end f() end
attacks.os_execute = function() return os.execute("touch /tmp/regress_policy_hostile_pwned") end
attacks.io_open = function() return io.open("/tmp/regress_policy_hostile_pwned", "w") end
attacks.require = function() return require("io") end
attacks.load_binary = function() return load("\27LuaT\0", "x", "b") end
attacks.load_bytes = function() local f = assert(load("\27LuaT\0\25\147\r\n\26\n", "x", "t")) return f() end
attacks.dump = function() return string.dump(function() end) end
attacks.debug = function() return debug.sethook() end
attacks.package = function() return package.loadlib("libc.so.6", "system") end
attacks.collectgarbage = function() return collectgarbage("stop") end
attacks.print = function() print("hello") end
attacks.dofile = function() return dofile("/etc/passwd") end
attacks.error_table = function() error({ code = 42 }) end
attacks.error_table_message = function()
  error(setmetatable({ message = "table with a message" }, { __tostring = function() while true do end end }))
end
attacks.error_nil = function() error() end
attacks.setmetatable_G = function() setmetatable(_G, nil) end
attacks.setmetatable_ENV = function() setmetatable(_ENV, { __index = function() return os end }) end
attacks.rawset = function() rawset(_G, "pairs", nil) end
attacks.replace_builtin = function() pairs = function() end end
attacks.string_metatable = function() getmetatable("").__index.upper = nil end
attacks.gc = function() setmetatable({}, { __gc = function() while true do end end }) end
attacks.facts = function(c) c.command = "SELECT" end
attacks.facts_nested = function(c) c.roles[1] = "superuser" end
attacks.stash = function(c) if KEPT then return { action = "queue", reason = tostring(#KEPT.columns) } end KEPT = c end
attacks.bad_action = function() return { action = "approve please" } end
attacks.bad_return = function() return "approve" end
-- Lua's own matcher backtracks inside one C call, out of the hook's reach;
-- the sandbox's counts its steps (lua_match.c)
attacks.pattern = function() return (("a"):rep(3000)):find(("a*"):rep(20) .. "b") end
attacks.pattern_pcall = function()
  while true do pcall(string.match, ("x"):rep(3000), (".-x"):rep(12) .. "y") end
end
attacks.pattern_gsub = function() return (("a"):rep(3000)):gsub(("a?"):rep(30) .. "b", "") end
attacks.pattern_gmatch = function() for w in (("a"):rep(3000)):gmatch(("a-"):rep(15) .. "b") do end end
attacks.plain_find = function() return (("a"):rep(1000000)):find(("a"):rep(100000) .. "b", 1, true) end
-- each s .. s or s:upper() is one VM instruction: the bytes they allocate are charged
attacks.concat_churn = function() local s = ("x"):rep(1 << 20) for i = 1, 1e9 do local t = s .. s end end
attacks.upper_churn = function() local s = ("x"):rep(1 << 20) for i = 1, 1e9 do local u = s:upper() end end
-- library calls whose work grows with a table's or string's size, not with what they allocate
local big = {}
attacks.insert_front = function() local t = {} for i = 1, 1e9 do table.insert(t, 1, i) end end
attacks.unpack_churn = function()
  for i = #big + 1, 100000 do big[i] = i end
  for i = 1, 1e9 do select("#", table.unpack(big)) end
end
attacks.concat_read = function()
  local t = {} for i = 1, 100000 do t[i] = "" end
  for i = 1, 1e9 do local s = table.concat(t) end
end
attacks.utf8_scan = function() local s = ("x"):rep(1 << 22) for i = 1, 1e9 do local n = utf8.len(s) end end
attacks.byte_churn = function() local s = ("x"):rep(500000) for i = 1, 1e9 do select("#", s:byte(1, -1)) end end
-- comparing two long strings is one VM instruction however long they are:
-- the hook charges the CPU time it takes (a = b but for the last byte)
local long_a, long_b
local function long_pair()
  if long_a == nil then long_a = ("x"):rep(6 << 20) .. "a" long_b = ("x"):rep(6 << 20) .. "b" end
  return long_a, long_b
end
attacks.compare_lt = function() local a, b = long_pair() local n = 0 while true do if a < b then n = n + 1 end end end
attacks.compare_eq = function() local a, b = long_pair() local n = 0 while true do if a ~= b then n = n + 1 end end end
attacks.compare_pcall = function()
  local a, b = long_pair()
  while true do pcall(function() while true do local _ = a < b end end) end
end
-- table.sort compares inside one C call: long strings are charged before it sorts
attacks.sort_long = function()
  local t = {} for i = 1, 300 do t[i] = ("x"):rep(40000) .. (i % 7) end
  table.sort(t)
end
attacks.fine_sorted = function()
  local t = {} for i = 1, 3000 do t[i] = "name_" .. ((i * 7919) % 3000) end
  table.sort(t)
  if t[1] ~= "name_0" or t[3000] ~= "name_999" then error("sorted wrongly: " .. t[1] .. " " .. t[3000]) end
end
-- library loops that read and write through C metamethods (getmetatable as __index and
-- __len, rawequal as __newindex) run no VM instruction: charged by the length the library
-- uses, and every call is seen by the hook
attacks.meta_insert = function()
  local t = setmetatable({}, { __metatable = 1 << 50, __len = getmetatable, __index = getmetatable, __newindex = rawequal })
  table.insert(t, 1, 0)
end
attacks.meta_remove = function()
  local t = setmetatable({}, { __metatable = 1 << 50, __len = getmetatable, __index = getmetatable, __newindex = rawequal })
  table.remove(t, 1)
end
attacks.meta_concat = function()
  local t = setmetatable({}, { __metatable = "", __index = getmetatable })
  return table.concat(t, "", 1, 1 << 50)
end
attacks.meta_sort = function()
  local t = setmetatable({}, { __metatable = ("x"):rep(1 << 23), __len = function() return 100000 end,
                               __index = getmetatable, __newindex = rawequal })
  table.sort(t)
end
attacks.meta_sort_cmp = function()
  local t = setmetatable({}, { __metatable = 7, __len = function() return 1 << 22 end,
                               __index = getmetatable, __newindex = rawequal })
  table.sort(t, rawequal)
end
-- Lua's parser compares each label with every visible one: quadratic, in one C call
attacks.labels = function()
  local t = {} for i = 1, 3000 do t[i] = "::a" .. i .. ":: x = 1" end
  return load(table.concat(t, " "))
end
attacks.busy = function() local n = 0 for i = 1, 300000 do n = n + i end end
attacks.fine = function() end

return {
  name = "hostile",
  description = "misbehaves on demand, for the sandbox tests",
  check = function(change)
    if change.command ~= "COMMENT" then return end
    local attack = change.statement:match("IS '([%w_]+)'")
    local f = attacks[attack]
    if f then return f(change) end
  end,
  tests = { { sql = "CREATE TABLE x (id int)", expect = "none" } },
}
$lua$);

COMMENT ON TABLE t IS 'fine';
SELECT obj_description('t'::regclass) AS comment;
-- limits
COMMENT ON TABLE t IS 'loop';
COMMENT ON TABLE t IS 'loop_pcall';
COMMENT ON TABLE t IS 'loop_xpcall';
COMMENT ON TABLE t IS 'tailcall';
COMMENT ON TABLE t IS 'goto_loop';
COMMENT ON TABLE t IS 'late_loop';
COMMENT ON TABLE t IS 'memory';
SELECT 'alive after memory' AS ok;
COMMENT ON TABLE t IS 'memory_pcall';
COMMENT ON TABLE t IS 'rep';
COMMENT ON TABLE t IS 'rep_empty';
COMMENT ON TABLE t IS 'rep_method';
COMMENT ON TABLE t IS 'move';
-- deep recursion meets the memory cap or the budget first (every call is charged its
-- time once the hook is on), depending on the machine's speed
DO $$
DECLARE a text;
BEGIN
  FOREACH a IN ARRAY ARRAY['recursion', 'recursion_pcall', 'recursion_load'] LOOP
    BEGIN
      EXECUTE format('COMMENT ON TABLE t IS %L', a);
      RAISE NOTICE '%: not refused', a;
    EXCEPTION WHEN others THEN
      RAISE NOTICE '%: %', a, CASE
        WHEN SQLERRM ~ '^policy "hostile" failed: (memory|instruction) limit exceeded' THEN 'a limit was exceeded'
        ELSE SQLERRM END;
    END;
  END LOOP;
END $$;
COMMENT ON TABLE t IS 'pattern';
COMMENT ON TABLE t IS 'pattern_pcall';
COMMENT ON TABLE t IS 'pattern_gsub';
COMMENT ON TABLE t IS 'pattern_gmatch';
COMMENT ON TABLE t IS 'plain_find';
COMMENT ON TABLE t IS 'concat_churn';
COMMENT ON TABLE t IS 'upper_churn';
COMMENT ON TABLE t IS 'insert_front';
COMMENT ON TABLE t IS 'unpack_churn';
COMMENT ON TABLE t IS 'concat_read';
COMMENT ON TABLE t IS 'utf8_scan';
COMMENT ON TABLE t IS 'byte_churn';
SELECT 'alive after patterns' AS ok;
-- ended by the budget, which charges their CPU time (ten times the default
-- budget is 0.4 s of it); statement_timeout must not be what stops them
SET dbchange.policy_instruction_limit = 10000000;
SET statement_timeout = '3s';
COMMENT ON TABLE t IS 'compare_lt';
COMMENT ON TABLE t IS 'compare_eq';
COMMENT ON TABLE t IS 'compare_pcall';
COMMENT ON TABLE t IS 'meta_insert';
COMMENT ON TABLE t IS 'meta_remove';
COMMENT ON TABLE t IS 'meta_concat';
COMMENT ON TABLE t IS 'meta_sort';
COMMENT ON TABLE t IS 'meta_sort_cmp';
COMMENT ON TABLE t IS 'labels';
SET statement_timeout = '60s';
RESET dbchange.policy_instruction_limit;
COMMENT ON TABLE t IS 'sort_long';
-- sorting short strings stays cheap (and sorted): approved
COMMENT ON TABLE t IS 'fine_sorted';
SELECT obj_description('t'::regclass) AS sorted_short_ones;
COMMENT ON TABLE t IS 'fine';
-- escapes
COMMENT ON TABLE t IS 'os_execute';
COMMENT ON TABLE t IS 'io_open';
COMMENT ON TABLE t IS 'require';
COMMENT ON TABLE t IS 'load_binary';
COMMENT ON TABLE t IS 'load_bytes';
COMMENT ON TABLE t IS 'dump';
COMMENT ON TABLE t IS 'debug';
COMMENT ON TABLE t IS 'package';
COMMENT ON TABLE t IS 'collectgarbage';
COMMENT ON TABLE t IS 'print';
COMMENT ON TABLE t IS 'dofile';
-- error objects
COMMENT ON TABLE t IS 'error_table';
COMMENT ON TABLE t IS 'error_table_message';
COMMENT ON TABLE t IS 'error_nil';
-- tampering
COMMENT ON TABLE t IS 'setmetatable_G';
COMMENT ON TABLE t IS 'setmetatable_ENV';
COMMENT ON TABLE t IS 'rawset';
COMMENT ON TABLE t IS 'replace_builtin';
COMMENT ON TABLE t IS 'string_metatable';
SELECT upper('still fine') AS upper;
COMMENT ON TABLE t IS 'gc';
COMMENT ON TABLE t IS 'facts';
COMMENT ON TABLE t IS 'facts_nested';
COMMENT ON TABLE t IS 'bad_action';
COMMENT ON TABLE t IS 'bad_return';
-- nothing was written, nothing ran, the backend works
SELECT pg_stat_file('/tmp/regress_policy_hostile_pwned', true) IS NULL AS no_file;
SELECT obj_description('t'::regclass) AS comment_unchanged;
COMMENT ON TABLE t IS 'fine';
SELECT count(*) AS refused_ones_recorded_as_applied FROM dbchange.changes
 WHERE statement LIKE 'COMMENT%' AND statement NOT LIKE '%fine%' AND status = 'applied';
-- a change kept in a global outlives its statement: its unread facts are gone, safely
COMMENT ON TABLE t IS 'stash';
COMMENT ON TABLE t IS 'stash';

-- evaluate() reports a failing policy as a reject, and goes on
SELECT statement_no, action, reasons FROM dbchange.evaluate($$COMMENT ON TABLE t IS 'loop'; COMMENT ON TABLE t IS 'fine'$$);

-- the limits are settings, superuser only
COMMENT ON TABLE t IS 'busy';
SET dbchange.policy_instruction_limit = 10000;
COMMENT ON TABLE t IS 'busy';
RESET dbchange.policy_instruction_limit;
SET dbchange.policy_memory_limit = '2MB';
COMMENT ON TABLE t IS 'memory';
RESET dbchange.policy_memory_limit;
SET dbchange.policy_timezone = 'Mars/Olympus_Mons';
SET dbchange.policy_timezone = 'Europe/Berlin';
SELECT facts->'time'->>'timezone' AS tz FROM dbchange.evaluate('COMMENT ON TABLE t IS $$x$$');
RESET dbchange.policy_timezone;
-- query cancel / statement_timeout reach a looping policy
SET dbchange.policy_instruction_limit = 2000000000;
SET statement_timeout = '200ms';
COMMENT ON TABLE t IS 'loop';
COMMENT ON TABLE t IS 'pattern';
COMMENT ON TABLE t IS 'compare_lt';
COMMENT ON TABLE t IS 'meta_sort';
RESET statement_timeout;
RESET dbchange.policy_instruction_limit;
COMMENT ON TABLE t IS 'fine';
CREATE ROLE regress_hostile_dev LOGIN;
GRANT CREATE ON SCHEMA public TO regress_hostile_dev;
SET ROLE regress_hostile_dev;
SET dbchange.policy_instruction_limit = 100000000;
SET dbchange.policy_memory_limit = '1GB';
SET dbchange.policy_timezone = 'Pacific/Kiritimati';
CREATE TABLE dev_t (id int);
COMMENT ON TABLE dev_t IS 'loop';
RESET ROLE;

-- hostile code at the top level of a chunk is refused by set_policy
SELECT dbchange.set_policy('evil', 'while true do end');
SELECT dbchange.set_policy('evil', 'local s = "x" while true do s = s .. s end');
SELECT dbchange.set_policy('evil', 'return setmetatable({}, { __index = function() while true do end end })');
SELECT dbchange.set_policy('evil', string_agg('::a' || g || ':: x = 1', ' ') || ' return nil') FROM generate_series(1, 3000) g;
SELECT dbchange.set_policy('evil', 'os.exit(1)');
SELECT dbchange.set_policy('evil', string_agg('x = 1', ' ') || ' return nil') FROM generate_series(1, 10);
-- a test case that loops or errors names the test
SELECT dbchange.set_policy('evil', $$return { name = "evil", description = "d",
  check = function(c) if c.command == "DROP TABLE" then while true do end end end,
  tests = { { sql = "CREATE TABLE a ()", expect = "none" }, { sql = "DROP TABLE a", expect = "none" } } }$$);
SELECT dbchange.set_policy('evil', $$return { name = "evil", description = "d", check = function(c) end,
  tests = { { sql = "DROP TABLE a", expect = "none", facts = setmetatable({}, { __index = function() error("x") end }) } } }$$);
-- The memory cap is the session's.  A policy that keeps memory from call to call
-- (a_hoarder: 1 MB more each time) fills it over several statements, and then
-- whichever policy allocates next meets it (b_victim needs ~6 MB for a moment).
-- The engine decides once more in a fresh state (statements go on being
-- decided: before, one of them failed), and blames a policy only when it
-- exceeds the cap alone ('big': b_victim needs 9 MB).
SELECT dbchange.set_policy('a_hoarder', $$local hoard = {}
return { name = "a_hoarder", description = "keeps 1 MB per call",
  check = function(c) if c.command == "COMMENT" then hoard[#hoard + 1] = string.rep("h", 1000000) .. #hoard end end,
  tests = { { sql = "CREATE TABLE a ()", expect = "none" } } }$$);
SELECT dbchange.set_policy('b_victim', $$return { name = "b_victim", description = "needs 6 MB, or 9 MB when asked",
  check = function(c)
    if c.command ~= "COMMENT" then return nil end
    local n = c.statement:find("big", 1, true) and 4500000 or 3000000
    local s = string.rep("v", n) .. "x"
    return nil
  end, tests = { { sql = "CREATE TABLE a ()", expect = "none" } } }$$);
SET dbchange.policy_memory_limit = '8MB';
DO $$ BEGIN FOR i IN 1..10 LOOP EXECUTE 'COMMENT ON TABLE t IS ''fine'''; END LOOP; END $$;
SELECT 'ten statements decided beside a hoarding policy' AS ok;
COMMENT ON TABLE t IS 'big';
RESET dbchange.policy_memory_limit;
SELECT dbchange.drop_policy('a_hoarder'), dbchange.drop_policy('b_victim');
SELECT name FROM dbchange.policies ORDER BY name;
SELECT 'backend alive' AS ok;

\c postgres
DROP DATABASE regress_policy_hostile;
DROP ROLE regress_hostile_dev;
