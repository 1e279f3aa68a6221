# dateline — the build. `make` works on its own once the dependencies are
# installed (./build.sh deps); ./build.sh build just calls it.
#
# Names and paths come from plugin.json, the one place they are written:
# make reads them with jq, and generates build/generated/dateline_version.h
# (DL_NAME, DL_VERSION) from it.
#
# Three families of objects, all under build/ so the source tree stays clean:
#   build/release/  optimised objects for the parser .so, libdateline and the CLI
#   build/check/    the same sources with AddressSanitizer + UBSan, for the tests
#   build/check/test-<module>  one Criterion binary per tests/<module>/ folder
#   build/clang/    every C source compiled by clang (`make portable-check`),
#                   to keep the code portable beyond the compiler we ship with
#
# The sources are split by layer: plugin/src/core/ is libdateline (the model,
# diff, history, blame, JSON); plugin/src/cli/ and plugin/src/lsp/ are the two
# front ends built on it, archived together as libdateline-frontends.a.

MANIFEST := plugin.json
ifeq ($(shell command -v jq),)
$(error jq is needed to read $(MANIFEST); run ./build.sh deps)
endif
# One jq run for every name; `make NAME=...` on the command line still wins.
MANIFEST_FIELDS := $(shell jq -r '[.name, .version, .grammar.path, .artifacts.parser, \
    .artifacts.queries, .artifacts.cli, .artifacts.serve, .artifacts.history] \
    | map(tostring) | join(" ")' $(MANIFEST))
ifneq ($(words $(MANIFEST_FIELDS)),8)
$(error $(MANIFEST) must name name, version, grammar.path and artifacts parser, queries, cli, serve, history (without spaces))
endif
NAME        := $(word 1,$(MANIFEST_FIELDS))
VERSION     := $(word 2,$(MANIFEST_FIELDS))
GRAMMAR_DIR := $(word 3,$(MANIFEST_FIELDS))
PARSER_SO   := $(word 4,$(MANIFEST_FIELDS))
QUERIES_DIR := $(word 5,$(MANIFEST_FIELDS))
CLI_BIN     := $(word 6,$(MANIFEST_FIELDS))
SERVE_BIN   := $(word 7,$(MANIFEST_FIELDS))
HISTORY_BIN := $(word 8,$(MANIFEST_FIELDS))
VERSION_H   := build/generated/dateline_version.h

CC      ?= cc
WARN    := -Wall -Wextra -Werror
STD     := -std=c11 -D_POSIX_C_SOURCE=200809L
# `dateline` is three programs (plugin/src/cli/cli_commands.h), so that
# each command loads only the libraries it needs: `dateline` runs the
# article commands on tree-sitter and jansson alone; dateline-history, which
# it runs for the history commands, adds libgit2, whose twenty libraries
# cost 2 ms of loading before main; dateline-serve adds libmicrohttpd
# (GnuTLS and ten more, 2.5 ms), which only the web server needs.
CLI_DEPS     := tree-sitter jansson
HISTORY_DEPS := $(CLI_DEPS) libgit2 zlib
DEPS         := $(HISTORY_DEPS) libmicrohttpd
PKG_CFLAGS   := $(shell pkg-config --cflags $(DEPS))
PKG_LIBS     := $(shell pkg-config --libs $(DEPS))
CLI_LIBS     := $(shell pkg-config --libs $(CLI_DEPS))
HISTORY_LIBS := $(shell pkg-config --libs $(HISTORY_DEPS))

RELEASE_FLAGS := -O2 -g -fPIC
CHECK_FLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                 -fno-sanitize-recover=undefined

GRAMMAR_SRC := $(GRAMMAR_DIR)/src
INCLUDES    := -Iplugin/include -Ibuild/generated -I$(GRAMMAR_SRC)

# The generated parser.c is tree-sitter's code, not ours: it is built with the
# same standard but without -Werror, so a CLI upgrade cannot break the build.
PARSER_SOURCES := $(GRAMMAR_SRC)/parser.c $(GRAMMAR_SRC)/scanner.c
CORE_SOURCES     := $(wildcard plugin/src/core/*.c)
MAIN_SOURCES     := plugin/src/cli/main.c plugin/src/cli/history_main.c plugin/src/cli/serve_main.c
FRONTEND_SOURCES := $(filter-out $(MAIN_SOURCES),$(wildcard plugin/src/cli/*.c plugin/src/lsp/*.c))
# The web views' page (plugin/web/) is compiled in: tools/embed.c writes it
# out as C arrays (web_assets.h names them), a front-end source like the others.
WEB_ASSETS   := $(sort $(wildcard plugin/web/*))
WEB_ASSETS_C := build/generated/web_assets.c
FRONTEND_SOURCES += $(wildcard plugin/src/web/*.c) $(WEB_ASSETS_C)
TEST_MODULES   := $(notdir $(patsubst %/,%,$(dir $(wildcard tests/*/*.c))))
TEST_MODULES   := $(filter-out fuzz support,$(sort $(TEST_MODULES)))

release_obj = $(patsubst %.c,build/release/%.o,$(1))
check_obj   = $(patsubst %.c,build/check/%.o,$(1))

QUERY_FILES := $(patsubst $(GRAMMAR_DIR)/queries/%,$(QUERIES_DIR)/%,$(wildcard $(GRAMMAR_DIR)/queries/*.scm))

.PHONY: all tests portable-check
all: $(PARSER_SO) $(QUERY_FILES) $(CLI_BIN) $(HISTORY_BIN) $(SERVE_BIN)
tests: $(foreach m,$(TEST_MODULES),build/check/test-$(m))

# --- the generated header ---
# Written while make reads this file, and only when its text changes, so
# editing another field of the manifest recompiles nothing and `make -q`
# stays quiet.
VERSION_H_TEXT := \#define DL_NAME "$(NAME)" \#define DL_VERSION "$(VERSION)"
ifneq ($(shell cat $(VERSION_H) 2>/dev/null),$(VERSION_H_TEXT))
$(shell mkdir -p $(dir $(VERSION_H)) && \
    printf '\043define DL_NAME "%s"\n\043define DL_VERSION "%s"\n' '$(NAME)' '$(VERSION)' > $(VERSION_H))
endif

# --- the embedded web assets ---
build/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) $(STD) $(WARN) -O2 -o $@ $<
$(WEB_ASSETS_C): build/tools/embed $(WEB_ASSETS)
	@mkdir -p $(@D)
	build/tools/embed $(WEB_ASSETS) > $@.tmp && mv $@.tmp $@

# --- objects ---
build/release/$(GRAMMAR_SRC)/parser.o: $(GRAMMAR_SRC)/parser.c
	@mkdir -p $(@D)
	$(CC) $(STD) -O2 -g -fPIC -I$(GRAMMAR_SRC) -MMD -MP -c $< -o $@
build/check/$(GRAMMAR_SRC)/parser.o: $(GRAMMAR_SRC)/parser.c
	@mkdir -p $(@D)
	$(CC) $(STD) $(CHECK_FLAGS) -I$(GRAMMAR_SRC) -MMD -MP -c $< -o $@

build/release/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(STD) $(WARN) $(RELEASE_FLAGS) $(INCLUDES) $(PKG_CFLAGS) -MMD -MP -c $< -o $@
build/check/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(STD) $(WARN) $(CHECK_FLAGS) $(INCLUDES) $(PKG_CFLAGS) \
	    -DDL_SOURCE_DIR='"$(CURDIR)"' -MMD -MP -c $< -o $@

# --- the parser Neovim loads ---
$(PARSER_SO): $(call release_obj,$(PARSER_SOURCES))
	@mkdir -p $(@D)
	$(CC) -shared -o $@ $^

$(QUERIES_DIR)/%.scm: $(GRAMMAR_DIR)/queries/%.scm
	@mkdir -p $(@D)
	cp $< $@

# --- the core library and the CLI ---
build/release/libdateline.a: $(call release_obj,$(CORE_SOURCES) $(PARSER_SOURCES))
	$(AR) rcs $@ $^
build/check/libdateline.a: $(call check_obj,$(CORE_SOURCES) $(PARSER_SOURCES))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^
build/release/libdateline-frontends.a: $(call release_obj,$(FRONTEND_SOURCES))
	$(AR) rcs $@ $^
build/check/libdateline-frontends.a: $(call check_obj,$(FRONTEND_SOURCES))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# `dateline` runs the other two, so building it builds them (order-only:
# relinking one does not relink it). Its link names no libgit2: an object
# that needs it fails here, not in a user's start-up time.
$(CLI_BIN): build/release/plugin/src/cli/main.o build/release/libdateline-frontends.a \
            build/release/libdateline.a | $(HISTORY_BIN) $(SERVE_BIN)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(CLI_LIBS) -lpthread
$(HISTORY_BIN): build/release/plugin/src/cli/history_main.o build/release/libdateline-frontends.a \
                build/release/libdateline.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(HISTORY_LIBS) -lpthread
$(SERVE_BIN): build/release/plugin/src/cli/serve_main.o build/release/libdateline-frontends.a \
              build/release/libdateline.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(PKG_LIBS) -lpthread

# --- portability: clang, strict POSIX ---
# The core promises portable C11 on POSIX: every source under plugin/src is
# compiled again by clang with the same strict flags, and none may ask for
# more than POSIX with a feature macro of its own (_GNU_SOURCE and friends
# would quietly re-admit Linux-only calls). The CLI is linked too, so a
# missing definition shows here rather than on a user's machine.
CLANG          ?= clang
ALL_SOURCES    := $(sort $(shell find plugin/src -name '*.c'))
clang_obj       = $(patsubst %.c,build/clang/%.o,$(1))
NONPORTABLE_MACROS := _GNU_SOURCE|_DEFAULT_SOURCE|_BSD_SOURCE|_SVID_SOURCE

build/clang/$(GRAMMAR_SRC)/parser.o: $(GRAMMAR_SRC)/parser.c
	@mkdir -p $(@D)
	$(CLANG) $(STD) -O2 -I$(GRAMMAR_SRC) -MMD -MP -c $< -o $@
build/clang/%.o: %.c
	@mkdir -p $(@D)
	$(CLANG) $(STD) $(WARN) -O2 $(INCLUDES) $(PKG_CFLAGS) -MMD -MP -c $< -o $@
build/clang/$(NAME): $(call clang_obj,$(filter-out plugin/src/cli/history_main.c \
                                      plugin/src/cli/serve_main.c,$(ALL_SOURCES)) \
                                      $(PARSER_SOURCES) $(WEB_ASSETS_C))
	$(CLANG) -o $@ $^ $(PKG_LIBS) -lpthread

portable-check: build/clang/$(NAME) $(call clang_obj,plugin/src/cli/history_main.c \
                                          plugin/src/cli/serve_main.c)
	@if grep -nE '^[[:space:]]*#[[:space:]]*define[[:space:]]+($(NONPORTABLE_MACROS))' $(ALL_SOURCES); then \
	    echo 'portable-check: the lines above ask for non-POSIX extensions' >&2; exit 1; fi

# --- ThreadSanitizer: the language server's threads (make tsan) ---
# The whole CLI built with -fsanitize=thread, for the language server's
# request thread, history runner and watchdog; ./build.sh test --stress
# runs the server's test session on it (tests/stress/tsan_test.sh).
TSAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
tsan_obj    = $(patsubst %.c,build/tsan/%.o,$(1))
build/tsan/$(GRAMMAR_SRC)/parser.o: $(GRAMMAR_SRC)/parser.c
	@mkdir -p $(@D)
	$(CC) $(STD) $(TSAN_FLAGS) -I$(GRAMMAR_SRC) -MMD -MP -c $< -o $@
build/tsan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(STD) $(WARN) $(TSAN_FLAGS) $(INCLUDES) $(PKG_CFLAGS) -MMD -MP -c $< -o $@
# dateline-history's main: the server runs in this one program.
build/tsan/$(NAME): $(call tsan_obj,plugin/src/cli/history_main.c $(FRONTEND_SOURCES) \
                                    $(CORE_SOURCES) $(PARSER_SOURCES))
	$(CC) -fsanitize=thread -o $@ $^ $(PKG_LIBS) -lpthread

.PHONY: tsan
tsan: build/tsan/$(NAME)

# --- Criterion suites, one binary per tests/<module>/ ---
# tests/support/ is an archive, so a suite links only the helpers it uses
# (the fuzz replay helper needs a fuzz target that most suites lack).
TEST_SUPPORT_SOURCES := $(wildcard tests/support/*.c)
build/check/libtestsupport.a: $(call check_obj,$(TEST_SUPPORT_SOURCES))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

.SECONDEXPANSION:
build/check/test-%: $$(call check_obj,$$(wildcard tests/$$*/*.c)) build/check/libtestsupport.a \
                    build/check/libdateline-frontends.a build/check/libdateline.a
	$(CC) $(CHECK_FLAGS) -o $@ $^ $(PKG_LIBS) -lcriterion -lpthread

-include $(shell find build -name '*.d' 2>/dev/null)
