/*-------------------------------------------------------------------------
 *
 * cmd_rollback.c
 *	  Rollback and drift commands: rollback, verify-rollback, drift, diff.
 *
 *	rollback ID				dbchange.rollback(ID): the down script of an
 *							applied change submitted as a new change
 *							(exit 0 applied, 3 queued, 4 rejected)
 *	verify-rollback ID		dbchange.verify_rollback(ID)
 *	verify-rollback FILE [--down FILE]
 *							dbchange.verify_rollback_script(up, down); without
 *							--down the generated down script is verified
 *	drift					dbchange.detect_drift() (with -d mysql://...: the
 *							MySQL target's drift, cmd_mysql.c)
 *	diff --from A --to B	schema_snapshot() of A compared with B's
 *
 * verify-rollback, drift and diff print one row per difference and exit 1
 * when there is any (with a message saying so), 0 when there is none, so
 * scripts and CI jobs can test them.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "mysql_target.h"

#define SQLSTATE_QUEUED		"ZC001"
#define SQLSTATE_REJECTED	"ZC002"

/* Print a difference list; returns its row count. */
static int
print_differences(const PGresult *res)
{
	int			n = PQntuples(res);

	if (opts.json || n > 0)
		print_result_table(res, 0, NULL);
	return n;
}

int
cmd_rollback(const DbcCommand *cmd, int argc, char **argv)
{
	PGconn	   *conn;
	PGresult   *res;
	long long	id;
	long long	new_id;
	char		idbuf[32];
	const char *p[1] = {idbuf};
	int			rc = EXIT_DONE;
	char	   *status;

	if (!need_args(cmd, argc, 1, 1))
		return EXIT_USAGE;
	if (!parse_id(cmd, argv[0], &id))
		return EXIT_USAGE;
	if ((conn = dbc_connect(opts.dbname, "-d", true)) == NULL)
		return EXIT_ERROR;
	snprintf(idbuf, sizeof(idbuf), "%lld", id);

	/* one transaction: an approved rollback is applied and recorded atomically */
	if (!dbc_command(conn, "rollback", "BEGIN"))
	{
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	res = dbc_exec(conn, "SELECT dbchange.rollback($1)", 1, p);
	if (!result_ok(res))
	{
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		dbc_report_result_error(res, "rollback");
		rc = state && strcmp(state, SQLSTATE_REJECTED) == 0 ? EXIT_REJECTED :
			state && strcmp(state, SQLSTATE_QUEUED) == 0 ? EXIT_QUEUED : EXIT_ERROR;
		PQclear(res);
		PQclear(dbc_exec(conn, "ROLLBACK", 0, NULL));
		dbc_disconnect(conn);
		return rc;
	}
	new_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (!dbc_command(conn, "rollback", "COMMIT"))
	{
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}

	snprintf(idbuf, sizeof(idbuf), "%lld", new_id);
	res = dbc_query(conn, "rollback", "SELECT id, status, risk, reasons, statement FROM dbchange.changes WHERE id = $1",
					1, p);
	if (res == NULL || PQntuples(res) != 1)
	{
		if (res)
			PQclear(res);
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	status = xstrdup(PQgetvalue(res, 0, 1));
	if (strcmp(status, "applied") != 0)
		rc = strcmp(status, "rejected") == 0 ? EXIT_REJECTED :
			strcmp(status, "failed") == 0 ? EXIT_ERROR : EXIT_QUEUED;
	if (opts.json)
	{
		JsonWriter	w;

		jw_init(&w, stdout);
		jw_begin_object(&w);
		jw_kv_int(&w, "rollback_of", id);
		jw_key(&w, "change");
		jw_result_object(&w, res, 0);
		jw_end_object(&w);
		jw_finish(&w);
	}
	else if (!opts.quiet)
	{
		printf("rollback of change %lld submitted as change %lld: status %s%s%s\n", id, new_id,
			   status_color(status), status, color_reset());
		if (rc == EXIT_QUEUED)
			printf("change %lld is rolled back when change %lld is applied (\"dbchange pending\" shows who must act)\n",
				   id, new_id);
		else if (rc == EXIT_DONE)
			printf("change %lld is now rolled_back\n", id);
	}
	free(status);
	PQclear(res);
	dbc_disconnect(conn);
	return rc;
}

/* Is s a change id (digits only) rather than a file name? */
static bool
looks_like_id(const char *s)
{
	struct stat st;

	if (*s == '\0')
		return false;
	for (const char *c = s; *c; c++)
		if (!isdigit((unsigned char) *c))
			return false;
	/* a file named "42" wins over change 42 */
	return stat(s, &st) != 0;
}

int
cmd_verify_rollback(const DbcCommand *cmd, int argc, char **argv)
{
	PGconn	   *conn;
	PGresult   *res;
	char	   *up = NULL;
	char	   *down = NULL;
	char		idbuf[32];
	const char *p[2];
	const char *what;
	int			n;

	if (!need_args(cmd, argc, 1, 1))
		return EXIT_USAGE;
	if (looks_like_id(argv[0]))
	{
		long long	id;

		if (opts.down)
			return usage_error("--down goes with a FILE, not with a change id (a change keeps its own down script)");
		if (!parse_id(cmd, argv[0], &id))
			return EXIT_USAGE;
		snprintf(idbuf, sizeof(idbuf), "%lld", id);
		p[0] = idbuf;
		what = "verify-rollback";
	}
	else
	{
		if ((up = read_script(argv[0], "script")) == NULL)
			return EXIT_ERROR;
		if (opts.down && (down = read_script(opts.down, "down script")) == NULL)
		{
			free(up);
			return EXIT_ERROR;
		}
		p[0] = up;
		p[1] = down;
		what = argv[0];
	}
	if ((conn = dbc_connect(opts.dbname, "-d", true)) == NULL)
	{
		free(up);
		free(down);
		return EXIT_ERROR;
	}
	if (up)
		res = dbc_query(conn, what, "SELECT object, difference FROM dbchange.verify_rollback_script($1, $2)", 2, p);
	else
		res = dbc_query(conn, what, "SELECT object, difference FROM dbchange.verify_rollback($1::bigint)", 1, p);
	free(up);
	free(down);
	if (res == NULL)
	{
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	n = print_differences(res);
	PQclear(res);
	dbc_disconnect(conn);
	if (n > 0)
	{
		dbc_error("the down script does not revert everything: %d difference%s", n, n == 1 ? "" : "s");
		dbc_hint("Each row names an object the down script leaves behind, removes or changes; nothing was changed by the check.");
		return EXIT_ERROR;
	}
	if (!opts.json && !opts.quiet)
		printf("rollback verified: the down script reverts everything (nothing was changed by the check)\n");
	return EXIT_DONE;
}

int
cmd_drift(const DbcCommand *cmd, int argc, char **argv)
{
	PGconn	   *conn;
	PGresult   *res;
	int			n;

	/* a MySQL target: its own drift check (cmd_mysql.c) */
	if (opts.dbname && mysql_is_uri(opts.dbname))
		return cmd_mysql_drift(cmd, argc, argv);
	if (!need_args(cmd, argc, 0, 0))
		return EXIT_USAGE;
	if (opts.control)
		return usage_error("--control goes with -d mysql://... (the drift of a MySQL target)");
	if ((conn = dbc_connect(opts.dbname, "-d", true)) == NULL)
		return EXIT_ERROR;
	res = dbc_query(conn, "drift", "SELECT object, difference FROM dbchange.detect_drift()", 0, NULL);
	if (res == NULL)
	{
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	n = print_differences(res);
	PQclear(res);
	if (n > 0)
	{
		dbc_error("%s has drifted: %d difference%s from what its applied changes produced",
				  dbc_conn_label(conn), n, n == 1 ? "" : "s");
		dbc_hint("Undo them, or accept the schema as it is: SELECT dbchange.accept_drift();");
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	if (!opts.json && !opts.quiet)
		printf("no drift: %s matches what its applied changes produced\n", dbc_conn_label(conn));
	dbc_disconnect(conn);
	return EXIT_DONE;
}

int
cmd_diff(const DbcCommand *cmd, int argc, char **argv)
{
	PGconn	   *a;
	PGconn	   *b;
	PGresult   *res;
	char	   *snap;
	const char *p[1];
	int			n;

	if (!need_args(cmd, argc, 0, 0))
		return EXIT_USAGE;
	if (opts.from == NULL || opts.to == NULL)
		return usage_error("diff needs both --from and --to (libpq connection strings of two environments)");
	if (strncmp(opts.from, "mysql://", 8) == 0 || strncmp(opts.to, "mysql://", 8) == 0)
		return usage_error("diff compares PostgreSQL environments only; --from and --to must be libpq connection strings");
	if ((a = dbc_connect(opts.from, "--from", true)) == NULL)
		return EXIT_ERROR;
	if ((b = dbc_connect(opts.to, "--to", true)) == NULL)
	{
		dbc_disconnect(a);
		return EXIT_ERROR;
	}
	res = dbc_query(a, "--from", "SELECT dbchange.schema_snapshot()::text", 0, NULL);
	if (res == NULL)
	{
		dbc_disconnect(a);
		dbc_disconnect(b);
		return EXIT_ERROR;
	}
	snap = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	p[0] = snap;
	res = dbc_query(b, "--to",
					"SELECT object, difference FROM dbchange.snapshot_diff($1::jsonb, dbchange.schema_snapshot(), 'env')",
					1, p);
	free(snap);
	if (res == NULL)
	{
		dbc_disconnect(a);
		dbc_disconnect(b);
		return EXIT_ERROR;
	}
	n = print_differences(res);
	PQclear(res);
	if (n > 0)
		dbc_error("the schemas differ: %d difference%s (A = %s, B = %s)", n, n == 1 ? "" : "s",
				  dbc_conn_label(a), dbc_conn_label(b));
	else if (!opts.json && !opts.quiet)
		printf("the schemas of %s and %s are identical\n", dbc_conn_label(a), dbc_conn_label(b));
	dbc_disconnect(a);
	dbc_disconnect(b);
	return n > 0 ? EXIT_ERROR : EXIT_DONE;
}
