# dateline report benchmark: generating the self-contained HTML history of
# an article with 1,000 versions (a ~5 KB article, one paragraph edited per
# save, every 25th save annotated, a quotation changed every 100th), next
# to the nearest thing stock git gives: `git log -p --word-diff` of the
# same history. Run by `./build.sh bench`, or directly:
#   DATELINE_ROOT=$PWD bash bench/web.sh
#
# Goals: the report in a few seconds and under ~10 MB, so that it opens at
# once in a browser and fits in an e-mail; the budget for pairs beyond
# neighbours (DL_WEB_REPORT_DEFAULT_BUDGET, dateline/web.h) is set by this.
set -euo pipefail

ROOT=${DATELINE_ROOT:?DATELINE_ROOT is not set}
VERSIONS=${WEB_BENCH_VERSIONS:-1000}
CLI=$ROOT/plugin/bin/dateline
make -C "$ROOT" --no-print-directory -s plugin/bin/dateline >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_DATA_HOME=$work/data GIT_CONFIG_GLOBAL=$work/home/.gitconfig
mkdir -p "$HOME"
git config --global user.name Bench
git config --global user.email bench@example.com
git init -q --template= -b master "$work/repo"
cd "$work/repo"

# A ~5 KB article the project wrote, grown to 20 paragraphs.
base=$ROOT/tests/fixtures/demo.article
now_ms() { date +%s%3N; }

say() { printf '%s\n' "$*"; }
say "building $VERSIONS versions..."
start=$(now_ms)
for ((i = 1; i <= VERSIONS; i++)); do
    {
        cat "$base"
        for ((p = 0; p < 8; p++)); do
            # Paragraph p changes on every 8th save; quotations every 100th.
            printf '\nParagraph %d of the follow-up, revision %d, with more reporting on the routes.' \
                "$p" $(((i + p) / 8))
            printf ' “We counted %d riders,” said the director.\n' $(((i + 100 * p) / 100))
        done
    } >story.txt
    if ((i % 25 == 0)); then
        "$CLI" snapshot story.txt -m "checked revision $i" >/dev/null
    else
        "$CLI" snapshot story.txt >/dev/null
    fi
done
say "built in $(( $(now_ms) - start )) ms ($(wc -c <story.txt) bytes per version)"

start=$(now_ms)
"$CLI" report story.txt -o report.html
report_ms=$(( $(now_ms) - start ))
report_bytes=$(wc -c <report.html)
pairs=$(grep -o '"[0-9a-f]\{40\}\.\.[0-9a-f]\{40\}":' report.html | wc -l)
cut=$(grep -c '"pairs_cut":true' report.html || true)

start=$(now_ms)
git --git-dir="$(git rev-parse --git-dir)/dateline" log -p --word-diff "refs/dateline/story.txt" \
    >git-log.txt 2>/dev/null || git log -p --word-diff --all >git-log.txt
git_ms=$(( $(now_ms) - start ))
git_bytes=$(wc -c <git-log.txt)

say "dateline report, $VERSIONS versions: ${report_ms} ms, $((report_bytes / 1024)) KB, $pairs comparisons embedded$([ "$cut" -gt 0 ] && echo ' (budget reached: some pairs left out)')"
say "reference: git log -p --word-diff of the same history: ${git_ms} ms, $((git_bytes / 1024)) KB"
