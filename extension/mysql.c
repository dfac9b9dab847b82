/*-------------------------------------------------------------------------
 *
 * mysql.c
 *	  SQL-callable functions for MySQL / MariaDB changes (docs/mysql.md).
 *
 *	  dbchange.classify_mysql(sql, default_schema)	 facts of each statement
 *	  dbchange.evaluate_mysql(sql, environment, source)  dry run through the policies
 *	  dbchange.submit_mysql(script, target, description, uid, source,
 *							 requested_by, origin)  store a change
 *
 * The control database never runs MySQL text: a submitted MySQL change is
 * stored with dialect 'mysql' and status approved (ready to deploy), pending
 * (waiting for its approval flow) or rejected, and is applied to MySQL
 * targets by the CLI (dbchange promote --to mysql://...).
 *
 * Facts and decisions are computed here, in C, as the calling user, and the
 * change is written as the catalog owner: a caller cannot hand in a forged
 * decision, because dbchange._record() is not executable by PUBLIC.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/uuid.h"

#include "dbchange.h"
#include "classify_mysql.h"

PG_FUNCTION_INFO_V1(dbc_classify_mysql);
PG_FUNCTION_INFO_V1(dbc_evaluate_mysql);
PG_FUNCTION_INFO_V1(dbc_submit_mysql);

static List *
split_or_fail(const char *script)
{
	List	   *stmts = dbc_mysql_split(script);

	if (stmts == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the MySQL script has no statements"),
				 errdetail("The script is empty or holds only comments."),
				 errhint("Pass the text of the MySQL statements, each ended by \";\".")));
	return stmts;
}

/* dbchange.classify_mysql(sql text, default_schema text): one jsonb per statement. */
Datum
dbc_classify_mysql(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DbcMySession session = {NULL, false};
	List	   *stmts;
	ListCell   *lc;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	session.default_schema = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	stmts = dbc_mysql_split(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	foreach(lc, stmts)
	{
		JsonbParseState *st = NULL;
		JsonbValue *res;
		Datum		d;
		bool		isnull = false;

		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		dbc_mysql_classify(&st, (DbcMyStmt *) lfirst(lc), &session);
		res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
		d = JsonbPGetDatum(JsonbValueToJsonb(res));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &d, &isnull);
	}
	return (Datum) 0;
}

static int64
load_settings_cb(void *arg)
{
	dbc_load_settings((DbcSettings *) arg);
	return 0;
}

/* This environment's settings, read as the catalog owner (callers cannot read the table). */
static void
load_settings(DbcSettings *s)
{
	(void) dbc_as_catalog_owner(load_settings_cb, s);
}

static Datum
text_array(List *vals)
{
	Datum	   *elems = palloc(sizeof(Datum) * (list_length(vals) + 1));
	int			n = 0;
	ListCell   *lc;

	foreach(lc, vals)
		elems[n++] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* One statement evaluated: its facts (statement + context) and decision. */
typedef struct MyEval
{
	DbcMyStmt  *stmt;
	Jsonb	   *facts;
	char	   *command;
	DbcDecision decision;
} MyEval;

static List *
evaluate_script(const char *script, const char *default_schema, DbcSettings *s,
				const char *source)
{
	List	   *stmts = split_or_fail(script);
	List	   *out = NIL;
	DbcMySession session = {default_schema ? pstrdup(default_schema) : NULL, false};
	ListCell   *lc;

	foreach(lc, stmts)
	{
		MyEval	   *e = palloc0(sizeof(MyEval));
		JsonbParseState *st = NULL;
		JsonbValue *res;

		e->stmt = (DbcMyStmt *) lfirst(lc);
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		dbc_mysql_classify(&st, e->stmt, &session);
		dbc_context_facts(&st, s, source, "mysql");
		res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
		e->facts = JsonbValueToJsonb(res);
		e->command = dbc_facts_get_text(e->facts, "command");
		dbc_decide(e->facts, s, &e->decision);
		out = lappend(out, e);
	}
	return out;
}

/*
 * The source of a MySQL change, for submit_mysql() and its dry run
 * evaluate_mysql() alike: the policies must not see a source no change can have.
 */
static const char *
check_source(const char *source)
{
	if (strcmp(source, "submit") != 0 && strcmp(source, "promotion") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid source \"%s\" for a MySQL change", source),
				 errdetail("A MySQL change arrives by submit, or by promotion from another control database."),
				 errhint("Pass 'submit' (the default) or 'promotion'.")));
	return source;
}

/*
 * dbchange.evaluate_mysql(sql text, environment text, source text): what the
 * policies would decide for each statement of a MySQL script; runs nothing.
 */
Datum
dbc_evaluate_mysql(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DbcSettings s;
	List	   *evals;
	ListCell   *lc;
	const char *source;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the MySQL script must not be null")));
	load_settings(&s);
	if (!PG_ARGISNULL(1))
		s.environment = text_to_cstring(PG_GETARG_TEXT_PP(1));
	source = check_source(PG_ARGISNULL(2) ? "submit" : text_to_cstring(PG_GETARG_TEXT_PP(2)));
	InitMaterializedSRF(fcinfo, 0);
	evals = evaluate_script(text_to_cstring(PG_GETARG_TEXT_PP(0)), NULL, &s, source);
	foreach(lc, evals)
	{
		MyEval	   *e = (MyEval *) lfirst(lc);
		Datum		values[7];
		bool		nulls[7] = {false};

		values[0] = Int32GetDatum(e->stmt->statement_no);
		values[1] = CStringGetTextDatum(e->stmt->text);
		values[2] = CStringGetTextDatum(e->command ? e->command : "UNKNOWN");
		values[3] = CStringGetTextDatum(dbc_action_name(e->decision.action));
		if (e->decision.risk == DBC_RISK_NONE)
			nulls[4] = true;
		else
			values[4] = CStringGetTextDatum(dbc_risk_name(e->decision.risk));
		values[5] = text_array(e->decision.reasons);
		values[6] = JsonbPGetDatum(e->facts);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ---- submit_mysql ---- */

static void
put_decision(JsonbParseState **st, const DbcDecision *d)
{
	dbc_put_text(st, "action", dbc_action_name(d->action));
	if (d->risk == DBC_RISK_NONE)
		dbc_put_null(st, "risk");
	else
		dbc_put_text(st, "risk", dbc_risk_name(d->risk));
	dbc_put_text_list(st, "reasons", d->reasons);
}

typedef struct SubmitArg
{
	Jsonb	   *record;
	const char *target;
	const char *uid;
	const char *script;
	int64		id;
} SubmitArg;

/*
 * Same uid already here?  A promotion that runs twice must not store the
 * change twice; a different text under the same uid is an edited change.
 */
static int64
existing_change(SubmitArg *a)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	int64		id;
	bool		isnull;
	bool		same;
	char	   *dialect;

	values[0] = CStringGetTextDatum(a->uid);
	values[1] = CStringGetTextDatum(a->script);
	if (SPI_execute_with_args("SELECT id, checksum = dbchange._checksum($2), dialect "
							  "FROM dbchange.change WHERE uid = $1::uuid ORDER BY id LIMIT 1",
							  2, argtypes, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not look up change uid %s", a->uid);
	if (SPI_processed == 0)
		return -1;
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	same = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	dialect = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	if (strcmp(dialect, "mysql") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("change %s already exists here as a PostgreSQL change", a->uid),
				 errdetail("Change %lld has that uid and dialect %s; a uid names one change in every environment.",
						   (long long) id, dialect)));
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("change %s already exists here with a different text", a->uid),
				 errdetail("Change %lld has that uid but another checksum: the script was edited after it was first submitted.",
						   (long long) id),
				 errhint("Submit the edited script as a new change (without a uid).")));
	return id;
}

static int64
record_cb(void *arg)
{
	SubmitArg  *a = (SubmitArg *) arg;
	Oid			argtypes[2] = {JSONBOID, TEXTOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (a->uid && (a->id = existing_change(a)) >= 0)
	{
		SPI_finish();
		return a->id;
	}
	values[0] = JsonbPGetDatum(a->record);
	if (SPI_execute_with_args("SELECT dbchange._record($1)", 1, argtypes, values, NULL,
							  false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "dbchange._record failed");
	a->id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	values[0] = Int64GetDatum(a->id);
	argtypes[0] = INT8OID;
	if (a->target)
		values[1] = CStringGetTextDatum(a->target);
	else
		nulls[1] = 'n';
	if (SPI_execute_with_args("UPDATE dbchange.change SET dialect = 'mysql', target = $2 WHERE id = $1",
							  2, argtypes, values, nulls, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not mark change %lld as a MySQL change", (long long) a->id);
	SPI_finish();
	return a->id;
}

static void
check_target_name(const char *t)
{
	const char *p;
	size_t		len = strlen(t);
	/* MySQL refuses a database name that ends with a space */
	bool		bad = len == 0 || len > 64 || t[len - 1] == ' ';

	for (p = t; *p && !bad; p++)
		if (*p == '/' || *p == '\\' || *p == '.' || iscntrl((unsigned char) *p))
			bad = true;
	if (bad)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid MySQL target database name \"%s\"", t),
				 errdetail("The target of a MySQL change is the name of the MySQL database it is meant for: 1 to 64 characters, without \"/\", \"\\\" or \".\", not ending with a space."),
				 errhint("Pass the database name of the mysql:// URI the change will be promoted to, or NULL for any target.")));
}

/* May the caller act as a deployer (superuser or member of dbchange_deployer)? */
static bool
caller_is_deployer(void)
{
	bool		isnull;
	Datum		d;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT dbchange._caller_is('dbchange_deployer')", true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not check the caller's roles");
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	SPI_finish();
	return !isnull && DatumGetBool(d);
}

/*
 * dbchange.submit_mysql(script text, target text, description text, uid uuid,
 * source text, requested_by text, origin jsonb) returns the id of the stored
 * change.  source is 'submit', or 'promotion' for a change carried from
 * another control database (deployers only: policies may trust promotions
 * more); a promotion passes the original requester and the provenance (with
 * the logins that made it at the source), which approve() refuses as
 * approvers, like a PostgreSQL change's (submit_promoted()).  Status: approved when every
 * statement is approved, pending when any is queued, rejected when any is
 * rejected (the policies' reasons are kept either way).
 */
Datum
dbc_submit_mysql(PG_FUNCTION_ARGS)
{
	DbcSettings s;
	List	   *evals;
	ListCell   *lc;
	DbcDecision all;
	JsonbParseState *st = NULL;
	JsonbValue *res;
	SubmitArg	a;
	char	   *script;
	const char *status;
	const char *source;
	const char *appname = GetConfigOption("application_name", true, false);
	char	   *command = NULL;
	char	   *requested_by = NULL;
	Jsonb	   *origin = NULL;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the MySQL script must not be null")));
	memset(&a, 0, sizeof(a));
	script = text_to_cstring(PG_GETARG_TEXT_PP(0));
	a.script = script;
	a.target = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (a.target)
		check_target_name(a.target);
	if (!PG_ARGISNULL(3))
		a.uid = DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(3)));
	source = check_source(PG_NARGS() > 4 && !PG_ARGISNULL(4) ? text_to_cstring(PG_GETARG_TEXT_PP(4)) : "submit");
	if (strcmp(source, "promotion") == 0 && !caller_is_deployer())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to submit a MySQL change as a promotion"),
				 errdetail("Role \"%s\" is neither a superuser nor a member of dbchange_deployer; policies may treat promotions differently from submissions.",
						   GetUserNameFromId(GetUserId(), false)),
				 errhint("Submit it with source 'submit', or ask a deployer to promote it.")));
	/* a promotion's original requester and provenance (submit_promoted() keeps them too) */
	if (PG_NARGS() > 5 && !PG_ARGISNULL(5))
		requested_by = text_to_cstring(PG_GETARG_TEXT_PP(5));
	if (PG_NARGS() > 6 && !PG_ARGISNULL(6))
		origin = PG_GETARG_JSONB_P(6);
	if ((requested_by || origin) && strcmp(source, "promotion") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("requested_by and origin are only for a promoted MySQL change"),
				 errdetail("A submitted change's requester is the role that submits it."),
				 errhint("Leave them out, or pass source => 'promotion' (deployers only).")));

	load_settings(&s);
	evals = evaluate_script(script, a.target, &s, source);

	memset(&all, 0, sizeof(all));
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	dbc_put_key(&st, "statements");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, evals)
	{
		MyEval	   *e = (MyEval *) lfirst(lc);
		DbcDecision copy = e->decision;

		/* combining concatenates lists: hand it copies */
		copy.reasons = list_copy(e->decision.reasons);
		copy.policies = list_copy(e->decision.policies);
		dbc_combine(&all, &copy);
		if (command == NULL)
			command = e->command;
		else if (strcmp(command, e->command) != 0)
			command = "SCRIPT";
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		dbc_put_text(&st, "statement", e->stmt->text);
		dbc_put_text(&st, "command", e->command);
		put_decision(&st, &e->decision);
		dbc_put_jsonb(&st, "facts", e->facts);
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);

	status = all.action == DBC_REJECT ? "rejected" :
		all.action == DBC_QUEUE ? "pending" : "approved";
	dbc_put_text(&st, "status", status);
	dbc_put_text(&st, "statement", script);
	dbc_put_text(&st, "command", command);
	dbc_put_text(&st, "requested_by", requested_by ? requested_by : GetUserNameFromId(GetUserId(), false));
	dbc_put_int(&st, "requested_by_oid", GetUserId());
	/* a promoted change keeps its requester; the audit trail names the deployer */
	if (requested_by)
		dbc_put_text(&st, "actor", GetUserNameFromId(GetOuterUserId(), false));
	if (origin)
		dbc_put_jsonb(&st, "origin", origin);
	dbc_put_null(&st, "search_path");
	dbc_put_text(&st, "source", source);
	dbc_put_text(&st, "application_name", appname ? appname : "");
	put_decision(&st, &all);
	dbc_put_text_list(&st, "policies", all.policies);
	dbc_put_text(&st, "flow", all.flow);
	if (!PG_ARGISNULL(2))
		dbc_put_text(&st, "description", text_to_cstring(PG_GETARG_TEXT_PP(2)));
	if (a.uid)
		dbc_put_text(&st, "uid", a.uid);
	dbc_put_jsonb(&st, "facts", ((MyEval *) linitial(evals))->facts);
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	a.record = JsonbValueToJsonb(res);

	PG_RETURN_INT64(dbc_as_catalog_owner(record_cb, &a));
}
