/*-------------------------------------------------------------------------
 *
 * rowestimate.c
 *	  The rows of a table that was never vacuumed or analysed, estimated
 *	  from the size of its data files.
 *
 * pg_class.reltuples is -1 until the first VACUUM, ANALYZE or CREATE INDEX
 * of a table that has rows (PostgreSQL 14 and later), so a table loaded in
 * bulk a minute ago has no row count at all, however large it is.  The
 * planner does not give up there: it assumes the table's pages are full of
 * tuples of the average width its column types suggest (heapam's
 * relation_estimate_size, table_block_relation_estimate_size() and
 * get_rel_data_width()).  So do we, with one difference: the planner
 * assumes at least 10 pages for such a table, to avoid betting a cached
 * plan on a table that is empty only for now; a policy deciding about a
 * statement now is better served by what is there, and a table with no
 * pages has no rows.
 *
 * The estimate is the planner's, so it has the planner's bias: pages are
 * assumed full (they rarely are: rows over-counted), and variable-length
 * columns are guessed from their type (text: 32 bytes), so rows of wider
 * values are over-counted and rows of narrower ones under-counted, by up
 * to a few times.  Bulk-loaded pages are nearly full, and the size of the
 * data stays in table_bytes for the checks that need it.
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
 * Estimated rows of a table or materialized view whose main fork is
 * main_bytes long, or -1 when this estimate does not apply to the relation
 * (indexes, sequences, ...: their pages do not hold heap tuples).
 */
double
dbc_rows_from_size(Form_pg_class rc, int64 main_bytes)
{
	double		pages;
	int32		tuple_width;

	if (rc->relkind != RELKIND_RELATION && rc->relkind != RELKIND_MATVIEW)
		return -1;
	if (main_bytes <= 0)
		return 0;
	pages = (double) (main_bytes / BLCKSZ);

	/* each tuple also takes a header and a line pointer on its page */
	tuple_width = row_data_width(rc) + MAXALIGN(SizeofHeapTupleHeader) + sizeof(ItemIdData);

	/* whole tuples per page, as the planner counts them */
	return rint(pages * (double) ((BLCKSZ - SizeOfPageHeaderData) / tuple_width));
}
