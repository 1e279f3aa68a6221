# dateline next to the git commands a writer or a newsroom script would run
# instead: whole processes, paired run by run (the order alternating), on
# the same versions of a ~5 KB article, in the same run, with the libgit2
# start-up floor measured alongside. Run by `./build.sh bench`, or directly:
#   DATELINE_ROOT=$PWD bash bench/vsgit.sh [--full]   (or ./build.sh bench --full)
#
# Default: 2,000 saves and a batch of 100 articles (a few minutes). --full
# adds 10,000 saves and the newsroom-scale store (10,000 articles x 20
# versions, generated with git fast-import): one article there against a
# store holding only it, push/pull against git push/fetch, `log --all
# --since 1.day`, and sizes after packing.
#
# Goals (issue 19): snapshot - floor <= git add && git commit; log - floor
# <= git log --oneline; diff - floor <= 2x git diff --word-diff; blame over
# 1,000 versions <= git blame; outline/stats of 5 KB < 3 ms; a batch of 100
# costs per article no more than git's one-file command; one article in the
# newsroom store within 1.2x of the same alone; push/pull within 1.2x of
# git; log --all --since 1.day under 1 s.
set -euo pipefail

ROOT=${DATELINE_ROOT:?DATELINE_ROOT is not set}
FULL=${DATELINE_BENCH_FULL:-0} # set by ./build.sh bench --full
[ "${1:-}" = --full ] && FULL=1
VERSIONS=${VSGIT_VERSIONS:-2000}
EDGE=${VSGIT_EDGE:-200}     # first/last saves whose medians are compared
RUNS=${VSGIT_RUNS:-21}      # pairs per read command
BATCH=${VSGIT_BATCH:-100}   # articles in a batch
BIG=${VSGIT_BIG:-10000}     # saves of the --full run
ARTICLES=${VSGIT_ARTICLES:-10000}
PER_ARTICLE=${VSGIT_PER_ARTICLE:-20}
OUT=$ROOT/build/bench
mkdir -p "$OUT"

CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -Wall -Wextra -Werror -I$ROOT/plugin/include -I$ROOT/build/generated"
LIBS="$(pkg-config --libs libgit2 tree-sitter jansson zlib) -lpthread"
make -C "$ROOT" --no-print-directory -s build/release/libdateline.a plugin/bin/dateline >/dev/null
cc $CFLAGS "$ROOT/bench/history_bench.c" "$ROOT/build/release/libdateline.a" $LIBS \
    -o "$OUT/history_bench"
cc $CFLAGS $(pkg-config --cflags libgit2) "$ROOT/bench/libgit2_floor.c" \
    $(pkg-config --libs libgit2) -o "$OUT/libgit2_floor"
CLI=$ROOT/plugin/bin/dateline
BENCH=$OUT/history_bench
FLOOR=$OUT/libgit2_floor

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_DATA_HOME=$work/data GIT_CONFIG_GLOBAL=$work/home/.gitconfig
export GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
mkdir -p "$HOME"
git config --global user.name Bench
git config --global user.email bench@example.com
git config --global gc.auto 0 # the bench says when git packs

new_repo() {
    git init -q --template= -b master "$1"
    git -C "$1" commit -q --allow-empty -m init
}

field() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
# The median of column $1 of lines $2..$3 (1-based) of file $4.
median_of() {
    awk -v c="$1" -v a="$2" -v b="$3" 'NR >= a && NR <= b {print $c}' "$4" | sort -g |
        awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
pair() { # pair NAME A... :: B...   -> $work/NAME.txt (a_median, b_median, ratio_median)
    local name=$1
    shift
    "$BENCH" pair "$RUNS" "$@" > "$work/$name.txt"
}
a_of() { field a_median "$work/$1.txt"; }
b_of() { field b_median "$work/$1.txt"; }

FLOOR_MS=
# The table: operation, then (the issue's ratio), dateline, git, ratio,
# (dateline - floor) / git, goal.
header() {
    printf '\n%s (medians, ms; floor = libgit2 start-up alone: %s ms)\n' "$1" "$FLOOR_MS"
    printf '%-44s %8s %9s %9s %7s %11s   %s\n' operation then dateline git ratio "-floor" goal
}
row() { # row LABEL THEN DATELINE GIT GOAL_FACTOR GOAL_TEXT [plain]
    # The goal is (dateline - floor) <= factor x git, or with "plain"
    # (blame, batches: the floor is paid once or counts) dateline <= git.
    awk -v l="$1" -v t="$2" -v d="$3" -v g="$4" -v f="$FLOOR_MS" -v k="$5" -v goal="$6" \
        -v plain="${7:-}" 'BEGIN {
        r = g > 0 ? sprintf("%.2fx", d / g) : "-"
        rf = (g > 0 && plain == "") ? sprintf("%.2fx", (d - f) / g) : "-"
        own = plain == "" ? d - f : d
        met = (k == "" || g <= 0) ? "" : (own <= k * g ? "  met" : "  MISSED")
        printf "%-44s %8s %9.2f %9s %7s %11s   %s%s\n", l, t, d, (g > 0 ? sprintf("%.2f", g) : "-"), r, rf, goal, met
    }'
}

# ------------------------------------------------------------- the floor --
"$BENCH" time 51 "$FLOOR" > "$work/floor.txt"
FLOOR_MS=$(field median "$work/floor.txt")

# ------------------------------------------------------- 2,000 saves each --
save_pairs() { # save_pairs FROM TO
    "$BENCH" pairsave "$work/dl/story.txt" "$work/git/story.txt" "$1" "$2" \
        "$CLI" snapshot "$work/dl/story.txt" :: \
        git -C "$work/git" add story.txt ';;' git -C "$work/git" commit -q -m save \
        >> "$work/saves.txt"
}
new_repo "$work/dl"
new_repo "$work/git"
: > "$work/saves.txt"
half=$((VERSIONS / 2))
save_pairs 0 "$half"

# Blame at 1,000 versions (half of the default run), as the issue measured.
pair blame "$CLI" blame "$work/dl/story.txt" :: git -C "$work/git" blame story.txt
blame_at=$half
save_pairs "$half" "$VERSIONS"

pair log "$CLI" log --json "$work/dl/story.txt" :: git -C "$work/git" log --oneline -- story.txt
pair diff1 "$CLI" diff @~1 @ "$work/dl/story.txt" :: \
    git -C "$work/git" diff --word-diff HEAD~1 HEAD -- story.txt
back=$((VERSIONS > 1000 ? 1000 : VERSIONS / 2))
pair diff1000 "$CLI" diff "@~$back" @ "$work/dl/story.txt" :: \
    git -C "$work/git" diff --word-diff "HEAD~$back" HEAD -- story.txt
pair outline "$CLI" outline "$work/dl/story.txt" :: "$FLOOR"
pair stats "$CLI" stats "$work/dl/story.txt" :: "$FLOOR"

size_dl=$(du -sk "$work/dl/.git" | cut -f1)
size_git=$(du -sk "$work/git/.git" | cut -f1)
git -C "$work/git" gc -q
git --git-dir="$work/dl/.git/dateline" gc -q # the store: the user's gc never touches it
pair log_gc "$CLI" log --json "$work/dl/story.txt" :: git -C "$work/git" log --oneline -- story.txt
size_dl_gc=$(du -sk "$work/dl/.git" | cut -f1)
size_git_gc=$(du -sk "$work/git/.git" | cut -f1)

n=$(wc -l < "$work/saves.txt")
header "dateline vs git on $VERSIONS versions of a ~5 KB article"
row "snapshot vs git add && git commit" 3.0x "$(median_of 2 1 "$n" "$work/saves.txt")" \
    "$(median_of 3 1 "$n" "$work/saves.txt")" 1 "-floor <= git"
row "  first $EDGE saves" 2.4x "$(median_of 2 1 "$EDGE" "$work/saves.txt")" \
    "$(median_of 3 1 "$EDGE" "$work/saves.txt")" 1 ""
row "  last $EDGE saves" 3.3x "$(median_of 2 $((n - EDGE + 1)) "$n" "$work/saves.txt")" \
    "$(median_of 3 $((n - EDGE + 1)) "$n" "$work/saves.txt")" 1 ""
row "log --json vs git log --oneline -- file" 3.2x "$(a_of log)" "$(b_of log)" 1 "-floor <= git"
row "  after git gc" 3.9x "$(a_of log_gc)" "$(b_of log_gc)" 1 ""
row "diff A B vs git diff --word-diff, adjacent" 15.6x "$(a_of diff1)" "$(b_of diff1)" 2 \
    "-floor <= 2x git"
row "  $back versions apart" 13.1x "$(a_of diff1000)" "$(b_of diff1000)" 2 ""
row "blame vs git blame, $blame_at versions" "~5x" "$(a_of blame)" "$(b_of blame)" 1 \
    "<= git (floor included)" plain
printf '%-44s %8s %9.2f %9s %7s %11s   %s\n' "outline, 5 KB (no libgit2)" - "$(a_of outline)" - - - "< 3 ms"
printf '%-44s %8s %9.2f %9s %7s %11s   %s\n' "stats, 5 KB (no libgit2)" - "$(a_of stats)" - - - "< 3 ms"
printf '%-44s %8s %9s %9s\n' "repository KB after the saves" - "$size_dl" "$size_git"
printf '%-44s %8s %9s %9s\n' "  after git gc" - "$size_dl_gc" "$size_git_gc"

# ------------------------------------------------------ a batch of 100 ----
# Each article saved twice; dateline's one process per command against
# git's one command per file, divided by the number of articles.
new_repo "$work/bdl"
new_repo "$work/bgit"
files_dl=() files_git=()
for i in $(seq 1 "$BATCH"); do
    files_dl+=("$work/bdl/a$i.txt")
    files_git+=("a$i.txt")
done
gen_batch() { # gen_batch REPO VERSION
    local i
    for i in $(seq 1 "$BATCH"); do
        "$BENCH" write "$1/a$i.txt" $(($2 * 7 + i))
    done
}
batch_git_save() {
    local start end f
    start=$(date +%s%N)
    for f in "${files_git[@]}"; do
        git -C "$work/bgit" add "$f" && git -C "$work/bgit" commit -q -m save -- "$f"
    done
    end=$(date +%s%N)
    echo $(((end - start) / 1000))
}
batch_dl_save() {
    local start end
    start=$(date +%s%N)
    "$CLI" snapshot "${files_dl[@]}" > /dev/null
    end=$(date +%s%N)
    echo $(((end - start) / 1000))
}
for v in 0 1; do
    gen_batch "$work/bdl" "$v"
    gen_batch "$work/bgit" "$v"
    dl_us=$(batch_dl_save)
    git_us=$(batch_git_save)
done
per_git_log=$("$BENCH" time "$RUNS" git -C "$work/bgit" log --oneline -- a1.txt | field median /dev/stdin)
batch_log=$("$BENCH" time 5 "$CLI" log --json "${files_dl[@]}" | field median /dev/stdin)
per_git_blame=$("$BENCH" time "$RUNS" git -C "$work/bgit" blame a1.txt | field median /dev/stdin)
batch_blame=$("$BENCH" time 5 "$CLI" blame --json "${files_dl[@]}" | field median /dev/stdin)
header "a batch of $BATCH articles in one dateline process, per article, vs git's one-file command"
row "snapshot FILE... vs git add && git commit" - "$(awk -v u="$dl_us" -v n="$BATCH" 'BEGIN{print u/1000/n}')" \
    "$(awk -v u="$git_us" -v n="$BATCH" 'BEGIN{print u/1000/n}')" 1 "per article <= git" plain
row "log --json FILE... vs git log --oneline" - "$(awk -v t="$batch_log" -v n="$BATCH" 'BEGIN{print t/n}')" \
    "$per_git_log" 1 "per article <= git" plain
row "blame --json FILE... vs git blame" - "$(awk -v t="$batch_blame" -v n="$BATCH" 'BEGIN{print t/n}')" \
    "$per_git_blame" 1 "per article <= git" plain

[ "$FULL" = 1 ] || exit 0

# ---------------------------------------------------- 10,000 saves (full) --
rm -rf "$work/dl" "$work/git"
new_repo "$work/dl"
new_repo "$work/git"
: > "$work/saves.txt"
save_pairs 0 "$BIG"
n=$(wc -l < "$work/saves.txt")
pair log "$CLI" log --json "$work/dl/story.txt" :: git -C "$work/git" log --oneline -- story.txt
pair blame "$CLI" blame "$work/dl/story.txt" :: git -C "$work/git" blame story.txt
header "dateline vs git on $BIG versions"
row "snapshot, first $EDGE saves" - "$(median_of 2 1 "$EDGE" "$work/saves.txt")" \
    "$(median_of 3 1 "$EDGE" "$work/saves.txt")" 1 ""
row "snapshot, last $EDGE saves" - "$(median_of 2 $((n - EDGE + 1)) "$n" "$work/saves.txt")" \
    "$(median_of 3 $((n - EDGE + 1)) "$n" "$work/saves.txt")" 1 ""
row "log --json vs git log --oneline" - "$(a_of log)" "$(b_of log)" 1 ""
row "blame vs git blame" - "$(a_of blame)" "$(b_of blame)" 1 "" plain

# -------------------------------------------------- newsroom scale (full) --
bash "$ROOT/bench/newsroom.bash" "$work" "$ARTICLES" "$PER_ARTICLE" "$FLOOR_MS"
