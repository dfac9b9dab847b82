--[[
maintenance_window.lua -- policy "maintenance_window"

Production schema changes belong in the maintenance window.  Outside it, a
change is queued (an approver decides to run it now or later); heavy
changes (destructive, table rewrites, long ACCESS EXCLUSIVE locks on large
tables) are rejected outside the window so they cannot be approved into
peak hours by accident.

Time comes from the facts: `time` (a table with year, month, day, hour,
minute -- or min/sec -- in the environment's configured time zone, or an
ISO text "YYYY-MM-DD HH:MM..."), else `epoch` (Unix seconds, read as UTC +
UTC_OFFSET_MINUTES).  The weekday is computed from the date (1 = Monday ..
7 = Sunday), so no weekday convention is assumed.

Checks
  maintenance-window               prod DDL outside every window     queue/high
  maintenance-window-heavy         destructive / rewriting / long-lock DDL
                                   outside every window              reject/high
                                   (not rewriting or locking a table the
                                   same script created before and that is
                                   still empty: fact created_in_script)
  maintenance-window-unknown-time  no usable time fact: fail safe    queue/moderate
Inside a window: no opinion.  Environments not in WINDOW_TIERS (dev, test,
stage by default): no opinion.  EXEMPT_COMMANDS (COMMENT, ANALYZE, plain
VACUUM, ...) are never held back.

Settings: WINDOWS (days 1-7, "HH:MM" from/to; to < from wraps past
midnight, the part after midnight belongs to the next day), WINDOW_TIERS,
OUTSIDE_ACTION, HEAVY_ACTION, LARGE_TABLE_ROWS/BYTES, UTC_OFFSET_MINUTES.
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local ipairs, string, tonumber, type = ipairs, string, tonumber, type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"
local WINDOWS = {
  { days = { 1, 2, 3, 4, 5, 6, 7 }, from = "22:00", to = "06:00" },  -- every night
  { days = { 6, 7 }, from = "00:00", to = "24:00" },                  -- all weekend
}
local WINDOW_TIERS = { prod = true }
local OUTSIDE_ACTION = { "queue", "high" }
local HEAVY_ACTION = { "reject", "high" }
local UNKNOWN_TIME_ACTION = { "queue", "moderate" }
local LARGE_TABLE_ROWS  = 100000
local LARGE_TABLE_BYTES = 100 * 1024 * 1024
local UTC_OFFSET_MINUTES = 0
local EXEMPT_COMMANDS = {
  ["COMMENT"] = true, ["ANALYZE"] = true, ["SECURITY LABEL"] = true,
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
-- compile the windows once: day sets and minutes
local W = {}
for i = 1, #WINDOWS do
  local days = {}
  for _, dd in ipairs(WINDOWS[i].days) do days[dd] = true end
  W[i] = { days = days, from = hhmm(WINDOWS[i].from), to = hhmm(WINDOWS[i].to) }
end

local function in_window(now)
  local prev = (now.wday + 5) % 7 + 1
  for i = 1, #W do
    local w = W[i]
    if w.from < w.to then
      if w.days[now.wday] and now.minute >= w.from and now.minute < w.to then return true end
    else -- wraps past midnight
      if (w.days[now.wday] and now.minute >= w.from) or (w.days[prev] and now.minute < w.to) then return true end
    end
  end
  return false
end

local function heavy(c)
  if c.destructive == true then return true end
  -- a table created earlier in the same script, still empty (created_in_script):
  -- rewriting or locking it costs nothing and blocks nobody
  if c.created_in_script == true then return false end
  if c.rewrites_table == true then return true end
  if c.lock == "ACCESS EXCLUSIVE" or c.scans_table == true then
    -- the whole reach: partitions and inheritance children are locked too
    local r, b = tonumber(c.total_rows or c.table_rows), tonumber(c.total_bytes or c.table_bytes)
    return (r ~= nil and r >= LARGE_TABLE_ROWS) or (b ~= nil and b >= LARGE_TABLE_BYTES)
  end
  return false
end

-- Policy ----------------------------------------------------------------------
return {
  name = "maintenance_window",
  description = "Production DDL outside the maintenance window is queued; heavy changes outside it are rejected.",

  -- The window binds only WINDOW_TIERS: in any other environment, and for
  -- exempt commands, the engine does not call check().
  applies = function(command, environment)
    local tier = TIERS[environment] or TIERS[environment:lower()] or UNKNOWN_ENVIRONMENT
    return not EXEMPT_COMMANDS[command] and WINDOW_TIERS[tier]
  end,

  check = function(c)
    local cmd = c.command
    if type(cmd) ~= "string" or EXEMPT_COMMANDS[cmd] then return nil end
    if cmd == "VACUUM" and c.full ~= true then return nil end
    if not WINDOW_TIERS[tier_of(c)] then return nil end
    local now = when(c)
    if not now then
      return { action = UNKNOWN_TIME_ACTION[1], risk = UNKNOWN_TIME_ACTION[2],
               reason = "maintenance-window-unknown-time: the time of the change is unknown; cannot tell whether it is inside the maintenance window" }
    end
    if in_window(now) then return nil end
    local at = string.format("%04d-%02d-%02d %02d:%02d", now.year, now.month, now.day, now.minute // 60, now.minute % 60)
    if heavy(c) then
      return { action = HEAVY_ACTION[1], risk = HEAVY_ACTION[2],
               reason = "maintenance-window-heavy: " .. cmd .. " is destructive or locks/rewrites a large table; run it inside the maintenance window (now " .. at .. ")" }
    end
    return { action = OUTSIDE_ACTION[1], risk = OUTSIDE_ACTION[2],
             reason = "maintenance-window: " .. cmd .. " outside the maintenance window (now " .. at .. "); approve to run it anyway" }
  end,

  tests = {
    -- 2024-03-05 is a Tuesday, 2024-03-09 a Saturday
    { sql = "CREATE TABLE pt_w (id bigint PRIMARY KEY)", environment = "prod", expect = "queue", risk = "high",
      facts = { time = { year = 2024, month = 3, day = 5, hour = 14, minute = 30 } } },
    { sql = "CREATE TABLE pt_w (id bigint PRIMARY KEY)", environment = "prod", expect = "none",
      facts = { time = { year = 2024, month = 3, day = 5, hour = 23, minute = 15 } } },
    { sql = "CREATE TABLE pt_w (id bigint PRIMARY KEY)", environment = "prod", expect = "none",
      facts = { time = { year = 2024, month = 3, day = 6, hour = 5, minute = 59 } } },
    { sql = "CREATE TABLE pt_w (id bigint PRIMARY KEY)", environment = "prod", expect = "queue",
      facts = { time = { year = 2024, month = 3, day = 6, hour = 6, minute = 0 } } },
    { sql = "CREATE TABLE pt_w (id bigint PRIMARY KEY)", environment = "prod", expect = "none",
      facts = { time = { year = 2024, month = 3, day = 9, hour = 14, minute = 0 } } },
    { sql = "CREATE TABLE pt_w (id bigint PRIMARY KEY)", environment = "prod", expect = "queue",
      facts = { time = "2024-03-05T14:30:00+00:00" } },
    { sql = "CREATE TABLE pt_w (id bigint PRIMARY KEY)", environment = "prod", expect = "queue",
      facts = { time = "not a time", epoch = 1709649000 } },  -- 2024-03-05 14:30 UTC
    { sql = "CREATE TABLE pt_w (id bigint PRIMARY KEY)", environment = "prod", expect = "none",
      facts = { time = "not a time", epoch = 1709679600 } },  -- 2024-03-05 23:00 UTC
    { sql = "CREATE TABLE pt_w (id bigint PRIMARY KEY)", environment = "prod", expect = "queue", risk = "moderate",
      facts = { time = "not a time", epoch = "unknown" } },
    { sql = "DROP TABLE pt_w", environment = "prod", expect = "reject", risk = "high",
      facts = { time = { year = 2024, month = 3, day = 5, hour = 14, minute = 30 } } },
    { sql = "ALTER TABLE pt_w ALTER COLUMN id TYPE numeric", environment = "prod", expect = "reject",
      facts = { time = { year = 2024, month = 3, day = 5, hour = 14, minute = 30 } } },
    -- a table the same script creates before (created_in_script): not heavy, only outside the window
    { sql = "ALTER TABLE pt_w ALTER COLUMN id TYPE numeric", environment = "prod", expect = "queue", risk = "high",
      facts = { created_in_script = true, time = { year = 2024, month = 3, day = 5, hour = 14, minute = 30 } } },
    { sql = "ALTER TABLE pt_w DROP COLUMN id", environment = "prod", expect = "reject", risk = "high",
      facts = { created_in_script = true, time = { year = 2024, month = 3, day = 5, hour = 14, minute = 30 } } },
    { sql = "DROP TABLE pt_w", environment = "prod", expect = "none",
      facts = { time = { year = 2024, month = 3, day = 10, hour = 14, minute = 30 } } },
    { sql = "DROP TABLE pt_w", environment = "stage", expect = "none",
      facts = { time = { year = 2024, month = 3, day = 5, hour = 14, minute = 30 } } },
    { sql = "COMMENT ON TABLE pt_w IS 'x'", environment = "prod", expect = "none",
      facts = { time = { year = 2024, month = 3, day = 5, hour = 14, minute = 30 } } },
  },
}
