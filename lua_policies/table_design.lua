--[[
table_design.lua -- policy "table_design"

Schema design rules from Bytebase's PostgreSQL SQL review: table.require-pk,
column.required, table.no-foreign-key (in safe_constraints.lua),
statement.create-specify-schema, table.comment / column.comment length,
table.disallow-partition, plus unlogged tables (and MySQL's MEMORY
tables), CREATE TABLE AS and inheritance.

PostgreSQL writes comments with a separate COMMENT ON statement, so "every
column has a comment" cannot be judged one statement at a time; this policy
checks the COMMENT statements themselves (not removed, not too long).

Checks (severity)
  table-requires-pk       CREATE TABLE without a PRIMARY KEY (partitions and
                          temporary tables excepted)                    (caution)
  required-columns        CREATE TABLE without every column of
                          REQUIRED_COLUMNS                               (advice)
  unlogged-table          CREATE UNLOGGED TABLE / SET UNLOGGED: data lost on
                          crash, not replicated                          (caution)
  memory-table            MySQL CREATE TABLE / ALTER TABLE ... ENGINE=MEMORY
                          (HEAP): the rows are lost at every restart of
                          the server (temporary tables excepted)         (caution)
  create-specify-schema   CREATE of a table/view/sequence/function/type whose
                          name is not schema-qualified: lands wherever the
                          search_path points (PostgreSQL only)           (advice)
  comment-removed         COMMENT ON ... IS NULL / ''                    (advice)
  comment-too-long        a comment longer than MAX_COMMENT_LENGTH       (advice)
  create-table-as         CREATE TABLE AS / SELECT INTO: no keys, no
                          constraints, a copy that drifts                (caution)
  table-inheritance       CREATE TABLE ... INHERITS: prefer declarative
                          partitioning                                   (advice)
  column-count-limit      a table with more than MAX_COLUMNS columns     (advice)
  table-disallow-partition  PARTITION BY (only when FORBID_PARTITIONING) (caution)
  column-alignment-padding  CREATE TABLE whose fixed-width columns, in the
                          order written, leave MIN_PADDING_BYTES or more of
                          alignment padding in every row (a boolean
                          between two bigints wastes 7); the reason gives
                          the order that needs none (Atlas's column
                          alignment rule)                                (advice)
  autovacuum-disabled     WITH / SET (autovacuum_enabled = false), also the
                          TOAST table's (fact storage_parameters): dead rows
                          are never cleaned up and the table bloats (caution)

Behaviour per environment (action / risk by severity)
              dev          test         stage             prod
  advice      approve/low  approve/low  approve/low       approve/low
  caution     approve/low  approve/low  approve/moderate  queue/moderate

Settings: REQUIRED_COLUMNS, MAX_COMMENT_LENGTH, MAX_COLUMNS, FORBID_PARTITIONING,
MIN_PADDING_BYTES.
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local pairs, string, table, tostring, type = pairs, string, table, tostring, type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"
local REQUIRED_COLUMNS = { "created_at" }
local MAX_COMMENT_LENGTH = 256
local MAX_COLUMNS = 64
local FORBID_PARTITIONING = false
local MIN_PADDING_BYTES = 8     -- column-alignment-padding from this many wasted bytes a row; nil: off

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

local function list(v) return type(v) == "table" and v or {} end

local function has(l, x)
  for i = 1, #l do if l[i] == x then return true end end
  return false
end

-- Does the statement text qualify the object's name with its schema?
-- Looks at what precedes the first mention of the name: schema. or "schema".
-- The name of a CREATE comes early, so the search starts on the statement's
-- first 256 bytes (lower-cased as a whole, a long statement was most of this
-- policy's cost) and reads backwards from the name byte by byte.
local SPACE = { [32] = true, [9] = true, [10] = true, [13] = true, [12] = true, [11] = true }
local DQUOTE, DOT = 34, 46
-- MySQL engines that keep a table's rows in memory only (HEAP: MEMORY's old name)
local MEMORY_ENGINES = { MEMORY = true, HEAP = true }

local function memory_table(c)
  return c.dialect == "mysql" and MEMORY_ENGINES[c.engine] == true
end

local function qualified(c)
  local s, schema, name = c.statement, c.schema, c.name
  if type(s) ~= "string" or type(schema) ~= "string" or type(name) ~= "string" then
    return true -- cannot tell: no finding
  end
  schema, name = schema:lower(), name:lower()
  local t = s:sub(1, 256):lower()
  local i = t:find(name, 1, true)
  if not i and #s > 256 then
    t = s:lower()
    i = t:find(name, 1, true)
  end
  if not i then return true end
  local j = i - 1
  if t:byte(j) == DQUOTE then j = j - 1 end           -- "name"
  while SPACE[t:byte(j)] do j = j - 1 end
  if t:byte(j) ~= DOT then return false end
  j = j - 1
  while SPACE[t:byte(j)] do j = j - 1 end
  if t:byte(j) == DQUOTE then                         -- "schema".name
    return j - #schema - 1 >= 1 and t:byte(j - #schema - 1) == DQUOTE and t:sub(j - #schema, j - 1) == schema
  end
  return j >= #schema and t:sub(j - #schema + 1, j) == schema
end

local QUALIFY = {
  ["CREATE TABLE"] = true, ["CREATE VIEW"] = true, ["CREATE MATERIALIZED VIEW"] = true,
  ["CREATE SEQUENCE"] = true, ["CREATE FUNCTION"] = true, ["CREATE PROCEDURE"] = true,
  ["CREATE TYPE"] = true, ["CREATE DOMAIN"] = true, ["CREATE TABLE AS"] = true,
}

local DESIGN_COMMANDS = { "COMMENT", "ALTER TABLE", "SELECT INTO", "ALTER MATERIALIZED VIEW" }

-- A storage parameter's boolean as PostgreSQL's parse_bool reads it: false,
-- off, no, 0 and their unambiguous prefixes ("f", "of", "n").
local FALSE_WORDS = { "false", "no" }
local function is_false(v)
  if type(v) ~= "string" then return false end
  v = v:lower()
  if v == "0" or v == "off" or v == "of" then return true end
  for i = 1, #FALSE_WORDS do
    if #v > 0 and FALSE_WORDS[i]:sub(1, #v) == v then return true end
  end
  return false
end

-- autovacuum switched off for the table or its TOAST table, or nil
local function autovacuum_off(c)
  local p = c.storage_parameters
  if type(p) ~= "table" then return nil end
  if is_false(p.autovacuum_enabled) then return "autovacuum_enabled" end
  if is_false(p["toast.autovacuum_enabled"]) then return "toast.autovacuum_enabled" end
  return nil
end
local AUTOVACUUM_WHY = ": autovacuum never removes its dead rows, so it bloats with every update and delete, " ..
  "and only the anti-wraparound vacuum still reaches it; tune autovacuum_vacuum_scale_factor / _threshold for it instead"
for cmd in pairs(QUALIFY) do DESIGN_COMMANDS[#DESIGN_COMMANDS + 1] = cmd end

-- Fixed-width types by the name the facts give (pg_type.typname): length and
-- alignment in bytes.  Variable-length types (text, numeric, arrays, jsonb
-- ...) are not listed: their place in a row depends on their values.
local FIXED = {
  bool = { 1, 1 }, char = { 1, 1 }, int2 = { 2, 2 }, int4 = { 4, 4 }, int8 = { 8, 8 },
  float4 = { 4, 4 }, float8 = { 8, 8 }, oid = { 4, 4 }, date = { 4, 4 }, time = { 8, 8 },
  timetz = { 12, 8 }, timestamp = { 8, 8 }, timestamptz = { 8, 8 }, interval = { 16, 8 },
  money = { 8, 8 }, uuid = { 16, 1 }, macaddr = { 6, 4 }, macaddr8 = { 8, 4 },
  serial = { 4, 4 }, bigserial = { 8, 8 }, smallserial = { 2, 2 },
}

-- Padding bytes a row of the fixed-width columns in this order needs.
local function padding(widths)
  local off, pad = 0, 0
  for i = 1, #widths do
    local len, align = widths[i][1], widths[i][2]
    local p = (align - off % align) % align
    pad, off = pad + p, off + p + len
  end
  return pad
end

-- column-alignment-padding: the fixed-width columns in the order written
-- against the same columns by alignment, widest first (where PostgreSQL
-- needs no padding between them); variable-length columns go after them.
local function column_padding(d, c, tier, cols)
  local widths, named = {}, {}
  for i = 1, #cols do
    local col = cols[i]
    local w = type(col) == "table" and FIXED[col.type]
    if w then
      widths[#widths + 1] = w
      named[#named + 1] = { w[2], #named, tostring(col.name) }
    end
  end
  if #widths < 3 then return d end
  local wasted = padding(widths)
  if wasted < MIN_PADDING_BYTES then return d end
  table.sort(named, function(a, b) if a[1] ~= b[1] then return a[1] > b[1] end return a[2] < b[2] end)
  local order = {}
  for i = 1, #named do order[i] = named[i][3] end
  return add(d, tier, ADVICE, "column-alignment-padding", "the fixed-width columns of " .. tostring(c.name) ..
    " in this order leave " .. wasted .. " bytes of alignment padding in every row; declared as " ..
    table.concat(order, ", ") .. " (widest alignment first), then the variable-length ones, they need none")
end

-- a CREATE TABLE with more columns than MAX_COLUMNS, for the tests
local function wide_table()
  local cols = { "id bigint PRIMARY KEY", "created_at timestamptz" }
  for i = 1, MAX_COLUMNS do cols[#cols + 1] = "c" .. i .. " text" end
  return "CREATE TABLE public.pt_wide (" .. table.concat(cols, ", ") .. ")"
end

-- Policy ----------------------------------------------------------------------
return {
  name = "table_design",
  description = "Table design rules (Bytebase SQL review): primary keys, required columns, schema-qualified names, comments, unlogged tables (MySQL: MEMORY tables), CREATE TABLE AS.",
  -- check() judges only these statements; the engine skips it for the rest
  commands = DESIGN_COMMANDS,

  check = function(c)
    local cmd = c.command
    local d = nil
    if cmd == "COMMENT" then
      local tier = tier_of(c)
      local txt = c.comment
      if txt == nil or txt == "" then
        d = add(d, tier, ADVICE, "comment-removed", "the comment on " .. tostring(c.identity) .. " is removed; keep objects documented")
      elseif type(txt) == "string" and #txt > MAX_COMMENT_LENGTH then
        d = add(d, tier, ADVICE, "comment-too-long", "the comment is " .. #txt .. " characters (limit " .. MAX_COMMENT_LENGTH .. ")")
      end
      return d
    end
    if cmd == "ALTER TABLE" or cmd == "ALTER MATERIALIZED VIEW" then
      -- storage_parameters only comes with SET/RESET (...): an absent field is asked of the loader each time
      local ops = list(c.operations)
      local av = (has(ops, "set_options") or has(ops, "reset_options")) and autovacuum_off(c)
      if av then
        d = add(d, tier_of(c), CAUTION, "autovacuum-disabled", "SET (" .. av .. " = false) on " .. tostring(c.identity) .. AUTOVACUUM_WHY)
      end
      if cmd ~= "ALTER TABLE" then return d end
      if has(ops, "set_unlogged") then
        return add(d, tier_of(c), CAUTION, "unlogged-table", tostring(c.identity) ..
          " becomes UNLOGGED: its data is lost after a crash and is not replicated")
      end
      if memory_table(c) and has(ops, "change_engine") then
        return add(d, tier_of(c), CAUTION, "memory-table", tostring(c.identity) ..
          " moves to ENGINE=MEMORY: its rows are kept in memory only and lost at every restart of the server")
      end
      return d
    end
    if not QUALIFY[cmd] and cmd ~= "SELECT INTO" then return nil end
    local tier = tier_of(c)
    if c.persistence == "temporary" then return nil end
    -- CREATE TABLE IF NOT EXISTS of a name taken (adds_nothing): PostgreSQL skips it
    if c.adds_nothing == true then return nil end

    if QUALIFY[cmd] and c.dialect ~= "mysql" and not qualified(c) then
      d = add(d, tier, ADVICE, "create-specify-schema", "name the schema of " .. tostring(c.name) ..
        " explicitly (" .. tostring(c.schema) .. "." .. tostring(c.name) .. ") so it cannot land in another schema by search_path")
    end
    local av = autovacuum_off(c)
    if av then
      d = add(d, tier, CAUTION, "autovacuum-disabled", "WITH (" .. av .. " = false) on " .. tostring(c.name) .. AUTOVACUUM_WHY)
    end
    if c.persistence == "unlogged" then
      d = add(d, tier, CAUTION, "unlogged-table", tostring(c.name) ..
        " is UNLOGGED: its data is lost after a crash and is not replicated")
    end
    if memory_table(c) and (cmd == "CREATE TABLE" or cmd == "CREATE TABLE AS") then
      d = add(d, tier, CAUTION, "memory-table", tostring(c.name) ..
        " is ENGINE=MEMORY: its rows are kept in memory only and lost at every restart of the server")
    end
    if cmd == "CREATE TABLE AS" or cmd == "SELECT INTO" then
      d = add(d, tier, CAUTION, "create-table-as", "CREATE TABLE AS / SELECT INTO makes a table without keys or constraints; " ..
        "create it explicitly and INSERT ... SELECT")
    elseif cmd == "CREATE TABLE" and c.partition_of == nil then
      if c.has_primary_key == false then
        d = add(d, tier, CAUTION, "table-requires-pk", "table " .. tostring(c.name) ..
          " has no primary key: rows cannot be addressed, logical replication cannot update them")
      end
      local cols = list(c.columns)
      if #REQUIRED_COLUMNS > 0 and c.columns ~= nil then
        local names = {}
        for i = 1, #cols do if type(cols[i]) == "table" and cols[i].name then names[cols[i].name] = true end end
        local missing = {}
        for i = 1, #REQUIRED_COLUMNS do
          if not names[REQUIRED_COLUMNS[i]] then missing[#missing + 1] = REQUIRED_COLUMNS[i] end
        end
        if #missing > 0 then
          d = add(d, tier, ADVICE, "required-columns", "table " .. tostring(c.name) .. " lacks the required column(s) " ..
            table.concat(missing, ", "))
        end
      end
      -- (at least three columns: two cannot waste MIN_PADDING_BYTES)
      if MIN_PADDING_BYTES and #cols >= 3 and c.dialect ~= "mysql" then
        d = column_padding(d, c, tier, cols)
      end
      if #cols > MAX_COLUMNS then
        d = add(d, tier, ADVICE, "column-count-limit", "table " .. tostring(c.name) .. " has " .. #cols ..
          " columns (limit " .. MAX_COLUMNS .. "); consider splitting it")
      end
      if #list(c.inherits) > 0 then
        d = add(d, tier, ADVICE, "table-inheritance", "INHERITS: prefer declarative partitioning (PARTITION BY)")
      end
      if FORBID_PARTITIONING and c.partitioned == true then
        d = add(d, tier, CAUTION, "table-disallow-partition", "partitioned tables are not allowed by this organisation's rules")
      end
    end
    return d
  end,

  tests = {
    -- CREATE TABLE IF NOT EXISTS of a name taken (adds_nothing): PostgreSQL skips it
    { sql = "CREATE TABLE IF NOT EXISTS pt_t (a int)", environment = "prod", expect = "none", facts = { adds_nothing = true } },
    { sql = "CREATE TABLE IF NOT EXISTS pt_t (a int)", environment = "prod", expect = "queue", risk = "moderate",
      facts = { adds_nothing = false } },
    { sql = "CREATE TABLE public.pt_t (id bigint PRIMARY KEY, created_at timestamptz)", environment = "prod", expect = "none" },
    -- alignment padding: bool, int8, bool, int8 wastes 7 + 7 bytes a row; widest first needs none
    { sql = "CREATE TABLE public.pt_t (id bigint PRIMARY KEY, active boolean, created_at timestamptz, deleted boolean, amount bigint)",
      environment = "prod", expect = "approve", risk = "low" },
    { sql = "CREATE TABLE public.pt_t (id bigint PRIMARY KEY, created_at timestamptz, amount bigint, active boolean, deleted boolean, note text)",
      environment = "prod", expect = "none" },
    { sql = "CREATE TABLE public.pt_t (id bigint PRIMARY KEY, active boolean, created_at timestamptz, note text)",
      environment = "prod", expect = "none" },
    { sql = "CREATE TABLE public.pt_t (id bigint, created_at timestamptz)", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "CREATE TABLE public.pt_t (id bigint, created_at timestamptz)", environment = "dev", expect = "approve", risk = "low" },
    { sql = "CREATE TABLE public.pt_t (id bigint, created_at timestamptz)", environment = "stage", expect = "approve", risk = "moderate" },
    { sql = "CREATE TABLE public.pt_t (id bigint PRIMARY KEY)", environment = "prod", expect = "approve", risk = "low" },
    { sql = "CREATE TABLE pt_t (id bigint PRIMARY KEY, created_at timestamptz)", environment = "prod", expect = "approve", risk = "low" },
    { sql = "CREATE UNLOGGED TABLE public.pt_t (id bigint PRIMARY KEY, created_at timestamptz)", environment = "prod",
      expect = "queue", risk = "moderate" },
    { sql = "ALTER TABLE public.pt_t SET UNLOGGED", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "CREATE TEMP TABLE pt_tmp (x int)", environment = "prod", expect = "none" },
    -- MySQL: ENGINE=MEMORY loses the rows at every restart (facts as classify_mysql gives them)
    { sql = "CREATE TABLE public.pt_t (id bigint PRIMARY KEY, created_at timestamptz)", environment = "prod",
      expect = "queue", risk = "moderate", facts = { dialect = "mysql", engine = "MEMORY" } },
    { sql = "CREATE TABLE public.pt_t (id bigint PRIMARY KEY, created_at timestamptz)", environment = "stage",
      expect = "approve", risk = "moderate", facts = { dialect = "mysql", engine = "HEAP" } },
    { sql = "CREATE TABLE public.pt_t (id bigint PRIMARY KEY, created_at timestamptz)", environment = "prod",
      expect = "none", facts = { dialect = "mysql", engine = "INNODB" } },
    { sql = "CREATE TABLE public.pt_t (id bigint PRIMARY KEY, created_at timestamptz)", environment = "prod",
      expect = "none", facts = { dialect = "mysql", engine = "MEMORY", persistence = "temporary" } },
    { sql = "ALTER TABLE public.pt_t ADD COLUMN note text", environment = "prod", expect = "queue", risk = "moderate",
      facts = { dialect = "mysql", engine = "MEMORY", operations = { "change_engine" } } },
    { sql = "ALTER TABLE public.pt_t ADD COLUMN note text", environment = "dev", expect = "approve", risk = "low",
      facts = { dialect = "mysql", engine = "MEMORY", operations = { "change_engine" } } },
    { sql = "ALTER TABLE public.pt_t ADD COLUMN note text", environment = "prod", expect = "none",
      facts = { dialect = "mysql", engine = "MYISAM", operations = { "change_engine" } } },
    { sql = "CREATE TABLE public.pt_copy AS SELECT 1 AS x", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "CREATE TABLE public.pt_child (id bigint PRIMARY KEY, created_at timestamptz) INHERITS (public.pt_t)",
      environment = "prod", expect = "approve", risk = "low" },
    { sql = "COMMENT ON TABLE public.pt_t IS NULL", environment = "prod", expect = "approve", risk = "low" },
    { sql = "COMMENT ON TABLE public.pt_t IS 'Orders placed by customers'", environment = "prod", expect = "none" },
    { sql = "COMMENT ON COLUMN public.pt_t.id IS '" .. string.rep("x", 300) .. "'", environment = "prod", expect = "approve" },
    { sql = "CREATE VIEW pt_v AS SELECT 1 AS x", environment = "prod", expect = "approve", risk = "low" },
    { sql = wide_table(), environment = "prod", expect = "approve", risk = "low" },
    -- autovacuum switched off: the table bloats
    { sql = "CREATE TABLE public.pt_t (id bigint PRIMARY KEY, created_at timestamptz) WITH (autovacuum_enabled = false)",
      environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "CREATE TABLE public.pt_t (id bigint PRIMARY KEY, created_at timestamptz) WITH (toast.autovacuum_enabled = off)",
      environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "CREATE TABLE public.pt_t (id bigint PRIMARY KEY, created_at timestamptz) WITH (autovacuum_enabled = f)",
      environment = "dev", expect = "approve", risk = "low" },
    { sql = "CREATE TABLE public.pt_t (id bigint PRIMARY KEY, created_at timestamptz) WITH (autovacuum_enabled = true, fillfactor = 70)",
      environment = "prod", expect = "none" },
    { sql = "ALTER TABLE public.pt_t SET (autovacuum_enabled = 0)", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "ALTER TABLE public.pt_t SET (autovacuum_enabled = false), SET (autovacuum_enabled = on)", environment = "prod",
      expect = "none" },
    { sql = "ALTER TABLE public.pt_t SET (autovacuum_vacuum_scale_factor = 0.01)", environment = "prod", expect = "none" },
    { sql = "CREATE TABLE public.pt_copy WITH (autovacuum_enabled = no) AS SELECT 1 AS x", environment = "stage",
      expect = "approve", risk = "moderate" },
  },
}
