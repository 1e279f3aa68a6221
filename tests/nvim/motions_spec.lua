-- Structural motions, text objects and their mappings.
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)

local FIXTURE = {
  'Council approves budget',
  '',
  'SPRINGFIELD, IL – The council voted “yes to all,” the mayor said. “A fine day.”',
  '',
  'Second paragraph with {++an addition++} and {>>a comment<<} here.',
  '',
  'Money matters',
  '',
  'Third paragraph, “quoted words” at last.',
}

local function open()
  return H.edit_lines(FIXTURE, 'budget.article')
end

-- Type `keys` from `start` and return where the cursor lands.
local function lands(start, keys)
  H.cursor(start)
  H.feed(keys)
  return H.get_cursor()
end

-- Run `keys` from `start` and return what they yanked.
local function yanked(start, keys)
  vim.fn.setreg('"', '')
  H.cursor(start)
  H.feed(keys)
  return vim.fn.getreg('"')
end

T.test(']] and [[ stop at paragraphs, subheads and the headline', function()
  local buf = open()
  local first, second = H.find(buf, 'SPRINGFIELD'), H.find(buf, 'Second')
  local subhead, third = H.find(buf, 'Money matters'), H.find(buf, 'Third')
  T.eq(lands({ 0, 0 }, ']]'), first, ']] from the headline')
  T.eq(lands(first, ']]'), second, ']] from the first paragraph')
  T.eq(lands(second, ']]'), subhead, ']] stops at the subhead')
  T.eq(lands(subhead, ']]'), third, ']] from the subhead')
  T.eq(lands({ 0, 0 }, '2]]'), second, '2]]')
  T.eq(lands({ third[1], 5 }, '[['), third, '[[ inside a paragraph goes to its start')
  T.eq(lands(third, '[['), subhead, '[[ from a paragraph start stops at the subhead')
  T.eq(lands(first, '[['), { 0, 0 }, '[[ from the first paragraph goes to the headline')
  T.eq(lands(third, '9[['), { 0, 0 }, 'a count beyond the headline stops there')
end)

T.test('d]] before a subhead keeps the subhead', function()
  local buf = open()
  H.cursor(H.find(buf, 'Second'))
  H.feed('d]]')
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  T.truthy(vim.tbl_contains(lines, 'Money matters'), 'the subhead is still there: ' .. vim.inspect(lines))
  T.eq(vim.tbl_contains(lines, FIXTURE[5]), false, 'the paragraph is gone')
end)

T.test('daq leaves no double space, like da"', function()
  local buf = open()
  H.cursor(H.find(buf, 'to all'))
  H.feed('daq')
  T.eq(vim.api.nvim_buf_get_lines(buf, 2, 3, false)[1],
    'SPRINGFIELD, IL – The council voted the mayor said. “A fine day.”', 'the space after goes with it')
  H.cursor(H.find(buf, 'A fine'))
  H.feed('daq')
  T.eq(vim.api.nvim_buf_get_lines(buf, 2, 3, false)[1],
    'SPRINGFIELD, IL – The council voted the mayor said.', 'at the end of a line, the space before')
end)

T.test(']] adds to the jumplist', function()
  open()
  vim.cmd('clearjumps')
  lands({ 0, 0 }, ']]')
  T.eq(#vim.fn.getjumplist()[1], 1, 'jumplist entries')
end)

T.test(']" and [" move between quotations', function()
  local buf = open()
  local yes, fine, quoted = H.find(buf, '“yes'), H.find(buf, '“A fine'), H.find(buf, '“quoted')
  T.eq(lands({ 0, 0 }, ']"'), yes, ']" from the headline')
  T.eq(lands(yes, ']"'), fine, ']" to the next in the paragraph')
  T.eq(lands(fine, ']"'), quoted, ']" to the next paragraph')
  T.eq(lands({ 0, 0 }, '2]"'), fine, '2]"')
  T.eq(lands(quoted, '["'), fine, '["')
end)

T.test(']e and [e move between annotations', function()
  local buf = open()
  local addition, comment = H.find(buf, '{++'), H.find(buf, '{>>')
  T.eq(lands({ 0, 0 }, ']e'), addition, ']e from the headline')
  T.eq(lands(addition, ']e'), comment, ']e to the comment')
  T.eq(lands(comment, '[e'), addition, '[e back')
end)

T.test(']h and [h move between subheads', function()
  local buf = open()
  local subhead = H.find(buf, 'Money matters')
  T.eq(lands({ 0, 0 }, ']h'), subhead, ']h')
  T.eq(lands(H.find(buf, 'Third'), '[h'), subhead, '[h')
end)

T.test('motions work in operator-pending mode', function()
  local buf = open()
  local first = H.find(buf, 'SPRINGFIELD')
  T.eq(yanked(first, 'y]"'), 'SPRINGFIELD, IL – The council voted ', 'y]"')
end)

T.test('iq and aq select a quotation inside and around its marks', function()
  local buf = open()
  local inside = H.find(buf, 'to all')
  T.eq(yanked(inside, 'yiq'), 'yes to all,', 'yiq')
  T.eq(yanked(inside, 'yaq'), '“yes to all,” ', 'yaq, with the space after it')
  T.eq(yanked(inside, 'viqy'), 'yes to all,', 'viq in visual mode')
  T.eq(yanked(inside, 'Vaqy'), '“yes to all,” ', 'aq from linewise visual mode becomes charwise')
end)

T.test('iq outside a quotation takes the next one in the paragraph', function()
  local buf = open()
  T.eq(yanked(H.find(buf, 'mayor'), 'yiq'), 'A fine day.', 'yiq after the first quotation')
end)

T.test('iq on a quotation run on over a paragraph break, and on its continuation', function()
  local buf = H.edit(T.root .. '/tests/fixtures/demo.article')
  T.eq(yanked(H.find(buf, 'pilot might end'), 'yiq'),
    'When they said the pilot might end, I started looking for a third job just to pay for a car',
    'yiq in the run-on quotation')
  T.eq(yanked(H.find(buf, 'now I don'), 'yiq'), 'and now I don’t have to,', 'yiq in the continuation')
  T.eq(yanked(H.find(buf, 'now I don'), 'yaq'), '“and now I don’t have to,” ', 'yaq in the continuation, with the space after it')
end)

T.test('a count takes in that many quotations', function()
  local buf = open()
  T.eq(yanked(H.find(buf, 'to all'), 'y2aq'), ' “yes to all,” the mayor said. “A fine day.”',
    'y2aq: the last ends its line, so the space before the first goes with them')
end)

T.test('ic and ac select an annotation inside and around its markup', function()
  local buf = open()
  T.eq(yanked(H.find(buf, 'addition'), 'yic'), 'an addition', 'yic')
  T.eq(yanked(H.find(buf, 'addition'), 'yac'), '{++an addition++}', 'yac')
  H.cursor(H.find(buf, 'a comment'))
  H.feed('dac')
  T.eq(vim.api.nvim_buf_get_lines(buf, 4, 5, false)[1], 'Second paragraph with {++an addition++} and  here.', 'dac')
end)

T.test('text objects honour selection=exclusive', function()
  local buf = open()
  vim.o.selection = 'exclusive'
  T.on_cleanup(function()
    vim.o.selection = 'inclusive'
  end)
  T.eq(yanked(H.find(buf, 'to all'), 'viqy'), 'yes to all,', 'viq with selection=exclusive')
end)

local function buffer_maps(buf, mode)
  local lhs = {}
  for _, map in ipairs(vim.api.nvim_buf_get_keymap(buf, mode)) do
    lhs[map.lhs] = map.desc
  end
  return lhs
end

T.test('mappings are buffer-local and leave Neovim defaults alone', function()
  local buf = open()
  local normal = buffer_maps(buf, 'n')
  T.truthy(normal[']"'], ']" is mapped')
  -- Neovim 0.10 and 0.11 default mappings and built-in bracket commands
  -- that dateline must not shadow.
  for _, taken in ipairs({ ']q', '[q', ']d', '[d', ']D', '[D', ']b', '[b', ']a', '[a', ']l', '[l', ']t',
    '[t', ']s', '[s', ']c', '[c', ']p', '[p', ']m', '[m', ']<Space>', '[<Space>', '][', '[]' }) do
    T.eq(normal[taken], nil, taken .. ' stays free')
  end
  T.eq(vim.tbl_isempty(buffer_maps(H.edit_lines({ 'x' }, 'note.txt'), 'n')), true, 'no mappings in other buffers')
end)

T.test('setup() remaps and disables single mappings', function()
  local buf = open()
  H.setup({ mappings = { next_quotation = ']u', prev_quotation = false } })
  local normal = buffer_maps(buf, 'n')
  T.truthy(normal[']u'], ']u is mapped in an already open article')
  T.eq(normal[']"'], nil, 'the old key is gone')
  T.eq(normal['["'], nil, 'the disabled key is gone')
  T.truthy(normal[']]'], 'other mappings stay')
end)

T.test('mappings = false defines none', function()
  H.setup({ mappings = false })
  local buf = open()
  T.eq(buffer_maps(buf, 'n'), {}, 'normal-mode mappings')
  T.eq(buffer_maps(buf, 'o'), {}, 'operator-pending mappings')
end)
