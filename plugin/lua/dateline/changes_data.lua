-- The paragraphs changed since a version, as data (changes.lua puts them in
-- windows): read from the server's structural diff (`dateline.diff`, the JSON
-- of `dateline diff --json`) against the buffer's text. Nothing is diffed
-- here: which paragraph changed, where it is now and where it was come from
-- the core; this module turns them into rows, edits and preview lines.

local M = {}

---@class dateline.Change
---@field kind string added | edited | moved | split | merged | removed
---@field first integer 0-based first row in the buffer; for a removed paragraph the row it was removed below (-1: above the first paragraph)
---@field last integer 0-based last row (== first for a removed paragraph)
---@field block table the diff's block
---@field before integer? a removed paragraph: the first row of the paragraph that now follows it

local function range(value)
  return type(value) == 'table' and value or nil
end

--- The changed paragraphs of a diff in reading order. A removed paragraph
--- sits below the paragraph that now precedes it.
---@param diff table
---@return dateline.Change[]
function M.from_diff(diff)
  local changes = {}
  local previous_last = -1
  local pending_removed = {}
  for _, block in ipairs(diff.blocks or {}) do
    local new_range = range(block.new_range)
    if new_range then
      for _, removed in ipairs(pending_removed) do
        removed.before = new_range.lines[1]
      end
      pending_removed = {}
      if block.kind ~= 'unchanged' then
        changes[#changes + 1] = {
          kind = block.kind,
          first = new_range.lines[1],
          last = new_range.lines[2],
          block = block,
        }
      end
      previous_last = new_range.lines[2]
    elseif block.kind == 'removed' then
      local change = { kind = 'removed', first = previous_last, last = previous_last, block = block }
      changes[#changes + 1] = change
      pending_removed[#pending_removed + 1] = change
    end
  end
  return changes
end

--- The change whose paragraph holds `row` (0-based), or a removed
--- paragraph's change when `row` is the row it was removed below.
---@param changes dateline.Change[]
---@param row integer
---@return dateline.Change?
function M.at(changes, row)
  local removed
  for _, change in ipairs(changes) do
    if change.kind ~= 'removed' and change.first <= row and row <= change.last then
      return change
    elseif change.kind == 'removed' and math.max(change.first, 0) == row then
      removed = removed or change
    end
  end
  return removed
end

-- The row a change is jumped to and signed at.
local function row_of(change)
  return math.max(change.first, 0)
end

--- The row of the `count`-th change after (direction 1) or before (-1)
--- `row`, or nil when there is none in that direction.
---@param changes dateline.Change[]
---@param row integer
---@param direction 1|-1
---@param count integer?
---@return integer?
function M.next_row(changes, row, direction, count)
  local rows = {}
  for _, change in ipairs(changes) do
    local at = row_of(change)
    if rows[#rows] ~= at then
      rows[#rows + 1] = at
    end
  end
  table.sort(rows)
  local target
  for _ = 1, math.max(1, count or 1) do
    local found
    if direction > 0 then
      for _, at in ipairs(rows) do
        if at > row then
          found = at
          break
        end
      end
    else
      for position = #rows, 1, -1 do
        if rows[position] < row then
          found = rows[position]
          break
        end
      end
    end
    if not found then
      break
    end
    target, row = found, found
  end
  return target
end

--- The signs to place: { row, kind } for every row of a changed paragraph;
--- a removed paragraph signs the row it was removed below ('removed') or,
--- above the first paragraph, the first row ('removed_above').
---@param changes dateline.Change[]
---@return { [1]: integer, [2]: string }[]
function M.signs(changes)
  local signs = {}
  for _, change in ipairs(changes) do
    if change.kind == 'removed' then
      signs[#signs + 1] = { math.max(change.first, 0), change.first < 0 and 'removed_above' or 'removed' }
    else
      local kind = (change.kind == 'added' or change.kind == 'moved') and change.kind or 'edited'
      for row = change.first, change.last do
        signs[#signs + 1] = { row, kind }
      end
    end
  end
  return signs
end

-- Text between two byte offsets of a version's content, as buffer lines.
local function slice_lines(content, bytes)
  local text = content:sub(bytes[1] + 1, bytes[2])
  return vim.split(text, '\r?\n')
end

--- The paragraph as it was in the old version, as lines.
---@param change dateline.Change
---@param old_content string the old version's text
---@return string[]?
function M.old_lines(change, old_content)
  local old_range = range(change.block.old_range)
  return old_range and slice_lines(old_content, old_range.bytes) or nil
end

---@class dateline.Edit
---@field first integer 0-based first row replaced
---@field last integer 0-based row after the last replaced (nvim_buf_set_lines' end)
---@field lines string[]

--- The edit that puts one paragraph back as the old version had it,
--- leaving every other paragraph as it is: an edited one gets its old
--- text, an added one goes with the blank line that separated it, a
--- removed one comes back below its old predecessor. nil and a reason
--- when the change cannot be undone on its own (a moved paragraph).
---@param change dateline.Change
---@param old_content string
---@param line_count integer the buffer's number of lines
---@return dateline.Edit?, string?
function M.restore_edit(change, old_content, line_count)
  local kind = change.kind
  if kind == 'moved' then
    return nil, 'a moved paragraph is the same text; move it back or restore the whole version'
  elseif kind == 'added' then
    -- With the blank line before it (or after it, when it is the first).
    if change.first > 0 then
      return { first = change.first - 1, last = change.last + 1, lines = {} }
    end
    return { first = change.first, last = math.min(change.last + 2, line_count), lines = {} }
  end
  local old = M.old_lines(change, old_content)
  if not old then
    return nil, 'the old version has no text for this paragraph'
  end
  if kind == 'removed' then
    if change.first >= 0 then
      local lines = { '' }
      vim.list_extend(lines, old)
      return { first = change.first + 1, last = change.first + 1, lines = lines }
    end
    local at = change.before or line_count
    local lines = vim.deepcopy(old)
    lines[#lines + 1] = ''
    return { first = at, last = at, lines = lines }
  end
  return { first = change.first, last = change.last + 1, lines = old }
end

--- The changed quotation of the diff whose new text covers `row`, `col`
--- (0-based; col a byte column), with its ranges.
---@param diff table
---@param row integer
---@param col integer
---@param line_starts fun(row: integer): integer byte offset of a row's start in the document
---@return table?
function M.quotation_at(diff, row, col, line_starts)
  local byte = line_starts(row) + col
  local fallback
  for _, quotation in ipairs(diff.quotations or {}) do
    local new_range = range(quotation.new_range)
    if quotation.change == 'changed' and new_range then
      if new_range.bytes[1] <= byte and byte < new_range.bytes[2] then
        return quotation
      end
      -- Anywhere on its lines, as Vim's i" takes the quotation on the line.
      if not fallback and new_range.lines[1] <= row and row <= new_range.lines[2] then
        fallback = quotation
      end
    end
  end
  return fallback
end

--- The old words of a quotation (marks included) as the text that
--- replaces its new range.
---@param quotation table
---@param old_content string
---@return string[]?
function M.quotation_old_lines(quotation, old_content)
  local old_range = range(quotation.old_range)
  return old_range and slice_lines(old_content, old_range.bytes) or nil
end

--- The preview of a change: the paragraph as the old version had it, with
--- the words the buffer no longer has marked. Returns lines and marks
--- { row, start_col, end_col } (0-based, bytes) over those lines; a title
--- saying what happened.
---@param change dateline.Change
---@param old_content string?
---@return string[] lines, { [1]: integer, [2]: integer, [3]: integer }[] marks, string title
function M.preview(change, old_content)
  local block = change.block
  local old_number = type(block.old_index) == 'number' and block.old_index + 1 or nil
  if change.kind == 'added' then
    return { 'A new paragraph: no version had it.' }, {}, 'added'
  end
  local title = old_number and string.format('¶%d %s', old_number, change.kind) or change.kind
  if block.words then
    -- The old side of the word diff: equal and deleted words, in order.
    local lines, marks = { '' }, {}
    for _, op in ipairs(block.words) do
      if op.op ~= 'insert' then
        local parts = vim.split(op.text, '\r?\n')
        for index, part in ipairs(parts) do
          if index > 1 then
            lines[#lines + 1] = ''
          end
          local row = #lines
          if op.op == 'delete' and part ~= '' then
            marks[#marks + 1] = { row - 1, #lines[row], #lines[row] + #part }
          end
          lines[row] = lines[row] .. part
        end
      end
    end
    return lines, marks, title
  end
  local old = old_content and M.old_lines(change, old_content)
  if not old then
    return { '(the old text could not be read)' }, {}, title
  end
  local marks = {}
  if change.kind == 'removed' then
    for row, line in ipairs(old) do
      marks[#marks + 1] = { row - 1, 0, #line }
    end
  end
  return old, marks, title
end

return M
