-- The history browser (:Dateline history): one line per version of the
-- article, newest first, with a sparkline of its length over time; keys to
-- open, diff, restore and annotate a version; a preview that follows the
-- cursor. Also the cached log behind version-id completion.

local lsp = require('dateline.lsp')

local M = {}

local ns = vim.api.nvim_create_namespace('dateline.history')
local uv = vim.uv or vim.loop

-- Rows above the first version: the summary with its sparkline, the keys.
local HEADER_LINES = 2
local SPARK = { '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█' }
local SPARK_WIDTH = 48
local PREVIEW_DEBOUNCE_MS = 80
local PREVIEW_LINES = 12
local HELP = '<CR> open  d diff with buffer  D diff with previous  r restore  a annotate  q close'

---@class dateline.Version
---@field id string
---@field short string
---@field time string ISO 8601 with the writer's offset
---@field timestamp integer seconds since the epoch
---@field author { name: string, email: string }
---@field note string|vim.NIL|nil
---@field parents string[]
---@field words integer
---@field words_delta integer
---@field summary string?

-- article buffer -> { versions = dateline.Version[], fetching = callbacks[] }
local logs = {}
-- article buffer -> history buffer showing it
local browsers = {}
-- version id -> its content (versions never change)
local contents = {}
-- history buffer -> what it shows
---@type table<integer, { article: integer, versions: dateline.Version[], preview: integer?, timer: uv_timer_t? }>
local browsers_state = {}

local function note_of(version)
  local note = version.note
  return type(note) == 'string' and note ~= '' and note or nil
end

--- Fetch the article's log from the server; `callback(err, versions)`.
--- Requests for the same buffer while one is running share its answer.
---@param buf integer
---@param callback fun(err: string?, versions: dateline.Version[]?)
function M.fetch_log(buf, callback)
  local entry = logs[buf] or {}
  logs[buf] = entry
  if entry.fetching then
    table.insert(entry.fetching, callback)
    return
  end
  entry.fetching = { callback }
  lsp.execute(buf, 'dateline.log', {}, function(err, result)
    local waiting = entry.fetching or {}
    entry.fetching = nil
    if not err then
      entry.versions = result.versions or {}
    end
    for _, waiter in ipairs(waiting) do
      waiter(err, entry.versions)
    end
  end)
end

--- The versions last fetched for `buf` (newest first), or nil.
function M.cached_log(buf)
  return logs[buf] and logs[buf].versions
end

--- Version ids for command-line completion: from the cached log; without
--- one, a fetch starts so that the next <Tab> has them.
---@param buf integer
---@return string[]
function M.complete_ids(buf)
  local versions = M.cached_log(buf)
  if not versions then
    if lsp.client(buf) then
      M.fetch_log(buf, function() end)
    end
    return {}
  end
  local ids = {}
  for _, version in ipairs(versions) do
    ids[#ids + 1] = version.short or version.id:sub(1, 10)
  end
  return ids
end

--- Fetch a version's content; `callback(err, text)`.
---@param buf integer the article buffer
---@param rev string
---@param callback fun(err: string?, content: string?)
function M.fetch_content(buf, rev, callback)
  if contents[rev] then
    callback(nil, contents[rev])
    return
  end
  lsp.execute(buf, 'dateline.show', { rev = rev }, function(err, result)
    if err then
      callback(err)
      return
    end
    local content = result.content or ''
    -- Ids name one content forever; '@' and friends do not.
    if result.id and (result.id == rev or vim.startswith(result.id, rev)) then
      contents[result.id] = content
    end
    callback(nil, content)
  end)
end

--- Text as buffer lines: a final newline ends the last line rather than
--- starting another, and CRLF files keep their lines free of \r.
---@param content string
---@return string[]
function M.content_lines(content)
  local lines = vim.split(content, '\r?\n')
  if lines[#lines] == '' then
    lines[#lines] = nil
  end
  return lines
end

-- ------------------------------------------------------------ rendering --

function M.relative_time(timestamp, now)
  local seconds = math.max(0, (now or os.time()) - (timestamp or 0))
  if seconds < 60 then
    return 'just now'
  end
  local steps = { { 3600, 60, 'min' }, { 86400, 3600, 'h' }, { 86400 * 30, 86400, 'd' },
    { 86400 * 365, 86400 * 30, 'mo' } }
  for _, step in ipairs(steps) do
    if seconds < step[1] then
      return string.format('%d %s ago', math.floor(seconds / step[2]), step[3])
    end
  end
  return string.format('%d y ago', math.floor(seconds / (86400 * 365)))
end

--- A sparkline of `values`, at most `width` cells; several values per cell
--- show their maximum.
---@param values number[]
---@param width integer?
---@return string
function M.sparkline(values, width)
  width = width or SPARK_WIDTH
  if #values == 0 then
    return ''
  end
  local cells = {}
  local per_cell = math.max(1, math.ceil(#values / width))
  for first = 1, #values, per_cell do
    local high = -math.huge
    for index = first, math.min(#values, first + per_cell - 1) do
      high = math.max(high, values[index])
    end
    cells[#cells + 1] = high
  end
  local low, high = math.min(unpack(cells)), math.max(unpack(cells))
  local chars = {}
  for index, value in ipairs(cells) do
    local level = high == low and 4 or math.floor((value - low) / (high - low) * 7 + 0.5) + 1
    chars[index] = SPARK[level]
  end
  return table.concat(chars)
end

local function display_width(text)
  return vim.api.nvim_strwidth(text)
end

local function pad(text, width)
  return text .. string.rep(' ', math.max(0, width - display_width(text)))
end

-- The browser's lines and the highlights on them: { row, start_col,
-- end_col, group } (end_col -1: to the end of the line).
local function render(name, versions)
  local lines, marks = {}, {}
  local words = {}
  local annotated = 0
  for index = #versions, 1, -1 do
    words[#words + 1] = versions[index].words or 0
    if note_of(versions[index]) then
      annotated = annotated + 1
    end
  end
  local oldest, newest = versions[#versions], versions[1]
  local header = string.format('%s — %d version%s, %d annotated', name, #versions, #versions == 1 and '' or 's',
    annotated)
  if newest then
    local spark = M.sparkline(words)
    local prefix = header .. '   '
    header = string.format('%s%s  %d → %d words', prefix, spark, oldest.words or 0, newest.words or 0)
    marks[#marks + 1] = { 0, #prefix, #prefix + #spark, 'DatelineHistorySparkline' }
  end
  lines[1] = header
  marks[#marks + 1] = { 0, 0, #name, 'DatelineHistoryTitle' }
  lines[2] = HELP
  marks[#marks + 1] = { 1, 0, -1, 'DatelineHistoryHelp' }

  local author_width = 6
  for _, version in ipairs(versions) do
    author_width = math.max(author_width, math.min(24, display_width(version.author and version.author.name or '')))
  end
  local now = os.time()
  for index, version in ipairs(versions) do
    local row = HEADER_LINES + index - 1
    local note = note_of(version)
    local parts, col = {}, 0
    local function add(text, group)
      if group and text ~= '' then
        marks[#marks + 1] = { row, col, col + #text, group }
      end
      parts[#parts + 1] = text
      col = col + #text
    end
    add(note and '● ' or '  ', note and 'DatelineHistoryAnnotated' or nil)
    add(pad(M.relative_time(version.timestamp, now), 11) .. ' ', 'DatelineHistoryTime')
    add(((version.time or ''):sub(1, 16):gsub('T', ' ')) .. '  ', 'DatelineHistoryDate')
    local author = (version.author and version.author.name or '?')
    if display_width(author) > author_width then
      author = vim.fn.strcharpart(author, 0, author_width - 1) .. '…'
    end
    add(pad(author, author_width) .. '  ', 'DatelineHistoryAuthor')
    local delta = version.words_delta or 0
    add(pad(string.format('%+d', delta), 6), delta > 0 and 'DatelineHistoryAdded'
      or delta < 0 and 'DatelineHistoryRemoved' or 'DatelineHistoryTime')
    add(string.format('%5d words  ', version.words or 0), 'DatelineHistoryTime')
    if version.summary and version.summary ~= '' then
      add(version.summary, 'DatelineHistorySummary')
    end
    if note then
      add(version.summary and '  — ' or '— ')
      add(note, 'DatelineHistoryAnnotated')
    end
    lines[#lines + 1] = table.concat(parts)
  end
  if #versions == 0 then
    lines[#lines + 1] = '  no versions yet: write the file (:w) or :Dateline snapshot'
  end
  return lines, marks
end

-- ------------------------------------------------------------ the window --

local function version_at_cursor(history_buf)
  local state = browsers_state[history_buf]
  if not state then
    return nil
  end
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  return state.versions[row - HEADER_LINES + 1], row - HEADER_LINES + 1
end

local function draw(history_buf)
  local state = browsers_state[history_buf]
  if not state or not vim.api.nvim_buf_is_valid(history_buf) then
    return
  end
  local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(state.article), ':~:.')
  local lines, marks = render(name, state.versions)
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

local function show_preview(history_buf, version)
  local state = browsers_state[history_buf]
  local history_win = vim.fn.bufwinid(history_buf)
  if not state or history_win == -1 or vim.api.nvim_get_current_buf() ~= history_buf then
    return
  end
  M.fetch_content(state.article, version.id, function(err, content)
    -- The cursor may have moved on while the content was fetched.
    if not vim.api.nvim_buf_is_valid(history_buf) or version_at_cursor(history_buf) ~= version then
      return
    end
    local lines = {
      string.format('%s  %s  %s <%s>', version.short or version.id:sub(1, 10), version.time or '',
        version.author and version.author.name or '?', version.author and version.author.email or ''),
    }
    if note_of(version) then
      lines[#lines + 1] = 'note: ' .. note_of(version)
    end
    if version.summary then
      lines[#lines + 1] = 'changed: ' .. version.summary
    end
    lines[#lines + 1] = string.rep('─', 20)
    local body = err and { 'cannot read this version: ' .. err } or M.content_lines(content)
    for index = 1, math.min(#body, PREVIEW_LINES) do
      lines[#lines + 1] = body[index]
    end
    local preview_buf = state.preview and vim.api.nvim_win_is_valid(state.preview)
      and vim.api.nvim_win_get_buf(state.preview) or vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_lines(preview_buf, 0, -1, false, lines)
    local win_width = vim.api.nvim_win_get_width(history_win)
    local width = math.max(30, math.min(80, win_width - 4))
    local opts = {
      relative = 'win',
      win = history_win,
      anchor = 'SE',
      row = 0,
      col = win_width,
      width = width,
      height = #lines,
      style = 'minimal',
      border = 'single',
      focusable = false,
    }
    if state.preview and vim.api.nvim_win_is_valid(state.preview) then
      vim.api.nvim_win_set_config(state.preview, opts)
    else
      opts.noautocmd = true
      state.preview = vim.api.nvim_open_win(preview_buf, false, opts)
      vim.bo[preview_buf].bufhidden = 'wipe'
      vim.wo[state.preview].wrap = false
    end
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

--- Open a version read-only in a split, as an article (highlighted).
---@param article integer
---@param version_id string
---@param callback fun(version_buf: integer)?
function M.open_version(article, version_id, callback)
  M.fetch_content(article, version_id, function(err, content)
    if err then
      vim.notify('dateline: ' .. err, vim.log.levels.ERROR)
      return
    end
    local name = string.format('dateline://%s/%s', version_id:sub(1, 10),
      vim.fs.basename(vim.api.nvim_buf_get_name(article)))
    local buf = vim.fn.bufnr(name)
    if buf == -1 then
      buf = vim.api.nvim_create_buf(true, true)
      vim.api.nvim_buf_set_name(buf, name)
      vim.api.nvim_buf_set_lines(buf, 0, -1, false, M.content_lines(content))
      vim.bo[buf].modifiable = false
      vim.bo[buf].readonly = true
      vim.bo[buf].bufhidden = 'wipe'
      vim.b[buf].dateline_version_of = article
      vim.b[buf].dateline_version_id = version_id
    end
    local win = article_window(article)
    if win then
      vim.api.nvim_set_current_win(win)
    end
    vim.cmd('vsplit')
    vim.api.nvim_win_set_buf(0, buf)
    if vim.bo[buf].filetype ~= 'article' then
      vim.bo[buf].filetype = 'article'
    end
    if callback then
      callback(buf)
    end
  end)
end

--- Replace the article buffer's text with a version's, as one undoable
--- change. Nothing is written: the user writes when satisfied.
---@param article integer
---@param version_id string
---@param callback fun(err: string?)?
function M.restore(article, version_id, callback)
  M.fetch_content(article, version_id, function(err, content)
    if not err then
      -- One call, so one undo step brings the newer text back.
      vim.api.nvim_buf_set_lines(article, 0, -1, false, M.content_lines(content))
      vim.notify(string.format('dateline: restored %s into the buffer (not written; u undoes it)',
        version_id:sub(1, 10)), vim.log.levels.INFO)
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
      default = note_of(version) }, function(text)
      if text and text ~= '' and vim.api.nvim_buf_is_valid(state.article) then
        require('dateline.record').note(state.article, text, version.id)
      end
    end)
  end), 'annotate')
  map('q', function()
    M.close(history_buf)
  end, 'close')
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
  M.fetch_log(state.article, function(err, versions)
    if err or not vim.api.nvim_buf_is_valid(history_buf) then
      return
    end
    local current = version_at_cursor(history_buf)
    state.versions = versions
    draw(history_buf)
    -- Stay on the version the cursor was on.
    for index, version in ipairs(versions) do
      if current and version.id == current.id then
        for _, win in ipairs(vim.fn.win_findbuf(history_buf)) do
          vim.api.nvim_win_set_cursor(win, { HEADER_LINES + index, 0 })
        end
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
  browsers_state[history_buf] = { article = article, versions = versions }
  browsers[article] = history_buf
  local height = math.min(#versions + HEADER_LINES, math.max(8, math.floor(vim.o.lines / 3)))
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
  vim.api.nvim_create_autocmd({ 'BufLeave', 'WinLeave' }, {
    group = group,
    buffer = history_buf,
    callback = function()
      local state = browsers_state[history_buf]
      if state then
        close_preview(state)
      end
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
  M.fetch_log(article, function(err, versions)
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

-- A recorded version or a new note makes the cached log stale.
vim.api.nvim_create_autocmd('User', {
  group = vim.api.nvim_create_augroup('dateline.history', { clear = true }),
  pattern = 'DatelineRecorded',
  callback = function(event)
    if event.data and event.data.buf and logs[event.data.buf] then
      logs[event.data.buf].versions = nil
    end
  end,
})

return M
