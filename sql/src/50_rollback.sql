-- dbchange: rollback and drift (docs/rollback.md).
--
--   schema_snapshot(schemas)      canonical jsonb of the schema (no OIDs, stable order)
--   snapshot_diff(a, b, mode)     one row per difference between two snapshots
--   generate_down(sql)            a generated down script for simple inverse operations (downgen.c)
--   verify_rollback(id)           run up + down in a subtransaction that is always rolled back
--   verify_rollback_script(up, down)   the same for a pair of scripts, without a change
--   rollback(id)                  submit a change's down script as a new change
--   detect_drift()                the schema vs what the applied changes produced
--   record_schema_state()         take a new drift baseline
--   restore points                settings restore_points / restore_point_environments

-- Columns of the change catalog this area needs.
ALTER TABLE dbchange.change
  ADD COLUMN down_generated boolean NOT NULL DEFAULT false,
  -- no foreign key: rollback() sets it from an existing change, and an FK
  -- trigger on every insert into dbchange.change would cost the gate's hot path
  ADD COLUMN rollback_of bigint,
  ADD COLUMN rollback_verified boolean,
  ADD COLUMN restore_point text,
  ADD COLUMN restore_lsn pg_lsn;
CREATE INDEX change_rollback_of_idx ON dbchange.change (rollback_of) WHERE rollback_of IS NOT NULL;

-- Cached settings for trigger WHEN clauses (rbsettings.c): cheap enough for
-- the gate's path, where every approved DDL statement inserts a change row.
CREATE FUNCTION dbchange._drift_eager() RETURNS boolean
  LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'dbc_drift_eager';
CREATE FUNCTION dbchange._restore_points_on() RETURNS boolean
  LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'dbc_restore_points_on';

-- ---------------------------------------------------------------------------
-- Canonical schema snapshot
-- ---------------------------------------------------------------------------
--
-- A flat jsonb object: one key per object, named by pg_identify_object()'s
-- type and identity (the names event triggers report, so changes and
-- snapshots speak the same language): "table public.t", "column public.t.x",
-- "table constraint t_pkey on public.t", "index public.t_pkey",
-- "function public.f(integer)", "trigger trg on public.t", "policy p on public.t",
-- "type public.mood", "sequence public.s", "view public.v", "schema public",
-- "extension pgcrypto".  Each value is an object of properties (nulls
-- stripped).  No OIDs, no statistics, no sequence positions: two databases
-- with the same schema give byte-identical text (jsonb orders keys itself;
-- every array is built with ORDER BY).

-- The schemas a snapshot covers: the given ones (each must exist), or every
-- schema except the system ones and dbchange's own.
CREATE FUNCTION dbchange._snapshot_schemas(schemas text[]) RETURNS oid[]
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  missing text[];
BEGIN
  IF schemas IS NULL THEN
    RETURN ARRAY(SELECT n.oid FROM pg_catalog.pg_namespace n
                  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'dbchange')
                    AND n.nspname !~ '^pg_(toast_)?temp_'
                    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                     WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                                       AND d.objid = n.oid AND d.deptype = 'e'));
  END IF;
  IF pg_catalog.array_position(schemas, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'schema list contains a NULL'
      USING ERRCODE = '22004', DETAIL = 'Every element of the schemas argument must be a schema name.',
            HINT = 'Pass NULL (not an array containing NULL) to snapshot every schema.';
  END IF;
  SELECT pg_catalog.array_agg(s ORDER BY s) INTO missing
    FROM pg_catalog.unnest(schemas) s
   WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname = s);
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'schema "%" does not exist', missing[1]
      USING ERRCODE = '3F000',
            DETAIL = pg_catalog.format('A snapshot covers existing schemas only; not found: %s.', pg_catalog.array_to_string(missing, ', ')),
            HINT = 'Check the spelling (names are case-sensitive), or pass NULL to snapshot every user schema.';
  END IF;
  IF 'dbchange' = ANY (schemas) THEN
    RAISE EXCEPTION 'schema "dbchange" cannot be snapshot'
      USING ERRCODE = '22023', DETAIL = 'dbchange''s own schema holds its catalog, which changes with every change.',
            HINT = 'Leave "dbchange" out of the schemas argument.';
  END IF;
  RETURN ARRAY(SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY (schemas));
END $$;

-- Sorted text of an ACL (aclitems name roles, not OIDs).
CREATE FUNCTION dbchange._acl(acl aclitem[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN acl IS NULL THEN NULL
              ELSE pg_catalog.to_jsonb(ARRAY(SELECT a::text FROM pg_catalog.unnest(acl) a ORDER BY 1)) END
$$;

-- (plan_cache_mode: the big query is planned once per session, not per call:
-- planning it costs more than running it.)
CREATE FUNCTION dbchange.schema_snapshot(schemas text[] DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  nsps oid[] := dbchange._snapshot_schemas(schemas);
  result jsonb;
BEGIN
  WITH
  -- (objects that belong to an extension are the extension's business: each
  -- NOT EXISTS on pg_depend below is an index lookup on its depender index)
  rels AS (
    SELECT c.oid, c.relname, c.relkind, c.relnamespace,
           (pg_catalog.pg_identify_object('pg_catalog.pg_class'::pg_catalog.regclass, c.oid, 0)).*
      FROM pg_catalog.pg_class c
     WHERE c.relnamespace = ANY (nsps)
       AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND e.objid = c.oid AND e.deptype = 'e')
  ),
  objs(k, v) AS (
    -- schemas
    SELECT 'schema ' || pg_catalog.quote_ident(n.nspname),
           pg_catalog.jsonb_build_object('owner', pg_catalog.pg_get_userbyid(n.nspowner),
             'acl', dbchange._acl(n.nspacl),
             'comment', pg_catalog.obj_description(n.oid, 'pg_namespace'))
      FROM pg_catalog.pg_namespace n WHERE n.oid = ANY (nsps)
    UNION ALL
    -- extensions (other than dbchange), only in a whole-database snapshot
    SELECT 'extension ' || pg_catalog.quote_ident(x.extname),
           pg_catalog.jsonb_build_object('version', x.extversion,
             'schema', (SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = x.extnamespace))
      FROM pg_catalog.pg_extension x
     WHERE schemas IS NULL AND x.extname NOT IN ('dbchange', 'plpgsql')
    UNION ALL
    -- tables, views, materialized views, sequences, foreign tables
    SELECT r.type || ' ' || r.identity,
           pg_catalog.jsonb_build_object(
             'owner', pg_catalog.pg_get_userbyid(c.relowner),
             'acl', dbchange._acl(c.relacl),
             'comment', pg_catalog.obj_description(c.oid, 'pg_class'),
             'persistence', CASE c.relpersistence WHEN 'u' THEN 'unlogged' END,
             'row_security', CASE WHEN c.relrowsecurity THEN CASE WHEN c.relforcerowsecurity THEN 'forced' ELSE 'enabled' END END,
             'options', pg_catalog.to_jsonb(c.reloptions),
             'partition_key', CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,
             'partition_of', (SELECT pg_catalog.format('%s %s', ip.inhparent::pg_catalog.regclass::text,
                                                       pg_catalog.pg_get_expr(c.relpartbound, c.oid))
                                FROM pg_catalog.pg_inherits ip WHERE ip.inhrelid = c.oid AND c.relispartition),
             'inherits', (SELECT pg_catalog.jsonb_agg(ip.inhparent::pg_catalog.regclass::text ORDER BY ip.inhseqno)
                            FROM pg_catalog.pg_inherits ip WHERE ip.inhrelid = c.oid AND NOT c.relispartition),
             'definition', CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid, true) END,
             'sequence', (SELECT pg_catalog.jsonb_build_object('type', s.seqtypid::pg_catalog.regtype::text,
                                   'start', s.seqstart, 'increment', s.seqincrement, 'min', s.seqmin,
                                   'max', s.seqmax, 'cache', s.seqcache, 'cycle', s.seqcycle)
                            FROM pg_catalog.pg_sequence s WHERE s.seqrelid = c.oid),
             'owned_by', (SELECT pg_catalog.format('%s.%I', d.refobjid::pg_catalog.regclass::text, a.attname)
                            FROM pg_catalog.pg_depend d
                            JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                           WHERE c.relkind = 'S' AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                             AND d.objid = c.oid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                             AND d.deptype IN ('a', 'i')))
      FROM rels r JOIN pg_catalog.pg_class c ON c.oid = r.oid
    UNION ALL
    -- columns of tables, foreign tables and materialized views
    SELECT 'column ' || r.identity || '.' || pg_catalog.quote_ident(a.attname),
           pg_catalog.jsonb_build_object(
             'table', r.identity,
             'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
             'position', pg_catalog.row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
             'not_null', a.attnotnull,
             'default', pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
             'identity', CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,
             'generated', CASE a.attgenerated WHEN 's' THEN 'stored' END,
             'collation', CASE WHEN a.attcollation <> t.typcollation
                               THEN (SELECT pg_catalog.format('%I.%I', cn.nspname, co.collname)
                                       FROM pg_catalog.pg_collation co
                                       JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
                                      WHERE co.oid = a.attcollation) END,
             'acl', dbchange._acl(a.attacl),
             'comment', pg_catalog.col_description(a.attrelid, a.attnum))
      FROM rels r
      JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
      JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
     WHERE r.relkind IN ('r', 'p', 'f', 'm')
    UNION ALL
    -- constraints of tables (domain constraints are part of their type)
    SELECT o.type || ' ' || o.identity,
           pg_catalog.jsonb_build_object(
             'table', r.identity,
             'definition', pg_catalog.pg_get_constraintdef(co.oid, true),
             'validated', co.convalidated,
             'comment', pg_catalog.obj_description(co.oid, 'pg_constraint'))
      FROM pg_catalog.pg_constraint co
      JOIN rels r ON r.oid = co.conrelid,
           LATERAL pg_catalog.pg_identify_object('pg_catalog.pg_constraint'::pg_catalog.regclass, co.oid, 0) o
    UNION ALL
    -- indexes
    SELECT 'index ' || o.identity,
           pg_catalog.jsonb_build_object(
             'table', r.identity,
             'definition', pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),
             'valid', i.indisvalid,
             'clustered', CASE WHEN i.indisclustered THEN true END,
             'comment', pg_catalog.obj_description(i.indexrelid, 'pg_class'))
      FROM pg_catalog.pg_index i
      JOIN rels r ON r.oid = i.indrelid,
           LATERAL pg_catalog.pg_identify_object('pg_catalog.pg_class'::pg_catalog.regclass, i.indexrelid, 0) o
    UNION ALL
    -- triggers (not the internal ones of foreign keys)
    SELECT 'trigger ' || o.identity,
           pg_catalog.jsonb_build_object(
             'table', r.identity,
             'definition', pg_catalog.pg_get_triggerdef(tg.oid, true),
             'enabled', CASE tg.tgenabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled'
                                          WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END,
             'comment', pg_catalog.obj_description(tg.oid, 'pg_trigger'))
      FROM pg_catalog.pg_trigger tg
      JOIN rels r ON r.oid = tg.tgrelid,
           LATERAL pg_catalog.pg_identify_object('pg_catalog.pg_trigger'::pg_catalog.regclass, tg.oid, 0) o
     WHERE NOT tg.tgisinternal
    UNION ALL
    -- row-level security policies
    SELECT 'policy ' || o.identity,
           pg_catalog.jsonb_build_object(
             'table', r.identity,
             'command', CASE p.polcmd WHEN '*' THEN 'all' WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert'
                                      WHEN 'w' THEN 'update' WHEN 'd' THEN 'delete' END,
             'permissive', p.polpermissive,
             'roles', pg_catalog.to_jsonb(ARRAY(SELECT CASE WHEN x = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(x)::text END
                                                  FROM pg_catalog.unnest(p.polroles) x ORDER BY 1)),
             'using', pg_catalog.pg_get_expr(p.polqual, p.polrelid),
             'with_check', pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid),
             'comment', pg_catalog.obj_description(p.oid, 'pg_policy'))
      FROM pg_catalog.pg_policy p
      JOIN rels r ON r.oid = p.polrelid,
           LATERAL pg_catalog.pg_identify_object('pg_catalog.pg_policy'::pg_catalog.regclass, p.oid, 0) o
    UNION ALL
    -- functions, procedures, aggregates: signature and a hash of the whole definition
    SELECT o.type || ' ' || o.identity,
           pg_catalog.jsonb_build_object(
             'owner', pg_catalog.pg_get_userbyid(p.proowner),
             'acl', dbchange._acl(p.proacl),
             'comment', pg_catalog.obj_description(p.oid, 'pg_proc'),
             'returns', CASE WHEN p.prokind <> 'p' THEN pg_catalog.pg_get_function_result(p.oid) END,
             'language', l.lanname,
             'definition_sha256', CASE WHEN p.prokind IN ('f', 'p')
                 THEN dbchange._checksum(pg_catalog.pg_get_functiondef(p.oid)) END)
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_language l ON l.oid = p.prolang,
           LATERAL pg_catalog.pg_identify_object('pg_catalog.pg_proc'::pg_catalog.regclass, p.oid, 0) o
     WHERE p.pronamespace = ANY (nsps)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND e.objid = p.oid AND e.deptype = 'e')
    UNION ALL
    -- types: enums, domains, composite and range types (not array types or row types of relations)
    SELECT 'type ' || o.identity,
           pg_catalog.jsonb_build_object(
             'owner', pg_catalog.pg_get_userbyid(t.typowner),
             'acl', dbchange._acl(t.typacl),
             'comment', pg_catalog.obj_description(t.oid, 'pg_type'),
             'kind', CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'c' THEN 'composite'
                                    WHEN 'r' THEN 'range' WHEN 'm' THEN 'multirange' ELSE 'base' END,
             'labels', CASE WHEN t.typtype = 'e' THEN
                 pg_catalog.to_jsonb(ARRAY(SELECT e.enumlabel FROM pg_catalog.pg_enum e
                                            WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)) END,
             'base_type', CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END,
             'not_null', CASE WHEN t.typtype = 'd' THEN t.typnotnull END,
             'default', t.typdefault,
             'constraints', CASE WHEN t.typtype = 'd' THEN
                 (SELECT pg_catalog.jsonb_object_agg(co.conname, pg_catalog.pg_get_constraintdef(co.oid, true))
                    FROM pg_catalog.pg_constraint co WHERE co.contypid = t.oid) END,
             'attributes', CASE WHEN t.typtype = 'c' THEN
                 pg_catalog.to_jsonb(ARRAY(SELECT pg_catalog.format('%I %s', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod))
                                            FROM pg_catalog.pg_attribute a
                                           WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
                                           ORDER BY a.attnum)) END,
             'subtype', (SELECT pg_catalog.format_type(rg.rngsubtype, NULL) FROM pg_catalog.pg_range rg WHERE rg.rngtypid = t.oid))
      FROM pg_catalog.pg_type t,
           LATERAL pg_catalog.pg_identify_object('pg_catalog.pg_type'::pg_catalog.regclass, t.oid, 0) o
     WHERE t.typnamespace = ANY (nsps)
       AND t.typtype IN ('e', 'd', 'c', 'r', 'm', 'b')
       AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
       -- not array types (an index lookup of the element type, not a scan of pg_type)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type et WHERE et.oid = t.typelem AND et.typarray = t.oid)
       AND t.typtype <> 'm'
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND e.objid = t.oid AND e.deptype = 'e')
  )
  SELECT coalesce(pg_catalog.jsonb_object_agg(k, pg_catalog.jsonb_strip_nulls(v)), '{}') INTO result FROM objs;
  RETURN result;
END $$;

-- The sha256 of a snapshot's canonical text.
CREATE FUNCTION dbchange.snapshot_hash(snapshot jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT SET search_path = pg_catalog, pg_temp AS $$
  SELECT dbchange._checksum(snapshot::text)
$$;

-- ---------------------------------------------------------------------------
-- Comparing snapshots
-- ---------------------------------------------------------------------------
--
-- One row per difference between snapshot a (the reference) and b.  The
-- wording depends on what is compared (mode):
--   'verify'  a = before the change, b = after up + down:
--             "still exists" / "missing" / "type: bigint, was integer"
--   'drift'   a = recorded by dbchange, b = the database now:
--             "exists but was not created by a recorded change" / "missing: dropped outside dbchange"
--   'env'     a = environment A (--from), b = environment B (--to):
--             "missing in B" / "only in B" / "type: integer in A, bigint in B"
CREATE FUNCTION dbchange.snapshot_diff(a jsonb, b jsonb, mode text DEFAULT 'verify')
RETURNS TABLE (object text, difference text)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  only_b text;
  only_a text;
BEGIN
  IF mode IS NULL OR mode NOT IN ('verify', 'drift', 'env') THEN
    RAISE EXCEPTION 'invalid comparison mode "%"', dbchange._shown(mode)
      USING ERRCODE = '22023', DETAIL = 'The mode is verify, drift or env.',
            HINT = 'Call dbchange.snapshot_diff(a, b, ''env'').';
  END IF;
  IF a IS NULL OR b IS NULL OR pg_catalog.jsonb_typeof(a) <> 'object' OR pg_catalog.jsonb_typeof(b) <> 'object' THEN
    RAISE EXCEPTION 'a snapshot must be a jsonb object'
      USING ERRCODE = '22023', DETAIL = 'Both arguments must be results of dbchange.schema_snapshot().',
            HINT = 'Pass dbchange.schema_snapshot() or a stored snapshot.';
  END IF;
  only_b := CASE mode WHEN 'verify' THEN 'still exists' WHEN 'drift' THEN 'exists but no recorded change created it'
                      ELSE 'only in B' END;
  only_a := CASE mode WHEN 'verify' THEN 'missing' WHEN 'drift' THEN 'missing: dropped outside dbchange'
                      ELSE 'missing in B' END;
  RETURN QUERY
  WITH ka AS (SELECT e.key, e.value FROM pg_catalog.jsonb_each(a) e),
       kb AS (SELECT e.key, e.value FROM pg_catalog.jsonb_each(b) e),
       rows AS (
         SELECT kb.key AS o, only_b AS d, 1 AS ord, NULL::text AS prop
           FROM kb WHERE NOT EXISTS (SELECT 1 FROM ka WHERE ka.key = kb.key)
         UNION ALL
         SELECT ka.key, only_a, 1, NULL FROM ka WHERE NOT EXISTS (SELECT 1 FROM kb WHERE kb.key = ka.key)
         UNION ALL
         SELECT ka.key,
                CASE mode
                  WHEN 'env' THEN pg_catalog.format('%s: %s in A, %s in B', p.prop,
                                    coalesce(p.va::text, 'none'), coalesce(p.vb::text, 'none'))
                  ELSE pg_catalog.format('%s: %s, %s %s', p.prop, coalesce(p.vb::text, 'none'),
                                    CASE mode WHEN 'drift' THEN 'recorded' ELSE 'was' END,
                                    coalesce(p.va::text, 'none'))
                END,
                2, p.prop
           FROM ka JOIN kb ON kb.key = ka.key AND kb.value <> ka.value,
                LATERAL (SELECT coalesce(x.key, y.key) AS prop, x.value AS va, y.value AS vb
                           FROM pg_catalog.jsonb_each(ka.value) x
                           FULL JOIN pg_catalog.jsonb_each(kb.value) y ON y.key = x.key
                          WHERE x.value IS DISTINCT FROM y.value) p
       )
  SELECT r.o, r.d FROM rows r ORDER BY r.o, r.ord, r.prop;
END $$;

-- ---------------------------------------------------------------------------
-- Down scripts
-- ---------------------------------------------------------------------------

-- (path: the search_path for the name lookups, set inside for them only; the
-- SECURITY DEFINER callers pass a change's path here and never set it
-- themselves, so no operator of theirs is resolved in a requester's path)
-- (ran_schemas: for a change that has run, each statement's recorded
-- "schema" fact, in order: a renamed relation is no longer found by its old
-- name)
CREATE FUNCTION dbchange._downgen(script text, path text DEFAULT NULL, ran_schemas text[] DEFAULT NULL)
RETURNS TABLE (statement_no int, statement text, down text, reason text)
  LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'dbc_downgen';

-- The generated down script of a script (arguments as _downgen): the
-- settings that bound its waits (SET lock_timeout, statement_timeout, ...)
-- first, in their order, then the inverses in reverse order; NULL when a
-- statement has no inverse or there is nothing to undo.
CREATE FUNCTION dbchange._down_script(script text, path text DEFAULT NULL, ran_schemas text[] DEFAULT NULL)
RETURNS text LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'dbc_down_script';

-- Per statement: its generated inverse, or why there is none.
CREATE FUNCTION dbchange.explain_down(script text)
RETURNS TABLE (statement_no int, statement text, down text, reason text)
LANGUAGE sql STABLE AS $$
  SELECT * FROM dbchange._downgen(script)
$$;

-- A generated down script for a script of simple inverse operations: the
-- inverses in reverse order.  NULL (with a NOTICE naming the statement and
-- the reason) when any statement has no generated inverse.  Names are
-- resolved with the caller's search_path (run it with the change's).
CREATE FUNCTION dbchange.generate_down(sql text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  r record;
  v text;
BEGIN
  IF sql IS NULL THEN
    RAISE EXCEPTION 'script must not be null' USING ERRCODE = '22004', HINT = 'Pass the text of the up script.';
  END IF;
  FOR r IN SELECT * FROM dbchange._downgen(sql) ORDER BY statement_no DESC LOOP
    IF r.down IS NULL THEN
      RAISE NOTICE 'no down script can be generated: statement % (%) has no generated inverse', r.statement_no,
        pg_catalog.left(r.statement, 60)
        USING DETAIL = pg_catalog.upper(pg_catalog.left(r.reason, 1)) || pg_catalog.substr(r.reason, 2) || '.',
              HINT = 'Write the down script yourself (submit(..., down_script => ...), or --down FILE).';
      RETURN NULL;
    END IF;
  END LOOP;
  v := dbchange._down_script(sql);
  IF v IS NULL THEN
    RAISE NOTICE 'no down script can be generated: the script changes nothing to undo'
      USING DETAIL = 'It is empty, or it only sets session settings.';
  END IF;
  RETURN v;
END $$;

-- The schema each statement of change id found its object in when it was
-- checked (its "schema" fact), in order: for inverting a change that has run.
CREATE FUNCTION dbchange._ran_schemas(id bigint) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT ARRAY(SELECT s.facts->>'schema' FROM dbchange.change_statement s
                WHERE s.change_id = _ran_schemas.id ORDER BY s.statement_no)
$$;

-- The down script of a change, generated when it has none; errors clearly
-- when there is none and none can be generated.
CREATE FUNCTION dbchange._down_of(c dbchange.change, OUT down text, OUT generated boolean)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record;
  why text;
  -- a change that has run: where each statement found its object then
  ran text[] := CASE WHEN c.status IN ('applied', 'rolled_back') THEN dbchange._ran_schemas(c.id) END;
BEGIN
  IF c.id IS NULL THEN
    RAISE EXCEPTION 'the change must not be null' USING ERRCODE = '22004';
  END IF;
  IF c.down_script IS NOT NULL THEN
    down := c.down_script;
    generated := c.down_generated;
    RETURN;
  END IF;
  -- generation resolves unqualified names with the change's search_path (inside _downgen only)
  BEGIN
    SELECT * INTO r FROM dbchange._downgen(c.statement, coalesce(c.search_path, 'public'), ran) d
     WHERE d.down IS NULL ORDER BY d.statement_no LIMIT 1;
    IF NOT FOUND THEN
      down := dbchange._down_script(c.statement, coalesce(c.search_path, 'public'), ran);
      IF down IS NULL THEN
        why := 'It changes nothing to undo: it only sets session settings.';
      END IF;
    END IF;
  EXCEPTION WHEN OTHERS THEN
    why := pg_catalog.format('Its statements could not be read: %s.', SQLERRM);
  END;
  IF down IS NULL THEN
    -- r is unassigned when _downgen failed or found an inverse for every
    -- statement: read its fields only when it found a statement without one
    IF why IS NULL THEN
      why := pg_catalog.format('Statement %s (%s): %s.', r.statement_no, pg_catalog.left(r.statement, 60), r.reason);
    END IF;
    RAISE EXCEPTION 'change % has no down script and none can be generated', c.id
      USING ERRCODE = '55000',
            DETAIL = why,
            HINT = 'Write the inverse yourself and submit it as a new change with dbchange.submit().';
  END IF;
  generated := true;
END $$;

-- The generated down script of a script, or NULL (a statement without an
-- inverse, or one that cannot be read): what submit() stores with a change
-- given none, generated before the script runs (submit.c).  Names resolve
-- with path (inside _downgen only: this function's own SQL never runs in a
-- path the requester chose).
CREATE FUNCTION dbchange._generated_down(script text, path text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v text;
BEGIN
  BEGIN
    v := dbchange._down_script(script, coalesce(path, 'public'));
  EXCEPTION WHEN OTHERS THEN
    v := NULL;
  END;
  RETURN v;
END $$;

-- A submitted change without a down script gets the generated one when
-- every statement has an inverse, marked down_generated.  (Statements the
-- gate records interactively are left alone -- that path must stay cheap;
-- rollback() and verify_rollback() generate theirs on demand.)
CREATE FUNCTION dbchange._on_change_generate_down() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v text;
BEGIN
  BEGIN
    -- names resolve as the change's statements do (inside _downgen only)
    v := dbchange._down_script(NEW.statement, coalesce(NEW.search_path, 'public'));
  EXCEPTION WHEN OTHERS THEN
    v := NULL;   -- no generated down script; the change is stored as submitted
  END;
  IF v IS NOT NULL THEN
    NEW.down_script := v;
    NEW.down_generated := true;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER change_generate_down
  BEFORE INSERT ON dbchange.change
  FOR EACH ROW WHEN (NEW.down_script IS NULL AND NEW.source <> 'interactive'
                     AND NEW.status IN ('pending', 'approved', 'applied'))
  EXECUTE FUNCTION dbchange._on_change_generate_down();

-- ---------------------------------------------------------------------------
-- Rollback verification
-- ---------------------------------------------------------------------------

CREATE FUNCTION dbchange._verify_run(up text, down text, mode text, run_as oid, search_path text, schemas text[])
RETURNS jsonb LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'dbc_verify_run';

-- Rows from a run: failures first, else the snapshot differences.
CREATE FUNCTION dbchange._verify_rows(res jsonb) RETURNS TABLE (object text, difference text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT f->>'object', f->>'difference' FROM pg_catalog.jsonb_array_elements(res->'failed') f
  UNION ALL
  SELECT d.object, d.difference FROM dbchange.snapshot_diff(res->'before', res->'after', 'verify') d
   WHERE res ? 'before'
$$;

CREATE FUNCTION dbchange._verify_script(up text, down text, path text)
RETURNS TABLE (object text, difference text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record;
BEGIN
  IF up IS NULL THEN
    RAISE EXCEPTION 'up script must not be null' USING ERRCODE = '22004', HINT = 'Pass the text of the up script.';
  END IF;
  IF down IS NULL THEN
    SELECT * INTO r FROM dbchange._downgen(up, coalesce(path, 'public')) g
     WHERE g.down IS NULL ORDER BY g.statement_no LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'no down script given and none can be generated'
        USING ERRCODE = '22023',
              DETAIL = pg_catalog.format('Statement %s (%s): %s.', r.statement_no, pg_catalog.left(r.statement, 60), r.reason),
              HINT = 'Pass a down script: dbchange.verify_rollback_script(up, down).';
    END IF;
    down := dbchange._down_script(up, coalesce(path, 'public'));
    IF down IS NULL THEN
      RAISE EXCEPTION 'the up script changes nothing to undo' USING ERRCODE = '22023',
        DETAIL = 'It is empty, or it only sets session settings.', HINT = 'Pass the statements of the change.';
    END IF;
  END IF;
  RETURN QUERY SELECT * FROM dbchange._verify_rows(
    dbchange._verify_run(up, down, 'pending', dbchange._caller_oid(), path, NULL));
END $$;

-- Verify an up/down pair without a change: run up then down in a
-- subtransaction that is rolled back; one row per difference left behind.
-- The statements run as the caller with the caller's search_path.  A NULL
-- down script means "the generated one".
CREATE FUNCTION dbchange.verify_rollback_script(up text, down text DEFAULT NULL)
RETURNS TABLE (object text, difference text)
LANGUAGE sql AS $$
  SELECT * FROM dbchange._verify_script(up, down, pg_catalog.current_setting('search_path'))
$$;

-- May the caller look at / act on change c's rollback?  Reviewers
-- (approvers, deployers, policy admins), superusers and the requester.
CREATE FUNCTION dbchange._may_review(c dbchange.change) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT dbchange._caller_is('dbchange_approver') OR dbchange._caller_is('dbchange_deployer')
      OR dbchange._caller_is('dbchange_policy_admin') OR c.requested_by_oid = dbchange._caller_oid()
$$;

CREATE FUNCTION dbchange._get_change(p_id bigint) RETURNS dbchange.change
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c dbchange.change;
BEGIN
  IF p_id IS NULL THEN
    RAISE EXCEPTION 'change id must not be null' USING ERRCODE = '22004',
      HINT = 'Pass the id of a change (SELECT id, status, statement FROM dbchange.changes).';
  END IF;
  SELECT * INTO c FROM dbchange.change WHERE id = p_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'change % does not exist', p_id USING ERRCODE = 'P0002',
      HINT = 'SELECT id, status, statement FROM dbchange.changes ORDER BY id DESC; lists the changes.';
  END IF;
  RETURN c;
END $$;

-- verify_rollback(id): does the change's down script (given or generated)
-- undo its up script?  One row per difference; none when it reverts
-- everything.  Pending (not yet applied) changes: up then down.  Applied
-- changes: down then up, compared with the schema now.  The statements run
-- as the change's requester with its recorded search_path, in a
-- subtransaction that is always rolled back.  The outcome is kept on the
-- change (rollback_verified), which policies see as the fact of that name.
CREATE FUNCTION dbchange.verify_rollback(id bigint)
RETURNS TABLE (object text, difference text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c dbchange.change := dbchange._get_change(verify_rollback.id);
  d record;
  res jsonb;
  run_as oid;
  rows jsonb;
BEGIN
  IF NOT dbchange._may_review(c) THEN
    RAISE EXCEPTION 'permission denied to verify the rollback of change %', c.id
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Role %I is not the requester of the change and not a member of dbchange_approver, dbchange_deployer or dbchange_policy_admin.', dbchange._caller()),
            HINT = 'Ask an approver to verify it.';
  END IF;
  d := dbchange._down_of(c);
  run_as := CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.oid = c.requested_by_oid)
                 THEN c.requested_by_oid ELSE dbchange._caller_oid() END;
  res := dbchange._verify_run(c.statement, d.down,
                              CASE WHEN c.status = 'applied' THEN 'applied' ELSE 'pending' END,
                              run_as, c.search_path, NULL);
  SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('o', v.object, 'd', v.difference)) INTO rows
    FROM dbchange._verify_rows(res) v;
  UPDATE dbchange.change SET rollback_verified = (rows IS NULL) WHERE change.id = c.id;
  RETURN QUERY SELECT x->>'o', x->>'d' FROM pg_catalog.jsonb_array_elements(coalesce(rows, '[]')) x;
END $$;

-- ---------------------------------------------------------------------------
-- Rollback as a change
-- ---------------------------------------------------------------------------

-- Link a just-submitted change to the change it rolls back.  Internal: only
-- for a change the caller requested through _submit_as_rollback (source
-- 'rollback'), whose text is the original's down script and whose own down
-- script is the original's up script, that is not linked yet, of an
-- original that is applied.  The link makes the original's requester the
-- author of the new change's down script (_rollback_target): a down script
-- of the caller's choosing must never be linked, or the original's
-- requester would run it with their privileges by rolling back the rollback.
CREATE FUNCTION dbchange._link_rollback(p_new bigint, p_orig bigint, p_generated boolean) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n dbchange.change;
  o dbchange.change;
BEGIN
  SELECT * INTO n FROM dbchange.change WHERE id = p_new FOR UPDATE;
  SELECT * INTO o FROM dbchange.change WHERE id = p_orig;
  IF n.id IS NULL OR o.id IS NULL OR n.rollback_of IS NOT NULL OR n.id <= o.id
     OR n.requested_by_oid IS DISTINCT FROM dbchange._caller_oid()
     OR n.source IS DISTINCT FROM 'rollback' OR o.status IS DISTINCT FROM 'applied'
     OR n.down_script IS DISTINCT FROM o.statement
     OR n.statement IS DISTINCT FROM (dbchange._down_of(o)).down THEN
    RAISE EXCEPTION 'change % cannot be linked as the rollback of change %', p_new, p_orig
      USING ERRCODE = '42501', HINT = 'Use dbchange.rollback(id).';
  END IF;
  UPDATE dbchange.change SET source = 'rollback', rollback_of = o.id,
         down_generated = false
   WHERE id = n.id;
  IF p_generated THEN
    -- remember on the original that its down script was generated
    UPDATE dbchange.change SET down_generated = true WHERE id = o.id AND down_script IS NULL;
  END IF;
  SELECT status INTO n.status FROM dbchange.change WHERE id = n.id;
  RETURN n.status;
END $$;

-- rollback(id): submit the down script of applied change id as a new change
-- (source 'rollback', rollback_of = id; its own down script is the
-- original's up script).  Policies and flows decide about it like any
-- change; when it is applied, the original becomes rolled_back.  Runs as
-- the caller, like submit().
CREATE FUNCTION dbchange._submit_as_rollback(original bigint, script text, description text, down_script text)
RETURNS bigint LANGUAGE C AS 'MODULE_PATHNAME', 'dbc_submit_as_rollback';

CREATE FUNCTION dbchange.rollback(id bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  c dbchange.change;
  d record;
  new_id bigint;
BEGIN
  SELECT * INTO c FROM dbchange._rollback_target(rollback.id);
  d := dbchange._down_of(c);
  new_id := dbchange._submit_as_rollback(c.id, d.down,
                pg_catalog.format('rollback of change %s%s', c.id, coalesce(': ' || c.description, '')),
                c.statement);
  PERFORM dbchange._link_rollback(new_id, c.id, d.generated);
  RETURN new_id;
END $$;

-- The change rollback() may roll back, or a clear error.
CREATE FUNCTION dbchange._rollback_target(p_id bigint) RETURNS dbchange.change
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c dbchange.change := dbchange._get_change(p_id);
  other bigint;
  author oid;
  author_name text;
BEGIN
  IF c.status <> 'applied' THEN
    RAISE EXCEPTION 'change % is %, not applied', c.id, c.status
      USING ERRCODE = '55000',
            DETAIL = CASE c.status WHEN 'rolled_back' THEN 'It has been rolled back already.'
                                   WHEN 'pending' THEN 'It waits for approval: nothing of it ran, so there is nothing to roll back.'
                                   WHEN 'approved' THEN 'It is approved but not applied yet: nothing of it ran.'
                                   ELSE 'Only an applied change can be rolled back.' END,
            HINT = CASE WHEN c.status IN ('pending', 'approved') THEN pg_catalog.format('To stop it, reject it: SELECT dbchange.reject(%s, ''reason'');', c.id)
                        ELSE 'Pick an applied change: SELECT id, statement FROM dbchange.changes WHERE status = ''applied'';' END;
  END IF;
  -- A down script written by hand is its author's code, and rollback() runs
  -- it as the caller: nobody runs someone else's with their own privileges.
  -- (Its author: the requester; for a rollback change, whose down script is
  -- the original's up script, the original's requester.)  Generated down
  -- scripts only undo the change's own statements and may be run by anyone.
  IF c.down_script IS NOT NULL AND NOT c.down_generated THEN
    author := CASE WHEN c.rollback_of IS NULL THEN c.requested_by_oid
                   ELSE (SELECT o.requested_by_oid FROM dbchange.change o WHERE o.id = c.rollback_of) END;
    IF author IS DISTINCT FROM dbchange._caller_oid() THEN
      author_name := coalesce((SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid = author), c.requested_by);
      RAISE EXCEPTION 'change %''s down script was written by role %, not by you', c.id, pg_catalog.quote_ident(author_name)
        USING ERRCODE = '42501',
              DETAIL = 'A down script runs with the privileges of the role that calls rollback(), and this one was written by hand, not generated.',
              HINT = pg_catalog.format('Roll it back as its author (SET ROLE %I; SELECT dbchange.rollback(%s);), or read it (SELECT down_script FROM dbchange.change_scripts WHERE id = %s) and submit what you have checked with dbchange.submit().',
                                       author_name, c.id, c.id);
    END IF;
  END IF;
  SELECT r.id INTO other FROM dbchange.change r
   WHERE r.rollback_of = c.id AND r.status IN ('pending', 'approved') ORDER BY r.id LIMIT 1;
  IF other IS NOT NULL THEN
    RAISE EXCEPTION 'a rollback of change % is already waiting as change %', c.id, other
      USING ERRCODE = '55000', HINT = pg_catalog.format('Approve or reject change %s.', other);
  END IF;
  RETURN c;
END $$;

-- When a rollback change is applied, its original becomes rolled_back.
CREATE FUNCTION dbchange._on_rollback_applied() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE dbchange.change SET status = 'rolled_back'
   WHERE id = NEW.rollback_of AND status = 'applied';
  IF FOUND THEN
    PERFORM dbchange._audit('rolled_back', NEW.rollback_of, NEW.requested_by,
                            pg_catalog.jsonb_build_object('rollback_change', NEW.id));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER change_rollback_applied
  AFTER UPDATE OF status, rollback_of ON dbchange.change
  FOR EACH ROW WHEN (NEW.status = 'applied' AND NEW.rollback_of IS NOT NULL
                     AND (OLD.status <> 'applied' OR OLD.rollback_of IS NULL))
  EXECUTE FUNCTION dbchange._on_rollback_applied();

-- ---------------------------------------------------------------------------
-- Restore points
-- ---------------------------------------------------------------------------
--
-- Settings (dbchange.settings, set with dbchange.set_restore_points()):
--   restore_points              off (default) | low | moderate | high | critical:
--                               the lowest risk that takes a restore point
--   restore_point_environments  comma-separated environment names (default 'prod')
-- A change of that risk or higher, applied in one of those environments,
-- takes pg_create_restore_point('dbchange-<id>') in the transaction that
-- applies it (so its commit comes after the restore point: recovering to
-- recovery_target_name = 'dbchange-<id>' gives the database just before
-- the change).  The name and WAL position are kept on the change.

CREATE FUNCTION dbchange._risk_rank(r text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE r WHEN 'low' THEN 1 WHEN 'moderate' THEN 2 WHEN 'high' THEN 3 WHEN 'critical' THEN 4 ELSE 0 END
$$;

CREATE FUNCTION dbchange.set_restore_points(min_risk text, environments text[] DEFAULT NULL)
RETURNS TABLE (key text, value text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_caller name := dbchange._caller();
BEGIN
  IF NOT dbchange._caller_is('dbchange_policy_admin') THEN
    RAISE EXCEPTION 'permission denied to configure restore points'
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Role %I is neither a superuser nor a member of dbchange_policy_admin.', v_caller),
            HINT = 'Ask a policy admin.';
  END IF;
  IF min_risk IS NULL OR min_risk NOT IN ('off', 'low', 'moderate', 'high', 'critical') THEN
    RAISE EXCEPTION 'invalid restore point risk "%"', dbchange._shown(min_risk)
      USING ERRCODE = '22023', DETAIL = 'It is off, low, moderate, high or critical: the lowest risk of a change that takes a restore point.',
            HINT = 'SELECT dbchange.set_restore_points(''high'');';
  END IF;
  IF environments IS NOT NULL AND (pg_catalog.cardinality(environments) = 0 OR EXISTS (
       SELECT 1 FROM pg_catalog.unnest(environments) e WHERE e IS NULL OR e !~ '^[a-z][a-z0-9_-]{0,62}$')) THEN
    RAISE EXCEPTION 'invalid environment list %', environments
      USING ERRCODE = '22023', DETAIL = 'Each element is an environment name such as prod.',
            HINT = 'SELECT dbchange.set_restore_points(''high'', ARRAY[''prod'']);';
  END IF;
  INSERT INTO dbchange.settings AS s (key, value, updated_by)
  SELECT k, v, v_caller FROM (VALUES ('restore_points', min_risk),
                                     ('restore_point_environments', pg_catalog.array_to_string(environments, ','))) AS x(k, v)
   WHERE v IS NOT NULL
  ON CONFLICT ON CONSTRAINT settings_pkey
  DO UPDATE SET value = excluded.value, updated_at = pg_catalog.clock_timestamp(), updated_by = excluded.updated_by;
  PERFORM dbchange._invalidate('dbchange.settings'::pg_catalog.regclass);
  PERFORM dbchange._audit('configured', NULL, v_caller,
    pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('restore_points', min_risk,
      'restore_point_environments', environments)));
  RETURN QUERY SELECT x.k, coalesce(s.value, x.d)
                 FROM (VALUES ('restore_points', 'off'), ('restore_point_environments', 'prod')) AS x(k, d)
                 LEFT JOIN dbchange.settings s ON s.key = x.k ORDER BY 1;
END $$;

CREATE FUNCTION dbchange._on_change_applying() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_min text;
  v_envs text;
BEGIN
  SELECT value INTO v_min FROM dbchange.settings WHERE key = 'restore_points';
  IF v_min IS NULL OR v_min = 'off' OR NEW.restore_point IS NOT NULL
     OR dbchange._risk_rank(NEW.risk) < dbchange._risk_rank(v_min) THEN
    RETURN NEW;
  END IF;
  SELECT value INTO v_envs FROM dbchange.settings WHERE key = 'restore_point_environments';
  IF NOT NEW.environment = ANY (pg_catalog.string_to_array(coalesce(v_envs, 'prod'), ',')) THEN
    RETURN NEW;
  END IF;
  NEW.restore_point := 'dbchange-' || NEW.id;
  NEW.restore_lsn := pg_catalog.pg_create_restore_point(NEW.restore_point);
  RETURN NEW;
END $$;
CREATE TRIGGER change_restore_point_ins
  BEFORE INSERT ON dbchange.change
  FOR EACH ROW WHEN (NEW.status = 'applied' AND NEW.risk IS NOT NULL AND dbchange._restore_points_on())
  EXECUTE FUNCTION dbchange._on_change_applying();
CREATE TRIGGER change_restore_point_upd
  BEFORE UPDATE OF status ON dbchange.change
  FOR EACH ROW WHEN (NEW.status = 'applied' AND OLD.status <> 'applied' AND NEW.risk IS NOT NULL
                     AND dbchange._restore_points_on())
  EXECUTE FUNCTION dbchange._on_change_applying();

-- ---------------------------------------------------------------------------
-- Drift
-- ---------------------------------------------------------------------------
--
-- A baseline (dbchange.schema_state) is a snapshot of the schema as dbchange
-- knows it, with its hash; only the latest keeps the full snapshot, older
-- ones keep the hash.  detect_drift() compares the schema now with the
-- latest baseline; a difference is explained when it concerns an object a
-- change applied since the baseline touched (dbchange.change_object, or the
-- identity fact of its statements) -- everything else is drift: a change
-- made behind the gate (enforcement switched off, a direct catalog edit, a
-- restore of an older dump).
--
-- When baselines are taken (setting drift_snapshots, see
-- set_drift_snapshots()):
--   lazy  (default)  on record_schema_state()/accept_drift() and at the first
--                    detect_drift(); applied changes cost nothing extra
--   eager            also when each change is applied (at commit): every
--                    applied change leaves its snapshot hash; costs a full
--                    snapshot per applied change (bench/rollback_bench.sh)
-- A new baseline never swallows drift: differences the changes since the
-- previous baseline do not explain are stored in dbchange.drift first and
-- reported by detect_drift() until a policy admin accepts them.

CREATE TABLE dbchange.schema_state (
  id        bigserial PRIMARY KEY,
  change_id bigint NOT NULL,          -- highest applied change id when taken
  hash      text NOT NULL,
  snapshot  jsonb,                    -- only the latest baseline keeps it
  taken_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
  taken_by  text NOT NULL,
  reason    text NOT NULL
);
ALTER TABLE dbchange.schema_state ALTER COLUMN id SET DEFAULT dbchange._next_id('dbchange.schema_state_id_seq');

CREATE TABLE dbchange.drift (
  id          bigserial PRIMARY KEY,
  state_id    bigint NOT NULL REFERENCES dbchange.schema_state (id),
  found_at    timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
  object      text NOT NULL,
  difference  text NOT NULL,
  accepted_at timestamptz,
  accepted_by text
);
ALTER TABLE dbchange.drift ALTER COLUMN id SET DEFAULT dbchange._next_id('dbchange.drift_id_seq');

SELECT pg_catalog.pg_extension_config_dump('dbchange.schema_state', '');
SELECT pg_catalog.pg_extension_config_dump('dbchange.schema_state_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('dbchange.drift', '');
SELECT pg_catalog.pg_extension_config_dump('dbchange.drift_id_seq', '');

-- The identity part of a snapshot key ("column public.t.x" -> "public.t.x").
CREATE FUNCTION dbchange._key_identity(k text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT pg_catalog.regexp_replace(k, '^(table constraint|domain constraint|materialized view|foreign table|table|view|sequence|index|column|trigger|policy|function|procedure|aggregate|type|schema|extension) ', '')
$$;

-- Identities touched by changes applied after time t (the workflow's index
-- on applied_at, then the changes' own rows by change id: cost follows the
-- changes since the baseline, not the size of the history).

CREATE FUNCTION dbchange._touched_since(t timestamptz) RETURNS text[]
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  WITH recent AS MATERIALIZED (
    SELECT c.id FROM dbchange.change c
     WHERE c.applied_at > t AND c.status IN ('applied', 'rolled_back')
  )
  SELECT coalesce(pg_catalog.array_agg(DISTINCT i), '{}') FROM (
    SELECT o.identity AS i
      FROM recent r JOIN dbchange.change_object o ON o.change_id = r.id
    UNION ALL
    -- the classifier's facts name the object before the statement (renames: the old name)
    -- (change_statement's two parts, each by its key, not the view: see metrics())
    SELECT f.i
      FROM (SELECT st.facts FROM recent r JOIN dbchange.stored_statement st ON st.change_id = r.id
            UNION ALL
            SELECT c.facts FROM recent r JOIN dbchange.change c ON c.id = r.id WHERE c.facts IS NOT NULL) s,
           LATERAL (SELECT s.facts->>'identity' UNION ALL SELECT s.facts->>'table'
                    UNION ALL SELECT o->>'identity'
                      FROM pg_catalog.jsonb_array_elements(CASE WHEN pg_catalog.jsonb_typeof(s.facts->'objects') = 'array'
                                                                THEN s.facts->'objects' ELSE '[]' END) o) f(i)
  ) x WHERE i IS NOT NULL
$$;

-- Differences between baseline s and snapshot cur that no change since s explains.
CREATE FUNCTION dbchange._unexplained(s dbchange.schema_state, cur jsonb)
RETURNS TABLE (object text, difference text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  WITH touched AS (SELECT dbchange._touched_since(s.taken_at) AS ids)
  SELECT d.object, d.difference
    FROM dbchange.snapshot_diff(s.snapshot, cur, 'drift') d, touched
   WHERE NOT (dbchange._key_identity(d.object) = ANY (touched.ids)
              OR coalesce(coalesce(cur->d.object->>'table', s.snapshot->d.object->>'table') = ANY (touched.ids), false))
$$;

-- Take a new baseline (internal).  Unless accepting, first store the drift
-- the previous baseline shows, so that it is not swallowed.
CREATE FUNCTION dbchange._take_baseline(p_reason text, p_actor text, p_accept boolean) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  cur jsonb := dbchange.schema_snapshot(NULL);
  prev dbchange.schema_state;
  v_id bigint;
  n int := 0;
BEGIN
  SELECT * INTO prev FROM dbchange.schema_state ORDER BY id DESC LIMIT 1 FOR UPDATE;
  INSERT INTO dbchange.schema_state (change_id, hash, snapshot, taken_by, reason)
  SELECT coalesce(pg_catalog.max(id), 0), dbchange.snapshot_hash(cur), cur, p_actor, p_reason
    FROM dbchange.change WHERE status IN ('applied', 'rolled_back')
  RETURNING id INTO v_id;
  IF prev.id IS NOT NULL THEN
    IF NOT p_accept THEN
      INSERT INTO dbchange.drift (state_id, object, difference)
      SELECT prev.id, u.object, u.difference FROM dbchange._unexplained(prev, cur) u
       WHERE NOT EXISTS (SELECT 1 FROM dbchange.drift x WHERE x.accepted_at IS NULL
                            AND x.object = u.object AND x.difference = u.difference);
      GET DIAGNOSTICS n = ROW_COUNT;
      IF n > 0 THEN
        PERFORM dbchange._audit('drift_detected', NULL, p_actor,
          pg_catalog.jsonb_build_object('baseline', prev.id, 'differences', n));
      END IF;
    END IF;
    UPDATE dbchange.schema_state SET snapshot = NULL WHERE id < v_id AND snapshot IS NOT NULL;
  END IF;
  RETURN v_id;
END $$;

-- record_schema_state(): take a new drift baseline now (policy admins).
-- Drift found against the previous baseline is kept (see accept_drift()).
CREATE FUNCTION dbchange.record_schema_state() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT dbchange._caller_is('dbchange_policy_admin') THEN
    RAISE EXCEPTION 'permission denied to record the schema state'
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Role %I is neither a superuser nor a member of dbchange_policy_admin.', dbchange._caller()),
            HINT = 'Ask a policy admin.';
  END IF;
  RETURN dbchange._take_baseline('recorded', dbchange._caller(), false);
END $$;

-- accept_drift(): the schema as it is now is what it should be: mark the
-- recorded drift accepted and take a new baseline (policy admins).
CREATE FUNCTION dbchange.accept_drift() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n bigint;
BEGIN
  IF NOT dbchange._caller_is('dbchange_policy_admin') THEN
    RAISE EXCEPTION 'permission denied to accept drift'
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Role %I is neither a superuser nor a member of dbchange_policy_admin.', dbchange._caller()),
            HINT = 'Ask a policy admin.';
  END IF;
  UPDATE dbchange.drift SET accepted_at = pg_catalog.clock_timestamp(), accepted_by = dbchange._caller()
   WHERE accepted_at IS NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM dbchange._take_baseline('accepted drift', dbchange._caller(), true);
  PERFORM dbchange._audit('drift_accepted', NULL, dbchange._caller(), pg_catalog.jsonb_build_object('differences', n));
  RETURN n;
END $$;

-- detect_drift(): one row per difference between the schema now and what
-- the applied changes produced.  The first call (no baseline yet) takes the
-- baseline and reports nothing.
CREATE FUNCTION dbchange.detect_drift() RETURNS TABLE (object text, difference text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s dbchange.schema_state;
BEGIN
  SELECT * INTO s FROM dbchange.schema_state ORDER BY id DESC LIMIT 1;
  IF s.id IS NULL THEN
    PERFORM dbchange._take_baseline('first detect_drift', dbchange._caller(), true);
    RAISE NOTICE 'no drift baseline existed: took one now'
      USING DETAIL = 'Drift is measured against this baseline from now on.';
    RETURN;
  END IF;
  RETURN QUERY
  SELECT x.object, x.difference FROM (
    SELECT d.object, d.difference FROM dbchange.drift d WHERE d.accepted_at IS NULL
    UNION
    SELECT u.object, u.difference FROM dbchange._unexplained(s, dbchange.schema_snapshot(NULL)) u
  ) x ORDER BY 1, 2;
END $$;

CREATE FUNCTION dbchange.set_drift_snapshots(mode text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT dbchange._caller_is('dbchange_policy_admin') THEN
    RAISE EXCEPTION 'permission denied to configure drift snapshots'
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Role %I is neither a superuser nor a member of dbchange_policy_admin.', dbchange._caller()),
            HINT = 'Ask a policy admin.';
  END IF;
  IF mode IS NULL OR mode NOT IN ('lazy', 'eager') THEN
    RAISE EXCEPTION 'invalid drift snapshot mode "%"', dbchange._shown(mode)
      USING ERRCODE = '22023', DETAIL = 'It is lazy (baselines on demand) or eager (a snapshot after every applied change).',
            HINT = 'SELECT dbchange.set_drift_snapshots(''eager'');';
  END IF;
  INSERT INTO dbchange.settings AS s (key, value, updated_by) VALUES ('drift_snapshots', mode, dbchange._caller())
  ON CONFLICT ON CONSTRAINT settings_pkey
  DO UPDATE SET value = excluded.value, updated_at = pg_catalog.clock_timestamp(), updated_by = excluded.updated_by;
  PERFORM dbchange._invalidate('dbchange.settings'::pg_catalog.regclass);
  PERFORM dbchange._audit('configured', NULL, dbchange._caller(), pg_catalog.jsonb_build_object('drift_snapshots', mode));
  RETURN mode;
END $$;

-- Eager mode: a baseline at the commit of each transaction that applied a change.
CREATE FUNCTION dbchange._on_change_applied_state() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  latest dbchange.schema_state;
BEGIN
  IF coalesce((SELECT value FROM dbchange.settings WHERE key = 'drift_snapshots'), 'lazy') <> 'eager' THEN
    RETURN NULL;
  END IF;
  SELECT * INTO latest FROM dbchange.schema_state ORDER BY id DESC LIMIT 1;
  -- one baseline per transaction, however many changes it applied
  IF latest.id IS NOT NULL AND latest.taken_at >= pg_catalog.now() AND latest.change_id >= NEW.id THEN
    RETURN NULL;
  END IF;
  PERFORM dbchange._take_baseline('applied change ' || NEW.id, NEW.requested_by, false);
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER change_applied_state
  AFTER INSERT OR UPDATE OF status ON dbchange.change
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.status IN ('applied', 'rolled_back') AND dbchange._drift_eager())
  EXECUTE FUNCTION dbchange._on_change_applied_state();

-- Environment comparison (CLI diff --from A --to B): snapshot_diff(a, b, 'env').

-- Privileges.
REVOKE ALL ON dbchange.schema_state, dbchange.drift FROM PUBLIC;
REVOKE ALL ON FUNCTION dbchange._verify_run(text, text, text, oid, text, text[]),
  dbchange._verify_script(text, text, text), dbchange._link_rollback(bigint, bigint, boolean),
  dbchange._rollback_target(bigint), dbchange._take_baseline(text, text, boolean),
  dbchange._on_rollback_applied(), dbchange._on_change_applying(), dbchange._on_change_applied_state(),
  dbchange._on_change_generate_down(),
  dbchange._down_of(dbchange.change), dbchange._get_change(bigint), dbchange._may_review(dbchange.change),
  dbchange._unexplained(dbchange.schema_state, jsonb), dbchange._touched_since(timestamptz)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dbchange._verify_script(text, text, text), dbchange._rollback_target(bigint),
  dbchange._link_rollback(bigint, bigint, boolean), dbchange._down_of(dbchange.change)
  TO PUBLIC;
GRANT EXECUTE ON FUNCTION dbchange.schema_snapshot(text[]), dbchange._snapshot_schemas(text[]), dbchange._acl(aclitem[]),
  dbchange.snapshot_hash(jsonb), dbchange.snapshot_diff(jsonb, jsonb, text),
  dbchange._downgen(text, text, text[]), dbchange._down_script(text, text, text[]), dbchange._generated_down(text, text), dbchange._ran_schemas(bigint), dbchange.explain_down(text), dbchange.generate_down(text),
  dbchange._verify_rows(jsonb),
  dbchange.verify_rollback_script(text, text), dbchange.verify_rollback(bigint), dbchange.rollback(bigint),
  dbchange.detect_drift(), dbchange.record_schema_state(), dbchange.accept_drift(),
  dbchange.set_drift_snapshots(text), dbchange.set_restore_points(text, text[]),
  dbchange._risk_rank(text), dbchange._key_identity(text),
  dbchange._drift_eager(), dbchange._restore_points_on()
  TO PUBLIC;

-- ---------------------------------------------------------------------------
-- Facts for the submit path
-- ---------------------------------------------------------------------------
--
-- rollback_facts(script, down_script): what a submitted change's facts say
-- about its rollback, computed before the policies decide:
--   {"has_down_script": bool, "down_generated": bool, "down_script": text|null,
--    "rollback_verified": bool|null, "rollback_differences": int}
-- A NULL down_script is generated when possible.  rollback_verified is null
-- when there is no down script.  Costs one verification (up + down + two
-- snapshots, rolled back).  Runs the statements as the caller.
CREATE FUNCTION dbchange._rollback_facts(script text, down_script text, path text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  down text := down_script;
  generated boolean := false;
  n int;
BEGIN
  IF script IS NULL THEN
    RAISE EXCEPTION 'script must not be null' USING ERRCODE = '22004', HINT = 'Pass the text of the up script.';
  END IF;
  IF down IS NULL OR pg_catalog.btrim(down) = '' THEN
    down := NULL;
    down := dbchange._down_script(script, coalesce(path, 'public'));
    generated := down IS NOT NULL;
  END IF;
  IF down IS NULL THEN
    RETURN pg_catalog.jsonb_build_object('has_down_script', false, 'down_generated', false,
                                         'down_script', NULL, 'rollback_verified', NULL);
  END IF;
  SELECT pg_catalog.count(*) INTO n
    FROM dbchange._verify_rows(dbchange._verify_run(script, down, 'pending', dbchange._caller_oid(), path, NULL));
  RETURN pg_catalog.jsonb_build_object('has_down_script', true, 'down_generated', generated,
                                       'down_script', down, 'rollback_verified', n = 0,
                                       'rollback_differences', n);
END $$;

CREATE FUNCTION dbchange.rollback_facts(script text, down_script text DEFAULT NULL) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT dbchange._rollback_facts(script, down_script, pg_catalog.current_setting('search_path'))
$$;

CREATE FUNCTION dbchange._check_script(script text, which text) RETURNS int
  LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'dbc_check_script';

-- Does an enabled policy use this fact?  (The policy table belongs to the
-- policy engine; absent, no policy does.)
CREATE FUNCTION dbchange._policies_use(fact text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r boolean;
BEGIN
  IF pg_catalog.to_regclass('dbchange.policy') IS NULL THEN
    RETURN false;
  END IF;
  EXECUTE 'SELECT EXISTS (SELECT 1 FROM dbchange.policy WHERE enabled AND pg_catalog.strpos(source, $1) > 0)'
    INTO r USING fact;
  RETURN r;
END $$;

-- Called by submit() (submit.c, through verify.c) before the policies
-- decide: a given down script must parse; the rollback facts are computed
-- only when an enabled policy mentions rollback_verified.
CREATE FUNCTION dbchange._submit_rollback_facts(script text, down_script text) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
  IF down_script IS NOT NULL THEN
    PERFORM dbchange._check_script(down_script, 'down');
  END IF;
  IF NOT dbchange._policies_use('rollback_verified') THEN
    RETURN NULL;
  END IF;
  RETURN dbchange.rollback_facts(script, down_script) - 'down_script' - 'rollback_differences';
END $$;

GRANT EXECUTE ON FUNCTION dbchange._rollback_facts(text, text, text), dbchange.rollback_facts(text, text),
  dbchange._check_script(text, text), dbchange._policies_use(text), dbchange._submit_rollback_facts(text, text),
  dbchange._submit_as_rollback(bigint, text, text, text)
  TO PUBLIC;
