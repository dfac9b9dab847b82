--[[
safe_constraints.lua -- policy "safe_constraints"

Adding constraints to existing tables.  Validating a constraint reads the
whole table while holding a lock that blocks writes (ACCESS EXCLUSIVE for
most ALTER TABLE forms); building the index behind UNIQUE / PRIMARY KEY /
EXCLUDE does the same.  The safe patterns are: ADD ... NOT VALID then
VALIDATE CONSTRAINT (takes only SHARE UPDATE EXCLUSIVE), CREATE UNIQUE INDEX
CONCURRENTLY then ADD ... USING INDEX, and for SET NOT NULL a validated
CHECK (col IS NOT NULL) first.  squawk: adding-foreign-key-constraint,
constraint-missing-not-valid, disallowed-unique-constraint,
adding-primary-key-constraint, adding-not-nullable-field,
ban-create-domain-with-constraint, ban-alter-domain-with-add-constraint;
Bytebase: statement.add-fk-not-valid, statement.add-check-not-valid,
statement.disallow-on-del-cascade, table.no-foreign-key.

Checks (severity on a large table; one step less when the size is unknown;
advice on a known small table; none on a table created earlier in the same
script and still empty -- fact created_in_script: the change's own
transaction made it, nobody else can see it until the change commits, and
dbchange checks that when it runs)
  adding-foreign-key-constraint   ADD FOREIGN KEY without NOT VALID       (danger)
  constraint-missing-not-valid    ADD CHECK without NOT VALID             (danger)
  disallowed-unique-constraint    ADD UNIQUE without USING INDEX          (danger)
  adding-primary-key-constraint   ADD PRIMARY KEY without USING INDEX     (danger)
  adding-exclusion-constraint     ADD EXCLUDE (builds an index under lock) (danger)
  adding-not-nullable-field       SET NOT NULL without a validated
                                  CHECK (col IS NOT NULL)                  (danger;
                                  none when the column is NOT NULL already:
                                  fact was_not_null)
  validate-in-same-transaction    VALIDATE CONSTRAINT in a transaction that
                                  already holds a lock blocking writes on the
                                  table (the ADD ... NOT VALID before it, a
                                  LOCK TABLE): its scan runs under that lock,
                                  as if NOT VALID had not been used; squawk's
                                  constraint-missing-not-valid (facts
                                  held_lock, held_lock_blocks_reads)       (danger)
  fk-on-delete-cascade            a foreign key with ON DELETE CASCADE: one
                                  DELETE silently removes rows elsewhere  (caution)
  ban-create-domain-with-constraint  CREATE DOMAIN ... CHECK: changing it later
                                  locks and scans every table using it    (caution)
  ban-alter-domain-with-add-constraint  ALTER DOMAIN ADD CONSTRAINT without
                                  NOT VALID scans every column of the domain (danger)
  no-foreign-key                  any foreign key (only when FORBID_FOREIGN_KEYS) (caution)

Behaviour per environment (action / risk by severity)
              dev          test             stage             prod
  advice      approve/low  approve/low      approve/low       approve/low
  caution     approve/low  approve/low      approve/moderate  queue/moderate
  danger      approve/low  approve/moderate queue/high        queue/high

Settings: LARGE_TABLE_ROWS, LARGE_TABLE_BYTES, FORBID_FOREIGN_KEYS (false).
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local tonumber, tostring, type = tonumber, tostring, type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"
local LARGE_TABLE_ROWS  = 100000
local LARGE_TABLE_BYTES = 100 * 1024 * 1024
local FORBID_FOREIGN_KEYS = false   -- Bytebase "table.no-foreign-key"

-- Helpers ---------------------------------------------------------------------
local ADVICE, CAUTION, DANGER = 1, 2, 3
local MAP = {
  dev   = { { "approve", "low" }, { "approve", "low" }, { "approve", "low" } },
  test  = { { "approve", "low" }, { "approve", "low" }, { "approve", "moderate" } },
  stage = { { "approve", "low" }, { "approve", "moderate" }, { "queue", "high" } },
  prod  = { { "approve", "low" }, { "queue", "moderate" }, { "queue", "high" } },
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

-- The size of all the data the statement reaches: total_rows/total_bytes when it
-- acts on partitions or inheritance children of the table too.
local function size_class(c)
  local r, b = tonumber(c.total_rows or c.table_rows), tonumber(c.total_bytes or c.table_bytes)
  if r == nil and b == nil then return "unknown" end
  if (r and r >= LARGE_TABLE_ROWS) or (b and b >= LARGE_TABLE_BYTES) then return "large" end
  return "small"
end

-- " (N rows, M MB)": what made the table large, for the reason; rows
-- estimated from the table's size (table_rows_estimated) say so.
local function size_note(c)
  local r, b = tonumber(c.total_rows or c.table_rows), tonumber(c.total_bytes or c.table_bytes)
  local est
  if c.total_rows ~= nil then est = c.total_rows_estimated == true else est = c.table_rows_estimated == true end
  local s = ""
  if r then s = string.format(est and "~%.0f rows, estimated from its size" or "%.0f rows", r) end
  if b then
    s = s .. (s ~= "" and ", " or "") ..
      (b >= 1048576 and string.format("%.0f MB", b / 1048576) or string.format("%.0f kB", b / 1024))
  end
  return s ~= "" and " (" .. s .. ")" or ""
end

local function target(c)
  local n = c.table or c.identity or c.name
  return type(n) == "string" and n or "the table"
end

-- A finding whose weight depends on the table's size.
local function scaled(d, c, tier, id, what, fix)
  -- new in this change's transaction and empty: nothing to scan, nobody to block
  if c.created_in_script == true then return d end
  local sc = size_class(c)
  if sc == "large" then
    return add(d, tier, DANGER, id, what .. " on large table " .. target(c) .. size_note(c) .. " blocks writes while it scans; " .. fix)
  elseif sc == "unknown" then
    return add(d, tier, CAUTION, id, what .. " on " .. target(c) .. " (size unknown) blocks writes while it scans; " .. fix)
  end
  return add(d, tier, ADVICE, id, what .. " on " .. target(c) .. " (small now); " .. fix)
end

local function list(v) return type(v) == "table" and v or {} end

-- VALIDATE CONSTRAINT under a lock its own transaction took before it.
local function validate_under_held_lock(d, c, tier, name)
  if c.created_in_script == true then return d end
  local by = tonumber(c.held_lock_statement)
  local what = "VALIDATE CONSTRAINT " .. tostring(name) .. " runs in a transaction that already holds " ..
    tostring(c.held_lock) .. " on " .. target(c) ..
    (by and " (taken by statement " .. string.format("%d", by) .. ")" or " (taken earlier in the transaction)") ..
    ", so its scan blocks " .. (c.held_lock_blocks_reads == true and "reads and writes" or "writes")
  local fix = "; commit what took the lock (the ADD ... NOT VALID) first and VALIDATE in a transaction of its own (with dbchange submit: a separate change)"
  local sc = size_class(c)
  if sc == "large" then
    return add(d, tier, DANGER, "validate-in-same-transaction", what .. " of a large table" .. size_note(c) .. fix)
  elseif sc == "unknown" then
    return add(d, tier, CAUTION, "validate-in-same-transaction", what .. " (size unknown)" .. fix)
  end
  return add(d, tier, ADVICE, "validate-in-same-transaction", what .. " (small now)" .. fix)
end

-- Policy ----------------------------------------------------------------------
return {
  name = "safe_constraints",
  description = "Constraints on existing tables: NOT VALID for FOREIGN KEY/CHECK, USING INDEX for UNIQUE/PRIMARY KEY, SET NOT NULL via a validated CHECK, domains.",
  -- check() judges only these statements; the engine skips it for the rest
  commands = { "ALTER TABLE", "CREATE TABLE", "CREATE DOMAIN", "ALTER DOMAIN" },

  check = function(c)
    local cmd = c.command
    local tier, d
    -- CREATE TABLE IF NOT EXISTS of a name taken (adds_nothing): PostgreSQL skips it
    if c.adds_nothing == true then return nil end
    if cmd == "ALTER TABLE" then
      tier = tier_of(c)
      local cons = list(c.constraints)
      for i = 1, #cons do
        local k = cons[i]
        -- written in an ADD COLUMN IF NOT EXISTS of a column that is there (adds_nothing): skipped with it
        if type(k) == "table" and k.adds_nothing ~= true then
          local t = k.constraint_type
          if t == "foreign_key" then
            if k.not_valid ~= true then
              d = scaled(d, c, tier, "adding-foreign-key-constraint", "ADD FOREIGN KEY without NOT VALID",
                "add it NOT VALID, then VALIDATE CONSTRAINT separately")
            end
          elseif t == "check" then
            if k.not_valid ~= true then
              d = scaled(d, c, tier, "constraint-missing-not-valid", "ADD CHECK without NOT VALID",
                "add it NOT VALID, then VALIDATE CONSTRAINT separately")
            end
          elseif t == "unique" then
            if k.using_index == nil then
              d = scaled(d, c, tier, "disallowed-unique-constraint", "ADD UNIQUE",
                "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX")
            end
          elseif t == "primary_key" then
            if k.using_index == nil then
              d = scaled(d, c, tier, "adding-primary-key-constraint", "ADD PRIMARY KEY",
                "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX")
            end
          elseif t == "exclusion" then
            d = scaled(d, c, tier, "adding-exclusion-constraint", "ADD EXCLUDE",
              "schedule it in a maintenance window")
          end
        end
      end
      local subs = list(c.subcommands)
      for i = 1, #subs do
        local s = subs[i]
        if type(s) == "table" and s.operation == "set_not_null" and s.has_validated_check ~= true and
           s.was_not_null ~= true then
          d = scaled(d, c, tier, "adding-not-nullable-field", "SET NOT NULL on " .. tostring(s.name),
            "first ADD CHECK (" .. tostring(s.name) .. " IS NOT NULL) NOT VALID and VALIDATE it, then SET NOT NULL skips the scan")
        elseif type(s) == "table" and s.operation == "validate_constraint" and c.held_lock ~= nil then
          d = validate_under_held_lock(d, c, tier, s.name)
        end
      end
    elseif cmd == "CREATE DOMAIN" then
      local cons = list(c.constraints)
      for i = 1, #cons do
        if type(cons[i]) == "table" and cons[i].constraint_type == "check" then
          d = add(d, tier_of(c), CAUTION, "ban-create-domain-with-constraint",
            "a CHECK on a domain is hard to change later (ALTER DOMAIN scans every table using it); prefer a CHECK on the table")
          break
        end
      end
      return d
    elseif cmd == "ALTER DOMAIN" then
      local ops = list(c.operations)
      for i = 1, #ops do
        if ops[i] == "add_constraint" then
          tier = tier_of(c)
          if c.not_valid == true then
            d = add(d, tier, ADVICE, "ban-alter-domain-with-add-constraint",
              "a domain constraint is hard to change later; VALIDATE CONSTRAINT will scan every column of this domain")
          else
            d = add(d, tier, DANGER, "ban-alter-domain-with-add-constraint",
              "ALTER DOMAIN ADD CONSTRAINT scans every table column of this domain under lock; add it NOT VALID or use table CHECKs")
          end
          break
        end
      end
      return d
    elseif cmd == "CREATE TABLE" then
      tier = tier_of(c)
    else
      return nil
    end

    -- foreign key actions and the no-foreign-key rule (CREATE and ALTER TABLE)
    local cons = list(c.constraints)
    for i = 1, #cons do
      local k = cons[i]
      if type(k) == "table" and k.constraint_type == "foreign_key" and k.adds_nothing ~= true then
        if k.on_delete == "cascade" then
          d = add(d, tier, CAUTION, "fk-on-delete-cascade", "foreign key " ..
            (type(k.name) == "string" and k.name .. " " or "") .. "ON DELETE CASCADE lets one DELETE remove rows of " .. target(c) .. " silently; prefer RESTRICT and explicit deletes")
        end
        if FORBID_FOREIGN_KEYS then
          d = add(d, tier, CAUTION, "no-foreign-key", "foreign keys are not allowed by this organisation's rules")
        end
      end
    end
    return d
  end,

  tests = {
    -- constraints written in an ADD COLUMN IF NOT EXISTS of a column that is there (adds_nothing): skipped with it
    { sql = "ALTER TABLE pt_orders ADD COLUMN IF NOT EXISTS customer_id bigint REFERENCES pt_customers (id) ON DELETE CASCADE UNIQUE",
      environment = "prod", expect = "none", facts = { table_rows = 5000000, constraints = {
        { constraint_type = "foreign_key", columns = { "customer_id" }, references = "public.pt_customers", on_delete = "cascade",
          not_valid = false, adds_nothing = true },
        { constraint_type = "unique", columns = { "customer_id" }, not_valid = false, adds_nothing = true } } } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN IF NOT EXISTS customer_id bigint REFERENCES pt_customers (id)",
      environment = "prod", expect = "queue", risk = "high", facts = { table_rows = 5000000, constraints = {
        { constraint_type = "foreign_key", columns = { "customer_id" }, references = "public.pt_customers",
          not_valid = false, adds_nothing = false } } } },
    { sql = "CREATE TABLE IF NOT EXISTS pt_lines (id bigint PRIMARY KEY, order_id bigint REFERENCES pt_orders (id) ON DELETE CASCADE)",
      environment = "prod", expect = "none", facts = { adds_nothing = true } },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_customer_fk FOREIGN KEY (customer_id) REFERENCES pt_customers (id)",
      environment = "prod", expect = "queue", risk = "high", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_customer_fk FOREIGN KEY (customer_id) REFERENCES pt_customers (id) NOT VALID",
      environment = "prod", expect = "none", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_customer_fk FOREIGN KEY (customer_id) REFERENCES pt_customers (id)",
      environment = "dev", expect = "approve", risk = "low", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_customer_fk FOREIGN KEY (customer_id) REFERENCES pt_customers (id)",
      environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_amount_check CHECK (amount > 0)",
      environment = "prod", expect = "queue", risk = "high", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_amount_check CHECK (amount > 0) NOT VALID",
      environment = "prod", expect = "none", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_amount_check CHECK (amount > 0)",
      environment = "prod", expect = "approve", risk = "low", facts = { table_rows = 10, table_bytes = 8192 } },
    -- bulk-loaded, never analysed: 78 MB (under LARGE_TABLE_BYTES), rows estimated from that size
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_amount_check CHECK (amount > 0)",
      environment = "prod", expect = "queue", risk = "high", facts = { table_rows = 1500000, table_rows_estimated = true, table_bytes = 81788928 } },
    { sql = "ALTER TABLE pt_orders VALIDATE CONSTRAINT pt_orders_amount_check",
      environment = "prod", expect = "none", facts = { table_rows = 5000000 } },
    -- in the transaction that added it NOT VALID (or locked the table): the scan runs under that lock
    { sql = "ALTER TABLE pt_orders VALIDATE CONSTRAINT pt_orders_amount_check", environment = "prod",
      expect = "queue", risk = "high",
      facts = { table_rows = 5000000, held_lock = "ACCESS EXCLUSIVE", held_lock_blocks_reads = true, held_lock_statement = 1 } },
    { sql = "ALTER TABLE pt_orders VALIDATE CONSTRAINT pt_orders_customer_fk", environment = "prod",
      expect = "queue", risk = "high",
      facts = { table_rows = 5000000, held_lock = "SHARE ROW EXCLUSIVE", held_lock_blocks_reads = false } },
    { sql = "ALTER TABLE pt_orders VALIDATE CONSTRAINT pt_orders_amount_check", environment = "prod",
      expect = "approve", risk = "low",
      facts = { table_rows = 10, table_bytes = 8192, held_lock = "ACCESS EXCLUSIVE", held_lock_blocks_reads = true } },
    -- the script's own BEGIN: one transaction (size unknown: the table does not exist here)
    { sql = "BEGIN; ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_amount_check CHECK (amount > 0) NOT VALID; " ..
            "ALTER TABLE pt_orders VALIDATE CONSTRAINT pt_orders_amount_check; COMMIT",
      environment = "prod", expect = "queue", risk = "moderate" },
    -- statement by statement, each its own transaction: the safe pattern
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_amount_check CHECK (amount > 0) NOT VALID; " ..
            "ALTER TABLE pt_orders VALIDATE CONSTRAINT pt_orders_amount_check",
      environment = "prod", expect = "none" },
    -- the CHECK the script added and validated lets SET NOT NULL skip its scan
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_cid_nn CHECK (customer_id IS NOT NULL) NOT VALID; " ..
            "ALTER TABLE pt_orders VALIDATE CONSTRAINT pt_orders_cid_nn; ALTER TABLE pt_orders ALTER COLUMN customer_id SET NOT NULL",
      environment = "prod", expect = "none" },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_cid_nn CHECK (customer_id IS NOT NULL) NOT VALID; " ..
            "ALTER TABLE pt_orders ALTER COLUMN customer_id SET NOT NULL",
      environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_ref_key UNIQUE (ref)",
      environment = "stage", expect = "queue", risk = "high", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_ref_key UNIQUE USING INDEX pt_orders_ref_idx",
      environment = "prod", expect = "none", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD PRIMARY KEY (id)",
      environment = "prod", expect = "queue", risk = "high", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_pkey PRIMARY KEY USING INDEX pt_orders_id_idx",
      environment = "prod", expect = "none", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_rooms ADD CONSTRAINT pt_rooms_no_overlap EXCLUDE USING gist (room WITH =)",
      environment = "prod", expect = "queue", risk = "high", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN customer_id SET NOT NULL",
      environment = "prod", expect = "queue", risk = "high", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN customer_id SET NOT NULL",
      environment = "test", expect = "approve", risk = "moderate", facts = { table_rows = 5000000 } },
    -- NOT NULL already (was_not_null): PostgreSQL sets nothing and scans nothing
    { sql = "ALTER TABLE pt_orders ALTER COLUMN customer_id SET NOT NULL", environment = "prod", expect = "none",
      facts = { table_rows = 5000000, subcommands = { { operation = "set_not_null", name = "customer_id",
        has_validated_check = false, was_not_null = true } } } },
    { sql = "CREATE TABLE pt_lines (id bigint PRIMARY KEY, order_id bigint REFERENCES pt_orders (id) ON DELETE CASCADE)",
      environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "CREATE TABLE pt_lines (id bigint PRIMARY KEY, order_id bigint REFERENCES pt_orders (id))",
      environment = "prod", expect = "none" },
    -- a table the same script creates before: no scan finding; ON DELETE CASCADE still counts
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_customer_fk FOREIGN KEY (customer_id) REFERENCES pt_customers (id)",
      environment = "prod", expect = "none", facts = { created_in_script = true } },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_ref_key UNIQUE (ref), ALTER COLUMN ref SET NOT NULL",
      environment = "prod", expect = "none", facts = { created_in_script = true } },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_customer_fk FOREIGN KEY (customer_id) REFERENCES pt_customers (id) ON DELETE CASCADE",
      environment = "prod", expect = "queue", risk = "moderate", facts = { created_in_script = true } },
    { sql = "CREATE TABLE pt_script_orders (id bigint, customer_id bigint); ALTER TABLE pt_script_orders ADD CONSTRAINT pt_script_orders_fk FOREIGN KEY (customer_id) REFERENCES pt_customers (id)",
      environment = "prod", expect = "none" },
    { sql = "CREATE DOMAIN pt_positive AS numeric CHECK (VALUE > 0)", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "CREATE DOMAIN pt_positive AS numeric", environment = "prod", expect = "none" },
    { sql = "ALTER DOMAIN pt_positive ADD CONSTRAINT pt_positive_check CHECK (VALUE > 0)", environment = "prod",
      expect = "queue", risk = "high" },
    { sql = "ALTER DOMAIN pt_positive ADD CONSTRAINT pt_positive_check CHECK (VALUE > 0) NOT VALID", environment = "prod",
      expect = "approve", risk = "low" },
  },
}
