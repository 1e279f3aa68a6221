-- dateline: which files are articles, known before the plugin loads.
-- Neovim sources ftdetect/ of every runtime directory at startup, and plugin
-- managers that load on `ft = 'article'` (lazy.nvim) source it on their own
-- at startup: without it nothing would ever set the filetype that loads them.
-- Sourcing it again (the plugin does, for a runtime directory added late)
-- registers nothing twice.

if vim.g.did_dateline_ftdetect or vim.fn.has('nvim-0.9') == 0 then
  return
end
vim.g.did_dateline_ftdetect = true

-- This file's runtime directory: the rules module is read from it when the
-- directory is not on 'runtimepath' yet (a manager adds it only on load).
local runtime_dir = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h')

local function rules()
  local ok, filetype = pcall(require, 'dateline.filetype')
  if ok then
    return filetype
  end
  package.preload['dateline.cli'] = package.preload['dateline.cli']
    or function()
      return dofile(runtime_dir .. '/lua/dateline/cli.lua')
    end
  filetype = dofile(runtime_dir .. '/lua/dateline/filetype.lua')
  package.loaded['dateline.filetype'] = filetype
  return filetype
end

local function register()
  vim.filetype.add({
    extension = { article = 'article' },
    pattern = {
      -- Every *.txt passes through here before Neovim's own `txt` rule;
      -- returning nil hands the file back to that rule, so notes stay `text`.
      ['.*%.txt'] = function(path)
        return rules().detect_txt(path)
      end,
    },
  })
end

-- Loading vim.filetype costs milliseconds, and Neovim loads it anyway for the
-- first file it opens: register then rather than at startup.
if package.loaded['vim.filetype'] then
  register()
else
  vim.api.nvim_create_autocmd({ 'BufReadPre', 'BufNewFile', 'StdinReadPre' }, {
    group = vim.api.nvim_create_augroup('dateline_ftdetect', { clear = true }),
    once = true,
    desc = 'dateline: register the article filetype',
    callback = function(event)
      register()
      -- BufReadPre comes before detection; a new file was detected already.
      if event.event == 'BufNewFile' and vim.filetype.match({ buf = event.buf }) == 'article' then
        vim.bo[event.buf].filetype = 'article'
      end
    end,
  })
end
