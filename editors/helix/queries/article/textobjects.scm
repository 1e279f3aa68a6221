; Helix textobjects (`mie`/`mae`, `mic`/`mac`, `]e`/`]c`). Helix has no
; paragraph or quotation objects, so the article's blocks are its entries,
; and CriticMarkup comments and editor's notes its comments.
[
  (paragraph)
  (list)
  (list_item)
  (editor_note)
] @entry.around

(comment (content) @comment.inside) @comment.around
(editor_note) @comment.around
