-- :Dateline {subcommand} [args]: the table of subcommands and completion.

local M = {}

local function in_article(name)
  if vim.bo.filetype ~= 'article' then
    vim.notify(string.format('dateline: :Dateline %s needs an article buffer', name), vim.log.levels.WARN)
    return false
  end
  return true
end

-- :Dateline accept / reject [all]: the CriticMarkup annotation at the
-- cursor, or every one in the buffer.
local function resolve_command(how)
  return {
    desc = how .. ' the CriticMarkup annotation at the cursor (or: all)',
    run = function(args)
      if in_article(how) then
        local critic = require('dateline.critic')
        if args[1] == 'all' then
          critic.resolve_all(0, how)
        else
          critic.resolve_at_cursor(how)
        end
      end
    end,
    complete = function()
      return { 'all' }
    end,
  }
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

-- Version ids of the current article, from the history's cached log.
local function version_ids()
  if vim.bo.filetype ~= 'article' then
    return {}
  end
  return require('dateline.history_data').complete_ids(vim.api.nvim_get_current_buf())
end

---@class dateline.Subcommand
---@field desc string
---@field run fun(args: string[])
---@field complete? fun(arg_lead: string): string[]
---@field ordered? boolean its completions come in their own order (versions: newest first)

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
  speakers = {
    desc = 'who is quoted, how often and where (the outline window)',
    run = function()
      if not in_article('speakers') then
        return
      end
      require('dateline.outline').speakers()
    end,
  },
  accept = resolve_command('accept'),
  reject = resolve_command('reject'),
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
  snapshot = {
    desc = 'record a version now, with an optional note',
    run = function(args)
      if not in_article('snapshot') then
        return
      end
      local note = #args > 0 and table.concat(args, ' ') or nil
      require('dateline.record').snapshot(vim.api.nvim_get_current_buf(), note)
    end,
  },
  note = {
    desc = 'annotate the latest version',
    run = function(args)
      if not in_article('note') then
        return
      end
      if #args == 0 then
        error('usage: :Dateline note {text}', 0)
      end
      require('dateline.record').note(vim.api.nvim_get_current_buf(), table.concat(args, ' '))
    end,
  },
  history = {
    desc = "open the article's history browser",
    run = function()
      if not in_article('history') then
        return
      end
      require('dateline.history').open(vim.api.nvim_get_current_buf())
    end,
  },
  diff = {
    desc = 'show the structural diff against a version (default: the latest), side by side with split, or turn it off',
    run = function(args)
      if not in_article('diff') then
        return
      end
      if args[1] == 'split' then
        require('dateline.history').open_beside(vim.api.nvim_get_current_buf(), args[2])
        return
      end
      require('dateline.diffview').toggle(vim.api.nvim_get_current_buf(), args[1])
    end,
    complete = function()
      return vim.list_extend({ 'off', 'split' }, version_ids())
    end,
  },
  restore = {
    desc = "put a version's text in the buffer, or only the paragraph or quotation under the cursor "
      .. '(undoable, not written)',
    run = function(args)
      if not in_article('restore') then
        return
      end
      if not args[1] then
        error('usage: :Dateline restore {version} | paragraph [version] | quotation [version]', 0)
      end
      -- Only the version's first word: completion puts its note after it.
      if args[1] == 'paragraph' then
        require('dateline.changes').restore_paragraph(args[2])
      elseif args[1] == 'quotation' then
        require('dateline.changes').restore_quotation(args[2])
      else
        require('dateline.history').restore(vim.api.nvim_get_current_buf(), args[1])
      end
    end,
    ordered = true,
    complete = function(arg_lead, words)
      if vim.bo.filetype ~= 'article' then
        return {}
      end
      local revs = require('dateline.history_data').complete_revs(vim.api.nvim_get_current_buf(), arg_lead)
      -- :Dateline restore {paragraph|quotation|version} [version]
      if words and #words >= 3 and (words[3] == 'paragraph' or words[3] == 'quotation')
        and (#words > 3 or arg_lead == '') then
        return revs
      end
      -- Versions first: the newest is what a restore most often wants.
      return vim.list_extend(revs, { 'paragraph', 'quotation' })
    end,
  },
  preview = {
    desc = 'show the paragraph under the cursor as a version (default: the latest) had it',
    run = function(args)
      if not in_article('preview') then
        return
      end
      require('dateline.changes').preview(args[1])
    end,
    ordered = true,
    complete = function(arg_lead)
      if vim.bo.filetype ~= 'article' then
        return {}
      end
      return require('dateline.history_data').complete_revs(vim.api.nvim_get_current_buf(), arg_lead)
    end,
  },
  signs = {
    desc = 'toggle the signs on changed paragraphs (or: on, off)',
    run = function(args)
      if not in_article('signs') then
        return
      end
      local action = args[1] or 'toggle'
      if not vim.tbl_contains({ 'toggle', 'on', 'off' }, action) then
        error(string.format('unknown argument %q: use on, off or toggle', action), 0)
      end
      require('dateline.changes').toggle(vim.api.nvim_get_current_buf(), action)
    end,
    complete = function()
      return { 'on', 'off', 'toggle' }
    end,
  },
  blame = {
    desc = 'toggle per-paragraph blame (or: on, off)',
    run = function(args)
      if not in_article('blame') then
        return
      end
      local action = args[1] or 'toggle'
      if not vim.tbl_contains({ 'toggle', 'on', 'off' }, action) then
        error(string.format('unknown argument %q: use on, off or toggle', action), 0)
      end
      require('dateline.blame').toggle(vim.api.nvim_get_current_buf(), action)
    end,
    complete = function()
      return { 'on', 'off', 'toggle' }
    end,
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
  local candidates, ordered
  if completing_subcommand then
    candidates = vim.tbl_keys(M.subcommands)
  else
    local subcommand = M.subcommands[words[2]]
    candidates = subcommand and subcommand.complete and subcommand.complete(arg_lead, words) or {}
    ordered = subcommand and subcommand.ordered
  end
  if not ordered then
    table.sort(candidates)
  end
  return vim.tbl_filter(function(candidate)
    return vim.startswith(candidate, arg_lead)
  end, candidates)
end

return M
