-- Structural motions: to the next or previous block (paragraph, subhead or
-- headline), quotation, annotation or subhead, with a count.

local parser = require('dateline.parser')

local M = {}

--- Node types behind each kind of motion and text object.
M.kinds = {
  -- ]] and [[ stop at every block a writer moves between, so that d]] from
  -- the last paragraph of a section ends before the next subhead.
  block = { 'headline', 'subhead', 'paragraph' },
  paragraph = { 'paragraph' },
  quotation = { 'quotation' },
  annotation = { 'addition', 'deletion', 'substitution', 'highlight', 'comment' },
  subhead = { 'subhead' },
}

-- Rows looked at per step; doubled each step, so a far target costs a few
-- queries and a near one touches only the screen around the cursor.
local FIRST_SPAN = 200

local function before(row_a, col_a, row_b, col_b)
  return row_a < row_b or (row_a == row_b and col_a < col_b)
end

--- The `count`-th node of `kind` starting after `pos` (or the last one there
--- is, when there are fewer).
---@param buf integer
---@param kind string
---@param pos integer[] { row, col }, 0-based
---@param count integer
---@return TSNode?
function M.find_next(buf, kind, pos, count)
  local line_count = vim.api.nvim_buf_line_count(buf)
  local remaining, last = count, nil
  local low, span = pos[1], FIRST_SPAN
  while low < line_count do
    local high = math.min(line_count, low + span)
    for _, node in ipairs(parser.nodes(buf, M.kinds[kind], low, high)) do
      local row, col = node:start()
      if before(pos[1], pos[2], row, col) then
        last, remaining = node, remaining - 1
        if remaining == 0 then
          return node
        end
      end
    end
    low, span = high, span * 2
  end
  return last
end

--- The `count`-th node of `kind` starting before `pos`, searching backwards.
---@param buf integer
---@param kind string
---@param pos integer[] { row, col }, 0-based
---@param count integer
---@return TSNode?
function M.find_prev(buf, kind, pos, count)
  local remaining, last = count, nil
  local high, span = pos[1] + 1, FIRST_SPAN
  while high > 0 do
    local low = math.max(0, high - span)
    local nodes = parser.nodes(buf, M.kinds[kind], low, high)
    for index = #nodes, 1, -1 do
      local row, col = nodes[index]:start()
      if before(row, col, pos[1], pos[2]) then
        last, remaining = nodes[index], remaining - 1
        if remaining == 0 then
          return last
        end
      end
    end
    high, span = low, span * 2
  end
  return last
end

--- Move the cursor to the start of the `count`-th next or previous node of
--- `kind` ('block', 'paragraph', 'quotation', 'annotation', 'subhead'). Stays put when
--- there is none. Normal-mode jumps are added to the jumplist.
---@param kind string
---@param direction 'next'|'prev'
---@param count integer?
---@return boolean moved
function M.jump(kind, direction, count)
  assert(M.kinds[kind], 'unknown motion kind: ' .. tostring(kind))
  local buf = vim.api.nvim_get_current_buf()
  local cursor = vim.api.nvim_win_get_cursor(0)
  local pos = { cursor[1] - 1, cursor[2] }
  local find = direction == 'prev' and M.find_prev or M.find_next
  local node = find(buf, kind, pos, math.max(count or 1, 1))
  if not node then
    return false
  end
  if vim.api.nvim_get_mode().mode == 'n' then
    vim.cmd("normal! m'")
  end
  local row, col = node:start()
  vim.api.nvim_win_set_cursor(0, { row + 1, col })
  return true
end

return M
