/*-------------------------------------------------------------------------
 *
 * jsonb_write.c
 *	  A JsonbValue tree (what pushJsonbValue builds) to jsonb, byte for byte
 *	  as JsonbValueToJsonb makes it, for the documents on the gate's path.
 *
 * Every approved DDL statement stores its facts (~1.5 kB, ~150 values) and
 * the objects it touched as jsonb.  JsonbValueToJsonb appends value by value
 * to a StringInfo, checking its room and calling a helper for each: about a
 * hundred instructions a value.  Here the bytes are written in place into
 * one allocation, grown only for a large document: the same layout
 * (jsonb.h), so what is stored is what PostgreSQL would have stored.
 *
 * The layout, as jsonb.h describes it: a container is a header word (count
 * and kind), one JEntry per child (an object's keys, then its values, in
 * key order), then the children's data in the same order.  A JEntry holds
 * the child's type and its data's length, or on every JB_OFFSET_STRIDE'th
 * child the end offset of its data within the container.  Containers and
 * numerics start at a 4-byte boundary of the whole datum, zero-padded, and
 * the padding counts as the child's data.
 *
 * dbchange._jsonb_write_check() writes a document's tree both ways and
 * compares the bytes; the regression tests run it on every kind of facts.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "dbchange.h"

typedef struct Writer
{
	char	   *buf;			/* the datum, varlena header first */
	char	   *p;				/* next byte to write */
	char	   *end;			/* end of the allocation */
	bool		unwritable;		/* met a value this writer does not write */
} Writer;

/* Room for n more bytes (and padding), the buffer moved if it must grow. */
static inline void
ensure(Writer *w, Size n)
{
	Size		used;
	Size		size;

	if ((Size) (w->end - w->p) >= n + 3)
		return;
	used = w->p - w->buf;
	size = Max(2 * (Size) (w->end - w->buf), used + n + 3);
	if (size > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a jsonb document of more than %zu bytes cannot be written", (Size) MaxAllocSize)));
	w->buf = repalloc(w->buf, size);
	w->p = w->buf + used;
	w->end = w->buf + size;
}

/* Zero bytes up to the next 4-byte boundary of the datum; returns how many. */
static inline int
pad_to_int(Writer *w)
{
	int			pad = (int) (INTALIGN(w->p - w->buf) - (w->p - w->buf));
	int			i;

	for (i = 0; i < pad; i++)
		*w->p++ = '\0';
	return pad;
}

static void write_value(Writer *w, const JsonbValue *v, JEntry *je);

/* The JEntry of a container's idx'th child, its data ending totallen bytes in. */
static inline JEntry
child_entry(JEntry meta, int idx, uint32 totallen)
{
	if (totallen > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("total size of jsonb elements exceeds the maximum of %u bytes",
						JENTRY_OFFLENMASK)));
	if (idx % JB_OFFSET_STRIDE == 0)
		return (meta & JENTRY_TYPEMASK) | totallen | JENTRY_HAS_OFF;
	return meta;
}

/* The JEntry array of the container whose entries start at byte off (the buffer may move). */
#define ENTRIES(w, off) ((JEntry *) ((w)->buf + (off)))

static void
write_container(Writer *w, const JsonbValue *v, JEntry *je)
{
	bool		object = v->type == jbvObject;
	int			n = object ? v->val.object.nPairs : v->val.array.nElems;
	int			nentries = object ? 2 * n : n;
	Size		start;
	Size		entries;
	uint32		header;
	uint32		totallen = 0;
	int			i;

	ensure(w, sizeof(uint32) + sizeof(JEntry) * nentries);
	start = w->p - w->buf;
	pad_to_int(w);
	header = (uint32) n | (object ? JB_FOBJECT : JB_FARRAY);
	if (!object && v->val.array.rawScalar)
		header |= JB_FSCALAR;
	memcpy(w->p, &header, sizeof(uint32));
	w->p += sizeof(uint32);
	entries = w->p - w->buf;
	w->p += sizeof(JEntry) * nentries;

	if (object)
	{
		/* keys first, then values: JEntry i + n is pair i's value */
		for (i = 0; i < n; i++)
		{
			const JsonbValue *k = &v->val.object.pairs[i].key;

			ensure(w, k->val.string.len);
			memcpy(w->p, k->val.string.val, k->val.string.len);
			w->p += k->val.string.len;
			totallen += k->val.string.len;
			ENTRIES(w, entries)[i] = child_entry((JEntry) k->val.string.len, i, totallen);
		}
		for (i = 0; i < n; i++)
		{
			JEntry		meta;

			write_value(w, &v->val.object.pairs[i].value, &meta);
			totallen += JBE_OFFLENFLD(meta);
			ENTRIES(w, entries)[i + n] = child_entry(meta, i + n, totallen);
		}
	}
	else
		for (i = 0; i < n; i++)
		{
			JEntry		meta;

			write_value(w, &v->val.array.elems[i], &meta);
			totallen += JBE_OFFLENFLD(meta);
			ENTRIES(w, entries)[i] = child_entry(meta, i, totallen);
		}

	totallen = (uint32) ((w->p - w->buf) - start);
	if (totallen > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("total size of jsonb elements exceeds the maximum of %u bytes",
						JENTRY_OFFLENMASK)));
	*je = JENTRY_ISCONTAINER | totallen;
}

static void
write_value(Writer *w, const JsonbValue *v, JEntry *je)
{
	switch (v->type)
	{
		case jbvNull:
			*je = JENTRY_ISNULL;
			break;
		case jbvBool:
			*je = v->val.boolean ? JENTRY_ISBOOL_TRUE : JENTRY_ISBOOL_FALSE;
			break;
		case jbvString:
			ensure(w, v->val.string.len);
			memcpy(w->p, v->val.string.val, v->val.string.len);
			w->p += v->val.string.len;
			*je = (JEntry) v->val.string.len;
			break;
		case jbvNumeric:
			if (numeric_is_nan(v->val.numeric))
			{
				/* as jsonb stores a NaN: the string "NaN" */
				ensure(w, 3);
				memcpy(w->p, "NaN", 3);
				w->p += 3;
				*je = 3;
			}
			else
			{
				Size		len = VARSIZE_ANY(v->val.numeric);
				int			pad;

				ensure(w, len);
				pad = pad_to_int(w);
				memcpy(w->p, v->val.numeric, len);
				w->p += len;
				*je = JENTRY_ISNUMERIC | (JEntry) (pad + len);
			}
			break;
		case jbvArray:
		case jbvObject:
			write_container(w, v, je);
			break;
		default:
			/* binary or datetime: JsonbValueToJsonb writes the whole tree instead */
			w->unwritable = true;
			*je = JENTRY_ISNULL;
			break;
	}
}

/*
 * jsonb of a tree whose root is an object or an array; anything else (a
 * scalar root, binary or datetime values) goes to JsonbValueToJsonb.
 */
Jsonb *
dbc_jsonb_write(JsonbValue *v)
{
	Writer		w;
	JEntry		root;

	if (v == NULL || (v->type != jbvObject && v->type != jbvArray))
		return JsonbValueToJsonb(v);
	/* a statement's facts are 1-3 kB: most never grow the buffer */
	w.buf = palloc(4096);
	w.p = w.buf + VARHDRSZ;
	w.end = w.buf + 4096;
	w.unwritable = false;
	write_value(&w, v, &root);
	if (w.unwritable)
	{
		pfree(w.buf);
		return JsonbValueToJsonb(v);
	}
	SET_VARSIZE(w.buf, w.p - w.buf);
	return (Jsonb *) w.buf;
}

/*
 * dbchange._jsonb_write_check(doc): doc read into a tree, then written by
 * dbc_jsonb_write and by JsonbValueToJsonb: the same bytes?  For the
 * regression tests.
 */
PG_FUNCTION_INFO_V1(dbc_jsonb_write_check);
Datum
dbc_jsonb_write_check(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc = PG_GETARG_JSONB_P(0);
	JsonbIterator *it = JsonbIteratorInit(&doc->root);
	JsonbParseState *st = NULL;
	JsonbValue	v;
	JsonbValue *tree = NULL;
	JsonbIteratorToken tok;
	Jsonb	   *ours;
	Jsonb	   *theirs;

	/* values, and an array's start (it says whether the array is a raw scalar) */
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
		tree = pushJsonbValue(&st, tok, tok <= WJB_BEGIN_ARRAY ? &v : NULL);
	ours = dbc_jsonb_write(tree);
	theirs = JsonbValueToJsonb(tree);
	PG_RETURN_BOOL(VARSIZE(ours) == VARSIZE(theirs) &&
				   memcmp(ours, theirs, VARSIZE(theirs)) == 0);
}
