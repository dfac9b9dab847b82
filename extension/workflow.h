/*-------------------------------------------------------------------------
 *
 * workflow.h
 *	  Interfaces between the workflow parts of dbchange.so:
 *	  apply.c	running approved changes (apply/approve, top-level authorisation)
 *	  submit.c	submit() and submit_promoted()
 *	  gate.c	calls dbc_toplevel_wants()/dbc_toplevel_run() for statements the
 *				CLI runs at top level under dbchange.authorize_toplevel()
 *
 *-------------------------------------------------------------------------
 */
#ifndef DBCHANGE_WORKFLOW_H
#define DBCHANGE_WORKFLOW_H

#include "postgres.h"
#include "nodes/plannodes.h"
#include "tcop/utility.h"
#include "utils/jsonb.h"

/* A change holds a statement that must run at top level (apply() refuses it). */
#define ERRCODE_DBCHANGE_TOPLEVEL	MAKE_SQLSTATE('Z','C','0','0','6')

/* Run fn(arg) as the owner of dbchange's tables, search_path pg_catalog, pg_temp. */
extern void dbc_wf_as_owner(void (*fn) (void *arg), void *arg);

/* Store a change record (the jsonb dbchange._record takes) as the catalog owner. */
extern int64 dbc_wf_record(Jsonb *record);

/* Run a query returning one text column/row as the catalog owner ($1 bigint). */
extern char *dbc_wf_query_text(const char *sql, int64 arg);

/* Top-level authorisation (apply.c), consulted by the gate's hook. */
extern bool dbc_toplevel_wants(PlannedStmt *pstmt, const char *queryString,
							   ProcessUtilityContext context);
extern void dbc_toplevel_run(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
							 ProcessUtilityContext context, ParamListInfo params,
							 QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc);

/* gate.c: run a statement through the rest of the ProcessUtility chain. */
extern void dbc_gate_call_prev(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
							   ProcessUtilityContext context, ParamListInfo params,
							   QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc);

#endif							/* DBCHANGE_WORKFLOW_H */
