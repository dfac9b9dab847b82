/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Reading settings and writing the change catalog from C.
 *
 * All writes go through SQL functions of the extension script
 * (dbchange._record, dbchange._record_objects) so the in-session path
 * (approved statements, recorded in the statement's own transaction) and the
 * durable path (queued and rejected statements, committed by a background
 * worker; durable.c) store exactly the same thing.  The record passed to
 * dbchange._record is a jsonb document built here.
 *
 * The statement's user has no write access to dbchange's tables, so writes
 * run as the catalog owner (SECURITY_LOCAL_USERID_CHANGE, the way matview.c
 * and pg_cron switch user).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

#include "dbchange.h"

/* Copy a string into the memory context that was current before SPI_connect. */
static char *
spi_strdup(const char *str)
{
	size_t		len = strlen(str) + 1;

	return memcpy(SPI_palloc(len), str, len);
}

static DbcAction
action_from_name(const char *name)
{
	if (strcmp(name, "queue") == 0)
		return DBC_QUEUE;
	if (strcmp(name, "reject") == 0)
		return DBC_REJECT;
	return DBC_APPROVE;
}

/*
 * This environment's settings.  Rows of dbchange.settings are key/value
 * pairs; a missing key takes its documented default, so pg_dump/restore of
 * the table never conflicts with what CREATE EXTENSION inserts (nothing).
 */
void
dbc_load_settings(DbcSettings *s)
{
	int			i;

	s->environment = "dev";
	s->rollout = "manual";
	s->default_action = DBC_APPROVE;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT key, value FROM dbchange.settings", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read dbchange.settings");
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *key = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		char	   *val = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

		if (val == NULL)
			continue;
		if (strcmp(key, "environment") == 0)
			s->environment = spi_strdup(val);
		else if (strcmp(key, "rollout") == 0)
			s->rollout = spi_strdup(val);
		else if (strcmp(key, "default_action") == 0)
			s->default_action = action_from_name(val);
	}
	SPI_finish();
}

/* Run fn(arg) as the catalog owner, restoring the user on the way out. */
static int64
as_catalog_owner(int64 (*fn) (void *), void *arg)
{
	Oid			save_uid;
	int			save_ctx;
	int			save_nestlevel;
	volatile int64 result = 0;

	GetUserIdAndSecContext(&save_uid, &save_ctx);
	SetUserIdAndSecContext(dbc_catalog_owner(), save_ctx | SECURITY_LOCAL_USERID_CHANGE);
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	PG_TRY();
	{
		result = fn(arg);
	}
	PG_FINALLY();
	{
		AtEOXact_GUC(false, save_nestlevel);
		SetUserIdAndSecContext(save_uid, save_ctx);
	}
	PG_END_TRY();
	return result;
}

static void
put_decision(JsonbParseState **st, const DbcDecision *d)
{
	dbc_put_text(st, "action", dbc_action_name(d->action));
	if (d->risk == DBC_RISK_NONE)
		dbc_put_null(st, "risk");
	else
		dbc_put_text(st, "risk", dbc_risk_name(d->risk));
	dbc_put_text_list(st, "reasons", d->reasons);
	dbc_put_text_list(st, "policies", d->policies);
	dbc_put_text(st, "flow", d->flow);
}

/*
 * The record dbchange._record() stores: one change of one statement.  Status
 * follows from the decision: approve -> applied (it ran), queue -> pending,
 * reject -> rejected.
 */
static Jsonb *
build_record(const char *text, Jsonb *facts, const DbcDecision *d, const char *source)
{
	JsonbParseState *st = NULL;
	JsonbValue	fv;
	JsonbValue *res;
	const char *status = d->action == DBC_APPROVE ? "applied" :
		d->action == DBC_QUEUE ? "pending" : "rejected";
	const char *appname = GetConfigOption("application_name", true, false);
	char	   *command = dbc_facts_get_text(facts, "command");

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	dbc_put_text(&st, "status", status);
	dbc_put_text(&st, "statement", text);
	dbc_put_text(&st, "command", command ? command : "???");
	dbc_put_text(&st, "requested_by", GetUserNameFromId(GetUserId(), false));
	dbc_put_int(&st, "requested_by_oid", GetUserId());
	dbc_put_text(&st, "search_path", GetConfigOption("search_path", false, false));
	dbc_put_text(&st, "source", source);
	dbc_put_text(&st, "application_name", appname ? appname : "");
	put_decision(&st, d);
	dbc_put_key(&st, "facts");
	fv.type = jbvBinary;
	fv.val.binary.data = &facts->root;
	fv.val.binary.len = VARSIZE(facts) - VARHDRSZ;
	pushJsonbValue(&st, WJB_VALUE, &fv);
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

static int64
call_record(void *arg)
{
	Oid			argtypes[1] = {JSONBOID};
	Datum		values[1];
	bool		isnull;
	int64		id;

	values[0] = JsonbPGetDatum((Jsonb *) arg);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT dbchange._record($1)", 1, argtypes, values, NULL,
							  false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "dbchange._record failed");
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return id;
}

/* An approved statement that ran: recorded in the statement's own transaction. */
int64
dbc_record_applied(const char *text, Jsonb *facts, const DbcDecision *d, const char *source)
{
	return as_catalog_owner(call_record, build_record(text, facts, d, source));
}

/*
 * A queued or rejected statement: its transaction is about to abort, so the
 * record is committed by a background worker.  Returns the change id, or -1
 * with *why_not set.
 */
int64
dbc_record_refused(const char *text, Jsonb *facts, const DbcDecision *d, const char *source,
				   char **why_not)
{
	return dbc_durable_record(build_record(text, facts, d, source), why_not);
}

typedef struct ObjectsArg
{
	int64		change_id;
	List	   *objects;
} ObjectsArg;

static int64
call_record_objects(void *arg)
{
	ObjectsArg *oa = (ObjectsArg *) arg;
	JsonbParseState *st = NULL;
	JsonbValue *res;
	ListCell   *lc;
	Oid			argtypes[2] = {INT8OID, JSONBOID};
	Datum		values[2];

	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, oa->objects)
	{
		DbcObject  *o = (DbcObject *) lfirst(lc);

		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		dbc_put_text(&st, "action", o->action);
		dbc_put_text(&st, "object_type", o->object_type);
		dbc_put_text(&st, "schema_name", o->schema_name);
		dbc_put_text(&st, "identity", o->identity);
		dbc_put_text(&st, "command_tag", o->command_tag);
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	res = pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	values[0] = Int64GetDatum(oa->change_id);
	values[1] = JsonbPGetDatum(JsonbValueToJsonb(res));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT dbchange._record_objects($1, $2)", 2, argtypes, values,
							  NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "dbchange._record_objects failed");
	SPI_finish();
	return 0;
}

/* The objects an applied change touched, in the same transaction. */
void
dbc_record_objects(int64 change_id, List *objects)
{
	ObjectsArg	oa;

	if (objects == NIL)
		return;
	oa.change_id = change_id;
	oa.objects = objects;
	(void) as_catalog_owner(call_record_objects, &oa);
}
