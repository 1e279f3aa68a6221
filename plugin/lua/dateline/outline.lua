-- The outline window: the article's items (outline_data.lua says which,
-- with the core's numbers and speakers) in a side window that follows the
-- cursor and updates while the user types, and :Dateline jump.

local article = require('dateline.article')
local config = require('dateline.config')
local data = require('dateline.outline_data')

local M = {}

--- The outline of an article buffer (see outline_data.items).
M.items = data.items
--- The speakers view of an article buffer (see outline_data.speakers).
M.speaker_items = data.speakers

-- The window ---------------------------------------------------------------

local namespace = vim.api.nvim_create_namespace('dateline.outline')
-- The item previewed in the article, apart from the article's own marks.
local preview_namespace = vim.api.nvim_create_namespace('dateline.outline.preview')

-- The outline's keys, for the help lines `?` shows (the mappings are made
-- in map_outline_keys).
local HELP = {
  { '<CR>', 'jump to the item' },
  { 'za <Tab>', 'fold / unfold what is under ¶' },
  { 'zo zc', 'unfold / fold' },
  { 'zR zM', 'unfold / fold all' },
  { 's', 'speakers / outline' },
  { 'q', 'close' },
  { '?', 'hide this help' },
}
local WINBAR = ' ?%#DatelineOutlineHelp# help · %*s%#DatelineOutlineHelp# speakers · %*za%#DatelineOutlineHelp# fold'

local function help_lines(outline)
  if not outline.help then
    return {}
  end
  local lines = {}
  for _, entry in ipairs(HELP) do
    lines[#lines + 1] = string.format('%-9s %s', entry[1], entry[2])
  end
  lines[#lines + 1] = ''
  return lines
end
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
---@field view 'outline'|'speakers' what the window lists
---@field collapsed table<string, boolean> fold_key -> children hidden
---@field shown dateline.OutlineLine[] the item of each line after the help
---@field line_of table<integer, integer> item index -> its line after the help
---@field help boolean the key help is shown above the items

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
  vim.api.nvim_buf_clear_namespace(outline.buf, current_namespace, 0, -1)
  -- The speakers view lists quotations out of document order: no one item
  -- is "the one the cursor is in".
  if outline.view ~= 'outline' then
    return
  end
  local cursor = vim.api.nvim_win_get_cursor(outline.source_win)
  local index = data.current_index(outline.items, cursor[1] - 1, cursor[2])
  local line = index and outline.line_of[index]
  if line then
    line = line + #help_lines(outline)
    vim.api.nvim_win_set_cursor(outline.win, { line, 0 })
    vim.api.nvim_buf_set_extmark(outline.buf, current_namespace, line - 1, 0, {
      line_hl_group = 'DatelineOutlineCurrent',
    })
  end
end

-- The index of the item on the outline's cursor line, if any.
local function item_under_cursor(outline)
  local line = vim.api.nvim_win_get_cursor(outline.win)[1] - #help_lines(outline)
  local shown = outline.shown[line]
  return shown and shown.index
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

-- What the window says when it lists nothing.
local function empty_line(outline, source)
  if outline.view == 'outline' then
    return '(no outline: the article is empty)'
  elseif source == 'model' then
    return '(nobody is quoted)'
  elseif source == 'pending' then
    return '(counting…)'
  end
  return '(speakers unavailable without the dateline server)'
end

-- Redraw the outline. `keep` (an item index) stays under the outline's
-- cursor, for redraws the user asked for in the outline (a fold, the
-- other view); otherwise the cursor follows the article's.
local function render(outline, keep)
  if not vim.api.nvim_buf_is_valid(outline.source) or not vim.api.nvim_buf_is_valid(outline.buf) then
    return
  end
  local start = uv.hrtime()
  local list = outline.view == 'speakers' and data.speakers or data.items
  local items, source, model = list(outline.source)
  outline.items = items
  local title = outline.view == 'speakers' and ' Speakers · ' or ' Outline · '
  vim.wo[outline.win].statusline = title .. data.summary(outline.source, source, model):gsub('%%', '%%%%')
  local width = vim.api.nvim_win_get_width(outline.win) - 1
  local shown, line_of = data.visible(items, outline.collapsed)
  outline.shown, outline.line_of = shown, line_of
  local help = help_lines(outline)
  local lines, all_highlights = vim.list_extend({}, help), {}
  for index = 1, #help do
    all_highlights[index] = { { 0, #help[index], 'DatelineOutlineHelp' } }
  end
  for _, line in ipairs(shown) do
    local index = #lines + 1
    lines[index], all_highlights[index] = data.format_item(items[line.index], width,
      line.collapsed and line.children or nil)
  end
  if #shown == 0 then
    lines[#lines + 1] = empty_line(outline, source)
  end
  outline.tick = vim.api.nvim_buf_get_changedtick(outline.source)
  -- Typing inside a paragraph seldom changes its first words.
  if not vim.deep_equal(lines, outline.lines) then
    outline.lines = lines
    vim.bo[outline.buf].modifiable = true
    vim.api.nvim_buf_set_lines(outline.buf, 0, -1, false, lines)
    vim.bo[outline.buf].modifiable = false
    vim.api.nvim_buf_clear_namespace(outline.buf, namespace, 0, -1)
    for index, highlights in pairs(all_highlights) do
      for _, highlight in ipairs(highlights) do
        vim.api.nvim_buf_set_extmark(outline.buf, namespace, index - 1, highlight[1], {
          end_col = highlight[2],
          hl_group = highlight[3],
        })
      end
    end
  end
  if keep and line_of[keep] then
    vim.api.nvim_win_set_cursor(outline.win, { line_of[keep] + #help, 0 })
  else
    follow(outline)
  end
  outline.render_ms = (uv.hrtime() - start) / 1e6
end

-- Without a server, redraw from the tree once typing pauses: the outline
-- reads the tree the highlighter already parsed for the screen, so the delay
-- only spares repeated renders. A render of a book-length article takes long
-- enough to be felt, so the pause waited for grows with the time the last
-- render took.
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

-- Whether `win` can show another buffer without losing or refusing
-- anything: its buffer is unmodified, may be hidden, or is shown elsewhere.
local function can_replace(win)
  local buf = vim.api.nvim_win_get_buf(win)
  return not vim.bo[buf].modified or vim.o.hidden or vim.bo[buf].bufhidden == 'hide'
    or #vim.fn.win_findbuf(buf) > 1
end

-- A window showing the article again, when none in the tabpage does: the
-- one it was last seen in if that can take it, else a new split beside it
-- (or, with no other window, on the side away from the outline).
local function reopen_source(outline)
  local win = outline.source_win
  if vim.api.nvim_win_is_valid(win) and win ~= outline.win
    and vim.api.nvim_win_get_tabpage(win) == vim.api.nvim_get_current_tabpage() then
    if not can_replace(win) then
      vim.api.nvim_win_call(win, function()
        vim.cmd('split')
        win = vim.api.nvim_get_current_win()
      end)
    end
  else
    vim.api.nvim_win_call(outline.win, function()
      vim.cmd((config.get().outline.position == 'left' and 'botright' or 'topleft') .. ' vsplit')
      win = vim.api.nvim_get_current_win()
    end)
    vim.api.nvim_win_set_width(outline.win, config.get().outline.width)
  end
  vim.api.nvim_win_set_buf(win, outline.source)
  outline.source_win = win
  return win
end

-- How an item is named in messages: "¶3 “first words…”".
local function describe(item)
  local line = data.format_item(item, 40)
  return vim.trim(line)
end

-- `item` where it is now in the article: itself when the text at its place
-- did not change, a copy at its new place when an edit moved it, or nil
-- (and the user told, the outline redrawn) when it is gone.
local function current_place(outline, item)
  if data.still_there(outline.source, item) then
    return item
  end
  local row, col = data.relocate(outline.source, item)
  if row then
    return vim.tbl_extend('force', item, { row = row, col = col })
  end
  vim.notify(string.format('dateline: outline: %s is no longer in the article (it changed since the outline was drawn); the outline is redrawn',
    describe(item)), vim.log.levels.WARN)
  render(outline)
  return nil
end

local function jump_from_outline(outline)
  local index = item_under_cursor(outline)
  local item = index and outline.items[index]
  if not item then
    return
  end
  local win = source_window(outline)
  if not win then
    if not vim.api.nvim_buf_is_valid(outline.source) then
      -- Never silently nothing: say why the jump cannot happen.
      vim.notify('dateline: outline: the article is no longer open; :edit it to jump again',
        vim.log.levels.WARN)
      return
    end
    win = reopen_source(outline)
  end
  item = current_place(outline, item)
  if not item then
    return
  end
  vim.api.nvim_buf_clear_namespace(outline.source, preview_namespace, 0, -1)
  vim.api.nvim_set_current_win(win)
  M.goto_item(win, item)
end

--- Show the item under the outline's cursor in the article's window,
--- highlighted, leaving the cursor in the outline (aerial's autojump).
local function preview(outline)
  vim.api.nvim_buf_clear_namespace(outline.source, preview_namespace, 0, -1)
  local index = item_under_cursor(outline)
  local item = index and outline.items[index]
  local win = source_window(outline)
  if not item or not win or not data.still_there(outline.source, item) then
    return
  end
  vim.api.nvim_win_set_cursor(win, { item.row + 1, item.col })
  vim.api.nvim_win_call(win, function()
    vim.cmd('normal! zvzz')
  end)
  vim.api.nvim_buf_set_extmark(outline.source, preview_namespace, item.row, item.col, {
    end_row = item.end_row,
    end_col = item.end_col,
    hl_group = 'DatelineOutlinePreview',
    strict = false,
  })
end

--- The item index of the block the outline's cursor is in (the line itself,
--- or the paragraph or speaker above a nested line).
local function block_under_cursor(outline)
  local line = vim.api.nvim_win_get_cursor(outline.win)[1] - #help_lines(outline)
  while line > 0 do
    local shown = outline.shown[line]
    if shown and outline.items[shown.index].level == 0 then
      return shown.index
    end
    line = line - 1
  end
end

-- Fold ('close'), unfold ('open') or toggle what is under the block at the
-- outline's cursor.
local function fold(outline, action)
  local index = block_under_cursor(outline)
  if not index then
    return
  end
  local key = data.fold_key(outline.items[index])
  local closed = outline.collapsed[key] == true
  if action == 'toggle' then
    closed = not closed
  else
    closed = action == 'close'
  end
  outline.collapsed[key] = closed or nil
  render(outline, index)
end

local function fold_all(outline, close)
  outline.collapsed = {}
  if close then
    for _, item in ipairs(outline.items) do
      if item.level == 0 then
        outline.collapsed[data.fold_key(item)] = true
      end
    end
  end
  render(outline, outline.shown[1] and item_under_cursor(outline))
end

-- Show `view` ('outline' or 'speakers') in the outline window.
local function show_view(outline, view)
  if outline.view ~= view then
    outline.view = view
    outline.collapsed = {}
    render(outline)
  end
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
          if article.available(event.buf) then
            -- Asks the server once typing pauses; its answer redraws.
            article.get(event.buf)
          else
            schedule_render(event.buf, outline)
          end
          return
        end
      end
    end,
  })
  vim.api.nvim_create_autocmd('User', {
    group = group,
    pattern = 'DatelineArticle',
    desc = "dateline: show the core's new counts and speakers in the outline",
    callback = function(event)
      for _, outline in pairs(outlines) do
        if event.data and outline.source == event.data.buf and vim.api.nvim_win_is_valid(outline.win) then
          render(outline)
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
  vim.wo[win].winbar = WINBAR
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
  return {
    win = win,
    buf = buf,
    source = source,
    source_win = source_win,
    items = {},
    view = 'outline',
    collapsed = {},
    shown = {},
    line_of = {},
    help = false,
  }
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
  map('?', function()
    outline.help = not outline.help
    render(outline, item_under_cursor(outline))
  end, 'show or hide the keys')
  map('s', function()
    show_view(outline, outline.view == 'speakers' and 'outline' or 'speakers')
  end, 'speakers / outline')
  for lhs, action in pairs({ za = 'toggle', ['<Tab>'] = 'toggle', zo = 'open', zc = 'close' }) do
    map(lhs, function()
      fold(outline, action)
    end, action == 'toggle' and 'fold or unfold under the paragraph' or action == 'open' and 'unfold' or 'fold')
  end
  map('zR', function()
    fold_all(outline, false)
  end, 'unfold all')
  map('zM', function()
    fold_all(outline, true)
  end, 'fold all')
  local group = vim.api.nvim_create_augroup('dateline.outline.buffer.' .. outline.buf, { clear = true })
  vim.api.nvim_create_autocmd('CursorMoved', {
    group = group,
    buffer = outline.buf,
    desc = 'dateline: preview the item under the cursor in the article',
    callback = function()
      if config.get().outline.preview and vim.api.nvim_get_current_win() == outline.win then
        preview(outline)
      end
    end,
  })
  vim.api.nvim_create_autocmd({ 'BufLeave', 'BufWipeout' }, {
    group = group,
    buffer = outline.buf,
    desc = 'dateline: drop the preview highlight',
    callback = function(event)
      if vim.api.nvim_buf_is_valid(outline.source) then
        vim.api.nvim_buf_clear_namespace(outline.source, preview_namespace, 0, -1)
      end
      if event.event == 'BufWipeout' then
        return true
      end
    end,
  })
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
---@param view? 'outline'|'speakers' what it lists (default: the outline; an
--- open outline switches to it)
function M.open(view)
  local open = current_outline()
  if open then
    if view then
      show_view(open, view)
    end
    return
  end
  local source = vim.api.nvim_get_current_buf()
  if vim.bo[source].filetype ~= 'article' then
    vim.notify('dateline: the outline needs an article buffer', vim.log.levels.WARN)
    return
  end
  make_autocommands()
  local outline = create_window(source)
  outline.view = view or 'outline'
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

--- What the outline window of the current tabpage lists, if open.
---@return ('outline'|'speakers')?
function M.view()
  local outline = current_outline()
  return outline and outline.view
end

--- The speakers view: who is quoted, how often, in which paragraphs.
function M.speakers()
  M.open('speakers')
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
  vim.ui.select((data.items(buf)), {
    prompt = 'Jump to',
    kind = 'dateline.outline',
    format_item = function(item)
      return (data.format_item(item, 80))
    end,
  }, function(item)
    if item and vim.api.nvim_win_is_valid(win) and vim.api.nvim_win_get_buf(win) == buf then
      vim.api.nvim_set_current_win(win)
      M.goto_item(win, item)
    end
  end)
end

return M
