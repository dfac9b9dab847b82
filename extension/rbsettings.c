/*-------------------------------------------------------------------------
 *
 * rbsettings.c
 *	  The rollback area's settings, cached per backend, for trigger WHEN
 *	  clauses on dbchange.change.
 *
 * Every approved DDL statement inserts a row into dbchange.change, so the
 * triggers the rollback area puts there (restore points, eager drift
 * baselines) must cost next to nothing when their feature is off.  Their
 * WHEN clauses call these STABLE C functions, which read dbchange.settings
 * once and keep the answer until a relcache invalidation of that table
 * (sent by the set_* functions through dbchange._invalidate, as configure()
 * does); with the feature off no trigger function runs and, for the
 * deferred trigger, no event is even queued.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"

#include "dbchange.h"

static bool valid = false;
static bool callback_set = false;
static Oid	settings_relid = InvalidOid;
static bool drift_eager = false;
static bool restore_points_on = false;

static void
inval(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == settings_relid)
		valid = false;
}

static void
read_settings(void)
{
	int			i;
	int			level;

	level = dbc_safe_search_path();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (dbc_spi_read_latest("SELECT key, value FROM dbchange.settings "
							"WHERE key IN ('drift_snapshots', 'restore_points')", 0, NULL, NULL) != SPI_OK_SELECT)
		elog(ERROR, "could not read dbchange.settings");
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *key = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		char	   *val = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

		if (val == NULL)
			continue;
		if (strcmp(key, "drift_snapshots") == 0)
			drift_eager = strcmp(val, "eager") == 0;
		else if (strcmp(key, "restore_points") == 0)
			restore_points_on = strcmp(val, "off") != 0;
	}
	SPI_finish();
	dbc_restore_search_path(level);
}

static void
load(void)
{
	if (!callback_set)
	{
		CacheRegisterRelcacheCallback(inval, (Datum) 0);
		callback_set = true;
	}
	if (valid)
		return;
	settings_relid = get_relname_relid("settings", dbc_schema_oid());
	drift_eager = false;
	restore_points_on = false;
	/* valid from here: an invalidation that arrives while we read wins (dbc_spi_read_latest) */
	valid = true;
	PG_TRY();
	{
		read_settings();
	}
	PG_CATCH();
	{
		valid = false;
		PG_RE_THROW();
	}
	PG_END_TRY();
}

/* dbchange._drift_eager(): is drift_snapshots 'eager'? */
PG_FUNCTION_INFO_V1(dbc_drift_eager);
Datum
dbc_drift_eager(PG_FUNCTION_ARGS)
{
	load();
	PG_RETURN_BOOL(drift_eager);
}

/* dbchange._restore_points_on(): is restore_points anything but 'off'? */
PG_FUNCTION_INFO_V1(dbc_restore_points_on);
Datum
dbc_restore_points_on(PG_FUNCTION_ARGS)
{
	load();
	PG_RETURN_BOOL(restore_points_on);
}
