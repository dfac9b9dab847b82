--[[
protected_objects.lua -- policy "protected_objects"

A configurable list of objects that matter too much for routine change:
any DDL that touches them is critical risk in every environment.  Also the
system catalogs, protected roles (superusers, dbchange's own approval roles:
granting them is a privilege escalation of the approval process) and
protected databases.

Checks
  protected-object    DDL, GRANT/REVOKE or COMMENT touching an object in
                      PROTECTED (patterns "schema.name", "schema.*" protects
                      the schema and everything in it, "*.name"); also when
                      the statement reaches it without naming it: a
                      partition or inheritance child of a table it drops,
                      truncates, alters, indexes, vacuums, clusters or
                      reindexes, or whose index or trigger it drops
                      (fact descendants), a relation of a schema it drops
                      with CASCADE (schema_relations), a table TRUNCATE ...
                      CASCADE reaches by foreign key, an object (a view, a
                      column, a constraint, ...) DROP ... CASCADE drops
                      with what it names, or one that lives on a protected
                      table (cascades_to), an object DROP OWNED drops or
                      REASSIGN OWNED hands to another role (owned_objects);
                      "(perhaps)", queued: REINDEX SCHEMA of a schema
                      holding one, REINDEX DATABASE, VACUUM FULL or
                      CLUSTER without a table, ALTER ... ALL IN TABLESPACE,
                      GRANT/REVOKE ... ON ALL ... IN SCHEMA and ALTER
                      SCHEMA ... OWNER TO of a schema holding one, a
                      publication FOR ALL TABLES or of such a schema; a
                      function replaced or altered that a protected
                      table's trigger, constraint, default, index or
                      policy uses, an enum value renamed or a domain
                      altered that a protected table's column has, an
                      attribute of a composite type a protected table's
                      column has added, dropped, altered or renamed, a
                      sequence a protected table's default or identity
                      column draws from altered (also OWNER TO, SET
                      UNLOGGED) or granted on (GRANT/REVOKE: UPDATE lets
                      the grantee setval() it), a text search
                      configuration a protected table's generated column
                      or index parses with altered (used_by); a protected
                      table added to or taken out of an extension
                      (member) or dropped as a member of the extension
                      DROP EXTENSION drops, CASCADE or not (members);
                      ALTER DEFAULT PRIVILEGES IN SCHEMA of a protected
                      schema; a rule on any table whose actions write a
                      protected one (writes); GRANT/REVOKE on, ALTER of
                      (OWNER TO, SET/RESET options, ...), or a trigger or
                      rule on a view or materialized view whose query
                      reads a protected table, directly or through other
                      views or the functions it calls (a SQL function's
                      body is followed), and CREATE [OR REPLACE] VIEW,
                      CREATE MATERIALIZED VIEW, CREATE TABLE AS (also AS
                      EXECUTE of a prepared query) and SELECT INTO whose
                      query reads one (reads); "(perhaps)":
                      such a statement whose query calls a function in
                      another language (plpgsql, ...) whose body names a
                      protected table or schema (calls); DROP/ALTER/COMMENT
                      of a statistics object or an index of a protected
                      table (table, objects[i].table); GRANT of, or ALTER ROLE
                      (LOGIN, PASSWORD, ...) of, the role that owns one
                      (owned_objects) or a view reading one, and REASSIGN
                      OWNED of such a view (reads of the owned views);
                      GRANT ROLE, ALTER ROLE ... SUPERUSER / BYPASSRLS /
                      INHERIT, ALTER GROUP ... ADD USER and CREATE ROLE
                      ... IN ROLE ... ROLE that widen the rights of the
                      owner of a SECURITY DEFINER function reading one
                      (reads of the functions);
                      CREATE [OR REPLACE] FUNCTION/PROCEDURE ... SECURITY
                      DEFINER whose body reads one (directly or in the
                      functions it calls: whoever may execute it reads
                      with its owner's rights, no view needed), ALTER
                      FUNCTION/PROCEDURE/ROUTINE of such a function (made
                      SECURITY DEFINER, SET search_path, OWNER TO, ...)
                      and GRANT EXECUTE on one (reads); "(perhaps)": one
                      whose plpgsql (or other opaque) body names a
                      protected table or schema (calls).  A SECURITY
                      INVOKER function reads with its caller's rights:
                      no finding
  system-schema       CREATE/ALTER/DROP in pg_catalog, information_schema or
                      pg_toast, and moving an object into one (ALTER ...
                      SET SCHEMA, ALTER EXTENSION ... SET SCHEMA, IMPORT
                      FOREIGN SCHEMA ... INTO)
  protected-role      ALTER/DROP of a role in PROTECTED_ROLES, or granting /
                      revoking membership in one
  protected-database  ALTER/DROP DATABASE of a database in PROTECTED_DATABASES

Behaviour per environment (action / risk)
                                  dev               test / stage      prod
  protected-object                approve/critical  queue/critical    queue/critical
  protected-object, destructive   approve/critical  queue/critical    reject/critical
    (or exposing rows: DISABLE / NO FORCE ROW LEVEL SECURITY, DROP of a
    restrictive policy, a policy USING (true) or another constant, on a
    table with RLS on: rows read cannot be unread)
  protected-role, -database       approve/critical  queue/critical    queue/critical
                                  (DROP of either: reject in prod)
  system-schema                   reject/critical everywhere
The risk is always critical: it selects the strictest approval flow.  In dev
the change goes through with the reason as a warning (dev databases are
copies), unless PROTECT_IN_DEV is true.

Settings: PROTECTED, PROTECTED_ROLES, PROTECTED_DATABASES (glob patterns with
*), PROTECT_IN_DEV.
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local type = type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"
local PROTECTED = { "public.payments", "public.ledger_entries", "billing.*", "audit.*" }
local PROTECTED_ROLES = { "postgres", "dbchange_*", "replicator" }
local PROTECTED_DATABASES = { "postgres", "template0", "template1" }
local PROTECT_IN_DEV = false
local SYSTEM_SCHEMAS = { pg_catalog = true, information_schema = true, pg_toast = true }

-- Helpers ---------------------------------------------------------------------
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

-- glob ("billing.*") -> anchored Lua pattern.  Compiled once when the chunk
-- loads; exact names and whole schemas become table lookups so that the
-- common case costs no pattern matching at all.
local function glob(g)
  return "^" .. g:gsub("[%^%$%(%)%%%.%[%]%+%-%?]", "%%%0"):gsub("%*", ".*") .. "$"
end
local function compile(list)
  local exact, pats = {}, {}
  for i = 1, #list do
    if list[i]:find("*", 1, true) then pats[#pats + 1] = glob(list[i]) else exact[list[i]] = true end
  end
  return { exact = exact, pats = pats }
end
local P_ROLES, P_DATABASES = compile(PROTECTED_ROLES), compile(PROTECTED_DATABASES)
-- objects: exact identities, whole schemas ("billing.*"), other globs
local P_OBJECTS = { exact = {}, pats = {} }
local ANY_PROTECTED = #PROTECTED > 0
local WHOLE_SCHEMA = {}       -- schema name -> true
local SCHEMA_PATS = {}        -- globs of whole schemas ("tenant_*.*")
for i = 1, #PROTECTED do
  local g = PROTECTED[i]
  local sch = g:match("^(.-)%.%*$")
  if sch and not sch:find("*", 1, true) then WHOLE_SCHEMA[sch] = true
  elseif sch then SCHEMA_PATS[#SCHEMA_PATS + 1] = glob(sch)
  elseif g:find("*", 1, true) then P_OBJECTS.pats[#P_OBJECTS.pats + 1] = glob(g)
  else P_OBJECTS.exact[g] = true end
end

local function matches(name, set)
  if type(name) ~= "string" then return false end
  if set.exact[name] then return true end
  local pats = set.pats
  for i = 1, #pats do if name:find(pats[i]) then return true end end
  return false
end

local function schema_protected(sch)
  if type(sch) ~= "string" then return false end
  if WHOLE_SCHEMA[sch] then return true end
  for i = 1, #SCHEMA_PATS do if sch:find(SCHEMA_PATS[i]) then return true end end
  return false
end

-- The first protected object the statement touches, or nil.  Uses the
-- facts' own schema fields, so no identity needs to be split.
local HAS_PATS = #P_OBJECTS.pats > 0
local P_EXACT, HAS_SCHEMA_PATS = P_OBJECTS.exact, #SCHEMA_PATS > 0
-- Schemas that hold an exactly named protected object ("public" of "public.payments"; every
-- dot tried, names may hold dots): renaming one moves the object out of its protected name.
local HOLDS_EXACT = {}
for name in pairs(P_EXACT) do
  local i = name:find(".", 1, true)
  while i do
    HOLDS_EXACT[name:sub(1, i - 1)] = true
    i = name:find(".", i + 1, true)
  end
end
local function object_hit(ident, sch, otype, name)
  if otype == "schema" then return schema_protected(name) and "schema " .. name or nil end
  if P_EXACT[ident] then return ident end
  if WHOLE_SCHEMA[sch] or (HAS_SCHEMA_PATS and schema_protected(sch)) then
    return type(ident) == "string" and ident or "an object in schema " .. sch
  end
  if HAS_PATS and matches(ident, P_OBJECTS) then return ident end
  return nil
end

-- A table named by its identity (schema.name) in another fact.
local function table_hit(ident)
  if type(ident) ~= "string" then return nil end
  local sch, name = ident:match("^(.-)%.(.*)$")
  return object_hit(ident, sch, "table", name or ident)
end

-- Tables a CREATE or ALTER TABLE reaches besides its own: the partition it
-- attaches or detaches, the parents it inherits from, the tables its foreign
-- keys reference (locked, and given triggers).
local LINK_OPS = { attach_partition = "partition", detach_partition = "partition", inherit = "name",
  no_inherit = "name" }
-- (each list is walked to its first nil; only the fields that can name a
-- table are read: a fact that is absent costs a look-up)
local function linked_in(l, is_subcommands)
  if type(l) ~= "table" then return nil end
  local i, e = 1, l[1]
  while e ~= nil do
    if type(e) == "table" then
      local hit
      if not is_subcommands then
        hit = table_hit(e.references)
      else
        local op = e.operation
        local field = LINK_OPS[op]
        if field then
          hit = table_hit(e[field])
        elseif op == "add_constraint" and type(e.constraint) == "table" then
          hit = table_hit(e.constraint.references)
        end
      end
      if hit then return hit end
    end
    i = i + 1
    e = l[i]
  end
  return nil
end

local function linked_target(c)
  local inh = c.inherits
  if type(inh) == "table" then
    local i, v = 1, inh[1]
    while v ~= nil do
      local hit = table_hit(v)
      if hit then return hit end
      i = i + 1
      v = inh[i]
    end
  end
  return linked_in(c.constraints, false) or linked_in(c.subcommands, true)
end

-- Tables a statement acts on without naming them: the partitions and
-- inheritance children of a table it drops, truncates or alters
-- (descendants), the relations of a schema it drops with CASCADE
-- (schema_relations).  Only the commands that can carry these facts read
-- them (an absent fact still costs a look-up).
local REACHING = { ["DROP TABLE"] = true, ["DROP FOREIGN TABLE"] = true, ["TRUNCATE TABLE"] = true,
  ["ALTER TABLE"] = true, ["ALTER FOREIGN TABLE"] = true, ["CREATE INDEX"] = true,
  ["CREATE TRIGGER"] = true, ["DROP SCHEMA"] = true, ["DROP INDEX"] = true, ["DROP TRIGGER"] = true,
  ["VACUUM"] = true, ["ANALYZE"] = true, ["CLUSTER"] = true, ["REINDEX"] = true }
-- Walk a facts list of what a statement reaches (to its first nil: facts arrays have no
-- holes) and return the first entry's finding (hit_of: entry -> text or nil).  The facts
-- list at most the first 1,000 of `count`: the rest cannot be checked, so past them it
-- fails closed when anything is protected at all.
local function first_reached(c, l, count_key, hit_of, what)
  if type(l) ~= "table" then return nil end
  local i, e = 1, l[1]
  while e ~= nil do
    if type(e) == "table" then
      local hit = hit_of(e)
      if hit then return hit end
    end
    i = i + 1
    e = l[i]
  end
  -- (the count is read only here: an absent fact still costs a look-up)
  local count = ANY_PROTECTED and c[count_key]
  if type(count) == "number" and count > i - 1 then
    return "(perhaps) among the " .. count .. " " .. what .. ": only " .. (i - 1) ..
      " are listed in the facts, so the rest cannot be checked"
  end
  return nil
end

local function descendant_hit(e)
  local hit = object_hit(e.identity, e.schema, "table", e.name)
  return hit and hit .. " (" .. (e.partition == true and "a partition" or "an inheritance child") ..
    " of " .. tostring(e.descendant_of) .. ")"
end

-- Statements that process every table of a schema, the database or a tablespace without
-- naming one: REINDEX SCHEMA/DATABASE, VACUUM FULL and CLUSTER without a table, ALTER
-- TABLE/INDEX/MATERIALIZED VIEW ALL IN TABLESPACE.  They lock and rewrite (or rebuild) a
-- protected table as surely as naming it.  A schema is checked against the list; for the
-- others the facts cannot show which tables are reached, so they are "(perhaps)" findings
-- (queued, not rejected) whenever anything is protected.
local WHOLE_REACH = { ["REINDEX"] = true, ["VACUUM"] = true, ["CLUSTER"] = true, ["ALTER TABLE"] = true,
  ["ALTER INDEX"] = true, ["ALTER MATERIALIZED VIEW"] = true }
local function whole_reach(c, cmd)
  local otype = c.object_type
  if cmd == "REINDEX" then
    if otype == "schema" then
      local sch = c.name
      if schema_protected(sch) or HOLDS_EXACT[sch] then
        return "(perhaps) one in schema " .. sch .. ": REINDEX SCHEMA rebuilds every index there"
      end
      if HAS_PATS then return "(perhaps) one in schema " .. tostring(sch) .. " (a protected pattern may match)" end
      return nil
    end
    -- REINDEX SYSTEM rebuilds the catalogs' indexes only
    if otype ~= "database" then return nil end
  elseif cmd == "VACUUM" then
    if otype ~= "database" or c.full ~= true then return nil end
  elseif cmd == "CLUSTER" then
    if c.identity ~= nil then return nil end
  elseif cmd == "ALTER TABLE" or cmd == "ALTER INDEX" or cmd == "ALTER MATERIALIZED VIEW" then
    -- (a statement naming its table is the common case: one scalar read settles it)
    if c.single_object ~= false then return nil end
    local ops, objs = c.operations, c.objects
    if not (type(ops) == "table" and ops[1] == "set_tablespace" and type(objs) == "table" and objs[1] == nil) then
      return nil
    end
  else
    return nil
  end
  return ANY_PROTECTED and "(perhaps) one it reaches: " .. cmd .. " without a table name processes " ..
    (cmd == "REINDEX" and "every index of the database" or cmd == "VACUUM" and "every table of the database" or
     cmd == "CLUSTER" and "every table clustered before" or "every one in the tablespace") or nil
end

-- A schema that holds a protected object, reached whole: GRANT/REVOKE ... ON ALL TABLES
-- (SEQUENCES, FUNCTIONS, ...) IN SCHEMA changes the privileges on every object there,
-- ALTER SCHEMA ... OWNER TO makes a role that can drop anything in it, a publication FOR
-- TABLES IN SCHEMA (or FOR ALL TABLES) sends every table's rows to its subscribers.
local function holding_schema(sch)
  return type(sch) == "string" and (schema_protected(sch) or HOLDS_EXACT[sch] or HAS_PATS)
end

local function schema_reach(c, cmd)
  if cmd == "ALTER SCHEMA" then
    local ops = c.operations
    if type(ops) == "table" and ops[1] == "change_owner" and holding_schema(c.name) then
      return "(perhaps) one in schema " .. c.name .. ": its new owner " .. tostring(c.new_owner) ..
        " can drop anything in it"
    end
    return nil
  end
  local publishing = cmd == "CREATE PUBLICATION" or cmd == "ALTER PUBLICATION"
  if publishing and c.for_all_tables == true and ANY_PROTECTED then
    return "(perhaps) one it publishes: FOR ALL TABLES sends every table's rows to the subscribers"
  end
  if c.all_in_schema ~= true and not publishing then return nil end
  local objs = c.objects
  if type(objs) ~= "table" then return nil end
  local i, o = 1, objs[1]
  while o ~= nil do
    if type(o) == "table" and o.object_type == "schema" and holding_schema(o.name) then
      return "(perhaps) one in schema " .. o.name .. ": " .. cmd ..
        (publishing and " ... TABLES IN SCHEMA publishes every table" or " ON ALL ... IN SCHEMA reaches every " ..
          tostring(c.object_type)) .. " there"
    end
    i = i + 1
    o = objs[i]
  end
  return nil
end

-- CREATE OR REPLACE / ALTER of a function that a protected table's trigger, CHECK
-- constraint, default, index or policy uses, ALTER TYPE ... RENAME VALUE of an enum or ALTER
-- DOMAIN of a domain a protected table's column has (fact used_by): the table's behaviour
-- or data changes with it.
local function used_hit(e)
  local hit = table_hit(e.table) or object_hit(e.identity, e.schema, e.object_type, e.name)
  return hit and hit .. " (its " .. tostring(e.object_type) .. " " .. tostring(e.name) .. " uses what the statement changes)"
end
local USED_BY_COMMANDS = { ["CREATE FUNCTION"] = true, ["CREATE PROCEDURE"] = true, ["ALTER FUNCTION"] = true,
  ["ALTER PROCEDURE"] = true, ["ALTER ROUTINE"] = true, ["ALTER TYPE"] = true, ["ALTER DOMAIN"] = true,
  ["ALTER SEQUENCE"] = true, ["ALTER TEXT SEARCH CONFIGURATION"] = true }

-- Extensions: DROP EXTENSION drops every member with it, CASCADE or not (fact members), and
-- ALTER EXTENSION ... ADD TABLE makes a table a member (then also left out of pg_dump);
-- ALTER EXTENSION ... DROP takes one out (fact member, of the type member_type).
local function member_hit(e)
  local hit = table_hit(e.table) or object_hit(e.identity, e.schema, e.object_type, e.name)
  return hit and hit .. " (a member of the extension, dropped with it)"
end
local function extension_reach(c, cmd)
  if cmd == "DROP EXTENSION" then
    return first_reached(c, c.members, "member_count", member_hit, "members of the extensions it drops")
  end
  local m = c.member
  if type(m) ~= "string" then return nil end
  local hit
  if c.member_type == "schema" then hit = object_hit(m, nil, "schema", m) else hit = table_hit(m) end
  return hit and hit .. " (made a member of extension " .. tostring(c.name) .. " or taken out of it: " ..
    "DROP EXTENSION drops its members, pg_dump leaves them out)"
end

-- ALTER DEFAULT PRIVILEGES IN SCHEMA of a protected schema: the privileges every object
-- created there from now on gets.
local function default_privileges_hit(c)
  local l = c.schemas
  if type(l) ~= "table" then return nil end
  local i, sch = 1, l[1]
  while sch ~= nil do
    if schema_protected(sch) then
      return "schema " .. sch .. " (ALTER DEFAULT PRIVILEGES IN SCHEMA: the privileges of every object created there)"
    end
    i = i + 1
    sch = l[i]
  end
  return nil
end

-- CREATE RULE: the tables its actions write (fact writes), on every matching statement
-- on the rule's own table: DO INSTEAD DELETE FROM payments on another table's INSERT.
local function rule_write_hit(e)
  local hit = object_hit(e.identity, e.schema, "table", e.name)
  return hit and hit .. " (the rule's actions write it)"
end

-- A view or materialized view reads its tables with its owner's rights: privileges on it,
-- its owner, its options (security_invoker, security_barrier), a trigger or rule deciding
-- what writing through it does, and a new view, materialized view or CREATE TABLE AS whose
-- query reads a protected table reach that table (fact reads; read_by: the view whose query
-- reads it, null for the statement's own query).  Only these commands carry the fact.
-- (REASSIGN OWNED, GRANT and ALTER ROLE of a view's owner carry reads too: what the owned views
-- read, read_by the owned view; they are read after owned_objects, below and in check)
-- A SECURITY DEFINER function reads with its owner's rights for whoever may execute it (PUBLIC
-- unless revoked), no view needed: CREATE [OR REPLACE] of one, ALTER of one (SECURITY DEFINER,
-- SET search_path, OWNER TO, ...) and GRANT EXECUTE on one carry the reads of its body
-- (read_by the function, or a function it calls; the function itself is in calls, read_by
-- null).  A SECURITY INVOKER function has no such facts: it reads with its caller's rights.
local READS_COMMANDS = { ["GRANT"] = true, ["REVOKE"] = true, ["ALTER TABLE"] = true, ["ALTER VIEW"] = true,
  ["ALTER MATERIALIZED VIEW"] = true, ["CREATE VIEW"] = true, ["CREATE MATERIALIZED VIEW"] = true,
  ["CREATE TABLE AS"] = true, ["SELECT INTO"] = true, ["CREATE TRIGGER"] = true, ["CREATE RULE"] = true,
  ["CREATE FUNCTION"] = true, ["CREATE PROCEDURE"] = true, ["ALTER FUNCTION"] = true,
  ["ALTER PROCEDURE"] = true, ["ALTER ROUTINE"] = true }
local FUNCTION_TYPES = { ["function"] = true, ["procedure"] = true, ["routine"] = true }
local function read_hit(e)
  local hit = object_hit(e.identity, e.schema, "table", e.name)
  if not hit then return nil end
  local by = e.read_by
  return hit .. (type(by) == "string" and " (read by " .. by .. ")" or " (the new query reads it)")
end
-- Functions the views (or the new query) call (fact calls): one with a SQL body is followed,
-- what it reads is in reads (read_by the function) and checked above.  One in another
-- language (plpgsql, ...) is opaque: dbchange cannot tell what it reads, only which words its
-- body holds.  A body naming a protected table (its name, or a protected schema's, as a whole
-- word, any case: in a query, a string run by EXECUTE or a comment) is queued, the reason
-- naming the function; so is one too long to list every word.  A body naming none is no
-- finding: queueing every view that calls a plpgsql helper (formatting, a lookup of its own
-- table) would bury the few that matter, and hiding a name from this check ('pay' ||
-- 'ments', a table name passed in) takes dynamic SQL a reviewer of the function sees; a
-- SECURITY DEFINER one can be called without the view anyway.
local MENTION = { exact = {}, pats = {} }
for i = 1, #PROTECTED do
  local sch, name = PROTECTED[i]:lower():match("^(.-)%.(.*)$")
  local word = (name == "*" or name == nil) and (sch or PROTECTED[i]:lower()) or name
  if word:find("*", 1, true) then MENTION.pats[#MENTION.pats + 1] = glob(word)
  elseif word ~= "" then MENTION.exact[word] = true end
end
-- (made once per wording: the functions a query calls, or those a SECURITY DEFINER function's
-- body calls, where the entry with no read_by is that function itself)
local function call_hit_of(root)
  return function(e)
    if e.opaque ~= true then return nil end
    local by = e.read_by
    local where = " (named in the body of " .. tostring(e.identity) .. ", a " .. tostring(e.language) ..
      (type(by) == "string" and " function dbchange does not follow, called by " .. by .. ")" or root)
    local words = e.words
    if type(words) == "table" then
      local i, w = 1, words[1]
      while w ~= nil do
        if matches(w, MENTION) then return "(perhaps) " .. w .. where end
        i = i + 1
        w = words[i]
      end
    end
    if e.words_complete == false then
      return "(perhaps) a protected table" .. where .. ": the body has more words than are listed, so the rest cannot be checked"
    end
    return nil
  end
end
local call_hit = call_hit_of(" function dbchange does not follow, called by the new query)")
local definer_call_hit = call_hit_of(" SECURITY DEFINER function dbchange does not follow: whoever may " ..
  "execute it runs it with its owner's rights)")

-- A SECURITY DEFINER function's reads: read_by is the function, or a function or view it uses
-- in turn.  The reason names the SECURITY DEFINER function: up the chain of readers (calls list
-- each function with its caller, the statement's own with none; reads each view with its
-- reader), built only once there is a finding.
local function definer_root(c, by)
  local up = {}
  local calls, reads = c.calls, c.reads
  if type(calls) == "table" then
    local i, e = 1, calls[1]
    while e ~= nil do
      if type(e) == "table" and type(e.identity) == "string" then up[e.identity] = e.read_by or false end
      i = i + 1
      e = calls[i]
    end
  end
  if type(reads) == "table" then
    local i, e = 1, reads[1]
    while e ~= nil do
      if type(e) == "table" and type(e.identity) == "string" and up[e.identity] == nil then
        up[e.identity] = e.read_by or false
      end
      i = i + 1
      e = reads[i]
    end
  end
  local root, n = by, 0
  while type(up[root]) == "string" and n < 64 do root, n = up[root], n + 1 end
  return up[root] == false and root or nil
end
local function definer_reads_target(c)
  local function hit_of(e)
    local hit = object_hit(e.identity, e.schema, "table", e.name)
    if not hit then return nil end
    local by = e.read_by
    local root = type(by) == "string" and definer_root(c, by) or nil
    local fn = root and "SECURITY DEFINER function " .. root or "a SECURITY DEFINER function"
    return hit .. " (read by " .. (root == by and "the body of " .. fn or tostring(by) .. ", used by " .. fn) ..
      ": whoever may execute it reads the table with its owner's rights)"
  end
  local hit = first_reached(c, c.reads, "reads_count", hit_of, "relations the function reads")
  if hit then return hit end
  if ANY_PROTECTED and c.reads_complete == false then
    return "(perhaps) among what SECURITY DEFINER function " .. tostring(c.identity) .. " reads: the walk " ..
      "stopped at its limit or at a function body it could not read, so the rest cannot be checked"
  end
  if ANY_PROTECTED then
    return first_reached(c, c.calls, "calls_count", definer_call_hit, "functions the function calls")
  end
  return nil
end

local function reads_target(c)
  local l = c.reads
  if l == nil then return nil end
  if FUNCTION_TYPES[c.object_type] then return definer_reads_target(c) end
  local hit = first_reached(c, l, "reads_count", read_hit, "relations the views read")
  if hit then return hit end
  if ANY_PROTECTED and c.reads_complete == false then
    -- CREATE TABLE AS EXECUTE of a prepared statement that does not exist: nothing is known
    -- (its reads are empty; any other query of a new table names what it reads)
    if c.command == "CREATE TABLE AS" and #l == 0 then
      return "(perhaps) among what it reads: it executes a prepared statement that does not exist, " ..
        "so what it would copy cannot be checked"
    end
    return "(perhaps) among what it reads: the walk stopped at its limit or at a function body it " ..
      "could not read, so the rest cannot be checked"
  end
  if ANY_PROTECTED then
    hit = first_reached(c, c.calls, "calls_count", call_hit, "functions the views call")
    if hit then return hit end
  end
  return nil
end

-- GRANT ROLE, ALTER ROLE (SUPERUSER, BYPASSRLS, INHERIT, ALTER GROUP ... ADD USER) and CREATE
-- ROLE ... IN ROLE ... ROLE carry the reads of the SECURITY DEFINER functions whose owners'
-- rights they widen: each such function is in calls with no read_by (the owned views' reads
-- are read_by a view, none of them in calls with no read_by).  "function (reads table ...)".
local function role_definer_target(c)
  if c.reads == nil then return nil end
  local function hit_of(e)
    local hit = object_hit(e.identity, e.schema, "table", e.name)
    if not hit then return nil end
    local by = e.read_by
    local root = type(by) == "string" and definer_root(c, by) or nil
    if not root then return nil end
    return "SECURITY DEFINER function " .. root .. ", whose body reads protected object " .. hit ..
      (root == by and "" or " (through " .. by .. ")") .. ": whoever may execute it reads the table with its owner's rights"
  end
  local hit = first_reached(c, c.reads, "reads_count", hit_of, "relations the functions read")
  if hit or not ANY_PROTECTED then return hit end
  return first_reached(c, c.calls, "calls_count", function(e)
    if e.read_by ~= nil then return nil end
    local h = definer_call_hit(e)
    return h and "a SECURITY DEFINER function reading protected object " .. h
  end, "functions the functions call")
end

-- DROP OWNED / REASSIGN OWNED name roles: what they drop or give away is listed apart
local function owned_hit(e)
  local hit = table_hit(e.table) or object_hit(e.identity, e.schema, e.object_type, e.name)
  return hit and hit .. " (owned by a role the statement names)"
end

local function schema_relation_hit(e)
  local hit = object_hit(e.identity, e.schema, e.object_type, e.name)
  return hit and hit .. " (in schema " .. tostring(e.schema) .. ", dropped with CASCADE)"
end

local function reached_target(c, cmd)
  local hit = first_reached(c, c.descendants, "descendant_count", descendant_hit,
    "partitions or inheritance children it reaches")
  if hit or cmd ~= "DROP SCHEMA" then return hit end
  return first_reached(c, c.schema_relations, "schema_relation_count", schema_relation_hit,
    "relations of the schema it drops with CASCADE")
end

-- Objects TRUNCATE ... CASCADE or DROP ... CASCADE takes along (cascades_to):
-- a table truncated through a foreign key, a view, column, constraint, index,
-- ... dropped because it depends on what the statement names.  An object that
-- lives on a protected table (its column, constraint, trigger) is a finding
-- too.  Only statements with CASCADE read the fact.
local function truncated_hit(e)
  local hit = table_hit(e.table) or object_hit(e.identity, e.schema, e.object_type, e.name)
  return hit and hit .. " (truncated with CASCADE: references " .. tostring(e.depends_on) .. " by foreign key)"
end

local function dropped_hit(e)
  local hit = table_hit(e.table)
  if hit then
    hit = tostring(e.object_type) .. " " .. tostring(e.identity) .. " of " .. hit
  else
    hit = object_hit(e.identity, e.schema, e.object_type, e.name)
  end
  return hit and hit .. " (dropped with CASCADE: depends on " .. tostring(e.depends_on) .. ")"
end

local function cascade_target(c, cmd)
  local l = c.cascades_to
  if type(l) ~= "table" then
    -- a CASCADE the classifier does not walk (DROP TEXT SEARCH ... CASCADE, ALTER TABLE
    -- subcommands other than DROP COLUMN / DROP CONSTRAINT, ...): what it takes along
    -- cannot be checked
    if ANY_PROTECTED and c.destructive == true then
      return "(perhaps) among what CASCADE takes along: the facts do not list it for " .. tostring(cmd)
    end
    return nil
  end
  local truncating = cmd == "TRUNCATE TABLE"
  local hit = first_reached(c, l, "cascades_to_count", truncating and truncated_hit or dropped_hit,
    "objects it " .. (truncating and "truncates" or "drops") .. " with CASCADE")
  if hit then return hit end
  -- the walk itself is bounded: when it stopped early, more may go than is counted
  if ANY_PROTECTED and c.cascades_to_complete == false then
    return "(perhaps) among what CASCADE takes along: the walk stopped before the end, so the rest cannot be checked"
  end
  return nil
end

-- An object moved or renamed into a protected place: ALTER ... SET SCHEMA into a
-- protected schema, ALTER ... RENAME TO a protected name (a schema renamed to one).
-- Only objects whose identity is "schema.name" can take a protected identity by a
-- rename (a trigger's or policy's is "name on schema.table", a function's has its
-- arguments): a trigger renamed "payments" is not the table public.payments.
local SCHEMA_DOT_NAME = { table = true, view = true, materialized_view = true, foreign_table = true,
  sequence = true, index = true, type = true, domain = true }
local function moved_target(c)
  local ops = c.operations
  local op = type(ops) == "table" and ops[1] or nil
  if op == "set_schema" then
    local ns = c.new_schema
    if type(ns) ~= "string" then return nil end
    local hit = object_hit(ns .. "." .. tostring(c.name), ns, c.object_type, c.name)
    return hit and hit .. " (moved there with SET SCHEMA)" or nil
  elseif op == "rename" then
    local nn, sch = c.new_name, c.schema
    if type(nn) ~= "string" then return nil end
    local hit
    if c.object_type == "schema" then
      hit = object_hit(nn, nil, "schema", nn)
      local old = c.name
      if not hit and type(old) == "string" and HOLDS_EXACT[old] then
        return "schema " .. old .. " (holds a protected object; renamed to " .. nn .. ")"
      end
    elseif type(sch) == "string" and SCHEMA_DOT_NAME[c.object_type] then
      hit = object_hit(sch .. "." .. nn, sch, c.object_type, nn)
    end
    return hit and hit .. " (renamed to it)" or nil
  end
  return nil
end

-- ALTER commands, known once per command name (no string work per statement)
local ALTER_SEEN = {}
local function is_alter(cmd)
  local v = ALTER_SEEN[cmd]
  if v == nil and type(cmd) == "string" then
    v = cmd:sub(1, 6) == "ALTER "
    ALTER_SEEN[cmd] = v
  end
  return v
end

local function protected_target(c)
  local t = c.table
  if P_EXACT[t] or (HAS_PATS and matches(t, P_OBJECTS)) then return t end
  local hit = object_hit(c.identity, c.schema, c.object_type, c.name)
  if hit then return hit end
  if is_alter(c.command) then
    hit = moved_target(c)
    if hit then return hit end
  end
  local cmd = c.command
  if cmd == "ALTER TABLE" or cmd == "CREATE TABLE" then
    hit = linked_target(c)
    if hit then return hit end
  end
  -- most statements name one object, the main one just checked: opening
  -- objects (a table per element) was half of this policy's cost
  if not c.single_object then
    local objs = c.objects
    if type(objs) == "table" then
      -- facts arrays have no holes: walk to the first nil (# on a facts
      -- table is a call into the engine)
      local i, o = 1, objs[1]
      while o ~= nil do
        if type(o) == "table" then
          -- (an index's or statistics object's table: DROP INDEX a, b names two tables)
          hit = object_hit(o.identity, o.schema, o.object_type, o.name) or table_hit(o.table)
          if hit then return hit end
        end
        i = i + 1
        o = objs[i]
      end
    end
  end
  if READS_COMMANDS[cmd] then
    hit = reads_target(c)
    if hit then return hit end
  end
  if cmd == "CREATE RULE" then
    hit = first_reached(c, c.writes, "writes_count", rule_write_hit, "tables the rule writes")
    if hit then return hit end
  elseif cmd == "DROP OWNED" or cmd == "REASSIGN OWNED" then
    hit = first_reached(c, c.owned_objects, "owned_object_count", owned_hit, "objects the roles own")
    if hit then return hit end
    -- REASSIGN OWNED hands the roles' views over: they read with the new owner's rights
    if cmd == "REASSIGN OWNED" then
      hit = reads_target(c)
      if hit then return hit end
    end
  elseif WHOLE_REACH[cmd] then
    hit = whole_reach(c, cmd)
    if hit then return hit end
    -- ALTER TABLE naming a sequence (OWNER TO, SET UNLOGGED) carries its used_by
    if cmd == "ALTER TABLE" then
      hit = first_reached(c, c.used_by, "used_by_count", used_hit, "objects that use what the statement changes")
      if hit then return hit end
    end
  elseif USED_BY_COMMANDS[cmd] then
    hit = first_reached(c, c.used_by, "used_by_count", used_hit, "objects that use what the statement changes")
    if hit then return hit end
  elseif cmd == "DROP EXTENSION" or cmd == "ALTER EXTENSION" then
    hit = extension_reach(c, cmd)
    if hit then return hit end
  elseif cmd == "ALTER DEFAULT PRIVILEGES" then
    hit = default_privileges_hit(c)
    if hit then return hit end
  elseif cmd == "GRANT" or cmd == "REVOKE" or cmd == "ALTER SCHEMA" or cmd == "CREATE PUBLICATION" or
         cmd == "ALTER PUBLICATION" then
    hit = schema_reach(c, cmd)
    if hit then return hit end
    -- privileges on a sequence a protected table's default or identity column draws from:
    -- UPDATE lets the grantee setval() it, USAGE nextval() (used_by, only for sequences)
    if cmd == "GRANT" or cmd == "REVOKE" then
      hit = first_reached(c, c.used_by, "used_by_count", used_hit, "objects that use the sequences granted on")
      if hit then return hit end
    end
  end
  if REACHING[cmd] then
    hit = reached_target(c, cmd)
    if hit then return hit end
  end
  if c.cascade == true then return cascade_target(c, cmd) end
  return nil
end

local NOT_DDL = { ["SELECT"] = true, ["INSERT"] = true, ["UPDATE"] = true, ["DELETE"] = true,
  ["BEGIN"] = true, ["COMMIT"] = true, ["ROLLBACK"] = true, ["SET"] = true, ["SHOW"] = true }

-- Does the statement expose rows that row-level security hid (facts of rls.c)?  Rows read
-- cannot be unread: on a protected table that is judged like destroying data.
local function exposes_rows(c)
  local cmd = c.command
  if cmd == "ALTER TABLE" then
    local ops = c.operations
    if type(ops) ~= "table" then return false end
    for i = 1, #ops do
      if ops[i] == "disable_row_security" or ops[i] == "no_force_row_security" then return true end
    end
    return false
  end
  if c.row_security ~= true then return false end
  if cmd == "DROP POLICY" then return c.permissive == false end
  if cmd == "CREATE POLICY" or cmd == "ALTER POLICY" then
    return c.using_true == true or (c.permissive ~= false and c.using_constant == true)
  end
  return false
end

-- The tier is read here, when there is a finding: most statements have none.
local function decide(c, destructive, id, msg)
  local tier = tier_of(c)
  local action
  if tier == "dev" and not PROTECT_IN_DEV then action = "approve"
  elseif tier == "prod" and destructive then action = "reject"
  else action = "queue" end
  return { action = action, risk = "critical", reason = id .. ": " .. msg }
end

-- Test facts: a protected table reached as a partition of the table a statement names, and
-- an unprotected one (fresh tables for each test case)
local function payments_under_pt_pay_all()
  return { descendant_count = 1, descendants = {
    { object_type = "table", schema = "public", name = "payments", identity = "public.payments",
      partition = true, descendant_of = "public.pt_pay_all" } } }
end
local function events_under_pt_events(count)
  return { descendant_count = count, descendants = {
    { object_type = "table", schema = "public", name = "pt_events_2024", identity = "public.pt_events_2024",
      partition = true, descendant_of = "public.pt_events" } } }
end

-- Policy ----------------------------------------------------------------------
return {
  name = "protected_objects",
  description = "Configurable protected tables/schemas, roles and databases: always critical; system catalogs never changed.",

  check = function(c)
    local cmd = c.command
    if type(cmd) ~= "string" or NOT_DDL[cmd] then return nil end
    local schema = c.schema

    if SYSTEM_SCHEMAS[schema] and cmd ~= "GRANT" and cmd ~= "REVOKE"
       and cmd ~= "COMMENT" and cmd ~= "ANALYZE" and cmd ~= "VACUUM" then
      return { action = "reject", risk = "critical",
               reason = "system-schema: " .. cmd .. " in system schema " .. schema .. " is never allowed" }
    end
    -- into one: a table moved into pg_catalog is a catalog table from then on (and
    -- out again only through this rule)
    local into = c.new_schema
    if SYSTEM_SCHEMAS[into] then
      return { action = "reject", risk = "critical",
               reason = "system-schema: " .. cmd .. " into system schema " .. into .. " is never allowed" }
    end

    local otype = c.object_type
    if otype == "role" then
      if (cmd == "ALTER ROLE" or cmd == "DROP ROLE") and matches(c.name, P_ROLES) then
        return decide(c, cmd == "DROP ROLE", "protected-role", cmd .. " of protected role " .. c.name)
      end
      local granted = c.granted_roles
      if type(granted) == "table" then
        for i = 1, #granted do
          if matches(granted[i], P_ROLES) then
            return decide(c, false, "protected-role", "membership in protected role " .. granted[i] ..
              " changes who can approve or administer; needs the strictest review")
          end
        end
      end
      -- CREATE ROLE x IN ROLE r: the new role joins r
      local opts = c.role_options
      local joins = type(opts) == "table" and opts.in_role or nil
      if type(joins) == "table" then
        for i = 1, #joins do
          if matches(joins[i], P_ROLES) then
            return decide(c, false, "protected-role", "membership in protected role " .. joins[i] ..
              " for the new role " .. tostring(c.name) .. " changes who can approve or administer; needs the strictest review")
          end
        end
      end
      -- membership in, or a login or password for, the role that owns a protected object
      if cmd == "GRANT ROLE" or cmd == "ALTER ROLE" or cmd == "CREATE ROLE" then
        local hit = first_reached(c, c.owned_objects, "owned_object_count", owned_hit, "objects the role owns")
        if hit then
          return decide(c, false, "protected-object", cmd .. " of the owner of protected object " .. hit ..
            ": whoever holds it can drop or change it")
        end
        -- ... or rights (membership, INHERIT, SUPERUSER, BYPASSRLS) for the owner of a SECURITY
        -- DEFINER function reading one: whoever may execute it reads the table from then on
        hit = role_definer_target(c)
        if hit then
          return decide(c, false, "protected-object", cmd .. " widens the rights of the owner of " .. hit)
        end
        -- ... or of a view reading one: the view reads it with its owner's rights (reads)
        hit = reads_target(c)
        if hit then
          return decide(c, false, "protected-object", cmd .. " of the owner of a view reading protected object " ..
            hit .. ": whoever holds it can grant the view or replace its query")
        end
      end
      local objs = c.objects
      if cmd == "DROP ROLE" and type(objs) == "table" then
        for i = 1, #objs do
          if type(objs[i]) == "table" and matches(objs[i].name, P_ROLES) then
            return decide(c, true, "protected-role", "DROP ROLE of protected role " .. objs[i].name)
          end
        end
      end
      return nil
    end

    if otype == "database" and (cmd == "ALTER DATABASE" or cmd == "DROP DATABASE")
       and matches(c.name, P_DATABASES) then
      return decide(c, cmd == "DROP DATABASE", "protected-database", cmd .. " of protected database " .. c.name)
    end

    local t = protected_target(c)
    if t then
      -- "(perhaps)": what cannot be checked is queued for a person, not rejected
      local perhaps = t:sub(1, 9) == "(perhaps)"
      local exposes = not perhaps and exposes_rows(c)
      return decide(c, (c.destructive == true or exposes) and not perhaps, "protected-object", cmd .. " touches protected object " .. t ..
        (exposes and c.destructive ~= true and "; it exposes rows that row-level security hid" or ""))
    end
    return nil
  end,

  tests = {
    { sql = "ALTER TABLE public.payments ADD COLUMN note text", environment = "prod", expect = "queue", risk = "critical" },
    -- exposing a protected table's rows is judged like destroying them
    { sql = "ALTER TABLE public.payments DISABLE ROW LEVEL SECURITY", environment = "prod", expect = "reject", risk = "critical" },
    { sql = "CREATE POLICY pt_all ON public.payments USING (true)", environment = "prod", expect = "reject", risk = "critical",
      facts = { row_security = true, table_policies = 1, table_open_policies = 1 } },
    { sql = "DROP POLICY pt_hide ON public.payments", environment = "prod", expect = "reject", risk = "critical",
      facts = { row_security = true, table_policies = 2, table_open_policies = 1, permissive = false, policy_opens = false } },
    { sql = "CREATE POLICY pt_own ON public.payments USING (id = 1)", environment = "prod", expect = "queue", risk = "critical",
      facts = { row_security = true, table_policies = 1, table_open_policies = 1 } },
    { sql = "ALTER TABLE public.payments ADD COLUMN note text", environment = "test", expect = "queue", risk = "critical" },
    { sql = "ALTER TABLE public.payments ADD COLUMN note text", environment = "dev", expect = "approve", risk = "critical" },
    { sql = "ALTER TABLE payments ADD COLUMN note text", environment = "prod", expect = "queue", risk = "critical",
      facts = { schema = "public", identity = "public.payments", table = "public.payments" } },
    { sql = "DROP TABLE public.payments", environment = "prod", expect = "reject", risk = "critical" },
    { sql = "CREATE ROLE pt_bob IN ROLE postgres", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "CREATE ROLE pt_bob IN ROLE pt_readers", environment = "prod", expect = "none" },
    { sql = "ALTER TABLE public.parent_t ATTACH PARTITION public.payments FOR VALUES IN (1)", environment = "prod",
      expect = "queue", risk = "critical" },
    { sql = "ALTER TABLE public.parent_t DETACH PARTITION public.payments", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "CREATE TABLE public.kid_t (x int) INHERITS (public.payments)", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "ALTER TABLE public.small_t INHERIT public.payments", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "ALTER TABLE public.small_t ADD FOREIGN KEY (p) REFERENCES public.payments (id)", environment = "prod",
      expect = "queue", risk = "critical" },
    { sql = "CREATE TABLE public.kid_t (p int REFERENCES public.payments (id))", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "ALTER TABLE public.small_t ADD COLUMN note text", environment = "prod", expect = "none" },
    -- every table of a schema, the database or a tablespace, none named
    { sql = "VACUUM FULL", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "VACUUM", environment = "prod", expect = "none" },
    { sql = "CLUSTER", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "REINDEX DATABASE postgres", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "REINDEX SCHEMA public", environment = "test", expect = "queue", risk = "critical" },
    { sql = "REINDEX SCHEMA pt_elsewhere", environment = "prod", expect = "none" },
    { sql = "ALTER TABLE ALL IN TABLESPACE pg_default SET TABLESPACE pg_default", environment = "prod",
      expect = "queue", risk = "critical" },
    -- a schema holding a protected object, reached whole
    { sql = "GRANT SELECT ON ALL TABLES IN SCHEMA public TO pt_bob", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "REVOKE ALL ON ALL SEQUENCES IN SCHEMA pt_other, public FROM pt_bob", environment = "stage", expect = "queue",
      risk = "critical" },
    { sql = "GRANT SELECT ON ALL TABLES IN SCHEMA pt_other TO pt_bob", environment = "prod", expect = "none" },
    { sql = "ALTER SCHEMA public OWNER TO pt_bob", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "ALTER SCHEMA pt_other OWNER TO pt_bob", environment = "prod", expect = "none" },
    { sql = "CREATE PUBLICATION pt_pub FOR ALL TABLES", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "CREATE PUBLICATION pt_pub FOR TABLES IN SCHEMA public", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "ALTER PUBLICATION pt_pub ADD TABLES IN SCHEMA pt_other", environment = "prod", expect = "none" },
    -- a function a protected table uses, replaced or altered
    { sql = "CREATE OR REPLACE FUNCTION public.pay_trg() RETURNS trigger LANGUAGE plpgsql AS 'begin return null; end'",
      environment = "prod", expect = "queue", risk = "critical",
      facts = { used_by_count = 1, used_by = { { object_type = "trigger", schema = "public", name = "pay_audit",
        identity = "pay_audit on public.payments", table = "public.payments" } } } },
    { sql = "ALTER FUNCTION public.pay_trg() SECURITY DEFINER", environment = "test", expect = "queue", risk = "critical",
      facts = { used_by_count = 1, used_by = { { object_type = "constraint", schema = "public", name = "pay_ck",
        identity = "pay_ck on public.payments", table = "public.payments" } } } },
    { sql = "CREATE OR REPLACE FUNCTION public.other_trg() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end'",
      environment = "prod", expect = "none",
      facts = { used_by_count = 1, used_by = { { object_type = "trigger", schema = "public", name = "t",
        identity = "t on public.small_t", table = "public.small_t" } } } },
    { sql = "ALTER TYPE public.pay_state RENAME VALUE 'paid' TO 'settled'", environment = "prod", expect = "queue",
      risk = "critical", facts = { used_by_count = 1, used_by = { { object_type = "column", schema = "public", name = "state",
        identity = "public.payments.state", table = "public.payments" } } } },
    { sql = "ALTER DOMAIN public.amount DROP CONSTRAINT amount_positive", environment = "prod", expect = "reject",
      risk = "critical", facts = { used_by_count = 1, used_by = { { object_type = "column", schema = "public", name = "amount",
        identity = "public.payments.amount", table = "public.payments" } } } },
    -- a composite type's attribute, a sequence a protected table draws from
    { sql = "ALTER TYPE public.pt_addr DROP ATTRIBUTE zip", environment = "prod", expect = "reject", risk = "critical",
      facts = { used_by_count = 1, used_by = { { object_type = "column", schema = "public", name = "addr",
        identity = "public.payments.addr", table = "public.payments" } } } },
    { sql = "ALTER TYPE public.pt_addr RENAME ATTRIBUTE zip TO postcode", environment = "prod", expect = "queue",
      risk = "critical", facts = { used_by_count = 1, used_by = { { object_type = "column", schema = "public", name = "addr",
        identity = "public.payments.addr", table = "public.payments" } } } },
    { sql = "ALTER SEQUENCE public.pt_pay_seq RESTART", environment = "prod", expect = "queue", risk = "critical",
      facts = { used_by_count = 1, used_by = { { object_type = "default", schema = "public", name = "id",
        identity = "public.payments.id", table = "public.payments" } } } },
    { sql = "ALTER SEQUENCE public.pt_other_seq RESTART", environment = "prod", expect = "none",
      facts = { used_by_count = 1, used_by = { { object_type = "default", schema = "public", name = "id",
        identity = "public.small_t.id", table = "public.small_t" } } } },
    -- privileges on, or the owner of, a sequence a protected table draws from: setval()
    { sql = "GRANT UPDATE ON SEQUENCE public.pt_pay_seq TO pt_bob", environment = "prod", expect = "queue",
      risk = "critical", facts = { used_by_count = 1, used_by = { { object_type = "default", schema = "public",
        name = "id", identity = "public.payments.id", table = "public.payments" } } } },
    { sql = "REVOKE ALL ON SEQUENCE public.pt_pay_n_seq FROM pt_bob", environment = "stage", expect = "queue",
      risk = "critical", facts = { used_by_count = 1, used_by = { { object_type = "column", schema = "public",
        name = "n", identity = "public.payments.n", table = "public.payments" } } } },
    { sql = "ALTER SEQUENCE public.pt_pay_seq OWNER TO pt_bob", environment = "prod", expect = "queue", risk = "critical",
      facts = { used_by_count = 1, used_by = { { object_type = "default", schema = "public", name = "ref",
        identity = "public.payments.ref", table = "public.payments" } } } },
    { sql = "ALTER TABLE public.pt_pay_seq OWNER TO pt_bob", environment = "prod", expect = "queue", risk = "critical",
      facts = { used_by_count = 1, used_by = { { object_type = "default", schema = "public", name = "ref",
        identity = "public.payments.ref", table = "public.payments" } } } },
    { sql = "GRANT ALL ON SEQUENCE public.pt_other_seq TO pt_bob", environment = "prod", expect = "none",
      facts = { used_by_count = 1, used_by = { { object_type = "default", schema = "public", name = "id",
        identity = "public.small_t.id", table = "public.small_t" } } } },
    -- extensions: a protected table made a member, or dropped as one
    { sql = "ALTER EXTENSION pt_ext ADD TABLE public.payments", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "ALTER EXTENSION pt_ext ADD SCHEMA audit", environment = "stage", expect = "queue", risk = "critical" },
    { sql = "ALTER EXTENSION pt_ext ADD TABLE public.pt_x", environment = "prod", expect = "none" },
    { sql = "DROP EXTENSION pt_ext", environment = "prod", expect = "reject", risk = "critical",
      facts = { member_count = 2, members = {
        { object_type = "function", schema = "public", name = "pt_f", identity = "public.pt_f" },
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments" } } } },
    { sql = "DROP EXTENSION pt_ext", environment = "prod", expect = "none",
      facts = { member_count = 1, members = {
        { object_type = "function", schema = "public", name = "pt_f", identity = "public.pt_f" } } } },
    { sql = "ALTER DEFAULT PRIVILEGES IN SCHEMA billing GRANT SELECT ON TABLES TO PUBLIC", environment = "prod",
      expect = "queue", risk = "critical" },
    { sql = "ALTER DEFAULT PRIVILEGES IN SCHEMA pt_other GRANT SELECT ON TABLES TO PUBLIC", environment = "prod",
      expect = "none" },
    { sql = "ALTER TEXT SEARCH CONFIGURATION public.pt_cfg DROP MAPPING FOR word", environment = "prod", expect = "queue",
      risk = "critical", facts = { used_by_count = 1, used_by = { { object_type = "column", schema = "public", name = "doc",
        identity = "public.payments.doc", table = "public.payments" } } } },
    -- the owner role of a protected table granted or given a login
    { sql = "GRANT pt_payowner TO pt_bob", environment = "prod", expect = "queue", risk = "critical",
      facts = { owned_object_count = 1, owned_objects = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments" } } } },
    { sql = "ALTER ROLE pt_payowner LOGIN PASSWORD 'x'", environment = "test", expect = "queue", risk = "critical",
      facts = { owned_object_count = 1, owned_objects = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments" } } } },
    { sql = "GRANT pt_readers TO pt_bob", environment = "prod", expect = "none",
      facts = { owned_object_count = 0, owned_objects = {} } },
    -- ... or the owner role of a view reading one (reads: what its owned views read)
    { sql = "GRANT pt_viewowner TO pt_bob", environment = "prod", expect = "queue", risk = "critical",
      facts = { owned_object_count = 1, owned_objects = {
        { object_type = "view", schema = "public", name = "pt_pay_v", identity = "public.pt_pay_v" } },
        reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments", read_by = "public.pt_pay_v" } } } },
    { sql = "REASSIGN OWNED BY pt_viewowner TO pt_bob", environment = "prod", expect = "queue", risk = "critical",
      facts = { owned_object_count = 1, owned_objects = {
        { object_type = "view", schema = "public", name = "pt_pay_v", identity = "public.pt_pay_v" } },
        reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments", read_by = "public.pt_pay_v" } } } },
    { sql = "GRANT pt_viewowner TO pt_bob", environment = "prod", expect = "none",
      facts = { owned_object_count = 1, owned_objects = {
        { object_type = "view", schema = "public", name = "pt_cust_v", identity = "public.pt_cust_v" } },
        reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "public", name = "pt_customers", identity = "public.pt_customers", read_by = "public.pt_cust_v" } } } },
    -- ... or rights for the owner of a SECURITY DEFINER function reading one (reads and calls of
    -- the functions whose owners' rights the statement widens; the function has no read_by)
    { sql = "GRANT pt_reader TO pt_defowner", environment = "prod", expect = "queue", risk = "critical",
      facts = { owned_object_count = 0, owned_objects = {}, reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments", read_by = "public.pt_def_pay" } },
        calls_count = 1, calls = { { object_type = "function", schema = "public", name = "pt_def_pay",
          identity = "public.pt_def_pay", language = "sql", security_definer = true, opaque = false } } } },
    { sql = "ALTER ROLE pt_defowner BYPASSRLS", environment = "prod", expect = "queue", risk = "critical",
      facts = { owned_object_count = 1, owned_objects = {
        { object_type = "function", schema = "public", name = "pt_def_pay", identity = "public.pt_def_pay()" } },
        reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments", read_by = "public.pt_def_pay" } },
        calls_count = 1, calls = { { object_type = "function", schema = "public", name = "pt_def_pay",
          identity = "public.pt_def_pay", language = "sql", security_definer = true, opaque = false } } } },
    { sql = "CREATE ROLE pt_x IN ROLE pt_reader ROLE pt_defowner", environment = "prod", expect = "queue", risk = "critical",
      facts = { role_options = { in_role = { "pt_reader" }, role = { "pt_defowner" } },
        calls_count = 1, calls = { { object_type = "function", schema = "public", name = "pt_def_pl",
          identity = "public.pt_def_pl", language = "plpgsql", security_definer = true, opaque = true,
          words = { "select", "payments" }, words_complete = true } }, reads_count = 0, reads_complete = true, reads = {} } },
    { sql = "GRANT pt_reader TO pt_defowner", environment = "prod", expect = "none",
      facts = { owned_object_count = 0, owned_objects = {}, reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "public", name = "pt_customers", identity = "public.pt_customers", read_by = "public.pt_def_cust" } },
        calls_count = 1, calls = { { object_type = "function", schema = "public", name = "pt_def_cust",
          identity = "public.pt_def_cust", language = "sql", security_definer = true, opaque = false } } } },
    -- a rule on another table that writes a protected one
    { sql = "CREATE RULE pt_r AS ON INSERT TO public.small_t DO INSTEAD DELETE FROM public.payments",
      environment = "prod", expect = "queue", risk = "critical" },
    { sql = "CREATE RULE pt_r AS ON UPDATE TO public.small_t DO ALSO INSERT INTO public.small_log VALUES (1)",
      environment = "prod", expect = "none" },
    -- a view over a protected table: privileges, owner and options of the view, and a new
    -- view, materialized view or table whose query reads it (fact reads)
    { sql = "GRANT SELECT ON public.pt_pay_v TO PUBLIC", environment = "prod", expect = "queue", risk = "critical",
      facts = { reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments", read_by = "public.pt_pay_v" } } } },
    { sql = "ALTER VIEW public.pt_pay_v2 OWNER TO pt_bob", environment = "test", expect = "queue", risk = "critical",
      facts = { reads_count = 2, reads_complete = true, reads = {
        { object_type = "view", schema = "public", name = "pt_pay_v", identity = "public.pt_pay_v", read_by = "public.pt_pay_v2" },
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments", read_by = "public.pt_pay_v" } } } },
    { sql = "CREATE OR REPLACE VIEW public.pt_cust_v AS SELECT * FROM public.payments", environment = "prod", expect = "queue",
      risk = "critical", facts = { reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments" } } } },
    { sql = "CREATE MATERIALIZED VIEW public.pt_mv AS SELECT * FROM billing.invoices", environment = "dev", expect = "approve",
      risk = "critical", facts = { reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "billing", name = "invoices", identity = "billing.invoices" } } } },
    { sql = "GRANT SELECT ON public.pt_deep_v TO PUBLIC", environment = "prod", expect = "queue", risk = "critical",
      facts = { reads_count = 1, reads_complete = false, reads = {
        { object_type = "view", schema = "public", name = "pt_v0", identity = "public.pt_v0", read_by = "public.pt_deep_v" } } } },
    -- CREATE TABLE AS EXECUTE copies what the prepared statement reads; of one that does not
    -- exist nothing is known (reads_complete false)
    { sql = "CREATE TABLE public.pt_copy AS EXECUTE pt_no_such_statement", environment = "prod", expect = "queue",
      risk = "critical" },
    { sql = "GRANT SELECT ON public.pt_cust_v TO PUBLIC", environment = "prod", expect = "none",
      facts = { reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "public", name = "pt_customers", identity = "public.pt_customers", read_by = "public.pt_cust_v" } } } },
    -- ... read inside a function the view calls: a SQL one is followed (reads, read_by the
    -- function); the body of an opaque one (plpgsql, ...) is checked for a protected name
    { sql = "GRANT SELECT ON public.pt_fn_v TO PUBLIC", environment = "prod", expect = "queue", risk = "critical",
      facts = { reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments", read_by = "public.pt_pay_rows" } },
        calls_count = 1, calls = { { object_type = "function", schema = "public", name = "pt_pay_rows",
          identity = "public.pt_pay_rows", read_by = "public.pt_fn_v", language = "sql", security_definer = false, opaque = false } } } },
    { sql = "GRANT SELECT ON public.pt_pl_v TO PUBLIC", environment = "stage", expect = "queue", risk = "critical",
      facts = { reads_count = 0, reads_complete = true, reads = {},
        calls_count = 1, calls = { { object_type = "function", schema = "public", name = "pt_pay_pl",
          identity = "public.pt_pay_pl", read_by = "public.pt_pl_v", language = "plpgsql", security_definer = true, opaque = true,
          words = { "begin", "return", "query", "execute", "select", "from", "payments", "end" }, words_complete = true } } } },
    { sql = "CREATE VIEW public.pt_pl_v2 AS SELECT * FROM public.pt_inv_pl()", environment = "prod", expect = "queue",
      risk = "critical", facts = { reads_count = 0, reads_complete = true, reads = {},
        calls_count = 1, calls = { { object_type = "function", schema = "public", name = "pt_inv_pl",
          identity = "public.pt_inv_pl", language = "plpgsql", security_definer = false, opaque = true,
          words = { "begin", "return", "query", "select", "from", "billing", "invoices", "end" }, words_complete = true } } } },
    { sql = "GRANT SELECT ON public.pt_pl_v TO PUBLIC", environment = "prod", expect = "queue", risk = "critical",
      facts = { reads_count = 0, reads_complete = true, reads = {},
        calls_count = 1, calls = { { object_type = "function", schema = "public", name = "pt_big_pl",
          identity = "public.pt_big_pl", read_by = "public.pt_pl_v", language = "plpgsql", security_definer = false, opaque = true,
          words = { "begin" }, words_complete = false } } } },
    { sql = "GRANT SELECT ON public.pt_pl_v TO PUBLIC", environment = "prod", expect = "none",
      facts = { reads_count = 0, reads_complete = true, reads = {},
        calls_count = 1, calls = { { object_type = "function", schema = "public", name = "pt_fmt",
          identity = "public.pt_fmt", read_by = "public.pt_pl_v", language = "plpgsql", security_definer = false, opaque = true,
          words = { "begin", "return", "upper", "payment_note", "end" }, words_complete = true } } } },
    { sql = "GRANT SELECT ON public.pt_pl_v TO PUBLIC", environment = "dev", expect = "approve", risk = "critical",
      facts = { reads_count = 0, reads_complete = true, reads = {},
        calls_count = 1, calls = { { object_type = "function", schema = "public", name = "pt_pay_pl",
          identity = "public.pt_pay_pl", read_by = "public.pt_pl_v", language = "plpgsql", security_definer = false, opaque = true,
          words = { "select", "from", "payments" }, words_complete = true } } } },
    -- a SECURITY DEFINER function reads with its owner's rights for whoever may execute it: its
    -- creation, an ALTER of one and GRANT EXECUTE on one carry the reads of its body (read_by the
    -- function, or a function it calls); a plpgsql body is checked for a protected name
    { sql = "CREATE FUNCTION public.pt_pay_def() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT count(*) FROM public.payments'",
      environment = "prod", expect = "queue", risk = "critical",
      facts = { reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments", read_by = "public.pt_pay_def" } },
        calls_count = 1, calls = { { object_type = "function", schema = "public", name = "pt_pay_def",
          identity = "public.pt_pay_def", language = "sql", security_definer = true, opaque = false } } } },
    { sql = "CREATE FUNCTION public.pt_pay_inv() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM public.payments'",
      environment = "prod", expect = "none" },
    { sql = "CREATE FUNCTION public.pt_cust_def() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT count(*) FROM public.pt_customers'",
      environment = "prod", expect = "none",
      facts = { reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "public", name = "pt_customers", identity = "public.pt_customers", read_by = "public.pt_cust_def" } },
        calls_count = 1, calls = { { object_type = "function", schema = "public", name = "pt_cust_def",
          identity = "public.pt_cust_def", language = "sql", security_definer = true, opaque = false } } } },
    { sql = "CREATE FUNCTION public.pt_outer_def() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT public.pt_pay_rows()'",
      environment = "test", expect = "queue", risk = "critical",
      facts = { reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments", read_by = "public.pt_pay_rows" } },
        calls_count = 2, calls = {
          { object_type = "function", schema = "public", name = "pt_outer_def", identity = "public.pt_outer_def",
            language = "sql", security_definer = true, opaque = false },
          { object_type = "function", schema = "public", name = "pt_pay_rows", identity = "public.pt_pay_rows",
            read_by = "public.pt_outer_def", language = "sql", security_definer = false, opaque = false } } } },
    { sql = "CREATE FUNCTION public.pt_pay_pl() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER AS 'BEGIN RETURN (SELECT count(*) FROM PAYMENTS); END'",
      environment = "prod", expect = "queue", risk = "critical" },
    { sql = "CREATE FUNCTION public.pt_fmt_pl(numeric) RETURNS text LANGUAGE plpgsql SECURITY DEFINER AS 'BEGIN RETURN to_char($1, ''999''); END'",
      environment = "prod", expect = "none" },
    { sql = "CREATE FUNCTION public.pt_pay_pl() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER AS 'BEGIN RETURN (SELECT count(*) FROM payments); END'",
      environment = "dev", expect = "approve", risk = "critical" },
    { sql = "ALTER FUNCTION public.pt_pay_rows() SECURITY DEFINER", environment = "prod", expect = "queue", risk = "critical",
      facts = { reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments", read_by = "public.pt_pay_rows" } },
        calls_count = 1, calls = { { object_type = "function", schema = "public", name = "pt_pay_rows",
          identity = "public.pt_pay_rows", language = "sql", security_definer = true, opaque = false } } } },
    { sql = "GRANT EXECUTE ON FUNCTION public.pt_pay_rows() TO pt_bob", environment = "prod", expect = "queue", risk = "critical",
      facts = { reads_count = 1, reads_complete = true, reads = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments", read_by = "public.pt_pay_rows" } },
        calls_count = 1, calls = { { object_type = "function", schema = "public", name = "pt_pay_rows",
          identity = "public.pt_pay_rows", language = "sql", security_definer = true, opaque = false } } } },
    { sql = "GRANT EXECUTE ON FUNCTION public.pt_deep_def() TO pt_bob", environment = "prod", expect = "queue", risk = "critical",
      facts = { reads_count = 0, reads_complete = false, reads = {},
        calls_count = 1, calls = { { object_type = "function", schema = "public", name = "pt_deep_def",
          identity = "public.pt_deep_def", language = "sql", security_definer = true, opaque = false } } } },
    -- an extended statistics object of a protected table (fact table), an index of one listed second
    { sql = "DROP STATISTICS public.pt_pay_st", environment = "prod", expect = "reject", risk = "critical",
      facts = { table = "public.payments" } },
    { sql = "ALTER STATISTICS public.pt_pay_st SET STATISTICS 0", environment = "prod", expect = "queue", risk = "critical",
      facts = { table = "public.payments" } },
    { sql = "DROP INDEX public.pt_i, public.pt_pay_i", environment = "prod", expect = "reject", risk = "critical",
      facts = { table = "public.pt_other", objects = {
        { object_type = "index", schema = "public", name = "pt_i", identity = "public.pt_i", table = "public.pt_other" },
        { object_type = "index", schema = "public", name = "pt_pay_i", identity = "public.pt_pay_i", table = "public.payments" } } } },
    -- DROP OWNED / REASSIGN OWNED: the objects the roles own
    { sql = "DROP OWNED BY pt_alice", environment = "prod", expect = "reject", risk = "critical",
      facts = { owned_object_count = 2, owned_objects = {
        { object_type = "function", schema = "public", name = "f", identity = "public.f" },
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments" } } } },
    { sql = "REASSIGN OWNED BY pt_alice TO pt_bob", environment = "prod", expect = "queue", risk = "critical",
      facts = { owned_object_count = 1, owned_objects = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments" } } } },
    { sql = "DROP OWNED BY pt_alice", environment = "prod", expect = "none",
      facts = { owned_object_count = 1, owned_objects = {
        { object_type = "table", schema = "public", name = "small_t", identity = "public.small_t" } } } },
    { sql = "DROP OWNED BY pt_alice", environment = "prod", expect = "queue", risk = "critical",
      facts = { owned_object_count = 1500, owned_objects = {
        { object_type = "table", schema = "public", name = "small_t", identity = "public.small_t" } } } },
    -- reached through a parent: the facts a partitioned public.pt_pay_all with the partition
    -- public.payments (an inheritance child for public.pt_pay_inh) would have
    { sql = "DROP TABLE public.pt_pay_all", environment = "prod", expect = "reject", risk = "critical",
      facts = { descendant_count = 2, descendants = {
        { object_type = "table", schema = "public", name = "pt_pay_2023", identity = "public.pt_pay_2023", partition = true, descendant_of = "public.pt_pay_all" },
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments", partition = true, descendant_of = "public.pt_pay_all" } } } },
    { sql = "DROP TABLE public.pt_pay_all", environment = "stage", expect = "queue", risk = "critical",
      facts = payments_under_pt_pay_all() },
    { sql = "DROP TABLE public.pt_pay_inh CASCADE", environment = "prod", expect = "reject", risk = "critical",
      facts = { descendant_count = 1, descendants = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments", partition = false, descendant_of = "public.pt_pay_inh" } } } },
    { sql = "TRUNCATE public.pt_pay_all", environment = "prod", expect = "reject", risk = "critical",
      facts = payments_under_pt_pay_all() },
    { sql = "ALTER TABLE public.pt_pay_all DROP COLUMN memo", environment = "prod", expect = "reject", risk = "critical",
      facts = payments_under_pt_pay_all() },
    { sql = "ALTER TABLE public.pt_pay_all ALTER COLUMN amount TYPE numeric(20,2)", environment = "prod", expect = "queue", risk = "critical",
      facts = payments_under_pt_pay_all() },
    { sql = "CREATE INDEX idx_pt_pay_all_at ON public.pt_pay_all (at)", environment = "dev", expect = "approve", risk = "critical",
      facts = payments_under_pt_pay_all() },
    { sql = "TRUNCATE public.pt_inv_all", environment = "prod", expect = "reject", risk = "critical",
      facts = { descendant_count = 1, descendants = {
        { object_type = "table", schema = "billing", name = "inv_2024", identity = "billing.inv_2024", partition = true, descendant_of = "public.pt_inv_all" } } } },
    { sql = "TRUNCATE public.pt_events", environment = "prod", expect = "none",
      facts = events_under_pt_events(1) },
    -- more descendants than the facts list: the rest cannot be checked, so it is a finding
    { sql = "TRUNCATE public.pt_events", environment = "prod", expect = "queue", risk = "critical",
      facts = events_under_pt_events(1500) },
    { sql = "DROP SCHEMA archive CASCADE", environment = "prod", expect = "queue", risk = "critical",
      facts = { schema_relation_count = 2000, schema_relations = {
        { object_type = "table", schema = "archive", name = "a1", identity = "archive.a1" } } } },
    -- an index or row trigger of a partitioned parent is dropped on every partition; VACUUM,
    -- CLUSTER and REINDEX of a partitioned table lock and rewrite every partition
    { sql = "DROP INDEX public.pt_pay_all_at", environment = "prod", expect = "reject", risk = "critical",
      facts = payments_under_pt_pay_all() },
    { sql = "DROP TRIGGER pt_audit ON public.pt_pay_all", environment = "prod", expect = "reject", risk = "critical",
      facts = payments_under_pt_pay_all() },
    { sql = "VACUUM FULL public.pt_pay_all", environment = "prod", expect = "queue", risk = "critical",
      facts = payments_under_pt_pay_all() },
    { sql = "CLUSTER public.pt_pay_all USING pt_pay_all_at", environment = "stage", expect = "queue", risk = "critical",
      facts = payments_under_pt_pay_all() },
    { sql = "REINDEX TABLE public.pt_pay_all", environment = "prod", expect = "queue", risk = "critical",
      facts = payments_under_pt_pay_all() },
    { sql = "VACUUM FULL public.pt_events", environment = "prod", expect = "none",
      facts = events_under_pt_events(1) },
    -- CASCADE: a table truncated through a foreign key; a view, a column or a constraint of a
    -- protected table dropped with what the statement names
    { sql = "TRUNCATE public.pt_accounts CASCADE", environment = "prod", expect = "reject", risk = "critical",
      facts = { cascades_to_count = 1, cascades_to_complete = true, cascades_to = {
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments", depends_on = "public.pt_accounts" } } } },
    { sql = "TRUNCATE public.pt_accounts CASCADE", environment = "prod", expect = "none",
      facts = { cascades_to_count = 1, cascades_to_complete = true, cascades_to = {
        { object_type = "table", schema = "public", name = "pt_orders", identity = "public.pt_orders", depends_on = "public.pt_accounts" } } } },
    { sql = "DROP TYPE public.pt_mood CASCADE", environment = "prod", expect = "reject", risk = "critical",
      facts = { cascades_to_count = 1, cascades_to_complete = true, cascades_to = {
        { object_type = "column", schema = "public", name = "mood", identity = "public.payments.mood", table = "public.payments", depends_on = "public.pt_mood" } } } },
    { sql = "DROP TABLE public.pt_accounts CASCADE", environment = "stage", expect = "queue", risk = "critical",
      facts = { cascades_to_count = 1, cascades_to_complete = true, cascades_to = {
        { object_type = "constraint", schema = "public", name = "payments_account_fkey", identity = "payments_account_fkey on public.payments", table = "public.payments", depends_on = "public.pt_accounts" } } } },
    { sql = "DROP FUNCTION public.pt_f(int) CASCADE", environment = "prod", expect = "reject", risk = "critical",
      facts = { cascades_to_count = 1, cascades_to_complete = true, cascades_to = {
        { object_type = "view", schema = "billing", name = "pt_v", identity = "billing.pt_v", depends_on = "public.pt_f" } } } },
    { sql = "DROP VIEW public.pt_v CASCADE", environment = "prod", expect = "queue", risk = "critical",
      facts = { cascades_to_count = 1500, cascades_to_complete = true, cascades_to = {
        { object_type = "view", schema = "public", name = "pt_v2", identity = "public.pt_v2", depends_on = "public.pt_v" } } } },
    { sql = "DROP VIEW public.pt_v CASCADE", environment = "prod", expect = "none",
      facts = { cascades_to_count = 1, cascades_to_complete = true, cascades_to = {
        { object_type = "view", schema = "public", name = "pt_v2", identity = "public.pt_v2", depends_on = "public.pt_v" } } } },
    -- moved or renamed into a protected place
    { sql = "ALTER TABLE app.pt_t SET SCHEMA billing", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "ALTER FUNCTION app.pt_f(int) SET SCHEMA audit", environment = "stage", expect = "queue", risk = "critical" },
    { sql = "ALTER TABLE public.pt_x RENAME TO payments", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "ALTER SCHEMA pt_s RENAME TO billing", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "ALTER TABLE public.pt_x RENAME COLUMN a TO payments", environment = "prod", expect = "none" },
    { sql = "ALTER TRIGGER pt_trg ON public.pt_x RENAME TO payments", environment = "prod", expect = "none" },
    { sql = "ALTER FUNCTION public.pt_f(int) RENAME TO payments", environment = "prod", expect = "none" },
    { sql = "ALTER INDEX public.pt_x_idx RENAME TO payments", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "ALTER TABLE app.pt_t SET SCHEMA scratch", environment = "prod", expect = "none" },
    -- a schema holding an exactly named protected object (public.payments) renamed
    { sql = "ALTER SCHEMA public RENAME TO pt_pub2", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "ALTER SCHEMA pt_s RENAME TO pt_s2", environment = "prod", expect = "none" },
    -- a CASCADE whose reach the facts do not list
    { sql = "ALTER TABLE public.pt_x DROP COLUMN id CASCADE", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "DROP TEXT SEARCH CONFIGURATION public.pt_cfg CASCADE", environment = "stage", expect = "queue", risk = "critical" },
    { sql = "ALTER TABLE public.pt_x DROP COLUMN id", environment = "prod", expect = "none" },
    -- ONLY: no descendants (the real classifier's facts)
    { sql = "TRUNCATE ONLY public.pt_pay_inh", environment = "prod", expect = "none" },
    { sql = "DROP SCHEMA public CASCADE", environment = "prod", expect = "reject", risk = "critical",
      facts = { schema_relation_count = 2, schema_relations = {
        { object_type = "table", schema = "public", name = "pt_orders", identity = "public.pt_orders" },
        { object_type = "table", schema = "public", name = "payments", identity = "public.payments" } } } },
    { sql = "DROP SCHEMA pt_sales CASCADE", environment = "prod", expect = "reject", risk = "critical",
      facts = { schema_relation_count = 1, schema_relations = {
        { object_type = "table", schema = "pt_sales", name = "inv_all", identity = "pt_sales.inv_all" } },
        descendant_count = 1, descendants = {
        { object_type = "table", schema = "audit", name = "inv_2024", identity = "audit.inv_2024", partition = true, descendant_of = "pt_sales.inv_all" } } } },
    { sql = "DROP SCHEMA pt_sales CASCADE", environment = "prod", expect = "none",
      facts = { schema_relation_count = 1, schema_relations = {
        { object_type = "table", schema = "pt_sales", name = "pt_orders", identity = "pt_sales.pt_orders" } } } },
    { sql = "DROP TABLE public.payments", environment = "stage", expect = "queue", risk = "critical" },
    { sql = "TRUNCATE public.ledger_entries", environment = "prod", expect = "reject", risk = "critical" },
    { sql = "CREATE INDEX CONCURRENTLY idx_payments_at ON public.payments (at)", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "CREATE TABLE billing.invoices (id bigint PRIMARY KEY)", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "DROP SCHEMA billing", environment = "prod", expect = "reject", risk = "critical" },
    { sql = "GRANT SELECT ON public.payments TO PUBLIC", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "COMMENT ON COLUMN public.payments.amount IS 'in cents'", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "ALTER TABLE public.orders ADD COLUMN note text", environment = "prod", expect = "none" },
    { sql = "CREATE TABLE pg_catalog.pt_evil (x int)", environment = "dev", expect = "reject", risk = "critical" },
    { sql = "ALTER TABLE public.pt_plain SET SCHEMA pg_catalog", environment = "dev", expect = "reject", risk = "critical" },
    { sql = "ALTER FUNCTION public.pt_fn(int) SET SCHEMA information_schema", environment = "dev", expect = "reject", risk = "critical" },
    { sql = "IMPORT FOREIGN SCHEMA remote FROM SERVER pt_srv INTO pg_catalog", environment = "dev", expect = "reject", risk = "critical" },
    { sql = "ALTER TABLE public.pt_plain SET SCHEMA pt_scratch", environment = "dev", expect = "none" },
    { sql = "ALTER ROLE postgres PASSWORD 'x'", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "DROP ROLE replicator", environment = "prod", expect = "reject", risk = "critical" },
    { sql = "GRANT dbchange_approver TO mallory", environment = "prod", expect = "queue", risk = "critical" },
    { sql = "GRANT dbchange_approver TO mallory", environment = "dev", expect = "approve", risk = "critical" },
    { sql = "GRANT pt_readers TO mallory", environment = "prod", expect = "none" },
    { sql = "DROP DATABASE template1", environment = "test", expect = "queue", risk = "critical" },
    { sql = "ALTER DATABASE postgres SET work_mem = '1GB'", environment = "prod", expect = "queue", risk = "critical" },
  },
}
