#!/usr/bin/env bash
# lua_match.sh -- the sandbox's counted pattern matcher (extension/lua_match.c)
# against Lua 5.4's own string library: fixed and random cases must give the
# same results and errors, and backtracking patterns must be stopped by the
# budget.  Builds lua_match_diff.c with the matcher; needs no server.
# LUA_MATCH_CASES sets the number of random cases (30000).
set -u
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
LUA_CFLAGS=$(pkg-config --cflags lua5.4 2>/dev/null || echo -I/usr/include/lua5.4)
LUA_LIBS=$(pkg-config --libs lua5.4 2>/dev/null || echo -llua5.4)
if ! gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror ${LUA_MATCH_CFLAGS:-} -Iextension $LUA_CFLAGS \
	-o "$work/lua_match_diff" regress/tests/lua_match_diff.c extension/lua_match.c $LUA_LIBS; then
	echo "not ok - building regress/tests/lua_match_diff.c"
	echo "# lua_match: 0 passed, 1 failed"
	exit 1
fi
"$work/lua_match_diff" "${LUA_MATCH_CASES:-30000}"
