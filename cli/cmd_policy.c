/*-------------------------------------------------------------------------
 *
 * cmd_policy.c
 *	  policy push DIR, policy test DIR: policy as code from source control.
 *
 * Every *.lua file of the folder (not its subfolders; hidden files ignored)
 * is one policy, stored under the "name" field of the table the chunk
 * returns, so that the catalog, the reasons and the file agree.  The CLI
 * reads that field from the source: the first `name = "..."` at the
 * shallowest table depth, outside comments and strings (a test entry's name
 * is deeper); a file whose name cannot be read that way is stored under its
 * file name without ".lua" (set_policy() checks the name is valid).  Files
 * are taken in name order.
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
#include <ctype.h>
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
	bool		tests_ok;		/* push: its tests passed (nothing stored) */
} PolicyFile;

/* Length of a Lua long bracket opener "[==[" at p (0 if none); *level gets the '=' count. */
static int
long_bracket(const char *p, int *level)
{
	int			n = 0;

	if (p[0] != '[')
		return 0;
	while (p[1 + n] == '=')
		n++;
	if (p[1 + n] != '[')
		return 0;
	*level = n;
	return n + 2;
}

/* Skip past the long bracket closer "]==]" of the given level. */
static const char *
skip_long(const char *p, int level)
{
	for (; *p; p++)
	{
		int			n = 0;

		if (*p != ']')
			continue;
		while (p[1 + n] == '=')
			n++;
		if (n == level && p[1 + n] == ']')
			return p + n + 2;
	}
	return p;
}

/*
 * The policy's name as written in its source: the string value of the first
 * "name =" field at the shallowest brace depth.  NULL when none is found.
 */
static char *
policy_name_of(const char *src)
{
	const char *p = src;
	int			depth = 0;
	int			best_depth = 1 << 30;
	char	   *best = NULL;
	int			level;
	int			k;

	while (*p)
	{
		if (p[0] == '-' && p[1] == '-')
		{
			if ((k = long_bracket(p + 2, &level)) > 0)
				p = skip_long(p + 2 + k, level);
			else
				while (*p && *p != '\n')
					p++;
		}
		else if (*p == '"' || *p == '\'')
		{
			char		q = *p++;

			while (*p && *p != q && *p != '\n')
				p += (*p == '\\' && p[1]) ? 2 : 1;
			if (*p)
				p++;
		}
		else if ((k = long_bracket(p, &level)) > 0)
			p = skip_long(p + k, level);
		else if (*p == '{')
			depth++, p++;
		else if (*p == '}')
			depth--, p++;
		else if (strncmp(p, "name", 4) == 0 && (p == src || !(isalnum((unsigned char) p[-1]) || p[-1] == '_' || p[-1] == '.'))
				 && !(isalnum((unsigned char) p[4]) || p[4] == '_'))
		{
			const char *v = p + 4;

			while (*v == ' ' || *v == '\t')
				v++;
			if (*v == '=' && v[1] != '=')
			{
				v++;
				while (*v == ' ' || *v == '\t')
					v++;
				if ((*v == '"' || *v == '\'') && depth > 0 && depth < best_depth)
				{
					size_t		l = strcspn(v + 1, v[0] == '"' ? "\"\\\n" : "'\\\n");

					if (v[1 + l] == v[0])
					{
						free(best);
						best = xstrndup(v + 1, l);
						best_depth = depth;
					}
				}
			}
			p += 4;
		}
		else
			p++;
	}
	return best;
}

static int
policy_cmp(const void *x, const void *y)
{
	return strcmp(((const PolicyFile *) x)->file, ((const PolicyFile *) y)->file);
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
		path = folder_path(dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		{
			free(path);
			continue;
		}
		if (!folder_file_ok(dir, e->d_name))
		{
			free(path);
			bad = true;
			continue;
		}
		if (n == cap)
		{
			cap = cap ? cap * 2 : 16;
			p = xrealloc(p, sizeof(PolicyFile) * cap);
		}
		p[n].file = path;
		p[n].tests_ok = false;
		p[n].source = read_text_file(path, NULL);
		p[n].name = p[n].source ? policy_name_of(p[n].source) : NULL;
		if (p[n].name == NULL)
			p[n].name = xstrndup(e->d_name, l - 4);
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

/*
 * Inside a transaction: "SAVEPOINT x; <sql>; RELEASE x", or roll back to x;
 * outside one: just <sql>.  Returns the result, or NULL with the error in *err.
 */
static PGresult *
under_savepoint(PGconn *conn, const char *sql, int np, const char *const *params, PGresult **err)
{
	PGresult   *res;

	*err = NULL;
	if (PQtransactionStatus(conn) != PQTRANS_INTRANS)
	{
		/* autocommit: the statement is its own transaction */
		res = dbc_exec(conn, sql, np, params);
		if (result_ok(res))
			return res;
		*err = res;
		return NULL;
	}
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

typedef enum TestMode
{
	TEST_FUNCTION,				/* dbchange.test_policy(source, name) */
	TEST_CHECK,					/* dbchange._policy_check(name, source) */
	TEST_INSTALL				/* set_policy + test_policies, rolled back */
} TestMode;

/* The tests of one policy file, as rows with a "passed" column; NULL with *err on failure. */
static PGresult *
test_one(PGconn *conn, const PolicyFile *pf, TestMode *mode, PGresult **err)
{
	const char *params[2] = {pf->name, pf->source};
	PGresult   *res;

	*err = NULL;
	if (*mode == TEST_FUNCTION)
		return under_savepoint(conn, "SELECT * FROM dbchange.test_policy($2, $1)", 2, params, err);
	if (*mode == TEST_CHECK)
	{
		res = under_savepoint(conn, POLICY_CHECK_SQL, 2, params, err);
		/* not allowed to call the engine's internal check: the rolled-back install */
		if (res || !*err || !PQresultErrorField(*err, PG_DIAG_SQLSTATE) ||
			strcmp(PQresultErrorField(*err, PG_DIAG_SQLSTATE), "42501") != 0)
			return res;
		PQclear(*err);
		*err = NULL;
		*mode = TEST_INSTALL;
	}
	res = under_savepoint(conn, "SELECT dbchange.set_policy($1, $2)", 2, params, err);
	if (res == NULL)
		return NULL;
	PQclear(res);
	return under_savepoint(conn, "SELECT * FROM dbchange.test_policies() t WHERE t.policy = $1", 1, params, err);
}

/* Which way can this database test a source without storing it? */
static TestMode
test_mode(PGconn *conn)
{
	if (dbc_has_function(conn, "dbchange.test_policy"))
		return TEST_FUNCTION;
	if (dbc_has_function(conn, "dbchange._policy_check"))
		return TEST_CHECK;
	return TEST_INSTALL;
}

/*
 * Print (or put into the JSON) a file's test outcome.  failed_word names a
 * failure on the text line: "FAILED" for policy test, "refused" for push,
 * where the file's one line says both that it failed and that it is not
 * installed.
 */
static void
report_tests(JsonWriter *w, const PolicyFile *pf, const PGresult *res, const PGresult *err,
			 bool show_table, const char *failed_word)
{
	int			bad = res ? failed_tests(res) : 1;

	if (opts.json)
	{
		jw_begin_object(w);
		jw_kv_string(w, "name", pf->name);
		jw_kv_string(w, "file", pf->file);
		jw_kv_bool(w, "passed", bad == 0);
		jw_key(w, "tests");
		if (res)
			jw_result_array(w, res);
		else
			jw_null(w);
		jw_kv_string(w, "error", err ? PQresultErrorField(err, PG_DIAG_MESSAGE_PRIMARY) : NULL);
		jw_kv_string(w, "detail", err ? PQresultErrorField(err, PG_DIAG_MESSAGE_DETAIL) : NULL);
		jw_end_object(w);
	}
	else
	{
		if (bad || !opts.quiet)
		{
			printf("%s%-6s%s %s  (%s", bad ? status_color("failed") : status_color("applied"),
				   bad ? failed_word : "ok", color_reset(), pf->name, pf->file);
			if (res)
				printf(", %d test%s)\n", PQntuples(res), PQntuples(res) == 1 ? "" : "s");
			else
				printf(")\n");
		}
		if (res && show_table && (bad || opts.verbose))
			print_result_table(res, 80, "policy");
	}
	if (err)
	{
		char	   *what = xasprintf("policy %s (%s)", pf->name, pf->file);

		dbc_report_result_error(err, what);
		free(what);
	}
}

int
cmd_policy_push(const DbcCommand *cmd, int argc, char **argv)
{
	PolicyFile *p;
	int			n = 0,
				i,
				failed = 0,
				installed = 0;
	PGconn	   *conn;
	JsonWriter	w;
	TestMode	mode;

	if (!need_args(cmd, argc, 1, 1))
		return EXIT_USAGE;
	if ((p = read_policies(argv[0], &n)) == NULL)
		return EXIT_ERROR;
	if ((conn = dbc_connect(opts.dbname, "-d", true)) == NULL)
	{
		free_policies(p, n);
		return EXIT_ERROR;
	}
	mode = test_mode(conn);
	if (opts.json)
	{
		jw_init(&w, stdout);
		jw_begin_object(&w);
		jw_kv_string(&w, "directory", argv[0]);
	}

	/*
	 * 1. Every file's tests, nothing stored (autocommit, so the tests see
	 * the context a statement really has: not inside a transaction block).
	 */
	if (mode != TEST_INSTALL)
	{
		if (opts.json)
		{
			jw_key(&w, "tests");
			jw_begin_array(&w);
		}
		for (i = 0; i < n; i++)
		{
			PGresult   *err = NULL;
			PGresult   *res = test_one(conn, &p[i], &mode, &err);

			if (res == NULL || failed_tests(res) > 0)
			{
				failed++;
				report_tests(&w, &p[i], res, err, true, "refused");
			}
			else
			{
				p[i].tests_ok = true;
				if (opts.json)
					report_tests(&w, &p[i], res, err, false, "refused");
			}
			PQclear(res);
			PQclear(err);
			if (mode == TEST_INSTALL)
				break;			/* cannot test without installing after all */
		}
		if (opts.json)
			jw_end_array(&w);
		/* when some are refused, say which ones were fine */
		for (i = 0; i < n && failed && !opts.json; i++)
			if (p[i].tests_ok)
				printf("tests ok %s  (%s)\n", p[i].name, p[i].file);
	}

	/* 2. Install, each file through set_policy() (which tests it again). */
	if (opts.json)
	{
		jw_key(&w, "policies");
		jw_begin_array(&w);
	}
	for (i = 0; i < n && failed == 0; i++)
	{
		const char *params[2] = {p[i].name, p[i].source};
		PGresult   *err = NULL;
		PGresult   *res = under_savepoint(conn, "SELECT dbchange.set_policy($1, $2)", 2, params, &err);

		if (res)
			installed++;
		else
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
			jw_end_object(&w);
		}
		else if (res && !opts.quiet)
			printf("ok       %s  (%s)%s%s\n", p[i].name, p[i].file,
				   PQntuples(res) == 1 ? "  " : "", PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "");
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
	if (opts.json)
	{
		jw_end_array(&w);
		jw_kv_int(&w, "installed", installed);
		jw_kv_int(&w, "refused", failed);
		jw_end_object(&w);
		jw_finish(&w);
	}
	else if (!opts.quiet && !failed)
	{
		if (installed == 1)
			printf("the policy is installed\n");
		else
			printf("all %d policies installed\n", installed);
	}
	if (failed && installed == 0)
		dbc_error("%d of %d %s refused; nothing was installed", failed, n, n == 1 ? "policy" : "policies");
	else if (failed)
		dbc_error("policy %s refused after %d of %d were installed", p[installed].name, installed, n);
	free_policies(p, n);
	dbc_disconnect(conn);
	return failed ? EXIT_ERROR : EXIT_DONE;
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
	TestMode	mode;

	if (!need_args(cmd, argc, 1, 1))
		return EXIT_USAGE;
	if ((p = read_policies(argv[0], &n)) == NULL)
		return EXIT_ERROR;
	if ((conn = dbc_connect(opts.dbname, "-d", true)) == NULL)
	{
		free_policies(p, n);
		return EXIT_ERROR;
	}
	mode = test_mode(conn);
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
		PGresult   *err = NULL;
		PGresult   *res;

		/* the last resort installs, so only inside a transaction rolled back below */
		if (mode == TEST_INSTALL && PQtransactionStatus(conn) == PQTRANS_IDLE &&
			!dbc_command(conn, "starting a transaction", "BEGIN"))
			break;
		res = test_one(conn, &p[i], &mode, &err);
		failed += res ? failed_tests(res) : 1;
		tests += res ? PQntuples(res) : 0;
		report_tests(&w, &p[i], res, err, true, "FAILED");
		PQclear(res);
		PQclear(err);
	}
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(dbc_exec(conn, "ROLLBACK", 0, NULL));
	if (opts.json)
	{
		jw_end_array(&w);
		jw_kv_int(&w, "tests", tests);
		jw_kv_int(&w, "failed", failed);
		jw_end_object(&w);
		jw_finish(&w);
	}
	else if (!opts.quiet || failed)
		printf("%d polic%s, %d test%s, %d failed; nothing was installed\n", n, n == 1 ? "y" : "ies",
			   tests, tests == 1 ? "" : "s", failed);
	free_policies(p, n);
	dbc_disconnect(conn);
	return failed ? EXIT_ERROR : EXIT_DONE;
}
