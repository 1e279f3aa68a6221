# dateline language server benchmark: request latency from a client on a
# 5 KB and a 1 MB article, and the cost of recording a version on save next
# to `git add` + `git commit` in the same run. Run by `./build.sh bench`, or
# directly: DATELINE_ROOT=$PWD bash bench/lsp.sh
#
# Goals: didChange + documentSymbol <= 20 ms on 1 MB (the server rebuilds
# the article model after an edit, reusing unchanged blocks' counts, and
# renders the outline from it: no symbol cache); record on save <= 3 ms
# median and >= 6x faster than git commit.
set -euo pipefail

ROOT=${DATELINE_ROOT:?DATELINE_ROOT is not set}
ROUNDS=${LSP_BENCH_ROUNDS:-200}
OUT=$ROOT/build/bench
mkdir -p "$OUT"
make -C "$ROOT" --no-print-directory -s build/release/libdateline-frontends.a build/release/libdateline.a \
    plugin/bin/dateline >/dev/null
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$ROOT/plugin/include" \
    "$ROOT/bench/lsp_bench.c" "$ROOT/build/release/libdateline-frontends.a" "$ROOT/build/release/libdateline.a" \
    $(pkg-config --libs libgit2 jansson tree-sitter zlib) -lpthread -o "$OUT/lsp_bench"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_DATA_HOME=$work/data GIT_CONFIG_GLOBAL=$work/home/.gitconfig
mkdir -p "$HOME"
git config --global user.name Bench
git config --global user.email bench@example.com
seed=${DATELINE_SHARED:-$ROOT/../shared}/seeds/000_8262d85f5fa5c412.txt

new_repo() { git init -q --template= -b master "$1"; git -C "$1" commit -q --allow-empty -m init; }

# 5 KB: the reference article. 1 MB: its body repeated under one headline.
new_repo "$work/small"
cp "$seed" "$work/small/story.txt"
new_repo "$work/large"
{
    head -n 1 "$seed"
    body=$(tail -n +2 "$seed")
    for _ in $(seq 1 $((1048576 / ${#body} + 1))); do printf '%s\n' "$body"; done
} > "$work/large/story.txt"

# git add + commit of one changed character after each save of the small
# article, timed by the same client in the same state of the file system.
new_repo "$work/git"
cp "$seed" "$work/git/story.txt"
"$OUT/lsp_bench" "$ROOT/plugin/bin/dateline" "$work/small/story.txt" "$ROUNDS" "$ROUNDS" \
    "$work/git/story.txt" > "$work/small.txt"
# Recording 1 MB takes ~150 ms a round: fewer rounds for those figures.
"$OUT/lsp_bench" "$ROOT/plugin/bin/dateline" "$work/large/story.txt" "$ROUNDS" "$((ROUNDS / 4))" \
    > "$work/large.txt"

field() { awk -v k="$1" '$1 == k {print $'"$3"'}' "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.1fx", b / a; else print "-" }'; }
row() { printf '%-44s %10s %10s   %s\n' "$1" "$2" "$3" "$4"; }

echo
echo "Language server latency, client side (median / p95, ms)"
row "" "5 KB" "1 MB" "goal"
for k in change_symbols split_symbols change_article hover snapshot save_record; do
    case $k in
        change_symbols) label="didChange (1 char) + documentSymbol"; goal="<= 20 ms on 1 MB" ;;
        change_article) label="didChange (1 char) + dateline/article"; goal="" ;;
        split_symbols) label="didChange (new paragraph) + documentSymbol"; goal="" ;;
        hover) label="hover (blame)"; goal="" ;;
        snapshot) label="executeCommand dateline.snapshot"; goal="" ;;
        save_record) label="didSave -> dateline/recorded"; goal="<= 3 ms median" ;;
    esac
    row "$label" "$(field $k "$work/small.txt" 2)/$(field $k "$work/small.txt" 3)" \
        "$(field $k "$work/large.txt" 2)/$(field $k "$work/large.txt" 3)" "$goal"
done
save=$(field save_record "$work/small.txt" 2)
git_median=$(field git_commit "$work/small.txt" 2)
echo
row "git add + git commit (5 KB, median)" "$git_median" "" ""
row "record on save vs git commit" "$(ratio "$save" "$git_median") faster" "" ">= 6x"
