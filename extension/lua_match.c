/*-------------------------------------------------------------------------
 *
 * lua_match.c
 *	  string.find, string.match, string.gmatch and string.gsub for the policy
 *	  sandbox, with a matcher whose every step is counted.
 *
 * Lua's own matcher backtracks without bound inside a single C call:
 * ("a"):rep(5000):find(("a*"):rep(20) .. "b") would outlive the server, and
 * nothing stops it -- the count hook runs only between VM instructions, and
 * a longjmp out of a signal handler could land inside the allocator, which
 * the matcher calls while it pushes its results.  Policies are written by
 * policy admins, but the strings they match are the statements developers
 * send, so a careless pattern in a policy was a way for any developer to
 * hang a backend that holds locks.
 *
 * This is a matcher for the same pattern language (the Lua 5.4 reference
 * manual, section 6.4.1), written as a recursive backtracking matcher like
 * Lua's, that reports its steps to a charge function (lua_match.h) at least
 * every DBC_MATCH_CHARGE_EVERY steps.  Work that is one step but runs over
 * many bytes (a long set, a back-reference, a plain find's scan, a gsub
 * replacement string) adds steps by its length (add_steps).  The sandbox's
 * charge function raises an ordinary Lua error when the evaluation's budget
 * is spent or a query cancel is pending -- from a C function Lua called,
 * which is safe.
 *
 * Results and error messages are Lua 5.4's, so policies behave exactly as
 * they do under a stock interpreter; regress/tests/lua_match.sh compares
 * both on fixed cases and on random patterns.  Nothing of PostgreSQL's is
 * used here, so that test links this file alone.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "lua_match.h"

#define ESC			'%'
#define SPECIALS	"^$*+?.([%-"
#define MAX_CAPTURES 32			/* LUA_MAXCAPTURES */
#define MAX_DEPTH	200			/* nesting of the recursive matcher */

/* a capture's len while it is open, and for a position capture "()" */
#define CAP_OPEN	(-1)
#define CAP_POSITION (-2)

#define UC(c)		((unsigned char) (c))

typedef struct Capture
{
	const char *init;
	ptrdiff_t	len;			/* or CAP_OPEN / CAP_POSITION */
} Capture;

typedef struct Matcher
{
	lua_State  *L;
	const char *s_begin;		/* the subject */
	const char *s_end;
	const char *p_end;			/* the pattern's end (a NUL follows it) */
	int			depth_left;		/* recursion still allowed */
	int			ncap;
	long		steps;			/* not yet reported */
	Capture		cap[MAX_CAPTURES];
} Matcher;

static dbc_match_charge_fn charge_fn;

static void
report_steps(Matcher *m)
{
	long		n = m->steps;

	m->steps = 0;
	if (charge_fn != NULL && n > 0)
		charge_fn(m->L, n);
}

#define STEP(m) \
	do { if (++(m)->steps >= DBC_MATCH_CHARGE_EVERY) report_steps(m); } while (0)

/*
 * Work that is one step of the matcher's but runs over many bytes (a long
 * set, a back-reference, a plain find's scan, a replacement string): n more
 * steps, n being the bytes over 64 or 16 as the caller judges the work.
 */
static void
add_steps(Matcher *m, long n)
{
	m->steps += n;
	if (m->steps >= DBC_MATCH_CHARGE_EVERY)
		report_steps(m);
}

/*
 * luaL_error for the matcher: the steps so far are reported first, so that
 * a policy repeating a failing match under pcall still pays for its work.
 * The message is made as luaL_error makes it (with luaL_where), so that it
 * reads as Lua's own.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int
match_error(Matcher *m, const char *fmt,...)
{
	va_list		ap;

	report_steps(m);
	luaL_where(m->L, 1);
	va_start(ap, fmt);
	lua_pushvfstring(m->L, fmt, ap);
	va_end(ap);
	lua_concat(m->L, 2);
	return lua_error(m->L);
}

static void
matcher_init(Matcher *m, lua_State *L, const char *s, size_t ls,
			 const char *p, size_t lp)
{
	m->L = L;
	m->s_begin = s;
	m->s_end = s + ls;
	m->p_end = p + lp;
	m->steps = 0;
}

/* Before each attempt at a new position. */
static void
matcher_reset(Matcher *m)
{
	m->ncap = 0;
	m->depth_left = MAX_DEPTH;
}

/* ---- single characters -------------------------------------------------- */

/* Does character c belong to class %cl (a letter) or equal cl (anything else)? */
static int
class_matches(int c, int cl)
{
	int			in;

	switch (tolower(cl))
	{
		case 'a':
			in = isalpha(c);
			break;
		case 'c':
			in = iscntrl(c);
			break;
		case 'd':
			in = isdigit(c);
			break;
		case 'g':
			in = isgraph(c);
			break;
		case 'l':
			in = islower(c);
			break;
		case 'p':
			in = ispunct(c);
			break;
		case 's':
			in = isspace(c);
			break;
		case 'u':
			in = isupper(c);
			break;
		case 'w':
			in = isalnum(c);
			break;
		case 'x':
			in = isxdigit(c);
			break;
		case 'z':				/* the NUL byte: deprecated, still in 5.4 */
			in = (c == 0);
			break;
		default:
			return cl == c;
	}
	if (isupper(cl))			/* %A, %D, ...: the complement */
		in = !in;
	return in != 0;
}

/* Is c in the set [...] that runs from open ('[') to close (its ']')? */
static int
set_matches(int c, const char *open, const char *close)
{
	const char *p = open + 1;
	int			found = 1;

	if (*p == '^')
	{
		found = 0;
		p++;
	}
	while (p < close)
	{
		if (*p == ESC)
		{
			if (class_matches(c, UC(p[1])))
				return found;
			p += 2;
		}
		else if (p[1] == '-' && p + 2 < close)
		{
			if (UC(p[0]) <= c && c <= UC(p[2]))
				return found;
			p += 3;
		}
		else
		{
			if (UC(*p) == c)
				return found;
			p++;
		}
	}
	return !found;
}

/* The end of the single-character class that starts at p. */
static const char *
class_end(Matcher *m, const char *p)
{
	const char *start = p;

	if (*p == ESC)
	{
		if (p + 1 >= m->p_end)
			match_error(m, "malformed pattern (ends with '%%')");
		return p + 2;
	}
	if (*p != '[')
		return p + 1;
	p++;
	if (*p == '^')
		p++;
	/* a set's first character never closes it: "[]]" is the set of ']' */
	for (;;)
	{
		if (p >= m->p_end)
			match_error(m, "malformed pattern (missing ']')");
		if (*p++ == ESC && p < m->p_end)
			p++;
		if (p < m->p_end && *p == ']')
		{
			add_steps(m, (long) ((p - start) >> 4));	/* a long set is work */
			return p + 1;
		}
	}
}

/* Does the subject character at s match the class p .. ep? */
static int
single_match(Matcher *m, const char *s, const char *p, const char *ep)
{
	int			c;

	if (s >= m->s_end)
		return 0;
	c = UC(*s);
	switch (*p)
	{
		case '.':
			return 1;
		case ESC:
			return class_matches(c, UC(p[1]));
		case '[':
			add_steps(m, (long) ((ep - p) >> 4));	/* a long set is work */
			return set_matches(c, p, ep - 1);
		default:
			return UC(*p) == c;
	}
}

/* ---- the matcher -------------------------------------------------------- */

static const char *match_here(Matcher *m, const char *s, const char *p);

/* Match p at s with one more level of recursion; NULL if it does not match. */
static const char *
do_match(Matcher *m, const char *s, const char *p)
{
	const char *e;

	if (m->depth_left-- == 0)
		match_error(m, "pattern too complex");
	e = match_here(m, s, p);
	m->depth_left++;
	return e;
}

/* x*: as many as possible, then give back one at a time. */
static const char *
max_expand(Matcher *m, const char *s, const char *p, const char *ep)
{
	ptrdiff_t	n = 0;

	while (single_match(m, s + n, p, ep))
	{
		STEP(m);
		n++;
	}
	for (; n >= 0; n--)
	{
		const char *e = do_match(m, s + n, ep + 1);

		if (e != NULL)
			return e;
	}
	return NULL;
}

/* x-: as few as possible, then one more at a time. */
static const char *
min_expand(Matcher *m, const char *s, const char *p, const char *ep)
{
	for (;;)
	{
		const char *e = do_match(m, s, ep + 1);

		if (e != NULL)
			return e;
		if (!single_match(m, s, p, ep))
			return NULL;
		s++;
	}
}

static const char *
open_capture(Matcher *m, const char *s, const char *p, ptrdiff_t what)
{
	const char *e;

	if (m->ncap >= MAX_CAPTURES)
		match_error(m, "too many captures");
	m->cap[m->ncap].init = s;
	m->cap[m->ncap].len = what;
	m->ncap++;
	e = do_match(m, s, p);
	if (e == NULL)
		m->ncap--;
	return e;
}

static const char *
close_capture(Matcher *m, const char *s, const char *p)
{
	int			l;
	const char *e;

	for (l = m->ncap - 1; l >= 0; l--)
		if (m->cap[l].len == CAP_OPEN)
			break;
	if (l < 0)
		match_error(m, "invalid pattern capture");
	m->cap[l].len = s - m->cap[l].init;
	e = do_match(m, s, p);
	if (e == NULL)
		m->cap[l].len = CAP_OPEN;
	return e;
}

/* %bxy at s (p points at x): a balanced run from x to its matching y. */
static const char *
match_balance(Matcher *m, const char *s, const char *p)
{
	int			open;
	int			close;
	int			level = 1;

	if (p + 1 >= m->p_end)
		match_error(m, "malformed pattern (missing arguments to '%%b')");
	open = UC(p[0]);
	close = UC(p[1]);
	if (s >= m->s_end || UC(*s) != open)
		return NULL;
	while (++s < m->s_end)
	{
		STEP(m);
		if (UC(*s) == close)
		{
			if (--level == 0)
				return s + 1;
		}
		else if (UC(*s) == open)
			level++;
	}
	return NULL;
}

/* %1 .. %9 at s: the text capture d matched, again. */
static const char *
match_backref(Matcher *m, const char *s, int d)
{
	int			l = d - '1';
	ptrdiff_t	len;

	if (l < 0 || l >= m->ncap || m->cap[l].len == CAP_OPEN)
		match_error(m, "invalid capture index %%%d", l + 1);
	len = m->cap[l].len;
	if (len < 0)				/* a position capture matches no text */
		return NULL;
	add_steps(m, (long) (len >> 6));
	if (m->s_end - s >= len && memcmp(m->cap[l].init, s, (size_t) len) == 0)
		return s + len;
	return NULL;
}

/*
 * Match pattern p against the subject at s: the end of the match, or NULL.
 * Iterates along the pattern; recurses (do_match) where it may have to
 * come back: captures, quantifiers.
 */
static const char *
match_here(Matcher *m, const char *s, const char *p)
{
	for (;;)
	{
		const char *ep;

		STEP(m);
		if (p >= m->p_end)
			return s;
		switch (*p)
		{
			case '(':
				if (p + 1 < m->p_end && p[1] == ')')
					return open_capture(m, s, p + 2, CAP_POSITION);
				return open_capture(m, s, p + 1, CAP_OPEN);
			case ')':
				return close_capture(m, s, p + 1);
			case '$':
				if (p + 1 == m->p_end)
					return s == m->s_end ? s : NULL;
				break;			/* elsewhere '$' is itself */
			case ESC:
				if (p[1] == 'b')
				{
					s = match_balance(m, s, p + 2);
					if (s == NULL)
						return NULL;
					p += 4;
					continue;
				}
				if (p[1] == 'f')
				{
					int			before;
					int			here;

					p += 2;
					if (p >= m->p_end || *p != '[')
						match_error(m, "missing '[' after '%%f' in pattern");
					ep = class_end(m, p);
					add_steps(m, (long) ((ep - p) >> 3));	/* two sets tested */
					before = s == m->s_begin ? '\0' : UC(s[-1]);
					here = s < m->s_end ? UC(*s) : '\0';
					if (set_matches(before, p, ep - 1) || !set_matches(here, p, ep - 1))
						return NULL;
					p = ep;
					continue;
				}
				if (isdigit(UC(p[1])))
				{
					s = match_backref(m, s, UC(p[1]));
					if (s == NULL)
						return NULL;
					p += 2;
					continue;
				}
				break;
			default:
				break;
		}

		/* a single-character class, perhaps with a quantifier after it */
		ep = class_end(m, p);
		if (!single_match(m, s, p, ep))
		{
			if (ep < m->p_end && (*ep == '*' || *ep == '?' || *ep == '-'))
			{
				p = ep + 1;		/* zero of them is a match */
				continue;
			}
			return NULL;
		}
		if (ep < m->p_end)
		{
			switch (*ep)
			{
				case '?':
					{
						const char *e = do_match(m, s + 1, ep + 1);

						if (e != NULL)
							return e;
						p = ep + 1;
						continue;
					}
				case '+':
					return max_expand(m, s + 1, p, ep);
				case '*':
					return max_expand(m, s, p, ep);
				case '-':
					return min_expand(m, s, p, ep);
				default:
					break;
			}
		}
		s++;
		p = ep;
	}
}

/* ---- results ------------------------------------------------------------- */

/* Push capture i of the match s .. e (i 0 with no captures: the match). */
static void
push_capture(Matcher *m, int i, const char *s, const char *e)
{
	if (i >= m->ncap)
	{
		if (i != 0)
			match_error(m, "invalid capture index %%%d", i + 1);
		lua_pushlstring(m->L, s, (size_t) (e - s));
		return;
	}
	if (m->cap[i].len == CAP_OPEN)
		match_error(m, "unfinished capture");
	if (m->cap[i].len == CAP_POSITION)
		lua_pushinteger(m->L, (lua_Integer) (m->cap[i].init - m->s_begin) + 1);
	else
		lua_pushlstring(m->L, m->cap[i].init, (size_t) m->cap[i].len);
}

/* Push every capture (or the whole match s .. e if none and s given). */
static int
push_captures(Matcher *m, const char *s, const char *e)
{
	int			n = (m->ncap == 0 && s != NULL) ? 1 : m->ncap;
	int			i;

	luaL_checkstack(m->L, n, "too many captures");
	for (i = 0; i < n; i++)
		push_capture(m, i, s, e);
	return n;
}

/* ---- the library functions ----------------------------------------------- */

/* A 1-based, possibly negative start position made 1-based and >= 1. */
static size_t
start_position(lua_Integer pos, size_t len)
{
	if (pos > 0)
		return (size_t) pos;
	if (pos == 0 || pos < -(lua_Integer) len)
		return 1;
	return len + (size_t) pos + 1;
}

static int
has_specials(const char *p, size_t lp)
{
	size_t		i;

	for (i = 0; i < lp; i++)
		if (p[i] != '\0' && strchr(SPECIALS, p[i]) != NULL)
			return 1;
	return 0;
}

/*
 * Plain substring search: a step per place the needle's first byte occurs,
 * plus the bytes scanned and the bytes of needle compared there, over 64.
 */
static const char *
plain_find(Matcher *m, const char *s, size_t ls, const char *p, size_t lp)
{
	const char *last;

	if (lp == 0)
		return s;
	if (lp > ls)
		return NULL;
	last = s + (ls - lp);
	while (s <= last)
	{
		const char *c = memchr(s, p[0], (size_t) (last - s) + 1);

		if (c == NULL)
		{
			add_steps(m, (long) ((last - s) >> 6));
			return NULL;
		}
		add_steps(m, 1 + (long) ((c - s) >> 6) + (long) (lp >> 6));
		if (memcmp(c + 1, p + 1, lp - 1) == 0)
			return c;
		s = c + 1;
	}
	return NULL;
}

/* string.find (find = 1) and string.match (find = 0). */
static int
find_or_match(lua_State *L, int find)
{
	size_t		ls;
	size_t		lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	size_t		init = start_position(luaL_optinteger(L, 3, 1), ls) - 1;
	Matcher		m;
	const char *s1;
	int			anchor;

	if (init > ls)
	{
		lua_pushnil(L);
		return 1;
	}
	matcher_init(&m, L, s, ls, p, lp);
	if (find && (lua_toboolean(L, 4) || !has_specials(p, lp)))
	{
		const char *hit;

		add_steps(&m, (long) (lp >> 6));	/* has_specials' scan */
		hit = plain_find(&m, s + init, ls - init, p, lp);
		report_steps(&m);
		if (hit != NULL)
		{
			lua_pushinteger(L, (lua_Integer) (hit - s) + 1);
			lua_pushinteger(L, (lua_Integer) (hit - s + lp));
			return 2;
		}
		lua_pushnil(L);
		return 1;
	}
	anchor = (*p == '^');
	if (anchor)					/* the pattern's end (m.p_end) stays where it is */
	{
		p++;
		lp--;
	}
	s1 = s + init;
	do
	{
		const char *e;

		matcher_reset(&m);
		e = do_match(&m, s1, p);
		if (e != NULL)
		{
			report_steps(&m);
			if (find)
			{
				lua_pushinteger(L, (lua_Integer) (s1 - s) + 1);
				lua_pushinteger(L, (lua_Integer) (e - s));
				return push_captures(&m, NULL, NULL) + 2;
			}
			return push_captures(&m, s1, e);
		}
	} while (s1++ < m.s_end && !anchor);
	report_steps(&m);
	lua_pushnil(L);
	return 1;
}

static int
lm_find(lua_State *L)
{
	return find_or_match(L, 1);
}

static int
lm_match(lua_State *L)
{
	return find_or_match(L, 0);
}

/*
 * gmatch's iterator state, a full userdata upvalue of the iterator; the
 * subject and the pattern are its other two upvalues, which keep the
 * strings the pointers point into alive.
 */
typedef struct GMatchState
{
	const char *next;			/* where the next attempt starts */
	const char *pattern;
	const char *last_end;		/* end of the last match (never matched twice) */
	Matcher		m;
} GMatchState;

static int
gmatch_step(lua_State *L)
{
	GMatchState *g = (GMatchState *) lua_touserdata(L, lua_upvalueindex(3));
	const char *src;

	g->m.L = L;
	for (src = g->next; src <= g->m.s_end; src++)
	{
		const char *e;

		matcher_reset(&g->m);
		e = do_match(&g->m, src, g->pattern);
		if (e != NULL && e != g->last_end)
		{
			g->next = g->last_end = e;
			report_steps(&g->m);
			return push_captures(&g->m, src, e);
		}
	}
	g->next = src;
	report_steps(&g->m);
	return 0;
}

/* string.gmatch(s, pattern [, init]); '^' is no anchor here (Lua 5.4). */
static int
lm_gmatch(lua_State *L)
{
	size_t		ls;
	size_t		lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	size_t		init = start_position(luaL_optinteger(L, 3, 1), ls) - 1;
	GMatchState *g;

	if (init > ls)				/* starts after the end: matches nothing */
		init = ls + 1;
	lua_settop(L, 2);
	g = (GMatchState *) lua_newuserdatauv(L, sizeof(GMatchState), 0);
	matcher_init(&g->m, L, s, ls, p, lp);
	g->next = s + init;
	g->pattern = p;
	g->last_end = NULL;
	lua_pushcclosure(L, gmatch_step, 3);
	return 1;
}

/* A replacement string: %0 .. %9 and %% expanded. */
static void
add_template(Matcher *m, luaL_Buffer *b, const char *s, const char *e)
{
	lua_State  *L = m->L;
	size_t		l;
	const char *t = lua_tolstring(L, 3, &l);
	const char *end = t + l;
	const char *esc;

	add_steps(m, 1 + (long) (l >> 6));
	while ((esc = memchr(t, ESC, (size_t) (end - t))) != NULL)
	{
		luaL_addlstring(b, t, (size_t) (esc - t));
		esc++;					/* the character after '%' (a NUL at the end) */
		STEP(m);
		if (*esc == ESC)
			luaL_addchar(b, ESC);
		else if (*esc == '0')
		{
			add_steps(m, (long) ((e - s) >> 6));
			luaL_addlstring(b, s, (size_t) (e - s));
		}
		else if (isdigit(UC(*esc)))
		{
			push_capture(m, *esc - '1', s, e);
			add_steps(m, (long) (lua_rawlen(L, -1) >> 6));
			luaL_addvalue(b);	/* converts a position capture's number */
		}
		else
			match_error(m, "invalid use of '%c' in replacement string", ESC);
		t = esc + 1;
	}
	luaL_addlstring(b, t, (size_t) (end - t));
}

/*
 * Add the replacement for the match s .. e; false if the match stays as it
 * was (a function or table gave nil or false).
 */
static int
add_replacement(Matcher *m, luaL_Buffer *b, const char *s, const char *e, int repl_type)
{
	lua_State  *L = m->L;

	if (repl_type == LUA_TFUNCTION)
	{
		int			n;

		lua_pushvalue(L, 3);
		n = push_captures(m, s, e);
		lua_call(L, n, 1);
	}
	else if (repl_type == LUA_TTABLE)
	{
		push_capture(m, 0, s, e);
		lua_gettable(L, 3);
	}
	else
	{
		add_template(m, b, s, e);
		return 1;
	}
	if (!lua_toboolean(L, -1))
	{
		lua_pop(L, 1);
		luaL_addlstring(b, s, (size_t) (e - s));
		return 0;
	}
	if (!lua_isstring(L, -1))
		return match_error(m, "invalid replacement value (a %s)", luaL_typename(L, -1));
	luaL_addvalue(b);
	return 1;
}

/* string.gsub(s, pattern, repl [, n]) */
static int
lm_gsub(lua_State *L)
{
	size_t		ls;
	size_t		lp;
	const char *src = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	int			repl_type = lua_type(L, 3);
	lua_Integer max_n = luaL_optinteger(L, 4, (lua_Integer) ls + 1);
	const char *last_end = NULL;
	lua_Integer n = 0;
	int			changed = 0;
	int			anchor;
	Matcher		m;
	luaL_Buffer b;

	luaL_argexpected(L, repl_type == LUA_TNUMBER || repl_type == LUA_TSTRING ||
					 repl_type == LUA_TFUNCTION || repl_type == LUA_TTABLE,
					 3, "string/function/table");
	luaL_buffinit(L, &b);
	anchor = (*p == '^');
	if (anchor)
	{
		p++;
		lp--;
	}
	matcher_init(&m, L, src, ls, p, lp);
	while (n < max_n)
	{
		const char *e;

		matcher_reset(&m);
		e = do_match(&m, src, p);
		if (e != NULL && e != last_end)
		{
			n++;
			changed = add_replacement(&m, &b, src, e, repl_type) | changed;
			src = last_end = e;
		}
		else if (src < m.s_end)
			luaL_addchar(&b, *src++);
		else
			break;
		if (anchor)
			break;
	}
	report_steps(&m);
	if (!changed)
		lua_pushvalue(L, 1);
	else
	{
		luaL_addlstring(&b, src, (size_t) (m.s_end - src));
		luaL_pushresult(&b);
	}
	lua_pushinteger(L, n);
	return 2;
}

void
dbc_match_register(lua_State *L, int lib, dbc_match_charge_fn charge)
{
	static const luaL_Reg fns[] = {
		{"find", lm_find},
		{"match", lm_match},
		{"gmatch", lm_gmatch},
		{"gsub", lm_gsub},
		{NULL, NULL}
	};
	const luaL_Reg *r;

	lib = lua_absindex(L, lib);
	charge_fn = charge;
	for (r = fns; r->name != NULL; r++)
	{
		lua_pushcfunction(L, r->func);
		lua_setfield(L, lib, r->name);
	}
}
