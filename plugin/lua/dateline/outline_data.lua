-- What the outline shows: the article's items (headline, dateline,
-- subheads, paragraphs with their quotations and comments, editor's notes)
-- in document order, and one line of text for each. No windows here.
--
-- Paragraph numbers, word counts and speakers are the core's (article.lua).
-- Without a server the items come from Neovim's own tree, for their places
-- only: no numbers, no counts, no speakers.

local article = require('dateline.article')
local parser = require('dateline.parser')

local M = {}

---@class dateline.OutlineItem
---@field kind 'headline'|'dateline'|'subhead'|'paragraph'|'quotation'|'comment'|'editor_note'|'speaker'
---@field level integer 0 for blocks (and speakers), 1 for what sits inside a paragraph (or under a speaker)
---@field text string first words, on one line
---@field number integer? paragraph number, from 1 (the core's)
---@field words integer? the block's words (the core's)
---@field speaker string? who said a quotation, when the article says (the core's)
---@field quotation integer? a quotation's index in the model's quotations (from 0)
---@field count integer? a speaker's quotations (the core's)
---@field paragraphs integer[]? the paragraphs a speaker is quoted in (the core's)
---@field row integer 0-based start
---@field col integer
---@field end_row integer
---@field end_col integer

-- Enough text for the first words of an item however wide the window.
local SNIPPET_BYTES = 240

-- The first SNIPPET_BYTES of a range of `source` (a buffer, or its lines
-- already read), line by line so that a paragraph that is one 10 MB line
-- costs no more than a short one.
local function snippet(source, row, col, end_row, end_col)
  local parts, size = {}, 0
  for line_row = row, end_row do
    local line
    if type(source) == 'table' then
      line = source[line_row + 1] or ''
    else
      line = vim.api.nvim_buf_get_lines(source, line_row, line_row + 1, false)[1] or ''
    end
    local first = line_row == row and col + 1 or 1
    local last = line_row == end_row and end_col or #line
    local piece = line:sub(first, math.min(last, first + SNIPPET_BYTES - size - 1))
    parts[#parts + 1] = piece
    size = size + #piece
    if size >= SNIPPET_BYTES then
      break
    end
  end
  local text = table.concat(parts, ' '):gsub('%s+', ' '):gsub('^ ', '')
  return text
end

-- How many bytes at an item's start identify it when the text changes
-- under the outline (see still_there).
local ANCHOR_BYTES = 32

local function make_item(kind, level, row, col, end_row, end_col)
  return { kind = kind, level = level, text = '', row = row, col = col, end_row = end_row, end_col = end_col }
end

-- The bytes the item starts with in `source` (a buffer, or its lines).
local function anchor(source, item)
  local last = item.end_row == item.row and math.min(item.end_col, item.col + ANCHOR_BYTES)
    or item.col + ANCHOR_BYTES
  if type(source) == 'table' then
    return (source[item.row + 1] or ''):sub(item.col + 1, last)
  end
  local line = vim.api.nvim_buf_get_lines(source, item.row, item.row + 1, false)[1] or ''
  return line:sub(item.col + 1, last)
end

local function str(value)
  return type(value) == 'string' and value or nil
end

-- From the model --------------------------------------------------------------

local BLOCK_KINDS = { paragraph = true, subhead = true, editor_note = true }

-- The block of `blocks` (in document order) holding byte `offset`, if any:
-- a binary search, as a long article has tens of thousands of blocks.
local function block_at(blocks, offset)
  local low, high = 1, #blocks
  while low <= high do
    local mid = math.floor((low + high) / 2)
    local bytes = blocks[mid].range.bytes
    if offset < bytes[1] then
      high = mid - 1
    elseif offset >= bytes[2] then
      low = mid + 1
    else
      return blocks[mid]
    end
  end
end

-- The buffer's lines, and a function from a model's `range` (bytes of the
-- server's text) to 0-based row, col, end_row, end_col in `buf`, clamped to
-- the buffer. The lines are read and their starts summed once: an outline of
-- a long article places tens of thousands of items.
local function positions(buf)
  local index = require('dateline.positions').index(buf)
  local lines, starts = index.lines, index.starts
  local function at(row, byte)
    row = math.max(0, math.min(row, #starts - 1))
    return row, math.max(0, byte - starts[row + 1])
  end
  return lines, function(range)
    local row, col = at(range.lines[1], range.bytes[1])
    local end_row, end_col = at(range.lines[2], range.bytes[2])
    return row, col, end_row, end_col
  end
end

local function items_from_model(buf, model)
  local items = {}
  local lines, place = positions(buf)
  local function add(kind, level, range, order)
    local item = make_item(kind, level, place(range))
    item.anchor = anchor(lines, item)
    item.order = { range.bytes[1], order }
    items[#items + 1] = item
    return item
  end
  if type(model.headline) == 'table' then
    local item = add('headline', 0, model.headline.range, 0)
    item.text = snippet(lines, item.row, item.col, item.end_row, item.end_col)
  end
  local dateline
  if type(model.dateline) == 'table' then
    -- The dateline opens its paragraph but reads as a block of its own,
    -- listed before that paragraph.
    dateline = add('dateline', 0, model.dateline.range, 0)
    local place, agency = str(model.dateline.location), str(model.dateline.agency)
    dateline.text = place and (agency and place .. ' ' .. agency or place)
      or snippet(lines, dateline.row, dateline.col, dateline.end_row, dateline.end_col)
  end
  local blocks = {} ---@type table<integer, dateline.OutlineItem> model index (from 0) -> item
  for index, block in ipairs(model.blocks or {}) do
    if BLOCK_KINDS[block.kind] then
      local item = add(block.kind, 0, block.range, 1)
      item.words = block.words
      item.number = type(block.paragraph) == 'number' and block.paragraph or nil
      local row, col = item.row, item.col
      if dateline and dateline.row == row and dateline.col == col then
        row, col = dateline.end_row, dateline.end_col
      end
      item.text = snippet(lines, row, col, item.end_row, item.end_col)
      blocks[index - 1] = item
    end
  end
  for index, quotation in ipairs(model.quotations or {}) do
    local block = type(quotation.block) == 'number' and blocks[quotation.block] or nil
    local item = add('quotation', block and block.kind == 'paragraph' and 1 or 0, quotation.range, 2)
    item.text = snippet(lines, item.row, item.col, item.end_row, item.end_col)
    item.speaker = str(quotation.speaker)
    item.quotation = index - 1
  end
  for _, annotation in ipairs(model.annotations or {}) do
    if annotation.kind == 'comment' then
      local block = block_at(model.blocks or {}, annotation.range.bytes[1])
      local inside = block ~= nil and block.kind == 'paragraph'
      local item = add('comment', inside and 1 or 0, annotation.range, 2)
      item.text = (str(annotation.text) or ''):gsub('%s+', ' '):gsub('^ ', ''):gsub(' $', '')
    end
  end
  table.sort(items, function(a, b)
    if a.order[1] ~= b.order[1] then
      return a.order[1] < b.order[1]
    end
    return a.order[2] < b.order[2]
  end)
  for _, item in ipairs(items) do
    item.order = nil
  end
  return items
end

-- From the tree -------------------------------------------------------------

local TREE_TYPES = {
  headline = true,
  dateline = true,
  subhead = true,
  paragraph = true,
  quotation = true,
  comment = true,
  editor_note = true,
}

local function contains(outer, inner)
  local row, col, end_row, end_col = outer:range()
  local inner_row, inner_col = inner:start()
  return (inner_row > row or (inner_row == row and inner_col >= col))
    and (inner_row < end_row or (inner_row == end_row and inner_col < end_col))
end

local function node_item(buf, kind, level, node)
  local item = make_item(kind, level, node:range())
  item.text = snippet(buf, item.row, item.col, item.end_row, item.end_col)
  item.anchor = anchor(buf, item)
  return item
end

local function items_from_tree(buf)
  local items = {}
  local paragraph = nil
  for _, node in ipairs(parser.collect(buf, TREE_TYPES)) do
    local kind = node:type()
    if paragraph and not contains(paragraph, node) then
      paragraph = nil
    end
    if kind == 'paragraph' then
      paragraph = node
      items[#items + 1] = node_item(buf, 'paragraph', 0, node)
    elseif kind == 'dateline' then
      local item = node_item(buf, 'dateline', 0, node)
      local last = items[#items]
      if last and last.kind == 'paragraph' and paragraph and contains(paragraph, node) then
        table.insert(items, #items, item)
        last.text = snippet(buf, item.end_row, item.end_col, last.end_row, last.end_col)
      else
        items[#items + 1] = item
      end
    elseif kind == 'quotation' or kind == 'comment' then
      local item = node_item(buf, kind, paragraph and 1 or 0, node)
      if kind == 'comment' then
        item.text = item.text:gsub('^{>>%s*', ''):gsub('%s*<<}$', '')
      end
      items[#items + 1] = item
    else
      items[#items + 1] = node_item(buf, kind, 0, node)
    end
  end
  return items
end

---@alias dateline.OutlineSource 'model'|'pending'|'unavailable'

--- The outline of an article buffer, in document order. `source` says where
--- the items come from: 'model' (the core's, with numbers, counts and
--- speakers), 'pending' (the server was asked and has not answered yet;
--- places only) or 'unavailable' (no server, or it could not answer: places
--- only).
---@param buf integer
---@return dateline.OutlineItem[] items
---@return dateline.OutlineSource source
---@return table? model the model the items come from
function M.items(buf)
  local model = article.get(buf)
  if model then
    return items_from_model(buf, model), 'model', model
  end
  local waiting = article.available(buf) and not article.last_error(buf)
  return items_from_tree(buf), waiting and 'pending' or 'unavailable', nil
end

-- Speakers -------------------------------------------------------------------

--- The speakers view of an article buffer: who is quoted (the core's
--- `speakers`: in order of first quotation, then the quotations credited to
--- nobody), each followed by their quotations. Without the model there are
--- no speakers: the core credits them, never Lua.
---@param buf integer
---@return dateline.OutlineItem[] items
---@return dateline.OutlineSource source
---@return table? model
function M.speakers(buf)
  local items, source, model = M.items(buf)
  if source ~= 'model' or type(model.speakers) ~= 'table' then
    return {}, source == 'model' and 'unavailable' or source, model
  end
  local quotations = {}
  for _, item in ipairs(items) do
    if item.kind == 'quotation' then
      quotations[item.quotation] = item
    end
  end
  local view = {}
  for _, speaker in ipairs(model.speakers) do
    local first = quotations[(speaker.quotations or {})[1]]
    if first then
      view[#view + 1] = {
        kind = 'speaker',
        level = 0,
        text = str(speaker.name) or '(credited to nobody)',
        count = speaker.count,
        paragraphs = speaker.paragraphs,
        anchor = first.anchor,
        row = first.row,
        col = first.col,
        end_row = first.end_row,
        end_col = first.end_col,
      }
      for _, index in ipairs(speaker.quotations) do
        local quotation = quotations[index]
        if quotation then
          view[#view + 1] = vim.tbl_extend('force', quotation, { level = 1 })
        end
      end
    end
  end
  return view, source, model
end

-- Items after an edit -----------------------------------------------------

--- Whether `item` is still where the outline last saw it: its first bytes
--- are still at its place in `buf`.
---@param buf integer
---@param item dateline.OutlineItem
---@return boolean
function M.still_there(buf, item)
  return item.anchor ~= nil and item.anchor ~= '' and anchor(buf, item) == item.anchor
end

--- Where `item` went after an edit moved it: the start of the nearest
--- line part holding its first bytes, if any.
---@param buf integer
---@param item dateline.OutlineItem
---@return integer? row 0-based
---@return integer? col
function M.relocate(buf, item)
  if not item.anchor or item.anchor == '' then
    return nil
  end
  local best_row, best_col
  for row, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:find(item.anchor, 1, true)
    if col and (not best_row or math.abs(row - 1 - item.row) < math.abs(best_row - item.row)) then
      best_row, best_col = row - 1, col - 1
    end
  end
  return best_row, best_col
end

-- Collapsing -----------------------------------------------------------------

--- What identifies a block across redraws for collapsing: its paragraph
--- number or speaker, else its kind and line.
---@param item dateline.OutlineItem
---@return string
function M.fold_key(item)
  if item.kind == 'speaker' then
    return 'speaker:' .. item.text
  end
  return item.number and ('¶' .. item.number) or (item.kind .. ':' .. item.row)
end

---@class dateline.OutlineLine
---@field index integer the item's index in the items
---@field children integer items nested under it (level 1 after a level 0)
---@field collapsed boolean its children are hidden

--- The lines the outline shows: every block, and what sits under a block
--- unless `collapsed[fold_key(block)]`. `line_of[index]` is the line an
--- item shows on (its block's line when hidden).
---@param items dateline.OutlineItem[]
---@param collapsed table<string, boolean>
---@return dateline.OutlineLine[] lines
---@return table<integer, integer> line_of
function M.visible(items, collapsed)
  local lines, line_of, parent = {}, {}, nil
  for index, item in ipairs(items) do
    if item.level == 0 or not parent then
      parent = { index = index, children = 0, collapsed = collapsed[M.fold_key(item)] == true }
      lines[#lines + 1] = parent
      line_of[index] = #lines
    else
      parent.children = parent.children + 1
      if parent.collapsed then
        line_of[index] = line_of[parent.index]
      else
        lines[#lines + 1] = { index = index, children = 0, collapsed = false }
        line_of[index] = #lines
      end
    end
  end
  return lines, line_of
end

-- Rendering ----------------------------------------------------------------

local ICONS = { subhead = '§ ', comment = '✎ ', editor_note = '※ ' }
local GROUPS = {
  headline = 'DatelineHeadline',
  dateline = 'DatelineDateline',
  subhead = 'DatelineSubhead',
  quotation = 'DatelineQuotation',
  comment = 'DatelineComment',
  editor_note = 'DatelineEditorNote',
}

-- The first `chars` characters of UTF-8 `text`.
local function first_chars(text, chars)
  local index, count = 1, 0
  while index <= #text and count < chars do
    local byte = text:byte(index)
    index = index + (byte >= 0xF0 and 4 or byte >= 0xE0 and 3 or byte >= 0xC0 and 2 or 1)
    count = count + 1
  end
  return text:sub(1, index - 1), index > #text
end

-- Cut `text` to `cells` display cells, marking the cut with an ellipsis. The
-- outline of a long article truncates thousands of lines, so this counts
-- characters in Lua and asks Vim for a width only once per line.
local function truncate(text, cells)
  local cut, whole = first_chars(text, cells)
  if whole and vim.api.nvim_strwidth(text) <= cells then
    return text
  end
  local chars = cells - 1
  cut = first_chars(text, chars)
  -- Double-width characters: drop characters until the cut fits.
  while chars > 0 and vim.api.nvim_strwidth(cut) > cells - 1 do
    chars = chars - 1
    cut = first_chars(text, chars)
  end
  return cut .. '…'
end

--- One line of the outline, with the highlights of its parts.
---@param item dateline.OutlineItem
---@param width integer display cells available
---@param folded integer? items hidden under it (a collapsed paragraph or speaker)
---@return string line
---@return {[1]: integer, [2]: integer, [3]: string}[] highlights start byte, end byte, group
function M.format_item(item, width, folded)
  if item.kind == 'speaker' then
    return M.format_speaker(item, width, folded)
  end
  local indent = string.rep('  ', item.level)
  local prefix, prefix_group = ICONS[item.kind] or '', GROUPS[item.kind]
  if folded and folded > 0 then
    -- Says what is hidden, so a collapsed paragraph is not mistaken for one
    -- without quotations.
    prefix = '▸' .. folded .. ' ' .. prefix
    prefix_group = 'DatelineOutlineFolded'
  end
  if item.kind == 'paragraph' then
    prefix, prefix_group = prefix .. '¶' .. (item.number or '') .. ' ', prefix_group or 'DatelineOutlineNumber'
  elseif item.kind == 'quotation' and item.speaker then
    prefix, prefix_group = item.speaker .. ': ', 'DatelineSpeaker'
  end
  local head = indent .. prefix
  local text = item.text
  if item.kind == 'quotation' and item.speaker then
    -- The speaker already says it is a quotation: show the words, not marks.
    text = text:gsub('^[“"‘\'«„]+', ''):gsub('[”"’\'»]+$', '')
  end
  -- Control characters in the article would break the line or the screen.
  local line = truncate((head .. text):gsub('%c', ' '), math.max(width, 8))
  local highlights = {}
  if #prefix > 0 then
    highlights[#highlights + 1] = { #indent, math.min(#head, #line), prefix_group }
  end
  if #line > #head and GROUPS[item.kind] then
    highlights[#highlights + 1] = { #head, #line, GROUPS[item.kind] }
  end
  return line, highlights
end

--- One line of the speakers view: the name, then how often and where, e.g.
--- "Lee  2 quotes · ¶1 4 5".
---@param item dateline.OutlineItem
---@param width integer
---@param folded integer?
---@return string line
---@return {[1]: integer, [2]: integer, [3]: string}[] highlights
function M.format_speaker(item, width, folded)
  local marker = folded and folded > 0 and '▸ ' or ''
  local name = item.text:gsub('%c', ' ')
  local paragraphs = #(item.paragraphs or {}) > 0 and (' · ¶' .. table.concat(item.paragraphs, ' ')) or ''
  local facts = string.format('  %d %s%s', item.count or 0, item.count == 1 and 'quote' or 'quotes', paragraphs)
  local line = truncate(marker .. name .. facts, math.max(width, 8))
  local name_end = math.min(#marker + #name, #line)
  local highlights = { { #marker, name_end, 'DatelineSpeaker' } }
  if #line > name_end then
    highlights[#highlights + 1] = { name_end, #line, 'DatelineOutlineNumber' }
  end
  return line, highlights
end

--- The summary above the outline of `buf`: the core's counts, or why there
--- are none.
---@param buf integer
---@param source dateline.OutlineSource
---@param model table?
---@return string
function M.summary(buf, source, model)
  if source == 'model' and type(model.stats) == 'table' then
    local stats = model.stats
    return string.format('%d words · %d ¶ · %d %s', stats.words, stats.paragraphs, stats.quotations,
      stats.quotations == 1 and 'quote' or 'quotes')
  elseif source == 'pending' then
    return 'counting…'
  end
  local why = article.last_error(buf) or 'the dateline server is not running'
  return 'counts and speakers unavailable: ' .. why:gsub('%c', ' ')
end

--- The item to show as current for a cursor position: the innermost item
--- around it, else the block it follows.
---@param items dateline.OutlineItem[]
---@param row integer 0-based
---@param col integer
---@return integer? index
function M.current_index(items, row, col)
  local low, high, found = 1, #items, nil
  while low <= high do
    local mid = math.floor((low + high) / 2)
    local item = items[mid]
    if item.row < row or (item.row == row and item.col <= col) then
      found, low = mid, mid + 1
    else
      high = mid - 1
    end
  end
  while found and items[found].level > 0 do
    local item = items[found]
    local inside = row < item.end_row or (row == item.end_row and col < item.end_col)
    if inside then
      break
    end
    found = found - 1
  end
  return found
end

return M
