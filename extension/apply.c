/*-------------------------------------------------------------------------
 *
 * apply.c
 *	  Running an approved change: dbchange._execute() (used by apply() and,
 *	  with rollout auto, by the final approve()) and the one-time top-level
 *	  authorisation the CLI uses for statements that cannot run inside a
 *	  function (CREATE INDEX CONCURRENTLY and the like).
 *
 * What runs is the stored text, re-parsed: it must split into exactly the
 * statements recorded when the change was requested, and its checksum must
 * still match -- so nobody can slip a "; DROP ..." into an approved change.
 * It runs as the requester (their ownership and privileges, not the
 * approver's or the extension owner's), with the search_path recorded at
 * request time, its DDL under the gate's "applying approved change" mark
 * (the gate lets the statements through without judging them again and
 * collects what they touch; queries and DML run without it, so DDL their
 * functions or triggers execute is judged on its own), inside an internal
 * subtransaction: a failure rolls back only the change's own work and is
 * reported as a result, so the verb can record
 * status 'failed' and commit instead of losing the record.  The applying
 * session's prepared statements are neither used nor changed by the change
 * (prepared.c: dbc_apply_check_prepared refuses such a change up front), and
 * what the change prepares is deallocated after it.
 *
 * Top-level statements: dbchange.authorize_toplevel(id) leaves a one-time,
 * backend-local authorisation (static memory here, never a setting or a
 * table) bound to the change id and checksum.  The gate's hook asks
 * dbc_toplevel_wants() for every top-level utility statement; when the text
 * is exactly the next authorised statement, dbc_toplevel_run() runs it as
 * the requester under the apply mark and records it.  After the last one the
 * change is marked applied (same transaction as the statement); a failure
 * is remembered here and recorded by dbchange.finish_toplevel(id).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

#include "dbchange.h"
#include "workflow.h"

/* ---------------------------------------------------------------------------
 * Catalog access as the catalog owner
 * ---------------------------------------------------------------------------
 */
/* Run fn(arg) as the owner of dbchange's tables with a safe search_path. */
void
dbc_wf_as_owner(void (*fn) (void *arg), void *arg)
{
	Oid			save_uid;
	int			save_ctx;
	int			nest;

	GetUserIdAndSecContext(&save_uid, &save_ctx);
	SetUserIdAndSecContext(dbc_catalog_owner(), save_ctx | SECURITY_LOCAL_USERID_CHANGE);
	nest = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	PG_TRY();
	{
		fn(arg);
	}
	PG_FINALLY();
	{
		AtEOXact_GUC(false, nest);
		SetUserIdAndSecContext(save_uid, save_ctx);
	}
	PG_END_TRY();
}

/* Copy a string into the context that was current before SPI_connect. */
static char *
spi_strdup(const char *s)
{
	size_t		len;

	if (s == NULL)
		return NULL;
	len = strlen(s) + 1;
	return memcpy(SPI_palloc(len), s, len);
}

typedef struct QueryArg
{
	const char *sql;
	int			nargs;
	Oid			types[3];
	Datum		values[3];
	char		nulls[3];
	char	   *result;			/* first column of the first row, or NULL */
	int64		id;				/* same, as int8, for dbc_wf_record */
} QueryArg;

static void
run_query(void *arg)
{
	QueryArg   *q = (QueryArg *) arg;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(q->sql, q->nargs, q->types, q->values, q->nulls, false, 0) < 0)
		elog(ERROR, "dbchange: query failed: %s", q->sql);
	q->result = NULL;
	if (SPI_processed > 0)
		q->result = spi_strdup(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	SPI_finish();
}

char *
dbc_wf_query_text(const char *sql, int64 arg)
{
	QueryArg	q;

	memset(&q, 0, sizeof(q));
	q.sql = sql;
	q.nargs = 1;
	q.types[0] = INT8OID;
	q.values[0] = Int64GetDatum(arg);
	q.nulls[0] = ' ';
	dbc_wf_as_owner(run_query, &q);
	return q.result;
}

int64
dbc_wf_record(Jsonb *record)
{
	QueryArg	q;

	memset(&q, 0, sizeof(q));
	q.sql = "SELECT dbchange._record($1)";
	q.nargs = 1;
	q.types[0] = JSONBOID;
	q.values[0] = JsonbPGetDatum(record);
	q.nulls[0] = ' ';
	dbc_wf_as_owner(run_query, &q);
	if (q.result == NULL)
		elog(ERROR, "dbchange._record returned no id");
	return pg_strtoint64(q.result);
}

/* ---------------------------------------------------------------------------
 * Loading and verifying a change
 * ---------------------------------------------------------------------------
 */
typedef struct ChangeToRun
{
	int64		id;
	char	   *status;
	char	   *statement;		/* the stored text */
	char	   *checksum;
	bool		checksum_ok;	/* sha256(statement) = checksum */
	Oid			requester;
	char	   *search_path;
	List	   *recorded;		/* of char *: the recorded statements, in order */
	List	   *recorded_facts; /* of char *: their facts (jsonb as text), or NULL */
} ChangeToRun;

static void
load_change_cb(void *arg)
{
	ChangeToRun *c = (ChangeToRun *) arg;
	MemoryContext caller = CurrentMemoryContext;
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(c->id)};
	HeapTuple	t;
	TupleDesc	td;
	bool		isnull;
	char	   *oidtext;
	int			i;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT status, statement, checksum, "
							  "checksum = dbchange._checksum(statement), "
							  "requested_by_oid, search_path "
							  "FROM dbchange.change WHERE id = $1",
							  1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read change %lld", (long long) c->id);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("change %lld does not exist", (long long) c->id)));
	t = SPI_tuptable->vals[0];
	td = SPI_tuptable->tupdesc;
	c->status = spi_strdup(SPI_getvalue(t, td, 1));
	c->statement = spi_strdup(SPI_getvalue(t, td, 2));
	c->checksum = spi_strdup(SPI_getvalue(t, td, 3));
	c->checksum_ok = DatumGetBool(SPI_getbinval(t, td, 4, &isnull)) && !isnull;
	oidtext = SPI_getvalue(t, td, 5);
	c->requester = oidtext ? (Oid) strtoul(oidtext, NULL, 10) : InvalidOid;
	c->search_path = spi_strdup(SPI_getvalue(t, td, 6));

	if (SPI_execute_with_args("SELECT statement, facts::text FROM dbchange.change_statement "
							  "WHERE change_id = $1 ORDER BY statement_no",
							  1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the statements of change %lld", (long long) c->id);
	c->recorded = NIL;
	c->recorded_facts = NIL;
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *s = spi_strdup(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
		char	   *f = spi_strdup(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2));
		MemoryContext old = MemoryContextSwitchTo(caller);

		c->recorded = lappend(c->recorded, s);
		c->recorded_facts = lappend(c->recorded_facts, f);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
}

static void
load_change(int64 id, ChangeToRun *c)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	dbc_wf_as_owner(load_change_cb, c);
}

/*
 * Does the stored text still say exactly what was approved?  Returns NULL
 * when it does, else why not; *parsed gets the statements.
 */
static char *
verify_change(ChangeToRun *c, List **parsed)
{
	ListCell   *a;
	ListCell   *b;

	*parsed = NIL;
	if (c->statement == NULL || !c->checksum_ok)
		return pstrdup("the stored text does not match its checksum");
	*parsed = dbc_split_script(c->statement);
	if (list_length(*parsed) != list_length(c->recorded))
		return psprintf("the stored text has %d statements, the approved change %d",
						list_length(*parsed), list_length(c->recorded));
	forboth(a, *parsed, b, c->recorded)
	{
		DbcParsedStmt *ps = (DbcParsedStmt *) lfirst(a);

		if (strcmp(ps->text, (char *) lfirst(b)) != 0)
			return psprintf("statement %d of the stored text differs from the approved one",
							ps->statement_no);
	}
	return NULL;
}

/* ---------------------------------------------------------------------------
 * dbchange._execute(id)
 * ---------------------------------------------------------------------------
 */
typedef struct RunResult
{
	bool		ok;
	char	   *message;
	char	   *sqlstate;
	int			statement_no;
	int			statements;
} RunResult;

/*
 * Run the parsed statements as the requester in a subtransaction.
 * prepared: this session's prepared statement names before the change ran;
 * whatever the change prepares is deallocated after it, applied or failed
 * (a prepared statement outlives the subtransaction's rollback).
 */
static void
run_change(ChangeToRun *c, List *parsed, List *prepared, RunResult *r)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	volatile int cur = 0;
	volatile bool marked = false;
	List	   *volatile objects = NIL;
	Oid			save_acting = dbc_acting_as();
	SubTransactionId save_first_subid = dbc_change_first_subid;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);

	/*
	 * A statement judged created_in_script must find a table created from
	 * here on: the applying session may have created one under the same name
	 * earlier in its own transaction, and filled it.
	 */
	dbc_change_first_subid = GetCurrentSubTransactionId();
	PG_TRY();
	{
		Oid			save_uid;
		int			save_ctx;
		int			nest;
		ListCell   *lc;
		List	   *checked_rels = NIL;

		if (!OidIsValid(c->requester) ||
			!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(c->requester)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("the role that requested change %lld no longer exists", (long long) c->id),
					 errdetail("An approved change runs as its requester.")));
		GetUserIdAndSecContext(&save_uid, &save_ctx);
		SetUserIdAndSecContext(c->requester, save_ctx | SECURITY_LOCAL_USERID_CHANGE);
		/* and code the statements reach calls dbchange as the requester, not as us */
		dbc_set_acting_as(c->requester);
		nest = NewGUCNestLevel();
		/* an empty path is one too: the statements were judged on it, not on ours */
		if (c->search_path)
			(void) set_config_option("search_path", c->search_path, PGC_USERSET, PGC_S_SESSION,
									 GUC_ACTION_SAVE, true, 0, false);
		/* the relations each statement's names stand for before any of it runs */
		foreach(lc, parsed)
		{
			DbcParsedStmt *ps = (DbcParsedStmt *) lfirst(lc);
			char	   *f = dbc_is_gated(ps->stmt) ? (char *) list_nth(c->recorded_facts, ps->statement_no - 1) : NULL;

			checked_rels = lappend(checked_rels,
								   f ? dbc_checked_relations(DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(f)))) : NIL);
		}
		foreach(lc, parsed)
		{
			DbcParsedStmt *ps = (DbcParsedStmt *) lfirst(lc);
			bool		gated = dbc_is_gated(ps->stmt);
			MemoryContext spicxt;
			int			rc;

			cur = ps->statement_no;
			dbc_require_same_reading(ps->text, cur);
			if (gated)
			{
				char	   *f = (char *) list_nth(c->recorded_facts, cur - 1);
				Jsonb	   *facts = f ? DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(f))) : NULL;

				dbc_require_same_names(ps->stmt, cur, facts,
									   (List *) list_nth(checked_rels, foreach_current_index(lc)), c->requester, true);
				/* and what its names do not show: functions, operators, types */
				if (facts)
					dbc_require_same_path(cur, dbc_facts_get_text(facts, "checked_search_path"));
			}

			/*
			 * Only DDL runs under the apply mark, as in submit.c.  A query or
			 * DML statement (SELECT f(), an INSERT that fires a trigger)
			 * runs user code at the mark's own depth: under the mark, DDL
			 * that code executes would run unjudged.
			 */
			if (gated)
			{
				spicxt = MemoryContextSwitchTo(oldcxt);
				dbc_gate_begin_apply(c->id);
				MemoryContextSwitchTo(spicxt);
				marked = true;
			}
			rc = SPI_execute(ps->text, false, 0);
			if (rc < 0)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("statement %d cannot run inside apply(): %s", cur,
								SPI_result_code_string(rc))));
			if (gated)
			{
				spicxt = MemoryContextSwitchTo(oldcxt);
				objects = list_concat(objects, dbc_gate_end_apply());
				MemoryContextSwitchTo(spicxt);
				marked = false;
			}
		}
		/* settings the change's statements made do not outlive it (SET search_path ...) */
		AtEOXact_GUC(false, nest);
		SetUserIdAndSecContext(save_uid, save_ctx);
		dbc_set_acting_as(save_acting);
		dbc_change_first_subid = save_first_subid;
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		r->ok = true;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		dbc_set_acting_as(save_acting);
		dbc_change_first_subid = save_first_subid;
		if (marked)
			(void) dbc_gate_end_apply();
		/* restores the user id and the GUC nest level of the subtransaction */
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		r->ok = false;
		r->message = edata->message ? pstrdup(edata->message) : pstrdup("unknown error");
		r->sqlstate = pstrdup(unpack_sql_state(edata->sqlerrcode));
		r->statement_no = cur;
	}
	PG_END_TRY();
	dbc_apply_deallocate_new(prepared);
	SPI_finish();
	if (r->ok)
	{
		r->statement_no = list_length(parsed);
		dbc_record_objects(c->id, objects);
	}
}

/*
 * dbchange._execute(id) -> (result, error_message, error_sqlstate, statement_no)
 * result: 'applied', 'failed' or 'toplevel' (nothing ran: a statement must run
 * at top level).  The caller (a verb, SECURITY DEFINER, with the change row
 * locked) records the outcome.
 */
PG_FUNCTION_INFO_V1(dbc_execute_change);
Datum
dbc_execute_change(PG_FUNCTION_ARGS)
{
	int64		id = PG_GETARG_INT64(0);
	ChangeToRun c;
	List	   *parsed;
	char	   *bad;
	const char *result;
	RunResult	r;
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false, true, true, true};
	ListCell   *lc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "dbchange._execute must return a record");
	tupdesc = BlessTupleDesc(tupdesc);

	load_change(id, &c);
	if (strcmp(c.status, "approved") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("change %lld is %s, not approved", (long long) id, c.status)));

	memset(&r, 0, sizeof(r));
	bad = verify_change(&c, &parsed);
	if (bad)
	{
		result = "failed";
		r.message = psprintf("the stored text of change %lld is not what was approved: %s; nothing ran",
							 (long long) id, bad);
		r.sqlstate = pstrdup("XX001");
	}
	else
	{
		result = NULL;
		foreach(lc, parsed)
		{
			DbcParsedStmt *ps = (DbcParsedStmt *) lfirst(lc);

			if (dbc_is_nontransactional(ps->stmt))
			{
				result = "toplevel";
				r.statement_no = ps->statement_no;
				break;
			}
		}
		if (result == NULL)
		{
			/*
			 * The change runs in this session, among its prepared statements:
			 * one it would use or change is refused before anything runs (an
			 * ERROR: the change stays as it was), and what it prepares is
			 * deallocated after it.
			 */
			List	   *prepared = dbc_session_prepared_names();

			dbc_apply_check_prepared(id, parsed, prepared);
			run_change(&c, parsed, prepared, &r);
			result = r.ok ? "applied" : "failed";
		}
	}

	values[0] = CStringGetTextDatum(result);
	if (r.message)
	{
		values[1] = CStringGetTextDatum(r.message);
		nulls[1] = false;
	}
	if (r.sqlstate)
	{
		values[2] = CStringGetTextDatum(r.sqlstate);
		nulls[2] = false;
	}
	if (r.statement_no > 0)
	{
		values[3] = Int32GetDatum(r.statement_no);
		nulls[3] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ---------------------------------------------------------------------------
 * One-time top-level authorisation
 * ---------------------------------------------------------------------------
 */
typedef struct ToplevelAuth
{
	MemoryContext cxt;			/* owns everything below */
	int64		change_id;
	char	   *checksum;
	Oid			requester;
	char	   *search_path;	/* the recorded one, then the one the change set */
	List	   *texts;			/* of char *: the statements, in order */
	List	   *facts;			/* of Jsonb *: their recorded facts (NULL: not gated) */
	List	   *checked_rels;	/* of List *: the relations their names stood for */
	int			next;			/* 0-based index of the next statement */
	bool		provisional;	/* granted in a transaction not yet committed */
	bool		running;		/* a statement is executing */
	bool		failed;
	bool		applied;		/* the change was marked applied */
	char	   *errmsg;
	char	   *sqlstate;
	int			failed_no;
} ToplevelAuth;

static ToplevelAuth *toplevel = NULL;
static bool toplevel_callback_set = false;

/* User to restore if a failed top-level statement's abort resets it wrongly. */
static bool toplevel_restore_user = false;
static Oid	toplevel_saved_uid;
static int	toplevel_saved_ctx;

static void
toplevel_clear(void)
{
	if (toplevel)
		MemoryContextDelete(toplevel->cxt);
	toplevel = NULL;
}

/*
 * AbortTransaction resets the user id to the one current when the transaction
 * started.  A multi-transaction statement (CREATE INDEX CONCURRENTLY starts
 * new transactions internally) may have started one while the requester was
 * the current user; put the session's own user back.  An authorisation
 * granted in a transaction that aborts never existed.
 */
static void
toplevel_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT)
	{
		if (toplevel_restore_user)
		{
			SetUserIdAndSecContext(toplevel_saved_uid, toplevel_saved_ctx);
			toplevel_restore_user = false;
		}
		if (toplevel && toplevel->provisional)
			toplevel_clear();
		if (toplevel)
			toplevel->running = false;
	}
	else if (event == XACT_EVENT_COMMIT && toplevel)
		toplevel->provisional = false;
}

/* Statements that are not utility statements never reach the gate's hook. */
static bool
is_plannable(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_SelectStmt:
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
		case T_MergeStmt:
			return true;
		default:
			return false;
	}
}

/*
 * dbchange._authorize_toplevel(id): called by authorize_toplevel() after its
 * checks (deployer, status approved, row and advisory lock held).  Returns the
 * number of statements authorised.
 */
PG_FUNCTION_INFO_V1(dbc_authorize_toplevel);
Datum
dbc_authorize_toplevel(PG_FUNCTION_ARGS)
{
	int64		id = PG_GETARG_INT64(0);
	ChangeToRun c;
	List	   *parsed;
	char	   *bad;
	ListCell   *lc;
	MemoryContext cxt;
	MemoryContext old;
	ToplevelAuth *a;

	if (toplevel && toplevel->change_id != id)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("this session already holds a top-level authorisation for change %lld",
						(long long) toplevel->change_id),
				 errhint("Call dbchange.finish_toplevel(%lld) first.", (long long) toplevel->change_id)));
	if (toplevel && toplevel->next > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the top-level authorisation for change %lld is in use", (long long) id),
				 errhint("Call dbchange.finish_toplevel(%lld) first.", (long long) id)));

	load_change(id, &c);
	if (strcmp(c.status, "approved") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("change %lld is %s, not approved", (long long) id, c.status)));
	bad = verify_change(&c, &parsed);
	if (bad)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the stored text of change %lld is not what was approved", (long long) id),
				 errdetail("%s.", bad)));
	foreach(lc, parsed)
	{
		DbcParsedStmt *ps = (DbcParsedStmt *) lfirst(lc);

		if (is_plannable(ps->stmt))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("change %lld cannot be applied at top level: statement %d is a query or data change",
							(long long) id, ps->statement_no),
					 errdetail("Only utility statements pass through the gate, which is what runs an authorised statement."),
					 errhint("Apply it with dbchange.apply(%lld) if it holds no statement that must run at top level; "
							 "otherwise submit the data changes as a separate change.", (long long) id)));
	}
	if (!toplevel_callback_set)
	{
		RegisterXactCallback(toplevel_xact_callback, NULL);
		toplevel_callback_set = true;
	}
	toplevel_clear();
	cxt = AllocSetContextCreate(TopMemoryContext, "dbchange top-level authorisation",
								ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	a = palloc0(sizeof(ToplevelAuth));
	a->cxt = cxt;
	a->change_id = id;
	a->checksum = pstrdup(c.checksum);
	a->requester = c.requester;
	a->search_path = c.search_path ? pstrdup(c.search_path) : NULL;
	/*
	 * The relations the statements' names stood for when they were checked,
	 * taken now, before any of them runs (as apply() does): each statement is
	 * compared with them when it is run, maybe much later, so that a table
	 * swapped in under a checked name in between is refused.
	 */
	foreach(lc, parsed)
	{
		DbcParsedStmt *ps = (DbcParsedStmt *) lfirst(lc);
		char	   *f = dbc_is_gated(ps->stmt) ? (char *) list_nth(c.recorded_facts, ps->statement_no - 1) : NULL;
		Jsonb	   *facts = f ? DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(f))) : NULL;

		a->texts = lappend(a->texts, pstrdup(ps->text));
		a->facts = lappend(a->facts, facts);
		a->checked_rels = lappend(a->checked_rels, facts ? dbc_checked_relations(facts) : NIL);
	}
	a->provisional = true;
	MemoryContextSwitchTo(old);
	toplevel = a;
	PG_RETURN_INT32(list_length(a->texts));
}

/* dbchange._toplevel_state(): this backend's authorisation, all NULL if none. */
PG_FUNCTION_INFO_V1(dbc_toplevel_state);
Datum
dbc_toplevel_state(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {true, true, true, true, true, true};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "dbchange._toplevel_state must return a record");
	tupdesc = BlessTupleDesc(tupdesc);
	if (toplevel && !toplevel->provisional)
	{
		const char *state = toplevel->failed ? "failed" :
			toplevel->applied ? "applied" : "running";

		values[0] = Int64GetDatum(toplevel->change_id);
		values[1] = CStringGetTextDatum(state);
		values[2] = Int32GetDatum(toplevel->failed ? toplevel->failed_no : toplevel->next + 1);
		values[3] = Int32GetDatum(list_length(toplevel->texts));
		memset(nulls, false, 4);
		if (toplevel->failed)
		{
			values[4] = CStringGetTextDatum(toplevel->errmsg);
			values[5] = CStringGetTextDatum(toplevel->sqlstate);
			nulls[4] = nulls[5] = false;
		}
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(dbc_toplevel_clear);
Datum
dbc_toplevel_clear(PG_FUNCTION_ARGS)
{
	toplevel_clear();
	PG_RETURN_VOID();
}

/*
 * Is this top-level statement the next one the session is authorised to run?
 * Called by the gate's hook for every utility statement: cheap when no
 * authorisation exists.
 */
bool
dbc_toplevel_wants(PlannedStmt *pstmt, const char *queryString, ProcessUtilityContext context)
{
	char	   *text;
	bool		match;

	if (toplevel == NULL || toplevel->provisional || toplevel->running ||
		toplevel->failed || toplevel->applied)
		return false;
	if (context != PROCESS_UTILITY_TOPLEVEL || IsA(pstmt->utilityStmt, TransactionStmt))
		return false;
	if (!IsTransactionState() || IsAbortedTransactionBlockState() || dbc_is_applying())
		return false;
	if (toplevel->next >= list_length(toplevel->texts))
		return false;
	text = dbc_statement_text(queryString, pstmt->stmt_location, pstmt->stmt_len);
	match = text != NULL && strcmp(text, (char *) list_nth(toplevel->texts, toplevel->next)) == 0;
	if (match)
		dbc_require_same_reading(text, toplevel->next + 1);
	if (text)
		pfree(text);
	return match;
}

typedef struct AppliedArg
{
	int64		id;
	const char *checksum;
	const char *actor;
	bool		done;
} AppliedArg;

static void
mark_applied_cb(void *arg)
{
	AppliedArg *a = (AppliedArg *) arg;
	Oid			types[3] = {INT8OID, TEXTOID, TEXTOID};
	Datum		values[3];
	bool		isnull;

	values[0] = Int64GetDatum(a->id);
	values[1] = CStringGetTextDatum(a->checksum);
	values[2] = CStringGetTextDatum(a->actor);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT dbchange._toplevel_applied($1, $2, $3)", 3, types, values,
							  NULL, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "dbchange._toplevel_applied failed");
	a->done = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
}

/*
 * Run the authorised statement: as the requester, with the recorded
 * search_path, under the apply mark.  The search_path is set as a plain SET
 * would (a GUC nest level does not survive the transactions a statement such
 * as CREATE INDEX CONCURRENTLY commits internally) and put back afterwards.
 */
void
dbc_toplevel_run(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
				 ProcessUtilityContext context, ParamListInfo params,
				 QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	ToplevelAuth *a = toplevel;
	int			no = a->next + 1;
	Oid			save_uid;
	int			save_ctx;
	char	   *old_path = pstrdup(GetConfigOption("search_path", false, false));
	volatile bool marked = false;
	volatile bool path_set = false;
	List	   *objects = NIL;
	AppliedArg	done;
	volatile ProcessUtilityContext run_context = context;

	Oid			save_acting = dbc_acting_as();

	/*
	 * A DO block or CALL runs atomically, as it would inside apply(): a
	 * COMMIT or ROLLBACK in it would end the transaction under the statement,
	 * and an abort puts back the user the transaction started with (and our
	 * callbacks the deployer's user and _caller()) -- the rest of the block
	 * would run as the deployer, not the requester.
	 */
	if (context == PROCESS_UTILITY_TOPLEVEL &&
		(IsA(pstmt->utilityStmt, DoStmt) || IsA(pstmt->utilityStmt, CallStmt)))
		run_context = PROCESS_UTILITY_QUERY;
	a->running = true;
	GetUserIdAndSecContext(&save_uid, &save_ctx);
	PG_TRY();
	{
		if (!OidIsValid(a->requester) ||
			!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(a->requester)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("the role that requested change %lld no longer exists",
							(long long) a->change_id)));
		if (a->search_path && strcmp(a->search_path, old_path) != 0)
		{
			(void) set_config_option("search_path", a->search_path, PGC_USERSET, PGC_S_SESSION,
									 GUC_ACTION_SET, true, 0, false);
			path_set = true;
		}
		toplevel_saved_uid = save_uid;
		toplevel_saved_ctx = save_ctx;
		toplevel_restore_user = true;
		SetUserIdAndSecContext(a->requester, save_ctx | SECURITY_LOCAL_USERID_CHANGE);
		dbc_set_acting_as(a->requester);
		if (dbc_is_gated(pstmt->utilityStmt))
		{
			Jsonb	   *facts = (Jsonb *) list_nth(a->facts, no - 1);

			dbc_require_same_names(pstmt->utilityStmt, no, facts,
								   (List *) list_nth(a->checked_rels, no - 1), a->requester, false);
			/* and what its names do not show: functions, operators, types */
			if (facts)
				dbc_require_same_path(no, dbc_facts_get_text(facts, "checked_search_path"));
		}
		dbc_gate_begin_apply(a->change_id);
		marked = true;
		dbc_gate_call_prev(pstmt, queryString, readOnlyTree, run_context, params, queryEnv, dest, qc);
		objects = dbc_gate_end_apply();
		marked = false;

		/*
		 * The statements after a SET search_path of the change were judged
		 * on the path it sets (scriptpath.c): they run on it, each in its
		 * own transaction, whether it was SET LOCAL or not.
		 */
		{
			char	   *value;

			if (dbc_script_path_setter(pstmt->utilityStmt, &value))
			{
				a->search_path = MemoryContextStrdup(a->cxt, GetConfigOption("search_path", false, false));
			}
		}
		dbc_set_acting_as(save_acting);
		SetUserIdAndSecContext(save_uid, save_ctx);
		toplevel_restore_user = false;
	}
	PG_CATCH();
	{
		MemoryContext old;
		ErrorData  *edata;

		if (marked)
			(void) dbc_gate_end_apply();
		dbc_set_acting_as(save_acting);
		SetUserIdAndSecContext(save_uid, save_ctx);
		/* toplevel_restore_user stays set: the abort may reset the user again */
		old = MemoryContextSwitchTo(a->cxt);
		edata = CopyErrorData();
		a->failed = true;
		a->running = false;
		a->failed_no = no;
		a->errmsg = pstrdup(edata->message ? edata->message : "unknown error");
		a->sqlstate = pstrdup(unpack_sql_state(edata->sqlerrcode));
		MemoryContextSwitchTo(old);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (path_set)
		(void) set_config_option("search_path", old_path, PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SET, true, 0, false);
	a->running = false;
	a->next++;
	if (!IsTransactionState())
		return;
	dbc_record_objects(a->change_id, objects);
	if (a->next < list_length(a->texts))
		return;
	done.id = a->change_id;
	done.checksum = a->checksum;
	done.actor = GetUserNameFromId(GetOuterUserId(), false);
	done.done = false;
	dbc_wf_as_owner(mark_applied_cb, &done);
	if (!done.done)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("change %lld is no longer approved with the checksum it was authorised with",
						(long long) a->change_id)));
	a->applied = true;
}
