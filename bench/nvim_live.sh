# The live diff view, blame and the changed-paragraph signs (issue 17): time
# per keystroke with all three on (the signs are on by default),
# for a 5 KB and a 1 MB article, against the same typing in the plugin-less
# editor, and the time from a key to both views showing the new text. Run by
# ./build.sh bench; Neovim runs in tmux so that it draws as it would for a
# user.
set -euo pipefail

ROOT=${DATELINE_ROOT:?DATELINE_ROOT is not set}
CACHE=${DATELINE_CACHE:-$ROOT/.cache}
SEED=${DATELINE_SHARED:-$ROOT/../shared}/seeds/000_8262d85f5fa5c412.txt
export PATH="$ROOT/plugin/bin:$CACHE/bin:$PATH"
[ -f "$SEED" ] || { echo "nvim_live: skipped, no reference article at $SEED"; exit 0; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The benchmark's own identity and store: nothing of the user's is read.
export HOME=$WORK/home GIT_CONFIG_GLOBAL=$WORK/gitconfig XDG_DATA_HOME=$WORK/home/data
mkdir -p "$HOME/.local/state/nvim"
printf '[user]\n\tname = Bench\n\temail = bench@example.com\n' > "$GIT_CONFIG_GLOBAL"
unset DATELINE_STORE

# An article of about SIZE bytes from the reference article's paragraphs,
# numbered so that no two are equal.
generate() { # generate SIZE FILE
    awk -v size="$1" '
        NR == 1 { next }
        NF > 0 { body[++n] = $0 }
        END {
            print "Parler sues Amazon: the benchmark edition"
            bytes = 40
            for (i = 1; bytes < size; i++) {
                text = body[(i % n) + 1]
                printf "\n%s (%d)\n", text, i
                bytes += length(text) + 8
            }
        }' "$SEED" > "$2"
}

run_one() { # run_one MODE FILE -> JSON on stdout
    local mode=$1 file=$2
    local out=$WORK/result-$mode.json socket=dateline-live-$$
    rm -f "$out"
    local plugin_args=""
    [ "$mode" = live ] && plugin_args="--cmd 'set runtimepath^=$ROOT/plugin'"
    tmux -L "$socket" new-session -d -x 160 -y 50 \
        "BENCH_FILE='$file' BENCH_MODE=$mode BENCH_OUT='$out' nvim --clean -n -i NONE $plugin_args --cmd 'set noswapfile' -c 'luafile $ROOT/bench/nvim_live.lua'"
    for _ in $(seq 1 3000); do
        [ -s "$out" ] && break
        sleep 0.1
    done
    tmux -L "$socket" kill-server 2>/dev/null || true
    [ -s "$out" ] || { echo "nvim_live: no result from the $mode run on $file" >&2; exit 1; }
    cat "$out"
}

# Wall times depend on what else the machine runs; say how busy it was.
[ -r /proc/loadavg ] && echo "nvim_live: load average $(cut -d' ' -f1-3 /proc/loadavg)"
for spec in 5KB:5120 1MB:1048576; do
    label=${spec%%:*}
    dir=$WORK/repo-$label
    git init -q "$dir"
    generate "${spec#*:}" "$dir/story.article"
    cp "$dir/story.article" "$WORK/plain-$label.article"
    plain=$(run_one plain "$WORK/plain-$label.article")
    spell=$(run_one spell "$WORK/plain-$label.article")
    live=$(run_one live "$dir/story.article")
    jq -rn --argjson plain "$plain" --argjson spell "$spell" --argjson live "$live" --arg size "$label" \
        --arg bytes "$(stat -c %s "$dir/story.article")" '
        def f: . * 100 | round / 100;
        if $live.error then "nvim_live: " + $live.error | halt_error(1) else . end |
        "\($size) article (\($bytes) bytes), diff view, blame and changed-paragraph signs on:",
        def cpu: if . == null then "n/a" else (f | tostring) + " ms" end;
        "  per keystroke, burst   mean \($live.burst_mean_ms | f) ms  median \($live.burst_median_ms | f) ms  p95 \($live.burst_p95_ms | f) ms  cpu \($live.burst_cpu_mean_ms | cpu)   plain \($plain.burst_mean_ms | f) / \($plain.burst_median_ms | f) / \($plain.burst_p95_ms | f) ms  cpu \($plain.burst_cpu_mean_ms | cpu)",
        "  per keystroke, paced   mean \($live.paced_mean_ms | f) ms  median \($live.paced_median_ms | f) ms  p95 \($live.paced_p95_ms | f) ms  cpu \($live.paced_cpu_mean_ms | cpu)   plain \($plain.paced_mean_ms | f) / \($plain.paced_median_ms | f) / \($plain.paced_p95_ms | f) ms  cpu \($plain.paced_cpu_mean_ms | cpu)",
        "  plugin-less with spell on (a writer'"'"'s own setup; dateline turns spell on for prose): burst \($spell.burst_mean_ms | f) / \($spell.burst_median_ms | f) ms  cpu \($spell.burst_cpu_mean_ms | cpu), paced \($spell.paced_mean_ms | f) / \($spell.paced_median_ms | f) ms  cpu \($spell.paced_cpu_mean_ms | cpu)",
        "  answers drawn between paced keys (not a key'"'"'s cost): mean \($live.placed_mean_ms | f) ms  p95 \($live.placed_p95_ms | f) ms   plain \($plain.placed_mean_ms | f) ms",
        "  key to both views up to date (150 ms debounce included): mean \($live.marks_mean_ms | f) ms  p95 \($live.marks_p95_ms | f) ms"'
done
