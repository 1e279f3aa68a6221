# dateline structural diff and blame benchmark: the diff of two ~10,000-word
# versions next to `git diff --word-diff`, and blame over 1,000 versions.
# Run by `./build.sh bench`, or directly: DATELINE_ROOT=$PWD bash bench/diff.sh
#
# Goals: structural diff of 10,000 words <= 20 ms; blame over 1,000
# versions <= 200 ms.
set -euo pipefail

ROOT=${DATELINE_ROOT:?DATELINE_ROOT is not set}
VERSIONS=${DIFF_BENCH_VERSIONS:-1000}
RUNS=${DIFF_BENCH_RUNS:-20}
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
unset NO_COLOR
mkdir -p "$HOME"
git config --global user.name Bench
git config --global user.email bench@example.com

field() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
row() { # row LABEL DATELINE GIT UNIT GOAL
    printf '%-40s %10s %10s %8s   %s\n' "$1" "$2$4" "$3${3:+$4}" "$( [ -n "$3" ] && ratio "$2" "$3")" "$5"
}

# ------------------------------------------------------------------ diff --
git init -q --template= -b master "$work/repo"
"$BENCH" gen "$work/old.txt" "$work/new.txt" > "$work/gen.txt"
"$BENCH" diff "$work/old.txt" "$work/new.txt" "$RUNS" > "$work/diff.txt"
cp "$work/old.txt" "$work/repo/story.txt"
"$CLI" snapshot "$work/repo/story.txt" >/dev/null
cp "$work/new.txt" "$work/repo/story.txt"
cli=$(cd "$work/repo" && "$BENCH" time "$RUNS" "$CLI" diff --color=never story.txt | field median /dev/stdin)
cli_json=$(cd "$work/repo" && "$BENCH" time "$RUNS" "$CLI" diff --json story.txt | field median /dev/stdin)
git_word=$("$BENCH" time "$RUNS" git diff --no-index --word-diff=plain "$work/old.txt" "$work/new.txt" | field median /dev/stdin)

words=$(field old_words "$work/gen.txt")
parse=$(field parse_both_median "$work/diff.txt")
align=$(field diff_median "$work/diff.txt")
total=$(awk -v a="$parse" -v b="$align" 'BEGIN { printf "%.3f", a + b }')
echo
echo "Structural diff of two ~$words-word versions (medians of $RUNS; ratio = dateline / git)"
echo "  change: $(sed -n 's/^summary //p' "$work/diff.txt")"
printf '%-40s %10s %10s %8s   %s\n' "" dateline git ratio goal
row "diff, in process (models given)" "$align" "" " ms" "<= 20 ms"
row "parse both versions, in process" "$parse" "" " ms" ""
row "parse + diff, in process" "$total" "" " ms" ""
row "print the terminal view, in process" "$(field print_median "$work/diff.txt")" "" " ms" ""
row "CLI diff vs git diff --word-diff" "$cli" "$git_word" " ms" ""
row "CLI diff --json vs git diff --word-diff" "$cli_json" "$git_word" " ms" ""

# ----------------------------------------------------------------- blame --
git init -q --template= -b master "$work/blame"
git -C "$work/blame" commit -q --allow-empty -m init
"$BENCH" blame "$work/blame/story.txt" "$VERSIONS" > "$work/blame.txt"
# git blame on the same history, in dateline's store (.git/dateline), whose
# commits are the versions.
store=$work/blame/.git/dateline
git --git-dir="$store" show "refs/dateline/story.txt:story.txt" > /dev/null
git_blame=$("$BENCH" time 5 git --git-dir="$store" blame -s refs/dateline/story.txt -- story.txt | field median /dev/stdin)
# The whole `dateline blame` process on the latest version, against git's,
# and the floor under it: a process that only starts libgit2.
git --git-dir="$store" show "refs/dateline/story.txt:story.txt" > "$work/blame/story.txt"
cli_blame=$(cd "$work/blame" && "$BENCH" time 5 "$CLI" blame --json story.txt | field median /dev/stdin)
floor=$("$BENCH" time 5 "$BENCH" floor | field median /dev/stdin)
echo
echo "Blame over $(field blame_versions "$work/blame.txt") versions of a ~5 KB article (medians of 5)"
printf '%-40s %10s %10s %8s   %s\n' "" dateline git ratio goal
row "blame, in process vs git blame" "$(field blame_median "$work/blame.txt")" "$git_blame" " ms" "<= 200 ms"
row "CLI blame --json vs git blame" "$cli_blame" "$git_blame" " ms" "<= git"
row "  of which starting libgit2 (the floor)" "$floor" "" " ms" ""
row "blame, newest 200 versions (hover)" "$(field blame_recent_median "$work/blame.txt")" "" " ms" ""
row "the next hover (history cached)" "$(field blame_cached_median "$work/blame.txt")" "" " ms" ""
