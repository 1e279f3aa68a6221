-- Which files are articles. The rules are the core's (`dateline detect`,
-- plugin/src/core/detect.c), so Neovim, other editors and scripts agree;
-- this module only asks, for every *.txt Neovim opens or first writes.

local cli = require('dateline.cli')

local M = {}

-- Seed files of the project's corpus are named like 000_8262d85f5fa5c412.txt
-- (the same pattern as plugin.json's filetypes.filename_patterns).
M.seed_name_pattern = '^%d%d%d_' .. string.rep('%x', 16) .. '%.txt$'

--- Whether the file at `path` is an article, by the core's rules; a file in
--- one of `setup({ articles = { dirs = … } })` is one even before it exists.
--- False when the CLI is not there or the file cannot be read: it then stays
--- text.
---@param path string
---@return boolean
function M.is_article_file(path)
  local command = cli.path()
  if not command or path == '' then
    return false
  end
  local cmd = { command, 'detect' }
  -- Only setup() can name folders, and it loads the options: opening a .txt
  -- without it loads nothing more than this module.
  local config = package.loaded['dateline.config']
  for _, dir in ipairs(config and config.get().articles.dirs or {}) do
    vim.list_extend(cmd, { '--dir', vim.fn.fnamemodify(vim.fn.expand(dir), ':p') })
  end
  vim.list_extend(cmd, { '--', vim.fn.fnamemodify(path, ':p') })
  local output = vim.fn.system(cmd)
  return vim.v.shell_error == 0 and output:match('^article\t') ~= nil
end

--- The `vim.filetype.add()` hook for *.txt: 'article' or nil (let Neovim decide).
---@param path string
---@return string?
function M.detect_txt(path)
  if vim.fs.basename(path):match(M.seed_name_pattern) or M.is_article_file(path) then
    return 'article'
  end
  return nil
end

--- After a write: a new .txt story becomes an article the first time it is
--- written as one (headline, blank line, prose or a dateline), and that
--- write is recorded like every later one. The server was not attached when
--- the file was written, so it heard of no save: the snapshot is asked for
--- here, and waits for the server to start.
---@param buf integer
function M.on_write(buf)
  if not vim.api.nvim_buf_is_valid(buf) or vim.bo[buf].filetype == 'article' then
    return
  end
  if not M.is_article_file(vim.api.nvim_buf_get_name(buf)) then
    return
  end
  vim.bo[buf].filetype = 'article'
  local config = require('dateline.config').get()
  if config.cmd ~= false and config.history.record_on_save and require('dateline.lsp').client(buf) then
    local record = require('dateline.record')
    record.execute_snapshot(buf, nil, function(err)
      record.on_snapshot(buf, err)
    end)
  end
end

return M
