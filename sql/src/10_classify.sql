-- The change-facts classifier (extension/classify.c), callable from SQL.
-- Facts are documented in docs/facts.md.

-- _jsonb_write_check(doc): the gate writes its facts and objects as jsonb
-- itself (jsonb_write.c); is doc, written that way again, the same bytes?
-- For the regression tests; reads nothing but its argument.
CREATE FUNCTION dbchange._jsonb_write_check(doc jsonb) RETURNS boolean
    LANGUAGE c STRICT IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'dbc_jsonb_write_check';

-- _sha256_paths(t): a statement's checksum (sha256.c) in plain C and with the
-- processor's SHA instructions (NULL without them); both must equal
-- encode(sha256(convert_to(t, 'UTF8')), 'hex') in a database that is not SQL_ASCII.
-- For the regression tests.
CREATE FUNCTION dbchange._sha256_paths(t text) RETURNS text[]
    LANGUAGE c STRICT IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'dbc_sha256_paths';

-- _checksum(t): the checksum of a statement, script, policy source or audit
-- entry: the hex SHA-256 of t's UTF-8 form (in a SQL_ASCII database, of its
-- bytes as they are), as the gate computes it in C.  Reads nothing but its
-- argument.
CREATE FUNCTION dbchange._checksum(t text) RETURNS text
    LANGUAGE c STRICT IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'dbc_checksum_sql';

CREATE FUNCTION dbchange.classify(sql text) RETURNS SETOF jsonb
    LANGUAGE c STRICT VOLATILE
    AS 'MODULE_PATHNAME', 'dbc_classify_sql';
COMMENT ON FUNCTION dbchange.classify(text) IS
    'The change facts of every statement of a script (one jsonb per statement); runs nothing';
GRANT EXECUTE ON FUNCTION dbchange.classify(text) TO PUBLIC;
