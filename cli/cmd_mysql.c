/*-------------------------------------------------------------------------
 *
 * cmd_mysql.c
 *	  MySQL / MariaDB targets (docs/mysql.md):
 *
 *	  submit --dialect mysql FILE -d CONTROL	  store a MySQL change in the control database
 *	  promote --from CONTROL --to mysql://...	  apply its approved MySQL changes in order
 *	  mysql-resolve ID --retry|--mark-applied -d CONTROL --to mysql://...
 *	  drift -d mysql://... --control CONTROL	  the target against its last recorded schema
 *
 * The control database decides (policies, approval flows) and records each
 * deployment (dbchange.deployment); the target keeps its own history table
 * (dbchange_history: uid, checksum, status, statements done, failing
 * statement and error) so reruns skip what is applied and an edited change
 * is detected.  MySQL DDL commits implicitly, so a script that fails part-way
 * is recorded as failed with the statement that failed and the server's
 * error; the next promotion stops there until mysql-resolve retries it (from
 * the failing statement) or marks it applied.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mysql_target.h"

/* A MySQL change of the control database (a row of dbchange.mysql_changes()). */
typedef struct MyChange
{
	const char *id;
	const char *uid;
	const char *checksum;
	bool		checksum_ok;
	const char *status;
	const char *script;
	const char *description;
} MyChange;

static void
change_from_row(const PGresult *res, int row, MyChange *c)
{
	c->id = PQgetvalue(res, row, 0);
	c->uid = PQgetvalue(res, row, 1);
	c->checksum = PQgetvalue(res, row, 2);
	c->checksum_ok = PQgetvalue(res, row, 3)[0] == 't';
	c->status = PQgetvalue(res, row, 4);
	c->script = PQgetvalue(res, row, 5);
	c->description = PQgetisnull(res, row, 6) ? NULL : PQgetvalue(res, row, 6);
}

/* The control database, checked for MySQL support. */
static PGconn *
connect_control(const char *conninfo, const char *what)
{
	PGconn	   *conn;

	if (mysql_is_uri(conninfo))
	{
		char	   *m = mysql_mask_uri(conninfo);

		dbc_error("%s names a MySQL server (%s), but it must name the PostgreSQL control database", what, m);
		dbc_hint("MySQL changes are stored and approved in a PostgreSQL database with the dbchange "
				 "extension; give its connection string to %s.", what);
		free(m);
		return NULL;
	}
	if ((conn = dbc_connect(conninfo, what, true)) == NULL)
		return NULL;
	if (!dbc_has_function(conn, "dbchange.mysql_changes"))
	{
		dbc_error("the dbchange extension in the control database %s has no MySQL support",
				  dbc_conn_label(conn));
		dbc_hint("Update the extension there (ALTER EXTENSION dbchange UPDATE).");
		dbc_disconnect(conn);
		return NULL;
	}
	return conn;
}

/* ------------------------------------------------------------------------
 * submit --dialect mysql
 * ------------------------------------------------------------------------
 */
int
cmd_mysql_submit(const DbcCommand *cmd, int argc, char **argv)
{
	char	   *script;
	PGconn	   *conn;
	PGresult   *res;
	PGresult   *st;
	const char *params[2];
	const char *slash;
	const char *status;
	int			rc;
	int			i;

	if (!need_args(cmd, argc, 1, 1))
		return EXIT_USAGE;
	if (opts.down)
		return usage_error("--down does not apply to MySQL changes: a MySQL change has no down script in dbchange");
	if ((script = read_script(argv[0], "script")) == NULL)
		return EXIT_ERROR;
	if ((conn = connect_control(opts.dbname, "-d")) == NULL)
	{
		free(script);
		return EXIT_ERROR;
	}
	slash = strrchr(argv[0], '/');
	params[0] = script;
	params[1] = opts.message ? opts.message : (slash ? slash + 1 : argv[0]);
	res = dbc_query(conn, "submitting the MySQL script",
					"SELECT dbchange.submit_mysql($1, NULL, $2)", 2, params);
	if (res != NULL)
	{
		/* a new statement: the outer query of the submit would not see the new row */
		params[0] = PQgetvalue(res, 0, 0);
		st = dbc_query(conn, "reading the submitted change",
					   "SELECT c.id, c.uid, c.status, c.risk, "
					   "pg_catalog.array_to_string(c.reasons, '; '), c.checksum "
					   "FROM dbchange.changes c WHERE c.id = $1::bigint", 1, params);
		PQclear(res);
		res = st;
	}
	if (res == NULL)
	{
		free(script);
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	if (PQntuples(res) != 1)
	{
		dbc_error("the submitted MySQL change is not visible in dbchange.changes");
		PQclear(res);
		free(script);
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	/* each statement's decision, when the caller may read it (a summary otherwise) */
	params[0] = PQgetvalue(res, 0, 0);
	st = dbc_exec(conn, "SELECT statement_no, command, action, coalesce(risk, ''), "
				  "pg_catalog.array_to_string(reasons, '; ') "
				  "FROM dbchange.change_statement WHERE change_id = $1 ORDER BY statement_no",
				  1, params);
	if (!result_ok(st))
	{
		PQclear(st);
		st = NULL;
	}
	status = PQgetvalue(res, 0, 2);
	rc = strcmp(status, "pending") == 0 ? EXIT_QUEUED :
		strcmp(status, "rejected") == 0 ? EXIT_REJECTED : EXIT_DONE;
	if (opts.json)
	{
		JsonWriter	w;

		jw_init(&w, stdout);
		jw_begin_object(&w);
		jw_kv_int(&w, "id", atoll(PQgetvalue(res, 0, 0)));
		jw_kv_string(&w, "uid", PQgetvalue(res, 0, 1));
		jw_kv_string(&w, "dialect", "mysql");
		jw_kv_string(&w, "status", status);
		jw_kv_string(&w, "risk", PQgetisnull(res, 0, 3) ? NULL : PQgetvalue(res, 0, 3));
		jw_kv_string(&w, "reasons", PQgetvalue(res, 0, 4));
		jw_kv_string(&w, "checksum", PQgetvalue(res, 0, 5));
		jw_key(&w, "statements");
		if (st)
			jw_result_array(&w, st);
		else
			jw_null(&w);
		jw_kv_int(&w, "exit_code", rc);
		jw_end_object(&w);
		jw_finish(&w);
	}
	else
	{
		if (st && !opts.quiet)
			for (i = 0; i < PQntuples(st); i++)
				printf("  %s. %-16s %-8s %s%s%s\n", PQgetvalue(st, i, 0), PQgetvalue(st, i, 1),
					   PQgetvalue(st, i, 2), PQgetvalue(st, i, 3),
					   PQgetvalue(st, i, 3)[0] ? ": " : "", PQgetvalue(st, i, 4));
		if (rc == EXIT_DONE)
			printf("change %s (MySQL) approved: ready to deploy with dbchange promote --to mysql://...\n",
				   PQgetvalue(res, 0, 0));
		else if (rc == EXIT_QUEUED)
			printf("change %s (MySQL) queued for approval (risk %s): %s\n", PQgetvalue(res, 0, 0),
				   PQgetisnull(res, 0, 3) ? "none" : PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4));
		else
			printf("change %s (MySQL) rejected: %s\n", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 4));
	}
	PQclear(st);
	PQclear(res);
	free(script);
	dbc_disconnect(conn);
	return rc;
}

/* ------------------------------------------------------------------------
 * deploying one change
 * ------------------------------------------------------------------------
 */

/* The statements of a script, split by the control database's MySQL splitter. */
static PGresult *
split_script(PGconn *ctl, const char *script)
{
	const char *params[1] = {script};

	return dbc_query(ctl, "splitting the MySQL script",
					 "SELECT (f->>'statement_no')::int, f->>'statement', (f->>'line')::int, f->>'command' "
					 "FROM dbchange.classify_mysql($1) f", 1, params);
}

/*
 * The first of the statements before `start` (0-based) that changed the
 * session it ran in -- USE, SET (variables, names, the transaction),
 * LOCK TABLES, START TRANSACTION / BEGIN -- as a 1-based number, or 0.  A
 * retry runs the rest in a new session, where they would not hold: the
 * rest would run against another database, character set or sql_mode than
 * the one it was classified and checked under.
 */
static int
session_changed_before(PGresult *stmts, int start)
{
	static const char *const session_commands[] = {
		"USE", "SET", "LOCK TABLES", "START TRANSACTION", "BEGIN", NULL
	};
	int			i;

	for (i = 0; i < start && i < PQntuples(stmts); i++)
	{
		const char *command = PQgetvalue(stmts, i, 3);
		int			k;

		for (k = 0; session_commands[k] != NULL; k++)
			if (strcmp(command, session_commands[k]) == 0)
				return i + 1;
	}
	return 0;
}

static bool
history_exec(MysqlTarget *t, const char *sql)
{
	char	   *err;

	if (mysql_run(t, sql, &err))
		return true;
	dbc_error("could not update the history table of the MySQL target %s: %s", t->masked, err);
	free(err);
	return false;
}

/* Tell the control database how a deployment ended; false (message printed) on failure. */
static bool
finish_deployment(PGconn *ctl, const char *dep_id, const char *status, int done, int failed_no,
				  const char *failed_stmt, const char *error, const char *snapshot)
{
	char		donebuf[16];
	char		nobuf[16];
	const char *p[7];
	PGresult   *res;

	snprintf(donebuf, sizeof(donebuf), "%d", done);
	snprintf(nobuf, sizeof(nobuf), "%d", failed_no);
	p[0] = dep_id;
	p[1] = status;
	p[2] = donebuf;
	p[3] = failed_no > 0 ? nobuf : NULL;
	p[4] = failed_stmt;
	p[5] = error;
	p[6] = snapshot;
	res = dbc_query(ctl, "recording the deployment in the control database",
					"SELECT dbchange.mysql_deploy_finish($1::bigint, $2, $3::int, $4::int, $5, $6, $7::jsonb)",
					7, p);
	if (res == NULL)
		return false;
	PQclear(res);
	return true;
}

/*
 * The schema as dbchange left the target, recorded on the last deployment of
 * a run (one snapshot per run, not per change: reading information_schema
 * costs more than a small change).  Drift compares with it.
 */
static void
record_snapshot(PGconn *ctl, MysqlTarget *t, const char *dep_id)
{
	char	   *snapshot;
	const char *p[2];
	PGresult   *res;

	if (dep_id == NULL)
		return;
	if ((snapshot = mysql_snapshot_json(t)) == NULL)
		return;
	p[0] = dep_id;
	p[1] = snapshot;
	res = dbc_query(ctl, "recording the schema of the target",
					"SELECT dbchange.mysql_deploy_snapshot($1::bigint, $2::jsonb)", 2, p);
	PQclear(res);
	free(snapshot);
}

/*
 * Apply change c to target t, from statement start (0-based: the
 * statements before it ran earlier).  history_row: the target already has a
 * row for the change (a retry).  *dep_out gets the id of the deployment
 * recorded (malloc'd; NULL when none was).  Returns EXIT_DONE or EXIT_ERROR.
 */
static int
deploy_change(PGconn *ctl, MysqlTarget *t, const MyChange *c, int start, bool history_row,
			  char **dep_out)
{
	PGresult   *stmts;
	PGresult   *res;
	const char *p[4];
	char		nbuf[16];
	char	   *dep_id;
	char	   *tbl;
	char	   *sql;
	char	   *lit[5];
	int			n;
	int			i;
	int			rc = EXIT_DONE;
	char	   *db = mysql_quote_ident(t->database);
	MysqlLexing lx;
	bool		lexing_ok;
	char	   *lex_err = NULL;

	*dep_out = NULL;
	tbl = xasprintf("%s.`dbchange_history`", db);
	free(db);
	if ((stmts = split_script(ctl, c->script)) == NULL)
	{
		free(tbl);
		return EXIT_ERROR;
	}
	n = PQntuples(stmts);
	if (start > 0 && (i = session_changed_before(stmts, start)) > 0)
	{
		dbc_error("change %s cannot be retried from statement %d on %s: statement %d (%s) set up the "
				  "session the rest was checked to run in, and a retry runs in a new session",
				  c->id, start + 1, t->key, i, PQgetvalue(stmts, i - 1, 3));
		dbc_hint("Finish it by hand in one session, repeating its USE and SET statements before the rest, "
				 "then run: dbchange mysql-resolve %s --mark-applied -d CONTROL --to mysql://...", c->id);
		PQclear(stmts);
		free(tbl);
		return EXIT_ERROR;
	}
	snprintf(nbuf, sizeof(nbuf), "%d", n);
	p[0] = c->id;
	p[1] = t->key;
	p[2] = nbuf;
	p[3] = t->user;
	res = dbc_query(ctl, "starting the deployment",
					"SELECT dbchange.mysql_deploy_start($1::bigint, $2, $3::int, $4)", 4, p);
	if (res == NULL)
	{
		PQclear(stmts);
		return EXIT_ERROR;
	}
	dep_id = xstrdup(PQgetvalue(res, 0, 0));
	*dep_out = xstrdup(dep_id);
	PQclear(res);

	lit[0] = mysql_literal(t, c->uid);
	lit[1] = mysql_literal(t, c->checksum);
	lit[2] = mysql_literal(t, c->description);
	lit[3] = mysql_literal(t, PQdb(ctl));
	lit[4] = mysql_literal(t, PQuser(ctl));
	if (history_row)
		sql = xasprintf("UPDATE %s SET status = 'running', started_at = NOW(6), applied_by = %s, "
						"failed_statement_no = NULL, failed_statement = NULL, error = NULL "
						"WHERE uid = %s", tbl, lit[4], lit[0]);
	else
		sql = xasprintf("INSERT INTO %s (uid, change_id, checksum, status, statements_total, "
						"statements_done, description, control, applied_by, started_at) "
						"VALUES (%s, %s, %s, 'running', %d, 0, %s, %s, %s, NOW(6))",
						tbl, lit[0], c->id, lit[1], n, lit[2], lit[3], lit[4]);
	if (!history_exec(t, sql))
	{
		finish_deployment(ctl, dep_id, "failed", start, 0, NULL,
						  "could not write the target's history table", NULL);
		rc = EXIT_ERROR;
		goto out;
	}

	/* how the session reads statements: each one is checked against it before it runs */
	lexing_ok = mysql_read_lexing(t, &lx, &lex_err);
	for (i = start; i < n && rc == EXIT_DONE; i++)
	{
		const char *stmt = PQgetvalue(stmts, i, 1);
		const char *misread = NULL;
		char	   *skipped;
		char	   *err = NULL;

		if (dbc_interrupted)
			err = xstrdup("interrupted (Ctrl-C) before this statement ran");
		else if (!lexing_ok)
			err = xstrdup(lex_err);
		else if ((misread = mysql_misread_reason(stmt, &lx)) != NULL)
			err = xasprintf("not run: the target could read it as another statement than the one "
							"dbchange classified and the policies checked (%s)", misread);
		else if ((skipped = mysql_skipped_code_reason(t, stmt)) != NULL)
		{
			err = xasprintf("not run: the target could read it as another statement than the one "
							"dbchange classified and the policies checked (%s)", skipped);
			free(skipped);
		}
		else if (!mysql_run(t, stmt, &err))
		{
			/* err set */
		}
		else
		{
			if (mysql_may_change_lexing(stmt) && !mysql_read_lexing(t, &lx, &lex_err))
				lexing_ok = false;
			/* progress, for a resume after a crash (the last one is recorded with the outcome) */
			if (i + 1 < n)
			{
				char	   *upd = xasprintf("UPDATE %s SET statements_done = %d WHERE uid = %s",
											tbl, i + 1, lit[0]);

				history_exec(t, upd);
				free(upd);
			}
			continue;
		}

		/* statement i failed: the ones before it are committed (MySQL DDL commits implicitly) */
		{
			char	   *lstmt = mysql_literal(t, stmt);
			char	   *lerr = mysql_literal(t, err);
			char	   *upd = xasprintf("UPDATE %s SET status = 'failed', statements_done = %d, "
										"failed_statement_no = %d, failed_statement = %s, error = %s "
										"WHERE uid = %s", tbl, i, i + 1, lstmt, lerr, lit[0]);

			history_exec(t, upd);
			free(upd);
			free(lstmt);
			free(lerr);
		}
		finish_deployment(ctl, dep_id, "failed", i, i + 1, stmt, err, NULL);
		dbc_error("change %s failed on %s at statement %d of %d (line %s): %s",
				  c->id, t->key, i + 1, n, PQgetvalue(stmts, i, 2), err);
		fprintf(stderr, "dbchange: detail: The failing statement: %s\n", stmt);
		if (i == 1)
			fprintf(stderr, "dbchange: detail: Statement 1 ran and is committed (MySQL DDL commits implicitly).\n");
		else if (i > 1)
			fprintf(stderr, "dbchange: detail: Statements 1 to %d ran and are committed (MySQL DDL commits implicitly).\n", i);
		dbc_hint("Fix the cause on the target, then run: dbchange mysql-resolve %s --retry "
				 "(runs it again from statement %d), or finish it by hand and run: "
				 "dbchange mysql-resolve %s --mark-applied (both with -d CONTROL --to mysql://...).",
				 c->id, i + 1, c->id);
		free(err);
		rc = EXIT_ERROR;
	}
	if (rc != EXIT_DONE)
		goto out;

	free(sql);
	sql = xasprintf("UPDATE %s SET status = 'applied', statements_done = %d, applied_at = NOW(6) "
					"WHERE uid = %s", tbl, n, lit[0]);
	if (!history_exec(t, sql))
	{
		/* the next promotion sees it unfinished and stops: mysql-resolve --mark-applied */
		rc = EXIT_ERROR;
	}
	if (!finish_deployment(ctl, dep_id, "applied", n, 0, NULL, NULL, NULL))
	{
		dbc_warning("change %s is applied on %s but the control database could not record it",
					c->id, t->key);
		rc = EXIT_ERROR;
	}
out:
	free(sql);
	free(lex_err);
	PQclear(stmts);
	free(dep_id);
	free(tbl);
	for (i = 0; i < 5; i++)
		free(lit[i]);
	return rc;
}

static bool
history_table_exists(MysqlTarget *t, bool *exists)
{
	MYSQL_RES  *res;
	MYSQL_ROW	r;
	const char *sql = "SELECT COUNT(*) FROM information_schema.TABLES "
		"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'dbchange_history'";

	*exists = false;
	if (mysql_real_query(t->conn, sql, strlen(sql)) != 0 || (res = mysql_store_result(t->conn)) == NULL)
	{
		dbc_error("could not read the MySQL target %s: %s", t->masked, mysql_error(t->conn));
		return false;
	}
	if ((r = mysql_fetch_row(res)) != NULL && r[0] && atoi(r[0]) > 0)
		*exists = true;
	mysql_free_result(res);
	return true;
}

/* ------------------------------------------------------------------------
 * promote --from CONTROL --to mysql://...
 * ------------------------------------------------------------------------
 */
int
cmd_mysql_promote(const DbcCommand *cmd, int argc, char **argv)
{
	MysqlTarget t;
	PGconn	   *ctl;
	PGresult   *res;
	const char *params[1];
	int			rc = EXIT_DONE;
	int			i;
	int			applied = 0;
	int			skipped = 0;
	bool		have_history = false;
	char	   *last_dep = NULL;
	JsonWriter	w;

	if (!need_args(cmd, argc, 0, 0))
		return EXIT_USAGE;
	if (opts.from == NULL)
		return usage_error("promote to a MySQL target needs --from CONTROL (the PostgreSQL control database)");
	if (!mysql_parse_uri(opts.to, "--to", &t))
		return EXIT_USAGE;
	if ((ctl = connect_control(opts.from, "--from")) == NULL)
	{
		mysql_close_target(&t);
		return EXIT_ERROR;
	}
	if (!mysql_connect_target(&t, "--to") || (!opts.dry_run && !mysql_lock_target(&t)))
	{
		mysql_close_target(&t);
		dbc_disconnect(ctl);
		return EXIT_ERROR;
	}
	if (!history_table_exists(&t, &have_history) ||
		(!have_history && !opts.dry_run && !(have_history = mysql_ensure_history(&t))))
	{
		mysql_close_target(&t);
		dbc_disconnect(ctl);
		return EXIT_ERROR;
	}

	params[0] = t.database;
	res = dbc_query(ctl, "listing the MySQL changes",
					"SELECT id, uid, checksum, checksum_ok, status, statement, description "
					"FROM dbchange.mysql_changes($1)", 1, params);
	if (res == NULL)
	{
		mysql_close_target(&t);
		dbc_disconnect(ctl);
		return EXIT_ERROR;
	}
	if (opts.json)
	{
		jw_init(&w, stdout);
		jw_begin_object(&w);
		jw_kv_string(&w, "target", t.key);
		jw_kv_bool(&w, "dry_run", opts.dry_run);
		jw_key(&w, "changes");
		jw_begin_array(&w);
	}
	for (i = 0; i < PQntuples(res) && rc == EXIT_DONE; i++)
	{
		MyChange	c;
		HistoryRow	h;
		bool		failed = false;
		bool		found = false;
		const char *outcome;

		change_from_row(res, i, &c);
		if (!c.checksum_ok)
		{
			dbc_error("change %s was edited in the control database after it was submitted: "
					  "its text no longer matches its checksum", c.id);
			dbc_hint("Nothing was applied from it. Submit the edited script as a new change.");
			rc = EXIT_ERROR;
			break;
		}
		if (have_history)
		{
			found = mysql_history_get(&t, c.uid, &h, &failed);
			if (failed)
			{
				rc = EXIT_ERROR;
				break;
			}
		}
		if (found && strcmp(h.checksum, c.checksum) != 0)
		{
			dbc_error("change %s (uid %s) was applied to %s with another text: checksum %.12s… "
					  "there, %.12s… in the control database", c.id, c.uid, t.key, h.checksum, c.checksum);
			dbc_hint("The change was edited after it was deployed. Submit the new text as a new change; "
					 "the target's dbchange_history keeps what ran.");
			mysql_history_free(&h);
			rc = EXIT_ERROR;
			break;
		}
		if (found && (strcmp(h.status, "applied") == 0 || strcmp(h.status, "marked_applied") == 0))
		{
			skipped++;
			outcome = "already applied";
		}
		else if (found)
		{
			dbc_error("change %s is %s on %s%s%s%s: promotion stops there", c.id,
					  strcmp(h.status, "running") == 0 ? "unfinished (interrupted)" : "failed",
					  t.key, h.error ? " (" : "", h.error ? h.error : "", h.error ? ")" : "");
			if (h.failed_statement)
				fprintf(stderr, "dbchange: detail: The failing statement (%d): %s\n",
						h.failed_statement_no, h.failed_statement);
			dbc_hint("Resolve it first: dbchange mysql-resolve %s --retry (runs it again from the "
					 "statement that failed) or --mark-applied (you finished it by hand), with "
					 "-d CONTROL --to mysql://...", c.id);
			outcome = "failed before";
			rc = EXIT_ERROR;
		}
		else if (strcmp(c.status, "pending") == 0)
		{
			dbc_info("change %s waits for approval in the control database: promotion stops there", c.id);
			outcome = "waiting for approval";
			rc = EXIT_QUEUED;
		}
		else if (opts.dry_run)
			outcome = "would apply";
		else
		{
			dbc_info("applying change %s%s%s%s to %s", c.id, c.description ? " (" : "",
					 c.description ? c.description : "", c.description ? ")" : "", t.key);
			char	   *dep = NULL;

			rc = deploy_change(ctl, &t, &c, 0, false, &dep);
			if (dep)
			{
				free(last_dep);
				last_dep = dep;
			}
			outcome = rc == EXIT_DONE ? "applied" : "failed";
			if (rc == EXIT_DONE)
				applied++;
		}
		if (opts.dry_run && !opts.json)
			printf("change %s: %s\n", c.id, outcome);
		if (opts.json)
		{
			jw_begin_object(&w);
			jw_kv_int(&w, "id", atoll(c.id));
			jw_kv_string(&w, "uid", c.uid);
			jw_kv_string(&w, "outcome", outcome);
			jw_end_object(&w);
		}
		if (found)
			mysql_history_free(&h);
	}
	if (opts.json)
	{
		jw_end_array(&w);
		jw_kv_int(&w, "applied", applied);
		jw_kv_int(&w, "skipped", skipped);
		jw_kv_int(&w, "exit_code", rc);
		jw_end_object(&w);
		jw_finish(&w);
	}
	else if (!opts.dry_run)
		dbc_info("%s: %d change%s applied, %d already applied", t.key, applied,
				 applied == 1 ? "" : "s", skipped);
	record_snapshot(ctl, &t, last_dep);
	free(last_dep);
	PQclear(res);
	mysql_close_target(&t);
	dbc_disconnect(ctl);
	return rc;
}

/* ------------------------------------------------------------------------
 * mysql-resolve ID --retry | --mark-applied
 * ------------------------------------------------------------------------
 */
int
cmd_mysql_resolve(const DbcCommand *cmd, int argc, char **argv)
{
	MysqlTarget t;
	PGconn	   *ctl;
	PGresult   *res = NULL;
	long long	id;
	MyChange	c;
	HistoryRow	h;
	bool		failed;
	bool		found = false;
	bool		exists;
	int			rc = EXIT_ERROR;

	if (!need_args(cmd, argc, 1, 1))
		return EXIT_USAGE;
	if (!parse_id(cmd, argv[0], &id))
		return EXIT_USAGE;
	if (opts.retry == opts.mark_applied)
		return usage_error("mysql-resolve needs exactly one of --retry and --mark-applied");
	if (opts.to == NULL)
		return usage_error("mysql-resolve needs --to mysql://... (the target where the change failed)");
	if (!mysql_parse_uri(opts.to, "--to", &t))
		return EXIT_USAGE;
	if ((ctl = connect_control(opts.dbname, "-d")) == NULL)
	{
		mysql_close_target(&t);
		return EXIT_ERROR;
	}
	if (!mysql_connect_target(&t, "--to") || !mysql_lock_target(&t))
	{
		mysql_close_target(&t);
		dbc_disconnect(ctl);
		return EXIT_ERROR;
	}
	/* deployers read changes through mysql_changes(), not the tables */
	{
		const char *p2[2] = {argv[0], t.database};

		res = dbc_query(ctl, "reading the change",
						"SELECT id, uid, checksum, checksum_ok, status, statement, description "
						"FROM dbchange.mysql_changes($2) WHERE id = $1::bigint", 2, p2);
	}
	if (res == NULL)
		goto done;
	if (PQntuples(res) == 0)
	{
		dbc_error("change %s is not a MySQL change for database \"%s\" in the control database %s",
				  argv[0], t.database, dbc_conn_label(ctl));
		dbc_hint("PostgreSQL changes are never deployed to MySQL targets, and a MySQL change submitted for "
				 "another target database is not deployed here; dbchange history lists the changes.");
		goto done;
	}
	change_from_row(res, 0, &c);
	if (!history_table_exists(&t, &exists))
		goto done;
	if (exists)
	{
		found = mysql_history_get(&t, c.uid, &h, &failed);
		if (failed)
			goto done;
	}
	if (!found || strcmp(h.status, "applied") == 0 || strcmp(h.status, "marked_applied") == 0)
	{
		dbc_error("change %s has not failed on %s: %s", c.id, t.key,
				  found ? "it is applied there" : "it has not been deployed there");
		dbc_hint("mysql-resolve is for a change whose deployment failed; dbchange promote deploys the others.");
		goto done;
	}
	if (strcmp(h.checksum, c.checksum) != 0 || !c.checksum_ok)
	{
		dbc_error("change %s was edited after its failed deployment to %s (checksum mismatch)", c.id, t.key);
		dbc_hint("Mark it applied only if you finished exactly what ran; otherwise submit a new change.");
		goto done;
	}
	if (opts.mark_applied)
	{
		char	   *snapshot = mysql_snapshot_json(&t);
		const char *p[4] = {c.id, t.key, snapshot, t.user};
		PGresult   *r2;
		char	   *db = mysql_quote_ident(t.database);
		char	   *lit = mysql_literal(&t, c.uid);
		char	   *sql = xasprintf("UPDATE %s.`dbchange_history` SET status = 'marked_applied', "
									"applied_at = NOW(6) WHERE uid = %s", db, lit);

		r2 = snapshot ? dbc_query(ctl, "recording the resolution",
								  "SELECT dbchange.mysql_mark_applied($1::bigint, $2, $3::jsonb, $4)",
								  4, p) : NULL;
		if (r2 && history_exec(&t, sql))
		{
			printf("change %s marked applied on %s\n", c.id, t.key);
			rc = EXIT_DONE;
		}
		PQclear(r2);
		free(sql);
		free(lit);
		free(db);
		free(snapshot);
	}
	else
	{
		dbc_info("retrying change %s on %s from statement %d", c.id, t.key, h.statements_done + 1);
		char	   *dep = NULL;

		rc = deploy_change(ctl, &t, &c, h.statements_done, true, &dep);
		if (rc == EXIT_DONE)
			printf("change %s applied on %s\n", c.id, t.key);
		record_snapshot(ctl, &t, dep);
		free(dep);
	}
done:
	if (found)
		mysql_history_free(&h);
	PQclear(res);
	mysql_close_target(&t);
	dbc_disconnect(ctl);
	return rc;
}

/* ------------------------------------------------------------------------
 * drift -d mysql://... --control CONTROL
 * ------------------------------------------------------------------------
 */
int
cmd_mysql_drift(const DbcCommand *cmd, int argc, char **argv)
{
	MysqlTarget t;
	PGconn	   *ctl;
	PGresult   *res;
	char	   *snapshot;
	const char *params[2];
	int			n;

	if (!need_args(cmd, argc, 0, 0))
		return EXIT_USAGE;
	if (!mysql_is_uri(opts.dbname))
		return usage_error("drift here compares a MySQL target: dbchange drift -d mysql://... --control CONTROL "
						   "(for a PostgreSQL database: SELECT * FROM dbchange.detect_drift())");
	if (opts.control == NULL)
		return usage_error("drift of a MySQL target needs --control CONTROL (the PostgreSQL database that deploys to it)");
	if (!mysql_parse_uri(opts.dbname, "-d", &t))
		return EXIT_USAGE;
	if ((ctl = connect_control(opts.control, "--control")) == NULL)
	{
		mysql_close_target(&t);
		return EXIT_ERROR;
	}
	if (!mysql_connect_target(&t, "-d"))
	{
		mysql_close_target(&t);
		dbc_disconnect(ctl);
		return EXIT_ERROR;
	}
	if ((snapshot = mysql_snapshot_json(&t)) == NULL)
	{
		mysql_close_target(&t);
		dbc_disconnect(ctl);
		return EXIT_ERROR;
	}
	params[0] = t.key;
	params[1] = snapshot;
	res = dbc_query(ctl, "comparing the schema", "SELECT object, difference, expected, actual "
					"FROM dbchange.mysql_drift($1, $2::jsonb)", 2, params);
	free(snapshot);
	if (res == NULL)
	{
		mysql_close_target(&t);
		dbc_disconnect(ctl);
		return EXIT_ERROR;
	}
	n = PQntuples(res);
	if (opts.json || n > 0)
		print_result_table(res, 60, "");
	if (!opts.json)
	{
		if (n == 0)
			printf("no drift: %s matches the schema recorded after its last deployment\n", t.key);
		else
			printf("%s has drifted: %d difference%s from the schema recorded after its last deployment\n",
				   t.key, n, n == 1 ? "" : "s");
	}
	PQclear(res);
	mysql_close_target(&t);
	dbc_disconnect(ctl);
	return n == 0 ? EXIT_DONE : EXIT_ERROR;
}

/* ------------------------------------------------------------------------
 * promote --from A --to B between two control databases
 * ------------------------------------------------------------------------
 */

/* Does B's submit_mysql() take a promotion's requester and origin? */
static bool
submit_mysql_takes_origin(PGconn *b)
{
	return function_has_arg(b, "submit_mysql", "origin");
}

/*
 * The provenance of a MySQL change of A, as a PostgreSQL change's
 * (cmd_promote.c): where it comes from, who asked for it, the logins that
 * made it there and A's own origin.  Columns of src, from the query below.
 */
static char *
mysql_origin_json(const PGresult *src, int row, const char *env_a, PGconn *a)
{
	StrBuf		sb;
	const char *keys[] = {"from_environment", "from_database", "from_change_id", "requested_by",
	"source", "created_at", "applied_at", NULL};
	const char *vals[7];
	int			i;
	const char *logins = PQgetisnull(src, row, 11) ? NULL : PQgetvalue(src, row, 11);
	const char *prior = PQgetisnull(src, row, 10) ? NULL : PQgetvalue(src, row, 10);

	vals[0] = env_a;
	vals[1] = PQdb(a);
	vals[2] = PQgetvalue(src, row, 0);
	for (i = 3; i < 7; i++)
		vals[i] = PQgetisnull(src, row, i + 3) ? NULL : PQgetvalue(src, row, i + 3);
	sb_init(&sb);
	sb_append(&sb, "{\"kind\":\"promotion\"");
	for (i = 0; keys[i]; i++)
	{
		char	   *q = json_quote(vals[i]);

		sb_printf(&sb, ",\"%s\":%s", keys[i], i == 2 ? vals[i] : q);
		free(q);
	}
	if (logins && logins[0] == '[')
		sb_printf(&sb, ",\"logins\":%s", logins);
	if (prior && prior[0] == '{')
		sb_printf(&sb, ",\"origin\":%s", prior);
	sb_append(&sb, "}");
	return sb.data;
}

/*
 * The MySQL changes A deployed (status applied there) travel to B with their
 * uid, the way PostgreSQL changes do: B's policies decide (source
 * 'promotion'), and an approved change in B is ready to deploy to B's MySQL
 * target.  Called by cmd_promote once A's PostgreSQL changes are promoted;
 * stops at the first change B does not approve (3 queued, 4 rejected) or
 * holds with another text (1).  *carried counts the changes submitted to B.
 */
int
mysql_carry_changes(PGconn *a, PGconn *b, const char *env_a, const char *env_b, int *carried)
{
	PGresult   *src;
	int			i;
	int			rc = EXIT_DONE;
	int			present = 0;
	bool		with_origin;

	*carried = 0;
	if (!dbc_has_function(a, "dbchange.submit_mysql"))
		return EXIT_DONE;		/* A has no MySQL changes */

	/*
	 * The requester, the logins that made the change (change_scripts.logins)
	 * and its earlier origin travel with it: B's approve() refuses them, so
	 * nobody approves in prod a MySQL change they made in test.
	 */
	src = dbc_query(a, "reading the source's deployed MySQL changes",
					dbc_has_relation(a, "dbchange.change_scripts")
					? "SELECT c.id, c.uid, c.checksum, c.statement, c.description, c.target, "
					"c.requested_by, c.source, c.created_at::text, c.applied_at::text, s.origin::text, s.logins::text "
					"FROM dbchange.changes c LEFT JOIN dbchange.change_scripts s ON s.id = c.id "
					"WHERE c.dialect = 'mysql' AND c.status = 'applied' ORDER BY c.applied_at, c.id"
					: "SELECT id, uid, checksum, statement, description, target, "
					"requested_by, source, created_at::text, applied_at::text, NULL::text, NULL::text "
					"FROM dbchange.changes WHERE dialect = 'mysql' AND status = 'applied' "
					"ORDER BY applied_at, id", 0, NULL);
	if (src == NULL)
		return EXIT_ERROR;
	if (PQntuples(src) > 0 && !dbc_has_function(b, "dbchange.submit_mysql"))
	{
		dbc_error("%s has %d MySQL change%s to promote, but the dbchange extension in %s has no MySQL support",
				  env_a, PQntuples(src), PQntuples(src) == 1 ? "" : "s", env_b);
		dbc_hint("Update the extension there (ALTER EXTENSION dbchange UPDATE).");
		PQclear(src);
		return EXIT_ERROR;
	}
	with_origin = PQntuples(src) > 0 && submit_mysql_takes_origin(b);
	if (PQntuples(src) > 0 && !with_origin && !opts.dry_run)
		dbc_warning("the dbchange extension in %s does not keep a promoted MySQL change's requester: "
					"who made a change in %s is not refused as its approver in %s", env_b, env_a, env_b);
	for (i = 0; i < PQntuples(src) && rc == EXIT_DONE; i++)
	{
		const char *id = PQgetvalue(src, i, 0);
		const char *uid = PQgetvalue(src, i, 1);
		const char *p[7];
		PGresult   *tgt;
		const char *status;

		p[0] = uid;
		tgt = dbc_query(b, "looking the MySQL change up in the target",
						"SELECT id, status, checksum FROM dbchange.changes WHERE uid = $1::uuid "
						"ORDER BY id LIMIT 1", 1, p);
		if (tgt == NULL)
		{
			rc = EXIT_ERROR;
			break;
		}
		if (PQntuples(tgt) == 0 && opts.dry_run)
		{
			PGresult   *ev;

			p[0] = PQgetvalue(src, i, 3);
			p[1] = env_b;
			ev = dbc_query(b, "evaluating the MySQL change",
						   "SELECT coalesce(max(CASE action WHEN 'reject' THEN 3 WHEN 'queue' THEN 2 ELSE 1 END), 1) "
						   "FROM dbchange.evaluate_mysql($1, NULL, 'promotion')", 1, p);
			if (ev && !opts.json)
				printf("[mysql] %s #%s → %s: would %s\n", env_a, id, env_b,
					   atoi(PQgetvalue(ev, 0, 0)) == 3 ? "be rejected" :
					   atoi(PQgetvalue(ev, 0, 0)) == 2 ? "wait for approval" : "be approved (ready to deploy)");
			PQclear(ev);
			PQclear(tgt);
			continue;
		}
		if (PQntuples(tgt) == 0)
		{
			PGresult   *sub;
			char	   *origin = NULL;

			PQclear(tgt);
			p[0] = PQgetvalue(src, i, 3);
			p[1] = PQgetisnull(src, i, 5) ? NULL : PQgetvalue(src, i, 5);
			p[2] = PQgetisnull(src, i, 4) ? NULL : PQgetvalue(src, i, 4);
			p[3] = uid;
			p[4] = "promotion";
			if (with_origin)
			{
				origin = mysql_origin_json(src, i, env_a, a);
				p[5] = PQgetisnull(src, i, 6) ? NULL : PQgetvalue(src, i, 6);
				p[6] = origin;
				sub = dbc_query(b, "submitting the MySQL change",
								"SELECT dbchange.submit_mysql($1, $2, $3, $4::uuid, $5, $6, $7::jsonb)", 7, p);
			}
			else
				sub = dbc_query(b, "submitting the MySQL change",
								"SELECT dbchange.submit_mysql($1, $2, $3, $4::uuid, $5)", 5, p);
			free(origin);
			if (sub == NULL)
			{
				rc = EXIT_ERROR;
				break;
			}
			p[0] = PQgetvalue(sub, 0, 0);
			tgt = dbc_query(b, "reading the promoted MySQL change",
							"SELECT id, status, checksum FROM dbchange.changes WHERE id = $1::bigint", 1, p);
			PQclear(sub);
			if (tgt == NULL || PQntuples(tgt) != 1)
			{
				PQclear(tgt);
				rc = EXIT_ERROR;
				break;
			}
			(*carried)++;
		}
		else
			present++;
		status = PQgetvalue(tgt, 0, 1);
		if (strcmp(PQgetvalue(tgt, 0, 2), PQgetvalue(src, i, 2)) != 0)
		{
			dbc_error("MySQL change %s of %s (uid %s) is in %s as change %s with a different checksum",
					  id, env_a, uid, env_b, PQgetvalue(tgt, 0, 0));
			dbc_hint("The same uid must carry the same script everywhere; nothing after it was promoted.");
			rc = EXIT_ERROR;
		}
		else if (strcmp(status, "pending") == 0)
		{
			if (!opts.json)
				printf("[mysql] %s #%s → %s #%s: waits for approval; approve it (dbchange approve %s), then run promote again\n",
					   env_a, id, env_b, PQgetvalue(tgt, 0, 0), PQgetvalue(tgt, 0, 0));
			rc = EXIT_QUEUED;
		}
		else if (strcmp(status, "rejected") == 0)
		{
			if (!opts.json)
				printf("[mysql] %s #%s → %s #%s: rejected; nothing after it was promoted\n",
					   env_a, id, env_b, PQgetvalue(tgt, 0, 0));
			rc = EXIT_REJECTED;
		}
		else if (!opts.json && !opts.quiet)
			printf("[mysql] %s #%s → %s #%s: %s\n", env_a, id, env_b, PQgetvalue(tgt, 0, 0),
				   strcmp(status, "approved") == 0 ? "approved, ready to deploy to MySQL" : status);
		PQclear(tgt);
	}
	if (!opts.json && !opts.quiet && PQntuples(src) > 0 && !opts.dry_run)
		printf("[mysql] %d MySQL change%s carried to %s, %d already there\n", *carried,
			   *carried == 1 ? "" : "s", env_b, present);
	PQclear(src);
	return rc;
}
