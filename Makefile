# dateline — the build. Driven by ./build.sh, which writes build/config.mk from
# plugin.json (names and paths live there, not here) and then calls `make`.
#
# build.sh also writes build/generated/dateline_version.h (DL_NAME, DL_VERSION)
# from plugin.json, only when they change.
#
# Three families of objects, all under build/ so the source tree stays clean:
#   build/release/  optimised objects for the parser .so, libdateline and the CLI
#
# The sources are split by layer: plugin/src/core/ is libdateline (the model,
# diff, history, blame, JSON); plugin/src/cli/ and plugin/src/lsp/ are the two
# front ends built on it, archived together as libdateline-frontends.a.
#   build/check/    the same sources with AddressSanitizer + UBSan, for the tests
#   build/check/test-<module>  one Criterion binary per tests/<module>/ folder

include build/config.mk

CC      ?= cc
WARN    := -Wall -Wextra -Werror
STD     := -std=c11 -D_POSIX_C_SOURCE=200809L
DEPS    := libgit2 tree-sitter jansson zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(DEPS))
PKG_LIBS   := $(shell pkg-config --libs $(DEPS))

RELEASE_FLAGS := -O2 -g -fPIC
CHECK_FLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                 -fno-sanitize-recover=undefined

GRAMMAR_SRC := $(GRAMMAR_DIR)/src
INCLUDES    := -Iplugin/include -Ibuild/generated -I$(GRAMMAR_SRC)

# The generated parser.c is tree-sitter's code, not ours: it is built with the
# same standard but without -Werror, so a CLI upgrade cannot break the build.
PARSER_SOURCES := $(GRAMMAR_SRC)/parser.c $(GRAMMAR_SRC)/scanner.c
CORE_SOURCES     := $(wildcard plugin/src/core/*.c)
FRONTEND_SOURCES := $(filter-out plugin/src/cli/main.c,$(wildcard plugin/src/cli/*.c plugin/src/lsp/*.c))
TEST_MODULES   := $(notdir $(patsubst %/,%,$(dir $(wildcard tests/*/*.c))))
TEST_MODULES   := $(filter-out fuzz support,$(sort $(TEST_MODULES)))

release_obj = $(patsubst %.c,build/release/%.o,$(1))
check_obj   = $(patsubst %.c,build/check/%.o,$(1))

QUERY_FILES := $(patsubst $(GRAMMAR_DIR)/queries/%,$(QUERIES_DIR)/%,$(wildcard $(GRAMMAR_DIR)/queries/*.scm))

.PHONY: all tests
all: $(PARSER_SO) $(QUERY_FILES) $(CLI_BIN)
tests: $(foreach m,$(TEST_MODULES),build/check/test-$(m))

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

$(CLI_BIN): build/release/plugin/src/cli/main.o build/release/libdateline-frontends.a \
            build/release/libdateline.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(PKG_LIBS) -lpthread

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
