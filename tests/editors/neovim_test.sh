#!/usr/bin/env bash
# The ways docs tell people to get dateline into Neovim, each run headless as
# a user would: the installed package, the runtime directory added by hand,
# lazy-loading on `ft = 'article'` the way lazy.nvim does it, and the LSP
# snippet of docs/editors.md with no plugin at all.
set -u
. "${DATELINE_ROOT:?}/tests/sh/tap.sh"
scratch_git_world
RUNTIME=$ROOT/plugin
EDITOR_TIMEOUT=${DATELINE_EDITOR_TIMEOUT:-30}

# Articles of our own: one named like the corpus's seeds, one *.article, and a
# plain note that must stay text.
mkdir -p "$scratch/news"
cp "$ROOT/tests/fixtures/wire-story.article" "$scratch/news/story.article"
cp "$ROOT/tests/fixtures/wire-story.article" "$scratch/news/000_0123456789abcdef.txt"
printf 'call the printer about friday\n' >"$scratch/news/notes.txt"

# probe INIT FILE...: open each FILE in a headless Neovim started with the
# init file INIT and print "<name> <filetype> <plugin loaded>" per file.
probe() {
    local init=$1
    shift
    cat >"$scratch/probe.lua" <<'LUA'
for _, path in ipairs(_G.probe_files) do
  vim.cmd.edit(vim.fn.fnameescape(path))
  io.stdout:write(string.format('%s %s %s\n', vim.fs.basename(path), vim.bo.filetype,
    vim.fn.exists(':Dateline') == 2 and 'plugin' or 'no-plugin'))
end
vim.cmd('qall!')
LUA
    local files
    files=$(printf "'%s'," "$@")
    XDG_CONFIG_HOME=$scratch/config timeout "$EDITOR_TIMEOUT" \
        nvim --headless -n -i NONE -u "$init" \
        --cmd "lua _G.probe_files = { ${files%,} }" \
        -c "luafile $scratch/probe.lua" 2>&1 </dev/null
}

expected_all="story.article article plugin
000_0123456789abcdef.txt article plugin
notes.txt text plugin"

# 1. Plain packages: ./build.sh install with PREFIX and XDG_DATA_HOME in a
# scratch directory, then a Neovim that only reads its default packpath.
# (Its own data directory: the other probes must not find the package.)
if out=$(PREFIX=$scratch/prefix XDG_DATA_HOME=$scratch/installed "$ROOT/build.sh" install 2>&1); then
    tap_ok "./build.sh install into a scratch PREFIX and XDG_DATA_HOME"
else
    tap_not_ok "./build.sh install into a scratch PREFIX and XDG_DATA_HOME" "$out"
fi
check "the CLI is installed under PREFIX" test -x "$scratch/prefix/bin/dateline"
printf '' >"$scratch/empty.lua"
check_eq "installed package: articles are detected and the plugin is loaded" "$expected_all" \
    "$(PATH=$scratch/prefix/bin:$PATH XDG_DATA_HOME=$scratch/installed probe "$scratch/empty.lua" \
        "$scratch/news/story.article" "$scratch/news/000_0123456789abcdef.txt" "$scratch/news/notes.txt")"

# 2. The runtime directory added to 'runtimepath' by hand in init.lua.
printf "vim.opt.rtp:append('%s')\\n" "$RUNTIME" >"$scratch/by-hand.lua"
check_eq "runtime directory added by hand: articles are detected" "$expected_all" \
    "$(probe "$scratch/by-hand.lua" \
        "$scratch/news/story.article" "$scratch/news/000_0123456789abcdef.txt" "$scratch/news/notes.txt")"

# 3. Only ftdetect sourced, as lazy.nvim does at startup for a plugin with
# `ft`: the filetype must be known before anything else of dateline loads.
printf "vim.cmd.source('%s')\\n" "$RUNTIME/ftdetect/dateline.lua" >"$scratch/ftdetect-only.lua"
check_eq "ftdetect alone: *.article and a seed-named .txt are articles, a note is text" \
    "story.article article no-plugin
000_0123456789abcdef.txt article no-plugin
notes.txt text no-plugin" \
    "$(probe "$scratch/ftdetect-only.lua" \
        "$scratch/news/story.article" "$scratch/news/000_0123456789abcdef.txt" "$scratch/news/notes.txt")"

# 4. The README's lazy.nvim spec (plugin.dir is the clone's top), replayed the way lazy.nvim's loader runs it
# (lazy/core/loader.lua): `init` at startup; on the FileType event, every
# plugin/**/*.{lua,vim} under the plugin's directory sourced in sorted order,
# then `config`, then FileType again for the buffer.
cat >"$scratch/lazy.lua" <<LUA
local plugin = { dir = '$ROOT' }
local spec_init = function(plugin)
  vim.opt.rtp:append(plugin.dir .. '/plugin')
  vim.cmd.source(plugin.dir .. '/plugin/ftdetect/dateline.lua')
end
spec_init(plugin)
local loaded = false
vim.api.nvim_create_autocmd('FileType', {
  pattern = 'article',
  callback = function(event)
    -- lazy.nvim removes its handler before loading; the FileType it fires
    -- again must not come back here.
    if loaded then
      return
    end
    loaded = true
    local files = vim.fn.globpath(plugin.dir .. '/plugin', '**/*.{lua,vim}', false, true)
    table.sort(files)
    for _, file in ipairs(files) do
      vim.cmd.source(file)
    end
    -- main = 'dateline', opts = {}
    require('dateline').setup({})
    vim.api.nvim_exec_autocmds('FileType', { buffer = event.buf })
  end,
})
LUA
check_eq "lazy.nvim (ft = 'article'): the plugin loads on the first article" \
    "000_0123456789abcdef.txt article plugin" \
    "$(probe "$scratch/lazy.lua" "$scratch/news/000_0123456789abcdef.txt")"

# 5. No plugin: the snippet of docs/editors.md, as printed there, starts the
# server, and the outline of the article arrives.
awk '/^## Neovim/ {n=1} n && /^```lua/ {code=1; next} code && /^```/ {exit} code' \
    "$ROOT/docs/editors.md" >"$scratch/snippet.lua"
cat >"$scratch/symbols.lua" <<'LUA'
vim.cmd.edit(vim.fn.fnameescape(_G.article))
io.stdout:write('filetype ' .. vim.bo.filetype .. '\n')
local attached = vim.wait(10000, function()
  return #vim.lsp.get_clients({ bufnr = 0, name = 'dateline' }) > 0
end, 50)
io.stdout:write('attached ' .. tostring(attached) .. '\n')
if attached then
  local responses = vim.lsp.buf_request_sync(0, 'textDocument/documentSymbol',
    { textDocument = vim.lsp.util.make_text_document_params() }, 10000) or {}
  for _, response in pairs(responses) do
    for _, symbol in ipairs(response.result or {}) do
      io.stdout:write('symbol ' .. symbol.name .. '\n')
    end
    if response.err then
      io.stdout:write('error ' .. vim.inspect(response.err) .. '\n')
    end
  end
end
vim.cmd('qall!')
LUA
git -C "$scratch/news" init -q
out=$(cd "$scratch/news" && PATH=$ROOT/plugin/bin:$PATH XDG_CONFIG_HOME=$scratch/config \
    timeout "$EDITOR_TIMEOUT" nvim --headless -n -i NONE -u "$scratch/snippet.lua" \
    --cmd "lua _G.article = '$scratch/news/000_0123456789abcdef.txt'" \
    -c "luafile $scratch/symbols.lua" 2>&1 </dev/null)
check "docs snippet without the plugin: a seed-named .txt is an article" grep -qx 'filetype article' <<<"$out"
check "docs snippet without the plugin: the server starts and attaches" grep -qx 'attached true' <<<"$out"
headline=$(head -n1 "$scratch/news/story.article")
if grep -qxF "symbol $headline" <<<"$out"; then
    tap_ok "docs snippet without the plugin: the headline arrives as a symbol"
else
    tap_not_ok "docs snippet without the plugin: the headline arrives as a symbol" "$out"
fi

done_testing
