-- The outline window: the article's items (outline_data.lua says which,
-- with the core's numbers and speakers) in a side window that follows the
-- cursor and updates while the user types, and :Dateline jump.

local article = require('dateline.article')
local config = require('dateline.config')
local data = require('dateline.outline_data')

local M = {}

--- The outline of an article buffer (see outline_data.items).
M.items = data.items

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
  local index = data.current_index(outline.items, cursor[1] - 1, cursor[2])
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
  local items, source, model = data.items(outline.source)
  outline.items = items
  vim.wo[outline.win].statusline = ' Outline · ' .. data.summary(outline.source, source, model):gsub('%%', '%%%%')
  local width = vim.api.nvim_win_get_width(outline.win) - 1
  local lines, all_highlights = {}, {}
  for index, item in ipairs(outline.items) do
    lines[index], all_highlights[index] = data.format_item(item, width)
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

local function jump_from_outline(outline)
  local item = outline.items[vim.api.nvim_win_get_cursor(outline.win)[1]]
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
