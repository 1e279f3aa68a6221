; Highlights for tree-sitter-article with Helix's capture names
; (https://docs.helix-editor.com/themes.html#syntax-highlighting).
; The grammar's own queries (grammar/queries/) use Neovim's names; these map
; the same nodes onto the scopes Helix themes style. Helix draws inner nodes
; over outer ones, so a quotation's marks and a speaker keep their own colour
; inside a paragraph.

; Front matter
(headline) @markup.heading.1
(dek) @markup.italic
(byline) @attribute
(byline (name) @variable.other.member)
(timestamp) @string.special

; Dateline: PLACE[, date] [(AGENCY)] dash
(dateline) @label
(dateline agency: (agency) @constant)
(dateline dash: (dash) @punctuation.delimiter)

; Sections and blocks
(subhead) @markup.heading.2
(list_item marker: (marker) @markup.list.unnumbered)
(editor_note) @comment
(editor_note label: (label) @keyword)

; Quotations and attributions
(quotation) @string
[
  (open_mark)
  (close_mark)
  (continuation)
] @punctuation.special
(attribution speaker: (speaker) @variable.other.member)
(attribution verb: (verb) @keyword)

; CriticMarkup
(addition) @diff.plus
(deletion) @diff.minus
(substitution) @diff.delta
(substitution old: (old) @diff.minus)
(substitution new: (new) @diff.plus)
(highlight) @markup.bold
(comment) @comment
[
  "(" ")"
  "{++" "++}" "{--" "--}" "{~~" "~>" "~~}" "{==" "==}" "{>>" "<<}"
] @punctuation.bracket

; Special words
(url) @markup.link.url
(email) @markup.link.url
(handle) @markup.link.label
(hashtag) @markup.link.label
(number) @constant.numeric
