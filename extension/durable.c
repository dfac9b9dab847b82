/*-------------------------------------------------------------------------
 *
 * durable.c
 *	  Commit a catalog record from a transaction that is about to abort.
 *
 * A queued or rejected statement fails with an ERROR, which aborts its
 * transaction and everything it wrote.  The record must survive, so it is
 * written by a dynamic background worker in its own transaction: the backend
 * puts the record (a jsonb document) in a DSM segment, starts the worker,
 * waits for it to exit and reads back the change id.
 *
 * The worker only INSERTs new rows (a change, its statement, an unsealed
 * audit entry) and calls pg_notify; it never updates or locks a row the
 * waiting session could hold, so it cannot wait on that session -- a wait
 * PostgreSQL's deadlock detector would not see, because the session sleeps
 * on a latch, not a lock.  lock_timeout bounds any wait nevertheless.
 *
 * Failure anywhere (no free worker slot, an error in the worker) returns -1
 * with a reason; the gate then still refuses the statement (fail closed) and
 * logs why it is unrecorded.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "dbchange.h"

#define DURABLE_ERRMSG_LEN 512
#define DURABLE_SLOT_WAIT_MS 10000	/* how long to wait for a free worker slot */

typedef struct DurableShared
{
	Oid			database;
	Oid			role;
	int64		change_id;		/* set by the worker; -1 until it succeeds */
	bool		done;
	char		errmsg[DURABLE_ERRMSG_LEN];
	Size		record_len;
	char		record[FLEXIBLE_ARRAY_MEMBER];	/* a varlena jsonb */
} DurableShared;

/* Start the worker, waiting a while for a slot when all are busy. */
static bool
start_worker(dsm_segment *seg, BackgroundWorkerHandle **handle)
{
	BackgroundWorker w;
	int			waited = 0;

	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(w.bgw_library_name, BGW_MAXLEN, "dbchange");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "dbc_durable_main");
	snprintf(w.bgw_name, BGW_MAXLEN, "dbchange durable writer for PID %d", MyProcPid);
	snprintf(w.bgw_type, BGW_MAXLEN, "dbchange durable writer");
	w.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	w.bgw_notify_pid = MyProcPid;

	while (!RegisterDynamicBackgroundWorker(&w, handle))
	{
		if (waited >= DURABLE_SLOT_WAIT_MS)
			return false;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 20,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		waited += 20;
	}
	return true;
}

int64
dbc_durable_record(Jsonb *record, char **why_not)
{
	Size		len = VARSIZE(record);
	dsm_segment *seg;
	DurableShared *sh;
	BackgroundWorkerHandle *handle;
	BgwHandleStatus status;
	int64		id;

	seg = dsm_create(offsetof(DurableShared, record) + len, 0);
	sh = (DurableShared *) dsm_segment_address(seg);
	sh->database = MyDatabaseId;
	sh->role = dbc_catalog_owner();
	sh->change_id = -1;
	sh->done = false;
	sh->errmsg[0] = '\0';
	sh->record_len = len;
	memcpy(sh->record, record, len);

	if (!start_worker(seg, &handle))
	{
		*why_not = pstrdup("no background worker slot is free (raise max_worker_processes)");
		dsm_detach(seg);
		return -1;
	}
	status = WaitForBackgroundWorkerShutdown(handle);
	if (status == BGWH_POSTMASTER_DIED)
	{
		*why_not = pstrdup("the postmaster died while the record was written");
		dsm_detach(seg);
		return -1;
	}
	id = sh->done ? sh->change_id : -1;
	if (id < 0)
		*why_not = pstrdup(sh->errmsg[0] ? sh->errmsg : "the durable writer exited without a result");
	dsm_detach(seg);
	return id;
}

/*
 * The worker: connect as the catalog owner, call dbchange._record() in one
 * transaction, hand back the id.  Errors are copied into the segment so the
 * backend can say why.
 */
void
dbc_durable_main(Datum arg)
{
	dsm_segment *seg;
	DurableShared *sh;

	BackgroundWorkerUnblockSignals();
	seg = dsm_attach(DatumGetUInt32(arg));
	if (seg == NULL)
		ereport(ERROR, (errmsg("dbchange durable writer: could not map its shared memory")));
	sh = (DurableShared *) dsm_segment_address(seg);

	BackgroundWorkerInitializeConnectionByOid(sh->database, sh->role, 0);

	PG_TRY();
	{
		Oid			argtypes[1] = {JSONBOID};
		Datum		values[1];
		bool		isnull;

		SetConfigOption("lock_timeout", "5s", PGC_SUSET, PGC_S_SESSION);
		SetConfigOption("statement_timeout", "30s", PGC_SUSET, PGC_S_SESSION);
		SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_SESSION);
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "dbchange durable record");
		values[0] = PointerGetDatum(sh->record);
		if (SPI_execute_with_args("SELECT dbchange._record($1)", 1, argtypes, values, NULL,
								  false, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "dbchange._record returned no id");
		sh->change_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
													SPI_tuptable->tupdesc, 1, &isnull));
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		pgstat_report_activity(STATE_IDLE, NULL);
		sh->done = true;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(TopMemoryContext);
		edata = CopyErrorData();
		strlcpy(sh->errmsg, edata->message ? edata->message : "unknown error", DURABLE_ERRMSG_LEN);
		sh->change_id = -1;
		PG_RE_THROW();
	}
	PG_END_TRY();
	dsm_detach(seg);
	proc_exit(0);
}
