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
  local path = require('dateline.lsp').cli_path()
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

local function frame(message)
  local body = vim.json.encode(message)
  return string.format('Content-Length: %d\r\n\r\n%s', #body, body)
end

--- Start the language server, send initialize and wait (up to `timeout_ms`)
--- for its answer; then shut it down. Blocking: for :checkhealth only.
---@param cmd string[]
---@param timeout_ms integer?
---@return boolean ok
---@return string detail the server's name and version, or what went wrong
function M.probe_server(cmd, timeout_ms)
  local output = {}
  local ok, process = pcall(vim.system, cmd, {
    stdin = true,
    stdout = function(_, data)
      if data then
        output[#output + 1] = data
      end
    end,
  })
  if not ok then
    return false, tostring(process)
  end
  process:write(frame({ jsonrpc = '2.0', id = 1, method = 'initialize', params = {
    processId = vim.fn.getpid(), rootUri = vim.NIL, capabilities = vim.empty_dict(),
    initializationOptions = { recordOnSave = false },
  } }))
  local answer
  vim.wait(timeout_ms or 3000, function()
    local text = table.concat(output)
    local body = text:match('\r\n\r\n(.*)$')
    if body then
      local decoded, message = pcall(vim.json.decode, body)
      if decoded and type(message) == 'table' then
        answer = message
      end
    end
    return answer ~= nil
  end, 10)
  if answer then
    pcall(process.write, process, frame({ jsonrpc = '2.0', id = 2, method = 'shutdown' }))
    pcall(process.write, process, frame({ jsonrpc = '2.0', method = 'exit' }))
  end
  local finished = process:wait(answer and 1000 or 200)
  if not answer then
    if finished and finished.code then
      return false, string.format('it exited with code %d%s', finished.code,
        finished.stderr and finished.stderr ~= '' and (': ' .. vim.trim(finished.stderr)) or '')
    end
    pcall(process.kill, process, 'sigkill')
    return false, 'it did not answer initialize within 3 seconds'
  end
  if answer.error then
    return false, 'initialize failed: ' .. tostring(answer.error.message)
  end
  local info = answer.result and answer.result.serverInfo or {}
  return true, string.format('%s %s', info.name or 'dateline', info.version or '')
end

local function check_server()
  local lsp = require('dateline.lsp')
  local cmd, why = lsp.server_cmd()
  if not cmd then
    if why then
      report.warn('no language server: ' .. why .. '; versions are not recorded', { FIX_BUILD })
    else
      report.info('the language server is turned off (cmd = false in setup()): no history in the editor')
    end
    return
  end
  if vim.fn.executable(cmd[1]) ~= 1 then
    report.error(string.format('language server: %s is not an executable', cmd[1]),
      { FIX_BUILD, 'or set cmd in setup()' })
    return
  end
  local ok, detail = M.probe_server(cmd)
  if ok then
    report.ok(string.format('language server starts: %s (%s)', table.concat(cmd, ' '), vim.trim(detail)))
  else
    report.error(string.format('language server %s does not start: %s', table.concat(cmd, ' '), detail),
      { FIX_BUILD })
  end
  local history = require('dateline.config').get().history
  report.info(string.format('history: record on save %s%s%s', history.record_on_save and 'on' or 'off',
    history.store and (', store ' .. history.store) or '',
    #history.exclude > 0 and (', excluding ' .. table.concat(history.exclude, ', ')) or ''))
end

function M.check()
  report.start('dateline')
  check_neovim()
  check_parser()
  check_cli()
  check_server()
  check_nvim_treesitter()
end

return M
