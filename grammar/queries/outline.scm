; Outline entries: @item is the entry's range, @name its label, @context
; extra text shown with it (the dateline, a quotation's speaker).
(headline) @name @item

(section
  title: (subhead) @name) @item

(paragraph
  .
  (dateline) @context) @item

(paragraph
  (quotation) @name
  .
  (attribution speaker: (speaker) @context)) @item

(paragraph
  (attribution speaker: (speaker) @context)
  .
  (quotation) @name) @item

(editor_note label: (label) @name) @item
