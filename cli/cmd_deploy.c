/*-------------------------------------------------------------------------
 *
 * cmd_deploy.c
 *	  deploy DIR: versioned migration files, applied in order, each a change.
 *
 * File names (the rule; docs/cli.md repeats it):
 *
 *	 timestamped:  YYYYMMDD_HHMMSS_description.sql        (up)
 *				   YYYYMMDD_HHMMSS_description.down.sql   (its down script)
 *	 numbered:	   V<n>__description.sql                   (up; n = 1, 2, 1.1, 2_3, ...)
 *				   U<n>__description.sql or V<n>__description.down.sql (down)
 *
 * One folder uses one of the two schemes.  Other *.sql names are an error
 * (a typo must not be skipped silently); files not ending in .sql, hidden
 * files and subfolders are ignored.  Versions are unique; timestamps sort
 * as text, numbered versions part by part as numbers (V1.10 after V1.9),
 * leading zeros ignored (V01 is V1).
 *
 * Identity: the change uid is a name-based UUID (version 5, SHA-1) of
 * "migration:" + version in dbchange's own namespace, so the same migration
 * has the same uid in every database it reaches (and promote carries it on);
 * the checksum is the SHA-256 of the file's bytes.
 *
 * Before anything runs, every file is read and the database's changes with
 * those uids are looked up: a migration already applied with a different
 * checksum is checksum drift, an error naming each such file; nothing is
 * applied.  Then the migrations not applied yet are submitted one by one,
 * each in its own transaction, stopping at the first that is not applied
 * (exit 3 queued, 4 rejected, 1 failed).  A rerun skips what is applied and
 * carries on.
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

/* Namespace of migration uids (a fixed random UUID; never change it). */
#define MIGRATION_UUID_NAMESPACE "8c1d4f7e-3b2a-4e59-9a61-0f5d2c7b8e43"

typedef enum Scheme
{
	SCHEME_NONE,
	SCHEME_TIMESTAMP,
	SCHEME_NUMBERED
} Scheme;

typedef struct Migration
{
	char	   *file;			/* up script, name within DIR */
	char	   *down_file;		/* NULL when none */
	char	   *version;		/* normalized: "20240101_120000" or "1.2" */
	char	   *description;
	char	   *script;
	char	   *down;
	char		uid[37];
	char		checksum[65];
	/* what the database has for this uid */
	long long	applied_id;		/* applied (or rolled back) change, 0 if none */
	char	   *applied_status;
	char	   *applied_checksum;
	long long	waiting_id;		/* pending/approved change, 0 if none */
	char	   *waiting_status;
} Migration;

typedef struct ParsedName
{
	Scheme		scheme;
	bool		down;
	char	   *version;
	char	   *description;
} ParsedName;

static bool
all_digits(const char *s, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char) s[i]))
			return false;
	return n > 0;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t		a = strlen(s),
				b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* "add_users_table" -> "add users table" */
static char *
humanize(const char *s, size_t n)
{
	char	   *d = xstrndup(s, n);
	char	   *p;

	for (p = d; *p; p++)
		if (*p == '_')
			*p = ' ';
	return d;
}

/*
 * Parse a file name per the rule above.  Returns false with *why set when a
 * .sql name does not follow it.
 */
static bool
parse_name(const char *name, ParsedName *out, const char **why)
{
	size_t		len = strlen(name);
	size_t		stem;

	memset(out, 0, sizeof(*out));
	out->down = ends_with(name, ".down.sql");
	stem = len - (out->down ? 9 : 4);

	if (len > 16 && all_digits(name, 8) && name[8] == '_' && all_digits(name + 9, 6) && name[15] == '_')
	{
		int			mon = (name[4] - '0') * 10 + (name[5] - '0');
		int			day = (name[6] - '0') * 10 + (name[7] - '0');
		int			hh = (name[9] - '0') * 10 + (name[10] - '0');
		int			mi = (name[11] - '0') * 10 + (name[12] - '0');
		int			ss = (name[13] - '0') * 10 + (name[14] - '0');

		if (mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mi > 59 || ss > 60)
		{
			*why = "its timestamp YYYYMMDD_HHMMSS is not a valid date and time";
			return false;
		}
		if (stem <= 16)
		{
			*why = "it has no description after the timestamp";
			return false;
		}
		out->scheme = SCHEME_TIMESTAMP;
		out->version = xstrndup(name, 15);
		out->description = humanize(name + 16, stem - 16);
		return true;
	}
	if ((name[0] == 'V' || name[0] == 'U') && isdigit((unsigned char) name[1]))
	{
		const char *sep = strstr(name, "__");
		const char *p;
		StrBuf		v;

		if (sep == NULL || (size_t) (sep - name) >= stem)
		{
			*why = "a numbered migration is named V<n>__description.sql (two underscores)";
			return false;
		}
		if (name[0] == 'U' && out->down)
		{
			*why = "a U<n> file is already a down script: name it U<n>__description.sql";
			return false;
		}
		out->down = out->down || name[0] == 'U';
		/* version: digit groups separated by '.' or '_' ; normalized to 1.2.3 */
		sb_init(&v);
		p = name + 1;
		while (p < sep)
		{
			const char *q = p;

			while (q < sep && isdigit((unsigned char) *q))
				q++;
			if (q == p || (q < sep && *q != '.' && *q != '_') || (q < sep && q + 1 == sep))
			{
				sb_free(&v);
				*why = "the version after V/U must be numbers separated by '.' or '_' (V1, V2.1, V3_2)";
				return false;
			}
			while (p < q - 1 && *p == '0')
				p++;
			if (v.len)
				sb_append(&v, ".");
			sb_append_len(&v, p, (size_t) (q - p));
			p = q < sep ? q + 1 : q;
		}
		if ((size_t) (sep + 2 - name) >= stem)
		{
			sb_free(&v);
			*why = "it has no description after \"__\"";
			return false;
		}
		out->scheme = SCHEME_NUMBERED;
		out->version = v.data;
		out->description = humanize(sep + 2, stem - (size_t) (sep + 2 - name));
		return true;
	}
	*why = "it is neither YYYYMMDD_HHMMSS_description.sql nor V<n>__description.sql";
	return false;
}

/* Numbered versions compare part by part as numbers; timestamps as text. */
static int
compare_versions(const char *a, const char *b)
{
	while (*a && *b)
	{
		size_t		la = strcspn(a, "."),
					lb = strcspn(b, ".");
		int			c;

		if (la != lb)
			return la < lb ? -1 : 1;
		if ((c = strncmp(a, b, la)) != 0)
			return c;
		a += la;
		b += lb;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	return *a ? 1 : (*b ? -1 : 0);
}

static int
migration_cmp(const void *x, const void *y)
{
	const Migration *a = x,
			   *b = y;

	return compare_versions(a->version, b->version);
}

static void
free_migrations(Migration *m, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		free(m[i].file);
		free(m[i].down_file);
		free(m[i].version);
		free(m[i].description);
		free(m[i].script);
		free(m[i].down);
		free(m[i].applied_status);
		free(m[i].applied_checksum);
		free(m[i].waiting_status);
	}
	free(m);
}

static Migration *
find_version(Migration *m, int n, const char *version)
{
	int			i;

	for (i = 0; i < n; i++)
		if (strcmp(m[i].version, version) == 0)
			return &m[i];
	return NULL;
}

/* Read the folder: parse, pair downs with ups, sort.  NULL after an error. */
static Migration *
scan_folder(const char *dir, int *count)
{
	DIR		   *d;
	struct dirent *e;
	Migration  *m = NULL;
	int			n = 0,
				cap = 0;
	ParsedName *downs = NULL;
	char	  **down_names = NULL;
	int			nd = 0,
				capd = 0;
	Scheme		scheme = SCHEME_NONE;
	char	   *scheme_file = NULL;
	bool		bad = false;
	int			i;

	if ((d = opendir(dir)) == NULL)
	{
		dbc_error("cannot open migrations folder \"%s\": %s", dir, strerror(errno));
		if (errno == ENOTDIR)
			dbc_hint("deploy takes a folder of migration files; to run one script use \"dbchange submit FILE\".");
		return NULL;
	}
	while ((e = readdir(d)) != NULL)
	{
		ParsedName pn;
		const char *why = NULL;
		char	   *path;
		struct stat st;

		if (e->d_name[0] == '.' || !ends_with(e->d_name, ".sql"))
			continue;
		path = folder_path(dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		{
			free(path);
			continue;
		}
		free(path);
		if (!folder_file_ok(dir, e->d_name))
		{
			bad = true;
			continue;
		}
		if (!parse_name(e->d_name, &pn, &why))
		{
			dbc_error("\"%s\" in \"%s\" is not a migration file name: %s", e->d_name, dir, why);
			bad = true;
			continue;
		}
		if (scheme == SCHEME_NONE)
		{
			scheme = pn.scheme;
			scheme_file = xstrdup(e->d_name);
		}
		else if (scheme != pn.scheme)
		{
			dbc_error("\"%s\" and \"%s\" use different naming schemes", scheme_file, e->d_name);
			dbc_hint("One folder uses either YYYYMMDD_HHMMSS_description.sql or V<n>__description.sql, so the order is clear.");
			bad = true;
		}
		if (pn.down)
		{
			if (nd == capd)
			{
				capd = capd ? capd * 2 : 16;
				downs = xrealloc(downs, sizeof(ParsedName) * capd);
				down_names = xrealloc(down_names, sizeof(char *) * capd);
			}
			downs[nd] = pn;
			down_names[nd++] = xstrdup(e->d_name);
			continue;
		}
		if (find_version(m, n, pn.version))
		{
			dbc_error("\"%s\" and \"%s\" have the same version %s", find_version(m, n, pn.version)->file,
					  e->d_name, pn.version);
			free(pn.version);
			free(pn.description);
			bad = true;
			continue;
		}
		if (n == cap)
		{
			cap = cap ? cap * 2 : 16;
			m = xrealloc(m, sizeof(Migration) * cap);
		}
		memset(&m[n], 0, sizeof(Migration));
		m[n].file = xstrdup(e->d_name);
		m[n].version = pn.version;
		m[n].description = pn.description;
		n++;
	}
	closedir(d);
	for (i = 0; i < nd; i++)
	{
		Migration  *up = find_version(m, n, downs[i].version);

		if (up == NULL)
		{
			dbc_error("down script \"%s\" has no up migration with version %s", down_names[i], downs[i].version);
			bad = true;
		}
		else if (up->down_file)
		{
			dbc_error("\"%s\" and \"%s\" are both down scripts of version %s", up->down_file, down_names[i],
					  downs[i].version);
			bad = true;
		}
		else
			up->down_file = xstrdup(down_names[i]);
		free(downs[i].version);
		free(downs[i].description);
		free(down_names[i]);
	}
	free(downs);
	free(down_names);
	free(scheme_file);
	if (bad)
	{
		free_migrations(m, n);
		return NULL;
	}
	if (n > 1)
		qsort(m, n, sizeof(Migration), migration_cmp);
	*count = n;
	return m ? m : xmalloc(sizeof(Migration));
}

/* Read every file and derive uid and checksum.  False after an error. */
static bool
load_files(const char *dir, Migration *m, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		char	   *path = folder_path(dir, m[i].file);
		char	   *name;

		m[i].script = read_script(path, "migration");
		free(path);
		if (m[i].script == NULL)
			return false;
		if (m[i].down_file)
		{
			path = folder_path(dir, m[i].down_file);
			m[i].down = read_script(path, "down script");
			free(path);
			if (m[i].down == NULL)
				return false;
		}
		sha256_hex(m[i].script, strlen(m[i].script), m[i].checksum);
		name = xasprintf("migration:%s", m[i].version);
		uuid_v5(MIGRATION_UUID_NAMESPACE, name, m[i].uid);
		free(name);
	}
	return true;
}

/* Look up the uids in the database (one query). */
static bool
load_state(PGconn *conn, Migration *m, int n)
{
	StrBuf		arr;
	const char *p[1];
	PGresult   *res;
	int			i,
				r;

	sb_init(&arr);
	sb_append(&arr, "{");
	for (i = 0; i < n; i++)
		sb_printf(&arr, "%s%s", i ? "," : "", m[i].uid);
	sb_append(&arr, "}");
	p[0] = arr.data;
	res = dbc_query(conn, "reading the applied migrations",
					"SELECT uid::text, id, status, checksum FROM dbchange.changes "
					"WHERE uid = ANY ($1::uuid[]) AND source <> 'interactive' ORDER BY id", 1, p);
	sb_free(&arr);
	if (res == NULL)
		return false;
	for (r = 0; r < PQntuples(res); r++)
	{
		const char *uid = PQgetvalue(res, r, 0);
		const char *status = PQgetvalue(res, r, 2);

		for (i = 0; i < n; i++)
		{
			if (strcmp(m[i].uid, uid) != 0)
				continue;
			if (strcmp(status, "applied") == 0 || strcmp(status, "rolled_back") == 0)
			{
				m[i].applied_id = strtoll(PQgetvalue(res, r, 1), NULL, 10);
				free(m[i].applied_status);
				free(m[i].applied_checksum);
				m[i].applied_status = xstrdup(status);
				m[i].applied_checksum = xstrdup(PQgetvalue(res, r, 3));
			}
			else if (strcmp(status, "pending") == 0 || strcmp(status, "approved") == 0)
			{
				m[i].waiting_id = strtoll(PQgetvalue(res, r, 1), NULL, 10);
				free(m[i].waiting_status);
				m[i].waiting_status = xstrdup(status);
			}
		}
	}
	PQclear(res);
	return true;
}

static void
jw_migration(JsonWriter *w, const Migration *mg, const char *outcome, long long id)
{
	jw_begin_object(w);
	jw_kv_string(w, "file", mg->file);
	jw_kv_string(w, "down_file", mg->down_file);
	jw_kv_string(w, "version", mg->version);
	jw_kv_string(w, "description", mg->description);
	jw_kv_string(w, "uid", mg->uid);
	jw_kv_string(w, "checksum", mg->checksum);
	jw_kv_string(w, "outcome", outcome);
	jw_key(w, "id");
	if (id > 0)
		jw_int(w, id);
	else
		jw_null(w);
}

int
cmd_deploy(const DbcCommand *cmd, int argc, char **argv)
{
	const char *dir;
	Migration  *m;
	int			n = 0;
	int			i;
	PGconn	   *conn;
	int			rc = EXIT_DONE;
	int			dry_rc = EXIT_DONE;	/* what a real run would exit with */
	int			would[3] = {0, 0, 0};	/* approve, queue, reject */
	int			applied = 0,
				skipped = 0,
				drift = 0;
	JsonWriter	w;
	char	   *env = NULL;

	if (!need_args(cmd, argc, 1, 1))
		return EXIT_USAGE;
	dir = argv[0];
	if ((m = scan_folder(dir, &n)) == NULL)
		return EXIT_ERROR;
	if (!load_files(dir, m, n))
	{
		free_migrations(m, n);
		return EXIT_ERROR;
	}
	if ((conn = dbc_connect(opts.dbname, "-d", true)) == NULL)
	{
		free_migrations(m, n);
		return EXIT_ERROR;
	}
	if (n > 0 && !load_state(conn, m, n))
	{
		free_migrations(m, n);
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}

	/* checksum drift: refuse before running anything */
	for (i = 0; i < n; i++)
		if (m[i].applied_id && strcmp(m[i].applied_checksum, m[i].checksum) != 0)
		{
			dbc_error("checksum drift: \"%s\" was changed after it was applied (change %lld)",
					  m[i].file, m[i].applied_id);
			drift++;
		}
	if (drift)
	{
		dbc_hint("An applied migration must not be edited: restore the file as it was and put the "
				 "new work into a new migration with a later version. Nothing was applied.");
		free_migrations(m, n);
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}

	if (opts.json)
	{
		jw_init(&w, stdout);
		jw_begin_object(&w);
		jw_kv_string(&w, "directory", dir);
		jw_kv_bool(&w, "dry_run", opts.dry_run);
		jw_key(&w, "migrations");
		jw_begin_array(&w);
	}
	if (opts.dry_run)
		env = environment_of(conn);
	if (n == 0)
		dbc_warning("no migration files in \"%s\"", dir);

	for (i = 0; i < n && rc == EXIT_DONE; i++)
	{
		Migration  *mg = &m[i];
		char	   *origin;
		SubmitRequest rq;
		SubmitResult r;

		if (dbc_interrupted)
		{
			dbc_error("interrupted before %s; the migrations before it stay applied, rerun to carry on", mg->file);
			rc = EXIT_ERROR;
			break;
		}
		if (mg->applied_id)
		{
			skipped++;
			if (opts.json)
			{
				jw_migration(&w, mg, "skipped", mg->applied_id);
				jw_end_object(&w);
			}
			else if (!opts.quiet)
				printf("skipped   %s  (already %s as change %lld)\n", mg->file, mg->applied_status, mg->applied_id);
			continue;
		}
		if (mg->waiting_id)
		{
			rc = EXIT_QUEUED;
			if (opts.json)
			{
				jw_migration(&w, mg, "waiting", mg->waiting_id);
				jw_kv_string(&w, "status", mg->waiting_status);
				jw_end_object(&w);
			}
			else
				printf("waiting   %s  (change %lld is %s; approve or apply it, then rerun)\n",
					   mg->file, mg->waiting_id, mg->waiting_status);
			break;
		}
		if (opts.dry_run)
		{
			EvalResult ev;
			char	   *path = folder_path(dir, mg->file);
			int			verdict;	/* index into would[] */

			if (!evaluate_script(conn, mg->script, env, "migration", path, &ev))
			{
				free(path);
				rc = EXIT_ERROR;
				break;
			}
			free(path);
			verdict = strcmp(ev.action, "queue") == 0 ? 1 : strcmp(ev.action, "reject") == 0 ? 2 : 0;
			would[verdict]++;
			/* a real run would stop here: exit with what it would, at the first such migration */
			if (dry_rc == EXIT_DONE && verdict != 0)
				dry_rc = verdict == 1 ? EXIT_QUEUED : EXIT_REJECTED;
			if (opts.json)
			{
				jw_migration(&w, mg, "would_run", 0);
				jw_kv_string(&w, "action", ev.action);
				jw_kv_string(&w, "risk", ev.risk);
				jw_kv_string(&w, "reasons", ev.reasons);
				jw_end_object(&w);
			}
			else if (!opts.quiet)
				printf("would %-7s %s%s%s%s%s\n", ev.action, mg->file,
					   ev.risk ? "  risk " : "", ev.risk ? ev.risk : "",
					   ev.reasons ? "  " : "", ev.reasons ? ev.reasons : "");
			eval_result_free(&ev);
			continue;
		}

		{
			char	   *qf = json_quote(mg->file);
			char	   *qv = json_quote(mg->version);

			origin = xasprintf("{\"kind\":\"migration\",\"file\":%s,\"version\":%s}", qf, qv);
			free(qf);
			free(qv);
		}
		memset(&rq, 0, sizeof(rq));
		rq.script = mg->script;
		rq.description = mg->description;
		rq.down_script = mg->down;
		rq.uid = mg->uid;
		rq.checksum = mg->checksum;
		rq.source = "migration";
		rq.origin = origin;
		rq.file = mg->file;
		submit_change(conn, &rq, &r);
		free(origin);
		if (r.outcome == SUBMIT_APPLIED && !r.already)
			applied++;
		else if (r.outcome == SUBMIT_APPLIED)
			skipped++;
		rc = outcome_exit_code(&r);
		if (r.outcome == SUBMIT_FAILED && dbc_interrupted)
		{
			/* Ctrl-C cancelled this migration: nothing of it stayed */
			dbc_error("interrupted at %s; the migrations before it stay applied, rerun to carry on", mg->file);
			submit_result_free(&r);
			break;
		}
		if (opts.json)
		{
			jw_migration(&w, mg, r.already ? "skipped" : outcome_name(&r), r.id);
			jw_key(&w, "result");
			jw_begin_object(&w);
			jw_submit_result(&w, &r, mg->script);
			jw_end_object(&w);
			jw_end_object(&w);
		}
		if (r.outcome == SUBMIT_FAILED)
		{
			char	   *path = folder_path(dir, mg->file);

			report_script_error(r.error, path, mg->script);
			free(path);
		}
		else if (!opts.json)
		{
			if (r.outcome != SUBMIT_APPLIED || !opts.quiet)
				printf("%-9s %s%s", r.already ? "skipped" : outcome_name(&r), mg->file, r.id ? "" : "\n");
			if (r.id && (r.outcome != SUBMIT_APPLIED || !opts.quiet))
				printf("  (change %lld)\n", r.id);
			if (r.outcome == SUBMIT_QUEUED && r.waiting_for)
				printf("  waits for: %s\n", r.waiting_for);
			if (r.outcome != SUBMIT_APPLIED && r.risk)
				printf("  risk: %s\n", r.risk);
			if (r.outcome != SUBMIT_APPLIED && r.reasons)
				printf("  reasons: %s\n", r.reasons);
		}
		submit_result_free(&r);
	}
	if (opts.dry_run && rc == EXIT_DONE)
		rc = dry_rc;
	if (opts.json)
	{
		jw_end_array(&w);
		jw_kv_int(&w, "applied", applied);
		jw_kv_int(&w, "skipped", skipped);
		jw_kv_int(&w, "exit_code", rc);
		jw_end_object(&w);
		jw_finish(&w);
	}
	else if (!opts.quiet && opts.dry_run)
		printf("dry run: %d would apply, %d would be queued, %d would be rejected, %d already applied, %d in folder\n",
			   would[0], would[1], would[2], skipped, n);
	else if (!opts.quiet)
		printf("%s: %d applied, %d already applied, %d in folder%s\n",
			   rc == EXIT_DONE ? "deployed" : "stopped", applied, skipped, n,
			   rc == EXIT_QUEUED ? " (waiting for approval)" :
			   rc == EXIT_REJECTED ? " (rejected by policy)" : rc != EXIT_DONE ? " (failed)" : "");
	free(env);
	free_migrations(m, n);
	dbc_disconnect(conn);
	return rc;
}
