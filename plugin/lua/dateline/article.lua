-- The article model of a buffer, as the core computes it: the server's
-- `dateline/article` answer, which is what `dateline outline --json` prints
-- (docs/cli.md), for the buffer's current text. Every count and every speaker
-- the editor shows comes from here; nothing in Lua counts words or credits
-- quotations.
--
-- Asked asynchronously: get() never waits. While the user types, the last
-- answer is kept and one request goes out once typing pauses; answers are
-- cached per b:changedtick. Each answer (or failure) fires `User
-- DatelineArticle` with data { buf = buf, stats_only = boolean }.
--
-- A statusline needs only the counts: stats() asks for them alone, because
-- decoding a whole model is done on the main loop and a 1 MB article's
-- takes a tenth of a second or more; when the whole model is current, its
-- counts serve.

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

-- Per kind of answer ('model': the whole model, 'stats': the counts), per
-- buffer.
local entries = { model = {}, stats = {} } ---@type table<string, table<integer, dateline.ArticleEntry>>

local function forget(buf)
  for _, kind in pairs(entries) do
    local entry = kind[buf]
    if entry and entry.timer then
      entry.timer:stop()
      entry.timer:close()
    end
    kind[buf] = nil
  end
end

local function buffer(buf)
  return (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
end

local function entry_for(buf, kind)
  local entry = entries[kind][buf]
  if not entry then
    entry = { waiters = {}, sent = 0, kind = kind }
    local first = not entries.model[buf] and not entries.stats[buf]
    entries[kind][buf] = entry
    if first then
      vim.api.nvim_create_autocmd('BufWipeout', {
        buffer = buf,
        once = true,
        desc = 'dateline: drop the cached article model',
        callback = function()
          forget(buf)
        end,
      })
    end
  end
  return entry
end

local function send(buf, entry)
  local tick = vim.api.nvim_buf_get_changedtick(buf)
  entry.wanted, entry.sent_tick = tick, tick
  entry.sent = entry.sent + 1
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) } }
  if entry.kind == 'stats' then
    params.only = 'stats'
  end
  lsp.request(buf, 'dateline/article', params, function(err, model)
    entry.sent = entry.sent - 1
    if entries[entry.kind][buf] ~= entry then
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
    vim.api.nvim_exec_autocmds('User', {
      pattern = 'DatelineArticle',
      modeline = false,
      data = { buf = buf, stats_only = entry.kind == 'stats' },
    })
  end)
end

local function schedule(buf, entry, tick)
  entry.wanted = tick
  entry.timer = entry.timer or uv.new_timer()
  entry.timer:stop()
  entry.timer:start(M.DEBOUNCE_MS, 0, vim.schedule_wrap(function()
    if entries[entry.kind][buf] == entry and vim.api.nvim_buf_is_valid(buf) then
      send(buf, entry)
    end
  end))
end

-- The last answer of `kind` for `buf`, asking for the current text's when
-- it is not that (at once the first time, else once typing pauses).
local function ask(buf, kind)
  local entry = entry_for(buf, kind)
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
  return ask(buf, 'model')
end

--- The core's counts of `buf` (the model's `stats`: words, paragraphs,
--- quotations, reading time), and whether they are about the current text;
--- like get(), but only the counts travel when the whole model is not
--- already current.
---@param buf integer? 0 or nil: the current buffer
---@return table? stats nil before the first answer, or without a server
---@return boolean current
function M.stats(buf)
  buf = buffer(buf)
  if not M.available(buf) then
    return nil, false
  end
  local whole = entries.model[buf]
  local tick = vim.api.nvim_buf_get_changedtick(buf)
  if whole and whole.tick == tick and whole.model then
    return whole.model.stats, true
  end
  -- The answer is the counts alone, as `dateline stats --json` prints them.
  return ask(buf, 'stats')
end

--- Why the last request for `buf` failed, if it did.
---@param buf integer
---@return string?
function M.last_error(buf)
  return entries.model[buf] and entries.model[buf].error
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
  local entry = entry_for(buf, 'model')
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
