-- The hash-chained audit trail: sealed in order, append-only (UPDATE, DELETE,
-- TRUNCATE refused, also with session_replication_role = replica), and
-- verify_audit() names the first broken entry after a superuser tampers with
-- a row or deletes one with the triggers disabled.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_workflow_audit;
CREATE DATABASE regress_workflow_audit;
\c regress_workflow_audit
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- some history: approved DDL, settings, flows, a submitted script
CREATE TABLE a (id int);
CREATE TABLE b (id int);
SELECT count(*) FROM dbchange.configure(environment => 'prod');
SELECT dbchange.set_flow('high', ARRAY['dbchange_approver', 'dbchange_approver']);
SELECT dbchange.submit('CREATE TABLE c (id int); CREATE TABLE d (id int)') > 0 AS submitted;
ALTER TABLE a ADD COLUMN x int;

-- sealed: a linear chain in seq order, each row pointing at the previous hash
SELECT dbchange.verify_audit() AS broken;
SELECT count(*) AS entries, count(*) FILTER (WHERE sealed) AS sealed,
       min(chain_pos) AS first_pos, max(chain_pos) AS last_pos FROM dbchange.audit_log;
SELECT bool_and(l.prev_hash = p.hash) AS linked
  FROM dbchange.audit_log l JOIN dbchange.audit_log p ON p.chain_pos = l.chain_pos - 1;
SELECT prev_hash = repeat('0', 64) AS genesis FROM dbchange.audit_log WHERE chain_pos = 1;
SELECT (dbchange.audit_head()).chain_pos = max(chain_pos) AS head_is_last FROM dbchange.audit_log;

-- append-only: refused even for a superuser, even with session_replication_role = replica
UPDATE dbchange.audit SET actor = 'mallory' WHERE seq = 3;
DELETE FROM dbchange.audit WHERE seq = 3;
TRUNCATE dbchange.audit;
SET session_replication_role = replica;
UPDATE dbchange.audit SET actor = 'mallory' WHERE seq = 3;
DELETE FROM dbchange.audit WHERE seq = 3;
RESET session_replication_role;
-- nor can a sealed row be unsealed
UPDATE dbchange.audit SET hash = NULL, chain_pos = NULL, prev_hash = NULL WHERE seq = 3;

-- a superuser disables the triggers and rewrites a row: detected, at that row
SET dbchange.enforce = off;
ALTER TABLE dbchange.audit DISABLE TRIGGER USER;
UPDATE dbchange.audit SET actor = 'mallory' WHERE seq = 3;
ALTER TABLE dbchange.audit ENABLE ALWAYS TRIGGER audit_append_only;
SELECT dbchange.verify_audit() AS broken;
-- ... also when the hash is recomputed for the new content (the next row no longer links)
ALTER TABLE dbchange.audit DISABLE TRIGGER USER;
UPDATE dbchange.audit a SET hash = dbchange._audit_hash(a.prev_hash, dbchange._audit_content(a)) WHERE seq = 3;
ALTER TABLE dbchange.audit ENABLE ALWAYS TRIGGER audit_append_only;
SELECT dbchange.verify_audit() AS broken;

-- put it back: intact again
ALTER TABLE dbchange.audit DISABLE TRIGGER USER;
UPDATE dbchange.audit SET actor = 'postgres' WHERE seq = 3;
UPDATE dbchange.audit a SET hash = dbchange._audit_hash(a.prev_hash, dbchange._audit_content(a)) WHERE seq = 3;
ALTER TABLE dbchange.audit ENABLE ALWAYS TRIGGER audit_append_only;
SELECT dbchange.verify_audit() AS broken;

-- from a saved head: that entry must still carry the saved hash, and every entry
-- after it must chain on; only that part of the chain is read
SELECT chain_pos AS saved_pos, hash AS saved_hash FROM dbchange.audit_head() \gset
CREATE TABLE f (id int);
SELECT dbchange.submit('CREATE TABLE g (id int)') > 0 AS submitted;
SELECT dbchange.verify_audit(:saved_pos, :'saved_hash') AS broken_since_saved;
SELECT dbchange.verify_audit(:saved_pos, repeat('f', 64)) = (SELECT seq FROM dbchange.audit WHERE chain_pos = :saved_pos) AS saved_entry_differs;
SELECT dbchange.verify_audit(:saved_pos + 1000, :'saved_hash') AS cut_back;
SELECT dbchange.verify_audit(0, :'saved_hash');
SELECT dbchange.verify_audit(NULL, NULL);
-- a row rewritten after the saved position is found; one before it is not this call's business
SET dbchange.enforce = off;
ALTER TABLE dbchange.audit DISABLE TRIGGER USER;
UPDATE dbchange.audit SET actor = 'mallory' WHERE chain_pos = :saved_pos + 1;
ALTER TABLE dbchange.audit ENABLE ALWAYS TRIGGER audit_append_only;
SELECT dbchange.verify_audit(:saved_pos, :'saved_hash') = (SELECT seq FROM dbchange.audit WHERE chain_pos = :saved_pos + 1) AS found_after_saved;
ALTER TABLE dbchange.audit DISABLE TRIGGER USER;
UPDATE dbchange.audit SET actor = 'postgres' WHERE chain_pos = :saved_pos + 1;
UPDATE dbchange.audit SET actor = 'mallory' WHERE chain_pos = 2;
ALTER TABLE dbchange.audit ENABLE ALWAYS TRIGGER audit_append_only;
SELECT dbchange.verify_audit(:saved_pos, :'saved_hash') AS broken_since_saved;
SELECT dbchange.verify_audit() = (SELECT seq FROM dbchange.audit WHERE chain_pos = 2) AS whole_chain_finds_it;
ALTER TABLE dbchange.audit DISABLE TRIGGER USER;
UPDATE dbchange.audit SET actor = 'postgres' WHERE chain_pos = 2;
ALTER TABLE dbchange.audit ENABLE ALWAYS TRIGGER audit_append_only;
RESET dbchange.enforce;
SELECT dbchange.verify_audit() AS broken;

-- a deleted row: the row after it is reported
ALTER TABLE dbchange.audit DISABLE TRIGGER USER;
DELETE FROM dbchange.audit WHERE seq = 5;
ALTER TABLE dbchange.audit ENABLE ALWAYS TRIGGER audit_append_only;
SELECT dbchange.verify_audit() AS broken;
ALTER TABLE dbchange.audit ENABLE ALWAYS TRIGGER audit_no_truncate;
RESET dbchange.enforce;
-- new entries still chain on (and the break stays reported)
CREATE TABLE e (id int);
SELECT dbchange.verify_audit() AS broken;
SELECT event, change_id IS NOT NULL AS has_change, sealed, chain_pos = (SELECT max(chain_pos) FROM dbchange.audit) AS is_head
  FROM dbchange.audit_log WHERE seq = (SELECT max(seq) FROM dbchange.audit);

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_workflow_audit;
