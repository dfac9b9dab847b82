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
#include "miscadmin.h"
#include "utils/builtins.h"
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
			 errmsg("unterminated %s in MySQL script at line %d", what, dbc_line_of(lx->s, start)),
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

/* The first significant token at or after k (ntoks when none). */
static int
sig_at(DbcMyTok *toks, int ntoks, int k)
{
	while (k < ntoks && !is_sig(&toks[k]))
		k++;
	return k;
}

/* The significant token after k. */
static int
sig_after(DbcMyTok *toks, int ntoks, int k)
{
	return k < ntoks ? sig_at(toks, ntoks, k + 1) : ntoks;
}

#define TOK_AT(k) ((k) < ntoks ? &toks[k] : NULL)

/* Does a statement of a compound body start with this word? (RETURN too) */
static bool
is_body_verb(const DbcMyTok *t)
{
	static const char *const kws[] = {
		"BEGIN", "IF", "CASE", "LOOP", "REPEAT", "WHILE", "FOR", "RETURN", "DECLARE",
		"SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "CALL", "DO", "WITH", "VALUES",
		"TABLE", "DROP", "CREATE", "ALTER", "TRUNCATE", "RENAME", "GRANT", "REVOKE",
		"LOCK", "UNLOCK", "FLUSH", "KILL", "SIGNAL", "RESIGNAL", "GET", "LEAVE", "ITERATE",
		"OPEN", "CLOSE", "FETCH", "HANDLER", "LOAD", "ANALYZE", "OPTIMIZE", "CHECK",
		"REPAIR", "START", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PURGE", "RESET",
		"INSTALL", "UNINSTALL", "SHOW", "USE", "XA", "PREPARE", "EXECUTE", "DEALLOCATE",
		"CHANGE", "SET", NULL};
	int			i;

	for (i = 0; kws[i]; i++)
		if (is_kw(t, kws[i]))
			return true;
	return false;
}

/* Past the routine characteristics (COMMENT 'x', LANGUAGE SQL, DETERMINISTIC, ...) from k. */
static int
skip_characteristics(DbcMyTok *toks, int ntoks, int k)
{
	for (;;)
	{
		DbcMyTok   *t = TOK_AT(k);
		int			k1 = sig_after(toks, ntoks, k);

		if (is_kw(t, "COMMENT") || is_kw(t, "LANGUAGE") ||
			((is_kw(t, "NOT") && is_kw(TOK_AT(k1), "DETERMINISTIC"))) ||
			((is_kw(t, "CONTAINS") || is_kw(t, "NO")) && is_kw(TOK_AT(k1), "SQL")))
			k = sig_after(toks, ntoks, k1);
		else if (is_kw(t, "DETERMINISTIC"))
			k = k1;
		else if ((is_kw(t, "READS") || is_kw(t, "MODIFIES") || is_kw(t, "SQL")) &&
				 (is_kw(TOK_AT(k1), "SQL") || is_kw(TOK_AT(k1), "SECURITY")))
			k = sig_after(toks, ntoks, sig_after(toks, ntoks, k1));
		else
			return k;
	}
}

/* From k at '(', the token past the matching ')' (or the ';' that ends the statement). */
static int
skip_parens_at(DbcMyTok *toks, int ntoks, int k)
{
	int			depth = 0;

	for (; k < ntoks && toks[k].type != MYT_SEMI; k++)
	{
		if (is_punct(&toks[k], '('))
			depth++;
		else if (is_punct(&toks[k], ')') && --depth == 0)
			return sig_after(toks, ntoks, k);
	}
	return k;
}

/*
 * Does the statement that starts at token k have a compound body (BEGIN ...
 * END with inner semicolons)?  CREATE [OR REPLACE] [DEFINER = user]
 * [AGGREGATE] PROCEDURE|FUNCTION|TRIGGER|EVENT, ALTER EVENT ... DO, and
 * MariaDB's anonymous BEGIN NOT ATOMIC.  Returns the index of the body's
 * first token, where its first statement starts, or -1 when there is none.
 * Only there, and at the statement positions inside the body, do BEGIN, IF,
 * CASE, LOOP, WHILE and REPEAT open blocks: elsewhere they are names or
 * function calls (SELECT begin FROM t, DO REPEAT('x', 3)).
 */
static int
compound_body_start(DbcMyTok *toks, int ntoks, int k)
{
	bool		alter;
	bool		function;
	int			depth = 0;
	DbcMyTok   *prev = NULL;

	k = sig_at(toks, ntoks, k);
	if (is_kw(TOK_AT(k), "BEGIN") && is_kw(TOK_AT(sig_after(toks, ntoks, k)), "NOT"))
		return k;
	alter = is_kw(TOK_AT(k), "ALTER");
	if (!alter && !is_kw(TOK_AT(k), "CREATE"))
		return -1;
	k = sig_after(toks, ntoks, k);
	if (is_kw(TOK_AT(k), "OR") && is_kw(TOK_AT(sig_after(toks, ntoks, k)), "REPLACE"))
		k = sig_after(toks, ntoks, sig_after(toks, ntoks, k));
	if (is_kw(TOK_AT(k), "DEFINER"))
	{
		k = sig_after(toks, ntoks, k);
		if (is_punct(TOK_AT(k), '='))
			k = sig_after(toks, ntoks, k);
		k = sig_after(toks, ntoks, k);	/* user, or CURRENT_USER */
		if (is_punct(TOK_AT(k), '(') && is_punct(TOK_AT(sig_after(toks, ntoks, k)), ')'))
			k = sig_after(toks, ntoks, sig_after(toks, ntoks, k));
		if (is_punct(TOK_AT(k), '@'))
			k = sig_after(toks, ntoks, sig_after(toks, ntoks, k));	/* @host */
	}
	if (is_kw(TOK_AT(k), "AGGREGATE"))
		k = sig_after(toks, ntoks, k);
	if (is_kw(TOK_AT(k), "TRIGGER") && !alter)
	{
		/* ... FOR EACH ROW [FOLLOWS | PRECEDES other] */
		for (; k < ntoks && toks[k].type != MYT_SEMI; k = sig_after(toks, ntoks, k))
		{
			if (is_kw(&toks[k], "ROW") && is_kw(prev, "EACH"))
			{
				k = sig_after(toks, ntoks, k);
				if (is_kw(TOK_AT(k), "FOLLOWS") || is_kw(TOK_AT(k), "PRECEDES"))
					k = sig_after(toks, ntoks, sig_after(toks, ntoks, k));
				return k;
			}
			prev = &toks[k];
		}
		return -1;
	}
	if (is_kw(TOK_AT(k), "EVENT"))
	{
		/* ... DO body: the first DO outside parentheses */
		for (; k < ntoks && toks[k].type != MYT_SEMI; k = sig_after(toks, ntoks, k))
		{
			if (is_punct(&toks[k], '('))
				depth++;
			else if (is_punct(&toks[k], ')'))
				depth--;
			else if (depth == 0 && is_kw(&toks[k], "DO"))
				return sig_after(toks, ntoks, k);
		}
		return -1;
	}
	function = is_kw(TOK_AT(k), "FUNCTION");
	if (alter || !(function || is_kw(TOK_AT(k), "PROCEDURE")))
		return -1;
	k = sig_after(toks, ntoks, k);
	if (is_kw(TOK_AT(k), "IF") && is_kw(TOK_AT(sig_after(toks, ntoks, k)), "NOT"))
		k = sig_after(toks, ntoks, sig_after(toks, ntoks, sig_after(toks, ntoks, k)));
	k = sig_after(toks, ntoks, k);	/* the name */
	if (is_punct(TOK_AT(k), '.'))
		k = sig_after(toks, ntoks, sig_after(toks, ntoks, k));
	if (is_punct(TOK_AT(k), '('))
		k = skip_parens_at(toks, ntoks, k);
	if (function && is_kw(TOK_AT(k), "RETURNS"))
	{
		/* the type: words and (...), up to a characteristic or the body */
		prev = &toks[k];
		k = sig_after(toks, ntoks, k);
		while (k < ntoks && toks[k].type != MYT_SEMI)
		{
			DbcMyTok   *t = &toks[k];
			int			k1 = sig_after(toks, ntoks, k);

			if (is_punct(t, '('))
			{
				k = skip_parens_at(toks, ntoks, k);
				continue;
			}
			if (skip_characteristics(toks, ntoks, k) != k || is_punct(TOK_AT(k1), ':') ||
				(is_body_verb(t) && !(is_kw(t, "SET") &&
									  (is_kw(prev, "RETURNS") || is_kw(prev, "CHARACTER") ||
									   is_kw(prev, "CHAR")))))
				break;
			prev = t;
			k = k1;
		}
	}
	return skip_characteristics(toks, ntoks, k);
}

/* Line numbers, counted forward from the previous statement (scripts are long). */
typedef struct LineCursor
{
	int			pos;
	int			line;
} LineCursor;

static int
line_from(const char *s, LineCursor *lc, int pos)
{
	for (; lc->pos < pos && s[lc->pos]; lc->pos++)
		if (s[lc->pos] == '\n')
			lc->line++;
	return lc->line;
}

static void
finish_statement(List **out, const char *script, DbcMyTok *toks, int first, int last,
				 LineCursor *lines)
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
						dbc_line_of(script, sig[0].start)),
				 errdetail("DELIMITER is a command of the mysql client, not SQL; the server never sees it."),
				 errhint("Remove the DELIMITER lines and end each statement with \";\": dbchange keeps the BEGIN ... END body of a procedure, function, trigger or event together by itself.")));

	/*
	 * Statements that make the server run statements of their own, at once:
	 * dynamic SQL (PREPARE ... FROM, EXECUTE, MariaDB's EXECUTE IMMEDIATE)
	 * runs text the classifier never sees (a string, a user variable, a
	 * CONCAT), BINLOG 'base64' replays binary log events (any change, encoded),
	 * and MariaDB's anonymous BEGIN NOT ATOMIC block runs its inner
	 * statements, which the facts do not describe.  No policy can judge what
	 * they do (EXECUTE IMMEDIATE 'DROP TABLE t' would be an "EXECUTE"), so
	 * they are refused, as the PostgreSQL side refuses what it cannot judge.
	 */
	if (is_kw(&sig[0], "PREPARE") || is_kw(&sig[0], "EXECUTE") || is_kw(&sig[0], "BINLOG") ||
		(nsig >= 2 && is_kw(&sig[0], "BEGIN") && is_kw(&sig[1], "NOT")))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s is not supported in MySQL scripts (line %d)",
						is_kw(&sig[0], "BEGIN") ? "BEGIN NOT ATOMIC" :
						is_kw(&sig[0], "PREPARE") ? "PREPARE" :
						is_kw(&sig[0], "BINLOG") ? "BINLOG" : "EXECUTE",
						dbc_line_of(script, sig[0].start)),
				 errdetail("The statement makes the server run other statements at once (dynamic SQL, replayed binary log events or an anonymous block), which the classifier cannot see, so no policy could judge them."),
				 errhint("Write the statements themselves in the script, one after the other; logic that needs a block belongs in a procedure (CREATE PROCEDURE), which is judged as such.")));
	st = palloc0(sizeof(DbcMyStmt));
	end = toks[last].start + toks[last].len;
	st->location = toks[first].start;
	st->text = pnstrdup(script + st->location, end - st->location);
	st->line = line_from(script, lines, st->location);
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
	int			body_at = -1;	/* the compound body's first token; -1: none */
	char		stack[64];
	int			depth = 0;
	bool		at_start = false;	/* the token is where a body statement starts */
	bool		label = false;	/* a label's ':' comes next */
	int			handler = 0;	/* DECLARE ... HANDLER FOR conditions: see below */
	DbcMyTok   *prev = NULL;
	LineCursor	lines = {0, 1};
	int			i;

	for (i = 0; i < ntoks; i++)
	{
		DbcMyTok   *t = &toks[i];

		if ((i & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		if (t->type == MYT_SEMI && depth == 0)
		{
			if (first >= 0)
				finish_statement(&out, script, toks, first, i - 1, &lines);
			first = -1;
			body_at = -1;
			prev = NULL;
			continue;
		}
		if (first < 0)
		{
			if (t->type == MYT_SEMI)
				continue;
			first = i;
			/* the statement's head tells whether it has a compound body, and where it starts */
			body_at = compound_body_start(toks, ntoks, i);
			depth = 0;
			at_start = false;
			label = false;
			handler = 0;
		}
		if (!is_sig(t))
			continue;
		if (body_at >= 0 && i >= body_at)
		{
			/*
			 * Block keywords count only where a statement starts: at the
			 * body's start, after ';', BEGIN, THEN, ELSE, LOOP, REPEAT, a
			 * label, the DO of a loop or an event and the conditions of a
			 * handler.  Elsewhere they are names (SELECT begin, end FROM t)
			 * or functions (DO IF(1, 2, 3), SET x = REPEAT('x', 3)).  END
			 * closes a block where a statement starts (END [IF | LOOP |
			 * REPEAT | WHILE | CASE | FOR | label]), and after UNTIL's
			 * condition (END REPEAT); a CASE in an expression closes at its
			 * own END.
			 */
			int			in = sig_after(toks, ntoks, i);
			DbcMyTok   *next = TOK_AT(in);
			char		top = depth > 0 ? stack[depth - 1] : 0;
			bool		next_start = false;
			char		push = 0;

			if (i == body_at)
				at_start = true;
			if (t->type == MYT_SEMI)
			{
				next_start = true;
				handler = 0;
			}
			else if (label && is_punct(t, ':'))
			{
				next_start = true;
				label = false;
			}
			else if (handler >= 3 && handler <= 5)
			{
				/* DECLARE ... HANDLER FOR cond [, cond] statement */
				bool		done = false;

				if (handler == 3 && is_kw(t, "SQLSTATE"))
					handler = 4;
				else if (handler == 3 && is_kw(t, "NOT"))
					handler = 5;
				else if (!(handler == 4 && is_kw(t, "VALUE")))
					done = true;
				if (done && is_punct(next, ','))
					handler = 6;
				else if (done)
				{
					handler = 0;
					next_start = true;
				}
			}
			else if (handler == 6 && is_punct(t, ','))
				handler = 3;
			else if (handler == 2 && is_kw(t, "FOR"))
				handler = 3;
			else if (handler == 1 && is_kw(t, "HANDLER"))
				handler = 2;
			else if (at_start && (t->type == MYT_WORD || t->type == MYT_QIDENT) &&
					 is_punct(next, ':') &&
					 !is_punct(TOK_AT(sig_after(toks, ntoks, in)), '='))
				label = true;	/* label: */
			else if (at_start && is_kw(t, "DECLARE"))
				handler = 1;
			else if (at_start && (is_kw(t, "BEGIN") || is_kw(t, "LOOP") || is_kw(t, "REPEAT")))
			{
				push = is_kw(t, "REPEAT") ? 'R' : 'B';
				next_start = true;
			}
			else if (at_start && (is_kw(t, "IF") || is_kw(t, "WHILE") || is_kw(t, "FOR")))
				push = 'B';		/* ... THEN, ... DO */
			else if (is_kw(t, "CASE") && at_start)
				push = 'S';
			else if (is_kw(t, "CASE") && !is_kw(prev, "END") && !is_punct(prev, '.') &&
					 next != NULL && next->type != MYT_SEMI && !is_kw(next, "FROM") &&
					 !is_kw(next, "AS") &&
					 !(next->type == MYT_PUNCT && strchr("(@-+~!", next->val[0]) == NULL))
				push = 'E';		/* CASE [x] WHEN ... END in an expression; not a name */
			else if ((is_kw(t, "THEN") || is_kw(t, "ELSE")) && depth > 0 && top != 'E')
				next_start = true;
			else if (is_kw(t, "DO") && !at_start)
				next_start = true;	/* WHILE ... DO, CREATE EVENT ... DO; not the DO statement */
			else if (is_kw(t, "ROW") && is_kw(prev, "EACH"))
				next_start = true;	/* a trigger created in the body */
			else if (is_kw(t, "END") && depth > 0 &&
					 (top == 'E' || (top == 'R' && is_kw(next, "REPEAT")) ||
					  (at_start && (next == NULL || next->type == MYT_SEMI ||
									next->type == MYT_WORD || next->type == MYT_QIDENT))))
				depth--;
			if (push)
			{
				if (depth >= (int) sizeof(stack))
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("blocks nested too deeply in MySQL script at line %d",
									dbc_line_of(script, t->start)),
							 errdetail("At most %d nested BEGIN, IF, CASE, LOOP, WHILE or REPEAT blocks are supported.",
									   (int) sizeof(stack))));
				stack[depth++] = push;
			}
			at_start = next_start;
		}
		prev = t;
	}
	if (first >= 0)
		finish_statement(&out, script, toks, first, ntoks - 1, &lines);
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
	char	   *old_name;		/* RENAME: the old name */
	char	   *new_name;		/* RENAME: the new name */
	List	   *operations;
	List	   *subcommands;	/* of SubCmd *: ALTER TABLE specifications */
	List	   *columns;		/* of ColDef *: columns defined (CREATE TABLE, ADD) */
	List	   *modified;		/* of ColDef *: columns redefined (MODIFY, CHANGE) */
	List	   *index_columns;	/* of char *: CREATE INDEX key columns */
	List	   *objects;		/* of ObjRef *: every object named */
	char	   *column;			/* the first column a subcommand names */
	const char *constraint_type;	/* of the first constraint added or dropped */
	bool		has_primary_key;
	bool		unique;
	bool		as_select;
	char	   *like;
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
	bool		no_commit;		/* DDL that does not commit (CREATE/DROP TEMPORARY TABLE) */
	bool		ignore;			/* ALTER IGNORE TABLE (MariaDB) */
	bool		hides_from_replicas;	/* turns sql_log_bin off (SET, SET STATEMENT) */
	bool		reads_server_file;	/* LOAD DATA / XML INFILE, LOAD_FILE() */
	bool		writes_server_file; /* SELECT ... INTO OUTFILE / DUMPFILE */
	bool		reads_client_file;	/* LOAD DATA / XML LOCAL INFILE */
	bool		unrecognised;	/* the classifier does not know the statement (its first words) */
	bool		has_body;		/* a stored program: the body_* facts below */
	List	   *body_commands;	/* of char *: the command of each body statement */
	List	   *body_statements;	/* of BodyStmt *: the facts of each, for body_statements */
	bool		body_destructive;
	bool		body_dynamic_sql;
	bool		body_hides_from_replicas;	/* a body statement turns sql_log_bin off */
	bool		body_complete;
	char	   *language;		/* CREATE PROCEDURE / FUNCTION */
	char	   *lock;
	char	   *algorithm;
	char	   *engine;
	const char *scope;			/* SET GLOBAL / PERSIST: "global", "persist", "persist_only" */
	List	   *parameters;		/* of char *: server variables SET GLOBAL / PERSIST sets */
	char	   *parameter;		/* the first of them; RESET PERSIST: the one reset */
	List	   *settings;		/* of SetVar *: system variables a SET (STATEMENT) assigns */
	char	   *backup_stage;	/* BACKUP STAGE (MariaDB): the stage, lower case */
	const char *index_method;	/* "fulltext" / "spatial": an index of that kind is built */
	bool		shared_lock;	/* InnoDB runs it with LOCK=SHARED at best */
	bool		grant;			/* GRANT / REVOKE: the facts below */
	bool		is_grant;
	List	   *privileges;		/* of char *: lower case, words joined by "_" */
	List	   *grantees;		/* of char *: user[@host] as written, "public" */
	List	   *granted_roles;	/* of char *: GRANT role TO ... */
	bool		grant_option;
	bool		admin_option;
	bool		session_fk_off; /* the session's SET foreign_key_checks = 0 holds */
} MyFacts;

/* A column definition. */
typedef struct ColDef
{
	char	   *name;
	char	   *type;			/* lower case, without modifiers */
	List	   *typmods;		/* of char *: numbers written in parentheses */
	bool		not_null;
	bool		has_default;
	bool		primary_key;
	bool		unique;
	bool		auto_increment;
	bool		generated;
	char	   *references;
} ColDef;

typedef struct SubCmd
{
	const char *operation;
	char	   *name;
	const char *constraint_type;
} SubCmd;

typedef struct ObjRef
{
	const char *object_type;
	char	   *schema;
	char	   *name;
	char	   *identity;
} ObjRef;

/* A system variable assigned by SET (or SET STATEMENT ... FOR), for the fact settings. */
typedef struct SetVar
{
	char	   *name;			/* lower case */
	const char *scope;			/* "session", "global", "persist", "persist_only", "statement" */
	char	   *value;			/* the value's text as written */
	char	   *literal;		/* a single literal's value (a word upper case), else NULL */
	bool		edit;			/* the value edits the variable's own value: */
	List	   *removes;		/* of char *: items REPLACE(..., 'x', '') takes out */
	List	   *adds;			/* of char *: items CONCAT / CONCAT_WS appends */
} SetVar;

typedef struct Cur
{
	DbcMyTok   *t;
	int			n;
	int			i;
	char	   *default_schema;
	int			body_depth;		/* stored-program bodies this statement is inside */
	const char *text;			/* the statement's text ... */
	int			text_location;	/* ... which starts at this offset of the script */
	int			line;			/* ... on this line */
} Cur;

/*
 * Does the statement run with foreign_key_checks plainly off: MariaDB's SET
 * STATEMENT foreign_key_checks = ... FOR stmt (the last such assignment)
 * decides; without one, the session's own SET foreign_key_checks = 0 from an
 * earlier statement of the script (session_fk_off; never for the statements
 * of a stored program's body, which run in whichever session CALLs it).
 */
static bool
statement_fk_checks_off(struct MyFacts *f);

/* A statement of a stored program's body, kept for the fact body_statements. */
typedef struct BodyStmt
{
	struct MyFacts *facts;
	char	   *text;
	int			statement_no;	/* its place in the body, from 1 */
	int			line;			/* the script's line it starts on */
	char	   *default_schema;
} BodyStmt;

static DbcMyTok *
peek(Cur *c, int k)
{
	return c->i + k >= 0 && c->i + k < c->n ? &c->t[c->i + k] : NULL;
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
my_upper(const char *s)
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

/* One operation (duplicates kept: one per subcommand, in statement order). */
static void
add_op(MyFacts *f, const char *op)
{
	f->operations = lappend(f->operations, pstrdup(op));
}

/* A subcommand of ALTER TABLE, with what it names. */
static SubCmd *
add_sub(MyFacts *f, const char *op, char *name)
{
	SubCmd	   *sc = palloc0(sizeof(SubCmd));

	sc->operation = op;
	sc->name = name;
	f->subcommands = lappend(f->subcommands, sc);
	return sc;
}

/* The first column a subcommand names is the "column" convenience fact. */
static void
add_column(MyFacts *f, const char *col)
{
	if (col != NULL && f->column == NULL)
		f->column = pstrdup(col);
}

static void
add_object(MyFacts *f, const char *otype, char *schema, char *name)
{
	ObjRef	   *o = palloc0(sizeof(ObjRef));

	o->object_type = otype;
	o->schema = schema;
	o->name = name;
	o->identity = identity_of(schema, name);
	f->objects = lappend(f->objects, o);
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
	return my_upper(t->val);
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
					/* BLACKHOLE keeps no rows: the table is emptied, and stays empty */
					if (strcmp(v, "BLACKHOLE") == 0)
						f->destructive = true;
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

/* Is the token the end of a table element (',' or ')' at depth 0)? */
static bool
element_end(Cur *c, int depth)
{
	DbcMyTok   *t = peek(c, 0);

	return t == NULL || (depth == 0 && (is_punct(t, ',') || is_punct(t, ')')));
}

/*
 * Is the number token at c one the fact typmods can hold?  MySQL and MariaDB
 * take only whole numbers as type modifiers (decimal(10.5, 2), (10, .5) and
 * (10, 5.) are syntax errors there), so anything with a dot -- the tokenizer
 * reads "1.2.3" as one number and ".5" as a dot and a number -- is left out,
 * as are numbers too long for PostgreSQL's numeric input (an error about its
 * own type would fail the whole script).
 */
static bool
typmod_number(Cur *c)
{
	DbcMyTok   *t = peek(c, 0);

	return t->type == MYT_NUMBER && strchr(t->val, '.') == NULL &&
		strlen(t->val) <= 1000 && !is_punct(peek(c, -1), '.');
}

/*
 * A column definition: name type[(n[,m])] [attributes].  Stops at the ','
 * or ')' that ends it (not consumed).
 */
static ColDef *
column_def(Cur *c, char *name)
{
	ColDef	   *col = palloc0(sizeof(ColDef));
	DbcMyTok   *t;
	int			depth = 0;

	col->name = name ? name : ident(c);
	t = peek(c, 0);
	if (t && t->type == MYT_WORD)
	{
		col->type = asc_tolower(t->val, strlen(t->val));
		c->i++;
		if (accept_punct(c, '('))
		{
			while ((t = peek(c, 0)) != NULL && !is_punct(t, ')'))
			{
				if (typmod_number(c))
					col->typmods = lappend(col->typmods, t->val);
				c->i++;
			}
			accept_punct(c, ')');
		}
		if (strcmp(col->type, "serial") == 0)
		{
			col->not_null = col->auto_increment = col->unique = col->has_default = true;
		}
	}
	while (!element_end(c, depth))
	{
		t = peek(c, 0);
		if (is_punct(t, '('))
			depth++;
		else if (is_punct(t, ')'))
			depth--;
		else if (depth == 0 && is_kw(t, "NOT") && kw_at(c, 1, "NULL"))
		{
			col->not_null = true;
			c->i++;
		}
		else if (depth == 0 && is_kw(t, "DEFAULT"))
			col->has_default = true;
		else if (depth == 0 && is_kw(t, "AUTO_INCREMENT"))
			col->auto_increment = col->has_default = true;
		else if (depth == 0 && (is_kw(t, "PRIMARY") || (is_kw(t, "KEY") && !col->unique)))
			col->primary_key = col->not_null = true;
		else if (depth == 0 && is_kw(t, "UNIQUE"))
			col->unique = true;
		else if (depth == 0 && (is_kw(t, "GENERATED") || is_kw(t, "AS")))
			col->generated = true;
		else if (depth == 0 && is_kw(t, "REFERENCES"))
		{
			char	   *sch;
			char	   *nm;

			c->i++;
			if (qualified_name(c, &sch, &nm))
				col->references = identity_of(sch, nm);
			continue;
		}
		c->i++;
	}
	return col;
}

/* Skip to the end of the current table element (',' or ')' at depth 0). */
static void
skip_element(Cur *c)
{
	int			depth = 0;

	while (!element_end(c, depth))
	{
		if (is_punct(peek(c, 0), '('))
			depth++;
		else if (is_punct(peek(c, 0), ')'))
			depth--;
		c->i++;
	}
}

/*
 * The key columns of a table-level PRIMARY KEY (a, b), appended to *keys;
 * the columns are marked once the whole list is read (mark_primary_keys).
 * Consumes nothing.
 */
static void
primary_key_names(Cur *c, List **keys)
{
	int			save = c->i;

	/* to the key's '(', within this element (PRIMARY KEY [USING BTREE] (...)) */
	while (!element_end(c, 0) && !is_punct(peek(c, 0), '('))
		c->i++;
	if (accept_punct(c, '('))
	{
		DbcMyTok   *t;

		while ((t = peek(c, 0)) != NULL && !is_punct(t, ')'))
		{
			if (is_ident_tok(t))
				*keys = lappend(*keys, t->val);
			if (is_punct(t, '('))
			{
				/* a prefix length: col(10) */
				while (peek(c, 0) && !is_punct(peek(c, 0), ')'))
					c->i++;
			}
			c->i++;
		}
	}
	c->i = save;
}

static int
name_cmp(const void *a, const void *b)
{
	return pg_strcasecmp(*(char *const *) a, *(char *const *) b);
}

/*
 * Mark the columns named by the table's PRIMARY KEY elements.  The names are
 * sorted and each column looked up: matching every column against every key
 * name took time quadratic in the text (seconds for a statement of a few
 * thousand columns), and a key may name a column defined after it.
 */
static void
mark_primary_keys(List *cols, List *keys)
{
	char	  **names;
	int			n = 0;
	ListCell   *lc;

	if (keys == NIL || cols == NIL)
		return;
	names = palloc(list_length(keys) * sizeof(char *));
	foreach(lc, keys)
		names[n++] = (char *) lfirst(lc);
	qsort(names, n, sizeof(char *), name_cmp);
	foreach(lc, cols)
	{
		ColDef	   *col = (ColDef *) lfirst(lc);

		if (col->name && bsearch(&col->name, names, n, sizeof(char *), name_cmp) != NULL)
			col->primary_key = col->not_null = true;
	}
	pfree(names);
}

/*
 * At '(': a list of table elements (CREATE TABLE, ADD (...)): column
 * definitions go to *cols; PRIMARY KEY / constraints are noted.  Consumes
 * the list.
 */
static void
table_elements(Cur *c, MyFacts *f, List **cols)
{
	List	   *keys = NIL;		/* the PRIMARY KEY elements' column names */

	if (!accept_punct(c, '('))
		return;
	while (c->i < c->n)
	{
		DbcMyTok   *t = peek(c, 0);

		if (is_punct(t, ')'))
		{
			c->i++;
			break;
		}
		if (is_punct(t, ','))
		{
			c->i++;
			continue;
		}
		if (is_table_element_kw(t))
		{
			int			k = is_kw(t, "CONSTRAINT") ? (kw_at(c, 1, "PRIMARY") || kw_at(c, 1, "UNIQUE") ||
													  kw_at(c, 1, "FOREIGN") || kw_at(c, 1, "CHECK") ? 1 : 2) : 0;

			if (kw_at(c, k, "PRIMARY"))
			{
				f->has_primary_key = true;
				primary_key_names(c, &keys);
			}
			skip_element(c);
		}
		else if (is_ident_tok(t))
		{
			ColDef	   *col = column_def(c, NULL);

			if (col->primary_key)
				f->has_primary_key = true;
			*cols = lappend(*cols, col);
			skip_element(c);
		}
		else
			skip_element(c);
		if (c->i < c->n && !is_punct(peek(c, 0), ',') && !is_punct(peek(c, 0), ')'))
			c->i++;				/* never stall */
	}
	mark_primary_keys(*cols, keys);
}

/* At '(': the key columns of CREATE INDEX (name or name(prefix); expressions: NULL). */
static void
index_columns(Cur *c, MyFacts *f)
{
	if (!accept_punct(c, '('))
		return;
	while (c->i < c->n && !is_punct(peek(c, 0), ')'))
	{
		DbcMyTok   *t = peek(c, 0);

		if (is_ident_tok(t) && (is_punct(peek(c, 1), ',') || is_punct(peek(c, 1), ')') ||
								is_punct(peek(c, 1), '(') || kw_at(c, 1, "ASC") ||
								kw_at(c, 1, "DESC")))
			f->index_columns = lappend(f->index_columns, t->val);
		skip_element(c);
		accept_punct(c, ',');
	}
	accept_punct(c, ')');
}

/* What constraint does the text at the cursor (after ADD/DROP [CONSTRAINT [sym]]) name? */
static const char *
constraint_kind(Cur *c, int k)
{
	if (kw_at(c, k, "PRIMARY"))
		return "primary_key";
	if (kw_at(c, k, "UNIQUE"))
		return "unique";
	if (kw_at(c, k, "FOREIGN"))
		return "foreign_key";
	if (kw_at(c, k, "CHECK"))
		return "check";
	return NULL;
}

static void
note_constraint(MyFacts *f, SubCmd *sc, const char *kind)
{
	sc->constraint_type = kind;
	if (f->constraint_type == NULL)
		f->constraint_type = kind;
}

/* ALTER TABLE ... ADD ... */
static void
alter_add(Cur *c, MyFacts *f)
{
	bool		column = accept(c, "COLUMN");
	const char *kind;
	SubCmd	   *sc;

	if (!column && (kw_at(c, 0, "INDEX") || kw_at(c, 0, "KEY") || kw_at(c, 0, "FULLTEXT") ||
					kw_at(c, 0, "SPATIAL") || kw_at(c, 0, "VECTOR")))
	{
		int			k = kw_at(c, 0, "FULLTEXT") || kw_at(c, 0, "SPATIAL") || kw_at(c, 0, "VECTOR") ? 1 : 0;

		/*
		 * InnoDB builds FULLTEXT and SPATIAL indexes with LOCK=SHARED at best
		 * ("LOCK=NONE is not supported"): writes wait for the whole build.
		 */
		if (kw_at(c, 0, "FULLTEXT") || kw_at(c, 0, "SPATIAL"))
		{
			f->index_method = kw_at(c, 0, "FULLTEXT") ? "fulltext" : "spatial";
			f->shared_lock = true;
		}

		if (kw_at(c, k, "INDEX") || kw_at(c, k, "KEY"))
			k++;
		if (kw_at(c, k, "IF"))
			k += 3;
		add_op(f, "add_index");
		add_sub(f, "add_index", is_ident_tok(peek(c, k)) && !kw_at(c, k, "USING") ? peek(c, k)->val : NULL);
		return;
	}
	if (!column && (kw_at(c, 0, "CONSTRAINT") || constraint_kind(c, 0)))
	{
		int			k = 0;
		char	   *name = NULL;

		if (kw_at(c, 0, "CONSTRAINT"))
		{
			k = 1;
			if (!constraint_kind(c, 1))
			{
				name = is_ident_tok(peek(c, 1)) ? peek(c, 1)->val : NULL;
				k = 2;
			}
		}
		kind = constraint_kind(c, k);
		add_op(f, "add_constraint");
		sc = add_sub(f, "add_constraint", name);
		note_constraint(f, sc, kind);
		if (kind && strcmp(kind, "primary_key") == 0)
		{
			add_op(f, "add_primary_key");
			f->has_primary_key = true;
			f->rewrites = true;
		}
		else if (kind && strcmp(kind, "foreign_key") == 0)
		{
			/*
			 * InnoDB adds a foreign key in place only with foreign_key_checks
			 * off (which skips checking the rows); otherwise it copies the
			 * table, with LOCK=SHARED at best.  Off for this statement (SET
			 * STATEMENT foreign_key_checks = 0 FOR ...), MariaDB takes
			 * ALGORITHM=NOCOPY (INSTANT when the columns have an index
			 * already) and LOCK=NONE: no copy, writes go on.
			 */
			add_op(f, "add_foreign_key");
			if (!statement_fk_checks_off(f))
			{
				f->rewrites = true;
				f->shared_lock = true;
			}
		}
		else if (kind && strcmp(kind, "unique") == 0)
			add_op(f, "add_index");
		return;
	}
	if (!column && kw_at(c, 0, "PARTITION"))
	{
		add_op(f, "add_partition");
		add_sub(f, "add_partition", NULL);
		return;
	}
	if (!column && (kw_at(c, 0, "PERIOD") || kw_at(c, 0, "SYSTEM")))
	{
		add_op(f, "set_table_option");
		add_sub(f, "set_table_option", NULL);
		return;
	}
	if (kw_at(c, 0, "IF") && kw_at(c, 1, "NOT") && kw_at(c, 2, "EXISTS"))
	{
		c->i += 3;
		f->if_not_exists = true;
	}
	if (is_punct(peek(c, 0), '('))
	{
		List	   *cols = NIL;
		ListCell   *lc;

		table_elements(c, f, &cols);
		foreach(lc, cols)
		{
			ColDef	   *col = (ColDef *) lfirst(lc);

			add_op(f, "add_column");
			add_sub(f, "add_column", col->name);
			add_column(f, col->name);
		}
		f->columns = list_concat(f->columns, cols);
	}
	else
	{
		ColDef	   *col = column_def(c, NULL);

		add_op(f, "add_column");
		add_sub(f, "add_column", col->name);
		add_column(f, col->name);
		f->columns = lappend(f->columns, col);
	}
}

/* ALTER TABLE ... DROP ... */
static void
alter_drop(Cur *c, MyFacts *f)
{
	bool		column = accept(c, "COLUMN");
	SubCmd	   *sc;

	f->destructive = true;
	if (!column && (kw_at(c, 0, "INDEX") || kw_at(c, 0, "KEY")))
	{
		c->i++;
		if (accept2(c, "IF", "EXISTS"))
			f->if_exists = true;
		add_op(f, "drop_index");
		add_sub(f, "drop_index", ident(c));
	}
	else if (!column && kw_at(c, 0, "PRIMARY"))
	{
		add_op(f, "drop_constraint");
		add_op(f, "drop_primary_key");
		sc = add_sub(f, "drop_constraint", NULL);
		note_constraint(f, sc, "primary_key");
		f->rewrites = true;
	}
	else if (!column && kw_at(c, 0, "FOREIGN"))
	{
		c->i += kw_at(c, 1, "KEY") ? 2 : 1;
		if (accept2(c, "IF", "EXISTS"))
			f->if_exists = true;
		add_op(f, "drop_constraint");
		add_op(f, "drop_foreign_key");
		sc = add_sub(f, "drop_constraint", ident(c));
		note_constraint(f, sc, "foreign_key");
	}
	else if (!column && (kw_at(c, 0, "CONSTRAINT") || kw_at(c, 0, "CHECK")))
	{
		bool		check = kw_at(c, 0, "CHECK");

		c->i++;
		if (accept2(c, "IF", "EXISTS"))
			f->if_exists = true;
		add_op(f, "drop_constraint");
		sc = add_sub(f, "drop_constraint", ident(c));
		if (check)
			note_constraint(f, sc, "check");
	}
	else if (!column && kw_at(c, 0, "PARTITION"))
	{
		/*
		 * DROP PARTITION p1, p2: a partitioning clause is the only one of its
		 * ALTER TABLE, so the names after a comma are partitions too (one
		 * subcommand each), not further specifications.
		 */
		c->i++;
		add_op(f, "drop_partition");
		add_sub(f, "drop_partition", ident(c));
		while (is_punct(peek(c, 0), ',') && is_ident_tok(peek(c, 1)) &&
			   (peek(c, 2) == NULL || is_punct(peek(c, 2), ',')))
		{
			c->i++;
			add_sub(f, "drop_partition", ident(c));
		}
	}
	else if (!column && kw_at(c, 0, "SYSTEM"))
	{
		add_op(f, "drop_system_versioning");
		add_sub(f, "drop_system_versioning", NULL);
	}
	else
	{
		char	   *col;

		if (accept2(c, "IF", "EXISTS"))
			f->if_exists = true;
		col = ident(c);
		add_op(f, "drop_column");
		add_sub(f, "drop_column", col);
		add_column(f, col);
		f->rewrites = true;
		if (accept(c, "CASCADE"))
			f->cascade = true;
	}
}

/* ALTER TABLE: one alter specification, up to its ',' */
static void
alter_table_spec(Cur *c, MyFacts *f)
{
	if (accept(c, "ADD"))
		alter_add(c, f);
	else if (accept(c, "DROP"))
		alter_drop(c, f);
	else if (accept(c, "MODIFY"))
	{
		ColDef	   *col;

		accept(c, "COLUMN");
		if (accept2(c, "IF", "EXISTS"))
			f->if_exists = true;
		col = column_def(c, NULL);
		add_op(f, "modify_column");
		add_sub(f, "modify_column", col->name);
		add_column(f, col->name);
		f->modified = lappend(f->modified, col);
		f->rewrites = true;
	}
	else if (accept(c, "CHANGE"))
	{
		char	   *old_name;
		ColDef	   *col;

		accept(c, "COLUMN");
		if (accept2(c, "IF", "EXISTS"))
			f->if_exists = true;
		old_name = ident(c);
		col = column_def(c, NULL);
		add_op(f, "change_column");
		add_sub(f, "change_column", old_name);
		add_column(f, old_name);
		f->modified = lappend(f->modified, col);
		f->rewrites = true;
		if (old_name && col->name && pg_strcasecmp(old_name, col->name) != 0)
		{
			add_op(f, "rename_column");
			if (f->new_name == NULL)
			{
				f->old_name = old_name;
				f->new_name = col->name;
			}
		}
	}
	else if (accept(c, "RENAME"))
	{
		if (accept(c, "COLUMN"))
		{
			char	   *from = ident(c);

			accept(c, "TO");
			add_op(f, "rename_column");
			add_sub(f, "rename_column", from);
			add_column(f, from);
			f->old_name = from;
			f->new_name = ident(c);
		}
		else if (accept(c, "INDEX") || accept(c, "KEY"))
		{
			char	   *from = ident(c);

			accept(c, "TO");
			add_op(f, "rename_index");
			add_sub(f, "rename_index", from);
			f->old_name = from;
			f->new_name = ident(c);
		}
		else
		{
			char	   *sch;
			char	   *nm;

			if (!accept(c, "TO"))
				accept(c, "AS");
			add_op(f, "rename");
			add_sub(f, "rename", f->name);
			f->old_name = f->name;
			if (qualified_name(c, &sch, &nm))
				f->new_name = identity_of(sch, nm);
		}
	}
	else if (accept(c, "ALTER"))
	{
		if (accept(c, "INDEX") || accept(c, "KEY"))
		{
			add_op(f, "alter_index");
			add_sub(f, "alter_index", ident(c));
		}
		else if (accept(c, "CONSTRAINT") || accept(c, "CHECK"))
		{
			add_op(f, "alter_constraint");
			add_sub(f, "alter_constraint", ident(c));
		}
		else
		{
			char	   *col;
			const char *op;

			accept(c, "COLUMN");
			if (accept2(c, "IF", "EXISTS"))
				f->if_exists = true;
			col = ident(c);
			add_column(f, col);
			if (accept2(c, "SET", "DEFAULT"))
				op = "set_default";
			else if (accept2(c, "DROP", "DEFAULT"))
				op = "drop_default";
			else if (accept(c, "SET") && (kw_at(c, 0, "VISIBLE") || kw_at(c, 0, "INVISIBLE")))
				op = "set_visibility";
			else
				op = "alter_column";
			add_op(f, op);
			add_sub(f, op, col);
		}
	}
	else if (kw_at(c, 0, "ALGORITHM") || kw_at(c, 0, "LOCK"))
	{
		/* read by scan_clauses() */
	}
	else if (kw_at(c, 0, "ENGINE"))
		add_sub(f, "change_engine", NULL);	/* the operation is added by scan_clauses() */
	else
	{
		const char *op = NULL;
		bool		rewrites = false;
		bool		destructive = false;

		/*
		 * MariaDB's CONVERT PARTITION p TO TABLE t moves a partition's rows
		 * out of the table (as PostgreSQL's DETACH PARTITION), CONVERT TABLE t
		 * TO PARTITION p moves a table in: neither is a character set.
		 */
		if (kw_at(c, 0, "CONVERT") && kw_at(c, 1, "PARTITION"))
		{
			c->i += 2;
			op = "convert_partition";
		}
		else if (kw_at(c, 0, "CONVERT") && kw_at(c, 1, "TABLE"))
		{
			c->i += 2;
			op = "convert_table";
		}
		else if (accept(c, "CONVERT"))
			op = "convert_charset", rewrites = true;
		else if (kw_at(c, 0, "DEFAULT") || kw_at(c, 0, "CHARACTER") || kw_at(c, 0, "CHARSET") ||
				 kw_at(c, 0, "COLLATE"))
			op = "set_charset";
		else if (accept(c, "FORCE"))
			op = "rebuild", rewrites = true;
		else if (accept2(c, "ORDER", "BY"))
			op = "order_by", rewrites = true;
		else if (accept(c, "DISABLE"))
			op = "disable_keys";
		else if (accept(c, "ENABLE"))
			op = "enable_keys";
		else if (accept(c, "DISCARD"))
			op = "discard_tablespace", destructive = true;
		else if (accept(c, "IMPORT"))
			op = "import_tablespace";
		else if (accept2(c, "PARTITION", "BY"))
			op = "partition_by", rewrites = true;
		else if (accept2(c, "REMOVE", "PARTITIONING"))
			op = "remove_partitioning", rewrites = true;
		else if (kw_at(c, 1, "PARTITION") &&
				 (kw_at(c, 0, "TRUNCATE") || kw_at(c, 0, "COALESCE") || kw_at(c, 0, "REORGANIZE") ||
				  kw_at(c, 0, "EXCHANGE") || kw_at(c, 0, "ANALYZE") || kw_at(c, 0, "CHECK") ||
				  kw_at(c, 0, "OPTIMIZE") || kw_at(c, 0, "REBUILD") || kw_at(c, 0, "REPAIR")))
		{
			char	   *verb = asc_tolower(peek(c, 0)->val, strlen(peek(c, 0)->val));

			op = psprintf("%s_partition", verb);
			/*
			 * TRUNCATE deletes the partitions' rows; EXCHANGE swaps them with
			 * another table's.  COALESCE and REORGANIZE keep every row (the
			 * server refuses a reorganization whose partitions do not hold
			 * them all) but copy the rows of the partitions involved, and
			 * COALESCE of HASH / KEY partitions rehashes them all.
			 */
			destructive = strcmp(verb, "truncate") == 0 || strcmp(verb, "exchange") == 0;
			rewrites = strcmp(verb, "coalesce") == 0 || strcmp(verb, "reorganize") == 0 ||
				strcmp(verb, "rebuild") == 0;
			/* VERB PARTITION p0, p1 ...: the names are no further specifications */
			c->i += 2;
			while (is_ident_tok(peek(c, 0)) && is_punct(peek(c, 1), ',') && is_ident_tok(peek(c, 2)))
				c->i += 2;
		}
		else if (kw_at(c, 0, "WITH") || kw_at(c, 0, "WITHOUT"))
			op = NULL;			/* WITH[OUT] VALIDATION: an option of EXCHANGE PARTITION */
		else if (peek(c, 0) != NULL)
			op = "set_table_option";	/* AUTO_INCREMENT, COMMENT, ROW_FORMAT, ... */
		if (op)
		{
			add_op(f, op);
			add_sub(f, op, NULL);
			f->rewrites |= rewrites;
			f->destructive |= destructive;
		}
	}
	skip_to_comma(c);
}

static void
classify_alter_table(Cur *c, MyFacts *f)
{
	f->command = "ALTER TABLE";
	f->object_type = "table";
	qualified_name(c, &f->schema, &f->name);
	f->table_schema = f->schema;
	f->table_name = f->name;
	add_object(f, "table", f->schema, f->name);
	scan_clauses(c, f, true);
	while (c->i < c->n)
	{
		int			before = c->i;

		alter_table_spec(c, f);
		if (c->i == before)
			c->i++;
	}
	if (f->ignore)
	{
		ListCell   *lc;

		/*
		 * ALTER IGNORE TABLE (MariaDB; MySQL 5.7 removed it) copies the table
		 * and silently deletes every row that would duplicate a key: a new
		 * unique or primary key, or a redefined column of an existing one
		 * (which the text cannot rule out).  Data loss, whatever the verbs.
		 */
		foreach(lc, f->subcommands)
		{
			SubCmd	   *sc = (SubCmd *) lfirst(lc);

			if ((strcmp(sc->operation, "add_constraint") == 0 && sc->constraint_type &&
				 (strcmp(sc->constraint_type, "unique") == 0 ||
				  strcmp(sc->constraint_type, "primary_key") == 0)) ||
				strcmp(sc->operation, "modify_column") == 0 ||
				strcmp(sc->operation, "change_column") == 0)
			{
				add_op(f, "delete_duplicates");
				f->destructive = true;
				break;
			}
		}
	}
	if (f->operations == NIL)
		add_op(f, "alter");
	if (f->algorithm && strcmp(f->algorithm, "INSTANT") == 0)
		f->rewrites = false;
	else if (f->algorithm && strcmp(f->algorithm, "COPY") == 0)
		f->rewrites = true;
}

/* Words that may stand between CREATE/ALTER/DROP and the object type. */
static void
skip_modifiers(Cur *c, MyFacts *f)
{
	for (;;)
	{
		if (accept2(c, "OR", "REPLACE"))
			f->or_replace = true;
		else if (accept(c, "TEMPORARY"))
			f->temporary = true;
		else if (accept(c, "UNIQUE"))
			f->unique = true;
		else if (accept(c, "IGNORE"))
			f->ignore = true;
		else if (accept(c, "ONLINE") || accept(c, "OFFLINE") ||
				 accept(c, "AGGREGATE") ||
				 ((kw_at(c, 0, "FULLTEXT") || (kw_at(c, 0, "SPATIAL") && kw_at(c, 1, "INDEX"))) &&
				  (f->index_method = kw_at(c, 0, "FULLTEXT") ? "fulltext" : "spatial",
				   f->shared_lock = true, accept(c, peek(c, 0)->val))) ||
				 accept(c, "UNDO") || accept(c, "EXTERNAL"))
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
			return;
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
		add_object(f, f->object_type, s, n);
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
		{"TABLESPACE", "tablespace"}, {"PACKAGE", "package"}, {"LOGFILE", "logfile_group"},
		{"SPATIAL", "spatial_reference_system"}, {"RESOURCE", "resource_group"},
		{"INSTANCE", "instance"}, {NULL, NULL}
	};
	int			i;

	for (i = 0; map[i][0]; i++)
		if (pg_strcasecmp(word, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* Objects that are not in a database (schema): their identity is the bare name. */
static bool
global_object(const char *otype)
{
	return strcmp(otype, "database") == 0 || strcmp(otype, "user") == 0 ||
		strcmp(otype, "role") == 0 || strcmp(otype, "server") == 0 ||
		strcmp(otype, "tablespace") == 0 || strcmp(otype, "logfile_group") == 0 ||
		strcmp(otype, "resource_group") == 0 || strcmp(otype, "instance") == 0 ||
		strcmp(otype, "spatial_reference_system") == 0;
}

/* CREATE TABLE name ( ... ) options [AS] SELECT | LIKE other */
static void
classify_create_table(Cur *c, MyFacts *f)
{
	qualified_name(c, &f->schema, &f->name);
	add_object(f, "table", f->schema, f->name);
	if (accept(c, "LIKE") || (is_punct(peek(c, 0), '(') && kw_at(c, 1, "LIKE")))
	{
		char	   *sch;
		char	   *nm;

		accept_punct(c, '(');
		accept(c, "LIKE");
		if (qualified_name(c, &sch, &nm))
			f->like = identity_of(sch, nm);
	}
	else if (is_punct(peek(c, 0), '(') && !kw_at(c, 1, "SELECT"))
		table_elements(c, f, &f->columns);
	scan_clauses(c, f, false);
	while (c->i < c->n && !kw_at(c, 0, "SELECT") && !kw_at(c, 0, "AS"))
		c->i++;
	if (c->i < c->n)
	{
		f->command = "CREATE TABLE AS";
		f->as_select = true;
	}
}

static void classify_tokens(Cur *c, MyFacts *f);

/* ------------------------------------------------------------------------
 * Stored-program bodies
 *
 * CREATE PROCEDURE p() BEGIN DROP TABLE t; END is harmless to create and
 * destroys the table when called (CALL p() says nothing of what it runs);
 * a trigger's or an event's body runs without anyone calling it.  So the
 * statements of a body are classified too, by the same classifier, and
 * summed up in facts a policy can judge like the statements themselves:
 * body_commands, body_destructive, body_dynamic_sql, body_hides_from_replicas,
 * body_complete.
 *
 * The body is read statement by statement: the flow-control words (BEGIN,
 * END, IF ... THEN, ELSEIF, ELSE, CASE ... WHEN ... THEN, WHILE ... DO,
 * LOOP, REPEAT ... UNTIL, labels, DECLARE, handler conditions) are skipped,
 * and every other statement, up to its ';', is classified.  Bounded: at
 * most MAX_BODY_STATEMENTS statements.  A stored program created within a
 * body (CREATE EVENT in a procedure) is refused, as the server refuses it;
 * MAX_BODY_DEPTH stays as a bound all the same.  Whatever cannot be read that way
 * is body_complete = false, and then body_destructive is true: a body no
 * one could read is judged as one that destroys data.
 * ------------------------------------------------------------------------
 */
#define MAX_BODY_STATEMENTS 500
#define MAX_BODY_DEPTH 2

static bool
is_token_kw(Cur *c, int i, const char *kw)
{
	return i < c->n && is_kw(&c->t[i], kw);
}

/* The body could not be read in full: judged as destroying data. */
static void
body_unreadable(MyFacts *f)
{
	f->body_complete = false;
	f->body_destructive = true;
}

/*
 * From token i, the index just past the first keyword kw (THEN, DO, WHEN or
 * END) outside parentheses and CASE ... END expressions; -1 when none.
 */
static int
past_keyword(Cur *c, int i, const char *kw)
{
	int			depth = 0;
	int			cases = 0;

	for (; i < c->n; i++)
	{
		DbcMyTok   *t = &c->t[i];

		if (t->type == MYT_SEMI)
			return -1;
		if (is_punct(t, '('))
			depth++;
		else if (is_punct(t, ')'))
			depth--;
		else if (depth > 0)
			continue;
		else if (cases > 0 && is_kw(t, "END"))
			cases--;
		else if (cases > 0)
			continue;
		else if (is_kw(t, kw))
			return i + 1;
		else if (is_kw(t, "CASE"))
			cases++;
	}
	return -1;
}

/*
 * The classifier does not know the statement (fact unknown): it starts with
 * neither a keyword nor a label (command UNKNOWN, also for no token at all),
 * or with words the classifier does not know (a MariaDB- or MySQL-only
 * statement, an object kind it does not know, a typo; its command is those
 * words).  Nothing it says tells what the statement does.
 */
static bool
statement_unknown(const MyFacts *f)
{
	return f->command == NULL || strcmp(f->command, "UNKNOWN") == 0 || f->unrecognised;
}

/*
 * The files a statement makes the server read or write, or the client send
 * (facts reads_server_file, writes_server_file, reads_client_file).  A
 * MySQL change runs under the deploying account, which commonly holds the
 * FILE privilege, on the deployer's client: LOAD DATA INFILE '/etc/...'
 * and LOAD_FILE() copy a server file into a table the change's author can
 * read, SELECT ... INTO OUTFILE / DUMPFILE writes one (a plugin library,
 * before INSTALL PLUGIN), and LOAD DATA LOCAL INFILE has the client -- the
 * machine that deploys -- read one of its own files and send it.  Found
 * anywhere in the statement's tokens, so a view's query and a stored
 * program's body count (they run it each time they are used), as do
 * executable comments; not in strings or comments, which the tokenizer
 * keeps apart.  Each keyword must be followed by what only
 * that use takes (a file name string, an open parenthesis), so a table or
 * column named outfile or load_file does not count.
 */
static void
note_file_access(DbcMyTok *toks, int ntoks, MyFacts *f)
{
	int			k;
	int			prev = -1;		/* the significant token before k */

	for (k = sig_at(toks, ntoks, 0); k < ntoks; prev = k, k = sig_after(toks, ntoks, k))
	{
		DbcMyTok   *next = TOK_AT(sig_after(toks, ntoks, k));
		bool		file_follows = next != NULL && next->type == MYT_STRING;

		/* a function's name may be quoted: `load_file`(...) is the server's function still */
		if (toks[k].type == MYT_QIDENT && pg_strcasecmp(toks[k].val, "LOAD_FILE") == 0 &&
			next != NULL && is_punct(next, '('))
			f->reads_server_file = true;
		if (toks[k].type != MYT_WORD)
			continue;
		if (is_kw(&toks[k], "INFILE") && file_follows)
		{
			if (prev >= 0 && is_kw(&toks[prev], "LOCAL"))
				f->reads_client_file = true;
			else
				f->reads_server_file = true;
		}
		else if ((is_kw(&toks[k], "OUTFILE") || is_kw(&toks[k], "DUMPFILE")) && file_follows &&
				 prev >= 0 && is_kw(&toks[prev], "INTO"))
			f->writes_server_file = true;
		else if (is_kw(&toks[k], "LOAD_FILE") && next != NULL && is_punct(next, '('))
			f->reads_server_file = true;
	}
}

/*
 * Classify tokens [from, to) as one statement of the body.  Its facts are
 * kept whole (fact body_statements): a policy can then judge each statement
 * of the body as it would judge it on its own -- DROP DATABASE in a
 * procedure as DROP DATABASE -- rather than from the summary alone.
 */
static void
body_statement(Cur *c, MyFacts *f, int from, int to)
{
	MyFacts    *bf = palloc0(sizeof(MyFacts));
	BodyStmt   *b = palloc0(sizeof(BodyStmt));
	Cur			bc;
	int			start = c->t[from].start - c->text_location;
	int			end = c->t[to - 1].start + c->t[to - 1].len - c->text_location;
	int			k;

	bf->has_where = -1;
	bc.t = c->t + from;
	bc.n = to - from;
	bc.i = 0;
	bc.default_schema = c->default_schema;
	bc.body_depth = c->body_depth + 1;
	bc.text = c->text;
	bc.text_location = c->text_location;
	bc.line = c->line;
	classify_tokens(&bc, bf);
	note_file_access(bc.t, bc.n, bf);
	b->line = c->line;
	for (k = 0; k < start; k++)
		if (c->text[k] == '\n')
			b->line++;

	/*
	 * A stored program created within a stored program's body: MySQL and
	 * MariaDB refuse to store such a body (checked against MariaDB 10.11:
	 * ER_EVENT_RECURSION_FORBIDDEN for CREATE EVENT and ALTER EVENT ... DO,
	 * ER_SP_NO_RECURSIVE_CREATE for CREATE PROCEDURE / FUNCTION / TRIGGER).
	 * Read here, the inner program's body was cut at its first ';' and the
	 * rest taken for statements of the outer body; rather than judge a body
	 * the server would never store, the script is refused, and says how to
	 * write it.  A loadable function (CREATE FUNCTION ... SONAME) has no body
	 * and is accepted, as by the server.
	 */
	if (bf->has_body)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg("%s inside the body of %s is not allowed (line %d)",
						bf->command, f->command ? f->command : "a stored program", b->line),
				 errdetail("MySQL and MariaDB do not create a stored program from within the body of another: CREATE EVENT and ALTER EVENT ... DO fail with \"Recursion of EVENT DDL statements is forbidden when body is present\", CREATE PROCEDURE, FUNCTION and TRIGGER with \"Can't create a ... from within another stored routine\"."),
				 errhint("Write the %s as a statement of its own in the script, next to the %s; inside a body, ALTER EVENT without DO (ENABLE, DISABLE, ON SCHEDULE ...) is accepted.",
						 bf->command, f->command ? f->command : "stored program")));

	f->body_commands = lappend(f->body_commands, pstrdup(bf->command ? bf->command : "UNKNOWN"));
	if (bf->destructive || bf->body_destructive)
		f->body_destructive = true;
	if (bf->body_dynamic_sql || (bf->command && (strcmp(bf->command, "PREPARE") == 0 ||
												 strcmp(bf->command, "EXECUTE") == 0)))
		f->body_dynamic_sql = true;
	if (bf->hides_from_replicas || bf->body_hides_from_replicas)
		f->body_hides_from_replicas = true;
	if (bf->has_body && !bf->body_complete)
		f->body_complete = false;

	/*
	 * A statement the classifier cannot name (one that starts with neither a
	 * keyword nor a label: "(SELECT ...) UNION (SELECT ...)", or text that
	 * is no statement at all), or one whose first words it does not know (a
	 * MariaDB-only statement, a word MariaDB reads as something else: see
	 * plain_statement), says nothing of what it does; the body is not read
	 * in full, and is judged as one that could destroy data.
	 */
	if (statement_unknown(bf))
		body_unreadable(f);

	b->facts = bf;
	b->text = pnstrdup(c->text + start, end - start);
	b->statement_no = list_length(f->body_commands);
	b->default_schema = bc.default_schema;
	f->body_statements = lappend(f->body_statements, b);
}

/* The statements of the body that starts at token i (to the statement's end). */
static void
scan_body(Cur *c, MyFacts *f, int i)
{
	f->has_body = true;
	f->body_complete = true;
	if (c->body_depth >= MAX_BODY_DEPTH || i >= c->n ||
		(c->t[i].type != MYT_WORD && c->t[i].type != MYT_QIDENT))
	{
		body_unreadable(f);
		return;
	}
	while (i < c->n)
	{
		DbcMyTok   *t = &c->t[i];
		int			end;

		if (t->type == MYT_SEMI)
		{
			i++;
			continue;
		}
		if (list_length(f->body_commands) >= MAX_BODY_STATEMENTS)
		{
			body_unreadable(f);
			return;
		}
		if ((t->type == MYT_WORD || t->type == MYT_QIDENT) && i + 1 < c->n &&
			is_punct(&c->t[i + 1], ':') && !is_punct(i + 2 < c->n ? &c->t[i + 2] : NULL, '='))
		{
			i += 2;				/* label: */
			continue;
		}
		if (is_kw(t, "BEGIN") || is_kw(t, "ELSE") || is_kw(t, "LOOP") || is_kw(t, "REPEAT"))
		{
			i++;
			continue;
		}
		if (is_kw(t, "END"))
		{
			/* END [IF | LOOP | WHILE | REPEAT | CASE | label] */
			i++;
			if (is_token_kw(c, i, "IF") || is_token_kw(c, i, "LOOP") || is_token_kw(c, i, "WHILE") ||
				is_token_kw(c, i, "REPEAT") || is_token_kw(c, i, "CASE") || is_token_kw(c, i, "FOR"))
				i++;
			if (i < c->n && c->t[i].type != MYT_SEMI &&
				(i + 1 == c->n || c->t[i + 1].type == MYT_SEMI))
				i++;			/* END [LOOP] label */
			continue;
		}
		/*
		 * MariaDB's FOR i IN 1..n DO and FOR row IN cursor DO loops are flow
		 * control like WHILE ... DO: read as a statement up to its first ';',
		 * they hid the first statement of the loop (FOR ... DO DROP TABLE t).
		 */
		if (is_kw(t, "IF") || is_kw(t, "ELSEIF") || is_kw(t, "WHEN") || is_kw(t, "WHILE") ||
			is_kw(t, "FOR") || is_kw(t, "UNTIL") || is_kw(t, "CASE"))
		{
			const char *kw = (is_kw(t, "WHILE") || is_kw(t, "FOR")) ? "DO" :
				is_kw(t, "UNTIL") ? "END" :
				is_kw(t, "CASE") ? "WHEN" : "THEN";

			end = past_keyword(c, i + 1, kw);
			/* UNTIL's condition may name a column "end": the END of END REPEAT */
			while (is_kw(t, "UNTIL") && end >= 0 && !is_token_kw(c, end, "REPEAT"))
				end = past_keyword(c, end, kw);
			if (end < 0)
			{
				body_unreadable(f);
				return;
			}
			/* UNTIL cond END REPEAT and CASE x WHEN: the word found starts what follows */
			i = (is_kw(t, "UNTIL") || is_kw(t, "CASE")) ? end - 1 : end;
			continue;
		}
		if (is_kw(t, "DECLARE") &&
			(is_token_kw(c, i + 1, "CONTINUE") || is_token_kw(c, i + 1, "EXIT") ||
			 is_token_kw(c, i + 1, "UNDO")) && is_token_kw(c, i + 2, "HANDLER"))
		{
			/* DECLARE ... HANDLER FOR condition [, condition] statement */
			i += 3;
			if (!is_token_kw(c, i, "FOR"))
			{
				body_unreadable(f);
				return;
			}
			i++;
			for (;;)
			{
				if (is_token_kw(c, i, "SQLSTATE"))
					i += is_token_kw(c, i + 1, "VALUE") ? 3 : 2;
				else if (is_token_kw(c, i, "NOT") && is_token_kw(c, i + 1, "FOUND"))
					i += 2;
				else
					i++;		/* SQLEXCEPTION, SQLWARNING, an error number or a condition name */
				if (i < c->n && is_punct(&c->t[i], ','))
					i++;
				else
					break;
			}
			continue;
		}
		/* a statement, up to its ';' (DECLARE of a variable, cursor or condition too) */
		for (end = i; end < c->n && c->t[end].type != MYT_SEMI; end++)
			;
		if (!is_kw(t, "DECLARE"))
			body_statement(c, f, i, end);
		i = end;
	}
}

/*
 * CREATE PROCEDURE / FUNCTION, after the name: the parameters, RETURNS type,
 * the characteristics, then the body.  A loadable function (RETURNS ...
 * SONAME 'lib.so') has no body: its code is the library, language "c".
 */
static void
routine_body(Cur *c, MyFacts *f)
{
	if (is_punct(peek(c, 0), '('))
	{
		int			depth = 0;

		for (; c->i < c->n; c->i++)
		{
			if (is_punct(&c->t[c->i], '('))
				depth++;
			else if (is_punct(&c->t[c->i], ')') && --depth == 0)
			{
				c->i++;
				break;
			}
		}
	}
	if (accept(c, "RETURNS"))
	{
		static const char *const attrs[] = {"UNSIGNED", "SIGNED", "ZEROFILL", "BINARY", "ASCII",
		"UNICODE", "BYTE", "PRECISION", "VARYING", "VARCHAR", "VARBINARY", "CHAR", NULL};

		c->i++;					/* the type */
		for (;;)
		{
			int			k;
			bool		found = false;

			if (is_punct(peek(c, 0), '('))
			{
				while (c->i < c->n && !is_punct(peek(c, 0), ')'))
					c->i++;
				c->i++;
				continue;
			}
			if (accept(c, "CHARSET") || accept(c, "COLLATE") || accept2(c, "CHARACTER", "SET"))
			{
				c->i++;
				continue;
			}
			for (k = 0; attrs[k]; k++)
				if (accept(c, attrs[k]))
				{
					found = true;
					break;
				}
			if (!found)
				break;
		}
		if (accept(c, "SONAME"))
		{
			f->language = "c";
			return;
		}
	}
	for (;;)
	{
		/* characteristics */
		if (accept(c, "COMMENT"))
			c->i++;
		else if (accept(c, "LANGUAGE"))
		{
			DbcMyTok   *t = peek(c, 0);

			if (t)
			{
				f->language = asc_tolower(t->val, strlen(t->val));
				c->i++;
			}
		}
		else if (accept2(c, "NOT", "DETERMINISTIC") || accept(c, "DETERMINISTIC") ||
				 accept2(c, "CONTAINS", "SQL") || accept2(c, "NO", "SQL"))
			;
		else if ((kw_at(c, 0, "READS") || kw_at(c, 0, "MODIFIES")) && kw_at(c, 1, "SQL"))
			c->i += kw_at(c, 2, "DATA") ? 3 : 2;
		else if (accept2(c, "SQL", "SECURITY"))
			c->i++;
		else
			break;
	}
	if (f->language == NULL)
		f->language = "sql";
	if (strcmp(f->language, "sql") != 0)
	{
		/* MySQL 9's JavaScript routines: a body the classifier cannot read */
		f->has_body = true;
		body_unreadable(f);
		return;
	}
	scan_body(c, f, c->i);
}

/* CREATE TRIGGER ... FOR EACH ROW [FOLLOWS | PRECEDES other] body */
static void
trigger_body(Cur *c, MyFacts *f)
{
	int			i;

	for (i = c->i; i + 2 < c->n; i++)
		if (is_kw(&c->t[i], "FOR") && is_kw(&c->t[i + 1], "EACH") && is_kw(&c->t[i + 2], "ROW"))
			break;
	if (i + 2 >= c->n)
	{
		f->has_body = true;
		body_unreadable(f);
		return;
	}
	i += 3;
	if (is_token_kw(c, i, "FOLLOWS") || is_token_kw(c, i, "PRECEDES"))
		i += 2;
	scan_body(c, f, i);
}

/* CREATE / ALTER EVENT ... DO body (ALTER EVENT may have none) */
static void
event_body(Cur *c, MyFacts *f, bool create)
{
	int			depth = 0;
	int			i;

	for (i = c->i; i < c->n; i++)
	{
		if (is_punct(&c->t[i], '('))
			depth++;
		else if (is_punct(&c->t[i], ')'))
			depth--;
		else if (depth == 0 && is_kw(&c->t[i], "DO"))
		{
			scan_body(c, f, i + 1);
			return;
		}
	}
	if (create)
	{
		f->has_body = true;
		body_unreadable(f);
	}
}

/* CREATE / ALTER / DROP <object>: the common shape. */
static void
classify_object_ddl(Cur *c, MyFacts *f, const char *verb)
{
	DbcMyTok   *objtok;
	const char *otype;
	bool		drop = strcmp(verb, "DROP") == 0;
	bool		create = strcmp(verb, "CREATE") == 0;

	skip_modifiers(c, f);
	objtok = peek(c, 0);
	otype = objtok && objtok->type == MYT_WORD ? object_type_of(objtok->val) : NULL;
	f->is_ddl = true;
	add_op(f, drop ? "drop" : create ? "create" : "alter");
	if (drop)
		f->destructive = true;
	if (otype == NULL)
	{
		f->command = objtok && objtok->type == MYT_WORD ?
			psprintf("%s %s", verb, my_upper(objtok->val)) : pstrdup(verb);
		f->unrecognised = true;
		return;
	}
	c->i++;
	if (strcmp(otype, "logfile_group") == 0 || strcmp(otype, "resource_group") == 0)
		accept(c, "GROUP");
	else if (strcmp(otype, "spatial_reference_system") == 0)
	{
		accept(c, "REFERENCE");
		accept(c, "SYSTEM");
	}
	if (pg_strcasecmp(objtok->val, "SCHEMA") == 0)
		f->command = psprintf("%s DATABASE", verb);
	else
	{
		char	   *words = my_upper(otype);
		char	   *p;

		for (p = words; *p; p++)
			if (*p == '_')
				*p = ' ';
		f->command = psprintf("%s %s", verb, words);
	}
	f->object_type = otype;
	/* CREATE / DROP TEMPORARY TABLE do not commit (nor can they be rolled back) */
	if (f->temporary && strcmp(otype, "table") == 0 && (create || drop))
		f->no_commit = true;

	/*
	 * MariaDB's CREATE OR REPLACE TABLE / DATABASE / SEQUENCE drops an
	 * existing object of that name first, with its data, and CREATE OR
	 * REPLACE USER / ROLE drops the account with its privileges: a drop,
	 * whatever the verb.  (OR REPLACE of a view or routine only replaces a
	 * definition, as in PostgreSQL.)
	 */
	if (create && f->or_replace &&
		(strcmp(otype, "table") == 0 || strcmp(otype, "database") == 0 ||
		 strcmp(otype, "sequence") == 0 || strcmp(otype, "user") == 0 ||
		 strcmp(otype, "role") == 0))
		f->destructive = true;

	if (strcmp(verb, "ALTER") == 0 && strcmp(otype, "table") == 0)
	{
		list_free(f->operations);
		f->operations = NIL;
		classify_alter_table(c, f);
		return;
	}

	if_exists_clause(c, f);
	if (strcmp(otype, "index") == 0)
	{
		/*
		 * CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX name [USING x] ON tbl (...);
		 * DROP INDEX name ON tbl.  An index lives on its table.
		 */
		f->name = ident(c);
		while (c->i < c->n && !kw_at(c, 0, "ON"))
			c->i++;
		if (accept(c, "ON"))
			qualified_name(c, &f->table_schema, &f->table_name);
		f->schema = f->table_schema;
		add_object(f, "index", f->schema, f->name);
		if (create)
			index_columns(c, f);
		scan_clauses(c, f, false);
		return;
	}
	if (global_object(otype))
	{
		f->name = ident(c);
		if (f->name)
			add_object(f, otype, NULL, f->name);
		if (strcmp(verb, "ALTER") == 0 && strcmp(otype, "user") == 0)
		{
			int			k;

			/* ALTER USER ... IDENTIFIED BY: a new password, as SET PASSWORD */
			for (k = c->i; k < c->n; k++)
				if (is_kw(&c->t[k], "IDENTIFIED"))
				{
					add_op(f, "set_password");
					break;
				}
		}
		if (drop || strcmp(otype, "user") == 0 || strcmp(otype, "role") == 0)
		{
			/* DROP USER a, b / CREATE ROLE a, b */
			while (accept_punct(c, '@') || accept_punct(c, ','))
			{
				char	   *more = ident(c);

				if (more && c->i >= 2 && !is_punct(&c->t[c->i - 2], '@'))
					add_object(f, otype, NULL, more);
			}
		}
		return;
	}
	if (create && strcmp(otype, "table") == 0)
	{
		classify_create_table(c, f);
		return;
	}
	if (drop)
	{
		name_list(c, f);
		if (accept(c, "CASCADE"))
			f->cascade = true;
		return;
	}
	qualified_name(c, &f->schema, &f->name);
	add_object(f, otype, f->schema, f->name);
	if (strcmp(otype, "trigger") == 0)
	{
		while (c->i < c->n && !kw_at(c, 0, "ON"))
			c->i++;
		if (accept(c, "ON"))
			qualified_name(c, &f->table_schema, &f->table_name);
		if (create)
			trigger_body(c, f);
	}
	else if (create && (strcmp(otype, "procedure") == 0 || strcmp(otype, "function") == 0))
		routine_body(c, f);
	else if (strcmp(otype, "event") == 0)
		event_body(c, f, create);
}

static void
classify_rename(Cur *c, MyFacts *f)
{
	char	   *s;
	char	   *n;
	bool		scanned = false;

	f->is_ddl = true;
	add_op(f, "rename");
	if (accept(c, "USER"))
	{
		f->command = "RENAME USER";
		f->object_type = "user";
		f->name = ident(c);
		f->old_name = f->name;
		return;
	}
	if (!accept(c, "TABLE"))
		accept(c, "TABLES");
	f->command = "RENAME TABLE";
	f->object_type = "table";
	if (accept2(c, "IF", "EXISTS"))
		f->if_exists = true;
	while (qualified_name(c, &s, &n))
	{
		if (f->name == NULL)
		{
			f->schema = s;
			f->name = n;
			f->old_name = n;
		}
		add_object(f, "table", s, n);
		if (accept(c, "TO") && qualified_name(c, &s, &n))
		{
			if (f->new_name == NULL)
				f->new_name = identity_of(s, n);
		}

		/*
		 * The clauses are looked for once, from the end of the first pair to
		 * the statement's end: scanning the rest again after every pair took
		 * time quadratic in the number of pairs (seconds for a few thousand).
		 */
		if (!scanned)
		{
			scan_clauses(c, f, false);
			scanned = true;
		}
		if (!accept_punct(c, ','))
			break;
	}
}

/*
 * WITH [RECURSIVE] cte AS (...) [, ...] followed by UPDATE or DELETE (MySQL
 * 8.0): the UPDATE or DELETE (its word, c->i just past it), or NULL for a
 * query.  Without this a whole-table DELETE behind a WITH clause, at the top
 * level or in a stored program's body, was a harmless "WITH".
 */
static const char *
with_main_dml(Cur *c)
{
	int			depth = 0;
	int			k;

	for (k = c->i; k < c->n; k++)
	{
		DbcMyTok   *t = &c->t[k];

		if (is_punct(t, '('))
			depth++;
		else if (is_punct(t, ')'))
			depth--;
		else if (depth != 0)
			continue;
		else if (is_kw(t, "UPDATE") || is_kw(t, "DELETE"))
		{
			c->i = k + 1;
			return is_kw(t, "UPDATE") ? "UPDATE" : "DELETE";
		}
		else if (is_kw(t, "SELECT") || is_kw(t, "TABLE") || is_kw(t, "VALUES"))
			return NULL;
	}
	return NULL;
}

/* INSERT / REPLACE / UPDATE / DELETE / LOAD DATA: the table they write. */
static void
classify_dml(Cur *c, MyFacts *f, const char *cmd)
{
	f->command = cmd;
	f->object_type = "table";
	f->is_dml = true;
	add_op(f, strcmp(cmd, "LOAD DATA") == 0 ? "load_data" : asc_tolower(cmd, strlen(cmd)));
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
	add_object(f, "table", f->schema, f->name);
	f->table_schema = f->schema;
	f->table_name = f->name;
	if (strcmp(cmd, "UPDATE") == 0 || strcmp(cmd, "DELETE") == 0)
	{
		f->has_where = has_where(c) ? 1 : 0;
		/* a whole-table UPDATE or DELETE destroys data as surely as TRUNCATE */
		f->destructive = f->has_where == 0;
	}
}

/* A user or role name: 'u'@'h', u@h, CURRENT_USER[()]; NULL when none. */
static char *
user_name(Cur *c)
{
	char	   *u = ident(c);

	if (u == NULL)
		return NULL;
	if (is_punct(peek(c, 0), '(') && is_punct(peek(c, 1), ')'))
		c->i += 2;
	if (accept_punct(c, '@'))
	{
		char	   *h = ident(c);

		if (h != NULL)
			u = psprintf("%s@%s", u, h);
	}
	return u;
}

/*
 * GRANT / REVOKE.  The privileges (what an account may do), the level they
 * are granted at (ON *.* is the whole server, ON db.* a database), the
 * grantees and WITH GRANT / ADMIN OPTION are facts, as PostgreSQL's GRANT
 * has them, so one policy reads both: GRANT ALL ON *.* makes a superuser.
 * GRANT r1, r2 TO u grants roles (no ON).  MariaDB's GRANT ... IDENTIFIED
 * BY sets the grantee's password (operation set_password).
 */
static void
classify_grant(Cur *c, MyFacts *f, DbcMyTok *first)
{
	List	   *items = NIL;	/* privileges, or roles when there is no ON */
	StringInfoData cur;
	bool		any = false;
	bool		words_only = true;	/* the item is bare words (a privilege) */
	int			depth = 0;

	f->command = my_upper(first->val);
	f->is_ddl = true;
	f->grant = true;
	f->is_grant = is_kw(first, "GRANT");
	add_op(f, f->is_grant ? "grant" : "revoke");
	if (!f->is_grant)
		(void) accept2(c, "IF", "EXISTS");	/* MySQL 8.0.30 */

	/* the list before ON (or TO / FROM): privileges, or roles */
	initStringInfo(&cur);
	while (c->i < c->n)
	{
		DbcMyTok   *t = peek(c, 0);

		if (depth == 0 && (is_kw(t, "ON") || is_kw(t, "TO") || is_kw(t, "FROM") || is_punct(t, ',')))
		{
			if (any)
				items = lappend(items, pstrdup(words_only ? asc_tolower(cur.data, cur.len) : cur.data));
			resetStringInfo(&cur);
			any = false;
			words_only = true;
			if (!is_punct(t, ','))
				break;
			c->i++;
			continue;
		}
		if (is_punct(t, '('))
			depth++;			/* a column list: SELECT (a, b) */
		else if (is_punct(t, ')'))
			depth--;
		else if (depth == 0)
		{
			if (t->type != MYT_WORD)
				words_only = false;
			if (any && t->type == MYT_WORD && !is_punct(peek(c, -1), '@'))
				appendStringInfoChar(&cur, '_');
			appendStringInfoString(&cur, t->val);
			any = true;
		}
		c->i++;
	}

	if (!kw_at(c, 0, "ON") && items != NIL &&
		(strcmp(linitial(items), "all") == 0 || strcmp(linitial(items), "all_privileges") == 0))
	{
		/* REVOKE ALL [PRIVILEGES], GRANT OPTION FROM u: every privilege, every level */
		f->object_type = "instance";
		f->privileges = list_make1("all");
		if (list_length(items) > 1)
		{
			f->privileges = lappend(f->privileges, "grant_option");
			f->grant_option = true;
		}
	}
	else if (!accept(c, "ON"))
	{
		/* GRANT role [, role] TO user: no privileges, roles */
		f->object_type = "role";
		f->granted_roles = items;
	}
	else
	{
		ListCell   *lc;

		foreach(lc, items)
		{
			char	   *p = (char *) lfirst(lc);

			if (strcmp(p, "all_privileges") == 0)
				p = "all";
			if (strcmp(p, "grant_option") == 0)
				f->grant_option = true;
			f->privileges = lappend(f->privileges, p);
		}
		if (accept(c, "TABLE"))
			f->object_type = "table";
		else if (accept(c, "FUNCTION"))
			f->object_type = "function";
		else if (accept(c, "PROCEDURE"))
			f->object_type = "procedure";
		else if (accept(c, "PACKAGE"))
		{
			(void) accept(c, "BODY");	/* MariaDB's Oracle mode */
			f->object_type = "package";
		}
		if (list_length(f->privileges) == 1 && strcmp(linitial(f->privileges), "proxy") == 0)
		{
			/* GRANT PROXY ON user: the grantee may log in as that user */
			f->object_type = "user";
			f->name = user_name(c);
			if (f->name)
				add_object(f, "user", NULL, f->name);
		}
		else if (is_punct(peek(c, 0), '*'))
		{
			/* ON *.* or ON * */
			f->object_type = "instance";
		}
		else if (is_ident_tok(peek(c, 0)))
		{
			if (is_punct(peek(c, 1), '.') && is_punct(peek(c, 2), '*'))
			{
				f->object_type = "database";
				f->name = ident(c);
				add_object(f, "database", NULL, f->name);
			}
			else
			{
				qualified_name(c, &f->schema, &f->name);
				if (f->object_type == NULL)
					f->object_type = "table";
				add_object(f, f->object_type, f->schema, f->name);
			}
		}
	}

	/* TO / FROM the grantees, then the options */
	while (c->i < c->n && !kw_at(c, 0, "TO") && !kw_at(c, 0, "FROM"))
		c->i++;
	if (c->i < c->n)
	{
		c->i++;
		do
		{
			char	   *u;

			if (kw_at(c, 0, "PUBLIC") && peek(c, 0)->type == MYT_WORD)
			{
				c->i++;
				u = "public";
			}
			else
				u = user_name(c);
			if (u == NULL)
				break;
			f->grantees = lappend(f->grantees, u);
			/* MariaDB (and MySQL 5.7): GRANT ... TO u IDENTIFIED BY 'pw' */
			if (kw_at(c, 0, "IDENTIFIED"))
			{
				add_op(f, "set_password");
				while (c->i < c->n && !is_punct(peek(c, 0), ',') && !kw_at(c, 0, "WITH") &&
					   !kw_at(c, 0, "REQUIRE"))
					c->i++;
			}
		} while (accept_punct(c, ','));
	}
	for (; c->i < c->n; c->i++)
	{
		if (kw_at(c, 0, "GRANT") && kw_at(c, 1, "OPTION") && kw_at(c, -1, "WITH"))
			f->grant_option = true;
		else if (kw_at(c, 0, "ADMIN") && kw_at(c, 1, "OPTION") && kw_at(c, -1, "WITH"))
			f->admin_option = true;
	}
}


/* ------------------------------------------------------------------------
 * Server-level statements
 *
 * Statements that act on the whole MySQL server rather than on a database
 * object: its configuration (SET GLOBAL / PERSIST, the analogue of ALTER
 * SYSTEM), its accounts (SET PASSWORD), its binary logs and replication,
 * its plugins, its sessions and its life (SHUTDOWN).  Each gets a command of
 * its own, so that a policy can name it; read as a bare "SET" or "RESET"
 * they looked like session housekeeping that no policy has an opinion on.
 * ------------------------------------------------------------------------
 */

/* A server-level command: object_type "instance", one operation. */
static void
server_command(MyFacts *f, const char *command, const char *op)
{
	f->command = command;
	f->object_type = "instance";
	add_op(f, op);
}

/* Is the token a scope keyword of SET, and which scope? */
static const char *
set_scope_of(const DbcMyTok *t)
{
	if (is_kw(t, "GLOBAL"))
		return "global";
	if (is_kw(t, "PERSIST"))
		return "persist";
	if (is_kw(t, "PERSIST_ONLY"))
		return "persist_only";
	if (is_kw(t, "SESSION") || is_kw(t, "LOCAL"))
		return "session";
	return NULL;
}

/* The wider of two scopes: a statement that persists a setting also sets it globally. */
static const char *
wider_scope(const char *a, const char *b)
{
	if (a == NULL)
		return b;
	if (b == NULL)
		return a;
	if (strcmp(a, "persist") == 0 || strcmp(b, "persist") == 0)
		return "persist";
	if (strcmp(a, "persist_only") == 0 || strcmp(b, "persist_only") == 0)
		return "persist_only";
	return "global";
}

/* Is the token the name of the variable sql_log_bin (a word or `quoted`)? */
static bool
is_sql_log_bin(const DbcMyTok *t)
{
	return t != NULL && (t->type == MYT_WORD || t->type == MYT_QIDENT) &&
		pg_strcasecmp(t->val, "sql_log_bin") == 0;
}

/*
 * At the '=' (or ':=') of an assignment: is the value plainly "on" -- 1, ON,
 * TRUE or DEFAULT (sql_log_bin's default is on), as a word, a number or a
 * string, and nothing more?  Consumes the '=' only.  Anything else (0, OFF,
 * FALSE, an expression, a variable) is not: a value the classifier cannot
 * evaluate is judged as switching the setting off.
 */
static bool
assigned_on(Cur *c)
{
	DbcMyTok   *v;
	DbcMyTok   *next;

	if (is_punct(peek(c, 0), ':') && is_punct(peek(c, 1), '='))
		c->i += 2;
	else
		accept_punct(c, '=');
	v = peek(c, 0);
	next = peek(c, 1);
	if (v == NULL || (next != NULL && !is_punct(next, ',') && !is_kw(next, "FOR")))
		return false;
	if (v->type != MYT_WORD && v->type != MYT_STRING && v->type != MYT_NUMBER)
		return false;
	return strcmp(v->val, "1") == 0 || pg_strcasecmp(v->val, "ON") == 0 ||
		pg_strcasecmp(v->val, "TRUE") == 0 ||
		(v->type == MYT_WORD && pg_strcasecmp(v->val, "DEFAULT") == 0);
}

/*
 * Reading a value that edits the variable's own current value, for the facts
 * removes and adds of a setting: SET sql_mode = REPLACE(@@sql_mode,
 * 'ONLY_FULL_GROUP_BY', '') keeps every flag the session had but the one
 * taken out, so a policy can judge the flags removed and added instead of an
 * unknown value.  Only this grammar, over the value's tokens, all of them:
 *
 *	 edit	 := '(' [SELECT] edit ')'
 *			  | CONCAT '(' edit {',' string} ')'	(the strings joined start with ',')
 *			  | CONCAT_WS '(' sep ',' edit {',' string} ')'	(sep: the string ',')
 *			  | chain
 *	 chain	 := '(' [SELECT] chain ')'
 *			  | REPLACE '(' chain ',' string ',' '' ')'
 *			  | @@var | @@SESSION.var | @@LOCAL.var	(session and SET STATEMENT)
 *			  | @@GLOBAL.var							(GLOBAL, PERSIST)
 *
 * REPLACE may not wrap a CONCAT: REPLACE(CONCAT(@@sql_mode,
 * ',ALLOW_INVALIDX_DATES'), 'X', '') would make a flag out of what was
 * appended.  Function names are unquoted words, which MariaDB and MySQL
 * resolve to the built-in functions even when the database has a stored
 * function of that name (`replace`(...) and db.concat(...) call the stored
 * one: not read).  A string is one token (MySQL joins adjacent strings; a
 * charset introducer or X'..' is a word before it: not read).  An executable
 * comment marker between the value's tokens leaves it unread, since the
 * server may skip what the classifier reads.  Anything else: no edit, and
 * the value stays unknown.
 */
typedef struct EditReader
{
	Cur		   *c;
	int			k;				/* the next token */
	int			end;			/* one past the value's last token */
	const char *var;			/* the variable assigned */
	bool		global_base;	/* the current value is @@GLOBAL.var's */
	List	   *removes;
	List	   *adds;
} EditReader;

static DbcMyTok *
er_tok(EditReader *er, int off)
{
	return er->k + off < er->end ? &er->c->t[er->k + off] : NULL;
}

static bool
er_punct(EditReader *er, char ch)
{
	if (!is_punct(er_tok(er, 0), ch))
		return false;
	er->k++;
	return true;
}

/* A function call's start: an unquoted word name followed by '(' */
static bool
er_call(EditReader *er, const char *name)
{
	if (!is_kw(er_tok(er, 0), name) || !is_punct(er_tok(er, 1), '('))
		return false;
	er->k += 2;
	return true;
}

/* One string token; its unescaped content in *val. */
static bool
er_string(EditReader *er, char **val)
{
	DbcMyTok   *t = er_tok(er, 0);

	if (t == NULL || t->type != MYT_STRING)
		return false;
	*val = t->val;
	er->k++;
	return true;
}

/* The items of a flag list: split at ',', blanks trimmed, empty ones left out. */
static List *
flag_items(List *into, const char *s)
{
	while (*s)
	{
		const char *b = s;
		const char *e;

		while (*s && *s != ',')
			s++;
		e = s;
		while (b < e && isspace((unsigned char) *b))
			b++;
		while (e > b && isspace((unsigned char) e[-1]))
			e--;
		if (e > b)
			into = lappend(into, pnstrdup(b, e - b));
		if (*s == ',')
			s++;
	}
	return into;
}

/* @@var, @@SESSION.var, @@LOCAL.var, or @@GLOBAL.var: the one the scope reads */
static bool
er_base(EditReader *er)
{
	DbcMyTok   *a = er_tok(er, 0);
	DbcMyTok   *b = er_tok(er, 1);
	DbcMyTok   *t;
	bool		global = false;

	/* "@ @x" is no system variable: the two '@' touch */
	if (!is_punct(a, '@') || !is_punct(b, '@') || b->start != a->start + 1)
		return false;
	er->k += 2;
	t = er_tok(er, 0);
	if (is_punct(er_tok(er, 1), '.') &&
		(is_kw(t, "SESSION") || is_kw(t, "LOCAL") || is_kw(t, "GLOBAL")))
	{
		global = is_kw(t, "GLOBAL");
		er->k += 2;
		t = er_tok(er, 0);
	}
	if (t == NULL || (t->type != MYT_WORD && t->type != MYT_QIDENT) ||
		pg_strcasecmp(t->val, er->var) != 0 || global != er->global_base)
		return false;
	er->k++;
	return true;
}

static bool
er_chain(EditReader *er)
{
	char	   *from;
	char	   *to;
	List	   *items;

	if (er_punct(er, '('))
	{
		if (is_kw(er_tok(er, 0), "SELECT"))
			er->k++;
		return er_chain(er) && er_punct(er, ')');
	}
	if (!er_call(er, "REPLACE"))
		return er_base(er);
	if (!er_chain(er) || !er_punct(er, ',') || !er_string(er, &from) ||
		!er_punct(er, ',') || !er_string(er, &to) || !er_punct(er, ')'))
		return false;
	/* only a removal: taking out nothing but commas merges the flags */
	items = flag_items(NIL, from);
	if (to[0] != '\0' || items == NIL)
		return false;
	er->removes = list_concat(er->removes, items);
	return true;
}

static bool
er_edit(EditReader *er)
{
	char	   *s;

	if (er_punct(er, '('))
	{
		if (is_kw(er_tok(er, 0), "SELECT"))
			er->k++;
		return er_edit(er) && er_punct(er, ')');
	}
	if (er_call(er, "CONCAT"))
	{
		StringInfoData tail;

		if (!er_edit(er))
			return false;
		initStringInfo(&tail);
		while (er_punct(er, ','))
		{
			if (!er_string(er, &s))
				return false;
			appendStringInfoString(&tail, s);
		}
		/* appended without a ',' first, the text would run into the last flag */
		if (!er_punct(er, ')') || (tail.len > 0 && tail.data[0] != ','))
			return false;
		er->adds = flag_items(er->adds, tail.data);
		return true;
	}
	if (er_call(er, "CONCAT_WS"))
	{
		if (!er_string(er, &s) || strcmp(s, ",") != 0 || !er_punct(er, ',') || !er_edit(er))
			return false;
		while (er_punct(er, ','))
		{
			if (!er_string(er, &s))
				return false;
			er->adds = flag_items(er->adds, s);
		}
		return er_punct(er, ')');
	}
	return er_chain(er);
}

/*
 * Does text hold only blanks and plain comments?  An executable comment's
 * start or end there means the server may run other tokens than those read.
 */
static bool
only_blanks_and_comments(const char *s, const char *e)
{
	while (s < e)
	{
		if (isspace((unsigned char) *s))
			s++;
		else if (s + 1 < e && s[0] == '/' && s[1] == '*')
		{
			if (s + 2 < e && (s[2] == '!' || (s[2] == 'M' && s + 3 < e && s[3] == '!')))
				return false;
			for (s += 2; s + 1 < e && !(s[0] == '*' && s[1] == '/'); s++)
				;
			if (s + 1 >= e)
				return false;
			s += 2;
		}
		else if (*s == '#' || (s + 1 < e && s[0] == '-' && s[1] == '-'))
		{
			while (s < e && *s != '\n')
				s++;
		}
		else
			return false;
	}
	return true;
}

/*
 * Read tokens first..last of c, the value assigned to var in scope, as an
 * edit of var's current value; on success sv gets removes and adds.
 */
static void
read_edit(Cur *c, int first, int last, const char *var, const char *scope, SetVar *sv)
{
	EditReader	er;
	int			k;

	for (k = first; k < last; k++)
	{
		DbcMyTok   *t = &c->t[k];
		const char *gap = c->text + (t->start + t->len - c->text_location);
		const char *gap_end = c->text + (c->t[k + 1].start - c->text_location);

		if (!only_blanks_and_comments(gap, gap_end))
			return;
	}
	memset(&er, 0, sizeof(er));
	er.c = c;
	er.k = first;
	er.end = last + 1;
	er.var = var;
	er.global_base = strcmp(scope, "session") != 0 && strcmp(scope, "statement") != 0;
	if (!er_edit(&er) || er.k != er.end)
		return;
	sv->edit = true;
	sv->removes = er.removes;
	sv->adds = er.adds;
}

/*
 * Record the assignment of system variable var (c at the token after its
 * name) in the fact settings, with its value's text as written, without
 * moving c.  A session setting can weaken what the rest of the script is
 * checked under (sql_mode without strict mode, foreign_key_checks = 0, ...):
 * policies judge it by name and value.  No '=' (SET NAMES, SET TRANSACTION)
 * is no assignment.  The value ends at a ',' at parenthesis depth 0 (or FOR,
 * for SET STATEMENT); executable-comment markers around it are not part of
 * it.
 */
static void
record_setting(Cur *c, MyFacts *f, const char *var, const char *scope, bool stop_at_for)
{
	int			k = c->i;
	int			first;
	int			last;
	int			depth = 0;
	int			start;
	SetVar	   *sv;

	if (is_punct(peek(c, 0), ':') && is_punct(peek(c, 1), '='))
		k += 2;
	else if (is_punct(peek(c, 0), '='))
		k += 1;
	else
		return;
	first = k;
	for (; k < c->n; k++)
	{
		DbcMyTok   *t = &c->t[k];

		if (is_punct(t, '('))
			depth++;
		else if (is_punct(t, ')'))
			depth--;
		else if (depth == 0 && (is_punct(t, ',') || (stop_at_for && is_kw(t, "FOR"))))
			break;
	}
	last = k - 1;
	while (first <= last && (c->t[first].type == MYT_HINT_OPEN || c->t[first].type == MYT_HINT_CLOSE))
		first++;
	while (last >= first && (c->t[last].type == MYT_HINT_OPEN || c->t[last].type == MYT_HINT_CLOSE))
		last--;
	sv = palloc0(sizeof(SetVar));
	sv->name = asc_tolower(var, strlen(var));
	sv->scope = scope;
	if (first <= last)
	{
		start = c->t[first].start - c->text_location;
		sv->value = pnstrdup(c->text + start,
							 c->t[last].start + c->t[last].len - c->t[first].start);
		if (first == last && (c->t[first].type == MYT_WORD || c->t[first].type == MYT_STRING ||
							  c->t[first].type == MYT_NUMBER))
			sv->literal = pstrdup(c->t[first].val);
		else
			read_edit(c, first, last, var, scope, sv);
	}
	f->settings = lappend(f->settings, sv);
}

/*
 * SET var = value [, ...]: session variables and user variables are the
 * session's business, but an assignment with GLOBAL, PERSIST, PERSIST_ONLY
 * (or @@global., @@persist., @@persist_only.) changes the server for every
 * session: "SET GLOBAL" / "SET PERSIST".  A scope keyword stays in force for
 * the assignments after it that name none (MySQL's rule).  SET PASSWORD
 * changes an account; MariaDB's SET STATEMENT ... FOR stmt runs stmt, which
 * is what gets classified.
 */

static bool literal_off(const char *lit);

static bool
statement_fk_checks_off(MyFacts *f)
{
	ListCell   *lc;
	const char *lit = NULL;
	bool		seen = false;

	foreach(lc, f->settings)
	{
		SetVar	   *sv = (SetVar *) lfirst(lc);

		if (strcmp(sv->scope, "statement") == 0 && strcmp(sv->name, "foreign_key_checks") == 0)
		{
			lit = sv->literal;
			seen = true;
		}
	}
	if (!seen)
		return f->session_fk_off;
	return literal_off(lit);
}

/* A literal that switches a boolean setting off (a value unread: not off). */
static bool
literal_off(const char *lit)
{
	return lit != NULL &&
		(strcmp(lit, "0") == 0 || pg_strcasecmp(lit, "OFF") == 0 || pg_strcasecmp(lit, "FALSE") == 0);
}

/*
 * What a SET of the session leaves for the script's later statements: the
 * last session assignment of foreign_key_checks decides (0 / OFF / FALSE:
 * off; 1, ON, DEFAULT or a value dbchange cannot read: on, which keeps the
 * stricter judgement of a copying ALTER).  SET GLOBAL changes new sessions
 * only; SET STATEMENT ... FOR only its statement.
 */
static void
carry_session_settings(const MyFacts *f, DbcMySession *session)
{
	ListCell   *lc;

	foreach(lc, f->settings)
	{
		SetVar	   *sv = (SetVar *) lfirst(lc);

		if (strcmp(sv->scope, "session") == 0 && strcmp(sv->name, "foreign_key_checks") == 0)
			session->fk_checks_off = literal_off(sv->literal);
	}
}

static const char *set_assignments(Cur *c, MyFacts *f);

static void
classify_set(Cur *c, MyFacts *f)
{
	const char *widest;

	if (accept(c, "PASSWORD"))
	{
		/* SET PASSWORD [FOR user] = ...: a change of an account, as ALTER USER */
		f->command = "SET PASSWORD";
		f->object_type = "user";
		f->is_ddl = true;
		add_op(f, "set_password");
		if (accept(c, "FOR"))
		{
			f->name = ident(c);
			if (accept_punct(c, '@'))
				(void) ident(c);
			if (f->name)
				add_object(f, "user", NULL, f->name);
		}

		/*
		 * MariaDB takes more assignments after the password's value: SET
		 * PASSWORD = PASSWORD('x'), foreign_key_checks = 0 sets both
		 */
		skip_to_comma(c);
		(void) set_assignments(c, f);
		return;
	}
	if (accept2(c, "DEFAULT", "ROLE"))
	{
		int			k;
		bool		mysql_form = false;

		/*
		 * SET DEFAULT ROLE r [, r] TO user [, user] (MySQL) or SET DEFAULT
		 * ROLE r [FOR user] (MariaDB): stored in the account.  MariaDB's is
		 * one assignment of a list: more may follow after a comma
		 * (foreign_key_checks = 0), which are settings like any other's.
		 */
		f->command = "SET DEFAULT ROLE";
		f->object_type = "user";
		add_op(f, "set_default_role");
		for (k = c->i; k < c->n; k++)
		{
			if (is_kw(&c->t[k], "FOR"))
				break;
			if (is_kw(&c->t[k], "TO"))
			{
				mysql_form = true;
				break;
			}
		}
		if (mysql_form)
		{
			c->i = k + 1;
			f->name = ident(c);
		}
		else if (k < c->n)
		{
			c->i = k + 1;
			f->name = ident(c);
			if (accept_punct(c, '@'))
				(void) ident(c);
		}
		if (f->name)
			add_object(f, "user", NULL, f->name);
		if (!mysql_form)
		{
			skip_to_comma(c);
			(void) set_assignments(c, f);
		}
		return;
	}
	if (accept(c, "STATEMENT"))
	{
		int			depth = 0;

		bool		at_name = true;

		/*
		 * SET STATEMENT var = value [, ...] FOR statement (MariaDB): the
		 * statement runs with those settings (fact settings, scope
		 * "statement")
		 */
		for (; c->i < c->n; c->i++)
		{
			DbcMyTok   *t = &c->t[c->i];

			if (depth == 0 && at_name && is_ident_tok(t) && !is_kw(t, "FOR"))
			{
				c->i++;
				record_setting(c, f, t->val, "statement", true);
				c->i--;
			}
			at_name = false;
			if (is_punct(t, '('))
				depth++;
			else if (is_punct(t, ')'))
				depth--;
			else if (depth == 0 && is_punct(t, ','))
				at_name = true;
			else if (depth == 0 && is_kw(t, "FOR"))
			{
				c->i++;

				/*
				 * MariaDB accepts SET STATEMENT ... FOR SET STATEMENT ... FOR
				 * to any depth; the inner assignments are read by this same
				 * loop rather than by recursing, so no nesting can exhaust
				 * the stack.  (The loop's c->i++ steps past STATEMENT.)
				 */
				if (kw_at(c, 0, "SET") && kw_at(c, 1, "STATEMENT"))
				{
					c->i++;
					at_name = true;
					continue;
				}
				classify_tokens(c, f);
				return;
			}
			else if (depth == 0 && is_sql_log_bin(t) &&
					 (is_punct(peek(c, 1), '=') || is_punct(peek(c, 1), ':')))
			{
				/* SET STATEMENT sql_log_bin = 0 FOR stmt: stmt is not logged */
				c->i++;
				if (!assigned_on(c))
					f->hides_from_replicas = true;
				c->i--;			/* the loop steps onto the value */
			}
		}
		f->command = "SET";
		return;
	}
	widest = set_assignments(c, f);
	if (widest == NULL)
	{
		f->command = "SET";
		return;
	}
	f->command = strcmp(widest, "global") == 0 ? "SET GLOBAL" : "SET PERSIST";
	f->object_type = "parameter";
	f->scope = widest;
	f->parameter = (char *) linitial(f->parameters);
	f->name = f->parameter;
}

/*
 * The assignments var = value [, ...] of a SET from c on: each system
 * variable in the fact settings, the server-level ones in parameters, and
 * sql_log_bin / autocommit's effects.  Returns the widest server-level scope
 * assigned (NULL when none).
 */
static const char *
set_assignments(Cur *c, MyFacts *f)
{
	const char *sticky = NULL;
	const char *widest = NULL;

	while (c->i < c->n)
	{
		const char *scope = NULL;
		const char *s;
		char	   *var = NULL;

		if ((s = set_scope_of(peek(c, 0))) != NULL && !is_punct(peek(c, 1), '='))
		{
			sticky = s;
			c->i++;
		}
		scope = sticky;
		if (is_punct(peek(c, 0), '@') && is_punct(peek(c, 1), '@'))
		{
			/* @@global.x, @@session.x, @@x (the session's, whatever came before) */
			c->i += 2;
			scope = "session";
			if ((s = set_scope_of(peek(c, 0))) != NULL && is_punct(peek(c, 1), '.'))
			{
				scope = s;
				c->i += 2;
			}
			var = ident(c);
		}
		else if (is_punct(peek(c, 0), '@'))
			scope = NULL;		/* a user variable */
		else
			var = ident(c);
		if (var != NULL && is_punct(peek(c, 0), '.') && is_ident_tok(peek(c, 1)))
		{
			/* a structured variable or a component's: default.key_buffer_size */
			c->i++;
			var = psprintf("%s.%s", var, ident(c));
		}
		if (var != NULL)
			record_setting(c, f, var, scope ? scope : "session", false);
		if (var != NULL && pg_strcasecmp(var, "autocommit") == 0)
		{
			DbcMyTok   *v;

			/* SET autocommit = 1 commits the open transaction */
			accept_punct(c, '=');
			if (is_punct(peek(c, 0), ':') && is_punct(peek(c, 1), '='))
				c->i += 2;
			v = peek(c, 0);
			if (v && (strcmp(v->val, "1") == 0 || is_kw(v, "ON") || is_kw(v, "TRUE")))
				f->implicit_commit = true;
		}
		if (var != NULL && pg_strcasecmp(var, "sql_log_bin") == 0 && !assigned_on(c))
		{
			/*
			 * The statements after it in the session are not written to the
			 * binary log: they change this server and none of its replicas.
			 * (SET GLOBAL sql_log_bin is refused by MySQL 8; judged alike.)
			 */
			f->hides_from_replicas = true;
		}
		if (var != NULL && scope != NULL && strcmp(scope, "session") != 0)
		{
			char	   *name = asc_tolower(var, strlen(var));

			widest = wider_scope(widest, scope);
			f->parameters = lappend(f->parameters, name);
			add_op(f, "set");
		}
		skip_to_comma(c);
	}
	return widest;
}

/*
 * RESET MASTER / BINARY LOGS AND GTIDS deletes every binary log (replicas
 * and point-in-time recovery lose their source); RESET SLAVE / REPLICA
 * deletes the relay logs and, with ALL, the replication settings; RESET
 * PERSIST removes persisted settings.  Every RESET but RESET PERSIST
 * commits implicitly.
 */
static void
classify_reset(Cur *c, MyFacts *f)
{
	if (accept(c, "PERSIST"))
	{
		f->command = "RESET PERSIST";
		f->object_type = "parameter";
		f->scope = "persist";
		accept2(c, "IF", "EXISTS");
		f->parameter = ident(c);
		if (f->parameter)
		{
			f->parameter = asc_tolower(f->parameter, strlen(f->parameter));
			f->name = f->parameter;
			f->parameters = list_make1(f->parameter);
			add_op(f, "reset");
		}
		else
			add_op(f, "reset_all");
		return;
	}
	f->implicit_commit = true;
	if (accept(c, "MASTER") || (accept(c, "BINARY") && accept(c, "LOGS")))
	{
		server_command(f, "RESET MASTER", "reset_master");
		f->destructive = true;
	}
	else if (accept(c, "SLAVE") || accept(c, "REPLICA"))
	{
		server_command(f, "RESET REPLICA", "reset_replica");
		f->destructive = true;
	}
	else
		f->command = "RESET";	/* RESET QUERY CACHE: housekeeping */
}

/* START / STOP [ALL] SLAVE(S) | REPLICA(S) | GROUP_REPLICATION; NULL when neither */
static const char *
replication_command(Cur *c, bool start)
{
	int			k = kw_at(c, 0, "ALL") ? 1 : 0;

	if (kw_at(c, k, "SLAVE") || kw_at(c, k, "SLAVES") || kw_at(c, k, "REPLICA") ||
		kw_at(c, k, "REPLICAS"))
		return start ? "START REPLICA" : "STOP REPLICA";
	if (kw_at(c, 0, "GROUP_REPLICATION"))
		return start ? "START GROUP REPLICATION" : "STOP GROUP REPLICATION";
	return NULL;
}

/* INSTALL / UNINSTALL PLUGIN name | SONAME 'lib' (MariaDB) | COMPONENT 'urn' */
static void
classify_plugin(Cur *c, MyFacts *f, bool install)
{
	bool		component = accept(c, "COMPONENT");

	if (!component && !accept(c, "PLUGIN"))
		accept(c, "SONAME");	/* INSTALL SONAME 'lib': every plugin of the library */
	f->command = component ? (install ? "INSTALL COMPONENT" : "UNINSTALL COMPONENT")
		: (install ? "INSTALL PLUGIN" : "UNINSTALL PLUGIN");
	f->object_type = component ? "component" : "plugin";
	f->is_ddl = true;
	/* INSTALL / UNINSTALL PLUGIN commit implicitly; the component statements are not listed */
	f->no_commit = component;
	add_op(f, install ? "install" : "uninstall");
	f->name = ident(c);
	if (f->name)
		add_object(f, f->object_type, NULL, f->name);
}

/* Statements about the server itself; false when first is none of them. */
static bool
classify_server(Cur *c, MyFacts *f, DbcMyTok *first)
{
	const char *cmd;

	if (is_kw(first, "SET"))
		classify_set(c, f);
	else if (is_kw(first, "RESET"))
		classify_reset(c, f);
	else if (is_kw(first, "PURGE"))
	{
		/* PURGE BINARY | MASTER LOGS TO 'file' | BEFORE time */
		server_command(f, "PURGE BINARY LOGS", "purge_binary_logs");
		f->destructive = true;
	}
	else if (is_kw(first, "FLUSH"))
	{
		server_command(f, "FLUSH", "flush");
		f->implicit_commit = true;
	}
	else if (is_kw(first, "CHANGE") && (kw_at(c, 0, "MASTER") ||
										(kw_at(c, 0, "REPLICATION") && kw_at(c, 1, "SOURCE"))))
	{
		/* CHANGE MASTER ['connection'] TO / CHANGE REPLICATION SOURCE TO: where a replica reads from */
		server_command(f, "CHANGE REPLICATION SOURCE", "change_replication_source");
		f->implicit_commit = true;
	}
	else if (is_kw(first, "CHANGE") && kw_at(c, 0, "REPLICATION") && kw_at(c, 1, "FILTER"))
		server_command(f, "CHANGE REPLICATION FILTER", "change_replication_filter");
	else if ((is_kw(first, "START") || is_kw(first, "STOP")) &&
			 (cmd = replication_command(c, is_kw(first, "START"))) != NULL)
	{
		server_command(f, cmd, is_kw(first, "START") ? "start_replication" : "stop_replication");
		f->implicit_commit = strstr(cmd, "GROUP") == NULL;
	}
	else if (is_kw(first, "INSTALL") || is_kw(first, "UNINSTALL"))
		classify_plugin(c, f, is_kw(first, "INSTALL"));
	else if (is_kw(first, "SHUTDOWN") || is_kw(first, "RESTART"))
		server_command(f, is_kw(first, "SHUTDOWN") ? "SHUTDOWN" : "RESTART",
					   is_kw(first, "SHUTDOWN") ? "shutdown" : "restart");
	else if (is_kw(first, "KILL"))
		server_command(f, "KILL", "kill");	/* another session's query or connection */
	else if ((is_kw(first, "LOCK") || is_kw(first, "UNLOCK")) && kw_at(c, 0, "INSTANCE"))
	{
		/*
		 * LOCK INSTANCE FOR BACKUP (MySQL 8) blocks DDL, account changes and
		 * more in every session of the server until UNLOCK INSTANCE (or the
		 * session ends); read as LOCK TABLES it looked like a lock on tables.
		 * Neither commits implicitly (not on MySQL's list).
		 */
		if (is_kw(first, "LOCK"))
			server_command(f, "LOCK INSTANCE", "lock_instance");
		else
			server_command(f, "UNLOCK INSTANCE", "unlock_instance");
	}
	else if (is_kw(first, "BACKUP") &&
			 (kw_at(c, 0, "STAGE") || kw_at(c, 0, "LOCK") || kw_at(c, 0, "UNLOCK")))
	{
		/*
		 * MariaDB's backup locks.  BACKUP STAGE START ... END walks the whole
		 * server through the stages of a backup: BLOCK_DDL makes DDL wait in
		 * every session, BLOCK_COMMIT every commit, until BACKUP STAGE END (or
		 * the session ends).  BACKUP LOCK t makes DDL on t wait, in every
		 * session, until BACKUP UNLOCK.  Read as a bare "BACKUP" they were a
		 * statement no policy knew.  All three commit the open transaction
		 * (checked against MariaDB 10.11).
		 */
		f->implicit_commit = true;
		if (accept(c, "STAGE"))
		{
			DbcMyTok   *t = peek(c, 0);

			server_command(f, "BACKUP STAGE", "backup_stage");
			if (t != NULL && t->type == MYT_WORD)
				f->backup_stage = asc_tolower(t->val, strlen(t->val));
		}
		else if (accept(c, "LOCK"))
		{
			server_command(f, "BACKUP LOCK", "backup_lock");
			if (qualified_name(c, &f->table_schema, &f->table_name))
				add_object(f, "table", f->table_schema, f->table_name);
		}
		else
			server_command(f, "BACKUP UNLOCK", "backup_unlock");
	}
	else if (is_kw(first, "CLONE"))
	{
		/* CLONE INSTANCE FROM ... replaces every database of this server */
		if (kw_at(c, 0, "INSTANCE"))
		{
			server_command(f, "CLONE INSTANCE", "clone");
			f->destructive = true;
		}
		else
			server_command(f, "CLONE LOCAL", "clone");
	}
	else
		return false;
	return true;
}

/*
 * Statements the classifier knows by their first word alone: they get that
 * word as their command and no facts of their own, because they change no
 * schema object (queries, transaction control, the flow and cursor
 * statements of stored programs, diagnostics) or say so through another
 * fact (PREPARE / EXECUTE: body_dynamic_sql).  Any other word is a
 * statement the classifier does not know: in a stored program's body it
 * leaves the body unread (body_complete false), since a MariaDB-only
 * statement or a word MariaDB reads otherwise could do anything.
 */
static bool
plain_statement(Cur *c, const DbcMyTok *first)
{
	static const char *const words[] = {
		"SELECT", "WITH", "VALUES", "TABLE", "CALL", "DO", "SHOW", "EXPLAIN", "DESCRIBE",
		"DESC", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "XA", "LEAVE",
		"ITERATE", "RETURN", "OPEN", "FETCH", "CLOSE", "SIGNAL", "RESIGNAL", "GET",
		"PREPARE", "EXECUTE", "DEALLOCATE", "CHECKSUM", "HANDLER", "HELP", NULL};
	int			k;

	for (k = 0; words[k]; k++)
		if (is_kw(first, words[k]))
			return true;
	/* CACHE INDEX, LOAD INDEX INTO CACHE (LOAD XML loads rows: not known) */
	return (is_kw(first, "CACHE") || is_kw(first, "LOAD")) && kw_at(c, 0, "INDEX");
}

static void
classify_tokens(Cur *c, MyFacts *f)
{
	DbcMyTok   *first = peek(c, 0);
	const char *dml;

	/* SET STATEMENT ... FOR and stored-program bodies classify statements within statements */
	check_stack_depth();
	if (first == NULL)
		return;
	if (first->type != MYT_WORD)
	{
		f->command = "UNKNOWN";
		f->unrecognised = true;
		return;
	}
	c->i++;
	if (classify_server(c, f, first))
		;
	else if (is_kw(first, "DROP") && kw_at(c, 0, "PREPARE"))
		f->command = "DROP PREPARE";	/* DEALLOCATE PREPARE's other spelling */
	else if (is_kw(first, "CREATE") || is_kw(first, "ALTER") || is_kw(first, "DROP"))
		classify_object_ddl(c, f, my_upper(first->val));
	else if (is_kw(first, "RENAME"))
		classify_rename(c, f);
	else if (is_kw(first, "TRUNCATE"))
	{
		accept(c, "TABLE");
		f->command = "TRUNCATE TABLE";
		f->object_type = "table";
		f->is_ddl = true;
		f->destructive = true;
		add_op(f, "truncate");
		qualified_name(c, &f->schema, &f->name);
		add_object(f, "table", f->schema, f->name);
	}
	else if (is_kw(first, "GRANT") || is_kw(first, "REVOKE"))
		classify_grant(c, f, first);
	else if (is_kw(first, "INSERT") || is_kw(first, "REPLACE") || is_kw(first, "UPDATE") ||
			 is_kw(first, "DELETE"))
		classify_dml(c, f, my_upper(first->val));
	else if (is_kw(first, "LOAD") && kw_at(c, 0, "DATA"))
		classify_dml(c, f, "LOAD DATA");
	else if (is_kw(first, "WITH") && (dml = with_main_dml(c)) != NULL)
		classify_dml(c, f, dml);
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
		f->command = psprintf("%s TABLE", my_upper(first->val));
		f->object_type = "table";
		add_op(f, asc_tolower(first->val, strlen(first->val)));
		accept(c, "NO_WRITE_TO_BINLOG");
		accept(c, "LOCAL");
		if (!accept(c, "TABLE"))
			accept(c, "TABLES");
		name_list(c, f);
		f->implicit_commit = true;
		f->rewrites = is_kw(first, "OPTIMIZE");		/* InnoDB: recreate + analyze */
	}
	else if (is_kw(first, "START") && kw_at(c, 0, "TRANSACTION"))
	{
		f->command = "START TRANSACTION";
		f->implicit_commit = true;	/* it commits the transaction in progress */
	}
	else if (is_kw(first, "LOCK") || is_kw(first, "UNLOCK"))
	{
		f->command = psprintf("%s TABLES", my_upper(first->val));
		f->implicit_commit = true;
	}
	else if (is_kw(first, "ANALYZE") ||
			 ((is_kw(first, "EXPLAIN") || is_kw(first, "DESCRIBE") || is_kw(first, "DESC")) &&
			  kw_at(c, 0, "ANALYZE")))
	{
		/*
		 * MariaDB's ANALYZE [FORMAT = JSON] stmt and MySQL's EXPLAIN ANALYZE
		 * stmt run stmt and then report on it: ANALYZE DELETE FROM t deletes
		 * every row (checked against MariaDB 10.11).  Read as a bare
		 * "ANALYZE" it was a harmless report; it gets the facts of stmt, as
		 * SET STATEMENT ... FOR stmt does.
		 */
		accept(c, "ANALYZE");
		if (kw_at(c, 0, "FORMAT") && is_punct(peek(c, 1), '='))
			c->i += 3;
		classify_tokens(c, f);
		if (f->command == NULL)
		{
			f->command = "ANALYZE";
			f->unrecognised = true;
		}
		return;
	}
	else if (is_kw(first, "BEGIN") && kw_at(c, 0, "NOT"))
		f->command = "BEGIN NOT ATOMIC";
	else
	{
		f->command = my_upper(first->val);
		f->unrecognised = !plain_statement(c, first);
		/* BEGIN [WORK] commits the transaction in progress; so do the key cache statements */
		if (is_kw(first, "BEGIN") || (is_kw(first, "CACHE") && kw_at(c, 0, "INDEX")) ||
			(is_kw(first, "LOAD") && kw_at(c, 0, "INDEX")))
			f->implicit_commit = true;
	}
	if (f->is_ddl && !f->no_commit)
		f->implicit_commit = true;
}

/* ---- output ---- */

static void
put_opt_text(JsonbParseState **st, const char *key, const char *val)
{
	if (val)
		dbc_put_text(st, key, val);
	else
		dbc_put_null(st, key);
}

static void
put_column(JsonbParseState **st, ColDef *col)
{
	ListCell   *lc;

	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	put_opt_text(st, "name", col->name);
	put_opt_text(st, "type", col->type);
	dbc_put_key(st, "typmods");
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, col->typmods)
	{
		JsonbValue	v;

		v.type = jbvNumeric;
		v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
															CStringGetDatum((char *) lfirst(lc)),
															ObjectIdGetDatum(InvalidOid),
															Int32GetDatum(-1)));
		pushJsonbValue(st, WJB_ELEM, &v);
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
	dbc_put_bool(st, "not_null", col->not_null);
	dbc_put_bool(st, "has_default", col->has_default);
	dbc_put_bool(st, "primary_key", col->primary_key);
	dbc_put_bool(st, "unique", col->unique);
	dbc_put_bool(st, "auto_increment", col->auto_increment);
	dbc_put_bool(st, "generated", col->generated);
	put_opt_text(st, "references", col->references);
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

static void
put_columns(JsonbParseState **st, const char *key, List *cols)
{
	ListCell   *lc;

	dbc_put_key(st, key);
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, cols)
		put_column(st, (ColDef *) lfirst(lc));
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

static bool
same_text(const char *a, const char *b)
{
	return a == NULL ? b == NULL : (b != NULL && strcmp(a, b) == 0);
}

/* objects is one element, the main object itself (fact single_object) */
static bool
single_main_object(List *objs, const char *object_type, const char *schema,
				   const char *name, const char *identity)
{
	ObjRef	   *o;

	if (list_length(objs) != 1)
		return false;
	o = (ObjRef *) linitial(objs);
	return same_text(o->object_type, object_type) && same_text(o->schema, schema) &&
		same_text(o->name, name) && same_text(o->identity, identity);
}

static void
put_objects(JsonbParseState **st, List *objs)
{
	ListCell   *lc;

	dbc_put_key(st, "objects");
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, objs)
	{
		ObjRef	   *o = (ObjRef *) lfirst(lc);

		pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
		put_opt_text(st, "object_type", o->object_type);
		put_opt_text(st, "schema", o->schema);
		put_opt_text(st, "name", o->name);
		put_opt_text(st, "identity", o->identity);
		dbc_put_null(st, "exists");
		dbc_put_null(st, "rows");
		dbc_put_bool(st, "rows_estimated", false);
		dbc_put_null(st, "bytes");
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

static void
put_subcommands(JsonbParseState **st, List *subs)
{
	ListCell   *lc;

	dbc_put_key(st, "subcommands");
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, subs)
	{
		SubCmd	   *sc = (SubCmd *) lfirst(lc);

		pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
		dbc_put_text(st, "operation", sc->operation);
		put_opt_text(st, "name", sc->name);
		if (sc->constraint_type)
			dbc_put_text(st, "constraint_type", sc->constraint_type);
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

/* settings: {name, scope, value, literal} per system variable assigned */
static void
put_settings(JsonbParseState **st, List *settings)
{
	ListCell   *lc;

	dbc_put_key(st, "settings");
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, settings)
	{
		SetVar	   *sv = (SetVar *) lfirst(lc);

		pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
		dbc_put_text(st, "name", sv->name);
		dbc_put_text(st, "scope", sv->scope);
		put_opt_text(st, "value", sv->value);
		put_opt_text(st, "literal", sv->literal);
		if (sv->edit)
		{
			dbc_put_text_list(st, "removes", sv->removes);
			dbc_put_text_list(st, "adds", sv->adds);
		}
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

/* The identity of the main object (docs/facts.md conventions). */
static char *
main_identity(MyFacts *f)
{
	if (f->name == NULL)
		return NULL;
	if (f->object_type && (strcmp(f->object_type, "index") == 0 ||
						   strcmp(f->object_type, "trigger") == 0) && f->table_name)
		return psprintf("%s on %s", f->name, identity_of(f->table_schema, f->table_name));
	if (f->object_type && global_object(f->object_type))
		return pstrdup(f->name);
	return identity_of(f->schema, f->name);
}

static void put_facts(JsonbParseState **st, MyFacts *f, const char *text, int statement_no,
					  int line, char *default_schema);

/* body_statements: the facts of each statement of a body, in order */
static void
put_body_statements(JsonbParseState **st, List *stmts)
{
	ListCell   *lc;

	dbc_put_key(st, "body_statements");
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, stmts)
	{
		BodyStmt   *b = (BodyStmt *) lfirst(lc);

		pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
		put_facts(st, b->facts, b->text, b->statement_no, b->line, b->default_schema);
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

/*
 * The facts of one classified statement, as keys of the object open in st.
 * Called for each statement of a script, and again (through
 * body_statements) for each statement of a stored program's body.
 */
static void
put_facts(JsonbParseState **st, MyFacts *f, const char *text, int statement_no, int line,
		  char *default_schema)
{
	const char *lock;
	const char *identity;

	if (f->table_name && f->table_schema == NULL && default_schema)
		f->table_schema = default_schema;
	if (f->operations == NIL && f->command)
	{
		char	   *op = asc_tolower(f->command, strlen(f->command));
		char	   *p;

		for (p = op; *p; p++)
			if (*p == ' ')
				*p = '_';
		add_op(f, op);
	}
	if (f->objects == NIL && f->name)
		add_object(f, f->object_type, f->schema, f->name);

	dbc_put_text(st, "dialect", "mysql");
	dbc_put_text(st, "command", f->command ? f->command : "UNKNOWN");
	dbc_put_text(st, "statement", text);
	dbc_put_int(st, "statement_no", statement_no);
	dbc_put_int(st, "line", line);
	put_opt_text(st, "object_type", f->object_type);
	put_opt_text(st, "schema", f->schema);
	put_opt_text(st, "name", f->name);
	identity = main_identity(f);
	put_opt_text(st, "identity", identity);
	dbc_put_null(st, "exists");
	put_opt_text(st, "table", identity_of(f->table_schema, f->table_name));
	put_objects(st, f->objects);
	dbc_put_bool(st, "single_object",
				 single_main_object(f->objects, f->object_type, f->schema, f->name, identity));
	dbc_put_text_list(st, "operations", f->operations);
	if (f->subcommands)
		put_subcommands(st, f->subcommands);
	if (strcmp(f->command ? f->command : "", "CREATE TABLE") == 0 || f->columns)
		put_columns(st, "columns", f->columns);
	if (f->modified)
		put_columns(st, "modified_columns", f->modified);
	if (f->column)
		dbc_put_text(st, "column", f->column);
	if (f->columns && ((ColDef *) linitial(f->columns))->type)
		dbc_put_text(st, "column_type", ((ColDef *) linitial(f->columns))->type);
	else if (f->modified && ((ColDef *) linitial(f->modified))->type)
		dbc_put_text(st, "column_type", ((ColDef *) linitial(f->modified))->type);
	if (f->constraint_type)
		dbc_put_text(st, "constraint_type", f->constraint_type);
	if (f->index_method)
		dbc_put_text(st, "index_method", f->index_method);
	if (f->index_columns)
	{
		dbc_put_text_list(st, "index_columns", f->index_columns);
		dbc_put_bool(st, "unique", f->unique);
	}
	if (f->scope)
	{
		/* SET GLOBAL / SET PERSIST / RESET PERSIST: as ALTER SYSTEM's facts */
		put_opt_text(st, "parameter", f->parameter);
		dbc_put_text_list(st, "parameters", f->parameters);
		dbc_put_text(st, "scope", f->scope);
	}
	/*
	 * SET statements, and a statement MariaDB's SET STATEMENT ... FOR runs
	 * with settings of its own
	 */
	if (f->settings != NULL ||
		(f->command && (strcmp(f->command, "SET") == 0 || strcmp(f->command, "SET GLOBAL") == 0 ||
						strcmp(f->command, "SET PERSIST") == 0)))
		put_settings(st, f->settings);
	if (f->command && strcmp(f->command, "BACKUP STAGE") == 0)
		put_opt_text(st, "backup_stage", f->backup_stage);
	if (f->grant)
	{
		/* GRANT / REVOKE: PostgreSQL's names (docs/facts.md) */
		dbc_put_bool(st, "is_grant", f->is_grant);
		dbc_put_text_list(st, "privileges", f->privileges);
		dbc_put_text_list(st, "grantees", f->grantees);
		dbc_put_bool(st, "grant_option", f->grant_option);
		if (f->granted_roles)
		{
			dbc_put_text_list(st, "granted_roles", f->granted_roles);
			dbc_put_bool(st, "admin_option", f->admin_option);
		}
	}
	if (f->old_name)
		dbc_put_text(st, "old_name", f->old_name);
	if (f->new_name)
		dbc_put_text(st, "new_name", f->new_name);
	if (f->command && strncmp(f->command, "CREATE TABLE", 12) == 0)
	{
		dbc_put_text(st, "persistence", f->temporary ? "temporary" : "permanent");
		dbc_put_bool(st, "has_primary_key", f->has_primary_key);
		if (f->like)
			dbc_put_text(st, "like", f->like);
	}
	if (f->language)
		dbc_put_text(st, "language", f->language);
	if (f->has_body)
	{
		dbc_put_text_list(st, "body_commands", f->body_commands);
		dbc_put_bool(st, "body_destructive", f->body_destructive);
		dbc_put_bool(st, "body_dynamic_sql", f->body_dynamic_sql);
		dbc_put_bool(st, "body_hides_from_replicas", f->body_hides_from_replicas);
		dbc_put_bool(st, "body_complete", f->body_complete);
		put_body_statements(st, f->body_statements);
	}
	dbc_put_bool(st, "destructive", f->destructive);

	/*
	 * A statement the classifier does not know gets its first words as its
	 * command, which no policy can tell apart from a statement it knows by
	 * name: this fact lets policies fail closed on it, at the top level as
	 * a stored-program body does (body_complete false).
	 */
	dbc_put_bool(st, "unknown", statement_unknown(f));
	dbc_put_bool(st, "hides_from_replicas", f->hides_from_replicas);
	dbc_put_bool(st, "reads_server_file", f->reads_server_file);
	dbc_put_bool(st, "writes_server_file", f->writes_server_file);
	dbc_put_bool(st, "reads_client_file", f->reads_client_file);
	dbc_put_bool(st, "rewrites_table", f->rewrites);
	dbc_put_bool(st, "scans_table", f->rewrites ||
				 (f->command && strcmp(f->command, "CREATE INDEX") == 0) ||
				 (f->constraint_type && f->subcommands &&
				  strcmp(((SubCmd *) linitial(f->subcommands))->operation, "add_constraint") == 0));
	dbc_put_bool(st, "if_exists", f->if_exists);
	dbc_put_bool(st, "if_not_exists", f->if_not_exists);
	dbc_put_bool(st, "or_replace", f->or_replace);
	dbc_put_bool(st, "cascade", f->cascade);
	dbc_put_bool(st, "temporary", f->temporary);
	dbc_put_bool(st, "concurrently", false);
	dbc_put_bool(st, "nontransactional", false);
	dbc_put_null(st, "table_rows");
	dbc_put_bool(st, "table_rows_estimated", false);
	dbc_put_null(st, "table_bytes");
	dbc_put_bool(st, "is_ddl", f->is_ddl);
	dbc_put_bool(st, "is_dml", f->is_dml);
	dbc_put_bool(st, "implicit_commit", f->implicit_commit);
	if (f->has_where >= 0)
		dbc_put_bool(st, "has_where", f->has_where == 1);

	/*
	 * lock: the LOCK clause as written (MySQL's online DDL); blocks_* follow
	 * from it, or from ALGORITHM=COPY, and are null when the server decides.
	 */
	lock = f->lock;
	put_opt_text(st, "lock", lock);
	put_opt_text(st, "algorithm", f->algorithm);
	put_opt_text(st, "engine", f->engine);
	if (lock && strcmp(lock, "NONE") == 0)
	{
		dbc_put_bool(st, "blocks_reads", false);
		dbc_put_bool(st, "blocks_writes", false);
	}
	else if (lock && strcmp(lock, "SHARED") == 0)
	{
		dbc_put_bool(st, "blocks_reads", false);
		dbc_put_bool(st, "blocks_writes", true);
	}
	else if (lock && strcmp(lock, "EXCLUSIVE") == 0)
	{
		dbc_put_bool(st, "blocks_reads", true);
		dbc_put_bool(st, "blocks_writes", true);
	}
	else if ((f->algorithm && strcmp(f->algorithm, "COPY") == 0) || f->shared_lock)
	{
		dbc_put_bool(st, "blocks_reads", false);
		dbc_put_bool(st, "blocks_writes", true);
	}
	else
	{
		dbc_put_null(st, "blocks_reads");
		dbc_put_null(st, "blocks_writes");
	}
}

void
dbc_mysql_classify(JsonbParseState **st, DbcMyStmt *s, DbcMySession *session)
{
	MyFacts		f;
	Cur			c;

	/* a script may hold many thousands of statements: let a cancel through */
	CHECK_FOR_INTERRUPTS();
	memset(&f, 0, sizeof(f));
	f.has_where = -1;
	f.session_fk_off = session->fk_checks_off;
	c.t = s->toks;
	c.n = s->ntoks;
	c.i = 0;
	c.default_schema = session->default_schema;
	c.body_depth = 0;
	c.text = s->text;
	c.text_location = s->location;
	c.line = s->line;
	classify_tokens(&c, &f);
	note_file_access(c.t, c.n, &f);
	session->default_schema = c.default_schema;
	carry_session_settings(&f, session);
	put_facts(st, &f, s->text, s->statement_no, s->line, c.default_schema);
}
