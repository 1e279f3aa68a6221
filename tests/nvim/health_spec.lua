-- :checkhealth dateline names what it found and how to fix what it did not.
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)

local function health_report()
  vim.cmd('silent checkhealth dateline')
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  vim.cmd('bwipeout!')
  return text
end

T.test('the report names Neovim, the parser with its ABI, the queries and the CLI', function()
  local report = health_report()
  T.matches(report, 'Neovim %d+%.%d+%.%d+', 'Neovim version')
  T.matches(report, 'parser article: [^\n]*parser/article%.so %(ABI %d+', 'parser and ABI')
  T.matches(report, 'query highlights%.scm', 'highlights query')
  T.matches(report, 'dateline CLI', 'the CLI is mentioned')
  local cli = require('dateline.lsp').cli_path()
  if cli then
    T.matches(report, 'dateline CLI: ' .. vim.pesc(cli) .. ' %(dateline %d', 'CLI path and version')
  else
    T.matches(report, '%./build%.sh build', 'how to get the CLI')
  end
end)

T.test('without the parser the report says so and how to fix it', function()
  -- A copy of the plugin's Lua side only: no parser, no queries, no CLI.
  local plugin = T.tempdir() .. '/dateline'
  vim.fn.mkdir(plugin, 'p')
  for _, dir in ipairs({ 'lua', 'plugin' }) do
    vim.fn.system({ 'cp', '-r', H.plugin .. '/' .. dir, plugin .. '/' .. dir })
  end
  local out = T.tempdir() .. '/health.txt'
  local code, output = H.child({
    '--cmd', 'set runtimepath^=' .. plugin,
    '-c', 'checkhealth dateline',
    '-c', 'write! ' .. out,
    '-c', 'qa!',
  }, { plugin = false, env = { PATH = '/usr/bin:/bin' } })
  T.eq(code, 0, 'child exit code: ' .. output)
  local report = table.concat(vim.fn.readfile(out), '\n')
  T.matches(report, 'ERROR[^\n]*parser/article%.so not found', 'missing parser')
  T.matches(report, '%./build%.sh build', 'the fix')
end)
