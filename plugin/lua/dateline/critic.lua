-- CriticMarkup as tracked changes, as Word's track changes does them:
-- accept or reject the annotation at the cursor or every one in the buffer,
-- each as one undoable change, and wrap a visual selection in an addition,
-- deletion, substitution, highlight or comment.
--
-- Ranges come from the buffer's tree (the grammar's addition, deletion,
-- substitution, highlight and comment nodes with their content, old and new
-- children), never from matching the delimiters in the text.

local parser = require('dateline.parser')

local M = {}

local KINDS = { addition = true, deletion = true, substitution = true, highlight = true, comment = true }
local KIND_LIST = vim.tbl_keys(KINDS)
table.sort(KIND_LIST)

-- The text of `node`'s first child of `type` (or field), '' when absent.
local function part(buf, node, type)
  local child = node:field(type)[1] or parser.child(node, type)
  return child and vim.treesitter.get_node_text(child, buf) or ''
end

-- The grammar makes an annotation node only of a closed annotation (an
-- opener without its closer stays text); one the parser recovered around
-- an error is left for the writer.
local function is_whole(node)
  return not node:has_error()
end

--- The text that replaces an annotation when it is accepted or rejected:
--- an addition's words are kept on accept, a deletion's on reject, a
--- substitution becomes its new or old side, a highlight its text, and a
--- comment goes either way.
---@param buf integer
---@param node TSNode an annotation node
---@param action 'accept'|'reject'
---@return string
function M.resolution(buf, node, action)
  local kind = node:type()
  if kind == 'addition' then
    return action == 'accept' and part(buf, node, 'content') or ''
  elseif kind == 'deletion' then
    return action == 'accept' and '' or part(buf, node, 'content')
  elseif kind == 'substitution' then
    return part(buf, node, action == 'accept' and 'new' or 'old')
  elseif kind == 'highlight' then
    return part(buf, node, 'content')
  end
  return ''
end

-- The tree of the buffer's current text.
local function fresh_root(buf)
  local tree = parser.get(buf)
  if not tree then
    return nil
  end
  tree:parse()
  return parser.root(buf)
end

--- The annotation around a 0-based position, if any.
---@param buf integer
---@param row integer
---@param col integer
---@return TSNode?
function M.at(buf, row, col)
  local root = fresh_root(buf)
  local node = root and root:named_descendant_for_range(row, col, row, col)
  while node do
    if KINDS[node:type()] then
      return node
    end
    node = node:parent()
  end
end

--- Every annotation in the buffer, in document order.
---@param buf integer
---@return TSNode[]
function M.all(buf)
  if not fresh_root(buf) then
    return {}
  end
  -- A query, not parser.collect: that walk skips the headline, which may
  -- hold annotations too.
  return parser.nodes(buf, KIND_LIST)
end

local function is_blank(char)
  return char == ' ' or char == '\t'
end

-- Replace `node` by its resolution. When it resolves to nothing between a
-- space and a space or a punctuation mark, the space before goes too, so
-- that "and {--really--} and" becomes "and and", not "and  and".
local function resolve(buf, node, action)
  local row, col, end_row, end_col = node:range()
  local text = M.resolution(buf, node, action)
  if text == '' then
    local before = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1] or ''
    local after = vim.api.nvim_buf_get_lines(buf, end_row, end_row + 1, false)[1] or ''
    local next_char = after:sub(end_col + 1, end_col + 1)
    if col > 0 and is_blank(before:sub(col, col)) and (next_char == '' or is_blank(next_char)
      or next_char:find('^[,.;:!?)”’]') ~= nil) then
      col = col - 1
    end
  end
  vim.api.nvim_buf_set_text(buf, row, col, end_row, end_col, vim.split(text, '\n', { plain = true }))
  return row, col
end

--- Accept or reject the annotation at the cursor of the current window.
---@param action 'accept'|'reject'
---@return boolean done
function M.resolve_at_cursor(action)
  local buf = vim.api.nvim_get_current_buf()
  local cursor = vim.api.nvim_win_get_cursor(0)
  local node = M.at(buf, cursor[1] - 1, cursor[2])
  if not node then
    vim.notify('dateline: no annotation ({++ ++}, {-- --}, {~~ ~> ~~}, {== ==}, {>> <<}) at the cursor',
      vim.log.levels.WARN)
    return false
  end
  if not is_whole(node) then
    vim.notify('dateline: this annotation holds a syntax error; fix it, then ' .. action .. ' it',
      vim.log.levels.WARN)
    return false
  end
  local row, col = resolve(buf, node, action)
  vim.api.nvim_win_set_cursor(0, { row + 1, col })
  return true
end

--- Accept or reject every whole annotation of `buf`, as one undoable change.
---@param buf integer? 0 or nil: the current buffer
---@param action 'accept'|'reject'
---@return integer resolved how many
---@return integer skipped broken annotations left as they are
function M.resolve_all(buf, action)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local nodes = M.all(buf)
  local resolved, skipped = 0, 0
  -- From the end, so that each change leaves the ranges before it valid.
  for index = #nodes, 1, -1 do
    if is_whole(nodes[index]) then
      resolve(buf, nodes[index], action)
      resolved = resolved + 1
    else
      skipped = skipped + 1
    end
  end
  local verb = action == 'accept' and 'accepted' or 'rejected'
  local message = string.format('dateline: %d annotation%s %s', resolved, resolved == 1 and '' or 's', verb)
  if skipped > 0 then
    message = message .. string.format(', %d with a syntax error left as %s', skipped, skipped == 1 and 'it is' or 'they are')
  end
  vim.notify(message, skipped > 0 and vim.log.levels.WARN or vim.log.levels.INFO)
  return resolved, skipped
end

-- Wrapping ------------------------------------------------------------------

-- The markup around a selection: before and after it.
local WRAPS = {
  addition = function()
    return '{++', '++}'
  end,
  deletion = function()
    return '{--', '--}'
  end,
  highlight = function()
    return '{==', '==}'
  end,
  substitution = function(extra)
    return '{~~', '~>' .. extra .. '~~}'
  end,
  -- A comment is about the words it follows: they are highlighted.
  comment = function(extra)
    return '{==', '==}{>>' .. extra .. '<<}'
  end,
}
local PROMPTS = { substitution = 'Replace with: ', comment = 'Comment: ' }

-- The byte just past the character that starts at `col` of `line`.
local function char_end(line, col)
  local byte = line:byte(col + 1)
  if not byte then
    return col
  end
  return col + (byte >= 0xF0 and 4 or byte >= 0xE0 and 3 or byte >= 0xC0 and 2 or 1)
end

--- The charwise or linewise visual selection of the current window as
--- 0-based row, col, end_row, end_col (end exclusive), or nil and why not.
---@return integer[]? range
---@return string? why
function M.visual_range()
  local mode = vim.fn.mode()
  local from, to = vim.fn.getpos('v'), vim.fn.getpos('.')
  if mode ~= 'v' and mode ~= 'V' then
    return nil, 'select the words in Visual mode (v or V)'
  end
  if from[2] > to[2] or (from[2] == to[2] and from[3] > to[3]) then
    from, to = to, from
  end
  local buf = vim.api.nvim_get_current_buf()
  local row, end_row = from[2] - 1, to[2] - 1
  local last = vim.api.nvim_buf_get_lines(buf, end_row, end_row + 1, false)[1] or ''
  if mode == 'V' then
    return { row, 0, end_row, #last }
  end
  return { row, from[3] - 1, end_row, math.min(char_end(last, to[3] - 1), #last) }
end

-- Why the range cannot take an annotation, if it cannot: it crosses a
-- blank line (an annotation stays in its paragraph) or overlaps one
-- (CriticMarkup does not nest).
local function refusal(buf, range)
  for _, line in ipairs(vim.api.nvim_buf_get_lines(buf, range[1], range[3] + 1, false)) do
    if vim.trim(line) == '' then
      return 'an annotation stays inside one paragraph: select words without a blank line'
    end
  end
  for _, node in ipairs(M.all(buf)) do
    local row, col, end_row, end_col = node:range()
    local starts_before_end = row < range[3] or (row == range[3] and col < range[4])
    local ends_after_start = end_row > range[1] or (end_row == range[1] and end_col > range[2])
    if starts_before_end and ends_after_start then
      return 'the selection overlaps an annotation; accept or reject it first'
    end
  end
end

--- Wrap `range` of `buf` (0-based, end exclusive) in an annotation of
--- `kind`; `extra` is the new text of a substitution or the comment.
---@param buf integer
---@param range integer[]
---@param kind 'addition'|'deletion'|'substitution'|'highlight'|'comment'
---@param extra string?
---@return boolean done
function M.wrap_range(buf, range, kind, extra)
  local why = refusal(buf, range)
  if why then
    vim.notify('dateline: ' .. why, vim.log.levels.WARN)
    return false
  end
  local open, close = WRAPS[kind]((extra or ''):gsub('\n', ' '))
  local text = vim.api.nvim_buf_get_text(buf, range[1], range[2], range[3], range[4], {})
  text[1] = open .. text[1]
  text[#text] = text[#text] .. close
  vim.api.nvim_buf_set_text(buf, range[1], range[2], range[3], range[4], text)
  return true
end

--- Wrap the visual selection of the current window in an annotation of
--- `kind`, asking for the new text of a substitution or the comment.
---@param kind 'addition'|'deletion'|'substitution'|'highlight'|'comment'
function M.wrap_selection(kind)
  local range, why = M.visual_range()
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<Esc>', true, false, true), 'nx', false)
  if not range then
    vim.notify('dateline: ' .. why, vim.log.levels.WARN)
    return
  end
  local buf = vim.api.nvim_get_current_buf()
  if not PROMPTS[kind] then
    M.wrap_range(buf, range, kind)
    return
  end
  vim.ui.input({ prompt = PROMPTS[kind] }, function(extra)
    -- Cancelled: nothing changes.
    if extra and vim.api.nvim_buf_is_valid(buf) then
      M.wrap_range(buf, range, kind, extra)
    end
  end)
end

return M
