--[[
migration_hygiene.lua -- policy "migration_hygiene"

How statements are packaged in scripts and migrations.  squawk:
transaction-nesting, prefer-robust-stmts; Bytebase: statement.disallow-commit,
statement.non-transactional.

dbchange runs a submitted script (source "submit"), a migration file
("migration"), a promoted change ("promotion") and a rollback ("rollback")
inside one transaction of its own; statements that cannot run in a transaction are applied at top
level on their own.

Checks (severity)
  transaction-nesting         BEGIN / COMMIT / ROLLBACK / SAVEPOINT (MySQL:
                              XA too) inside a
                              submitted script or migration: it ends or
                              nests dbchange's own transaction           (invalid)
                              (PostgreSQL: submit() refuses such a script
                              outright; evaluate() with a script source
                              and MySQL scripts show this finding)
  prefer-robust-stmts         a statement that runs outside any transaction
                              (CREATE/DROP INDEX CONCURRENTLY, ...) without
                              IF [NOT] EXISTS: if it fails half way (a
                              failed CONCURRENTLY build leaves an INVALID
                              index) it cannot simply be retried          (advice)
  non-transactional-statement a statement PostgreSQL refuses to run in a
                              transaction, in a script: it cannot be rolled
                              back with the rest of the script            (advice)
  hides-from-replicas         MySQL: SET [SESSION] sql_log_bin = 0 / OFF (also
                              @@session.sql_log_bin, MariaDB's SET STATEMENT
                              sql_log_bin = 0 FOR ...; fact
                              hides_from_replicas): what runs after it in the
                              session is not written to the binary log, so
                              the replicas silently diverge; also a MySQL
                              procedure, function, trigger or event whose
                              body does so (fact body_hides_from_replicas):
                              what it runs after that, each time it runs,
                              is hidden alike                             (danger)
  session-weakens-checks      MySQL: a SET that switches off a check the
                              rest of the session's statements are meant
                              to run under (fact settings; WEAKENING below):
                              sql_mode without STRICT_TRANS_TABLES /
                              STRICT_ALL_TABLES (a MODIFY to a shorter type
                              then truncates rows with a warning) or with
                              ALLOW_INVALID_DATES (2024-02-31 is stored),
                              foreign_key_checks = 0 (a foreign key is added
                              without checking the rows), unique_checks = 0,
                              MariaDB's check_constraint_checks = 0,
                              binlog_format other than ROW, sql_safe_updates
                              = 0, MariaDB's alter_algorithm / old_alter_table
                              = COPY (every ALTER TABLE copies while writes
                              wait), innodb_strict_mode = 0, MySQL's
                              sql_require_primary_key = 0; in any spelling (SESSION, @@session.,
                              @@, several assignments, SET STATEMENT ... FOR
                              stmt) and in a stored program's body (fact
                              body_statements); an edit of the session's
                              own sql_mode (facts removes / adds:
                              REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', ''),
                              CONCAT(@@sql_mode, ',NO_ZERO_DATE')) only when
                              it takes out (a part of) STRICT_TRANS_TABLES,
                              STRICT_ALL_TABLES or TRADITIONAL or appends
                              ALLOW_INVALID_DATES; any other value dbchange
                              cannot read (@old_mode, REPLACE(@@sql_mode,
                              @x, '')) counts as weakening                (danger)

Behaviour per environment (action / risk by severity)
              dev          test             stage             prod
  advice      approve/low  approve/low      approve/low       approve/low
  invalid     approve/low  reject/moderate  reject/moderate   reject/high
  danger      approve/low  approve/moderate queue/high        queue/high
Interactive statements (source "interactive") only get prefer-robust-stmts,
hides-from-replicas and session-weakens-checks.

Settings: SCRIPT_SOURCES, WEAKENING.
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local type = type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"
local SCRIPT_SOURCES = { submit = true, migration = true, promotion = true, rollback = true }

-- MySQL / MariaDB session variables whose value can switch off a check the
-- statements after the SET are reviewed as running under.  Each entry: how to
-- read the value (a literal: lit, upper case; nil for an expression or a
-- variable, whose value is unknown) -> true when it weakens, and what then
-- happens.  Remove an entry to allow that setting.
local function on(lit) return lit == "1" or lit == "ON" or lit == "TRUE" or lit == "DEFAULT" end
-- strict mode on, and no ALLOW_INVALID_DATES (under which even strict mode
-- stores '2024-02-31' in a DATE column)
local function strict_mode(lit)
  if lit == "DEFAULT" then return true end   -- the server's own sql_mode
  local strict = false
  for m in lit:gmatch("[^,]+") do
    m = m:match("^%s*(.-)%s*$")
    if m == "STRICT_TRANS_TABLES" or m == "STRICT_ALL_TABLES" or m == "TRADITIONAL" then strict = true end
    if m == "ALLOW_INVALID_DATES" then return false end
  end
  return strict
end
-- An edit of the session's current sql_mode (facts removes / adds of the
-- setting: REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', ''), CONCAT(@@sql_mode,
-- ',NO_ZERO_DATE')) keeps strict mode as the server had it unless it takes
-- out any part of a strict flag's name (REPLACE removes text, not flags:
-- 'STRICT' or 'TABLES' would cut STRICT_TRANS_TABLES up) or appends
-- ALLOW_INVALID_DATES.  An item that is not a plain flag name (blanks,
-- backslashes, ...) is judged as weakening, and so is a value that is no edit
-- the classifier could read (no removes / adds).
local STRICT_NAMES = "STRICT_TRANS_TABLES,STRICT_ALL_TABLES,TRADITIONAL"
local function flag_name(x) return type(x) == "string" and x:upper():match("^[A-Z0-9_]+$") end
local function edit_weakens(s)
  local rm, ad = s.removes, s.adds
  if type(rm) ~= "table" or type(ad) ~= "table" then return true end
  for i = 1, #rm do
    local f = flag_name(rm[i])
    if not f or STRICT_NAMES:find(f, 1, true) then return true end
  end
  for i = 1, #ad do
    local f = flag_name(ad[i])
    if not f or f == "ALLOW_INVALID_DATES" then return true end
  end
  return false
end
local function items(t)
  local out = {}
  for i = 1, #t do out[i] = tostring(t[i]) end
  return table.concat(out, ", ")
end
local WEAKENING = {
  sql_mode = { function(lit, s) if lit == nil then return edit_weakens(s) end return not strict_mode(lit) end,
    "turns strict mode off (no STRICT_TRANS_TABLES / STRICT_ALL_TABLES, or ALLOW_INVALID_DATES)",
    "invalid, out-of-range or too-long values are stored with a warning instead of failing (a MODIFY to a shorter type truncates the rows)" },
  foreign_key_checks = { function(lit) return lit == nil or not on(lit) end,
    "turns foreign key checks off",
    "a foreign key added is not checked against the rows already there, and rows written are not checked: orphans stay" },
  unique_checks = { function(lit) return lit == nil or not on(lit) end,
    "turns unique checks off",
    "InnoDB may skip checking secondary unique indexes (meant for loading data known to be unique): duplicates can get in" },
  check_constraint_checks = { function(lit) return lit == nil or not on(lit) end,
    "turns CHECK constraints off (MariaDB)",
    "a constraint added is not checked against the rows already there, and rows written are not checked" },
  sql_safe_updates = { function(lit) return lit == nil or not on(lit) end,
    "turns safe-updates mode off",
    "an UPDATE or DELETE whose WHERE uses no key (WHERE 1 = 1) is no longer refused" },
  binlog_format = { function(lit) return lit ~= "ROW" and lit ~= "DEFAULT" end,
    "switches the binary log from rows to statements",
    "a statement whose result is not deterministic (UPDATE ... LIMIT, UUID()) can change the replicas otherwise than this server" },
  alter_algorithm = { function(lit) return lit == nil or lit == "COPY" end,
    "makes ALTER TABLE copy tables (MariaDB)",
    "writes wait for the whole copy, whatever the statement's own ALGORITHM / LOCK clauses let the policies read" },
  old_alter_table = { function(lit) return lit == nil or lit == "1" or lit == "ON" or lit == "TRUE" or lit == "COPY" end,
    "makes ALTER TABLE copy tables",
    "writes wait for the whole copy, whatever the statement's own ALGORITHM / LOCK clauses let the policies read" },
  innodb_strict_mode = { function(lit) return lit == nil or not on(lit) end,
    "turns InnoDB strict mode off",
    "a CREATE or ALTER TABLE with a ROW_FORMAT, KEY_BLOCK_SIZE or other InnoDB option the server cannot honour succeeds with a warning, and the table is made otherwise than written" },
  sql_require_primary_key = { function(lit) return lit == nil or not on(lit) end,
    "lets tables be made without a primary key (MySQL)",
    "a table without a primary key is scanned by row-based replicas for every row changed, and Group Replication refuses to write it" },
}

-- Helpers ---------------------------------------------------------------------
local ADVICE, INVALID, DANGER = 1, 2, 3
local MAP = {
  dev   = { { "approve", "low" }, { "approve", "low" }, { "approve", "low" } },
  test  = { { "approve", "low" }, { "reject", "moderate" }, { "approve", "moderate" } },
  stage = { { "approve", "low" }, { "reject", "moderate" }, { "queue", "high" } },
  prod  = { { "approve", "low" }, { "reject", "high" }, { "queue", "high" } },
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

local TRANSACTION_CONTROL = {
  ["BEGIN"] = true, ["START TRANSACTION"] = true, ["COMMIT"] = true, ["ROLLBACK"] = true,
  ["SAVEPOINT"] = true, ["RELEASE"] = true, ["PREPARE TRANSACTION"] = true,
  ["COMMIT PREPARED"] = true, ["ROLLBACK PREPARED"] = true,
  -- MySQL's distributed transactions: XA START in a script ends dbchange's own
  ["XA"] = true,
}

-- session-weakens-checks: each setting of WEAKENING in the list (fact
-- settings) whose value weakens it; body: the stored program whose body sets
-- it.  sql_log_bin is hides-from-replicas'.
local function weakened(d, c, settings, body)
  if type(settings) ~= "table" then return d end
  for i = 1, #settings do
    local s = settings[i]
    local w = type(s) == "table" and WEAKENING[s.name]
    if w then
      local lit = s.literal
      if type(lit) == "string" then lit = lit:upper() else lit = nil end
      if w[1](lit, s) then
        local scope = s.scope
        local assign = s.name .. " = " .. tostring(s.value)
        local text
        if scope == "statement" then
          text = "SET STATEMENT " .. assign .. " FOR " .. tostring(c.command) .. " " .. w[2] .. " for that statement"
        elseif scope == "global" or scope == "persist" or scope == "persist_only" then
          text = "SET " .. scope:upper() .. " " .. assign .. " " .. w[2] .. " for every new session of the server"
        else
          text = "SET " .. assign .. " " .. w[2] .. " for the rest of the session"
        end
        if body then text = text .. ", in the body of " .. body .. ", each time it runs" end
        local note = ""
        if lit == nil and type(s.removes) == "table" and type(s.adds) == "table" then
          note = " (an edit of the current value" ..
            (#s.removes > 0 and ": it takes out " .. items(s.removes) or "") ..
            (#s.adds > 0 and (#s.removes > 0 and " and" or ":") .. " it appends " .. items(s.adds) or "") .. ")"
        elseif lit == nil then
          note = " (the value is an expression or a variable dbchange cannot read: judged as weakening)"
        end
        d = add(d, tier_of(c), DANGER, "session-weakens-checks", text .. ": " .. w[3] .. note ..
          "; leave the setting alone in a change, or have it approved for what runs under it")
      end
    end
  end
  return d
end

-- Policy ----------------------------------------------------------------------
return {
  name = "migration_hygiene",
  description = "No transaction control inside scripts, idempotent non-transactional statements, warnings for statements that cannot be rolled back, no statements hidden from replicas (MySQL sql_log_bin), no MySQL session settings that switch checks off (sql_mode, foreign_key_checks, ...).",

  check = function(c)
    local cmd = c.command
    if type(cmd) ~= "string" then return nil end
    local in_script = SCRIPT_SOURCES[c.source] == true
    local d = nil
    -- (a MySQL fact: a PostgreSQL statement does not read it, an absent fact costs a look-up)
    if c.dialect == "mysql" and c.hides_from_replicas == true then
      -- MySQL: the binary log is what replicas replay; a change that skips it
      -- leaves them with other data or another schema, and nothing says so
      local what = (cmd == "SET" or cmd == "SET GLOBAL" or cmd == "SET PERSIST")
        and "SET sql_log_bin = 0 stops the binary log for the rest of the session: what runs after it"
        or cmd .. " runs with sql_log_bin = 0 (SET STATEMENT ... FOR): it"
      d = add(d, tier_of(c), DANGER, "hides-from-replicas", what .. " is not written to the binary log and " ..
        "changes this server only, so its replicas silently diverge; leave sql_log_bin alone, or run the change on each server on purpose")
    end
    if c.dialect == "mysql" and c.body_hides_from_replicas == true then
      -- the same switch in a stored program's body: it runs at every CALL, at
      -- every firing of the trigger, on the event's schedule, long after review
      d = add(d, tier_of(c), DANGER, "hides-from-replicas", cmd .. " " .. tostring(c.name) ..
        " sets sql_log_bin = 0 in its body: what the body runs after that, each time it runs, is not written to the binary log and " ..
        "changes this server only, so its replicas silently diverge; leave sql_log_bin alone in stored programs")
    end
    if c.dialect == "mysql" then
      -- a SET (or SET STATEMENT ... FOR stmt) that switches a check off; the
      -- same in a stored program's body, at each CALL, firing or run
      d = weakened(d, c, c.settings, nil)
      local body = c.body_statements
      if type(body) == "table" then
        for i = 1, #body do
          local b = body[i]
          if type(b) == "table" and b.settings ~= nil then
            d = weakened(d, c, b.settings, cmd .. " " .. tostring(c.name))
          end
        end
      end
    end
    if TRANSACTION_CONTROL[cmd] then
      if in_script then
        d = add(d, tier_of(c), INVALID, "transaction-nesting", cmd .. " inside a " .. c.source ..
          " script: dbchange already wraps the script in a transaction; remove it")
      end
      return d
    end
    if c.nontransactional == true or c.concurrently == true then
      local tier = tier_of(c)
      local creates = cmd:sub(1, 7) == "CREATE "
      local drops = cmd:sub(1, 5) == "DROP "
      if (creates and c.if_not_exists == false) or (drops and c.if_exists == false) then
        d = add(d, tier, ADVICE, "prefer-robust-stmts", cmd .. " runs outside a transaction; write " ..
          (creates and "IF NOT EXISTS" or "IF EXISTS") .. " so a failed run can be retried" ..
          (c.concurrently == true and creates and " (a failed CONCURRENTLY build leaves an INVALID index to drop first)" or ""))
      end
      if in_script and c.nontransactional == true then
        d = add(d, tier, ADVICE, "non-transactional-statement", cmd ..
          " cannot run inside the script's transaction: dbchange applies it on its own and it is not rolled back with the rest")
      end
    end
    return d
  end,

  tests = {
    { sql = "BEGIN", environment = "prod", expect = "reject", risk = "high", facts = { source = "submit" } },
    { sql = "SELECT 1", environment = "prod", expect = "reject", risk = "high",
      facts = { dialect = "mysql", command = "XA", source = "submit" } },
    { sql = "COMMIT", environment = "stage", expect = "reject", facts = { source = "migration" } },
    { sql = "COMMIT", environment = "dev", expect = "approve", risk = "low", facts = { source = "migration" } },
    { sql = "ROLLBACK", environment = "prod", expect = "reject", facts = { source = "rollback" } },
    { sql = "BEGIN", environment = "prod", expect = "none", facts = { source = "interactive" } },
    { sql = "CREATE INDEX CONCURRENTLY idx_pt_orders_ref ON pt_orders (ref)", environment = "prod", expect = "approve", risk = "low",
      facts = { source = "interactive" } },
    { sql = "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_pt_orders_ref ON pt_orders (ref)", environment = "prod", expect = "none",
      facts = { source = "interactive" } },
    { sql = "DROP INDEX CONCURRENTLY idx_pt_orders_ref", environment = "prod", expect = "approve", facts = { source = "interactive" } },
    { sql = "DROP INDEX CONCURRENTLY IF EXISTS idx_pt_orders_ref", environment = "prod", expect = "none",
      facts = { source = "interactive" } },
    { sql = "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_pt_orders_ref ON pt_orders (ref)", environment = "prod",
      expect = "approve", risk = "low", facts = { source = "submit" } },
    { sql = "CREATE TABLE pt_h (id bigint PRIMARY KEY)", environment = "prod", expect = "none", facts = { source = "submit" } },
    -- MySQL: sql_log_bin off hides what follows from the replicas (classify_mysql: hides_from_replicas)
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit", hides_from_replicas = true } },
    { sql = "SELECT 1", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "DELETE", source = "submit", hides_from_replicas = true } },
    { sql = "SELECT 1", environment = "test", expect = "approve", risk = "moderate",
      facts = { dialect = "mysql", command = "SET", source = "submit", hides_from_replicas = true } },
    { sql = "SELECT 1", environment = "dev", expect = "approve", risk = "low",
      facts = { dialect = "mysql", command = "SET", source = "submit", hides_from_replicas = true } },
    { sql = "SELECT 1", environment = "prod", expect = "none",
      facts = { dialect = "mysql", command = "SET", source = "submit", hides_from_replicas = false } },
    -- ... and in a stored program's body (body_hides_from_replicas), whatever the source
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "CREATE PROCEDURE", name = "p", source = "submit",
        hides_from_replicas = false, body_hides_from_replicas = true } },
    { sql = "SELECT 1", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "CREATE TRIGGER", name = "t", source = "interactive",
        hides_from_replicas = false, body_hides_from_replicas = true } },
    { sql = "SELECT 1", environment = "test", expect = "approve", risk = "moderate",
      facts = { dialect = "mysql", command = "CREATE EVENT", name = "e", source = "submit",
        hides_from_replicas = false, body_hides_from_replicas = true } },
    { sql = "SELECT 1", environment = "prod", expect = "none",
      facts = { dialect = "mysql", command = "CREATE PROCEDURE", name = "p", source = "submit",
        hides_from_replicas = false, body_hides_from_replicas = false } },
    -- MySQL: a SET that switches a check off for what follows (classify_mysql: settings)
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "sql_mode", scope = "session", value = "''", literal = "" } } } },
    { sql = "SELECT 1", environment = "dev", expect = "approve", risk = "low",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "sql_mode", scope = "session", value = "''", literal = "" } } } },
    { sql = "SELECT 1", environment = "test", expect = "approve", risk = "moderate",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "sql_mode", scope = "session", value = "'ANSI_QUOTES'", literal = "ANSI_QUOTES" } } } },
    { sql = "SELECT 1", environment = "prod", expect = "none",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "sql_mode", scope = "session", value = "'NO_ZERO_DATE, strict_trans_tables'",
          literal = "NO_ZERO_DATE, strict_trans_tables" },
          { name = "sql_mode", scope = "session", value = "TRADITIONAL", literal = "TRADITIONAL" },
          { name = "sql_mode", scope = "session", value = "DEFAULT", literal = "DEFAULT" },
          { name = "foreign_key_checks", scope = "session", value = "ON", literal = "ON" },
          { name = "binlog_format", scope = "session", value = "'ROW'", literal = "ROW" },
          { name = "time_zone", scope = "session", value = "'+00:00'", literal = "+00:00" } } } },
    -- a value dbchange cannot read is judged as weakening
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "sql_mode", scope = "session", value = "REPLACE(@@sql_mode, 'STRICT_TRANS_TABLES', '')" } } } },
    { sql = "SELECT 1", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "interactive",
        settings = { { name = "time_zone", scope = "session", value = "'+00:00'", literal = "+00:00" },
          { name = "foreign_key_checks", scope = "session", value = "0", literal = "0" } } } },
    -- an edit of the current sql_mode (classify_mysql: removes / adds): taking out
    -- ONLY_FULL_GROUP_BY or appending a flag keeps strict mode as the server had it
    { sql = "SELECT 1", environment = "prod", expect = "none",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "sql_mode", scope = "session", value = "(SELECT REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', ''))",
          removes = { "ONLY_FULL_GROUP_BY" }, adds = {} },
          { name = "sql_mode", scope = "session", value = "CONCAT_WS(',', @@sql_mode, 'NO_ZERO_DATE', 'error_for_division_by_zero')",
            removes = {}, adds = { "NO_ZERO_DATE", "error_for_division_by_zero" } } } } },
    { sql = "SELECT 1", environment = "prod", expect = "none",
      facts = { dialect = "mysql", command = "CREATE PROCEDURE", name = "p", source = "submit",
        body_statements = { { dialect = "mysql", command = "SET",
          settings = { { name = "sql_mode", scope = "session", value = "REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY,', '')",
            removes = { "ONLY_FULL_GROUP_BY" }, adds = {} } } } } } },
    -- ... but not one that takes out strict mode, in any case, or a part of its name
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "sql_mode", scope = "session", value = "REPLACE(@@sql_mode, 'Strict_Trans_Tables', '')",
          removes = { "Strict_Trans_Tables" }, adds = {} } } } },
    { sql = "SELECT 1", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "sql_mode", scope = "statement", value = "REPLACE(REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', ''), 'STRICT_ALL_TABLES', '')",
          removes = { "ONLY_FULL_GROUP_BY", "STRICT_ALL_TABLES" }, adds = {} } } } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "sql_mode", scope = "session", value = "REPLACE(@@sql_mode, 'TABLES', '')",
          removes = { "TABLES" }, adds = {} } } } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "sql_mode", scope = "session", value = "REPLACE(@@sql_mode, 'NO_ZERO_DATE,TRADITIONAL', '')",
          removes = { "NO_ZERO_DATE", "TRADITIONAL" }, adds = {} } } } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "sql_mode", scope = "session", value = "REPLACE(@@sql_mode, 'STRICT\\_TRANS_TABLES', '')",
          removes = { "STRICT\\_TRANS_TABLES" }, adds = {} } } } },
    -- ... or appends ALLOW_INVALID_DATES
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "sql_mode", scope = "session", value = "CONCAT(@@sql_mode, ',NO_ZERO_DATE,allow_invalid_dates')",
          removes = {}, adds = { "NO_ZERO_DATE", "allow_invalid_dates" } } } } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "CREATE EVENT", name = "e", source = "submit",
        body_statements = { { dialect = "mysql", command = "SET",
          settings = { { name = "sql_mode", scope = "session", value = "CONCAT(REPLACE(@@sql_mode, 'STRICT_TRANS_TABLES', ''), ',NO_ZERO_DATE')",
            removes = { "STRICT_TRANS_TABLES" }, adds = { "NO_ZERO_DATE" } } } } } } },
    -- removes / adds of another variable are no edit of sql_mode's strict mode
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "foreign_key_checks", scope = "session", value = "REPLACE(@@foreign_key_checks, 'X', '')",
          removes = { "X" }, adds = {} } } } },
    -- strict mode with ALLOW_INVALID_DATES still stores invalid dates
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "sql_mode", scope = "session", value = "'STRICT_ALL_TABLES,allow_invalid_dates'",
          literal = "STRICT_ALL_TABLES,allow_invalid_dates" } } } },
    -- settings after MariaDB's SET PASSWORD = ..., (classify_mysql: settings)
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET PASSWORD", source = "submit",
        settings = { { name = "foreign_key_checks", scope = "session", value = "0", literal = "0" } } } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "unique_checks", scope = "session", value = "OFF", literal = "OFF" } } } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "check_constraint_checks", scope = "session", value = "@old", literal = nil } } } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "sql_safe_updates", scope = "session", value = "FALSE", literal = "FALSE" } } } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "innodb_strict_mode", scope = "session", value = "OFF", literal = "OFF" } } } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "sql_require_primary_key", scope = "session", value = "0", literal = "0" } } } },
    { sql = "SELECT 1", environment = "prod", expect = "none",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "innodb_strict_mode", scope = "session", value = "ON", literal = "ON" },
          { name = "sql_require_primary_key", scope = "session", value = "1", literal = "1" } } } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "binlog_format", scope = "session", value = "'STATEMENT'", literal = "STATEMENT" } } } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "alter_algorithm", scope = "session", value = "'copy'", literal = "copy" } } } },
    { sql = "SELECT 1", environment = "prod", expect = "none",
      facts = { dialect = "mysql", command = "SET", source = "submit",
        settings = { { name = "alter_algorithm", scope = "session", value = "INSTANT", literal = "INSTANT" } } } },
    -- MariaDB's SET STATEMENT ... FOR stmt: stmt runs with the setting
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "ALTER TABLE", source = "submit", operations = { "add_constraint", "add_foreign_key" },
        settings = { { name = "foreign_key_checks", scope = "statement", value = "0", literal = "0" } } } },
    -- ... in a stored program's body (body_statements)
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "CREATE PROCEDURE", name = "p", source = "submit",
        body_statements = { { dialect = "mysql", command = "SET",
          settings = { { name = "foreign_key_checks", scope = "session", value = "0", literal = "0" } } },
          { dialect = "mysql", command = "DELETE", has_where = true } } } },
    -- sql_log_bin is hides-from-replicas' alone; PostgreSQL statements are not read for these facts
    { sql = "SELECT 1", environment = "prod", expect = "none",
      facts = { dialect = "mysql", command = "SET", source = "submit", hides_from_replicas = false,
        settings = { { name = "sql_log_bin", scope = "session", value = "0", literal = "0" } } } },
    { sql = "SELECT 1", environment = "prod", expect = "none",
      facts = { command = "SET", source = "submit",
        settings = { { name = "foreign_key_checks", scope = "session", value = "0", literal = "0" } } } },
  },
}
