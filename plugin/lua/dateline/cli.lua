-- Where the `dateline` command is: the one the build put next to the plugin
-- (bin/dateline in a runtime directory), else the one on PATH. The server
-- transport starts it; filetype detection asks it about every .txt and must
-- not load the transport to find it.

local M = {}

--- The `dateline` CLI's path, or nil when there is none.
---@return string?
function M.path()
  local built = vim.api.nvim_get_runtime_file('bin/dateline', false)[1]
  if built and vim.fn.executable(built) == 1 then
    return built
  end
  local on_path = vim.fn.exepath('dateline')
  return on_path ~= '' and on_path or nil
end

return M
