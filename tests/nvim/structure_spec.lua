-- The Lua side's layers: every module loads, no two modules require each
-- other (directly or round a longer loop, lazy requires inside functions
-- included), and the server transport requires no feature module.
local T = ...

local lua_dir = T.root .. '/plugin/lua/dateline'

-- Module name -> the dateline modules its source requires, wherever the
-- call sits (top level or inside a function).
local function require_graph()
  local graph = {}
  for _, path in ipairs(vim.fn.glob(lua_dir .. '/*.lua', false, true)) do
    local name = vim.fn.fnamemodify(path, ':t:r')
    name = name == 'init' and 'dateline' or 'dateline.' .. name
    local source = table.concat(vim.fn.readfile(path), '\n')
    local edges = {}
    for _, required in source:gmatch('require%s*%(?%s*([\'"])(dateline[%w_.]*)%1') do
      if required ~= name then
        edges[required] = true
      end
    end
    graph[name] = vim.tbl_keys(edges)
    table.sort(graph[name])
  end
  return graph
end

-- The first cycle found, as the list of modules round it, or nil.
local function find_cycle(graph)
  local state, stack = {}, {}
  local function visit(name)
    state[name] = 'open'
    stack[#stack + 1] = name
    for _, next_name in ipairs(graph[name] or {}) do
      if state[next_name] == 'open' then
        local cycle, inside = {}, false
        for _, on_stack in ipairs(stack) do
          inside = inside or on_stack == next_name
          if inside then
            cycle[#cycle + 1] = on_stack
          end
        end
        cycle[#cycle + 1] = next_name
        return cycle
      elseif not state[next_name] then
        local found = visit(next_name)
        if found then
          return found
        end
      end
    end
    stack[#stack] = nil
    state[name] = 'done'
  end
  local names = vim.tbl_keys(graph)
  table.sort(names)
  for _, name in ipairs(names) do
    if not state[name] then
      local found = visit(name)
      if found then
        return found
      end
    end
  end
end

T.test('every module loads', function()
  for name in pairs(require_graph()) do
    local ok, err = pcall(require, name)
    T.truthy(ok, name .. ' loads: ' .. tostring(err))
  end
end)

T.test('the reader of require calls sees lazy requires and every module', function()
  local graph = require_graph()
  T.truthy(graph['dateline.lsp'], 'the transport is read')
  -- commands.lua requires the outline only inside its subcommands.
  T.truthy(vim.tbl_contains(graph['dateline.commands'], 'dateline.outline'), 'a lazy require is an edge')
  T.eq(find_cycle({ a = { 'b' }, b = { 'c' }, c = { 'a' } }), { 'a', 'b', 'c', 'a' }, 'a loop of three is found')
end)

T.test('no module requires itself back, directly or round a loop', function()
  local cycle = find_cycle(require_graph())
  T.eq(cycle, nil, 'require cycle ' .. table.concat(cycle or {}, ' -> '))
end)

T.test('the server transport requires no feature module', function()
  -- dateline.cli only says where the command is.
  T.eq(require_graph()['dateline.lsp'], { 'dateline.cli', 'dateline.config' }, 'what lsp.lua requires')
end)

T.test('the outline and the history browser keep their data apart from their windows', function()
  local graph = require_graph()
  for _, data in ipairs({ 'dateline.outline_data', 'dateline.history_data' }) do
    T.truthy(graph[data], data .. ' exists')
    local source = table.concat(vim.fn.readfile(lua_dir .. '/' .. data:sub(#'dateline.' + 1) .. '.lua'), '\n')
    for _, window_call in ipairs({ 'nvim_open_win', 'nvim_win_', 'keymap.set', 'nvim_create_buf' }) do
      T.eq(source:find(window_call, 1, true), nil, data .. ' calls ' .. window_call)
    end
  end
end)
