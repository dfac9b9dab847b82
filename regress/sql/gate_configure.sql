-- configure(): values, bad input, defaults, who may call it.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_gate_configure;
CREATE DATABASE regress_gate_configure;
\c regress_gate_configure
SET client_min_messages = warning;
CREATE EXTENSION dbchange;
\set VERBOSITY default

-- defaults, and all-NULL arguments change nothing
SELECT * FROM dbchange.configure();
SELECT * FROM dbchange.configure(environment => 'prod', rollout => 'auto');
SELECT * FROM dbchange.configure(NULL, NULL, NULL);

-- bad values: a clear error, nothing changes
SELECT * FROM dbchange.configure(default_action => 'allow');
SELECT * FROM dbchange.configure(rollout => 'sometimes');
SELECT * FROM dbchange.configure(environment => 'Prod; DROP TABLE x');
SELECT * FROM dbchange.configure(environment => '');
SELECT * FROM dbchange.configure(environment => 'test', default_action => 'nope');
SELECT * FROM dbchange.configure();

-- the environment is part of each record
CREATE TABLE in_prod (id int);
SELECT environment, statement FROM dbchange.changes;
SELECT event, details->'new' AS new FROM dbchange.audit WHERE event = 'configured' ORDER BY seq;

-- a bad value is repeated in the message at most 64 characters long, so a huge
-- one does not become a huge message in the server log
\set VERBOSITY terse
SELECT dbchange.configure(environment => repeat('Prod', 50000));
SELECT dbchange.configure(rollout => 'sometimes');
\set VERBOSITY default
