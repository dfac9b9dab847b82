--[[
standalone.lua -- developer aid for lua_policies/ without a server.

  lua5.4 regress/lua/standalone.lua lua_policies/*.lua

Loads each policy file in a sandbox like the engine's (no load, require,
io, os, debug), checks its shape, then runs check() over:
  * every test case with *minimal* facts (command guessed from the SQL, the
    statement, environment, context) plus the test's overrides: must never
    error and must return nil or a valid decision;
  * empty facts and facts whose every field has the wrong type: must never error.
It cannot judge expectations (that needs the real classifier: see
regress/sql/stock_policies.sql); it reports how many tests happen to agree.
Not part of the product or of run-all.sh (lua5.4 is not a dependency).
]]

local function sandbox()
  local env = {}
  for _, k in ipairs({ "assert", "error", "ipairs", "pairs", "select", "tonumber", "tostring", "type",
                       "rawequal", "rawlen", "rawget", "getmetatable", "next", "pcall", "_VERSION" }) do
    env[k] = _G[k]
  end
  env.string, env.table, env.math, env.utf8 = string, table, math, utf8
  env.os = { time = os.time, clock = os.clock, date = os.date, difftime = os.difftime }
  return env
end

-- read-only proxy like the engine's
local function ro(t)
  if type(t) ~= "table" then return t end
  local real = {}
  for k, v in pairs(t) do real[k] = ro(v) end
  return setmetatable({}, { __index = real, __newindex = function() error("facts are read-only") end,
    __len = function() return #real end, __pairs = function() return next, real, nil end })
end

local TAGS = { "CREATE UNIQUE INDEX", "CREATE INDEX", "DROP INDEX", "CREATE TABLE", "ALTER TABLE", "DROP TABLE",
  "TRUNCATE", "VACUUM", "CLUSTER", "REINDEX", "REFRESH MATERIALIZED VIEW", "ALTER SYSTEM", "DROP DATABASE",
  "ALTER DATABASE", "COMMENT", "GRANT", "REVOKE", "CREATE ROLE", "ALTER ROLE", "DROP ROLE", "CREATE FUNCTION",
  "CREATE EXTENSION", "CREATE EVENT TRIGGER", "CREATE DOMAIN", "ALTER DOMAIN", "DROP SCHEMA", "ALTER SCHEMA",
  "ALTER TYPE", "ALTER INDEX", "ALTER VIEW", "CREATE OR REPLACE VIEW", "CREATE VIEW", "DROP VIEW", "DROP FUNCTION",
  "DROP OWNED", "CREATE TEMP TABLE", "CREATE UNLOGGED TABLE", "BEGIN", "COMMIT", "SELECT" }
local function guess(sql)
  local u = sql:upper()
  for _, t in ipairs(TAGS) do
    if u:sub(1, #t) == t then
      if t == "TRUNCATE" then return "TRUNCATE TABLE" end
      if t == "CREATE UNIQUE INDEX" then return "CREATE INDEX" end
      if t == "CREATE OR REPLACE VIEW" then return "CREATE VIEW" end
      if t == "CREATE TEMP TABLE" or t == "CREATE UNLOGGED TABLE" then return "CREATE TABLE" end
      if t == "GRANT" and not u:find(" ON ") then return "GRANT ROLE" end
      return t
    end
  end
  return u:match("^(%S+ %S+)") or u
end

local function merge(dst, src)
  for k, v in pairs(src) do
    if type(v) == "table" and v[1] == nil and type(dst[k]) == "table" then merge(dst[k], v)
    else dst[k] = v end
  end
end

local VALID_A = { approve = true, queue = true, reject = true }
local VALID_R = { low = true, moderate = true, high = true, critical = true }
local function valid(d)
  if d == nil then return true end
  return type(d) == "table" and VALID_A[d.action] and VALID_R[d.risk] and type(d.reason) == "string"
end

local WEIRD = { command = 42, statement = {}, environment = 7, operations = "x", columns = "x", constraints = 5,
  subcommands = true, table_rows = "big", table_bytes = {}, objects = "x", time = 5, epoch = "x", roles = "r",
  cascade = "yes", name = {}, identity = 3, schema = 1, index_columns = 1, column_count = "2", grantees = 1,
  privileges = 2, role_options = 3, granted_roles = 4, comment = 5, persistence = 6, new_name = 7, lock = 8 }

local total, failed, agree, checks = 0, 0, 0, {}
for _, path in ipairs(arg) do
  local env = sandbox()
  local src = assert(io.open(path)):read("a")
  local chunk, err = load(src, "@" .. path, "t", env)
  if not chunk then print("not ok " .. path .. ": " .. err); failed = failed + 1; goto next_file end
  do
    local ok, p = pcall(chunk)
    if not ok or type(p) ~= "table" or type(p.name) ~= "string" or type(p.check) ~= "function"
       or type(p.tests) ~= "table" or #p.tests == 0 or type(p.description) ~= "string" then
      print("not ok " .. path .. ": bad shape " .. tostring(p)); failed = failed + 1; goto next_file
    end
    if p.name ~= path:match("([^/]+)%.lua$") then
      print("not ok " .. path .. ": name \"" .. p.name .. "\" differs from the file name (the CLI names policies after files)")
      failed = failed + 1
    end
    for id in src:gmatch('"([a-z][a-z0-9%-]+): ') do checks[id] = p.name end
    for id in src:gmatch('[,(]%s*"([a-z][a-z0-9%-]+)",%s*"') do checks[id] = p.name end
    local function run(facts, what)
      total = total + 1
      local t0 = os.clock()
      local ok2, d = pcall(p.check, ro(facts))
      if not ok2 or not valid(d) then
        failed = failed + 1
        print(("not ok %s %s: %s"):format(p.name, what, ok2 and "invalid decision" or tostring(d)))
        return nil
      end
      return d
    end
    for i, t in ipairs(p.tests) do
      local f = { command = guess(t.sql), statement = t.sql, environment = t.environment, roles = { "u" },
        user = "u", source = "interactive", in_transaction_block = false, epoch = 1709649000,
        time = { year = 2024, month = 3, day = 5, hour = 14, minute = 30 } }
      merge(f, t.facts or {})
      local d = run(f, "test " .. i)
      local got = d and d.action or "none"
      if got == t.expect and (t.risk == nil or (d and d.risk == t.risk)) then agree = agree + 1 end
      -- robustness: the same with every fact of the wrong type, and with nothing
      local w = {}
      for k, v in pairs(f) do w[k] = v end
      for k, v in pairs(WEIRD) do w[k] = v end
      w.command = f.command
      run(w, "test " .. i .. " (wrong-typed facts)")
      run({ command = f.command }, "test " .. i .. " (only command)")
      run({ command = f.command, environment = f.environment, columns = { {}, { name = "x" } },
        constraints = { {} }, subcommands = { {}, { operation = "add_column" }, { operation = "set_not_null" } },
        operations = { "add_column", "rename", "drop_column", "set_unlogged" }, objects = { {} }, time = {} },
        "test " .. i .. " (hollow facts)")
    end
    run({}, "empty facts")
  end
  ::next_file::
end
local n = 0
for _ in pairs(checks) do n = n + 1 end
print(("%d runs, %d failed; %d distinct check ids; tests agreeing with minimal facts: %d"):format(total, failed, n, agree))
os.exit(failed == 0 and 0 or 1)
