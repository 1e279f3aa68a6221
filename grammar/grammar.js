/**
 * @file tree-sitter-article: plain-text news articles for dateline.
 *
 * An article is a headline line, optional dek / byline / timestamp lines, then
 * blocks separated by blank lines: paragraphs (the first may open with a
 * dateline), subheads (which start a `section`), lists and editor's notes.
 * Inside blocks: quotations with attributions, CriticMarkup annotations, urls,
 * emails, handles, hashtags and numbers.
 *
 * Almost every token comes from src/scanner.c. The scanner decides with
 * bounded lookahead whether a quote mark or `{++` really opens something (a
 * closing mark exists in the same paragraph, or the quotation runs on into
 * the next paragraph); when it does not, the mark is plain text. Ordinary
 * messy input therefore never produces an ERROR node, and a broken construct
 * never reaches past its own paragraph.
 */

/* eslint-disable arrow-parens */
/* eslint-disable camelcase */
/* eslint-disable-next-line spaced-comment */
/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

// The grammar is LR(1) without declared conflicts: every choice is decided by
// a distinct external token. The one exception is decided by associativity
// alone (see `run`), so no precedence levels are needed.

// Blocks are grouped in runs and runs in long runs, so that an edit
// re-parses a few dozen nodes instead of every block after it. Where runs
// end is decided by the text (see `_run_sep`), with at most RUN_MAX blocks
// in a run and LONG_RUN_MAX runs in a long run. Sections are grouped in
// runs of RUN_LENGTH, and those in runs of RUN_LENGTH.
const RUN_LENGTH = 16;
const RUN_MAX = 32;
const LONG_RUN_MAX = 64;
// Blocks before the lead that may precede its dateline.
const PREFACE_MAX = 3;

module.exports = grammar({
  name: 'article',

  // Every byte is in some token; whitespace is part of the text runs.
  extras: _ => [],

  externals: $ => [
    // --- block structure -------------------------------------------------
    // BOM, blank lines and spaces before the headline (only at offset 0).
    $._leading,
    // A line end plus one or more blank (or whitespace-only) lines, when the
    // next block is not a subhead.
    $._sep,
    // The same, where a run of blocks ends: before one block in eight,
    // chosen by a hash of its first characters, or after RUN_MAX blocks.
    // Ends decided by the text, not by counting, stay where they are when a
    // block is added or removed elsewhere: the runs after it, and the blocks
    // in them, are reused whole (a block's parse state includes its place in
    // its run, and a node is reused only in the state it was built in).
    $._run_sep,
    // The same, where a long run ends: before one block in 256, or after
    // LONG_RUN_MAX runs.
    $._long_run_sep,
    // The same, when the next block is a subhead (a short one-line block with
    // no closing punctuation): the separator that opens a `section`.
    $._sep_section,
    // Trailing whitespace and line ends running to the end of the input.
    $._sep_end,
    // A single line end after the headline, before a dek line.
    $._break_dek,
    // A single line end before a line that starts a byline ("By Jane Doe").
    $._break_byline,
    // A single line end before a timestamp line ("Updated ...").
    $._break_timestamp,
    // A single line end before a list item line ("- ", "* ", "• ", "1. ").
    $._break_list,
    // A single line end inside a byline block (an affiliation line follows).
    $._break_line,

    // --- text ------------------------------------------------------------
    // A run of prose inside a paragraph-like block; may begin with a soft
    // line break, ends before the next line end, a mark or a special word.
    $._text,
    // A run of prose confined to one line (headline, subhead, affiliation).
    $._line_text,

    // --- quotations ------------------------------------------------------
    // Opening mark of a quotation that closes in this paragraph.
    $._open_closed,
    // The same, when an attribution (`the company said`) follows the close.
    $._open_attributed,
    // Opening mark never closed in this paragraph while the next paragraph
    // opens with a quote mark: the quotation runs on (news style).
    $._open_run_on,
    // The reopening mark at the start of the paragraph after a run-on one,
    // for a quotation that closes / closes with attribution / runs on again /
    // stays open to the end of its paragraph.
    $._cont_closed,
    $._cont_attributed,
    $._cont_run_on,
    $._cont_unclosed,
    // Closing mark (” or ") of the innermost open quotation.
    $.close_mark,
    // Zero-width token at the end of a paragraph whose quotation runs on.
    $.run_on,

    // --- attributions ----------------------------------------------------
    // Speaker before a verb and a quotation: `Smith said: “…”`.
    $._lead_speaker,
    // Speaker right after a closing mark, or after a post-quote verb.
    $._speaker,
    // Speech verb: said, told, added, ... or `according to`.
    $.verb,

    // --- CriticMarkup ----------------------------------------------------
    // Openers are emitted only when their closer follows in the paragraph.
    $._add_open, // {++
    $._del_open, // {--
    $._sub_open, // {~~
    $._hl_open, // {==
    $._com_open, // {>>
    $._add_close, // ++}
    $._del_close, // --}
    $._sub_mid, // ~>
    $._sub_close, // ~~}
    $._hl_close, // ==}
    $._com_close, // <<}

    // --- special words ---------------------------------------------------
    $.url, // http://…, https://…, www.…
    $.email, // name@example.com
    $.handle, // @name
    $.hashtag, // #tag
    $.number, // 24, 1,750, 2.27, 1986/87, 24%, $1.5 million

    // --- dateline (only at the start of the first body block) -------------
    // PLACE[, REGION] when a dash follows within the first line.
    $._location,
    // The date after the location: `Feb 26`, `Jan. 10`, `Tuesday, March 4, 2025`.
    $.date,
    $._paren_open, // ( before the agency
    $.agency, // AP, Reuters
    $._paren_close, // ) after the agency
    $._wire_open, // / before a wire service: /PRNewswire/
    $._wire_close, // / after it
    $.dash, // – — - or --

    // --- front matter ----------------------------------------------------
    $._by, // By / by / BY at the start of a byline
    $.name, // a name in a byline
    $._name_sep, // , / and / & between byline names
    $.timestamp, // a whole "Updated …" / "Published …" line

    // --- block labels ----------------------------------------------------
    $._marker, // list marker: - * • -- 1. 1)
    $._note_label, // Editor's note: / Correction: / Clarification: / Update:

    // --- the blocks before the lead ----------------------------------------
    // The "(" or "[" of a lead block that is one note in parentheses ("(This
    // story was first published by …)"), or a caption label (`Photo:`).
    $._preface,
    // A blank line after a preface (a credit note, a caption, a summary
    // list, an editor's note) before the lead: the next block may still
    // open with the dateline. Emitted wherever valid, unless a subhead
    // follows.
    $._sep_lead,
    // An opening mark at the start of a paragraph (or right after its
    // dateline) with no mark at all after it in the paragraph: a statement
    // quoted whole whose closing mark was left off. It is one quotation.
    $._open_unclosed,

    // Never valid in the grammar: true only while the parser recovers from
    // an error, and then the scanner returns at once.
    $._error_sentinel,
  ],

  rules: {
    // ===================================================================
    // Document
    // ===================================================================

    article: $ => seq(
      optional($._leading),
      optional(seq(
        $._head_block,
        repeat(seq($._sep, $._front_block)),
        optional($._body),
        optional($._sep_end),
      )),
    ),

    // The first block: headline, then optional dek, byline and timestamps.
    _head_block: $ => seq(
      $.headline,
      optional(seq($._break_dek, $.dek)),
      optional(seq($._break_byline, $.byline)),
      repeat(seq($._break_timestamp, $.timestamp)),
    ),

    _front_block: $ => choice(
      seq($.byline, repeat(seq($._break_timestamp, $.timestamp))),
      seq($.timestamp, repeat(seq($._break_timestamp, $.timestamp))),
    ),

    // Body blocks: the lead, the blocks before the first subhead, then one
    // section per subhead.
    //
    // The blocks are not one long repeat: tree-sitter cannot reuse the
    // nodes of a repeat whole after an edit (a repeat node is built where
    // the parser could either stop or go on, which marks it as not
    // reusable), so an edit near the top of a long article without subheads
    // re-parsed every block below it, one by one. Hidden runs of
    // RUN_LENGTH blocks, and runs of those, are ordinary nodes that an edit
    // elsewhere leaves whole. They are invisible in the tree.
    _body: $ => seq(
      $._sep,
      $._lead_long_run,
      repeat(seq($._long_run_sep, $._long_run)),
      repeat(seq($._sep_section, $._long_section_run)),
    ),

    section: $ => seq(
      field('title', $.subhead),
      optional(seq(
        $._sep,
        $._long_run,
        repeat(seq($._long_run_sep, $._long_run)),
      )),
    ),

    _lead_run: $ => text_run($._sep, $._lead_unit, $._unit, RUN_MAX),
    _run: $ => text_run($._sep, $._unit, $._unit, RUN_MAX),
    _lead_long_run: $ => text_run($._run_sep, $._lead_run, $._run, LONG_RUN_MAX),
    _long_run: $ => text_run($._run_sep, $._run, $._run, LONG_RUN_MAX),
    // Sections too: an article with a subhead every few paragraphs has
    // thousands of them at 10 MB.
    _section_run: $ => run($._sep_section, $.section, $.section, RUN_LENGTH),
    _long_section_run: $ => run($._sep_section, $._section_run, $._section_run, RUN_LENGTH),

    // ===================================================================
    // Front matter
    // ===================================================================

    headline: $ => repeat1($._line_inline),

    dek: $ => repeat1($._dek_inline),

    byline: $ => seq(
      $._by,
      $.name,
      repeat(seq($._name_sep, $.name)),
      optional($._name_sep),
      repeat(seq($._break_line, $.affiliation)),
    ),

    affiliation: $ => repeat1($._line_inline),

    // ===================================================================
    // Blocks
    // ===================================================================

    // The dateline opens the first prose paragraph: up to PREFACE_MAX
    // blocks before it may be a summary list, an editor's note, a credit
    // note in parentheses, a photo caption or a byline (one that follows
    // such a block, so it is not front matter). Each is joined to the block
    // after it by `_sep_lead`, which keeps that block a lead.
    _lead_unit: $ => lead_unit($, PREFACE_MAX),

    _preface_block: $ => choice(
      $.list,
      $.editor_note,
      alias($._preface_paragraph, $.paragraph),
    ),

    // A byline after a preface block (right after the headline it is front
    // matter, `_front_block`).
    _preface_byline: $ => seq($.byline, repeat(seq($._break_timestamp, $.timestamp))),

    _preface_paragraph: $ => seq($._preface, optional($._paragraph_body)),

    _unit: $ => choice(
      $.paragraph,
      $.list,
      $.editor_note,
      $._chain,
    ),

    paragraph: $ => $._paragraph_body,

    _paragraph_body: $ => choice(
      seq(
        $._content,
        optional(seq($._break_list, $.list)),
      ),
      alias($._unclosed_quotation, $.quotation),
    ),

    // The first body paragraph may open with a dateline.
    _lead_paragraph: $ => choice(
      seq($.dateline, optional($._paragraph_body)),
      $._paragraph_body,
    ),

    // Paragraphs joined by a quotation that runs on: the first ends with a
    // `run_on` quotation, the next ones reopen it with a `continuation`.
    _chain: $ => seq(
      alias($._run_on_paragraph, $.paragraph),
      $._continued_paragraphs,
    ),

    _lead_chain: $ => seq(
      alias($._lead_run_on_paragraph, $.paragraph),
      $._continued_paragraphs,
    ),

    _continued_paragraphs: $ => seq(
      $._sep,
      repeat(seq(alias($._continued_run_on_paragraph, $.paragraph), $._sep)),
      alias($._continued_paragraph, $.paragraph),
    ),

    _run_on_paragraph: $ => seq(
      optional($._content),
      alias($._run_on_quotation, $.quotation),
    ),

    _lead_run_on_paragraph: $ => seq(
      optional($.dateline),
      optional($._content),
      alias($._run_on_quotation, $.quotation),
    ),

    _continued_paragraph: $ => choice(
      seq($._continued_quotation, optional($._content)),
      alias($._unclosed_continued_quotation, $.quotation),
    ),

    _continued_run_on_paragraph: $ => choice(
      seq(
        $._continued_quotation,
        optional($._content),
        alias($._run_on_quotation, $.quotation),
      ),
      alias($._run_on_continued_quotation, $.quotation),
    ),

    list: $ => seq(
      $.list_item,
      repeat(seq($._break_list, $.list_item)),
    ),

    list_item: $ => seq(
      field('marker', alias($._marker, $.marker)),
      optional($._content),
    ),

    editor_note: $ => seq(
      field('label', alias($._note_label, $.label)),
      optional($._content),
    ),

    subhead: $ => repeat1($._line_text),

    // PLACE[, REGION][, DATE][ (AGENCY) | /WIRE/] DASH, or an agency alone
    // (`(AP) —`). A press release's wire service is its agency.
    dateline: $ => seq(
      choice(
        seq(
          field('location', alias($._location, $.location)),
          optional(field('date', $.date)),
          optional(choice($._agency, $._wire)),
        ),
        $._agency,
      ),
      field('dash', $.dash),
    ),

    _agency: $ => seq(
      alias($._paren_open, '('),
      field('agency', $.agency),
      alias($._paren_close, ')'),
    ),

    _wire: $ => seq(
      alias($._wire_open, '/'),
      field('agency', $.agency),
      alias($._wire_close, '/'),
    ),

    // ===================================================================
    // Inline content
    // ===================================================================

    // The first piece outside the repeat: a node whose first child is a
    // repeat's inner node cannot be reused after an edit (see `_body`).
    _content: $ => seq($._inline, repeat($._inline)),

    _inline: $ => choice(
      $._text,
      $._special,
      $.quotation,
      $._attributed_quotation,
      $._lead_attributed_quotation,
      $._annotation,
    ),

    _line_inline: $ => choice(
      $._line_text,
      $._special,
      $.quotation,
      $._annotation,
    ),

    _dek_inline: $ => choice(
      $._text,
      $._special,
      $.quotation,
      $._annotation,
    ),

    // Inside a quotation: no nested double-quoted quotation.
    _quote_inline: $ => choice(
      $._text,
      $._special,
      $._plain_annotation,
    ),

    // Inside an annotation: quotations, but no nested annotation.
    _annotation_inline: $ => choice(
      $._text,
      $._special,
      alias($._plain_quotation, $.quotation),
      $._attributed_plain_quotation,
    ),

    _plain_inline: $ => choice($._text, $._special),

    // The words between marks or delimiters, as one `content` node, so that
    // "inside" (content) and "around" (the whole node) ranges are direct.
    _quote_content: $ => repeat1($._quote_inline),
    _annotation_content: $ => repeat1($._annotation_inline),
    _plain_content: $ => repeat1($._plain_inline),

    _special: $ => choice(
      $.url,
      $.email,
      $.handle,
      $.hashtag,
      $.number,
    ),

    // ===================================================================
    // Quotations and attributions
    // ===================================================================

    quotation: $ => seq(
      alias($._open_closed, $.open_mark),
      optional(alias($._quote_content, $.content)),
      $.close_mark,
    ),

    _unclosed_quotation: $ => seq(
      alias($._open_unclosed, $.open_mark),
      optional(alias($._quote_content, $.content)),
    ),

    _attributed_quotation: $ => seq(
      alias($._closed_attributed_quotation, $.quotation),
      $.attribution,
    ),

    _closed_attributed_quotation: $ => seq(
      alias($._open_attributed, $.open_mark),
      optional(alias($._quote_content, $.content)),
      $.close_mark,
    ),

    // `Smith said: “…”` — the attribution comes first.
    _lead_attributed_quotation: $ => seq(
      alias($._lead_attribution, $.attribution),
      optional($._text),
      choice($.quotation, $._attributed_quotation),
    ),

    _run_on_quotation: $ => seq(
      alias($._open_run_on, $.open_mark),
      optional(alias($._quote_content, $.content)),
      $.run_on,
    ),

    _continued_quotation: $ => choice(
      alias($._closed_continued_quotation, $.quotation),
      seq(
        alias($._closed_attributed_continued_quotation, $.quotation),
        $.attribution,
      ),
    ),

    _closed_continued_quotation: $ => seq(
      alias($._cont_closed, $.continuation),
      optional(alias($._quote_content, $.content)),
      $.close_mark,
    ),

    _closed_attributed_continued_quotation: $ => seq(
      alias($._cont_attributed, $.continuation),
      optional(alias($._quote_content, $.content)),
      $.close_mark,
    ),

    _run_on_continued_quotation: $ => seq(
      alias($._cont_run_on, $.continuation),
      optional(alias($._quote_content, $.content)),
      $.run_on,
    ),

    _unclosed_continued_quotation: $ => seq(
      alias($._cont_unclosed, $.continuation),
      optional(alias($._quote_content, $.content)),
    ),

    // A quotation inside an annotation holds plain text only.
    _plain_quotation: $ => seq(
      alias($._open_closed, $.open_mark),
      optional(alias($._plain_content, $.content)),
      $.close_mark,
    ),

    _attributed_plain_quotation: $ => seq(
      alias($._attributed_plain_quotation_body, $.quotation),
      $.attribution,
    ),

    _attributed_plain_quotation_body: $ => seq(
      alias($._open_attributed, $.open_mark),
      optional(alias($._plain_content, $.content)),
      $.close_mark,
    ),

    attribution: $ => choice(
      seq(
        field('speaker', alias($._speaker, $.speaker)),
        field('verb', $.verb),
      ),
      seq(
        field('verb', $.verb),
        field('speaker', alias($._speaker, $.speaker)),
      ),
    ),

    _lead_attribution: $ => seq(
      field('speaker', alias($._lead_speaker, $.speaker)),
      field('verb', $.verb),
    ),

    // ===================================================================
    // CriticMarkup annotations
    // ===================================================================

    _annotation: $ => choice(
      $.addition,
      $.deletion,
      $.substitution,
      $.highlight,
      $.comment,
    ),

    // Inside a quotation, annotations hold plain text only.
    _plain_annotation: $ => choice(
      alias($._plain_addition, $.addition),
      alias($._plain_deletion, $.deletion),
      alias($._plain_substitution, $.substitution),
      alias($._plain_highlight, $.highlight),
      alias($._plain_comment, $.comment),
    ),

    addition: $ => annotation(
      $, '_add', '{++', '++}', alias($._annotation_content, $.content),
    ),
    deletion: $ => annotation(
      $, '_del', '{--', '--}', alias($._annotation_content, $.content),
    ),
    highlight: $ => annotation(
      $, '_hl', '{==', '==}', alias($._annotation_content, $.content),
    ),
    comment: $ => annotation(
      $, '_com', '{>>', '<<}', alias($._annotation_content, $.content),
    ),
    substitution: $ => substitution($, $.old, $.new),

    old: $ => repeat1($._annotation_inline),
    new: $ => repeat1($._annotation_inline),

    _plain_addition: $ => annotation(
      $, '_add', '{++', '++}', alias($._plain_content, $.content),
    ),
    _plain_deletion: $ => annotation(
      $, '_del', '{--', '--}', alias($._plain_content, $.content),
    ),
    _plain_highlight: $ => annotation(
      $, '_hl', '{==', '==}', alias($._plain_content, $.content),
    ),
    _plain_comment: $ => annotation(
      $, '_com', '{>>', '<<}', alias($._plain_content, $.content),
    ),
    _plain_substitution: $ => substitution(
      $,
      alias($._plain_old, $.old),
      alias($._plain_new, $.new),
    ),

    _plain_old: $ => repeat1($._plain_inline),
    _plain_new: $ => repeat1($._plain_inline),
  },
});

// =====================================================================
// Combinators
// =====================================================================

/**
 * An annotation: external opener and closer tokens (shown as their literal
 * delimiters) around a repeat of `content`.
 *
 * @param {GrammarSymbols<string>} $
 * @param {string} prefix external token prefix (`_add` → `_add_open`)
 * @param {string} open the opener as it is written
 * @param {string} close the closer as it is written
 * @param {RuleOrLiteral} content
 * @returns {SeqRule}
 */
function annotation($, prefix, open, close, content) {
  return seq(
    alias($[prefix + '_open'], open),
    optional(content),
    alias($[prefix + '_close'], close),
  );
}

/**
 * The first unit of the body: a lead paragraph or chain that may open with a
 * dateline, or a preface block, then (after `_sep_lead`) up to `prefaces` - 1
 * more units of the same kind, of which a byline may be one (`first` is
 * false after a preface). Unrolled rather than recursive, so that a
 * body made only of lists never nests deeper than this.
 *
 * @param {GrammarSymbols<string>} $
 * @param {number} prefaces
 * @param {boolean} [first]
 * @returns {ChoiceRule}
 */
function lead_unit($, prefaces, first = true) {
  const preface = first ? $._preface_block : choice($._preface_block, $._preface_byline);
  const alternatives = [
    alias($._lead_paragraph, $.paragraph),
    $._lead_chain,
    preface,
  ];
  if (prefaces > 0) {
    alternatives.push(seq(preface, $._sep_lead, lead_unit($, prefaces - 1, false)));
  }
  return choice(...alternatives);
}

/**
 * `first`, then up to `length` - 1 more `next`, separated by `sep`.
 *
 * Nested optionals rather than a repeat, so that the run is one node the
 * parser can reuse whole. Where a run could either end or go on, it goes
 * on (right associativity): runs are full except for the last.
 *
 * @param {RuleOrLiteral} sep
 * @param {RuleOrLiteral} first
 * @param {RuleOrLiteral} next
 * @param {number} length
 * @returns {Rule}
 */
function run(sep, first, next, length) {
  let rest = next;
  for (let i = 2; i < length; i++) {
    rest = prec.right(seq(next, optional(seq(sep, rest))));
  }
  return prec.right(seq(first, optional(seq(sep, rest))));
}

/**
 * `first`, then up to `length` - 1 more `next`, separated by `sep`: a run
 * that ends where the scanner gives a stronger separator than `sep`. One
 * alternative per length rather than nested optionals: nested this deep,
 * those are too deep for the generator.
 *
 * @param {RuleOrLiteral} sep
 * @param {RuleOrLiteral} first
 * @param {RuleOrLiteral} next
 * @param {number} length
 * @returns {Rule}
 */
function text_run(sep, first, next, length) {
  const runs = [];
  for (let n = 1; n <= length; n++) {
    const items = [first];
    for (let i = 1; i < n; i++) {
      items.push(sep, next);
    }
    runs.push(seq(...items));
  }
  return choice(...runs);
}

/**
 * `{~~ old ~> new ~~}` with `old` and `new` fields (each side may be empty).
 *
 * @param {GrammarSymbols<string>} $
 * @param {RuleOrLiteral} oldSide
 * @param {RuleOrLiteral} newSide
 * @returns {SeqRule}
 */
function substitution($, oldSide, newSide) {
  return seq(
    alias($._sub_open, '{~~'),
    optional(field('old', oldSide)),
    alias($._sub_mid, '~>'),
    optional(field('new', newSide)),
    alias($._sub_close, '~~}'),
  );
}
