#!/usr/bin/env bash
# Make the screenshots in docs/ from the demo article (tests/fixtures/demo.article):
#   docs/screenshot.png  the article with the outline open, the cursor on a quotation
#   docs/diffview.png    :Dateline diff after deleting a paragraph and changing a quotation
#   docs/history.png     :Dateline history with sessions, a trivial save and the preview
#
# Like `./build.sh demo`, each works on a copy of the demo in a temporary
# folder with its history in a temporary store: the checkout and the user's
# own history stay untouched. Neovim runs in tmux, the screen is captured
# with its colours (capture-pane -e), tools/ansi2svg.py draws it as SVG and
# rsvg-convert (Debian: apt-get install librsvg2-bin) turns that into PNG.
# Run after ./build.sh build:  tools/screenshot.sh [OUTPUT_DIR]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT_DIR=${1:-$ROOT/docs}
COLUMNS=150 ROWS=32
export PATH="${DATELINE_CACHE:-$ROOT/.cache}/bin:$PATH"
DATELINE=$ROOT/plugin/bin/dateline

command -v rsvg-convert >/dev/null || { echo "screenshot.sh: needs rsvg-convert (apt-get install librsvg2-bin)" >&2; exit 1; }
[ -f "$ROOT/plugin/parser/article.so" ] && [ -x "$DATELINE" ] ||
    { echo "screenshot.sh: run ./build.sh build first" >&2; exit 1; }

# One tmux server per screenshot: a server being killed may still hold the
# socket when the next one starts.
sockets=()
work=$(mktemp -d)
cleanup() {
    local socket
    for socket in "${sockets[@]}"; do
        tmux -L "$socket" kill-server 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

# A fresh copy of the demo and an empty history store for one screenshot;
# prints the article's path.
fresh_demo() {
    rm -rf "$work/article" "$work/history"
    mkdir -p "$work/article"
    cp "$ROOT/tests/fixtures/demo.article" "$work/article/demo.article"
    echo "$work/article/demo.article"
}

# Record the article's current text as a version by AUTHOR, with an optional note.
snapshot() {
    local author=$1 note=${2:-}
    GIT_AUTHOR_NAME=$author GIT_AUTHOR_EMAIL="$(echo "$author" | tr 'A-Z ' 'a-z.')@riverton.example" \
        DATELINE_STORE=$work/history "$DATELINE" snapshot ${note:+-m "$note"} "$work/article/demo.article" >/dev/null
}

# Replace the first occurrence of OLD by NEW in the demo copy.
edit_demo() {
    python3 - "$work/article/demo.article" "$1" "$2" <<'EOF'
import sys
path, old, new = sys.argv[1:4]
text = open(path, encoding='utf-8').read()
assert old in text, old
open(path, 'w', encoding='utf-8').write(text.replace(old, new, 1))
EOF
}

# Run Neovim on the demo copy in tmux with the Lua in $work/scene.lua, which
# calls ready() once the screen shows what it should; capture it as OUT.
shoot() {
    local out=$1
    cat > "$work/init.lua" <<'EOF'
vim.o.laststatus = 2
vim.o.statusline = ' %t %= %{v:lua.require("dateline").status()} '
vim.o.spelllang = 'en'
-- The scene says when the screen is ready to be captured.
function _G.ready()
  vim.cmd('redraw')
  vim.fn.writefile({ 'ready' }, vim.env.SCREENSHOT_READY)
end
-- Poll `predicate` every 50 ms, then run `then_do`.
function _G.when(predicate, then_do)
  local timer = (vim.uv or vim.loop).new_timer()
  timer:start(50, 50, vim.schedule_wrap(function()
    if predicate() then
      timer:stop()
      timer:close()
      then_do()
    end
  end))
end
vim.api.nvim_create_autocmd('VimEnter', {
  callback = function()
    vim.schedule(function()
      dofile(vim.env.SCREENSHOT_SCENE)
    end)
  end,
})
EOF
    local socket=dateline-screenshot-$$-${#sockets[@]}
    sockets+=("$socket")
    rm -f "$work/ready"
    tmux -L "$socket" new-session -d -x "$COLUMNS" -y "$ROWS" \
        "SCREENSHOT_READY='$work/ready' SCREENSHOT_SCENE='$work/scene.lua' DATELINE_STORE='$work/history' \
         GIT_AUTHOR_NAME='Priya Natarajan' GIT_AUTHOR_EMAIL='priya.natarajan@riverton.example' \
         nvim --clean -n -i NONE --cmd 'set runtimepath^=$ROOT/plugin' -u '$work/init.lua' '$work/article/demo.article'"
    tmux -L "$socket" set-option -g default-terminal tmux-256color >/dev/null
    for _ in $(seq 1 200); do
        [ -f "$work/ready" ] && break
        sleep 0.1
    done
    [ -f "$work/ready" ] || { echo "screenshot.sh: Neovim did not get ready for ${out##*/}" >&2; exit 1; }
    sleep 0.5
    tmux -L "$socket" capture-pane -e -p > "$work/screen.ansi"
    python3 "$ROOT/tools/ansi2svg.py" "$COLUMNS" "$ROWS" < "$work/screen.ansi" > "$work/screen.svg"
    mkdir -p "$(dirname "$out")"
    rsvg-convert -o "$out" "$work/screen.svg"
    tmux -L "$socket" kill-server 2>/dev/null || true
    echo "wrote $out"
}

# 1. The outline, the cursor in the third paragraph's second quotation so
#    that the outline shows its current item.
fresh_demo >/dev/null
cat > "$work/scene.lua" <<'EOF'
vim.fn.search('I rode the 2 a.m.')
vim.cmd('Dateline outline')
-- The counts and speakers are the server's: ready once it answered.
require('dateline.article').fetch(0, function()
  ready()
end)
EOF
shoot "$OUT_DIR/screenshot.png"

# 2. The diff view: against the filed version, ¶5 deleted and a word of
#    Hardesty's quotation changed in the buffer (not yet written).
fresh_demo >/dev/null
snapshot 'Priya Natarajan' 'filed'
cat > "$work/scene.lua" <<'EOF'
local row = vim.fn.search('^Transit director Dana Whitcomb') - 1
vim.api.nvim_buf_set_lines(0, row, row + 2, false, {})
vim.fn.search('empty buses')
vim.cmd('normal! wcwcoaches')
vim.fn.cursor(1, 1)
vim.cmd('Dateline diff')
local ns = require('dateline.diffview').ns
when(function()
  return #vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, { limit = 4 }) >= 3
end, function()
  vim.fn.search('Council member Tom')
  vim.cmd('normal! zt')
  ready()
end)
EOF
shoot "$OUT_DIR/diffview.png"

# 3. The history browser: Priya's first session of three saves, the copy
#    editor's annotated version, and Priya's session in progress with a
#    trivial save; the cursor on the folded session, its preview beside it.
fresh_demo >/dev/null
snapshot 'Priya Natarajan'
edit_demo 'voted 5-2 on Monday' 'voted 5-2 late Monday'
snapshot 'Priya Natarajan'
edit_demo 'grew from about 900 trips' 'grew from about 850 trips'
snapshot 'Priya Natarajan' 'ridership figure from the transit office'
edit_demo 'ending a two-year pilot' 'ending a pilot'
snapshot 'Dana Ruiz' 'copy edit: tightened the lead'
edit_demo 'The service will cost' 'The  service will cost'
snapshot 'Priya Natarajan'
edit_demo 'deserve a way to get to work,”' 'deserve a way to get to work, day or night,”'
snapshot 'Priya Natarajan' 'fuller quote from the mayor'
cat > "$work/scene.lua" <<'EOF'
require('dateline.history').open(0, function(history_buf)
  local lines = vim.api.nvim_buf_get_lines(history_buf, 0, -1, false)
  for row, line in ipairs(lines) do
    if line:find('^▸') then
      vim.api.nvim_win_set_cursor(0, { row, 0 })
    end
  end
  vim.api.nvim_exec_autocmds('CursorMoved', { buffer = history_buf })
  when(function()
    for _, win in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
      local buf = vim.api.nvim_win_get_buf(win)
      if vim.bo[buf].filetype == 'dateline-preview' and vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1] ~= '' then
        return true
      end
    end
  end, ready)
end)
EOF
shoot "$OUT_DIR/history.png"
