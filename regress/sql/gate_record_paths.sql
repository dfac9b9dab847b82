-- The gate records an approved statement either directly (rowinsert.c, when
-- no trigger on its tables would fire) or through SQL (when one would, e.g.
-- with eager drift snapshots).  Both must store exactly the same rows.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_gate_record_paths;
CREATE DATABASE regress_gate_record_paths;
\c regress_gate_record_paths
SET client_min_messages = warning;
CREATE EXTENSION dbchange;

-- direct
CREATE TABLE t1 (id int PRIMARY KEY, "vä" text);
ALTER TABLE t1 ADD COLUMN w int;
-- through SQL: the eager drift trigger fires for applied changes
SELECT dbchange.set_drift_snapshots('eager');
CREATE TABLE t2 (id int PRIMARY KEY, "vä" text);
ALTER TABLE t2 ADD COLUMN w int;
SELECT dbchange.set_drift_snapshots('lazy');
-- direct again
CREATE TABLE t3 (id int PRIMARY KEY, "vä" text);
ALTER TABLE t3 ADD COLUMN w int;

SELECT id, status, command, statement, source, risk, rewrote_table, down_script IS NULL AS no_down
  FROM dbchange.change ORDER BY id;

-- the SQL path fired the eager drift trigger: one baseline per change recorded that way
SELECT change_id FROM dbchange.schema_state ORDER BY id;

-- every column the same but for what names the statement and when it ran
-- (facts and objects: compared through change_statement and change_object below)
SELECT command, count(DISTINCT to_jsonb(c) - '{id,uid,checksum,statement,created_at,decided_at,applied_at,facts,objects}'::text[]) AS variants
  FROM dbchange.change c GROUP BY command ORDER BY command;
SELECT bool_and(checksum = encode(sha256(convert_to(statement, 'UTF8')), 'hex')) AS checksums_ok,
       bool_and(created_at <= decided_at AND decided_at <= applied_at) AS times_ordered,
       count(DISTINCT uid) AS uids
  FROM dbchange.change;

SELECT s.command, count(DISTINCT to_jsonb(s) - '{change_id,statement,facts}'::text[]) AS variants,
       count(DISTINCT (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(s.facts) k)) AS fact_key_sets
  FROM dbchange.change_statement s GROUP BY s.command ORDER BY 1;
SELECT change_id, seq, action, object_type, schema_name, identity, command_tag
  FROM dbchange.change_object ORDER BY change_id, seq;
-- the applied events: not written with the statement, shown by audit_log
-- until the next seal writes them (set_drift_snapshots sealed t1's and t2's)
SELECT change_id, actor, event, details, chain_pos, hash IS NULL AS unsealed
  FROM dbchange.audit WHERE event = 'applied' ORDER BY seq;
SELECT change_id, actor, event, details, seq IS NULL AS not_written_yet, sealed
  FROM dbchange.audit_log WHERE event = 'applied' ORDER BY change_id;
SELECT dbchange.verify_audit() AS broken_before_indexes;
SELECT change_id, event, chain_pos IS NOT NULL AS sealed
  FROM dbchange.audit WHERE event = 'applied' ORDER BY seq;
SELECT count(*) AS each_change_once FROM dbchange.audit_log WHERE event = 'applied';

-- facts and objects the direct way writes are jsonb byte for byte as PostgreSQL writes it
SELECT count(*) FILTER (WHERE facts IS NOT NULL) AS with_facts,
       count(*) FILTER (WHERE NOT dbchange._jsonb_write_check(facts)) AS facts_written_otherwise,
       count(*) FILTER (WHERE NOT dbchange._jsonb_write_check(objects)) AS objects_written_otherwise,
       count(*) FILTER (WHERE facts::text::jsonb <> facts OR objects::text::jsonb <> objects) AS read_otherwise
  FROM dbchange.change;
-- and so are documents that outgrow the writer's first buffer, with numerics,
-- nulls, nesting and more than JB_OFFSET_STRIDE children in a container
SELECT dbchange._jsonb_write_check((SELECT jsonb_agg(g) FROM generate_series(1, 10000) g)) AS long_array,
       dbchange._jsonb_write_check((SELECT jsonb_object_agg('k' || g, repeat('x', g)) FROM generate_series(1, 300) g)) AS wide_object,
       dbchange._jsonb_write_check((SELECT jsonb_agg(jsonb_build_object('a', g, 'b', repeat('y', g % 50),
                                                                        'c', jsonb_build_array(g::numeric / 7, NULL, true)))
                                      FROM generate_series(1, 2000) g)) AS nested,
       dbchange._jsonb_write_check('[]') AND dbchange._jsonb_write_check('{}')
         AND dbchange._jsonb_write_check('1') AND dbchange._jsonb_write_check('[[{}]]') AS small;

-- the indexes took every row (partial ones included)
SET enable_seqscan = off;
SELECT count(*) AS by_uid FROM dbchange.change c WHERE uid IN (SELECT uid FROM dbchange.change);
-- change_uid_idx leaves out what the gate saw (source interactive: a fresh
-- uid nobody looks up); a lookup that says so, as submit and the CLI do, uses it
SELECT count(*) FILTER (WHERE source = 'interactive') AS gate_rows,
       count(*) FILTER (WHERE source <> 'interactive') AS indexed_rows FROM dbchange.change;
EXPLAIN (COSTS OFF) SELECT max(id) FROM dbchange.changes
 WHERE uid = '00000000-0000-7000-8000-000000000000'::uuid AND source <> 'interactive';
SELECT count(*) AS unsealed FROM dbchange.audit WHERE hash IS NULL AND event = 'applied';
RESET enable_seqscan;
SELECT dbchange.verify_audit() AS broken_audit_entry;

-- an index a superuser adds to the catalog (an expression, a predicate) is kept
-- up by the direct way as well
CREATE INDEX change_lower_command_idx ON dbchange.change (lower(command)) WHERE risk IS NULL;
CREATE TABLE t5 (id int);
SET enable_seqscan = off;
SELECT count(*) AS found_by_expression FROM dbchange.change WHERE lower(command) = 'create table' AND risk IS NULL;
RESET enable_seqscan;

-- the gate writes index entries itself (rowinsert.c): amcheck finds every heap
-- row in every index it belongs in, partial indexes included, on both tables
CREATE EXTENSION amcheck;
SELECT count(*) AS indexes_checked
  FROM (SELECT bt_index_check(i.indexrelid, true)
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
         WHERE i.indrelid IN ('dbchange.change'::regclass, 'dbchange.audit'::regclass)
           AND a.amname = 'btree') x;
-- change_applied_at_idx is BRIN (amcheck checks b-trees only): a window of
-- applied_at found through it, before and after its ranges are summarized,
-- holds the same changes as a scan of the whole table
SELECT array_agg(id ORDER BY id)::text AS window_by_scan
  FROM dbchange.change WHERE applied_at >= now() - interval '1 hour' AND applied_at < now() + interval '1 hour' \gset
SET enable_seqscan = off;
SELECT count(*) AS in_window, array_agg(id ORDER BY id)::text = :'window_by_scan' AS same_as_scan
  FROM dbchange.change WHERE applied_at >= now() - interval '1 hour' AND applied_at < now() + interval '1 hour';
SELECT brin_summarize_new_values('dbchange.change_applied_at_idx') >= 0 AS summarized;
SELECT array_agg(id ORDER BY id)::text = :'window_by_scan' AS same_after_summary,
       count(*) FILTER (WHERE applied_at < now() - interval '1 hour') AS outside
  FROM dbchange.change WHERE applied_at >= now() - interval '1 hour' AND applied_at < now() + interval '1 hour';
-- a window entirely before the first change: nothing
SELECT count(*) AS before_history FROM dbchange.change WHERE applied_at < now() - interval '1 day';
EXPLAIN (COSTS OFF) SELECT id FROM dbchange.change WHERE applied_at >= now() - interval '1 hour';
RESET enable_seqscan;
-- the direct way compresses facts and objects of 2 kB and more before storing
-- them inline (wide's facts, amcheck's objects), smaller ones stay as they are
-- (t1's and t5's facts); the SQL way (t2) leaves them all to the toaster
CREATE TABLE wide (c01 int, c02 int, c03 int, c04 int, c05 int, c06 int, c07 int, c08 int,
                 c09 int, c10 int, c11 int, c12 int, c13 int, c14 int, c15 int, c16 int);
SELECT id, statement, pg_column_compression(facts) AS facts_compression,
       pg_column_compression(objects) AS objects_compression
  FROM dbchange.change WHERE facts IS NOT NULL ORDER BY id;
DROP EXTENSION amcheck;
DROP INDEX dbchange.change_lower_command_idx;
-- unique indexes are checked on the direct way too: a change id that already
-- exists is refused (and the statement with it), not stored twice
-- (ids come in blocks from shared memory, ids.c: a rewind takes effect once
-- the block in hand is dropped)
SELECT setval('dbchange.change_id_seq', 1, false) IS NOT NULL AS rewound,
       dbchange._forget_id_blocks() > 0 AS blocks_dropped;
CREATE TABLE t4 (id int);
SELECT to_regclass('t4') IS NULL AS t4_not_created, count(*) AS changes_with_id_1
  FROM dbchange.change WHERE id = 1;
SELECT setval('dbchange.change_id_seq', (SELECT max(id) FROM dbchange.change)) IS NOT NULL AS restored,
       dbchange._forget_id_blocks() > 0 AS blocks_dropped;

-- uids are version 7 UUIDs (time-ordered: the first 48 bits are the Unix
-- time in milliseconds), on the direct way and through the column default
SELECT count(*) FILTER (WHERE uid::text !~ '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$') AS not_v7,
       count(DISTINCT uid) = count(*) AS uids_distinct,
       count(*) FILTER (WHERE abs(('x' || substr(replace(uid::text, '-', ''), 1, 12))::bit(48)::bigint
                                  - (extract(epoch FROM created_at) * 1000)::bigint) > 1000) AS uid_time_off,
       bool_and(uid > prev) AS uids_ascend
  FROM (SELECT uid, created_at, lag(uid, 1, '00000000-0000-0000-0000-000000000000') OVER (ORDER BY id) AS prev
          FROM dbchange.change) c;
SELECT dbchange._uuid_v7()::text ~ '^[0-9a-f]{8}-[0-9a-f]{4}-7' AS default_is_v7;

-- a CHECK constraint a superuser adds to the catalog holds on the direct way
-- too: the row writer's ready-made constraint states are rebuilt when the
-- table changes, and a row that breaks one is refused with its statement
ALTER TABLE dbchange.change ADD CONSTRAINT regress_no_sequences CHECK (command <> 'CREATE SEQUENCE');
CREATE TABLE t6 (id int);
\set VERBOSITY terse
CREATE SEQUENCE s7;
\set VERBOSITY default
SELECT to_regclass('t6') IS NOT NULL AS t6_created, to_regclass('s7') IS NULL AS s7_refused,
       count(*) FILTER (WHERE command = 'CREATE SEQUENCE') AS sequence_rows
  FROM dbchange.change;
ALTER TABLE dbchange.change DROP CONSTRAINT regress_no_sequences;
CREATE SEQUENCE s7;
SELECT to_regclass('s7') IS NOT NULL AS s7_created_after_drop;

-- the checksum (sha256.c) for statements of 28 to 179 bytes: one, two and three
-- SHA-256 blocks and every length between, multibyte text among them
CREATE TABLE sha_t (id int);
DO $$ BEGIN
  FOR g IN 0..140 LOOP
    EXECUTE format('COMMENT ON TABLE sha_t IS %L', repeat('é', g % 7) || repeat('x', g));
  END LOOP;
END $$;
SELECT count(*) AS comments, count(DISTINCT octet_length(statement)) AS lengths,
       bool_and(checksum = encode(sha256(convert_to(statement, 'UTF8')), 'hex')) AS checksums_ok
  FROM dbchange.change WHERE statement LIKE 'COMMENT ON TABLE sha_t%';
-- both ways of hashing a block (plain C, and the SHA instructions where the
-- processor has them), every length from 0 to 300 bytes, multibyte text and
-- 100 kB: the same as PostgreSQL's sha256()
SELECT count(*) AS texts,
       bool_and(p[1] = ref) AS plain_ok,
       bool_and(p[2] IS NULL OR p[2] = ref) AS accelerated_ok
  FROM (SELECT dbchange._sha256_paths(t) AS p, encode(sha256(convert_to(t, 'UTF8')), 'hex') AS ref
          FROM (SELECT repeat('a', g) AS t FROM generate_series(0, 300) g
                UNION ALL SELECT repeat('ü€', g) FROM generate_series(1, 70) g
                UNION ALL SELECT string_agg(md5(g::text), '') FROM generate_series(1, 3200) g) x) y;

-- the stored command is the command tag's name, which is the facts' "command"
-- (the gate takes it from the tag, not from the facts), for every kind of
-- statement here and for these: a schema (with elements it is refused:
-- security_bypass), SELECT INTO, CREATE TABLE AS, a view, a function, GRANT,
-- DDL run by a function
CREATE SCHEMA cmd_s;
CREATE TABLE cmd_s.cmd_t (id int);
SELECT 1 AS x INTO cmd_into;
CREATE TABLE cmd_as AS SELECT 2 AS y;
CREATE VIEW cmd_view AS SELECT * FROM cmd_as;
CREATE FUNCTION cmd_f() RETURNS int LANGUAGE sql AS 'SELECT 1';
GRANT SELECT ON cmd_as TO PUBLIC;
DO $$ BEGIN EXECUTE 'CREATE INDEX cmd_as_y ON cmd_as (y)'; END $$;
SELECT count(*) FILTER (WHERE command IS DISTINCT FROM facts->>'command') AS command_differs,
       count(DISTINCT command) >= 14 AS many_commands
  FROM dbchange.change WHERE source = 'interactive' AND facts IS NOT NULL;
