/*-------------------------------------------------------------------------
 *
 * main.c
 *	  dbchange [OPTIONS] COMMAND [ARGS]: options, --help, --version, dispatch.
 *
 * Options may come before or after the command (getopt_long permutes), the
 * way people type them: "dbchange submit x.sql -m 'add t' -d prod".  Every
 * option is declared once in option_defs[] below (that table also drives
 * --help), global options apply to every command, and the options that
 * belong to particular commands are accepted only by the commands that list
 * them in their table entry (commands.c), so a misplaced "--down" on
 * "status" is a usage error rather than silently ignored.
 *
 *-------------------------------------------------------------------------
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

DbcOptions	opts;

enum OptGroup
{
	GROUP_CONNECTION,
	GROUP_OUTPUT,
	GROUP_COMMAND,
	GROUP_GENERAL
};

static const char *const group_titles[] = {
	"Connection options",
	"Output options",
	"Command options",
	"General options",
};

/* Long-only options get codes above the character range. */
enum
{
	OPT_FROM = 256,
	OPT_TO,
	OPT_JSON,
	OPT_DRY_RUN,
	OPT_DOWN,
	OPT_NO_COLOR,
	OPT_LIMIT,
	OPT_VERSION,
	OPT_HELP_LONG,
	OPT_DIALECT,
	OPT_CONTROL,
	OPT_RETRY,
	OPT_MARK_APPLIED,
	OPT_STATE
};

typedef struct OptionDef
{
	const char *name;			/* long name */
	int			code;			/* short letter or OPT_* (getopt's return value) */
	char		short_name;		/* shown in --help; '\0' for long-only options */
	int			has_arg;
	const char *argname;
	enum OptGroup group;
	bool		global;			/* accepted by every command */
	const char *help;
} OptionDef;

static const OptionDef option_defs[] = {
	{"dbname", 'd', 'd', required_argument, "CONNINFO", GROUP_CONNECTION, true,
	"database: connection string, URI or service=NAME (default: PG* variables)"},
	{"from", OPT_FROM, '\0', required_argument, "CONNINFO", GROUP_CONNECTION, false,
	"source environment (promote; diff: A)"},
	{"to", OPT_TO, '\0', required_argument, "CONNINFO", GROUP_CONNECTION, false,
	"target environment (promote; diff: B; mysql-resolve: the MySQL target)"},
	{"no-password", 'w', 'w', no_argument, NULL, GROUP_CONNECTION, true,
	"never prompt for a password"},
	{"json", OPT_JSON, '\0', no_argument, NULL, GROUP_OUTPUT, true,
	"print JSON for scripts instead of tables"},
	{"quiet", 'q', 'q', no_argument, NULL, GROUP_OUTPUT, true,
	"no progress or informational lines (errors and results only)"},
	{"no-color", OPT_NO_COLOR, '\0', no_argument, NULL, GROUP_OUTPUT, true,
	"no colours, even on a terminal (also: NO_COLOR set)"},
	{"verbose", 'v', 'v', no_argument, NULL, GROUP_OUTPUT, true,
	"SQLSTATE and context in errors, server notices (-vv: also the SQL sent)"},
	{"message", 'm', 'm', required_argument, "TEXT", GROUP_COMMAND, false,
	"comment (approve), reason (reject) or description (submit)"},
	{"down", OPT_DOWN, '\0', required_argument, "FILE", GROUP_COMMAND, false,
	"down (rollback) script (submit; verify-rollback FILE)"},
	{"dry-run", OPT_DRY_RUN, '\0', no_argument, NULL, GROUP_COMMAND, false,
	"say what would happen, change nothing (promote, deploy)"},
	{"limit", OPT_LIMIT, '\0', required_argument, "N", GROUP_COMMAND, false,
	"at most N rows (history; default 50)"},
	{"dialect", OPT_DIALECT, '\0', required_argument, "DIALECT", GROUP_COMMAND, false,
	"submit: postgresql (default) or mysql (a change for MySQL targets)"},
	{"control", OPT_CONTROL, '\0', required_argument, "CONNINFO", GROUP_CONNECTION, false,
	"drift -d mysql://...: the control database that deploys to it"},
	{"retry", OPT_RETRY, '\0', no_argument, NULL, GROUP_COMMAND, false,
	"mysql-resolve: run the failed change again from its failing statement"},
	{"mark-applied", OPT_MARK_APPLIED, '\0', no_argument, NULL, GROUP_COMMAND, false,
	"mysql-resolve: record the failed change as applied (finished by hand)"},
	{"state", OPT_STATE, '\0', required_argument, "FILE", GROUP_COMMAND, false,
	"audit-verify: file keeping the chain's head between checks"},
	{"help", OPT_HELP_LONG, '?', no_argument, NULL, GROUP_GENERAL, true,
	"show this help (or a command's usage), then exit"},
	{"version", 'V', 'V', no_argument, NULL, GROUP_GENERAL, true,
	"print the version, then exit"},
	{NULL, 0, 0, 0, NULL, 0, false, NULL}
};

#define N_OPTION_DEFS ((int) (sizeof(option_defs) / sizeof(option_defs[0]) - 1))

/* Does the command list option "name" in its comma-separated options? */
static bool
command_accepts(const DbcCommand *cmd, const char *name)
{
	const char *list = cmd->options ? cmd->options : "";
	size_t		l = strlen(name);
	const char *p;

	for (p = strstr(list, name); p; p = strstr(p + 1, name))
		if ((p == list || p[-1] == ',') && (p[l] == '\0' || p[l] == ','))
			return true;
	return false;
}

static void
print_help(FILE *f)
{
	int			g;
	int			i;
	int			width = 0;

	fprintf(f, "dbchange manages database changes inside PostgreSQL: submit scripts, deploy\n"
			"migrations, approve and apply queued changes, promote changes between environments.\n\n");
	fprintf(f, "Usage:\n  dbchange [OPTION]... COMMAND [ARG]...\n\n");

	/* commands, aligned */
	for (i = 0; dbc_commands[i].name; i++)
	{
		int			w = (int) strlen(dbc_commands[i].name) + 1 + (int) strlen(dbc_commands[i].args);

		if (w > width && w <= 42)
			width = w;
	}
	fprintf(f, "Commands:\n");
	for (i = 0; dbc_commands[i].name; i++)
	{
		char	   *head = xasprintf("%s%s%s", dbc_commands[i].name,
									 dbc_commands[i].args[0] ? " " : "", dbc_commands[i].args);

		/* a synopsis too long for the column gets a line of its own */
		if ((int) strlen(head) > width)
			fprintf(f, "  %s\n  %-*s  %s\n", head, width, "", dbc_commands[i].help);
		else
			fprintf(f, "  %-*s  %s\n", width, head, dbc_commands[i].help);
		free(head);
	}

	/* options, grouped and aligned */
	width = 0;
	for (i = 0; i < N_OPTION_DEFS; i++)
	{
		const OptionDef *o = &option_defs[i];
		int			w = 6 + (int) strlen(o->name) + (o->argname ? 1 + (int) strlen(o->argname) : 0);

		if (w > width)
			width = w;
	}
	for (g = GROUP_CONNECTION; g <= GROUP_GENERAL; g++)
	{
		fprintf(f, "\n%s:\n", group_titles[g]);
		for (i = 0; i < N_OPTION_DEFS; i++)
		{
			const OptionDef *o = &option_defs[i];
			char		shortpart[8];
			char	   *head;

			if (o->group != (enum OptGroup) g)
				continue;
			if (o->short_name)
				snprintf(shortpart, sizeof(shortpart), "-%c, ", o->short_name);
			else
				snprintf(shortpart, sizeof(shortpart), "    ");
			head = xasprintf("%s--%s%s%s", shortpart, o->name, o->argname ? "=" : "",
							 o->argname ? o->argname : "");
			fprintf(f, "  %-*s  %s\n", width, head, o->help);
			free(head);
		}
	}
	fprintf(f, "\nExit status:\n"
			"  0 done, 1 error, 2 bad usage, 3 queued for approval, 4 rejected by policy\n");
	fprintf(f, "\nEnvironments are named the libpq way: -d 'host=db1 dbname=app', -d postgresql://u@h/app,\n"
			"-d service=prod (pg_service.conf), or PGHOST/PGDATABASE/... in the environment.\n");
	fprintf(f, "Run \"dbchange COMMAND --help\" for a command's usage. Documentation: docs/cli.md\n");
}

void
print_command_usage(const DbcCommand *cmd, FILE *f)
{
	fprintf(f, "usage: dbchange %s%s%s\n", cmd->name, cmd->args[0] ? " " : "", cmd->args);
}

/*
 * An option's help in one command's --help: -m means something else to each
 * command that takes it; the general --help lists all meanings at once.
 */
static const char *
option_help_for(const DbcCommand *cmd, const OptionDef *o)
{
	if (strcmp(o->name, "message") == 0)
	{
		if (strcmp(cmd->name, "approve") == 0)
			return "a comment kept with the approval";
		if (strcmp(cmd->name, "reject") == 0)
			return "why the change is rejected (required; kept in the audit trail)";
		if (strcmp(cmd->name, "submit") == 0)
			return "the change's description";
	}
	return o->help;
}

static void
print_command_help(const DbcCommand *cmd)
{
	int			i;
	int			own = 0;

	print_command_usage(cmd, stdout);
	printf("  %s\n", cmd->help);
	for (i = 0; i < N_OPTION_DEFS; i++)
		if (!option_defs[i].global && command_accepts(cmd, option_defs[i].name))
			own++;
	if (own == 0)
	{
		printf("\nThis command has no options of its own; the global options apply: dbchange --help\n");
		return;
	}
	printf("\nOptions of this command:\n");
	for (i = 0; i < N_OPTION_DEFS; i++)
	{
		const OptionDef *o = &option_defs[i];
		char	   *head;

		if (o->global)
			continue;
		if (!command_accepts(cmd, o->name))
			continue;
		if (o->short_name)
			head = xasprintf("-%c, --%s%s%s", o->short_name, o->name,
							 o->argname ? "=" : "", o->argname ? o->argname : "");
		else
			head = xasprintf("    --%s%s%s", o->name, o->argname ? "=" : "", o->argname ? o->argname : "");
		printf("  %-24s  %s\n", head, option_help_for(cmd, o));
		free(head);
	}
	printf("  (and the global options: dbchange --help)\n");
}

/* Which options of which commands may name a MySQL target (docs/mysql.md). */
static bool
mysql_uri_accepted(const DbcCommand *cmd, const char *option)
{
	if (strcmp(option, "--to") == 0)
		return strcmp(cmd->name, "promote") == 0 || strcmp(cmd->name, "mysql-resolve") == 0;
	if (strcmp(option, "-d") == 0)
		return strcmp(cmd->name, "drift") == 0;
	return false;
}

int
usage_error(const char *fmt,...)
{
	va_list		ap;

	fputs("dbchange: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs("dbchange: hint: Try \"dbchange --help\" for more information.\n", stderr);
	return EXIT_USAGE;
}

bool
need_args(const DbcCommand *cmd, int argc, int min, int max)
{
	if (argc >= min && (max < 0 || argc <= max))
		return true;
	fprintf(stderr, "dbchange: error: %s for \"%s\"\n",
			argc < min ? "missing argument" : "too many arguments", cmd->name);
	fputs("dbchange: hint: ", stderr);
	print_command_usage(cmd, stderr);
	return false;
}

bool
parse_id(const DbcCommand *cmd, const char *s, long long *id)
{
	char	   *end;
	long long	v;

	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v <= 0)
	{
		fprintf(stderr, "dbchange: error: invalid change id \"%s\"\n", s);
		fputs("dbchange: hint: A change id is a positive number, as shown by \"dbchange pending\" or \"dbchange history\".\n",
			  stderr);
		return false;
	}
	*id = v;
	return true;
}

/*
 * Which command do the positional words name?  Multi-word commands ("policy
 * push") match word by word; *nwords gets how many words were consumed.
 */
static const DbcCommand *
find_command(int argc, char **argv, int *nwords)
{
	int			i;

	for (i = 0; dbc_commands[i].name; i++)
	{
		const char *p = dbc_commands[i].name;
		int			k = 0;
		bool		match = true;

		while (*p)
		{
			size_t		wl = strcspn(p, " ");

			if (k >= argc || strlen(argv[k]) != wl || strncmp(argv[k], p, wl) != 0)
			{
				match = false;
				break;
			}
			k++;
			p += wl;
			while (*p == ' ')
				p++;
		}
		if (match)
		{
			*nwords = k;
			return &dbc_commands[i];
		}
	}
	return NULL;
}

/*
 * "dbchange policy --help", "dbchange help policy": the first word of
 * multi-word commands asks for help on all of them.  Returns false when
 * "word" begins no such command.
 */
static bool
print_group_help(const char *word)
{
	int			i;
	size_t		l = strlen(word);
	bool		found = false;

	for (i = 0; dbc_commands[i].name; i++)
		if (strncmp(dbc_commands[i].name, word, l) == 0 && dbc_commands[i].name[l] == ' ')
		{
			if (!found)
				printf("usage:\n");
			printf("  dbchange %s%s%s\n      %s\n", dbc_commands[i].name,
				   dbc_commands[i].args[0] ? " " : "", dbc_commands[i].args, dbc_commands[i].help);
			found = true;
		}
	if (found)
		printf("\nRun \"dbchange %s SUBCOMMAND --help\" for a subcommand's options "
			   "(and the global options: dbchange --help).\n", word);
	return found;
}

/* Usage error for an unknown command, listing close matches (same first word). */
static int
unknown_command(int argc, char **argv)
{
	int			i;
	size_t		l = strlen(argv[0]);
	bool		group = false;

	for (i = 0; dbc_commands[i].name; i++)
		if (strncmp(dbc_commands[i].name, argv[0], l) == 0 && dbc_commands[i].name[l] == ' ')
			group = true;
	if (group)
	{
		fprintf(stderr, "dbchange: error: %s \"%s%s%s\"\n",
				argc > 1 ? "unknown command" : "missing subcommand of", argv[0],
				argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
		fputs("dbchange: hint: One of:", stderr);
		for (i = 0; dbc_commands[i].name; i++)
			if (strncmp(dbc_commands[i].name, argv[0], l) == 0 && dbc_commands[i].name[l] == ' ')
				fprintf(stderr, " \"%s\"", dbc_commands[i].name);
		fputs(".\n", stderr);
		return EXIT_USAGE;
	}
	return usage_error("unknown command \"%s\"", argv[0]);
}

int
main(int argc, char **argv)
{
	struct option longopts[N_OPTION_DEFS + 1];
	char		optstring[64];
	bool		given[N_OPTION_DEFS];
	int			n = 0;
	int			i;
	int			c;
	bool		want_help = false;
	bool		want_version = false;
	const DbcCommand *cmd;
	int			nwords;
	int			rc;

	memset(given, 0, sizeof(given));
	memset(&opts, 0, sizeof(opts));
	optstring[n++] = ':';		/* report missing arguments as ':' */
	for (i = 0; i < N_OPTION_DEFS; i++)
	{
		longopts[i].name = option_defs[i].name;
		longopts[i].has_arg = option_defs[i].has_arg;
		longopts[i].flag = NULL;
		longopts[i].val = option_defs[i].code;
		if (option_defs[i].code < 256)	/* a short letter of getopt */
		{
			optstring[n++] = (char) option_defs[i].code;
			if (option_defs[i].has_arg == required_argument)
				optstring[n++] = ':';
		}
	}
	optstring[n] = '\0';
	memset(&longopts[N_OPTION_DEFS], 0, sizeof(struct option));

	{
		/* the memory ps shows, before mysql_scrub_argv makes private copies */
		char	  **orig = xmalloc(sizeof(char *) * (size_t) (argc > 0 ? argc : 1));

		memcpy(orig, argv, sizeof(char *) * (size_t) argc);
		mysql_scrub_argv(argc, argv);	/* before parsing: ps never shows a MySQL password */
		dbc_scrub_pg_argv(argc, argv, orig);	/* ... nor a PostgreSQL one */
		free(orig);
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1)
	{
		const char *bad = argv[optind - 1];

		/* "-?" is not in optstring: it arrives as an unknown option '?' */
		if (c == '?' && optopt == '?')
			c = OPT_HELP_LONG;
		else if (c == '?' && optopt != 0)
			return usage_error("unknown option \"-%c\"", optopt);
		else if (c == '?')
			/* the option's name only: its value may hold a password */
			return usage_error("unknown option \"%.*s\"", (int) strcspn(bad, "="), bad);
		if (c == ':')
			return usage_error("option \"%s\" needs a value", bad);
		for (i = 0; i < N_OPTION_DEFS; i++)
			if (option_defs[i].code == c)
				given[i] = true;
		switch (c)
		{
			case 'd':
				opts.dbname = optarg;
				break;
			case OPT_FROM:
				opts.from = optarg;
				break;
			case OPT_TO:
				opts.to = optarg;
				break;
			case 'w':
				opts.no_password = true;
				break;
			case OPT_JSON:
				opts.json = true;
				break;
			case 'q':
				opts.quiet = true;
				break;
			case OPT_NO_COLOR:
				break;			/* see below */
			case 'v':
				opts.verbose++;
				break;
			case 'm':
				opts.message = optarg;
				break;
			case OPT_DOWN:
				opts.down = optarg;
				break;
			case OPT_DRY_RUN:
				opts.dry_run = true;
				break;
			case OPT_LIMIT:
				{
					char	   *end;

					opts.limit = strtol(optarg, &end, 10);
					if (*optarg == '\0' || *end != '\0' || opts.limit <= 0)
						return usage_error("invalid value \"%s\" for --limit: give a positive number", optarg);
					break;
				}
			case OPT_DIALECT:
				if (strcmp(optarg, "postgresql") != 0 && strcmp(optarg, "mysql") != 0)
					return usage_error("invalid value \"%s\" for --dialect: give postgresql or mysql", optarg);
				opts.dialect = optarg;
				break;
			case OPT_CONTROL:
				opts.control = optarg;
				break;
			case OPT_RETRY:
				opts.retry = true;
				break;
			case OPT_MARK_APPLIED:
				opts.mark_applied = true;
				break;
			case OPT_STATE:
				opts.state = optarg;
				break;
			case OPT_HELP_LONG:
				want_help = true;
				break;
			case 'V':
				want_version = true;
				break;
			default:
				return usage_error("unknown option \"%.*s\"", (int) strcspn(bad, "="), bad);
		}
	}
	opts.color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL && !opts.json;
	for (i = 0; i < N_OPTION_DEFS; i++)
		if (strcmp(option_defs[i].name, "no-color") == 0 && given[i])
			opts.color = false;

	if (want_version)
	{
		printf("dbchange %s\n", DBCHANGE_VERSION);
		return EXIT_DONE;
	}

	argc -= optind;
	argv += optind;
	if (argc == 0)
	{
		if (want_help)
		{
			print_help(stdout);
			return EXIT_DONE;
		}
		return usage_error("no command given");
	}
	if (strcmp(argv[0], "help") == 0)
	{
		if (argc > 1 && (cmd = find_command(argc - 1, argv + 1, &nwords)) != NULL)
			print_command_help(cmd);
		else if (argc == 2 && print_group_help(argv[1]))
			;
		else
			print_help(stdout);
		return EXIT_DONE;
	}
	cmd = find_command(argc, argv, &nwords);
	if (cmd == NULL && want_help && argc == 1 && print_group_help(argv[0]))
		return EXIT_DONE;
	if (cmd == NULL)
		return unknown_command(argc, argv);
	if (want_help)
	{
		print_command_help(cmd);
		return EXIT_DONE;
	}
	/* options of other commands are mistakes, say so */
	for (i = 0; i < N_OPTION_DEFS; i++)
		if (given[i] && !option_defs[i].global && !command_accepts(cmd, option_defs[i].name))
			return usage_error("option \"--%s\" does not apply to \"%s\"", option_defs[i].name, cmd->name);

	/* a mysql:// URI only where a command takes one (and never echoed with its password) */
	{
		const char *const names[3] = {"-d", "--from", "--to"};
		const char *const vals[3] = {opts.dbname, opts.from, opts.to};

		for (i = 0; i < 3; i++)
			if (mysql_is_uri(vals[i]) && !mysql_uri_accepted(cmd, names[i]))
			{
				char	   *m = mysql_mask_uri(vals[i]);

				rc = usage_error("%s %s names a MySQL server, which \"%s\" does not take", names[i], m, cmd->name);
				fprintf(stderr, "dbchange: hint: MySQL targets take changes submitted with --dialect mysql to a "
						"PostgreSQL control database: dbchange promote --from CONTROL --to mysql://...; "
						"dbchange drift -d mysql://... --control CONTROL (docs/mysql.md).\n");
				free(m);
				return rc;
			}
	}

	dbc_install_signal_handlers();
	rc = cmd->handler(cmd, argc - nwords, argv + nwords);
	fflush(stdout);
	return rc;
}
