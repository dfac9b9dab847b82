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

Behaviour per environment (action / risk by severity)
              dev          test             stage             prod
  advice      approve/low  approve/low      approve/low       approve/low
  invalid     approve/low  reject/moderate  reject/moderate   reject/high
  danger      approve/low  approve/moderate queue/high        queue/high
Interactive statements (source "interactive") only get prefer-robust-stmts
and hides-from-replicas.
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local type = type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"
local SCRIPT_SOURCES = { submit = true, migration = true, promotion = true, rollback = true }

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

-- Policy ----------------------------------------------------------------------
return {
  name = "migration_hygiene",
  description = "No transaction control inside scripts, idempotent non-transactional statements, warnings for statements that cannot be rolled back, no statements hidden from replicas (MySQL sql_log_bin).",

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
  },
}
