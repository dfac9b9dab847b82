-- stock_corpus: what the stock library decides for a fixed corpus of statements, in each kind
-- of environment, kept verbatim.  The corpus (regress/data/stock_corpus.txt) is every statement
-- the stock policies' own tests use, plus the benchmark's DDL mix.  A policy's own tests pin
-- the cases its author thought of; this pins everything else it says about all of them (the
-- action, risk and exact reasons of the whole library together), so that tuning a policy for
-- speed cannot change a decision unnoticed.  A deliberate change of a stock policy updates
-- regress/expected/stock_corpus.out with it.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_stock_corpus;
CREATE DATABASE regress_stock_corpus;
\c regress_stock_corpus
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY terse
-- Every stock policy, in one statement built by the shell (psql reads the files).
\set load `t='$dbc_src$'; for f in lua_policies/*.lua; do printf '%s(%s, %s%s%s)' "${sep:-}" "'$(basename "$f" .lua)'" "$t" "$(cat "$f")" "$t"; sep=', '; done`
SELECT count(dbchange.set_policy(n, s)) AS loaded FROM (VALUES :load) AS v(n, s);
-- Time-dependent policies would make the output depend on when the test runs.
SELECT dbchange.disable_policy('maintenance_window');
SELECT dbchange.disable_policy('change_freeze');
\set corpus `cat regress/data/stock_corpus.txt`
CREATE TEMP TABLE corpus AS
  SELECT n::int AS n, sql FROM regexp_split_to_table(:'corpus', E'\n') WITH ORDINALITY AS c(sql, n)
  WHERE sql <> '';
SELECT count(*) AS statements FROM corpus;
SELECT count(*) AS changes_before FROM dbchange.changes \gset
-- One row per statement and environment: no statement is left out, none runs.
SELECT count(*) AS decisions, count(DISTINCT (c.n, e.env)) AS distinct_decisions
  FROM corpus c, unnest(ARRAY['dev', 'test', 'stage', 'prod']) AS e(env),
       LATERAL dbchange.evaluate(c.sql, e.env) r;
SELECT count(*) - :changes_before AS changes_recorded_by_dry_runs FROM dbchange.changes;
-- The facts are jsonb dbchange writes itself (jsonb_write.c): every statement's are the
-- very bytes PostgreSQL's own conversion makes of them, and read back as they were written.
SELECT count(*) AS facts, count(*) FILTER (WHERE NOT dbchange._jsonb_write_check(r.facts)) AS written_otherwise,
       count(*) FILTER (WHERE NOT dbchange._jsonb_write_check(f)) AS classified_otherwise,
       count(*) FILTER (WHERE r.facts::text::jsonb <> r.facts
                          OR pg_column_size(r.facts::text::jsonb) <> pg_column_size(r.facts)) AS read_otherwise
  FROM corpus c, LATERAL dbchange.evaluate(c.sql, 'prod') r, LATERAL dbchange.classify(c.sql) f;
-- The decisions, one line each: statement number, environment, action/risk, reasons.
\pset format unaligned
\pset tuples_only on
SELECT format('%s %s %s/%s: %s', c.n, e.env, r.action, coalesce(r.risk, '-'),
              array_to_string(r.reasons, ' | '))
  FROM corpus c, unnest(ARRAY['dev', 'test', 'stage', 'prod']) WITH ORDINALITY AS e(env, o),
       LATERAL dbchange.evaluate(c.sql, e.env) r
  ORDER BY c.n, e.o;
\pset format aligned
\pset tuples_only off
\c postgres
SET client_min_messages = warning;
DROP DATABASE regress_stock_corpus;
