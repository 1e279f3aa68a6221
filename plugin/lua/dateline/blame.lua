-- :Dateline blame: for each paragraph (and the headline, dek and byline),
-- the version that last changed it (relative time · author · note) as
-- virtual text at its first line, and under it one line per quotation. The
-- server computes it against the buffer's current text (`dateline.blame`);
-- it is asked again after every recorded version and once typing pauses, so
-- an edited paragraph no version holds reads "not saved yet" at once instead
-- of crediting its old version.

local config = require('dateline.config')
local live = require('dateline.live')
local lsp = require('dateline.lsp')

local M = {}

M.ns = vim.api.nvim_create_namespace('dateline.blame')

-- buffer -> { blocks = the last answer, asked = the latest request's number,
-- stop_live }
local active = {}

local function str(value)
  return type(value) == 'string' and value ~= '' and value or nil
end

--- The text shown for one block's version.
---@param version table|nil
---@param now integer?
---@param modified boolean? whether the buffer has unsaved changes
---@return string
function M.label(version, now, modified)
  if type(version) ~= 'table' then
    -- No version holds the text: in a modified buffer it is being written.
    return modified and 'not saved yet' or 'not recorded yet'
  end
  local history = require('dateline.history_data')
  local parts = {
    history.relative_time(version.timestamp, now),
    version.author and str(version.author.name) or '?',
  }
  if str(version.note) then
    parts[#parts + 1] = version.note
  end
  return history.printable(table.concat(parts, ' · '))
end

-- "1a2b3c4d 2 h ago · Jane Doe · note", or "not saved yet".
local function version_text(version, now, modified)
  local text = M.label(version, now, modified)
  local short = type(version) == 'table' and str(version.short) or nil
  return short and (short:sub(1, 8) .. ' ' .. text) or text
end

-- Quotation words shown in a blame line, cut so that the version fits.
local QUOTE_CHARS = 40

--- The line under a paragraph for one of its quotations: its first words
--- and the version that last changed them.
---@param quotation table an entry of the server's `quotations`
---@param now integer?
---@param modified boolean?
---@return string
function M.quotation_label(quotation, now, modified)
  local words = vim.trim((str(quotation.text) or ''):gsub('%s+', ' '))
  if vim.fn.strchars(words) > QUOTE_CHARS then
    words = vim.fn.strcharpart(words, 0, QUOTE_CHARS - 1) .. '…'
  end
  local history = require('dateline.history_data')
  return history.printable('❝ ' .. words .. ' — ' .. version_text(quotation.version, now, modified))
end

-- Draw the answer: after the first line of each block and of the
-- headline, dek and byline, the version that last changed it; under each
-- paragraph, one line per quotation in it with the version that last
-- changed its words (a quotation can be older than its paragraph's last
-- edit, and a changed quotation is a correction).
local function render(buf, answer)
  vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  local line_count = vim.api.nvim_buf_line_count(buf)
  local above = config.get().blame.position == 'above'
  local now = os.time()
  local modified = vim.bo[buf].modified
  local function mark(range, text)
    local row = range and range.lines and range.lines[1]
    if type(row) ~= 'number' or row >= line_count then
      return
    end
    local opts
    if above then
      opts = { virt_lines = { { { text, 'DatelineBlame' } } }, virt_lines_above = true }
    else
      opts = { virt_text = { { '  ' .. text, 'DatelineBlame' } }, virt_text_pos = 'eol', hl_mode = 'combine' }
    end
    pcall(vim.api.nvim_buf_set_extmark, buf, M.ns, row, 0, opts)
  end
  for _, part in ipairs(answer.front or {}) do
    mark(part.range, version_text(part.version, now, modified))
  end
  local under = {} ---@type table<integer, table[]> block index -> virtual lines
  for _, quotation in ipairs(answer.quotations or {}) do
    if type(quotation.block) == 'number' then
      under[quotation.block] = under[quotation.block] or {}
      table.insert(under[quotation.block], { { '  ' .. M.quotation_label(quotation, now, modified), 'DatelineBlameQuotation' } })
    end
  end
  for _, block in ipairs(answer.blocks or {}) do
    mark(block.range, version_text(block.version, now, modified))
    local lines = under[block.index]
    local last = block.range and block.range.lines and block.range.lines[2]
    if lines and type(last) == 'number' and last < line_count then
      pcall(vim.api.nvim_buf_set_extmark, buf, M.ns, last, 0, { virt_lines = lines })
    end
  end
end

--- Ask the server for blame and redraw it; `callback(err)` afterwards.
function M.refresh(buf, callback)
  local state = active[buf]
  if state then
    state.asked = state.asked + 1
  end
  local asked = state and state.asked
  lsp.execute(buf, 'dateline.blame', {}, function(err, result)
    -- The user may have turned blame off while the server worked, or typed
    -- on: only the latest answer is drawn.
    if active[buf] and active[buf] == state and state.asked == asked then
      if err then
        vim.notify('dateline: blame: ' .. err, vim.log.levels.ERROR)
      else
        active[buf].blocks = result.blocks or {}
        render(buf, result)
      end
    end
    if callback then
      callback(err)
    end
  end)
end

--- Whether blame is shown in `buf`.
function M.is_on(buf)
  return active[buf] ~= nil
end

--- The last blame answer for `buf` (the server's blocks).
function M.blocks(buf)
  return active[buf] and active[buf].blocks
end

function M.on(buf, callback)
  if active[buf] then
    M.refresh(buf, callback)
    return
  end
  active[buf] = { blocks = {}, asked = 0 }
  active[buf].stop_live = live.follow(buf, function()
    if active[buf] then
      M.refresh(buf)
    end
  end)
  local group = vim.api.nvim_create_augroup('dateline.blame.' .. buf, { clear = true })
  vim.api.nvim_create_autocmd('User', {
    group = group,
    pattern = 'DatelineRecorded',
    desc = 'dateline: refresh blame after a version is recorded',
    callback = function(event)
      if not vim.api.nvim_buf_is_valid(buf) or not active[buf] then
        return true
      end
      if event.data and event.data.buf == buf then
        M.refresh(buf)
      end
    end,
  })
  vim.api.nvim_create_autocmd('BufWipeout', {
    group = group,
    buffer = buf,
    callback = function()
      M.off(buf)
    end,
  })
  M.refresh(buf, callback)
end

function M.off(buf)
  if active[buf] then
    active[buf].stop_live()
  end
  active[buf] = nil
  pcall(vim.api.nvim_del_augroup_by_name, 'dateline.blame.' .. buf)
  if vim.api.nvim_buf_is_valid(buf) then
    vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  end
end

--- :Dateline blame [on|off|toggle]
function M.toggle(buf, action, callback)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  action = action or 'toggle'
  if action == 'off' or (action == 'toggle' and active[buf]) then
    M.off(buf)
    if callback then
      callback()
    end
  else
    M.on(buf, callback)
  end
end

return M
