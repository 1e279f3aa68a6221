-- Measurement run for bench/nvim_history.sh, in a headless Neovim.
-- BENCH_MODE 'plugin': the article is attached to `dateline lsp`; 'plain':
-- no plugin, the same writes. BENCH_FILE: the article (in a git repository);
-- BENCH_OUT: JSON results; BENCH_WRITES: timed writes; BENCH_VERSIONS:
-- versions to reach before timing the history browser.

local file = assert(os.getenv('BENCH_FILE'))
local mode = assert(os.getenv('BENCH_MODE'))
local out = assert(os.getenv('BENCH_OUT'))
local writes = tonumber(os.getenv('BENCH_WRITES') or '50')
local versions = tonumber(os.getenv('BENCH_VERSIONS') or '1000')
local uv = vim.uv or vim.loop

local results = { mode = mode }

local function finish()
  vim.fn.writefile({ vim.json.encode(results) }, out)
  vim.cmd('qall!')
end

local function ms_since(start)
  return (uv.hrtime() - start) / 1e6
end

local function stats(times)
  table.sort(times)
  local sum = 0
  for _, time in ipairs(times) do
    sum = sum + time
  end
  return { mean = sum / #times, median = times[math.ceil(#times / 2)], p95 = times[math.ceil(#times * 0.95)] }
end

local function run()
  vim.cmd.edit(vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  if mode == 'plain' then
    vim.bo.filetype = 'text'
  elseif mode == 'noserver' then
    require('dateline').setup({ cmd = false })
  else
    if not vim.wait(10000, function()
      return require('dateline.lsp').is_ready(buf)
    end, 5) then
      results.error = 'the dateline server did not start'
      return finish()
    end
  end
  local record = mode == 'plugin' and require('dateline.record') or nil
  local last = vim.api.nvim_buf_line_count(buf)
  local write_times, recorded_times = {}, {}
  local function write_once(index)
    vim.api.nvim_buf_set_lines(buf, last, -1, false, { '', 'Update number ' .. index .. ' of the story.' })
    local before = record and record.events
    local start = uv.hrtime()
    vim.cmd('silent write')
    local written = ms_since(start)
    if record then
      vim.wait(10000, function()
        return record.events > before
      end, 0)
      return written, ms_since(start)
    end
    return written
  end
  for index = 1, writes do
    local written, recorded = write_once(index)
    write_times[#write_times + 1] = written
    recorded_times[#recorded_times + 1] = recorded
  end
  results.write = stats(write_times)
  if mode ~= 'plugin' then
    return finish()
  end
  results.recorded = stats(recorded_times)

  -- Grow the history to `versions`, then time the browser.
  local history = require('dateline.history')
  local count
  require('dateline.history_data').fetch_log(buf, function(_, list)
    count = #(list or {})
  end)
  vim.wait(30000, function()
    return count ~= nil
  end, 1)
  local grow_start = uv.hrtime()
  for index = count + 1, versions do
    write_once(writes + index)
  end
  results.grow_s = ms_since(grow_start) / 1000
  local function open_browser()
    local opened
    local start = uv.hrtime()
    history.open(buf, function(history_buf)
      opened = history_buf
    end)
    vim.wait(30000, function()
      return opened ~= nil
    end, 0)
    vim.cmd('redraw')
    local elapsed = ms_since(start)
    results.browser_lines = vim.api.nvim_buf_line_count(opened)
    history.close(opened)
    return elapsed
  end
  results.browser_open_ms = open_browser()
  local again = {}
  for _ = 1, 5 do
    again[#again + 1] = open_browser()
  end
  results.browser_open_again = stats(again)

  -- <CR> on 20 versions in a row: each shows in the one version window, so
  -- the window count after the first stays; time from key to text shown.
  local browser = history.browser_for(buf)
  if not browser then
    history.open(buf, function(history_buf)
      browser = history_buf
    end)
    vim.wait(30000, function()
      return browser ~= nil
    end, 0)
  end
  local browser_win = vim.fn.bufwinid(browser)
  local opens, windows_after_first = {}, nil
  for index = 1, 20 do
    vim.api.nvim_set_current_win(browser_win)
    vim.api.nvim_win_set_cursor(browser_win, { require('dateline.history').HEADER_LINES + index, 0 })
    local start = uv.hrtime()
    vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<CR>', true, false, true), 'x', false)
    vim.wait(30000, function()
      return vim.api.nvim_buf_get_name(0):find('^dateline://') ~= nil and vim.api.nvim_get_current_win() ~= browser_win
    end, 0)
    vim.cmd('redraw')
    opens[#opens + 1] = ms_since(start)
    windows_after_first = windows_after_first or #vim.api.nvim_tabpage_list_wins(0)
  end
  results.version_open = stats(opens)
  results.windows_after_first_open = windows_after_first
  results.windows_after_20_opens = #vim.api.nvim_tabpage_list_wins(0)
  finish()
end

vim.schedule(function()
  local ok, err = pcall(run)
  if not ok then
    results.error = tostring(err)
    finish()
  end
end)
