-- The article parser: registering plugin/parser/article.so with Neovim and
-- reading the buffer's own tree. Every feature works from the tree the
-- highlighter keeps up to date, so nothing here parses a second time.

local M = {}

M.lang = 'article'

local registered = nil ---@type boolean?
local register_error = nil ---@type string?

--- The parser library on 'runtimepath', if any.
---@return string?
function M.library_path()
  return vim.api.nvim_get_runtime_file('parser/' .. M.lang .. '.so', false)[1]
end

--- Register the language once. Returns false and a message saying how to get
--- the parser when it is missing or does not load.
---@return boolean ok
---@return string? message
function M.register()
  if registered ~= nil then
    return registered, register_error
  end
  local path = M.library_path()
  if not path then
    registered = false
    register_error = 'parser/article.so is not on the runtimepath; run ./build.sh build'
    return registered, register_error
  end
  local ok, err = pcall(vim.treesitter.language.add, M.lang, { path = path })
  registered = ok and true or false
  if not ok then
    register_error = string.format('could not load %s: %s; run ./build.sh build', path, err)
  end
  return registered, register_error
end

--- The buffer's language tree, or nil when the parser is unavailable.
---@param buf integer
---@return vim.treesitter.LanguageTree?
function M.get(buf)
  if not M.register() then
    return nil
  end
  local ok, parser = pcall(vim.treesitter.get_parser, buf, M.lang)
  if ok then
    return parser
  end
end

--- The root node of the buffer's current tree. `parse()` returns the tree the
--- highlighter already made unless the buffer changed since.
---@param buf integer
---@return TSNode?
function M.root(buf)
  local parser = M.get(buf)
  if not parser then
    return nil
  end
  local tree = parser:parse()[1]
  return tree and tree:root()
end

local queries = {} ---@type table<string, vim.treesitter.Query|false>

--- A query from the plugin's queries/article/ ('highlights', 'folds', ...).
---@param name string
---@return vim.treesitter.Query?
function M.query(name)
  if queries[name] == nil then
    local ok, query = pcall(vim.treesitter.query.get, M.lang, name)
    queries[name] = ok and query or false
  end
  return queries[name] or nil
end

local node_queries = {} ---@type table<string, vim.treesitter.Query|false>

--- A query capturing every node of the given types as @node. Types the
--- grammar does not have are left out (a grammar may drop or rename a
--- construct without breaking the editor); nil when none is left.
---@param types string[]
---@return vim.treesitter.Query?
function M.type_query(types)
  local known = {}
  for _, type in ipairs(types) do
    if pcall(vim.treesitter.query.parse, M.lang, '(' .. type .. ')') then
      known[#known + 1] = '(' .. type .. ')'
    end
  end
  if #known > 0 then
    return vim.treesitter.query.parse(M.lang, '[' .. table.concat(known, ' ') .. '] @node')
  end
end

--- The nodes of the given types between two rows, in document order.
--- Only nodes that start inside [start_row, end_row) are returned.
---@param buf integer
---@param types string[]
---@param start_row integer? 0-based, default 0
---@param end_row integer? 0-based exclusive, default the end of the buffer
---@return TSNode[]
function M.nodes(buf, types, start_row, end_row)
  local root = M.root(buf)
  if not root then
    return {}
  end
  local key = table.concat(types, ' ')
  local query = node_queries[key]
  if query == nil then
    query = M.type_query(types) or false
    node_queries[key] = query
  end
  if not query then
    return {}
  end
  start_row = start_row or 0
  end_row = end_row or vim.api.nvim_buf_line_count(buf)
  local found = {}
  for _, node in query:iter_captures(root, buf, start_row, end_row) do
    local row = node:start()
    if row >= start_row and row < end_row then
      found[#found + 1] = node
    end
  end
  return found
end

-- Nodes that never hold a node the outline or the counts look for.
local LEAVES = {
  headline = true, dek = true, byline = true, timestamp = true, subhead = true,
  dateline = true, attribution = true, url = true, email = true, handle = true,
  hashtag = true, number = true, open_mark = true, close_mark = true,
}

--- Every node of the given types in the buffer's tree, in document order
--- (outer before inner). For whole-document scans this walk is several
--- times faster than a query, because it skips the inside of prose.
---@param buf integer
---@param types table<string, true>
---@return TSNode[]
function M.collect(buf, types)
  local root = M.root(buf)
  local found = {}
  local function walk(node)
    for index = 0, node:named_child_count() - 1 do
      local child = node:named_child(index)
      local type = child:type()
      if types[type] then
        found[#found + 1] = child
      end
      if not LEAVES[type] then
        walk(child)
      end
    end
  end
  if root then
    walk(root)
  end
  return found
end

--- The text of a node, with line breaks folded into spaces.
---@param node TSNode
---@param buf integer
---@return string
function M.text(node, buf)
  return (vim.treesitter.get_node_text(node, buf):gsub('%s+', ' '))
end

--- First named child of `node` with one of the given types.
---@param node TSNode
---@param type string
---@return TSNode?
function M.child(node, type)
  for child in node:iter_children() do
    if child:type() == type then
      return child
    end
  end
end

return M
