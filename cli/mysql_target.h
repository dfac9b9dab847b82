/*-------------------------------------------------------------------------
 *
 * mysql_target.h
 *	  MySQL / MariaDB targets of the CLI (libmariadb): mysql:// URIs,
 *	  connections, the target's history table and schema snapshots.
 *	  See mysql_target.c and docs/mysql.md.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DBCHANGE_MYSQL_TARGET_H
#define DBCHANGE_MYSQL_TARGET_H

#include <stdbool.h>

#include <mysql.h>

#include "cli.h"

/* A parsed mysql:// URI.  The password never leaves this struct in any message. */
typedef struct MysqlTarget
{
	char	   *user;			/* NULL: from the option files, else the OS user */
	char	   *password;		/* NULL: MYSQL_PWD, else the option files */
	char	   *host;
	unsigned int port;			/* 0: default (3306, or the option files) */
	char	   *database;
	char	   *socket;			/* ?socket=/path */
	char	   *masked;			/* the URI as it may be shown: password replaced */
	char	   *key;			/* the target's name in the control catalog: mysql://host:port/db,
								 * mysql://localhost/db?socket=/path for a socket */
	MYSQL	   *conn;
} MysqlTarget;

/*
 * How the target's session reads statements (mysql_lexing.c): the sql_mode
 * flags and character set that make it read them differently from
 * dbchange's classifier.
 */
typedef struct MysqlLexing
{
	bool		no_backslash_escapes;
	bool		ansi_quotes;
	bool		oracle;			/* MariaDB's sql_mode=ORACLE: another grammar */
	bool		unsafe_charset; /* big5, cp932, gbk, gb18030, sjis */
	char		charset[64];
} MysqlLexing;

/* Read the session's rules; false with *err (malloc'd) set on failure. */
extern bool mysql_read_lexing(MysqlTarget *t, MysqlLexing *lx, char **err);
/* Why the server could read stmt differently from the classifier, or NULL. */
extern const char *mysql_misread_reason(const char *stmt, const MysqlLexing *lx);
/* Why the server would skip code of stmt the classifier read (a versioned executable comment), or NULL; malloc'd. */
extern char *mysql_skipped_code_reason(MysqlTarget *t, const char *stmt);
/* Could stmt change the rules (SET sql_mode, SET NAMES, ...)?  Then read them again. */
extern bool mysql_may_change_lexing(const char *stmt);

/* Is s a mysql:// (or mariadb://) URI? */
extern bool mysql_is_uri(const char *s);

/* s with the password of a mysql:// URI replaced by "****" (s itself if none); malloc'd. */
extern char *mysql_mask_uri(const char *s);

/*
 * Overwrite the password of every mysql:// URI in argv, so that ps does not
 * show it; call before parsing options (argv[i] then points to a copy).
 */
extern void mysql_scrub_argv(int argc, char **argv);

/*
 * Parse a mysql:// URI; what names the option it came from.  Prints an error
 * (with the URI masked) and returns false when it is malformed.
 */
extern bool mysql_parse_uri(const char *uri, const char *what, MysqlTarget *t);

/* Connect; prints a clear error and returns false on failure. */
extern bool mysql_connect_target(MysqlTarget *t, const char *what);
/* Close the connection and free what mysql_parse_uri allocated (the password wiped). */
extern void mysql_close_target(MysqlTarget *t);

/*
 * Take the target's deployment lock (a MySQL named lock, held until the
 * connection closes), so two promotions never deploy to one database at once.
 */
extern bool mysql_lock_target(MysqlTarget *t);

/* Run one statement (consuming any results); false with *err set (malloc'd) on failure. */
extern bool mysql_run(MysqlTarget *t, const char *sql, char **err);

/* `name` with backticks doubled, in backticks; malloc'd. */
extern char *mysql_quote_ident(const char *name);
/* text as a literal read alike in every sql_mode and character set (hex); malloc'd ("NULL" for NULL). */
extern char *mysql_literal(MysqlTarget *t, const char *text);

/* The history table in the target database (created when missing). */
extern bool mysql_ensure_history(MysqlTarget *t);

/* One row of the target's history table. */
typedef struct HistoryRow
{
	char	   *uid;
	char	   *checksum;
	char	   *status;			/* running, applied, failed, marked_applied */
	int			statements_done;
	int			failed_statement_no;
	char	   *failed_statement;
	char	   *error;
} HistoryRow;

/* The history row of a change uid; false when there is none (or on error: *failed). */
extern bool mysql_history_get(MysqlTarget *t, const char *uid, HistoryRow *row, bool *failed);
extern void mysql_history_free(HistoryRow *row);

/*
 * The canonical schema snapshot of the target database from
 * information_schema, as the text of a flat JSON object ("table t/column c"
 * -> definition); NULL after an error message.
 */
extern char *mysql_snapshot_json(MysqlTarget *t);

#endif							/* DBCHANGE_MYSQL_TARGET_H */
