-- Buffer-local mappings of article buffers, named in config.mappings.

local M = {}

-- Mapping name -> modes, description and action. Motions work in normal,
-- visual and operator-pending mode; text objects in visual and
-- operator-pending mode.
local MOTION_MODES = { 'n', 'x', 'o' }
local OBJECT_MODES = { 'x', 'o' }

local function motion(kind, direction)
  return function()
    require('dateline.motions').jump(kind, direction, vim.v.count1)
  end
end

local function object(kind, extent)
  return function()
    require('dateline.textobjects').select(kind, extent, vim.v.count1)
  end
end

local function critic(action)
  return function()
    require('dateline.critic').resolve_at_cursor(action)
  end
end

local function critic_all(action)
  return function()
    require('dateline.critic').resolve_all(0, action)
  end
end

local function critic_wrap(kind)
  return function()
    require('dateline.critic').wrap_selection(kind)
  end
end

M.actions = {
  -- The names predate subheads and the headline as stops; kept so that
  -- users' setup() tables keep working.
  next_paragraph = { MOTION_MODES, 'Next paragraph, subhead or headline', motion('block', 'next') },
  prev_paragraph = { MOTION_MODES, 'Previous paragraph, subhead or headline', motion('block', 'prev') },
  next_quotation = { MOTION_MODES, 'Next quotation', motion('quotation', 'next') },
  prev_quotation = { MOTION_MODES, 'Previous quotation', motion('quotation', 'prev') },
  next_annotation = { MOTION_MODES, 'Next annotation', motion('annotation', 'next') },
  prev_annotation = { MOTION_MODES, 'Previous annotation', motion('annotation', 'prev') },
  next_subhead = { MOTION_MODES, 'Next subhead', motion('subhead', 'next') },
  prev_subhead = { MOTION_MODES, 'Previous subhead', motion('subhead', 'prev') },
  inner_quotation = { OBJECT_MODES, 'Inside a quotation', object('quotation', 'inner') },
  around_quotation = { OBJECT_MODES, 'A quotation with its marks', object('quotation', 'outer') },
  inner_annotation = { OBJECT_MODES, 'Inside an annotation', object('annotation', 'inner') },
  around_annotation = { OBJECT_MODES, 'An annotation with its markup', object('annotation', 'outer') },
  -- CriticMarkup as tracked changes (critic.lua).
  accept_annotation = { { 'n' }, 'Accept the annotation at the cursor', critic('accept') },
  reject_annotation = { { 'n' }, 'Reject the annotation at the cursor', critic('reject') },
  accept_all_annotations = { { 'n' }, 'Accept every annotation', critic_all('accept') },
  reject_all_annotations = { { 'n' }, 'Reject every annotation', critic_all('reject') },
  wrap_addition = { { 'x' }, 'Mark the selection added {++ ++}', critic_wrap('addition') },
  wrap_deletion = { { 'x' }, 'Mark the selection deleted {-- --}', critic_wrap('deletion') },
  wrap_substitution = { { 'x' }, 'Replace the selection {~~ ~> ~~}', critic_wrap('substitution') },
  wrap_highlight = { { 'x' }, 'Highlight the selection {== ==}', critic_wrap('highlight') },
  wrap_comment = { { 'x' }, 'Comment on the selection {== ==}{>> <<}', critic_wrap('comment') },
  -- Changed paragraphs (changes.lua).
  next_change = { MOTION_MODES, 'Next changed paragraph', function()
    require('dateline.changes').jump(1, vim.v.count1)
  end },
  prev_change = { MOTION_MODES, 'Previous changed paragraph', function()
    require('dateline.changes').jump(-1, vim.v.count1)
  end },
  inner_change = { OBJECT_MODES, 'The changed paragraph', function()
    require('dateline.textobjects').select_change('inner')
  end },
  around_change = { OBJECT_MODES, 'The changed paragraph and the blank line after it', function()
    require('dateline.textobjects').select_change('outer')
  end },
  preview_change = { { 'n' }, "Preview the paragraph's latest version", function()
    require('dateline.changes').preview()
  end },
  restore_paragraph = { { 'n' }, 'Restore the paragraph from the latest version', function()
    require('dateline.changes').restore_paragraph()
  end },
  restore_quotation = { { 'n' }, 'Restore the quotation from the latest version', function()
    require('dateline.changes').restore_quotation()
  end },
}

local applied = {} ---@type table<integer, {[1]: string[], [2]: string}[]>

local function remove(buf)
  for _, mapping in ipairs(applied[buf] or {}) do
    for _, mode in ipairs(mapping[1]) do
      pcall(vim.keymap.del, mode, mapping[2], { buffer = buf })
    end
  end
  applied[buf] = nil
end

--- Replace the buffer's dateline mappings with those in `mappings`
--- (config.mappings); `false` removes them all.
---@param buf integer
---@param mappings table<string, string|false>|false
function M.apply(buf, mappings)
  remove(buf)
  if not mappings then
    return
  end
  local made = {}
  for name, lhs in pairs(mappings) do
    local action = M.actions[name]
    if lhs and action then
      vim.keymap.set(action[1], lhs, action[3], { buffer = buf, desc = 'dateline: ' .. action[2] })
      made[#made + 1] = { action[1], lhs }
    end
  end
  applied[buf] = made
end

return M
