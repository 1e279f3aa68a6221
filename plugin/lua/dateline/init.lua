-- dateline's public entry points: setup(), attach() for article buffers and
-- status() for statuslines. Feature modules are required when first used.

local M = {}

local attached = {} ---@type table<integer, true>

--- The article buffers dateline is attached to.
---@return integer[]
function M.article_buffers()
  local buffers = {}
  for buf in pairs(attached) do
    if vim.api.nvim_buf_is_valid(buf) then
      buffers[#buffers + 1] = buf
    end
  end
  return buffers
end

--- Configure dateline. Optional: the defaults apply without it. Invalid
--- options are reported in one message naming them all, and the options
--- in effect stay as they were.
---@param opts table?
---@return boolean ok
function M.setup(opts)
  local config = require('dateline.config')
  local before = config.get()
  -- A message, not an error: an error in the user's init.lua comes with a
  -- stack trace that buries the one line that matters.
  local ok, err = pcall(config.set, opts)
  if not ok then
    vim.notify(tostring(err), vim.log.levels.ERROR)
    return false
  end
  local after = config.get()
  -- The server got its command and options when it started: new ones need a
  -- new server (attach() below starts it).
  if not vim.deep_equal(before.cmd, after.cmd) or not vim.deep_equal(before.history, after.history) then
    if package.loaded['dateline.lsp'] then
      require('dateline.lsp').stop_all()
    end
  end
  -- Buffers opened before setup() pick up the new mappings and folding.
  for _, buf in ipairs(M.article_buffers()) do
    M.attach(buf)
  end
  return true
end

local function set_folding(buf)
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    vim.api.nvim_win_call(win, function()
      vim.opt_local.foldmethod = 'expr'
      vim.opt_local.foldexpr = 'v:lua.vim.treesitter.foldexpr()'
      -- Start with every fold open: the article reads as written; zM closes.
      vim.opt_local.foldlevel = 99
    end)
  end
end

-- The writing options (config.writing) in every window showing `buf`.
local function set_writing_options(buf, writing)
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    for option, on in pairs(writing) do
      -- Local: another buffer opened from this window keeps its own.
      if on then
        vim.api.nvim_set_option_value(option, true, { scope = 'local', win = win })
      end
    end
  end
end

--- Turn an article buffer into a structured document: tree-sitter
--- highlighting, mappings, folding. Runs from the FileType autocommand; calling
--- it again (after setup()) re-applies the options.
---@param buf integer?
function M.attach(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local config = require('dateline.config').get()
  local parser = require('dateline.parser')
  local ok, message = parser.register()
  if not ok then
    vim.notify_once('dateline: ' .. message, vim.log.levels.WARN)
    return
  end
  require('dateline.highlights').setup()
  vim.treesitter.start(buf, parser.lang)
  require('dateline.mappings').apply(buf, config.mappings)
  if config.fold then
    set_folding(buf)
  end
  set_writing_options(buf, config.writing)
  -- History lives in the language server; starting it never blocks and a
  -- failure is reported once, leaving everything above working.
  require('dateline.record').setup()
  local lsp = require('dateline.lsp')
  lsp.setup_autocommands()
  lsp.attach(buf)
  if config.changes.signs and lsp.client(buf) then
    require('dateline.changes').attach(buf)
  elseif package.loaded['dateline.changes'] then
    require('dateline.changes').detach(buf)
  end
  if not attached[buf] then
    attached[buf] = true
    vim.api.nvim_create_autocmd({ 'FileType', 'BufWipeout' }, {
      buffer = buf,
      group = vim.api.nvim_create_augroup('dateline.buffer.' .. buf, { clear = true }),
      desc = 'dateline: detach when the buffer stops being an article',
      callback = function(event)
        if event.event == 'BufWipeout' or vim.bo[buf].filetype ~= 'article' then
          M.detach(buf)
          return true
        end
      end,
    })
  end
end

--- Undo attach(): mappings go, highlighting stops.
---@param buf integer
function M.detach(buf)
  attached[buf] = nil
  if package.loaded['dateline.lsp'] then
    require('dateline.lsp').detach(buf)
  end
  if package.loaded['dateline.changes'] then
    require('dateline.changes').detach(buf)
  end
  pcall(vim.api.nvim_del_augroup_by_name, 'dateline.buffer.' .. buf)
  if not vim.api.nvim_buf_is_valid(buf) then
    return
  end
  require('dateline.mappings').apply(buf, false)
  if vim.bo[buf].filetype ~= 'article' then
    pcall(vim.treesitter.stop, buf)
  end
end

--- Whether dateline is attached to the buffer.
---@param buf integer?
---@return boolean
function M.is_attached(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  return attached[buf] == true
end

--- A short summary for statuslines, e.g. "412 words · 7 ¶ · 5 quotes · 2 min".
--- Empty outside article buffers. Cheap enough for every redraw.
---@param buf integer?
---@return string
function M.status(buf)
  return require('dateline.status').format(buf)
end

return M
