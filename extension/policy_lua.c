/*-------------------------------------------------------------------------
 *
 * policy_lua.c
 *	  The embedded Lua 5.4 engine that runs dbchange's policies.
 *
 * One Lua state per backend, created on first use.  Policies are user code
 * run inside the server, so the state is a sandbox:
 *
 *	- only text chunks are loaded; each policy gets its own _ENV whose
 *	  built-ins (a whitelist: no io, os.execute, require, package, debug,
 *	  collectgarbage, print, rawset, dofile, loadfile; load only of text, in
 *	  the policy's own environment) live behind a protected metatable, so a
 *	  policy can neither replace them nor reach another policy's globals;
 *	  the library tables (string, table, math, utf8, a safe os subset) are
 *	  per-policy copies, and the shared string metatable is protected;
 *	- a count hook charges every ~1000 VM instructions (or the CPU time
 *	  they took, when that is more: see charge_hook_interval) against
 *	  dbchange.policy_instruction_limit and notices query cancel and
 *	  statement_timeout (QueryCancelPending).  It is switched on by a timer
 *	  once a call has run for a while (see arm_watchdog), because a count
 *	  hook makes the VM stop at every instruction, which cost a quarter of
 *	  an evaluation; C library functions whose work is not VM instructions
 *	  (string.rep, table.move, table.sort, load) are charged explicitly and
 *	  capped, pattern matching (find, match, gmatch, gsub) is our own
 *	  matcher, which counts its steps and can be stopped (lua_match.c),
 *	  and bytes allocated are charged (charge_allocation);
 *	- a custom allocator counts every byte of the state and refuses to grow
 *	  it past dbchange.policy_memory_limit;
 *	- a limit, once tripped, cannot be caught: the sandbox's pcall/xpcall
 *	  re-raise while a limit is tripped, and the hook raises again.  After a
 *	  trip the state is thrown away before the next use (dbc_lua_begin), so a
 *	  policy that hoards memory cannot poison later evaluations; a decision
 *	  that met the memory cap is made once more in the fresh state
 *	  (policy.c, decide_with), so the hoarder does not get another policy
 *	  blamed.
 *
 * Lua errors and PostgreSQL errors both longjmp, and neither may cross the
 * other's frames.  So: Lua is entered only through run_protected()
 * (lua_pcall of a C function, with a message handler that turns any error
 * object into a string without running policy code outside the budget);
 * the C functions that run inside Lua call nothing from PostgreSQL (no
 * palloc, elog, syscache, CHECK_FOR_INTERRUPTS) -- the hook only reads the
 * interrupt flags; inputs are converted from jsonb into a plain C tree
 * (DbcFact, read straight from the jsonb) before the call, and results
 * are read back as strings left on the Lua stack after the call returned,
 * then copied with pstrdup.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>
#include <time.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "lua_match.h"
#include "policy_lua.h"

/* Instructions between two calls of the count hook. */
#define HOOK_INTERVAL	1000
/* Longest error message copied out of Lua. */
#define MAX_MESSAGE		2000
/* Messages log() keeps per evaluation, and their length. */
#define MAX_LOG_LINES	50
#define MAX_LOG_LINE	1000
/* How deep facts and test overrides may nest. */
#define MAX_FACT_DEPTH	32

typedef enum AbortReason
{
	ABORT_NONE = 0,
	ABORT_BUDGET,
	ABORT_INTERRUPT
} AbortReason;

/* The backend's Lua state and its bookkeeping. */
static lua_State *L = NULL;
static uint64 state_generation = 0;
static bool reset_pending = false;
static bool failed_on_memory = false;	/* the last failed call hit the memory cap */

/* Registry references of this state (valid while L is). */
static int template_ref = LUA_NOREF;	/* the whitelisted built-ins */
static int change_ref = LUA_NOREF;	/* the change the next check() sees */
static int log_ref = LUA_NOREF; /* log() lines since the last take */
static int empty_ref = LUA_NOREF;	/* one read-only empty table for all empty facts */
static int hot_keys_ref = LUA_NOREF;	/* the hot fields' names as Lua strings (push_change) */
static int kit_ref = LUA_NOREF;	/* what every proxy's metatable holds (KIT_*) */
enum
{
	KIT_INDEX = 1,				/* "__index" */
	KIT_NEWINDEX = 2,			/* "__newindex", then ro_newindex */
	KIT_OBJECT_END = 4,			/* an object's metatable ends here */
	KIT_SIZE = 6				/* an array's also has "__len", then ro_len */
};

#define PROXY_LABEL "dbchange facts (read-only)"

/* Memory accounting (the allocator). */
static size_t mem_used = 0;
static size_t mem_cap = 0;
static bool mem_tripped = false;
static size_t mem_failed_size = 0;

/* The protected call in progress (read by the watchdog's signal handler). */
static volatile sig_atomic_t running = false;
static volatile sig_atomic_t hook_on = false;
/* set by the watchdog: the hook's next call starts its CPU clock */
static volatile sig_atomic_t hook_fresh = false;
/* the hook's interval as last set, and the CPU time at its last call */
static int	hook_every = HOOK_INTERVAL;
static int64 hook_cpu_last = 0;
static int64 instr_at_hook = 0;	/* instr_used after the hook's last charge */
static TimeoutId watchdog_id = MAX_TIMEOUTS;	/* not registered yet */
static int64 instr_used = 0;
static int64 instr_limit = 0;
static AbortReason abort_reason = ABORT_NONE;

/* ---------------------------------------------------------------------------
 * Allocator, hook, panic
 * ---------------------------------------------------------------------------
 */

/*
 * Small blocks (tables, strings, closures: most of what an evaluation
 * allocates and frees) are recycled through per-size free lists instead of
 * going back to malloc every time.  The lists hold at most FREE_CACHE_MAX
 * bytes; blocks up to SMALL_MAX bytes are always allocated at their class
 * size, so any block of a class serves any request of that class.
 */
#define SMALL_MAX		256
#define SMALL_CLASSES	(SMALL_MAX / 16)
#define FREE_CACHE_MAX	(1024 * 1024)

static void *free_list[SMALL_CLASSES + 1];
static size_t free_cached = 0;

static inline int
size_class(size_t size)
{
	return (int) ((size + 15) / 16);
}

static void *
raw_alloc(size_t size)
{
	if (size <= SMALL_MAX)
	{
		int			c = size_class(size);
		void	   *p = free_list[c];

		if (p != NULL)
		{
			free_list[c] = *(void **) p;
			free_cached -= (size_t) c * 16;
			return p;
		}
		return malloc((size_t) c * 16);
	}
	return malloc(size);
}

static void
raw_free(void *ptr, size_t size)
{
	if (size <= SMALL_MAX && free_cached < FREE_CACHE_MAX)
	{
		int			c = size_class(size);

		*(void **) ptr = free_list[c];
		free_list[c] = ptr;
		free_cached += (size_t) c * 16;
		return;
	}
	free(ptr);
}

/* Give the cached blocks back (when the state is closed). */
static void
release_free_lists(void)
{
	int			c;

	for (c = 0; c <= SMALL_CLASSES; c++)
		while (free_list[c] != NULL)
		{
			void	   *p = free_list[c];

			free_list[c] = *(void **) p;
			free(p);
		}
	free_cached = 0;
}

/*
 * Bytes allocated while a call runs are charged to its budget, a unit per
 * ALLOC_BYTES_PER_UNIT (copying that many bytes costs about what a VM
 * instruction does).  Every string function and the VM's own concatenation
 * return new strings, and each of them is one VM instruction to the count
 * hook however long its result: without this a loop of s:upper() or s .. s
 * over a long string did gigabytes of copying inside a budget of a million
 * instructions.  An allocation that crosses the limit fails, and so does
 * every growth after it while the call unwinds; run_protected reports the
 * budget, whatever error Lua raised for the failed allocation.
 */
#define ALLOC_BYTES_PER_UNIT 256

static bool
charge_allocation(size_t bytes)
{
	if (abort_reason != ABORT_NONE)
		return false;
	instr_used += (int64) (bytes / ALLOC_BYTES_PER_UNIT);
	if (instr_used > instr_limit)
	{
		abort_reason = ABORT_BUDGET;
		return false;
	}
	return true;
}

/*
 * The allocator: small blocks via the free lists, large ones via malloc,
 * with a byte cap.  Never palloc: Lua frees memory whenever it likes, also
 * from lua_close, and a PostgreSQL error must not be raised in here.
 * Shrinking never fails (Lua relies on that).  A refused allocation sets
 * mem_tripped; if Lua's emergency collection then makes room and the same
 * request succeeds, the trip is forgiven.
 */
static void *
dbc_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	size_t		old = ptr ? osize : 0;
	void	   *p;

	if (nsize == 0)
	{
		if (ptr)
			raw_free(ptr, old);
		mem_used -= old;
		return NULL;
	}
	if (nsize > old && mem_used - old + nsize > mem_cap)
	{
		mem_tripped = true;
		mem_failed_size = nsize;
		return NULL;
	}
	if (nsize > old && running && !charge_allocation(nsize - old))
		return NULL;
	if (ptr == NULL)
		p = raw_alloc(nsize);
	else if (old > SMALL_MAX && nsize > SMALL_MAX)
		p = realloc(ptr, nsize);
	else if (old <= SMALL_MAX && nsize <= SMALL_MAX && size_class(old) == size_class(nsize))
		p = ptr;
	else
	{
		p = raw_alloc(nsize);
		if (p != NULL)
		{
			memcpy(p, ptr, Min(old, nsize));
			raw_free(ptr, old);
		}
	}
	if (p == NULL)
	{
		if (nsize <= old)
			return ptr;
		mem_tripped = true;
		mem_failed_size = nsize;
		return NULL;
	}
	mem_used = mem_used - old + nsize;
	if (mem_tripped && nsize == mem_failed_size)
		mem_tripped = false;
	return p;
}

static const char *
abort_text(void)
{
	return abort_reason == ABORT_INTERRUPT ?
		"canceled (query cancel or statement_timeout)" : "instruction limit exceeded";
}

/* A limit was hit: nothing inside the sandbox may catch it. */
static bool
must_unwind(void)
{
	return abort_reason != ABORT_NONE || mem_tripped;
}

static void dbc_lua_hook(lua_State *LS, lua_Debug *ar);

/*
 * The backend's CPU time in microseconds: not wall time, so that a busy
 * machine does not make a policy look slower than it is.
 */
static int64
cpu_now_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (int64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Charge what ran since the hook's last call: the instructions counted, or
 * the CPU time taken at CPU_UNITS_PER_US, whichever is more.  Counting
 * alone misses work that is one VM instruction however long it takes:
 * comparing two long strings with == or < (memcmp, or strcoll in the
 * database's collation, over megabytes) is one instruction, and a loop of
 * them ran for minutes inside the default budget, with query cancel seen
 * only every HOOK_INTERVAL comparisons.  So the clock is read too, and
 * once instructions are seen to be slow (SLOW_INSTRUCTION_US each on
 * average) the hook comes after every instruction until one takes less
 * than SLOW_SINGLE_US.  Normal code (3-10 ns an instruction here) is charged by count:
 * time only decides for instructions ~10 times slower than that, so a
 * slow or busy machine does not trip the budget early.
 */
#define CPU_UNITS_PER_US		25

/*
 * Instructions, and every function call: a library loop (table.insert,
 * table.concat, table.sort) that reads and writes through C metamethods
 * (getmetatable as __index, rawequal as __newindex) runs no VM instruction
 * at all, and without the call event neither the budget nor query cancel
 * nor pg_terminate_backend could stop it.
 */
#define WATCHDOG_HOOK_MASK		(LUA_MASKCOUNT | LUA_MASKCALL)
#define SLOW_INSTRUCTION_US		1
/* one instruction alone, the hook's own clock reading included */
#define SLOW_SINGLE_US			20

static void
charge_hook_interval(lua_State *LS, bool call_event)
{
	int64		now = cpu_now_us();
	int			every;

	if (hook_fresh)
	{
		/* first call since the watchdog fired: only start the clock */
		hook_fresh = false;
		instr_used += 1;
	}
	else
	{
		int64		spent = now - hook_cpu_last;

		/* what C functions charged themselves since is not charged twice */
		int64		by_time = spent * CPU_UNITS_PER_US - (instr_used - instr_at_hook);

		if (call_event)
		{
			/*
			 * A function call, perhaps a C metamethod that a library loop
			 * (table.insert, concat, sort) calls for every element without
			 * a VM instruction in between: only its time is charged.
			 */
			if (by_time > 0)
				instr_used += by_time;
			hook_cpu_last = now;
			instr_at_hook = instr_used;
			return;
		}
		instr_used += Max((int64) hook_every, by_time);
		if (hook_every == 1)
			every = spent > SLOW_SINGLE_US ? 1 : HOOK_INTERVAL;
		else
			every = spent > (int64) hook_every * SLOW_INSTRUCTION_US ? 1 : HOOK_INTERVAL;
		if (every != hook_every)
		{
			hook_every = every;
			lua_sethook(LS, dbc_lua_hook, WATCHDOG_HOOK_MASK, every);
		}
	}
	hook_cpu_last = now;
	instr_at_hook = instr_used;
}

/*
 * The count hook.  Reads the interrupt flags and nothing else of
 * PostgreSQL's: CHECK_FOR_INTERRUPTS would longjmp through Lua.
 */
static void
dbc_lua_hook(lua_State *LS, lua_Debug *ar)
{
	if (!running)
		return;
	charge_hook_interval(LS, ar->event == LUA_HOOKCALL);
	if (abort_reason == ABORT_NONE)
	{
		if (InterruptPending && (QueryCancelPending || ProcDiePending))
			abort_reason = ABORT_INTERRUPT;
		else if (instr_used > instr_limit)
			abort_reason = ABORT_BUDGET;
	}
	if (abort_reason != ABORT_NONE)
		luaL_error(LS, "%s", abort_text());
}

/* Charge work done inside a C library function against the budget. */
static void
charge_budget(lua_State *LS, double units)
{
	if (units <= 0)
		return;
	if (units > (double) (instr_limit - instr_used))
	{
		instr_used = instr_limit + 1;
		abort_reason = ABORT_BUDGET;
		luaL_error(LS, "%s", abort_text());
	}
	instr_used += (int64) units;
}

/*
 * The pattern matcher's steps (lua_match.c), two to a budget unit: a step
 * took 7-8 ns here, so the budget's 10^8 units a second (arm_watchdog) is
 * about 1.5 x 10^8 steps, while a single pass over a 1 MB statement (two
 * steps a byte at most for an unanchored search) still fits the default
 * limit.  A long match runs inside one C call, where the count hook never
 * comes, so the interrupt flags are read here as the hook reads them.
 */
static void
charge_match_steps(lua_State *LS, long steps)
{
	if (abort_reason == ABORT_NONE && InterruptPending && (QueryCancelPending || ProcDiePending))
	{
		abort_reason = ABORT_INTERRUPT;
		luaL_error(LS, "%s", abort_text());
	}
	charge_budget(LS, (double) steps / 2);
}

/*
 * The watchdog.  A count hook makes Lua's VM call into the debug machinery
 * at every instruction (luaG_traceexec), whatever the hook's interval, and
 * that cost a quarter of an evaluation whose calls mostly run a few hundred
 * instructions.  So calls run without a hook, and a timer switches it on
 * (lua_sethook may be called from a signal handler: the VM rereads its trap
 * flag at every jump and call) once a call has run as long as its budget
 * would take at 10^8 VM instructions a second (a slow machine: any this
 * runs on does more).  A runaway call is therefore stopped after at most
 * that time plus dbchange.policy_instruction_limit instructions counted by
 * the hook (or the CPU time they took, if more), and query cancel is seen
 * within at most WATCHDOG_MAX_US plus the instruction in progress.
 *
 * Programming the timer is not free either: on a virtual machine each
 * setitimer() and each expiry traps to the hypervisor, and arming a timer
 * for every statement (then taking its signal, and timeout.c re-arming the
 * session's other timeouts) cost 10-20 us a statement, more than some
 * policies' evaluation.  So a call reuses a pending timer that is due
 * within its delay (the hook then comes on sooner than it must, which only
 * tightens the bound), and with the default limit the delay is 10 ms: a
 * session running DDL back to back arms the timer about once in 10 ms
 * rather than once a statement.  A stale timer finds nothing running and
 * does nothing.
 */
#define WATCHDOG_MIN_US		10
#define WATCHDOG_MAX_US		10000

static void
watchdog_fired(void)
{
	if (running && L != NULL)
	{
		/* the very next instruction calls the hook, which starts its clock */
		hook_fresh = true;
		hook_every = 1;
		lua_sethook(L, dbc_lua_hook, WATCHDOG_HOOK_MASK, 1);
		hook_on = true;
	}
}

static void
arm_watchdog(void)
{
	int64		delay = instr_limit / 100;	/* microseconds at 10^8 a second */
	TimestampTz now;

	if (watchdog_id == MAX_TIMEOUTS)
		watchdog_id = RegisterTimeout(USER_TIMEOUT, watchdog_fired);
	delay = Max(WATCHDOG_MIN_US, Min(WATCHDOG_MAX_US, delay));
	now = GetCurrentTimestamp();
	if (get_timeout_active(watchdog_id) && get_timeout_finish_time(watchdog_id) <= now + delay)
		return;
	enable_timeout_at(watchdog_id, now + delay);
}

/* After a call: the next one starts without the hook again. */
static void
hook_off(void)
{
	if (hook_on)
	{
		lua_sethook(L, NULL, 0, 0);
		hook_on = false;
	}
}

/*
 * An error escaped every protected call.  By construction that cannot
 * happen; if it does, the backend ends cleanly (FATAL) rather than abort()
 * (which would make the postmaster restart every session).
 */
static int
dbc_lua_panic(lua_State *LS)
{
	const char *msg = lua_type(LS, -1) == LUA_TSTRING ? lua_tostring(LS, -1) : "?";

	running = false;
	ereport(FATAL,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("unprotected error in dbchange's Lua policy engine: %s", msg)));
	return 0;
}

/* ---------------------------------------------------------------------------
 * Sandbox functions (run inside Lua: no PostgreSQL calls in here)
 * ---------------------------------------------------------------------------
 */

/* Push a string describing the error object at idx, running no policy code. */
static void
push_error_text(lua_State *LS, int idx)
{
	idx = lua_absindex(LS, idx);
	switch (lua_type(LS, idx))
	{
		case LUA_TSTRING:
			lua_pushvalue(LS, idx);
			break;
		case LUA_TNUMBER:
			lua_pushvalue(LS, idx);
			lua_tostring(LS, -1);
			break;
		case LUA_TTABLE:
			lua_pushliteral(LS, "message");
			if (lua_rawget(LS, idx) == LUA_TSTRING)
				lua_pushfstring(LS, "%s (error object is a table)", lua_tostring(LS, -1));
			else
				lua_pushliteral(LS, "error object is a table value");
			lua_remove(LS, -2);
			break;
		default:
			lua_pushfstring(LS, "error object is a %s value", luaL_typename(LS, idx));
			break;
	}
}

/* Message handler of every protected call made from C. */
static int
sb_msgh(lua_State *LS)
{
	push_error_text(LS, 1);
	return 1;
}

/*
 * What catching an error costs.  Lua's error recovery walks the whole call
 * stack (stackinuse() while shrinking it), C work the count hook never
 * sees: a policy recursing deeply and catching an error at every level
 * would run quadratic time on a budget of a few instructions per level.
 * So every caught error is charged, more when the state is big (a deep
 * stack is a big state).
 */
static void
charge_caught_error(lua_State *LS)
{
	charge_budget(LS, 1000 + (double) mem_used / 256);
}

/* pcall(f, ...): as Lua's, but a tripped limit passes through. */
static int
sb_pcall(lua_State *LS)
{
	int			status;

	luaL_checkany(LS, 1);
	lua_pushboolean(LS, 1);
	lua_insert(LS, 1);
	status = lua_pcall(LS, lua_gettop(LS) - 2, LUA_MULTRET, 0);
	if (status != LUA_OK)
	{
		if (must_unwind())
			return lua_error(LS);
		charge_caught_error(LS);
		lua_pushboolean(LS, 0);
		lua_replace(LS, 1);
		return 2;
	}
	return lua_gettop(LS);
}

/*
 * The message handler xpcall installs: the policy's own handler, unless a
 * limit is tripped.  That matters beyond politeness: an error raised by the
 * count hook reaches the message handler while hooks are still switched off
 * (Lua runs the handler at the point of the error, inside the hook's
 * frame), so a looping handler would never be stopped.
 */
static int
sb_xpcall_handler(lua_State *LS)
{
	if (must_unwind())
		return 1;
	lua_pushvalue(LS, lua_upvalueindex(1));
	lua_insert(LS, 1);
	lua_call(LS, lua_gettop(LS) - 1, 1);
	return 1;
}

/* xpcall(f, handler, ...): as Lua's, but a tripped limit passes through. */
static int
sb_xpcall(lua_State *LS)
{
	int			nargs = lua_gettop(LS) - 2;
	int			status;

	luaL_checktype(LS, 2, LUA_TFUNCTION);
	lua_pushvalue(LS, 2);
	lua_pushcclosure(LS, sb_xpcall_handler, 1);
	lua_replace(LS, 2);
	/* stack: f handler args... -> handler true f args... */
	lua_pushvalue(LS, 2);
	lua_pushboolean(LS, 1);
	lua_rotate(LS, 1, 2);
	lua_remove(LS, 4);
	status = lua_pcall(LS, nargs, LUA_MULTRET, 1);
	if (status != LUA_OK)
	{
		if (must_unwind())
			return lua_error(LS);
		charge_caught_error(LS);
		lua_pushboolean(LS, 0);
		lua_replace(LS, 2);
		return 2;
	}
	return lua_gettop(LS) - 1;
}

/*
 * load(chunk [, chunkname [, mode [, env]]]): text only, from a string,
 * and by default in the calling policy's environment (upvalue 1), never in
 * the real global table.
 */
/*
 * Lua's parser checks each new label against every label visible in its
 * function (findlabel), so a chunk of n labels costs up to n^2 comparisons,
 * all inside one C call where neither the hook nor query cancel reaches: a
 * 5 MB chunk of labels took 9 s.  So chunks are refused above this many
 * "::" (counted anywhere, strings and comments too: an over-estimate).
 */
#define MAX_CHUNK_LABELS	2000

static bool
too_many_labels(const char *s, size_t len)
{
	size_t		n = 0;
	size_t		i;

	for (i = 0; i + 1 < len; i++)
		if (s[i] == ':' && s[i + 1] == ':' && ++n > MAX_CHUNK_LABELS)
			return true;
	return false;
}

static int
sb_load(lua_State *LS)
{
	size_t		len;
	const char *s;
	const char *chunkname;
	const char *mode;
	int			status;

	if (lua_type(LS, 1) != LUA_TSTRING)
		return luaL_error(LS, "load: policies may load only strings of Lua source text");
	s = lua_tolstring(LS, 1, &len);
	chunkname = luaL_optstring(LS, 2, "=(load)");
	mode = luaL_optstring(LS, 3, "t");
	if (strcmp(mode, "t") != 0)
		return luaL_error(LS, "load: binary chunks are not allowed in policies (mode must be \"t\")");
	charge_budget(LS, (double) len / 8);
	if (too_many_labels(s, len))
		return luaL_error(LS, "load: the chunk has more than %d labels (::name::), which Lua's parser "
						  "cannot read in bounded time", MAX_CHUNK_LABELS);
	status = luaL_loadbufferx(LS, s, len, chunkname, "t");
	if (status != LUA_OK)
	{
		if (must_unwind())
			return lua_error(LS);
		charge_caught_error(LS);
		lua_pushnil(LS);
		lua_insert(LS, -2);
		return 2;
	}
	if (!lua_isnone(LS, 4))
		lua_pushvalue(LS, 4);
	else
		lua_pushvalue(LS, lua_upvalueindex(1));
	if (lua_setupvalue(LS, -2, 1) == NULL)
		lua_pop(LS, 1);
	return 1;
}

/* setmetatable(t, mt): no __gc (finalizers would run outside any check). */
static bool is_proxy(lua_State *LS, int idx);

static int
sb_setmetatable(lua_State *LS)
{
	int			t = lua_type(LS, 2);

	luaL_checktype(LS, 1, LUA_TTABLE);
	luaL_argexpected(LS, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
	if (is_proxy(LS, 1) || luaL_getmetafield(LS, 1, "__metatable") != LUA_TNIL)
		return luaL_error(LS, "cannot change a protected metatable");
	if (t == LUA_TTABLE)
	{
		lua_pushliteral(LS, "__gc");
		if (lua_rawget(LS, 2) != LUA_TNIL)
			return luaL_error(LS, "setmetatable: __gc metamethods are not allowed in policies");
		lua_pop(LS, 1);
	}
	lua_settop(LS, 2);
	lua_setmetatable(LS, 1);
	return 1;
}

/* string.rep with its result capped by the memory limit, charged by length. */
static int
sb_rep(lua_State *LS)
{
	size_t		l;
	size_t		lsep;
	lua_Integer n;

	luaL_checklstring(LS, 1, &l);
	n = luaL_checkinteger(LS, 2);
	luaL_optlstring(LS, 3, "", &lsep);
	if (n > 0)
	{
		double		bytes = (double) n * (double) (l + lsep);
		double		cap = (double) mem_cap;

		if (bytes > cap || (double) n > cap)
			return luaL_error(LS, "string.rep: a result of %I repetitions of %I bytes exceeds dbchange.policy_memory_limit",
							  (lua_Integer) n, (lua_Integer) (l + lsep));
		charge_budget(LS, (double) n / 16 + bytes / 256);
	}
	lua_pushvalue(LS, lua_upvalueindex(1));
	lua_insert(LS, 1);
	lua_call(LS, lua_gettop(LS) - 1, 1);
	return 1;
}

/* table.move charged by the number of elements it moves. */
static int
sb_move(lua_State *LS)
{
	lua_Integer f = luaL_checkinteger(LS, 2);
	lua_Integer e = luaL_checkinteger(LS, 3);

	if (e >= f)
		charge_budget(LS, (double) e - (double) f + 1);
	lua_pushvalue(LS, lua_upvalueindex(1));
	lua_insert(LS, 1);
	lua_call(LS, lua_gettop(LS) - 1, LUA_MULTRET);
	return lua_gettop(LS);
}

/*
 * table.sort charged by the size of the table, and without a comparison
 * function also by the strings it compares: Lua's own comparison (memcmp,
 * or strcoll in the database's collation) runs inside this one C call,
 * where the hook never comes, so n log n comparisons of the longest string
 * are charged before sorting, a unit per 64 bytes.
 */
static int
sb_sort(lua_State *LS)
{
	lua_Integer n;

	luaL_checkany(LS, 1);
	n = luaL_len(LS, 1);
	charge_budget(LS, (double) n);
	if (n > 1 && lua_isnoneornil(LS, 2) && lua_type(LS, 1) == LUA_TTABLE)
	{
		size_t		longest = 0;
		lua_Integer i;

		for (i = 1; i <= n; i++)
		{
			if (lua_rawgeti(LS, 1, i) == LUA_TSTRING)
				longest = Max(longest, lua_rawlen(LS, -1));
			lua_pop(LS, 1);
		}
		charge_budget(LS, (double) n * log2((double) n) * (double) (longest / 64));
	}
	lua_pushvalue(LS, lua_upvalueindex(1));
	lua_insert(LS, 1);
	lua_call(LS, lua_gettop(LS) - 1, 0);
	return 0;
}

/* _ENV's __newindex: a policy may add globals but not replace built-ins. */
static int
sb_guard(lua_State *LS)
{
	lua_pushvalue(LS, 2);
	if (lua_rawget(LS, lua_upvalueindex(1)) != LUA_TNIL)
		return luaL_error(LS, "cannot replace the built-in global '%s'",
						  lua_type(LS, 2) == LUA_TSTRING ? lua_tostring(LS, 2) : "?");
	lua_pop(LS, 1);
	lua_rawset(LS, 1);
	return 0;
}

/* log(...): a line for the server log, emitted after the evaluation. */
static int
sb_log(lua_State *LS)
{
	int			n = lua_gettop(LS);
	int			i;
	luaL_Buffer b;
	lua_Integer lines;

	lua_rawgeti(LS, LUA_REGISTRYINDEX, log_ref);
	lines = (lua_Integer) lua_rawlen(LS, -1);
	if (lines >= MAX_LOG_LINES)
		return 0;
	luaL_buffinit(LS, &b);
	lua_pushvalue(LS, lua_upvalueindex(1));
	luaL_addvalue(&b);
	luaL_addstring(&b, ": ");
	for (i = 1; i <= n; i++)
	{
		if (i > 1)
			luaL_addchar(&b, ' ');
		luaL_tolstring(LS, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	if (lua_rawlen(LS, -1) > MAX_LOG_LINE)
	{
		lua_pushlstring(LS, lua_tostring(LS, -1), MAX_LOG_LINE);
		lua_remove(LS, -2);
	}
	lua_rawseti(LS, n + 1, lines + 1);
	return 0;
}

/* ---- read-only proxies of the change facts ---- */

static int
ro_newindex(lua_State *LS)
{
	return luaL_error(LS, "the change facts are read-only (attempt to set '%s')",
					  lua_type(LS, 2) == LUA_TSTRING || lua_type(LS, 2) == LUA_TNUMBER ?
					  lua_tostring(LS, 2) : luaL_typename(LS, 2));
}

static void materialize_all(lua_State *LS, int real);

/* With a metatable on top, push its field named by kit slot `slot`; return its type. */
static int
mt_field(lua_State *LS, int slot)
{
	/* stack: mt */
	lua_rawgeti(LS, LUA_REGISTRYINDEX, kit_ref);	/* mt kit */
	lua_rawgeti(LS, -1, slot);	/* mt kit key */
	lua_replace(LS, -2);		/* mt key */
	return lua_rawget(LS, -2);	/* mt value */
}

/* If idx is a proxy, push the real table behind it and return true. */
static bool
push_real(lua_State *LS, int idx)
{
	if (lua_type(LS, idx) != LUA_TTABLE || !lua_getmetatable(LS, idx))
		return false;
	if (mt_field(LS, KIT_NEWINDEX) != LUA_TFUNCTION || lua_tocfunction(LS, -1) != ro_newindex)
	{
		lua_pop(LS, 2);
		return false;
	}
	lua_pop(LS, 1);				/* mt */
	mt_field(LS, KIT_INDEX);	/* mt real */
	lua_remove(LS, -2);			/* real */
	return true;
}

static bool
is_proxy(lua_State *LS, int idx)
{
	if (!push_real(LS, idx))
		return false;
	lua_pop(LS, 1);
	return true;
}

/*
 * __len of a proxy.  Only proxies' metatables hold ro_len, and those are
 * out of the policies' reach (sb_getmetatable), so argument 1 is a proxy and
 * its metatable's __index its real table: no need for push_real's check.
 */
static int
ro_len(lua_State *LS)
{
	/* the real table's length, kept in its metatable by make_readonly */
	if (!lua_getmetatable(LS, 1) || lua_rawgeti(LS, -1, 1) != LUA_TNUMBER)
		return luaL_error(LS, "not a facts table");
	return 1;
}

static int
ro_next(lua_State *LS)
{
	lua_settop(LS, 2);
	if (lua_next(LS, lua_upvalueindex(1)))
		return 2;
	lua_pushnil(LS);
	return 1;
}

/* next(t, k) that also walks facts proxies (their own table is empty). */
static int
sb_next(lua_State *LS)
{
	luaL_checktype(LS, 1, LUA_TTABLE);
	lua_settop(LS, 2);
	if (push_real(LS, 1))
	{
		materialize_all(LS, 3);
		lua_replace(LS, 1);
	}
	if (lua_next(LS, 1))
		return 2;
	lua_pushnil(LS);
	return 1;
}

/*
 * The parts of a proxy's metatable, kept interned in one registry array:
 * make_readonly runs for every facts table a policy opens (several per
 * decision), and naming the fields by C string (lua_setfield) looks each
 * one up in Lua's string cache and compares it with strcmp -- that was
 * half of a proxy's cost.  Slot 1 holds the key "__index" (its value is
 * the real table, different for each proxy); from slot 2 on, key and value
 * alternate.
 *
 * A proxy's metatable holds only what the VM itself looks up: __index,
 * __newindex, and for an array __len.  pairs, getmetatable and setmetatable
 * are the sandbox's own (sb_pairs, sb_getmetatable, sb_setmetatable) and
 * know a proxy by its __newindex, so no proxy needs __pairs or
 * __metatable: each field fewer in a metatable made for every facts table
 * a policy opens is a table insert fewer.
 */
static void
build_kit(lua_State *LS)
{
	lua_createtable(LS, KIT_SIZE, 0);
	lua_pushliteral(LS, "__index");
	lua_rawseti(LS, -2, KIT_INDEX);
	lua_pushliteral(LS, "__newindex");
	lua_rawseti(LS, -2, KIT_NEWINDEX);
	lua_pushcfunction(LS, ro_newindex);
	lua_rawseti(LS, -2, KIT_NEWINDEX + 1);
	lua_pushliteral(LS, "__len");
	lua_rawseti(LS, -2, KIT_OBJECT_END);
	lua_pushcfunction(LS, ro_len);
	lua_rawseti(LS, -2, KIT_OBJECT_END + 1);
	kit_ref = luaL_ref(LS, LUA_REGISTRYINDEX);
}

/* Replace the table on top of the stack by a read-only proxy of it. */
static void
make_readonly(lua_State *LS, bool array)
{
	int			kit;
	int			mt;
	int			end = array ? KIT_SIZE : KIT_OBJECT_END;
	int			i;

	/* stack: real */
	lua_rawgeti(LS, LUA_REGISTRYINDEX, kit_ref);	/* real kit */
	kit = lua_gettop(LS);
	lua_createtable(LS, 0, 0);	/* real kit proxy */
	lua_createtable(LS, array ? 1 : 0, array ? 3 : 2);	/* real kit proxy mt */
	mt = kit + 2;
	lua_rawgeti(LS, kit, KIT_INDEX);
	lua_pushvalue(LS, kit - 1);
	lua_rawset(LS, mt);
	if (array)
	{
		/* the real table never changes once frozen: its length is kept for ro_len */
		lua_pushinteger(LS, (lua_Integer) lua_rawlen(LS, kit - 1));
		lua_rawseti(LS, mt, 1);
	}
	for (i = KIT_NEWINDEX; i < end; i += 2)
	{
		lua_rawgeti(LS, kit, i);
		lua_rawgeti(LS, kit, i + 1);
		lua_rawset(LS, mt);
	}
	lua_setmetatable(LS, -2);	/* real kit proxy */
	lua_replace(LS, kit - 1);	/* proxy kit */
	lua_pop(LS, 1);				/* proxy */
}

/* getmetatable(v): a proxy's is hidden (a label, as __metatable would give) */
static int
sb_getmetatable(lua_State *LS)
{
	luaL_checkany(LS, 1);
	if (is_proxy(LS, 1))
	{
		lua_pushliteral(LS, PROXY_LABEL);
		return 1;
	}
	if (!lua_getmetatable(LS, 1))
	{
		lua_pushnil(LS);
		return 1;
	}
	luaL_getmetafield(LS, 1, "__metatable");	/* pushed only when present */
	return 1;
}

/* pairs(t): a proxy's fields (its real table's, all made), or Lua's own pairs (upvalue 1) */
static int
sb_pairs(lua_State *LS)
{
	luaL_checkany(LS, 1);
	if (push_real(LS, 1))
	{
		materialize_all(LS, lua_gettop(LS));
		lua_pushcclosure(LS, ro_next, 1);
		lua_pushvalue(LS, 1);
		lua_pushnil(LS);
		return 3;
	}
	lua_settop(LS, 1);
	lua_pushvalue(LS, lua_upvalueindex(1));
	lua_insert(LS, 1);
	lua_call(LS, 1, 3);
	return 3;
}

/* ---------------------------------------------------------------------------
 * State creation and the protected call
 * ---------------------------------------------------------------------------
 */

static const char *const base_whitelist[] = {
	"assert", "error", "ipairs", "pairs", "select", "tonumber", "tostring", "type",
	"rawequal", "rawlen", "rawget", "_VERSION", NULL
};

/* Open a library without making it a global; leaves it on the stack. */
static void
open_lib(lua_State *LS, const char *name, lua_CFunction f)
{
	luaL_requiref(LS, name, f, 0);
}

/* Wrap field `name` of the table on top with closure fn(original). */
static void
wrap_field(lua_State *LS, const char *name, lua_CFunction fn)
{
	lua_getfield(LS, -1, name);
	lua_pushcclosure(LS, fn, 1);
	lua_setfield(LS, -2, name);
}

/*
 * C library functions whose work grows with their input rather than with
 * what they allocate (allocation is charged in the allocator), each one VM
 * instruction to the count hook:
 *	 SIZED_RESULTS  table.unpack, string.byte, utf8.codepoint: a unit per
 *					value returned (up to a million, the stack's limit);
 *	 SIZED_INSERT   table.insert(t, pos, v): the elements it shifts (an
 *					append, without pos, shifts none);
 *	 SIZED_REMOVE   table.remove(t, pos): likewise (a pop, none);
 *	 SIZED_READ     table.concat: a unit per 8 elements read;
 *	 SIZED_SCAN     utf8.len, utf8.offset: a unit per 16 bytes decoded.
 * Without these a loop calling them on a large table or string did work
 * quadratic in a budget meant to be linear.  #t is taken raw: no
 * metamethod runs before the charge.
 */
typedef enum SizedCost
{
	SIZED_RESULTS,
	SIZED_INSERT,
	SIZED_REMOVE,
	SIZED_READ,
	SIZED_SCAN
} SizedCost;

static int
sb_sized(lua_State *LS)
{
	SizedCost	kind = (SizedCost) lua_tointeger(LS, lua_upvalueindex(2));
	int			nargs = lua_gettop(LS);
	double		before = 0;
	int			nres;

	if (lua_type(LS, 1) == LUA_TTABLE)
	{
		/* the length the library itself will use: __len included */
		double		len = (double) luaL_len(LS, 1);

		if ((kind == SIZED_INSERT && nargs >= 3) || (kind == SIZED_REMOVE && nargs >= 2))
		{
			int			isnum;
			double		pos = (double) lua_tointegerx(LS, 2, &isnum);

			/* insert shifts t[pos..#t] up, remove t[pos+1..#t] down */
			if (isnum)
				before = Max(0, len - pos + (kind == SIZED_INSERT ? 1 : 0));
		}
		else if (kind == SIZED_READ)
		{
			/* table.concat(t, sep, i, j) reads t[i..j] */
			int			isnum;
			lua_Integer i = lua_isnoneornil(LS, 3) ? 1 : lua_tointegerx(LS, 3, &isnum);
			double		j = lua_isnoneornil(LS, 4) ? len : (double) lua_tointegerx(LS, 4, &isnum);

			before = Max(0, j - (double) i + 1) / 8;
		}
	}
	else if (kind == SIZED_SCAN && lua_type(LS, 1) == LUA_TSTRING)
		before = (double) lua_rawlen(LS, 1) / 16;
	charge_budget(LS, before);
	lua_pushvalue(LS, lua_upvalueindex(1));
	lua_insert(LS, 1);
	lua_call(LS, nargs, LUA_MULTRET);
	nres = lua_gettop(LS);
	if (kind == SIZED_RESULTS)
		charge_budget(LS, (double) nres);
	return nres;
}

/* Wrap field `name` of the table on top with sb_sized(original, kind). */
static void
wrap_sized(lua_State *LS, const char *name, SizedCost kind)
{
	lua_getfield(LS, -1, name);
	lua_pushinteger(LS, (lua_Integer) kind);
	lua_pushcclosure(LS, sb_sized, 2);
	lua_setfield(LS, -2, name);
}

/*
 * type(v), with the type names kept as upvalues (1 + the type's number).
 * The stock library calls type() some 35 times a statement; Lua's own makes
 * each name a Lua string again on every call (lua_pushstring).
 */
static int
sb_type(lua_State *LS)
{
	int			t = lua_type(LS, 1);

	luaL_argcheck(LS, t != LUA_TNONE, 1, "value expected");
	lua_pushvalue(LS, lua_upvalueindex(t + 1));
	return 1;
}

static void
push_sb_type(lua_State *LS)
{
	int			t;

	for (t = 0; t < LUA_NUMTYPES; t++)
		lua_pushstring(LS, lua_typename(LS, t));
	lua_pushcclosure(LS, sb_type, LUA_NUMTYPES);
}

static void build_hot_keys(lua_State *LS);

/* Build the template of built-ins (protected call, at state creation). */
static int
build_sandbox(lua_State *LS)
{
	const char *const *p;
	int			tmpl;

	luaL_requiref(LS, "_G", luaopen_base, 1);	/* the real globals: never exposed */
	lua_newtable(LS);
	tmpl = lua_gettop(LS);
	for (p = base_whitelist; *p; p++)
	{
		lua_getfield(LS, -2, *p);
		lua_setfield(LS, tmpl, *p);
	}
	push_sb_type(LS);
	lua_setfield(LS, tmpl, "type");
	lua_pushcfunction(LS, sb_pcall);
	lua_setfield(LS, tmpl, "pcall");
	lua_pushcfunction(LS, sb_xpcall);
	lua_setfield(LS, tmpl, "xpcall");
	lua_pushcfunction(LS, sb_setmetatable);
	lua_setfield(LS, tmpl, "setmetatable");
	lua_pushcfunction(LS, sb_next);
	lua_setfield(LS, tmpl, "next");
	lua_pushcfunction(LS, sb_getmetatable);
	lua_setfield(LS, tmpl, "getmetatable");
	lua_getfield(LS, -2, "pairs");
	lua_pushcclosure(LS, sb_pairs, 1);
	lua_setfield(LS, tmpl, "pairs");

	/*
	 * string: no dump, rep capped, pattern matching counted (lua_match.c);
	 * the shared metatable of strings protected
	 */
	open_lib(LS, LUA_STRLIBNAME, luaopen_string);
	lua_pushnil(LS);
	lua_setfield(LS, -2, "dump");
	wrap_field(LS, "rep", sb_rep);
	wrap_sized(LS, "byte", SIZED_RESULTS);
	dbc_match_register(LS, -1, charge_match_steps);
	lua_setfield(LS, tmpl, "string");
	lua_pushliteral(LS, "");
	if (lua_getmetatable(LS, -1))
	{
		lua_pushliteral(LS, "protected");
		lua_setfield(LS, -2, "__metatable");
		lua_pop(LS, 1);
	}
	lua_pop(LS, 1);

	open_lib(LS, LUA_TABLIBNAME, luaopen_table);
	wrap_field(LS, "move", sb_move);
	wrap_field(LS, "sort", sb_sort);
	wrap_sized(LS, "unpack", SIZED_RESULTS);
	wrap_sized(LS, "insert", SIZED_INSERT);
	wrap_sized(LS, "remove", SIZED_REMOVE);
	wrap_sized(LS, "concat", SIZED_READ);
	lua_setfield(LS, tmpl, "table");
	open_lib(LS, LUA_MATHLIBNAME, luaopen_math);
	lua_setfield(LS, tmpl, "math");
	open_lib(LS, LUA_UTF8LIBNAME, luaopen_utf8);
	wrap_sized(LS, "codepoint", SIZED_RESULTS);
	wrap_sized(LS, "len", SIZED_SCAN);
	wrap_sized(LS, "offset", SIZED_SCAN);
	lua_setfield(LS, tmpl, "utf8");

	/* os: the clock and the calendar only */
	open_lib(LS, LUA_OSLIBNAME, luaopen_os);
	lua_createtable(LS, 0, 4);
	for (p = (const char *const[]) {"time", "clock", "date", "difftime", NULL}; *p; p++)
	{
		lua_getfield(LS, -2, *p);
		lua_setfield(LS, -2, *p);
	}
	lua_setfield(LS, tmpl, "os");
	lua_pop(LS, 1);

	lua_pushvalue(LS, tmpl);
	template_ref = luaL_ref(LS, LUA_REGISTRYINDEX);
	lua_newtable(LS);
	change_ref = luaL_ref(LS, LUA_REGISTRYINDEX);
	lua_newtable(LS);
	log_ref = luaL_ref(LS, LUA_REGISTRYINDEX);
	build_kit(LS);
	lua_newtable(LS);
	make_readonly(LS, true);
	empty_ref = luaL_ref(LS, LUA_REGISTRYINDEX);
	build_hot_keys(LS);
	return 0;
}

/*
 * Call fn(arg) in Lua, protected, under the limits.  On success the nres
 * results are at stack indices 2 .. nres+1 (index 1 is the message handler)
 * until the next call.  On failure *err says what went wrong (palloc'd).
 * Pending query cancels are raised here, after Lua has returned.
 */
static bool
run_protected(lua_CFunction fn, void *arg, int nres, char **err)
{
	int			status;
	const char *msg;
	size_t		len;

	lua_settop(L, 0);
	lua_pushcfunction(L, sb_msgh);
	lua_pushcfunction(L, fn);
	lua_pushlightuserdata(L, arg);
	instr_used = 0;
	instr_limit = dbc_policy_instruction_limit;
	abort_reason = ABORT_NONE;
	mem_tripped = false;
	mem_cap = (size_t) dbc_policy_memory_limit * 1024;
	arm_watchdog();
	running = true;
	status = lua_pcall(L, 1, nres, 1);
	running = false;
	hook_off();

	CHECK_FOR_INTERRUPTS();
	failed_on_memory = false;
	if (status == LUA_OK)
		return true;

	if (abort_reason == ABORT_BUDGET)
		*err = psprintf("instruction limit exceeded (dbchange.policy_instruction_limit = %d)",
						dbc_policy_instruction_limit);
	else if (abort_reason == ABORT_INTERRUPT)
		*err = pstrdup(abort_text());
	else if (mem_tripped || status == LUA_ERRMEM)
	{
		*err = psprintf("memory limit exceeded (dbchange.policy_memory_limit = %d kB)",
						dbc_policy_memory_limit);
		failed_on_memory = true;
	}
	else
	{
		msg = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
		if (msg == NULL)
			*err = pstrdup("unknown error");
		else if (len > MAX_MESSAGE)
			*err = psprintf("%s...", pnstrdup(msg, MAX_MESSAGE));
		else
			*err = pstrdup(msg);
	}
	/* A tripped limit may leave a policy's state hoarding: start afresh next time. */
	if (abort_reason != ABORT_NONE || mem_tripped || status == LUA_ERRMEM)
		reset_pending = true;
	lua_settop(L, 0);
	return false;
}

static bool
ensure_state(char **err)
{
	if (L != NULL)
		return true;
	mem_used = 0;
	mem_cap = (size_t) dbc_policy_memory_limit * 1024;
	L = lua_newstate(dbc_lua_alloc, NULL);
	if (L == NULL)
	{
		*err = pstrdup("could not create a Lua state (dbchange.policy_memory_limit too small, or out of memory)");
		return false;
	}
	state_generation++;
	lua_atpanic(L, dbc_lua_panic);
	/*
	 * Evaluations make short-lived garbage: the generational collector suits
	 * it.  A major collection (the whole heap, the compiled library
	 * included) waits until the heap has grown to four times its size after
	 * the last one (Lua's default: twice): with the stock library (~400 kB
	 * live) that is under 2 MB, far under dbchange.policy_memory_limit, and
	 * it took ~2,000 instructions off every statement (bench/README.md,
	 * twelfth round).  An allocation refused at the limit still gets a full
	 * collection first.
	 */
	lua_gc(L, LUA_GCGEN, 0, 300);
	if (!run_protected(build_sandbox, NULL, 0, err))
	{
		lua_close(L);
		L = NULL;
		release_free_lists();
		reset_pending = false;
		return false;
	}
	return true;
}

void
dbc_lua_begin(void)
{
	if (reset_pending)
	{
		if (L != NULL)
			lua_close(L);
		L = NULL;
		mem_used = 0;
		release_free_lists();
		reset_pending = false;
	}
}

/*
 * Did the last failed call hit the memory cap?  The cap is the session's,
 * not one policy's: the memory may be held by another policy (a table kept
 * in an upvalue that grows at every call), so the caller retries once in a
 * fresh state before blaming the policy that was running.
 */
bool
dbc_lua_failed_on_memory(void)
{
	return failed_on_memory;
}

uint64
dbc_lua_generation(void)
{
	return L ? state_generation : 0;
}

size_t
dbc_lua_memory(void)
{
	return L ? mem_used : 0;
}

/* ---------------------------------------------------------------------------
 * Compiling a policy
 * ---------------------------------------------------------------------------
 */

static int	unref_fn(lua_State *LS);

typedef struct CompileArgs
{
	const char *name;
	const char *source;
	size_t		len;
	int			module_ref;
	int			check_ref;
	int			scope_ref;
	int			applies_ref;
	int			ntests;
	const char *bytecode;		/* another backend's bytecode of this source, or NULL */
	size_t		bclen;
	bool		from_bytecode;	/* loaded from it */
	bool		want_dump;		/* parsed: keep the bytecode for other backends */
	char	   *dump;			/* malloc'd: what lua_dump wrote */
	size_t		dumplen;
	size_t		dumpcap;
} CompileArgs;

/*
 * Bytecode in and out (bytecode_cache.c).  The reader and the writer run
 * inside lua_load and lua_dump, so they touch nothing of PostgreSQL's: the
 * copy they read was made before the protected call, and what they write
 * goes to malloc'd memory that the caller stores after it.
 */
typedef struct ChunkReader
{
	const char *p;
	size_t		len;
} ChunkReader;

static const char *
read_chunk(lua_State *LS, void *ud, size_t *size)
{
	ChunkReader *r = (ChunkReader *) ud;

	*size = r->len;
	r->len = 0;
	return *size > 0 ? r->p : NULL;
}

/* Load a's bytecode; false (nothing pushed) when it does not load, so the text is parsed. */
static bool
load_bytecode(lua_State *LS, CompileArgs *a, const char *chunkname)
{
	ChunkReader r = {a->bytecode, a->bclen};

	if (lua_load(LS, read_chunk, &r, chunkname, "b") == LUA_OK)
	{
		a->from_bytecode = true;
		return true;
	}
	lua_pop(LS, 1);
	return false;
}

#define DUMP_MAX	((size_t) 4 * 1024 * 1024)	/* the shared cache's size */

static int
dump_writer(lua_State *LS, const void *p, size_t sz, void *ud)
{
	CompileArgs *a = (CompileArgs *) ud;

	if (a->dumplen + sz > DUMP_MAX)
		return 1;
	if (a->dumplen + sz > a->dumpcap)
	{
		size_t		cap = Max(a->dumpcap * 2, Max((size_t) 16384, a->dumplen + sz));
		char	   *grown = realloc(a->dump, cap);

		if (grown == NULL)
			return 1;
		a->dump = grown;
		a->dumpcap = cap;
	}
	memcpy(a->dump + a->dumplen, p, sz);
	a->dumplen += sz;
	return 0;
}

/* The function on top of the stack as bytecode, with its debug information (line numbers). */
static void
dump_chunk(lua_State *LS, CompileArgs *a)
{
	if (a->want_dump && lua_dump(LS, dump_writer, a, 0) != 0)
		a->dumplen = 0;			/* incomplete: not stored */
}

/* Push a fresh environment for policy `name` (see the file header). */
static void
push_policy_env(lua_State *LS, const char *name)
{
	int			builtins;
	int			env;

	lua_newtable(LS);
	builtins = lua_gettop(LS);
	lua_rawgeti(LS, LUA_REGISTRYINDEX, template_ref);
	lua_pushnil(LS);
	while (lua_next(LS, -2))
	{
		if (lua_type(LS, -1) == LUA_TTABLE)
		{
			/* a library: the policy gets its own copy */
			lua_newtable(LS);
			lua_pushnil(LS);
			while (lua_next(LS, -3))
			{
				lua_pushvalue(LS, -2);
				lua_insert(LS, -2);
				lua_rawset(LS, -4);
			}
			lua_replace(LS, -2);
		}
		lua_pushvalue(LS, -2);
		lua_insert(LS, -2);
		lua_rawset(LS, builtins);
	}
	lua_pop(LS, 1);

	lua_newtable(LS);
	env = lua_gettop(LS);
	lua_pushvalue(LS, env);
	lua_setfield(LS, builtins, "_G");
	lua_pushvalue(LS, env);
	lua_pushcclosure(LS, sb_load, 1);
	lua_setfield(LS, builtins, "load");
	lua_pushstring(LS, name);
	lua_pushcclosure(LS, sb_log, 1);
	lua_setfield(LS, builtins, "log");

	/*
	 * math.random's state is an upvalue shared by random and randomseed:
	 * each policy gets a generator of its own, so that one policy's
	 * randomseed cannot make another's random predictable.
	 */
	lua_getfield(LS, builtins, "math");	/* math */
	luaopen_math(LS);				/* math fresh */
	lua_getfield(LS, -1, "random");
	lua_setfield(LS, -3, "random");
	lua_getfield(LS, -1, "randomseed");
	lua_setfield(LS, -3, "randomseed");
	lua_pop(LS, 2);

	lua_createtable(LS, 0, 3);
	lua_pushvalue(LS, builtins);
	lua_setfield(LS, -2, "__index");
	lua_pushvalue(LS, builtins);
	lua_pushcclosure(LS, sb_guard, 1);
	lua_setfield(LS, -2, "__newindex");
	lua_pushliteral(LS, "protected");
	lua_setfield(LS, -2, "__metatable");
	lua_setmetatable(LS, env);
	lua_remove(LS, builtins);
}

static const char *
field_type(lua_State *LS, int idx, const char *field)
{
	lua_getfield(LS, idx, field);
	return luaL_typename(LS, -1);
}

/*
 * The optional field `commands`: the statement kinds (values of the change's
 * `command` fact) the policy has an opinion on.  For any other statement the
 * engine answers "no opinion" itself, without calling check() -- what a
 * check() starting with `if not WANTED[c.command] then return nil end` would
 * say, at a fraction of the cost (check_one).  The names are copied into a
 * set of the engine's own, so a policy that changes its `commands` table
 * later changes nothing.  A name in lower case is refused: it could never
 * match (command facts are upper case, "ALTER TABLE") and the policy would
 * silently never run for it.  Leaves the set's registry reference, or
 * LUA_NOREF when the policy has no `commands` (it sees every statement).
 *
 * The list is read raw, and a list with a metatable is refused: its __len
 * and __index could be C functions (the sandbox's own getmetatable, say),
 * which run no Lua instruction, so neither the budget's count hook nor a
 * query cancel would ever stop a loop over a "list" of 2^63 entries.  For
 * the same reason its length is capped, and it must be a plain sequence: a
 * border (#t) of a table with holes or other keys would silently drop a
 * command the author listed, and the policy would let that command pass
 * unjudged.
 *
 * stack: module ... -> module ... (unchanged)
 */
#define MAX_SCOPE_COMMANDS 256

static int
read_scope(lua_State *LS, int module)
{
	lua_Integer n;
	lua_Integer i;
	int			list;
	int			set;

	if (lua_getfield(LS, module, "commands") == LUA_TNIL)
	{
		lua_pop(LS, 1);
		return LUA_NOREF;
	}
	list = lua_gettop(LS);
	if (!lua_istable(LS, list))
		return luaL_error(LS, "the policy's field 'commands' must be a list of command names such as "
						  "{ \"ALTER TABLE\", \"CREATE INDEX\" } (got %s)", luaL_typename(LS, list));
	if (lua_getmetatable(LS, list))
		return luaL_error(LS, "the policy's field 'commands' must be a plain list of command names, "
						  "not a table with a metatable");
	n = (lua_Integer) lua_rawlen(LS, list);
	if (n < 1)
		return luaL_error(LS, "the policy's field 'commands' is an empty list; list the commands "
						  "check() judges, or leave the field out to see every statement");
	if (n > MAX_SCOPE_COMMANDS)
		return luaL_error(LS, "the policy's field 'commands' lists %d names; at most %d are allowed "
						  "(leave the field out to see every statement)", (int) Min(n, INT_MAX),
						  MAX_SCOPE_COMMANDS);
	i = 0;
	lua_pushnil(LS);			/* list nil */
	while (lua_next(LS, list))	/* list key value */
	{
		lua_pop(LS, 1);			/* list key */
		if (!lua_isinteger(LS, -1) || lua_tointeger(LS, -1) < 1 || lua_tointeger(LS, -1) > n || ++i > n)
			return luaL_error(LS, "the policy's field 'commands' must be a list { \"A\", \"B\", ... } "
							  "without holes or named keys");
	}
	if (i != n)
		return luaL_error(LS, "the policy's field 'commands' must be a list { \"A\", \"B\", ... } "
						  "without holes or named keys");
	lua_createtable(LS, 0, (int) Min(n, 256));
	set = lua_gettop(LS);
	for (i = 1; i <= n; i++)
	{
		const char *c;
		size_t		len;
		size_t		k;

		if (lua_rawgeti(LS, list, i) != LUA_TSTRING)
			return luaL_error(LS, "commands[%d] must be a command name such as \"ALTER TABLE\" (got %s)",
							  (int) i, luaL_typename(LS, -1));
		c = lua_tolstring(LS, -1, &len);
		if (len >= NAMEDATALEN)
			return luaL_error(LS, "commands[%d] is not a command name: it is %d bytes long, and a "
							  "change's command is a few upper-case words, as in \"ALTER TABLE\"",
							  (int) i, (int) len);
		for (k = 0; k < len; k++)
			if (!((c[k] >= 'A' && c[k] <= 'Z') || c[k] == ' '))
				break;
		if (len == 0 || k < len)
			return luaL_error(LS, "commands[%d] (\"%s\") is not a command name: a change's command is "
							  "upper-case words, as in \"ALTER TABLE\" or \"CREATE INDEX\"",
							  (int) i, c);
		lua_pushboolean(LS, 1);
		lua_rawset(LS, set);
	}
	i = luaL_ref(LS, LUA_REGISTRYINDEX);	/* pops the set */
	lua_pop(LS, 1);				/* the list */
	return (int) i;
}

/*
 * The optional field `applies`: a function (command, environment) -> boolean
 * saying whether check() can have an opinion on a statement of that command
 * in that environment -- for a judgement that depends on those two names
 * alone, such as a change freeze that binds only production.  The engine
 * asks once per command and environment, keeps the answer as long as the
 * policy stays compiled, and for a false answer says "no opinion" without
 * calling check(), as for a command outside `commands`.  The function is not
 * given the change, so its answer cannot depend on anything else.  Leaves
 * the registry reference of {applies, answers by environment}, or LUA_NOREF.
 *
 * stack: module ... -> module ... (unchanged)
 */
static int
read_applies(lua_State *LS, int module)
{
	int			t = lua_getfield(LS, module, "applies");

	if (t == LUA_TNIL)
	{
		lua_pop(LS, 1);
		return LUA_NOREF;
	}
	if (t != LUA_TFUNCTION)
		return luaL_error(LS, "the policy's field 'applies' must be a function (command, environment) "
						  "returning whether check() can have an opinion (got %s)", luaL_typename(LS, -1));
	lua_createtable(LS, 1, 4);	/* module ... fn A */
	lua_insert(LS, -2);			/* module ... A fn */
	lua_rawseti(LS, -2, 1);		/* module ... A */
	return luaL_ref(LS, LUA_REGISTRYINDEX);
}

static int
compile_fn(lua_State *LS)
{
	CompileArgs *a = (CompileArgs *) lua_touserdata(LS, 1);
	char		chunkname[NAMEDATALEN + 2];
	int			module;

	snprintf(chunkname, sizeof(chunkname), "=%s", a->name);
	if (a->bytecode == NULL || !load_bytecode(LS, a, chunkname))
	{
		if (too_many_labels(a->source, a->len))
			return luaL_error(LS, "the policy's source has more than %d labels (::name::), which Lua's parser "
							  "cannot read in bounded time", MAX_CHUNK_LABELS);
		if (luaL_loadbufferx(LS, a->source, a->len, chunkname, "t") != LUA_OK)
			return lua_error(LS);
		dump_chunk(LS, a);
	}
	push_policy_env(LS, a->name);
	lua_setupvalue(LS, -2, 1);
	lua_call(LS, 0, 1);
	if (!lua_istable(LS, -1))
		return luaL_error(LS, "the policy's chunk must return a table {name, description, check, tests}, "
						  "but it returned a %s value", luaL_typename(LS, -1));
	module = lua_gettop(LS);

	lua_getfield(LS, module, "name");
	if (lua_type(LS, -1) != LUA_TSTRING || lua_rawlen(LS, -1) == 0)
		return luaL_error(LS, "the policy's table has no name (a non-empty string field 'name' is required, got %s)",
						  luaL_typename(LS, -1));
	/* the catalog's name (set_policy's argument) is the one reasons carry */
	lua_pop(LS, 1);
	if (lua_getfield(LS, module, "check") != LUA_TFUNCTION)
		return luaL_error(LS, "the policy's field 'check' must be a function (got %s)",
						  luaL_typename(LS, -1));
	a->check_ref = luaL_ref(LS, LUA_REGISTRYINDEX);
	if (lua_getfield(LS, module, "tests") != LUA_TTABLE)
		return luaL_error(LS, "the policy's field 'tests' must be a table of test cases (got %s)",
						  luaL_typename(LS, -1));
	a->ntests = (int) luaL_len(LS, -1);
	if (a->ntests < 1)
		return luaL_error(LS, "the policy's tests table is empty; every policy carries at least one test case");
	lua_pop(LS, 1);
	a->scope_ref = read_scope(LS, module);
	a->applies_ref = read_applies(LS, module);
	if (lua_getfield(LS, module, "description") != LUA_TSTRING ||
		lua_rawlen(LS, -1) == 0)
		return luaL_error(LS, "the policy's field 'description' must be a non-empty string (got %s)",
						  field_type(LS, module, "description"));
	lua_pushvalue(LS, module);
	a->module_ref = luaL_ref(LS, LUA_REGISTRYINDEX);
	return 1;					/* the description */
}

bool
dbc_lua_compile(const char *name, const char *source, DbcLuaPolicy *out, char **err)
{
	CompileArgs a;
	bool		ok;
	uint8		key[DBC_BYTECODE_KEY_BYTES];

	memset(out, 0, sizeof(*out));
	if (!ensure_state(err))
		return false;
	a.name = name;
	a.source = source;
	a.len = strlen(source);
	a.module_ref = a.check_ref = a.scope_ref = a.applies_ref = LUA_NOREF;
	a.ntests = 0;
	a.bytecode = NULL;
	a.bclen = 0;
	if (dbc_bytecode_cache_ready())
	{
		dbc_bytecode_key(name, source, key);
		a.bytecode = dbc_bytecode_lookup(key, &a.bclen);
	}
	a.from_bytecode = false;
	a.want_dump = a.bytecode == NULL && dbc_bytecode_cache_ready();
	a.dump = NULL;
	a.dumplen = a.dumpcap = 0;

	/*
	 * The dump is malloc'd, and run_protected raises a query cancel that
	 * arrived during the compile (its CHECK_FOR_INTERRUPTS, after Lua has
	 * returned), as dbc_bytecode_store may raise an error: free it either way.
	 */
	PG_TRY();
	{
		ok = run_protected(compile_fn, &a, 1, err);
		/* a source that compiled is kept for the next backend; one that failed is not */
		if (ok && a.dump != NULL && a.dumplen > 0)
			dbc_bytecode_store(key, a.dump, a.dumplen);
	}
	PG_FINALLY();
	{
		free(a.dump);
		a.dump = NULL;
	}
	PG_END_TRY();
	/* the copy of the shared bytecode: the caller's context may live as long as the session */
	if (a.bytecode != NULL)
		pfree((void *) a.bytecode);
	if (!ok)
	{
		/* the check function (and the scopes) may have been referenced before the failure */
		if ((a.check_ref != LUA_NOREF || a.scope_ref != LUA_NOREF || a.applies_ref != LUA_NOREF) &&
			!reset_pending)
		{
			int			refs[4] = {LUA_NOREF, a.check_ref, a.scope_ref, a.applies_ref};
			char	   *err2;

			(void) run_protected(unref_fn, refs, 0, &err2);
		}
		return false;
	}
	out->name = pstrdup(name);
	out->description = pstrdup(lua_tostring(L, 2));
	out->module_ref = a.module_ref;
	out->check_ref = a.check_ref;
	out->scope_ref = a.scope_ref;
	out->applies_ref = a.applies_ref;
	out->has_commands = a.scope_ref != LUA_NOREF;
	out->has_applies = a.applies_ref != LUA_NOREF;
	out->ntests = a.ntests;
	out->from_bytecode = a.from_bytecode;
	out->generation = state_generation;
	lua_settop(L, 0);
	return true;
}

static int
unref_fn(lua_State *LS)
{
	int		   *refs = (int *) lua_touserdata(LS, 1);

	luaL_unref(LS, LUA_REGISTRYINDEX, refs[0]);
	luaL_unref(LS, LUA_REGISTRYINDEX, refs[1]);
	luaL_unref(LS, LUA_REGISTRYINDEX, refs[2]);
	luaL_unref(LS, LUA_REGISTRYINDEX, refs[3]);
	return 0;
}

/* Forget a compiled policy (its tables become garbage). */
void
dbc_lua_release(DbcLuaPolicy *p)
{
	int			refs[4] = {p->module_ref, p->check_ref, p->scope_ref, p->applies_ref};
	char	   *err;

	if (L != NULL && p->generation == state_generation)
		(void) run_protected(unref_fn, refs, 0, &err);
	p->module_ref = p->check_ref = p->scope_ref = p->applies_ref = LUA_NOREF;
	p->generation = 0;
}

/* ---------------------------------------------------------------------------
 * Facts: jsonb -> C tree (PostgreSQL side) -> Lua tables (Lua side)
 * ---------------------------------------------------------------------------
 */

typedef enum FactType
{
	FACT_NULL,
	FACT_BOOL,
	FACT_INT,
	FACT_FLOAT,
	FACT_STRING,
	FACT_ARRAY,
	FACT_OBJECT
} FactType;

/*
 * One value of the facts, a member of an object when key is set.  The value
 * fields share storage (the type says which one holds): a change has a
 * couple of hundred of these, made zeroed for every decision.
 */
struct DbcFact
{
	FactType	type;
	int			keylen;
	const char *key;
	union
	{
		int			slen;		/* FACT_STRING: length of s */
		int			n;			/* FACT_ARRAY, FACT_OBJECT: number of items */
	};
	int			depth;			/* FACT_ARRAY, FACT_OBJECT: nesting level */
	union
	{
		bool		b;
		int64		i;
		double		f;
		const char *s;
		DbcFact    *items;		/* NULL: not read yet, see jc */
	};
	const DbcFact *more;		/* an object's further fields (parts, below) */
	const JsonbContainer *jc;	/* a container read when first used (lazy trees) */
};

static void
fact_scalar(JsonbValue *v, DbcFact *f)
{
	switch (v->type)
	{
		case jbvNull:
			f->type = FACT_NULL;
			break;
		case jbvBool:
			f->type = FACT_BOOL;
			f->b = v->val.boolean;
			break;
		case jbvString:
			f->type = FACT_STRING;
			f->s = v->val.string.val;
			f->slen = v->val.string.len;
			break;
		case jbvNumeric:
			{
				Numeric		num = v->val.numeric;
				char	   *txt;
				char	   *end;

				/* most facts are small integers: no text round trip for them */
				if (!numeric_is_nan(num) && !numeric_is_inf(num) &&
					DatumGetInt32(DirectFunctionCall1(numeric_scale, NumericGetDatum(num))) == 0)
				{
					bool		overflow = false;
					int32		i = numeric_int4_opt_error(num, &overflow);

					if (!overflow)
					{
						f->type = FACT_INT;
						f->i = i;
						break;
					}
				}
				txt = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));

				errno = 0;
				if (strpbrk(txt, ".eEnNiI") == NULL)
				{
					f->i = strtoll(txt, &end, 10);
					if (errno == 0 && *end == '\0')
					{
						f->type = FACT_INT;
						break;
					}
				}
				f->type = FACT_FLOAT;
				f->f = strtod(txt, NULL);
				break;
			}
		default:
			f->type = FACT_NULL;
			break;
	}
}

/*
 * Jsonb containers are read into DbcFact nodes from their JEntries
 * directly.  JsonbIterator did the same at five times the cost (a state
 * machine, a palloc'd iterator per level, every value copied into a
 * JsonbValue): it was the largest part of handing a change to Lua.  The
 * layout is jsonb.h's: the children's JEntries (an object's keys first, in
 * key order, then its values in the same order), then their data, each
 * child's end given as a length or, every few children, as an offset;
 * numerics and containers start at the next int-aligned position.  Strings
 * point into the jsonb, which outlives the decision.
 *
 * note_container: a container's type, size and place, not read yet.
 */
static void
note_container(const JsonbContainer *jc, DbcFact *out, int depth)
{
	out->type = JsonContainerIsObject(jc) ? FACT_OBJECT : FACT_ARRAY;
	out->n = (int) JsonContainerSize(jc);
	out->depth = depth;
	out->jc = jc;
	out->items = NULL;
}

static void read_container(DbcFact *out, bool lazy);

/* One value (not a key) of a container, its data at base + offset, ending at end. */
static inline void
read_value(DbcFact *f, JEntry je, const char *base, uint32 offset, uint32 end,
		   int depth, bool lazy)
{
	if (JBE_ISSTRING(je))
	{
		f->type = FACT_STRING;
		f->s = base + offset;
		f->slen = (int) (end - offset);
	}
	else if (JBE_ISBOOL(je))
	{
		f->type = FACT_BOOL;
		f->b = JBE_ISBOOL_TRUE(je);
	}
	else if (JBE_ISNUMERIC(je))
	{
		JsonbValue	v;

		v.type = jbvNumeric;
		v.val.numeric = (Numeric) (base + INTALIGN(offset));
		fact_scalar(&v, f);
	}
	else if (JBE_ISCONTAINER(je))
	{
		note_container((const JsonbContainer *) (base + INTALIGN(offset)), f, depth + 1);
		if (!lazy && f->n > 0)
			read_container(f, false);
	}
	else
		f->type = FACT_NULL;
}

/*
 * Read one container's children into out (whose type and size
 * note_container set).  Nested containers are read now too, or with lazy
 * only noted, to be read when a policy first uses them (fact_ready): a
 * statement's facts carry lists (objects, subcommands, columns, ...) that
 * most policies never open.  out->items is set last, so that an error
 * halfway leaves the container unread rather than half read.  An object's
 * JEntries are its keys, then its values in the same order: two loops.
 */
static void
read_container(DbcFact *out, bool lazy)
{
	const JsonbContainer *jc = out->jc;
	int			count = out->n;
	bool		object = out->type == FACT_OBJECT;
	const JEntry *values = object ? &jc->children[count] : &jc->children[0];
	const char *base = (const char *) &jc->children[object ? 2 * count : count];
	uint32		offset = 0;
	uint32		end;
	int			i;
	DbcFact    *items;

	if (out->depth > MAX_FACT_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("change facts are nested more than %d levels deep", MAX_FACT_DEPTH)));
	items = palloc0(Max(count, 1) * sizeof(DbcFact));
	if (object)
		for (i = 0; i < count; i++)
		{
			end = offset;
			JBE_ADVANCE_OFFSET(end, jc->children[i]);
			items[i].key = base + offset;
			items[i].keylen = (int) (end - offset);
			offset = end;
		}
	for (i = 0; i < count; i++)
	{
		end = offset;
		JBE_ADVANCE_OFFSET(end, values[i]);
		read_value(&items[i], values[i], base, offset, end, out->depth, lazy);
		offset = end;
	}
	out->items = items;
}

static DbcFact *
facts_tree(Jsonb *facts, bool lazy)
{
	DbcFact    *root = palloc0(sizeof(DbcFact));

	if (!JB_ROOT_IS_OBJECT(facts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("change facts must be a JSON object")));
	note_container(&facts->root, root, 0);
	read_container(root, lazy);
	return root;
}

/* A tree read whole: it may be kept (the context tree) or outlive a decision. */
DbcFact *
dbc_lua_facts_tree(Jsonb *facts)
{
	return facts_tree(facts, false);
}

/* Where the lazy tree of the current decision lives: fact_ready reads into it. */
static MemoryContext lazy_tree_cxt = NULL;

/*
 * Read a container a lazy tree has not read yet, from inside a Lua C
 * function: a PostgreSQL error on the way (out of memory) is caught and
 * raised as a Lua error, never thrown across Lua's frames.  Only a decision's
 * own tree is lazy, and it is read only while facts_serial says the decision
 * is running, so lazy_tree_cxt is the memory it lives in.
 */
static void
fact_ready(lua_State *LS, const DbcFact *cf)
{
	DbcFact    *f = unconstify(DbcFact *, cf);
	MemoryContext old;
	volatile bool failed = false;

	if (f->items != NULL || f->n == 0 || f->jc == NULL)
		return;
	old = MemoryContextSwitchTo(lazy_tree_cxt);
	PG_TRY();
	{
		read_container(f, true);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(old);
		FlushErrorState();
		failed = true;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
	if (failed)
		luaL_error(LS, "could not read the change's facts (out of memory?)");
}

/*
 * The gate's change comes in parts (facts.c: the statement facts it stores,
 * the rest of the context, the text).  They are chained, not merged: the
 * root is the statement's object, its `more` the kept context's fields, and
 * theirs the statement text; find_child and materialize_all read the parts
 * in that order, so a key in two parts is the earlier part's.  Merging them
 * into one sorted array cost every decision a copy of some eighty fields;
 * the chain costs a lookup that misses the first part one more binary
 * search.  Nested values are shared, not copied; the kept context tree is
 * never changed (it is wrapped).
 */
DbcFact *
dbc_lua_facts_tree_parts(Jsonb *facts, const DbcFact *more, const char *statement)
{
	DbcFact    *root = facts_tree(facts, true);
	DbcFact    *context = palloc0(sizeof(DbcFact));

	lazy_tree_cxt = CurrentMemoryContext;

	context->type = FACT_OBJECT;
	context->n = more->n;
	context->items = more->items;
	root->more = context;
	if (statement)
	{
		DbcFact    *text = palloc0(sizeof(DbcFact));
		DbcFact    *st = palloc0(sizeof(DbcFact));

		st->type = FACT_STRING;
		st->key = "statement";
		st->keylen = 9;
		st->s = statement;
		st->slen = (int) strlen(statement);
		text->type = FACT_OBJECT;
		text->n = 1;
		text->items = st;
		context->more = text;
	}
	return root;
}

static void push_object_lazy(lua_State *LS, const DbcFact *f);

/*
 * Objects with at least this many fields are handed to policies lazily when
 * frozen: each field is made a Lua value when a policy first reads it.  A
 * column has fourteen fields and a policy typically reads three or four;
 * pushing a field (its key interned, its value, the table insert) costs
 * about as much as the loader's call, so small objects stay eager.
 */
#define LAZY_OBJECT_MIN 8

/*
 * Only a decision's change is lazy (dbc_lua_decide: its tree lives until the
 * decision ends, and facts_serial guards a change kept past it); the change
 * evaluate() and policy tests set up is built whole.
 */
static bool lazy_objects = false;

/* Push a fact as Lua values (inside Lua).  Nulls are left out. */
static void
push_fact(lua_State *LS, const DbcFact *f, bool freeze)
{
	int			i;
	int			j = 0;

	switch (f->type)
	{
		case FACT_NULL:
			lua_pushnil(LS);
			break;
		case FACT_BOOL:
			lua_pushboolean(LS, f->b);
			break;
		case FACT_INT:
			lua_pushinteger(LS, (lua_Integer) f->i);
			break;
		case FACT_FLOAT:
			lua_pushnumber(LS, (lua_Number) f->f);
			break;
		case FACT_STRING:
			lua_pushlstring(LS, f->s, f->slen);
			break;
		case FACT_ARRAY:
		case FACT_OBJECT:
			/* empty arrays are common (typmods, inherits, ...): share one, it is read-only */
			if (freeze && f->n == 0)
			{
				lua_rawgeti(LS, LUA_REGISTRYINDEX, empty_ref);
				break;
			}
			if (freeze && lazy_objects && f->type == FACT_OBJECT && f->n >= LAZY_OBJECT_MIN)
			{
				push_object_lazy(LS, f);
				break;
			}
			/* only a decision's root comes in parts, and it is lazy */
			Assert(f->more == NULL);
			fact_ready(LS, f);
			luaL_checkstack(LS, 4, "change facts nested too deeply");
			if (f->type == FACT_ARRAY)
				lua_createtable(LS, f->n, 0);
			else
				lua_createtable(LS, 0, f->n);
			for (i = 0; i < f->n; i++)
			{
				const DbcFact *c = &f->items[i];

				if (c->type == FACT_NULL)
					continue;
				if (f->type == FACT_OBJECT)
					lua_pushlstring(LS, c->key, c->keylen);
				push_fact(LS, c, freeze);
				if (f->type == FACT_OBJECT)
					lua_rawset(LS, -3);
				else
					lua_rawseti(LS, -2, ++j);
			}
			if (freeze)
				make_readonly(LS, f->type == FACT_ARRAY);
			break;
	}
}

/*
 * The change a decision hands to the policies is built lazily: each fact,
 * scalar or nested (columns, constraints, roles, time, ...), on first
 * access, then kept.  Most statements need few of them, and
 * building Lua tables is most of an evaluation's cost.  The loader reads
 * the C tree of the current decision only: facts_serial tells a change
 * kept from an earlier decision (whose tree is gone) from the current one.
 */
static lua_Integer facts_serial = 0;

/*
 * The child of an object (one part of it) by key.  A facts tree is read
 * from a jsonb object, whose keys are in jsonb's order (shorter first, then
 * bytewise), so the search is binary.
 */
static const DbcFact *
find_in_part(const DbcFact *node, const char *key, size_t len)
{
	int			lo = 0;
	int			hi = node->n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		const DbcFact *c = &node->items[mid];
		int			cmp;

		if ((size_t) c->keylen != len)
			cmp = (size_t) c->keylen < len ? -1 : 1;
		else
			cmp = memcmp(c->key, key, len);
		if (cmp == 0)
			return c;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

/* The child of an object by key, in the first of its parts that has it. */
static const DbcFact *
find_child(const DbcFact *node, const char *key, size_t len)
{
	for (; node != NULL; node = node->more)
	{
		const DbcFact *c = find_in_part(node, key, len);

		if (c != NULL)
			return c;
	}
	return NULL;
}

/* __index of the real table of a lazily built change. */
static int
lazy_index(lua_State *LS)
{
	const DbcFact *node = (const DbcFact *) lua_touserdata(LS, lua_upvalueindex(1));
	const DbcFact *c;
	const char *key;
	size_t		len;

	if (lua_tointeger(LS, lua_upvalueindex(2)) != facts_serial)
		return luaL_error(LS, "these change facts belong to an earlier statement and are gone "
						  "(keep the values you need, not the change table)");
	if (lua_type(LS, 2) != LUA_TSTRING)
		return 0;
	key = lua_tolstring(LS, 2, &len);
	fact_ready(LS, node);
	c = find_child(node, key, len);
	if (c == NULL || c->type == FACT_NULL)
		return 0;
	push_fact(LS, c, true);
	lua_pushvalue(LS, 2);
	lua_pushvalue(LS, -2);
	lua_rawset(LS, 1);
	return 1;
}

/* Build every nested fact of a lazy real table (before a traversal). */
static void
materialize_all(lua_State *LS, int real)
{
	const DbcFact *node;
	const DbcFact *part;
	int			i;

	real = lua_absindex(LS, real);
	if (!lua_getmetatable(LS, real))
		return;
	lua_pushliteral(LS, "__index");
	if (lua_rawget(LS, -2) != LUA_TFUNCTION || lua_tocfunction(LS, -1) != lazy_index)
	{
		lua_pop(LS, 2);
		return;
	}
	lua_getupvalue(LS, -1, 2);
	if (lua_tointeger(LS, -1) != facts_serial)
		luaL_error(LS, "these change facts belong to an earlier statement and are gone "
				   "(keep the values you need, not the change table)");
	lua_getupvalue(LS, -2, 1);
	node = (const DbcFact *) lua_touserdata(LS, -1);
	lua_pop(LS, 4);
	fact_ready(LS, node);
	luaL_checkstack(LS, 4, "facts nested too deeply");
	for (part = node; part != NULL; part = part->more)
		for (i = 0; i < part->n; i++)
		{
			const DbcFact *c = &part->items[i];

			/* a key an earlier part has (null there, too) is that part's */
			if (c->type == FACT_NULL ||
				(part != node && find_child(node, c->key, c->keylen) != c))
				continue;
			lua_pushlstring(LS, c->key, c->keylen);
			if (lua_rawget(LS, real) == LUA_TNIL)
			{
				lua_pushlstring(LS, c->key, c->keylen);
				push_fact(LS, c, true);
				lua_rawset(LS, real);
			}
			lua_pop(LS, 1);
		}
	/* complete now: no loader needed any more */
	lua_pushnil(LS);
	lua_setmetatable(LS, real);
}

/* Give the table on top a loader of the fields of f it does not hold yet. */
static void
set_loader(lua_State *LS, const DbcFact *f)
{
	/* stack: real */
	lua_createtable(LS, 0, 1);	/* real mt */
	lua_rawgeti(LS, LUA_REGISTRYINDEX, kit_ref);	/* real mt kit */
	lua_rawgeti(LS, -1, KIT_INDEX); /* real mt kit "__index" */
	lua_replace(LS, -2);		/* real mt "__index" */
	lua_pushlightuserdata(LS, (void *) f);
	lua_pushinteger(LS, facts_serial);
	lua_pushcclosure(LS, lazy_index, 2);	/* real mt "__index" loader */
	lua_rawset(LS, -3);			/* real mt */
	lua_setmetatable(LS, -2);	/* real */
}

/*
 * Push the (read-only) change for a decision, or a nested object, with
 * every field made on first use.  A change has thirty-odd scalar facts and
 * the stock library reads about half of them for a statement: pushing all
 * of them up front (each key interned, each value, each table insert) was
 * a fifth of an evaluation, while the loader reuses the key the policy
 * already holds.
 */
static void
push_object_lazy(lua_State *LS, const DbcFact *f)
{
	luaL_checkstack(LS, 6, "facts nested too deeply");
	lua_createtable(LS, 0, f->n);
	set_loader(LS, f);
	make_readonly(LS, false);
}

/*
 * The change's fields that (nearly) every policy reads for every statement:
 * the stock library reads each of these, and only these, on all of the
 * bench's statements.  Made up front, each costs a key lookup and a table
 * insert; made on first read, it also costs the metamethod's call into C
 * (lazy_index), about as much again.  Only scalars: a nested table is still
 * made when first read.
 */
static const struct
{
	const char *key;
	size_t		len;
}			hot_fields[] =
{
#define HOT(k) {k, sizeof(k) - 1}
	HOT("command"), HOT("environment"), HOT("source"), HOT("dialect"),
	HOT("object_type"), HOT("schema"), HOT("name"), HOT("identity"), HOT("table"),
	HOT("single_object"), HOT("concurrently"), HOT("nontransactional"),
#undef HOT
};

/*
 * The hot fields' names, made into Lua strings once per state: pushing a
 * string hashes it and looks it up among all of the state's strings, and
 * these twelve are the same for every decision.
 */
static void
build_hot_keys(lua_State *LS)
{
	int			i;

	lua_createtable(LS, lengthof(hot_fields), 0);
	for (i = 0; i < lengthof(hot_fields); i++)
	{
		lua_pushlstring(LS, hot_fields[i].key, hot_fields[i].len);
		lua_rawseti(LS, -2, i + 1);
	}
	hot_keys_ref = luaL_ref(LS, LUA_REGISTRYINDEX);
}

/*
 * Hot field i of a decision's root.  The classifier writes the same keys
 * statement after statement, so where the field was in the first part last
 * time is tried first; a field in a later part is searched for as
 * find_child() does (an earlier part might hold it this time).
 */
static const DbcFact *
find_hot(const DbcFact *root, int i)
{
	static int	last_pos[lengthof(hot_fields)];
	const char *key = hot_fields[i].key;
	size_t		len = hot_fields[i].len;
	const DbcFact *c;
	int			pos = last_pos[i];

	if (pos < root->n)
	{
		c = &root->items[pos];
		if ((size_t) c->keylen == len && memcmp(c->key, key, len) == 0)
			return c;
	}
	c = find_in_part(root, key, len);
	if (c != NULL)
	{
		last_pos[i] = (int) (c - root->items);
		return c;
	}
	return root->more ? find_child(root->more, key, len) : NULL;
}

/* Push a decision's (read-only) change: the hot fields made, the rest lazy. */
static void
push_change(lua_State *LS, const DbcFact *f)
{
	int			i;

	luaL_checkstack(LS, 8, "facts nested too deeply");
	lua_createtable(LS, 0, f->n);	/* real */
	lua_rawgeti(LS, LUA_REGISTRYINDEX, hot_keys_ref);	/* real keys */
	for (i = 0; i < lengthof(hot_fields); i++)
	{
		const DbcFact *c = find_hot(f, i);

		if (c == NULL || c->type == FACT_NULL || c->type == FACT_ARRAY || c->type == FACT_OBJECT)
			continue;
		lua_rawgeti(LS, -1, i + 1);	/* real keys key */
		push_fact(LS, c, true);	/* real keys key value */
		lua_rawset(LS, -4);		/* real keys */
	}
	lua_pop(LS, 1);				/* real */
	set_loader(LS, f);
	make_readonly(LS, false);
}

/* Copy the value on top (tables deeply, unfrozen), replacing it. */
static void
deep_copy(lua_State *LS, int depth)
{
	int			src;

	if (lua_type(LS, -1) != LUA_TTABLE)
		return;
	if (depth > MAX_FACT_DEPTH)
		luaL_error(LS, "a test's facts are nested more than %d levels deep (a cycle?)", MAX_FACT_DEPTH);
	luaL_checkstack(LS, 4, "facts nested too deeply");
	src = lua_gettop(LS);
	lua_newtable(LS);
	lua_pushnil(LS);
	while (lua_next(LS, src))
	{
		deep_copy(LS, depth + 1);
		lua_pushvalue(LS, -2);
		lua_insert(LS, -2);
		lua_rawset(LS, -4);
	}
	lua_replace(LS, src);
}

/*
 * Overlay table src onto table dst (both absolute indices): object-like
 * tables merge key by key, anything else (sequences, scalars) replaces.
 */
static void
merge_facts(lua_State *LS, int dst, int src, int depth)
{
	if (depth > MAX_FACT_DEPTH)
		luaL_error(LS, "a test's facts are nested more than %d levels deep (a cycle?)", MAX_FACT_DEPTH);
	luaL_checkstack(LS, 6, "facts nested too deeply");
	lua_pushnil(LS);
	while (lua_next(LS, src))
	{
		int			val = lua_gettop(LS);
		bool		merged = false;

		if (lua_type(LS, val) == LUA_TTABLE && lua_rawgeti(LS, val, 1) == LUA_TNIL)
		{
			lua_pop(LS, 1);
			lua_pushvalue(LS, val - 1);
			if (lua_rawget(LS, dst) == LUA_TTABLE)
			{
				merge_facts(LS, lua_gettop(LS), val, depth + 1);
				merged = true;
			}
			lua_pop(LS, 1);
		}
		else if (lua_type(LS, val) == LUA_TTABLE)
			lua_pop(LS, 1);
		if (!merged)
		{
			lua_pushvalue(LS, val - 1);
			lua_pushvalue(LS, val);
			deep_copy(LS, depth + 1);
			lua_rawset(LS, dst);
		}
		lua_pop(LS, 1);
	}
}

/* Freeze the (unfrozen) table on top and everything in it. */
static void
freeze_deep(lua_State *LS, int depth)
{
	int			t = lua_gettop(LS);

	luaL_checkstack(LS, 4, "facts nested too deeply");
	if (depth > MAX_FACT_DEPTH)
		luaL_error(LS, "facts nested too deeply");
	lua_pushnil(LS);
	while (lua_next(LS, t))
	{
		if (lua_type(LS, -1) == LUA_TTABLE)
		{
			freeze_deep(LS, depth + 1);
			lua_pushvalue(LS, -2);
			lua_insert(LS, -2);
			lua_rawset(LS, t);	/* assigning an existing field during next is allowed */
		}
		else
			lua_pop(LS, 1);
	}
	make_readonly(LS, true);
}

typedef struct ChangeArgs
{
	DbcFact    *facts;
	const DbcLuaPolicy *policy;
	int			test_no;
} ChangeArgs;

/* Push tests[test_no] of policy p (inside Lua). */
static void
push_test(lua_State *LS, const DbcLuaPolicy *p, int test_no)
{
	lua_rawgeti(LS, LUA_REGISTRYINDEX, p->module_ref);
	lua_getfield(LS, -1, "tests");
	lua_geti(LS, -1, test_no);
	lua_replace(LS, -3);
	lua_pop(LS, 1);
}

static int
set_change_fn(lua_State *LS)
{
	ChangeArgs *a = (ChangeArgs *) lua_touserdata(LS, 1);

	/* a decision ended by a PostgreSQL error (a cancel) may not have cleared it */
	lazy_objects = false;
	if (a->test_no <= 0)
		push_fact(LS, a->facts, true);
	else
	{
		int			real;

		push_fact(LS, a->facts, false);
		real = lua_gettop(LS);
		push_test(LS, a->policy, a->test_no);
		if (lua_istable(LS, -1) && lua_getfield(LS, -1, "facts") == LUA_TTABLE)
			merge_facts(LS, real, lua_gettop(LS), 0);
		lua_settop(LS, real);
		freeze_deep(LS, 0);
	}
	lua_rawseti(LS, LUA_REGISTRYINDEX, change_ref);
	return 0;
}

bool
dbc_lua_set_change(DbcFact *facts, const DbcLuaPolicy *p, int test_no, char **err)
{
	ChangeArgs	a;

	if (!ensure_state(err))
		return false;
	a.facts = facts;
	a.policy = p;
	a.test_no = test_no;
	facts_serial++;
	return run_protected(set_change_fn, &a, 0, err);
}

/* ---------------------------------------------------------------------------
 * Running check() and reading tests
 * ---------------------------------------------------------------------------
 */

static const char *const action_words[] = {"approve", "queue", "reject", NULL};
static const char *const risk_words[] = {"low", "moderate", "high", "critical", NULL};

static bool
word_in(const char *w, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(w, *words) == 0)
			return true;
	return false;
}

/* Check that field `name` of table idx is nil or one of words; push it. */
static void
push_word_field(lua_State *LS, int idx, const char *what, const char *name,
				const char *const *words, bool required, const char *allowed)
{
	int			t = lua_getfield(LS, idx, name);

	if (t == LUA_TNIL && !required)
		return;
	if (t != LUA_TSTRING || !word_in(lua_tostring(LS, -1), words))
		luaL_error(LS, "%s: '%s' must be %s (got %s%s%s)", what, name, allowed,
				   t == LUA_TSTRING ? "\"" : "a ",
				   t == LUA_TSTRING ? lua_tostring(LS, -1) : luaL_typename(LS, -1),
				   t == LUA_TSTRING ? "\"" : " value");
}

/* Push "no opinion": the four values of a check() that returned nothing. */
static void
push_no_opinion(lua_State *LS)
{
	lua_pushnil(LS);
	lua_pushnil(LS);
	lua_pushnil(LS);
	lua_pushnil(LS);
}

/*
 * Does policy p's `applies` let check() see a statement of this command in
 * this environment (stack indexes)?  The answer is asked once and kept in
 * the policy's table of answers, for at most MAX_APPLIES_ENVIRONMENTS
 * environments: evaluate() takes any name, and a session trying thousands
 * must not grow the table without end (past that, each is asked again).
 * Without a command or environment name there is nothing to key the answer
 * on, and check() judges.  Errors of applies() are raised.
 *
 * stack: ... -> ... (unchanged)
 */
#define MAX_APPLIES_ENVIRONMENTS 32

static bool
policy_applies(lua_State *LS, const DbcLuaPolicy *p, int command, int env)
{
	bool		yes;
	bool		keep = true;

	if (lua_type(LS, command) != LUA_TSTRING || lua_type(LS, env) != LUA_TSTRING)
		return true;
	lua_rawgeti(LS, LUA_REGISTRYINDEX, p->applies_ref);	/* A */
	lua_pushvalue(LS, env);
	if (lua_rawget(LS, -2) != LUA_TTABLE)	/* A answers|nil */
	{
		lua_Integer n;

		lua_pop(LS, 1);			/* A */
		lua_rawgeti(LS, -1, 2);	/* A count|nil: environments kept */
		n = lua_tointeger(LS, -1);
		lua_pop(LS, 1);			/* A */
		lua_createtable(LS, 0, 8);	/* A answers */
		keep = n < MAX_APPLIES_ENVIRONMENTS;
		if (keep)
		{
			lua_pushinteger(LS, n + 1);
			lua_rawseti(LS, -3, 2);
			lua_pushvalue(LS, env);
			lua_pushvalue(LS, -2);
			lua_rawset(LS, -4);
		}
	}
	lua_pushvalue(LS, command);
	if (lua_rawget(LS, -2) != LUA_TNIL)	/* A answers answer */
		yes = lua_toboolean(LS, -1);
	else
	{
		lua_pop(LS, 1);			/* A answers */
		lua_rawgeti(LS, -2, 1);	/* A answers applies */
		lua_pushvalue(LS, command);
		lua_pushvalue(LS, env);
		if (lua_pcall(LS, 2, 1, 0) != LUA_OK)	/* A answers answer|error */
		{
			/* say which function failed; other error objects go on as they are */
			if (lua_type(LS, -1) == LUA_TSTRING)
			{
				lua_pushfstring(LS, "%s%s", APPLIES_ERROR_PREFIX, lua_tostring(LS, -1));
				lua_remove(LS, -2);
			}
			lua_error(LS);
		}
		yes = lua_toboolean(LS, -1);
		if (keep)
		{
			lua_pushvalue(LS, command);
			lua_pushboolean(LS, yes);
			lua_rawset(LS, -4);
		}
	}
	lua_pop(LS, 3);
	return yes;
}

/*
 * Call check(change) of policy p, with the change at stack index change and
 * its command and environment (strings, or nil) at stack indexes command
 * and env; leave its decision as four values (action, risk, reason, flow:
 * strings or nil).  A policy that lists its commands is not called for any
 * other statement, nor one whose applies() said no.  Errors of check(),
 * applies() and invalid decisions are raised.
 */
static void
check_one(lua_State *LS, const DbcLuaPolicy *p, int change, int command, int env)
{
	int			d;
	int			t;

	if (p->scope_ref != LUA_NOREF)
	{
		bool		in_scope = false;

		lua_rawgeti(LS, LUA_REGISTRYINDEX, p->scope_ref);	/* scope */
		if (lua_type(LS, command) == LUA_TSTRING)
		{
			lua_pushvalue(LS, command);
			in_scope = lua_rawget(LS, -2) != LUA_TNIL;	/* scope in? */
			lua_pop(LS, 1);
		}
		lua_pop(LS, 1);
		if (!in_scope)
		{
			push_no_opinion(LS);
			return;
		}
	}
	if (p->applies_ref != LUA_NOREF && !policy_applies(LS, p, command, env))
	{
		push_no_opinion(LS);
		return;
	}
	lua_rawgeti(LS, LUA_REGISTRYINDEX, p->check_ref);
	lua_pushvalue(LS, change);
	lua_call(LS, 1, 1);
	d = lua_gettop(LS);
	if (lua_isnil(LS, d) || (lua_isboolean(LS, d) && !lua_toboolean(LS, d)))
	{
		lua_settop(LS, d - 1);
		push_no_opinion(LS);
		return;
	}
	if (!lua_istable(LS, d))
		luaL_error(LS, "check() must return nothing or a decision table {action, risk, reason}, not a %s value",
				   luaL_typename(LS, d));
	push_word_field(LS, d, "check() returned an invalid decision", "action", action_words, true,
					"\"approve\", \"queue\" or \"reject\"");
	push_word_field(LS, d, "check() returned an invalid decision", "risk", risk_words, false,
					"\"low\", \"moderate\", \"high\" or \"critical\"");
	t = lua_getfield(LS, d, "reason");
	if (t == LUA_TNUMBER)
		lua_tostring(LS, -1);
	else if (t != LUA_TNIL && t != LUA_TSTRING)
		luaL_error(LS, "check() returned an invalid decision: 'reason' must be a string (got a %s value)",
				   luaL_typename(LS, -1));
	t = lua_getfield(LS, d, "flow");
	if (t != LUA_TNIL && (t != LUA_TSTRING || lua_rawlen(LS, -1) == 0 || lua_rawlen(LS, -1) >= NAMEDATALEN))
		luaL_error(LS, "check() returned an invalid decision: 'flow' must be the name of an approval flow");
	lua_remove(LS, d);
}

static int
check_fn(lua_State *LS)
{
	const DbcLuaPolicy *p = (const DbcLuaPolicy *) lua_touserdata(LS, 1);
	int			change;

	lua_rawgeti(LS, LUA_REGISTRYINDEX, change_ref);	/* change */
	change = lua_gettop(LS);
	lua_getfield(LS, change, "command");	/* change command */
	lua_getfield(LS, change, "environment");	/* change command environment */
	check_one(LS, p, change, change + 1, change + 2);
	return 4;
}

typedef struct DecideArgs
{
	DbcFact    *facts;
	const DbcLuaPolicy *const *policies;
	int			n;
	int			failed;			/* out: the policy that failed, or -1 */
} DecideArgs;

/*
 * Every policy over one change, in one protected call: the change is built
 * once, each check() gets a budget of its own, the first error ends the
 * decision (fail closed) and `failed` names the policy.
 */
static int
decide_fn(lua_State *LS)
{
	DecideArgs *a = (DecideArgs *) lua_touserdata(LS, 1);
	int			change;
	int			i;

	luaL_checkstack(LS, 4 * a->n + 8, "too many policies");
	a->failed = -1;
	push_change(LS, a->facts);
	change = lua_gettop(LS);
	lua_getfield(LS, change, "command");	/* change command */
	/* the environment is read only if a policy has applies() to ask */
	for (i = 0; i < a->n && a->policies[i]->applies_ref == LUA_NOREF; i++)
		;
	if (i < a->n)
		lua_getfield(LS, change, "environment");	/* change command environment */
	else
		lua_pushnil(LS);		/* change command nil */
	for (i = 0; i < a->n; i++)
	{
		a->failed = i;
		instr_used = 0;
		check_one(LS, a->policies[i], change, change + 1, change + 2);
	}
	a->failed = -1;
	return 4 * a->n;
}

static char *
stack_string(int idx)
{
	size_t		len;
	const char *s;

	if (lua_type(L, idx) != LUA_TSTRING)
		return NULL;
	s = lua_tolstring(L, idx, &len);
	return pnstrdup(s, len);
}

/*
 * Turn the four values at stack index idx.. into a verdict (the strings are
 * known-good: check_one validated them).  The reason is copied with the
 * policy's name in front when name is given.
 */
/* "<name>: <reason>", put together by hand: a verdict on every statement, and psprintf is slow */
static char *
name_prefixed(const char *name, const char *reason, size_t len)
{
	size_t		nlen = strlen(name);
	char	   *out = palloc(nlen + 2 + len + 1);

	memcpy(out, name, nlen);
	memcpy(out + nlen, ": ", 2);
	memcpy(out + nlen + 2, reason, len);
	out[nlen + 2 + len] = '\0';
	return out;
}

static void
read_verdict(int idx, const char *name, DbcLuaVerdict *v)
{
	const char *action;
	size_t		len;

	memset(v, 0, sizeof(*v));
	if (lua_type(L, idx) != LUA_TSTRING)
		return;
	action = lua_tostring(L, idx);
	v->opinion = true;
	v->action = action[0] == 'r' ? DBC_REJECT : action[0] == 'q' ? DBC_QUEUE : DBC_APPROVE;
	v->risk = DBC_RISK_NONE;
	if (lua_type(L, idx + 1) == LUA_TSTRING)
	{
		const char *r = lua_tostring(L, idx + 1);

		v->risk = r[0] == 'l' ? DBC_RISK_LOW : r[0] == 'm' ? DBC_RISK_MODERATE :
			r[0] == 'h' ? DBC_RISK_HIGH : DBC_RISK_CRITICAL;
	}
	if (lua_type(L, idx + 2) == LUA_TSTRING && lua_rawlen(L, idx + 2) > 0)
	{
		const char *reason = lua_tolstring(L, idx + 2, &len);

		v->reason = name ? name_prefixed(name, reason, len) : pnstrdup(reason, len);
	}
	else
		v->reason = name ? psprintf("%s: %s (no reason given)", name, action) :
			psprintf("%s (no reason given)", action);
	v->flow = stack_string(idx + 3);
}

bool
dbc_lua_check(const DbcLuaPolicy *p, DbcLuaVerdict *v, char **err)
{
	memset(v, 0, sizeof(*v));
	if (L == NULL || p->generation != state_generation)
	{
		*err = pstrdup("the policy was compiled in a Lua state that no longer exists");
		return false;
	}
	if (!run_protected(check_fn, (void *) p, 4, err))
		return false;
	read_verdict(2, NULL, v);
	lua_settop(L, 0);
	return true;
}

bool
dbc_lua_decide(DbcFact *facts, const DbcLuaPolicy *const *policies, int n,
			   DbcLuaVerdict *verdicts, int *failed, char **err)
{
	DecideArgs	a;
	int			i;
	bool		ok;

	*failed = -1;
	for (i = 0; i < n; i++)
		if (L == NULL || policies[i]->generation != state_generation)
		{
			*failed = i;
			*err = pstrdup("the policy was compiled in a Lua state that no longer exists");
			return false;
		}
	a.facts = facts;
	a.policies = policies;
	a.n = n;
	a.failed = -1;
	facts_serial++;
	lazy_objects = true;
	ok = run_protected(decide_fn, &a, 4 * n, err);
	lazy_objects = false;
	/* the tree goes away with the caller's memory: a kept change must not reach it */
	facts_serial++;
	if (!ok)
	{
		*failed = a.failed;
		return false;
	}
	for (i = 0; i < n; i++)
		read_verdict(2 + 4 * i, policies[i]->name, &verdicts[i]);
	lua_settop(L, 0);
	return true;
}

static const char *const expect_words[] = {"approve", "queue", "reject", "none", NULL};

/*
 * The fields a test case may have.  A misspelt one ("enviroment") used to be
 * ignored, and the test then ran in the database's own environment: it could
 * pass without testing what its author meant, so an unknown field is refused.
 */
static const char *const test_fields[] = {"sql", "environment", "expect", "risk", "name", "facts", NULL};

/* Raise an error for any field of the test case at entry not in test_fields. */
static void
check_test_fields(lua_State *LS, int entry, const char *what)
{
	lua_pushnil(LS);			/* nil */
	while (lua_next(LS, entry) != 0)	/* key value */
	{
		const char *const *f;

		lua_pop(LS, 1);			/* key */
		if (lua_type(LS, -1) != LUA_TSTRING)
			luaL_error(LS, "%s has a %s key; its fields are sql, environment, expect, risk, name and facts",
					   what, luaL_typename(LS, -1));
		for (f = test_fields; *f != NULL; f++)
			if (strcmp(*f, lua_tostring(LS, -1)) == 0)
				break;
		if (*f == NULL)
			luaL_error(LS, "%s has an unknown field '%s'; its fields are sql, environment, expect, risk, name and facts",
					   what, lua_tostring(LS, -1));
	}
}

static int
get_test_fn(lua_State *LS)
{
	ChangeArgs *a = (ChangeArgs *) lua_touserdata(LS, 1);
	char		what[64];
	int			t;
	int			entry;

	snprintf(what, sizeof(what), "the test case");
	push_test(LS, a->policy, a->test_no);
	if (!lua_istable(LS, -1))
		return luaL_error(LS, "%s is not a table {sql = ..., environment = ..., expect = ...} (it is a %s value)",
						  what, luaL_typename(LS, -1));
	entry = lua_gettop(LS);
	check_test_fields(LS, entry, what);
	if (lua_getfield(LS, entry, "sql") != LUA_TSTRING || lua_rawlen(LS, -1) == 0)
		return luaL_error(LS, "%s: 'sql' must be a non-empty string of SQL", what);
	t = lua_getfield(LS, entry, "environment");
	if (t != LUA_TNIL && (t != LUA_TSTRING || !dbc_environment_name_ok(lua_tostring(LS, -1))))
		return luaL_error(LS, "%s: 'environment' must be an environment name (1 to 63 lower-case letters, "
						  "digits, \"_\" or \"-\", starting with a letter), as evaluate() takes", what);
	push_word_field(LS, entry, what, "expect", expect_words, true,
					"\"approve\", \"queue\", \"reject\" or \"none\"");
	push_word_field(LS, entry, what, "risk", risk_words, false,
					"\"low\", \"moderate\", \"high\" or \"critical\"");
	t = lua_getfield(LS, entry, "name");
	if (t != LUA_TNIL && t != LUA_TSTRING)
		return luaL_error(LS, "%s: 'name' must be a string", what);
	t = lua_getfield(LS, entry, "facts");
	if (t != LUA_TNIL && t != LUA_TTABLE)
		return luaL_error(LS, "%s: 'facts' must be a table of fact overrides", what);
	lua_pop(LS, 1);
	return 5;
}

bool
dbc_lua_get_test(const DbcLuaPolicy *p, int test_no, DbcLuaTest *t, char **err)
{
	ChangeArgs	a;

	memset(t, 0, sizeof(*t));
	t->no = test_no;
	if (L == NULL || p->generation != state_generation)
	{
		*err = pstrdup("the policy was compiled in a Lua state that no longer exists");
		return false;
	}
	a.facts = NULL;
	a.policy = p;
	a.test_no = test_no;
	if (!run_protected(get_test_fn, &a, 5, err))
		return false;
	t->sql = stack_string(2);
	t->environment = stack_string(3);
	t->expect = stack_string(4);
	t->risk = stack_string(5);
	t->name = stack_string(6);
	lua_settop(L, 0);
	return true;
}

/* ---------------------------------------------------------------------------
 * log() lines
 * ---------------------------------------------------------------------------
 */

static int
take_log_fn(lua_State *LS)
{
	int			n;
	int			i;

	lua_rawgeti(LS, LUA_REGISTRYINDEX, log_ref);
	n = (int) lua_rawlen(LS, -1);
	luaL_checkstack(LS, n + 1, "too many log lines");
	for (i = 1; i <= n; i++)
		lua_rawgeti(LS, 2, i);
	lua_newtable(LS);
	lua_rawseti(LS, LUA_REGISTRYINDEX, log_ref);
	lua_remove(LS, 2);
	return n;
}

List *
dbc_lua_take_log(void)
{
	List	   *lines = NIL;
	char	   *err;
	int			i;
	int			top;

	if (L == NULL)
		return NIL;
	lua_settop(L, 0);
	lua_rawgeti(L, LUA_REGISTRYINDEX, log_ref);
	top = (int) lua_rawlen(L, -1);
	lua_pop(L, 1);
	if (top == 0)
		return NIL;
	if (!run_protected(take_log_fn, NULL, LUA_MULTRET, &err))
		return NIL;
	top = lua_gettop(L);
	for (i = 2; i <= top; i++)
	{
		char	   *s = stack_string(i);

		if (s)
			lines = lappend(lines, s);
	}
	lua_settop(L, 0);
	return lines;
}
