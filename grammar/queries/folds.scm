; Fold paragraphs, lists and sections (a subhead and the blocks under it).
[
  (paragraph)
  (list)
  (section)
  (editor_note)
] @fold
