-- Loading, setup() and its validation, folding, status().
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)

local function loaded_modules_after(args)
  local code, output = H.child(vim.list_extend(args, {
    '-c', [[lua local names = {}
      for name in pairs(package.loaded) do
        if name:find('^dateline') then names[#names + 1] = name end
      end
      table.sort(names)
      io.stdout:write('modules:', table.concat(names, ','), '\n')]],
    '-c', 'qa!',
  }))
  T.eq(code, 0, 'child exit code: ' .. output)
  return output:match('modules:([^\n]*)')
end

T.test('starting Neovim loads no dateline module', function()
  T.eq(loaded_modules_after({}), '', 'modules loaded at startup')
end)

T.test('opening an ordinary .txt file loads only the filetype check', function()
  local path = T.tempdir() .. '/notes.txt'
  vim.fn.writefile({ 'Notes', '', 'buy milk' }, path)
  T.eq(loaded_modules_after({ path }), 'dateline.cli,dateline.filetype', 'modules loaded')
end)

T.test('Neovim older than 0.9 gets one clear message and no command', function()
  local code, output = H.child({
    '--cmd', [[lua local has = vim.fn.has
      vim.fn.has = function(feature) return feature == 'nvim-0.9' and 0 or has(feature) end]],
    '--cmd', 'set runtimepath^=' .. H.plugin,
    '-c', [[lua io.stdout:write('command:', vim.fn.exists(':Dateline'),
      '\nmessages:', (vim.fn.execute('messages'):gsub('\n', ' ')), '\n')]],
    '-c', 'qa!',
  }, { plugin = false })
  T.eq(code, 0, 'child exit code: ' .. output)
  T.matches(output, 'command:0', 'no :Dateline')
  T.matches(output, 'dateline: Neovim 0%.9 or newer is required', 'the message')
  T.eq(output:find('stack traceback'), nil, 'no stack trace')
  local messages = output:match('messages:([^\n]*)')
  T.eq(select(2, messages:gsub('dateline:', '')), 1, 'one message in :messages')
end)

T.test('setup() rejects bad options with a message naming them', function()
  local dateline = require('dateline')
  local messages = {}
  local original = vim.notify
  T.on_cleanup(function()
    vim.notify = original
  end)
  vim.notify = function(message, level)
    messages[#messages + 1] = { message = message, level = level }
  end
  local cases = {
    { { fold = 'yes' }, 'fold' },
    { { outline = { position = 'top' } }, "outline.position: expected 'left' or 'right'" },
    { { outline = { width = 'wide' } }, 'outline.width' },
    { { status = { words_per_minute = 0 } }, 'status.words_per_minute' },
    { { mappings = { next_quote = ']q' } }, 'unknown option "mappings.next_quote"' },
    { { mappings = { next_quotation = 3 } }, 'mappings.next_quotation must be a key sequence or false' },
    { { colour = true }, 'unknown option "colour"' },
  }
  for _, case in ipairs(cases) do
    messages = {}
    T.eq(dateline.setup(case[1]), false, vim.inspect(case[1]) .. ' is rejected')
    T.eq(#messages, 1, 'one message for ' .. vim.inspect(case[1]))
    T.eq(messages[1].level, vim.log.levels.ERROR, 'an error message')
    T.matches(messages[1].message, '^dateline%.setup: ', 'message prefix')
    T.truthy(messages[1].message:find(case[2], 1, true),
      string.format('message %q names %q', messages[1].message, case[2]))
  end
  T.eq(require('dateline.config').get().fold, false, 'the options in effect are unchanged')
end)

T.test('setup() with several unknown keys names them all in one message, without a stack trace', function()
  local code, output = H.child({
    '--cmd', 'set runtimepath^=' .. H.plugin,
    '-c', [[lua require('dateline').setup({ foo = 1, mapings = {}, outline = { widht = 30 } })]],
    '-c', [[lua io.stdout:write('messages:', (vim.fn.execute('messages'):gsub('\n', ' ')), '\n')]],
    '-c', 'qa!',
  }, { plugin = false })
  T.eq(code, 0, 'child exit code: ' .. output)
  local messages = output:match('messages:([^\n]*)')
  T.truthy(messages, 'the messages: ' .. output)
  T.eq(select(2, messages:gsub('dateline%.setup:', '')), 1, 'one message: ' .. messages)
  T.matches(messages, '"foo"', 'names foo')
  T.matches(messages, '"mapings" %(did you mean "mappings"%?%)', 'names mapings, with the likely option')
  T.matches(messages, '"outline%.widht" %(did you mean "outline%.width"%?%)', 'names the nested key')
  T.eq(output:find('stack traceback'), nil, 'no stack trace')
  T.eq(output:find('E5113'), nil, 'no Lua error')
end)

T.test('article windows wrap prose at words with breakindent; each can be turned off', function()
  local buf = H.edit_lines({ 'Council approves budget', '', 'A long paragraph of prose.' }, 'wrap.article')
  local win = vim.fn.bufwinid(buf)
  T.eq(vim.wo[win].linebreak, true, 'linebreak')
  T.eq(vim.wo[win].breakindent, true, 'breakindent')
  vim.cmd('new')
  T.eq(vim.wo.linebreak, false, 'another buffer in a new window keeps the default')

  H.setup({ writing = { linebreak = false } })
  local other = H.edit_lines({ 'Council approves budget' }, 'nowrap.article')
  local other_win = vim.fn.bufwinid(other)
  T.eq(vim.wo[other_win].linebreak, false, 'linebreak turned off')
  T.eq(vim.wo[other_win].breakindent, true, 'breakindent still on')
  local messages = {}
  local original = vim.notify
  T.on_cleanup(function()
    vim.notify = original
  end)
  vim.notify = function(message)
    messages[#messages + 1] = message
  end
  T.eq(require('dateline').setup({ writing = { linebreak = 'yes' } }), false, 'a non-boolean is rejected')
  T.eq(messages, { 'dateline.setup: writing.linebreak: expected boolean, got string' }, 'the message')
end)

T.test('fold = true folds by structure, starting open', function()
  H.setup({ fold = true })
  local buf = H.edit(T.root .. '/tests/fixtures/demo.article')
  T.eq(vim.wo.foldmethod, 'expr', 'foldmethod')
  T.matches(vim.wo.foldexpr, 'treesitter%.foldexpr', 'foldexpr')
  local list_line = H.find(buf, '- the Route 4')[1] + 1
  T.eq(vim.fn.foldclosed(list_line), -1, 'folds start open')
  vim.cmd('normal! zM')
  T.truthy(vim.fn.foldclosed(list_line) ~= -1, 'zM closes the list and its section')
end)

T.test('folding is off by default and :Dateline fold turns it on', function()
  H.edit_seed()
  T.eq(vim.wo.foldmethod, 'manual', 'foldmethod by default')
  vim.cmd('Dateline fold')
  T.eq(vim.wo.foldmethod, 'expr', 'after :Dateline fold')
  vim.cmd('Dateline fold')
  T.eq(vim.wo.foldmethod, 'manual', 'after a second :Dateline fold')
end)

T.test("status() shows the core's words, paragraphs, quotations and reading time", function()
  local buf = H.edit_seed()
  local stats = H.cli_model(T.seed).stats
  T.eq(stats.words, 331, 'the CLI counts the reference article')
  H.wait_for_model(buf)
  T.eq(require('dateline').status(buf), string.format('%d words · %d ¶ · %d quotes · %d min', stats.words,
    stats.paragraphs, stats.quotations, math.ceil(stats.reading_seconds / 60)), 'status, as `dateline stats` counts')
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '', 'Two words.' })
  H.wait_for_model(buf)
  local status = require('dateline.status')
  T.eq(status.get(buf).words, stats.words + 2, 'words after an edit')
  T.eq(status.get(buf).paragraphs, 8, 'paragraphs after an edit')
end)

T.test('status() reads at the speed set in setup()', function()
  H.setup({ status = { words_per_minute = 100 } })
  local buf = H.edit_seed()
  H.wait_for_model(buf)
  T.eq(require('dateline.status').get(buf).minutes, 4, '331 words at 100 a minute')
end)

T.test('status() shows no counts without a server', function()
  H.setup({ cmd = false })
  local buf = H.edit_seed()
  T.eq(require('dateline').status(buf), '', 'status without a server')
end)

T.test('status() is empty outside articles', function()
  H.edit_lines({ 'plain' }, 'plain.md')
  T.eq(require('dateline').status(), '', 'status in a markdown buffer')
end)

T.test(':help dateline works and covers every command, option, mapping and group', function()
  local doc = T.tempdir() .. '/doc'
  vim.fn.mkdir(doc, 'p')
  vim.fn.writefile(vim.fn.readfile(H.plugin .. '/doc/dateline.txt'), doc .. '/dateline.txt')
  vim.cmd.helptags(vim.fn.fnameescape(doc))
  local text = table.concat(vim.fn.readfile(doc .. '/dateline.txt'), '\n')
  local tags = table.concat(vim.fn.readfile(doc .. '/tags'), '\n')
  for _, tag in ipairs({ 'dateline', 'dateline-commands', 'dateline-mappings', 'dateline-highlights',
    'dateline-config', 'dateline.setup()', 'dateline.status()' }) do
    T.truthy(tags:find('^' .. vim.pesc(tag) .. '\t') or tags:find('\n' .. vim.pesc(tag) .. '\t'), 'tag ' .. tag)
  end
  for name in pairs(require('dateline.commands').subcommands) do
    T.truthy(tags:find(':Dateline-' .. name .. '\t', 1, true), 'subcommand ' .. name)
  end
  for name in pairs(require('dateline.highlights').groups) do
    T.truthy(text:find('*' .. name .. '*', 1, true), 'highlight group ' .. name)
  end
  local defaults = require('dateline.config').defaults
  for name, lhs in pairs(defaults.mappings) do
    local shown = lhs and ("'" .. lhs .. "'") or 'false'
    T.truthy(text:find(name .. ' = ' .. shown, 1, true), 'mapping option ' .. name)
  end
  for _, section in ipairs({ 'outline', 'status' }) do
    for key in pairs(defaults[section]) do
      T.truthy(text:find(key .. ' = ', 1, true), 'option ' .. section .. '.' .. key)
    end
  end
end)

T.test('plugin.json lists the :Dateline subcommands', function()
  local manifest = vim.json.decode(table.concat(vim.fn.readfile(T.root .. '/plugin.json'), '\n'))
  local listed = vim.tbl_map(function(command)
    return command.name
  end, manifest.commands)
  table.sort(listed)
  local implemented = vim.tbl_keys(require('dateline.commands').subcommands)
  table.sort(implemented)
  T.eq(listed, implemented, 'subcommands')
end)
