-- A policy that fails at run time refuses the statement (fail closed), and
-- the refused attempt is recorded like any rejected one.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_gate_policy_failure;
CREATE DATABASE regress_gate_policy_failure;
\c regress_gate_policy_failure
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- passes its own tests, but errors on TRUNCATE and loops on DROP VIEW
SELECT dbchange.set_policy('flaky', $lua$
return {
  name = "flaky",
  description = "fails on some statements",
  check = function(change)
    if change.command == "TRUNCATE TABLE" then error("boom: " .. change.statement) end
    if change.command == "DROP VIEW" then while true do end end
  end,
  tests = { { sql = "CREATE TABLE t (id int)", environment = "dev", expect = "none" } },
}
$lua$);

CREATE TABLE kept (id int);
INSERT INTO kept VALUES (1);
TRUNCATE kept;
SELECT count(*) AS rows_still_there FROM kept;
CREATE VIEW v AS SELECT 1 AS x;
DROP VIEW v;
SELECT to_regclass('v') IS NOT NULL AS view_still_there;
-- the session is healthy, and both refusals are on record
SELECT 1 AS alive;
SELECT status, risk, statement, reasons FROM dbchange.changes WHERE status = 'rejected' ORDER BY id;
SELECT event, count(*) FROM dbchange.audit WHERE event = 'rejected' GROUP BY event;
