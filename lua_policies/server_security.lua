--[[
server_security.lua -- policy "server_security"

Changes to the server, to roles and privileges, and to the guard rails of
the database itself (triggers, row-level security, event triggers,
SECURITY DEFINER code, untrusted languages).  Not squawk's territory, but
what a DBA reviews first.

Checks (severity)
  alter-system                  ALTER SYSTEM changes the whole cluster;
                                MySQL: SET GLOBAL, SET PERSIST, RESET
                                PERSIST                                    (danger)
  role-privileged-attributes    CREATE/ALTER ROLE with SUPERUSER,
                                REPLICATION, BYPASSRLS or CREATEROLE        (critical)
  grant-to-public               GRANT ... TO PUBLIC (every role, present
                                and future)                                (danger)
  grant-all-privileges          GRANT ALL PRIVILEGES                        (caution)
  grant-near-superuser-role     GRANT pg_execute_server_program,
                                pg_write_server_files or
                                pg_read_server_files                       (critical)
  grant-with-grant-option       WITH GRANT OPTION / WITH ADMIN OPTION:
                                the grantee can pass it on                 (caution)
  security-definer-search-path  SECURITY DEFINER function without
                                SET search_path: callers can hijack it     (danger)
  disable-trigger-or-rls        ALTER TABLE ... DISABLE TRIGGER / RULE, ENABLE
                                REPLICA TRIGGER / RULE, DISABLE or
                                NO FORCE ROW LEVEL SECURITY, ALTER EVENT
                                TRIGGER ... DISABLE                        (danger)
  rls-exposure                  on a table with row-level security on:
                                DROP POLICY of a restrictive policy (the
                                rows it hid become visible); CREATE or
                                ALTER POLICY leaving a permissive policy
                                USING (true) for PUBLIC (every row, every
                                role), or a restrictive one USING (true)
                                (it hides nothing any more), or ALTER
                                POLICY of a restrictive one USING any
                                constant (1 = 1)                         (danger)
                                a permissive USING (true) for named roles,
                                USING another constant (1 = 1: every row
                                or none), ALTER POLICY ... TO PUBLIC of a
                                permissive policy, ALTER POLICY ... TO
                                named roles of a restrictive one (the
                                other roles are no longer restricted)    (caution)
  instead-rule                  CREATE RULE ... DO INSTEAD on a table (not a
                                view: there it is how writes reach the
                                tables): every INSERT / UPDATE / DELETE
                                of the table is replaced by the rule's
                                actions, DO INSTEAD NOTHING discards them
                                without an error                           (danger)
  event-trigger                 CREATE/ALTER/DROP EVENT TRIGGER: runs on
                                every DDL of every user                    (danger)
  untrusted-language            functions in C or an untrusted language
                                (plpython3u, plperlu, ...): code that runs
                                as the server                              (danger)
  extension-change              CREATE/ALTER/DROP EXTENSION                (caution)
MySQL / MariaDB (dialect "mysql"):
  account-password              SET PASSWORD, ALTER USER ... IDENTIFIED:
                                whoever wrote the change can log in as the
                                account                                    (danger)
  server-plugin                 INSTALL/UNINSTALL PLUGIN or COMPONENT: code
                                loaded into (or taken out of) the server   (danger)
  replication-control           CHANGE REPLICATION SOURCE / FILTER, START /
                                STOP / RESET REPLICA, group replication,
                                RESET MASTER, PURGE BINARY LOGS            (danger)
  server-administration         FLUSH, KILL, SHUTDOWN, RESTART, CLONE,
                                ALTER INSTANCE                             (danger)
  grant-server-privilege        GRANT ... ON *.* (every database, the
                                mysql database with the accounts among
                                them: danger; ALL, SUPER, FILE, PROCESS,
                                SHUTDOWN, RELOAD, CREATE USER, GRANT
                                OPTION, REPLICATION SLAVE, ..._ADMIN:
                                critical), any GRANT on the mysql
                                database, GRANT PROXY (log in as another
                                account)                                   (critical)
  (also for MySQL GRANT: grant-all-privileges, grant-with-grant-option,
  grant-to-public (MariaDB's PUBLIC), and account-password for MariaDB's
  GRANT ... IDENTIFIED BY)

Behaviour per environment (action / risk by severity)
              dev          test             stage             prod
  caution     approve/low  approve/low      approve/moderate  queue/moderate
  danger      approve/low  approve/moderate queue/high        queue/high
  critical    approve/low  queue/moderate   queue/high        queue/critical
Nothing here rejects outright: these are legitimate operations that need
the right person to look at them.

Settings: UNTRUSTED_LANGUAGES, PRIVILEGED_ROLE_OPTIONS.
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local table, tostring, type = table, tostring, type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"
local UNTRUSTED_LANGUAGES = { c = true, internal = true, plpython3u = true, plpythonu = true,
  plperlu = true, pltclu = true, plv8u = true, plrustu = true }
local PRIVILEGED_ROLE_OPTIONS = { "superuser", "replication", "bypassrls", "createrole" }

-- Helpers ---------------------------------------------------------------------
local CAUTION, DANGER, CRITICAL = 2, 3, 4
local MAP = {
  dev   = { { "approve", "low" }, { "approve", "low" }, { "approve", "low" }, { "approve", "low" } },
  test  = { { "approve", "low" }, { "approve", "low" }, { "approve", "moderate" }, { "queue", "moderate" } },
  stage = { { "approve", "low" }, { "approve", "moderate" }, { "queue", "high" }, { "queue", "high" } },
  prod  = { { "approve", "low" }, { "queue", "moderate" }, { "queue", "high" }, { "queue", "critical" } },
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

-- predefined roles that reach the server's files or programs
local NEAR_SUPERUSER_ROLES = { pg_execute_server_program = true, pg_write_server_files = true,
  pg_read_server_files = true }

-- (ENABLE REPLICA makes a trigger or rule fire only for replication: in normal
-- sessions it is as good as disabled)
local GUARD_OPS = { disable_trigger = true, disable_trigger_all = true, disable_trigger_user = true,
  disable_row_security = true, no_force_row_security = true, disable_rule = true,
  enable_replica_trigger = true, enable_replica_rule = true }

-- MySQL / MariaDB server statements (classify_mysql), by check
local MYSQL_SERVER = {
  ["INSTALL PLUGIN"] = "server-plugin", ["UNINSTALL PLUGIN"] = "server-plugin",
  ["INSTALL COMPONENT"] = "server-plugin", ["UNINSTALL COMPONENT"] = "server-plugin",
  ["CHANGE REPLICATION SOURCE"] = "replication-control", ["CHANGE REPLICATION FILTER"] = "replication-control",
  ["START REPLICA"] = "replication-control", ["STOP REPLICA"] = "replication-control",
  ["RESET REPLICA"] = "replication-control", ["START GROUP REPLICATION"] = "replication-control",
  ["STOP GROUP REPLICATION"] = "replication-control", ["RESET MASTER"] = "replication-control",
  ["PURGE BINARY LOGS"] = "replication-control",
  ["FLUSH"] = "server-administration", ["KILL"] = "server-administration",
  ["SHUTDOWN"] = "server-administration", ["RESTART"] = "server-administration",
  ["CLONE INSTANCE"] = "server-administration", ["CLONE LOCAL"] = "server-administration",
  ["ALTER INSTANCE"] = "server-administration",
}
local MYSQL_SERVER_WHY = {
  ["server-plugin"] = " installs or removes code that runs inside the server (authentication, auditing, storage engines)",
  ["replication-control"] = " controls replication or the binary logs, which replicas and point-in-time recovery depend on",
  ["server-administration"] = " acts on the whole server and every session on it",
}

-- Does the statement's own SET clause set search_path (SET search_path = ... /
-- FROM CURRENT)?  From the parse tree (set_parameters), not the text: a
-- comment holding "set search_path" must not count.
local function sets_search_path(c)
  local p = c.set_parameters
  if type(p) ~= "table" then return false end
  for i = 1, #p do
    if p[i] == "search_path" then return true end
  end
  return false
end

-- MySQL privileges that administer the server rather than read or write
-- data, when granted ON *.* (MySQL 8's dynamic privileges end in _admin)
local MYSQL_ADMIN_PRIVILEGES = { all = true, super = true, file = true, process = true,
  shutdown = true, reload = true, create_user = true, grant_option = true,
  replication_slave = true, create_tablespace = true, binlog_admin = true, binlog_replay = true }

-- MySQL GRANT (facts privileges, object_type, schema / name, grantees; the
-- is_grant test is done): ON *.* covers every database of the server,
-- the mysql database among them; the mysql database holds the accounts.
local function mysql_grant(d, c, tier)
  local privs = list(c.privileges)
  local who = table.concat(list(c.grantees), ", ")
  if who == "" then who = "the grantee" end
  if has(list(c.operations), "set_password") then
    -- MariaDB's GRANT ... IDENTIFIED BY: as SET PASSWORD
    d = add(d, tier, DANGER, "account-password", "GRANT ... IDENTIFIED sets the password of " .. who ..
      ": whoever wrote the change can log in as it")
  end
  if has(privs, "proxy") then
    return add(d, tier, CRITICAL, "grant-server-privilege", "GRANT PROXY ON " .. tostring(c.name) .. " lets " .. who ..
      " log in as that account, with all of its privileges")
  end
  if c.object_type == "instance" then
    local admin = {}
    for i = 1, #privs do
      local p = privs[i]
      if type(p) == "string" and (MYSQL_ADMIN_PRIVILEGES[p] or p:sub(-6) == "_admin") then
        admin[#admin + 1] = p:upper():gsub("_", " ")
      end
    end
    if #admin > 0 then
      return add(d, tier, CRITICAL, "grant-server-privilege", "GRANT " .. table.concat(admin, ", ") .. " ON *.* makes " .. who ..
        " an administrator of the whole server (accounts, files, other sessions, configuration); grant what the application needs, on its own database")
    end
    return add(d, tier, DANGER, "grant-server-privilege", "GRANT ... ON *.* gives " .. who ..
      " those privileges on every database of the server, the mysql database (accounts, password hashes) among them; grant them on the application's database")
  end
  local db = c.object_type == "database" and c.name or c.schema
  if type(db) == "string" and db:lower() == "mysql" then
    return add(d, tier, CRITICAL, "grant-server-privilege", "GRANT on the mysql database gives " .. who ..
      " the accounts' tables: reading them reveals password hashes, writing them makes any account an administrator")
  end
  return d
end

-- Policy ----------------------------------------------------------------------
return {
  name = "server_security",
  description = "ALTER SYSTEM, privileged roles, grants to PUBLIC / with grant option, SECURITY DEFINER without search_path, disabled triggers/RLS, event triggers, untrusted languages, extensions.",
  -- check() judges only these statements; the engine skips it for the rest
  commands = { "ALTER SYSTEM", "CREATE ROLE", "ALTER ROLE", "GRANT", "REVOKE", "GRANT ROLE",
    "ALTER DEFAULT PRIVILEGES", "CREATE FUNCTION", "CREATE PROCEDURE", "ALTER FUNCTION", "ALTER PROCEDURE", "ALTER ROUTINE",
"ALTER TABLE", "CREATE RULE", "CREATE POLICY", "ALTER POLICY", "DROP POLICY", "CREATE EVENT TRIGGER", "ALTER EVENT TRIGGER", "DROP EVENT TRIGGER",
    "CREATE EXTENSION", "ALTER EXTENSION", "DROP EXTENSION",
    -- MySQL / MariaDB
    "SET GLOBAL", "SET PERSIST", "RESET PERSIST", "SET PASSWORD", "ALTER USER",
    "INSTALL PLUGIN", "UNINSTALL PLUGIN", "INSTALL COMPONENT", "UNINSTALL COMPONENT",
    "CHANGE REPLICATION SOURCE", "CHANGE REPLICATION FILTER", "START REPLICA", "STOP REPLICA",
    "RESET REPLICA", "START GROUP REPLICATION", "STOP GROUP REPLICATION", "RESET MASTER",
    "PURGE BINARY LOGS", "FLUSH", "KILL", "SHUTDOWN", "RESTART", "CLONE INSTANCE", "CLONE LOCAL",
    "ALTER INSTANCE" },

  check = function(c)
    local cmd = c.command
    if type(cmd) ~= "string" then return nil end
    local d = nil
    if cmd == "ALTER SYSTEM" then
      return add(d, tier_of(c), DANGER, "alter-system", "ALTER SYSTEM " .. tostring(c.parameter or "RESET ALL") ..
        " changes the configuration of the whole cluster")
    elseif cmd == "SET GLOBAL" or cmd == "SET PERSIST" or cmd == "RESET PERSIST" then
      -- MySQL's ALTER SYSTEM: every session of the server, PERSIST across restarts too
      return add(d, tier_of(c), DANGER, "alter-system", cmd .. " " .. tostring(c.parameter or "(all)") ..
        " changes the configuration of the whole server" .. (cmd == "SET GLOBAL" and "" or ", across restarts"))
    elseif cmd == "SET PASSWORD" or (cmd == "ALTER USER" and c.dialect == "mysql" and has(list(c.operations), "set_password")) then
      return add(d, tier_of(c), DANGER, "account-password", cmd .. " sets the password of " ..
        (c.name and ("account " .. tostring(c.name)) or "the deploying account") ..
        ": whoever wrote the change can log in as it")
    elseif MYSQL_SERVER[cmd] and c.dialect == "mysql" then
      local id = MYSQL_SERVER[cmd]
      return add(d, tier_of(c), DANGER, id, cmd .. MYSQL_SERVER_WHY[id])
    elseif cmd == "CREATE ROLE" or cmd == "ALTER ROLE" then
      local opts = c.role_options
      if type(opts) == "table" then
        local granted = {}
        for i = 1, #PRIVILEGED_ROLE_OPTIONS do
          if opts[PRIVILEGED_ROLE_OPTIONS[i]] == true then granted[#granted + 1] = PRIVILEGED_ROLE_OPTIONS[i]:upper() end
        end
        if #granted > 0 then
          d = add(d, tier_of(c), CRITICAL, "role-privileged-attributes", "role " .. tostring(c.name) .. " gets " ..
            table.concat(granted, ", ") .. ": it can bypass the database's own controls")
        end
      end
      return d
    elseif cmd == "GRANT" or cmd == "REVOKE" or cmd == "GRANT ROLE" or cmd == "ALTER DEFAULT PRIVILEGES" then
      if c.is_grant == false then return nil end
      local tier = tier_of(c)
      if has(list(c.grantees), "public") then
        d = add(d, tier, DANGER, "grant-to-public", "granting to PUBLIC gives every present and future role access")
      end
      if has(list(c.privileges), "all") then
        d = add(d, tier, CAUTION, "grant-all-privileges", "ALL PRIVILEGES includes TRUNCATE, REFERENCES and TRIGGER; grant what is needed")
      end
      if c.grant_option == true or c.admin_option == true then
        d = add(d, tier, CAUTION, "grant-with-grant-option", "WITH GRANT/ADMIN OPTION lets the grantee pass the privilege on")
      end
      if c.dialect == "mysql" then d = mysql_grant(d, c, tier) end
      local roles = list(c.granted_roles)
      for i = 1, #roles do
        if c.dialect ~= "mysql" and NEAR_SUPERUSER_ROLES[roles[i]] then
          d = add(d, tier, CRITICAL, "grant-near-superuser-role", "role " .. roles[i] ..
            " reads or writes server files or runs programs on the server: nearly superuser")
        end
      end
      return d
    elseif cmd == "CREATE FUNCTION" or cmd == "CREATE PROCEDURE" or cmd == "ALTER FUNCTION" or cmd == "ALTER PROCEDURE"
        or cmd == "ALTER ROUTINE" then
      local tier = tier_of(c)
      if c.security_definer == true and not sets_search_path(c) then
        d = add(d, tier, DANGER, "security-definer-search-path", tostring(c.name) ..
          " is SECURITY DEFINER without SET search_path: a caller can put its own objects first and run them with the owner's rights")
      end
      local lang = c.language
      if type(lang) == "string" and UNTRUSTED_LANGUAGES[lang:lower()] then
        d = add(d, tier, DANGER, "untrusted-language", tostring(c.name) .. " is written in " .. lang ..
          ", which runs unrestricted inside the server")
      end
      return d
    elseif cmd == "ALTER TABLE" then
      local ops = list(c.operations)
      for i = 1, #ops do
        if GUARD_OPS[ops[i]] then
          return add(d, tier_of(c), DANGER, "disable-trigger-or-rls", ops[i]:gsub("_", " ") .. " on " .. tostring(c.identity) ..
            " switches off integrity or access rules; writes made meanwhile skip them")
        end
      end
      return nil
    elseif cmd == "CREATE POLICY" or cmd == "ALTER POLICY" or cmd == "DROP POLICY" then
      -- facts of rls.c; only a table with RLS on is exposed (off, every row is visible anyway)
      if c.row_security ~= true then return nil end
      local what = cmd .. " " .. tostring(c.name) .. " on " .. tostring(c.table)
      if cmd == "DROP POLICY" then
        if c.permissive == false then
          return add(d, tier_of(c), DANGER, "rls-exposure", what .. " drops a restrictive policy: the rows it hid become " ..
            "visible to every role its permissive policies admit; change its condition with ALTER POLICY instead")
        end
        return nil
      end
      local public = has(list(c.policy_roles), "public")
      if c.permissive == false then
        if c.using_true == true then
          return add(d, tier_of(c), DANGER, "rls-exposure", what .. " makes a restrictive policy USING (true): it hides no row any more")
        elseif cmd == "ALTER POLICY" and c.using_constant == true then
          -- USING (1 = 1), (true::boolean), (NOT false): as true, unless the constant is false (then it hides every row)
          return add(d, tier_of(c), DANGER, "rls-exposure", what .. " makes a restrictive policy USING a constant: it hides " ..
            "no row any more (or every row, when the constant is false)")
        elseif cmd == "ALTER POLICY" and c.policy_roles ~= nil and not public then
          return add(d, tier_of(c), CAUTION, "rls-exposure", what .. " makes a restrictive policy apply to " ..
            table.concat(list(c.policy_roles), ", ") .. " only: every other role it restricted sees the rows it hid")
        end
        return nil
      end
      if c.using_true == true then
        local roles = c.policy_roles
        local everyone = public or (cmd == "ALTER POLICY" and roles == nil)
        return add(d, tier_of(c), everyone and DANGER or CAUTION, "rls-exposure", what .. " lets every row through (USING (true)) for " ..
          (public and "every role (PUBLIC)" or (roles and table.concat(list(roles), ", ") or "the roles it applies to")) ..
          ": row-level security no longer hides any row from them; write the condition that selects their rows")
      elseif c.using_constant == true then
        return add(d, tier_of(c), CAUTION, "rls-exposure", what .. " has a USING condition that reads nothing of the row " ..
          "(a constant): it lets every row through, or none")
      elseif cmd == "ALTER POLICY" and public then
        return add(d, tier_of(c), CAUTION, "rls-exposure", what .. " now applies to every role (TO PUBLIC): roles it did " ..
          "not admit before see the rows its condition selects")
      end
      return nil
    elseif cmd == "CREATE RULE" then
      -- a view's rule carries what the view reads (reads_count); a table's none
      local ev = c.event
      if c.instead == true and c.reads_count == nil and (ev == "insert" or ev == "update" or ev == "delete") then
        local acts = list(c.writes)
        return add(d, tier_of(c), DANGER, "instead-rule", "rule " .. tostring(c.name) .. " replaces every " .. ev:upper() ..
          " on table " .. tostring(c.table) .. (#acts == 0 and " with nothing: the rows are discarded without an error" or
          " with its own actions: the table itself is no longer written") ..
          "; use a trigger, or change the application")
      end
      return nil
    elseif cmd == "CREATE EVENT TRIGGER" or cmd == "ALTER EVENT TRIGGER" or cmd == "DROP EVENT TRIGGER" then
      return add(d, tier_of(c), DANGER, "event-trigger", cmd .. " " .. tostring(c.name) ..
        ": event triggers run on every DDL statement of every user")
    elseif cmd == "CREATE EXTENSION" or cmd == "ALTER EXTENSION" or cmd == "DROP EXTENSION" then
      return add(d, tier_of(c), CAUTION, "extension-change", cmd .. " " .. tostring(c.name) ..
        " installs or changes code and objects owned by the extension")
    end
    return nil
  end,

  tests = {
    { sql = "ALTER SYSTEM SET max_connections = 500", environment = "prod", expect = "queue", risk = "high" },
    { sql = "ALTER SYSTEM SET max_connections = 500", environment = "dev", expect = "approve", risk = "low" },
    { sql = "CREATE ROLE pt_admin SUPERUSER LOGIN", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "CREATE ROLE pt_admin SUPERUSER LOGIN", environment = "test", expect = "queue", risk = "moderate" },
    { sql = "ALTER ROLE pt_app BYPASSRLS", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "CREATE ROLE pt_app LOGIN NOSUPERUSER", environment = "prod", expect = "none" },
    { sql = "GRANT SELECT ON pt_orders TO PUBLIC", environment = "prod", expect = "queue", risk = "high" },
    { sql = "GRANT ALL PRIVILEGES ON pt_orders TO pt_app", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "GRANT SELECT ON pt_orders TO pt_app WITH GRANT OPTION", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "GRANT SELECT ON pt_orders TO pt_app", environment = "prod", expect = "none" },
    { sql = "REVOKE ALL ON pt_orders FROM PUBLIC", environment = "prod", expect = "none" },
    { sql = "CREATE FUNCTION pt_f() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1'", environment = "prod",
      expect = "queue", risk = "high" },
    { sql = "CREATE FUNCTION pt_f() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS 'SELECT 1'",
      environment = "prod", expect = "none" },
    { sql = "CREATE FUNCTION pt_f() RETURNS int LANGUAGE plpython3u AS 'return 1'", environment = "stage", expect = "queue",
      risk = "high" },
    { sql = "ALTER TABLE pt_orders DISABLE TRIGGER ALL", environment = "prod", expect = "queue", risk = "high" },
    -- a comment holding the words does not set search_path
    { sql = "CREATE FUNCTION pt_f() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1 /* set search_path */'",
      environment = "prod", expect = "queue", risk = "high" },
    { sql = "ALTER ROUTINE pt_f() SECURITY DEFINER", environment = "prod", expect = "queue", risk = "high" },
    { sql = "ALTER FUNCTION pt_f() SECURITY DEFINER SET search_path = pg_catalog", environment = "prod", expect = "none" },
    { sql = "ALTER TABLE pt_orders ENABLE REPLICA TRIGGER pt_audit", environment = "prod", expect = "queue", risk = "high" },
    { sql = "ALTER TABLE pt_orders DISABLE RULE pt_rule", environment = "prod", expect = "queue", risk = "high" },
    -- DO INSTEAD on a table swallows (or redirects) its writes; on a view it is what makes it writable
    { sql = "CREATE RULE pt_rule AS ON INSERT TO pt_orders DO INSTEAD NOTHING", environment = "prod", expect = "queue", risk = "high" },
    { sql = "CREATE RULE pt_rule AS ON DELETE TO pt_orders DO INSTEAD UPDATE pt_orders SET id = id WHERE id = OLD.id",
      environment = "prod", expect = "queue", risk = "high" },
    { sql = "CREATE RULE pt_rule AS ON INSERT TO pt_orders DO INSTEAD NOTHING", environment = "dev", expect = "approve", risk = "low" },
    { sql = "CREATE RULE pt_rule AS ON INSERT TO pt_orders DO ALSO NOTIFY pt_orders", environment = "prod", expect = "none" },
    { sql = "CREATE RULE pt_rule AS ON INSERT TO pt_orders_v DO INSTEAD NOTHING", environment = "prod", expect = "none",
      facts = { reads = {}, reads_count = 0 } },
    { sql = "GRANT pg_execute_server_program TO pt_app", environment = "prod", expect = "queue", risk = "critical" },
    -- MySQL grants (classify_mysql: privileges, object_type instance for ON *.*, grantees)
    { sql = "GRANT SELECT ON pt_orders TO pt_app", environment = "prod", expect = "queue", risk = "critical",
      facts = { dialect = "mysql", command = "GRANT", is_grant = true, object_type = "instance",
        privileges = { "super" }, grantees = { "app@%" }, grant_option = false } },
    { sql = "GRANT SELECT ON pt_orders TO pt_app", environment = "prod", expect = "queue", risk = "critical",
      facts = { dialect = "mysql", command = "GRANT", is_grant = true, object_type = "instance",
        privileges = { "connection_admin" }, grantees = { "app@%" }, grant_option = false } },
    { sql = "GRANT SELECT ON pt_orders TO pt_app", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "GRANT", is_grant = true, object_type = "instance",
        privileges = { "select" }, grantees = { "app@%" }, grant_option = false } },
    { sql = "GRANT SELECT ON pt_orders TO pt_app", environment = "prod", expect = "queue", risk = "critical",
      facts = { dialect = "mysql", command = "GRANT", is_grant = true, object_type = "table", schema = "mysql",
        name = "user", privileges = { "select" }, grantees = { "app@%" }, grant_option = false } },
    { sql = "GRANT SELECT ON pt_orders TO pt_app", environment = "prod", expect = "queue", risk = "critical",
      facts = { dialect = "mysql", command = "GRANT", is_grant = true, object_type = "user", name = "root@localhost",
        privileges = { "proxy" }, grantees = { "app@%" }, grant_option = false } },
    { sql = "GRANT SELECT ON pt_orders TO pt_app", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "GRANT", is_grant = true, object_type = "database", name = "shop",
        privileges = { "select" }, grantees = { "u" }, grant_option = false, operations = { "grant", "set_password" } } },
    { sql = "GRANT SELECT ON pt_orders TO pt_app", environment = "prod", expect = "none",
      facts = { dialect = "mysql", command = "GRANT", is_grant = true, object_type = "database", name = "shop",
        privileges = { "select", "insert" }, grantees = { "app@%" }, grant_option = false } },
    { sql = "GRANT SELECT ON pt_orders TO pt_app", environment = "dev", expect = "approve", risk = "low",
      facts = { dialect = "mysql", command = "GRANT", is_grant = true, object_type = "instance",
        privileges = { "all" }, grantees = { "app@%" }, grant_option = true } },
    { sql = "GRANT pg_read_all_data TO pt_app", environment = "prod", expect = "none" },
    { sql = "ALTER TABLE pt_orders DISABLE ROW LEVEL SECURITY", environment = "test", expect = "approve", risk = "moderate" },
    { sql = "ALTER TABLE pt_orders ENABLE ROW LEVEL SECURITY", environment = "prod", expect = "none" },
    -- row-level security: exposure (facts as rls.c gives them for a table with RLS on)
    { sql = "DROP POLICY pt_p ON pt_orders", environment = "prod", expect = "queue", risk = "high",
      facts = { row_security = true, table_policies = 2, table_open_policies = 1, permissive = false, policy_opens = false } },
    { sql = "DROP POLICY pt_p ON pt_orders", environment = "prod", expect = "none",
      facts = { row_security = true, table_policies = 2, table_open_policies = 2, permissive = true, policy_opens = true } },
    { sql = "DROP POLICY pt_p ON pt_orders", environment = "prod", expect = "none",
      facts = { row_security = false, table_policies = 1, table_open_policies = 0, permissive = false, policy_opens = false } },
    { sql = "CREATE POLICY pt_p ON pt_orders USING (true)", environment = "prod", expect = "queue", risk = "high",
      facts = { row_security = true, table_policies = 1, table_open_policies = 1 } },
    { sql = "CREATE POLICY pt_p ON pt_orders USING (true)", environment = "prod", expect = "none",
      facts = { row_security = false, table_policies = 0, table_open_policies = 0 } },
    { sql = "CREATE POLICY pt_p ON pt_orders FOR SELECT TO pt_auditor USING (true)", environment = "prod", expect = "queue",
      risk = "moderate", facts = { row_security = true, table_policies = 1, table_open_policies = 1 } },
    { sql = "CREATE POLICY pt_p ON pt_orders USING (1 = 1)", environment = "prod", expect = "queue", risk = "moderate",
      facts = { row_security = true, table_policies = 1, table_open_policies = 1 } },
    { sql = "CREATE POLICY pt_p ON pt_orders USING (customer_id = current_setting('app.customer')::int)",
      environment = "prod", expect = "none", facts = { row_security = true, table_policies = 1, table_open_policies = 1 } },
    { sql = "CREATE POLICY pt_p ON pt_orders AS RESTRICTIVE USING (true)", environment = "prod", expect = "queue", risk = "high",
      facts = { row_security = true, table_policies = 1, table_open_policies = 1 } },
    { sql = "ALTER POLICY pt_p ON pt_orders USING (true)", environment = "prod", expect = "queue", risk = "high",
      facts = { row_security = true, table_policies = 1, table_open_policies = 1, permissive = true, policy_opens = true,
        using_true = true, using_constant = true } },
    { sql = "ALTER POLICY pt_p ON pt_orders TO PUBLIC", environment = "prod", expect = "queue", risk = "moderate",
      facts = { row_security = true, table_policies = 1, table_open_policies = 1, permissive = true, policy_opens = true,
        using_true = false, using_constant = false } },
    { sql = "ALTER POLICY pt_p ON pt_orders TO PUBLIC", environment = "prod", expect = "none",
      facts = { row_security = true, table_policies = 1, table_open_policies = 1, permissive = false, policy_opens = false,
        using_true = false, using_constant = false } },
    -- a restrictive policy loosened by ALTER POLICY: a constant USING, or TO fewer roles (red team)
    { sql = "ALTER POLICY pt_p ON pt_orders USING (1 = 1)", environment = "prod", expect = "queue", risk = "high",
      facts = { row_security = true, table_policies = 2, table_open_policies = 1, permissive = false, policy_opens = false,
        using_true = false, using_constant = true } },
    { sql = "ALTER POLICY pt_p ON pt_orders TO pt_auditor", environment = "prod", expect = "queue", risk = "moderate",
      facts = { row_security = true, table_policies = 2, table_open_policies = 1, permissive = false, policy_opens = false,
        using_true = false, using_constant = false } },
    { sql = "ALTER POLICY pt_p ON pt_orders USING (customer_id > 0)", environment = "prod", expect = "none",
      facts = { row_security = true, table_policies = 2, table_open_policies = 1, permissive = false, policy_opens = false,
        using_true = false, using_constant = false } },
    { sql = "CREATE EVENT TRIGGER pt_et ON ddl_command_start EXECUTE FUNCTION pt_etf()", environment = "prod",
      expect = "queue", risk = "high" },
    { sql = "CREATE EXTENSION IF NOT EXISTS pg_trgm", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "CREATE EXTENSION IF NOT EXISTS pg_trgm", environment = "dev", expect = "approve", risk = "low" },
    -- MySQL (facts as classify_mysql gives them)
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET GLOBAL", parameter = "read_only", scope = "global" } },
    { sql = "SELECT 1", environment = "test", expect = "approve", risk = "moderate",
      facts = { dialect = "mysql", command = "SET PERSIST", parameter = "max_connections", scope = "persist" } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SET PASSWORD", name = "root", operations = { "set_password" } } },
    { sql = "SELECT 1", environment = "stage", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "ALTER USER", name = "app", operations = { "alter", "set_password" } } },
    { sql = "SELECT 1", environment = "prod", expect = "none",
      facts = { dialect = "mysql", command = "ALTER USER", name = "app", operations = { "alter" } } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "INSTALL PLUGIN", name = "auth_socket" } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "CHANGE REPLICATION SOURCE" } },
    { sql = "SELECT 1", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "SHUTDOWN" } },
    { sql = "SELECT 1", environment = "dev", expect = "approve", risk = "low",
      facts = { dialect = "mysql", command = "KILL" } },
  },
}
