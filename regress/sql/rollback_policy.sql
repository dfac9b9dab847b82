-- The rollback_verified fact in a real Lua policy: submitted changes whose
-- down script does not verify are queued in prod; a high-risk change applied
-- in prod takes a restore point first.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_rollback_policy;
CREATE DATABASE regress_rollback_policy;
\c regress_rollback_policy
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY default
\set SHOW_CONTEXT never

SELECT key, value FROM dbchange.configure(environment => 'prod', default_action => 'approve', rollout => 'manual') ORDER BY 1;
SELECT dbchange.set_policy('verified-rollback', $lua$
return {
  name = "verified-rollback",
  description = "In prod, a submitted change needs a down script that verifies.",
  check = function(c)
    if c.environment == "prod" and c.source == "submit" and c.rollback_verified ~= true then
      local why = c.has_down_script and "its down script does not revert everything"
                  or "it has no down script and none can be generated"
      return { action = "queue", risk = "high", reason = "no verified rollback: " .. why }
    end
  end,
  tests = {
    { sql = "CREATE TABLE t (id int)", environment = "prod", expect = "none" },
  },
}
$lua$);

CREATE TABLE account (id int PRIMARY KEY);

-- a complete down script: verified, so the policy has no objection and the change applies
SELECT dbchange.submit('CREATE TABLE invoice (id int PRIMARY KEY, account_id int REFERENCES account)',
                       'invoice', 'DROP TABLE invoice') AS c1 \gset
SELECT status, risk FROM dbchange.changes WHERE id = :c1;
SELECT facts->'rollback_verified' AS verified, facts->'has_down_script' AS has_down, facts->'down_generated' AS generated
  FROM dbchange.change_statement WHERE change_id = :c1;

-- an incomplete down script: queued, with the reason
SELECT dbchange.submit('CREATE TABLE a1 (id int); CREATE TABLE a2 (id int)', 'two tables', 'DROP TABLE a1') AS c2 \gset
SELECT status, risk, reasons FROM dbchange.changes WHERE id = :c2;
SELECT DISTINCT facts->'rollback_verified' AS verified FROM dbchange.change_statement WHERE change_id = :c2;
SELECT to_regclass('a1') IS NULL AND to_regclass('a2') IS NULL AS verification_left_nothing;

-- no down script given: the generated one is verified
SELECT dbchange.submit('ALTER TABLE account ADD COLUMN note text', 'note') AS c3 \gset
SELECT status FROM dbchange.changes WHERE id = :c3;
SELECT facts->'rollback_verified' AS verified, facts->'down_generated' AS generated
  FROM dbchange.change_statement WHERE change_id = :c3;
-- and the change keeps the generated down script, marked as generated
SELECT down_script, down_generated FROM dbchange.change WHERE id = :c3;

-- nothing can be generated: queued
SELECT dbchange.submit('ALTER TABLE account DROP COLUMN note', 'drop note') AS c4 \gset
SELECT status, reasons FROM dbchange.changes WHERE id = :c4;
SELECT facts->'rollback_verified' AS verified, facts->'has_down_script' AS has_down
  FROM dbchange.change_statement WHERE change_id = :c4;
SELECT down_script IS NULL AS no_down_script, down_generated FROM dbchange.change WHERE id = :c4;

-- restore points: high-risk changes applied in prod take one first
SELECT * FROM dbchange.set_restore_points('high');
DROP ROLE IF EXISTS regress_rbp_lead;
CREATE ROLE regress_rbp_lead IN ROLE dbchange_approver;
SET ROLE regress_rbp_lead;
SELECT dbchange.approve(:c4, 'ok');
RESET ROLE;
SELECT dbchange.apply(:c4);
SELECT status, risk, restore_point = 'dbchange-' || id AS restore_point_named, restore_lsn IS NOT NULL AS has_lsn
  FROM dbchange.change WHERE id = :c4;
-- the recorded WAL position is a real one (not in the future)
SELECT restore_lsn <= pg_current_wal_lsn() AS before_now FROM dbchange.change WHERE id = :c4;
-- a change with no risk (approved with no objection) takes none
SELECT dbchange.submit('CREATE TABLE small (id int)', 'small', 'DROP TABLE small') AS c5 \gset
SELECT status, restore_point IS NULL AS no_restore_point FROM dbchange.change WHERE id = :c5;
DROP ROLE regress_rbp_lead;
