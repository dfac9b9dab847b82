/*
 * lua_match_diff.c -- extension/lua_match.c against Lua 5.4's own string
 * library, in one process: state R has the real string.find/match/gmatch/
 * gsub, state M the counted ones.  The same Lua harness runs every case in
 * both and the printed results (values, or the error message) must be equal.
 * Then the point of the counted matcher: a pattern that backtracks for ever
 * is stopped by its charge function, in every one of the four functions.
 *
 * Built and run by lua_match.sh; prints TAP-like lines and a summary
 * "# lua_match: N passed, N failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "lua_match.h"

static const char *harness =
"local function ser(...)\n"
"  local t = table.pack(...)\n"
"  local out = {}\n"
"  for i = 1, t.n do out[#out + 1] = type(t[i]) .. ':' .. tostring(t[i]) end\n"
"  return table.concat(out, '|')\n"
"end\n"
"local find, match, gmatch, gsub = string.find, string.match, string.gmatch, string.gsub\n"
"function run(op, s, p, a, b)\n"
"  if op == 'find' then return ser(pcall(find, s, p, a, b))\n"
"  elseif op == 'match' then return ser(pcall(match, s, p, a))\n"
"  elseif op == 'gmatch' then\n"
"    return ser(pcall(function()\n"
"      local r, n = {}, 0\n"
"      for x, y in gmatch(s, p, a) do\n"
"        n = n + 1; r[#r + 1] = tostring(x) .. ',' .. tostring(y)\n"
"        if n > 40 then break end\n"
"      end\n"
"      return table.concat(r, ';')\n"
"    end))\n"
"  elseif op == 'gsub' then\n"
"    local repl = a\n"
"    if a == 'FN' then\n"
"      repl = function(x, y) if x == 'a' then return nil end\n"
"        return '<' .. tostring(x) .. (y ~= nil and (',' .. tostring(y)) or '') .. '>' end\n"
"    elseif a == 'TB' then repl = { a = 'A', b = false, ab = 7 }\n"
"    elseif a == 'BAD' then repl = function() return {} end\n"
"    elseif a == 'NIL' then repl = nil\n"
"    end\n"
"    return ser(pcall(gsub, s, p, repl, b))\n"
"  elseif op == 'method' then\n"
"    return ser(pcall(function() return s:find(p), s:match(p), (s:gsub(p, '#')) end))\n"
"  end\n"
"end\n";

/* ---- the charge function of state M ------------------------------------ */

static long charged;
static long charge_cap = -1;	/* < 0: no cap */

static void
test_charge(lua_State *L, long steps)
{
	charged += steps;
	if (charge_cap >= 0 && charged > charge_cap)
		luaL_error(L, "budget spent after %d steps", (int) charged);
}

static lua_State *
new_state(int counted)
{
	lua_State  *L = luaL_newstate();

	luaL_openlibs(L);
	if (counted)
	{
		lua_getglobal(L, "string");
		dbc_match_register(L, -1, test_charge);
		lua_pop(L, 1);
	}
	if (luaL_dostring(L, harness) != LUA_OK)
	{
		fprintf(stderr, "harness: %s\n", lua_tostring(L, -1));
		exit(2);
	}
	return L;
}

/* One case: op and up to four arguments (NULL: nil; "#n": the integer n). */
static const char *
run_case(lua_State *L, const char *const args[5])
{
	int			i;

	lua_settop(L, 0);
	lua_getglobal(L, "run");
	for (i = 0; i < 5; i++)
	{
		if (args[i] == NULL)
			lua_pushnil(L);
		else if (args[i][0] == '#' && args[i][1] != '\0')
			lua_pushinteger(L, strtol(args[i] + 1, NULL, 10));
		else
			lua_pushstring(L, args[i]);
	}
	if (lua_pcall(L, 5, 1, 0) != LUA_OK)
		return lua_tostring(L, -1);
	return lua_tostring(L, -1);
}

static lua_State *R;
static lua_State *M;
static int	npass;
static int	nfail;
static int	mismatches;

/* Compare one case; returns 1 if both states agree. */
static int
compare(const char *const args[5])
{
	const char *r = run_case(R, args);
	const char *m = run_case(M, args);

	if (r != NULL && m != NULL && strcmp(r, m) == 0)
		return 1;
	if (mismatches++ < 25)
		printf("#   %s s=[%s] p=[%s] a=[%s] b=[%s]\n#     lua:     %s\n#     counted: %s\n",
			   args[0], args[1] ? args[1] : "nil", args[2] ? args[2] : "nil",
			   args[3] ? args[3] : "nil", args[4] ? args[4] : "nil",
			   r ? r : "(null)", m ? m : "(null)");
	return 0;
}

static void
report(int ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	if (ok)
		npass++;
	else
		nfail++;
}

/* ---- fixed cases ---------------------------------------------------------- */

static const char *const fixed[][5] = {
	{"find", "hello world", "wor", NULL, NULL},
	{"find", "hello world", "o", "#6", NULL},
	{"find", "hello world", "o", "#-3", NULL},
	{"find", "hello world", "o", "#-100", NULL},
	{"find", "hello world", "o", "#0", NULL},
	{"find", "hello", "", "#6", NULL},
	{"find", "hello", "", "#7", NULL},
	{"find", "a.b", ".", "#1", "plain"},
	{"find", "a+b", "+", NULL, NULL},
	{"find", "key = value", "(%w+)%s*=%s*(%w+)", NULL, NULL},
	{"find", "abc", "()b()", NULL, NULL},
	{"find", "THE (quick) fox", "%((%a+)%)", NULL, NULL},
	{"find", "f(a(b)c)d", "%b()", NULL, NULL},
	{"find", "f(a(b)c", "%b()", NULL, NULL},
	{"find", "\"q\"", "%b\"\"", NULL, NULL},
	{"find", "THE (quick) fox", "%f[%a]%a+", "#5", NULL},
	{"find", "hello", "%f[%z]", NULL, NULL},
	{"find", "hello", "%f[%a]", NULL, NULL},
	{"find", "hello", "%f[^%a]", NULL, NULL},
	{"find", "abcabc", "(abc)%1", NULL, NULL},
	{"find", "abcabd", "(ab)(c)%2", NULL, NULL},
	{"find", "x", "%1", NULL, NULL},
	{"find", "x", "(x)%2", NULL, NULL},
	{"find", "xx", "(()x)%1", NULL, NULL},
	{"find", "xx", "()%1", NULL, NULL},
	{"find", "x", "%", NULL, NULL},
	{"find", "x", "[a", NULL, NULL},
	{"find", "x", "[]", NULL, NULL},
	{"find", "]", "[]]", NULL, NULL},
	{"find", "]", "[^]]", NULL, NULL},
	{"find", "a]", "[^]]", NULL, NULL},
	{"find", "-", "[a-]", NULL, NULL},
	{"find", "b", "[%a-z]", NULL, NULL},
	{"find", "%", "[%%]", NULL, NULL},
	{"find", "x", "%f", NULL, NULL},
	{"find", "x", "%fa", NULL, NULL},
	{"find", "x", "%b", NULL, NULL},
	{"find", "x", "%bx", NULL, NULL},
	{"find", "x", "(x", NULL, NULL},
	{"find", "x", "x)", NULL, NULL},
	{"find", "x", "((((((((((((((((((((((((((((((((((x))))))))))))))))))))))))))))))))))", NULL, NULL},
	{"find", "aaa", "^a", "#2", NULL},
	{"find", "aaa", "a$", NULL, NULL},
	{"find", "a$b", "$b", NULL, NULL},
	{"find", "a^b", "a^b", NULL, NULL},
	{"find", "abc", "^$", NULL, NULL},
	{"find", "", "^$", NULL, NULL},
	{"find", "a\nb", "%c", NULL, NULL},
	{"find", "a1_B", "%W", NULL, NULL},
	{"find", "a1_B", "%U+", NULL, NULL},
	{"find", "0x1F", "%x+$", NULL, NULL},
	{"find", "tab\there", "%s", NULL, NULL},
	{"find", "caf\xc3\xa9", "[\x80-\xff]+", NULL, NULL},
	{"find", "a.b", "%.", NULL, NULL},
	{"find", "x", "[a-", NULL, NULL},
	{"find", "abc", "b", "#99", NULL},
	{"match", "2026-11-22", "^(%d%d%d%d)-(%d%d)-(%d%d)$", NULL, NULL},
	{"match", "  trim  ", "^%s*(.-)%s*$", NULL, NULL},
	{"match", "CREATE INDEX CONCURRENTLY i", "INDEX%s+(%u+)", NULL, NULL},
	{"match", "abc", "()", "#4", NULL},
	{"match", "abc", "()", "#5", NULL},
	{"match", "hello", ".-(l+)(.*)", NULL, NULL},
	{"match", "hello", "(h)(e)(l)(l)(o)", NULL, NULL},
	{"match", "aaab", "a-b", NULL, NULL},
	{"match", "aaab", "a*?b", NULL, NULL},
	{"match", "ab", "a?b?c?", NULL, NULL},
	{"match", "[[x]]", "%[(%b[])%]", NULL, NULL},
	{"gmatch", "one two  three", "%a+", NULL, NULL},
	{"gmatch", "k1=v1, k2=v2", "(%w+)=(%w+)", NULL, NULL},
	{"gmatch", "abc", "", NULL, NULL},
	{"gmatch", "abc", "x*", NULL, NULL},
	{"gmatch", "abc", "^a", NULL, NULL},
	{"gmatch", "abcabc", "b", "#3", NULL},
	{"gmatch", "abc", ".", "#10", NULL},
	{"gmatch", "abc", "()", NULL, NULL},
	{"gsub", "hello world", "o", "0", NULL},
	{"gsub", "hello world", "(o)", "[%1%1]", NULL},
	{"gsub", "hello world", "%w+", "%0 %0", "#1"},
	{"gsub", "hello", "", "-", NULL},
	{"gsub", "abc", "x*", "-", NULL},
	{"gsub", "hello", "l", "%%", NULL},
	{"gsub", "hello", "l", "%", NULL},
	{"gsub", "hello", "l", "%x", NULL},
	{"gsub", "hello", "l", "%2", NULL},
	{"gsub", "hello", "(l)", "%2", NULL},
	{"gsub", "hello", "()l", "%1", NULL},
	{"gsub", "abc", "%w", "FN", NULL},
	{"gsub", "ab ab", "(a)(b)", "FN", NULL},
	{"gsub", "a b ab", "%w+", "TB", NULL},
	{"gsub", "abc", "%w", "BAD", NULL},
	{"gsub", "abc", "%w", "NIL", NULL},
	{"gsub", "abc", "^a", "x", NULL},
	{"gsub", "abc", "^", "x", NULL},
	{"gsub", "abc", "$", "x", NULL},
	{"gsub", "abc", "%w", "x", "#-1"},
	{"gsub", "abc", "%w", "x", "#0"},
	{"gsub", "billing.*", "[%^%$%(%)%%%.%[%]%+%-%?]", "%%%0", NULL},
	{"method", "schema.table", "^(.-)%.(.*)$", NULL, NULL},
	{"method", "x", "[", NULL, NULL},
};

/* ---- random cases ---------------------------------------------------------- */

static unsigned long long rng = 88172645463325252ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned) (rng % n);
}

static const char *const atoms[] = {
	"a", "b", "c", ".", "%a", "%d", "%s", "%w", "%p", "%A", "%%", "%.", "[ab]", "[^a]",
	"[a-c]", "[%d%s]", "[]]", "(", ")", "()", "%1", "%2", "%b()", "%bab", "%f[%a]",
	"%f[^%w]", "^", "$", "%", "[", "]", "-", "x", "1", " ", "%z", "%U", "%bxx", "[%a-]", "[a-]",
};
static const char *const quants[] = {"", "", "", "*", "+", "-", "?"};
static const char subject_chars[] = "aabbc1 ()x-.%]";

static void
random_pattern(char *buf, size_t size)
{
	int			n = 1 + (int) rnd(5);
	int			nquant = 0;
	int			i;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
	{
		const char *a = atoms[rnd(sizeof(atoms) / sizeof(atoms[0]))];
		const char *q = quants[rnd(sizeof(quants) / sizeof(quants[0]))];

		if (*q && ++nquant > 3)
			q = "";
		if (strlen(buf) + strlen(a) + strlen(q) + 1 < size)
		{
			strcat(buf, a);
			strcat(buf, q);
		}
	}
}

static void
random_subject(char *buf, int maxlen)
{
	int			n = (int) rnd((unsigned) maxlen + 1);
	int			i;

	for (i = 0; i < n; i++)
		buf[i] = subject_chars[rnd(sizeof(subject_chars) - 1)];
	buf[n] = '\0';
}

static int
random_cases(int count)
{
	static const char *const ops[] = {"find", "find", "match", "gmatch", "gsub", "method"};
	static const char *const inits[] = {NULL, NULL, "#2", "#-2", "#0", "#9"};
	static const char *const repls[] = {"<%0>", "%1", "FN", "TB", "", "%%"};
	int			bad = 0;
	int			i;

	for (i = 0; i < count; i++)
	{
		char		s[16];
		char		p[64];
		const char *args[5];

		random_subject(s, 10);
		random_pattern(p, sizeof(p));
		args[0] = ops[rnd(sizeof(ops) / sizeof(ops[0]))];
		args[1] = s;
		args[2] = p;
		args[3] = NULL;
		args[4] = NULL;
		if (strcmp(args[0], "gsub") == 0)
		{
			args[3] = repls[rnd(sizeof(repls) / sizeof(repls[0]))];
			args[4] = rnd(3) == 0 ? "#2" : NULL;
		}
		else if (strcmp(args[0], "method") != 0)
		{
			args[3] = inits[rnd(sizeof(inits) / sizeof(inits[0]))];
			if (strcmp(args[0], "find") == 0 && rnd(4) == 0)
				args[4] = "plain";
		}
		if (!compare(args))
			bad++;
	}
	return bad;
}

/* ---- the budget ------------------------------------------------------------- */

/* Run chunk in M with a cap on the steps: must fail with the charge's error. */
static void
stopped(const char *what, const char *chunk, long cap)
{
	int			rc;
	const char *msg;
	char		label[256];

	charged = 0;
	charge_cap = cap;
	rc = luaL_dostring(M, chunk);
	msg = rc == LUA_OK ? "(no error)" : lua_tostring(M, -1);
	snprintf(label, sizeof(label), "%s is stopped by the charge function (%s)", what,
			 msg ? msg : "?");
	report(rc != LUA_OK && msg != NULL && strstr(msg, "budget spent") != NULL, label);
	lua_settop(M, 0);
	charge_cap = -1;
}

int
main(int argc, char **argv)
{
	int			nrandom = argc > 1 ? atoi(argv[1]) : 30000;
	int			bad = 0;
	size_t		i;
	char		label[128];

	R = new_state(0);
	M = new_state(1);

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!compare(fixed[i]))
			bad++;
	snprintf(label, sizeof(label), "%d fixed cases give Lua's results and errors (%d differ)",
			 (int) (sizeof(fixed) / sizeof(fixed[0])), bad);
	report(bad == 0, label);

	bad = random_cases(nrandom);
	snprintf(label, sizeof(label), "%d random cases give Lua's results and errors (%d differ)",
			 nrandom, bad);
	report(bad == 0, label);

	/* every call reports its steps, short ones too */
	charged = 0;
	(void) luaL_dostring(M, "for i = 1, 100 do string.find('abc', 'c') end");
	report(charged >= 100, "short matches report their steps");

	stopped("string.find with a backtracking pattern",
			"return (('a'):rep(3000)):find(('a*'):rep(20) .. 'b')", 10000000);
	stopped("string.match with .- chains",
			"return (('x'):rep(3000)):match(('.-x'):rep(12) .. 'y')", 10000000);
	stopped("string.gmatch", "for w in (('a'):rep(3000)):gmatch(('a-'):rep(15) .. 'b') do end", 10000000);
	stopped("string.gsub", "return (('a'):rep(3000)):gsub(('a?'):rep(30) .. 'b', '')", 10000000);
	stopped("a plain find with a long needle",
			"local h = ('a'):rep(200000) return h:find(('a'):rep(20000) .. 'b', 1, true)", 10000000);
	stopped("the method form", "local s = ('a'):rep(3000) return s:find(('a*'):rep(20) .. 'b')", 10000000);
	/* work that is one step of the matcher's but runs over many bytes */
	stopped("a long replacement string on empty matches",
			"return (('x'):rep(20000)):gsub('', ('%0'):rep(50000))", 10000000);
	stopped("back-references to a long capture",
			"local s = ('a'):rep(250000) .. 'c' .. ('a'):rep(500000) return s:find('^([^c]*)c.-%1b')", 10000000);
	stopped("a long set", "return (('a'):rep(100000)):find('[' .. ('b'):rep(20000) .. ']')", 10000000);
	stopped("a long negated set", "return (('a'):rep(100000)):find('[^' .. ('a'):rep(20000) .. ']*c')", 10000000);
	stopped("plain finds scanning a long subject",
			"local s = ('a'):rep(4000000) for i = 1, 50000 do s:find('b', 1, true) end", 10000000);

	/* a match that ends in an error still reports the steps it took */
	charged = 0;
	(void) luaL_dostring(M, "for i = 1, 100 do pcall(string.find, ('a'):rep(200), 'a*%2') end");
	report(charged >= 100 * 200, "a match that ends in an error reports its steps");

	lua_close(R);
	lua_close(M);
	printf("# lua_match: %d passed, %d failed\n", npass, nfail);
	return nfail == 0 ? 0 : 1;
}
