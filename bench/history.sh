# dateline history benchmark: dateline next to stock git doing the same job
# on 2,000 (and 10,000) versions of a ~5 KB article. Run by
# `./build.sh bench`, or directly: DATELINE_ROOT=$PWD bash bench/history.sh
#
# Goals: in-process snapshot <= 2 ms median; listing 2,000 versions <= 15 ms;
# restore <= 10 ms; repository < 1 MB per 2,000 saves once `git gc` has
# joined dateline's packs (dateline itself only adds packs, see docs/cli.md).
set -euo pipefail

ROOT=${DATELINE_ROOT:?DATELINE_ROOT is not set}
VERSIONS=${HISTORY_BENCH_VERSIONS:-2000}
BIG=${HISTORY_BENCH_BIG:-10000}
SPAWNED=${HISTORY_BENCH_SPAWNED:-200}
OUT=$ROOT/build/bench
mkdir -p "$OUT"

# The driver links the optimised core library; the CLI is the one the
# build makes.
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -Wall -Wextra -Werror -I$ROOT/plugin/include -I$ROOT/build/generated"
LIBS="$(pkg-config --libs libgit2 tree-sitter jansson zlib) -lpthread"
make -C "$ROOT" --no-print-directory -s build/release/libdateline.a plugin/bin/dateline >/dev/null
cc $CFLAGS "$ROOT/bench/history_bench.c" "$ROOT/build/release/libdateline.a" $LIBS \
    -o "$OUT/history_bench"
CLI=$ROOT/plugin/bin/dateline
BENCH=$OUT/history_bench

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_DATA_HOME=$work/data GIT_CONFIG_GLOBAL=$work/home/.gitconfig
mkdir -p "$HOME"
git config --global user.name Bench
git config --global user.email bench@example.com

# A repository without sample hooks, so that sizes measure history only.
new_repo() {
    git init -q --template= -b master "$1"
    git -C "$1" commit -q --allow-empty -m init
}

field() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
row() { # row LABEL DATELINE GIT UNIT GOAL
    printf '%-36s %10s %10s %8s   %s\n' "$1" "$2$4" "$3${3:+$4}" "$( [ -n "$3" ] && ratio "$2" "$3")" "$5"
}
size_kb() { du -sk "$1" | cut -f1; }

# ------------------------------------------------------ dateline, in process --
new_repo "$work/dl"
"$BENCH" inproc "$work/dl/story.txt" "$VERSIONS" > "$work/inproc.txt"
dl_size=$(size_kb "$work/dl/.git")
git -C "$work/dl" fsck --strict >/dev/null 2>&1 || echo "warning: fsck failed on the bench repository" >&2

# ----------------------------------------------------------- dateline, CLI --
new_repo "$work/dlcli"
"$BENCH" spawn "$work/dlcli/story.txt" "$SPAWNED" "$CLI" snapshot "$work/dlcli/story.txt" > "$work/cli.txt"
log_cli=$(cd "$work/dl" && "$BENCH" time 10 "$CLI" log story.txt | field median /dev/stdin)
restore_cli=$(cd "$work/dl" && "$BENCH" time 10 "$CLI" restore @~1000 story.txt | field median /dev/stdin)

# ------------------------------------------------------------- stock git ----
new_repo "$work/git"
start=$(date +%s)
"$BENCH" spawn "$work/git/story.txt" "$VERSIONS" git -C "$work/git" add story.txt ';;' \
    git -C "$work/git" commit -q -m save > "$work/git.txt"
git_size=$(size_kb "$work/git/.git")
git -C "$work/git" gc -q --auto 2>/dev/null || true
git_log=$(cd "$work/git" && "$BENCH" time 10 git log --oneline -- story.txt | field median /dev/stdin)
git_show=$(cd "$work/git" && "$BENCH" time 10 sh -c 'git show HEAD~1000:story.txt > story.txt' | field median /dev/stdin)

# What `git gc` leaves of both: in dateline's own store (.git/dateline,
# which the user's `git gc` does not look into; docs/cli.md), and in git's.
git --git-dir="$work/dl/.git/dateline" gc -q
dl_gc_size=$(size_kb "$work/dl/.git")
git -C "$work/git" gc -q
git_gc_size=$(size_kb "$work/git/.git")

echo
echo "History on $VERSIONS versions of a ~5 KB article (medians; ratio = dateline / git)"
printf '%-36s %10s %10s %8s   %s\n' "" dateline git ratio goal
row "snapshot, in process" "$(field snapshot_median "$work/inproc.txt")" "" " ms" "<= 2 ms"
row "  p95 / max" "$(field snapshot_p95 "$work/inproc.txt")/$(field snapshot_max "$work/inproc.txt")" "" " ms" "(includes packing)"
row "snapshot, CLI vs git add+commit" "$(field median "$work/cli.txt")" "$(field median "$work/git.txt")" " ms" ""
row "list versions, in process" "$(field log_median "$work/inproc.txt")" "" " ms" "<= 15 ms"
row "list versions, CLI vs git log" "$log_cli" "$git_log" " ms" ""
row "read 1,000 back, in process" "$(field read_back_median "$work/inproc.txt")" "" " ms" ""
row "restore 1,000 back, in process" "$(field restore_median "$work/inproc.txt")" "" " ms" "<= 10 ms"
row "restore 1,000 back, CLI vs git show" "$restore_cli" "$git_show" " ms" ""
row "repository size after saves" "$dl_size" "$git_size" " KB" ""
row "  after git gc" "$dl_gc_size" "$git_gc_size" " KB" "< 1024 KB"

# --------------------------------------------------------- 10,000 versions --
if [ "$BIG" -gt 0 ]; then
    new_repo "$work/big"
    "$BENCH" inproc "$work/big/story.txt" "$BIG" > "$work/big.txt"
    echo
    echo "dateline alone on $BIG versions"
    row "snapshot, in process" "$(field snapshot_median "$work/big.txt")" "" " ms" "<= 2 ms"
    row "  p95 / max" "$(field snapshot_p95 "$work/big.txt")/$(field snapshot_max "$work/big.txt")" "" " ms" ""
    row "list versions, in process" "$(field log_median "$work/big.txt")" "" " ms" ""
    row "restore 1,000 back, in process" "$(field restore_median "$work/big.txt")" "" " ms" ""
    row "repository size" "$(size_kb "$work/big/.git")" "" " KB" ""
fi
