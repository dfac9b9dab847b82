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
 * move of one to another schema (... SET SCHEMA, with the indexes and
 * owned sequences PostgreSQL moves with a table), each index a RENAME
 * CONSTRAINT renames, and each RENAME COLUMN of an existing column, is
 * noted after it is judged; the classifier's
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
 * A rename is noted only when its relation exists, its new name is free,
 * and the script has no statement that runs at top level (outside the
 * change's one transaction, after the rest).  A statement that runs code
 * (DML, queries, DO, CALL, EXECUTE, COPY) forgets the column renames and
 * keeps the relations: code that renamed or swapped one is caught by the
 * OID check below.  Everything noted is forgotten at any statement that
 * changes what a name means in a way the script states: SET (but
 * lock_timeout and statement_timeout), transaction
 * control other than BEGIN and COMMIT, DROP, a CREATE that uses a name
 * noted (or an index left to PostgreSQL to name), a rename of a relation
 * or column noted (renamed back or on), any other rename or SET SCHEMA
 * (but of a constraint with no index).  A temporary relation the script
 * makes forgets everything and stops the noting for good: it comes first
 * on the path when the later statements run, and the classifier cannot
 * see it.  A name forgotten so is judged as naming nothing, and when it
 * runs it must still name nothing but what the change made (facts.c,
 * swapped_relation).
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

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_index.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
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
	sc->renames_off = false;
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

/* Note relid, now old_name in old_nsp, as new_name in new_nsp. */
static void
add_rename(DbcScriptTables *sc, Oid relid, Oid old_nsp, const char *old_name, Oid new_nsp, const char *new_name)
{
	ScriptRename *r = palloc(sizeof(ScriptRename));

	r->relid = relid;
	r->new_nsp = new_nsp;
	r->new_name = pstrdup(new_name);
	r->old_nsp = old_nsp;
	r->old_name = pstrdup(old_name);
	r->new_identity = psprintf("%s.%s", get_namespace_name(new_nsp), new_name);
	r->old_identity = psprintf("%s.%s", get_namespace_name(old_nsp), old_name);
	sc->renames = lappend(sc->renames, r);
}

/*
 * What SET SCHEMA of a table or materialized view moves with it
 * (AlterTableNamespaceInternal): all its indexes, and the sequences its
 * columns own -- serial and OWNED BY (an auto dependency on a column) and
 * identity (an internal one).  PostgreSQL moves them under their names, and
 * fails the statement when one of the names is taken in the new schema.
 */
static List *
moved_with(Oid relid)
{
	List	   *out = NIL;
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key[2];
	HeapTuple	tup;

	rel = table_open(IndexRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, IndexIndrelidIndexId, true, NULL, 1, key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		out = lappend_oid(out, ((Form_pg_index) GETSTRUCT(tup))->indexrelid);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	rel = table_open(DependRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(RelationRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, DependReferenceIndexId, true, NULL, 2, key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);

		if (d->refobjsubid != 0 && d->classid == RelationRelationId && d->objsubid == 0 &&
			(d->deptype == DEPENDENCY_AUTO || d->deptype == DEPENDENCY_INTERNAL) &&
			get_rel_relkind(d->objid) == RELKIND_SEQUENCE && !list_member_oid(out, d->objid))
			out = lappend_oid(out, d->objid);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return out;
}

/*
 * ALTER ... RENAME TO or SET SCHEMA of a relation that exists, to a name
 * that is free: the later statements find it there -- and, for SET SCHEMA
 * of a table, its indexes and sequences in the new schema too.  A relation
 * renamed already by the script (renamed back, or on) is forgotten, and so
 * is everything when the statement is not understood or would fail.
 */
static void
note_relation_moved(DbcScriptTables *sc, RangeVar *rv, const char *new_schema, const char *new_name)
{
	Oid			nsp;
	Oid			relid = dbc_lookup_relation(rv, &nsp);
	Oid			new_nsp = nsp;
	char	   *name;
	HeapTuple	tp;
	bool		temp;
	char		relkind;
	List	   *deps = NIL;
	ListCell   *lc;

	if (!OidIsValid(relid) || rename_of(sc, relid) != NULL)
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
	relkind = ((Form_pg_class) GETSTRUCT(tp))->relkind;
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
	if (new_schema != NULL && new_nsp != nsp &&
		(relkind == RELKIND_RELATION || relkind == RELKIND_MATVIEW || relkind == RELKIND_PARTITIONED_TABLE))
		deps = moved_with(relid);

	/*
	 * Each moves under its own name; one renamed by the script already, one
	 * in another schema than the table (PostgreSQL fails on it), or one whose
	 * name is taken there (so does the statement): noted, it would be wrong.
	 */
	foreach(lc, deps)
	{
		Oid			dep = lfirst_oid(lc);
		char	   *dep_name = get_rel_name(dep);

		if (dep_name == NULL || rename_of(sc, dep) != NULL || get_rel_namespace(dep) != nsp ||
			name_taken(new_nsp, dep_name))
		{
			forget_all(sc);
			return;
		}
	}
	add_rename(sc, relid, nsp, name, new_nsp, new_name);
	foreach(lc, deps)
	{
		char	   *dep_name = get_rel_name(lfirst_oid(lc));

		add_rename(sc, lfirst_oid(lc), nsp, dep_name, new_nsp, dep_name);
	}
}

/*
 * ALTER TABLE ... RENAME CONSTRAINT: a primary key, unique or exclusion
 * constraint renames its index with it, to the constraint's new name
 * (rename_constraint_internal), which later statements then name.  Other
 * constraints name no relation: nothing to note or forget.  A constraint
 * the catalog does not have under that name (renamed earlier by the script,
 * by ALTER INDEX, or none), an index renamed already, or a name that is
 * taken: everything is forgotten.
 */
static void
note_constraint_renamed(DbcScriptTables *sc, RenameStmt *s)
{
	Oid			nsp;
	Oid			relid = dbc_lookup_relation(s->relation, &nsp);
	Oid			conoid;
	HeapTuple	tp;
	char		contype;
	Oid			index;
	char	   *index_name;

	if (!OidIsValid(relid) || s->subname == NULL || s->newname == NULL ||
		!OidIsValid(conoid = get_relation_constraint_oid(relid, s->subname, true)))
	{
		forget_all(sc);
		return;
	}
	tp = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
	if (!HeapTupleIsValid(tp))
	{
		forget_all(sc);
		return;
	}
	contype = ((Form_pg_constraint) GETSTRUCT(tp))->contype;
	index = ((Form_pg_constraint) GETSTRUCT(tp))->conindid;
	ReleaseSysCache(tp);
	if (contype != CONSTRAINT_PRIMARY && contype != CONSTRAINT_UNIQUE && contype != CONSTRAINT_EXCLUSION)
		return;
	nsp = get_rel_namespace(index);
	if (!OidIsValid(index) || (index_name = get_rel_name(index)) == NULL || rename_of(sc, index) != NULL ||
		strcmp(index_name, s->newname) == 0 || name_taken(nsp, s->newname))
	{
		forget_all(sc);
		return;
	}
	add_rename(sc, index, nsp, index_name, nsp, s->newname);
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

/* Does a CREATE of rv make a temporary relation (TEMP, or in pg_temp)? */
static bool
makes_temporary(RangeVar *rv)
{
	return rv == NULL || rv->relpersistence == RELPERSISTENCE_TEMP ||
		(rv->schemaname != NULL && strncmp(rv->schemaname, "pg_temp", 7) == 0);
}

/*
 * A temporary relation made by the script comes first in the path when the
 * later statements run, but is not in the catalog the classifier reads (nor
 * is the temporary schema, maybe): a renamed relation found under its new
 * name could be judged for the temporary one a later statement acts on.
 * Everything is forgotten, and nothing noted for the rest of the script.
 */
static void
temporary_made(DbcScriptTables *sc)
{
	forget_all(sc);
	sc->renames_off = true;
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
				else if (s->renameType == OBJECT_TABCONSTRAINT && s->relation != NULL)
					note_constraint_renamed(sc, s);
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
			if (makes_temporary(((CreateStmt *) stmt)->relation))
				temporary_made(sc);
			else if (uses_noted_name(sc, facts))
				forget_all(sc);
			break;
		case T_ViewStmt:
			if (makes_temporary(((ViewStmt *) stmt)->view))
				temporary_made(sc);
			else if (uses_noted_name(sc, facts))
				forget_all(sc);
			break;
		case T_CreateSeqStmt:
			if (makes_temporary(((CreateSeqStmt *) stmt)->sequence))
				temporary_made(sc);
			else if (uses_noted_name(sc, facts))
				forget_all(sc);
			break;
		case T_IndexStmt:
			{
				IndexStmt  *is = (IndexStmt *) stmt;
				Oid			nsp;

				/* an index of a temporary table is one too, in that schema */
				if (makes_temporary(is->relation) ||
					(OidIsValid(dbc_lookup_relation(is->relation, &nsp)) && isAnyTempNamespace(nsp)))
					temporary_made(sc);
				/* an index without a name gets one PostgreSQL picks: maybe one renamed away */
				else if (is->idxname == NULL || uses_noted_name(sc, facts))
					forget_all(sc);
			}
			break;
		case T_CreateTableAsStmt:
			{
				CreateTableAsStmt *ct = (CreateTableAsStmt *) stmt;

				if (makes_temporary(ct->into->rel))
					temporary_made(sc);
				/* a query runs code */
				else if (!ct->into->skipData || IsA(ct->query, ExecuteStmt) || uses_noted_name(sc, facts))
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
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
		case T_MergeStmt:
		case T_SelectStmt:
		case T_CopyStmt:
		case T_DoStmt:
		case T_CallStmt:
		case T_ExecuteStmt:

			/*
			 * Code may run here (triggers, rules, functions, the block) and
			 * rename, move or swap relations: the check of every renamed name
			 * when the statement after it runs (the very OID it was judged as,
			 * dbc_require_same_names) refuses that, so the relations stay
			 * noted -- a migration that renames a table, backfills it and
			 * then indexes it is judged as the table it is.  A column is not
			 * checked so when the statement runs: its renames are forgotten.
			 */
			sc->column_renames = NIL;
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
	if (sc->renames_off)
		forget_all(sc);
	MemoryContextSwitchTo(old);
	/* the lookups noting made are no statement's */
	sc->renames_used = NIL;
	sc->columns_used = NIL;
	return facts;
}
