/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  Rollback verification: run a change's up and down scripts inside an
 *	  internal subtransaction that is always rolled back, with schema
 *	  snapshots around them.
 *
 * dbchange._verify_run(up, down, mode, run_as, search_path, schemas)
 * returns a jsonb document {"before": snapshot, "after": snapshot} or, when
 * something could not run, {"failed": [{"object": ..., "difference": ...}]}.
 * The SQL wrappers (verify_rollback, verify_rollback_script in
 * 50_rollback.sql) compare the snapshots with snapshot_diff().
 *
 *	mode 'pending':  before = now; run up, run down; after = now.
 *					 A complete down script gives after = before.
 *	mode 'applied':  the change's effect is already in the database, so the
 *					 state before it is not at hand.  Run down, then up again:
 *					 before = now, after = after down + up.  A down script
 *					 that leaves an object behind makes the up script fail
 *					 ("already exists"), one that removes too much leaves a
 *					 difference.
 *
 * Whatever happens, the subtransaction is rolled back: verification never
 * changes the database.  The statements run as run_as (the change's
 * requester, or the caller for a script pair) with the given search_path,
 * under the gate's apply mark so the gate does not queue or record them
 * (nothing they do survives).  Statements that cannot run inside a
 * transaction are reported as not verifiable and nothing is run.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "dbchange.h"

/* Where the run is, for naming a statement that fails. */
typedef struct RunPlace
{
	const char *object;			/* "up script statement 2" */
	const char *prefix;			/* "fails" */
} RunPlace;

/*
 * A snapshot taken through SPI (not read-only: it must see what the scripts
 * just did), copied into ctx so it outlives the subtransaction. */
static Jsonb *
take_snapshot(Datum schemas, bool schemas_null, MemoryContext ctx)
{
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		values[1];
	char		nulls[1];
	bool		isnull;
	Datum		d;
	MemoryContext old;
	Jsonb	   *result;

	values[0] = schemas;
	nulls[0] = schemas_null ? 'n' : ' ';
	if (SPI_execute_with_args("SELECT dbchange.schema_snapshot($1)", 1, argtypes, values, nulls,
							  false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not take a schema snapshot");
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	old = MemoryContextSwitchTo(ctx);
	result = DatumGetJsonbPCopy(d);
	MemoryContextSwitchTo(old);
	return result;
}

/* Run the statements of a script as run_as with search_path. */
static void
run_script(List *stmts, const char *which, const char *prefix, Oid run_as,
		   const char *search_path, RunPlace *place, MemoryContext ctx)
{
	Oid			save_uid;
	int			save_ctx;
	int			nest;
	ListCell   *lc;
	Oid			save_acting;

	GetUserIdAndSecContext(&save_uid, &save_ctx);
	save_acting = dbc_acting_as();
	if (OidIsValid(run_as))
	{
		SetUserIdAndSecContext(run_as, save_ctx | SECURITY_LOCAL_USERID_CHANGE);
		dbc_set_acting_as(run_as);	/* on error put back by dbc_verify_run */
	}
	nest = NewGUCNestLevel();
	if (search_path)
		(void) set_config_option("search_path", search_path, PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	foreach(lc, stmts)
	{
		DbcParsedStmt *ps = (DbcParsedStmt *) lfirst(lc);
		int			rc;

		place->object = MemoryContextStrdup(ctx, psprintf("%s script statement %d", which,
														  ps->statement_no));
		place->prefix = prefix;
		rc = SPI_execute(ps->text, false, 0);
		if (rc < 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("statement cannot run here: %s", SPI_result_code_string(rc))));
	}
	AtEOXact_GUC(true, nest);
	SetUserIdAndSecContext(save_uid, save_ctx);
	dbc_set_acting_as(save_acting);
}

/* Statements that must not run in a transaction: the reason, or NULL. */
static const char *
why_not_verifiable(Node *stmt)
{
	if (IsA(stmt, TransactionStmt))
		return "transaction control statements cannot be part of a verified script";
	if (dbc_is_nontransactional(stmt))
		return "cannot run inside a transaction, so it cannot be run and rolled back; verify it by hand";
	return NULL;
}

static void
put_row(JsonbParseState **st, const char *object, const char *difference)
{
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	dbc_put_text(st, "object", object);
	dbc_put_text(st, "difference", difference);
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/* Parse a script, naming which one has a syntax error. */
static List *
parse_script(const char *script, const char *which)
{
	volatile List *result = NIL;
	MemoryContext ctx = CurrentMemoryContext;

	PG_TRY();
	{
		result = dbc_split_script(script);
	}
	PG_CATCH();
	{
		ErrorData  *e;
		char	   *where = NULL;

		MemoryContextSwitchTo(ctx);
		e = CopyErrorData();
		FlushErrorState();
		/* the first line of the context is split.c's "in the script at line N" */
		if (e->context)
		{
			where = pstrdup(e->context);
			where[strcspn(where, "\n")] = '\0';
		}
		ereport(ERROR,
				(errcode(e->sqlerrcode),
				 errmsg("syntax error in the %s script: %s", which, e->message),
				 where ? errdetail("The error is %s.", where) : 0,
				 errhint("Correct the %s script; nothing was run.", which)));
	}
	PG_END_TRY();
	return (List *) result;
}

PG_FUNCTION_INFO_V1(dbc_verify_run);
Datum
dbc_verify_run(PG_FUNCTION_ARGS)
{
	char	   *up;
	char	   *down;
	char	   *mode;
	Oid			run_as;
	char	   *search_path;
	Datum		schemas = PG_GETARG_DATUM(5);
	bool		schemas_null = PG_ARGISNULL(5);
	List	   *up_stmts;
	List	   *down_stmts;
	bool		applied;
	MemoryContext ctx = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	JsonbParseState *st = NULL;
	JsonbValue *res;
	ListCell   *lc;
	bool		blocked = false;
	RunPlace	place = {NULL, NULL};
	Jsonb	   *volatile before = NULL;
	Jsonb	   *volatile after = NULL;
	ErrorData  *volatile failure = NULL;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		elog(ERROR, "dbchange._verify_run: up, down and mode must not be null");
	up = text_to_cstring(PG_GETARG_TEXT_PP(0));
	down = text_to_cstring(PG_GETARG_TEXT_PP(1));
	mode = text_to_cstring(PG_GETARG_TEXT_PP(2));
	run_as = PG_ARGISNULL(3) ? InvalidOid : PG_GETARG_OID(3);
	search_path = PG_ARGISNULL(4) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(4));
	applied = strcmp(mode, "applied") == 0;
	if (!applied && strcmp(mode, "pending") != 0)
		elog(ERROR, "dbchange._verify_run: unknown mode \"%s\"", mode);

	up_stmts = parse_script(up, "up");
	down_stmts = parse_script(down, "down");
	if (down_stmts == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the down script is empty"),
				 errhint("Give a down script with the statements that undo the change.")));

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	dbc_put_key(&st, "failed");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, up_stmts)
	{
		DbcParsedStmt *ps = (DbcParsedStmt *) lfirst(lc);
		const char *why = why_not_verifiable(ps->stmt);

		if (why)
		{
			put_row(&st, psprintf("up script statement %d", ps->statement_no),
					psprintf("not verifiable: %s", why));
			blocked = true;
		}
	}
	foreach(lc, down_stmts)
	{
		DbcParsedStmt *ps = (DbcParsedStmt *) lfirst(lc);
		const char *why = why_not_verifiable(ps->stmt);

		if (why)
		{
			put_row(&st, psprintf("down script statement %d", ps->statement_no),
					psprintf("not verifiable: %s", why));
			blocked = true;
		}
	}

	if (!blocked)
	{
		Oid			save_acting = dbc_acting_as();

		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(ctx);
		PG_TRY();
		{
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			before = take_snapshot(schemas, schemas_null, ctx);
			dbc_gate_begin_apply(-1);
			if (applied)
			{
				run_script(down_stmts, "down", "fails", run_as, search_path, &place, ctx);
				run_script(up_stmts, "up", "fails when run again after the down script",
						   run_as, search_path, &place, ctx);
			}
			else
			{
				run_script(up_stmts, "up", "fails", run_as, search_path, &place, ctx);
				run_script(down_stmts, "down", "fails after the up script", run_as, search_path,
						   &place, ctx);
			}
			(void) dbc_gate_end_apply();
			place.object = NULL;
			after = take_snapshot(schemas, schemas_null, ctx);
			SPI_finish();
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(ctx);
			failure = CopyErrorData();
			FlushErrorState();
			dbc_set_acting_as(save_acting);
			(void) dbc_gate_end_apply();
		}
		PG_END_TRY();

		/* Always: nothing the scripts did survives. */
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(ctx);
		CurrentResourceOwner = owner;

		if (failure)
		{
			/* a failure outside the scripts (the snapshot) is not the script's fault */
			if (place.object == NULL)
				ReThrowError(failure);
			put_row(&st, place.object, psprintf("%s: %s", place.prefix, failure->message));
		}
	}
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	if (before && after)
	{
		dbc_put_jsonb(&st, "before", before);
		dbc_put_jsonb(&st, "after", after);
	}
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}

/* ---------------------------------------------------------------------------
 * The submit path: the rollback_verified fact, and rollback changes
 * ---------------------------------------------------------------------------
 */

/* Set while dbchange._submit_as_rollback() runs submit(): source 'rollback' is allowed. */
static bool rollback_submitting = false;

bool
dbc_rollback_submitting(void)
{
	return rollback_submitting;
}

/*
 * Facts about a submitted script's rollback, to merge into each statement's
 * facts before the policies decide: {"has_down_script", "down_generated",
 * "rollback_verified"} -- or NULL when no enabled policy mentions
 * rollback_verified (verification runs the script, so it is only paid for
 * when a policy looks at the answer).
 */
Jsonb *
dbc_rollback_facts_for_submit(const char *script, const char *down)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	bool		isnull;
	Datum		d;
	Jsonb	   *result = NULL;
	MemoryContext outer = CurrentMemoryContext;

	values[0] = CStringGetTextDatum(script);
	values[1] = down ? CStringGetTextDatum(down) : (Datum) 0;
	if (!down)
		nulls[1] = 'n';
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT dbchange._submit_rollback_facts($1, $2)", 2, argtypes, values, nulls,
							  false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not compute the rollback facts");
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
	{
		MemoryContext old = MemoryContextSwitchTo(outer);

		result = DatumGetJsonbPCopy(d);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return result;
}

/* facts || extra (jsonb concatenation: extra's keys win). */
Jsonb *
dbc_facts_merge(Jsonb *facts, Jsonb *extra)
{
	if (extra == NULL)
		return facts;
	return DatumGetJsonbP(DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(facts),
											  JsonbPGetDatum(extra)));
}

/*
 * dbchange._submit_as_rollback(original bigint, script text, description text,
 * down_script text) RETURNS bigint: submit() with source 'rollback', for
 * rollback().  Runs as the caller (not SECURITY DEFINER).  The script must be
 * the original's down script (given or generated) and the original applied,
 * so the source cannot be claimed for anything else.
 */
PG_FUNCTION_INFO_V1(dbc_submit_as_rollback);
Datum
dbc_submit_as_rollback(PG_FUNCTION_ARGS)
{
	Oid			argtypes[4] = {INT8OID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	bool		isnull;
	bool		matches;
	int64		id;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the change to roll back and the rollback script must not be null"),
				 errhint("Use dbchange.rollback(id).")));
	values[0] = PG_GETARG_DATUM(0);
	values[1] = PG_GETARG_DATUM(1);
	values[2] = PG_GETARG_DATUM(2);
	nulls[2] = PG_ARGISNULL(2) ? 'n' : ' ';
	values[3] = PG_GETARG_DATUM(3);
	nulls[3] = PG_ARGISNULL(3) ? 'n' : ' ';

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/*
	 * The rollback's own down script must be the original's up script: a
	 * rollback change's down script counts as written by the original's
	 * requester (_rollback_target), so one of the caller's choosing would run
	 * with the original requester's privileges when they roll it back.
	 */
	if (SPI_execute_with_args("SELECT (dbchange._down_of(c)).down = $2 AND c.statement IS NOT DISTINCT FROM $4"
							  " FROM dbchange._rollback_target($1) c",
							  4, argtypes, values, nulls, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not look up change " INT64_FORMAT, DatumGetInt64(values[0]));
	matches = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull || !matches)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("the script is not the down script of change " INT64_FORMAT, DatumGetInt64(values[0])),
				 errhint("Use dbchange.rollback(id).")));

	rollback_submitting = true;
	PG_TRY();
	{
		if (SPI_execute_with_args("SELECT dbchange.submit($2, $3, $4, 'rollback')", 4, argtypes, values, nulls,
								  false, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "dbchange.submit failed");
		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	PG_FINALLY();
	{
		rollback_submitting = false;
	}
	PG_END_TRY();
	SPI_finish();
	PG_RETURN_INT64(id);
}

/*
 * dbchange._check_script(script text, which text) RETURNS int: the number of
 * statements; a syntax error names the script ("down") and the line.
 */
PG_FUNCTION_INFO_V1(dbc_check_script);
Datum
dbc_check_script(PG_FUNCTION_ARGS)
{
	char	   *which = PG_ARGISNULL(1) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(1));

	if (PG_ARGISNULL(0))
		PG_RETURN_INT32(0);
	PG_RETURN_INT32(list_length(parse_script(text_to_cstring(PG_GETARG_TEXT_PP(0)), which)));
}
