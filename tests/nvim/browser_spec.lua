-- The history browser's sessions, trivial versions and annotated filter:
-- the rows history_data makes of the core's `session` and `trivial` facts,
-- and the browser's keys over a real history.
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)
local R = dofile(T.root .. '/tests/nvim/history_helpers.lua')(T, H)
local data = require('dateline.history_data')

-- A version as the server's dateline.log lists it.
local function version(id, session, fields)
  return vim.tbl_extend('force', {
    id = id, short = id, session = session, time = '2026-12-01T10:00:00+00:00', timestamp = 0,
    author = { name = 'Jane Doe', email = 'jane@example.org' }, words = 100, words_delta = 1,
  }, fields or {})
end

local function gutters(rows)
  return vim.tbl_map(function(row)
    return row.gutter .. row.version.id
  end, rows)
end

T.test('the newest session shows each save, older sessions one row each', function()
  local versions = {
    version('e', 'c'), version('d', 'c', { trivial = true }), version('c', 'c'),
    version('b', 'a', { note = 'first filing' }), version('a', 'a'),
    version('z', 'z'),
  }
  local view = data.new_view()
  T.eq(gutters(data.rows(versions, view)), { '▾e', '│d', '└c', '▸b', 'z' }, 'rows')
  view.expanded.c, view.expanded.a = false, true
  T.eq(gutters(data.rows(versions, view)), { '▸e', '▾b', '└a', 'z' }, 'the user folded one and opened another')
  local lines = data.render('story.article', versions, view)
  T.matches(lines[1], '6 versions, 1 annotated, 3 sessions', 'the header counts sessions')
  T.matches(lines[data.HEADER_LINES + 1], '^▸ ', 'the folded session')
  T.matches(lines[data.HEADER_LINES + 1], '3 saves %(1 trivial%)', 'how many saves, how many trivial')
end)

T.test('filters drop versions, never regroup them, and say they are on', function()
  local versions = {
    version('e', 'c'), version('d', 'c', { trivial = true }), version('c', 'c', { note = 'quote fixed' }),
    version('b', 'a', { note = 'first filing' }), version('a', 'a'),
  }
  local view = data.new_view()
  view.hide_trivial = true
  T.eq(gutters(data.rows(versions, view)), { '▾e', '└c', '▸b' }, 'trivial hidden')
  view.hide_trivial, view.annotated_only = false, true
  T.eq(gutters(data.rows(versions, view)), { 'c', 'b' }, 'annotated only: one version per session left')
  local lines = data.render('story.article', versions, view)
  T.matches(lines[2], '^%[annotated only%]', 'the help line says the filter is on')
  view.annotated_only = true
  local none = data.render('story.article', { version('x', 'x') }, view)
  T.matches(none[data.HEADER_LINES + 1], 'none is annotated', 'an empty list says why')
end)

T.test('a trivial version is dimmed and marked', function()
  local _, marks = data.render('story.article', { version('b', 'a', { trivial = true, summary = '¶2 edited' }),
    version('a', 'a') })
  local lines = data.render('story.article', { version('b', 'a', { trivial = true, summary = '¶2 edited' }),
    version('a', 'a') })
  local row = data.HEADER_LINES
  T.matches(lines[row + 1], '%(trivial%) ¶2 edited', 'marked before its summary')
  local groups = {}
  for _, mark in ipairs(marks) do
    if mark[1] == row then
      groups[#groups + 1] = mark[4]
    end
  end
  T.eq(groups, { 'DatelineHistoryTrivial' }, 'one dim highlight over the whole line')
end)

-- Record `lines` as a version by Ann Lee from the command line, before the
-- editor opens the article.
local function cli_snapshot(dir, lines, note)
  vim.fn.writefile(lines, dir .. '/story.article')
  local command = { H.plugin .. '/bin/dateline', 'snapshot', 'story.article' }
  if note then
    vim.list_extend(command, { '-m', note })
  end
  local result = vim.system(command, { cwd = dir, text = true,
    env = { GIT_AUTHOR_NAME = 'Ann Lee', GIT_AUTHOR_EMAIL = 'ann@example.org' } }):wait(20000)
  T.eq(result.code, 0, 'dateline snapshot: ' .. (result.stderr or ''))
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

local function rows_text(history_buf)
  return vim.api.nvim_buf_get_lines(history_buf, data.HEADER_LINES, -1, false)
end

T.test('five quick saves are one session, a whitespace-only save is flagged, A shows the annotated', function()
  R.setup()
  local dir = R.repo()
  local filed = vim.list_extend(vim.deepcopy(R.V1), { '', 'Ann wrote this.' })
  cli_snapshot(dir, R.V1)
  cli_snapshot(dir, filed, 'first filing')
  -- The file as Ann left it: opening it records nothing.
  local buf = R.edit(dir, filed)
  -- The server's check of the file at open runs on its worker, before any
  -- command asked after it: once the log answers, the saves are counted
  -- one by one.
  R.execute(buf, 'dateline.log')
  local text = vim.deepcopy(filed)
  for save = 1, 5 do
    if save == 3 then
      -- Only white space: two spaces after a full stop.
      text[3] = text[3]:gsub('plan on Monday', 'plan  on Monday')
    else
      text[#text + 1] = ''
      text[#text + 1] = 'Save number ' .. save .. ' added this paragraph.'
    end
    R.write(buf, text)
  end
  local history_buf = open_browser(buf)
  local rows = rows_text(history_buf)
  T.eq(#rows, 6, 'the five saves, then the older session on one row: ' .. vim.inspect(rows))
  T.matches(rows[1], '^▾ ', 'the newest session, expanded')
  T.matches(rows[5], '^└ ', 'its oldest save')
  T.matches(rows[3], '%(trivial%)', 'the whitespace-only save is flagged')
  T.eq(rows[2]:find('(trivial)', 1, true), nil, 'the others are not')
  T.matches(rows[6], '^▸ ● .*Ann Lee.*2 saves  first filing', "Ann's two versions, one row with her note")

  -- <Tab> folds the newest session into one row too.
  vim.api.nvim_win_set_cursor(0, { data.HEADER_LINES + 2, 0 })
  H.feed('<Tab>')
  rows = rows_text(history_buf)
  T.eq(#rows, 2, 'two sessions, two rows')
  T.matches(rows[1], '^▸ .*Jane Doe.*5 saves %(1 trivial%)', 'the five saves on one row')
  H.feed('<Tab>')
  T.eq(#rows_text(history_buf), 6, '<Tab> again unfolds it')

  H.feed('t')
  rows = rows_text(history_buf)
  T.eq(#rows, 5, 't hides the trivial save')
  T.eq(table.concat(rows, '\n'):find('(trivial)', 1, true), nil, 'no trivial row left')
  H.feed('t')
  H.feed('A')
  rows = rows_text(history_buf)
  T.eq(#rows, 1, 'A: only the annotated version')
  T.matches(rows[1], '● .*first filing', 'the annotated one')
  T.matches(vim.api.nvim_buf_get_lines(history_buf, 1, 2, false)[1], 'annotated only', 'the help line says so')
end)
