#!/usr/bin/env bash
# dateline — the one entry point: set up, build, test, install, demo, bench.
#
# Everything the project needs is installed or fetched here, so a fresh machine
# with git and bash goes from clone to green tests with `./build.sh test`.
# Names and paths come from plugin.json; this script does not repeat them.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${DATELINE_CACHE:-$ROOT/.cache}
MANIFEST=$ROOT/plugin.json

usage() {
    cat <<'EOF'
usage: ./build.sh <command> [args]

Commands:
  deps          install missing system packages (apt-get, through sudo when not root),
                fetch Debian 13's tree-sitter CLI and Neovim if the system's do not fit,
                and the test's npm packages into the cache
  build         compile the parser, queries, core library and the dateline CLI
                (incremental; installs nothing, says what is missing)
  test          deps + build, then every test suite; ends with "N passed, N failed"
  test --stress every test suite, then the slow checks too (about 2 min more): peak
                memory of a 10 MB rewrite and a one-word change to 100 MB, 200
                snapshot writers killed at random moments then fsck and later
                snapshots, a generated 200,000-version store through fsck and
                dateline's reading, the server's session under ThreadSanitizer;
                one closing line for all
  install       build, then install the CLI into $PREFIX/bin (default ~/.local/bin)
                and link the Neovim plugin
  uninstall     remove exactly what install put in place
  demo [FILE]   deps + build, then open a copy of FILE (default: the example article) in Neovim,
                with its history in a temporary store; both are removed on exit
  bench [--full]
                run the benchmarks and print their figures (--full adds
                10,000 saves and the newsroom-scale store, minutes more)
  fuzz [TARGET] [SECS]  run a fuzzer: parser (default) or lsp, for SECS (default 60);
                crashing inputs are kept under tests/fuzz/TARGET/crashers
  help          show this help

Environment: PREFIX (install root), DATELINE_CACHE (default ./.cache),
DATELINE_DEBIAN_MIRROR (Debian archive for fetching Debian 13 tools).
EOF
}

say() { printf '%s\n' "$*" >&2; }
die() { say "build.sh: $*"; exit 1; }

manifest() { jq -er "$1" "$MANIFEST"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ---------------------------------------------------------------- deps ----

# "command:package" — a need is met when the command exists, whatever
# installed it (the system may have Node.js from elsewhere, for instance).
COMMAND_NEEDS=(cc:gcc make:make pkg-config:pkg-config git:git node:nodejs
    npm:npm jq:jq clang:clang tmux:tmux valgrind:valgrind
    patchelf:patchelf chromium:chromium)
# tools/screenshot.sh renders the docs' screenshots with rsvg-convert.
COMMAND_NEEDS+=(rsvg-convert:librsvg2-bin)
LIBRARY_PACKAGES=(libgit2-dev libtree-sitter-dev libcriterion-dev libjansson-dev zlib1g-dev libmicrohttpd-dev)
# The editors whose configurations docs/editors.md gives, driven for real by
# tests/editors (packages, not commands: Vim's ALE and Emacs's eglot have none).
EDITOR_PACKAGES=(emacs-nox elpa-eglot elpa-lsp-mode vim vim-ale)

missing_packages() {
    local need
    for need in "${COMMAND_NEEDS[@]}"; do
        command -v "${need%%:*}" >/dev/null 2>&1 || printf '%s\n' "${need#*:}"
    done
    local package
    for package in "${LIBRARY_PACKAGES[@]}" "${EDITOR_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null |
            grep -q 'install ok installed' || printf '%s\n' "$package"
    done
}

install_system_packages() {
    local missing
    missing=$(missing_packages | tr '\n' ' ')
    [ -z "${missing// /}" ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        die "this system has no apt-get; install these packages (Debian names) and run again: $missing"
    fi
    if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
        die "not root and no sudo; as root run: apt-get install $missing"
    fi
    say "Installing: $missing"
    as_root apt-get update -q
    # shellcheck disable=SC2086 # the list is meant to split into words
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
}

version_at_least() { # version_at_least HAVE WANT
    [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# The committed parser.c must be what `tree-sitter generate` makes, and each
# CLI minor release generates different code: only the pinned one will do.
system_tree_sitter_fits() {
    local want have
    want=$(manifest .grammar.tree_sitter_cli)
    PATH=$SYSTEM_PATH command -v tree-sitter >/dev/null 2>&1 || return 1
    have=$(PATH=$SYSTEM_PATH tree-sitter --version 2>/dev/null | awk '{print $2}')
    [[ "$have" == "$want" || "$have" == "$want".* ]]
}

system_nvim_fits() {
    local have
    PATH=$SYSTEM_PATH command -v nvim >/dev/null 2>&1 || return 1
    have=$(PATH=$SYSTEM_PATH nvim --version 2>/dev/null | head -n1 | sed -n 's/^NVIM v\([0-9.]*\).*/\1/p')
    version_at_least "${have:-0}" "$(manifest .neovim.minimum)"
}

# When the system has no fitting tree-sitter CLI or Neovim, Debian 13's are
# fetched into the cache and put on PATH through wrappers in $CACHE/bin.
provide_tools() {
    local system_tree_sitter=1 system_nvim=1
    system_tree_sitter_fits || system_tree_sitter=0
    system_nvim_fits || system_nvim=0
    # A wrapper is only kept while the system's own tool does not fit.
    [ "$system_tree_sitter" -eq 0 ] || rm -f "$CACHE/bin/tree-sitter"
    [ "$system_nvim" -eq 0 ] || rm -f "$CACHE/bin/nvim"
    local tools=()
    [ "$system_tree_sitter" -eq 1 ] || tools+=(tree-sitter)
    [ "$system_nvim" -eq 1 ] || tools+=(nvim)
    [ ${#tools[@]} -eq 0 ] && return 0
    "$ROOT/tools/debian13.sh" "$CACHE" "${tools[@]}" ||
        die "no tree-sitter $(manifest .grammar.tree_sitter_cli) CLI or Neovim >= $(manifest .neovim.minimum) available (see above)"
}

# The language server's protocol tests talk to it through an independent,
# widely used client library, installed from npm into the cache.
# The report's browser tests (tests/web) drive Debian's Chromium with
# puppeteer-core (no browser download) and check accessibility with axe-core.
NODE_TEST_PACKAGES=(vscode-jsonrpc@8.2.0 vscode-languageserver-protocol@3.17.5
    puppeteer-core@24.43.1 axe-core@4.10.3)

provide_node_packages() {
    local dir=$CACHE/node
    local stamp
    stamp="$dir/.complete-$(printf '%s\n' "${NODE_TEST_PACKAGES[@]}" | cksum | cut -d' ' -f1)"
    [ -f "$stamp" ] && return 0
    say "Installing ${NODE_TEST_PACKAGES[*]} into $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    npm install --silent --no-audit --no-fund --prefix "$dir" "${NODE_TEST_PACKAGES[@]}" >/dev/null ||
        die "could not install ${NODE_TEST_PACKAGES[*]} from the npm registry"
    touch "$stamp"
}

cmd_deps() {
    install_system_packages
    provide_tools
    provide_node_packages
    say "deps: ready (tree-sitter $(tree-sitter --version | awk '{print $2}'), $(nvim --version | head -n1))"
}

# --------------------------------------------------------------- build ----

# What `build` needs, checked without installing anything: a plugin manager
# or a script may run `./build.sh build`, and it must never reach for apt-get,
# sudo or npm. Installing is `./build.sh deps`.
BUILD_COMMANDS=(cc make pkg-config jq nvim)
BUILD_LIBRARIES=(libgit2 tree-sitter jansson zlib libmicrohttpd)

require_build_tools() {
    local missing=() need
    for need in "${BUILD_COMMANDS[@]}"; do
        command -v "$need" >/dev/null 2>&1 || missing+=("$need")
    done
    if command -v pkg-config >/dev/null 2>&1; then
        for need in "${BUILD_LIBRARIES[@]}"; do
            pkg-config --exists "$need" 2>/dev/null || missing+=("the $need library (pkg-config $need)")
        done
    fi
    [ ${#missing[@]} -eq 0 ] && return 0
    local list
    list=$(printf '%s, ' "${missing[@]}")
    die "cannot build: missing ${list%, }; run ./build.sh deps to install them"
}

make_targets() {
    make -C "$ROOT" --no-print-directory -j"$(nproc)" "$@"
}

cmd_build() {
    make_targets all
    build_helptags
}

# Help tags are generated, not committed: regenerate them when a help file
# is newer than the tags file (or there is none yet).
build_helptags() {
    local doc
    doc=$ROOT/$(manifest .runtime)/doc
    [ -d "$doc" ] || return 0
    if [ -f "$doc/tags" ] && [ -z "$(find "$doc" -name '*.txt' -newer "$doc/tags" | head -n1)" ]; then
        return 0
    fi
    nvim --clean --headless -c "helptags $doc" -c 'qa!' >/dev/null 2>&1 ||
        die "could not generate help tags in $doc"
}

# ---------------------------------------------------------------- test ----

PASSED=0
FAILED=0
SKIPPED=0

# Skipped tests are the ones that need the project's shared data (the
# reference article, the corpus) on a machine that does not have it.
record() { # record PASSED FAILED SUITE [SKIPPED]
    local skipped=${4:-0}
    PASSED=$((PASSED + $1))
    FAILED=$((FAILED + $2))
    SKIPPED=$((SKIPPED + skipped))
    if [ "$skipped" -gt 0 ]; then
        printf '== %s: %d passed, %d failed, %d skipped\n' "$3" "$1" "$2" "$skipped"
    else
        printf '== %s: %d passed, %d failed\n' "$3" "$1" "$2"
    fi
}

# The committed generated files must be exactly what the grammar produces.
test_generated_parser_is_current() {
    local grammar=$ROOT/$(manifest .grammar.path)
    local scratch
    scratch=$(mktemp -d)
    cp -r "$grammar/." "$scratch/"
    (cd "$scratch" && tree-sitter generate --no-bindings >/dev/null 2>&1) || {
        rm -rf "$scratch"
        say "tree-sitter generate failed on $grammar/grammar.js"
        record 0 1 "generated parser"
        return
    }
    local file stale=()
    for file in parser.c grammar.json node-types.json; do
        cmp -s "$scratch/src/$file" "$grammar/src/$file" || stale+=("$file")
    done
    rm -rf "$scratch"
    if [ ${#stale[@]} -eq 0 ]; then
        record 1 0 "generated parser"
    else
        say "grammar/src is stale (${stale[*]}): run 'tree-sitter generate' in grammar/ and commit"
        record 0 1 "generated parser"
    fi
}

test_tree_sitter_corpus() {
    local log
    log=$(mktemp)
    local status=0
    # tree-sitter compiles the grammar into one library per user
    # (~/.cache/tree-sitter/lib/article.so) and reuses it when it looks
    # newer than the sources: another checkout's build would be tested in
    # place of this one. Each checkout gets its own.
    (cd "$ROOT/$(manifest .grammar.path)" &&
        TREE_SITTER_LIBDIR=$ROOT/build/tree-sitter tree-sitter test) >"$log" 2>&1 || status=$?
    cat "$log"
    local passed failed
    passed=$(grep -c '✓' "$log" || true)
    failed=$(grep -c '✗' "$log" || true)
    rm -f "$log"
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
    if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
    record "$passed" "$failed" "tree-sitter corpus and highlight tests"
}

# The release build above is gcc's; the core must also build with clang,
# with the same strict C11/POSIX flags and no feature macro asking for more.
test_portable_build() {
    local log status=0
    log=$(mktemp)
    make_targets portable-check >"$log" 2>&1 || status=$?
    grep -v '^clang ' "$log" || true
    rm -f "$log"
    if [ "$status" -eq 0 ]; then
        record 1 0 "core builds with clang, strict POSIX"
    else
        record 0 1 "core builds with clang, strict POSIX"
    fi
}

test_criterion_suites() {
    if ! make_targets -k tests; then
        record 0 1 "building the Criterion suites"
    fi
    local suite
    for suite in "$ROOT"/build/check/test-*; do
        [ -x "$suite" ] || continue
        local log status=0
        log=$(mktemp)
        (cd "$ROOT" && timeout --kill-after=10 "$SUITE_TIMEOUT" "$suite" -j2) >"$log" 2>&1 || status=$?
        cat "$log"
        local synthesis passed=0 failed=1 skipped=0
        synthesis=$(grep 'Synthesis:' "$log" | tail -n1 || true)
        if [ -n "$synthesis" ]; then
            passed=$(sed -n 's/.*Passing: \([0-9]*\).*/\1/p' <<<"$synthesis")
            failed=$(sed -n 's/.*Failing: \([0-9]*\).*Crashing: \([0-9]*\).*/\1 + \2/p' <<<"$synthesis")
            failed=$((failed))
            # Criterion leaves skipped tests out of "Tested"; --list has them all.
            local tested registered
            tested=$(sed -n 's/.*Tested: \([0-9]*\).*/\1/p' <<<"$synthesis")
            registered=$("$suite" --list 2>/dev/null | sed -n 's/^[^ ]*: \([0-9]*\) tests\{0,1\}$/\1/p' |
                awk '{ n += $1 } END { print n + 0 }')
            [ "$registered" -le "$tested" ] || skipped=$((registered - tested))
        fi
        if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
        rm -f "$log"
        record "$passed" "$failed" "criterion ${suite##*/test-}" "$skipped"
    done
}

# TAP suites (headless Neovim, node and shell end-to-end tests) print
# "ok"/"not ok" lines and end with a plan; a suite that dies before its plan
# fails, and so does one still running after SUITE_TIMEOUT seconds.
SUITE_TIMEOUT=${DATELINE_SUITE_TIMEOUT:-600}

run_tap_suite() { # run_tap_suite NAME COMMAND...
    local name=$1
    shift
    local log errors status=0
    log=$(mktemp)
    errors=$(mktemp)
    # TAP is read from stdout alone: messages on stderr (an editor's notices
    # have no trailing newline) must not swallow an "ok" line.
    timeout --kill-after=10 "$SUITE_TIMEOUT" "$@" </dev/null >"$log" 2>"$errors" || status=$?
    [ "$status" -ne 124 ] || say "$name: still running after ${SUITE_TIMEOUT}s, stopped"
    cat "$log"
    if [ -s "$errors" ]; then
        sed 's/^/# stderr: /' "$errors"
        echo
    fi
    rm -f "$errors"
    local passed failed skipped
    skipped=$(grep -c '^ok .*# SKIP' "$log" || true)
    passed=$(($(grep -c '^ok ' "$log" || true) - skipped))
    failed=$(grep -c '^not ok ' "$log" || true)
    grep -q '^1\.\.[0-9]' "$log" || { say "$name: ended without its plan"; failed=$((failed + 1)); }
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
    rm -f "$log"
    record "$passed" "$failed" "$name" "$skipped"
}

test_tap_suites() {
    local spec
    for spec in "$ROOT"/tests/nvim/*_spec.lua; do
        [ -f "$spec" ] || continue
        run_tap_suite "neovim ${spec##*/}" \
            env DATELINE_ROOT="$ROOT" DATELINE_SPEC="$spec" \
            nvim --clean --headless -n -i NONE \
            --cmd "set runtimepath^=$ROOT/$(manifest .runtime)" \
            -c "luafile $ROOT/tests/nvim/harness.lua"
    done
    for spec in "$ROOT"/tests/*/*.test.mjs; do
        [ -f "$spec" ] || continue
        run_tap_suite "node ${spec#"$ROOT"/tests/}" \
            env DATELINE_ROOT="$ROOT" DATELINE_NODE_MODULES="$CACHE/node/node_modules" \
            node --test --test-reporter=tap "$spec"
    done
    for spec in "$ROOT"/tests/sh/*_test.sh; do
        [ -f "$spec" ] || continue
        run_tap_suite "shell ${spec##*/}" env DATELINE_ROOT="$ROOT" DATELINE_CACHE="$CACHE" bash "$spec"
    done
    for spec in "$ROOT"/tests/editors/*_test.sh; do
        [ -f "$spec" ] || continue
        run_tap_suite "editor ${spec##*/}" env DATELINE_ROOT="$ROOT" DATELINE_CACHE="$CACHE" bash "$spec"
    done
}

# The project's shared data (the reference article, the labelled corpus)
# lives beside the checkout in ../shared. A scratch clone made elsewhere
# (git clone . /tmp/x) finds it beside the repository it was cloned from.
locate_shared_data() {
    if [ -n "${DATELINE_SHARED:-}" ]; then
        return 0
    fi
    local origin
    origin=$(git -C "$ROOT" config --get remote.origin.url 2>/dev/null || true)
    local candidate
    for candidate in "$ROOT/../shared" ${origin:+"${origin%/}/../shared"}; do
        if [ -f "$candidate/seeds/000_8262d85f5fa5c412.txt" ]; then
            DATELINE_SHARED=$(cd "$candidate" && pwd)
            export DATELINE_SHARED
            return 0
        fi
    done
    say "warning: the shared data (../shared beside the checkout) was not found;"
    say "         tests that need the reference article are skipped (set DATELINE_SHARED)"
}

# The release CLI (-O2 -g, what users run) under valgrind memcheck: one TAP
# suite, about 20 s.
test_valgrind_suite() {
    run_tap_suite "valgrind valgrind_test.sh" \
        env DATELINE_ROOT="$ROOT" bash "$ROOT/tests/valgrind/valgrind_test.sh"
}

# The slow checks, too slow for every run (test --stress): they wait out
# the stale-lock age, write hundreds of megabytes and build with TSan.
test_stress_suites() {
    run_tap_suite "stress diff_stress.sh --check" \
        env DATELINE_ROOT="$ROOT" bash "$ROOT/bench/diff_stress.sh" --check
    local spec
    for spec in "$ROOT"/tests/stress/*_test.sh; do
        [ -f "$spec" ] || continue
        run_tap_suite "stress ${spec##*/}" env DATELINE_ROOT="$ROOT" \
            DATELINE_NODE_MODULES="$CACHE/node/node_modules" bash "$spec"
    done
}

cmd_test() {
    local stress=
    case "${1:-}" in
        "") ;;
        --stress) stress=1 ;;
        *) die "test: unknown option '$1' (only --stress)" ;;
    esac
    cmd_deps
    cmd_build
    locate_shared_data
    test_generated_parser_is_current
    test_tree_sitter_corpus
    test_portable_build
    test_criterion_suites
    test_tap_suites
    test_valgrind_suite
    # The slow checks come on top, so one closing line counts everything.
    [ -z "$stress" ] || test_stress_suites
    if [ "$SKIPPED" -gt 0 ]; then
        printf '%d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
    else
        printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
    fi
    [ "$FAILED" -eq 0 ]
}

# ------------------------------------------------------------- install ----

install_paths() {
    BIN_TARGET=${PREFIX:-$HOME/.local}/$(manifest .install.cli)
    # dateline runs these programs from its own folder: the history commands
    # and the web server.
    HISTORY_TARGET=${PREFIX:-$HOME/.local}/$(manifest .install.history)
    SERVE_TARGET=${PREFIX:-$HOME/.local}/$(manifest .install.serve)
    PACKAGE_LINK=${XDG_DATA_HOME:-$HOME/.local/share}/nvim/$(manifest .install.package)
    RUNTIME_DIR=$ROOT/$(manifest .runtime)
}

cmd_install() {
    cmd_build
    install_paths
    mkdir -p "$(dirname "$BIN_TARGET")" "$(dirname "$PACKAGE_LINK")"
    install -m 0755 "$ROOT/$(manifest .artifacts.cli)" "$BIN_TARGET"
    install -m 0755 "$ROOT/$(manifest .artifacts.history)" "$HISTORY_TARGET"
    install -m 0755 "$ROOT/$(manifest .artifacts.serve)" "$SERVE_TARGET"
    say "installed $BIN_TARGET, $HISTORY_TARGET and $SERVE_TARGET"
    if [ -e "$PACKAGE_LINK" ] && [ ! -L "$PACKAGE_LINK" ]; then
        die "$PACKAGE_LINK exists and is not a link made by build.sh; move it away and run again"
    fi
    ln -sfn "$RUNTIME_DIR" "$PACKAGE_LINK"
    say "linked $PACKAGE_LINK -> $RUNTIME_DIR"
    case ":$PATH:" in
        *":$(dirname "$BIN_TARGET"):"*) ;;
        *) say "note: $(dirname "$BIN_TARGET") is not on your PATH" ;;
    esac
}

cmd_uninstall() {
    install_paths
    local target
    for target in "$BIN_TARGET" "$HISTORY_TARGET" "$SERVE_TARGET"; do
        if [ -f "$target" ]; then
            rm -f "$target"
            say "removed $target"
        fi
    done
    if [ -L "$PACKAGE_LINK" ] && [ "$(readlink "$PACKAGE_LINK")" = "$RUNTIME_DIR" ]; then
        rm -f "$PACKAGE_LINK"
        rmdir "$(dirname "$PACKAGE_LINK")" "$(dirname "$(dirname "$PACKAGE_LINK")")" 2>/dev/null || true
        say "removed $PACKAGE_LINK"
    elif [ -e "$PACKAGE_LINK" ]; then
        say "left $PACKAGE_LINK alone: it does not point to this checkout"
    fi
}

# ---------------------------------------------------------------- demo ----

cmd_demo() {
    local source=${1:-$ROOT/tests/fixtures/demo.article}
    [ -f "$source" ] || die "no such file: $source"
    cmd_deps
    cmd_build
    # Edit a copy in a temporary folder with its history in a temporary
    # store, so that trying things (:w, restore, notes) leaves neither the
    # checkout nor the user's own history store changed.
    local dir status=0
    dir=$(mktemp -d "${TMPDIR:-/tmp}/dateline-demo.XXXXXX") || die "demo: cannot make a temporary folder"
    mkdir "$dir/article"
    cp "$source" "$dir/article/" || { rm -rf "$dir"; die "demo: cannot copy $source"; }
    say "demo: editing a copy in $dir/article (history in $dir/history); removed when Neovim exits"
    # --clean: the user's own configuration and plugins stay out of it.
    DATELINE_STORE=$dir/history nvim --clean --cmd "set runtimepath^=$ROOT/$(manifest .runtime)" \
        "$dir/article/$(basename "$source")" || status=$?
    rm -rf "$dir"
    return "$status"
}

# --------------------------------------------------------- bench, fuzz ----

cmd_bench() {
    local full=
    case "${1:-}" in
        '') ;;
        --full) full=1 ;;
        *) die "bench: unknown option '$1' (try --full)" ;;
    esac
    cmd_deps
    cmd_build
    locate_shared_data
    local bench ran=0
    for bench in "$ROOT"/bench/*.sh; do
        [ -f "$bench" ] || continue
        say "== ${bench##*/}"
        DATELINE_ROOT=$ROOT DATELINE_CACHE=$CACHE DATELINE_BENCH_FULL=$full bash "$bench"
        ran=$((ran + 1))
    done
    [ "$ran" -gt 0 ] || die "no benchmarks under bench/"
}

cmd_fuzz() {
    cmd_deps
    # The fuzzers compile the sources themselves; make writes the header they include.
    make_targets build/generated/dateline_version.h
    DATELINE_ROOT=$ROOT bash "$ROOT/tests/fuzz/run.sh" "${1:-parser}" "${2:-60}"
}

# ----------------------------------------------------------------- main ----

main() {
    local command=${1:-help}
    [ $# -gt 0 ] && shift
    case "$command" in
        deps) cmd_deps ;;
        build) require_build_tools && cmd_build ;;
        test) cmd_test "$@" ;;
        install) require_build_tools && cmd_install ;;
        uninstall) cmd_uninstall ;;
        demo) cmd_demo "$@" ;;
        bench) cmd_bench "$@" ;;
        fuzz) cmd_fuzz "$@" ;;
        help | -h | --help) usage ;;
        *)
            say "build.sh: unknown command '$command'"
            usage >&2
            exit 2
            ;;
    esac
}

# The system's own tools are judged on the PATH without the cache's wrappers
# (a build.sh started by a test inherits them); the wrappers come first for
# everything build.sh runs.
SYSTEM_PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$CACHE/bin" | paste -sd: -)
export PATH="$CACHE/bin:$PATH"
main "$@"
