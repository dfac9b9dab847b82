--[[
index_locking.lua -- policy "index_locking"

Index builds and drops that lock a table.  squawk:
require-concurrent-index-creation, require-concurrent-index-deletion,
ban-concurrent-index-creation-in-transaction; Bytebase:
index.key-number-limit, index.no-duplicate-column (not index.total-number-limit:
that needs the table's other indexes, which no fact lists);
plus REINDEX and REFRESH MATERIALIZED VIEW without CONCURRENTLY.

A plain CREATE INDEX takes a SHARE lock (writes wait for the whole build), a
plain DROP INDEX / REINDEX an ACCESS EXCLUSIVE one.  On a small or new table
that is harmless; on a large one it is an outage.  "Large" means
table_rows >= LARGE_TABLE_ROWS or table_bytes >= LARGE_TABLE_BYTES (total_rows
and total_bytes instead when the statement reaches partitions or inheritance
children: an index on a partitioned table is built on each).  A table
never vacuumed or analysed has the classifier's estimate from its size in
table_rows (table_rows_estimated), judged like any other.  When the
size is unknown (table_rows and table_bytes both nil: the table does not exist
yet, e.g. created earlier in the same script) the finding is only advice.
A table created earlier in the same script and still empty (fact
created_in_script: the change's own transaction made it, nobody else can see
it until the change commits, and dbchange checks that when it runs) gets no
lock finding at all, as an empty table measured at the gate gets none worth
a queue.

Checks (severity)
  require-concurrent-index-creation  CREATE INDEX without CONCURRENTLY on a
                                     large table (danger; advice when size unknown;
                                     none for CREATE INDEX ... ON ONLY a
                                     partitioned table, which builds nothing:
                                     scans_table false)
  unique-index-on-existing-rows      CREATE UNIQUE INDEX on a table that has
                                     rows (facts unique, table_rows): it fails
                                     at the first duplicate key, and a failed
                                     CONCURRENTLY build leaves an INVALID index;
                                     the reason gives the query that finds the
                                     duplicates (advice; Atlas's data-dependent
                                     changes)
  require-concurrent-index-deletion  DROP INDEX without CONCURRENTLY on a
                                     large table (danger; advice when unknown;
                                     none for IF EXISTS of an index that is not
                                     there: fact drops_nothing)
  ban-concurrent-index-creation-in-transaction
                                     CREATE/DROP INDEX CONCURRENTLY or REINDEX
                                     CONCURRENTLY inside a transaction block:
                                     PostgreSQL refuses it (invalid)
  concurrent-index-on-partitioned-table
                                     CREATE INDEX CONCURRENTLY on a partitioned
                                     table: PostgreSQL refuses it (invalid)
  require-concurrent-reindex         REINDEX without CONCURRENTLY on a large
                                     table (danger; advice when unknown);
                                     REINDEX SCHEMA / DATABASE / SYSTEM without
                                     CONCURRENTLY: danger whatever the size (every
                                     table there, or the system catalogs, which
                                     every query of the database reads)
  require-concurrent-refresh         REFRESH MATERIALIZED VIEW without
                                     CONCURRENTLY of a large view that holds
                                     data: advice from LARGE_TABLE_ROWS /
                                     LARGE_TABLE_BYTES, caution from
                                     LARGE_MATVIEW_ROWS / LARGE_MATVIEW_BYTES
                                     (see below); the reason says whether it
                                     has the unique index CONCURRENTLY needs
                                     (fact has_unique_index)
  concurrent-refresh-refused         REFRESH MATERIALIZED VIEW CONCURRENTLY
                                     that PostgreSQL refuses: with WITH NO
                                     DATA, of a view that holds no data (fact
                                     populated false), or of one without a
                                     unique index on plain columns and without
                                     a WHERE clause (fact has_unique_index
                                     false) (invalid)
  index-key-count-limit              an index with more than MAX_INDEX_KEYS
                                     columns (advice)
  index-duplicate-column             the same column twice in one index (caution)

Behaviour per environment (action / risk by severity)
              dev          test             stage             prod
  advice      approve/low  approve/low      approve/low       approve/low
  caution     approve/low  approve/low      approve/moderate  queue/moderate
  danger      approve/low  approve/moderate queue/high        queue/high
  invalid     approve/low  reject/moderate  reject/moderate   reject/high

MySQL-dialect changes (dialect = "mysql"): InnoDB builds and drops indexes
online, so the CONCURRENTLY checks do not apply; instead
  mysql-blocking-index-ddl           CREATE/DROP INDEX, or ALTER TABLE ADD /
                                     DROP INDEX that rewrites nothing, whose
                                     LOCK=/ALGORITHM= clause blocks writes, and
                                     every FULLTEXT / SPATIAL index build
                                     (InnoDB: LOCK=SHARED at best) (danger)

REFRESH MATERIALIZED VIEW without CONCURRENTLY holds an ACCESS EXCLUSIVE
lock on the view while it runs the view's query and writes the new rows:
every read of the view waits for the whole rebuild.  But refreshing is a
routine job, usually run by a scheduler (cron, pg_cron) at a set time, and a
refresh queued for approval does not happen at all: its readers get stale
data instead of a short wait.  So a refresh is only queued (caution) where
the wait is long -- a view of LARGE_MATVIEW_ROWS rows or LARGE_MATVIEW_BYTES
or more; from LARGE_TABLE_ROWS / LARGE_TABLE_BYTES it is approved with a
warning (advice); a smaller one gets no finding, and nor does a view that
holds no data (populated false: nobody can read it now anyway).  The size is
the view's own (table_rows / table_bytes), which may understate the rebuild
of a small view that aggregates large tables.

Settings: LARGE_TABLE_ROWS, LARGE_TABLE_BYTES, LARGE_MATVIEW_ROWS,
LARGE_MATVIEW_BYTES, MAX_INDEX_KEYS.
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local tonumber, tostring, type = tonumber, tostring, type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"
local LARGE_TABLE_ROWS  = 100000
local LARGE_TABLE_BYTES = 100 * 1024 * 1024
local MAX_INDEX_KEYS    = 5
-- REFRESH MATERIALIZED VIEW without CONCURRENTLY: queued from this size
local LARGE_MATVIEW_ROWS  = 1000000
local LARGE_MATVIEW_BYTES = 1024 * 1024 * 1024

-- Helpers ---------------------------------------------------------------------
local ADVICE, CAUTION, DANGER, INVALID = 1, 2, 3, 4
local MAP = {
  dev   = { { "approve", "low" }, { "approve", "low" }, { "approve", "low" }, { "approve", "low" } },
  test  = { { "approve", "low" }, { "approve", "low" }, { "approve", "moderate" }, { "reject", "moderate" } },
  stage = { { "approve", "low" }, { "approve", "moderate" }, { "queue", "high" }, { "reject", "moderate" } },
  prod  = { { "approve", "low" }, { "queue", "moderate" }, { "queue", "high" }, { "reject", "high" } },
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

-- "large", "small" or "unknown", by the size of all the data the statement
-- reaches: total_rows/total_bytes when it acts on partitions too.
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
  if type(n) == "table" then n = n[1] end
  return type(n) == "string" and n or "the table"
end

-- Was CONCURRENTLY given?  Prefer the fact; fall back to the text.
local function concurrently(c)
  if c.concurrently ~= nil then return c.concurrently == true end
  local s = c.statement
  return type(s) == "string" and s:lower():find("concurrently", 1, true) ~= nil
end

-- Is a partition among the tables the statement reaches below its table?
-- (only read on a large table: PostgreSQL cannot build an index on a
-- partitioned table CONCURRENTLY, so the advice differs)
local function partitioned(c)
  local ds = c.descendants
  if type(ds) ~= "table" then return false end
  for i = 1, #ds do
    local x = ds[i]
    if type(x) == "table" and x.partition == true then return true end
  end
  return false
end

-- The advice for a unique index built over existing rows, with the query
-- that finds the duplicates when every key is a plain column.
local function unique_on_rows(c, keys, n, conc)
  local t = target(c)
  local msg = "CREATE UNIQUE INDEX on " .. t .. size_note(c) .. " fails if two rows share a key" ..
    (conc and " (and a failed CONCURRENTLY build leaves an INVALID index behind: DROP INDEX CONCURRENTLY it before retrying)" or "")
  local cols = {}
  if type(keys) == "table" and n then
    for i = 1, n do
      local k = keys[i]
      if type(k) ~= "string" then cols = nil break end
      -- (a name that is not plain lower case is quoted, as PostgreSQL would need it)
      cols[i] = k:match("^[a-z_][a-z0-9_]*$") and k or ('"' .. (k:gsub('"', '""')) .. '"')
    end
  end
  if cols and #cols > 0 then
    local list = table.concat(cols, ", ")
    return msg .. "; look for duplicates first: SELECT " .. list .. ", count(*) FROM " .. t .. " GROUP BY " .. list ..
      " HAVING count(*) > 1" .. (c.partial == true and " (with the index's WHERE)" or "")
  end
  return msg .. "; look for duplicate keys first"
end

local function lock_finding(d, c, tier, id, what)
  -- new in this change's transaction and empty: its lock blocks nobody
  if c.created_in_script == true then return d end
  local sc = size_class(c)
  if sc == "large" then
    if c.command == "CREATE INDEX" and partitioned(c) then
      return add(d, tier, DANGER, id, what .. " on large partitioned table " .. target(c) .. size_note(c) ..
        " blocks writes to every partition while it builds; PostgreSQL cannot build it CONCURRENTLY there: " ..
        "CREATE INDEX ... ON ONLY the parent, CREATE INDEX CONCURRENTLY on each partition, then ALTER INDEX ... ATTACH PARTITION")
    end
    return add(d, tier, DANGER, id, what .. " on large table " .. target(c) .. size_note(c) ..
      " blocks it for the whole operation; use CONCURRENTLY")
  elseif sc == "unknown" then
    return add(d, tier, ADVICE, id, what .. " on " .. target(c) ..
      " (size unknown) blocks it while it runs; prefer CONCURRENTLY on existing tables")
  end
  return d
end

-- Policy ----------------------------------------------------------------------
return {
  name = "index_locking",
  description = "Index builds, drops, REINDEX and REFRESH without CONCURRENTLY on large tables; CONCURRENTLY inside a transaction; index limits.",
  -- check() judges only these statements; the engine skips it for the rest
  commands = { "CREATE INDEX", "DROP INDEX", "REINDEX", "REFRESH MATERIALIZED VIEW", "ALTER TABLE" },

  check = function(c)
    local cmd = c.command
    if cmd == "ALTER TABLE" then
      -- MySQL builds and drops indexes in ALTER TABLE too (ADD INDEX, ADD
      -- FULLTEXT, DROP KEY); a table rewrite is table_rewrites' finding
      if c.dialect ~= "mysql" or c.blocks_writes ~= true or c.rewrites_table == true then return nil end
      local ops = c.operations
      if type(ops) ~= "table" then return nil end
      local idx = false
      for i = 1, #ops do
        if ops[i] == "add_index" or ops[i] == "drop_index" then idx = true break end
      end
      if not idx then return nil end
    elseif cmd ~= "CREATE INDEX" and cmd ~= "DROP INDEX" and cmd ~= "REINDEX"
       and cmd ~= "REFRESH MATERIALIZED VIEW" then
      return nil
    end
    local tier = tier_of(c)
    if c.dialect == "mysql" then
      if c.blocks_writes == true then
        local m = c.index_method
        if (m == "fulltext" or m == "spatial") and c.lock ~= "EXCLUSIVE" and c.algorithm ~= "COPY" then
          return add(nil, tier, DANGER, "mysql-blocking-index-ddl", "building a " .. m:upper() .. " index on " .. target(c) ..
            " blocks writes for the whole build: InnoDB builds " .. m:upper() .. " indexes with LOCK=SHARED at best" ..
            (m == "fulltext" and " (the first one of a table also rebuilds it)" or "") ..
            "; build it when writes can wait, or with an online schema-change tool")
        end
        -- name only the clauses written (an absent one read "nil")
        local clauses = {}
        if c.lock ~= nil then clauses[#clauses + 1] = "LOCK=" .. tostring(c.lock) end
        if c.algorithm ~= nil then clauses[#clauses + 1] = "ALGORITHM=" .. tostring(c.algorithm) end
        return add(nil, tier, DANGER, "mysql-blocking-index-ddl", cmd ..
          (#clauses > 0 and " with " .. table.concat(clauses, ", ") or "") ..
          " blocks writes; use ALGORITHM=INPLACE, LOCK=NONE")
      end
      return nil
    end
    local conc = concurrently(c)
    local d = nil

    if conc and c.in_transaction_block == true and cmd ~= "REFRESH MATERIALIZED VIEW" then
      d = add(d, tier, INVALID, "ban-concurrent-index-creation-in-transaction",
        cmd .. " CONCURRENTLY cannot run inside a transaction block; run it on its own, outside BEGIN ... COMMIT")
    end

    if cmd == "CREATE INDEX" then
      -- PostgreSQL refuses CONCURRENTLY on a partitioned table (its partitions: descendants)
      if conc and partitioned(c) then
        d = add(d, tier, INVALID, "concurrent-index-on-partitioned-table", "PostgreSQL cannot build an index CONCURRENTLY on partitioned table " ..
          target(c) .. ": CREATE INDEX ... ON ONLY the parent, CREATE INDEX CONCURRENTLY on each partition, then ALTER INDEX ... ATTACH PARTITION")
      end
      -- IF NOT EXISTS of a name taken (adds_nothing): PostgreSQL builds nothing, and the
      -- index there was judged when it was made (the two errors above come first all the same)
      if c.adds_nothing == true then return d end
      -- scans_table false: ON ONLY a partitioned table records an empty, invalid index
      if not conc and c.scans_table ~= false then
        d = lock_finding(d, c, tier, "require-concurrent-index-creation", "CREATE INDEX without CONCURRENTLY")
      end
      local n = tonumber(c.column_count)
      if n and n > MAX_INDEX_KEYS then
        d = add(d, tier, ADVICE, "index-key-count-limit", "the index has " .. n ..
          " key columns (limit " .. MAX_INDEX_KEYS .. "); wide indexes are large and rarely used fully")
      end
      local keys = c.index_columns
      if type(keys) == "table" and n then
        -- expressions are null (nil holes): walk by column_count, not #keys
        local seen = {}
        for i = 1, n do
          local k = keys[i]
          if type(k) == "string" then
            if seen[k] then
              d = add(d, tier, CAUTION, "index-duplicate-column", "column " .. k .. " appears twice in the index")
              break
            end
            seen[k] = true
          end
        end
      end
      -- a unique index over rows already there fails at the first duplicate key (Atlas's data-dependent
      -- changes): the migration breaks in prod, not in a developer's empty database
      -- (the size first: lock_finding has read it already, and most indexes are built on no rows)
      local rows = tonumber(c.total_rows or c.table_rows)
      if rows and rows > 0 and c.unique == true and c.created_in_script ~= true and c.scans_table ~= false then
        d = add(d, tier, ADVICE, "unique-index-on-existing-rows", unique_on_rows(c, keys, n, conc))
      end
    elseif cmd == "DROP INDEX" then
      -- (IF EXISTS of an index that is not there: nothing is locked, fact drops_nothing)
      if not conc and c.drops_nothing ~= true then
        d = lock_finding(d, c, tier, "require-concurrent-index-deletion", "DROP INDEX without CONCURRENTLY")
      end
    elseif cmd == "REINDEX" then
      if not conc then
        local ot = c.object_type
        if ot == "system" then
          -- (PostgreSQL cannot reindex system catalogs CONCURRENTLY at all)
          d = add(d, tier, DANGER, "require-concurrent-reindex", "REINDEX SYSTEM " .. target(c) ..
            " locks each system catalog exclusively while it rebuilds its indexes: every query of the database waits;" ..
            " it cannot run CONCURRENTLY, so schedule it in a maintenance window")
        elseif ot == "database" or ot == "schema" then
          d = add(d, tier, DANGER, "require-concurrent-reindex", "REINDEX " .. ot:upper() .. " " .. target(c) ..
            " without CONCURRENTLY rebuilds the indexes of every table there, each under an ACCESS EXCLUSIVE lock" ..
            " (large tables included); use REINDEX " .. ot:upper() .. " CONCURRENTLY, or REINDEX the tables that need it")
        else
          d = lock_finding(d, c, tier, "require-concurrent-reindex", "REINDEX without CONCURRENTLY")
        end
      end
    else -- REFRESH MATERIALIZED VIEW
      local mv = target(c)
      if conc then
        -- PostgreSQL refuses each of these before it refreshes anything
        if c.with_data == false then
          d = add(d, tier, INVALID, "concurrent-refresh-refused", "REFRESH MATERIALIZED VIEW CONCURRENTLY cannot be " ..
            "combined with WITH NO DATA: PostgreSQL refuses it; leave one of them out")
        elseif c.populated == false then
          d = add(d, tier, INVALID, "concurrent-refresh-refused", "REFRESH MATERIALIZED VIEW CONCURRENTLY of " .. mv ..
            ", which holds no data (never refreshed, or refreshed WITH NO DATA): PostgreSQL refuses it; refresh it " ..
            "without CONCURRENTLY the first time (nobody can read it meanwhile anyway)")
        elseif c.has_unique_index == false then
          d = add(d, tier, INVALID, "concurrent-refresh-refused", "REFRESH MATERIALIZED VIEW CONCURRENTLY of " .. mv ..
            ", which has no unique index on plain columns without a WHERE clause: PostgreSQL refuses it; " ..
            "CREATE UNIQUE INDEX CONCURRENTLY on columns that identify its rows first")
        end
      elseif c.with_data ~= false and c.populated ~= false then
        local r, b = tonumber(c.table_rows), tonumber(c.table_bytes)
        local sev = nil
        if (r and r >= LARGE_MATVIEW_ROWS) or (b and b >= LARGE_MATVIEW_BYTES) then
          sev = CAUTION
        elseif size_class(c) == "large" then
          sev = ADVICE
        end
        if sev then
          d = add(d, tier, sev, "require-concurrent-refresh", "REFRESH MATERIALIZED VIEW without CONCURRENTLY holds an " ..
            "ACCESS EXCLUSIVE lock on " .. mv .. size_note(c) .. " for the whole rebuild: every read of it waits; " ..
            (c.has_unique_index == true and "it has a unique index, so use REFRESH MATERIALIZED VIEW CONCURRENTLY" or
              "CREATE UNIQUE INDEX CONCURRENTLY on columns that identify its rows (no WHERE clause, no expressions), " ..
              "then use REFRESH MATERIALIZED VIEW CONCURRENTLY"))
        end
      end
    end
    return d
  end,

  -- in_transaction_block is pinned where CONCURRENTLY matters: the engine runs tests inside a
  -- subtransaction, where it would otherwise be true.
  tests = {
    { sql = "CREATE INDEX orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 5000000 } },
    -- IF NOT EXISTS of an index name that is taken (adds_nothing): nothing is read or built
    { sql = "CREATE UNIQUE INDEX IF NOT EXISTS orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "none",
      facts = { table_rows = 5000000, adds_nothing = true, scans_table = false } },
    { sql = "CREATE UNIQUE INDEX IF NOT EXISTS orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "queue",
      risk = "high", facts = { table_rows = 5000000, adds_nothing = false } },
    { sql = "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_idx ON orders (customer_id)", environment = "prod",
      expect = "reject", name = "adds_nothing: CONCURRENTLY in a transaction block is refused all the same",
      facts = { table_rows = 5000000, adds_nothing = true, in_transaction_block = true } },
    -- a unique index over existing rows may fail on duplicates: advice, with the query that finds them
    { sql = "CREATE UNIQUE INDEX CONCURRENTLY orders_ref_key ON orders (ref, region)", environment = "prod",
      expect = "approve", risk = "low", facts = { table_rows = 5000, in_transaction_block = false } },
    { sql = "CREATE UNIQUE INDEX CONCURRENTLY orders_ref_key ON orders (ref)", environment = "prod", expect = "none",
      facts = { table_rows = 0, in_transaction_block = false } },
    { sql = "CREATE UNIQUE INDEX CONCURRENTLY orders_ref_key ON orders (ref)", environment = "prod", expect = "none",
      facts = { in_transaction_block = false } },
    { sql = "CREATE TABLE pt_u (id bigint, ref text); CREATE UNIQUE INDEX pt_u_ref ON pt_u (ref)", environment = "prod",
      expect = "none" },
    { sql = "CREATE INDEX orders_customer_idx ON orders (customer_id)", environment = "stage", expect = "queue", risk = "high",
      facts = { table_rows = 5000000 } },
    { sql = "CREATE INDEX orders_customer_idx ON orders (customer_id)", environment = "dev", expect = "approve", risk = "low",
      facts = { table_rows = 5000000 } },
    { sql = "CREATE INDEX orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "queue",
      facts = { table_rows = 10, table_bytes = 2000000000 } },
    -- bulk-loaded, never analysed: 78 MB (under LARGE_TABLE_BYTES), rows estimated from that size
    { sql = "CREATE INDEX orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 1500000, table_rows_estimated = true, table_bytes = 81788928 } },
    { sql = "CREATE INDEX orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "none",
      facts = { table_rows = 100, table_bytes = 8192 } },
    { sql = "CREATE INDEX orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "approve", risk = "low" },
    -- a table the same script creates before: no lock finding (CONCURRENTLY-in-a-block still counts)
    { sql = "CREATE INDEX orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "none",
      facts = { created_in_script = true } },
    { sql = "DROP INDEX orders_customer_idx", environment = "prod", expect = "none", facts = { created_in_script = true } },
    { sql = "CREATE TABLE pt_script_orders (id bigint, customer_id bigint); CREATE INDEX pt_script_orders_idx ON pt_script_orders (customer_id)",
      environment = "prod", expect = "none" },
    { sql = "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "reject",
      facts = { created_in_script = true, in_transaction_block = true } },
    { sql = "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "none",
      facts = { in_transaction_block = false, table_rows = 5000000 } },
    { sql = "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "reject",
      facts = { table_rows = 5000000, in_transaction_block = true } },
    { sql = "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id)", environment = "dev", expect = "approve",
      facts = { in_transaction_block = true } },
    { sql = "DROP INDEX orders_customer_idx", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 5000000 } },
    -- IF EXISTS of an index that is not there (fact drops_nothing): nothing to lock; one that may be there is judged
    { sql = "DROP INDEX IF EXISTS orders_customer_idx", environment = "prod", expect = "none",
      facts = { table_rows = 5000000, drops_nothing = true } },
    { sql = "DROP INDEX IF EXISTS webauthn_devices_kid_key1", environment = "prod", expect = "none" },
    { sql = "DROP INDEX IF EXISTS orders_customer_idx", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 5000000, drops_nothing = false } },
    { sql = "DROP INDEX CONCURRENTLY orders_customer_idx", environment = "prod", expect = "none",
      facts = { in_transaction_block = false, table_rows = 5000000 } },
    { sql = "REINDEX TABLE orders", environment = "prod", expect = "queue", facts = { table_rows = 5000000 } },
    { sql = "REINDEX TABLE CONCURRENTLY orders", environment = "prod", expect = "none",
      facts = { in_transaction_block = false, table_rows = 5000000 } },
    -- every table of the schema / database, or the catalogs every query reads: no size tells
    { sql = "REINDEX SYSTEM pt_db", environment = "prod", expect = "queue", risk = "high" },
    { sql = "REINDEX DATABASE pt_db", environment = "prod", expect = "queue", risk = "high" },
    { sql = "REINDEX SCHEMA pg_catalog", environment = "prod", expect = "queue", risk = "high" },
    { sql = "REINDEX SYSTEM pt_db", environment = "dev", expect = "approve", risk = "low" },
    { sql = "REINDEX DATABASE CONCURRENTLY pt_db", environment = "prod", expect = "none",
      facts = { in_transaction_block = false } },
    -- CONCURRENTLY on a partitioned table: refused by PostgreSQL
    { sql = "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "reject",
      risk = "high", facts = { in_transaction_block = false, table_rows = 10, descendants = { { object_type = "table",
        identity = "public.orders_2025", partition = true, rows = 10 } } } },
    { sql = "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id)", environment = "dev", expect = "approve",
      risk = "low", facts = { in_transaction_block = false, table_rows = 10, descendants = { { object_type = "table",
        identity = "public.orders_2025", partition = true, rows = 10 } } } },
    { sql = "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "none",
      facts = { in_transaction_block = false, table_rows = 10, descendants = { { object_type = "table",
        identity = "public.orders_old", partition = false, rows = 10 } } } },
    -- ON ONLY a partitioned table: an empty, invalid index on the parent (the classifier's scans_table)
    { sql = "CREATE INDEX orders_customer_idx ON ONLY orders (customer_id)", environment = "prod", expect = "none",
      facts = { table_rows = 5000000, scans_table = false } },
    { sql = "CREATE INDEX orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "queue", risk = "high",
      facts = { table_rows = 5000000, descendant_count = 1, descendants = { { object_type = "table", schema = "public",
        name = "orders_2024", identity = "public.orders_2024", partition = true, descendant_of = "public.orders" } } } },
    { sql = "CREATE INDEX orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "none",
      facts = { dialect = "mysql", blocks_writes = false, lock = "NONE", table_rows = 5000000 } },
    { sql = "CREATE INDEX orders_customer_idx ON orders (customer_id)", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", blocks_writes = true, lock = "SHARED", algorithm = "INPLACE" } },
    -- MySQL: FULLTEXT / SPATIAL indexes are built with LOCK=SHARED at best (classify_mysql: index_method, blocks_writes)
    { sql = "CREATE INDEX pt_orders_ft ON pt_orders (note)", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", blocks_writes = true, index_method = "fulltext" } },
    -- ... in ALTER TABLE too: ADD INDEX with LOCK=SHARED, ADD FULLTEXT INDEX
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", operations = { "add_index" }, blocks_writes = true, lock = "SHARED", rewrites_table = false } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", operations = { "add_index" }, blocks_writes = true, index_method = "spatial", rewrites_table = false } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "prod", expect = "none",
      facts = { dialect = "mysql", operations = { "add_index" }, blocks_writes = false, lock = "NONE", rewrites_table = false } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "prod", expect = "none",
      facts = { dialect = "mysql", operations = { "add_index" }, lock = "DEFAULT", blocks_writes = false, rewrites_table = false } },
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "prod", expect = "none",
      facts = { dialect = "mysql", operations = { "add_column" }, blocks_writes = true, lock = "SHARED", rewrites_table = false } },
    -- REFRESH without CONCURRENTLY: queued only when the view is very large, a warning when large
    { sql = "REFRESH MATERIALIZED VIEW sales_summary", environment = "prod", expect = "queue", risk = "moderate",
      facts = { table_rows = 5000000, populated = true, has_unique_index = true } },
    { sql = "REFRESH MATERIALIZED VIEW sales_summary", environment = "prod", expect = "queue", risk = "moderate",
      facts = { table_rows = 10, table_bytes = 2000000000 } },
    { sql = "REFRESH MATERIALIZED VIEW sales_summary", environment = "stage", expect = "approve", risk = "moderate",
      facts = { table_rows = 5000000, populated = true } },
    { sql = "REFRESH MATERIALIZED VIEW sales_summary", environment = "prod", expect = "approve", risk = "low",
      facts = { table_rows = 300000, table_bytes = 20000000, populated = true, has_unique_index = false } },
    { sql = "REFRESH MATERIALIZED VIEW sales_summary", environment = "prod", expect = "none",
      facts = { table_rows = 5000, table_bytes = 400000, populated = true } },
    -- ... not when it holds no data (nobody can read it), nor WITH NO DATA (destructive_changes' finding)
    { sql = "REFRESH MATERIALIZED VIEW sales_summary", environment = "prod", expect = "none",
      facts = { table_rows = 5000000, populated = false } },
    { sql = "REFRESH MATERIALIZED VIEW sales_summary WITH NO DATA", environment = "prod", expect = "none",
      facts = { table_rows = 5000000, populated = true } },
    { sql = "REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary", environment = "prod", expect = "none",
      facts = { in_transaction_block = false, table_rows = 5000000, populated = true, has_unique_index = true } },
    -- CONCURRENTLY that PostgreSQL refuses
    { sql = "REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary", environment = "prod", expect = "reject", risk = "high",
      facts = { table_rows = 50, populated = true, has_unique_index = false } },
    { sql = "REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary", environment = "prod", expect = "reject", risk = "high",
      facts = { table_rows = 50, populated = false, has_unique_index = true } },
    { sql = "REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary WITH NO DATA", environment = "prod", expect = "reject",
      risk = "high", facts = { populated = true, has_unique_index = true } },
    { sql = "REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary", environment = "dev", expect = "approve", risk = "low",
      facts = { populated = true, has_unique_index = false } },
    -- a view that does not exist: nothing known, no finding (PostgreSQL reports the missing view)
    { sql = "REFRESH MATERIALIZED VIEW CONCURRENTLY pt_no_such_mv", environment = "prod", expect = "none" },
    { sql = "CREATE INDEX CONCURRENTLY wide_idx ON orders (a, b, c, d, e, f)", environment = "prod", expect = "approve", risk = "low",
      facts = { in_transaction_block = false, table_rows = 5000000 } },
    { sql = "CREATE INDEX CONCURRENTLY dup_idx ON orders (a, a)", environment = "prod", expect = "queue", risk = "moderate",
      facts = { in_transaction_block = false, table_rows = 5000000 } },
  },
}
