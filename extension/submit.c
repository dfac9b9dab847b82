/*-------------------------------------------------------------------------
 *
 * submit.c
 *	  dbchange.submit() and dbchange.submit_promoted(): a script as one change.
 *
 * Every statement of the script is classified (source 'submit', or
 * 'migration' / 'promotion') and decided on its own; the decisions combine
 * into the change's (reject beats queue beats approve, highest risk wins, all
 * reasons kept), and the change records each statement with its own
 * decision.  Then, by the combined action:
 *
 *	approve -> the statements run now, as the caller, in the caller's
 *			   transaction (all or nothing: an error aborts the caller's
 *			   transaction, record included); DDL runs under the gate's apply
 *			   mark, so it is not judged a second time, and the change is
 *			   recorded as applied with the objects it touched.  A script
 *			   holding a statement that cannot run inside a function (CREATE
 *			   INDEX CONCURRENTLY, ...) runs nothing and is recorded as
 *			   approved, for the CLI to apply at top level.
 *	queue   -> recorded as pending in the caller's transaction (which
 *			   commits normally: submit() returns the id rather than raising,
 *			   so no durable writer is needed); a NOTICE says what it waits for.
 *	reject  -> recorded durably (background worker) and an error is raised.
 *
 * Statements that are not DDL (DO blocks, DML) run without the apply mark:
 * DDL a DO block executes is judged by the gate on its own, because the
 * policies could not see inside the block.
 *
 * submit() is not SECURITY DEFINER: what runs, runs with the caller's
 * privileges.  Writes to the catalog switch to its owner (apply.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/uuid.h"

#include "dbchange.h"
#include "workflow.h"

typedef struct SubmitArgs
{
	const char *script;
	const char *description;
	const char *down_script;
	const char *source;
	const char *uid;			/* text form, or NULL */
	const char *checksum;		/* given (promotion), or NULL */
	const char *requested_by;	/* given (promotion), or NULL: the caller */
	Jsonb	   *origin;
	char	   *generated_down; /* without down_script: generated before it runs */
} SubmitArgs;

typedef struct StmtDecision
{
	DbcParsedStmt *ps;
	Jsonb	   *facts;
	List	   *checked_rels;	/* the relations its names resolved to when checked */
	char	   *checked_path;	/* the search_path it was checked with */
	DbcDecision d;
	char	   *command;
} StmtDecision;

static void
put_decision(JsonbParseState **st, const DbcDecision *d)
{
	dbc_put_text(st, "action", dbc_action_name(d->action));
	dbc_put_text(st, "risk", d->risk == DBC_RISK_NONE ? NULL : dbc_risk_name(d->risk));
	dbc_put_text_list(st, "reasons", d->reasons);
}

/* The record dbchange._record() stores: the change and each statement. */
static Jsonb *
build_record(const SubmitArgs *a, List *decisions, const DbcDecision *total, const char *status)
{
	JsonbParseState *st = NULL;
	JsonbValue *res;
	ListCell   *lc;
	const char *appname = GetConfigOption("application_name", true, false);
	const char *command = list_length(decisions) == 1 ?
		((StmtDecision *) linitial(decisions))->command : "SCRIPT";

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	dbc_put_text(&st, "status", status);
	dbc_put_text(&st, "statement", a->script);
	dbc_put_text(&st, "command", command);
	dbc_put_text(&st, "requested_by", a->requested_by ? a->requested_by :
				 GetUserNameFromId(GetUserId(), false));
	dbc_put_int(&st, "requested_by_oid", GetUserId());
	/*
	 * A promoted change keeps its original requester, but the audit trail
	 * names who brought it here: the deployer running the promotion.
	 */
	if (a->requested_by)
		dbc_put_text(&st, "actor", GetUserNameFromId(GetOuterUserId(), false));
	dbc_put_text(&st, "search_path", GetConfigOption("search_path", false, false));
	dbc_put_text(&st, "source", a->source);
	dbc_put_text(&st, "application_name", appname ? appname : "");
	put_decision(&st, total);
	dbc_put_text_list(&st, "policies", total->policies);
	dbc_put_text(&st, "flow", total->flow);
	if (a->description)
		dbc_put_text(&st, "description", a->description);
	if (a->down_script)
		dbc_put_text(&st, "down_script", a->down_script);
	else if (a->generated_down && strcmp(status, "rejected") != 0)
	{
		JsonbValue	v;

		dbc_put_text(&st, "down_script", a->generated_down);
		dbc_put_key(&st, "down_generated");
		v.type = jbvBool;
		v.val.boolean = true;
		pushJsonbValue(&st, WJB_VALUE, &v);
	}
	if (a->uid)
		dbc_put_text(&st, "uid", a->uid);
	if (a->checksum)
		dbc_put_text(&st, "checksum", a->checksum);
	if (a->origin)
		dbc_put_jsonb(&st, "origin", a->origin);
	dbc_put_key(&st, "statements");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, decisions)
	{
		StmtDecision *sd = (StmtDecision *) lfirst(lc);

		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		dbc_put_text(&st, "statement", sd->ps->text);
		dbc_put_text(&st, "command", sd->command);
		put_decision(&st, &sd->d);
		/*
		 * a queued script keeps the relations its names stood for and the
		 * search_path it was judged with, for apply()
		 */
		dbc_put_jsonb(&st, "facts", strcmp(status, "pending") == 0 ?
				  dbc_facts_merge(dbc_facts_merge(sd->facts, dbc_checked_relations_facts(sd->facts)),
								  dbc_checked_path_facts(sd->checked_path)) : sd->facts);
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

/* Error context: which statement of the script was running. */
typedef struct RunContext
{
	int			statement_no;
	int			line;
} RunContext;

static void
run_context(void *arg)
{
	RunContext *rc = (RunContext *) arg;

	errcontext("statement %d of the submitted script (line %d)", rc->statement_no, rc->line);
}

/* Run the approved script in the caller's transaction; the objects DDL touched. */
static List *
run_script(List *decisions)
{
	List	   *volatile objects = NIL;
	ListCell   *lc;
	RunContext	rc;
	ErrorContextCallback cb;
	MemoryContext outer = CurrentMemoryContext;	/* outlives SPI_finish */
	Oid			checked_as = GetUserId();	/* the role the script was checked as */
	int			nest;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* settings the script makes (SET ...) apply to its own statements only */
	nest = NewGUCNestLevel();
	cb.callback = run_context;
	cb.arg = &rc;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	foreach(lc, decisions)
	{
		StmtDecision *sd = (StmtDecision *) lfirst(lc);
		bool		gated = dbc_is_gated(sd->ps->stmt);
		int			ret;

		rc.statement_no = sd->ps->statement_no;
		rc.line = sd->ps->line;
		dbc_require_same_reading(sd->ps->text, sd->ps->statement_no);

		/*
		 * (A statement judged created_in_script must find a table this
		 * transaction created, dbc_require_same_names: with no floor, as
		 * the name did not exist when it was checked, in this same call,
		 * and only the script's own statements ran since -- a table the
		 * caller created before calling submit() would have existed then.)
		 */
		if (gated)
		{
			dbc_require_same_names(sd->ps->stmt, sd->ps->statement_no, sd->facts, sd->checked_rels, checked_as, true);
			/* and what its names do not show: functions, operators, types */
			dbc_require_same_path(sd->ps->statement_no, sd->checked_path);
		}
		if (!gated)
		{
			ret = SPI_execute(sd->ps->text, false, 0);
		}
		else
		{
			MemoryContext spicxt;

			/*
			 * The change has no id yet: -1 marks "being submitted".  The
			 * gate collects objects in the context current here.
			 */
			spicxt = MemoryContextSwitchTo(outer);
			dbc_gate_begin_apply(-1);
			MemoryContextSwitchTo(spicxt);
			PG_TRY();
			{
				ret = SPI_execute(sd->ps->text, false, 0);
			}
			PG_CATCH();
			{
				(void) dbc_gate_end_apply();
				PG_RE_THROW();
			}
			PG_END_TRY();
			spicxt = MemoryContextSwitchTo(outer);
			objects = list_concat(objects, dbc_gate_end_apply());
			MemoryContextSwitchTo(spicxt);
		}
		if (ret < 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("statement %d cannot run in a submitted script: %s",
							sd->ps->statement_no, SPI_result_code_string(ret))));
	}
	error_context_stack = cb.previous;
	AtEOXact_GUC(false, nest);
	SPI_finish();
	return objects;
}

typedef struct UidLookup
{
	const SubmitArgs *a;
	const char *checksum;
	int64		id;
} UidLookup;

/* A change with this uid already here?  Sets its id (idempotent), or 0. */
static void
existing_by_uid_cb(void *arg)
{
	UidLookup  *u = (UidLookup *) arg;
	const SubmitArgs *a = u->a;
	const char *checksum = u->checksum;
	Oid			types[1] = {UUIDOID};
	Datum		values[1];
	int64		id = 0;

	values[0] = DirectFunctionCall1(uuid_in, CStringGetDatum(a->uid));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT id, status, checksum FROM dbchange.change "
							  "WHERE uid = $1 AND source <> 'interactive' "
							  "AND status IN ('applied', 'pending', 'approved') "
							  "ORDER BY id DESC LIMIT 1",
							  1, types, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not look up the change's uid");
	if (SPI_processed == 1)
	{
		HeapTuple	t = SPI_tuptable->vals[0];
		TupleDesc	td = SPI_tuptable->tupdesc;
		char	   *idtext = SPI_getvalue(t, td, 1);
		char	   *status = SPI_getvalue(t, td, 2);
		char	   *sum = SPI_getvalue(t, td, 3);

		if (strcmp(sum, checksum) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("change %s with uid %s is %s with a different checksum", idtext, a->uid, status),
					 errdetail("Its checksum is %s; the script submitted now has %s.", sum, checksum),
					 errhint("A change keeps its uid only while its text is the same: give the edited "
							 "script a new uid, or submit it without one.")));
		id = pg_strtoint64(idtext);
		ereport(NOTICE,
				(errmsg("change %s with uid %s is already %s here; nothing submitted", idtext, a->uid, status)));
	}
	SPI_finish();
	u->id = id;
}

static int64
existing_by_uid(const SubmitArgs *a, const char *checksum)
{
	UidLookup	u;

	u.a = a;
	u.checksum = checksum;
	u.id = 0;
	dbc_wf_as_owner(existing_by_uid_cb, &u);
	return u.id;
}

/* The strings of a list, each once, in first-seen order. */
static List *
unique_strings(List *in)
{
	List	   *out = NIL;
	ListCell   *a;

	foreach(a, in)
	{
		ListCell   *b;
		bool		seen = false;

		foreach(b, out)
			if (strcmp((char *) lfirst(a), (char *) lfirst(b)) == 0)
			{
				seen = true;
				break;
			}
		if (!seen)
			out = lappend(out, lfirst(a));
	}
	return out;
}

/*
 * The generated down script of a script (NULL when a statement has none),
 * from the catalog as it is before the script runs: a RENAME's relation is
 * found under its old name, a CREATE OR REPLACE FUNCTION does not exist yet.
 * (Generated after the run, by the trigger that fills in down scripts, the
 * first fell back to the creation schema and the second had no inverse.)
 */
static char *
generate_down_before_run(const char *script)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	bool		isnull;
	Datum		d;
	char	   *result = NULL;
	MemoryContext outer = CurrentMemoryContext;

	values[0] = CStringGetTextDatum(script);
	values[1] = CStringGetTextDatum(GetConfigOption("search_path", false, false));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT dbchange._generated_down($1, $2)", 2, argtypes, values, NULL,
							  true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not generate the down script");
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
		result = MemoryContextStrdup(outer, TextDatumGetCString(d));
	SPI_finish();
	return result;
}

/*
 * Each statement's facts and decision, combined into *total; *toplevel when
 * one cannot run inside a function.  Statements the gate would refuse
 * outright stop the submission here, before anything is recorded.
 */
static List *
check_statements(SubmitArgs *a, List *parsed, DbcSettings *settings, Jsonb *rollback_facts,
				 DbcDecision *total, bool *toplevel)
{
	List	   *decisions = NIL;
	ListCell   *lc;

	foreach(lc, parsed)
	{
		DbcParsedStmt *ps = (DbcParsedStmt *) lfirst(lc);
		StmtDecision *sd = palloc0(sizeof(StmtDecision));

		if (IsA(ps->stmt, TransactionStmt))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
					 errmsg("statement %d of the script is transaction control (%s)", ps->statement_no,
							GetCommandTagName(CreateCommandTag(ps->stmt))),
					 errdetail("A submitted script is one change and runs in one transaction."),
					 errhint("Remove BEGIN, COMMIT, ROLLBACK and SAVEPOINT statements from the script.")));
		/* what the gate refuses outright (CREATE SCHEMA with elements, ...) */
		dbc_refuse_unjudgeable(ps->stmt, ps->text);
		sd->ps = ps;
		sd->checked_path = dbc_script_path_checked();
		sd->facts = dbc_facts_merge(dbc_build_facts(ps->stmt, ps->text, settings, a->source),
									rollback_facts);
		sd->checked_rels = dbc_checked_relations(sd->facts);
		sd->command = dbc_facts_get_text(sd->facts, "command");
		if (sd->command == NULL)
			sd->command = pstrdup(GetCommandTagName(CreateCommandTag(ps->stmt)));
		dbc_decide(sd->facts, settings, &sd->d);
		dbc_protection(sd->facts, &sd->d);
		dbc_combine(total, &sd->d);
		if (dbc_is_nontransactional(ps->stmt))
			*toplevel = true;
		decisions = lappend(decisions, sd);
		/* a PREPARE or DEALLOCATE, a SET search_path: for the statements after it */
		dbc_script_prepares_note(ps->stmt);
		dbc_script_path_note(ps->stmt);
	}
	return decisions;
}

/*
 * check_statements(), an EXECUTE running what the script prepared before it
 * (prepared.c), a statement about a table the script created before it
 * created_in_script (facts.c).
 */
static List *
check_script(SubmitArgs *a, List *parsed, DbcSettings *settings, Jsonb *rollback_facts,
			 DbcDecision *total, bool *toplevel)
{
	DbcScriptPrepares prepares;
	DbcScriptTables tables;
	DbcScriptPath path;
	List	   *volatile decisions = NIL;

	dbc_script_prepares_begin(&prepares);
	dbc_script_tables_begin(&tables, parsed, a->source, false);
	dbc_script_path_begin(&path);
	PG_TRY();
	{
		decisions = check_statements(a, parsed, settings, rollback_facts, total, toplevel);
	}
	PG_FINALLY();
	{
		dbc_script_path_end(&path);
		dbc_script_tables_end(&tables);
		dbc_script_prepares_end(&prepares);
	}
	PG_END_TRY();
	return decisions;
}

static int64
do_submit(SubmitArgs *a)
{
	List	   *parsed;
	List	   *decisions = NIL;
	ListCell   *lc;
	DbcSettings settings;
	DbcDecision total;
	bool		toplevel = false;
	char	   *checksum;
	int64		id;
	Jsonb	   *rollback_facts;

	if (a->script == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the script must not be null")));
	if (!OidIsValid(dbc_schema_oid()))
		ereport(ERROR, (errmsg("dbchange is not installed in this database")));
	if (dbc_is_applying())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot submit a change while dbchange is applying one")));

	checksum = dbc_sha256_hex(a->script);
	if (a->checksum && strcmp(a->checksum, checksum) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the checksum does not match the script"),
				 errdetail("The script's checksum is %s; %s was given.", checksum, a->checksum),
				 errhint("The checksum is the lower-case hex SHA-256 of the script's UTF-8 text, exactly as submitted.")));
	if (a->uid)
	{
		id = existing_by_uid(a, checksum);
		if (id > 0)
			return id;
	}

	parsed = dbc_split_script(a->script);
	if (parsed == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the script is empty"),
				 errdetail("It holds no SQL statement (only white space or comments).")));

	dbc_load_settings(&settings);
	/* rollback_verified & co. (verify.c), only when a policy asks for them */
	rollback_facts = dbc_rollback_facts_for_submit(a->script, a->down_script);
	if (a->down_script == NULL)
		a->generated_down = generate_down_before_run(a->script);
	memset(&total, 0, sizeof(total));
	total.action = DBC_APPROVE;
	total.risk = DBC_RISK_NONE;
	decisions = check_script(a, parsed, &settings, rollback_facts, &total, &toplevel);
	total.reasons = unique_strings(total.reasons);
	total.policies = unique_strings(total.policies);
	/* the combined decision is by default only if every statement's was */
	total.by_default = true;
	foreach(lc, decisions)
		total.by_default &= ((StmtDecision *) lfirst(lc))->d.by_default;

	if (total.action == DBC_REJECT)
	{
		char	   *why_not = NULL;

		id = dbc_durable_record(build_record(a, decisions, &total, "rejected"), &why_not);
		if (id < 0)
			ereport(ERROR,
					(errcode(ERRCODE_DBCHANGE_UNRECORDED),
					 errmsg("script rejected by policy, and the rejection could not be recorded"),
					 errdetail("%s. Reasons: %s.", why_not, dbc_reasons_text(&total))));
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_REJECTED),
				 errmsg("script rejected by policy (recorded as change %lld)", (long long) id),
				 errdetail("Risk %s. Reasons: %s.",
						   total.risk == DBC_RISK_NONE ? "not assessed" : dbc_risk_name(total.risk),
						   dbc_reasons_text(&total)),
				 errhint("Nothing ran. SELECT * FROM dbchange.evaluate($sql$...$sql$) shows each statement's decision.")));
	}

	if (total.action == DBC_QUEUE)
	{
		id = dbc_wf_record(build_record(a, decisions, &total, "pending"));
		ereport(NOTICE,
				(errmsg("change %lld queued for approval", (long long) id),
				 errdetail("Risk %s. Reasons: %s. It waits for %s.",
						   total.risk == DBC_RISK_NONE ? "not assessed" : dbc_risk_name(total.risk),
						   dbc_reasons_text(&total),
						   dbc_wf_query_text("SELECT dbchange._waiting_for(c) FROM dbchange.change c WHERE c.id = $1", id))));
		return id;
	}

	if (toplevel)
	{
		id = dbc_wf_record(build_record(a, decisions, &total, "approved"));
		ereport(NOTICE,
				(errmsg("change %lld is approved but did not run: it holds a statement that cannot run inside a function",
						(long long) id),
				 errhint("A deployer applies it at top level with the CLI: dbchange apply %lld", (long long) id)));
		return id;
	}

	{
		List	   *objects = run_script(decisions);

		id = dbc_wf_record(build_record(a, decisions, &total, "applied"));
		dbc_record_objects(id, objects);
	}
	return id;
}

static char *
text_arg(FunctionCallInfo fcinfo, int n)
{
	if (PG_NARGS() <= n || PG_ARGISNULL(n))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/*
 * dbchange.submit(script, description, down_script, source, uid) -> change id.
 * source is 'submit' (default) or 'migration' (the CLI's deploy).
 */
PG_FUNCTION_INFO_V1(dbc_submit);
Datum
dbc_submit(PG_FUNCTION_ARGS)
{
	SubmitArgs	a;

	memset(&a, 0, sizeof(a));
	a.script = text_arg(fcinfo, 0);
	a.description = text_arg(fcinfo, 1);
	a.down_script = text_arg(fcinfo, 2);
	a.source = text_arg(fcinfo, 3);
	if (a.source == NULL)
		a.source = "submit";
	if (strcmp(a.source, "submit") != 0 && strcmp(a.source, "migration") != 0 &&
		!(strcmp(a.source, "rollback") == 0 && dbc_rollback_submitting()))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid source \"%s\"", a.source),
				 errdetail("The source of a submitted script is submit or migration; promoted changes "
						   "arrive through dbchange.submit_promoted()."),
				 errhint("Leave it out, or pass source => 'migration'.")));
	if (PG_NARGS() > 4 && !PG_ARGISNULL(4))
		a.uid = DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(4)));
	PG_RETURN_INT64(do_submit(&a));
}

/*
 * dbchange.submit_promoted(script, uid, checksum, description, down_script,
 * requested_by, origin) -> change id.  The change as it was applied in another
 * environment: same uid, same checksum (checked), its original requester (for
 * display and separation of duties; it runs as the caller) and its
 * provenance.  Deployers only.  Idempotent: a change with this uid and
 * checksum that is applied, pending or approved here is returned as it is.
 */
PG_FUNCTION_INFO_V1(dbc_submit_promoted);
Datum
dbc_submit_promoted(PG_FUNCTION_ARGS)
{
	SubmitArgs	a;
	Oid			deployer = get_role_oid("dbchange_deployer", true);

	if (!superuser() && !(OidIsValid(deployer) && has_privs_of_role(GetUserId(), deployer)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to promote changes"),
				 errdetail("Role \"%s\" is neither a superuser nor a member of dbchange_deployer.",
						   GetUserNameFromId(GetUserId(), false)),
				 errhint("Ask a superuser to run: GRANT dbchange_deployer TO %s;",
						 quote_identifier(GetUserNameFromId(GetUserId(), false)))));
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a promoted change needs its uid and checksum"),
				 errhint("Pass the uid and checksum the change has in the environment it comes from.")));
	memset(&a, 0, sizeof(a));
	a.script = text_arg(fcinfo, 0);
	a.uid = DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(1)));
	a.checksum = text_arg(fcinfo, 2);
	a.description = text_arg(fcinfo, 3);
	a.down_script = text_arg(fcinfo, 4);
	a.requested_by = text_arg(fcinfo, 5);
	a.origin = PG_ARGISNULL(6) ? NULL : PG_GETARG_JSONB_P(6);
	a.source = "promotion";
	PG_RETURN_INT64(do_submit(&a));
}
