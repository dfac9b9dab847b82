/*-------------------------------------------------------------------------
 *
 * scriptnames.c
 *	  The relations and columns a script renames, for its own later
 *	  statements, while the script is checked before any of it runs.
 *
 * evaluate(), submit() (and so promotions and migrations) and policy tests
 * judge a whole script before running any of it.  A migration such as
 *
 *	 ALTER TABLE registry_old RENAME TO registry;
 *	 ALTER TABLE registry ALTER COLUMN url TYPE varchar(256);
 *
 * runs its second statement on the table that is registry_old now; judged
 * on the catalog as it is, "registry" does not exist, and the statement
 * looks like a rewrite of a table of unknown size.  While a script is
 * checked, each rename of an existing relation (ALTER TABLE / INDEX /
 * SEQUENCE / VIEW / MATERIALIZED VIEW / FOREIGN TABLE ... RENAME TO) or
 * move of one to another schema (... SET SCHEMA), and each RENAME COLUMN
 * of an existing column, is noted after it is judged; the classifier's
 * name lookups (classify.c: lookup_class, att_by_name) then find the
 * relation under its new name and no longer under its old one, so the later
 * statements get the catalog's facts of the renamed relation or column:
 * sizes, columns, indexes, constraints, row level security.  Where the
 * classifier finds the relation by OID (an index's table, what a view
 * reads: rel_name_now, reads_add) it is named as the script left it.  Their
 * facts say so: renamed_in_script, renamed_from, renamed_columns
 * (docs/facts.md).  What the statements before the rename did to the table
 * under its old name is not matched by name, so type_unchanged and
 * was_not_null are null on it (column_state_current).
 *
 * As conservative as created_in_script (facts.c).  A rename is noted only
 * when its relation exists, its new name is free, and the script has no
 * statement that runs at top level (outside the change's one transaction,
 * after the rest); and everything noted is forgotten at any statement that
 * could change what a name means or run code that could: DML, queries, DO,
 * CALL, EXECUTE, SET (but lock_timeout and statement_timeout), transaction
 * control other than BEGIN and COMMIT, DROP, a CREATE that uses a name
 * noted (or an index left to PostgreSQL to name), a rename of a relation
 * or column noted (renamed back or on), any other rename or SET SCHEMA.
 *
 * None of it is trusted when the change runs: the names a statement judged
 * so resolves must stand, when it runs, for exactly the relation they were
 * judged as -- the one renamed, by its OID (dbc_require_same_names: the
 * checked relations of a renamed name are those of its old name when the
 * script was checked) -- else ZC003 and the change fails.  A rename that
 * renamed another table than the one judged (another search_path) fails
 * its own check already, and one done by code a statement between runs,
 * or a table put in its place, fails this one.
 *
 * The gate never sees any of it: it judges each statement after the one
 * before it ran, when the catalog has the rename.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "dbchange.h"

/* A relation an earlier statement renamed or moved. */
typedef struct ScriptRename
{
	Oid			relid;			/* the relation, as the catalog has it now */
	Oid			new_nsp;
	char	   *new_name;
	Oid			old_nsp;
	char	   *old_name;
	char	   *new_identity;
	char	   *old_identity;
} ScriptRename;

/* A column an earlier statement renamed. */
typedef struct ColumnRename
{
	Oid			relid;
	char	   *new_name;
	char	   *old_name;		/* the catalog's */
} ColumnRename;

/* A renamed column a statement named: "schema.table.column" and its name in the catalog. */
typedef struct ColumnUse
{
	char	   *key;
	char	   *old_name;
} ColumnUse;

void
dbc_script_names_begin(DbcScriptTables *sc)
{
	sc->renames = NIL;
	sc->column_renames = NIL;
	sc->renames_used = NIL;
	sc->columns_used = NIL;
}

static void
forget_all(DbcScriptTables *sc)
{
	sc->renames = NIL;
	sc->column_renames = NIL;
}

/* Note a use of a rename by the statement being classified, once. */
static void
note_used(DbcScriptTables *sc, ScriptRename *r)
{
	MemoryContext old;

	if (list_member_ptr(sc->renames_used, r))
		return;
	old = MemoryContextSwitchTo(sc->cxt);
	sc->renames_used = lappend(sc->renames_used, r);
	MemoryContextSwitchTo(old);
}

int
dbc_script_relation_name(Oid nsp, const char *name, Oid *relid)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	ListCell   *lc;

	if (sc == NULL || sc->renames == NIL || name == NULL)
		return 0;
	foreach(lc, sc->renames)
	{
		ScriptRename *r = lfirst(lc);

		if (r->new_nsp == nsp && strcmp(r->new_name, name) == 0)
		{
			note_used(sc, r);
			*relid = r->relid;
			return 1;
		}
	}
	foreach(lc, sc->renames)
	{
		ScriptRename *r = lfirst(lc);

		if (r->old_nsp == nsp && strcmp(r->old_name, name) == 0)
			return -1;
	}
	return 0;
}

/* The identity a relation has at this point of the script: its new one when renamed. */
static char *
current_identity(DbcScriptTables *sc, Oid relid)
{
	ListCell   *lc;
	char	   *nsp;
	char	   *rel;

	foreach(lc, sc->renames)
	{
		ScriptRename *r = lfirst(lc);

		if (r->relid == relid)
			return r->new_identity;
	}
	nsp = get_namespace_name(get_rel_namespace(relid));
	rel = get_rel_name(relid);
	return nsp && rel ? psprintf("%s.%s", nsp, rel) : NULL;
}

const char *
dbc_script_column_name(Oid relid, const char *colname)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	ListCell   *lc;

	if (sc == NULL || sc->column_renames == NIL || colname == NULL)
		return colname;
	foreach(lc, sc->column_renames)
	{
		ColumnRename *c = lfirst(lc);

		if (c->relid == relid && strcmp(c->new_name, colname) == 0)
		{
			char	   *table = current_identity(sc, relid);
			MemoryContext old = MemoryContextSwitchTo(sc->cxt);
			ColumnUse  *u = palloc(sizeof(ColumnUse));
			ListCell   *uc;
			bool		seen = false;

			u->key = table ? psprintf("%s.%s", table, colname) : pstrdup(colname);
			u->old_name = c->old_name;
			foreach(uc, sc->columns_used)
				seen |= strcmp(((ColumnUse *) lfirst(uc))->key, u->key) == 0;
			if (!seen)
				sc->columns_used = lappend(sc->columns_used, u);
			MemoryContextSwitchTo(old);
			return c->old_name;
		}
	}
	foreach(lc, sc->column_renames)
	{
		ColumnRename *c = lfirst(lc);

		if (c->relid == relid && strcmp(c->old_name, colname) == 0)
			return NULL;
	}
	return colname;
}

bool
dbc_script_relation_renamed(Oid relid, char **schema, char **name)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	ListCell   *lc;

	if (sc == NULL || sc->renames == NIL)
		return false;
	foreach(lc, sc->renames)
	{
		ScriptRename *r = lfirst(lc);

		if (r->relid == relid)
		{
			note_used(sc, r);
			*schema = get_namespace_name(r->new_nsp);
			*name = pstrdup(r->new_name);
			return *schema != NULL;
		}
	}
	return false;
}

bool
dbc_script_renamed_relid(Oid relid)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	ListCell   *lc;

	if (sc == NULL || !OidIsValid(relid))
		return false;
	foreach(lc, sc->renames)
		if (((ScriptRename *) lfirst(lc))->relid == relid)
			return true;
	foreach(lc, sc->column_renames)
		if (((ColumnRename *) lfirst(lc))->relid == relid)
			return true;
	return false;
}

void
dbc_script_names_start(DbcScriptTables *sc)
{
	sc->renames_used = NIL;
	sc->columns_used = NIL;
}

/* ---- the facts ---- */

static Jsonb *
put_used(DbcScriptTables *sc, Jsonb *facts)
{
	JsonbParseState *st = NULL;
	ListCell   *lc;

	if (sc->renames_used == NIL && sc->columns_used == NIL)
		return facts;
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	dbc_put_bool(&st, "renamed_in_script", true);
	if (sc->renames_used != NIL)
	{
		dbc_put_key(&st, "renamed_from");
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		foreach(lc, sc->renames_used)
		{
			ScriptRename *r = lfirst(lc);

			dbc_put_text(&st, r->new_identity, r->old_identity);
		}
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	if (sc->columns_used != NIL)
	{
		dbc_put_key(&st, "renamed_columns");
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		foreach(lc, sc->columns_used)
		{
			ColumnUse  *u = lfirst(lc);

			dbc_put_text(&st, u->key, u->old_name);
		}
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	return dbc_facts_merge(facts, JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL)));
}

/* ---- noting what a statement renames ---- */

static bool
relation_type(ObjectType t)
{
	return t == OBJECT_TABLE || t == OBJECT_INDEX || t == OBJECT_SEQUENCE || t == OBJECT_VIEW ||
		t == OBJECT_MATVIEW || t == OBJECT_FOREIGN_TABLE;
}

/* The rename noted for relid, or NULL. */
static ScriptRename *
rename_of(DbcScriptTables *sc, Oid relid)
{
	ListCell   *lc;

	foreach(lc, sc->renames)
		if (((ScriptRename *) lfirst(lc))->relid == relid)
			return lfirst(lc);
	return NULL;
}

/* Is name in nsp taken: by the catalog (also when renamed away: the run order decides), or a rename? */
static bool
name_taken(Oid nsp, const char *name)
{
	Oid			relid;

	return OidIsValid(get_relname_relid(name, nsp)) || dbc_script_relation_name(nsp, name, &relid) != 0;
}

/*
 * ALTER ... RENAME TO or SET SCHEMA of a relation that exists, to a name
 * that is free: the later statements find it there.  A relation renamed
 * already by the script (renamed back, or on) is forgotten, and so is
 * everything when the statement is not understood.
 */
static void
note_relation_moved(DbcScriptTables *sc, RangeVar *rv, const char *new_schema, const char *new_name)
{
	Oid			nsp;
	Oid			relid = dbc_lookup_relation(rv, &nsp);
	Oid			new_nsp = nsp;
	ScriptRename *r;
	char	   *name;
	HeapTuple	tp;
	bool		temp;

	if (!OidIsValid(relid) || (r = rename_of(sc, relid)) != NULL)
	{
		forget_all(sc);
		return;
	}
	name = get_rel_name(relid);
	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tp) || name == NULL)
	{
		forget_all(sc);
		return;
	}
	temp = ((Form_pg_class) GETSTRUCT(tp))->relpersistence == RELPERSISTENCE_TEMP;
	ReleaseSysCache(tp);
	if (new_schema != NULL)
		new_nsp = get_namespace_oid(new_schema, true);
	if (new_name == NULL)
		new_name = name;
	if (temp || !OidIsValid(new_nsp) || isAnyTempNamespace(new_nsp) ||
		(new_nsp == nsp && strcmp(new_name, name) == 0) || name_taken(new_nsp, new_name))
	{
		forget_all(sc);
		return;
	}
	r = palloc(sizeof(ScriptRename));
	r->relid = relid;
	r->new_nsp = new_nsp;
	r->new_name = pstrdup(new_name);
	r->old_nsp = nsp;
	r->old_name = name;
	r->new_identity = psprintf("%s.%s", get_namespace_name(new_nsp), new_name);
	r->old_identity = psprintf("%s.%s", get_namespace_name(nsp), name);
	sc->renames = lappend(sc->renames, r);
}

/* ALTER TABLE ... RENAME COLUMN a TO b of an existing column, b free. */
static void
note_column_renamed(DbcScriptTables *sc, RenameStmt *s)
{
	Oid			nsp;
	Oid			relid = dbc_lookup_relation(s->relation, &nsp);
	const char *old_name;
	ListCell   *lc;
	ColumnRename *c;

	if (!OidIsValid(relid) || s->subname == NULL || s->newname == NULL)
	{
		forget_all(sc);
		return;
	}
	/* renamed already by the script (back, or on): forget it */
	foreach(lc, sc->column_renames)
	{
		c = lfirst(lc);
		if (c->relid == relid && strcmp(c->new_name, s->subname) == 0)
		{
			sc->column_renames = foreach_delete_current(sc->column_renames, lc);
			return;
		}
	}
	old_name = dbc_script_column_name(relid, s->subname);
	if (old_name == NULL || get_attnum(relid, old_name) <= 0 ||
		get_attnum(relid, s->newname) != InvalidAttrNumber)
	{
		forget_all(sc);
		return;
	}
	c = palloc(sizeof(ColumnRename));
	c->relid = relid;
	c->new_name = pstrdup(s->newname);
	c->old_name = pstrdup(old_name);
	sc->column_renames = lappend(sc->column_renames, c);
}

/* Does a relation the statement creates (its identity) take a name noted? */
static bool
uses_noted_name(DbcScriptTables *sc, Jsonb *facts)
{
	char	   *identity = dbc_facts_get_text(facts, "identity");
	ListCell   *lc;

	if (identity == NULL)
		return true;
	foreach(lc, sc->renames)
	{
		ScriptRename *r = lfirst(lc);

		if (strcmp(r->new_identity, identity) == 0 || strcmp(r->old_identity, identity) == 0)
			return true;
	}
	return false;
}

static bool
harmless_setting(VariableSetStmt *v)
{
	return v->kind == VAR_SET_VALUE && v->name != NULL &&
		(pg_strcasecmp(v->name, "lock_timeout") == 0 || pg_strcasecmp(v->name, "statement_timeout") == 0);
}

static void
note_statement(DbcScriptTables *sc, Node *stmt, Jsonb *facts)
{
	switch (nodeTag(stmt))
	{
		case T_RenameStmt:
			{
				RenameStmt *s = (RenameStmt *) stmt;

				if (relation_type(s->renameType) && s->relation != NULL)
					note_relation_moved(sc, s->relation, NULL, s->newname);
				else if (s->renameType == OBJECT_COLUMN && relation_type(s->relationType) &&
						 s->relation != NULL)
					note_column_renamed(sc, s);
				else
					forget_all(sc);
			}
			break;
		case T_AlterObjectSchemaStmt:
			{
				AlterObjectSchemaStmt *s = (AlterObjectSchemaStmt *) stmt;

				if (relation_type(s->objectType) && s->relation != NULL)
					note_relation_moved(sc, s->relation, s->newschema, NULL);
				else
					forget_all(sc);
			}
			break;
		case T_CreateStmt:
		case T_ViewStmt:
		case T_CreateSeqStmt:
			if (uses_noted_name(sc, facts))
				forget_all(sc);
			break;
		case T_IndexStmt:
			/* an index without a name gets one PostgreSQL picks: maybe one renamed away */
			if (((IndexStmt *) stmt)->idxname == NULL || uses_noted_name(sc, facts))
				forget_all(sc);
			break;
		case T_CreateTableAsStmt:
			{
				CreateTableAsStmt *ct = (CreateTableAsStmt *) stmt;

				/* a query runs code */
				if (!ct->into->skipData || IsA(ct->query, ExecuteStmt) || uses_noted_name(sc, facts))
					forget_all(sc);
			}
			break;
		case T_AlterTableStmt:
		case T_CommentStmt:
		case T_GrantStmt:
		case T_AlterSeqStmt:
		case T_CreateTrigStmt:
		case T_CreatePolicyStmt:
		case T_AlterPolicyStmt:
		case T_CompositeTypeStmt:
		case T_CreateEnumStmt:
		case T_CreateDomainStmt:
			break;
		case T_VariableSetStmt:
			if (!harmless_setting((VariableSetStmt *) stmt))
				forget_all(sc);
			break;
		case T_TransactionStmt:
			{
				TransactionStmtKind k = ((TransactionStmt *) stmt)->kind;

				if (k != TRANS_STMT_BEGIN && k != TRANS_STMT_START && k != TRANS_STMT_COMMIT)
					forget_all(sc);
			}
			break;
		default:
			forget_all(sc);
			break;
	}
}

Jsonb *
dbc_script_names_see(DbcScriptTables *sc, Node *stmt, Jsonb *facts)
{
	MemoryContext old;

	facts = put_used(sc, facts);
	sc->renames_used = NIL;
	sc->columns_used = NIL;
	/* a statement that runs at top level: no one transaction, no order to rely on */
	if (sc->off)
		return facts;
	old = MemoryContextSwitchTo(sc->cxt);
	note_statement(sc, stmt, facts);
	MemoryContextSwitchTo(old);
	/* the lookups noting made are no statement's */
	sc->renames_used = NIL;
	sc->columns_used = NIL;
	return facts;
}
