# `./build.sh demo` opens a copy of the example article in a real Neovim with
# the plugin on its runtimepath and the user's configuration left out; saving
# there records history in a temporary store and leaves the checkout clean.
# Driven in tmux.
set -u
. "$(dirname "$0")/tap.sh"
cd "$ROOT" || exit 1

socket=dateline-demo-$$
report=$(mktemp)
fixture=$ROOT/tests/fixtures/demo.article
headline=$(head -n1 "$fixture")
fixture_sum=$(cksum < "$fixture")
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

# An edit and a save, as a writer trying the demo would make.
tmux -L "$socket" send-keys Escape "GoA line added in the demo." Escape ":w" Enter
tmux -L "$socket" send-keys ":lua vim.fn.writefile({vim.api.nvim_buf_get_name(0), vim.o.runtimepath, vim.bo.filetype, vim.env.MYVIMRC or '', vim.env.DATELINE_STORE or ''}, '$report')" Enter
for _ in $(seq 1 100); do [ -s "$report" ] && break; sleep 0.1; done
copy=$(sed -n 1p "$report")
store=$(sed -n 5p "$report")
# The server records after the write returns: wait for the version.
for _ in $(seq 1 100); do
    [ -n "$store" ] && git --git-dir="$store" for-each-ref refs/dateline 2>/dev/null | grep -q . && break
    sleep 0.1
done
recorded=$(git --git-dir="$store" for-each-ref --format='%(refname)' refs/dateline 2>/dev/null | wc -l)
tmux -L "$socket" send-keys ":qa!" Enter
for _ in $(seq 1 50); do tmux -L "$socket" has-session 2>/dev/null || break; sleep 0.1; done
tmux -L "$socket" kill-server 2>/dev/null || true

check_eq "the buffer is a copy of the example article" "$(basename "$fixture")" "$(basename "$copy")"
check "the copy is outside the checkout" test "${copy#"$ROOT"/}" = "$copy"
check "the plugin directory is on the runtimepath" grep -qF "$ROOT/plugin" <(sed -n 2p "$report")
check_eq "the article is detected as an article" "article" "$(sed -n 3p "$report")"
check_eq "no user init file was loaded" "" "$(sed -n 4p "$report")"
check "history goes to a temporary store outside the checkout" test -n "$store" -a "${store#"$ROOT"/}" = "$store"
check_eq "the save was recorded there" 1 "$recorded"
check_eq "the example article is unchanged" "$fixture_sum" "$(cksum < "$fixture")"
check_eq "the checkout is clean" "" "$(git -C "$ROOT" status --porcelain -- tests/fixtures 2>/dev/null)"
check "the copy and its store are removed on exit" test ! -e "$copy" -a ! -e "$store"
rm -rf "$report" "$home"

done_testing
