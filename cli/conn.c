/*-------------------------------------------------------------------------
 *
 * conn.c
 *	  libpq connections of the CLI.
 *
 * An environment is named the way PostgreSQL users already name databases:
 * -d/--from/--to take anything libpq accepts as "dbname" with expansion on
 * (a key=value connection string, a postgresql:// URI, service=NAME from
 * pg_service.conf); without -d the PG* variables decide.  The connection
 * reports itself as application "dbchange" unless the user named another
 * (fallback_application_name), and talks UTF8 so JSON output is valid.
 *
 * When the server wants a password libpq did not have, the user is asked on
 * /dev/tty (echo off), as psql does, unless -w was given.
 *
 * Ctrl-C: the handler sends a cancel request for every open connection
 * (PQcancel is async-signal-safe; the PGcancel objects are made outside the
 * handler) and sets dbc_interrupted so loops stop between steps; a second
 * Ctrl-C ends the program at once.
 *
 * Messages never echo the connection string: it may hold a password.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

#define MAX_CONNS 8

static PGconn *conns[MAX_CONNS];
static PGcancel *volatile cancels[MAX_CONNS];
volatile int dbc_interrupted = 0;
static bool atexit_done = false;

static int	scrub_pg_text(char *s);

static void
on_sigint(int sig)
{
	int			saved_errno = errno;
	int			i;
	char		errbuf[256];
	static const char msg[] = "\ndbchange: cancelling (press Ctrl-C again to quit at once)\n";

	if (dbc_interrupted)
	{
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	dbc_interrupted = 1;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
	{
		/* nothing to do about it */
	}
	for (i = 0; i < MAX_CONNS; i++)
		if (cancels[i] != NULL)
			(void) PQcancel(cancels[i], errbuf, sizeof(errbuf));
	errno = saved_errno;
}

void
dbc_install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
}

/* Block SIGINT while the table the handler reads is changed. */
static void
block_sigint(sigset_t *old)
{
	sigset_t	s;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigprocmask(SIG_BLOCK, &s, old);
}

static void
close_all(void)
{
	int			i;

	for (i = 0; i < MAX_CONNS; i++)
		if (conns[i])
			dbc_disconnect(conns[i]);
}

static void
register_conn(PGconn *conn)
{
	sigset_t	old;
	int			i;

	if (!atexit_done)
	{
		atexit(close_all);
		atexit_done = true;
	}
	block_sigint(&old);
	for (i = 0; i < MAX_CONNS; i++)
		if (conns[i] == NULL)
		{
			conns[i] = conn;
			cancels[i] = PQgetCancel(conn);
			break;
		}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void
dbc_disconnect(PGconn *conn)
{
	sigset_t	old;
	int			i;

	if (conn == NULL)
		return;
	block_sigint(&old);
	for (i = 0; i < MAX_CONNS; i++)
		if (conns[i] == conn)
		{
			PQfreeCancel(cancels[i]);
			cancels[i] = NULL;
			conns[i] = NULL;
		}
	sigprocmask(SIG_SETMASK, &old, NULL);
	PQfinish(conn);
}

/* Server notices (policy warnings, ...) on stderr, prefixed, with -v. */
static void
notice_receiver(void *arg, const PGresult *res)
{
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	char	   *kind;
	char	   *p;

	/*
	 * The CLI reports outcomes itself (queued: id, who must approve, reasons),
	 * so the server's notices repeating them are shown only with -v.
	 */
	if (!opts.verbose || msg == NULL)
		return;
	kind = xstrdup(sev ? sev : "notice");
	for (p = kind; *p; p++)
		*p = (char) (*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	fflush(stdout);
	fprintf(stderr, "dbchange: %s: %s\n", kind, msg);
	if (detail && opts.verbose)
		fprintf(stderr, "dbchange: detail: %s\n", detail);
	free(kind);
}

/* Ask for a password on the terminal, echo off.  NULL when there is no terminal. */
static char *
prompt_password(const char *user)
{
	FILE	   *tty = fopen("/dev/tty", "r+");
	struct termios t,
				saved;
	char		buf[1024];
	bool		have_termios;
	char	   *result = NULL;

	if (tty == NULL)
		return NULL;
	have_termios = tcgetattr(fileno(tty), &t) == 0;
	saved = t;
	if (have_termios)
	{
		t.c_lflag &= ~(tcflag_t) ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &t);
	}
	fprintf(tty, "Password for user %s: ", user ? user : "?");
	fflush(tty);
	if (fgets(buf, sizeof(buf), tty) != NULL)
	{
		buf[strcspn(buf, "\r\n")] = '\0';
		result = xstrdup(buf);
	}
	if (have_termios)
		tcsetattr(fileno(tty), TCSAFLUSH, &saved);
	fputc('\n', tty);
	fclose(tty);
	memset(buf, 0, sizeof(buf));
	return result;
}

/*
 * Does conninfo hold a password that libpq could not read because the string
 * itself is malformed?  Then libpq's message quotes a piece of the string
 * ("invalid percent-encoded token: ...", a whole URI, the word after a
 * space in an unquoted password), and may quote the password.
 */
static bool
malformed_with_password(const char *conninfo)
{
	char	   *work;
	char	   *err = NULL;
	PQconninfoOption *parsed;
	int			n;

	if (conninfo == NULL)
		return false;
	parsed = PQconninfoParse(conninfo, &err);
	if (parsed != NULL)
	{
		PQconninfoFree(parsed);
		return false;
	}
	PQfreemem(err);
	work = xstrdup(conninfo);
	n = scrub_pg_text(work);
	free(work);
	return n > 0;
}

/* Replace every "quoted" piece of msg but a lone character ("=") with "...". */
static char *
mask_quoted(const char *msg)
{
	StrBuf		sb;
	const char *p = msg;

	sb_init(&sb);
	for (;;)
	{
		const char *open = strchr(p, '"');
		const char *close = open ? strchr(open + 1, '"') : NULL;

		if (close == NULL)
		{
			sb_append(&sb, p);
			break;
		}
		sb_append_len(&sb, p, close + 1 - p);
		if (close - open > 2)
		{
			sb.len -= close - open + 1;
			sb.data[sb.len] = '\0';
			sb_append(&sb, "\"...\"");
		}
		p = close + 1;
	}
	return sb.data;
}

static void
report_connect_failure(PGconn *conn, const char *conninfo, const char *what)
{
	bool		masked = malformed_with_password(conninfo);
	char	   *msg = masked ? mask_quoted(conn ? PQerrorMessage(conn) : "out of memory")
		: xstrdup(conn ? PQerrorMessage(conn) : "out of memory");
	char	   *p = msg;
	bool		first = true;

	/* libpq's message may span lines ("connection to server ... failed: ...") */
	while (*p)
	{
		size_t		l;

		while (*p == '\t' || *p == ' ')
			p++;
		l = strcspn(p, "\n");
		if (l > 0)
		{
			if (first)
				dbc_error("could not connect to the database given by %s: %.*s", what, (int) l, p);
			else
				fprintf(stderr, "dbchange: detail: %.*s\n", (int) l, p);
			first = false;
		}
		p += l;
		if (*p)
			p++;
	}
	if (first)
		dbc_error("could not connect to the database given by %s", what);
	free(msg);
	if (masked)
		dbc_hint("The parts of the connection string libpq quoted are left out: it holds a password.");
	dbc_hint("%s takes a libpq connection string (\"host=... dbname=...\"), a URI "
			 "(postgresql://user@host:port/db) or service=NAME; what it leaves out comes from the PG* variables.",
			 what);
}

PGconn *
dbc_connect(const char *conninfo, const char *what, bool need_extension)
{
	const char *kw[6];
	const char *val[6];
	char	   *password = NULL;
	PGconn	   *conn;
	int			n;

	for (;;)
	{
		n = 0;
		if (conninfo)
		{
			kw[n] = "dbname";
			val[n++] = conninfo;
		}
		kw[n] = "fallback_application_name";
		val[n++] = "dbchange";
		kw[n] = "client_encoding";
		val[n++] = "UTF8";
		if (password)
		{
			kw[n] = "password";
			val[n++] = password;
		}
		kw[n] = NULL;
		val[n] = NULL;
		conn = PQconnectdbParams(kw, val, 1);
		if (conn && PQstatus(conn) == CONNECTION_BAD && PQconnectionNeedsPassword(conn) &&
			password == NULL && !opts.no_password)
		{
			password = prompt_password(PQuser(conn));
			if (password != NULL)
			{
				PQfinish(conn);
				continue;
			}
		}
		break;
	}
	if (password)
	{
		memset(password, 0, strlen(password));
		free(password);
	}
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
	{
		report_connect_failure(conn, conninfo, what);
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeReceiver(conn, notice_receiver, NULL);
	register_conn(conn);

	if (need_extension)
	{
		PGresult   *res = dbc_query(conn, "checking for the dbchange extension",
									"SELECT e.extversion FROM pg_catalog.pg_extension e "
									"WHERE e.extname = 'dbchange'", 0, NULL);

		if (res == NULL)
		{
			dbc_disconnect(conn);
			return NULL;
		}
		if (PQntuples(res) == 0)
		{
			dbc_error("the dbchange extension is not installed in database \"%s\" (given by %s)",
					  PQdb(conn), what);
			dbc_hint("Install it there as a superuser (CREATE EXTENSION dbchange;), "
					 "or check that %s names the right database.", what);
			PQclear(res);
			dbc_disconnect(conn);
			return NULL;
		}
		PQclear(res);
	}
	return conn;
}

const char *
dbc_conn_label(PGconn *conn)
{
	static char buf[2][512];
	static int	k = 0;
	const char *host = PQhost(conn);

	k = 1 - k;
	if (host && host[0] == '/')
		snprintf(buf[k], sizeof(buf[k]), "\"%s\" (port %s)", PQdb(conn), PQport(conn));
	else
		snprintf(buf[k], sizeof(buf[k]), "\"%s\" on %s:%s", PQdb(conn), host ? host : "?", PQport(conn));
	return buf[k];
}

bool
result_ok(const PGresult *res)
{
	ExecStatusType s = PQresultStatus(res);

	return res && (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK);
}

PGresult *
dbc_exec(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PGresult   *res;

	if (opts.verbose > 1)
		fprintf(stderr, "dbchange: sql: %s\n", sql);
	if (nparams == 0)
		res = PQexec(conn, sql);
	else
		res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (res == NULL)
	{
		/* only when libpq could not even build a result: make one carrying the error */
		res = PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
	}
	return res;
}

bool
dbc_query_true(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PGresult   *res = dbc_exec(conn, sql, nparams, params);
	bool		yes = result_ok(res) && PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';

	PQclear(res);
	return yes;
}

PGresult *
dbc_query(PGconn *conn, const char *what, const char *sql, int nparams, const char *const *params)
{
	PGresult   *res = dbc_exec(conn, sql, nparams, params);

	if (!result_ok(res))
	{
		if (PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) == NULL && PQstatus(conn) == CONNECTION_BAD)
		{
			char	   *m = xstrdup(PQerrorMessage(conn));

			m[strcspn(m, "\n")] = '\0';
			dbc_error("%s: connection lost: %s", what, m);
			free(m);
		}
		else
			dbc_report_result_error(res, what);
		PQclear(res);
		return NULL;
	}
	return res;
}

bool
dbc_command(PGconn *conn, const char *what, const char *sql)
{
	PGresult   *res = dbc_query(conn, what, sql, 0, NULL);

	if (res == NULL)
		return false;
	PQclear(res);
	return true;
}

/*
 * Overwrite with 'x', in s itself, every PostgreSQL password s may hold:
 * the value of "password" followed by "=" (spaces allowed around it, as
 * libpq allows them in a key/value string; quoted or not; wherever it
 * stands, so "--dbname=password=..." and "-dpassword=..." count too), the
 * value of a URI query parameter whose name decodes to "password"
 * ("?%70assword=..."), and the user:password@ of a postgresql:// or
 * postgres:// URI.  Scrubbing too much is harmless (s is only ever what is
 * shown); the length of s does not change.  Returns how many values were
 * overwritten.
 */
static int
scrub_pg_text(char *s)
{
	static const char *const schemes[] = {"postgresql://", "postgres://"};
	int			n = 0;
	char	   *p;
	size_t		k;

	for (p = s; (p = strstr(p, "password")) != NULL; p += 8)
	{
		char	   *v = p + 8;
		char	   *e;

		while (isspace((unsigned char) *v))
			v++;
		if (*v != '=')
			continue;
		v++;
		while (isspace((unsigned char) *v))
			v++;
		e = v;
		if (*v == '\'')
		{
			for (e = v + 1; *e && *e != '\''; e++)
				if (*e == '\\' && e[1])
					e++;
			if (*e)
				e++;
		}
		else
			while (*e && !isspace((unsigned char) *e) && *e != '&')
				e++;
		if (e > v)
		{
			memset(v, 'x', e - v);
			n++;
		}
	}
	for (k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++)
	{
		char	   *start;

		for (p = s; (start = strstr(p, schemes[k])) != NULL; p = start)
		{
			char	   *end;
			char	   *at = NULL;
			char	   *q;
			char	   *colon;

			start += strlen(schemes[k]);
			end = start + strcspn(start, "/?");
			for (q = start; q < end; q++)
				if (*q == '@')
					at = q;
			if (at != NULL && (colon = memchr(start, ':', at - start)) != NULL && at > colon + 1)
			{
				memset(colon + 1, 'x', at - colon - 1);
				n++;
			}
			/* the query: a parameter whose name decodes to "password" */
			q = end + strcspn(end, "?");
			while (*q == '?' || *q == '&')
			{
				char	   *name = q + 1;
				size_t		l = strcspn(name, "=&");
				char		dec[9];
				size_t		d = 0;
				size_t		j;
				char	   *v;
				char	   *e;

				for (j = 0; j < l && d < sizeof(dec) - 1; j++)
				{
					if (name[j] == '%' && j + 2 < l && isxdigit((unsigned char) name[j + 1]) &&
						isxdigit((unsigned char) name[j + 2]))
					{
						char		hex[3] = {name[j + 1], name[j + 2], '\0'};

						dec[d++] = (char) strtol(hex, NULL, 16);
						j += 2;
					}
					else
						dec[d++] = name[j];
				}
				dec[d] = '\0';
				v = name + l;
				e = v;
				if (*v == '=')
				{
					v++;
					e = v + strcspn(v, "&");
					if (j == l && strcmp(dec, "password") == 0 && e > v)
					{
						memset(v, 'x', e - v);
						n++;
					}
				}
				q = e;
				if (*q != '&')
					break;
			}
		}
	}
	return n;
}

/*
 * Overwrite, in the memory ps and /proc/PID/cmdline show, every PostgreSQL
 * password given on the command line (scrub_pg_text).  Called before option
 * parsing, after mysql_scrub_argv: orig[i] is the memory ps shows (argv[i]
 * before either scrubber ran); argv[i] becomes a private copy (with the
 * password, for the parser) unless mysql_scrub_argv made one already.
 */
void
dbc_scrub_pg_argv(int argc, char **argv, char **orig)
{
	int			i;

	for (i = 0; i < argc; i++)
	{
		char	   *work = xstrdup(orig[i]);

		if (scrub_pg_text(work) > 0)
		{
			if (argv[i] == orig[i])
				argv[i] = xstrdup(orig[i]);
			memcpy(orig[i], work, strlen(work));
		}
		free(work);
	}
}

bool
dbc_has_relation(PGconn *conn, const char *qualified)
{
	const char *p[1] = {qualified};

	return dbc_query_true(conn, "SELECT pg_catalog.to_regclass($1) IS NOT NULL", 1, p);
}

bool
dbc_has_function(PGconn *conn, const char *qualified)
{
	const char *dot = strchr(qualified, '.');
	char	   *schema = xstrndup(qualified, dot ? (size_t) (dot - qualified) : 0);
	const char *p[2] = {schema, dot ? dot + 1 : qualified};
	bool		yes = dbc_query_true(conn,
										 "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_proc f "
										 "JOIN pg_catalog.pg_namespace n ON n.oid = f.pronamespace "
										 "WHERE n.nspname = $1 AND f.proname = $2)", 2, p);

	free(schema);
	return yes;
}
