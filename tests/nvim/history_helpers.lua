-- Shared by the history specs (record, history, diff, blame): a temporary
-- git repository with its own identity, articles in it, and waiting for the
-- language server. Load with
--   local R = dofile(T.root .. '/tests/nvim/history_helpers.lua')(T, H)

return function(T, H)
  local R = {}

  -- Set before any server starts: it inherits Neovim's environment.
  local function isolate_environment(home)
    local saved = {}
    for _, name in ipairs({ 'HOME', 'GIT_CONFIG_GLOBAL', 'XDG_DATA_HOME', 'DATELINE_STORE', 'GIT_AUTHOR_NAME',
      'GIT_AUTHOR_EMAIL' }) do
      saved[name] = vim.env[name]
    end
    T.on_cleanup(function()
      for name, value in pairs(saved) do
        vim.env[name] = value
      end
    end)
    -- Neovim's LSP log lives under $HOME too.
    vim.fn.mkdir(home .. '/.local/state/nvim', 'p')
    vim.fn.writefile({ '[user]', '\tname = Jane Doe', '\temail = jane@example.com' }, home .. '/gitconfig')
    vim.env.HOME = home
    vim.env.GIT_CONFIG_GLOBAL = home .. '/gitconfig'
    vim.env.XDG_DATA_HOME = home .. '/data'
    vim.env.DATELINE_STORE = nil
    vim.env.GIT_AUTHOR_NAME = nil
    vim.env.GIT_AUTHOR_EMAIL = nil
  end

  --- A fresh repository (git init) with an identity; returns its directory.
  function R.repo()
    local home = T.tempdir()
    isolate_environment(home)
    local dir = T.tempdir()
    vim.fn.system({ 'git', 'init', '-q', dir })
    assert(vim.v.shell_error == 0, 'git init failed')
    return dir
  end

  --- Options for setup(): DATELINE_TEST_SERVER (a JSON list) replaces the
  --- server command, to run these specs against another build.
  function R.setup(opts)
    opts = opts or {}
    local override = os.getenv('DATELINE_TEST_SERVER')
    if override and opts.cmd == nil then
      opts.cmd = vim.json.decode(override)
    end
    -- Buffers go before the defaults come back (setup() would attach them to
    -- a default server), and no server outlives its test.
    T.on_cleanup(function()
      vim.cmd('silent! %bwipeout!')
      require('dateline').setup()
      require('dateline.lsp').stop_all()
      require('dateline.lsp').reset_warnings()
    end)
    require('dateline').setup(opts)
  end

  --- Write `lines` to DIR/NAME and edit it; waits until the server is ready.
  function R.edit(dir, lines, name)
    local path = dir .. '/' .. (name or 'story.article')
    vim.fn.writefile(lines, path)
    local buf = H.edit(path)
    T.wait_for(function()
      return require('dateline.lsp').is_ready(buf)
    end, 10000, 'the dateline server to start')
    return buf, path
  end

  --- Commit ids of the article's history, newest first (stock git).
  function R.git_log(dir, name)
    local output = vim.fn.systemlist({ 'git', '--git-dir=' .. dir .. '/.git/dateline', 'log', '--format=%H', 'refs/dateline/' .. (name or 'story.article'), '--' })
    if vim.v.shell_error ~= 0 then
      return {}
    end
    return output
  end

  --- Replace the buffer's text and :write it; wait for the server to say
  --- it was recorded (or that recording failed).
  function R.write(buf, lines)
    local record = require('dateline.record')
    local before = record.events
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
    vim.api.nvim_buf_call(buf, function()
      vim.cmd('silent write')
    end)
    T.wait_for(function()
      return record.events > before
    end, 10000, 'dateline/recorded after :write')
  end

  --- Capture vim.notify for the rest of the test: returns the list it fills
  --- with { message, level }.
  function R.capture_notify()
    local messages = {}
    local original = vim.notify
    vim.notify = function(message, level)
      messages[#messages + 1] = { message = message, level = level or vim.log.levels.INFO }
    end
    T.on_cleanup(function()
      vim.notify = original
    end)
    return messages
  end

  function R.warnings(messages)
    return vim.tbl_filter(function(entry)
      return entry.level >= vim.log.levels.WARN
    end, messages)
  end

  --- Run a server command and wait for its answer.
  function R.execute(buf, command, arguments)
    local done, err, result = false, nil, nil
    require('dateline.lsp').execute(buf, command, arguments or {}, function(e, r)
      done, err, result = true, e, r
    end)
    T.wait_for(function()
      return done
    end, 10000, command)
    assert(not err, command .. ': ' .. tostring(err))
    return result
  end

  R.V1 = {
    'Council delays vote on harbour plan',
    '',
    'PORTSMOUTH, England – The city council delayed its vote on the harbour plan on Monday after a long debate.',
    '',
    '“We need more time to study the costs,” the mayor said.',
    '',
    'The plan would add two new piers and a ferry terminal.',
    '',
    'Opponents gathered outside the town hall before the meeting.',
  }

  return R
end
