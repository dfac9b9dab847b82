-- End to end with a real Lua policy: the policy's risk picks the flow, a
-- policy can name a flow, a submitted script takes its highest statement risk
-- (and the flow that goes with it), and the per-statement decisions are kept.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_workflow_policy_flow;
DROP ROLE IF EXISTS wfp_dev, wfp_sec, wfp_dba1, wfp_dba2;
CREATE DATABASE regress_workflow_policy_flow;
\c regress_workflow_policy_flow
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
\set SHOW_CONTEXT never
CREATE ROLE wfp_dev LOGIN;
CREATE ROLE wfp_sec LOGIN;
CREATE ROLE wfp_dba1 LOGIN IN ROLE dbchange_approver;
CREATE ROLE wfp_dba2 LOGIN IN ROLE dbchange_approver;
GRANT CREATE ON SCHEMA public TO wfp_dev;
SET ROLE wfp_dev;
CREATE TABLE orders (id int);
CREATE TABLE secret_keys (id int);
RESET ROLE;

SELECT dbchange.set_policy('wf_drops', $lua$
return {
  name = "wf_drops",
  description = "drops need two DBAs; dropping a secret_* table needs security",
  check = function(c)
    if c.command == "DROP TABLE" then
      if c.name and c.name:match("^secret_") then
        return { action = "queue", risk = "high", reason = "drops a secret table", flow = "security" }
      end
      return { action = "queue", risk = "high", reason = "drops need two DBAs" }
    end
    if c.command == "CREATE INDEX" then
      return { action = "approve", risk = "low", reason = "plain index" }
    end
  end,
  tests = {
    { sql = "DROP TABLE t", environment = "dev", expect = "queue", risk = "high" },
    { sql = "CREATE INDEX i ON t (id)", environment = "dev", expect = "approve", risk = "low" },
  },
}
$lua$) IS NOT NULL AS policy_set;

SELECT dbchange.set_flow('high', ARRAY['dbchange_approver', 'dbchange_approver']);
SELECT dbchange.define_flow('security', ARRAY['wfp_sec']);

-- the gate queues the drop: risk high -> the high flow (two DBAs)
SET ROLE wfp_dev;
DROP TABLE orders;
-- a policy-named flow
DROP TABLE secret_keys;
-- a script: an index (low, approve) and a drop (high, queue): the whole script is queued, high
SELECT dbchange.submit('CREATE INDEX orders_id ON orders (id); DROP TABLE orders') AS script_id \gset
RESET ROLE;
SELECT statement, status, risk, flow, flow_steps, reasons FROM dbchange.change WHERE status = 'pending' ORDER BY id;
SELECT statement_no, statement, action, risk, reasons FROM dbchange.change_statement WHERE change_id = :script_id ORDER BY 1;
SELECT to_regclass('orders_id') IS NULL AS index_not_built;

-- the secret drop: the DBAs cannot approve it, security can
SELECT id AS secret_id FROM dbchange.change WHERE statement = 'DROP TABLE secret_keys' \gset
SET ROLE wfp_dba1;
SELECT dbchange.approve(:secret_id);
SET ROLE wfp_sec;
SELECT dbchange.approve(:secret_id, 'rotated already');
RESET ROLE;
SELECT status FROM dbchange.change WHERE id = :secret_id;

-- the script needs both DBAs
SET ROLE wfp_dba1;
SELECT dbchange.approve(:script_id);
SET ROLE wfp_dba2;
SELECT dbchange.approve(:script_id);
RESET ROLE;
SELECT dbchange.apply(:script_id);
SELECT to_regclass('orders_id') IS NULL AND to_regclass('orders') IS NULL AS both_ran;
SELECT dbchange.verify_audit();

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_workflow_policy_flow;
DROP ROLE wfp_dev, wfp_sec, wfp_dba1, wfp_dba2;
