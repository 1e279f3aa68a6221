# dateline: a save's history work is bounded. Records rewrites and a one-word
# change of large generated articles with the CLI, under /usr/bin/time, and
# prints wall time and peak memory of the second snapshot (the one that
# computes the structural summary). Too slow for the test suite; run by
# hand: DATELINE_ROOT=$PWD bash bench/diff_stress.sh
# (DIFF_STRESS_BIG_MB=100 sets the size of the one-word case).
#
# Goals: a 10 MB full rewrite records in < 2 s with < 200 MB peak; a one-word
# change to a 100 MB article in < 10 s with a peak under 10x the file.
#
# With --check (./build.sh test --stress) it records the 10 MB rewrite and
# the one-word change to the 100 MB article only and prints TAP: each
# one's peak-memory bound and a byte-exact round trip pass or fail. Memory,
# not time: the peak is the same on a loaded machine, the wall time is not.
set -euo pipefail

CHECK=
[ "${1:-}" = --check ] && CHECK=1
REWRITE_PEAK_MB=200
TAP_COUNT=0

ROOT=${DATELINE_ROOT:?DATELINE_ROOT is not set}
BIG_MB=${DIFF_STRESS_BIG_MB:-100}
OUT=$ROOT/build/bench
mkdir -p "$OUT"

make -C "$ROOT" --no-print-directory -s build/release/libdateline.a plugin/bin/dateline >/dev/null
cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -Wall -Wextra -Werror \
    -I"$ROOT/plugin/include" -I"$ROOT/build/generated" "$ROOT/bench/diff_bench.c" \
    "$ROOT/build/release/libdateline.a" $(pkg-config --libs libgit2 tree-sitter jansson zlib) -lpthread \
    -o "$OUT/diff_bench"
BENCH=$OUT/diff_bench
CLI=$ROOT/plugin/bin/dateline

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_DATA_HOME=$work/data GIT_CONFIG_GLOBAL=$work/home/.gitconfig
export GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name Bench
git config --global user.email bench@example.com

# record LABEL OLD NEW GOAL [PEAK_MB]: snapshot OLD, then time the snapshot
# of NEW; with --check, its peak must stay under PEAK_MB.
record() {
    local repo=$work/repo-$RANDOM
    git init -q --template= -b master "$repo"
    cp "$2" "$repo/story.txt"
    (cd "$repo" && "$CLI" snapshot story.txt >/dev/null)
    cp "$3" "$repo/story.txt"
    (cd "$repo" && /usr/bin/time -v "$CLI" snapshot story.txt >/dev/null 2>"$work/time")
    local seconds kb summary
    seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0;
        for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s}' "$work/time")
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
    summary=$(cd "$repo" && "$CLI" log -n 1 story.txt | sed 's/.*words ([^)]*)  //' | cut -c1-60)
    cmp -s "$3" <(cd "$repo" && "$CLI" show @ story.txt) && exact=yes || exact=NO
    rm -rf "$repo"
    if [ -n "$CHECK" ]; then
        local peak_mb=$((kb / 1024)) ok=ok
        [ "$peak_mb" -lt "$5" ] || ok="not ok"
        TAP_COUNT=$((TAP_COUNT + 1))
        printf '%s %d - %s records with a peak under %d MB (%d MB, %s s)\n' \
            "$ok" "$TAP_COUNT" "$1" "$5" "$peak_mb" "$seconds"
        ok=ok
        [ "$exact" = yes ] || ok="not ok"
        TAP_COUNT=$((TAP_COUNT + 1))
        printf '%s %d - %s: show gives back the recorded file byte for byte\n' "$ok" \
            "$TAP_COUNT" "$1"
        return 0
    fi
    printf '%-34s %8s s %8s MB %6s   %-18s %s\n' "$1" "$seconds" "$((kb / 1024))" "$exact" "$4" "$summary"
}

"$BENCH" big "$work/a10.txt" 0 10 >/dev/null
"$BENCH" big "$work/b10.txt" 5000000 10 >/dev/null
if [ -n "$CHECK" ]; then
    record "a 10 MB full rewrite" "$work/a10.txt" "$work/b10.txt" "" "$REWRITE_PEAK_MB"
    rm -f "$work/a10.txt" "$work/b10.txt"
    "$BENCH" big "$work/big.txt" 0 "$BIG_MB" >/dev/null
    "$BENCH" oneword "$work/big.txt" "$work/big1.txt" >/dev/null
    record "one word inserted in a $BIG_MB MB article" "$work/big.txt" "$work/big1.txt" "" \
        "$((BIG_MB * 10))"
    echo "1..$TAP_COUNT"
    exit 0
fi
"$BENCH" onepara "$work/p1.txt" 1 30000
"$BENCH" onepara "$work/p2.txt" 2 30000
"$BENCH" big "$work/a1.txt" 0 1 >/dev/null
"$BENCH" big "$work/b1.txt" 5000000 1 >/dev/null
"$BENCH" big "$work/big.txt" 0 "$BIG_MB" >/dev/null
"$BENCH" oneword "$work/big.txt" "$work/big1.txt"

echo "Second snapshot of generated articles (wall time, peak RSS, byte-exact, goal, summary)"
record "1 MB full rewrite" "$work/a1.txt" "$work/b1.txt" ""
record "10 MB full rewrite" "$work/a10.txt" "$work/b10.txt" "< 2 s, < 200 MB"
record "one ~200 KB paragraph rewritten" "$work/p1.txt" "$work/p2.txt" ""
record "$BIG_MB MB, one word inserted" "$work/big.txt" "$work/big1.txt" \
    "< 10 s, < $((BIG_MB * 10)) MB"
