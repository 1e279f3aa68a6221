# Neovim side: time to the first highlighted screen and time per keystroke for
# a 1 MB and a 10 MB article, each against the same file opened as plain text
# (no plugin) in the same run, plus the plugin's startup cost when no article
# is opened. Run by ./build.sh bench; Neovim runs in tmux so that it has a real
# UI and draws (and highlights) as it would for a user.
set -euo pipefail

ROOT=${DATELINE_ROOT:?DATELINE_ROOT is not set}
CACHE=${DATELINE_CACHE:-$ROOT/.cache}
WORK=$CACHE/bench
mkdir -p "$WORK"
export PATH="$CACHE/bin:$PATH"

# A deterministic article of about SIZE bytes: the reference article's
# paragraphs, numbered so that no two are equal, with a subhead every 25
# paragraphs and an annotation now and then.
generate() { # generate SIZE FILE
    local size=$1 file=$2
    [ -f "$file" ] && [ "$(stat -c %s "$file")" -ge "$size" ] && return 0
    awk -v size="$size" '
        NR == 1 { next }
        NF > 0 { body[++n] = $0 }
        END {
            print "Parler sues Amazon: the benchmark edition"
            printf "\nOLYMPIA, WA – %s\n", substr(body[1], index(body[1], "–") + 4)
            bytes = 200
            for (i = 1; bytes < size; i++) {
                text = body[(i % (n - 1)) + 2]
                if (i % 25 == 0) { printf "\nPart %d of the story\n", i / 25; bytes += 22 }
                if (i % 40 == 0) text = text " {++Added in revision " i ".++}{>>check this<<}"
                printf "\n%s (%d)\n", text, i
                bytes += length(text) + 8
            }
        }' "${DATELINE_SHARED:-$ROOT/../shared}/seeds/000_8262d85f5fa5c412.txt" > "$file"
}

run_one() { # run_one MODE FILE -> JSON on stdout
    local mode=$1 file=$2
    local out=$WORK/result-$mode.json socket=dateline-bench-$$
    rm -f "$out"
    local plugin_args=""
    [ "$mode" = article ] && plugin_args="--cmd 'set runtimepath^=$ROOT/plugin'"
    tmux -L "$socket" new-session -d -x 160 -y 50 \
        "BENCH_FILE='$file' BENCH_MODE=$mode BENCH_OUT='$out' nvim --clean -n -i NONE $plugin_args --cmd 'set noswapfile' -c 'luafile $ROOT/bench/nvim_bench.lua'"
    for _ in $(seq 1 1200); do
        [ -s "$out" ] && break
        sleep 0.1
    done
    tmux -L "$socket" kill-server 2>/dev/null || true
    [ -s "$out" ] || { echo "bench: no result from the $mode run on $file" >&2; exit 1; }
    cat "$out"
}

startup_ms() { # startup_ms [nvim args...] -> mean wall time of 10 starts
    local total=0 start end
    for _ in $(seq 1 10); do
        start=$(date +%s%N)
        nvim --clean --headless -n -i NONE "$@" +qa
        end=$(date +%s%N)
        total=$((total + end - start))
    done
    awk -v ns="$total" 'BEGIN { printf "%.1f", ns / 10 / 1e6 }'
}

printf 'startup without an article: %s ms with the plugin, %s ms without\n' \
    "$(startup_ms --cmd "set runtimepath^=$ROOT/plugin")" "$(startup_ms)"

for spec in 1:1048576 10:10485760; do
    megabytes=${spec%%:*}
    file=$WORK/article-${megabytes}mb.article
    generate "${spec#*:}" "$file"
    plain=$(run_one plain "$file")
    article=$(run_one article "$file")
    jq -rn --argjson plain "$plain" --argjson article "$article" --arg mb "$megabytes" --arg bytes "$(stat -c %s "$file")" '
        def f: . * 100 | round / 100;
        if $article.error then "bench: " + $article.error | halt_error(1) else . end |
        "\($mb) MB article (\($bytes) bytes, \($article.outline_items) outline items, highlighted: \($article.highlighted)):",
        "  first screen       \($article.open_ms | f) ms   plain text \($plain.open_ms | f) ms   extra \($article.open_ms - $plain.open_ms | f) ms",
        "  per keystroke mean \($article.key_mean_ms | f) ms   plain text \($plain.key_mean_ms | f) ms   extra \($article.key_mean_ms - $plain.key_mean_ms | f) ms",
        "  per keystroke p95  \($article.key_p95_ms | f) ms   plain text \($plain.key_p95_ms | f) ms",
        "  new paragraph near the top, mean \($article.split_mean_ms | f) ms   plain text \($plain.split_mean_ms | f) ms",
        "  outline: open \($article.outline_open_ms | f) ms, refresh after a pause \($article.outline_refresh_ms | f) ms; status recount by the core through the server \($article.status_count_ms | f) ms (right after the keystrokes and splits above: \($article.status_burst_ms | f) ms)"'
done
