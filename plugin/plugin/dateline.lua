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

local function register_filetype()
  vim.filetype.add({
    extension = { article = 'article' },
    pattern = {
      -- Every *.txt passes through here before Neovim's own `txt` rule;
      -- returning nil hands the file back to that rule, so notes stay `text`.
      ['.*%.txt'] = function(path)
        return require('dateline.filetype').detect_txt(path)
      end,
    },
  })
end

-- Loading vim.filetype costs milliseconds, and Neovim loads it anyway for the
-- first file it opens: register then rather than at startup.
if package.loaded['vim.filetype'] then
  register_filetype()
else
  vim.api.nvim_create_autocmd({ 'BufReadPre', 'BufNewFile', 'StdinReadPre' }, {
    group = group,
    once = true,
    desc = 'dateline: register the article filetype',
    callback = function(event)
      register_filetype()
      -- BufReadPre comes before detection; a new file was detected already.
      if event.event == 'BufNewFile' and vim.filetype.match({ buf = event.buf }) == 'article' then
        vim.bo[event.buf].filetype = 'article'
      end
    end,
  })
end

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
