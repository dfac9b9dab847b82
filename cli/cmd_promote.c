/*-------------------------------------------------------------------------
 *
 * cmd_promote.c
 *	  promote --from A --to B [--dry-run]: the same changes, one environment on.
 *
 * The changes applied in A (also those applied and later rolled back: the
 * rollback is a change of its own that follows them) and not yet present in
 * B are submitted to B in the order A applied them, each with its identity
 * (uid, checksum), description, down script and provenance (A's change id,
 * environment, requester, source, times; carried as the change's origin).
 * B's own policies and flows decide.
 *
 * It stops at the first change B does not apply: 3 when queued (B's change
 * id and who must approve are printed), 4 rejected, 1 failed.  A rerun
 * starts over from B's catalog: what is applied is skipped, a change still
 * waiting in B stops the run again (exit 3) until it is approved (and, with
 * rollout manual, applied), then the run carries on after it.
 *
 * Each change is applied and recorded in one transaction on B (api.c), so
 * killing the CLI (kill -9) at any moment leaves B with each change either
 * applied and recorded, or neither: a rerun applies every change exactly
 * once.  An advisory lock per uid makes concurrent runs safe too.
 *
 * --dry-run asks B's evaluate() for each change and prints what B's
 * policies would decide; nothing is submitted.  Its exit status is what a
 * real run would return at the first change that is not approved (0, 3, 4).
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

typedef enum TargetState
{
	TARGET_ABSENT,				/* to submit */
	TARGET_PRESENT,				/* applied (or rolled back) in B */
	TARGET_WAITING				/* pending or approved in B */
} TargetState;

/* A change of A: a row of the source result plus what B has for its uid. */
typedef struct SrcChange
{
	int			row;
	TargetState state;
	long long	target_id;
	char	   *target_status;
	bool		checksum_differs;
} SrcChange;

/* Column numbers in the source result (-1 when the view lacks one). */
typedef struct SrcCols
{
	int			id,
				uid,
				checksum,
				statement,
				description,
				down_script,
				requested_by,
				source,
				created_at,
				applied_at,
				environment,
				origin,
				command;
} SrcCols;

static const char *
val(const PGresult *res, int row, int col)
{
	if (col < 0 || PQgetisnull(res, row, col))
		return NULL;
	return PQgetvalue(res, row, col);
}

/*
 * Down scripts and origins are not in the changes view: they are read from
 * the view dbchange.change_scripts (sql/src/70_cli.sql), or, in a version
 * without it, from dbchange.change when this role may; otherwise they do not
 * travel and promote says so once.
 */
static PGresult *extras = NULL;
static long long *extra_ids = NULL;

/*
 * Rows keyed by change id (ordered by id), read once per run; on failure a
 * warning saying what is not carried, and NULL.  *ids gets the rows' ids.
 */
static PGresult *
load_by_id(PGconn *a, const char *sql, const char *what, long long **ids)
{
	PGresult   *res = dbc_exec(a, sql, 0, NULL);
	int			i;

	if (!result_ok(res))
	{
		dbc_warning("%s of the source's changes are not carried: %s", what,
					PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) ?
					PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : "cannot read them");
		PQclear(res);
		return NULL;
	}
	*ids = xmalloc(sizeof(long long) * (PQntuples(res) + 1));
	for (i = 0; i < PQntuples(res); i++)
		(*ids)[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	return res;
}

static void
load_extras(PGconn *a)
{
	/* the public view when this version has it, else the table (superusers) */
	extras = load_by_id(a, dbc_has_relation(a, "dbchange.change_scripts")
						? "SELECT id, down_script, origin::text FROM dbchange.change_scripts "
						"WHERE down_script IS NOT NULL OR origin IS NOT NULL ORDER BY id"
						: "SELECT id, down_script, origin::text FROM dbchange.change "
						"WHERE down_script IS NOT NULL OR origin IS NOT NULL ORDER BY id",
						"down scripts and origins", &extra_ids);
}

/* Column col of the row for change id in res (rows by id, ids[] their ids), or NULL. */
static const char *
row_of(const PGresult *res, const long long *ids, const char *id, int col)
{
	long long	want;
	int			lo = 0,
				hi;

	if (res == NULL || id == NULL)
		return NULL;
	want = strtoll(id, NULL, 10);
	hi = PQntuples(res) - 1;
	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (ids[mid] == want)
			return PQgetisnull(res, mid, col) ? NULL : PQgetvalue(res, mid, col);
		if (ids[mid] < want)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

/* Column 1 (down_script) or 2 (origin) of the extras of change id. */
static const char *
extra_of(const char *id, int col)
{
	return row_of(extras, extra_ids, id, col);
}

/*
 * The logins that ran each change's statements at the source (a json array,
 * from change_scripts.logins where the source has it).  They travel in the
 * origin, and the target's approve() refuses them too: someone who made a
 * change in dev under another role (SET ROLE, a SECURITY DEFINER function)
 * does not approve it in prod, where its requester's name alone would not
 * show who they are.
 */
static PGresult *logins = NULL;
static long long *login_ids = NULL;

static void
load_logins(PGconn *a)
{
	if (dbc_query_true(a, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute "
					   "WHERE attrelid = pg_catalog.to_regclass('dbchange.change_scripts') "
					   "AND attname = 'logins' AND NOT attisdropped)", 0, NULL))
		logins = load_by_id(a, "SELECT id, logins::text FROM dbchange.change_scripts "
							"WHERE logins IS NOT NULL ORDER BY id", "the logins", &login_ids);
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Are A and B the same database?  B looks for A's backend (pid and start
 * time) among its own database's sessions.
 */
static bool
same_database(PGconn *a, PGconn *b)
{
	PGresult   *ra = dbc_exec(a, "SELECT pg_catalog.pg_backend_pid()::text, backend_start::text "
							  "FROM pg_catalog.pg_stat_activity WHERE pid = pg_catalog.pg_backend_pid()", 0, NULL);
	bool		same = false;

	if (result_ok(ra) && PQntuples(ra) == 1)
	{
		const char *p[2] = {PQgetvalue(ra, 0, 0), PQgetvalue(ra, 0, 1)};
		PGresult   *rb = dbc_exec(b, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity "
								  "WHERE pid = $1::int AND backend_start::text = $2 "
								  "AND datname = pg_catalog.current_database())", 2, p);

		same = result_ok(rb) && PQntuples(rb) == 1 && PQgetvalue(rb, 0, 0)[0] == 't';
		PQclear(rb);
	}
	PQclear(ra);
	return same;
}

/*
 * The provenance travelling with the change: where it comes from and who
 * asked for it first (kept from an earlier promotion's origin when A got
 * the change itself by promotion).
 */
static char *
origin_json(const PGresult *src, int row, const SrcCols *c, const char *from_env, PGconn *a)
{
	StrBuf		sb;
	const char *keys[] = {"from_environment", "from_database", "from_change_id", "requested_by",
	"source", "created_at", "applied_at", NULL};
	const char *vals[7];
	int			i;
	const char *prior = c->origin >= 0 ? val(src, row, c->origin) : extra_of(val(src, row, c->id), 2);

	vals[0] = from_env;
	vals[1] = PQdb(a);
	vals[2] = val(src, row, c->id);
	vals[3] = val(src, row, c->requested_by);
	vals[4] = val(src, row, c->source);
	vals[5] = val(src, row, c->created_at);
	vals[6] = val(src, row, c->applied_at);
	sb_init(&sb);
	sb_append(&sb, "{\"kind\":\"promotion\"");
	for (i = 0; keys[i]; i++)
	{
		char	   *q = json_quote(vals[i]);

		/* the change id is a number; the rest are strings (or null) */
		sb_printf(&sb, ",\"%s\":%s", keys[i], i == 2 && vals[i] ? vals[i] : q);
		free(q);
	}
	/* who ran it at the source (load_logins) */
	if (row_of(logins, login_ids, val(src, row, c->id), 1))
		sb_printf(&sb, ",\"logins\":%s", row_of(logins, login_ids, val(src, row, c->id), 1));
	if (prior && prior[0] == '{')
		sb_printf(&sb, ",\"origin\":%s", prior);
	sb_append(&sb, "}");
	return sb.data;
}

/* First line of a statement, cut, for progress lines. */
static char *
short_statement(const char *s)
{
	size_t		n = strcspn(s, "\r\n");
	const int	max = 60;
	int			w = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		if (((unsigned char) s[i] & 0xc0) != 0x80 && ++w > max)
			return xasprintf("%.*s…", (int) i, s);
	return n < strlen(s) ? xasprintf("%.*s…", (int) n, s) : xstrdup(s);
}

static int
uid_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *) x, *(char *const *) y);
}

/* Read B's state for every uid of A (one query; sorted for binary search). */
static bool
load_target_state(PGconn *b, const PGresult *src, const SrcCols *c, SrcChange *ch, int n)
{
	StrBuf		arr;
	const char *p[1];
	PGresult   *res;
	char	  **keys;
	int			i,
				nt;

	sb_init(&arr);
	sb_append(&arr, "{");
	for (i = 0; i < n; i++)
		sb_printf(&arr, "%s%s", i ? "," : "", val(src, ch[i].row, c->uid));
	sb_append(&arr, "}");
	p[0] = arr.data;
	/* per uid: applied beats waiting beats the rest; the newest row of that kind */
	res = dbc_query(b, "reading the target's changes",
					"SELECT DISTINCT ON (uid) uid::text, id, status, checksum FROM dbchange.changes "
					"WHERE uid = ANY ($1::uuid[]) "
					"ORDER BY uid, CASE WHEN status IN ('applied', 'rolled_back') THEN 0 "
					"WHEN status IN ('pending', 'approved') THEN 1 ELSE 2 END, id DESC", 1, p);
	sb_free(&arr);
	if (res == NULL)
		return false;
	nt = PQntuples(res);
	keys = xmalloc(sizeof(char *) * (nt ? nt : 1));
	for (i = 0; i < nt; i++)
		keys[i] = PQgetvalue(res, i, 0);	/* already sorted by uid, but be sure */
	qsort(keys, nt, sizeof(char *), uid_cmp);
	for (i = 0; i < n; i++)
	{
		const char *uid = val(src, ch[i].row, c->uid);
		char	  **hit = nt ? bsearch(&uid, keys, nt, sizeof(char *), uid_cmp) : NULL;
		int			r;
		const char *status;

		ch[i].state = TARGET_ABSENT;
		if (hit == NULL)
			continue;
		/* the row of that key */
		for (r = 0; r < nt && PQgetvalue(res, r, 0) != *hit; r++)
			;
		status = PQgetvalue(res, r, 2);
		ch[i].target_id = strtoll(PQgetvalue(res, r, 1), NULL, 10);
		ch[i].target_status = xstrdup(status);
		if (strcmp(status, "applied") == 0 || strcmp(status, "rolled_back") == 0)
		{
			const char *sum = val(src, ch[i].row, c->checksum);

			ch[i].state = TARGET_PRESENT;
			ch[i].checksum_differs = sum && strcmp(sum, PQgetvalue(res, r, 3)) != 0;
		}
		else if (strcmp(status, "pending") == 0 || strcmp(status, "approved") == 0)
			ch[i].state = TARGET_WAITING;
	}
	free(keys);
	PQclear(res);
	return true;
}

static void
jw_change_head(JsonWriter *w, const PGresult *src, const SrcCols *c, const SrcChange *ch, int pos)
{
	jw_begin_object(w);
	jw_kv_int(w, "position", pos);
	jw_kv_string(w, "uid", val(src, ch->row, c->uid));
	jw_key(w, "source_id");
	jw_raw(w, val(src, ch->row, c->id));
	jw_kv_string(w, "description", val(src, ch->row, c->description));
	jw_kv_string(w, "statement", val(src, ch->row, c->statement));
}

int
cmd_promote(const DbcCommand *cmd, int argc, char **argv)
{
	PGconn	   *a = NULL,
			   *b = NULL;
	PGresult   *src = NULL;
	SrcCols		c;
	SrcChange  *ch = NULL;
	int			n = 0,
				i,
				todo = 0,
				pos = 0;
	int			applied = 0,
				present = 0,
				would[3] = {0, 0, 0};
	int			rc = EXIT_DONE;
	char	   *env_a = NULL,
			   *env_b = NULL;
	JsonWriter	w;
	double		t0;
	const char *stop_reason = NULL;
	int			mysql_carried = 0;

	if (!need_args(cmd, argc, 0, 0))
		return EXIT_USAGE;
	if (mysql_is_uri(opts.to))
		return cmd_mysql_promote(cmd, argc, argv);
	if (opts.from == NULL || opts.to == NULL)
		return usage_error("promote needs both --from and --to (libpq connection strings, URIs or service=NAME)");
	t0 = now_seconds();
	if ((a = dbc_connect(opts.from, "--from", true)) == NULL)
		return EXIT_ERROR;
	if ((b = dbc_connect(opts.to, "--to", true)) == NULL)
	{
		dbc_disconnect(a);
		return EXIT_ERROR;
	}
	if (same_database(a, b))
	{
		dbc_error("--from and --to name the same database \"%s\"", PQdb(a));
		dbc_hint("Promotion copies changes from one environment's database to another's.");
		rc = EXIT_USAGE;
		goto done;
	}
	env_a = environment_of(a);
	env_b = environment_of(b);

	src = dbc_query(a, "reading the source's applied changes",
					"SELECT * FROM dbchange.changes WHERE status IN ('applied', 'rolled_back') "
					"ORDER BY applied_at, id", 0, NULL);
	if (src == NULL)
	{
		rc = EXIT_ERROR;
		goto done;
	}
	c.id = PQfnumber(src, "id");
	c.uid = PQfnumber(src, "uid");
	c.checksum = PQfnumber(src, "checksum");
	c.statement = PQfnumber(src, "statement");
	c.description = PQfnumber(src, "description");
	c.down_script = PQfnumber(src, "down_script");
	c.requested_by = PQfnumber(src, "requested_by");
	c.source = PQfnumber(src, "source");
	c.created_at = PQfnumber(src, "created_at");
	c.applied_at = PQfnumber(src, "applied_at");
	c.environment = PQfnumber(src, "environment");
	c.origin = PQfnumber(src, "origin");
	c.command = PQfnumber(src, "command");
	if (c.id < 0 || c.uid < 0 || c.statement < 0)
	{
		dbc_error("the source's dbchange.changes view lacks id, uid or statement");
		dbc_hint("Update the dbchange extension in the source database (ALTER EXTENSION dbchange UPDATE).");
		rc = EXIT_ERROR;
		goto done;
	}
	if ((c.down_script < 0 || c.origin < 0) && !opts.dry_run)
		load_extras(a);
	if (!opts.dry_run)
		load_logins(a);
	n = PQntuples(src);
	ch = xmalloc(sizeof(SrcChange) * (n ? n : 1));
	memset(ch, 0, sizeof(SrcChange) * (n ? n : 1));
	{
		int			k = 0;
		int			dialect = PQfnumber(src, "dialect");

		for (i = 0; i < n; i++)
		{
			/* changes for remote MySQL targets do not travel to PostgreSQL */
			if (dialect >= 0 && val(src, i, dialect) && strcmp(val(src, i, dialect), "postgresql") != 0)
				continue;
			ch[k++].row = i;
		}
		n = k;
	}
	if (n > 0 && !load_target_state(b, src, &c, ch, n))
	{
		rc = EXIT_ERROR;
		goto done;
	}
	/* same uid, different content: refuse before submitting anything */
	for (i = 0; i < n; i++)
		if (ch[i].state == TARGET_PRESENT && ch[i].checksum_differs)
		{
			dbc_error("change %s (uid %s) is applied in %s as change %lld with a different checksum",
					  val(src, ch[i].row, c.id), val(src, ch[i].row, c.uid), env_b, ch[i].target_id);
			rc = EXIT_ERROR;
		}
	if (rc != EXIT_DONE)
	{
		dbc_hint("The same uid must carry the same statements everywhere; compare with \"dbchange show\" in both databases. Nothing was promoted.");
		goto done;
	}
	for (i = 0; i < n; i++)
		if (ch[i].state == TARGET_PRESENT)
			present++;
		else
			todo++;

	if (opts.json)
	{
		jw_init(&w, stdout);
		jw_begin_object(&w);
		jw_key(&w, "from");
		jw_begin_object(&w);
		jw_kv_string(&w, "database", PQdb(a));
		jw_kv_string(&w, "environment", env_a);
		jw_end_object(&w);
		jw_key(&w, "to");
		jw_begin_object(&w);
		jw_kv_string(&w, "database", PQdb(b));
		jw_kv_string(&w, "environment", env_b);
		jw_end_object(&w);
		jw_kv_bool(&w, "dry_run", opts.dry_run);
		jw_kv_int(&w, "source_changes", n);
		jw_kv_int(&w, "already_present", present);
		jw_key(&w, "changes");
		jw_begin_array(&w);
	}
	else if (!opts.quiet)
		printf("%s %s → %s: %d applied in %s, %d already in %s, %d to %s\n",
			   opts.dry_run ? "dry run of promote" : "promote", env_a, env_b, n, env_a, present, env_b, todo,
			   opts.dry_run ? "evaluate" : "submit");

	for (i = 0; i < n; i++)
	{
		SrcChange  *x = &ch[i];
		char	   *stmt;

		if (x->state == TARGET_PRESENT)
			continue;
		pos++;
		if (dbc_interrupted)
		{
			stop_reason = "interrupted";
			if (rc == EXIT_DONE)
				rc = EXIT_ERROR;
			break;
		}
		stmt = short_statement(val(src, x->row, c.statement));

		if (x->state == TARGET_WAITING)
		{
			/* stop here in a real run; a dry run notes it and goes on */
			if (opts.json)
			{
				jw_change_head(&w, src, &c, x, pos);
				jw_kv_string(&w, "outcome", "waiting");
				jw_kv_int(&w, "target_id", x->target_id);
				jw_kv_string(&w, "target_status", x->target_status);
				jw_end_object(&w);
			}
			else
				printf("[%*d/%d] waiting   %s #%s → %s #%lld (%s)  %s\n", todo >= 1000 ? 4 : 3, pos, todo,
					   env_a, val(src, x->row, c.id), env_b, x->target_id, x->target_status, stmt);
			free(stmt);
			if (rc == EXIT_DONE)
				rc = EXIT_QUEUED;
			if (!opts.dry_run)
			{
				stop_reason = "waiting";
				if (!opts.json)
					printf("stopped: change %lld in %s is %s; %s it, then run promote again\n",
						   x->target_id, env_b, x->target_status,
						   strcmp(x->target_status, "pending") == 0 ? "approve" : "apply");
				break;
			}
			would[1]++;
			continue;
		}

		if (opts.dry_run)
		{
			EvalResult ev;
			char	   *what = xasprintf("%s change %s", env_a, val(src, x->row, c.id));

			if (!evaluate_script(b, val(src, x->row, c.statement), env_b, "promotion", what, &ev))
			{
				free(what);
				free(stmt);
				rc = EXIT_ERROR;
				stop_reason = "failed";
				break;
			}
			free(what);
			if (strcmp(ev.action, "approve") == 0)
				would[0]++;
			else if (strcmp(ev.action, "queue") == 0)
			{
				would[1]++;
				if (rc == EXIT_DONE)
					rc = EXIT_QUEUED;
			}
			else
			{
				would[2]++;
				if (rc == EXIT_DONE)
					rc = EXIT_REJECTED;
			}
			if (opts.json)
			{
				jw_change_head(&w, src, &c, x, pos);
				jw_kv_string(&w, "outcome", "evaluated");
				jw_kv_string(&w, "action", ev.action);
				jw_kv_string(&w, "risk", ev.risk);
				jw_kv_string(&w, "reasons", ev.reasons);
				jw_end_object(&w);
			}
			else if (!opts.quiet)
				printf("[%*d/%d] would %-7s %s #%s  %s%s%s%s%s\n", todo >= 1000 ? 4 : 3, pos, todo, ev.action,
					   env_a, val(src, x->row, c.id), stmt,
					   ev.risk ? "  risk " : "", ev.risk ? ev.risk : "",
					   ev.reasons ? "  " : "", ev.reasons ? ev.reasons : "");
			eval_result_free(&ev);
			free(stmt);
			continue;
		}

		{
			SubmitRequest rq;
			SubmitResult r;
			char	   *origin = origin_json(src, x->row, &c, env_a, a);
			char	   *what;

			memset(&rq, 0, sizeof(rq));
			rq.script = val(src, x->row, c.statement);
			rq.description = val(src, x->row, c.description);
			rq.down_script = c.down_script >= 0 ? val(src, x->row, c.down_script)
				: extra_of(val(src, x->row, c.id), 1);
			rq.uid = val(src, x->row, c.uid);
			rq.checksum = val(src, x->row, c.checksum);
			rq.source = "promotion";
			rq.origin = origin;
			rq.requested_by = val(src, x->row, c.requested_by);
			rq.promoted = true;
			submit_change(b, &rq, &r);
			free(origin);
			if (r.outcome == SUBMIT_APPLIED && r.already)
				present++;
			else if (r.outcome == SUBMIT_APPLIED)
				applied++;
			if (opts.json)
			{
				jw_change_head(&w, src, &c, x, pos);
				jw_key(&w, "target_id");
				if (r.id > 0)
					jw_int(&w, r.id);
				else
					jw_null(&w);
				jw_key(&w, "result");
				jw_begin_object(&w);
				jw_submit_result(&w, &r, rq.script);
				jw_end_object(&w);
				jw_end_object(&w);
			}
			else if (!opts.quiet || r.outcome != SUBMIT_APPLIED)
			{
				printf("[%*d/%d] %-9s %s #%s → %s", todo >= 1000 ? 4 : 3, pos, todo,
					   r.already ? "present" : outcome_name(&r), env_a, val(src, x->row, c.id), env_b);
				if (r.id > 0)
					printf(" #%lld", r.id);
				printf("  %s\n", stmt);
			}
			free(stmt);
			if (r.outcome == SUBMIT_FAILED && dbc_interrupted)
			{
				/* Ctrl-C cancelled this change's statement: nothing of it stayed */
				rc = EXIT_ERROR;
				stop_reason = "interrupted";
				submit_result_free(&r);
				break;
			}
			if (r.outcome != SUBMIT_APPLIED)
			{
				rc = outcome_exit_code(&r);
				stop_reason = outcome_name(&r);
				if (r.outcome == SUBMIT_FAILED)
				{
					what = xasprintf("%s change %s", env_a, val(src, x->row, c.id));
					report_script_error(r.error, what, rq.script);
					free(what);
				}
				else if (!opts.json)
				{
					if (r.waiting_for)
						printf("  waits for: %s\n", r.waiting_for);
					if (r.risk)
						printf("  risk: %s\n", r.risk);
					if (r.reasons)
						printf("  reasons: %s\n", r.reasons);
				}
				if (!opts.json)
				{
					if (r.outcome == SUBMIT_QUEUED)
						printf("stopped: %s change %lld waits for approval; approve it (dbchange approve %lld), then run promote again\n",
							   env_b, r.id, r.id);
					else if (r.outcome == SUBMIT_REJECTED)
						printf("stopped: %s rejected change %s of %s; nothing after it was promoted\n",
							   env_b, val(src, x->row, c.id), env_a);
					else
						printf("stopped: change %s of %s failed in %s; nothing after it was promoted\n",
							   val(src, x->row, c.id), env_a, env_b);
				}
				submit_result_free(&r);
				break;
			}
			submit_result_free(&r);
		}
	}

	if (stop_reason && strcmp(stop_reason, "interrupted") == 0)
		dbc_error("interrupted at change %d of %d; what was applied stays applied, run promote again to carry on",
				  pos, todo);
	/* MySQL changes travel between control databases too (cmd_mysql.c) */
	if (rc == EXIT_DONE && stop_reason == NULL)
		rc = mysql_carry_changes(a, b, env_a, env_b, &mysql_carried);
	{
		double		secs = now_seconds() - t0;

		if (opts.json)
		{
			jw_end_array(&w);
			jw_kv_int(&w, "applied", applied);
			jw_kv_int(&w, "mysql_carried", mysql_carried);
			if (opts.dry_run)
			{
				jw_kv_int(&w, "would_approve", would[0]);
				jw_kv_int(&w, "would_queue", would[1]);
				jw_kv_int(&w, "would_reject", would[2]);
			}
			jw_kv_string(&w, "stopped", stop_reason);
			jw_kv_int(&w, "exit_code", rc);
			jw_key(&w, "seconds");
			jw_double(&w, secs);
			jw_end_object(&w);
			jw_finish(&w);
		}
		else if (!opts.quiet)
		{
			if (opts.dry_run)
				printf("dry run: %d would apply, %d would wait for approval, %d would be rejected; nothing changed\n",
					   would[0], would[1], would[2]);
			else
			{
				char		rate[64] = "";

				if (applied > 0 && secs > 0)
					snprintf(rate, sizeof(rate), ", %.0f changes/s", applied / secs);
				printf("%s: %d applied, %d already present, %d not promoted (%.2f s%s)\n",
					   stop_reason ? "stopped" : "done", applied, present, n - applied - present, secs, rate);
			}
		}
	}

done:
	free(env_a);
	free(env_b);
	if (ch)
		for (i = 0; i < n; i++)
			free(ch[i].target_status);
	free(ch);
	PQclear(src);
	PQclear(extras);
	free(extra_ids);
	PQclear(logins);
	free(login_ids);
	dbc_disconnect(a);
	dbc_disconnect(b);
	return rc;
}
