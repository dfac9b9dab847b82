--[[
naming_conventions.lua -- policy "naming_conventions"

Names of new (and renamed) tables, columns, indexes and constraints, after
Bytebase's naming.table / naming.column / naming.index.idx / naming.index.uk
/ naming.index.fk / naming.index.pk rules.  Names are compared as
PostgreSQL folds them (unquoted identifiers are lower case already).

Checks (severity)
  naming-table              table names match TABLE_PATTERN (snake_case) (caution)
  naming-column             column names match COLUMN_PATTERN            (caution)
  naming-index              CREATE INDEX names match INDEX_PATTERNS      (advice)
  naming-unique             UNIQUE constraint / unique index names match
                            UNIQUE_PATTERNS                               (advice)
  naming-foreign-key        FOREIGN KEY names match FK_PATTERNS           (advice)
  naming-primary-key        PRIMARY KEY names match PK_PATTERNS           (advice)
  naming-reserved-word      a table or column named like an SQL reserved
                            word (user, order, group, ...): must be quoted
                            everywhere                                    (caution)
  naming-identifier-length  a name of MAX_NAME_LENGTH bytes or more
                            (PostgreSQL truncates at 63)                  (caution)
Unnamed constraints and indexes get PostgreSQL's generated names
(t_col_key, t_pkey, ...) and are not checked.

Behaviour per environment (action / risk by severity)
              dev          test         stage             prod
  advice      approve/low  approve/low  approve/low       approve/low
  caution     approve/low  approve/low  approve/moderate  queue/moderate

Settings: the patterns (Lua patterns; a list means "any of"), MAX_NAME_LENGTH.
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local ipairs, string, table, type = ipairs, string, table, type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"
local TABLE_PATTERN  = "^[a-z_][a-z0-9_]*$"
local COLUMN_PATTERN = "^[a-z_][a-z0-9_]*$"
local INDEX_PATTERNS  = { "^idx_", "_idx$" }
local UNIQUE_PATTERNS = { "^uk_", "^uq_", "_key$", "_uk$", "_uniq$" }
local FK_PATTERNS     = { "^fk_", "_fkey$", "_fk$" }
local PK_PATTERNS     = { "^pk_", "_pkey$", "_pk$" }
local MAX_NAME_LENGTH = 63
local RESERVED = {}
for w in ([[all analyse analyze and any array as asc asymmetric both case cast check
  collate column constraint create current_catalog current_date current_role
  current_time current_timestamp current_user default deferrable desc distinct do
  else end except false fetch for foreign from grant group having in initially
  intersect into lateral leading limit localtime localtimestamp not null offset on
  only or order placing primary references returning select session_user some
  symmetric table then to trailing true union unique user using variadic when
  where window with]]):gmatch("%S+") do RESERVED[w] = true end

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

-- A list of patterns, compiled once into tests: a plain prefix ("^idx_") or
-- suffix ("_idx$") is a string comparison, anything else a pattern search.
-- Every CREATE INDEX and every named constraint tries a list.
local MAGIC = "[%^%$%(%)%%%.%[%]%*%+%-%?]"
local function pattern_test(p)
  local prefix = p:match("^%^(.*)$")
  local suffix = p:match("^(.*)%$$")
  if prefix and prefix ~= "" and not prefix:find(MAGIC) then
    return function(n) return n:sub(1, #prefix) == prefix end
  elseif suffix and suffix ~= "" and not suffix:find(MAGIC) then
    return function(n) return n:sub(-#suffix) == suffix end
  end
  return function(n) return n:find(p) ~= nil end
end
local COMPILED, TEXTS = {}, {}   -- [pattern list] -> tests, text for messages
for _, pats in ipairs({ INDEX_PATTERNS, UNIQUE_PATTERNS, FK_PATTERNS, PK_PATTERNS }) do
  local tests = {}
  for i = 1, #pats do tests[i] = pattern_test(pats[i]) end
  COMPILED[pats], TEXTS[pats] = tests, table.concat(pats, " or ")
end

local function any_match(name, pats)
  local tests = COMPILED[pats]
  for i = 1, #tests do if tests[i](name) then return true end end
  return false
end

local function pats_text(pats) return TEXTS[pats] end

-- table / column names: pattern, reserved word, length
local function ident(d, tier, kind, name, pat, id)
  if type(name) ~= "string" then return d end
  if not name:find(pat) then
    d = add(d, tier, CAUTION, id, kind .. " name " .. name .. " is not snake_case (" .. pat .. ")")
  end
  if RESERVED[name] then
    d = add(d, tier, CAUTION, "naming-reserved-word", kind .. " name " .. name .. " is an SQL reserved word and must always be quoted")
  end
  if #name >= MAX_NAME_LENGTH then
    d = add(d, tier, CAUTION, "naming-identifier-length", kind .. " name " .. name .. " is " .. #name ..
      " bytes; PostgreSQL truncates names at 63")
  end
  return d
end

local CPATS = {
  unique = { UNIQUE_PATTERNS, "naming-unique" },
  foreign_key = { FK_PATTERNS, "naming-foreign-key" },
  primary_key = { PK_PATTERNS, "naming-primary-key" },
}

local function constraint_names(d, tier, c)
  local cons = list(c.constraints)
  for i = 1, #cons do
    local k = cons[i]
    if type(k) == "table" and type(k.name) == "string" and k.adds_nothing ~= true then
      local rule = CPATS[k.constraint_type]
      if rule and not any_match(k.name, rule[1]) then
        d = add(d, tier, ADVICE, rule[2], k.constraint_type .. " constraint " .. k.name .. " should match " .. pats_text(rule[1]))
      end
      if #k.name >= MAX_NAME_LENGTH then
        d = add(d, tier, CAUTION, "naming-identifier-length", "constraint name " .. k.name .. " is " .. #k.name ..
          " bytes; PostgreSQL truncates names at 63")
      end
    end
  end
  return d
end

local function column_names(d, tier, c)
  local cols = list(c.columns)
  for i = 1, #cols do
    if type(cols[i]) == "table" and cols[i].adds_nothing ~= true then
      d = ident(d, tier, "column", cols[i].name, COLUMN_PATTERN, "naming-column")
    end
  end
  return d
end

-- Policy ----------------------------------------------------------------------
return {
  name = "naming_conventions",
  description = "snake_case table and column names, idx_/uk_/fk_/pk_ index and constraint names, no reserved words, no truncated names.",
  -- check() judges only these statements; the engine skips it for the rest
  commands = { "CREATE TABLE", "CREATE TABLE AS", "CREATE FOREIGN TABLE", "ALTER TABLE", "CREATE INDEX" },

  check = function(c)
    local cmd = c.command
    local d = nil
    -- CREATE TABLE / INDEX IF NOT EXISTS of a name taken (adds_nothing): nothing is named
    if c.adds_nothing == true then return nil end
    if cmd == "CREATE TABLE" or cmd == "CREATE TABLE AS" or cmd == "CREATE FOREIGN TABLE" then
      local tier = tier_of(c)
      if c.persistence == "temporary" then return nil end
      d = ident(d, tier, "table", c.name, TABLE_PATTERN, "naming-table")
      d = column_names(d, tier, c)
      return constraint_names(d, tier, c)
    elseif cmd == "ALTER TABLE" then
      local tier = tier_of(c)
      local ops = list(c.operations)
      if ops[1] == "rename" and c.object_type == "table" then
        return ident(d, tier, "table", c.new_name, TABLE_PATTERN, "naming-table")
      elseif ops[1] == "rename_column" then
        return ident(d, tier, "column", c.new_name, COLUMN_PATTERN, "naming-column")
      end
      d = column_names(d, tier, c)
      return constraint_names(d, tier, c)
    elseif cmd == "CREATE INDEX" then
      local n = c.name
      if type(n) ~= "string" then return nil end
      local tier = tier_of(c)
      if c.unique == true then
        if not any_match(n, UNIQUE_PATTERNS) and not any_match(n, INDEX_PATTERNS) then
          d = add(d, tier, ADVICE, "naming-unique", "unique index " .. n .. " should match " .. pats_text(UNIQUE_PATTERNS))
        end
      elseif not any_match(n, INDEX_PATTERNS) then
        d = add(d, tier, ADVICE, "naming-index", "index " .. n .. " should match " .. pats_text(INDEX_PATTERNS))
      end
      if #n >= MAX_NAME_LENGTH then
        d = add(d, tier, CAUTION, "naming-identifier-length", "index name " .. n .. " is " .. #n ..
          " bytes; PostgreSQL truncates names at 63")
      end
      return d
    end
    return nil
  end,

  tests = {
    { sql = "CREATE TABLE pt_orders (id bigint PRIMARY KEY, customer_id bigint)", environment = "prod", expect = "none" },
    -- IF NOT EXISTS of a name taken (adds_nothing): nothing is named
    { sql = "CREATE INDEX IF NOT EXISTS pt_orders_customer ON pt_orders (customer_id)", environment = "prod", expect = "none",
      facts = { adds_nothing = true } },
    { sql = "CREATE INDEX IF NOT EXISTS pt_orders_customer ON pt_orders (customer_id)", environment = "prod", expect = "approve",
      risk = "low", facts = { adds_nothing = false } },
    { sql = 'ALTER TABLE pt_orders ADD COLUMN IF NOT EXISTS "CustomerId" bigint', environment = "prod", expect = "none",
      facts = { columns = { { name = "CustomerId", type = "int8", adds_nothing = true } } } },
    { sql = 'CREATE TABLE "PtOrders" (id bigint PRIMARY KEY)', environment = "prod", expect = "queue", risk = "moderate" },
    { sql = 'CREATE TABLE "PtOrders" (id bigint PRIMARY KEY)', environment = "dev", expect = "approve", risk = "low" },
    { sql = 'CREATE TABLE pt_orders (id bigint PRIMARY KEY, "CustomerId" bigint)', environment = "stage", expect = "approve",
      risk = "moderate" },
    { sql = 'CREATE TABLE "user" (id bigint PRIMARY KEY)', environment = "prod", expect = "queue", risk = "moderate" },
    { sql = 'CREATE TABLE pt_orders (id bigint PRIMARY KEY, "order" int)', environment = "prod", expect = "queue" },
    { sql = "CREATE TABLE " .. string.rep("a", 63) .. " (id bigint PRIMARY KEY)", environment = "prod", expect = "queue" },
    { sql = "CREATE INDEX pt_orders_customer ON pt_orders (customer_id)", environment = "prod", expect = "approve", risk = "low" },
    { sql = "CREATE INDEX idx_pt_orders_customer ON pt_orders (customer_id)", environment = "prod", expect = "none" },
    { sql = "CREATE INDEX pt_orders_customer_idx ON pt_orders (customer_id)", environment = "prod", expect = "none" },
    { sql = "CREATE UNIQUE INDEX pt_orders_ref ON pt_orders (ref)", environment = "prod", expect = "approve", risk = "low" },
    { sql = "CREATE UNIQUE INDEX uk_pt_orders_ref ON pt_orders (ref)", environment = "prod", expect = "none" },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT customer FOREIGN KEY (customer_id) REFERENCES pt_customers (id) NOT VALID",
      environment = "prod", expect = "approve", risk = "low" },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT fk_pt_orders_customer FOREIGN KEY (customer_id) REFERENCES pt_customers (id) NOT VALID",
      environment = "prod", expect = "none" },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT ref_unique UNIQUE (ref)", environment = "prod", expect = "approve" },
    { sql = "CREATE TABLE pt_orders (id bigint CONSTRAINT orders_primary PRIMARY KEY)", environment = "prod", expect = "approve" },
    { sql = "ALTER TABLE pt_orders RENAME TO \"PtOrders\"", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "ALTER TABLE pt_orders RENAME COLUMN customer_id TO \"customerId\"", environment = "prod", expect = "queue" },
    { sql = "ALTER TABLE pt_orders RENAME COLUMN customer_id TO buyer_id", environment = "prod", expect = "none" },
  },
}
