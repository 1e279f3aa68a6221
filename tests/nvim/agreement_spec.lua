-- One article, one set of numbers: for the reference article, every article
-- of the shared corpus, every fixture in tests/fixtures and a few written
-- here for the rules that drifted before, the CLI (`dateline outline
-- --json`), the language server (documentSymbol and `dateline/article`,
-- through the plugin's client) and the Neovim outline and status line show
-- the same words, paragraph numbers, quotations and speakers.
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)
local R = dofile(T.root .. '/tests/nvim/history_helpers.lua')(T, H)

-- One directory for the whole spec, so that one server serves every
-- article; the CLI and the server read the same copy.
local scratch = vim.fn.tempname()
vim.fn.mkdir(scratch, 'p')
vim.api.nvim_create_autocmd('VimLeavePre', {
  callback = function()
    vim.fn.delete(scratch, 'rf')
  end,
})

-- Articles written for the rules the front ends used to disagree on.
local WRITTEN = {
  ['run-on-quotation'] = table.concat({
    'Council backs harbour plan',
    '',
    'PORTSMOUTH, England – The council backed the plan on Monday.',
    '',
    '“We waited a long time for this, and the city is ready,',
    '',
    '“and the piers will be built by spring,” the mayor said.',
    '',
    'The mayor — who spoke — said yes.',
  }, '\n'),
  ['initials-and-spaces'] = table.concat({
    'Trump rally draws crowd',
    '',
    'President Donald J. Trump spoke on Friday.\194\160 The crowd cheered.  Then it left - quietly.',
    '',
    '“It was loud,” said A. B. Smith. “Very loud.”',
  }, '\n'),
  ['crlf'] = table.concat({
    'Storm closes schools',
    '',
    'BOSTON (AP) — Schools closed on Tuesday.',
    '',
    '“Stay home,” the mayor said.',
    '',
  }, '\r\n'),
}

local function articles()
  local list = {}
  -- Not T.seed: reading that skips the whole test when the shared data is
  -- absent, and the fixtures below still have to agree.
  local seed = T.shared .. '/seeds/000_8262d85f5fa5c412.txt'
  if vim.fn.filereadable(seed) == 1 then
    list[#list + 1] = { name = 'the reference article', path = seed }
    for _, path in ipairs(vim.fn.glob(T.shared .. '/corpus/*.txt', false, true)) do
      list[#list + 1] = { name = 'corpus ' .. vim.fs.basename(path), path = path }
    end
  else
    io.stdout:write('# skip: shared data not found\n')
  end
  for _, path in ipairs(vim.fn.glob(T.root .. '/tests/fixtures/*', false, true)) do
    list[#list + 1] = { name = 'fixture ' .. vim.fs.basename(path), path = path }
  end
  local names = vim.tbl_keys(WRITTEN)
  table.sort(names)
  for _, name in ipairs(names) do
    list[#list + 1] = { name = 'written ' .. name, text = WRITTEN[name] }
  end
  return list
end

-- A copy of the article in the scratch directory, named so that Neovim
-- takes it for an article whatever it was called.
local function copy(article, index)
  local path = string.format('%s/%02d.article', scratch, index)
  local file = assert(io.open(path, 'wb'))
  if article.text then
    file:write(article.text)
  else
    local source = assert(io.open(article.path, 'rb'))
    file:write(source:read('*a'))
    source:close()
  end
  file:close()
  return path
end

-- Wait for a request through the plugin's transport.
local function request(buf, method, params)
  local done, err, result = false, nil, nil
  require('dateline.lsp').request(buf, method, params, function(e, r)
    done, err, result = true, e, r
  end)
  T.wait_for(function()
    return done
  end, 10000, method)
  T.eq(err, nil, method .. ' error')
  return result
end

-- What every front end must agree on, from the CLI's model.
local function facts_of_model(model)
  local facts = { words = model.stats.words, paragraphs = {}, quotations = {} }
  for _, block in ipairs(model.blocks) do
    if block.kind == 'paragraph' then
      facts.paragraphs[#facts.paragraphs + 1] = { number = block.paragraph, words = block.words,
        line = block.range.lines[1] }
    end
  end
  for _, quotation in ipairs(model.quotations) do
    facts.quotations[#facts.quotations + 1] = { speaker = quotation.speaker or false,
      line = quotation.range.lines[1] }
  end
  facts.quotation_count = model.stats.quotations
  facts.paragraph_count = model.stats.paragraphs
  return facts
end

-- The same facts from the outline's items and the status line.
local function facts_of_neovim(buf)
  local items, source = require('dateline.outline_data').items(buf)
  T.eq(source, 'model', 'the outline shows the model')
  local counts = require('dateline.status').get(buf)
  local facts = { words = counts.words, paragraphs = {}, quotations = {} }
  for _, item in ipairs(items) do
    if item.kind == 'paragraph' then
      facts.paragraphs[#facts.paragraphs + 1] = { number = item.number, words = item.words, line = item.row }
    elseif item.kind == 'quotation' then
      facts.quotations[#facts.quotations + 1] = { speaker = item.speaker or false, line = item.row }
    end
  end
  facts.quotation_count = counts.quotations
  facts.paragraph_count = counts.paragraphs
  return facts
end

-- Paragraph numbers and speakers from the server's document symbols: a
-- paragraph is named "¶ n ...", its quotations are its children with the
-- speaker as their detail.
local function facts_of_symbols(symbols)
  local facts = { paragraphs = {}, quotations = {} }
  local function walk(list)
    for _, symbol in ipairs(list or {}) do
      local number = symbol.name:match('^¶ (%d+)')
      if number then
        facts.paragraphs[#facts.paragraphs + 1] = { number = tonumber(number), line = symbol.range.start.line }
      end
      if symbol.name:find('^[“"]') then
        facts.quotations[#facts.quotations + 1] = { speaker = symbol.detail or false,
          line = symbol.range.start.line }
      end
      walk(symbol.children)
    end
  end
  walk(symbols)
  return facts
end

for index, article in ipairs(articles()) do
  T.test(article.name .. ': the CLI, the server, the outline and the status line agree', function()
    local path = copy(article, index)
    local cli = H.cli_model(path)
    local buf = H.edit(path)
    vim.bo[buf].filetype = 'article'
    local model = H.wait_for_model(buf)
    local expected = facts_of_model(cli)

    local served = request(buf, 'dateline/article', { textDocument = { uri = vim.uri_from_bufnr(buf) } })
    T.eq(served, cli, 'dateline/article answers what dateline outline --json prints')
    T.eq(model, cli, "the plugin's cached model")

    T.eq(facts_of_neovim(buf), expected, 'the outline and the status line')

    local symbols = request(buf, 'textDocument/documentSymbol',
      { textDocument = { uri = vim.uri_from_bufnr(buf) } })
    T.eq(facts_of_symbols(symbols), {
      paragraphs = vim.tbl_map(function(paragraph)
        return { number = paragraph.number, line = paragraph.line }
      end, expected.paragraphs),
      quotations = expected.quotations,
    }, 'document symbols')
  end)
end

T.test("the history browser and blame show the core's words and blocks", function()
  R.setup()
  local dir = R.repo()
  local lines = vim.fn.readfile(T.root .. '/tests/fixtures/demo.article')
  local buf, path = R.edit(dir, lines)
  R.write(buf, lines)
  local cli = H.cli_model(path)

  local history_buf
  require('dateline.history').open(buf, function(opened)
    history_buf = opened
  end)
  T.wait_for(function()
    return history_buf ~= nil
  end, 5000, 'the history browser')
  local shown = vim.api.nvim_buf_get_lines(history_buf, 0, -1, false)
  T.matches(shown[1], ' → ' .. cli.stats.words .. ' words$', 'the summary ends with the words of the latest version')
  T.matches(shown[require('dateline.history').HEADER_LINES + 1], ' ' .. cli.stats.words .. ' words', 'its row')

  local blamed = R.execute(buf, 'dateline.blame', {}).blocks
  T.eq(vim.tbl_map(function(block)
    return { kind = block.kind, lines = block.range.lines }
  end, blamed), vim.tbl_map(function(block)
    return { kind = block.kind, lines = block.range.lines }
  end, cli.blocks), 'blame covers the blocks of the model')
end)
