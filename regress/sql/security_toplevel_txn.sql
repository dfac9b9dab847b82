-- A DO block or CALL run at top level under authorize_toplevel() runs as its
-- requester, atomically: a COMMIT or ROLLBACK in it would end the
-- transaction, whose abort puts back the user it started with, and the rest
-- of the block ran as the deployer (and _caller() named the deployer).
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_security_toplevel_txn;
DROP ROLE IF EXISTS stt_dev, stt_dba, stt_dan;
CREATE DATABASE regress_security_toplevel_txn;
\c regress_security_toplevel_txn
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
CREATE ROLE stt_dev LOGIN;
CREATE ROLE stt_dba LOGIN IN ROLE dbchange_approver;
CREATE ROLE stt_dan LOGIN IN ROLE dbchange_deployer;
GRANT CREATE ON SCHEMA public TO stt_dev;
SET ROLE stt_dev;
CREATE TABLE seen (step text, usr text, caller text);
GRANT INSERT ON seen TO PUBLIC;  -- so a row written as the deployer shows
CREATE PROCEDURE txn_proc() LANGUAGE plpgsql AS $p$
BEGIN
  INSERT INTO seen VALUES ('call before', current_user, dbchange._caller());
  ROLLBACK;
  INSERT INTO seen VALUES ('call after', current_user, dbchange._caller());
END $p$;
RESET ROLE;
SELECT value FROM dbchange.configure(default_action => 'queue') WHERE key = 'default_action';

-- DO with ROLLBACK
SET ROLE stt_dev;
SELECT dbchange.submit($s$DO $do$ BEGIN INSERT INTO seen VALUES ('do before', current_user, dbchange._caller()); ROLLBACK; INSERT INTO seen VALUES ('do after', current_user, dbchange._caller()); END $do$$s$) AS do_id \gset
SET ROLE stt_dba;
SELECT dbchange.approve(:do_id);
SET ROLE stt_dan;
SELECT * FROM dbchange.authorize_toplevel(:do_id);
DO $do$ BEGIN INSERT INTO seen VALUES ('do before', current_user, dbchange._caller()); ROLLBACK; INSERT INTO seen VALUES ('do after', current_user, dbchange._caller()); END $do$;
SELECT current_user;
SELECT dbchange.finish_toplevel(:do_id);
RESET ROLE;
SELECT * FROM seen ORDER BY 1;

-- CALL of a procedure with ROLLBACK
SET ROLE stt_dev;
SELECT dbchange.submit('CALL txn_proc()') AS call_id \gset
SET ROLE stt_dba;
SELECT dbchange.approve(:call_id);
SET ROLE stt_dan;
SELECT * FROM dbchange.authorize_toplevel(:call_id);
CALL txn_proc();
SELECT current_user;
SELECT dbchange.finish_toplevel(:call_id);
RESET ROLE;
SELECT * FROM seen ORDER BY 1;
SELECT id = :do_id AS do_change, status FROM dbchange.changes WHERE id IN (:do_id, :call_id) ORDER BY id;

-- A table swapped in under a checked name between approval and the top-level run: the run
-- is refused (as apply() refuses it), the change fails, and neither table gets the index.
SET dbchange.enforce = off;
CREATE TABLE swap_a (id int);
CREATE TABLE swap_b (id int);
INSERT INTO swap_b SELECT generate_series(1, 1000);
ALTER TABLE swap_a OWNER TO stt_dev;
ALTER TABLE swap_b OWNER TO stt_dev;
SET dbchange.enforce = on;
SET ROLE stt_dev;
SELECT dbchange.submit('CREATE INDEX CONCURRENTLY swap_idx ON swap_a (id)') AS swap_id \gset
SET ROLE stt_dba;
SELECT dbchange.approve(:swap_id);
RESET ROLE;
SET dbchange.enforce = off;
ALTER TABLE swap_a RENAME TO swap_gone;
ALTER TABLE swap_b RENAME TO swap_a;
SET dbchange.enforce = on;
SET ROLE stt_dan;
SELECT * FROM dbchange.authorize_toplevel(:swap_id);
CREATE INDEX CONCURRENTLY swap_idx ON swap_a (id);
SELECT dbchange.finish_toplevel(:swap_id);
RESET ROLE;
SELECT status FROM dbchange.changes WHERE id = :swap_id;
SELECT count(*) AS swap_indexes FROM pg_indexes WHERE tablename IN ('swap_a', 'swap_gone');

\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_security_toplevel_txn;
DROP ROLE stt_dev, stt_dba, stt_dan;
