-- Rollback as a change: through policies and an approval flow; the original
-- becomes rolled_back when the rollback is applied; bad input.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_rollback_flow;
CREATE DATABASE regress_rollback_flow;
\c regress_rollback_flow
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY default
\set SHOW_CONTEXT never

DROP ROLE IF EXISTS regress_rbf_dev;
DROP ROLE IF EXISTS regress_rbf_lead;
CREATE ROLE regress_rbf_dev;
CREATE ROLE regress_rbf_lead;
GRANT CREATE ON SCHEMA public TO regress_rbf_dev;
SELECT * FROM dbchange.set_flow('default', ARRAY['regress_rbf_lead']);
SELECT key, value FROM dbchange.configure(default_action => 'queue', rollout => 'manual') ORDER BY 1;

-- a developer submits a change with its down script; it waits for the lead
SET ROLE regress_rbf_dev;
SELECT dbchange.submit('CREATE TABLE orders (id int PRIMARY KEY, total numeric)', 'orders table',
                       'DROP TABLE orders') AS orders_change \gset
SELECT id, status, source FROM dbchange.changes WHERE id = :orders_change;
-- the requester (or a reviewer) verifies the rollback before approval: clean, and nothing is created
SELECT * FROM dbchange.verify_rollback(:orders_change);
SELECT to_regclass('orders') IS NULL AS still_nothing;
RESET ROLE;
SET ROLE regress_rbf_lead;
SELECT dbchange.approve(:orders_change, 'ok');
RESET ROLE;
SELECT dbchange.apply(:orders_change);
SELECT to_regclass('orders') IS NOT NULL AS orders_exists;
-- verified again now that it is applied (down, then up again)
SELECT * FROM dbchange.verify_rollback(:orders_change);

-- rollback of a pending change: nothing to roll back
SET ROLE regress_rbf_dev;
SELECT dbchange.submit('CREATE TABLE later (id int)', 'later', 'DROP TABLE later') AS later_change \gset
SELECT dbchange.rollback(:later_change);

-- roll back the applied change: a new change, source rollback, through the same flow
SELECT dbchange.rollback(:orders_change) AS rb_change \gset
RESET ROLE;
SELECT id, status, source, rollback_of = :orders_change AS linked, statement, down_script, requested_by,
       description = 'rollback of change ' || :orders_change || ': orders table' AS described
  FROM dbchange.change WHERE id = :rb_change;
SELECT status AS original_status FROM dbchange.changes WHERE id = :orders_change;
SELECT id = :rb_change AS is_rollback, waiting_for FROM dbchange.pending() WHERE id = :rb_change;
-- the statement the gate sees for the rollback change carries source rollback
SELECT facts->>'source' AS fact_source FROM dbchange.change_statement WHERE change_id = :rb_change;
-- one rollback at a time
SET ROLE regress_rbf_dev;
SELECT dbchange.rollback(:orders_change);
-- the requester cannot approve their own rollback
SELECT dbchange.approve(:rb_change, 'mine');
RESET ROLE;
SET ROLE regress_rbf_lead;
SELECT dbchange.approve(:rb_change, 'roll it back');
RESET ROLE;
SELECT dbchange.apply(:rb_change);
-- applied: the original is rolled_back, the table is gone, the audit trail says so
SELECT id = :orders_change AS original, status FROM dbchange.changes WHERE id IN (:orders_change, :rb_change) ORDER BY id;
SELECT to_regclass('orders') IS NULL AS orders_gone;
SELECT event, change_id = :orders_change AS on_original FROM dbchange.audit
 WHERE event = 'rolled_back' ORDER BY seq;
-- rolled back already
SELECT dbchange.rollback(:orders_change);

-- a change applied through the gate has no down script: rollback() generates one
SELECT key, value FROM dbchange.configure(default_action => 'approve') WHERE key = 'default_action';
CREATE TABLE scratch (id int);
ALTER TABLE scratch ADD COLUMN note text;
SELECT max(id) AS alter_change FROM dbchange.changes WHERE statement LIKE 'ALTER TABLE scratch%' \gset
SELECT dbchange.rollback(:alter_change) AS gen_rb \gset
SELECT status, statement FROM dbchange.changes WHERE id = :gen_rb;
SELECT status, down_generated FROM dbchange.change WHERE id = :alter_change;
SELECT count(*) AS note_columns FROM pg_attribute WHERE attrelid = 'scratch'::regclass AND attname = 'note';

-- bad input
-- a change with no down script, where none can be generated
DROP TABLE scratch;
SELECT max(id) AS drop_change FROM dbchange.changes WHERE command = 'DROP TABLE' \gset
SELECT dbchange.rollback(:drop_change);
SELECT dbchange.rollback(424242);
SELECT dbchange.rollback(NULL);
-- a down script with a syntax error is refused at submit
SELECT dbchange.submit('CREATE TABLE t_bad (id int)', 'bad down', 'DROP TABEL t_bad');
SELECT to_regclass('t_bad') IS NULL AS not_created;
-- the source 'rollback' cannot be claimed by anyone for anything else
CREATE TABLE keep_me (id int);
SELECT max(id) AS keep_change FROM dbchange.changes WHERE statement LIKE 'CREATE TABLE keep_me%' \gset
SET ROLE regress_rbf_dev;
SELECT dbchange.submit('CREATE TABLE t_fake (id int)', 'fake', NULL, 'rollback');
SELECT dbchange._submit_as_rollback(:keep_change, 'CREATE TABLE t_fake (id int)', NULL, NULL);
SELECT dbchange._submit_as_rollback(:later_change, 'DROP TABLE later', NULL, NULL);
SELECT dbchange._link_rollback(:later_change, :orders_change, false);

-- review: a hand-written down script runs with the privileges of whoever calls
-- rollback(), so only its author may roll back with it: a developer's
-- "down script" must not run as the owner of the tables it grants
RESET ROLE;
SELECT key, value FROM dbchange.configure(default_action => 'approve') WHERE key = 'default_action';
GRANT CREATE ON SCHEMA public TO regress_rbf_lead;
SET ROLE regress_rbf_lead;
CREATE TABLE lead_only (id int);
RESET ROLE;
SET ROLE regress_rbf_dev;
SELECT dbchange.submit('CREATE TABLE dev_tbl (id int)', 'dev table',
                       'GRANT ALL ON lead_only TO regress_rbf_dev') AS trojan_change \gset
RESET ROLE;
SET ROLE regress_rbf_lead;
SELECT dbchange.rollback(:trojan_change);
RESET ROLE;
SELECT dbchange.rollback(:trojan_change);
SELECT has_table_privilege('regress_rbf_dev', 'lead_only', 'SELECT') AS dev_got_lead_only;
-- its author may (with their own privileges: the grant fails and nothing happens)
SET ROLE regress_rbf_dev;
SELECT dbchange.rollback(:trojan_change);
RESET ROLE;
SELECT status FROM dbchange.changes WHERE id = :trojan_change;
-- a generated down script may be run by anyone
SET ROLE regress_rbf_dev;
SELECT dbchange.submit('CREATE TABLE dev_tbl2 (id int)', 'dev table 2') AS gen_change \gset
RESET ROLE;
SELECT dbchange.rollback(:gen_change) AS gen_rollback \gset
SELECT status FROM dbchange.changes WHERE id IN (:gen_change, :gen_rollback) ORDER BY id;
-- the rollback of a rollback runs the original's up script: its author's code
SELECT dbchange.rollback(:gen_rollback);
SET ROLE regress_rbf_dev;
SELECT dbchange.rollback(:gen_rollback) AS re_apply \gset
RESET ROLE;
SELECT status, statement FROM dbchange.changes WHERE id = :re_apply;
SELECT to_regclass('dev_tbl2') IS NOT NULL AS dev_tbl2_back;

-- red team: a developer must not link a change of their own, with a down
-- script of their choosing, as the rollback of someone else's change.  The
-- link makes the original's requester the author of that down script, so
-- the requester's "rollback of the rollback" (putting their change back)
-- ran the developer's script with the requester's privileges.
RESET ROLE;
SET ROLE regress_rbf_dev;
CREATE TABLE dev_owned (id int);
RESET ROLE;
-- someone else (here a superuser) changes the developer's table
SELECT dbchange.submit('ALTER TABLE public.dev_owned ADD COLUMN x int', 'add x') AS su_change \gset
SELECT dbchange.submit('ALTER TABLE public.dev_owned ADD COLUMN y int', 'add y') AS su_change_y \gset
SET ROLE regress_rbf_dev;
SELECT down_script AS su_down FROM dbchange.change_scripts WHERE id = :su_change \gset
SELECT down_script AS su_down_y FROM dbchange.change_scripts WHERE id = :su_change_y \gset
SELECT :'su_down' AS su_down;
-- through _submit_as_rollback with a down script of the developer's choosing: refused
SELECT dbchange._submit_as_rollback(:su_change_y, :'su_down_y', 'undo', 'GRANT ALL ON lead_only TO regress_rbf_dev');
-- through submit() and _link_rollback: the change runs (it is the developer's own), the link is refused
SELECT dbchange.submit(:'su_down', 'undo', 'GRANT ALL ON lead_only TO regress_rbf_dev') AS fake_rb \gset
SELECT dbchange._link_rollback(:fake_rb, :su_change, false);
RESET ROLE;
SELECT id IN (:su_change, :su_change_y) AS original, status, source, rollback_of IS NOT NULL AS linked
  FROM dbchange.change WHERE id >= :su_change ORDER BY id;
-- so the original's requester is not the author of that down script
SELECT dbchange.rollback(:fake_rb);
SELECT has_table_privilege('regress_rbf_dev', 'lead_only', 'SELECT') AS dev_got_lead_only;

RESET ROLE;
DROP OWNED BY regress_rbf_dev, regress_rbf_lead;
DROP ROLE regress_rbf_dev;
DROP ROLE regress_rbf_lead;
