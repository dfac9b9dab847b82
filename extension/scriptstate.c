/*-------------------------------------------------------------------------
 *
 * scriptstate.c
 *	  What the earlier statements of a transaction leave for the later ones:
 *	  the locks the transaction holds, and, while a script is checked before
 *	  any of it runs, the CHECK constraints that prove a column NOT NULL.
 *
 * A lock lasts until the end of the transaction that took it.  The safe
 * patterns the stock policies recommend depend on that:
 *
 *	 ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;
 *	 ALTER TABLE orders VALIDATE CONSTRAINT c;
 *
 * is safe only when the two run in different transactions.  VALIDATE
 * CONSTRAINT takes SHARE UPDATE EXCLUSIVE, which lets reads and writes go on
 * while it scans -- but in the same transaction as the ADD, which took
 * ACCESS EXCLUSIVE (SHARE ROW EXCLUSIVE for a foreign key), the scan runs
 * under that lock, and every query on the table waits for it, as if the
 * constraint had been added without NOT VALID (squawk's
 * constraint-missing-not-valid says the same).  So the facts held_lock,
 * held_lock_blocks_reads and held_lock_statement say what the statement's
 * transaction already holds on its table that blocks other sessions'
 * writes (SHARE or stronger):
 *
 *	- at the gate, and in an interactive dry run, what this session's
 *	  transaction holds now (the lock manager's own table of this backend's
 *	  locks: a few hash look-ups, nothing when the statement has no table);
 *	- in a script checked whole (evaluate(), submit() and so promotions and
 *	  migrations, policy tests), what the script's earlier statements in the
 *	  same transaction take: for a change dbchange runs (source not
 *	  'interactive'), the change's one transaction -- unless a statement
 *	  cannot run in a transaction block, and then the whole change runs at
 *	  top level, statement by statement, each its own transaction
 *	  (apply.c's authorize_toplevel, the CLI); for an interactive script, as psql runs a file, each
 *	  statement is its own transaction, unless the caller is in a
 *	  transaction block or the script opens one (BEGIN / START TRANSACTION,
 *	  until COMMIT, END, ROLLBACK or PREPARE TRANSACTION).  The script's own
 *	  BEGIN also makes in_transaction_block true for the statements after
 *	  it, so CREATE INDEX CONCURRENTLY there is judged as what it is: a
 *	  statement PostgreSQL refuses.
 *
 * lock_timeout says how long the statement will wait for its own lock
 * before it fails (0: for ever): a statement that needs ACCESS EXCLUSIVE
 * waits behind every long query on the table, and every query that comes
 * after waits behind it (squawk's require-timeout-settings).  At the gate
 * and in an interactive dry run, the session's setting, or the one the
 * script's own SET lock_timeout makes; for a change dbchange runs, only
 * what the script sets (the session that will apply it is not known when
 * it is judged).  Absent when the wait is not bounded (0), or not known.
 * A ROLLBACK (TO SAVEPOINT) undoes the SETs it rolls back; RESET goes back
 * to the session's reset value; code a statement runs (DO, a query calling
 * set_config()) makes it unknown: a bound that no longer holds must not
 * pass for one.
 *
 * Only the lock on the statement's own table (fact "table") counts, for
 * LOCK TABLE every table it names, the table a foreign key an ALTER TABLE
 * adds references and each partition of it (SHARE ROW EXCLUSIVE), the
 * tables a DROP CONSTRAINT of a foreign key locks on the other side
 * (note_drop_constraint_locks), and the inheritance children and
 * partitions an ALTER TABLE, LOCK TABLE or CREATE INDEX without ONLY
 * locks with it; ATTACH / DETACH PARTITION lock the table attached or
 * detached, the parent's default partition and the tables foreign keys
 * link them to instead (note_partition_locks).  A
 * table renamed or moved to another schema keeps its locks under the new
 * name; ROLLBACK TO SAVEPOINT releases those taken after the savepoint.
 * The partitions and foreign keys earlier statements of the script made
 * (in any of its transactions: ScriptLink) count with the catalog's, which
 * does not have them while the script is checked.
 *
 * A TRUNCATE in the transaction empties its tables for the statements
 * after it (emptied_in_script), until one that may put rows back
 * (keeps_emptied) or the transaction's end; facts.c checks the claim when
 * the statement runs.
 *
 * SET NOT NULL skips its scan of the table when a validated CHECK
 * constraint proves the column NOT NULL; the classifier finds such a
 * constraint in the catalog (has_validated_check).  In a script, the CHECK
 * is often added by the script itself:
 *
 *	 ALTER TABLE orders ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;
 *	 ALTER TABLE orders VALIDATE CONSTRAINT c;	-- (in another transaction)
 *	 ALTER TABLE orders ALTER COLUMN email SET NOT NULL;
 *
 * and the catalog does not have it yet when the script is checked.  So the
 * CHECKs an earlier statement of the script adds (validated as added, or
 * validated later by name) whose expression is "column IS NOT NULL",
 * alone or ANDed, prove that column NOT NULL for the later statements; so
 * does a NOT VALID one of the catalog's that the script validates.
 * When the script runs, the earlier statement has run before (in one
 * change: in the same transaction, or the change fails), so PostgreSQL
 * finds the constraint as this file says.  DROP CONSTRAINT of it forgets
 * it; a ROLLBACK in an interactive script, a rename, a DROP or SET SCHEMA
 * forget every one noted (the names may no longer mean the same), and so
 * does a statement that runs code.  What the script drops stays noted:
 * the catalog's constraint it dropped, renamed or replaced by name no
 * longer proves anything (classify.c asks dbc_script_dropped_constraint()),
 * nor does a CHECK reading a column it dropped, nor the catalog's for a
 * column name it renamed a column from or to.  A NO
 * INHERIT CHECK, and "c IS NOT NULL" of a composite column, prove nothing
 * to PostgreSQL, so not here either.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_class.h"
#include "catalog/partition.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_trigger.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "dbchange.h"

/* lock_timeout values besides a number of ms */
#define DBC_LT_UNSET	(-1)	/* the script did not set it: the session's own */
#define DBC_LT_UNKNOWN	(-2)	/* something set it to what this cannot know */

/* A lock the script's transaction holds on a table. */
typedef struct HeldLock
{
	char	   *table;			/* identity */
	LOCKMODE	mode;
	int			statement_no;	/* the statement that took it */
	char	   *fk_of;			/* a foreign key the script added to this table took it
								 * (on the table it references), else NULL */
} HeldLock;

/* What a ScriptCheck stands for. */
typedef enum ScriptCheckKind
{
	CHECK_ADDED,				/* a CHECK the script adds (not_null: what it proves) */
	CHECK_CATALOG,				/* the catalog's constraint name, validated by the script */
	CHECK_DROPPED,				/* constraint name dropped by the script */
	CHECK_COLUMN_DROPPED,		/* column name dropped: the CHECKs that read it too */
	CHECK_COLUMN_RENAMED		/* column name renamed from or to: another column's now */
} ScriptCheckKind;

/*
 * A CHECK constraint the script adds (the columns it proves NOT NULL), one
 * of the catalog's that the script validates (what it proves is read from
 * the catalog when asked), or what the script dropped.  Every CHECK added
 * is noted, also one that proves nothing: its name hides the catalog's.
 */
typedef struct ScriptCheck
{
	ScriptCheckKind kind;
	char	   *table;			/* identity */
	char	   *name;			/* NULL: unnamed (it cannot be validated by name) */
	List	   *not_null;		/* column names (char *) */
	List	   *reads;			/* every column name it reads (char *) */
	int			validated_by;	/* the statement that validated it, 0: not validated */
	int			statement_no;	/* the statement that noted it */
} ScriptCheck;

/*
 * A partition the script attached or created (PARTITION OF), or a foreign
 * key it added, whichever transaction it ran in: the catalog has neither
 * while the script is checked, and the locks later statements take follow
 * them (a foreign key referencing a partitioned table locks every
 * partition; ATTACH PARTITION locks what the parent's keys link it to).
 * Kept to the end of the script, also past a ROLLBACK that undoes one:
 * a lock said to be held that is not errs towards the safe side.
 */
typedef enum ScriptLinkKind
{
	LINK_PARTITION,				/* from: the parent, to: the partition */
	LINK_FOREIGN_KEY			/* from: the referencing table, to: the referenced one */
} ScriptLinkKind;

typedef struct ScriptLink
{
	ScriptLinkKind kind;
	char	   *from;			/* identities */
	char	   *to;
} ScriptLink;

/* A table a TRUNCATE of the script emptied, in the transaction still open. */
typedef struct EmptiedTable
{
	char	   *table;			/* identity */
	int			statement_no;	/* the TRUNCATE */
} EmptiedTable;

/* An open savepoint of an interactive script, and what rolling back to it restores. */
typedef struct ScriptSavepoint
{
	char	   *name;
	int			statement_no;
	int			lock_timeout;
	int			lock_timeout_session;
} ScriptSavepoint;

void
dbc_script_state_begin(DbcScriptTables *sc, const char *source, bool from_session)
{
	sc->one_change = source != NULL && strcmp(source, "interactive") != 0;
	/* apply.c runs such a change statement by statement, each on its own */
	sc->toplevel = sc->one_change && sc->off;
	sc->from_session = from_session && !sc->one_change;
	sc->in_block = sc->from_session && IsTransactionBlock();
	sc->statement_no = 0;
	sc->held = NIL;
	sc->checks = NIL;
	sc->savepoints = NIL;
	sc->emptied = NIL;
	sc->links = NIL;
	sc->lock_timeout = DBC_LT_UNSET;
	sc->lock_timeout_session = DBC_LT_UNSET;
	sc->lock_timeout_at_begin = DBC_LT_UNSET;
}

bool
dbc_script_state_in_block(DbcScriptTables *sc, Node *stmt, bool in_block)
{
	if (sc->one_change)
		return in_block && !sc->toplevel;
	return sc->in_block && !IsA(stmt, TransactionStmt);
}

/* The strongest lock blocking writes that this backend's transaction holds on relid. */
static LOCKMODE
session_held(Oid relid)
{
	LOCKTAG		tag;
	LOCKMODE	mode;

	SET_LOCKTAG_RELATION(tag, MyDatabaseId, relid);
	for (mode = AccessExclusiveLock; mode >= ShareLock; mode--)
		if (LockHeldByMe(&tag, mode))
			return mode;
	return NoLock;
}

/* The strongest lock the script's transaction took on table so far, and by which statement. */
static LOCKMODE
script_held(DbcScriptTables *sc, const char *table, int *statement_no)
{
	LOCKMODE	best = NoLock;
	ListCell   *lc;

	foreach(lc, sc->held)
	{
		HeldLock   *h = (HeldLock *) lfirst(lc);

		if (h->mode > best && strcmp(h->table, table) == 0)
		{
			best = h->mode;
			*statement_no = h->statement_no;
		}
	}
	return best;
}

void
dbc_put_held_lock(JsonbParseState **st, DbcScriptTables *sc, Node *stmt,
				  const DbcStmtTable *tab, bool in_block, bool ask_locks)
{
	LOCKMODE	mode = NoLock;
	LOCKMODE	in_script = NoLock;
	int			by = 0;

	/* absent unless bounded: the usual case costs the record nothing */
	if (tab->lock != NoLock)
	{
		int			ms = sc != NULL && sc->lock_timeout != DBC_LT_UNSET ? sc->lock_timeout :
			ask_locks ? LockTimeout : 0;

		if (ms > 0)
			dbc_put_int(st, "lock_timeout", ms);
	}
	/* those run on their own, in no transaction block */
	if (tab->identity == NULL || dbc_is_nontransactional(stmt))
		return;
	if (ask_locks && OidIsValid(tab->relid))
		mode = session_held(tab->relid);
	if (sc != NULL && in_block)
		in_script = script_held(sc, tab->identity, &by);
	if (Max(mode, in_script) < ShareLock)
		return;
	dbc_put_text(st, "held_lock", dbc_lock_name(Max(mode, in_script)));
	dbc_put_bool(st, "held_lock_blocks_reads", Max(mode, in_script) == AccessExclusiveLock);
	if (in_script >= mode)
		dbc_put_int(st, "held_lock_statement", by);
}

/* ---- noting what a statement leaves ---- */

static void
hold(DbcScriptTables *sc, const char *table, LOCKMODE mode)
{
	HeldLock   *h = palloc(sizeof(HeldLock));

	h->table = pstrdup(table);
	h->mode = mode;
	h->statement_no = sc->statement_no;
	h->fk_of = NULL;
	sc->held = lappend(sc->held, h);
}

static char *
relation_identity(Oid relid)
{
	char	   *schema = get_namespace_name(get_rel_namespace(relid));
	char	   *name = get_rel_name(relid);

	return schema && name ? psprintf("%s.%s", schema, name) : NULL;
}

/* The relation an identity ("schema.name", either part may hold dots) names now, or InvalidOid. */
static Oid
identity_relid(const char *identity)
{
	const char *p;

	for (p = strchr(identity, '.'); p != NULL; p = strchr(p + 1, '.'))
	{
		Oid			nsp = get_namespace_oid(pnstrdup(identity, p - identity), true);
		Oid			rel;

		if (OidIsValid(nsp) && OidIsValid(rel = get_relname_relid(p + 1, nsp)))
			return rel;
	}
	return InvalidOid;
}

static bool
has_identity(List *identities, const char *identity)
{
	ListCell   *lc;

	foreach(lc, identities)
		if (strcmp((char *) lfirst(lc), identity) == 0)
			return true;
	return false;
}

/* identity's catalog partitions and inheritance children, at any depth, onto list. */
static List *
add_catalog_descendants(List *list, Oid relid)
{
	ListCell   *lc;

	if (!OidIsValid(relid) || !has_subclass(relid))
		return list;
	foreach(lc, find_all_inheritors(relid, NoLock, NULL))
	{
		char	   *child;

		if (lfirst_oid(lc) != relid && (child = relation_identity(lfirst_oid(lc))) != NULL &&
			!has_identity(list, child))
			list = lappend(list, child);
	}
	return list;
}

/*
 * identity (relid, when it exists) and everything under it: the catalog's
 * partitions and inheritance children, and the partitions earlier
 * statements of the script attached or created under it or under any of
 * those (and theirs in the catalog).  A partition the script detached is
 * still counted: said to be locked, it is judged the safer way.
 */
static List *
tree_identities(DbcScriptTables *sc, Oid relid, const char *identity)
{
	List	   *out = list_make1(pstrdup(identity));
	int			i;

	if (!OidIsValid(relid))
		relid = identity_relid(identity);
	out = add_catalog_descendants(out, relid);
	for (i = 0; i < list_length(out); i++)
	{
		const char *parent = (const char *) list_nth(out, i);
		ListCell   *lc;

		foreach(lc, sc->links)
		{
			ScriptLink *l = (ScriptLink *) lfirst(lc);

			if (l->kind != LINK_PARTITION || strcmp(l->from, parent) != 0 || has_identity(out, l->to))
				continue;
			out = lappend(out, l->to);
			out = add_catalog_descendants(out, identity_relid(l->to));
		}
	}
	return out;
}

/*
 * A statement on a table with inheritance children (a partitioned table's
 * partitions; CREATE INDEX: the partitions only) locks them too, unless it
 * names the table ONLY: an ALTER
 * TABLE ... ADD CONSTRAINT NOT VALID on the parent and a VALIDATE
 * CONSTRAINT on a partition in the same transaction scan under the ADD's lock.
 * So are the partitions the script attached before.
 */
static void
hold_descendants(DbcScriptTables *sc, RangeVar *rv, Oid relid, const char *identity, LOCKMODE mode)
{
	char	   *found;
	ListCell   *lc;

	if (rv == NULL || !rv->inh)
		return;
	/* only the relation the classifier named (a LOCK TABLE's names are resolved again here) */
	if (OidIsValid(relid) && ((found = relation_identity(relid)) == NULL || strcmp(found, identity) != 0))
		return;
	foreach(lc, tree_identities(sc, relid, identity))
		if (foreach_current_index(lc) > 0)
			hold(sc, (char *) lfirst(lc), mode);
}

/* relid and every partition or inheritance child under it, at mode. */
static void
hold_tree(DbcScriptTables *sc, Oid relid, const char *identity, LOCKMODE mode)
{
	ListCell   *lc;

	if (identity == NULL)
	{
		if (!OidIsValid(relid) || (identity = relation_identity(relid)) == NULL)
			return;
	}
	foreach(lc, tree_identities(sc, relid, identity))
		hold(sc, (char *) lfirst(lc), mode);
}

/* A foreign key of the catalog: pg_constraint's oid, conparentid, conrelid, confrelid, conindid. */
typedef struct ForeignKey
{
	Oid			oid;
	Oid			parent;
	Oid			conrelid;
	Oid			confrelid;
	Oid			conindid;
} ForeignKey;

/*
 * The foreign keys of relid (of_table), or those that reference it.  The
 * latter reads all of pg_constraint, which has no index on confrelid (as
 * PostgreSQL's own look-ups for ATTACH / DETACH PARTITION do); only
 * statements that take such locks ask.
 */
static List *
foreign_keys(Oid relid, bool of_table)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *out = NIL;

	if (!OidIsValid(relid))
		return NIL;
	rel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyInit(&key, of_table ? Anum_pg_constraint_conrelid : Anum_pg_constraint_confrelid,
				BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, of_table ? ConstraintRelidTypidNameIndexId : InvalidOid,
							  of_table, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
		ForeignKey *fk;

		if (con->contype != CONSTRAINT_FOREIGN)
			continue;
		fk = palloc(sizeof(ForeignKey));
		fk->oid = con->oid;
		fk->parent = con->conparentid;
		fk->conrelid = con->conrelid;
		fk->confrelid = con->confrelid;
		fk->conindid = con->conindid;
		out = lappend(out, fk);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return out;
}

/*
 * The tables outside the partition tree that foreign keys make ATTACH /
 * DETACH PARTITION lock (pg_locks of PostgreSQL 15):
 *
 *	- a foreign key of the parent: the table it references, and every
 *	  partition of it, SHARE ROW EXCLUSIVE (its triggers are made or
 *	  remade for the partition), ATTACH and DETACH (FINALIZE too) alike;
 *	- a foreign key referencing the parent, ATTACH: the referencing table
 *	  SHARE ROW EXCLUSIVE (the key is cloned to reference the new
 *	  partition); not the partitions of a partitioned referencing table,
 *	  whose keys are clones of its own (the clone is made from the parent
 *	  key only);
 *	- DETACH: the keys referencing the partition detached that are clones
 *	  of a key referencing the parent are dropped, which locks their
 *	  referencing table ACCESS EXCLUSIVE.
 */
static void
note_partition_fk_locks(DbcScriptTables *sc, Oid parent, const char *parent_identity, Oid partition,
						bool detach)
{
	List	   *refs;
	ListCell   *lc;

	/*
	 * the same for the keys earlier statements of the script added, of the
	 * parent or referencing it: the catalog does not have them yet (a key
	 * referencing the parent has a clone referencing each partition, which
	 * DETACH drops)
	 */
	foreach(lc, parent_identity ? sc->links : NIL)
	{
		ScriptLink *l = (ScriptLink *) lfirst(lc);

		if (l->kind != LINK_FOREIGN_KEY)
			continue;
		if (strcmp(l->from, parent_identity) == 0)
			hold_tree(sc, InvalidOid, l->to, ShareRowExclusiveLock);
		if (strcmp(l->to, parent_identity) == 0)
			hold(sc, l->from, detach ? AccessExclusiveLock : ShareRowExclusiveLock);
	}

	foreach(lc, foreign_keys(parent, true))
	{
		ForeignKey *fk = (ForeignKey *) lfirst(lc);

		hold_tree(sc, fk->confrelid, relation_identity(fk->confrelid), ShareRowExclusiveLock);
	}
	refs = detach ? foreign_keys(partition, false) : foreign_keys(parent, false);
	foreach(lc, refs)
	{
		ForeignKey *fk = (ForeignKey *) lfirst(lc);
		char	   *identity;
		bool		clone_of_listed = false;
		ListCell   *l2;

		if (detach && !OidIsValid(fk->parent))
			continue;			/* a key of its own on the partition: it stays */
		foreach(l2, refs)
			if (OidIsValid(fk->parent) && ((ForeignKey *) lfirst(l2))->oid == fk->parent)
				clone_of_listed = true;
		if (!detach && clone_of_listed)
			continue;
		if ((identity = relation_identity(fk->conrelid)) != NULL)
			hold(sc, identity, detach ? AccessExclusiveLock : ShareRowExclusiveLock);
	}
}

/*
 * ATTACH / DETACH PARTITION lock other tables than the parent, and not the
 * parent's other partitions (what PostgreSQL 15 holds afterwards, read from
 * pg_locks):
 *
 *	- ATTACH: the parent SHARE UPDATE EXCLUSIVE (which blocks no writes, so
 *	  not noted); the table attached, and every partition of it, ACCESS
 *	  EXCLUSIVE; the parent's default partition, and every partition of it,
 *	  ACCESS EXCLUSIVE (it is scanned for rows of the new bound).
 *	- DETACH (not CONCURRENTLY, which runs in no transaction block): the
 *	  parent, the table detached and every partition of it, and the parent's
 *	  default partition (not its partitions), all ACCESS EXCLUSIVE.
 *	- DETACH ... FINALIZE (of a DETACH CONCURRENTLY cancelled or failed
 *	  halfway; it runs in a transaction block): the parent SHARE UPDATE
 *	  EXCLUSIVE, the table detached and every partition of it ACCESS
 *	  EXCLUSIVE; no default partition (a parent with one cannot detach
 *	  concurrently).
 *	- and the tables foreign keys link them to (note_partition_fk_locks).
 */
static void
note_partition_locks(DbcScriptTables *sc, const DbcStmtTable *tab)
{
	Oid			def = OidIsValid(tab->relid) && get_rel_relkind(tab->relid) == RELKIND_PARTITIONED_TABLE ?
		get_default_partition_oid(tab->relid) : InvalidOid;

	if (tab->detach && !tab->finalize && tab->identity)
		hold(sc, tab->identity, AccessExclusiveLock);
	hold_tree(sc, tab->partition_relid, tab->partition, AccessExclusiveLock);
	note_partition_fk_locks(sc, tab->relid, tab->identity, tab->partition_relid, tab->detach);
	if (!OidIsValid(def) || tab->finalize)
		return;
	if (tab->detach)
	{
		char	   *d = relation_identity(def);

		if (d != NULL)
			hold(sc, d, AccessExclusiveLock);
	}
	else
		hold_tree(sc, def, relation_identity(def), AccessExclusiveLock);
}

/*
 * DROP CONSTRAINT of a foreign key locks more than its table (pg_locks of
 * PostgreSQL 15): the table the key references and every partition of it,
 * ACCESS EXCLUSIVE (their triggers of the key are dropped), and every
 * partition of its own table, ONLY or not (their keys are clones that go
 * with it).  A primary key or unique constraint dropped with CASCADE drops
 * the foreign keys that reference it, so the same for each of them: its
 * table and that table's partitions, and this table's partitions.  A
 * constraint the catalog does not have may be a foreign key an earlier
 * statement of the script added to the table: every table such a key
 * locked is locked ACCESS EXCLUSIVE now (any of them, as the name the key
 * was given, or PostgreSQL made up, is not matched here).
 */
static void
note_drop_constraint_locks(DbcScriptTables *sc, AlterTableStmt *stmt, const DbcStmtTable *tab)
{
	ListCell   *lc;

	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		Oid			conoid;
		HeapTuple	tup;
		Form_pg_constraint con;

		if (!IsA(cmd, AlterTableCmd) || cmd->subtype != AT_DropConstraint || cmd->name == NULL)
			continue;
		conoid = OidIsValid(tab->relid) ?
			get_relation_constraint_oid(tab->relid, cmd->name, true) : InvalidOid;
		if (!OidIsValid(conoid))
		{
			List	   *keyed = NIL;
			ListCell   *h;

			foreach(h, sc->held)
			{
				HeldLock   *held = (HeldLock *) lfirst(h);

				if (held->fk_of != NULL && strcmp(held->fk_of, tab->identity) == 0)
					keyed = lappend(keyed, held->table);
			}
			foreach(h, keyed)
				hold(sc, (char *) lfirst(h), AccessExclusiveLock);
			/* one an earlier transaction of the script added: what it references, its own partitions */
			foreach(h, sc->links)
			{
				ScriptLink *l = (ScriptLink *) lfirst(h);

				if (l->kind == LINK_FOREIGN_KEY && strcmp(l->from, tab->identity) == 0)
				{
					hold_tree(sc, InvalidOid, l->to, AccessExclusiveLock);
					hold_tree(sc, tab->relid, tab->identity, AccessExclusiveLock);
				}
			}
			continue;
		}
		tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
		if (!HeapTupleIsValid(tup))
			continue;
		con = (Form_pg_constraint) GETSTRUCT(tup);
		if (con->contype == CONSTRAINT_FOREIGN)
		{
			hold_tree(sc, con->confrelid, relation_identity(con->confrelid), AccessExclusiveLock);
			hold_tree(sc, tab->relid, tab->identity, AccessExclusiveLock);
		}
		else if (cmd->behavior == DROP_CASCADE && OidIsValid(con->conindid))
		{
			ListCell   *f;
			bool		any = false;

			foreach(f, foreign_keys(tab->relid, false))
			{
				ForeignKey *fk = (ForeignKey *) lfirst(f);

				if (fk->conindid != con->conindid)
					continue;
				hold_tree(sc, fk->conrelid, relation_identity(fk->conrelid), AccessExclusiveLock);
				any = true;
			}
			if (any)
				hold_tree(sc, tab->relid, tab->identity, AccessExclusiveLock);
		}
		ReleaseSysCache(tup);
	}
}

static void
note_locks(DbcScriptTables *sc, Node *stmt, const DbcStmtTable *tab)
{
	ListCell   *lc;

	if (dbc_is_nontransactional(stmt))
		return;
	if (tab->partition != NULL)
	{
		note_partition_locks(sc, tab);
		/* CREATE TABLE ... PARTITION OF: unlike ATTACH, the parent ACCESS EXCLUSIVE */
		if (tab->create_partition && tab->identity)
			hold(sc, tab->identity, AccessExclusiveLock);
		return;
	}
	if (tab->lock < ShareLock)
		return;
	if (tab->identity)
		hold(sc, tab->identity, tab->lock);
	foreach(lc, tab->locked)
		hold(sc, (char *) lfirst(lc), tab->lock);
	/*
	 * a foreign key added locks the table it references too, and each
	 * partition of it; noted as the key's, for a DROP CONSTRAINT of it
	 */
	if (tab->referenced != NIL)
	{
		int			before = list_length(sc->held);
		ListCell   *r = list_head(tab->referenced_relids);

		foreach(lc, tab->referenced)
		{
			hold_tree(sc, r ? lfirst_oid(r) : InvalidOid, (char *) lfirst(lc), ShareRowExclusiveLock);
			r = r ? lnext(tab->referenced_relids, r) : NULL;
		}
		if (tab->identity)
			for_each_from(lc, sc->held, before)
				((HeldLock *) lfirst(lc))->fk_of = pstrdup(tab->identity);
	}
	if (IsA(stmt, AlterTableStmt) && tab->identity)
	{
		hold_descendants(sc, ((AlterTableStmt *) stmt)->relation, tab->relid, tab->identity, tab->lock);
		note_drop_constraint_locks(sc, (AlterTableStmt *) stmt, tab);
	}
	else if (IsA(stmt, IndexStmt) && tab->identity && OidIsValid(tab->relid) &&
			 get_rel_relkind(tab->relid) == RELKIND_PARTITIONED_TABLE)
		hold_descendants(sc, ((IndexStmt *) stmt)->relation, tab->relid, tab->identity, tab->lock);
	else if (IsA(stmt, LockStmt) || IsA(stmt, TruncateStmt))
	{
		List	   *rels = IsA(stmt, LockStmt) ? ((LockStmt *) stmt)->relations :
			((TruncateStmt *) stmt)->relations;

		foreach(lc, rels)
		{
			RangeVar   *rv = (RangeVar *) lfirst(lc);
			Oid			relid = RangeVarGetRelid(rv, NoLock, true);
			char	   *identity = OidIsValid(relid) ? relation_identity(relid) : NULL;

			ListCell   *l2;

			foreach(l2, tab->locked)
				if (identity && strcmp((char *) lfirst(l2), identity) == 0)
				{
					hold_descendants(sc, rv, relid, identity, tab->lock);
					break;
				}
		}
	}
}

/*
 * A table renamed or moved to another schema in the transaction is still
 * locked under its new name: a VALIDATE CONSTRAINT of it by that name scans
 * under the lock as well.
 */
static void
carry_locks(DbcScriptTables *sc, const char *from, const char *to)
{
	List	   *moved = NIL;
	ListCell   *lc;

	if (from == NULL || to == NULL)
		return;
	foreach(lc, sc->held)
	{
		HeldLock   *h = (HeldLock *) lfirst(lc);

		if (strcmp(h->table, from) == 0)
		{
			HeldLock   *n = palloc(sizeof(HeldLock));

			n->table = pstrdup(to);
			n->mode = h->mode;
			n->statement_no = h->statement_no;
			moved = lappend(moved, n);
		}
	}
	sc->held = list_concat(sc->held, moved);
}

/* The identity a table of identity old, relname, has after RENAME TO / SET SCHEMA. */
static char *
renamed_identity(const char *old, const char *relname, const char *newschema, const char *newname)
{
	size_t		ol = strlen(old);
	size_t		rl = strlen(relname);

	if (newschema)
		return psprintf("%s.%s", newschema, newname ? newname : relname);
	/* old is "schema.relname" */
	if (ol <= rl + 1 || old[ol - rl - 1] != '.' || strcmp(old + ol - rl, relname) != 0)
		return NULL;
	return psprintf("%.*s.%s", (int) (ol - rl - 1), old, newname);
}

static void
note_rename(DbcScriptTables *sc, Node *stmt, const DbcStmtTable *tab)
{
	if (tab->identity == NULL)
		return;
	if (IsA(stmt, RenameStmt))
	{
		RenameStmt *r = (RenameStmt *) stmt;

		if (r->renameType == OBJECT_TABLE && r->relation && r->newname)
			carry_locks(sc, tab->identity,
						renamed_identity(tab->identity, r->relation->relname, NULL, r->newname));
	}
	else if (IsA(stmt, AlterObjectSchemaStmt))
	{
		AlterObjectSchemaStmt *a = (AlterObjectSchemaStmt *) stmt;

		if (a->objectType == OBJECT_TABLE && a->relation && a->newschema)
			carry_locks(sc, tab->identity,
						renamed_identity(tab->identity, a->relation->relname, a->newschema, NULL));
	}
}

/* The end of the interactive script's transaction (COMMIT: committed). */
static void
end_transaction(DbcScriptTables *sc, bool committed, bool chain)
{
	sc->held = NIL;
	sc->savepoints = NIL;
	/* committed, other sessions may write into the tables; rolled back, nothing was emptied */
	sc->emptied = NIL;
	if (!committed)
	{
		/* what the transaction did is undone, its SETs too */
		sc->checks = NIL;
		sc->lock_timeout_session = sc->lock_timeout_at_begin;
	}
	sc->lock_timeout = sc->lock_timeout_session;
	sc->in_block = chain;
	if (chain)
		sc->lock_timeout_at_begin = sc->lock_timeout_session;
}

/* The savepoint of that name made last, or NULL. */
static ScriptSavepoint *
find_savepoint(DbcScriptTables *sc, const char *name, int *at)
{
	ScriptSavepoint *found = NULL;
	ListCell   *lc;

	foreach(lc, sc->savepoints)
	{
		ScriptSavepoint *p = (ScriptSavepoint *) lfirst(lc);

		if (name && strcmp(p->name, name) == 0)
		{
			found = p;
			*at = foreach_current_index(lc);
		}
	}
	return found;
}

/*
 * ROLLBACK TO SAVEPOINT: what the statements after the savepoint did is
 * undone -- their locks released, their CHECKs added, validated or dropped
 * forgotten, their SET lock_timeout reverted.
 */
static void
rollback_to(DbcScriptTables *sc, ScriptSavepoint *p)
{
	List	   *held = NIL;
	List	   *checks = NIL;
	List	   *emptied = NIL;
	ListCell   *lc;

	foreach(lc, sc->held)
		if (((HeldLock *) lfirst(lc))->statement_no <= p->statement_no)
			held = lappend(held, lfirst(lc));
	foreach(lc, sc->emptied)
		if (((EmptiedTable *) lfirst(lc))->statement_no <= p->statement_no)
			emptied = lappend(emptied, lfirst(lc));
	sc->emptied = emptied;
	foreach(lc, sc->checks)
	{
		ScriptCheck *k = (ScriptCheck *) lfirst(lc);

		if (k->statement_no > p->statement_no)
			continue;
		if (k->validated_by > p->statement_no)
			k->validated_by = 0;
		checks = lappend(checks, k);
	}
	sc->held = held;
	sc->checks = checks;
	sc->lock_timeout = p->lock_timeout;
	sc->lock_timeout_session = p->lock_timeout_session;
}

/*
 * BEGIN opens the interactive script's transaction block; its end releases
 * every lock.  (A change dbchange runs has no transaction control: submit()
 * refuses it.)
 */
static void
note_transaction(DbcScriptTables *sc, TransactionStmt *t)
{
	ScriptSavepoint *p;
	int			at = 0;

	switch (t->kind)
	{
		case TRANS_STMT_BEGIN:
		case TRANS_STMT_START:
			if (!sc->in_block)
				sc->lock_timeout_at_begin = sc->lock_timeout_session;
			sc->in_block = true;
			break;
		case TRANS_STMT_ROLLBACK:
			end_transaction(sc, false, t->chain);
			break;
		case TRANS_STMT_COMMIT:
		case TRANS_STMT_PREPARE:
			end_transaction(sc, true, t->chain && t->kind != TRANS_STMT_PREPARE);
			break;
		case TRANS_STMT_SAVEPOINT:
			if (sc->in_block && t->savepoint_name)
			{
				p = palloc(sizeof(ScriptSavepoint));
				p->name = pstrdup(t->savepoint_name);
				p->statement_no = sc->statement_no;
				p->lock_timeout = sc->lock_timeout;
				p->lock_timeout_session = sc->lock_timeout_session;
				sc->savepoints = lappend(sc->savepoints, p);
			}
			break;
		case TRANS_STMT_RELEASE:
			if (find_savepoint(sc, t->savepoint_name, &at) != NULL)
				sc->savepoints = list_truncate(sc->savepoints, at);
			break;
		case TRANS_STMT_ROLLBACK_TO:
			if ((p = find_savepoint(sc, t->savepoint_name, &at)) != NULL)
			{
				sc->savepoints = list_truncate(sc->savepoints, at + 1);
				rollback_to(sc, p);
			}
			else
			{
				/* a savepoint this does not know (the caller's): say less */
				sc->held = NIL;
				sc->emptied = NIL;
				sc->checks = NIL;
				sc->lock_timeout = sc->lock_timeout_session = DBC_LT_UNKNOWN;
			}
			break;
		default:
			break;
	}
}

/* The columns a raw CHECK expression proves NOT NULL: "col IS NOT NULL", alone or ANDed. */
static List *
not_null_columns(Node *expr, List *cols)
{
	if (expr == NULL)
		return cols;
	if (IsA(expr, NullTest))
	{
		NullTest   *nt = (NullTest *) expr;
		ColumnRef  *cr = (ColumnRef *) nt->arg;

		if (nt->nulltesttype == IS_NOT_NULL && cr != NULL && IsA(cr, ColumnRef) &&
			list_length(cr->fields) == 1 && IsA(linitial(cr->fields), String))
			cols = lappend(cols, pstrdup(strVal(linitial(cr->fields))));
	}
	else if (IsA(expr, BoolExpr) && ((BoolExpr *) expr)->boolop == AND_EXPR)
	{
		ListCell   *lc;

		foreach(lc, ((BoolExpr *) expr)->args)
			cols = not_null_columns(lfirst(lc), cols);
	}
	return cols;
}

/* Is name one of names (char *)? */
static bool
has_name(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
		if (strcmp((char *) lfirst(lc), name) == 0)
			return true;
	return false;
}

/* The column names a raw expression reads (a DROP COLUMN of one drops the CHECK). */
static bool
column_names_walker(Node *node, List **names)
{
	if (node == NULL)
		return false;
	if (IsA(node, ColumnRef))
	{
		ColumnRef  *cr = (ColumnRef *) node;

		if (cr->fields != NIL && IsA(llast(cr->fields), String))
			*names = lappend(*names, pstrdup(strVal(llast(cr->fields))));
		return false;
	}
	return raw_expression_tree_walker(node, column_names_walker, (void *) names);
}

/* What the script did last to table's constraint name, or NULL. */
static ScriptCheck *
find_check(DbcScriptTables *sc, const char *table, const char *name)
{
	ScriptCheck *found = NULL;
	ListCell   *lc;

	foreach(lc, sc->checks)
	{
		ScriptCheck *k = (ScriptCheck *) lfirst(lc);

		if (k->name && strcmp(k->name, name) == 0 && strcmp(k->table, table) == 0)
			found = k;
	}
	return found;
}

static ScriptCheck *
new_check(DbcScriptTables *sc, ScriptCheckKind kind, const char *table, const char *name)
{
	ScriptCheck *k = palloc0(sizeof(ScriptCheck));

	k->kind = kind;
	k->table = pstrdup(table);
	k->name = name ? pstrdup(name) : NULL;
	k->statement_no = sc->statement_no;
	sc->checks = lappend(sc->checks, k);
	return k;
}

static void
note_check_added(DbcScriptTables *sc, const char *table, Constraint *con)
{
	ScriptCheck *k = new_check(sc, CHECK_ADDED, table, con->conname);

	/*
	 * A NO INHERIT one proves nothing for the children SET NOT NULL recurses
	 * to (and a table may get children later).
	 */
	if (!con->is_no_inherit)
		k->not_null = not_null_columns(con->raw_expr, NIL);
	(void) column_names_walker(con->raw_expr, &k->reads);
	k->validated_by = con->skip_validation ? 0 : sc->statement_no;
}

/* ADD CONSTRAINT ... CHECK, VALIDATE CONSTRAINT, DROP CONSTRAINT, DROP COLUMN of a table. */
static void
note_checks(DbcScriptTables *sc, AlterTableStmt *at, const char *table)
{
	ListCell   *lc;
	List	   *added = NIL;

	/* PostgreSQL drops first, whatever the order in the statement */
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		ScriptCheck *k;

		if (!IsA(cmd, AlterTableCmd))
			continue;
		if (cmd->subtype == AT_DropConstraint && cmd->name)
		{
			if ((k = find_check(sc, table, cmd->name)) != NULL)
				sc->checks = list_delete_ptr(sc->checks, k);
			new_check(sc, CHECK_DROPPED, table, cmd->name);
		}
		else if (cmd->subtype == AT_DropColumn && cmd->name)
		{
			/*
			 * the CHECKs that read it go with it: forget the script's that
			 * read it, and the catalog's it validated (what they read is the
			 * catalog's to say; this errs towards saying less)
			 */
			List	   *keep = NIL;
			ListCell   *c;

			foreach(c, sc->checks)
			{
				k = (ScriptCheck *) lfirst(c);
				if (strcmp(k->table, table) != 0 || k->kind == CHECK_DROPPED ||
					k->kind == CHECK_COLUMN_DROPPED || k->kind == CHECK_COLUMN_RENAMED ||
					(k->kind == CHECK_ADDED && !has_name(k->reads, cmd->name)))
					keep = lappend(keep, k);
			}
			sc->checks = keep;
			new_check(sc, CHECK_COLUMN_DROPPED, table, cmd->name);
		}
	}
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		ScriptCheck *k;

		if (!IsA(cmd, AlterTableCmd))
			continue;
		if (cmd->subtype == AT_AddConstraint && cmd->def && IsA(cmd->def, Constraint) &&
			((Constraint *) cmd->def)->contype == CONSTR_CHECK)
			added = lappend(added, cmd->def);
		else if (cmd->subtype == AT_ValidateConstraint && cmd->name)
		{
			if ((k = find_check(sc, table, cmd->name)) == NULL)
				k = new_check(sc, CHECK_CATALOG, table, cmd->name);
			/* a dropped one is not there to validate (the statement fails) */
			if (k->kind != CHECK_DROPPED)
				k->validated_by = sc->statement_no;
		}
	}
	/* ... and adds constraints after the rest */
	foreach(lc, added)
		note_check_added(sc, table, (Constraint *) lfirst(lc));
}

/*
 * A rename, DROP or SET SCHEMA: the names noted may no longer mean the same
 * (a table renamed away and another renamed in its place), so the CHECKs
 * noted are forgotten -- but not what the script dropped, which stays
 * dropped.  RENAME CONSTRAINT: neither name means the catalog's constraint
 * any more; RENAME COLUMN: the catalog's CHECKs may read another column
 * under the name.
 */
static void
note_renamed_or_dropped(DbcScriptTables *sc, Node *stmt, const DbcStmtTable *tab)
{
	List	   *keep = NIL;
	ListCell   *lc;

	foreach(lc, sc->checks)
	{
		ScriptCheck *k = (ScriptCheck *) lfirst(lc);

		if (k->kind == CHECK_DROPPED || k->kind == CHECK_COLUMN_DROPPED ||
			k->kind == CHECK_COLUMN_RENAMED)
			keep = lappend(keep, k);
	}
	sc->checks = keep;
	if (IsA(stmt, RenameStmt) && tab->identity != NULL)
	{
		RenameStmt *r = (RenameStmt *) stmt;

		if (r->renameType == OBJECT_TABCONSTRAINT && r->subname && r->newname)
		{
			new_check(sc, CHECK_DROPPED, tab->identity, r->subname);
			new_check(sc, CHECK_DROPPED, tab->identity, r->newname);
		}
		else if (r->renameType == OBJECT_COLUMN && r->subname && r->newname)
		{
			new_check(sc, CHECK_COLUMN_RENAMED, tab->identity, r->subname);
			new_check(sc, CHECK_COLUMN_RENAMED, tab->identity, r->newname);
		}
	}
}

/* ms, or DBC_LT_UNKNOWN: what value means for lock_timeout */
static int
lock_timeout_ms(const char *value)
{
	int			ms;

	if (value != NULL && parse_int(value, &ms, GUC_UNIT_MS, NULL) && ms >= 0)
		return ms;
	return DBC_LT_UNKNOWN;
}

/*
 * What RESET lock_timeout (SET ... TO DEFAULT, RESET ALL, DISCARD ALL)
 * goes back to: in an interactive dry run, the session's reset value
 * (postgresql.conf, the role's or database's setting); for a change run
 * later, not known.
 */
static int
lock_timeout_reset(DbcScriptTables *sc)
{
	if (sc->one_change)
		return DBC_LT_UNKNOWN;
	return lock_timeout_ms(GetConfigOptionResetString("lock_timeout"));
}

/*
 * SET [SESSION | LOCAL] lock_timeout = value, RESET: what the later
 * statements wait for their locks.  SET LOCAL outside a transaction block
 * lasts for no later statement.
 */
static void
note_lock_timeout(DbcScriptTables *sc, VariableSetStmt *v, bool in_block)
{
	int			ms;

	if (v->kind == VAR_RESET_ALL)
		ms = lock_timeout_reset(sc);
	else if (v->name == NULL || pg_strcasecmp(v->name, "lock_timeout") != 0)
		return;
	else if (v->kind == VAR_SET_VALUE)
		ms = lock_timeout_ms(ExtractSetVariableArgs(v));
	else if (v->kind == VAR_SET_DEFAULT || v->kind == VAR_RESET)
		ms = lock_timeout_reset(sc);
	else
		return;					/* FROM CURRENT: as it is */
	if (v->is_local)
	{
		if (in_block)
			sc->lock_timeout = ms;
		return;
	}
	sc->lock_timeout = ms;
	sc->lock_timeout_session = ms;
}

/*
 * Statements that run code of their own: DO, CALL, a query or data change
 * (a function it calls, a trigger it fires), EXECUTE.  That code may
 * set_config('lock_timeout', ...) or drop a constraint: what the script set
 * is no longer known, and the CHECKs it added are forgotten (the catalog's
 * are judged as the gate finds them when the code runs its DDL).
 */
bool
dbc_stmt_runs_code(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_DoStmt:
		case T_CallStmt:
		case T_ExecuteStmt:
		case T_SelectStmt:
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
		case T_MergeStmt:
		case T_CopyStmt:
		case T_ExplainStmt:
		case T_DeclareCursorStmt:
		case T_FetchStmt:
		case T_CreateTableAsStmt:
		case T_RefreshMatViewStmt:
			return true;
		default:
			return false;
	}
}

static void
add_link(DbcScriptTables *sc, ScriptLinkKind kind, const char *from, const char *to)
{
	ScriptLink *l = palloc(sizeof(ScriptLink));

	l->kind = kind;
	l->from = pstrdup(from);
	l->to = pstrdup(to);
	sc->links = lappend(sc->links, l);
}

/*
 * What a statement links, for the statements after it (ScriptLink): the
 * partition ATTACH PARTITION or CREATE TABLE ... PARTITION OF puts under
 * its parent, the tables the foreign keys it adds reference; and a table
 * renamed or moved keeps its links under its new name (the old name's stay:
 * another table renamed into it is said to be linked too, the safe side).
 */
static void
note_links(DbcScriptTables *sc, Node *stmt, const DbcStmtTable *tab)
{
	ListCell   *lc;
	char	   *to = NULL;

	if (tab->identity == NULL)
		return;
	if (tab->partition != NULL && !tab->detach)
		add_link(sc, LINK_PARTITION, tab->identity, tab->partition);
	foreach(lc, tab->referenced)
		if (lfirst(lc) != NULL)
			add_link(sc, LINK_FOREIGN_KEY, tab->identity, (char *) lfirst(lc));
	if (IsA(stmt, RenameStmt) && ((RenameStmt *) stmt)->renameType == OBJECT_TABLE &&
		((RenameStmt *) stmt)->relation && ((RenameStmt *) stmt)->newname)
		to = renamed_identity(tab->identity, ((RenameStmt *) stmt)->relation->relname, NULL,
							  ((RenameStmt *) stmt)->newname);
	else if (IsA(stmt, AlterObjectSchemaStmt) && ((AlterObjectSchemaStmt *) stmt)->objectType == OBJECT_TABLE &&
			 ((AlterObjectSchemaStmt *) stmt)->relation && ((AlterObjectSchemaStmt *) stmt)->newschema)
		to = renamed_identity(tab->identity, ((AlterObjectSchemaStmt *) stmt)->relation->relname,
							  ((AlterObjectSchemaStmt *) stmt)->newschema, NULL);
	if (to != NULL)
	{
		List	   *moved = NIL;

		foreach(lc, sc->links)
		{
			ScriptLink *l = (ScriptLink *) lfirst(lc);
			bool		from_it = strcmp(l->from, tab->identity) == 0;
			bool		to_it = strcmp(l->to, tab->identity) == 0;

			if (from_it || to_it)
			{
				ScriptLink *n = palloc(sizeof(ScriptLink));

				n->kind = l->kind;
				n->from = pstrdup(from_it ? to : l->from);
				n->to = pstrdup(to_it ? to : l->to);
				moved = lappend(moved, n);
			}
		}
		sc->links = list_concat(sc->links, moved);
	}
}

/* ---- tables a TRUNCATE of the script emptied (emptied_in_script) ---- */

/*
 * Does relid have a TRUNCATE trigger (enabled or not: session_replication_role
 * decides which fire)?  Its code runs after the table is emptied, and may
 * put rows back into it or any other table.
 */
static bool
has_truncate_trigger(Oid relid)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	rel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_trigger_tgrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, TriggerRelidNameIndexId, true, NULL, 1, &key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
		found = TRIGGER_FOR_TRUNCATE(((Form_pg_trigger) GETSTRUCT(tup))->tgtype);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

static bool
is_emptied(DbcScriptTables *sc, const char *table)
{
	ListCell   *lc;

	foreach(lc, sc->emptied)
		if (strcmp(((EmptiedTable *) lfirst(lc))->table, table) == 0)
			return true;
	return false;
}

/*
 * The tables a TRUNCATE in the script's transaction empties, noted only
 * when nothing can be wrong about them: every table it names exists, is
 * a plain or partitioned table under the name the catalog gives it (no
 * rename or SET SCHEMA of the script has touched the name or the table),
 * is truncated with all its partitions and inheritance children (not ONLY
 * a table that has some), none of them a foreign table (its rows are the
 * remote server's, anyone's to add) or one with a TRUNCATE trigger (whose
 * code runs after the rows are gone); and no CASCADE, which empties other
 * tables and fires their triggers.  Otherwise nothing of the statement is
 * noted.
 */
static void
note_truncated(DbcScriptTables *sc, TruncateStmt *t, const DbcStmtTable *tab)
{
	List	   *tables = NIL;
	List	   *numbers;
	ListCell   *lc;

	if (t->behavior == DROP_CASCADE)
		return;
	foreach(lc, t->relations)
	{
		RangeVar   *rv = (RangeVar *) lfirst(lc);
		Oid			relid = RangeVarGetRelid(rv, NoLock, true);
		Oid			other;
		char	   *identity = OidIsValid(relid) ? relation_identity(relid) : NULL;
		bool		listed = false;
		ListCell   *l2;

		if (identity == NULL)
			return;
		foreach(l2, tab->locked)
			listed |= strcmp((char *) lfirst(l2), identity) == 0;
		if (!listed || dbc_script_renamed_relid(relid) ||
			dbc_script_relation_name(get_rel_namespace(relid), get_rel_name(relid), &other) != 0 ||
			(!rv->inh && has_subclass(relid)))
			return;
		numbers = rv->inh ? find_all_inheritors(relid, NoLock, NULL) : list_make1_oid(relid);
		foreach(l2, numbers)
		{
			Oid			r = lfirst_oid(l2);
			char		kind = get_rel_relkind(r);
			char	   *name = relation_identity(r);

			if ((kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE) || name == NULL ||
				has_truncate_trigger(r) || (r != relid && dbc_script_renamed_relid(r)))
				return;
			tables = lappend(tables, name);
		}
	}
	foreach(lc, tables)
	{
		EmptiedTable *e = palloc(sizeof(EmptiedTable));

		e->table = pstrdup((char *) lfirst(lc));
		e->statement_no = sc->statement_no;
		sc->emptied = lappend(sc->emptied, e);
	}
}

/*
 * Does a statement leave the tables emptied so far empty?  Only a short
 * list of statements that run no code: code (a function, a trigger, a
 * DEFAULT evaluated) may insert into any table.  Transaction control
 * (its end forgets the tables), SET of a timeout, COMMENT, GRANT / REVOKE,
 * another TRUNCATE without CASCADE of tables with no TRUNCATE trigger, and
 * on a table emptied an ALTER TABLE or CREATE INDEX that evaluates nothing
 * (not ATTACH PARTITION or INHERIT, which bring rows or tables in).
 * Anything else -- DML, queries, DO, CALL, SET search_path or ROLE, a
 * rename, DROP, CREATE TABLE (PARTITION OF: its rows), an ALTER of another
 * table -- forgets them all.  When the script runs, the statement judged on
 * the claim checks that its tables are empty indeed (facts.c), so code
 * this does not see (an event trigger) fails the change, not the claim.
 */
static bool
keeps_emptied(DbcScriptTables *sc, Node *stmt, const DbcStmtTable *tab)
{
	switch (nodeTag(stmt))
	{
		case T_TransactionStmt:
		case T_CommentStmt:
		case T_GrantStmt:
			return true;
		case T_VariableSetStmt:
			{
				VariableSetStmt *v = (VariableSetStmt *) stmt;

				return v->kind != VAR_RESET_ALL && v->name != NULL &&
					(pg_strcasecmp(v->name, "lock_timeout") == 0 ||
					 pg_strcasecmp(v->name, "statement_timeout") == 0);
			}
		case T_TruncateStmt:
			{
				TruncateStmt *t = (TruncateStmt *) stmt;
				ListCell   *lc;

				if (t->behavior == DROP_CASCADE)
					return false;
				foreach(lc, t->relations)
				{
					Oid			relid = RangeVarGetRelid((RangeVar *) lfirst(lc), NoLock, true);
					List	   *all;
					ListCell   *l2;

					if (!OidIsValid(relid))
						return false;
					all = find_all_inheritors(relid, NoLock, NULL);
					foreach(l2, all)
						if (has_truncate_trigger(lfirst_oid(l2)))
							return false;
				}
				return true;
			}
		case T_AlterTableStmt:
			{
				AlterTableStmt *at = (AlterTableStmt *) stmt;
				ListCell   *lc;

				if (at->objtype != OBJECT_TABLE || tab->identity == NULL ||
					!is_emptied(sc, tab->identity) || !dbc_alter_runs_no_code(at))
					return false;
				foreach(lc, at->cmds)
				{
					AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

					if (cmd->subtype == AT_AttachPartition || cmd->subtype == AT_AddInherit)
						return false;
				}
				return true;
			}
		case T_IndexStmt:
			return tab->identity != NULL && is_emptied(sc, tab->identity) &&
				dbc_index_runs_no_code((IndexStmt *) stmt);
		default:
			return false;
	}
}

void
dbc_put_emptied(JsonbParseState **st, DbcScriptTables *sc, Node *stmt,
				const DbcStmtTable *tab, bool in_block)
{
	ListCell   *lc;

	if (sc == NULL || !in_block || tab->identity == NULL || dbc_is_nontransactional(stmt) ||
		!(IsA(stmt, AlterTableStmt) || IsA(stmt, IndexStmt)))
		return;
	foreach(lc, sc->emptied)
	{
		EmptiedTable *e = (EmptiedTable *) lfirst(lc);

		if (strcmp(e->table, tab->identity) == 0)
		{
			dbc_put_bool(st, "emptied_in_script", true);
			dbc_put_int(st, "emptied_statement", e->statement_no);
			return;
		}
	}
}

void
dbc_script_state_note(DbcScriptTables *sc, Node *stmt, const DbcStmtTable *tab, bool in_block)
{
	MemoryContext old = MemoryContextSwitchTo(sc->cxt);

	sc->statement_no++;
	/* may the statement have put rows back into the tables emptied so far? */
	if (sc->emptied != NIL && !keeps_emptied(sc, stmt, tab))
		sc->emptied = NIL;
	if (IsA(stmt, TransactionStmt))
	{
		if (!sc->one_change)
			note_transaction(sc, (TransactionStmt *) stmt);
	}
	else if (IsA(stmt, VariableSetStmt))
		note_lock_timeout(sc, (VariableSetStmt *) stmt, in_block);
	else if (IsA(stmt, DiscardStmt) && ((DiscardStmt *) stmt)->target == DISCARD_ALL)
		sc->lock_timeout = sc->lock_timeout_session = lock_timeout_reset(sc);
	else if (dbc_stmt_runs_code(stmt))
	{
		sc->lock_timeout = sc->lock_timeout_session = DBC_LT_UNKNOWN;
		sc->checks = NIL;
	}
	else if (IsA(stmt, RenameStmt) || IsA(stmt, DropStmt) || IsA(stmt, AlterObjectSchemaStmt))
		note_renamed_or_dropped(sc, stmt, tab);
	else if (IsA(stmt, AlterTableStmt) && ((AlterTableStmt *) stmt)->objtype == OBJECT_TABLE &&
			 tab->identity != NULL)
		note_checks(sc, (AlterTableStmt *) stmt, tab->identity);
	if (in_block)
	{
		note_locks(sc, stmt, tab);
		note_rename(sc, stmt, tab);
		if (IsA(stmt, TruncateStmt))
			note_truncated(sc, (TruncateStmt *) stmt, tab);
	}
	/* in any transaction: they last when it commits */
	note_links(sc, stmt, tab);
	MemoryContextSwitchTo(old);
}

bool
dbc_script_dropped_constraint(const char *table, const char *conname)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	ListCell   *lc;

	if (sc == NULL || table == NULL || conname == NULL)
		return false;
	foreach(lc, sc->checks)
	{
		ScriptCheck *k = (ScriptCheck *) lfirst(lc);

		/* dropped, or re-added by the script since (the script's then counts) */
		if ((k->kind == CHECK_DROPPED || k->kind == CHECK_ADDED) && k->name &&
			strcmp(k->name, conname) == 0 && strcmp(k->table, table) == 0)
			return true;
	}
	return false;
}

List *
dbc_script_dropped_columns(const char *table, const char *column, bool *renamed)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	List	   *cols = NIL;
	ListCell   *lc;

	*renamed = false;
	if (sc == NULL || table == NULL)
		return NIL;
	foreach(lc, sc->checks)
	{
		ScriptCheck *k = (ScriptCheck *) lfirst(lc);

		if (strcmp(k->table, table) != 0 || k->name == NULL)
			continue;
		if (k->kind == CHECK_COLUMN_DROPPED)
			cols = lappend(cols, makeString(k->name));
		else if (k->kind == CHECK_COLUMN_RENAMED && column && strcmp(k->name, column) == 0)
			*renamed = true;
	}
	return cols;
}

bool
dbc_script_proves_not_null(const char *table, Oid relid, const char *column, List *dropped,
						   List *dropped_cols)
{
	DbcScriptTables *sc = dbc_script_tables_current();
	ListCell   *lc;
	AttrNumber	attnum;
	bool		renamed;

	if (sc == NULL || table == NULL || column == NULL)
		return false;
	/*
	 * "c IS NOT NULL" of a composite column is true only when every field is
	 * non-null, and PostgreSQL does not take it as proof (the catalog's
	 * implies_not_null() looks at argisrow, which a raw expression lacks).
	 */
	attnum = OidIsValid(relid) ? get_attnum(relid, column) : InvalidAttrNumber;
	(void) dbc_script_dropped_columns(table, column, &renamed);
	if (attnum != InvalidAttrNumber && type_is_rowtype(get_atttype(relid, attnum)))
		return false;
	foreach(lc, sc->checks)
	{
		ScriptCheck *k = (ScriptCheck *) lfirst(lc);
		ListCell   *c;
		bool		reads_dropped = false;

		if (k->validated_by == 0 || strcmp(k->table, table) != 0 ||
			(k->name && list_member(dropped, makeString(k->name))))
			continue;
		/* dropped with a column the same statement drops */
		foreach(c, dropped_cols)
			reads_dropped |= has_name(k->reads, strVal(lfirst(c)));
		if (reads_dropped)
			continue;
		/* the catalog's, unless a column the catalog knows by another name now */
		if (k->kind == CHECK_CATALOG && dropped_cols == NIL && !renamed &&
			dbc_constraint_proves_not_null(relid, k->name, column))
			return true;
		if (k->kind != CHECK_ADDED)
			continue;
		if (has_name(k->not_null, column))
			return true;
	}
	return false;
}
