/*-------------------------------------------------------------------------
 *
 * cmd_audit.c
 *	  dbchange audit-verify [--state FILE]: check the hash-chained audit
 *	  trail of a database.
 *
 * Without --state the whole chain is checked (dbchange.verify_audit()).
 * With --state the file remembers the chain's head (position and hash) from
 * the last check that found the chain intact, and the next check reads only
 * what came after it (verify_audit(position, hash)), so a cron job stays
 * cheap however long the history grows -- and it also notices what the
 * whole-chain check cannot: a chain cut back below the remembered head.
 * The file is rewritten (atomically) only after an intact check, so a
 * broken chain keeps being reported until someone looks.
 *
 * Exit codes: 0 intact, 1 broken, cut back, or an error.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* What one check found. */
typedef struct AuditCheck
{
	bool		from_saved;		/* started from the state file's head */
	long long	from_position;
	char	   *broken;			/* seq of the first broken entry, or NULL */
	bool		cut_back;		/* the saved entry is gone */
	char	   *head_position;	/* the head after the check (NULL: empty chain) */
	char	   *head_hash;
	char	   *head_seq;
} AuditCheck;

/*
 * The state file is the check's anchor: whoever can write it can make any
 * tampering before the head it names invisible.  So it must belong to the
 * user running the check (or root) and be writable by nobody else -- as ssh
 * treats its keys.  (A file someone else created in a shared directory such
 * as /tmp before the first run is refused too.)  Follows a symbolic link:
 * what counts is the file that is read.
 */
static bool
state_file_trusted(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return true;			/* read_text_file says why */
	if (!S_ISREG(st.st_mode))
		return true;			/* a directory ...: read_text_file says so */
	if (st.st_uid != geteuid() && st.st_uid != 0)
	{
		dbc_error("the state file \"%s\" belongs to another user (uid %ld)", path, (long) st.st_uid);
		dbc_hint("Whoever can write the state file can hide tampering with the audit trail. "
				 "Keep it in a directory only you can write; remove this one after checking where it came from.");
		return false;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH))
	{
		dbc_error("the state file \"%s\" is writable by %s (mode %04o)", path,
				  (st.st_mode & S_IWOTH) ? "everyone" : "its group", (unsigned) (st.st_mode & 07777));
		dbc_hint("Whoever can write the state file can hide tampering with the audit trail: chmod go-w \"%s\"", path);
		return false;
	}
	return true;
}

/*
 * Read "POSITION HASH" from the state file.  Returns 1 when read, 0 when the
 * file does not exist yet (first run: check everything), -1 on an error
 * (printed).
 */
static int
read_state(const char *path, long long *position, char *hash, size_t hashlen)
{
	char	   *text;
	char	   *end;
	char	   *p;
	size_t		n;

	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	if (!state_file_trusted(path))
		return -1;
	if ((text = read_text_file(path, NULL)) == NULL)
		return -1;
	*position = strtoll(text, &end, 10);
	p = end + strspn(end, " \t");
	n = strspn(p, "0123456789abcdef");
	if (end == text || *position < 1 || n != 64 || n >= hashlen || p[n + strspn(p + n, " \t\r\n")] != '\0')
	{
		dbc_error("\"%s\" is not an audit-verify state file", path);
		dbc_hint("It holds one line, \"POSITION HASH\", written by dbchange audit-verify --state. "
				 "Remove it to check the whole chain again and start a new one.");
		free(text);
		return -1;
	}
	memcpy(hash, p, n);
	hash[n] = '\0';
	free(text);
	return 1;
}

/*
 * Write "POSITION HASH\n" to a new temporary file beside path, then rename it
 * over path.  The temporary file gets a unique name and is created
 * exclusively with mode 0600 (mkstemp): a name someone else prepared there (a
 * symbolic link to another file of ours) is never followed or written.
 */
static bool
write_state(const char *path, const char *position, const char *hash)
{
	char	   *tmp = xasprintf("%s.XXXXXX", path);
	int			fd = mkstemp(tmp);
	FILE	   *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	bool		ok;

	if (f == NULL)
	{
		dbc_error("cannot write a temporary file beside \"%s\": %s", path, strerror(errno));
		if (fd >= 0)
		{
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return false;
	}
	ok = fprintf(f, "%s %s\n", position, hash) > 0;
	ok = (fflush(f) == 0) && ok && fsync(fileno(f)) == 0;
	ok = (fclose(f) == 0) && ok;
	if (ok && rename(tmp, path) != 0)
		ok = false;
	if (!ok)
	{
		dbc_error("cannot write \"%s\": %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ok;
}

static char *
value_or_null(const PGresult *res, int col)
{
	return PQgetisnull(res, 0, col) ? NULL : xstrdup(PQgetvalue(res, 0, col));
}

/* Run the check and read the head; false after printing an error. */
static bool
run_check(PGconn *conn, AuditCheck *c, const char *saved_hash)
{
	PGresult   *res;
	char		pos[32];
	const char *p[2] = {pos, saved_hash};

	snprintf(pos, sizeof(pos), "%lld", c->from_position);

	/*
	 * One transaction: verify_audit() seals under the chain's lock and keeps
	 * it to the end of the transaction, so no entry is sealed between the
	 * check and reading the head -- the head kept is one that was checked.
	 */
	if (!dbc_command(conn, "starting the check", "BEGIN"))
		return false;
	if (c->from_saved)
		res = dbc_query(conn, "verifying the audit chain from the saved head",
						"SELECT dbchange.verify_audit($1::bigint, $2)", 2, p);
	else
		res = dbc_query(conn, "verifying the audit chain", "SELECT dbchange.verify_audit()", 0, NULL);
	if (res == NULL)
		return false;
	c->broken = value_or_null(res, 0);
	if (c->broken && strcmp(c->broken, "0") == 0)
	{
		c->cut_back = true;
		free(c->broken);
		c->broken = NULL;
	}
	PQclear(res);
	res = dbc_query(conn, "reading the audit chain's head",
					"SELECT chain_pos, hash, seq FROM dbchange.audit_head()", 0, NULL);
	if (res == NULL)
		return false;
	c->head_position = value_or_null(res, 0);
	c->head_hash = value_or_null(res, 1);
	c->head_seq = value_or_null(res, 2);
	PQclear(res);
	return dbc_command(conn, "ending the check", "COMMIT");
}

static void
print_check(const AuditCheck *c, const char *state)
{
	JsonWriter	w;

	if (opts.json)
	{
		jw_init(&w, stdout);
		jw_begin_object(&w);
		jw_kv_bool(&w, "intact", c->broken == NULL && !c->cut_back);
		jw_key(&w, "from_position");
		if (c->from_saved)
			jw_int(&w, c->from_position);
		else
			jw_null(&w);
		jw_key(&w, "broken_seq");
		jw_raw(&w, c->broken ? c->broken : "null");
		jw_kv_bool(&w, "cut_back", c->cut_back);
		jw_key(&w, "head");
		jw_begin_object(&w);
		jw_key(&w, "chain_pos");
		jw_raw(&w, c->head_position ? c->head_position : "null");
		jw_kv_string(&w, "hash", c->head_hash);
		jw_key(&w, "seq");
		jw_raw(&w, c->head_seq ? c->head_seq : "null");
		jw_end_object(&w);
		jw_kv_string(&w, "state_file", state);
		jw_end_object(&w);
		jw_finish(&w);
		return;
	}
	if (c->cut_back)
	{
		dbc_error("the audit chain was cut back: entry %lld, the head saved in \"%s\", is gone",
				  c->from_position, state);
		dbc_hint("Entries were deleted from the end of the trail. Compare with a backup; "
				 "remove the state file only once you know what happened.");
	}
	else if (c->broken)
	{
		dbc_error("the audit chain is broken at entry seq %s", c->broken);
		dbc_hint("That entry (or the one before it) was changed or deleted outside dbchange. "
				 "SELECT * FROM dbchange.audit_log WHERE seq >= %s ORDER BY seq shows it.", c->broken);
	}
	else if (c->from_saved)
		printf("audit chain intact from entry %lld to entry %s\n", c->from_position,
			   c->head_position ? c->head_position : "?");
	else
		printf("audit chain intact: %s entries\n", c->head_position ? c->head_position : "0");
}

int
cmd_audit_verify(const DbcCommand *cmd, int argc, char **argv)
{
	PGconn	   *conn;
	AuditCheck	c;
	char		saved_hash[80] = "";
	int			rc;

	(void) argv;
	if (!need_args(cmd, argc, 0, 0))
		return EXIT_USAGE;
	memset(&c, 0, sizeof(c));
	if (opts.state)
	{
		int			r = read_state(opts.state, &c.from_position, saved_hash, sizeof(saved_hash));

		if (r < 0)
			return EXIT_ERROR;
		c.from_saved = r == 1;
	}
	if ((conn = dbc_connect(opts.dbname, "-d", true)) == NULL)
		return EXIT_ERROR;
	if (!run_check(conn, &c, saved_hash))
	{
		dbc_disconnect(conn);
		return EXIT_ERROR;
	}
	dbc_disconnect(conn);
	print_check(&c, opts.state);
	rc = (c.broken || c.cut_back) ? EXIT_ERROR : EXIT_DONE;
	/* remember the head only after an intact check */
	if (rc == EXIT_DONE && opts.state && c.head_position && c.head_hash &&
		!write_state(opts.state, c.head_position, c.head_hash))
		rc = EXIT_ERROR;
	free(c.broken);
	free(c.head_position);
	free(c.head_hash);
	free(c.head_seq);
	return rc;
}
