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

/* Add the line of a syntax error to its context. */
static void
syntax_error_context(void *arg)
{
	const char *script = (const char *) arg;
	int			pos = geterrposition();

	if (pos > 0)
		errcontext("in the script at line %d", dbc_line_of(script, pos - 1));
}

List *
dbc_split_script(const char *script)
{
	List	   *raw;
	List	   *result = NIL;
	ListCell   *lc;
	ErrorContextCallback cb;
	int			n = 0;

	cb.callback = syntax_error_context;
	cb.arg = (void *) script;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	raw = raw_parser(script, RAW_PARSE_DEFAULT);
	error_context_stack = cb.previous;

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
		ps->line = dbc_line_of(script, p - script);
		result = lappend(result, ps);
	}
	return result;
}
