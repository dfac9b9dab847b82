/*-------------------------------------------------------------------------
 *
 * output.c
 *	  What the CLI prints: messages on stderr, aligned tables for people,
 *	  JSON for scripts, colour only on a terminal.
 *
 * Every message on stderr starts with "dbchange: " (error, warning, hint,
 * detail), like psql's, so it stands out in CI logs.  Results go to stdout.
 * With --json stdout carries exactly one JSON document; everything a person
 * would read as progress is then left out.
 *
 * JSON is written by a small streaming writer (commas and nesting tracked
 * per depth) whose strings are escaped per RFC 8259: quote, backslash and
 * every control character; other bytes (UTF-8) pass through, since the
 * server sends UTF-8 (the CLI asks for client_encoding UTF8).
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Type OIDs (pg_type.dat), fixed since long ago. */
#define BOOLOID			16
#define INT8OID			20
#define INT2OID			21
#define INT4OID			23
#define OIDOID			26
#define JSONOID			114
#define FLOAT4OID		700
#define FLOAT8OID		701
#define NAMEARRAYOID	1003
#define INT4ARRAYOID	1007
#define TEXTARRAYOID	1009
#define VARCHARARRAYOID	1015
#define INT8ARRAYOID	1016
#define TIMESTAMPOID	1114
#define TIMESTAMPTZOID	1184
#define NUMERICOID		1700
#define JSONBOID		3802

/* ---- messages ---- */
static void
vmessage(FILE *f, const char *kind, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(f, "dbchange: %s: ", kind);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

void
dbc_error(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vmessage(stderr, "error", fmt, ap);
	va_end(ap);
}

void
dbc_hint(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vmessage(stderr, "hint", fmt, ap);
	va_end(ap);
}

void
dbc_warning(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vmessage(stderr, "warning", fmt, ap);
	va_end(ap);
}

void
dbc_info(const char *fmt,...)
{
	va_list		ap;

	if (opts.quiet || opts.json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Print a multi-line server text with each line prefixed. */
static void
prefixed_lines(const char *kind, const char *text)
{
	const char *p = text;

	while (*p)
	{
		size_t		l = strcspn(p, "\n");

		if (l > 0)
			fprintf(stderr, "dbchange: %s: %.*s\n", kind, (int) l, p);
		p += l;
		if (*p == '\n')
			p++;
	}
}

/*
 * The server's hints name SQL functions (dbchange.approve(6, ...)), written
 * for psql users.  Someone at this tool's prompt gets the same step as a
 * command line too, on a line of its own: the server's text stays as it is.
 */
typedef struct CliEquivalent
{
	const char *sql;			/* "dbchange.approve(" */
	const char *cli;			/* "dbchange approve" */
	const char *rest;			/* what follows the id, or NULL: no id */
} CliEquivalent;

static const CliEquivalent cli_equivalents[] = {
	{"dbchange.approve(", "dbchange approve", " -m COMMENT"},
	{"dbchange.reject(", "dbchange reject", " -m REASON"},
	{"dbchange.apply(", "dbchange apply", ""},
	{"dbchange.rollback(", "dbchange rollback", ""},
	{"dbchange.pending()", "dbchange pending", NULL},
};

static void
print_cli_equivalents(const char *hint)
{
	char		line[512];
	size_t		used = 0;
	int			i;

	line[0] = '\0';
	for (i = 0; i < (int) (sizeof(cli_equivalents) / sizeof(cli_equivalents[0])); i++)
	{
		const CliEquivalent *e = &cli_equivalents[i];
		const char *at = strstr(hint, e->sql);
		char		id[24] = "ID";
		int			n;

		if (at == NULL)
			continue;
		if (e->rest != NULL)
		{
			size_t		digits = strspn(at + strlen(e->sql), "0123456789");

			if (digits > 0 && digits < sizeof(id))
				snprintf(id, sizeof(id), "%.*s", (int) digits, at + strlen(e->sql));
		}
		n = snprintf(line + used, sizeof(line) - used, "%s%s%s%s%s", used ? "; " : "", e->cli,
					 e->rest ? " " : "", e->rest ? id : "", e->rest ? e->rest : "");
		if (n < 0 || (size_t) n >= sizeof(line) - used)
			break;
		used += n;
	}
	if (used > 0)
		fprintf(stderr, "dbchange: hint: with this tool: %s\n", line);
}

void
dbc_report_result_error(const PGresult *res, const char *what)
{
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *context = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	char	   *msg;

	fflush(stdout);
	if (primary == NULL)
	{
		/* no structured error: connection trouble; libpq's text says why */
		const char *m = res ? PQresultErrorMessage(res) : "";

		msg = xstrdup(m && *m ? m : "unknown error (no result from the server)");
		while (*msg && msg[strlen(msg) - 1] == '\n')
			msg[strlen(msg) - 1] = '\0';
		fprintf(stderr, "dbchange: error: %s%s%s\n", what ? what : "", what ? ": " : "", msg);
		free(msg);
		return;
	}
	fprintf(stderr, "dbchange: error: %s%s%s", what ? what : "", what ? ": " : "", primary);
	if (opts.verbose && sqlstate)
		fprintf(stderr, " (SQLSTATE %s)", sqlstate);
	fputc('\n', stderr);
	if (detail)
		prefixed_lines("detail", detail);
	if (hint)
	{
		prefixed_lines("hint", hint);
		print_cli_equivalents(hint);
	}
	if (context && opts.verbose)
		prefixed_lines("context", context);
}

/* ---- JSON ---- */
void
jw_init(JsonWriter *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->first[0] = true;
}

/* Separator before a value (or key) at the current depth. */
static void
jw_sep(JsonWriter *w)
{
	if (w->after_key)
	{
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
}

static void
jw_open(JsonWriter *w, char c)
{
	jw_sep(w);
	fputc(c, w->f);
	if (w->depth < 63)
		w->depth++;
	w->first[w->depth] = true;
}

static void
jw_close(JsonWriter *w, char c)
{
	if (w->depth > 0)
		w->depth--;
	fputc(c, w->f);
}

void
jw_begin_object(JsonWriter *w)
{
	jw_open(w, '{');
}

void
jw_end_object(JsonWriter *w)
{
	jw_close(w, '}');
}

void
jw_begin_array(JsonWriter *w)
{
	jw_open(w, '[');
}

void
jw_end_array(JsonWriter *w)
{
	jw_close(w, ']');
}

static void
jw_escaped(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *) s; *p; p++)
	{
		switch (*p)
		{
			case '"':
				fputs("\\\"", f);
				break;
			case '\\':
				fputs("\\\\", f);
				break;
			case '\n':
				fputs("\\n", f);
				break;
			case '\r':
				fputs("\\r", f);
				break;
			case '\t':
				fputs("\\t", f);
				break;
			case '\b':
				fputs("\\b", f);
				break;
			case '\f':
				fputs("\\f", f);
				break;
			default:
				if (*p < 0x20 || *p == 0x7f)
					fprintf(f, "\\u%04x", *p);
				else
					fputc(*p, f);
		}
	}
	fputc('"', f);
}

void
jw_key(JsonWriter *w, const char *key)
{
	jw_sep(w);
	jw_escaped(w->f, key);
	fputc(':', w->f);
	w->after_key = true;
}

void
jw_string(JsonWriter *w, const char *s)
{
	if (s == NULL)
	{
		jw_null(w);
		return;
	}
	jw_sep(w);
	jw_escaped(w->f, s);
}

void
jw_int(JsonWriter *w, long long v)
{
	jw_sep(w);
	fprintf(w->f, "%lld", v);
}

void
jw_double(JsonWriter *w, double v)
{
	jw_sep(w);
	fprintf(w->f, "%.3f", v);
}

void
jw_bool(JsonWriter *w, bool v)
{
	jw_sep(w);
	fputs(v ? "true" : "false", w->f);
}

void
jw_null(JsonWriter *w)
{
	jw_sep(w);
	fputs("null", w->f);
}

void
jw_raw(JsonWriter *w, const char *json)
{
	jw_sep(w);
	fputs(json, w->f);
}

void
jw_finish(JsonWriter *w)
{
	fputc('\n', w->f);
	fflush(w->f);
}

void
jw_kv_string(JsonWriter *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_string(w, s);
}

void
jw_kv_int(JsonWriter *w, const char *key, long long v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void
jw_kv_bool(JsonWriter *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

/*
 * Parse a one-dimensional array literal ({a,"b c",NULL}) into elements.
 * Returns the count; elems[i] is NULL for SQL NULL.  Caller frees each and
 * the array.
 */
static int
parse_array_literal(const char *lit, char ***elems)
{
	const char *p = lit;
	int			n = 0;
	int			cap = 8;
	char	  **out = xmalloc(sizeof(char *) * cap);

	/* skip optional dimension decoration "[1:2]=" */
	if (*p == '[')
		p = strchr(p, '=') ? strchr(p, '=') + 1 : p;
	if (*p == '{')
		p++;
	while (*p && *p != '}')
	{
		StrBuf		sb;
		bool		quoted = false;

		sb_init(&sb);
		if (*p == '"')
		{
			quoted = true;
			p++;
			while (*p && *p != '"')
			{
				if (*p == '\\' && p[1])
					p++;
				sb_append_len(&sb, p, 1);
				p++;
			}
			if (*p == '"')
				p++;
		}
		else
		{
			while (*p && *p != ',' && *p != '}')
			{
				if (*p == '\\' && p[1])
					p++;
				sb_append_len(&sb, p, 1);
				p++;
			}
		}
		if (n == cap)
		{
			cap *= 2;
			out = xrealloc(out, sizeof(char *) * cap);
		}
		if (!quoted && strcmp(sb.data, "NULL") == 0)
		{
			out[n++] = NULL;
			sb_free(&sb);
		}
		else
			out[n++] = sb.data;
		if (*p == ',')
			p++;
	}
	*elems = out;
	return n;
}

static void
free_elems(char **elems, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		free(elems[i]);
	free(elems);
}

/* Is the text a JSON number (the server's int/float/numeric output can be NaN/Infinity)? */
static bool
is_json_number(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (!(*p >= '0' && *p <= '9'))
		return false;
	for (; *p; p++)
		if (!strchr("0123456789.eE+-", *p))
			return false;
	return true;
}

void
jw_result_value(JsonWriter *w, const PGresult *res, int row, int col)
{
	const char *v;
	Oid			t = PQftype(res, col);

	if (PQgetisnull(res, row, col))
	{
		jw_null(w);
		return;
	}
	v = PQgetvalue(res, row, col);
	switch (t)
	{
		case BOOLOID:
			jw_bool(w, v[0] == 't');
			break;
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			if (is_json_number(v))
				jw_raw(w, v);
			else
				jw_string(w, v);
			break;
		case JSONOID:
		case JSONBOID:
			jw_raw(w, v);
			break;
		case TEXTARRAYOID:
		case VARCHARARRAYOID:
		case NAMEARRAYOID:
		case INT4ARRAYOID:
		case INT8ARRAYOID:
			{
				char	  **elems;
				int			n = parse_array_literal(v, &elems);
				int			i;

				jw_begin_array(w);
				for (i = 0; i < n; i++)
				{
					if (elems[i] && (t == INT4ARRAYOID || t == INT8ARRAYOID) && is_json_number(elems[i]))
						jw_raw(w, elems[i]);
					else
						jw_string(w, elems[i]);
				}
				jw_end_array(w);
				free_elems(elems, n);
				break;
			}
		default:
			jw_string(w, v);
	}
}

void
jw_result_object(JsonWriter *w, const PGresult *res, int row)
{
	int			c;

	jw_begin_object(w);
	for (c = 0; c < PQnfields(res); c++)
	{
		jw_key(w, PQfname(res, c));
		jw_result_value(w, res, row, c);
	}
	jw_end_object(w);
}

void
jw_result_array(JsonWriter *w, const PGresult *res)
{
	int			r;

	jw_begin_array(w);
	for (r = 0; r < PQntuples(res); r++)
		jw_result_object(w, res, r);
	jw_end_array(w);
}

/* ---- tables ---- */
int
display_width(const char *s)
{
	int			w = 0;

	for (; *s; s++)
		if (((unsigned char) *s & 0xc0) != 0x80)	/* count UTF-8 lead bytes */
			w++;
	return w;
}

char *
display_value(const PGresult *res, int row, int col)
{
	const char *v;
	Oid			t = PQftype(res, col);

	if (PQgetisnull(res, row, col))
		return xstrdup("");
	v = PQgetvalue(res, row, col);
	switch (t)
	{
		case BOOLOID:
			return xstrdup(v[0] == 't' ? "yes" : "no");
		case TEXTARRAYOID:
		case VARCHARARRAYOID:
		case NAMEARRAYOID:
		case INT4ARRAYOID:
		case INT8ARRAYOID:
			{
				char	  **elems;
				int			n = parse_array_literal(v, &elems);
				int			i;
				StrBuf		sb;

				sb_init(&sb);
				for (i = 0; i < n; i++)
				{
					if (i > 0)
						sb_append(&sb, t == TEXTARRAYOID || t == VARCHARARRAYOID ? "; " : ", ");
					sb_append(&sb, elems[i] ? elems[i] : "NULL");
				}
				free_elems(elems, n);
				return sb.data;
			}
		case TIMESTAMPTZOID:
		case TIMESTAMPOID:
			{
				/* people read seconds; drop the microseconds, keep the zone */
				const char *dot = strchr(v, '.');

				if (dot)
				{
					size_t		digits = strspn(dot + 1, "0123456789");

					return xasprintf("%.*s%s", (int) (dot - v), v, dot + 1 + digits);
				}
				return xstrdup(v);
			}
		default:
			return xstrdup(v);
	}
}

/* First line only, tabs as spaces, at most max_width characters ("..." marks a cut). */
static char *
cut_for_table(const char *v, int max_width)
{
	size_t		nl = strcspn(v, "\r\n");
	bool		more = v[nl] != '\0';
	StrBuf		sb;
	const char *p;
	int			w = 0;

	sb_init(&sb);
	for (p = v; p < v + nl; p++)
	{
		if (((unsigned char) *p & 0xc0) != 0x80)
		{
			if (max_width > 0 && w == max_width - 1 && (p + 1 < v + nl || more))
			{
				/* is there more than this last character? */
				more = true;
				break;
			}
			w++;
		}
		sb_append_len(&sb, *p == '\t' ? " " : p, 1);
	}
	if (p < v + nl)
		more = true;
	if (more)
		sb_append(&sb, "…");
	return sb.data;
}

const char *
status_color(const char *status)
{
	if (!opts.color || status == NULL)
		return "";
	if (strcmp(status, "applied") == 0)
		return "\033[32m";
	if (strcmp(status, "pending") == 0 || strcmp(status, "approved") == 0)
		return "\033[33m";
	if (strcmp(status, "rejected") == 0 || strcmp(status, "failed") == 0)
		return "\033[31m";
	if (strcmp(status, "rolled_back") == 0)
		return "\033[36m";
	return "";
}

const char *
color_reset(void)
{
	return opts.color ? "\033[0m" : "";
}

static bool
in_list(const char *list, const char *name)
{
	size_t		l = strlen(name);
	const char *p;

	if (list == NULL)
		return false;
	for (p = strstr(list, name); p; p = strstr(p + 1, name))
		if ((p == list || p[-1] == ',') && (p[l] == '\0' || p[l] == ','))
			return true;
	return false;
}

void
print_result_table(const PGresult *res, int max_width, const char *hide)
{
	int			nf = PQnfields(res);
	int			nr = PQntuples(res);
	int		   *width;
	char	  **cells;
	int			r,
				c;
	int			status_col = PQfnumber(res, "status");
	int			last;
	bool		first;

	if (opts.json)
	{
		JsonWriter	w;

		jw_init(&w, stdout);
		jw_result_array(&w, res);
		jw_finish(&w);
		return;
	}
	width = xmalloc(sizeof(int) * (nf ? nf : 1));
	cells = xmalloc(sizeof(char *) * ((size_t) nf * nr + 1));
	for (c = 0; c < nf; c++)
		width[c] = display_width(PQfname(res, c));
	for (r = 0; r < nr; r++)
		for (c = 0; c < nf; c++)
		{
			char	   *v = display_value(res, r, c);
			char	   *cut = cut_for_table(v, max_width);
			int			w = display_width(cut);

			free(v);
			cells[r * nf + c] = cut;
			if (w > width[c])
				width[c] = w;
		}
	/* header, rule, rows; the last column is not padded */
	for (c = 0; c < nf; c++)
		if (in_list(hide, PQfname(res, c)))
			width[c] = -1;
	last = -1;
	for (c = 0; c < nf; c++)
		if (width[c] >= 0)
			last = c;
	first = true;
	for (c = 0; c < nf; c++)
		if (width[c] >= 0)
		{
			printf("%s%-*s", first ? "" : "  ", c < last ? width[c] : 0, PQfname(res, c));
			first = false;
		}
	putchar('\n');
	first = true;
	for (c = 0; c < nf; c++)
	{
		int			i;

		if (width[c] < 0)
			continue;
		printf("%s", first ? "" : "  ");
		first = false;
		for (i = 0; i < width[c]; i++)
			putchar('-');
	}
	putchar('\n');
	for (r = 0; r < nr; r++)
	{
		first = true;
		for (c = 0; c < nf; c++)
		{
			const char *v = cells[r * nf + c];
			int			pad = width[c] - display_width(v);
			bool		col = c == status_col;

			if (width[c] >= 0)
			{
				printf("%s%s%s%s", first ? "" : "  ", col ? status_color(v) : "", v, col ? color_reset() : "");
				if (c < last)
					printf("%*s", pad, "");
				first = false;
			}
			free(cells[r * nf + c]);
		}
		putchar('\n');
	}
	if (!opts.quiet)
		printf("(%d row%s)\n", nr, nr == 1 ? "" : "s");
	free(cells);
	free(width);
}

void
print_result_vertical(const PGresult *res, int row)
{
	int			nf = PQnfields(res);
	int			width = 0;
	int			c;

	for (c = 0; c < nf; c++)
		if (display_width(PQfname(res, c)) > width)
			width = display_width(PQfname(res, c));
	for (c = 0; c < nf; c++)
	{
		char	   *v = display_value(res, row, c);
		const char *p = v;
		bool		first = true;
		bool		col = strcmp(PQfname(res, c), "status") == 0;

		printf("%-*s  ", width, PQfname(res, c));
		if (col)
			printf("%s%s%s", status_color(v), v, color_reset());
		else
			do
			{
				size_t		l = strcspn(p, "\n");

				if (!first)
					printf("%*s  ", width, "");
				printf("%.*s", (int) l, p);
				p += l;
				if (*p == '\n')
				{
					p++;
					putchar('\n');
				}
				first = false;
			} while (*p);
		putchar('\n');
		free(v);
	}
}

char *
json_quote(const char *s)
{
	char	   *buf = NULL;
	size_t		len = 0;
	FILE	   *f = open_memstream(&buf, &len);

	if (f == NULL)
	{
		fputs("dbchange: error: out of memory\n", stderr);
		exit(EXIT_ERROR);
	}
	if (s)
		jw_escaped(f, s);
	else
		fputs("null", f);
	fclose(f);
	return buf;
}
