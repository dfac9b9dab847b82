/*-------------------------------------------------------------------------
 *
 * policy.c
 *	  The decision for one statement: the enabled Lua policies over its facts.
 *
 * Combination rule (DESIGN.md): reject beats queue beats approve; the risk
 * is the highest any policy gave; every reason is kept as "policy: reason".
 * When no policy has an opinion the environment's default_action applies.
 *
 * The enabled policies are read from dbchange.policy and compiled once per
 * backend (policy_lua.c), then reused for every statement.  They are
 * recompiled only after the policy table changed: a statement-level trigger
 * on dbchange.policy (so every path that writes it counts, set_policy and
 * friends, a superuser's UPDATE, a restore) queues a relcache invalidation
 * of the table; every backend's relcache callback marks its compiled set
 * stale when that invalidation arrives (at its next transaction start),
 * so other sessions pick the change up without reconnecting and without a
 * catalog scan per statement.
 *
 * Also here: the policy self-tests (dbchange._policy_check, used by
 * set_policy and test_policies), dbchange.evaluate() (a dry run of a
 * script), dbchange.evaluate_facts() (a decision for a facts document that
 * did not come from PostgreSQL's parser, e.g. MySQL), and the benchmark
 * helper dbchange._policy_bench().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "parser/scanner.h"
#include "parser/scansup.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "dbchange.h"
#include "policy_lua.h"

PG_FUNCTION_INFO_V1(dbc_policy_check);
PG_FUNCTION_INFO_V1(dbc_policy_changed);
PG_FUNCTION_INFO_V1(dbc_evaluate);
PG_FUNCTION_INFO_V1(dbc_evaluate_facts);
PG_FUNCTION_INFO_V1(dbc_policy_bench);
PG_FUNCTION_INFO_V1(dbc_policy_engine);

/* Settings (superuser only: a developer must not loosen the sandbox). */
int			dbc_policy_instruction_limit = 1000000;
int			dbc_policy_memory_limit = 32768;	/* kB */
char	   *dbc_policy_timezone = NULL;

static const char *const action_names[] = {"approve", "queue", "reject"};
static const char *const risk_names[] = {"none", "low", "moderate", "high", "critical"};

const char *
dbc_action_name(DbcAction a)
{
	return action_names[a];
}

const char *
dbc_risk_name(DbcRisk r)
{
	return risk_names[r];
}

DbcRisk
dbc_risk_from_name(const char *name)
{
	int			i;

	for (i = 0; i < lengthof(risk_names); i++)
		if (strcmp(name, risk_names[i]) == 0)
			return (DbcRisk) i;
	return (DbcRisk) -1;
}

/* The reasons of a decision as one line, for error details. */
char *
dbc_reasons_text(const DbcDecision *d)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, d->reasons)
		appendStringInfo(&buf, "%s%s", buf.len ? "; " : "", (char *) lfirst(lc));
	return buf.data;
}

void
dbc_combine(DbcDecision *into, const DbcDecision *d)
{
	if (d->action > into->action)
		into->action = d->action;
	if (d->risk > into->risk)
		into->risk = d->risk;
	into->reasons = list_concat(into->reasons, d->reasons);
	into->policies = list_concat(into->policies, d->policies);
	if (d->flow && !into->flow)
		into->flow = d->flow;
}

/* ---------------------------------------------------------------------------
 * The compiled set of enabled policies
 * ---------------------------------------------------------------------------
 */

typedef struct CachedPolicy
{
	char	   *name;
	DbcLuaPolicy lp;
	char	   *broken;			/* why it does not compile, or NULL */
} CachedPolicy;

static MemoryContext cache_cxt = NULL;
static CachedPolicy *cached = NULL;
static const DbcLuaPolicy **cached_lp = NULL;	/* &cached[i].lp, for dbc_lua_decide */
static int	ncached = 0;
static bool cache_valid = false;
static uint64 cache_generation = 0;
static Oid	cache_relid = InvalidOid;
static int64 cache_loads = 0;	/* how often the set was (re)compiled */

static void
policy_relcache_callback(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == cache_relid)
		cache_valid = false;
}

static bool
check_policy_timezone(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || **newval == '\0')
		return true;
	if (pg_tzset(*newval) == NULL)
	{
		GUC_check_errdetail("Time zone \"%s\" is not known.", *newval);
		GUC_check_errhint("Use a name from pg_timezone_names, for example Europe/Berlin or UTC.");
		return false;
	}
	return true;
}

void
dbc_policy_init(void)
{
	DefineCustomIntVariable("dbchange.policy_instruction_limit",
							"Lua instructions one policy call may run.",
							"A policy whose check(), tests or top-level code runs longer fails, "
							"and the statement it was judging is refused.",
							&dbc_policy_instruction_limit,
							1000000, 10000, INT_MAX,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("dbchange.policy_memory_limit",
							"Memory the Lua policy engine of one session may hold.",
							"Covers the compiled policies and what an evaluation allocates; "
							"a policy that needs more fails, and the statement is refused.",
							&dbc_policy_memory_limit,
							32768, 1024, 1024 * 1024,
							PGC_SUSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
	DefineCustomStringVariable("dbchange.policy_timezone",
							   "Time zone of the time facts policies see (maintenance windows).",
							   "Superuser only, so that a session cannot move a window by "
							   "changing its own TimeZone.",
							   &dbc_policy_timezone,
							   "UTC",
							   PGC_SUSET, 0,
							   check_policy_timezone, NULL, NULL);
	CacheRegisterRelcacheCallback(policy_relcache_callback, (Datum) 0);
}

/*
 * Run fn(arg) as the catalog owner with a safe search_path: the statement's
 * user (a developer running DDL, anyone calling evaluate()) cannot read
 * dbchange's tables, and must not be able to plant objects that our
 * queries would resolve to.
 */
static void
as_catalog_owner(void (*fn) (void *), void *arg)
{
	Oid			save_uid;
	int			save_ctx;
	int			save_nestlevel;

	GetUserIdAndSecContext(&save_uid, &save_ctx);
	SetUserIdAndSecContext(dbc_catalog_owner(), save_ctx | SECURITY_LOCAL_USERID_CHANGE);
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	PG_TRY();
	{
		fn(arg);
	}
	PG_FINALLY();
	{
		AtEOXact_GUC(false, save_nestlevel);
		SetUserIdAndSecContext(save_uid, save_ctx);
	}
	PG_END_TRY();
}

static void
load_settings_step(void *arg)
{
	dbc_load_settings((DbcSettings *) arg);
}

/* This environment's settings, readable whoever the caller is. */
static void
load_settings(DbcSettings *s)
{
	as_catalog_owner(load_settings_step, s);
}

typedef struct PolicyRow
{
	char	   *name;
	char	   *source;
} PolicyRow;

typedef struct ReadArgs
{
	MemoryContext cxt;
	List	   *rows;
} ReadArgs;

static void
read_policies_step(void *arg)
{
	ReadArgs   *a = (ReadArgs *) arg;
	int			i;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (dbc_spi_read_latest("SELECT name, source FROM dbchange.policy WHERE enabled ORDER BY name",
							0, NULL, NULL) != SPI_OK_SELECT)
		elog(ERROR, "could not read dbchange.policy");
	for (i = 0; i < SPI_processed; i++)
	{
		MemoryContext old = MemoryContextSwitchTo(a->cxt);
		PolicyRow  *r = palloc(sizeof(PolicyRow));

		r->name = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		r->source = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		a->rows = lappend(a->rows, r);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
}

static List *
read_enabled_policies(MemoryContext cxt)
{
	ReadArgs	a = {cxt, NIL};

	as_catalog_owner(read_policies_step, &a);
	return a.rows;
}

/* Make sure the enabled policies are compiled in the current Lua state. */
static void
ensure_cache(void)
{
	Oid			nsp;
	List	   *rows;
	ListCell   *lc;
	int			i = 0;

	dbc_lua_begin();
	/* a policy change committed since: see it now, not at this transaction's next new lock */
	AcceptInvalidationMessages();
	if (cache_valid && (ncached == 0 || cache_generation == dbc_lua_generation()))
		return;

	if (cache_cxt == NULL)
		cache_cxt = AllocSetContextCreate(TopMemoryContext, "dbchange policy cache",
										  ALLOCSET_DEFAULT_SIZES);
	MemoryContextReset(cache_cxt);
	cached = NULL;
	ncached = 0;
	cache_relid = InvalidOid;
	cache_loads++;

	nsp = dbc_schema_oid();
	if (OidIsValid(nsp))
		cache_relid = get_relname_relid("policy", nsp);
	if (!OidIsValid(cache_relid))
	{
		cache_valid = true;
		return;
	}

	/* Valid from here: an invalidation that arrives while we read wins. */
	cache_valid = true;
	PG_TRY();
	{
		rows = read_enabled_policies(cache_cxt);
		if (rows != NIL)
		{
			MemoryContext old = MemoryContextSwitchTo(cache_cxt);

			cached = palloc0(list_length(rows) * sizeof(CachedPolicy));
			cached_lp = palloc0(list_length(rows) * sizeof(DbcLuaPolicy *));
			foreach(lc, rows)
			{
				PolicyRow  *r = lfirst(lc);
				CachedPolicy *cp = &cached[i++];
				char	   *err;

				cp->name = r->name;
				if (!dbc_lua_compile(r->name, r->source, &cp->lp, &err))
					cp->broken = err;
				cached_lp[i - 1] = &cp->lp;
			}
			ncached = i;
			MemoryContextSwitchTo(old);
		}
		cache_generation = dbc_lua_generation();
	}
	PG_CATCH();
	{
		cache_valid = false;
		ncached = 0;
		PG_RE_THROW();
	}
	PG_END_TRY();
}

/* ---------------------------------------------------------------------------
 * The decision
 * ---------------------------------------------------------------------------
 */

static void
emit_policy_log(void)
{
	ListCell   *lc;

	foreach(lc, dbc_lua_take_log())
		ereport(LOG,
				(errmsg("dbchange policy %s", (char *) lfirst(lc)),
				 errhidestmt(true)));
}

#define FAILED_DETAIL "The statement was refused: a policy that fails cannot vouch for it, so dbchange fails closed."
#define HANDOFF_DETAIL "The statement was refused: without its policies dbchange fails closed."

/*
 * A failure of the policies: raised (SQLSTATE ZC004), or, when the caller
 * takes failures as data (fail not NULL), put there.  The gate takes them
 * so, to record the refusal before raising it, without the subtransaction
 * that catching a raised error would need (a fifth of the decision's own
 * cost for the stock library).  hint may be NULL.
 */
static void
report_failure(DbcPolicyFailure *fail, char *message, const char *detail, char *hint)
{
	if (fail != NULL)
	{
		fail->message = message;
		fail->detail = pstrdup(detail);
		return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_DBCHANGE_POLICY),
			 errmsg("%s", message),
			 errdetail("%s", detail),
			 hint ? errhint("%s", hint) : 0));
}

/* Policy name failed (what: "failed", "cannot be compiled"): err says how. */
static void
policy_failed(DbcPolicyFailure *fail, const char *name, const char *what, const char *err)
{
	emit_policy_log();
	report_failure(fail, psprintf("policy \"%s\" %s: %s", name, what, err), FAILED_DETAIL,
				   psprintf("Fix the policy with dbchange.set_policy('%s', ...) or switch it off with "
							"dbchange.disable_policy('%s').", name, name));
}

static void
set_default(const DbcSettings *s, DbcDecision *out)
{
	out->action = s->default_action;
	out->risk = DBC_RISK_NONE;
	out->by_default = true;
	out->reasons = list_make1(psprintf("default: no policy has an opinion; the %s environment's default action is %s",
									   s->environment, dbc_action_name(s->default_action)));
}

/*
 * Run the cached policies over one change, given as a facts tree made only
 * when there are policies to run (make_tree), and combine their opinions.
 * A failing policy is raised, or with fail given, reported there (returns
 * false; out is then not a decision).
 */
static bool
decide_with(DbcFact *(*make_tree) (void *), void *arg, const DbcSettings *s, DbcDecision *out,
			DbcPolicyFailure *fail)
{
	bool		any = false;
	int			i;

	memset(out, 0, sizeof(*out));
	out->action = DBC_APPROVE;
	out->risk = DBC_RISK_NONE;

	ensure_cache();
	if (ncached > 0)
	{
		DbcFact    *tree = NULL;
		DbcLuaVerdict *v = NULL;
		char	   *err;
		int			failed;
		int			attempt;

		for (attempt = 1;; attempt++)
		{
			for (i = 0; i < ncached; i++)
				if (cached[i].broken)
				{
					policy_failed(fail, cached[i].name, "cannot be compiled", cached[i].broken);
					return false;
				}
			if (tree == NULL)
				tree = make_tree(arg);
			v = palloc(sizeof(DbcLuaVerdict) * ncached);
			if (dbc_lua_decide(tree, cached_lp, ncached, v, &failed, &err))
				break;
			if (failed >= 0 && attempt == 1 && dbc_lua_failed_on_memory())
			{
				/*
				 * The memory cap is the session's: what filled it may be
				 * another policy's state kept from earlier calls.  The
				 * failed call threw the state away; decide once more in a
				 * fresh one, and blame the policy only if it fails alone.
				 */
				ereport(LOG,
						(errmsg("dbchange: the policies' Lua state reached dbchange.policy_memory_limit while policy \"%s\" ran; deciding again in a fresh state",
								cached[failed].name)));
				ensure_cache();
				if (ncached == 0)
					break;
				continue;
			}
			if (failed < 0)
				report_failure(fail, psprintf("could not hand the change facts to the policies: %s", err),
							   HANDOFF_DETAIL, NULL);
			else
				policy_failed(fail, cached[failed].name, "failed", err);
			return false;
		}
		for (i = 0; i < ncached; i++)
		{
			DbcDecision d;

			if (!v[i].opinion)
				continue;
			memset(&d, 0, sizeof(d));
			d.action = v[i].action;
			d.risk = v[i].risk;
			d.reasons = list_make1(v[i].reason);
			d.policies = list_make1(pstrdup(cached[i].name));
			d.flow = v[i].flow;
			dbc_combine(out, &d);
			any = true;
		}
		emit_policy_log();
	}
	if (!any)
		set_default(s, out);
	return true;
}

static DbcFact *
whole_tree(void *arg)
{
	return dbc_lua_facts_tree((Jsonb *) arg);
}

void
dbc_decide(Jsonb *facts, const DbcSettings *s, DbcDecision *out)
{
	(void) decide_with(whole_tree, facts, s, out, NULL);
}

typedef struct StatementParts
{
	Jsonb	   *facts;
	const char *text;
	const DbcSettings *s;
} StatementParts;

/*
 * The kept context facts as a tree, rebuilt only when the context itself is
 * (dbc_gate_context_generation): converting them again for every statement
 * was a third of turning a statement's facts into a tree.  The tree's
 * strings point into the kept jsonb, which lives until that rebuild.
 */
static MemoryContext context_tree_cxt = NULL;
static DbcFact *context_tree = NULL;
static uint64 context_tree_generation = 0;

static const DbcFact *
gate_context_tree(const DbcSettings *s)
{
	Jsonb	   *ctx = dbc_gate_context(s);
	MemoryContext old;

	if (context_tree != NULL && context_tree_generation == dbc_gate_context_generation)
		return context_tree;
	if (context_tree_cxt == NULL)
		context_tree_cxt = AllocSetContextCreate(TopMemoryContext, "dbchange context facts",
												 ALLOCSET_SMALL_SIZES);
	context_tree = NULL;
	MemoryContextReset(context_tree_cxt);
	old = MemoryContextSwitchTo(context_tree_cxt);
	context_tree = dbc_lua_facts_tree(ctx);
	MemoryContextSwitchTo(old);
	context_tree_generation = dbc_gate_context_generation;
	return context_tree;
}

static DbcFact *
parts_tree(void *arg)
{
	StatementParts *p = (StatementParts *) arg;

	return dbc_lua_facts_tree_parts(p->facts, gate_context_tree(p->s), p->text);
}

void
dbc_decide_statement(Jsonb *facts, const char *text, const DbcSettings *s, DbcDecision *out)
{
	StatementParts p = {facts, text, s};

	(void) decide_with(parts_tree, &p, s, out, NULL);
}

bool
dbc_decide_statement_or_fail(Jsonb *facts, const char *text, const DbcSettings *s,
							 DbcDecision *out, DbcPolicyFailure *fail)
{
	StatementParts p = {facts, text, s};

	return !decide_with(parts_tree, &p, s, out, fail);
}

/* ---------------------------------------------------------------------------
 * Subtransactions: run a step whose errors we report rather than raise
 * ---------------------------------------------------------------------------
 */

typedef void (*GuardedFn) (void *arg);

/*
 * Run fn(arg) in a subtransaction.  Returns NULL on success, or the error
 * (already rolled back).  Query cancel and shutdown are re-raised.
 */
static ErrorData *
run_guarded(GuardedFn fn, void *arg)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		fn(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
			ReThrowError(edata);
	}
	PG_END_TRY();
	return edata;
}

/* ---------------------------------------------------------------------------
 * Policy self-tests
 * ---------------------------------------------------------------------------
 */

typedef struct BuildArgs
{
	const char *sql;
	const DbcSettings *settings;
	const char *source;
	List	   *facts;			/* out: Jsonb * per statement */
	List	   *stmts;			/* out: DbcParsedStmt * */
} BuildArgs;

/*
 * A test's statements are judged as if each ran on its own, interactively:
 * whatever transaction set_policy() itself runs in is no fact of the test.
 */
static void
build_facts_step(void *arg)
{
	BuildArgs  *a = (BuildArgs *) arg;
	ListCell   *lc;
	DbcScriptPrepares prepares;
	DbcScriptTables tables;
	DbcScriptPath path;

	a->stmts = dbc_split_script(a->sql);
	dbc_script_prepares_begin(&prepares);
	/* set_policy()'s own transaction block, locks and settings are no facts of the test */
	dbc_script_tables_begin(&tables, a->stmts, a->source, false);
	dbc_script_path_begin(&path);
	PG_TRY();
	{
		foreach(lc, a->stmts)
		{
			DbcParsedStmt *ps = lfirst(lc);
			Jsonb	   *facts = dbc_build_facts(ps->stmt, ps->text, a->settings, a->source);

			a->facts = lappend(a->facts, facts);
			dbc_script_prepares_note(ps->stmt);
			dbc_script_path_note(ps->stmt);
		}
	}
	PG_FINALLY();
	{
		dbc_script_path_end(&path);
		dbc_script_tables_end(&tables);
		dbc_script_prepares_end(&prepares);
	}
	PG_END_TRY();
}

static void
put_test_result(JsonbParseState **st, const DbcLuaTest *t, const char *env, const char *action,
				const char *risk, bool passed, const char *details)
{
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	dbc_put_int(st, "test", t->no);
	dbc_put_text(st, "name", t->name);
	dbc_put_text(st, "sql", t->sql);
	dbc_put_text(st, "environment", env);
	dbc_put_text(st, "expect", t->expect);
	dbc_put_text(st, "expect_risk", t->risk);
	dbc_put_text(st, "action", action);
	dbc_put_text(st, "risk", risk);
	dbc_put_bool(st, "passed", passed);
	dbc_put_text(st, "details", details);
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/* Why a test's check() may not have been called at all. */
static const char *
not_called_hint(const DbcLuaPolicy *lp)
{
	bool		listed = lp->has_commands;
	bool		applies = lp->has_applies;

	if (listed && applies)
		return " (or the statement's command is not in the policy's commands, or applies() said no "
			"for it in this environment, so check() was not called)";
	if (listed)
		return " (or the statement's command is not in the policy's commands, so check() was not called)";
	if (applies)
		return " (or applies() said no for this command in this environment, so check() was not called)";
	return "";
}

/*
 * Run test no of policy lp: the policy's own check() over the facts of the
 * test's statement(s), with the test's environment and fact overrides.  A
 * test of several statements takes the strongest of the policy's verdicts
 * (reject > queue > approve > no opinion; highest risk).
 */
static void
run_one_test(const DbcLuaPolicy *lp, int no, const DbcSettings *s, JsonbParseState **st)
{
	DbcLuaTest	t;
	DbcSettings ts = *s;
	BuildArgs	b;
	ErrorData  *edata;
	ListCell   *lc;
	char	   *err;
	int			best = -1;		/* DbcAction, or -1: no opinion */
	DbcRisk		risk = DBC_RISK_NONE;
	char	   *reason = NULL;
	const char *got;
	bool		passed;

	if (!dbc_lua_get_test(lp, no, &t, &err))
	{
		t.sql = NULL;
		put_test_result(st, &t, NULL, NULL, NULL, false,
						psprintf("malformed: %s", err));
		return;
	}
	if (t.environment)
		ts.environment = t.environment;

	memset(&b, 0, sizeof(b));
	b.sql = t.sql;
	b.settings = &ts;
	b.source = "interactive";
	edata = run_guarded(build_facts_step, &b);
	if (edata)
	{
		put_test_result(st, &t, ts.environment, NULL, NULL, false,
						psprintf("the test's sql cannot be classified: %s", edata->message));
		return;
	}
	if (b.facts == NIL)
	{
		put_test_result(st, &t, ts.environment, NULL, NULL, false,
						"the test's sql contains no statement");
		return;
	}

	foreach(lc, b.facts)
	{
		DbcLuaVerdict v;

		if (!dbc_lua_set_change(dbc_lua_facts_tree((Jsonb *) lfirst(lc)), lp, no, &err) ||
			!dbc_lua_check(lp, &v, &err))
		{
			bool		in_applies = strncmp(err, APPLIES_ERROR_PREFIX, strlen(APPLIES_ERROR_PREFIX)) == 0;

			put_test_result(st, &t, ts.environment, NULL, NULL, false,
							psprintf("%s failed: %s", in_applies ? "applies()" : "check()",
									 in_applies ? err + strlen(APPLIES_ERROR_PREFIX) : err));
			return;
		}
		if (v.opinion && (int) v.action > best)
		{
			best = v.action;
			reason = v.reason;
		}
		if (v.opinion && v.risk > risk)
			risk = v.risk;
	}

	got = best < 0 ? "none" : dbc_action_name((DbcAction) best);
	passed = strcmp(got, t.expect) == 0 &&
		(t.risk == NULL || (best >= 0 && strcmp(t.risk, dbc_risk_name(risk)) == 0));
	if (passed)
		err = reason ? reason : "no opinion, as expected";
	else if (best < 0)
		err = psprintf("expected %s%s%s, but check() returned no decision%s", t.expect,
					   t.risk ? " with risk " : "", t.risk ? t.risk : "",
					   not_called_hint(lp));
	else
		err = psprintf("expected %s%s%s, got %s with risk %s: %s", t.expect,
					   t.risk ? " with risk " : "", t.risk ? t.risk : "", got,
					   risk == DBC_RISK_NONE ? "(none)" : dbc_risk_name(risk),
					   reason ? reason : "(no reason)");
	put_test_result(st, &t, ts.environment, got,
					best >= 0 && risk != DBC_RISK_NONE ? dbc_risk_name(risk) : NULL,
					passed, err);
}

/*
 * dbchange._policy_check(name, source) -> jsonb
 *	 Compile the policy (in this backend's Lua state, beside but apart from
 *	 the enabled ones), check its shape and run its tests.  A policy that
 *	 does not compile or has the wrong shape raises ZC004; test results come
 *	 back as {"description": ..., "tests": [{test, name, sql, environment,
 *	 expect, expect_risk, action, risk, passed, details}, ...]}.
 */
Datum
dbc_policy_check(PG_FUNCTION_ARGS)
{
	char	   *name;
	char	   *source;
	DbcLuaPolicy lp;
	DbcSettings s;
	JsonbParseState *st = NULL;
	JsonbValue *res;
	char	   *err;
	int			i;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("policy name and source must not be null")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	source = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (strlen(source) != (size_t) VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(1)))
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_POLICY),
				 errmsg("policy \"%s\" was refused: its source contains a NUL byte", name)));

	dbc_lua_begin();
	if (!dbc_lua_compile(name, source, &lp, &err))
	{
		emit_policy_log();
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_POLICY),
				 errmsg("policy \"%s\" was refused: %s", name, err),
				 errdetail("A policy is a Lua chunk returning a table with name, description, "
						   "check(change) and tests; nothing was changed."),
				 errhint("See docs/policies.md for the policy contract and an example.")));
	}

	load_settings(&s);
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	dbc_put_text(&st, "description", lp.description);
	dbc_put_key(&st, "tests");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	for (i = 1; i <= lp.ntests; i++)
		run_one_test(&lp, i, &s, &st);
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	dbc_lua_release(&lp);
	emit_policy_log();
	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}

/* Statement trigger on dbchange.policy: every backend recompiles. */
Datum
dbc_policy_changed(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "dbchange._policy_changed() must be called as a trigger");
	CacheInvalidateRelcacheByRelid(RelationGetRelid(td->tg_relation));
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------------
 * evaluate(): the dry run
 * ---------------------------------------------------------------------------
 */

/*
 * Which statement of the script holds byte offset errpos?  Count the
 * top-level semicolons before it with the server's own lexer (so strings,
 * comments and dollar quotes are no trouble).  Sets *start to the byte
 * offset where that statement begins.
 */
static int
statement_at(const char *script, int errpos_arg, int *start)
{
	volatile int errpos = errpos_arg;
	core_yyscan_t yyscanner;
	core_yy_extra_type yyextra;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc = 0;
	volatile int n = 1;
	volatile int depth = 0;
	volatile int begin = -1;
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		int			tok;

		yyscanner = scanner_init(script, &yyextra, &ScanKeywords, ScanKeywordTokens);
		while ((tok = core_yylex(&yylval, &yylloc, yyscanner)) != 0 && yylloc < errpos)
		{
			if (begin < 0)
				begin = yylloc;
			if (tok == '(')
				depth++;
			else if (tok == ')')
				depth--;
			else if (tok == ';' && depth <= 0)
			{
				n++;
				depth = 0;
				begin = -1;
			}
		}
		scanner_finish(yyscanner);
	}
	PG_CATCH();
	{
		/* the lexer stops at the same error: what was counted stands */
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
	}
	PG_END_TRY();
	*start = begin < 0 ? errpos : begin;
	return n;
}

/* dbc_split_script(), with a syntax error naming the statement and its line. */
static List *
split_naming_statement(const char *script)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *volatile stmts = NIL;

	PG_TRY();
	{
		stmts = dbc_split_script(script);
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		int			pos;
		int			bytepos;
		int			start;
		int			n;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();

		/*
		 * Any error of the parser with a position in the script: syntax
		 * errors, and those the grammar raises with another SQLSTATE
		 * ("precision for type float must be at least 1 bit").  split.c
		 * makes it an internal position (in the script).
		 */
		pos = edata->cursorpos > 0 ? edata->cursorpos : edata->internalpos;
		if (pos <= 0)
			PG_RE_THROW();
		FlushErrorState();
		/* positions count characters from 1 */
		bytepos = pg_mbcharcliplen(script, strlen(script), pos - 1);
		n = statement_at(script, bytepos, &start);
		ereport(ERROR,
				(errcode(edata->sqlerrcode),
				 errmsg("%s in statement %d (line %d) of the script", edata->message, n,
						dbc_line_of(script, bytepos)),
				 errdetail("Statement %d starts on line %d. Nothing was evaluated.", n,
						   dbc_line_of(script, start)),
				 internalerrquery(script),
				 internalerrposition(pos)));
	}
	PG_END_TRY();
	return stmts;
}

static Datum
text_array(List *vals)
{
	Datum	   *d = palloc(sizeof(Datum) * (list_length(vals) + 1));
	ListCell   *lc;
	int			n = 0;

	foreach(lc, vals)
		d[n++] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

typedef struct DecideArgs
{
	Jsonb	   *facts;
	const DbcSettings *settings;
	DbcDecision *out;
} DecideArgs;

static void
decide_step(void *arg)
{
	DecideArgs *a = (DecideArgs *) arg;

	dbc_decide(a->facts, a->settings, a->out);
	dbc_protection(a->facts, a->out);
}

/*
 * evaluate() shows an error the gate would raise (SQLSTATE code, named
 * sqlstate) as a reject whose reason is the error: "<label>: <message> (the
 * statement would be refused with SQLSTATE ...)".  Any other error is raised.
 */
static void
reject_for_error(ErrorData *edata, int code, const char *label, const char *sqlstate, DbcDecision *d)
{
	if (edata->sqlerrcode != code)
		ReThrowError(edata);
	memset(d, 0, sizeof(*d));
	d->action = DBC_REJECT;
	d->risk = DBC_RISK_NONE;
	d->reasons = list_make1(psprintf("%s: %s (the statement would be refused with SQLSTATE %s)",
									 label, edata->message, sqlstate));
}

/*
 * The decision as evaluate() reports it: a failing policy (ZC004) becomes a
 * reject with the failure as its reason -- what the gate would do with the
 * statement -- rather than ending the whole dry run.
 */
static void
decide_reporting(Jsonb *facts, const DbcSettings *s, DbcDecision *d)
{
	DecideArgs	a = {facts, s, d};
	ErrorData  *edata = run_guarded(decide_step, &a);

	if (edata != NULL)
		reject_for_error(edata, ERRCODE_DBCHANGE_POLICY, "error", "ZC004", d);
}

static void
refuse_unjudgeable_step(void *arg)
{
	dbc_refuse_unjudgeable((Node *) arg, NULL);
}

/*
 * A form of DDL the gate refuses before any policy is asked (EXPLAIN ANALYZE
 * of a statement that creates a table, CREATE SCHEMA with statements inside
 * it, EXECUTE of a prepared SELECT INTO): evaluate() reports it as the gate would treat it, a reject with the
 * refusal as its reason, instead of approving it as "not checked" or by the
 * policies.  False (and *d untouched) for everything else.
 */
static bool
refused_unjudgeable(Node *stmt, DbcDecision *d)
{
	ErrorData  *edata = run_guarded(refuse_unjudgeable_step, stmt);

	if (edata == NULL)
		return false;
	reject_for_error(edata, ERRCODE_DBCHANGE_UNRECORDED, "refused", "ZC003", d);
	return true;
}

static const char *
checked_source(FunctionCallInfo fcinfo, int argno)
{
	char	   *src;

	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return "interactive";
	src = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (strcmp(src, "interactive") != 0 && strcmp(src, "submit") != 0 &&
		strcmp(src, "promotion") != 0 && strcmp(src, "migration") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid source \"%s\"", src),
				 errdetail("The source of a change is interactive, submit, promotion or migration.")));
	return src;
}

/* An environment name: a lower-case letter, then up to 62 of [a-z0-9_-]. */
bool
dbc_environment_name_ok(const char *env)
{
	const char *p;

	for (p = env; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (p > env && ((*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))))
			return false;
	return p > env && p - env <= 63;
}

static void
override_environment(FunctionCallInfo fcinfo, int argno, DbcSettings *s)
{
	char	   *env;

	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return;
	env = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (!dbc_environment_name_ok(env))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid environment name \"%s\"", env),
				 errdetail("An environment name is 1 to 63 lower-case letters, digits, \"_\" or \"-\", starting with a letter."),
				 errhint("For example: SELECT * FROM dbchange.evaluate($$DROP TABLE t$$, 'prod');")));
	s->environment = env;
}

static void
put_decision_row(ReturnSetInfo *rsinfo, int no, const char *stmt, const char *command,
				 const DbcDecision *d, Jsonb *facts)
{
	Datum		values[9];
	bool		nulls[9] = {false};

	values[0] = Int32GetDatum(no);
	values[1] = CStringGetTextDatum(stmt ? stmt : "");
	nulls[1] = stmt == NULL;
	values[2] = command ? CStringGetTextDatum(command) : (Datum) 0;
	nulls[2] = command == NULL;
	values[3] = CStringGetTextDatum(dbc_action_name(d->action));
	values[4] = d->risk == DBC_RISK_NONE ? (Datum) 0 : CStringGetTextDatum(dbc_risk_name(d->risk));
	nulls[4] = d->risk == DBC_RISK_NONE;
	values[5] = text_array(d->reasons);
	values[6] = text_array(d->policies);
	values[7] = d->flow ? CStringGetTextDatum(d->flow) : (Datum) 0;
	nulls[7] = d->flow == NULL;
	values[8] = JsonbPGetDatum(facts);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

static void
evaluate_statements(ReturnSetInfo *rsinfo, List *stmts, DbcSettings *s, const char *source)
{
	ListCell   *lc;
	MemoryContext per_stmt;
	MemoryContext old;

	per_stmt = AllocSetContextCreate(CurrentMemoryContext, "dbchange evaluate",
									 ALLOCSET_DEFAULT_SIZES);
	foreach(lc, stmts)
	{
		DbcParsedStmt *ps = lfirst(lc);
		DbcDecision d;
		Jsonb	   *facts;

		old = MemoryContextSwitchTo(per_stmt);
		facts = dbc_build_facts(ps->stmt, ps->text, s, source);

		/*
		 * Transaction control is not gated, but in a script dbchange runs
		 * itself (submit, promotion, migration) submit() refuses it: let the
		 * policies judge it there (migration_hygiene's transaction-nesting),
		 * as evaluate_mysql() does, so the dry run does not approve it.
		 */
		if ((IsA(ps->stmt, ExplainStmt) || IsA(ps->stmt, CreateSchemaStmt) ||
			 IsA(ps->stmt, ExecuteStmt)) &&
			refused_unjudgeable(ps->stmt, &d))
			;
		else if (dbc_is_gated(ps->stmt) ||
				 (IsA(ps->stmt, TransactionStmt) && strcmp(source, "interactive") != 0))
			decide_reporting(facts, s, &d);
		else
		{
			memset(&d, 0, sizeof(d));
			d.action = DBC_APPROVE;
			d.reasons = list_make1("not checked: dbchange gates schema changes (DDL), not this kind of statement");
		}
		/* a SET search_path: for the statements after it, and the reader is told */
		if (dbc_script_path_note(ps->stmt))
			d.reasons = lappend(d.reasons,
								psprintf("the statements after it are judged with search_path %s",
										 quote_literal_cstr(GetConfigOption("search_path", false, false))));
		put_decision_row(rsinfo, ps->statement_no, ps->text, dbc_facts_get_text(facts, "command"),
						 &d, facts);
		MemoryContextSwitchTo(old);
		MemoryContextReset(per_stmt);
		/* a PREPARE or DEALLOCATE: for the statements after it */
		dbc_script_prepares_note(ps->stmt);
	}
}

/*
 * evaluate()'s rows, one per statement of the script.  An EXECUTE runs what
 * the script prepared before it (prepared.c); a statement about a table the
 * script creates before it is created_in_script (facts.c).
 */
static void
evaluate_rows(ReturnSetInfo *rsinfo, List *stmts, DbcSettings *s, const char *source)
{
	DbcScriptPrepares prepares;
	DbcScriptTables tables;
	DbcScriptPath path;

	dbc_script_prepares_begin(&prepares);
	dbc_script_tables_begin(&tables, stmts, source, strcmp(source, "interactive") == 0);
	dbc_script_path_begin(&path);
	PG_TRY();
	{
		evaluate_statements(rsinfo, stmts, s, source);
	}
	PG_FINALLY();
	{
		dbc_script_path_end(&path);
		dbc_script_tables_end(&tables);
		dbc_script_prepares_end(&prepares);
	}
	PG_END_TRY();
}

/*
 * dbchange.evaluate(sql, environment, source) -> one row per statement:
 * statement_no, statement, command, action, risk, reasons, policies, flow,
 * facts.  Nothing is executed: statements are parsed (raw_parser, no
 * analysis), classified and judged.
 */
Datum
dbc_evaluate(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DbcSettings s;
	const char *source;
	char	   *script;
	List	   *stmts;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the script to evaluate must not be null")));
	script = text_to_cstring(PG_GETARG_TEXT_PP(0));
	source = checked_source(fcinfo, 2);
	InitMaterializedSRF(fcinfo, 0);

	load_settings(&s);
	override_environment(fcinfo, 1, &s);
	stmts = split_naming_statement(script);

	evaluate_rows(rsinfo, stmts, &s, source);
	return (Datum) 0;
}

/*
 * Facts document = this session's context facts, overlaid by the given
 * ones (the given keys win).
 */
static Jsonb *
complete_facts(Jsonb *given, const DbcSettings *s)
{
	JsonbParseState *st = NULL;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *source = dbc_facts_get_text(given, "source");
	char	   *dialect = dbc_facts_get_text(given, "dialect");

	if (!JB_ROOT_IS_OBJECT(given) || JB_ROOT_IS_SCALAR(given))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("change facts must be a JSON object"),
				 errhint("For example: SELECT * FROM dbchange.evaluate_facts('{\"command\": \"DROP TABLE\", \"dialect\": \"mysql\"}');")));
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	dbc_context_facts(&st, s, source ? source : "interactive", dialect ? dialect : "postgresql");
	it = JsonbIteratorInit(&given->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			pushJsonbValue(&st, WJB_KEY, &v);
		else if (tok == WJB_VALUE)
			pushJsonbValue(&st, WJB_VALUE, &v);
	}
	return JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
}

/*
 * dbchange.evaluate_facts(facts jsonb, environment text) -> one row: the
 * decision for a facts document built elsewhere (e.g. by the MySQL
 * classifier); context facts this session knows are added where missing.
 */
Datum
dbc_evaluate_facts(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DbcSettings s;
	DbcDecision d;
	Jsonb	   *facts;
	char	   *stmt;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the facts to evaluate must not be null")));
	InitMaterializedSRF(fcinfo, 0);
	load_settings(&s);
	override_environment(fcinfo, 1, &s);
	facts = complete_facts(PG_GETARG_JSONB_P(0), &s);
	decide_reporting(facts, &s, &d);
	stmt = dbc_facts_get_text(facts, "statement");
	put_decision_row(rsinfo, 1, stmt, dbc_facts_get_text(facts, "command"), &d, facts);
	return (Datum) 0;
}

/* ---------------------------------------------------------------------------
 * Benchmark helper
 * ---------------------------------------------------------------------------
 */

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* CPU time of this process: unlike the clock, blind to other processes' load. */
static double
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return x < y ? -1 : x > y;
}

static double
percentile(double *v, int n, double p)
{
	int			i = (int) (p * (n - 1) + 0.5);

	return n ? v[i] : 0;
}

/*
 * dbchange._policy_bench(script, iterations) -> one row: how long the
 * gate's decision (statement facts + the kept context -> Lua -> every
 * enabled policy -> combined: dbc_decide_statement) takes for the script's
 * statements, each decided `iterations` times; and, separately, building a
 * statement's facts as the gate does (parse tree -> jsonb) and turning them
 * into a tree.  evaluate() takes a longer way (a whole document per
 * statement, dbc_decide); the gate's is the one a DDL statement waits for.
 */
Datum
dbc_policy_bench(PG_FUNCTION_ARGS)
{
	char	   *script = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int			iterations = PG_GETARG_INT32(1);
	DbcSettings s;
	List	   *stmts;
	List	   *facts = NIL;
	ListCell   *lc;
	double	   *decide_t;
	double	   *build_t;
	double	   *conv_t;
	double		cpu0;
	int			nc = 0;
	int			n = 0;
	int			nb = 0;
	int			i;
	double		sum = 0;
	MemoryContext loop_cxt;
	MemoryContext old;
	TupleDesc	tupdesc;
	Datum		values[11];
	bool		nulls[11] = {false};

	if (iterations < 1 || iterations > 1000000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("iterations must be between 1 and 1000000")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	load_settings(&s);
	stmts = dbc_split_script(script);
	if (stmts == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the benchmark script has no statements")));
	loop_cxt = AllocSetContextCreate(CurrentMemoryContext, "dbchange bench",
									 ALLOCSET_DEFAULT_SIZES);
	build_t = palloc(sizeof(double) * list_length(stmts) * Min(iterations, 1000));
	for (i = 0; i < Min(iterations, 1000); i++)
	{
		foreach(lc, stmts)
		{
			DbcParsedStmt *ps = lfirst(lc);
			double		t0;

			old = MemoryContextSwitchTo(loop_cxt);
			t0 = now_us();
			(void) dbc_build_statement_facts(ps->stmt);
			build_t[nb++] = now_us() - t0;
			MemoryContextSwitchTo(old);
			MemoryContextReset(loop_cxt);
		}
	}
	foreach(lc, stmts)
	{
		DbcParsedStmt *ps = lfirst(lc);

		facts = lappend(facts, dbc_build_statement_facts(ps->stmt));
	}

	/* the first step of a decision alone: jsonb -> C tree */
	conv_t = palloc(sizeof(double) * list_length(facts) * Min(iterations, 1000));
	for (i = 0; i < Min(iterations, 1000); i++)
	{
		foreach(lc, facts)
		{
			double		t0;

			old = MemoryContextSwitchTo(loop_cxt);
			t0 = now_us();
			(void) dbc_lua_facts_tree((Jsonb *) lfirst(lc));
			conv_t[nc++] = now_us() - t0;
			MemoryContextSwitchTo(old);
			MemoryContextReset(loop_cxt);
		}
	}
	qsort(conv_t, nc, sizeof(double), cmp_double);

	decide_t = palloc(sizeof(double) * list_length(facts) * iterations);
	/* warm-up: compiles the policies */
	{
		DbcDecision d;

		old = MemoryContextSwitchTo(loop_cxt);
		dbc_decide_statement(linitial(facts), ((DbcParsedStmt *) linitial(stmts))->text, &s, &d);
		MemoryContextSwitchTo(old);
		MemoryContextReset(loop_cxt);
	}
	cpu0 = cpu_us();
	for (i = 0; i < iterations; i++)
	{
		ListCell   *sc = list_head(stmts);

		foreach(lc, facts)
		{
			DbcDecision d;
			double		t0;
			const char *text = ((DbcParsedStmt *) lfirst(sc))->text;

			sc = lnext(stmts, sc);
			old = MemoryContextSwitchTo(loop_cxt);
			t0 = now_us();
			dbc_decide_statement((Jsonb *) lfirst(lc), text, &s, &d);
			decide_t[n] = now_us() - t0;
			sum += decide_t[n++];
			MemoryContextSwitchTo(old);
			MemoryContextReset(loop_cxt);
		}
		CHECK_FOR_INTERRUPTS();
	}
	cpu0 = cpu_us() - cpu0;
	qsort(decide_t, n, sizeof(double), cmp_double);
	qsort(build_t, nb, sizeof(double), cmp_double);

	values[0] = Int32GetDatum(list_length(stmts));
	values[1] = Int32GetDatum(n);
	values[2] = Int32GetDatum(ncached);
	values[3] = Float8GetDatum(percentile(decide_t, n, 0.5));
	values[4] = Float8GetDatum(percentile(decide_t, n, 0.99));
	values[5] = Float8GetDatum(sum / n);
	values[6] = Float8GetDatum(decide_t[n - 1]);
	values[7] = Float8GetDatum(percentile(build_t, nb, 0.5));
	values[8] = Int64GetDatum((int64) (dbc_lua_memory() / 1024));
	values[9] = Float8GetDatum(percentile(conv_t, nc, 0.5));
	values[10] = Float8GetDatum(cpu0 / n);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

/*
 * dbchange._policy_engine() -> this backend's engine: how often the policy
 * set was compiled, how many policies are compiled now, the Lua state's
 * size and generation, how many of the policies were loaded from another
 * backend's bytecode, and how many sources the server's shared bytecode
 * cache has stored (-1: none, the library is not preloaded).  (Tests use it to see that policies are compiled
 * once and recompiled only after a change.)
 */
Datum
dbc_policy_engine(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false};
	int			loaded = 0;
	int			i;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	for (i = 0; cache_valid && i < ncached; i++)
		loaded += cached[i].lp.from_bytecode ? 1 : 0;
	values[0] = Int64GetDatum(cache_loads);
	values[1] = Int32GetDatum(cache_valid ? ncached : 0);
	values[2] = Int64GetDatum((int64) (dbc_lua_memory() / 1024));
	values[3] = Int64GetDatum((int64) dbc_lua_generation());
	values[4] = Int32GetDatum(loaded);
	values[5] = Int64GetDatum(dbc_bytecode_stores());
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
