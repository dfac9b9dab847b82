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
  ADD COLUMN rollback_of bigint REFERENCES dbchange.change (id),
  ADD COLUMN rollback_verified boolean,
  ADD COLUMN restore_point text,
  ADD COLUMN restore_lsn pg_lsn;
CREATE INDEX change_rollback_of_idx ON dbchange.change (rollback_of) WHERE rollback_of IS NOT NULL;

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
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN acl IS NULL THEN NULL
              ELSE pg_catalog.to_jsonb(ARRAY(SELECT a::text FROM pg_catalog.unnest(acl) a ORDER BY 1)) END
$$;

CREATE FUNCTION dbchange.schema_snapshot(schemas text[] DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  nsps oid[] := dbchange._snapshot_schemas(schemas);
  result jsonb;
BEGIN
  WITH
  -- objects that belong to an extension are the extension's business
  ext_member AS (
    SELECT d.classid, d.objid FROM pg_catalog.pg_depend d WHERE d.deptype = 'e'
  ),
  rels AS (
    SELECT c.oid, c.relname, c.relkind, c.relnamespace,
           (pg_catalog.pg_identify_object('pg_catalog.pg_class'::pg_catalog.regclass, c.oid, 0)).*
      FROM pg_catalog.pg_class c
     WHERE c.relnamespace = ANY (nsps)
       AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
       AND NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND e.objid = c.oid)
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
                 THEN pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.pg_get_functiondef(p.oid), 'UTF8')), 'hex') END)
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_language l ON l.oid = p.prolang,
           LATERAL pg_catalog.pg_identify_object('pg_catalog.pg_proc'::pg_catalog.regclass, p.oid, 0) o
     WHERE p.pronamespace = ANY (nsps)
       AND NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND e.objid = p.oid)
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
       AND (t.typtype <> 'b' OR t.typelem = 0 OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type et WHERE et.typarray = t.oid))
       AND t.typtype <> 'm'
       AND NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND e.objid = t.oid)
  )
  SELECT coalesce(pg_catalog.jsonb_object_agg(k, pg_catalog.jsonb_strip_nulls(v)), '{}') INTO result FROM objs;
  RETURN result;
END $$;

-- The sha256 of a snapshot's canonical text.
CREATE FUNCTION dbchange.snapshot_hash(snapshot jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(snapshot::text, 'UTF8')), 'hex')
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
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  only_b text;
  only_a text;
BEGIN
  IF mode IS NULL OR mode NOT IN ('verify', 'drift', 'env') THEN
    RAISE EXCEPTION 'invalid comparison mode "%"', mode
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
