-- Views that follow the buffer as the writer types (the diff view, blame):
-- the server answers against the buffer's current text, so a view only has
-- to ask again once typing pauses. Debounced so a burst of keystrokes costs
-- one request, and asynchronous so typing never waits for the answer.

local M = {}

--- Milliseconds after the last change before the view asks again: short
--- enough to feel live, long enough that a typed word is one request.
M.delay = 150

--- Call `refresh(buf)` M.delay ms after the last change to `buf`'s text,
--- until the returned function is called (or the buffer is unloaded).
---@param buf integer
---@param refresh fun(buf: integer)
---@return fun() stop
function M.follow(buf, refresh)
  local uv = vim.uv or vim.loop
  local timer = uv.new_timer()
  local stopped = false
  local function stop()
    stopped = true
    if not timer:is_closing() then
      timer:stop()
      timer:close()
    end
  end
  -- on_lines rather than TextChanged: it sees every change, typed or made
  -- through the API or by undo, and it costs a timer restart per change.
  vim.api.nvim_buf_attach(buf, false, {
    on_lines = function()
      if stopped then
        return true -- detaches
      end
      timer:stop()
      timer:start(M.delay, 0, vim.schedule_wrap(function()
        if not stopped and vim.api.nvim_buf_is_valid(buf) then
          refresh(buf)
        end
      end))
    end,
    on_detach = stop,
  })
  return stop
end

return M
