-- dbchange: what the CLI reads beside the changes view (docs/cli.md).
--
-- Views, readable by everyone like dbchange.changes (whose statements they
-- detail): no role needs read access to the catalog tables to show a change
-- or to promote it with its down script and provenance.

-- The statements of each change, each with its own decision (dbchange show).
CREATE VIEW dbchange.change_statements AS
  SELECT change_id, statement_no, command, action, risk, reasons, statement
    FROM dbchange.change_statement;

-- What travels with a change on promotion besides the changes view's
-- columns: its down script and its provenance (dbchange promote).
-- logins: who ran the change's statements here (their session_user facts),
-- which promotion carries in the origin so that approve() in the next
-- environment refuses them as it refuses the requester.
CREATE VIEW dbchange.change_scripts AS
  SELECT c.id, c.uid, c.down_script, c.origin,
         (SELECT pg_catalog.jsonb_agg(DISTINCT s.facts->>'session_user')
            FROM dbchange.change_statement s
           WHERE s.change_id = c.id AND s.facts->>'session_user' IS NOT NULL) AS logins
    FROM dbchange.change c;

GRANT SELECT ON dbchange.change_statements, dbchange.change_scripts TO PUBLIC;
