-- Highlight groups. Every capture of highlights.scm shows through a
-- `@capture.article` group linked to a Dateline* group, which links by
-- default to a standard group: colorschemes style Dateline* (or the standard
-- groups), users override either with nvim_set_hl, and `default = true`
-- keeps what they set.

local M = {}

-- Dateline* group -> the standard group it falls back to. Chosen so that the
-- headline, dek, subhead, dateline, byline, quotations, speakers, verbs,
-- editor's notes and each kind of annotation differ in Neovim's default
-- colorscheme.
M.groups = {
  DatelineHeadline = 'Title',
  -- A standfirst reads as a quieter line under the headline: italic.
  DatelineDek = '@markup.italic',
  DatelineByline = 'Comment',
  DatelineBylineName = 'Identifier',
  DatelineTimestamp = 'Comment',
  DatelineDateline = 'Special',
  DatelineAgency = 'Special',
  DatelineDash = 'Delimiter',
  DatelineSubhead = 'Function',
  DatelineQuotation = 'String',
  DatelineQuoteMark = 'String',
  DatelineSpeaker = 'Identifier',
  DatelineVerb = 'Statement',
  DatelineEditorNote = 'WarningMsg',
  DatelineEditorNoteLabel = 'Todo',
  DatelineListMarker = 'Special',
  DatelineAddition = 'DiffAdd',
  DatelineDeletion = 'DiffDelete',
  DatelineSubstitution = 'DiffText',
  DatelineHighlight = 'Search',
  DatelineComment = 'Todo',
  DatelineAnnotationMark = 'Delimiter',
  DatelineUrl = 'Underlined',
  DatelineEmail = 'Underlined',
  DatelineHandle = 'Tag',
  DatelineNumber = 'Number',
  -- The outline window.
  DatelineOutlineNumber = 'LineNr',
  DatelineOutlineCurrent = 'Visual',
  DatelineOutlineHelp = 'Comment',
  DatelineOutlineFolded = 'Special',
  -- The item under the outline's cursor, in the article.
  DatelineOutlinePreview = 'Visual',
  -- The diff view.
  DatelineDiffAdd = 'DiffAdd',
  DatelineDiffDelete = 'DiffDelete',
  DatelineDiffChange = 'DiffChange',
  DatelineDiffMoved = 'DiffText',
  DatelineQuoteChanged = 'DiagnosticWarn',
  -- Signs on changed paragraphs, and their preview.
  DatelineChangeAdd = 'DiffAdd',
  DatelineChangeEdit = 'DiffChange',
  DatelineChangeMove = 'DiffText',
  DatelineChangeRemove = 'DiffDelete',
  DatelineChangePreviewDelete = 'DiffDelete',
  -- Blame.
  DatelineBlame = 'Comment',
  DatelineBlameQuotation = 'Comment',
  -- The history browser.
  DatelineHistoryTitle = 'Title',
  DatelineHistoryHelp = 'Comment',
  DatelineHistorySparkline = 'Number',
  DatelineHistoryTime = 'Comment',
  DatelineHistoryDate = 'Constant',
  DatelineHistoryAuthor = 'Identifier',
  DatelineHistoryAdded = 'DiagnosticOk',
  DatelineHistoryRemoved = 'DiagnosticError',
  DatelineHistorySummary = 'Normal',
  DatelineHistoryAnnotated = 'DiagnosticInfo',
  DatelineHistorySession = 'Special',
  DatelineHistoryTrivial = 'NonText',
}

-- Groups whose standard group may have no colour in 16 and 256 colours
-- (Neovim's default colorscheme gives Comment and Number none there, so the
-- byline, times and figures would look like body text), with the terminal
-- colour they take then: 8 grey, 13 magenta.
M.cterm_fallbacks = {
  DatelineByline = 8,
  DatelineTimestamp = 8,
  DatelineNumber = 13,
}

-- highlights.scm capture -> Dateline* group. The query uses Neovim's standard
-- capture names, so without dateline a colorscheme still colours articles.
M.captures = {
  ['markup.heading'] = 'DatelineHeadline',
  ['markup.italic'] = 'DatelineDek',
  ['markup.heading.2'] = 'DatelineSubhead',
  ['attribute'] = 'DatelineByline',
  ['attribute.builtin'] = 'DatelineBylineName',
  ['string.special'] = 'DatelineTimestamp',
  ['label'] = 'DatelineDateline',
  ['constant'] = 'DatelineAgency',
  ['punctuation.delimiter'] = 'DatelineDash',
  ['markup.quote'] = 'DatelineQuotation',
  ['punctuation.special'] = 'DatelineQuoteMark',
  ['variable.member'] = 'DatelineSpeaker',
  ['keyword'] = 'DatelineVerb',
  ['markup.list'] = 'DatelineListMarker',
  ['comment.note'] = 'DatelineEditorNote',
  ['comment.warning'] = 'DatelineEditorNoteLabel',
  -- A substitution's old and new sides show as a deletion and an addition.
  ['diff.plus'] = 'DatelineAddition',
  ['diff.minus'] = 'DatelineDeletion',
  ['diff.delta'] = 'DatelineSubstitution',
  ['markup.strong'] = 'DatelineHighlight',
  ['comment'] = 'DatelineComment',
  ['punctuation.bracket'] = 'DatelineAnnotationMark',
  ['markup.link.url'] = 'DatelineUrl',
  ['markup.link'] = 'DatelineEmail',
  -- Handles and hashtags share a capture.
  ['markup.link.label'] = 'DatelineHandle',
  ['number'] = 'DatelineNumber',
}

-- Captures that steer Neovim rather than colour text.
local NOT_COLOURS = { spell = true, nospell = true, conceal = true, none = true }

-- A capture nobody mapped still gets a Dateline* group of its own, linked to
-- the standard tree-sitter group of the same name: 'markup.quote' becomes
-- DatelineMarkupQuote -> @markup.quote.
local function derived_group(capture)
  local words = vim.split(capture, '[._]')
  for index, word in ipairs(words) do
    words[index] = word:sub(1, 1):upper() .. word:sub(2)
  end
  return 'Dateline' .. table.concat(words), '@' .. capture
end

--- The Dateline* group a highlights.scm capture shows as.
---@param capture string
---@return string? group nil for captures that are not colours (@spell, ...)
function M.group_for(capture)
  if NOT_COLOURS[capture] or capture:sub(1, 1) == '_' then
    return nil
  end
  return M.captures[capture] or (derived_group(capture))
end

local function link(name, target)
  local fallback = M.cterm_fallbacks[name]
  if fallback then
    local standard = vim.api.nvim_get_hl(0, { name = target, link = false })
    if standard.ctermfg == nil then
      -- The standard group's look in true colour, plus a terminal colour.
      standard.ctermfg = fallback
      standard.default = true
      vim.api.nvim_set_hl(0, name, standard)
      return
    end
  end
  vim.api.nvim_set_hl(0, name, { link = target, default = true })
end

--- Define every group. Cheap; runs again after each :colorscheme, which clears
--- highlight groups.
function M.apply()
  for name, target in pairs(M.groups) do
    link(name, target)
  end
  local query = require('dateline.parser').query('highlights')
  for _, capture in ipairs(query and query.captures or {}) do
    local group = M.group_for(capture)
    if group then
      if not M.groups[group] then
        local _, standard = derived_group(capture)
        link(group, standard)
      end
      link('@' .. capture .. '.article', group)
    end
  end
end

local initialised = false

--- Define the groups once and keep them defined across colorscheme changes.
function M.setup()
  if initialised then
    return
  end
  initialised = true
  M.apply()
  vim.api.nvim_create_autocmd('ColorScheme', {
    group = vim.api.nvim_create_augroup('dateline.highlights', { clear = true }),
    desc = 'dateline: restore highlight groups',
    callback = M.apply,
  })
end

return M
