-- Recording on :write through the language server, snapshots and notes, and
-- what the user sees when recording cannot work.
local T = ...
local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)
local R = dofile(T.root .. '/tests/nvim/history_helpers.lua')(T, H)

local function edited(lines, row, text)
  local copy = vim.deepcopy(lines)
  copy[row] = text
  return copy
end

T.test('a write records a version that stock git reads', function()
  R.setup()
  local dir = R.repo()
  local buf = R.edit(dir, R.V1)
  R.write(buf, R.V1)
  local commits = R.git_log(dir)
  T.eq(#commits, 1, 'versions in refs/dateline/story.article')
  T.eq(vim.b[buf].dateline_version, commits[1], 'b:dateline_version')
  local recorded = vim.fn.system({ 'git', '--git-dir=' .. dir .. '/.git/dateline', 'show', commits[1] .. ':story.article' })
  T.eq(vim.split(recorded, '\n'), vim.list_extend(vim.deepcopy(R.V1), { '' }), 'recorded content')
  T.eq(vim.fn.system({ 'git', '-C', dir, 'status', '--porcelain' }), '?? story.article\n', 'work tree untouched')
end)

T.test('three writes give three versions in order, with their notes', function()
  R.setup()
  local dir = R.repo()
  local buf = R.edit(dir, R.V1)
  R.write(buf, R.V1)
  local v2 = edited(R.V1, 7, 'The plan would add three new piers and a ferry terminal.')
  R.write(buf, v2)
  local noted = false
  require('dateline.record').note(buf, 'corrected pier count', nil, function()
    noted = true
  end)
  T.wait_for(function()
    return noted
  end, 5000, 'the note')
  local v3 = vim.list_extend(vim.deepcopy(v2), { '', 'The vote is now set for next month.' })
  R.write(buf, v3)
  T.eq(#R.git_log(dir), 3, 'versions in git')
  local log = R.execute(buf, 'dateline.log')
  local notes = vim.tbl_map(function(version)
    return type(version.note) == 'string' and version.note or false
  end, log.versions)
  T.eq(notes, { false, 'corrected pier count', false }, 'notes, newest first')
  T.eq(vim.tbl_map(function(version)
    return version.id
  end, log.versions), R.git_log(dir), 'order: newest first, as git has them')
  T.eq(log.versions[1].words_delta, 8, 'words added by the third write')
end)

T.test(':Dateline snapshot records now with its note; record_on_save = false records nothing on :write', function()
  R.setup({ history = { record_on_save = false } })
  local dir = R.repo()
  local buf = R.edit(dir, R.V1)
  vim.cmd('silent write')
  vim.wait(300)
  T.eq(#R.git_log(dir), 0, 'nothing recorded on :write')
  local messages = R.capture_notify()
  vim.cmd('Dateline snapshot first draft')
  T.wait_for(function()
    return #R.git_log(dir) == 1
  end, 5000, 'the snapshot')
  T.wait_for(function()
    return #messages > 0
  end, 5000, 'the message')
  T.matches(messages[1].message, 'recorded %x+ — first draft', 'message')
  local log = R.execute(buf, 'dateline.log')
  T.eq(log.versions[1].note, 'first draft', 'note')
end)

T.test(':Dateline snapshot with a note right after :write attaches the note to that version', function()
  R.setup()
  local dir = R.repo()
  local buf = R.edit(dir, R.V1)
  R.write(buf, R.V1)
  local messages = R.capture_notify()
  vim.cmd('Dateline snapshot checked with the clerk')
  T.wait_for(function()
    return #messages > 0
  end, 5000, 'the message')
  local latest = R.git_log(dir)
  T.eq(#latest, 1, 'nothing new recorded')
  T.matches(messages[1].message, 'unchanged since ' .. latest[1]:sub(1, 10) .. '; the note is attached to it',
    'message')
  T.eq(R.execute(buf, 'dateline.log').versions[1].note, 'checked with the clerk', 'the note')
end)

T.test('dateline snapshot -m on an unchanged file attaches the note to the latest version', function()
  local dir = R.repo()
  local path = dir .. '/story.article'
  vim.fn.writefile(R.V1, path)
  local cli = H.plugin .. '/bin/dateline'
  local first = vim.system({ cli, 'snapshot', path }, { text = true }):wait(20000)
  T.eq(first.code, 0, 'first snapshot: ' .. (first.stderr or ''))
  local again = vim.system({ cli, 'snapshot', '-m', 'checked with the clerk', path }, { text = true }):wait(20000)
  T.eq(again.code, 0, 'second snapshot: ' .. (again.stderr or ''))
  local notes = vim.system({ cli, 'log', '--json', path }, { text = true }):wait(20000)
  local log = vim.json.decode(notes.stdout)
  T.eq(#log.versions, 1, 'versions')
  T.eq(log.versions[1].note, 'checked with the clerk', 'the note')
end)

T.test('with a store that cannot work, every write succeeds and one warning says why', function()
  local dir = R.repo()
  local not_a_directory = T.tempdir() .. '/store'
  vim.fn.writefile({ 'a regular file' }, not_a_directory)
  R.setup({ history = { store = not_a_directory } })
  local messages = R.capture_notify()
  local buf, path = R.edit(dir, R.V1)
  local record = require('dateline.record')
  for index = 1, 3 do
    local lines = edited(R.V1, 9, 'Opponents gathered outside, take ' .. index .. '.')
    local before = record.events
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
    vim.cmd('silent write')
    T.eq(vim.fn.readfile(path), lines, 'the file is written, write ' .. index)
    T.eq(vim.bo[buf].modified, false, 'the buffer is saved, write ' .. index)
    T.wait_for(function()
      return record.events > before or #R.warnings(messages) > 0 and index > 1
    end, 10000, 'the server to answer write ' .. index)
  end
  vim.wait(800) -- any late window/showMessage
  local warnings = R.warnings(messages)
  T.eq(#warnings, 1, 'warnings: ' .. vim.inspect(warnings))
  T.matches(warnings[1].message, 'not recorded', 'says what happened')
  T.matches(warnings[1].message, 'To fix', 'says how to fix it')
  T.eq(#R.git_log(dir), 0, 'nothing recorded in the article repository')
end)

T.test('without the server, writes succeed and one warning names the missing program', function()
  R.setup({ cmd = { '/nonexistent/bin/dateline', 'lsp' } })
  local dir = R.repo()
  local messages = R.capture_notify()
  local path = dir .. '/story.article'
  vim.fn.writefile(R.V1, path)
  local buf = H.edit(path)
  for index = 1, 3 do
    vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '', 'Update ' .. index .. '.' })
    vim.cmd('silent write')
    T.eq(vim.fn.readfile(path)[#vim.fn.readfile(path)], 'Update ' .. index .. '.', 'written ' .. index)
  end
  H.edit(dir .. '/other.article')
  vim.wait(200)
  local warnings = R.warnings(messages)
  T.eq(#warnings, 1, 'warnings: ' .. vim.inspect(warnings))
  T.matches(warnings[1].message, '/nonexistent/bin/dateline', 'names the program')
  T.matches(warnings[1].message, 'build%.sh build', 'how to fix')
  T.eq(require('dateline').is_attached(buf), true, 'the rest of dateline works')
  T.truthy(vim.treesitter.highlighter.active[buf], 'highlighting runs')
end)

T.test('a server that dies is restarted, the next write is recorded, and the user is told once', function()
  R.setup()
  local dir = R.repo()
  local buf = R.edit(dir, R.V1)
  R.write(buf, R.V1)
  local messages = R.capture_notify()
  local lsp = require('dateline.lsp')
  local first = lsp.client(buf)
  first.rpc.terminate()
  T.wait_for(function()
    local client = lsp.client(buf)
    return client and client.id ~= first.id and lsp.is_ready(buf)
  end, 10000, 'a new server')
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '', 'A late addition.' })
  vim.cmd('silent write')
  T.wait_for(function()
    return #R.git_log(dir) == 2
  end, 10000, 'the write after the restart to be recorded')
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '', 'Another addition.' })
  vim.cmd('silent write')
  T.wait_for(function()
    return #R.git_log(dir) == 3
  end, 10000, 'later writes to be recorded as before')
  local recorded = vim.fn.system({ 'git', '--git-dir=' .. dir .. '/.git/dateline', 'show', R.git_log(dir)[1] .. ':story.article' })
  T.matches(recorded, 'Another addition%.\n$', 'the buffer text, not a stale one')
  local warnings = R.warnings(messages)
  T.eq(#warnings, 1, 'warnings: ' .. vim.inspect(warnings))
  T.matches(warnings[1].message, 'stopped', 'says the server had stopped')
end)

T.test('a server that died with no article open starts again with the next one, silently', function()
  R.setup()
  local dir = R.repo()
  local buf = R.edit(dir, R.V1)
  R.write(buf, R.V1)
  local messages = R.capture_notify()
  local lsp = require('dateline.lsp')
  -- The server dies while there is nothing to restart it for.
  local first = lsp.client(buf)
  vim.cmd('enew')
  vim.api.nvim_buf_delete(buf, { force = true })
  first.rpc.terminate()
  T.wait_for(function()
    return first.is_stopped() and #vim.lsp.get_clients({ name = 'dateline' }) == 0
  end, 5000, 'the server to stop')
  vim.wait(100)
  buf = H.edit(dir .. '/story.article')
  T.wait_for(function()
    return lsp.is_ready(buf)
  end, 10000, 'the server')
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '', 'Written after the crash.' })
  vim.cmd('silent write')
  T.wait_for(function()
    return #R.git_log(dir) == 2
  end, 10000, 'the write to be recorded')
  T.eq(#R.warnings(messages), 0, 'nothing to tell: ' .. vim.inspect(messages))
end)

T.test(':checkhealth dateline reports whether the server starts', function()
  R.setup()
  vim.cmd('silent checkhealth dateline')
  local report = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  vim.cmd('bwipeout!')
  T.matches(report, 'language server starts: [^\n]*dateline lsp', 'the server answered initialize')
  R.setup({ cmd = { '/nonexistent/bin/dateline', 'lsp' } })
  vim.cmd('silent checkhealth dateline')
  report = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  vim.cmd('bwipeout!')
  T.matches(report, 'ERROR[^\n]*language server: /nonexistent/bin/dateline is not an executable', 'a missing server')
end)

T.test('setup() checks the history options', function()
  local dateline = require('dateline')
  T.on_cleanup(function()
    dateline.setup()
  end)
  for _, case in ipairs({
    { { history = { record_on_save = 'yes' } }, 'history.record_on_save' },
    { { history = { exclude = 'drafts' } }, 'history.exclude' },
    { { cmd = 'dateline lsp' }, 'cmd' },
    { { blame = { position = 'left' } }, 'blame.position' },
  }) do
    local messages = R.capture_notify()
    T.eq(dateline.setup(case[1]), false, vim.inspect(case[1]) .. ' is rejected')
    local err = messages[1] and messages[1].message or ''
    T.truthy(err:find(case[2], 1, true), string.format('message %q names %q', err, case[2]))
  end
  dateline.setup({ cmd = false, history = { exclude = { 'a', 'b' } } })
  T.eq(require('dateline.config').get().history.exclude, { 'a', 'b' }, 'exclude replaced')
  T.eq(require('dateline.config').get().cmd, false, 'cmd')
end)

T.test('a :write made before the server finished starting is recorded once it is ready', function()
  R.setup()
  local dir = R.repo()
  local path = dir .. '/story.article'
  vim.fn.writefile(R.V1, path)
  local buf = H.edit(path)
  -- No wait for the server: the user types and saves at once.
  local draft = vim.list_extend(vim.deepcopy(R.V1), { '', 'Written before the server was up.' })
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, draft)
  vim.cmd('silent write')
  T.wait_for(function()
    return #R.git_log(dir) == 1
  end, 10000, 'the early write to be recorded')
  local recorded = vim.fn.system({ 'git', '--git-dir=' .. dir .. '/.git/dateline', 'show', R.git_log(dir)[1] .. ':story.article' })
  T.eq(vim.split(recorded, '\n'), vim.list_extend(draft, { '' }), 'the written text was recorded')
end)
