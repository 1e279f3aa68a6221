-- Which files open as articles.
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)

local ARTICLE = {
  'Council approves new budget',
  '',
  'OLYMPIA, WA – The city council approved the budget on Tuesday.',
  '',
  '“It is a good day,” the mayor said.',
}

T.test('a seed-style name is an article', function()
  local dir = T.tempdir()
  local path = dir .. '/000_8262d85f5fa5c412.txt'
  vim.fn.writefile(vim.fn.readfile(T.seed), path)
  T.eq(vim.bo[H.edit(path)].filetype, 'article', 'filetype of the copied seed')
  T.eq(vim.bo[H.edit(T.seed)].filetype, 'article', 'filetype of the seed itself')
end)

T.test('a seed-style name is an article whatever it holds', function()
  T.eq(vim.bo[H.edit_lines({ 'just a line' }, '123_0123456789abcdef.txt')].filetype, 'article', 'by name alone')
end)

T.test('*.article is an article', function()
  T.eq(vim.bo[H.edit_lines({ 'just a line' }, 'notes.article')].filetype, 'article', 'filetype')
end)

T.test('a .txt file that reads like an article is an article', function()
  T.eq(vim.bo[H.edit_lines(ARTICLE, 'budget.txt')].filetype, 'article', 'filetype')
end)

T.test('a .txt shopping list stays text', function()
  local buf = H.edit_lines({ 'Shopping', '', '- milk', '- EGGS - a dozen', '- bread' }, 'shopping.txt')
  T.eq(vim.bo[buf].filetype, 'text', 'filetype')
end)

T.test('a .txt note with a dash in its first paragraph stays text', function()
  local buf = H.edit_lines({ 'Ideas', '', 'Call Bob - about the boat', '', 'TODO - taxes' }, 'ideas.txt')
  T.eq(vim.bo[buf].filetype, 'text', 'filetype')
end)

T.test('datelines of the usual styles are recognised', function()
  local filetype = require('dateline.filetype')
  for _, line in ipairs({
    'OLYMPIA, WA – Parler, the “free speech” social media',
    'WASHINGTON (AP) — The Senate voted',
    'LONDON, Jan 10 (Reuters) - Sterling rose',
    'HOUSTON -- NASA will hold two briefings',
    'PORTLAND, Ore., Feb 26 - Red Lion Inns said',
    'KYIV, Ukraine — Air raid sirens',
    'SALVADOR, Feb 26 - Showers continued',
  }) do
    T.truthy(filetype.opens_with_dateline(line), line)
  end
  for _, line in ipairs({
    'Call Bob - about the boat',
    'I - for one - disagree',
    'Following speculation from the media, Quebec - no',
    '- milk',
  }) do
    T.eq(filetype.opens_with_dateline(line), false, line)
  end
end)

T.test('a byline block may sit between the headline and the dateline', function()
  local lines = { 'TALKING POINT', '', 'by Janie Gabbett, Reuters', '', 'LOS ANGELES, Feb 26 - BankAmerica Corp' }
  T.eq(require('dateline.filetype').looks_like_article(lines), true, 'looks like an article')
end)

T.test('CRLF line endings and a byte-order mark do not hide an article', function()
  local lines = { '\239\187\191Headline\r', '\r', 'HOUSTON -- NASA said\r' }
  T.eq(require('dateline.filetype').looks_like_article(lines), true, 'looks like an article')
end)

T.test(':set filetype=article attaches to any buffer', function()
  local buf = H.edit_lines(ARTICLE, 'plain.md')
  T.eq(require('dateline').is_attached(buf), false, 'attached before')
  vim.bo[buf].filetype = 'article'
  T.eq(require('dateline').is_attached(buf), true, 'attached after')
  T.truthy(vim.treesitter.highlighter.active[buf], 'tree-sitter highlighting is on')
  vim.bo[buf].filetype = 'markdown'
  T.eq(require('dateline').is_attached(buf), false, 'detached when the filetype changes')
end)

T.test('the filename pattern agrees with plugin.json', function()
  local manifest = vim.json.decode(table.concat(vim.fn.readfile(T.root .. '/plugin.json'), '\n'))
  T.eq(manifest.filetypes.filename_patterns, { require('dateline.filetype').seed_name_pattern }, 'patterns')
  T.eq(manifest.filetypes.extensions, { 'article' }, 'extensions')
end)
