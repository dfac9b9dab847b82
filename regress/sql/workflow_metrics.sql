-- DORA metrics on a scripted history with known answers, and the flow a
-- queued change gets (policy-named flow, risk flow, default; unknown named
-- flow -> strictest configured flow, said in the reasons).
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_workflow_metrics;
CREATE DATABASE regress_workflow_metrics;
\c regress_workflow_metrics
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY default
\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET IntervalStyle = 'postgres';

-- History written straight into the catalog (as a superuser restoring it would).
--   prod, window 2026-01-01 .. 2026-01-11 (10 days):
--   1 applied   created 01-01 00:00 applied 01-01 02:00  lead 2h  object a   approved 01:00 (wait 1h)
--   2 applied   created 01-02 00:00 applied 01-02 04:00  lead 4h  object b   approved 03:00 (wait 3h)
--   3 rolled_back created 01-03 00:00 applied 01-03 06:00 lead 6h object c
--   4 failed    created 01-04 00:00 failed  01-04 01:00           object a
--   5 applied   created 01-04 02:00 applied 01-04 03:00  lead 1h  object a   (restores 4: 2h)
--   6 applied   created 01-03 10:00 applied 01-03 12:00  lead 2h  object c   (restores 3: 6h)
--   7 applied   2025-12-31 (outside the window)
--   8 rejected  (never deployed)
--   test: 9 applied, lead 30 min
-- Expected prod: deployments 5 (0.5/day); lead time median 2h, p90 5h12m
-- (1,2,2,4,6 h); failures 2 (4 failed, 3 rolled back) / 6 attempts = 0.3333;
-- time to restore median 4h (2h, 6h); approval wait median 2h, p90 2h48m.
INSERT INTO dbchange.change (id, checksum, status, environment, command, statement, requested_by, source,
                             created_at, decided_at, applied_at, failed_at, flow_steps)
VALUES
 (1, 'x', 'applied',     'prod', 'ALTER TABLE', 's1', 'dev', 'submit', '2026-01-01 00:00', '2026-01-01 01:00', '2026-01-01 02:00', NULL, '{dbchange_approver}'),
 (2, 'x', 'applied',     'prod', 'ALTER TABLE', 's2', 'dev', 'submit', '2026-01-02 00:00', '2026-01-02 03:00', '2026-01-02 04:00', NULL, '{dbchange_approver}'),
 (3, 'x', 'rolled_back', 'prod', 'ALTER TABLE', 's3', 'dev', 'submit', '2026-01-03 00:00', '2026-01-03 00:00', '2026-01-03 06:00', NULL, NULL),
 (4, 'x', 'failed',      'prod', 'ALTER TABLE', 's4', 'dev', 'submit', '2026-01-04 00:00', '2026-01-04 00:00', NULL, '2026-01-04 01:00', NULL),
 (5, 'x', 'applied',     'prod', 'ALTER TABLE', 's5', 'dev', 'submit', '2026-01-04 02:00', '2026-01-04 02:00', '2026-01-04 03:00', NULL, NULL),
 (6, 'x', 'applied',     'prod', 'ALTER TABLE', 's6', 'dev', 'submit', '2026-01-03 10:00', '2026-01-03 10:00', '2026-01-03 12:00', NULL, NULL),
 (7, 'x', 'applied',     'prod', 'ALTER TABLE', 's7', 'dev', 'submit', '2025-12-31 00:00', '2025-12-31 00:00', '2025-12-31 01:00', NULL, NULL),
 (8, 'x', 'rejected',    'prod', 'DROP TABLE',  's8', 'dev', 'submit', '2026-01-05 00:00', '2026-01-05 00:00', NULL, NULL, NULL),
 (9, 'x', 'applied',     'test', 'ALTER TABLE', 's9', 'dev', 'submit', '2026-01-05 00:00', '2026-01-05 00:00', '2026-01-05 00:30', NULL, NULL);
INSERT INTO dbchange.stored_statement (change_id, statement_no, statement, command, action, facts)
SELECT id, 1, statement, command, 'approve',
       jsonb_build_object('identity', CASE id WHEN 1 THEN 'public.a' WHEN 2 THEN 'public.b' WHEN 3 THEN 'public.c'
                                              WHEN 4 THEN 'public.a' WHEN 5 THEN 'public.a' WHEN 6 THEN 'public.c'
                                              ELSE 'public.z' END)
  FROM dbchange.change;
-- applied changes also know what they touched (event triggers)
UPDATE dbchange.change
   SET objects = jsonb_build_array(jsonb_build_object('action', 'created_or_altered', 'object_type', 'table',
                                                      'identity', CASE id WHEN 5 THEN 'public.a' ELSE 'public.c' END))
 WHERE id IN (5, 6);
SELECT setval('dbchange.change_id_seq', 100);

SELECT environment, deployments, deployments_per_day, lead_time_median, lead_time_p90,
       failures, change_failure_rate, restores, time_to_restore_median,
       approvals, approval_wait_median, approval_wait_p90
  FROM dbchange.metrics('2026-01-01', '2026-01-11');
-- a window with nothing in it
SELECT count(*) AS environments FROM dbchange.metrics('2030-01-01', '2030-01-02');
-- the view: the last 30 days (nothing of this history is that recent)
SELECT count(*) AS rows_in_view FROM dbchange.metrics;

-- ---- which flow a queued change waits for ----------------------------------------
SELECT dbchange.set_flow('high', ARRAY['dbchange_approver', 'dbchange_deployer']);
SELECT dbchange.set_flow('critical', ARRAY['dbchange_policy_admin', 'dbchange_approver', 'dbchange_deployer']);
SELECT dbchange.define_flow('security_review', ARRAY['dbchange_policy_admin']);
SELECT dbchange.define_flow('Bad Name', ARRAY['dbchange_approver']);
-- as the gate's durable writer or submit() would store them (risk and flow from the policies)
INSERT INTO dbchange.change (checksum, status, environment, command, statement, requested_by, source, risk, flow)
VALUES ('x', 'pending', 'prod', 'DROP TABLE', 'q-high', 'dev', 'interactive', 'high', NULL),
       ('x', 'pending', 'prod', 'DROP TABLE', 'q-low', 'dev', 'interactive', 'low', NULL),
       ('x', 'pending', 'prod', 'DROP TABLE', 'q-none', 'dev', 'interactive', NULL, NULL),
       ('x', 'pending', 'prod', 'DROP TABLE', 'q-named', 'dev', 'interactive', 'low', 'security_review'),
       ('x', 'pending', 'prod', 'DROP TABLE', 'q-unknown', 'dev', 'interactive', 'low', 'no_such_flow');
SELECT statement, risk, flow, flow_steps, reasons FROM dbchange.change WHERE statement LIKE 'q-%' ORDER BY id;
SELECT statement, step_no, steps, step_role FROM dbchange.pending() WHERE statement LIKE 'q-%' ORDER BY id;

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_workflow_metrics;
