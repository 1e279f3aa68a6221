-- `dateline lsp` from Neovim's own LSP client (vim.lsp.start), without the
-- dateline Lua plugin: symbols, diagnostics, hover and record-on-save on a
-- copy of the reference article in a temporary git repository.
local T = ...

local bin = T.root .. '/plugin/bin/dateline'

-- A git repository holding a copy of the reference article, with its own
-- HOME and git identity so the user's configuration stays out of it.
local function scratch_repo()
  local dir = T.tempdir()
  local home = dir .. '/home'
  vim.fn.mkdir(home, 'p')
  vim.env.HOME = home
  vim.env.XDG_DATA_HOME = dir .. '/data'
  vim.env.GIT_CONFIG_GLOBAL = home .. '/.gitconfig'
  vim.env.GIT_CONFIG_NOSYSTEM = '1'
  vim.env.DATELINE_STORE = nil
  local repo = dir .. '/repo'
  vim.fn.mkdir(repo, 'p')
  vim.fn.system({ 'git', '-C', repo, 'init', '-q', '-b', 'master' })
  vim.fn.system({ 'git', '-C', repo, 'config', 'user.name', 'Jane Doe' })
  vim.fn.system({ 'git', '-C', repo, 'config', 'user.email', 'jane@example.com' })
  local file = repo .. '/story.txt'
  vim.fn.writefile(vim.fn.readfile(T.seed, 'b'), file, 'b')
  return repo, file
end

-- Edit `file` with a dateline lsp client attached; returns buffer and client.
local function edit_with_server(file, extra)
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local recorded = {}
  local id = vim.lsp.start(vim.tbl_extend('force', {
    name = 'dateline-lsp-spec', -- not the plugin's own client, which may be running too
    cmd = { bin, 'lsp' },
    root_dir = vim.fs.dirname(file),
    handlers = {
      ['dateline/recorded'] = function(_, params)
        table.insert(recorded, params)
      end,
    },
  }, extra or {}), { bufnr = buf })
  T.truthy(id, 'the client started')
  T.wait_for(function()
    local client = vim.lsp.get_client_by_id(id)
    return client and client.initialized and vim.lsp.buf_is_attached(buf, id)
  end, 5000, 'the server to initialize')
  -- A graceful stop (shutdown, exit) that finishes before the editor quits:
  -- killing the server leaves the editor writing into a closed pipe.
  T.on_cleanup(function()
    vim.lsp.stop_client(id)
    vim.wait(5000, function()
      return vim.lsp.get_client_by_id(id) == nil
    end, 10)
  end)
  return buf, vim.lsp.get_client_by_id(id), recorded
end

local function request(client, method, params, buf)
  local response = client.request_sync(method, params, 5000, buf)
  T.truthy(response, method .. ' answered')
  T.eq(response.err, nil, method .. ' error')
  return response.result
end

T.test('document symbols: headline and seven paragraphs, quotations with speakers', function()
  local _, file = scratch_repo()
  local buf, client = edit_with_server(file)
  local symbols = request(client, 'textDocument/documentSymbol',
    { textDocument = vim.lsp.util.make_text_document_params(buf) }, buf)
  T.eq(#symbols, 8, 'top-level symbols')
  T.matches(symbols[1].name, '^Parler sues Amazon', 'headline')
  T.matches(symbols[2].name, '^¶ 1 Parler, the', 'first paragraph')
  T.eq(symbols[2].children[1].name, 'OLYMPIA, WA –', 'dateline under the first paragraph')
  T.eq(symbols[5].children[1].detail, 'the company', 'speaker of the quotation in ¶ 4')
end)

T.test('an unclosed quotation mark typed into a paragraph gets a diagnostic', function()
  local _, file = scratch_repo()
  local buf, client = edit_with_server(file)
  T.wait_for(function()
    return #vim.diagnostic.get(buf) == 0 and client.initialized
  end, 2000, 'a clean start')
  -- Line 5 (¶ 2) is followed by a paragraph without a quote mark, so an
  -- opening mark there is not a news-style continued quotation.
  vim.api.nvim_buf_set_text(buf, 4, 0, 4, 0, { '“Unclosed ' })
  T.wait_for(function()
    return #vim.diagnostic.get(buf) > 0
  end, 5000, 'a diagnostic')
  local d = vim.diagnostic.get(buf)[1]
  T.eq(d.code, 'unclosed-quotation', 'code')
  T.eq(d.source, 'dateline', 'source')
  T.eq({ d.lnum, d.col }, { 4, 0 }, 'position')
  vim.api.nvim_buf_set_text(buf, 4, 0, 4, #'“Unclosed ', { '' })
  T.wait_for(function()
    return #vim.diagnostic.get(buf) == 0
  end, 5000, 'the diagnostic to go away')
end)

T.test('hover on a paragraph shows the version that last changed it', function()
  local repo, file = scratch_repo()
  vim.fn.system({ bin, 'snapshot', file, '-m', 'first filing' })
  T.eq(vim.v.shell_error, 0, 'snapshot')
  local id = vim.trim(vim.fn.system({ 'git', '--git-dir=' .. repo .. '/.git/dateline', 'rev-parse', 'refs/dateline/story.txt' }))
  local buf, client = edit_with_server(file)
  local hover = request(client, 'textDocument/hover', {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    position = { line = 4, character = 3 },
  }, buf)
  T.matches(hover.contents.value, '¶ 2', 'paragraph label')
  T.matches(hover.contents.value, id:sub(1, 10), 'version id')
  T.matches(hover.contents.value, 'Jane Doe', 'author')
  T.matches(hover.contents.value, 'first filing', 'note')
end)

T.test(':write records a version, visible to git', function()
  local repo, file = scratch_repo()
  local buf, _, recorded = edit_with_server(file)
  local function tip()
    local out = vim.fn.system({ 'git', '--git-dir=' .. repo .. '/.git/dateline', 'rev-parse', '--verify', '-q', 'refs/dateline/story.txt' })
    return vim.v.shell_error == 0 and vim.trim(out) or nil
  end
  T.eq(tip(), nil, 'no version before the write')
  vim.api.nvim_buf_set_lines(buf, 0, 1, false, { 'Parler sues Amazon over its shutdown' })
  vim.cmd('silent write')
  T.wait_for(function()
    return tip() ~= nil
  end, 5000, 'a version')
  T.wait_for(function()
    return #recorded > 0
  end, 5000, 'dateline/recorded')
  -- recorded is true, or false if the plugin's own client (when running) recorded it first
  T.eq(type(recorded[1].recorded), 'boolean', 'recorded flag')
  T.eq(recorded[1].id, tip(), 'the notification names the version')
  local saved = vim.fn.system({ 'git', '--git-dir=' .. repo .. '/.git/dateline', 'show', tip() .. ':story.txt' })
  T.matches(saved, '^Parler sues Amazon over its shutdown\n', 'the saved text')
end)
