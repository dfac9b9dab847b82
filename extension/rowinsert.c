/*-------------------------------------------------------------------------
 *
 * rowinsert.c
 *	  Inserting rows into dbchange's own tables without the SQL executor's
 *	  per-statement start-up: the gate's approve path.
 *
 * Every approved DDL statement writes a change row and an audit row.
 * Through SPI each INSERT pays executor start-up, and with it the parsing
 * (stringToNode) of every CHECK constraint and trigger WHEN clause of the
 * table, on every execution: as much as the rest of the gate together.
 * Here a row is built in a slot, column defaults, CHECK constraints and
 * partial-index predicates are evaluated from expressions planned once per
 * backend (kept until a relcache invalidation of the table or its indexes),
 * and the row is stored with the steps logical replication applies an
 * INSERT with (ExecSimpleRelationInsert: NOT NULL and CHECK constraints,
 * heap insert), its index entries made here (insert_index_entries).
 *
 * No row trigger fires on this path.  dbc_rows_open() says when that
 * changes nothing: every INSERT trigger on the tables must be one dbchange
 * itself puts there whose WHEN clause is known to be false for the row the
 * gate writes (an applied, interactive change); any other trigger, a rule,
 * row-level security or a stored generated column sends the caller back to
 * the SQL path (catalog.c), which fires everything as before.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_relation.h"
#include "rewrite/rewriteHandler.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "dbchange.h"

/* ---- planned defaults and CHECK constraints, per table, per backend ---- */

/*
 * An index of the table, as the gate's inserts use it.  The executor's way
 * (ExecOpenIndices, ExecInsertIndexTuples) opens and locks every index and
 * plans every partial-index predicate (ExecPrepareQual) on every INSERT;
 * dbchange.change has seven indexes, six of them partial, and the gate's
 * row belongs in two (audit: two of four).  Here the predicates are planned
 * once, evaluated first, and only the indexes the row goes into are opened.
 * An index the row does not go into is left unlocked: nothing is read from
 * or written to it, and the table's own RowExclusiveLock already keeps its
 * definition (DROP INDEX, CREATE INDEX, REINDEX all lock the table) from
 * changing.
 */
typedef struct PreparedIndex
{
	Oid			indexoid;
	IndexInfo  *info;			/* its per-execution state reset before each use */
	ExprState  *predicate;		/* planned, ready to evaluate; NULL: not partial */
	bool		check_unique;
} PreparedIndex;

/*
 * Column numbers by name, for dbc_rows_set(): attnameAttNum() compares the
 * name with every attribute's in turn, and the gate sets 24 columns per
 * statement (callgrind: 15,000 instructions a statement).  Keyed by the
 * name's address -- the callers pass string literals -- and confirmed by
 * comparing the name, so any other string is still looked up right.
 */
#define COLUMN_SLOTS 64

typedef struct ColumnSlot
{
	const char *name;
	int			index;			/* attribute number - 1 */
} ColumnSlot;

typedef struct PreparedRel
{
	Oid			relid;
	bool		valid;
	MemoryContext cxt;
	int			natts;
	ExprState **defaults;		/* by attribute number - 1, ready to evaluate;
								 * NULL: no default */
	int			ncheck;
	ExprState **checks;			/* in the order of the relcache's check array */
	bool		own_indexes;	/* false: an index needs the executor's way */
	int			nindexes;
	PreparedIndex *indexes;
	ColumnSlot	columns[COLUMN_SLOTS];
} PreparedRel;

#define MAX_PREPARED 8
static PreparedRel prepared[MAX_PREPARED];
static bool inval_registered = false;
static uint64 inval_count = 0;	/* relcache invalidations taken in */

/*
 * The OIDs of dbchange.change and dbchange.audit, looked up once (a name
 * lookup per table per statement cost more than opening the table) and
 * forgotten with any invalidation of the table (DROP EXTENSION and the
 * like) or of all of them.
 */
static Oid	table_oids[2];
static const char *const table_names[2] = {"change", "audit"};	/* change first */

/*
 * The lowest and highest OID this file keeps anything for (the tables, their
 * indexes).  A DDL statement sends invalidations for a dozen relations of
 * its own; one outside the range is dismissed without a look at each kept
 * table and index.  The range only grows: a stale bound costs a look, never
 * a missed invalidation.
 */
static Oid	watch_lo;
static Oid	watch_hi;
static bool watch_known = false;

static void
watch(Oid oid)
{
	if (!OidIsValid(oid))
		return;
	if (!watch_known || oid < watch_lo)
		watch_lo = oid;
	if (!watch_known || oid > watch_hi)
		watch_hi = oid;
	watch_known = true;
}

/*
 * An invalidation of the table or of one of its indexes.  The index's own
 * counts too: CREATE INDEX CONCURRENTLY marks an index ready for inserts by
 * updating its pg_index row, and a cached "not ready" would leave the gate's
 * rows out of it.  (PostgreSQL 15 invalidates the table as well at that
 * point -- gate_drivers.sh's CIC test passes either way -- but the index's
 * invalidation is the one that says what changed.)
 */
static bool
names_prepared(const PreparedRel *p, Oid relid)
{
	int			j;

	if (p->relid == relid)
		return true;
	for (j = 0; p->valid && j < p->nindexes; j++)
		if (p->indexes[j].indexoid == relid)
			return true;
	return false;
}

static void
prepared_inval(Datum arg, Oid relid)
{
	int			i;

	inval_count++;
	if (OidIsValid(relid) && (!watch_known || relid < watch_lo || relid > watch_hi))
		return;
	for (i = 0; i < lengthof(table_oids); i++)
		if (relid == InvalidOid || relid == table_oids[i])
			table_oids[i] = InvalidOid;
	for (i = 0; i < MAX_PREPARED; i++)
		if (relid == InvalidOid || names_prepared(&prepared[i], relid))
			prepared[i].valid = false;
}

/*
 * The table's indexes, for insert_index_entries().  Exclusion constraints
 * and deferrable unique indexes need the executor's recheck machinery: a
 * table with one of those keeps the executor's way (own_indexes = false).
 */
static void
prepare_indexes(PreparedRel *p, Relation rel)
{
	List	   *oids = RelationGetIndexList(rel);
	ListCell   *lc;
	int			n = 0;

	p->own_indexes = true;
	p->indexes = palloc0(sizeof(PreparedIndex) * Max(list_length(oids), 1));
	foreach(lc, oids)
	{
		Relation	irel = index_open(lfirst_oid(lc), RowExclusiveLock);
		PreparedIndex *ix = &p->indexes[n++];

		ix->indexoid = lfirst_oid(lc);
		watch(ix->indexoid);
		ix->info = BuildIndexInfo(irel);
		if (ix->info->ii_ExclusionOps != NULL ||
			(irel->rd_index->indisunique && !irel->rd_index->indimmediate))
			p->own_indexes = false;
		ix->check_unique = irel->rd_index->indisunique;
		if (ix->info->ii_Predicate != NIL)
			ix->predicate = ExecInitQual((List *) expression_planner((Expr *) ix->info->ii_Predicate),
										 NULL);
		index_close(irel, NoLock);
	}
	p->nindexes = n;
}

/*
 * Plan the table's defaults, CHECK constraints and index predicates into p,
 * and make each one's ExprState once: initialising them per row was a
 * tenth of the row writer's time.  An ExprState made without a parent plan
 * node keeps nothing of the EState it is evaluated in (the econtext is an
 * argument of every evaluation), which is how the type cache keeps domain
 * CHECK constraints ready across queries.  The planner's hashed form of
 * "x = ANY (array)", which would keep a hash table in the first econtext's
 * memory, is never chosen by expression_planner().
 */
static void
build_prepared(PreparedRel *p, Relation rel)
{
	TupleDesc	td = RelationGetDescr(rel);
	MemoryContext old;
	int			i;

	if (p->cxt)
		MemoryContextDelete(p->cxt);
	p->valid = false;
	p->relid = RelationGetRelid(rel);
	watch(p->relid);
	memset(p->columns, 0, sizeof(p->columns));
	p->cxt = AllocSetContextCreate(CacheMemoryContext, "dbchange prepared inserts",
								   ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(p->cxt);
	p->natts = td->natts;
	p->defaults = palloc0(sizeof(ExprState *) * td->natts);
	for (i = 0; i < td->natts; i++)
	{
		Node	   *d;

		if (TupleDescAttr(td, i)->attisdropped)
			continue;
		d = build_column_default(rel, i + 1);
		if (d != NULL)
			p->defaults[i] = ExecInitExpr(expression_planner((Expr *) d), NULL);
	}
	p->ncheck = td->constr ? td->constr->num_check : 0;
	p->checks = palloc0(sizeof(ExprState *) * Max(p->ncheck, 1));
	for (i = 0; i < p->ncheck; i++)
		p->checks[i] = ExecInitExpr(expression_planner((Expr *) stringToNode(td->constr->check[i].ccbin)),
									NULL);
	prepare_indexes(p, rel);
	MemoryContextSwitchTo(old);
}

static PreparedRel *
prepare_rel(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	PreparedRel *p = NULL;
	uint64		seen;
	int			i;

	for (i = 0; i < MAX_PREPARED && p == NULL; i++)
		if (prepared[i].relid == relid)
			p = &prepared[i];
	for (i = 0; i < MAX_PREPARED && p == NULL; i++)
		if (!OidIsValid(prepared[i].relid) || !prepared[i].valid)
			p = &prepared[i];
	if (p == NULL)
		p = &prepared[0];
	if (p->relid == relid && p->valid)
		return p;

	/*
	 * Building opens the indexes, which may take in invalidations -- of this
	 * table among them -- while the entry is not yet valid: build again until
	 * a build saw none (locks taken by then, a second build takes in nothing).
	 */
	for (i = 0;; i++)
	{
		seen = inval_count;
		build_prepared(p, rel);
		if (seen == inval_count)
			break;
		if (i == 3)
		{
			p->own_indexes = false; /* the executor's way reads the index afresh */
			break;
		}
	}
	p->valid = true;
	return p;
}

/* ---- may the gate's rows skip the triggers? ---- */

static bool
trigger_fires(Trigger *t)
{
	if (t->tgenabled == TRIGGER_DISABLED)
		return false;
	if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA)
		return t->tgenabled == TRIGGER_FIRES_ON_REPLICA || t->tgenabled == TRIGGER_FIRES_ALWAYS;
	return t->tgenabled == TRIGGER_FIRES_ON_ORIGIN || t->tgenabled == TRIGGER_FIRES_ALWAYS;
}

/* The rollback area's cached settings (rbsettings.c), as its WHEN clauses see them. */
extern Datum dbc_drift_eager(PG_FUNCTION_ARGS);
extern Datum dbc_restore_points_on(PG_FUNCTION_ARGS);

static bool
call_bool0(PGFunction fn)
{
	LOCAL_FCINFO(fcinfo, 0);

	InitFunctionCallInfoData(*fcinfo, NULL, 0, InvalidOid, NULL, NULL);
	return DatumGetBool(fn(fcinfo));
}

/*
 * Would an INSERT trigger on dbchange.change fire for an applied change with
 * this source and risk?  Known triggers are judged by their WHEN clauses
 * (30_workflow.sql, 50_rollback.sql); an unknown one is assumed to fire.
 */
static bool
change_trigger_fires(Trigger *t, const char *source, bool has_risk)
{
	if (strcmp(t->tgname, "change_flow_snapshot") == 0)
		return false;			/* WHEN NEW.status = 'pending' ... */
	if (strcmp(t->tgname, "change_generate_down") == 0)
		return strcmp(source, "interactive") != 0;
	if (strcmp(t->tgname, "change_restore_point_ins") == 0)
		return has_risk && call_bool0(dbc_restore_points_on);
	if (strcmp(t->tgname, "change_applied_state") == 0)
		return call_bool0(dbc_drift_eager);
	return true;
}

static bool
plain_table(Relation rel)
{
	return rel->rd_rel->relkind == RELKIND_RELATION && !rel->rd_rel->relhasrules &&
		!rel->rd_rel->relrowsecurity &&
		!(rel->rd_att->constr && rel->rd_att->constr->has_generated_stored);
}

/*
 * May the gate's row go into rel without SQL?  Only when no rule, policy,
 * generated column or INSERT trigger that would fire is in the way (see
 * the file's comment).
 */
static bool
direct_ok(Relation rel, bool is_change, const char *source, bool has_risk)
{
	int			j;

	if (!plain_table(rel))
		return false;
	for (j = 0; rel->trigdesc && j < rel->trigdesc->numtriggers; j++)
	{
		Trigger    *t = &rel->trigdesc->triggers[j];

		if (!TRIGGER_FOR_INSERT(t->tgtype) || !trigger_fires(t))
			continue;
		if (!is_change || change_trigger_fires(t, source, has_risk))
			return false;
	}
	return true;
}

/* The slot in table_oids of dbchange.<table>, its OID looked up if not cached. */
static int
table_slot(const char *table)
{
	int			i;

	for (i = 0; i < lengthof(table_names); i++)
		if (strcmp(table, table_names[i]) == 0)
		{
			if (!OidIsValid(table_oids[i]))
			{
				table_oids[i] = get_relname_relid(table, dbc_schema_oid());
				watch(table_oids[i]);
			}
			return i;
		}
	elog(ERROR, "dbchange: the gate writes no rows into dbchange.%s", table);
	return -1;					/* keep the compiler quiet */
}

/* ---- writing rows ---- */

struct DbcRows
{
	EState	   *estate;
	Relation	rel;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
	PreparedRel *prep;
	bool	   *given;
};

/*
 * Open dbchange.<table> for the gate's rows, or return NULL (nothing done
 * but the table's lock, kept until the transaction ends as any open's is)
 * when the rows must go the SQL way.  One open serves both the check and
 * the insert.
 */
DbcRows *
dbc_rows_open(EState *estate, const char *table, const char *source, bool has_risk)
{
	int			slot;
	Oid			relid;
	Relation	rel;
	DbcRows    *r;
	MemoryContext old;

	if (!inval_registered)
	{
		CacheRegisterRelcacheCallback(prepared_inval, (Datum) 0);
		inval_registered = true;
	}
	slot = table_slot(table);
	relid = table_oids[slot];
	if (!OidIsValid(relid))
		return NULL;
	rel = table_open(relid, RowExclusiveLock);
	if (!direct_ok(rel, slot == 0, source, has_risk))
	{
		table_close(rel, NoLock);
		return NULL;
	}
	r = palloc0(sizeof(DbcRows));
	old = MemoryContextSwitchTo(estate->es_query_cxt);
	r->estate = estate;
	r->rel = rel;
	r->prep = prepare_rel(r->rel);
	/*
	 * What InitResultRelInfo sets for a plain table with no trigger to fire
	 * (direct_ok): every other field is zero.  It would also copy the
	 * table's trigger descriptor (dbchange.change has six triggers; 2,700
	 * instructions a statement) only for it to be dropped here.
	 */
	r->rri = makeNode(ResultRelInfo);
	r->rri->ri_RelationDesc = r->rel;
	if (!r->prep->own_indexes)
		ExecOpenIndices(r->rri, false);
	/* the CHECK constraints, ready (ExecRelCheck would parse and plan them now) */
	if (r->prep->ncheck > 0)
		r->rri->ri_ConstraintExprs = r->prep->checks;
	r->slot = table_slot_create(r->rel, &estate->es_tupleTable);
	r->given = palloc0(sizeof(bool) * r->prep->natts);
	ExecClearTuple(r->slot);
	MemoryContextSwitchTo(old);
	return r;
}

static int
column(DbcRows *r, const char *name)
{
	TupleDesc	td = RelationGetDescr(r->rel);
	uint32		h = (uint32) (((uintptr_t) name) >> 3) % COLUMN_SLOTS;
	ColumnSlot *slot = NULL;
	AttrNumber	a;
	int			i;

	for (i = 0; i < COLUMN_SLOTS; i++)
	{
		ColumnSlot *c = &r->prep->columns[(h + i) % COLUMN_SLOTS];

		if (c->name == name &&
			strcmp(NameStr(TupleDescAttr(td, c->index)->attname), name) == 0)
			return c->index;
		if (c->name == NULL)
		{
			slot = c;
			break;
		}
	}
	a = attnameAttNum(r->rel, name, false);
	if (a == InvalidAttrNumber || a < 1)
		elog(ERROR, "dbchange: column %s of dbchange.%s does not exist", name,
			 RelationGetRelationName(r->rel));
	if (slot != NULL)
	{
		slot->name = name;
		slot->index = a - 1;
	}
	return a - 1;
}

void
dbc_rows_set(DbcRows *r, const char *name, Datum value, bool isnull)
{
	int			i = column(r, name);

	r->slot->tts_values[i] = value;
	r->slot->tts_isnull[i] = isnull;
	r->given[i] = true;
}

/*
 * The stored row's entries in the indexes it belongs in, as
 * ExecInsertIndexTuples makes them (immediate unique checks included).
 */
static void
insert_index_entries(DbcRows *r)
{
	ExprContext *econtext = GetPerTupleExprContext(r->estate);
	MemoryContext old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	int			i;

	econtext->ecxt_scantuple = r->slot;
	for (i = 0; i < r->prep->nindexes; i++)
	{
		PreparedIndex *ix = &r->prep->indexes[i];
		Relation	irel;

		if (!ix->info->ii_ReadyForInserts)
			continue;
		if (ix->predicate != NULL && !ExecQual(ix->predicate, econtext))
			continue;
		irel = index_open(ix->indexoid, RowExclusiveLock);
		ix->info->ii_ExpressionsState = NIL;	/* state of an earlier EState */
		ix->info->ii_PredicateState = NULL;
		FormIndexDatum(ix->info, r->slot, r->estate, values, isnull);
		index_insert(irel, values, isnull, &r->slot->tts_tid, r->rel,
					 ix->check_unique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO, false, ix->info);
		index_close(irel, NoLock);
	}
	MemoryContextSwitchTo(old);
}

/* Store the row set so far; the columns not set take their defaults. */
void
dbc_rows_insert(DbcRows *r)
{
	ExprContext *econtext = GetPerTupleExprContext(r->estate);
	MemoryContext old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	int			i;

	/* In attribute order, as the executor evaluates an INSERT's target list. */
	for (i = 0; i < r->prep->natts; i++)
	{
		if (r->given[i])
			continue;
		if (r->prep->defaults[i] == NULL)
		{
			r->slot->tts_values[i] = (Datum) 0;
			r->slot->tts_isnull[i] = true;
		}
		else
			r->slot->tts_values[i] = ExecEvalExpr(r->prep->defaults[i], econtext,
												  &r->slot->tts_isnull[i]);
	}
	MemoryContextSwitchTo(old);
	ExecStoreVirtualTuple(r->slot);
	if (!r->prep->own_indexes)
	{
		ExecSimpleRelationInsert(r->rri, r->estate, r->slot);
		return;
	}
	/* ExecSimpleRelationInsert's steps for a plain table without triggers */
	if (r->rel->rd_att->constr)
		ExecConstraints(r->rri, r->slot, r->estate);
	simple_table_tuple_insert(r->rel, r->slot);
	insert_index_entries(r);
}

/* A column of the row just stored. */
Datum
dbc_rows_get(DbcRows *r, const char *name, bool *isnull)
{
	int			i = column(r, name);

	slot_getallattrs(r->slot);
	*isnull = r->slot->tts_isnull[i];
	return r->slot->tts_values[i];
}

/* Ready for the next row of the same table. */
void
dbc_rows_next(DbcRows *r)
{
	ExecClearTuple(r->slot);
	memset(r->given, 0, sizeof(bool) * r->prep->natts);
}

void
dbc_rows_close(DbcRows *r)
{
	if (!r->prep->own_indexes)
		ExecCloseIndices(r->rri);
	table_close(r->rel, NoLock);
}
