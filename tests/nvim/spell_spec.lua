-- Spelling on prose only: 'spell' is on by default in article windows and
-- the grammar's @spell/@nospell leave out what is not prose.
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)

-- Misspelt on purpose: every word below that is not English is one the
-- checker would flag if it looked there.
local ARTICLE = {
  'Councl backs the bridge',
  'By Qwzxina Vrbnolds',
  'Published 9:15 AM, Oct. 14, 2024',
  '',
  'QWZXVILLE, Ore. — The council voted to buld the bridge, see https://qwzx.example/brdge or write to',
  'desk@qwzx.example or @qwzxdesk with #qwzxbridge.',
  '',
  '“It will be finshed in May,” the mayor said.',
}

-- Every word `]s` stops at from the top, in order.
local function misspelt_words(buf)
  local saved = vim.o.wrapscan
  vim.o.wrapscan = false
  T.on_cleanup(function()
    vim.o.wrapscan = saved
  end)
  H.cursor({ 0, 0 })
  local words, seen = {}, {}
  -- The first word of the buffer, which ]s from (0, 0) would pass over.
  local first = vim.fn.spellbadword()
  if first[1] ~= '' and H.get_cursor()[1] == 0 and H.get_cursor()[2] == 0 then
    words[#words + 1] = first[1]
  end
  while true do
    local before = H.get_cursor()
    pcall(vim.cmd, 'normal! ]s')
    local after = H.get_cursor()
    local key = after[1] .. ':' .. after[2]
    if (after[1] == before[1] and after[2] == before[2]) or seen[key] then
      break
    end
    seen[key] = true
    words[#words + 1] = vim.fn.spellbadword()[1]
  end
  return words
end

T.test("'spell' is on in article windows by default", function()
  H.edit_lines(ARTICLE)
  T.eq(vim.wo.spell, true, "'spell' in the article's window")
end)

T.test('misspelt prose is found; URLs, addresses, the dateline place, byline and time are not', function()
  local buf = H.edit_lines(ARTICLE)
  vim.bo[buf].spelllang = 'en'
  T.eq(misspelt_words(buf), { 'Councl', 'buld', 'finshed' }, 'the words ]s stops at, in order')
end)

T.test('spellbadword() on the place name of the dateline finds nothing there', function()
  local buf = H.edit_lines(ARTICLE)
  vim.bo[buf].spelllang = 'en'
  H.cursor(H.find(buf, 'QWZXVILLE'))
  local found = vim.fn.spellbadword()
  T.eq(found[1], 'buld', 'the first misspelling from the dateline on is in the prose after it')
end)

T.test('writing = { spell = false } leaves spell alone', function()
  H.setup({ writing = { spell = false } })
  vim.wo.spell = false
  H.edit_lines(ARTICLE)
  T.eq(vim.wo.spell, false, "'spell' as the user left it")
end)
