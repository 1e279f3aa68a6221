-- A small TAP harness for the headless-Neovim suites, loaded by ./build.sh test:
--   nvim --clean --headless --cmd 'set rtp^=plugin' -c 'luafile tests/nvim/harness.lua'
-- with DATELINE_SPEC naming the spec file. A spec receives the harness table
-- and registers tests with T.test(name, fn); each runs in a clean editor state
-- and fails by raising an error (T.eq and friends raise with a useful message).

local T = {}
T.root = assert(os.getenv('DATELINE_ROOT'), 'DATELINE_ROOT is not set')
T.shared = os.getenv('DATELINE_SHARED') or (T.root .. '/../shared')

local tests = {}

--- End the running test as skipped: it is reported "ok N - name # SKIP reason".
function T.skip(reason)
  error({ skip = reason }, 0)
end

--- A path inside the project's shared data (the reference article, the
--- corpus). A clone made from the project's home page has none: a test that
--- asks for a path that is not there is skipped, not failed.
function T.shared_path(relative)
  local path = T.shared .. '/' .. relative
  if not (vim.uv or vim.loop).fs_stat(path) then
    T.skip('not run: the shared data is not here (' .. path .. ')')
  end
  return path
end

-- T.seed, the reference article, is looked up when a test first reads it.
setmetatable(T, {
  __index = function(_, key)
    if key == 'seed' then
      return T.shared_path('seeds/000_8262d85f5fa5c412.txt')
    end
  end,
})

function T.test(name, fn)
  table.insert(tests, { name = name, fn = fn })
end

function T.eq(actual, expected, what)
  if not vim.deep_equal(actual, expected) then
    error(
      string.format('%s: expected %s, got %s', what or 'value', vim.inspect(expected), vim.inspect(actual)),
      2
    )
  end
end

function T.truthy(value, what)
  if not value then
    error((what or 'value') .. ': expected a true value, got ' .. vim.inspect(value), 2)
  end
  return value
end

function T.matches(text, pattern, what)
  if type(text) ~= 'string' or not text:find(pattern) then
    error(string.format('%s: %s does not match %q', what or 'text', vim.inspect(text), pattern), 2)
  end
end

--- Wait up to `ms` for `predicate()` to hold, letting the event loop run.
function T.wait_for(predicate, ms, what)
  if not vim.wait(ms or 5000, predicate, 10) then
    error('timed out waiting for ' .. (what or 'a condition'), 2)
  end
end

--- A fresh temporary directory, removed when the test ends.
local cleanups = {}
function T.tempdir()
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, 'p')
  table.insert(cleanups, function()
    vim.fn.delete(dir, 'rf')
  end)
  return dir
end

function T.on_cleanup(fn)
  table.insert(cleanups, fn)
end

local function out(line)
  io.stdout:write(line, '\n')
  io.stdout:flush()
end

local function reset_editor()
  for _, fn in ipairs(cleanups) do
    pcall(fn)
  end
  cleanups = {}
  vim.cmd('silent! %bwipeout!')
  vim.cmd('silent! only')
end

local spec = assert(os.getenv('DATELINE_SPEC'), 'DATELINE_SPEC is not set')
local loaded, load_error = loadfile(spec)
if not loaded then
  out('not ok 1 - load ' .. spec)
  out('# ' .. tostring(load_error))
  out('1..1')
  vim.cmd('cquit 1')
end
loaded(T)

local failures = 0
for index, test in ipairs(tests) do
  local ok, err = xpcall(test.fn, debug.traceback)
  reset_editor()
  if ok then
    out(string.format('ok %d - %s', index, test.name))
  elseif type(err) == 'table' and err.skip then
    out(string.format('ok %d - %s # SKIP %s', index, test.name, err.skip))
  else
    failures = failures + 1
    out(string.format('not ok %d - %s', index, test.name))
    for line in tostring(err):gmatch('[^\n]+') do
      out('#   ' .. line)
    end
  end
end
out('1..' .. #tests)
vim.cmd(failures == 0 and 'qall!' or 'cquit 1')
