-- :Dateline blame: which version last changed each paragraph, refreshed
-- after each recorded version and as the writer types.
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)
local R = dofile(T.root .. '/tests/nvim/history_helpers.lua')(T, H)

local function chunks_text(chunks)
  return vim.trim(table.concat(vim.tbl_map(function(chunk)
    return chunk[1]
  end, chunks)))
end

-- Row -> the blame text shown there for the block (or headline, dek,
-- byline) starting on it; and row -> the quotation lines shown under it.
local function blame_text(buf)
  local ns = require('dateline.blame').ns
  local shown, quotations = {}, {}
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(buf, ns, 0, -1, { details = true })) do
    local details = mark[4]
    if details.virt_lines and not details.virt_lines_above then
      quotations[mark[2]] = vim.tbl_map(chunks_text, details.virt_lines)
    else
      shown[mark[2]] = chunks_text(details.virt_text or details.virt_lines[1])
    end
  end
  return shown, quotations
end

local function blame_on(buf)
  local done = false
  require('dateline.blame').toggle(buf, 'on', function(err)
    assert(not err, err)
    done = true
  end)
  T.wait_for(function()
    return done
  end, 5000, 'blame')
end

T.test('blame shows, at each paragraph, the version that last changed it', function()
  R.setup()
  local dir = R.repo()
  local buf = R.edit(dir, R.V1)
  R.write(buf, R.V1)
  local first = vim.b[buf].dateline_version
  R.execute(buf, 'dateline.note', { note = 'first filing' })
  local v2 = vim.deepcopy(R.V1)
  v2[7] = 'The plan would add three new piers and a ferry terminal.'
  R.write(buf, v2)
  local second = vim.b[buf].dateline_version
  R.execute(buf, 'dateline.note', { note = 'corrected pier count' })
  blame_on(buf)
  local shown = blame_text(buf)
  T.matches(shown[2], '^' .. first:sub(1, 7), 'first paragraph: the first version')
  T.matches(shown[2], 'first filing', 'with its note')
  T.matches(shown[2], 'Jane Doe', 'and its author')
  T.matches(shown[2], 'just now', 'and when')
  T.matches(shown[4], first:sub(1, 7), 'the quotation paragraph: the first version')
  T.matches(shown[6], '^' .. second:sub(1, 7), 'the edited paragraph: the second version')
  T.matches(shown[6], 'corrected pier count', 'with its note')
  T.matches(shown[8], first:sub(1, 7), 'last paragraph: the first version')
end)

T.test('blame is refreshed after a write, and :Dateline blame turns it off', function()
  R.setup()
  local dir = R.repo()
  local buf = R.edit(dir, R.V1)
  R.write(buf, R.V1)
  vim.cmd('Dateline blame')
  T.wait_for(function()
    return blame_text(buf)[2] ~= nil
  end, 5000, 'blame')
  local v2 = vim.list_extend(vim.deepcopy(R.V1), { '', 'A paragraph added in the second version.' })
  R.write(buf, v2)
  local second = vim.b[buf].dateline_version
  T.wait_for(function()
    local text = blame_text(buf)[10]
    return text and text:find(second:sub(1, 7), 1, true)
  end, 5000, 'the new paragraph blamed on the new version')
  vim.cmd('Dateline blame')
  T.eq(blame_text(buf), {}, 'blame off')
  T.eq(require('dateline.blame').is_on(buf), false, 'state')
end)

T.test('an edited, unsaved paragraph reads "not saved yet" soon after the edit', function()
  R.setup()
  local dir = R.repo()
  local buf = R.edit(dir, R.V1)
  R.write(buf, R.V1)
  local first = vim.b[buf].dateline_version
  blame_on(buf)
  T.matches(blame_text(buf)[6], first:sub(1, 7), 'before the edit: its version')
  vim.api.nvim_win_set_cursor(0, { 7, 0 })
  H.feed('A It was approved in 2019.\27')
  T.wait_for(function()
    return blame_text(buf)[6] == 'not saved yet'
  end, 3000, 'the edited paragraph shown as not saved: ' .. vim.inspect(blame_text(buf)))
  T.matches(blame_text(buf)[2], first:sub(1, 7), 'the paragraphs not edited keep their version')
  T.matches(blame_text(buf)[8], first:sub(1, 7), 'after it too')

  R.write(buf, vim.api.nvim_buf_get_lines(buf, 0, -1, false))
  local second = vim.b[buf].dateline_version
  T.wait_for(function()
    local text = blame_text(buf)[6]
    return text and text:find(second:sub(1, 7), 1, true) ~= nil
  end, 5000, 'once saved, its new version')
end)

T.test('blame covers the headline, dek and byline, and each quotation under its paragraph', function()
  R.setup()
  local dir = R.repo()
  local v1 = { 'Council delays vote on harbour plan', 'Piers and a ferry terminal wait', 'By Ann Lee', '',
    '“We need more time to study the costs,” the mayor said. Opponents gathered outside.', '',
    'The plan would add two new piers.' }
  local buf = R.edit(dir, v1)
  R.write(buf, v1)
  local first = vim.b[buf].dateline_version
  R.execute(buf, 'dateline.note', { note = 'first filing' })
  local v2 = vim.deepcopy(v1)
  v2[1] = 'Council puts off vote on harbour plan'
  v2[5] = '“We need more time to study the costs,” the mayor said. Protesters gathered outside.'
  R.write(buf, v2)
  local second = vim.b[buf].dateline_version
  R.execute(buf, 'dateline.note', { note = 'new headline' })
  blame_on(buf)
  local shown, quotations = blame_text(buf)
  T.matches(shown[0], '^' .. second:sub(1, 7) .. '.*new headline', 'the headline: changed in the second version')
  T.matches(shown[1], '^' .. first:sub(1, 7) .. '.*first filing', 'the dek: the first version')
  T.matches(shown[2], '^' .. first:sub(1, 7), 'the byline: the first version')
  T.matches(shown[4], '^' .. second:sub(1, 7), 'the paragraph: edited in the second version')
  T.eq(#quotations[4], 1, 'one quotation under the paragraph')
  T.matches(quotations[4][1], '^❝ We need more time to study the costs, — ' .. first:sub(1, 7) .. '.*first filing',
    'its words: unchanged since the first version')

  H.feed('gg0cwThe\27')
  T.wait_for(function()
    return blame_text(buf)[0] == 'not saved yet'
  end, 3000, 'the edited headline shown as not saved: ' .. vim.inspect(blame_text(buf)))
end)
