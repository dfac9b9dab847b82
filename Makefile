# dbchange — PGXS build of the extension (dbchange.so) and the CLI (cli/dbchange).
#
#   make                 build both
#   make install         install the extension into PostgreSQL and the CLI into $(PREFIX)/bin
#   make installcheck    pg_regress suite in regress/ against a running server (PGHOST/PGPORT)
#   make test            everything: bash regress/run-all.sh (starts its own servers)
#
# The version lives in dbchange.control only; the install script sql/dbchange--$(EXTVERSION).sql
# is generated from the pieces in sql/src/ (one file per area, applied in name order).

EXTENSION = dbchange
EXTVERSION := $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" dbchange.control)

MODULE_big = dbchange
EXT_SRCS := $(sort $(wildcard extension/*.c))
OBJS = $(EXT_SRCS:.c=.o)

SQL_SRCS := $(sort $(wildcard sql/src/*.sql))
DATA_built = sql/dbchange--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard sql/dbchange--*--*.sql))

REGRESS_TESTS := $(basename $(notdir $(sort $(wildcard regress/sql/*.sql))))
REGRESS = $(REGRESS_TESTS)
REGRESS_OPTS = --inputdir=regress --outputdir=regress

LUA_CFLAGS := $(shell pkg-config --cflags lua5.4 2>/dev/null || echo -I/usr/include/lua5.4)
LUA_LIBS := $(shell pkg-config --libs lua5.4 2>/dev/null || echo -llua5.4)

PG_CPPFLAGS = -Iextension $(LUA_CFLAGS)
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare
SHLIB_LINK = $(LUA_LIBS)

EXTRA_CLEAN = $(DATA_built) cli/dbchange cli/*.o regress/results regress/regression.diffs regress/regression.out

PG_CONFIG ?= pg_config
# No LLVM bitcode: JIT inlining of the gate buys nothing and doubles build time.
override with_llvm := no
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Every object depends on every header of the extension: a changed struct
# (policy_lua.h's DbcLuaPolicy, say) must rebuild all its users, or they read
# it at the old offsets.  Headers change rarely; a full rebuild is seconds.
$(OBJS): $(wildcard extension/*.h)

$(DATA_built): $(SQL_SRCS) dbchange.control
	cat $(SQL_SRCS) > $@

# ---- the CLI -------------------------------------------------------------------------------
PREFIX ?= /usr/local
CLI_SRCS := $(sort $(wildcard cli/*.c))
CLI_OBJS := $(CLI_SRCS:.c=.o)
CLI_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers \
	-I$(shell $(PG_CONFIG) --includedir) -Icli -Iextension/shared \
	$(shell mariadb_config --cflags 2>/dev/null) -DDBCHANGE_VERSION='"$(EXTVERSION)"'
CLI_LIBS = -L$(shell $(PG_CONFIG) --libdir) -lpq $(shell mariadb_config --libs 2>/dev/null)

all: cli/dbchange

cli/%.o: cli/%.c $(wildcard cli/*.h)
	$(CC) $(CLI_CFLAGS) -c -o $@ $<

cli/dbchange: $(CLI_OBJS)
	$(if $(CLI_OBJS),$(CC) -o $@ $(CLI_OBJS) $(CLI_LIBS),@echo "no CLI sources yet")

install: install-cli
install-cli: cli/dbchange
	@if [ -f cli/dbchange ]; then $(MKDIR_P) '$(DESTDIR)$(PREFIX)/bin' && $(INSTALL_PROGRAM) cli/dbchange '$(DESTDIR)$(PREFIX)/bin/dbchange'; fi

test:
	bash regress/run-all.sh

.PHONY: install-cli test
