# History in Neovim: what a :write costs with dateline attached to its
# language server (recording happens in the server, after :write returned)
# against the same writes without the plugin; how long until the version is
# recorded; and opening the history browser on an article with 1,000
# versions. Run by ./build.sh bench.
set -euo pipefail

ROOT=${DATELINE_ROOT:?DATELINE_ROOT is not set}
CACHE=${DATELINE_CACHE:-$ROOT/.cache}
export PATH="$CACHE/bin:$PATH"
VERSIONS=${BENCH_VERSIONS:-1000}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export HOME=$WORK/home GIT_CONFIG_GLOBAL=$WORK/gitconfig XDG_DATA_HOME=$WORK/data
mkdir -p "$HOME/.local/state/nvim"
printf '[user]\n\tname = Bench\n\temail = bench@example.com\n' > "$GIT_CONFIG_GLOBAL"

run_one() { # run_one MODE -> JSON
    local mode=$1 repo=$WORK/repo-$1 out=$WORK/result-$1.json
    git init -q "$repo"
    cp "${DATELINE_SHARED:-$ROOT/../shared}/seeds/000_8262d85f5fa5c412.txt" "$repo/story.article"
    chmod u+w "$repo/story.article"
    local plugin_args=()
    [ "$mode" != plain ] && plugin_args=(--cmd "set runtimepath^=$ROOT/plugin")
    BENCH_FILE=$repo/story.article BENCH_MODE=$mode BENCH_OUT=$out BENCH_VERSIONS=$VERSIONS \
        nvim --clean --headless -n -i NONE "${plugin_args[@]}" --cmd 'set noswapfile' \
        -c "luafile $ROOT/bench/nvim_history.lua" >/dev/null 2>&1 || true
    [ -s "$out" ] || { echo "bench: no result from the $mode run" >&2; exit 1; }
    cat "$out"
}

plain=$(run_one plain)
noserver=$(run_one noserver)
plugin=$(run_one plugin)
jq -rn --argjson plain "$plain" --argjson noserver "$noserver" --argjson plugin "$plugin" --arg versions "$VERSIONS" '
    def f: . * 1000 | round / 1000;
    if $plugin.error then "bench: " + $plugin.error | halt_error(1) else . end |
    ":write (mean / median / p95): with dateline \($plugin.write.mean | f) / \($plugin.write.median | f) / \($plugin.write.p95 | f) ms,",
    "  without the plugin \($plain.write.mean | f) / \($plain.write.median | f) / \($plain.write.p95 | f) ms; extra \($plugin.write.mean - $plain.write.mean | f) ms (goal: under 1 ms)",
    "  the plugin without a server (cmd = false) \($noserver.write.mean | f) / \($noserver.write.median | f) ms: the server costs \($plugin.write.mean - $noserver.write.mean | f) ms of it",
    "write to recorded (mean / median / p95): \($plugin.recorded.mean | f) / \($plugin.recorded.median | f) / \($plugin.recorded.p95 | f) ms (in the server, off the editor)",
    "history browser at \($versions) versions (\($plugin.browser_lines) lines): first open \($plugin.browser_open_ms | f) ms, again \($plugin.browser_open_again.median | f) ms median (goal: under 100 ms)",
    "  (\($versions) versions recorded through :write in \($plugin.grow_s | . * 10 | round / 10) s)",
    "<CR> on a version in the browser (mean / median / p95, 20 in a row): \($plugin.version_open.mean | f) / \($plugin.version_open.median | f) / \($plugin.version_open.p95 | f) ms;",
    "  windows after the first <CR>: \($plugin.windows_after_first_open), after 20: \($plugin.windows_after_20_opens) (one version window, reused)"'
