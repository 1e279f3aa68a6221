-- Recording versions: what the server says after each save
-- (`dateline/recorded`), :Dateline snapshot and :Dateline note, and the one
-- warning per kind of failure. A failure never fails the write: the file is
-- on disk before the server even hears of it.

local lsp = require('dateline.lsp')

local M = {}

-- dateline/recorded notifications handled, successful or not (tests wait on it).
M.events = 0

-- How to fix a failure, by what its message mentions; the first match wins.
local FIXES = {
  { 'lock', 'a stale lock file is left by a process that was killed: remove the file it names' },
  { 'not a directory', 'history.store (setup()) or $DATELINE_STORE must name a directory' },
  { 'store', 'check history.store in setup() and $DATELINE_STORE' },
  { 'corrupt', 'check the repository with `git fsck`' },
  { 'object', 'check the repository with `git fsck`' },
  { 'permission', 'make the repository writable' },
  { 'read%-only', 'make the repository writable' },
  { 'space', 'free some disk space' },
}

local function fix_for(message)
  local lower = message:lower()
  for _, fix in ipairs(FIXES) do
    if lower:find(fix[1]) then
      return fix[2]
    end
  end
  return 'run :checkhealth dateline'
end

-- Two failures are the same kind when their messages differ only in ids,
-- numbers and times.
local function failure_kind(message)
  return (message:gsub('%x%x%x%x%x%x%x+', '#'):gsub('%d+', '0'))
end

-- When a recording failure was last reported: the server may also say it
-- through window/showMessage, and the user should hear it once.
local last_failure_time = nil ---@type integer?
local failure_texts = {} ---@type string[]
local SAME_FAILURE_MS = 5000

local uv = vim.uv or vim.loop

--- The buffer showing the document `uri`, without creating one.
---@param uri string
---@return integer?
function M.buffer_for_uri(uri)
  if type(uri) ~= 'string' then
    return nil
  end
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.api.nvim_buf_get_name(buf) ~= ''
      and vim.uri_from_bufnr(buf) == uri then
      return buf
    end
  end
end

local function report_failure(buf, message)
  last_failure_time = uv.now()
  failure_texts[#failure_texts + 1] = message
  local name = buf and vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ':~:.') or 'the article'
  lsp.warn_once('record:' .. failure_kind(message), string.format(
    'dateline: %s was saved, but its version was not recorded: %s. To fix: %s. '
      .. '(Said once; later writes that fail the same way are silent.)',
    name, message, fix_for(message)))
end

local function announce(buf, id)
  vim.b[buf].dateline_version = id
  -- The history browser's cache, blame and anyone else listening.
  vim.api.nvim_exec_autocmds('User', {
    pattern = 'DatelineRecorded',
    modeline = false,
    data = { buf = buf, id = id },
  })
end

-- A restore in the editor only changes the buffer; the version the writer
-- records next is the restored text, and its note says where it came from
-- so the history reads "restored from …" instead of an unexplained rewind.
-- Keyed by buffer; consumed by the next recording of that buffer, whether
-- it records anything or not (an unchanged save means the restore was a
-- no-op or was undone).

--- Remember that `buf` now holds the text of version `id`.
---@param buf integer
---@param id string
function M.mark_restore(buf, id)
  vim.b[buf].dateline_restored_from = id:sub(1, 10)
end

-- The note for the next version of `buf`: the writer's own, prefixed by the
-- restore mark if one is pending. Clears the mark.
local function take_note(buf, note)
  local from = buf and vim.api.nvim_buf_is_valid(buf) and vim.b[buf].dateline_restored_from
  if not from then
    return note
  end
  vim.b[buf].dateline_restored_from = nil
  local mark = 'restored from ' .. from
  return note and (mark .. '; ' .. note) or mark
end

-- Attach the restore mark to `id`, the version a save just recorded.
local function note_restore(buf, id)
  local note = take_note(buf, nil)
  if note and id then
    lsp.execute(buf, 'dateline.note', { note = note, rev = id }, function(err)
      if err then
        vim.notify('dateline: note: ' .. err, vim.log.levels.ERROR)
      else
        announce(buf, id)
      end
    end)
  end
end

--- `dateline/recorded` from the server, after each didSave.
---@param result { uri: string, recorded: boolean, id: string?, error: string? }
function M.on_recorded(result, _)
  M.events = M.events + 1
  local buf = M.buffer_for_uri(result.uri)
  if result.error then
    report_failure(buf, tostring(result.error))
    return
  end
  if buf and vim.api.nvim_buf_is_valid(buf) then
    announce(buf, result.id)
    if result.recorded then
      note_restore(buf, result.id)
    else
      take_note(buf, nil)
    end
  end
end

--- window/showMessage from the dateline server. Errors and warnings go through
--- vim.notify once per text; one that repeats a recording failure the user
--- was just told about is dropped.
---@param result { type: integer, message: string }
function M.on_server_message(result, _)
  local message = tostring(result.message or '')
  local level = ({ vim.log.levels.ERROR, vim.log.levels.WARN, vim.log.levels.INFO, vim.log.levels.DEBUG })[
    result.type or 3] or vim.log.levels.INFO
  if level >= vim.log.levels.WARN then
    local function show()
      for _, text in ipairs(failure_texts) do
        if message:find(text, 1, true) or text:find(message, 1, true) then
          return
        end
      end
      if last_failure_time and uv.now() - last_failure_time < SAME_FAILURE_MS then
        return
      end
      lsp.warn_once('server:' .. failure_kind(message), 'dateline: ' .. message)
    end
    -- The server may send this before or after dateline/recorded: wait a
    -- moment so that the two are recognised as one failure.
    vim.defer_fn(show, 300)
  elseif level == vim.log.levels.INFO then
    vim.notify('dateline: ' .. message, level)
  end
end

--- :Dateline snapshot [note]: record the buffer's current text now.
---@param buf integer
---@param note string?
---@param callback fun(err: string?, result: table?)?
function M.snapshot(buf, note, callback)
  M.execute_snapshot(buf, note, function(err, result)
    if err then
      vim.notify('dateline: snapshot: ' .. err, vim.log.levels.ERROR)
    elseif result.recorded then
      vim.notify(string.format('dateline: recorded %s%s', (result.id or ''):sub(1, 10),
        result.note and (' — ' .. result.note) or ''), vim.log.levels.INFO)
    elseif note then
      vim.notify(string.format('dateline: unchanged since %s; the note is attached to it — %s',
        (result.id or ''):sub(1, 10), note), vim.log.levels.INFO)
    else
      vim.notify('dateline: unchanged since the latest version; nothing recorded', vim.log.levels.INFO)
    end
    if callback then
      callback(err, result)
    end
  end)
end

--- Ask the server for a snapshot of `buf`; a pending restore mark goes into
--- the note of the version it records. `result.note` is the note sent.
function M.execute_snapshot(buf, note, callback)
  local sent = take_note(buf, note)
  lsp.execute(buf, 'dateline.snapshot', { note = sent }, function(err, result)
    if not err then
      result.note = sent
      -- A note on unchanged content changes the latest version's note.
      if result.recorded or sent then
        announce(buf, result.id)
      end
    end
    callback(err, result)
  end)
end

--- The answer to a snapshot the plugin asked for on the writer's behalf (the
--- first write of a new .txt story, before the server knew the buffer): a
--- failure is told like any save's whose version was not recorded.
---@param buf integer
---@param err string?
function M.on_snapshot(buf, err)
  if err then
    report_failure(buf, tostring(err))
  end
end

--- :Dateline note {text}: annotate a version (default: the latest).
---@param buf integer
---@param note string
---@param rev string?
---@param callback fun(err: string?, result: table?)?
function M.note(buf, note, rev, callback)
  lsp.execute(buf, 'dateline.note', { note = note, rev = rev }, function(err, result)
    if err then
      vim.notify('dateline: note: ' .. err, vim.log.levels.ERROR)
    else
      vim.notify(string.format('dateline: noted %s — %s', (result.id or ''):sub(1, 10), note), vim.log.levels.INFO)
      announce(buf, vim.b[buf].dateline_version)
    end
    if callback then
      callback(err, result)
    end
  end)
end

local listening = false

--- Listen to the transport: what the server says after each save, its
--- messages, and writes made while it was down (recorded once it runs again).
function M.setup()
  if listening then
    return
  end
  listening = true
  lsp.on('dateline/recorded', M.on_recorded)
  lsp.on('window/showMessage', M.on_server_message)
  lsp.on('unrecorded-write', function(buf)
    M.execute_snapshot(buf, nil, function(err)
      if err then
        report_failure(buf, err)
      end
    end)
  end)
end

return M
