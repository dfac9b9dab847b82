--[[
destructive_changes.lua -- policy "destructive_changes"

Changes that delete data or objects.  squawk: ban-drop-table,
ban-drop-column, ban-drop-database; Bytebase: no CASCADE drops,
table.drop-naming-convention; plus DROP SCHEMA / INDEX / other objects,
TRUNCATE, DETACH PARTITION and DROP OWNED.

Checks (severity)
  ban-drop-table                 DROP TABLE                          (danger)
  drop-table-naming-convention   the dropped table was not renamed to a
                                 "retired" name first (DROP_ALLOWED_PATTERNS);
                                 a table that was is only caution     (danger)
  ban-drop-column                ALTER TABLE ... DROP COLUMN          (danger)
  type-change-discards-data      ALTER COLUMN ... TYPE ... USING an
                                 expression that does not read the
                                 column (USING NULL, USING 0): every
                                 value is replaced                    (danger)
  drop-schema                    DROP SCHEMA                          (danger)
  ban-drop-database              DROP DATABASE                        (critical)
  ban-truncate                   TRUNCATE                             (danger)
  ban-cascade                    any DROP/TRUNCATE ... CASCADE; the
                                 reason names what it takes along
                                 (fact cascades_to): the tables
                                 truncated through foreign keys, the
                                 views, columns of other tables,
                                 constraints, ... dropped (in a
                                 script, as the catalog has them
                                 before it: cascades_to_before_script)
                                                                 (critical)
  drop-index                     DROP INDEX (queries may slow down)   (caution)
  drop-object                    DROP of views, functions, sequences,
                                 types, triggers, ... (anything else
                                 the classifier marks destructive)    (caution)
  detach-partition               ALTER TABLE ... DETACH PARTITION     (caution)
  drop-owned                     DROP OWNED BY                        (critical)
  refresh-with-no-data           REFRESH MATERIALIZED VIEW ... WITH NO DATA
                                 of a view that holds data (fact
                                 populated; unknown counts as holding
                                 data): it is emptied and every query of
                                 it fails until the next refresh      (danger)
  delete-without-where           MySQL: UPDATE / DELETE without WHERE in a
                                 change (fact has_where; PostgreSQL DML
                                 is not gated, so no policy sees it)  (danger)
  ban-replace-table              MariaDB's CREATE OR REPLACE TABLE: drops
                                 the table of that name first         (danger)
  ban-replace-database           CREATE OR REPLACE DATABASE           (critical)
  replace-object                 CREATE OR REPLACE USER / ROLE /
                                 SEQUENCE (drops the old one first)   (caution)
  engine-discards-data           MySQL ALTER TABLE ... ENGINE=BLACKHOLE:
                                 every row is discarded, and every row
                                 written later                        (danger)
  alter-ignore-deletes-rows      MariaDB ALTER IGNORE TABLE adding a
                                 unique / primary key or redefining a
                                 column: rows that duplicate a key
                                 are silently deleted                 (danger)
  (none of these for DROP ... IF EXISTS of objects none of which exists,
  fact drops_nothing: PostgreSQL skips them and drops nothing; in a script
  judged whole, only when no earlier statement could have made one)
  body-destroys-data             MySQL CREATE PROCEDURE / FUNCTION /
                                 TRIGGER / EVENT (ALTER EVENT) whose
                                 body drops, truncates or deletes
                                 (fact body_destructive; also a body
                                 that could not be read in full)      (danger,
                                 or the strictest severity a statement
                                 of the body gets on its own here, fact
                                 body_statements: DROP DATABASE in a
                                 body is critical)
  body-dynamic-sql               such a body runs dynamic SQL
                                 (PREPARE / EXECUTE): text no policy
                                 sees                                 (danger)
  purge-binary-logs              MySQL RESET MASTER, PURGE BINARY LOGS:
                                 deletes binary logs that replicas and
                                 point-in-time recovery read          (danger)
  reset-replica                  MySQL RESET REPLICA / SLAVE: deletes the
                                 relay logs (ALL: the settings too)   (danger)
  clone-instance                 MySQL CLONE INSTANCE FROM: replaces
                                 every database of the server         (critical)
  drop-partition                 MySQL ALTER TABLE ... DROP PARTITION:
                                 deletes the partitions' rows         (danger)
  truncate-partition             MySQL ALTER TABLE ... TRUNCATE
                                 PARTITION                            (danger)
  discard-tablespace             MySQL ALTER TABLE ... DISCARD
                                 TABLESPACE: deletes the data file    (danger)
  exchange-partition             MySQL ALTER TABLE ... EXCHANGE
                                 PARTITION: the partition's rows
                                 leave the table for another one      (danger)
  (detach-partition and drop-index also for MariaDB's CONVERT PARTITION
  ... TO TABLE and MySQL's ALTER TABLE ... DROP INDEX / KEY)

Behaviour per environment (action / risk by severity)
              dev          test              stage          prod
  caution     approve/low  approve/low       approve/moderate queue/moderate
  danger      approve/low  approve/moderate  queue/high     queue/high
  critical    approve/low  queue/moderate    queue/high     reject/critical
In dev every finding is a warning (approved, risk low, reason kept).

Settings: DROP_ALLOWED_PATTERNS (Lua patterns of table names that may be
dropped with less ceremony), the SEVERITY table.
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local type = type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"
local DROP_ALLOWED_PATTERNS = { "_deprecated$", "_del$", "_old$", "^_" }

-- Helpers ---------------------------------------------------------------------
local CAUTION, DANGER, CRITICAL = 2, 3, 4
local MAP = {
  dev   = { { "approve", "low" }, { "approve", "low" }, { "approve", "low" }, { "approve", "low" } },
  test  = { { "approve", "low" }, { "approve", "low" }, { "approve", "moderate" }, { "queue", "moderate" } },
  stage = { { "approve", "low" }, { "approve", "moderate" }, { "queue", "high" }, { "queue", "high" } },
  prod  = { { "approve", "low" }, { "queue", "moderate" }, { "queue", "high" }, { "reject", "critical" } },
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

-- Add a finding to the decision d (nil at first); returns the decision.
-- d.sev is the highest severity found (judge() uses it for stored-program
-- bodies; check() removes it before returning d).
local function add(d, tier, sev, id, msg)
  local m = MAP[tier][sev]
  if d == nil then return { action = m[1], risk = m[2], reason = id .. ": " .. msg, sev = sev } end
  if ARANK[m[1]] > ARANK[d.action] then d.action = m[1] end
  if RRANK[m[2]] > RRANK[d.risk] then d.risk = m[2] end
  if sev > d.sev then d.sev = sev end
  d.reason = d.reason .. "; " .. id .. ": " .. msg
  return d
end

-- facts arrays have no holes: walk to the first nil (# on a facts table is a
-- call into the engine)
local function has(list, x)
  if type(list) ~= "table" then return false end
  local i, v = 1, list[1]
  while v ~= nil do
    if v == x then return true end
    i = i + 1
    v = list[i]
  end
  return false
end

local function obj(c)
  local n = c.identity or c.name
  if type(n) == "table" then n = n[1] end
  return type(n) == "string" and n or "the object"
end

-- " (with its 3 partitions)": the tables below the one named that the
-- statement drops, truncates or alters too (facts descendants).
local function with_descendants(c)
  local n = c.descendant_count
  if type(n) ~= "number" or n < 1 then return "" end
  local l = c.descendants
  local part = type(l) == "table" and type(l[1]) == "table" and l[1].partition == true
  return " (with its " .. n .. (part and (n == 1 and " partition" or " partitions")
    or (n == 1 and " inheritance child" or " inheritance children")) .. ")"
end

-- DROP SCHEMA ... CASCADE: ": 12 relations, and 3 partitions or inheritance
-- children in other schemas" (facts schema_relation_count, descendant_count).
local function in_schema(c)
  local n = c.schema_relation_count
  if type(n) ~= "number" then return "" end
  local s = ": " .. n .. (n == 1 and " relation" or " relations")
  local k = c.descendant_count
  if type(k) == "number" and k > 0 then
    s = s .. ", and " .. k .. " partition" .. (k == 1 and "" or "s") .. " or inheritance child" ..
      (k == 1 and "" or "ren") .. " in other schemas"
  end
  return s
end

-- ": it also truncates 2 tables: public.a, public.b" / ": it also drops 3
-- objects: view public.v, column public.t.c, ..." (fact cascades_to).
local function cascade_list(c)
  local n = c.cascades_to_count
  if type(n) ~= "number" or n < 1 then return "" end
  local trunc = c.command == "TRUNCATE TABLE"
  local l = c.cascades_to
  local names = {}
  if type(l) == "table" then
    local i, e = 1, l[1]
    while e ~= nil and i <= 5 do
      if type(e) == "table" then
        names[#names + 1] = (trunc and "" or tostring(e.object_type):gsub("_", " ") .. " ") .. tostring(e.identity)
      end
      i = i + 1
      e = l[i]
    end
  end
  -- in a script, the list is what the catalog has before the script runs
  local before = c.cascades_to_before_script == true
  local s = (before and ": as the catalog is before the script, it would also " or ": it also ") ..
    (trunc and (before and "truncate " or "truncates ") or (before and "drop " or "drops ")) .. n ..
    (trunc and (n == 1 and " table" or " tables") or (n == 1 and " object" or " objects"))
  if #names > 0 then s = s .. " (" .. table.concat(names, ", ") .. (n > #names and ", ..." or "") .. ")" end
  if before then
    s = s .. "; the script's earlier statements may add or take away some"
  elseif c.cascades_to_complete == false then
    s = s .. " and possibly more"
  end
  return s
end

local function bare_name(c)
  local n = c.name
  if type(n) == "table" then n = n[1] end
  if type(n) ~= "string" then n = c.identity end
  if type(n) ~= "string" then return nil end
  local b = (n:match("([^%.]+)$") or n):gsub('"', "")
  return b
end

-- The patterns, compiled once: a plain suffix ("_old$") or prefix ("^_") is
-- compared as a string, anything else searched as a pattern.  Every DROP
-- TABLE tries each pattern on each table it names.
local MAGIC = "[%^%$%(%)%%%.%[%]%*%+%-%?]"
local RETIRED = {}
for i = 1, #DROP_ALLOWED_PATTERNS do
  local p = DROP_ALLOWED_PATTERNS[i]
  local prefix = p:match("^%^(.*)$")
  local suffix = p:match("^(.*)%$$")
  if prefix and prefix ~= "" and not prefix:find(MAGIC) then
    RETIRED[i] = function(n) return n:sub(1, #prefix) == prefix end
  elseif suffix and suffix ~= "" and not suffix:find(MAGIC) then
    RETIRED[i] = function(n) return n:sub(-#suffix) == suffix end
  else
    RETIRED[i] = function(n) return n:find(p) ~= nil end
  end
end

local function retired_name(n)
  if type(n) ~= "string" then return false end
  for i = 1, #RETIRED do
    if RETIRED[i](n) then return true end
  end
  return false
end

-- Every table the DROP names has a retired name (objects[], else name).
-- One table (single_object): objects[1] is the main object, c.name its name,
-- so objects (a table per element) is not opened.
local function all_retired(c)
  if c.single_object then return retired_name(c.name) end
  local objs = c.objects
  if type(objs) == "table" and #objs > 0 then
    for i = 1, #objs do
      local o = objs[i]
      if type(o) ~= "table" or not retired_name(o.name) then return false end
    end
    return true
  end
  return retired_name(bare_name(c))
end

local OTHER_DROPS = {
  ["DROP VIEW"] = true, ["DROP MATERIALIZED VIEW"] = true, ["DROP SEQUENCE"] = true,
  ["DROP FUNCTION"] = true, ["DROP PROCEDURE"] = true, ["DROP ROUTINE"] = true,
  ["DROP TYPE"] = true, ["DROP DOMAIN"] = true, ["DROP TRIGGER"] = true,
  ["DROP EXTENSION"] = true, ["DROP POLICY"] = true, ["DROP RULE"] = true,
  ["DROP FOREIGN TABLE"] = true, ["DROP AGGREGATE"] = true, ["DROP OPERATOR"] = true,
  ["DROP COLLATION"] = true, ["DROP CONVERSION"] = true, ["DROP STATISTICS"] = true,
  ["DROP TEXT SEARCH CONFIGURATION"] = true, ["DROP PUBLICATION"] = true,
  ["DROP SUBSCRIPTION"] = true, ["DROP EVENT TRIGGER"] = true, ["DROP SERVER"] = true,
  ["DROP FOREIGN DATA WRAPPER"] = true, ["DROP USER MAPPING"] = true,
  ["DROP TABLESPACE"] = true, ["DROP ROLE"] = true, ["DROP ACCESS METHOD"] = true,
  ["DROP CAST"] = true, ["DROP LANGUAGE"] = true, ["DROP TRANSFORM"] = true,
}

-- MySQL stored programs: their body runs later (CALL, a trigger, the event
-- scheduler), so a destructive body is judged when the program is created.
local HAS_BODY = { ["CREATE PROCEDURE"] = true, ["CREATE FUNCTION"] = true,
  ["CREATE TRIGGER"] = true, ["CREATE EVENT"] = true, ["ALTER EVENT"] = true }

-- "DROP TABLE, SELECT, ...": the first commands of the body (fact body_commands)
local function body_list(c)
  local l = c.body_commands
  if type(l) ~= "table" then return "" end
  local names, i, v = {}, 1, l[1]
  while v ~= nil and i <= 5 do
    names[#names + 1] = tostring(v)
    i = i + 1
    v = l[i]
  end
  if #names == 0 then return "" end
  return " (" .. table.concat(names, ", ") .. (v ~= nil and ", ..." or "") .. ")"
end

-- The commands check() looks at whether or not the statement is destructive.
local LOOKED_AT = { ["DROP TABLE"] = true, ["DROP SCHEMA"] = true, ["DROP DATABASE"] = true,
  ["TRUNCATE TABLE"] = true, ["TRUNCATE"] = true, ["DROP INDEX"] = true, ["DROP OWNED"] = true,
  ["ALTER TABLE"] = true, ["DELETE"] = true, ["UPDATE"] = true }
for k in pairs(OTHER_DROPS) do LOOKED_AT[k] = true end

local judge

-- a statement's text, cut for a reason
local function short(t)
  if type(t) ~= "string" then return "?" end
  if #t > 120 then return t:sub(1, 117) .. "..." end
  return t
end

-- The strictest decision the statements of a MySQL stored program's body
-- (fact body_statements: each one's facts, as on its own) get from judge(),
-- and the statement's text; nil when none gets a finding.  A body holds no
-- body of its own (the classifier refuses a stored program created in a
-- body, as the server does), so its statements are judged as statements.
local function strictest_body_statement(c, tier)
  local l = c.body_statements
  if type(l) ~= "table" then return nil end
  local worst, text = nil, nil
  local i, s = 1, l[1]
  while s ~= nil do
    if type(s) == "table" then
      local sd = judge(s, tier)
      if sd ~= nil and (worst == nil or sd.sev > worst.sev) then
        worst = sd
        text = s.statement
      end
    end
    i = i + 1
    s = l[i]
  end
  return worst, text
end

-- MySQL's ALTER TABLE specifications that delete rows or files, or swap
-- them out of the table; each is its own statement elsewhere, judged alike
-- (DROP PARTITION as DROP TABLE, DROP INDEX as DROP INDEX).
local function mysql_alter(d, c, tier, ops)
  local t = obj(c)
  if has(ops, "drop_partition") then
    local names, subs = {}, c.subcommands
    if type(subs) == "table" then
      local i, s = 1, subs[1]
      while s ~= nil do
        if type(s) == "table" and s.operation == "drop_partition" and type(s.name) == "string" then
          names[#names + 1] = s.name
        end
        i = i + 1
        s = subs[i]
      end
    end
    d = add(d, tier, DANGER, "drop-partition", "DROP PARTITION " .. (#names > 0 and table.concat(names, ", ") .. " " or "") ..
      "deletes every row of " .. (#names == 1 and "that partition" or "those partitions") .. " of " .. t ..
      " and cannot be undone; keep a backup, or EXCHANGE the partition with an empty table first")
  end
  if has(ops, "truncate_partition") then
    d = add(d, tier, DANGER, "truncate-partition", "TRUNCATE PARTITION deletes every row of partitions of " .. t ..
      " (ALL: of the whole table) and cannot be undone")
  end
  if has(ops, "discard_tablespace") then
    d = add(d, tier, DANGER, "discard-tablespace", "DISCARD TABLESPACE deletes the data file of " .. t ..
      ": every row is gone and the table cannot be read until a file is imported (IMPORT TABLESPACE)")
  end
  if has(ops, "exchange_partition") then
    d = add(d, tier, DANGER, "exchange-partition", "EXCHANGE PARTITION swaps the rows of a partition of " .. t ..
      " with those of another table: the partition's rows leave " .. t .. " and the other table's take their place")
  end
  if has(ops, "convert_partition") then
    d = add(d, tier, CAUTION, "detach-partition", "CONVERT PARTITION moves the rows of a partition of " .. t ..
      " out of it, into a table of their own")
  end
  if has(ops, "drop_index") then
    d = add(d, tier, CAUTION, "drop-index", "dropping an index of " .. t .. " can slow queries that rely on it")
  end
  return d
end

-- The findings of one statement, its body aside (a decision with sev, or nil).
judge = function(c, tier)
  local cmd = c.command
  if type(cmd) ~= "string" then return nil end
  -- no finding below is possible for any other statement that is not destructive
  if not LOOKED_AT[cmd] and c.destructive ~= true then return nil end
  -- DROP ... IF EXISTS of objects none of which exists (as migration tools write it for what an older
  -- version may have left): PostgreSQL skips them, nothing is dropped, CASCADE reaches nothing
  if c.drops_nothing == true then return nil end
  local d = nil

  if cmd == "DROP TABLE" then
    d = add(d, tier, DANGER, "ban-drop-table", "dropping " .. obj(c) .. with_descendants(c) .. " deletes its data; keep a backup and make sure no application still reads it")
    if all_retired(c) then
      -- renamed to a retired name first: the application was already weaned off it
      d.risk = (tier == "prod" or tier == "stage") and "moderate" or d.risk
    else
      d = add(d, tier, DANGER, "drop-table-naming-convention", "rename the table to a retired name (e.g. " .. (bare_name(c) or "name") .. "_deprecated) and wait before dropping it")
    end
  elseif cmd == "DROP SCHEMA" then
    d = add(d, tier, DANGER, "drop-schema", "dropping schema " .. obj(c) .. " removes every object in it" .. in_schema(c))
  elseif cmd == "DROP DATABASE" then
    d = add(d, tier, CRITICAL, "ban-drop-database", "dropping database " .. obj(c) .. " deletes all of its data")
  elseif cmd == "TRUNCATE TABLE" or cmd == "TRUNCATE" then
    d = add(d, tier, DANGER, "ban-truncate", "TRUNCATE " .. obj(c) .. with_descendants(c) .. " deletes every row and cannot be undone after commit")
  elseif cmd == "DROP INDEX" then
    d = add(d, tier, CAUTION, "drop-index", "dropping index " .. obj(c) .. with_descendants(c) .. " can slow queries that rely on it")
  elseif cmd == "DROP OWNED" then
    d = add(d, tier, CRITICAL, "drop-owned", "DROP OWNED drops every object the role owns in this database")
  elseif cmd == "ALTER TABLE" then
    local ops = c.operations
    if has(ops, "drop_column") then
      d = add(d, tier, DANGER, "ban-drop-column", "dropping a column of " .. obj(c) .. with_descendants(c) .. " deletes its data and breaks applications that still select it")
    end
    if has(ops, "alter_column_type") then
      local subs = c.subcommands
      for i = 1, #subs do
        local sc = subs[i]
        if sc.operation == "alter_column_type" and sc.using_reads_column == false then
          d = add(d, tier, DANGER, "type-change-discards-data", "ALTER COLUMN " .. tostring(sc.name) .. " TYPE ... USING an expression that does not read the column replaces all of its data in " .. obj(c) .. with_descendants(c))
        end
      end
    end
    if c.engine == "BLACKHOLE" and has(ops, "change_engine") then
      d = add(d, tier, DANGER, "engine-discards-data", "ENGINE=BLACKHOLE discards every row of " .. obj(c) .. ", and every row written to it later; export the data first, or drop the table on purpose")
    end
    if has(ops, "delete_duplicates") then
      d = add(d, tier, DANGER, "alter-ignore-deletes-rows", "ALTER IGNORE TABLE " .. obj(c) .. " silently deletes every row that duplicates a key it adds or redefines; remove the duplicates on purpose first, then alter without IGNORE")
    end
    if has(ops, "detach_partition") then
      d = add(d, tier, CAUTION, "detach-partition", "detaching a partition of " .. obj(c) .. " removes its rows from the table")
    end
    if c.dialect == "mysql" then
      d = mysql_alter(d, c, tier, ops)
    end
  elseif (cmd == "DELETE" or cmd == "UPDATE") and c.has_where == false then
    d = add(d, tier, DANGER, "delete-without-where", cmd .. " without WHERE changes every row of " .. obj(c))
  elseif c.or_replace == true and c.destructive == true and cmd:sub(1, 7) == "CREATE " then
    -- MariaDB's CREATE OR REPLACE TABLE / DATABASE drops what has the name first
    if cmd == "CREATE DATABASE" then
      d = add(d, tier, CRITICAL, "ban-replace-database", "CREATE OR REPLACE DATABASE " .. obj(c) .. " first drops the database of that name with all of its data")
    elseif cmd == "CREATE TABLE" or cmd == "CREATE TABLE AS" then
      d = add(d, tier, DANGER, "ban-replace-table", "CREATE OR REPLACE TABLE " .. obj(c) .. " first drops the table of that name with its data; use CREATE TABLE (IF NOT EXISTS), or drop it on purpose")
    else
      d = add(d, tier, CAUTION, "replace-object", cmd .. " OR REPLACE " .. obj(c) .. " first drops the existing one (data, privileges) that others may depend on")
    end
  elseif cmd == "RESET MASTER" or cmd == "PURGE BINARY LOGS" then
    d = add(d, tier, DANGER, "purge-binary-logs", cmd .. " deletes binary logs: replicas that have not read them stop, and point-in-time recovery past the last backup is lost")
  elseif cmd == "RESET REPLICA" then
    d = add(d, tier, DANGER, "reset-replica", "RESET REPLICA deletes the replica's relay logs (with ALL, its connection settings): it forgets where it was")
  elseif cmd == "CLONE INSTANCE" then
    d = add(d, tier, CRITICAL, "clone-instance", "CLONE INSTANCE replaces every database of the server with a copy of another server's")
  elseif cmd == "REFRESH MATERIALIZED VIEW" then
    -- WITH NO DATA of a view that holds data (populated; unknown counts as
    -- populated).  With CONCURRENTLY PostgreSQL refuses it (index_locking).
    if c.with_data == false and c.concurrently ~= true and c.populated ~= false then
      d = add(d, tier, DANGER, "refresh-with-no-data", "REFRESH MATERIALIZED VIEW " .. obj(c) ..
        " WITH NO DATA empties it: every query of it then fails (\"materialized view has not been populated\")" ..
        " until the next REFRESH; refresh it WITH DATA, or drop it on purpose when nothing reads it any more")
    end
  elseif OTHER_DROPS[cmd] or (c.destructive == true and cmd:sub(1, 5) == "DROP ") then
    d = add(d, tier, CAUTION, "drop-object", cmd .. " " .. obj(c) .. " removes an object that others may depend on")
  end

  if c.cascade == true and (c.destructive == true or cmd == "TRUNCATE TABLE") then
    d = add(d, tier, CRITICAL, "ban-cascade", "CASCADE silently drops or truncates dependent objects too; name them explicitly instead" .. cascade_list(c))
  end
  return d
end

-- The findings of a MySQL stored program's body, added to d (the statement's
-- own findings, or nil): the body runs later (CALL, a trigger, the event
-- scheduler), so it is judged when the program is created.
local function judge_body(c, tier, d)
  local cmd = c.command
  local runs = cmd == "CREATE PROCEDURE" and "when called" or cmd == "CREATE FUNCTION" and "when used"
    or "each time it fires"
  -- a body is as severe as its strictest statement would be on its own (DROP
  -- DATABASE: critical), and at least danger; only a body that destroys data
  -- can hold a statement with a finding here, so the others are not walked
  local sev, worst, text = DANGER, nil, nil
  if c.body_destructive == true then
    worst, text = strictest_body_statement(c, tier)
    if worst ~= nil and worst.sev > sev then sev = worst.sev end
  end
  local strictest = ""
  if worst ~= nil and worst.sev > DANGER then
    strictest = "; on its own, its statement " .. short(text) .. " would be " .. worst.reason
  end
  if c.body_complete == false then
    d = add(d, tier, sev, "body-destroys-data", "the body of " .. cmd .. " " .. obj(c) ..
      " could not be read in full" .. body_list(c) .. ": it is judged as if it deleted data" .. strictest)
  elseif c.body_destructive == true then
    d = add(d, tier, sev, "body-destroys-data", "the body of " .. cmd .. " " .. obj(c) ..
      " drops, truncates or deletes" .. body_list(c) .. ": it destroys data " .. runs ..
      " as those statements would; submit them as statements of their own" .. strictest)
  end
  if c.body_dynamic_sql == true then
    d = add(d, tier, DANGER, "body-dynamic-sql", "the body of " .. cmd .. " " .. obj(c) ..
      " runs dynamic SQL (PREPARE / EXECUTE) " .. runs .. ": statements no policy sees")
  end
  return d
end

-- Policy ----------------------------------------------------------------------
return {
  name = "destructive_changes",
  description = "Drops, truncates and CASCADE: queued in prod (DROP DATABASE, CASCADE and DROP OWNED rejected), warnings in dev.",

  check = function(c)
    local tier = tier_of(c)
    local d = judge(c, tier)
    if HAS_BODY[c.command] and c.dialect == "mysql" then d = judge_body(c, tier, d) end
    if d ~= nil then d.sev = nil end
    return d
  end,

  tests = {
    { sql = "DROP TABLE accounts", environment = "prod", expect = "queue", risk = "high" },
    { sql = "DROP TABLE accounts", environment = "stage", expect = "queue", risk = "high" },
    { sql = "DROP TABLE accounts", environment = "test", expect = "approve", risk = "moderate" },
    { sql = "DROP TABLE accounts", environment = "dev", expect = "approve", risk = "low" },
    { sql = "DROP TABLE accounts_deprecated", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "DROP TABLE events", environment = "prod", expect = "queue", risk = "high",
      facts = { descendant_count = 1, descendants = { { object_type = "table", schema = "public", name = "events_2024",
        identity = "public.events_2024", partition = true, descendant_of = "public.events" } } } },
    { sql = "DROP TABLE accounts CASCADE", environment = "prod", expect = "reject", risk = "critical" },
    { sql = "DROP TABLE accounts CASCADE", environment = "dev", expect = "approve", risk = "low" },
    { sql = "ALTER TABLE accounts DROP COLUMN email", environment = "prod", expect = "queue", risk = "high" },
    { sql = "ALTER TABLE accounts DROP COLUMN email", environment = "dev", expect = "approve", risk = "low" },
    { sql = "ALTER TABLE accounts ADD COLUMN note text", environment = "prod", expect = "none" },
    { sql = "ALTER TABLE accounts ALTER COLUMN email TYPE int USING NULL", environment = "prod", expect = "queue", risk = "high" },
    { sql = "ALTER TABLE accounts ALTER COLUMN email TYPE int USING length(other)", environment = "stage", expect = "queue", risk = "high" },
    { sql = "ALTER TABLE accounts ALTER COLUMN email TYPE int USING 0", environment = "dev", expect = "approve", risk = "low" },
    { sql = "ALTER TABLE accounts ALTER COLUMN email TYPE varchar(300) USING email::varchar(300)", environment = "prod", expect = "none" },
    { sql = "ALTER TABLE accounts ALTER COLUMN email TYPE text", environment = "prod", expect = "none" },
    { sql = "DROP SCHEMA billing", environment = "prod", expect = "queue", risk = "high" },
    { sql = "DROP SCHEMA billing CASCADE", environment = "stage", expect = "queue", risk = "high" },
    { sql = "DROP DATABASE analytics", environment = "prod", expect = "reject", risk = "critical" },
    { sql = "DROP DATABASE analytics", environment = "test", expect = "queue", risk = "moderate" },
    { sql = "TRUNCATE accounts", environment = "prod", expect = "queue", risk = "high" },
    { sql = "TRUNCATE accounts CASCADE", environment = "prod", expect = "reject", risk = "critical" },
    { sql = "TRUNCATE accounts CASCADE", environment = "stage", expect = "queue", risk = "high",
      facts = { cascades_to_count = 1, cascades_to_complete = true, cascades_to = { { object_type = "table", schema = "public",
        name = "orders", identity = "public.orders", depends_on = "public.accounts", rows = 10, bytes = 8192 } } } },
    { sql = "DROP TYPE mood CASCADE", environment = "prod", expect = "reject", risk = "critical",
      facts = { cascades_to_count = 1, cascades_to_complete = true, cascades_to = { { object_type = "column", schema = "public",
        name = "m", identity = "public.people.m", table = "public.people", depends_on = "public.mood" } } } },
    { sql = "DROP INDEX accounts_email_idx", environment = "prod", expect = "queue", risk = "moderate" },
    -- IF EXISTS of what is not there drops nothing (fact drops_nothing); a statement that may drop something,
    -- or one after an earlier statement that may have made the object, is judged as any DROP
    { sql = "DROP TABLE IF EXISTS u2f_devices", environment = "prod", expect = "none" },
    { sql = "DROP TABLE IF EXISTS u2f_devices; DROP VIEW IF EXISTS u2f_view; DROP TABLE IF EXISTS totp_secrets",
      environment = "prod", expect = "none" },
    { sql = "DROP TABLE IF EXISTS u2f_devices CASCADE", environment = "prod", expect = "none",
      facts = { exists = false, if_exists = true, drops_nothing = true } },
    { sql = "DROP INDEX IF EXISTS accounts_email_idx", environment = "prod", expect = "none",
      facts = { exists = false, if_exists = true, drops_nothing = true } },
    { sql = "DROP TABLE IF EXISTS u2f_devices", environment = "prod", expect = "queue", risk = "high",
      facts = { exists = false, if_exists = true, drops_nothing = false } },
    { sql = "CREATE TABLE u2f_devices (id bigint); DROP TABLE IF EXISTS u2f_devices", environment = "prod",
      expect = "queue", risk = "high" },
    { sql = "ALTER TABLE devices RENAME TO u2f_devices; DROP TABLE IF EXISTS u2f_devices", environment = "prod",
      expect = "queue", risk = "high" },
    { sql = "DROP INDEX accounts_email_idx", environment = "test", expect = "approve", risk = "low" },
    { sql = "DROP VIEW active_accounts", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "DROP FUNCTION f_total(int)", environment = "stage", expect = "approve", risk = "moderate" },
    { sql = "ALTER TABLE events DETACH PARTITION events_2020", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "DROP OWNED BY old_app", environment = "prod", expect = "reject", risk = "critical" },
    { sql = "CREATE TABLE accounts (id bigint PRIMARY KEY)", environment = "prod", expect = "none" },
    { sql = "DELETE FROM accounts", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", has_where = false, is_dml = true } },
    { sql = "DELETE FROM accounts WHERE id = 1", environment = "prod", expect = "none",
      facts = { dialect = "mysql", has_where = true, is_dml = true } },
    -- MariaDB's CREATE OR REPLACE TABLE drops the table of that name first (classify_mysql: destructive)
    { sql = "CREATE TABLE accounts (id bigint PRIMARY KEY)", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", or_replace = true, destructive = true } },
    { sql = "CREATE DATABASE shop", environment = "prod", expect = "reject", risk = "critical",
      facts = { dialect = "mysql", command = "CREATE DATABASE", or_replace = true, destructive = true } },
    { sql = "CREATE TABLE accounts (id bigint PRIMARY KEY)", environment = "stage", expect = "none",
      facts = { dialect = "mysql", or_replace = false, destructive = false } },
    -- MySQL: an engine that keeps no rows, ALTER IGNORE that deletes duplicates
    { sql = "ALTER TABLE accounts ADD COLUMN note text", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", engine = "BLACKHOLE", operations = { "change_engine" }, destructive = true } },
    { sql = "ALTER TABLE accounts ADD COLUMN note text", environment = "prod", expect = "none",
      facts = { dialect = "mysql", engine = "INNODB", operations = { "change_engine" } } },
    { sql = "ALTER TABLE accounts ADD COLUMN note text", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", operations = { "add_constraint", "add_index", "delete_duplicates" }, destructive = true } },
    { sql = "ALTER TABLE accounts ADD COLUMN note text", environment = "dev", expect = "approve", risk = "low",
      facts = { dialect = "mysql", operations = { "add_constraint", "add_index", "delete_duplicates" }, destructive = true } },
    -- MySQL partition maintenance and tablespaces that delete rows (classify_mysql: operations)
    { sql = "ALTER TABLE accounts ADD COLUMN note text", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", operations = { "drop_partition" }, destructive = true,
        subcommands = { { operation = "drop_partition", name = "p2019" } } } },
    { sql = "ALTER TABLE accounts ADD COLUMN note text", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", operations = { "truncate_partition" }, destructive = true } },
    { sql = "ALTER TABLE accounts ADD COLUMN note text", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", operations = { "discard_tablespace" }, destructive = true } },
    { sql = "ALTER TABLE accounts ADD COLUMN note text", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", operations = { "exchange_partition" }, destructive = true } },
    { sql = "ALTER TABLE accounts ADD COLUMN note text", environment = "dev", expect = "approve", risk = "low",
      facts = { dialect = "mysql", operations = { "drop_partition" }, destructive = true } },
    { sql = "ALTER TABLE accounts ADD COLUMN note text", environment = "prod", expect = "queue", risk = "moderate",
      facts = { dialect = "mysql", operations = { "drop_index" }, destructive = true } },
    { sql = "ALTER TABLE accounts ADD COLUMN note text", environment = "prod", expect = "none",
      facts = { dialect = "mysql", operations = { "coalesce_partition" }, destructive = false } },
    -- MySQL stored programs: the body is judged when the program is created
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "CREATE PROCEDURE", name = "p", body_commands = { "DROP TABLE" },
        body_destructive = true, body_dynamic_sql = false, body_complete = true } },
    { sql = "SELECT 1", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "CREATE EVENT", name = "e", body_commands = { "TRUNCATE TABLE" },
        body_destructive = true, body_dynamic_sql = false, body_complete = true } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "CREATE PROCEDURE", name = "p", body_commands = { "PREPARE", "EXECUTE" },
        body_destructive = false, body_dynamic_sql = true, body_complete = true } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "CREATE TRIGGER", name = "t", body_commands = {},
        body_destructive = true, body_dynamic_sql = false, body_complete = false } },
    { sql = "SELECT 1", environment = "prod", expect = "none",
      facts = { dialect = "mysql", command = "CREATE PROCEDURE", name = "p", body_commands = { "INSERT", "SELECT" },
        body_destructive = false, body_dynamic_sql = false, body_complete = true } },
    { sql = "SELECT 1", environment = "dev", expect = "approve", risk = "low",
      facts = { dialect = "mysql", command = "CREATE FUNCTION", name = "f", body_commands = { "DELETE" },
        body_destructive = true, body_dynamic_sql = false, body_complete = true } },
    -- a body is as severe as its strictest statement on its own (fact body_statements)
    { sql = "SELECT 1", environment = "prod", expect = "reject", risk = "critical",
      facts = { dialect = "mysql", command = "CREATE PROCEDURE", name = "p", body_commands = { "SELECT", "DROP DATABASE" },
        body_destructive = true, body_dynamic_sql = false, body_complete = true,
        body_statements = { { dialect = "mysql", command = "SELECT", statement = "SELECT 1", destructive = false },
          { dialect = "mysql", command = "DROP DATABASE", statement = "DROP DATABASE shop", name = "shop",
            identity = "shop", destructive = true } } } },
    { sql = "SELECT 1", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "CREATE PROCEDURE", name = "p", body_commands = { "DROP DATABASE" },
        body_destructive = true, body_dynamic_sql = false, body_complete = true,
        body_statements = { { dialect = "mysql", command = "DROP DATABASE", name = "shop", destructive = true } } } },
    { sql = "SELECT 1", environment = "test", expect = "queue", risk = "moderate",
      facts = { dialect = "mysql", command = "CREATE EVENT", name = "e", body_commands = { "CLONE INSTANCE" },
        body_destructive = true, body_dynamic_sql = false, body_complete = true,
        body_statements = { { dialect = "mysql", command = "CLONE INSTANCE", destructive = true } } } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "CREATE PROCEDURE", name = "p", body_commands = { "DROP TABLE" },
        body_destructive = true, body_dynamic_sql = false, body_complete = true,
        body_statements = { { dialect = "mysql", command = "DROP TABLE", name = "t", destructive = true } } } },
    -- a body not read in full keeps the strictest statement it holds
    { sql = "SELECT 1", environment = "prod", expect = "reject", risk = "critical",
      facts = { dialect = "mysql", command = "CREATE TRIGGER", name = "t", body_commands = { "DROP DATABASE" },
        body_destructive = true, body_dynamic_sql = false, body_complete = false,
        body_statements = { { dialect = "mysql", command = "DROP DATABASE", name = "shop", destructive = true } } } },
    -- MySQL server statements that delete what replication and recovery read
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "RESET MASTER", destructive = true } },
    { sql = "SELECT 1", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "PURGE BINARY LOGS", destructive = true } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "RESET REPLICA", destructive = true } },
    { sql = "SELECT 1", environment = "prod", expect = "reject", risk = "critical",
      facts = { dialect = "mysql", command = "CLONE INSTANCE", destructive = true } },
    -- REFRESH ... WITH NO DATA empties the view: reads of it fail from then on
    { sql = "REFRESH MATERIALIZED VIEW mv_sales WITH NO DATA", environment = "prod", expect = "queue", risk = "high",
      facts = { populated = true } },
    { sql = "REFRESH MATERIALIZED VIEW mv_sales WITH NO DATA", environment = "prod", expect = "queue", risk = "high" },
    { sql = "REFRESH MATERIALIZED VIEW mv_sales WITH NO DATA", environment = "dev", expect = "approve", risk = "low",
      facts = { populated = true } },
    { sql = "REFRESH MATERIALIZED VIEW mv_sales WITH NO DATA", environment = "prod", expect = "none",
      facts = { populated = false } },
    { sql = "REFRESH MATERIALIZED VIEW mv_sales", environment = "prod", expect = "none", facts = { populated = true } },
  },
}
