-- Where the server's byte offsets fall in a buffer. The server counts bytes
-- over the document's text with the file's line endings (CRLF for a dos
-- file); the buffer has rows and columns. The diff view and the changed
-- paragraphs both place the server's answers through here.

local M = {}

--- An index of `buf`'s rows as they are now: `starts[row]` is the byte
--- offset of 1-based `row`, `size` the whole text's length, `eol` the line
--- ending's length; `pos(byte)` and `text(first, last)` convert.
---@param buf integer
function M.index(buf)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  -- The server's text ends its lines with \r\n in a 'fileformat' dos buffer.
  local eol = vim.bo[buf].fileformat == 'dos' and 2 or 1
  local starts, offset = {}, 0
  for row, line in ipairs(lines) do
    starts[row] = offset
    offset = offset + #line + eol
  end
  local index = { lines = lines, starts = starts, eol = eol, size = offset }
  --- 0-based row and byte column of a byte offset, clamped into the buffer.
  function index.pos(byte)
    local low, high = 1, #starts
    if high == 0 then
      return 0, 0
    end
    while low < high do
      local middle = math.floor((low + high + 1) / 2)
      if starts[middle] <= byte then
        low = middle
      else
        high = middle - 1
      end
    end
    return low - 1, math.min(byte - starts[low], #lines[low])
  end
  --- The text between two offsets, lines joined with "\n" (whatever the
  --- file's line endings), and the offset each of its bytes maps back to.
  function index.text(first, last)
    local start_row = index.pos(first)
    local end_row = index.pos(last)
    local parts = {}
    for row = start_row, end_row do
      parts[#parts + 1] = lines[row + 1]
    end
    return table.concat(parts, '\n'), starts[start_row + 1]
  end
  return index
end

return M
