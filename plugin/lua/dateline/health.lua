-- :checkhealth dateline — what works, what is missing and the command that
-- fixes it.

local M = {}

local health = vim.health
-- Neovim 0.9 also spells these report_*; the short names came with 0.10.
local report = {
  start = health.start or health.report_start,
  ok = health.ok or health.report_ok,
  warn = health.warn or health.report_warn,
  error = health.error or health.report_error,
  info = health.info or health.report_info,
}

local FIX_BUILD = 'in the dateline checkout, run: ./build.sh build'

--- The `dateline` CLI: the one built next to the plugin, else the one on PATH.
---@return string? path
function M.cli_path()
  local built = vim.api.nvim_get_runtime_file('bin/dateline', false)[1]
  if built and vim.fn.executable(built) == 1 then
    return built
  end
  local on_path = vim.fn.exepath('dateline')
  return on_path ~= '' and on_path or nil
end

local function check_neovim()
  local version = vim.version()
  local text = string.format('Neovim %d.%d.%d', version.major, version.minor, version.patch)
  if vim.fn.has('nvim-0.9') == 1 then
    report.ok(text)
  else
    report.error(text .. ' is too old', { 'install Neovim 0.9 or newer' })
  end
end

local function abi_of(language)
  local inspected = vim.treesitter.language.inspect(language)
  return inspected.abi_version or inspected._abi_version
end

local function check_parser()
  local parser = require('dateline.parser')
  local path = parser.library_path()
  if not path then
    report.error('parser/article.so not found on the runtimepath', { FIX_BUILD })
    return
  end
  local loaded, message = parser.register()
  if not loaded then
    report.error(message, { FIX_BUILD })
    return
  end
  local abi = abi_of(parser.lang)
  report.ok(string.format('parser article: %s (ABI %s; this Neovim reads ABI %d to %d)', path, tostring(abi),
    vim.treesitter.minimum_language_version, vim.treesitter.language_version))
  for _, name in ipairs({ 'highlights', 'folds', 'textobjects', 'outline' }) do
    local found, query = pcall(vim.treesitter.query.get, parser.lang, name)
    if found and query then
      report.ok(string.format('query %s.scm', name))
    elseif not found then
      report.error(string.format('query %s.scm does not compile: %s', name, query), { FIX_BUILD })
    else
      report.warn(string.format('query %s.scm not found on the runtimepath', name), { FIX_BUILD })
    end
  end
end

local function check_cli()
  local path = M.cli_path()
  if not path then
    report.warn('the dateline CLI was found neither in the plugin (bin/dateline) nor on PATH; history commands will need it',
      { FIX_BUILD, 'or put an installed dateline on PATH: ./build.sh install' })
    return
  end
  local output = vim.fn.system({ path, '--version' })
  if vim.v.shell_error ~= 0 then
    report.error(string.format('dateline CLI %s does not run: %s', path, vim.trim(output)), { FIX_BUILD })
    return
  end
  report.ok(string.format('dateline CLI: %s (%s)', path, vim.trim(output)))
end

local function check_nvim_treesitter()
  local present = pcall(require, 'nvim-treesitter')
  if present then
    report.info('nvim-treesitter is installed; dateline starts its own highlighting and needs nothing from it')
  else
    report.info('nvim-treesitter is not installed (not needed)')
  end
end

function M.check()
  report.start('dateline')
  check_neovim()
  check_parser()
  check_cli()
  check_nvim_treesitter()
end

return M
