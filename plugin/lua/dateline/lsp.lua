-- The language server, `dateline lsp`: one client per repository, attached to
-- every article buffer in it. Besides diagnostics, symbols and hover it does
-- all history work: it records a version on didSave (on its own thread) and
-- answers workspace/executeCommand for log, diff, show, restore and blame, so
-- no save pays for a process start and the editor never waits.
--
-- What can go wrong is said once: a missing CLI, a server that does not
-- start, a server that died (it is restarted on the next write).
--
-- This is the transport only: it requires no feature module. Features listen
-- with M.on(event, fn) for what the server says (`dateline/recorded`,
-- `window/showMessage`) and for what the transport itself reports
-- (`unrecorded-write`, a buffer written while its server was down).

local cli = require('dateline.cli')
local config = require('dateline.config')

local M = {}

M.name = 'dateline'

-- Restarts allowed in RESTART_WINDOW_MS before dateline gives up on a root:
-- a server that dies at once on every start must not cost a process per write.
local MAX_RESTARTS = 3
local RESTART_WINDOW_MS = 60000

local uv = vim.uv or vim.loop

local warned = {} ---@type table<string, true>
local initialized = {} ---@type table<integer, true> client id -> initialize answered
local queued = {} ---@type table<integer, function[]> client id -> requests waiting for initialize
local stopped_by_us = {} ---@type table<integer, true>
local died = {} ---@type table<string, string> root -> why its server stopped (restart pending)
local given_up = {} ---@type table<string, true>
local restarts = {} ---@type table<string, integer[]> root -> times of recent restarts
local after_restart = {} ---@type table<string, integer[]> root -> buffers to snapshot once it runs
-- Buffers attach() was asked for (re-attached after a restart) -> the id of
-- the client last started or reused for them, true when none started.
local buffers = {} ---@type table<integer, integer|true>
local listeners = {} ---@type table<string, function[]> event -> listeners

--- Listen to `event`: a server notification's method (`dateline/recorded`,
--- `window/showMessage`; `fn(result, client_id)`), or `unrecorded-write`
--- (`fn(buf)`: the buffer was written while its server was down, and the
--- restarted server has not recorded it). Listeners run on the main loop.
---@param event string
---@param fn function
function M.on(event, fn)
  listeners[event] = listeners[event] or {}
  if not vim.tbl_contains(listeners[event], fn) then
    table.insert(listeners[event], fn)
  end
end

local function emit(event, ...)
  for _, fn in ipairs(listeners[event] or {}) do
    fn(...)
  end
end

--- Show `message` once per `kind` for the session (vim.notify, WARN).
---@param kind string
---@param message string
---@return boolean shown false when this kind was shown before
function M.warn_once(kind, message)
  if warned[kind] then
    return false
  end
  warned[kind] = true
  vim.notify(message, vim.log.levels.WARN)
  return true
end

--- Forget the warnings shown and the servers given up on (tests, setup()).
function M.reset_warnings()
  warned = {}
  given_up = {}
  restarts = {}
end

-- Neovim 0.11 made request/notify methods (client:request); 0.9 and 0.10
-- only have the dot form.
local function call(client, method, ...)
  if vim.fn.has('nvim-0.11') == 1 then
    return client[method](client, ...)
  end
  return client[method](...)
end

local function client_request(client, method, params, handler, buf)
  return call(client, 'request', method, params, handler, buf)
end

local function is_stopped(client)
  return call(client, 'is_stopped')
end

--- The `dateline` CLI: the one built next to the plugin, else the one on PATH.
---@return string? path
M.cli_path = cli.path

--- The command that starts the server, or nil and why not.
---@return string[]? cmd
---@return string? why nil when the user turned the server off
function M.server_cmd()
  local cmd = config.get().cmd
  if cmd == false then
    return nil, nil
  end
  if type(cmd) == 'table' then
    return vim.deepcopy(cmd)
  end
  local cli = M.cli_path()
  if not cli then
    return nil, 'the dateline CLI was found neither in the plugin (bin/dateline) nor on PATH'
  end
  return { cli, 'lsp' }
end

--- The repository holding the buffer's file (the server's root), else the
--- file's directory.
---@param buf integer
---@return string
function M.root_dir(buf)
  local dir = vim.fs.dirname(vim.api.nvim_buf_get_name(buf))
  local git = vim.fs.find('.git', { upward = true, path = dir })[1]
  return git and vim.fs.dirname(git) or dir
end

-- Only buffers holding a file on disk have history; version buffers and
-- scratch buffers are articles too, but the server has nothing to record.
local function is_file_buffer(buf)
  return vim.api.nvim_buf_is_valid(buf)
    and vim.bo[buf].buftype == ''
    and vim.api.nvim_buf_get_name(buf) ~= ''
    and not vim.api.nvim_buf_get_name(buf):find('^%a[%w+.-]*://')
end

--- The running dateline client attached to `buf`.
---@param buf integer?
---@return vim.lsp.Client?
function M.client(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  for _, client in ipairs(get({ bufnr = buf, name = M.name })) do
    if not is_stopped(client) then
      return client
    end
  end
  -- Neovim 0.10 lists a client only once it answered initialize; requests
  -- sent before then wait for it (see M.request).
  local id = buffers[buf]
  local starting = type(id) == 'number' and vim.lsp.get_client_by_id(id)
  if starting and not is_stopped(starting) then
    return starting
  end
end

local function describe_exit(code, signal)
  if signal and signal ~= 0 then
    return string.format('it was stopped by signal %d', signal)
  end
  return string.format('it exited with code %d', code)
end

local function allowed_to_restart(root)
  local now = uv.now()
  local recent = vim.tbl_filter(function(time)
    return now - time < RESTART_WINDOW_MS
  end, restarts[root] or {})
  restarts[root] = recent
  if #recent >= MAX_RESTARTS then
    return false
  end
  recent[#recent + 1] = now
  return true
end

local function flush_queue(client_id)
  local waiting = queued[client_id] or {}
  queued[client_id] = nil
  for _, send in ipairs(waiting) do
    send()
  end
end

local function on_init(client)
  initialized[client.id] = true
  -- The plugin colours articles with its tree-sitter queries; the server's
  -- semantic tokens (standard types, for editors without them) would paint
  -- over those with the colour scheme's code colours.
  client.server_capabilities.semanticTokensProvider = nil
  -- Scheduled: Neovim sends didOpen for the attached buffers right after
  -- on_init returns, and a request must not overtake it.
  vim.schedule(function()
    flush_queue(client.id)
    local root = client.config.root_dir
    local written = after_restart[root] or {}
    after_restart[root] = nil
    for _, buf in ipairs(written) do
      -- The write that found the server dead, or still starting, was never
      -- recorded.
      if vim.api.nvim_buf_is_valid(buf) and config.get().history.record_on_save then
        emit('unrecorded-write', buf)
      end
    end
  end)
end

local schedule_restart -- defined below, with restart()

local function on_exit(code, signal, client_id, root, cmd)
  local was_running = initialized[client_id]
  initialized[client_id] = nil
  queued[client_id] = nil
  if stopped_by_us[client_id] or vim.v.exiting ~= vim.NIL then
    stopped_by_us[client_id] = nil
    return
  end
  if not was_running then
    given_up[root] = true
    M.warn_once('start-failed', string.format(
      'dateline: the history server (%s) did not start: %s. Versions are not recorded; '
        .. 'the rest of dateline works. Run :checkhealth dateline.',
      table.concat(cmd, ' '), describe_exit(code, signal)))
    return
  end
  -- Whatever the cause (a crash, a kill, :LspStop), it is started again:
  -- recording on save is the promise. cmd = false in setup() is the way to do
  -- without it.
  died[root] = describe_exit(code, signal)
  schedule_restart(root)
end

-- A handler that hands a notification to the listeners of its method.
local function forward(method)
  return function(_, result, ctx)
    vim.schedule(function()
      emit(method, result or {}, ctx.client_id)
    end)
  end
end

local function client_config(cmd, root)
  local history = config.get().history
  return {
    name = M.name,
    cmd = cmd,
    root_dir = root,
    init_options = {
      recordOnSave = history.record_on_save,
      exclude = history.exclude,
      store = history.store,
    },
    handlers = {
      ['dateline/recorded'] = forward('dateline/recorded'),
      ['window/showMessage'] = forward('window/showMessage'),
      -- The plugin reports every recording itself (dateline/recorded); the
      -- server's log lines are for clients without it.
      ['window/logMessage'] = function() end,
    },
    -- Neovim sends a change at once, inside the keystroke that made it, when
    -- no change went out for debounce_text_changes ms: at the default 150 a
    -- steady typist pays the write to the server's pipe on every key (0.5 to
    -- 2 ms on a busy machine). At a second it goes out from a timer instead,
    -- and sooner with any request (Neovim sends pending changes first: the
    -- live views ask 150 ms after typing pauses, semantic tokens 200 ms), so
    -- no answer is about stale text.
    flags = { debounce_text_changes = 1000 },
    on_init = on_init,
    on_exit = function(code, signal, client_id)
      vim.schedule(function()
        on_exit(code, signal, client_id, root, cmd)
      end)
    end,
  }
end

-- One server per repository and set of options: a client that is stopping,
-- or was started with another command or options, is not reused.
local function reuse_client(client, wanted)
  return client.name == wanted.name
    and client.config.root_dir == wanted.root_dir
    and not is_stopped(client)
    and vim.deep_equal(client.config.cmd, wanted.cmd)
    and vim.deep_equal(client.config.init_options, wanted.init_options)
end

--- Attach the server to an article buffer, starting it for the buffer's
--- repository if it is not running. Never raises; failures are said once.
---@param buf integer
---@return integer? client_id
function M.attach(buf)
  if not is_file_buffer(buf) then
    return nil
  end
  buffers[buf] = buffers[buf] or true
  local cmd, why = M.server_cmd()
  if not cmd then
    if why then
      M.warn_once('missing-cli', 'dateline: ' .. why .. '; versions are not recorded and history commands '
        .. 'do not work. Build it with ./build.sh build, or set `cmd` in setup().')
    end
    return nil
  end
  if vim.fn.executable(cmd[1]) ~= 1 then
    M.warn_once('missing-cli', string.format('dateline: cannot start the history server: %s is not an '
      .. 'executable; versions are not recorded. Build it with ./build.sh build, or set `cmd` in setup().',
      cmd[1]))
    return nil
  end
  local root = M.root_dir(buf)
  if given_up[root] then
    return nil
  end
  local ok, client_id = pcall(vim.lsp.start, client_config(cmd, root), {
    bufnr = buf,
    silent = true,
    reuse_client = reuse_client,
  })
  if not ok or not client_id then
    M.warn_once('start-failed', string.format('dateline: the history server (%s) did not start%s. '
      .. 'Versions are not recorded; the rest of dateline works. Run :checkhealth dateline.',
      table.concat(cmd, ' '), ok and '' or ': ' .. tostring(client_id)))
    return nil
  end
  died[root] = nil
  buffers[buf] = client_id
  return client_id
end

--- Forget `buf`: it is no longer an article, so a restarted server leaves it
--- alone and its writes restart nothing.
---@param buf integer
function M.detach(buf)
  buffers[buf] = nil
end

--- Stop the servers dateline started (setup() with another cmd, tests).
function M.stop_all()
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  for _, client in ipairs(get({ name = M.name })) do
    stopped_by_us[client.id] = true
    call(client, 'stop', true)
  end
  died = {}
end

-- Start the server of `root` again after it died, re-attaching every
-- article buffer of the repository; `written` is the buffer whose write found
-- it dead, whose version nobody recorded yet.
local function restart(root, written)
  local why = died[root]
  if not why or given_up[root] then
    return
  end
  died[root] = nil
  if not allowed_to_restart(root) then
    given_up[root] = true
    M.warn_once('gave-up:' .. root, string.format('dateline: the history server keeps stopping (%s); '
      .. 'dateline stopped restarting it, and versions are not recorded. Run :checkhealth dateline.', why))
    return
  end
  if written then
    after_restart[root] = after_restart[root] or {}
    table.insert(after_restart[root], written)
  end
  local started = false
  for buf in pairs(buffers) do
    if not vim.api.nvim_buf_is_valid(buf) then
      buffers[buf] = nil
    elseif is_file_buffer(buf) and M.root_dir(buf) == root and M.attach(buf) then
      started = true
    end
  end
  if started then
    M.warn_once('restarted:' .. root .. ':' .. uv.now(), string.format(
      'dateline: the history server had stopped (%s); it was restarted, and saving records versions again.', why))
  else
    -- Nothing to attach now (or it failed): the next write tries again.
    died[root] = why
  end
end

-- Restart at once, not at the next write: Neovim 0.10 stops sending a
-- buffer's changes to any server for good when the buffer is edited while no
-- client is attached (its on_lines listener detaches itself), so a server
-- started later would record stale text.
schedule_restart = function(root)
  vim.schedule(function()
    restart(root, nil)
  end)
end

-- After a write: a server that could not be restarted is tried again, and
-- this write's version is snapshotted once it runs.
local function on_write(buf)
  local client = M.client(buf)
  if client and not initialized[client.id] and is_file_buffer(buf) then
    -- Still starting: Neovim attaches the buffer (and sends didSave) only
    -- once initialize is answered, so this write would go unrecorded.
    local root = client.config.root_dir
    after_restart[root] = after_restart[root] or {}
    table.insert(after_restart[root], buf)
    return
  end
  if client or not is_file_buffer(buf) then
    return
  end
  restart(M.root_dir(buf), buf)
end

local autocommands_created = false

--- Create the one BufWritePost autocommand that restarts a dead server.
function M.setup_autocommands()
  if autocommands_created then
    return
  end
  autocommands_created = true
  vim.api.nvim_create_autocmd('BufWritePost', {
    group = vim.api.nvim_create_augroup('dateline.lsp', { clear = true }),
    desc = 'dateline: restart the history server if it stopped',
    callback = function(event)
      if buffers[event.buf] then
        on_write(event.buf)
      end
    end,
  })
end

--- Send request `method` about `buf` to its server, once the server answered
--- initialize; `callback(err, result)` runs on the main loop, and only while
--- `buf` is valid. Neovim sends the buffer's pending changes first, so the
--- answer is about the text at the time of the call or later.
---@param buf integer
---@param method string
---@param params table
---@param callback fun(err: string?, result: table?)
---@param what string? names the request in an error (default: `method`)
function M.request(buf, method, params, callback, what)
  local client = M.client(buf)
  if not client then
    vim.schedule(function()
      callback('the dateline server is not running for this buffer; see :checkhealth dateline')
    end)
    return
  end
  local function send()
    if not vim.api.nvim_buf_is_valid(buf) or is_stopped(client) then
      return
    end
    client_request(client, method, params, function(err, result)
      vim.schedule(function()
        if not vim.api.nvim_buf_is_valid(buf) then
          return
        end
        if err then
          callback(type(err) == 'table' and (err.message or vim.inspect(err)) or tostring(err))
        elseif type(result) ~= 'table' then
          callback(string.format('%s returned %s', what or method, vim.inspect(result)))
        else
          callback(nil, result)
        end
      end)
    end, buf)
  end
  if initialized[client.id] then
    send()
  else
    queued[client.id] = queued[client.id] or {}
    table.insert(queued[client.id], send)
  end
end

--- Run a server command (workspace/executeCommand) for `buf`; `callback(err,
--- result)` runs on the main loop, and only while `buf` is valid.
---@param buf integer
---@param command string dateline.snapshot, dateline.log, ...
---@param arguments table the command's argument object; `uri` is filled in
---@param callback fun(err: string?, result: table?)
function M.execute(buf, command, arguments, callback)
  arguments = vim.deepcopy(arguments)
  arguments.uri = arguments.uri or vim.uri_from_bufnr(buf)
  M.request(buf, 'workspace/executeCommand', { command = command, arguments = { arguments } }, callback,
    command)
end

--- Whether the server of `buf` has answered initialize.
---@param buf integer?
function M.is_ready(buf)
  local client = M.client(buf)
  return client ~= nil and initialized[client.id] == true
end

return M
