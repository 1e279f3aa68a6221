-- The history browser's data: the article's log and versions' contents from
-- the server (cached), and what the browser shows of them (lines and
-- highlights), without windows. Word counts are the server's: the core
-- counts every version.

local lsp = require('dateline.lsp')

local M = {}

-- Rows above the first version: the summary with its sparkline, the keys.
M.HEADER_LINES = 2
local SPARK = { '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█' }
local SPARK_WIDTH = 48
local HELP = '<CR> open  d diff with buffer  D diff with previous  r restore  a annotate  '
  .. '<Tab> session  t trivial  A annotated only  q close'

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
---@field trivial boolean? only white space, punctuation or one typo changed (the core's)
---@field session string? the id of the oldest version of its session of saves (the core's)

-- article buffer -> { versions = dateline.Version[], fetching = callbacks[] }
local logs = {}
-- version id -> its content (versions never change)
local contents = {}

--- `text` fit for one line of a buffer: control characters (a note's line
--- breaks, escapes in an author's name) become spaces.
---@param text string
---@return string
function M.printable(text)
  return (text:gsub('%c', ' '))
end

--- A version's note on one line, or nil when it has none.
---@param version dateline.Version
---@return string?
function M.note_of(version)
  local note = version.note
  return type(note) == 'string' and note ~= '' and M.printable(note) or nil
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

-- Longest note shown after a version in the completion menu.
local COMPLETION_NOTE_CHARS = 50

--- Completion for a version argument, newest first as the log lists them:
--- `@`, `@~1`, `@~2`… or, once the lead looks like an id, the short ids;
--- each followed by the version's note. Cmdline completion has no menu
--- column for custom lists, so the note is part of the item; commands take
--- the first word and ignore the rest. Without a cached log, a fetch starts
--- so that the next <Tab> has them.
---@param buf integer
---@param arg_lead string
---@return string[]
function M.complete_revs(buf, arg_lead)
  local versions = M.cached_log(buf)
  if not versions then
    M.complete_ids(buf)
    return {}
  end
  local by_id = arg_lead ~= '' and arg_lead:match('^%x+$') ~= nil
  local items = {}
  for index, version in ipairs(versions) do
    local rev = by_id and (version.short or version.id:sub(1, 10))
      or (index == 1 and '@' or '@~' .. (index - 1))
    local note = M.note_of(version)
    if note and vim.fn.strchars(note) > COMPLETION_NOTE_CHARS then
      note = vim.fn.strcharpart(note, 0, COMPLETION_NOTE_CHARS - 1) .. '…'
    end
    items[#items + 1] = note and (rev .. '  ' .. note) or rev
  end
  return items
end

--- Fetch a version's content; `callback(err, text, id)`, `id` the full id
--- `rev` named (for `@~2` and friends) when the server said it.
---@param buf integer the article buffer
---@param rev string
---@param callback fun(err: string?, content: string?, id: string?)
function M.fetch_content(buf, rev, callback)
  if contents[rev] then
    callback(nil, contents[rev], rev)
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
    callback(nil, content, result.id)
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

-- ------------------------------------------------------------- sessions --

---@class dateline.HistoryView
---@field expanded table<string, boolean> session id -> shown version by version (nil: the default)
---@field hide_trivial boolean
---@field annotated_only boolean

---@class dateline.HistoryRow
---@field version dateline.Version the version the row's keys act on (a session's newest)
---@field session string? the session the row belongs to, when it has several versions shown
---@field versions dateline.Version[]? a collapsed session's versions, newest first
---@field gutter string '▸' a collapsed session, '▾' '│' '└' an expanded one's rows, '' alone

--- A new view: every version shown, sessions at their default.
---@return dateline.HistoryView
function M.new_view()
  return { expanded = {}, hide_trivial = false, annotated_only = false }
end

local function session_of(version)
  return type(version.session) == 'string' and version.session ~= '' and version.session or version.id
end

--- The browser's rows for `versions` (newest first) in `view`: the filters
--- drop versions (trivial ones, or all but the annotated), then each run of
--- versions of one session (the core's `session`: saves by one author a
--- few minutes apart) that shows more than one version becomes one row, or,
--- expanded, its versions marked as one group. The newest session is
--- expanded unless the user folded it: it is the work in progress; older
--- sessions read as one revision each. Filters never change the sessions.
---@param versions dateline.Version[]
---@param view dateline.HistoryView
---@return dateline.HistoryRow[]
function M.rows(versions, view)
  local shown = {}
  for _, version in ipairs(versions) do
    if not (view.hide_trivial and version.trivial == true) and not (view.annotated_only and not M.note_of(version)) then
      shown[#shown + 1] = version
    end
  end
  local rows, newest = {}, versions[1] and session_of(versions[1])
  local index = 1
  while index <= #shown do
    local session = session_of(shown[index])
    local last = index
    while last < #shown and session_of(shown[last + 1]) == session do
      last = last + 1
    end
    if last == index then
      rows[#rows + 1] = { version = shown[index], gutter = '' }
    else
      local expanded = view.expanded[session]
      if expanded == nil then
        expanded = session == newest
      end
      if expanded then
        for at = index, last do
          rows[#rows + 1] = { version = shown[at], session = session,
            gutter = at == index and '▾' or at == last and '└' or '│' }
        end
      else
        rows[#rows + 1] = { version = shown[index], session = session, versions = vim.list_slice(shown, index, last),
          gutter = '▸' }
      end
    end
    index = last + 1
  end
  return rows
end

-- What a collapsed session row says after its time, date and author.
local function session_facts(versions)
  local notes, trivial = {}, 0
  for _, version in ipairs(versions) do
    notes[#notes + 1] = M.note_of(version)
    if version.trivial == true then
      trivial = trivial + 1
    end
  end
  local text = string.format('%d saves', #versions)
  if trivial > 0 then
    text = text .. string.format(' (%d trivial)', trivial)
  end
  return text, #notes > 0 and table.concat(notes, '; ') or nil
end

--- The browser's lines for the versions of article `name` (newest first), and
--- the highlights on them: { row, start_col, end_col, group } (end_col -1: to
--- the end of the line), and the row each line after the header shows.
---@param name string
---@param versions dateline.Version[]
---@param view dateline.HistoryView?
---@return string[] lines
---@return table[] marks
---@return dateline.HistoryRow[] rows
function M.render(name, versions, view)
  view = view or M.new_view()
  local lines, marks = {}, {}
  local words = {}
  local annotated = 0
  for index = #versions, 1, -1 do
    words[#words + 1] = versions[index].words or 0
    if M.note_of(versions[index]) then
      annotated = annotated + 1
    end
  end
  local oldest, newest = versions[#versions], versions[1]
  local sessions = {}
  for _, version in ipairs(versions) do
    sessions[session_of(version)] = true
  end
  local session_count = vim.tbl_count(sessions)
  local header = string.format('%s — %d version%s, %d annotated, %d session%s', name, #versions,
    #versions == 1 and '' or 's', annotated, session_count, session_count == 1 and '' or 's')
  if newest then
    local spark = M.sparkline(words)
    local prefix = header .. '   '
    header = string.format('%s%s  %d → %d words', prefix, spark, oldest.words or 0, newest.words or 0)
    marks[#marks + 1] = { 0, #prefix, #prefix + #spark, 'DatelineHistorySparkline' }
  end
  lines[1] = header
  marks[#marks + 1] = { 0, 0, #name, 'DatelineHistoryTitle' }
  local filters = {}
  if view.annotated_only then
    filters[#filters + 1] = 'annotated only'
  end
  if view.hide_trivial then
    filters[#filters + 1] = 'trivial hidden'
  end
  lines[2] = #filters > 0 and ('[' .. table.concat(filters, ', ') .. ']  ' .. HELP) or HELP
  marks[#marks + 1] = { 1, 0, -1, 'DatelineHistoryHelp' }

  local author_width = 6
  for _, version in ipairs(versions) do
    author_width = math.max(author_width,
      math.min(24, display_width(M.printable(version.author and version.author.name or ''))))
  end
  local now = os.time()
  local rows = M.rows(versions, view)
  for index, entry in ipairs(rows) do
    local version = entry.version
    local row = M.HEADER_LINES + index - 1
    local note = M.note_of(version)
    local summary = version.summary ~= '' and version.summary or nil
    local saves
    local delta = version.words_delta or 0
    local time = ((version.time or ''):sub(1, 16):gsub('T', ' '))
    if entry.versions then
      -- A collapsed session: its span of time, its change in words, its notes.
      local oldest_in = entry.versions[#entry.versions]
      delta = (version.words or 0) - ((oldest_in.words or 0) - (oldest_in.words_delta or 0))
      local from, to = ((oldest_in.time or ''):sub(1, 16):gsub('T', ' ')), (version.time or ''):sub(12, 16)
      time = from:sub(-5) == to and from or (from .. '–' .. to)
      saves, note = session_facts(entry.versions)
      summary = nil
    end
    -- A trivial version reads dimmed throughout: its own colours would draw
    -- the eye to a change that does not matter.
    local dim = version.trivial == true and not entry.versions
    local parts, col = {}, 0
    local function add(text, group)
      if group and text ~= '' and not dim then
        marks[#marks + 1] = { row, col, col + #text, group }
      end
      parts[#parts + 1] = text
      col = col + #text
    end
    add(entry.gutter ~= '' and (entry.gutter .. ' ') or '  ', entry.gutter ~= '' and 'DatelineHistorySession' or nil)
    add(note and '● ' or '  ', note and 'DatelineHistoryAnnotated' or nil)
    add(pad(M.relative_time(version.timestamp, now), 11) .. ' ', 'DatelineHistoryTime')
    add(time .. '  ', 'DatelineHistoryDate')
    local author = M.printable(version.author and version.author.name or '?')
    if display_width(author) > author_width then
      author = vim.fn.strcharpart(author, 0, author_width - 1) .. '…'
    end
    add(pad(author, author_width) .. '  ', 'DatelineHistoryAuthor')
    add(pad(string.format('%+d', delta), 6), delta > 0 and 'DatelineHistoryAdded'
      or delta < 0 and 'DatelineHistoryRemoved' or 'DatelineHistoryTime')
    add(string.format('%5d words  ', version.words or 0), 'DatelineHistoryTime')
    if dim then
      add('(trivial) ')
    end
    -- A folded session says how many saves it holds before its notes,
    -- which can be long.
    if saves then
      add(saves .. '  ', 'DatelineHistorySession')
    end
    -- The note before the summary: a structural summary can be long, and
    -- the writer's own words must not be pushed off the right edge.
    if note then
      add(note, 'DatelineHistoryAnnotated')
      add(summary and '  — ' or '')
    end
    if summary then
      add(M.printable(summary), 'DatelineHistorySummary')
    end
    lines[#lines + 1] = table.concat(parts)
    if dim then
      marks[#marks + 1] = { row, 0, -1, 'DatelineHistoryTrivial' }
    end
  end
  if #versions == 0 then
    lines[#lines + 1] = '  no versions yet: write the file (:w) or :Dateline snapshot'
  elseif #rows == 0 then
    lines[#lines + 1] = '  no version shown: ' .. (view.annotated_only and 'none is annotated (A shows all)'
      or 'all are trivial (t shows them)')
  end
  return lines, marks, rows
end

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
