/*-------------------------------------------------------------------------
 *
 * cmd_policy.c
 *	  policy push DIR, policy test DIR: policy as code from source control.
 *
 * Every *.lua file of the folder (not its subfolders; hidden files ignored)
 * is one policy, named after the file without ".lua" (so the file name and
 * the name in the catalog match; the chunk's own "name" field is the
 * policy's business).  Files are taken in name order.
 *
 * push: all files in one transaction, each through dbchange.set_policy()
 * (which compiles the policy and runs its tests) under a savepoint, so every
 * file is reported and, if any is refused, nothing is installed.
 *
 * test: runs each file's own tests against the database without installing
 * anything.  The policy engine compiles a source and runs its tests without
 * storing it (dbchange.test_policy(source, name) when the installed version
 * has it, else its internal dbchange._policy_check(name, source), callable
 * by superusers); when neither can be used, the files are installed with
 * set_policy() inside a transaction that is rolled back, and
 * test_policies() is read before the rollback.  Every way runs in a
 * transaction that is rolled back.
 *
 *-------------------------------------------------------------------------
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

typedef struct PolicyFile
{
	char	   *file;			/* path */
	char	   *name;			/* file name without .lua */
	char	   *source;
} PolicyFile;

static int
policy_cmp(const void *x, const void *y)
{
	return strcmp(((const PolicyFile *) x)->name, ((const PolicyFile *) y)->name);
}

static void
free_policies(PolicyFile *p, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		free(p[i].file);
		free(p[i].name);
		free(p[i].source);
	}
	free(p);
}

/* Read every *.lua of dir.  NULL after an error (message printed). */
static PolicyFile *
read_policies(const char *dir, int *count)
{
	DIR		   *d;
	struct dirent *e;
	PolicyFile *p = NULL;
	int			n = 0,
				cap = 0;
	bool		bad = false;

	if ((d = opendir(dir)) == NULL)
	{
		dbc_error("cannot open policy folder \"%s\": %s", dir, strerror(errno));
		return NULL;
	}
	while ((e = readdir(d)) != NULL)
	{
		size_t		l = strlen(e->d_name);
		char	   *path;
		struct stat st;

		if (e->d_name[0] == '.' || l <= 4 || strcmp(e->d_name + l - 4, ".lua") != 0)
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		{
			free(path);
			continue;
		}
		if (n == cap)
		{
			cap = cap ? cap * 2 : 16;
			p = xrealloc(p, sizeof(PolicyFile) * cap);
		}
		p[n].file = path;
		p[n].name = xstrndup(e->d_name, l - 4);
		p[n].source = read_text_file(path, NULL);
		if (p[n].source == NULL)
			bad = true;
		else if (script_is_empty(p[n].source))
		{
			dbc_error("policy file \"%s\" is empty", path);
			bad = true;
		}
		n++;
	}
	closedir(d);
	if (bad)
	{
		free_policies(p, n);
		return NULL;
	}
	if (n == 0)
	{
		dbc_error("no *.lua policy files in \"%s\"", dir);
		dbc_hint("A policy is a Lua file returning { name = ..., check = function(change) ... end, tests = {...} }.");
		free(p);
		return NULL;
	}
	qsort(p, n, sizeof(PolicyFile), policy_cmp);
	*count = n;
	return p;
}

/* "SAVEPOINT x; <sql>; RELEASE x" or roll back to x; returns the result or NULL (kept in *err). */
static PGresult *
under_savepoint(PGconn *conn, const char *sql, int np, const char *const *params, PGresult **err)
{
	PGresult   *res;

	*err = NULL;
	PQclear(dbc_exec(conn, "SAVEPOINT dbchange_cli", 0, NULL));
	res = dbc_exec(conn, sql, np, params);
	if (result_ok(res))
	{
		PQclear(dbc_exec(conn, "RELEASE SAVEPOINT dbchange_cli", 0, NULL));
		return res;
	}
	*err = res;
	PQclear(dbc_exec(conn, "ROLLBACK TO SAVEPOINT dbchange_cli", 0, NULL));
	return NULL;
}

int
cmd_policy_push(const DbcCommand *cmd, int argc, char **argv)
{
	PolicyFile *p;
	int			n = 0,
				i,
				failed = 0;
	PGconn	   *conn;
	JsonWriter	w;

	if (!need_args(cmd, argc, 1, 1))
		return EXIT_USAGE;
	if ((p = read_policies(argv[0], &n)) == NULL)
		return EXIT_ERROR;
	if ((conn = dbc_connect(opts.dbname, "-d", true)) == NULL)
	{
		free_policies(p, n);
		return EXIT_ERROR;
	}
	if (!dbc_command(conn, "starting a transaction", "BEGIN"))
	{
		free_policies(p, n);
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	if (opts.json)
	{
		jw_init(&w, stdout);
		jw_begin_object(&w);
		jw_kv_string(&w, "directory", argv[0]);
		jw_key(&w, "policies");
		jw_begin_array(&w);
	}
	for (i = 0; i < n; i++)
	{
		const char *params[2] = {p[i].name, p[i].source};
		PGresult   *err;
		PGresult   *res = under_savepoint(conn, "SELECT dbchange.set_policy($1, $2)", 2, params, &err);

		if (res == NULL)
			failed++;
		if (opts.json)
		{
			jw_begin_object(&w);
			jw_kv_string(&w, "name", p[i].name);
			jw_kv_string(&w, "file", p[i].file);
			jw_kv_bool(&w, "ok", res != NULL);
			jw_key(&w, "result");
			if (res && PQntuples(res) == 1)
				jw_result_value(&w, res, 0, 0);
			else
				jw_null(&w);
			jw_kv_string(&w, "error", err ? PQresultErrorField(err, PG_DIAG_MESSAGE_PRIMARY) : NULL);
			jw_kv_string(&w, "detail", err ? PQresultErrorField(err, PG_DIAG_MESSAGE_DETAIL) : NULL);
			jw_end_object(&w);
		}
		else if (res && !opts.quiet)
			printf("ok       %s  (%s)\n", p[i].name, p[i].file);
		else if (!res)
			printf("refused  %s  (%s)\n", p[i].name, p[i].file);
		if (err)
		{
			char	   *what = xasprintf("policy %s (%s) refused", p[i].name, p[i].file);

			dbc_report_result_error(err, what);
			free(what);
		}
		PQclear(res);
		PQclear(err);
	}
	if (failed)
		PQclear(dbc_exec(conn, "ROLLBACK", 0, NULL));
	else if (!dbc_command(conn, "committing the policies", "COMMIT"))
		failed = n;
	if (opts.json)
	{
		jw_end_array(&w);
		jw_kv_int(&w, "installed", failed ? 0 : n);
		jw_kv_int(&w, "refused", failed);
		jw_end_object(&w);
		jw_finish(&w);
	}
	else if (!opts.quiet || failed)
		printf("%s\n", failed ? "nothing installed: fix the refused policies and push again"
			   : "all policies installed");
	if (failed)
		dbc_error("%d of %d policies refused; nothing was installed", failed, n);
	free_policies(p, n);
	dbc_disconnect(conn);
	return failed ? EXIT_ERROR : EXIT_DONE;
}

/* The policy engine's check of a source it does not store, as test rows. */
#define POLICY_CHECK_SQL \
	"SELECT $1::text AS policy, (t->>'test')::int AS test_no, t->>'name' AS test_name, " \
	"t->>'sql' AS statement, t->>'environment' AS environment, " \
	"t->>'expect' || coalesce(' (' || (t->>'expect_risk') || ')', '') AS expected, " \
	"t->>'action' AS actual, t->>'risk' AS risk, (t->>'passed')::boolean AS passed, " \
	"t->>'details' AS details " \
	"FROM pg_catalog.jsonb_array_elements(dbchange._policy_check($1, $2)->'tests') t"

/* Count failed tests of a result with a "passed" column. */
static int
failed_tests(const PGresult *res)
{
	int			c = PQfnumber(res, "passed");
	int			r,
				k = 0;

	for (r = 0; c >= 0 && r < PQntuples(res); r++)
		if (PQgetisnull(res, r, c) || PQgetvalue(res, r, c)[0] != 't')
			k++;
	return k;
}

int
cmd_policy_test(const DbcCommand *cmd, int argc, char **argv)
{
	PolicyFile *p;
	int			n = 0,
				i,
				failed = 0,
				tests = 0;
	PGconn	   *conn;
	JsonWriter	w;
	bool		have_test_fn;
	bool		have_check_fn;

	if (!need_args(cmd, argc, 1, 1))
		return EXIT_USAGE;
	if ((p = read_policies(argv[0], &n)) == NULL)
		return EXIT_ERROR;
	if ((conn = dbc_connect(opts.dbname, "-d", true)) == NULL)
	{
		free_policies(p, n);
		return EXIT_ERROR;
	}
	have_test_fn = dbc_has_function(conn, "dbchange.test_policy");
	have_check_fn = !have_test_fn && dbc_has_function(conn, "dbchange._policy_check");
	/* everything happens in a transaction that is rolled back */
	if (!dbc_command(conn, "starting a transaction", "BEGIN"))
	{
		free_policies(p, n);
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	if (opts.json)
	{
		jw_init(&w, stdout);
		jw_begin_object(&w);
		jw_kv_string(&w, "directory", argv[0]);
		jw_key(&w, "policies");
		jw_begin_array(&w);
	}
	for (i = 0; i < n; i++)
	{
		const char *params[2] = {p[i].name, p[i].source};
		PGresult   *err = NULL;
		PGresult   *res;
		int			bad;

		if (have_test_fn)
			res = under_savepoint(conn, "SELECT * FROM dbchange.test_policy($2, $1)", 2, params, &err);
		else if (have_check_fn)
		{
			res = under_savepoint(conn, POLICY_CHECK_SQL, 2, params, &err);
			/* not allowed to call the internal function: the rolled-back install */
			if (res == NULL && err && PQresultErrorField(err, PG_DIAG_SQLSTATE) &&
				strcmp(PQresultErrorField(err, PG_DIAG_SQLSTATE), "42501") == 0)
			{
				PQclear(err);
				have_check_fn = false;
				i--;
				continue;
			}
		}
		else
		{
			res = under_savepoint(conn, "SELECT dbchange.set_policy($1, $2)", 2, params, &err);
			if (res)
			{
				PQclear(res);
				res = under_savepoint(conn, "SELECT * FROM dbchange.test_policies() t WHERE t.policy = $1",
									  1, params, &err);
			}
		}
		bad = res ? failed_tests(res) : 1;
		failed += bad;
		tests += res ? PQntuples(res) : 0;
		if (opts.json)
		{
			jw_begin_object(&w);
			jw_kv_string(&w, "name", p[i].name);
			jw_kv_string(&w, "file", p[i].file);
			jw_kv_bool(&w, "passed", bad == 0);
			jw_key(&w, "tests");
			if (res)
				jw_result_array(&w, res);
			else
				jw_null(&w);
			jw_kv_string(&w, "error", err ? PQresultErrorField(err, PG_DIAG_MESSAGE_PRIMARY) : NULL);
			jw_kv_string(&w, "detail", err ? PQresultErrorField(err, PG_DIAG_MESSAGE_DETAIL) : NULL);
			jw_end_object(&w);
		}
		else
		{
			printf("%s%-6s%s %s  (%s", bad ? status_color("failed") : status_color("applied"),
				   bad ? "FAILED" : "ok", color_reset(), p[i].name, p[i].file);
			if (res)
				printf(", %d test%s)\n", PQntuples(res), PQntuples(res) == 1 ? "" : "s");
			else
				printf(")\n");
			if (res && (bad || opts.verbose))
				print_result_table(res, 80, "policy");
		}
		if (err)
		{
			char	   *what = xasprintf("policy %s (%s)", p[i].name, p[i].file);

			dbc_report_result_error(err, what);
			free(what);
		}
		PQclear(res);
		PQclear(err);
	}
	PQclear(dbc_exec(conn, "ROLLBACK", 0, NULL));
	if (opts.json)
	{
		jw_end_array(&w);
		jw_kv_int(&w, "tests", tests);
		jw_kv_int(&w, "failed", failed);
		jw_end_object(&w);
		jw_finish(&w);
	}
	else if (!opts.quiet)
		printf("%d polic%s, %d test%s, %d failed; nothing was installed\n", n, n == 1 ? "y" : "ies",
			   tests, tests == 1 ? "" : "s", failed);
	free_policies(p, n);
	dbc_disconnect(conn);
	return failed ? EXIT_ERROR : EXIT_DONE;
}
