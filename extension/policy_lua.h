/*-------------------------------------------------------------------------
 *
 * policy_lua.h
 *	  The embedded Lua engine (policy_lua.c), as used by policy.c.
 *
 * Everything Lua stays behind this interface: callers pass PostgreSQL
 * values in (a facts tree built beforehand, source text) and get palloc'd
 * C values back.  No function here raises a Lua error into PostgreSQL or a
 * PostgreSQL error into Lua: engine failures come back as false + message,
 * and the caller decides how to ereport.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DBC_POLICY_LUA_H
#define DBC_POLICY_LUA_H

#include "dbchange.h"

/* Settings (defined in policy.c, superuser-only). */
extern int	dbc_policy_instruction_limit;	/* VM instructions per call */
extern int	dbc_policy_memory_limit;	/* kB the Lua state may hold */

/* How an error raised by a policy's applies() begins. */
#define APPLIES_ERROR_PREFIX "applies(): "

/* A compiled policy, living in the backend's Lua state. */
typedef struct DbcLuaPolicy
{
	char	   *name;
	char	   *description;
	int			module_ref;		/* registry: the table the chunk returned */
	int			check_ref;		/* registry: its check function */
	int			scope_ref;		/* registry: set of its `commands`, or LUA_NOREF */
	int			applies_ref;	/* registry: {applies, [environment] = {[command] = bool}}, or LUA_NOREF */
	bool		has_commands;	/* check() sees only the commands it lists */
	bool		has_applies;	/* check() sees only what applies() lets through */
	int			ntests;
	bool		from_bytecode;	/* loaded from another backend's bytecode (bytecode_cache.c) */
	uint64		generation;		/* state generation it was compiled in */
} DbcLuaPolicy;

/* What one policy's check() said. */
typedef struct DbcLuaVerdict
{
	bool		opinion;		/* false: check returned nothing */
	DbcAction	action;
	DbcRisk		risk;			/* DBC_RISK_NONE when not given */
	char	   *reason;
	char	   *flow;			/* or NULL */
} DbcLuaVerdict;

/* One entry of a policy's tests table. */
typedef struct DbcLuaTest
{
	int			no;				/* 1-based */
	char	   *name;			/* optional label, or NULL */
	char	   *sql;
	char	   *environment;	/* or NULL: this database's */
	char	   *expect;			/* approve, queue, reject or none */
	char	   *risk;			/* or NULL */
} DbcLuaTest;

/* A facts document converted to plain C (no Lua, no jsonb). */
typedef struct DbcFact DbcFact;

/* Call first in every top-level operation: applies a pending state reset. */
extern void dbc_lua_begin(void);
/* The current state generation (changes when the state is recreated). */
extern uint64 dbc_lua_generation(void);

extern bool dbc_lua_compile(const char *name, const char *source, DbcLuaPolicy *out,
							char **err);
extern void dbc_lua_release(DbcLuaPolicy *p);
extern DbcFact *dbc_lua_facts_tree(Jsonb *facts);
/* One change from parts: facts, more facts (keys facts lacks), and the statement text. */
extern DbcFact *dbc_lua_facts_tree_parts(Jsonb *facts, const DbcFact *more, const char *statement);
/* Make facts the change the next checks see (test_no > 0: overlay that test's facts). */
extern bool dbc_lua_set_change(DbcFact *facts, const DbcLuaPolicy *p, int test_no,
							   char **err);
extern bool dbc_lua_check(const DbcLuaPolicy *p, DbcLuaVerdict *v, char **err);
/*
 * Every policy's check() over one change, in one call into Lua; verdicts[i]
 * for policies[i], whose reason comes as "<policy name>: <reason>".  On failure *failed is the index of the policy that
 * failed (-1: none in particular).
 */
extern bool dbc_lua_failed_on_memory(void);
extern bool dbc_lua_decide(DbcFact *facts, const DbcLuaPolicy *const *policies, int n,
						   DbcLuaVerdict *verdicts, int *failed, char **err);
extern bool dbc_lua_get_test(const DbcLuaPolicy *p, int test_no, DbcLuaTest *t, char **err);
/* Messages policies logged with log(...) since the last call: List of char *. */
extern List *dbc_lua_take_log(void);
/* Bytes the Lua state holds now (0 when there is none). */
extern size_t dbc_lua_memory(void);

#endif							/* DBC_POLICY_LUA_H */
