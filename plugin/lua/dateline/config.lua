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
    -- Reading speed for the reading time in status().
    words_per_minute = 230,
  },
}

local current = vim.deepcopy(M.defaults)

--- The options in effect.
---@return dateline.Config
function M.get()
  return current
end

local function is_key_or_false(value)
  return value == false or (type(value) == 'string' and value ~= '')
end

local function validate_mappings(mappings)
  if mappings == nil or mappings == false then
    return
  end
  vim.validate({ mappings = { mappings, 'table' } })
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

local function validate(opts)
  vim.validate({
    opts = { opts, 'table' },
    fold = { opts.fold, 'boolean', true },
    outline = { opts.outline, 'table', true },
    status = { opts.status, 'table', true },
  })
  validate_mappings(opts.mappings)
  local outline = opts.outline or {}
  vim.validate({
    ['outline.width'] = { outline.width, 'number', true },
    ['outline.position'] = {
      outline.position,
      function(value)
        return value == nil or value == 'left' or value == 'right'
      end,
      "'left' or 'right'",
    },
    ['outline.debounce_ms'] = { outline.debounce_ms, 'number', true },
    ['outline.follow_cursor'] = { outline.follow_cursor, 'boolean', true },
  })
  local status = opts.status or {}
  vim.validate({
    ['status.words_per_minute'] = {
      status.words_per_minute,
      function(value)
        return value == nil or (type(value) == 'number' and value > 0)
      end,
      'a positive number',
    },
  })
  for key in pairs(opts) do
    if M.defaults[key] == nil then
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
  current = merged
end

return M
