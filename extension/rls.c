/*-------------------------------------------------------------------------
 *
 * rls.c
 *	  Row-level security facts: what a statement about RLS leaves the rows
 *	  of its table open to.
 *
 * What a DBA fears about row-level security is not the lock of ALTER
 * TABLE but two silent outcomes.  Default deny: a table with RLS enabled
 * and no permissive policy that lets rows through shows every role but its
 * owner, superusers and BYPASSRLS roles no rows, and refuses their writes
 * (ENABLE on a table without policies, DROP of the last one; FORCE adds
 * the owner).  Exposure: rows a restrictive policy hid become visible when
 * it is dropped, and a permissive policy whose USING is true lets every
 * row through.  Neither shows as an error when the statement runs.
 *
 * The facts come from the table's pg_policy rows (row_security,
 * table_policies, table_open_policies; the named policy's permissive,
 * policy_opens and the roles an ALTER POLICY ... TO leaves out,
 * policy_roles_dropped) and from the statement's own USING expression
 * (using_true, using_constant).  A policy "opens" the table when it is
 * permissive, applies to SELECT (FOR ALL or FOR SELECT) and has a USING
 * that is not a constant other than true: USING (false) or USING (1 = 0)
 * lets no row through, and a FOR INSERT / UPDATE / DELETE policy, or one
 * without USING, lets none through to readers, so a policy made to look
 * like one does not count.
 *
 * evaluate() and submit() judge a whole script before any of it runs: the
 * policies a migration creates for a table it enables RLS on do not exist
 * yet, whichever order they come in.  policies_created_in_script counts
 * them (dbc_rls_script_facts), resolved to the same table as the
 * classifier resolves every name -- and when the script runs,
 * dbc_require_same_names() refuses a statement whose names came to mean
 * another table, so a policy checked as being on t is created on t.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteManip.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "dbchange.h"

typedef enum QualKind
{
	QUAL_NONE,					/* no USING (an INSERT policy, or none given) */
	QUAL_TRUE,					/* USING (true) */
	QUAL_CONSTANT,				/* any other constant: false, 1 = 1, NULL */
	QUAL_ROWS					/* reads the row or the session */
} QualKind;

/* A raw expression made of constants only (no column, function, subquery). */
static bool
raw_constant(Node *n)
{
	ListCell   *lc;

	if (n == NULL)
		return true;
	switch (nodeTag(n))
	{
		case T_A_Const:
			return true;
		case T_TypeCast:
			return raw_constant(((TypeCast *) n)->arg);
		case T_A_Expr:
			return raw_constant(((A_Expr *) n)->lexpr) && raw_constant(((A_Expr *) n)->rexpr);
		case T_BoolExpr:
			return raw_constant((Node *) ((BoolExpr *) n)->args);
		case T_NullTest:
			return raw_constant((Node *) ((NullTest *) n)->arg);
		case T_BooleanTest:
			return raw_constant((Node *) ((BooleanTest *) n)->arg);
		case T_List:
			foreach(lc, (List *) n)
				if (!raw_constant(lfirst(lc)))
					return false;
			return true;
		default:
			return false;
	}
}

/* The USING of a CREATE / ALTER POLICY statement (raw parse tree). */
static QualKind
raw_qual_kind(Node *q)
{
	if (q == NULL)
		return QUAL_NONE;
	if (IsA(q, A_Const) && !((A_Const *) q)->isnull &&
		nodeTag(&((A_Const *) q)->val) == T_Boolean && boolVal(&((A_Const *) q)->val))
		return QUAL_TRUE;
	return raw_constant(q) ? QUAL_CONSTANT : QUAL_ROWS;
}

/*
 * The USING stored in pg_policy.polqual (an analysed expression).  Only
 * looked at, never evaluated: a constant is an expression without columns,
 * subqueries or anything but immutable functions (current_user and
 * current_setting() are not: they are what a per-session policy reads).
 */
static QualKind
stored_qual_kind(Datum d, bool isnull)
{
	Node	   *n;

	if (isnull)
		return QUAL_NONE;
	n = stringToNode(TextDatumGetCString(d));
	if (IsA(n, Const))
	{
		Const	   *k = (Const *) n;

		return (!k->constisnull && k->consttype == BOOLOID && DatumGetBool(k->constvalue)) ?
			QUAL_TRUE : QUAL_CONSTANT;
	}
	if (!checkExprHasSubLink(n) && !contain_var_clause(n) && !contain_mutable_functions(n))
		return QUAL_CONSTANT;
	return QUAL_ROWS;
}

/*
 * Does a policy let rows through to readers?  Only a permissive policy for
 * ALL or SELECT commands does, and only with a USING that is not a constant
 * other than true: PostgreSQL ORs the USING of the permissive policies that
 * apply to SELECT, and with none (a table whose only policy is FOR INSERT,
 * or FOR ALL ... WITH CHECK without USING) every row is hidden.  cmd:
 * pg_policy.polcmd ('*' all, 'r' select, 'a' insert, 'w' update, 'd' delete).
 */
static bool
opens(bool permissive, char cmd, QualKind k)
{
	return permissive && (cmd == '*' || cmd == 'r') && (k == QUAL_TRUE || k == QUAL_ROWS);
}

/* CREATE POLICY ... FOR cmd_name as pg_policy.polcmd ('*' when not given). */
static char
policy_cmd(const char *cmd_name)
{
	if (cmd_name == NULL || strcmp(cmd_name, "all") == 0)
		return '*';
	if (strcmp(cmd_name, "select") == 0)
		return 'r';
	if (strcmp(cmd_name, "insert") == 0)
		return 'a';
	if (strcmp(cmd_name, "update") == 0)
		return 'w';
	if (strcmp(cmd_name, "delete") == 0)
		return 'd';
	return '?';
}

/*
 * Statements that get the facts: ALTER TABLE ... ROW LEVEL SECURITY, CREATE /
 * ALTER / DROP POLICY, and ALTER TABLE ... OWNER TO (the owner bypasses RLS
 * unless FORCE: a new owner makes the old one subject to the policies).
 */
bool
dbc_rls_statement(Node *stmt)
{
	ListCell   *lc;

	switch (nodeTag(stmt))
	{
		case T_CreatePolicyStmt:
		case T_AlterPolicyStmt:
			return true;
		case T_DropStmt:
			return ((DropStmt *) stmt)->removeType == OBJECT_POLICY;
		case T_AlterTableStmt:
			foreach(lc, ((AlterTableStmt *) stmt)->cmds)
			{
				AlterTableCmd *cmd = lfirst(lc);

				if (IsA(cmd, AlterTableCmd) &&
					(cmd->subtype == AT_EnableRowSecurity || cmd->subtype == AT_DisableRowSecurity ||
					 cmd->subtype == AT_ForceRowSecurity || cmd->subtype == AT_NoForceRowSecurity ||
					 cmd->subtype == AT_ChangeOwner))
					return true;
			}
			return false;
		default:
			return false;
	}
}

/*
 * policy_roles_dropped of ALTER POLICY ... TO roles: the roles the policy
 * applies to now (pg_policy.polroles) that the new list leaves out, "public"
 * when it applies to PUBLIC now and will not.  A permissive policy narrowed
 * that way stops letting those roles read the rows it let through, which is
 * default deny for them when no other policy opens the table to them.  The
 * new list is resolved as PostgreSQL resolves it (CURRENT_USER, SESSION_USER
 * included); a role that does not exist matches nothing.
 */
static void
put_roles_dropped(JsonbParseState **st, ArrayType *now, List *roles)
{
	List	   *new_oids = NIL;
	List	   *dropped = NIL;
	Datum	   *elems;
	int			n;
	int			i;
	ListCell   *lc;

	foreach(lc, roles)
	{
		RoleSpec   *r = lfirst_node(RoleSpec, lc);

		if (r->roletype == ROLESPEC_PUBLIC)
		{
			dbc_put_text_list(st, "policy_roles_dropped", NIL);
			return;
		}
		new_oids = lappend_oid(new_oids, get_rolespec_oid(r, true));
	}
	deconstruct_array(now, OIDOID, sizeof(Oid), true, TYPALIGN_INT, &elems, NULL, &n);
	for (i = 0; i < n; i++)
	{
		Oid			role = DatumGetObjectId(elems[i]);
		char	   *name;

		if (list_member_oid(new_oids, role))
			continue;
		name = role == ACL_ID_PUBLIC ? "public" : GetUserNameFromId(role, true);
		dropped = lappend(dropped, name ? name : psprintf("%u", role));
	}
	dbc_put_text_list(st, "policy_roles_dropped", dropped);
}

/*
 * The facts (facts.md, "Row-level security"): the table's RLS state and
 * policies now, and the policy the statement names.  relid: the table, or
 * InvalidOid when it does not exist (the facts are null then); policy: the
 * name of the policy a CREATE / ALTER / DROP POLICY names.
 */
void
dbc_put_row_security(JsonbParseState **st, Node *stmt, Oid relid, const char *policy)
{
	HeapTuple	tp = OidIsValid(relid) ? SearchSysCache1(RELOID, ObjectIdGetDatum(relid)) : NULL;
	int			all = 0;
	int			open = 0;
	int			named = -1;		/* the named policy: -1 none, else 0/1 permissive */
	char		named_cmd = '?';
	QualKind	named_qual = QUAL_NONE;
	ArrayType  *named_roles = NULL;

	if (tp == NULL)
	{
		dbc_put_null(st, "row_security");
		dbc_put_null(st, "row_security_forced");
		dbc_put_null(st, "table_policies");
		dbc_put_null(st, "table_open_policies");
	}
	else
	{
		Form_pg_class rc = (Form_pg_class) GETSTRUCT(tp);
		Relation	rel;
		ScanKeyData key;
		SysScanDesc scan;
		HeapTuple	row;

		dbc_put_bool(st, "row_security", rc->relrowsecurity);
		dbc_put_bool(st, "row_security_forced", rc->relforcerowsecurity);
		ReleaseSysCache(tp);
		rel = table_open(PolicyRelationId, AccessShareLock);
		ScanKeyInit(&key, Anum_pg_policy_polrelid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(relid));
		scan = systable_beginscan(rel, PolicyPolrelidPolnameIndexId, true, NULL, 1, &key);
		while ((row = systable_getnext(scan)) != NULL)
		{
			Form_pg_policy pol = (Form_pg_policy) GETSTRUCT(row);
			bool		isnull;
			Datum		q = heap_getattr(row, Anum_pg_policy_polqual, RelationGetDescr(rel), &isnull);
			QualKind	k = stored_qual_kind(q, isnull);

			all++;
			if (opens(pol->polpermissive, pol->polcmd, k))
				open++;
			if (policy && strcmp(NameStr(pol->polname), policy) == 0)
			{
				named = pol->polpermissive ? 1 : 0;
				named_cmd = pol->polcmd;
				named_qual = k;
				named_roles = DatumGetArrayTypePCopy(heap_getattr(row, Anum_pg_policy_polroles,
																  RelationGetDescr(rel), &isnull));
			}
		}
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
		dbc_put_int(st, "table_policies", all);
		dbc_put_int(st, "table_open_policies", open);
	}

	if (IsA(stmt, CreatePolicyStmt))
	{
		CreatePolicyStmt *s = (CreatePolicyStmt *) stmt;
		QualKind	k = raw_qual_kind(s->qual);

		dbc_put_bool(st, "policy_opens", opens(s->permissive, policy_cmd(s->cmd_name), k));
		if (k == QUAL_NONE)
		{
			dbc_put_null(st, "using_true");
			dbc_put_null(st, "using_constant");
		}
		else
		{
			dbc_put_bool(st, "using_true", k == QUAL_TRUE);
			dbc_put_bool(st, "using_constant", k == QUAL_TRUE || k == QUAL_CONSTANT);
		}
	}
	else if (IsA(stmt, AlterPolicyStmt) || IsA(stmt, DropStmt))
	{
		/* ALTER: the USING it will have, the statement's or the one it keeps */
		QualKind	k = named_qual;

		if (IsA(stmt, AlterPolicyStmt) && ((AlterPolicyStmt *) stmt)->qual != NULL)
			k = raw_qual_kind(((AlterPolicyStmt *) stmt)->qual);
		if (named < 0)
		{
			dbc_put_null(st, "permissive");
			dbc_put_null(st, "policy_opens");
		}
		else
		{
			dbc_put_bool(st, "permissive", named == 1);
			dbc_put_bool(st, "policy_opens", opens(named == 1, named_cmd, named_qual));
		}
		if (IsA(stmt, AlterPolicyStmt) && named >= 0 && ((AlterPolicyStmt *) stmt)->roles != NIL)
			put_roles_dropped(st, named_roles, ((AlterPolicyStmt *) stmt)->roles);
		if (IsA(stmt, AlterPolicyStmt))
		{
			if (named < 0 || k == QUAL_NONE)
			{
				dbc_put_null(st, "using_true");
				dbc_put_null(st, "using_constant");
			}
			else
			{
				dbc_put_bool(st, "using_true", k == QUAL_TRUE);
				dbc_put_bool(st, "using_constant", k == QUAL_TRUE || k == QUAL_CONSTANT);
			}
		}
	}
}

/* The table a CREATE / ALTER / DROP POLICY of a script names, resolved as the classifier does. */
static char *
policy_table(Node *stmt)
{
	if (IsA(stmt, CreatePolicyStmt))
		return dbc_rangevar_identity(((CreatePolicyStmt *) stmt)->table);
	if (IsA(stmt, AlterPolicyStmt))
		return dbc_rangevar_identity(((AlterPolicyStmt *) stmt)->table);
	if (IsA(stmt, DropStmt) && ((DropStmt *) stmt)->removeType == OBJECT_POLICY)
	{
		DropStmt   *d = (DropStmt *) stmt;
		List	   *names = d->objects != NIL ? linitial(d->objects) : NIL;

		/* (DROP POLICY names one policy: table name parts, then the policy's) */
		if (list_length(names) < 2)
			return NULL;
		return dbc_rangevar_identity(makeRangeVarFromNameList(list_truncate(list_copy(names),
																			list_length(names) - 1)));
	}
	return NULL;
}

/*
 * policies_created_in_script: for ENABLE / FORCE ROW LEVEL SECURITY, DROP
 * POLICY and ALTER POLICY (which may close the last open policy) in a script judged whole (evaluate(), submit(), policy tests), the
 * CREATE POLICY statements of the same script, before or after it, on the
 * same table, that open it.  None are counted (0) when the script also
 * alters or drops another policy of that table (a policy created and then
 * dropped or altered to USING (false) must not count), sets or resets a
 * setting (SET search_path makes a later CREATE POLICY's name resolve to
 * another table than the one resolved here), or runs code the classifier
 * does not see -- DO, CALL, EXECUTE, a query, DML -- which could do either.  A policy a DO block creates is not seen either.
 */
Jsonb *
dbc_rls_script_facts(Node *stmt, Jsonb *facts, List *parsed)
{
	char	   *table;
	int			count = 0;
	bool		blocked = false;
	ListCell   *lc;
	JsonbParseState *st = NULL;

	if (!(IsA(stmt, AlterTableStmt) || IsA(stmt, DropStmt) || IsA(stmt, AlterPolicyStmt)) ||
		!dbc_rls_statement(stmt))
		return facts;
	if ((table = dbc_facts_get_text(facts, "table")) == NULL)
		return facts;
	foreach(lc, parsed)
	{
		Node	   *other = ((DbcParsedStmt *) lfirst(lc))->stmt;
		char	   *on;

		if (other == stmt)
			continue;
		switch (nodeTag(other))
		{
			case T_CreatePolicyStmt:
				{
					CreatePolicyStmt *s = (CreatePolicyStmt *) other;

					on = policy_table(other);
					if (on && strcmp(on, table) == 0 &&
						opens(s->permissive, policy_cmd(s->cmd_name), raw_qual_kind(s->qual)))
						count++;
				}
				break;
			case T_AlterPolicyStmt:
			case T_DropStmt:
				on = policy_table(other);
				if (on && strcmp(on, table) == 0)
					blocked = true;
				break;
			case T_VariableSetStmt:	/* SET search_path: later names resolve elsewhere */
				blocked = true;
				break;
			default:
				/* code the classifier does not see may create or drop policies */
				if (dbc_stmt_runs_code(other))
					blocked = true;
				break;
		}
	}
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	dbc_put_int(&st, "policies_created_in_script", blocked ? 0 : count);
	return dbc_facts_merge(facts, JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL)));
}
