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
 * Applying a stored change (apply(), rollout auto) runs its statements in
 * the applying session, whose prepared statements are not the requester's
 * and are not transactional: a PREPARE of the change stays after it, even
 * when the change fails and its subtransaction is rolled back.  So the
 * apply refuses up front a change that would use or change a prepared
 * statement of that session (dbc_apply_check_prepared), and deallocates
 * afterwards the names the change left prepared (dbc_apply_deallocate_new).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/prepare.h"
#include "executor/spi.h"
#include "utils/builtins.h"
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

/* ---------------------------------------------------------------------------
 * Applying a stored change in the applying session
 * ---------------------------------------------------------------------------
 */

/* The names of this session's prepared statements (in the current context). */
List *
dbc_session_prepared_names(void)
{
	MemoryContext caller = CurrentMemoryContext;
	List	   *names = NIL;
	uint64		i;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT name FROM pg_catalog.pg_prepared_statements", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read this session's prepared statements");
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *name = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		MemoryContext old = MemoryContextSwitchTo(caller);

		if (name != NULL)
			names = lappend(names, pstrdup(name));
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return names;
}

static bool
name_in(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
		if (strcmp((char *) lfirst(lc), name) == 0)
			return true;
	return false;
}

/*
 * The prepared statement a statement runs: EXECUTE p, CREATE TABLE ... AS
 * EXECUTE p, and either under EXPLAIN (ANALYZE runs it); NULL for any other.
 */
static const char *
executed_name(Node *stmt)
{
	if (stmt != NULL && IsA(stmt, ExplainStmt))
		stmt = ((ExplainStmt *) stmt)->query;
	if (stmt != NULL && IsA(stmt, CreateTableAsStmt))
		stmt = ((CreateTableAsStmt *) stmt)->query;
	if (stmt != NULL && IsA(stmt, ExecuteStmt))
		return ((ExecuteStmt *) stmt)->name;
	return NULL;
}

static void
refuse(int64 change_id, int sqlstate, int statement_no, const char *what, const char *name)
{
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("change %lld cannot be applied in this session: statement %d %s",
					(long long) change_id, statement_no, what),
			 errdetail("An approved change runs in the session that applies it, and prepared statements belong to the session, not to a transaction: the change would %s. Nothing was run and nothing was recorded.",
					   name ? "use or replace one of this session's prepared statements" :
					   "deallocate this session's prepared statements"),
			 name ?
			 errhint("Run DEALLOCATE %s in this session (or apply the change from a session that has not prepared it), then apply the change again (with rollout auto: approve it again).",
					 quote_identifier(name)) :
			 errhint("Run DEALLOCATE ALL in this session (or apply the change from a new session), then apply the change again (with rollout auto: approve it again).")));
}

/*
 * Refuse, before anything runs, a change whose statements would use or
 * change a prepared statement of this session (session_names): a PREPARE
 * of a name the session has prepared (it would fail, and fail the change
 * for a reason that is not the change's), an EXECUTE or DEALLOCATE of a
 * name the session has prepared and the change has not prepared before it
 * (it would run or drop the applier's statement, not the one the requester
 * had when the change was judged), a DEALLOCATE ALL while the session has
 * any.  Statements a DO block or a function runs are not seen here; what
 * they leave prepared is deallocated after the change all the same.
 */
void
dbc_apply_check_prepared(int64 change_id, List *parsed, List *session_names)
{
	List	   *mine = NIL;		/* the names the change has prepared so far */
	ListCell   *lc;

	foreach(lc, parsed)
	{
		DbcParsedStmt *ps = (DbcParsedStmt *) lfirst(lc);
		Node	   *stmt = ps->stmt;
		const char *name;

		if (IsA(stmt, PrepareStmt))
		{
			name = ((PrepareStmt *) stmt)->name;
			if (name_in(session_names, name) && !name_in(mine, name))
				refuse(change_id, ERRCODE_DUPLICATE_PSTATEMENT, ps->statement_no,
					   psprintf("prepares statement \"%s\", which this session has prepared already", name),
					   name);
			mine = lappend(mine, (char *) name);
		}
		else if (IsA(stmt, DeallocateStmt))
		{
			name = ((DeallocateStmt *) stmt)->name;
			if (name == NULL)
			{
				if (session_names != NIL)
					refuse(change_id, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, ps->statement_no,
						   "deallocates every prepared statement, and this session has prepared some",
						   NULL);
				mine = NIL;
			}
			else if (name_in(mine, name))
			{
				ListCell   *mc;

				foreach(mc, mine)
					if (strcmp((char *) lfirst(mc), name) == 0)
						mine = foreach_delete_current(mine, mc);
			}
			else if (name_in(session_names, name))
				refuse(change_id, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, ps->statement_no,
					   psprintf("deallocates statement \"%s\", which the change has not prepared and this session has", name),
					   name);
		}
		else if ((name = executed_name(stmt)) != NULL &&
				 !name_in(mine, name) && name_in(session_names, name))
			refuse(change_id, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, ps->statement_no,
				   psprintf("executes statement \"%s\", which the change has not prepared and this session has", name),
				   name);
	}
	list_free(mine);
}

/*
 * After the change ran (applied or failed): deallocate every prepared
 * statement the session has now and did not have before (session_names),
 * which only the change can have prepared -- with PREPARE, or in a DO block
 * or function it ran.
 */
void
dbc_apply_deallocate_new(List *session_names)
{
	List	   *now = dbc_session_prepared_names();
	ListCell   *lc;

	foreach(lc, now)
	{
		char	   *name = (char *) lfirst(lc);

		if (!name_in(session_names, name))
			DropPreparedStatement(name, false);
	}
	list_free_deep(now);
}
