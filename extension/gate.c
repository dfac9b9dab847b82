/*-------------------------------------------------------------------------
 *
 * gate.c
 *	  The DDL gate: a ProcessUtility hook and four event triggers.
 *
 * The hook is where statements are judged.  It sees the exact text of each
 * statement (queryString + stmt_location/stmt_len, also for every statement
 * of a multi-statement string and for DDL run by PL/pgSQL EXECUTE or a DO
 * block), it is immune to session_replication_role, and it sees commands no
 * event trigger fires for (TRUNCATE, ALTER SYSTEM, CLUSTER, VACUUM FULL,
 * REINDEX, roles, databases, tablespaces).
 *
 *	approve -> the statement runs; afterwards it is recorded as an applied
 *			   change in the same transaction (so a rollback removes both)
 *	queue   -> a pending change is committed durably (durable.c) and the
 *			   statement fails with SQLSTATE ZC001
 *	reject  -> a rejected change is committed durably and the statement
 *			   fails with SQLSTATE ZC002
 *
 * The event triggers (created ENABLE ALWAYS) collect what the statement
 * touched: ddl_command_end (pg_event_trigger_ddl_commands), sql_drop
 * (dropped objects, cascaded ones included) and table_rewrite.  Their
 * ddl_command_start trigger is the safety net for a session in which the
 * library was not yet loaded: calling it loads the library (installing the
 * hook for every later statement) and gates that one statement itself,
 * provided its text can be isolated; otherwise the statement is refused and
 * the user is asked to run it again (the gate never queues a statement
 * whose exact text it does not know).  Each statement is judged once:
 * either by the hook or, failing that, by the trigger.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "parser/parser.h"
#include "tcop/cmdtag.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

#include "dbchange.h"
#include "workflow.h"

/*
 * A statement being executed under the gate's watch: one frame per approved
 * statement (the hook's) or per applied change (dbc_gate_begin_apply).
 * Event triggers add what it touched.
 */
typedef struct GateFrame
{
	MemoryContext mcxt;			/* where objects are allocated */
	List	   *objects;		/* of DbcObject */
	bool		rewrote;
	int			depth;			/* hook_depth when the frame was opened */
	struct GateFrame *outer;
} GateFrame;

static ProcessUtility_hook_type prev_ProcessUtility = NULL;

/* Nesting depth of statements that passed through our hook. */
static int	hook_depth = 0;

/* The innermost frame; NULL outside gated statements. */
static GateFrame *current_frame = NULL;

/* The approved change being applied by dbchange itself, or 0. */
static int64 applying_change = 0;

/* The frame opened by the ddl_command_start trigger when it gated itself. */
static GateFrame *trigger_frame = NULL;
static char *trigger_text = NULL;
static const char *trigger_command = NULL;	/* the tag's name: static storage */
static Jsonb *trigger_facts = NULL;
static DbcDecision trigger_decision;

/* Kept plan of the table_rewrite trigger's query (rare: it stays on SPI). */
static SPIPlanPtr plan_rewrite = NULL;

/*
 * Columns read from the event trigger SRFs (their OUT parameters, see
 * pg_proc.dat): pg_event_trigger_ddl_commands() is (classid, objid,
 * objsubid, command_tag, object_type, schema_name, object_identity,
 * in_extension, command); pg_event_trigger_dropped_objects() is (classid,
 * objid, objsubid, original, normal, is_temporary, object_type, schema_name,
 * object_name, object_identity, address_names, address_args).
 */
typedef struct SrfColumns
{
	AttrNumber	type;
	AttrNumber	schema;
	AttrNumber	identity;
	AttrNumber	tag;			/* command_tag; 0: DROP or DROP (cascaded) */
	AttrNumber	original;		/* by "original" (dropped objects) */
} SrfColumns;

static const SrfColumns ddl_command_cols = {5, 6, 7, 4, 0};
static const SrfColumns dropped_cols = {7, 8, 10, 0, 4};

static void srf_inval_callback(Datum arg, int cacheid, uint32 hashvalue);
static void dbc_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
							   bool readOnlyTree, ProcessUtilityContext context,
							   ParamListInfo params, QueryEnvironment *queryEnv,
							   DestReceiver *dest, QueryCompletion *qc);

static void
gate_xact_callback(XactEvent event, void *arg)
{
	/* Frames live only while a statement runs; never across transactions. */
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PARALLEL_COMMIT)
	{
		trigger_frame = NULL;
		trigger_text = NULL;
		trigger_facts = NULL;
		if (event == XACT_EVENT_ABORT)
		{
			current_frame = NULL;
			hook_depth = 0;
			applying_change = 0;
		}
	}
}

void
dbc_gate_install(void)
{
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = dbc_ProcessUtility;
	RegisterXactCallback(gate_xact_callback, NULL);
	CacheRegisterSyscacheCallback(PROCOID, srf_inval_callback, (Datum) 0);
}

bool
dbc_is_applying(void)
{
	return applying_change != 0;
}

/*
 * Skip whitespace and comments before a statement: the parser's
 * stmt_location of a statement that follows another points just after the
 * previous ';', so a comment that introduces the next statement would
 * otherwise become part of its recorded text (and its checksum).
 */
static const char *
skip_leading_comments(const char *p, const char *end)
{
	for (;;)
	{
		while (p < end && isspace((unsigned char) *p))
			p++;
		if (p + 1 < end && p[0] == '-' && p[1] == '-')
		{
			while (p < end && *p != '\n')
				p++;
		}
		else if (p + 1 < end && p[0] == '/' && p[1] == '*')
		{
			int			depth = 0;

			/* block comments nest in PostgreSQL */
			do
			{
				if (p + 1 < end && p[0] == '/' && p[1] == '*')
				{
					depth++;
					p += 2;
				}
				else if (p + 1 < end && p[0] == '*' && p[1] == '/')
				{
					depth--;
					p += 2;
				}
				else
					p++;
			} while (depth > 0 && p < end);
		}
		else
			return p;
	}
}

/*
 * The one statement at [location, location+len) of query, trimmed.  location
 * -1 means the whole string; len 0 means "to the end".  location and len come
 * from a parse of query itself (a RawStmt's or a PlannedStmt's), so they lie
 * inside it and the whole string is not measured: that made each statement
 * of an N-statement string cost O(N), a script of 15,000 statements seconds
 * (pg_stat_statements trusts the locations likewise).
 */
char *
dbc_statement_text(const char *query, int location, int len)
{
	const char *start;
	const char *end;

	if (query == NULL)
		return NULL;
	if (location < 0)
	{
		location = 0;
		len = 0;
	}
	Assert(location <= (int) strlen(query));
	start = query + location;
	end = len > 0 ? start + len : start + strlen(start);
	start = skip_leading_comments(start, end);
	while (end > start && (isspace((unsigned char) end[-1]) || end[-1] == ';'))
		end--;
	return pnstrdup(start, end - start);
}

static void
push_frame(GateFrame *f)
{
	f->mcxt = CurrentMemoryContext;
	f->objects = NIL;
	f->rewrote = false;
	f->depth = hook_depth;
	f->outer = current_frame;
	current_frame = f;
}

/* Does rv name an existing temporary relation (of this session)? */
static bool
is_temp_relation(RangeVar *rv)
{
	Oid			relid = RangeVarGetRelid(rv, NoLock, true);

	return OidIsValid(relid) && get_rel_persistence(relid) == RELPERSISTENCE_TEMP;
}

/*
 * Is this statement, arriving while an approved statement or change runs,
 * only the creation or removal of session-local temporary tables?
 * REFRESH MATERIALIZED VIEW CONCURRENTLY issues such statements through SPI
 * (CREATE TEMP TABLE, ALTER TABLE ... ADD COLUMN and DROP TABLE of its
 * temporary tables); they change nothing another session can see.
 */
static bool
only_temp_tables(Node *stmt)
{
	ListCell   *lc;

	switch (nodeTag(stmt))
	{
		case T_CreateStmt:
			return ((CreateStmt *) stmt)->relation->relpersistence == RELPERSISTENCE_TEMP;
		case T_CreateTableAsStmt:
			return ((CreateTableAsStmt *) stmt)->objtype == OBJECT_TABLE &&
				((CreateTableAsStmt *) stmt)->into->rel->relpersistence == RELPERSISTENCE_TEMP;
		case T_AlterTableStmt:
			return is_temp_relation(((AlterTableStmt *) stmt)->relation);
		case T_IndexStmt:
			return is_temp_relation(((IndexStmt *) stmt)->relation);
		case T_DropStmt:
			if (((DropStmt *) stmt)->removeType != OBJECT_TABLE)
				return false;
			foreach(lc, ((DropStmt *) stmt)->objects)
			{
				if (!is_temp_relation(makeRangeVarFromNameList((List *) lfirst(lc))))
					return false;
			}
			return true;
		default:
			return false;
	}
}

static void
pop_frame(GateFrame *f)
{
	current_frame = f->outer;
}

/* Would the hook judge a gated statement arriving here? */
static bool
gate_applies_here(Node *stmt, ProcessUtilityContext context)
{
	if (IsA(stmt, TransactionStmt))
		return false;
	if (IsAbortedTransactionBlockState() || !IsTransactionState())
		return false;
	if (!dbc_enforce || IsBinaryUpgrade)
		return false;
	/* Parts of a statement already judged: subcommands, extension scripts. */
	if (context == PROCESS_UTILITY_SUBCOMMAND || creating_extension)
		return false;
	/*
	 * While an approved statement runs (the hook's frame) or an approved
	 * change is applied (dbc_gate_begin_apply's frame), statements at the
	 * frame's own depth are that change's statements: not judged again.
	 * Deeper ones were issued by code the approved statement called -- a
	 * function in CREATE TABLE AS ... SELECT f(), an index expression, a
	 * column default, a matview's query -- and are judged on their own;
	 * otherwise any approved statement could smuggle in unjudged DDL.
	 * (PostgreSQL's own parts of a statement come as subcommands, above.)
	 */
	if (current_frame == NULL && applying_change != 0)
		return false;
	if (current_frame != NULL &&
		(hook_depth <= current_frame->depth || only_temp_tables(stmt)))
		return false;
	return true;
}

/* Should the hook judge this statement? */
static bool
hook_should_gate(Node *stmt, ProcessUtilityContext context)
{
	return gate_applies_here(stmt, context) && dbc_is_gated(stmt) &&
		OidIsValid(dbc_schema_oid());
}

/*
 * EXPLAIN ANALYZE of CREATE TABLE AS, SELECT INTO, CREATE MATERIALIZED VIEW
 * or EXECUTE of a prepared SELECT INTO: PostgreSQL's EXPLAIN runs the inner
 * statement itself, so it never comes through ProcessUtility and no event
 * trigger fires for it -- it would create a table unjudged and unrecorded.
 * Takes an analysed EXPLAIN (the gate) or a raw one (evaluate(), submit()).
 */
static bool
explain_creates_table(ExplainStmt *es)
{
	bool		analyze = false;
	Query	   *q;
	Node	   *inner;
	ListCell   *lc;

	foreach(lc, es->options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if (strcmp(opt->defname, "analyze") == 0)
			analyze = defGetBoolean(opt);
	}
	if (!analyze || es->query == NULL)
		return false;
	if (IsA(es->query, Query))
	{
		q = (Query *) es->query;
		if (q->commandType != CMD_UTILITY || q->utilityStmt == NULL)
			return false;
		inner = q->utilityStmt;
	}
	else
	{
		/*
		 * A raw parse tree (evaluate(), submit()): the statement itself.
		 * SELECT ... INTO is still a SelectStmt there.
		 */
		inner = es->query;
		if (IsA(inner, SelectStmt))
			return dbc_select_into((SelectStmt *) inner) != NULL;
	}
	if (IsA(inner, CreateTableAsStmt))
		return true;
	/* the session's prepared statement, or (evaluate(), submit()) the script's */
	if (IsA(inner, ExecuteStmt))
		return dbc_prepared_creates_table(((ExecuteStmt *) inner)->name, NULL);
	return false;
}

/*
 * EXECUTE of a prepared SELECT INTO: PostgreSQL runs the CREATE TABLE AS
 * through ProcessUtility with the text of the PREPARE, which is no record
 * of what ran.
 */
static void
refuse_prepared_ddl(const char *tag)
{
	ereport(ERROR,
			(errcode(ERRCODE_DBCHANGE_UNRECORDED),
			 errmsg("a prepared statement that changes the schema cannot be run under dbchange"),
			 errdetail("dbchange records the exact text of what runs, and the text of an EXECUTE of a "
					   "prepared %s is the PREPARE.", tag),
			 errhint("Run the statement directly instead of through PREPARE and EXECUTE.")));
}

/*
 * Forms of DDL the gate cannot judge as written: refused with what to run
 * instead.  Nothing has run yet.
 */
static void
refuse_unjudgeable(Node *stmt, const char *text)
{
	if (IsA(stmt, ExplainStmt) && explain_creates_table((ExplainStmt *) stmt))
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_UNRECORDED),
				 errmsg("EXPLAIN ANALYZE of a statement that creates a table is not allowed under dbchange"),
				 errdetail("EXPLAIN ANALYZE runs the statement itself, outside the gate: the table would be "
						   "created without being checked or recorded."),
				 errhint("Run the statement without EXPLAIN ANALYZE, or use EXPLAIN without ANALYZE to see its plan.")));
	if (IsA(stmt, CreateSchemaStmt) && ((CreateSchemaStmt *) stmt)->schemaElts != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_UNRECORDED),
				 errmsg("CREATE SCHEMA with statements inside it is not allowed under dbchange"),
				 errdetail("PostgreSQL runs the statements inside CREATE SCHEMA (CREATE TABLE, GRANT, ...) "
						   "as parts of it, and dbchange checks each statement with the policies on its own; "
						   "a GRANT inside it may name any object."),
				 errhint("Run CREATE SCHEMA alone, then each of its statements.")));
	if (text != NULL && !IsA(stmt, PrepareStmt) && pg_strncasecmp(text, "PREPARE", 7) == 0 &&
		!isalnum((unsigned char) text[7]) && text[7] != '_')
		refuse_prepared_ddl(GetCommandTagName(CreateCommandTag(stmt)));
}

/*
 * For evaluate() and submit(): refuse, before anything is decided or
 * recorded, a statement of a script that the gate would refuse as
 * unjudgeable.  Also EXECUTE of a SELECT INTO that the script (or, before
 * it, the session) prepared with SQL: the gate refuses the CREATE TABLE AS
 * it runs, whose text is the PREPARE (one prepared by the protocol's Parse
 * message has its own text and is judged as that statement).
 */
void
dbc_refuse_unjudgeable(Node *stmt, const char *text)
{
	bool		from_sql = false;

	refuse_unjudgeable(stmt, text);
	if (IsA(stmt, ExecuteStmt) &&
		dbc_prepared_creates_table(((ExecuteStmt *) stmt)->name, &from_sql) && from_sql)
		refuse_prepared_ddl(GetCommandTagName(CMDTAG_SELECT_INTO));
}

static const char *
risk_text(const DbcDecision *d)
{
	return d->risk == DBC_RISK_NONE ? "not assessed" : dbc_risk_name(d->risk);
}

/*
 * Refuse a queued or rejected statement: record it durably, then raise the
 * error.  If the record cannot be written the statement is refused anyway.
 */
static void
refuse(const char *text, Jsonb *facts, const DbcSettings *s, const DbcDecision *d)
{
	char	   *why_not = NULL;
	int64		id = dbc_record_refused(text, dbc_gate_full_facts(facts, text, s), d,
										"interactive", &why_not);
	char	   *reasons = dbc_reasons_text(d);

	if (id < 0)
	{
		elog(LOG, "dbchange: could not record %s statement \"%s\": %s",
			 d->action == DBC_QUEUE ? "queued" : "rejected", text, why_not);
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_UNRECORDED),
				 errmsg("DDL statement refused: it needs %s but could not be recorded",
						d->action == DBC_QUEUE ? "approval" : "to be rejected"),
				 errdetail("%s. Risk %s. Reasons: %s.", why_not, risk_text(d), reasons),
				 errhint("The server log has the cause; try again when it is resolved.")));
	}
	if (d->action == DBC_QUEUE)
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_QUEUED),
				 errmsg("DDL statement queued for approval as change %lld", (long long) id),
				 errdetail("Risk %s. Reasons: %s.", risk_text(d), reasons),
				 errhint("The statement did not run. An approver runs: SELECT dbchange.approve(%lld, 'comment'); "
						 "then, unless the environment's rollout is auto, a deployer runs: SELECT dbchange.apply(%lld);",
						 (long long) id, (long long) id)));
	ereport(ERROR,
			(errcode(ERRCODE_DBCHANGE_REJECTED),
			 errmsg("DDL statement rejected by policy (recorded as change %lld)", (long long) id),
			 errdetail("Risk %s. Reasons: %s.", risk_text(d), reasons),
			 errhint("Change the statement so that the policies accept it, or ask a policy admin; "
					 "SELECT * FROM dbchange.evaluate($sql$...$sql$) shows what they decide.")));
}

/* Does a list of names (DropStmt objects, ...) name the extension dbchange? */
static bool
names_dbchange(List *objects)
{
	ListCell   *lc;

	foreach(lc, objects)
	{
		Node	   *o = lfirst(lc);

		if (IsA(o, String) && strcmp(strVal(o), "dbchange") == 0)
			return true;
	}
	return false;
}

/*
 * DDL on dbchange's own objects: event triggers, the extension itself, or
 * anything in schema dbchange.  Refused for everybody but superusers, before
 * any policy is asked -- no approval flow may hand a developer the means to
 * switch the gate off.
 */
static bool
touches_dbchange(Node *stmt, Jsonb *facts)
{
	char	   *schema = dbc_facts_get_text(facts, "schema");

	if (schema && strcmp(schema, "dbchange") == 0)
		return true;
	switch (nodeTag(stmt))
	{
		case T_CreateEventTrigStmt:
		case T_AlterEventTrigStmt:
			return true;
		case T_DropStmt:
			{
				DropStmt   *d = (DropStmt *) stmt;

				return d->removeType == OBJECT_EVENT_TRIGGER ||
					(d->removeType == OBJECT_EXTENSION && names_dbchange(d->objects)) ||
					(d->removeType == OBJECT_SCHEMA && names_dbchange(d->objects));
			}
		case T_AlterExtensionStmt:
			return strcmp(((AlterExtensionStmt *) stmt)->extname, "dbchange") == 0;
		case T_AlterExtensionContentsStmt:
			return strcmp(((AlterExtensionContentsStmt *) stmt)->extname, "dbchange") == 0;
		case T_RenameStmt:
			return ((RenameStmt *) stmt)->renameType == OBJECT_EVENT_TRIGGER ||
				(((RenameStmt *) stmt)->renameType == OBJECT_SCHEMA &&
				 strcmp(((RenameStmt *) stmt)->subname, "dbchange") == 0);
		case T_AlterOwnerStmt:
			return ((AlterOwnerStmt *) stmt)->objectType == OBJECT_EVENT_TRIGGER ||
				((AlterOwnerStmt *) stmt)->objectType == OBJECT_EXTENSION;
		default:
			return false;
	}
}

/* Does one facts object (the statement, or an element of "objects") name dbchange? */
static bool
facts_object_is_dbchange(JsonbContainer *c)
{
	const char *keys[3] = {"schema", "object_type", "name"};
	char	   *vals[3] = {NULL, NULL, NULL};
	int			i;

	for (i = 0; i < 3; i++)
	{
		JsonbValue	k;
		JsonbValue *v;

		k.type = jbvString;
		k.val.string.val = (char *) keys[i];
		k.val.string.len = strlen(keys[i]);
		v = findJsonbValueFromContainer(c, JB_FOBJECT, &k);
		if (v && v->type == jbvString)
			vals[i] = pnstrdup(v->val.string.val, v->val.string.len);
	}
	if (vals[0] && strcmp(vals[0], "dbchange") == 0)
		return true;
	if (vals[1] && strcmp(vals[1], "event_trigger") == 0)
		return true;
	return vals[1] && vals[2] && strcmp(vals[2], "dbchange") == 0 &&
		(strcmp(vals[1], "extension") == 0 || strcmp(vals[1], "schema") == 0);
}

/*
 * The same protection from the facts alone, for every path that decides
 * without the gate's hook (submit, promotion, evaluate): a non-superuser's
 * statement on dbchange's own objects is rejected, risk critical.
 */
void
dbc_protection(Jsonb *facts, DbcDecision *out)
{
	bool		hit = facts_object_is_dbchange(&facts->root);
	JsonbValue	k;
	JsonbValue *objs;

	if (superuser())
		return;
	k.type = jbvString;
	k.val.string.val = "objects";
	k.val.string.len = strlen("objects");
	objs = findJsonbValueFromContainer(&facts->root, JB_FOBJECT, &k);
	if (!hit && objs && objs->type == jbvBinary && JsonContainerIsArray(objs->val.binary.data))
	{
		JsonbContainer *arr = objs->val.binary.data;
		int			i;
		int			n = JsonContainerSize(arr);

		for (i = 0; i < n && !hit; i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(arr, i);

			if (e && e->type == jbvBinary && JsonContainerIsObject(e->val.binary.data))
				hit = facts_object_is_dbchange(e->val.binary.data);
		}
	}
	if (!hit)
		return;
	if (out->by_default)
	{
		/* "no policy has an opinion" no longer holds */
		out->reasons = NIL;
		out->by_default = false;
	}
	out->action = DBC_REJECT;
	out->risk = DBC_RISK_CRITICAL;
	out->reasons = lappend(out->reasons,
						   pstrdup("protected: DDL on dbchange's own objects and event triggers is reserved to superusers"));
	out->policies = lappend(out->policies, pstrdup("protected"));
}

/* Refuse DDL on dbchange itself by a non-superuser; recorded as rejected. */
static void
protect_dbchange(Node *stmt, const char *text, Jsonb *facts, const DbcSettings *s)
{
	DbcDecision d;

	if (superuser() || !touches_dbchange(stmt, facts))
		return;
	memset(&d, 0, sizeof(d));
	d.action = DBC_REJECT;
	d.risk = DBC_RISK_CRITICAL;
	d.reasons = list_make1(pstrdup("protected: DDL on dbchange's own objects and event triggers is reserved to superusers"));
	d.policies = list_make1(pstrdup("protected"));
	refuse(text, facts, s, &d);
}

/*
 * A policy that fails (error, instruction budget, memory cap: SQLSTATE ZC004)
 * refuses the statement.  The refusal is an attempt like any rejected one,
 * so it is recorded durably as rejected before the error is raised.  The
 * policy engine reports the failure rather than raising it (Lua's errors
 * are caught inside Lua), so no subtransaction is needed to catch it; any
 * other error of the decision propagates as it is.
 */
static void
decide_fail_closed(const char *text, Jsonb *facts, const DbcSettings *s, DbcDecision *out)
{
	DbcPolicyFailure fail;
	DbcDecision d;
	char	   *why_not = NULL;
	int64		id;

	if (!dbc_decide_statement_or_fail(facts, text, s, out, &fail))
		return;

	memset(&d, 0, sizeof(d));
	d.action = DBC_REJECT;
	d.risk = DBC_RISK_CRITICAL;
	d.reasons = list_make1(psprintf("policy failure: %s", fail.message));
	d.policies = list_make1(pstrdup("policy-failure"));
	id = dbc_record_refused(text, dbc_gate_full_facts(facts, text, s), &d, "interactive", &why_not);
	if (id < 0)
		elog(LOG, "dbchange: could not record the statement a failing policy refused: %s", why_not);
	ereport(ERROR,
			(errcode(ERRCODE_DBCHANGE_POLICY),
			 errmsg("%s", fail.message),
			 errdetail("%s", fail.detail),
			 id >= 0 ? errhint("The statement was refused and recorded as rejected change %lld; a policy admin fixes or disables the policy.", (long long) id)
			 : errhint("The statement was refused; a policy admin fixes or disables the policy.")));
}

static void
call_prev(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
		  ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *queryEnv,
		  DestReceiver *dest, QueryCompletion *qc)
{
	hook_depth++;
	PG_TRY();
	{
		if (prev_ProcessUtility)
			prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv,
								dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
									queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		hook_depth--;
	}
	PG_END_TRY();
}

/* For apply.c: the rest of the ProcessUtility chain, as the gate runs it. */
void
dbc_gate_call_prev(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
				   ProcessUtilityContext context, ParamListInfo params,
				   QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	call_prev(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
}

static void
dbc_ProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
				   ProcessUtilityContext context, ParamListInfo params,
				   QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *stmt = pstmt->utilityStmt;
	DbcSettings settings;
	DbcDecision decision;
	GateFrame	frame;
	char	   *text;
	Jsonb	   *facts;

	/*
	 * A statement the CLI runs at top level under the one-time authorisation
	 * of dbchange.authorize_toplevel() (apply.c): runs as the approved change.
	 */
	if (dbc_toplevel_wants(pstmt, queryString, context))
	{
		dbc_toplevel_run(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
		return;
	}

	if (!hook_should_gate(stmt, context))
	{
		/*
		 * EXPLAIN is never judged; a CREATE SCHEMA with elements may come as
		 * a statement of a change being applied (one stored before submit()
		 * refused them).  Both are refused here too.
		 */
		if ((IsA(stmt, ExplainStmt) || IsA(stmt, CreateSchemaStmt)) &&
			(gate_applies_here(stmt, context) ||
			 (dbc_is_applying() && dbc_enforce && context != PROCESS_UTILITY_SUBCOMMAND &&
			  !creating_extension && IsTransactionState() && !IsAbortedTransactionBlockState())) &&
			OidIsValid(dbc_schema_oid()))
			refuse_unjudgeable(stmt, NULL);
		call_prev(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
		return;
	}

	text = dbc_statement_text(queryString, pstmt->stmt_location, pstmt->stmt_len);
	refuse_unjudgeable(stmt, text);
	dbc_load_settings(&settings);
	facts = dbc_build_statement_facts(stmt);
	protect_dbchange(stmt, text, facts, &settings);
	decide_fail_closed(text, facts, &settings, &decision);

	if (decision.action != DBC_APPROVE)
		refuse(text, facts, &settings, &decision);

	push_frame(&frame);
	PG_TRY();
	{
		call_prev(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		pop_frame(&frame);
	}
	PG_END_TRY();

	/*
	 * Some utility commands (VACUUM, ...) end the transaction they ran in;
	 * DROP EXTENSION dbchange removes the catalog it would be recorded in.
	 */
	if (!IsTransactionState() || !OidIsValid(dbc_schema_oid()))
		return;
	/* the tag's name is the facts' "command" (classify.c), without a lookup in them */
	(void) dbc_record_applied(text, GetCommandTagName(CreateCommandTag(stmt)), facts, &decision,
							  "interactive", frame.objects);
}

void
dbc_gate_begin_apply(int64 change_id)
{
	GateFrame  *f;

	if (applying_change != 0)
		elog(ERROR, "dbchange is already applying change %lld", (long long) applying_change);
	f = palloc(sizeof(GateFrame));
	push_frame(f);
	applying_change = change_id;
}

List *
dbc_gate_end_apply(void)
{
	List	   *objects = NIL;

	if (current_frame)
	{
		objects = current_frame->objects;
		pop_frame(current_frame);
	}
	applying_change = 0;
	return objects;
}

/* ---------------------------------------------------------------------------
 * Event triggers
 * ---------------------------------------------------------------------------
 */

/*
 * Remember an object the running statement touched.  The strings must live
 * in the frame's memory already (the SRF's rows are read straight into it)
 * or be constants: nothing is copied.
 */
static void
keep_object(GateFrame *f, const char *action, char *type, char *schema,
			char *identity, const char *tag)
{
	MemoryContext old = MemoryContextSwitchTo(f->mcxt);
	DbcObject  *o = palloc(sizeof(DbcObject));

	o->action = unconstify(char *, action);
	o->object_type = type;
	o->schema_name = schema;
	o->identity = identity;
	o->command_tag = unconstify(char *, tag);
	f->objects = lappend(f->objects, o);
	MemoryContextSwitchTo(old);
}

/* The same, for strings of any lifetime: copied into the frame's memory. */
static void
add_object(GateFrame *f, const char *action, const char *type, const char *schema,
		   const char *identity, const char *tag)
{
	MemoryContext old = MemoryContextSwitchTo(f->mcxt);
	char	   *t = type ? pstrdup(type) : NULL;
	char	   *sc = schema ? pstrdup(schema) : NULL;
	char	   *id = identity ? pstrdup(identity) : NULL;
	char	   *tg = tag ? pstrdup(tag) : NULL;

	action = pstrdup(action);
	MemoryContextSwitchTo(old);
	keep_object(f, action, t, sc, id, tg);
}

/* The frame event triggers report to: the hook's, the trigger's own, or none. */
static GateFrame *
collecting_frame(void)
{
	if (current_frame)
		return current_frame;
	return trigger_frame;
}

/*
 * Collect rows of an SRF query (type, schema, identity, tag) into the frame.
 * The queries are fixed; their plans are kept for the session.
 */
static void
collect(GateFrame *f, const char *action, const char *query, SPIPlanPtr *plan)
{
	int			i;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (*plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(query, 0, NULL);

		if (p == NULL)
			elog(ERROR, "could not prepare the event trigger's query");
		SPI_keepplan(p);
		*plan = p;
	}
	if (SPI_execute_plan(*plan, NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the event trigger's objects");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;

		add_object(f, action, SPI_getvalue(t, td, 1), SPI_getvalue(t, td, 2),
				   SPI_getvalue(t, td, 3), SPI_getvalue(t, td, 4));
	}
	SPI_finish();
}

static char *
srf_text(TupleTableSlot *slot, AttrNumber attno)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, attno, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/*
 * dbchange's own declaration of an event-trigger SRF (00_catalog.sql: the
 * same C function with a named row type, whose descriptor comes from the
 * type cache instead of being rebuilt from pg_proc at every call), or the
 * built-in when it cannot be found.  Cached; reset when pg_proc changes.
 */
static Oid	srf_ddl_commands = InvalidOid;
static Oid	srf_dropped_objects = InvalidOid;

static void
srf_inval_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	srf_ddl_commands = InvalidOid;
	srf_dropped_objects = InvalidOid;
}

static Oid
srf_declaration(Oid builtin)
{
	bool		ddl = builtin == F_PG_EVENT_TRIGGER_DDL_COMMANDS;
	Oid		   *cached = ddl ? &srf_ddl_commands : &srf_dropped_objects;

	if (!OidIsValid(*cached))
	{
		Oid			nsp = dbc_schema_oid();
		oidvector  *noargs = buildoidvector(NULL, 0);
		HeapTuple	tup;

		*cached = builtin;
		tup = OidIsValid(nsp) ?
			SearchSysCache3(PROCNAMEARGSNSP,
							CStringGetDatum(ddl ? "_ddl_commands" : "_dropped_objects"),
							PointerGetDatum(noargs), ObjectIdGetDatum(nsp)) : NULL;
		if (HeapTupleIsValid(tup))
		{
			*cached = ((Form_pg_proc) GETSTRUCT(tup))->oid;
			ReleaseSysCache(tup);
		}
	}
	return *cached;
}

/*
 * Collect the rows of pg_event_trigger_ddl_commands() or
 * pg_event_trigger_dropped_objects() into the frame by calling the function
 * directly in materialize mode and reading its tuplestore: the same rows as
 * the SQL query through SPI, without SPI's connect and the executor's
 * start-up for every statement (they cost more than the function itself).
 */
static void
collect_srf(GateFrame *f, const char *action, Oid fn, const SrfColumns *cols)
{
	FmgrInfo	flinfo;
	LOCAL_FCINFO(fcinfo, 0);
	ReturnSetInfo rsinfo;
	ExprContext *econtext;
	TupleTableSlot *slot;

	/*
	 * The built-in's entry (found by OID; a declaration of our own would be
	 * looked up by name among all built-ins), then our declaration's OID,
	 * which is all the function reads of flinfo: to find its row type.
	 */
	fmgr_info(fn, &flinfo);
	flinfo.fn_oid = srf_declaration(fn);
	econtext = CreateStandaloneExprContext();
	memset(&rsinfo, 0, sizeof(rsinfo));
	rsinfo.type = T_ReturnSetInfo;
	rsinfo.econtext = econtext;
	rsinfo.allowedModes = (int) SFRM_Materialize;
	rsinfo.returnMode = SFRM_Materialize;
	InitFunctionCallInfoData(*fcinfo, &flinfo, 0, InvalidOid, NULL, (Node *) &rsinfo);
	(void) FunctionCallInvoke(fcinfo);
	if (rsinfo.returnMode != SFRM_Materialize || rsinfo.setDesc == NULL)
		elog(ERROR, "could not read the event trigger's objects");
	if (rsinfo.setResult)
	{
		slot = MakeSingleTupleTableSlot(rsinfo.setDesc, &TTSOpsMinimalTuple);
		while (tuplestore_gettupleslot(rsinfo.setResult, true, false, slot))
		{
			/* the texts are read into the frame's memory, kept as they are */
			MemoryContext old = MemoryContextSwitchTo(f->mcxt);
			const char *tag;
			char	   *type;
			char	   *schema;
			char	   *identity;

			if (cols->tag)
				tag = srf_text(slot, cols->tag);
			else
			{
				bool		isnull;
				Datum		d = slot_getattr(slot, cols->original, &isnull);

				tag = (!isnull && DatumGetBool(d)) ? "DROP" : "DROP (cascaded)";
			}
			type = srf_text(slot, cols->type);
			schema = srf_text(slot, cols->schema);
			identity = srf_text(slot, cols->identity);
			MemoryContextSwitchTo(old);
			keep_object(f, action, type, schema, identity, tag);
		}
		ExecDropSingleTupleTableSlot(slot);
		tuplestore_end(rsinfo.setResult);
	}
	FreeExprContext(econtext, true);
}

/*
 * Can the trigger name the statement exactly?  Only when the client's query
 * string is a single statement of the same command.
 */
static char *
isolate_trigger_text(CommandTag tag)
{
	List	   *raw;
	RawStmt    *rs;

	if (debug_query_string == NULL)
		return NULL;
	PG_TRY();
	{
		raw = raw_parser(debug_query_string, RAW_PARSE_DEFAULT);
	}
	PG_CATCH();
	{
		FlushErrorState();
		raw = NIL;
	}
	PG_END_TRY();
	if (list_length(raw) != 1)
		return NULL;
	rs = linitial_node(RawStmt, raw);
	if (CreateCommandTag(rs->stmt) != tag)
		return NULL;
	return dbc_statement_text(debug_query_string, rs->stmt_location, rs->stmt_len);
}

/* ddl_command_start: judge the statement only when the hook did not. */
PG_FUNCTION_INFO_V1(dbc_on_ddl_start);
Datum
dbc_on_ddl_start(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	DbcSettings settings;
	char	   *text;
	MemoryContext old;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		elog(ERROR, "dbchange._on_ddl_start() must be called as an event trigger");
	trigdata = (EventTriggerData *) fcinfo->context;

	if (hook_depth > 0 || current_frame || applying_change || creating_extension ||
		!dbc_enforce || !dbc_is_gated(trigdata->parsetree))
		PG_RETURN_VOID();

	text = isolate_trigger_text(trigdata->tag);
	if (text == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_UNRECORDED),
				 errmsg("dbchange was loaded by this statement and cannot isolate its text"),
				 errdetail("The statement is part of a multi-statement string or a function body, "
						   "and dbchange records exactly the statement that runs."),
				 errhint("Run the statement again: dbchange is now active in this session. "
						 "Add dbchange to shared_preload_libraries to avoid this.")));

	/*
	 * The forms the hook refuses are refused here too: this trigger judges
	 * the statement that loaded the library, and CREATE SCHEMA with elements
	 * would otherwise run them (GRANT on any object included) as parts of an
	 * approved CREATE SCHEMA.
	 */
	refuse_unjudgeable(trigdata->parsetree, text);

	/*
	 * Event trigger functions run in a short-lived memory context; what
	 * ddl_command_end needs lives in the transaction's.
	 */
	old = MemoryContextSwitchTo(TopTransactionContext);
	dbc_load_settings(&settings);
	trigger_facts = dbc_build_statement_facts(trigdata->parsetree);
	protect_dbchange(trigdata->parsetree, text, trigger_facts, &settings);
	decide_fail_closed(text, trigger_facts, &settings, &trigger_decision);
	if (trigger_decision.action != DBC_APPROVE)
		refuse(text, trigger_facts, &settings, &trigger_decision);

	/* Approved: ddl_command_end records it. */
	trigger_frame = palloc0(sizeof(GateFrame));
	trigger_frame->mcxt = TopTransactionContext;
	trigger_text = pstrdup(text);
	trigger_command = GetCommandTagName(trigdata->tag);
	MemoryContextSwitchTo(old);
	PG_RETURN_VOID();
}

/* ddl_command_end: what the statement created or altered. */
PG_FUNCTION_INFO_V1(dbc_on_ddl_end);
Datum
dbc_on_ddl_end(PG_FUNCTION_ARGS)
{
	GateFrame  *f;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		elog(ERROR, "dbchange._on_ddl_end() must be called as an event trigger");
	f = collecting_frame();
	if (f == NULL)
		PG_RETURN_VOID();
	collect_srf(f, "created_or_altered", F_PG_EVENT_TRIGGER_DDL_COMMANDS, &ddl_command_cols);

	/* The trigger judged this statement itself: record it now. */
	if (f == trigger_frame && current_frame == NULL)
	{
		(void) dbc_record_applied(trigger_text, trigger_command, trigger_facts,
								  &trigger_decision, "interactive", f->objects);
		trigger_frame = NULL;
	}
	PG_RETURN_VOID();
}

/* sql_drop: every dropped object, cascaded ones included. */
PG_FUNCTION_INFO_V1(dbc_on_sql_drop);
Datum
dbc_on_sql_drop(PG_FUNCTION_ARGS)
{
	GateFrame  *f;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		elog(ERROR, "dbchange._on_sql_drop() must be called as an event trigger");
	f = collecting_frame();
	if (f)
		collect_srf(f, "dropped", F_PG_EVENT_TRIGGER_DROPPED_OBJECTS, &dropped_cols);
	PG_RETURN_VOID();
}

/* table_rewrite: the statement rewrites a table. */
PG_FUNCTION_INFO_V1(dbc_on_table_rewrite);
Datum
dbc_on_table_rewrite(PG_FUNCTION_ARGS)
{
	GateFrame  *f;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		elog(ERROR, "dbchange._on_table_rewrite() must be called as an event trigger");
	f = collecting_frame();
	if (f)
	{
		f->rewrote = true;
		collect(f, "rewritten",
				"SELECT 'table', n.nspname, pg_catalog.format('%I.%I', n.nspname, c.relname), "
				"'table_rewrite reason ' || pg_catalog.pg_event_trigger_table_rewrite_reason() "
				"FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
				"WHERE c.oid = pg_catalog.pg_event_trigger_table_rewrite_oid()", &plan_rewrite);
	}
	PG_RETURN_VOID();
}
