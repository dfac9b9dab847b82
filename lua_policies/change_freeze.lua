--[[
change_freeze.lua -- policy "change_freeze"

Change freezes: periods when production must not change (year-end, a
product launch, an audit), and a recurring weekly freeze ("no changes on
Friday afternoon").  During a freeze, prod changes are rejected and stage
changes queued; members of an EMERGENCY_ROLES role get a queue with the
"emergency" approval flow instead of a reject, so a hot fix is still
possible with review.

Time comes from the facts like in maintenance_window.lua: `time` (table
with year/month/day/hour/minute in the environment's time zone, or ISO
text), else `epoch` (UTC + UTC_OFFSET_MINUTES).  Weekdays: 1 = Monday .. 7 =
Sunday, computed from the date.

Checks
  change-freeze     the date is inside a FREEZES period ("MM-DD" every year,
                    or "YYYY-MM-DD" once; both ends inclusive; a yearly
                    period may wrap the new year)
  weekly-freeze     the time is inside a WEEKLY_FREEZES slot
  freeze-emergency  a freeze applies but the user holds an EMERGENCY_ROLES
                    role: queued for the emergency flow instead of rejected

Behaviour per environment (action / risk)
              dev    test   stage            prod
  freeze      -      -      queue/high       reject/high
  emergency   -      -      queue/critical   queue/critical (flow "emergency")
No opinion outside freezes, in dev/test, for EXEMPT_COMMANDS, or when the
time is unknown (maintenance_window.lua already fails safe on that).

Settings: FREEZES, WEEKLY_FREEZES, FREEZE_ACTIONS, EMERGENCY_ROLES,
EMERGENCY_FLOW, UTC_OFFSET_MINUTES.
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local string, tonumber, tostring, type = string, tonumber, tostring, type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"
local FREEZES = {
  { from = "12-20", to = "01-02", reason = "year-end change freeze" },
  -- { from = "2025-11-26", to = "2025-12-01", reason = "Black Friday" },
}
local WEEKLY_FREEZES = {
  { day = 5, from = "15:00", to = "24:00", reason = "no production changes on Friday afternoon" },
}
local FREEZE_ACTIONS = { prod = { "reject", "high" }, stage = { "queue", "high" } }
local EMERGENCY_ROLES = { "dbchange_emergency" }
local EMERGENCY_FLOW = "emergency"
local UTC_OFFSET_MINUTES = 0
local EXEMPT_COMMANDS = {
  ["COMMENT"] = true, ["ANALYZE"] = true, ["VACUUM"] = true, ["SECURITY LABEL"] = true,
  ["BEGIN"] = true, ["COMMIT"] = true, ["ROLLBACK"] = true, ["SET"] = true, ["SHOW"] = true,
  ["SELECT"] = true, ["INSERT"] = true, ["UPDATE"] = true, ["DELETE"] = true,
}

-- Helpers ---------------------------------------------------------------------
local TIERS = {
  dev = "dev", development = "dev", ["local"] = "dev", sandbox = "dev",
  test = "test", testing = "test", qa = "test", ci = "test",
  stage = "stage", staging = "stage", preprod = "stage", uat = "stage",
  prod = "prod", production = "prod", prd = "prod", live = "prod",
}
local function tier_of(c)
  local e = c.environment
  local t = TIERS[e]            -- a known name (nil reads nothing): no type() call
  if t then return t end
  if type(e) ~= "string" then return UNKNOWN_ENVIRONMENT end
  return TIERS[e:lower()] or UNKNOWN_ENVIRONMENT
end

-- days since 1970-01-01 <-> civil date (proleptic Gregorian)
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (m > 2 and m - 3 or m + 9) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end
local function civil_from_days(z)
  z = z + 719468
  local era = (z >= 0 and z or z - 146096) // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  return yoe + era * 400 + (m <= 2 and 1 or 0), m, d
end

-- { year, month, day, minute_of_day, wday (1 = Monday) } or nil
local function when(c)
  local y, mo, d, h, mi
  local t = c.time
  if type(t) == "table" then
    y, mo, d = tonumber(t.year), tonumber(t.month), tonumber(t.day)
    h, mi = tonumber(t.hour), tonumber(t.minute or t.min)
    if not (y and mo and d and h) then
      t = t.iso or t.text or t["local"] or t.timestamp
    end
  end
  if type(t) == "string" then
    local a, b, e, f, g = t:match("^(%d%d%d%d)-(%d%d)-(%d%d)[T ](%d%d):(%d%d)")
    if a then y, mo, d, h, mi = tonumber(a), tonumber(b), tonumber(e), tonumber(f), tonumber(g) end
  end
  if not (y and mo and d and h) then
    local ep = tonumber(type(t) == "number" and t or c.epoch)
    if not ep then return nil end
    ep = ep // 60 + UTC_OFFSET_MINUTES
    local days = ep // 1440
    y, mo, d = civil_from_days(days)
    h, mi = (ep % 1440) // 60, ep % 60
  end
  if mo < 1 or mo > 12 or d < 1 or d > 31 or h < 0 or h > 24 then return nil end
  local days = days_from_civil(y, mo, d)
  return { year = y, month = mo, day = d, minute = h * 60 + (mi or 0), wday = (days + 3) % 7 + 1 }
end

local function hhmm(s)
  local h, m = s:match("^(%d+):(%d+)$")
  return tonumber(h) * 60 + tonumber(m)
end

-- compile the periods once: yearly ones as month*100+day, dated ones as YYYYMMDD
local F = {}
for i = 1, #FREEZES do
  local f = FREEZES[i]
  local fy, fm, fd = f.from:match("^(%d%d%d%d)-(%d%d)-(%d%d)$")
  local ty, tm, td = f.to:match("^(%d%d%d%d)-(%d%d)-(%d%d)$")
  if fy and ty then
    F[#F + 1] = { dated = true, from = tonumber(fy .. fm .. fd), to = tonumber(ty .. tm .. td), reason = f.reason }
  else
    local am, ad = f.from:match("^(%d%d)-(%d%d)$")
    local bm, bd = f.to:match("^(%d%d)-(%d%d)$")
    if am and bm then
      F[#F + 1] = { dated = false, from = tonumber(am .. ad), to = tonumber(bm .. bd), reason = f.reason }
    end
  end
end
local WF = {}
for i = 1, #WEEKLY_FREEZES do
  local w = WEEKLY_FREEZES[i]
  WF[i] = { day = w.day, from = hhmm(w.from), to = hhmm(w.to), reason = w.reason }
end

local function freeze_reason(now)
  local md = now.month * 100 + now.day
  local ymd = now.year * 10000 + md
  for i = 1, #F do
    local f = F[i]
    if f.dated then
      if ymd >= f.from and ymd <= f.to then return "change-freeze", f.reason end
    elseif f.from <= f.to then
      if md >= f.from and md <= f.to then return "change-freeze", f.reason end
    elseif md >= f.from or md <= f.to then
      return "change-freeze", f.reason
    end
  end
  for i = 1, #WF do
    local w = WF[i]
    if now.wday == w.day and now.minute >= w.from and now.minute < w.to then return "weekly-freeze", w.reason end
  end
  return nil
end

local function has_role(c, wanted)
  local roles = c.roles
  if type(roles) ~= "table" then return false end
  for i = 1, #roles do
    for j = 1, #wanted do
      if roles[i] == wanted[j] then return true end
    end
  end
  return false
end

-- Policy ----------------------------------------------------------------------
return {
  name = "change_freeze",
  description = "Change freezes (yearly and dated periods, weekly slots): prod changes rejected, stage queued; emergency role gets the emergency flow.",

  -- A freeze binds only the tiers FREEZE_ACTIONS names: in any other
  -- environment, and for exempt commands, the engine does not call check().
  applies = function(command, environment)
    local tier = TIERS[environment] or TIERS[environment:lower()] or UNKNOWN_ENVIRONMENT
    return not EXEMPT_COMMANDS[command] and FREEZE_ACTIONS[tier] ~= nil
  end,

  check = function(c)
    local cmd = c.command
    if type(cmd) ~= "string" or EXEMPT_COMMANDS[cmd] then return nil end
    local act = FREEZE_ACTIONS[tier_of(c)]
    if not act then return nil end
    local now = when(c)
    if not now then return nil end
    local id, why = freeze_reason(now)
    if not id then return nil end
    if has_role(c, EMERGENCY_ROLES) then
      return { action = "queue", risk = "critical", flow = EMERGENCY_FLOW,
               reason = "freeze-emergency: " .. why .. "; emergency change by " .. tostring(c.user) .. " needs the " .. EMERGENCY_FLOW .. " approval flow" }
    end
    return { action = act[1], risk = act[2], reason = id .. ": " .. why .. " (" ..
      string.format("%04d-%02d-%02d %02d:%02d", now.year, now.month, now.day, now.minute // 60, now.minute % 60) .. ")" }
  end,

  tests = {
    { sql = "CREATE TABLE pt_f (id bigint PRIMARY KEY)", environment = "prod", expect = "reject", risk = "high",
      facts = { time = { year = 2024, month = 12, day = 24, hour = 10, minute = 0 } } },
    { sql = "CREATE TABLE pt_f (id bigint PRIMARY KEY)", environment = "prod", expect = "reject",
      facts = { time = { year = 2025, month = 1, day = 2, hour = 10, minute = 0 } } },
    { sql = "CREATE TABLE pt_f (id bigint PRIMARY KEY)", environment = "prod", expect = "none",
      facts = { time = { year = 2025, month = 1, day = 3, hour = 10, minute = 0 } } },
    { sql = "CREATE TABLE pt_f (id bigint PRIMARY KEY)", environment = "stage", expect = "queue", risk = "high",
      facts = { time = { year = 2024, month = 12, day = 24, hour = 10, minute = 0 } } },
    { sql = "CREATE TABLE pt_f (id bigint PRIMARY KEY)", environment = "dev", expect = "none",
      facts = { time = { year = 2024, month = 12, day = 24, hour = 10, minute = 0 } } },
    -- 2024-03-08 is a Friday
    { sql = "CREATE TABLE pt_f (id bigint PRIMARY KEY)", environment = "prod", expect = "reject",
      facts = { time = { year = 2024, month = 3, day = 8, hour = 16, minute = 0 } } },
    { sql = "CREATE TABLE pt_f (id bigint PRIMARY KEY)", environment = "prod", expect = "none",
      facts = { time = { year = 2024, month = 3, day = 8, hour = 14, minute = 59 } } },
    { sql = "CREATE TABLE pt_f (id bigint PRIMARY KEY)", environment = "prod", expect = "queue", risk = "critical",
      facts = { time = { year = 2024, month = 12, day = 24, hour = 10, minute = 0 }, roles = { "alice", "dbchange_emergency" } } },
    { sql = "COMMENT ON TABLE pt_f IS 'x'", environment = "prod", expect = "none",
      facts = { time = { year = 2024, month = 12, day = 24, hour = 10, minute = 0 } } },
    { sql = "CREATE TABLE pt_f (id bigint PRIMARY KEY)", environment = "prod", expect = "reject",
      facts = { time = "2024-12-31 23:59:00" } },
  },
}
