# `./build.sh demo` opens the example article in a real Neovim with the plugin
# on its runtimepath and the user's configuration left out. Driven in tmux.
set -u
. "$(dirname "$0")/tap.sh"
cd "$ROOT" || exit 1

socket=dateline-demo-$$
report=$(mktemp)
fixture=$ROOT/tests/fixtures/demo.article
headline=$(head -n1 "$fixture")
# A HOME with a broken init.lua proves the demo does not read the user's config.
home=$(mktemp -d)
mkdir -p "$home/.config/nvim"
echo 'error("the demo must not load the user config")' > "$home/.config/nvim/init.lua"

tmux -L "$socket" new-session -d -x 120 -y 40 "env HOME=$home ./build.sh demo"
screen=""
for _ in $(seq 1 600); do
    screen=$(tmux -L "$socket" capture-pane -p 2>/dev/null || true)
    grep -qF "$headline" <<<"$screen" && break
    sleep 0.1
done
check "the demo shows the example article's headline" grep -qF "$headline" <<<"$screen"
check "no error is shown on opening" test -z "$(grep -E 'E[0-9]+:|Error' <<<"$screen")"

tmux -L "$socket" send-keys Escape ":lua vim.fn.writefile({vim.api.nvim_buf_get_name(0), vim.o.runtimepath, vim.bo.filetype, vim.env.MYVIMRC or ''}, '$report')" Enter
for _ in $(seq 1 100); do [ -s "$report" ] && break; sleep 0.1; done
tmux -L "$socket" send-keys ":qa!" Enter
sleep 0.3
tmux -L "$socket" kill-server 2>/dev/null || true

check_eq "the buffer is the example article" "$fixture" "$(sed -n 1p "$report")"
check "the plugin directory is on the runtimepath" grep -qF "$ROOT/plugin" <(sed -n 2p "$report")
check_eq "the article is detected as an article" "article" "$(sed -n 3p "$report")"
check_eq "no user init file was loaded" "" "$(sed -n 4p "$report")"
rm -rf "$report" "$home"

done_testing
