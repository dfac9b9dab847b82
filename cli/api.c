/*-------------------------------------------------------------------------
 *
 * api.c
 *	  Calling dbchange's SQL API from the CLI.
 *
 * submit_change() is the one place a script becomes a change: submit FILE,
 * deploy and promote all go through it.  Each call is its own transaction
 * (BEGIN; dbchange.submit(...); COMMIT): an approved change is applied and
 * recorded together or not at all, which is what makes deploy and promote
 * resumable after a crash or kill -9 at any moment.
 *
 * With a uid (deploy, promote) the transaction first takes an advisory lock
 * on the uid and looks the uid up: a change that is already applied, or
 * still waiting, is not submitted again.  Two promotions racing on the same
 * target therefore apply each change once.
 *
 * dbchange.submit(script, description, down_script) may take further named
 * arguments (uid, checksum, source, origin): the CLI asks pg_proc which ones
 * the installed version has and passes those, so it works with any version.
 *
 * Outcomes: the call returns normally with the change applied (or pending,
 * when submit() records a queued change in the caller's transaction), or
 * fails with SQLSTATE ZC001 (queued: the pending change was committed by the
 * durable writer) or ZC002 (rejected), or fails otherwise (the statements
 * failed; nothing was applied).
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define SQLSTATE_QUEUED		"ZC001"
#define SQLSTATE_REJECTED	"ZC002"

/* Optional named arguments of dbchange.submit, probed once per connection. */
typedef struct SubmitCaps
{
	PGconn	   *conn;
	bool		promoted;		/* dbchange.submit_promoted() exists */
	bool		uid;
	bool		checksum;
	bool		source;
	bool		origin;
} SubmitCaps;

static SubmitCaps caps;

bool
function_has_arg(PGconn *conn, const char *fn, const char *arg)
{
	const char *p[2] = {fn, arg};

	return dbc_query_true(conn,
						  "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_proc f "
						  "JOIN pg_catalog.pg_namespace n ON n.oid = f.pronamespace "
						  "WHERE n.nspname = 'dbchange' AND f.proname = $1 "
						  "AND $2 = ANY (f.proargnames))", 2, p);
}

static const SubmitCaps *
submit_caps(PGconn *conn)
{
	if (caps.conn != conn)
	{
		caps.conn = conn;
		caps.promoted = dbc_has_function(conn, "dbchange.submit_promoted");
		caps.uid = function_has_arg(conn, "submit", "uid");
		caps.checksum = function_has_arg(conn, "submit", "checksum");
		caps.source = function_has_arg(conn, "submit", "source");
		caps.origin = function_has_arg(conn, "submit", "origin");
	}
	return &caps;
}

char *
environment_of(PGconn *conn)
{
	static const char *const tries[] = {
		"SELECT value FROM dbchange.settings WHERE key = 'environment'",
		"SELECT value FROM dbchange.configure() WHERE key = 'environment'",
		"SELECT environment FROM dbchange.changes ORDER BY id DESC LIMIT 1",
		NULL
	};
	int			i;

	for (i = 0; tries[i]; i++)
	{
		PGresult   *res = dbc_exec(conn, tries[i], 0, NULL);

		if (result_ok(res) && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		{
			char	   *env = xstrdup(PQgetvalue(res, 0, 0));

			PQclear(res);
			return env;
		}
		/* a settings table without the row means the default */
		if (i == 0 && result_ok(res))
		{
			PQclear(res);
			return xstrdup("dev");
		}
		PQclear(res);
	}
	return xstrdup("dev");
}

/* The id a queued/rejected error names ("... change 42 ..."), or 0. */
static long long
id_from_message(const PGresult *res)
{
	const char *fields[2] = {
		PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY),
		PQresultErrorField(res, PG_DIAG_MESSAGE_HINT)
	};
	int			i;

	for (i = 0; i < 2; i++)
	{
		const char *p = fields[i];

		while (p && (p = strstr(p, "change")) != NULL)
		{
			p += 6;
			while (*p == ' ' || *p == '#')
				p++;
			if (*p >= '0' && *p <= '9')
				return strtoll(p, NULL, 10);
		}
	}
	return 0;
}

/* Fill status, risk, reasons and who must act from the catalog. */
static void
load_change_state(PGconn *conn, SubmitResult *out)
{
	char		idbuf[32];
	const char *p[1] = {idbuf};
	PGresult   *res;

	if (out->id <= 0)
		return;
	snprintf(idbuf, sizeof(idbuf), "%lld", out->id);
	/* reasons: each once, in order (a script repeats a reason per statement) */
	res = dbc_exec(conn, "SELECT status, risk, (SELECT pg_catalog.string_agg(r, '; ' ORDER BY o) FROM "
				   "(SELECT r, min(o) AS o FROM unnest(reasons) WITH ORDINALITY AS u(r, o) GROUP BY r) d) "
				   "FROM dbchange.changes WHERE id = $1", 1, p);
	if (result_ok(res) && PQntuples(res) == 1)
	{
		free(out->status);
		free(out->risk);
		free(out->reasons);
		out->status = xstrdup(PQgetvalue(res, 0, 0));
		out->risk = PQgetisnull(res, 0, 1) ? NULL : xstrdup(PQgetvalue(res, 0, 1));
		out->reasons = !PQgetisnull(res, 0, 2) && PQgetvalue(res, 0, 2)[0] ? xstrdup(PQgetvalue(res, 0, 2)) : NULL;
	}
	PQclear(res);
	free(out->waiting_for);
	out->waiting_for = NULL;
	if (out->status && (strcmp(out->status, "pending") == 0 || strcmp(out->status, "approved") == 0))
	{
		res = dbc_exec(conn, "SELECT * FROM (" PENDING_HUMAN_SQL ") q WHERE id = $1", 1, p);
		if (result_ok(res) && PQntuples(res) == 1)
		{
			int			c = PQfnumber(res, "waits_for");

			if (c >= 0 && !PQgetisnull(res, 0, c))
				out->waiting_for = xstrdup(PQgetvalue(res, 0, c));
		}
		PQclear(res);
	}
}

/* The newest change with this uid (after a queued/rejected error). */
static long long
id_of_uid(PGconn *conn, const char *uid)
{
	const char *p[1] = {uid};
	PGresult   *res = dbc_exec(conn, "SELECT max(id) FROM dbchange.changes WHERE uid = $1::uuid AND source <> 'interactive'", 1, p);
	long long	id = 0;

	if (result_ok(res) && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return id;
}

/* A UUID in its text form, nothing else (safe to put into SQL text). */
static bool
uid_is_plain(const char *uid)
{
	int			i;

	for (i = 0; uid[i]; i++)
		if (!(isxdigit((unsigned char) uid[i]) || uid[i] == '-'))
			return false;
	return i == 36;
}

/*
 * One round trip: the change's state, then COMMIT (PQsendQuery gives a
 * result per statement).  Returns COMMIT's result (or the first error).
 */
static PGresult *
state_and_commit(PGconn *conn, SubmitResult *out)
{
	char	   *q = xasprintf("SELECT status, risk, (SELECT pg_catalog.string_agg(r, '; ' ORDER BY o) FROM "
							  "(SELECT r, min(o) AS o FROM unnest(reasons) WITH ORDINALITY AS u(r, o) GROUP BY r) d) "
							  "FROM dbchange.changes WHERE id = %lld; COMMIT", out->id);
	PGresult   *res;
	PGresult   *last = NULL;
	int			n = 0;

	if (!PQsendQuery(conn, q))
	{
		free(q);
		return dbc_exec(conn, "COMMIT", 0, NULL);	/* reports the connection's state */
	}
	free(q);
	while ((res = PQgetResult(conn)) != NULL)
	{
		if (n++ == 0 && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		{
			out->status = xstrdup(PQgetvalue(res, 0, 0));
			if (!PQgetisnull(res, 0, 1))
				out->risk = xstrdup(PQgetvalue(res, 0, 1));
			if (!PQgetisnull(res, 0, 2) && PQgetvalue(res, 0, 2)[0])
				out->reasons = xstrdup(PQgetvalue(res, 0, 2));
		}
		if (last == NULL || result_ok(last))
		{
			PQclear(last);
			last = res;			/* the first error wins */
		}
		else
			PQclear(res);
	}
	if (last && !result_ok(last))
		PQclear(dbc_exec(conn, "ROLLBACK", 0, NULL));
	return last ? last : PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
}

static void
rollback(PGconn *conn)
{
	PQclear(dbc_exec(conn, "ROLLBACK", 0, NULL));
}

void
submit_change(PGconn *conn, const SubmitRequest *rq, SubmitResult *out)
{
	const SubmitCaps *cp = submit_caps(conn);
	StrBuf		sql;
	const char *params[8];
	int			np = 3;
	PGresult   *res;
	const char *sqlstate;

	memset(out, 0, sizeof(*out));
	out->outcome = SUBMIT_FAILED;

	if (!(rq->uid && uid_is_plain(rq->uid)))
	{
		res = dbc_exec(conn, "BEGIN", 0, NULL);
		if (!result_ok(res))
		{
			out->error = res;
			return;
		}
		PQclear(res);
	}
	else
	{
		/*
		 * One round trip: begin, one submitter per uid at a time, then (in a
		 * statement whose snapshot follows the lock) is it there already?
		 * The uid is inlined: it was checked to be a plain UUID text.
		 */
		char	   *q = xasprintf("BEGIN; "
								  "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('dbchange uid %s', 0)); "
								  "SELECT id, status FROM dbchange.changes WHERE uid = '%s' AND source <> 'interactive' "
								  "AND status IN ('applied', 'pending', 'approved') ORDER BY id DESC LIMIT 1",
								  rq->uid, rq->uid);

		res = dbc_exec(conn, q, 0, NULL);
		free(q);
		if (!result_ok(res))
		{
			out->error = res;
			rollback(conn);
			return;
		}
		if (PQntuples(res) == 1)
		{
			out->already = true;
			out->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
			PQclear(res);
			rollback(conn);
			load_change_state(conn, out);
			out->outcome = strcmp(out->status ? out->status : "", "applied") == 0 ? SUBMIT_APPLIED : SUBMIT_QUEUED;
			return;
		}
		PQclear(res);
	}

	sb_init(&sql);
	if (rq->promoted && cp->promoted && rq->uid && rq->checksum)
	{
		/* the same change from another environment: identity and provenance travel */
		params[0] = rq->script;
		params[1] = rq->uid;
		params[2] = rq->checksum;
		params[3] = rq->description;
		params[4] = rq->down_script;
		params[5] = rq->requested_by;
		params[6] = rq->origin;
		np = 7;
		sb_append(&sql, "SELECT dbchange.submit_promoted($1, $2, $3, $4, $5, $6, $7");
	}
	else
	{
		params[0] = rq->script;
		params[1] = rq->description;
		params[2] = rq->down_script;
		sb_append(&sql, "SELECT dbchange.submit($1, $2, $3");
		if (rq->uid && cp->uid)
		{
			params[np++] = rq->uid;
			sb_printf(&sql, ", uid => $%d", np);
		}
		if (rq->checksum && cp->checksum)
		{
			params[np++] = rq->checksum;
			sb_printf(&sql, ", checksum => $%d", np);
		}
		if (rq->source && cp->source && !rq->promoted)
		{
			params[np++] = rq->source;
			sb_printf(&sql, ", source => $%d", np);
		}
		if (rq->origin && cp->origin)
		{
			params[np++] = rq->origin;
			sb_printf(&sql, ", origin => $%d", np);
		}
	}
	sb_append(&sql, ")");
	res = dbc_exec(conn, sql.data, np, params);
	sb_free(&sql);

	if (result_ok(res))
	{
		out->id = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
		PQclear(res);
		res = state_and_commit(conn, out);
		if (!result_ok(res))
		{
			out->error = res;
			out->outcome = SUBMIT_FAILED;
			return;
		}
		PQclear(res);
		/* who must act, for a change that waits (a second look, after the commit) */
		if (out->status && (strcmp(out->status, "pending") == 0 || strcmp(out->status, "approved") == 0))
			load_change_state(conn, out);
		if (out->status && strcmp(out->status, "approved") == 0 && out->id > 0)
		{
			/*
			 * Approved but not run: a statement must run at top level (CREATE
			 * INDEX CONCURRENTLY ...).  Do it now if this role may; otherwise
			 * it waits for a deployer's "dbchange apply".
			 */
			PGresult   *err = NULL;
			char	   *st = toplevel_apply(conn, out->id, &err);

			if (st)
			{
				free(out->status);
				out->status = st;
				free(out->waiting_for);
				out->waiting_for = NULL;
				load_change_state(conn, out);
			}
			else if (err && strcmp(PQresultErrorField(err, PG_DIAG_SQLSTATE) ?
								   PQresultErrorField(err, PG_DIAG_SQLSTATE) : "", "42501") != 0)
				out->error = err, err = NULL;
			PQclear(err);
		}
		if (out->status == NULL || strcmp(out->status, "applied") == 0)
			out->outcome = SUBMIT_APPLIED;
		else if (strcmp(out->status, "rejected") == 0)
			out->outcome = SUBMIT_REJECTED;
		else if (strcmp(out->status, "failed") == 0)
			out->outcome = SUBMIT_FAILED;
		else
			out->outcome = SUBMIT_QUEUED;
		return;
	}

	/* the transaction is aborted: end it, then find out what was recorded durably */
	sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	rollback(conn);
	out->error = res;
	if (sqlstate && (strcmp(sqlstate, SQLSTATE_QUEUED) == 0 || strcmp(sqlstate, SQLSTATE_REJECTED) == 0))
	{
		out->outcome = strcmp(sqlstate, SQLSTATE_QUEUED) == 0 ? SUBMIT_QUEUED : SUBMIT_REJECTED;
		out->id = rq->uid ? id_of_uid(conn, rq->uid) : 0;
		if (out->id == 0)
			out->id = id_from_message(res);
		load_change_state(conn, out);
		if (out->reasons == NULL && PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL))
			out->reasons = xstrdup(PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
	}
}

char *
toplevel_apply(PGconn *conn, long long id, PGresult **err)
{
	char		idbuf[32];
	const char *p[1] = {idbuf};
	PGresult   *stmts;
	PGresult   *res;
	char	   *status = NULL;
	int			i;

	*err = NULL;
	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	stmts = dbc_exec(conn, "SELECT statement_no, statement FROM dbchange.authorize_toplevel($1) ORDER BY 1",
					 1, p);
	if (!result_ok(stmts))
	{
		*err = stmts;
		return NULL;
	}
	for (i = 0; i < PQntuples(stmts); i++)
	{
		/* each statement alone, simple protocol, outside any transaction block */
		if (!opts.quiet && !opts.json)
			printf("running at top level: %s\n", PQgetvalue(stmts, i, 1));
		res = dbc_exec(conn, PQgetvalue(stmts, i, 1), 0, NULL);
		if (!result_ok(res))
		{
			char	   *what = xasprintf("statement %s of change %lld failed", PQgetvalue(stmts, i, 0), id);

			dbc_report_result_error(res, what);
			free(what);
			PQclear(res);
			break;
		}
		PQclear(res);
		if (dbc_interrupted)
			break;
	}
	PQclear(stmts);
	/* the server knows what ran; it records that, whatever happened here */
	res = dbc_exec(conn, "SELECT dbchange.finish_toplevel($1)", 1, p);
	if (!result_ok(res))
	{
		*err = res;
		return NULL;
	}
	status = xstrdup(PQgetisnull(res, 0, 0) ? "unknown" : PQgetvalue(res, 0, 0));
	PQclear(res);
	return status;
}

void
submit_result_free(SubmitResult *r)
{
	free(r->status);
	free(r->waiting_for);
	free(r->risk);
	free(r->reasons);
	PQclear(r->error);
	memset(r, 0, sizeof(*r));
}

/* Byte offset of the n-th (1-based) character of a UTF-8 string. */
static size_t
char_to_byte(const char *s, int n)
{
	size_t		i = 0;
	int			c = 0;

	while (s[i])
	{
		if (((unsigned char) s[i] & 0xc0) != 0x80)
		{
			if (++c == n)
				return i;
		}
		i++;
	}
	return i;
}

/*
 * Where in the script did the error happen?  From the internal position
 * (when the server reports the script as the internal query), else from a
 * "line N" in the error context.  0 when unknown.
 */
static int
error_line(const PGresult *res, const char *script)
{
	const char *ipos = PQresultErrorField(res, PG_DIAG_INTERNAL_POSITION);
	const char *iquery = PQresultErrorField(res, PG_DIAG_INTERNAL_QUERY);
	const char *context = PQresultErrorField(res, PG_DIAG_CONTEXT);
	const char *p;

	if (ipos && iquery)
	{
		const char *at = strstr(script, iquery);

		if (at)
			return line_of_offset(script, (size_t) (at - script) + char_to_byte(iquery, atoi(ipos)));
	}
	/* submit()'s context: "statement 3 of the submitted script (line 5)"; split.c's: "at line 5" */
	if (context && (p = strstr(context, "(line ")) != NULL)
		return atoi(p + 6);
	if (context && (p = strstr(context, "at line ")) != NULL)
		return atoi(p + 8);
	return 0;
}

void
report_script_error(const PGresult *res, const char *file, const char *script)
{
	int			line = res ? error_line(res, script) : 0;
	char	   *what;

	if (line > 0)
		what = xasprintf("%s:%d", file, line);
	else
		what = xstrdup(file);
	dbc_report_result_error(res, what);
	free(what);
	if (line > 0)
	{
		/* show the statement's line as written */
		const char *p = script;
		int			l = 1;
		const char *context = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
		const char *sn = context ? strstr(context, "statement ") : NULL;
		int			stmt_no = 0;

		/* "statement N of the submitted script" names the statement too */
		while (sn && !(sn[10] >= '0' && sn[10] <= '9'))
			sn = strstr(sn + 10, "statement ");
		if (sn)
			stmt_no = atoi(sn + 10);
		while (*p && l < line)
			if (*p++ == '\n')
				l++;
		if (stmt_no > 0)
			fprintf(stderr, "dbchange: detail: statement %d, line %d: %.*s\n", stmt_no, line,
					(int) strcspn(p, "\r\n"), p);
		else
			fprintf(stderr, "dbchange: detail: line %d: %.*s\n", line, (int) strcspn(p, "\r\n"), p);
	}
}

int
outcome_exit_code(const SubmitResult *r)
{
	switch (r->outcome)
	{
		case SUBMIT_APPLIED:
			return EXIT_DONE;
		case SUBMIT_QUEUED:
			return EXIT_QUEUED;
		case SUBMIT_REJECTED:
			return EXIT_REJECTED;
		default:
			return EXIT_ERROR;
	}
}

const char *
outcome_name(const SubmitResult *r)
{
	switch (r->outcome)
	{
		case SUBMIT_APPLIED:
			return "applied";
		case SUBMIT_QUEUED:
			return "queued";
		case SUBMIT_REJECTED:
			return "rejected";
		default:
			return "failed";
	}
}

/* The members of a submission's outcome, inside an open JSON object. */
void
jw_submit_result(JsonWriter *w, const SubmitResult *r, const char *script)
{
	jw_kv_string(w, "outcome", outcome_name(r));
	jw_key(w, "id");
	if (r->id > 0)
		jw_int(w, r->id);
	else
		jw_null(w);
	jw_kv_string(w, "status", r->status);
	jw_kv_string(w, "risk", r->risk);
	jw_kv_string(w, "reasons", r->reasons);
	jw_kv_string(w, "waiting_for", r->waiting_for);
	jw_key(w, "error");
	if (r->error && r->outcome == SUBMIT_FAILED)
	{
		int			line = script ? error_line(r->error, script) : 0;

		jw_begin_object(w);
		jw_kv_string(w, "message", PQresultErrorField(r->error, PG_DIAG_MESSAGE_PRIMARY)
					 ? PQresultErrorField(r->error, PG_DIAG_MESSAGE_PRIMARY) : PQresultErrorMessage(r->error));
		jw_kv_string(w, "detail", PQresultErrorField(r->error, PG_DIAG_MESSAGE_DETAIL));
		jw_kv_string(w, "hint", PQresultErrorField(r->error, PG_DIAG_MESSAGE_HINT));
		jw_kv_string(w, "sqlstate", PQresultErrorField(r->error, PG_DIAG_SQLSTATE));
		jw_key(w, "line");
		if (line > 0)
			jw_int(w, line);
		else
			jw_null(w);
		jw_end_object(w);
	}
	else
		jw_null(w);
}

static int
action_rank(const char *a)
{
	if (a == NULL)
		return -1;
	if (strcmp(a, "reject") == 0)
		return 2;
	if (strcmp(a, "queue") == 0)
		return 1;
	return 0;
}

static int
risk_rank(const char *r)
{
	static const char *const risks[] = {"low", "moderate", "high", "critical", NULL};
	int			i;

	for (i = 0; r && risks[i]; i++)
		if (strcmp(r, risks[i]) == 0)
			return i;
	return -1;
}

/* Is reason one of the "; "-separated list? */
static bool
has_reason(const char *list, const char *reason)
{
	size_t		n = strlen(reason);
	const char *p = list;

	while ((p = strstr(p, reason)) != NULL)
	{
		if ((p == list || (p >= list + 2 && p[-2] == ';' && p[-1] == ' ')) &&
			(p[n] == '\0' || (p[n] == ';' && p[n + 1] == ' ')))
			return true;
		p += n;
	}
	return false;
}

/*
 * Append a statement's reasons (separated by \x1f) to a script's "; "-separated
 * list, each reason once: the statements of a script often share a reason
 * (the environment's default action, say), which said once per statement
 * would bury the others.
 */
static void
add_reasons(StrBuf *all, const char *why)
{
	while (*why)
	{
		const char *end = strchr(why, '\x1f');
		size_t		len = end ? (size_t) (end - why) : strlen(why);
		char	   *one = xstrndup(why, len);

		if (len > 0 && !has_reason(all->len ? all->data : "", one))
		{
			if (all->len)
				sb_append(all, "; ");
			sb_append(all, one);
		}
		free(one);
		why += len + (end ? 1 : 0);
	}
}

bool
evaluate_script(PGconn *conn, const char *script, const char *environment, const char *source,
				const char *file, EvalResult *out)
{
	static PGconn *probed = NULL;
	static bool has_source = false;
	const char *p[3] = {script, environment, source};
	PGresult   *res;

	/* evaluate(sql, environment[, source]): the facts say where the change comes from */
	if (probed != conn)
	{
		probed = conn;
		has_source = function_has_arg(conn, "evaluate", "source");
	}
	if (has_source && source)
		res = dbc_exec(conn, "SELECT action, risk, pg_catalog.array_to_string(reasons, E'\\x1f') "
					   "FROM dbchange.evaluate($1, $2, source => $3)", 3, p);
	else
		res = dbc_exec(conn, "SELECT action, risk, pg_catalog.array_to_string(reasons, E'\\x1f') "
					   "FROM dbchange.evaluate($1, $2)", 2, p);
	StrBuf		reasons;
	int			r;

	memset(out, 0, sizeof(*out));
	if (!result_ok(res) && PQresultErrorField(res, PG_DIAG_SQLSTATE) &&
		strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42883") == 0)
	{
		dbc_error("this database's dbchange has no evaluate() to ask for a dry run");
		dbc_hint("Update the extension (ALTER EXTENSION dbchange UPDATE), or run without --dry-run.");
		PQclear(res);
		return false;
	}
	if (!result_ok(res))
	{
		report_script_error(res, file, script);
		PQclear(res);
		return false;
	}
	sb_init(&reasons);
	out->action = xstrdup("approve");
	for (r = 0; r < PQntuples(res); r++)
	{
		const char *a = PQgetvalue(res, r, 0);
		const char *k = PQgetisnull(res, r, 1) ? NULL : PQgetvalue(res, r, 1);
		const char *why = PQgetvalue(res, r, 2);

		if (action_rank(a) > action_rank(out->action))
		{
			free(out->action);
			out->action = xstrdup(a);
		}
		if (k && risk_rank(k) > risk_rank(out->risk))
		{
			free(out->risk);
			out->risk = xstrdup(k);
		}
		add_reasons(&reasons, why);
	}
	out->statements = PQntuples(res);
	if (reasons.len)
		out->reasons = reasons.data;
	else
		sb_free(&reasons);
	PQclear(res);
	return true;
}

void
eval_result_free(EvalResult *e)
{
	free(e->action);
	free(e->risk);
	free(e->reasons);
	memset(e, 0, sizeof(*e));
}
