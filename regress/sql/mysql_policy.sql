-- The same Lua policies decide MySQL changes: they see the MySQL facts and can
-- tell the dialects apart.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_mysql_policy;
CREATE DATABASE regress_mysql_policy;
\c regress_mysql_policy
CREATE EXTENSION dbchange;
SET client_min_messages = warning;
\set VERBOSITY default
SELECT key, value FROM dbchange.configure(environment => 'prod');

SELECT dbchange.set_policy('mysql-prod-ddl', $lua$
return {
  name = "mysql-prod-ddl",
  description = "MySQL in prod: drops wait for a DBA, MyISAM is refused",
  check = function(c)
    if c.dialect ~= "mysql" then return nil end
    if c.engine == "MYISAM" then
      return { action = "reject", risk = "critical", reason = "MyISAM is not crash-safe: use InnoDB" }
    end
    if c.environment == "prod" and c.destructive then
      return { action = "queue", risk = "high", reason = "MySQL " .. c.command .. " in prod needs a DBA" }
    end
    if c.command == "ALTER TABLE" and c.lock == nil then
      for _, op in ipairs(c.operations) do
        if op == "modify_column" or op == "change_column" then
          return { action = "queue", risk = "moderate", reason = op .. " without LOCK=NONE may block writes" }
        end
      end
    end
  end,
  tests = {
    { sql = "DROP TABLE orders", environment = "prod", facts = { dialect = "mysql" }, expect = "queue", risk = "high" },
    { sql = "DROP TABLE orders", environment = "prod", expect = "none" },
    { sql = "CREATE TABLE t (id int)", environment = "prod", facts = { dialect = "mysql", engine = "MYISAM" }, expect = "reject", risk = "critical" },
    { sql = "CREATE TABLE t (id int)", environment = "prod", facts = { dialect = "mysql" }, expect = "none" },
  },
}
$lua$);

-- what the policy says about MySQL statements (facts from the MySQL classifier)
SELECT statement_no, command, action, risk, reasons
  FROM dbchange.evaluate_mysql($s$
CREATE TABLE `orders` (id INT PRIMARY KEY) ENGINE=InnoDB;
CREATE TABLE legacy (id INT) ENGINE = MyISAM;
ALTER TABLE orders MODIFY id BIGINT;
ALTER TABLE orders MODIFY id BIGINT, ALGORITHM=INPLACE, LOCK=NONE;
DROP TABLE IF EXISTS `old;orders`;
$s$);
-- in test the drop is approved by this policy (it only queues in prod)
SELECT statement_no, action FROM dbchange.evaluate_mysql('DROP TABLE orders', 'test');
-- the same text as a PostgreSQL statement: the policy has no opinion
SELECT statement_no, action, reasons FROM dbchange.evaluate('DROP TABLE IF EXISTS orders');

-- a script takes the highest risk of its statements; its status follows
SELECT dbchange.submit_mysql('CREATE TABLE a (id INT); DROP TABLE b;', 'shop') AS q \gset
SELECT status, risk, reasons, flow_steps FROM dbchange.change WHERE id = :q;
SELECT statement_no, action, risk FROM dbchange.change_statement WHERE change_id = :q ORDER BY 1;
SELECT dbchange.submit_mysql('CREATE TABLE c (id INT) ENGINE=MyISAM; CREATE TABLE d (id INT);') AS r \gset
SELECT status, risk, reasons FROM dbchange.change WHERE id = :r;
SELECT dbchange.submit_mysql('CREATE TABLE e (id INT)') AS a \gset
SELECT status, risk FROM dbchange.change WHERE id = :a;

-- red team: MariaDB's CREATE OR REPLACE TABLE / DATABASE drops what has the name
-- first (its data with it); the facts said destructive = false, so a policy that
-- queues destructive changes approved it. OR REPLACE of a view only replaces a definition.
SELECT statement_no, command, action, facts->>'destructive' AS destructive
  FROM dbchange.evaluate_mysql($s$
CREATE OR REPLACE TABLE orders (id INT PRIMARY KEY);
CREATE OR REPLACE TABLE orders2 AS SELECT 1 AS id;
CREATE OR REPLACE DATABASE shop;
CREATE OR REPLACE USER app@'%';
CREATE OR REPLACE VIEW v AS SELECT 1;
CREATE TABLE IF NOT EXISTS orders3 (id INT PRIMARY KEY);
$s$);

-- red team: server-level statements were approved in prod by the default action
-- (no stock policy had an opinion on "SET" / "RESET"); with the stock library
-- they are queued in prod, and session SETs still get no opinion.
\set load `t='$dbc_src$'; for f in lua_policies/*.lua; do printf '%s(%s, %s%s%s)' "${sep:-}" "'$(basename "$f" .lua)'" "$t" "$(cat "$f")" "$t"; sep=', '; done`
SELECT count(dbchange.set_policy(n, s)) AS loaded FROM (VALUES :load) AS v(n, s);
SELECT dbchange.disable_policy('maintenance_window');
SELECT dbchange.disable_policy('change_freeze');
SELECT dbchange.disable_policy('mysql-prod-ddl');
SELECT statement_no, command, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM dbchange.evaluate_mysql($s$
SET PASSWORD FOR root@localhost = PASSWORD('x');
SET GLOBAL read_only = 1;
SET PERSIST max_connections = 10;
RESET MASTER;
PURGE BINARY LOGS TO 'mysql-bin.010';
FLUSH PRIVILEGES;
CHANGE MASTER TO MASTER_HOST = 'evil.example';
STOP REPLICA;
RESET SLAVE ALL;
INSTALL PLUGIN foo SONAME 'foo.so';
UNINSTALL COMPONENT 'file://component_audit';
SHUTDOWN;
KILL 42;
SET STATEMENT max_statement_time = 10 FOR TRUNCATE TABLE victim;
SET @x = 1;
SET SESSION sql_mode = 'STRICT_ALL_TABLES';
SET NAMES utf8mb4;
$s$, 'prod');
-- the same in stage and dev: queued in stage, approved (with the reasons) in dev
SELECT e, count(*) FILTER (WHERE action = 'queue') AS queued, count(*) FILTER (WHERE action = 'approve') AS approved
  FROM unnest(ARRAY['stage', 'dev']) AS e,
       LATERAL dbchange.evaluate_mysql($s$SET GLOBAL read_only = 1; RESET MASTER; INSTALL PLUGIN foo SONAME 'foo.so'; SET @x = 1$s$, e)
 GROUP BY e ORDER BY e;
-- red team: ENGINE=BLACKHOLE and ALTER IGNORE ... ADD UNIQUE lose rows: destructive_changes says so
SELECT statement_no, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM dbchange.evaluate_mysql($s$
ALTER TABLE t ENGINE=BLACKHOLE;
ALTER IGNORE TABLE t ADD UNIQUE (a);
ALTER TABLE t ADD UNIQUE (a);
$s$, 'stage');
-- red team: a stored program whose body drops or runs dynamic SQL is judged like
-- the statements themselves (queued in stage and prod); a harmless one is not
SELECT e, statement_no, command, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM unnest(ARRAY['stage', 'prod']) AS e,
       LATERAL dbchange.evaluate_mysql($s$
CREATE PROCEDURE p() BEGIN DROP TABLE victim; END;
CALL p();
CREATE EVENT ev ON SCHEDULE EVERY 1 DAY DO DROP TABLE victim;
CREATE PROCEDURE d() BEGIN PREPARE s FROM @q; EXECUTE s; END;
CREATE EVENT g ON SCHEDULE EVERY 1 DAY DO SET GLOBAL read_only = 1;
CREATE PROCEDURE ok() BEGIN INSERT INTO log VALUES (1); END;
$s$, e)
 WHERE e = 'stage' OR statement_no IN (1, 3)
 ORDER BY e DESC, statement_no;

-- red team: SET sql_log_bin = 0 hides the statements after it from the replicas;
-- migration_hygiene's hides-from-replicas queues it in stage and prod (approved
-- with the reason in dev and test), also MariaDB's SET STATEMENT sql_log_bin = 0
-- FOR stmt; SET sql_log_bin = 1 and other session SETs get no opinion.
SELECT e, statement_no, command, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM unnest(ARRAY['prod', 'stage', 'test', 'dev']) AS e,
       LATERAL dbchange.evaluate_mysql($s$
SET SESSION sql_log_bin = OFF;
SET STATEMENT sql_log_bin = 0 FOR UPDATE t SET a = 1 WHERE id = 2;
SET sql_log_bin = 1;
SET SESSION sql_mode = 'STRICT_ALL_TABLES';
$s$, e)
 WHERE e IN ('prod', 'dev') OR statement_no = 1
 ORDER BY array_position(ARRAY['prod', 'stage', 'test', 'dev'], e), statement_no;

-- red team: ENGINE=MEMORY loses every row at each restart of the server, and
-- nothing said so; table_design's memory-table is a caution (queued in prod,
-- approved with moderate risk in stage), like PostgreSQL's UNLOGGED tables.
-- A temporary MEMORY table and another engine get no such finding.  (Without
-- environment_risk and table_rewrites, so that the decision is table_design's.)
SELECT dbchange.disable_policy('environment_risk'), dbchange.disable_policy('table_rewrites');
SELECT e, statement_no, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM unnest(ARRAY['prod', 'stage', 'dev']) AS e,
       LATERAL dbchange.evaluate_mysql($s$
CREATE TABLE sessions (id int PRIMARY KEY, created_at datetime) ENGINE=MEMORY;
ALTER TABLE cache ENGINE=HEAP;
CREATE TEMPORARY TABLE scratch (id int) ENGINE=MEMORY;
ALTER TABLE cache ENGINE=InnoDB;
$s$, e)
 ORDER BY array_position(ARRAY['prod', 'stage', 'dev'], e), statement_no;
SELECT dbchange.enable_policy('environment_risk'), dbchange.enable_policy('table_rewrites');

-- red team: a body holding DROP DATABASE was only queued (body-destroys-data is
-- danger) while DROP DATABASE on its own is rejected in prod.  A body now takes
-- the strictest severity its statements get on their own in destructive_changes
-- (fact body_statements): rejected in prod, also from a body too long to read
-- in full; a body that drops a table stays queued.
SELECT e, statement_no, command, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM unnest(ARRAY['prod', 'stage']) AS e,
       LATERAL dbchange.evaluate_mysql($s$
CREATE PROCEDURE wipe() BEGIN SELECT 1; DROP DATABASE shop; END;
CREATE PROCEDURE nest() BEGIN IF 1 THEN CREATE OR REPLACE DATABASE shop; END IF; END;
CREATE TRIGGER trg AFTER INSERT ON t FOR EACH ROW BEGIN DROP TABLE t2 CASCADE; END;
CREATE EVENT ev ON SCHEDULE EVERY 1 DAY DO DROP TABLE victim;
DROP DATABASE shop;
$s$, e)
 WHERE e = 'prod' OR statement_no = 1
 ORDER BY e, statement_no;
SELECT action, risk, reasons[1] LIKE '%on its own, its statement DROP DATABASE shop would be ban-drop-database%' AS names_it
  FROM dbchange.evaluate_mysql('CREATE PROCEDURE big() BEGIN ' || repeat('SELECT 1; ', 600) || 'END; '
                               || 'CREATE PROCEDURE big2() BEGIN DROP DATABASE shop; ' || repeat('SELECT 1; ', 600) || 'END', 'prod')
 ORDER BY statement_no;

-- red team: LOCK INSTANCE FOR BACKUP was judged as LOCK TABLES (schema DDL);
-- environment_risk now treats the backup lock as instance-level (queue /
-- critical in prod, queue / high in stage), LOCK TABLES stays env-ddl-risk
SELECT e, statement_no, command, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM unnest(ARRAY['prod', 'stage']) AS e,
       LATERAL dbchange.evaluate_mysql($s$
LOCK INSTANCE FOR BACKUP;
UNLOCK INSTANCE;
LOCK TABLES t READ;
$s$, e)
 ORDER BY e, statement_no;

-- red team: a body with a statement the classifier cannot name (UNKNOWN) was
-- approved as fully read; now body_complete is false and destructive_changes'
-- body-destroys-data queues it in prod (fail closed)
SELECT statement_no, command, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM dbchange.evaluate_mysql($s$
CREATE PROCEDURE u() BEGIN (SELECT a FROM t) UNION (SELECT a FROM t2); END;
$s$, 'prod')
 ORDER BY statement_no;

-- red team: a body statement whose first word the classifier does not know
-- (here MySQL 8's IMPORT TABLE, which creates tables, and a word no server
-- knows) counted as a harmless read and the body as read in full; now it is
-- judged as an UNKNOWN one: queued in stage and prod (fail closed).  MariaDB's
-- ANALYZE DELETE runs the DELETE: judged as the DELETE, at the top level too.
SELECT e, statement_no, command, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM unnest(ARRAY['prod', 'stage']) AS e,
       LATERAL dbchange.evaluate_mysql($s$
CREATE PROCEDURE imp() BEGIN SELECT 1; IMPORT TABLE FROM '/tmp/t.sdi'; END;
CREATE EVENT fr ON SCHEDULE EVERY 1 DAY DO BEGIN FROBNICATE t; END;
ANALYZE DELETE FROM t;
CREATE PROCEDURE ok() BEGIN SELECT 1; DO 1; CALL p(); END;
$s$, e)
 ORDER BY array_position(ARRAY['prod', 'stage'], e), statement_no;

-- red team: SET sql_log_bin = 0 in a stored program's body hid what the body
-- runs from the replicas at every call, and no policy saw it; migration_hygiene's
-- hides-from-replicas reads body_hides_from_replicas (queued in stage and prod)
SELECT e, statement_no, command, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM unnest(ARRAY['prod', 'stage', 'test']) AS e,
       LATERAL dbchange.evaluate_mysql($s$
CREATE PROCEDURE h() BEGIN SET SESSION sql_log_bin = 0; UPDATE t SET a = 1 WHERE id = 1; END;
CREATE TRIGGER h2 AFTER INSERT ON t FOR EACH ROW SET @@session.sql_log_bin = OFF;
CREATE PROCEDURE k() BEGIN SET sql_log_bin = 1; UPDATE t SET a = 1 WHERE id = 1; END;
$s$, e)
 ORDER BY array_position(ARRAY['prod', 'stage', 'test'], e), statement_no;

-- red team: a MariaDB FOR loop hid its first statement (FOR ... DO DROP TABLE t
-- was a "FOR"): the procedure was approved in prod; now its body destroys data
SELECT statement_no, command, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM dbchange.evaluate_mysql($s$
CREATE PROCEDURE f() BEGIN FOR i IN 1..3 DO DROP TABLE t; END FOR; END;
$s$, 'prod')
 ORDER BY statement_no;

-- red team: MariaDB's BACKUP STAGE / BACKUP LOCK were an unknown "BACKUP";
-- environment_risk treats them as instance-level, like LOCK INSTANCE FOR BACKUP
-- (queue / critical in prod, queue / high in stage)
SELECT e, statement_no, command, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM unnest(ARRAY['prod', 'stage']) AS e,
       LATERAL dbchange.evaluate_mysql($s$
BACKUP STAGE START;
BACKUP STAGE BLOCK_COMMIT;
BACKUP STAGE END;
BACKUP LOCK shop.orders;
BACKUP UNLOCK;
$s$, e)
 ORDER BY e, statement_no;

-- red team: a top-level statement whose first word the classifier does not know
-- got that word as its command and no stock policy judged it for what it is:
-- MariaDB's LOAD XML (it writes rows) read as "LOAD", in environment_risk's
-- not-DDL set, was approved in prod; the others were queued in prod only as
-- "DDL" and approved in stage and test.  Now (fact unknown) environment_risk's
-- env-unknown-statement queues them outside dev, whatever the statement's first
-- word, and approves them with the warning in dev; known statements keep their
-- decisions.
SELECT e, statement_no, command, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM unnest(ARRAY['prod', 'stage', 'test', 'dev']) AS e,
       LATERAL dbchange.evaluate_mysql($s$
LOAD XML INFILE '/tmp/rows.xml' INTO TABLE t;
CHECK VIEW v;
IMPORT TABLE FROM '/tmp/t.sdi';
(SELECT 1) UNION (SELECT 2);
SELECT 1;
SHOW TABLES;
SET @a = 1;
LOAD INDEX INTO CACHE t;
INSERT INTO t VALUES (1);
$s$, e)
 WHERE e IN ('prod', 'dev') OR statement_no <= 4
 ORDER BY array_position(ARRAY['prod', 'stage', 'test', 'dev'], e), statement_no;
-- submitted in prod: the change waits for approval (it is deployed only then);
-- in dev it is approved, the warning kept
SELECT dbchange.submit_mysql($s$INSERT INTO t VALUES (1); LOAD XML INFILE '/tmp/rows.xml' INTO TABLE t;$s$, 'shop') AS u \gset
SELECT status, risk, array_to_string(reasons, E'\n') AS reasons FROM dbchange.change WHERE id = :u;
SELECT statement_no, command, action, facts->>'unknown' AS unknown FROM dbchange.change_statement WHERE change_id = :u ORDER BY 1;
SELECT key, value FROM dbchange.configure(environment => 'dev') WHERE key = 'environment';
SELECT dbchange.submit_mysql($s$CHECK VIEW v$s$, 'shop') AS ud \gset
SELECT status, risk, array_to_string(reasons, E'\n') AS reasons FROM dbchange.change WHERE id = :ud;
SELECT key, value FROM dbchange.configure(environment => 'prod') WHERE key = 'environment';

-- DBA audit: partition maintenance that deletes rows, DISCARD TABLESPACE,
-- ALTER TABLE ... DROP INDEX, FULLTEXT / SPATIAL builds and LOCK=SHARED index
-- builds (writes wait), a foreign key added by a table copy, and grants that
-- make an administrator: each with its finding, in prod and (warnings) in dev
SELECT e, statement_no, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM unnest(ARRAY['prod', 'dev']) AS e,
       LATERAL dbchange.evaluate_mysql($s$
ALTER TABLE orders DROP PARTITION p2019, p2020;
ALTER TABLE orders TRUNCATE PARTITION p2019;
ALTER TABLE orders DISCARD TABLESPACE;
ALTER TABLE orders EXCHANGE PARTITION p0 WITH TABLE orders_arch;
ALTER TABLE orders DROP INDEX orders_c_idx;
ALTER TABLE orders COALESCE PARTITION 2;
ALTER TABLE orders ADD FULLTEXT INDEX orders_note_idx (note);
ALTER TABLE orders ADD INDEX orders_c_idx (c), LOCK=SHARED;
ALTER TABLE orders ADD INDEX orders_c_idx (c), ALGORITHM=INPLACE, LOCK=NONE;
ALTER TABLE orders ADD CONSTRAINT orders_c_fk FOREIGN KEY (c) REFERENCES cust (id);
GRANT ALL ON *.* TO app@'%';
GRANT SELECT ON mysql.user TO app@'%';
GRANT PROXY ON root@localhost TO app@'%';
GRANT SELECT, INSERT ON shop.* TO app@'%';
$s$, e)
 ORDER BY array_position(ARRAY['prod', 'dev'], e), statement_no;

-- DBA audit: session settings that switch off a check for what follows (strict
-- sql_mode, foreign key / unique / CHECK checks, statement-based binary logging,
-- safe updates, MariaDB's copying ALTER), in every spelling and in a body;
-- ALTER TABLE ... LOCK=EXCLUSIVE / SHARED without a rewrite or an index build;
-- OPTIMIZE TABLE judged as the rebuild it is; what a MySQL rewrite does to
-- readers and writers (online, writes wait, reads and writes wait). In prod
-- and (warnings) in dev
SELECT e, statement_no, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM unnest(ARRAY['prod', 'dev']) AS e,
       LATERAL dbchange.evaluate_mysql($s$
SET sql_mode = '';
SET SESSION sql_mode = 'ANSI_QUOTES', @@session.foreign_key_checks = 0;
SET @@sql_mode = REPLACE(@@sql_mode, 'STRICT_TRANS_TABLES', '');
SET unique_checks = 0, check_constraint_checks = OFF;
SET SESSION binlog_format = 'STATEMENT';
SET sql_safe_updates = 0;
SET alter_algorithm = 'COPY';
SET sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE', foreign_key_checks = 1, time_zone = '+00:00';
SET STATEMENT foreign_key_checks = 0 FOR ALTER TABLE orders ADD CONSTRAINT orders_c_fk FOREIGN KEY (c) REFERENCES cust (id);
CREATE PROCEDURE load_orders() BEGIN SET foreign_key_checks = 0; INSERT INTO orders SELECT * FROM staging; END;
ALTER TABLE orders ADD COLUMN c2 int, LOCK=EXCLUSIVE;
ALTER TABLE orders RENAME COLUMN c2 TO c3, LOCK=SHARED;
ALTER TABLE orders ADD COLUMN c4 int, LOCK=NONE;
OPTIMIZE TABLE orders, cust;
ALTER TABLE orders FORCE;
ALTER TABLE orders FORCE, ALGORITHM=INPLACE, LOCK=NONE;
ALTER TABLE orders ENGINE=InnoDB;
ALTER TABLE orders MODIFY c bigint;
ALTER TABLE orders FORCE, LOCK=EXCLUSIVE;
$s$, e)
 ORDER BY array_position(ARRAY['prod', 'dev'], e), statement_no;

-- the script's own SET foreign_key_checks = 0 holds for its later statements:
-- the SET is queued for what it switches off, the foreign key after it is added
-- in place (no "while writes wait"); after SET ... = 1 it is a copy again
SELECT statement_no, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM dbchange.evaluate_mysql($s$
SET foreign_key_checks = 0;
ALTER TABLE orders ADD CONSTRAINT fk1 FOREIGN KEY (c) REFERENCES cust (id);
SET foreign_key_checks = 1;
ALTER TABLE orders ADD CONSTRAINT fk2 FOREIGN KEY (c) REFERENCES cust (id);
$s$, 'prod')
 ORDER BY statement_no;

-- red team: strict mode with ALLOW_INVALID_DATES stores 2024-02-31; MariaDB's
-- SET PASSWORD / SET DEFAULT ROLE ... FOR with a weakening assignment after it
SELECT statement_no, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM dbchange.evaluate_mysql($s$
SET sql_mode = 'STRICT_TRANS_TABLES,ALLOW_INVALID_DATES';
SET PASSWORD = PASSWORD('x'), foreign_key_checks = 0;
SET DEFAULT ROLE r1 FOR app@localhost, unique_checks = 0;
SET sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE';
$s$, 'prod')
 ORDER BY statement_no;
-- an edit of the session's own sql_mode (facts removes / adds): taking out
-- ONLY_FULL_GROUP_BY (Laravel, WordPress) or appending a flag keeps strict mode
-- and gets no opinion; red team: taking out a strict flag (odd case, nested,
-- with a comma, a part of its name), appending ALLOW_INVALID_DATES, another
-- replacement, a variable, the global value, a stored function, comments and
-- executable comments, a further assignment: each queued in prod
SELECT statement_no, action, risk, array_to_string(reasons, E'\n') AS reasons
  FROM dbchange.evaluate_mysql($s$
SET sql_mode = (SELECT REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', ''));
SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'ONLY_FULL_GROUP_BY', '');
SET sql_mode = CONCAT_WS(',', REPLACE(REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY,', ''), "NO_ZERO_DATE", ''), 'NO_ZERO_IN_DATE');
SET STATEMENT sql_mode = CONCAT(@@sql_mode, ',ERROR_FOR_DIVISION_BY_ZERO') FOR UPDATE t SET a = 1 WHERE id = 1;
SET sql_mode = REPLACE(@@sql_mode, 'Strict_Trans_Tables', '');
SET sql_mode = REPLACE(REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', ''), 'STRICT_ALL_TABLES', '');
SET sql_mode = REPLACE(@@sql_mode, 'STRICT_TRANS_TABLES,', '');
SET sql_mode = REPLACE(@@sql_mode, 'TRANS_TABLES', '');
SET sql_mode = REPLACE(@@sql_mode, 'TRADITIONAL', '');
SET sql_mode = CONCAT(@@sql_mode, ',allow_invalid_dates');
SET sql_mode = REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', 'ALLOW_INVALID_DATES');
SET sql_mode = REPLACE(@@sql_mode, @x, '');
SET sql_mode = REPLACE(@@global.sql_mode, 'ONLY_FULL_GROUP_BY', '');
SET sql_mode = `replace`(@@sql_mode, 'ONLY_FULL_GROUP_BY', '');
SET sql_mode = REPLACE(@@sql_mode, /* 'ONLY_FULL_GROUP_BY' */ 'STRICT_TRANS_TABLES', '');
SET sql_mode = REPLACE(@@sql_mode, /*!50000 'STRICT_TRANS_TABLES' */ 'X', '');
SET sql_mode = REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', ''), sql_mode = '';
CREATE PROCEDURE relax() BEGIN SET sql_mode = REPLACE(@@sql_mode, 'STRICT_TRANS_TABLES', ''); UPDATE t SET a = 1 WHERE id = 1; END;
$s$, 'prod')
 ORDER BY statement_no;
