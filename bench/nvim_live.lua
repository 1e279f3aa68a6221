-- One run of bench/nvim_live.sh inside a Neovim with a real UI (tmux): the
-- cost of a keystroke with the live diff view and live blame on, against the
-- same typing in a plugin-less editor, and how soon after a pause in typing
-- the marks are up to date.
--
-- Environment: BENCH_FILE (the article, in a git repository), BENCH_MODE
-- ('live' with the plugin, 'plain' without, 'spell' without it but with
-- 'spell' on, as a writer's own setup would have), BENCH_OUT (JSON results).

local file = assert(os.getenv('BENCH_FILE'))
local mode = assert(os.getenv('BENCH_MODE'))
local out = assert(os.getenv('BENCH_OUT'))
local uv = vim.uv or vim.loop

local results = { mode = mode, file = file }

local function ms_since(start)
  return (uv.hrtime() - start) / 1e6
end

-- The main thread's CPU time in ms (Linux's CLOCK_THREAD_CPUTIME_ID, through
-- LuaJIT's FFI), or nil where it cannot be read. On a machine shared with
-- other work a key's wall time includes waiting for a core; its CPU time is
-- what the editor itself spent.
local thread_cpu_ms = (function()
  local ok, ffi = pcall(require, 'ffi')
  if not ok or jit.os ~= 'Linux' then
    return function()
      return nil
    end
  end
  pcall(ffi.cdef, 'typedef struct { long tv_sec; long tv_nsec; } dl_bench_timespec;'
    .. 'int clock_gettime(int clock, dl_bench_timespec *ts);')
  local ts = ffi.new('dl_bench_timespec')
  local CLOCK_THREAD_CPUTIME_ID = 3
  return function()
    if ffi.C.clock_gettime(CLOCK_THREAD_CPUTIME_ID, ts) ~= 0 then
      return nil
    end
    return tonumber(ts.tv_sec) * 1e3 + tonumber(ts.tv_nsec) / 1e6
  end
end)()

local function finish()
  vim.fn.writefile({ vim.json.encode(results) }, out)
  vim.cmd('qall!')
end

local function wait(what, predicate)
  if not vim.wait(300000, predicate, 5) then
    error('timed out waiting for ' .. what)
  end
end

local function stats(times)
  table.sort(times)
  local total = 0
  for _, time in ipairs(times) do
    total = total + time
  end
  return total / #times, times[math.ceil(#times * 0.95)], times[math.ceil(#times / 2)]
end

local function run()
  vim.cmd.edit(vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  if mode ~= 'live' then
    vim.bo.filetype = 'text'
    vim.wo.spell = mode == 'spell'
  else
    local diffview, blame = require('dateline.diffview'), require('dateline.blame')
    wait('the server', function()
      return require('dateline.lsp').is_ready(buf)
    end)
    local record = require('dateline.record')
    vim.cmd('silent write')
    wait('the first version', function()
      return record.events > 0
    end)
    local shown, blamed = false, false
    diffview.show(buf, { callback = function()
      shown = true
    end })
    blame.toggle(buf, 'on', function()
      blamed = true
    end)
    wait('the diff view and blame', function()
      return shown and blamed
    end)
  end

  local row = math.floor(vim.api.nvim_buf_line_count(buf) / 2)
  while vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1] == '' do
    row = row + 1
  end
  vim.api.nvim_win_set_cursor(0, { row + 1, 0 })
  vim.cmd('redraw')
  local col = 0
  local cpu = {}
  local function key()
    local start, cpu_start = uv.hrtime(), thread_cpu_ms()
    vim.api.nvim_buf_set_text(buf, row, col, row, col, { 'x' })
    col = col + 1
    vim.api.nvim_win_set_cursor(0, { row + 1, col })
    vim.api.nvim_exec_autocmds('TextChangedI', { buffer = buf, modeline = false })
    vim.api.nvim_exec_autocmds('CursorMovedI', { buffer = buf, modeline = false })
    vim.cmd('redraw')
    if cpu_start then
      cpu[#cpu + 1] = thread_cpu_ms() - cpu_start
    end
    return ms_since(start)
  end

  -- A burst: keys faster than the debounce, so no answer arrives between them.
  local burst = {}
  for n = 1, 100 do
    burst[n] = key()
  end
  results.burst_mean_ms, results.burst_p95_ms, results.burst_median_ms = stats(burst)
  results.burst_cpu_mean_ms = #cpu > 0 and stats(cpu) or vim.NIL
  cpu = {}

  -- Steady typing, a key every 250 ms: each pause lets the debounce fire and
  -- the answers come back and be placed between keys, as for a slow typist.
  -- With the plugin, the time from the key to both views placing the answer
  -- for the new text (the debounce included) is measured too.
  local paced, latency, placed = {}, {}, {}
  for n = 1, 20 do
    paced[n] = key()
    local typed = uv.hrtime()
    if mode == 'live' then
      local diff_before = require('dateline.diffview').state(buf).diff
      local blame_before = require('dateline.blame').blocks(buf)
      wait('the marks', function()
        return require('dateline.diffview').state(buf).diff ~= diff_before
          and require('dateline.blame').blocks(buf) ~= blame_before
      end)
      latency[n] = ms_since(typed)
    end
    vim.wait(math.max(0, 250 - ms_since(typed)))
    -- The editor draws the answers placed during the pause before it waits
    -- for the next key (vim.wait does not draw): without this their redraw
    -- would be counted as the next key's. Measured on its own.
    local idle = uv.hrtime()
    vim.cmd('redraw')
    placed[n] = ms_since(idle)
  end
  results.paced_mean_ms, results.paced_p95_ms, results.paced_median_ms = stats(paced)
  results.paced_cpu_mean_ms = #cpu > 0 and stats(cpu) or vim.NIL
  results.placed_mean_ms, results.placed_p95_ms = stats(placed)
  if mode == 'live' then
    results.marks_mean_ms, results.marks_p95_ms = stats(latency)
  end
  finish()
end

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
