-- Changed paragraphs, like gitsigns' hunks but by paragraph: signs on the
-- paragraphs the buffer changed since the latest version (following typing),
-- ]u / [u to move between them, a float with a paragraph's old text,
-- restoring one paragraph or one quotation from any version as one undoable
-- change, and the "changed paragraph" text object.
--
-- The server diffs (`dateline.diff` against the buffer's current text);
-- changes_data.lua reads its answer, this module puts it in windows.

local config = require('dateline.config')
local data = require('dateline.changes_data')
local live = require('dateline.live')
local lsp = require('dateline.lsp')

local M = {}

M.ns = vim.api.nvim_create_namespace('dateline.changes')
local preview_ns = vim.api.nvim_create_namespace('dateline.changes.preview')

-- Sign text and group by what happened to the paragraph (gitsigns' look:
-- '_' under the paragraph a removed one followed, '‾' above the first).
local SIGNS = {
  added = { '+', 'DatelineChangeAdd' },
  edited = { '~', 'DatelineChangeEdit' },
  moved = { '↕', 'DatelineChangeMove' },
  removed = { '_', 'DatelineChangeRemove' },
  removed_above = { '‾', 'DatelineChangeRemove' },
}

-- buffer -> { changes, tick (of the text the answer is about), asked,
-- stop_live }
local active = {}

local function current(buf)
  return (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
end

-- The signs in the buffer now, as { row, text } in row order.
local function placed(buf)
  local found = {}
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(buf, M.ns, 0, -1, { details = true })) do
    found[#found + 1] = { mark[2], vim.trim(mark[4].sign_text or '') }
  end
  return found
end

local function place(buf, changes)
  local line_count = vim.api.nvim_buf_line_count(buf)
  local wanted = {}
  for _, sign in ipairs(data.signs(changes)) do
    if sign[1] < line_count then
      wanted[#wanted + 1] = { sign[1], SIGNS[sign[2]][1] }
    end
  end
  table.sort(wanted, function(a, b)
    return a[1] < b[1]
  end)
  -- Typing on in a changed paragraph mostly answers with the signs already
  -- there (extmarks move with the text): leave them, and the sign column
  -- is not redrawn on every pause.
  if vim.deep_equal(placed(buf), wanted) then
    return
  end
  vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  for _, sign in ipairs(data.signs(changes)) do
    if sign[1] < line_count then
      local look = SIGNS[sign[2]]
      -- Below the diff view's signs (priority 20), which say more.
      pcall(vim.api.nvim_buf_set_extmark, buf, M.ns, sign[1], 0,
        { sign_text = look[1], sign_hl_group = look[2], priority = 10 })
    end
  end
end

-- Ask the server for the diff against the latest version and sign it. Only
-- the latest request is placed. A buffer without history yet has no
-- changes to sign: its error is not worth a message on every pause.
local function ask(buf, callback)
  local state = active[buf]
  state.asked = state.asked + 1
  local asked, tick = state.asked, vim.api.nvim_buf_get_changedtick(buf)
  lsp.execute(buf, 'dateline.diff', {}, function(err, diff)
    if active[buf] ~= state or state.asked ~= asked then
      return
    end
    state.changes = not err and data.from_diff(diff) or {}
    state.tick = tick
    place(buf, state.changes)
    if callback then
      callback(err)
    end
  end)
end

--- Sign the changed paragraphs of `buf`, following its text and its saves.
---@param buf integer
---@param callback fun(err: string?)? after the first answer
function M.attach(buf, callback)
  buf = current(buf)
  if active[buf] then
    ask(buf, callback)
    return
  end
  local state = { changes = {}, asked = 0 }
  active[buf] = state
  state.stop_live = live.follow(buf, function()
    if active[buf] == state then
      ask(buf)
    end
  end)
  local group = vim.api.nvim_create_augroup('dateline.changes.' .. buf, { clear = true })
  vim.api.nvim_create_autocmd('User', {
    group = group,
    pattern = 'DatelineRecorded',
    desc = 'dateline: a new latest version: sign against it',
    callback = function(event)
      if event.data and event.data.buf == buf and active[buf] == state then
        ask(buf)
      end
    end,
  })
  vim.api.nvim_create_autocmd('BufWipeout', {
    group = group,
    buffer = buf,
    callback = function()
      M.detach(buf)
    end,
  })
  ask(buf, callback)
end

--- Stop signing `buf`.
function M.detach(buf)
  buf = current(buf)
  local state = active[buf]
  if not state then
    return
  end
  active[buf] = nil
  state.stop_live()
  pcall(vim.api.nvim_del_augroup_by_name, 'dateline.changes.' .. buf)
  if vim.api.nvim_buf_is_valid(buf) then
    vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  end
end

--- Whether `buf`'s changed paragraphs are signed.
function M.is_on(buf)
  return active[current(buf)] ~= nil
end

--- :Dateline signs [on|off|toggle]
function M.toggle(buf, action, callback)
  buf = current(buf)
  action = action or 'toggle'
  if action == 'off' or (action == 'toggle' and active[buf]) then
    M.detach(buf)
    if callback then
      callback()
    end
  else
    M.attach(buf, callback)
  end
end

-- The changed paragraphs of the buffer's current text. Signs follow typing
-- with a pause; an action asked for before the answer caught up waits for a
-- fresh one (a short wait: one diff of the buffer).
local FRESH_WAIT_MS = 3000

local function fresh_changes(buf)
  local state = active[buf]
  if state and state.tick == vim.api.nvim_buf_get_changedtick(buf) then
    return state.changes
  end
  local done, result, failure = false, nil, nil
  lsp.execute(buf, 'dateline.diff', {}, function(err, diff)
    done, failure = true, err
    result = not err and data.from_diff(diff) or nil
  end)
  vim.wait(FRESH_WAIT_MS, function()
    return done
  end, 5)
  if not done then
    return nil, 'the server did not answer in time'
  end
  return result, failure
end

--- Move to the next (direction 1) or previous (-1) changed paragraph,
--- `count` times. Returns whether the cursor moved.
---@param direction 1|-1
---@param count integer?
---@return boolean
function M.jump(direction, count)
  local buf = vim.api.nvim_get_current_buf()
  local changes = fresh_changes(buf)
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local target = changes and data.next_row(changes, row, direction, count)
  if not target then
    return false
  end
  vim.cmd("normal! m'")
  vim.api.nvim_win_set_cursor(0, { target + 1, 0 })
  return true
end

--- The rows of the changed paragraph under the cursor, { first, last }
--- (0-based), or nil: the text object's range.
---@return integer[]?
function M.range_at_cursor()
  local buf = vim.api.nvim_get_current_buf()
  local changes = fresh_changes(buf)
  local change = changes and data.at(changes, vim.api.nvim_win_get_cursor(0)[1] - 1)
  if not change or change.kind == 'removed' then
    return nil
  end
  return { change.first, change.last }
end

-- ------------------------------------------------------------ preview --

local preview_win

local function close_preview()
  if preview_win and vim.api.nvim_win_is_valid(preview_win) then
    vim.api.nvim_win_close(preview_win, true)
  end
  preview_win = nil
end

--- Show the paragraph under the cursor as `rev` had it (default: the
--- latest version) in a float, the words the buffer no longer has marked;
--- it closes when the cursor moves, as gitsigns' preview_hunk does.
---@param rev string?
---@param callback fun(err: string?, win: integer?)?
function M.preview(rev, callback)
  local buf = vim.api.nvim_get_current_buf()
  local source_win = vim.api.nvim_get_current_win()
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local tick = vim.api.nvim_buf_get_changedtick(buf)
  local function finish(err, win)
    if err then
      vim.notify('dateline: preview: ' .. err, vim.log.levels.WARN)
    end
    if callback then
      callback(err, win)
    end
  end
  lsp.execute(buf, 'dateline.diff', { rev = rev }, function(err, diff)
    if err then
      return finish(err)
    end
    local change = data.at(data.from_diff(diff), row)
    if not change then
      return finish('this paragraph is as ' .. (rev or 'the latest version') .. ' has it')
    end
    require('dateline.history_data').fetch_content(buf, rev or '@', function(content_err, content)
      if vim.api.nvim_buf_get_changedtick(buf) ~= tick or vim.api.nvim_get_current_win() ~= source_win then
        return finish('the buffer changed meanwhile; ask again')
      end
      local lines, marks, title = data.preview(change, not content_err and content or nil)
      close_preview()
      local float_buf = vim.api.nvim_create_buf(false, true)
      vim.api.nvim_buf_set_lines(float_buf, 0, -1, false, lines)
      vim.bo[float_buf].modifiable = false
      vim.bo[float_buf].bufhidden = 'wipe'
      for _, mark in ipairs(marks) do
        vim.api.nvim_buf_set_extmark(float_buf, preview_ns, mark[1], mark[2],
          { end_col = mark[3], hl_group = 'DatelineChangePreviewDelete' })
      end
      local width = math.min(80, math.max(20, vim.o.columns - 4))
      local height = 0
      for _, line in ipairs(lines) do
        height = height + math.max(1, math.ceil(vim.fn.strdisplaywidth(line) / width))
      end
      local opts = {
        relative = 'cursor',
        row = 1,
        col = 0,
        width = width,
        height = math.max(1, math.min(height, math.floor(vim.o.lines / 2))),
        style = 'minimal',
        border = 'rounded',
        focusable = false,
      }
      if vim.fn.has('nvim-0.9') == 1 then
        opts.title = ' ' .. title .. ' '
      end
      preview_win = vim.api.nvim_open_win(float_buf, false, opts)
      vim.wo[preview_win].wrap = true
      vim.wo[preview_win].linebreak = true
      local win = preview_win
      vim.api.nvim_create_autocmd({ 'CursorMoved', 'CursorMovedI', 'InsertEnter', 'BufLeave', 'WinLeave' }, {
        group = vim.api.nvim_create_augroup('dateline.changes.preview', { clear = true }),
        buffer = buf,
        once = true,
        desc = 'dateline: close the paragraph preview',
        callback = function()
          if preview_win == win then
            close_preview()
          end
        end,
      })
      finish(nil, win)
    end)
  end)
end

-- ------------------------------------------------------------ restore --

-- Byte offset of each row's start in the text the server diffed.
local function line_starts(buf)
  local index = require('dateline.positions').index(buf)
  return function(row)
    return index.starts[row + 1] or index.size
  end
end

-- Close the undo block of the changes before, so that one u takes back the
-- restore and nothing else (setting 'undolevels' ends an undo block).
local function own_undo_step(buf)
  vim.api.nvim_buf_call(buf, function()
    vim.cmd('let &undolevels = &undolevels')
  end)
end

-- Ask for the diff of `rev` against the buffer and `rev`'s text, then call
-- `apply(diff, content)` if the buffer did not change meanwhile.
local function with_diff(buf, rev, what, apply, callback)
  local tick = vim.api.nvim_buf_get_changedtick(buf)
  local function finish(err)
    if err then
      vim.notify(string.format('dateline: restore %s: %s', what, err), vim.log.levels.WARN)
    end
    if callback then
      callback(err)
    end
  end
  lsp.execute(buf, 'dateline.diff', { rev = rev }, function(err, diff)
    if err then
      return finish(err)
    end
    require('dateline.history_data').fetch_content(buf, rev, function(content_err, content)
      if content_err then
        return finish(content_err)
      end
      if vim.api.nvim_buf_get_changedtick(buf) ~= tick then
        return finish('the buffer changed meanwhile; nothing restored')
      end
      finish(apply(diff, content))
    end)
  end)
end

--- Put the paragraph under the cursor back as version `rev` (default:
--- the latest) had it, as one undoable change, leaving the others alone;
--- nothing is written.
---@param rev string?
---@param callback fun(err: string?)?
function M.restore_paragraph(rev, callback)
  local buf = vim.api.nvim_get_current_buf()
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  rev = rev or '@'
  with_diff(buf, rev, 'paragraph', function(diff, content)
    local change = data.at(data.from_diff(diff), row)
    if not change then
      return 'this paragraph is as ' .. rev .. ' has it'
    end
    local edit, reason = data.restore_edit(change, content, vim.api.nvim_buf_line_count(buf))
    if not edit then
      return reason
    end
    own_undo_step(buf)
    vim.api.nvim_buf_set_lines(buf, edit.first, edit.last, false, edit.lines)
    vim.notify(string.format('dateline: paragraph restored from %s (not written; u undoes it)', rev),
      vim.log.levels.INFO)
  end, callback)
end

--- Put the quotation under the cursor back as version `rev` (default: the
--- latest) had its words, as one undoable change; nothing else changes.
---@param rev string?
---@param callback fun(err: string?)?
function M.restore_quotation(rev, callback)
  local buf = vim.api.nvim_get_current_buf()
  local cursor = vim.api.nvim_win_get_cursor(0)
  rev = rev or '@'
  with_diff(buf, rev, 'quotation', function(diff, content)
    local starts = line_starts(buf)
    local quotation = data.quotation_at(diff, cursor[1] - 1, cursor[2], starts)
    if not quotation then
      return 'no quotation here has other words in ' .. rev
    end
    local old = data.quotation_old_lines(quotation, content)
    if not old then
      return 'the old version has no text for this quotation'
    end
    local new_range = quotation.new_range
    local first_row, last_row = new_range.lines[1], new_range.lines[2]
    own_undo_step(buf)
    vim.api.nvim_buf_set_text(buf, first_row, new_range.bytes[1] - starts(first_row), last_row,
      new_range.bytes[2] - starts(last_row), old)
    vim.notify(string.format('dateline: quotation restored from %s (not written; u undoes it)', rev),
      vim.log.levels.INFO)
  end, callback)
end

return M
