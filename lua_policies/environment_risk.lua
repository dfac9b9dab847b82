--[[
environment_risk.lua -- policy "environment_risk"

The baseline risk of a change, by environment and statement kind (the
Bytebase risk-center idea: "DDL in prod is high risk, in test low").  Every
other stock policy adds findings about *what* a statement does; this one
says how much any schema change matters *where* it runs.

Checks
  env-ddl-risk       schema DDL (CREATE/ALTER/DROP of tables, indexes, views,
                     functions, types, ...)
  env-privileges     GRANT / REVOKE / ALTER DEFAULT PRIVILEGES / SECURITY LABEL
  env-cluster-level  ALTER SYSTEM, databases, roles, tablespaces, subscriptions;
                     MySQL: SET GLOBAL / SET PERSIST / RESET PERSIST, accounts
                     (CREATE / ALTER / DROP / RENAME USER, SET PASSWORD, SET
                     DEFAULT ROLE), binary logs and replication (RESET MASTER,
                     PURGE BINARY LOGS, CHANGE REPLICATION SOURCE / FILTER,
                     START / STOP / RESET REPLICA, group replication), plugins
                     and components, FLUSH, KILL, SHUTDOWN, RESTART, CLONE,
                     ALTER INSTANCE, LOCK INSTANCE FOR BACKUP / UNLOCK INSTANCE,
                     MariaDB's BACKUP STAGE, BACKUP LOCK / BACKUP UNLOCK
                     (also a MySQL procedure, function, trigger or event whose
                     body runs one: fact body_commands)
  env-routine        COMMENT, ANALYZE, plain VACUUM, REFRESH MATERIALIZED VIEW
                     (not WITH NO DATA, which empties it),
                     CHECKPOINT-like housekeeping: low risk everywhere
  env-dml-risk       data changes inside a change (MySQL-dialect scripts carry
                     is_dml): approve everywhere, moderate risk in prod
  env-server-files   MySQL: a statement that reads or writes a file on the
                     server (LOAD DATA / XML INFILE, LOAD_FILE(), SELECT
                     ... INTO OUTFILE / DUMPFILE; also in a view's query or
                     a stored program's body), with the deploying
                     account's FILE privilege: facts reads_server_file,
                     writes_server_file.  One that has the deploying
                     client send a file of its own (LOAD DATA / XML LOCAL
                     INFILE, fact reads_client_file) is rejected outside
                     dev: the dbchange CLI refuses to send files
  env-unknown-statement
                     MySQL: a statement the classifier does not know (fact
                     unknown: MariaDB's LOAD XML, CHECK VIEW, MySQL's IMPORT
                     TABLE, a typo, ...): its command is only its first
                     words, so no policy can tell what it does; queued
                     outside dev, whatever the tables above say

Behaviour per environment (action / risk)
                      dev           test          stage           prod
  env-ddl-risk        approve/low   approve/low   approve/moderate queue/high
  env-privileges      approve/low   approve/low   approve/moderate queue/high
  env-cluster-level   approve/low   approve/moderate queue/high    queue/critical
  env-routine         approve/low   approve/low   approve/low     approve/low
  env-dml-risk        approve/low   approve/low   approve/low     approve/moderate
  env-unknown-statement approve/low queue/moderate queue/high     queue/high
  env-server-files    approve/low   queue/moderate queue/high     queue/critical
    (client files)    approve/low   reject/moderate reject/high   reject/high
Statements that are not DDL (transaction control, plain DML, session SET, ...)
get no opinion, except DML that comes in a change with is_dml set (MySQL scripts).
An environment name this file does not know is treated as UNKNOWN_ENVIRONMENT.

Settings: the tables below.  To let prod DDL through without a queue, set
DDL.prod = { "approve", "high" } (the risk still selects the approval flow
for changes other policies queue).
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local type = type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"          -- tier for unrecognised names

local DDL        = { dev = { "approve", "low" }, test = { "approve", "low" },
                     stage = { "approve", "moderate" }, prod = { "queue", "high" } }
local PRIVILEGES = { dev = { "approve", "low" }, test = { "approve", "low" },
                     stage = { "approve", "moderate" }, prod = { "queue", "high" } }
local CLUSTER    = { dev = { "approve", "low" }, test = { "approve", "moderate" },
                     stage = { "queue", "high" }, prod = { "queue", "critical" } }
local DML        = { dev = { "approve", "low" }, test = { "approve", "low" },
                     stage = { "approve", "low" }, prod = { "approve", "moderate" } }
local ROUTINE    = { dev = { "approve", "low" }, test = { "approve", "low" },
                     stage = { "approve", "low" }, prod = { "approve", "low" } }
-- a MySQL statement the classifier does not know (fail closed: in dev a warning)
local UNKNOWN    = { dev = { "approve", "low" }, test = { "queue", "moderate" },
                     stage = { "queue", "high" }, prod = { "queue", "high" } }

-- a MySQL statement reading or writing files of the server (FILES), or having
-- the client that deploys it send one of its own (CLIENT_FILES)
local FILES      = { dev = { "approve", "low" }, test = { "queue", "moderate" },
                     stage = { "queue", "high" }, prod = { "queue", "critical" } }
local CLIENT_FILES = { dev = { "approve", "low" }, test = { "reject", "moderate" },
                     stage = { "reject", "high" }, prod = { "reject", "high" } }

-- Helpers (self-contained: the sandbox has no require) -----------------------
local ARANK = { approve = 1, queue = 2, reject = 3 }
local RRANK = { low = 1, moderate = 2, high = 3, critical = 4 }
local TIERS = {
  dev = "dev", development = "dev", ["local"] = "dev", sandbox = "dev",
  test = "test", testing = "test", qa = "test", ci = "test",
  stage = "stage", staging = "stage", preprod = "stage", uat = "stage",
  prod = "prod", production = "prod", prd = "prod", live = "prod",
}
local function tier_of(c)
  local e = c.environment
  local t = TIERS[e]            -- a known name (nil reads nothing): no type() call
  if t then return t end
  if type(e) ~= "string" then return UNKNOWN_ENVIRONMENT end
  return TIERS[e:lower()] or UNKNOWN_ENVIRONMENT
end

-- Commands that are not schema changes: no opinion.
local NOT_DDL = {
  ["BEGIN"] = true, ["START TRANSACTION"] = true, ["COMMIT"] = true,
  ["ROLLBACK"] = true, ["SAVEPOINT"] = true, ["RELEASE"] = true,
  ["PREPARE TRANSACTION"] = true, ["COMMIT PREPARED"] = true,
  ["ROLLBACK PREPARED"] = true, ["SET"] = true, ["RESET"] = true,
  ["SHOW"] = true, ["SELECT"] = true, ["INSERT"] = true, ["UPDATE"] = true,
  ["DELETE"] = true, ["MERGE"] = true, ["COPY"] = true, ["EXPLAIN"] = true,
  ["DO"] = true, ["CALL"] = true, ["LOCK TABLE"] = true, ["PREPARE"] = true,
  ["EXECUTE"] = true, ["DEALLOCATE"] = true, ["DEALLOCATE ALL"] = true,
  ["DISCARD"] = true, ["DISCARD ALL"] = true, ["LISTEN"] = true,
  ["NOTIFY"] = true, ["UNLISTEN"] = true, ["FETCH"] = true, ["MOVE"] = true,
  ["DECLARE CURSOR"] = true, ["CLOSE CURSOR"] = true, ["LOAD"] = true,
  ["SET CONSTRAINTS"] = true, ["CHECKPOINT"] = true, ["USE"] = true,
  -- MySQL / MariaDB statements that read, or control the transaction, and
  -- change no schema object (classify_mysql's plain statements)
  ["HANDLER"] = true, ["XA"] = true, ["HELP"] = true, ["CHECKSUM"] = true,
  ["DESCRIBE"] = true, ["DESC"] = true, ["CHECK TABLE"] = true, ["WITH"] = true,
  ["VALUES"] = true, ["TABLE"] = true, ["GET"] = true, ["SIGNAL"] = true,
  ["RESIGNAL"] = true,
}
local PRIVILEGE_COMMANDS = {
  ["GRANT"] = true, ["REVOKE"] = true, ["ALTER DEFAULT PRIVILEGES"] = true,
  ["GRANT ROLE"] = true, ["REVOKE ROLE"] = true, ["SECURITY LABEL"] = true,
}
local CLUSTER_COMMANDS = {
  ["ALTER SYSTEM"] = true, ["CREATE DATABASE"] = true, ["ALTER DATABASE"] = true,
  ["DROP DATABASE"] = true, ["CREATE ROLE"] = true, ["ALTER ROLE"] = true,
  ["DROP ROLE"] = true, ["CREATE TABLESPACE"] = true, ["ALTER TABLESPACE"] = true,
  ["DROP TABLESPACE"] = true, ["CREATE SUBSCRIPTION"] = true,
  ["ALTER SUBSCRIPTION"] = true, ["DROP SUBSCRIPTION"] = true,
  ["CREATE PUBLICATION"] = true, ["ALTER PUBLICATION"] = true,
  ["DROP PUBLICATION"] = true, ["REASSIGN OWNED"] = true, ["DROP OWNED"] = true,
  -- MySQL / MariaDB (classify_mysql): the server's configuration, accounts,
  -- binary logs, replication, plugins, sessions and life
  ["SET GLOBAL"] = true, ["SET PERSIST"] = true, ["RESET PERSIST"] = true,
  ["CREATE USER"] = true, ["ALTER USER"] = true, ["DROP USER"] = true,
  ["RENAME USER"] = true, ["SET PASSWORD"] = true, ["SET DEFAULT ROLE"] = true,
  ["RESET MASTER"] = true, ["PURGE BINARY LOGS"] = true,
  ["CHANGE REPLICATION SOURCE"] = true, ["CHANGE REPLICATION FILTER"] = true,
  ["START REPLICA"] = true, ["STOP REPLICA"] = true, ["RESET REPLICA"] = true,
  ["START GROUP REPLICATION"] = true, ["STOP GROUP REPLICATION"] = true,
  ["INSTALL PLUGIN"] = true, ["UNINSTALL PLUGIN"] = true,
  ["INSTALL COMPONENT"] = true, ["UNINSTALL COMPONENT"] = true,
  ["FLUSH"] = true, ["KILL"] = true, ["SHUTDOWN"] = true, ["RESTART"] = true,
  ["CLONE INSTANCE"] = true, ["CLONE LOCAL"] = true, ["ALTER INSTANCE"] = true,
  -- the backup lock blocks DDL and account changes in every session of the server
  ["LOCK INSTANCE"] = true, ["UNLOCK INSTANCE"] = true,
  -- MariaDB's: BACKUP STAGE BLOCK_DDL / BLOCK_COMMIT make DDL / every commit of
  -- the server wait; BACKUP LOCK t makes DDL on t wait in every session
  ["BACKUP STAGE"] = true, ["BACKUP LOCK"] = true, ["BACKUP UNLOCK"] = true,
}
-- MySQL stored programs: what their body runs (body_commands) counts too
local HAS_BODY = { ["CREATE PROCEDURE"] = true, ["CREATE FUNCTION"] = true,
  ["CREATE TRIGGER"] = true, ["CREATE EVENT"] = true, ["ALTER EVENT"] = true }
-- (REFRESH ... WITH NO DATA empties the view: not routine; SECURITY LABEL is
-- access control under sepgsql or anon: a privilege change)
local ROUTINE_COMMANDS = {
  ["COMMENT"] = true, ["ANALYZE"] = true, ["VACUUM"] = true,
  ["REFRESH MATERIALIZED VIEW"] = true,
  -- MySQL: statistics, and which key cache a MyISAM table's indexes use
  ["ANALYZE TABLE"] = true, ["CACHE"] = true,
}

-- Decisions are built once per (table, tier, command) and reused: this
-- policy speaks on every DDL statement, so it should not allocate each time
-- (the engine only reads a returned decision).  Each table above has its own
-- check id, so the table identifies the cache.  Commands are a bounded set,
-- but a MySQL script's command can be any word: past CACHE_MAX kept
-- decisions, new ones are built each time instead of kept.
local DECISIONS = {}          -- [tbl][tier][command] -> decision
local CACHE_MAX, cached = 1000, 0
local function decide(tbl, tier, id, what)
  local by_tbl = DECISIONS[tbl]
  if by_tbl == nil then by_tbl = {}; DECISIONS[tbl] = by_tbl end
  local by_tier = by_tbl[tier]
  if by_tier == nil then by_tier = {}; by_tbl[tier] = by_tier end
  local d = by_tier[what]
  if d == nil then
    local b = tbl[tier]
    d = { action = b[1], risk = b[2], reason = id .. ": " .. what .. " in " .. tier .. " is " .. b[2] .. " risk" }
    if cached < CACHE_MAX then
      by_tier[what] = d
      cached = cached + 1
    end
  end
  return d
end

-- (not cached: rare, and the reason names the statement's own command)
local function files_decision(c, cmd)
  local tier = tier_of(c)
  local where = (cmd == "CREATE VIEW" or cmd == "ALTER VIEW") and " each time the view is read" or
    (c.body_commands ~= nil and " each time it runs" or "")
  if c.reads_client_file == true then
    local b = CLIENT_FILES[tier]
    return { action = b[1], risk = b[2], reason = "env-server-files: " .. cmd ..
      " has the client that runs it send one of its own files (LOAD DATA / XML LOCAL INFILE): " ..
      "deployed, that is the deployer's machine, and the dbchange CLI refuses to send its files" ..
      (b[1] == "approve" and " (approved in " .. tier .. " with this warning; rejected outside dev)" or "") ..
      "; load the data from a file on the server, or with INSERT statements" }
  end
  local b = FILES[tier]
  local what = c.writes_server_file == true and
    (c.reads_server_file == true and "reads and writes files" or "writes a file (SELECT ... INTO OUTFILE / DUMPFILE)") or
    "reads a file (LOAD DATA INFILE, LOAD_FILE())"
  local why = c.writes_server_file == true and "what it writes can be a file the server loads (a plugin library)" or
    "what it reads lands where the change's author can read it"
  return { action = b[1], risk = b[2], reason = "env-server-files: " .. cmd .. " " .. what ..
    " on the MySQL server" .. where .. ", with the FILE privilege of the account that deploys it: " ..
    why .. "; have a DBA approve it" }
end

-- Policy ----------------------------------------------------------------------
return {
  name = "environment_risk",
  description = "Baseline risk of a schema change by environment and statement kind (DDL in prod high and queued, in dev/test low).",

  check = function(c)
    local cmd = c.command
    if type(cmd) ~= "string" then return nil end
    -- files of the server, or of the client that deploys: before every table
    -- keyed by command, since a plain SELECT or INSERT can do it
    local files = nil
    if c.dialect == "mysql" and (c.reads_server_file == true or c.writes_server_file == true or
        c.reads_client_file == true) then
      files = files_decision(c, cmd)
    end
    -- before every table keyed by command: an unknown statement's command is
    -- only its first words ("LOAD" for LOAD XML, which writes rows), and may
    -- read like a harmless command's (an unknown one that reads a file, LOAD
    -- XML INFILE, gets both findings)
    if c.unknown == true and c.dialect == "mysql" then
      local tier = tier_of(c)
      local b = UNKNOWN[tier]
      local text = c.statement
      if type(text) ~= "string" then text = cmd end
      if #text > 80 then text = text:sub(1, 77) .. "..." end
      local d = { action = b[1], risk = b[2], reason = "env-unknown-statement: dbchange does not know the MySQL statement " ..
        text .. " (read as " .. cmd .. "), so no policy can tell what it does" ..
        (b[1] == "queue" and "" or " (approved in " .. tier .. " with this warning; queued outside dev)") ..
        ": have someone who knows what it does on the target approve it, or write the change" ..
        " with statements dbchange knows (docs/mysql.md)" }
      if files then
        if ARANK[files.action] > ARANK[d.action] then d.action = files.action end
        if RRANK[files.risk] > RRANK[d.risk] then d.risk = files.risk end
        d.reason = d.reason .. "; " .. files.reason
      end
      return d
    end
    if files then return files end
    -- is_dml comes only with MySQL scripts: a PostgreSQL statement does not
    -- have the field, and reading a field a change lacks is never cached
    if c.dialect == "mysql" and c.is_dml == true then
      return decide(DML, tier_of(c), "env-dml-risk", cmd)
    end
    if NOT_DDL[cmd] then return nil end
    if cmd == "VACUUM" and (c.full == true or c.rewrites_table == true) then
      -- VACUUM FULL is a rewrite, not housekeeping
      return decide(DDL, tier_of(c), "env-ddl-risk", "VACUUM FULL")
    end
    local tier = tier_of(c)
    if HAS_BODY[cmd] and c.dialect == "mysql" then
      local l = c.body_commands
      if type(l) == "table" then
        local i, v = 1, l[1]
        while v ~= nil do
          if CLUSTER_COMMANDS[v] then
            return decide(CLUSTER, tier, "env-cluster-level", cmd .. " running " .. v)
          end
          i = i + 1
          v = l[i]
        end
      end
    end
    if ROUTINE_COMMANDS[cmd] and c.destructive ~= true then
      return decide(ROUTINE, tier, "env-routine", cmd)
    elseif PRIVILEGE_COMMANDS[cmd] then
      return decide(PRIVILEGES, tier, "env-privileges", cmd)
    elseif CLUSTER_COMMANDS[cmd] then
      return decide(CLUSTER, tier, "env-cluster-level", cmd)
    end
    return decide(DDL, tier, "env-ddl-risk", cmd)
  end,

  tests = {
    { sql = "REFRESH MATERIALIZED VIEW mv_env WITH NO DATA", environment = "prod", expect = "queue", risk = "high" },
    { sql = "REFRESH MATERIALIZED VIEW mv_env", environment = "prod", expect = "approve", risk = "low" },
    { sql = "SECURITY LABEL FOR anon ON ROLE r_env IS NULL", environment = "prod", expect = "queue", risk = "high" },
    { sql = "VACUUM (FULL false, FULL true) t_env", environment = "prod", expect = "queue", risk = "high" },
    { sql = "CREATE TABLE t_env (id bigint PRIMARY KEY)", environment = "prod", expect = "queue", risk = "high" },
    { sql = "CREATE TABLE t_env (id bigint PRIMARY KEY)", environment = "stage", expect = "approve", risk = "moderate" },
    { sql = "CREATE TABLE t_env (id bigint PRIMARY KEY)", environment = "test", expect = "approve", risk = "low" },
    { sql = "CREATE TABLE t_env (id bigint PRIMARY KEY)", environment = "dev", expect = "approve", risk = "low" },
    { sql = "CREATE TABLE t_env (id bigint PRIMARY KEY)", environment = "production", expect = "queue", risk = "high" },
    { sql = "CREATE TABLE t_env (id bigint PRIMARY KEY)", environment = "somewhere", expect = "queue", risk = "high" },
    { sql = "DROP TABLE t_env", environment = "prod", expect = "queue", risk = "high" },
    { sql = "GRANT SELECT ON t_env TO PUBLIC", environment = "prod", expect = "queue", risk = "high" },
    { sql = "GRANT SELECT ON t_env TO PUBLIC", environment = "dev", expect = "approve", risk = "low" },
    { sql = "ALTER SYSTEM SET work_mem = '64MB'", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "ALTER SYSTEM SET work_mem = '64MB'", environment = "stage", expect = "queue", risk = "high" },
    { sql = "DROP DATABASE some_db", environment = "test", expect = "approve", risk = "moderate" },
    { sql = "COMMENT ON TABLE t_env IS 'environment risk example'", environment = "prod", expect = "approve", risk = "low" },
    { sql = "VACUUM FULL t_env", environment = "prod", expect = "queue", risk = "high" },
    { sql = "BEGIN", environment = "prod", expect = "none" },
    { sql = "CREATE TABLE t_env (id bigint PRIMARY KEY)", environment = "prod", expect = "approve", risk = "moderate",
      facts = { dialect = "mysql", command = "REPLACE", is_dml = true } },
    { sql = "DELETE FROM t_env WHERE id = 1", environment = "prod", expect = "approve", risk = "moderate",
      facts = { dialect = "mysql", is_dml = true, has_where = true } },
    { sql = "DELETE FROM t_env WHERE id = 1", environment = "test", expect = "approve", risk = "low",
      facts = { dialect = "mysql", is_dml = true, has_where = true } },
    { sql = "SELECT 1", environment = "prod", expect = "none" },
    -- MySQL server-level statements are cluster-level, not session housekeeping
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "critical",
      facts = { dialect = "mysql", command = "SET GLOBAL", parameter = "read_only" } },
    { sql = "SELECT 1", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET PASSWORD", name = "root" } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "critical",
      facts = { dialect = "mysql", command = "RESET MASTER", destructive = true } },
    { sql = "SELECT 1", environment = "test", expect = "approve", risk = "moderate",
      facts = { dialect = "mysql", command = "CHANGE REPLICATION SOURCE" } },
    { sql = "SELECT 1", environment = "prod", expect = "none",
      facts = { dialect = "mysql", command = "SET" } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "critical",
      facts = { dialect = "mysql", command = "LOCK INSTANCE", object_type = "instance" } },
    { sql = "SELECT 1", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "UNLOCK INSTANCE", object_type = "instance" } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "LOCK TABLES" } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "critical",
      facts = { dialect = "mysql", command = "BACKUP STAGE", object_type = "instance", backup_stage = "block_commit" } },
    { sql = "SELECT 1", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "BACKUP LOCK", object_type = "instance", table = "shop.orders" } },
    { sql = "SELECT 1", environment = "test", expect = "approve", risk = "moderate",
      facts = { dialect = "mysql", command = "BACKUP UNLOCK", object_type = "instance" } },
    { sql = "SELECT 1", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "CREATE EVENT", body_commands = { "SELECT", "SET GLOBAL" } } },
    { sql = "SELECT 1", environment = "stage", expect = "approve", risk = "moderate",
      facts = { dialect = "mysql", command = "CREATE EVENT", body_commands = { "SELECT" } } },
    -- a MySQL statement the classifier does not know: queued outside dev, even
    -- when its first word reads like a harmless command (LOAD XML writes rows)
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "LOAD", statement = "LOAD XML INFILE 'x.xml' INTO TABLE t", unknown = true } },
    { sql = "SELECT 1", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "IMPORT", unknown = true } },
    { sql = "SELECT 1", environment = "test", expect = "queue", risk = "moderate",
      facts = { dialect = "mysql", command = "UNKNOWN", unknown = true } },
    { sql = "SELECT 1", environment = "dev", expect = "approve", risk = "low",
      facts = { dialect = "mysql", command = "CHECK", unknown = true } },
    { sql = "SELECT 1", environment = "prod", expect = "none",
      facts = { dialect = "mysql", command = "SELECT", unknown = false } },
    -- MySQL reads and transaction control are not schema changes; ANALYZE TABLE is housekeeping
    { sql = "SELECT 1", environment = "prod", expect = "none", facts = { dialect = "mysql", command = "HANDLER" } },
    { sql = "SELECT 1", environment = "prod", expect = "none", facts = { dialect = "mysql", command = "XA" } },
    { sql = "SELECT 1", environment = "prod", expect = "none", facts = { dialect = "mysql", command = "CHECK TABLE" } },
    { sql = "SELECT 1", environment = "prod", expect = "approve", risk = "low",
      facts = { dialect = "mysql", command = "ANALYZE TABLE" } },
    -- files of the MySQL server read or written with the deployer's FILE privilege
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "critical",
      facts = { dialect = "mysql", command = "LOAD DATA", is_dml = true, reads_server_file = true } },
    { sql = "SELECT 1", environment = "test", expect = "queue", risk = "moderate",
      facts = { dialect = "mysql", command = "SELECT", writes_server_file = true } },
    { sql = "SELECT 1", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "CREATE VIEW", is_ddl = true, reads_server_file = true } },
    { sql = "SELECT 1", environment = "dev", expect = "approve", risk = "low",
      facts = { dialect = "mysql", command = "SELECT", writes_server_file = true } },
    -- the deploying client's own files: the CLI refuses to send them
    { sql = "SELECT 1", environment = "prod", expect = "reject", risk = "high",
      facts = { dialect = "mysql", command = "LOAD DATA", is_dml = true, reads_client_file = true } },
    { sql = "SELECT 1", environment = "dev", expect = "approve", risk = "low",
      facts = { dialect = "mysql", command = "LOAD DATA", is_dml = true, reads_client_file = true } },
    -- the facts are MySQL's: a PostgreSQL statement carrying them is not judged by them
    { sql = "SELECT 1", environment = "prod", expect = "none", facts = { command = "SELECT", writes_server_file = true } },
  },
}
