-- CriticMarkup as tracked changes: accept and reject one annotation or all
-- of them, each one undoable change; wrap a selection in each kind.
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)
local critic = require('dateline.critic')

-- What dateline said, instead of on the TAP output.
local messages = {}
vim.notify = function(message)
  messages[#messages + 1] = message
end

local function edit(paragraph)
  return H.edit_lines({ 'Council backs the bridge', '', paragraph })
end

local function paragraph(buf)
  return vim.api.nvim_buf_get_lines(buf, 2, 3, false)[1]
end

-- Put the cursor inside the annotation holding `text` and resolve it.
local function resolve_on(buf, text, action)
  local at = H.find(buf, text)
  H.cursor({ at[1], at[2] + 1 })
  return critic.resolve_at_cursor(action)
end

local CASES = {
  -- kind, paragraph, where the cursor goes, accepted, rejected
  { 'addition', 'The vote was {++very ++}close.', '{++', 'The vote was very close.', 'The vote was close.' },
  { 'deletion', 'The vote was {--not --}close.', '{--', 'The vote was close.', 'The vote was not close.' },
  { 'substitution', 'The vote was {~~5-2~>6-1~~} on Monday.', '~>', 'The vote was 6-1 on Monday.',
    'The vote was 5-2 on Monday.' },
  { 'highlight', 'The vote was {==close==} on Monday.', '{==', 'The vote was close on Monday.',
    'The vote was close on Monday.' },
  { 'comment', 'The vote was close.{>>check the count<<} Then',
    'check', 'The vote was close. Then', 'The vote was close. Then' },
}

for _, case in ipairs(CASES) do
  local kind, text, at, accepted, rejected = unpack(case)
  T.test(kind .. ': accept and reject the annotation at the cursor, each undone by one u', function()
    local buf = edit(text)
    T.eq(resolve_on(buf, at, 'accept'), true, 'accepted')
    T.eq(paragraph(buf), accepted, 'after accept')
    vim.cmd('silent undo')
    T.eq(paragraph(buf), text, 'u brings the annotation back')
    T.eq(resolve_on(buf, at, 'reject'), true, 'rejected')
    T.eq(paragraph(buf), rejected, 'after reject')
    vim.cmd('silent undo')
    T.eq(paragraph(buf), text, 'u again')
  end)
end

T.test('resolving to nothing leaves no double space', function()
  local buf = edit('The council {--really --}voted and {++also++} agreed {>>who?<<}.')
  resolve_on(buf, '{--', 'accept')
  resolve_on(buf, '{++', 'reject')
  resolve_on(buf, '{>>', 'accept')
  T.eq(paragraph(buf), 'The council voted and agreed.', 'the paragraph')
end)

T.test('accept all and reject all resolve every annotation as one undoable change', function()
  local text = 'The vote was {~~5-2~>6-1~~}, {--not --}close{++ and final++}.{>>source?<<} {==Monday==}.'
  local buf = H.edit_lines({ 'Council {++backs++} the bridge', '', text, '', 'A {--second--} paragraph.' })
  local before = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  T.eq({ critic.resolve_all(buf, 'accept') }, { 7, 0 }, 'resolved, skipped')
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), { 'Council backs the bridge', '',
    'The vote was 6-1, close and final. Monday.', '', 'A paragraph.' }, 'all accepted')
  vim.cmd('silent undo')
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), before, 'one u undoes them all')
  critic.resolve_all(buf, 'reject')
  T.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), { 'Council the bridge', '',
    'The vote was 5-2, not close. Monday.', '', 'A second paragraph.' }, 'all rejected')
end)

T.test('an annotation left open is text: accept all leaves it and resolves the rest', function()
  local buf = edit('The vote was {++close. {--Very--} close.')
  T.eq({ critic.resolve_all(buf, 'accept') }, { 1, 0 }, 'resolved, skipped')
  T.eq(paragraph(buf), 'The vote was {++close. close.', 'only the closed deletion went')
end)

T.test('no annotation at the cursor: a message, nothing changes', function()
  messages = {}
  local buf = edit('The vote was {++very ++}close.')
  H.cursor({ 2, 0 })
  T.eq(critic.resolve_at_cursor('accept'), false, 'nothing to accept')
  T.matches(messages[1], 'no annotation', 'the message')
  T.eq(paragraph(buf), 'The vote was {++very ++}close.', 'unchanged')
end)

-- Select `text` charwise and press the mapping `lhs`.
local function select_and_press(buf, text, lhs)
  local at = H.find(buf, text)
  H.cursor(at)
  H.feed('v' .. (#vim.fn.split(text, '\\zs') > 1 and (#vim.fn.split(text, '\\zs') - 1) .. 'l' or '') .. lhs)
end

T.test('the wrap mappings mark a selection added, deleted, highlighted, substituted or commented', function()
  vim.g.maplocalleader = '\\'
  T.on_cleanup(function()
    vim.g.maplocalleader = nil
  end)
  local input = vim.ui.input
  T.on_cleanup(function()
    vim.ui.input = input
  end)
  local answers = {}
  vim.ui.input = function(opts, on_confirm)
    on_confirm(table.remove(answers, 1))
  end
  local text = 'The vote was close on Monday in Riverton, said the clerk.'
  local cases = {
    { 'close', '\\+', nil, 'The vote was {++close++} on Monday in Riverton, said the clerk.' },
    { 'close', '\\-', nil, 'The vote was {--close--} on Monday in Riverton, said the clerk.' },
    { 'close', '\\=', nil, 'The vote was {==close==} on Monday in Riverton, said the clerk.' },
    { 'Monday', '\\~', 'Tuesday', 'The vote was close on {~~Monday~>Tuesday~~} in Riverton, said the clerk.' },
    { 'Riverton', '\\>', 'spelling?', 'The vote was close on Monday in {==Riverton==}{>>spelling?<<}, said the clerk.' },
    -- Cancelling the prompt changes nothing.
    { 'Monday', '\\~', nil, text },
  }
  for _, case in ipairs(cases) do
    local buf = edit(text)
    answers = { case[3] }
    select_and_press(buf, case[1], case[2])
    T.eq(paragraph(buf), case[4], case[2] .. ' on "' .. case[1] .. '"')
    T.eq(vim.fn.mode(), 'n', 'back in Normal mode')
    if case[4] ~= text then
      vim.cmd('silent undo')
      T.eq(paragraph(buf), text, 'u undoes ' .. case[2])
    end
  end
end)

T.test('a wrap keeps a selection that ends on a multibyte character whole', function()
  local buf = edit('Mayor Alicia Fernández said so.')
  local at = H.find(buf, 'Fernández')
  local range = { at[1], at[2], at[1], at[2] + #'Fernández' }
  T.eq(critic.wrap_range(buf, range, 'highlight'), true, 'wrapped')
  T.eq(paragraph(buf), 'Mayor Alicia {==Fernández==} said so.', 'the paragraph')
end)

T.test('a wrap refuses a selection over an annotation or across a blank line', function()
  messages = {}
  local buf = H.edit_lines({ 'Council backs the bridge', '', 'The vote was {++very ++}close.', '', 'Next.' })
  T.eq(critic.wrap_range(buf, { 2, 4, 2, 20 }, 'deletion'), false, 'over an annotation')
  T.matches(messages[1], 'overlaps an annotation', 'why')
  T.eq(critic.wrap_range(buf, { 2, 0, 4, 3 }, 'deletion'), false, 'across paragraphs')
  T.matches(messages[2], 'one paragraph', 'why')
  T.eq(vim.api.nvim_buf_get_lines(buf, 2, 3, false)[1], 'The vote was {++very ++}close.', 'unchanged')
end)

T.test(':Dateline accept and :Dateline reject all', function()
  local buf = edit('The vote was {~~5-2~>6-1~~} and {++very ++}close.')
  H.cursor(H.find(buf, '~>'))
  vim.cmd('Dateline accept')
  T.eq(paragraph(buf), 'The vote was 6-1 and {++very ++}close.', 'the one at the cursor accepted')
  vim.cmd('Dateline reject all')
  T.eq(paragraph(buf), 'The vote was 6-1 and close.', 'the rest rejected')
end)
