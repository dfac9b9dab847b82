/*-------------------------------------------------------------------------
 *
 * policy.c
 *	  The decision for one statement.
 *
 * Combination rule (DESIGN.md): reject beats queue beats approve; the risk
 * is the highest any policy gave; every reason is kept.  When no policy has
 * an opinion the environment's default_action applies.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "dbchange.h"

static const char *const action_names[] = {"approve", "queue", "reject"};
static const char *const risk_names[] = {"none", "low", "moderate", "high", "critical"};

const char *
dbc_action_name(DbcAction a)
{
	return action_names[a];
}

const char *
dbc_risk_name(DbcRisk r)
{
	return risk_names[r];
}

DbcRisk
dbc_risk_from_name(const char *name)
{
	int			i;

	for (i = 0; i < lengthof(risk_names); i++)
		if (strcmp(name, risk_names[i]) == 0)
			return (DbcRisk) i;
	return (DbcRisk) -1;
}

void
dbc_combine(DbcDecision *into, const DbcDecision *d)
{
	if (d->action > into->action)
		into->action = d->action;
	if (d->risk > into->risk)
		into->risk = d->risk;
	into->reasons = list_concat(into->reasons, d->reasons);
	into->policies = list_concat(into->policies, d->policies);
	if (d->flow && !into->flow)
		into->flow = d->flow;
}

void
dbc_policy_init(void)
{
}

void
dbc_decide(Jsonb *facts, const DbcSettings *s, DbcDecision *out)
{
	memset(out, 0, sizeof(*out));
	out->action = s->default_action;
	out->risk = DBC_RISK_NONE;
	out->by_default = true;
	out->reasons = list_make1(psprintf("default: no policy has an opinion; the %s environment's default action is %s",
									   s->environment, dbc_action_name(s->default_action)));
}
