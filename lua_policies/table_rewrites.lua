--[[
table_rewrites.lua -- policy "table_rewrites"

Changes that rewrite a whole table (every row copied) while holding an
ACCESS EXCLUSIVE lock: on a large table that is minutes to hours of
downtime.  squawk: changing-column-type, adding-field-with-default (volatile
defaults); plus stored generated columns, VACUUM FULL / CLUSTER, SET
TABLESPACE, SET LOGGED/UNLOGGED, and the classifier's rewrites_table estimate.

Checks (severity on a large table; on an unknown-size table one step less;
on a known small table advice; none on a table created earlier in the same
script and still empty -- fact created_in_script: the change's own
transaction made it, nobody else can see it until the change commits, and
dbchange checks that when it runs)
  changing-column-type        ALTER COLUMN ... TYPE (rewrites and rebuilds
                              indexes unless binary-coercible; none when
                              it restates the column's type, collation
                              included, without USING: fact
                              type_unchanged; nor when it only raises a
                              length or precision in place, varchar(50)
                              -> varchar(100) or text: type_widened
                              with rewrites_table false)                (danger)
  adding-field-with-default   ADD COLUMN with a volatile DEFAULT
                              (clock_timestamp(), random(), gen_random_uuid(),
                              nextval(), ...): every row is written     (danger)
  adding-stored-generated-column  ADD COLUMN ... GENERATED ALWAYS AS (...) STORED (danger)
                              (neither of these two for ADD COLUMN IF NOT
                              EXISTS of a column that is there: fact
                              adds_nothing, PostgreSQL skips it)
  ban-vacuum-full-cluster     VACUUM FULL / CLUSTER                     (danger)
  set-tablespace              ALTER TABLE ... SET TABLESPACE, and ALTER
                              INDEX ... SET TABLESPACE, which copies the
                              index under an ACCESS EXCLUSIVE lock that every
                              query of its table waits for              (danger)
  set-logged-unlogged         ALTER TABLE ... SET LOGGED / UNLOGGED     (danger)
  attach-partition-scan       ALTER TABLE ... ATTACH PARTITION that must scan
                              to prove the bound, under an ACCESS EXCLUSIVE
                              lock: the parent's default partition (danger
                              when large, caution when its size is unknown)
                              and the table attached (caution when large);
                              none when its constraints prove the bound
                              (see below)
  table-rewrite               any other statement the classifier says
                              rewrites the table, MySQL's OPTIMIZE TABLE
                              too (InnoDB: a rebuild + ANALYZE); for MySQL
                              the reason says what readers and writers see
                              (online, writes wait, writes may wait, reads
                              and writes wait)                          (danger)
  mysql-table-lock            MySQL ALTER TABLE ... LOCK=EXCLUSIVE / SHARED
                              that rewrites nothing and builds no index:
                              reads and/or writes wait for the whole
                              statement (MySQL runs nothing with a LOCK
                              clause instantly)                         (danger)
  access-exclusive-lock       other ALTER TABLE on a large table taking an
                              ACCESS EXCLUSIVE lock: fast, but waits behind
                              long queries and blocks everything queued
                              behind it; set lock_timeout (none when the
                              session or the script sets one of at most
                              MAX_LOCK_TIMEOUT_MS: fact lock_timeout)   (advice)

Behaviour per environment (action / risk by severity)
              dev          test             stage             prod
  advice      approve/low  approve/low      approve/low       approve/low
  caution     approve/low  approve/low      approve/moderate  queue/moderate
  danger      approve/low  approve/moderate queue/high        queue/high

attach-partition-scan and CHECK constraints: PostgreSQL skips the scan of
the table attached when its validated CHECK (and NOT NULL) constraints imply
the new partition's bound, and the scan of the default partition when its
constraints imply that none of its rows falls in the bound.  The classifier
makes that proof as PostgreSQL does (facts partition_scan_needed,
default_partition_scan_needed), so a CHECK on the key that proves too little
(CHECK (created_at > '2000-01-01') for a partition of 2024, or a nullable
key column) is a scan like no CHECK at all.  When it could not make the
proof (the facts null: a bound PostgreSQL refuses, a table locked by
another session, a bound or CHECK calling a function that is not built-in
C code, an older classifier), a table with a validated CHECK that reads a
column the key uses counts as proved (partition_has_key_checks,
default_partition_has_key_checks; without those, partition_has_checks /
default_partition_has_checks: any validated CHECK): a CHECK that reads none
of them (CHECK (amount > 0) when the key is created_at) never proves it.

Settings: LARGE_TABLE_ROWS, LARGE_TABLE_BYTES, MAX_LOCK_TIMEOUT_MS.  Volatility comes from the
classifier (default_volatile: serial, identity, random(), gen_random_uuid(), ...).
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local tonumber, tostring, type = tonumber, tostring, type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"
local LARGE_TABLE_ROWS  = 100000
local LARGE_TABLE_BYTES = 100 * 1024 * 1024
-- a lock_timeout up to this bounds how long queries queue behind the lock
local MAX_LOCK_TIMEOUT_MS = 10000

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

-- Does some ALTER COLUMN ... TYPE of the statement change the column?  Migration
-- tools restate a column's type to change something else (ALTER COLUMN c TYPE
-- <its type>, DROP NOT NULL): fact type_unchanged, which rewrites, converts
-- and breaks nothing.  Nor does a limit raised in place (varchar(50) ->
-- varchar(100), varchar -> text, numeric(10,2) -> numeric(12,2)): fact
-- type_widened, when PostgreSQL rewrites nothing for it (rewrites_table false).
local function type_changes(c)
  local subs = type(c.subcommands) == "table" and c.subcommands or {}
  for i = 1, #subs do
    local s = subs[i]
    if type(s) == "table" and s.operation == "alter_column_type" and s.type_unchanged ~= true and
       not (s.type_widened == true and s.rewrites_table == false) then
      return true
    end
  end
  return #subs == 0
end

local function has(list, x)
  if type(list) ~= "table" then return false end
  for i = 1, #list do if list[i] == x then return true end end
  return false
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
  if c.command == "OPTIMIZE TABLE" then
    -- MySQL's OPTIMIZE TABLE a, b: every table named
    local objs, names = c.objects, {}
    if type(objs) == "table" then
      for i = 1, #objs do
        local o = objs[i]
        if type(o) == "table" and type(o.identity) == "string" then names[#names + 1] = o.identity end
      end
    end
    if #names > 0 then return table.concat(names, ", ") end
  end
  local n = c.table or c.identity or c.name
  if type(n) == "table" then n = n[1] end
  return type(n) == "string" and n or "the table"
end

-- MySQL: operations InnoDB carries out in place with reads and writes going
-- on (MySQL's and MariaDB's online DDL tables, checked against MariaDB with
-- LOCK=NONE), and operations it carries out only while writes wait (a copy
-- of the table, or a partition reorganised in place without concurrent
-- writes).  A column redefined (MODIFY / CHANGE) is either, by the types: the
-- reason says writes may wait.
local ONLINE_OPS = {
  rebuild = true, drop_column = true, add_column = true, add_index = true, drop_index = true,
  add_primary_key = true, set_default = true, drop_default = true, rename_column = true,
  rename_index = true, set_table_option = true, drop_constraint = true, drop_foreign_key = true,
}
local BLOCKING_OPS = {
  convert_charset = true, add_foreign_key = true, order_by = true, partition_by = true,
  remove_partitioning = true, coalesce_partition = true, reorganize_partition = true,
  rebuild_partition = true,
}

-- What readers and writers of a MySQL table see while it is rewritten:
-- from the LOCK= / ALGORITHM= clauses (facts blocks_reads, blocks_writes),
-- else from the operations.
local function mysql_rewrite_note(c)
  if c.blocks_reads == true then return "while reads and writes wait" end
  if c.blocks_writes == true then return "while writes wait" end
  local online = c.blocks_writes == false or c.command == "OPTIMIZE TABLE"
  local engine = false
  if not online then
    local ops = c.operations
    if type(ops) ~= "table" then return "while writes may wait" end
    online = true
    for i = 1, #ops do
      local op = ops[i]
      if BLOCKING_OPS[op] or (op == "change_engine" and c.engine ~= "INNODB") or
         (op == "drop_primary_key" and not has(ops, "add_primary_key")) then
        -- (InnoDB drops a primary key in place only when another one is added)
        return "while writes wait"
      elseif op == "change_engine" then
        engine = true        -- ENGINE=InnoDB of an InnoDB table: a rebuild in place
      elseif not (ONLINE_OPS[op] or op == "drop_primary_key" or
                  (op == "add_constraint" and (c.constraint_type == "primary_key" or c.constraint_type == "unique"))) then
        online = false
      end
    end
  end
  if not online then
    return "while writes may wait (InnoDB copies the table, writes waiting, when it cannot redefine a column in place, " ..
      "e.g. for a new type; ALGORITHM=INPLACE, LOCK=NONE makes the server refuse rather than block)"
  end
  return "online" .. (c.command == "OPTIMIZE TABLE" and " (InnoDB runs it as a recreate + analyze; a MyISAM table is locked)" or "") ..
    (engine and " when it is InnoDB already (from another engine it is copied while writes wait)" or "") ..
    ": reads and writes go on, but it needs free disk for a second copy of the table, and replicas fall behind " ..
    "for as long as it runs (they replay it after it finishes here, and what follows waits for it)"
end

-- A rewrite finding scaled by table size.
local function rewrite(d, c, tier, id, what)
  -- new in this change's transaction and empty: nothing to copy, nobody to block
  if c.created_in_script == true then return d end
  local sc = size_class(c)
  local lock = c.dialect == "mysql" and mysql_rewrite_note(c) or "under an ACCESS EXCLUSIVE lock"
  if sc == "large" then
    return add(d, tier, DANGER, id, what .. " rewrites large table " .. target(c) .. size_note(c) .. " " .. lock)
  elseif sc == "unknown" then
    return add(d, tier, CAUTION, id, what .. " rewrites " .. target(c) .. " (size unknown) " .. lock)
  end
  if c.dialect == "mysql" then
    return add(d, tier, ADVICE, id, what .. " rewrites " .. target(c) .. " (small now) " .. lock)
  end
  return add(d, tier, ADVICE, id, what .. " rewrites " .. target(c) .. " (small now; would block a large table)")
end

-- MySQL: ALTER TABLE ... LOCK=SHARED / EXCLUSIVE that rewrites nothing and
-- builds no index (those are table-rewrite's and index_locking's): the lock
-- is held for the whole statement.  MySQL runs nothing with a LOCK clause
-- instantly (ALGORITHM=INSTANT takes only LOCK=DEFAULT), so an ADD COLUMN
-- there is an in-place rebuild under that lock; MariaDB may still add the
-- column instantly.  Scaled by table size like a rewrite.
local function mysql_table_lock(d, c, tier)
  if c.created_in_script == true then return d end
  local ops = c.operations
  if has(ops, "add_index") or has(ops, "drop_index") then return d end
  local what = c.blocks_reads == true and "reads and writes of " or "writes to "
  local text = "ALTER TABLE ... LOCK=" .. tostring(c.lock) .. ": " .. what
  local tail = " wait for as long as the statement runs, and MySQL runs no statement with a LOCK clause instantly " ..
    "(ALGORITHM=INSTANT takes only LOCK=DEFAULT): an ADD COLUMN is then a rebuild of the table under that lock; " ..
    "leave the LOCK clause out, or write LOCK=NONE"
  local sc = size_class(c)
  if sc == "large" then
    return add(d, tier, DANGER, "mysql-table-lock", text .. "large table " .. target(c) .. size_note(c) .. tail)
  elseif sc == "unknown" then
    return add(d, tier, CAUTION, "mysql-table-lock", text .. target(c) .. " (size unknown)" .. tail)
  end
  return add(d, tier, ADVICE, "mysql-table-lock", text .. target(c) .. " (small now)" .. tail)
end

-- "large", "unknown" or "small" for rows and bytes that may be nil
local function size_of(r, b)
  r, b = tonumber(r), tonumber(b)
  if r == nil and b == nil then return "unknown" end
  if (r and r >= LARGE_TABLE_ROWS) or (b and b >= LARGE_TABLE_BYTES) then return "large" end
  return "small"
end

local function rows_note(r)
  r = tonumber(r)
  return r and string.format(" (%.0f rows)", r) or " (size unknown)"
end

-- ATTACH PARTITION proves the new bound by scanning, unless CHECK
-- constraints prove it (facts: partition_*, default_partition_*): the
-- parent's default partition under an ACCESS EXCLUSIVE lock while it serves
-- the parent's rows (danger when large), and the table attached, under the
-- same lock on it (usually not in use yet: caution when large).  Whether it
-- scans: PostgreSQL's own proof (partition_scan_needed,
-- default_partition_scan_needed) when the classifier could make it, else
-- "unless a CHECK on a key column may prove it" (*_has_key_checks, or any
-- CHECK: *_has_checks).
local function scan_needed(exact, key_checks, checks)
  if exact ~= nil then return exact == true, true end
  if key_checks == nil then key_checks = checks end
  return key_checks ~= true, false
end

local function attach_scans(d, c, tier)
  local subs = c.subcommands
  if type(subs) ~= "table" then return d end
  for i = 1, #subs do
    local s = subs[i]
    if type(s) == "table" and s.operation == "attach_partition" then
      local def = s.default_partition
      local def_scan, def_proved = scan_needed(s.default_partition_scan_needed,
        s.default_partition_has_key_checks, s.default_partition_has_checks)
      local part_scan, part_proved = scan_needed(s.partition_scan_needed,
        s.partition_has_key_checks, s.partition_has_checks)
      if type(def) == "string" and def_scan then
        local sc = size_of(s.default_partition_rows, s.default_partition_bytes)
        if sc ~= "small" then
          d = add(d, tier, sc == "large" and DANGER or CAUTION, "attach-partition-scan", "ATTACH PARTITION of " ..
            tostring(s.partition) .. " scans the default partition " .. def .. rows_note(s.default_partition_rows) ..
            " under an ACCESS EXCLUSIVE lock, so its reads and writes wait" ..
            (def_proved and " (its constraints do not exclude the new bound)" or "") .. "; first add to " .. def ..
            " a CHECK constraint that excludes the new bound (NOT VALID, then VALIDATE CONSTRAINT): PostgreSQL then skips the scan")
        end
      end
      if part_scan and size_of(s.partition_rows, s.partition_bytes) == "large" then
        d = add(d, tier, CAUTION, "attach-partition-scan", "ATTACH PARTITION scans " .. tostring(s.partition) ..
          rows_note(s.partition_rows) .. " under an ACCESS EXCLUSIVE lock to prove its bound" ..
          (part_proved and " (its CHECK and NOT NULL constraints do not imply it)" or "") ..
          "; add a CHECK constraint matching the bound to it first (NOT VALID, then VALIDATE CONSTRAINT; " ..
          "NOT NULL on the key columns too), and PostgreSQL skips the scan")
      end
    end
  end
  return d
end

local function columns(c)
  local cols = c.columns
  return type(cols) == "table" and cols or {}
end

-- Policy ----------------------------------------------------------------------
return {
  name = "table_rewrites",
  description = "Column type changes, volatile defaults, stored generated columns, VACUUM FULL/CLUSTER and other full-table rewrites on large tables.",
  -- check() judges only these statements; the engine skips it for the rest
  commands = { "ALTER TABLE", "ALTER INDEX", "CLUSTER", "VACUUM", "OPTIMIZE TABLE" },

  check = function(c)
    local cmd = c.command
    local tier
    if cmd == "ALTER TABLE" then
      tier = tier_of(c)
      local ops = c.operations
      local d = nil
      local matched = false
      if has(ops, "alter_column_type") and type_changes(c) then
        matched = true
        if c.rewrites_table == false then
          d = add(d, tier, ADVICE, "changing-column-type", "changing a column type of " .. target(c) ..
            " (binary-coercible: no rewrite) still breaks clients that expect the old type")
        else
          d = rewrite(d, c, tier, "changing-column-type", "changing a column type")
        end
      end
      if has(ops, "add_column") then
        local cols = columns(c)
        for i = 1, #cols do
          local col = cols[i]
          -- ADD COLUMN IF NOT EXISTS of a column that is there (adds_nothing): skipped, default and all
          if type(col) == "table" and col.adds_nothing ~= true then
            local f = nil
            if col.serial == true then f = "serial"
            elseif col.identity ~= nil then f = "identity"
            elseif col.default_volatile == true then f = "a volatile function"
            end
            if f and col.generated == nil then
              matched = true
              d = rewrite(d, c, tier, "adding-field-with-default", "adding column " .. tostring(col.name) ..
                " with a volatile default (" .. f .. ")")
            end
            if col.generated == "stored" or col.generated == true then
              matched = true
              d = rewrite(d, c, tier, "adding-stored-generated-column", "adding stored generated column " .. tostring(col.name))
            end
          end
        end
      end
      if has(ops, "set_tablespace") then
        matched = true
        d = rewrite(d, c, tier, "set-tablespace", "SET TABLESPACE")
      end
      if has(ops, "set_logged") or has(ops, "set_unlogged") then
        matched = true
        d = rewrite(d, c, tier, "set-logged-unlogged", "SET LOGGED/UNLOGGED")
      end
      if has(ops, "attach_partition") then
        d = attach_scans(d, c, tier)
      end
      if not matched and c.rewrites_table == true then
        matched = true
        d = rewrite(d, c, tier, "table-rewrite", "this ALTER TABLE")
      end
      if not matched and c.dialect == "mysql" and c.blocks_writes == true then
        matched = true
        d = mysql_table_lock(d, c, tier)
      end
      if not matched and size_class(c) == "large" and
         c.lock == "ACCESS EXCLUSIVE" then
        local lt = tonumber(c.lock_timeout)
        if lt == nil or lt <= 0 then
          d = add(d, tier, ADVICE, "access-exclusive-lock", "takes an ACCESS EXCLUSIVE lock on large table " .. target(c) .. size_note(c) ..
            "; set lock_timeout so it cannot queue every other query behind it")
        elseif lt > MAX_LOCK_TIMEOUT_MS then
          d = add(d, tier, ADVICE, "access-exclusive-lock", "takes an ACCESS EXCLUSIVE lock on large table " .. target(c) .. size_note(c) ..
            string.format("; lock_timeout is %d ms: every other query may queue that long behind it, set a few seconds", lt))
        end
      end
      return d
    elseif cmd == "ALTER INDEX" then
      -- the index's file is copied block by block; queries of the table plan
      -- with its indexes, so they wait for the lock too.  Sized by its table.
      if has(c.operations, "set_tablespace") and c.created_in_script ~= true then
        local sc = size_class(c)
        local idx = c.identity
        if type(idx) ~= "string" then idx = "the index" end
        local tier = tier_of(c)
        if sc == "large" then
          return add(nil, tier, DANGER, "set-tablespace", "ALTER INDEX " .. idx .. " SET TABLESPACE copies an index of large table " ..
            target(c) .. size_note(c) .. " under an ACCESS EXCLUSIVE lock on it: every query of the table waits")
        elseif sc == "unknown" then
          return add(nil, tier, CAUTION, "set-tablespace", "ALTER INDEX " .. idx .. " SET TABLESPACE copies the index" ..
            " (size unknown) under an ACCESS EXCLUSIVE lock on it: every query of its table waits")
        end
        return add(nil, tier, ADVICE, "set-tablespace", "ALTER INDEX " .. idx .. " SET TABLESPACE copies the index of " ..
          target(c) .. " (small now; would block a large table)")
      end
      return nil
    elseif cmd == "OPTIMIZE TABLE" then
      -- MySQL: InnoDB maps OPTIMIZE TABLE to a rebuild (ALTER TABLE ... FORCE)
      -- and ANALYZE; judged as that rebuild, for each table named
      if c.dialect ~= "mysql" or c.rewrites_table == false then return nil end
      return rewrite(nil, c, tier_of(c), "table-rewrite", "OPTIMIZE TABLE")
    elseif cmd == "CLUSTER" then
      return rewrite(nil, c, tier_of(c), "ban-vacuum-full-cluster", "CLUSTER")
    elseif cmd == "VACUUM" then
      if c.full == true or c.rewrites_table == true then return rewrite(nil, c, tier_of(c), "ban-vacuum-full-cluster", "VACUUM FULL") end
      return nil
    end
    return nil
  end,

  tests = {
    { sql = "ALTER TABLE pt_orders ALTER COLUMN amount TYPE numeric(12,2)", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 5000000 } },
    -- a quick ACCESS EXCLUSIVE lock: advice to bound the wait, unless a short lock_timeout does
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_amount_check CHECK (amount > 0) NOT VALID", environment = "prod",
      expect = "approve", risk = "low", facts = { table_rows = 5000000 } },
    { sql = "SET lock_timeout = '2s'; ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_amount_check CHECK (amount > 0) NOT VALID",
      environment = "prod", expect = "none", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_amount_check CHECK (amount > 0) NOT VALID", environment = "prod",
      expect = "none", facts = { table_rows = 5000000, lock_timeout = 3000 } },
    { sql = "ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_amount_check CHECK (amount > 0) NOT VALID", environment = "prod",
      expect = "approve", risk = "low", facts = { table_rows = 5000000, lock_timeout = 600000 } },
    { sql = "SET lock_timeout = '2s'; RESET lock_timeout; ALTER TABLE pt_orders ADD CONSTRAINT pt_orders_amount_check CHECK (amount > 0) NOT VALID",
      environment = "prod", expect = "approve", risk = "low", facts = { table_rows = 5000000 } },
    -- ATTACH PARTITION: the default partition scanned under lock while it serves the parent
    { sql = "ALTER TABLE pt_ev ATTACH PARTITION pt_ev_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 10, subcommands = { { operation = "attach_partition", partition = "public.pt_ev_2025",
        partition_rows = 0, partition_bytes = 0, partition_has_checks = false, default_partition = "public.pt_ev_def",
        default_partition_rows = 3000000, default_partition_bytes = 400000000, default_partition_has_checks = false } } } },
    { sql = "ALTER TABLE pt_ev ATTACH PARTITION pt_ev_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      environment = "dev", expect = "approve", risk = "low",
      facts = { table_rows = 10, subcommands = { { operation = "attach_partition", partition = "public.pt_ev_2025",
        partition_rows = 0, partition_has_checks = false, default_partition = "public.pt_ev_def",
        default_partition_rows = 3000000, default_partition_has_checks = false } } } },
    -- ... not when the default partition's CHECK constraints may exclude the bound, nor when it is small
    { sql = "ALTER TABLE pt_ev ATTACH PARTITION pt_ev_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      environment = "prod", expect = "none",
      facts = { table_rows = 10, subcommands = { { operation = "attach_partition", partition = "public.pt_ev_2025",
        partition_rows = 0, partition_has_checks = false, default_partition = "public.pt_ev_def",
        default_partition_rows = 3000000, default_partition_has_checks = true } } } },
    { sql = "ALTER TABLE pt_ev ATTACH PARTITION pt_ev_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      environment = "prod", expect = "none",
      facts = { table_rows = 10, subcommands = { { operation = "attach_partition", partition = "public.pt_ev_2025",
        partition_rows = 0, partition_has_checks = false, default_partition = "public.pt_ev_def",
        default_partition_rows = 20, default_partition_bytes = 8192, default_partition_has_checks = false } } } },
    -- the attached table itself: large without a CHECK constraint (caution), with one (none)
    { sql = "ALTER TABLE pt_ev ATTACH PARTITION pt_ev_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      environment = "prod", expect = "queue", risk = "moderate",
      facts = { table_rows = 10, subcommands = { { operation = "attach_partition", partition = "public.pt_ev_2025",
        partition_rows = 2000000, partition_bytes = 300000000, partition_has_checks = false } } } },
    { sql = "ALTER TABLE pt_ev ATTACH PARTITION pt_ev_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      environment = "prod", expect = "none",
      facts = { table_rows = 10, subcommands = { { operation = "attach_partition", partition = "public.pt_ev_2025",
        partition_rows = 2000000, partition_bytes = 300000000, partition_has_checks = true } } } },
    -- a CHECK that reads no column of the partition key cannot prove the bound: scanned all the same
    { sql = "ALTER TABLE pt_ev ATTACH PARTITION pt_ev_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      environment = "prod", expect = "queue", risk = "moderate",
      facts = { table_rows = 10, subcommands = { { operation = "attach_partition", partition = "public.pt_ev_2025",
        partition_rows = 2000000, partition_bytes = 300000000, partition_has_checks = true, partition_has_key_checks = false } } } },
    { sql = "ALTER TABLE pt_ev ATTACH PARTITION pt_ev_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      environment = "prod", expect = "none",
      facts = { table_rows = 10, subcommands = { { operation = "attach_partition", partition = "public.pt_ev_2025",
        partition_rows = 2000000, partition_bytes = 300000000, partition_has_checks = true, partition_has_key_checks = true } } } },
    { sql = "ALTER TABLE pt_ev ATTACH PARTITION pt_ev_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 10, subcommands = { { operation = "attach_partition", partition = "public.pt_ev_2025",
        partition_rows = 0, partition_has_checks = false, partition_has_key_checks = false, default_partition = "public.pt_ev_def",
        default_partition_rows = 3000000, default_partition_has_checks = true, default_partition_has_key_checks = false } } } },
    { sql = "ALTER TABLE pt_ev ATTACH PARTITION pt_ev_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      environment = "prod", expect = "none",
      facts = { table_rows = 10, subcommands = { { operation = "attach_partition", partition = "public.pt_ev_2025",
        partition_rows = 0, partition_has_checks = false, partition_has_key_checks = false, default_partition = "public.pt_ev_def",
        default_partition_rows = 3000000, default_partition_has_checks = true, default_partition_has_key_checks = true } } } },
    -- PostgreSQL's own proof decides when the classifier made it: a key CHECK that proves too little is a scan ...
    { sql = "ALTER TABLE pt_ev ATTACH PARTITION pt_ev_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      environment = "prod", expect = "queue", risk = "moderate", name = "a key CHECK that proves too little: scanned",
      facts = { table_rows = 10, subcommands = { { operation = "attach_partition", partition = "public.pt_ev_2025",
        partition_rows = 2000000, partition_bytes = 300000000, partition_has_checks = true, partition_has_key_checks = true,
        partition_scan_needed = true } } } },
    { sql = "ALTER TABLE pt_ev ATTACH PARTITION pt_ev_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      environment = "prod", expect = "queue", risk = "high", name = "a default partition CHECK that does not exclude the bound: scanned",
      facts = { table_rows = 10, subcommands = { { operation = "attach_partition", partition = "public.pt_ev_2025",
        partition_rows = 0, partition_scan_needed = false, default_partition = "public.pt_ev_def",
        default_partition_rows = 3000000, default_partition_has_checks = true, default_partition_has_key_checks = true,
        default_partition_scan_needed = true } } } },
    -- ... and a proof is no scan, whatever the approximations say
    { sql = "ALTER TABLE pt_ev ATTACH PARTITION pt_ev_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      environment = "prod", expect = "none",
      facts = { table_rows = 10, subcommands = { { operation = "attach_partition", partition = "public.pt_ev_2025",
        partition_rows = 2000000, partition_bytes = 300000000, partition_has_checks = false, partition_has_key_checks = false,
        partition_scan_needed = false, default_partition = "public.pt_ev_def", default_partition_rows = 3000000,
        default_partition_has_checks = false, default_partition_has_key_checks = false,
        default_partition_scan_needed = false } } } },
    -- unknown (null, absent here): the key CHECK approximation decides
    { sql = "ALTER TABLE pt_ev ATTACH PARTITION pt_ev_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      environment = "prod", expect = "queue", risk = "moderate", name = "proof unknown: the key CHECK approximation",
      facts = { table_rows = 10, subcommands = { { operation = "attach_partition", partition = "public.pt_ev_2025",
        partition_rows = 2000000, partition_bytes = 300000000, partition_has_checks = true, partition_has_key_checks = false,
        default_partition = "public.pt_ev_def", default_partition_rows = 3000000,
        default_partition_has_checks = true, default_partition_has_key_checks = true } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN amount TYPE numeric(12,2)", environment = "dev", expect = "approve", risk = "low",
      facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN amount TYPE numeric(12,2)", environment = "test", expect = "approve", risk = "moderate",
      facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN amount TYPE numeric(12,2)", environment = "prod", expect = "approve", risk = "low",
      facts = { table_rows = 50, table_bytes = 8192 } },
    -- bulk-loaded, never analysed: 78 MB (under LARGE_TABLE_BYTES), rows estimated from that size
    { sql = "ALTER TABLE pt_orders ALTER COLUMN amount TYPE numeric(12,2)", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 1500000, table_rows_estimated = true, table_bytes = 81788928 } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN amount TYPE numeric(12,2)", environment = "prod", expect = "queue", risk = "moderate" },
    -- a type restated as it is (ORMs do it to change the nullability): nothing changes
    { sql = "ALTER TABLE pt_orders ALTER COLUMN amount TYPE numeric(12,2), ALTER COLUMN amount DROP NOT NULL",
      environment = "prod", expect = "none",
      facts = { table_rows = 50, table_bytes = 8192, rewrites_table = false, subcommands = {
        { operation = "alter_column_type", name = "amount", type = "numeric", typmods = { 12, 2 }, type_unchanged = true },
        { operation = "drop_not_null", name = "amount", was_not_null = false } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN amount TYPE numeric(12,2)", environment = "prod", expect = "queue", risk = "moderate",
      name = "type_unchanged unknown (null): judged as a change",
      facts = { subcommands = { { operation = "alter_column_type", name = "amount", type = "numeric", typmods = { 12, 2 } } } } },
    -- a limit raised in place (type_widened, no rewrite): breaks no client, rewrites nothing
    { sql = "ALTER TABLE pt_orders ALTER COLUMN note TYPE varchar(100)", environment = "prod", expect = "none",
      name = "varchar(50) -> varchar(100): no finding",
      facts = { table_rows = 50, table_bytes = 8192, rewrites_table = false, subcommands = {
        { operation = "alter_column_type", name = "note", type = "varchar", typmods = { 100 }, old_type = "varchar",
          old_typmods = { 50 }, type_widened = true, type_unchanged = false, rewrites_table = false } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN note TYPE text", environment = "prod", expect = "approve", risk = "low",
      name = "a binary-coercible change that is no widening: still the clients advice",
      facts = { table_rows = 50, table_bytes = 8192, rewrites_table = false, subcommands = {
        { operation = "alter_column_type", name = "note", type = "text", typmods = {}, old_type = "bpchar",
          old_typmods = { 5 }, type_widened = false, type_unchanged = false, rewrites_table = false } } } },
    { sql = "ALTER TABLE pt_orders ALTER COLUMN amount TYPE numeric(12,2)", environment = "prod", expect = "queue", risk = "high",
      name = "a widening that rewrites (an array of varchar): the rewrite finding",
      facts = { table_rows = 5000000, rewrites_table = true, subcommands = {
        { operation = "alter_column_type", name = "tags", type = "varchar", typmods = { 100 }, is_array = true,
          old_type = "varchar", old_typmods = { 50 }, old_is_array = true, type_widened = true, rewrites_table = true } } } },
    -- ADD COLUMN IF NOT EXISTS of a column that is there (adds_nothing): PostgreSQL skips it, expression and all
    -- (the ACCESS EXCLUSIVE lock is still taken: on a large table, the lock_timeout advice)
    { sql = "ALTER TABLE pt_orders ADD COLUMN IF NOT EXISTS total numeric GENERATED ALWAYS AS (amount * 2) STORED",
      environment = "prod", expect = "approve", risk = "low", name = "adds_nothing: no rewrite finding, the lock advice",
      facts = { table_rows = 5000000, lock = "ACCESS EXCLUSIVE", rewrites_table = false, columns = { { name = "total", type = "numeric", generated = "stored",
        has_default = true, adds_nothing = true } } } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN IF NOT EXISTS token uuid DEFAULT gen_random_uuid()",
      environment = "prod", expect = "none",
      facts = { table_rows = 50, table_bytes = 8192, rewrites_table = false, columns = { { name = "token", type = "uuid", has_default = true,
        default_volatile = true, adds_nothing = true } } } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN IF NOT EXISTS total numeric GENERATED ALWAYS AS (amount * 2) STORED",
      environment = "prod", expect = "queue", risk = "high", name = "adds_nothing unknown: judged as an addition",
      facts = { table_rows = 5000000, columns = { { name = "total", type = "numeric", generated = "stored", has_default = true } } } },
    -- a small inheritance parent whose children are large: they are rewritten too (total_rows)
    { sql = "ALTER TABLE pt_orders ALTER COLUMN amount TYPE numeric(12,2)", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 50, table_bytes = 8192, total_rows = 5000050, total_bytes = 900000000, descendant_count = 1,
        descendants = { { object_type = "table", schema = "public", name = "pt_orders_old", identity = "public.pt_orders_old",
          partition = false, descendant_of = "public.pt_orders", rows = 5000000, bytes = 899991808 } } } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN token uuid DEFAULT gen_random_uuid()", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN created_at timestamptz DEFAULT now()", environment = "prod", expect = "approve",
      risk = "low", facts = { table_rows = 5000000, lock = "ACCESS EXCLUSIVE" } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN id2 bigserial", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN total numeric GENERATED ALWAYS AS (amount * 2) STORED", environment = "prod", expect = "queue",
      risk = "high", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders SET TABLESPACE pg_default", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders SET UNLOGGED", environment = "stage", expect = "queue", risk = "high",
      facts = { table_rows = 5000000 } },
    -- an index's SET TABLESPACE copies it under ACCESS EXCLUSIVE: sized by its table
    { sql = "ALTER INDEX pt_orders_pkey SET TABLESPACE pg_default", environment = "prod", expect = "queue", risk = "high",
      facts = { table = "public.pt_orders", table_rows = 5000000 } },
    { sql = "ALTER INDEX pt_orders_pkey SET TABLESPACE pg_default", environment = "dev", expect = "approve", risk = "low",
      facts = { table = "public.pt_orders", table_rows = 5000000 } },
    { sql = "ALTER INDEX pt_orders_pkey SET TABLESPACE pg_default", environment = "prod", expect = "approve", risk = "low",
      facts = { table = "public.pt_orders", table_rows = 50, table_bytes = 8192 } },
    { sql = "ALTER INDEX pt_orders_pkey SET (fillfactor = 70)", environment = "prod", expect = "none",
      facts = { table = "public.pt_orders", table_rows = 5000000 } },
    { sql = "VACUUM FULL pt_orders", environment = "prod", expect = "queue", risk = "high", facts = { table_rows = 5000000 } },
    { sql = "CLUSTER pt_orders USING pt_orders_pkey", environment = "prod", expect = "queue", risk = "high", facts = { table_rows = 5000000 } },
    { sql = "VACUUM pt_orders", environment = "prod", expect = "none", facts = { table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "prod", expect = "approve", risk = "low",
      facts = { table_rows = 5000000, lock = "ACCESS EXCLUSIVE" } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "prod", expect = "none",
      facts = { table_rows = 500, table_bytes = 65536, lock = "ACCESS EXCLUSIVE" } },
    { sql = "CREATE TABLE pt_orders (id bigint PRIMARY KEY)", environment = "prod", expect = "none" },
    -- a table the same script creates before: no rewrite finding
    { sql = "ALTER TABLE pt_orders ALTER COLUMN amount TYPE numeric(12,2), ADD COLUMN token uuid DEFAULT gen_random_uuid()",
      environment = "prod", expect = "none", facts = { created_in_script = true } },
    { sql = "ALTER INDEX pt_orders_pkey SET TABLESPACE pg_default", environment = "prod", expect = "none",
      facts = { table = "public.pt_orders", created_in_script = true } },
    { sql = "CREATE TABLE pt_script_orders (id bigint, amount numeric(10,2)); ALTER TABLE pt_script_orders ALTER COLUMN amount TYPE numeric(12,2)",
      environment = "prod", expect = "none" },
    -- MySQL: a rewrite is judged whatever InnoDB does meanwhile (the reason says: online, or writes wait)
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "prod", expect = "queue", risk = "moderate",
      facts = { dialect = "mysql", operations = { "rebuild" }, rewrites_table = true, lock = "NONE", algorithm = "INPLACE",
        blocks_reads = false, blocks_writes = false } },
    -- MySQL ALTER TABLE ... LOCK=EXCLUSIVE / SHARED: the lock is held for the whole statement (sized like a rewrite)
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "prod", expect = "queue", risk = "moderate",
      facts = { dialect = "mysql", operations = { "add_column" }, rewrites_table = false, lock = "EXCLUSIVE",
        blocks_reads = true, blocks_writes = true } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", operations = { "add_column" }, rewrites_table = false, lock = "EXCLUSIVE",
        blocks_reads = true, blocks_writes = true, table_rows = 5000000 } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "prod", expect = "approve", risk = "low",
      facts = { dialect = "mysql", operations = { "add_column" }, rewrites_table = false, lock = "EXCLUSIVE",
        blocks_reads = true, blocks_writes = true, table_rows = 50, table_bytes = 8192 } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "dev", expect = "approve", risk = "low",
      facts = { dialect = "mysql", operations = { "add_column" }, rewrites_table = false, lock = "EXCLUSIVE",
        blocks_reads = true, blocks_writes = true } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "stage", expect = "approve", risk = "moderate",
      facts = { dialect = "mysql", operations = { "rename_column" }, rewrites_table = false, lock = "SHARED",
        blocks_reads = false, blocks_writes = true } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "prod", expect = "none",
      facts = { dialect = "mysql", operations = { "add_column" }, rewrites_table = false, lock = "NONE",
        blocks_reads = false, blocks_writes = false } },
    -- ... an index built or dropped under it is index_locking's finding
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "prod", expect = "none",
      facts = { dialect = "mysql", operations = { "add_index" }, rewrites_table = false, lock = "EXCLUSIVE",
        blocks_reads = true, blocks_writes = true } },
    -- MySQL OPTIMIZE TABLE: InnoDB rebuilds the table (recreate + analyze), as ALTER TABLE ... FORCE
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "moderate",
      facts = { dialect = "mysql", command = "OPTIMIZE TABLE", operations = { "optimize" }, rewrites_table = true,
        objects = { { object_type = "table", name = "a", identity = "shop.a" }, { object_type = "table", name = "b", identity = "shop.b" } } } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "OPTIMIZE TABLE", operations = { "optimize" }, rewrites_table = true,
        identity = "shop.a", table_rows = 5000000 } },
    { sql = "SELECT 1", environment = "dev", expect = "approve", risk = "low",
      facts = { dialect = "mysql", command = "OPTIMIZE TABLE", operations = { "optimize" }, rewrites_table = true } },
  },
}
