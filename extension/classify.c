/*-------------------------------------------------------------------------
 *
 * classify.c
 *	  Turn a parsed PostgreSQL statement into change facts.
 *
 * Works on raw parse trees (raw_parser() output, or the utilityStmt the
 * ProcessUtility hook sees), so it needs no catalog access for the
 * statement's shape; size estimates are looked up in pg_class when the
 * object exists.  Every fact name is documented in docs/facts.md.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/defrem.h"
#include "nodes/nodes.h"
#include "nodes/parsenodes.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "utils/builtins.h"

#include "dbchange.h"

/*
 * Is this statement one the gate checks?  Everything that changes the
 * schema, privileges, roles, databases, tablespaces or server configuration;
 * not transaction control, session settings, cursors, LISTEN/NOTIFY, COPY,
 * CALL/DO themselves (the DDL inside them is checked), EXPLAIN, LOCK or
 * plain VACUUM/ANALYZE.
 */
bool
dbc_is_gated(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_TransactionStmt:
		case T_VariableSetStmt:
		case T_VariableShowStmt:
		case T_DiscardStmt:
		case T_ExplainStmt:
		case T_CopyStmt:
		case T_PrepareStmt:
		case T_ExecuteStmt:
		case T_DeallocateStmt:
		case T_DeclareCursorStmt:
		case T_ClosePortalStmt:
		case T_FetchStmt:
		case T_ListenStmt:
		case T_UnlistenStmt:
		case T_NotifyStmt:
		case T_LoadStmt:
		case T_LockStmt:
		case T_CheckPointStmt:
		case T_DoStmt:
		case T_CallStmt:
		case T_ConstraintsSetStmt:
		case T_SelectStmt:
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
		case T_MergeStmt:
			return false;
		case T_VacuumStmt:
			{
				VacuumStmt *v = (VacuumStmt *) stmt;
				ListCell   *lc;

				foreach(lc, v->options)
				{
					DefElem    *opt = (DefElem *) lfirst(lc);

					if (strcmp(opt->defname, "full") == 0 && defGetBoolean(opt))
						return true;
				}
				return false;
			}
		default:
			return true;
	}
}

static bool
has_concurrently_option(List *params)
{
	ListCell   *lc;

	foreach(lc, params)
	{
		DefElem    *opt = (DefElem *) lfirst(lc);

		if (strcmp(opt->defname, "concurrently") == 0 && defGetBoolean(opt))
			return true;
	}
	return false;
}

/*
 * Statements PostgreSQL refuses to run inside a transaction block or a
 * function (PreventInTransactionBlock): apply() cannot run them; the CLI
 * runs them at top level.
 */
bool
dbc_is_nontransactional(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_IndexStmt:
			return ((IndexStmt *) stmt)->concurrent;
		case T_DropStmt:
			return ((DropStmt *) stmt)->concurrent;
		case T_ReindexStmt:
			return has_concurrently_option(((ReindexStmt *) stmt)->params) ||
				((ReindexStmt *) stmt)->kind == REINDEX_OBJECT_SYSTEM ||
				((ReindexStmt *) stmt)->kind == REINDEX_OBJECT_DATABASE ||
				((ReindexStmt *) stmt)->kind == REINDEX_OBJECT_SCHEMA;
		case T_AlterSystemStmt:
		case T_CreatedbStmt:
		case T_DropdbStmt:
		case T_CreateTableSpaceStmt:
		case T_DropTableSpaceStmt:
		case T_VacuumStmt:
		case T_CreateSubscriptionStmt:
		case T_DropSubscriptionStmt:
			return true;
		case T_AlterTableStmt:
			{
				ListCell   *lc;

				foreach(lc, ((AlterTableStmt *) stmt)->cmds)
				{
					AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

					if (cmd->subtype == AT_DetachPartition &&
						((PartitionCmd *) cmd->def)->concurrent)
						return true;
				}
				return false;
			}
		default:
			return false;
	}
}

/*
 * Statement facts.  (The foundation's minimal set; the full classifier
 * extends this with object, operations, lock, sizes, ...)
 */
void
dbc_classify_stmt(JsonbParseState **st, Node *stmt, const char *text)
{
	dbc_put_text(st, "command", GetCommandTagName(CreateCommandTag(stmt)));
	dbc_put_text(st, "statement", text);
	dbc_put_bool(st, "nontransactional", dbc_is_nontransactional(stmt));
}
