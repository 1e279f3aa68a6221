-- Text objects: a quotation or an annotation, inside its marks ('inner') or
-- with them ('outer'; a quotation also with the white space after it, or
-- before it, as Vim's a" does). Work in visual and operator-pending mode; a count
-- takes in that many consecutive objects. And the changed paragraph (which
-- paragraphs changed comes from the server, through changes.lua).

local motions = require('dateline.motions')
local parser = require('dateline.parser')

local M = {}

local function is_kind(node, kind)
  return vim.tbl_contains(motions.kinds[kind], node:type())
end

-- The innermost node of `kind` around a position.
local function enclosing(root, kind, row, col)
  local node = root:named_descendant_for_range(row, col, row, col)
  while node do
    if is_kind(node, kind) then
      return node
    end
    node = node:parent()
  end
end

local function enclosing_paragraph(root, row, col)
  local node = root:named_descendant_for_range(row, col, row, col)
  while node and node:type() ~= 'paragraph' do
    node = node:parent()
  end
  return node
end

-- Like Vim's i" on a line without quotes under the cursor: the next object in
-- the same paragraph (or on the same line, outside paragraphs) counts too.
local function target(buf, kind, row, col)
  local root = parser.root(buf)
  if not root then
    return nil
  end
  local around = enclosing(root, kind, row, col)
  if around then
    return around
  end
  local next_node = motions.find_next(buf, kind, { row, col }, 1)
  if not next_node then
    return nil
  end
  local next_row = next_node:start()
  local paragraph = enclosing_paragraph(root, row, col)
  if paragraph then
    local _, _, end_row, end_col = paragraph:range()
    local start_row, start_col = next_node:start()
    if start_row < end_row or (start_row == end_row and start_col < end_col) then
      return next_node
    end
  elseif next_row == row then
    return next_node
  end
end

-- CriticMarkup delimiters ({++ ++} {-- --} {~~ ~~} {== ==} {>> <<}) are
-- always three ASCII bytes on the annotation's first and last line.
local CRITIC_MARK_BYTES = 3

local function annotation_inner(node, buf)
  local start_row, start_col, end_row, end_col = node:range()
  local text = vim.treesitter.get_node_text(node, buf)
  local inner = { start_row, start_col, end_row, end_col }
  if text:sub(1, 1) == '{' then
    inner[2] = start_col + CRITIC_MARK_BYTES
  end
  if text:sub(-1) == '}' and #text >= 2 * CRITIC_MARK_BYTES then
    inner[4] = end_col - CRITIC_MARK_BYTES
  end
  return inner
end

-- Between the marks: after the opening mark (or the `continuation` mark of a
-- quotation reopened after a paragraph break), before the closing mark (a
-- run-on quotation has none and runs to its end).
local function quotation_inner(node)
  local start_row, start_col, end_row, end_col = node:range()
  local inner = { start_row, start_col, end_row, end_col }
  local first, last = node:child(0), node:child(node:child_count() - 1)
  if first and (first:type() == 'open_mark' or first:type() == 'continuation') then
    inner[1], inner[2] = first:end_()
  end
  if last and last:type() == 'close_mark' then
    inner[3], inner[4] = last:start()
  end
  return inner
end

--- The range an object covers: { start_row, start_col, end_row, end_col },
--- 0-based, end exclusive.
---@param node TSNode
---@param kind string
---@param extent 'inner'|'outer'
---@param buf integer
---@return integer[]
function M.range(node, kind, extent, buf)
  if extent == 'outer' then
    return { node:range() }
  end
  if kind == 'quotation' then
    return quotation_inner(node)
  end
  return annotation_inner(node, buf)
end

-- The 0-based column of the character that ends just before byte `col`.
local function last_char_col(buf, row, col)
  local line = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1] or ''
  return col + vim.str_utf_start(line, col) - 1
end

-- Like Vim's a": the white space after the quotation on its last line, or
-- when there is none, the white space before it on its first line, so that
-- deleting it leaves no double space.
local function with_white_space(buf, range)
  local start_row, start_col, end_row, end_col = unpack(range)
  local last = vim.api.nvim_buf_get_lines(buf, end_row, end_row + 1, false)[1] or ''
  local trailing = last:match('^[ \t]*', end_col + 1)
  if #trailing > 0 then
    return { start_row, start_col, end_row, end_col + #trailing }
  end
  local first = vim.api.nvim_buf_get_lines(buf, start_row, start_row + 1, false)[1] or ''
  local leading = first:sub(1, start_col):match('[ \t]*$')
  -- White space that starts the line is indentation, not a separator.
  if #leading < start_col then
    return { start_row, start_col - #leading, end_row, end_col }
  end
  return range
end

local function select_range(buf, range)
  local start_row, start_col, end_row, end_col = unpack(range)
  if end_col == 0 and end_row > start_row then
    end_row = end_row - 1
    end_col = #vim.api.nvim_buf_get_lines(buf, end_row, end_row + 1, false)[1]
  end
  if vim.o.selection ~= 'exclusive' then
    end_col = last_char_col(buf, end_row, end_col)
  end
  local mode = vim.api.nvim_get_mode().mode
  if mode ~= 'v' then
    vim.cmd('normal! v')
  end
  vim.api.nvim_win_set_cursor(0, { start_row + 1, start_col })
  vim.cmd('normal! o')
  vim.api.nvim_win_set_cursor(0, { end_row + 1, end_col })
end

--- Select the `kind` object ('quotation', 'annotation') under or after the
--- cursor, 'inner' or 'outer'; with a count, through the count-th one.
--- Returns the range selected, or nil when there is none.
---@param kind string
---@param extent 'inner'|'outer'
---@param count integer?
---@return integer[]?
function M.select(kind, extent, count)
  assert(motions.kinds[kind], 'unknown text object kind: ' .. tostring(kind))
  local buf = vim.api.nvim_get_current_buf()
  local cursor = vim.api.nvim_win_get_cursor(0)
  local first = target(buf, kind, cursor[1] - 1, cursor[2])
  if not first then
    return nil
  end
  local last = first
  if (count or 1) > 1 then
    last = motions.find_next(buf, kind, { first:start() }, count - 1) or first
  end
  local from = M.range(first, kind, extent, buf)
  local to = M.range(last, kind, extent, buf)
  local range = { from[1], from[2], to[3], to[4] }
  if range[1] == range[3] and range[2] >= range[4] then
    return nil -- an empty inside: nothing to select
  end
  if kind == 'quotation' and extent == 'outer' then
    range = with_white_space(buf, range)
  end
  select_range(buf, range)
  return range
end

-- Blank rows next to rows first..last: after them, or when there are none
-- (the last paragraph), before them, as Vim's ap takes.
local function with_blank_rows(buf, first, last)
  local count = vim.api.nvim_buf_line_count(buf)
  local function blank(row)
    local line = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1]
    return line ~= nil and not line:find('%S')
  end
  local after = last
  while after + 1 < count and blank(after + 1) do
    after = after + 1
  end
  if after > last then
    return first, after
  end
  local before = first
  while before > 0 and blank(before - 1) do
    before = before - 1
  end
  return before, last
end

--- Select the paragraph under the cursor that changed since the latest
--- version, linewise ('outer': with the blank lines after it). Returns the
--- rows { first, last } (0-based), or nil when it is unchanged.
---@param extent 'inner'|'outer'
---@return integer[]?
function M.select_change(extent)
  local buf = vim.api.nvim_get_current_buf()
  local rows = require('dateline.changes').range_at_cursor()
  if not rows then
    return nil
  end
  local first, last = rows[1], rows[2]
  if extent == 'outer' then
    first, last = with_blank_rows(buf, first, last)
  end
  if vim.api.nvim_get_mode().mode ~= 'V' then
    vim.cmd('normal! V')
  end
  vim.api.nvim_win_set_cursor(0, { first + 1, 0 })
  vim.cmd('normal! o')
  vim.api.nvim_win_set_cursor(0, { last + 1, 0 })
  return { first, last }
end

return M
