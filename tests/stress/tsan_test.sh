# The language server's threads under ThreadSanitizer: the CLI built with
# -fsanitize=thread (make tsan) runs the server's whole test session
# (tests/lsp/server.test.mjs: saves, hovers, commands, the watchdog
# abandoning a stuck job and its runner's replacement), and TSan must
# report nothing: no data race, no use after free. No suppressions: the
# races it found were ours (libgit2's process-wide setup on a worker
# thread, a URI read after its JSON was freed), and libgit2 itself is not
# instrumented. Part of ./build.sh test --stress (about 15 s).
set -u
. "$(dirname "$0")/../sh/tap.sh"

NODE_MODULES=${DATELINE_NODE_MODULES:-}
if ! command -v node >/dev/null 2>&1 || [ ! -d "$NODE_MODULES/vscode-jsonrpc" ]; then
    tap_skip "the server's session under ThreadSanitizer" \
        "node or its test packages are missing (./build.sh deps installs them)"
    done_testing
    exit 0
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if ! output=$(make -C "$ROOT" --no-print-directory -s -j2 tsan 2>&1); then
    tap_not_ok "make tsan builds the CLI with ThreadSanitizer" "$output"
    done_testing
    exit 1
fi
tap_ok "make tsan builds the CLI with ThreadSanitizer"

output=$(env DATELINE_BIN="$ROOT/build/tsan/dateline" DATELINE_NODE_MODULES="$NODE_MODULES" \
    TSAN_OPTIONS="log_path=$scratch/tsan" \
    node --test --test-reporter=tap "$ROOT/tests/lsp/server.test.mjs" 2>&1)
status=$?
if [ "$status" -eq 0 ]; then
    tap_ok "the server's test session passes on the ThreadSanitizer build ($(grep -c '^ok ' <<<"$output") tests)"
else
    tap_not_ok "the server's test session passes on the ThreadSanitizer build" \
        "$(grep -A12 '^not ok' <<<"$output")"
fi
check_eq "ThreadSanitizer reports nothing" "" "$(cat "$scratch"/tsan.* 2>/dev/null)"
done_testing
