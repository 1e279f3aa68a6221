-- Helpers shared by the dateline specs: opening articles, finding text,
-- reading captures, running a child Neovim. Load with
--   local H = dofile(T.root .. '/tests/nvim/helpers.lua')(T)

return function(T)
  local H = {}

  H.plugin = T.root .. '/plugin'
  -- The nvim on PATH, not v:progpath: build.sh may run Neovim through a
  -- wrapper that supplies its loader and runtime.
  H.nvim = vim.fn.exepath('nvim') ~= '' and vim.fn.exepath('nvim') or vim.v.progpath

  --- Edit `path` and return its buffer, once dateline attached and parsed it.
  function H.edit(path)
    vim.cmd.edit(vim.fn.fnameescape(path))
    local buf = vim.api.nvim_get_current_buf()
    if vim.bo[buf].filetype == 'article' then
      vim.treesitter.get_parser(buf, 'article'):parse()
    end
    return buf
  end

  --- Write `lines` to a temporary file named `name` and edit it.
  function H.edit_lines(lines, name)
    local path = T.tempdir() .. '/' .. (name or 'fixture.article')
    vim.fn.writefile(lines, path)
    return H.edit(path)
  end

  --- Edit a writable copy of the reference article, under its own name.
  function H.edit_seed()
    local path = T.tempdir() .. '/' .. vim.fs.basename(T.seed)
    vim.fn.writefile(vim.fn.readfile(T.seed, 'b'), path, 'b')
    return H.edit(path)
  end

  --- Wait until the core's model of `buf` (the server's `dateline/article`
  --- answer) is about the buffer's current text, and return it.
  function H.wait_for_model(buf)
    local article = require('dateline.article')
    local model
    T.wait_for(function()
      local current
      model, current = article.get(buf)
      return current
    end, 10000, "the server's article model")
    return model
  end

  --- The CLI's model of the file at `path` (`dateline outline --json`).
  function H.cli_model(path)
    local result = vim.system({ H.plugin .. '/bin/dateline', 'outline', '--json', path }, { text = true }):wait(20000)
    T.eq(result.code, 0, 'dateline outline --json ' .. path .. ': ' .. (result.stderr or ''))
    return vim.json.decode(result.stdout, { luanil = { object = true, array = true } })
  end

  --- setup() for one test: the defaults come back when it ends.
  function H.setup(opts)
    T.on_cleanup(function()
      require('dateline').setup()
    end)
    require('dateline').setup(opts)
  end

  --- The 0-based { row, col } of the `nth` occurrence of plain `text`.
  function H.find(buf, text, nth)
    nth = nth or 1
    for row, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
      local from = 1
      while true do
        local col = line:find(text, from, true)
        if not col then
          break
        end
        nth = nth - 1
        if nth == 0 then
          return { row - 1, col - 1 }
        end
        from = col + 1
      end
    end
    error(string.format('text %q not found in the buffer', text), 2)
  end

  --- Capture names at a position (highlights.scm only).
  function H.captures_at(buf, pos)
    local names = {}
    for _, capture in ipairs(vim.treesitter.get_captures_at_pos(buf, pos[1], pos[2])) do
      names[#names + 1] = capture.capture
    end
    return names
  end

  --- Dateline* groups shown at a position.
  function H.groups_at(buf, pos)
    local highlights = require('dateline.highlights')
    local groups = {}
    for _, capture in ipairs(H.captures_at(buf, pos)) do
      local group = highlights.group_for(capture)
      if group then
        groups[#groups + 1] = group
      end
    end
    return groups
  end

  function H.cursor(pos)
    vim.api.nvim_win_set_cursor(0, { pos[1] + 1, pos[2] })
  end

  --- The 0-based cursor position.
  function H.get_cursor()
    local cursor = vim.api.nvim_win_get_cursor(0)
    return { cursor[1] - 1, cursor[2] }
  end

  --- Feed keys as typed and let Neovim process them.
  function H.feed(keys)
    vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), 'mtx', false)
  end

  --- Run a child Neovim; `args` follow --clean --headless. The plugin is on
  --- its runtimepath unless opts.plugin is false; opts.env adds variables.
  --- Returns the exit code and the output.
  function H.child(args, opts)
    opts = opts or {}
    local command = { H.nvim, '--clean', '--headless', '-n', '-i', 'NONE' }
    if opts.plugin ~= false then
      vim.list_extend(command, { '--cmd', 'set runtimepath^=' .. H.plugin })
    end
    vim.list_extend(command, args)
    local result = vim.system(command, { env = opts.env, text = true }):wait(20000)
    return result.code, (result.stdout or '') .. (result.stderr or '')
  end

  return H
end
