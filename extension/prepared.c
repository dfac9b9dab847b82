/*-------------------------------------------------------------------------
 *
 * prepared.c
 *	  What an EXECUTE would run: a prepared statement of the session, or one
 *	  that a script being checked prepares before it.
 *
 * EXECUTE names no table, so what it runs has to be looked up by name.  At
 * the gate that is the session's prepared statement (FetchPreparedStatement).
 * evaluate(), submit() and policy tests check a script before any of it runs:
 * a PREPARE earlier in the script has not been executed yet, so they note
 * each statement of the script as they go (dbc_script_prepares_note), and
 * the look-up finds the script's PREPAREs first, as the session will when
 * the script runs; DEALLOCATE (and DISCARD ALL) in the script end a name,
 * the session's too.  Outside a script check nothing is noted and nothing
 * is looked up unless a statement names a prepared statement, so ordinary
 * DDL pays nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/prepare.h"
#include "utils/plancache.h"

#include "dbchange.h"

/* A name the script prepared (query) or deallocated (query NULL). */
typedef struct ScriptName
{
	char	   *name;
	Node	   *query;
} ScriptName;

/* The script being checked, or NULL (the gate: only the session's). */
static DbcScriptPrepares *script = NULL;

void
dbc_script_prepares_begin(DbcScriptPrepares *sp)
{
	sp->names = NIL;
	sp->all_gone = false;
	sp->cxt = CurrentMemoryContext;
	sp->outer = script;
	script = sp;
}

/* Always called (PG_FINALLY) after begin, also when the check failed. */
void
dbc_script_prepares_end(DbcScriptPrepares *sp)
{
	script = sp->outer;
}

static void
script_name(const char *name, Node *query)
{
	MemoryContext old = MemoryContextSwitchTo(script->cxt);
	ScriptName *sn = palloc(sizeof(ScriptName));

	sn->name = pstrdup(name);
	sn->query = query;
	/* newest first: the look-up takes the first entry with the name */
	script->names = lcons(sn, script->names);
	MemoryContextSwitchTo(old);
}

/*
 * A statement of the script has been checked: if it prepares or
 * deallocates, later statements see that.  (The raw trees noted belong to
 * the split script, which outlives the check.)
 */
void
dbc_script_prepares_note(Node *stmt)
{
	if (script == NULL)
		return;
	if (IsA(stmt, PrepareStmt))
		script_name(((PrepareStmt *) stmt)->name, ((PrepareStmt *) stmt)->query);
	else if (IsA(stmt, DeallocateStmt))
	{
		const char *name = ((DeallocateStmt *) stmt)->name;

		if (name != NULL)
			script_name(name, NULL);
		else
		{
			script->names = NIL;
			script->all_gone = true;
		}
	}
	else if (IsA(stmt, DiscardStmt) && ((DiscardStmt *) stmt)->target == DISCARD_ALL)
	{
		script->names = NIL;
		script->all_gone = true;
	}
}

/*
 * The prepared statement that EXECUTE name would run, or false when there
 * is none (PostgreSQL refuses the EXECUTE then).  out->raw is its raw
 * statement; out->query, for a prepared statement of the session whose
 * analysis is still current (the plan cache's own test: valid, and
 * search_path unchanged), the analysed and rewritten query PostgreSQL would
 * run -- otherwise PostgreSQL analyses the raw statement again at EXECUTE,
 * with the current search_path, and so does a reader of out->raw.
 */
bool
dbc_prepared_lookup(const char *name, DbcPrepared *out)
{
	PreparedStatement *ps;
	CachedPlanSource *src;

	memset(out, 0, sizeof(*out));
	if (name == NULL)
		return false;
	if (script != NULL)
	{
		ListCell   *lc;

		foreach(lc, script->names)
		{
			ScriptName *sn = lfirst(lc);

			if (strcmp(sn->name, name) != 0)
				continue;
			if (sn->query == NULL)
				return false;
			out->raw = sn->query;
			out->from_sql = true;
			return true;
		}
		if (script->all_gone)
			return false;
	}
	ps = FetchPreparedStatement(name, false);
	if (ps == NULL)
		return false;
	src = ps->plansource;
	out->raw = src->raw_parse_tree ? src->raw_parse_tree->stmt : NULL;
	out->from_sql = ps->from_sql;
	if (src->is_valid && list_length(src->query_list) == 1 && src->search_path != NULL &&
		OverrideSearchPathMatchesCurrent(src->search_path))
		out->query = linitial_node(Query, src->query_list);
	return true;
}

/*
 * Does EXECUTE name run a SELECT ... INTO (create a table)?  A prepared
 * statement can hold no other DDL: PREPARE takes SELECT, INSERT, UPDATE,
 * DELETE and MERGE only.
 */
bool
dbc_prepared_creates_table(const char *name, bool *from_sql)
{
	DbcPrepared p;

	if (!dbc_prepared_lookup(name, &p) || p.raw == NULL)
		return false;
	if (from_sql)
		*from_sql = p.from_sql;
	/* a CreateTableAsStmt: a statement the protocol's Parse message prepared */
	return IsA(p.raw, CreateTableAsStmt) ||
		(IsA(p.raw, SelectStmt) && dbc_select_into((SelectStmt *) p.raw) != NULL);
}
