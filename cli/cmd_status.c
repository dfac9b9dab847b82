/*-------------------------------------------------------------------------
 *
 * cmd_status.c
 *	  Read-only commands: status, pending, show, history, metrics.
 *
 * They read the public views and functions (changes, pending(), audit_log,
 * metrics).  Parts owned by other areas that a given installation may not
 * have, or that the user may not read, are "sections": each is tried and,
 * when it cannot be read, left out with a note instead of failing the
 * command — "show" is still useful to a developer who cannot read the
 * audit trail.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Human tables cut long texts (statements) to this many characters. */
#define CELL_WIDTH 60

static PGconn *
connect_d(void)
{
	return dbc_connect(opts.dbname, "-d", true);
}

/*
 * Run the first query of the list that works (a later one is a fallback for
 * an older or restricted installation).  NULL, with *why set to the first
 * query's error, when none does.
 */
static PGresult *
try_queries(PGconn *conn, const char *const *sqls, int nparams, const char *const *params, char **why)
{
	int			i;

	*why = NULL;
	for (i = 0; sqls[i]; i++)
	{
		PGresult   *res = dbc_exec(conn, sqls[i], nparams, params);

		if (result_ok(res))
		{
			free(*why);
			*why = NULL;
			return res;
		}
		if (*why == NULL)
		{
			const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

			*why = xstrdup(m ? m : "unknown error");
		}
		PQclear(res);
	}
	return NULL;
}

int
cmd_status(const DbcCommand *cmd, int argc, char **argv)
{
	PGconn	   *conn;
	char	   *env;
	PGresult   *counts;
	PGresult   *waiting;
	PGresult   *rollout;
	char	   *why;
	static const char *const rollout_sql[] = {
		"SELECT coalesce((SELECT value FROM dbchange.settings WHERE key = 'rollout'), 'manual')",
		"SELECT value FROM dbchange.configure() WHERE key = 'rollout'",
		NULL
	};
	int			r;

	if (!need_args(cmd, argc, 0, 0))
		return EXIT_USAGE;
	if ((conn = connect_d()) == NULL)
		return EXIT_ERROR;
	env = environment_of(conn);
	rollout = try_queries(conn, rollout_sql, 0, NULL, &why);
	free(why);
	counts = dbc_query(conn, "counting changes",
					   "SELECT status, count(*) FROM dbchange.changes GROUP BY status "
					   "ORDER BY array_position(ARRAY['pending','approved','applied','failed','rejected','rolled_back'], status)",
					   0, NULL);
	waiting = dbc_query(conn, "reading pending()",
						opts.json ? "SELECT * FROM dbchange.pending()" : PENDING_HUMAN_SQL, 0, NULL);
	if (counts == NULL || waiting == NULL)
	{
		PQclear(counts);
		PQclear(waiting);
		PQclear(rollout);
		free(env);
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	if (opts.json)
	{
		JsonWriter	w;

		jw_init(&w, stdout);
		jw_begin_object(&w);
		jw_kv_string(&w, "environment", env);
		jw_kv_string(&w, "database", PQdb(conn));
		jw_key(&w, "rollout");
		if (rollout && PQntuples(rollout) == 1)
			jw_string(&w, PQgetvalue(rollout, 0, 0));
		else
			jw_null(&w);
		jw_key(&w, "changes");
		jw_begin_object(&w);
		for (r = 0; r < PQntuples(counts); r++)
		{
			jw_key(&w, PQgetvalue(counts, r, 0));
			jw_raw(&w, PQgetvalue(counts, r, 1));
		}
		jw_end_object(&w);
		jw_key(&w, "waiting");
		jw_result_array(&w, waiting);
		jw_end_object(&w);
		jw_finish(&w);
	}
	else
	{
		StrBuf		sb;

		sb_init(&sb);
		for (r = 0; r < PQntuples(counts); r++)
			sb_printf(&sb, "%s%s%s %s%s", r ? ", " : "", status_color(PQgetvalue(counts, r, 0)),
					  PQgetvalue(counts, r, 0), PQgetvalue(counts, r, 1), color_reset());
		printf("environment  %s\n", env);
		printf("database     %s\n", dbc_conn_label(conn));
		if (rollout && PQntuples(rollout) == 1)
			printf("rollout      %s\n", PQgetvalue(rollout, 0, 0));
		printf("changes      %s\n", sb.len ? sb.data : "none yet");
		sb_free(&sb);
		if (PQntuples(waiting) > 0)
		{
			printf("\nwaiting:\n");
			print_result_table(waiting, CELL_WIDTH, "statement,created_at");
		}
		else
			printf("\nnothing waits for approval or apply\n");
	}
	PQclear(counts);
	PQclear(waiting);
	PQclear(rollout);
	free(env);
	dbc_disconnect(conn);
	return EXIT_DONE;
}

int
cmd_pending(const DbcCommand *cmd, int argc, char **argv)
{
	PGconn	   *conn;
	PGresult   *res;

	if (!need_args(cmd, argc, 0, 0))
		return EXIT_USAGE;
	if ((conn = connect_d()) == NULL)
		return EXIT_ERROR;
	res = dbc_query(conn, "reading pending()",
					opts.json ? "SELECT * FROM dbchange.pending()" : PENDING_HUMAN_SQL, 0, NULL);
	if (res == NULL)
	{
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	print_result_table(res, CELL_WIDTH, NULL);
	PQclear(res);
	dbc_disconnect(conn);
	return EXIT_DONE;
}

/* A section of "show": a title and queries to try in order. */
typedef struct ShowSection
{
	const char *key;
	const char *title;
	const char *sql[4];
} ShowSection;

static const ShowSection show_sections[] = {
	{"statements", "Statements",
		{"SELECT statement_no, command, action, risk, reasons, statement FROM dbchange.change_statements "
			"WHERE change_id = $1 ORDER BY statement_no",
			"SELECT statement_no, command, action, risk, reasons, statement "
			"FROM dbchange.change_statement WHERE change_id = $1 ORDER BY statement_no",
		NULL}},
	{"approvals", "Approval steps",
		{"SELECT step_no, role, state, approved_by, approved_at, comment FROM dbchange.change_steps "
			"WHERE change_id = $1 ORDER BY step_no",
		NULL}},
	{"objects", "Objects touched",
		{"SELECT action, object_type, identity, command_tag FROM dbchange.change_object "
			"WHERE change_id = $1 ORDER BY seq",
		NULL}},
	{"deployments", "Deployments to MySQL targets",
		{"SELECT id, target, status, statements_done, statements_total, failed_statement_no, error, "
			"deployed_by, started_at, finished_at FROM dbchange.deployments WHERE change_id = $1 ORDER BY id",
		NULL}},
	{"audit", "Audit events",
		{"SELECT seq, at, actor, event, details FROM dbchange.audit_log WHERE change_id = $1 ORDER BY at, seq",
			"SELECT seq, at, actor, event, details FROM dbchange.audit WHERE change_id = $1 ORDER BY seq",
		NULL}},
	{NULL, NULL, {NULL}}
};

int
cmd_show(const DbcCommand *cmd, int argc, char **argv)
{
	PGconn	   *conn;
	PGresult   *change;
	long long	id;
	const char *p[1];
	int			i;
	JsonWriter	w;

	if (!need_args(cmd, argc, 1, 1))
		return EXIT_USAGE;
	if (!parse_id(cmd, argv[0], &id))
		return EXIT_USAGE;
	if ((conn = connect_d()) == NULL)
		return EXIT_ERROR;
	p[0] = argv[0];
	change = dbc_query(conn, "reading the change", "SELECT * FROM dbchange.changes WHERE id = $1", 1, p);
	if (change == NULL)
	{
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	if (PQntuples(change) == 0)
	{
		dbc_error("change %lld does not exist in database \"%s\"", id, PQdb(conn));
		dbc_hint("\"dbchange history\" lists the changes of this database.");
		PQclear(change);
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	if (opts.json)
	{
		jw_init(&w, stdout);
		jw_begin_object(&w);
		jw_key(&w, "change");
		jw_result_object(&w, change, 0);
	}
	else
		print_result_vertical(change, 0);
	PQclear(change);

	for (i = 0; show_sections[i].key; i++)
	{
		char	   *why;
		PGresult   *res = try_queries(conn, show_sections[i].sql, 1, p, &why);

		if (opts.json)
		{
			jw_key(&w, show_sections[i].key);
			if (res)
				jw_result_array(&w, res);
			else
				jw_null(&w);
		}
		else if (res && PQntuples(res) > 0)
		{
			printf("\n%s:\n", show_sections[i].title);
			print_result_table(res, opts.verbose ? 0 : 100, "change_id");
		}
		else if (res == NULL && opts.verbose)
			printf("\n%s: not available (%s)\n", show_sections[i].title, why);
		free(why);
		PQclear(res);
	}
	if (opts.json)
	{
		jw_end_object(&w);
		jw_finish(&w);
	}
	dbc_disconnect(conn);
	return EXIT_DONE;
}

int
cmd_history(const DbcCommand *cmd, int argc, char **argv)
{
	PGconn	   *conn;
	PGresult   *res;
	char		limit[32];
	const char *p[1] = {limit};

	if (!need_args(cmd, argc, 0, 0))
		return EXIT_USAGE;
	snprintf(limit, sizeof(limit), "%ld", opts.limit > 0 ? opts.limit : 50L);
	if ((conn = connect_d()) == NULL)
		return EXIT_ERROR;
	res = dbc_query(conn, "reading the change history",
					"SELECT id, status, command, requested_by, source, risk, created_at, applied_at, "
					"description, uid, statement, reasons "
					"FROM dbchange.changes ORDER BY id DESC LIMIT $1", 1, p);
	if (res == NULL)
	{
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	print_result_table(res, 40, "uid,reasons");
	PQclear(res);
	dbc_disconnect(conn);
	return EXIT_DONE;
}

int
cmd_metrics(const DbcCommand *cmd, int argc, char **argv)
{
	PGconn	   *conn;
	PGresult   *res;
	int			r;

	if (!need_args(cmd, argc, 0, 0))
		return EXIT_USAGE;
	if ((conn = connect_d()) == NULL)
		return EXIT_ERROR;
	res = dbc_query(conn, "reading dbchange.metrics", "SELECT * FROM dbchange.metrics", 0, NULL);
	if (res == NULL)
	{
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	/* many figures per environment: one block per environment reads best */
	if (opts.json)
		print_result_table(res, 0, NULL);
	else
	{
		for (r = 0; r < PQntuples(res); r++)
		{
			if (r > 0)
				putchar('\n');
			print_result_vertical(res, r);
		}
		if (PQntuples(res) == 0)
			printf("no metrics yet\n");
	}
	PQclear(res);
	dbc_disconnect(conn);
	return EXIT_DONE;
}
