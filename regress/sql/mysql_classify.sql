-- The MySQL tokenizer, splitter and classifier (dbchange.classify_mysql).
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_mysql_classify;
CREATE DATABASE regress_mysql_classify;
\c regress_mysql_classify
CREATE EXTENSION dbchange;
SET client_min_messages = warning;
\set VERBOSITY default

-- a compact view of the facts
CREATE FUNCTION c(sql text, defschema text DEFAULT NULL)
RETURNS TABLE (n int, line int, command text, identity text, operations text, destructive bool, statement text)
LANGUAGE sql AS $$
  SELECT (f->>'statement_no')::int, (f->>'line')::int, f->>'command', f->>'identity',
         (SELECT string_agg(o, ',') FROM jsonb_array_elements_text(f->'operations') o),
         (f->>'destructive')::bool, f->>'statement'
    FROM dbchange.classify_mysql(sql, defschema) f
$$;

-- quoting: semicolons inside backticks, strings (backslash escapes, doubled quotes) and comments
SELECT * FROM c($s$
-- a comment; with a semicolon
CREATE TABLE `my;table` (id int primary key, `na``me` varchar(10) default 'a;b\';c', note text DEFAULT "x"";y");  # hash; comment
INSERT INTO t VALUES ('it''s; \' fine', "dq ""; \" x", '\\');
/* a block comment; still a comment */ DROP TABLE `a``b`;
SELECT 1--1;
SELECT 2 -- a real comment; the statement goes on
  + 3;
$s$);

-- executable comments: their content is code; version-numbered ones too
SELECT * FROM c($s$
/*!40101 SET NAMES utf8mb4 */;
/*!50100 ALTER TABLE t PARTITION BY HASH(id) PARTITIONS 4 */;
CREATE TABLE p (id int) /*!50100 ENGINE=MyISAM */;
/*M!100100 DROP TABLE IF EXISTS q */;
/*+ an optimizer hint is a comment */ SELECT 1;
$s$);

-- compound bodies: the semicolons inside BEGIN ... END do not split
SELECT n, line, command, identity, operations, length(statement) > 100 AS long FROM c($s$
CREATE DEFINER=`root`@`localhost` PROCEDURE p(IN x INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  IF x > 0 THEN SET i = IF(x > 5, 1, 2); ELSE SET i = 3; END IF;
  lbl: LOOP
    SET i = i + 1;
    IF i > 10 THEN LEAVE lbl; END IF;
  END LOOP lbl;
  SELECT CASE WHEN i > 1 THEN 'a;' ELSE 'b' END;
  CASE i WHEN 1 THEN SELECT 1; ELSE SELECT 2; END CASE;
  WHILE i > 0 DO SET i = i - 1; END WHILE;
  REPEAT SET i = i + 1; UNTIL i > 3 END REPEAT;
END;
CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1;
CREATE TRIGGER db2.trg2 AFTER UPDATE ON db2.t FOR EACH ROW BEGIN INSERT INTO log VALUES (1); UPDATE x SET y = 1; END;
CREATE FUNCTION f(a INT) RETURNS INT DETERMINISTIC RETURN a + 1;
SELECT 'after';
$s$);

-- block words count only where a body statement starts: as names (SELECT
-- begin, end FROM t) or functions (DO REPEAT('x', 3), DO IF(1, 2, 3)) they
-- neither swallowed the next statement (the DROP TABLE) nor split the body
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->>'identity' AS identity,
       f->>'destructive' AS destructive, f->'body_commands' AS body
  FROM dbchange.classify_mysql($s$
CREATE PROCEDURE p1() BEGIN SELECT begin FROM t; END; DROP TABLE important;
CREATE PROCEDURE p2() BEGIN SELECT if, repeat, loop, while, case FROM t; END; DROP TABLE i2;
CREATE PROCEDURE p3() BEGIN SELECT t.begin, begin(1) FROM t WHERE begin = 1; END; DROP TABLE i3;
CREATE PROCEDURE p4() BEGIN DO REPEAT('x', 3); DO IF(1, 2, 3); END; DROP TABLE i4;
CREATE PROCEDURE p5() BEGIN SELECT end FROM t; DELETE FROM t; END; DROP TABLE i5;
CREATE PROCEDURE p6() BEGIN SELECT CASE WHEN a THEN 1 ELSE 2 END, end FROM t; IF (a > 1) THEN SELECT 1; END IF; END; DROP TABLE i6;
CREATE PROCEDURE p7() SELECT begin FROM t; DROP TABLE i7;
CREATE PROCEDURE p8() DO IF(1, 2, 3); DROP TABLE i8;
CREATE FUNCTION f9() RETURNS VARCHAR(10) CHARACTER SET utf8mb4 DETERMINISTIC BEGIN DECLARE CONTINUE HANDLER FOR SQLSTATE '23000', NOT FOUND BEGIN SET @x = 1; END; RETURN 'a'; END; DROP TABLE i9;
CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW FOLLOWS other lbl: BEGIN REPEAT SET @a = 1; UNTIL CASE WHEN 1 THEN 1 END END REPEAT; END lbl; DROP TABLE i10;
CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN WHILE 1 DO SET @a = begin; END WHILE; END; DROP TABLE i11;
$s$) f;

-- ALTER TABLE operations, clauses and the USE'd database
SELECT f->>'identity' AS identity, f->'operations' AS operations, f->>'column' AS col,
       f->>'lock' AS lock, f->>'algorithm' AS algorithm, f->>'engine' AS engine,
       f->>'destructive' AS destructive, f->>'rewrites_table' AS rewrites
  FROM dbchange.classify_mysql($s$
USE shop;
ALTER TABLE orders ADD COLUMN total decimal(10,2) NOT NULL DEFAULT 0, ALGORITHM=INPLACE, LOCK=NONE;
ALTER TABLE orders ADD (a int, b int), ALGORITHM=INSTANT;
ALTER TABLE other.orders DROP COLUMN old, MODIFY x bigint, CHANGE a b int;
ALTER TABLE orders ENGINE=MyISAM;
ALTER TABLE orders DROP FOREIGN KEY fk1, ADD CONSTRAINT fk2 FOREIGN KEY (a) REFERENCES b(id);
ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (id), ALGORITHM=COPY;
ALTER TABLE orders ADD INDEX ix_a (a), DROP INDEX ix_b, RENAME INDEX ix_c TO ix_d;
ALTER TABLE orders RENAME COLUMN a TO b, ALTER COLUMN c SET DEFAULT 1;
ALTER TABLE orders RENAME TO orders2;
ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4, AUTO_INCREMENT = 5;
ALTER TABLE orders TRUNCATE PARTITION p0;
$s$) f;

-- other statements
SELECT * FROM c($s$
CREATE DATABASE IF NOT EXISTS shop;
CREATE UNIQUE INDEX ix ON shop.orders (a, b(10)) ALGORITHM=INPLACE LOCK=SHARED;
DROP INDEX ix ON shop.orders;
CREATE OR REPLACE VIEW v AS SELECT 1;
RENAME TABLE a TO b, c TO d;
TRUNCATE orders;
DELETE FROM orders;
UPDATE orders SET a = 1 WHERE id = 2;
DROP TABLE IF EXISTS a, b.c CASCADE;
DROP DATABASE shop;
GRANT SELECT ON shop.* TO 'u'@'%';
CREATE USER 'u'@'%' IDENTIFIED BY 'secret';
$s$, 'app');

-- details of a CREATE TABLE
SELECT jsonb_pretty(f - 'statement') FROM dbchange.classify_mysql($s$
CREATE TEMPORARY TABLE IF NOT EXISTS `shop`.`t` (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  code CHAR(3) NOT NULL,
  price DECIMAL(10,2) DEFAULT NULL,
  cust INT REFERENCES customers(id),
  PRIMARY KEY (id),
  UNIQUE KEY uk (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
$s$) f;

-- errors: unterminated text, DELIMITER, empty scripts
SELECT * FROM c($s$SELECT 1;
SELECT 'unterminated;
$s$);
SELECT * FROM c('CREATE TABLE `t (a int)');
SELECT * FROM c('SELECT 1; /* open comment');
SELECT * FROM c('/*!40101 SET NAMES utf8 ;');
-- a ';' inside an executable comment ends the statement, as for the mysql client (which sends
-- "/*!50000 CREATE TABLE a (x int)"): the DROP after it is a statement of its own
SELECT * FROM c('/*!50000 CREATE TABLE a (x int); DROP TABLE b */;');
SELECT * FROM c($s$DELIMITER //
CREATE PROCEDURE p() BEGIN SELECT 1; END //
DELIMITER ;
$s$);
-- red team: statements that make the server run statements the classifier
-- never sees are refused: dynamic SQL (a DROP TABLE inside was classified as
-- a harmless "EXECUTE" and approved in prod) and MariaDB's anonymous block
SELECT * FROM c($s$EXECUTE IMMEDIATE CONCAT('DR', 'OP TABLE victim')$s$);
SELECT * FROM c($s$SELECT 1;
PREPARE s FROM 'DROP TABLE victim';
$s$);
SELECT * FROM c($s$SET @q = 'DROP TABLE victim'; EXECUTE s$s$);
SELECT * FROM c($s$/*!50000 EXECUTE IMMEDIATE 'DROP TABLE victim' */$s$);
SELECT * FROM c($s$BEGIN NOT ATOMIC DECLARE x INT; SET x = 1; DROP TABLE victim; END$s$);
-- still accepted: dynamic SQL inside a procedure's body (judged as the procedure)
SELECT n, command FROM c($s$CREATE PROCEDURE p() BEGIN PREPARE s FROM @q; EXECUTE s; END; DEALLOCATE PREPARE s$s$);
SELECT count(*) FROM dbchange.classify_mysql('  -- nothing but a comment
  ;;  ');
SELECT dbchange.classify_mysql(NULL) IS NULL AS null_in_null_out;

-- red team: server-level statements were a bare "SET" / "RESET" / "CHANGE" ...
-- that no stock policy has an opinion on.  Each has its command now; session
-- SETs stay "SET"; implicit_commit follows MySQL's list.
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->>'object_type' AS otype,
       f->>'name' AS name, f->'operations' AS ops, f->>'scope' AS scope, f->'parameters' AS params,
       f->>'destructive' AS destr, f->>'is_ddl' AS ddl, f->>'implicit_commit' AS commits
  FROM dbchange.classify_mysql($s$
SET PASSWORD FOR root@localhost = PASSWORD('x');
SET PASSWORD = 'y';
ALTER USER 'app'@'%' IDENTIFIED BY 'z';
ALTER USER 'app'@'%' ACCOUNT LOCK;
SET DEFAULT ROLE ALL TO 'app'@'%';
SET GLOBAL read_only = 1;
SET @@global.max_connections = 10, @x = 2;
SET PERSIST max_connections = 10;
SET PERSIST_ONLY back_log = 100;
SET SESSION sql_mode = 'ANSI', GLOBAL general_log = 1, innodb_buffer_pool_size = 1;
SET @@session.sql_mode = '', @@local.x = 1, @@y = 2;
RESET PERSIST IF EXISTS max_connections;
RESET PERSIST;
SET @x = 1;
SET SESSION sql_mode = 'TRADITIONAL';
SET NAMES utf8mb4 COLLATE utf8mb4_bin;
SET autocommit = 1;
SET autocommit = 0;
SET STATEMENT max_statement_time = 10 FOR DROP TABLE victim;
RESET MASTER;
RESET BINARY LOGS AND GTIDS;
PURGE BINARY LOGS BEFORE '2024-01-01 00:00:00';
PURGE MASTER LOGS TO 'mysql-bin.010';
RESET SLAVE ALL;
RESET REPLICA;
RESET QUERY CACHE;
FLUSH NO_WRITE_TO_BINLOG PRIVILEGES;
FLUSH TABLES WITH READ LOCK;
CHANGE MASTER TO MASTER_HOST = 'evil.example';
CHANGE REPLICATION SOURCE TO SOURCE_HOST = 'evil.example';
CHANGE REPLICATION FILTER REPLICATE_DO_DB = (d1);
START SLAVE;
STOP ALL SLAVES;
START REPLICA SQL_THREAD;
STOP GROUP_REPLICATION;
INSTALL PLUGIN auth_socket SONAME 'auth_socket.so';
INSTALL SONAME 'ha_blackhole';
UNINSTALL PLUGIN audit_log;
INSTALL COMPONENT 'file://component_validate_password';
UNINSTALL COMPONENT 'file://component_validate_password';
SHUTDOWN;
RESTART;
KILL QUERY 42;
KILL HARD CONNECTION USER app;
CLONE INSTANCE FROM 'u'@'donor':3306 IDENTIFIED BY 'p';
CLONE LOCAL DATA DIRECTORY = '/tmp/clone';
START TRANSACTION;
BEGIN;
CREATE TEMPORARY TABLE tt (id int);
DROP TEMPORARY TABLE tt;
CACHE INDEX t1 IN hot_cache;
$s$) f;
-- BINLOG replays base64-encoded binary log events (any change at all): refused
SELECT * FROM c($s$SELECT 1;
BINLOG 'fAS3SA8BAAAAZgAAAGoAAAAAAAQANS4xLjIzLXJjLWRlYnVnLWxvZwAAAAAAAAAA';
$s$);

-- red team: data loss not marked destructive.  ENGINE=BLACKHOLE discards every
-- row; MariaDB's ALTER IGNORE TABLE deletes the rows that duplicate a key it
-- adds (or a column it redefines); the same without IGNORE / another engine is not.
SELECT f->>'statement_no' AS n, f->'operations' AS ops, f->>'engine' AS engine, f->>'destructive' AS destructive
  FROM dbchange.classify_mysql($s$
ALTER TABLE t ENGINE=BLACKHOLE;
ALTER TABLE t ENGINE blackhole, ALGORITHM=COPY;
ALTER TABLE t ENGINE=InnoDB;
CREATE TABLE sink (id int) ENGINE=BLACKHOLE;
ALTER IGNORE TABLE t ADD UNIQUE (a);
ALTER ONLINE IGNORE TABLE t ADD CONSTRAINT uk UNIQUE KEY (a, b);
ALTER IGNORE TABLE t ADD PRIMARY KEY (id);
ALTER IGNORE TABLE t MODIFY a varchar(5);
ALTER IGNORE TABLE t ADD COLUMN c int;
ALTER TABLE t ADD UNIQUE (a);
$s$) f;

-- red team: stored-program bodies were invisible to policies (CREATE PROCEDURE
-- p() BEGIN DROP TABLE victim; END, then CALL p(), was approved in stage).  The
-- body's statements are classified too: body_commands, body_destructive,
-- body_dynamic_sql, body_complete; flow control is not a statement.
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->'body_commands' AS body,
       f->>'body_destructive' AS body_destr, f->>'body_dynamic_sql' AS dyn, f->>'body_complete' AS complete,
       f->>'language' AS lang, f->>'destructive' AS destr
  FROM dbchange.classify_mysql($s$
CREATE PROCEDURE p() BEGIN DROP TABLE victim; END;
CALL p();
CREATE DEFINER = `root`@`localhost` PROCEDURE p2(IN x INT, OUT y VARCHAR(10))
  COMMENT 'x; y' MODIFIES SQL DATA SQL SECURITY INVOKER
BEGIN
  DECLARE i INT DEFAULT 0;
  DECLARE c CURSOR FOR SELECT id FROM t;
  DECLARE CONTINUE HANDLER FOR SQLSTATE '02000', NOT FOUND SET i = 1;
  lbl: LOOP
    IF (CASE WHEN x > 1 THEN 1 ELSE 0 END) = 1 THEN LEAVE lbl;
    ELSEIF x = 0 THEN DELETE FROM log;
    ELSE UPDATE t SET a = 1 WHERE id = x;
    END IF;
  END LOOP lbl;
  CASE x WHEN 1 THEN INSERT INTO t VALUES (1); ELSE TRUNCATE TABLE t2; END CASE;
  WHILE i < 3 DO SET i = i + 1; END WHILE;
  REPEAT SET i = i - 1; UNTIL i < 0 END REPEAT;
END;
CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DROP TABLE victim;
CREATE EVENT e2 ON SCHEDULE AT CURRENT_TIMESTAMP + INTERVAL 1 HOUR ON COMPLETION NOT PRESERVE DO BEGIN INSERT INTO log VALUES (1); END;
ALTER EVENT e3 DO BEGIN DELETE FROM t WHERE id = 1; ALTER TABLE t DROP COLUMN c; END;
ALTER EVENT e4 DISABLE;
CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW FOLLOWS other SET NEW.a = 1;
CREATE TRIGGER trg2 AFTER DELETE ON t FOR EACH ROW BEGIN DELETE FROM audit; END;
CREATE FUNCTION f(a INT) RETURNS DECIMAL(10,2) UNSIGNED CHARSET utf8mb4 DETERMINISTIC RETURN a + 1;
CREATE PROCEDURE d() BEGIN PREPARE s FROM @q; EXECUTE s; DEALLOCATE PREPARE s; END;
CREATE PROCEDURE ev() BEGIN ALTER EVENT other_e DISABLE; CREATE FUNCTION inner_udf RETURNS STRING SONAME 'udf.so'; END;
CREATE PROCEDURE g() SET GLOBAL read_only = 1;
CREATE PROCEDURE js() LANGUAGE JAVASCRIPT AS 'return 1';
CREATE AGGREGATE FUNCTION udf RETURNS STRING SONAME 'udf.so';
CREATE PROCEDURE ss() BEGIN SET STATEMENT max_statement_time = 1 FOR DROP TABLE victim; END;
$s$) f;
-- bounded: a body of more than 500 statements is not read to the end, and is judged destructive
SELECT f->>'body_complete' AS complete, f->>'body_destructive' AS body_destr, jsonb_array_length(f->'body_commands') AS read
  FROM dbchange.classify_mysql('CREATE PROCEDURE big() BEGIN ' || repeat('SELECT 1; ', 600) || 'END') f;

-- red team: SET sql_log_bin = 0 was a harmless session SET, yet what runs after
-- it is not written to the binary log (the replicas silently diverge): fact
-- hides_from_replicas.  Only a value plainly on (1, ON, TRUE, DEFAULT) is not;
-- a value the classifier cannot evaluate counts as off.  Other SETs stay harmless.
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->>'hides_from_replicas' AS hides
  FROM dbchange.classify_mysql($s$
SET sql_log_bin = 0;
SET SESSION sql_log_bin = OFF;
SET @@session.sql_log_bin=0;
SET @@sql_log_bin = FALSE;
SET LOCAL `sql_log_bin` := 'OFF';
SET sql_mode = '', sql_log_bin = 0;
SET sql_log_bin = @off;
SET GLOBAL sql_log_bin = 0;
SET STATEMENT sql_log_bin = 0 FOR DELETE FROM t WHERE id = 1;
SET sql_log_bin = 1;
SET SESSION sql_log_bin = ON;
SET sql_log_bin = DEFAULT;
SET @sql_log_bin = 0;
SET STATEMENT max_statement_time = 1, sql_log_bin = 1 FOR DELETE FROM t WHERE id = 1;
SET sql_mode = 'STRICT_ALL_TABLES';
SET NAMES utf8mb4;
$s$) f;

-- ENGINE=MEMORY (HEAP, its old name) keeps the rows in memory only: the engine
-- fact names it, for CREATE TABLE and for ALTER TABLE (operation change_engine)
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->>'engine' AS engine, f->'operations' AS ops,
       f->>'persistence' AS persistence
  FROM dbchange.classify_mysql($s$
CREATE TABLE m (id int PRIMARY KEY) ENGINE=MEMORY;
CREATE TABLE m2 (id int PRIMARY KEY) ENGINE heap;
CREATE TEMPORARY TABLE m3 (id int) ENGINE=MEMORY;
ALTER TABLE t ENGINE = Memory;
ALTER TABLE t ADD COLUMN c int, ENGINE=InnoDB;
$s$) f;

-- body_statements: each statement of a body with the facts it would have on its
-- own (its text, its place in the body, the script's line it starts on, the
-- USEd database)
SELECT b->>'statement_no' AS n, b->>'line' AS line, b->>'command' AS command, b->>'identity' AS identity,
       b->>'destructive' AS destr, b->>'cascade' AS cascade, b->>'statement' AS statement,
       jsonb_path_query_array(b, '$.body_statements[*].statement') AS inner_body
  FROM dbchange.classify_mysql($s$USE shop;
CREATE PROCEDURE p()
BEGIN
  SELECT 1;
  IF x THEN
    DROP DATABASE shop; END IF;
  DROP TABLE t CASCADE;
  DELETE FROM log;
  UPDATE t SET a = 1;
END;
$s$) f, jsonb_array_elements(f->'body_statements') b
 WHERE f->>'command' = 'CREATE PROCEDURE';
-- a statement without a body has no body_statements; a body with nothing but flow control has an empty one
SELECT f->>'command' AS command, f->'body_statements' AS body_statements
  FROM dbchange.classify_mysql($s$DROP TABLE t; CREATE PROCEDURE e() BEGIN END;$s$) f;

-- red team: LOCK INSTANCE FOR BACKUP (the server-wide backup lock) was read as
-- LOCK TABLES; it and UNLOCK INSTANCE are server-level commands of their own,
-- which do not commit; LOCK / UNLOCK TABLES stay what they were
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->>'object_type' AS object_type,
       f->'operations' AS ops, f->>'implicit_commit' AS commits
  FROM dbchange.classify_mysql($s$
LOCK INSTANCE FOR BACKUP;
UNLOCK INSTANCE;
LOCK TABLES t READ, t2 WRITE;
UNLOCK TABLES;
LOCK TABLE t WRITE;
$s$) f;
-- WITH ... DELETE / UPDATE (MySQL 8.0) is the DELETE or UPDATE, at the top level and in a body
-- (it was a harmless "WITH": a whole-table DELETE behind a CTE passed as neither destructive)
SELECT n, command, identity, operations, destructive FROM c($s$
WITH x AS (SELECT 1) DELETE FROM t;
WITH RECURSIVE x (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x WHERE n < 3) DELETE FROM t WHERE id IN (SELECT n FROM x);
WITH x AS (SELECT 1), y AS (SELECT 2) UPDATE t JOIN x SET t.a = 1;
WITH x AS (SELECT 1) SELECT * FROM x FOR UPDATE;
$s$, 'db');
SELECT f->>'body_commands' AS body, f->>'body_destructive' AS body_destr
  FROM dbchange.classify_mysql('CREATE PROCEDURE p() BEGIN WITH x AS (SELECT 1) DELETE FROM orders; END') f;

-- red team: a body statement the classifier cannot name (command UNKNOWN: it
-- starts with neither a keyword nor a label, such as MySQL 8's parenthesized
-- query expression) said nothing of what it does, yet the body counted as read
-- in full; now body_complete is false (and body_destructive true: fail closed)
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->'body_commands' AS body,
       f->>'body_complete' AS complete, f->>'body_destructive' AS body_destr
  FROM dbchange.classify_mysql($s$
CREATE PROCEDURE u1() BEGIN (SELECT a FROM t) UNION (SELECT a FROM t2); END;
CREATE TRIGGER u2 AFTER INSERT ON t FOR EACH ROW BEGIN INSERT INTO log VALUES (1); `x` + 1; END;
CREATE PROCEDURE u3() BEGIN IF 1 THEN (SELECT 1); END IF; END;
CREATE PROCEDURE k() BEGIN SELECT a FROM t UNION SELECT a FROM t2; END;
$s$) f;

-- red team: SET sql_log_bin = 0 inside a stored program's body was seen by no
-- policy (the body's statement had hides_from_replicas, the CREATE did not);
-- fact body_hides_from_replicas, for every spelling
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->'body_commands' AS body,
       f->>'body_hides_from_replicas' AS body_hides, f->>'hides_from_replicas' AS hides
  FROM dbchange.classify_mysql($s$
CREATE PROCEDURE h1() BEGIN SET sql_log_bin = 0; DELETE FROM t WHERE id = 1; END;
CREATE PROCEDURE h2() BEGIN IF 1 THEN SET SESSION sql_log_bin = OFF; END IF; END;
CREATE TRIGGER h3 AFTER INSERT ON t FOR EACH ROW SET @@session.sql_log_bin = 0;
CREATE EVENT h4 ON SCHEDULE EVERY 1 DAY DO BEGIN SET LOCAL sql_log_bin := 'OFF'; END;
CREATE FUNCTION h5() RETURNS INT BEGIN SET STATEMENT sql_log_bin = 0 FOR UPDATE t SET a = 1 WHERE id = 1; RETURN 1; END;
CREATE PROCEDURE h6() BEGIN IF 1 THEN SET @@sql_log_bin = @v; END IF; END;
ALTER EVENT h7 DO SET sql_log_bin = FALSE;
CREATE PROCEDURE k1() BEGIN SET sql_log_bin = 1; SET @sql_log_bin = 0; SET sql_mode = ''; END;
CREATE PROCEDURE k2() BEGIN SELECT 1; END;
$s$) f;

-- labels named like block words (end, begin, loop, ...) open no block and close
-- none: a label before LOOP / BEGIN / WHILE / REPEAT and its name after END
-- [LOOP | WHILE | REPEAT] (`end: LOOP ... END LOOP end;` closed the procedure at
-- the label, and the rest of the body became statements of their own); the
-- statement after the procedure stays one of its own
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->'body_commands' AS body,
       f->>'body_complete' AS complete
  FROM dbchange.classify_mysql($s$
CREATE PROCEDURE l1() BEGIN end: LOOP DELETE FROM t; LEAVE end; END LOOP end; UPDATE t SET a = 1; END;
DROP TABLE i1;
CREATE PROCEDURE l2() end: BEGIN DELETE FROM t; END end;
DROP TABLE i2;
CREATE PROCEDURE l3() BEGIN END: WHILE 1 DO DELETE FROM t; END WHILE END; `end`: REPEAT SELECT 1; UNTIL end > 1 END REPEAT `end`; END;
DROP TABLE i3;
CREATE TRIGGER l4 BEFORE INSERT ON t FOR EACH ROW begin: BEGIN loop: LOOP LEAVE loop; END LOOP loop; END begin;
DROP TABLE i4;
CREATE EVENT l5 ON SCHEDULE EVERY 1 DAY DO end: BEGIN IF 1 THEN end2: LOOP LEAVE end2; END LOOP end2; ELSE DELETE FROM t; END IF; END end;
DROP TABLE i5;
CREATE FUNCTION l6() RETURNS INT DETERMINISTIC end: BEGIN RETURN 1; END end;
CREATE PROCEDURE l7() BEGIN SELECT begin FROM t; END; DROP TABLE important;
$s$) f;

-- red team: MariaDB's FOR loop (FOR i IN 1..n DO, FOR r IN cursor DO) was read
-- as a statement up to its first ';', which hid the loop's first statement
-- (FOR ... DO DROP TABLE t was a harmless "FOR"); it is flow control like WHILE
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->'body_commands' AS body,
       f->>'body_destructive' AS body_destr, f->>'body_complete' AS complete
  FROM dbchange.classify_mysql($s$
CREATE PROCEDURE f1() BEGIN FOR i IN 1..3 DO DROP TABLE t; END FOR; END;
CREATE PROCEDURE f2() BEGIN
  DECLARE c CURSOR FOR SELECT a FROM t;
  lbl: FOR r IN c DO DELETE FROM t2 WHERE a = r.a; END FOR lbl;
  FOR r IN (SELECT a FROM t) DO TRUNCATE t3; END FOR;
  FOR i IN REVERSE 1..3 DO SELECT i; END FOR;
END;
DROP TABLE i6;
$s$) f;

-- red team: MariaDB's BACKUP STAGE (server-wide: BLOCK_DDL makes DDL wait in
-- every session, BLOCK_COMMIT every commit) and BACKUP LOCK t / BACKUP UNLOCK
-- were a bare "BACKUP"; they are server-level commands of their own (fact
-- backup_stage, the table locked), which commit; BACKUP TABLE stays "BACKUP"
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->>'object_type' AS object_type,
       f->'operations' AS ops, f->>'backup_stage' AS stage, f->>'table' AS "table",
       jsonb_path_query_array(f, '$.objects[*].identity') AS objects, f->>'implicit_commit' AS commits
  FROM dbchange.classify_mysql($s$
BACKUP STAGE START;
BACKUP STAGE FLUSH;
BACKUP STAGE BLOCK_DDL;
BACKUP STAGE BLOCK_COMMIT;
backup stage end;
BACKUP LOCK shop.orders;
BACKUP LOCK t;
BACKUP UNLOCK;
BACKUP TABLE t TO '/tmp';
$s$, 'db') f;

-- red team: a body statement whose first word the classifier does not know (a
-- MariaDB-only statement, a typo, a word MariaDB reads as something else) got
-- that word as its command and counted as harmless, the body as read in full;
-- now it leaves the body unread (body_complete false, body_destructive true),
-- as an UNKNOWN statement does.  The statements it knows stay as they were.
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->'body_commands' AS body,
       f->>'body_complete' AS complete, f->>'body_destructive' AS body_destr
  FROM dbchange.classify_mysql($s$
CREATE PROCEDURE w1() BEGIN SELECT 1; FROBNICATE t; END;
CREATE PROCEDURE w2() BEGIN IMPORT TABLE FROM '/tmp/t.sdi'; END;
CREATE TRIGGER w3 AFTER INSERT ON t FOR EACH ROW LOAD XML INFILE '/tmp/x.xml' INTO TABLE t2;
CREATE EVENT w4 ON SCHEDULE EVERY 1 DAY DO BEGIN CREATE FROB x; END;
CREATE PROCEDURE w5() BEGIN IF 1 THEN CHANGE SOMETHING; END IF; END;
CREATE PROCEDURE w6() BEGIN ANALYZE; END;
CREATE PROCEDURE k3() BEGIN
  DO 1; GET DIAGNOSTICS @n = NUMBER; SHOW TABLES; XA START 'x'; XA END 'x'; XA PREPARE 'x';
  XA COMMIT 'x'; SAVEPOINT s; RELEASE SAVEPOINT s; COMMIT; ROLLBACK; CHECKSUM TABLE t;
  CACHE INDEX t IN hot; LOAD INDEX INTO CACHE t; EXPLAIN SELECT 1; DESCRIBE t; ANALYZE SELECT 1;
  VALUES (1); SIGNAL SQLSTATE '45000'; CALL p(); WITH x AS (SELECT 1) SELECT * FROM x;
  ANALYZE TABLE t; OPTIMIZE TABLE t; CREATE TABLE t4 (a int); CREATE TEMPORARY TABLE t5 (a int);
END;
CREATE FUNCTION k4() RETURNS INT BEGIN DECLARE c CURSOR FOR SELECT 1; OPEN c; FETCH c INTO @x; CLOSE c; RETURN 1; END;
CREATE PROCEDURE k5() lbl: LOOP ITERATE lbl; LEAVE lbl; END LOOP lbl;
$s$) f;

-- red team: MariaDB's ANALYZE stmt runs stmt (ANALYZE DELETE FROM t deletes every
-- row, checked against MariaDB 10.11), so does MySQL's EXPLAIN ANALYZE; read as
-- a harmless "ANALYZE" / "EXPLAIN", they now get the facts of stmt, at the top
-- level and in a body.  ANALYZE TABLE and a plain EXPLAIN stay what they were.
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->>'identity' AS identity,
       f->>'destructive' AS destr, f->>'has_where' AS has_where, f->'body_commands' AS body,
       f->>'body_destructive' AS body_destr
  FROM dbchange.classify_mysql($s$
ANALYZE DELETE FROM t;
analyze format = json UPDATE t SET a = 1;
ANALYZE SELECT * FROM t;
EXPLAIN ANALYZE DELETE FROM t;
DESCRIBE ANALYZE UPDATE t SET a = 1 WHERE id = 1;
ANALYZE TABLE t;
EXPLAIN DELETE FROM t;
CREATE PROCEDURE a1() BEGIN ANALYZE DELETE FROM t; END;
$s$, 'db') f;

-- MySQL and MariaDB refuse to create a stored program within a stored program's
-- body (CREATE EVENT and ALTER EVENT ... DO: "Recursion of EVENT DDL statements
-- is forbidden when body is present"; CREATE PROCEDURE / FUNCTION / TRIGGER:
-- "Can't create a ... from within another stored routine"; checked against
-- MariaDB 10.11 by regress/tests/mysql_targets.sh).  dbchange read the inner
-- event's body up to its first ';' and took the rest for statements of the
-- procedure; now it refuses such a script, naming the statement and its line.
SELECT f->>'command' FROM dbchange.classify_mysql($s$
CREATE PROCEDURE p()
BEGIN
  SELECT 1;
  CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t WHERE id = 1; DROP TABLE u; END;
END;
$s$) f;
SELECT f->>'command' FROM dbchange.classify_mysql('CREATE PROCEDURE p() CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO SELECT 1') f;
SELECT f->>'command' FROM dbchange.classify_mysql('CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW BEGIN IF 1 THEN ALTER EVENT e DO DELETE FROM y; END IF; END') f;
SELECT f->>'command' FROM dbchange.classify_mysql('CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN CREATE DEFINER = CURRENT_USER PROCEDURE q() SELECT 1; END') f;
SELECT f->>'command' FROM dbchange.classify_mysql('CREATE FUNCTION f() RETURNS INT BEGIN CREATE TRIGGER t2 AFTER INSERT ON x FOR EACH ROW SET @a = 1; RETURN 1; END') f;
SELECT f->>'command' FROM dbchange.classify_mysql('ALTER EVENT e DO BEGIN CREATE FUNCTION g() RETURNS INT RETURN 1; END') f;
-- evaluate_mysql refuses it too (submit_mysql: regress/sql/mysql_submit.sql)
SELECT count(*) FROM dbchange.evaluate_mysql('CREATE PROCEDURE p() BEGIN CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO SELECT 1; END');
-- accepted, as by the server: ALTER EVENT without DO, a loadable function (no body)
SELECT f->>'command' AS command, f->'body_commands' AS body, f->>'body_complete' AS complete
  FROM dbchange.classify_mysql('CREATE PROCEDURE p() BEGIN ALTER EVENT e DISABLE; ALTER EVENT e ON SCHEDULE EVERY 2 DAY; CREATE FUNCTION u RETURNS STRING SONAME ''u.so''; DROP EVENT e; END') f;

-- fact unknown: the classifier does not know the statement (its command is only
-- its first words, or UNKNOWN); every statement it knows, by name or by its first
-- word alone, is not unknown.  The same fact in body_statements.
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->>'unknown' AS unknown
  FROM dbchange.classify_mysql($s$
LOAD XML INFILE '/tmp/rows.xml' INTO TABLE t;
CHECK VIEW v;
REPAIR VIEW v FROM MYSQL;
IMPORT TABLE FROM '/tmp/t.sdi';
FROBNICATE t;
(SELECT 1) UNION (SELECT 2);
CREATE WIDGET w;
ANALYZE FORMAT = JSON FROBNICATE t;
SET STATEMENT max_statement_time = 1 FOR FROBNICATE t;
LOAD DATA INFILE '/tmp/x' INTO TABLE t;
LOAD INDEX INTO CACHE t;
CACHE INDEX t IN hot;
CHECK TABLE t;
HANDLER t OPEN;
XA START 'x';
SELECT 1;
SHOW TABLES;
SET @a = 1;
INSTALL SONAME 'ha_x';
SHUTDOWN;
CREATE TABLE t2 (id INT);
$s$) f;
SELECT b->>'statement_no' AS n, b->>'command' AS command, b->>'unknown' AS unknown
  FROM dbchange.classify_mysql('CREATE PROCEDURE p() BEGIN SELECT 1; CHECK VIEW v; DELETE FROM t WHERE id = 1; END') f,
       jsonb_array_elements(f->'body_statements') b;

-- files of the server read or written (reads_server_file, writes_server_file),
-- and of the client that runs the statement (reads_client_file): anywhere in
-- the statement, a view's query and a stored program's body included, and in
-- an executable comment; not a table, column or string that only looks like it
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->>'reads_server_file' AS reads_server,
       f->>'writes_server_file' AS writes_server, f->>'reads_client_file' AS reads_client
  FROM dbchange.classify_mysql($s$
LOAD DATA LOCAL INFILE '/home/deployer/.my.cnf' INTO TABLE loot;
LOAD DATA LOW_PRIORITY INFILE '/etc/passwd' INTO TABLE loot;
LOAD XML LOCAL INFILE '/x.xml' INTO TABLE loot;
SELECT 'x' INTO OUTFILE '/tmp/out.txt';
SELECT 0x7f454c46 INTO DUMPFILE '/usr/lib/mysql/plugin/evil.so';
SELECT * FROM t INTO OUTFILE '/tmp/t.csv' FIELDS TERMINATED BY ',';
INSERT INTO loot SELECT LOAD_FILE('/etc/shadow');
UPDATE loot SET line = load_file ('/etc/hosts');
CREATE VIEW v AS SELECT LOAD_FILE('/etc/passwd') AS p;
SELECT 1 /*!50000 INTO OUTFILE '/tmp/hidden.txt' */;
INSERT INTO dumpfile VALUES (1);
INSERT INTO outfile (load_file) VALUES ('LOAD_FILE(x)');
SELECT `load_file`(1), infile FROM t;
SELECT 'INTO OUTFILE ''/tmp/x''';
$s$) f;
SELECT f->>'command' AS command, f->>'writes_server_file' AS writes_server,
       b->>'command' AS body_command, b->>'writes_server_file' AS body_writes_server
  FROM dbchange.classify_mysql('CREATE PROCEDURE p() BEGIN SELECT 1; SELECT * FROM t INTO OUTFILE ''/tmp/p.txt''; END') f,
       jsonb_array_elements(f->'body_statements') b;

-- DBA audit: partition maintenance (DROP PARTITION lists every partition;
-- COALESCE / REORGANIZE keep the rows but copy them; MariaDB's CONVERT
-- PARTITION / CONVERT TABLE are no character set conversion), InnoDB's
-- LOCK=SHARED-at-best builds (FULLTEXT, SPATIAL, a foreign key: a table copy)
SELECT f->>'statement_no' AS n, f->'operations' AS operations,
       (SELECT jsonb_agg(s->'name') FROM jsonb_array_elements(f->'subcommands') s) AS names,
       f->>'destructive' AS destructive, f->>'rewrites_table' AS rewrites,
       f->>'index_method' AS index_method, f->>'blocks_writes' AS blocks_writes, f->>'blocks_reads' AS blocks_reads
  FROM dbchange.classify_mysql($s$
ALTER TABLE o DROP PARTITION p1, p2;
ALTER TABLE o DROP PARTITION p1, DROP COLUMN c;
ALTER TABLE o TRUNCATE PARTITION ALL;
ALTER TABLE o COALESCE PARTITION 2;
ALTER TABLE o REORGANIZE PARTITION p0, p1 INTO (PARTITION p01 VALUES LESS THAN (20));
ALTER TABLE o EXCHANGE PARTITION p0 WITH TABLE o_arch;
ALTER TABLE o CONVERT PARTITION p0 TO TABLE o_p0;
ALTER TABLE o CONVERT TABLE o_p0 TO PARTITION p0 VALUES LESS THAN (10);
ALTER TABLE o CONVERT TO CHARACTER SET utf8mb4;
ALTER TABLE o DISCARD TABLESPACE;
CREATE FULLTEXT INDEX ft ON o (note);
CREATE SPATIAL INDEX sp ON g (p);
ALTER TABLE o ADD FULLTEXT KEY ft (note);
ALTER TABLE o ADD SPATIAL INDEX (g), LOCK=EXCLUSIVE;
ALTER TABLE o ADD INDEX i (c);
ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES cust (id);
CREATE INDEX i ON o (c);
$s$) f;
-- GRANT / REVOKE: privileges, the level (instance for ON *.*), grantees, options
SELECT f->>'statement_no' AS n, f->>'object_type' AS object_type, f->>'schema' AS schema, f->>'name' AS name,
       f->'operations' AS operations, f->>'is_grant' AS is_grant, f->'privileges' AS privileges,
       f->'grantees' AS grantees, f->>'grant_option' AS grant_option, f->'granted_roles' AS roles,
       f->>'admin_option' AS admin_option
  FROM dbchange.classify_mysql($s$
GRANT ALL ON *.* TO app@'%' WITH GRANT OPTION;
GRANT SELECT (a, b), INSERT ON shop.t TO 'app'@'%', bob;
GRANT CREATE USER, REPLICATION SLAVE, CONNECTION_ADMIN ON *.* TO x;
GRANT PROXY ON 'root'@'localhost' TO app;
GRANT dba, 'r2'@'%' TO app WITH ADMIN OPTION;
REVOKE ALL PRIVILEGES, GRANT OPTION FROM app;
REVOKE INSERT ON shop.* FROM app;
GRANT SELECT ON shop.* TO PUBLIC;
GRANT SELECT ON shop.* TO u IDENTIFIED BY 'x';
GRANT SELECT ON mysql.user TO u;
GRANT EXECUTE ON PROCEDURE shop.p TO app;
GRANT GRANT OPTION ON shop.* TO app;
$s$) f;
-- session settings: every system variable a SET assigns, with its scope, its value
-- as written and a single literal's value (null for an expression or a variable);
-- user variables, SET NAMES / TRANSACTION are none; SET STATEMENT ... FOR stmt gives
-- stmt its settings (scope statement); a body statement has its own
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->'settings' AS settings
  FROM dbchange.classify_mysql($s$
SET sql_mode = '';
SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE', LOCAL foreign_key_checks = 0;
SET @@session.sql_mode := REPLACE(@@sql_mode, 'STRICT_TRANS_TABLES', ''), @@unique_checks = OFF, @x = 1;
SET @@sql_mode = DEFAULT, `check_constraint_checks` = 0;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
SET SQL_MODE = @OLD_SQL_MODE;
SET GLOBAL binlog_format = 'STATEMENT', sql_safe_updates = 0, SESSION alter_algorithm = COPY;
SET PERSIST max_connections = 10;
SET @a = 1, @b = (SELECT 1);
SET NAMES utf8mb4;
SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
SET STATEMENT foreign_key_checks = 0, max_statement_time = (1 + 1) FOR ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES cust (id);
CREATE TABLE t (id int);
$s$) f;
SELECT b->>'statement_no' AS n, b->>'command' AS command, b->'settings' AS settings
  FROM dbchange.classify_mysql($s$
CREATE PROCEDURE p() BEGIN SET foreign_key_checks = 0; DELETE FROM t WHERE a = 1; END;
$s$) f, jsonb_array_elements(f->'body_statements') b;
-- red team: MariaDB takes more assignments after SET PASSWORD's value and
-- after SET DEFAULT ROLE r [FOR user]; they are settings too (and
-- sql_log_bin = 0 there hides from replicas). MySQL's SET DEFAULT ROLE r1, r2
-- TO u1, u2 has lists, no assignments
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->>'name' AS name,
       f->'settings' AS settings, f->>'hides_from_replicas' AS hides
  FROM dbchange.classify_mysql($s$
SET PASSWORD = PASSWORD('x'), foreign_key_checks = 0;
SET PASSWORD FOR app@'%' = 'x', @@session.sql_log_bin = 0;
SET DEFAULT ROLE r1 FOR app@localhost, SESSION unique_checks := OFF;
SET DEFAULT ROLE r1, foreign_key_checks = 0;
SET DEFAULT ROLE r1, r2 TO app, ops;
$s$) f;
-- SET STATEMENT ... FOR SET STATEMENT ... FOR stmt (MariaDB takes any depth):
-- every level's settings, the innermost statement's command, sql_log_bin = 0
-- at any level hides it; 20,000 levels are read without exhausting the stack
SELECT f->>'command' AS command, f->'settings' AS settings, f->>'hides_from_replicas' AS hides
  FROM dbchange.classify_mysql($s$
SET STATEMENT max_statement_time = 10 FOR SET STATEMENT sql_log_bin = 0, foreign_key_checks = 0 FOR SET STATEMENT unique_checks = 0 FOR DROP TABLE victim;
$s$) f;
SELECT f->>'command' AS command, jsonb_array_length(f->'settings') AS settings
  FROM dbchange.classify_mysql(repeat('SET STATEMENT a = 1 FOR ', 20000) || 'DROP TABLE victim') f;
-- an edit of the variable's own current value (facts removes / adds): REPLACE
-- of flags over @@var (nested, any case, either quote, in (SELECT ...), with
-- comments), CONCAT / CONCAT_WS appending flags; @@GLOBAL.var only for SET
-- GLOBAL.  Red team: anything else is unread (no removes / adds): another
-- replacement, a variable argument, another scope's value, a quoted or
-- qualified function (a stored function), REPLACE around CONCAT, text
-- appended without a comma, commas only, adjacent strings, an introducer, an
-- executable comment inside; a further assignment is a setting of its own
SELECT f->>'statement_no' AS n, s->>'scope' AS scope, s->>'value' AS value, s->'removes' AS removes, s->'adds' AS adds
  FROM dbchange.classify_mysql($s$
SET sql_mode = (SELECT REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', ''));
SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'ONLY_FULL_GROUP_BY', '');
set sql_mode = replace(replace(@@local.sql_mode, "ONLY_FULL_GROUP_BY,", ''), 'STRICT_ALL_TABLES', '');
SET sql_mode = REPLACE(@@sql_mode, /* 'ONLY_FULL_GROUP_BY' */ 'STRICT_TRANS_TABLES', '') -- c
;
SET sql_mode = CONCAT(@@sql_mode, ',NO_ZERO_DATE', ',allow_invalid_dates');
SET sql_mode = CONCAT_WS(',', (REPLACE((SELECT @@sql_mode), 'ONLY_FULL_GROUP_BY', '')), 'NO_ZERO_DATE,NO_ZERO_IN_DATE');
SET GLOBAL sql_mode = REPLACE(@@GLOBAL.sql_mode, 'ONLY_FULL_GROUP_BY', '');
SET STATEMENT sql_mode = REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', '') FOR SELECT 1;
SET sql_mode = REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', 'ALLOW_INVALID_DATES');
SET sql_mode = REPLACE(@@sql_mode, @x, '');
SET sql_mode = REPLACE(@@global.sql_mode, 'ONLY_FULL_GROUP_BY', '');
SET GLOBAL sql_mode = REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', '');
SET sql_mode = `replace`(@@sql_mode, 'ONLY_FULL_GROUP_BY', '');
SET sql_mode = shop.concat(@@sql_mode, ',NO_ZERO_DATE');
SET sql_mode = REPLACE(CONCAT(@@sql_mode, ',ALLOW_INVALIDX_DATES'), 'X', '');
SET sql_mode = CONCAT(@@sql_mode, 'NO_ZERO_DATE');
SET sql_mode = REPLACE(@@sql_mode, ',', '');
SET sql_mode = REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY' 'STRICT_TRANS_TABLES', '');
SET sql_mode = REPLACE(@@sql_mode, _latin1'STRICT_TRANS_TABLES', '');
SET sql_mode = REPLACE(@@sql_mode, /*!50000 'STRICT_TRANS_TABLES' */ 'X', '');
SET sql_mode = REPLACE(@@sql_mode, 'X' /*M! , 'STRICT_TRANS_TABLES' */, '');
SET sql_mode = REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', '') /*!999999 , sql_mode = '' */;
SET sql_mode = REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', ''), sql_mode = '';
SET sql_mode = REPLACE(@ @sql_mode, 'ONLY_FULL_GROUP_BY', '');
SET foreign_key_checks = REPLACE(@@foreign_key_checks, '1', '');
$s$) f, jsonb_array_elements(f->'settings') s;
-- MariaDB adds a foreign key in place (ALGORITHM=NOCOPY, LOCK=NONE) with
-- foreign_key_checks off for the statement: no rewrite, writes go on; on
-- again after it, or ALGORITHM=COPY, the table is copied while writes wait
SELECT f->>'statement_no' AS n, f->>'rewrites_table' AS rewrites, f->>'blocks_writes' AS blocks_writes
  FROM dbchange.classify_mysql($s$
SET STATEMENT foreign_key_checks = 0 FOR ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES cust (id);
SET STATEMENT foreign_key_checks = 'off' FOR ALTER TABLE o ADD FOREIGN KEY (c) REFERENCES cust (id), LOCK=NONE;
SET STATEMENT foreign_key_checks = 0, foreign_key_checks = 1 FOR ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES cust (id);
SET STATEMENT foreign_key_checks = @x FOR ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES cust (id);
SET STATEMENT foreign_key_checks = 0 FOR ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES cust (id), ALGORITHM=COPY;
SET STATEMENT foreign_key_checks = 0 FOR ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES cust (id), MODIFY d bigint;
SET foreign_key_checks = 0;
ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES cust (id);
$s$) f;
-- the session's own SET foreign_key_checks = 0 holds for the script's later
-- statements (they run in order, in one session) until one switches it on
-- again; SET GLOBAL is for new sessions, SET STATEMENT for its statement, a
-- value dbchange cannot read counts as on, and a stored program's body runs
-- in whichever session calls it (mysqldump writes the first form)
SELECT f->>'statement_no' AS n, f->>'command' AS command, f->>'rewrites_table' AS rewrites,
       f->>'blocks_writes' AS blocks_writes
  FROM dbchange.classify_mysql($s$
ALTER TABLE o ADD CONSTRAINT fk1 FOREIGN KEY (c) REFERENCES cust (id);
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
ALTER TABLE o ADD CONSTRAINT fk2 FOREIGN KEY (c) REFERENCES cust (id);
CREATE PROCEDURE p() BEGIN ALTER TABLE o ADD CONSTRAINT fk3 FOREIGN KEY (c) REFERENCES cust (id); END;
SET STATEMENT foreign_key_checks = 1 FOR ALTER TABLE o ADD CONSTRAINT fk4 FOREIGN KEY (c) REFERENCES cust (id);
SET GLOBAL foreign_key_checks = 1;
ALTER TABLE o ADD CONSTRAINT fk5 FOREIGN KEY (c) REFERENCES cust (id);
SET foreign_key_checks = @OLD_FOREIGN_KEY_CHECKS;
ALTER TABLE o ADD CONSTRAINT fk6 FOREIGN KEY (c) REFERENCES cust (id);
SET @@session.foreign_key_checks = OFF;
ALTER TABLE o ADD CONSTRAINT fk7 FOREIGN KEY (c) REFERENCES cust (id);
SET foreign_key_checks = DEFAULT;
ALTER TABLE o ADD CONSTRAINT fk8 FOREIGN KEY (c) REFERENCES cust (id);
$s$) f;
SELECT b->>'statement_no' AS n, b->>'command' AS command, b->>'rewrites_table' AS rewrites
  FROM dbchange.classify_mysql($s$
SET foreign_key_checks = 0;
CREATE PROCEDURE p() BEGIN ALTER TABLE o ADD CONSTRAINT fk3 FOREIGN KEY (c) REFERENCES cust (id); END;
$s$) f, jsonb_array_elements(f->'body_statements') b;

-- Long lists take linear time (docs/mysql.md, "Robustness"): a RENAME TABLE of 30,000 pairs
-- re-scanned the rest of the statement after each pair, and each name of a PRIMARY KEY was
-- matched against every column: 14 s and 8 s, which no cancel could interrupt
SET statement_timeout = '5s';
SELECT f->>'command' AS command, jsonb_array_length(f->'objects') AS objects, f->>'new_name' AS new_name
  FROM dbchange.classify_mysql((SELECT 'RENAME TABLE ' || string_agg(format('a%s TO b%s', i, i), ', ')
                                  FROM generate_series(1, 30000) i)) f;
SELECT count(*) FILTER (WHERE (col->>'primary_key')::bool AND (col->>'not_null')::bool) AS key_columns,
       count(*) AS columns
  FROM dbchange.classify_mysql((SELECT 'CREATE TABLE t (' || string_agg(format('c%s int', i), ', ') ||
                                       ', PRIMARY KEY (' || string_agg(format('C%s', i), ', ') || '))'
                                  FROM generate_series(1, 40000) i)) f,
       jsonb_array_elements(f->'columns') col;
RESET statement_timeout;
-- a PRIMARY KEY may name columns defined after it (MariaDB makes them NOT NULL key columns)
SELECT col->>'name' AS name, col->>'primary_key' AS primary_key, col->>'not_null' AS not_null
  FROM dbchange.classify_mysql('CREATE TABLE t (PRIMARY KEY (b, `A`), a int, b int, c int)') f,
       jsonb_array_elements(f->'columns') col;
-- a type modifier numeric input cannot read is left out, not an error about PostgreSQL's
-- numeric type (the tokenizer reads "1.2.3" as one number; MySQL refuses both); so is
-- any modifier with a dot, which MySQL and MariaDB refuse too ((10, .5) is not 5)
SELECT col->>'name' AS name, col->'typmods' AS typmods
  FROM dbchange.classify_mysql('CREATE TABLE t (a decimal(1.2.3), b varchar(' || repeat('9', 140000) ||
                               '), c decimal(10, 2), d decimal(10.), e decimal(10, .5), g float(7, 4))') f,
       jsonb_array_elements(f->'columns') col;
-- DROP PREPARE is DEALLOCATE PREPARE's other spelling (MariaDB and MySQL), not an unknown
-- object kind: known at the top level, and a body holding it is read in full
SELECT f->>'command' AS command, f->>'unknown' AS unknown, f->>'is_ddl' AS is_ddl,
       f->>'body_complete' AS body_complete, f->>'body_destructive' AS body_destructive
  FROM dbchange.classify_mysql($s$
DROP PREPARE s;
DEALLOCATE PREPARE s;
CREATE PROCEDURE p() BEGIN PREPARE s FROM 'SELECT 1'; EXECUTE s; DROP PREPARE s; END;
$s$) f;
