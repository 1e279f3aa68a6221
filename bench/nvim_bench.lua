-- One measurement run inside a Neovim that has a real UI (bench/nvim.sh runs
-- it in tmux): with a UI attached, :redraw draws the screen and so runs the
-- tree-sitter highlighter exactly as a user would see it.
--
-- Environment: BENCH_FILE (the article), BENCH_MODE ('article' with the
-- plugin, 'plain' without it), BENCH_OUT (JSON results), BENCH_KEYS
-- (keystrokes to time).

local file = assert(os.getenv('BENCH_FILE'))
local mode = assert(os.getenv('BENCH_MODE'))
local out = assert(os.getenv('BENCH_OUT'))
local keystrokes = tonumber(os.getenv('BENCH_KEYS') or '200')
local uv = vim.uv or vim.loop

local function ms_since(start)
  return (uv.hrtime() - start) / 1e6
end

local results = { mode = mode, file = file }

local function finish()
  vim.fn.writefile({ vim.json.encode(results) }, out)
  vim.cmd('qall!')
end

local function run()
  -- Open and draw the first screen.
  local start = uv.hrtime()
  vim.cmd.edit(vim.fn.fnameescape(file))
  if mode == 'plain' then
    vim.bo.filetype = 'text'
  end
  vim.cmd('redraw')
  results.open_ms = ms_since(start)
  local buf = vim.api.nvim_get_current_buf()
  results.filetype = vim.bo[buf].filetype
  if mode == 'article' then
    local highlighter = vim.treesitter.highlighter.active[buf]
    results.highlighted = highlighter ~= nil and highlighter.tree:is_valid()
    start = uv.hrtime()
    vim.cmd('Dateline outline')
    vim.cmd('redraw')
    results.outline_open_ms = ms_since(start)
    results.outline_items = #require('dateline.outline').items(buf)
  end

  -- Type in the middle of the article: each keystroke changes the text, fires
  -- the autocommands a typed key fires, redraws, and asks for the statusline
  -- text (cached, as a statusline would).
  local row = math.floor(vim.api.nvim_buf_line_count(buf) / 2)
  while vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1] == '' do
    row = row + 1
  end
  vim.api.nvim_win_set_cursor(0, { row + 1, 0 })
  vim.cmd('redraw')
  local times = {}
  for key = 1, keystrokes do
    start = uv.hrtime()
    vim.api.nvim_buf_set_text(buf, row, key - 1, row, key - 1, { 'x' })
    vim.api.nvim_win_set_cursor(0, { row + 1, key })
    vim.api.nvim_exec_autocmds('TextChangedI', { buffer = buf, modeline = false })
    vim.api.nvim_exec_autocmds('CursorMovedI', { buffer = buf, modeline = false })
    if mode == 'article' then
      require('dateline').status(buf)
    end
    vim.cmd('redraw')
    times[key] = ms_since(start)
  end
  table.sort(times)
  local total = 0
  for _, time in ipairs(times) do
    total = total + time
  end
  results.key_mean_ms = total / #times
  results.key_median_ms = times[math.ceil(#times / 2)]
  results.key_p95_ms = times[math.ceil(#times * 0.95)]

  -- A paragraph split near the top and joined again, as a writer pressing
  -- Enter twice would: a block added or removed, everything below it moved.
  local split = 2
  while vim.api.nvim_buf_get_lines(buf, split, split + 1, false)[1] == '' do
    split = split + 1
  end
  total = 0
  local splits = 20
  for i = 1, splits do
    start = uv.hrtime()
    if i % 2 == 1 then
      vim.api.nvim_buf_set_text(buf, split, 5, split, 5, { '', '', '' })
    else
      vim.api.nvim_buf_set_text(buf, split, 5, split + 2, 0, { '' })
    end
    vim.api.nvim_exec_autocmds('TextChangedI', { buffer = buf, modeline = false })
    vim.cmd('redraw')
    total = total + ms_since(start)
  end
  results.split_mean_ms = total / splits

  if mode == 'article' then
    -- The debounced work after a pause in typing: the outline redrawn, and
    -- the statusline's recount, which is the core's through the server: the
    -- time from asking to the answer for the current text, first right after
    -- the burst of edits above (the server applies them all first), then
    -- after one more edit.
    start = uv.hrtime()
    require('dateline.outline').refresh()
    results.outline_refresh_ms = ms_since(start)
    local function recount()
      local answered = false
      start = uv.hrtime()
      require('dateline.article').fetch(buf, function()
        answered = true
      end)
      vim.wait(120000, function()
        return answered
      end, 1)
      return ms_since(start)
    end
    results.status_burst_ms = recount()
    vim.api.nvim_buf_set_text(buf, row, 0, row, 0, { 'x' })
    results.status_count_ms = recount()
  end
  finish()
end

-- After startup, so that the UI is attached and the first screen drawn.
vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.schedule(function()
      local ok, err = pcall(run)
      if not ok then
        results.error = tostring(err)
        finish()
      end
    end)
  end,
})
