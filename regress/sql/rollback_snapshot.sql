-- Canonical schema snapshots: two databases built the same way give
-- byte-identical snapshots; contents; bad input.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_rollback_snap_a;
DROP DATABASE IF EXISTS regress_rollback_snap_b;
CREATE DATABASE regress_rollback_snap_a;
CREATE DATABASE regress_rollback_snap_b;

-- the same schema, built in each database (objects created in a different order in b,
-- and b has OIDs shifted by objects created and dropped first)
\c regress_rollback_snap_a
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.posint AS int CHECK (VALUE > 0);
CREATE TABLE app.customer (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text COLLATE "C" NOT NULL DEFAULT '', mood app.mood);
CREATE TABLE app.orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES app.customer, qty app.posint, CONSTRAINT qty_small CHECK (qty < 1000));
CREATE INDEX orders_customer_idx ON app.orders (customer_id);
CREATE VIEW app.big_orders AS SELECT id, qty FROM app.orders WHERE qty > 100;
CREATE MATERIALIZED VIEW app.order_count AS SELECT customer_id, count(*) AS n FROM app.orders GROUP BY 1;
CREATE SEQUENCE app.invoice_no START 1000 INCREMENT 10;
CREATE FUNCTION app.total(c int) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT sum(qty) FROM app.orders WHERE customer_id = c';
CREATE PROCEDURE app.noop() LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_orders ON app.orders USING (customer_id > 0);
GRANT SELECT ON app.orders TO PUBLIC;
COMMENT ON TABLE app.orders IS 'one row per order';
COMMENT ON COLUMN app.orders.qty IS 'pieces';
SELECT nextval('app.invoice_no');    -- sequence positions are not schema
INSERT INTO app.customer (name) VALUES ('x');  -- nor is data
SELECT dbchange.schema_snapshot() AS snap_a \gset
SELECT dbchange.snapshot_hash(dbchange.schema_snapshot()) AS hash_a \gset

\c regress_rollback_snap_b
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
CREATE TABLE filler1 (x int); CREATE TABLE filler2 (x int); DROP TABLE filler1, filler2;
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.posint AS int CHECK (VALUE > 0);
CREATE SEQUENCE app.invoice_no START 1000 INCREMENT 10;
CREATE TABLE app.customer (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text COLLATE "C" NOT NULL DEFAULT '', mood app.mood);
CREATE TABLE app.orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES app.customer, qty app.posint, CONSTRAINT qty_small CHECK (qty < 1000));
COMMENT ON TABLE app.orders IS 'one row per order';
COMMENT ON COLUMN app.orders.qty IS 'pieces';
GRANT SELECT ON app.orders TO PUBLIC;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_orders ON app.orders USING (customer_id > 0);
CREATE PROCEDURE app.noop() LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION app.total(c int) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT sum(qty) FROM app.orders WHERE customer_id = c';
CREATE MATERIALIZED VIEW app.order_count AS SELECT customer_id, count(*) AS n FROM app.orders GROUP BY 1;
CREATE VIEW app.big_orders AS SELECT id, qty FROM app.orders WHERE qty > 100;
CREATE INDEX orders_customer_idx ON app.orders (customer_id);

-- byte-identical text and hash
SELECT dbchange.schema_snapshot()::text = :'snap_a' AS snapshots_byte_identical;
SELECT dbchange.snapshot_hash(dbchange.schema_snapshot()) = :'hash_a' AS hashes_equal;
SELECT count(*) AS differences FROM dbchange.snapshot_diff(:'snap_a'::jsonb, dbchange.schema_snapshot(), 'env');

-- what a snapshot holds (keys name objects the way event triggers do)
SELECT k FROM jsonb_object_keys(dbchange.schema_snapshot()) k ORDER BY 1;
SELECT dbchange.schema_snapshot()->'column app.customer.id' AS identity_column;
SELECT dbchange.schema_snapshot()->'column app.customer.name' AS collated_column;
SELECT dbchange.schema_snapshot()->'table app.orders' AS orders;
SELECT dbchange.schema_snapshot()->'sequence app.invoice_no' AS sequence;
SELECT dbchange.schema_snapshot()->'policy own_orders on app.orders' AS policy;
SELECT dbchange.schema_snapshot()->'type app.mood' AS enum;
SELECT length(dbchange.schema_snapshot()->'function app.total(integer)'->>'definition_sha256') AS body_hash_length;
-- no OIDs anywhere: nothing in the text changes when OIDs differ (checked above); dbchange's own schema is left out
SELECT count(*) AS dbchange_objects FROM jsonb_object_keys(dbchange.schema_snapshot()) k WHERE k LIKE '%dbchange%';

-- a snapshot of chosen schemas
SELECT count(*) > 0 AS only_app FROM jsonb_object_keys(dbchange.schema_snapshot(ARRAY['app'])) k;
SELECT count(*) AS outside_app FROM jsonb_object_keys(dbchange.schema_snapshot(ARRAY['app'])) k
 WHERE k NOT LIKE '%app.%' AND k <> 'schema app';

-- a change shows up as a property difference
ALTER TABLE app.orders ALTER COLUMN customer_id DROP NOT NULL;
SELECT * FROM dbchange.snapshot_diff(:'snap_a'::jsonb, dbchange.schema_snapshot(), 'env');
SELECT * FROM dbchange.snapshot_diff(:'snap_a'::jsonb, dbchange.schema_snapshot(), 'verify');

-- bad input: clear errors
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT dbchange.schema_snapshot(ARRAY['app', 'no_such_schema']);
SELECT dbchange.schema_snapshot(ARRAY['App']);
SELECT dbchange.schema_snapshot(ARRAY[NULL::text]);
SELECT dbchange.schema_snapshot(ARRAY['dbchange']);
SELECT * FROM dbchange.snapshot_diff('[]', '{}');
SELECT * FROM dbchange.snapshot_diff('{}', '{}', 'sideways');

