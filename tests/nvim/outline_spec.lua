-- The outline: its items (with the core's numbers and speakers, through the
-- server), the side window, :Dateline jump, and what it says without a server.
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)

local function kinds(items)
  local counts = {}
  for _, item in ipairs(items) do
    counts[item.kind] = (counts[item.kind] or 0) + 1
  end
  return counts
end

local function of_kind(items, kind)
  return vim.tbl_filter(function(item)
    return item.kind == kind
  end, items)
end

-- The items once the core's model of the buffer's text is in.
local function model_items(buf)
  H.wait_for_model(buf)
  local items, source = require('dateline.outline').items(buf)
  T.eq(source, 'model', 'the items come from the model')
  return items
end

T.test('the reference article outlines as headline, dateline, 7 paragraphs, 5 quotations', function()
  local buf = H.edit_seed()
  local items = model_items(buf)
  local counts = kinds(items)
  T.eq(counts.headline, 1, 'headlines')
  T.eq(counts.dateline, 1, 'datelines')
  T.eq(counts.paragraph, 7, 'paragraphs')
  T.eq(counts.quotation, 5, 'quotations')
  T.matches(items[1].text, '^Parler sues Amazon', 'headline text')
  T.eq(items[2].kind, 'dateline', 'the dateline comes second')
  T.matches(items[2].text, '^OLYMPIA, WA', 'dateline text')
  T.eq(items[3].kind, 'paragraph', 'then the first paragraph')
  T.matches(items[3].text, '^Parler, the', 'the first paragraph starts after the dateline')
end)

T.test('quotations sit under their paragraph, the attributed ones with their speaker', function()
  local buf = H.edit_seed()
  local items = model_items(buf)
  local quotations = of_kind(items, 'quotation')
  local attributed = vim.tbl_filter(function(item)
    return item.speaker ~= nil
  end, quotations)
  T.eq(#attributed, 3, 'attributed quotations')
  for _, item in ipairs(attributed) do
    T.eq(item.speaker, 'the company', 'speaker of ' .. item.text)
    T.eq(item.level, 1, 'level of ' .. item.text)
  end
  T.matches(attributed[1].text, 'When Twitter announced', 'first attributed quotation')
  T.matches(attributed[2].text, 'The exodus', 'the second quotation keeps the speaker')
  local free_speech = quotations[1]
  T.matches(free_speech.text, 'free speech', 'the scare quote')
  T.eq(free_speech.speaker, nil, 'a scare quote has no speaker')
end)

T.test('an added paragraph shows in the outline', function()
  local buf = H.edit_seed()
  vim.api.nvim_buf_set_lines(buf, 6, 6, false, { 'A new paragraph about the lawsuit.', '' })
  local items = model_items(buf)
  T.eq(kinds(items).paragraph, 8, 'paragraphs after the edit')
  local numbers = vim.tbl_map(function(item)
    return item.number
  end, of_kind(items, 'paragraph'))
  T.eq(numbers, { 1, 2, 3, 4, 5, 6, 7, 8 }, 'paragraph numbers')
  T.matches(of_kind(items, 'paragraph')[3].text, '^A new paragraph', 'the new paragraph is the third')
end)

T.test(':Dateline outline opens a side window that lists the items', function()
  local buf = H.edit_seed()
  local article_win = vim.api.nvim_get_current_win()
  vim.cmd('Dateline outline')
  local outline = require('dateline.outline')
  local win = T.truthy(outline.window(), 'outline window')
  T.eq(vim.api.nvim_get_current_win(), article_win, 'focus stays in the article')
  T.wait_for(function()
    return vim.wo[win].statusline:find('331 words') ~= nil
  end, 10000, "the core's counts above the outline, not " .. vim.wo[win].statusline)
  T.eq(vim.wo[win].statusline, ' Outline · 331 words · 7 ¶ · 5 quotes', 'the summary')
  local lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false)
  T.eq(#lines, #model_items(buf), 'one line per item')
  T.matches(lines[1], '^Parler sues Amazon', 'headline line')
  T.matches(lines[3], '^¶1 Parler', 'first paragraph line')
  local speaker_lines = vim.tbl_filter(function(line)
    return line:find('^  the company: ') ~= nil
  end, lines)
  T.eq(#speaker_lines, 3, 'indented lines with the speaker')
  vim.cmd('Dateline outline')
  T.eq(outline.window(), nil, 'the second :Dateline outline closes it')
end)

T.test('the outline follows the cursor and <CR> jumps', function()
  local buf = H.edit_seed()
  vim.cmd('Dateline outline')
  local outline = require('dateline.outline')
  local win = outline.window()
  local items = model_items(buf)
  local exodus = H.find(buf, 'The exodus')
  H.cursor(exodus)
  vim.api.nvim_exec_autocmds('CursorMoved', { buffer = buf })
  local line = vim.api.nvim_win_get_cursor(win)[1]
  T.eq(outline.current_line(), line, 'the highlighted line is where the outline cursor is')
  T.eq(items[line].kind, 'quotation', 'current item kind')
  T.matches(items[line].text, 'The exodus', 'current item')

  -- Jump from the outline to the headline.
  vim.api.nvim_set_current_win(win)
  vim.api.nvim_win_set_cursor(win, { 1, 0 })
  H.feed('<CR>')
  T.eq(vim.api.nvim_get_current_buf(), buf, 'back in the article')
  T.eq(H.get_cursor(), { 0, 0 }, 'cursor on the headline')
end)

-- Leave the outline before the harness cleans up (its :only keeps the
-- current window).
local function leave_outline_after_test(outline_win)
  T.on_cleanup(function()
    for _, win in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
      if win ~= outline_win then
        vim.api.nvim_set_current_win(win)
        return
      end
    end
  end)
end

-- Edit the seed with the outline open, then show another buffer with
-- unsaved text in the article's window; returns the article buffer, the
-- outline's window and the article's former window.
local function article_hidden_by_another_buffer()
  local buf = H.edit(T.root .. '/tests/fixtures/demo.article')
  vim.cmd('Dateline outline')
  local outline_win = require('dateline.outline').window()
  leave_outline_after_test(outline_win)
  local article_win = vim.fn.bufwinid(buf)
  vim.api.nvim_set_current_win(article_win)
  vim.cmd('enew')
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { 'a scratch note, not saved' })
  return buf, outline_win, article_win
end

local function jump_to_headline(outline_win)
  vim.api.nvim_set_current_win(outline_win)
  vim.api.nvim_win_set_cursor(outline_win, { 1, 0 })
  H.feed('<CR>')
end

T.test('<CR> in the outline shows the article again in the window another buffer took', function()
  local buf, outline_win, article_win = article_hidden_by_another_buffer()
  local scratch = vim.api.nvim_win_get_buf(article_win)
  jump_to_headline(outline_win)
  T.eq(vim.api.nvim_get_current_win(), article_win, 'in the window the article was last seen in')
  T.eq(vim.api.nvim_get_current_buf(), buf, 'showing the article')
  T.eq(H.get_cursor(), { 0, 0 }, 'on the headline')
  T.eq(vim.bo[scratch].modified, true, 'the other buffer is hidden, its text kept')
end)

T.test('<CR> in the outline opens a split when the other buffer cannot be hidden', function()
  local saved = vim.o.hidden
  T.on_cleanup(function()
    vim.o.hidden = saved
  end)
  vim.o.hidden = false
  local buf, outline_win, article_win = article_hidden_by_another_buffer()
  local scratch = vim.api.nvim_win_get_buf(article_win)
  jump_to_headline(outline_win)
  T.eq(vim.api.nvim_get_current_buf(), buf, 'in the article')
  T.eq(H.get_cursor(), { 0, 0 }, 'on the headline')
  T.eq(vim.api.nvim_win_get_buf(article_win), scratch, 'the unsaved buffer keeps its window')
  T.eq(#vim.api.nvim_tabpage_list_wins(0), 3, 'the article in a split beside it, the outline still open')
end)

T.test('<CR> in the outline says why when the article is gone', function()
  local buf = H.edit(T.root .. '/tests/fixtures/demo.article')
  vim.cmd('Dateline outline')
  local outline_win = require('dateline.outline').window()
  leave_outline_after_test(outline_win)
  local messages = {}
  local original = vim.notify
  T.on_cleanup(function()
    vim.notify = original
  end)
  vim.notify = function(message, level)
    messages[#messages + 1] = { message = message, level = level }
  end
  vim.api.nvim_set_current_win(vim.fn.bufwinid(buf))
  vim.cmd('enew')
  vim.cmd('bwipeout! ' .. buf)
  vim.api.nvim_set_current_win(outline_win)
  vim.api.nvim_win_set_cursor(outline_win, { 1, 0 })
  H.feed('<CR>')
  T.eq(#messages, 1, 'one message')
  T.matches(messages[1].message, 'no longer open', 'it says why')
  T.eq(vim.api.nvim_get_current_win(), outline_win, 'still in the outline')
end)

T.test('the outline updates while the user types', function()
  local buf = H.edit_seed()
  H.setup({ outline = { debounce_ms = 20 } })
  vim.cmd('Dateline outline')
  local outline_buf = vim.api.nvim_win_get_buf(require('dateline.outline').window())
  model_items(buf)
  T.wait_for(function()
    return vim.api.nvim_buf_get_lines(outline_buf, 2, 3, false)[1]:find('^¶1') ~= nil
  end, 2000, 'the numbered outline')
  local before = vim.api.nvim_buf_line_count(outline_buf)
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '', 'A closing paragraph.' })
  vim.api.nvim_exec_autocmds('TextChanged', { buffer = buf })
  T.wait_for(function()
    return vim.api.nvim_buf_line_count(outline_buf) == before + 1
  end, 5000, 'the outline to gain a line')
  T.matches(vim.api.nvim_buf_get_lines(outline_buf, -2, -1, false)[1], '^¶8 A closing', 'new last line')
end)

T.test(':Dateline jump offers the items through vim.ui.select', function()
  local buf = H.edit_seed()
  local offered
  local select = vim.ui.select
  T.on_cleanup(function()
    vim.ui.select = select
  end)
  vim.ui.select = function(items, opts, on_choice)
    offered = vim.tbl_map(opts.format_item, items)
    on_choice(items[#items])
  end
  local items = model_items(buf)
  vim.cmd('Dateline jump')
  T.eq(#offered, #items, 'items offered')
  T.matches(offered[1], '^Parler sues Amazon', 'first offered item')
  T.eq(H.get_cursor(), { 14, 0 }, 'cursor on the last paragraph')
end)

T.test('without a server the outline opens and says counts and speakers are unavailable', function()
  H.setup({ cmd = false })
  local buf = H.edit_seed()
  vim.cmd('Dateline outline')
  local outline = require('dateline.outline')
  local win = T.truthy(outline.window(), 'outline window')
  T.matches(vim.wo[win].statusline, 'counts and speakers unavailable', 'the summary says why')
  local items, source = outline.items(buf)
  T.eq(source, 'unavailable', 'where the items come from')
  local counts = kinds(items)
  T.eq({ counts.headline, counts.dateline, counts.paragraph, counts.quotation }, { 1, 1, 7, 5 },
    'the places of headline, dateline, paragraphs and quotations')
  for _, item in ipairs(items) do
    T.eq({ item.number, item.words, item.speaker }, {}, 'no number, count or speaker on ' .. item.kind)
  end
  local lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false)
  T.matches(lines[3], '^¶ Parler', 'a paragraph without a number')
  T.eq(require('dateline').status(buf), '', 'no counts in the statusline')
end)

-- The demo article with the outline open once the core's model is in;
-- returns the article buffer, the outline and its window and buffer.
local function demo_outline(view)
  local buf = H.edit(T.root .. '/tests/fixtures/demo.article')
  H.wait_for_model(buf)
  vim.cmd(view == 'speakers' and 'Dateline speakers' or 'Dateline outline')
  local outline = require('dateline.outline')
  local win = T.truthy(outline.window(), 'outline window')
  leave_outline_after_test(win)
  return buf, outline, win, vim.api.nvim_win_get_buf(win)
end

local function outline_lines(outline_buf)
  return vim.api.nvim_buf_get_lines(outline_buf, 0, -1, false)
end

local function line_matching(outline_buf, pattern)
  for index, line in ipairs(outline_lines(outline_buf)) do
    if line:find(pattern) then
      return index
    end
  end
end

T.test('? shows which outline keys do what and hides it again; the winbar says so', function()
  local _, _, win, outline_buf = demo_outline()
  T.matches(vim.wo[win].winbar, '%?.*help', 'the winbar points at ?')
  local before = outline_lines(outline_buf)
  vim.api.nvim_set_current_win(win)
  H.feed('?')
  local help = outline_lines(outline_buf)
  T.matches(help[1], '^<CR>%s+jump', 'the first help line')
  T.truthy(line_matching(outline_buf, '^za <Tab>%s+fold'), 'folding is explained')
  T.truthy(line_matching(outline_buf, '^s%s+speakers'), 'the speakers view is explained')
  T.eq(vim.list_slice(help, #help - #before + 1), before, 'the items follow the help')
  H.feed('?')
  T.eq(outline_lines(outline_buf), before, 'the help is gone')
end)

T.test('za folds the quotations under their paragraph, <Tab> and zo unfold, zM and zR fold all', function()
  local _, _, win, outline_buf = demo_outline()
  local paragraph = T.truthy(line_matching(outline_buf, '^¶3 '), '¶3 in the outline')
  local lines = outline_lines(outline_buf)
  T.matches(lines[paragraph + 1], '^  Hardesty: We are paying', 'its first quotation under it')
  vim.api.nvim_set_current_win(win)
  -- On the quotation: za folds the paragraph it sits under.
  vim.api.nvim_win_set_cursor(win, { paragraph + 1, 0 })
  H.feed('za')
  local folded = outline_lines(outline_buf)
  T.eq(#folded, #lines - 2, 'two quotations hidden')
  T.matches(folded[paragraph], '^▸2 ¶3 Council member', 'the paragraph says how many are hidden')
  T.eq(vim.api.nvim_win_get_cursor(win)[1], paragraph, 'the cursor on the folded paragraph')
  H.feed('<Tab>')
  T.eq(outline_lines(outline_buf), lines, '<Tab> unfolds')
  H.feed('zc')
  H.feed('zo')
  T.eq(outline_lines(outline_buf), lines, 'zc then zo')
  H.feed('zM')
  T.eq(line_matching(outline_buf, '^  '), nil, 'zM: nothing nested is shown')
  T.truthy(line_matching(outline_buf, '^▸2 ¶6'), 'zM: ¶6 folded with its two quotations')
  H.feed('zR')
  T.eq(outline_lines(outline_buf), lines, 'zR: everything again')
end)

T.test('moving in the outline shows the item in the article, the focus staying in the outline', function()
  local buf, _, win, outline_buf = demo_outline()
  local article_win = vim.fn.bufwinid(buf)
  local line = T.truthy(line_matching(outline_buf, '^  Hardesty: I rode'), 'the quotation in the outline')
  vim.api.nvim_set_current_win(win)
  vim.api.nvim_win_set_cursor(win, { line, 0 })
  vim.api.nvim_exec_autocmds('CursorMoved', { buffer = outline_buf })
  T.eq(vim.api.nvim_get_current_win(), win, 'still in the outline')
  local cursor = vim.api.nvim_win_get_cursor(article_win)
  T.eq({ cursor[1] - 1, cursor[2] }, H.find(buf, '“I rode'), "the article's cursor on the quotation")
  local namespace = vim.api.nvim_get_namespaces()['dateline.outline.preview']
  local marks = vim.api.nvim_buf_get_extmarks(buf, namespace, 0, -1, { details = true })
  T.eq(#marks, 1, 'one item highlighted')
  T.eq({ marks[1][2], marks[1][3], marks[1][4].hl_group }, { H.find(buf, '“I rode')[1], H.find(buf, '“I rode')[2],
    'DatelineOutlinePreview' }, 'the highlight starts at the quotation')
  vim.api.nvim_set_current_win(article_win)
  T.eq(#vim.api.nvim_buf_get_extmarks(buf, namespace, 0, -1, {}), 0, 'leaving the outline drops the highlight')
end)

T.test(':Dateline speakers lists who is quoted, how often and where; s goes back to the outline', function()
  local buf, outline, win, outline_buf = demo_outline('speakers')
  T.eq(outline.view(), 'speakers', 'the speakers view')
  T.matches(vim.wo[win].statusline, '^ Speakers', 'the status line says which view')
  local lines = outline_lines(outline_buf)
  T.eq(lines[1], 'Mayor Alicia Fernández  1 quote · ¶2', 'the first speaker quoted')
  local ortega = T.truthy(line_matching(outline_buf, '^Luis Ortega'), 'Luis Ortega listed')
  T.eq(lines[ortega], 'Luis Ortega  2 quotes · ¶6 7', 'his quotation over two paragraphs counts once')
  T.matches(lines[ortega + 1], '^  Luis Ortega: I work two jobs', 'his quotations under him')
  T.matches(lines[#lines - 1], '^%(credited to nobody%)  1 quote · ¶1', 'the quotations credited to nobody')
  -- The figures are the core's.
  local model = H.cli_model(T.root .. '/tests/fixtures/demo.article')
  T.eq(#vim.tbl_filter(function(line)
    return not line:find('^  ')
  end, lines), #model.speakers, 'one line per speaker of outline --json')
  vim.api.nvim_set_current_win(win)
  vim.api.nvim_win_set_cursor(win, { ortega + 2, 0 })
  H.feed('<CR>')
  T.eq(vim.api.nvim_get_current_buf(), buf, 'in the article')
  T.eq(H.get_cursor(), H.find(buf, '“When they said'), 'on the quotation picked')
  vim.api.nvim_set_current_win(win)
  H.feed('s')
  T.eq(outline.view(), 'outline', 's: the outline again')
  T.matches(outline_lines(outline_buf)[1], '^City council backs', 'the headline first')
end)

T.test('<CR> on an item the article lost says so; on one an edit moved, it goes where it went', function()
  local buf, _, win, outline_buf = demo_outline()
  local messages = {}
  local original = vim.notify
  T.on_cleanup(function()
    vim.notify = original
  end)
  vim.notify = function(message, level)
    messages[#messages + 1] = { message = message, level = level }
  end
  local line = T.truthy(line_matching(outline_buf, '^¶5 Transit director'), '¶5 in the outline')
  -- Two lines above it: the outline is not redrawn before the jump.
  vim.api.nvim_buf_set_lines(buf, 0, 0, false, { 'Kicker', '' })
  vim.api.nvim_set_current_win(win)
  vim.api.nvim_win_set_cursor(win, { line, 0 })
  H.feed('<CR>')
  T.eq(#messages, 0, 'no message for an item that moved')
  T.eq(H.get_cursor(), H.find(buf, 'Transit director Dana'), 'on the paragraph where it is now')
  -- Now delete the paragraph.
  local row = H.find(buf, 'Transit director Dana')[1]
  vim.api.nvim_buf_set_lines(buf, row, row + 2, false, {})
  vim.api.nvim_set_current_win(win)
  vim.api.nvim_win_set_cursor(win, { line, 0 })
  local cursor = vim.api.nvim_win_get_cursor(vim.fn.bufwinid(buf))
  H.feed('<CR>')
  T.eq(#messages, 1, 'one message')
  T.matches(messages[1].message, '¶5 Transit director.*no longer in the article', 'it names the item and says why')
  T.eq(vim.api.nvim_get_current_win(), win, 'still in the outline')
  T.eq(vim.api.nvim_win_get_cursor(vim.fn.bufwinid(buf)), cursor, 'the article did not move')
end)

T.test(':Dateline completes its subcommands', function()
  local names = vim.tbl_keys(require('dateline.commands').subcommands)
  table.sort(names)
  T.eq(vim.fn.getcompletion('Dateline ', 'cmdline'), names, 'subcommands')
  T.truthy(vim.tbl_contains(names, 'outline') and vim.tbl_contains(names, 'jump'), 'outline and jump listed')
  T.eq(vim.fn.getcompletion('Dateline ou', 'cmdline'), { 'outline' }, 'prefix')
  T.eq(vim.fn.getcompletion('Dateline outline ', 'cmdline'), { 'close', 'open', 'toggle' }, 'outline arguments')
end)
