-- The classifier's reach facts (docs/facts.md, "Descendants"): the partitions and inheritance
-- children a statement acts on without naming them (descendants, descendant_count), the
-- relations of a schema dropped with CASCADE (schema_relations, schema_relation_count), and the
-- size of all the data reached (total_rows, total_bytes).  ONLY, statements that stay on the
-- table, and tables without children get none of them.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_classify_descendants;
CREATE DATABASE regress_classify_descendants;
\c regress_classify_descendants
SET client_min_messages = warning;
CREATE EXTENSION dbchange;

-- A partitioned table, one partition in another schema and itself partitioned; an
-- inheritance parent with a child and a grandchild; a plain table.
CREATE SCHEMA arch;
CREATE TABLE ev (id int, at date, v text) PARTITION BY RANGE (at);
CREATE TABLE ev_2023 PARTITION OF ev FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE arch.ev_2022 PARTITION OF ev FOR VALUES FROM ('2022-01-01') TO ('2023-01-01')
  PARTITION BY RANGE (at);
CREATE TABLE arch.ev_2022h1 PARTITION OF arch.ev_2022 FOR VALUES FROM ('2022-01-01') TO ('2022-07-01');
INSERT INTO ev SELECT g, '2023-03-01', 'x' FROM generate_series(1, 3000) g;
INSERT INTO ev SELECT g, '2022-03-01', 'x' FROM generate_series(1, 2000) g;
CREATE TABLE inh (id int, v text);
CREATE TABLE inh_c () INHERITS (inh);
CREATE TABLE inh_gc () INHERITS (inh_c);
INSERT INTO inh SELECT g, 'x' FROM generate_series(1, 100) g;
INSERT INTO inh_c SELECT g, 'x' FROM generate_series(1, 400) g;
INSERT INTO inh_gc SELECT g, 'x' FROM generate_series(1, 500) g;
CREATE TABLE plain (id int);
ANALYZE;

-- DROP TABLE of a partitioned table: every partition, breadth first, schema-qualified, with
-- its own rows and bytes (a partitioned partition has no data of its own: null);
-- table_rows/table_bytes already sum the partitions, so the totals are the same.
SELECT jsonb_pretty(f->'descendants') AS descendants, f->'descendant_count' AS n,
       f->'table_rows' AS table_rows, f->'total_rows' AS total_rows,
       f->'total_bytes' = f->'table_bytes' AS total_bytes_is_table_bytes
  FROM dbchange.classify('DROP TABLE ev') f;
SELECT (f->'descendants'->0->>'bytes')::bigint = pg_relation_size('ev_2023') AS partition_bytes_match,
       (f->>'total_bytes')::bigint = pg_relation_size('ev_2023') + pg_relation_size('arch.ev_2022h1') AS total_bytes_match
  FROM dbchange.classify('DROP TABLE ev') f;

-- An inheritance parent: its children are dropped only with CASCADE (without it the DROP
-- fails); the totals add the children's data to the parent's.
SELECT s.n AS statement_no, f->>'command' AS command, f ? 'descendants' AS has_descendants,
       (SELECT string_agg((d->>'identity') || ' partition=' || (d->>'partition') || ' of ' ||
                          (d->>'descendant_of') || ' rows=' || (d->>'rows'), '; ')
          FROM jsonb_array_elements(f->'descendants') d) AS descendants,
       f->'table_rows' AS table_rows, f->'total_rows' AS total_rows
  FROM dbchange.classify('DROP TABLE inh; DROP TABLE inh CASCADE; DROP TABLE IF EXISTS nosuch CASCADE')
       WITH ORDINALITY AS s(f, n);
SELECT (f->>'total_bytes')::bigint = pg_relation_size('inh') + pg_relation_size('inh_c') + pg_relation_size('inh_gc')
         AS total_bytes_match
  FROM dbchange.classify('DROP TABLE inh CASCADE') f;

-- Which statements reach below the table, and how far.  A table named and also below
-- another named one is listed once (as named), and its data counted once in the totals.
SELECT s.n AS statement_no, f->>'command' AS command, f->'descendant_count' AS n,
       (SELECT string_agg(d->>'identity', ', ') FROM jsonb_array_elements(f->'descendants') d) AS descendants,
       f->'total_rows' AS total_rows
  FROM dbchange.classify($$
TRUNCATE ev;
TRUNCATE ONLY inh;
TRUNCATE inh;
TRUNCATE ev, ev_2023;
TRUNCATE arch.ev_2022, ev;
TRUNCATE inh, inh_c;
TRUNCATE plain;
ALTER TABLE ev DROP COLUMN v;
ALTER TABLE ev ALTER COLUMN v TYPE varchar(10);
ALTER TABLE ONLY ev ADD COLUMN w int;
ALTER TABLE inh ALTER COLUMN v SET NOT NULL;
ALTER TABLE inh ADD CONSTRAINT inh_id_positive CHECK (id > 0);
ALTER TABLE inh ADD PRIMARY KEY (id);
ALTER TABLE ev ADD PRIMARY KEY (id, at);
ALTER TABLE ev OWNER TO CURRENT_USER;
ALTER TABLE inh OWNER TO CURRENT_USER, ADD COLUMN w int;
ALTER TABLE ev RENAME COLUMN v TO w;
ALTER TABLE ONLY inh RENAME COLUMN v TO w;
ALTER TABLE ev RENAME TO ev_all;
CREATE INDEX ON ev (v);
CREATE INDEX ON ONLY ev (v);
CREATE INDEX ON inh (v);
CREATE TRIGGER ev_row AFTER INSERT ON ev FOR EACH ROW EXECUTE FUNCTION f();
CREATE TRIGGER ev_stmt AFTER INSERT ON ev FOR EACH STATEMENT EXECUTE FUNCTION f();
DROP TABLE ev_2023;
DROP TABLE arch.ev_2022;
COMMENT ON TABLE ev IS 'events'
$$) WITH ORDINALITY AS s(f, n);

-- DROP SCHEMA ... CASCADE: the schema's relations (sorted), and their descendants in other
-- schemas; the totals are all their data.  Without CASCADE (the DROP fails when the schema
-- is not empty), or for a schema that does not exist: none of these facts.
CREATE VIEW arch.ev_v AS SELECT * FROM arch.ev_2022;
CREATE SEQUENCE arch.seq;
CREATE SCHEMA sales;
CREATE TABLE sales.inv (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE arch.inv_2022 PARTITION OF sales.inv FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
SELECT s.n AS statement_no,
       (SELECT string_agg((r->>'object_type') || ' ' || (r->>'identity'), ', ')
          FROM jsonb_array_elements(f->'schema_relations') r) AS schema_relations,
       f->'schema_relation_count' AS n,
       (SELECT string_agg((d->>'identity') || ' of ' || (d->>'descendant_of'), ', ')
          FROM jsonb_array_elements(f->'descendants') d) AS descendants,
       f->'total_rows' AS total_rows
  FROM dbchange.classify('DROP SCHEMA arch CASCADE; DROP SCHEMA sales CASCADE; DROP SCHEMA arch;
                          DROP SCHEMA IF EXISTS nosuch CASCADE') WITH ORDINALITY AS s(f, n);

-- The list stops at 1,000; the count is whole, and the totals cover them all.
CREATE TABLE many (id int) PARTITION BY LIST (id);
DO $$ BEGIN
  FOR i IN 1..1005 LOOP
    EXECUTE format('CREATE TABLE many_%s PARTITION OF many FOR VALUES IN (%s)', i, i);
  END LOOP;
END $$;
INSERT INTO many SELECT g FROM generate_series(1, 1005) g;
ANALYZE many;
SELECT jsonb_array_length(f->'descendants') AS listed, f->'descendant_count' AS n,
       f->'descendants'->0->>'identity' AS first, f->'descendants'->999->>'identity' AS last_listed,
       f->'total_rows' AS total_rows
  FROM dbchange.classify('TRUNCATE many') f;

-- The documents are written as PostgreSQL's own jsonb conversion would write them.
SELECT count(*) AS facts, count(*) FILTER (WHERE NOT dbchange._jsonb_write_check(f)) AS written_otherwise
  FROM dbchange.classify('DROP TABLE ev; DROP TABLE inh CASCADE; TRUNCATE many; DROP SCHEMA sales CASCADE;
                          ALTER TABLE ev ADD COLUMN w int') f;

-- CREATE INDEX ... ON ONLY a partitioned table builds nothing (an invalid index on the parent,
-- to which the partitions' indexes are attached later): it scans nothing.  ON ONLY a plain or
-- inheritance table changes nothing: the index is built.
SELECT s.n AS statement_no, f->>'statement' AS statement, f->'scans_table' AS scans_table
  FROM dbchange.classify('CREATE INDEX ON ev (v); CREATE INDEX ON ONLY ev (v);
                          CREATE INDEX ON ONLY inh (v); CREATE INDEX ON ONLY plain (id)') WITH ORDINALITY AS s(f, n);
-- CREATE / ALTER SEQUENCE ... CYCLE or NO CYCLE; not given: null.
CREATE SEQUENCE cyc;
SELECT s.n AS statement_no, f->>'statement' AS statement, f->'cycle' AS cycle
  FROM dbchange.classify('ALTER SEQUENCE cyc CYCLE; ALTER SEQUENCE cyc NO CYCLE; ALTER SEQUENCE cyc INCREMENT 2;
                          CREATE SEQUENCE cyc2 CYCLE') WITH ORDINALITY AS s(f, n);
