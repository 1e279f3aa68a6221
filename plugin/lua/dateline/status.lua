-- Counts for statuslines, from the core (article.lua): the same words,
-- paragraphs and quotations as `dateline stats`. A statusline redraws far
-- more often than the text changes: this never waits for the server. While
-- the user types the last counts are shown, and the statusline is redrawn
-- when the server answers for the new text. Without a server it shows no
-- counts at all rather than counts of its own.

local article = require('dateline.article')

local M = {}

---@class dateline.Counts
---@field words integer
---@field paragraphs integer
---@field quotations integer
---@field minutes integer reading time, at least 1

--- The core's counts for the buffer: from its last answer, which may be a
--- moment behind the text while the user types; nil before the first answer
--- or without a server.
---@param buf integer?
---@return dateline.Counts?
function M.get(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local stats = article.stats(buf)
  if type(stats) ~= 'table' then
    return nil
  end
  -- The core's reading time unless the user reads at a speed of their own.
  local wpm = require('dateline.config').get().status.words_per_minute
  local seconds = wpm and stats.words * 60 / wpm or stats.reading_seconds
  return {
    words = stats.words,
    paragraphs = stats.paragraphs,
    quotations = stats.quotations,
    minutes = math.max(1, math.ceil(seconds / 60)),
  }
end

--- The statusline text: "412 words · 7 ¶ · 5 quotes · 2 min"; '' outside
--- article buffers and while the core's counts are unknown.
---@param buf integer?
---@return string
function M.format(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  if vim.bo[buf].filetype ~= 'article' then
    return ''
  end
  local counts = M.get(buf)
  if not counts then
    return ''
  end
  return string.format(
    '%d words · %d ¶ · %d %s · %d min',
    counts.words,
    counts.paragraphs,
    counts.quotations,
    counts.quotations == 1 and 'quote' or 'quotes',
    counts.minutes
  )
end

vim.api.nvim_create_autocmd('User', {
  group = vim.api.nvim_create_augroup('dateline.status', { clear = true }),
  pattern = 'DatelineArticle',
  desc = "dateline: show the core's new counts in statuslines",
  callback = function()
    vim.cmd.redrawstatus({ bang = true })
  end,
})

return M
