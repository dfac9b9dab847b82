/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Reading settings and writing the change catalog from C.
 *
 * Two paths write changes.  Queued and rejected statements are committed by
 * a background worker (durable.c) through dbchange._record(), from a jsonb
 * record built here.  Approved statements are recorded in the statement's
 * own transaction on the path of every approved DDL statement, so that path
 * writes as little as it can -- one change row (its facts and objects
 * inline; 00_catalog.sql; its audit event follows when the chain is
 * sealed) -- and writes it directly (rowinsert.c), or through a kept plan
 * when a trigger must fire.
 *
 * The statement's user has no write access to dbchange's tables, so writes
 * run as the catalog owner (SECURITY_LOCAL_USERID_CHANGE, the way matview.c
 * and pg_cron switch user).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/toast_compression.h"
#include "access/toast_internals.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/sha2.h"
#include "executor/executor.h"
#include "mb/pg_wchar.h"
#include "commands/async.h"
#include "utils/array.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "dbchange.h"

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
 * This environment's settings, cached per backend: the gate needs them for
 * every DDL statement.  Rows of dbchange.settings are key/value pairs; a
 * missing key takes its documented default, so pg_dump/restore of the table
 * never conflicts with what CREATE EXTENSION inserts (nothing).  configure()
 * sends a relcache invalidation for the table (dbchange._invalidate), which
 * every backend receives at its next command; so does dropping the table.
 */
static DbcSettings cached_settings;
static bool settings_valid = false;
static Oid	settings_relid = InvalidOid;
static bool settings_callback_set = false;

static void
settings_inval(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == settings_relid)
		settings_valid = false;
}

/*
 * Enter a GUC nest level with search_path "pg_catalog, pg_temp" (for SQL run
 * as the catalog owner: the caller's path could put their own operators and
 * functions first).  Leave it with dbc_restore_search_path(level); an error
 * in between unwinds it with the (sub)transaction.
 */
int
dbc_safe_search_path(void)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return level;
}

void
dbc_restore_search_path(int level)
{
	AtEOXact_GUC(false, level);
}

/*
 * Run a read-only query of dbchange's own (fixed text, SPI connected) under
 * the newest snapshot rather than the transaction's, for what a backend
 * reads into a per-session cache (settings, policies, the roles fact) that
 * only an invalidation empties.  Under REPEATABLE READ or SERIALIZABLE the
 * transaction's snapshot can be older than the invalidation that emptied
 * the cache: the cache was then filled again with the rows from before the
 * change, kept as valid, and the session went on with them after COMMIT --
 * the policies, environment and default action, or roles, from before a
 * policy admin's or DBA's change, for as long as the session lasted.  The
 * newest snapshot sees every change whose invalidation has arrived (a
 * transaction is visible before it sends its invalidations); the caller
 * marks its cache valid before reading, so one that arrives later wins.
 */
int
dbc_spi_read_latest(const char *sql, int nargs, Oid *argtypes, Datum *values)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);
	int			rc;

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	rc = SPI_execute_snapshot(plan, values, NULL, GetLatestSnapshot(), InvalidSnapshot,
							  true, false, 0);
	SPI_freeplan(plan);
	return rc;
}

static void
read_settings(DbcSettings *s)
{
	int			i;
	int			level;

	s->environment = "dev";
	s->rollout = "manual";
	s->default_action = DBC_APPROVE;

	level = dbc_safe_search_path();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (dbc_spi_read_latest("SELECT key, value FROM dbchange.settings", 0, NULL, NULL) != SPI_OK_SELECT)
		elog(ERROR, "could not read dbchange.settings");
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *key = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		char	   *val = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

		if (val == NULL)
			continue;
		if (strcmp(key, "environment") == 0)
			s->environment = MemoryContextStrdup(TopMemoryContext, val);
		else if (strcmp(key, "rollout") == 0)
			s->rollout = MemoryContextStrdup(TopMemoryContext, val);
		else if (strcmp(key, "default_action") == 0)
			s->default_action = action_from_name(val);
	}
	SPI_finish();
	dbc_restore_search_path(level);
}

void
dbc_load_settings(DbcSettings *s)
{
	if (!settings_callback_set)
	{
		CacheRegisterRelcacheCallback(settings_inval, (Datum) 0);
		settings_callback_set = true;
	}
	/*
	 * A change another session committed reaches this statement even in a
	 * transaction that already holds every lock it takes (which is where
	 * invalidations are otherwise read).
	 */
	AcceptInvalidationMessages();
	if (!settings_valid)
	{
		settings_relid = get_relname_relid("settings", dbc_schema_oid());
		/* valid from here: an invalidation that arrives while we read wins */
		settings_valid = true;
		PG_TRY();
		{
			read_settings(&cached_settings);
		}
		PG_CATCH();
		{
			settings_valid = false;
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	*s = cached_settings;
}

/* dbchange._invalidate(regclass): tell every backend to drop what it cached of a table. */
PG_FUNCTION_INFO_V1(dbc_invalidate);
Datum
dbc_invalidate(PG_FUNCTION_ARGS)
{
	CacheInvalidateRelcacheByRelid(PG_GETARG_OID(0));
	PG_RETURN_VOID();
}

/*
 * Run fn(arg) as the catalog owner, restoring the user on the way out.  With
 * safe_path, also under the safe search_path, as everything that runs SQL
 * must.  The approve path goes without: the direct row writer (rowinsert.c)
 * resolves no names (defaults and CHECK constraints are stored trees), and
 * whatever runs SQL on that path (the settings loaders, the SQL fallback)
 * sets the path itself -- switching it costs every approved statement a
 * namespace path recomputation on the way in and again on the way out.
 */
static int64
as_owner(int64 (*fn) (void *), void *arg, bool safe_path)
{
	Oid			save_uid;
	int			save_ctx;
	volatile int save_nestlevel = 0;
	volatile int64 result = 0;

	GetUserIdAndSecContext(&save_uid, &save_ctx);
	SetUserIdAndSecContext(dbc_catalog_owner(), save_ctx | SECURITY_LOCAL_USERID_CHANGE);
	if (safe_path)
		save_nestlevel = dbc_safe_search_path();
	PG_TRY();
	{
		result = fn(arg);
	}
	PG_FINALLY();
	{
		if (safe_path)
			dbc_restore_search_path(save_nestlevel);
		SetUserIdAndSecContext(save_uid, save_ctx);
	}
	PG_END_TRY();
	return result;
}

static int64
as_catalog_owner(int64 (*fn) (void *), void *arg)
{
	return as_owner(fn, arg, true);
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
	/* a queued statement keeps the relations its names stood for, for apply() */
	if (d->action == DBC_QUEUE)
		facts = dbc_facts_merge(facts, dbc_checked_relations_facts(facts));
	dbc_put_jsonb(&st, "facts", facts);
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

/* ---- the approve path: prepared plans, no PL/pgSQL, one NOTIFY ---- */

static SPIPlanPtr plan_change = NULL;

static SPIPlanPtr
keep_plan(const char *sql, int nargs, Oid *types)
{
	SPIPlanPtr	p = SPI_prepare(sql, nargs, types);

	if (p == NULL)
		elog(ERROR, "dbchange: could not prepare \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	SPI_keepplan(p);
	return p;
}

static void
prepare_applied_plans(void)
{
	if (plan_change == NULL)
	{
		Oid			t[16] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, OIDOID, TEXTOID, TEXTOID,
		TEXTOID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID, TEXTOID, TEXTOID, BOOLOID, JSONBOID, JSONBOID};

		plan_change = keep_plan(
			"INSERT INTO dbchange.change (checksum, status, environment, command, statement, "
			" requested_by, requested_by_oid, search_path, source, application_name, risk, reasons, "
			" policies, flow, description, rewrote_table, facts, objects, decided_at, applied_at) "
			"VALUES (dbchange._checksum($3), "
			" 'applied', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
			" pg_catalog.clock_timestamp(), pg_catalog.clock_timestamp()) RETURNING id, uid",
			16, t);
	}
}

static Datum
text_array(List *strings)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(list_length(strings), 1));
	ListCell   *lc;
	int			n = 0;

	foreach(lc, strings)
		elems[n++] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

static Datum
text_or_null(const char *s, char *null)
{
	*null = s ? ' ' : 'n';
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

typedef struct AppliedArg
{
	const char *text;
	const char *command;		/* the facts' "command" */
	Jsonb	   *facts;
	const DbcDecision *d;
	const char *source;
	List	   *objects;
	Oid			user_oid;		/* taken before switching to the catalog owner */
	const char *search_path;
} AppliedArg;

/*
 * A change's objects as stored in change.objects: an array of
 * {action, object_type, schema_name, identity, command_tag}, in the order the
 * event triggers reported them; NULL when there are none.
 */
static Jsonb *
objects_jsonb(List *objects)
{
	JsonbParseState *st = NULL;
	JsonbValue *res;
	ListCell   *lc;

	if (objects == NIL)
		return NULL;
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, objects)
	{
		DbcObject  *o = (DbcObject *) lfirst(lc);

		/* keys in jsonb's order (shorter first, then bytewise): the sort finds them sorted */
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		dbc_put_text(&st, "action", o->action);
		dbc_put_text(&st, "identity", o->identity ? o->identity : "");
		dbc_put_text(&st, "command_tag", o->command_tag ? o->command_tag : "");
		dbc_put_text(&st, "object_type", o->object_type ? o->object_type : "");
		dbc_put_text(&st, "schema_name", o->schema_name ? o->schema_name : "");
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	res = pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	return dbc_jsonb_write(res);
}

static Datum
jsonb_or_null(Jsonb *j, char *null)
{
	*null = j ? ' ' : 'n';
	return j ? JsonbPGetDatum(j) : (Datum) 0;
}

/* What both ways of writing an applied change need. */
typedef struct AppliedRow
{
	DbcSettings s;
	const char *command;
	const char *risk;
	const char *appname;
	char	   *user;
	bool		rewrote;
} AppliedRow;

/*
 * Large facts and objects of an approved change, compressed before the row
 * is stored.  The change table keeps rows inline (toast_tuple_target = 8160,
 * 00_catalog.sql), so the toaster would not compress them below that size;
 * done here (lz4 where the server has it) a statement with many columns or
 * objects keeps its row well inside a page, and its WAL smaller.  Values
 * under COMPRESS_MIN_BYTES (the toaster's own default threshold) stay as
 * they are: a typical statement's facts are 1-2 kB, lz4 saved a third of
 * that, and its fixed cost (a 16 kB hash table cleared per call) was about
 * an eighth of the whole gate's CPU time per statement (callgrind), more
 * than the smaller WAL record saved even with fsync on.  Readers detoast
 * as usual.  (The SQL way below does not bother: the PL/pgSQL triggers it
 * runs for would hand back the values detoasted.)
 */
#define COMPRESS_MIN_BYTES 2032

static Datum
compressed_inline(Datum value)
{
	Datum		c;

	if (VARSIZE_ANY_EXHDR(DatumGetPointer(value)) < COMPRESS_MIN_BYTES)
		return value;
#ifdef USE_LZ4
	c = toast_compress_datum(value, TOAST_LZ4_COMPRESSION);
#else
	c = toast_compress_datum(value, TOAST_PGLZ_COMPRESSION);
#endif
	return c != (Datum) 0 ? c : value;
}

/*
 * The change uid: a version 7 UUID (RFC 9562), the Unix time in
 * milliseconds in its first 48 bits, the microseconds in the next 12 (so
 * that one session's uids ascend), random bytes after.  Time-ordered
 * because it is indexed (change_uid_idx): random uids (version 4) land on a
 * random leaf page each, and after every checkpoint the first change on a
 * page writes the whole page to WAL again -- with a history of many pages
 * that was 4-6 kB of WAL per statement, more than the statement itself;
 * time-ordered ones all go to the rightmost page.  The random bytes are
 * drawn 512 at a time (one OpenSSL draw per statement cost as much as the
 * rest of the row's defaults) and wiped from the pool once handed out: the
 * uid is an identifier, not a secret.  Also the column's default
 * (dbchange._uuid_v7()), so that every way a change is stored makes one.
 */
static Datum
time_ordered_uuid(void)
{
	static uint8 pool[512];
	static int	used = sizeof(pool);
	pg_uuid_t  *u = palloc(sizeof(pg_uuid_t));
	uint64		us;
	uint64		ms;
	uint32		frac;
	int			i;

	if (used + UUID_LEN > (int) sizeof(pool))
	{
		if (!pg_strong_random(pool, sizeof(pool)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate random values")));
		used = 0;
	}
	memcpy(u->data, pool + used, UUID_LEN);
	memset(pool + used, 0, UUID_LEN);
	used += UUID_LEN;
	/* GetCurrentTimestamp() counts microseconds from 2000-01-01 */
	us = (uint64) GetCurrentTimestamp() +
		(uint64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * USECS_PER_SEC;
	ms = us / 1000;
	for (i = 0; i < 6; i++)
		u->data[i] = (uint8) (ms >> (40 - 8 * i));
	/* the 12 bits after the version: the microseconds within the millisecond */
	frac = (uint32) ((us % 1000) * 4096 / 1000);
	u->data[6] = 0x70 | (uint8) (frac >> 8);	/* version 7 */
	u->data[7] = (uint8) frac;
	u->data[8] = (u->data[8] & 0x3f) | 0x80;	/* RFC 9562 variant */
	return UUIDPGetDatum(u);
}

PG_FUNCTION_INFO_V1(dbc_uuid_v7);

/* dbchange._uuid_v7() -> a new time-ordered uid (the change uid's default) */
Datum
dbc_uuid_v7(PG_FUNCTION_ARGS)
{
	return time_ordered_uuid();
}

/*
 * A uuid's text form, as uuid_out() writes it, for the notification of every
 * approved statement: uuid_out() goes through a StringInfo a character at a
 * time.
 */
static char *
uuid_text(const pg_uuid_t *u)
{
	static const char hex[] = "0123456789abcdef";
	char	   *out = palloc(2 * UUID_LEN + 5);
	char	   *p = out;
	int			i;

	for (i = 0; i < UUID_LEN; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[u->data[i] >> 4];
		*p++ = hex[u->data[i] & 0x0F];
	}
	*p = '\0';
	return out;
}

/* The SQL way: kept plans, every trigger of the tables fires. */
static void
applied_rows_spi(AppliedArg *a, AppliedRow *c, int64 *id, char **uid)
{
	Datum		v[16];
	char		n[16];
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	prepare_applied_plans();

	memset(n, ' ', sizeof(n));
	v[0] = CStringGetTextDatum(c->s.environment);
	v[1] = CStringGetTextDatum(c->command);
	v[2] = CStringGetTextDatum(a->text);
	v[3] = CStringGetTextDatum(c->user);
	v[4] = ObjectIdGetDatum(a->user_oid);
	v[5] = CStringGetTextDatum(a->search_path);
	v[6] = CStringGetTextDatum(a->source);
	v[7] = CStringGetTextDatum(c->appname);
	v[8] = text_or_null(c->risk, &n[8]);
	v[9] = text_array(a->d->reasons);
	v[10] = text_array(a->d->policies);
	v[11] = text_or_null(a->d->flow, &n[11]);
	v[12] = text_or_null(NULL, &n[12]);
	v[13] = BoolGetDatum(c->rewrote);
	v[14] = JsonbPGetDatum(a->facts);
	v[15] = jsonb_or_null(objects_jsonb(a->objects), &n[15]);
	(void) GetCurrentTransactionId();	/* before the id: see insert_applied() */
	if (SPI_execute_plan(plan_change, v, n, false, 1) != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		elog(ERROR, "dbchange: could not record the applied change");
	*id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	*uid = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	SPI_finish();
}

/* A text column's value, NULL when s is */
static void
set_text(DbcRows *r, const char *column, const char *s)
{
	dbc_rows_set(r, column, s ? CStringGetTextDatum(s) : (Datum) 0, s == NULL);
}

/*
 * The direct way (rowinsert.c): the same rows, stored without SQL, when no
 * trigger of the tables would fire for them.  Both tables are opened (and
 * judged) before anything is written; false when either must go the SQL
 * way, with nothing written.
 */
static bool
applied_rows_direct(AppliedArg *a, AppliedRow *c, int64 *id, char **uid)
{
	EState	   *estate = CreateExecutorState();
	DbcRows    *r;
	bool		pushed = false;
	bool		isnull;
	Jsonb	   *objects;

	r = dbc_rows_open(estate, "change", a->source, c->risk != NULL);
	if (r == NULL)
	{
		FreeExecutorState(estate);
		return false;
	}
	estate->es_output_cid = GetCurrentCommandId(true);
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}

	dbc_rows_set(r, "uid", time_ordered_uuid(), false);
	dbc_rows_set(r, "checksum", CStringGetTextDatum(dbc_sha256_hex(a->text)), false);
	dbc_rows_set(r, "status", CStringGetTextDatum("applied"), false);
	dbc_rows_set(r, "environment", CStringGetTextDatum(c->s.environment), false);
	dbc_rows_set(r, "command", CStringGetTextDatum(c->command), false);
	dbc_rows_set(r, "statement", CStringGetTextDatum(a->text), false);
	dbc_rows_set(r, "requested_by", CStringGetTextDatum(c->user), false);
	dbc_rows_set(r, "requested_by_oid", ObjectIdGetDatum(a->user_oid), false);
	dbc_rows_set(r, "search_path", CStringGetTextDatum(a->search_path), false);
	dbc_rows_set(r, "source", CStringGetTextDatum(a->source), false);
	dbc_rows_set(r, "application_name", CStringGetTextDatum(c->appname), false);
	set_text(r, "risk", c->risk);
	dbc_rows_set(r, "reasons", text_array(a->d->reasons), false);
	dbc_rows_set(r, "policies", text_array(a->d->policies), false);
	set_text(r, "flow", a->d->flow);
	dbc_rows_set(r, "description", (Datum) 0, true);
	dbc_rows_set(r, "rewrote_table", BoolGetDatum(c->rewrote), false);
	dbc_rows_set(r, "facts", compressed_inline(JsonbPGetDatum(a->facts)), false);
	objects = objects_jsonb(a->objects);
	dbc_rows_set(r, "objects", objects ? compressed_inline(JsonbPGetDatum(objects)) : (Datum) 0,
				 objects == NULL);
	/* clock_timestamp() each, in column order, as the SQL way evaluates them */
	dbc_rows_set(r, "created_at", TimestampTzGetDatum(GetCurrentTimestamp()), false);
	dbc_rows_set(r, "decided_at", TimestampTzGetDatum(GetCurrentTimestamp()), false);
	dbc_rows_set(r, "applied_at", TimestampTzGetDatum(GetCurrentTimestamp()), false);
	(void) GetCurrentTransactionId();	/* before the id: see insert_applied() */
	dbc_rows_insert(r);
	*id = DatumGetInt64(dbc_rows_get(r, "id", &isnull));
	*uid = uuid_text(DatumGetUUIDP(dbc_rows_get(r, "uid", &isnull)));
	dbc_rows_close(r);

	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
	if (pushed)
		PopActiveSnapshot();
	/* what SPI would do before the next statement: the rows are visible from here on */
	CommandCounterIncrement();
	return true;
}

/*
 * One change row, and no audit row: the approved statement's "applied"
 * event is written into the audit trail when the chain is next sealed
 * (dbchange._audit_seal(), 30_workflow.sql), from this row; until then the
 * audit_log view shows it as an unsealed event.  An audit row per statement
 * was a fifth of the gate's cost (a heap row and three index entries), and
 * it gave nothing a change row does not: both are written by the catalog
 * owner only, and neither is covered by a hash until the chain is sealed.
 *
 * The sealer finds such changes by id, above a low-water mark it moves only
 * when every transaction that could still hold a lower id has ended.  That
 * needs a change's id to be drawn after its transaction has an xid, hence
 * GetCurrentTransactionId() before the row is built (most DDL has one by
 * then; TRUNCATE of an empty table or COMMENT ON might not).
 */
static int64
insert_applied(void *arg)
{
	AppliedArg *a = (AppliedArg *) arg;
	AppliedRow	c;
	int64		id;
	char	   *uid;
	ListCell   *lc;
	StringInfoData payload;
	char		idtext[MAXINT8LEN + 1];

	c.command = a->command;
	c.risk = a->d->risk == DBC_RISK_NONE ? NULL : dbc_risk_name(a->d->risk);
	/* the settings' own variables: GetConfigOption searches every setting by name */
	c.appname = application_name ? application_name : "";
	c.user = GetUserNameFromId(a->user_oid, false);
	c.rewrote = false;
	foreach(lc, a->objects)
		if (strcmp(((DbcObject *) lfirst(lc))->action, "rewritten") == 0)
			c.rewrote = true;
	dbc_load_settings(&c.s);

	if (!applied_rows_direct(a, &c, &id, &uid))
	{
		int			level = dbc_safe_search_path();

		applied_rows_spi(a, &c, &id, &uid);
		dbc_restore_search_path(level);
	}

	/* put together without a format: this is on every approved statement's path */
	initStringInfo(&payload);
	appendStringInfoString(&payload, "{\"event\": \"applied\", \"id\": ");
	pg_lltoa(id, idtext);
	appendStringInfoString(&payload, idtext);
	appendStringInfoString(&payload, ", \"uid\": \"");
	appendStringInfoString(&payload, uid);
	appendStringInfoString(&payload, "\", \"status\": \"applied\", \"environment\": ");
	escape_json(&payload, c.s.environment);
	appendStringInfoString(&payload, ", \"actor\": ");
	escape_json(&payload, c.user);
	appendStringInfoString(&payload, ", \"risk\": ");
	if (c.risk)
		escape_json(&payload, c.risk);
	else
		appendStringInfoString(&payload, "null");
	appendStringInfoChar(&payload, '}');
	Async_Notify("dbchange", payload.data);
	return id;
}

/*
 * An approved statement that ran: recorded in the statement's own
 * transaction, with the objects it touched.  This is on the path of every
 * approved DDL statement, so it uses kept plans and direct INSERTs (the
 * durable path below may afford PL/pgSQL).
 */
int64
dbc_record_applied(const char *text, const char *command, Jsonb *facts, const DbcDecision *d,
				   const char *source, List *objects)
{
	AppliedArg	a;

	a.text = text;
	a.command = command;
	a.facts = facts;
	a.d = d;
	a.source = source;
	a.objects = objects;
	/* the requester and their search_path, not the catalog owner's (as_catalog_owner switches) */
	a.user_oid = GetUserId();
	a.search_path = pstrdup(namespace_search_path ? namespace_search_path : "");
	return as_owner(insert_applied, &a, false);
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

static SPIPlanPtr plan_objects = NULL;

/*
 * Append objects to a change's list (a submitted change being applied); the
 * caller is connected to SPI as the catalog owner.
 */
static void
append_objects(int64 change_id, List *objects)
{
	Datum		v[2];

	if (plan_objects == NULL)
	{
		Oid			t[2] = {INT8OID, JSONBOID};

		plan_objects = keep_plan("SELECT dbchange._record_objects($1, $2)", 2, t);
	}
	v[0] = Int64GetDatum(change_id);
	v[1] = JsonbPGetDatum(objects_jsonb(objects));
	if (SPI_execute_plan(plan_objects, v, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "dbchange: could not record the objects of change " INT64_FORMAT, change_id);
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

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	append_objects(oa->change_id, oa->objects);
	SPI_finish();
	return 0;
}

/* The objects an applied change touched (e.g. by apply()), in the same transaction. */
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

/* For other parts of dbchange: run fn(arg) as the catalog owner (see above). */
int64
dbc_as_catalog_owner(int64 (*fn) (void *), void *arg)
{
	return as_catalog_owner(fn, arg);
}
