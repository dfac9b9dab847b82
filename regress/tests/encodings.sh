#!/usr/bin/env bash
# regress/tests/encodings.sh -- checksums and records in databases that are
# not UTF8.
#
# A change's checksum is the SHA-256 of its text's UTF-8 form, whatever the
# database's encoding: the same statement must have the same checksum in a
# LATIN1 prod as in a UTF8 dev (promotions, `dbchange deploy` and the CLI
# compare them with checksums of UTF-8 files).  A SQL_ASCII database holds
# any bytes; they are hashed as they are, and a statement that is not UTF-8
# there is recorded, queued, approved and applied like any other (until this
# test, converting it to UTF-8 failed the record, and so the statement).
set -u
. "$(dirname "$0")/../lib.sh"
P=${DBC_PORT:?run from regress/run-all.sh or set DBC_PORT}
TMP=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# q DB CLIENT_ENCODING SQL-FILE -> psql's output (terse, unaligned)
q() { PGCLIENTENCODING=$2 dbc_psql "$P" "$1" -At -v ON_ERROR_STOP=0 -c '\set VERBOSITY terse' -f "$3" 2>&1; }

# setup DB ENCODING: a database of that encoding, dbchange, a developer and a
# lead who approves (manual rollout: the superuser applies)
setup() {
	dbc_psql "$P" postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" \
		-c "CREATE DATABASE $1 ENCODING '$2' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0" >/dev/null
	dbc_psql "$P" "$1" >/dev/null <<-SQL
	SET client_min_messages = warning;
	CREATE EXTENSION dbchange;
	DO \$\$BEGIN
	  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_enc_dev') THEN CREATE ROLE regress_enc_dev; END IF;
	  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_enc_lead') THEN CREATE ROLE regress_enc_lead; END IF;
	END\$\$;
	GRANT CREATE ON SCHEMA public TO regress_enc_dev;
	SELECT dbchange.set_flow('default', ARRAY['regress_enc_lead']);
	SELECT dbchange.configure(default_action => 'approve', rollout => 'manual');
	CREATE TABLE t (id int);
	ALTER TABLE t OWNER TO regress_enc_dev;
	SQL
}

# mysql_change CLIENT_ENCODING DESCRIPTION: $mysql submitted as a MySQL change
# in $DB; its checksum is that of $mysql's bytes as sent, mysql_changes()
# finds it matching, and the audit chain verifies
mysql_change() {
	cat >"$TMP/my.sql" <<-SQL
	SELECT dbchange.submit_mysql(\$x\$$mysql\$x\$, 'shop') AS mid \\gset
	SELECT checksum FROM dbchange.changes WHERE id = :mid;
	SELECT checksum_ok FROM dbchange.mysql_changes('shop') WHERE id = :mid;
	SELECT dbchange.verify_audit() IS NULL;  -- the chain is intact
	SQL
	check "$2" "$(sha "$mysql")|t|t" "$(q $DB "$1" "$TMP/my.sql" | paste -sd'|')"
}

# --- LATIN1: the client sends UTF-8, the server stores LATIN1 ---
DB=regress_enc_latin1
setup $DB LATIN1
approved="COMMENT ON TABLE t IS 'café'"
queued="COMMENT ON TABLE t IS 'naïve'"
mysql="CREATE TABLE prix (nom varchar(20) COMMENT 'désignation')"
cat >"$TMP/l1.sql" <<SQL
$approved;
SELECT checksum FROM dbchange.changes WHERE statement = \$x\$$approved\$x\$;
SELECT dbchange._checksum('café');
SQL
out=$(q $DB UTF8 "$TMP/l1.sql")
check "LATIN1: an approved statement's checksum is that of its UTF-8 text" \
	"$(sha "$approved")" "$(sed -n 1p <<<"$out")"
check "LATIN1: _checksum() in SQL is the same checksum" "$(sha "café")" "$(sed -n 2p <<<"$out")"

cat >"$TMP/l2.sql" <<SQL
SELECT dbchange.configure(default_action => 'queue') \\g /dev/null
SET ROLE regress_enc_dev;
$queued;
RESET ROLE;
SELECT id AS qid FROM dbchange.changes WHERE statement = \$x\$$queued\$x\$ \\gset
SELECT status, checksum FROM dbchange.changes WHERE id = :qid;
SET ROLE regress_enc_lead;
SELECT dbchange.approve(:qid, 'ok') \\g /dev/null
RESET ROLE;
SELECT dbchange.apply(:qid) \\g /dev/null
SELECT status FROM dbchange.changes WHERE id = :qid;
SELECT obj_description('t'::regclass);
SQL
out=$(q $DB UTF8 "$TMP/l2.sql")
check_match "LATIN1: a queued statement is stored with its UTF-8 checksum" \
	"^pending\|$(sha "$queued")\$" "$out"
check "LATIN1: approved and applied, the text matching its checksum" "applied|naïve" \
	"$(grep -E '^(applied|naïve|ERROR)' <<<"$out" | paste -sd'|')"

mysql_change UTF8 "LATIN1: a MySQL change's checksum is that of its UTF-8 text, and it checks"

# --- SQL_ASCII: bytes that are not UTF-8 (0xE9, LATIN1's e-acute) ---
DB=regress_enc_ascii
setup $DB SQL_ASCII
e=$'\xe9'
approved="COMMENT ON TABLE t IS 'caf$e'"
queued="COMMENT ON TABLE t IS 'na${e}ve'"
mysql="CREATE TABLE prix (nom varchar(20) COMMENT 'd${e}signation')"
utf8ok="COMMENT ON TABLE t IS 'café'"
cat >"$TMP/a1.sql" <<SQL
$approved;
SELECT checksum FROM dbchange.changes WHERE statement = \$x\$$approved\$x\$;
$utf8ok;
SELECT checksum FROM dbchange.changes WHERE statement = \$x\$$utf8ok\$x\$;
SELECT * FROM dbchange.evaluate(\$x\$$queued\$x\$, 'prod') \\g /dev/null
SELECT * FROM dbchange.evaluate_mysql(\$x\$$mysql\$x\$, 'prod') \\g /dev/null
SELECT 'evaluated';
SQL
out=$(q $DB SQL_ASCII "$TMP/a1.sql")
check "SQL_ASCII: a statement that is not UTF-8 is approved and recorded, its bytes hashed" \
	"$(sha "$approved")" "$(sed -n 1p <<<"$out")"
check "SQL_ASCII: a UTF-8 statement has the checksum it has in a UTF8 database" \
	"$(sha "$utf8ok")" "$(sed -n 2p <<<"$out")"
check "SQL_ASCII: evaluate() and evaluate_mysql() judge such bytes" "evaluated" "$(sed -n 3p <<<"$out")"

sed "s/'naïve'/'na${e}ve'/" "$TMP/l2.sql" >"$TMP/a2.sql"
out=$(q $DB SQL_ASCII "$TMP/a2.sql")
check_match "SQL_ASCII: such a statement is queued (stored durably) with its checksum" \
	"^pending\|$(sha "$queued")\$" "$out"
check "SQL_ASCII: approved and applied, the text matching its checksum" "applied|na${e}ve" \
	"$(grep -aE '^(applied|na|ERROR)' <<<"$out" | paste -sd'|')"

mysql_change SQL_ASCII "SQL_ASCII: a MySQL change that is not UTF-8 is recorded and its checksum checks"

for DB in regress_enc_latin1 regress_enc_ascii; do
	dbc_psql "$P" postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" >/dev/null
done
dbc_summary
