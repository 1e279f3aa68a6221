-- The structural diff in the buffer (:Dateline diff): extmarks over the
-- current text for what a version did not have — added, moved and edited
-- paragraphs, inserted words — and virtual text for what it had and the
-- buffer lost: removed paragraphs (virtual lines), deleted words (inline),
-- the old words of a changed quotation. ]c / [c move between changes while
-- the view is on.
--
-- The server computes the diff (the `dateline.diff` command, the same JSON
-- as `dateline diff --json`); this module only places it.

local live = require('dateline.live')
local lsp = require('dateline.lsp')

local M = {}

M.ns = vim.api.nvim_create_namespace('dateline.diff')

local has_inline = vim.fn.has('nvim-0.10') == 1

-- buffer -> { rev, rev2, changes = rows (0-based, sorted), summary, diff,
-- old_content, width, asked (the latest request's number), stop_live }
local active = {}

-- Maps a position in index.text()'s string (1-based) to a row and column.
local function text_pos(index, text_start_row, text, at)
  local row, col = text_start_row, at - 1
  local from = 1
  while true do
    local newline = text:find('\n', from, true)
    if not newline or newline >= at then
      break
    end
    row = row + 1
    col = at - newline - 1
    from = newline + 1
  end
  return row, math.min(col, #(index.lines[row + 1] or ''))
end

-- Walk a word diff over the block's text in the buffer: equal and insert
-- ops consume the text, chunk by chunk (whitespace matches any whitespace,
-- words are found forward, which steps over what the word diff leaves out:
-- a dateline opening the paragraph, the blank line between split blocks).
-- Returns insertions { first, last } and deletions { at, text } as 1-based
-- positions in `text`.
function M.walk_words(text, ops)
  local inserts, deletes = {}, {}
  local pos = 1
  for _, op in ipairs(ops or {}) do
    if op.op == 'delete' then
      deletes[#deletes + 1] = { at = pos, text = op.text }
    else
      local first, last
      for space, word in op.text:gmatch('(%s*)(%S*)') do
        if space ~= '' then
          local after = text:find('%S', pos)
          if text:sub(pos, pos):match('%s') then
            pos = after or #text + 1
          end
        end
        if word ~= '' then
          local s, e = text:find(word, pos, true)
          if not s then
            return inserts, deletes, false
          end
          first = first or s
          last = e
          pos = e + 1
        end
      end
      if op.op == 'insert' and first then
        inserts[#inserts + 1] = { first = first, last = last }
      end
    end
  end
  return inserts, deletes, true
end

-- ------------------------------------------------------------ marking --

local function mark(buf, row, col, opts)
  local ok, id = pcall(vim.api.nvim_buf_set_extmark, buf, M.ns, row, col, opts)
  return ok and id or nil
end

local function sign_rows(buf, first_row, last_row, text, group)
  for row = first_row, last_row do
    mark(buf, row, 0, { sign_text = text, sign_hl_group = group, priority = 20 })
  end
end

local function one_line(text)
  return (text:gsub('\r?\n%s*\r?\n', ' ¶ '):gsub('%s+', ' '))
end

local function mark_words(buf, index, range, ops, changes)
  local text = index.text(range.bytes[1], range.bytes[2])
  local start_row = index.pos(range.bytes[1])
  local inserts, deletes = M.walk_words(text, ops)
  for _, insert in ipairs(inserts) do
    local row, col = text_pos(index, start_row, text, insert.first)
    local end_row, end_col = text_pos(index, start_row, text, insert.last + 1)
    mark(buf, row, col, { end_row = end_row, end_col = end_col, hl_group = 'DatelineDiffAdd', priority = 150 })
  end
  for _, delete in ipairs(deletes) do
    local row, col = text_pos(index, start_row, text, delete.at)
    local shown = one_line(delete.text)
    if shown:match('%S') then
      if has_inline then
        mark(buf, row, col, {
          virt_text = { { shown, 'DatelineDiffDelete' } },
          virt_text_pos = 'inline',
          priority = 150,
        })
      else
        mark(buf, row, 0, { virt_text = { { ' −' .. vim.trim(shown), 'DatelineDiffDelete' } }, virt_text_pos = 'eol' })
      end
    end
  end
  changes[#changes + 1] = start_row
end

--- `text` broken at spaces into lines of at most `width` display cells,
--- the first starting with `prefix`, the others indented as far, so that
--- a removed paragraph or a quotation's old words are read whole instead
--- of cut at the window's edge. A word wider than a line is cut by
--- characters. Returns the lines as strings.
---@param text string
---@param width integer
---@param prefix string
---@return string[]
function M.wrap(text, width, prefix)
  local indent = string.rep(' ', vim.fn.strdisplaywidth(prefix))
  local room = math.max(1, width - #indent)
  local lines, current, used = {}, {}, 0
  local function flush()
    lines[#lines + 1] = (#lines == 0 and prefix or indent) .. table.concat(current, ' ')
    current, used = {}, 0
  end
  for word in text:gmatch('%S+') do
    local cells = vim.fn.strdisplaywidth(word)
    while cells > room do
      if used > 0 then
        flush()
      end
      local head = vim.fn.strcharpart(word, 0, room)
      current[1] = head
      used = room
      flush()
      word = word:sub(#head + 1)
      cells = vim.fn.strdisplaywidth(word)
    end
    if used > 0 and used + 1 + cells > room then
      flush()
    end
    if cells > 0 then
      current[#current + 1] = word
      used = used + (used > 0 and 1 or 0) + cells
    end
  end
  if used > 0 or #lines == 0 then
    flush()
  end
  return lines
end

-- The cells a virtual line has in the window showing `buf` (virtual lines
-- start after the sign and number columns); the editor's width when the
-- buffer is not shown.
local function text_width(buf)
  local win = vim.fn.bufwinid(buf)
  if win == -1 then
    return vim.o.columns
  end
  local info = vim.fn.getwininfo(win)[1]
  return math.max(20, info.width - info.textoff)
end

local function virt_lines_for(text, prefix, width, group)
  local lines = {}
  for _, paragraph_line in ipairs(vim.split(text, '\r?\n')) do
    for _, line in ipairs(M.wrap(paragraph_line, width, prefix)) do
      lines[#lines + 1] = { { line, group or 'DatelineDiffDelete' } }
    end
  end
  return lines
end

-- Where a block of the new side is, by its index.
local function block_ranges(diff)
  local by_index = {}
  for _, block in ipairs(diff.blocks or {}) do
    if type(block.new_index) == 'number' and block.new_range ~= vim.NIL and block.new_range then
      by_index[block.new_index] = block
      if (block.new_count or 1) > 1 then
        for extra = 1, block.new_count - 1 do
          by_index[block.new_index + extra] = block
        end
      end
    end
  end
  return by_index
end

local function str(value)
  return type(value) == 'string' and value or nil
end

-- Find `needle` in the buffer between two offsets; returns row, col, end_row, end_col.
local function find_text(index, needle, first, last)
  local text = index.text(first, last)
  local start_row = index.pos(first)
  local s, e = text:find(needle, 1, true)
  if not s then
    return nil
  end
  local row, col = text_pos(index, start_row, text, s)
  local end_row, end_col = text_pos(index, start_row, text, e + 1)
  return row, col, end_row, end_col
end

local function mark_quotations(buf, index, diff, changes, width)
  local blocks = block_ranges(diff)
  local whole = { bytes = { 0, index.starts[#index.starts] and (index.starts[#index.starts] + #index.lines[#index.lines]) or 0 } }
  for _, quotation in ipairs(diff.quotations or {}) do
    local change = quotation.change
    local block = type(quotation.new_block) == 'number' and blocks[quotation.new_block]
    local range = block and block.new_range or whole
    if change == 'changed' or change == 'reattributed' then
      local new = str(quotation.new) or ''
      local row, col, end_row, end_col = find_text(index, new, range.bytes[1], range.bytes[2])
      if not row and range ~= whole then
        row, col, end_row, end_col = find_text(index, new, whole.bytes[1], whole.bytes[2])
      end
      if row then
        local note
        if change == 'changed' then
          note = string.format(' ❝ quotation changed, was: “%s”%s', one_line(str(quotation.old) or ''),
            str(quotation.speaker) and (' — ' .. quotation.speaker) or '')
        else
          note = string.format(' ❝ quotation reattributed: was %s, now %s', str(quotation.old_speaker) or 'nobody',
            str(quotation.speaker) or 'nobody')
        end
        mark(buf, row, col, {
          end_row = end_row,
          end_col = end_col,
          hl_group = 'DatelineQuoteChanged',
          priority = 140,
        })
        -- Under the quotation, wrapped: the changed word may be anywhere in it.
        mark(buf, end_row, 0, { virt_lines = virt_lines_for(vim.trim(note), '', width, 'DatelineQuoteChanged') })
        sign_rows(buf, row, row, '❝', 'DatelineQuoteChanged')
        changes[#changes + 1] = row
      end
    elseif change == 'removed' and block then
      local row = index.pos(range.bytes[1])
      mark(buf, index.pos(range.bytes[2]), 0, {
        virt_lines = virt_lines_for(string.format('❝ quotation removed: “%s”', one_line(str(quotation.old) or '')), '',
          width, 'DatelineQuoteChanged'),
      })
    end
  end
end

local EVENTS = { 'headline', 'dek', 'byline', 'dateline' }

local function mark_events(buf, index, diff, changes)
  for _, name in ipairs(EVENTS) do
    local event = diff[name]
    if type(event) == 'table' then
      local new, old = str(event.new), str(event.old)
      local row, col, end_row, end_col
      if new and new ~= '' then
        row, col, end_row, end_col = find_text(index, new, 0, index.starts[math.min(#index.starts, 40)] or 0)
      end
      local label = old and string.format(' %s was: %s', name, one_line(old)) or (' ' .. name .. ' added')
      if row then
        mark(buf, row, col, { end_row = end_row, end_col = end_col, hl_group = 'DatelineDiffChange', priority = 120 })
        mark(buf, row, 0, { virt_text = { { label, 'DatelineDiffDelete' } }, virt_text_pos = 'eol' })
        changes[#changes + 1] = row
      elseif old then
        mark(buf, 0, 0, { virt_lines = { { { name .. ' removed: ' .. one_line(old), 'DatelineDiffDelete' } } },
          virt_lines_above = true })
        changes[#changes + 1] = 0
      end
    end
  end
end

--- Place a diff's marks in `buf`, whose text is the diff's new side.
---@param buf integer
---@param diff table the diff JSON
---@param old_content string? the old side's text, for removed paragraphs
---@param width integer? the cells virtual lines wrap at (default: the window's)
---@return integer[] changes rows of the changes, sorted
function M.render(buf, diff, old_content, width)
  width = width or text_width(buf)
  vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  local index = require('dateline.positions').index(buf)
  local changes = {}
  local last_row = nil -- the last row of the latest block with a new side
  for _, block in ipairs(diff.blocks or {}) do
    local kind = block.kind
    local range = block.new_range ~= vim.NIL and block.new_range or nil
    if range then
      local row, col = index.pos(range.bytes[1])
      local end_row, end_col = index.pos(range.bytes[2])
      if kind == 'added' then
        mark(buf, row, col, { end_row = end_row, end_col = end_col, hl_group = 'DatelineDiffAdd', hl_eol = true })
        sign_rows(buf, row, end_row, '+', 'DatelineDiffAdd')
        changes[#changes + 1] = row
      elseif kind == 'moved' then
        mark(buf, row, col, { end_row = end_row, end_col = end_col, hl_group = 'DatelineDiffMoved' })
        mark(buf, row, 0, {
          virt_text = { { string.format(' ↕ moved from ¶%d', (block.old_index or 0) + 1), 'DatelineDiffMoved' } },
          virt_text_pos = 'eol',
        })
        sign_rows(buf, row, end_row, '↕', 'DatelineDiffMoved')
        changes[#changes + 1] = row
      elseif kind == 'edited' or kind == 'split' or kind == 'merged' then
        sign_rows(buf, row, end_row, '~', 'DatelineDiffChange')
        mark_words(buf, index, range, block.words, changes)
        if kind ~= 'edited' then
          local label = kind == 'split' and string.format(' ⑃ split from ¶%d', (block.old_index or 0) + 1)
            or string.format(' ⑂ merged from ¶%d and ¶%d', (block.old_index or 0) + 1, (block.old_index or 0) + 2)
          mark(buf, row, 0, { virt_text = { { label, 'DatelineDiffChange' } }, virt_text_pos = 'eol' })
        end
      end
      last_row = end_row
    elseif kind == 'removed' and old_content and block.old_range ~= vim.NIL and block.old_range then
      local old = old_content:sub(block.old_range.bytes[1] + 1, block.old_range.bytes[2])
      local lines = virt_lines_for(old, '− ', width)
      table.insert(lines, last_row and 1 or #lines + 1, { { '', 'DatelineDiffDelete' } })
      if last_row then
        mark(buf, last_row, 0, { virt_lines = lines })
      else
        mark(buf, 0, 0, { virt_lines = lines, virt_lines_above = true })
      end
      changes[#changes + 1] = last_row or 0
    end
  end
  mark_quotations(buf, index, diff, changes, width)
  mark_events(buf, index, diff, changes)
  table.sort(changes)
  local unique = {}
  for _, row in ipairs(changes) do
    if unique[#unique] ~= row then
      unique[#unique + 1] = row
    end
  end
  return unique
end

-- ----------------------------------------------------------- the view --

--- Move to the next (+1) or previous (-1) change, `count` times.
function M.jump(direction, count)
  local buf = vim.api.nvim_get_current_buf()
  local state = active[buf]
  if not state or #state.changes == 0 then
    return false
  end
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  for _ = 1, math.max(1, count or 1) do
    local target
    if direction > 0 then
      for _, change in ipairs(state.changes) do
        if change > row then
          target = change
          break
        end
      end
    else
      for position = #state.changes, 1, -1 do
        if state.changes[position] < row then
          target = state.changes[position]
          break
        end
      end
    end
    if not target then
      break
    end
    row = target
  end
  vim.cmd("normal! m'")
  vim.api.nvim_win_set_cursor(0, { row + 1, 0 })
  return true
end

local function set_keys(buf)
  vim.keymap.set('n', ']c', function()
    M.jump(1, vim.v.count1)
  end, { buffer = buf, desc = 'dateline diff: next change' })
  vim.keymap.set('n', '[c', function()
    M.jump(-1, vim.v.count1)
  end, { buffer = buf, desc = 'dateline diff: previous change' })
end

--- Turn the diff view off in `buf`.
function M.clear(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  if not active[buf] then
    return
  end
  active[buf].stop_live()
  active[buf] = nil
  if vim.api.nvim_buf_is_valid(buf) then
    vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
    pcall(vim.keymap.del, 'n', ']c', { buffer = buf })
    pcall(vim.keymap.del, 'n', '[c', { buffer = buf })
  end
end

--- The view's state in `buf`, or nil when it is off or not placed yet.
function M.state(buf)
  local state = active[(buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf]
  return state and state.diff and state or nil
end

-- Virtual lines are wrapped to the window: when it changes size they are
-- wrapped again from the diff already fetched.
local function rewrap()
  for buf, state in pairs(active) do
    if vim.api.nvim_buf_is_valid(buf) and text_width(buf) ~= state.width then
      state.width = text_width(buf)
      state.changes = M.render(buf, state.diff, state.old_content, state.width)
    end
  end
end

-- WinResized is Neovim 0.9's; before it only the editor's resize is seen.
vim.api.nvim_create_autocmd(vim.fn.exists('##WinResized') == 1 and { 'WinResized', 'VimResized' } or 'VimResized', {
  group = vim.api.nvim_create_augroup('dateline.diff.wrap', { clear = true }),
  desc = 'dateline: wrap the diff view to the resized window',
  callback = rewrap,
})

-- Ask the server for the diff of `state` against the buffer's current text
-- and place it. Only the latest request is placed: an answer that comes
-- back after a newer edit was asked about is stale.
local function ask(buf, state, article, notify, callback)
  state.asked = (state.asked or 0) + 1
  local asked = state.asked
  lsp.execute(article, 'dateline.diff', { rev = state.rev, rev2 = state.rev2 }, function(err, diff)
    if active[buf] ~= state or state.asked ~= asked or not vim.api.nvim_buf_is_valid(buf) then
      return
    end
    if err then
      vim.notify('dateline: diff: ' .. err, vim.log.levels.ERROR)
    else
      state.diff, state.summary, state.width = diff, diff.summary, text_width(buf)
      state.changes = M.render(buf, diff, state.old_content, state.width)
      if notify then
        vim.notify(string.format('dateline: %s → %s: %s', state.rev and state.rev:sub(1, 10) or 'latest version',
          state.rev2 and state.rev2:sub(1, 10) or 'buffer', diff.summary or 'no changes'), vim.log.levels.INFO)
      end
    end
    if callback then
      callback(err)
    end
  end)
end

--- Show the diff of a version against the buffer (default: the latest
--- version), or of two versions in a buffer showing the newer one. Against
--- the buffer the marks follow edits, asked again once typing pauses.
---@param buf integer the buffer to mark: its text is the new side
---@param opts { rev: string?, rev2: string?, article: integer?, callback: fun(err: string?)? }?
function M.show(buf, opts)
  opts = opts or {}
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  -- Version buffers ask through their article, which the server knows.
  local article = opts.article or vim.b[buf].dateline_version_of or buf
  M.clear(buf)
  local state = { rev = opts.rev, rev2 = opts.rev2, changes = {}, stop_live = function() end }
  active[buf] = state
  set_keys(buf)
  -- A wiped-out buffer (a version stepped away from) takes its view along.
  vim.api.nvim_create_autocmd('BufWipeout', {
    group = vim.api.nvim_create_augroup('dateline.diff.' .. buf, { clear = true }),
    buffer = buf,
    callback = function()
      M.clear(buf)
    end,
  })
  -- The old side does not change while the view is on: fetched once.
  require('dateline.history_data').fetch_content(article, opts.rev or '@', function(err, content)
    if active[buf] ~= state then
      return
    end
    -- Without the old text only removed paragraphs go unshown; not fatal.
    state.old_content = not err and content or nil
    ask(buf, state, article, true, function(failure)
      if failure then
        M.clear(buf)
      elseif not opts.rev2 and article == buf then
        state.stop_live = live.follow(buf, function()
          if active[buf] == state then
            ask(buf, state, article, false)
          end
        end)
      end
      if opts.callback then
        opts.callback(failure)
      end
    end)
  end)
end

--- :Dateline diff [REV|off]: show, or with no argument toggle, the view.
function M.toggle(buf, rev)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  if rev == 'off' or (rev == nil and active[buf]) then
    M.clear(buf)
    return
  end
  M.show(buf, { rev = rev })
end

return M
