-- The change-facts classifier (extension/classify.c), callable from SQL.
-- Facts are documented in docs/facts.md.

CREATE FUNCTION dbchange.classify(sql text) RETURNS SETOF jsonb
    LANGUAGE c STRICT VOLATILE
    AS 'MODULE_PATHNAME', 'dbc_classify_sql';
COMMENT ON FUNCTION dbchange.classify(text) IS
    'The change facts of every statement of a script (one jsonb per statement); runs nothing';
GRANT EXECUTE ON FUNCTION dbchange.classify(text) TO PUBLIC;
