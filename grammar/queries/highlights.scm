; Highlights for tree-sitter-article, with Neovim's standard capture names.
; Inner nodes are drawn over outer ones. @spell / @nospell come first, in
; patterns of their own: where one node has several captures, editors that
; keep a single highlight per node (the tree-sitter CLI) keep the later one.

; Spell checking: prose yes, addresses and place names no.
[
  (headline)
  (dek)
  (subhead)
  (paragraph)
  (affiliation)
] @spell
[
  (url)
  (email)
  (handle)
  (hashtag)
  (location)
] @nospell

; Front matter
(headline) @markup.heading
(dek) @markup.italic
(byline) @attribute
(byline (name) @attribute.builtin)
(timestamp) @string.special

; Dateline: PLACE[, date] [(AGENCY)] dash
(dateline) @label
(dateline agency: (agency) @constant)
(dateline dash: (dash) @punctuation.delimiter)

; Sections and blocks
(subhead) @markup.heading.2
(list_item marker: (marker) @markup.list)
(editor_note) @comment.note
(editor_note label: (label) @comment.warning)

; Quotations and attributions
(quotation) @markup.quote
[
  (open_mark)
  (close_mark)
  (continuation)
] @punctuation.special
(attribution speaker: (speaker) @variable.member)
(attribution verb: (verb) @keyword)

; CriticMarkup
(addition) @diff.plus
(deletion) @diff.minus
(substitution) @diff.delta
(substitution old: (old) @diff.minus)
(substitution new: (new) @diff.plus)
(highlight) @markup.strong
(comment) @comment
[
  "(" ")"
  "{++" "++}" "{--" "--}" "{~~" "~>" "~~}" "{==" "==}" "{>>" "<<}"
] @punctuation.bracket

; Special words
(url) @markup.link.url
(email) @markup.link
(handle) @markup.link.label
(hashtag) @markup.link.label
(number) @number
