/*-------------------------------------------------------------------------
 *
 * classify_mysql.h
 *	  The MySQL / MariaDB tokenizer, splitter and classifier (classify_mysql.c)
 *	  and the SQL-callable functions built on it (mysql.c).
 *
 * The classifier reads MySQL text only: no catalog access, no server, so its
 * output depends on the text alone (unit-tested by pg_regress through
 * dbchange.classify_mysql()).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DBC_CLASSIFY_MYSQL_H
#define DBC_CLASSIFY_MYSQL_H

#include "postgres.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

typedef enum DbcMyTokType
{
	MYT_WORD,					/* unquoted identifier or keyword; val upper-cased */
	MYT_QIDENT,					/* `quoted identifier`; val unescaped */
	MYT_STRING,					/* 'string' or "string"; val unescaped */
	MYT_NUMBER,
	MYT_PUNCT,					/* one character; val is that character */
	MYT_HINT_OPEN,				/* start of an executable comment (slash-star-bang) */
	MYT_HINT_CLOSE,				/* its end */
	MYT_SEMI					/* a statement-ending ';' */
} DbcMyTokType;

typedef struct DbcMyTok
{
	DbcMyTokType type;
	int			start;			/* byte offset in the script */
	int			len;			/* bytes in the script */
	char	   *val;
} DbcMyTok;

/* One statement of a MySQL script. */
typedef struct DbcMyStmt
{
	char	   *text;			/* exact text, without leading comments and the ';' */
	int			statement_no;	/* 1-based */
	int			line;			/* 1-based line where it starts */
	int			location;		/* byte offset in the script */
	DbcMyTok   *toks;			/* its tokens, hint markers excluded */
	int			ntoks;
} DbcMyStmt;

/*
 * Split a script into statements (List of DbcMyStmt *).  Raises an error
 * naming the line for an unterminated string, identifier or comment and for
 * DELIMITER lines (a mysql client command, not SQL).
 */
extern List *dbc_mysql_split(const char *script);

/*
 * What the earlier statements of a script leave in force for the later ones
 * (they run in order, in one session): the database unqualified names belong
 * to (NULL when unknown; USE changes it), and whether the session's own
 * SET foreign_key_checks = 0 is in force (with it InnoDB adds a foreign key
 * in place, without copying the table or checking its rows).
 */
typedef struct DbcMySession
{
	char	   *default_schema;
	bool		fk_checks_off;
} DbcMySession;

/*
 * Append the statement's facts to an open jsonb object, and carry into
 * *session what the statement changes for the statements after it.
 */
extern void dbc_mysql_classify(JsonbParseState **st, DbcMyStmt *s, DbcMySession *session);

#endif							/* DBC_CLASSIFY_MYSQL_H */
