-- Counts for statuslines. A statusline redraws far more often than the text
-- changes, so counts are cached per buffer on b:changedtick; while the user
-- types, the last counts are shown and a recount runs once typing pauses.

local parser = require('dateline.parser')

local M = {}

-- Buffers up to this size are recounted at once when they change; larger ones
-- are recounted after a pause, so the statusline never slows typing down.
local SYNC_RECOUNT_BYTES = 64 * 1024
local RECOUNT_DELAY_MS = 300

local cache = {} ---@type table<integer, {tick: integer, counts: table, timer: uv_timer_t?}>

local COUNTED = { paragraph = true, quotation = true }

local function count_words(buf)
  return vim.api.nvim_buf_call(buf, function()
    return vim.fn.wordcount().words
  end)
end

--- Count words, paragraphs and quotations of the buffer now.
---@param buf integer
---@return {words: integer, paragraphs: integer, quotations: integer, minutes: integer}
function M.count(buf)
  local words = count_words(buf)
  local wpm = require('dateline.config').get().status.words_per_minute
  local counts = { words = words, paragraphs = 0, quotations = 0, minutes = math.max(1, math.ceil(words / wpm)) }
  for _, node in ipairs(parser.collect(buf, COUNTED)) do
    if node:type() == 'paragraph' then
      counts.paragraphs = counts.paragraphs + 1
    elseif not (node:child(0) and node:child(0):type() == 'continuation') then
      -- A reopened quotation continues one already counted (as the CLI counts).
      counts.quotations = counts.quotations + 1
    end
  end
  return counts
end

local function schedule_recount(buf, entry)
  if entry.timer then
    entry.timer:stop()
  else
    entry.timer = (vim.uv or vim.loop).new_timer()
  end
  entry.timer:start(
    RECOUNT_DELAY_MS,
    0,
    vim.schedule_wrap(function()
      if not vim.api.nvim_buf_is_valid(buf) or cache[buf] ~= entry then
        return
      end
      entry.counts = M.count(buf)
      entry.tick = vim.api.nvim_buf_get_changedtick(buf)
      vim.cmd.redrawstatus({ bang = true })
    end)
  )
end

local function forget(buf)
  local entry = cache[buf]
  if entry and entry.timer then
    entry.timer:stop()
    entry.timer:close()
  end
  cache[buf] = nil
end

--- Counts for the buffer, from the cache when the text has not changed.
---@param buf integer?
---@return {words: integer, paragraphs: integer, quotations: integer, minutes: integer}
function M.get(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local tick = vim.api.nvim_buf_get_changedtick(buf)
  local entry = cache[buf]
  if entry and entry.tick == tick then
    return entry.counts
  end
  local small = vim.api.nvim_buf_get_offset(buf, vim.api.nvim_buf_line_count(buf)) <= SYNC_RECOUNT_BYTES
  if not entry then
    entry = { tick = tick, counts = M.count(buf) }
    cache[buf] = entry
    vim.api.nvim_create_autocmd('BufWipeout', {
      buffer = buf,
      once = true,
      desc = 'dateline: drop status counts',
      callback = function()
        forget(buf)
      end,
    })
  elseif small then
    entry.tick, entry.counts = tick, M.count(buf)
  else
    schedule_recount(buf, entry)
  end
  return entry.counts
end

--- The statusline text: "412 words · 7 ¶ · 5 quotes · 2 min", or '' outside
--- article buffers.
---@param buf integer?
---@return string
function M.format(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  if vim.bo[buf].filetype ~= 'article' or not parser.register() then
    return ''
  end
  local counts = M.get(buf)
  return string.format(
    '%d words · %d ¶ · %d %s · %d min',
    counts.words,
    counts.paragraphs,
    counts.quotations,
    counts.quotations == 1 and 'quote' or 'quotes',
    counts.minutes
  )
end

return M
