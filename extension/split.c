/*-------------------------------------------------------------------------
 *
 * split.c
 *	  Split a script into its statements with the server's own parser.
 *
 * Used by evaluate(), submit() and apply: each statement keeps its exact
 * text (the bytes between stmt_location and stmt_location + stmt_len), its
 * number and the line it starts on, so a syntax error can name the
 * statement and line and a recorded statement is exactly what ran.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "parser/parser.h"

#include "dbchange.h"

/*
 * Scripts are split and classified as PostgreSQL reads them by default:
 * standard_conforming_strings on, backslash_quote safe_encoding.  Those two
 * settings change how the lexer reads quotes and backslashes, and a script
 * that turns them off (SET, set_config(), a DO block) would have its later
 * statements read at run time as other statements than those classified:
 *
 *	 SET standard_conforming_strings = off;
 *	 CREATE VIEW v AS SELECT 'a\' || ' ; DROP TABLE t; --';
 *
 * is a view to the classifier and, with the setting off, a view and a DROP
 * TABLE that no policy saw.  So the split uses the defaults whatever the
 * session has, and each statement is read again just before it runs
 * (dbc_require_same_reading).
 */
static bool
default_reading(void)
{
	return standard_conforming_strings && backslash_quote == BACKSLASH_QUOTE_SAFE_ENCODING;
}

static List *
raw_parse_default_reading(const char *text)
{
	bool		scs = standard_conforming_strings;
	int			bq = backslash_quote;
	List	   *raw;

	if (default_reading())
		return raw_parser(text, RAW_PARSE_DEFAULT);
	standard_conforming_strings = true;
	backslash_quote = BACKSLASH_QUOTE_SAFE_ENCODING;
	PG_TRY();
	{
		raw = raw_parser(text, RAW_PARSE_DEFAULT);
	}
	PG_FINALLY();
	{
		standard_conforming_strings = scs;
		backslash_quote = bq;
	}
	PG_END_TRY();
	return raw;
}

/*
 * Refuse to run a statement of a script that the session, with its current
 * settings, would read otherwise than the default reading it was classified
 * by.  With the default settings there is nothing to compare.
 */
void
dbc_require_same_reading(const char *text, int statement_no)
{
	List	   *now;

	if (default_reading())
		return;
	now = raw_parser(text, RAW_PARSE_DEFAULT);
	/* equal() ignores locations: only what the statement is counts */
	if (!equal(now, raw_parse_default_reading(text)))
		ereport(ERROR,
				(errcode(ERRCODE_DBCHANGE_UNRECORDED),
				 errmsg("statement %d would be read as something other than what dbchange checked", statement_no),
				 errdetail("With standard_conforming_strings %s and backslash_quote %s in this session, PostgreSQL "
						   "reads the statement's quotes and backslashes differently from the default reading "
						   "it was classified and approved by.",
						   standard_conforming_strings ? "on" : "off",
						   backslash_quote == BACKSLASH_QUOTE_ON ? "on" :
						   backslash_quote == BACKSLASH_QUOTE_OFF ? "off" : "safe_encoding"),
				 errhint("Do not change standard_conforming_strings or backslash_quote in a change; "
						 "write backslash escapes as E'...' strings.")));
}

/* 1-based line number of byte offset pos in s. */
int
dbc_line_of(const char *s, int pos)
{
	int			line = 1;
	int			i;

	for (i = 0; i < pos && s[i]; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

/*
 * Add the line of a syntax error to its context, and make its position one
 * in the script (an internal query) rather than in the statement that called
 * us: the client's cursor then points into the script, not at the same offset
 * of, say, "SELECT dbchange.submit($$...".
 */
static void
syntax_error_context(void *arg)
{
	const char *script = (const char *) arg;
	int			pos = geterrposition();

	if (pos > 0)
	{
		/* cursor positions count characters from 1 */
		errcontext("in the script at line %d",
				   dbc_line_of(script, pg_mbcharcliplen(script, strlen(script), pos - 1)));
		errposition(0);
		internalerrposition(pos);
		internalerrquery(script);
	}
}

List *
dbc_split_script(const char *script)
{
	List	   *raw;
	List	   *result = NIL;
	ListCell   *lc;
	ErrorContextCallback cb;
	int			n = 0;
	int			line = 1;		/* the line ... */
	const char *line_at;		/* ... at this point of the script */

	cb.callback = syntax_error_context;
	cb.arg = (void *) script;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	raw = raw_parse_default_reading(script);
	error_context_stack = cb.previous;

	/*
	 * Statements come in the script's order: their lines are counted on from
	 * the last one's, not from the start (which made a script of N
	 * statements cost O(N^2)).
	 */
	line_at = script;
	foreach(lc, raw)
	{
		RawStmt    *rs = lfirst_node(RawStmt, lc);
		DbcParsedStmt *ps = palloc0(sizeof(DbcParsedStmt));
		int			loc = rs->stmt_location < 0 ? 0 : rs->stmt_location;
		const char *p = script + loc;

		/* the text starts after leading whitespace/comments the lexer skipped */
		while (*p && isspace((unsigned char) *p))
			p++;
		ps->stmt = rs->stmt;
		ps->raw = rs;
		ps->text = dbc_statement_text(script, rs->stmt_location, rs->stmt_len);
		ps->statement_no = ++n;
		ps->location = loc;
		if (p < line_at)
		{
			line_at = script;
			line = 1;
		}
		for (; line_at < p; line_at++)
			if (*line_at == '\n')
				line++;
		ps->line = line;
		result = lappend(result, ps);
	}
	return result;
}
