/*-------------------------------------------------------------------------
 *
 * rowestimate.c
 *	  The rows a table holds now, as the planner would count them: the
 *	  last count scaled to the data file's present size, or an estimate
 *	  from the size alone when there is no count to scale.
 *
 * pg_class.reltuples is the count of the last VACUUM, ANALYZE or CREATE
 * INDEX, and -1 before the first one (PostgreSQL 14 and later).  Read as
 * it stands it is wrong in the case a migration meets most: a table
 * created, indexed while empty (reltuples 0) and then bulk-loaded, or
 * loaded and never analysed (-1), has millions of rows and a count of
 * none.  The planner does not trust the count either
 * (table_block_relation_estimate_size()): it takes the density of the
 * last count, reltuples / relpages, times the pages the file has now, and
 * when there is no density to take, it assumes the pages are full of
 * tuples of the average width the column types suggest
 * (get_rel_data_width()).  So do we, with two differences, both toward
 * counting rows that are there:
 *
 *	- a count of 0 is no density: rows loaded into a table last counted
 *	  empty are estimated from the size (the planner would keep 0);
 *	- a table with no pages has no rows (the planner assumes at least 10
 *	  pages for a table never vacuumed, to avoid betting a cached plan on a
 *	  table empty only for now; a policy deciding about a statement now is
 *	  better served by what is there).
 *
 * The estimate from size has the planner's bias: pages are assumed full
 * (they rarely are: rows over-counted), and variable-length columns are
 * guessed from their type (text: 32 bytes), so rows of wider values are
 * over-counted and rows of narrower ones under-counted, by up to a few
 * times.  Bulk-loaded pages are nearly full, and the size of the data
 * stays in table_bytes for the checks that need it.  Only that estimate is
 * flagged as one (table_rows_estimated): a count scaled by size is the
 * statistics' own density.
 *
 * Only pg_class and pg_attribute (and pg_statistic, when ANALYZE left
 * column widths before a TRUNCATE reset reltuples) are read, through the
 * catalog caches: the relation is never opened or locked.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "storage/bufpage.h"
#include "storage/itemid.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "dbchange.h"

/*
 * Bytes of tuple data a row of the relation takes on average: the sum of
 * its live columns' widths, from ANALYZE's statistics where they exist,
 * else from the column type (as the planner's get_rel_data_width does).
 */
static int32
row_data_width(Form_pg_class rc)
{
	int32		width = 0;
	AttrNumber	attnum;

	for (attnum = 1; attnum <= rc->relnatts; attnum++)
	{
		HeapTuple	tp = SearchSysCache2(ATTNUM, ObjectIdGetDatum(rc->oid),
										 Int16GetDatum(attnum));
		Form_pg_attribute att;
		int32		w;

		if (!HeapTupleIsValid(tp))
			continue;
		att = (Form_pg_attribute) GETSTRUCT(tp);
		if (!att->attisdropped)
		{
			w = get_attavgwidth(rc->oid, attnum);
			if (w <= 0)
				w = get_typavgwidth(att->atttypid, att->atttypmod);
			width += Max(w, 0);
		}
		ReleaseSysCache(tp);
	}
	return width;
}

/*
 * Rows of a relation whose main fork is main_bytes long, as the planner
 * would count them now; -1 when unknown (an index or sequence never
 * counted).  *estimated: the figure comes from the size alone, not from a
 * count.
 */
double
dbc_rows_now(Form_pg_class rc, int64 main_bytes, bool *estimated)
{
	double		pages;
	int32		tuple_width;

	*estimated = false;
	/* indexes, sequences, ...: their pages do not hold heap tuples */
	if (rc->relkind != RELKIND_RELATION && rc->relkind != RELKIND_MATVIEW)
		return rc->reltuples >= 0 ? rc->reltuples : -1;
	pages = (double) (main_bytes / BLCKSZ);
	if (pages <= 0)
	{
		/* no pages, no rows; never counted, that is still our reading of the size */
		*estimated = rc->reltuples < 0;
		return 0;
	}
	if (rc->reltuples > 0 && rc->relpages > 0)
		return rint(rc->reltuples / (double) rc->relpages * pages);

	/* each tuple also takes a header and a line pointer on its page */
	*estimated = true;
	tuple_width = row_data_width(rc) + MAXALIGN(SizeofHeapTupleHeader) + sizeof(ItemIdData);

	/* whole tuples per page, as the planner counts them */
	return rint(pages * (double) ((BLCKSZ - SizeOfPageHeaderData) / tuple_width));
}
