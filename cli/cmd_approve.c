/*-------------------------------------------------------------------------
 *
 * cmd_approve.c
 *	  The DBA's verbs: approve, reject, apply.
 *
 * Each calls the SQL function of the same name (which checks roles, steps
 * and states and says who may act) and prints the change's new status.
 * A change whose apply failed is reported with the server's error and exit
 * status 1; the failure itself is recorded in the catalog.
 *
 * apply: statements that cannot run inside a function (CREATE INDEX
 * CONCURRENTLY and the like) are refused by dbchange.apply(); the CLI then
 * runs them itself at top level, one by one, under the one-time
 * authorisation of the workflow (see toplevel_apply()).
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* dbchange.apply(): "this change must run at top level" (the workflow's SQLSTATE). */
#define SQLSTATE_TOPLEVEL "ZC006"

/* Print the outcome of a verb; returns the exit status for the change's state. */
static int
report_status(PGconn *conn, long long id, const char *verb, const char *status)
{
	char		idbuf[32];
	const char *p[1] = {idbuf};
	PGresult   *res;
	char	   *error = NULL;
	int			rc = EXIT_DONE;

	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	if (strcmp(status, "failed") == 0)
	{
		res = dbc_exec(conn, "SELECT error_message, error_sqlstate FROM dbchange.changes WHERE id = $1", 1, p);
		if (result_ok(res) && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
			error = xstrdup(PQgetvalue(res, 0, 0));
		PQclear(res);
		rc = EXIT_ERROR;
	}
	if (opts.json)
	{
		JsonWriter	w;

		jw_init(&w, stdout);
		jw_begin_object(&w);
		jw_kv_int(&w, "id", id);
		jw_kv_string(&w, "status", status);
		if (error)
			jw_kv_string(&w, "error", error);
		jw_end_object(&w);
		jw_finish(&w);
	}
	else if (!opts.quiet)
	{
		/*
		 * "change 7 applied: status failed" would contradict itself: say what
		 * did not happen.  An approval that applied at once (rollout auto)
		 * did approve; only its apply failed.
		 */
		const char *what = verb;

		if (rc != EXIT_DONE && strncmp(verb, "applied", 7) == 0)
			what = strcmp(verb, "applied") == 0 ? "not applied" : "not applied at top level";
		else if (rc != EXIT_DONE && strcmp(verb, "approved") == 0)
			what = "approved, but its apply failed";
		printf("change %lld %s: status %s%s%s\n", id, what, status_color(status), status, color_reset());
	}
	if (error)
	{
		dbc_error("change %lld failed: %s", id, error);
		dbc_hint("\"dbchange show %lld\" has the details; fix the cause and submit a new change.", id);
	}
	free(error);
	return rc;
}

static int
call_verb(const DbcCommand *cmd, long long id, const char *sql, const char *arg, const char *verb)
{
	PGconn	   *conn;
	PGresult   *res;
	char		idbuf[32];
	const char *p[2] = {idbuf, arg};
	int			rc;
	char	   *what;

	if ((conn = dbc_connect(opts.dbname, "-d", true)) == NULL)
		return EXIT_ERROR;
	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	what = xasprintf("could not %s change %lld", cmd->name, id);
	res = dbc_query(conn, what, sql, strstr(sql, "$2") ? 2 : 1, p);
	free(what);
	if (res == NULL)
	{
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	rc = report_status(conn, id, verb, PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "unknown");
	PQclear(res);
	dbc_disconnect(conn);
	return rc;
}

int
cmd_approve(const DbcCommand *cmd, int argc, char **argv)
{
	long long	id;

	if (!need_args(cmd, argc, 1, 1))
		return EXIT_USAGE;
	if (!parse_id(cmd, argv[0], &id))
		return EXIT_USAGE;
	return call_verb(cmd, id, "SELECT dbchange.approve($1, $2)", opts.message, "approved");
}

int
cmd_reject(const DbcCommand *cmd, int argc, char **argv)
{
	long long	id;

	if (!need_args(cmd, argc, 1, 1))
		return EXIT_USAGE;
	if (!parse_id(cmd, argv[0], &id))
		return EXIT_USAGE;
	if (opts.message == NULL || opts.message[0] == '\0')
	{
		dbc_error("a rejection needs a reason");
		dbc_hint("Give it with -m, for example: dbchange reject %lld -m \"drops a column still in use\"", id);
		return EXIT_USAGE;
	}
	return call_verb(cmd, id, "SELECT dbchange.reject($1, $2)", opts.message, "rejected");
}

int
cmd_apply(const DbcCommand *cmd, int argc, char **argv)
{
	long long	id;
	PGconn	   *conn;
	PGresult   *res;
	const char *p[1];
	const char *sqlstate;
	int			rc;

	if (!need_args(cmd, argc, 1, 1))
		return EXIT_USAGE;
	if (!parse_id(cmd, argv[0], &id))
		return EXIT_USAGE;
	if ((conn = dbc_connect(opts.dbname, "-d", true)) == NULL)
		return EXIT_ERROR;
	p[0] = argv[0];
	res = dbc_exec(conn, "SELECT dbchange.apply($1)", 1, p);
	sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (result_ok(res))
		rc = report_status(conn, id, "applied", PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "unknown");
	else if (sqlstate && strcmp(sqlstate, SQLSTATE_TOPLEVEL) == 0)
	{
		/* statements that cannot run inside a function: run them here, at top level */
		PGresult   *err = NULL;
		char	   *status;

		if (!opts.quiet && !opts.json)
			printf("change %lld has statements that cannot run inside a function; "
				   "running them at top level under a one-time authorisation\n", id);
		status = toplevel_apply(conn, id, &err);
		if (status)
		{
			rc = report_status(conn, id, "applied at top level", status);
			free(status);
		}
		else
		{
			char	   *what = xasprintf("could not apply change %lld", id);

			dbc_report_result_error(err, what);
			free(what);
			rc = EXIT_ERROR;
		}
		PQclear(err);
	}
	else
	{
		char	   *what = xasprintf("could not apply change %lld", id);

		dbc_report_result_error(res, what);
		free(what);
		rc = EXIT_ERROR;
	}
	PQclear(res);
	dbc_disconnect(conn);
	return rc;
}
