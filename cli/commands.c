/*-------------------------------------------------------------------------
 *
 * commands.c
 *	  The command table.
 *
 * To add a command: write its handler in cli/cmd_<name>.c, declare it in
 * cli.h, and add one line here (name, handler, arguments, one-line help, the
 * command options it accepts by long name).  --help lists the commands in
 * this order.  Multi-word names ("policy push") are matched word by word.
 *
 *-------------------------------------------------------------------------
 */
#include "cli.h"

const DbcCommand dbc_commands[] = {
	{"status", cmd_status, "", "environment, changes by status, what waits for whom", ""},
	{"pending", cmd_pending, "", "changes waiting for approval or apply", ""},
	{"show", cmd_show, "ID", "one change: statements, decisions, reasons, approvals, audit events", ""},
	{"history", cmd_history, "[--limit N]", "recent changes, newest first", "limit"},
	{"approve", cmd_approve, "ID [-m COMMENT]", "approve the step a change waits for", "message"},
	{"reject", cmd_reject, "ID -m REASON", "reject a change (final)", "message"},
	{"apply", cmd_apply, "ID", "apply an approved change (also statements that cannot run in a transaction)", ""},
	{"submit", cmd_submit, "FILE [--down FILE] [-m DESCRIPTION]", "submit a script as one change (exit 0 applied, 3 queued, 4 rejected)", "message,down,dialect"},
	{"deploy", cmd_deploy, "DIR [--dry-run]", "apply the versioned migrations of a folder that are not applied yet", "dry-run"},
	{"promote", cmd_promote, "--from A --to B [--dry-run]", "submit the changes applied in one environment to the next (--to mysql://...: deploy approved MySQL changes)", "from,to,dry-run"},
	{"rollback", cmd_rollback, "ID", "submit an applied change's down script as a new change (exit 0 applied, 3 queued, 4 rejected)", ""},
	{"verify-rollback", cmd_verify_rollback, "ID | FILE [--down FILE]", "check that a down script reverts everything (rolled back, nothing changes)", "down"},
	{"drift", cmd_drift, "[-d mysql://... --control CONTROL]", "differences between the schema and what its applied changes produced (or a MySQL target's)", "control"},
	{"diff", cmd_diff, "--from A --to B", "compare the schemas of two PostgreSQL environments", "from,to"},
	{"mysql-resolve", cmd_mysql_resolve, "ID --retry|--mark-applied -d CONTROL --to mysql://...", "resolve a MySQL change whose deployment failed", "retry,mark-applied,to"},
	{"policy push", cmd_policy_push, "DIR", "install every *.lua policy of a folder (all or nothing)", ""},
	{"policy test", cmd_policy_test, "DIR", "run the policies' own tests without installing them", ""},
	{"metrics", cmd_metrics, "", "DORA figures per environment", ""},
	{"audit-verify", cmd_audit_verify, "[--state FILE]", "check the hash-chained audit trail (--state: only what is new since the last check)", "state"},
	{NULL, NULL, NULL, NULL, NULL}
};
