--[[
column_types.lua -- policy "column_types"

Column type conventions for new columns (CREATE TABLE, ADD COLUMN, ALTER
COLUMN TYPE, composite types, domains).  squawk: ban-char-field,
prefer-text-field, prefer-timestamptz, prefer-bigint-over-int,
prefer-bigint-over-smallint, prefer-big-int, prefer-identity; Bytebase:
column.type-disallow-list, index.primary-key-type-allowlist.

Checks (severity)
  ban-char-field               char(n)/character(n): blank-padded, no faster
                               than text                                   (caution)
  prefer-text-field            varchar(n): changing n later takes a lock;
                               use text with a CHECK on length             (advice)
  prefer-timestamptz           timestamp without time zone loses the offset (caution)
  prefer-bigint-over-int       int/integer columns run out at 2^31         (advice)
  prefer-bigint-over-smallint  smallint columns run out at 32767           (advice)
  prefer-big-int               serial / smallserial (4- and 2-byte sequences) (advice)
  prefer-identity              serial types instead of GENERATED ... AS IDENTITY (advice)
  int-primary-key              a primary key of int/smallint/serial/smallserial:
                               ids will run out                            (caution)
  prefer-jsonb                 json instead of jsonb                       (advice)
  column-type-disallow-list    a type from DISALLOWED_TYPES                (caution)

Behaviour per environment (action / risk by severity)
              dev          test         stage             prod
  advice      approve/low  approve/low  approve/low       approve/low
  caution     approve/low  approve/low  approve/moderate  queue/moderate

PostgreSQL type advice: MySQL-dialect changes (dialect = "mysql") get no
opinion from this policy (varchar(n) and int are the right choices there).

Settings: DISALLOWED_TYPES (type name -> why).
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local pairs, tostring, type = pairs, tostring, type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"
local DISALLOWED_TYPES = {
  money = "money depends on lc_monetary and rounds; use numeric",
  timetz = "time with time zone cannot handle DST; use timestamptz",
}

-- Helpers ---------------------------------------------------------------------
local ADVICE, CAUTION = 1, 2
local MAP = {
  dev   = { { "approve", "low" }, { "approve", "low" } },
  test  = { { "approve", "low" }, { "approve", "low" } },
  stage = { { "approve", "low" }, { "approve", "moderate" } },
  prod  = { { "approve", "low" }, { "queue", "moderate" } },
}
local TIERS = {
  dev = "dev", development = "dev", ["local"] = "dev", sandbox = "dev",
  test = "test", testing = "test", qa = "test", ci = "test",
  stage = "stage", staging = "stage", preprod = "stage", uat = "stage",
  prod = "prod", production = "prod", prd = "prod", live = "prod",
}
local ARANK = { approve = 1, queue = 2, reject = 3 }
local RRANK = { low = 1, moderate = 2, high = 3, critical = 4 }

local function tier_of(c)
  local e = c.environment
  local t = TIERS[e]            -- a known name (nil reads nothing): no type() call
  if t then return t end
  if type(e) ~= "string" then return UNKNOWN_ENVIRONMENT end
  return TIERS[e:lower()] or UNKNOWN_ENVIRONMENT
end

local function add(d, tier, sev, id, msg)
  local m = MAP[tier][sev]
  if d == nil then return { action = m[1], risk = m[2], reason = id .. ": " .. msg } end
  if ARANK[m[1]] > ARANK[d.action] then d.action = m[1] end
  if RRANK[m[2]] > RRANK[d.risk] then d.risk = m[2] end
  d.reason = d.reason .. "; " .. id .. ": " .. msg
  return d
end

local SMALL_SERIAL = { serial = true, smallserial = true, serial4 = true, serial2 = true }
local SERIAL = { serial = true, smallserial = true, bigserial = true, serial4 = true, serial2 = true, serial8 = true }
local INT_PK = { int4 = true, int2 = true, serial = true, smallserial = true, serial4 = true, serial2 = true }

-- Every type check_type can say something about: any other type has no finding
-- (or a serial column of any type; pk only matters for the INT_PK types).
local FLAGGED = { bpchar = true, varchar = true, timestamp = true, json = true, int4 = true, int2 = true }
for t in pairs(DISALLOWED_TYPES) do FLAGGED[t] = true end
for t in pairs(SERIAL) do FLAGGED[t] = true end
for t in pairs(INT_PK) do FLAGGED[t] = true end

-- Findings for one column: name, type (normalised by the classifier), serial, pk, typmods.
local function check_type(d, tier, cname, t, is_serial, pk, typmods)
  if type(t) ~= "string" then return d end
  if not FLAGGED[t] and not is_serial then return d end   -- most columns: nothing to build
  local col = "column " .. tostring(cname)
  if t == "bpchar" then
    d = add(d, tier, CAUTION, "ban-char-field", col .. " is char(n): blank-padded and no faster; use text (with a CHECK on length)")
  elseif t == "varchar" and type(typmods) == "table" and #typmods > 0 then
    d = add(d, tier, ADVICE, "prefer-text-field", col .. " is varchar(n): raising n later locks the table; use text with a CHECK")
  elseif t == "timestamp" then
    d = add(d, tier, CAUTION, "prefer-timestamptz", col .. " is timestamp without time zone; use timestamptz")
  elseif t == "json" then
    d = add(d, tier, ADVICE, "prefer-jsonb", col .. " is json; jsonb is smaller to query and indexable")
  elseif DISALLOWED_TYPES[t] then
    d = add(d, tier, CAUTION, "column-type-disallow-list", col .. " is " .. t .. ": " .. DISALLOWED_TYPES[t])
  end
  if pk and INT_PK[t] then
    d = add(d, tier, CAUTION, "int-primary-key", col .. " is a " .. t .. " primary key: ids run out at 2^31; use bigint")
  elseif t == "int4" then
    d = add(d, tier, ADVICE, "prefer-bigint-over-int", col .. " is integer; bigint avoids overflow later")
  elseif t == "int2" then
    d = add(d, tier, ADVICE, "prefer-bigint-over-smallint", col .. " is smallint; bigint avoids overflow later")
  end
  if is_serial or SERIAL[t] then
    if SMALL_SERIAL[t] then
      d = add(d, tier, ADVICE, "prefer-big-int", col .. " is " .. t .. " (a 4- or 2-byte sequence); use bigint")
    end
    d = add(d, tier, ADVICE, "prefer-identity", col .. " is " .. t .. "; use bigint GENERATED BY DEFAULT AS IDENTITY")
  end
  return d
end

local function list(v) return type(v) == "table" and v or {} end

local WATCHED = {
  ["CREATE TABLE"] = true, ["ALTER TABLE"] = true, ["CREATE TYPE"] = true,
  ["ALTER TYPE"] = true, ["CREATE DOMAIN"] = true, ["CREATE FOREIGN TABLE"] = true,
}

local WATCHED_COMMANDS = {}
for cmd in pairs(WATCHED) do WATCHED_COMMANDS[#WATCHED_COMMANDS + 1] = cmd end

-- Policy ----------------------------------------------------------------------
return {
  name = "column_types",
  description = "Column type conventions: no char(n), varchar(n), timestamp, json, int/serial keys; identity over serial; a configurable disallow list.",
  -- check() judges only these statements; the engine skips it for the rest
  commands = WATCHED_COMMANDS,

  check = function(c)
    if not WATCHED[c.command] or c.dialect == "mysql" then return nil end
    -- CREATE TABLE IF NOT EXISTS of a name taken (adds_nothing): PostgreSQL skips it
    if c.adds_nothing == true then return nil end
    local tier = tier_of(c)
    local d = nil
    local cols = list(c.columns)
    for i = 1, #cols do
      local col = cols[i]
      -- ADD COLUMN IF NOT EXISTS of a column that is there (adds_nothing): chooses nothing
      if type(col) == "table" and col.adds_nothing ~= true then
        d = check_type(d, tier, col.name, col.type, col.serial == true, col.primary_key == true, col.typmods)
      end
    end
    local subs = list(c.subcommands)
    for i = 1, #subs do
      local s = subs[i]
      -- a type restated as it is (type_unchanged) chooses nothing: judged when the column was made
      if type(s) == "table" and s.operation == "alter_column_type" and s.type_unchanged ~= true then
        d = check_type(d, tier, s.name, s.type, false, false, s.typmods)
      end
    end
    if c.command == "CREATE DOMAIN" then
      d = check_type(d, tier, "of domain " .. tostring(c.name), c.type, false, false, c.typmods)
    end
    return d
  end,

  tests = {
    -- IF NOT EXISTS of a column or table that is there (adds_nothing): the statement chooses no type
    { sql = "ALTER TABLE pt_a ADD COLUMN IF NOT EXISTS qty integer", environment = "prod", expect = "none",
      facts = { columns = { { name = "qty", type = "int4", typmods = {}, adds_nothing = true } } } },
    { sql = "ALTER TABLE pt_a ADD COLUMN IF NOT EXISTS at timestamp", environment = "prod", expect = "queue", risk = "moderate",
      facts = { columns = { { name = "at", type = "timestamp", typmods = {}, adds_nothing = false } } } },
    { sql = "CREATE TABLE IF NOT EXISTS pt_a (id serial PRIMARY KEY, at timestamp)", environment = "prod", expect = "none",
      facts = { adds_nothing = true } },
    { sql = "CREATE TABLE pt_a (id bigint PRIMARY KEY, code char(3))", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "CREATE TABLE pt_a (id bigint PRIMARY KEY, code char(3))", environment = "dev", expect = "approve", risk = "low" },
    { sql = "CREATE TABLE pt_a (id bigint PRIMARY KEY, email varchar(255))", environment = "prod", expect = "approve", risk = "low" },
    { sql = "CREATE TABLE pt_a (id bigint PRIMARY KEY, email varchar)", environment = "prod", expect = "none" },
    { sql = "CREATE TABLE pt_a (id bigint PRIMARY KEY, at timestamp)", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "CREATE TABLE pt_a (id bigint PRIMARY KEY, at timestamp with time zone)", environment = "prod", expect = "none" },
    { sql = "CREATE TABLE pt_a (id bigint PRIMARY KEY, qty integer)", environment = "prod", expect = "approve", risk = "low" },
    { sql = "CREATE TABLE pt_a (id bigint PRIMARY KEY, qty smallint)", environment = "stage", expect = "approve", risk = "low" },
    { sql = "CREATE TABLE pt_a (id serial PRIMARY KEY)", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "CREATE TABLE pt_a (id bigserial PRIMARY KEY)", environment = "prod", expect = "approve", risk = "low" },
    { sql = "CREATE TABLE pt_a (id int PRIMARY KEY)", environment = "stage", expect = "approve", risk = "moderate" },
    { sql = "CREATE TABLE pt_a (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)", environment = "prod", expect = "none" },
    { sql = "CREATE TABLE pt_a (id bigint PRIMARY KEY, doc json)", environment = "prod", expect = "approve", risk = "low" },
    { sql = "CREATE TABLE pt_a (id bigint PRIMARY KEY, price money)", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "ALTER TABLE pt_a ADD COLUMN created timestamp", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "ALTER TABLE pt_a ALTER COLUMN code TYPE char(5)", environment = "prod", expect = "queue", risk = "moderate" },
    -- restated as it is (type_unchanged): the statement chooses no type; the column was judged when it was made
    { sql = "ALTER TABLE pt_a ALTER COLUMN code TYPE char(5)", environment = "prod", expect = "none",
      facts = { subcommands = { { operation = "alter_column_type", name = "code", type = "bpchar", typmods = { 5 },
        type_unchanged = true } } } },
    { sql = "ALTER TABLE pt_a ALTER COLUMN code TYPE char(5)", environment = "prod", expect = "queue", risk = "moderate",
      facts = { subcommands = { { operation = "alter_column_type", name = "code", type = "bpchar", typmods = { 5 },
        type_unchanged = false } } } },
    { sql = "ALTER TABLE pt_a ALTER COLUMN code TYPE text", environment = "prod", expect = "none" },
    { sql = "CREATE DOMAIN pt_code AS char(4)", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "CREATE TABLE pt_a (id bigint PRIMARY KEY, email varchar(255))", environment = "prod", expect = "none",
      facts = { dialect = "mysql" } },
  },
}
