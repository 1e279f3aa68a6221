-- Which files open as articles.
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)
local R = dofile(T.root .. '/tests/nvim/history_helpers.lua')(T, H)

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

T.test('datelines of the usual styles open articles', function()
  for index, line in ipairs({
    'OLYMPIA, WA – Parler, the “free speech” social media network, sued Amazon.',
    'WASHINGTON (AP) — The Senate voted on Tuesday to pass the bill.',
    'LONDON, Jan 10 (Reuters) - Sterling rose against the dollar on Monday.',
    'HOUSTON -- NASA will hold two briefings on the next station crews.',
    'DALLAS (AP) _ A tornado touched down on Tuesday near the airport.',
    '(CNN) — Rivers crested above record levels across three states.',
    'AUSTIN, Texas, March 4, 2025 /PRNewswire/ -- Acme Corp. opened a plant.',
  }) do
    local buf = H.edit_lines({ 'Headline', '', line }, 'story' .. index .. '.txt')
    T.eq(vim.bo[buf].filetype, 'article', line)
  end
end)

T.test('a story without a dateline saved as story.txt is an article', function()
  local buf = H.edit_lines({
    'Harbor Books to close downtown store after 60 years',
    '',
    'Harbor Books will close its downtown store at the end of June after six decades on Main Street, the family that owns the shop said on Thursday.',
    '',
    '"This was my grandfather\'s store," owner Clara Nguyen said.',
  }, 'story.txt')
  T.eq(vim.bo[buf].filetype, 'article', 'filetype')
end)

T.test('a README and a licence saved as .txt stay text', function()
  local readme = H.edit_lines({ 'Project', '=======', '', 'This project parses articles and records every saved version.' }, 'README.txt')
  T.eq(vim.bo[readme].filetype, 'text', 'README')
  local licence = H.edit_lines({
    'MIT License',
    '',
    'Copyright (c) 2024 Someone',
    '',
    'Permission is hereby granted, free of charge, to any person obtaining a copy of this software.',
  }, 'LICENSE.txt')
  T.eq(vim.bo[licence].filetype, 'text', 'licence')
end)

T.test('a byline block may sit between the headline and the dateline', function()
  local lines = { 'TALKING POINT', '', 'by Janie Gabbett, Reuters', '', 'LOS ANGELES, Feb 26 - BankAmerica Corp is not under pressure.' }
  T.eq(vim.bo[H.edit_lines(lines, 'talking.txt')].filetype, 'article', 'filetype')
end)

T.test('CRLF line endings and a byte-order mark do not hide an article', function()
  local lines = { '\239\187\191Headline\r', '\r', 'HOUSTON -- NASA said on Monday it would brief reporters.\r' }
  T.eq(vim.bo[H.edit_lines(lines, 'crlf.txt')].filetype, 'article', 'filetype')
end)

T.test('a new .txt story becomes an article when it is first written, and that write is recorded', function()
  R.setup()
  local dir = R.repo()
  local buf = H.edit(dir .. '/draft2.txt')
  vim.v.errmsg = ''
  T.eq(vim.bo[buf].filetype, 'text', 'an empty new buffer is text')
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, {
    'Council approves night buses',
    '',
    'RIVERTON, Ore. — The council voted 5-2 on Monday to keep the overnight buses.',
  })
  vim.cmd('silent write')
  T.eq(vim.bo[buf].filetype, 'article', 'filetype after the first write')
  T.wait_for(function()
    return #R.git_log(dir, 'draft2.txt') == 1
  end, 10000, 'the first write recorded as a version')
  vim.wait(200) -- the snapshot's answer, handled after the version exists
  T.eq(vim.v.errmsg, '', 'no error from handling the answer')
end)

T.test('when that first write cannot be recorded, one warning says why', function()
  local dir = R.repo()
  local not_a_directory = T.tempdir() .. '/store'
  vim.fn.writefile({ 'a regular file' }, not_a_directory)
  R.setup({ history = { store = not_a_directory } })
  local messages = R.capture_notify()
  local buf = H.edit(dir .. '/draft3.txt')
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, {
    'Council approves night buses',
    '',
    'RIVERTON, Ore. — The council voted 5-2 on Monday to keep the overnight buses.',
  })
  vim.cmd('silent write')
  T.eq(vim.bo[buf].filetype, 'article', 'filetype after the first write')
  T.wait_for(function()
    return #R.warnings(messages) > 0
  end, 10000, 'a warning about the unrecorded first write')
  vim.wait(800) -- any late window/showMessage
  local warnings = R.warnings(messages)
  T.eq(#warnings, 1, 'warnings: ' .. vim.inspect(warnings))
  T.matches(warnings[1].message, 'not recorded', 'says what happened')
end)

T.test('a .txt file in an articles folder is an article, even a new one', function()
  local dir = T.tempdir() .. '/stories'
  vim.fn.mkdir(dir, 'p')
  require('dateline').setup({ articles = { dirs = { dir } } })
  T.eq(vim.bo[H.edit(dir .. '/notes.txt')].filetype, 'article', 'a new file in the folder')
  T.eq(vim.bo[H.edit_lines({ 'groceries', 'milk' }, 'groceries.txt')].filetype, 'text', 'a file elsewhere')
  require('dateline').setup({})
end)

T.test('a marker line makes any .txt an article', function()
  local buf = H.edit_lines({ 'call Bob', 'taxes', '', 'dateline: article' }, 'marked.txt')
  T.eq(vim.bo[buf].filetype, 'article', 'filetype')
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
