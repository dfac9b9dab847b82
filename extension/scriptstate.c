/*-------------------------------------------------------------------------
 *
 * scriptstate.c
 *	  What the earlier statements of a transaction leave for the later ones:
 *	  the locks the transaction holds, and, while a script is checked before
 *	  any of it runs, the CHECK constraints that prove a column NOT NULL.
 *
 * A lock lasts until the end of the transaction that took it.  The safe
 * patterns the stock policies recommend depend on that:
 *
 *	 ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;
 *	 ALTER TABLE orders VALIDATE CONSTRAINT c;
 *
 * is safe only when the two run in different transactions.  VALIDATE
 * CONSTRAINT takes SHARE UPDATE EXCLUSIVE, which lets reads and writes go on
 * while it scans -- but in the same transaction as the ADD, which took
 * ACCESS EXCLUSIVE (SHARE ROW EXCLUSIVE for a foreign key), the scan runs
 * under that lock, and every query on the table waits for it, as if the
 * constraint had been added without NOT VALID (squawk's
 * constraint-missing-not-valid says the same).  So the facts held_lock,
 * held_lock_blocks_reads and held_lock_statement say what the statement's
 * transaction already holds on its table that blocks other sessions'
 * writes (SHARE or stronger):
 *
 *	- at the gate, and in an interactive dry run, what this session's
 *	  transaction holds now (the lock manager's own table of this backend's
 *	  locks: a few hash look-ups, nothing when the statement has no table);
 *	- in a script checked whole (evaluate(), submit() and so promotions and
 *	  migrations, policy tests), what the script's earlier statements in the
 *	  same transaction take: for a change dbchange runs (source not
 *	  'interactive'), every statement that can run in a transaction block
 *	  runs in the change's one transaction, those that cannot each on their
 *	  own afterwards; for an interactive script, as psql runs a file, each
 *	  statement is its own transaction, unless the caller is in a
 *	  transaction block or the script opens one (BEGIN / START TRANSACTION,
 *	  until COMMIT, END, ROLLBACK or PREPARE TRANSACTION).  The script's own
 *	  BEGIN also makes in_transaction_block true for the statements after
 *	  it, so CREATE INDEX CONCURRENTLY there is judged as what it is: a
 *	  statement PostgreSQL refuses.
 *
 * lock_timeout says how long the statement will wait for its own lock
 * before it fails (0: for ever): a statement that needs ACCESS EXCLUSIVE
 * waits behind every long query on the table, and every query that comes
 * after waits behind it (squawk's require-timeout-settings).  At the gate
 * and in an interactive dry run, the session's setting, or the one the
 * script's own SET lock_timeout makes; for a change dbchange runs, only
 * what the script sets (the session that will apply it is not known when
 * it is judged).  Absent when the wait is not bounded (0), or not known.
 *
 * Only the lock on the statement's own table (fact "table") counts, and
 * for LOCK TABLE every table it names.  A rename between the statements
 * loses the lock (judged as not held): the check errs towards saying less.
 *
 * SET NOT NULL skips its scan of the table when a validated CHECK
 * constraint proves the column NOT NULL; the classifier finds such a
 * constraint in the catalog (has_validated_check).  In a script, the CHECK
 * is often added by the script itself:
 *
 *	 ALTER TABLE orders ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;
 *	 ALTER TABLE orders VALIDATE CONSTRAINT c;	-- (in another transaction)
 *	 ALTER TABLE orders ALTER COLUMN email SET NOT NULL;
 *
 * and the catalog does not have it yet when the script is checked.  So the
 * CHECKs an earlier statement of the script adds (validated as added, or
 * validated later by name) whose expression is "column IS NOT NULL",
 * alone or ANDed, prove that column NOT NULL for the later statements; so
 * does a NOT VALID one of the catalog's that the script validates.
 * When the script runs, the earlier statement has run before (in one
 * change: in the same transaction, or the change fails), so PostgreSQL
 * finds the constraint as this file says.  DROP CONSTRAINT of it forgets
 * it; a ROLLBACK in an interactive script, a rename, a DROP or SET SCHEMA
 * forget every one noted (the names may no longer mean the same).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

#include "dbchange.h"

/* A lock the script's transaction holds on a table. */
typedef struct HeldLock
{
	char	   *table;			/* identity */
	LOCKMODE	mode;
	int			statement_no;	/* the statement that took it */
} HeldLock;

/*
 * A CHECK constraint the script adds (the columns it proves NOT NULL), or
 * one of the catalog's that the script validates (in_catalog: what it
 * proves is read from the catalog when asked).
 */
typedef struct ScriptCheck
{
	char	   *table;			/* identity */
	char	   *name;			/* NULL: unnamed (it cannot be validated by name) */
	List	   *not_null;		/* column names (char *) */
	bool		validated;
	bool		in_catalog;
} ScriptCheck;

void
dbc_script_state_begin(DbcScriptTables *sc, const char *source, bool from_session)
{
	sc->one_change = source != NULL && strcmp(source, "interactive") != 0;
	sc->from_session = from_session && !sc->one_change;
	sc->in_block = sc->from_session && IsTransactionBlock();
	sc->statement_no = 0;
	sc->held = NIL;
	sc->checks = NIL;
	sc->lock_timeout = -1;
	sc->lock_timeout_local = false;
}

bool
dbc_script_state_in_block(DbcScriptTables *sc, Node *stmt, bool in_block)
{
	if (sc->one_change)
		return in_block;
	return sc->in_block && !IsA(stmt, TransactionStmt);
}

/* The strongest lock blocking writes that this backend's transaction holds on relid. */
static LOCKMODE
session_held(Oid relid)
{
	LOCKTAG		tag;
	LOCKMODE	mode;

	SET_LOCKTAG_RELATION(tag, MyDatabaseId, relid);
	for (mode = AccessExclusiveLock; mode >= ShareLock; mode--)
		if (LockHeldByMe(&tag, mode))
			return mode;
	return NoLock;
}

/* The strongest lock the script's transaction took on table so far, and by which statement. */
static LOCKMODE
script_held(DbcScriptTables *sc, const char *table, int *statement_no)
{
	LOCKMODE	best = NoLock;
	ListCell   *lc;

	foreach(lc, sc->held)
	{
		HeldLock   *h = (HeldLock *) lfirst(lc);

		if (h->mode > best && strcmp(h->table, table) == 0)
		{
			best = h->mode;
			*statement_no = h->statement_no;
		}
	}
	return best;
}

void
dbc_put_held_lock(JsonbParseState **st, DbcScriptTables *sc, Node *stmt,
				  const DbcStmtTable *tab, bool in_block, bool ask_locks)
{
	LOCKMODE	mode = NoLock;
	LOCKMODE	in_script = NoLock;
	int			by = 0;

	/* absent unless bounded: the usual case costs the record nothing */
	if (tab->lock != NoLock)
	{
		int			ms = sc != NULL && sc->lock_timeout >= 0 ? sc->lock_timeout :
			ask_locks ? LockTimeout : 0;

		if (ms > 0)
			dbc_put_int(st, "lock_timeout", ms);
	}
	/* those run on their own, in no transaction block */
	if (tab->identity == NULL || dbc_is_nontransactional(stmt))
		return;
	if (ask_locks && OidIsValid(tab->relid))
		mode = session_held(tab->relid);
	if (sc != NULL && in_block)
		in_script = script_held(sc, tab->identity, &by);
	if (Max(mode, in_script) < ShareLock)
		return;
	dbc_put_text(st, "held_lock", dbc_lock_name(Max(mode, in_script)));
	dbc_put_bool(st, "held_lock_blocks_reads", Max(mode, in_script) == AccessExclusiveLock);
	if (in_script >= mode)
		dbc_put_int(st, "held_lock_statement", by);
}

/* ---- noting what a statement leaves ---- */

static void
hold(DbcScriptTables *sc, const char *table, LOCKMODE mode)
{
	HeldLock   *h = palloc(sizeof(HeldLock));

	h->table = pstrdup(table);
	h->mode = mode;
	h->statement_no = sc->statement_no;
	sc->held = lappend(sc->held, h);
}

static void
note_locks(DbcScriptTables *sc, Node *stmt, const DbcStmtTable *tab)
{
	ListCell   *lc;

	if (tab->lock < ShareLock || dbc_is_nontransactional(stmt))
		return;
	if (tab->identity)
		hold(sc, tab->identity, tab->lock);
	foreach(lc, tab->locked)
		hold(sc, (char *) lfirst(lc), tab->lock);
}

/*
 * BEGIN opens the interactive script's transaction block; its end releases
 * every lock.  (A change dbchange runs has no transaction control: submit()
 * refuses it.)
 */
static void
note_transaction(DbcScriptTables *sc, TransactionStmt *t)
{
	switch (t->kind)
	{
		case TRANS_STMT_BEGIN:
		case TRANS_STMT_START:
			sc->in_block = true;
			break;
		case TRANS_STMT_ROLLBACK:
			sc->checks = NIL;
			/* FALLTHROUGH */
		case TRANS_STMT_COMMIT:
		case TRANS_STMT_PREPARE:
			sc->held = NIL;
			sc->in_block = t->chain && t->kind != TRANS_STMT_PREPARE;
			if (sc->lock_timeout_local)
				sc->lock_timeout = -1;
			sc->lock_timeout_local = false;
			break;
		default:
			break;
	}
}

/* The columns a raw CHECK expression proves NOT NULL: "col IS NOT NULL", alone or ANDed. */
static List *
not_null_columns(Node *expr, List *cols)
{
	if (expr == NULL)
		return cols;
	if (IsA(expr, NullTest))
	{
		NullTest   *nt = (NullTest *) expr;
		ColumnRef  *cr = (ColumnRef *) nt->arg;

		if (nt->nulltesttype == IS_NOT_NULL && cr != NULL && IsA(cr, ColumnRef) &&
			list_length(cr->fields) == 1 && IsA(linitial(cr->fields), String))
			cols = lappend(cols, pstrdup(strVal(linitial(cr->fields))));
	}
	else if (IsA(expr, BoolExpr) && ((BoolExpr *) expr)->boolop == AND_EXPR)
	{
		ListCell   *lc;

		foreach(lc, ((BoolExpr *) expr)->args)
			cols = not_null_columns(lfirst(lc), cols);
	}
	return cols;
}

static ScriptCheck *
find_check(DbcScriptTables *sc, const char *table, const char *name)
{
	ListCell   *lc;

	foreach(lc, sc->checks)
	{
		ScriptCheck *k = (ScriptCheck *) lfirst(lc);

		if (k->name && strcmp(k->name, name) == 0 && strcmp(k->table, table) == 0)
			return k;
	}
	return NULL;
}

static void
note_check_added(DbcScriptTables *sc, const char *table, Constraint *con)
{
	ScriptCheck *k;
	List	   *cols = not_null_columns(con->raw_expr, NIL);

	if (cols == NIL)
		return;
	k = palloc(sizeof(ScriptCheck));
	k->table = pstrdup(table);
	k->name = con->conname ? pstrdup(con->conname) : NULL;
	k->not_null = cols;
	k->validated = !con->skip_validation;
	k->in_catalog = false;
	sc->checks = lappend(sc->checks, k);
}

/* VALIDATE CONSTRAINT of a constraint the script did not add: the catalog's. */
static void
note_catalog_validated(DbcScriptTables *sc, const char *table, const char *name)
{
	ScriptCheck *k = palloc(sizeof(ScriptCheck));

	k->table = pstrdup(table);
	k->name = pstrdup(name);
	k->not_null = NIL;
	k->validated = true;
	k->in_catalog = true;
	sc->checks = lappend(sc->checks, k);
}

/* ADD CONSTRAINT ... CHECK, VALIDATE CONSTRAINT, DROP CONSTRAINT of a table. */
static void
note_checks(DbcScriptTables *sc, AlterTableStmt *at, const char *table)
{
	ListCell   *lc;

	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		ScriptCheck *k;

		if (!IsA(cmd, AlterTableCmd))
			continue;
		if (cmd->subtype == AT_AddConstraint && cmd->def && IsA(cmd->def, Constraint) &&
			((Constraint *) cmd->def)->contype == CONSTR_CHECK)
			note_check_added(sc, table, (Constraint *) cmd->def);
		else if (cmd->subtype == AT_ValidateConstraint && cmd->name)
		{
			if ((k = find_check(sc, table, cmd->name)) != NULL)
				k->validated = true;
			else
				note_catalog_validated(sc, table, cmd->name);
		}
		else if (cmd->subtype == AT_DropConstraint && cmd->name &&
				 (k = find_check(sc, table, cmd->name)) != NULL)
			sc->checks = list_delete_ptr(sc->checks, k);
	}
}

/*
 * SET [SESSION | LOCAL] lock_timeout = value, RESET: what the later
 * statements wait for their locks.  A value this cannot read, or the
 * session's default after RESET, is not known (-1: the session's own
 * setting, or nothing for a change dbchange runs).  SET LOCAL outside a
 * transaction block lasts for no later statement.
 */
static void
note_lock_timeout(DbcScriptTables *sc, VariableSetStmt *v)
{
	int			ms;
	char	   *value;

	if (v->name == NULL || pg_strcasecmp(v->name, "lock_timeout") != 0)
	{
		if (v->kind == VAR_RESET_ALL)
			sc->lock_timeout = -1;
		return;
	}
	if (v->kind == VAR_SET_VALUE && (value = ExtractSetVariableArgs(v)) != NULL &&
		parse_int(value, &ms, GUC_UNIT_MS, NULL) && ms >= 0)
	{
		if (v->is_local && !sc->one_change && !sc->in_block)
			return;
		sc->lock_timeout = ms;
		sc->lock_timeout_local = v->is_local && !sc->one_change;
	}
	else if (v->kind == VAR_SET_VALUE || v->kind == VAR_SET_DEFAULT || v->kind == VAR_RESET)
		sc->lock_timeout = -1;
}

void
dbc_script_state_note(DbcScriptTables *sc, Node *stmt, const DbcStmtTable *tab, bool in_block)
{
	MemoryContext old = MemoryContextSwitchTo(sc->cxt);

	sc->statement_no++;
	if (IsA(stmt, TransactionStmt))
	{
		if (!sc->one_change)
			note_transaction(sc, (TransactionStmt *) stmt);
	}
	else if (IsA(stmt, VariableSetStmt))
		note_lock_timeout(sc, (VariableSetStmt *) stmt);
	else if (IsA(stmt, RenameStmt) || IsA(stmt, DropStmt) || IsA(stmt, AlterObjectSchemaStmt))
		sc->checks = NIL;
	else if (IsA(stmt, AlterTableStmt) && ((AlterTableStmt *) stmt)->objtype == OBJECT_TABLE &&
			 tab->identity != NULL)
		note_checks(sc, (AlterTableStmt *) stmt, tab->identity);
	if (in_block)
		note_locks(sc, stmt, tab);
	MemoryContextSwitchTo(old);
}

bool
dbc_script_proves_not_null(const char *table, Oid relid, const char *column)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	ListCell   *lc;

	if (sc == NULL || table == NULL || column == NULL)
		return false;
	foreach(lc, sc->checks)
	{
		ScriptCheck *k = (ScriptCheck *) lfirst(lc);
		ListCell   *c;

		if (!k->validated || strcmp(k->table, table) != 0)
			continue;
		if (k->in_catalog && dbc_constraint_proves_not_null(relid, k->name, column))
			return true;
		foreach(c, k->not_null)
			if (strcmp((char *) lfirst(c), column) == 0)
				return true;
	}
	return false;
}
