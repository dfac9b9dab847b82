/*-------------------------------------------------------------------------
 *
 * dbchange.h
 *	  Interfaces shared by the parts of dbchange.so.
 *
 * One file, one job:
 *	  dbchange.c	 module load: settings (GUCs), hooks, SQL-callable helpers
 *	  gate.c		 ProcessUtility hook and the event triggers: the DDL gate
 *	  classify.c	 parse tree -> change facts (PostgreSQL dialect)
 *	  rowestimate.c	 rows of a never-analysed table, from its size
 *	  split.c		 splitting a script into statements (server's parser)
 *	  prepared.c	 what an EXECUTE runs (the session's and a script's PREPAREs)
 *	  facts.c		 building the facts document (jsonb) and its context fields
 *	  policy.c		 the decision for a statement (Lua engine, default action)
 *	  catalog.c		 writing changes, statements, objects and audit events
 *	  rowinsert.c	 the approve path's rows, stored without SQL
 *	  durable.c		 the background worker that commits records from aborting
 *					 transactions (queued and rejected statements)
 *
 *-------------------------------------------------------------------------
 */
#ifndef DBCHANGE_H
#define DBCHANGE_H

#include "postgres.h"
#include "catalog/pg_class.h"
#include "nodes/parsenodes.h"
#include "utils/jsonb.h"

/* The SQLSTATEs dbchange raises (class "ZC", implementation-defined: the first character of a class in Z marks it as not PostgreSQL's own). */
#define ERRCODE_DBCHANGE_QUEUED		MAKE_SQLSTATE('Z','C','0','0','1')
#define ERRCODE_DBCHANGE_REJECTED	MAKE_SQLSTATE('Z','C','0','0','2')
#define ERRCODE_DBCHANGE_UNRECORDED	MAKE_SQLSTATE('Z','C','0','0','3')
#define ERRCODE_DBCHANGE_POLICY		MAKE_SQLSTATE('Z','C','0','0','4')
#define ERRCODE_DBCHANGE_PROTECTED	MAKE_SQLSTATE('Z','C','0','0','5')

/* ---- decisions ---- */
typedef enum DbcAction
{
	DBC_APPROVE = 0,
	DBC_QUEUE = 1,
	DBC_REJECT = 2
} DbcAction;

typedef enum DbcRisk
{
	DBC_RISK_NONE = 0,			/* no policy gave a risk */
	DBC_RISK_LOW,
	DBC_RISK_MODERATE,
	DBC_RISK_HIGH,
	DBC_RISK_CRITICAL
} DbcRisk;

typedef struct DbcDecision
{
	DbcAction	action;
	DbcRisk		risk;
	List	   *reasons;		/* of char *: "policy: reason" */
	List	   *policies;		/* of char *: names of policies that had an opinion */
	char	   *flow;			/* approval flow a policy asked for, or NULL */
	bool		by_default;		/* no policy had an opinion: default_action used */
} DbcDecision;

extern const char *dbc_action_name(DbcAction a);
extern const char *dbc_risk_name(DbcRisk r);
extern DbcRisk dbc_risk_from_name(const char *name);	/* -1 cast when unknown */
extern void dbc_combine(DbcDecision *into, const DbcDecision *d);
extern char *dbc_reasons_text(const DbcDecision *d);	/* "a; b; c" */

/* ---- settings of this environment (dbchange.settings) ---- */
typedef struct DbcSettings
{
	char	   *environment;
	char	   *rollout;
	DbcAction	default_action;
} DbcSettings;

/* ---- dbchange.c ---- */
extern bool dbc_enforce;			/* dbchange.enforce (superuser only) */
extern bool dbc_preloaded;			/* loaded via shared_preload_libraries */
extern Oid	dbc_schema_oid(void);	/* InvalidOid when the extension is absent */
extern Oid	dbc_catalog_owner(void);	/* role that owns dbchange's tables */
extern Oid	dbc_set_acting_as(Oid role);	/* who _caller() names while a change runs; returns the old one */
extern Oid	dbc_acting_as(void);	/* that role, or InvalidOid */

/* ---- gate.c ---- */
extern void dbc_gate_install(void);
extern bool dbc_is_applying(void);
/*
 * Mark "dbchange is applying approved change <change_id>": while set (backend-local,
 * never a setting), the gate lets statements through without evaluating them and
 * collects the objects they touch for that change.  Always pair with end in
 * PG_FINALLY (end also resets the state when called after an error).
 */
extern void dbc_gate_begin_apply(int64 change_id);
extern List *dbc_gate_end_apply(void);	/* returns the DbcObjects touched */
extern char *dbc_statement_text(const char *query, int location, int len);
/* Refuse (ZC003) a form of DDL the gate cannot judge as written: CREATE SCHEMA with elements, ... */
extern void dbc_refuse_unjudgeable(Node *stmt, const char *text);
/* Reject (into *out) a non-superuser's statement on dbchange's own objects, judged from facts. */
extern void dbc_protection(Jsonb *facts, DbcDecision *out);

/* ---- classify.c ---- */
/* Is this utility statement DDL that the gate checks? */
extern bool dbc_is_gated(Node *stmt);
/* The INTO of a raw SELECT ... INTO (on a set operation: its leftmost SELECT's), or NULL. */
extern IntoClause *dbc_select_into(SelectStmt *s);
/* Statements that cannot run inside a function or transaction block. */
extern bool dbc_is_nontransactional(Node *stmt);
/*
 * The table a statement acts on and the lock it takes there, as the
 * classifier found them (scriptstate.c: locks a transaction holds).
 */
typedef struct DbcStmtTable
{
	Oid			relid;			/* the table, when it exists now */
	const char *identity;		/* fact "table", or NULL */
	int			lock;			/* LOCKMODE the statement takes on it (NoLock: none) */
	List	   *locked;			/* LOCK TABLE, TRUNCATE: identities of every table it locks */
	List	   *referenced;		/* ALTER TABLE: identities of the tables a foreign key it
								 * adds references (locked SHARE ROW EXCLUSIVE) */
	List	   *referenced_relids;	/* those tables (Oid), InvalidOid when they do not exist now */
	const char *partition;		/* ALTER TABLE ... ATTACH / DETACH PARTITION: the identity of
								 * the table attached or detached, else NULL */
	Oid			partition_relid;	/* that table, when it exists now */
	bool		detach;			/* DETACH PARTITION (else ATTACH) */
	bool		finalize;		/* DETACH PARTITION ... FINALIZE (detach is true too) */
	bool		create_partition;	/* CREATE TABLE ... PARTITION OF (partition is the new
									 * table; attached as ATTACH does, the parent ACCESS
									 * EXCLUSIVE) */
} DbcStmtTable;

/* Append the statement's facts (keys of the facts document) to an open object; *tab may be NULL. */
extern void dbc_classify_stmt(JsonbParseState **st, Node *stmt, const char *text,
							  DbcStmtTable *tab);
/* Does the statement evaluate nothing (no DEFAULT, USING, CHECK, index expression, ...)? */
extern bool dbc_alter_runs_no_code(AlterTableStmt *at);
extern bool dbc_index_runs_no_code(IndexStmt *is);
/* A LOCKMODE's name as LOCK TABLE spells it ("ACCESS EXCLUSIVE"), or NULL for none. */
extern const char *dbc_lock_name(int mode);
/* Does relid's CHECK constraint conname prove column colname NOT NULL? */
extern bool dbc_constraint_proves_not_null(Oid relid, const char *conname, const char *colname);
/* CREATE [OR REPLACE] FUNCTION: the name and input argument types (the function it replaces) */
extern ObjectWithArgs *dbc_function_signature(CreateFunctionStmt *s);

/* ---- rowestimate.c ---- */
/* Rows of a table or matview never vacuumed/analysed, from its main fork's size; -1: not a table. */
extern double dbc_rows_now(Form_pg_class rc, int64 main_bytes, bool *estimated);

/* ---- verify.c (rollback area) ---- */
/* Is dbchange.rollback() submitting a rollback change right now (source 'rollback')? */
extern bool dbc_rollback_submitting(void);
/* Facts about a script's rollback (has_down_script, down_generated, rollback_verified), or NULL. */
extern Jsonb *dbc_rollback_facts_for_submit(const char *script, const char *down);
/* facts || extra (NULL extra: facts unchanged). */
extern Jsonb *dbc_facts_merge(Jsonb *facts, Jsonb *extra);

/* ---- prepared.c ---- */
/*
 * The PREPAREs (and DEALLOCATEs) of a script being checked, for the
 * statements after them: begin before the first statement, note each one
 * after it is checked, end in PG_FINALLY.
 */
typedef struct DbcScriptPrepares
{
	List	   *names;			/* private to prepared.c */
	bool		all_gone;		/* DEALLOCATE ALL / DISCARD ALL seen */
	MemoryContext cxt;
	struct DbcScriptPrepares *outer;
} DbcScriptPrepares;

/*
 * The tables a script being checked creates, for the statements after them
 * (fact created_in_script, facts.c): evaluate(), submit() and policy tests
 * check a whole script before any of it runs, so a table an earlier
 * statement creates does not exist yet when a later one is classified.
 * begin before the first statement is classified (with the whole parsed
 * script), end in PG_FINALLY.  dbc_build_facts() notes each statement.
 */
typedef struct DbcScriptTables
{
	List	   *created;		/* identities of the empty tables created so far */
	List	   *parsed;			/* the whole script (DbcParsedStmt *), for rls.c */
	bool		off;			/* some statement runs at top level: no one transaction */
	MemoryContext cxt;
	struct DbcScriptTables *outer;
	/* scriptstate.c: the transaction, its locks, NOT NULL proofs */
	bool		one_change;		/* run by dbchange as one change (source not interactive) */
	bool		in_block;		/* interactive: the next statement runs in a transaction block */
	int			statement_no;	/* statements noted so far */
	List	   *held;			/* locks the transaction holds (private to scriptstate.c) */
	List	   *checks;			/* CHECK constraints the script adds (private to scriptstate.c) */
	bool		toplevel;		/* one change with a statement that runs at top level:
								 * every statement its own transaction (apply.c) */
	/* lock_timeout in ms as the script's own statements leave it (DBC_LT_*) */
	int			lock_timeout;	/* in effect for the next statement */
	int			lock_timeout_session;	/* without SET LOCAL: after the transaction */
	int			lock_timeout_at_begin;	/* the session's when the transaction block began */
	List	   *savepoints;		/* interactive: the open savepoints (private to scriptstate.c) */
	List	   *emptied;		/* tables TRUNCATE emptied in the transaction (private to it) */
	List	   *links;			/* partitions attached, foreign keys added (private to it) */
	bool		from_session;	/* this session's locks and settings count (interactive evaluate()) */
	/* scriptnames.c: relations and columns the script renamed (private to it) */
	List	   *renames;
	List	   *column_renames;
	List	   *renames_used;	/* by the statement being classified */
	List	   *columns_used;
	bool		renames_off;	/* a temporary relation was made: note nothing more */
	/* classify.c: the script's sequence changes, resolved once (private to it) */
	void	   *seq_script;
} DbcScriptTables;

/*
 * source: how the script runs ("interactive": statement by statement, as
 * psql runs a file; anything else: as one change, see scriptstate.c);
 * from_session: it would run in this session as it is now (an interactive
 * evaluate(): the transaction block it is in, its locks, its lock_timeout),
 * not in a session of its own (a policy test, a change run later).
 */
extern void dbc_script_tables_begin(DbcScriptTables *st, List *parsed, const char *source,
									bool from_session);
extern void dbc_script_tables_end(DbcScriptTables *st);
/* The script being checked, or NULL (the gate, classify()). */
extern DbcScriptTables *dbc_script_tables_current(void);

/* ---- scriptstate.c ---- */
extern void dbc_script_state_begin(DbcScriptTables *sc, const char *source, bool from_session);
/* Will the statement run inside a transaction block, in the script being checked? */
extern bool dbc_script_state_in_block(DbcScriptTables *sc, Node *stmt, bool in_block);
/*
 * held_lock, held_lock_blocks_reads, held_lock_statement: the strongest lock
 * that blocks other sessions' writes which the statement's transaction
 * already holds on its table; lock_timeout: how long the statement waits for
 * its own lock.  sc: the script being checked, or NULL; ask_locks: also what
 * this session's transaction holds now and this session's lock_timeout (the
 * gate, an interactive dry run).
 */
extern bool dbc_stmt_runs_code(Node *stmt);
extern void dbc_put_held_lock(JsonbParseState **st, DbcScriptTables *sc, Node *stmt,
							  const DbcStmtTable *tab, bool in_block, bool ask_locks);
/*
 * emptied_in_script: an ALTER TABLE or CREATE INDEX of a table an earlier
 * TRUNCATE of the script emptied in the same transaction, nothing since
 * having run that could put rows back (verified when it runs).
 */
extern void dbc_put_emptied(JsonbParseState **st, DbcScriptTables *sc, Node *stmt,
							const DbcStmtTable *tab, bool in_block);
/* After a statement of the script is classified: its transaction control, locks and CHECKs. */
extern void dbc_script_state_note(DbcScriptTables *sc, Node *stmt, const DbcStmtTable *tab,
								  bool in_block);
/*
 * Does a CHECK the script added and validated earlier, or one of the
 * catalog's it validated (relid's), prove table.column NOT NULL?
 */
extern bool dbc_script_proves_not_null(const char *table, Oid relid, const char *column,
									   List *dropped, List *dropped_cols);
/*
 * Did the script being checked drop (rename, replace) table's constraint
 * conname earlier?  false at the gate.
 */
extern bool dbc_script_dropped_constraint(const char *table, const char *conname);
/*
 * The names (String nodes) of table's columns the script being checked
 * dropped earlier (the CHECKs that read them went with them); *renamed: column is a name
 * the script renamed a column from or to (it may stand for another column
 * than the catalog's).  NIL and false at the gate.
 */
extern List *dbc_script_dropped_columns(const char *table, const char *column, bool *renamed);
/*
 * The first subtransaction of the change being applied (apply.c), or
 * InvalidSubTransactionId: a relation created_in_script must have been
 * created in it or after it, not earlier in the applying session's
 * transaction.
 */
extern SubTransactionId dbc_change_first_subid;

typedef struct DbcPrepared
{
	Node	   *raw;			/* the raw statement prepared, or NULL */
	Query	   *query;			/* the session's analysed query while current, or NULL */
	bool		from_sql;		/* SQL PREPARE (the script's, or the session's) */
} DbcPrepared;

extern void dbc_script_prepares_begin(DbcScriptPrepares *sp);
extern void dbc_script_prepares_end(DbcScriptPrepares *sp);
extern void dbc_script_prepares_note(Node *stmt);
/* What EXECUTE name would run (the script's PREPAREs first, then the session's); false: none. */
extern bool dbc_prepared_lookup(const char *name, DbcPrepared *out);
/* Does EXECUTE name create a table (a prepared SELECT INTO)?  *from_sql as in DbcPrepared. */
extern bool dbc_prepared_creates_table(const char *name, bool *from_sql);
/*
 * Applying a stored change in the applying session (apply.c): the session's
 * prepared statement names, the refusal of a change that would use or
 * change one of them, and the deallocation of the names the change left.
 */
extern List *dbc_session_prepared_names(void);
extern void dbc_apply_check_prepared(int64 change_id, List *parsed, List *session_names);
extern void dbc_apply_deallocate_new(List *session_names);

/* ---- scriptnames.c ---- */
extern void dbc_script_names_begin(DbcScriptTables *sc);
/*
 * While a script is checked: does an earlier statement's rename or SET
 * SCHEMA put a relation under name in schema nsp (1, *relid: the relation),
 * take one away from it (-1), or neither (0: the catalog says)?
 */
extern int	dbc_script_relation_name(Oid nsp, const char *name, Oid *relid);
/* The catalog's name of relid's column colname after the script's column renames; NULL: renamed away. */
extern const char *dbc_script_column_name(Oid relid, const char *colname);
/* Before a statement of the script is classified. */
extern void dbc_script_names_start(DbcScriptTables *sc);
/*
 * After: facts plus renamed_in_script, renamed_from and renamed_columns when
 * its names went through the script's renames; then note its own renames,
 * or forget them all when it could change what names mean.
 */
extern Jsonb *dbc_script_names_see(DbcScriptTables *sc, Node *stmt, Jsonb *facts);
/*
 * The schema and name relid has at this point of the script being checked,
 * when an earlier statement renamed or moved it (noted as a use of the
 * rename); false: the catalog's.
 */
extern bool dbc_script_relation_renamed(Oid relid, char **schema, char **name);
/* Has the script being checked renamed or moved relid, or renamed a column of it, so far? */
extern bool dbc_script_renamed_relid(Oid relid);
/* classify.c: the relation a name stands for as the classifier finds it, and its schema. */
extern Oid	dbc_lookup_relation(RangeVar *rv, Oid *nsp);

/* ---- scriptpath.c ---- */
/*
 * The search_path a script being checked sets for its later statements
 * (SET search_path, RESET, SELECT set_config('search_path', 'literal', b)):
 * begin before the first statement, note each one after it is judged, end
 * in PG_FINALLY (puts the caller's search_path back).
 */
typedef struct DbcScriptPath
{
	int			nest;			/* our GUC nest level, 0 until a statement sets the path */
	struct DbcScriptPath *outer;
} DbcScriptPath;

extern void dbc_script_path_begin(DbcScriptPath *sp);
extern void dbc_script_path_end(DbcScriptPath *sp);
extern bool dbc_script_path_note(Node *stmt);
/* Does stmt set search_path to a value known for certain (*value; NULL: its default)? */
extern bool dbc_script_path_setter(Node *stmt, char **value);
/* The path a statement is judged with; refuse one that would run on another (ZC003). */
extern char *dbc_script_path_checked(void);
extern void dbc_require_same_path(int statement_no, const char *checked);
extern Jsonb *dbc_checked_path_facts(const char *path);

/* ---- split.c ---- */
typedef struct DbcParsedStmt
{
	Node	   *stmt;			/* raw parse tree of the statement */
	RawStmt    *raw;			/* with its location and length */
	char	   *text;			/* exact text, trimmed, without the ';' */
	int			statement_no;	/* 1-based */
	int			location;		/* byte offset in the script */
	int			line;			/* 1-based line where it starts */
} DbcParsedStmt;

/*
 * Split a script into statements (raw_parser).  A syntax error is raised
 * with the line in its context.  Empty script -> NIL.
 */
extern List *dbc_split_script(const char *script);
extern void dbc_require_same_reading(const char *text, int statement_no);
extern int	dbc_line_of(const char *s, int pos);	/* 1-based line of byte offset pos */

/* ---- facts.c ---- */
/*
 * The dbc_put_* macros pass a key's length along: for a string constant
 * (nearly every key) the compiler counts it, where a function would call
 * strlen() some 150 times for a statement's facts.  key is evaluated twice.
 */
extern void dbc_put_key_n(JsonbParseState **st, const char *key, int keylen);
#define dbc_put_key(st, key) dbc_put_key_n((st), (key), (int) strlen(key))
extern JsonbValue *dbc_end_object(JsonbParseState **st);
/* jsonb_write.c: jsonb of a tree, as JsonbValueToJsonb makes it, in one allocation */
extern Jsonb *dbc_jsonb_write(JsonbValue *v);
extern void dbc_put_text_n(JsonbParseState **st, const char *key, int keylen, const char *val);
#define dbc_put_text(st, key, val) dbc_put_text_n((st), (key), (int) strlen(key), (val))
extern void dbc_put_bool_n(JsonbParseState **st, const char *key, int keylen, bool val);
#define dbc_put_bool(st, key, val) dbc_put_bool_n((st), (key), (int) strlen(key), (val))
extern void dbc_put_int_n(JsonbParseState **st, const char *key, int keylen, int64 val);
#define dbc_put_int(st, key, val) dbc_put_int_n((st), (key), (int) strlen(key), (val))
extern void dbc_put_float_n(JsonbParseState **st, const char *key, int keylen, double val);
#define dbc_put_float(st, key, val) dbc_put_float_n((st), (key), (int) strlen(key), (val))
extern void dbc_put_null_n(JsonbParseState **st, const char *key, int keylen);
#define dbc_put_null(st, key) dbc_put_null_n((st), (key), (int) strlen(key))
extern void dbc_put_text_list(JsonbParseState **st, const char *key, List *vals);
extern void dbc_put_jsonb(JsonbParseState **st, const char *key, Jsonb *j);
/* The context facts: environment, user, roles, time, source, ... */
extern void dbc_context_facts(JsonbParseState **st, const DbcSettings *s, const char *source,
							  const char *dialect);
/* Facts of one parsed statement, complete (statement + context). */
extern Jsonb *dbc_build_facts(Node *stmt, const char *text, const DbcSettings *s,
							  const char *source);
/* The gate's two parts: statement facts (stored when approved) and the rest of the context. */
extern Jsonb *dbc_build_statement_facts(Node *stmt);
/* Refuse (ZC003) a statement of a change whose names or role differ from when it was checked. */
extern List *dbc_checked_relations(Jsonb *facts);
/* The same as facts to store with a queued statement ({"checked_relations": [...]}), or NULL. */
extern Jsonb *dbc_checked_relations_facts(Jsonb *facts);
extern void dbc_require_same_names(Node *stmt, int statement_no, Jsonb *checked, List *checked_rels,
								   Oid checked_user, bool one_transaction);
extern Jsonb *dbc_gate_context(const DbcSettings *s);
/* Changes whenever dbc_gate_context() rebuilds (what it returned before is then gone). */
extern uint64 dbc_gate_context_generation;
/* Statement facts made whole again: what dbc_build_facts() gives for the statement. */
extern Jsonb *dbc_gate_full_facts(Jsonb *facts, const char *text, const DbcSettings *s);
extern char *dbc_facts_get_text(Jsonb *facts, const char *key);

/* ---- rls.c: row-level security facts ---- */
extern bool dbc_rls_statement(Node *stmt);
extern void dbc_put_row_security(JsonbParseState **st, Node *stmt, Oid relid, const char *policy);
extern Jsonb *dbc_rls_script_facts(Node *stmt, Jsonb *facts, List *parsed);
/* classify.c: the identity a relation name resolves to, as the classifier resolves it */
extern char *dbc_rangevar_identity(RangeVar *rv);

/* ---- policy.c ---- */
extern void dbc_policy_init(void);	/* GUCs of the policy engine, called from _PG_init */
extern char *dbc_policy_timezone;	/* dbchange.policy_timezone: zone of the "time" facts */
/* Is env an environment name evaluate() and policy tests accept ([a-z][a-z0-9_-]{0,62})? */
extern bool dbc_environment_name_ok(const char *env);
/* Run the enabled policies over the facts; fall back to the default action. */
extern void dbc_decide(Jsonb *facts, const DbcSettings *s, DbcDecision *out);
/*
 * The same for a statement the gate judges: statement facts, with the rest
 * of the context (dbc_gate_context) and the text made only if a policy runs.
 */
extern void dbc_decide_statement(Jsonb *facts, const char *text, const DbcSettings *s,
								 DbcDecision *out);

/* A policy that failed (what would be raised with SQLSTATE ZC004). */
typedef struct DbcPolicyFailure
{
	char	   *message;
	char	   *detail;
} DbcPolicyFailure;

/*
 * dbc_decide_statement, but a failing policy is reported in *fail (and true
 * returned) instead of raised; any other error is raised as usual.
 */
extern bool dbc_decide_statement_or_fail(Jsonb *facts, const char *text, const DbcSettings *s,
										 DbcDecision *out, DbcPolicyFailure *fail);

/* ---- catalog.c ---- */
/* Enter / leave search_path "pg_catalog, pg_temp" for SQL dbchange runs itself. */
extern int	dbc_safe_search_path(void);
extern void dbc_restore_search_path(int level);
/* Run one of dbchange's fixed read-only queries under the newest snapshot (SPI connected). */
extern int	dbc_spi_read_latest(const char *sql, int nargs, Oid *argtypes, Datum *values);
extern void dbc_load_settings(DbcSettings *s);
/* command: the statement's command tag name, which is the facts' "command" */
extern int64 dbc_record_applied(const char *text, const char *command, Jsonb *facts,
								const DbcDecision *d, const char *source, List *objects);
extern void dbc_record_objects(int64 change_id, List *objects);
/* Durably record a queued or rejected statement; returns the change id or -1. */
extern int64 dbc_record_refused(const char *text, Jsonb *facts, const DbcDecision *d,
								const char *source, char **why_not);

/* Run fn(arg) as the catalog owner with search_path pg_catalog, pg_temp. */
extern int64 dbc_as_catalog_owner(int64 (*fn) (void *), void *arg);

/* ---- sha256.c: encode(sha256(convert_to(text, 'UTF8')), 'hex') ---- */
extern char *dbc_sha256_hex(const char *text);
extern void dbc_sha256_raw(const void *data, size_t len, uint8 *out);

/* ---- bytecode_cache.c: compiled policies shared between backends ---- */
extern void dbc_bytecode_cache_init(void);

/* ids.c */
extern void dbc_ids_init(void);
extern int64 dbc_draw_id(Oid seq);

extern bool dbc_bytecode_cache_ready(void);
#define DBC_BYTECODE_KEY_BYTES 32
extern void dbc_bytecode_key(const char *name, const char *source, uint8 *key);
extern char *dbc_bytecode_lookup(const uint8 *key, size_t *len);
extern void dbc_bytecode_store(const uint8 *key, const char *code, size_t len);
extern int64 dbc_bytecode_stores(void);

/* ---- rowinsert.c: rows into dbchange's own tables without SQL (approve path) ---- */
struct EState;
typedef struct DbcRows DbcRows;
/* dbchange.<table> opened for an applied change's row; NULL: its triggers need SQL */
extern DbcRows *dbc_rows_open(struct EState *estate, const char *table, const char *source,
							  bool has_risk);
extern void dbc_rows_set(DbcRows *r, const char *column, Datum value, bool isnull);
extern void dbc_rows_insert(DbcRows *r);	/* unset columns take their defaults */
extern Datum dbc_rows_get(DbcRows *r, const char *column, bool *isnull);
extern void dbc_rows_next(DbcRows *r);
extern void dbc_rows_close(DbcRows *r);

/* An object a change touched (from ddl_command_end / sql_drop). */
typedef struct DbcObject
{
	char	   *action;			/* created/altered/dropped/rewritten */
	char	   *object_type;
	char	   *schema_name;
	char	   *identity;
	char	   *command_tag;
} DbcObject;

/* ---- durable.c ---- */
/* Run "SELECT dbchange._durable_record($1)" in a background worker; -1 on failure. */
extern int64 dbc_durable_record(Jsonb *record, char **why_not);
extern PGDLLEXPORT void dbc_durable_main(Datum arg);

#endif							/* DBCHANGE_H */
