/*-------------------------------------------------------------------------
 *
 * dbchange.c
 *	  Module load of dbchange.so: settings, hooks and small SQL-callable helpers.
 *
 * The library may be loaded three ways: shared_preload_libraries (the gate is
 * active for every statement of every session), session_preload_libraries, or
 * lazily by the first call of one of its functions -- usually the
 * ddl_command_start event trigger of the first DDL statement of a session.
 * _PG_init installs the ProcessUtility hook in every case; see gate.c for
 * what that means for the statement that caused the load.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "dbchange.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

bool		dbc_enforce = true;
bool		dbc_preloaded = false;

/*
 * Cached OIDs, reset by an invalidation of the schema's pg_namespace row or
 * of dbchange.change's pg_class row (or a reset of all).  Not by every
 * pg_class invalidation: nearly every DDL statement sends some, and the
 * gate asks for these on every statement.
 */
static Oid	cached_schema = InvalidOid;
static Oid	cached_owner = InvalidOid;
static uint32 cached_schema_hash;	/* NAMESPACEOID hash of cached_schema */
static uint32 cached_change_hash;	/* RELOID hash of dbchange.change */

static void
dbc_inval_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	if (!OidIsValid(cached_schema) && !OidIsValid(cached_owner))
		return;
	if (hashvalue != 0 &&
		hashvalue != (cacheid == NAMESPACEOID ? cached_schema_hash : cached_change_hash))
		return;
	cached_schema = InvalidOid;
	cached_owner = InvalidOid;
}

static void acting_as_xact_callback(XactEvent event, void *arg);

void
_PG_init(void)
{
	dbc_preloaded = process_shared_preload_libraries_in_progress;

	DefineCustomBoolVariable("dbchange.enforce",
							 "Gate DDL statements through dbchange's policies.",
							 "Only superusers may change it. When off, DDL runs unchecked "
							 "and unrecorded; detect_drift() shows what changed meanwhile.",
							 &dbc_enforce,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	dbc_policy_init();
	dbc_bytecode_cache_init();
	dbc_ids_init();

	MarkGUCPrefixReserved("dbchange");

	CacheRegisterSyscacheCallback(NAMESPACEOID, dbc_inval_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(RELOID, dbc_inval_callback, (Datum) 0);
	RegisterXactCallback(acting_as_xact_callback, NULL);

	dbc_gate_install();
}

/*
 * OID of schema "dbchange" if the extension is installed in this database.
 * Syscache lookups, cached (reset when the schema's or dbchange.change's
 * catalog row changes): the gate asks this for every utility statement.
 */
Oid
dbc_schema_oid(void)
{
	if (!OidIsValid(cached_schema))
	{
		Oid			nsp = get_namespace_oid("dbchange", true);

		Oid			change = OidIsValid(nsp) ? get_relname_relid("change", nsp) : InvalidOid;

		/* The schema outlives DROP EXTENSION; the catalog table does not. */
		if (OidIsValid(change))
		{
			cached_schema_hash = GetSysCacheHashValue1(NAMESPACEOID, ObjectIdGetDatum(nsp));
			cached_change_hash = GetSysCacheHashValue1(RELOID, ObjectIdGetDatum(change));
			cached_schema = nsp;
		}
	}
	return cached_schema;
}

/*
 * The role that owns dbchange's tables (the extension's installer, a
 * superuser).  Writes to the catalog switch to it, because the statement's
 * user must not have write access to those tables.
 */
Oid
dbc_catalog_owner(void)
{
	if (!OidIsValid(cached_owner))
	{
		Oid			nsp = dbc_schema_oid();
		Oid			rel;
		HeapTuple	tup;

		if (!OidIsValid(nsp))
			elog(ERROR, "dbchange is not installed in this database");
		rel = get_relname_relid("change", nsp);
		if (!OidIsValid(rel))
			elog(ERROR, "dbchange catalog table dbchange.change is missing");
		tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
		if (!HeapTupleIsValid(tup))
			elog(ERROR, "cache lookup failed for relation %u", rel);
		cached_owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
		ReleaseSysCache(tup);
	}
	return cached_owner;
}

/*
 * The role a change's statements run as while dbchange runs them for someone
 * else (apply(), approve() with rollout auto, the top-level path,
 * verification): its requester.  The outer user id stays the deployer's or
 * approver's, so without this, code the statements reach (a function in a
 * column default or a query, a trigger) that calls dbchange.approve(),
 * configure() or set_policy() acted with the deployer's or approver's
 * dbchange roles.  InvalidOid when no change runs; reset at abort.
 */
static Oid	acting_as = InvalidOid;

Oid
dbc_set_acting_as(Oid role)
{
	Oid			old = acting_as;

	acting_as = role;
	return old;
}

Oid
dbc_acting_as(void)
{
	return acting_as;
}

static void
acting_as_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		acting_as = InvalidOid;
}

static Oid
caller_oid(void)
{
	/*
	 * A security-restricted operation (an index expression, a materialized
	 * view's query, a maintenance command's functions) runs the table owner's
	 * code as the owner while the outer user id, and acting_as, still name
	 * whoever started it: an approver or superuser reindexing a developer's
	 * table would have approved in their name from the developer's function.
	 * Who acts there is not known (SECURITY DEFINER keeps the restriction),
	 * so nobody does.
	 */
	if (InSecurityRestrictedOperation())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("dbchange cannot be used within a security-restricted operation")));
	return OidIsValid(acting_as) ? acting_as : GetOuterUserId();
}

/*
 * dbchange._caller(): the role that called into dbchange's SECURITY DEFINER
 * functions.  current_user inside such a function is the definer; the outer
 * user id (what SET ROLE set) is not changed by SECURITY DEFINER, so it names
 * the person acting -- except while a change's statements run as their
 * requester (above): then the requester acts.
 */
PG_FUNCTION_INFO_V1(dbc_caller);
Datum
dbc_caller(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(DirectFunctionCall1(namein,
										CStringGetDatum(GetUserNameFromId(caller_oid(), false))));
}

/* dbchange._caller_oid(): as above, as an oid. */
PG_FUNCTION_INFO_V1(dbc_caller_oid);
Datum
dbc_caller_oid(PG_FUNCTION_ARGS)
{
	PG_RETURN_OID(caller_oid());
}

/* dbchange.preloaded(): is the gate active from the first statement of every session? */
PG_FUNCTION_INFO_V1(dbc_is_preloaded);
Datum
dbc_is_preloaded(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(dbc_preloaded);
}
