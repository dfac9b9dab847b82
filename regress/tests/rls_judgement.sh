#!/usr/bin/env bash
# regress/tests/rls_judgement.sh -- row-level security as PostgreSQL really
# applies it, and the stock policies' judgement of it (facts of rls.c):
# rows disappear for a non-owner role when RLS is enabled without a policy
# (default deny), the owner keeps them until FORCE; the policies a script
# creates count for the ENABLE of the same script in evaluate() and
# submit(), whichever order they come in, but not at the gate (each
# statement is judged when it runs); DROP of the last policy, of a
# restrictive one, USING (true); quoted and schema-qualified names, a
# partitioned table (RLS applies to the table queried), and the dodges: a
# policy on a same-named table of another schema, USING (false), CREATE
# POLICY inside a DO block.
set -u
cd "$(dirname "$0")/../.."
. regress/lib.sh
P=${DBC_PORT:?run from regress/run-all.sh or set DBC_PORT}
DB=regress_rls_judgement

dbc_psql "$P" postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" \
	-c "CREATE DATABASE $DB" >/dev/null
dbc_psql "$P" "$DB" -c "SET client_min_messages = warning" -c "CREATE EXTENSION dbchange" \
	-c "SELECT dbchange.configure(environment => 'prod', rollout => 'auto')" >/dev/null
for f in backward_compatibility server_security protected_objects; do
	printf '\\set src `cat lua_policies/%s.lua`\nSELECT dbchange.set_policy(%s, :%s);\n' "$f" "'$f'" "'src'"
done | dbc_psql "$P" "$DB" >/dev/null
q() { dbc_psql "$P" "$DB" -At -v ON_ERROR_STOP=0 -c "SET dbchange.enforce = off" -c "$@" 2>&1; }
# gate: enforcement on, as the superuser
g() { dbc_psql "$P" "$DB" -At -v ON_ERROR_STOP=0 -c "SET client_min_messages = warning" -c "$@" 2>&1; }
dec() { dbc_psql "$P" "$DB" -At -c "SELECT string_agg(concat(statement_no, ':', action, '/', risk, ' ', array_to_string(reasons, ' ; ')), ' || ' ORDER BY statement_no) FROM dbchange.evaluate(\$q\$$1\$q\$, 'prod')"; }
fact() { dbc_psql "$P" "$DB" -At -c "SELECT $2 FROM dbchange.classify(\$q\$$1\$q\$) f"; }
none="approve/ default: no policy has an opinion; the prod environment's default action is approve"

q "CREATE ROLE rls_app; CREATE ROLE rls_owner;
CREATE SCHEMA \"Rls S\"; CREATE SCHEMA rls_other;
CREATE TABLE \"Rls S\".\"Acc T\" (id int, tenant text);
CREATE TABLE rls_other.\"Acc T\" (id int, tenant text);
CREATE TABLE plain (id int, tenant text); CREATE TABLE rls_other.plain (id int, tenant text);
CREATE TABLE pt (id int, tenant text) PARTITION BY RANGE (id);
CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM (0) TO (100);
INSERT INTO \"Rls S\".\"Acc T\" VALUES (1, 'a'), (2, 'b'); INSERT INTO plain VALUES (1, 'a'), (2, 'b');
INSERT INTO pt VALUES (1, 'a'), (2, 'b');
ALTER TABLE plain OWNER TO rls_owner; GRANT rls_app, rls_owner TO postgres;
GRANT USAGE ON SCHEMA \"Rls S\" TO rls_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON \"Rls S\".\"Acc T\", plain, pt, pt1 TO rls_app;" >/dev/null

# --- PostgreSQL: default deny -------------------------------------------------
out=$(q "BEGIN" -c "ALTER TABLE plain ENABLE ROW LEVEL SECURITY" \
	-c "SET ROLE rls_app" -c "SELECT 'app ' || count(*) FROM plain" -c "RESET ROLE" \
	-c "SET ROLE rls_owner" -c "SELECT 'owner ' || count(*) FROM plain" -c "RESET ROLE" \
	-c "ALTER TABLE plain FORCE ROW LEVEL SECURITY" \
	-c "SET ROLE rls_owner" -c "SELECT 'forced owner ' || count(*) FROM plain" -c "RESET ROLE" \
	-c "SET ROLE rls_app" -c "INSERT INTO plain VALUES (3, 'c')" -c "ROLLBACK")
check_match "ENABLE without a policy: a non-owner role reads no rows (PostgreSQL)" "^app 0$" "$out"
check_match "ENABLE without a policy: the owner still reads them (PostgreSQL)" "^owner 2$" "$out"
check_match "FORCE without a policy: the owner reads none either (PostgreSQL)" "^forced owner 0$" "$out"
check_match "ENABLE without a policy: a non-owner's INSERT fails (PostgreSQL)" "violates row-level security policy" "$out"
out=$(q "BEGIN" -c "ALTER TABLE plain ENABLE ROW LEVEL SECURITY" -c "CREATE POLICY r ON plain AS RESTRICTIVE USING (tenant = 'a')" \
	-c "SET ROLE rls_app" -c "SELECT 'restrictive only ' || count(*) FROM plain" -c "RESET ROLE" \
	-c "CREATE POLICY f ON plain USING (false)" \
	-c "SET ROLE rls_app" -c "SELECT 'using false ' || count(*) FROM plain" -c "RESET ROLE" \
	-c "CREATE POLICY o ON plain USING (true)" \
	-c "SET ROLE rls_app" -c "SELECT 'restricted ' || count(*) FROM plain" -c "RESET ROLE" \
	-c "DROP POLICY r ON plain" \
	-c "SET ROLE rls_app" -c "SELECT 'restrictive dropped ' || count(*) FROM plain" -c "ROLLBACK")
check_match "only a restrictive policy: no rows (PostgreSQL)" "^restrictive only 0$" "$out"
check_match "a permissive USING (false): no rows (PostgreSQL)" "^using false 0$" "$out"
check_match "restrictive + permissive USING (true): the restriction holds (PostgreSQL)" "^restricted 1$" "$out"
check_match "DROP of the restrictive policy: its rows become visible (PostgreSQL)" "^restrictive dropped 2$" "$out"
# policies that do not apply to readers: FOR INSERT / UPDATE / DELETE, or FOR ALL without USING
out=$(q "BEGIN" -c "CREATE POLICY i ON plain FOR INSERT WITH CHECK (true)" \
	-c "CREATE POLICY u ON plain FOR UPDATE USING (true)" -c "CREATE POLICY d ON plain FOR DELETE USING (true)" \
	-c "ALTER TABLE plain ENABLE ROW LEVEL SECURITY" \
	-c "SET ROLE rls_app" -c "SELECT 'write policies only ' || count(*) FROM plain" -c "RESET ROLE" \
	-c "CREATE POLICY w ON plain FOR ALL WITH CHECK (true)" \
	-c "SET ROLE rls_app" -c "SELECT 'all without using ' || count(*) FROM plain" -c "RESET ROLE" \
	-c "CREATE POLICY s ON plain FOR SELECT USING (true)" \
	-c "SET ROLE rls_app" -c "SELECT 'a select policy ' || count(*) FROM plain" -c "ROLLBACK")
check_match "only FOR INSERT / UPDATE / DELETE policies: readers get no rows (PostgreSQL)" "^write policies only 0$" "$out"
check_match "FOR ALL ... WITH CHECK without USING: readers get no rows (PostgreSQL)" "^all without using 0$" "$out"
check_match "a FOR SELECT policy lets them through (PostgreSQL)" "^a select policy 2$" "$out"
q "CREATE TABLE rls_wr (id int); CREATE POLICY i ON rls_wr FOR INSERT WITH CHECK (true);
CREATE POLICY w ON rls_wr FOR ALL WITH CHECK (true); CREATE POLICY u ON rls_wr FOR UPDATE USING (true)" >/dev/null
check "write policies and FOR ALL without USING do not open the table for readers" "3|0" \
	"$(fact 'ALTER TABLE rls_wr ENABLE ROW LEVEL SECURITY' "concat_ws('|', f->>'table_policies', f->>'table_open_policies')")"
check_match "ENABLE with only write policies: rls-default-deny" "rls-default-deny" "$(dec 'ALTER TABLE rls_wr ENABLE ROW LEVEL SECURITY')"
check "CREATE POLICY ... FOR INSERT does not open; FOR SELECT does" "false|true" \
	"$(fact 'CREATE POLICY p ON plain FOR INSERT WITH CHECK (true)' "f->>'policy_opens'")|$(fact 'CREATE POLICY p ON plain FOR SELECT USING (tenant = current_user)' "f->>'policy_opens'")"
check_match "a script creating only a FOR INSERT policy before ENABLE: still rls-default-deny" "2:queue/high .*rls-default-deny" \
	"$(dec 'CREATE POLICY p ON plain FOR INSERT WITH CHECK (true); ALTER TABLE plain ENABLE ROW LEVEL SECURITY')"
check "a script creating a FOR SELECT policy: no default deny" 0 \
	"$(dec 'CREATE POLICY p ON plain FOR SELECT USING (tenant = current_user); ALTER TABLE plain ENABLE ROW LEVEL SECURITY' | grep -c 'rls-default-deny')"
out=$(q "BEGIN" -c "ALTER TABLE pt ENABLE ROW LEVEL SECURITY" -c "SET ROLE rls_app" \
	-c "SELECT 'parent ' || count(*) FROM pt" -c "SELECT 'partition ' || count(*) FROM pt1" -c "ROLLBACK")
check_match "partitioned table: RLS of the parent applies to queries of the parent (PostgreSQL)" "^parent 0$" "$out"
check_match "partitioned table: ... not to queries of a partition (PostgreSQL)" "^partition 2$" "$out"

# --- facts ---------------------------------------------------------------------
check "ENABLE, no policy: row_security, table_policies, table_open_policies" "false|0|0" \
	"$(fact 'ALTER TABLE "Rls S"."Acc T" ENABLE ROW LEVEL SECURITY' "concat_ws('|', f->>'row_security', f->>'table_policies', f->>'table_open_policies')")"
check "the statement names the quoted, qualified table" "Rls S.Acc T" \
	"$(fact 'ALTER TABLE "Rls S"."Acc T" ENABLE ROW LEVEL SECURITY' "f->>'table'")"
check "CREATE POLICY USING (true): using_true, using_constant, policy_opens" "true|true|true" \
	"$(fact 'CREATE POLICY p ON plain USING (true)' "concat_ws('|', f->>'using_true', f->>'using_constant', f->>'policy_opens')")"
check "CREATE POLICY USING (false): a constant that opens nothing" "false|true|false" \
	"$(fact 'CREATE POLICY p ON plain USING (false)' "concat_ws('|', f->>'using_true', f->>'using_constant', f->>'policy_opens')")"
check "CREATE POLICY USING (tenant = current_user): reads the row" "false|false|true" \
	"$(fact 'CREATE POLICY p ON plain USING (tenant = current_user)' "concat_ws('|', f->>'using_true', f->>'using_constant', f->>'policy_opens')")"

# --- the stock policies: evaluate() of a whole script ----------------------
check_match "ENABLE without a policy: rls-default-deny, queued in prod" "^1:queue/high .*rls-default-deny: ENABLE ROW LEVEL SECURITY on Rls S.Acc T.*create the policies first, in the same change" \
	"$(dec 'ALTER TABLE "Rls S"."Acc T" ENABLE ROW LEVEL SECURITY')"
check "ENABLE, then the policy, in one script (evaluate): no finding" "1:$none || 2:$none" \
	"$(dec 'ALTER TABLE "Rls S"."Acc T" ENABLE ROW LEVEL SECURITY; CREATE POLICY tenant_rows ON "Rls S"."Acc T" USING (tenant = current_user)')"
check "the policy, then ENABLE, in one script (evaluate): no finding" "1:$none || 2:$none" \
	"$(dec 'CREATE POLICY tenant_rows ON "Rls S"."Acc T" USING (tenant = current_user); ALTER TABLE "Rls S"."Acc T" ENABLE ROW LEVEL SECURITY')"
check_match "dodge: the policy on a same-named table of another schema does not count" "^1:queue/high .*rls-default-deny" \
	"$(dec 'ALTER TABLE "Rls S"."Acc T" ENABLE ROW LEVEL SECURITY; CREATE POLICY tenant_rows ON rls_other."Acc T" USING (true)')"
check_match "dodge: a policy USING (false) does not count" "^1:queue/high .*rls-default-deny" \
	"$(dec 'ALTER TABLE "Rls S"."Acc T" ENABLE ROW LEVEL SECURITY; CREATE POLICY tenant_rows ON "Rls S"."Acc T" USING (false)')"
check_match "dodge: CREATE POLICY inside a DO block is not seen" "^1:queue/high .*rls-default-deny" \
	"$(dec 'ALTER TABLE "Rls S"."Acc T" ENABLE ROW LEVEL SECURITY; DO $d$ BEGIN EXECUTE $x$CREATE POLICY tenant_rows ON "Rls S"."Acc T" USING (true)$x$; END $d$')"
check_match "dodge: a policy created and dropped again does not count" "^1:queue/high .*rls-default-deny" \
	"$(dec 'ALTER TABLE "Rls S"."Acc T" ENABLE ROW LEVEL SECURITY; CREATE POLICY tenant_rows ON "Rls S"."Acc T" USING (true); DROP POLICY tenant_rows ON "Rls S"."Acc T"')"
check_match "dodge: SET search_path before the policy, so that its name means another table" "^1:queue/high .*rls-default-deny" \
	"$(dec 'ALTER TABLE plain ENABLE ROW LEVEL SECURITY; SET search_path = rls_other; CREATE POLICY tenant_rows ON plain USING (true)')"
check_match "partitioned table without a policy: rls-default-deny" "^1:queue/high .*rls-default-deny: ENABLE ROW LEVEL SECURITY on public.pt" \
	"$(dec 'ALTER TABLE pt ENABLE ROW LEVEL SECURITY')"
check "a partition's policy does not open the parent" 1 \
	"$(dec 'ALTER TABLE pt ENABLE ROW LEVEL SECURITY; CREATE POLICY p1 ON pt1 USING (true)' | grep -c '^1:queue/high .*rls-default-deny')"

# --- the gate: each statement judged when it runs ----------------------------------
out=$(g 'ALTER TABLE "Rls S"."Acc T" ENABLE ROW LEVEL SECURITY')
check_match "gate: ENABLE typed before its policies is queued" "rls-default-deny" "$out"
check "gate: ... and did not run" "f" "$(q 'SELECT relrowsecurity FROM pg_class WHERE oid = $$"Rls S"."Acc T"$$::regclass')"
out=$(g 'BEGIN' -c 'CREATE POLICY tenant_rows ON "Rls S"."Acc T" USING (tenant = current_user)' \
	-c 'ALTER TABLE "Rls S"."Acc T" ENABLE ROW LEVEL SECURITY' -c 'COMMIT')
check "gate: policies first, then ENABLE, in one transaction: both run" "t|1" \
	"$(q 'SELECT concat(relrowsecurity, $$|$$, (SELECT count(*) FROM pg_policy WHERE polrelid = c.oid)) FROM pg_class c WHERE oid = $$"Rls S"."Acc T"$$::regclass' | tail -1)"

# --- submit(): the whole script judged before it runs, then applied ----------------
id=$(q "SELECT dbchange.submit(\$s\$ALTER TABLE plain ENABLE ROW LEVEL SECURITY; CREATE POLICY tenant_rows ON plain USING (tenant = current_user)\$s\$, 'rls')" | tail -1)
check "submit(): ENABLE then its policy in one script is applied" "applied" \
	"$(q "SELECT status FROM dbchange.changes WHERE id = $id" | tail -1)"
check "submit(): ... RLS on, one policy" "t|1" \
	"$(q 'SELECT concat(relrowsecurity, $$|$$, (SELECT count(*) FROM pg_policy WHERE polrelid = c.oid)) FROM pg_class c WHERE oid = $$plain$$::regclass' | tail -1)"
out=$(q "SELECT dbchange.submit(\$s\$ALTER TABLE pt ENABLE ROW LEVEL SECURITY; CREATE POLICY p1 ON pt1 USING (true)\$s\$, 'rls pt')")
check_match "submit(): ENABLE with a policy on another table only is queued" "rls-default-deny" "$out"

# --- existing policies ----------------------------------------------------------------
check "ENABLE of a table with a policy already: no finding" "1:$none" \
	"$(q 'ALTER TABLE plain DISABLE ROW LEVEL SECURITY' >/dev/null; dec 'ALTER TABLE plain ENABLE ROW LEVEL SECURITY')"
q 'ALTER TABLE plain ENABLE ROW LEVEL SECURITY' >/dev/null
check_match "DROP of the last policy, RLS on: rls-default-deny" "^1:queue/high .*rls-default-deny: DROP POLICY tenant_rows removes the last policy" \
	"$(dec 'DROP POLICY tenant_rows ON plain')"
check "DROP and create again in one script: no default-deny finding" 0 \
	"$(dec 'DROP POLICY tenant_rows ON plain; CREATE POLICY tenant_rows ON plain USING (tenant = session_user)' | grep -c rls-default-deny)"
# red team: OWNER TO -- the owner bypasses RLS unless FORCE, so the old owner (often the application) is subject to it after
q "CREATE TABLE rls_own (id int); INSERT INTO rls_own VALUES (1); ALTER TABLE rls_own OWNER TO rls_app; ALTER TABLE rls_own ENABLE ROW LEVEL SECURITY" >/dev/null
out=$(q "BEGIN" -c "SET ROLE rls_app" -c "SELECT 'owner app ' || count(*) FROM rls_own" -c "RESET ROLE" -c "ALTER TABLE rls_own OWNER TO rls_owner" \
	-c "GRANT SELECT ON rls_own TO rls_app" -c "SET ROLE rls_app" -c "SELECT 'old owner app ' || count(*) FROM rls_own" -c "ROLLBACK")
check_match "RLS on, no policy: the owning app role reads its rows (PostgreSQL)" "^owner app 1$" "$out"
check_match "... after OWNER TO another role it reads none (PostgreSQL)" "^old owner app 0$" "$out"
check_match "OWNER TO of a table with RLS on and no open policy: rls-default-deny" "^1:queue/high .*rls-default-deny: OWNER TO on public.rls_own" \
	"$(dec 'ALTER TABLE rls_own OWNER TO rls_owner')"
check_match "OWNER TO of a table with RLS on and an open policy: rls-default-deny (caution)" "^1:queue/moderate .*rls-default-deny: OWNER TO on public.plain" \
	"$(dec 'ALTER TABLE plain OWNER TO rls_app')"
check "OWNER TO of a table without RLS: no finding" "1:$none" "$(dec 'ALTER TABLE rls_other.plain OWNER TO rls_app')"
# red team: ALTER POLICY ... USING (false) on the last open policy is the same default deny as its DROP
out=$(q "BEGIN" -c "ALTER POLICY tenant_rows ON plain USING (false)" -c "SET ROLE rls_app" \
	-c "SELECT 'altered to false ' || count(*) FROM plain" -c "ROLLBACK")
check_match "ALTER POLICY ... USING (false) on the only policy: a non-owner reads no rows (PostgreSQL)" "^altered to false 0$" "$out"
check_match "ALTER POLICY ... USING (false) on the last open policy: rls-default-deny" \
	"^1:queue/high .*rls-default-deny: ALTER POLICY tenant_rows gives the last policy" "$(dec 'ALTER POLICY tenant_rows ON plain USING (false)')"
check_match "ALTER POLICY ... USING (1 = 0): rls-default-deny" "^1:queue/high .*rls-default-deny" \
	"$(dec 'ALTER POLICY tenant_rows ON plain USING (1 = 0)')"
check "ALTER POLICY ... USING (false) with a new open policy in the same script: no default-deny finding" 0 \
	"$(dec 'ALTER POLICY tenant_rows ON plain USING (false); CREATE POLICY others ON plain USING (tenant = session_user)' | grep -c rls-default-deny)"
check "ALTER POLICY ... USING a condition on the row: no default-deny finding" 0 \
	"$(dec 'ALTER POLICY tenant_rows ON plain USING (tenant = session_user)' | grep -c rls-default-deny)"
# ALTER POLICY ... TO fewer roles than it applies to now: the roles left out lose the rows it let through
q 'CREATE ROLE rls_reporting' >/dev/null
out=$(q "BEGIN" -c "UPDATE plain SET tenant = 'rls_app' WHERE id = 1" -c "SET ROLE rls_app" -c "SELECT 'app before ' || count(*) FROM plain" -c "RESET ROLE" \
	-c "ALTER POLICY tenant_rows ON plain TO rls_reporting" -c "SET ROLE rls_app" -c "SELECT 'app after ' || count(*) FROM plain" -c "ROLLBACK")
check_match "a policy for PUBLIC lets the app role read its row (PostgreSQL)" "^app before 1$" "$out"
check_match "... ALTER POLICY ... TO another role: the app role reads none (PostgreSQL)" "^app after 0$" "$out"
check "the fact policy_roles_dropped: PUBLIC left out" '["public"]' \
	"$(fact 'ALTER POLICY tenant_rows ON plain TO rls_reporting' "f->'policy_roles_dropped'")"
check_match "ALTER POLICY ... TO fewer roles, the only open policy: rls-default-deny" \
	"^1:queue/high .*rls-default-deny: ALTER POLICY tenant_rows on public.plain takes every role it does not name out of a policy" \
	"$(dec 'ALTER POLICY tenant_rows ON plain TO rls_reporting')"
check_match "... with another open policy: caution" "^1:queue/moderate .*rls-default-deny: ALTER POLICY tenant_rows .*unless another policy admits them" \
	"$(dec 'ALTER POLICY tenant_rows ON plain TO rls_reporting; CREATE POLICY app_rows ON plain TO rls_app USING (tenant = current_user)')"
check "ALTER POLICY ... TO PUBLIC again, or USING only: nothing dropped" '[]|' \
	"$(fact 'ALTER POLICY tenant_rows ON plain TO rls_reporting, PUBLIC' "f->'policy_roles_dropped'")|$(fact 'ALTER POLICY tenant_rows ON plain USING (true)' "f->'policy_roles_dropped'")"
out=$(q "BEGIN" -c "ALTER POLICY tenant_rows ON plain TO rls_app, rls_reporting" -c "SELECT 'listed ' || (f->>'policy_roles_dropped') FROM dbchange.classify(\$q\$ALTER POLICY tenant_rows ON plain TO rls_app\$q\$) f" \
	-c "SELECT 'current_user ' || (f->>'policy_roles_dropped') FROM dbchange.classify(\$q\$ALTER POLICY tenant_rows ON plain TO current_user, rls_app\$q\$) f" -c "ROLLBACK")
check_match "a named role left out is named" '^listed \["rls_reporting"\]$' "$out"
check_match "CURRENT_USER is resolved as PostgreSQL resolves it" '^current_user \["rls_reporting"\]$' "$out"
q 'CREATE POLICY hide_b ON plain AS RESTRICTIVE USING (tenant <> $$b$$)' >/dev/null
# red team: a restrictive policy loosened by ALTER POLICY (a constant USING that is not the literal true, TO fewer roles)
q 'CREATE ROLE rls_auditor' >/dev/null
out=$(q "BEGIN" -c "ALTER POLICY tenant_rows ON plain TO PUBLIC USING (true)" -c "SET ROLE rls_app" -c "SELECT 'restricted by hide_b ' || count(*) FROM plain" -c "RESET ROLE" \
	-c "ALTER POLICY hide_b ON plain USING (1 = 1)" -c "SET ROLE rls_app" -c "SELECT 'hide_b 1 = 1 ' || count(*) FROM plain" -c "ROLLBACK")
check_match "restrictive hide_b holds (PostgreSQL)" "^restricted by hide_b 1$" "$out"
check_match "restrictive altered to USING (1 = 1): it hides nothing (PostgreSQL)" "^hide_b 1 = 1 2$" "$out"
out=$(q "BEGIN" -c "ALTER POLICY tenant_rows ON plain TO PUBLIC USING (true)" -c "ALTER POLICY hide_b ON plain TO rls_auditor" \
	-c "SET ROLE rls_app" -c "SELECT 'hide_b to auditor ' || count(*) FROM plain" -c "ROLLBACK")
check_match "restrictive altered TO another role: the app sees the rows it hid (PostgreSQL)" "^hide_b to auditor 2$" "$out"
check_match "ALTER POLICY of a restrictive policy USING (1 = 1): rls-exposure" "^1:queue/high .*rls-exposure: ALTER POLICY hide_b .*USING a constant" \
	"$(dec 'ALTER POLICY hide_b ON plain USING (1 = 1)')"
check_match "ALTER POLICY of a restrictive policy USING (true::boolean): rls-exposure" "^1:queue/high .*rls-exposure" \
	"$(dec 'ALTER POLICY hide_b ON plain USING (true::boolean)')"
check_match "ALTER POLICY of a restrictive policy TO another role: rls-exposure (caution)" "^1:queue/moderate .*rls-exposure: .*only: every other role" \
	"$(dec 'ALTER POLICY hide_b ON plain TO rls_auditor')"
check_match "DROP of a restrictive policy: rls-exposure" "^1:queue/high .*rls-exposure: DROP POLICY hide_b on public.plain drops a restrictive policy" \
	"$(dec 'DROP POLICY hide_b ON plain')"
check_match "CREATE POLICY USING (true) for PUBLIC on a table with RLS: rls-exposure" "^1:queue/high .*rls-exposure: .*USING \(true\)" \
	"$(dec 'CREATE POLICY everything ON plain USING (true)')"
check_match "ALTER POLICY ... USING (true): rls-exposure" "^1:queue/high .*rls-exposure" \
	"$(dec 'ALTER POLICY tenant_rows ON plain USING (true)')"
check_match "ALTER POLICY ... TO PUBLIC: rls-exposure (caution)" "^1:queue/moderate .*rls-exposure: .*TO PUBLIC" \
	"$(q 'ALTER POLICY tenant_rows ON plain TO rls_app' >/dev/null; dec 'ALTER POLICY tenant_rows ON plain TO PUBLIC')"
check "USING (true) on a table without RLS: no finding" "1:$none" \
	"$(dec 'CREATE POLICY everything ON rls_other."Acc T" USING (true)')"
dbc_summary
