-- Options: the defaults in one table, and setup()'s validation and merging.

local M = {}

---@class dateline.Config
M.defaults = {
  -- Buffer-local mappings in article buffers. Set one to false to leave that
  -- key alone, or `mappings = false` to define none.
  mappings = {
    next_paragraph = ']]',
    prev_paragraph = '[[',
    next_quotation = ']"',
    prev_quotation = '["',
    next_annotation = ']e',
    prev_annotation = '[e',
    next_subhead = ']h',
    prev_subhead = '[h',
    inner_quotation = 'iq',
    around_quotation = 'aq',
    inner_annotation = 'ic',
    around_annotation = 'ac',
  },
  -- Fold by structure (folds.scm) with 'foldmethod' expr.
  fold = false,
  outline = {
    width = 40,
    -- 'right' or 'left' of the editor.
    position = 'right',
    -- Milliseconds of quiet typing before the outline is redrawn.
    debounce_ms = 150,
    -- Move the outline's cursor to the item under the article's cursor.
    follow_cursor = true,
  },
  status = {
    -- Reading speed for the reading time in status(). nil: the core's
    -- reading time (230 words a minute, as `dateline stats` reports it).
    words_per_minute = nil,
  },
  -- The command that starts the language server (`dateline lsp`), which
  -- serves diagnostics, symbols, hover and all history work. nil: the CLI
  -- built in the plugin (bin/dateline), else `dateline` on PATH. false: no
  -- server, and so no history in the editor.
  cmd = nil,
  history = {
    -- Record a version of the article on every :write.
    record_on_save = true,
    -- Directories whose articles are never recorded.
    exclude = {},
    -- Keep history in this repository instead of the article's own (or the
    -- private store); nil: the default (see docs/cli.md).
    store = nil,
  },
  articles = {
    -- Folders whose .txt files are always articles, e.g. { '~/stories' }.
    dirs = {},
  },
  -- :Dateline blame
  blame = {
    -- 'eol': after the paragraph's first line; 'above': a line of its own.
    position = 'eol',
  },
}

local current = vim.deepcopy(M.defaults)

--- The options in effect.
---@return dateline.Config
function M.get()
  return current
end

-- One option through vim.validate. Neovim 0.11 deprecated the table form for
-- vim.validate(name, value, validator, optional_or_msg); 0.9 and 0.10 have only
-- the table form.
local function check(name, value, validator, optional_or_msg)
  if vim.fn.has('nvim-0.11') == 1 then
    vim.validate(name, value, validator, optional_or_msg)
  else
    vim.validate({ [name] = { value, validator, optional_or_msg } })
  end
end

local function is_key_or_false(value)
  return value == false or (type(value) == 'string' and value ~= '')
end

local function validate_mappings(mappings)
  if mappings == nil or mappings == false then
    return
  end
  check('mappings', mappings, 'table')
  for name, lhs in pairs(mappings) do
    if M.defaults.mappings[name] == nil then
      error(string.format('dateline: unknown mapping %q (known: %s)', name,
        table.concat(vim.tbl_keys(M.defaults.mappings), ', ')), 0)
    end
    if not is_key_or_false(lhs) then
      error(string.format('dateline: mappings.%s must be a key sequence or false, got %s', name,
        vim.inspect(lhs)), 0)
    end
  end
end

-- Options whose default is nil, so they are not keys of M.defaults.
local OPTIONAL_KEYS = { cmd = true }

local function validate(opts)
  check('opts', opts, 'table')
  check('fold', opts.fold, 'boolean', true)
  check('outline', opts.outline, 'table', true)
  check('status', opts.status, 'table', true)
  check('cmd', opts.cmd, function(value)
    return value == nil or value == false
      or (type(value) == 'table' and #value > 0 and vim.tbl_count(value) == #value)
  end, 'a list of strings (the command and its arguments) or false')
  check('history', opts.history, 'table', true)
  check('blame', opts.blame, 'table', true)
  check('articles', opts.articles, 'table', true)
  check('articles.dirs', (opts.articles or {}).dirs, function(value)
    return value == nil or (type(value) == 'table' and vim.tbl_count(value) == #value)
  end, 'a list of directories')
  validate_mappings(opts.mappings)
  local outline = opts.outline or {}
  check('outline.width', outline.width, 'number', true)
  check('outline.position', outline.position, function(value)
    return value == nil or value == 'left' or value == 'right'
  end, "'left' or 'right'")
  check('outline.debounce_ms', outline.debounce_ms, 'number', true)
  check('outline.follow_cursor', outline.follow_cursor, 'boolean', true)
  local status = opts.status or {}
  check('status.words_per_minute', status.words_per_minute, function(value)
    return value == nil or (type(value) == 'number' and value > 0)
  end, 'a positive number')
  local history = opts.history or {}
  check('history.record_on_save', history.record_on_save, 'boolean', true)
  check('history.exclude', history.exclude, function(value)
    return value == nil or (type(value) == 'table' and vim.tbl_count(value) == #value)
  end, 'a list of directories')
  check('history.store', history.store, 'string', true)
  local blame = opts.blame or {}
  check('blame.position', blame.position, function(value)
    return value == nil or value == 'eol' or value == 'above'
  end, "'eol' or 'above'")
  for key in pairs(opts) do
    if M.defaults[key] == nil and not OPTIONAL_KEYS[key] then
      error(string.format('dateline: unknown option %q', key), 0)
    end
  end
end

--- Validate `opts` and merge them over the defaults. Raises a readable error
--- naming the offending option; the options in effect are then unchanged.
---@param opts table?
function M.set(opts)
  opts = opts or {}
  local ok, err = pcall(validate, opts)
  if not ok then
    error(tostring(err):gsub('^dateline: ', ''):gsub('^', 'dateline.setup: '), 0)
  end
  local merged = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts)
  if opts.mappings == false then
    merged.mappings = false
  end
  -- Lists replace the default rather than merge into it by index.
  if opts.cmd ~= nil then
    merged.cmd = opts.cmd
  end
  if opts.articles and opts.articles.dirs then
    merged.articles.dirs = vim.deepcopy(opts.articles.dirs)
  end
  if opts.history and opts.history.exclude then
    merged.history.exclude = vim.deepcopy(opts.history.exclude)
  end
  current = merged
end

return M
