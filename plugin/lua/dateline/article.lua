-- The article model of a buffer, as the core computes it: the server's
-- `dateline/article` answer, which is what `dateline outline --json` prints
-- (docs/cli.md), for the buffer's current text. Every count and every speaker
-- the editor shows comes from here; nothing in Lua counts words or credits
-- quotations.
--
-- Asked asynchronously: get() never waits. While the user types, the last
-- answer is kept and one request goes out once typing pauses; answers are
-- cached per b:changedtick. Each answer (or failure) fires `User
-- DatelineArticle` with data { buf = buf }.

local lsp = require('dateline.lsp')

local M = {}

-- Quiet typing waited for before the server is asked again.
M.DEBOUNCE_MS = 150

local uv = vim.uv or vim.loop

---@class dateline.ArticleEntry
---@field model table? the last answer
---@field tick integer? the changedtick the last answer is about
---@field error string? why the last request failed
---@field error_tick integer? the changedtick that request was about
---@field wanted integer? the changedtick a request is scheduled or sent for
---@field timer uv_timer_t?
---@field sent integer requests on their way
---@field sent_tick integer? the changedtick the last request sent is about
---@field waiters fun(err: string?, model: table?)[]

local entries = {} ---@type table<integer, dateline.ArticleEntry>

local function forget(buf)
  local entry = entries[buf]
  if entry and entry.timer then
    entry.timer:stop()
    entry.timer:close()
  end
  entries[buf] = nil
end

local function buffer(buf)
  return (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
end

local function entry_for(buf)
  local entry = entries[buf]
  if not entry then
    entry = { waiters = {}, sent = 0 }
    entries[buf] = entry
    vim.api.nvim_create_autocmd('BufWipeout', {
      buffer = buf,
      once = true,
      desc = 'dateline: drop the cached article model',
      callback = function()
        forget(buf)
      end,
    })
  end
  return entry
end

local function send(buf, entry)
  local tick = vim.api.nvim_buf_get_changedtick(buf)
  entry.wanted, entry.sent_tick = tick, tick
  entry.sent = entry.sent + 1
  lsp.request(buf, 'dateline/article', { textDocument = { uri = vim.uri_from_bufnr(buf) } }, function(err, model)
    entry.sent = entry.sent - 1
    if entries[buf] ~= entry then
      return
    end
    if err then
      entry.error, entry.error_tick = err, tick
    else
      entry.model, entry.tick, entry.error = model, tick, nil
    end
    -- A newer request is on its way: its answer wakes the waiters.
    if entry.wanted ~= tick then
      return
    end
    entry.wanted = nil
    local waiters = entry.waiters
    entry.waiters = {}
    for _, waiter in ipairs(waiters) do
      waiter(err, entry.model)
    end
    vim.api.nvim_exec_autocmds('User', { pattern = 'DatelineArticle', modeline = false, data = { buf = buf } })
  end)
end

local function schedule(buf, entry, tick)
  entry.wanted = tick
  entry.timer = entry.timer or uv.new_timer()
  entry.timer:stop()
  entry.timer:start(M.DEBOUNCE_MS, 0, vim.schedule_wrap(function()
    if entries[buf] == entry and vim.api.nvim_buf_is_valid(buf) then
      send(buf, entry)
    end
  end))
end

--- Whether the core's model can be asked for: a dateline server runs for
--- `buf`.
---@param buf integer
---@return boolean
function M.available(buf)
  return lsp.client(buf) ~= nil
end

--- The last model of `buf`, and whether it is about the buffer's current
--- text. Never waits: when the text changed since, a request is scheduled
--- for when typing pauses (`User DatelineArticle` says when it is answered).
---@param buf integer? 0 or nil: the current buffer
---@return table? model nil before the first answer, or without a server
---@return boolean current
function M.get(buf)
  buf = buffer(buf)
  -- Without a server nobody can say what the text holds now.
  if not M.available(buf) then
    return nil, false
  end
  local entry = entry_for(buf)
  local tick = vim.api.nvim_buf_get_changedtick(buf)
  if entry.tick == tick then
    return entry.model, true
  end
  -- One request per text: not again for a tick asked for or refused.
  if entry.wanted ~= tick and entry.error_tick ~= tick then
    if entry.model or entry.sent > 0 then
      schedule(buf, entry, tick)
    else
      -- Nothing to show yet and nothing asked: no reason to wait for a pause.
      send(buf, entry)
    end
  end
  return entry.model, false
end

--- Why the last request for `buf` failed, if it did.
---@param buf integer
---@return string?
function M.last_error(buf)
  return entries[buf] and entries[buf].error
end

--- The model of `buf`'s current text, asked for now; `callback(err, model)`
--- runs on the main loop.
---@param buf integer? 0 or nil: the current buffer
---@param callback fun(err: string?, model: table?)
function M.fetch(buf, callback)
  buf = buffer(buf)
  if not M.available(buf) then
    vim.schedule(function()
      callback('the dateline server is not running for this buffer; see :checkhealth dateline')
    end)
    return
  end
  local entry = entry_for(buf)
  local tick = vim.api.nvim_buf_get_changedtick(buf)
  if entry.tick == tick then
    local model = entry.model
    vim.schedule(function()
      callback(nil, model)
    end)
    return
  end
  table.insert(entry.waiters, callback)
  -- The request for this text may be on its way already.
  if entry.sent > 0 and entry.sent_tick == tick then
    return
  end
  if entry.timer then
    entry.timer:stop()
  end
  send(buf, entry)
end

return M
