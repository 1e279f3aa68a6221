-- The outline: the article's structure as a list of items (headline,
-- dateline, subheads, paragraphs with their quotations and comments, editor's
-- notes), shown in a side window that follows the cursor and updates while
-- the user types, and offered by :Dateline jump.

local config = require('dateline.config')
local parser = require('dateline.parser')

local M = {}

---@class dateline.OutlineItem
---@field kind 'headline'|'dateline'|'subhead'|'paragraph'|'quotation'|'comment'|'editor_note'
---@field level integer 0 for blocks, 1 for what sits inside a paragraph
---@field text string first words, on one line
---@field number integer? paragraph number, from 1
---@field speaker string? who said a quotation, when the article says
---@field row integer 0-based start
---@field col integer
---@field end_row integer
---@field end_col integer

local ITEM_TYPES = {
  headline = true,
  dateline = true,
  subhead = true,
  paragraph = true,
  quotation = true,
  attribution = true,
  comment = true,
  editor_note = true,
}

-- Enough text for the first words of an item however wide the window.
local SNIPPET_BYTES = 240

-- The first SNIPPET_BYTES of a range, read line by line so that a paragraph
-- that is one 10 MB line costs no more than a short one.
local function snippet(buf, row, col, end_row, end_col)
  local parts, size = {}, 0
  for line_row = row, end_row do
    local line = vim.api.nvim_buf_get_lines(buf, line_row, line_row + 1, false)[1] or ''
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

local function node_snippet(buf, node)
  local row, col, end_row, end_col = node:range()
  return snippet(buf, row, col, end_row, end_col)
end

local function field_text(buf, node, name)
  local child = node:field(name)[1]
  return child and node_snippet(buf, child) or nil
end

local function contains(outer, inner)
  local row, col, end_row, end_col = outer:range()
  local inner_row, inner_col = inner:start()
  return (inner_row > row or (inner_row == row and inner_col >= col))
    and (inner_row < end_row or (inner_row == end_row and inner_col < end_col))
end

local function make_item(kind, level, node, text)
  local row, col, end_row, end_col = node:range()
  return { kind = kind, level = level, text = text, row = row, col = col, end_row = end_row, end_col = end_col }
end

-- News style names the speaker after the quotation ("…,” the company said.)
-- or before it (She said, “…”), and a second quotation in the same paragraph
-- keeps the speaker of the first. So: the attribution right after a quotation,
-- else the nearest one before it, in the same paragraph.
local function assign_speakers(quotations, attributions)
  for index, quotation in ipairs(quotations) do
    local next_quotation = quotations[index + 1]
    local speaker
    for _, attribution in ipairs(attributions) do
      local after_this = attribution.row > quotation.item.end_row
        or (attribution.row == quotation.item.end_row and attribution.col >= quotation.item.end_col)
      local before_next = not next_quotation
        or attribution.row < next_quotation.item.row
        or (attribution.row == next_quotation.item.row and attribution.col < next_quotation.item.col)
      if after_this and before_next then
        speaker = attribution.speaker
        break
      elseif not after_this then
        speaker = attribution.speaker or speaker
      end
    end
    quotation.item.speaker = speaker
  end
end

--- The outline of an article buffer, in document order, from the buffer's
--- current tree.
---@param buf integer
---@return dateline.OutlineItem[]
function M.items(buf)
  local items = {}
  local paragraph, paragraph_count = nil, 0
  local quotations, attributions = {}, {}
  local dateline_end = nil ---@type integer[]?

  local function close_paragraph()
    assign_speakers(quotations, attributions)
    quotations, attributions = {}, {}
  end

  for _, node in ipairs(parser.collect(buf, ITEM_TYPES)) do
    local kind = node:type()
    if paragraph and not contains(paragraph, node) then
      close_paragraph()
      paragraph = nil
    end
    if kind == 'paragraph' then
      paragraph, paragraph_count = node, paragraph_count + 1
      local item = make_item('paragraph', 0, node, '')
      item.number = paragraph_count
      items[#items + 1] = item
    elseif kind == 'dateline' then
      local place = field_text(buf, node, 'location') or node_snippet(buf, node)
      local agency = field_text(buf, node, 'agency')
      -- The dateline opens its paragraph but reads as a block of its own,
      -- listed before that paragraph.
      local item = make_item('dateline', 0, node, agency and place .. ' ' .. agency or place)
      local last = items[#items]
      if last and last.kind == 'paragraph' and paragraph and contains(paragraph, node) then
        table.insert(items, #items, item)
      else
        items[#items + 1] = item
      end
      dateline_end = { node:end_() }
    elseif kind == 'attribution' then
      local speaker = field_text(buf, node, 'speaker')
      attributions[#attributions + 1] = { row = node:start(), col = select(2, node:start()), speaker = speaker }
    elseif kind == 'quotation' then
      local item = make_item('quotation', paragraph and 1 or 0, node, node_snippet(buf, node))
      items[#items + 1] = item
      quotations[#quotations + 1] = { item = item }
    elseif kind == 'comment' then
      -- The note, without its {>> <<} markup.
      local text = node_snippet(buf, node):gsub('^{>>%s*', ''):gsub('%s*<<}$', '')
      items[#items + 1] = make_item('comment', paragraph and 1 or 0, node, text)
    else
      items[#items + 1] = make_item(kind, 0, node, node_snippet(buf, node))
    end
  end
  close_paragraph()

  for _, item in ipairs(items) do
    if item.kind == 'paragraph' then
      local row, col = item.row, item.col
      if dateline_end and item.row == dateline_end[1] and item.number == 1 then
        row, col = dateline_end[1], dateline_end[2]
      end
      item.text = snippet(buf, row, col, item.end_row, item.end_col)
    end
  end
  return items
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
---@return string line
---@return {[1]: integer, [2]: integer, [3]: string}[] highlights start byte, end byte, group
function M.format_item(item, width)
  local indent = string.rep('  ', item.level)
  local prefix, prefix_group = ICONS[item.kind] or '', GROUPS[item.kind]
  if item.kind == 'paragraph' then
    prefix, prefix_group = '¶' .. item.number .. ' ', 'DatelineOutlineNumber'
  elseif item.kind == 'quotation' and item.speaker then
    prefix, prefix_group = item.speaker .. ': ', 'DatelineSpeaker'
  end
  local head = indent .. prefix
  local text = item.text
  if item.kind == 'quotation' and item.speaker then
    -- The speaker already says it is a quotation: show the words, not marks.
    text = text:gsub('^[“"‘\'«„]+', ''):gsub('[”"’\'»]+$', '')
  end
  local line = truncate(head .. text, math.max(width, 8))
  local highlights = {}
  if #prefix > 0 then
    highlights[#highlights + 1] = { #indent, math.min(#head, #line), prefix_group }
  end
  if #line > #head and GROUPS[item.kind] then
    highlights[#highlights + 1] = { #head, #line, GROUPS[item.kind] }
  end
  return line, highlights
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

-- The window ---------------------------------------------------------------

local namespace = vim.api.nvim_create_namespace('dateline.outline')
-- The current item's mark lives apart, so following the cursor does not
-- touch the highlights of every line.
local current_namespace = vim.api.nvim_create_namespace('dateline.outline.current')

---@class dateline.Outline
---@field win integer
---@field buf integer
---@field source integer the article buffer shown
---@field source_win integer the window the article was last seen in
---@field items dateline.OutlineItem[]
---@field lines string[]? what the window shows
---@field render_ms number? how long the last render took

local outlines = {} ---@type table<integer, dateline.Outline> by tabpage
local timers = {} ---@type table<integer, uv_timer_t> by article buffer
local uv = vim.uv or vim.loop

local function current_outline()
  local outline = outlines[vim.api.nvim_get_current_tabpage()]
  if outline and vim.api.nvim_win_is_valid(outline.win) then
    return outline
  end
end

local function follow(outline)
  if not vim.api.nvim_win_is_valid(outline.source_win)
    or vim.api.nvim_win_get_buf(outline.source_win) ~= outline.source
  then
    return
  end
  local cursor = vim.api.nvim_win_get_cursor(outline.source_win)
  local index = M.current_index(outline.items, cursor[1] - 1, cursor[2])
  vim.api.nvim_buf_clear_namespace(outline.buf, current_namespace, 0, -1)
  if index then
    vim.api.nvim_win_set_cursor(outline.win, { index, 0 })
    vim.api.nvim_buf_set_extmark(outline.buf, current_namespace, index - 1, 0, {
      line_hl_group = 'DatelineOutlineCurrent',
    })
  end
end

--- The line of the outline window marked as current, if any.
---@return integer?
function M.current_line()
  local outline = current_outline()
  if not outline then
    return nil
  end
  local mark = vim.api.nvim_buf_get_extmarks(outline.buf, current_namespace, 0, -1, { limit = 1 })[1]
  return mark and mark[2] + 1
end

local function render(outline)
  if not vim.api.nvim_buf_is_valid(outline.source) or not vim.api.nvim_buf_is_valid(outline.buf) then
    return
  end
  local start = uv.hrtime()
  outline.items = M.items(outline.source)
  local width = vim.api.nvim_win_get_width(outline.win) - 1
  local lines, all_highlights = {}, {}
  for index, item in ipairs(outline.items) do
    lines[index], all_highlights[index] = M.format_item(item, width)
  end
  if #lines == 0 then
    lines = { '(no outline: the article is empty)' }
  end
  -- Typing inside a paragraph seldom changes its first words.
  if vim.deep_equal(lines, outline.lines) then
    follow(outline)
    return
  end
  outline.lines = lines
  vim.bo[outline.buf].modifiable = true
  vim.api.nvim_buf_set_lines(outline.buf, 0, -1, false, lines)
  vim.bo[outline.buf].modifiable = false
  vim.api.nvim_buf_clear_namespace(outline.buf, namespace, 0, -1)
  for index, highlights in ipairs(all_highlights) do
    for _, highlight in ipairs(highlights) do
      vim.api.nvim_buf_set_extmark(outline.buf, namespace, index - 1, highlight[1], {
        end_col = highlight[2],
        hl_group = highlight[3],
      })
    end
  end
  follow(outline)
  outline.render_ms = (uv.hrtime() - start) / 1e6
end

-- Redraw once typing pauses: the outline reads the tree the highlighter
-- already parsed for the screen, so the delay only spares repeated renders.
-- A render of a book-length article takes long enough to be felt, so the
-- pause waited for grows with the time the last render took.
local function schedule_render(buf, outline)
  local timer = timers[buf]
  if not timer then
    timer = uv.new_timer()
    timers[buf] = timer
  end
  timer:stop()
  timer:start(
    math.max(config.get().outline.debounce_ms, math.floor(10 * (outline.render_ms or 0))),
    0,
    vim.schedule_wrap(function()
      if not vim.api.nvim_buf_is_valid(buf) then
        return
      end
      for _, outline in pairs(outlines) do
        if outline.source == buf and vim.api.nvim_win_is_valid(outline.win) then
          render(outline)
        end
      end
    end)
  )
end

local function stop_timer(buf)
  local timer = timers[buf]
  if timer then
    timer:stop()
    timer:close()
    timers[buf] = nil
  end
end

--- Move the cursor to an item of the outline in `win` (and open folds there).
---@param win integer
---@param item dateline.OutlineItem
function M.goto_item(win, item)
  if vim.api.nvim_get_mode().mode == 'n' then
    vim.cmd("normal! m'")
  end
  vim.api.nvim_win_set_cursor(win, { item.row + 1, item.col })
  vim.api.nvim_win_call(win, function()
    vim.cmd('normal! zv')
  end)
end

local function source_window(outline)
  if vim.api.nvim_win_is_valid(outline.source_win)
    and vim.api.nvim_win_get_buf(outline.source_win) == outline.source
  then
    return outline.source_win
  end
  for _, win in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
    if win ~= outline.win and vim.api.nvim_win_get_buf(win) == outline.source then
      return win
    end
  end
end

local function jump_from_outline(outline)
  local item = outline.items[vim.api.nvim_win_get_cursor(outline.win)[1]]
  local win = source_window(outline)
  if not item or not win then
    return
  end
  vim.api.nvim_set_current_win(win)
  M.goto_item(win, item)
end

local autocommands_made = false

local function make_autocommands()
  if autocommands_made then
    return
  end
  autocommands_made = true
  local group = vim.api.nvim_create_augroup('dateline.outline', { clear = true })
  vim.api.nvim_create_autocmd({ 'TextChanged', 'TextChangedI', 'TextChangedP' }, {
    group = group,
    desc = 'dateline: update the outline',
    callback = function(event)
      for _, outline in pairs(outlines) do
        if outline.source == event.buf and vim.api.nvim_win_is_valid(outline.win) then
          schedule_render(event.buf, outline)
          return
        end
      end
    end,
  })
  vim.api.nvim_create_autocmd({ 'CursorMoved', 'CursorMovedI' }, {
    group = group,
    desc = 'dateline: show the current item in the outline',
    callback = function(event)
      local outline = current_outline()
      if outline and outline.source == event.buf and config.get().outline.follow_cursor then
        outline.source_win = vim.api.nvim_get_current_win()
        follow(outline)
      end
    end,
  })
  vim.api.nvim_create_autocmd('BufEnter', {
    group = group,
    desc = 'dateline: outline the article entered',
    callback = function(event)
      local outline = current_outline()
      local win = vim.api.nvim_get_current_win()
      if outline and win ~= outline.win and vim.bo[event.buf].filetype == 'article' then
        outline.source_win = win
        if outline.source ~= event.buf then
          outline.source = event.buf
          render(outline)
        end
      end
    end,
  })
  vim.api.nvim_create_autocmd('BufWipeout', {
    group = group,
    desc = 'dateline: drop the outline timer of a closed article',
    callback = function(event)
      stop_timer(event.buf)
    end,
  })
end

local function create_window(source)
  local options = config.get().outline
  local source_win = vim.api.nvim_get_current_win()
  local side = options.position == 'left' and 'topleft' or 'botright'
  vim.cmd(string.format('%s vertical %dnew', side, options.width))
  local win = vim.api.nvim_get_current_win()
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  vim.bo[buf].buflisted = false
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = 'datelineoutline'
  vim.api.nvim_buf_set_name(buf, 'dateline://outline/' .. buf)
  vim.wo[win].statusline = ' Outline'
  for option, value in pairs({
    number = false,
    relativenumber = false,
    signcolumn = 'no',
    foldcolumn = '0',
    spell = false,
    list = false,
    wrap = false,
    cursorline = false,
    winfixwidth = true,
  }) do
    vim.wo[win][option] = value
  end
  vim.api.nvim_set_current_win(source_win)
  return { win = win, buf = buf, source = source, source_win = source_win, items = {} }
end

local function map_outline_keys(outline)
  local function map(lhs, fn, desc)
    vim.keymap.set('n', lhs, fn, { buffer = outline.buf, nowait = true, desc = 'dateline outline: ' .. desc })
  end
  map('<CR>', function()
    jump_from_outline(outline)
  end, 'jump to the item')
  map('<2-LeftMouse>', function()
    jump_from_outline(outline)
  end, 'jump to the item')
  map('q', M.close, 'close')
end

--- Whether the current tabpage shows an outline.
---@return boolean
function M.is_open()
  return current_outline() ~= nil
end

--- The outline window of the current tabpage, if open.
---@return integer?
function M.window()
  local outline = current_outline()
  return outline and outline.win
end

--- Open the outline of the current article buffer in a side window.
function M.open()
  if M.is_open() then
    return
  end
  local source = vim.api.nvim_get_current_buf()
  if vim.bo[source].filetype ~= 'article' then
    vim.notify('dateline: the outline needs an article buffer', vim.log.levels.WARN)
    return
  end
  make_autocommands()
  local outline = create_window(source)
  outlines[vim.api.nvim_get_current_tabpage()] = outline
  map_outline_keys(outline)
  vim.api.nvim_create_autocmd('WinClosed', {
    group = vim.api.nvim_create_augroup('dateline.outline.window.' .. outline.win, { clear = true }),
    pattern = tostring(outline.win),
    once = true,
    desc = 'dateline: forget a closed outline',
    callback = function()
      for tab, open in pairs(outlines) do
        if open == outline then
          outlines[tab] = nil
        end
      end
    end,
  })
  render(outline)
end

--- Close the outline of the current tabpage.
function M.close()
  local outline = current_outline()
  if outline then
    outlines[vim.api.nvim_get_current_tabpage()] = nil
    vim.api.nvim_win_close(outline.win, true)
  end
end

--- Redraw the outline of the current tabpage now, without waiting for the
--- pause in typing.
function M.refresh()
  local outline = current_outline()
  if outline then
    render(outline)
  end
end

--- Open or close the outline.
function M.toggle()
  if M.is_open() then
    M.close()
  else
    M.open()
  end
end

--- Offer the outline's items through vim.ui.select and jump to the choice.
function M.pick()
  local buf = vim.api.nvim_get_current_buf()
  local win = vim.api.nvim_get_current_win()
  if vim.bo[buf].filetype ~= 'article' then
    vim.notify('dateline: :Dateline jump needs an article buffer', vim.log.levels.WARN)
    return
  end
  vim.ui.select(M.items(buf), {
    prompt = 'Jump to',
    kind = 'dateline.outline',
    format_item = function(item)
      return (M.format_item(item, 80))
    end,
  }, function(item)
    if item and vim.api.nvim_win_is_valid(win) and vim.api.nvim_win_get_buf(win) == buf then
      vim.api.nvim_set_current_win(win)
      M.goto_item(win, item)
    end
  end)
end

return M
