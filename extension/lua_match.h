/*-------------------------------------------------------------------------
 *
 * lua_match.h
 *	  Lua's pattern functions with a counted matcher (lua_match.c).
 *
 * Plain C and Lua only (no PostgreSQL headers), so that the differential
 * test regress/tests/lua_match.sh can link lua_match.c on its own.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DBC_LUA_MATCH_H
#define DBC_LUA_MATCH_H

#include <lua.h>

/*
 * Called with the matcher's steps since its last report, at least every
 * DBC_MATCH_CHARGE_EVERY steps and once at the end of every call.  It may
 * raise a Lua error (lua_error/luaL_error) to stop the match: the matcher
 * holds no resources outside the Lua stack.
 */
typedef void (*dbc_match_charge_fn) (lua_State *L, long steps);

#define DBC_MATCH_CHARGE_EVERY 1024

/*
 * Set find, match, gmatch and gsub of the table at index lib (a string
 * library table) to the counted versions, which report to charge.
 */
extern void dbc_match_register(lua_State *L, int lib, dbc_match_charge_fn charge);

#endif							/* DBC_LUA_MATCH_H */
