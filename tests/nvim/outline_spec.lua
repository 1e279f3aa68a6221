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

T.test(':Dateline completes its subcommands', function()
  local names = vim.tbl_keys(require('dateline.commands').subcommands)
  table.sort(names)
  T.eq(vim.fn.getcompletion('Dateline ', 'cmdline'), names, 'subcommands')
  T.truthy(vim.tbl_contains(names, 'outline') and vim.tbl_contains(names, 'jump'), 'outline and jump listed')
  T.eq(vim.fn.getcompletion('Dateline ou', 'cmdline'), { 'outline' }, 'prefix')
  T.eq(vim.fn.getcompletion('Dateline outline ', 'cmdline'), { 'close', 'open', 'toggle' }, 'outline arguments')
end)
