-- Changed paragraphs (changes.lua): signs that follow unsaved edits, ]u / [u,
-- the preview float, restoring one paragraph or one quotation from a version
-- as one undoable change, the changed-paragraph text object, and the
-- [v / ]v mappings' names in setup().
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)
local R = dofile(T.root .. '/tests/nvim/history_helpers.lua')(T, H)

-- R.V1's rows: 0 headline, 2 ¶1 (dateline), 4 ¶2 (the quotation), 6 ¶3, 8 ¶4.
local P2 = 4

local function with(lines, row, text)
  local copy = vim.deepcopy(lines)
  copy[row + 1] = text
  return copy
end

local function recorded(versions)
  R.capture_notify() -- the restores say what they did; the TAP output stays clean
  R.setup()
  local dir = R.repo()
  local buf = R.edit(dir, versions[1])
  for _, version in ipairs(versions) do
    R.write(buf, version)
  end
  return buf
end

-- Signs as { row = text }.
local function signs(buf)
  local found = {}
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(buf, require('dateline.changes').ns, 0, -1,
    { details = true })) do
    found[mark[2]] = vim.trim(mark[4].sign_text or '')
  end
  return found
end

-- Edit without writing, then wait until the signs say `expected`.
local function edit_and_wait(buf, lines, expected)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.cmd('let &undolevels = &undolevels')
  T.wait_for(function()
    return vim.deep_equal(signs(buf), expected)
  end, 5000, 'signs ' .. vim.inspect(expected) .. ', have ' .. vim.inspect(signs(buf)))
end

-- Call fn(rev, callback) and wait for the callback; returns its error.
local function run(fn, rev)
  local done, failure = false, nil
  fn(rev, function(err)
    done, failure = true, err
  end)
  T.wait_for(function()
    return done
  end, 5000, 'the action')
  return failure
end

local EDITED_P2 = '“We need more time to review the costs,” the mayor said on Monday.'

T.test('an unsaved edit to ¶2 signs ¶2 and nothing else, and saving clears it', function()
  local buf = recorded({ R.V1 })
  T.eq(signs(buf), {}, 'no signs on the latest version')
  edit_and_wait(buf, with(R.V1, P2, EDITED_P2), { [P2] = '~' })
  R.write(buf, with(R.V1, P2, EDITED_P2))
  T.wait_for(function()
    return vim.tbl_isempty(signs(buf))
  end, 5000, 'no signs once the edit is recorded')
end)

T.test('added and removed paragraphs are signed where they are and where they were', function()
  local buf = recorded({ R.V1 })
  local lines = vim.deepcopy(R.V1)
  table.remove(lines, 7) -- ¶3 and its blank line
  table.remove(lines, 7)
  vim.list_extend(lines, { '', 'A new vote is expected in March.' })
  -- ¶2 now precedes where ¶3 was; the new paragraph is rows 8.
  edit_and_wait(buf, lines, { [P2] = '_', [8] = '+' })
end)

T.test(']u and [u move between changed paragraphs', function()
  local buf = recorded({ R.V1 })
  local lines = with(with(R.V1, 2, R.V1[3] .. ' It was late.'), 8, 'Opponents gathered outside before dawn.')
  edit_and_wait(buf, lines, { [2] = '~', [8] = '~' })
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  H.feed(']u')
  T.eq(H.get_cursor()[1], 2, 'the first changed paragraph')
  H.feed(']u')
  T.eq(H.get_cursor()[1], 8, 'the next one')
  H.feed(']u')
  T.eq(H.get_cursor()[1], 8, 'no further change: the cursor stays')
  H.feed('[u')
  T.eq(H.get_cursor()[1], 2, 'back')
end)

T.test('the preview float shows the old words of the paragraph, marked, and closes on a move', function()
  local buf = recorded({ R.V1 })
  edit_and_wait(buf, with(R.V1, P2, EDITED_P2), { [P2] = '~' })
  vim.api.nvim_win_set_cursor(0, { P2 + 1, 0 })
  local win
  local failure = run(function(_, callback)
    require('dateline.changes').preview(nil, function(err, opened)
      win = opened
      callback(err)
    end)
  end)
  T.eq(failure, nil, 'no error')
  T.truthy(win and vim.api.nvim_win_is_valid(win), 'a float')
  T.truthy(vim.api.nvim_win_get_config(win).relative ~= '', 'floating')
  T.eq(vim.api.nvim_get_current_win() ~= win, true, 'the cursor stays in the article')
  local float_buf = vim.api.nvim_win_get_buf(win)
  T.eq(vim.api.nvim_buf_get_lines(float_buf, 0, -1, false), { R.V1[P2 + 1] }, 'the old paragraph')
  local marked = {}
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(float_buf, -1, 0, -1, { details = true })) do
    marked[#marked + 1] = R.V1[P2 + 1]:sub(mark[3] + 1, mark[4].end_col)
  end
  T.eq(marked, { 'study' }, 'the word the buffer no longer has')
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.api.nvim_exec_autocmds('CursorMoved', { buffer = buf })
  T.eq(vim.api.nvim_win_is_valid(win), false, 'closed when the cursor moves')
end)

T.test('restoring ¶2 changes only ¶2, writes nothing, and one u undoes it exactly', function()
  local buf = recorded({ R.V1 })
  local edited_p1 = R.V1[3]:gsub('delayed', 'postponed')
  local edited = with(with(R.V1, 2, edited_p1), P2, EDITED_P2)
  edit_and_wait(buf, edited, { [2] = '~', [P2] = '~' })
  vim.api.nvim_win_set_cursor(0, { P2 + 1, 3 })
  T.eq(run(require('dateline.changes').restore_paragraph, nil), nil, 'restored')
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), with(edited, P2, R.V1[P2 + 1]), 'only ¶2 is back')
  T.eq(vim.bo[buf].modified, true, 'not written')
  vim.cmd('silent normal! u')
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), edited, 'u brings the edit back, all of it')
end)

T.test(':Dateline restore paragraph brings back a removed paragraph and removes an added one', function()
  local buf = recorded({ R.V1 })
  local lines = vim.deepcopy(R.V1)
  table.remove(lines, 7)
  table.remove(lines, 7)
  vim.list_extend(lines, { '', 'A new vote is expected in March.' })
  edit_and_wait(buf, lines, { [P2] = '_', [8] = '+' })
  vim.api.nvim_win_set_cursor(0, { 9, 0 })
  T.eq(run(require('dateline.changes').restore_paragraph, '@'), nil, 'the added one')
  local without_added = vim.list_slice(lines, 1, 7)
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), without_added, 'the added paragraph and its blank line gone')
  vim.api.nvim_win_set_cursor(0, { P2 + 1, 0 })
  vim.cmd('Dateline restore paragraph')
  T.wait_for(function()
    return vim.deep_equal(vim.api.nvim_buf_get_lines(buf, 0, -1, false), R.V1)
  end, 5000, 'the removed paragraph back in its place')
end)

T.test('restoring a quotation from @~2 changes only its words', function()
  local v2 = with(R.V1, P2, '“We need more time to check the costs,” the mayor said.')
  local v3 = with(v2, 6, 'The plan would add three new piers and a ferry terminal.')
  local buf = recorded({ R.V1, v2, v3 })
  local now = with(with(v3, P2, '“We need more time to weigh the costs,” the mayor said after the vote.'), 2,
    R.V1[3] .. ' It was late.')
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, now)
  vim.cmd('let &undolevels = &undolevels')
  vim.api.nvim_win_set_cursor(0, { P2 + 1, 10 })
  T.eq(run(require('dateline.changes').restore_quotation, '@~2'), nil, 'restored')
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false),
    with(now, P2, '“We need more time to study the costs,” the mayor said after the vote.'),
    "only the quotation's words, as @~2 had them")
  vim.cmd('silent normal! u')
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), now, 'u undoes it')
end)

T.test('diu deletes exactly the changed paragraph, dau with its blank line', function()
  local buf = recorded({ R.V1 })
  local edited = with(R.V1, P2, EDITED_P2)
  edit_and_wait(buf, edited, { [P2] = '~' })
  vim.api.nvim_win_set_cursor(0, { P2 + 1, 5 })
  H.feed('diu')
  local expected = vim.deepcopy(edited)
  table.remove(expected, P2 + 1)
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), expected, 'diu')
  vim.cmd('silent normal! u')
  vim.api.nvim_win_set_cursor(0, { P2 + 1, 5 })
  H.feed('dau')
  expected = vim.deepcopy(edited)
  table.remove(expected, P2 + 1)
  table.remove(expected, P2 + 1)
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), expected, 'dau')
  vim.cmd('silent normal! u')
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  H.feed('diu')
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), edited, 'on an unchanged line: nothing')
  vim.api.nvim_win_set_cursor(0, { P2 + 1, 5 })
  H.feed('viu<Esc>')
  T.eq({ vim.fn.line("'<"), vim.fn.line("'>") }, { P2 + 1, P2 + 1 }, 'viu selects it')
end)

T.test(':Dateline restore paragraph <Tab> lists the versions, newest first', function()
  local buf = recorded({ R.V1, with(R.V1, P2, EDITED_P2) })
  local history = require('dateline.history_data')
  vim.fn.getcompletion('Dateline restore paragraph ', 'cmdline')
  T.wait_for(function()
    return history.cached_log(buf) ~= nil
  end, 5000, 'the cached log')
  T.eq(vim.fn.getcompletion('Dateline restore paragraph ', 'cmdline'), { '@', '@~1' }, 'versions')
  T.eq(vim.fn.getcompletion('Dateline restore para', 'cmdline'), { 'paragraph' }, 'the word itself')
  T.eq(vim.fn.getcompletion('Dateline restore quotation @~', 'cmdline'), { '@~1' }, 'after quotation')
end)

T.test('signs can be turned off in setup() and with :Dateline signs', function()
  R.setup({ changes = { signs = false } })
  local dir = R.repo()
  local buf = R.edit(dir, R.V1)
  R.write(buf, R.V1)
  T.eq(require('dateline.changes').is_on(buf), false, 'off from setup()')
  vim.cmd('Dateline signs on')
  edit_and_wait(buf, with(R.V1, P2, EDITED_P2), { [P2] = '~' })
  vim.cmd('Dateline signs off')
  T.eq(signs(buf), {}, 'gone')
end)

T.test('the version keys are named in setup() and can be turned off', function()
  R.setup({ mappings = { prev_version = '<C-p>', next_version = false } })
  local dir = R.repo()
  local buf = R.edit(dir, R.V1)
  R.write(buf, R.V1)
  local shown
  require('dateline.history').open_version(buf, vim.b[buf].dateline_version, function(opened)
    shown = opened
  end)
  T.wait_for(function()
    return shown ~= nil
  end, 5000, 'the version')
  T.eq(vim.fn.maparg('<C-p>', 'n', false, true).buffer, 1, 'the previous version on <C-p>')
  T.eq(vim.fn.maparg(']v', 'n'), '', ']v left alone')
  T.eq(vim.fn.maparg('[v', 'n'), '', '[v not mapped')
end)

T.test('in a CRLF file a quotation and a paragraph are restored at the right bytes, lines without a CR', function()
  R.capture_notify()
  R.setup()
  local dir = R.repo()
  local path = dir .. '/story.article'
  local file = assert(io.open(path, 'wb'))
  file:write(table.concat(R.V1, '\r\n') .. '\r\n')
  file:close()
  local buf = H.edit(path)
  T.wait_for(function()
    return require('dateline.lsp').is_ready(buf)
  end, 10000, 'the dateline server to start')
  T.eq(vim.bo[buf].fileformat, 'dos', 'read as CRLF')
  local record = require('dateline.record')
  local before = record.events
  vim.cmd('silent write')
  T.wait_for(function()
    return record.events > before
  end, 10000, 'the first version')
  local now = with(with(R.V1, 2, R.V1[3] .. ' It was late.'), P2,
    '“We need more time to weigh the costs,” the mayor said after the vote.')
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, now)
  vim.api.nvim_win_set_cursor(0, { P2 + 1, 10 })
  T.eq(run(require('dateline.changes').restore_quotation, '@'), nil, 'the quotation')
  vim.api.nvim_win_set_cursor(0, { 3, 0 })
  T.eq(run(require('dateline.changes').restore_paragraph, '@'), nil, 'the paragraph')
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false),
    with(R.V1, P2, '“We need more time to study the costs,” the mayor said after the vote.'),
    'both back, nothing else touched')
end)
