/*-------------------------------------------------------------------------
 *
 * scriptpath.c
 *	  The search_path a script sets for its own later statements, while the
 *	  script is checked before any of it runs.
 *
 * evaluate(), submit() (and so the CLI's submit, deploy and promote),
 * classify() and policy tests judge a whole script before running any of
 * it.  A migration that starts with
 *
 *	 SET search_path = billing;
 *	 ALTER TABLE invoices ADD COLUMN y bigint;
 *
 * runs its ALTER on billing.invoices, so that is what the ALTER must be
 * classified and judged as.  While a script is checked, each statement that
 * sets search_path to a value read here for certain is applied, after the
 * statement is judged, in a GUC nest level of our own -- exactly as
 * PostgreSQL applies it when the script runs (ExtractSetVariableArgs,
 * set_config_option) -- so the later statements' names are resolved on it;
 * the nest level is left when the check ends, also on error, and the
 * caller's search_path is as it was.  Followed:
 *
 *	 SET [SESSION | LOCAL] search_path {TO | =} value, ... | DEFAULT
 *	 SET SCHEMA 'value'
 *	 RESET search_path, RESET ALL
 *	 SELECT [pg_catalog.]set_config('search_path', 'literal', true | false)
 *	   as the whole statement, when the name resolves to pg_catalog's
 *	   set_config on the path in effect (as PostgreSQL would resolve it)
 *
 * LOCAL or not makes no difference here: a submitted script runs in one
 * transaction, so either lasts for the rest of it (and neither outlives it:
 * submit() and apply() run the script in a GUC nest level of their own).
 * Anything else that may change the path -- an expression as the value, a
 * function of the user's, a DO block, a function's body, a DEFAULT or
 * index expression calling set_config() -- is not followed: the later
 * statements are judged on the path as it was, and when they run, the
 * check that names still resolve as they were judged
 * (dbc_require_same_names) refuses any statement that now names other
 * objects, and dbc_require_same_path (below) one that would run on another
 * path than it was judged with (its functions, operators and types).
 * Those checks do not trust this file: they compare what was judged with
 * what the statement names, and the path it has, when it runs.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "nodes/parsenodes.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

#include "dbchange.h"

/* The script being checked, or NULL. */
static DbcScriptPath *script_path = NULL;

void
dbc_script_path_begin(DbcScriptPath *sp)
{
	sp->nest = 0;
	sp->outer = script_path;
	script_path = sp;
}

/*
 * Always called (PG_FINALLY) after begin, also when the check failed: the
 * search_path (and whatever else was set in our nest level) is put back.
 */
void
dbc_script_path_end(DbcScriptPath *sp)
{
	script_path = sp->outer;
	if (sp->nest > 0)
		AtEOXact_GUC(false, sp->nest);
	sp->nest = 0;
}

static bool
is_search_path(const char *name)
{
	return name != NULL && pg_strcasecmp(name, "search_path") == 0;
}

/* A string constant of the raw tree, or NULL. */
static const char *
string_const(Node *n)
{
	A_Const    *c;

	if (n == NULL || !IsA(n, A_Const))
		return NULL;
	c = (A_Const *) n;
	if (c->isnull || !IsA(&c->val, String))
		return NULL;
	return strVal(&c->val);
}

/*
 * SELECT [pg_catalog.]set_config('search_path', 'value', is_local) and
 * nothing else: the value it sets, in *value.
 */
static bool
set_config_value(SelectStmt *s, char **value)
{
	ResTarget  *rt;
	FuncCall   *fc;
	const char *name;
	const char *val;
	Node	   *local;
	Oid			argtypes[3] = {UNKNOWNOID, UNKNOWNOID, BOOLOID};
	Oid			funcid;
	Oid			rettype;
	bool		retset;
	int			nvargs;
	Oid			vatype;
	Oid		   *true_typeids;
	List	   *argdefaults;

	if (s->op != SETOP_NONE || s->intoClause || s->fromClause || s->whereClause ||
		s->groupClause || s->havingClause || s->windowClause || s->valuesLists ||
		s->sortClause || s->limitOffset || s->limitCount || s->lockingClause ||
		s->withClause || s->distinctClause || list_length(s->targetList) != 1)
		return false;
	rt = linitial_node(ResTarget, s->targetList);
	if (rt->val == NULL || !IsA(rt->val, FuncCall))
		return false;
	fc = (FuncCall *) rt->val;
	/* set_config or pg_catalog.set_config: no other schema to look up (and maybe not find) */
	if (!(list_length(fc->funcname) == 1 ||
		  (list_length(fc->funcname) == 2 && strcmp(strVal(linitial(fc->funcname)), "pg_catalog") == 0)) ||
		strcmp(strVal(llast(fc->funcname)), "set_config") != 0)
		return false;
	if (list_length(fc->args) != 3 || fc->agg_order || fc->agg_filter || fc->over ||
		fc->agg_within_group || fc->agg_star || fc->agg_distinct || fc->func_variadic)
		return false;
	name = string_const(linitial(fc->args));
	val = string_const(lsecond(fc->args));
	local = lthird(fc->args);
	if (!is_search_path(name) || val == NULL || local == NULL || !IsA(local, A_Const) ||
		((A_Const *) local)->isnull)
		return false;
	if (IsA(&((A_Const *) local)->val, String))
	{
		bool		b;

		if (!parse_bool(strVal(&((A_Const *) local)->val), &b))
			return false;
		argtypes[2] = UNKNOWNOID;
	}
	else if (!IsA(&((A_Const *) local)->val, Boolean))
		return false;

	/*
	 * The function the name stands for on the path in effect, resolved as
	 * PostgreSQL will resolve it (ParseFuncOrColumn: variadic and default
	 * arguments expanded): a set_config of the user's in a schema before
	 * pg_catalog is not pg_catalog's, also when it only matches three
	 * arguments through a DEFAULT or VARIADIC parameter -- looked up
	 * without them, pg_catalog's alone was found and followed while the
	 * user's ran.
	 */
	if (func_get_detail(fc->funcname, NIL, NIL, 3, argtypes, true, true, false,
						&funcid, &rettype, &retset, &nvargs, &vatype,
						&true_typeids, &argdefaults) != FUNCDETAIL_NORMAL ||
		funcid != F_SET_CONFIG)
		return false;
	if (retset || nvargs != 0 || argdefaults != NIL)
		return false;
	*value = pstrdup(val);
	return true;
}

/*
 * Does stmt set search_path to a value known for certain?  *value is the
 * value, or NULL for its default (RESET, SET ... TO DEFAULT, RESET ALL).
 */
bool
dbc_script_path_setter(Node *stmt, char **value)
{
	*value = NULL;
	if (stmt == NULL)
		return false;
	if (IsA(stmt, VariableSetStmt))
	{
		VariableSetStmt *v = (VariableSetStmt *) stmt;

		switch (v->kind)
		{
			case VAR_SET_VALUE:
			case VAR_SET_DEFAULT:
			case VAR_RESET:
				if (!is_search_path(v->name))
					return false;
				/* as ExecSetVariableStmt reads it (quoting each element) */
				*value = ExtractSetVariableArgs(v);
				return true;
			case VAR_RESET_ALL:
				return true;
			default:
				/* SET ... FROM CURRENT changes nothing; SET TRANSACTION & co. */
				return false;
		}
	}
	if (IsA(stmt, SelectStmt))
		return set_config_value((SelectStmt *) stmt, value);
	return false;
}

/*
 * A statement of the script has been checked: if it sets search_path to a
 * value known for certain, the statements after it are checked on it
 * (true).
 */
bool
dbc_script_path_note(Node *stmt)
{
	DbcScriptPath *sp = script_path;
	char	   *value;
	int			nest;

	if (sp == NULL || !dbc_script_path_setter(stmt, &value))
		return false;
	nest = sp->nest > 0 ? sp->nest : NewGUCNestLevel();

	/*
	 * A value PostgreSQL refuses (a set_config() literal that is no list)
	 * fails the statement when it runs; the path stays as it was here.
	 */
	if (set_config_option("search_path", value, PGC_USERSET, PGC_S_SESSION,
						  GUC_ACTION_SAVE, true, DEBUG1, false) <= 0 && sp->nest == 0)
	{
		AtEOXact_GUC(false, nest);
		return false;
	}
	sp->nest = nest;
	return true;
}

/*
 * The search_path a statement of a script is judged with, to be compared
 * when it runs (dbc_require_same_path): the session's, as a statement of the
 * script before it that is followed (above) has set it.
 */
char *
dbc_script_path_checked(void)
{
	return pstrdup(GetConfigOption("search_path", false, false));
}

/*
 * Refuse to run a statement of a change on another search_path than the one
 * it was judged with (checked; NULL: not known, a change stored before the
 * path was kept).  The names check (dbc_require_same_names) compares the
 * relations a statement names, but not the functions, operators and types
 * its expressions resolve on the path -- a DEFAULT's now() that a function
 * of the developer's ahead of pg_catalog replaces is another (volatile)
 * function, and a table rewrite the policies did not see.  A path set by
 * anything dbchange does not follow (a DO block, a function, code a DEFAULT
 * runs) or that it followed differently from PostgreSQL makes the two
 * differ: fail closed.
 */
void
dbc_require_same_path(int statement_no, const char *checked)
{
	const char *now = GetConfigOption("search_path", false, false);

	if (checked == NULL || strcmp(now, checked) == 0)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_DBCHANGE_UNRECORDED),
			 errmsg("statement %d would run with search_path %s, but was checked with search_path %s",
					statement_no, quote_literal_cstr(now), quote_literal_cstr(checked)),
			 errdetail("An earlier statement of the change set the search_path in a way dbchange does not follow "
					   "when it judges the script (an expression, a DO block, a function, RESET with another "
					   "default path than the requester's, ...): the statement's functions, operators and types "
					   "would not be the ones it was judged with."),
			 errhint("Set the path with a statement of the script that dbchange follows: SET search_path = ..., "
					 "or SELECT pg_catalog.set_config('search_path', '...', false) with a literal value.")));
}

/* {"checked_search_path": path}, stored with a queued statement's facts for apply(). */
Jsonb *
dbc_checked_path_facts(const char *path)
{
	JsonbParseState *st = NULL;

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	dbc_put_text(&st, "checked_search_path", path);
	return JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
}
