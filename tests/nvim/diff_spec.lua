-- The diff view: marks for a known change, a changed quotation, ]c / [c,
-- and turning it off; removed text wrapped whole to the window; marks that
-- follow typing.
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)
local R = dofile(T.root .. '/tests/nvim/history_helpers.lua')(T, H)

-- V1 with: a word replaced in the first paragraph, a word of the quotation
-- changed, the third paragraph removed, a paragraph added at the end.
local CHANGED = {
  'Council delays vote on harbour plan',
  '',
  'PORTSMOUTH, England – The city council postponed its vote on the harbour plan on Monday after a long debate.',
  '',
  '“We need more time to review the costs,” the mayor said.',
  '',
  'Opponents gathered outside the town hall before the meeting.',
  '',
  'A new vote is expected in March.',
}

local function marks(buf)
  local ns = require('dateline.diffview').ns
  local found = {}
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(buf, ns, 0, -1, { details = true })) do
    local details = mark[4]
    found[#found + 1] = {
      row = mark[2],
      col = mark[3],
      end_row = details.end_row,
      end_col = details.end_col,
      hl_group = details.hl_group,
      virt_text = details.virt_text and table.concat(vim.tbl_map(function(chunk)
        return chunk[1]
      end, details.virt_text)),
      virt_text_pos = details.virt_text_pos,
      virt_lines = details.virt_lines and table.concat(vim.tbl_map(function(line)
        return line[1] and line[1][1] or ''
      end, details.virt_lines), '\n'),
      lines = details.virt_lines and vim.tbl_map(function(line)
        return line[1] and line[1][1] or ''
      end, details.virt_lines),
    }
  end
  return found
end

local function find(list, predicate)
  return vim.tbl_filter(predicate, list)
end

local function show_diff(buf, rev)
  local diffview = require('dateline.diffview')
  local done = false
  diffview.show(buf, { rev = rev, callback = function(err)
    assert(not err, err)
    done = true
  end })
  T.wait_for(function()
    return done
  end, 5000, 'the diff')
end

local function recorded_then_changed()
  R.setup()
  local dir = R.repo()
  local buf = R.edit(dir, R.V1)
  R.write(buf, R.V1)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, CHANGED)
  return buf
end

T.test('the diff of a known change marks exactly the changed ranges', function()
  local buf = recorded_then_changed()
  show_diff(buf)
  local all = marks(buf)

  local added = find(all, function(m)
    return m.hl_group == 'DatelineDiffAdd' and m.row == 8
  end)
  T.eq(#added, 1, 'one mark over the added paragraph: ' .. vim.inspect(all))
  T.eq({ added[1].row, added[1].col, added[1].end_row, added[1].end_col }, { 8, 0, 8, #CHANGED[9] }, 'its range')

  local removed = find(all, function(m)
    return m.virt_lines ~= nil and m.virt_lines:find('− ', 1, true) ~= nil
  end)
  T.eq(#removed, 1, 'one set of virtual lines')
  T.matches(removed[1].virt_lines, 'The plan would add two new piers and a ferry terminal%.', 'the removed paragraph')
  T.eq(removed[1].row, 4, 'shown after the paragraph it followed')

  local postponed = H.find(buf, 'postponed')
  local inserted = find(all, function(m)
    return m.hl_group == 'DatelineDiffAdd' and m.row == 2
  end)
  T.eq(#inserted, 1, 'one inserted word in the first paragraph')
  T.eq({ inserted[1].col, inserted[1].end_row, inserted[1].end_col }, { postponed[2], 2, postponed[2] + #'postponed' },
    'the inserted word exactly')
  local deleted = find(all, function(m)
    return m.virt_text_pos == 'inline'
  end)
  T.truthy(#deleted >= 1, 'deleted words inline')
  local delayed = find(deleted, function(m)
    return m.virt_text:find('delayed', 1, true) ~= nil
  end)
  T.eq(#delayed, 1, 'the deleted word is shown')
  T.eq(delayed[1].row, 2, 'in its paragraph')
  T.truthy(math.abs(delayed[1].col - postponed[2]) <= 1, 'where it was')

  T.eq(#find(all, function(m)
    return m.row == 6 and (m.hl_group or m.virt_text or m.virt_lines)
  end), 0, 'the unchanged paragraph is not marked')
  T.eq(require('dateline.diffview').state(buf).changes, { 2, 4, 8 }, 'changes for ]c')
end)

T.test('a changed quotation is called out with its old words', function()
  local buf = recorded_then_changed()
  show_diff(buf)
  local all = marks(buf)
  local quote = find(all, function(m)
    return m.hl_group == 'DatelineQuoteChanged'
  end)
  T.eq(#quote, 1, 'one quotation mark: ' .. vim.inspect(all))
  local start = H.find(buf, 'We need')
  T.eq({ quote[1].row, quote[1].col }, start, 'starts at the quotation words')
  local callout = find(all, function(m)
    return m.virt_lines and m.virt_lines:find('quotation changed', 1, true)
  end)
  T.eq(#callout, 1, 'one call-out')
  T.matches(callout[1].virt_lines, 'study the costs', 'the old words')
  T.eq(callout[1].row, 4, 'on the quotation line')
end)

T.test(']c and [c move between changes; :Dateline diff again turns the view off', function()
  local buf = recorded_then_changed()
  vim.cmd('Dateline diff')
  T.wait_for(function()
    return require('dateline.diffview').state(buf) ~= nil
  end, 5000, 'the diff view')
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  H.feed(']c')
  T.eq(H.get_cursor()[1], 2, 'first change')
  H.feed(']c')
  T.eq(H.get_cursor()[1], 4, 'second change')
  H.feed('[c')
  T.eq(H.get_cursor()[1], 2, 'back')
  vim.cmd('Dateline diff')
  T.eq(require('dateline.diffview').state(buf), nil, 'off')
  T.eq(#marks(buf), 0, 'no marks left')
  T.eq(vim.fn.maparg(']c', 'n', false, true).buffer, nil, ']c is unmapped')
end)

T.test(':Dateline diff REV compares with that version', function()
  R.setup()
  local dir = R.repo()
  local buf = R.edit(dir, R.V1)
  R.write(buf, R.V1)
  local first = vim.b[buf].dateline_version
  R.write(buf, vim.list_extend(vim.deepcopy(R.V1), { '', 'Second paragraph added later.' }))
  show_diff(buf, first:sub(1, 10))
  local added = find(marks(buf), function(m)
    return m.hl_group == 'DatelineDiffAdd'
  end)
  T.eq(#added, 1, 'the paragraph added since the first version')
  T.eq(added[1].row, 10, 'its row')
  show_diff(buf)
  T.eq(#marks(buf), 0, 'against the latest version nothing changed')
end)

-- The virtual lines of one mark read as one text: the prefix and the
-- continuation indent dropped, lines joined by a space.
local function whole(m)
  local words = {}
  for _, line in ipairs(m.lines) do
    line = vim.trim((line:gsub('^− ', '')))
    if line ~= '' then
      words[#words + 1] = line
    end
  end
  return table.concat(words, ' ')
end

local function text_width(win)
  local info = vim.fn.getwininfo(win)[1]
  return info.width - info.textoff
end

local function assert_fits(m, win, what)
  for _, line in ipairs(m.lines) do
    T.truthy(vim.fn.strdisplaywidth(line) <= text_width(win),
      string.format('%s: %q fits in %d cells', what, line, text_width(win)))
  end
end

-- 69 words, far wider than any window.
local LONG = 'The plan, first drawn up in 2019 by a consultancy hired by the previous council, would add two new '
  .. 'piers, a ferry terminal able to take the largest vessels now sailing the Channel, and a car park for six '
  .. 'hundred vehicles on reclaimed land. It also claims when finished that it will bring four hundred jobs to the '
  .. 'harbour district within ten years.'

T.test('a removed paragraph is shown whole, wrapped to the window, and rewrapped when it is resized', function()
  R.setup()
  local dir = R.repo()
  local before = vim.deepcopy(R.V1)
  before[7] = LONG
  local buf = R.edit(dir, before)
  R.write(buf, before)
  vim.api.nvim_buf_set_lines(buf, 6, 8, false, {})
  vim.cmd('vsplit')
  local win = vim.api.nvim_get_current_win()
  vim.api.nvim_win_set_width(win, 40)
  show_diff(buf)

  local removed = find(marks(buf), function(m)
    return m.virt_lines ~= nil and m.virt_lines:find('− ', 1, true) ~= nil
  end)
  T.eq(#removed, 1, 'one removed paragraph')
  T.eq(whole(removed[1]), LONG, 'every word of it')
  T.truthy(#removed[1].lines > 3, 'on several lines')
  assert_fits(removed[1], win, 'narrow')

  vim.api.nvim_win_set_width(win, 70)
  vim.api.nvim_exec_autocmds('WinResized', {})
  removed = find(marks(buf), function(m)
    return m.virt_lines ~= nil and m.virt_lines:find('− ', 1, true) ~= nil
  end)
  T.eq(whole(removed[1]), LONG, 'still every word after the resize')
  assert_fits(removed[1], win, 'wider')
  local widest = 0
  for _, line in ipairs(removed[1].lines) do
    widest = math.max(widest, vim.fn.strdisplaywidth(line))
  end
  T.truthy(widest > 40, 'rewrapped to the wider window')
end)

T.test('the old words of a changed quotation are shown whole in a narrow window', function()
  R.setup()
  local dir = R.repo()
  local quote = '“But Amazon has no plans nor has it made any commitment to build a warehouse in the district, '
    .. 'whatever the councillors say,” the spokesman said.'
  local before = vim.deepcopy(R.V1)
  before[5] = quote
  local buf = R.edit(dir, before)
  R.write(buf, before)
  local after = vim.deepcopy(before)
  after[5] = quote:gsub('district', 'county')
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, after)
  vim.cmd('vsplit')
  local win = vim.api.nvim_get_current_win()
  vim.api.nvim_win_set_width(win, 40)
  show_diff(buf)
  local callout = find(marks(buf), function(m)
    return m.virt_lines and m.virt_lines:find('quotation changed', 1, true)
  end)
  T.eq(#callout, 1, 'one call-out')
  T.matches(whole(callout[1]), 'in the district, whatever the councillors say', 'the changed word and all after it')
  T.matches(whole(callout[1]), '^❝ quotation changed, was: “But Amazon has no plans', 'from its first word')
  assert_fits(callout[1], win, 'call-out')
end)

T.test('the marks follow typing: an edit is marked soon after it, unsaved', function()
  R.setup()
  local dir = R.repo()
  local buf = R.edit(dir, R.V1)
  R.write(buf, R.V1)
  show_diff(buf)
  T.eq(#marks(buf), 0, 'nothing changed yet')
  vim.api.nvim_win_set_cursor(0, { 9, 0 })
  H.feed('AStill they waited.\27')
  T.wait_for(function()
    return #find(marks(buf), function(m)
      return m.row == 8 and m.hl_group == 'DatelineDiffAdd'
    end) == 1
  end, 3000, 'the typed words marked')
  T.truthy(vim.bo[buf].modified, 'without saving')
  local added = find(marks(buf), function(m)
    return m.row == 8 and m.hl_group == 'DatelineDiffAdd'
  end)[1]
  T.eq(vim.api.nvim_buf_get_text(buf, 8, added.col, 8, added.end_col, {})[1], 'Still they waited.', 'exactly them')
  T.eq(require('dateline.diffview').state(buf).changes, { 8 }, ']c finds it')

  vim.cmd('Dateline diff off')
  H.feed('ouNo marks now.\27')
  vim.wait(400)
  T.eq(#marks(buf), 0, 'the view off: typing marks nothing')
end)

T.test(':Dateline diff split shows the version beside the article, the two windows bound', function()
  local buf = recorded_then_changed()
  local article_win = vim.api.nvim_get_current_win()
  vim.cmd('Dateline diff split')
  T.wait_for(function()
    return #vim.api.nvim_tabpage_list_wins(0) == 2
  end, 5000, 'the version window')
  local version_win = vim.tbl_filter(function(win)
    return win ~= article_win
  end, vim.api.nvim_tabpage_list_wins(0))[1]
  local version_buf = vim.api.nvim_win_get_buf(version_win)
  T.eq(vim.api.nvim_buf_get_lines(version_buf, 0, -1, false), R.V1, 'the latest version, as recorded')
  T.eq(vim.bo[version_buf].modifiable, false, 'read-only')
  T.eq(vim.api.nvim_get_current_win(), article_win, 'the cursor stays in the article')
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), CHANGED, 'the article keeps its unsaved text')
  T.truthy(vim.fn.win_screenpos(version_win)[2] < vim.fn.win_screenpos(article_win)[2], 'old on the left')
  for _, win in ipairs({ version_win, article_win }) do
    T.eq({ vim.wo[win].scrollbind, vim.wo[win].cursorbind }, { true, true }, 'bound: window ' .. win)
  end
  vim.api.nvim_win_close(version_win, true)
  T.eq({ vim.wo[article_win].scrollbind, vim.wo[article_win].cursorbind }, { false, false },
    'the article unbound once the version is closed')
end)
