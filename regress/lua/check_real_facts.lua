-- check_real_facts.lua: run every policy test against facts produced by the real classifier
-- (see against_classifier.sh); ALL=1 prints every decision with its reasons.
local real = dofile(assert(os.getenv("FACTS"), "set FACTS to the facts file"))
local function ro(t)
  if type(t) ~= "table" then return t end
  local r = {}
  for k, v in pairs(t) do r[k] = ro(v) end
  return setmetatable({}, { __index = r, __newindex = function() error("ro") end, __len = function() return #r end,
    __pairs = function() return next, r, nil end })
end
local function copy(t) if type(t) ~= "table" then return t end local o = {} for k, v in pairs(t) do o[k] = copy(v) end return o end
local function merge(dst, src)
  for k, v in pairs(src) do
    if type(v) == "table" and v[1] == nil and type(dst[k]) == "table" then merge(dst[k], v) else dst[k] = copy(v) end
  end
end
local policies, fails, n = {}, 0, 0
for _, r in ipairs(real) do
  local p = policies[r.path]
  if not p then
    local env = { ipairs = ipairs, pairs = pairs, type = type, tostring = tostring, tonumber = tonumber, string = string,
      table = table, math = math, utf8 = utf8, error = error, select = select, rawget = rawget, rawlen = rawlen }
    p = load(io.open(r.path):read("a"), "@" .. r.path, "t", env)()
    policies[r.path] = p
  end
  local t = p.tests[r.idx]
  local f = copy(r.facts)
  f.environment = t.environment
  f.time = { year = 2024, month = 3, day = 5, hour = 14, minute = 30 }
  merge(f, t.facts or {})
  n = n + 1
  local ok, d = pcall(p.check, ro(f))
  local got = ok and (d and d.action or "none") or ("ERROR " .. tostring(d))
  local risk = ok and d and d.risk or nil
  if os.getenv("ALL") then print(("%s #%d [%s] %s => %s/%s :: %s"):format(p.name, r.idx, t.environment, t.sql:sub(1,70), got, tostring(risk), ok and d and d.reason or "")) end
  if got ~= t.expect or (t.risk and risk ~= t.risk) then
    fails = fails + 1
    print(("FAIL %s #%d [%s] %s: expected %s/%s got %s/%s\n   %s"):format(p.name, r.idx, t.environment, t.sql:sub(1, 90),
      t.expect, tostring(t.risk), got, tostring(risk), ok and d and d.reason or ""))
  end
end
print(n .. " tests, " .. fails .. " failed")
