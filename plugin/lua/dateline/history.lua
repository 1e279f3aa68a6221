-- The history browser (:Dateline history): the window. One line per
-- version of the article, newest first, with a sparkline of its length over
-- time (history_data.lua says what to show); keys to open, diff, restore and
-- annotate a version; a preview that follows the cursor.
--
-- Windows: the browser is a split at the bottom; the preview is a split
-- beside it (never over the article), and versions open in one version
-- window per browser, reused by every <CR> and D, so that browsing many
-- versions never piles up windows.

local data = require('dateline.history_data')

local M = {}

local ns = vim.api.nvim_create_namespace('dateline.history')
local uv = vim.uv or vim.loop

local HEADER_LINES = data.HEADER_LINES
local PREVIEW_DEBOUNCE_MS = 80
local PREVIEW_LINES = 12
-- The preview's share of the browser's width.
local PREVIEW_WIDTH = 0.4

-- article buffer -> history buffer showing it
local browsers = {}
-- history buffer -> what it shows
---@type table<integer, { article: integer, versions: dateline.Version[], view: dateline.HistoryView, rows: dateline.HistoryRow[], preview: integer?, version_win: integer?, timer: uv_timer_t? }>
local browsers_state = {}

-- The row under the cursor (in the current window, the browser's).
local function row_at_cursor(history_buf)
  local state = browsers_state[history_buf]
  if not state then
    return nil
  end
  return state.rows[vim.api.nvim_win_get_cursor(0)[1] - HEADER_LINES]
end

-- The version under the cursor (a collapsed session's newest), and its
-- index in the log.
local function version_at_cursor(history_buf)
  local row = row_at_cursor(history_buf)
  if not row then
    return nil
  end
  for index, version in ipairs(browsers_state[history_buf].versions) do
    if version == row.version then
      return version, index
    end
  end
end

-- The line showing the version `id` (its collapsed session's row), if any.
local function line_of_version(state, id)
  for index, row in ipairs(state.rows) do
    if row.version.id == id then
      return HEADER_LINES + index
    end
    for _, version in ipairs(row.versions or {}) do
      if version.id == id then
        return HEADER_LINES + index
      end
    end
  end
end

local function draw(history_buf)
  local state = browsers_state[history_buf]
  if not state or not vim.api.nvim_buf_is_valid(history_buf) then
    return
  end
  local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(state.article), ':~:.')
  local lines, marks, rows = data.render(name, state.versions, state.view)
  state.rows = rows
  vim.bo[history_buf].modifiable = true
  vim.api.nvim_buf_set_lines(history_buf, 0, -1, false, lines)
  vim.bo[history_buf].modifiable = false
  vim.bo[history_buf].modified = false
  vim.api.nvim_buf_clear_namespace(history_buf, ns, 0, -1)
  for _, mark in ipairs(marks) do
    local row, col, end_col, group = mark[1], mark[2], mark[3], mark[4]
    vim.api.nvim_buf_set_extmark(history_buf, ns, row, col, {
      end_row = end_col == -1 and row + 1 or row,
      end_col = end_col == -1 and 0 or end_col,
      hl_group = group,
    })
  end
end

local function article_window(article)
  local wins = vim.fn.win_findbuf(article)
  if #wins > 0 then
    return wins[1]
  end
end

local function close_preview(state)
  if state.preview and vim.api.nvim_win_is_valid(state.preview) then
    vim.api.nvim_win_close(state.preview, true)
  end
  state.preview = nil
end

-- The preview window beside the browser, made on first use.
local function preview_window(state, history_win)
  if state.preview and vim.api.nvim_win_is_valid(state.preview) then
    return state.preview
  end
  local preview_buf = vim.api.nvim_create_buf(false, true)
  vim.bo[preview_buf].bufhidden = 'wipe'
  vim.bo[preview_buf].filetype = 'dateline-preview'
  local width = math.max(30, math.floor(vim.api.nvim_win_get_width(history_win) * PREVIEW_WIDTH))
  local win
  vim.api.nvim_win_call(history_win, function()
    -- noautocmd: the browser's WinLeave must not see this window come and go.
    vim.cmd(string.format('noautocmd rightbelow %dvsplit', width))
    win = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_buf(win, preview_buf)
  end)
  for option, value in pairs({ number = false, relativenumber = false, wrap = true, linebreak = true,
    cursorline = false, signcolumn = 'no', list = false, spell = false, winfixheight = true,
    winfixwidth = true, foldenable = false }) do
    vim.wo[win][option] = value
  end
  state.preview = win
  return win
end

-- The preview's lines for `version`: what changed in it (the writer's note,
-- the structural summary, the words) first, then the start of its text.
local function preview_lines(version, err, content)
  local lines = {
    string.format('%s  %s  %s <%s>', version.short or version.id:sub(1, 10), version.time or '',
      data.printable(version.author and version.author.name or '?'),
      data.printable(version.author and version.author.email or '')),
  }
  if data.note_of(version) then
    lines[#lines + 1] = 'note: ' .. data.note_of(version)
  end
  if version.summary and version.summary ~= '' then
    lines[#lines + 1] = 'changed: ' .. data.printable(version.summary)
  end
  lines[#lines + 1] = string.format('words: %d (%+d)', version.words or 0, version.words_delta or 0)
  lines[#lines + 1] = string.rep('─', 20)
  local body = err and { 'cannot read this version: ' .. data.printable(err) } or data.content_lines(content)
  for index = 1, math.min(#body, PREVIEW_LINES) do
    lines[#lines + 1] = body[index]
  end
  return lines
end

local function show_preview(history_buf, version)
  local state = browsers_state[history_buf]
  local history_win = vim.fn.bufwinid(history_buf)
  if not state or history_win == -1 then
    return
  end
  data.fetch_content(state.article, version.id, function(err, content)
    -- The cursor may have moved on while the content was fetched.
    if not vim.api.nvim_buf_is_valid(history_buf) or vim.fn.bufwinid(history_buf) == -1 then
      return
    end
    local current = vim.api.nvim_win_call(vim.fn.bufwinid(history_buf), function()
      return version_at_cursor(history_buf)
    end)
    if current ~= version then
      return
    end
    local win = preview_window(state, vim.fn.bufwinid(history_buf))
    local preview_buf = vim.api.nvim_win_get_buf(win)
    vim.api.nvim_buf_set_lines(preview_buf, 0, -1, false, preview_lines(version, err, content))
    vim.api.nvim_win_set_cursor(win, { 1, 0 })
  end)
end

local function schedule_preview(history_buf)
  local state = browsers_state[history_buf]
  if not state then
    return
  end
  local version = version_at_cursor(history_buf)
  if not version then
    close_preview(state)
    return
  end
  state.timer = state.timer or uv.new_timer()
  state.timer:stop()
  state.timer:start(PREVIEW_DEBOUNCE_MS, 0, vim.schedule_wrap(function()
    if vim.api.nvim_buf_is_valid(history_buf) then
      show_preview(history_buf, version)
    end
  end))
end

-- The read-only buffer of one version (made once per version shown), with
-- [v and ]v to step through the versions in place.
local function version_buffer(article, version_id, content)
  local name = string.format('dateline://%s/%s', version_id:sub(1, 10),
    vim.fs.basename(vim.api.nvim_buf_get_name(article)))
  local buf = vim.fn.bufnr(name)
  if buf ~= -1 then
    return buf
  end
  buf = vim.api.nvim_create_buf(true, true)
  vim.api.nvim_buf_set_name(buf, name)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, data.content_lines(content))
  vim.bo[buf].modifiable = false
  vim.bo[buf].readonly = true
  vim.bo[buf].bufhidden = 'wipe'
  vim.b[buf].dateline_version_of = article
  vim.b[buf].dateline_version_id = version_id
  local mappings = require('dateline.config').get().mappings or {}
  if mappings.prev_version then
    vim.keymap.set('n', mappings.prev_version, function()
      M.travel(buf, -vim.v.count1)
    end, { buffer = buf, desc = 'dateline: the previous (older) version, in place' })
  end
  if mappings.next_version then
    vim.keymap.set('n', mappings.next_version, function()
      M.travel(buf, vim.v.count1)
    end, { buffer = buf, desc = 'dateline: the next (newer) version, in place' })
  end
  return buf
end

--- Open a version read-only in a split, as an article (highlighted).
---@param article integer
---@param version_id string
---@param callback fun(version_buf: integer)?
function M.open_version(article, version_id, callback)
  data.fetch_content(article, version_id, function(err, content)
    if err then
      vim.notify('dateline: ' .. err, vim.log.levels.ERROR)
      return
    end
    local buf = version_buffer(article, version_id, content)
    -- The browser's version window when it has one: the next version
    -- replaces the last one there instead of opening another split.
    local state = browsers[article] and browsers_state[browsers[article]]
    local reuse = state and state.version_win
    if reuse and vim.api.nvim_win_is_valid(reuse) then
      vim.api.nvim_set_current_win(reuse)
    else
      local win = article_window(article)
      if win then
        vim.api.nvim_set_current_win(win)
      end
      vim.cmd('vsplit')
      if state then
        state.version_win = vim.api.nvim_get_current_win()
      end
    end
    vim.api.nvim_win_set_buf(0, buf)
    if vim.bo[buf].filetype ~= 'article' then
      vim.bo[buf].filetype = 'article'
    end
    if callback then
      callback(buf)
    end
  end)
end

--- The side-by-side alternative (:Dateline diff split [REV]): the version
--- (default: the latest) read-only in a window left of the article's, the
--- two scrolling and moving together. `callback(version_buf)` once shown.
---@param buf integer the article
---@param rev string?
---@param callback fun(version_buf: integer?)?
function M.open_beside(buf, rev, callback)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  data.fetch_content(buf, rev or '@', function(err, _, id)
    if err then
      vim.notify('dateline: diff split: ' .. err, vim.log.levels.ERROR)
      if callback then
        callback(nil)
      end
      return
    end
    local article_win = vim.fn.bufwinid(buf)
    M.open_version(buf, id or rev, function(version_buf)
      local version_win = vim.fn.bufwinid(version_buf)
      for _, win in ipairs({ version_win, article_win }) do
        if win ~= -1 then
          vim.wo[win].scrollbind = true
          vim.wo[win].cursorbind = true
        end
      end
      -- The article's window stops following once the version is closed.
      vim.api.nvim_create_autocmd('BufWipeout', {
        buffer = version_buf,
        once = true,
        callback = function()
          if vim.api.nvim_win_is_valid(article_win) then
            vim.wo[article_win].scrollbind = false
            vim.wo[article_win].cursorbind = false
          end
        end,
      })
      if article_win ~= -1 then
        vim.api.nvim_set_current_win(article_win)
        vim.cmd('syncbind')
      end
      if callback then
        callback(version_buf)
      end
    end)
  end)
end

--- Time travel: show, in the window of version buffer `version_buf`, the
--- version `step` versions newer (negative: older), with the diff from its
--- predecessor marked. Stops at the oldest and the newest version.
---@param version_buf integer
---@param step integer
---@param callback fun(buf: integer?, err: string?)? the buffer shown
function M.travel(version_buf, step, callback)
  local article = vim.b[version_buf].dateline_version_of
  local from = vim.b[version_buf].dateline_version_id
  local function finish(buf, err)
    if err then
      vim.notify('dateline: ' .. err, vim.log.levels.WARN)
    end
    if callback then
      callback(buf, err)
    end
  end
  data.fetch_log(article, function(err, versions)
    if err then
      return finish(nil, err)
    end
    -- The log is newest first: a newer version has a smaller index.
    local at
    for index, version in ipairs(versions) do
      if version.id == from or vim.startswith(version.id, from) then
        at = index
        break
      end
    end
    if not at then
      return finish(nil, 'this version is not in the article\'s history')
    end
    local target = versions[at - step]
    if not target then
      return finish(nil, step > 0 and 'this is the newest version' or 'this is the oldest version')
    end
    data.fetch_content(article, target.id, function(content_err, content)
      if content_err then
        return finish(nil, content_err)
      end
      local win = vim.fn.bufwinid(version_buf)
      if win == -1 or not vim.api.nvim_buf_is_valid(article) then
        return finish(nil, 'the version window is gone')
      end
      local buf = version_buffer(article, target.id, content)
      vim.api.nvim_win_set_buf(win, buf)
      if vim.bo[buf].filetype ~= 'article' then
        vim.bo[buf].filetype = 'article'
      end
      local predecessor = versions[at - step + 1]
      if not predecessor then
        vim.notify(string.format('dateline: %s, the first version', target.id:sub(1, 10)), vim.log.levels.INFO)
        return finish(buf)
      end
      require('dateline.diffview').show(buf, {
        article = article,
        rev = predecessor.id,
        rev2 = target.id,
        callback = function(diff_err)
          -- The diff view has told the user of its error already.
          if callback then
            callback(buf, diff_err)
          end
        end,
      })
    end)
  end)
end

--- Replace the article buffer's text with a version's, as one undoable
--- change. Nothing is written: the user writes when satisfied.
---@param article integer
---@param version_id string
---@param callback fun(err: string?)?
function M.restore(article, version_id, callback)
  data.fetch_content(article, version_id, function(err, content, id)
    if not err then
      -- One call, so one undo step brings the newer text back.
      vim.api.nvim_buf_set_lines(article, 0, -1, false, data.content_lines(content))
      -- The id, not `@~2`: that names another version once more are recorded.
      id = id or version_id
      require('dateline.record').mark_restore(article, id)
      vim.notify(string.format('dateline: restored %s into the buffer (not written; u undoes it)',
        id:sub(1, 10)), vim.log.levels.INFO)
    else
      vim.notify('dateline: restore: ' .. err, vim.log.levels.ERROR)
    end
    if callback then
      callback(err)
    end
  end)
end

local function with_version(history_buf, action)
  return function()
    local version, index = version_at_cursor(history_buf)
    if not version then
      return
    end
    action(browsers_state[history_buf], version, index)
  end
end

local function set_keys(history_buf)
  local function map(lhs, rhs, desc)
    vim.keymap.set('n', lhs, rhs, { buffer = history_buf, nowait = true, desc = 'dateline history: ' .. desc })
  end
  map('<CR>', with_version(history_buf, function(state, version)
    M.open_version(state.article, version.id)
  end), 'open the version')
  map('d', with_version(history_buf, function(state, version)
    local win = article_window(state.article)
    if win then
      vim.api.nvim_set_current_win(win)
    end
    require('dateline.diffview').show(state.article, { rev = version.id })
  end), 'diff with the buffer')
  map('D', with_version(history_buf, function(state, version)
    local parent = version.parents and version.parents[1]
    if not parent then
      vim.notify('dateline: the first version has no predecessor', vim.log.levels.INFO)
      return
    end
    M.open_version(state.article, version.id, function(version_buf)
      require('dateline.diffview').show(version_buf, { rev = parent, rev2 = version.id, article = state.article })
    end)
  end), 'diff with the previous version')
  map('r', with_version(history_buf, function(state, version)
    local win = article_window(state.article)
    M.restore(state.article, version.id, function(err)
      if not err and win and vim.api.nvim_win_is_valid(win) then
        vim.api.nvim_set_current_win(win)
      end
    end)
  end), 'restore into the buffer')
  map('a', with_version(history_buf, function(state, version)
    vim.ui.input({ prompt = string.format('Note for %s: ', version.short or version.id:sub(1, 10)),
      default = data.note_of(version) }, function(text)
      if text and text ~= '' and vim.api.nvim_buf_is_valid(state.article) then
        require('dateline.record').note(state.article, text, version.id)
      end
    end)
  end), 'annotate')
  map('q', function()
    M.close(history_buf)
  end, 'close')
  -- Sessions and filters: redraw, keeping the cursor on its version.
  local function redraw_view(change)
    return function()
      local state = browsers_state[history_buf]
      local version = version_at_cursor(history_buf)
      change(state, row_at_cursor(history_buf))
      draw(history_buf)
      local line = version and line_of_version(state, version.id)
      vim.api.nvim_win_set_cursor(0, { line or math.min(HEADER_LINES + 1, vim.api.nvim_buf_line_count(history_buf)), 0 })
      schedule_preview(history_buf)
    end
  end
  local toggle_session = redraw_view(function(state, row)
    if row and row.session then
      state.view.expanded[row.session] = row.versions ~= nil
    end
  end)
  map('<Tab>', toggle_session, 'expand or collapse the session')
  map('za', toggle_session, 'expand or collapse the session')
  map('zR', redraw_view(function(state)
    for _, version in ipairs(state.versions) do
      state.view.expanded[version.session or version.id] = true
    end
  end), 'expand every session')
  map('zM', redraw_view(function(state)
    for _, version in ipairs(state.versions) do
      state.view.expanded[version.session or version.id] = false
    end
  end), 'collapse every session')
  map('t', redraw_view(function(state)
    state.view.hide_trivial = not state.view.hide_trivial
  end), 'hide or show trivial versions')
  map('A', redraw_view(function(state)
    state.view.annotated_only = not state.view.annotated_only
  end), 'only annotated versions, or all')
end

--- Close a history browser.
function M.close(history_buf)
  local state = browsers_state[history_buf]
  if state then
    close_preview(state)
  end
  local win = vim.fn.bufwinid(history_buf)
  if win ~= -1 and #vim.api.nvim_tabpage_list_wins(0) > 1 then
    vim.api.nvim_win_close(win, true)
  elseif vim.api.nvim_buf_is_valid(history_buf) then
    vim.api.nvim_buf_delete(history_buf, { force = true })
  end
end

local function refresh(history_buf)
  local state = browsers_state[history_buf]
  if not state or not vim.api.nvim_buf_is_valid(state.article) then
    return
  end
  data.fetch_log(state.article, function(err, versions)
    if err or not vim.api.nvim_buf_is_valid(history_buf) then
      return
    end
    local current = version_at_cursor(history_buf)
    state.versions = versions
    draw(history_buf)
    -- Stay on the version the cursor was on.
    local line = current and line_of_version(state, current.id)
    if line then
      for _, win in ipairs(vim.fn.win_findbuf(history_buf)) do
        vim.api.nvim_win_set_cursor(win, { line, 0 })
      end
    end
  end)
end

local function create_browser(article, versions)
  local history_buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_name(history_buf, 'dateline-history://' .. vim.api.nvim_buf_get_name(article))
  vim.bo[history_buf].bufhidden = 'wipe'
  vim.bo[history_buf].filetype = 'dateline-history'
  vim.b[history_buf].dateline_history = article
  local view = data.new_view()
  browsers_state[history_buf] = { article = article, versions = versions, view = view,
    rows = data.rows(versions, view) }
  browsers[article] = history_buf
  local height = math.min(#browsers_state[history_buf].rows + HEADER_LINES, math.max(8, math.floor(vim.o.lines / 3)))
  vim.cmd(string.format('botright %dsplit', height))
  local win = vim.api.nvim_get_current_win()
  vim.api.nvim_win_set_buf(win, history_buf)
  for option, value in pairs({ number = false, relativenumber = false, wrap = false, cursorline = true,
    signcolumn = 'no', list = false, spell = false, winfixheight = true }) do
    vim.wo[win][option] = value
  end
  draw(history_buf)
  vim.api.nvim_win_set_cursor(win, { math.min(HEADER_LINES + 1, vim.api.nvim_buf_line_count(history_buf)), 0 })
  set_keys(history_buf)
  local group = vim.api.nvim_create_augroup('dateline.history.' .. history_buf, { clear = true })
  vim.api.nvim_create_autocmd('CursorMoved', {
    group = group,
    buffer = history_buf,
    callback = function()
      schedule_preview(history_buf)
    end,
  })
  vim.api.nvim_create_autocmd('User', {
    group = group,
    pattern = 'DatelineRecorded',
    callback = function(event)
      if not vim.api.nvim_buf_is_valid(history_buf) then
        return true
      end
      if event.data and event.data.buf == article then
        refresh(history_buf)
      end
    end,
  })
  vim.api.nvim_create_autocmd('BufWipeout', {
    group = group,
    buffer = history_buf,
    callback = function()
      local state = browsers_state[history_buf]
      if state then
        close_preview(state)
        if state.timer then
          state.timer:stop()
          state.timer:close()
        end
      end
      browsers_state[history_buf] = nil
      if browsers[article] == history_buf then
        browsers[article] = nil
      end
      pcall(vim.api.nvim_del_augroup_by_id, group)
    end,
  })
  schedule_preview(history_buf)
  return history_buf
end

--- :Dateline history: open (or focus) the browser for an article buffer.
---@param article integer?
---@param callback fun(history_buf: integer)?
function M.open(article, callback)
  article = (article == nil or article == 0) and vim.api.nvim_get_current_buf() or article
  local existing = browsers[article]
  if existing and vim.api.nvim_buf_is_valid(existing) then
    local win = vim.fn.bufwinid(existing)
    if win ~= -1 then
      vim.api.nvim_set_current_win(win)
      refresh(existing)
      if callback then
        callback(existing)
      end
      return
    end
    vim.api.nvim_buf_delete(existing, { force = true })
  end
  data.fetch_log(article, function(err, versions)
    if err then
      vim.notify('dateline: history: ' .. err, vim.log.levels.ERROR)
      return
    end
    local history_buf = create_browser(article, versions or {})
    if callback then
      callback(history_buf)
    end
  end)
end

--- The history buffer open for an article, if any.
function M.browser_for(article)
  local buf = browsers[article]
  return buf and vim.api.nvim_buf_is_valid(buf) and buf or nil
end

M.HEADER_LINES = HEADER_LINES

return M
