/*-------------------------------------------------------------------------
 *
 * cli.h
 *	  Declarations shared by the files of the dbchange command-line tool.
 *
 * One file, one job:
 *	  main.c		options (getopt_long), --help, --version, dispatch
 *	  commands.c	the command table: add a command with one line there
 *	  conn.c		libpq connections: conninfo/URI/service, password prompt,
 *					Ctrl-C cancel, "is the extension installed here?"
 *	  output.c		messages on stderr, aligned tables, JSON, colour
 *	  util.c		strings, files, SHA-1/SHA-256, UUIDs
 *	  api.c			calling the SQL API (submit with whatever arguments the
 *					installed version accepts; outcome of a submission)
 *	  cmd_*.c		one file per command group (cmd_audit.c: audit-verify)
 *
 * Exit codes (DESIGN.md): 0 done, 1 error, 2 bad usage, 3 queued for
 * approval, 4 rejected by policy.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DBCHANGE_CLI_H
#define DBCHANGE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libpq-fe.h"

#ifndef DBCHANGE_VERSION
#define DBCHANGE_VERSION "0.1"
#endif

#define EXIT_DONE		0
#define EXIT_ERROR		1
#define EXIT_USAGE		2
#define EXIT_QUEUED		3
#define EXIT_REJECTED	4

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* ---- options (main.c) ---- */
typedef struct DbcOptions
{
	const char *dbname;			/* -d: conninfo, URI or service=NAME (NULL: PG* defaults) */
	const char *from;			/* --from */
	const char *to;				/* --to */
	const char *message;		/* -m: comment, reason or description */
	const char *down;			/* --down FILE */
	long		limit;			/* --limit N (history), 0 = default */
	bool		json;			/* --json */
	bool		quiet;			/* -q */
	bool		dry_run;		/* --dry-run */
	bool		no_password;	/* -w: never prompt */
	bool		color;			/* colour allowed (terminal, no --no-color, no NO_COLOR) */
	int			verbose;		/* -v: show SQLSTATEs and the SQL sent */
	const char *dialect;		/* --dialect postgresql|mysql (submit) */
	const char *control;		/* --control CONNINFO (drift of a MySQL target) */
	bool		retry;			/* --retry (mysql-resolve) */
	bool		mark_applied;	/* --mark-applied (mysql-resolve) */
	const char *state;			/* --state FILE (audit-verify) */
} DbcOptions;

extern DbcOptions opts;

/* ---- the command table (commands.c) ---- */
typedef struct DbcCommand DbcCommand;
typedef int (*DbcHandler) (const DbcCommand *cmd, int argc, char **argv);

struct DbcCommand
{
	const char *name;			/* "status", "policy push" (words) */
	DbcHandler	handler;
	const char *args;			/* usage after the name: "ID [-m COMMENT]" */
	const char *help;			/* one line */
	const char *options;		/* command options it accepts: "message,down" */
};

extern const DbcCommand dbc_commands[];

/* Check the number of arguments; prints usage and returns false if wrong. */
extern bool need_args(const DbcCommand *cmd, int argc, int min, int max);
/* Parse a change id argument (positive integer); usage error if bad. */
extern bool parse_id(const DbcCommand *cmd, const char *s, long long *id);
/* Print "usage: dbchange NAME ARGS" on stderr. */
extern void print_command_usage(const DbcCommand *cmd, FILE *f);

/* ---- handlers (cmd_*.c) ---- */
extern int	cmd_status(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_pending(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_show(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_history(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_metrics(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_audit_verify(const DbcCommand *cmd, int argc, char **argv);	/* cmd_audit.c */
extern int	cmd_approve(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_reject(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_apply(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_submit(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_deploy(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_promote(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_policy_push(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_policy_test(const DbcCommand *cmd, int argc, char **argv);
/* MySQL targets (cmd_mysql.c) */
extern int	cmd_mysql_submit(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_mysql_promote(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_mysql_resolve(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_mysql_drift(const DbcCommand *cmd, int argc, char **argv);
/* promote between control databases: carry A's deployed MySQL changes to B */
extern int	mysql_carry_changes(PGconn *a, PGconn *b, const char *env_a, const char *env_b, int *carried);
extern int	cmd_rollback(const DbcCommand *cmd, int argc, char **argv);	/* cmd_rollback.c */
extern int	cmd_verify_rollback(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_drift(const DbcCommand *cmd, int argc, char **argv);
extern int	cmd_diff(const DbcCommand *cmd, int argc, char **argv);
/* Is s a mysql:// URI?  Its printable form (password masked, malloc'd). */
extern bool mysql_is_uri(const char *s);
extern char *mysql_mask_uri(const char *s);
extern void mysql_scrub_argv(int argc, char **argv);

/* ---- connections (conn.c) ---- */
/*
 * Connect to conninfo (NULL: libpq defaults from PG* variables); "what" names
 * the option it came from in messages ("-d", "--from", "--to").  With
 * need_extension, also checks that dbchange is installed there.  Returns NULL
 * after printing an error.
 */
extern PGconn *dbc_connect(const char *conninfo, const char *what, bool need_extension);
extern void dbc_disconnect(PGconn *conn);
extern void dbc_install_signal_handlers(void);
/* Set by Ctrl-C: long loops stop between steps. */
extern volatile int dbc_interrupted;
/* A printable name for the database of a connection: "db on host:port". */
extern const char *dbc_conn_label(PGconn *conn);

/* Run a query with text parameters; returns the result (caller checks & clears). */
extern PGresult *dbc_exec(PGconn *conn, const char *sql, int nparams, const char *const *params);
/* Same, but on failure prints the error (prefixed with what) and returns NULL. */
extern PGresult *dbc_query(PGconn *conn, const char *what, const char *sql, int nparams,
						   const char *const *params);
/* Run a command without result rows; false (error printed) on failure. */
extern bool dbc_command(PGconn *conn, const char *what, const char *sql);
extern bool result_ok(const PGresult *res);
/* Does the query return one row whose first column is true? */
extern bool dbc_query_true(PGconn *conn, const char *sql, int nparams, const char *const *params);
/* Does relation/function schema.name exist (and is it usable)? */
extern bool dbc_has_relation(PGconn *conn, const char *qualified);
/* Overwrite PostgreSQL passwords in argv (what ps shows); call before parsing options. */
extern void dbc_scrub_pg_argv(int argc, char **argv, char **orig);
extern bool dbc_has_function(PGconn *conn, const char *qualified);

/* ---- messages (output.c) ---- */
extern void dbc_error(const char *fmt,...) PRINTF_LIKE(1, 2);
extern void dbc_hint(const char *fmt,...) PRINTF_LIKE(1, 2);
extern void dbc_warning(const char *fmt,...) PRINTF_LIKE(1, 2);
extern void dbc_info(const char *fmt,...) PRINTF_LIKE(1, 2);	/* stdout unless quiet/json */
/* Print a server error: "dbchange: error: <what>: <message>", detail, hint. */
extern void dbc_report_result_error(const PGresult *res, const char *what);
extern int	usage_error(const char *fmt,...) PRINTF_LIKE(1, 2);	/* returns EXIT_USAGE */

/* ---- JSON writer (output.c) ---- */
typedef struct JsonWriter
{
	FILE	   *f;
	int			depth;
	bool		first[64];		/* nothing written yet at this depth */
	bool		after_key;
} JsonWriter;

extern void jw_init(JsonWriter *w, FILE *f);
extern void jw_begin_object(JsonWriter *w);
extern void jw_end_object(JsonWriter *w);
extern void jw_begin_array(JsonWriter *w);
extern void jw_end_array(JsonWriter *w);
extern void jw_key(JsonWriter *w, const char *key);
extern void jw_string(JsonWriter *w, const char *s);	/* NULL -> null */
extern void jw_int(JsonWriter *w, long long v);
extern void jw_bool(JsonWriter *w, bool v);
extern void jw_double(JsonWriter *w, double v);	/* finite values only */
extern void jw_null(JsonWriter *w);
extern void jw_raw(JsonWriter *w, const char *json);	/* already valid JSON */
extern void jw_finish(JsonWriter *w);	/* newline */
extern char *json_quote(const char *s); /* "s" escaped, malloc'd; NULL -> null */
/* Key + value helpers. */
extern void jw_kv_string(JsonWriter *w, const char *key, const char *s);
extern void jw_kv_int(JsonWriter *w, const char *key, long long v);
extern void jw_kv_bool(JsonWriter *w, const char *key, bool v);
/* A value of a result column, typed by the column's type (numbers, booleans, json, arrays). */
extern void jw_result_value(JsonWriter *w, const PGresult *res, int row, int col);
extern void jw_result_object(JsonWriter *w, const PGresult *res, int row);
extern void jw_result_array(JsonWriter *w, const PGresult *res);

/* ---- tables for people (output.c) ---- */
/*
 * Print a result as an aligned table (or, with --json, as a JSON array of
 * objects).  Long values are cut to max_width characters (0: no limit) and
 * show only their first line; "(N rows)" follows unless quiet.  hide: a
 * comma-separated list of columns left out of the table (not of the JSON).
 */
extern void print_result_table(const PGresult *res, int max_width, const char *hide);
/* Print one row vertically: "column  value" (multi-line values indented). */
extern void print_result_vertical(const PGresult *res, int row);
/* Display form of a value: text arrays become "a; b", NULL becomes "". */
extern char *display_value(const PGresult *res, int row, int col);
/* Colour for a change status, "" when colour is off. */
extern const char *status_color(const char *status);
extern const char *color_reset(void);
extern int	display_width(const char *s);	/* UTF-8 aware column count */

/* ---- utilities (util.c) ---- */
typedef struct StrBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} StrBuf;

extern void sb_init(StrBuf *sb);
extern void sb_append(StrBuf *sb, const char *s);
extern void sb_append_len(StrBuf *sb, const char *s, size_t n);
extern void sb_printf(StrBuf *sb, const char *fmt,...) PRINTF_LIKE(2, 3);
extern void sb_free(StrBuf *sb);

extern void *xmalloc(size_t n);
extern void *xrealloc(void *p, size_t n);
extern char *xstrdup(const char *s);
extern char *xstrndup(const char *s, size_t n);
extern char *xasprintf(const char *fmt,...) PRINTF_LIKE(1, 2);

/*
 * Read a whole text file.  On failure prints a prefixed error naming the file
 * and why (missing, unreadable, a directory, binary) and returns NULL.
 */
extern char *read_text_file(const char *path, size_t *len);
/* dir/name, without a doubled "/" when dir ends in one. */
extern char *folder_path(const char *dir, const char *name);
extern bool folder_file_ok(const char *dir, const char *name);
/* True when the script has nothing but whitespace and comments. */
extern bool script_is_empty(const char *script);
/* 1-based line of byte offset pos. */
extern int	line_of_offset(const char *s, size_t pos);

extern void sha256_hex(const void *data, size_t len, char out[65]);
extern void sha1_bytes(const void *data, size_t len, unsigned char out[20]);
/* Name-based UUID, version 5 (RFC 4122 4.3), in the namespace given as text. */
extern void uuid_v5(const char *namespace_uuid, const char *name, char out[37]);

/* ---- the SQL API (api.c) ---- */
typedef enum SubmitOutcome
{
	SUBMIT_APPLIED,				/* the change ran and is recorded */
	SUBMIT_QUEUED,				/* waits for approval (or apply) */
	SUBMIT_REJECTED,			/* refused by policy */
	SUBMIT_FAILED,				/* the statements failed (or another error) */
} SubmitOutcome;

typedef struct SubmitRequest
{
	const char *script;
	const char *description;
	const char *down_script;
	const char *uid;			/* NULL: the server picks one */
	const char *checksum;		/* NULL: the server computes it */
	const char *source;			/* submit / migration / promotion */
	const char *origin;			/* provenance, a JSON object text, or NULL */
	const char *requested_by;	/* promotion: the original requester */
	bool		promoted;		/* promotion: submit_promoted() when installed */
	const char *file;			/* for messages: the file the script came from */
} SubmitRequest;

typedef struct SubmitResult
{
	SubmitOutcome outcome;
	bool		already;		/* the uid was already applied or waiting: not submitted */
	long long	id;				/* the change id, 0 when unknown */
	char	   *status;			/* its status after the call */
	char	   *waiting_for;	/* who must act, for queued changes */
	char	   *risk;
	char	   *reasons;		/* "a; b" */
	PGresult   *error;			/* the server's error (rejected/failed), or NULL */
} SubmitResult;

/*
 * Submit a script as one change in its own transaction (BEGIN; submit;
 * COMMIT), so that an approved change is applied and recorded atomically.
 * If lock_uid, the uid is locked and looked up first: when a change with it
 * is already applied or waiting, nothing is submitted and *already is set.
 */
extern void submit_change(PGconn *conn, const SubmitRequest *rq, SubmitResult *out);
extern void submit_result_free(SubmitResult *r);
/* Print a server error of a script, naming file, line and statement when it has a position. */
extern void report_script_error(const PGresult *res, const char *file, const char *script);
extern int	outcome_exit_code(const SubmitResult *r);
extern const char *outcome_name(const SubmitResult *r);
extern void jw_submit_result(JsonWriter *w, const SubmitResult *r, const char *script);
/* submit's human report (cmd_submit.c); reading a script, refusing empty ones */
extern void print_outcome_human(const SubmitResult *r, const char *file, const char *script);
extern char *read_script(const char *path, const char *what);

/*
 * Dry run of a script on a database: dbchange.evaluate(script, environment),
 * the statements' decisions combined (reject > queue > approve, highest
 * risk, every reason).  False (error printed, naming file) on failure.
 */
typedef struct EvalResult
{
	char	   *action;			/* approve / queue / reject */
	char	   *risk;			/* NULL when no policy gave one */
	char	   *reasons;		/* "a; b" or NULL */
	int			statements;
} EvalResult;
extern bool evaluate_script(PGconn *conn, const char *script, const char *environment,
							const char *source, const char *file, EvalResult *out);
extern void eval_result_free(EvalResult *e);

/*
 * Apply an approved change whose statements must run at top level: take the
 * one-time authorisation (authorize_toplevel), send each statement as its own
 * query, record the outcome (finish_toplevel).  Returns the change's status
 * (malloc'd), or NULL after printing an error (*err gets the server's error
 * when there is one).
 */
extern char *toplevel_apply(PGconn *conn, long long id, PGresult **err);

/*
 * pending() for people: id, status, "waits for" (what, whose role, which
 * step, from whatever columns the installed pending() has), risk, ...
 */
#define PENDING_HUMAN_SQL \
	"SELECT (j->>'id')::bigint AS id, j->>'status' AS status, " \
	"coalesce(j->>'waiting_for', '') || coalesce(' by ' || (j->>'step_role'), '') " \
	"|| coalesce(' (step ' || (j->>'step_no') || ' of ' || (j->>'steps') || ')', '') AS waits_for, " \
	"j->>'risk' AS risk, j->>'requested_by' AS requested_by, j->>'command' AS command, " \
	"(j->>'created_at')::timestamptz AS created_at, j->>'statement' AS statement " \
	"FROM dbchange.pending() p, LATERAL (SELECT pg_catalog.to_jsonb(p) AS j) x"

/* This database's environment name (settings, falling back to "dev"). */
extern char *environment_of(PGconn *conn);
/* Does function dbchange.<fn> accept a parameter named arg? */
extern bool function_has_arg(PGconn *conn, const char *fn, const char *arg);

#endif							/* DBCHANGE_CLI_H */
