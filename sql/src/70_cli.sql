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
CREATE VIEW dbchange.change_scripts AS
  SELECT id, uid, down_script, origin
    FROM dbchange.change;

GRANT SELECT ON dbchange.change_statements, dbchange.change_scripts TO PUBLIC;
