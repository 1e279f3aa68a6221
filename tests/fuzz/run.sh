# Run the parser fuzzer (./build.sh fuzz [SECONDS]).
#
# Inputs that crash or hang the parser are written to tests/fuzz/crashers/,
# which ./build.sh test replays on every run: commit them with the fix. The
# working corpus grows in tests/fuzz/work/ (not committed), seeded from
# tests/fuzz/seeds/ and the grammar's corpus tests.
set -euo pipefail
ROOT=${DATELINE_ROOT:?}
seconds=${1:-60}
case "$seconds" in '' | *[!0-9]*) echo "fuzz: SECONDS must be a whole number" >&2; exit 2 ;; esac

out=$ROOT/build/fuzz
work=$ROOT/tests/fuzz/work
mkdir -p "$out" "$work" "$ROOT/tests/fuzz/crashers"
src=$ROOT/grammar/src

binary=$out/parser_fuzzer
if [ ! -x "$binary" ] || [ -n "$(find "$src" "$ROOT/tests/fuzz/parser_fuzzer.c" -newer "$binary" -name '*.c' | head -n1)" ]; then
    clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -I"$src" "$ROOT/tests/fuzz/parser_fuzzer.c" "$src/parser.c" "$src/scanner.c" \
        $(pkg-config --cflags --libs tree-sitter) -o "$binary"
fi

"$binary" -max_total_time="$seconds" -timeout=10 -max_len=65536 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$ROOT/tests/fuzz/crashers/" \
    "$work" "$ROOT/tests/fuzz/seeds" 2>&1 | tee "$out/last-run.log" | grep -E '^#|Done|stat::|ERROR|SUMMARY' | tail -n 25
