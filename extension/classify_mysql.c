/*-------------------------------------------------------------------------
 *
 * classify_mysql.c
 *	  MySQL / MariaDB scripts: tokenizer, statement splitter and classifier.
 *
 * PostgreSQL's parser cannot read MySQL, and the control database never runs
 * MySQL text, so this is a careful tokenizer plus a keyword-driven reading of
 * each statement -- enough to produce the same change facts the PostgreSQL
 * classifier produces (docs/facts.md), with dialect = 'mysql'.  It reads the
 * text only (no catalog, no server): its output is a function of the script.
 *
 * What the tokenizer understands (the rules of the mysql client and server):
 *	  `backtick identifiers` (a backtick inside is doubled),
 *	  'strings' and "strings" (backslash escapes and doubled quotes),
 *	  -- comments (only when the dashes are followed by white space or a
 *	  control character: "--x" is minus minus x), # comments, slash-star
 *	  comments, and the executable comments slash-star-bang [version] ... and
 *	  slash-star-M-bang [version] (MariaDB) whose content is code (mysqldump
 *	  output relies on them), semicolons inside strings, identifiers and
 *	  comments.
 *
 * Splitting: a ';' outside quotes and comments ends a statement, except
 * inside the BEGIN ... END body of CREATE PROCEDURE / FUNCTION / TRIGGER /
 * EVENT and MariaDB's BEGIN NOT ATOMIC blocks, whose nesting (BEGIN, IF,
 * CASE, LOOP, WHILE, REPEAT ... END) is tracked, so scripts need no
 * DELIMITER command (which is a mysql client command and refused here with
 * a hint).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/formatting.h"

#include "dbchange.h"
#include "classify_mysql.h"

/* ------------------------------------------------------------------------
 * Tokenizer
 * ------------------------------------------------------------------------
 */
typedef struct Lexer
{
	const char *s;
	int			n;
	int			pos;
	bool		in_hint;
	int			hint_start;
	DbcMyTok   *toks;
	int			ntoks;
	int			cap;
} Lexer;

static int
line_at(const char *s, int pos)
{
	int			line = 1;
	int			i;

	for (i = 0; i < pos && s[i]; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

static void
push_tok(Lexer *lx, DbcMyTokType type, int start, int len, char *val)
{
	DbcMyTok   *t;

	if (lx->ntoks == lx->cap)
	{
		lx->cap = lx->cap ? lx->cap * 2 : 64;
		lx->toks = lx->toks ? repalloc(lx->toks, lx->cap * sizeof(DbcMyTok))
			: palloc(lx->cap * sizeof(DbcMyTok));
	}
	t = &lx->toks[lx->ntoks++];
	t->type = type;
	t->start = start;
	t->len = len;
	t->val = val ? val : pnstrdup(lx->s + start, len);
}

static bool
is_word_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

static void
unterminated(Lexer *lx, int start, const char *what, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("unterminated %s in MySQL script at line %d", what, line_at(lx->s, start)),
			 errdetail("%s", detail),
			 errhint("Close it, or check the quotes and comments before that line.")));
}

/* A quoted string: backslash escapes and doubled quotes. */
static void
lex_string(Lexer *lx)
{
	int			start = lx->pos;
	char		q = lx->s[lx->pos++];
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		char		c;

		if (lx->pos >= lx->n)
			unterminated(lx, start, "quoted string",
						 psprintf("The string that starts with %c is not closed; inside it, the quote is written twice or escaped with a backslash.", q));
		c = lx->s[lx->pos];
		if (c == '\\' && lx->pos + 1 < lx->n)
		{
			char		e = lx->s[lx->pos + 1];

			switch (e)
			{
				case 'n':
					appendStringInfoChar(&buf, '\n');
					break;
				case 't':
					appendStringInfoChar(&buf, '\t');
					break;
				case 'r':
					appendStringInfoChar(&buf, '\r');
					break;
				case '0':
					appendStringInfoChar(&buf, '0');	/* NUL cannot live in text */
					break;
				case '%':
				case '_':
					appendStringInfoChar(&buf, '\\');	/* kept, as MySQL does */
					appendStringInfoChar(&buf, e);
					break;
				default:
					appendStringInfoChar(&buf, e);
			}
			lx->pos += 2;
			continue;
		}
		if (c == q)
		{
			if (lx->pos + 1 < lx->n && lx->s[lx->pos + 1] == q)
			{
				appendStringInfoChar(&buf, q);
				lx->pos += 2;
				continue;
			}
			lx->pos++;
			break;
		}
		appendStringInfoChar(&buf, c);
		lx->pos++;
	}
	push_tok(lx, MYT_STRING, start, lx->pos - start, buf.data);
}

/* A `quoted identifier`: a backtick inside is doubled; no backslash escapes. */
static void
lex_qident(Lexer *lx)
{
	int			start = lx->pos++;
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		if (lx->pos >= lx->n)
			unterminated(lx, start, "quoted identifier",
						 "The identifier that starts with a backtick is not closed; a backtick inside an identifier is written twice.");
		if (lx->s[lx->pos] == '`')
		{
			if (lx->pos + 1 < lx->n && lx->s[lx->pos + 1] == '`')
			{
				appendStringInfoChar(&buf, '`');
				lx->pos += 2;
				continue;
			}
			lx->pos++;
			break;
		}
		appendStringInfoChar(&buf, lx->s[lx->pos++]);
	}
	push_tok(lx, MYT_QIDENT, start, lx->pos - start, buf.data);
}

/* At a slash-star: a comment (skipped) or the start of an executable comment. */
static void
lex_slash_star(Lexer *lx)
{
	int			start = lx->pos;
	const char *s = lx->s;
	int			p = lx->pos + 2;

	if (!lx->in_hint && (s[p] == '!' || (s[p] == 'M' && s[p + 1] == '!')))
	{
		p += s[p] == '!' ? 1 : 2;
		while (p < lx->n && isdigit((unsigned char) s[p]))
			p++;
		push_tok(lx, MYT_HINT_OPEN, start, p - start, NULL);
		lx->in_hint = true;
		lx->hint_start = start;
		lx->pos = p;
		return;
	}
	for (; p + 1 < lx->n; p++)
	{
		if (s[p] == '*' && s[p + 1] == '/')
		{
			lx->pos = p + 2;
			return;
		}
	}
	unterminated(lx, start, "comment", "A comment that starts with /* must end with */.");
}

static DbcMyTok *
tokenize(const char *script, int *ntoks)
{
	Lexer		lx;
	const char *s = script;

	memset(&lx, 0, sizeof(lx));
	lx.s = script;
	lx.n = strlen(script);

	while (lx.pos < lx.n)
	{
		unsigned char c = s[lx.pos];

		if (isspace(c))
			lx.pos++;
		else if (c == '#' ||
				 (c == '-' && s[lx.pos + 1] == '-' &&
				  (s[lx.pos + 2] == '\0' || isspace((unsigned char) s[lx.pos + 2]) ||
				   iscntrl((unsigned char) s[lx.pos + 2]))))
		{
			while (lx.pos < lx.n && s[lx.pos] != '\n')
				lx.pos++;
		}
		else if (c == '/' && s[lx.pos + 1] == '*')
			lex_slash_star(&lx);
		else if (c == '*' && s[lx.pos + 1] == '/' && lx.in_hint)
		{
			push_tok(&lx, MYT_HINT_CLOSE, lx.pos, 2, NULL);
			lx.in_hint = false;
			lx.pos += 2;
		}
		else if (c == '\'' || c == '"')
			lex_string(&lx);
		else if (c == '`')
			lex_qident(&lx);
		else if (c == ';')
		{
			push_tok(&lx, MYT_SEMI, lx.pos, 1, NULL);
			lx.pos++;
		}
		else if (is_word_char(c))
		{
			int			start = lx.pos;
			bool		digits = true;

			while (lx.pos < lx.n && (is_word_char((unsigned char) s[lx.pos]) ||
									 (digits && s[lx.pos] == '.')))
			{
				if (!isdigit((unsigned char) s[lx.pos]) && s[lx.pos] != '.')
					digits = false;
				lx.pos++;
			}
			/* "1.x" read as a number would swallow the dot of a qualified name */
			if (!digits)
			{
				lx.pos = start;
				while (lx.pos < lx.n && is_word_char((unsigned char) s[lx.pos]))
					lx.pos++;
			}
			push_tok(&lx, digits ? MYT_NUMBER : MYT_WORD, start, lx.pos - start, NULL);
		}
		else
		{
			push_tok(&lx, MYT_PUNCT, lx.pos, 1, NULL);
			lx.pos++;
		}
	}
	if (lx.in_hint)
		unterminated(&lx, lx.hint_start, "executable comment",
					 "An executable comment that starts with /*! must end with */.");
	*ntoks = lx.ntoks;
	return lx.toks;
}

/* ------------------------------------------------------------------------
 * Token helpers
 * ------------------------------------------------------------------------
 */
static bool
is_kw(const DbcMyTok *t, const char *kw)
{
	return t != NULL && t->type == MYT_WORD && pg_strcasecmp(t->val, kw) == 0;
}

static bool
is_punct(const DbcMyTok *t, char ch)
{
	return t != NULL && t->type == MYT_PUNCT && t->val[0] == ch;
}

static bool
is_sig(const DbcMyTok *t)
{
	return t->type != MYT_HINT_OPEN && t->type != MYT_HINT_CLOSE;
}

/* ------------------------------------------------------------------------
 * Splitter
 * ------------------------------------------------------------------------
 */

/* Significant tokens (no hint markers) of toks[from..to), copied. */
static DbcMyTok *
sig_tokens(DbcMyTok *toks, int from, int to, int *n)
{
	DbcMyTok   *out = palloc((to - from + 1) * sizeof(DbcMyTok));
	int			k = 0;
	int			i;

	for (i = from; i < to; i++)
		if (is_sig(&toks[i]))
			out[k++] = toks[i];
	*n = k;
	return out;
}

/*
 * Does the statement whose significant tokens start at t[0] have a compound
 * body (BEGIN ... END with inner semicolons)?  CREATE [OR REPLACE]
 * [DEFINER = user] [AGGREGATE] PROCEDURE|FUNCTION|TRIGGER|EVENT, and
 * MariaDB's anonymous BEGIN NOT ATOMIC.
 */
static bool
starts_compound(DbcMyTok *t, int n)
{
	int			i = 1;

	if (n >= 2 && is_kw(&t[0], "BEGIN") && is_kw(&t[1], "NOT"))
		return true;
	if (n < 2 || !is_kw(&t[0], "CREATE"))
		return false;
	if (i + 1 < n && is_kw(&t[i], "OR") && is_kw(&t[i + 1], "REPLACE"))
		i += 2;
	if (i < n && is_kw(&t[i], "DEFINER"))
	{
		i++;
		if (i < n && is_punct(&t[i], '='))
			i++;
		if (i < n)
			i++;				/* user, or CURRENT_USER */
		if (i + 1 < n && is_punct(&t[i], '(') && is_punct(&t[i + 1], ')'))
			i += 2;
		if (i + 1 < n && is_punct(&t[i], '@'))
			i += 2;				/* @host */
	}
	if (i < n && is_kw(&t[i], "AGGREGATE"))
		i++;
	return i < n && (is_kw(&t[i], "PROCEDURE") || is_kw(&t[i], "FUNCTION") ||
					 is_kw(&t[i], "TRIGGER") || is_kw(&t[i], "EVENT"));
}

/* Can a statement of a compound body start after token prev? */
static bool
body_statement_start(const DbcMyTok *prev)
{
	static const char *const kws[] = {"BEGIN", "THEN", "ELSE", "DO", "LOOP", "REPEAT", "ROW", NULL};
	int			i;

	if (prev == NULL)
		return false;
	if (prev->type == MYT_SEMI || is_punct(prev, ':'))
		return true;
	for (i = 0; kws[i]; i++)
		if (is_kw(prev, kws[i]))
			return true;
	return false;
}

static void
finish_statement(List **out, const char *script, DbcMyTok *toks, int first, int last)
{
	DbcMyStmt  *st;
	int			end;
	int			nsig;
	DbcMyTok   *sig;

	sig = sig_tokens(toks, first, last + 1, &nsig);
	if (nsig == 0)
		return;
	if (is_kw(&sig[0], "DELIMITER"))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("DELIMITER is not supported in MySQL scripts (line %d)",
						line_at(script, sig[0].start)),
				 errdetail("DELIMITER is a command of the mysql client, not SQL; the server never sees it."),
				 errhint("Remove the DELIMITER lines and end each statement with \";\": dbchange keeps the BEGIN ... END body of a procedure, function, trigger or event together by itself.")));
	st = palloc0(sizeof(DbcMyStmt));
	end = toks[last].start + toks[last].len;
	st->location = toks[first].start;
	st->text = pnstrdup(script + st->location, end - st->location);
	st->line = line_at(script, st->location);
	st->toks = sig;
	st->ntoks = nsig;
	st->statement_no = list_length(*out) + 1;
	*out = lappend(*out, st);
}

List *
dbc_mysql_split(const char *script)
{
	int			ntoks;
	DbcMyTok   *toks = tokenize(script, &ntoks);
	List	   *out = NIL;
	int			first = -1;
	bool		compound = false;
	char		stack[64];
	int			depth = 0;
	DbcMyTok   *prev = NULL;
	int			i;

	for (i = 0; i < ntoks; i++)
	{
		DbcMyTok   *t = &toks[i];

		if (t->type == MYT_SEMI && depth == 0)
		{
			if (first >= 0)
				finish_statement(&out, script, toks, first, i - 1);
			first = -1;
			compound = false;
			prev = NULL;
			continue;
		}
		if (first < 0)
		{
			int			n;
			DbcMyTok   *sig;

			if (t->type == MYT_SEMI)
				continue;
			first = i;
			sig = sig_tokens(toks, i, ntoks, &n);
			compound = starts_compound(sig, n);
			pfree(sig);
			depth = 0;
		}
		if (!is_sig(t))
			continue;
		if (compound)
		{
			bool		after_end = is_kw(prev, "END");
			bool		in_expr_case = depth > 0 && stack[depth - 1] == 'E';
			char		push = 0;

			if (is_kw(t, "BEGIN"))
				push = 'B';
			else if (is_kw(t, "CASE") && !after_end)
				push = body_statement_start(prev) ? 'S' : 'E';
			else if ((is_kw(t, "IF") || is_kw(t, "LOOP") || is_kw(t, "WHILE") ||
					  is_kw(t, "REPEAT")) &&
					 !after_end && !in_expr_case && body_statement_start(prev) &&
					 !(is_kw(t, "IF") && depth == 0))
				push = 'L';
			else if (is_kw(t, "END") && depth > 0)
				depth--;
			if (push)
			{
				if (depth >= (int) sizeof(stack))
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("blocks nested too deeply in MySQL script at line %d",
									line_at(script, t->start)),
							 errdetail("At most %d nested BEGIN, IF, CASE, LOOP, WHILE or REPEAT blocks are supported.",
									   (int) sizeof(stack))));
				stack[depth++] = push;
			}
		}
		prev = t;
	}
	if (first >= 0)
		finish_statement(&out, script, toks, first, ntoks - 1);
	return out;
}

/* ------------------------------------------------------------------------
 * Classifier
 * ------------------------------------------------------------------------
 */
typedef struct MyFacts
{
	const char *command;
	const char *object_type;
	char	   *schema;
	char	   *name;
	char	   *table_schema;	/* the table of an index or trigger */
	char	   *table_name;
	char	   *new_name;		/* RENAME TO */
	List	   *operations;
	List	   *columns;
	List	   *objects;		/* identities, for statements naming several */
	bool		destructive;
	bool		if_exists;
	bool		if_not_exists;
	bool		temporary;
	bool		or_replace;
	bool		cascade;
	bool		rewrites;
	bool		is_ddl;
	bool		is_dml;
	bool		implicit_commit;
	int			has_where;		/* -1: not a DML statement */
	char	   *lock;
	char	   *algorithm;
	char	   *engine;
} MyFacts;

typedef struct Cur
{
	DbcMyTok   *t;
	int			n;
	int			i;
	char	   *default_schema;
} Cur;

static DbcMyTok *
peek(Cur *c, int k)
{
	return c->i + k < c->n ? &c->t[c->i + k] : NULL;
}

static bool
kw_at(Cur *c, int k, const char *kw)
{
	return is_kw(peek(c, k), kw);
}

static bool
accept(Cur *c, const char *kw)
{
	if (kw_at(c, 0, kw))
	{
		c->i++;
		return true;
	}
	return false;
}

static bool
accept2(Cur *c, const char *kw1, const char *kw2)
{
	if (kw_at(c, 0, kw1) && kw_at(c, 1, kw2))
	{
		c->i += 2;
		return true;
	}
	return false;
}

static bool
accept_punct(Cur *c, char ch)
{
	if (is_punct(peek(c, 0), ch))
	{
		c->i++;
		return true;
	}
	return false;
}

static char *
upper(const char *s)
{
	char	   *u = pstrdup(s);
	char	   *p;

	for (p = u; *p; p++)
		*p = pg_toupper((unsigned char) *p);
	return u;
}

static bool
is_ident_tok(const DbcMyTok *t)
{
	return t != NULL && (t->type == MYT_WORD || t->type == MYT_QIDENT ||
						 (t->type == MYT_STRING));
}

/* An identifier; NULL (and nothing consumed) when the next token is none. */
static char *
ident(Cur *c)
{
	DbcMyTok   *t = peek(c, 0);

	if (!is_ident_tok(t))
		return NULL;
	c->i++;
	return t->val;
}

/* [schema.]name; false when there is no name. */
static bool
qualified_name(Cur *c, char **schema, char **name)
{
	char	   *a = ident(c);

	*schema = NULL;
	*name = a;
	if (a == NULL)
		return false;
	if (is_punct(peek(c, 0), '.') && is_ident_tok(peek(c, 1)))
	{
		c->i++;
		*schema = a;
		*name = ident(c);
	}
	if (*schema == NULL && c->default_schema)
		*schema = c->default_schema;
	return true;
}

static char *
identity_of(const char *schema, const char *name)
{
	if (name == NULL)
		return NULL;
	return schema ? psprintf("%s.%s", schema, name) : pstrdup(name);
}

static void
add_op(MyFacts *f, const char *op)
{
	ListCell   *lc;

	foreach(lc, f->operations)
		if (strcmp((char *) lfirst(lc), op) == 0)
			return;
	f->operations = lappend(f->operations, pstrdup(op));
}

static void
add_column(MyFacts *f, const char *col)
{
	ListCell   *lc;

	if (col == NULL)
		return;
	foreach(lc, f->columns)
		if (strcmp((char *) lfirst(lc), col) == 0)
			return;
	f->columns = lappend(f->columns, pstrdup(col));
}

/* Skip a user name: 'u'@'h', u@h, CURRENT_USER[()]. */
static void
skip_user(Cur *c)
{
	if (ident(c) == NULL)
		return;
	if (is_punct(peek(c, 0), '(') && is_punct(peek(c, 1), ')'))
		c->i += 2;
	if (accept_punct(c, '@'))
		(void) ident(c);
}

/* Value after NAME [=]: upper-cased; NULL when absent. */
static char *
option_value(Cur *c)
{
	DbcMyTok   *t;

	accept_punct(c, '=');
	t = peek(c, 0);
	if (t == NULL || t->type == MYT_PUNCT)
		return NULL;
	c->i++;
	return upper(t->val);
}

/* Move to the next ',' at parenthesis depth 0 (or the end); consume it. */
static void
skip_to_comma(Cur *c)
{
	int			depth = 0;

	for (; c->i < c->n; c->i++)
	{
		DbcMyTok   *t = &c->t[c->i];

		if (is_punct(t, '('))
			depth++;
		else if (is_punct(t, ')'))
			depth--;
		else if (is_punct(t, ',') && depth == 0)
		{
			c->i++;
			return;
		}
	}
}

/*
 * Look at the rest of the statement (at parenthesis depth 0) for
 * ALGORITHM [=] x, LOCK [=] x and ENGINE [=] x clauses.
 */
static void
scan_clauses(Cur *c, MyFacts *f, bool engine_is_change)
{
	int			depth = 0;
	int			save = c->i;

	while (c->i < c->n)
	{
		DbcMyTok   *t = &c->t[c->i];

		if (is_punct(t, '('))
			depth++;
		else if (is_punct(t, ')'))
			depth--;
		else if (depth == 0 && (is_kw(t, "ALGORITHM") || is_kw(t, "LOCK") || is_kw(t, "ENGINE")))
		{
			char	   *v;

			c->i++;
			v = option_value(c);
			if (v == NULL)
				continue;
			if (is_kw(t, "ALGORITHM"))
				f->algorithm = v;
			else if (is_kw(t, "LOCK"))
				f->lock = v;
			else
			{
				f->engine = v;
				if (engine_is_change)
				{
					add_op(f, "change_engine");
					f->rewrites = true;
				}
			}
			continue;
		}
		c->i++;
	}
	c->i = save;
}

static bool
has_where(Cur *c)
{
	int			depth = 0;
	int			i;

	for (i = c->i; i < c->n; i++)
	{
		if (is_punct(&c->t[i], '('))
			depth++;
		else if (is_punct(&c->t[i], ')'))
			depth--;
		else if (depth == 0 && is_kw(&c->t[i], "WHERE"))
			return true;
	}
	return false;
}

/* Words that start a non-column element of a table definition. */
static bool
is_table_element_kw(const DbcMyTok *t)
{
	static const char *const kws[] = {"INDEX", "KEY", "UNIQUE", "PRIMARY", "FULLTEXT", "SPATIAL",
	"CONSTRAINT", "FOREIGN", "CHECK", "PERIOD", "VECTOR", NULL};
	int			i;

	if (t == NULL || t->type != MYT_WORD)
		return false;
	for (i = 0; kws[i]; i++)
		if (is_kw(t, kws[i]))
			return true;
	return false;
}

/* At '(': the column names of a list of table elements; consumes the list. */
static void
element_columns(Cur *c, MyFacts *f)
{
	if (!accept_punct(c, '('))
		return;
	while (c->i < c->n)
	{
		DbcMyTok   *t = peek(c, 0);
		int			depth = 0;

		if (is_punct(t, ')'))
		{
			c->i++;
			return;
		}
		if (!is_table_element_kw(t) && is_ident_tok(t))
			add_column(f, t->val);
		/* to the ',' or ')' that ends the element */
		for (; c->i < c->n; c->i++)
		{
			t = &c->t[c->i];
			if (is_punct(t, '('))
				depth++;
			else if (is_punct(t, ')'))
			{
				if (depth == 0)
					break;
				depth--;
			}
			else if (is_punct(t, ',') && depth == 0)
			{
				c->i++;
				break;
			}
		}
	}
}

/* ALTER TABLE: one alter specification, up to its ',' */
static void
alter_table_spec(Cur *c, MyFacts *f)
{
	if (accept(c, "ADD"))
	{
		bool		column = accept(c, "COLUMN");

		if (!column && (kw_at(c, 0, "INDEX") || kw_at(c, 0, "KEY") || kw_at(c, 0, "FULLTEXT") ||
			kw_at(c, 0, "SPATIAL") || kw_at(c, 0, "VECTOR")))
			add_op(f, "add_index");
		else if (!column && kw_at(c, 0, "UNIQUE"))
		{
			add_op(f, "add_index");
			add_op(f, "add_constraint");
		}
		else if (!column && kw_at(c, 0, "PRIMARY"))
		{
			add_op(f, "add_constraint");
			add_op(f, "add_primary_key");
			f->rewrites = true;
		}
		else if (!column && (kw_at(c, 0, "CONSTRAINT") || kw_at(c, 0, "FOREIGN") || kw_at(c, 0, "CHECK")))
		{
			int			k = 0;

			add_op(f, "add_constraint");
			if (kw_at(c, 0, "CONSTRAINT"))
			{
				k = 1;
				if (!kw_at(c, 1, "PRIMARY") && !kw_at(c, 1, "UNIQUE") &&
					!kw_at(c, 1, "FOREIGN") && !kw_at(c, 1, "CHECK"))
					k = 2;		/* CONSTRAINT symbol */
			}
			if (kw_at(c, k, "FOREIGN"))
				add_op(f, "add_foreign_key");
			else if (kw_at(c, k, "PRIMARY"))
			{
				add_op(f, "add_primary_key");
				f->rewrites = true;
			}
			else if (kw_at(c, k, "UNIQUE"))
				add_op(f, "add_index");
			else if (kw_at(c, k, "CHECK"))
				add_op(f, "add_check");
		}
		else if (!column && kw_at(c, 0, "PARTITION"))
			add_op(f, "add_partition");
		else if (!column && (kw_at(c, 0, "PERIOD") || kw_at(c, 0, "SYSTEM")))
			add_op(f, "set_table_option");
		else
		{
			add_op(f, "add_column");
			if (kw_at(c, 0, "IF") && kw_at(c, 1, "NOT") && kw_at(c, 2, "EXISTS"))
			{
				c->i += 3;
				f->if_not_exists = true;
			}
			if (is_punct(peek(c, 0), '('))
				element_columns(c, f);
			else
				add_column(f, ident(c));
		}
	}
	else if (accept(c, "DROP"))
	{
		bool		column = accept(c, "COLUMN");

		if (!column && (kw_at(c, 0, "INDEX") || kw_at(c, 0, "KEY")))
			add_op(f, "drop_index");
		else if (!column && kw_at(c, 0, "PRIMARY"))
		{
			add_op(f, "drop_constraint");
			add_op(f, "drop_primary_key");
			f->rewrites = true;
		}
		else if (!column && kw_at(c, 0, "FOREIGN"))
		{
			add_op(f, "drop_constraint");
			add_op(f, "drop_foreign_key");
		}
		else if (!column && (kw_at(c, 0, "CONSTRAINT") || kw_at(c, 0, "CHECK")))
			add_op(f, "drop_constraint");
		else if (!column && kw_at(c, 0, "PARTITION"))
		{
			add_op(f, "drop_partition");
			f->destructive = true;
		}
		else if (!column && kw_at(c, 0, "SYSTEM"))
		{
			add_op(f, "drop_system_versioning");
			f->destructive = true;
		}
		else
		{
			add_op(f, "drop_column");
			f->destructive = true;
			f->rewrites = true;
			if (accept2(c, "IF", "EXISTS"))
				f->if_exists = true;
			add_column(f, ident(c));
		}
	}
	else if (accept(c, "MODIFY"))
	{
		accept(c, "COLUMN");
		add_op(f, "modify_column");
		f->rewrites = true;
		if (accept2(c, "IF", "EXISTS"))
			f->if_exists = true;
		add_column(f, ident(c));
	}
	else if (accept(c, "CHANGE"))
	{
		char	   *old_name;
		char	   *new_name;

		accept(c, "COLUMN");
		add_op(f, "change_column");
		f->rewrites = true;
		if (accept2(c, "IF", "EXISTS"))
			f->if_exists = true;
		old_name = ident(c);
		new_name = ident(c);
		add_column(f, old_name);
		if (old_name && new_name && pg_strcasecmp(old_name, new_name) != 0)
		{
			add_op(f, "rename_column");
			add_column(f, new_name);
		}
	}
	else if (accept(c, "RENAME"))
	{
		if (accept(c, "COLUMN"))
		{
			add_op(f, "rename_column");
			add_column(f, ident(c));
			accept(c, "TO");
			add_column(f, ident(c));
		}
		else if (accept(c, "INDEX") || accept(c, "KEY"))
			add_op(f, "rename_index");
		else
		{
			char	   *s;
			char	   *n;

			if (!accept(c, "TO"))
				accept(c, "AS");
			add_op(f, "rename");
			if (qualified_name(c, &s, &n))
				f->new_name = identity_of(s, n);
		}
	}
	else if (accept(c, "ALTER"))
	{
		if (accept(c, "INDEX") || accept(c, "KEY"))
			add_op(f, "alter_index");
		else if (accept(c, "CONSTRAINT") || accept(c, "CHECK"))
			add_op(f, "alter_constraint");
		else
		{
			char	   *col;

			accept(c, "COLUMN");
			if (accept2(c, "IF", "EXISTS"))
				f->if_exists = true;
			col = ident(c);
			add_column(f, col);
			if (accept2(c, "SET", "DEFAULT"))
				add_op(f, "set_default");
			else if (accept2(c, "DROP", "DEFAULT"))
				add_op(f, "drop_default");
			else
				add_op(f, "alter_column");
		}
	}
	else if (kw_at(c, 0, "ALGORITHM") || kw_at(c, 0, "LOCK") || kw_at(c, 0, "ENGINE"))
	{
		/* read by scan_clauses() */
	}
	else if (accept(c, "CONVERT"))
	{
		add_op(f, "convert_charset");
		f->rewrites = true;
	}
	else if (kw_at(c, 0, "DEFAULT") || kw_at(c, 0, "CHARACTER") || kw_at(c, 0, "CHARSET") ||
			 kw_at(c, 0, "COLLATE"))
		add_op(f, "set_charset");
	else if (accept(c, "FORCE"))
	{
		add_op(f, "rebuild");
		f->rewrites = true;
	}
	else if (accept2(c, "ORDER", "BY"))
	{
		add_op(f, "order_by");
		f->rewrites = true;
	}
	else if (accept(c, "DISABLE"))
		add_op(f, "disable_keys");
	else if (accept(c, "ENABLE"))
		add_op(f, "enable_keys");
	else if (accept(c, "DISCARD"))
	{
		add_op(f, "discard_tablespace");
		f->destructive = true;
	}
	else if (accept(c, "IMPORT"))
		add_op(f, "import_tablespace");
	else if (accept2(c, "PARTITION", "BY"))
	{
		add_op(f, "partition_by");
		f->rewrites = true;
	}
	else if (accept2(c, "REMOVE", "PARTITIONING"))
	{
		add_op(f, "remove_partitioning");
		f->rewrites = true;
	}
	else if (kw_at(c, 1, "PARTITION") &&
			 (kw_at(c, 0, "TRUNCATE") || kw_at(c, 0, "COALESCE") || kw_at(c, 0, "REORGANIZE") ||
			  kw_at(c, 0, "EXCHANGE") || kw_at(c, 0, "ANALYZE") || kw_at(c, 0, "CHECK") ||
			  kw_at(c, 0, "OPTIMIZE") || kw_at(c, 0, "REBUILD") || kw_at(c, 0, "REPAIR") ||
			  kw_at(c, 0, "CONVERT")))
	{
		char	   *verb = asc_tolower(peek(c, 0)->val, strlen(peek(c, 0)->val));

		add_op(f, psprintf("%s_partition", verb));
		if (strcmp(verb, "truncate") == 0 || strcmp(verb, "exchange") == 0 ||
			strcmp(verb, "coalesce") == 0)
			f->destructive = true;
	}
	else if (kw_at(c, 0, "WITH") || kw_at(c, 0, "WITHOUT"))
	{
		/* WITH[OUT] VALIDATION: an option of EXCHANGE PARTITION */
	}
	else if (peek(c, 0) != NULL)
		add_op(f, "set_table_option");	/* AUTO_INCREMENT, COMMENT, ROW_FORMAT, ... */
	skip_to_comma(c);
}

static void
classify_alter_table(Cur *c, MyFacts *f)
{
	f->command = "ALTER TABLE";
	f->object_type = "table";
	qualified_name(c, &f->schema, &f->name);
	scan_clauses(c, f, true);
	while (c->i < c->n)
	{
		int			before = c->i;

		alter_table_spec(c, f);
		if (c->i == before)
			c->i++;
	}
	if (f->algorithm && strcmp(f->algorithm, "INSTANT") == 0)
		f->rewrites = false;
	else if (f->algorithm && strcmp(f->algorithm, "COPY") == 0)
		f->rewrites = true;
}

/* Words that may stand between CREATE/ALTER/DROP and the object type. */
static bool
skip_modifiers(Cur *c, MyFacts *f)
{
	bool		any = false;

	for (;;)
	{
		if (accept2(c, "OR", "REPLACE"))
			f->or_replace = true;
		else if (accept(c, "TEMPORARY"))
			f->temporary = true;
		else if (accept(c, "ONLINE") || accept(c, "OFFLINE") || accept(c, "IGNORE") ||
				 accept(c, "AGGREGATE") || accept(c, "UNIQUE") || accept(c, "FULLTEXT") ||
				 accept(c, "SPATIAL") || accept(c, "UNDO") || accept(c, "EXTERNAL"))
			;
		else if (kw_at(c, 0, "ALGORITHM") && is_punct(peek(c, 1), '='))
		{
			c->i++;
			f->algorithm = option_value(c);
		}
		else if (kw_at(c, 0, "DEFINER") && is_punct(peek(c, 1), '='))
		{
			c->i += 2;
			skip_user(c);
		}
		else if (accept2(c, "SQL", "SECURITY"))
			(void) ident(c);
		else
			return any;
		any = true;
	}
}

static void
if_exists_clause(Cur *c, MyFacts *f)
{
	if (kw_at(c, 0, "IF") && kw_at(c, 1, "NOT") && kw_at(c, 2, "EXISTS"))
	{
		c->i += 3;
		f->if_not_exists = true;
	}
	else if (accept2(c, "IF", "EXISTS"))
		f->if_exists = true;
}

/* A list of [schema.]names separated by commas, into f->objects. */
static void
name_list(Cur *c, MyFacts *f)
{
	char	   *s;
	char	   *n;

	while (qualified_name(c, &s, &n))
	{
		if (f->name == NULL)
		{
			f->schema = s;
			f->name = n;
		}
		f->objects = lappend(f->objects, identity_of(s, n));
		if (!accept_punct(c, ','))
			break;
	}
}

static const char *
object_type_of(const char *word)
{
	static const char *const map[][2] = {
		{"TABLE", "table"}, {"TABLES", "table"}, {"INDEX", "index"}, {"VIEW", "view"},
		{"DATABASE", "database"}, {"SCHEMA", "database"}, {"PROCEDURE", "procedure"},
		{"FUNCTION", "function"}, {"TRIGGER", "trigger"}, {"EVENT", "event"},
		{"USER", "user"}, {"ROLE", "role"}, {"SEQUENCE", "sequence"}, {"SERVER", "server"},
		{"TABLESPACE", "tablespace"}, {"PACKAGE", "package"}, {"LOGFILE", "logfile group"},
		{"SPATIAL", "spatial reference system"}, {"RESOURCE", "resource group"},
		{"INSTANCE", "instance"}, {NULL, NULL}
	};
	int			i;

	for (i = 0; map[i][0]; i++)
		if (pg_strcasecmp(word, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* CREATE / ALTER / DROP <object>: the common shape. */
static void
classify_object_ddl(Cur *c, MyFacts *f, const char *verb)
{
	DbcMyTok   *objtok;
	const char *otype;

	skip_modifiers(c, f);
	objtok = peek(c, 0);
	otype = objtok && objtok->type == MYT_WORD ? object_type_of(objtok->val) : NULL;
	if (otype == NULL)
	{
		f->command = objtok && objtok->type == MYT_WORD ?
			psprintf("%s %s", verb, upper(objtok->val)) : verb;
		return;
	}
	c->i++;
	if (strcmp(otype, "logfile group") == 0 || strcmp(otype, "resource group") == 0)
		accept(c, "GROUP");
	else if (strcmp(otype, "spatial reference system") == 0)
	{
		accept(c, "REFERENCE");
		accept(c, "SYSTEM");
	}
	if (pg_strcasecmp(objtok->val, "SCHEMA") == 0)
		f->command = psprintf("%s DATABASE", verb);
	else
		f->command = psprintf("%s %s", verb, strcmp(otype, "logfile group") == 0 ? "LOGFILE GROUP" :
							  upper(otype));
	f->object_type = otype;
	f->is_ddl = true;

	if (strcmp(verb, "ALTER") == 0 && strcmp(otype, "table") == 0)
	{
		classify_alter_table(c, f);
		return;
	}

	if_exists_clause(c, f);
	if (strcmp(verb, "DROP") == 0)
	{
		f->destructive = true;
		if (strcmp(otype, "index") == 0)
		{
			add_op(f, "drop_index");
			qualified_name(c, &f->schema, &f->name);
			if (accept(c, "ON"))
				qualified_name(c, &f->table_schema, &f->table_name);
			f->schema = f->table_schema;
			scan_clauses(c, f, false);
			return;
		}
		if (strcmp(otype, "database") == 0)
		{
			f->name = ident(c);
			return;
		}
		name_list(c, f);
		if (accept(c, "CASCADE"))
			f->cascade = true;
		if (list_length(f->objects) < 2)
			f->objects = NIL;
		return;
	}

	if (strcmp(otype, "database") == 0 || strcmp(otype, "user") == 0 ||
		strcmp(otype, "role") == 0 || strcmp(otype, "server") == 0 ||
		strcmp(otype, "tablespace") == 0)
	{
		f->name = ident(c);
		return;
	}
	if (strcmp(otype, "index") == 0)
	{
		/* CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX name [USING x] ON tbl (...) */
		f->name = ident(c);
		while (c->i < c->n && !kw_at(c, 0, "ON"))
			c->i++;
		if (accept(c, "ON"))
			qualified_name(c, &f->table_schema, &f->table_name);
		f->schema = f->table_schema;
		add_op(f, "add_index");
		element_columns(c, f);
		scan_clauses(c, f, false);
		return;
	}
	qualified_name(c, &f->schema, &f->name);
	if (strcmp(otype, "trigger") == 0)
	{
		while (c->i < c->n && !kw_at(c, 0, "ON"))
			c->i++;
		if (accept(c, "ON"))
			qualified_name(c, &f->table_schema, &f->table_name);
		return;
	}
	if (strcmp(otype, "table") == 0 && strcmp(verb, "CREATE") == 0)
	{
		if (accept(c, "LIKE"))
			add_op(f, "create_like");
		else if (is_punct(peek(c, 0), '('))
		{
			if (kw_at(c, 1, "LIKE"))
				add_op(f, "create_like");
			else
				element_columns(c, f);
		}
		scan_clauses(c, f, false);
		while (c->i < c->n && !kw_at(c, 0, "SELECT") && !kw_at(c, 0, "AS"))
			c->i++;
		if (c->i < c->n)
			add_op(f, "create_as_select");
		return;
	}
	if (strcmp(otype, "view") == 0 && strcmp(verb, "ALTER") == 0)
		add_op(f, "replace_view");
}

static void
classify_rename(Cur *c, MyFacts *f)
{
	char	   *s;
	char	   *n;

	if (accept(c, "USER"))
	{
		f->command = "RENAME USER";
		f->object_type = "user";
		f->name = ident(c);
		add_op(f, "rename");
		f->is_ddl = true;
		return;
	}
	if (!accept(c, "TABLE"))
		accept(c, "TABLES");
	f->command = "RENAME TABLE";
	f->object_type = "table";
	f->is_ddl = true;
	add_op(f, "rename");
	if (accept2(c, "IF", "EXISTS"))
		f->if_exists = true;
	while (qualified_name(c, &s, &n))
	{
		if (f->name == NULL)
		{
			f->schema = s;
			f->name = n;
		}
		f->objects = lappend(f->objects, identity_of(s, n));
		if (accept(c, "TO") && qualified_name(c, &s, &n))
		{
			if (f->new_name == NULL)
				f->new_name = identity_of(s, n);
			f->objects = lappend(f->objects, identity_of(s, n));
		}
		scan_clauses(c, f, false);
		if (!accept_punct(c, ','))
			break;
	}
}

/* INSERT / REPLACE / UPDATE / DELETE / LOAD DATA: the table they write. */
static void
classify_dml(Cur *c, MyFacts *f, const char *cmd)
{
	f->command = cmd;
	f->object_type = "table";
	f->is_dml = true;
	while (accept(c, "LOW_PRIORITY") || accept(c, "DELAYED") || accept(c, "HIGH_PRIORITY") ||
		   accept(c, "QUICK") || accept(c, "IGNORE") || accept(c, "CONCURRENT") ||
		   accept(c, "LOCAL"))
		;
	if (strcmp(cmd, "LOAD DATA") == 0)
	{
		while (c->i < c->n && !kw_at(c, 0, "TABLE"))
			c->i++;
		accept(c, "TABLE");
	}
	else
	{
		accept(c, "INTO");
		accept(c, "FROM");
	}
	qualified_name(c, &f->schema, &f->name);
	if (strcmp(cmd, "UPDATE") == 0 || strcmp(cmd, "DELETE") == 0)
	{
		f->has_where = has_where(c) ? 1 : 0;
		/* a whole-table UPDATE or DELETE destroys data as surely as TRUNCATE */
		f->destructive = f->has_where == 0;
	}
}

static void
classify_tokens(Cur *c, MyFacts *f)
{
	DbcMyTok   *first = peek(c, 0);

	if (first == NULL)
		return;
	if (first->type != MYT_WORD)
	{
		f->command = "UNKNOWN";
		return;
	}
	c->i++;
	if (is_kw(first, "CREATE") || is_kw(first, "ALTER") || is_kw(first, "DROP"))
		classify_object_ddl(c, f, upper(first->val));
	else if (is_kw(first, "RENAME"))
		classify_rename(c, f);
	else if (is_kw(first, "TRUNCATE"))
	{
		accept(c, "TABLE");
		f->command = "TRUNCATE TABLE";
		f->object_type = "table";
		f->is_ddl = true;
		f->destructive = true;
		qualified_name(c, &f->schema, &f->name);
	}
	else if (is_kw(first, "GRANT") || is_kw(first, "REVOKE"))
	{
		f->command = upper(first->val);
		f->is_ddl = true;
		while (c->i < c->n && !kw_at(c, 0, "ON"))
			c->i++;
		if (accept(c, "ON"))
		{
			if (accept(c, "TABLE"))
				f->object_type = "table";
			else if (accept(c, "FUNCTION"))
				f->object_type = "function";
			else if (accept(c, "PROCEDURE"))
				f->object_type = "procedure";
			if (is_ident_tok(peek(c, 0)))
			{
				qualified_name(c, &f->schema, &f->name);
				if (f->object_type == NULL)
					f->object_type = "table";
			}
		}
	}
	else if (is_kw(first, "INSERT") || is_kw(first, "REPLACE") || is_kw(first, "UPDATE") ||
			 is_kw(first, "DELETE"))
		classify_dml(c, f, upper(first->val));
	else if (is_kw(first, "LOAD") && kw_at(c, 0, "DATA"))
		classify_dml(c, f, "LOAD DATA");
	else if (is_kw(first, "USE"))
	{
		f->command = "USE";
		f->object_type = "database";
		f->name = ident(c);
		if (f->name)
			c->default_schema = pstrdup(f->name);
	}
	else if ((is_kw(first, "OPTIMIZE") || is_kw(first, "ANALYZE") || is_kw(first, "CHECK") ||
			  is_kw(first, "REPAIR")) && (kw_at(c, 0, "TABLE") || kw_at(c, 0, "TABLES") ||
										  kw_at(c, 0, "NO_WRITE_TO_BINLOG") ||
										  kw_at(c, 0, "LOCAL")))
	{
		f->command = psprintf("%s TABLE", upper(first->val));
		f->object_type = "table";
		accept(c, "NO_WRITE_TO_BINLOG");
		accept(c, "LOCAL");
		if (!accept(c, "TABLE"))
			accept(c, "TABLES");
		name_list(c, f);
		if (list_length(f->objects) < 2)
			f->objects = NIL;
		f->implicit_commit = true;
	}
	else if (is_kw(first, "START") && kw_at(c, 0, "TRANSACTION"))
		f->command = "START TRANSACTION";
	else if (is_kw(first, "LOCK") || is_kw(first, "UNLOCK"))
	{
		f->command = psprintf("%s TABLES", upper(first->val));
		f->implicit_commit = true;
	}
	else if (is_kw(first, "BEGIN") && kw_at(c, 0, "NOT"))
		f->command = "BEGIN NOT ATOMIC";
	else
		f->command = upper(first->val);
	if (f->is_ddl)
		f->implicit_commit = true;
}

static void
put_opt_text(JsonbParseState **st, const char *key, const char *val)
{
	if (val)
		dbc_put_text(st, key, val);
	else
		dbc_put_null(st, key);
}

void
dbc_mysql_classify(JsonbParseState **st, DbcMyStmt *s, char **default_schema)
{
	MyFacts		f;
	Cur			c;

	memset(&f, 0, sizeof(f));
	f.has_where = -1;
	c.t = s->toks;
	c.n = s->ntoks;
	c.i = 0;
	c.default_schema = *default_schema;
	classify_tokens(&c, &f);
	*default_schema = c.default_schema;

	if (f.table_name && f.table_schema == NULL && c.default_schema)
		f.table_schema = c.default_schema;

	dbc_put_text(st, "dialect", "mysql");
	dbc_put_text(st, "command", f.command ? f.command : "UNKNOWN");
	dbc_put_text(st, "statement", s->text);
	dbc_put_int(st, "statement_no", s->statement_no);
	dbc_put_int(st, "line", s->line);
	put_opt_text(st, "object_type", f.object_type);
	put_opt_text(st, "schema", f.schema);
	put_opt_text(st, "name", f.name);
	put_opt_text(st, "identity", identity_of(f.schema, f.name));
	put_opt_text(st, "table", identity_of(f.table_schema, f.table_name));
	if (f.new_name)
		dbc_put_text(st, "new_name", f.new_name);
	dbc_put_text_list(st, "operations", f.operations);
	dbc_put_text_list(st, "columns", f.columns);
	if (f.objects)
		dbc_put_text_list(st, "objects", f.objects);
	dbc_put_bool(st, "destructive", f.destructive);
	dbc_put_bool(st, "if_exists", f.if_exists);
	dbc_put_bool(st, "if_not_exists", f.if_not_exists);
	dbc_put_bool(st, "temporary", f.temporary);
	dbc_put_bool(st, "or_replace", f.or_replace);
	dbc_put_bool(st, "cascade", f.cascade);
	dbc_put_bool(st, "rewrites_table", f.rewrites);
	dbc_put_bool(st, "is_ddl", f.is_ddl);
	dbc_put_bool(st, "is_dml", f.is_dml);
	dbc_put_bool(st, "implicit_commit", f.implicit_commit);
	if (f.has_where >= 0)
		dbc_put_bool(st, "has_where", f.has_where == 1);
	put_opt_text(st, "lock", f.lock);
	put_opt_text(st, "algorithm", f.algorithm);
	put_opt_text(st, "engine", f.engine);
}
