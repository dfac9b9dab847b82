/*-------------------------------------------------------------------------
 *
 * ids.c
 *	  Ids for the rows of dbchange's catalog that leave the session's
 *	  lastval() alone.
 *
 * The catalog's bigserial columns (change.id, audit.seq, ...) took nextval()
 * as their default.  nextval() makes its sequence the session's last used
 * one, so after a DDL statement the gate approved and recorded, lastval() in
 * the developer's own session returned the id of the gate's change row -- or
 * failed with "permission denied for sequence change_id_seq" for a role
 * without rights on it.  An application that runs INSERT, then some DDL,
 * then lastval() got a wrong answer only because dbchange was installed
 * (PostgreSQL's own "sequence" regression test shows it).  PostgreSQL gives
 * no way to draw from a sequence without becoming lastval(); setval() does
 * not change lastval().
 *
 * So, when dbchange is preloaded, ids are handed out from a counter in
 * shared memory, in blocks of ID_BLOCK reserved on the column's own sequence
 * with setval():
 *
 *	- The sequence is always at or above every id handed out, so ids stay
 *	  unique across a restart (the counters start empty and reserve from the
 *	  sequence), a crash (a reservation is WAL-logged before any id of its
 *	  block can be in a committed row, as nextval()'s own pre-logging is) and
 *	  a restart without preloading, where the default falls back to nextval().
 *	- Ids are handed out in increasing order across all backends, as a
 *	  sequence without a cache hands them out: the audit sealer relies on it
 *	  (workflow SQL, _audit_write_deferred), and reads the last id handed out
 *	  through dbc_last_id(), not from the sequence.
 *	- A block is reserved from the sequence's value at the time, so nextval()
 *	  or setval() by anyone else moves the ids on from the next block; while
 *	  a block is in hand ids never go backwards.  A superuser who rewinds a
 *	  sequence with setval() calls dbchange._forget_id_blocks() for it to take
 *	  effect at once.
 *
 * A reservation costs what one nextval() does (nextval() itself writes WAL
 * once in 32 calls); the other calls take a spinlock-free pass under an
 * LWLock, with no relation lock and no buffer access.  Entries are per
 * (database, sequence); when the table is full, the least recently used
 * entry is dropped, which only skips the rest of its block.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "commands/sequence.h"
#include "common/int.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "dbchange.h"

#define ID_BLOCK		32
#define ID_ENTRIES		64

typedef struct IdBlock
{
	Oid			database;		/* InvalidOid: a free entry */
	Oid			seq;
	int64		next;			/* the next id to hand out */
	int64		limit;			/* the last id of the block (next > limit: used up) */
	uint64		used;			/* tick of the last use, for eviction */
} IdBlock;

typedef struct IdCounters
{
	LWLock	   *lock;
	uint64		tick;
	IdBlock		entries[ID_ENTRIES];
} IdCounters;

static IdCounters *counters = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

PG_FUNCTION_INFO_V1(dbc_next_id);
PG_FUNCTION_INFO_V1(dbc_last_id);
PG_FUNCTION_INFO_V1(dbc_forget_id_blocks);

static void
ids_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(sizeof(IdCounters));
	RequestNamedLWLockTranche("dbchange_ids", 1);
}

static void
ids_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	counters = ShmemInitStruct("dbchange id counters", sizeof(IdCounters), &found);
	if (!found)
	{
		memset(counters, 0, sizeof(IdCounters));
		counters->lock = &(GetNamedLWLockTranche("dbchange_ids"))->lock;
	}
	LWLockRelease(AddinShmemInitLock);
}

/* From _PG_init, when the library is preloaded: reserve the counters. */
void
dbc_ids_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = ids_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = ids_shmem_startup;
}

/* The entry of this database's sequence seq, or NULL; caller holds the lock. */
static IdBlock *
find_block(Oid seq)
{
	for (int i = 0; i < ID_ENTRIES; i++)
	{
		IdBlock    *e = &counters->entries[i];

		if (e->seq == seq && e->database == MyDatabaseId)
			return e;
	}
	return NULL;
}

/*
 * An entry for seq, made empty (next > limit) if it is new: a free one, else
 * the least recently used, whose unused ids are simply skipped (its sequence
 * is already past them).  Caller holds the lock exclusively.
 */
static IdBlock *
claim_block(Oid seq)
{
	IdBlock    *victim = &counters->entries[0];

	for (int i = 0; i < ID_ENTRIES; i++)
	{
		IdBlock    *e = &counters->entries[i];

		if (!OidIsValid(e->database))
		{
			victim = e;
			break;
		}
		if (e->used < victim->used)
			victim = e;
	}
	victim->database = MyDatabaseId;
	victim->seq = seq;
	victim->next = 1;
	victim->limit = 0;
	return victim;
}

/*
 * The sequence's next value, as nextval() would return it: read from its
 * page under a share lock (what SELECT last_value, is_called FROM seq
 * reads).  The caller has the sequence open and locked.
 */
static int64
sequence_next_value(Relation seqrel)
{
	Buffer		buf = ReadBuffer(seqrel, 0);
	Page		page;
	ItemId		lp;
	HeapTupleHeader tup;
	Form_pg_sequence_data data;
	int64		next;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	lp = PageGetItemId(page, FirstOffsetNumber);
	if (PageGetMaxOffsetNumber(page) < FirstOffsetNumber || !ItemIdIsNormal(lp))
		elog(ERROR, "sequence \"%s\" has no tuple", RelationGetRelationName(seqrel));
	tup = (HeapTupleHeader) PageGetItem(page, lp);
	data = (Form_pg_sequence_data) ((char *) tup + tup->t_hoff);
	next = data->is_called ? data->last_value + 1 : data->last_value;
	UnlockReleaseBuffer(buf);
	return next;
}

/*
 * Reserve a new block for e on its sequence: from the sequence's next value
 * (or the entry's, if that is higher: ids never go backwards while an entry
 * lives), setval() to the block's last id.  setval() runs as the sequence's
 * owner (the caller was allowed to draw from it, which a reservation is part
 * of) and does not touch lastval().  Caller holds the lock exclusively and
 * the sequence open; on error the entry is left as it was.
 */
static void
reserve_block(IdBlock *e, Relation seqrel)
{
	Oid			save_user;
	int			save_ctx;
	int64		first = sequence_next_value(seqrel);
	int64		last;

	if (first < e->next)
		first = e->next;
	if (pg_add_s64_overflow(first, ID_BLOCK - 1, &last))
		last = PG_INT64_MAX;
	GetUserIdAndSecContext(&save_user, &save_ctx);
	SetUserIdAndSecContext(seqrel->rd_rel->relowner, save_ctx | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		/* beyond the sequence's MAXVALUE this fails as nextval() would */
		DirectFunctionCall2(setval_oid, ObjectIdGetDatum(RelationGetRelid(seqrel)),
							Int64GetDatum(last));
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_user, save_ctx);
	}
	PG_END_TRY();
	e->next = first;
	e->limit = last;
}

/* May the current user draw from seq?  The same check nextval() makes. */
static void
check_draw_allowed(Oid seq)
{
	if (pg_class_aclcheck(seq, GetUserId(), ACL_USAGE | ACL_UPDATE) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for sequence %s", get_rel_name(seq))));
}

/*
 * The next id of sequence seq.  Without shared memory: nextval(), as a
 * bigserial default does.
 */
int64
dbc_draw_id(Oid seq)
{
	IdBlock    *e;
	Relation	seqrel;
	int64		id;

	if (counters == NULL)
		return nextval_internal(seq, true);
	check_draw_allowed(seq);
	/* the audit sealer's rule: an id is drawn after its transaction has an xid */
	(void) GetTopTransactionId();

	LWLockAcquire(counters->lock, LW_EXCLUSIVE);
	e = find_block(seq);
	if (e != NULL && e->next <= e->limit)
	{
		id = e->next++;
		e->used = ++counters->tick;
		LWLockRelease(counters->lock);
		return id;
	}
	LWLockRelease(counters->lock);

	/*
	 * A block must be reserved.  The sequence's lock first, with no LWLock
	 * held: a wait for it (behind an ALTER SEQUENCE) must be one the
	 * deadlock detector sees.  setval() finds it already held.
	 */
	seqrel = relation_open(seq, RowExclusiveLock);
	if (seqrel->rd_rel->relkind != RELKIND_SEQUENCE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a sequence", RelationGetRelationName(seqrel))));
	LWLockAcquire(counters->lock, LW_EXCLUSIVE);
	e = find_block(seq);		/* again: another backend may have reserved */
	if (e == NULL)
		e = claim_block(seq);
	if (e->next > e->limit)
		reserve_block(e, seqrel);
	id = e->next++;
	e->used = ++counters->tick;
	LWLockRelease(counters->lock);
	relation_close(seqrel, NoLock);
	return id;
}

/* dbchange._next_id(regclass): the catalog's column default. */
Datum
dbc_next_id(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(dbc_draw_id(PG_GETARG_OID(0)));
}

/*
 * dbchange._last_id(regclass): the last id handed out (0 if none): from the
 * counter when this database has one for seq, else from the sequence, which
 * is then at or above every id handed out.
 */
Datum
dbc_last_id(PG_FUNCTION_ARGS)
{
	Oid			seq = PG_GETARG_OID(0);
	Relation	seqrel = relation_open(seq, AccessShareLock);
	IdBlock    *e = NULL;
	int64		last;

	if (seqrel->rd_rel->relkind != RELKIND_SEQUENCE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a sequence", RelationGetRelationName(seqrel))));
	/* what pg_sequence_last_value() asks */
	if (pg_class_aclcheck(seq, GetUserId(), ACL_SELECT | ACL_USAGE) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for sequence %s", RelationGetRelationName(seqrel))));
	if (counters != NULL)
	{
		LWLockAcquire(counters->lock, LW_SHARED);
		e = find_block(seq);
	}
	last = (e != NULL && e->limit > 0) ? e->next - 1 : sequence_next_value(seqrel) - 1;
	if (counters != NULL)
		LWLockRelease(counters->lock);
	relation_close(seqrel, NoLock);
	PG_RETURN_INT64(last);
}

/*
 * dbchange._forget_id_blocks(): drop this database's blocks in hand, so
 * that the next ids come from the sequences as they are now (after a
 * setval() that moved one back).  Returns how many were dropped.
 */
Datum
dbc_forget_id_blocks(PG_FUNCTION_ARGS)
{
	int			n = 0;

	if (counters == NULL)
		PG_RETURN_INT32(0);
	LWLockAcquire(counters->lock, LW_EXCLUSIVE);
	for (int i = 0; i < ID_ENTRIES; i++)
	{
		IdBlock    *e = &counters->entries[i];

		if (e->database == MyDatabaseId)
		{
			e->database = InvalidOid;
			e->seq = InvalidOid;
			e->used = 0;
			n++;
		}
	}
	LWLockRelease(counters->lock);
	PG_RETURN_INT32(n);
}
