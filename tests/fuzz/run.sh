# Run a libFuzzer target (./build.sh fuzz [TARGET] [SECONDS]).
#
# Targets: parser (the article grammar: parse and incremental re-parse) and
# lsp (the language server's message reader and dispatcher). Inputs that
# crash or hang a target are written to tests/fuzz/TARGET/crashers/, which
# ./build.sh test replays on every run: commit them with the fix. The working
# corpus grows in build/fuzz/TARGET/ (not committed), seeded from
# tests/fuzz/TARGET/seeds/.
set -euo pipefail
ROOT=${DATELINE_ROOT:?}
target=${1:-parser}
seconds=${2:-60}
case "$seconds" in '' | *[!0-9]*) echo "fuzz: SECONDS must be a whole number" >&2; exit 2 ;; esac

grammar=$ROOT/grammar/src
case "$target" in
    parser)
        sources=("$grammar/parser.c" "$grammar/scanner.c")
        packages=(tree-sitter)
        ;;
    lsp)
        # The whole core: the server parses, diffs and records history.
        mapfile -t sources < <(ls "$ROOT"/plugin/src/{core,cli,lsp}/*.c | grep -v '/main\.c$')
        sources+=("$grammar/parser.c" "$grammar/scanner.c")
        packages=(libgit2 tree-sitter jansson zlib)
        ;;
    *)
        echo "fuzz: unknown target '$target' (parser or lsp)" >&2
        exit 2
        ;;
esac

out=$ROOT/build/fuzz/$target
mkdir -p "$out/corpus" "$ROOT/tests/fuzz/$target/crashers"
binary=$out/fuzzer
fuzzer_source=$ROOT/tests/fuzz/${target}_fuzzer.c
if [ ! -x "$binary" ] ||
    [ -n "$(find "${sources[@]}" "$fuzzer_source" -newer "$binary" | head -n1)" ]; then
    # shellcheck disable=SC2046 # pkg-config prints several flags
    clang -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -w \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -I"$ROOT/plugin/include" -I"$ROOT/build/generated" -I"$grammar" \
        "$fuzzer_source" "${sources[@]}" \
        $(pkg-config --cflags --libs "${packages[@]}") -lpthread -o "$binary"
fi

"$binary" -max_total_time="$seconds" -timeout=10 -max_len=65536 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$ROOT/tests/fuzz/$target/crashers/" \
    "$out/corpus" "$ROOT/tests/fuzz/$target/seeds" 2>&1 | tee "$out/last-run.log" |
    grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^Done|stat::|ERROR|SUMMARY' | tail -n 25
