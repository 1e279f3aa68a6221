-- dateline: news articles as structured documents.
-- Startup only registers the filetype, the :Dateline command and one FileType
-- autocommand; everything else is required when an article is opened.

if vim.g.loaded_dateline then
  return
end
vim.g.loaded_dateline = true

-- Kept free of newer APIs so that an old Neovim reaches the message, not a
-- stack trace.
local function neovim_is_supported()
  if vim.fn.has('nvim-0.9') == 1 then
    return true
  end
  local version = vim.version and vim.version() or {}
  vim.api.nvim_echo({
    {
      string.format(
        'dateline: Neovim 0.9 or newer is required (this is %s.%s.%s); the plugin is disabled.',
        version.major or '?',
        version.minor or '?',
        version.patch or '?'
      ),
      'WarningMsg',
    },
  }, true, {})
  return false
end

if not neovim_is_supported() then
  return
end

local group = vim.api.nvim_create_augroup('dateline', { clear = true })

-- The filetype rules live in ftdetect/, which Neovim sources at startup for
-- every runtime directory; a directory added to 'runtimepath' after startup
-- missed that, so it is sourced here too (it registers only once).
vim.cmd.source(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h') .. '/ftdetect/dateline.lua')

-- A story typed into a new .txt buffer is text until it is first written
-- as an article; then it becomes one.
vim.api.nvim_create_autocmd('BufWritePost', {
  group = group,
  pattern = '*.txt',
  desc = 'dateline: a .txt story becomes an article when first written as one',
  callback = function(event)
    require('dateline.filetype').on_write(event.buf)
  end,
})

vim.api.nvim_create_user_command('Dateline', function(command)
  require('dateline.commands').run(command)
end, {
  nargs = '*',
  desc = 'dateline: outline, jump, fold, health',
  complete = function(arg_lead, cmdline)
    return require('dateline.commands').complete(arg_lead, cmdline)
  end,
})

vim.api.nvim_create_autocmd('FileType', {
  group = group,
  pattern = 'article',
  desc = 'dateline: attach to an article buffer',
  callback = function(event)
    require('dateline').attach(event.buf)
  end,
})
