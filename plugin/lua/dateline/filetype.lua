-- Which files are articles. Called for every *.txt Neovim opens, so it reads a
-- handful of lines and stops at the first sign of an ordinary text file.

local M = {}

-- Seed files of the project's corpus are named like 000_8262d85f5fa5c412.txt
-- (the same pattern as plugin.json's filetypes.filename_patterns).
M.seed_name_pattern = '^%d%d%d_' .. string.rep('%x', 16) .. '%.txt$'

-- A dateline: PLACE[, REGION][, DATE] [(AGENCY)] followed by – — - or --.
-- The place has at least two capitals and no lower-case letters, which is what
-- tells "LONDON, Jan 10 (Reuters) -" from a sentence that merely has a dash.
local dateline_regex = vim.regex(
  [=[\v^[[:upper:]][[:upper:][:digit:] .'’&-]*[[:upper:]]]=]
    .. [=[%(,\s*[^,()–—\-]{1,30}){0,3}]=]
    .. [=[%(\s*\([^()]{1,30}\))?]=]
    .. [=[\s*%(–|—|--|-)\s]=]
)

--- True when `line` opens with a dateline.
---@param line string
---@return boolean
function M.opens_with_dateline(line)
  return dateline_regex:match_str(line) ~= nil
end

local MAX_HEADLINE_BYTES = 300
-- Between the headline and the dateline paragraph only a byline and a
-- timestamp may stand; anything else means this is not clearly an article.
local MAX_BLOCKS_BEFORE_DATELINE = 2
local MAX_TIMESTAMP_BYTES = 80

local function is_byline_or_timestamp(line)
  return line:match('^[Bb][Yy]%s') ~= nil or (#line <= MAX_TIMESTAMP_BYTES and line:match('%d') ~= nil)
end

--- Whether `lines` (the start of a file) clearly are an article: a headline
--- line (optionally a dek under it), a blank line, optionally a byline and a
--- timestamp, then a paragraph that opens with a dateline.
---@param lines string[]
---@return boolean
function M.looks_like_article(lines)
  local first = (lines[1] or ''):gsub('^\239\187\191', ''):gsub('\r$', '')
  if first:match('^%s*$') or #first > MAX_HEADLINE_BYTES then
    return false
  end
  local blocks_seen = 0
  local in_block = true
  for index = 2, #lines do
    local line = lines[index]:gsub('\r$', '')
    if line:match('^%s*$') then
      in_block = false
    elseif not in_block then
      in_block = true
      if M.opens_with_dateline(line) then
        return true
      end
      blocks_seen = blocks_seen + 1
      if blocks_seen > MAX_BLOCKS_BEFORE_DATELINE or not is_byline_or_timestamp(line) then
        return false
      end
    elseif index == 2 and #line > MAX_HEADLINE_BYTES then
      return false -- a long second line: prose, not a dek
    end
  end
  return false
end

local LINES_TO_READ = 40

--- The `vim.filetype.add()` hook for *.txt: 'article' or nil (let Neovim decide).
---@param path string
---@param buf integer?
---@return string?
function M.detect_txt(path, buf)
  if vim.fs.basename(path):match(M.seed_name_pattern) then
    return 'article'
  end
  if not buf or not vim.api.nvim_buf_is_valid(buf) then
    return nil
  end
  local lines = vim.api.nvim_buf_get_lines(buf, 0, LINES_TO_READ, false)
  if M.looks_like_article(lines) then
    return 'article'
  end
  return nil
end

return M
