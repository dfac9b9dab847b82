-- The change-facts classifier (extension/classify.c), callable from SQL.
-- Facts are documented in docs/facts.md.

-- _jsonb_write_check(doc): the gate writes its facts and objects as jsonb
-- itself (jsonb_write.c); is doc, written that way again, the same bytes?
-- For the regression tests; reads nothing but its argument.
CREATE FUNCTION dbchange._jsonb_write_check(doc jsonb) RETURNS boolean
    LANGUAGE c STRICT IMMUTABLE
    AS 'MODULE_PATHNAME', 'dbc_jsonb_write_check';

CREATE FUNCTION dbchange.classify(sql text) RETURNS SETOF jsonb
    LANGUAGE c STRICT VOLATILE
    AS 'MODULE_PATHNAME', 'dbc_classify_sql';
COMMENT ON FUNCTION dbchange.classify(text) IS
    'The change facts of every statement of a script (one jsonb per statement); runs nothing';
GRANT EXECUTE ON FUNCTION dbchange.classify(text) TO PUBLIC;
