--[[
column_changes.lua -- policy "column_changes"

Adding and changing columns of existing tables.  squawk:
adding-required-field, adding-serial-primary-key-field, ban-drop-not-null;
plus columns added with UNIQUE / PRIMARY KEY (an index built under an
ACCESS EXCLUSIVE lock), type changes that round values, and sequences
moved back (RESTART).

Checks
  adding-required-field          ADD COLUMN ... NOT NULL without a DEFAULT: fails
                                 on a non-empty table ("contains null values")
                                 -- danger when the table has rows, caution
                                 when unknown, advice when known empty
  adding-serial-primary-key-field  ADD COLUMN serial/identity PRIMARY KEY: fills
                                 every row and builds the index under an ACCESS
                                 EXCLUSIVE lock (danger on a large table,
                                 caution unknown, advice small)
  adding-column-with-index       ADD COLUMN ... UNIQUE / PRIMARY KEY (other
                                 types): index built under lock (same scale)
  ban-drop-not-null              ALTER COLUMN ... DROP NOT NULL: readers that
                                 assume the column is never NULL break (caution;
                                 none when the column is nullable already:
                                 fact was_not_null false)
  lossy-type-change              ALTER COLUMN ... TYPE whose conversion rounds or
                                 drops part of existing values without an error
                                 (fewer decimals, fractions of a numeric or float
                                 made integer, float precision, a timestamp's time
                                 of day): danger when the table has rows, caution
                                 when unknown, advice when known empty
  sequence-restart               ALTER SEQUENCE ... RESTART, or ALTER COLUMN ...
                                 RESTART of an identity column: values already
                                 handed out can come again (duplicate keys,
                                 ids that meant something else) (caution)
  sequence-cycle                 ALTER SEQUENCE ... CYCLE (fact cycle): past its
                                 maximum the sequence starts again from its
                                 minimum and hands out the same values (caution)
  sequence-narrowed              ALTER SEQUENCE ... AS integer / MAXVALUE n that
                                 lowers the most the sequence can hand out (fact
                                 lowers_maxvalue), or for a descending sequence
                                 AS integer / MINVALUE n that raises the least
                                 (fact raises_minvalue); also an identity
                                 column's sequence through ALTER TABLE ... ALTER
                                 COLUMN ... SET MAXVALUE / SET MINVALUE, or
                                 ALTER COLUMN ... TYPE integer (the sequence
                                 takes the column's type: same facts on the
                                 subcommand): nextval() fails once the limit is
                                 reached, and every insert drawing from it
                                 (PostgreSQL refuses the statement when the
                                 sequence is past it already)        (caution)
  serial-sequence-mismatch       ALTER COLUMN ... TYPE of a serial column: its
                                 own sequence keeps its type (unlike an identity
                                 column's), so a column narrowed below what the
                                 sequence hands out (fact sequence_outruns_type)
                                 makes inserts fail once it gets there, and a
                                 column widened while the sequence stays AS
                                 integer (fact sequence_limits_type) still stops
                                 at the old limit -- the usual fix for an int
                                 overflow done halfway. A script that widens the
                                 sequence in an earlier statement is judged
                                 before it runs, so the warning stays there;
                                 at the gate the statement is judged when it
                                 runs and the sequence is wide already (caution)

A table created earlier in the same script and still empty (fact
created_in_script: the change's own transaction made it, nobody else can see
it until the change commits, and dbchange checks that when it runs) has no
rows (advice, as a known empty table) and no lock to fear (no finding).
A table an earlier TRUNCATE of the same script emptied in the same
transaction, nothing since having run that could put rows back (fact
emptied_in_script, also checked when it runs), has no rows either (advice);
its lock is another matter (held_lock: the TRUNCATE's ACCESS EXCLUSIVE).

Behaviour per environment (action / risk by severity)
              dev          test             stage             prod
  advice      approve/low  approve/low      approve/low       approve/low
  caution     approve/low  approve/low      approve/moderate  queue/moderate
  danger      approve/low  approve/moderate queue/high        queue/high

Settings: LARGE_TABLE_ROWS, LARGE_TABLE_BYTES.
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local tonumber, tostring, type = tonumber, tostring, type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"
local LARGE_TABLE_ROWS  = 100000
local LARGE_TABLE_BYTES = 100 * 1024 * 1024

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

local SCALE = { large = DANGER, unknown = CAUTION, small = ADVICE }

-- Does the table hold rows?  danger if it does, caution when unknown, advice when empty.
local function rows_severity(c)
  -- new in the script, or emptied by its TRUNCATE in the same transaction (both verified when run)
  if c.created_in_script == true or c.emptied_in_script == true then return ADVICE end
  -- the column is added or changed in the children too: any of their rows counts
  local r, b = tonumber(c.total_rows or c.table_rows), tonumber(c.total_bytes or c.table_bytes)
  if (r and r > 0) or (r == nil and b and b > 0) then return DANGER end
  if r == nil and b == nil then return CAUTION end
  return ADVICE
end

local function target(c)
  local n = c.table or c.identity or c.name
  return type(n) == "string" and n or "the table"
end

local function list(v) return type(v) == "table" and v or {} end

local function has(v, x)
  if type(v) ~= "table" then return false end
  for i = 1, #v do if v[i] == x then return true end end
  return false
end

-- The limit a sequence (or an identity column's, facts of a subcommand)
-- stops at, narrowed: "lowers the most ... from A to B", or nil.
local function narrowed(f)
  if f.lowers_maxvalue == true then
    return "lowers the most it can hand out from " .. tostring(f.current_maxvalue) .. " to " .. tostring(f.maxvalue),
      "keep the maximum of the column's type (AS bigint, NO MAXVALUE)"
  elseif f.raises_minvalue == true then
    return "raises the least a descending sequence can hand out from " .. tostring(f.current_minvalue) .. " to " ..
      tostring(f.minvalue), "keep the minimum of the column's type (AS bigint, NO MINVALUE)"
  end
  return nil
end

local RESTART_WHY = "can hand out values already used: inserts fail on duplicate keys, or reuse ids " ..
  "that meant something else; restart above the highest value in use, or leave the sequence alone"

-- Policy ----------------------------------------------------------------------
return {
  name = "column_changes",
  description = "ADD COLUMN NOT NULL without default, serial primary keys and indexed columns added under lock, DROP NOT NULL, type changes that round values, sequences restarted, cycled or narrowed, serial columns whose type no longer matches their sequence.",
  -- check() judges only these statements; the engine skips it for the rest
  commands = { "ALTER TABLE", "ALTER SEQUENCE" },

  check = function(c)
    local tier = tier_of(c)
    if c.command == "ALTER SEQUENCE" then
      local d = nil
      if has(c.options, "restart") then
        d = add(d, tier, CAUTION, "sequence-restart", "ALTER SEQUENCE " .. target(c) .. " RESTART " .. RESTART_WHY)
      end
      if c.cycle == true then
        d = add(d, tier, CAUTION, "sequence-cycle", "ALTER SEQUENCE " .. target(c) .. " CYCLE: past its maximum it starts " ..
          "again from its minimum and " .. RESTART_WHY:gsub("; restart above.*$", "") ..
          "; raise the maximum (AS bigint) instead")
      end
      local what, fix = narrowed(c)
      if what then
        local users = tonumber(c.used_by_count) or 0
        d = add(d, tier, CAUTION, "sequence-narrowed", "ALTER SEQUENCE " .. target(c) .. " " .. what ..
          ": once that is reached nextval() fails" ..
          (users > 0 and ", and with it every insert that draws a value from it (" .. users .. " default(s) or column(s) use it)" or "") ..
          " (PostgreSQL refuses the change if the sequence is past it already); " .. fix)
      end
      return d
    end
    if c.command ~= "ALTER TABLE" then return nil end
    local d = nil
    local subs = list(c.subcommands)
    for i = 1, #subs do
      local s = subs[i]
      if type(s) == "table" then
        local op = s.operation
        -- ADD COLUMN IF NOT EXISTS of a column that is there (adds_nothing): PostgreSQL skips it
        if op == "add_column" and type(s.column) == "table" and s.adds_nothing ~= true then
          local col = s.column
          local cname = tostring(col.name)
          if col.not_null == true and col.has_default ~= true then
            d = add(d, tier, rows_severity(c), "adding-required-field", "ADD COLUMN " .. cname ..
              " NOT NULL without a DEFAULT fails if " .. target(c) .. " has rows; add a DEFAULT, or add it nullable, backfill, then SET NOT NULL")
          end
          if c.created_in_script == true then
            -- new and empty: the index is built on no rows, under a lock nobody waits for
          elseif col.primary_key == true and (col.serial == true or col.identity ~= nil) then
            d = add(d, tier, SCALE[size_class(c)], "adding-serial-primary-key-field", "ADD COLUMN " .. cname ..
              " as a serial/identity PRIMARY KEY fills every row and builds the index under an ACCESS EXCLUSIVE lock; " ..
              "add the column, backfill, CREATE UNIQUE INDEX CONCURRENTLY, then ADD PRIMARY KEY USING INDEX")
          elseif col.primary_key == true or col.unique == true then
            d = add(d, tier, SCALE[size_class(c)], "adding-column-with-index", "ADD COLUMN " .. cname ..
              " with UNIQUE/PRIMARY KEY builds an index on " .. target(c) .. " under an ACCESS EXCLUSIVE lock; build it CONCURRENTLY instead")
          end
        elseif op == "alter_column_type" and s.lossy_conversion == true then
          d = add(d, tier, rows_severity(c), "lossy-type-change", "ALTER COLUMN " .. tostring(s.name) ..
            " TYPE rounds or drops part of the values already in " .. target(c) ..
            " without an error (decimals, fractions, float precision, time of day); " ..
            "widen the type instead, or say what happens with an explicit USING")
        elseif op == "set_identity" and has(s.options, "restart") then
          d = add(d, tier, CAUTION, "sequence-restart", "ALTER COLUMN " .. tostring(s.name) ..
            " RESTART on " .. target(c) .. " " .. RESTART_WHY)
        elseif op == "drop_not_null" and s.was_not_null ~= false then
          d = add(d, tier, CAUTION, "ban-drop-not-null", "DROP NOT NULL on " .. tostring(s.name) ..
            " lets NULLs in; readers that assume a value will break")
        end
        -- an identity column's sequence: SET MAXVALUE / MINVALUE, or TYPE (the sequence follows it)
        if op == "set_identity" or op == "alter_column_type" then
          local what, fix = narrowed(s)
          if what then
            d = add(d, tier, CAUTION, "sequence-narrowed", "ALTER COLUMN " .. tostring(s.name) .. " on " .. target(c) ..
              (op == "alter_column_type" and " changes the type of its identity sequence too, which " or " ") .. what ..
              ": once that is reached nextval() fails, and with it every insert into " .. target(c) ..
              " (PostgreSQL refuses the change if the sequence is past it already); " .. fix)
          end
        end
        -- a serial column's own sequence keeps its type when the column's changes
        if op == "alter_column_type" and (s.sequence_outruns_type == true or s.sequence_limits_type == true) then
          local seq, limit = tostring(s.serial_sequence), tostring(s.sequence_limit)
          local head = "ALTER COLUMN " .. tostring(s.name) .. " TYPE on " .. target(c)
          if s.sequence_outruns_type == true then
            d = add(d, tier, CAUTION, "serial-sequence-mismatch", head .. " narrows the column below what its sequence " ..
              seq .. " hands out (up to " .. limit .. "): once the sequence passes what the new type holds, every " ..
              "insert fails (out of range); narrow the sequence in the same change (ALTER SEQUENCE " .. seq ..
              " AS ...) or keep the wider type")
          else
            d = add(d, tier, CAUTION, "serial-sequence-mismatch", head .. " widens the column, but its sequence " ..
              seq .. " still stops at " .. limit .. ": nextval() fails there as before, and with it every insert; " ..
              "widen the sequence too (ALTER SEQUENCE " .. seq .. " AS bigint)")
          end
        end
      end
    end
    return d
  end,

  tests = {
    { sql = "ALTER TABLE pt_orders ADD COLUMN region text NOT NULL", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 20 } },
    -- ADD COLUMN IF NOT EXISTS of a column that is there (adds_nothing): PostgreSQL skips it
    { sql = "ALTER TABLE pt_orders ADD COLUMN IF NOT EXISTS region text NOT NULL UNIQUE", environment = "prod", expect = "none",
      facts = { table_rows = 5000000, subcommands = { { operation = "add_column", name = "region", adds_nothing = true,
        column = { name = "region", type = "text", not_null = true, has_default = false, unique = true, adds_nothing = true } } } } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN IF NOT EXISTS region text NOT NULL", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 20, subcommands = { { operation = "add_column", name = "region", adds_nothing = false,
        column = { name = "region", type = "text", not_null = true, has_default = false, adds_nothing = false } } } } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN region text NOT NULL", environment = "dev", expect = "approve", risk = "low",
      facts = { table_rows = 20 } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN region text NOT NULL", environment = "prod", expect = "approve", risk = "low",
      facts = { table_rows = 0, table_bytes = 0 } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN region text NOT NULL", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "ALTER TABLE pt_orders ADD COLUMN region text NOT NULL DEFAULT 'eu'", environment = "prod", expect = "none",
      facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN region text", environment = "prod", expect = "none", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN id bigserial PRIMARY KEY", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 5000000 } },
    -- bulk-loaded, never analysed: 78 MB (under LARGE_TABLE_BYTES), rows estimated from that size
    { sql = "ALTER TABLE pt_orders ADD COLUMN id bigserial PRIMARY KEY", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 1500000, table_rows_estimated = true, table_bytes = 81788928 } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY", environment = "stage",
      expect = "queue", risk = "high", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN ref text UNIQUE", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 5000000 } },
    -- a table the same script creates before: empty, its lock blocks nobody
    { sql = "ALTER TABLE pt_orders ADD COLUMN region text NOT NULL", environment = "prod", expect = "approve", risk = "low",
      facts = { created_in_script = true } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN id bigserial PRIMARY KEY", environment = "prod", expect = "none",
      facts = { created_in_script = true } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN ref text UNIQUE", environment = "prod", expect = "none",
      facts = { created_in_script = true } },
    { sql = "CREATE TABLE pt_script_orders (id bigint); ALTER TABLE pt_script_orders ADD COLUMN ref text UNIQUE", environment = "prod", expect = "none" },
    -- emptied by the script's TRUNCATE in the same transaction: no rows for the NOT NULL to fail on
    { sql = "ALTER TABLE pt_orders ADD COLUMN region text NOT NULL", environment = "prod", expect = "approve", risk = "low",
      facts = { table_rows = 5000000, emptied_in_script = true } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN price TYPE numeric(10,2)", environment = "prod", expect = "approve", risk = "low",
      facts = { table_rows = 20, emptied_in_script = true,
                subcommands = { { operation = "alter_column_type", name = "price", lossy_conversion = true } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN region DROP NOT NULL", environment = "prod", expect = "queue", risk = "moderate",
      facts = { created_in_script = true } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN region DROP NOT NULL", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN region DROP NOT NULL", environment = "test", expect = "approve", risk = "low" },
    -- the column is nullable already (was_not_null false): nothing changes
    { sql = "ALTER TABLE pt_orders ALTER COLUMN region DROP NOT NULL", environment = "prod", expect = "none",
      facts = { subcommands = { { operation = "drop_not_null", name = "region", was_not_null = false } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN region DROP NOT NULL", environment = "prod", expect = "queue", risk = "moderate",
      facts = { subcommands = { { operation = "drop_not_null", name = "region", was_not_null = true } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN price TYPE numeric(10,2)", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 20, subcommands = { { operation = "alter_column_type", name = "price", lossy_conversion = true } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN price TYPE numeric(10,2)", environment = "dev", expect = "approve", risk = "low",
      facts = { table_rows = 20, subcommands = { { operation = "alter_column_type", name = "price", lossy_conversion = true } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN price TYPE numeric(10,2)", environment = "prod", expect = "approve", risk = "low",
      facts = { table_rows = 0, table_bytes = 0,
                subcommands = { { operation = "alter_column_type", name = "price", lossy_conversion = true } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN price TYPE numeric(14,4)", environment = "prod", expect = "none",
      facts = { table_rows = 20, subcommands = { { operation = "alter_column_type", name = "price", lossy_conversion = false } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN price TYPE numeric(10,2)", environment = "prod", expect = "none" },
    { sql = "ALTER SEQUENCE pt_orders_id_seq RESTART WITH 1", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "ALTER SEQUENCE pt_orders_id_seq RESTART", environment = "stage", expect = "approve", risk = "moderate" },
    { sql = "ALTER SEQUENCE pt_orders_id_seq RESTART", environment = "dev", expect = "approve", risk = "low" },
    { sql = "ALTER SEQUENCE pt_orders_id_seq INCREMENT BY 10", environment = "prod", expect = "none" },
    -- CYCLE wraps around to values already handed out; NO CYCLE is the default
    { sql = "ALTER SEQUENCE pt_orders_id_seq CYCLE", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "ALTER SEQUENCE pt_orders_id_seq MAXVALUE 1000 CYCLE", environment = "dev", expect = "approve", risk = "low" },
    { sql = "ALTER SEQUENCE pt_orders_id_seq NO CYCLE", environment = "prod", expect = "none" },
    -- a lower maximum: AS integer of a bigint sequence, MAXVALUE n (facts as the classifier gives them)
    { sql = "ALTER SEQUENCE pt_orders_id_seq AS integer", environment = "prod", expect = "queue", risk = "moderate",
      facts = { lowers_maxvalue = true, maxvalue = 2147483647, current_maxvalue = 9223372036854775807, used_by_count = 1 } },
    { sql = "ALTER SEQUENCE pt_orders_id_seq MAXVALUE 1000", environment = "dev", expect = "approve", risk = "low",
      facts = { lowers_maxvalue = true, maxvalue = 1000, current_maxvalue = 9223372036854775807 } },
    { sql = "ALTER SEQUENCE pt_orders_id_seq AS bigint", environment = "prod", expect = "none",
      facts = { lowers_maxvalue = false, maxvalue = 9223372036854775807, current_maxvalue = 2147483647 } },
    -- a descending sequence stops at its minimum: AS integer / MINVALUE n raise it
    { sql = "ALTER SEQUENCE pt_orders_id_seq AS integer", environment = "prod", expect = "queue", risk = "moderate",
      facts = { raises_minvalue = true, minvalue = -2147483648, current_minvalue = -9223372036854775808,
        lowers_maxvalue = nil, used_by_count = 1 } },
    { sql = "ALTER SEQUENCE pt_orders_id_seq MINVALUE -1000", environment = "stage", expect = "approve", risk = "moderate",
      facts = { raises_minvalue = true, minvalue = -1000, current_minvalue = -9223372036854775808 } },
    { sql = "ALTER SEQUENCE pt_orders_id_seq NO MINVALUE", environment = "prod", expect = "none",
      facts = { raises_minvalue = false, minvalue = -9223372036854775808, current_minvalue = -2147483648 } },
    -- an identity column's sequence, through ALTER TABLE (facts on the subcommand)
    { sql = "ALTER TABLE pt_orders ALTER COLUMN id SET MAXVALUE 1000", environment = "prod", expect = "queue", risk = "moderate",
      facts = { subcommands = { { operation = "set_identity", name = "id", options = { "maxvalue" },
        lowers_maxvalue = true, maxvalue = 1000, current_maxvalue = 9223372036854775807 } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN id SET MINVALUE -1000", environment = "prod", expect = "queue", risk = "moderate",
      facts = { subcommands = { { operation = "set_identity", name = "id", options = { "minvalue" },
        raises_minvalue = true, minvalue = -1000, current_minvalue = -9223372036854775808 } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN id TYPE integer", environment = "prod", expect = "queue", risk = "moderate",
      facts = { subcommands = { { operation = "alter_column_type", name = "id", lossy_conversion = false,
        lowers_maxvalue = true, maxvalue = 2147483647, current_maxvalue = 9223372036854775807 } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN id TYPE bigint", environment = "prod", expect = "none",
      facts = { subcommands = { { operation = "alter_column_type", name = "id", lossy_conversion = false,
        lowers_maxvalue = false, maxvalue = 9223372036854775807, current_maxvalue = 2147483647 } } } },
    -- a serial column's own sequence does not follow the column's type
    { sql = "ALTER TABLE pt_orders ALTER COLUMN id TYPE integer", environment = "prod", expect = "queue", risk = "moderate",
      facts = { subcommands = { { operation = "alter_column_type", name = "id", lossy_conversion = false,
        serial_sequence = "public.pt_orders_id_seq", sequence_limit = 9223372036854775807,
        sequence_outruns_type = true, sequence_limits_type = false } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN id TYPE bigint", environment = "prod", expect = "queue", risk = "moderate",
      facts = { subcommands = { { operation = "alter_column_type", name = "id", lossy_conversion = false,
        serial_sequence = "public.pt_orders_id_seq", sequence_limit = 2147483647,
        sequence_outruns_type = false, sequence_limits_type = true } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN id TYPE bigint", environment = "stage", expect = "approve", risk = "moderate",
      facts = { subcommands = { { operation = "alter_column_type", name = "id", lossy_conversion = false,
        serial_sequence = "public.pt_orders_id_seq", sequence_limit = 2147483647,
        sequence_outruns_type = false, sequence_limits_type = true } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN id TYPE bigint", environment = "prod", expect = "none",
      facts = { subcommands = { { operation = "alter_column_type", name = "id", lossy_conversion = false,
        serial_sequence = "public.pt_orders_id_seq", sequence_limit = 9223372036854775807,
        sequence_outruns_type = false, sequence_limits_type = false } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN id SET MAXVALUE 1000", environment = "dev", expect = "approve", risk = "low",
      facts = { subcommands = { { operation = "set_identity", name = "id", options = { "maxvalue" },
        lowers_maxvalue = true, maxvalue = 1000, current_maxvalue = 9223372036854775807 } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN id RESTART WITH 1", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN id SET INCREMENT BY 2", environment = "prod", expect = "none" },
  },
}
