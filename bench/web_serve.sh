# dateline serve benchmark: the index of a store with 1,000 articles and
# the history page of an article with 10,000 versions, each timed to its
# first byte and to its last, and loaded by several clients at once. The
# reference, measured in the same run: the same bytes served from memory
# by node's http module, the fastest that page can arrive here whatever
# makes it. Run by `./build.sh bench`, or directly:
#   DATELINE_ROOT=$PWD bash bench/web_serve.sh
#
# Goal (issue 18): each page usable within a second, on the big store.
set -euo pipefail

ROOT=${DATELINE_ROOT:?DATELINE_ROOT is not set}
ARTICLES=${SERVE_BENCH_ARTICLES:-1000}
VERSIONS=${SERVE_BENCH_VERSIONS:-10000}
CONCURRENCY=${SERVE_BENCH_CONCURRENCY:-8}
SECONDS_EACH=${SERVE_BENCH_SECONDS:-3}
OUT=$ROOT/build/bench
mkdir -p "$OUT"

# The 10,000-version history is made in process by the history benchmark's driver.
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -Wall -Wextra -Werror -I$ROOT/plugin/include -I$ROOT/build/generated"
LIBS="$(pkg-config --libs libgit2 tree-sitter jansson zlib) -lpthread"
make -C "$ROOT" --no-print-directory -s build/release/libdateline.a plugin/bin/dateline >/dev/null
cc $CFLAGS "$ROOT/bench/history_bench.c" "$ROOT/build/release/libdateline.a" $LIBS \
    -o "$OUT/history_bench"
CLI=$ROOT/plugin/bin/dateline
LOAD=$ROOT/bench/web_serve_load.mjs

work=$(mktemp -d)
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
export HOME=$work/home XDG_DATA_HOME=$work/data GIT_CONFIG_GLOBAL=$work/home/.gitconfig
unset DATELINE_STORE
mkdir -p "$HOME"
git config --global user.name Bench
git config --global user.email bench@example.com

# --- the stores ---
git init -q -b master "$work/many"
for i in $(seq 1 "$ARTICLES"); do
    dir=$work/many/desk$((i % 20))
    mkdir -p "$dir"
    printf 'Story %d of the day\n\nSPRINGFIELD – Paragraph one of story %d.\n\n“A quotation,” a source said.\n' \
        "$i" "$i" > "$dir/story$i.txt"
    (cd "$work/many" && "$CLI" snapshot "desk$((i % 20))/story$i.txt" -m "filed $i" >/dev/null)
done
git init -q -b master "$work/big"
"$OUT/history_bench" inproc "$work/big/story.txt" "$VERSIONS" >/dev/null

# start_server DIR: a server on a free port; sets $port.
start_server() {
    local log=$work/serve-$RANDOM.log
    "$CLI" serve "$1" --port 0 >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do
        port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$log")
        [ -n "$port" ] && return 0
        sleep 0.1
    done
    echo "dateline serve did not start:" >&2
    cat "$log" >&2
    exit 1
}

field() { awk -v k="$1" '$1 == k {print $2}' "$2"; }

# measure LABEL URL: dateline serving URL, then the reference serving its bytes.
measure() {
    local label=$1 url=$2 name
    name=$(printf '%s' "$label" | tr -c 'a-z0-9' _)
    node "$LOAD" "$url" "$CONCURRENCY" "$SECONDS_EACH" > "$work/$name.dl"
    node -e "require('http').get(process.argv[1], (r) => r.pipe(process.stdout))" "$url" > "$work/$name.body"
    node "$ROOT/bench/web_serve_static.mjs" "$work/$name.body" > "$work/$name.port" &
    pids+=($!)
    local ref_port=
    for _ in $(seq 1 100); do
        ref_port=$(field port "$work/$name.port")
        [ -n "$ref_port" ] && break
        sleep 0.1
    done
    node "$LOAD" "http://127.0.0.1:$ref_port/" "$CONCURRENCY" "$SECONDS_EACH" > "$work/$name.ref"
    printf '%-34s %9s %9s %9s %9s %9s %7s\n' "$label" \
        "$(field ttfb_ms "$work/$name.dl")" "$(field full_ms "$work/$name.dl")" \
        "$(field rps "$work/$name.dl")" "$(field full_ms "$work/$name.ref")" \
        "$(field rps "$work/$name.ref")" "$(( $(field bytes "$work/$name.dl") / 1024 ))"
    [ "$(field errors "$work/$name.dl")" = 0 ] || echo "  ($(field errors "$work/$name.dl") requests failed)"
}

echo
echo "dateline serve: medians of 20 requests; req/s with $CONCURRENCY clients for ${SECONDS_EACH}s"
echo "(reference: the same bytes from memory by node's http module; goal: full page < 1000 ms)"
printf '%-34s %9s %9s %9s %9s %9s %7s\n' "" "ttfb ms" "full ms" "req/s" "ref ms" "ref req/s" "KB"
start_server "$work/many"
measure "index, $ARTICLES articles" "http://127.0.0.1:$port/"
measure "history page, 1 version" "http://127.0.0.1:$port/article/desk1/story1.txt"
measure "/api/articles, $ARTICLES articles" "http://127.0.0.1:$port/api/articles"
start_server "$work/big"
measure "history page, $VERSIONS versions" "http://127.0.0.1:$port/article/story.txt"
measure "/api/log, $VERSIONS versions" "http://127.0.0.1:$port/api/log?path=story.txt"
measure "/api/diff, 100 versions apart" "http://127.0.0.1:$port/api/diff?path=story.txt&a=%40~100&b=%40"
