#!/usr/bin/env bash
# Make docs/screenshot.png: the demo article (tests/fixtures/demo.article) in
# Neovim with the plugin, the outline open and the cursor on a quotation.
#
# Neovim runs in tmux, the screen is captured with its colours
# (capture-pane -e), tools/ansi2svg.py draws it as SVG and rsvg-convert
# (Debian: apt-get install librsvg2-bin) turns that into PNG.
# Run after ./build.sh build:  tools/screenshot.sh [OUTPUT.png]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/docs/screenshot.png}
COLUMNS=150 ROWS=32
export PATH="$ROOT/.cache/bin:$PATH"

command -v rsvg-convert >/dev/null || { echo "screenshot.sh: needs rsvg-convert (apt-get install librsvg2-bin)" >&2; exit 1; }
[ -f "$ROOT/plugin/parser/article.so" ] || { echo "screenshot.sh: run ./build.sh build first" >&2; exit 1; }

socket=dateline-screenshot-$$
work=$(mktemp -d)
trap 'tmux -L "$socket" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT

# A statusline with dateline's counts, and the cursor in the third paragraph's
# second quotation, so that the outline shows its current item.
cat > "$work/init.lua" <<'EOF'
vim.o.laststatus = 2
vim.o.statusline = ' %t %= %{v:lua.require("dateline").status()} '
vim.o.spell = true
vim.api.nvim_create_autocmd('VimEnter', {
  callback = function()
    vim.schedule(function()
      vim.fn.search('I rode the 2 a.m.')
      vim.cmd('Dateline outline')
      -- The counts and speakers are the server's: ready once it answered.
      require('dateline.article').fetch(0, function()
        vim.cmd('redraw')
        vim.fn.writefile({ 'ready' }, vim.env.SCREENSHOT_READY)
      end)
    end)
  end,
})
EOF

tmux -L "$socket" new-session -d -x "$COLUMNS" -y "$ROWS" \
    "SCREENSHOT_READY='$work/ready' nvim --clean -n -i NONE --cmd 'set runtimepath^=$ROOT/plugin' -u '$work/init.lua' '$ROOT/tests/fixtures/demo.article'"
tmux -L "$socket" set-option -g default-terminal tmux-256color >/dev/null
for _ in $(seq 1 100); do
    [ -f "$work/ready" ] && break
    sleep 0.1
done
[ -f "$work/ready" ] || { echo "screenshot.sh: Neovim did not get ready" >&2; exit 1; }
sleep 0.5
tmux -L "$socket" capture-pane -e -p > "$work/screen.ansi"
python3 "$ROOT/tools/ansi2svg.py" "$COLUMNS" "$ROWS" < "$work/screen.ansi" > "$work/screen.svg"
mkdir -p "$(dirname "$OUT")"
rsvg-convert -o "$OUT" "$work/screen.svg"
echo "wrote $OUT"
