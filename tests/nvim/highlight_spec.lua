-- Highlighting: captures at known places, the highlight groups, spelling.
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)
local highlights = require('dateline.highlights')

local function has(list, value)
  return vim.tbl_contains(list, value)
end

T.test('the headline, dateline, quotation, speaker and verb of the reference article', function()
  local buf = H.edit_seed()
  local checks = {
    { 'headline', { 0, 0 }, 'DatelineHeadline' },
    { 'dateline', H.find(buf, 'OLYMPIA'), 'DatelineDateline' },
    { 'quotation', H.find(buf, 'When Twitter announced'), 'DatelineQuotation' },
    { '“the company” after a quotation', H.find(buf, 'the company said', 1), 'DatelineSpeaker' },
    { '“said” after a quotation', H.find(buf, 'said. “The exodus'), 'DatelineVerb' },
  }
  for _, check in ipairs(checks) do
    local groups = H.groups_at(buf, check[2])
    T.truthy(has(groups, check[3]), string.format('%s shows as %s (groups there: %s)', check[1], check[3],
      table.concat(groups, ', ')))
  end
end)

T.test('prose is spell-checked, URLs, handles and e-mail addresses are not', function()
  local buf = H.edit_lines({
    'Headline',
    '',
    'WASHINGTON – See https://exampel.org/qwzx and write to qwzx@exampel.org or @qwzxhandle now.',
  })
  for _, text in ipairs({ 'https://', 'qwzx@', '@qwzxhandle' }) do
    local captures = H.captures_at(buf, H.find(buf, text))
    T.truthy(has(captures, 'nospell'), text .. ' is @nospell (captures: ' .. table.concat(captures, ', ') .. ')')
  end
  T.truthy(has(H.captures_at(buf, H.find(buf, 'See')), 'spell'), 'prose is @spell')
end)

T.test(']s skips misspellings inside a URL and stops on misspelt prose', function()
  local buf = H.edit_lines({ 'Headline', '', 'WASHINGTON – See https://exampel.org/qwzx and then wrngword.' })
  vim.wo.spell = true
  vim.bo[buf].spelllang = 'en'
  H.cursor({ 2, 0 })
  vim.cmd('normal! ]s')
  T.eq(H.get_cursor(), H.find(buf, 'wrngword'), 'cursor after ]s')
end)

local function resolved(group)
  local seen = {}
  local hl = vim.api.nvim_get_hl(0, { name = group })
  while hl.link and not seen[hl.link] do
    seen[hl.link] = true
    hl = vim.api.nvim_get_hl(0, { name = hl.link })
  end
  return hl
end

T.test('every Dateline group links to a standard group', function()
  H.edit_seed()
  for name, target in pairs(highlights.groups) do
    local hl = vim.api.nvim_get_hl(0, { name = name })
    if highlights.cterm_fallbacks[name] and not hl.link then
      -- The standard group had no terminal colour: its look plus one.
      local standard = vim.api.nvim_get_hl(0, { name = target, link = false })
      T.eq(standard.ctermfg, nil, name .. ' is a copy only when ' .. target .. ' has no terminal colour')
      T.eq(hl.fg, standard.fg, name .. ' keeps the true colour of ' .. target)
      T.eq(hl.ctermfg, highlights.cterm_fallbacks[name], name .. ' terminal colour')
    else
      T.eq(hl.link, target, name .. ' links to')
    end
    T.eq(hl.default, true, name .. ' is a default definition')
    T.eq(target:find('^Dateline'), nil, name .. ' target is not another Dateline group')
    T.eq(vim.fn.hlexists(target), 1, name .. ' target exists')
  end
end)

T.test('every highlights.scm capture shows through a Dateline group', function()
  H.edit_seed()
  local query = require('dateline.parser').query('highlights')
  T.truthy(query, 'highlights.scm loads')
  for _, capture in ipairs(query.captures) do
    local group = highlights.group_for(capture)
    if group then
      local hl = vim.api.nvim_get_hl(0, { name = '@' .. capture .. '.article' })
      T.eq(hl.link, group, '@' .. capture .. '.article links to')
      T.matches(group, '^Dateline', 'group of @' .. capture)
      local target = vim.api.nvim_get_hl(0, { name = group }).link
      T.truthy(highlights.cterm_fallbacks[group] or (target and not target:find('^Dateline')),
        group .. ' links to a standard group')
    end
  end
end)

T.test('the main constructs look distinct in the default colorscheme', function()
  vim.cmd('colorscheme default')
  H.edit_seed()
  local sets = {
    { 'DatelineHeadline', 'DatelineDateline', 'DatelineByline', 'DatelineQuotation', 'DatelineSpeaker',
      'DatelineEditorNote' },
    { 'DatelineQuotation', 'DatelineSpeaker', 'DatelineVerb' },
    { 'DatelineHeadline', 'DatelineDek', 'DatelineSubhead' },
    { 'DatelineAddition', 'DatelineDeletion', 'DatelineSubstitution', 'DatelineHighlight', 'DatelineComment' },
  }
  for _, set in ipairs(sets) do
    for i = 1, #set do
      for j = i + 1, #set do
        T.truthy(not vim.deep_equal(resolved(set[i]), resolved(set[j])), set[i] .. ' differs from ' .. set[j])
      end
    end
  end
end)

T.test('the byline, timestamps and numbers have a colour in 16 and 256 colours', function()
  local saved = vim.o.termguicolors
  T.on_cleanup(function()
    vim.o.termguicolors = saved
    vim.cmd('colorscheme default')
  end)
  vim.o.termguicolors = false
  vim.cmd('colorscheme default')
  H.edit_seed()
  local normal = resolved('Normal')
  for _, group in ipairs({ 'DatelineByline', 'DatelineTimestamp', 'DatelineNumber', 'DatelineHeadline',
    'DatelineDek', 'DatelineSubhead' }) do
    local hl = resolved(group)
    local cterm = hl.cterm or {}
    T.truthy((hl.ctermfg and hl.ctermfg ~= normal.ctermfg) or cterm.bold or cterm.italic,
      group .. ' looks different from body text in a terminal: ' .. vim.inspect(hl))
  end
  T.truthy(not vim.deep_equal(resolved('DatelineByline'), resolved('DatelineBylineName')), 'the byline\'s names stand out')
end)

T.test('a user override set before dateline defines its groups survives', function()
  local code, output = H.child({
    '--cmd', 'lua vim.api.nvim_set_hl(0, "DatelineQuotation", { fg = "#ff0000" })',
    '--cmd', 'set runtimepath^=' .. H.plugin,
    '-c', 'edit ' .. T.seed,
    '-c', 'lua io.stdout:write(vim.bo.filetype, " ", vim.inspect(vim.api.nvim_get_hl(0, { name = "DatelineQuotation" })))',
    '-c', 'qa!',
  }, { plugin = false })
  T.eq(code, 0, 'child exit code')
  T.matches(output, '^article ', 'the child attached')
  T.matches(output, 'fg = 16711680', 'the override')
end)

T.test('the groups come back after :colorscheme', function()
  H.edit_seed()
  vim.cmd('colorscheme default')
  T.eq(vim.api.nvim_get_hl(0, { name = 'DatelineHeadline' }).link, 'Title', 'DatelineHeadline after :colorscheme')
end)
