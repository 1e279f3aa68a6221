; nvim-treesitter-textobjects captures.
;
; Paragraphs: blocks are separated by blank lines that belong to no block,
; so inner and outer are the block itself.
(paragraph) @paragraph.inner
[
  (paragraph)
  (list)
  (editor_note)
] @paragraph.outer

; Quotations: outer includes the marks; inner is the `content` between them
; (a run-on quotation has no closing mark; a reopened one starts with
; `continuation` instead of `open_mark`).
(quotation) @quotation.outer
(quotation (content) @quotation.inner)

; CriticMarkup annotations: outer with the delimiters, inner the content
; (for a substitution, each side).
[
  (addition)
  (deletion)
  (substitution)
  (highlight)
  (comment)
] @annotation.outer
(addition (content) @annotation.inner)
(deletion (content) @annotation.inner)
(highlight (content) @annotation.inner)
(comment (content) @annotation.inner)
(substitution old: (old) @annotation.inner)
(substitution new: (new) @annotation.inner)
