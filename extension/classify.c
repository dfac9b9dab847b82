/*-------------------------------------------------------------------------
 *
 * classify.c
 *	  Turn a parsed PostgreSQL statement into change facts.
 *
 * Works on raw parse trees (raw_parser() output, or the utilityStmt the
 * ProcessUtility hook and event triggers see), so the statement's shape needs
 * no catalog access.  A few cheap lookups add what policies need to judge
 * risk: whether the objects exist, their schema when the statement does not
 * name one, table sizes (pg_class and the data files' sizes), the current
 * type of a column whose type changes, whether a default is volatile.
 *
 * The classifier runs inside the gate for every DDL statement, so:
 *	 - it never errors on objects that do not exist or that the user cannot
 *	   see (no RangeVarGetRelid/LookupExplicitNamespace, which check
 *	   privileges; own lookups through the syscache instead),
 *	 - it takes no locks on user objects (sizes are read from pg_class and
 *	   by stat()ing the data files, as pg_relation_size would without its
 *	   lock) so it cannot create lock-upgrade deadlocks,
 *	 - it uses no SPI.
 *
 * Every fact name is documented in docs/facts.md; names are a public API.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_cast.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_am.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_language.h"
#include "commands/defrem.h"
#include "commands/proclang.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_partitioned_table.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_sequence.h"
#include "catalog/pg_shdepend.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_auth_members.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_range.h"
#include "catalog/pg_tablespace.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_ts_config.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "commands/tablecmds.h"
#include "commands/tablespace.h"
#include "commands/trigger.h"
#include "common/relpath.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_expr.h"
#include "parser/parse_utilcmd.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "parser/parser.h"
#include "parser/parse_type.h"
#include "pgtime.h"
#include "rewrite/rewriteSupport.h"
#include "storage/backendid.h"
#include "storage/lmgr.h"
#include "storage/lockdefs.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/fmgroids.h"
#include "utils/formatting.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
#include "utils/memutils.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/relmapper.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "dbchange.h"

/* ---------------------------------------------------------------------------
 * Option values without errors
 * ---------------------------------------------------------------------------
 */

/*
 * The boolean value of a DefElem the way defGetBoolean reads it, but never
 * raising an error: an option with a value that is not a boolean counts as
 * on (the statement itself will report the bad value when it runs).
 */
static bool
opt_bool(DefElem *opt)
{
	Node	   *arg = opt->arg;
	bool		res;

	if (arg == NULL)
		return true;
	if (IsA(arg, Boolean))
		return boolVal(arg);
	if (IsA(arg, Integer))
		return intVal(arg) != 0;
	if (IsA(arg, String))
	{
		if (pg_strcasecmp(strVal(arg), "auto") == 0)
			return true;
		if (parse_bool(strVal(arg), &res))
			return res;
	}
	return true;
}

/*
 * The option named, as PostgreSQL takes it: the last one when it is given
 * more than once (VACUUM (FULL false, FULL true) is a VACUUM FULL; the
 * first match would have let it through as a plain VACUUM, ungated).
 */
static DefElem *
find_opt(List *options, const char *name)
{
	ListCell   *lc;
	DefElem    *found = NULL;

	foreach(lc, options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if (strcmp(opt->defname, name) == 0)
			found = opt;
	}
	return found;
}

static bool
opt_on(List *options, const char *name)
{
	DefElem    *opt = find_opt(options, name);

	return opt != NULL && opt_bool(opt);
}

/* A DefElem's value as text (for String/Integer/Float/TypeName/names), or NULL. */
static char *
opt_text(DefElem *opt)
{
	Node	   *arg;

	if (opt == NULL || opt->arg == NULL)
		return NULL;
	arg = opt->arg;
	switch (nodeTag(arg))
	{
		case T_String:
			return pstrdup(strVal(arg));
		case T_Integer:
			return psprintf("%d", intVal(arg));
		case T_Float:
			return pstrdup(castNode(Float, arg)->fval);
		case T_Boolean:
			return pstrdup(boolVal(arg) ? "true" : "false");
		case T_TypeName:
			return TypeNameToString((TypeName *) arg);
		case T_List:
			return NameListToString((List *) arg);
		default:
			return NULL;
	}
}

/* ---------------------------------------------------------------------------
 * Gate helpers (used by gate.c)
 * ---------------------------------------------------------------------------
 */

/*
 * Is this statement one the gate checks?  Everything that changes the
 * schema, privileges, roles, databases, tablespaces or server configuration;
 * not transaction control, session settings, cursors, LISTEN/NOTIFY, COPY,
 * CALL/DO themselves (the DDL inside them is checked), EXPLAIN, LOCK or
 * plain VACUUM/ANALYZE.
 */
/*
 * The INTO of SELECT ... INTO: on a set operation (SELECT 1 INTO t UNION
 * SELECT 2) the grammar leaves it on the leftmost SELECT, where PostgreSQL
 * finds it too.
 */
IntoClause *
dbc_select_into(SelectStmt *s)
{
	while (s->op != SETOP_NONE && s->larg != NULL)
		s = s->larg;
	return s->intoClause;
}

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
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
		case T_MergeStmt:
			return false;
		case T_VacuumStmt:
			return opt_on(((VacuumStmt *) stmt)->options, "full");
		case T_SelectStmt:
			/* SELECT ... INTO creates a table (a CreateTableAsStmt once analysed) */
			return dbc_select_into((SelectStmt *) stmt) != NULL;
		default:
			return true;
	}
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
			return opt_on(((ReindexStmt *) stmt)->params, "concurrently") ||
				((ReindexStmt *) stmt)->kind == REINDEX_OBJECT_SYSTEM ||
				((ReindexStmt *) stmt)->kind == REINDEX_OBJECT_DATABASE ||
				((ReindexStmt *) stmt)->kind == REINDEX_OBJECT_SCHEMA;
		case T_AlterSystemStmt:
		case T_CreatedbStmt:
		case T_DropdbStmt:
		case T_CreateTableSpaceStmt:
		case T_DropTableSpaceStmt:
		case T_CreateSubscriptionStmt:
		case T_DropSubscriptionStmt:
			return true;
		case T_VacuumStmt:
			/* VACUUM refuses transaction blocks; ANALYZE does not */
			return ((VacuumStmt *) stmt)->is_vacuumcmd;
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

/* ---------------------------------------------------------------------------
 * The classification state
 * ---------------------------------------------------------------------------
 */

/* An object a statement names. */
typedef struct ClsObject
{
	const char *object_type;
	char	   *schema;
	char	   *name;
	char	   *identity;
	int			exists;			/* 1, 0, or -1 = not looked up */
	Oid			relid;			/* relations that exist */
	char		relkind;		/* pg_class.relkind of those, else '\0' */
	bool		has_children;	/* pg_class.relhassubclass: may have partitions
								 * or inheritance children */
	bool		sized;			/* rows/bytes apply (relation with storage) */
	double		rows;			/* < 0: unknown */
	bool		rows_estimated; /* rows: from the size, never analysed */
	int64		bytes;			/* < 0: unknown */
	char	   *table;			/* identity of the table it lives on, or NULL */
	Oid			table_relid;
	struct ClsObject *table_obj;	/* that table's object, sizes known, or NULL */
	Oid			typid;			/* types and domains that exist */
} ClsObject;

/*
 * How far below a table it names a statement goes: PostgreSQL carries DROP,
 * TRUNCATE, most ALTER TABLE subcommands, CREATE INDEX, ... out on the
 * table's partitions, and some of them on its inheritance children too.
 * (A table is never both: partitioned tables cannot have inheritance
 * children, partitions cannot be inherited from.)
 */
typedef enum ClsRecurse
{
	RECURSE_NONE,				/* ONLY, or a statement that stays on the table */
	RECURSE_PARTITIONS,			/* the partitions, recursively */
	RECURSE_ALL					/* partitions and inheritance children */
} ClsRecurse;

/* A named table whose descendants the statement acts on as well. */
typedef struct ClsReach
{
	ClsObject  *table;
	ClsRecurse	how;
} ClsReach;

typedef struct Cls
{
	JsonbParseState **st;
	const char *object_type;
	ClsObject  *main;
	List	   *objects;		/* of ClsObject *; NIL = just main */
	char	   *table;			/* identity of the table acted on */
	Oid			table_relid;
	ClsObject  *table_obj;		/* its object when sizes are already known */
	bool		sum_objects;	/* table_rows/bytes: sum over tables in objects */
	List	   *operations;		/* of const char * */
	bool		destructive;
	bool		rewrites;
	bool		scans;
	bool		concurrently;
	bool		if_exists;
	bool		if_not_exists;
	bool		or_replace;
	bool		cascade;
	const char *command;		/* overrides the raw tree's command tag */
	LOCKMODE	lock;			/* NoLock: none */
	bool		index_exclusive;	/* an index is locked ACCESS EXCLUSIVE */
	List	   *reach;			/* of ClsReach *: see reach_below() */
	List	   *dropped_schemas;	/* DROP SCHEMA ... CASCADE: OIDs of those
									 * that exist */
	bool		truncate_cascade;	/* TRUNCATE ... CASCADE: follow foreign keys */
	bool		drop_cascade;	/* DROP ... CASCADE of a kind whose dependents
								 * are listed (cascade_roots) */
	List	   *cascade_roots;	/* of CascadeRoot *: the objects it names */
	bool		cascade_incomplete; /* the walk cannot see all it takes along */
	bool		cascade_before_script;	/* cascades_to as before the script's
										 * earlier statements: see
										 * dependents_may_change() */
} Cls;

/* An object a DROP ... CASCADE names, as pg_depend knows it. */
typedef struct CascadeRoot
{
	ObjectAddress addr;
	const char *identity;
} CascadeRoot;

/* reads (see put_reads()) */
typedef struct ReadsWalk ReadsWalk;
typedef struct CallEntry CallEntry;
static ReadsWalk *reads_begin(void);
static void reads_of_relation(ReadsWalk *rw, ClsObject *o);
static void reads_of_query(ReadsWalk *rw, Node *query);
static void reads_of_schema(ReadsWalk *rw, const char *nspname);
static void put_reads(JsonbParseState **st, ReadsWalk *rw);
static void put_prepared_reads(JsonbParseState **st, const char *name);
static bool dependents_may_change(Node *stmt);
/* ... of SECURITY DEFINER functions (see put_new_definer_reads()) */
static void put_new_definer_reads(JsonbParseState **st, CreateFunctionStmt *s, ClsObject *o);
static CallEntry *new_body_entry(CreateFunctionStmt *s, ClsObject *o);
static void mark_function_seen(ReadsWalk *rw, Oid funcid);
static void reads_of_new_body(ReadsWalk *rw, CreateFunctionStmt *s, CallEntry *e, int depth);
static List *definer_callers(const char *name, Oid funcid);
static bool holds_call(const char *text, const char *word, size_t len);
static bool extension_member(Oid funcid);
static void put_caller_reads(JsonbParseState **st, CreateFunctionStmt *s, ClsObject *o, Oid funcid,
							 const char *name, List *actions);
static void put_definer_reads(JsonbParseState **st, List *funcs, Oid altered, List *actions);
static bool changes_search_path(List *actions);
static void put_invoker_move_reads(Cls *c, ObjectType t, Node *object, const char *newname);
static bool is_definer_function(Oid funcid);
static List *definer_functions_in_schema(const char *nspname, ObjectType objtype);

/* sequence limits (see put_sequence_limits()) */
static void put_sequence_limits(JsonbParseState **st, Oid seqid, List *options, Node *stmt);
static Oid	identity_sequence(Oid relid, const char *colname);
static void put_serial_sequence_facts(JsonbParseState **st, Oid relid, const char *colname, TypeName *tn);

/* A view or materialized view: GRANT, ALTER, a trigger or rule on it get reads. */
static bool
is_view_relation(ClsObject *o)
{
	return o != NULL && (o->relkind == RELKIND_VIEW || o->relkind == RELKIND_MATVIEW);
}

/* reads of a view or materialized view o, when it is one */
static void
put_view_reads(JsonbParseState **st, ClsObject *o)
{
	ReadsWalk  *rw;

	if (!is_view_relation(o))
		return;
	rw = reads_begin();
	reads_of_relation(rw, o);
	put_reads(st, rw);
}

/* reads of a new relation's query */
static void
put_query_reads(JsonbParseState **st, Node *query)
{
	ReadsWalk  *rw = reads_begin();

	reads_of_query(rw, query);
	put_reads(st, rw);
}

static void
add_op(Cls *c, const char *op)
{
	c->operations = lappend(c->operations, (void *) op);
}

static void
add_lock(Cls *c, LOCKMODE m)
{
	if (m > c->lock)
		c->lock = m;
}

/* The lock mode as PostgreSQL's documentation and LOCK TABLE name it (NULL: none). */
const char *
dbc_lock_name(int m)
{
	switch (m)
	{
		case AccessShareLock:
			return "ACCESS SHARE";
		case RowShareLock:
			return "ROW SHARE";
		case RowExclusiveLock:
			return "ROW EXCLUSIVE";
		case ShareUpdateExclusiveLock:
			return "SHARE UPDATE EXCLUSIVE";
		case ShareLock:
			return "SHARE";
		case ShareRowExclusiveLock:
			return "SHARE ROW EXCLUSIVE";
		case ExclusiveLock:
			return "EXCLUSIVE";
		case AccessExclusiveLock:
			return "ACCESS EXCLUSIVE";
		default:
			return NULL;
	}
}

/* ---------------------------------------------------------------------------
 * jsonb output helpers
 * ---------------------------------------------------------------------------
 */

static void
push_text_elem(JsonbParseState **st, const char *s)
{
	JsonbValue	v;

	if (s == NULL)
		v.type = jbvNull;
	else
	{
		v.type = jbvString;
		v.val.string.val = (char *) s;
		v.val.string.len = strlen(s);
	}
	pushJsonbValue(st, WJB_ELEM, &v);
}

static void
push_int_elem(JsonbParseState **st, int64 n)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(n);
	pushJsonbValue(st, WJB_ELEM, &v);
}

static void
begin_array(JsonbParseState **st, const char *key)
{
	dbc_put_key(st, key);
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
}

static void
end_array(JsonbParseState **st)
{
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

static void
begin_object(JsonbParseState **st, const char *key)
{
	if (key)
		dbc_put_key(st, key);
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
}

static void
end_object(JsonbParseState **st)
{
	dbc_end_object(st);
}

/* A list of String nodes as an array of text. */
static void
put_string_nodes(JsonbParseState **st, const char *key, List *strings)
{
	ListCell   *lc;

	begin_array(st, key);
	foreach(lc, strings)
	{
		Node	   *n = lfirst(lc);

		push_text_elem(st, IsA(n, String) ? strVal(n) : NULL);
	}
	end_array(st);
}

static void
put_int_or_null(JsonbParseState **st, const char *key, double v)
{
	if (v < 0)
		dbc_put_null(st, key);
	else
		dbc_put_int(st, key, (int64) (v + 0.5));
}

/* ---------------------------------------------------------------------------
 * Names, lookups and sizes
 * ---------------------------------------------------------------------------
 */

/* "a.b" (identities are made for every object a statement names: no psprintf) */
static char *
join_dotted(const char *a, const char *b)
{
	size_t		alen = strlen(a);
	size_t		blen = strlen(b);
	char	   *out = palloc(alen + 1 + blen + 1);

	memcpy(out, a, alen);
	out[alen] = '.';
	memcpy(out + alen + 1, b, blen + 1);
	return out;
}

static char *
qualify(const char *schema, const char *name)
{
	if (name == NULL)
		return NULL;
	if (schema == NULL)
		return pstrdup(name);
	return join_dotted(schema, name);
}

/*
 * The creation schema of a search_path that names pg_temp while this
 * session has no temporary schema, found as recomputeNamespacePath() finds
 * it: the first schema of the path that exists and that the user may use,
 * or "pg_temp" when pg_temp comes before any (its schema would be made on
 * first use).
 */
static char *
creation_schema_by_name(void)
{
	char	   *raw = pstrdup(namespace_search_path ? namespace_search_path : "");
	List	   *names;
	ListCell   *lc;

	if (!SplitIdentifierString(raw, ',', &names))
		return NULL;
	foreach(lc, names)
	{
		char	   *name = lfirst(lc);
		Oid			nsp;

		if (strcmp(name, "pg_temp") == 0)
			return "pg_temp";
		if (strcmp(name, "$user") == 0)
		{
			char	   *user = GetUserNameFromId(GetUserId(), true);

			nsp = user ? get_namespace_oid(user, true) : InvalidOid;
		}
		else
			nsp = get_namespace_oid(name, true);
		if (OidIsValid(nsp) && pg_namespace_aclcheck(nsp, GetUserId(), ACL_USAGE) == ACLCHECK_OK)
			return get_namespace_name(nsp);
	}
	return NULL;
}

/*
 * The schema a new object without a schema name would be created in.
 * fetch_search_path() knows, but it creates the temporary schema when the
 * path names pg_temp first and the session has none yet; classifying must
 * change nothing, so such a path is read by name.
 */
static char *
creation_schema(void)
{
	List	   *path;
	char	   *res = NULL;
	Oid			temp_nsp;
	Oid			temp_toast_nsp;

	GetTempNamespaceState(&temp_nsp, &temp_toast_nsp);
	if (!OidIsValid(temp_nsp) && namespace_search_path != NULL &&
		strstr(namespace_search_path, "pg_temp") != NULL)
		return creation_schema_by_name();
	path = fetch_search_path(false);
	if (path != NIL)
		res = get_namespace_name(linitial_oid(path));
	list_free(path);
	return res;
}

/* A role name as written (RoleSpec). */
static char *
rolespec_name(RoleSpec *r)
{
	if (r == NULL)
		return NULL;
	switch (r->roletype)
	{
		case ROLESPEC_CSTRING:
			return pstrdup(r->rolename);
		case ROLESPEC_CURRENT_ROLE:
			return "current_role";
		case ROLESPEC_CURRENT_USER:
			return "current_user";
		case ROLESPEC_SESSION_USER:
			return "session_user";
		case ROLESPEC_PUBLIC:
			return "public";
	}
	return NULL;
}

static void
put_rolespecs(JsonbParseState **st, const char *key, List *roles)
{
	ListCell   *lc;

	begin_array(st, key);
	foreach(lc, roles)
	{
		Node	   *n = lfirst(lc);

		if (IsA(n, RoleSpec))
			push_text_elem(st, rolespec_name((RoleSpec *) n));
		else if (IsA(n, AccessPriv))
			push_text_elem(st, ((AccessPriv *) n)->priv_name);
		else if (IsA(n, String))
			push_text_elem(st, strVal(n));
	}
	end_array(st);
}

/* The pg_class row of relation name in namespace nsp, or NULL. */
static HeapTuple
class_in(const char *name, Oid nsp)
{
	HeapTuple	tp = SearchSysCache2(RELNAMENSP, CStringGetDatum(name), ObjectIdGetDatum(nsp));

	return HeapTupleIsValid(tp) ? tp : NULL;
}

/*
 * A column of relid by name, as the name reads after the column renames an
 * earlier statement of the script being checked makes (scriptnames.c): the
 * catalog's row of the column renamed to colname, none for a name renamed
 * away.
 */
static HeapTuple
att_by_name(Oid relid, const char *colname)
{
	const char *name = dbc_script_column_name(relid, colname);

	return name != NULL ? SearchSysCacheAttName(relid, name) : NULL;
}

static AttrNumber
attnum_by_name(Oid relid, const char *colname)
{
	const char *name = dbc_script_column_name(relid, colname);

	return name != NULL ? get_attnum(relid, name) : InvalidAttrNumber;
}

/*
 * The schema and name of a relation found by OID (an index's table, a
 * relation a view reads), as the script being checked has renamed or moved
 * it so far; NULL name when it is gone.
 */
static void
rel_name_now(Oid relid, char **schema, char **name)
{
	if (dbc_script_relation_renamed(relid, schema, name))
		return;
	*name = get_rel_name(relid);
	*schema = *name ? get_namespace_name(get_rel_namespace(relid)) : NULL;
}

/*
 * The same, as the name reads after the renames an earlier statement of the
 * script being checked makes (scriptnames.c): a relation renamed or moved
 * there is found under its new name (*renamed_away false) and no longer
 * under its old one (*renamed_away true: look further along the path).
 */
static HeapTuple
class_in_script(const char *name, Oid nsp, bool *renamed_away)
{
	Oid			relid;
	HeapTuple	tp;

	*renamed_away = false;
	switch (dbc_script_relation_name(nsp, name, &relid))
	{
		case 1:
			tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
			return HeapTupleIsValid(tp) ? tp : NULL;
		case -1:
			*renamed_away = true;
			return NULL;
		default:
			return class_in(name, nsp);
	}
}

/*
 * The pg_class row of the relation a RangeVar names, or NULL; the caller
 * releases it (ReleaseSysCache).  Found as RangeVarGetRelid finds it (an
 * unqualified name in the schemas of the search path, implicit ones
 * first, as RelnameGetRelid walks them), but never with an error: no
 * privilege check on the schema, no error for another database.
 *
 * The row comes from the by-name catalog cache, which finding the OID
 * fills anyway; asking for it again by OID (get_rel_namespace(), then the
 * sizes) misses the by-OID cache for a relation the previous statement
 * changed, a catalog index scan on most statements of a migration.
 */
static HeapTuple
lookup_class(RangeVar *rv, Oid *found_nsp)
{
	HeapTuple	tp = NULL;
	Oid			path[16];
	int			n;
	int			i;
	Oid			temp_nsp;
	Oid			temp_toast_nsp;
	bool		away;

	*found_nsp = InvalidOid;
	if (rv == NULL || rv->relname == NULL)
		return NULL;
	if (rv->catalogname)
	{
		char	   *db = get_database_name(MyDatabaseId);

		if (db == NULL || strcmp(rv->catalogname, db) != 0)
			return NULL;
	}
	if (rv->schemaname)
	{
		Oid			nsp = get_namespace_oid(rv->schemaname, true);

		*found_nsp = nsp;
		return OidIsValid(nsp) ? class_in_script(rv->relname, nsp, &away) : NULL;
	}

	/*
	 * fetch_search_path_array() leaves out this session's temporary schema,
	 * whose place in the path it does not tell.  fetch_search_path() tells
	 * (first unless the path names pg_temp elsewhere), and creates nothing
	 * once the schema exists -- it creates the schema when the path names it
	 * first and it does not exist yet, and classifying must change nothing,
	 * but then the path holds no temporary relation either.  The script's
	 * renames are followed in every schema of it (none is noted into or out
	 * of a temporary schema), so a temporary table that comes first is found
	 * as PostgreSQL will find it, before a permanent one renamed to its name.
	 */
	GetTempNamespaceState(&temp_nsp, &temp_toast_nsp);
	if (OidIsValid(temp_nsp))
	{
		List	   *full = fetch_search_path(true);
		ListCell   *lc;

		foreach(lc, full)
		{
			tp = class_in_script(rv->relname, lfirst_oid(lc), &away);
			if (tp != NULL)
			{
				*found_nsp = lfirst_oid(lc);
				break;
			}
		}
		list_free(full);
		return tp;
	}
	n = fetch_search_path_array(path, lengthof(path));
	if (n < 0 || n > lengthof(path))
	{
		Oid			relid = RelnameGetRelid(rv->relname);

		if (!OidIsValid(relid))
			return NULL;
		tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
		if (!HeapTupleIsValid(tp))
			return NULL;
		*found_nsp = ((Form_pg_class) GETSTRUCT(tp))->relnamespace;
		return tp;
	}
	for (i = 0; i < n && tp == NULL; i++)
	{
		tp = class_in_script(rv->relname, path[i], &away);
		if (tp != NULL)
			*found_nsp = path[i];
	}
	return tp;
}

/*
 * Bytes of a relation's main fork, from its files, without opening it.
 * *measured: false when the files could not be looked at and the figure is
 * pg_class.relpages' (as of the last VACUUM/ANALYZE, 0 before the first).
 */
static int64
file_bytes(Oid relid, Form_pg_class rc, bool *measured)
{
	RelFileNode rnode;
	BackendId	backend = InvalidBackendId;
	char	   *path;
	int64		total = 0;
	unsigned int segno;

	*measured = false;
	if (!RELKIND_HAS_STORAGE(rc->relkind))
		return 0;
	if (rc->relisshared)
		rnode.spcNode = GLOBALTABLESPACE_OID;
	else
		rnode.spcNode = OidIsValid(rc->reltablespace) ? rc->reltablespace : MyDatabaseTableSpace;
	rnode.dbNode = rc->relisshared ? InvalidOid : MyDatabaseId;
	rnode.relNode = rc->relfilenode;
	if (!OidIsValid(rnode.relNode))
		rnode.relNode = RelationMapOidToFilenode(relid, rc->relisshared);
	if (!OidIsValid(rnode.relNode))
		return (int64) rc->relpages * BLCKSZ;
	if (rc->relpersistence == RELPERSISTENCE_TEMP)
	{
		/* another session's temporary table: its files are not ours to find */
		if (!isTempOrTempToastNamespace(rc->relnamespace))
			return (int64) rc->relpages * BLCKSZ;
		backend = BackendIdForTempRelations();
	}
	*measured = true;
	path = relpathbackend(rnode, backend, MAIN_FORKNUM);
	for (segno = 0;; segno++)
	{
		struct stat fst;
		char	   *seg = segno == 0 ? path : psprintf("%s.%u", path, segno);

		if (stat(seg, &fst) < 0)
			break;
		total += fst.st_size;
		/* only a full segment is followed by another (as md.c's mdnblocks assumes) */
		if (fst.st_size < (off_t) RELSEG_SIZE * BLCKSZ)
			break;
	}
	return total;
}

/*
 * Rows (< 0 unknown) and bytes (main fork + TOAST) of a pg_class row.  The
 * rows are what the planner would count now (dbc_rows_now): reltuples
 * scaled to the data file's present size, or, for a table with no rows
 * when it was last counted or never counted, an estimate from the size
 * alone (*rows_est).  Files not measured keep reltuples as it is.
 */
static bool
own_size_of(Form_pg_class rc, double *rows, int64 *bytes, bool *rows_est)
{
	HeapTuple	tp;
	bool		measured;

	*rows = -1;
	*bytes = -1;
	*rows_est = false;
	if (!RELKIND_HAS_STORAGE(rc->relkind))
		return false;
	*bytes = file_bytes(rc->oid, rc, &measured);
	if (measured)
		*rows = dbc_rows_now(rc, *bytes, rows_est);
	else if (rc->reltuples >= 0)
		*rows = rc->reltuples;
	/*
	 * An empty main fork means no rows, so no live TOAST data either: the
	 * lookup and the stat() of the TOAST table are skipped (a new table, the
	 * common case in a migration, is looked at by nearly every statement).
	 */
	if (OidIsValid(rc->reltoastrelid) && *bytes > 0)
	{
		tp = SearchSysCache1(RELOID, ObjectIdGetDatum(rc->reltoastrelid));
		if (HeapTupleIsValid(tp))
		{
			*bytes += file_bytes(rc->reltoastrelid, (Form_pg_class) GETSTRUCT(tp), &measured);
			ReleaseSysCache(tp);
		}
	}
	return true;
}

/* The same of a relation by OID (false when it is gone). */
static bool
own_size(Oid relid, double *rows, int64 *bytes, bool *rows_est)
{
	HeapTuple	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	bool		sized;

	*rows = -1;
	*bytes = -1;
	*rows_est = false;
	if (!HeapTupleIsValid(tp))
		return false;
	sized = own_size_of((Form_pg_class) GETSTRUCT(tp), rows, bytes, rows_est);
	ReleaseSysCache(tp);
	return sized;
}

/*
 * Rows and bytes of a partitioned table or index: the sum over its
 * partitions (*rows_est: some of the rows are estimated from size).
 */
static bool
partitions_size(Oid relid, double *rows, int64 *bytes, bool *rows_est)
{
	List	   *all = find_all_inheritors(relid, NoLock, NULL);
	ListCell   *lc;
	double		r = 0;
	int64		b = 0;
	bool		known = false;
	bool		est = false;
	int			parts = 0;

	foreach(lc, all)
	{
		Oid			child = lfirst_oid(lc);
		double		cr;
		int64		cb;
		bool		ce;

		if (child == relid || !own_size(child, &cr, &cb, &ce))
			continue;
		parts++;
		if (cr >= 0)
		{
			r += cr;
			known = true;
			est |= ce;
		}
		if (cb > 0)
			b += cb;
	}
	*rows = (known || parts == 0) ? r : -1;
	*bytes = b;
	*rows_est = est;
	return true;
}

/*
 * Rows and bytes of a pg_class row's relation; partitioned tables and
 * indexes have no storage of their own: the sum over their partitions.
 * Returns false when sizes do not apply (views, foreign tables, composite
 * types).
 */
static bool
class_size(Form_pg_class rc, double *rows, int64 *bytes, bool *rows_est)
{
	if (rc->relkind == RELKIND_PARTITIONED_TABLE || rc->relkind == RELKIND_PARTITIONED_INDEX)
		return partitions_size(rc->oid, rows, bytes, rows_est);
	return own_size_of(rc, rows, bytes, rows_est);
}

/* The same by OID (false also when the relation is gone). */
static bool
rel_size(Oid relid, double *rows, int64 *bytes, bool *rows_est)
{
	HeapTuple	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	bool		sized;

	*rows = -1;
	*bytes = -1;
	*rows_est = false;
	if (!HeapTupleIsValid(tp))
		return false;
	sized = class_size((Form_pg_class) GETSTRUCT(tp), rows, bytes, rows_est);
	ReleaseSysCache(tp);
	return sized;
}

static ClsObject *
new_object(const char *object_type, char *schema, char *name)
{
	ClsObject  *o = palloc0(sizeof(ClsObject));

	o->object_type = object_type;
	o->schema = schema;
	o->name = name;
	o->identity = qualify(schema, name);
	o->exists = -1;
	o->rows = -1;
	o->bytes = -1;
	return o;
}

/* A relation named by a RangeVar: schema, existence, sizes. */
static ClsObject *
rel_object(const char *object_type, RangeVar *rv)
{
	Oid			nsp;
	HeapTuple	tp = lookup_class(rv, &nsp);
	Form_pg_class rc = tp ? (Form_pg_class) GETSTRUCT(tp) : NULL;
	char	   *schema;
	ClsObject  *o;

	/* where the name found it: a relation the script moves is in its new schema */
	if (rc != NULL)
		schema = get_namespace_name(nsp);
	else if (rv->schemaname)
		schema = pstrdup(rv->schemaname);
	else if (rv->relpersistence == RELPERSISTENCE_TEMP)
		schema = "pg_temp";
	else
		schema = creation_schema();
	o = new_object(object_type, schema, pstrdup(rv->relname));
	o->exists = rc != NULL ? 1 : 0;
	o->relid = rc != NULL ? rc->oid : InvalidOid;
	if (rc != NULL)
	{
		o->relkind = rc->relkind;
		o->has_children = rc->relhassubclass;
		o->sized = class_size(rc, &o->rows, &o->bytes, &o->rows_estimated);
		ReleaseSysCache(tp);
	}
	return o;
}

/*
 * The relation a CREATE names, looked up where it would be created: an
 * unqualified name goes into the first schema of the search path, and a
 * relation of that name further along (pg_catalog is searched first) is not
 * the one this statement makes.  Looking there only also spares a catalog
 * lookup that finds nothing, for every new name.
 */
static ClsObject *
created_rel_object(const char *object_type, RangeVar *rv)
{
	if (rv != NULL && rv->relname != NULL && rv->schemaname == NULL &&
		rv->catalogname == NULL && rv->relpersistence != RELPERSISTENCE_TEMP)
	{
		char	   *schema = creation_schema();

		if (schema != NULL)
		{
			RangeVar	in_schema = *rv;

			in_schema.schemaname = schema;
			return rel_object(object_type, &in_schema);
		}
	}
	return rel_object(object_type, rv);
}

/* A RangeVar from a qualified name list (1-3 String nodes), or NULL. */
static RangeVar *
names_rangevar(List *names)
{
	switch (list_length(names))
	{
		case 1:
			return makeRangeVar(NULL, strVal(linitial(names)), -1);
		case 2:
			return makeRangeVar(strVal(linitial(names)), strVal(lsecond(names)), -1);
		case 3:
			{
				RangeVar   *rv = makeRangeVar(strVal(lsecond(names)),
											  strVal(lthird(names)), -1);

				rv->catalogname = strVal(linitial(names));
				return rv;
			}
		default:
			return NULL;
	}
}

static bool
all_strings(List *names)
{
	ListCell   *lc;

	if (names == NIL)
		return false;
	foreach(lc, names)
		if (!IsA(lfirst(lc), String))
		return false;
	return true;
}

/* A schema-qualified object (other than relations, types, functions): no lookup. */
static ClsObject *
names_object(const char *object_type, List *names)
{
	int			n = list_length(names);
	char	   *schema;

	if (n == 0 || !all_strings(names))
		return new_object(object_type, NULL, NULL);
	if (n >= 2)
		schema = pstrdup(strVal(list_nth(names, n - 2)));
	else
		schema = creation_schema();
	return new_object(object_type, schema, pstrdup(strVal(llast(names))));
}

static ClsObject *
relnames_object(const char *object_type, List *names)
{
	RangeVar   *rv = all_strings(names) ? names_rangevar(names) : NULL;

	if (rv == NULL)
		return names_object(object_type, names);
	return rel_object(object_type, rv);
}

/* A type or domain named by a list of String. */
static ClsObject *
type_object(const char *object_type, List *names)
{
	int			n = list_length(names);
	char	   *name;
	char	   *schema = NULL;
	Oid			typid = InvalidOid;
	ClsObject  *o;

	if (n == 0 || n > 3 || !all_strings(names))
		return new_object(object_type, NULL, NULL);
	name = pstrdup(strVal(llast(names)));
	if (n >= 2)
	{
		Oid			nsp;

		schema = pstrdup(strVal(list_nth(names, n - 2)));
		nsp = get_namespace_oid(schema, true);
		if (OidIsValid(nsp))
			typid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									CStringGetDatum(name), ObjectIdGetDatum(nsp));
	}
	else
	{
		typid = TypenameGetTypidExtended(name, true);
		if (OidIsValid(typid))
		{
			HeapTuple	tp = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));

			if (HeapTupleIsValid(tp))
			{
				schema = get_namespace_name(((Form_pg_type) GETSTRUCT(tp))->typnamespace);
				ReleaseSysCache(tp);
			}
		}
		if (schema == NULL)
			schema = creation_schema();
	}
	o = new_object(object_type, schema, name);
	o->exists = OidIsValid(typid) ? 1 : 0;
	o->typid = typid;
	return o;
}

/*
 * The functions a name can call, without errors: NULL for none or when the
 * schema is not accessible.  *unknown tells "could not look".
 */
static FuncCandidateList
func_candidates(List *names, bool *unknown)
{
	*unknown = false;
	if (!all_strings(names) || list_length(names) > 3)
	{
		*unknown = true;
		return NULL;
	}
	if (list_length(names) >= 2)
	{
		/* FuncnameGetCandidates checks USAGE on an explicit schema and errors */
		Oid			nsp = get_namespace_oid(strVal(list_nth(names, list_length(names) - 2)), true);

		if (list_length(names) == 3)
		{
			*unknown = true;
			return NULL;
		}
		if (!OidIsValid(nsp))
			return NULL;
		if (pg_namespace_aclcheck(nsp, GetUserId(), ACL_USAGE) != ACLCHECK_OK)
		{
			*unknown = true;
			return NULL;
		}
	}
	return FuncnameGetCandidates(names, -1, NIL, false, false, false, true);
}

/* A function/procedure/aggregate named by a list of String. */
static ClsObject *
func_object(const char *object_type, List *names)
{
	int			n = list_length(names);
	char	   *schema = NULL;
	bool		unknown;
	FuncCandidateList cands;
	ClsObject  *o;

	if (n == 0 || !all_strings(names))
		return new_object(object_type, NULL, NULL);
	cands = func_candidates(names, &unknown);
	if (n >= 2)
		schema = pstrdup(strVal(list_nth(names, n - 2)));
	else if (cands)
	{
		FuncCandidateList best = cands;
		FuncCandidateList f;

		for (f = cands; f; f = f->next)
			if (f->pathpos < best->pathpos)
				best = f;
		schema = get_namespace_name(get_func_namespace(best->oid));
	}
	else
		schema = creation_schema();
	o = new_object(object_type, schema, pstrdup(strVal(llast(names))));
	o->exists = unknown ? -1 : (cands != NULL);
	return o;
}

static Oid	drop_func_oid(Node *obj);

/*
 * The function an ObjectWithArgs names (DROP, ALTER, COMMENT ON, RENAME,
 * OWNER TO ... of a function, procedure or aggregate).  Written with its
 * argument types, an unqualified name is the function of those types first
 * on the search path, as PostgreSQL resolves it -- not the first function of
 * that name: pg_catalog comes first, and "DROP FUNCTION concat(text,
 * anyarray)" drops the user's concat(text, VARIADIC anyarray), not
 * pg_catalog.concat(VARIADIC "any").  Falls back to func_object() when no
 * single function matches.
 */
static ClsObject *
func_args_object(const char *object_type, ObjectWithArgs *owa)
{
	Oid			funcid;
	ClsObject  *o;

	if (list_length(owa->objname) != 1 || !all_strings(owa->objname))
		return func_object(object_type, owa->objname);
	funcid = drop_func_oid((Node *) owa);
	if (!OidIsValid(funcid))
		return func_object(object_type, owa->objname);
	o = new_object(object_type, get_namespace_name(get_func_namespace(funcid)),
				   pstrdup(strVal(linitial(owa->objname))));
	o->exists = 1;
	return o;
}

/*
 * The function (aggregate, procedure) CREATE [OR REPLACE] makes: an
 * unqualified name is created in (or replaces the function of) the
 * creation schema, the first on the search path, whatever schema further
 * down holds the name already (func_object() would name that one's).
 * exists: a function of that name is in the creation schema.
 */
static ClsObject *
func_create_object(const char *object_type, List *names)
{
	FuncCandidateList cands;
	FuncCandidateList f;
	bool		unknown;
	char	   *schema;
	Oid			nsp;
	ClsObject  *o;

	if (list_length(names) != 1 || !all_strings(names))
		return func_object(object_type, names);
	schema = creation_schema();
	o = new_object(object_type, schema, pstrdup(strVal(linitial(names))));
	cands = func_candidates(names, &unknown);
	nsp = schema ? get_namespace_oid(schema, true) : InvalidOid;
	o->exists = unknown ? -1 : 0;
	for (f = cands; f && !unknown; f = f->next)
		if (get_func_namespace(f->oid) == nsp)
			o->exists = 1;
	return o;
}

/* ---------------------------------------------------------------------------
 * Object types
 * ---------------------------------------------------------------------------
 */

static const char *
objtype_name(ObjectType t)
{
	switch (t)
	{
		case OBJECT_ACCESS_METHOD:
			return "access_method";
		case OBJECT_AGGREGATE:
			return "aggregate";
		case OBJECT_AMOP:
			return "amop";
		case OBJECT_AMPROC:
			return "amproc";
		case OBJECT_ATTRIBUTE:
			return "attribute";
		case OBJECT_CAST:
			return "cast";
		case OBJECT_COLUMN:
			return "column";
		case OBJECT_COLLATION:
			return "collation";
		case OBJECT_CONVERSION:
			return "conversion";
		case OBJECT_DATABASE:
			return "database";
		case OBJECT_DEFAULT:
			return "default";
		case OBJECT_DEFACL:
			return "default_privileges";
		case OBJECT_DOMAIN:
			return "domain";
		case OBJECT_DOMCONSTRAINT:
			return "domain_constraint";
		case OBJECT_EVENT_TRIGGER:
			return "event_trigger";
		case OBJECT_EXTENSION:
			return "extension";
		case OBJECT_FDW:
			return "foreign_data_wrapper";
		case OBJECT_FOREIGN_SERVER:
			return "server";
		case OBJECT_FOREIGN_TABLE:
			return "foreign_table";
		case OBJECT_FUNCTION:
			return "function";
		case OBJECT_INDEX:
			return "index";
		case OBJECT_LANGUAGE:
			return "language";
		case OBJECT_LARGEOBJECT:
			return "large_object";
		case OBJECT_MATVIEW:
			return "materialized_view";
		case OBJECT_OPCLASS:
			return "operator_class";
		case OBJECT_OPERATOR:
			return "operator";
		case OBJECT_OPFAMILY:
			return "operator_family";
		case OBJECT_PARAMETER_ACL:
			return "parameter";
		case OBJECT_POLICY:
			return "policy";
		case OBJECT_PROCEDURE:
			return "procedure";
		case OBJECT_PUBLICATION:
			return "publication";
		case OBJECT_PUBLICATION_NAMESPACE:
			return "publication_schema";
		case OBJECT_PUBLICATION_REL:
			return "publication_table";
		case OBJECT_ROLE:
			return "role";
		case OBJECT_ROUTINE:
			return "routine";
		case OBJECT_RULE:
			return "rule";
		case OBJECT_SCHEMA:
			return "schema";
		case OBJECT_SEQUENCE:
			return "sequence";
		case OBJECT_SUBSCRIPTION:
			return "subscription";
		case OBJECT_STATISTIC_EXT:
			return "statistics";
		case OBJECT_TABCONSTRAINT:
			return "constraint";
		case OBJECT_TABLE:
			return "table";
		case OBJECT_TABLESPACE:
			return "tablespace";
		case OBJECT_TRANSFORM:
			return "transform";
		case OBJECT_TRIGGER:
			return "trigger";
		case OBJECT_TSCONFIGURATION:
			return "text_search_configuration";
		case OBJECT_TSDICTIONARY:
			return "text_search_dictionary";
		case OBJECT_TSPARSER:
			return "text_search_parser";
		case OBJECT_TSTEMPLATE:
			return "text_search_template";
		case OBJECT_TYPE:
			return "type";
		case OBJECT_USER_MAPPING:
			return "user_mapping";
		case OBJECT_VIEW:
			return "view";
	}
	return "unknown";
}

static bool
is_relation_type(ObjectType t)
{
	return t == OBJECT_TABLE || t == OBJECT_INDEX || t == OBJECT_VIEW ||
		t == OBJECT_MATVIEW || t == OBJECT_SEQUENCE || t == OBJECT_FOREIGN_TABLE;
}

/* An object outside schemas, named by a plain name; existence where cheap. */
static ClsObject *
global_object(ObjectType t, const char *name)
{
	ClsObject  *o = new_object(objtype_name(t), NULL, name ? pstrdup(name) : NULL);

	if (name == NULL)
		return o;
	switch (t)
	{
		case OBJECT_SCHEMA:
			o->exists = OidIsValid(get_namespace_oid(name, true));
			break;
		case OBJECT_ROLE:
			o->exists = OidIsValid(get_role_oid(name, true));
			break;
		case OBJECT_DATABASE:
			o->exists = OidIsValid(get_database_oid(name, true));
			break;
		case OBJECT_TABLESPACE:
			o->exists = OidIsValid(get_tablespace_oid(name, true));
			break;
		case OBJECT_EXTENSION:
			o->exists = OidIsValid(get_extension_oid(name, true));
			break;
		default:
			break;
	}
	return o;
}

/*
 * The relation a name stands for, as the classifier finds it (the script's
 * earlier renames followed), and the schema it was found in; InvalidOid:
 * none.
 */
Oid
dbc_lookup_relation(RangeVar *rv, Oid *nsp)
{
	HeapTuple	tp = lookup_class(rv, nsp);
	Oid			relid;

	if (tp == NULL)
		return InvalidOid;
	relid = ((Form_pg_class) GETSTRUCT(tp))->oid;
	ReleaseSysCache(tp);
	return relid;
}

/* The identity of a relation name (rls.c: the table of a policy elsewhere in a script). */
char *
dbc_rangevar_identity(RangeVar *rv)
{
	return rel_object("table", rv)->identity;
}

/* "name on schema.table" objects (triggers, policies, rules, constraints) and columns. */
static ClsObject *
on_table_object(ObjectType t, RangeVar *table_rv, const char *name)
{
	ClsObject  *tab = table_rv ? rel_object("table", table_rv) : NULL;
	ClsObject  *o = new_object(objtype_name(t), tab ? tab->schema : NULL,
							   name ? pstrdup(name) : NULL);

	if (tab)
	{
		o->table = tab->identity;
		o->table_relid = tab->relid;
		o->table_obj = tab;
		if (t == OBJECT_COLUMN || t == OBJECT_ATTRIBUTE)
			o->identity = name ? join_dotted(tab->identity, name) : NULL;
		else
			o->identity = name ? psprintf("%s on %s", name, tab->identity) : NULL;
	}
	return o;
}

static char *normalized_type_name(TypeName *tn);
static void put_option_names(JsonbParseState **st, const char *key, List *options);

/*
 * An extended statistics object named by a qualified name, with the table
 * it is on as its table: DROP, ALTER, COMMENT ON, RENAME, SET SCHEMA and
 * OWNER TO of a statistics object name only the object, but they change
 * what the planner knows about that table (a protected table's statistics
 * dropped is a finding about the table, as its index dropped is).  Found
 * as get_statistics_object_oid() finds it, but without its errors
 * (privileges on the schema): one catalog cache probe per schema tried.
 */
static ClsObject *
statistics_object(List *names)
{
	ClsObject  *o = names_object("statistics", names);
	HeapTuple	tp = NULL;
	Oid			path[16];
	int			n;
	int			i;

	if (o->name == NULL)
		return o;
	if (list_length(names) >= 2)
	{
		Oid			nsp = get_namespace_oid(o->schema, true);

		if (OidIsValid(nsp))
			tp = SearchSysCache2(STATEXTNAMENSP, CStringGetDatum(o->name), ObjectIdGetDatum(nsp));
	}
	else
	{
		n = fetch_search_path_array(path, lengthof(path));
		for (i = 0; i < Min(n, lengthof(path)) && !HeapTupleIsValid(tp); i++)
			tp = SearchSysCache2(STATEXTNAMENSP, CStringGetDatum(o->name), ObjectIdGetDatum(path[i]));
		if (HeapTupleIsValid(tp))
			o->schema = get_namespace_name(((Form_pg_statistic_ext) GETSTRUCT(tp))->stxnamespace);
		o->identity = qualify(o->schema, o->name);
	}
	o->exists = HeapTupleIsValid(tp) ? 1 : 0;
	if (HeapTupleIsValid(tp))
	{
		Oid			relid = ((Form_pg_statistic_ext) GETSTRUCT(tp))->stxrelid;
		char	   *nspname;
		char	   *relname;

		ReleaseSysCache(tp);
		rel_name_now(relid, &nspname, &relname);
		if (relname != NULL)
		{
			o->table = qualify(nspname, relname);
			o->table_relid = relid;
		}
	}
	return o;
}

/*
 * The object a DROP/COMMENT/RENAME/... statement names, from the node shapes
 * the grammar produces for each object type.
 */
static ClsObject *
object_from_node(ObjectType t, Node *obj)
{
	if (obj == NULL)
		return new_object(objtype_name(t), NULL, NULL);

	if (is_relation_type(t) && IsA(obj, List))
		return relnames_object(objtype_name(t), (List *) obj);
	if (IsA(obj, RangeVar))
		return rel_object(objtype_name(t), (RangeVar *) obj);

	switch (t)
	{
		case OBJECT_COLUMN:
		case OBJECT_TRIGGER:
		case OBJECT_POLICY:
		case OBJECT_RULE:
		case OBJECT_TABCONSTRAINT:
			if (IsA(obj, List) && all_strings((List *) obj) && list_length((List *) obj) >= 2)
			{
				List	   *names = (List *) obj;
				List	   *tab = list_copy_head(names, list_length(names) - 1);

				return on_table_object(t, names_rangevar(tab), strVal(llast(names)));
			}
			break;
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
			if (IsA(obj, TypeName))
				return type_object(objtype_name(t), ((TypeName *) obj)->names);
			if (IsA(obj, List))
				return type_object(objtype_name(t), (List *) obj);
			break;
		case OBJECT_DOMCONSTRAINT:
			if (IsA(obj, List) && list_length((List *) obj) == 2 &&
				IsA(linitial((List *) obj), TypeName) && IsA(lsecond((List *) obj), String))
			{
				ClsObject  *dom = type_object("domain", ((TypeName *) linitial((List *) obj))->names);
				ClsObject  *o = new_object("domain_constraint", dom->schema,
										   pstrdup(strVal(lsecond((List *) obj))));

				o->identity = psprintf("%s on %s", o->name, dom->identity ? dom->identity : "");
				return o;
			}
			break;
		case OBJECT_FUNCTION:
		case OBJECT_PROCEDURE:
		case OBJECT_ROUTINE:
		case OBJECT_AGGREGATE:
			if (IsA(obj, ObjectWithArgs))
				return func_args_object(objtype_name(t), (ObjectWithArgs *) obj);
			if (IsA(obj, List))
				return func_object(objtype_name(t), (List *) obj);
			break;
		case OBJECT_OPERATOR:
			if (IsA(obj, ObjectWithArgs))
				return names_object("operator", ((ObjectWithArgs *) obj)->objname);
			break;
		case OBJECT_OPCLASS:
		case OBJECT_OPFAMILY:
			/* access method name first, then the qualified name */
			if (IsA(obj, List) && list_length((List *) obj) >= 2)
				return names_object(objtype_name(t), list_delete_first(list_copy((List *) obj)));
			break;
		case OBJECT_CAST:
			if (IsA(obj, List) && list_length((List *) obj) == 2)
			{
				ClsObject  *o = new_object("cast", NULL,
										   psprintf("%s as %s",
													normalized_type_name(linitial((List *) obj)),
													normalized_type_name(lsecond((List *) obj))));

				return o;
			}
			break;
		case OBJECT_TRANSFORM:
			if (IsA(obj, List) && list_length((List *) obj) == 2 &&
				IsA(lsecond((List *) obj), String))
				return new_object("transform", NULL,
								  psprintf("for %s language %s",
										   normalized_type_name(linitial((List *) obj)),
										   strVal(lsecond((List *) obj))));
			break;
		case OBJECT_STATISTIC_EXT:
			if (IsA(obj, List) && all_strings((List *) obj))
				return statistics_object((List *) obj);
			break;
		case OBJECT_LARGEOBJECT:
			if (IsA(obj, Integer))
				return new_object("large_object", NULL, psprintf("%d", intVal(obj)));
			if (IsA(obj, Float))
				return new_object("large_object", NULL, pstrdup(castNode(Float, obj)->fval));
			break;
		default:
			break;
	}

	if (IsA(obj, String))
		return global_object(t, strVal(obj));
	if (IsA(obj, TypeName))
		return names_object(objtype_name(t), ((TypeName *) obj)->names);
	if (IsA(obj, ObjectWithArgs))
		return names_object(objtype_name(t), ((ObjectWithArgs *) obj)->objname);
	if (IsA(obj, List))
		return names_object(objtype_name(t), (List *) obj);
	return new_object(objtype_name(t), NULL, NULL);
}

/* Set the main object and take the statement's table from it. */
static void
set_main(Cls *c, ClsObject *o)
{
	c->main = o;
	if (c->object_type == NULL)
		c->object_type = o->object_type;
	if (c->table == NULL && o->table)
	{
		c->table = o->table;
		c->table_relid = o->table_relid;
		/* its sizes were measured when it was looked up: not again by OID */
		c->table_obj = o->table_obj;
	}
}

/* The statement acts on this table (sizes come from it). */
static void
set_table(Cls *c, ClsObject *tab)
{
	c->table = tab->identity;
	c->table_relid = tab->relid;
	c->table_obj = tab;
}

/* The table an index belongs to. */
static void
set_table_of_index(Cls *c, ClsObject *idx)
{
	Oid			heap;
	ClsObject  *t;
	char	   *schema;
	char	   *name;

	if (!OidIsValid(idx->relid))
		return;
	heap = IndexGetRelation(idx->relid, true);
	if (!OidIsValid(heap))
		return;
	rel_name_now(heap, &schema, &name);
	t = new_object("table", schema, name);
	t->relid = heap;
	set_table(c, t);
}

/*
 * The table of a partitioned index, for reach_below(): drop and reindex of
 * such an index act on the indexes of every partition.  NULL for other
 * indexes (nearly all: the relkind came with the index's own lookup).
 */
static ClsObject *
partitioned_index_table(ClsObject *idx)
{
	Oid			heap;
	HeapTuple	tp;
	Form_pg_class rc;
	ClsObject  *t;

	if (idx == NULL || idx->relkind != RELKIND_PARTITIONED_INDEX)
		return NULL;
	heap = IndexGetRelation(idx->relid, true);
	if (!OidIsValid(heap))
		return NULL;
	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(heap));
	if (!HeapTupleIsValid(tp))
		return NULL;
	rc = (Form_pg_class) GETSTRUCT(tp);
	t = new_object("table", get_namespace_name(rc->relnamespace), pstrdup(NameStr(rc->relname)));
	t->exists = 1;
	t->relid = heap;
	t->relkind = rc->relkind;
	t->has_children = rc->relhassubclass;
	ReleaseSysCache(tp);
	return t;
}

/*
 * The statement acts on table o's descendants too, as far as how says
 * (put_reach() lists them).  A table without children -- nearly every table
 * -- costs this function its first test: relhassubclass came with the
 * pg_class row the lookup read anyway.
 */
static void
reach_below(Cls *c, ClsObject *o, ClsRecurse how)
{
	ClsReach   *r;

	if (how == RECURSE_NONE || o == NULL || !o->has_children)
		return;
	/* only partitioned tables have partitions */
	if (how == RECURSE_PARTITIONS && o->relkind != RELKIND_PARTITIONED_TABLE)
		return;
	r = palloc(sizeof(ClsReach));
	r->table = o;
	r->how = how;
	c->reach = lappend(c->reach, r);
}

/* ---------------------------------------------------------------------------
 * Types and expressions
 * ---------------------------------------------------------------------------
 */

/*
 * A type's name as policies match it: pg_type.typname (the grammar already
 * maps int/integer to int4, timestamp with time zone to timestamptz, char(n)
 * to bpchar, ...), without pg_catalog, other schemas kept, serial aliases
 * folded (serial4 -> serial).  See docs/facts.md, "Type names".
 */
static char *
normalized_type_name(TypeName *tn)
{
	List	   *names;
	int			n;
	const char *name;
	const char *schema = NULL;

	if (tn == NULL || !IsA(tn, TypeName))
		return NULL;
	names = tn->names;
	n = list_length(names);
	if (n == 0 || !all_strings(names))
		return OidIsValid(tn->typeOid) ? format_type_be(tn->typeOid) : NULL;
	name = strVal(llast(names));
	if (n >= 2)
		schema = strVal(list_nth(names, n - 2));
	if (schema && strcmp(schema, "pg_catalog") == 0)
		schema = NULL;
	if (schema == NULL)
	{
		if (strcmp(name, "serial4") == 0)
			name = "serial";
		else if (strcmp(name, "serial8") == 0)
			name = "bigserial";
		else if (strcmp(name, "serial2") == 0)
			name = "smallserial";
	}
	return qualify(schema, name);
}

static bool
is_serial_type(TypeName *tn)
{
	char	   *n = normalized_type_name(tn);

	return n && tn->arrayBounds == NIL &&
		(strcmp(n, "serial") == 0 || strcmp(n, "bigserial") == 0 ||
		 strcmp(n, "smallserial") == 0);
}

/* Integer type modifiers as written ([255] for varchar(255)). */
static List *
typmod_ints(TypeName *tn)
{
	List	   *res = NIL;
	ListCell   *lc;

	if (tn == NULL)
		return NIL;
	foreach(lc, tn->typmods)
	{
		Node	   *n = lfirst(lc);

		if (IsA(n, A_Const) && !((A_Const *) n)->isnull &&
			IsA(&((A_Const *) n)->val, Integer))
			res = lappend_int(res, intVal(&((A_Const *) n)->val));
	}
	return res;
}

static void
put_type_facts(JsonbParseState **st, const char *type_key, TypeName *tn)
{
	ListCell   *lc;

	dbc_put_text(st, type_key, normalized_type_name(tn));
	begin_array(st, "typmods");
	foreach(lc, typmod_ints(tn))
		push_int_elem(st, lfirst_int(lc));
	end_array(st);
	dbc_put_bool(st, "is_array", tn != NULL && tn->arrayBounds != NIL);
}

/* A type's OID from a TypeName, without errors (InvalidOid when unknown). */
static Oid
type_oid(TypeName *tn)
{
	List	   *names;
	int			n;
	Oid			typid = InvalidOid;
	char	   *name;

	if (tn == NULL)
		return InvalidOid;
	if (OidIsValid(tn->typeOid))
		typid = tn->typeOid;
	else
	{
		names = tn->names;
		n = list_length(names);
		if (n == 0 || n > 2 || !all_strings(names) || tn->pct_type)
			return InvalidOid;
		name = strVal(llast(names));
		if (n == 2)
		{
			Oid			nsp = get_namespace_oid(strVal(linitial(names)), true);

			if (OidIsValid(nsp))
				typid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
										CStringGetDatum(name), ObjectIdGetDatum(nsp));
		}
		else
			typid = TypenameGetTypidExtended(name, true);
	}
	if (OidIsValid(typid) && tn->arrayBounds != NIL)
		typid = get_array_type(typid);
	return typid;
}

/*
 * The typmod the written modifiers give for the common length/precision
 * types; -1 for none, -2 when this code cannot tell.
 */
static int32
typmod_estimate(TypeName *tn, Oid typid)
{
	List	   *mods = typmod_ints(tn);
	Oid			elem = get_element_type(typid);

	if (tn->typmods == NIL)
		return -1;
	/* an array's typmod is its elements' */
	if (OidIsValid(elem))
		typid = elem;
	if (list_length(mods) != list_length(tn->typmods))
		return -2;
	switch (typid)
	{
		case VARCHAROID:
		case BPCHAROID:
			return list_length(mods) == 1 ? linitial_int(mods) + VARHDRSZ : -2;
		case BITOID:
		case VARBITOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
		case TIMEOID:
		case TIMETZOID:
			return list_length(mods) == 1 ? linitial_int(mods) : -2;
		case NUMERICOID:
			if (list_length(mods) == 1)
				return (linitial_int(mods) << 16) + VARHDRSZ;
			if (list_length(mods) == 2)
				return ((linitial_int(mods) << 16) | (lsecond_int(mods) & 0x7ff)) + VARHDRSZ;
			return -2;
		default:
			return -2;
	}
}

static bool
session_tz_is_utc(void)
{
	long		off;

	return session_timezone && pg_get_timezone_offset(session_timezone, &off) && off == 0;
}

/*
 * Does statement stmt run with a TimeZone of offset 0?  1 yes, 0 no, -1
 * unknown.  PostgreSQL converts timestamp to timestamptz (and back) without
 * a rewrite only then, and migrations say SET timezone = 'UTC' before such
 * changes for that reason.  At the gate the session's setting is the one the
 * statement runs with.  In a script judged whole it is the session's unless
 * an earlier statement of the script sets it: the last SET timezone / SET
 * TIME ZONE to a zone name counts (pg_tzset: 'UTC', 'Etc/UTC', a zone with
 * daylight saving time is not of offset 0); DEFAULT, RESET, RESET ALL,
 * DISCARD ALL, a numeric offset or an interval make it unknown, as do code
 * run afterwards (DO, a query, DML, a TRUNCATE trigger, a column default,
 * ALTER DOMAIN's check: set_config()) and a COMMIT or ROLLBACK afterwards
 * (SET LOCAL ends with the transaction, a rollback undoes a SET), and a SET
 * LOCAL outside BEGIN in a script run statement by statement.  What this
 * cannot see (another session's TimeZone when the change is applied, an
 * event trigger) is caught when the statement runs: facts.c,
 * require_no_new_rewrite.
 */
static bool alter_keeps_column_type(AlterTableStmt *at, const char *relname, const char *colname, List **retyped);
static bool index_runs_no_code(IndexStmt *is);

/*
 * Statements that run someone's code though dbc_stmt_runs_code() does not
 * list them: TRUNCATE fires the tables' TRUNCATE triggers, ALTER DOMAIN ...
 * ADD / VALIDATE CONSTRAINT checks every value of the domain against it,
 * ANALYZE, VACUUM, CLUSTER and REINDEX evaluate index expressions (settings
 * made there are undone, but ALTER TABLE is not refused), LOAD runs a
 * library's initialisation.  A function there may call set_config() or
 * alter any table (both seen on PostgreSQL 15).
 */
static bool
stmt_runs_more_code(Node *n)
{
	switch (nodeTag(n))
	{
		case T_TruncateStmt:
		case T_AlterDomainStmt:
		case T_VacuumStmt:
		case T_ClusterStmt:
		case T_ReindexStmt:
		case T_LoadStmt:
			return true;
		default:
			return false;
	}
}

static int
stmt_tz_is_utc(Node *stmt)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	int			utc = session_tz_is_utc() ? 1 : 0;
	bool		set = false;
	bool		in_block = false;
	List	   *retyped = NIL;
	ListCell   *lc;

	if (sc == NULL || stmt == NULL)
		return utc;
	foreach(lc, sc->parsed)
	{
		Node	   *n = ((DbcParsedStmt *) lfirst(lc))->stmt;

		if (n == stmt)
			return utc;
		if (dbc_stmt_runs_code(n) || stmt_runs_more_code(n))
			utc = -1;
		/* a default, CHECK, USING, index expression or partition bound calls functions */
		else if (IsA(n, AlterTableStmt) && !alter_keeps_column_type((AlterTableStmt *) n, NULL, NULL, &retyped))
			utc = -1;
		else if (IsA(n, IndexStmt) && !index_runs_no_code((IndexStmt *) n))
			utc = -1;
		else if (IsA(n, CreateStmt) && ((CreateStmt *) n)->partbound != NULL)
			utc = -1;
		else if (IsA(n, DiscardStmt) && ((DiscardStmt *) n)->target == DISCARD_ALL)
			utc = -1;
		else if (IsA(n, TransactionStmt))
		{
			TransactionStmtKind k = ((TransactionStmt *) n)->kind;

			if (k == TRANS_STMT_BEGIN || k == TRANS_STMT_START)
				in_block = true;
			else if (k == TRANS_STMT_COMMIT || k == TRANS_STMT_ROLLBACK || k == TRANS_STMT_PREPARE)
				in_block = false;
			if (set && k != TRANS_STMT_BEGIN && k != TRANS_STMT_START)
				utc = -1;
		}
		else if (IsA(n, VariableSetStmt))
		{
			VariableSetStmt *v = (VariableSetStmt *) n;

			if (v->kind == VAR_RESET_ALL)
				utc = -1;
			else if (v->name == NULL || pg_strcasecmp(v->name, "timezone") != 0 ||
					 v->kind == VAR_SET_CURRENT)
				continue;
			else
			{
				char	   *value = v->kind == VAR_SET_VALUE && list_length(v->args) == 1 &&
					IsA(linitial(v->args), A_Const) &&
					IsA(&((A_Const *) linitial(v->args))->val, String) ?
					strVal(&((A_Const *) linitial(v->args))->val) : NULL;
				pg_tz	   *tz = value ? pg_tzset(value) : NULL;
				long		off;

				set = true;
				utc = tz == NULL ? -1 : (pg_get_timezone_offset(tz, &off) && off == 0) ? 1 : 0;

				/*
				 * SET LOCAL outside a transaction block lasts for its own
				 * statement only when the statements run one by one at top
				 * level, as a script with CREATE INDEX CONCURRENTLY runs
				 */
				if (v->is_local && !in_block && sc->off)
					utc = -1;
			}
		}
	}
	return -1;
}

/* The old and new types of an ALTER COLUMN TYPE (new_mod -2: unknown). */
typedef struct TypeChange
{
	bool		known;			/* both types found */
	Oid			old_type;
	int32		old_mod;
	Oid			new_type;
	int32		new_mod;
} TypeChange;

static void
type_change_of(Oid relid, const char *colname, TypeName *tn, TypeChange *tc)
{
	HeapTuple	at;

	memset(tc, 0, sizeof(*tc));
	if (!OidIsValid(relid) || colname == NULL)
		return;
	at = att_by_name(relid, colname);
	if (!HeapTupleIsValid(at))
		return;
	tc->old_type = ((Form_pg_attribute) GETSTRUCT(at))->atttypid;
	tc->old_mod = ((Form_pg_attribute) GETSTRUCT(at))->atttypmod;
	ReleaseSysCache(at);
	tc->new_type = type_oid(tn);
	if (!OidIsValid(tc->new_type))
		return;
	tc->new_mod = typmod_estimate(tn, tc->new_type);
	tc->known = tc->new_mod != -2;
}

/*
 * Best estimate: does ALTER COLUMN TYPE rewrite the table?  Mirrors the
 * cases PostgreSQL handles without a rewrite (binary-coercible casts whose
 * length/precision checks the support functions drop); anything unknown
 * counts as a rewrite.
 */
static bool
type_change_rewrites(const TypeChange *tc, bool has_using, Node *stmt)
{
	Oid			old_type = tc->old_type;
	int32		old_mod = tc->old_mod;
	Oid			new_type = tc->new_type;
	int32		new_mod = tc->new_mod;

	if (has_using || !tc->known)
		return true;
	if (old_type == new_type)
	{
		if (new_mod == old_mod)
			return false;
		switch (new_type)
		{
			case VARCHAROID:
			case VARBITOID:
			case TIMESTAMPOID:
			case TIMESTAMPTZOID:
			case TIMEOID:
			case TIMETZOID:
				/* widening or dropping the limit keeps the data as is */
				return !(new_mod == -1 || (old_mod != -1 && new_mod >= old_mod));
			case NUMERICOID:
				if (new_mod == -1)
					return false;
				if (old_mod == -1)
					return true;
				/* same scale, no smaller precision */
				return !((((new_mod - VARHDRSZ) & 0x7ff) == ((old_mod - VARHDRSZ) & 0x7ff)) &&
						 (((new_mod - VARHDRSZ) >> 16) >= ((old_mod - VARHDRSZ) >> 16)));
			default:
				return true;
		}
	}
	if ((old_type == TIMESTAMPOID && new_type == TIMESTAMPTZOID) ||
		(old_type == TIMESTAMPTZOID && new_type == TIMESTAMPOID))
		return stmt_tz_is_utc(stmt) != 1;
	if (IsBinaryCoercible(old_type, new_type))
		return new_mod >= 0;	/* a length check is a rewrite */
	return true;
}

/*
 * Is a USING expression the column itself, as it is or cast to the new type
 * (USING c, USING c::varchar for TYPE varchar, as frain-dev/convoy writes
 * it)?  PostgreSQL then converts as it does without USING -- the same cast,
 * the same check of whether it rewrites (seen on PostgreSQL 15: USING
 * c::varchar of a varchar(26) keeps the relfilenode) -- so the rewrite is
 * judged as without USING.  Not for a cast to another type or typmod (two
 * conversions), a COLLATE, or anything else.
 */
static bool
using_is_column(Node *expr, const char *colname, TypeName *target)
{
	ColumnRef  *cr;

	if (expr != NULL && IsA(expr, TypeCast))
	{
		TypeName   *tn = ((TypeCast *) expr)->typeName;
		Oid			t = type_oid(tn);
		Oid			want = type_oid(target);

		if (!OidIsValid(t) || t != want ||
			typmod_estimate(tn, t) != typmod_estimate(target, want) ||
			typmod_estimate(tn, t) == -2)
			return false;
		expr = ((TypeCast *) expr)->arg;
	}
	if (expr == NULL || !IsA(expr, ColumnRef) || colname == NULL)
		return false;
	cr = (ColumnRef *) expr;
	return list_length(cr->fields) == 1 && IsA(linitial(cr->fields), String) &&
		strcmp(strVal(linitial(cr->fields)), colname) == 0;
}

/* A constrained numeric typmod's scale (11 bits, signed since PostgreSQL 15). */
static int
typmod_scale(int32 mod)
{
	return (int) (int16) (((mod - VARHDRSZ) & 0x7ff) << 5) >> 5;
}

/*
 * Does ALTER COLUMN ... TYPE only raise or remove a limit of the column's
 * type?  1 when every value is kept as it is and reads back the same:
 * varchar, varbit, time, timetz, timestamp, timestamptz with a longer or no
 * length / precision, numeric with the same scale and a greater or no
 * precision (or none at all), varchar to text; arrays of those alike.  0 for
 * any other change (the same type and typmod too: see type_unchanged), and
 * with USING; -1 when a type is unknown.  Whether PostgreSQL rewrites the
 * table for it is type_change_rewrites' answer, not this one's.
 */
static int
type_widened(const TypeChange *tc, bool has_using)
{
	Oid			o = tc->old_type;
	Oid			n = tc->new_type;
	int32		om = tc->old_mod;
	int32		nm = tc->new_mod;
	Oid			oe;
	Oid			ne;

	if (!OidIsValid(o))
		return -1;
	if (has_using)
		return 0;
	if (!tc->known)
		return -1;
	oe = get_element_type(o);
	ne = get_element_type(n);
	if (OidIsValid(oe) != OidIsValid(ne))
		return 0;
	if (OidIsValid(oe))
	{
		o = oe;
		n = ne;
	}
	if (o == n)
	{
		if (nm == om)
			return 0;
		switch (n)
		{
			case VARCHAROID:
			case VARBITOID:
			case TIMESTAMPOID:
			case TIMESTAMPTZOID:
			case TIMEOID:
			case TIMETZOID:
				return nm == -1 || (om != -1 && nm >= om) ? 1 : 0;
			case NUMERICOID:
				if (nm == -1)
					return 1;
				if (om == -1)
					return 0;
				return typmod_scale(nm) == typmod_scale(om) &&
					((nm - VARHDRSZ) >> 16) >= ((om - VARHDRSZ) >> 16) ? 1 : 0;
			default:
				return 0;
		}
	}
	return o == VARCHAROID && n == TEXTOID ? 1 : 0;
}

/*
 * old_type, old_typmods, old_is_array of ALTER COLUMN ... TYPE: the column's
 * type now, named as `type` names the new one.  The typmod is decoded for
 * the types whose modifiers are lengths or precisions (numeric always as
 * [precision, scale]); old_typmods is null for other typmods (interval
 * fields, extension types).
 */
static void
put_old_type(JsonbParseState **st, const TypeChange *tc, bool known)
{
	Oid			t = known ? tc->old_type : InvalidOid;
	Oid			elem = OidIsValid(t) ? get_element_type(t) : InvalidOid;
	int32		mod = tc->old_mod;
	HeapTuple	tp;

	if (OidIsValid(elem))
		t = elem;
	tp = OidIsValid(t) ? SearchSysCache1(TYPEOID, ObjectIdGetDatum(t)) : NULL;
	if (!HeapTupleIsValid(tp))
	{
		dbc_put_null(st, "old_type");
		dbc_put_null(st, "old_typmods");
		dbc_put_null(st, "old_is_array");
		return;
	}
	{
		Form_pg_type typ = (Form_pg_type) GETSTRUCT(tp);
		char	   *schema = typ->typnamespace == PG_CATALOG_NAMESPACE ? NULL :
			get_namespace_name(typ->typnamespace);

		dbc_put_text(st, "old_type", qualify(schema, NameStr(typ->typname)));
	}
	ReleaseSysCache(tp);
	if (mod < 0)
	{
		begin_array(st, "old_typmods");
		end_array(st);
	}
	else
		switch (t)
		{
			case VARCHAROID:
			case BPCHAROID:
				begin_array(st, "old_typmods");
				push_int_elem(st, mod - VARHDRSZ);
				end_array(st);
				break;
			case BITOID:
			case VARBITOID:
			case TIMESTAMPOID:
			case TIMESTAMPTZOID:
			case TIMEOID:
			case TIMETZOID:
				begin_array(st, "old_typmods");
				push_int_elem(st, mod);
				end_array(st);
				break;
			case NUMERICOID:
				begin_array(st, "old_typmods");
				push_int_elem(st, (mod - VARHDRSZ) >> 16);
				push_int_elem(st, typmod_scale(mod));
				end_array(st);
				break;
			default:
				dbc_put_null(st, "old_typmods");
				break;
		}
	dbc_put_bool(st, "old_is_array", OidIsValid(elem));
}

static bool
is_int_type(Oid t)
{
	return t == INT2OID || t == INT4OID || t == INT8OID;
}

static bool
is_float_type(Oid t)
{
	return t == FLOAT4OID || t == FLOAT8OID;
}

/* A domain's base type (and the domain's typmod, if it has one). */
static Oid
base_type(Oid t, int32 *mod)
{
	if (get_typtype(t) == TYPTYPE_DOMAIN)
	{
		int32		dmod = -1;

		t = getBaseTypeAndTypmod(t, &dmod);
		if (dmod >= 0)
			*mod = dmod;
	}
	return t;
}

/*
 * Can converting a column's values to the new type change some of them
 * without an error?  1 yes, 0 no, -1 unknown.  The cases are the assignment
 * casts ALTER COLUMN TYPE applies that round or drop part of a value:
 * fewer decimals (numeric scale, fractional-second digits), fractions
 * dropped (numeric or float to an integer type), float precision (to
 * real, or to double precision from numeric and bigint), the time of day
 * (a timestamp to a date) and the date (a timestamp to a time).  Casts that
 * fail on a value they cannot hold (a shorter varchar, a smaller numeric
 * precision) are not lossy: the statement errors instead.
 */
static int
type_change_lossy(const TypeChange *in)
{
	TypeChange	tcd = *in;
	const TypeChange *tc = &tcd;
	Oid			o;
	Oid			n;
	Oid			oe;
	Oid			ne;

	if (!in->known)
		return -1;
	/* domains convert as their base types; arrays element by element (the typmod is the elements') */
	tcd.old_type = base_type(tcd.old_type, &tcd.old_mod);
	tcd.new_type = base_type(tcd.new_type, &tcd.new_mod);
	oe = get_element_type(tcd.old_type);
	ne = get_element_type(tcd.new_type);
	if (OidIsValid(oe) && OidIsValid(ne))
	{
		tcd.old_type = base_type(oe, &tcd.old_mod);
		tcd.new_type = base_type(ne, &tcd.new_mod);
	}
	o = tc->old_type;
	n = tc->new_type;
	/*
	 * A smaller fractional-second precision rounds, whatever the other
	 * date/time type; no precision given means microseconds (6).
	 */
	if ((n == TIMESTAMPOID || n == TIMESTAMPTZOID || n == TIMEOID || n == TIMETZOID) &&
		(o == TIMESTAMPOID || o == TIMESTAMPTZOID || o == TIMEOID || o == TIMETZOID) &&
		tc->new_mod >= 0 && tc->new_mod < (tc->old_mod < 0 ? MAX_TIMESTAMP_PRECISION : tc->old_mod))
		return 1;
	/* money keeps two decimals (lc_monetary's) */
	if (n == CASHOID && o != CASHOID)
		return is_float_type(o) ||
			(o == NUMERICOID && (tc->old_mod < (int32) VARHDRSZ || typmod_scale(tc->old_mod) > 2)) ? 1 : 0;
	if (o == n)
	{
		switch (n)
		{
			case NUMERICOID:
				{
					/* unconstrained numeric keeps every decimal; a scale may be negative */
					if (tc->new_mod < (int32) VARHDRSZ)
						return 0;
					if (tc->old_mod < (int32) VARHDRSZ)
						return 1;
					return typmod_scale(tc->new_mod) < typmod_scale(tc->old_mod) ? 1 : 0;
				}
			case TIMESTAMPOID:
			case TIMESTAMPTZOID:
			case TIMEOID:
			case TIMETZOID:
			case INTERVALOID:
				/* the typmod is the fractional-second digits (interval: with its fields) */
				if (n == INTERVALOID)
					return tc->new_mod != tc->old_mod && tc->new_mod >= 0 ? 1 : 0;
				return tc->new_mod >= 0 &&
					tc->new_mod < (tc->old_mod < 0 ? MAX_TIMESTAMP_PRECISION : tc->old_mod) ? 1 : 0;
			default:
				return 0;
		}
	}
	if (is_int_type(n))
		return o == NUMERICOID || is_float_type(o) ? 1 : 0;
	if (n == NUMERICOID)
		/* integers fit or fail, unless the scale is negative (rounds to tens, ...) */
		return is_float_type(o) ||
			(is_int_type(o) && tc->new_mod >= (int32) VARHDRSZ && typmod_scale(tc->new_mod) < 0) ? 1 : 0;
	if (n == FLOAT4OID)
		return o == FLOAT8OID || o == NUMERICOID || o == INT4OID || o == INT8OID ? 1 : 0;
	if (n == FLOAT8OID)
		return o == NUMERICOID || o == INT8OID ? 1 : 0;
	if (n == DATEOID)
		return o == TIMESTAMPOID || o == TIMESTAMPTZOID ? 1 : 0;
	if (n == TIMEOID || n == TIMETZOID)
		return o == TIMESTAMPOID || o == TIMESTAMPTZOID || o == INTERVALOID ? 1 : 0;
	return 0;
}

/* Is the raw expression the column itself (col or tab.col)? */
static bool
is_column_itself(Node *expr, const char *colname)
{
	Node	   *last;

	if (expr == NULL || !IsA(expr, ColumnRef))
		return false;
	last = llast(((ColumnRef *) expr)->fields);
	return IsA(last, String) && strcmp(strVal(last), colname) == 0;
}

/*
 * The lossy_conversion fact of an ALTER COLUMN TYPE ... USING.  The shapes
 * migrations write most, USING col and USING col::T (or CAST(col AS T)),
 * convert the values with PostgreSQL's own casts, so they are judged as one
 * or two plain conversions: USING price::integer rounds a numeric's
 * decimals exactly as the conversion without USING does.  Any other
 * expression decides the values itself: unknown (-1).
 */
static int
using_lossy(Node *expr, const char *colname, const TypeChange *tc)
{
	TypeChange	to_cast = *tc;
	TypeChange	from_cast = *tc;
	TypeName   *tn;
	int			a;
	int			b;

	if (!tc->known || colname == NULL)
		return -1;
	if (is_column_itself(expr, colname))
		return type_change_lossy(tc);
	if (!IsA(expr, TypeCast) || !is_column_itself(((TypeCast *) expr)->arg, colname))
		return -1;
	tn = ((TypeCast *) expr)->typeName;
	to_cast.new_type = from_cast.old_type = type_oid(tn);
	if (!OidIsValid(to_cast.new_type))
		return -1;
	to_cast.new_mod = from_cast.old_mod = typmod_estimate(tn, to_cast.new_type);
	if (to_cast.new_mod == -2)
		return -1;
	a = type_change_lossy(&to_cast);
	b = type_change_lossy(&from_cast);
	if (a == 1 || b == 1)
		return 1;
	return a < 0 || b < 0 ? -1 : 0;
}

/*
 * Could a raw expression be volatile?  A function call is volatile when any
 * function of that name is (or none is known: the statement may run where it
 * exists).  Operators and casts of constants are taken as non-volatile.
 */
static bool
volatile_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncCall))
	{
		FuncCall   *fc = (FuncCall *) node;
		bool		unknown;
		FuncCandidateList f = func_candidates(fc->funcname, &unknown);

		if (unknown || f == NULL)
			return true;
		for (; f; f = f->next)
			if (func_volatile(f->oid) == PROVOLATILE_VOLATILE)
				return true;
	}
	return raw_expression_tree_walker(node, volatile_walker, context);
}

static bool
expr_volatile(Node *expr)
{
	return volatile_walker(expr, NULL);
}

/*
 * Is the type a domain with constraints?  ADD COLUMN of one rewrites the
 * table (PostgreSQL checks the constraints against every row's new value,
 * ATExecAddColumn), even without a default.
 */
static bool
is_constrained_domain(TypeName *tn)
{
	Oid			typid = type_oid(tn);

	return OidIsValid(typid) && get_typtype(typid) == TYPTYPE_DOMAIN && DomainHasConstraints(typid);
}

/* Does a raw expression name the column (its last name part, or a *)? */
static bool
column_ref_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, ColumnRef))
	{
		Node	   *last = llast(((ColumnRef *) node)->fields);

		if (IsA(last, A_Star) || (IsA(last, String) && strcmp(strVal(last), (const char *) context) == 0))
			return true;
	}
	return raw_expression_tree_walker(node, column_ref_walker, context);
}

/* ---------------------------------------------------------------------------
 * Columns and constraints
 * ---------------------------------------------------------------------------
 */

typedef struct ColInfo
{
	ColumnDef  *cd;
	bool		not_null;
	bool		has_default;
	bool		default_volatile;
	bool		serial;
	bool		primary_key;
	bool		unique;
	bool		has_checks;		/* column-level constraints that check rows */
	char		identity;		/* ATTRIBUTE_IDENTITY_* or 0 */
	char		generated;		/* ATTRIBUTE_GENERATED_STORED or 0 */
	char	   *references;
	int			adds_nothing;	/* ADD COLUMN: 1 / 0 / -1 null; -2 absent */
} ColInfo;

/* A constraint and, for a column-level one, its column. */
typedef struct ConRef
{
	Constraint *con;
	const char *column;
	int			adds_nothing;	/* of its ADD COLUMN: 1 / 0 / -1 null; -2 absent */
} ConRef;

static bool
name_in_list(const char *name, List *strings)
{
	ListCell   *lc;

	foreach(lc, strings)
		if (IsA(lfirst(lc), String) && strcmp(strVal(lfirst(lc)), name) == 0)
		return true;
	return false;
}

static void
col_info(ColumnDef *cd, List *pk_cols, ColInfo *ci)
{
	ListCell   *lc;

	memset(ci, 0, sizeof(ColInfo));
	ci->cd = cd;
	ci->adds_nothing = -2;
	ci->serial = cd->typeName != NULL && is_serial_type(cd->typeName);
	ci->not_null = cd->is_not_null;
	ci->identity = cd->identity;
	ci->generated = cd->generated;
	if (cd->raw_default)
	{
		ci->has_default = true;
		ci->default_volatile = expr_volatile(cd->raw_default);
	}
	foreach(lc, cd->constraints)
	{
		Constraint *con = lfirst(lc);

		if (!IsA(con, Constraint))
			continue;
		switch (con->contype)
		{
			case CONSTR_NOTNULL:
				ci->not_null = true;
				break;
			case CONSTR_DEFAULT:
				ci->has_default = true;
				if (expr_volatile(con->raw_expr))
					ci->default_volatile = true;
				break;
			case CONSTR_IDENTITY:
				ci->identity = con->generated_when;
				break;
			case CONSTR_GENERATED:
				ci->generated = ATTRIBUTE_GENERATED_STORED;
				break;
			case CONSTR_PRIMARY:
				ci->primary_key = true;
				ci->has_checks = true;
				break;
			case CONSTR_UNIQUE:
				ci->unique = true;
				ci->has_checks = true;
				break;
			case CONSTR_FOREIGN:
				if (con->pktable)
					ci->references = rel_object("table", con->pktable)->identity;
				ci->has_checks = true;
				break;
			case CONSTR_CHECK:
			case CONSTR_EXCLUSION:
				ci->has_checks = true;
				break;
			default:
				break;
		}
	}
	if (cd->colname && name_in_list(cd->colname, pk_cols))
		ci->primary_key = true;
	if (ci->primary_key)
		ci->not_null = true;
	if (ci->serial || ci->identity)
	{
		/* both draw from a sequence: nextval() is volatile */
		ci->not_null = true;
		ci->has_default = true;
		ci->default_volatile = true;
	}
	if (ci->generated)
		ci->has_default = true;
}

static void
put_column(JsonbParseState **st, const char *key, ColInfo *ci)
{
	ColumnDef  *cd = ci->cd;

	begin_object(st, key);
	dbc_put_text(st, "name", cd->colname);
	put_type_facts(st, "type", cd->typeName);
	dbc_put_bool(st, "not_null", ci->not_null);
	dbc_put_bool(st, "has_default", ci->has_default);
	dbc_put_bool(st, "default_volatile", ci->default_volatile);
	dbc_put_text(st, "identity",
				 ci->identity == ATTRIBUTE_IDENTITY_ALWAYS ? "always" :
				 ci->identity == ATTRIBUTE_IDENTITY_BY_DEFAULT ? "by_default" : NULL);
	dbc_put_text(st, "generated", ci->generated ? "stored" : NULL);
	dbc_put_bool(st, "serial", ci->serial);
	dbc_put_bool(st, "primary_key", ci->primary_key);
	dbc_put_bool(st, "unique", ci->unique);
	dbc_put_text(st, "references", ci->references);
	dbc_put_text(st, "collation",
				 cd->collClause ? NameListToString(cd->collClause->collname) : NULL);
	if (ci->adds_nothing == -1)
		dbc_put_null(st, "adds_nothing");
	else if (ci->adds_nothing >= 0)
		dbc_put_bool(st, "adds_nothing", ci->adds_nothing == 1);
	end_object(st);
}

static const char *
contype_name(ConstrType t)
{
	switch (t)
	{
		case CONSTR_PRIMARY:
			return "primary_key";
		case CONSTR_UNIQUE:
			return "unique";
		case CONSTR_CHECK:
			return "check";
		case CONSTR_FOREIGN:
			return "foreign_key";
		case CONSTR_EXCLUSION:
			return "exclusion";
		case CONSTR_NOTNULL:
			return "not_null";
		default:
			return NULL;
	}
}

/* Constraint kinds listed in "constraints" (defaults, NULL, identity are column facts). */
static bool
is_listed_constraint(Constraint *con)
{
	return IsA(con, Constraint) && con->contype != CONSTR_NOTNULL &&
		contype_name(con->contype) != NULL;
}

static const char *
fk_action_name(char a)
{
	switch (a)
	{
		case FKCONSTR_ACTION_NOACTION:
			return "no_action";
		case FKCONSTR_ACTION_RESTRICT:
			return "restrict";
		case FKCONSTR_ACTION_CASCADE:
			return "cascade";
		case FKCONSTR_ACTION_SETNULL:
			return "set_null";
		case FKCONSTR_ACTION_SETDEFAULT:
			return "set_default";
		default:
			return NULL;
	}
}

/* Does adding this constraint read the whole table? */
static bool
constraint_scans(Constraint *con)
{
	switch (con->contype)
	{
		case CONSTR_CHECK:
		case CONSTR_FOREIGN:
			return !con->skip_validation;
		case CONSTR_PRIMARY:
		case CONSTR_UNIQUE:
			return con->indexname == NULL;	/* builds an index */
		case CONSTR_EXCLUSION:
		case CONSTR_NOTNULL:
			return true;
		default:
			return false;
	}
}

static void
put_constraint(JsonbParseState **st, const char *key, Constraint *con, const char *column,
			   int adds_nothing)
{
	ListCell   *lc;
	bool		fk = con->contype == CONSTR_FOREIGN;

	begin_object(st, key);
	dbc_put_text(st, "name", con->conname);
	dbc_put_text(st, "constraint_type", contype_name(con->contype));
	begin_array(st, "columns");
	if (column)
		push_text_elem(st, column);
	else if (fk)
	{
		foreach(lc, con->fk_attrs)
			push_text_elem(st, strVal(lfirst(lc)));
	}
	else if (con->contype == CONSTR_EXCLUSION)
	{
		foreach(lc, con->exclusions)
		{
			List	   *pair = lfirst(lc);
			IndexElem  *elem = linitial(pair);

			push_text_elem(st, IsA(elem, IndexElem) ? elem->name : NULL);
		}
	}
	else
	{
		foreach(lc, con->keys)
			push_text_elem(st, strVal(lfirst(lc)));
	}
	end_array(st);
	dbc_put_bool(st, "not_valid", con->skip_validation);
	dbc_put_bool(st, "deferrable", con->deferrable);
	dbc_put_text(st, "using_index", con->indexname);
	dbc_put_text(st, "references",
				 fk && con->pktable ? rel_object("table", con->pktable)->identity : NULL);
	dbc_put_text(st, "on_delete", fk ? fk_action_name(con->fk_del_action) : NULL);
	dbc_put_text(st, "on_update", fk ? fk_action_name(con->fk_upd_action) : NULL);
	/* written in an ADD COLUMN IF NOT EXISTS: skipped with its column */
	if (adds_nothing == -1)
		dbc_put_null(st, "adds_nothing");
	else if (adds_nothing >= 0)
		dbc_put_bool(st, "adds_nothing", adds_nothing == 1);
	end_object(st);
}

static ConRef *
conref(Constraint *con, const char *column)
{
	ConRef	   *r = palloc(sizeof(ConRef));

	r->con = con;
	r->column = column;
	r->adds_nothing = -2;
	return r;
}

static void
put_constraints(JsonbParseState **st, List *conrefs)
{
	ListCell   *lc;

	begin_array(st, "constraints");
	foreach(lc, conrefs)
	{
		ConRef	   *r = lfirst(lc);

		put_constraint(st, NULL, r->con, r->column, r->adds_nothing);
	}
	end_array(st);
}

/* Column-level constraints of a column definition worth listing. */
static List *
column_conrefs(List *into, ColumnDef *cd)
{
	ListCell   *lc;

	foreach(lc, cd->constraints)
	{
		Constraint *con = lfirst(lc);

		if (is_listed_constraint(con))
			into = lappend(into, conref(con, cd->colname));
	}
	return into;
}

/* Does a CHECK expression prove column attnum NOT NULL (c IS NOT NULL, alone or ANDed)? */
static bool
implies_not_null(Node *expr, AttrNumber attnum)
{
	if (expr == NULL)
		return false;
	if (IsA(expr, NullTest))
	{
		NullTest   *nt = (NullTest *) expr;

		return nt->nulltesttype == IS_NOT_NULL && !nt->argisrow && IsA(nt->arg, Var) &&
			((Var *) nt->arg)->varattno == attnum;
	}
	if (IsA(expr, BoolExpr) && ((BoolExpr *) expr)->boolop == AND_EXPR)
	{
		ListCell   *lc;

		foreach(lc, ((BoolExpr *) expr)->args)
			if (implies_not_null(lfirst(lc), attnum))
			return true;
	}
	return false;
}

/*
 * A NO INHERIT CHECK of a table with inheritance children proves nothing
 * for SET NOT NULL: that recurses to the children, and each is scanned
 * unless a constraint of its own proves the column.
 */
static bool
check_reaches_children(Form_pg_constraint con, Oid relid)
{
	return !con->connoinherit || !has_subclass(relid);
}

/*
 * Does relid have a validated CHECK constraint -- any (attnum 0), or one
 * that proves column attnum NOT NULL?  1 yes, 0 no.  With attnum, the
 * constraints named in dropped (String: dropped by the same statement, which
 * PostgreSQL does before it sets NOT NULL) or dropped earlier in the script
 * being checked (table, its identity), and those that read a column of
 * dropped_cols (attnums offset as pull_varattnos() has them: dropped with
 * the column), do not count.
 */
static int
validated_check(Oid relid, AttrNumber attnum, const char *table, List *dropped, Bitmapset *dropped_cols)
{
	Relation	conrel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	int			found = 0;

	conrel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(conrel, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
	while (found == 0 && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
		Datum		bin;
		bool		isnull;

		if (con->contype != CONSTRAINT_CHECK || !con->convalidated)
			continue;
		if (attnum == InvalidAttrNumber)
		{
			found = 1;
			break;
		}
		if (!check_reaches_children(con, relid) ||
			list_member(dropped, makeString(NameStr(con->conname))) ||
			dbc_script_dropped_constraint(table, NameStr(con->conname)))
			continue;
		bin = heap_getattr(tup, Anum_pg_constraint_conbin, RelationGetDescr(conrel), &isnull);
		if (!isnull)
		{
			Node	   *expr = stringToNode(TextDatumGetCString(bin));
			Bitmapset  *reads = NULL;

			/* dropped with a column it reads */
			pull_varattnos(expr, 1, &reads);
			if (!bms_overlap(reads, dropped_cols) && implies_not_null(expr, attnum))
				found = 1;
		}
	}
	systable_endscan(scan);
	table_close(conrel, AccessShareLock);
	return found;
}

/*
 * Does relid's CHECK constraint conname (validated or not) prove column
 * colname NOT NULL?  For a script that validates it before SET NOT NULL
 * (scriptstate.c).
 */
bool
dbc_constraint_proves_not_null(Oid relid, const char *conname, const char *colname)
{
	Oid			conoid;
	HeapTuple	tup;
	AttrNumber	attnum;
	bool		proves = false;

	if (!OidIsValid(relid) || conname == NULL || colname == NULL)
		return false;
	attnum = attnum_by_name(relid, colname);
	conoid = get_relation_constraint_oid(relid, conname, true);
	if (attnum == InvalidAttrNumber || !OidIsValid(conoid))
		return false;
	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
	if (HeapTupleIsValid(tup))
	{
		Datum		bin;
		bool		isnull;

		bin = SysCacheGetAttr(CONSTROID, tup, Anum_pg_constraint_conbin, &isnull);
		proves = ((Form_pg_constraint) GETSTRUCT(tup))->contype == CONSTRAINT_CHECK && !isnull &&
			check_reaches_children((Form_pg_constraint) GETSTRUCT(tup), relid) &&
			implies_not_null(stringToNode(TextDatumGetCString(bin)), attnum);
		ReleaseSysCache(tup);
	}
	return proves;
}

/*
 * Is there a validated CHECK constraint that proves the column NOT NULL?
 * (Then SET NOT NULL skips its full-table scan.)  1 yes, 0 no, -1 unknown.
 */
static int
has_validated_not_null_check(Oid relid, const char *colname, const char *table, List *dropped,
							 List *dropped_cols)
{
	AttrNumber	attnum;
	Bitmapset  *cols = NULL;
	bool		renamed;
	ListCell   *lc;

	if (!OidIsValid(relid) || colname == NULL)
		return -1;
	attnum = attnum_by_name(relid, colname);
	if (attnum == InvalidAttrNumber)
		return -1;
	/*
	 * The columns the script dropped earlier, or the statement drops (their
	 * CHECKs go with them); a name the script renamed a column from or to
	 * may stand for another column than the catalog's.
	 */
	dropped_cols = list_concat_copy(dropped_cols, dbc_script_dropped_columns(table, colname, &renamed));
	if (renamed)
		return 0;
	foreach(lc, dropped_cols)
	{
		AttrNumber	a = get_attnum(relid, strVal(lfirst(lc)));

		if (a != InvalidAttrNumber)
			cols = bms_add_member(cols, a - FirstLowInvalidHeapAttributeNumber);
	}
	return validated_check(relid, attnum, table, dropped, cols);
}

/*
 * The constraints an ALTER TABLE's own DROP CONSTRAINTs drop, and the
 * columns its DROP COLUMNs drop (with the CHECKs that read them), String
 * nodes: PostgreSQL drops them before it sets NOT NULL, whatever their
 * order in the statement.
 */
static List *
dropped_by_statement(List *cmds, List **columns)
{
	List	   *dropped = NIL;
	ListCell   *lc;

	*columns = NIL;
	foreach(lc, cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

		if (!IsA(cmd, AlterTableCmd) || cmd->name == NULL)
			continue;
		if (cmd->subtype == AT_DropColumn)
			*columns = lappend(*columns, makeString(cmd->name));
		else if (cmd->subtype == AT_DropConstraint)
			dropped = lappend(dropped, makeString(cmd->name));
	}
	return dropped;
}

/* Validated CHECK constraints of a relation: 1 some, 0 none, -1 unknown. */
static int
has_validated_checks(Oid relid)
{
	return OidIsValid(relid) ? validated_check(relid, InvalidAttrNumber, NULL, NIL, NULL) : -1;
}

/*
 * The names of the columns a partitioned table's key uses: its key columns
 * and the columns its key expressions read.  false when unknown (not a
 * partitioned table, a catalog row this cannot read).
 */
static bool
partition_key_columns(Oid parent, List **names)
{
	HeapTuple	tup;
	Form_pg_partitioned_table pt;
	Bitmapset  *attrs = NULL;
	Datum		exprs;
	bool		isnull;
	int			i;

	*names = NIL;
	if (!OidIsValid(parent))
		return false;
	tup = SearchSysCache1(PARTRELID, ObjectIdGetDatum(parent));
	if (!HeapTupleIsValid(tup))
		return false;
	pt = (Form_pg_partitioned_table) GETSTRUCT(tup);
	for (i = 0; i < pt->partnatts; i++)
		if (pt->partattrs.values[i] > 0)
			attrs = bms_add_member(attrs, pt->partattrs.values[i] - FirstLowInvalidHeapAttributeNumber);
	exprs = SysCacheGetAttr(PARTRELID, tup, Anum_pg_partitioned_table_partexprs, &isnull);
	if (!isnull)
		pull_varattnos(stringToNode(TextDatumGetCString(exprs)), 1, &attrs);
	ReleaseSysCache(tup);
	i = -1;
	while ((i = bms_next_member(attrs, i)) >= 0)
	{
		AttrNumber	attnum = i + FirstLowInvalidHeapAttributeNumber;
		char	   *name = attnum > 0 ? get_attname(parent, attnum, true) : NULL;

		if (name == NULL)
			return false;		/* a whole-row or system column: cannot relate */
		*names = lappend(*names, name);
	}
	return *names != NIL;
}

/*
 * Validated CHECK constraints of relid that may imply a partition bound on
 * the key columns named keycols: 1 some, 0 none, -1 unknown.  PostgreSQL
 * proves the bound (PartConstraintImpliedByRelConstraint, predicate_implied_by)
 * clause by clause, each clause of the bound about a key column or key
 * expression, from a CHECK clause about the same column or expression:
 * a CHECK that reads none of the columns the key uses cannot prove any of
 * it, so only the others count.  Also counted, as they cannot be related: a
 * CHECK that reads no column at all (a constant), or the whole row.  Columns
 * are matched by name (the table attached may number them differently).
 */
static int
validated_key_checks(Oid relid, List *keycols)
{
	Relation	conrel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	int			found = 0;

	if (!OidIsValid(relid))
		return -1;
	conrel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(conrel, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
	while (found == 0 && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
		Bitmapset  *attrs = NULL;
		Datum		bin;
		bool		isnull;
		int			i = -1;

		if (con->contype != CONSTRAINT_CHECK || !con->convalidated)
			continue;
		bin = heap_getattr(tup, Anum_pg_constraint_conbin, RelationGetDescr(conrel), &isnull);
		if (isnull)
		{
			found = 1;
			break;
		}
		pull_varattnos(stringToNode(TextDatumGetCString(bin)), 1, &attrs);
		if (bms_is_empty(attrs))
			found = 1;
		while (found == 0 && (i = bms_next_member(attrs, i)) >= 0)
		{
			AttrNumber	attnum = i + FirstLowInvalidHeapAttributeNumber;
			char	   *name = attnum > 0 ? get_attname(relid, attnum, true) : NULL;
			ListCell   *lc;

			if (name == NULL)
				found = 1;
			else
				foreach(lc, keycols)
					if (strcmp((char *) lfirst(lc), name) == 0)
						found = 1;
		}
	}
	systable_endscan(scan);
	table_close(conrel, AccessShareLock);
	return found;
}

/* partition_has_key_checks-style fact: key CHECKs of relid, or all its CHECKs when the key is unknown */
static void
put_key_checks(JsonbParseState **st, const char *fact, Oid relid, bool key_known, List *keycols)
{
	int			k = key_known ? validated_key_checks(relid, keycols) : has_validated_checks(relid);

	if (k < 0)
		dbc_put_null(st, fact);
	else
		dbc_put_bool(st, fact, k == 1);
}

/* rows / rows_estimated / bytes of a relation under prefix_ (nulls when unknown). */
static void
put_rel_size(JsonbParseState **st, const char *rows_key, const char *est_key, const char *bytes_key,
			 double rows, bool rows_est, int64 bytes)
{
	if (rows >= 0)
		dbc_put_int(st, rows_key, (int64) rows);
	else
		dbc_put_null(st, rows_key);
	dbc_put_bool(st, est_key, rows >= 0 && rows_est);
	if (bytes >= 0)
		dbc_put_int(st, bytes_key, bytes);
	else
		dbc_put_null(st, bytes_key);
}

/*
 * Whether ATTACH PARTITION will scan: PostgreSQL's own proof, made the way
 * ATExecAttachPartition makes it (PostgreSQL 15): the bound transformed
 * against the parent's key, its constraint (with the parent's own partition
 * constraint when the parent is a partition itself) const-simplified, mapped
 * to the attached table's attribute numbers and tested with
 * PartConstraintImpliedByRelConstraint against the table's validated CHECK
 * and NOT NULL constraints; a partitioned table that is not proved is
 * proved partition by partition, each leaf not proved is scanned, a foreign
 * table never is.  The default partition likewise, against the negation
 * of the new bound (get_proposed_default_constraint).
 *
 * Transforming the bound evaluates its expressions, and simplifying the
 * constraints evaluates immutable functions with constant arguments, which
 * may be anyone's code: the facts are built by whoever runs the gate,
 * dbchange.evaluate() or a submission, perhaps a reviewer with more rights
 * than the table's owner.  So nothing here runs code other than the
 * server's and superuser-installed C: every function a bound value, the
 * partition key, the constraint or a CHECK of a table proved against calls
 * must be built-in or C (immutable, for a bound value, which PostgreSQL
 * evaluates whatever its volatility), and a domain with constraints (whose
 * CHECK may call anything) stops it too.  Anything else: unknown.
 *
 * The proof runs in a subtransaction that is always rolled back: any error
 * (a bound that does not fit the key, a table that cannot be attached)
 * means unknown, and the locks it takes go with it.  Those are ACCESS
 * SHARE locks taken only if free: a table another session holds ACCESS
 * EXCLUSIVE is not waited for (unknown).
 */
typedef struct AttachProof
{
	Oid			parent;
	Oid			part;
	PartitionBoundSpec *bound;	/* as written */
	int			part_scan;		/* 1 scanned, 0 proved, -1 unknown */
	int			def_scan;		/* the same for the default partition */
} AttachProof;

/* check_functions_in_node callback: true for a function this must not run */
static bool
untrusted_function(Oid funcid, void *arg)
{
	bool		immutable_only = *(bool *) arg;
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	Form_pg_proc proc;
	bool		bad;

	if (!HeapTupleIsValid(tup))
		return true;
	proc = (Form_pg_proc) GETSTRUCT(tup);
	bad = (proc->prolang != INTERNALlanguageId && proc->prolang != ClanguageId) ||
		(immutable_only && proc->provolatile != PROVOLATILE_IMMUTABLE);
	ReleaseSysCache(tup);
	return bad;
}

static bool
untrusted_code_walker(Node *node, void *arg)
{
	if (node == NULL)
		return false;
	if (check_functions_in_node(node, untrusted_function, arg))
		return true;
	if (IsA(node, CoerceToDomain) &&
		DomainHasConstraints(((CoerceToDomain *) node)->resulttype))
		return true;
	if (IsA(node, SubLink) || IsA(node, Query))
		return true;
	return expression_tree_walker(node, untrusted_code_walker, arg);
}

static bool
untrusted_code(Node *node, bool immutable_only)
{
	return untrusted_code_walker(node, &immutable_only);
}

/* Does a validated CHECK constraint of rel call code the proof must not run? */
static bool
untrusted_checks(Relation rel)
{
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	int			i;

	if (constr == NULL)
		return false;
	for (i = 0; i < constr->num_check; i++)
		if (constr->check[i].ccvalid &&
			untrusted_code(stringToNode(constr->check[i].ccbin), false))
			return true;
	return false;
}

/* Open a relation under an ACCESS SHARE lock if nobody holds a stronger one; NULL otherwise. */
static Relation
open_unblocked(Oid relid)
{
	if (!ConditionalLockRelationOid(relid, AccessShareLock))
		return NULL;
	return try_relation_open(relid, NoLock);
}

/*
 * Will PostgreSQL scan rel (or, partitioned, one of its partitions) to
 * prove constraint?  QueuePartitionConstraintValidation's decision.
 */
static int
proof_scans(Relation rel, List *constraint)
{
	PartitionDesc pd;
	int			result = 0;
	int			i;

	if (untrusted_checks(rel))
		return -1;
	if (PartConstraintImpliedByRelConstraint(rel, constraint))
		return 0;
	if (rel->rd_rel->relkind == RELKIND_RELATION)
		return 1;
	if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		return 0;				/* a foreign table: never scanned */
	pd = RelationGetPartitionDesc(rel, true);
	for (i = 0; i < pd->nparts && result != 1; i++)
	{
		Relation	child = open_unblocked(pd->oids[i]);
		int			r;

		if (child == NULL)
			r = -1;
		else
		{
			r = proof_scans(child, map_partition_varattnos(constraint, 1, child, rel));
			relation_close(child, NoLock);
		}
		if (r != 0)
			result = r;
	}
	return result;
}

/*
 * May turning a string into a value of this type run code other than the
 * server's?  Parsing a bound evaluates every untyped literal at once, before
 * any expression exists to check: '{1}' for an array of a domain runs the
 * domain's CHECK (domain_in) for each element, '(1)' for a composite type
 * each column's input, '[1,2)' for a range its subtype's input and its
 * canonical function; any user may create such domains, composite and range
 * types, and a domain's CHECK may call plpgsql.  So: a domain with
 * constraints, or an input, typmod input or canonical function that is not
 * built-in or C, anywhere in the type, is untrusted.
 */
static bool
untrusted_input_type(Oid typid, int depth)
{
	HeapTuple	tup;
	Form_pg_type typ;
	bool		bad = false;
	bool		immutable_only = false;

	check_stack_depth();
	if (depth > 32 || !OidIsValid(typid))
		return true;
	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tup))
		return true;
	typ = (Form_pg_type) GETSTRUCT(tup);
	if (!typ->typisdefined ||
		untrusted_function(typ->typinput, &immutable_only) ||
		(OidIsValid(typ->typmodin) && untrusted_function(typ->typmodin, &immutable_only)))
		bad = true;
	else if (typ->typtype == TYPTYPE_DOMAIN)
		bad = DomainHasConstraints(typid) || untrusted_input_type(typ->typbasetype, depth + 1);
	else if (typ->typtype == TYPTYPE_COMPOSITE)
	{
		HeapTuple	ctup = SearchSysCache1(RELOID, ObjectIdGetDatum(typ->typrelid));
		int			natts,
					i;

		/* the catalog rows, not the relation (no lock to wait for) */
		if (!HeapTupleIsValid(ctup))
		{
			natts = 0;
			bad = true;
		}
		else
		{
			natts = ((Form_pg_class) GETSTRUCT(ctup))->relnatts;
			ReleaseSysCache(ctup);
		}
		for (i = 1; i <= natts && !bad; i++)
		{
			HeapTuple	atup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(typ->typrelid), Int16GetDatum(i));

			if (!HeapTupleIsValid(atup))
				bad = true;
			else
			{
				Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(atup);

				if (!att->attisdropped)
					bad = untrusted_input_type(att->atttypid, depth + 1);
				ReleaseSysCache(atup);
			}
		}
	}
	else if (typ->typtype == TYPTYPE_RANGE)
	{
		HeapTuple	rtup = SearchSysCache1(RANGETYPE, ObjectIdGetDatum(typid));

		if (!HeapTupleIsValid(rtup))
			bad = true;
		else
		{
			Form_pg_range rng = (Form_pg_range) GETSTRUCT(rtup);

			bad = (OidIsValid(rng->rngcanonical) && untrusted_function(rng->rngcanonical, &immutable_only)) ||
				untrusted_input_type(rng->rngsubtype, depth + 1);
			ReleaseSysCache(rtup);
		}
	}
	else if (typ->typtype == TYPTYPE_MULTIRANGE)
		bad = untrusted_input_type(get_multirange_range(typid), depth + 1);
	else if (OidIsValid(typ->typelem))
		bad = untrusted_input_type(typ->typelem, depth + 1);
	ReleaseSysCache(tup);
	return bad;
}

/*
 * The raw bound value, before transformExpr: an untyped literal may only
 * stand where it is converted to a type checked above -- the whole value
 * (the key column's type), the operand of a cast, the element of an ARRAY[]
 * cast to an array type.  Elsewhere (a function's or operator's argument,
 * ARRAY[] or ROW() elements) the parser converts it to a type it picks
 * from candidates, which may be anyone's.  A type named anywhere else is
 * refused too.
 */
static bool
untrusted_raw_bound(Node *node, bool converted);

static bool
untrusted_raw_walker(Node *node, void *arg)
{
	(void) arg;
	return untrusted_raw_bound(node, false);
}

static bool
untrusted_raw_bound(Node *node, bool converted)
{
	if (node == NULL)
		return false;
	check_stack_depth();
	switch (nodeTag(node))
	{
		case T_A_Const:
			{
				A_Const    *c = (A_Const *) node;

				return (c->isnull || IsA(&c->val, String)) && !converted;
			}
		case T_TypeCast:
			{
				TypeCast   *tc = (TypeCast *) node;
				Type		t = LookupTypeName(NULL, tc->typeName, NULL, true);
				Oid			typid;

				if (t == NULL)
					return true;
				typid = typeTypeId(t);
				ReleaseSysCache(t);
				if (untrusted_input_type(typid, 0))
					return true;
				return untrusted_raw_bound(tc->arg, !IsA(tc->arg, A_ArrayExpr) ||
										   OidIsValid(get_element_type(typid)));
			}
		case T_A_ArrayExpr:
			{
				ListCell   *lc;

				foreach(lc, ((A_ArrayExpr *) node)->elements)
					if (untrusted_raw_bound(lfirst(lc), converted))
						return true;
				return false;
			}
		case T_CollateClause:
			return untrusted_raw_bound(((CollateClause *) node)->arg, converted);
		case T_TypeName:
			return true;
		default:
			return raw_expression_tree_walker(node, untrusted_raw_walker, NULL);
	}
}

/*
 * The bound's values, as transformPartitionBound will evaluate them: may
 * they run code other than trusted built-in or C immutable functions?
 * (MINVALUE and MAXVALUE are no expressions; the rest is checked raw, for
 * the literals the parser converts at once, then transformed and
 * coerced to the key column's type, not yet evaluated.)
 */
static bool
untrusted_bound(ParseState *pstate, PartitionKey key, PartitionBoundSpec *b)
{
	List	   *lists[2];
	int			l;
	int			i;

	for (i = 0; i < key->partnatts; i++)
		if (untrusted_input_type(get_partition_col_typid(key, i), 0))
			return true;
	if (b->strategy == PARTITION_STRATEGY_LIST)
	{
		ListCell   *lc;

		foreach(lc, b->listdatums)
		{
			Node	   *v;

			if (untrusted_raw_bound(lfirst(lc), !IsA(lfirst(lc), A_ArrayExpr)))
				return true;
			v = transformExpr(pstate, copyObject(lfirst(lc)), EXPR_KIND_PARTITION_BOUND);

			v = coerce_to_target_type(pstate, v, exprType(v), get_partition_col_typid(key, 0),
									  get_partition_col_typmod(key, 0), COERCION_ASSIGNMENT,
									  COERCE_IMPLICIT_CAST, -1);
			if (v == NULL || untrusted_code(v, true))
				return true;
		}
		return false;
	}
	if (b->strategy != PARTITION_STRATEGY_RANGE)
		return false;			/* hash: two integers; default: nothing */
	lists[0] = b->lowerdatums;
	lists[1] = b->upperdatums;
	for (l = 0; l < 2; l++)
	{
		ListCell   *lc;
		int			col = 0;

		foreach(lc, lists[l])
		{
			Node	   *raw = lfirst(lc);
			Node	   *v;

			if (col >= key->partnatts)
				return true;	/* too many values: PostgreSQL refuses it */
			if (IsA(raw, ColumnRef) && list_length(((ColumnRef *) raw)->fields) == 1 &&
				IsA(linitial(((ColumnRef *) raw)->fields), String))
			{
				const char *word = strVal(linitial(((ColumnRef *) raw)->fields));

				if (strcmp(word, "minvalue") == 0 || strcmp(word, "maxvalue") == 0)
				{
					col++;
					continue;
				}
			}
			if (untrusted_raw_bound(raw, !IsA(raw, A_ArrayExpr)))
				return true;
			v = transformExpr(pstate, copyObject(raw), EXPR_KIND_PARTITION_BOUND);
			v = coerce_to_target_type(pstate, v, exprType(v), get_partition_col_typid(key, col),
									  get_partition_col_typmod(key, col), COERCION_ASSIGNMENT,
									  COERCE_IMPLICIT_CAST, -1);
			if (v == NULL || untrusted_code(v, true))
				return true;
			col++;
		}
	}
	return false;
}

/* The proof on the open parent and attached table; errors leave the results unknown. */
static void
attach_proof_tables(AttachProof *a, Relation parent, Relation attached)
{
	PartitionKey key = RelationGetPartitionKey(parent);
	PartitionBoundSpec *bound;
	List	   *bound_qual,
			   *qual,
			   *parent_qual;
	Relation	def;
	Oid			defoid;

	if (untrusted_bound(make_parsestate(NULL), key, a->bound) ||
		untrusted_code((Node *) key->partexprs, false))
		return;
	bound = transformPartitionBound(make_parsestate(NULL), parent, copyObject(a->bound));
	parent_qual = RelationGetPartitionQual(parent);

	/*
	 * As ATExecAttachPartition does: the bound's constraint with the
	 * parent's appended (list_concat extends bound_qual in place when it has
	 * clauses, and the default partition's proposed constraint is built
	 * from it so extended).
	 */
	defoid = get_default_oid_from_partdesc(RelationGetPartitionDesc(parent, true));
	if (bound->is_default && OidIsValid(defoid))
		return;					/* a second default partition: refused */
	bound_qual = get_qual_from_partbound(parent, bound);
	qual = list_concat(bound_qual, parent_qual);
	if (untrusted_code((Node *) qual, false))
		return;
	if (qual == NIL)
		a->part_scan = 0;		/* nothing to prove */
	else
	{
		List	   *simple = (List *) eval_const_expressions(NULL, (Node *) qual);

		simple = list_make1(make_ands_explicit(simple));
		a->part_scan = proof_scans(attached, map_partition_varattnos(simple, 1, attached, parent));
	}

	if (!OidIsValid(defoid) || (def = open_unblocked(defoid)) == NULL)
		return;
	a->def_scan = proof_scans(def, map_partition_varattnos(get_proposed_default_constraint(bound_qual),
														   1, def, parent));
	relation_close(def, NoLock);
}

/*
 * Inside the subtransaction: open the two tables, prove.  The parent's own
 * partition constraint (RelationGetPartitionQual) opens each of its
 * ancestors under an ACCESS SHARE lock it waits for, so those are taken
 * first, only if free.
 */
static void
attach_proof_run(AttachProof *a)
{
	Relation	parent = open_unblocked(a->parent);
	Relation	attached;
	ListCell   *lc;

	if (parent == NULL)
		return;
	foreach(lc, get_partition_ancestors(a->parent))
		if (!ConditionalLockRelationOid(lfirst_oid(lc), AccessShareLock))
		{
			relation_close(parent, NoLock);
			return;
		}
	attached = parent->rd_rel->relkind == RELKIND_PARTITIONED_TABLE ? open_unblocked(a->part) : NULL;
	if (attached != NULL)
	{
		attach_proof_tables(a, parent, attached);
		relation_close(attached, NoLock);
	}
	relation_close(parent, NoLock);
}

/*
 * Run the proof in a subtransaction rolled back whatever happens (as
 * PL/pgSQL's exception blocks do: memory context and resource owner put
 * back).  Query cancel and shutdown are raised again.
 */
static void
attach_proof(AttachProof *a)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	MemoryContext work;
	volatile int part_scan = -1;
	volatile int def_scan = -1;

	a->part_scan = a->def_scan = -1;
	if (!OidIsValid(a->parent) || !OidIsValid(a->part) || a->bound == NULL ||
		!IsTransactionState() || IsInParallelMode())
		return;
	work = AllocSetContextCreate(oldcxt, "dbchange attach proof", ALLOCSET_DEFAULT_SIZES);
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(work);
	PG_TRY();
	{
		attach_proof_run(a);
		part_scan = a->part_scan;
		def_scan = a->def_scan;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(work);
		edata = CopyErrorData();
		FlushErrorState();
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
		{
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(oldcxt);
			CurrentResourceOwner = oldowner;
			ReThrowError(edata);
		}
		part_scan = def_scan = -1;
	}
	PG_END_TRY();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(oldcxt);
	CurrentResourceOwner = oldowner;
	MemoryContextDelete(work);
	a->part_scan = part_scan;
	a->def_scan = def_scan;
}

/* A 1/0/-1 fact as true/false/null. */
static void
put_tristate(JsonbParseState **st, const char *fact, int v)
{
	if (v < 0)
		dbc_put_null(st, fact);
	else
		dbc_put_bool(st, fact, v == 1);
}

/*
 * ATTACH PARTITION scans what it must prove the bound of: the table being
 * attached (under an ACCESS EXCLUSIVE lock on it), unless a validated CHECK
 * constraint of it implies the bound, and the parent's default partition
 * (ACCESS EXCLUSIVE on that one, which serves the parent's reads and writes
 * meanwhile), unless its constraints imply that none of its rows falls in
 * the new bound.  Whether a constraint implies the bound is PostgreSQL's
 * own proof (attach_proof: *_scan_needed, null when it cannot be made);
 * the facts also say whether the tables have validated CHECK constraints
 * at all or on the key's columns, the approximation a policy falls back on.
 */
static void
put_attach_scans(JsonbParseState **st, ClsObject *parent, ClsObject *p, PartitionBoundSpec *bound)
{
	Oid			def = InvalidOid;
	int			checks = has_validated_checks(p->relid);
	AttachProof proof;

	List	   *keycols = NIL;
	bool		key_known = parent->relkind == RELKIND_PARTITIONED_TABLE &&
		partition_key_columns(parent->relid, &keycols);

	put_rel_size(st, "partition_rows", "partition_rows_estimated", "partition_bytes",
				 p->sized ? p->rows : -1, p->rows_estimated, p->sized ? p->bytes : -1);
	if (checks < 0)
		dbc_put_null(st, "partition_has_checks");
	else
		dbc_put_bool(st, "partition_has_checks", checks == 1);
	put_key_checks(st, "partition_has_key_checks", p->relid, key_known, keycols);
	proof.parent = parent->relkind == RELKIND_PARTITIONED_TABLE ? parent->relid : InvalidOid;
	proof.part = p->relid;
	proof.bound = bound;
	attach_proof(&proof);
	put_tristate(st, "partition_scan_needed", proof.part_scan);
	if (parent->relkind == RELKIND_PARTITIONED_TABLE)
		def = get_default_partition_oid(parent->relid);
	if (OidIsValid(def) && get_rel_name(def) != NULL)
	{
		double		rows;
		int64		bytes;
		bool		est;

		dbc_put_text(st, "default_partition",
					 qualify(get_namespace_name(get_rel_namespace(def)), get_rel_name(def)));
		if (!rel_size(def, &rows, &bytes, &est))
			rows = bytes = -1;
		put_rel_size(st, "default_partition_rows", "default_partition_rows_estimated",
					 "default_partition_bytes", rows, est, bytes);
		dbc_put_bool(st, "default_partition_has_checks", has_validated_checks(def) == 1);
		put_key_checks(st, "default_partition_has_key_checks", def, key_known, keycols);
		put_tristate(st, "default_partition_scan_needed", proof.def_scan);
	}
	else
		dbc_put_null(st, "default_partition");
}

/* ---------------------------------------------------------------------------
 * Tables
 * ---------------------------------------------------------------------------
 */

static const char *
persistence_name(char p)
{
	return p == RELPERSISTENCE_TEMP ? "temporary" :
		p == RELPERSISTENCE_UNLOGGED ? "unlogged" : "permanent";
}

/*
 * Storage parameters (WITH (...), SET (...), RESET (...)) as an object,
 * "toast.autovacuum_enabled" for the TOAST table's: each parameter's value
 * as written ("true" for a name without a value, as PostgreSQL reads it),
 * null for one RESET (DEFELEM_DROP here).  Given twice, the last one
 * counts, as PostgreSQL takes it.  Nothing is put when the list is empty.
 */
static void
put_storage_parameters(JsonbParseState **st, const char *key, List *params)
{
	int			n = list_length(params);
	int			i;
	int			j;

	if (n == 0)
		return;
	begin_object(st, key);
	for (i = 0; i < n; i++)
	{
		DefElem    *d = list_nth_node(DefElem, params, i);
		bool		later = false;
		char	   *name;

		for (j = i + 1; j < n && !later; j++)
		{
			DefElem    *e = list_nth_node(DefElem, params, j);

			later = strcmp(e->defname, d->defname) == 0 &&
				(d->defnamespace == NULL ? e->defnamespace == NULL :
				 e->defnamespace != NULL && strcmp(e->defnamespace, d->defnamespace) == 0);
		}
		if (later)
			continue;
		name = d->defnamespace ? psprintf("%s.%s", d->defnamespace, d->defname) : d->defname;
		if (d->defaction == DEFELEM_DROP)
			dbc_put_null(st, name);
		else
			dbc_put_text(st, name, d->arg == NULL ? "true" : opt_text(d));
	}
	end_object(st);
}

/* RESET (...)'s parameter names, marked to be put as nulls. */
static List *
reset_parameters(List *params)
{
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, params)
	{
		DefElem    *d = lfirst_node(DefElem, lc);

		out = lappend(out, makeDefElemExtended(d->defnamespace, d->defname, NULL, DEFELEM_DROP, d->location));
	}
	return out;
}

/* Does the stored default of a column call a volatile function (nextval())? */
static bool
catalog_default_volatile(Oid relid, AttrNumber attnum)
{
	Relation	rel = table_open(AttrDefaultRelationId, AccessShareLock);
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	bool		volatile_ = true;

	ScanKeyInit(&key[0], Anum_pg_attrdef_adrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	ScanKeyInit(&key[1], Anum_pg_attrdef_adnum, BTEqualStrategyNumber, F_INT2EQ, Int16GetDatum(attnum));
	scan = systable_beginscan(rel, AttrDefaultIndexId, true, NULL, 2, key);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		bin = heap_getattr(tup, Anum_pg_attrdef_adbin, RelationGetDescr(rel), &isnull);

		if (!isnull)
			volatile_ = contain_volatile_functions(stringToNode(TextDatumGetCString(bin)));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return volatile_;
}

/* The names of the primary key columns of relid (String nodes), *found: it has one. */
static List *
catalog_primary_key(Oid relid, bool *found)
{
	Relation	rel = table_open(IndexRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *out = NIL;

	*found = false;
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, IndexIndrelidIndexId, true, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_index ind = (Form_pg_index) GETSTRUCT(tup);
		int			i;

		if (!ind->indisprimary)
			continue;
		*found = true;
		for (i = 0; i < ind->indnkeyatts; i++)
		{
			char	   *att = get_attname(relid, ind->indkey.values[i], true);

			if (att != NULL)
				out = lappend(out, makeString(att));
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return out;
}

/*
 * A column type from the catalog as the parser gives it written out: a
 * built-in type (and an array of one) through its SQL spelling, names and
 * typmods ("character varying(20)": pg_catalog.varchar, [20]), which
 * PostgreSQL's own type output always writes so that it reads back; any
 * other type by its schema and name (and [] for an array), without
 * typmods, whose output an extension's function writes.
 */
static TypeName *
catalog_type_name(Oid typid, int32 typmod)
{
	Oid			elem = get_element_type(typid);
	Oid			base = OidIsValid(elem) ? elem : typid;
	HeapTuple	tp;
	Form_pg_type typ;
	TypeName   *tn;

	if (base < FirstNormalObjectId)
		return typeStringToTypeName(format_type_with_typemod(typid, typmod));
	tp = SearchSysCache1(TYPEOID, ObjectIdGetDatum(base));
	if (!HeapTupleIsValid(tp))
		return makeTypeNameFromOid(typid, typmod);
	typ = (Form_pg_type) GETSTRUCT(tp);
	tn = makeTypeNameFromNameList(list_make2(makeString(get_namespace_name(typ->typnamespace)),
											 makeString(pstrdup(NameStr(typ->typname)))));
	ReleaseSysCache(tp);
	if (OidIsValid(elem))
		tn->arrayBounds = list_make1(makeInteger(-1));
	return tn;
}

/*
 * The columns CREATE TABLE ... (LIKE src ...) copies (transformTableLikeClause),
 * as ColumnDefs the classifier reads like the ones written out: each
 * column's name, type and NOT NULL, its default with INCLUDING DEFAULTS,
 * identity with INCLUDING IDENTITY, generation expression with INCLUDING
 * GENERATED.  The source is found as PostgreSQL will find it, after the
 * renames of the script being checked; *volatile_defaults: the names of
 * the copied columns whose default is volatile (nextval() of the source's
 * own sequence, for a serial column).  NIL when src is unknown.
 */
static List *
like_columns(Oid relid, bits32 options, List **volatile_defaults)
{
	HeapTuple	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	int			natts;
	AttrNumber	i;
	List	   *out = NIL;

	if (!HeapTupleIsValid(tp))
		return NIL;
	natts = ((Form_pg_class) GETSTRUCT(tp))->relnatts;
	ReleaseSysCache(tp);
	for (i = 1; i <= natts; i++)
	{
		HeapTuple	at = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(i));
		Form_pg_attribute a;
		ColumnDef  *cd;

		if (!HeapTupleIsValid(at))
			continue;
		a = (Form_pg_attribute) GETSTRUCT(at);
		if (a->attisdropped)
		{
			ReleaseSysCache(at);
			continue;
		}
		cd = makeNode(ColumnDef);
		cd->colname = pstrdup(NameStr(a->attname));
		cd->typeName = catalog_type_name(a->atttypid, a->atttypmod);
		cd->is_not_null = a->attnotnull;
		if (a->attidentity && (options & CREATE_TABLE_LIKE_IDENTITY))
			cd->identity = a->attidentity;
		if (a->attgenerated && (options & CREATE_TABLE_LIKE_GENERATED))
			cd->generated = a->attgenerated;
		else if (a->atthasdef && !a->attgenerated && (options & CREATE_TABLE_LIKE_DEFAULTS))
		{
			/* a default, not read here: says "has one", volatile or not */
			A_Const    *none = makeNode(A_Const);

			none->isnull = true;
			none->location = -1;
			cd->raw_default = (Node *) none;
			if (catalog_default_volatile(relid, i))
				*volatile_defaults = lappend(*volatile_defaults, cd->colname);
		}
		out = lappend(out, cd);
		ReleaseSysCache(at);
	}
	return out;
}

/*
 * The constraints CREATE TABLE ... (LIKE src ...) copies besides NOT NULL
 * (expandTableLikeClause of PostgreSQL 15, checked in pg_constraint):
 * INCLUDING CONSTRAINTS every CHECK, under its own name, NO INHERIT kept,
 * and validated even when src's is NOT VALID (the new table is empty);
 * INCLUDING INDEXES the primary key, unique and exclusion constraints with
 * their indexes, under names made up for the new table (so given here
 * without one), deferrable as src's.  Foreign keys are never copied.
 * ConRefs for put_constraints, in the catalog's order.
 */
static List *
like_constraints(Oid relid, const char *identity, bits32 options)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *out = NIL;
	List	   *dropped_cols;
	bool		renamed;

	if (!(options & (CREATE_TABLE_LIKE_CONSTRAINTS | CREATE_TABLE_LIKE_INDEXES)))
		return NIL;
	/* what an earlier statement of the script dropped is not there to copy */
	dropped_cols = identity ? dbc_script_dropped_columns(identity, NULL, &renamed) : NIL;
	rel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint k = (Form_pg_constraint) GETSTRUCT(tup);
		Constraint *con;
		bool		isnull;
		Datum		d;

		if (k->contype == CONSTRAINT_CHECK ? !(options & CREATE_TABLE_LIKE_CONSTRAINTS) :
			(k->contype != CONSTRAINT_PRIMARY && k->contype != CONSTRAINT_UNIQUE &&
			 k->contype != CONSTRAINT_EXCLUSION) || !(options & CREATE_TABLE_LIKE_INDEXES))
			continue;
		if (identity && dbc_script_dropped_constraint(identity, NameStr(k->conname)))
			continue;
		con = makeNode(Constraint);
		con->location = -1;
		d = heap_getattr(tup, Anum_pg_constraint_conkey, RelationGetDescr(rel), &isnull);
		if (!isnull && dropped_cols != NIL)
		{
			ArrayType  *arr = DatumGetArrayTypeP(d);
			int16	   *attnums = (int16 *) ARR_DATA_PTR(arr);
			bool		gone = false;
			int			i;

			/* it went with a column the script dropped */
			for (i = 0; i < ARR_DIMS(arr)[0]; i++)
			{
				char	   *att = attnums[i] > 0 ? get_attname(relid, attnums[i], true) : NULL;

				gone |= att != NULL && list_member(dropped_cols, makeString(att));
			}
			if (gone)
				continue;
		}
		if (k->contype == CONSTRAINT_CHECK)
		{
			con->contype = CONSTR_CHECK;
			con->conname = pstrdup(NameStr(k->conname));
			con->is_no_inherit = k->connoinherit;
			out = lappend(out, conref(con, NULL));
			continue;
		}
		con->contype = k->contype == CONSTRAINT_PRIMARY ? CONSTR_PRIMARY :
			k->contype == CONSTRAINT_UNIQUE ? CONSTR_UNIQUE : CONSTR_EXCLUSION;
		con->deferrable = k->condeferrable;
		con->initdeferred = k->condeferred;
		if (!isnull)
		{
			ArrayType  *arr = DatumGetArrayTypeP(d);
			int16	   *attnums = (int16 *) ARR_DATA_PTR(arr);
			int			i;

			for (i = 0; i < ARR_DIMS(arr)[0]; i++)
			{
				/* an expression of an exclusion constraint: no name */
				char	   *att = attnums[i] > 0 ? get_attname(relid, attnums[i], true) : NULL;

				if (con->contype == CONSTR_EXCLUSION)
				{
					IndexElem  *e = makeNode(IndexElem);

					e->name = att;
					con->exclusions = lappend(con->exclusions, list_make2(e, NIL));
				}
				else if (att != NULL)
					con->keys = lappend(con->keys, makeString(att));
			}
		}
		out = lappend(out, conref(con, NULL));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return out;
}

static int	relation_adds_nothing(Node *stmt, bool if_not_exists, ClsObject *o, bool temp);

static void
classify_create_table(Cls *c, CreateStmt *s, bool foreign)
{
	JsonbParseState **st = c->st;
	List	   *cols = NIL;
	List	   *cons = NIL;
	List	   *pk_cols = NIL;
	List	   *likes = NIL;
	List	   *volatile_defaults = NIL;
	bool		has_pk = false;
	bool		has_fk = false;
	ListCell   *lc;

	set_main(c, created_rel_object(foreign ? "foreign_table" : "table", s->relation));
	add_op(c, "create");
	c->if_not_exists = s->if_not_exists;

	foreach(lc, list_concat(list_copy(s->tableElts), s->constraints))
	{
		Node	   *n = lfirst(lc);

		if (IsA(n, Constraint))
		{
			Constraint *con = (Constraint *) n;

			if (con->contype == CONSTR_PRIMARY)
			{
				has_pk = true;
				pk_cols = list_concat(pk_cols, con->keys);
			}
			if (is_listed_constraint(con))
				cons = lappend(cons, conref(con, NULL));
		}
		else if (IsA(n, ColumnDef))
		{
			ColumnDef  *cd = (ColumnDef *) n;

			cols = lappend(cols, cd);
			cons = column_conrefs(cons, cd);
		}
		else if (IsA(n, TableLikeClause))
		{
			TableLikeClause *tl = (TableLikeClause *) n;
			ClsObject  *src = rel_object("table", tl->relation);

			likes = lappend(likes, src);
			if (OidIsValid(src->relid))
			{
				bool		src_pk;
				List	   *src_pk_cols = catalog_primary_key(src->relid, &src_pk);

				cols = list_concat(cols, like_columns(src->relid, tl->options, &volatile_defaults));
				cons = list_concat(cons, like_constraints(src->relid, src->identity, tl->options));
				/* INCLUDING INDEXES copies the primary key too */
				if (src_pk && (tl->options & CREATE_TABLE_LIKE_INDEXES))
				{
					has_pk = true;
					pk_cols = list_concat(pk_cols, src_pk_cols);
				}
			}
		}
	}
	foreach(lc, cons)
	{
		ConRef	   *r = lfirst(lc);

		if (r->con->contype == CONSTR_PRIMARY)
			has_pk = true;
		if (r->con->contype == CONSTR_FOREIGN)
			has_fk = true;
	}

	begin_array(st, "columns");
	foreach(lc, cols)
	{
		ColInfo		ci;

		col_info(lfirst(lc), pk_cols, &ci);
		/* a default LIKE copies: volatile as the source's is */
		if (ci.has_default && !ci.default_volatile && ci.cd->raw_default != NULL &&
			list_member_ptr(volatile_defaults, ci.cd->colname))
			ci.default_volatile = true;
		put_column(st, NULL, &ci);
	}
	end_array(st);
	put_constraints(st, cons);
	dbc_put_bool(st, "has_primary_key", has_pk);
	if (likes != NIL)
	{
		/* what LIKE copies, as the name will find it when the statement runs */
		begin_array(st, "like");
		foreach(lc, likes)
		{
			ClsObject  *src = lfirst(lc);

			begin_object(st, NULL);
			dbc_put_text(st, "identity", src->identity);
			dbc_put_bool(st, "exists", OidIsValid(src->relid));
			end_object(st);
		}
		end_array(st);
	}
	dbc_put_text(st, "persistence", persistence_name(s->relation->relpersistence));
	dbc_put_bool(st, "partitioned", s->partspec != NULL);
	dbc_put_text(st, "tablespace", s->tablespacename);
	put_storage_parameters(st, "storage_parameters", s->options);

	if (s->partbound && s->inhRelations != NIL)
	{
		ClsObject  *parent = rel_object("table", linitial(s->inhRelations));

		dbc_put_text(st, "partition_of", parent->identity);
		set_table(c, parent);
		add_lock(c, AccessExclusiveLock);
		put_string_nodes(st, "inherits", NIL);
	}
	else
	{
		dbc_put_null(st, "partition_of");
		begin_array(st, "inherits");
		foreach(lc, s->inhRelations)
			push_text_elem(st, rel_object("table", lfirst(lc))->identity);
		end_array(st);
		if (s->inhRelations != NIL)
			add_lock(c, ShareUpdateExclusiveLock);
	}
	/* a foreign key locks the referenced table against writes */
	if (has_fk)
		add_lock(c, ShareRowExclusiveLock);
	/* IF NOT EXISTS of a name taken (a temporary table's schema is not read) */
	put_tristate(st, "adds_nothing",
				 relation_adds_nothing((Node *) s, s->if_not_exists, c->main,
									   s->relation->relpersistence == RELPERSISTENCE_TEMP ||
									   (s->relation->schemaname != NULL &&
										strncmp(s->relation->schemaname, "pg_temp", 7) == 0)));
}

/*
 * CREATE TABLE ... AS EXECUTE p: the query is p's.  Raw (evaluate(),
 * submit()) the query is an ExecuteStmt; analysed (the gate), a utility
 * Query holding one.
 */
static ExecuteStmt *
ctas_execute(Node *query)
{
	if (query != NULL && IsA(query, Query) && ((Query *) query)->commandType == CMD_UTILITY)
		query = ((Query *) query)->utilityStmt;
	return query != NULL && IsA(query, ExecuteStmt) ? (ExecuteStmt *) query : NULL;
}

static void
classify_create_table_as(Cls *c, CreateTableAsStmt *s)
{
	IntoClause *into = s->into;

	set_main(c, rel_object(objtype_name(s->objtype), into->rel));
	add_op(c, "create");
	c->if_not_exists = s->if_not_exists;
	dbc_put_text(c->st, "persistence", persistence_name(into->rel->relpersistence));
	dbc_put_bool(c->st, "with_data", !into->skipData);
	dbc_put_text(c->st, "tablespace", into->tableSpaceName);
	put_storage_parameters(c->st, "storage_parameters", into->options);
	/* the new relation holds a copy of what its query reads */
	if (ctas_execute(s->query) != NULL)
		put_prepared_reads(c->st, ctas_execute(s->query)->name);
	else
		put_query_reads(c->st, s->query);
}

/* The stable name of every ALTER TABLE subcommand PostgreSQL 15 has. */
static const char *
at_operation(AlterTableCmd *cmd)
{
	switch (cmd->subtype)
	{
		case AT_AddColumn:
		case AT_AddColumnRecurse:
		case AT_AddColumnToView:
			return "add_column";
		case AT_ColumnDefault:
			return cmd->def ? "set_default" : "drop_default";
		case AT_CookedColumnDefault:
			return "set_default";
		case AT_DropNotNull:
			return "drop_not_null";
		case AT_SetNotNull:
			return "set_not_null";
		case AT_DropExpression:
			return "drop_expression";
		case AT_CheckNotNull:
			return "check_not_null";
		case AT_SetStatistics:
			return "set_statistics";
		case AT_SetOptions:
			return "set_column_options";
		case AT_ResetOptions:
			return "reset_column_options";
		case AT_SetStorage:
			return "set_storage";
		case AT_SetCompression:
			return "set_compression";
		case AT_DropColumn:
		case AT_DropColumnRecurse:
			return "drop_column";
		case AT_AddIndex:
			return "add_index";
		case AT_ReAddIndex:
			return "readd_index";
		case AT_AddConstraint:
		case AT_AddConstraintRecurse:
			return "add_constraint";
		case AT_ReAddConstraint:
			return "readd_constraint";
		case AT_ReAddDomainConstraint:
			return "readd_domain_constraint";
		case AT_AlterConstraint:
			return "alter_constraint";
		case AT_ValidateConstraint:
		case AT_ValidateConstraintRecurse:
			return "validate_constraint";
		case AT_AddIndexConstraint:
			return "add_index_constraint";
		case AT_DropConstraint:
		case AT_DropConstraintRecurse:
			return "drop_constraint";
		case AT_ReAddComment:
			return "readd_comment";
		case AT_AlterColumnType:
			return "alter_column_type";
		case AT_AlterColumnGenericOptions:
			return "alter_column_generic_options";
		case AT_ChangeOwner:
			return "change_owner";
		case AT_ClusterOn:
			return "cluster_on";
		case AT_DropCluster:
			return "set_without_cluster";
		case AT_SetLogged:
			return "set_logged";
		case AT_SetUnLogged:
			return "set_unlogged";
		case AT_DropOids:
			return "set_without_oids";
		case AT_SetAccessMethod:
			return "set_access_method";
		case AT_SetTableSpace:
			return "set_tablespace";
		case AT_SetRelOptions:
			return "set_options";
		case AT_ResetRelOptions:
			return "reset_options";
		case AT_ReplaceRelOptions:
			return "replace_options";
		case AT_EnableTrig:
			return "enable_trigger";
		case AT_EnableAlwaysTrig:
			return "enable_always_trigger";
		case AT_EnableReplicaTrig:
			return "enable_replica_trigger";
		case AT_DisableTrig:
			return "disable_trigger";
		case AT_EnableTrigAll:
			return "enable_trigger_all";
		case AT_DisableTrigAll:
			return "disable_trigger_all";
		case AT_EnableTrigUser:
			return "enable_trigger_user";
		case AT_DisableTrigUser:
			return "disable_trigger_user";
		case AT_EnableRule:
			return "enable_rule";
		case AT_EnableAlwaysRule:
			return "enable_always_rule";
		case AT_EnableReplicaRule:
			return "enable_replica_rule";
		case AT_DisableRule:
			return "disable_rule";
		case AT_AddInherit:
			return "inherit";
		case AT_DropInherit:
			return "no_inherit";
		case AT_AddOf:
			return "of_type";
		case AT_DropOf:
			return "not_of_type";
		case AT_ReplicaIdentity:
			return "replica_identity";
		case AT_EnableRowSecurity:
			return "enable_row_security";
		case AT_DisableRowSecurity:
			return "disable_row_security";
		case AT_ForceRowSecurity:
			return "force_row_security";
		case AT_NoForceRowSecurity:
			return "no_force_row_security";
		case AT_GenericOptions:
			return "generic_options";
		case AT_AttachPartition:
			return "attach_partition";
		case AT_DetachPartition:
			return "detach_partition";
		case AT_DetachPartitionFinalize:
			return "detach_partition_finalize";
		case AT_AddIdentity:
			return "add_identity";
		case AT_SetIdentity:
			return "set_identity";
		case AT_DropIdentity:
			return "drop_identity";
		case AT_ReAddStatistics:
			return "readd_statistics";
	}
	return "unknown";
}

/* Subcommands that act on one column (named by cmd->name). */
static bool
at_is_column_cmd(AlterTableType t)
{
	switch (t)
	{
		case AT_ColumnDefault:
		case AT_CookedColumnDefault:
		case AT_DropNotNull:
		case AT_SetNotNull:
		case AT_DropExpression:
		case AT_CheckNotNull:
		case AT_SetStatistics:
		case AT_SetOptions:
		case AT_ResetOptions:
		case AT_SetStorage:
		case AT_SetCompression:
		case AT_DropColumn:
		case AT_DropColumnRecurse:
		case AT_AlterColumnType:
		case AT_AlterColumnGenericOptions:
		case AT_AddIdentity:
		case AT_SetIdentity:
		case AT_DropIdentity:
			return true;
		default:
			return false;
	}
}

/*
 * How far PostgreSQL 15 carries an ALTER TABLE subcommand below the table
 * (unless ONLY is written): tablecmds.c recurses into every child for
 * column changes and CHECK constraints; foreign keys, index-backed
 * constraints and triggers exist on partitions only (they are cloned there,
 * never inherited); the rest -- owner, options, tablespace, replica
 * identity, row security, identity columns, ... -- stays on the table.
 */
static ClsRecurse
at_recursion(AlterTableCmd *cmd)
{
	switch (cmd->subtype)
	{
		case AT_AddColumn:
		case AT_AddColumnRecurse:
		case AT_DropColumn:
		case AT_DropColumnRecurse:
		case AT_AlterColumnType:
		case AT_ColumnDefault:
		case AT_SetNotNull:
		case AT_DropNotNull:
		case AT_DropExpression:
		case AT_SetStatistics:
		case AT_SetStorage:
		case AT_DropConstraint:
		case AT_DropConstraintRecurse:
		case AT_ValidateConstraint:
		case AT_ValidateConstraintRecurse:
			return RECURSE_ALL;
		case AT_AddConstraint:
		case AT_AddConstraintRecurse:
			if (cmd->def && IsA(cmd->def, Constraint) &&
				((Constraint *) cmd->def)->contype == CONSTR_CHECK)
				return RECURSE_ALL;
			return RECURSE_PARTITIONS;
		case AT_AlterConstraint:
		case AT_EnableTrig:
		case AT_EnableAlwaysTrig:
		case AT_EnableReplicaTrig:
		case AT_DisableTrig:
		case AT_EnableTrigAll:
		case AT_DisableTrigAll:
		case AT_EnableTrigUser:
		case AT_DisableTrigUser:
			return RECURSE_PARTITIONS;
		default:
			return RECURSE_NONE;
	}
}

static const char *
replica_identity_name(char c)
{
	switch (c)
	{
		case REPLICA_IDENTITY_DEFAULT:
			return "default";
		case REPLICA_IDENTITY_FULL:
			return "full";
		case REPLICA_IDENTITY_NOTHING:
			return "nothing";
		case REPLICA_IDENTITY_INDEX:
			return "index";
		default:
			return NULL;
	}
}

/*
 * A type whose values are read by C input functions only: a base or enum
 * type, or an array of one.  Not a domain (its CHECKs may call anything),
 * nor a composite or range type, or an array, over one.
 */
static bool
plain_type(Oid t)
{
	Oid			elem = OidIsValid(t) ? get_element_type(t) : InvalidOid;
	char		k = OidIsValid(t) ? get_typtype(OidIsValid(elem) ? elem : t) : '\0';

	return k == TYPTYPE_BASE || k == TYPTYPE_ENUM;
}

/*
 * Does a value of type from stored in a column of type to go through
 * PostgreSQL's own code only?  The same type, or no cast between them that
 * was created after initdb with a function (CREATE CAST ... WITH FUNCTION).
 */
static bool
builtin_coercion(Oid from, Oid to)
{
	HeapTuple	tup;
	bool		own = true;

	if (from == to)
		return true;
	if (!OidIsValid(from) || !plain_type(from))
		return false;
	tup = SearchSysCache2(CASTSOURCETARGET, ObjectIdGetDatum(from), ObjectIdGetDatum(to));
	if (HeapTupleIsValid(tup))
	{
		Form_pg_cast pc = (Form_pg_cast) GETSTRUCT(tup);

		own = pc->oid < FirstNormalObjectId || !OidIsValid(pc->castfunc);
		ReleaseSysCache(tup);
	}
	return own;
}

/* Does the script (any statement of it) make a function or procedure of that name? */
static bool
script_makes_function(const char *fname)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	ListCell   *lc;

	if (sc == NULL)
		return false;
	foreach(lc, sc->parsed)
	{
		Node	   *n = ((DbcParsedStmt *) lfirst(lc))->stmt;
		char	   *schema;
		char	   *name;

		if (!IsA(n, CreateFunctionStmt))
			continue;
		DeconstructQualifiedName(((CreateFunctionStmt *) n)->funcname, &schema, &name);
		if (strcmp(name, fname) == 0)
			return true;
	}
	return false;
}

/*
 * Is every function of that name, in any schema, PostgreSQL's own?  Not
 * only those on the search_path in effect now: the DEFAULT is judged from a
 * later statement of the script (column_state_current), whose search_path
 * may not be the one the ALTER TABLE runs with (SET search_path = public,
 * pg_catalog before it puts a public.now() first).
 */
static bool
only_builtin_functions_named(const char *fname)
{
	CatCList   *cl = SearchSysCacheList1(PROCNAMEARGSNSP, CStringGetDatum(fname));
	bool		own = true;
	int			i;

	for (i = 0; i < cl->n_members; i++)
		if (((Form_pg_proc) GETSTRUCT(&cl->members[i]->tuple))->oid >= FirstNormalObjectId)
			own = false;
	ReleaseSysCacheList(cl);
	return own;
}

/*
 * A DEFAULT that calls a function of PostgreSQL's own with constant
 * arguments (now(), statement_timestamp(), ...), which migrations add
 * columns with all the time: it runs no one's code when every function the
 * name can resolve to is built in and not volatile (a volatile default,
 * gen_random_uuid(), rewrites the table, and the rebuilt indexes evaluate
 * their expressions), no function of the name but the built-in ones exists
 * in any schema and the script makes none (one could come first on the
 * search_path the statement runs with), and the result goes into the
 * column without a cast someone created.  A function given arguments must
 * be immutable: stable built-in ones read tables and views named by their
 * arguments or all of them (table_to_xml('v', ...), database_to_xml(...)),
 * and a view's query may call anything.
 */
static bool
builtin_call_default(FuncCall *fc, Oid t)
{
	FuncCandidateList cands;
	bool		unknown;
	char	   *schema;
	char	   *fname;
	ListCell   *lc;

	if (fc->agg_order != NIL || fc->agg_filter != NULL || fc->over != NULL || fc->agg_star ||
		fc->agg_distinct || fc->func_variadic || !all_strings(fc->funcname))
		return false;
	foreach(lc, fc->args)
		if (!IsA(lfirst(lc), A_Const))
			return false;
	DeconstructQualifiedName(fc->funcname, &schema, &fname);
	if ((schema != NULL && strcmp(schema, "pg_catalog") != 0) || script_makes_function(fname) ||
		(schema == NULL && !only_builtin_functions_named(fname)))
		return false;
	cands = func_candidates(fc->funcname, &unknown);
	if (cands == NULL || unknown)
		return false;
	for (; cands != NULL; cands = cands->next)
	{
		char		vol = func_volatile(cands->oid);

		if (cands->oid >= FirstNormalObjectId || vol == PROVOLATILE_VOLATILE ||
			(fc->args != NIL && vol != PROVOLATILE_IMMUTABLE) ||
			!builtin_coercion(get_func_rettype(cands->oid), t))
			return false;
	}
	return true;
}

/* The type of CURRENT_TIMESTAMP, CURRENT_USER and the like. */
static Oid
sql_value_type(SQLValueFunction *svf)
{
	switch (svf->op)
	{
		case SVFOP_CURRENT_DATE:
			return DATEOID;
		case SVFOP_CURRENT_TIME:
		case SVFOP_CURRENT_TIME_N:
			return TIMETZOID;
		case SVFOP_CURRENT_TIMESTAMP:
		case SVFOP_CURRENT_TIMESTAMP_N:
			return TIMESTAMPTZOID;
		case SVFOP_LOCALTIME:
		case SVFOP_LOCALTIME_N:
			return TIMEOID;
		case SVFOP_LOCALTIMESTAMP:
		case SVFOP_LOCALTIMESTAMP_N:
			return TIMESTAMPOID;
		default:
			return NAMEOID;
	}
}

/*
 * A DEFAULT of a column of type t that runs no one's code: a literal, or one
 * cast to a plain type (the types' input functions, which are C), a keyword
 * such as CURRENT_TIMESTAMP, or a built-in function called with constants
 * (builtin_call_default).
 */
static bool
constant_default(Node *def, Oid t)
{
	if (def == NULL)
		return true;
	if (!plain_type(t))
		return false;
	if (IsA(def, A_Const))
		return true;
	if (IsA(def, TypeCast))
		return IsA(((TypeCast *) def)->arg, A_Const) && plain_type(type_oid(((TypeCast *) def)->typeName));
	if (IsA(def, SQLValueFunction))
		return builtin_coercion(sql_value_type((SQLValueFunction *) def), t);
	if (IsA(def, FuncCall))
		return builtin_call_default((FuncCall *) def, t);
	return false;
}

/*
 * Does an ALTER TABLE of a table other than the one asked about run no code
 * of its own, so that it cannot change that table's columns?  A volatile
 * DEFAULT, a USING expression, a CHECK validated, a domain's constraints, a
 * partition bound checked, an index rebuilt by a rewrite (its expressions)
 * all call functions, which may run ALTER TABLE on any other table (an
 * IMMUTABLE one through a VOLATILE one it calls).  Only subcommands known to
 * evaluate nothing count as harmless.
 */
static bool
alter_runs_no_code(AlterTableStmt *at)
{
	ListCell   *lc;

	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

		if (!IsA(cmd, AlterTableCmd))
			return false;
		switch (cmd->subtype)
		{
			case AT_DropNotNull:
			case AT_SetNotNull:
			case AT_ColumnDefault:	/* stored, not evaluated */
			case AT_SetStatistics:
			case AT_SetOptions:
			case AT_ResetOptions:
			case AT_SetStorage:
			case AT_SetCompression:
			case AT_DropConstraint:
			case AT_DropColumn:
			case AT_ChangeOwner:
			case AT_DropCluster:
			case AT_EnableTrig:
			case AT_EnableAlwaysTrig:
			case AT_EnableReplicaTrig:
			case AT_DisableTrig:
			case AT_EnableTrigAll:
			case AT_DisableTrigAll:
			case AT_EnableTrigUser:
			case AT_DisableTrigUser:
			case AT_EnableRowSecurity:
			case AT_DisableRowSecurity:
			case AT_ForceRowSecurity:
			case AT_NoForceRowSecurity:
			case AT_ReplicaIdentity:
				break;
			case AT_AddColumn:
				{
					ColumnDef  *cd = (ColumnDef *) cmd->def;
					Oid			t;
					ListCell   *k;

					if (cd == NULL || !IsA(cd, ColumnDef) || cd->typeName == NULL ||
						cd->identity || cd->generated || cd->cooked_default != NULL)
						return false;
					t = type_oid(cd->typeName);
					/* a domain's CHECKs run for the NULL of every row too */
					if (!OidIsValid(t) || get_typtype(t) == TYPTYPE_DOMAIN || !constant_default(cd->raw_default, t))
						return false;
					foreach(k, cd->constraints)
					{
						Constraint *con = (Constraint *) lfirst(k);

						if (!IsA(con, Constraint) ||
							(con->contype != CONSTR_NOTNULL && con->contype != CONSTR_NULL &&
							 !(con->contype == CONSTR_DEFAULT && constant_default(con->raw_expr, t))))
							return false;
					}
				}
				break;
			case AT_AddConstraint:
				{
					Constraint *con = (Constraint *) cmd->def;

					/* NOT VALID: nothing checked; a key's index reads columns only */
					if (con == NULL || !IsA(con, Constraint) ||
						!(((con->contype == CONSTR_CHECK || con->contype == CONSTR_FOREIGN) &&
						   con->skip_validation) ||
						  ((con->contype == CONSTR_PRIMARY || con->contype == CONSTR_UNIQUE) &&
						   con->indexname == NULL)))
						return false;
				}
				break;
			default:
				return false;
		}
	}
	return true;
}

/* CREATE INDEX of columns only: no expression or predicate to evaluate. */
static bool
index_runs_no_code(IndexStmt *is)
{
	ListCell   *lc;

	if (is->whereClause != NULL)
		return false;
	foreach(lc, list_concat_copy(is->indexParams, is->indexIncludingParams))
	{
		IndexElem  *e = (IndexElem *) lfirst(lc);

		if (!IsA(e, IndexElem) || e->expr != NULL)
			return false;
	}
	return true;
}

/* For scriptstate.c: may an ALTER TABLE / CREATE INDEX have put rows into a table? */
bool
dbc_alter_runs_no_code(AlterTableStmt *at)
{
	return alter_runs_no_code(at);
}

bool
dbc_index_runs_no_code(IndexStmt *is)
{
	return index_runs_no_code(is);
}

/* Does rv name relname (matched without regard to case or schema: any table it may be)? */
static bool
names_rel(RangeVar *rv, const char *relname)
{
	return rv == NULL || rv->relname == NULL || pg_strcasecmp(rv->relname, relname) == 0;
}

/* Is relid an inheritance child or partition, at any depth, of the relation rv names? */
static bool
descends_from(Oid relid, RangeVar *rv)
{
	Oid			other = OidIsValid(relid) && rv ? RangeVarGetRelid(rv, NoLock, true) : InvalidOid;

	if (!OidIsValid(other) || other == relid || !has_subclass(other))
		return false;
	return list_member_oid(find_all_inheritors(other, NoLock, NULL), relid);
}

/*
 * Does an ALTER TABLE only take things away?  DROP COLUMN, DROP CONSTRAINT,
 * DROP NOT NULL, DROP DEFAULT, DROP IDENTITY, DROP EXPRESSION, NO INHERIT and
 * NOT OF create, rename and move nothing: every name an object has after such
 * a statement was that object's before it (drops_nothing).
 */
static bool
alter_only_removes(AlterTableStmt *s)
{
	ListCell   *lc;

	foreach(lc, s->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

		switch (cmd->subtype)
		{
			case AT_DropColumn:
			case AT_DropColumnRecurse:
			case AT_DropConstraint:
			case AT_DropConstraintRecurse:
			case AT_DropNotNull:
			case AT_DropIdentity:
			case AT_DropExpression:
			case AT_DropInherit:
			case AT_DropOf:
				break;
			case AT_ColumnDefault:
				/* SET DEFAULT has an expression; DROP DEFAULT none */
				if (cmd->def != NULL)
					return false;
				break;
			default:
				return false;
		}
	}
	return true;
}

/*
 * Does an ALTER TABLE leave every relation's name as it was?  Listed are the
 * subcommands that drop, rename and rebuild no index or sequence: DROP COLUMN
 * and DROP CONSTRAINT drop indexes (DROP COLUMN and DROP IDENTITY
 * sequences), ALTER COLUMN TYPE drops and rebuilds the column's indexes, and
 * ADD CONSTRAINT ... USING INDEX renames the index to the constraint's name,
 * so none of those is.
 */
static bool
alter_keeps_relation_names(AlterTableStmt *s)
{
	ListCell   *lc;

	foreach(lc, s->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

		switch (cmd->subtype)
		{
			case AT_AddConstraint:
			case AT_AddConstraintRecurse:
				if (cmd->def == NULL || !IsA(cmd->def, Constraint) ||
					((Constraint *) cmd->def)->indexname != NULL)
					return false;
				break;
			case AT_AddColumn:
			case AT_AddColumnRecurse:
			case AT_ColumnDefault:
			case AT_SetNotNull:
			case AT_DropNotNull:
			case AT_SetStatistics:
			case AT_SetOptions:
			case AT_ResetOptions:
			case AT_SetStorage:
			case AT_SetCompression:
			case AT_ValidateConstraint:
			case AT_ValidateConstraintRecurse:
			case AT_AlterConstraint:
			case AT_AddIdentity:
			case AT_SetIdentity:
			case AT_ChangeOwner:
			case AT_SetRelOptions:
			case AT_ResetRelOptions:
			case AT_ReplicaIdentity:
			case AT_EnableRowSecurity:
			case AT_DisableRowSecurity:
			case AT_ForceRowSecurity:
			case AT_NoForceRowSecurity:
			case AT_EnableTrig:
			case AT_EnableAlwaysTrig:
			case AT_EnableReplicaTrig:
			case AT_DisableTrig:
			case AT_EnableTrigAll:
			case AT_DisableTrigAll:
			case AT_EnableTrigUser:
			case AT_DisableTrigUser:
				break;
			default:
				return false;
		}
	}
	return true;
}

/* Does a CREATE of a relation name relname (its last part, matched as the columns are)? */
static bool
creates_relname(Node *n, const char *relname)
{
	RangeVar   *rv = NULL;

	switch (nodeTag(n))
	{
		case T_CreateStmt:
			rv = ((CreateStmt *) n)->relation;
			break;
		case T_ViewStmt:
			rv = ((ViewStmt *) n)->view;
			break;
		case T_CreateSeqStmt:
			rv = ((CreateSeqStmt *) n)->sequence;
			break;
		case T_IndexStmt:
			return ((IndexStmt *) n)->idxname == NULL ||
				pg_strcasecmp(((IndexStmt *) n)->idxname, relname) == 0;
		default:
			return true;
	}
	return rv == NULL || rv->relname == NULL || pg_strcasecmp(rv->relname, relname) == 0;
}

/*
 * adds_nothing of CREATE TABLE / CREATE INDEX ... IF NOT EXISTS: 1 when a
 * relation of that name exists where the statement would create it, so
 * PostgreSQL skips it with a notice (before it creates a serial's sequence,
 * reads the table or builds anything); 0 without IF NOT EXISTS or when the
 * name is free now; -1 when that is not known.  At the gate the catalog is
 * current.  In a script judged whole it is as it was before the script, and
 * an earlier statement may have taken the name away (a DROP, a RENAME or
 * SET SCHEMA, ALTER TABLE ... DROP CONSTRAINT of a constraint whose index it
 * is, code run by DO or a query, SET search_path): only statements that
 * create things or change nothing of relation names may come before it.
 */
static int
relation_adds_nothing(Node *stmt, bool if_not_exists, ClsObject *o, bool temp)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	ListCell   *lc;

	if (!if_not_exists)
		return 0;
	if (o == NULL || o->exists < 0 || temp)
		return -1;
	if (o->exists == 0)
		return 0;
	if (sc == NULL)
		return 1;
	foreach(lc, sc->parsed)
	{
		Node	   *n = ((DbcParsedStmt *) lfirst(lc))->stmt;

		if (n == stmt)
			return 1;
		switch (nodeTag(n))
		{
			case T_CreateStmt:
			case T_IndexStmt:
			case T_CreateSeqStmt:
			case T_ViewStmt:
			case T_CreateFunctionStmt:
			case T_CreateTrigStmt:
			case T_CreatePolicyStmt:
			case T_CommentStmt:
			case T_GrantStmt:
			case T_TransactionStmt:
				continue;
			case T_AlterTableStmt:
				if (alter_keeps_relation_names((AlterTableStmt *) n))
					continue;
				return -1;
			default:
				return -1;
		}
	}
	return -1;
}

/*
 * adds_nothing of ALTER TABLE ... ADD COLUMN IF NOT EXISTS: 1 when the
 * column exists already, so PostgreSQL skips the subcommand with a notice --
 * its default, generated expression, serial sequence and constraints
 * included: nothing is rewritten, scanned or built; 0 without IF NOT EXISTS
 * or when the table has no such column now; -1 when that is not known (the
 * table is unknown, a system column's name, which is an error, another
 * subcommand of the statement drops that column first).  In a script judged
 * whole the catalog is as it was before the script: an earlier DROP COLUMN of
 * any table (of a parent it reaches this one; ALTER TYPE ... DROP ATTRIBUTE
 * CASCADE reaches typed tables), RENAME or SET SCHEMA, a DROP other than of
 * an index without CASCADE (DROP TYPE ... CASCADE drops columns), a CREATE of
 * a relation of the same name (it may come first on the search_path), or code
 * run by DO, CALL, EXECUTE, a query or DML may have removed it.
 */
static int
column_adds_nothing(AlterTableStmt *s, AlterTableCmd *cmd, ClsObject *o, bool relation)
{
	ColumnDef  *cd = (ColumnDef *) cmd->def;
	DbcScriptTables *sc;
	HeapTuple	at;
	AttrNumber	attnum;
	ListCell   *lc;

	if (!cmd->missing_ok)
		return 0;
	if (!relation || !OidIsValid(o->relid) || cd == NULL || cd->colname == NULL)
		return -1;
	at = att_by_name(o->relid, cd->colname);
	if (!HeapTupleIsValid(at))
		return 0;
	attnum = ((Form_pg_attribute) GETSTRUCT(at))->attnum;
	ReleaseSysCache(at);
	if (attnum <= 0)
		return -1;
	foreach(lc, s->cmds)
	{
		AlterTableCmd *other = (AlterTableCmd *) lfirst(lc);

		if ((other->subtype == AT_DropColumn || other->subtype == AT_DropColumnRecurse) &&
			other->name != NULL && strcmp(other->name, cd->colname) == 0)
			return -1;
	}
	sc = dbc_script_tables_current();
	if (sc == NULL)
		return 1;
	foreach(lc, sc->parsed)
	{
		Node	   *n = ((DbcParsedStmt *) lfirst(lc))->stmt;

		if (n == (Node *) s)
			return 1;
		switch (nodeTag(n))
		{
			case T_AlterTableStmt:
				{
					ListCell   *lc2;

					foreach(lc2, ((AlterTableStmt *) n)->cmds)
					{
						AlterTableCmd *other = (AlterTableCmd *) lfirst(lc2);

						if (other->subtype == AT_DropColumn || other->subtype == AT_DropColumnRecurse)
							return -1;
					}
				}
				continue;
			case T_CreateStmt:
			case T_ViewStmt:
				if (creates_relname(n, s->relation->relname))
					return -1;
				continue;
			case T_IndexStmt:
			case T_CreateSeqStmt:
			case T_AlterSeqStmt:
			case T_CommentStmt:
			case T_GrantStmt:
			case T_TransactionStmt:
			case T_CreateFunctionStmt:
			case T_CreateTrigStmt:
			case T_CreatePolicyStmt:
			case T_VariableSetStmt:
				continue;
			case T_DropStmt:
				if (((DropStmt *) n)->removeType == OBJECT_INDEX &&
					((DropStmt *) n)->behavior != DROP_CASCADE)
					continue;
				return -1;
			default:
				return -1;
		}
	}
	return -1;
}

/*
 * Is the cast ALTER COLUMN ... TYPE applies to the values of column colname
 * of the table rv names PostgreSQL's own (builtin_coercion)?  A cast someone
 * created WITH FUNCTION runs that function for every row.
 */
static bool
coercion_of_column_builtin(RangeVar *rv, const char *colname, TypeName *tn)
{
	Oid			relid = rv ? RangeVarGetRelid(rv, NoLock, true) : InvalidOid;
	HeapTuple	at;
	Oid			from;

	if (!OidIsValid(relid) || colname == NULL)
		return false;
	at = att_by_name(relid, colname);
	if (!HeapTupleIsValid(at))
		return false;
	from = ((Form_pg_attribute) GETSTRUCT(at))->atttypid;
	ReleaseSysCache(at);
	return builtin_coercion(from, type_oid(tn));
}

/*
 * Does validating foreign key con (a pg_constraint row) run PostgreSQL's own
 * code only?  Its query compares the referencing columns with the referenced
 * ones through the key's operators, coercing both sides to the operators'
 * input types: a cast someone created (an enum's to text, AS IMPLICIT) runs
 * for every row.  Trusted when the operators and every key column's type
 * are PostgreSQL's own and so is the type a column is being changed to
 * (newtype; PostgreSQL picks the key's operators again for it), with no cast
 * between the two sides created after initdb.
 */
static bool
fk_code_trusted(HeapTuple con, Oid newtype)
{
	Form_pg_constraint c = (Form_pg_constraint) GETSTRUCT(con);
	AttrNumber	conkey[INDEX_MAX_KEYS];
	AttrNumber	confkey[INDEX_MAX_KEYS];
	Oid			pf[INDEX_MAX_KEYS];
	Oid			pp[INDEX_MAX_KEYS];
	Oid			ff[INDEX_MAX_KEYS];
	int			n;

	if (newtype >= FirstNormalObjectId)
		return false;
	DeconstructFkConstraintRow(con, &n, conkey, confkey, pf, pp, ff, NULL, NULL);
	for (int i = 0; i < n; i++)
	{
		Oid			fktype = get_atttype(c->conrelid, conkey[i]);
		Oid			pktype = get_atttype(c->confrelid, confkey[i]);

		if (pf[i] >= FirstNormalObjectId || pp[i] >= FirstNormalObjectId ||
			ff[i] >= FirstNormalObjectId ||
			!OidIsValid(fktype) || fktype >= FirstNormalObjectId ||
			!OidIsValid(pktype) || pktype >= FirstNormalObjectId ||
			!builtin_coercion(fktype, pktype) || !builtin_coercion(pktype, fktype))
			return false;
	}
	return true;
}

/*
 * Does an ALTER COLUMN ... TYPE of the table rv names (and of its
 * inheritance children and partitions, which it recurses to) to type newtype
 * evaluate only PostgreSQL's own immutable C functions?  It rebuilds indexes
 * -- all of them when it rewrites the table -- evaluating their expressions
 * and predicates, re-checks the CHECK constraints on the column, also
 * without a rewrite, and, when it rewrites, validates again the foreign keys
 * of the table and those referencing it (all seen on PostgreSQL 15).  A
 * function in another language, a volatile one (query_to_xml() runs any
 * query), a domain's constraints, a cast someone created in a foreign key's
 * comparison (fk_code_trusted) may run someone's code, which may alter any
 * table.  Read from pg_index and pg_constraint without locking the tables (a
 * dry run must not wait behind another session's lock on them).  False when
 * the table is not found (made by the script, or unknown).
 */
static bool
table_code_trusted(RangeVar *rv, Oid newtype)
{
	Oid			relid = rv ? RangeVarGetRelid(rv, NoLock, true) : InvalidOid;
	List	   *rels;
	ListCell   *lc;
	bool		trusted = true;

	if (!OidIsValid(relid))
		return false;
	rels = has_subclass(relid) ? find_all_inheritors(relid, NoLock, NULL) : list_make1_oid(relid);
	foreach(lc, rels)
	{
		Relation	cat;
		ScanKeyData key;
		SysScanDesc scan;
		HeapTuple	tup;

		cat = table_open(IndexRelationId, AccessShareLock);
		ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(lfirst_oid(lc)));
		scan = systable_beginscan(cat, IndexIndrelidIndexId, true, NULL, 1, &key);
		while (trusted && HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			AttrNumber	cols[] = {Anum_pg_index_indexprs, Anum_pg_index_indpred};
			Form_pg_index idx = (Form_pg_index) GETSTRUCT(tup);
			int			i;

			/*
			 * A column of a type someone made: building the index calls that
			 * type's own functions, such as a range type's subtype_diff (any
			 * language, IMMUTABLE) for a GiST index.  An enum compares in C.
			 */
			for (i = 0; i < idx->indnatts && trusted; i++)
			{
				Oid			t = idx->indkey.values[i] > 0 ?
					get_atttype(idx->indrelid, idx->indkey.values[i]) : InvalidOid;

				if (t >= FirstNormalObjectId && get_typtype(t) != TYPTYPE_ENUM)
					trusted = false;
			}

			for (i = 0; i < lengthof(cols) && trusted; i++)
			{
				bool		isnull;
				Datum		d = heap_getattr(tup, cols[i], RelationGetDescr(cat), &isnull);

				if (!isnull && untrusted_code(stringToNode(TextDatumGetCString(d)), true))
					trusted = false;
			}
		}
		systable_endscan(scan);
		table_close(cat, AccessShareLock);
		if (!trusted)
			break;

		cat = table_open(ConstraintRelationId, AccessShareLock);
		ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(lfirst_oid(lc)));
		scan = systable_beginscan(cat, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
		while (trusted && HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			bool		isnull;
			Datum		d;

			if (((Form_pg_constraint) GETSTRUCT(tup))->contype != CONSTRAINT_CHECK)
				continue;
			d = heap_getattr(tup, Anum_pg_constraint_conbin, RelationGetDescr(cat), &isnull);
			if (isnull || untrusted_code(stringToNode(TextDatumGetCString(d)), true))
				trusted = false;
		}
		systable_endscan(scan);
		table_close(cat, AccessShareLock);
		if (!trusted)
			break;
	}

	/* foreign keys of these tables and referencing them: no index on confrelid */
	if (trusted)
	{
		Relation	cat = table_open(ConstraintRelationId, AccessShareLock);
		SysScanDesc scan = systable_beginscan(cat, InvalidOid, false, NULL, 0, NULL);
		HeapTuple	tup;

		while (trusted && HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			Form_pg_constraint c = (Form_pg_constraint) GETSTRUCT(tup);

			if (c->contype == CONSTRAINT_FOREIGN &&
				(list_member_oid(rels, c->conrelid) || list_member_oid(rels, c->confrelid)) &&
				!fk_code_trusted(tup, newtype))
				trusted = false;
		}
		systable_endscan(scan);
		table_close(cat, AccessShareLock);
	}
	return trusted;
}

/*
 * Does an earlier ALTER TABLE leave the type of column colname of table
 * relname as it is, without running code that could change it?  A type
 * change, drop or add of that very column does not; nor does a subcommand
 * that evaluates something (alter_runs_no_code), except a type change of
 * another column to a plain type without USING, by a cast of PostgreSQL's
 * own, of a column the script did not retype before (retyped: the
 * columns retyped so far), on a table whose index expressions, predicates
 * and CHECKs call only PostgreSQL's own immutable C functions and whose
 * foreign keys (either side) compare through PostgreSQL's own operators
 * and casts (table_code_trusted: a rewrite rebuilds the indexes and validates
 * the foreign keys again, the column's CHECKs are checked again).
 */
static bool
alter_keeps_column_type(AlterTableStmt *at, const char *relname, const char *colname, List **retyped)
{
	ListCell   *lc;

	foreach(lc, at->cmds)
	{
		AlterTableCmd *other = (AlterTableCmd *) lfirst(lc);
		const char *n = other->name;
		AlterTableStmt one = *at;

		if (!IsA(other, AlterTableCmd))
			return false;
		if (other->def && IsA(other->def, ColumnDef) && ((ColumnDef *) other->def)->colname)
			n = ((ColumnDef *) other->def)->colname;
		if (relname != NULL && colname != NULL && names_rel(at->relation, relname) && n != NULL &&
			pg_strcasecmp(n, colname) == 0 &&
			(other->subtype == AT_AlterColumnType || other->subtype == AT_AddColumn ||
			 other->subtype == AT_AddColumnRecurse || other->subtype == AT_DropColumn ||
			 other->subtype == AT_DropColumnRecurse))
			return false;
		if (other->subtype == AT_AlterColumnType)
		{
			ColumnDef  *cd = (ColumnDef *) other->def;

			char	   *key;
			ListCell   *k;

			if (cd == NULL || !IsA(cd, ColumnDef) || cd->raw_default != NULL || n == NULL ||
				at->relation == NULL || at->relation->relname == NULL)
				return false;
			/*
			 * The cast is judged from the catalog's type of the column: not
			 * when the script changed that type before (date to int4 may be
			 * a cast someone made; timestamp to int4 is none at all).
			 */
			key = psprintf("%s %s", at->relation->relname, n);
			foreach(k, *retyped)
				if (pg_strcasecmp((char *) lfirst(k), key) == 0)
					return false;
			*retyped = lappend(*retyped, key);
			if (!plain_type(type_oid(cd->typeName)) ||
				!coercion_of_column_builtin(at->relation, n, cd->typeName) ||
				!table_code_trusted(at->relation, type_oid(cd->typeName)))
				return false;
			continue;
		}
		one.cmds = list_make1(other);
		if (!alter_runs_no_code(&one))
			return false;
	}
	return true;
}

/*
 * Could the column cmd names have another type than the catalog's when
 * statement s runs?  rewrites_table of ALTER COLUMN TYPE is worked out from
 * the catalog's type, so a "no rewrite" must not rest on a type an earlier
 * statement of the script changed -- ALTER c TYPE text (no rewrite), then
 * ALTER c TYPE varchar(32), which rewrites the table, or the first done by
 * code in a DO block.  Unlike column_state_current(), other ALTER TABLEs of
 * the same table that leave the column's type alone do not count (migrations
 * alter several columns of a table in a row), nor do the script's renames,
 * which change no type.
 */
static bool
type_may_have_changed(AlterTableStmt *s, AlterTableCmd *cmd)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	List	   *retyped = NIL;
	ListCell   *lc;

	if (sc == NULL || s->relation == NULL || cmd->name == NULL)
		return false;
	foreach(lc, sc->parsed)
	{
		Node	   *n = ((DbcParsedStmt *) lfirst(lc))->stmt;

		if (n == (Node *) s)
			return false;
		if (dbc_stmt_runs_code(n) || stmt_runs_more_code(n))
			return true;
		switch (nodeTag(n))
		{
			case T_AlterTableStmt:
				if (!alter_keeps_column_type((AlterTableStmt *) n, s->relation->relname, cmd->name, &retyped))
					return true;
				break;
			case T_RenameStmt:
				{
					RenameStmt *r = (RenameStmt *) n;

					/*
					 * another column renamed to this one's name: unless the
					 * script's renames are followed to it (scriptnames.c), the
					 * catalog's column of that name is another one
					 */
					if (r->renameType == OBJECT_COLUMN && r->newname != NULL &&
						pg_strcasecmp(r->newname, cmd->name) == 0)
					{
						Oid			nsp;
						Oid			relid = dbc_lookup_relation(s->relation, &nsp);

						if (!OidIsValid(relid) || strcmp(dbc_script_column_name(relid, cmd->name), cmd->name) == 0)
							return true;
					}
				}
				break;
			case T_IndexStmt:
				if (!index_runs_no_code((IndexStmt *) n))
					return true;
				break;
			case T_CreateStmt:
				/* a new partition's bound is checked against the default partition's rows */
				if (((CreateStmt *) n)->partbound != NULL)
					return true;
				break;
			default:
				break;
		}
	}
	return true;
}

/*
 * Does a DROP earlier in a script leave the type and nullability of every
 * remaining column of every table as they are?  Migrations drop the views
 * on a column before they change its type (PostgreSQL refuses otherwise):
 * DROP VIEW / MATERIALIZED VIEW / TRIGGER, with CASCADE too, which can only
 * drop columns (of a view's row type) whole, and DROP INDEX without CASCADE.
 * Not when one of the objects has the table's name: the name may then mean
 * another relation further down the search_path when the statement runs.
 */
static bool
drop_keeps_columns(DropStmt *d, const char *relname)
{
	ListCell   *lc;

	switch (d->removeType)
	{
		case OBJECT_INDEX:
			if (d->behavior == DROP_CASCADE)
				return false;
			break;
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_TRIGGER:
			break;
		default:
			return false;
	}
	if (d->removeType == OBJECT_TRIGGER)
		return true;			/* trigger names are not relation names */
	foreach(lc, d->objects)
	{
		List	   *names = (List *) lfirst(lc);

		if (!IsA(names, List) || !all_strings(names) ||
			pg_strcasecmp(strVal(llast(names)), relname) == 0)
			return false;
	}
	return true;
}

/*
 * May the catalog's state of the column cmd names be taken for its state
 * when statement s runs?  Migration tools restate what a column already is
 * (ALTER COLUMN c TYPE <its type>, DROP NOT NULL of a nullable column), and
 * such a no-op should not be judged as a change.  At the gate the catalog is
 * current.  In a script judged whole it is as it was before the script: an
 * earlier statement about a table of the same name (ALTER, RENAME, CREATE,
 * DROP), or one that runs code dbchange does not read beforehand (DO, CALL,
 * EXECUTE, a query, DML: anything may be called; also an ALTER TABLE of
 * another table or a CREATE INDEX that evaluates an expression, see
 * alter_runs_no_code(); for the type, not an ALTER TABLE, of this table or
 * another, that leaves the column's type alone and runs PostgreSQL's own
 * code only, see alter_keeps_column_type()) can have changed the column, so
 * can a statement on a
 * parent of the table (SET / DROP NOT NULL recurse) or one that gives the
 * table a child, and so can another subcommand of s (ALTER c DROP NOT NULL, then ALTER c SET
 * NOT NULL; ADD PRIMARY KEY).  nullability: the state asked about is NOT
 * NULL, else the type.  Only statements known to leave other tables' columns
 * alone count as harmless, and none for a table found through the script's
 * own renames (scriptnames.c), which the statements before named otherwise.
 */
static bool
column_state_current(AlterTableStmt *s, AlterTableCmd *cmd, bool nullability)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	ListCell   *lc;
	Oid			relid;
	List	   *retyped = NIL;

	if (cmd->name == NULL || s->relation == NULL)
		return false;
	foreach(lc, s->cmds)
	{
		AlterTableCmd *other = (AlterTableCmd *) lfirst(lc);
		const char *n = other->name;

		if (other == cmd)
			continue;
		/* ADD PRIMARY KEY sets NOT NULL on its columns */
		if (nullability && (other->subtype == AT_AddConstraint || other->subtype == AT_AddIndex ||
							other->subtype == AT_AddConstraintRecurse))
			return false;
		if (other->def && IsA(other->def, ColumnDef))
			n = ((ColumnDef *) other->def)->colname;
		if (n == NULL || strcmp(n, cmd->name) != 0)
			continue;
		/* the same column: what cannot change the state asked about */
		switch (other->subtype)
		{
			case AT_DropNotNull:
			case AT_SetNotNull:
				if (nullability)
					return false;
				break;
			case AT_AlterColumnType:
			case AT_ColumnDefault:
			case AT_SetStatistics:
			case AT_SetOptions:
			case AT_ResetOptions:
			case AT_SetStorage:
			case AT_SetCompression:
				break;
			default:
				return false;
		}
	}
	if (sc == NULL)
		return true;

	/*
	 * A table the script renamed (or whose columns it renamed) was named
	 * otherwise by the statements before: they are not matched by name below.
	 */
	{
		Oid			nsp;

		relid = dbc_lookup_relation(s->relation, &nsp);
		if (dbc_script_renamed_relid(relid))
			return false;
	}
	foreach(lc, sc->parsed)
	{
		Node	   *n = ((DbcParsedStmt *) lfirst(lc))->stmt;
		RangeVar   *rv = NULL;

		if (n == (Node *) s)
			return true;
		switch (nodeTag(n))
		{
			case T_AlterTableStmt:
				{
					AlterTableStmt *at = (AlterTableStmt *) n;

					/*
					 * Another table's: one that runs code may change any
					 * table; a parent's reaches this table as its child
					 * (ALTER TABLE parent ALTER c DROP NOT NULL recurses).
					 * INHERIT / ATTACH PARTITION, which make this table a
					 * parent or a child, are not among the harmless ones.
					 */
					rv = at->relation;
					if (descends_from(relid, rv))
						return false;

					/*
					 * For the type: also a type change of another table's
					 * column that runs only PostgreSQL's own code (convoy
					 * widens the VARCHAR(26) ids of a dozen tables, each
					 * statement after another's), as the rewrite judgement
					 * takes it (alter_keeps_column_type).
					 */
					if (nullability ? !alter_runs_no_code(at) :
						!alter_keeps_column_type(at, s->relation->relname, cmd->name, &retyped))
						return false;

					/*
					 * The type of this column: an ALTER TABLE of the same
					 * table that keeps it is harmless too, as for
					 * rewrites_table (dani-garcia/vaultwarden retypes a
					 * table's columns one statement each).
					 */
					if (!nullability)
						continue;
				}
				break;
			case T_RenameStmt:
				rv = ((RenameStmt *) n)->relation;
				/* another relation renamed to this name: the name means it now */
				if (rv == NULL ||
					(((RenameStmt *) n)->newname &&
					 pg_strcasecmp(((RenameStmt *) n)->newname, s->relation->relname) == 0))
					return false;
				break;
			case T_CreateStmt:
				{
					CreateStmt *cs = (CreateStmt *) n;
					ListCell   *k;

					/*
					 * A new child of this table (INHERITS): SET / DROP NOT
					 * NULL recurse to it.  A new partition of any table: its
					 * bound is checked against the default partition's rows,
					 * through the key's expressions, which may call anything.
					 */
					rv = cs->relation;
					if (cs->partbound != NULL)
						return false;
					foreach(k, cs->inhRelations)
						if (names_rel((RangeVar *) lfirst(k), s->relation->relname))
							return false;
				}
				break;
			case T_IndexStmt:
				/* an expression or predicate is evaluated for each row */
				if (!index_runs_no_code((IndexStmt *) n))
					return false;
				continue;
			case T_CommentStmt:
			case T_CreateSeqStmt:
			case T_AlterSeqStmt:
			case T_GrantStmt:
			case T_CreateFunctionStmt:
			case T_ViewStmt:
			case T_CreateTrigStmt:
			case T_VariableSetStmt:
				continue;
			case T_DropStmt:
				if (!drop_keeps_columns((DropStmt *) n, s->relation->relname))
					return false;
				continue;
			default:
				return false;
		}
		if (rv == NULL || rv->relname == NULL ||
			pg_strcasecmp(rv->relname, s->relation->relname) == 0)
			return false;
	}
	return false;
}

/*
 * ALTER COLUMN ... TYPE that changes nothing: the column already has that
 * type, typmod and the type's default collation, and there is no USING.
 * 1 yes, 0 no, -1 unknown (the column or type is not found, a COLLATE
 * clause).  PostgreSQL still takes its lock, but rewrites, rechecks and
 * converts nothing.
 */
static int
type_unchanged(Oid relid, const char *colname, ColumnDef *cd, const TypeChange *tc)
{
	HeapTuple	at;
	Oid			coll;

	if (cd->raw_default != NULL)
		return 0;
	if (!tc->known || cd->collClause != NULL || colname == NULL)
		return -1;
	if (tc->old_type != tc->new_type || tc->old_mod != tc->new_mod)
		return 0;
	at = att_by_name(relid, colname);
	if (!HeapTupleIsValid(at))
		return -1;
	coll = ((Form_pg_attribute) GETSTRUCT(at))->attcollation;
	ReleaseSysCache(at);
	return coll == get_typcollation(tc->new_type) ? 1 : 0;
}

/* Is the column NOT NULL now?  1 yes, 0 no, -1 unknown. */
static int
column_not_null_now(Oid relid, const char *colname)
{
	HeapTuple	at;
	bool		nn;

	if (!OidIsValid(relid) || colname == NULL)
		return -1;
	at = att_by_name(relid, colname);
	if (!HeapTupleIsValid(at))
		return -1;
	nn = ((Form_pg_attribute) GETSTRUCT(at))->attnotnull;
	ReleaseSysCache(at);
	return nn ? 1 : 0;
}

/*
 * was_not_null of SET / DROP NOT NULL: the column's NOT NULL before the
 * statement, when the catalog can say (column_state_current) and the table
 * has no inheritance children or partitions (both subcommands recurse to
 * them, whose columns may differ).
 */
static int
not_null_before(AlterTableStmt *s, AlterTableCmd *cmd, ClsObject *o, bool relation)
{
	if (!relation || o->has_children || !column_state_current(s, cmd, true))
		return -1;
	return column_not_null_now(o->relid, cmd->name);
}

static void put_used_by(JsonbParseState **st, Oid classid, Oid objid);
static void put_sequences_used_by(JsonbParseState **st, List *objects, bool schemas);

/*
 * ALTER TABLE ... DROP COLUMN / DROP CONSTRAINT ... CASCADE: the column or
 * constraint is a root of the cascade walk (drop_cascade), as the objects a
 * DROP ... CASCADE names are, so cascades_to lists the views, constraints of
 * other tables, ... that go with it.  A column or constraint the catalog
 * does not have drops nothing that is there now (the statement fails, or IF
 * EXISTS skips it).  The inheritance children and partitions of the table
 * lose their inherited column or constraint too, with what depends on
 * theirs, which pg_depend does not tie to the parent's: then the list is not
 * complete.
 */
static void
add_alter_cascade_root(Cls *c, AlterTableStmt *s, ClsObject *o, AlterTableCmd *cmd)
{
	ObjectAddress addr;
	CascadeRoot *r;
	const char *name;

	c->drop_cascade = true;
	c->cascade_before_script |= dependents_may_change((Node *) s);
	if (o->has_children && s->relation->inh)
		c->cascade_incomplete = true;
	if (cmd->name == NULL || !OidIsValid(o->relid))
		return;
	if (cmd->subtype == AT_DropColumn || cmd->subtype == AT_DropColumnRecurse)
	{
		AttrNumber	att;

		name = dbc_script_column_name(o->relid, cmd->name);
		att = get_attnum(o->relid, name);
		if (att <= 0)
			return;
		ObjectAddressSubSet(addr, RelationRelationId, o->relid, att);
		name = psprintf("%s.%s", o->identity, quote_identifier(name));
	}
	else
	{
		Oid			con = get_relation_constraint_oid(o->relid, cmd->name, true);

		if (!OidIsValid(con))
			return;
		ObjectAddressSet(addr, ConstraintRelationId, con);
		name = psprintf("%s on %s", quote_identifier(cmd->name), o->identity);
	}
	r = palloc(sizeof(CascadeRoot));
	r->addr = addr;
	r->identity = name;
	c->cascade_roots = lappend(c->cascade_roots, r);
}

static void
classify_alter_table(Cls *c, AlterTableStmt *s)
{
	JsonbParseState **st = c->st;
	ObjectType	ot = s->objtype;
	bool		relation = is_relation_type(ot);
	bool		storage = ot == OBJECT_TABLE || ot == OBJECT_MATVIEW || ot == OBJECT_INDEX;
	ClsObject  *o;
	ListCell   *lc;
	const char *first_column = NULL;
	TypeName   *first_type = NULL;
	ColumnDef  *first_added = NULL;
	Constraint *first_con = NULL;
	const char *first_con_name = NULL;
	List	   *added_cols = NIL;
	List	   *added_skip = NIL;	/* adds_nothing of each of added_cols */
	List	   *added_cons = NIL;
	List	   *params = NIL;	/* storage parameters SET or RESET, in order */
	ClsRecurse	how = RECURSE_NONE;

	if (ot == OBJECT_TYPE)
	{
		List	   *names = list_make1(makeString(s->relation->relname));

		if (s->relation->schemaname)
			names = lcons(makeString(s->relation->schemaname), names);
		o = type_object("type", names);
	}
	else
		o = rel_object(objtype_name(ot), s->relation);
	set_main(c, o);
	c->if_exists = s->missing_ok;
	if (relation)
	{
		if (ot == OBJECT_INDEX)
			set_table_of_index(c, o);
		else
			set_table(c, o);
		add_lock(c, AlterTableGetLockLevel(s->cmds));
		/* its owner, options (security_invoker, ...), defaults: what reading it reads */
		put_view_reads(st, o);
	}

	begin_array(st, "subcommands");
	foreach(lc, s->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		const char *op = at_operation(cmd);
		const char *name = cmd->name;
		bool		rewrites = false;
		bool		scans = false;
		bool		cascade = cmd->behavior == DROP_CASCADE;

		add_op(c, op);
		how = Max(how, at_recursion(cmd));
		begin_object(st, NULL);
		dbc_put_text(st, "operation", op);
		dbc_put_bool(st, "cascade", cascade);
		c->cascade |= cascade;
		dbc_put_text(st, "lock",
					 relation ? dbc_lock_name(AlterTableGetLockLevel(list_make1(cmd))) : NULL);

		switch (cmd->subtype)
		{
			case AT_AddColumn:
			case AT_AddColumnRecurse:
			case AT_AddColumnToView:
				if (cmd->def && IsA(cmd->def, ColumnDef))
				{
					ColumnDef  *cd = (ColumnDef *) cmd->def;
					ColInfo		ci;
					int			none = column_adds_nothing(s, cmd, o, relation);
					int			ncons = list_length(added_cons);

					col_info(cd, NIL, &ci);
					ci.adds_nothing = none;
					put_column(st, "column", &ci);
					put_tristate(st, "adds_nothing", none);
					name = cd->colname;
					rewrites = ci.default_volatile || ci.generated || ci.identity || ci.serial ||
						(cmd->subtype != AT_AddColumnToView && is_constrained_domain(cd->typeName));
					scans = rewrites || (ci.not_null && !ci.has_default) || ci.has_checks;
					/* a column that is there already: PostgreSQL skips all of it */
					if (none == 1)
						rewrites = scans = false;
					added_cols = lappend(added_cols, cd);
					added_skip = lappend_int(added_skip, none);
					added_cons = column_conrefs(added_cons, cd);
					for (int i = ncons; i < list_length(added_cons); i++)
						((ConRef *) list_nth(added_cons, i))->adds_nothing = none;
					if (first_added == NULL)
						first_added = cd;
					if (first_column == NULL)
						first_column = cd->colname;
					if (first_type == NULL)
						first_type = cd->typeName;
				}
				/* for ADD COLUMN, missing_ok means IF NOT EXISTS */
				dbc_put_bool(st, "if_not_exists", cmd->missing_ok);
				c->if_not_exists |= cmd->missing_ok;
				break;
			case AT_SetNotNull:
				{
					List	   *dropped_cols;
					List	   *dropped = dropped_by_statement(s->cmds, &dropped_cols);
					int			h = relation ?
						has_validated_not_null_check(o->relid, cmd->name, o->identity, dropped, dropped_cols) : -1;
					int			was = not_null_before(s, cmd, o, relation);

					/* a CHECK an earlier statement of the script adds and validates */
					if (h != 1 && relation &&
						dbc_script_proves_not_null(o->identity, o->relid, cmd->name, dropped, dropped_cols))
						h = 1;
					if (h < 0)
						dbc_put_null(st, "has_validated_check");
					else
						dbc_put_bool(st, "has_validated_check", h == 1);
					put_tristate(st, "was_not_null", was);
					/* already NOT NULL: PostgreSQL sets nothing and scans nothing */
					scans = h != 1 && was != 1;
				}
				break;
			case AT_DropNotNull:
				put_tristate(st, "was_not_null", not_null_before(s, cmd, o, relation));
				break;
			case AT_AlterColumnType:
				if (cmd->def && IsA(cmd->def, ColumnDef))
				{
					ColumnDef  *cd = (ColumnDef *) cmd->def;
					TypeChange	tc;

					put_type_facts(st, "type", cd->typeName);
					dbc_put_bool(st, "using", cd->raw_default != NULL);

					/*
					 * USING that does not read the column (USING NULL, USING 0,
					 * USING other_column) replaces every value in it: as
					 * destructive as dropping it.
					 */
					if (cd->raw_default != NULL && cmd->name != NULL)
					{
						bool		reads = column_ref_walker(cd->raw_default, cmd->name);

						dbc_put_bool(st, "using_reads_column", reads);
						if (!reads)
							c->destructive = true;
					}
					type_change_of(o->relid, cmd->name, cd->typeName, &tc);
					rewrites = type_change_rewrites(&tc, cd->raw_default != NULL &&
													!using_is_column(cd->raw_default, cmd->name, cd->typeName),
													(Node *) s);
					/* from the catalog's type: not when the script may have changed it first */
					if (!rewrites && relation && type_may_have_changed(s, cmd))
						rewrites = true;
					{
						/* what the catalog says of the column is what it is when this runs */
						bool		current = relation && column_state_current(s, cmd, false);

						put_tristate(st, "type_unchanged",
									 !relation ? -1 :
									 cd->raw_default != NULL ? 0 :
									 !current ? -1 :
									 type_unchanged(o->relid, cmd->name, cd, &tc));
						put_old_type(st, &tc, current);
						put_tristate(st, "type_widened",
									 current ? type_widened(&tc, cd->raw_default != NULL) : -1);
					}

					{
						int			lossy = cd->raw_default == NULL ? type_change_lossy(&tc) :
							using_lossy(cd->raw_default, cmd->name, &tc);

						if (lossy >= 0)
							dbc_put_bool(st, "lossy_conversion", lossy == 1);
						else
							dbc_put_null(st, "lossy_conversion");
					}
					scans = rewrites;
					if (first_type == NULL)
						first_type = cd->typeName;

					/*
					 * An identity column's sequence follows the column's type
					 * (PostgreSQL runs ALTER SEQUENCE ... AS on it): its
					 * limit narrows with it.
					 */
					{
						Oid			seqid = relation ? identity_sequence(o->relid, cmd->name) : InvalidOid;

						if (OidIsValid(seqid))
							put_sequence_limits(st, seqid,
												list_make1(makeDefElem("as", (Node *) cd->typeName, -1)),
												(Node *) s);
					}
					put_serial_sequence_facts(st, relation ? o->relid : InvalidOid, cmd->name, cd->typeName);
				}
				break;
			case AT_DropColumn:
			case AT_DropColumnRecurse:
			case AT_DropIdentity:
			case AT_DropConstraint:
			case AT_DropConstraintRecurse:
				c->destructive = true;
				if (cmd->subtype == AT_DropConstraint || cmd->subtype == AT_DropConstraintRecurse)
				{
					if (first_con_name == NULL)
						first_con_name = cmd->name;
				}
				if (cascade && cmd->subtype != AT_DropIdentity && relation && o != NULL && o->exists == 1 &&
					s->relation != NULL)
					add_alter_cascade_root(c, s, o, cmd);
				break;
			case AT_AddConstraint:
			case AT_AddConstraintRecurse:
			case AT_ReAddConstraint:
				if (cmd->def && IsA(cmd->def, Constraint))
				{
					Constraint *con = (Constraint *) cmd->def;

					put_constraint(st, "constraint", con, NULL, -2);
					name = con->conname;
					scans = constraint_scans(con);
					added_cons = lappend(added_cons, conref(con, NULL));
					if (first_con == NULL)
						first_con = con;
					if (first_con_name == NULL)
						first_con_name = con->conname;
				}
				break;
			case AT_AlterConstraint:
				if (cmd->def && IsA(cmd->def, Constraint))
					name = ((Constraint *) cmd->def)->conname;
				if (first_con_name == NULL)
					first_con_name = name;
				break;
			case AT_ValidateConstraint:
			case AT_ValidateConstraintRecurse:
				scans = true;
				if (first_con_name == NULL)
					first_con_name = name;
				break;
			case AT_SetTableSpace:
			case AT_SetLogged:
			case AT_SetUnLogged:
			case AT_SetAccessMethod:
				rewrites = true;
				scans = true;
				break;
			case AT_AttachPartition:
			case AT_DetachPartition:
			case AT_DetachPartitionFinalize:
				if (cmd->def && IsA(cmd->def, PartitionCmd))
				{
					PartitionCmd *pc = (PartitionCmd *) cmd->def;
					ClsObject  *p = rel_object(ot == OBJECT_INDEX ? "index" : "table", pc->name);

					name = p->identity;
					dbc_put_text(st, "partition", p->identity);
					dbc_put_bool(st, "concurrently", pc->concurrent);
					c->concurrently |= pc->concurrent;
					if (cmd->subtype == AT_AttachPartition && ot == OBJECT_TABLE)
						put_attach_scans(st, o, p, pc->bound);
				}
				scans = cmd->subtype == AT_AttachPartition && ot == OBJECT_TABLE;
				break;
			case AT_SetRelOptions:
			case AT_ResetRelOptions:
			case AT_ReplaceRelOptions:
				if (cmd->def && IsA(cmd->def, List))
				{
					List	   *these = cmd->subtype == AT_ResetRelOptions ?
						reset_parameters((List *) cmd->def) : (List *) cmd->def;

					put_storage_parameters(st, "parameters", these);
					params = list_concat(params, these);
				}
				break;
			case AT_SetIdentity:
				/* the sequence options given: "restart" hands used values out again */
				if (cmd->def && IsA(cmd->def, List))
				{
					put_option_names(st, "options", (List *) cmd->def);
					/* SET MAXVALUE / MINVALUE / INCREMENT go to its sequence */
					put_sequence_limits(st, relation ? identity_sequence(o->relid, cmd->name) : InvalidOid,
										(List *) cmd->def, (Node *) s);
				}
				break;
			case AT_ChangeOwner:
				name = rolespec_name(cmd->newowner);
				break;
			case AT_AddInherit:
			case AT_DropInherit:
				if (cmd->def && IsA(cmd->def, RangeVar))
					name = rel_object("table", (RangeVar *) cmd->def)->identity;
				scans = cmd->subtype == AT_AddInherit;
				break;
			case AT_AddOf:
				if (cmd->def && IsA(cmd->def, TypeName))
					name = normalized_type_name((TypeName *) cmd->def);
				break;
			case AT_ReplicaIdentity:
				if (cmd->def && IsA(cmd->def, ReplicaIdentityStmt))
				{
					ReplicaIdentityStmt *ri = (ReplicaIdentityStmt *) cmd->def;

					dbc_put_text(st, "replica_identity", replica_identity_name(ri->identity_type));
					name = ri->name;
				}
				break;
			default:
				break;
		}
		if (at_is_column_cmd(cmd->subtype) && first_column == NULL)
			first_column = cmd->name;
		if (cmd->subtype != AT_AddColumn && cmd->subtype != AT_AddColumnRecurse &&
			cmd->subtype != AT_AddColumnToView)
		{
			dbc_put_bool(st, "if_exists", cmd->missing_ok);
			c->if_exists |= cmd->missing_ok;
		}
		if (!storage)
			rewrites = scans = false;
		dbc_put_text(st, "name", name);
		dbc_put_bool(st, "rewrites_table", rewrites);
		dbc_put_bool(st, "scans_table", scans || rewrites);
		end_object(st);
		c->rewrites |= rewrites;
		c->scans |= scans || rewrites;
	}
	end_array(st);
	put_storage_parameters(st, "storage_parameters", params);
	/* ALTER TABLE ONLY t stays on t */
	if ((ot == OBJECT_TABLE || ot == OBJECT_FOREIGN_TABLE) && s->relation->inh)
		reach_below(c, o, how);

	begin_array(st, "columns");
	foreach(lc, added_cols)
	{
		ColInfo		ci;

		col_info(lfirst(lc), NIL, &ci);
		ci.adds_nothing = list_nth_int(added_skip, foreach_current_index(lc));
		put_column(st, NULL, &ci);
	}
	end_array(st);
	put_constraints(st, added_cons);

	if (first_column)
		dbc_put_text(st, "column", first_column);
	if (first_type)
		dbc_put_text(st, "column_type", normalized_type_name(first_type));
	if (first_added)
	{
		ColInfo		ci;

		col_info(first_added, NIL, &ci);
		dbc_put_bool(st, "not_null", ci.not_null);
		dbc_put_bool(st, "has_default", ci.has_default);
		dbc_put_bool(st, "default_volatile", ci.default_volatile);
	}
	if (first_con)
	{
		dbc_put_text(st, "constraint_type", contype_name(first_con->contype));
		dbc_put_bool(st, "not_valid", first_con->skip_validation);
	}
	if (first_con_name)
		dbc_put_text(st, "constraint_name", first_con_name);
	/* ALTER TYPE ... ADD/DROP/ALTER ATTRIBUTE: the columns of the composite type */
	if (ot == OBJECT_TYPE)
		put_used_by(st, TypeRelationId, o->typid);


	/*
	 * ALTER SEQUENCE (or ALTER TABLE) ... OWNER TO, SET UNLOGGED of a
	 * sequence: its new owner may setval() it, an unlogged one restarts
	 * after a crash -- the defaults and identity columns drawing from it
	 * get colliding or skipped values.
	 */
	if (o->relkind == RELKIND_SEQUENCE)
		put_used_by(st, RelationRelationId, o->relid);
}

static void
classify_move_all(Cls *c, AlterTableMoveAllStmt *s)
{
	c->object_type = objtype_name(s->objtype);
	set_main(c, new_object(c->object_type, NULL, NULL));
	add_op(c, "set_tablespace");
	dbc_put_text(c->st, "tablespace", s->new_tablespacename);
	dbc_put_text(c->st, "from_tablespace", s->orig_tablespacename);
	c->rewrites = c->scans = true;
	add_lock(c, AccessExclusiveLock);
}

static void
classify_truncate(Cls *c, TruncateStmt *s)
{
	ListCell   *lc;

	foreach(lc, s->relations)
	{
		RangeVar   *rv = lfirst_node(RangeVar, lc);
		ClsObject  *o = rel_object("table", rv);

		c->objects = lappend(c->objects, o);
		/* TRUNCATE ONLY t stays on t */
		reach_below(c, o, rv->inh ? RECURSE_ALL : RECURSE_NONE);
	}
	c->object_type = "table";
	if (c->objects)
		set_main(c, linitial(c->objects));
	c->sum_objects = true;
	add_op(c, "truncate");
	c->destructive = true;
	c->cascade = s->behavior == DROP_CASCADE;
	/* the tables that reference these by foreign key are truncated too */
	c->truncate_cascade = c->cascade;
	c->cascade_before_script = c->cascade && dependents_may_change((Node *) s);
	dbc_put_bool(c->st, "restart_identity", s->restart_seqs);
	add_lock(c, AccessExclusiveLock);
}

/* ---------------------------------------------------------------------------
 * Indexes
 * ---------------------------------------------------------------------------
 */

static void
classify_create_index(Cls *c, IndexStmt *s)
{
	JsonbParseState **st = c->st;
	ClsObject  *tab = rel_object("table", s->relation);
	ClsObject  *idx = new_object("index", tab->schema, s->idxname ? pstrdup(s->idxname) : NULL);
	ListCell   *lc;

	if (s->idxname)
	{
		Oid			nsp = tab->schema ? get_namespace_oid(tab->schema, true) : InvalidOid;

		idx->exists = OidIsValid(nsp) && OidIsValid(get_relname_relid(s->idxname, nsp));
	}
	idx->table = tab->identity;
	idx->table_relid = tab->relid;
	idx->table_obj = tab;
	set_main(c, idx);
	add_op(c, "create");
	c->concurrently = s->concurrent;
	c->if_not_exists = s->if_not_exists;
	/*
	 * An index on a partitioned table is built on every partition, unless ON
	 * ONLY: then PostgreSQL only records an invalid index on the parent, to
	 * which the partitions' indexes (built CONCURRENTLY one by one) are
	 * attached later; nothing is read.  On a plain table ONLY changes
	 * nothing.
	 */
	c->scans = s->relation->inh || !OidIsValid(tab->relid) ||
		get_rel_relkind(tab->relid) != RELKIND_PARTITIONED_TABLE;
	reach_below(c, tab, s->relation->inh ? RECURSE_PARTITIONS : RECURSE_NONE);
	add_lock(c, s->concurrent ? ShareUpdateExclusiveLock : ShareLock);

	dbc_put_bool(st, "unique", s->unique || s->primary);
	dbc_put_int(st, "column_count", list_length(s->indexParams));
	begin_array(st, "index_columns");
	foreach(lc, s->indexParams)
		push_text_elem(st, lfirst_node(IndexElem, lc)->name);
	end_array(st);
	begin_array(st, "include_columns");
	foreach(lc, s->indexIncludingParams)
		push_text_elem(st, lfirst_node(IndexElem, lc)->name);
	end_array(st);
	dbc_put_text(st, "index_method", s->accessMethod ? s->accessMethod : "btree");
	dbc_put_bool(st, "partial", s->whereClause != NULL);
	dbc_put_text(st, "tablespace", s->tableSpace);
	{
		/* IF NOT EXISTS of a name taken in the table's schema: nothing is read or built */
		int			none = relation_adds_nothing((Node *) s, s->if_not_exists,
												 s->idxname ? idx : NULL, false);

		put_tristate(st, "adds_nothing", none);
		if (none == 1)
			c->scans = false;
	}
}

static void
classify_reindex(Cls *c, ReindexStmt *s)
{
	ClsObject  *o;

	switch (s->kind)
	{
		case REINDEX_OBJECT_INDEX:
			o = rel_object("index", s->relation);
			set_main(c, o);
			set_table_of_index(c, o);
			/* a partitioned index: the index of every partition is rebuilt */
			reach_below(c, partitioned_index_table(o), RECURSE_PARTITIONS);
			break;
		case REINDEX_OBJECT_TABLE:
			o = rel_object("table", s->relation);
			set_main(c, o);
			set_table(c, o);
			/* a partitioned table: every partition's indexes are rebuilt */
			reach_below(c, o, RECURSE_PARTITIONS);
			break;
		case REINDEX_OBJECT_SCHEMA:
			set_main(c, global_object(OBJECT_SCHEMA, s->name));
			break;
		case REINDEX_OBJECT_SYSTEM:
			c->object_type = "system";
			set_main(c, new_object("system", NULL, s->name ? pstrdup(s->name) : NULL));
			break;
		case REINDEX_OBJECT_DATABASE:
			set_main(c, global_object(OBJECT_DATABASE,
									  s->name ? s->name : get_database_name(MyDatabaseId)));
			break;
	}
	add_op(c, "reindex");
	c->concurrently = opt_on(s->params, "concurrently");
	c->scans = true;
	if (c->concurrently)
		add_lock(c, ShareUpdateExclusiveLock);
	else
	{
		/* SHARE on the table, ACCESS EXCLUSIVE on each index rebuilt */
		add_lock(c, AccessExclusiveLock);
		c->index_exclusive = true;
	}
}

/* ---------------------------------------------------------------------------
 * Views, materialized views, sequences
 * ---------------------------------------------------------------------------
 */

static void
classify_view(Cls *c, ViewStmt *s)
{
	ClsObject  *o = rel_object("view", s->view);
	bool		recursive = false;

	set_main(c, o);
	add_op(c, "create");
	c->or_replace = s->replace;
	if (s->replace && o->exists == 1)
		add_lock(c, AccessExclusiveLock);
	if (s->query && IsA(s->query, SelectStmt) && ((SelectStmt *) s->query)->withClause)
		recursive = ((SelectStmt *) s->query)->withClause->recursive;
	dbc_put_text(c->st, "persistence", persistence_name(s->view->relpersistence));
	dbc_put_text(c->st, "check_option",
				 s->withCheckOption == LOCAL_CHECK_OPTION ? "local" :
				 s->withCheckOption == CASCADED_CHECK_OPTION ? "cascaded" : NULL);
	dbc_put_bool(c->st, "recursive", recursive);
	/* whoever may select from the view reads these, with its owner's rights */
	put_query_reads(c->st, s->query);
}

/*
 * Has a materialized view an index REFRESH ... CONCURRENTLY can match rows
 * by?  The test of PostgreSQL's matview.c (is_usable_unique_index): a
 * unique, immediate, valid btree index without a WHERE clause whose columns
 * are all plain columns (no expression).  Without one PostgreSQL refuses
 * CONCURRENTLY before refreshing anything.  1 yes, 0 no, -1 unknown.
 */
static int
matview_unique_index(Oid relid)
{
	Relation	indrel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	int			found = 0;

	if (!OidIsValid(relid))
		return -1;
	indrel = table_open(IndexRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(indrel, IndexIndrelidIndexId, true, NULL, 1, &key);
	while (found == 0 && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_index ind = (Form_pg_index) GETSTRUCT(tup);
		bool		usable;
		int			i;

		usable = ind->indisunique && ind->indimmediate && ind->indisvalid &&
			ind->indnatts > 0 && heap_attisnull(tup, Anum_pg_index_indpred, NULL);
		if (usable)
		{
			HeapTuple	ctup = SearchSysCache1(RELOID, ObjectIdGetDatum(ind->indexrelid));

			usable = HeapTupleIsValid(ctup) &&
				((Form_pg_class) GETSTRUCT(ctup))->relam == BTREE_AM_OID;
			if (HeapTupleIsValid(ctup))
				ReleaseSysCache(ctup);
		}
		for (i = 0; usable && i < ind->indnatts; i++)
			usable = ind->indkey.values[i] > 0;
		if (usable)
			found = 1;
	}
	systable_endscan(scan);
	table_close(indrel, AccessShareLock);
	return found;
}

static void
classify_refresh(Cls *c, RefreshMatViewStmt *s)
{
	ClsObject  *o = rel_object("materialized_view", s->relation);
	bool		matview = o->exists == 1 && o->relkind == RELKIND_MATVIEW;

	set_main(c, o);
	set_table(c, o);
	add_op(c, "refresh");
	c->concurrently = s->concurrent;
	c->rewrites = c->scans = true;
	add_lock(c, s->concurrent ? ExclusiveLock : AccessExclusiveLock);
	dbc_put_bool(c->st, "with_data", !s->skipData);
	/* WITH NO DATA empties the view: every read of it fails until the next refresh */
	if (s->skipData)
		c->destructive = true;

	/*
	 * Whether it holds data now (a view never refreshed, or refreshed WITH NO
	 * DATA, refuses every read, and CONCURRENTLY), and whether it has the
	 * unique index CONCURRENTLY needs.
	 */
	if (matview)
	{
		HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(o->relid));

		if (HeapTupleIsValid(tup))
		{
			dbc_put_bool(c->st, "populated", ((Form_pg_class) GETSTRUCT(tup))->relispopulated);
			ReleaseSysCache(tup);
		}
		else
			dbc_put_null(c->st, "populated");
	}
	else
		dbc_put_null(c->st, "populated");
	{
		int			u = matview ? matview_unique_index(o->relid) : -1;

		if (u < 0)
			dbc_put_null(c->st, "has_unique_index");
		else
			dbc_put_bool(c->st, "has_unique_index", u == 1);
	}
}

static void
put_option_names(JsonbParseState **st, const char *key, List *options)
{
	ListCell   *lc;

	begin_array(st, key);
	foreach(lc, options)
		push_text_elem(st, lfirst_node(DefElem, lc)->defname);
	end_array(st);
}


/* The largest value of a sequence's data type (0: not a sequence type). */
static int64
seqtype_max(Oid typid)
{
	switch (typid)
	{
		case INT2OID:
			return PG_INT16_MAX;
		case INT4OID:
			return PG_INT32_MAX;
		case INT8OID:
			return PG_INT64_MAX;
		default:
			return 0;
	}
}

/* The smallest value of a sequence's data type (0: not a sequence type). */
static int64
seqtype_min(Oid typid)
{
	switch (typid)
	{
		case INT2OID:
			return PG_INT16_MIN;
		case INT4OID:
			return PG_INT32_MIN;
		case INT8OID:
			return PG_INT64_MIN;
		default:
			return 0;
	}
}

/* A sequence option's whole number (MAXVALUE, INCREMENT), without errors. */
static bool
opt_int64(DefElem *opt, int64 *out)
{
	char	   *end;

	if (opt->arg == NULL)
		return false;
	if (IsA(opt->arg, Integer))
	{
		*out = intVal(opt->arg);
		return true;
	}
	if (!IsA(opt->arg, Float))
		return false;
	errno = 0;
	*out = strtoi64(castNode(Float, opt->arg)->fval, &end, 10);
	return errno == 0 && *end == '\0';
}

/*
 * ALTER SEQUENCE (and the identity column forms, ALTER TABLE ... ALTER
 * COLUMN ... SET MAXVALUE / SET MINVALUE / TYPE): the limit nextval() stops
 * at after the statement, beside the limit it has now.  A narrower limit --
 * AS integer on a sequence a bigint column draws from, MAXVALUE n -- makes
 * nextval() fail once it is reached, and with it every insert that draws from
 * the sequence (or PostgreSQL refuses the statement when the sequence is past
 * it already).  An ascending sequence stops at its maximum, a descending one
 * at its minimum.  Worked out as PostgreSQL's init_params() does for an
 * existing sequence: AS resets a bound that was the old type's own to the new
 * type's (a bound set explicitly stays); INCREMENT is applied first, so it
 * decides the direction; MAXVALUE n / MINVALUE n; NO MAXVALUE is the type's
 * maximum for an ascending sequence, -1 for a descending one; NO MINVALUE 1
 * for an ascending one, the type's minimum for a descending one.
 * An ascending sequence gets maxvalue, current_maxvalue and lowers_maxvalue
 * (its minimum only matters with CYCLE); a descending one minvalue,
 * current_minvalue and raises_minvalue; the other three are null.  A
 * sequence that does not exist, an unknown type or a value this cannot
 * read: all six null.
 */
/*
 * The sequence of an identity column, or InvalidOid (not one, or unknown):
 * ALTER TABLE ... ALTER COLUMN ... SET MAXVALUE / TYPE changes it.
 */
static Oid
identity_sequence(Oid relid, const char *colname)
{
	HeapTuple	tup;
	bool		identity;
	AttrNumber	attnum;

	if (!OidIsValid(relid) || colname == NULL)
		return InvalidOid;
	tup = att_by_name(relid, colname);
	if (!HeapTupleIsValid(tup))
		return InvalidOid;
	identity = ((Form_pg_attribute) GETSTRUCT(tup))->attidentity != '\0';
	attnum = ((Form_pg_attribute) GETSTRUCT(tup))->attnum;
	ReleaseSysCache(tup);
	return identity ? getIdentitySequence(relid, attnum, true) : InvalidOid;
}

/*
 * The range a column of this type holds, for the values a sequence hands
 * out: the integer types' own; numeric, float and text hold any of them
 * (unbounded: false, with *bounded false).  Another type: returns false.
 */
static bool
column_int_range(Oid typid, bool *bounded, int64 *min, int64 *max)
{
	*bounded = seqtype_max(typid) != 0;
	*min = seqtype_min(typid);
	*max = seqtype_max(typid);
	if (*bounded)
		return true;
	return typid == NUMERICOID || typid == FLOAT8OID || typid == TEXTOID || typid == VARCHAROID;
}

/* A sequence's type and limits, as the catalog has them or the script leaves them. */
typedef struct SeqState
{
	Oid			type;
	int64		max;
	int64		min;
	int64		incr;
} SeqState;

static bool sequence_state(Oid seqid, Node *upto, SeqState *s);
static bool seq_state_apply(SeqState *s, List *options);

static void
put_sequence_limits(JsonbParseState **st, Oid seqid, List *options, Node *stmt)
{
	SeqState	now;
	SeqState	after;
	bool		known = sequence_state(seqid, stmt, &now);

	after = now;
	known = known && seq_state_apply(&after, options);
	if (known && after.incr > 0)
	{
		dbc_put_int(st, "maxvalue", after.max);
		dbc_put_int(st, "current_maxvalue", now.max);
		dbc_put_bool(st, "lowers_maxvalue", after.max < now.max);
	}
	else
	{
		dbc_put_null(st, "maxvalue");
		dbc_put_null(st, "current_maxvalue");
		dbc_put_null(st, "lowers_maxvalue");
	}
	if (known && after.incr < 0)
	{
		dbc_put_int(st, "minvalue", after.min);
		dbc_put_int(st, "current_minvalue", now.min);
		dbc_put_bool(st, "raises_minvalue", after.min > now.min);
	}
	else
	{
		dbc_put_null(st, "minvalue");
		dbc_put_null(st, "current_minvalue");
		dbc_put_null(st, "raises_minvalue");
	}
}

/* The catalog's state of sequence seqid; false: no such sequence. */
static bool
seq_state_catalog(Oid seqid, SeqState *s)
{
	HeapTuple	tup = OidIsValid(seqid) ? SearchSysCache1(SEQRELID, ObjectIdGetDatum(seqid)) : NULL;
	Form_pg_sequence seq;

	if (!HeapTupleIsValid(tup))
		return false;
	seq = (Form_pg_sequence) GETSTRUCT(tup);
	s->type = seq->seqtypid;
	s->max = seq->seqmax;
	s->min = seq->seqmin;
	s->incr = seq->seqincrement;
	ReleaseSysCache(tup);
	return true;
}

/*
 * What ALTER SEQUENCE options make of a sequence in state *s (the comment of
 * put_sequence_limits); false when a type or a value is unknown (*s is then
 * not to be used).
 */
static bool
seq_state_apply(SeqState *s, List *options)
{
	DefElem    *as = find_opt(options, "as");
	DefElem    *max = find_opt(options, "maxvalue");
	DefElem    *min = find_opt(options, "minvalue");
	DefElem    *inc = find_opt(options, "increment");
	Oid			new_type = s->type;
	bool		reset_max = false;
	bool		reset_min = false;
	int64		incr = s->incr;
	int64		new_max;
	int64		new_min;
	bool		known = true;

	if (as != NULL)
	{
		new_type = IsA(as->arg, TypeName) ? type_oid((TypeName *) as->arg) : InvalidOid;
		reset_max = s->max == seqtype_max(s->type);
		reset_min = s->min == seqtype_min(s->type);
	}
	if (inc != NULL)
		known = opt_int64(inc, &incr);
	if (max != NULL && max->arg != NULL)
		known = known && opt_int64(max, &new_max);
	else if (max != NULL || reset_max)
		new_max = (incr > 0 || reset_max) ? seqtype_max(new_type) : -1;
	else
		new_max = s->max;
	if (min != NULL && min->arg != NULL)
		known = known && opt_int64(min, &new_min);
	else if (min != NULL || reset_min)
		new_min = (incr < 0 || reset_min) ? seqtype_min(new_type) : 1;
	else
		new_min = s->min;
	known = known && incr != 0 && seqtype_max(new_type) != 0;
	if (known)
	{
		s->type = new_type;
		s->max = new_max;
		s->min = new_min;
		s->incr = incr;
	}
	return known;
}

/*
 * The script's statements as sequence_state() reads them, with their names
 * resolved once per script: sequence_state() runs for every ALTER SEQUENCE,
 * ALTER COLUMN ... TYPE and SET MAXVALUE of a script, and resolving every
 * statement's names each time made a script of thousands of them quadratic
 * in catalog lookups (pg_depend scans for identity columns: 17 s for 5,000
 * SET MAXVALUEs).  Resolving once is exact: the names are resolved on the
 * search_path in effect while the script is checked, which only the
 * script's own setters change (scriptpath.c), and when one does only
 * schema-qualified names count, whatever the path.
 */
typedef struct SeqStep
{
	Node	   *stmt;
	Oid			seqid;			/* ALTER SEQUENCE: the sequence it names, when it counts */
	List	   *cmds;			/* ALTER TABLE: subcommands that change an identity sequence */
	List	   *seqids;			/* ... the sequence each changes */
	bool		runs_code;
} SeqStep;

typedef struct SeqScript
{
	bool		none;			/* it creates, renames, moves or drops sequences */
	List	   *renamed;		/* relids of relations it renames */
	int			nsteps;
	SeqStep    *steps;
} SeqScript;

static SeqScript *
seq_script(DbcScriptTables *sc)
{
	SeqScript  *ss;
	MemoryContext old;
	ListCell   *lc;
	bool		path_set = false;
	int			i = 0;

	if (sc->seq_script != NULL)
		return (SeqScript *) sc->seq_script;
	old = MemoryContextSwitchTo(sc->cxt);
	ss = palloc0(sizeof(SeqScript));
	ss->steps = palloc0(sizeof(SeqStep) * Max(list_length(sc->parsed), 1));
	foreach(lc, sc->parsed)
	{
		Node	   *n = ((DbcParsedStmt *) lfirst(lc))->stmt;
		char	   *value;

		/* every setter scriptpath.c follows: SET, RESET, SELECT set_config(...) */
		if ((IsA(n, VariableSetStmt) &&
			 (((VariableSetStmt *) n)->kind == VAR_RESET_ALL ||
			  pg_strcasecmp(((VariableSetStmt *) n)->name, "search_path") == 0)) ||
			(IsA(n, DiscardStmt) && ((DiscardStmt *) n)->target == DISCARD_ALL) ||
			dbc_script_path_setter(n, &value))
			path_set = true;
		if (IsA(n, CreateSeqStmt) ||
			(IsA(n, RenameStmt) && ((RenameStmt *) n)->renameType == OBJECT_SEQUENCE) ||
			(IsA(n, AlterObjectSchemaStmt) && ((AlterObjectSchemaStmt *) n)->objectType == OBJECT_SEQUENCE) ||
			(IsA(n, DropStmt) && ((DropStmt *) n)->removeType == OBJECT_SEQUENCE))
			ss->none = true;
		if (IsA(n, RenameStmt) && ((RenameStmt *) n)->relation)
		{
			Oid			r = RangeVarGetRelid(((RenameStmt *) n)->relation, NoLock, true);

			if (OidIsValid(r))
				ss->renamed = lappend_oid(ss->renamed, r);
		}
	}
	foreach(lc, sc->parsed)
	{
		Node	   *n = ((DbcParsedStmt *) lfirst(lc))->stmt;
		SeqStep    *step = &ss->steps[i++];

		step->stmt = n;
		step->runs_code = dbc_stmt_runs_code(n);
		if (IsA(n, AlterSeqStmt))
		{
			AlterSeqStmt *as = (AlterSeqStmt *) n;

			if (as->sequence && (as->sequence->schemaname != NULL || !path_set))
				step->seqid = RangeVarGetRelid(as->sequence, NoLock, true);
		}
		else if (IsA(n, AlterTableStmt) && ((AlterTableStmt *) n)->objtype == OBJECT_TABLE &&
				 ((AlterTableStmt *) n)->relation &&
				 (((AlterTableStmt *) n)->relation->schemaname != NULL || !path_set))
		{
			AlterTableStmt *at = (AlterTableStmt *) n;
			Oid			relid = InvalidOid;
			ListCell   *k;

			foreach(k, at->cmds)
			{
				AlterTableCmd *cmd = (AlterTableCmd *) lfirst(k);
				Oid			seqid;

				if (!IsA(cmd, AlterTableCmd) || cmd->name == NULL ||
					(cmd->subtype != AT_SetIdentity && cmd->subtype != AT_AlterColumnType &&
					 cmd->subtype != AT_DropIdentity))
					continue;
				if (!OidIsValid(relid) &&
					!OidIsValid(relid = RangeVarGetRelid(at->relation, NoLock, true)))
					break;
				seqid = identity_sequence(relid, cmd->name);
				if (!OidIsValid(seqid))
					continue;
				step->cmds = lappend(step->cmds, cmd);
				step->seqids = lappend_oid(step->seqids, seqid);
			}
		}
	}
	ss->nsteps = i;
	MemoryContextSwitchTo(old);
	sc->seq_script = ss;
	return ss;
}

/*
 * The changes an ALTER TABLE makes to sequence seqid as an identity
 * column's (SET MAXVALUE / INCREMENT ..., TYPE: as ALTER SEQUENCE ... AS),
 * in the order of its subcommands; *touched: it makes one.  False: one it
 * makes is not known (DROP IDENTITY: the sequence goes).
 */
static bool
alter_table_changes_sequence(const SeqStep *step, Oid seqid, SeqState *s, bool *touched)
{
	ListCell   *c;
	ListCell   *q;

	forboth(c, step->cmds, q, step->seqids)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(c);

		if (lfirst_oid(q) != seqid)
			continue;
		*touched = true;
		if (cmd->subtype == AT_DropIdentity)
			return false;
		if (cmd->subtype == AT_SetIdentity && cmd->def && IsA(cmd->def, List))
		{
			if (!seq_state_apply(s, (List *) cmd->def))
				return false;
		}
		else if (cmd->subtype == AT_AlterColumnType && cmd->def && IsA(cmd->def, ColumnDef))
		{
			if (!seq_state_apply(s, list_make1(makeDefElem("as", (Node *) ((ColumnDef *) cmd->def)->typeName, -1))))
				return false;
		}
	}
	return true;
}

/*
 * The state of sequence seqid when statement upto of the script being
 * checked runs, or (upto NULL) after the whole script: the catalog's, with
 * the script's own ALTER SEQUENCE statements of it (and the ALTER TABLE forms
 * of an identity column's) applied in the script's order, so that AS bigint
 * followed by CACHE 1 still leaves a bigint sequence.  False: the sequence
 * does not exist.
 *
 * The script's changes count only while they can be read: the names are
 * resolved on the search_path in effect now, and as the catalog has them, so
 * a script that changes its search_path (then only schema-qualified names
 * count, of sequences and of the tables of identity columns alike), or
 * renames, moves, drops or creates sequences (then none), may
 * mean another sequence by the same name; a change this cannot work out (an
 * unknown type or value, DROP IDENTITY), or a statement that runs code (DO,
 * a query, ... -- it may run ALTER SEQUENCE itself) after the script's first
 * change of it, leaves the script's state unknown: then the catalog's, as
 * if the script did not change it -- what the gate finds when the statement
 * runs without them.
 */
static bool
sequence_state(Oid seqid, Node *upto, SeqState *s)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	SeqScript  *ss;
	SeqState	cat;
	SeqState	run;
	bool		touched = false;
	int			i;

	if (!seq_state_catalog(seqid, &cat))
		return false;
	*s = cat;
	if (sc == NULL)
		return true;
	ss = seq_script(sc);
	if (ss->none || list_member_oid(ss->renamed, seqid))
		return true;
	run = cat;
	for (i = 0; i < ss->nsteps; i++)
	{
		const SeqStep *step = &ss->steps[i];

		if (step->stmt == upto)
		{
			*s = run;
			return true;
		}
		if (step->seqid == seqid && OidIsValid(seqid))
		{
			touched = true;
			if (!seq_state_apply(&run, ((AlterSeqStmt *) step->stmt)->options))
				return true;
		}
		else if (step->cmds != NIL)
		{
			if (!alter_table_changes_sequence(step, seqid, &run, &touched))
				return true;
		}
		else if (touched && step->runs_code)
			return true;
	}
	/* a statement that is not the script's own (upto not found): the catalog's */
	if (upto == NULL)
		*s = run;
	return true;
}

/*
 * ALTER COLUMN ... TYPE of a serial column: the sequence the column owns
 * (serial, bigserial) keeps its own type and limit, unlike an identity
 * column's (put_sequence_limits).  Narrowed below what the sequence can hand
 * out, the column makes every insert fail ("out of range") once the sequence
 * gets there; widened while the sequence stays AS integer, nextval() still
 * stops at the old limit -- the usual fix for an int overflow, done halfway.
 * Facts: serial_sequence, sequence_limit (the maximum of an ascending
 * sequence, the minimum of a descending one), sequence_outruns_type,
 * sequence_limits_type; all null when the column owns no sequence (an
 * identity column, a plain default) or a type is not one a sequence feeds.
 */
static void
put_serial_sequence_facts(JsonbParseState **st, Oid relid, const char *colname, TypeName *tn)
{
	HeapTuple	at = OidIsValid(relid) && colname ? att_by_name(relid, colname) : NULL;
	Oid			seqid = InvalidOid;
	HeapTuple	seqtup = NULL;
	Oid			old_type = InvalidOid;
	Oid			new_type = type_oid(tn);
	bool		old_bounded,
				new_bounded;
	int64		old_min,
				old_max,
				new_min,
				new_max;

	if (HeapTupleIsValid(at))
	{
		Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(at);
		ListCell   *lc;

		old_type = att->atttypid;
		if (att->attidentity == '\0')
			foreach(lc, getOwnedSequences(relid))
			{
				Oid			tab;
				int32		col;

				if (sequenceIsOwned(lfirst_oid(lc), DEPENDENCY_AUTO, &tab, &col) && col == att->attnum)
				{
					seqid = lfirst_oid(lc);
					break;
				}
			}
		ReleaseSysCache(at);
	}
	if (OidIsValid(seqid))
		seqtup = SearchSysCache1(SEQRELID, ObjectIdGetDatum(seqid));
	if (HeapTupleIsValid(seqtup) && OidIsValid(new_type) &&
		column_int_range(old_type, &old_bounded, &old_min, &old_max) &&
		column_int_range(new_type, &new_bounded, &new_min, &new_max))
	{
		SeqState	ss;
		bool		up;
		int64		limit;
		bool		outruns;
		bool		widened;
		bool		limits;

		/*
		 * The script fixes the sequence too, before or after (the usual
		 * order: after): as all of its ALTER SEQUENCEs leave it
		 */
		if (!sequence_state(seqid, NULL, &ss))
			seq_state_catalog(seqid, &ss);
		up = ss.incr > 0;
		limit = up ? ss.max : ss.min;
		outruns = new_bounded && (up ? limit > new_max : limit < new_min);
		widened = old_bounded && (!new_bounded || (up ? new_max > old_max : new_min < old_min));
		/* ... and a bigint sequence is as wide as one can be: nothing to widen */
		limits = widened && (up ? limit <= old_max && limit < PG_INT64_MAX :
										 limit >= old_min && limit > PG_INT64_MIN);

		dbc_put_text(st, "serial_sequence", qualify(get_namespace_name(get_rel_namespace(seqid)), get_rel_name(seqid)));
		dbc_put_int(st, "sequence_limit", limit);
		dbc_put_bool(st, "sequence_outruns_type", outruns);
		dbc_put_bool(st, "sequence_limits_type", limits);
	}
	else
	{
		dbc_put_null(st, "serial_sequence");
		dbc_put_null(st, "sequence_limit");
		dbc_put_null(st, "sequence_outruns_type");
		dbc_put_null(st, "sequence_limits_type");
	}
	if (HeapTupleIsValid(seqtup))
		ReleaseSysCache(seqtup);
}

static void
classify_sequence(Cls *c, Node *stmt, RangeVar *rv, List *options, bool create, bool flag)
{
	ClsObject  *o = rel_object("sequence", rv);

	set_main(c, o);
	add_op(c, create ? "create" : "alter");
	if (create)
		c->if_not_exists = flag;
	else
	{
		c->if_exists = flag;
		add_lock(c, ShareRowExclusiveLock);
	}
	put_option_names(c->st, "options", options);
	/* CYCLE makes the sequence wrap around and hand out its values again */
	{
		ListCell   *lc;
		int			cycle = -1;

		foreach(lc, options)
		{
			DefElem    *def = lfirst_node(DefElem, lc);

			if (strcmp(def->defname, "cycle") == 0)
				cycle = opt_bool(def) ? 1 : 0;
		}
		if (cycle >= 0)
			dbc_put_bool(c->st, "cycle", cycle == 1);
		else
			dbc_put_null(c->st, "cycle");
	}
	/* the defaults that draw from it and the column owning it (RESTART, AS, MAXVALUE, ...) */
	if (!create)
	{
		put_used_by(c->st, RelationRelationId, o->relid);
		put_sequence_limits(c->st, o->relid, options, stmt);
	}
}

/* ---------------------------------------------------------------------------
 * Routines, triggers, rules, event triggers
 * ---------------------------------------------------------------------------
 */

static void put_set_parameters(JsonbParseState **st, List *options);
static Oid	drop_func_oid(Node *obj);

/*
 * The signature CREATE [OR REPLACE] FUNCTION gives the function: its name
 * and the types of its input arguments (what identifies the function it
 * replaces).
 */
ObjectWithArgs *
dbc_function_signature(CreateFunctionStmt *s)
{
	ObjectWithArgs *owa = makeNode(ObjectWithArgs);
	ListCell   *lc;

	owa->objname = s->funcname;
	foreach(lc, s->parameters)
	{
		FunctionParameter *p = lfirst_node(FunctionParameter, lc);

		if (p->mode != FUNC_PARAM_OUT && p->mode != FUNC_PARAM_TABLE)
			owa->objargs = lappend(owa->objargs, p->argType);
	}
	return owa;
}

/* The function CREATE OR REPLACE FUNCTION replaces, or InvalidOid. */
static Oid
replaced_func_oid(CreateFunctionStmt *s)
{
	return drop_func_oid((Node *) dbc_function_signature(s));
}

static void
classify_create_function(Cls *c, CreateFunctionStmt *s)
{
	JsonbParseState **st = c->st;
	ListCell   *lc;
	DefElem    *opt;
	char	   *volatility = "volatile";

	set_main(c, func_create_object(s->is_procedure ? "procedure" : "function", s->funcname));
	add_op(c, "create");
	c->or_replace = s->replace;
	opt = find_opt(s->options, "language");
	dbc_put_text(st, "language", opt ? opt_text(opt) : "sql");
	opt = find_opt(s->options, "volatility");
	if (opt && opt_text(opt))
		volatility = opt_text(opt);
	dbc_put_text(st, "volatility", volatility);
	dbc_put_bool(st, "security_definer", opt_on(s->options, "security"));
	put_set_parameters(st, s->options);
	dbc_put_bool(st, "leakproof", opt_on(s->options, "leakproof"));
	dbc_put_bool(st, "strict", opt_on(s->options, "strict"));
	dbc_put_text(st, "returns", s->returnType ? normalized_type_name(s->returnType) : NULL);
	begin_array(st, "argument_types");
	foreach(lc, s->parameters)
	{
		FunctionParameter *p = lfirst_node(FunctionParameter, lc);

		if (p->mode == FUNC_PARAM_OUT || p->mode == FUNC_PARAM_TABLE)
			continue;
		push_text_elem(st, normalized_type_name(p->argType));
	}
	end_array(st);
	if (s->replace)
		put_used_by(st, ProcedureRelationId, replaced_func_oid(s));
	/* whoever may execute it reads what its body reads, with its owner's rights */
	if (opt_on(s->options, "security"))
		put_new_definer_reads(st, s, c->main);
	/* ... and a definer function calling it runs its new body with its owner's */
	else if (c->main != NULL && c->main->name != NULL)
		put_caller_reads(st, s, c->main, s->replace ? replaced_func_oid(s) : InvalidOid,
						 c->main->name, NIL);
}

/*
 * The parameters a function's SET clauses set (SET search_path = ...,
 * SET x FROM CURRENT), from the parse tree: a policy that looked for
 * "set search_path" in the text was fooled by a comment holding it.
 */
static void
put_set_parameters(JsonbParseState **st, List *options)
{
	ListCell   *lc;

	begin_array(st, "set_parameters");
	foreach(lc, options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);
		VariableSetStmt *v;

		if (strcmp(opt->defname, "set") != 0 || opt->arg == NULL || !IsA(opt->arg, VariableSetStmt))
			continue;
		v = (VariableSetStmt *) opt->arg;
		if (v->name != NULL && v->kind != VAR_RESET && v->kind != VAR_RESET_ALL)
			push_text_elem(st, v->name);
	}
	end_array(st);
}

static void
classify_alter_function(Cls *c, AlterFunctionStmt *s)
{
	JsonbParseState **st = c->st;
	ListCell   *lc;
	Oid			funcid = drop_func_oid((Node *) s->func);
	DefElem    *security = find_opt(s->actions, "security");

	set_main(c, func_args_object(objtype_name(s->objtype), s->func));
	add_op(c, "alter");
	put_used_by(st, ProcedureRelationId, funcid);
	begin_array(st, "options");
	foreach(lc, s->actions)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);
		const char *name = opt->defname;

		if (strcmp(name, "security") == 0)
			name = "security_definer";
		else if (strcmp(name, "set") == 0 && opt->arg && IsA(opt->arg, VariableSetStmt) &&
				 (((VariableSetStmt *) opt->arg)->kind == VAR_RESET ||
				  ((VariableSetStmt *) opt->arg)->kind == VAR_RESET_ALL))
			name = "reset";
		push_text_elem(st, name);
	}
	end_array(st);
	put_set_parameters(st, s->actions);
	if (find_opt(s->actions, "security"))
		dbc_put_bool(st, "security_definer", opt_on(s->actions, "security"));
	if (find_opt(s->actions, "volatility"))
		dbc_put_text(st, "volatility", opt_text(find_opt(s->actions, "volatility")));

	/*
	 * A function that is SECURITY DEFINER after the statement (made one, or
	 * one already that stays one: its search_path or owner's rights may
	 * change what it reads): reads of its body.
	 */
	if (security ? opt_bool(security) : is_definer_function(funcid))
		put_definer_reads(st, list_make1_oid(funcid), funcid, s->actions);

	/*
	 * An invoker function (made one, or pointed at another search_path):
	 * the definer functions calling it run it with their owners' rights.
	 */
	else if (OidIsValid(funcid) && (security || changes_search_path(s->actions)))
		put_caller_reads(st, NULL, NULL, funcid, get_func_name(funcid), s->actions);
}

/*
 * A function's SET/RESET clause (CREATE/ALTER FUNCTION) when it sets or
 * resets search_path (RESET ALL included), else NULL.
 */
static VariableSetStmt *
search_path_clause(DefElem *opt)
{
	VariableSetStmt *v;

	if (strcmp(opt->defname, "set") != 0 || opt->arg == NULL || !IsA(opt->arg, VariableSetStmt))
		return NULL;
	v = (VariableSetStmt *) opt->arg;
	if (v->kind == VAR_RESET_ALL ||
		(v->name != NULL && pg_strcasecmp(v->name, "search_path") == 0))
		return v;
	return NULL;
}

/* Do SET/RESET clauses (ALTER FUNCTION) set or reset search_path? */
static bool
changes_search_path(List *actions)
{
	ListCell   *lc;

	foreach(lc, actions)
	{
		if (search_path_clause(lfirst_node(DefElem, lc)) != NULL)
			return true;
	}
	return false;
}

static void
classify_create_trigger(Cls *c, CreateTrigStmt *s)
{
	JsonbParseState **st = c->st;
	ClsObject  *o = on_table_object(OBJECT_TRIGGER, s->relation, s->trigname);

	set_main(c, o);
	add_op(c, "create");
	c->or_replace = s->replace;
	/* a row trigger on a partitioned table is cloned onto every partition */
	reach_below(c, o->table_obj, s->row ? RECURSE_PARTITIONS : RECURSE_NONE);
	add_lock(c, ShareRowExclusiveLock);
	dbc_put_text(st, "timing",
				 (s->timing & TRIGGER_TYPE_INSTEAD) ? "instead_of" :
				 (s->timing & TRIGGER_TYPE_BEFORE) ? "before" : "after");
	begin_array(st, "events");
	if (s->events & TRIGGER_TYPE_INSERT)
		push_text_elem(st, "insert");
	if (s->events & TRIGGER_TYPE_UPDATE)
		push_text_elem(st, "update");
	if (s->events & TRIGGER_TYPE_DELETE)
		push_text_elem(st, "delete");
	if (s->events & TRIGGER_TYPE_TRUNCATE)
		push_text_elem(st, "truncate");
	end_array(st);
	dbc_put_text(st, "for_each", s->row ? "row" : "statement");
	dbc_put_text(st, "function", NameListToString(s->funcname));
	dbc_put_bool(st, "constraint_trigger", s->isconstraint);
	/* an INSTEAD OF trigger decides what writing through the view does */
	put_view_reads(st, o->table_obj);
}

static const char *
cmdtype_name(CmdType t)
{
	switch (t)
	{
		case CMD_SELECT:
			return "select";
		case CMD_INSERT:
			return "insert";
		case CMD_UPDATE:
			return "update";
		case CMD_DELETE:
			return "delete";
		default:
			return NULL;
	}
}

static void put_object_list(JsonbParseState **st, const char *key, List *objects);

/*
 * The tables a rule action writes (INSERT INTO, UPDATE, DELETE FROM),
 * including those of data-modifying WITH queries, appended to *tables.
 */
static void
rule_action_writes(Node *action, List **tables, int depth)
{
	RangeVar   *target = NULL;
	WithClause *with = NULL;
	ListCell   *lc;

	if (action == NULL || depth > 8)
		return;
	switch (nodeTag(action))
	{
		case T_InsertStmt:
			target = ((InsertStmt *) action)->relation;
			with = ((InsertStmt *) action)->withClause;
			break;
		case T_UpdateStmt:
			target = ((UpdateStmt *) action)->relation;
			with = ((UpdateStmt *) action)->withClause;
			break;
		case T_DeleteStmt:
			target = ((DeleteStmt *) action)->relation;
			with = ((DeleteStmt *) action)->withClause;
			break;
		case T_SelectStmt:
			with = ((SelectStmt *) action)->withClause;
			break;
		default:
			return;
	}
	if (target != NULL)
		*tables = lappend(*tables, rel_object("table", target));
	if (with != NULL)
		foreach(lc, with->ctes)
			rule_action_writes(lfirst_node(CommonTableExpr, lc)->ctequery, tables, depth + 1);
}

/*
 * CREATE RULE: writes (docs/facts.md), the tables its actions write.  A rule
 * runs its actions as part of every matching statement on its table: DO
 * INSTEAD DELETE FROM payments on another table's INSERT empties payments
 * whenever someone inserts there, and the statement names neither.
 */
static void
classify_rule(Cls *c, RuleStmt *s)
{
	List	   *writes = NIL;
	ListCell   *lc;

	set_main(c, on_table_object(OBJECT_RULE, s->relation, s->rulename));
	add_op(c, "create");
	c->or_replace = s->replace;
	add_lock(c, AccessExclusiveLock);
	dbc_put_text(c->st, "event", cmdtype_name(s->event));
	dbc_put_bool(c->st, "instead", s->instead);
	foreach(lc, s->actions)
		rule_action_writes(lfirst(lc), &writes, 0);
	put_object_list(c->st, "writes", writes);
	/* a rule on a view decides what writing through it does */
	put_view_reads(c->st, c->main ? c->main->table_obj : NULL);
}

static void
classify_event_trigger(Cls *c, Node *stmt)
{
	if (IsA(stmt, CreateEventTrigStmt))
	{
		CreateEventTrigStmt *s = (CreateEventTrigStmt *) stmt;

		set_main(c, global_object(OBJECT_EVENT_TRIGGER, s->trigname));
		add_op(c, "create");
		dbc_put_text(c->st, "event", s->eventname);
		dbc_put_text(c->st, "function", NameListToString(s->funcname));
	}
	else
	{
		AlterEventTrigStmt *s = (AlterEventTrigStmt *) stmt;

		set_main(c, global_object(OBJECT_EVENT_TRIGGER, s->trigname));
		switch (s->tgenabled)
		{
			case TRIGGER_DISABLED:
				add_op(c, "disable");
				break;
			case TRIGGER_FIRES_ON_REPLICA:
				add_op(c, "enable_replica");
				break;
			case TRIGGER_FIRES_ALWAYS:
				add_op(c, "enable_always");
				break;
			default:
				add_op(c, "enable");
				break;
		}
	}
}

/* ---------------------------------------------------------------------------
 * Schemas, types, domains, extensions, policies
 * ---------------------------------------------------------------------------
 */

/* Name of an element of CREATE SCHEMA ... CREATE ... */
static char *
schema_element_name(Node *n)
{
	switch (nodeTag(n))
	{
		case T_CreateStmt:
			return ((CreateStmt *) n)->relation->relname;
		case T_ViewStmt:
			return ((ViewStmt *) n)->view->relname;
		case T_IndexStmt:
			return ((IndexStmt *) n)->idxname;
		case T_CreateSeqStmt:
			return ((CreateSeqStmt *) n)->sequence->relname;
		case T_CreateTrigStmt:
			return ((CreateTrigStmt *) n)->trigname;
		default:
			return NULL;
	}
}

static const char *
tag_object_type(CommandTag tag, const char **verb);

static void
classify_create_schema(Cls *c, CreateSchemaStmt *s)
{
	JsonbParseState **st = c->st;
	ListCell   *lc;
	char	   *name = s->schemaname;

	if (name == NULL && s->authrole)
		name = rolespec_name(s->authrole);
	set_main(c, global_object(OBJECT_SCHEMA, name));
	add_op(c, "create");
	c->if_not_exists = s->if_not_exists;
	dbc_put_text(st, "authorization", rolespec_name(s->authrole));
	begin_array(st, "elements");
	foreach(lc, s->schemaElts)
	{
		Node	   *n = lfirst(lc);
		CommandTag	tag = CreateCommandTag(n);
		const char *verb;

		begin_object(st, NULL);
		dbc_put_text(st, "command", c->command ? c->command : GetCommandTagName(tag));
		dbc_put_text(st, "object_type", tag_object_type(tag, &verb));
		dbc_put_text(st, "name", schema_element_name(n));
		end_object(st);
	}
	end_array(st);
}

static void
classify_type(Cls *c, Node *stmt)
{
	JsonbParseState **st = c->st;

	switch (nodeTag(stmt))
	{
		case T_CompositeTypeStmt:
			{
				CompositeTypeStmt *s = (CompositeTypeStmt *) stmt;
				List	   *names = list_make1(makeString(s->typevar->relname));
				ListCell   *lc;

				if (s->typevar->schemaname)
					names = lcons(makeString(s->typevar->schemaname), names);
				set_main(c, type_object("type", names));
				add_op(c, "create");
				dbc_put_text(st, "type_kind", "composite");
				begin_array(st, "columns");
				foreach(lc, s->coldeflist)
				{
					ColInfo		ci;

					col_info(lfirst_node(ColumnDef, lc), NIL, &ci);
					put_column(st, NULL, &ci);
				}
				end_array(st);
				break;
			}
		case T_CreateEnumStmt:
			{
				CreateEnumStmt *s = (CreateEnumStmt *) stmt;

				set_main(c, type_object("type", s->typeName));
				add_op(c, "create");
				dbc_put_text(st, "type_kind", "enum");
				put_string_nodes(st, "values", s->vals);
				break;
			}
		case T_CreateRangeStmt:
			set_main(c, type_object("type", ((CreateRangeStmt *) stmt)->typeName));
			add_op(c, "create");
			dbc_put_text(st, "type_kind", "range");
			break;
		case T_AlterEnumStmt:
			{
				AlterEnumStmt *s = (AlterEnumStmt *) stmt;
				ClsObject  *o = type_object("type", s->typeName);

				set_main(c, o);
				if (s->oldVal)
				{
					add_op(c, "rename_value");
					dbc_put_text(st, "value", s->oldVal);
					dbc_put_text(st, "new_value", s->newVal);
					put_used_by(st, TypeRelationId, o->typid);
				}
				else
				{
					add_op(c, "add_value");
					dbc_put_text(st, "value", s->newVal);
					c->if_not_exists = s->skipIfNewValExists;
				}
				break;
			}
		case T_AlterTypeStmt:
			set_main(c, type_object("type", ((AlterTypeStmt *) stmt)->typeName));
			add_op(c, "set_options");
			put_option_names(st, "options", ((AlterTypeStmt *) stmt)->options);
			break;
		default:
			break;
	}
}

/* CREATE TYPE (base/shell), CREATE AGGREGATE/OPERATOR/COLLATION/TEXT SEARCH ... */
static void
classify_define(Cls *c, DefineStmt *s)
{
	if (s->kind == OBJECT_TYPE)
	{
		set_main(c, type_object("type", s->defnames));
		dbc_put_text(c->st, "type_kind", s->definition == NIL ? "shell" : "base");
	}
	else if (s->kind == OBJECT_AGGREGATE)
		set_main(c, func_create_object("aggregate", s->defnames));
	else
		set_main(c, names_object(objtype_name(s->kind), s->defnames));
	add_op(c, "create");
	c->if_not_exists = s->if_not_exists;
	c->or_replace = s->replace;
}

static void
classify_create_domain(Cls *c, CreateDomainStmt *s)
{
	JsonbParseState **st = c->st;
	List	   *cons = NIL;
	bool		not_null = false;
	bool		has_default = false;
	ListCell   *lc;

	set_main(c, type_object("domain", s->domainname));
	add_op(c, "create");
	foreach(lc, s->constraints)
	{
		Constraint *con = lfirst_node(Constraint, lc);

		if (con->contype == CONSTR_NOTNULL)
			not_null = true;
		else if (con->contype == CONSTR_DEFAULT)
			has_default = true;
		else if (is_listed_constraint(con))
			cons = lappend(cons, conref(con, NULL));
	}
	put_type_facts(st, "type", s->typeName);
	dbc_put_bool(st, "not_null", not_null);
	dbc_put_bool(st, "has_default", has_default);
	put_constraints(st, cons);
}

static void
classify_alter_domain(Cls *c, AlterDomainStmt *s)
{
	JsonbParseState **st = c->st;

	ClsObject  *o = type_object("domain", s->typeName);

	set_main(c, o);
	put_used_by(st, TypeRelationId, o->typid);
	c->if_exists = s->missing_ok;
	c->cascade = s->behavior == DROP_CASCADE;
	switch (s->subtype)
	{
		case 'T':
			add_op(c, s->def ? "set_default" : "drop_default");
			break;
		case 'N':
			add_op(c, "drop_not_null");
			break;
		case 'O':
			add_op(c, "set_not_null");
			c->scans = true;	/* every column of the domain is checked */
			break;
		case 'C':
			add_op(c, "add_constraint");
			if (s->def && IsA(s->def, Constraint))
			{
				Constraint *con = (Constraint *) s->def;

				put_constraints(st, list_make1(conref(con, NULL)));
				dbc_put_text(st, "constraint_type", contype_name(con->contype));
				dbc_put_text(st, "constraint_name", con->conname);
				dbc_put_bool(st, "not_valid", con->skip_validation);
				c->scans = constraint_scans(con);
			}
			break;
		case 'X':
			add_op(c, "drop_constraint");
			dbc_put_text(st, "constraint_name", s->name);
			c->destructive = true;
			break;
		case 'V':
			add_op(c, "validate_constraint");
			dbc_put_text(st, "constraint_name", s->name);
			c->scans = true;
			break;
		default:
			add_op(c, "alter");
			break;
	}
}

static void
classify_extension(Cls *c, Node *stmt)
{
	JsonbParseState **st = c->st;

	if (IsA(stmt, CreateExtensionStmt))
	{
		CreateExtensionStmt *s = (CreateExtensionStmt *) stmt;
		ClsObject  *o = global_object(OBJECT_EXTENSION, s->extname);

		o->schema = opt_text(find_opt(s->options, "schema"));
		set_main(c, o);
		add_op(c, "create");
		c->if_not_exists = s->if_not_exists;
		c->cascade = opt_on(s->options, "cascade");
		dbc_put_text(st, "version", opt_text(find_opt(s->options, "new_version")));
	}
	else if (IsA(stmt, AlterExtensionStmt))
	{
		AlterExtensionStmt *s = (AlterExtensionStmt *) stmt;

		set_main(c, global_object(OBJECT_EXTENSION, s->extname));
		add_op(c, "update");
		dbc_put_text(st, "version", opt_text(find_opt(s->options, "new_version")));
	}
	else
	{
		AlterExtensionContentsStmt *s = (AlterExtensionContentsStmt *) stmt;

		set_main(c, global_object(OBJECT_EXTENSION, s->extname));
		add_op(c, s->action > 0 ? "add_member" : "drop_member");
		dbc_put_text(st, "member_type", objtype_name(s->objtype));
		dbc_put_text(st, "member", object_from_node(s->objtype, s->object)->identity);
	}
}

static void
classify_policy(Cls *c, Node *stmt)
{
	JsonbParseState **st = c->st;
	RangeVar   *table;
	char	   *name;
	List	   *roles;
	Node	   *qual;
	Node	   *with_check;

	if (IsA(stmt, CreatePolicyStmt))
	{
		CreatePolicyStmt *s = (CreatePolicyStmt *) stmt;

		table = s->table;
		name = s->policy_name;
		roles = s->roles;
		qual = s->qual;
		with_check = s->with_check;
		add_op(c, "create");
		dbc_put_bool(st, "permissive", s->permissive);
		dbc_put_text(st, "policy_command", s->cmd_name ? s->cmd_name : "all");
	}
	else
	{
		AlterPolicyStmt *s = (AlterPolicyStmt *) stmt;

		table = s->table;
		name = s->policy_name;
		roles = s->roles;
		qual = s->qual;
		with_check = s->with_check;
		add_op(c, "alter");
	}
	set_main(c, on_table_object(OBJECT_POLICY, table, name));
	add_lock(c, AccessExclusiveLock);
	if (roles != NIL || IsA(stmt, CreatePolicyStmt))
	{
		if (roles == NIL)
			put_string_nodes(st, "policy_roles", list_make1(makeString("public")));
		else
			put_rolespecs(st, "policy_roles", roles);
	}
	dbc_put_bool(st, "has_using", qual != NULL);
	dbc_put_bool(st, "has_with_check", with_check != NULL);
}

/* ---------------------------------------------------------------------------
 * DROP, RENAME, SET SCHEMA, OWNER TO, COMMENT, SECURITY LABEL
 * ---------------------------------------------------------------------------
 */

/* The row trigger name on relid exists (one index probe of pg_trigger). */
static bool
is_row_trigger(Oid relid, const char *name)
{
	Relation	rel;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	bool		row = false;

	if (!OidIsValid(relid) || name == NULL)
		return false;
	rel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_trigger_tgrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	ScanKeyInit(&key[1], Anum_pg_trigger_tgname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum(name));
	scan = systable_beginscan(rel, TriggerRelidNameIndexId, true, NULL, 2, key);
	if ((tup = systable_getnext(scan)) != NULL)
		row = TRIGGER_FOR_ROW(((Form_pg_trigger) GETSTRUCT(tup))->tgtype);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return row;
}

/*
 * The kinds of DROP ... CASCADE whose dependents are listed (cascades_to):
 * those whose objects other tables' data, views and constraints commonly
 * depend on.
 */
static bool
cascade_walked(ObjectType t)
{
	switch (t)
	{
		case OBJECT_TABLE:
		case OBJECT_FOREIGN_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_SEQUENCE:
		case OBJECT_INDEX:
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
		case OBJECT_FUNCTION:
		case OBJECT_PROCEDURE:
		case OBJECT_ROUTINE:
		case OBJECT_AGGREGATE:
		case OBJECT_SCHEMA:
		case OBJECT_EXTENSION:
		case OBJECT_FOREIGN_SERVER:
		case OBJECT_FDW:
		case OBJECT_ACCESS_METHOD:
		case OBJECT_LANGUAGE:
		case OBJECT_COLLATION:
			return true;
		default:
			return false;
	}
}

/*
 * The function DROP FUNCTION/PROCEDURE/ROUTINE/AGGREGATE names, without
 * errors: the candidate whose argument types match those written, or the
 * only one of that name first on the search_path when none are written;
 * InvalidOid when there is none or it is ambiguous (the DROP fails then).
 */
static Oid
drop_func_oid(Node *obj)
{
	ObjectWithArgs *owa;
	FuncCandidateList cands;
	FuncCandidateList f;
	FuncCandidateList best = NULL;
	int			nbest = 0;
	int			nargs = 0;
	Oid			argoids[FUNC_MAX_ARGS];
	bool		unknown;
	ListCell   *lc;

	if (obj == NULL || !IsA(obj, ObjectWithArgs))
		return InvalidOid;
	owa = (ObjectWithArgs *) obj;
	if (!owa->args_unspecified)
	{
		if (list_length(owa->objargs) > FUNC_MAX_ARGS)
			return InvalidOid;
		foreach(lc, owa->objargs)
		{
			Node	   *arg = lfirst(lc);

			if (arg == NULL || !IsA(arg, TypeName))
				return InvalidOid;
			argoids[nargs] = type_oid((TypeName *) arg);
			if (!OidIsValid(argoids[nargs]))
				return InvalidOid;
			nargs++;
		}
	}
	cands = func_candidates(owa->objname, &unknown);
	for (f = cands; f; f = f->next)
	{
		if (!owa->args_unspecified &&
			(f->nargs != nargs || memcmp(f->args, argoids, nargs * sizeof(Oid)) != 0))
			continue;
		if (best == NULL || f->pathpos < best->pathpos)
		{
			best = f;
			nbest = 1;
		}
		else if (f->pathpos == best->pathpos)
			nbest++;
	}
	return nbest == 1 ? best->oid : InvalidOid;
}

/* The pg_depend address of an object a DROP ... CASCADE names (false: none). */
static bool
drop_address(ObjectType t, Node *node, ClsObject *o, ObjectAddress *addr)
{
	Oid			oid = InvalidOid;
	Oid			classid = InvalidOid;

	switch (t)
	{
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
			classid = TypeRelationId;
			oid = o->typid;
			break;
		case OBJECT_FUNCTION:
		case OBJECT_PROCEDURE:
		case OBJECT_ROUTINE:
		case OBJECT_AGGREGATE:
			classid = ProcedureRelationId;
			oid = drop_func_oid(node);
			break;
		case OBJECT_SCHEMA:
			classid = NamespaceRelationId;
			oid = o->name ? get_namespace_oid(o->name, true) : InvalidOid;
			break;
		case OBJECT_EXTENSION:
			classid = ExtensionRelationId;
			oid = o->name ? get_extension_oid(o->name, true) : InvalidOid;
			break;
		case OBJECT_FOREIGN_SERVER:
			classid = ForeignServerRelationId;
			oid = o->name ? get_foreign_server_oid(o->name, true) : InvalidOid;
			break;
		case OBJECT_FDW:
			classid = ForeignDataWrapperRelationId;
			oid = o->name ? get_foreign_data_wrapper_oid(o->name, true) : InvalidOid;
			break;
		case OBJECT_ACCESS_METHOD:
			classid = AccessMethodRelationId;
			oid = o->name ? get_am_oid(o->name, true) : InvalidOid;
			break;
		case OBJECT_LANGUAGE:
			classid = LanguageRelationId;
			oid = o->name ? get_language_oid(o->name, true) : InvalidOid;
			break;
		case OBJECT_COLLATION:
			classid = CollationRelationId;
			/* a qualified name: get_collation_oid() errors without USAGE on the schema */
			if (node && IsA(node, List) && all_strings((List *) node) &&
				(list_length((List *) node) == 1 ||
				 (list_length((List *) node) == 2 &&
				  OidIsValid(get_namespace_oid(strVal(linitial((List *) node)), true)) &&
				  pg_namespace_aclcheck(get_namespace_oid(strVal(linitial((List *) node)), true),
										GetUserId(), ACL_USAGE) == ACLCHECK_OK)))
				oid = get_collation_oid((List *) node, true);
			break;
		default:
			classid = RelationRelationId;
			oid = o->relid;
			break;
	}
	if (!OidIsValid(oid))
		return false;
	addr->classId = classid;
	addr->objectId = oid;
	addr->objectSubId = 0;
	return true;
}

static void put_extension_members(JsonbParseState **st, List *extensions);

/*
 * In a script judged whole, cascades_to lists what a CASCADE takes along as
 * the catalog has it before the script runs.  An earlier statement may have
 * made new dependents (a view on the table) or taken some away (a column
 * moved to another type before DROP TYPE ... CASCADE, a view dropped), so
 * the list is then only what the catalog says.  Settings, comments, grants
 * and transaction control add or remove no dependents.
 */
static bool
dependents_may_change(Node *stmt)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	ListCell   *lc;

	if (sc == NULL)
		return false;
	foreach(lc, sc->parsed)
	{
		Node	   *n = ((DbcParsedStmt *) lfirst(lc))->stmt;

		if (n == stmt)
			return false;
		switch (nodeTag(n))
		{
			case T_CommentStmt:
			case T_GrantStmt:
			case T_TransactionStmt:
			case T_VariableSetStmt:
				continue;
			default:
				return true;
		}
	}
	return true;
}

/*
 * drops_nothing of DROP ... IF EXISTS: 1 when none of the objects named
 * exists, so PostgreSQL skips each with a notice and drops nothing; 0 when
 * the statement may drop something (no IF EXISTS, or one exists); -1 when
 * that is not known.  Migration tools write DROP TABLE IF EXISTS of tables an
 * older version may or may not have left behind, and a review should not be
 * asked about data that is not there.  At the gate the catalog is current.
 * In a script judged whole it is as it was before the script, so an earlier
 * statement may have made an object of that name (CREATE, RENAME, SET
 * SCHEMA, an index a constraint builds, code run by DO or a query): only
 * statements that cannot create or rename anything may come before it.
 */
static int
drops_nothing(Cls *c, DropStmt *s)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	List	   *objects = c->objects ? c->objects : (c->main ? list_make1(c->main) : NIL);
	ListCell   *lc;

	if (!s->missing_ok)
		return 0;
	if (objects == NIL)
		return -1;
	foreach(lc, objects)
	{
		ClsObject  *o = lfirst(lc);

		if (o->exists == 1)
			return 0;
		if (o->exists != 0)
			return -1;
	}
	if (sc == NULL)
		return 1;
	foreach(lc, sc->parsed)
	{
		Node	   *n = ((DbcParsedStmt *) lfirst(lc))->stmt;

		if (n == (Node *) s)
			return 1;
		switch (nodeTag(n))
		{
			case T_DropStmt:
			case T_CommentStmt:
			case T_GrantStmt:
			case T_TransactionStmt:
				continue;
			case T_AlterTableStmt:
				/* ALTER TABLE ... DROP CONSTRAINT / COLUMN ...: makes no name */
				if (alter_only_removes((AlterTableStmt *) n))
					continue;
				return -1;
			default:
				return -1;
		}
	}
	return -1;
}

static void
classify_drop(Cls *c, DropStmt *s)
{
	ObjectType	t = s->removeType;
	ListCell   *lc;

	c->object_type = objtype_name(t);
	c->cascade = s->behavior == DROP_CASCADE;
	foreach(lc, s->objects)
	{
		ClsObject  *o = object_from_node(t, lfirst(lc));

		c->objects = lappend(c->objects, o);

		/*
		 * Partitions go with their table; inheritance children only with
		 * CASCADE (without it the DROP fails).  DROP SCHEMA ... CASCADE takes
		 * every relation in the schema, and their descendants elsewhere.
		 */
		if (t == OBJECT_TABLE || t == OBJECT_FOREIGN_TABLE)
			reach_below(c, o, c->cascade ? RECURSE_ALL : RECURSE_PARTITIONS);
		else if (t == OBJECT_SCHEMA && c->cascade && o->name && o->exists == 1)
		{
			Oid			nsp = get_namespace_oid(o->name, true);

			if (OidIsValid(nsp))
				c->dropped_schemas = list_append_unique_oid(c->dropped_schemas, nsp);
		}
		else if (t == OBJECT_INDEX)
		{
			/* a partitioned index takes the indexes of the partitions along */
			reach_below(c, partitioned_index_table(o), RECURSE_PARTITIONS);
			/* each index's table: c->table is only the first one's */
			if (OidIsValid(o->relid))
			{
				Oid			heap = IndexGetRelation(o->relid, true);
				char	   *nspname = NULL;
				char	   *relname = NULL;

				if (OidIsValid(heap))
					rel_name_now(heap, &nspname, &relname);
				if (relname != NULL)
					o->table = qualify(nspname, relname);
			}
		}
		else if (t == OBJECT_TRIGGER && o->table_obj &&
				 o->table_obj->relkind == RELKIND_PARTITIONED_TABLE &&
				 o->table_obj->has_children && is_row_trigger(o->table_obj->relid, o->name))
		{
			/* a row trigger of a partitioned table was cloned onto each partition */
			reach_below(c, o->table_obj, RECURSE_PARTITIONS);
		}
		if (c->cascade && cascade_walked(t))
		{
			ObjectAddress addr;

			c->drop_cascade = true;
			c->cascade_before_script = dependents_may_change((Node *) s);
			if (drop_address(t, lfirst(lc), o, &addr))
			{
				CascadeRoot *r = palloc(sizeof(CascadeRoot));

				r->addr = addr;
				r->identity = o->identity ? o->identity : o->name;
				c->cascade_roots = lappend(c->cascade_roots, r);
			}
		}
	}
	if (c->objects)
		set_main(c, linitial(c->objects));
	add_op(c, "drop");
	c->destructive = true;
	c->if_exists = s->missing_ok;
	c->concurrently = s->concurrent;
	{
		int			none = drops_nothing(c, s);

		if (none < 0)
			dbc_put_null(c->st, "drops_nothing");
		else
			dbc_put_bool(c->st, "drops_nothing", none == 1);
	}
	c->sum_objects = t == OBJECT_TABLE || t == OBJECT_MATVIEW;
	if (t == OBJECT_INDEX)
	{
		if (c->main)
			set_table_of_index(c, c->main);
		add_lock(c, s->concurrent ? ShareUpdateExclusiveLock : AccessExclusiveLock);
	}
	else if (is_relation_type(t) || t == OBJECT_TRIGGER || t == OBJECT_POLICY ||
			 t == OBJECT_RULE || t == OBJECT_SCHEMA)
		add_lock(c, AccessExclusiveLock);
	if (t == OBJECT_EXTENSION)
	{
		List	   *exts = NIL;

		foreach(lc, c->objects)
		{
			ClsObject  *o = lfirst(lc);
			Oid			ext = o->name ? get_extension_oid(o->name, true) : InvalidOid;

			if (OidIsValid(ext))
				exts = list_append_unique_oid(exts, ext);
		}
		put_extension_members(c->st, exts);
	}
}

/* DROP ROLE, DROP DATABASE, DROP TABLESPACE, DROP SUBSCRIPTION, DROP USER MAPPING */
static void
classify_drop_global(Cls *c, Node *stmt)
{
	ListCell   *lc;

	add_op(c, "drop");
	c->destructive = true;
	switch (nodeTag(stmt))
	{
		case T_DropRoleStmt:
			c->object_type = "role";
			foreach(lc, ((DropRoleStmt *) stmt)->roles)
				c->objects = lappend(c->objects,
									 global_object(OBJECT_ROLE, rolespec_name(lfirst(lc))));
			if (c->objects)
				set_main(c, linitial(c->objects));
			c->if_exists = ((DropRoleStmt *) stmt)->missing_ok;
			break;
		case T_DropdbStmt:
			{
				DropdbStmt *s = (DropdbStmt *) stmt;

				set_main(c, global_object(OBJECT_DATABASE, s->dbname));
				c->if_exists = s->missing_ok;
				dbc_put_bool(c->st, "force", opt_on(s->options, "force"));
				break;
			}
		case T_DropTableSpaceStmt:
			set_main(c, global_object(OBJECT_TABLESPACE,
									  ((DropTableSpaceStmt *) stmt)->tablespacename));
			c->if_exists = ((DropTableSpaceStmt *) stmt)->missing_ok;
			break;
		case T_DropSubscriptionStmt:
			{
				DropSubscriptionStmt *s = (DropSubscriptionStmt *) stmt;

				set_main(c, global_object(OBJECT_SUBSCRIPTION, s->subname));
				c->if_exists = s->missing_ok;
				c->cascade = s->behavior == DROP_CASCADE;
				break;
			}
		case T_DropUserMappingStmt:
			{
				DropUserMappingStmt *s = (DropUserMappingStmt *) stmt;

				set_main(c, new_object("user_mapping", NULL,
									   psprintf("for %s server %s",
												rolespec_name(s->user), s->servername)));
				c->if_exists = s->missing_ok;
				break;
			}
		default:
			break;
	}
}

static void put_owned_objects(JsonbParseState **st, List *roles, bool with_reads, bool with_definers,
							  List *widened);
static void put_owned_view_reads(JsonbParseState **st, List *owned, bool with_definers, List *widened);
static List *widened_definers(List *roles, bool with_members);
static List *alter_role_widened(AlterRoleStmt *s);

static void
classify_owned(Cls *c, Node *stmt)
{
	List	   *roles;

	c->object_type = "database";
	set_main(c, global_object(OBJECT_DATABASE, get_database_name(MyDatabaseId)));
	if (IsA(stmt, DropOwnedStmt))
	{
		add_op(c, "drop_owned");
		c->destructive = true;
		c->cascade = ((DropOwnedStmt *) stmt)->behavior == DROP_CASCADE;
		roles = ((DropOwnedStmt *) stmt)->roles;
	}
	else
	{
		add_op(c, "reassign_owned");
		roles = ((ReassignOwnedStmt *) stmt)->roles;
		dbc_put_text(c->st, "new_owner", rolespec_name(((ReassignOwnedStmt *) stmt)->newrole));
	}
	put_rolespecs(c->st, "roles_named", roles);
	/*
	 * REASSIGN OWNED: the owned views, and SECURITY DEFINER functions, read
	 * with their new owner's rights
	 */
	put_owned_objects(c->st, roles, IsA(stmt, ReassignOwnedStmt), IsA(stmt, ReassignOwnedStmt), NIL);
}

/* The object of RENAME/SET SCHEMA/OWNER TO/DEPENDS ON: relation or object node. */
static ClsObject *
altered_object(Cls *c, ObjectType t, RangeVar *relation, Node *object)
{
	ClsObject  *o;

	if (relation && (t == OBJECT_TYPE || t == OBJECT_DOMAIN))
	{
		List	   *names = list_make1(makeString(relation->relname));

		if (relation->schemaname)
			names = lcons(makeString(relation->schemaname), names);
		return type_object(objtype_name(t), names);
	}
	if (relation && (t == OBJECT_TRIGGER || t == OBJECT_POLICY || t == OBJECT_RULE) &&
		object && IsA(object, String))
		return on_table_object(t, relation, strVal(object));
	if (relation)
	{
		o = rel_object(objtype_name(t), relation);
		if (t == OBJECT_INDEX)
			set_table_of_index(c, o);
		else if (is_relation_type(t))
			set_table(c, o);
		return o;
	}
	return object_from_node(t, object);
}

static void
classify_rename(Cls *c, RenameStmt *s)
{
	ObjectType	t = s->renameType;
	ClsObject  *o;
	char	   *old_name;

	c->if_exists = s->missing_ok;
	switch (t)
	{
		case OBJECT_COLUMN:
		case OBJECT_ATTRIBUTE:
		case OBJECT_TABCONSTRAINT:
			{
				ObjectType	rt = t == OBJECT_ATTRIBUTE ? OBJECT_TYPE : s->relationType;

				if (t == OBJECT_TABCONSTRAINT)
					rt = OBJECT_TABLE;
				o = altered_object(c, rt, s->relation, NULL);
				set_main(c, o);
				/* renamed in the children too, unless ONLY */
				if ((rt == OBJECT_TABLE || rt == OBJECT_FOREIGN_TABLE) && s->relation && s->relation->inh)
					reach_below(c, o, RECURSE_ALL);
				add_op(c, t == OBJECT_COLUMN ? "rename_column" :
					   t == OBJECT_ATTRIBUTE ? "rename_attribute" : "rename_constraint");
				if (t == OBJECT_ATTRIBUTE)
					put_used_by(c->st, TypeRelationId, o->typid);
				if (t != OBJECT_TABCONSTRAINT)
					dbc_put_text(c->st, "column", s->subname);
				else
					dbc_put_text(c->st, "constraint_name", s->subname);
				if (is_relation_type(rt))
					add_lock(c, AccessExclusiveLock);
				c->cascade = s->behavior == DROP_CASCADE;
				old_name = s->subname;
				break;
			}
		case OBJECT_DOMCONSTRAINT:
			o = object_from_node(OBJECT_DOMAIN, s->object);
			set_main(c, o);
			add_op(c, "rename_constraint");
			dbc_put_text(c->st, "constraint_name", s->subname);
			old_name = s->subname;
			break;
		case OBJECT_TRIGGER:
		case OBJECT_POLICY:
		case OBJECT_RULE:
			o = on_table_object(t, s->relation, s->subname);
			set_main(c, o);
			add_op(c, "rename");
			add_lock(c, AccessExclusiveLock);
			old_name = s->subname;
			break;
		default:
			if (s->relation || s->object)
				o = altered_object(c, t, s->relation, s->object);
			else
				o = global_object(t, s->subname);
			set_main(c, o);
			add_op(c, "rename");
			if (t == OBJECT_INDEX)
				add_lock(c, ShareUpdateExclusiveLock);
			else if (is_relation_type(t))
				add_lock(c, AccessExclusiveLock);
			old_name = o->name;
			break;
	}
	dbc_put_text(c->st, "old_name", old_name);
	dbc_put_text(c->st, "new_name", s->newname);
	put_invoker_move_reads(c, t, s->object, s->newname);
}

/*
 * RENAME / SET SCHEMA of a SECURITY INVOKER function: under its new name (or
 * in its new schema, on a definer function's search_path) a SECURITY
 * DEFINER function calling that name from a string body may run it with its
 * owner's rights (put_caller_reads()).
 */
static void
put_invoker_move_reads(Cls *c, ObjectType t, Node *object, const char *newname)
{
	Oid			funcid;

	if (t != OBJECT_FUNCTION && t != OBJECT_PROCEDURE && t != OBJECT_ROUTINE)
		return;
	funcid = drop_func_oid(object);
	if (!OidIsValid(funcid) || is_definer_function(funcid))
		return;
	put_caller_reads(c->st, NULL, NULL, funcid, newname ? newname : get_func_name(funcid), NIL);
}

static void
classify_set_schema(Cls *c, AlterObjectSchemaStmt *s)
{
	set_main(c, altered_object(c, s->objectType, s->relation, s->object));
	add_op(c, "set_schema");
	c->if_exists = s->missing_ok;
	if (is_relation_type(s->objectType))
		add_lock(c, AccessExclusiveLock);
	dbc_put_text(c->st, "new_schema", s->newschema);
	put_invoker_move_reads(c, s->objectType, s->object, NULL);
}

static void
classify_owner(Cls *c, AlterOwnerStmt *s)
{
	set_main(c, altered_object(c, s->objectType, s->relation, s->object));
	add_op(c, "change_owner");
	dbc_put_text(c->st, "new_owner", rolespec_name(s->newowner));
	/* a SECURITY DEFINER function reads with its (new) owner's rights */
	if (s->objectType == OBJECT_FUNCTION || s->objectType == OBJECT_PROCEDURE ||
		s->objectType == OBJECT_ROUTINE)
	{
		Oid			funcid = drop_func_oid(s->object);

		if (is_definer_function(funcid))
			put_definer_reads(c->st, list_make1_oid(funcid), InvalidOid, NIL);
	}
}

static void
classify_depends(Cls *c, AlterObjectDependsStmt *s)
{
	set_main(c, altered_object(c, s->objectType, s->relation, s->object));
	add_op(c, s->remove ? "no_depends_on_extension" : "depends_on_extension");
	dbc_put_text(c->st, "extension", s->extname ? strVal(s->extname) : NULL);
}

static void
classify_comment(Cls *c, Node *stmt)
{
	ObjectType	t;
	Node	   *object;

	if (IsA(stmt, CommentStmt))
	{
		t = ((CommentStmt *) stmt)->objtype;
		object = ((CommentStmt *) stmt)->object;
		add_op(c, "comment");
		dbc_put_text(c->st, "comment", ((CommentStmt *) stmt)->comment);
	}
	else
	{
		SecLabelStmt *s = (SecLabelStmt *) stmt;

		t = s->objtype;
		object = s->object;
		add_op(c, "security_label");
		dbc_put_text(c->st, "provider", s->provider);
		dbc_put_text(c->st, "label", s->label);
	}
	set_main(c, object_from_node(t, object));
	if ((t == OBJECT_TABLE || t == OBJECT_MATVIEW || t == OBJECT_FOREIGN_TABLE) && c->table == NULL)
		set_table(c, c->main);
	/* an index's comment or label is its table's (as for DROP INDEX) */
	if (t == OBJECT_INDEX && c->table == NULL)
		set_table_of_index(c, c->main);
	if (is_relation_type(t) || t == OBJECT_COLUMN)
		add_lock(c, ShareUpdateExclusiveLock);
}

/* ---------------------------------------------------------------------------
 * Privileges
 * ---------------------------------------------------------------------------
 */

static void
put_privileges(JsonbParseState **st, List *privileges)
{
	ListCell   *lc;
	List	   *cols = NIL;

	begin_array(st, "privileges");
	if (privileges == NIL)
		push_text_elem(st, "all");
	foreach(lc, privileges)
	{
		AccessPriv *p = lfirst_node(AccessPriv, lc);
		char	   *name;
		char	   *q;

		if (p->priv_name == NULL)
			name = "all";
		else
		{
			name = pstrdup(p->priv_name);
			for (q = name; *q; q++)
				if (*q == ' ')
					*q = '_';
		}
		push_text_elem(st, name);
		cols = list_concat(cols, p->cols);
	}
	end_array(st);
	put_string_nodes(st, "columns", cols);
}

static void
classify_grant(Cls *c, GrantStmt *s)
{
	JsonbParseState **st = c->st;
	ListCell   *lc;
	bool		in_schema = s->targtype == ACL_TARGET_ALL_IN_SCHEMA;

	c->object_type = objtype_name(s->objtype);
	add_op(c, s->is_grant ? "grant" : "revoke");
	dbc_put_bool(st, "is_grant", s->is_grant);
	put_privileges(st, s->privileges);
	put_rolespecs(st, "grantees", s->grantees);
	dbc_put_bool(st, "all_in_schema", in_schema);
	dbc_put_bool(st, "grant_option", s->grant_option);
	c->cascade = s->behavior == DROP_CASCADE;
	foreach(lc, s->objects)
	{
		Node	   *n = lfirst(lc);

		if (in_schema && IsA(n, String))
			c->objects = lappend(c->objects, global_object(OBJECT_SCHEMA, strVal(n)));
		else
			c->objects = lappend(c->objects, object_from_node(s->objtype, n));
	}
	if (c->objects)
		set_main(c, linitial(c->objects));

	/*
	 * Privileges on a view are privileges on what it reads (with its owner's
	 * rights): reads, for the views and materialized views granted on.
	 */
	if (s->objtype == OBJECT_TABLE)
	{
		ReadsWalk  *rw = NULL;

		foreach(lc, c->objects)
		{
			ClsObject  *o = lfirst(lc);

			if (in_schema || is_view_relation(o))
			{
				if (rw == NULL)
					rw = reads_begin();
				if (in_schema)
					reads_of_schema(rw, o->name);
				else
					reads_of_relation(rw, o);
			}
		}
		if (rw != NULL)
			put_reads(st, rw);
	}

	/*
	 * UPDATE on a sequence lets the grantee setval() it (USAGE: nextval()):
	 * used_by, for the sequences granted on (GRANT ... ON TABLE names them
	 * too).
	 */
	if (s->objtype == OBJECT_SEQUENCE || (!in_schema && s->objtype == OBJECT_TABLE))
		put_sequences_used_by(st, c->objects, in_schema);

	/*
	 * EXECUTE on a SECURITY DEFINER function lets the grantee read what its
	 * body reads, with its owner's rights: reads, for those granted on.
	 */
	if (s->is_grant &&
		(s->objtype == OBJECT_FUNCTION || s->objtype == OBJECT_PROCEDURE ||
		 s->objtype == OBJECT_ROUTINE))
	{
		List	   *funcs = NIL;

		foreach(lc, s->objects)
		{
			Node	   *n = lfirst(lc);

			if (in_schema && IsA(n, String))
				funcs = list_concat(funcs, definer_functions_in_schema(strVal(n), s->objtype));
			else if (!in_schema)
			{
				Oid			funcid = drop_func_oid(n);

				if (is_definer_function(funcid))
					funcs = lappend_oid(funcs, funcid);
			}
		}
		if (funcs != NIL)
			put_definer_reads(st, funcs, InvalidOid, NIL);
	}
}

static void
classify_grant_role(Cls *c, GrantRoleStmt *s)
{
	ListCell   *lc;
	List	   *granted = NIL;

	c->object_type = "role";
	add_op(c, s->is_grant ? "grant_role" : "revoke_role");
	dbc_put_bool(c->st, "is_grant", s->is_grant);
	put_rolespecs(c->st, "granted_roles", s->granted_roles);
	put_rolespecs(c->st, "grantees", s->grantee_roles);
	dbc_put_bool(c->st, "admin_option", s->admin_opt);
	c->cascade = s->behavior == DROP_CASCADE;
	foreach(lc, s->granted_roles)
	{
		AccessPriv *p = lfirst_node(AccessPriv, lc);
		RoleSpec   *spec = makeNode(RoleSpec);

		c->objects = lappend(c->objects, global_object(OBJECT_ROLE, p->priv_name));
		spec->roletype = ROLESPEC_CSTRING;
		spec->rolename = p->priv_name;
		spec->location = -1;
		granted = lappend(granted, spec);
	}
	if (c->objects)
		set_main(c, linitial(c->objects));
	/*
	 * membership in a role is the use of everything it owns; and the
	 * SECURITY DEFINER functions of the grantees (and of their members) run
	 * with the granted role's rights from then on
	 */
	if (s->is_grant)
		put_owned_objects(c->st, granted, true, false,
						  widened_definers(s->grantee_roles, true));
}

static void
classify_default_privileges(Cls *c, AlterDefaultPrivilegesStmt *s)
{
	GrantStmt  *g = s->action;
	DefElem    *schemas = find_opt(s->options, "schemas");
	DefElem    *roles = find_opt(s->options, "roles");

	c->object_type = "default_privileges";
	set_main(c, new_object("default_privileges", NULL, NULL));
	add_op(c, g->is_grant ? "grant" : "revoke");
	dbc_put_bool(c->st, "is_grant", g->is_grant);
	put_privileges(c->st, g->privileges);
	put_rolespecs(c->st, "grantees", g->grantees);
	dbc_put_bool(c->st, "grant_option", g->grant_option);
	dbc_put_text(c->st, "target_object_type", objtype_name(g->objtype));
	put_string_nodes(c->st, "schemas", schemas ? (List *) schemas->arg : NIL);
	put_rolespecs(c->st, "for_roles", roles ? (List *) roles->arg : NIL);
	c->cascade = g->behavior == DROP_CASCADE;
}

/* ---------------------------------------------------------------------------
 * Roles, databases, tablespaces, server configuration
 * ---------------------------------------------------------------------------
 */

static void
put_role_options(JsonbParseState **st, List *options, bool is_user)
{
	ListCell   *lc;
	bool		login_given = false;

	begin_object(st, "role_options");
	foreach(lc, options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);
		const char *n = opt->defname;

		if (strcmp(n, "canlogin") == 0)
		{
			login_given = true;
			dbc_put_bool(st, "login", opt_bool(opt));
		}
		else if (strcmp(n, "isreplication") == 0)
			dbc_put_bool(st, "replication", opt_bool(opt));
		else if (strcmp(n, "password") == 0)
			dbc_put_bool(st, "password", opt->arg != NULL);	/* never the value */
		else if (strcmp(n, "connectionlimit") == 0 || strcmp(n, "sysid") == 0)
		{
			const char *key = n[0] == 'c' ? "connection_limit" : "sysid";

			if (opt->arg && IsA(opt->arg, Integer))
				dbc_put_int(st, key, intVal(opt->arg));
			else
				dbc_put_text(st, key, opt_text(opt));
		}
		else if (strcmp(n, "validUntil") == 0)
			dbc_put_text(st, "valid_until", opt_text(opt));
		else if (strcmp(n, "addroleto") == 0 || strcmp(n, "rolemembers") == 0 ||
				 strcmp(n, "adminmembers") == 0)
			put_rolespecs(st, n[0] == 'a' && n[1] == 'd' && n[2] == 'd' ? "in_role" :
						  n[0] == 'r' ? "role" : "admin",
						  opt->arg && IsA(opt->arg, List) ? (List *) opt->arg : NIL);
		else
			dbc_put_bool(st, n, opt_bool(opt));
	}
	if (is_user && !login_given)
		dbc_put_bool(st, "login", true);
	end_object(st);
}

static const char *
setstmt_op(VariableSetStmt *v)
{
	if (v == NULL)
		return "set";
	switch (v->kind)
	{
		case VAR_RESET:
		case VAR_SET_DEFAULT:
			return "reset";
		case VAR_RESET_ALL:
			return "reset_all";
		default:
			return "set";
	}
}

/* The value of SET x = ... as text (constants only), or NULL. */
static char *
setstmt_value(VariableSetStmt *v)
{
	StringInfoData buf;
	ListCell   *lc;

	if (v == NULL || v->kind != VAR_SET_VALUE || v->args == NIL)
		return NULL;
	initStringInfo(&buf);
	foreach(lc, v->args)
	{
		Node	   *n = lfirst(lc);

		if (IsA(n, TypeCast))
			n = ((TypeCast *) n)->arg;
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		if (IsA(n, A_Const) && !((A_Const *) n)->isnull)
		{
			Node	   *val = (Node *) &((A_Const *) n)->val;

			switch (nodeTag(val))
			{
				case T_Integer:
					appendStringInfo(&buf, "%d", intVal(val));
					break;
				case T_Float:
					appendStringInfoString(&buf, castNode(Float, val)->fval);
					break;
				case T_String:
					appendStringInfoString(&buf, strVal(val));
					break;
				case T_Boolean:
					appendStringInfoString(&buf, boolVal(val) ? "true" : "false");
					break;
				default:
					break;
			}
		}
	}
	return buf.data;
}

static void
classify_role(Cls *c, Node *stmt)
{
	JsonbParseState **st = c->st;

	c->object_type = "role";
	switch (nodeTag(stmt))
	{
		case T_CreateRoleStmt:
			{
				CreateRoleStmt *s = (CreateRoleStmt *) stmt;

				set_main(c, global_object(OBJECT_ROLE, s->role));
				add_op(c, "create");
				put_role_options(st, s->options, s->stmt_type == ROLESTMT_USER);
				/*
				 * CREATE ROLE x IN ROLE r ROLE m: m (and its members) inherit
				 * r's rights through the new role
				 */
				if (find_opt(s->options, "addroleto") != NULL)
				{
					List	   *members = NIL;
					ListCell   *lc;

					foreach(lc, s->options)
					{
						DefElem    *opt = lfirst_node(DefElem, lc);

						if ((strcmp(opt->defname, "rolemembers") == 0 ||
							 strcmp(opt->defname, "adminmembers") == 0) &&
							opt->arg && IsA(opt->arg, List))
							members = list_concat(members, (List *) opt->arg);
					}
					members = widened_definers(members, true);
					if (members != NIL)
						put_definer_reads(st, members, InvalidOid, NIL);
				}
				break;
			}
		case T_AlterRoleStmt:
			{
				AlterRoleStmt *s = (AlterRoleStmt *) stmt;

				set_main(c, global_object(OBJECT_ROLE, rolespec_name(s->role)));
				add_op(c, "alter");
				put_role_options(st, s->options, false);
				/*
				 * LOGIN, a PASSWORD, ...: who can act as the owner of what it
				 * owns; SUPERUSER, BYPASSRLS, INHERIT and ALTER GROUP ... ADD
				 * USER: what its SECURITY DEFINER functions (or the added
				 * members') read
				 */
				put_owned_objects(st, list_make1(s->role), true, false,
								  alter_role_widened(s));
				break;
			}
		case T_AlterRoleSetStmt:
			{
				AlterRoleSetStmt *s = (AlterRoleSetStmt *) stmt;

				set_main(c, global_object(OBJECT_ROLE, s->role ? rolespec_name(s->role) : NULL));
				add_op(c, setstmt_op(s->setstmt));
				dbc_put_text(st, "parameter", s->setstmt ? s->setstmt->name : NULL);
				dbc_put_text(st, "value", setstmt_value(s->setstmt));
				dbc_put_text(st, "in_database", s->database);
				break;
			}
		default:
			break;
	}
}

static void
classify_database(Cls *c, Node *stmt)
{
	JsonbParseState **st = c->st;

	c->object_type = "database";
	switch (nodeTag(stmt))
	{
		case T_CreatedbStmt:
			set_main(c, global_object(OBJECT_DATABASE, ((CreatedbStmt *) stmt)->dbname));
			add_op(c, "create");
			put_option_names(st, "options", ((CreatedbStmt *) stmt)->options);
			break;
		case T_AlterDatabaseStmt:
			set_main(c, global_object(OBJECT_DATABASE, ((AlterDatabaseStmt *) stmt)->dbname));
			add_op(c, "alter");
			put_option_names(st, "options", ((AlterDatabaseStmt *) stmt)->options);
			break;
		case T_AlterDatabaseSetStmt:
			{
				AlterDatabaseSetStmt *s = (AlterDatabaseSetStmt *) stmt;

				set_main(c, global_object(OBJECT_DATABASE, s->dbname));
				add_op(c, setstmt_op(s->setstmt));
				dbc_put_text(st, "parameter", s->setstmt ? s->setstmt->name : NULL);
				dbc_put_text(st, "value", setstmt_value(s->setstmt));
				break;
			}
		default:
			break;
	}
}

static void
classify_tablespace(Cls *c, Node *stmt)
{
	c->object_type = "tablespace";
	if (IsA(stmt, CreateTableSpaceStmt))
	{
		CreateTableSpaceStmt *s = (CreateTableSpaceStmt *) stmt;

		set_main(c, global_object(OBJECT_TABLESPACE, s->tablespacename));
		add_op(c, "create");
		dbc_put_text(c->st, "location", s->location);
		dbc_put_text(c->st, "new_owner", rolespec_name(s->owner));
	}
	else
	{
		AlterTableSpaceOptionsStmt *s = (AlterTableSpaceOptionsStmt *) stmt;

		set_main(c, global_object(OBJECT_TABLESPACE, s->tablespacename));
		add_op(c, s->isReset ? "reset_options" : "set_options");
		put_option_names(c->st, "options", s->options);
	}
}

static void
classify_alter_system(Cls *c, AlterSystemStmt *s)
{
	VariableSetStmt *v = s->setstmt;

	c->object_type = "parameter";
	set_main(c, new_object("parameter", NULL, v->name ? pstrdup(v->name) : NULL));
	add_op(c, setstmt_op(v));
	dbc_put_text(c->st, "parameter", v->name);
	dbc_put_text(c->st, "value", setstmt_value(v));
}

/* ---------------------------------------------------------------------------
 * Maintenance
 * ---------------------------------------------------------------------------
 */

static void
classify_vacuum(Cls *c, VacuumStmt *s)
{
	JsonbParseState **st = c->st;
	bool		full = s->is_vacuumcmd && opt_on(s->options, "full");
	ListCell   *lc;

	foreach(lc, s->rels)
	{
		VacuumRelation *vr = lfirst_node(VacuumRelation, lc);

		if (vr->relation)
		{
			ClsObject  *o = rel_object("table", vr->relation);

			c->objects = lappend(c->objects, o);
			/* a partitioned table: every partition is vacuumed (and locked) */
			reach_below(c, o, RECURSE_PARTITIONS);
		}
	}
	if (c->objects)
	{
		c->object_type = "table";
		set_main(c, linitial(c->objects));
	}
	else
	{
		c->object_type = "database";
		set_main(c, global_object(OBJECT_DATABASE, get_database_name(MyDatabaseId)));
	}
	c->sum_objects = true;
	add_op(c, !s->is_vacuumcmd ? "analyze" : full ? "vacuum_full" : "vacuum");
	dbc_put_bool(st, "full", full);
	begin_array(st, "options");
	foreach(lc, s->options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if (opt_bool(opt))
			push_text_elem(st, opt->defname);
	}
	end_array(st);
	if (full)
	{
		c->rewrites = c->scans = true;
		add_lock(c, AccessExclusiveLock);
	}
	else
	{
		c->scans = s->is_vacuumcmd;
		add_lock(c, ShareUpdateExclusiveLock);
	}
}

static void
classify_cluster(Cls *c, ClusterStmt *s)
{
	ClsObject  *o;

	c->object_type = "table";
	if (s->relation)
	{
		o = rel_object("table", s->relation);
		set_main(c, o);
		set_table(c, o);
		/* a partitioned table: every partition is clustered (rewritten) */
		reach_below(c, o, RECURSE_PARTITIONS);
	}
	else
		set_main(c, new_object("table", NULL, NULL));
	add_op(c, "cluster");
	dbc_put_text(c->st, "index", s->indexname);
	c->rewrites = c->scans = true;
	add_lock(c, AccessExclusiveLock);
}

/* ---------------------------------------------------------------------------
 * Replication, foreign data, statistics
 * ---------------------------------------------------------------------------
 */

static void
publication_objects(Cls *c, List *pubobjects)
{
	ListCell   *lc;

	foreach(lc, pubobjects)
	{
		PublicationObjSpec *p = lfirst_node(PublicationObjSpec, lc);

		switch (p->pubobjtype)
		{
			case PUBLICATIONOBJ_TABLE:
				if (p->pubtable && p->pubtable->relation)
					c->objects = lappend(c->objects, rel_object("table", p->pubtable->relation));
				break;
			case PUBLICATIONOBJ_TABLES_IN_SCHEMA:
				c->objects = lappend(c->objects, global_object(OBJECT_SCHEMA, p->name));
				break;
			case PUBLICATIONOBJ_TABLES_IN_CUR_SCHEMA:
				c->objects = lappend(c->objects, global_object(OBJECT_SCHEMA, creation_schema()));
				break;
			default:
				break;
		}
	}
}

static void
classify_publication(Cls *c, Node *stmt)
{
	c->object_type = "publication";
	if (IsA(stmt, CreatePublicationStmt))
	{
		CreatePublicationStmt *s = (CreatePublicationStmt *) stmt;

		set_main(c, global_object(OBJECT_PUBLICATION, s->pubname));
		add_op(c, "create");
		dbc_put_bool(c->st, "for_all_tables", s->for_all_tables);
		publication_objects(c, s->pubobjects);
	}
	else
	{
		AlterPublicationStmt *s = (AlterPublicationStmt *) stmt;

		set_main(c, global_object(OBJECT_PUBLICATION, s->pubname));
		if (s->pubobjects == NIL && s->options != NIL)
			add_op(c, "alter");
		else
			add_op(c, s->action == AP_AddObjects ? "add" :
				   s->action == AP_DropObjects ? "drop" : "set");
		dbc_put_bool(c->st, "for_all_tables", s->for_all_tables);
		publication_objects(c, s->pubobjects);
	}
	if (c->objects == NIL)
		c->objects = list_make1(c->main);
}

static void
classify_subscription(Cls *c, Node *stmt)
{
	c->object_type = "subscription";
	if (IsA(stmt, CreateSubscriptionStmt))
	{
		CreateSubscriptionStmt *s = (CreateSubscriptionStmt *) stmt;

		set_main(c, global_object(OBJECT_SUBSCRIPTION, s->subname));
		add_op(c, "create");
		put_string_nodes(c->st, "publications", s->publication);
	}
	else
	{
		AlterSubscriptionStmt *s = (AlterSubscriptionStmt *) stmt;
		const char *op = "alter";

		set_main(c, global_object(OBJECT_SUBSCRIPTION, s->subname));
		switch (s->kind)
		{
			case ALTER_SUBSCRIPTION_OPTIONS:
				op = "set_options";
				break;
			case ALTER_SUBSCRIPTION_CONNECTION:
				op = "connection";
				break;
			case ALTER_SUBSCRIPTION_SET_PUBLICATION:
				op = "set_publication";
				break;
			case ALTER_SUBSCRIPTION_ADD_PUBLICATION:
				op = "add_publication";
				break;
			case ALTER_SUBSCRIPTION_DROP_PUBLICATION:
				op = "drop_publication";
				break;
			case ALTER_SUBSCRIPTION_REFRESH:
				op = "refresh";
				break;
			case ALTER_SUBSCRIPTION_ENABLED:
				op = opt_on(s->options, "enabled") ? "enable" : "disable";
				break;
			case ALTER_SUBSCRIPTION_SKIP:
				op = "skip";
				break;
		}
		add_op(c, op);
		put_string_nodes(c->st, "publications", s->publication);
	}
}

static void
classify_import(Cls *c, ImportForeignSchemaStmt *s)
{
	set_main(c, global_object(OBJECT_SCHEMA, s->local_schema));
	add_op(c, "import");
	dbc_put_text(c->st, "server", s->server_name);
	dbc_put_text(c->st, "remote_schema", s->remote_schema);
	dbc_put_text(c->st, "new_schema", s->local_schema);
}

static void
classify_statistics(Cls *c, CreateStatsStmt *s)
{
	ClsObject  *tab = NULL;
	ClsObject  *o;

	if (s->relations != NIL && IsA(linitial(s->relations), RangeVar))
		tab = rel_object("table", linitial(s->relations));
	if (s->defnames != NIL)
		o = names_object("statistics", s->defnames);
	else
		o = new_object("statistics", tab ? tab->schema : NULL, NULL);
	set_main(c, o);
	if (tab)
		set_table(c, tab);
	add_op(c, "create");
	c->if_not_exists = s->if_not_exists;
	add_lock(c, ShareUpdateExclusiveLock);
}


/* Names of the less common objects (foreign data, languages, operators, ...). */
static void
classify_misc(Cls *c, Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_CreateFdwStmt:
			set_main(c, global_object(OBJECT_FDW, ((CreateFdwStmt *) stmt)->fdwname));
			break;
		case T_AlterFdwStmt:
			set_main(c, global_object(OBJECT_FDW, ((AlterFdwStmt *) stmt)->fdwname));
			break;
		case T_CreateForeignServerStmt:
			set_main(c, global_object(OBJECT_FOREIGN_SERVER,
									  ((CreateForeignServerStmt *) stmt)->servername));
			c->if_not_exists = ((CreateForeignServerStmt *) stmt)->if_not_exists;
			break;
		case T_AlterForeignServerStmt:
			set_main(c, global_object(OBJECT_FOREIGN_SERVER,
									  ((AlterForeignServerStmt *) stmt)->servername));
			break;
		case T_CreateUserMappingStmt:
		case T_AlterUserMappingStmt:
			{
				RoleSpec   *user = IsA(stmt, CreateUserMappingStmt) ?
				((CreateUserMappingStmt *) stmt)->user : ((AlterUserMappingStmt *) stmt)->user;
				char	   *server = IsA(stmt, CreateUserMappingStmt) ?
				((CreateUserMappingStmt *) stmt)->servername :
				((AlterUserMappingStmt *) stmt)->servername;

				set_main(c, new_object("user_mapping", NULL,
									   psprintf("for %s server %s", rolespec_name(user), server)));
				break;
			}
		case T_CreatePLangStmt:
			set_main(c, global_object(OBJECT_LANGUAGE, ((CreatePLangStmt *) stmt)->plname));
			c->or_replace = ((CreatePLangStmt *) stmt)->replace;
			break;
		case T_CreateAmStmt:
			set_main(c, global_object(OBJECT_ACCESS_METHOD, ((CreateAmStmt *) stmt)->amname));
			break;
		case T_CreateConversionStmt:
			set_main(c, names_object("conversion", ((CreateConversionStmt *) stmt)->conversion_name));
			break;
		case T_CreateCastStmt:
			set_main(c, new_object("cast", NULL,
								   psprintf("%s as %s",
											normalized_type_name(((CreateCastStmt *) stmt)->sourcetype),
											normalized_type_name(((CreateCastStmt *) stmt)->targettype))));
			break;
		case T_CreateTransformStmt:
			set_main(c, new_object("transform", NULL,
								   psprintf("for %s language %s",
											normalized_type_name(((CreateTransformStmt *) stmt)->type_name),
											((CreateTransformStmt *) stmt)->lang)));
			c->or_replace = ((CreateTransformStmt *) stmt)->replace;
			break;
		case T_CreateOpClassStmt:
			set_main(c, names_object("operator_class", ((CreateOpClassStmt *) stmt)->opclassname));
			break;
		case T_CreateOpFamilyStmt:
			set_main(c, names_object("operator_family", ((CreateOpFamilyStmt *) stmt)->opfamilyname));
			break;
		case T_AlterOpFamilyStmt:
			set_main(c, names_object("operator_family", ((AlterOpFamilyStmt *) stmt)->opfamilyname));
			break;
		case T_AlterOperatorStmt:
			set_main(c, names_object("operator", ((AlterOperatorStmt *) stmt)->opername->objname));
			break;
		case T_AlterStatsStmt:
			set_main(c, object_from_node(OBJECT_STATISTIC_EXT,
										 (Node *) ((AlterStatsStmt *) stmt)->defnames));
			c->if_exists = ((AlterStatsStmt *) stmt)->missing_ok;
			break;
		case T_AlterCollationStmt:
			set_main(c, names_object("collation", ((AlterCollationStmt *) stmt)->collname));
			add_op(c, "refresh_version");
			break;
		case T_AlterTSDictionaryStmt:
			set_main(c, names_object("text_search_dictionary",
									 ((AlterTSDictionaryStmt *) stmt)->dictname));
			break;
		case T_AlterTSConfigurationStmt:
			set_main(c, names_object("text_search_configuration",
									 ((AlterTSConfigurationStmt *) stmt)->cfgname));
			c->if_exists = ((AlterTSConfigurationStmt *) stmt)->missing_ok;
			/* a generated tsvector column or an index expression parses with it */
			put_used_by(c->st, TSConfigRelationId,
						get_ts_config_oid(((AlterTSConfigurationStmt *) stmt)->cfgname, true));
			break;
		default:
			break;
	}
}

/* ---------------------------------------------------------------------------
 * Fallback, common facts, entry points
 * ---------------------------------------------------------------------------
 */

/*
 * object_type and verb from a command tag, for statements without a special
 * case: "CREATE FOREIGN DATA WRAPPER" -> foreign_data_wrapper / create;
 * one-word tags ("DO", "CHECKPOINT") -> the word for both.
 */
static const char *
tag_object_type(CommandTag tag, const char **verb)
{
	const char *name = GetCommandTagName(tag);
	const char *sp = strchr(name, ' ');
	char	   *lower = asc_tolower(name, strlen(name));
	char	   *p;

	if (sp == NULL)
	{
		*verb = lower;
		return lower;
	}
	lower[sp - name] = '\0';
	*verb = lower;
	for (p = lower + (sp - name) + 1; *p; p++)
		if (*p == ' ')
			*p = '_';
	return lower + (sp - name) + 1;
}

static void
classify_dml(Cls *c, Node *stmt)
{
	RangeVar   *rv = NULL;

	switch (nodeTag(stmt))
	{
		case T_InsertStmt:
			rv = ((InsertStmt *) stmt)->relation;
			break;
		case T_UpdateStmt:
			rv = ((UpdateStmt *) stmt)->relation;
			break;
		case T_DeleteStmt:
			rv = ((DeleteStmt *) stmt)->relation;
			break;
		case T_MergeStmt:
			rv = ((MergeStmt *) stmt)->relation;
			break;
		case T_SelectStmt:
			{
				IntoClause *into = dbc_select_into((SelectStmt *) stmt);

				if (into == NULL)
					return;
				/* the raw tree's tag is SELECT; once analysed it is SELECT INTO */
				c->command = "SELECT INTO";
				c->object_type = "table";
				set_main(c, rel_object("table", into->rel));
				add_op(c, "create");
				dbc_put_text(c->st, "persistence", persistence_name(into->rel->relpersistence));
				dbc_put_bool(c->st, "with_data", true);
				{
					/* what it copies: the query without its INTO name */
					SelectStmt	query = *(SelectStmt *) stmt;

					query.intoClause = NULL;
					put_query_reads(c->st, (Node *) &query);
				}
				return;
			}
		case T_LockStmt:
			{
				LockStmt   *l = (LockStmt *) stmt;
				ListCell   *lc;

				c->object_type = "table";
				foreach(lc, l->relations)
					c->objects = lappend(c->objects, rel_object("table", lfirst(lc)));
				if (c->objects)
					set_main(c, linitial(c->objects));
				c->sum_objects = true;
				add_op(c, "lock");
				add_lock(c, l->mode);
				return;
			}
		default:
			break;
	}
	if (rv)
	{
		ClsObject  *o = rel_object("table", rv);

		set_main(c, o);
		set_table(c, o);
		add_lock(c, RowExclusiveLock);
	}
}

static void
put_exists(JsonbParseState **st, int exists)
{
	if (exists < 0)
		dbc_put_null(st, "exists");
	else
		dbc_put_bool(st, "exists", exists == 1);
}

static void
put_object_list(JsonbParseState **st, const char *key, List *objects)
{
	ListCell   *lc;

	begin_array(st, key);
	foreach(lc, objects)
	{
		ClsObject  *o = lfirst(lc);

		begin_object(st, NULL);
		dbc_put_text(st, "object_type", o->object_type);
		dbc_put_text(st, "schema", o->schema);
		dbc_put_text(st, "name", o->name);
		dbc_put_text(st, "identity", o->identity);
		put_exists(st, o->exists);
		put_int_or_null(st, "rows", o->sized ? o->rows : -1);
		dbc_put_bool(st, "rows_estimated", o->sized && o->rows >= 0 && o->rows_estimated);
		put_int_or_null(st, "bytes", o->sized ? (double) o->bytes : -1);
		/* an index's or statistics object's table: DROP INDEX a, b names two */
		if (o->table != NULL && o->object_type != NULL &&
			(strcmp(o->object_type, "index") == 0 || strcmp(o->object_type, "statistics") == 0))
			dbc_put_text(st, "table", o->table);
		end_object(st);
	}
	end_array(st);
}

static void
put_objects(JsonbParseState **st, List *objects)
{
	put_object_list(st, "objects", objects);
}

/*
 * table_rows / table_bytes / table_rows_estimated (also returned: < 0
 * unknown; *est_out: some of the rows are estimated from size)
 */
static void
put_sizes(Cls *c, List *objects, double *rows_out, double *bytes_out, bool *est_out)
{
	double		rows = -1;
	double		bytes = -1;
	bool		est = false;

	if (c->sum_objects)
	{
		ListCell   *lc;

		foreach(lc, objects)
		{
			ClsObject  *o = lfirst(lc);

			if (!o->sized)
				continue;
			if (o->rows >= 0)
			{
				rows = (rows < 0 ? 0 : rows) + o->rows;
				est |= o->rows_estimated;
			}
			if (o->bytes >= 0)
				bytes = (bytes < 0 ? 0 : bytes) + o->bytes;
		}
	}
	else if (c->table_obj && c->table_obj->sized &&
			 c->table_obj->relid == c->table_relid && OidIsValid(c->table_relid))
	{
		/* measured when the object was looked up: do not stat the files twice */
		rows = c->table_obj->rows;
		bytes = c->table_obj->bytes;
		est = c->table_obj->rows_estimated;
	}
	else if (OidIsValid(c->table_relid))
	{
		int64		b;

		if (rel_size(c->table_relid, &rows, &b, &est))
			bytes = b;
	}
	est = est && rows >= 0;
	put_int_or_null(c->st, "table_rows", rows);
	dbc_put_bool(c->st, "table_rows_estimated", est);
	put_int_or_null(c->st, "table_bytes", bytes);
	*rows_out = rows;
	*bytes_out = bytes;
	*est_out = est;
}

/* ---------------------------------------------------------------------------
 * Descendants: what a statement reaches below the tables it names
 * ---------------------------------------------------------------------------
 */

/* How many descendants (and schema relations) are listed; the count is whole. */
#define REACH_LISTED 1000

/* A relation listed in descendants or schema_relations. */
typedef struct ReachEntry
{
	const char *object_type;
	char	   *schema;
	char	   *name;
	const char *descendant_of;	/* descendants: the named table */
	bool		partition;
	bool		sized;
	double		rows;
	bool		rows_estimated;
	int64		bytes;
} ReachEntry;

/* A relation met already; named: the statement names it too. */
typedef struct ReachSeen
{
	Oid			relid;			/* hash key */
	ClsObject  *named;
	const char *root;			/* a descendant: the named table it lies
								 * below; NULL for a table named */
} ReachSeen;

typedef struct ReachWalk
{
	List	   *listed;			/* of ReachEntry *, the first REACH_LISTED */
	int64		count;			/* all of them */
	/* sizes of the data reached that table_rows/table_bytes do not count */
	double		rows;
	bool		rows_known;
	bool		rows_estimated; /* some of rows: from size, never analysed */
	double		bytes;
	bool		bytes_known;
	HTAB	   *seen;			/* of ReachSeen: relations met (several roots
								 * or tables named), or NULL */
	List	   *skip_nsps;		/* DROP SCHEMA: relations there are listed apart */
	Oid			nsp;			/* the last schema named, and its name */
	char	   *nsp_name;
} ReachWalk;

static const char *
relkind_object_type(char relkind)
{
	switch (relkind)
	{
		case RELKIND_FOREIGN_TABLE:
			return "foreign_table";
		case RELKIND_VIEW:
			return "view";
		case RELKIND_MATVIEW:
			return "materialized_view";
		case RELKIND_SEQUENCE:
			return "sequence";
		default:
			return "table";
	}
}

/* Partitions of one table mostly share a schema: its name is looked up once. */
static char *
walk_nsp_name(ReachWalk *w, Oid nsp)
{
	if (nsp != w->nsp || w->nsp_name == NULL)
	{
		w->nsp = nsp;
		w->nsp_name = get_namespace_name(nsp);
	}
	return w->nsp_name;
}

/* Count a relation's own data into the sizes the table facts do not have. */
static void
walk_add_size(ReachWalk *w, double rows, int64 bytes, bool rows_est)
{
	if (rows >= 0)
	{
		w->rows += rows;
		w->rows_known = true;
		w->rows_estimated |= rows_est;
	}
	if (bytes >= 0)
	{
		w->bytes += bytes;
		w->bytes_known = true;
	}
}

/*
 * The descendants of root, breadth first (find_all_inheritors' order), as
 * far as how says.  counted: table_rows/table_bytes already hold their data
 * (root is a partitioned table named by the statement: its size is the sum
 * over its partitions), so only the listed ones are measured.  No locks are
 * taken: a relation dropped meanwhile is simply not found.
 */
static void
walk_descendants(ReachWalk *w, Oid root, const char *root_identity, ClsRecurse how,
				 bool counted)
{
	List	   *all = find_all_inheritors(root, NoLock, NULL);
	ListCell   *lc;

	foreach(lc, all)
	{
		Oid			child = lfirst_oid(lc);
		HeapTuple	tp;
		Form_pg_class rc;
		bool		listed;
		bool		sized = false;
		double		rows = -1;
		int64		bytes = -1;
		bool		rows_est = false;

		if (child == root)
			continue;
		tp = SearchSysCache1(RELOID, ObjectIdGetDatum(child));
		if (!HeapTupleIsValid(tp))
			continue;
		rc = (Form_pg_class) GETSTRUCT(tp);
		if ((how == RECURSE_PARTITIONS && !rc->relispartition) ||
			list_member_oid(w->skip_nsps, rc->relnamespace))
		{
			ReleaseSysCache(tp);
			continue;
		}
		if (w->seen)
		{
			bool		found;
			ReachSeen  *seen = hash_search(w->seen, &child, HASH_ENTER, &found);

			if (!found)
			{
				seen->named = NULL;
				seen->root = root_identity;
			}
			else
			{
				/*
				 * A table the statement names below another it names (TRUNCATE
				 * parent, partition): table_rows/table_bytes count its data in
				 * both, the totals once.
				 */
				if (counted && seen->named != NULL && seen->named->sized)
				{
					if (seen->named->rows >= 0)
						w->rows -= seen->named->rows;
					if (seen->named->bytes >= 0)
						w->bytes -= seen->named->bytes;
				}
				seen->named = NULL;
				ReleaseSysCache(tp);
				continue;
			}
		}
		w->count++;
		listed = w->count <= REACH_LISTED;
		if (listed || !counted)
			sized = own_size_of(rc, &rows, &bytes, &rows_est);
		if (sized && !counted)
			walk_add_size(w, rows, bytes, rows_est);
		if (listed)
		{
			ReachEntry *e = palloc(sizeof(ReachEntry));

			e->object_type = relkind_object_type(rc->relkind);
			e->schema = walk_nsp_name(w, rc->relnamespace);
			e->name = pstrdup(NameStr(rc->relname));
			e->descendant_of = root_identity;
			e->partition = rc->relispartition;
			e->sized = sized;
			e->rows = rows;
			e->rows_estimated = rows_est;
			e->bytes = bytes;
			w->listed = lappend(w->listed, e);
		}
		ReleaseSysCache(tp);
	}
	list_free(all);
}

static int
entry_cmp(const ListCell *a, const ListCell *b)
{
	const ReachEntry *x = lfirst(a);
	const ReachEntry *y = lfirst(b);
	int			res = strcmp(x->schema, y->schema);

	return res != 0 ? res : strcmp(x->name, y->name);
}

/*
 * DROP SCHEMA ... CASCADE: every table, view, materialized view and
 * sequence in the schemas (sorted by identity), their data counted into the
 * walk's sizes; the tables with children are returned in *roots (OIDs) and
 * *root_names, for their descendants in other schemas.  A heap scan of
 * pg_class (no index leads with relnamespace); the statement is rare.
 */
static List *
schema_relations(List *nsps, ReachWalk *w, int64 *count, List **roots, List **root_names)
{
	Relation	classrel = table_open(RelationRelationId, AccessShareLock);
	List	   *all = NIL;
	ListCell   *lc;

	*count = 0;
	foreach(lc, nsps)
	{
		Oid			nsp = lfirst_oid(lc);
		char	   *nsp_name = get_namespace_name(nsp);
		ScanKeyData key;
		SysScanDesc scan;
		HeapTuple	tup;

		if (nsp_name == NULL)
			continue;
		ScanKeyInit(&key, Anum_pg_class_relnamespace, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(nsp));
		scan = systable_beginscan(classrel, InvalidOid, false, NULL, 1, &key);
		while ((tup = systable_getnext(scan)) != NULL)
		{
			Form_pg_class rc = (Form_pg_class) GETSTRUCT(tup);
			ReachEntry *e;

			switch (rc->relkind)
			{
				case RELKIND_RELATION:
				case RELKIND_PARTITIONED_TABLE:
				case RELKIND_FOREIGN_TABLE:
				case RELKIND_VIEW:
				case RELKIND_MATVIEW:
				case RELKIND_SEQUENCE:
					break;
				default:
					continue;
			}
			e = palloc(sizeof(ReachEntry));
			e->object_type = relkind_object_type(rc->relkind);
			e->schema = nsp_name;
			e->name = pstrdup(NameStr(rc->relname));
			e->descendant_of = NULL;
			e->partition = rc->relispartition;
			e->sized = own_size_of(rc, &e->rows, &e->bytes, &e->rows_estimated);
			/* the data of tables and materialized views; sequences hold none to speak of */
			if (e->sized && rc->relkind != RELKIND_SEQUENCE)
				walk_add_size(w, e->rows, e->bytes, e->rows_estimated);
			if (rc->relhassubclass && rc->relkind != RELKIND_VIEW &&
				rc->relkind != RELKIND_MATVIEW && rc->relkind != RELKIND_SEQUENCE)
			{
				*roots = lappend_oid(*roots, rc->oid);
				*root_names = lappend(*root_names, qualify(nsp_name, e->name));
			}
			all = lappend(all, e);
		}
		systable_endscan(scan);
	}
	table_close(classrel, AccessShareLock);
	*count = list_length(all);
	list_sort(all, entry_cmp);
	if (list_length(all) > REACH_LISTED)
		all = list_truncate(all, REACH_LISTED);
	return all;
}

/* The four names every entry of a facts list of objects starts with. */
static void
put_names(JsonbParseState **st, const char *object_type, const char *schema, const char *name,
		  const char *identity)
{
	dbc_put_text(st, "object_type", object_type);
	dbc_put_text(st, "schema", schema);
	dbc_put_text(st, "name", name);
	dbc_put_text(st, "identity", identity);
}

/* rows, rows_estimated, bytes of a list entry: null when it was not sized or rows are unknown */
static void
put_size(JsonbParseState **st, bool sized, double rows, bool rows_estimated, int64 bytes)
{
	put_int_or_null(st, "rows", sized ? rows : -1);
	dbc_put_bool(st, "rows_estimated", sized && rows >= 0 && rows_estimated);
	put_int_or_null(st, "bytes", sized ? (double) bytes : -1);
}

static void
put_reach_entries(JsonbParseState **st, const char *key, List *entries)
{
	ListCell   *lc;

	begin_array(st, key);
	foreach(lc, entries)
	{
		ReachEntry *e = lfirst(lc);

		begin_object(st, NULL);
		put_names(st, e->object_type, e->schema, e->name, qualify(e->schema, e->name));
		if (e->descendant_of)
		{
			dbc_put_bool(st, "partition", e->partition);
			dbc_put_text(st, "descendant_of", e->descendant_of);
		}
		put_size(st, e->sized, e->rows, e->rows_estimated, e->bytes);
		end_object(st);
	}
	end_array(st);
}

/* ---------------------------------------------------------------------------
 * Cascades: what TRUNCATE ... CASCADE and DROP ... CASCADE take along
 * ---------------------------------------------------------------------------
 */

/* DROP ... CASCADE: how many objects the pg_depend walk visits at most. */
#define CASCADE_WALK_LIMIT 50000

/* An object listed in cascades_to. */
typedef struct CascadeEntry
{
	const char *object_type;
	char	   *schema;
	char	   *name;
	char	   *identity;
	char	   *table;			/* the table it lives on, or NULL */
	const char *depends_on;		/* identity of the object the statement names */
	bool		sized;
	double		rows;
	bool		rows_estimated;
	int64		bytes;
} CascadeEntry;

typedef struct CascadeWalk
{
	List	   *entries;		/* of CascadeEntry *: all of them, then sorted
								 * and cut to REACH_LISTED */
	int64		count;
	bool		complete;		/* false: the walk stopped at its limit */
} CascadeWalk;

/* A table the TRUNCATE reaches, and the named table it is reached from. */
typedef struct TruncSeen
{
	Oid			relid;			/* hash key */
	const char *root;
	bool		truncated;		/* false: only scanned for its referencers (the
								 * top referenced table of a cloned foreign key) */
} TruncSeen;

/* An object the DROP reaches (pg_depend address), and from which named one. */
typedef struct DepSeen
{
	ObjectAddress addr;			/* hash key */
	const char *root;
} DepSeen;

static int
cascade_entry_cmp(const ListCell *a, const ListCell *b)
{
	const CascadeEntry *x = lfirst(a);
	const CascadeEntry *y = lfirst(b);
	int			res = strcmp(x->identity, y->identity);

	return res != 0 ? res : strcmp(x->object_type, y->object_type);
}

/* A relation reached whole (its own data counted into the walk's sizes). */
static CascadeEntry *
cascade_relation(ReachWalk *w, Form_pg_class rc, const char *root)
{
	CascadeEntry *e = palloc0(sizeof(CascadeEntry));

	e->object_type = relkind_object_type(rc->relkind);
	if (!dbc_script_relation_renamed(rc->oid, &e->schema, &e->name))
	{
		e->schema = walk_nsp_name(w, rc->relnamespace);
		e->name = pstrdup(NameStr(rc->relname));
	}
	e->identity = qualify(e->schema, e->name);
	e->depends_on = root;
	e->sized = own_size_of(rc, &e->rows, &e->bytes, &e->rows_estimated);
	/* the data of tables and materialized views; sequences hold none to speak of */
	if (e->sized && rc->relkind != RELKIND_SEQUENCE)
		walk_add_size(w, e->rows, e->bytes, e->rows_estimated);
	return e;
}

/*
 * TRUNCATE ... CASCADE: the tables that reference a truncated table by
 * foreign key are truncated too, and those that reference them, as
 * ExecuteTruncate() does (heap_truncate_find_FKs(): a constraint cloned onto
 * a partition brings the table of its parent constraint along).  The
 * truncated tables are those named and their descendants (w->seen); a
 * foreign key depends on the columns it references, so the pg_depend index
 * finds the constraints of each table without scanning pg_constraint.
 */
static void
truncate_cascade(Cls *c, ReachWalk *w, CascadeWalk *cw)
{
	HTAB	   *set;
	HASHCTL		ctl;
	List	   *queue = NIL;
	List	   *below = NIL;
	Relation	deprel;
	ListCell   *lc;
	HASH_SEQ_STATUS hs;
	ReachSeen  *rs;
	int			i;
	int			nseeds;

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(TruncSeen);
	ctl.hcxt = CurrentMemoryContext;
	set = hash_create("dbchange truncate cascade", 64, &ctl,
					  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	/* the tables named, in statement order, then their descendants by OID */
	foreach(lc, c->objects)
	{
		ClsObject  *o = lfirst(lc);
		bool		found;
		TruncSeen  *t;

		if (!OidIsValid(o->relid))
			continue;
		t = hash_search(set, &o->relid, HASH_ENTER, &found);
		if (!found)
		{
			t->root = o->identity;
			t->truncated = true;
			queue = lappend(queue, t);
		}
	}
	if (w->seen)
	{
		hash_seq_init(&hs, w->seen);
		while ((rs = hash_seq_search(&hs)) != NULL)
			if (rs->root != NULL)
				below = lappend_oid(below, rs->relid);
		list_sort(below, list_oid_cmp);
		foreach(lc, below)
		{
			Oid			relid = lfirst_oid(lc);
			bool		found;
			TruncSeen  *t = hash_search(set, &relid, HASH_ENTER, &found);

			if (!found)
			{
				t->root = ((ReachSeen *) hash_search(w->seen, &relid, HASH_FIND, NULL))->root;
				t->truncated = true;
				queue = lappend(queue, t);
			}
		}
	}

	nseeds = list_length(queue);
	deprel = table_open(DependRelationId, AccessShareLock);
	for (i = 0; i < list_length(queue); i++)
	{
		TruncSeen  *t = list_nth(queue, i);
		ScanKeyData key[2];
		SysScanDesc scan;
		HeapTuple	tup;

		CHECK_FOR_INTERRUPTS();
		ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(RelationRelationId));
		ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(t->relid));
		scan = systable_beginscan(deprel, DependReferenceIndexId, true, NULL, 2, key);
		while ((tup = systable_getnext(scan)) != NULL)
		{
			Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);
			Oid			conoid = d->objid;
			bool		first = true;

			if (d->classid != ConstraintRelationId)
				continue;
			/* the constraint, and the parents of a cloned one */
			while (OidIsValid(conoid))
			{
				HeapTuple	ct = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
				Form_pg_constraint con;
				bool		found;
				TruncSeen  *n;

				if (!HeapTupleIsValid(ct))
					break;
				con = (Form_pg_constraint) GETSTRUCT(ct);
				if (con->contype != CONSTRAINT_FOREIGN ||
					(first && con->confrelid != t->relid))
				{
					ReleaseSysCache(ct);
					break;
				}
				n = hash_search(set, &con->conrelid, HASH_ENTER, &found);
				if (!found)
				{
					n->root = t->root;
					queue = lappend(queue, n);
				}
				n->truncated = true;
				/*
				 * heap_truncate_find_FKs(): the table the topmost constraint
				 * references joins the referenced tables, so every table
				 * referencing it (the partitions of a partitioned referencing
				 * table, each through its own clone) is truncated too.
				 */
				if (!OidIsValid(con->conparentid) && !first)
				{
					n = hash_search(set, &con->confrelid, HASH_ENTER, &found);
					if (!found)
					{
						n->root = t->root;
						n->truncated = false;
						queue = lappend(queue, n);
					}
				}
				conoid = con->conparentid;
				first = false;
				ReleaseSysCache(ct);
			}
		}
		systable_endscan(scan);
	}
	table_close(deprel, AccessShareLock);

	/* what the foreign keys added: the queue after the tables truncated anyway */
	for (i = nseeds; i < list_length(queue); i++)
	{
		TruncSeen  *t = list_nth(queue, i);
		HeapTuple	tp;

		if (!t->truncated)
			continue;
		tp = SearchSysCache1(RELOID, ObjectIdGetDatum(t->relid));
		if (!HeapTupleIsValid(tp))
			continue;
		cw->entries = lappend(cw->entries,
							  cascade_relation(w, (Form_pg_class) GETSTRUCT(tp), t->root));
		ReleaseSysCache(tp);
	}
	hash_destroy(set);
}

/* Add an object the DROP reaches to the walk (once). */
static void
dep_reached(HTAB *seen, List **queue, Oid classid, Oid objid, int32 subid, const char *root)
{
	ObjectAddress key;
	bool		found;
	DepSeen    *n;

	memset(&key, 0, sizeof(key));
	key.classId = classid;
	key.objectId = objid;
	key.objectSubId = subid;
	n = hash_search(seen, &key, HASH_ENTER, &found);
	if (!found)
	{
		n->root = root;
		*queue = lappend(*queue, n);
	}
}

static bool
dep_seen(HTAB *seen, Oid classid, Oid objid, int32 subid)
{
	ObjectAddress key;

	memset(&key, 0, sizeof(key));
	key.classId = classid;
	key.objectId = objid;
	key.objectSubId = subid;
	return hash_search(seen, &key, HASH_FIND, NULL) != NULL;
}

/*
 * The relation is dropped by the statement: named, a descendant of one
 * named, reached whole by the walk, or in a schema dropped with CASCADE.
 * Objects that live on it (its columns, constraints, indexes, triggers,
 * ...) are not listed.
 */
static bool
dep_rel_dropped(ReachWalk *w, HTAB *seen, Oid relid)
{
	if (dep_seen(seen, RelationRelationId, relid, 0))
		return true;
	if (w->seen && hash_search(w->seen, &relid, HASH_FIND, NULL) != NULL)
		return true;
	return w->skip_nsps != NIL && list_member_oid(w->skip_nsps, get_rel_namespace(relid));
}

/* A row of a catalog without a syscache on its OID (pg_trigger, pg_attrdef, pg_policy). */
static HeapTuple
catalog_row(Oid catalog, Oid index, Oid oid)
{
	Relation	rel = table_open(catalog, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	ScanKeyInit(&key, 1 /* oid is every catalog's first column */ , BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(oid));
	scan = systable_beginscan(rel, index, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (tup)
		tup = heap_copytuple(tup);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return tup;
}

/* An object living on a table that stays: "name on schema.table" or a column. */
static CascadeEntry *
dep_on_table(ReachWalk *w, const char *object_type, Oid relid, const char *name, bool column)
{
	HeapTuple	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Form_pg_class rc;
	CascadeEntry *e;

	if (!HeapTupleIsValid(tp) || name == NULL)
	{
		if (HeapTupleIsValid(tp))
			ReleaseSysCache(tp);
		return NULL;
	}
	rc = (Form_pg_class) GETSTRUCT(tp);
	e = palloc0(sizeof(CascadeEntry));
	e->object_type = column && rc->relkind == RELKIND_COMPOSITE_TYPE ? "attribute" : object_type;
	e->name = pstrdup(name);
	/* a table the script being checked renamed or moved: as it names it */
	{
		char	   *rel_schema;
		char	   *rel_name;

		if (dbc_script_relation_renamed(relid, &rel_schema, &rel_name))
		{
			e->schema = rel_schema;
			e->table = qualify(rel_schema, rel_name);
		}
		else
		{
			e->schema = walk_nsp_name(w, rc->relnamespace);
			e->table = qualify(e->schema, NameStr(rc->relname));
		}
	}
	e->identity = column ? join_dotted(e->table, name) : psprintf("%s on %s", name, e->table);
	ReleaseSysCache(tp);
	return e;
}

/*
 * The entry for an object the DROP reaches, or NULL when it is not listed:
 * parts of an object that is dropped anyway (the columns, constraints,
 * indexes, triggers, defaults, rules and policies of a dropped table, a
 * table's row type, array types, TOAST tables), relations of a schema
 * dropped with CASCADE (schema_relations lists those) and descendants
 * (descendants), and kinds of object not listed.
 */
static CascadeEntry *
dep_entry(ReachWalk *w, HTAB *seen, DepSeen *n)
{
	Oid			classid = n->addr.classId;
	Oid			objid = n->addr.objectId;
	int32		subid = n->addr.objectSubId;
	CascadeEntry *e = NULL;
	HeapTuple	tp;

	if (classid == RelationRelationId && subid != 0)
	{
		if (!dep_rel_dropped(w, seen, objid))
			e = dep_on_table(w, "column", objid, get_attname(objid, subid, true), true);
	}
	else if (classid == RelationRelationId)
	{
		Form_pg_class rc;

		if (w->seen && hash_search(w->seen, &objid, HASH_FIND, NULL) != NULL)
			return NULL;
		tp = SearchSysCache1(RELOID, ObjectIdGetDatum(objid));
		if (!HeapTupleIsValid(tp))
			return NULL;
		rc = (Form_pg_class) GETSTRUCT(tp);
		if (list_member_oid(w->skip_nsps, rc->relnamespace))
			;
		else if (rc->relkind == RELKIND_INDEX || rc->relkind == RELKIND_PARTITIONED_INDEX)
		{
			Oid			heap = IndexGetRelation(objid, true);

			if (OidIsValid(heap) && !dep_rel_dropped(w, seen, heap))
			{
				char	   *heap_schema;
				char	   *heap_name;

				e = palloc0(sizeof(CascadeEntry));
				e->object_type = "index";
				rel_name_now(objid, &e->schema, &e->name);
				e->identity = qualify(e->schema, e->name);
				rel_name_now(heap, &heap_schema, &heap_name);
				e->table = qualify(heap_schema, heap_name);
			}
		}
		else if (rc->relkind != RELKIND_TOASTVALUE && rc->relkind != RELKIND_COMPOSITE_TYPE)
			e = cascade_relation(w, rc, n->root);
		ReleaseSysCache(tp);
	}
	else if (classid == ConstraintRelationId)
	{
		Form_pg_constraint con;

		tp = SearchSysCache1(CONSTROID, ObjectIdGetDatum(objid));
		if (!HeapTupleIsValid(tp))
			return NULL;
		con = (Form_pg_constraint) GETSTRUCT(tp);
		if (OidIsValid(con->conrelid))
		{
			/* a constraint cloned onto a partition goes with its parent constraint */
			if (!dep_rel_dropped(w, seen, con->conrelid) &&
				!(OidIsValid(con->conparentid) &&
				  dep_seen(seen, ConstraintRelationId, con->conparentid, 0)))
				e = dep_on_table(w, "constraint", con->conrelid, NameStr(con->conname), false);
		}
		else if (OidIsValid(con->contypid) && !dep_seen(seen, TypeRelationId, con->contypid, 0) &&
				 !list_member_oid(w->skip_nsps, con->connamespace))
		{
			HeapTuple	tt = SearchSysCache1(TYPEOID, ObjectIdGetDatum(con->contypid));

			e = palloc0(sizeof(CascadeEntry));
			e->object_type = "domain_constraint";
			e->schema = walk_nsp_name(w, con->connamespace);
			e->name = pstrdup(NameStr(con->conname));
			e->identity = e->name;
			if (HeapTupleIsValid(tt))
			{
				Form_pg_type typ = (Form_pg_type) GETSTRUCT(tt);

				e->identity = psprintf("%s on %s", e->name,
									   qualify(get_namespace_name(typ->typnamespace),
											   NameStr(typ->typname)));
				ReleaseSysCache(tt);
			}
		}
		ReleaseSysCache(tp);
	}
	else if (classid == TriggerRelationId)
	{
		Form_pg_trigger tg;

		tp = catalog_row(TriggerRelationId, TriggerOidIndexId, objid);
		if (tp == NULL)
			return NULL;
		tg = (Form_pg_trigger) GETSTRUCT(tp);
		/* the triggers of a foreign key go with their constraint */
		if (!tg->tgisinternal && !dep_rel_dropped(w, seen, tg->tgrelid))
			e = dep_on_table(w, "trigger", tg->tgrelid, NameStr(tg->tgname), false);
	}
	else if (classid == AttrDefaultRelationId)
	{
		Form_pg_attrdef ad;

		tp = catalog_row(AttrDefaultRelationId, AttrDefaultOidIndexId, objid);
		if (tp == NULL)
			return NULL;
		ad = (Form_pg_attrdef) GETSTRUCT(tp);
		if (!dep_rel_dropped(w, seen, ad->adrelid) &&
			!dep_seen(seen, RelationRelationId, ad->adrelid, ad->adnum))
			e = dep_on_table(w, "default", ad->adrelid, get_attname(ad->adrelid, ad->adnum, true), true);
	}
	else if (classid == PolicyRelationId)
	{
		Form_pg_policy pol;

		tp = catalog_row(PolicyRelationId, PolicyOidIndexId, objid);
		if (tp == NULL)
			return NULL;
		pol = (Form_pg_policy) GETSTRUCT(tp);
		if (!dep_rel_dropped(w, seen, pol->polrelid))
			e = dep_on_table(w, "policy", pol->polrelid, NameStr(pol->polname), false);
	}
	else if (classid == RewriteRelationId)
	{
		Form_pg_rewrite rw;

		tp = catalog_row(RewriteRelationId, RewriteOidIndexId, objid);
		if (tp == NULL)
			return NULL;
		rw = (Form_pg_rewrite) GETSTRUCT(tp);
		if (!dep_rel_dropped(w, seen, rw->ev_class))
			e = dep_on_table(w, "rule", rw->ev_class, NameStr(rw->rulename), false);
	}
	else if (classid == TypeRelationId)
	{
		Form_pg_type typ;

		tp = SearchSysCache1(TYPEOID, ObjectIdGetDatum(objid));
		if (!HeapTupleIsValid(tp))
			return NULL;
		typ = (Form_pg_type) GETSTRUCT(tp);
		/* a table's row type goes with it, an array type with its element */
		if (!list_member_oid(w->skip_nsps, typ->typnamespace) && !IsTrueArrayType(typ) &&
			(!OidIsValid(typ->typrelid) ||
			 get_rel_relkind(typ->typrelid) == RELKIND_COMPOSITE_TYPE))
		{
			e = palloc0(sizeof(CascadeEntry));
			e->object_type = typ->typtype == TYPTYPE_DOMAIN ? "domain" : "type";
			e->schema = walk_nsp_name(w, typ->typnamespace);
			e->name = pstrdup(NameStr(typ->typname));
			e->identity = qualify(e->schema, e->name);
		}
		ReleaseSysCache(tp);
	}
	else if (classid == ProcedureRelationId)
	{
		Form_pg_proc proc;

		tp = SearchSysCache1(PROCOID, ObjectIdGetDatum(objid));
		if (!HeapTupleIsValid(tp))
			return NULL;
		proc = (Form_pg_proc) GETSTRUCT(tp);
		if (!list_member_oid(w->skip_nsps, proc->pronamespace))
		{
			e = palloc0(sizeof(CascadeEntry));
			e->object_type = proc->prokind == PROKIND_AGGREGATE ? "aggregate" :
				proc->prokind == PROKIND_PROCEDURE ? "procedure" : "function";
			e->schema = walk_nsp_name(w, proc->pronamespace);
			e->name = pstrdup(NameStr(proc->proname));
			e->identity = qualify(e->schema, e->name);
		}
		ReleaseSysCache(tp);
	}
	if (e)
		e->depends_on = n->root;
	return e;
}

/*
 * The object a pg_depend row's dependent stands for: a view's or
 * materialized view's _RETURN rule stands for the view, a generated
 * column's expression (pg_attrdef) for the column; anything else for
 * itself.
 */
static ObjectAddress
dependent_stand_in(Form_pg_depend d)
{
	ObjectAddress a;

	a.classId = d->classid;
	a.objectId = d->objid;
	a.objectSubId = d->objsubid;
	if (a.classId == RewriteRelationId && d->deptype == DEPENDENCY_NORMAL)
	{
		HeapTuple	rt = catalog_row(RewriteRelationId, RewriteOidIndexId, a.objectId);

		if (rt != NULL)
		{
			Form_pg_rewrite rw = (Form_pg_rewrite) GETSTRUCT(rt);

			if (rw->ev_type == '1' && strcmp(NameStr(rw->rulename), ViewSelectRuleName) == 0)
			{
				a.classId = RelationRelationId;
				a.objectId = rw->ev_class;
				a.objectSubId = 0;
			}
		}
	}
	else if (a.classId == AttrDefaultRelationId && d->deptype == DEPENDENCY_NORMAL)
	{
		HeapTuple	at = catalog_row(AttrDefaultRelationId, AttrDefaultOidIndexId, a.objectId);

		if (at != NULL)
		{
			Form_pg_attrdef ad = (Form_pg_attrdef) GETSTRUCT(at);

			if (get_attgenerated(ad->adrelid, ad->adnum) != '\0')
			{
				a.classId = RelationRelationId;
				a.objectId = ad->adrelid;
				a.objectSubId = ad->adnum;
			}
		}
	}
	return a;
}

/*
 * DROP ... CASCADE: the objects that depend on those it names and go with
 * them, found by walking pg_depend from the objects named, as
 * findDependentObjects() does (that function is not exported, and takes
 * locks): every dependent is dropped with CASCADE whatever its dependency
 * type; a view's or materialized view's _RETURN rule stands for the view,
 * and a generated column's expression (pg_attrdef) for the column.
 * No locks are taken on the objects (pg_depend and the catalogs are read
 * like every other lookup here); the walk stops after CASCADE_WALK_LIMIT
 * objects (cw->complete false).
 */
static void
drop_cascade(Cls *c, ReachWalk *w, CascadeWalk *cw)
{
	HTAB	   *seen;
	HASHCTL		ctl;
	List	   *queue = NIL;
	Relation	deprel;
	ListCell   *lc;
	int			i;
	int			nroots;

	ctl.keysize = sizeof(ObjectAddress);
	ctl.entrysize = sizeof(DepSeen);
	ctl.hcxt = CurrentMemoryContext;
	seen = hash_create("dbchange drop cascade", 256, &ctl,
					   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	foreach(lc, c->cascade_roots)
	{
		CascadeRoot *r = lfirst(lc);

		dep_reached(seen, &queue, r->addr.classId, r->addr.objectId, r->addr.objectSubId, r->identity);
	}
	nroots = list_length(queue);

	deprel = table_open(DependRelationId, AccessShareLock);
	for (i = 0; i < list_length(queue); i++)
	{
		DepSeen    *n = list_nth(queue, i);
		ScanKeyData key[3];
		int			nkeys = 2;
		SysScanDesc scan;
		HeapTuple	tup;

		if (list_length(queue) > CASCADE_WALK_LIMIT)
		{
			cw->complete = false;
			break;
		}
		CHECK_FOR_INTERRUPTS();

		/*
		 * findDependentObjects(): an object that is part of another
		 * (INTERNAL: a partition key column of its table, a cloned foreign
		 * key of its parent constraint, ...; EXTENSION: a member of its
		 * extension) and is reached from elsewhere takes its owner along,
		 * with everything that depends on the owner.
		 */
		if (i >= nroots)
		{
			ScanKeyInit(&key[0], Anum_pg_depend_classid, BTEqualStrategyNumber, F_OIDEQ,
						ObjectIdGetDatum(n->addr.classId));
			ScanKeyInit(&key[1], Anum_pg_depend_objid, BTEqualStrategyNumber, F_OIDEQ,
						ObjectIdGetDatum(n->addr.objectId));
			if (n->addr.objectSubId != 0)
			{
				ScanKeyInit(&key[2], Anum_pg_depend_objsubid, BTEqualStrategyNumber, F_INT4EQ,
							Int32GetDatum(n->addr.objectSubId));
				nkeys = 3;
			}
			scan = systable_beginscan(deprel, DependDependerIndexId, true, NULL, nkeys, key);
			while ((tup = systable_getnext(scan)) != NULL)
			{
				Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);

				if (d->deptype != DEPENDENCY_INTERNAL && d->deptype != DEPENDENCY_EXTENSION)
					continue;
				/* a sub-object's link to its own whole object */
				if (d->refclassid == n->addr.classId && d->refobjid == n->addr.objectId &&
					n->addr.objectSubId == 0)
					continue;
				dep_reached(seen, &queue, d->refclassid, d->refobjid, d->refobjsubid, n->root);
			}
			systable_endscan(scan);
			nkeys = 2;
		}

		ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(n->addr.classId));
		ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(n->addr.objectId));
		/* a column: what depends on that column; a whole object: on any part of it */
		if (n->addr.objectSubId != 0)
		{
			ScanKeyInit(&key[2], Anum_pg_depend_refobjsubid, BTEqualStrategyNumber, F_INT4EQ,
						Int32GetDatum(n->addr.objectSubId));
			nkeys = 3;
		}
		scan = systable_beginscan(deprel, DependReferenceIndexId, true, NULL, nkeys, key);
		while ((tup = systable_getnext(scan)) != NULL)
		{
			ObjectAddress a = dependent_stand_in((Form_pg_depend) GETSTRUCT(tup));

			dep_reached(seen, &queue, a.classId, a.objectId, a.objectSubId, n->root);
		}
		systable_endscan(scan);
	}
	table_close(deprel, AccessShareLock);

	for (i = nroots; i < list_length(queue); i++)
	{
		CascadeEntry *e = dep_entry(w, seen, list_nth(queue, i));

		if (e)
			cw->entries = lappend(cw->entries, e);
	}
	hash_destroy(seen);
}

/*
 * A generic entry for an object dep_entry() does not describe (a
 * schema, a server, an operator, ...): PostgreSQL's own type description and
 * identity, the last name part as its name, the first as its schema when
 * the identity has more than one part.
 */
static CascadeEntry *
generic_entry(const ObjectAddress *addr)
{
	CascadeEntry *e;
	List	   *names = NIL;
	List	   *args = NIL;
	char	   *identity = getObjectIdentityParts(addr, &names, &args, true);
	char	   *type = getObjectTypeDescription(addr, true);

	if (identity == NULL || type == NULL || names == NIL)
		return NULL;
	e = palloc0(sizeof(CascadeEntry));
	e->object_type = type;
	e->identity = identity;
	e->name = llast(names);
	e->schema = list_length(names) > 1 ? linitial(names) : NULL;
	return e;
}

/*
 * The entries of the objects in queue (DepSeen *, added by dep_reached),
 * described as cascades_to's are; an object dep_entry() has no words for
 * gets generic_entry()'s, except a table's row type or TOAST table,
 * which are no objects of their own here.
 */
static List *
entries_of(HTAB *seen, List *queue)
{
	ReachWalk	w;
	List	   *entries = NIL;
	ListCell   *lc;

	memset(&w, 0, sizeof(w));
	foreach(lc, queue)
	{
		DepSeen    *node = lfirst(lc);
		CascadeEntry *e = dep_entry(&w, seen, node);

		if (e == NULL && node->addr.classId != RelationRelationId &&
			node->addr.classId != TypeRelationId)
			e = generic_entry(&node->addr);
		if (e != NULL)
			entries = lappend(entries, e);
	}
	return entries;
}

/*
 * A list of entries as a facts array: sorted by identity, the first
 * REACH_LISTED of them; depends_on under the key via_key where the list has
 * it (cascades_to's depends_on, reads' read_by).
 */
static void
put_entries(JsonbParseState **st, const char *key, List *entries, const char *via_key)
{
	ListCell   *lc;
	int			n = 0;

	list_sort(entries, cascade_entry_cmp);
	begin_array(st, key);
	foreach(lc, entries)
	{
		CascadeEntry *e = lfirst(lc);

		if (++n > REACH_LISTED)
			break;
		begin_object(st, NULL);
		put_names(st, e->object_type, e->schema, e->name, e->identity);
		dbc_put_text(st, "table", e->table);
		if (via_key != NULL)
			dbc_put_text(st, via_key, e->depends_on);
		put_size(st, e->sized, e->rows, e->rows_estimated, e->bytes);
		end_object(st);
	}
	end_array(st);
}

/* The list and how many in all (owned_objects, used_by). */
static void
put_entry_list(JsonbParseState **st, const char *key, const char *count_key, List *entries)
{
	put_entries(st, key, entries, NULL);
	dbc_put_int(st, count_key, list_length(entries));
}

static HTAB *
address_set(const char *name)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(ObjectAddress);
	ctl.entrysize = sizeof(DepSeen);
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/*
 * A scan of pg_shdepend's entries that name role (those of its owned
 * objects among them: deptype SHARED_DEPENDENCY_OWNER), in every database;
 * key holds the scan's two keys.
 */
static SysScanDesc
owner_entries_scan(Relation shdep, Oid role, ScanKeyData *key)
{
	ScanKeyInit(&key[0], Anum_pg_shdepend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(AuthIdRelationId));
	ScanKeyInit(&key[1], Anum_pg_shdepend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(role));
	return systable_beginscan(shdep, SharedDependReferenceIndexId, true, NULL, 2, key);
}

/*
 * DROP OWNED / REASSIGN OWNED: owned_objects, owned_object_count
 * (docs/facts.md).  The statements name roles, not the tables they drop or
 * hand over, so without this list a policy about a table would never see
 * them: these are the objects the named roles own in this database, found
 * in pg_shdepend's owner entries as shdepDropOwned() and
 * shdepReassignOwned() find them.  A role that does not exist (the
 * statement then fails) and PUBLIC own nothing.
 */
static void
put_owned_objects(JsonbParseState **st, List *roles, bool with_reads, bool with_definers,
				  List *widened)
{
	HTAB	   *seen = address_set("dbchange owned objects");
	List	   *queue = NIL;
	Relation	shdep;
	ListCell   *lc;

	shdep = table_open(SharedDependRelationId, AccessShareLock);
	foreach(lc, roles)
	{
		RoleSpec   *spec = lfirst(lc);
		Oid			role;
		ScanKeyData key[2];
		SysScanDesc scan;
		HeapTuple	tup;

		if (spec->roletype == ROLESPEC_PUBLIC)
			continue;
		role = get_rolespec_oid(spec, true);
		if (!OidIsValid(role))
			continue;
		scan = owner_entries_scan(shdep, role, key);
		while ((tup = systable_getnext(scan)) != NULL)
		{
			Form_pg_shdepend d = (Form_pg_shdepend) GETSTRUCT(tup);

			if (d->deptype == SHARED_DEPENDENCY_OWNER && d->dbid == MyDatabaseId)
				dep_reached(seen, &queue, d->classid, d->objid, d->objsubid, NULL);
		}
		systable_endscan(scan);
		CHECK_FOR_INTERRUPTS();
	}
	table_close(shdep, AccessShareLock);
	put_entry_list(st, "owned_objects", "owned_object_count", entries_of(seen, queue));
	if (with_reads)
		put_owned_view_reads(st, queue, with_definers, widened);
	hash_destroy(seen);
}

static void add_dependents(Relation deprel, HTAB *seen, List **queue, Oid classid, Oid objid, char deptype);

/*
 * DROP EXTENSION: members, member_count (docs/facts.md).  The members of an
 * extension are dropped with it, with or without CASCADE (findDependentObjects()
 * follows their EXTENSION dependencies), and ALTER EXTENSION ... ADD makes
 * any table a member: without this list a policy about a table would not see
 * the DROP EXTENSION that drops it.  Extensions that do not exist have none.
 */
static void
put_extension_members(JsonbParseState **st, List *extensions)
{
	HTAB	   *seen = address_set("dbchange extension members");
	List	   *queue = NIL;
	Relation	deprel;
	ListCell   *lc;

	deprel = table_open(DependRelationId, AccessShareLock);
	foreach(lc, extensions)
	{
		add_dependents(deprel, seen, &queue, ExtensionRelationId, lfirst_oid(lc), DEPENDENCY_EXTENSION);
		CHECK_FOR_INTERRUPTS();
	}
	table_close(deprel, AccessShareLock);
	put_entry_list(st, "members", "member_count", entries_of(seen, queue));
	hash_destroy(seen);
}

/*
 * Add to the walk the objects pg_depend records as depending on (class,
 * objid) with the given dependency type: NORMAL ones are its users (each
 * standing for what it is part of, dependent_stand_in), EXTENSION ones an
 * extension's members.
 */
static void
add_dependents(Relation deprel, HTAB *seen, List **queue, Oid classid, Oid objid, char deptype)
{
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;

	if (!OidIsValid(objid))
		return;
	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(classid));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(objid));
	scan = systable_beginscan(deprel, DependReferenceIndexId, true, NULL, 2, key);
	while ((tup = systable_getnext(scan)) != NULL)
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);
		ObjectAddress a;

		if (d->deptype != deptype)
			continue;
		a = dependent_stand_in(d);
		dep_reached(seen, queue, a.classId, a.objectId, a.objectSubId, NULL);
	}
	systable_endscan(scan);
}

/*
 * used_by, used_by_count (docs/facts.md): the objects that use a function
 * or type a statement changes in place, whose behaviour or data changes
 * with it.  Replacing or altering a function changes what every trigger,
 * CHECK constraint, default, index expression or row-level security policy
 * calling it does (a BEFORE trigger that now returns NULL silently drops
 * the rows); renaming an enum value renames it in every column of the
 * type, and a domain's constraints and default are those of every column
 * of the domain; adding, dropping, altering or renaming an attribute of a
 * composite type does so in every column of the type (a dropped one's
 * values are gone); restarting or limiting a sequence changes what every
 * default drawing from it (and the serial or identity column owning it)
 * gives.  One level of pg_depend, plus the type's array type (a column of
 * mood[] depends on that) and an identity sequence's column; a function
 * called from another's body is not recorded by PostgreSQL.  Nothing when
 * the object does not exist.
 */
static void
used_by_add(Relation deprel, HTAB *seen, List **queue, Oid classid, Oid objid)
{
	add_dependents(deprel, seen, queue, classid, objid, DEPENDENCY_NORMAL);
	if (classid == TypeRelationId)
		add_dependents(deprel, seen, queue, TypeRelationId, get_array_type(objid), DEPENDENCY_NORMAL);
	else if (classid == RelationRelationId)
	{
		/*
		 * a sequence: an identity column draws from it without a default (a
		 * serial column's default is listed above)
		 */
		Oid			tableid;
		int32		colid;

		if (sequenceIsOwned(objid, DEPENDENCY_INTERNAL, &tableid, &colid))
			dep_reached(seen, queue, RelationRelationId, tableid, colid, NULL);
	}
}

static void
put_used_by(JsonbParseState **st, Oid classid, Oid objid)
{
	HTAB	   *seen = address_set("dbchange users");
	List	   *queue = NIL;

	if (OidIsValid(objid))
	{
		Relation	deprel = table_open(DependRelationId, AccessShareLock);

		used_by_add(deprel, seen, &queue, classid, objid);
		table_close(deprel, AccessShareLock);
	}
	put_entry_list(st, "used_by", "used_by_count", entries_of(seen, queue));
	hash_destroy(seen);
}

/*
 * The rows of a catalog in schema nspname that pick() takes (it returns
 * their OID, or InvalidOid to pass one over), by one scan of the catalog;
 * NIL when the schema does not exist.
 */
typedef Oid (*NamespaceRowPick) (HeapTuple tup, const void *arg);

static List *
namespace_rows(Oid catalog, AttrNumber nspcol, const char *nspname, NamespaceRowPick pick,
			   const void *arg)
{
	Oid			nsp = nspname ? get_namespace_oid(nspname, true) : InvalidOid;
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *oids = NIL;

	if (!OidIsValid(nsp))
		return NIL;
	rel = table_open(catalog, AccessShareLock);
	ScanKeyInit(&key, nspcol, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(nsp));
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	while ((tup = systable_getnext(scan)) != NULL)
	{
		Oid			oid = pick(tup, arg);

		if (OidIsValid(oid))
			oids = lappend_oid(oids, oid);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return oids;
}

static Oid
pick_sequence(HeapTuple tup, const void *arg)
{
	Form_pg_class rc = (Form_pg_class) GETSTRUCT(tup);

	return rc->relkind == RELKIND_SEQUENCE ? rc->oid : InvalidOid;
}

/* The sequences of schema nspname (OIDs). */
static List *
schema_sequences(const char *nspname)
{
	return namespace_rows(RelationRelationId, Anum_pg_class_relnamespace, nspname, pick_sequence, NULL);
}

/*
 * used_by of GRANT/REVOKE: the users of the sequences among the objects
 * (ClsObject *), as ALTER SEQUENCE lists them; with schemas (ON ALL
 * SEQUENCES IN SCHEMA), of every sequence of the schemas named -- a table
 * in another schema may draw its ids from one of them.  Privileges on a
 * sequence decide who may setval() it, and so which ids its defaults and
 * identity columns give next.  Nothing when no object is an existing
 * sequence: a GRANT on tables pays one relkind test per table.
 */
static void
put_sequences_used_by(JsonbParseState **st, List *objects, bool schemas)
{
	HTAB	   *seen = NULL;
	List	   *queue = NIL;
	Relation	deprel = NULL;
	ListCell   *lc;
	List	   *seqs = NIL;

	foreach(lc, objects)
	{
		ClsObject  *o = lfirst(lc);

		if (schemas)
			seqs = list_concat(seqs, schema_sequences(o->name));
		else if (o->relkind == RELKIND_SEQUENCE && OidIsValid(o->relid))
			seqs = lappend_oid(seqs, o->relid);
	}
	foreach(lc, seqs)
	{
		if (seen == NULL)
		{
			seen = address_set("dbchange users");
			deprel = table_open(DependRelationId, AccessShareLock);
		}
		used_by_add(deprel, seen, &queue, RelationRelationId, lfirst_oid(lc));
		CHECK_FOR_INTERRUPTS();
	}
	if (seen == NULL)
		return;
	table_close(deprel, AccessShareLock);
	put_entry_list(st, "used_by", "used_by_count", entries_of(seen, queue));
	hash_destroy(seen);
}

/*
 * cascades_to, cascades_to_count, cascades_to_complete (the walk's own), and
 * cascades_to_before_script when the script's earlier statements may have
 * changed the dependents.  That does not make the list incomplete: what an
 * earlier statement makes depend on the object was judged by itself (a view
 * reading a protected table, a column of one changing type).
 */
static void
put_cascade(JsonbParseState **st, CascadeWalk *cw, bool before_script)
{
	cw->count = list_length(cw->entries);
	put_entries(st, "cascades_to", cw->entries, "depends_on");
	dbc_put_int(st, "cascades_to_count", cw->count);
	dbc_put_bool(st, "cascades_to_complete", cw->complete);
	if (before_script)
		dbc_put_bool(st, "cascades_to_before_script", true);
}

/*
 * reads, reads_count, reads_complete (docs/facts.md): the relations that a
 * view's or materialized view's query reads, and those that the views it
 * reads read in turn.  A view runs its query with its owner's privileges,
 * so whoever may select from it reads those tables: GRANT SELECT ON a view
 * over payments, ALTER VIEW ... OWNER TO or RESET (security_invoker), or
 * CREATE OR REPLACE VIEW of a view already granted, with a query over
 * payments, expose payments as surely as GRANT SELECT ON payments, and the
 * statements name only the view.  A materialized view (and CREATE TABLE
 * AS) holds a copy of what its query read.
 *
 * Only the statements that need them pay for them: GRANT/REVOKE naming a
 * view or materialized view (or ON ALL TABLES IN SCHEMA), ALTER of one,
 * CREATE TRIGGER or RULE on a view, and the statements that create a
 * relation from a query.  An existing view's reads come from pg_depend (its
 * _RETURN rule depends on every relation its query names, one index probe
 * per view); a new query's from the raw parse tree, each name looked up as
 * the server will look it up (a WITH query named like a table counts as
 * that table: a finding too many rather than one too few).
 *
 * calls, calls_count: the functions those queries call, followed too (a
 * view's readers read what they read; a SECURITY DEFINER one with its
 * owner's rights, and a materialized view keeps a copy either way): what a
 * SQL function's body reads is in reads, read_by the function.  Without
 * this, wrapping "SELECT * FROM payments" in a function hid payments from
 * every policy about it.
 */
#define READS_DEPTH_LIMIT 32	/* views over views (and functions) over ... */
#define READS_WALK_LIMIT 10000	/* relations and functions visited */
#define CALL_WORDS_LIMIT 1000	/* distinct words listed of one opaque body */
#define CALL_WORDS_TOTAL 20000	/* ... and of all of them */

/*
 * A function (or aggregate) that a view's query or the new query calls,
 * listed in calls: one that is not PostgreSQL's own.  A function with a
 * SQL-standard body or a LANGUAGE sql string body is followed (what it
 * reads goes into reads, read_by the function); one in another language is
 * opaque, and the distinct words of its body are given instead, for a
 * policy to look for the names it protects.
 */
struct CallEntry
{
	const char *object_type;
	char	   *schema;
	char	   *name;
	char	   *identity;
	const char *read_by;		/* identity of the view or function calling
								 * it, NULL: the statement's own query */
	char	   *language;
	bool		security_definer;
	bool		opaque;			/* its body was not followed */
	List	   *words;			/* opaque: of char *, lower case */
	bool		words_complete;
};

struct ReadsWalk
{
	HTAB	   *seen;			/* of Oid: relations met */
	HTAB	   *fseen;			/* of Oid: functions met, or NULL */
	List	   *entries;		/* of CascadeEntry *: depends_on is the view
								 * reading it (NULL: the statement's query) */
	List	   *calls;			/* of CallEntry * */
	Relation	deprel;			/* pg_depend, opened at the first view */
	ReachWalk	w;				/* for schema names */
	int			visited;
	int			words;			/* words listed of all opaque bodies */
	bool		complete;		/* false: a limit stopped the walk, or a
								 * function body could not be followed */
	/* the reader of what a raw tree names (reads_walker()), and its depth */
	const char *by;
	int			depth;
	Oid			info_nsp;		/* information_schema, once looked up */
	bool		info_nsp_known;
	/* ALTER FUNCTION path_func SET/RESET search_path: the path it will have */
	Oid			path_func;
	char	   *path_of_func;
	/* casts a raw query may call (reads_of_implied_calls()) */
	List	   *user_casts;		/* of UserCast *, once looked up */
	bool		user_casts_known;
	bool		implicit_casts_done;
	List	   *domains;		/* of Oid: domains whose checks were followed */
};

static ReadsWalk *
reads_begin(void)
{
	ReadsWalk  *rw = palloc0(sizeof(ReadsWalk));
	HASHCTL		ctl;

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(Oid);
	ctl.hcxt = CurrentMemoryContext;
	rw->seen = hash_create("dbchange reads", 32, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	rw->complete = true;
	return rw;
}

static void reads_of_view(ReadsWalk *rw, Oid viewid, const char *identity, int depth);
static void reads_of_function(ReadsWalk *rw, Oid funcid, const char *read_by, int depth);
static bool reads_walker(Node *node, void *context);
static bool reads_query_walker(Node *node, void *context);
static void reads_of_type(ReadsWalk *rw, Oid typid, const char *read_by, int depth, bool casts);
static void reads_of_defaults(ReadsWalk *rw, const char *defaults, const char *identity, int depth);
static void reads_of_implied_calls(ReadsWalk *rw, Node *node);

/* A relation read by the view read_by (NULL: by the statement's own query). */
static void
reads_add(ReadsWalk *rw, Oid relid, const char *read_by, int depth)
{
	bool		found;
	HeapTuple	tp;
	Form_pg_class rc;
	CascadeEntry *e;
	char		relkind;

	hash_search(rw->seen, &relid, HASH_ENTER, &found);
	if (found)
		return;
	if (++rw->visited > READS_WALK_LIMIT)
	{
		rw->complete = false;
		return;
	}
	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tp))
		return;
	rc = (Form_pg_class) GETSTRUCT(tp);
	relkind = rc->relkind;
	e = palloc0(sizeof(CascadeEntry));
	e->object_type = relkind_object_type(relkind);
	/* a relation the script renamed is read under its new name */
	if (!dbc_script_relation_renamed(relid, &e->schema, &e->name))
	{
		e->schema = walk_nsp_name(&rw->w, rc->relnamespace);
		e->name = pstrdup(NameStr(rc->relname));
	}
	e->identity = qualify(e->schema, e->name);
	e->depends_on = read_by;
	e->sized = own_size_of(rc, &e->rows, &e->bytes, &e->rows_estimated);
	ReleaseSysCache(tp);
	rw->entries = lappend(rw->entries, e);
	if (relkind == RELKIND_VIEW || relkind == RELKIND_MATVIEW)
		reads_of_view(rw, relid, e->identity, depth + 1);
}

/*
 * What an object (a view's _RETURN rule, a function with a SQL-standard
 * body) uses, as pg_depend records it: the relations its query names
 * (NORMAL dependencies; self, the rule's own view, left out), read by
 * identity, and the functions and operators (their functions) it calls,
 * followed in turn.  PostgreSQL's own functions and operators are pinned
 * and not recorded at all.
 */
static void
reads_of_depender(ReadsWalk *rw, Oid classid, Oid objid, Oid self, const char *identity,
				  int depth)
{
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *rels = NIL;
	List	   *funcs = NIL;
	List	   *types = NIL;
	ListCell   *lc;

	if (rw->deprel == NULL)
		rw->deprel = table_open(DependRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_depend_classid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(classid));
	ScanKeyInit(&key[1], Anum_pg_depend_objid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(objid));
	scan = systable_beginscan(rw->deprel, DependDependerIndexId, true, NULL, 2, key);
	while ((tup = systable_getnext(scan)) != NULL)
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);

		if (d->deptype != DEPENDENCY_NORMAL)
			continue;
		/* one row per column read, too: each relation once */
		if (d->refclassid == RelationRelationId && d->refobjid != self)
			rels = list_append_unique_oid(rels, d->refobjid);
		else if (d->refclassid == ProcedureRelationId)
			funcs = list_append_unique_oid(funcs, d->refobjid);
		else if (d->refclassid == OperatorRelationId)
			funcs = list_append_unique_oid(funcs, get_opcode(d->refobjid));
		else if (d->refclassid == TypeRelationId)
			types = list_append_unique_oid(types, d->refobjid);
	}
	systable_endscan(scan);
	foreach(lc, rels)
		reads_add(rw, lfirst_oid(lc), identity, depth);
	foreach(lc, funcs)
		reads_of_function(rw, lfirst_oid(lc), identity, depth + 1);
	/* a domain's CHECK constraints call their functions on every value cast to it */
	foreach(lc, types)
		reads_of_type(rw, lfirst_oid(lc), identity, depth, false);
	CHECK_FOR_INTERRUPTS();
}

/* What a view or materialized view (identity) reads: what its _RETURN rule uses. */
static void
reads_of_view(ReadsWalk *rw, Oid viewid, const char *identity, int depth)
{
	Oid			rule;

	if (depth > READS_DEPTH_LIMIT)
	{
		rw->complete = false;
		return;
	}
	rule = get_rewrite_oid(viewid, ViewSelectRuleName, true);
	if (OidIsValid(rule))
		reads_of_depender(rw, RewriteRelationId, rule, viewid, identity, depth);
}

/*
 * The distinct words of an opaque function's body, lower case, in the
 * order met: runs of letters, digits, '_', '$' and non-ASCII bytes that do
 * not begin with a digit, comments and string literals included (a
 * language dbchange cannot parse may run a query held in a string).  A
 * policy compares them with the names it protects.  Bounded: at most
 * CALL_WORDS_LIMIT per body and CALL_WORDS_TOTAL in all, words_complete
 * false when more were left out.
 */
static void
call_words(ReadsWalk *rw, CallEntry *e, const char *src)
{
	HASHCTL		ctl;
	HTAB	   *seen;
	const unsigned char *p = (const unsigned char *) src;
	int			n = 0;

	e->words_complete = true;
	if (src == NULL)
		return;
	ctl.keysize = NAMEDATALEN;
	ctl.entrysize = NAMEDATALEN;
	ctl.hcxt = CurrentMemoryContext;
	seen = hash_create("dbchange body words", 64, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	while (*p)
	{
		const unsigned char *start = p;
		char		word[NAMEDATALEN];
		int			len = 0;
		bool		found;

		if (!(isalnum(*p) || *p == '_' || *p == '$' || *p >= 0x80))
		{
			p++;
			continue;
		}
		while (isalnum(*p) || *p == '_' || *p == '$' || *p >= 0x80)
		{
			/* as PostgreSQL truncates identifiers (perhaps mid-character) */
			if (len < NAMEDATALEN - 1)
				word[len++] = (*p >= 'A' && *p <= 'Z') ? *p + ('a' - 'A') : *p;
			p++;
		}
		if (isdigit(*start) || *start == '$')
			continue;
		word[len] = '\0';
		hash_search(seen, word, HASH_FIND, &found);
		if (found)
			continue;
		if (n >= CALL_WORDS_LIMIT || rw->words >= CALL_WORDS_TOTAL)
		{
			e->words_complete = false;
			break;
		}
		hash_search(seen, word, HASH_ENTER, NULL);
		e->words = lappend(e->words, pstrdup(word));
		n++;
		rw->words++;
	}
	hash_destroy(seen);
}

/*
 * A LANGUAGE sql function's string body, parsed as the function would be
 * (the server's raw parser) and walked as a new query is (reads_walker()):
 * the relations it names, read by the function, and the functions it
 * calls.  Names are looked up on the function's own search_path when it
 * has one (SET search_path), as they are when it runs, else on the
 * caller's path now.  A body that does not parse, a statement that is no
 * query (only CALL is followed too), or a search_path that cannot be set
 * leave the walk incomplete.
 */
/* The raw statements of a SQL function body, or NIL and *ok false when it does not parse. */
static List *
parse_sql_body(const char *src, bool *ok)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *volatile raw = NIL;

	*ok = true;
	/* the scanner and grammar touch no catalog and take no lock */
	PG_TRY();
	{
		raw = raw_parser(src, RAW_PARSE_DEFAULT);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		raw = NIL;
		*ok = false;
	}
	PG_END_TRY();
	return raw;
}

static void
reads_of_sql_body(ReadsWalk *rw, CallEntry *e, const char *src, const char *path, int depth)
{
	bool		parsed;
	List	   *raw = parse_sql_body(src, &parsed);
	int			nest = -1;
	const char *by = rw->by;
	int			by_depth = rw->depth;
	ListCell   *lc;

	if (!parsed)
	{
		e->opaque = true;
		call_words(rw, e, src);
		rw->complete = false;
		return;
	}
	if (path != NULL)
	{
		/* undone below, or by the (sub)transaction's abort on an error */
		nest = NewGUCNestLevel();
		if (set_config_option("search_path", path, PGC_USERSET, PGC_S_SESSION,
							  GUC_ACTION_SAVE, true, DEBUG1, false) <= 0)
			rw->complete = false;
	}
	rw->by = e->identity;
	rw->depth = depth;
	foreach(lc, raw)
	{
		Node	   *stmt = lfirst_node(RawStmt, lc)->stmt;

		switch (nodeTag(stmt))
		{
			case T_SelectStmt:
			case T_InsertStmt:
			case T_UpdateStmt:
			case T_DeleteStmt:
			case T_MergeStmt:
				reads_walker(stmt, rw);
				break;
			case T_CallStmt:
				reads_walker((Node *) ((CallStmt *) stmt)->funccall, rw);
				break;
			default:
				rw->complete = false;
				break;
		}
	}
	rw->by = by;
	rw->depth = by_depth;
	if (nest >= 0)
		AtEOXact_GUC(true, nest);
}

/* The search_path a function sets for itself (SET search_path), or NULL. */
static char *
function_search_path(HeapTuple tp)
{
	bool		isnull;
	Datum		d = SysCacheGetAttr(PROCOID, tp, Anum_pg_proc_proconfig, &isnull);
	ArrayType  *a;
	Datum	   *items;
	int			n;
	char	   *path = NULL;

	if (isnull)
		return NULL;
	a = DatumGetArrayTypeP(d);
	deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &items, NULL, &n);
	for (int i = 0; i < n; i++)
	{
		char	   *item = TextDatumGetCString(items[i]);

		if (pg_strncasecmp(item, "search_path=", 12) == 0)
			path = pstrdup(item + 12);
	}
	return path;
}

/*
 * A function the walk meets (funcid), called by read_by: listed in calls
 * unless it is PostgreSQL's own (pg_catalog, information_schema), each
 * once, and followed.  An aggregate is followed into its support
 * functions.
 */
static void
reads_of_function(ReadsWalk *rw, Oid funcid, const char *read_by, int depth)
{
	HeapTuple	tp;
	Form_pg_proc proc;
	CallEntry  *e;
	bool		found;
	bool		isnull;
	Oid			lang;

	if (!OidIsValid(funcid))
		return;
	if (rw->fseen == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(Oid);
		ctl.hcxt = CurrentMemoryContext;
		rw->fseen = hash_create("dbchange calls", 16, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	/* a function calling itself, or met again, is followed once */
	hash_search(rw->fseen, &funcid, HASH_ENTER, &found);
	if (found)
		return;
	tp = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	if (!HeapTupleIsValid(tp))
		return;
	proc = (Form_pg_proc) GETSTRUCT(tp);
	if (!rw->info_nsp_known)
	{
		rw->info_nsp = get_namespace_oid("information_schema", true);
		rw->info_nsp_known = true;
	}
	if (proc->pronamespace == PG_CATALOG_NAMESPACE || proc->pronamespace == rw->info_nsp)
	{
		ReleaseSysCache(tp);
		return;
	}
	if (depth > READS_DEPTH_LIMIT || ++rw->visited > READS_WALK_LIMIT)
	{
		rw->complete = false;
		ReleaseSysCache(tp);
		return;
	}
	e = palloc0(sizeof(CallEntry));
	e->object_type = proc->prokind == PROKIND_AGGREGATE ? "aggregate" :
		proc->prokind == PROKIND_PROCEDURE ? "procedure" : "function";
	e->schema = walk_nsp_name(&rw->w, proc->pronamespace);
	e->name = pstrdup(NameStr(proc->proname));
	e->identity = qualify(e->schema, e->name);
	e->read_by = read_by;
	lang = proc->prolang;
	e->language = get_language_name(lang, true);
	e->security_definer = proc->prosecdef;
	rw->calls = lappend(rw->calls, e);

	if (proc->prokind == PROKIND_AGGREGATE)
	{
		HeapTuple	at;

		ReleaseSysCache(tp);
		at = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(funcid));
		if (HeapTupleIsValid(at))
		{
			Form_pg_aggregate agg = (Form_pg_aggregate) GETSTRUCT(at);
			Oid			support[] = {agg->aggtransfn, agg->aggfinalfn, agg->aggcombinefn,
			agg->aggmtransfn, agg->aggminvtransfn, agg->aggmfinalfn};

			ReleaseSysCache(at);
			for (int i = 0; i < lengthof(support); i++)
				reads_of_function(rw, support[i], e->identity, depth + 1);
		}
		return;
	}
	(void) SysCacheGetAttr(PROCOID, tp, Anum_pg_proc_prosqlbody, &isnull);
	if (!isnull)
	{
		/* BEGIN ATOMIC / RETURN: analysed when created, pg_depend knows */
		ReleaseSysCache(tp);
		reads_of_depender(rw, ProcedureRelationId, funcid, InvalidOid, e->identity, depth);
	}
	else
	{
		Datum		src = SysCacheGetAttr(PROCOID, tp, Anum_pg_proc_prosrc, &isnull);
		char	   *body = isnull ? NULL : TextDatumGetCString(src);
		char	   *defaults = NULL;

		/* (pg_depend has a SQL-standard body's defaults, with the rest) */
		if (proc->pronargdefaults > 0)
		{
			src = SysCacheGetAttr(PROCOID, tp, Anum_pg_proc_proargdefaults, &isnull);
			if (!isnull)
				defaults = TextDatumGetCString(src);
		}
		if (lang == SQLlanguageId && body != NULL)
		{
			char	   *path = funcid == rw->path_func ? rw->path_of_func :
				function_search_path(tp);

			ReleaseSysCache(tp);
			reads_of_sql_body(rw, e, body, path, depth);
		}
		else
		{
			ReleaseSysCache(tp);
			e->opaque = true;
			call_words(rw, e, body);
		}
		if (defaults != NULL)
			reads_of_defaults(rw, defaults, e->identity, depth);
	}
	CHECK_FOR_INTERRUPTS();
}

/* for check_functions_in_node(): a function an analysed query calls */
static bool
reads_function_checker(Oid funcid, void *context)
{
	ReadsWalk  *rw = (ReadsWalk *) context;

	reads_of_function(rw, funcid, rw->by, rw->depth + 1);
	return false;
}

/* Is a schema on the search path in effect (functions never come from pg_temp)? */
static bool
namespace_on_path(Oid nsp)
{
	Oid			path[64];
	int			n = fetch_search_path_array(path, lengthof(path));

	if (n > lengthof(path))
		return true;			/* a path this long: taken as on it */
	for (int i = 0; i < n; i++)
		if (path[i] == nsp)
			return true;
	return false;
}

/*
 * The functions a name in a raw tree may call (a function call's name, or
 * an operator's): without the argument types every overload of the name
 * visible from the search path in effect (or in the schema named) counts,
 * a function too many rather than one too few.  One catalog-cache list per
 * name; PostgreSQL's own, in pg_catalog, are skipped there.
 */
static void
reads_of_function_name(ReadsWalk *rw, List *names, bool is_operator)
{
	const char *schema = NULL;
	const char *name;
	Oid			nsp = InvalidOid;
	CatCList   *cl;
	List	   *funcs = NIL;
	ListCell   *lc;

	switch (list_length(names))
	{
		case 1:
			name = strVal(linitial(names));
			break;
		case 2:
			schema = strVal(linitial(names));
			name = strVal(lsecond(names));
			break;
		case 3:
			schema = strVal(lsecond(names));
			name = strVal(lthird(names));
			break;
		default:
			return;
	}
	if (schema != NULL)
	{
		nsp = get_namespace_oid(schema, true);
		if (!OidIsValid(nsp) || nsp == PG_CATALOG_NAMESPACE)
			return;
	}
	cl = SearchSysCacheList1(is_operator ? OPERNAMENSP : PROCNAMEARGSNSP, CStringGetDatum(name));
	for (int i = 0; i < cl->n_members; i++)
	{
		HeapTuple	tup = &cl->members[i]->tuple;
		Oid			fnsp;
		Oid			func;

		if (is_operator)
		{
			fnsp = ((Form_pg_operator) GETSTRUCT(tup))->oprnamespace;
			func = ((Form_pg_operator) GETSTRUCT(tup))->oprcode;
		}
		else
		{
			fnsp = ((Form_pg_proc) GETSTRUCT(tup))->pronamespace;
			func = ((Form_pg_proc) GETSTRUCT(tup))->oid;
		}
		if (fnsp == PG_CATALOG_NAMESPACE || (schema != NULL && fnsp != nsp))
			continue;
		funcs = lappend_oid(funcs, func);
	}
	ReleaseSysCacheList(cl);
	if (funcs == NIL)
		return;
	foreach(lc, funcs)
	{
		Oid			func = lfirst_oid(lc);

		if (schema == NULL && !namespace_on_path(get_func_namespace(func)))
			continue;
		reads_of_function(rw, func, rw->by, rw->depth + 1);
	}
}

/*
 * Calls a query makes without naming the function: casts, domain checks,
 * function defaults, and the operators that BETWEEN, a simple CASE, IN or
 * ANY over a subquery, ORDER BY ... USING and JOIN USING apply.  An
 * analysed query (and pg_depend) names the cast and operator functions it
 * calls, not the CHECK constraints of the domains it casts to, and a raw
 * query names none of them.
 */

/* A cast created after initdb (CREATE CAST ... WITH FUNCTION) */
typedef struct UserCast
{
	Oid			target;
	Oid			func;
	char		context;		/* COERCION_CODE_* */
} UserCast;

/*
 * The casts with a function that are not PostgreSQL's own, once per walk:
 * one index range scan of pg_cast above FirstNormalObjectId (nothing to
 * read in a database that creates none).
 */
static List *
reads_user_casts(ReadsWalk *rw)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	if (rw->user_casts_known)
		return rw->user_casts;
	rw->user_casts_known = true;
	rel = table_open(CastRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_cast_oid, BTGreaterEqualStrategyNumber, F_OIDGE,
				ObjectIdGetDatum(FirstNormalObjectId));
	scan = systable_beginscan(rel, CastOidIndexId, true, NULL, 1, &key);
	while ((tup = systable_getnext(scan)) != NULL)
	{
		Form_pg_cast pc = (Form_pg_cast) GETSTRUCT(tup);
		UserCast   *u;

		if (!OidIsValid(pc->castfunc))
			continue;			/* binary-coercible, or WITH INOUT */
		u = palloc(sizeof(UserCast));
		u->target = pc->casttarget;
		u->func = pc->castfunc;
		u->context = pc->castcontext;
		rw->user_casts = lappend(rw->user_casts, u);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return rw->user_casts;
}

/* The functions of a domain's CHECK constraints, as pg_depend records them. */
static void
reads_of_domain_checks(ReadsWalk *rw, Oid typid, const char *read_by, int depth)
{
	Relation	rel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *checks = NIL;
	ListCell   *lc;

	ScanKeyInit(&key, Anum_pg_constraint_contypid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(typid));
	scan = systable_beginscan(rel, ConstraintTypidIndexId, true, NULL, 1, &key);
	while ((tup = systable_getnext(scan)) != NULL)
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);

		if (con->contype == CONSTRAINT_CHECK)
			checks = lappend_oid(checks, con->oid);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	foreach(lc, checks)
		reads_of_depender(rw, ConstraintRelationId, lfirst_oid(lc), InvalidOid, read_by, depth);
}

/*
 * A value cast (or coerced) to typid, by read_by's query: a domain checks
 * its CHECK constraints (and its base domain's), an array cast converts
 * each element.  With casts (a raw query, which does not say what type it
 * casts from): every user cast to the type, or to its base or element type,
 * counts -- a function too many rather than one too few.
 */
static void
reads_of_type(ReadsWalk *rw, Oid typid, const char *read_by, int depth, bool casts)
{
	if (depth > READS_DEPTH_LIMIT)
	{
		rw->complete = false;
		return;
	}
	/* bounded: a domain over an array of a domain over ... */
	for (int i = 0; i < 8 && OidIsValid(typid); i++)
	{
		HeapTuple	tp = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
		Form_pg_type t;
		bool		domain;
		Oid			next;

		if (!HeapTupleIsValid(tp))
			return;
		t = (Form_pg_type) GETSTRUCT(tp);
		domain = t->typtype == TYPTYPE_DOMAIN;
		next = domain ? t->typbasetype : IsTrueArrayType(t) ? t->typelem : InvalidOid;
		ReleaseSysCache(tp);
		if (domain)
		{
			/* each once: their functions are followed once anyway */
			if (!list_member_oid(rw->domains, typid))
			{
				rw->domains = lappend_oid(rw->domains, typid);
				reads_of_domain_checks(rw, typid, read_by, depth + 1);
			}
		}
		else if (casts)
		{
			ListCell   *lc;

			foreach(lc, reads_user_casts(rw))
			{
				UserCast   *u = lfirst(lc);

				if (u->target == typid)
					reads_of_function(rw, u->func, read_by, depth + 1);
			}
		}
		typid = next;
	}
}

/*
 * A function's default-argument expressions (proargdefaults, analysed at
 * CREATE FUNCTION): a call that leaves the argument out runs them.
 */
static void
reads_of_defaults(ReadsWalk *rw, const char *defaults, const char *identity, int depth)
{
	const char *by = rw->by;
	int			by_depth = rw->depth;

	rw->by = identity;
	rw->depth = depth;
	(void) reads_query_walker(stringToNode(defaults), rw);
	rw->by = by;
	rw->depth = by_depth;
}

/* The functions of the operators named name, as reads_of_function_name() finds them. */
static void
reads_of_operator(ReadsWalk *rw, const char *name)
{
	reads_of_function_name(rw, list_make1(makeString(pstrdup(name))), true);
}

/*
 * What a raw tree's node calls without naming it (reads_walker() has the
 * function calls and operators it names).  Types are unknown in a raw
 * tree, so the implicit and assignment casts that PostgreSQL may apply
 * anywhere all count, once per walk.
 */
static void
reads_of_implied_calls(ReadsWalk *rw, Node *node)
{
	if (!rw->implicit_casts_done)
	{
		ListCell   *lc;

		rw->implicit_casts_done = true;
		foreach(lc, reads_user_casts(rw))
		{
			UserCast   *u = lfirst(lc);

			if (u->context != COERCION_CODE_EXPLICIT)
				reads_of_function(rw, u->func, rw->by, rw->depth + 1);
		}
	}
	switch (nodeTag(node))
	{
		case T_TypeCast:
			/* x::t, CAST(x AS t), t 'literal' */
			reads_of_type(rw, type_oid(((TypeCast *) node)->typeName), rw->by, rw->depth, true);
			break;
		case T_FuncCall:
			{
				FuncCall   *fc = (FuncCall *) node;

				/* t(x) casts to t when no function t takes x */
				if (list_length(fc->args) == 1 && fc->agg_order == NIL && fc->agg_filter == NULL &&
					fc->over == NULL && !fc->agg_star && !fc->agg_distinct && !fc->func_variadic)
					reads_of_type(rw, type_oid(makeTypeNameFromNameList(fc->funcname)),
								  rw->by, rw->depth, true);
				break;
			}
		case T_A_Expr:
			switch (((A_Expr *) node)->kind)
			{
				case AEXPR_BETWEEN:
				case AEXPR_BETWEEN_SYM:
					reads_of_operator(rw, ">=");
					reads_of_operator(rw, "<=");
					break;
				case AEXPR_NOT_BETWEEN:
				case AEXPR_NOT_BETWEEN_SYM:
					reads_of_operator(rw, "<");
					reads_of_operator(rw, ">");
					break;
				default:
					break;
			}
			break;
		case T_CaseExpr:
			/* CASE x WHEN y: x = y */
			if (((CaseExpr *) node)->arg != NULL)
				reads_of_operator(rw, "=");
			break;
		case T_SubLink:
			{
				SubLink    *sl = (SubLink *) node;

				/* x op ANY/ALL (SELECT ...); x IN (SELECT ...) has no name: = */
				if (sl->operName != NIL)
					reads_of_function_name(rw, sl->operName, true);
				else if (sl->subLinkType == ANY_SUBLINK)
					reads_of_operator(rw, "=");
				break;
			}
		case T_SortBy:
			/* ORDER BY x USING op */
			if (((SortBy *) node)->useOp != NIL)
				reads_of_function_name(rw, ((SortBy *) node)->useOp, true);
			break;
		case T_JoinExpr:
			/* JOIN ... USING (c), NATURAL JOIN: the columns' = */
			if (((JoinExpr *) node)->usingClause != NIL || ((JoinExpr *) node)->isNatural)
				reads_of_operator(rw, "=");
			break;
		default:
			break;
	}
}

/* A view or materialized view the statement names (GRANT, ALTER, CREATE TRIGGER ...). */
static void
reads_of_relation(ReadsWalk *rw, ClsObject *o)
{
	bool		found;

	if (!OidIsValid(o->relid) || (o->relkind != RELKIND_VIEW && o->relkind != RELKIND_MATVIEW))
		return;
	hash_search(rw->seen, &o->relid, HASH_ENTER, &found);
	if (!found)
		reads_of_view(rw, o->relid, o->identity, 1);
}

/*
 * Every relation a raw query names (FROM, subqueries, WITH queries, ...),
 * read by rw->by, and every function it calls (by name, and operators).
 */
static bool
reads_walker(Node *node, void *context)
{
	ReadsWalk  *rw = (ReadsWalk *) context;

	if (node == NULL)
		return false;
	if (IsA(node, RangeVar))
	{
		Oid			nsp;
		HeapTuple	tp = lookup_class((RangeVar *) node, &nsp);

		if (tp != NULL)
		{
			Oid			relid = ((Form_pg_class) GETSTRUCT(tp))->oid;

			ReleaseSysCache(tp);
			reads_add(rw, relid, rw->by, rw->depth);
		}
		return false;
	}
	if (IsA(node, FuncCall))
		reads_of_function_name(rw, ((FuncCall *) node)->funcname, false);
	else if (IsA(node, A_Expr) && ((A_Expr *) node)->name != NIL)
		reads_of_function_name(rw, ((A_Expr *) node)->name, true);
	reads_of_implied_calls(rw, node);
	return raw_expression_tree_walker(node, reads_walker, context);
}

/*
 * Every relation an analysed query reads (its range tables, subqueries
 * included), and every function it calls (operators' too).
 */
static bool
reads_query_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_RELATION)
			reads_add((ReadsWalk *) context, rte->relid, NULL, 0);
		return false;
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, reads_query_walker, context,
								 QTW_EXAMINE_RTES_BEFORE);
	if (IsA(node, CoerceToDomain))
	{
		ReadsWalk  *rw = (ReadsWalk *) context;

		reads_of_type(rw, ((CoerceToDomain *) node)->resulttype, rw->by, rw->depth, false);
	}
	(void) check_functions_in_node(node, reads_function_checker, context);
	return expression_tree_walker(node, reads_query_walker, context);
}

/*
 * The query of CREATE [OR REPLACE] VIEW, CREATE MATERIALIZED VIEW, CREATE
 * TABLE AS and SELECT INTO (the new relation's own name is not read: the
 * caller passes a query without its INTO clause).  A raw SELECT as written
 * (classify(), CREATE VIEW at the gate), or the analysed query PostgreSQL
 * hands the gate for CREATE TABLE AS, SELECT INTO and CREATE MATERIALIZED
 * VIEW, or the prepared statement's for CREATE TABLE AS EXECUTE (a raw
 * SELECT, or the session's analysed query: put_prepared_reads()).
 */
static void
reads_of_query(ReadsWalk *rw, Node *query)
{
	if (query == NULL)
		return;
	if (IsA(query, SelectStmt))
		reads_walker(query, rw);
	else if (IsA(query, Query))
		reads_query_walker(query, rw);
}

/*
 * GRANT/REVOKE ... ON ALL TABLES IN SCHEMA s: the views and materialized
 * views in s are granted on too.  A sequential scan of pg_class per schema,
 * as DROP SCHEMA ... CASCADE does; such statements are rare.
 */
static void
reads_of_schema(ReadsWalk *rw, const char *nspname)
{
	Oid			nsp = nspname ? get_namespace_oid(nspname, true) : InvalidOid;
	Relation	classrel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *views = NIL;
	ListCell   *lc;

	if (!OidIsValid(nsp))
		return;
	classrel = table_open(RelationRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_class_relnamespace, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(nsp));
	scan = systable_beginscan(classrel, InvalidOid, false, NULL, 1, &key);
	while ((tup = systable_getnext(scan)) != NULL)
	{
		Form_pg_class rc = (Form_pg_class) GETSTRUCT(tup);

		if (rc->relkind == RELKIND_VIEW || rc->relkind == RELKIND_MATVIEW)
			views = lappend_oid(views, rc->oid);
	}
	systable_endscan(scan);
	table_close(classrel, AccessShareLock);
	foreach(lc, views)
	{
		Oid			view = lfirst_oid(lc);
		bool		found;

		hash_search(rw->seen, &view, HASH_ENTER, &found);
		if (!found)
			reads_of_view(rw, view, qualify(nspname, get_rel_name(view)), 1);
	}
}

static int
call_entry_cmp(const ListCell *a, const ListCell *b)
{
	const CallEntry *x = lfirst(a);
	const CallEntry *y = lfirst(b);
	int			res = strcmp(x->identity, y->identity);

	if (res == 0 && x->read_by != NULL && y->read_by != NULL)
		res = strcmp(x->read_by, y->read_by);
	return res;
}

/*
 * calls, calls_count: the functions met (only when there are some), sorted
 * by identity, the first REACH_LISTED of them.
 */
static void
put_calls(JsonbParseState **st, List *calls)
{
	ListCell   *lc;
	int			n = 0;

	list_sort(calls, call_entry_cmp);
	begin_array(st, "calls");
	foreach(lc, calls)
	{
		CallEntry  *e = lfirst(lc);

		if (++n > REACH_LISTED)
			break;
		begin_object(st, NULL);
		put_names(st, e->object_type, e->schema, e->name, e->identity);
		dbc_put_text(st, "read_by", e->read_by);
		dbc_put_text(st, "language", e->language);
		dbc_put_bool(st, "security_definer", e->security_definer);
		dbc_put_bool(st, "opaque", e->opaque);
		if (e->opaque)
		{
			dbc_put_text_list(st, "words", e->words);
			dbc_put_bool(st, "words_complete", e->words_complete);
		}
		else
		{
			dbc_put_null(st, "words");
			dbc_put_null(st, "words_complete");
		}
		end_object(st);
	}
	end_array(st);
	dbc_put_int(st, "calls_count", list_length(calls));
}

/* reads, reads_count, reads_complete */
static void
put_reads(JsonbParseState **st, ReadsWalk *rw)
{
	if (rw->deprel != NULL)
		table_close(rw->deprel, AccessShareLock);
	rw->deprel = NULL;
	put_entries(st, "reads", rw->entries, "read_by");
	dbc_put_int(st, "reads_count", list_length(rw->entries));
	dbc_put_bool(st, "reads_complete", rw->complete);
	if (rw->calls != NIL)
		put_calls(st, rw->calls);
	hash_destroy(rw->seen);
	if (rw->fseen != NULL)
		hash_destroy(rw->fseen);
}

/*
 * reads of the prepared statement that CREATE TABLE AS EXECUTE runs: the
 * session's (its analysed query while PostgreSQL would run that one, else
 * its raw statement, analysed again at EXECUTE), or one the script being
 * checked prepared earlier (prepared.c).  None by that name: PostgreSQL
 * refuses the statement, and nothing is known of what it would read --
 * reads_complete is false.
 */
static void
put_prepared_reads(JsonbParseState **st, const char *name)
{
	ReadsWalk  *rw = reads_begin();
	DbcPrepared p;

	if (!dbc_prepared_lookup(name, &p))
		rw->complete = false;
	else
		reads_of_query(rw, p.query ? (Node *) p.query : p.raw);
	put_reads(st, rw);
}

/*
 * reads of the views and materialized views among owned objects (DepSeen *
 * of put_owned_objects()), for GRANT of their owner role, ALTER ROLE of it
 * and REASSIGN OWNED BY it.  A view reads its tables with its owner's
 * rights: whoever becomes, joins or logs in as the owner of a view over
 * payments may grant it, replace its query or turn security_invoker off, as
 * ALTER VIEW ... OWNER TO (which gets reads) would allow.  One pg_class
 * look-up per owned relation and one pg_depend probe per owned view,
 * bounded by the reads walk's limit; the fact is there only when the roles
 * own a view.
 */
static void
put_owned_view_reads(JsonbParseState **st, List *owned, bool with_definers, List *widened)
{
	ReadsWalk  *rw = NULL;
	ListCell   *lc;

	foreach(lc, owned)
	{
		DepSeen    *n = lfirst(lc);
		HeapTuple	tp;
		Form_pg_class rc;
		Oid			relid = n->addr.objectId;
		bool		found;

		/* REASSIGN OWNED: a SECURITY DEFINER function runs as its new owner */
		if (with_definers && n->addr.classId == ProcedureRelationId &&
			is_definer_function(n->addr.objectId))
		{
			if (rw == NULL)
				rw = reads_begin();
			/* (an owned function another one calls has been walked already) */
			reads_of_function(rw, n->addr.objectId, NULL, 1);
			continue;
		}
		if (n->addr.classId != RelationRelationId || n->addr.objectSubId != 0)
			continue;
		tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
		if (!HeapTupleIsValid(tp))
			continue;
		rc = (Form_pg_class) GETSTRUCT(tp);
		if (rc->relkind == RELKIND_VIEW || rc->relkind == RELKIND_MATVIEW)
		{
			if (rw == NULL)
				rw = reads_begin();
			hash_search(rw->seen, &relid, HASH_ENTER, &found);
			/* an owned view another owned view reads has been walked already */
			if (!found)
			{
				if (++rw->visited > READS_WALK_LIMIT)
				{
					rw->complete = false;
					ReleaseSysCache(tp);
					break;
				}
				reads_of_view(rw, relid,
							  qualify(walk_nsp_name(&rw->w, rc->relnamespace),
									  pstrdup(NameStr(rc->relname))), 1);
			}
		}
		ReleaseSysCache(tp);
	}
	/* SECURITY DEFINER functions whose owners' rights the statement widens */
	foreach(lc, widened)
	{
		if (rw == NULL)
			rw = reads_begin();
		reads_of_function(rw, lfirst_oid(lc), NULL, 1);
	}
	if (rw != NULL)
		put_reads(st, rw);
}

/*
 * The SECURITY DEFINER functions (Oids) whose owners' rights a statement
 * widens: GRANT r TO g (also CREATE ROLE x IN ROLE r ROLE g and ALTER GROUP
 * r ADD USER g) lets g's functions, and its members' (they inherit from g),
 * read what r may; ALTER ROLE g SUPERUSER or BYPASSRLS g's own, ALTER ROLE g
 * INHERIT g's and its members'.  A definer function that failed with
 * permission denied on payments reads it for everyone who may execute it
 * from then on, with nothing about the function in the statement.  roles
 * are RoleSpecs (PUBLIC and roles that do not exist are none), with_members
 * adds the roles that are members of them, at any depth (whether or not
 * they inherit: ALTER ROLE ... INHERIT later needs no other statement about
 * the function).  A superuser's functions read everything already.  One
 * pg_shdepend probe per role (as put_owned_objects() finds owned objects)
 * and one pg_auth_members probe per role with_members; only these role
 * statements pay.
 */
static List *
widened_definers(List *roles, bool with_members)
{
	List	   *queue = NIL;
	List	   *funcs = NIL;
	Relation	shdep;
	Relation	authmem = NULL;
	ListCell   *lc;
	int			i;

	foreach(lc, roles)
	{
		RoleSpec   *spec = lfirst(lc);
		Oid			role;

		if (!IsA(spec, RoleSpec) || spec->roletype == ROLESPEC_PUBLIC)
			continue;
		role = get_rolespec_oid(spec, true);
		if (OidIsValid(role))
			queue = list_append_unique_oid(queue, role);
	}
	if (queue == NIL)
		return NIL;
	shdep = table_open(SharedDependRelationId, AccessShareLock);
	if (with_members)
		authmem = table_open(AuthMemRelationId, AccessShareLock);
	/* (an index, not foreach: members found are appended to the queue) */
	for (i = 0; i < list_length(queue); i++)
	{
		Oid			role = list_nth_oid(queue, i);
		ScanKeyData key[2];
		SysScanDesc scan;
		HeapTuple	tup;

		if (!superuser_arg(role))
		{
			scan = owner_entries_scan(shdep, role, key);
			while ((tup = systable_getnext(scan)) != NULL)
			{
				Form_pg_shdepend d = (Form_pg_shdepend) GETSTRUCT(tup);

				if (d->deptype == SHARED_DEPENDENCY_OWNER && d->dbid == MyDatabaseId &&
					d->classid == ProcedureRelationId && is_definer_function(d->objid))
					funcs = list_append_unique_oid(funcs, d->objid);
			}
			systable_endscan(scan);
		}
		if (with_members)
		{
			ScanKeyInit(&key[0], Anum_pg_auth_members_roleid, BTEqualStrategyNumber, F_OIDEQ,
						ObjectIdGetDatum(role));
			scan = systable_beginscan(authmem, AuthMemRoleMemIndexId, true, NULL, 1, key);
			while ((tup = systable_getnext(scan)) != NULL)
				queue = list_append_unique_oid(queue,
											   ((Form_pg_auth_members) GETSTRUCT(tup))->member);
			systable_endscan(scan);
		}
		CHECK_FOR_INTERRUPTS();
	}
	if (authmem != NULL)
		table_close(authmem, AccessShareLock);
	table_close(shdep, AccessShareLock);
	return funcs;
}

/*
 * ALTER ROLE g: the SECURITY DEFINER functions whose owners' rights it
 * widens (widened_definers()): SUPERUSER or BYPASSRLS the role does not
 * have yet (its own functions), INHERIT it does not have yet (its own and
 * its members'), ALTER GROUP g ADD USER m (m's and m's members').
 */
static List *
alter_role_widened(AlterRoleStmt *s)
{
	List	   *self = NIL;
	List	   *added = NIL;
	bool		inherit = false;
	HeapTuple	tp;
	Form_pg_authid a;
	Oid			role;
	ListCell   *lc;

	if (s->role == NULL || s->role->roletype == ROLESPEC_PUBLIC)
		return NIL;
	role = get_rolespec_oid(s->role, true);
	if (!OidIsValid(role))
		return NIL;
	tp = SearchSysCache1(AUTHOID, ObjectIdGetDatum(role));
	if (!HeapTupleIsValid(tp))
		return NIL;
	a = (Form_pg_authid) GETSTRUCT(tp);
	foreach(lc, s->options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);
		const char *n = opt->defname;

		if (strcmp(n, "rolemembers") == 0)
		{
			if (s->action > 0 && opt->arg && IsA(opt->arg, List))
				added = list_concat(added, (List *) opt->arg);
		}
		else if ((strcmp(n, "superuser") == 0 && !a->rolsuper) ||
				 (strcmp(n, "bypassrls") == 0 && !a->rolbypassrls) ||
				 (strcmp(n, "inherit") == 0 && !a->rolinherit))
		{
			if (opt_bool(opt))
			{
				self = list_make1(s->role);
				inherit |= n[0] == 'i';
			}
		}
	}
	ReleaseSysCache(tp);
	return list_concat_unique_oid(widened_definers(self, inherit),
								  widened_definers(added, true));
}

/*
 * reads and calls of a SECURITY DEFINER function (docs/facts.md): its body
 * runs with its owner's rights for everyone who may execute it (PUBLIC
 * unless revoked), so "SELECT * FROM payments" wrapped in one exposes
 * payments as surely as a view over it, with no view involved.  CREATE
 * [OR REPLACE] FUNCTION/PROCEDURE ... SECURITY DEFINER, ALTER of a function
 * that is one after the statement, its OWNER TO, and GRANT EXECUTE on one
 * get the reads of its body, walked as the view walk follows a function a
 * view calls (what the body reads is read_by the function, and the
 * function itself is among calls, read_by null).  A SECURITY INVOKER
 * function reads with its caller's rights: none of this.  Only these
 * statements pay: the option is read from the parse tree, an existing
 * function's prosecdef from the catalog cache.
 */

/* Is funcid (InvalidOid: none) a SECURITY DEFINER function? */
static bool
is_definer_function(Oid funcid)
{
	HeapTuple	tp;
	bool		definer;

	if (!OidIsValid(funcid))
		return false;
	tp = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	if (!HeapTupleIsValid(tp))
		return false;
	definer = ((Form_pg_proc) GETSTRUCT(tp))->prosecdef;
	ReleaseSysCache(tp);
	return definer;
}

/* A SECURITY DEFINER function of the kind *arg (an ObjectType) grants on. */
static Oid
pick_definer(HeapTuple tup, const void *arg)
{
	Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tup);
	ObjectType	objtype = *(const ObjectType *) arg;

	if (!proc->prosecdef)
		return InvalidOid;
	if (objtype == OBJECT_FUNCTION ? proc->prokind == PROKIND_PROCEDURE :
		objtype == OBJECT_PROCEDURE ? proc->prokind != PROKIND_PROCEDURE : false)
		return InvalidOid;
	return proc->oid;
}

/*
 * GRANT ... ON ALL FUNCTIONS (PROCEDURES, ROUTINES) IN SCHEMA: the SECURITY
 * DEFINER ones of the kind granted on (FUNCTIONS: all but procedures, as
 * PostgreSQL picks them).  A scan of pg_proc per schema; such statements
 * are rare.
 */
static List *
definer_functions_in_schema(const char *nspname, ObjectType objtype)
{
	return namespace_rows(ProcedureRelationId, Anum_pg_proc_pronamespace, nspname, pick_definer, &objtype);
}

/*
 * The search_path SET clauses leave a function with, starting from path:
 * the last SET search_path (FROM CURRENT: the value now) or RESET of it
 * (RESET ALL, SET ... TO DEFAULT: none), as PostgreSQL applies them.
 */
static char *
set_clauses_search_path(List *options, char *path)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		VariableSetStmt *v = search_path_clause(lfirst_node(DefElem, lc));

		if (v != NULL)
			path = ExtractSetVariableArgs(v);	/* NULL for RESET, DEFAULT */
	}
	return path;
}

/*
 * The walk reads function funcid's body on the search_path its ALTER leaves
 * (the SET clauses in actions applied to the path it has now).
 */
static void
walk_with_altered_path(ReadsWalk *rw, Oid funcid, List *actions)
{
	HeapTuple	tp = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));

	if (!HeapTupleIsValid(tp))
		return;
	rw->path_func = funcid;
	rw->path_of_func = set_clauses_search_path(actions, function_search_path(tp));
	ReleaseSysCache(tp);
}

/*
 * reads of existing SECURITY DEFINER functions (Oids): GRANT EXECUTE on
 * them, OWNER TO, and ALTER FUNCTION (altered, with its actions: a SET or
 * RESET of search_path there is the path its body is read with, and the
 * function is SECURITY DEFINER after it).
 */
static void
put_definer_reads(JsonbParseState **st, List *funcs, Oid altered, List *actions)
{
	ReadsWalk  *rw = reads_begin();
	ListCell   *lc;

	if (OidIsValid(altered))
		walk_with_altered_path(rw, altered, actions);
	foreach(lc, funcs)
	{
		int			before = list_length(rw->calls);

		reads_of_function(rw, lfirst_oid(lc), NULL, 1);
		/* its entry (the first the walk lists) says what it will be */
		if (OidIsValid(altered) && list_length(rw->calls) > before)
			((CallEntry *) list_nth(rw->calls, before))->security_definer = true;
	}
	put_reads(st, rw);
}

/*
 * reads of the body of the SECURITY DEFINER function CREATE [OR REPLACE]
 * FUNCTION/PROCEDURE makes (o): the new body, before PostgreSQL has
 * analysed it, as a function the view walk meets is followed -- a
 * SQL-standard body (BEGIN ATOMIC, RETURN) walked as a new query is, its
 * names looked up on the search path in effect (PostgreSQL analyses it so,
 * whatever the function's own SET search_path); a LANGUAGE sql string body
 * parsed and walked on the function's own search_path if it sets one (the
 * path it will run with), else on the one in effect; any other language
 * opaque, the words of its body listed.  The function is among calls
 * (read_by null), what its body reads and calls read_by it.
 */
static void
put_new_definer_reads(JsonbParseState **st, CreateFunctionStmt *s, ClsObject *o)
{
	ReadsWalk  *rw = reads_begin();
	CallEntry  *e = new_body_entry(s, o);
	Oid			replaced = s->replace ? replaced_func_oid(s) : InvalidOid;

	e->security_definer = true;
	rw->calls = lappend(rw->calls, e);
	rw->visited++;
	/* a call of itself finds the function it replaces: its new body is this one */
	if (OidIsValid(replaced))
		mark_function_seen(rw, replaced);
	reads_of_new_body(rw, s, e, 1);
	put_reads(st, rw);
}

/* The calls entry of the function CREATE FUNCTION makes (o), read_by null. */
static CallEntry *
new_body_entry(CreateFunctionStmt *s, ClsObject *o)
{
	CallEntry  *e = palloc0(sizeof(CallEntry));
	DefElem    *lang = find_opt(s->options, "language");

	e->object_type = s->is_procedure ? "procedure" : "function";
	e->schema = o ? o->schema : NULL;
	e->name = o ? o->name : NULL;
	e->identity = o ? o->identity : NULL;
	e->language = lang && opt_text(lang) ? opt_text(lang) : pstrdup("sql");
	return e;
}

/* The walk will not follow funcid (its body is replaced by the statement's). */
static void
mark_function_seen(ReadsWalk *rw, Oid funcid)
{
	if (rw->fseen == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(Oid);
		ctl.hcxt = CurrentMemoryContext;
		rw->fseen = hash_create("dbchange calls", 16, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	hash_search(rw->fseen, &funcid, HASH_ENTER, NULL);
}

/*
 * What the new body of CREATE FUNCTION s reads and calls, read_by its entry
 * e, which is depth deep in the walk.
 */
static void
reads_of_new_body(ReadsWalk *rw, CreateFunctionStmt *s, CallEntry *e, int depth)
{
	DefElem    *as = find_opt(s->options, "as");
	List	   *items = as && as->arg && IsA(as->arg, List) ? (List *) as->arg : NIL;

	if (s->sql_body != NULL)
	{
		/* RETURN expr, or BEGIN ATOMIC's statements as a list in a list */
		List	   *stmts = IsA(s->sql_body, List) ?
			linitial_node(List, (List *) s->sql_body) : list_make1(s->sql_body);
		const char *by = rw->by;
		int			by_depth = rw->depth;
		ListCell   *lc;

		rw->by = e->identity;
		rw->depth = depth;
		foreach(lc, stmts)
		{
			Node	   *stmt = lfirst(lc);

			if (stmt == NULL)
				continue;
			switch (nodeTag(stmt))
			{
				case T_ReturnStmt:
					reads_walker(((ReturnStmt *) stmt)->returnval, rw);
					break;
				case T_SelectStmt:
				case T_InsertStmt:
				case T_UpdateStmt:
				case T_DeleteStmt:
					reads_walker(stmt, rw);
					break;
				default:
					rw->complete = false;
					break;
			}
		}
		rw->by = by;
		rw->depth = by_depth;
	}
	else if (strcmp(e->language, "sql") == 0 && items != NIL && IsA(linitial(items), String))
		reads_of_sql_body(rw, e, strVal(linitial(items)),
						  set_clauses_search_path(s->options, NULL), depth);
	else
	{
		/* C and internal functions: AS 'file', 'symbol' -- the symbol is prosrc */
		Node	   *src = list_length(items) == 2 ? lsecond(items) : items ? linitial(items) : NULL;

		e->opaque = true;
		call_words(rw, e, src && IsA(src, String) ? strVal(src) : NULL);
	}
}

/*
 * A SECURITY INVOKER function runs with the rights of whoever calls it --
 * the owner of a SECURITY DEFINER function calling it.  PostgreSQL records
 * no dependency on a function called from a string body (LANGUAGE sql as a
 * string, plpgsql, ...), so replacing such an invoker function with one that
 * reads payments, or renaming, moving or creating one under the name a
 * definer function calls, or pointing its search_path elsewhere, changes
 * what the definer function reads with nothing else judged.  The SECURITY
 * DEFINER functions that may call a function named name (funcid: the
 * existing one, InvalidOid for a new one): those whose SQL-standard body
 * depends on funcid (pg_depend), and those whose string body calls name --
 * holds it as a word, any case, followed by "(" -- whatever its schema (a
 * caller too many rather than one too few: a comment or a string counts; a
 * name built by dynamic SQL, or an operator's function, does not).  An
 * extension's functions are left out: its script is trusted as for CREATE
 * EXTENSION, and dbchange's own pin their search_path.  One scan of pg_proc,
 * reading the body of the definer functions only, and one pg_depend probe;
 * only CREATE FUNCTION of an invoker function, ALTER of one changing its
 * search_path or security, and RENAME / SET SCHEMA of one pay for it.
 */
static List *
definer_callers(const char *name, Oid funcid)
{
	Relation	rel;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *callers = NIL;
	Oid			info_nsp = get_namespace_oid("information_schema", true);
	size_t		len = name ? strlen(name) : 0;

	if (OidIsValid(funcid))
	{
		rel = table_open(DependRelationId, AccessShareLock);
		ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(ProcedureRelationId));
		ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(funcid));
		scan = systable_beginscan(rel, DependReferenceIndexId, true, NULL, 2, key);
		while ((tup = systable_getnext(scan)) != NULL)
		{
			Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tup);

			if (dep->classid == ProcedureRelationId && dep->objid != funcid &&
				is_definer_function(dep->objid))
				callers = list_append_unique_oid(callers, dep->objid);
		}
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
	}
	if (len == 0)
		return callers;
	rel = table_open(ProcedureRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while ((tup = systable_getnext(scan)) != NULL)
	{
		Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tup);
		bool		isnull;
		Datum		d;
		char	   *body;

		if (!proc->prosecdef || proc->oid == funcid ||
			proc->prolang == ClanguageId || proc->prolang == INTERNALlanguageId ||
			proc->pronamespace == PG_CATALOG_NAMESPACE || proc->pronamespace == info_nsp)
			continue;
		(void) heap_getattr(tup, Anum_pg_proc_prosqlbody, RelationGetDescr(rel), &isnull);
		if (!isnull)
			continue;			/* a SQL-standard body: pg_depend, above */
		d = heap_getattr(tup, Anum_pg_proc_prosrc, RelationGetDescr(rel), &isnull);
		if (isnull)
			continue;
		body = TextDatumGetCString(d);
		if (holds_call(body, name, len) && !extension_member(proc->oid))
			callers = list_append_unique_oid(callers, proc->oid);
		pfree(body);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return callers;
}

/*
 * Does text call word (len bytes): hold it as a whole word, any case, quoted
 * or not, followed by "(" (spaces between)?
 */
static bool
holds_call(const char *text, const char *word, size_t len)
{
	const char *p;

#define WORD_BYTE(ch) (isalnum((unsigned char) (ch)) || (ch) == '_' || (ch) == '$' || \
					   IS_HIGHBIT_SET(ch))
	for (p = text; *p; p++)
	{
		const char *q = p + len;

		if (pg_strncasecmp(p, word, len) != 0 || (p > text && WORD_BYTE(p[-1])) || WORD_BYTE(*q))
			continue;
		if (*q == '"')
			q++;
		while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
			q++;
		if (*q == '(')
			return true;
	}
#undef WORD_BYTE
	return false;
}

/* Is funcid a member of an extension (its script installed it)? */
static bool
extension_member(Oid funcid)
{
	return OidIsValid(getExtensionOfObject(ProcedureRelationId, funcid));
}

/*
 * reads and calls for a SECURITY INVOKER function that SECURITY DEFINER
 * functions may call (definer_callers()): CREATE [OR REPLACE] FUNCTION s
 * making one (o; funcid the function it replaces), ALTER of one (funcid,
 * its actions: the search_path they leave it with), RENAME / SET SCHEMA of
 * one (funcid, name: the name it will have).  Each caller is among calls
 * with read_by null, its body followed as for GRANT EXECUTE on it; the
 * function is read_by the first caller (by identity), with the body it
 * will have: the new one for CREATE (the one it replaces is not followed),
 * the catalog's otherwise.  No caller: no facts.
 */
static void
put_caller_reads(JsonbParseState **st, CreateFunctionStmt *s, ClsObject *o, Oid funcid,
				 const char *name, List *actions)
{
	List	   *callers = definer_callers(name, funcid);
	ReadsWalk  *rw;
	ListCell   *lc;
	const char *first = NULL;

	if (callers == NIL)
		return;
	rw = reads_begin();
	if (s != NULL && OidIsValid(funcid))
		mark_function_seen(rw, funcid);
	if (s == NULL && OidIsValid(funcid) && actions != NIL)
		walk_with_altered_path(rw, funcid, actions);
	foreach(lc, callers)
	{
		int			before = list_length(rw->calls);

		reads_of_function(rw, lfirst_oid(lc), NULL, 1);
		if (list_length(rw->calls) > before)
		{
			CallEntry  *ce = list_nth(rw->calls, before);

			if (first == NULL || strcmp(ce->identity, first) < 0)
				first = ce->identity;
		}
	}
	if (first == NULL)
	{
		put_reads(st, rw);
		return;
	}
	if (s != NULL)
	{
		CallEntry  *e = new_body_entry(s, o);

		e->read_by = first;
		rw->calls = lappend(rw->calls, e);
		rw->visited++;
		reads_of_new_body(rw, s, e, 2);
	}
	else
		/* unless a caller's walk has followed it by its name already */
		reads_of_function(rw, funcid, first, 2);
	put_reads(st, rw);
}

/*
 * descendants, descendant_count, schema_relations, schema_relation_count,
 * total_rows, total_bytes (docs/facts.md): the tables a statement acts on
 * without naming them -- the partitions and inheritance children of those it
 * names, the contents of a schema it drops with CASCADE -- and the size of
 * all the data it reaches.  Only statements with such a reach get these
 * facts; table_rows/table_bytes are those put_sizes() gave.
 */
static void
put_reach(Cls *c, List *objects, double table_rows, double table_bytes, bool table_rows_est)
{
	JsonbParseState **st = c->st;
	ReachWalk	w;
	CascadeWalk cw;
	List	   *in_schemas = NIL;
	int64		in_schema_count = 0;
	List	   *roots = NIL;
	List	   *root_names = NIL;
	ListCell   *lc;
	ListCell   *lc2;

	memset(&w, 0, sizeof(w));
	if (c->dropped_schemas != NIL)
	{
		in_schemas = schema_relations(c->dropped_schemas, &w, &in_schema_count,
									  &roots, &root_names);
		w.skip_nsps = c->dropped_schemas;
	}

	/*
	 * Several roots can share descendants (TRUNCATE a parent and its child),
	 * and a named table is no descendant of another named one: a relation
	 * is then listed once.  One named table needs no such bookkeeping, unless
	 * a cascade follows (it starts from the descendants, or leaves them out).
	 */
	if (list_length(c->reach) + list_length(roots) > 1 || list_length(objects) > 1 ||
		c->truncate_cascade || c->drop_cascade)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(ReachSeen);
		ctl.hcxt = CurrentMemoryContext;
		w.seen = hash_create("dbchange descendants", 64, &ctl,
							 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		foreach(lc, objects)
		{
			ClsObject  *o = lfirst(lc);

			if (OidIsValid(o->relid))
			{
				ReachSeen  *seen = hash_search(w.seen, &o->relid, HASH_ENTER, NULL);

				/* in table_rows/table_bytes when those sum the tables named */
				seen->named = c->sum_objects ? o : NULL;
				seen->root = NULL;
			}
		}
	}

	foreach(lc, c->reach)
	{
		ClsReach   *r = lfirst(lc);

		walk_descendants(&w, r->table->relid, r->table->identity, r->how,
						 r->table->relkind == RELKIND_PARTITIONED_TABLE);
	}
	forboth(lc, roots, lc2, root_names)
		walk_descendants(&w, lfirst_oid(lc), lfirst(lc2), RECURSE_ALL, false);
	cw.entries = NIL;
	cw.complete = !c->cascade_incomplete;
	if (c->truncate_cascade)
		truncate_cascade(c, &w, &cw);
	else if (c->drop_cascade)
		drop_cascade(c, &w, &cw);
	if (w.seen)
		hash_destroy(w.seen);

	if (c->dropped_schemas != NIL)
	{
		put_reach_entries(st, "schema_relations", in_schemas);
		dbc_put_int(st, "schema_relation_count", in_schema_count);
	}
	else if (w.count == 0 && !c->truncate_cascade && !c->drop_cascade)
		return;					/* relhassubclass was stale: no descendants after all */
	if (w.count > 0)
	{
		put_reach_entries(st, "descendants", w.listed);
		dbc_put_int(st, "descendant_count", w.count);
	}
	if (c->truncate_cascade || c->drop_cascade)
		put_cascade(st, &cw, c->cascade_before_script);
	put_int_or_null(st, "total_rows",
					table_rows < 0 && !w.rows_known ? -1 : Max(table_rows, 0) + w.rows);
	dbc_put_bool(st, "total_rows_estimated",
				 (table_rows >= 0 && table_rows_est) || (w.rows_known && w.rows_estimated));
	put_int_or_null(st, "total_bytes",
					table_bytes < 0 && !w.bytes_known ? -1 : Max(table_bytes, 0) + w.bytes);
}

static void
put_common_facts(Cls *c, Node *stmt, const char *text)
{
	JsonbParseState **st = c->st;
	CommandTag	tag = CreateCommandTag(stmt);
	const char *verb;
	const char *tag_type = tag_object_type(tag, &verb);
	ClsObject  *m = c->main;
	List	   *objects = c->objects;
	double		rows;
	double		bytes;
	bool		rows_est;

	if (c->object_type == NULL)
		c->object_type = tag_type;
	if (c->operations == NIL)
		add_op(c, verb);
	if (objects == NIL && m && (m->name || m->identity))
		objects = list_make1(m);

	dbc_put_text(st, "command", c->command ? c->command : GetCommandTagName(tag));
	if (text)					/* NULL: the gate's statement facts (facts.c) */
		dbc_put_text(st, "statement", text);
	dbc_put_text(st, "object_type", c->object_type);
	dbc_put_text(st, "schema", m ? m->schema : NULL);
	dbc_put_text(st, "name", m ? m->name : NULL);
	dbc_put_text(st, "identity", m ? m->identity : NULL);
	put_exists(st, m ? m->exists : -1);
	dbc_put_text(st, "table", c->table);
	put_objects(st, objects);
	/* objects is just the main object: a policy need not open it (facts.md) */
	dbc_put_bool(st, "single_object", list_length(objects) == 1 && linitial(objects) == m &&
				 m->object_type && c->object_type && strcmp(m->object_type, c->object_type) == 0);
	dbc_put_text_list(st, "operations", c->operations);
	dbc_put_bool(st, "destructive", c->destructive);
	dbc_put_bool(st, "rewrites_table", c->rewrites);
	dbc_put_bool(st, "scans_table", c->scans || c->rewrites);
	dbc_put_text(st, "lock", dbc_lock_name(c->lock));
	dbc_put_bool(st, "blocks_reads", c->lock == AccessExclusiveLock || c->index_exclusive);
	dbc_put_bool(st, "blocks_writes", c->lock >= ShareLock);
	dbc_put_bool(st, "concurrently", c->concurrently);
	dbc_put_bool(st, "if_exists", c->if_exists);
	dbc_put_bool(st, "if_not_exists", c->if_not_exists);
	dbc_put_bool(st, "or_replace", c->or_replace);
	dbc_put_bool(st, "cascade", c->cascade);
	put_sizes(c, objects, &rows, &bytes, &rows_est);
	if (c->reach != NIL || c->dropped_schemas != NIL || c->truncate_cascade || c->drop_cascade)
		put_reach(c, objects, rows, bytes, rows_est);
	dbc_put_bool(st, "nontransactional", dbc_is_nontransactional(stmt));
}

/* The tables the foreign keys among cons reference: locked SHARE ROW EXCLUSIVE (scriptstate.c). */
static void
note_fk_references(DbcStmtTable *tab, List *cons)
{
	ListCell   *k;

	foreach(k, cons)
	{
		Constraint *con = (Constraint *) lfirst(k);

		if (IsA(con, Constraint) && con->contype == CONSTR_FOREIGN && con->pktable)
		{
			ClsObject  *pk = rel_object("table", con->pktable);

			tab->referenced = lappend(tab->referenced, pk->identity);
			tab->referenced_relids = lappend_oid(tab->referenced_relids, pk->relid);
		}
	}
}

/* The table and lock the statement's transaction will hold (scriptstate.c). */
static void
note_stmt_table(Cls *c, Node *stmt, DbcStmtTable *tab)
{
	tab->relid = c->table_relid;
	tab->identity = c->table;
	tab->lock = c->lock;
	tab->locked = NIL;
	tab->referenced = NIL;
	tab->referenced_relids = NIL;
	tab->partition = NULL;
	tab->partition_relid = InvalidOid;
	tab->detach = false;
	tab->finalize = false;
	tab->create_partition = false;
	if (IsA(stmt, AlterTableStmt))
	{
		ListCell   *lc;

		foreach(lc, ((AlterTableStmt *) stmt)->cmds)
		{
			AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
			List	   *cons = NIL;

			if (!IsA(cmd, AlterTableCmd) || cmd->def == NULL)
				continue;
			/* the table attached or detached is locked too (scriptstate.c) */
			if ((cmd->subtype == AT_AttachPartition || cmd->subtype == AT_DetachPartition ||
				 cmd->subtype == AT_DetachPartitionFinalize) &&
				((AlterTableStmt *) stmt)->objtype == OBJECT_TABLE && IsA(cmd->def, PartitionCmd) &&
				((PartitionCmd *) cmd->def)->name != NULL)
			{
				ClsObject  *p = rel_object("table", ((PartitionCmd *) cmd->def)->name);

				tab->partition = p->identity;
				tab->partition_relid = p->relid;
				tab->detach = cmd->subtype != AT_AttachPartition;
				tab->finalize = cmd->subtype == AT_DetachPartitionFinalize;
			}
			if (cmd->subtype == AT_AddConstraint && IsA(cmd->def, Constraint))
				cons = list_make1(cmd->def);
			else if (cmd->subtype == AT_AddColumn && IsA(cmd->def, ColumnDef))
				cons = ((ColumnDef *) cmd->def)->constraints;
			note_fk_references(tab, cons);
		}
	}
	else if (IsA(stmt, CreateStmt))
	{
		ListCell   *lc;

		/* a new partition is attached as ATTACH PARTITION attaches one (scriptstate.c) */
		if (((CreateStmt *) stmt)->partbound != NULL && c->main != NULL && c->main->identity != NULL &&
			tab->identity != NULL)
		{
			tab->partition = c->main->identity;
			tab->partition_relid = InvalidOid;
			tab->create_partition = true;
		}

		/* a foreign key of the new table locks the table it references, as ADD FOREIGN KEY */
		foreach(lc, ((CreateStmt *) stmt)->tableElts)
		{
			Node	   *elt = lfirst(lc);

			note_fk_references(tab, IsA(elt, ColumnDef) ? ((ColumnDef *) elt)->constraints :
							   IsA(elt, Constraint) ? list_make1(elt) : NIL);
		}
	}
	else if (IsA(stmt, LockStmt) || IsA(stmt, TruncateStmt))
	{
		ListCell   *lc;

		/* (TRUNCATE a, b locks every table it names, as LOCK TABLE a, b does) */
		foreach(lc, c->objects)
		{
			ClsObject  *o = (ClsObject *) lfirst(lc);

			if (o->identity)
				tab->locked = lappend(tab->locked, o->identity);
		}
	}
}

/*
 * Statement facts: the statement-specific ones first (each classify_*
 * function), then those every statement has.  Never errors on objects that
 * do not exist.
 */
void
dbc_classify_stmt(JsonbParseState **st, Node *stmt, const char *text, DbcStmtTable *tab)
{
	Cls			c;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.lock = NoLock;

	switch (nodeTag(stmt))
	{
		case T_CreateStmt:
			classify_create_table(&c, (CreateStmt *) stmt, false);
			break;
		case T_CreateForeignTableStmt:
			classify_create_table(&c, &((CreateForeignTableStmt *) stmt)->base, true);
			dbc_put_text(st, "server", ((CreateForeignTableStmt *) stmt)->servername);
			break;
		case T_CreateTableAsStmt:
			classify_create_table_as(&c, (CreateTableAsStmt *) stmt);
			break;
		case T_AlterTableStmt:
			classify_alter_table(&c, (AlterTableStmt *) stmt);
			break;
		case T_AlterTableMoveAllStmt:
			classify_move_all(&c, (AlterTableMoveAllStmt *) stmt);
			break;
		case T_TruncateStmt:
			classify_truncate(&c, (TruncateStmt *) stmt);
			break;
		case T_IndexStmt:
			classify_create_index(&c, (IndexStmt *) stmt);
			break;
		case T_ReindexStmt:
			classify_reindex(&c, (ReindexStmt *) stmt);
			break;
		case T_ViewStmt:
			classify_view(&c, (ViewStmt *) stmt);
			break;
		case T_RefreshMatViewStmt:
			classify_refresh(&c, (RefreshMatViewStmt *) stmt);
			break;
		case T_CreateSeqStmt:
			classify_sequence(&c, stmt, ((CreateSeqStmt *) stmt)->sequence,
							  ((CreateSeqStmt *) stmt)->options, true,
							  ((CreateSeqStmt *) stmt)->if_not_exists);
			break;
		case T_AlterSeqStmt:
			classify_sequence(&c, stmt, ((AlterSeqStmt *) stmt)->sequence,
							  ((AlterSeqStmt *) stmt)->options, false,
							  ((AlterSeqStmt *) stmt)->missing_ok);
			break;
		case T_CreateFunctionStmt:
			classify_create_function(&c, (CreateFunctionStmt *) stmt);
			break;
		case T_AlterFunctionStmt:
			classify_alter_function(&c, (AlterFunctionStmt *) stmt);
			break;
		case T_CreateTrigStmt:
			classify_create_trigger(&c, (CreateTrigStmt *) stmt);
			break;
		case T_RuleStmt:
			classify_rule(&c, (RuleStmt *) stmt);
			break;
		case T_CreateEventTrigStmt:
		case T_AlterEventTrigStmt:
			classify_event_trigger(&c, stmt);
			break;
		case T_CreateSchemaStmt:
			classify_create_schema(&c, (CreateSchemaStmt *) stmt);
			break;
		case T_CompositeTypeStmt:
		case T_CreateEnumStmt:
		case T_CreateRangeStmt:
		case T_AlterEnumStmt:
		case T_AlterTypeStmt:
			classify_type(&c, stmt);
			break;
		case T_DefineStmt:
			classify_define(&c, (DefineStmt *) stmt);
			break;
		case T_CreateDomainStmt:
			classify_create_domain(&c, (CreateDomainStmt *) stmt);
			break;
		case T_AlterDomainStmt:
			classify_alter_domain(&c, (AlterDomainStmt *) stmt);
			break;
		case T_CreateExtensionStmt:
		case T_AlterExtensionStmt:
		case T_AlterExtensionContentsStmt:
			classify_extension(&c, stmt);
			break;
		case T_CreatePolicyStmt:
		case T_AlterPolicyStmt:
			classify_policy(&c, stmt);
			break;
		case T_DropStmt:
			classify_drop(&c, (DropStmt *) stmt);
			break;
		case T_DropRoleStmt:
		case T_DropdbStmt:
		case T_DropTableSpaceStmt:
		case T_DropSubscriptionStmt:
		case T_DropUserMappingStmt:
			classify_drop_global(&c, stmt);
			break;
		case T_DropOwnedStmt:
		case T_ReassignOwnedStmt:
			classify_owned(&c, stmt);
			break;
		case T_RenameStmt:
			classify_rename(&c, (RenameStmt *) stmt);
			break;
		case T_AlterObjectSchemaStmt:
			classify_set_schema(&c, (AlterObjectSchemaStmt *) stmt);
			break;
		case T_AlterOwnerStmt:
			classify_owner(&c, (AlterOwnerStmt *) stmt);
			break;
		case T_AlterObjectDependsStmt:
			classify_depends(&c, (AlterObjectDependsStmt *) stmt);
			break;
		case T_CommentStmt:
		case T_SecLabelStmt:
			classify_comment(&c, stmt);
			break;
		case T_GrantStmt:
			classify_grant(&c, (GrantStmt *) stmt);
			break;
		case T_GrantRoleStmt:
			classify_grant_role(&c, (GrantRoleStmt *) stmt);
			break;
		case T_AlterDefaultPrivilegesStmt:
			classify_default_privileges(&c, (AlterDefaultPrivilegesStmt *) stmt);
			break;
		case T_CreateRoleStmt:
		case T_AlterRoleStmt:
		case T_AlterRoleSetStmt:
			classify_role(&c, stmt);
			break;
		case T_CreatedbStmt:
		case T_AlterDatabaseStmt:
		case T_AlterDatabaseSetStmt:
			classify_database(&c, stmt);
			break;
		case T_CreateTableSpaceStmt:
		case T_AlterTableSpaceOptionsStmt:
			classify_tablespace(&c, stmt);
			break;
		case T_AlterSystemStmt:
			classify_alter_system(&c, (AlterSystemStmt *) stmt);
			break;
		case T_VacuumStmt:
			classify_vacuum(&c, (VacuumStmt *) stmt);
			break;
		case T_ClusterStmt:
			classify_cluster(&c, (ClusterStmt *) stmt);
			break;
		case T_CreatePublicationStmt:
		case T_AlterPublicationStmt:
			classify_publication(&c, stmt);
			break;
		case T_CreateSubscriptionStmt:
		case T_AlterSubscriptionStmt:
			classify_subscription(&c, stmt);
			break;
		case T_ImportForeignSchemaStmt:
			classify_import(&c, (ImportForeignSchemaStmt *) stmt);
			break;
		case T_CreateStatsStmt:
			classify_statistics(&c, (CreateStatsStmt *) stmt);
			break;
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
		case T_MergeStmt:
		case T_SelectStmt:
		case T_LockStmt:
			classify_dml(&c, stmt);
			break;
		default:
			/* names where cheap; command tag, object type and verb from the tag */
			classify_misc(&c, stmt);
			break;
	}
	put_common_facts(&c, stmt, text);
	if (dbc_rls_statement(stmt))
		dbc_put_row_security(st, stmt, c.table_relid,
							 IsA(stmt, AlterTableStmt) || c.main == NULL ? NULL : c.main->name);
	if (tab)
		note_stmt_table(&c, stmt, tab);
}

/* The facts of each statement; an EXECUTE runs what the script prepared before it. */
static void
classify_rows(ReturnSetInfo *rsinfo, List *stmts, DbcSettings *settings)
{
	DbcScriptPrepares prepares;
	DbcScriptPath path;

	dbc_script_prepares_begin(&prepares);
	dbc_script_path_begin(&path);
	PG_TRY();
	{
		ListCell   *lc;

		foreach(lc, stmts)
		{
			DbcParsedStmt *ps = lfirst(lc);
			Datum		value;
			bool		isnull = false;

			value = JsonbPGetDatum(dbc_build_facts(ps->stmt, ps->text, settings, "interactive"));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
			dbc_script_prepares_note(ps->stmt);
			dbc_script_path_note(ps->stmt);
		}
	}
	PG_FINALLY();
	{
		dbc_script_path_end(&path);
		dbc_script_prepares_end(&prepares);
	}
	PG_END_TRY();
}

/*
 * dbchange.classify(sql text) RETURNS SETOF jsonb: the facts of every
 * statement of a script, complete with the context facts, without running
 * anything.
 */
PG_FUNCTION_INFO_V1(dbc_classify_sql);
Datum
dbc_classify_sql(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DbcSettings settings;
	List	   *stmts;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	stmts = dbc_split_script(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	if (stmts == NIL)
		return (Datum) 0;
	dbc_load_settings(&settings);
	classify_rows(rsinfo, stmts, &settings);
	return (Datum) 0;
}
