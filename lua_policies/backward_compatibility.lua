--[[
backward_compatibility.lua -- policy "backward_compatibility"

Changes that break the application code that is running right now: during
a rolling deploy the old version keeps using the old names.  squawk:
renaming-table, renaming-column (and the intent of changing-column-type for
clients, see table_rewrites.lua for the lock); Bytebase:
schema.backward-compatibility.

Checks (severity)
  renaming-table          ALTER TABLE/VIEW/MATERIALIZED VIEW ... RENAME TO,
                          MySQL RENAME TABLE                                 (danger)
  renaming-column         ALTER TABLE ... RENAME COLUMN                      (danger)
  rename-object           other renames (schema, sequence, function, type,
                          constraint, ...); indexes only advice               (caution)
  set-schema              ALTER ... SET SCHEMA moves an object: qualified
                          references break                                   (caution)
  rename-enum-value       ALTER TYPE ... RENAME VALUE: stored and coded
                          labels no longer match                             (caution)
  drop-constraint         ALTER TABLE ... DROP CONSTRAINT removes an
                          integrity guarantee (also DROP IDENTITY)           (caution)
  replace-definition      CREATE OR REPLACE of an existing view/function/
                          procedure/trigger changes behaviour in place
                          (none when nothing of the name exists: fact
                          exists false)                                      (advice)
  rls-default-deny        ALTER TABLE ... ENABLE ROW LEVEL SECURITY of a
                          table with no policy that lets rows through
                          (permissive, USING not a constant such as
                          false), now or created by the same script
                          (facts table_open_policies,
                          policies_created_in_script); FORCE of such a
                          table with RLS on (the owner too); DROP POLICY
                          of the last such policy of a table with RLS on,
                          or ALTER POLICY giving it a constant USING
                          such as false; ALTER POLICY ... TO roles that
                          leave out roles it applies to now (fact
                          policy_roles_dropped: danger when no other
                          policy lets rows through, else caution);
                          ALTER TABLE ... OWNER TO of a
                          table with RLS on, not forced (the old owner
                          is subject to the policies from then on:
                          caution, danger when none lets rows through):
                          every role but the owner, superusers and
                          BYPASSRLS roles then reads no rows and cannot
                          write, without an error                        (danger)

Behaviour per environment (action / risk by severity)
              dev          test             stage             prod
  advice      approve/low  approve/low      approve/low       approve/low
  caution     approve/low  approve/low      approve/moderate  queue/moderate
  danger      approve/low  approve/moderate queue/high        queue/high
The safe pattern for a rename: add the new name (a view or a new column kept
in sync), deploy code that uses it, then drop the old one.  For row-level
security: create the policies first, then enable it, in the same change (a
policy does nothing while RLS is off; at the gate each statement is judged
when it runs, so the policies must exist by then).
]]

-- Builtins as locals: in the sandbox a global is read through the policy's
-- environment table and its metatable, twice the work of a local.
local tostring, type = tostring, type

-- Settings ------------------------------------------------------------------
local UNKNOWN_ENVIRONMENT = "prod"

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

local RELATIONS = { table = true, view = true, materialized_view = true, foreign_table = true }
-- The operations this policy has a finding for (the loop below).
local FINDING_OPS = { rename = true, rename_column = true, rename_attribute = true, rename_constraint = true,
  set_schema = true, rename_value = true, drop_constraint = true, drop_identity = true }
-- Is the command an ALTER?  Kept per command name (bounded: a test may
-- make up commands).
local ALTERS, altered = {}, 0
local function is_alter(cmd)
  local a = ALTERS[cmd]
  if a == nil then
    a = cmd:sub(1, 6) == "ALTER "
    if altered < 1000 then ALTERS[cmd] = a; altered = altered + 1 end
  end
  return a
end
local REPLACEABLE = { ["CREATE VIEW"] = true, ["CREATE FUNCTION"] = true, ["CREATE PROCEDURE"] = true,
  ["CREATE TRIGGER"] = true, ["CREATE RULE"] = true, ["CREATE AGGREGATE"] = true }

-- Policy ----------------------------------------------------------------------
return {
  name = "backward_compatibility",
  description = "Renames, SET SCHEMA, enum label renames, dropped constraints and in-place replacements that break running applications.",

  -- Only replacements, RENAME TABLE and ALTER commands can break callers.
  applies = function(command)
    return REPLACEABLE[command] == true or command == "RENAME TABLE" or command == "DROP POLICY" or is_alter(command)
  end,

  check = function(c)
    local cmd = c.command
    if type(cmd) ~= "string" then return nil end
    local d = nil
    -- exists == false: nothing of the name to replace (the catalog says so
    -- when the statement is judged), so OR REPLACE only creates: no running
    -- session calls or reads it yet.  Unknown (nil) keeps the advice.
    if REPLACEABLE[cmd] and c.or_replace == true and c.exists ~= false then
      return add(d, tier_of(c), ADVICE, "replace-definition", "CREATE OR REPLACE " .. cmd:sub(8) .. " changes " .. tostring(c.identity or c.name) ..
        " in place for every running session; make sure callers still get what they expect")
    end
    if cmd == "RENAME TABLE" then
      return add(d, tier_of(c), DANGER, "renaming-table", "RENAME TABLE " .. tostring(c.old_name or c.name) .. " to " ..
        tostring(c.new_name) .. " breaks every query that uses the old name")
    end
    if cmd == "DROP POLICY" then
      -- the last policy that lets rows through, on a table with RLS on
      if c.row_security == true and c.policy_opens == true and
         (c.table_open_policies or 0) - 1 + (c.policies_created_in_script or 0) <= 0 then
        return add(d, tier_of(c), DANGER, "rls-default-deny", "DROP POLICY " .. tostring(c.name) .. " removes the last policy that lets rows of " ..
          tostring(c.table) .. " through, and row-level security stays enabled: every role but the owner, superusers and BYPASSRLS roles " ..
          "then reads no rows and cannot write (default deny); create the replacement policy first, or change this one with ALTER POLICY")
      end
      return nil
    end
    if cmd == "ALTER POLICY" then
      -- USING (false), (1 = 0), (NULL) on the last policy that lets rows through: the same default deny as its DROP
      -- (ALTER POLICY cannot change the command or AS PERMISSIVE; only the USING decides)
      if c.row_security == true and c.policy_opens == true and c.using_constant == true and c.using_true ~= true and
         (c.table_open_policies or 0) - 1 + (c.policies_created_in_script or 0) <= 0 then
        return add(d, tier_of(c), DANGER, "rls-default-deny", "ALTER POLICY " .. tostring(c.name) .. " gives the last policy that lets rows of " ..
          tostring(c.table) .. " through a constant USING other than true, and row-level security stays enabled: unless the constant is true, every role " ..
          "but the owner, superusers and BYPASSRLS roles then reads no rows and cannot write (default deny); write the condition that selects their rows")
      end
      -- TO roles that leave out roles the policy applies to now (fact policy_roles_dropped, "public": every role
      -- not named): they no longer read through it -- default deny for them unless another policy admits them
      local dropped = c.row_security == true and c.policy_opens == true and c.policy_roles_dropped
      if type(dropped) == "table" and #dropped > 0 then
        local others = (c.table_open_policies or 0) - 1 + (c.policies_created_in_script or 0)
        local who = dropped[1] == "public" and #dropped == 1 and "every role it does not name" or
          ("role" .. (#dropped > 1 and "s " or " ") .. table.concat(dropped, ", "))
        return add(d, tier_of(c), others <= 0 and DANGER or CAUTION, "rls-default-deny", "ALTER POLICY " .. tostring(c.name) ..
          " on " .. tostring(c.table) .. " takes " .. who .. " out of a policy that lets rows through" ..
          (others <= 0 and ", and no other policy does: they then read no rows and cannot write (default deny)" or
           ": unless another policy admits them, they then read no rows and cannot write (default deny)") ..
          "; list every role the application connects as, or create the policy for the others first")
      end
      return nil
    end
    if not is_alter(cmd) then return nil end
    local ops = c.operations
    if cmd == "ALTER TABLE" then
      -- ENABLE / FORCE ROW LEVEL SECURITY (facts of rls.c; null: the table does not exist yet)
      local enable, force, owner = false, false, false
      if type(ops) == "table" then
        for k = 1, #ops do
          if ops[k] == "enable_row_security" then enable = true
          elseif ops[k] == "force_row_security" then force = true
          elseif ops[k] == "change_owner" then owner = true end
        end
      end
      -- OWNER TO of a table with RLS on, not forced: the old owner, which bypassed the policies, is now subject to them
      if owner and not force and c.row_security == true and c.row_security_forced ~= true then
        local none = (c.table_open_policies or 0) + (c.policies_created_in_script or 0) == 0
        d = add(d, tier_of(c), none and DANGER or CAUTION, "rls-default-deny", "OWNER TO on " .. tostring(c.identity) ..
          ", which has row-level security on without FORCE: its old owner no longer bypasses the policies and reads only the rows " ..
          "they admit to it" .. (none and " -- none, as no policy lets rows through (default deny)" or "") ..
          ", and the new owner bypasses them; check which role the application connects as")
      end
      -- (the facts are read only then: an absent fact costs a look-up on every ALTER TABLE)
      local on_now = (enable or force) and c.row_security == true
      local bites = (enable and not on_now) or (force and c.row_security_forced ~= true and (on_now or enable))
      if bites and (c.table_open_policies or 0) + (c.policies_created_in_script or 0) == 0 then
        local who = force and "every role, its owner included (FORCE), but superusers and BYPASSRLS roles" or
          "every role but its owner, superusers and BYPASSRLS roles"
        d = add(d, tier_of(c), DANGER, "rls-default-deny", (enable and not on_now and "ENABLE" or "FORCE") ..
          " ROW LEVEL SECURITY on " .. tostring(c.identity) .. ", which has no policy that lets rows through" ..
          ((c.table_policies or 0) > 0 and " (only restrictive ones, or USING a constant such as false)" or "") ..
          ": " .. who .. " then reads no rows and cannot write (default deny); create the policies first, in the same change")
      end
    end
    if type(ops) ~= "table" then return nil end
    -- only a statement with one of these operations needs its names and tier
    local tier, from, to
    local i, op = 1, ops[1]
    while op ~= nil do
      if FINDING_OPS[op] and tier == nil then
        tier = tier_of(c)
        from = tostring(c.old_name or c.name or c.column)
        to = tostring(c.new_name)
      end
      if op == "rename" then
        if RELATIONS[c.object_type] then
          d = add(d, tier, DANGER, "renaming-table", "renaming " .. from .. " to " .. to ..
            " breaks every query that uses the old name; add a view with the new name first, or deploy code in steps")
        elseif c.object_type == "index" then
          d = add(d, tier, ADVICE, "rename-object", "renaming index " .. from .. " breaks only hints and scripts that name it")
        else
          d = add(d, tier, CAUTION, "rename-object", "renaming " .. tostring(c.object_type) .. " " .. from .. " to " .. to ..
            " breaks code that names it")
        end
      elseif op == "rename_column" or op == "rename_attribute" then
        d = add(d, tier, DANGER, "renaming-column", "renaming column " .. from .. " to " .. to ..
          " breaks running code that selects it; add the new column, backfill, switch code, then drop the old one")
      elseif op == "rename_constraint" then
        d = add(d, tier, ADVICE, "rename-object", "renaming constraint " .. from .. " to " .. to)
      elseif op == "set_schema" then
        d = add(d, tier, CAUTION, "set-schema", "moving " .. tostring(c.identity) .. " to schema " .. tostring(c.new_schema) ..
          " breaks schema-qualified references")
      elseif op == "rename_value" then
        d = add(d, tier, CAUTION, "rename-enum-value", "renaming enum label " .. tostring(c.value) .. " to " .. tostring(c.new_value) ..
          " breaks code that uses the old label")
      elseif op == "drop_constraint" or op == "drop_identity" then
        local what = op == "drop_identity" and "DROP IDENTITY" or
          ("DROP CONSTRAINT" .. (type(c.constraint_name) == "string" and " " .. c.constraint_name or ""))
        d = add(d, tier, CAUTION, "drop-constraint", what .. " on " .. tostring(c.identity or c.table) ..
          " removes a guarantee the application may rely on")
      end
      i = i + 1
      op = ops[i]
    end
    return d
  end,

  tests = {
    { sql = "ALTER TABLE pt_orders RENAME TO pt_purchases", environment = "prod", expect = "queue", risk = "high" },
    { sql = "ALTER TABLE pt_orders RENAME TO pt_purchases", environment = "stage", expect = "queue", risk = "high" },
    { sql = "ALTER TABLE pt_orders RENAME TO pt_purchases", environment = "test", expect = "approve", risk = "moderate" },
    { sql = "ALTER TABLE pt_orders RENAME TO pt_purchases", environment = "dev", expect = "approve", risk = "low" },
    { sql = "ALTER VIEW pt_orders_v RENAME TO pt_purchases_v", environment = "prod", expect = "queue", risk = "high" },
    { sql = "ALTER TABLE pt_orders RENAME COLUMN customer_id TO buyer_id", environment = "prod", expect = "queue", risk = "high" },
    { sql = "ALTER TABLE pt_orders RENAME customer_id TO buyer_id", environment = "dev", expect = "approve", risk = "low" },
    { sql = "ALTER INDEX pt_orders_idx RENAME TO idx_pt_orders", environment = "prod", expect = "approve", risk = "low" },
    { sql = "ALTER SCHEMA pt_sales RENAME TO pt_revenue", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "ALTER TABLE pt_orders SET SCHEMA archive", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "ALTER TYPE pt_status RENAME VALUE 'open' TO 'opened'", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "ALTER TYPE pt_status ADD VALUE 'closed'", environment = "prod", expect = "none" },
    { sql = "ALTER TABLE pt_orders DROP CONSTRAINT pt_orders_ref_key", environment = "prod", expect = "queue", risk = "moderate" },
    { sql = "CREATE OR REPLACE VIEW pt_orders_v AS SELECT 1 AS x", environment = "prod", expect = "approve", risk = "low",
      facts = { exists = true } },
    { sql = "CREATE OR REPLACE FUNCTION pt_total() RETURNS int LANGUAGE sql AS 'SELECT 1'", environment = "prod",
      expect = "approve", risk = "low", facts = { exists = true } },
    -- a new name: OR REPLACE only creates (fact exists false)
    { sql = "CREATE OR REPLACE FUNCTION pt_total() RETURNS int LANGUAGE sql AS 'SELECT 1'", environment = "prod",
      expect = "none", facts = { exists = false } },
    { sql = "CREATE OR REPLACE VIEW pt_orders_v AS SELECT 1 AS x", environment = "prod", expect = "none",
      facts = { exists = false } },
    { sql = "CREATE VIEW pt_orders_v AS SELECT 1 AS x", environment = "prod", expect = "none" },
    { sql = "ALTER TABLE pt_orders ADD COLUMN note text", environment = "prod", expect = "none" },
    { sql = "ALTER TABLE pt_orders RENAME TO pt_purchases", environment = "prod", expect = "queue", risk = "high",
      facts = { dialect = "mysql", command = "RENAME TABLE", new_name = "pt_purchases" } },
    -- row-level security: default deny
    { sql = "ALTER TABLE pt_orders ENABLE ROW LEVEL SECURITY", environment = "prod", expect = "queue", risk = "high" },
    { sql = "ALTER TABLE pt_orders ENABLE ROW LEVEL SECURITY", environment = "test", expect = "approve", risk = "moderate",
      facts = { row_security = false, row_security_forced = false, table_policies = 0, table_open_policies = 0 } },
    { sql = "ALTER TABLE pt_orders ENABLE ROW LEVEL SECURITY", environment = "prod", expect = "none",
      facts = { row_security = false, row_security_forced = false, table_policies = 1, table_open_policies = 1 } },
    -- only restrictive policies (or USING (false)) let nothing through
    { sql = "ALTER TABLE pt_orders ENABLE ROW LEVEL SECURITY", environment = "prod", expect = "queue", risk = "high",
      facts = { row_security = false, row_security_forced = false, table_policies = 2, table_open_policies = 0 } },
    { sql = "ALTER TABLE pt_orders ENABLE ROW LEVEL SECURITY", environment = "prod", expect = "none",
      facts = { row_security = true, row_security_forced = false, table_policies = 0, table_open_policies = 0 } },
    -- the policies created by the same script, before or after it (evaluate(), submit())
    { sql = "ALTER TABLE pt_orders ENABLE ROW LEVEL SECURITY; CREATE POLICY pt_p ON pt_orders USING (customer_id > 0)",
      environment = "prod", expect = "none" },
    { sql = "CREATE POLICY pt_p ON pt_orders FOR SELECT USING (true); ALTER TABLE pt_orders ENABLE ROW LEVEL SECURITY",
      environment = "prod", expect = "none" },
    { sql = "ALTER TABLE pt_orders ENABLE ROW LEVEL SECURITY; CREATE POLICY pt_p ON pt_orders USING (false)",
      environment = "prod", expect = "queue", risk = "high" },
    { sql = "ALTER TABLE pt_orders ENABLE ROW LEVEL SECURITY; CREATE POLICY pt_p ON pt_orders AS RESTRICTIVE USING (customer_id > 0)",
      environment = "prod", expect = "queue", risk = "high" },
    { sql = "ALTER TABLE pt_orders ENABLE ROW LEVEL SECURITY; CREATE POLICY pt_p ON pt_other_schema.pt_orders USING (true)",
      environment = "prod", expect = "queue", risk = "high" },
    { sql = "ALTER TABLE pt_orders ENABLE ROW LEVEL SECURITY; CREATE POLICY pt_p ON pt_orders USING (true); DROP POLICY pt_p ON pt_orders",
      environment = "prod", expect = "queue", risk = "high" },
    { sql = "ALTER TABLE pt_orders ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY", environment = "prod", expect = "queue", risk = "high" },
    { sql = "ALTER TABLE pt_orders FORCE ROW LEVEL SECURITY", environment = "prod", expect = "queue", risk = "high",
      facts = { row_security = true, row_security_forced = false, table_policies = 0, table_open_policies = 0 } },
    { sql = "ALTER TABLE pt_orders FORCE ROW LEVEL SECURITY", environment = "prod", expect = "none",
      facts = { row_security = false, row_security_forced = false, table_policies = 0, table_open_policies = 0 } },
    { sql = "ALTER TABLE pt_orders FORCE ROW LEVEL SECURITY", environment = "prod", expect = "none",
      facts = { row_security = true, row_security_forced = false, table_policies = 1, table_open_policies = 1 } },
    { sql = "DROP POLICY pt_p ON pt_orders", environment = "prod", expect = "queue", risk = "high",
      facts = { row_security = true, table_policies = 1, table_open_policies = 1, permissive = true, policy_opens = true } },
    { sql = "DROP POLICY pt_p ON pt_orders", environment = "prod", expect = "none",
      facts = { row_security = true, table_policies = 2, table_open_policies = 2, permissive = true, policy_opens = true } },
    { sql = "DROP POLICY pt_p ON pt_orders", environment = "prod", expect = "none",
      facts = { row_security = false, table_policies = 1, table_open_policies = 1, permissive = true, policy_opens = true } },
    { sql = "DROP POLICY pt_p ON pt_orders; CREATE POLICY pt_p ON pt_orders USING (customer_id > 1)", environment = "prod",
      expect = "none", facts = { row_security = true, table_policies = 1, table_open_policies = 1, permissive = true, policy_opens = true } },
    -- OWNER TO of a table with RLS on: the old owner is subject to the policies from then on (red team)
    { sql = "ALTER TABLE pt_orders OWNER TO pt_owner", environment = "prod", expect = "queue", risk = "high",
      facts = { row_security = true, row_security_forced = false, table_policies = 0, table_open_policies = 0 } },
    { sql = "ALTER TABLE pt_orders OWNER TO pt_owner", environment = "prod", expect = "queue", risk = "moderate",
      facts = { row_security = true, row_security_forced = false, table_policies = 1, table_open_policies = 1 } },
    { sql = "ALTER TABLE pt_orders OWNER TO pt_owner", environment = "prod", expect = "none",
      facts = { row_security = true, row_security_forced = true, table_policies = 0, table_open_policies = 0 } },
    { sql = "ALTER TABLE pt_orders OWNER TO pt_owner", environment = "prod", expect = "none",
      facts = { row_security = false, row_security_forced = false, table_policies = 0, table_open_policies = 0 } },
    -- ALTER POLICY ... USING a constant that admits no row, on the last open policy (red team)
    { sql = "ALTER POLICY pt_p ON pt_orders USING (false)", environment = "prod", expect = "queue", risk = "high",
      facts = { row_security = true, table_policies = 1, table_open_policies = 1, permissive = true, policy_opens = true,
        using_true = false, using_constant = true } },
    { sql = "ALTER POLICY pt_p ON pt_orders USING (false)", environment = "prod", expect = "none",
      facts = { row_security = true, table_policies = 2, table_open_policies = 2, permissive = true, policy_opens = true,
        using_true = false, using_constant = true } },
    { sql = "ALTER POLICY pt_p ON pt_orders USING (false)", environment = "prod", expect = "none",
      facts = { row_security = false, table_policies = 1, table_open_policies = 1, permissive = true, policy_opens = true,
        using_true = false, using_constant = true } },
    { sql = "ALTER POLICY pt_p ON pt_orders USING (customer_id > 1)", environment = "prod", expect = "none",
      facts = { row_security = true, table_policies = 1, table_open_policies = 1, permissive = true, policy_opens = true,
        using_true = false, using_constant = false } },
    { sql = "ALTER POLICY pt_p ON pt_orders USING (false); CREATE POLICY pt_q ON pt_orders USING (customer_id > 1)",
      environment = "prod", expect = "none", facts = { row_security = true, table_policies = 1, table_open_policies = 1,
        permissive = true, policy_opens = true, using_true = false, using_constant = true } },
    -- ALTER POLICY ... TO fewer roles than it applies to now (fact policy_roles_dropped)
    { sql = "ALTER POLICY pt_p ON pt_orders TO pt_reporting", environment = "prod", expect = "queue", risk = "high",
      facts = { row_security = true, table_policies = 1, table_open_policies = 1, permissive = true, policy_opens = true,
        policy_roles_dropped = { "public" } } },
    { sql = "ALTER POLICY pt_p ON pt_orders TO pt_reporting", environment = "prod", expect = "queue", risk = "moderate",
      facts = { row_security = true, table_policies = 2, table_open_policies = 2, permissive = true, policy_opens = true,
        policy_roles_dropped = { "pt_app", "pt_batch" } } },
    { sql = "ALTER POLICY pt_p ON pt_orders TO pt_reporting, pt_app", environment = "prod", expect = "none",
      facts = { row_security = true, table_policies = 1, table_open_policies = 1, permissive = true, policy_opens = true,
        policy_roles_dropped = {} } },
    { sql = "ALTER POLICY pt_p ON pt_orders TO pt_reporting", environment = "prod", expect = "none",
      facts = { row_security = false, table_policies = 1, table_open_policies = 1, permissive = true, policy_opens = true,
        policy_roles_dropped = { "public" } } },
    { sql = "ALTER POLICY pt_p ON pt_orders TO pt_reporting", environment = "prod", expect = "none",
      facts = { row_security = true, table_policies = 1, table_open_policies = 0, permissive = false, policy_opens = false,
        policy_roles_dropped = { "public" } } },
  },
}
