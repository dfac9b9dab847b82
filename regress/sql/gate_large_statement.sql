-- A statement far larger than a heap page: the gate records it whole (the
-- change row's statement and facts go to TOAST), and the views give it back.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_gate_large_statement;
CREATE DATABASE regress_gate_large_statement;
\c regress_gate_large_statement
SET client_min_messages = warning;
CREATE EXTENSION dbchange;

-- a function whose body is about 380 kB
SELECT format('CREATE FUNCTION big_f() RETURNS int LANGUAGE sql AS %L',
              'SELECT 1 ' || repeat('/* padding padding padding padding */ ', 10000)) AS ddl \gset
:ddl;
SELECT big_f() AS runs;

SELECT command, length(statement) > 380000 AS whole, statement = :'ddl' AS exact
  FROM dbchange.change ORDER BY id DESC LIMIT 1;
SELECT statement_no, command, action, length(facts->>'statement') = length(statement) AS facts_whole
  FROM dbchange.change_statement WHERE change_id = (SELECT max(id) FROM dbchange.change);
SELECT action, object_type, identity FROM dbchange.change_object
 WHERE change_id = (SELECT max(id) FROM dbchange.change);
-- the row did not fit a page: its large values were moved out of line
SELECT pg_column_size(c.*) < length(c.statement) AS toasted FROM dbchange.change c
 WHERE id = (SELECT max(id) FROM dbchange.change);
