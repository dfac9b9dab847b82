/*-------------------------------------------------------------------------
 *
 * facts.c
 *	  The change facts document: a jsonb object per statement.
 *
 * The classifier (classify.c, and later a MySQL classifier) writes the
 * statement's own facts; this file adds the context every policy sees
 * (environment, user, roles, time, source, ...).  The document is what
 * dbchange.classify() returns, what the Lua engine turns into the table a
 * policy's check() receives, and what the catalog stores with each statement.
 * Field names are a public API: see docs/facts.md.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/syscache.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/datetime.h"
#include "pgtime.h"

#include "dbchange.h"

/*
 * Keys and scalar values go straight into the open object's pair array --
 * what pushJsonbValue's appendKey()/appendValue() do, without its dispatch
 * on the token and the value's type (some 200 instructions a key, and a
 * statement's facts have ~60-200 of them).  Anything else (a full array,
 * a key for a nested container's value, an array element) takes
 * pushJsonbValue as before; both leave the parse state the same.
 */
void
dbc_put_key_n(JsonbParseState **st, const char *key, int keylen)
{
	JsonbParseState *ps = *st;
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = keylen;
	if (ps != NULL && ps->contVal.type == jbvObject &&
		ps->contVal.val.object.nPairs < ps->size)
	{
		JsonbPair  *pair = &ps->contVal.val.object.pairs[ps->contVal.val.object.nPairs];

		pair->key = k;
		pair->order = ps->contVal.val.object.nPairs;
		return;
	}
	pushJsonbValue(st, WJB_KEY, &k);
}

/* The value of the key just put (a scalar). */
static inline void
put_value(JsonbParseState **st, JsonbValue *v)
{
	JsonbParseState *ps = *st;

	Assert(ps != NULL && ps->contVal.type == jbvObject);
	ps->contVal.val.object.pairs[ps->contVal.val.object.nPairs++].value = *v;
}

/*
 * The order jsonb keeps an object's keys in (lengthCompareJsonbPair in
 * jsonb_util.c): shorter first, then bytewise; of two equal keys the later
 * one first, because jsonb keeps the first of equal keys after sorting and
 * the last value given for a key must win.
 */
static inline int
pair_order(const JsonbPair *a, const JsonbPair *b)
{
	int			res;

	if (a->key.val.string.len != b->key.val.string.len)
		return a->key.val.string.len > b->key.val.string.len ? 1 : -1;
	res = memcmp(a->key.val.string.val, b->key.val.string.val, a->key.val.string.len);
	if (res != 0)
		return res;
	return a->order > b->order ? -1 : 1;
}

#define ST_SORT sort_pairs
#define ST_ELEMENT_TYPE JsonbPair
#define ST_COMPARE(a, b) pair_order(a, b)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * Close the object being built, returning what pushJsonbValue returns.
 * pushJsonbValue sorts the keys itself, with the generic qsort_arg: a
 * comparator call and a bytewise swap of a 72-byte pair at every step.
 * For a statement's facts (a top level of some 45 keys, a few smaller
 * objects) that sort was the largest single cost of building them
 * (callgrind: ~70,000 instructions of the ~160,000).  Sorted here with the
 * comparison inlined and typed swaps, its own sort finds the keys in order
 * and stops after one pass (sort_template.h's presorted check).
 */
/*
 * The classifier builds the same kinds of object statement after statement,
 * their keys the same string constants put in the same order: the order a
 * sort found for one object is kept (by the addresses of its keys) and
 * tried first on the next with the same keys.  Whatever it gives is checked
 * to be in order -- a key at a reused address may say something else now --
 * and sorted the usual way if it is not, so a kept order can cost time,
 * never correctness.
 */
#define KEPT_ORDERS 32			/* objects of different keys kept */
#define KEPT_ORDER_MAX 96		/* keys in an object whose order is kept */

typedef struct KeptOrder
{
	int			n;
	const char *keys[KEPT_ORDER_MAX];	/* in the order they were put */
	uint8		from[KEPT_ORDER_MAX];	/* sorted position i holds put number from[i] */
} KeptOrder;

static KeptOrder *kept_orders = NULL;

static KeptOrder *
kept_order_slot(const JsonbPair *pairs, int n)
{
	uintptr_t	h = (uintptr_t) pairs[0].key.val.string.val ^
		((uintptr_t) pairs[n - 1].key.val.string.val >> 3) ^ (uintptr_t) n;

	if (kept_orders == NULL)
		kept_orders = MemoryContextAllocZero(TopMemoryContext, KEPT_ORDERS * sizeof(KeptOrder));
	return &kept_orders[(h >> 4) % KEPT_ORDERS];
}

/* Put pairs in the kept order if it is theirs; false if it is not (nothing moved). */
static bool
apply_kept_order(const KeptOrder *k, JsonbPair *pairs, int n)
{
	JsonbPair	put[KEPT_ORDER_MAX];
	int			i;

	if (k->n != n)
		return false;
	for (i = 0; i < n; i++)
		if (k->keys[i] != pairs[i].key.val.string.val)
			return false;
	memcpy(put, pairs, n * sizeof(JsonbPair));
	for (i = 0; i < n; i++)
		pairs[i] = put[k->from[i]];
	for (i = 1; i < n; i++)
		if (pair_order(&pairs[i - 1], &pairs[i]) > 0)
		{
			memcpy(pairs, put, n * sizeof(JsonbPair));
			return false;
		}
	return true;
}

/* Remember the order just sorted (pairs[i].order is the put number). */
static void
keep_order(KeptOrder *k, const JsonbPair *pairs, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		k->keys[pairs[i].order] = pairs[i].key.val.string.val;
		k->from[i] = (uint8) pairs[i].order;
	}
	k->n = n;
}

static void
sort_object(JsonbPair *pairs, int n)
{
	KeptOrder  *k;
	int			i;

	if (n > KEPT_ORDER_MAX)
	{
		sort_pairs(pairs, n);
		return;
	}
	/* keep orders only when pairs[i].order is the put number (always, from dbc_put_key) */
	for (i = 0; i < n; i++)
		if (pairs[i].order != (uint32) i)
		{
			sort_pairs(pairs, n);
			return;
		}
	k = kept_order_slot(pairs, n);
	if (apply_kept_order(k, pairs, n))
		return;
	sort_pairs(pairs, n);
	keep_order(k, pairs, n);
}

/*
 * Of keys put twice, the one put last stays (pair_order sorts it first),
 * as pushJsonbValue's own uniqueifyJsonbObject does.
 */
static int
drop_repeated_keys(JsonbPair *pairs, int n)
{
	int			kept = 1;
	int			i;

	for (i = 1; i < n; i++)
	{
		const JsonbValue *a = &pairs[kept - 1].key;
		const JsonbValue *b = &pairs[i].key;

		if (a->val.string.len == b->val.string.len &&
			memcmp(a->val.string.val, b->val.string.val, a->val.string.len) == 0)
			continue;
		if (kept != i)
			pairs[kept] = pairs[i];
		kept++;
	}
	return kept;
}

/*
 * Close the object being built and hand it to its parent, as
 * pushJsonbValue(WJB_END_OBJECT) does -- sorted and without repeated keys --
 * but for the top level and an object's value without its second pass over
 * the sorted keys (a comparator call per key, to find them in order and
 * none repeated).
 */
JsonbValue *
dbc_end_object(JsonbParseState **st)
{
	JsonbParseState *ps = *st;
	JsonbValue *obj = &ps->contVal;
	JsonbParseState *parent = ps->next;

	Assert(obj->type == jbvObject);
	if (obj->val.object.nPairs > 1)
	{
		sort_object(obj->val.object.pairs, obj->val.object.nPairs);
		obj->val.object.nPairs = drop_repeated_keys(obj->val.object.pairs, obj->val.object.nPairs);
	}
	if (parent == NULL)
	{
		*st = NULL;
		return obj;
	}
	if (parent->contVal.type == jbvObject)
	{
		/* the value of the key put last (dbc_put_key or pushJsonbValue's WJB_KEY) */
		*st = parent;
		parent->contVal.val.object.pairs[parent->contVal.val.object.nPairs++].value = *obj;
		return obj;
	}
	/* an array's element: pushJsonbValue appends it (its pass finds the keys in order) */
	return pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

static void
put_scalar(JsonbParseState **st, const char *key, int keylen, JsonbValue *v)
{
	dbc_put_key_n(st, key, keylen);
	put_value(st, v);
}

void
dbc_put_text_n(JsonbParseState **st, const char *key, int keylen, const char *val)
{
	JsonbValue	v;

	if (val == NULL)
	{
		dbc_put_null_n(st, key, keylen);
		return;
	}
	v.type = jbvString;
	v.val.string.val = (char *) val;
	v.val.string.len = strlen(val);
	put_scalar(st, key, keylen, &v);
}

void
dbc_put_bool_n(JsonbParseState **st, const char *key, int keylen, bool val)
{
	JsonbValue	v;

	v.type = jbvBool;
	v.val.boolean = val;
	put_scalar(st, key, keylen, &v);
}

/*
 * Numerics of small integers, made once per backend.  int64_to_numeric()
 * costs some 600 instructions (a division loop and a palloc); the facts hold
 * a few dozen small integers per statement (the clock's fields, column
 * counts, typmods), and jsonb copies a numeric's bytes when it serializes,
 * so one shared read-only copy per value serves every document.
 */
#define SMALL_INT_CACHE 4096

static Numeric
small_int_numeric(int64 val)
{
	static Numeric *cache = NULL;

	if (val < 0 || val >= SMALL_INT_CACHE)
		return int64_to_numeric(val);
	if (cache == NULL)
		cache = MemoryContextAllocZero(TopMemoryContext, SMALL_INT_CACHE * sizeof(Numeric));
	if (cache[val] == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		cache[val] = int64_to_numeric(val);
		MemoryContextSwitchTo(old);
	}
	return cache[val];
}

void
dbc_put_int_n(JsonbParseState **st, const char *key, int keylen, int64 val)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = small_int_numeric(val);
	put_scalar(st, key, keylen, &v);
}

void
dbc_put_float_n(JsonbParseState **st, const char *key, int keylen, double val)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall1(float8_numeric, Float8GetDatum(val)));
	put_scalar(st, key, keylen, &v);
}

void
dbc_put_null_n(JsonbParseState **st, const char *key, int keylen)
{
	JsonbValue	v;

	v.type = jbvNull;
	put_scalar(st, key, keylen, &v);
}

void
dbc_put_text_list(JsonbParseState **st, const char *key, List *vals)
{
	ListCell   *lc;

	dbc_put_key(st, key);
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, vals)
	{
		JsonbValue	v;
		char	   *s = (char *) lfirst(lc);

		v.type = jbvString;
		v.val.string.val = s;
		v.val.string.len = strlen(s);
		pushJsonbValue(st, WJB_ELEM, &v);
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

/*
 * A stored jsonb as the value of key, without reading it into values first
 * (pushJsonbValue takes a container as it is); NULL puts a JSON null.
 */
void
dbc_put_jsonb(JsonbParseState **st, const char *key, Jsonb *j)
{
	JsonbValue	v;

	dbc_put_key(st, key);
	if (j == NULL)
		v.type = jbvNull;
	else
	{
		v.type = jbvBinary;
		v.val.binary.data = &j->root;
		v.val.binary.len = VARSIZE(j) - VARHDRSZ;
	}
	pushJsonbValue(st, WJB_VALUE, &v);
}

/*
 * Names of the roles the current user is a member of (directly or not),
 * the user included, cached per user and dropped on any change of role
 * membership or database ownership.  Membership means grants
 * (pg_auth_members), plus pg_database_owner for the owner of this database:
 * not pg_has_role(), which is true of every role for a superuser and would
 * make a superuser's facts list every role of the cluster (thousands, in
 * some) -- the superuser fact says that instead.
 */
static Oid	roles_cached_for = InvalidOid;
static List *roles_cache = NIL;
static bool roles_callback_set = false;

/*
 * The names of the current user, the session user and the database, cached
 * per OID like the roles (a rename sends the same invalidations).  Each is
 * a syscache lookup and a copy otherwise, on every statement.
 */
typedef struct NameCache
{
	Oid			oid;
	char	   *name;			/* in TopMemoryContext */
} NameCache;

static NameCache user_name = {InvalidOid, NULL};
static NameCache session_name = {InvalidOid, NULL};
static NameCache database_name = {InvalidOid, NULL};

/* Bumped by every invalidation of the caches above (the gate's context cache checks it). */
static uint64 names_generation = 0;

static void
roles_inval(Datum arg, int cacheid, uint32 hashvalue)
{
	names_generation++;
	roles_cached_for = InvalidOid;
	user_name.oid = InvalidOid;
	session_name.oid = InvalidOid;
	database_name.oid = InvalidOid;
}

static void
register_role_callbacks(void)
{
	if (!roles_callback_set)
	{
		CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, roles_inval, (Datum) 0);
		CacheRegisterSyscacheCallback(AUTHOID, roles_inval, (Datum) 0);
		CacheRegisterSyscacheCallback(DATABASEOID, roles_inval, (Datum) 0);
		roles_callback_set = true;
	}
}

static char *
cached_name(NameCache *c, Oid oid, bool is_database)
{
	register_role_callbacks();
	if (c->oid != oid || c->name == NULL)
	{
		char	   *name = is_database ? get_database_name(oid) : GetUserNameFromId(oid, false);

		if (c->name)
			pfree(c->name);
		c->name = MemoryContextStrdup(TopMemoryContext, name ? name : "");
		c->oid = oid;
	}
	/* a copy: an invalidation may replace the cached one while the caller holds it */
	return pstrdup(c->name);
}

static Oid
database_owner(void)
{
	HeapTuple	tup = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(MyDatabaseId));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for database %u", MyDatabaseId);
	owner = ((Form_pg_database) GETSTRUCT(tup))->datdba;
	ReleaseSysCache(tup);
	return owner;
}

static List *
current_roles(void)
{
	Oid			user = GetUserId();
	MemoryContext old;
	List	   *roles = NIL;
	int			i;
	Datum		start[2];
	int			nstart = 1;
	Datum		arg;
	Oid			argtypes[1] = {OIDARRAYOID};
	int			level;
	uint64		generation;

	register_role_callbacks();
	AcceptInvalidationMessages();	/* a GRANT or REVOKE committed since counts now */
	if (roles_cached_for == user)
		return roles_cache;
	generation = names_generation;

	start[0] = ObjectIdGetDatum(user);
	if (database_owner() == user)	/* the owner itself: a superuser is no owner here */
		start[nstart++] = ObjectIdGetDatum(ROLE_PG_DATABASE_OWNER);
	arg = PointerGetDatum(construct_array(start, nstart, OIDOID, sizeof(Oid), true, TYPALIGN_INT));
	level = dbc_safe_search_path();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (dbc_spi_read_latest("WITH RECURSIVE r(oid) AS ("
							" SELECT pg_catalog.unnest($1)"
							" UNION SELECT m.roleid FROM pg_catalog.pg_auth_members m, r"
							" WHERE m.member OPERATOR(pg_catalog.=) r.oid) "
							"SELECT a.rolname::pg_catalog.text FROM pg_catalog.pg_roles a, r "
							"WHERE a.oid OPERATOR(pg_catalog.=) r.oid ORDER BY 1",
							1, argtypes, &arg) != SPI_OK_SELECT)
		elog(ERROR, "could not list the roles of the current user");
	/* forgotten before the new list is built: an error below must not leave it freed but kept */
	list_free_deep(roles_cache);
	roles_cache = NIL;
	roles_cached_for = InvalidOid;
	old = MemoryContextSwitchTo(TopMemoryContext);
	for (i = 0; i < SPI_processed; i++)
		roles = lappend(roles, pstrdup(SPI_getvalue(SPI_tuptable->vals[i],
													SPI_tuptable->tupdesc, 1)));
	MemoryContextSwitchTo(old);
	SPI_finish();
	dbc_restore_search_path(level);
	roles_cache = roles;
	/* kept only if no invalidation arrived while we read (it may be newer than what we read) */
	roles_cached_for = names_generation == generation ? user : InvalidOid;
	return roles_cache;
}

/* Write val as exactly width decimal digits (zero-padded) at p; return the end. */
static char *
put_digits(char *p, int val, int width)
{
	int			i;

	for (i = width - 1; i >= 0; i--)
	{
		p[i] = '0' + val % 10;
		val /= 10;
	}
	return p + width;
}

/*
 * "time": when the statement runs, in dbchange.policy_timezone (a
 * superuser-only setting: a developer must not be able to move a
 * maintenance window by changing the session's TimeZone).  Statement start
 * time, so all statements of one script see the same clock.
 */
static void
put_time_facts(JsonbParseState **st)
{
	static const char *const days[] = {"sunday", "monday", "tuesday", "wednesday",
	"thursday", "friday", "saturday"};
	TimestampTz now = GetCurrentStatementStartTimestamp();
	const char *tzname = dbc_policy_timezone && *dbc_policy_timezone ? dbc_policy_timezone : "UTC";
	pg_tz	   *tz = pg_tzset(tzname);
	struct pg_tm tm;
	fsec_t		fsec;
	int			tzoff = 0;
	const char *tzn = NULL;
	int			dow;
	int			off;

	if (tz == NULL)
	{
		tzname = "UTC";
		tz = pg_tzset(tzname);
	}
	if (timestamp2tm(now, &tzoff, &tm, &fsec, &tzn, tz) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	dow = j2day(date2j(tm.tm_year, tm.tm_mon, tm.tm_mday));
	off = -tzoff;				/* PostgreSQL counts seconds west of UTC */

	dbc_put_key(st, "time");
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	dbc_put_text(st, "timezone", tzname);
	{
		/* "YYYY-MM-DDTHH:MM:SS+HH:MM" without snprintf's format parsing */
		char		iso[32];
		char	   *q = iso;
		int			ywidth = 4;
		int			y;

		/* the clock is past year 0; a year past 9999 takes the digits it needs */
		for (y = tm.tm_year; y > 9999; y /= 10)
			ywidth++;
		q = put_digits(q, tm.tm_year, ywidth);
		*q++ = '-';
		q = put_digits(q, tm.tm_mon, 2);
		*q++ = '-';
		q = put_digits(q, tm.tm_mday, 2);
		dbc_put_text(st, "date", pnstrdup(iso, q - iso));
		*q++ = 'T';
		q = put_digits(q, tm.tm_hour, 2);
		*q++ = ':';
		q = put_digits(q, tm.tm_min, 2);
		*q++ = ':';
		q = put_digits(q, tm.tm_sec, 2);
		*q++ = off < 0 ? '-' : '+';
		q = put_digits(q, (abs(off) / 3600) % 100, 2);
		*q++ = ':';
		q = put_digits(q, (abs(off) % 3600) / 60, 2);
		dbc_put_text(st, "iso", pnstrdup(iso, q - iso));
	}
	dbc_put_int(st, "year", tm.tm_year);
	dbc_put_int(st, "month", tm.tm_mon);
	dbc_put_int(st, "day", tm.tm_mday);
	dbc_put_int(st, "hour", tm.tm_hour);
	dbc_put_int(st, "minute", tm.tm_min);
	dbc_put_int(st, "second", tm.tm_sec);
	dbc_put_text(st, "weekday", days[dow]);
	dbc_put_int(st, "isodow", dow == 0 ? 7 : dow);
	dbc_put_int(st, "utc_offset", off);
	dbc_put_int(st, "epoch", (int64) (timestamptz_to_time_t(now)));
	dbc_end_object(st);
}

/*
 * The context facts.  in_block says whether the statement will run inside a
 * transaction block: for the gate that is the session's state; for changes
 * dbchange runs itself (submit, promotion, migration, rollback) it is how
 * dbchange will run the statement -- inside the change's transaction, except
 * statements that cannot run there, which are applied on their own at top
 * level.
 */
/*
 * Who ran the statement and how: the part of the context an approved
 * statement's stored facts keep (dbc_build_statement_facts), because the
 * change's columns do not say it -- requested_by is the current user, and
 * after SET ROLE only session_user names the login.
 */
static void
put_who(JsonbParseState **st, bool in_block)
{
	dbc_put_text(st, "session_user", cached_name(&session_name, GetSessionUserId(), false));
	dbc_put_bool(st, "superuser", superuser());
	dbc_put_bool(st, "in_transaction_block", in_block);
}

/* The rest of the context: what the change's own columns also record, and the clock. */
static void
put_where_when(JsonbParseState **st, const DbcSettings *s, const char *source,
			   const char *dialect)
{
	const char *appname = application_name;

	dbc_put_text(st, "environment", s ? s->environment : NULL);
	dbc_put_text(st, "user", cached_name(&user_name, GetUserId(), false));
	dbc_put_text_list(st, "roles", current_roles());
	dbc_put_text(st, "application_name", appname ? appname : "");
	dbc_put_text(st, "source", source);
	dbc_put_text(st, "dialect", dialect);
	dbc_put_text(st, "database", cached_name(&database_name, MyDatabaseId, true));
	dbc_put_int(st, "epoch", (int64) time(NULL));
	put_time_facts(st);
}

static void
put_context(JsonbParseState **st, const DbcSettings *s, const char *source,
			const char *dialect, bool in_block)
{
	put_who(st, in_block);
	put_where_when(st, s, source, dialect);
}

void
dbc_context_facts(JsonbParseState **st, const DbcSettings *s, const char *source,
				  const char *dialect)
{
	put_context(st, s, source, dialect, IsTransactionBlock());
}

/* An object of up to 64 keys at once (pushJsonbValue starts at 4 and doubles). */
static void
begin_facts(JsonbParseState **st)
{
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	(*st)->size = 64;
	(*st)->contVal.val.object.pairs = repalloc((*st)->contVal.val.object.pairs,
											   sizeof(JsonbPair) * (*st)->size);
}

/* The script being checked (created_in_script), or NULL: the gate, classify(). */
static DbcScriptTables *script_tables = NULL;
static Jsonb *script_tables_see(Node *stmt, Jsonb *facts);

Jsonb *
dbc_build_facts(Node *stmt, const char *text, const DbcSettings *s, const char *source)
{
	JsonbParseState *st = NULL;
	bool		interactive = source == NULL || strcmp(source, "interactive") == 0;
	bool		in_block = IsTransactionBlock();
	DbcStmtTable tab;
	Jsonb	   *facts;

	if (!interactive)
		in_block = !dbc_is_nontransactional(stmt);
	begin_facts(&st);
	if (script_tables != NULL)
		dbc_script_names_start(script_tables);
	dbc_classify_stmt(&st, stmt, text, &tab);
	if (script_tables != NULL)
		in_block = dbc_script_state_in_block(script_tables, stmt, in_block);
	put_context(&st, s, source, "postgresql", in_block);
	/* a change dbchange runs later, a policy test: none of this session's locks or settings */
	dbc_put_held_lock(&st, script_tables, stmt, &tab, in_block,
					  script_tables ? script_tables->from_session : interactive);
	dbc_put_emptied(&st, script_tables, stmt, &tab, in_block);
	facts = dbc_jsonb_write(dbc_end_object(&st));
	if (script_tables != NULL)
	{
		facts = dbc_script_names_see(script_tables, stmt, facts);
		facts = script_tables_see(stmt, facts);
		facts = dbc_rls_script_facts(stmt, facts, script_tables->parsed);
		dbc_script_state_note(script_tables, stmt, &tab, in_block);
	}
	return facts;
}

/*
 * What the gate builds for a statement a session runs, in two parts.  The
 * statement facts -- the classifier's, and who ran it -- are what an
 * approved statement's change row stores: the statement's text,
 * environment, current user, application_name, source and time are the
 * change's own columns, and the change_statement view adds them back.
 * Building and storing them twice was a sixth of the gate's cost on every
 * DDL statement (callgrind: ~40,000 of ~265,000 instructions, most of it
 * the larger jsonb and row), and a session without policies never needs
 * the rest.  dbc_gate_context() is the rest, made only when a policy runs
 * or a refused statement is recorded (dbc_gate_full_facts).
 */
Jsonb *
dbc_build_statement_facts(Node *stmt)
{
	JsonbParseState *st = NULL;
	DbcStmtTable tab;

	begin_facts(&st);
	dbc_classify_stmt(&st, stmt, NULL, &tab);
	put_who(&st, IsTransactionBlock());
	dbc_put_held_lock(&st, NULL, stmt, &tab, IsTransactionBlock(), true);
	return dbc_jsonb_write(dbc_end_object(&st));
}

/*
 * The context facts a statement's facts leave out (the statement text
 * apart), for a policy's decision.  They change far less often than
 * statements run: kept until the second (of the clock or of the statement's
 * start), the user, a role or name, the environment, application_name or
 * dbchange.policy_timezone changes.  Building them was ~20,000 instructions
 * per statement with policies enabled.  The caller must not change or free
 * the result.
 */
typedef struct ContextKey
{
	Oid			user;
	uint64		names_generation;
	pg_time_t	clock_second;
	TimestampTz statement_second;
	char		environment[NAMEDATALEN];
	char		application_name[NAMEDATALEN];
	char		timezone[NAMEDATALEN];
} ContextKey;

static ContextKey context_key;
static Jsonb *context_cached = NULL;

/* Bumped whenever the kept context is rebuilt (and the old one freed). */
uint64		dbc_gate_context_generation = 0;

static void
copy_key_text(char *dst, const char *src)
{
	strlcpy(dst, src ? src : "", NAMEDATALEN);
}

Jsonb *
dbc_gate_context(const DbcSettings *s)
{
	ContextKey	k;
	JsonbParseState *st = NULL;
	MemoryContext old;

	register_role_callbacks();
	memset(&k, 0, sizeof(k));
	k.user = GetUserId();
	k.names_generation = names_generation;
	k.clock_second = (pg_time_t) time(NULL);
	k.statement_second = GetCurrentStatementStartTimestamp() / USECS_PER_SEC;
	copy_key_text(k.environment, s ? s->environment : NULL);
	copy_key_text(k.application_name, application_name);
	copy_key_text(k.timezone, dbc_policy_timezone);
	/* longer values than a key holds are never cached (they would compare equal when cut) */
	if (context_cached && memcmp(&k, &context_key, sizeof(k)) == 0 &&
		strlen(k.environment) < NAMEDATALEN - 1 && strlen(k.application_name) < NAMEDATALEN - 1 &&
		strlen(k.timezone) < NAMEDATALEN - 1)
		return context_cached;

	begin_facts(&st);
	put_where_when(&st, s, "interactive", "postgresql");
	old = MemoryContextSwitchTo(TopMemoryContext);
	if (context_cached)
		pfree(context_cached);
	context_cached = NULL;
	context_cached = JsonbValueToJsonb(dbc_end_object(&st));
	MemoryContextSwitchTo(old);
	dbc_gate_context_generation++;
	context_key = k;
	return context_cached;
}

/*
 * The complete facts document of a statement the gate judged: what
 * dbc_build_facts() gives for it, for the records of refused statements and
 * wherever a whole document is shown.
 */
Jsonb *
dbc_gate_full_facts(Jsonb *facts, const char *text, const DbcSettings *s)
{
	JsonbParseState *st = NULL;
	Jsonb	   *extra;

	begin_facts(&st);
	dbc_put_text(&st, "statement", text);
	put_where_when(&st, s, "interactive", "postgresql");
	extra = JsonbValueToJsonb(dbc_end_object(&st));
	return dbc_facts_merge(facts, extra);
}

/* A top-level field of a facts document, or NULL. */
static JsonbValue *
facts_field(Jsonb *facts, const char *key)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	return findJsonbValueFromContainer(&facts->root, JB_FOBJECT, &k);
}

/* A top-level string field of a facts document, or NULL. */
char *
dbc_facts_get_text(Jsonb *facts, const char *key)
{
	JsonbValue *v = facts_field(facts, key);

	if (v == NULL || v->type != jbvString)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* One name a statement's facts resolved: "key=value", and whether its object was absent. */
typedef struct ResolvedName
{
	const char *key;
	char	   *value;
	bool		absent;			/* its object's "exists" fact was false */
} ResolvedName;

/*
 * The names a statement's facts resolved through the search_path: of its
 * object and the objects it touches, and of the tables it references,
 * attaches or inherits from (a List of ResolvedName, in the facts' order).
 * What a statement reaches beyond the objects it names (descendants,
 * schema_relations, cascades_to) is no name it resolves: partitions or
 * dependent views added since it was checked, or by an earlier statement
 * of the script, change that.
 */
static List *
resolved_names(Jsonb *facts)
{
	/*
	 * "name" carries the parent of ALTER TABLE ... [NO] INHERIT (a subcommand's
	 * name: the other names there come from the parse tree and cannot change),
	 * "member" the object ALTER EXTENSION adds or drops.
	 */
	static const char *const keys[] = {"identity", "schema", "table", "references", "partition", "inherits",
	"name", "member"};
	JsonbIterator *it = JsonbIteratorInit(&facts->root);
	JsonbIteratorToken tok;
	JsonbValue	v;
	List	   *out = NIL;
	const char *stack[32];
	bool		absent[32];		/* the "exists" fact seen in the object at that depth */
	int			depth = 0;
	const char *key = NULL;
	int			skip_depth = -1;	/* inside descendants/schema_relations/cascades_to */

	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		const char *k = NULL;
		ResolvedName *rn;
		int			i;

		switch (tok)
		{
			case WJB_KEY:
				key = pnstrdup(v.val.string.val, v.val.string.len);
				continue;
			case WJB_BEGIN_ARRAY:
			case WJB_BEGIN_OBJECT:
				if (skip_depth < 0 && key != NULL &&
					(strcmp(key, "descendants") == 0 || strcmp(key, "schema_relations") == 0 ||
					 strcmp(key, "cascades_to") == 0 || strcmp(key, "checked_relations") == 0))
					skip_depth = depth;
				if (depth < lengthof(stack))
				{
					stack[depth] = key;
					absent[depth] = false;
				}
				depth++;
				key = NULL;
				continue;
			case WJB_END_ARRAY:
			case WJB_END_OBJECT:
				depth--;
				if (depth == skip_depth)
					skip_depth = -1;
				key = NULL;
				continue;
			case WJB_VALUE:
				k = key;
				/* jsonb sorts keys by length: "exists" comes before "identity" */
				if (k != NULL && strcmp(k, "exists") == 0 && v.type == jbvBool &&
					depth > 0 && depth <= lengthof(stack))
					absent[depth - 1] = !v.val.boolean;
				break;
			case WJB_ELEM:
				k = depth > 0 && depth <= lengthof(stack) ? stack[depth - 1] : NULL;
				break;
			default:
				continue;
		}
		if (k == NULL || v.type != jbvString || skip_depth >= 0)
			continue;
		for (i = 0; i < lengthof(keys); i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (i == lengthof(keys))
			continue;
		rn = palloc(sizeof(ResolvedName));
		rn->key = keys[i];
		rn->value = pnstrdup(v.val.string.val, v.val.string.len);
		rn->absent = tok == WJB_VALUE && strcmp(k, "identity") == 0 &&
			depth > 0 && depth <= lengthof(stack) && absent[depth - 1];
		out = lappend(out, rn);
	}
	return out;
}

static bool
has_name(List *names, const ResolvedName *n)
{
	ListCell   *lc;

	foreach(lc, names)
	{
		ResolvedName *o = lfirst(lc);

		if (strcmp(o->key, n->key) == 0 && strcmp(o->value, n->value) == 0)
			return true;
	}
	return false;
}

/* The names, quoted and without repeats, for a message. */
static char *
shown_names(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
	{
		ResolvedName *n = lfirst(lc);
		char	   *q = quote_literal_cstr(n->value);

		if (strcmp(n->key, "schema") != 0 && strstr(buf.data, q) == NULL)
			appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "", q);
	}
	return buf.len > 0 ? buf.data : pstrdup("nothing");
}

/*
 * Was a schema created by this transaction (an earlier statement of the same
 * change)?  Its row inserted here, not updated here: a renamed schema is an
 * old one.
 */
static bool
schema_created_here(Oid nsp)
{
	HeapTuple	tp = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
	bool		here;

	if (!HeapTupleIsValid(tp))
		return false;
	here = TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tp->t_data)) &&
		(tp->t_data->t_infomask & HEAP_UPDATED) == 0;
	ReleaseSysCache(tp);
	return here;
}

/*
 * The schema of a name "schema.name" as PostgreSQL stores it, unquoted
 * ("public.MixedCase", "s.a.b" for a table "a.b"): every dot is tried as the
 * separator; InvalidOid unless exactly one split names an existing schema.
 */
static Oid
schema_of_fact_name(const char *qualified)
{
	const char *p;
	Oid			found = InvalidOid;
	int			n = 0;

	for (p = strchr(qualified, '.'); p != NULL; p = strchr(p + 1, '.'))
	{
		Oid			nsp = get_namespace_oid(pnstrdup(qualified, p - qualified), true);

		if (OidIsValid(nsp))
		{
			found = nsp;
			n++;
		}
	}
	return n == 1 ? found : InvalidOid;
}

/*
 * Would an object the statement creates under this name land in a schema
 * no policy judged differently: this session's temporary schema, or one
 * this change created?
 */
static bool
new_object_schema_harmless(const char *qualified)
{
	Oid			nsp = schema_of_fact_name(qualified);

	return OidIsValid(nsp) && (isTempNamespace(nsp) || schema_created_here(nsp));
}

/*
 * Every relation a "schema.name" can name now (each dot tried as the
 * separator): more than one when schemas or tables have dots in their
 * names, which a script can arrange on purpose.
 */
static List *
relations_of(const char *qualified)
{
	const char *p;
	List	   *out = NIL;

	for (p = strchr(qualified, '.'); p != NULL; p = strchr(p + 1, '.'))
	{
		Oid			nsp = get_namespace_oid(pnstrdup(qualified, p - qualified), true);
		Oid			rel;

		if (OidIsValid(nsp) && OidIsValid(rel = get_relname_relid(p + 1, nsp)))
			out = lappend_oid(out, rel);
	}
	return out;
}

/* A relation created by this transaction (an earlier statement of the same change)? */
static bool
relid_created_here(Oid relid)
{
	Relation	rel;
	bool		here;

	/*
	 * The relation cache knows whether a relation was created in this
	 * transaction (rd_createSubid); its pg_class row would also be new after
	 * any ALTER of an old table, such as a rename earlier in the change.
	 */
	rel = RelationIdGetRelation(relid);
	if (!RelationIsValid(rel))
		return false;
	here = rel->rd_createSubid != InvalidSubTransactionId;
	RelationClose(rel);
	return here;
}

/* Does a name stand only for relations this change created (and for one at least)? */
static bool
relation_created_here(const char *qualified)
{
	List	   *relids = relations_of(qualified);
	ListCell   *lc;

	foreach(lc, relids)
		if (!relid_created_here(lfirst_oid(lc)))
			return false;
	return relids != NIL;
}

/* ---------------------------------------------------------------------------
 * created_in_script: a table an earlier statement of the same script creates
 * ---------------------------------------------------------------------------
 *
 * evaluate(), submit() (promotions, migrations) and policy tests classify a
 * whole script before any of it runs.  A table the script creates does not
 * exist yet when the statements after its CREATE are classified: they would
 * be judged "size unknown", although the table is new in the change's own
 * transaction -- invisible to every other session until the change commits,
 * so its locks block nobody -- and empty.  created_in_script says so, and
 * only when both can be relied on:
 *
 *	- the statement's table (fact "table") does not exist now, and an earlier
 *	  statement created a table under that very identity (the classifier
 *	  resolves both names the same way, on the same search_path);
 *	  "exists = false" alone is also what a table the submitter cannot see
 *	  looks like, so it is never enough;
 *	- the CREATE made an empty table (CREATE TABLE, PARTITION OF, LIKE, OF
 *	  type, CREATE TABLE AS ... WITH NO DATA): not CREATE TABLE AS with data,
 *	  SELECT INTO, a temporary table, or IF NOT EXISTS naming a table that
 *	  exists (which creates nothing);
 *	- every statement between them is one that can neither fill nor rename
 *	  the table nor change what a name resolves to: CREATE TABLE, CREATE
 *	  INDEX, ALTER TABLE of a table created in the script (not ATTACH
 *	  PARTITION, INHERIT), COMMENT, GRANT/REVOKE, sequences, views, triggers,
 *	  types, SET / RESET lock_timeout or statement_timeout.  Anything else -- DML, SELECT (set_config(), a function that
 *	  inserts), DO, CALL, EXECUTE, SET (search_path, role), DROP, RENAME,
 *	  SET SCHEMA, ALTER of an existing table (a volatile DEFAULT or USING
 *	  expression runs once per row and may insert anywhere), ... -- forgets
 *	  every table noted so far;
 *	- the script runs in one transaction: no statement of it must run at
 *	  top level (CREATE INDEX CONCURRENTLY, ...), which the CLI applies
 *	  after the rest has committed.
 *
 * And the claim is verified when the statement runs (dbc_require_same_names):
 * its table must be one this change's transaction created, and still hold
 * no rows (code a statement between runs -- an index expression over
 * another table, a default ADD COLUMN evaluates -- could have filled it).
 * So a table another session creates under the name between the check and
 * the run, an old table IF NOT EXISTS finds when a queued change is applied later, or
 * one that a rename or search_path brings under the name, refuses the
 * statement and fails the change.
 *
 * The gate never sets the fact: it judges each statement after the one
 * before it ran, when the new table exists and is empty (and measured so).
 */

void
dbc_script_tables_begin(DbcScriptTables *st, List *parsed, const char *source, bool from_session)
{
	ListCell   *lc;

	st->created = NIL;
	st->parsed = parsed;
	st->seq_script = NULL;
	st->off = false;
	st->cxt = CurrentMemoryContext;
	st->outer = script_tables;
	foreach(lc, parsed)
		if (dbc_is_nontransactional(((DbcParsedStmt *) lfirst(lc))->stmt))
			st->off = true;
	dbc_script_state_begin(st, source, from_session);
	dbc_script_names_begin(st);
	script_tables = st;
}

DbcScriptTables *
dbc_script_tables_current(void)
{
	return script_tables;
}

/* Always called (PG_FINALLY) after begin, also when the check failed. */
void
dbc_script_tables_end(DbcScriptTables *st)
{
	script_tables = st->outer;
}

static bool
text_member(List *list, const char *s)
{
	ListCell   *lc;

	foreach(lc, list)
		if (strcmp((char *) lfirst(lc), s) == 0)
			return true;
	return false;
}

/*
 * Partition bounds made of constants only (MINVALUE/MAXVALUE are column
 * references in the raw tree): an expression could call a function, which
 * runs when the table is created and could write anywhere.
 */
static bool
nonconstant_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, A_Const) || IsA(node, ColumnRef))
		return false;
	if (IsA(node, TypeCast))
		return nonconstant_walker(((TypeCast *) node)->arg, context);
	if (IsA(node, List))
	{
		ListCell   *lc;

		foreach(lc, (List *) node)
			if (nonconstant_walker(lfirst(lc), context))
				return true;
		return false;
	}
	return true;
}

static bool
plain_bounds(PartitionBoundSpec *b)
{
	return b == NULL ||
		!(nonconstant_walker((Node *) b->listdatums, NULL) ||
		  nonconstant_walker((Node *) b->lowerdatums, NULL) ||
		  nonconstant_walker((Node *) b->upperdatums, NULL));
}

/* ALTER TABLE subcommands that bring an existing relation under the table */
static bool
joins_other_relation(AlterTableStmt *at)
{
	ListCell   *lc;

	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

		if (IsA(cmd, AlterTableCmd) &&
			(cmd->subtype == AT_AttachPartition || cmd->subtype == AT_AddInherit))
			return true;
	}
	return false;
}

static bool
temp_rangevar(RangeVar *rv)
{
	return rv->relpersistence == RELPERSISTENCE_TEMP ||
		(rv->schemaname && strncmp(rv->schemaname, "pg_temp", 7) == 0);
}

/* Note the table a statement creates, empty and new, under its identity. */
static void
note_created(RangeVar *rv, Jsonb *facts)
{
	char	   *identity = dbc_facts_get_text(facts, "identity");
	MemoryContext old;

	if (identity == NULL || temp_rangevar(rv) || relations_of(identity) != NIL)
		return;
	old = MemoryContextSwitchTo(script_tables->cxt);
	script_tables->created = lappend(script_tables->created, pstrdup(identity));
	MemoryContextSwitchTo(old);
}

/*
 * A statement of the script has been classified: say whether it is about a
 * table created earlier in the script (facts plus created_in_script), then
 * note what it creates, or forget everything noted when it could fill a
 * table or change what names mean.
 */
static Jsonb *
script_tables_see(Node *stmt, Jsonb *facts)
{
	DbcScriptTables *sc = script_tables;
	bool		created = false;
	bool		keep;

	if (sc->off)
		return facts;
	if (sc->created != NIL && dbc_is_gated(stmt) &&
		!(IsA(stmt, AlterTableStmt) &&
		  (((AlterTableStmt *) stmt)->objtype != OBJECT_TABLE ||
		   joins_other_relation((AlterTableStmt *) stmt))))
	{
		char	   *table = dbc_facts_get_text(facts, "table");

		created = table != NULL && text_member(sc->created, table) && relations_of(table) == NIL;
	}
	switch (nodeTag(stmt))
	{
		case T_CreateStmt:
			keep = plain_bounds(((CreateStmt *) stmt)->partbound);
			if (keep)
				note_created(((CreateStmt *) stmt)->relation, facts);
			break;
		case T_CreateTableAsStmt:
			{
				CreateTableAsStmt *ct = (CreateTableAsStmt *) stmt;

				/* WITH NO DATA runs no query; EXECUTE runs a prepared one */
				keep = ct->into->skipData && !IsA(ct->query, ExecuteStmt);
				if (keep && ct->objtype == OBJECT_TABLE)
					note_created(ct->into->rel, facts);
			}
			break;
		case T_AlterTableStmt:
			keep = created;
			break;
		case T_IndexStmt:
		case T_CommentStmt:
		case T_GrantStmt:
		case T_CreateSeqStmt:
		case T_AlterSeqStmt:
		case T_ViewStmt:
		case T_CreateTrigStmt:
		case T_CompositeTypeStmt:
		case T_CreateEnumStmt:
		case T_CreateDomainStmt:
			keep = true;
			break;
		case T_VariableSetStmt:
			{
				VariableSetStmt *v = (VariableSetStmt *) stmt;

				/*
				 * The timeouts a migration sets around each part (rubenv/
				 * sql-migrate files of frain-dev/convoy: SET ... RESET
				 * lock_timeout between the CREATE TABLE and its indexes)
				 * change no name's meaning and put no rows anywhere;
				 * search_path, role and RESET ALL may.
				 */
				keep = v->kind != VAR_RESET_ALL && v->name != NULL &&
					(pg_strcasecmp(v->name, "lock_timeout") == 0 ||
					 pg_strcasecmp(v->name, "statement_timeout") == 0);
			}
			break;
		default:
			keep = false;
			break;
	}
	if (!keep)
		sc->created = NIL;
	if (created)
	{
		JsonbParseState *st = NULL;

		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		dbc_put_bool(&st, "created_in_script", true);
		facts = dbc_facts_merge(facts, JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL)));
	}
	return facts;
}

/* Was a relation created in this transaction, by the change being applied when one is? */
static bool
relid_created_by_change(Oid relid)
{
	Relation	rel = RelationIdGetRelation(relid);
	bool		here;

	if (!RelationIsValid(rel))
		return false;
	here = rel->rd_createSubid != InvalidSubTransactionId &&
		(dbc_change_first_subid == InvalidSubTransactionId ||
		 rel->rd_createSubid >= dbc_change_first_subid);
	RelationClose(rel);
	return here;
}

SubTransactionId dbc_change_first_subid = InvalidSubTransactionId;

/* Does a fact's boolean key hold true? */
static bool
facts_true(Jsonb *facts, const char *key)
{
	JsonbValue *v = facts_field(facts, key);

	return v != NULL && v->type == jbvBool && v->val.boolean;
}

/*
 * Does a relation created by this change hold no rows, it and every partition
 * or inheritance child of it (each one created by the change too)?  A heap
 * the change created gets its first page only when a row is put into it; an
 * ALTER that rewrites an empty table leaves it without pages.
 */
static bool
relid_still_empty(Oid relid)
{
	List	   *all = find_all_inheritors(relid, NoLock, NULL);
	ListCell   *lc;

	foreach(lc, all)
	{
		Relation	rel;
		bool		empty;

		if (!relid_created_by_change(lfirst_oid(lc)))
			return false;
		rel = RelationIdGetRelation(lfirst_oid(lc));
		if (!RelationIsValid(rel))
			return false;
		empty = !RELKIND_HAS_STORAGE(rel->rd_rel->relkind) || RelationGetNumberOfBlocks(rel) == 0;
		RelationClose(rel);
		if (!empty)
			return false;
	}
	return true;
}

/*
 * A statement judged as being about a table created earlier in its script
 * (created_in_script) runs only on a table this change's transaction
 * created: otherwise the policies judged a new, empty table that nobody
 * else can see, and it would lock or rewrite another.  And the table must
 * still be empty: the statements allowed between its CREATE and this one
 * put no rows into it themselves, but code they run can -- a function in an
 * index expression of another table (built over that table's rows), a
 * column DEFAULT evaluated once by ADD COLUMN, an event trigger -- and the
 * policies judged no rows to rewrite, scan or validate.
 */
static void
require_created_here(int statement_no, Jsonb *now)
{
	char	   *table = dbc_facts_get_text(now, "table");
	List	   *relids = table ? relations_of(table) : NIL;
	ListCell   *lc;
	bool		ok = relids != NIL;
	bool		empty = true;

	foreach(lc, relids)
		ok &= relid_created_by_change(lfirst_oid(lc));
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_UNRECORDED),
				 errmsg("statement %d would change table %s, which this change did not create",
						statement_no, table ? quote_literal_cstr(table) : "(none)"),
				 errdetail("The statement was judged as acting on a new, empty table that an earlier statement "
						   "of the change creates, but the table it names now was not created by this change: "
						   "another session created it, CREATE TABLE IF NOT EXISTS found an existing one, or "
						   "it was renamed or moved into that name."),
				 errhint("Submit the change again, so that it is judged against the tables as they are now.")));
	foreach(lc, relids)
		empty &= relid_still_empty(lfirst_oid(lc));
	if (!empty)
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_UNRECORDED),
				 errmsg("statement %d would change table %s, which is no longer empty",
						statement_no, quote_literal_cstr(table)),
				 errdetail("The statement was judged as acting on a new, empty table that an earlier statement "
						   "of the change creates, but rows were put into the table (or a partition of it) since: "
						   "code an earlier statement ran, such as a function in an index expression or a column "
						   "default, or a trigger."),
				 errhint("Submit the statements that fill the table as a change of their own, before the ones "
						 "that alter it.")));
}

/*
 * A statement judged on emptied_in_script runs only when its table, and
 * every partition and inheritance child of it, holds no rows: the TRUNCATE
 * before it left each with a new, empty file in this transaction, and a
 * heap gets its first page only when a row is put into it.  Code the
 * statements between ran (an event trigger, ...) may have put rows back,
 * and the policies judged none to rewrite, convert or check; a foreign
 * table's rows are not here to count, so it is never taken as empty.
 */
static void
require_still_emptied(int statement_no, Jsonb *now)
{
	char	   *table = dbc_facts_get_text(now, "table");
	List	   *relids = table ? relations_of(table) : NIL;
	ListCell   *lc;
	bool		empty = relids != NIL;

	foreach(lc, relids)
	{
		ListCell   *l2;

		foreach(l2, find_all_inheritors(lfirst_oid(lc), NoLock, NULL))
		{
			Relation	rel = RelationIdGetRelation(lfirst_oid(l2));

			if (!RelationIsValid(rel))
			{
				empty = false;
				continue;
			}
			if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE &&
				(!RELKIND_HAS_STORAGE(rel->rd_rel->relkind) || RelationGetNumberOfBlocks(rel) != 0))
				empty = false;
			RelationClose(rel);
		}
	}
	if (!empty)
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_UNRECORDED),
				 errmsg("statement %d would change table %s, which is no longer empty",
						statement_no, table ? quote_literal_cstr(table) : "(none)"),
				 errdetail("The statement was judged as acting on a table that an earlier TRUNCATE of the change "
						   "emptied, but rows were put into the table (or a partition of it) since, by code an "
						   "earlier statement ran, such as a trigger."),
				 errhint("Submit the statements that fill the table as a change of their own.")));
}

/*
 * The subcommands of an ALTER TABLE's facts that change a column's type:
 * for each subcommand in order, 0 when its rewrites_table is false, 1 when
 * it is anything else, -1 for a subcommand of another kind.
 */
static List *
type_change_rewrites_of(Jsonb *facts)
{
	JsonbValue *arr = facts_field(facts, "subcommands");
	List	   *out = NIL;
	int			n;

	if (arr == NULL || arr->type != jbvBinary || !JsonContainerIsArray(arr->val.binary.data))
		return NIL;
	n = JsonContainerSize(arr->val.binary.data);
	for (int i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(arr->val.binary.data, i);
		JsonbValue *op = NULL;
		JsonbValue *rw = NULL;
		int			r = -1;

		if (e != NULL && e->type == jbvBinary && JsonContainerIsObject(e->val.binary.data))
		{
			op = getKeyJsonValueFromContainer(e->val.binary.data, "operation", strlen("operation"), NULL);
			rw = getKeyJsonValueFromContainer(e->val.binary.data, "rewrites_table", strlen("rewrites_table"), NULL);
		}
		if (op != NULL && op->type == jbvString &&
			op->val.string.len == strlen("alter_column_type") &&
			strncmp(op->val.string.val, "alter_column_type", op->val.string.len) == 0)
			r = (rw != NULL && rw->type == jbvBool && !rw->val.boolean) ? 0 : 1;
		out = lappend_int(out, r);
	}
	return out;
}

/*
 * A type change judged to rewrite nothing must rewrite nothing when it
 * runs.  Whether it does is worked out from the column's type in the
 * catalog and, for timestamp <-> timestamptz, from the TimeZone: in a script
 * judged whole, the one the script's own SET leaves, else the judging
 * session's.  When the change runs, the TimeZone is the running session's
 * (a deployer's apply() in another zone, a SET LOCAL that lasts no longer
 * than its own statement at top level, a set_config() in a trigger or a
 * column default an earlier statement fired) and the type is whatever
 * earlier statements' code left; the catalog and the session are current
 * here, so the statement is judged again as the gate judges it and refused
 * (the change fails) if PostgreSQL would now rewrite the table -- under an
 * ACCESS EXCLUSIVE lock the policies never weighed.
 */
static void
require_no_new_rewrite(int statement_no, Jsonb *checked, Jsonb *now)
{
	List	   *then = type_change_rewrites_of(checked);
	List	   *nowrw = type_change_rewrites_of(now);
	ListCell   *a;
	ListCell   *b;

	forboth(a, then, b, nowrw)
	{
		if (lfirst_int(a) == 0 && lfirst_int(b) != 0)
		{
			char	   *table = dbc_facts_get_text(now, "table");

			ereport(ERROR,
					(errcode(ERRCODE_DBCHANGE_UNRECORDED),
					 errmsg("statement %d would rewrite table %s, which it was checked as leaving as it is",
							statement_no, table ? quote_literal_cstr(table) : "(none)"),
					 errdetail("Its column type change was judged to convert no value, but PostgreSQL would now "
							   "rewrite the table: the column's type, or the TimeZone a timestamp to timestamptz "
							   "conversion depends on, is not what it was when the statement was checked (another "
							   "session's TimeZone, a SET LOCAL outside a transaction block, code an earlier "
							   "statement ran)."),
					 errhint("Set the TimeZone in the change itself (SET timezone = 'UTC') before the statement, "
							 "or submit it again.")));
		}
	}
}

typedef struct CheckedRelation
{
	char	   *name;
	List	   *relids;			/* every relation the name could mean (relations_of) */
} CheckedRelation;

/* The checked_relations stored with a queued statement (dbc_checked_relations_facts), or NIL. */
static List *
stored_checked_relations(Jsonb *facts)
{
	JsonbValue *arr = getKeyJsonValueFromContainer(&facts->root, "checked_relations",
												   strlen("checked_relations"), NULL);
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	List	   *out = NIL;
	CheckedRelation *cr = NULL;
	const char *key = NULL;

	if (arr == NULL || arr->type != jbvBinary)
		return NIL;
	it = JsonbIteratorInit(arr->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if (tok == WJB_BEGIN_OBJECT)
		{
			cr = palloc0(sizeof(CheckedRelation));
			out = lappend(out, cr);
		}
		else if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (cr != NULL && tok == WJB_VALUE && key && strcmp(key, "name") == 0 && v.type == jbvString)
			cr->name = pnstrdup(v.val.string.val, v.val.string.len);
		else if (cr != NULL && tok == WJB_ELEM && key && strcmp(key, "oids") == 0 && v.type == jbvNumeric)
			cr->relids = lappend_oid(cr->relids,
									 (Oid) DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(v.val.numeric))));
	}
	/* an entry without a name is none */
	{
		ListCell   *lc;

		foreach(lc, out)
			if (((CheckedRelation *) lfirst(lc))->name == NULL)
				out = foreach_delete_current(out, lc);
	}
	return out;
}

/*
 * The names of a statement's facts that an earlier statement of its script
 * renames into place (fact renamed_from: new identity -> old identity), as
 * a List of char * pairs (name, old identity).
 */
static List *
renamed_names(Jsonb *facts)
{
	JsonbValue *obj = facts_field(facts, "renamed_from");
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	List	   *out = NIL;
	char	   *key = NULL;

	if (obj == NULL || obj->type != jbvBinary)
		return NIL;
	it = JsonbIteratorInit(obj->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE && key != NULL && v.type == jbvString)
		{
			out = lappend(out, key);
			out = lappend(out, pnstrdup(v.val.string.val, v.val.string.len));
			key = NULL;
		}
	}
	return out;
}

/* The identity a name had before its script renamed it into place, or NULL. */
static const char *
renamed_from(List *renamed, const char *name)
{
	ListCell   *lc;

	for (lc = list_head(renamed); lc != NULL; lc = lnext(renamed, lnext(renamed, lc)))
		if (strcmp((char *) lfirst(lc), name) == 0)
			return (char *) lfirst(lnext(renamed, lc));
	return NULL;
}

/*
 * The relations the names of a statement's facts resolve to now, when it is
 * checked (a List of CheckedRelation *, for dbc_require_same_names): the
 * same name can later stand for another relation, moved or renamed into
 * its place by an earlier statement of the change.  A name the script's own
 * earlier rename puts in place (renamed_in_script) stands for the relation
 * its old name resolves to now: the one it was judged as.  A name that
 * stands for no relation now is listed with none.
 */
List *
dbc_checked_relations(Jsonb *facts)
{
	List	   *out = NIL;
	List	   *renamed;
	ListCell   *lc;

	if (facts == NULL)
		return NIL;
	if ((out = stored_checked_relations(facts)) != NIL)
		return out;
	renamed = renamed_names(facts);
	foreach(lc, resolved_names(facts))
	{
		ResolvedName *n = lfirst(lc);
		List	   *relids;
		CheckedRelation *cr;
		ListCell   *seen;
		bool		dup = false;
		const char *old;

		if (strcmp(n->key, "schema") == 0)
			continue;
		foreach(seen, out)
			dup |= strcmp(((CheckedRelation *) lfirst(seen))->name, n->value) == 0;
		if (dup)
			continue;
		old = renamed_from(renamed, n->value);
		relids = relations_of(old ? old : n->value);
		/* a schema.name standing for no relation is kept too: it must not come to stand for an old one */
		if (relids == NIL && strchr(n->value, '.') == NULL)
			continue;
		cr = palloc(sizeof(CheckedRelation));
		cr->name = n->value;
		cr->relids = relids;
		out = lappend(out, cr);
	}

	/*
	 * and every name the script's renames resolved, also where the facts
	 * keep it under no key compared above (LIKE, a view's query, ...): each
	 * is held to its relation when the statement runs
	 */
	for (lc = list_head(renamed); lc != NULL; lc = lnext(renamed, lnext(renamed, lc)))
	{
		const char *name = lfirst(lc);
		List	   *relids;
		CheckedRelation *cr;
		ListCell   *seen;
		bool		dup = false;

		foreach(seen, out)
			dup |= strcmp(((CheckedRelation *) lfirst(seen))->name, name) == 0;
		if (dup || (relids = relations_of(lfirst(lnext(renamed, lc)))) == NIL)
			continue;
		cr = palloc(sizeof(CheckedRelation));
		cr->name = pstrdup(name);
		cr->relids = relids;
		out = lappend(out, cr);
	}
	return out;
}

/*
 * The same relations as facts to store with a queued statement (key
 * checked_relations: [{"name": ..., "oids": [...]}]), so that apply(),
 * maybe days later, compares with what the names stood for when the
 * statement was checked and approved -- not with what they stand for when
 * apply() starts, after a swap made by hand in between.  NULL when there
 * are none.
 */
Jsonb *
dbc_checked_relations_facts(Jsonb *facts)
{
	JsonbParseState *st = NULL;
	List	   *rels = dbc_checked_relations(facts);
	ListCell   *lc;
	ListCell   *o;

	if (rels == NIL)
		return NULL;
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	dbc_put_key(&st, "checked_relations");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, rels)
	{
		CheckedRelation *cr = lfirst(lc);

		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		dbc_put_text(&st, "name", cr->name);
		dbc_put_key(&st, "oids");
		pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
		foreach(o, cr->relids)
		{
			JsonbValue	v;

			v.type = jbvNumeric;
			v.val.numeric = int64_to_numeric((int64) lfirst_oid(o));
			pushJsonbValue(&st, WJB_ELEM, &v);
		}
		pushJsonbValue(&st, WJB_END_ARRAY, NULL);
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	return JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
}

/*
 * An index of a table the statement was checked with?  REINDEX
 * CONCURRENTLY (or a type change of its column) rebuilds an index under a
 * new OID and the same name: still the same table's index.
 */
static bool
index_of_checked_table(List *checked_rels, Oid relid)
{
	char		kind = get_rel_relkind(relid);
	Oid			heap = (kind == RELKIND_INDEX || kind == RELKIND_PARTITIONED_INDEX) ?
		IndexGetRelation(relid, true) : InvalidOid;
	ListCell   *c;

	if (!OidIsValid(heap))
		return false;
	foreach(c, checked_rels)
		if (list_member_oid(((CheckedRelation *) lfirst(c))->relids, heap))
			return true;
	return false;
}

/*
 * A name that was checked as one relation and now stands for another one
 * that this change did not create (SET SCHEMA or RENAME of an old table
 * into its place, earlier in the change or by hand before apply()): the
 * first such name, or NULL.  A name that can mean several relations must
 * mean none it could not mean when checked.
 *
 * A name that stood for no relation when the statement was checked must
 * stand for none but the change's own now: the
 * policies judged nothing under it -- an index or sequence of unknown size,
 * a table of unknown size, a DROP IF EXISTS that drops nothing -- and an old
 * relation renamed or moved there in a way the classifier did not follow
 * (a rename the script's later statements forgot, code it does not read),
 * or made since by another session, would be changed unjudged.  Only when
 * the change runs in one transaction (one_transaction), which tells the
 * relations it made: at top level each statement commits its own.  Not the
 * name a CREATE (not OR REPLACE) makes (created): PostgreSQL refuses to make
 * it again, or IF NOT EXISTS leaves the relation there alone.
 */
static const char *
swapped_relation(List *checked_rels, List *now, bool one_transaction, const char *created)
{
	ListCell   *lc;

	foreach(lc, now)
	{
		ResolvedName *n = lfirst(lc);
		ListCell   *c;

		if (strcmp(n->key, "schema") == 0)
			continue;
		foreach(c, checked_rels)
		{
			CheckedRelation *cr = lfirst(c);
			ListCell   *r;

			if (strcmp(cr->name, n->value) != 0)
				continue;
			foreach(r, relations_of(n->value))
			{
				Oid			relid = lfirst_oid(r);

				if (cr->relids == NIL)
				{
					if (one_transaction && !relid_created_by_change(relid) &&
						(created == NULL || strcmp(created, n->value) != 0))
						return n->value;
				}
				else if (!list_member_oid(cr->relids, relid) && !relid_created_here(relid) &&
						 !index_of_checked_table(checked_rels, relid))
					return n->value;
			}
		}
	}
	return NULL;
}

/* The identity of what a CREATE statement (not OR REPLACE) makes, or NULL. */
static const char *
created_name(Jsonb *facts)
{
	JsonbValue *ops = facts_field(facts, "operations");
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	bool		create = false;

	if (ops == NULL || ops->type != jbvBinary || facts_true(facts, "or_replace"))
		return NULL;
	it = JsonbIteratorInit(ops->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		if (tok == WJB_ELEM && v.type == jbvString && v.val.string.len == 6 &&
			strncmp(v.val.string.val, "create", 6) == 0)
			create = true;
	return create ? dbc_facts_get_text(facts, "identity") : NULL;
}

/*
 * May a statement that now resolves names other than the ones it was
 * checked with run all the same?  Yes when every new name is harmless: a
 * relation an earlier statement of the same change created (a temporary
 * table, a table in a schema the change made), or an object the statement
 * itself creates (its "exists" fact is false now) in the session's
 * temporary schema or a schema the change created -- the classifier could
 * only guess where those would be when it checked the script, before
 * anything ran.  A schema alone is no object.  Anything that existed
 * before the change started, or a new object in any other schema (where a
 * policy may judge creation differently), is not what was judged.
 */
static bool
new_names_harmless(List *then, List *now)
{
	ListCell   *lc;

	foreach(lc, now)
	{
		ResolvedName *n = lfirst(lc);

		if (has_name(then, n) || strcmp(n->key, "schema") == 0)
			continue;
		if (n->absent ? !new_object_schema_harmless(n->value) : !relation_created_here(n->value))
			return false;
	}
	return true;
}

/*
 * A statement judged as acting on relations that earlier statements of its
 * change rename into place (renamed_in_script: their sizes, columns,
 * indexes were read from the catalog under their old names) runs only on
 * those very relations: each such name must stand, now, for exactly the
 * relation it was checked as.  No exception for a relation the change
 * created: the policies judged the old one.
 */
static void
require_renamed_same(int statement_no, Jsonb *checked, List *checked_rels)
{
	List	   *renamed = renamed_names(checked);
	ListCell   *lc;

	for (lc = list_head(renamed); lc != NULL; lc = lnext(renamed, lnext(renamed, lc)))
	{
		const char *name = lfirst(lc);
		const char *old = lfirst(lnext(renamed, lc));
		List	   *now = relations_of(name);
		CheckedRelation *cr = NULL;
		ListCell   *c;

		foreach(c, checked_rels)
			if (strcmp(((CheckedRelation *) lfirst(c))->name, name) == 0)
				cr = lfirst(c);
		if (cr != NULL && list_length(now) == 1 && list_length(cr->relids) == 1 &&
			linitial_oid(now) == linitial_oid(cr->relids))
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_UNRECORDED),
				 errmsg("statement %d would change %s, which is not the relation an earlier statement of the change renamed to that name",
						statement_no, quote_literal_cstr(name)),
				 errdetail("The statement was judged as acting on %s, which an earlier statement of the change "
						   "renames or moves to %s, but that name now stands for another relation, or none: "
						   "the rename did not run as it was judged, or something renamed, dropped or created "
						   "a relation under that name since.",
						   quote_literal_cstr(old), quote_literal_cstr(name)),
				 errhint("Submit the change again, so that it is judged against the tables as they are now; "
						 "submit the statements that rename a table as a change of their own if the names move "
						 "in ways dbchange does not follow.")));
	}
}

/*
 * Refuse to run a statement of a change whose names now resolve to other
 * objects than the ones its facts (checked) named when the policies, or
 * the approvers, judged it, or that would run as another role: an earlier
 * statement of the same change can SET search_path or role, call
 * set_config(), or rename a table, and the policies would have judged one
 * table while another is changed.  one_transaction: the change runs in one
 * transaction, so that the relations it made are known as its own.
 */
void
dbc_require_same_names(Node *stmt, int statement_no, Jsonb *checked, List *checked_rels, Oid checked_user,
					   bool one_transaction)
{
	const char *swapped;
	List	   *then;
	List	   *now;
	Jsonb	   *nowfacts;
	ListCell   *lc;
	bool		same = true;

	if (GetUserId() != checked_user)
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_UNRECORDED),
				 errmsg("statement %d would run as role \"%s\", but was checked as role \"%s\"", statement_no,
						GetUserNameFromId(GetUserId(), false), GetUserNameFromId(checked_user, true)),
				 errdetail("An earlier statement of the change (SET ROLE, ...) changed the current role."),
				 errhint("Do not change the role inside a change; submit it as the role that should run it.")));
	if (checked == NULL)
		return;
	then = resolved_names(checked);
	nowfacts = dbc_build_statement_facts(stmt);
	now = resolved_names(nowfacts);
	if (list_length(then) != list_length(now))
		same = false;
	foreach(lc, now)
		if (same && !has_name(then, lfirst(lc)))
			same = false;
	/* judged through the script's renames: the very names, no guesses */
	if (!same && (facts_true(checked, "renamed_in_script") || !new_names_harmless(then, now)))
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_UNRECORDED),
				 errmsg("statement %d would change other objects than the ones it was checked with", statement_no),
				 errdetail("It was checked as naming %s and now names %s: an earlier statement of the change "
						   "changed what its names refer to (a search_path set by something dbchange does not follow "
						   "when it judges the script -- an expression, a DO block, a function --, a rename, ...).",
						   shown_names(then), shown_names(now)),
				 errhint("Qualify the names with their schema, or set the path with a statement of the script "
						 "that dbchange follows: SET search_path = ..., or SELECT set_config('search_path', "
						 "'...', false) with a literal value.")));
	if ((swapped = swapped_relation(checked_rels, now, false, NULL)) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_UNRECORDED),
				 errmsg("statement %d would change another relation than the one it was checked with", statement_no),
				 errdetail("%s was checked as one relation and now names another one that the change did not create: "
						   "a relation was moved or renamed into that name (ALTER ... SET SCHEMA, RENAME), or replaced, "
						   "since the statement was checked.",
						   quote_literal_cstr(swapped)),
				 errhint("Submit the statements that move or rename a table as a change of their own; "
						 "a change whose tables were replaced since it was approved must be submitted again.")));
	if (facts_true(checked, "created_in_script"))
		require_created_here(statement_no, nowfacts);
	if (facts_true(checked, "emptied_in_script"))
		require_still_emptied(statement_no, nowfacts);
	if (IsA(stmt, AlterTableStmt))
		require_no_new_rewrite(statement_no, checked, nowfacts);
	if (facts_true(checked, "renamed_in_script"))
		require_renamed_same(statement_no, checked, checked_rels);
	/* and, the swaps refused, a name that stood for no relation */
	if (one_transaction &&
		(swapped = swapped_relation(checked_rels, now, true, created_name(checked))) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_UNRECORDED),
				 errmsg("statement %d would change %s, which was no relation when the statement was checked",
						statement_no, quote_literal_cstr(swapped)),
				 errdetail("The statement was judged as naming no relation there, and this change did not create "
						   "the one there now: an earlier statement of the change renamed or moved it there in a "
						   "way dbchange does not follow when it judges the script, or it was made since."),
				 errhint("Submit the statements that rename or move a relation as a change of their own, "
						 "before the ones that use its new name.")));
}
