/*-------------------------------------------------------------------------
 *
 * downgen.c
 *	  Generated down scripts: the inverse of simple statements, from their
 *	  parse trees.
 *
 * dbchange._downgen(script) returns, for each statement of a script, the
 * statement that undoes it -- or NULL and the reason why none can be
 * generated.  dbchange._down_script() joins them into a down script: the
 * settings that bound the script's waits first (carried_settings), then
 * the inverses in reverse order; every caller (generate_down(), submit's
 * trigger, rollback(), verify_rollback()) uses it.
 *
 * Only operations whose inverse follows from the statement alone are
 * inverted: CREATE of a table, index, view, materialized view, sequence,
 * function, procedure, schema, type, domain, trigger, policy; ALTER TABLE
 * ADD COLUMN / ADD CONSTRAINT; RENAME.  Everything else -- above all
 * destructive statements (DROP, ALTER TABLE DROP COLUMN, TRUNCATE, ...),
 * whose inverse would need the data that is gone -- gets no inverse and a
 * reason: dbchange never pretends.  "IF NOT EXISTS" and "OR REPLACE" make an
 * inverse unsafe (the object may have existed before, and dropping it would
 * remove more than the change added), as do names chosen by the server at
 * run time (an index or constraint without a name).
 *
 * Names in the inverse are schema-qualified: an unqualified name is
 * resolved the way the statement will resolve it (the creation schema of
 * the current search_path, or the schema of an existing relation), so the
 * down script does not depend on the search_path it later runs with.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "parser/parse_func.h"
#include "parser/parse_type.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "dbchange.h"

/* The inverse of one statement, or the reason there is none. */
typedef struct DownResult
{
	char	   *down;
	char	   *reason;
} DownResult;

static DownResult
no_inverse(const char *fmt,...) pg_attribute_printf(1, 2);

static DownResult
no_inverse(const char *fmt,...)
{
	DownResult	r = {NULL, NULL};
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	r.reason = buf.data;
	return r;
}

static DownResult
inverse(char *down)
{
	DownResult	r = {down, NULL};

	return r;
}

/*
 * The schema a name will be in: given, or the schema of an existing
 * relation of that name, or where CREATE would put it (first existing
 * schema of the search_path).  Temporary objects stay unqualified.
 */
static const char *
schema_of(RangeVar *rv, bool existing)
{
	Oid			nsp;

	if (rv->schemaname)
		return rv->schemaname;
	if (rv->relpersistence == RELPERSISTENCE_TEMP)
		return NULL;
	if (existing)
	{
		Oid			relid = RangeVarGetRelid(rv, NoLock, true);

		if (OidIsValid(relid))
		{
			nsp = get_rel_namespace(relid);
			if (isTempNamespace(nsp))
				return NULL;
			return get_namespace_name(nsp);
		}
	}
	nsp = RangeVarGetCreationNamespace(rv);
	if (isTempNamespace(nsp))
		return NULL;
	return get_namespace_name(nsp);
}

/*
 * The schema each statement's object was found in when the statement ran
 * (the "schema" fact the gate recorded), while _downgen() inverts a change
 * that has run; NULL otherwise.  Indexed by statement_no - 1.
 */
static char **ran_schemas = NULL;
static int	n_ran_schemas = 0;
static int	current_statement_no = 0;

/*
 * The schema of a relation that a RENAME renames.  Before the statement
 * runs, it is found under its old name.  After it ran (a change recorded by
 * the gate is inverted when it is rolled back), the old name no longer
 * finds it -- the lookup fell back to the creation schema, or found another
 * relation that took the name since -- and the new name may find another
 * relation earlier in the search_path: the schema recorded when it ran is
 * the one.
 */
static const char *
renamed_schema(RenameStmt *s)
{
	if (s->relation->schemaname == NULL && ran_schemas != NULL &&
		current_statement_no >= 1 && current_statement_no <= n_ran_schemas &&
		ran_schemas[current_statement_no - 1] != NULL)
		return ran_schemas[current_statement_no - 1];
	return schema_of(s->relation, true);
}

/* schema.name, each part quoted as needed. */
static char *
qualified(const char *schema, const char *name)
{
	if (schema == NULL)
		return pstrdup(quote_identifier(name));
	return psprintf("%s.%s", quote_identifier(schema), quote_identifier(name));
}

static char *
rel_name(RangeVar *rv, bool existing)
{
	return qualified(schema_of(rv, existing), rv->relname);
}

/* A qualified name from a name list (schema.name or name): existing objects of other kinds. */
static char *
list_name(List *names)
{
	char	   *schema;
	char	   *name;

	DeconstructQualifiedName(names, &schema, &name);
	if (schema == NULL)
	{
		Oid			nsp = QualifiedNameGetCreationNamespace(names, &name);

		if (!isTempNamespace(nsp))
			schema = get_namespace_name(nsp);
	}
	return qualified(schema, name);
}

static const char *
drop_kind_of_relation(ObjectType t)
{
	switch (t)
	{
		case OBJECT_VIEW:
			return "VIEW";
		case OBJECT_MATVIEW:
			return "MATERIALIZED VIEW";
		case OBJECT_SEQUENCE:
			return "SEQUENCE";
		case OBJECT_INDEX:
			return "INDEX";
		case OBJECT_FOREIGN_TABLE:
			return "FOREIGN TABLE";
		default:
			return "TABLE";
	}
}

static DownResult
down_create_table(CreateStmt *s)
{
	if (s->if_not_exists)
		return no_inverse("CREATE TABLE IF NOT EXISTS may find the table already there; dropping it could remove a table the change did not create");
	return inverse(psprintf("DROP %s %s", IsA(s, CreateForeignTableStmt) ? "FOREIGN TABLE" : "TABLE",
							rel_name(s->relation, false)));
}

static DownResult
down_create_table_as(CreateTableAsStmt *s)
{
	if (s->if_not_exists)
		return no_inverse("CREATE ... IF NOT EXISTS may find the object already there; dropping it could remove an object the change did not create");
	return inverse(psprintf("DROP %s %s", s->objtype == OBJECT_MATVIEW ? "MATERIALIZED VIEW" : "TABLE",
							rel_name(s->into->rel, false)));
}

static DownResult
down_create_index(IndexStmt *s)
{
	if (s->idxname == NULL)
		return no_inverse("the index has no name (the server chooses one when it runs); name it to get a generated down script");
	if (s->if_not_exists)
		return no_inverse("CREATE INDEX IF NOT EXISTS may find the index already there; dropping it could remove an index the change did not create");
	/* an index lives in its table's schema */
	return inverse(psprintf("DROP INDEX %s%s", s->concurrent ? "CONCURRENTLY " : "",
							qualified(schema_of(s->relation, true), s->idxname)));
}

static DownResult
down_create_view(ViewStmt *s)
{
	if (s->replace)
		return no_inverse("CREATE OR REPLACE VIEW may replace an existing view whose previous definition the statement does not contain");
	return inverse(psprintf("DROP VIEW %s", rel_name(s->view, false)));
}

static DownResult
down_create_sequence(CreateSeqStmt *s)
{
	if (s->if_not_exists)
		return no_inverse("CREATE SEQUENCE IF NOT EXISTS may find the sequence already there; dropping it could remove a sequence the change did not create");
	return inverse(psprintf("DROP SEQUENCE %s", rel_name(s->sequence, false)));
}

/*
 * A type name as SQL: each part of a written name quoted as needed (not
 * TypeNameToString(), which writes the parts as they are, so that a type
 * named "x); DROP TABLE t; --" would end the statement), %TYPE and [] kept.
 * Type modifiers do not take part in a function's signature.
 */
static char *
type_name_sql(TypeName *tn)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	if (tn->names == NIL)
		appendStringInfoString(&buf, format_type_be_qualified(tn->typeOid));
	foreach(lc, tn->names)
	{
		if (lc != list_head(tn->names))
			appendStringInfoChar(&buf, '.');
		appendStringInfoString(&buf, quote_identifier(strVal(lfirst(lc))));
	}
	if (tn->pct_type)
		appendStringInfoString(&buf, "%TYPE");
	if (tn->arrayBounds != NIL)
		appendStringInfoString(&buf, "[]");
	return buf.data;
}

/* Argument types of a function signature (input arguments only), as written. */
static char *
function_args(List *parameters)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, parameters)
	{
		FunctionParameter *p = lfirst_node(FunctionParameter, lc);

		if (p->mode == FUNC_PARAM_OUT || p->mode == FUNC_PARAM_TABLE)
			continue;
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		if (p->mode == FUNC_PARAM_VARIADIC)
			appendStringInfoString(&buf, "VARIADIC ");
		appendStringInfoString(&buf, type_name_sql(p->argType));
	}
	return buf.data;
}

static DownResult
down_create_function(CreateFunctionStmt *s)
{
	const char *kind = s->is_procedure ? "PROCEDURE" : "FUNCTION";

	if (s->replace)
	{
		/*
		 * CREATE OR REPLACE of a function that does not exist yet creates it;
		 * of one that exists, it replaces a definition the statement does not
		 * contain.  Decide by looking now.
		 */
		ObjectWithArgs *owa = dbc_function_signature(s);

		if (OidIsValid(LookupFuncWithArgs(s->is_procedure ? OBJECT_PROCEDURE : OBJECT_FUNCTION, owa, true)))
			return no_inverse("CREATE OR REPLACE %s replaces an existing %s whose previous definition the statement does not contain",
							  kind, s->is_procedure ? "procedure" : "function");
	}
	return inverse(psprintf("DROP %s %s(%s)", kind, list_name(s->funcname), function_args(s->parameters)));
}

static DownResult
down_create_schema(CreateSchemaStmt *s)
{
	if (s->if_not_exists)
		return no_inverse("CREATE SCHEMA IF NOT EXISTS may find the schema already there; dropping it could remove a schema the change did not create");
	if (s->schemaElts != NIL)
		return no_inverse("CREATE SCHEMA with elements creates several objects; write a down script");
	if (s->schemaname == NULL)
		return no_inverse("the schema is named after its role when it runs; name it to get a generated down script");
	return inverse(psprintf("DROP SCHEMA %s", quote_identifier(s->schemaname)));
}

static DownResult
down_create_trigger(CreateTrigStmt *s)
{
	if (s->replace)
		return no_inverse("CREATE OR REPLACE TRIGGER may replace an existing trigger whose previous definition the statement does not contain");
	return inverse(psprintf("DROP TRIGGER %s ON %s", quote_identifier(s->trigname),
							rel_name(s->relation, true)));
}

static DownResult
down_create_policy(CreatePolicyStmt *s)
{
	return inverse(psprintf("DROP POLICY %s ON %s", quote_identifier(s->policy_name),
							rel_name(s->table, true)));
}

/* ALTER TABLE: ADD COLUMN and ADD CONSTRAINT are inverted, in reverse order. */
static DownResult
down_alter_table(AlterTableStmt *s)
{
	List	   *inv = NIL;
	List	   *added = NIL;	/* names of the columns this statement adds */
	ListCell   *lc;
	StringInfoData buf;

	if (s->objtype != OBJECT_TABLE && s->objtype != OBJECT_FOREIGN_TABLE)
		return no_inverse("only ALTER TABLE ADD COLUMN / ADD CONSTRAINT get a generated inverse");
	foreach(lc, s->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		switch (cmd->subtype)
		{
			case AT_AddColumn:
				{
					ColumnDef  *col = castNode(ColumnDef, cmd->def);

					if (cmd->missing_ok)
						return no_inverse("ADD COLUMN IF NOT EXISTS may find the column already there; dropping it could remove a column the change did not add");
					inv = lcons(psprintf("DROP COLUMN %s", quote_identifier(col->colname)), inv);
					added = lappend(added, makeString(col->colname));
					break;
				}
			case AT_AddConstraint:
				{
					Constraint *con = castNode(Constraint, cmd->def);

					if (con->conname == NULL)
						return no_inverse("the constraint has no name (the server chooses one when it runs); name it (ADD CONSTRAINT name ...) to get a generated down script");
					/* dropping the constraint would drop the index, which existed before */
					if (con->indexname != NULL)
						return no_inverse("ADD CONSTRAINT ... USING INDEX takes over (and renames) an existing index; dropping the constraint would drop that index, write a down script");
					/* PRIMARY KEY also sets NOT NULL, which DROP CONSTRAINT leaves */
					if (con->contype == CONSTR_PRIMARY)
					{
						ListCell   *kc;

						foreach(kc, con->keys)
						{
							if (!list_member(added, lfirst(kc)))
								return no_inverse("ADD PRIMARY KEY also marks column %s NOT NULL, which dropping the constraint does not undo (and the statement does not say whether it was NOT NULL before); write a down script",
												  quote_identifier(strVal(lfirst(kc))));
						}
					}
					inv = lcons(psprintf("DROP CONSTRAINT %s", quote_identifier(con->conname)), inv);
					break;
				}
			case AT_DropColumn:
				return no_inverse("DROP COLUMN destroys the column's data; no generated inverse can restore it, write a down script");
			case AT_DropConstraint:
				return no_inverse("DROP CONSTRAINT has no generated inverse (the statement does not contain the constraint's definition); write a down script");
			case AT_AlterColumnType:
				return no_inverse("ALTER COLUMN TYPE has no generated inverse (the old type and any lost precision are not in the statement); write a down script");
			default:
				return no_inverse("this ALTER TABLE operation has no generated inverse; only ADD COLUMN, ADD CONSTRAINT and RENAME are inverted");
		}
	}
	initStringInfo(&buf);
	appendStringInfo(&buf, "ALTER %s %s ", s->objtype == OBJECT_FOREIGN_TABLE ? "FOREIGN TABLE" : "TABLE",
					 rel_name(s->relation, true));
	foreach(lc, inv)
		appendStringInfo(&buf, "%s%s", lc == list_head(inv) ? "" : ", ", (char *) lfirst(lc));
	return inverse(buf.data);
}

static DownResult
down_rename(RenameStmt *s)
{
	const char *newname = quote_identifier(s->newname);

	if (s->missing_ok)
		return no_inverse("RENAME with IF EXISTS may find nothing to rename; renaming back could rename another object that has the new name, write a down script");

	switch (s->renameType)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_SEQUENCE:
		case OBJECT_INDEX:
		case OBJECT_FOREIGN_TABLE:
			{
				const char *schema = renamed_schema(s);

				return inverse(psprintf("ALTER %s %s RENAME TO %s", drop_kind_of_relation(s->renameType),
										qualified(schema, s->newname),
										quote_identifier(s->relation->relname)));
			}
		case OBJECT_COLUMN:
			return inverse(psprintf("ALTER %s %s RENAME COLUMN %s TO %s",
									drop_kind_of_relation(s->relationType),
									rel_name(s->relation, true), newname,
									quote_identifier(s->subname)));
		case OBJECT_TABCONSTRAINT:
			return inverse(psprintf("ALTER TABLE %s RENAME CONSTRAINT %s TO %s",
									rel_name(s->relation, true), newname,
									quote_identifier(s->subname)));
		case OBJECT_TRIGGER:
			return inverse(psprintf("ALTER TRIGGER %s ON %s RENAME TO %s", newname,
									rel_name(s->relation, true), quote_identifier(s->subname)));
		case OBJECT_POLICY:
			return inverse(psprintf("ALTER POLICY %s ON %s RENAME TO %s", newname,
									rel_name(s->relation, true), quote_identifier(s->subname)));
		case OBJECT_SCHEMA:
			return inverse(psprintf("ALTER SCHEMA %s RENAME TO %s", newname,
									quote_identifier(s->subname)));
		default:
			return no_inverse("renaming this kind of object has no generated inverse; write a down script");
	}
}

static DownResult
down_define(DefineStmt *s)
{
	(void) s;
	return no_inverse("this CREATE statement has no generated inverse; write a down script");
}

/* The inverse of one statement. */
static DownResult
down_of(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_CreateStmt:
		case T_CreateForeignTableStmt:
			return down_create_table((CreateStmt *) stmt);
		case T_CreateTableAsStmt:
			return down_create_table_as((CreateTableAsStmt *) stmt);
		case T_IndexStmt:
			return down_create_index((IndexStmt *) stmt);
		case T_ViewStmt:
			return down_create_view((ViewStmt *) stmt);
		case T_CreateSeqStmt:
			return down_create_sequence((CreateSeqStmt *) stmt);
		case T_CreateFunctionStmt:
			return down_create_function((CreateFunctionStmt *) stmt);
		case T_CreateSchemaStmt:
			return down_create_schema((CreateSchemaStmt *) stmt);
		case T_CreateTrigStmt:
			return down_create_trigger((CreateTrigStmt *) stmt);
		case T_CreatePolicyStmt:
			return down_create_policy((CreatePolicyStmt *) stmt);
		case T_CreateEnumStmt:
			return inverse(psprintf("DROP TYPE %s", list_name(((CreateEnumStmt *) stmt)->typeName)));
		case T_CreateRangeStmt:
			return inverse(psprintf("DROP TYPE %s", list_name(((CreateRangeStmt *) stmt)->typeName)));
		case T_CompositeTypeStmt:
			return inverse(psprintf("DROP TYPE %s", rel_name(((CompositeTypeStmt *) stmt)->typevar, false)));
		case T_CreateDomainStmt:
			return inverse(psprintf("DROP DOMAIN %s", list_name(((CreateDomainStmt *) stmt)->domainname)));
		case T_AlterTableStmt:
			return down_alter_table((AlterTableStmt *) stmt);
		case T_RenameStmt:
			return down_rename((RenameStmt *) stmt);
		case T_DefineStmt:
			return down_define((DefineStmt *) stmt);
		case T_DropStmt:
			return no_inverse("%s is destructive: the dropped objects and their data cannot be recreated from the statement; write a down script (and keep a backup)",
							  GetCommandTagName(CreateCommandTag(stmt)));
		case T_TruncateStmt:
			return no_inverse("TRUNCATE destroys data; it has no inverse");
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
		case T_MergeStmt:
		case T_SelectStmt:
			return no_inverse("%s is a data statement; dbchange generates inverses for schema changes only",
							  GetCommandTagName(CreateCommandTag(stmt)));
		default:
			return no_inverse("%s has no generated inverse; write a down script",
							  GetCommandTagName(CreateCommandTag(stmt)));
	}
}

/*
 * Session settings a migration sets to bound its own waits and work
 * (`SET lock_timeout = '5s'`, as the stock policies advise).  They change no
 * object and no name's meaning, so they need no inverse; the down script
 * starts with them, in their order, so that undoing the change waits no
 * longer than making it did.  Any other SET -- search_path (names would
 * resolve elsewhere), role, session_authorization, how strings are read --
 * or RESET ALL has no generated inverse.
 */
static const char *const carried_settings[] = {
	"lock_timeout", "statement_timeout", "idle_in_transaction_session_timeout",
	"client_min_messages", "maintenance_work_mem", "work_mem",
	"max_parallel_maintenance_workers", NULL
};

static bool
is_carried_setting(Node *stmt)
{
	VariableSetStmt *v;
	int			i;

	if (!IsA(stmt, VariableSetStmt))
		return false;
	v = (VariableSetStmt *) stmt;
	if (v->name == NULL || (v->kind != VAR_SET_VALUE && v->kind != VAR_SET_DEFAULT &&
							v->kind != VAR_RESET))
		return false;
	for (i = 0; carried_settings[i]; i++)
		if (strcmp(v->name, carried_settings[i]) == 0)
			return true;
	return false;
}

/* One statement of a script: its inverse or the reason there is none. */
typedef struct DownRow
{
	int			statement_no;
	char	   *text;
	bool		setting;		/* a carried setting: copied, not inverted */
	DownResult	r;
} DownRow;

/*
 * The rows of a script (see dbc_downgen for path and ran).  The search_path
 * is set for the name lookups only and undone before returning.
 */
static List *
downgen_rows(const char *script, const char *path, ArrayType *ran)
{
	int			nest = 0;
	List	   *rows = NIL;
	ListCell   *lc;

	ran_schemas = NULL;
	n_ran_schemas = 0;
	if (ran)
	{
		Datum	   *elems;
		bool	   *enulls;
		int			i;

		deconstruct_array(ran, TEXTOID, -1, false, TYPALIGN_INT, &elems, &enulls, &n_ran_schemas);
		ran_schemas = palloc0(sizeof(char *) * Max(n_ran_schemas, 1));
		for (i = 0; i < n_ran_schemas; i++)
			ran_schemas[i] = enulls[i] ? NULL : TextDatumGetCString(elems[i]);
	}
	if (path)
	{
		nest = NewGUCNestLevel();
		(void) set_config_option("search_path", path, PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}
	foreach(lc, dbc_split_script(script))
	{
		DbcParsedStmt *ps = (DbcParsedStmt *) lfirst(lc);
		DownRow    *row = palloc0(sizeof(DownRow));

		current_statement_no = ps->statement_no;
		row->statement_no = ps->statement_no;
		row->text = ps->text;
		row->setting = is_carried_setting(ps->stmt);
		row->r = row->setting ? inverse(ps->text) : down_of(ps->stmt);
		rows = lappend(rows, row);
	}
	if (path)
		AtEOXact_GUC(true, nest);
	ran_schemas = NULL;
	return rows;
}

static void
read_args(FunctionCallInfo fcinfo, char **script, char **path, ArrayType **ran)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("script must not be null"),
				 errhint("Pass the text of the up script.")));
	*script = text_to_cstring(PG_GETARG_TEXT_PP(0));
	*path = PG_NARGS() > 1 && !PG_ARGISNULL(1) ? text_to_cstring(PG_GETARG_TEXT_PP(1)) : NULL;
	*ran = PG_NARGS() > 2 && !PG_ARGISNULL(2) ? PG_GETARG_ARRAYTYPE_P(2) : NULL;
}

/*
 * dbchange._downgen(script text, path text DEFAULT NULL, ran_schemas text[] DEFAULT NULL)
 *	 RETURNS TABLE (statement_no int, statement text, down text, reason text)
 *
 * ran_schemas: for a change that has run, each statement's recorded
 * "schema" fact, in order (see renamed_schema()); NULL before it runs.
 *
 * path: the search_path to resolve unqualified names with (a change's
 * recorded one), set here for the name lookups only and undone before
 * returning.  Callers that run as the catalog owner pass it instead of
 * setting it themselves: their own SQL (operators such as ||) must never be
 * resolved in a path the requester chose.  NULL: the current search_path.
 *
 * A carried setting's "down" is the statement itself (it is copied to the
 * start of the down script, not inverted).
 */
PG_FUNCTION_INFO_V1(dbc_downgen);
Datum
dbc_downgen(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *script;
	char	   *path;
	ArrayType  *ran;
	List	   *rows;
	ListCell   *lc;

	read_args(fcinfo, &script, &path, &ran);
	InitMaterializedSRF(fcinfo, 0);
	rows = downgen_rows(script, path, ran);
	foreach(lc, rows)
	{
		DownRow    *row = (DownRow *) lfirst(lc);
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int32GetDatum(row->statement_no);
		values[1] = CStringGetTextDatum(row->text);
		if (row->r.down)
		{
			values[2] = CStringGetTextDatum(row->r.down);
			nulls[3] = true;
		}
		else
		{
			nulls[2] = true;
			values[3] = CStringGetTextDatum(row->r.reason);
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * dbchange._down_script(script text, path text DEFAULT NULL, ran_schemas text[] DEFAULT NULL)
 *	 RETURNS text
 *
 * The generated down script: the carried settings in their order, then the
 * inverses of the other statements in reverse order, each ended by ";".
 * NULL when a statement has no inverse or nothing is to be undone (an empty
 * script, or settings only).  Arguments as for _downgen.
 */
PG_FUNCTION_INFO_V1(dbc_down_script);
Datum
dbc_down_script(PG_FUNCTION_ARGS)
{
	char	   *script;
	char	   *path;
	ArrayType  *ran;
	List	   *rows;
	StringInfoData buf;
	bool		any = false;
	ListCell   *lc;
	int			i;

	read_args(fcinfo, &script, &path, &ran);
	rows = downgen_rows(script, path, ran);
	initStringInfo(&buf);
	foreach(lc, rows)
	{
		DownRow    *row = (DownRow *) lfirst(lc);

		if (row->r.down == NULL)
			PG_RETURN_NULL();
		if (row->setting)
			appendStringInfo(&buf, "%s;\n", row->r.down);
	}
	for (i = list_length(rows) - 1; i >= 0; i--)
	{
		DownRow    *row = (DownRow *) list_nth(rows, i);

		if (row->setting)
			continue;
		appendStringInfo(&buf, "%s;\n", row->r.down);
		any = true;
	}
	if (!any)
		PG_RETURN_NULL();
	buf.data[--buf.len] = '\0';	/* no newline after the last ";" */
	PG_RETURN_TEXT_P(cstring_to_text(buf.data));
}
