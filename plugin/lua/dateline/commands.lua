-- :Dateline {subcommand} [args]: the table of subcommands and completion.

local M = {}

local function in_article(name)
  if vim.bo.filetype ~= 'article' then
    vim.notify(string.format('dateline: :Dateline %s needs an article buffer', name), vim.log.levels.WARN)
    return false
  end
  return true
end

local function toggle_folding()
  if not in_article('fold') then
    return
  end
  if vim.wo.foldmethod == 'expr' and vim.wo.foldexpr:find('treesitter') then
    vim.wo.foldmethod = 'manual'
    vim.cmd('normal! zE')
  else
    vim.wo.foldmethod = 'expr'
    vim.wo.foldexpr = 'v:lua.vim.treesitter.foldexpr()'
    vim.wo.foldlevel = 99
  end
end

---@class dateline.Subcommand
---@field desc string
---@field run fun(args: string[])
---@field complete? fun(arg_lead: string): string[]

---@type table<string, dateline.Subcommand>
M.subcommands = {
  outline = {
    desc = 'toggle the outline window (or: open, close)',
    run = function(args)
      local outline = require('dateline.outline')
      local action = args[1] or 'toggle'
      if not vim.tbl_contains({ 'toggle', 'open', 'close' }, action) then
        error(string.format('unknown argument %q: use open, close or toggle', action), 0)
      end
      outline[action]()
    end,
    complete = function()
      return { 'open', 'close', 'toggle' }
    end,
  },
  jump = {
    desc = 'pick an outline item and jump to it',
    run = function()
      require('dateline.outline').pick()
    end,
  },
  fold = {
    desc = 'toggle structural folding in the current window',
    run = toggle_folding,
  },
  health = {
    desc = 'run :checkhealth dateline',
    run = function()
      vim.cmd('checkhealth dateline')
    end,
  },
}

--- Run :Dateline with the arguments of a user command.
---@param command table the argument of nvim_create_user_command's callback
function M.run(command)
  local args = vim.deepcopy(command.fargs)
  local name = table.remove(args, 1)
  if not name then
    local names = vim.tbl_keys(M.subcommands)
    table.sort(names)
    vim.notify('dateline: usage: :Dateline {' .. table.concat(names, '|') .. '}', vim.log.levels.INFO)
    return
  end
  local subcommand = M.subcommands[name]
  if not subcommand then
    vim.notify(string.format('dateline: unknown subcommand %q', name), vim.log.levels.ERROR)
    return
  end
  local ok, err = pcall(subcommand.run, args)
  if not ok then
    vim.notify(string.format('dateline: %s: %s', name, err), vim.log.levels.ERROR)
  end
end

--- Completion for :Dateline.
---@param arg_lead string
---@param cmdline string
---@return string[]
function M.complete(arg_lead, cmdline)
  local words = vim.split(cmdline, '%s+', { trimempty = true })
  local completing_subcommand = #words == 1 or (#words == 2 and arg_lead ~= '')
  local candidates
  if completing_subcommand then
    candidates = vim.tbl_keys(M.subcommands)
  else
    local subcommand = M.subcommands[words[2]]
    candidates = subcommand and subcommand.complete and subcommand.complete(arg_lead) or {}
  end
  table.sort(candidates)
  return vim.tbl_filter(function(candidate)
    return vim.startswith(candidate, arg_lead)
  end, candidates)
end

return M
