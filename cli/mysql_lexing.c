/*-------------------------------------------------------------------------
 *
 * mysql_lexing.c
 *	  Would the MySQL target read a statement as dbchange's classifier did?
 *
 * The control database classifies a MySQL script (classify_mysql) by
 * MySQL's default lexical rules: backslash escapes inside '...' and "...",
 * "..." a string, the text UTF-8.  The server reads it by the session's
 * sql_mode and character_set_client, and a script can change both (SET
 * sql_mode, SET NAMES).  Where they differ, the server can run a statement
 * other than the one the policies checked, without any multi-statement
 * trickery:
 *
 *	  ALTER TABLE t COMMENT 'x\', DROP COLUMN secret -- '
 *
 * is a table comment to the classifier, and under NO_BACKSLASH_ESCAPES a
 * comment 'x\' followed by DROP COLUMN.  ANSI_QUOTES makes "..." an
 * identifier without escapes, and in the multibyte character sets whose
 * characters may end in the byte of a backslash (big5, cp932, gbk, gb18030,
 * sjis) "\x" can be part of a character.  So before each statement the
 * deployment checks it against the session's current rules and refuses one
 * the server could read differently; the rules are read again after any
 * statement that may have changed them.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mysql_target.h"

/* Character sets in which a multibyte character may end with 0x5C ('\'). */
static const char *const unsafe_charsets[] = {"big5", "cp932", "gbk", "gb18030", "sjis"};

/* Is flag one of the comma-separated words of list (any case)? */
static bool
has_word(const char *list, const char *flag)
{
	size_t		n = strlen(flag);
	const char *p = list;

	while (*p)
	{
		const char *end = strchr(p, ',');
		size_t		len = end ? (size_t) (end - p) : strlen(p);

		if (len == n && strncasecmp(p, flag, n) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

bool
mysql_read_lexing(MysqlTarget *t, MysqlLexing *lx, char **err)
{
	const char *sql = "SELECT @@SESSION.sql_mode, @@SESSION.character_set_client";
	MYSQL_RES  *res;
	MYSQL_ROW	row;
	size_t		i;

	*err = NULL;
	if (mysql_real_query(t->conn, sql, strlen(sql)) != 0 || (res = mysql_store_result(t->conn)) == NULL)
	{
		*err = xasprintf("could not read the session's sql_mode: ERROR %u (%s): %s",
						 mysql_errno(t->conn), mysql_sqlstate(t->conn), mysql_error(t->conn));
		return false;
	}
	row = mysql_fetch_row(res);
	memset(lx, 0, sizeof(*lx));
	if (row != NULL)
	{
		const char *mode = row[0] ? row[0] : "";
		const char *cs = row[1] ? row[1] : "";

		lx->no_backslash_escapes = has_word(mode, "NO_BACKSLASH_ESCAPES");
		lx->ansi_quotes = has_word(mode, "ANSI_QUOTES");
		lx->oracle = has_word(mode, "ORACLE");
		for (i = 0; i < sizeof(unsafe_charsets) / sizeof(unsafe_charsets[0]); i++)
			if (strcasecmp(cs, unsafe_charsets[i]) == 0)
				lx->unsafe_charset = true;
		snprintf(lx->charset, sizeof(lx->charset), "%s", cs);
	}
	mysql_free_result(res);
	return true;
}

/* Does text contain word, in any case? */
static bool
mentions(const char *text, const char *word)
{
	size_t		n = strlen(word);

	for (; *text; text++)
		if (strncasecmp(text, word, n) == 0)
			return true;
	return false;
}

bool
mysql_may_change_lexing(const char *stmt)
{
	return mentions(stmt, "sql_mode") || mentions(stmt, "names") ||
		mentions(stmt, "charset") || mentions(stmt, "character");
}

/* Past a comment that starts at p ("#", "-- ", or "/ *" not executable); else p. */
static const char *
skip_comment(const char *p)
{
	if (*p == '#' || (p[0] == '-' && p[1] == '-' &&
					  (p[2] == '\0' || isspace((unsigned char) p[2]) || iscntrl((unsigned char) p[2]))))
	{
		while (*p && *p != '\n')
			p++;
		return p;
	}
	if (p[0] == '/' && p[1] == '*' && p[2] != '!' && !(p[2] == 'M' && p[3] == '!'))
	{
		const char *end = strstr(p + 2, "*/");

		return end ? end + 2 : p + strlen(p);
	}
	return p;
}

const char *
mysql_misread_reason(const char *stmt, const MysqlLexing *lx)
{
	const char *p = stmt;

	if (lx->oracle)
		return "the session's sql_mode has ORACLE, under which MariaDB reads statements by "
			"another grammar than the one dbchange classified them by";
	if (lx->unsafe_charset)
	{
		for (; *p; p++)
			if ((unsigned char) *p >= 0x80)
				return "the session's character set is a multibyte one in which a character may end "
					"in the byte of a backslash, and the statement has non-ASCII text";
		p = stmt;
	}
	if (!lx->no_backslash_escapes && !lx->ansi_quotes)
		return NULL;
	while (*p)
	{
		const char *after = skip_comment(p);
		char		q = *p;

		if (after != p)
		{
			p = after;
			continue;
		}
		if (q == '`')
		{
			/* an identifier: read the same in every mode (a backtick doubled) */
			for (p++; *p; p++)
				if (*p == '`' && *++p != '`')
					break;
			continue;
		}
		if (q != '\'' && q != '"')
		{
			p++;
			continue;
		}
		if (q == '"' && lx->ansi_quotes)
			return "the session's sql_mode has ANSI_QUOTES, under which \"...\" is an identifier, "
				"and the statement has a double-quoted string";
		for (p++; *p; p++)
		{
			if (*p == '\\')
			{
				if (lx->no_backslash_escapes)
					return "the session's sql_mode has NO_BACKSLASH_ESCAPES, under which a backslash "
						"in a string is an ordinary character, and the statement has one in a quoted string";
				if (p[1])
					p++;
			}
			else if (*p == q && *++p != q)
				break;
		}
	}
	return NULL;
}

/*
 * Executable comments the server would skip.  The classifier reads the
 * content of every executable comment, slash-star-bang [version] and
 * MariaDB's slash-star-M-bang [version], as code, whatever its version.  The
 * server runs it only when its own version is at least the one written (and
 * MySQL never runs the M form; MariaDB skips some MySQL versions it has no
 * equivalent of), so a versioned comment lets a script show the policies
 * code the server then leaves out:
 *
 *	  DELETE FROM payments / *M!999999 WHERE id = -1 * /
 *
 * is a DELETE with a WHERE to the classifier (approved) and deletes every row
 * on the target.  Which versions this server runs is its own rule, so the
 * server is asked, with the very marker: SELECT 0 marker +1 end-of-comment
 * gives 1 when it runs the content.  The statement is walked by the
 * classifier's reading (strings with backslash escapes, `identifiers`,
 * comments); markers inside strings and comments are not looked at.
 * Returns why the statement must not run (malloc'd), or NULL.
 */
char *
mysql_skipped_code_reason(MysqlTarget *t, const char *stmt)
{
	const char *p = stmt;

	while (*p)
	{
		char		q = *p;

		if (p[0] == '/' && p[1] == '*' && (p[2] == '!' || (p[2] == 'M' && p[3] == '!')))
		{
			const char *v = p + (p[2] == '!' ? 3 : 4);
			const char *e = v;
			char	   *probe;
			MYSQL_RES  *res;
			MYSQL_ROW	row;
			bool		runs = false;

			while (isdigit((unsigned char) *e))
				e++;
			if (e > v)
			{
				probe = xasprintf("SELECT 0 %.*s +1 */", (int) (e - p), p);
				if (mysql_real_query(t->conn, probe, strlen(probe)) == 0 &&
					(res = mysql_store_result(t->conn)) != NULL)
				{
					if ((row = mysql_fetch_row(res)) != NULL && row[0] && strcmp(row[0], "1") == 0)
						runs = true;
					mysql_free_result(res);
				}
				if (!runs)
				{
					char	   *why = xasprintf("the statement has an executable comment \"%.*s\" whose "
												"content this server does not run, while the classifier "
												"and the policies read it as part of the statement",
												(int) (e - p), p);

					free(probe);
					return why;
				}
				free(probe);
			}
			p = e;
			continue;
		}
		if (skip_comment(p) != p)
		{
			p = skip_comment(p);
			continue;
		}
		if (q == '`' || q == '\'' || q == '"')
		{
			for (p++; *p; p++)
			{
				if (*p == '\\' && q != '`')
				{
					if (p[1])
						p++;
				}
				else if (*p == q && *++p != q)
					break;
			}
			continue;
		}
		p++;
	}
	return NULL;
}
