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
    -- CriticMarkup as tracked changes: accept / reject the annotation at the
    -- cursor or all of them (Normal mode), wrap the selection (Visual mode).
    accept_annotation = '<localleader>y',
    reject_annotation = '<localleader>n',
    accept_all_annotations = '<localleader>Y',
    reject_all_annotations = '<localleader>N',
    wrap_addition = '<localleader>+',
    wrap_deletion = '<localleader>-',
    wrap_substitution = '<localleader>~',
    wrap_highlight = '<localleader>=',
    wrap_comment = '<localleader>>',
    -- Changed paragraphs (signs, below). ]p / [p are Vim's puts and ]c / [c
    -- its diff mode's (and the diff view's): u for "unrecorded".
    next_change = ']u',
    prev_change = '[u',
    inner_change = 'iu',
    around_change = 'au',
    preview_change = false,
    restore_paragraph = false,
    restore_quotation = false,
    -- In a version's buffer: the previous (older) and next version, in place.
    prev_version = '[v',
    next_version = ']v',
  },
  -- Fold by structure (folds.scm) with 'foldmethod' expr.
  fold = false,
  -- Window options for prose in article windows: long paragraphs wrap at
  -- word boundaries and wrapped list items keep their indent. false leaves
  -- the option as it is.
  writing = {
    linebreak = true,
    breakindent = true,
    -- Spell checking, on prose only: the grammar's @spell/@nospell captures
    -- leave out URLs, e-mail addresses, handles, datelines, bylines and
    -- timestamps.
    spell = true,
  },
  outline = {
    width = 40,
    -- 'right' or 'left' of the editor.
    position = 'right',
    -- Milliseconds of quiet typing before the outline is redrawn.
    debounce_ms = 150,
    -- Move the outline's cursor to the item under the article's cursor.
    follow_cursor = true,
    -- Moving in the outline scrolls the article to the item under the
    -- outline's cursor and highlights it, the focus staying in the outline.
    preview = true,
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
  -- Signs on the paragraphs changed since the latest version, following
  -- typing (:Dateline signs turns them on and off in one buffer).
  changes = {
    signs = true,
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
    if M.defaults.mappings[name] ~= nil and not is_key_or_false(lhs) then
      error(string.format('dateline: mappings.%s must be a key sequence or false, got %s', name,
        vim.inspect(lhs)), 0)
    end
  end
end

-- Options whose default is nil, so they are not keys of M.defaults.
local OPTIONAL_KEYS = { cmd = true }
-- Nested options whose default is nil.
local OPTIONAL_NESTED = { ['status.words_per_minute'] = true, ['history.store'] = true }

-- Edit distance of two short names, for "did you mean".
local function distance(a, b)
  local previous = {}
  for j = 0, #b do
    previous[j] = j
  end
  for i = 1, #a do
    local current = { [0] = i }
    for j = 1, #b do
      local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
      current[j] = math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
    end
    previous = current
  end
  return previous[#b]
end

-- `name` quoted, with the closest of `known` when it is a likely typo.
local function describe_unknown(prefix, name, known)
  local best, best_distance = nil, 3
  for candidate in pairs(known) do
    local d = distance(tostring(name), candidate)
    if d < best_distance then
      best, best_distance = candidate, d
    end
  end
  local text = string.format('"%s%s"', prefix, tostring(name))
  return best and string.format('%s (did you mean "%s%s"?)', text, prefix, best) or text
end

-- Every key of `opts` that is no option, at the top and one level down, so
-- that one message names them all instead of one per attempt.
local function unknown_keys(opts)
  local found = {}
  local top = vim.tbl_extend('force', {}, M.defaults, OPTIONAL_KEYS)
  for key, value in pairs(opts) do
    if top[key] == nil then
      found[#found + 1] = describe_unknown('', key, top)
    elseif type(value) == 'table' and type(M.defaults[key]) == 'table' then
      local known = vim.deepcopy(M.defaults[key])
      for nested in pairs(OPTIONAL_NESTED) do
        local parent, child = nested:match('^(.-)%.(.*)$')
        if parent == key then
          known[child] = true
        end
      end
      for nested_key in pairs(value) do
        if type(nested_key) ~= 'string' or known[nested_key] == nil then
          found[#found + 1] = describe_unknown(key .. '.', nested_key, known)
        end
      end
    end
  end
  table.sort(found)
  return found
end

local function validate(opts)
  check('opts', opts, 'table')
  local unknown = unknown_keys(opts)
  if #unknown > 0 then
    error(string.format('dateline: unknown option%s %s', #unknown == 1 and '' or 's',
      table.concat(unknown, ', ')), 0)
  end
  check('fold', opts.fold, 'boolean', true)
  check('outline', opts.outline, 'table', true)
  check('status', opts.status, 'table', true)
  check('cmd', opts.cmd, function(value)
    return value == nil or value == false
      or (type(value) == 'table' and #value > 0 and vim.tbl_count(value) == #value)
  end, 'a list of strings (the command and its arguments) or false')
  check('history', opts.history, 'table', true)
  check('blame', opts.blame, 'table', true)
  check('changes', opts.changes, 'table', true)
  check('changes.signs', (opts.changes or {}).signs, 'boolean', true)
  check('writing', opts.writing, 'table', true)
  local writing = opts.writing or {}
  check('writing.linebreak', writing.linebreak, 'boolean', true)
  check('writing.breakindent', writing.breakindent, 'boolean', true)
  check('writing.spell', writing.spell, 'boolean', true)
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
  check('outline.preview', outline.preview, 'boolean', true)
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
end

--- Validate `opts` and merge them over the defaults. Raises a readable error
--- naming the offending option; the options in effect are then unchanged.
---@param opts table?
function M.set(opts)
  opts = opts or {}
  local ok, err = pcall(validate, opts)
  if not ok then
    -- vim.validate names its own file and line: not the user's concern.
    local message = tostring(err):gsub('^[^\n]-%.lua:%d+: ', ''):gsub('^dateline: ', '')
    error('dateline.setup: ' .. message, 0)
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
