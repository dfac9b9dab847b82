/*-------------------------------------------------------------------------
 *
 * mysql_target.c
 *	  MySQL / MariaDB targets: mysql:// URIs, libmariadb connections, the
 *	  target's history table and canonical schema snapshots.
 *
 * A target is written mysql://user[:password]@host[:port]/database
 * (mariadb:// too; ?socket=/path for a unix socket).  The password may also
 * come from MYSQL_PWD or from the client option files (~/.my.cnf and the
 * system ones, group [client]) the way the mysql client reads them: the URI
 * wins, then MYSQL_PWD, then the option files.
 *
 * The password is never printed: every message shows the URI masked
 * (mysql_mask_uri), the control catalog names a target by
 * mysql://host:port/database only (no user, no password; a unix socket
 * target by mysql://localhost/database?socket=/path), and main()
 * overwrites passwords in argv so that ps does not show them either.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "mysql_target.h"

#define HISTORY_TABLE "dbchange_history"

bool
mysql_is_uri(const char *s)
{
	return s != NULL && (strncmp(s, "mysql://", 8) == 0 || strncmp(s, "mariadb://", 10) == 0);
}

/* Where the authority part starts and the user information ends (last '@'), or NULL. */
static const char *
userinfo_end(const char *s, const char **start)
{
	const char *p = strstr(s, "://");

	if (p == NULL)
		return NULL;
	*start = p + 3;

	/*
	 * The last '@' of the string: a password may hold '/', ':' or '@'
	 * unencoded (database names do not hold '@'), and masking must hide all
	 * of it even then.
	 */
	return strrchr(*start, '@');
}

char *
mysql_mask_uri(const char *s)
{
	const char *start = s;
	const char *at;
	const char *colon;

	if (s == NULL)
		return xstrdup("");
	at = userinfo_end(s, &start);
	if (at == NULL)
		return xstrdup(s);
	colon = memchr(start, ':', at - start);
	if (colon == NULL)
		return xstrdup(s);
	return xasprintf("%.*s:****%s", (int) (colon - s), s, at);
}

void
mysql_scrub_argv(int argc, char **argv)
{
	int			i;

	for (i = 0; i < argc; i++)
	{
		char	   *a = argv[i];
		char	   *uri = strstr(a, "mysql://");
		const char *start = a;
		const char *at;
		char	   *colon;

		if (uri == NULL)
			uri = strstr(a, "mariadb://");
		if (uri == NULL)
			continue;
		at = userinfo_end(uri, &start);
		if (at == NULL)
			continue;
		colon = memchr(start, ':', at - start);
		if (colon == NULL)
			continue;
		/*
		 * Called before option parsing: argv[i] becomes a private copy (with
		 * the password, for the parser), and the original memory -- what ps
		 * and /proc/PID/cmdline show -- is overwritten in place.
		 */
		argv[i] = xstrdup(a);
		memset(colon + 1, 'x', at - colon - 1);
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decode s[0..n); NULL when an escape is malformed. */
static char *
pct_decode(const char *s, size_t n)
{
	char	   *out = xmalloc(n + 1);
	size_t		i;
	size_t		k = 0;

	for (i = 0; i < n; i++)
	{
		if (s[i] == '%')
		{
			int			h;
			int			l;

			if (i + 2 >= n)
			{
				free(out);
				return NULL;
			}
			h = hexval((unsigned char) s[i + 1]);
			l = hexval((unsigned char) s[i + 2]);
			if (h < 0 || l < 0)
			{
				free(out);
				return NULL;
			}
			out[k++] = (char) (h * 16 + l);
			i += 2;
		}
		else
			out[k++] = s[i];
	}
	out[k] = '\0';
	return out;
}

static bool
uri_error(const char *masked, const char *what, const char *why)
{
	dbc_error("invalid MySQL URI \"%s\" given by %s: %s", masked, what, why);
	dbc_hint("Write it as mysql://user[:password]@host[:port]/database (percent-encode special "
			 "characters of the user or password, e.g. %%40 for \"@\"); the password may also "
			 "come from MYSQL_PWD or ~/.my.cnf.");
	return false;
}

static bool parse_uri(const char *uri, const char *what, MysqlTarget *t);

bool
mysql_parse_uri(const char *uri, const char *what, MysqlTarget *t)
{
	if (parse_uri(uri, what, t))
		return true;
	mysql_close_target(t);		/* frees what was parsed */
	return false;
}

static bool
parse_uri(const char *uri, const char *what, MysqlTarget *t)
{
	const char *start = uri;
	const char *at;
	const char *hp;
	const char *hp_end;
	const char *db;
	const char *q;
	const char *colon;

	memset(t, 0, sizeof(*t));
	t->masked = mysql_mask_uri(uri);
	if (!mysql_is_uri(uri))
		return uri_error(t->masked, what, "it does not start with mysql://");
	at = userinfo_end(uri, &start);
	if (at)
	{
		colon = memchr(start, ':', at - start);
		if (colon)
		{
			t->user = pct_decode(start, colon - start);
			t->password = pct_decode(colon + 1, at - colon - 1);
			if (t->password == NULL)
				return uri_error(t->masked, what, "the password has a malformed %-escape");
		}
		else
			t->user = pct_decode(start, at - start);
		if (t->user == NULL)
			return uri_error(t->masked, what, "the user name has a malformed %-escape");
		if (t->user[0] == '\0')
		{
			free(t->user);
			t->user = NULL;
		}
		hp = at + 1;
	}
	else
		hp = start;

	hp_end = hp + strcspn(hp, "/?");
	if (hp_end == hp)
		return uri_error(t->masked, what, "the host is missing");
	if (*hp == '[')
	{
		const char *rb = memchr(hp, ']', hp_end - hp);

		if (rb == NULL)
			return uri_error(t->masked, what, "an IPv6 host in [ ] is not closed");
		t->host = xstrndup(hp + 1, rb - hp - 1);
		colon = rb + 1 < hp_end && rb[1] == ':' ? rb + 1 : NULL;
		if (rb + 1 < hp_end && rb[1] != ':')
			return uri_error(t->masked, what, "unexpected text after the IPv6 host");
	}
	else
	{
		colon = memchr(hp, ':', hp_end - hp);
		t->host = xstrndup(hp, (colon ? colon : hp_end) - hp);
		if (t->host[0] == '\0')
			return uri_error(t->masked, what, "the host is missing");
	}
	if (colon)
	{
		char	   *portstr = xstrndup(colon + 1, hp_end - colon - 1);
		char	   *end;
		long		port = strtol(portstr, &end, 10);

		if (portstr[0] == '\0' || *end != '\0' || port < 1 || port > 65535)
		{
			free(portstr);
			return uri_error(t->masked, what, "the port is not a number from 1 to 65535");
		}
		free(portstr);
		t->port = (unsigned int) port;
	}

	if (*hp_end != '/')
		return uri_error(t->masked, what, "the database is missing (…/database)");
	db = hp_end + 1;
	q = strchr(db, '?');
	t->database = pct_decode(db, q ? (size_t) (q - db) : strlen(db));
	if (t->database == NULL)
		return uri_error(t->masked, what, "the database name has a malformed %-escape");
	if (t->database[0] == '\0')
		return uri_error(t->masked, what, "the database is missing (…/database)");
	if (strchr(t->database, '/') || strlen(t->database) > 64)
		return uri_error(t->masked, what, "the database name is not a valid MySQL database name");
	if (q)
	{
		const char *p = q + 1;

		while (*p)
		{
			size_t		l = strcspn(p, "&");

			if (strncmp(p, "socket=", 7) == 0 && l > 7)
				t->socket = pct_decode(p + 7, l - 7);
			else
			{
				char	   *bad = xasprintf("unknown URI parameter \"%.*s\" (only socket=PATH is known)",
											(int) strcspn(p, "=&"), p);

				uri_error(t->masked, what, bad);
				free(bad);
				return false;
			}
			p += l;
			if (*p == '&')
				p++;
		}
	}
	if (t->socket)
	{
		/*
		 * libmariadb uses the socket only for the host "localhost" (and
		 * otherwise connects over TCP, the socket ignored); the port means
		 * nothing then.  A URI that names a socket reaches it or is refused,
		 * so that the catalog's name of the target is the endpoint used.
		 */
		if (t->socket[0] != '/')
			return uri_error(t->masked, what, "the socket must be an absolute path (socket=/path/to/mysqld.sock)");
		if (strcmp(t->host, "localhost") != 0)
			return uri_error(t->masked, what, "a socket is used only with the host localhost "
							 "(mysql://user@localhost/database?socket=/path); with another host "
							 "the connection would go over TCP and ignore the socket");
		if (t->port)
			return uri_error(t->masked, what, "a port has no meaning with a socket; leave it out");
		/* the socket names the target: no TCP endpoint is used */
		t->key = xasprintf("mysql://localhost/%s?socket=%s", t->database, t->socket);
	}
	else
		t->key = xasprintf("mysql://%s:%u/%s", t->host, t->port ? t->port : 3306, t->database);
	return true;
}

/*
 * LOAD DATA LOCAL INFILE has the server ask its client for one of the
 * client's own files, and this client runs on the deployer's machine: a
 * change someone else wrote must not copy the deployer's files (option
 * files holding passwords, keys) into a table it can read.  So the
 * capability is switched off, and since an option file read at connect
 * time ([client] local-infile) could switch it on again, every request is
 * also refused by a handler of our own.  The statement then fails, and the
 * change with it.
 */
static int
refuse_infile_init(void **state, const char *filename, void *userdata)
{
	(void) filename;
	(void) userdata;
	*state = NULL;
	return 1;
}

static int
refuse_infile_read(void *state, char *buf, unsigned int len)
{
	(void) state;
	(void) buf;
	(void) len;
	return -1;
}

static void
refuse_infile_end(void *state)
{
	(void) state;
}

static int
refuse_infile_error(void *state, char *msg, unsigned int len)
{
	(void) state;
	snprintf(msg, len, "dbchange does not send files of the machine that deploys "
			 "(LOAD DATA LOCAL INFILE); load the data from a file on the server, or with INSERT");
	return CR_UNKNOWN_ERROR;
}

bool
mysql_connect_target(MysqlTarget *t, const char *what)
{
	unsigned int timeout = 10;
	unsigned int no_local_files = 0;
	const char *password = t->password ? t->password : getenv("MYSQL_PWD");
	unsigned int err;

	t->conn = mysql_init(NULL);
	if (t->conn == NULL)
	{
		dbc_error("out of memory");
		return false;
	}
	/* the client option files (~/.my.cnf, /etc/mysql/my.cnf ...), group [client] */
	mysql_options(t->conn, MYSQL_READ_DEFAULT_GROUP, "client");
	mysql_options(t->conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(t->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(t->conn, MYSQL_OPT_LOCAL_INFILE, &no_local_files);
	mysql_set_local_infile_handler(t->conn, refuse_infile_init, refuse_infile_read,
								   refuse_infile_end, refuse_infile_error, NULL);
	if (!mysql_real_connect(t->conn, t->host, t->user, password, t->database, t->port,
							t->socket, CLIENT_MULTI_RESULTS))
	{
		err = mysql_errno(t->conn);
		dbc_error("could not connect to the MySQL target %s given by %s: %s",
				  t->masked, what, mysql_error(t->conn));
		if (err == ER_ACCESS_DENIED_ERROR || err == ER_DBACCESS_DENIED_ERROR)
			dbc_hint("Check the user and password: in the URI (mysql://user:password@...), "
					 "in MYSQL_PWD, or in the [client] group of ~/.my.cnf.");
		else if (err == ER_BAD_DB_ERROR)
			dbc_hint("The database \"%s\" does not exist on that server: create it first "
					 "(CREATE DATABASE), or fix the name after the last \"/\" of the URI.",
					 t->database);
		else if (t->socket && (err == CR_CONNECTION_ERROR || err == CR_SERVER_LOST ||
							   err == CR_SERVER_GONE_ERROR))
			dbc_hint("Is the server running and listening on the socket %s? "
					 "Check the socket= path of the URI.", t->socket);
		else if (err == CR_CONN_HOST_ERROR || err == CR_CONNECTION_ERROR ||
				 err == CR_UNKNOWN_HOST || err == CR_SERVER_LOST || err == CR_SERVER_GONE_ERROR)
			dbc_hint("Is the server running and reachable at %s, port %u? "
					 "Check the host and port of the URI.",
					 t->host, t->port ? t->port : 3306);
		mysql_close(t->conn);
		t->conn = NULL;
		return false;
	}
	return true;
}

void
mysql_close_target(MysqlTarget *t)
{
	if (t->conn)
		mysql_close(t->conn);
	t->conn = NULL;
	if (t->password)
		memset(t->password, 0, strlen(t->password));
	free(t->user);
	free(t->password);
	free(t->host);
	free(t->database);
	free(t->socket);
	free(t->masked);
	free(t->key);
	memset(t, 0, sizeof(*t));
}

bool
mysql_run(MysqlTarget *t, const char *sql, char **err)
{
	int			status;

	*err = NULL;
	if (mysql_real_query(t->conn, sql, strlen(sql)) != 0)
	{
		*err = xasprintf("ERROR %u (%s): %s", mysql_errno(t->conn), mysql_sqlstate(t->conn),
						 mysql_error(t->conn));
		return false;
	}
	/* consume every result (a CALL may return several) */
	do
	{
		MYSQL_RES  *res = mysql_store_result(t->conn);

		if (res)
			mysql_free_result(res);
		else if (mysql_field_count(t->conn) != 0)
		{
			*err = xasprintf("ERROR %u (%s): %s", mysql_errno(t->conn), mysql_sqlstate(t->conn),
							 mysql_error(t->conn));
			return false;
		}
		status = mysql_next_result(t->conn);
		if (status > 0)
		{
			*err = xasprintf("ERROR %u (%s): %s", mysql_errno(t->conn), mysql_sqlstate(t->conn),
							 mysql_error(t->conn));
			return false;
		}
	} while (status == 0);
	return true;
}

bool
mysql_lock_target(MysqlTarget *t)
{
	const char *sql = "SELECT GET_LOCK(CONCAT('dbchange:', DATABASE()), 0)";
	MYSQL_RES  *res;
	MYSQL_ROW	r;
	bool		got = false;

	if (mysql_real_query(t->conn, sql, strlen(sql)) != 0 || (res = mysql_store_result(t->conn)) == NULL)
	{
		dbc_error("could not lock the MySQL target %s: %s", t->masked, mysql_error(t->conn));
		return false;
	}
	if ((r = mysql_fetch_row(res)) != NULL && r[0] && strcmp(r[0], "1") == 0)
		got = true;
	mysql_free_result(res);
	if (!got)
	{
		dbc_error("another dbchange session is deploying to %s", t->key);
		dbc_hint("Wait for it to finish (a promotion or mysql-resolve holds the lock \"dbchange:%s\" "
				 "on that server until it disconnects), then run this again.", t->database);
	}
	return got;
}

char *
mysql_quote_ident(const char *name)
{
	StrBuf		sb;
	const char *p;

	sb_init(&sb);
	sb_append(&sb, "`");
	for (p = name; *p; p++)
	{
		if (*p == '`')
			sb_append(&sb, "`");
		sb_append_len(&sb, p, 1);
	}
	sb_append(&sb, "`");
	return sb.data;
}

/*
 * A string literal the target reads alike whatever its session has become:
 * the text in hexadecimal, converted to utf8mb4.  A script may change how
 * the session reads quotes and backslashes (SET sql_mode =
 * 'NO_BACKSLASH_ESCAPES') or its character set (SET NAMES gbk, where a
 * character may end in the byte of a backslash); an escaped '...' follows
 * the client library's idea of the character set, which a script can keep
 * from learning of the change (SET session_track_system_variables = ''),
 * so a refused statement's text written into the history table with
 * mysql_real_escape_string() ended the string early and wrote SQL of the
 * script's author into the CLI's UPDATE.  X'...' holds only ASCII digits.
 */
char *
mysql_literal(MysqlTarget *t, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	StrBuf		sb;

	(void) t;
	if (text == NULL)
		return xstrdup("NULL");
	sb_init(&sb);
	sb_append(&sb, "CONVERT(X'");
	for (p = (const unsigned char *) text; *p; p++)
	{
		char		byte[2];

		byte[0] = hex[*p >> 4];
		byte[1] = hex[*p & 15];
		sb_append_len(&sb, byte, 2);
	}
	sb_append(&sb, "' USING utf8mb4)");
	return sb.data;
}

static char *
history_table(MysqlTarget *t)
{
	char	   *db = mysql_quote_ident(t->database);
	char	   *r = xasprintf("%s.`" HISTORY_TABLE "`", db);

	free(db);
	return r;
}

bool
mysql_ensure_history(MysqlTarget *t)
{
	char	   *tbl = history_table(t);
	char	   *sql = xasprintf("CREATE TABLE IF NOT EXISTS %s ("
								"uid CHAR(36) NOT NULL PRIMARY KEY, "
								"change_id BIGINT NOT NULL, "
								"checksum CHAR(64) NOT NULL, "
								"status VARCHAR(16) NOT NULL, "
								"statements_total INT NOT NULL, "
								"statements_done INT NOT NULL DEFAULT 0, "
								"description TEXT NULL, "
								"control VARCHAR(255) NOT NULL, "
								"applied_by VARCHAR(255) NOT NULL, "
								"started_at DATETIME(6) NOT NULL, "
								"applied_at DATETIME(6) NULL, "
								"failed_statement_no INT NULL, "
								"failed_statement MEDIUMTEXT NULL, "
								"error TEXT NULL"
								") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
								"COMMENT='dbchange: changes applied to this database'", tbl);
	char	   *err;
	bool		ok = mysql_run(t, sql, &err);

	if (!ok)
	{
		dbc_error("could not create the history table %s in the MySQL target %s: %s",
				  tbl, t->masked, err);
		dbc_hint("The MySQL user needs the CREATE privilege on database \"%s\" the first time.",
				 t->database);
		free(err);
	}
	free(sql);
	free(tbl);
	return ok;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

bool
mysql_history_get(MysqlTarget *t, const char *uid, HistoryRow *row, bool *failed)
{
	char	   *tbl = history_table(t);
	char	   *lit = mysql_literal(t, uid);
	char	   *sql = xasprintf("SELECT uid, checksum, status, statements_done, failed_statement_no, "
								"failed_statement, error FROM %s WHERE uid = %s", tbl, lit);
	MYSQL_RES  *res;
	MYSQL_ROW	r;
	bool		found = false;

	memset(row, 0, sizeof(*row));
	*failed = false;
	if (mysql_real_query(t->conn, sql, strlen(sql)) != 0 ||
		(res = mysql_store_result(t->conn)) == NULL)
	{
		dbc_error("could not read the history table of the MySQL target %s: %s",
				  t->masked, mysql_error(t->conn));
		*failed = true;
	}
	else
	{
		if ((r = mysql_fetch_row(res)) != NULL)
		{
			found = true;
			row->uid = dup_or_null(r[0]);
			row->checksum = dup_or_null(r[1]);
			row->status = dup_or_null(r[2]);
			row->statements_done = r[3] ? atoi(r[3]) : 0;
			row->failed_statement_no = r[4] ? atoi(r[4]) : 0;
			row->failed_statement = dup_or_null(r[5]);
			row->error = dup_or_null(r[6]);
		}
		mysql_free_result(res);
	}
	free(sql);
	free(lit);
	free(tbl);
	return found;
}

void
mysql_history_free(HistoryRow *row)
{
	free(row->uid);
	free(row->checksum);
	free(row->status);
	free(row->failed_statement);
	free(row->error);
	memset(row, 0, sizeof(*row));
}

/* JSON string literal of s into sb. */
static void
json_string(StrBuf *sb, const char *s)
{
	const unsigned char *p;

	sb_append(sb, "\"");
	for (p = (const unsigned char *) s; *p; p++)
	{
		if (*p == '"' || *p == '\\')
		{
			sb_append(sb, "\\");
			sb_append_len(sb, (const char *) p, 1);
		}
		else if (*p < 0x20)
			sb_printf(sb, "\\u%04x", *p);
		else
			sb_append_len(sb, (const char *) p, 1);
	}
	sb_append(sb, "\"");
}

/*
 * The snapshot: one (key, definition) pair per table, column, index,
 * constraint, view, routine, trigger and event of the database, built by
 * the server from information_schema.  Row counts, AUTO_INCREMENT counters
 * and sizes are left out (they change with the data); the history table is
 * left out (dbchange's own).
 */
static const char *const snapshot_sql =
"SELECT CONCAT('table ', t.TABLE_NAME), CONCAT_WS(' ', t.TABLE_TYPE, CONCAT('engine=', t.ENGINE), "
"  CONCAT('collation=', t.TABLE_COLLATION), NULLIF(CONCAT('comment=', t.TABLE_COMMENT), 'comment=')) "
"FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE <> 'VIEW' "
"  AND t.TABLE_NAME <> '" HISTORY_TABLE "' "
"UNION ALL "
"SELECT CONCAT('table ', c.TABLE_NAME, '/column ', c.COLUMN_NAME), CONCAT_WS(' ', "
"  CONCAT('#', c.ORDINAL_POSITION), c.COLUMN_TYPE, IF(c.IS_NULLABLE = 'NO', 'NOT NULL', 'NULL'), "
"  CONCAT('DEFAULT ', c.COLUMN_DEFAULT), NULLIF(c.EXTRA, ''), CONCAT('COLLATE ', c.COLLATION_NAME), "
"  NULLIF(CONCAT('COMMENT ', c.COLUMN_COMMENT), 'COMMENT ')) "
"FROM information_schema.COLUMNS c JOIN information_schema.TABLES t "
"  ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE <> 'VIEW' "
"WHERE c.TABLE_SCHEMA = DATABASE() AND c.TABLE_NAME <> '" HISTORY_TABLE "' "
"UNION ALL "
"SELECT CONCAT('table ', s.TABLE_NAME, '/index ', s.INDEX_NAME), CONCAT_WS(' ', "
"  IF(MAX(s.NON_UNIQUE) = 0, 'UNIQUE', 'NONUNIQUE'), MAX(s.INDEX_TYPE), CONCAT('(', "
"  GROUP_CONCAT(CONCAT(s.COLUMN_NAME, IFNULL(CONCAT('(', s.SUB_PART, ')'), ''), "
"  IF(s.COLLATION = 'D', ' DESC', '')) ORDER BY s.SEQ_IN_INDEX SEPARATOR ', '), ')')) "
"FROM information_schema.STATISTICS s WHERE s.TABLE_SCHEMA = DATABASE() "
"  AND s.TABLE_NAME <> '" HISTORY_TABLE "' GROUP BY s.TABLE_NAME, s.INDEX_NAME "
"UNION ALL "
"SELECT CONCAT('table ', k.TABLE_NAME, '/constraint ', k.CONSTRAINT_NAME), CONCAT('FOREIGN KEY (', "
"  GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ', '), ') REFERENCES ', "
"  MAX(k.REFERENCED_TABLE_NAME), ' (', GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION "
"  SEPARATOR ', '), ') ON UPDATE ', MAX(r.UPDATE_RULE), ' ON DELETE ', MAX(r.DELETE_RULE)) "
"FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r "
"  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME "
"  AND r.TABLE_NAME = k.TABLE_NAME "
"WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL "
"GROUP BY k.TABLE_NAME, k.CONSTRAINT_NAME "
"UNION ALL "
"SELECT CONCAT('table ', cc.TABLE_NAME, '/check ', cc.CONSTRAINT_NAME), cc.CHECK_CLAUSE "
"FROM information_schema.CHECK_CONSTRAINTS cc WHERE cc.CONSTRAINT_SCHEMA = DATABASE() "
"UNION ALL "
"SELECT CONCAT('view ', v.TABLE_NAME), CONCAT_WS(' ', v.VIEW_DEFINITION, "
"  CONCAT('CHECK OPTION ', NULLIF(v.CHECK_OPTION, 'NONE')), CONCAT('SECURITY ', v.SECURITY_TYPE)) "
"FROM information_schema.VIEWS v WHERE v.TABLE_SCHEMA = DATABASE() "
"UNION ALL "
"SELECT CONCAT(LOWER(r.ROUTINE_TYPE), ' ', r.ROUTINE_NAME), CONCAT_WS(' ', "
"  CONCAT('returns ', NULLIF(r.DTD_IDENTIFIER, '')), CONCAT('security ', r.SECURITY_TYPE), "
"  CONCAT('body md5 ', MD5(r.ROUTINE_DEFINITION))) "
"FROM information_schema.ROUTINES r WHERE r.ROUTINE_SCHEMA = DATABASE() "
"UNION ALL "
"SELECT CONCAT('trigger ', tr.TRIGGER_NAME), CONCAT_WS(' ', tr.ACTION_TIMING, tr.EVENT_MANIPULATION, "
"  'ON', tr.EVENT_OBJECT_TABLE, CONCAT('body md5 ', MD5(tr.ACTION_STATEMENT))) "
"FROM information_schema.TRIGGERS tr WHERE tr.TRIGGER_SCHEMA = DATABASE() "
"UNION ALL "
"SELECT CONCAT('event ', e.EVENT_NAME), CONCAT_WS(' ', e.EVENT_TYPE, e.STATUS, "
"  CONCAT('body md5 ', MD5(e.EVENT_DEFINITION))) "
"FROM information_schema.EVENTS e WHERE e.EVENT_SCHEMA = DATABASE() "
"ORDER BY 1";

char *
mysql_snapshot_json(MysqlTarget *t)
{
	MYSQL_RES  *res;
	MYSQL_ROW	r;
	StrBuf		sb;
	bool		first = true;
	char	   *err;
	char	   *db = mysql_quote_ident(t->database);
	char	   *use = xasprintf("USE %s", db);

	free(db);
	/* a script may have switched databases (USE): come back to the target's */
	if (!mysql_run(t, use, &err) ||
		!mysql_run(t, "SET SESSION group_concat_max_len = 1048576", &err))
	{
		dbc_error("could not read the schema of the MySQL target %s: %s", t->masked, err);
		free(err);
		free(use);
		return NULL;
	}
	free(use);
	if (mysql_real_query(t->conn, snapshot_sql, strlen(snapshot_sql)) != 0 ||
		(res = mysql_store_result(t->conn)) == NULL)
	{
		dbc_error("could not read the schema of the MySQL target %s: %s",
				  t->masked, mysql_error(t->conn));
		return NULL;
	}
	sb_init(&sb);
	sb_append(&sb, "{");
	while ((r = mysql_fetch_row(res)) != NULL)
	{
		if (r[0] == NULL)
			continue;
		if (!first)
			sb_append(&sb, ",");
		first = false;
		json_string(&sb, r[0]);
		sb_append(&sb, ":");
		json_string(&sb, r[1] ? r[1] : "");
	}
	sb_append(&sb, "}");
	mysql_free_result(res);
	return sb.data;
}
