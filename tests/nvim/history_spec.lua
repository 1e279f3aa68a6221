-- The history browser: its lines, sparkline and highlights; opening,
-- restoring and annotating versions; completion of version ids.
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)
local R = dofile(T.root .. '/tests/nvim/history_helpers.lua')(T, H)

local function edited(lines, row, text)
  local copy = vim.deepcopy(lines)
  copy[row] = text
  return copy
end

local V2 = edited(R.V1, 7, 'The plan would add three new piers and a ferry terminal.')
local V3 = vim.list_extend(vim.deepcopy(V2), { '', 'The vote is now set for next month, the clerk said.' })

-- An article with three versions, the second annotated; returns buf, path, dir.
local function three_versions()
  R.setup()
  local dir = R.repo()
  local buf, path = R.edit(dir, R.V1)
  R.write(buf, R.V1)
  R.write(buf, V2)
  R.execute(buf, 'dateline.note', { note = 'corrected pier count' })
  R.write(buf, V3)
  return buf, path, dir
end

local function open_browser(buf)
  local history_buf
  require('dateline.history').open(buf, function(opened)
    history_buf = opened
  end)
  T.wait_for(function()
    return history_buf ~= nil
  end, 5000, 'the history browser')
  return history_buf
end

local function marks_with(buf, ns_name, group)
  local ns = vim.api.nvim_get_namespaces()[ns_name]
  local rows = {}
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(buf, ns, 0, -1, { details = true })) do
    if mark[4].hl_group == group then
      rows[#rows + 1] = mark[2]
    end
  end
  return rows
end

T.test('the browser lists every version, newest first, with a sparkline and the annotated one marked', function()
  local buf = three_versions()
  local history_buf = open_browser(buf)
  local lines = vim.api.nvim_buf_get_lines(history_buf, 0, -1, false)
  local first = require('dateline.history').HEADER_LINES + 1
  T.eq(#lines, first + 2, 'header lines and three versions')
  T.matches(lines[1], '3 versions, 1 annotated', 'header counts')
  T.matches(lines[1], '[▁▂▃▄▅▆▇█][▁▂▃▄▅▆▇█][▁▂▃▄▅▆▇█]', 'sparkline')
  T.matches(lines[2], '<CR> open', 'help line')
  T.matches(lines[first], 'just now', 'relative time')
  T.matches(lines[first], '%d%d%d%d%-%d%d%-%d%d %d%d:%d%d', 'absolute time')
  T.matches(lines[first], 'Jane Doe', 'author')
  T.matches(lines[first], '+11', 'change in words')
  T.matches(lines[first + 1], 'corrected pier count', 'the note')
  T.eq(marks_with(history_buf, 'dateline.history', 'DatelineHistoryAnnotated'), { first, first }, 'annotated row')
  T.eq(vim.bo[history_buf].modifiable, false, 'read-only')
end)

T.test('a note of several lines shows on the one line of its version', function()
  local buf = three_versions()
  R.execute(buf, 'dateline.note', { note = 'checked with the clerk\nsecond source: the minutes' })
  local history_buf = open_browser(buf)
  local first = require('dateline.history').HEADER_LINES + 1
  T.matches(vim.api.nvim_buf_get_lines(history_buf, first - 1, first, false)[1],
    'checked with the clerk second source: the minutes', 'the note on one line')
end)

T.test('r restores a version as one undoable change, without writing', function()
  local buf, path = three_versions()
  local history_buf = open_browser(buf)
  local first = require('dateline.history').HEADER_LINES + 1
  vim.api.nvim_win_set_cursor(0, { first + 2, 0 }) -- the oldest
  H.feed('r')
  T.wait_for(function()
    return vim.deep_equal(vim.api.nvim_buf_get_lines(buf, 0, -1, false), R.V1)
  end, 5000, 'the restored text')
  T.eq(vim.api.nvim_get_current_buf(), buf, 'back in the article')
  T.eq(vim.bo[buf].modified, true, 'modified, not written')
  T.eq(vim.fn.readfile(path), V3, 'the file on disk is unchanged')
  vim.cmd('normal! u')
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), V3, 'one u brings the newer text back')
  T.truthy(vim.api.nvim_buf_is_valid(history_buf), 'the browser stays open')
end)

T.test('the version recorded after a restore says which version it restored', function()
  local buf = three_versions()
  local oldest = R.execute(buf, 'dateline.log').versions[3].id
  open_browser(buf)
  vim.api.nvim_win_set_cursor(0, { require('dateline.history').HEADER_LINES + 3, 0 })
  H.feed('r')
  T.wait_for(function()
    return vim.deep_equal(vim.api.nvim_buf_get_lines(buf, 0, -1, false), R.V1)
  end, 5000, 'the restored text')
  R.write(buf, R.V1)
  local log
  T.wait_for(function()
    log = R.execute(buf, 'dateline.log')
    return type(log.versions[1].note) == 'string'
  end, 5000, 'the note on the new version')
  T.eq(#log.versions, 4, 'the restore is a new version')
  T.eq(log.versions[1].note, 'restored from ' .. oldest:sub(1, 10), 'its note')
  R.write(buf, V2)
  T.eq(type(R.execute(buf, 'dateline.log').versions[1].note), 'nil', 'the version after it has no note')
end)

T.test('<CR> opens the version read-only as a highlighted article', function()
  local buf = three_versions()
  open_browser(buf)
  vim.api.nvim_win_set_cursor(0, { require('dateline.history').HEADER_LINES + 2, 0 })
  H.feed('<CR>')
  T.wait_for(function()
    return vim.api.nvim_buf_get_name(0):find('^dateline://') ~= nil
  end, 5000, 'the version buffer')
  local version_buf = vim.api.nvim_get_current_buf()
  T.eq(vim.api.nvim_buf_get_lines(version_buf, 0, -1, false), V2, 'the second version')
  T.eq(vim.bo[version_buf].filetype, 'article', 'filetype')
  T.eq(vim.bo[version_buf].modifiable, false, 'not modifiable')
  T.truthy(vim.treesitter.highlighter.active[version_buf], 'highlighted')
  T.eq(require('dateline.lsp').client(version_buf), nil, 'no server for a version buffer')
end)

T.test('a annotates the version under the cursor', function()
  local buf = three_versions()
  local history_buf = open_browser(buf)
  local original = vim.ui.input
  T.on_cleanup(function()
    vim.ui.input = original
  end)
  vim.ui.input = function(_, on_confirm)
    on_confirm('first draft')
  end
  local first = require('dateline.history').HEADER_LINES + 1
  vim.api.nvim_win_set_cursor(0, { first + 2, 0 })
  H.feed('a')
  T.wait_for(function()
    local line = vim.api.nvim_buf_get_lines(history_buf, first + 1, first + 2, false)[1]
    return line and line:find('first draft', 1, true) ~= nil
  end, 5000, 'the note in the browser')
  T.matches(vim.api.nvim_buf_get_lines(history_buf, 0, 1, false)[1], '2 annotated', 'header')
end)

-- The window beside the browser that previews the version under the cursor.
local function preview_window()
  for _, win in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
    if vim.bo[vim.api.nvim_win_get_buf(win)].filetype == 'dateline-preview' then
      return win
    end
  end
end

local function move_to(history_buf, row)
  vim.api.nvim_set_current_win(vim.fn.bufwinid(history_buf))
  vim.api.nvim_win_set_cursor(0, { require('dateline.history').HEADER_LINES + row, 0 })
  vim.api.nvim_exec_autocmds('CursorMoved', { buffer = history_buf })
end

T.test('a preview beside the browser shows what changed in the version under the cursor', function()
  local buf = three_versions()
  local history_buf = open_browser(buf)
  local article_win = vim.fn.bufwinid(buf)
  move_to(history_buf, 2)
  local text
  T.wait_for(function()
    local win = preview_window()
    text = win and table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false), '\n')
    return text and text:find('three new piers', 1, true) ~= nil
  end, 5000, 'the preview of the second version')
  local lines = vim.split(text, '\n')
  T.eq(lines[2], 'note: corrected pier count', 'the note first')
  T.matches(lines[3], '^changed: ', 'then the structural summary')
  local win = preview_window()
  T.eq(vim.api.nvim_win_get_config(win).relative, '', 'a split, not a float over the article')
  T.eq(vim.api.nvim_win_get_buf(article_win), buf, 'the article keeps its window')
  T.eq(vim.fn.win_screenpos(win)[1], vim.fn.win_screenpos(vim.fn.bufwinid(history_buf))[1], 'beside the browser')

  move_to(history_buf, 3)
  T.wait_for(function()
    local lines_now = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(preview_window()), 0, -1, false)
    return table.concat(lines_now, '\n'):find('two new piers', 1, true) ~= nil
  end, 5000, 'the preview following the cursor to the oldest version')
  T.eq(preview_window(), win, 'the same preview window')
end)

T.test('three <CR> and a D reuse one version window: the layout stays the same', function()
  local buf = three_versions()
  local history_buf = open_browser(buf)
  local versions = R.execute(buf, 'dateline.log').versions
  local function open(row, key)
    move_to(history_buf, row)
    H.feed(key)
    T.wait_for(function()
      return vim.api.nvim_buf_get_name(0):find(versions[row].id:sub(1, 10), 1, true) ~= nil
    end, 5000, 'version ' .. row .. ' after ' .. key)
  end
  open(1, '<CR>')
  T.wait_for(preview_window, 5000, 'the preview')
  local layout = vim.fn.winlayout()
  open(2, '<CR>')
  open(3, '<CR>')
  open(1, 'D')
  T.wait_for(function()
    return require('dateline.diffview').state(vim.api.nvim_get_current_buf()) ~= nil
  end, 5000, 'the diff with the previous version')
  T.eq(vim.fn.winlayout(), layout, 'the same windows in the same places')
  T.eq(#vim.api.nvim_tabpage_list_wins(0), 4, 'article, version, browser and preview')
  T.truthy(vim.api.nvim_buf_get_name(0):find('dateline://', 1, true), 'the version window shows the last one')
end)

T.test('a long summary does not push the note off the line', function()
  local data = require('dateline.history_data')
  local version = { id = string.rep('a', 40), short = 'aaaaaaaaaa', time = '2026-01-02T03:04:05Z', timestamp = 0,
    author = { name = 'Jane Doe' }, note = 'corrected quote', words = 10, words_delta = 1,
    summary = string.rep('edited paragraph 3; ', 20) }
  local lines = data.render('story.article', { version })
  local row = lines[data.HEADER_LINES + 1]
  local note_at = row:find('corrected quote', 1, true)
  T.truthy(note_at and note_at < row:find('edited paragraph', 1, true), 'the note before the summary: ' .. row)
end)

T.test('version ids complete after :Dateline diff and :Dateline restore', function()
  local buf = three_versions()
  local history = require('dateline.history_data')
  vim.fn.getcompletion('Dateline diff ', 'cmdline') -- starts fetching the log
  T.wait_for(function()
    return history.cached_log(buf) ~= nil
  end, 5000, 'the cached log')
  local ids = vim.fn.getcompletion('Dateline diff ', 'cmdline')
  T.eq(#ids, 5, 'off, split and three ids: ' .. vim.inspect(ids))
  T.truthy(vim.tbl_contains(ids, 'off'), 'off')
  T.truthy(vim.tbl_contains(ids, 'split'), 'split')
  local log = history.cached_log(buf)
  T.truthy(vim.tbl_contains(ids, log[1].short), 'the newest id')
  T.eq(vim.fn.getcompletion('Dateline restore ' .. log[3].short:sub(1, 6), 'cmdline'), { log[3].short }, 'by prefix')
end)

T.test(':Dateline restore <Tab> lists @, @~1, @~2 newest first with their notes, and restores the one chosen', function()
  local buf = three_versions()
  local history = require('dateline.history_data')
  vim.fn.getcompletion('Dateline restore ', 'cmdline')
  T.wait_for(function()
    return history.cached_log(buf) ~= nil
  end, 5000, 'the cached log')
  T.eq(vim.fn.getcompletion('Dateline restore ', 'cmdline'),
    { '@', '@~1  corrected pier count', '@~2', 'paragraph', 'quotation' },
    'newest first, the note beside its version, then the paragraph and quotation restores')
  T.eq(vim.fn.getcompletion('Dateline restore @~', 'cmdline'), { '@~1  corrected pier count', '@~2' }, 'by prefix')
  local log = history.cached_log(buf)
  T.eq(vim.fn.getcompletion('Dateline restore ' .. log[2].short:sub(1, 6), 'cmdline'),
    { log[2].short .. '  corrected pier count' }, 'an id prefix completes to the id, with its note')
  vim.cmd('Dateline restore @~1  corrected pier count')
  T.wait_for(function()
    return vim.deep_equal(vim.api.nvim_buf_get_lines(buf, 0, -1, false), V2)
  end, 5000, 'the completed line restores @~1')
  R.write(buf, V2)
  local note
  T.wait_for(function()
    note = R.execute(buf, 'dateline.log').versions[1].note
    return type(note) == 'string'
  end, 5000, 'the note on the restored version')
  T.eq(note, 'restored from ' .. log[2].short, 'the note names the id, not @~1')
end)

T.test('[v and ]v step a version buffer through the versions in order, the diff to each predecessor marked', function()
  R.setup()
  local dir = R.repo()
  local versions = { R.V1 }
  for n = 2, 5 do
    versions[n] = vim.list_extend(vim.deepcopy(versions[n - 1]), { '', string.format('Paragraph %d of the story.', n) })
  end
  local buf = R.edit(dir, R.V1)
  local ids = {}
  for n = 1, 5 do
    R.write(buf, versions[n])
    ids[n] = vim.b[buf].dateline_version
  end
  local history = require('dateline.history')
  local shown
  history.open_version(buf, ids[5], function(opened)
    shown = opened
  end)
  T.wait_for(function()
    return shown ~= nil
  end, 5000, 'the newest version')
  local win = vim.api.nvim_get_current_win()

  local function step(keys)
    local before = vim.api.nvim_win_get_buf(win)
    local done = false
    history.travel(before, keys == '[v' and -1 or 1, function()
      done = true
    end)
    T.wait_for(function()
      return done
    end, 5000, keys)
    return vim.api.nvim_win_get_buf(win)
  end

  local diffview = require('dateline.diffview')
  for n = 4, 1, -1 do
    local now = step('[v')
    T.eq(vim.b[now].dateline_version_id, ids[n], 'version ' .. n .. ' after [v')
    T.eq(vim.api.nvim_buf_get_lines(now, 0, -1, false), versions[n], 'its text')
    T.eq(vim.api.nvim_win_get_buf(win), now, 'in the same window')
    if n > 1 then
      T.eq(diffview.state(now).changes, { #versions[n] - 1 }, 'the paragraph it added, marked')
    end
  end
  local oldest = step('[v')
  T.eq(vim.b[oldest].dateline_version_id, ids[1], 'the oldest version stays')
  for n = 2, 5 do
    local now = step(']v')
    T.eq(vim.b[now].dateline_version_id, ids[n], 'version ' .. n .. ' after ]v')
  end

  -- The keys are mapped in a version buffer.
  T.truthy(vim.fn.maparg('[v', 'n', false, true).buffer == 1, '[v is mapped')
  H.feed('[v')
  T.wait_for(function()
    return vim.b[vim.api.nvim_win_get_buf(win)].dateline_version_id == ids[4]
  end, 5000, '[v typed')
end)

T.test(':Dateline restore @~1 changes the buffer undoably; the file waits for :w, which records it', function()
  local buf, path, dir = three_versions()
  -- Typed, as the user does: the restore is its own undo step.
  H.feed(':Dateline restore @~1<CR>')
  T.wait_for(function()
    return vim.deep_equal(vim.api.nvim_buf_get_lines(buf, 0, -1, false), V2)
  end, 5000, 'the restored text')
  T.eq(vim.bo[buf].modified, true, 'modified, not written')
  T.eq(vim.fn.readfile(path), V3, 'the file on disk is unchanged')
  vim.cmd('normal! u')
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), V3, 'u brings the newer text back')
  H.feed(':Dateline restore @~1<CR>')
  T.wait_for(function()
    return vim.deep_equal(vim.api.nvim_buf_get_lines(buf, 0, -1, false), V2)
  end, 5000, 'the restored text again')
  R.write(buf, V2)
  T.eq(vim.fn.readfile(path), V2, 'written by :w')
  local latest = R.git_log(dir)[1]
  local recorded = vim.fn.system({ 'git', '--git-dir=' .. dir .. '/.git/dateline', 'show', latest .. ':story.article' })
  T.eq(vim.split(recorded, '\n'), vim.list_extend(vim.deepcopy(V2), { '' }), ':w recorded the restored text')
end)

T.test('the server restore command (any editor) edits the buffer through workspace/applyEdit', function()
  local buf, path, dir = three_versions()
  local oldest = R.execute(buf, 'dateline.log').versions[3].id
  local result = R.execute(buf, 'dateline.restore', { uri = vim.uri_from_bufnr(buf), rev = oldest })
  T.eq(result.applied, true, 'applied by the editor')
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), R.V1, 'the buffer holds the version')
  T.eq(vim.bo[buf].modified, true, 'modified, not written')
  T.eq(vim.fn.readfile(path), V3, 'the file on disk is unchanged')
  vim.cmd('silent write')
  T.wait_for(function()
    return #R.git_log(dir) == 4
  end, 10000, 'the version recorded by :w')
  local recorded = vim.fn.system({ 'git', '--git-dir=' .. dir .. '/.git/dateline', 'show', R.git_log(dir)[1] .. ':story.article' })
  T.eq(vim.split(recorded, '\n'), vim.list_extend(vim.deepcopy(R.V1), { '' }), ':w recorded the restored text')
end)
