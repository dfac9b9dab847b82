/*-------------------------------------------------------------------------
 *
 * cmd_submit.c
 *	  submit FILE [--down FILE] [-m DESCRIPTION]: a script as one change.
 *
 * The file is read whole and sent as one script to dbchange.submit() in its
 * own transaction: the server splits it, evaluates every statement, and the
 * combined decision applies to all of it.  Exit 0 applied, 3 queued (the id
 * and who must approve are printed), 4 rejected (the reasons are printed),
 * 1 when the statements failed (file, line and statement named; nothing was
 * applied).  An empty file is refused before anything is sent.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The human report of one submission (stdout; the failure on stderr). */
void
print_outcome_human(const SubmitResult *r, const char *file, const char *script)
{
	if (r->outcome == SUBMIT_FAILED)
	{
		report_script_error(r->error, file, script);
		return;
	}
	if (opts.quiet && r->outcome == SUBMIT_APPLIED)
		return;
	printf("%s%s%s", status_color(r->outcome == SUBMIT_APPLIED ? "applied" :
								  r->outcome == SUBMIT_QUEUED ? "pending" : "rejected"),
		   outcome_name(r), color_reset());
	if (r->id > 0)
		printf(": change %lld", r->id);
	printf(" (%s)", file);
	if (r->already)
		printf(", already %s before", r->status ? r->status : "recorded");
	putchar('\n');
	if (r->outcome == SUBMIT_QUEUED)
	{
		if (r->waiting_for)
			printf("  waits for: %s\n", r->waiting_for);
		else if (r->status)
			printf("  status: %s\n", r->status);
	}
	if (r->outcome != SUBMIT_APPLIED)
	{
		if (r->risk)
			printf("  risk: %s\n", r->risk);
		if (r->reasons)
			printf("  reasons: %s\n", r->reasons);
	}
	if (r->outcome == SUBMIT_QUEUED && r->id > 0 && r->status && strcmp(r->status, "pending") == 0)
		printf("  approve with: dbchange approve %lld   (reject: dbchange reject %lld -m REASON)\n",
			   r->id, r->id);
	else if (r->outcome == SUBMIT_QUEUED && r->id > 0)
		printf("  apply with: dbchange apply %lld\n", r->id);
}

/* Read a script file; empty scripts are an error.  NULL after a message. */
char *
read_script(const char *path, const char *what)
{
	char	   *text = read_text_file(path, NULL);

	if (text && script_is_empty(text))
	{
		dbc_error("%s \"%s\" is empty: it has no statements", what, path);
		dbc_hint("Put the SQL statements of the change into the file.");
		free(text);
		return NULL;
	}
	return text;
}

int
cmd_submit(const DbcCommand *cmd, int argc, char **argv)
{
	char	   *script;
	char	   *down = NULL;
	char		checksum[65];
	PGconn	   *conn;
	SubmitRequest rq;
	SubmitResult r;
	int			rc;
	const char *slash;

	if (opts.dialect && strcmp(opts.dialect, "mysql") == 0)
		return cmd_mysql_submit(cmd, argc, argv);
	if (!need_args(cmd, argc, 1, 1))
		return EXIT_USAGE;
	if ((script = read_script(argv[0], "script")) == NULL)
		return EXIT_ERROR;
	if (opts.down && (down = read_script(opts.down, "down script")) == NULL)
	{
		free(script);
		return EXIT_ERROR;
	}
	if ((conn = dbc_connect(opts.dbname, "-d", true)) == NULL)
	{
		free(script);
		free(down);
		return EXIT_ERROR;
	}
	sha256_hex(script, strlen(script), checksum);
	slash = strrchr(argv[0], '/');
	memset(&rq, 0, sizeof(rq));
	rq.script = script;
	rq.description = opts.message ? opts.message : (slash ? slash + 1 : argv[0]);
	rq.down_script = down;
	rq.checksum = checksum;
	rq.source = "submit";
	rq.file = argv[0];
	submit_change(conn, &rq, &r);
	rc = outcome_exit_code(&r);
	if (opts.json)
	{
		JsonWriter	w;

		jw_init(&w, stdout);
		jw_begin_object(&w);
		jw_kv_string(&w, "file", argv[0]);
		jw_submit_result(&w, &r, script);
		jw_end_object(&w);
		jw_finish(&w);
		if (r.outcome == SUBMIT_FAILED)
			report_script_error(r.error, argv[0], script);
	}
	else
		print_outcome_human(&r, argv[0], script);
	submit_result_free(&r);
	free(script);
	free(down);
	dbc_disconnect(conn);
	return rc;
}
