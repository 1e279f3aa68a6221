#include "dateline/article.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

#include "dateline/error.h"
#include "dateline/text.h"

const TSLanguage *tree_sitter_article(void);

/* How many words a block's `first_words` keeps. */
#define FIRST_WORDS 8

/* The grammar's symbols of the node types the walk looks for (below). */
typedef struct node_symbols node_symbols;

/* The model under construction, with the text it points into. */
typedef struct {
    const char *text;
    size_t size;
    dl_article *article;
    size_t block_capacity;
    size_t quotation_capacity;
    size_t annotation_capacity;
    uint32_t previous_block_end; /* to tell blank-line block breaks */
    bool in_headline_block;
    bool spans_only; /* dl_article_parser_options.spans_only */
    /* At the node being visited. One cursor for the whole walk: a cursor
     * per node visited (made, grown, freed) cost a tenth of building a
     * model. */
    TSTreeCursor cursor;
    const node_symbols *symbols;
} builder;

/* ------------------------------------------------------------------ text */

/* The one definition of a space (dateline/text.h), on bytes. */
static inline size_t space_length(const unsigned char *s, size_t n)
{
    return dl_text_space_length((const char *)s, n);
}

static inline bool is_word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80;
}

/* A word is a run between spaces (ASCII or Unicode's: a no-break or thin
 * space separates words too) holding at least one letter or digit. Any
 * other non-ASCII character counts as a letter except General Punctuation
 * (U+2010-U+207F: dashes, curly quotes, ellipsis, bullets), so "—" or a
 * lone "“" is not a word. */
uint32_t dl_article_count_words(const char *text, size_t size)
{
    const unsigned char *bytes = (const unsigned char *)text;
    uint32_t words = 0;
    size_t i = 0;
    while (i < size) {
        size_t space;
        while (i < size && (space = space_length(bytes + i, size - i)) > 0)
            i += space;
        bool wordy = false;
        while (i < size && space_length(bytes + i, size - i) == 0) {
            if (bytes[i] == 0xE2 && i + 2 < size && (bytes[i + 1] == 0x80 || bytes[i + 1] == 0x81)) {
                i += 3;
                continue;
            }
            wordy = wordy || is_word_byte(bytes[i]);
            i++;
        }
        words += wordy;
    }
    return words;
}

/* --------------------------------------------------------------- sentences */

/* Length of a mark that may close a sentence after its full stop (a quote
 * mark or bracket: `yes.”`), or 0. */
static size_t closer_length(const unsigned char *s, size_t n)
{
    if (s[0] == '"' || s[0] == '\'' || s[0] == ')' || s[0] == ']')
        return 1;
    if (n >= 2 && s[0] == 0xc2 && s[1] == 0xbb)
        return 2; /* » */
    if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0x99 || s[2] == 0x9d || s[2] == 0xba))
        return 3; /* ’ ” › */
    return 0;
}

/* Length of a mark that may open the next sentence before its first letter
 * (`“We`, `(The`), or 0. */
static size_t opener_length(const unsigned char *s, size_t n)
{
    if (s[0] == '"' || s[0] == '\'' || s[0] == '(' || s[0] == '[')
        return 1;
    if (n >= 2 && s[0] == 0xc2 && s[1] == 0xab)
        return 2; /* « */
    if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0x98 || s[2] == 0x9c || s[2] == 0xb9))
        return 3; /* ‘ “ ‹ */
    return 0;
}

/* Words after which a full stop marks the abbreviation, not the sentence's
 * end: titles, company suffixes, months and the like that news copy puts
 * before a name or a number. */
static const char *const abbreviations[] = {
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Sr", "Jr", "St", "Gen", "Gov", "Sen", "Rep", "Lt",
    "Col", "Sgt", "Capt", "Cmdr", "Adm", "Rev", "Hon", "Pres", "Supt", "Det", "Insp", "Inc",
    "Ltd", "Corp", "Co", "Bros", "No", "Nos", "vs", "Jan", "Feb", "Aug", "Sept", "Sep", "Oct",
    "Nov", "Dec", "Mt", "Ft", "Ave", "Blvd", "approx", "est", "a.m", "p.m", "e.g", "i.e",
};

static bool is_letter(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Whether the full stop at `dot` follows an initial ("J.", "U.S.") or one
 * of the abbreviations. */
static bool ends_abbreviation(const unsigned char *text, size_t dot)
{
    size_t start = dot;
    while (start > 0 && (is_letter(text[start - 1]) || text[start - 1] == '.'))
        start--;
    size_t letters = dot;
    while (letters > start && text[letters - 1] != '.')
        letters--;
    if (dot - letters == 1 && text[letters] >= 'A' && text[letters] <= 'Z')
        return true;
    for (size_t i = 0; i < sizeof(abbreviations) / sizeof(abbreviations[0]); i++)
        if (abbreviations[i][0] == text[start] && strlen(abbreviations[i]) == dot - start &&
            memcmp(abbreviations[i], text + start, dot - start) == 0)
            return true;
    return false;
}

/* Length of the sentence-ending punctuation at `s` (". ! ? …", runs such as
 * "?!" and "..." included), or 0. */
static size_t terminal_length(const unsigned char *s, size_t n)
{
    size_t i = 0;
    for (;;) {
        if (i < n && (s[i] == '.' || s[i] == '!' || s[i] == '?'))
            i++;
        else if (i + 2 < n && s[i] == 0xe2 && s[i + 1] == 0x80 && s[i + 2] == 0xa6)
            i += 3;
        else
            return i;
    }
}

/* A sentence ends at terminal punctuation that closing quote marks or
 * brackets may follow, then a space (of any kind) or the end of the text,
 * unless the next word starts with a small letter (`“Why?” she asked.`) or
 * a lone full stop closes an initial or an abbreviation. */
size_t dl_article_sentence_end(const char *text, size_t size, size_t from, int *has_word)
{
    const unsigned char *bytes = (const unsigned char *)text;
    bool wordy = false;
    size_t i = from;
    while (i < size) {
        unsigned char c = bytes[i];
        if (c != '.' && c != '!' && c != '?' && c != 0xE2) { /* most bytes: no end here */
            wordy = wordy || is_word_byte(c);
            i++;
            continue;
        }
        size_t terminal = terminal_length(bytes + i, size - i);
        if (terminal == 0) {
            if (i + 2 < size && (bytes[i + 1] == 0x80 || bytes[i + 1] == 0x81)) {
                i += 3; /* General Punctuation: dashes, quote marks are no word */
                continue;
            }
            wordy = true; /* another character of U+2000..U+2FFF */
            i++;
            continue;
        }
        size_t end = i + terminal, closer, space;
        while (end < size && (closer = closer_length(bytes + end, size - end)) > 0)
            end += closer;
        bool at_space = end == size || space_length(bytes + end, size - end) > 0;
        size_t next = end;
        while (next < size && (space = space_length(bytes + next, size - next)) > 0)
            next += space;
        while (next < size && (closer = opener_length(bytes + next, size - next)) > 0)
            next += closer;
        bool continues = next < size && bytes[next] >= 'a' && bytes[next] <= 'z';
        bool abbreviation = terminal == 1 && bytes[i] == '.' && ends_abbreviation(bytes, i);
        if (wordy && at_space && !continues && !abbreviation) {
            *has_word = 1;
            return end;
        }
        i = end;
    }
    *has_word = wordy;
    return size;
}

/* Text after the last end that holds a word is a sentence too (a
 * headline, a subhead). */
uint32_t dl_article_count_sentences(const char *text, size_t size)
{
    uint32_t sentences = 0;
    int has_word = 0;
    for (size_t at = 0; at < size;) {
        at = dl_article_sentence_end(text, size, at, &has_word);
        sentences += has_word != 0;
    }
    return sentences;
}

char *dl_article_first_words(const char *text, size_t size, unsigned count)
{
    const unsigned char *bytes = (const unsigned char *)text;
    size_t capacity = (size < DL_FIRST_WORDS_MAX_BYTES ? size : DL_FIRST_WORDS_MAX_BYTES) + 4;
    char *out = malloc(capacity);
    if (!out)
        return NULL;
    size_t length = 0, i = 0, space;
    unsigned words = 0;
    bool cut = false;
    while (i < size && !cut) {
        while (i < size && (space = space_length(bytes + i, size - i)) > 0)
            i += space;
        if (i == size)
            break;
        if (words == count || length + 1 >= DL_FIRST_WORDS_MAX_BYTES) {
            cut = true;
            break;
        }
        if (words++ > 0)
            out[length++] = ' ';
        size_t word = i;
        while (i < size && space_length(bytes + i, size - i) == 0)
            i++;
        size_t n = i - word;
        if (length + n > DL_FIRST_WORDS_MAX_BYTES) { /* one huge "word": cut at a character */
            n = DL_FIRST_WORDS_MAX_BYTES - length;
            while (n > 0 && (bytes[word + n] & 0xC0) == 0x80)
                n--;
            cut = true;
        }
        memcpy(out + length, text + word, n);
        length += n;
    }
    if (cut) {
        memcpy(out + length, "…", strlen("…"));
        length += strlen("…");
    }
    out[length] = '\0';
    /* Most cuts are far shorter than the room made for the longest: an
     * outline of a long article keeps one per block. */
    char *fitted = realloc(out, length + 1);
    return fitted ? fitted : out;
}

/* ------------------------------------------------------------------ nodes */

static bool is_type(TSNode node, const char *type)
{
    return strcmp(ts_node_type(node), type) == 0;
}

static char *copy_bytes(const builder *b, uint32_t start, uint32_t end)
{
    char *copy = malloc(end - start + 1);
    if (copy) {
        memcpy(copy, b->text + start, end - start);
        copy[end - start] = '\0';
    }
    return copy;
}

static char *node_text(const builder *b, TSNode node)
{
    return copy_bytes(b, ts_node_start_byte(node), ts_node_end_byte(node));
}

static dl_range node_range(TSNode node)
{
    TSPoint start = ts_node_start_point(node), end = ts_node_end_point(node);
    uint32_t end_line = end.row;
    if (end.column == 0 && end.row > start.row)
        end_line--;
    return (dl_range){ts_node_start_byte(node), ts_node_end_byte(node), start.row, end_line};
}

/* A span is a view of the model's source: no copy (with a 100 MB article,
 * copies of every block's, quotation's and annotation's bytes were as
 * much again as the text, per model). */
static int span_of(dl_span *out, const builder *b, TSNode node)
{
    out->range = node_range(node);
    out->text = b->text + out->range.start_byte;
    out->size = out->range.end_byte - out->range.start_byte;
    return 0;
}

static int new_span(dl_span **out, const builder *b, TSNode node)
{
    dl_span *span = calloc(1, sizeof(*span));
    if (!span || span_of(span, b, node) < 0) {
        free(span);
        return dl_error_set(DL_ERROR, "out of memory");
    }
    *out = span;
    return 0;
}

/* Grows `*items` (of `size`-byte elements) to hold one more than `count`. */
static int reserve(void **items, size_t *capacity, size_t count, size_t size)
{
    if (count < *capacity)
        return 0;
    size_t grown = *capacity ? *capacity * 2 : 16;
    void *larger = realloc(*items, grown * size);
    if (!larger)
        return dl_error_set(DL_ERROR, "out of memory");
    memset((char *)larger + *capacity * size, 0, (grown - *capacity) * size);
    *items = larger;
    *capacity = grown;
    return 0;
}

/* Gives back the room `reserve` made beyond `count` items: up to half of a
 * large article's arrays, held as long as the model is. */
static void fit(void **items, size_t count, size_t size)
{
    void *fitted = *items && count ? realloc(*items, count * size) : NULL;
    if (fitted)
        *items = fitted;
}

/* A node's first and last children (the marks or delimiters around a
 * quotation or annotation), found once: reaching the last child walks all
 * of them. */
typedef struct {
    uint32_t count;
    TSNode first, last; /* when count > 0 */
} end_children;

static end_children end_children_of(TSNode node)
{
    end_children ends = {.count = ts_node_child_count(node)};
    if (ends.count > 0) {
        ends.first = ts_node_child(node, 0);
        ends.last = ends.count > 1 ? ts_node_child(node, ends.count - 1) : ends.first;
    }
    return ends;
}

/* Text between two child markers (open/close marks, annotation delimiters). */
static char *inner_text(const builder *b, TSNode node, const end_children *ends)
{
    uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
    if (ends->count > 0) {
        TSNode first = ends->first, last = ends->last;
        if (!ts_node_is_named(first) || is_type(first, "open_mark") || is_type(first, "continuation"))
            start = ts_node_end_byte(first);
        if (ends->count > 1 && (!ts_node_is_named(last) || is_type(last, "close_mark") ||
                                is_type(last, "run_on")))
            end = ts_node_start_byte(last);
    }
    return copy_bytes(b, start, end < start ? start : end);
}

/* -------------------------------------------------------------- quotations */

static char *speaker_of(const builder *b, TSNode attribution)
{
    TSNode speaker = ts_node_child_by_field_name(attribution, "speaker", strlen("speaker"));
    return ts_node_is_null(speaker) ? NULL : node_text(b, speaker);
}

static int add_quotation(builder *b, TSNode node)
{
    dl_article *a = b->article;
    if (reserve((void **)&a->quotations, &b->quotation_capacity, a->quotation_count,
                sizeof(dl_quotation)) < 0)
        return DL_ERROR;
    dl_quotation *q = &a->quotations[a->quotation_count];
    end_children ends = end_children_of(node);
    if (span_of(&q->span, b, node) < 0 || !(q->text = inner_text(b, node, &ends)))
        return dl_error_set(DL_ERROR, "out of memory");
    a->quotation_count++;
    q->block = b->in_headline_block || a->block_count == 0 ? DL_NO_BLOCK : a->block_count - 1;
    q->continued = ends.count > 0 && is_type(ends.first, "continuation");
    q->runs_on = ends.count > 0 && is_type(ends.last, "run_on");
    q->closed = ends.count > 0 && is_type(ends.last, "close_mark");
    return 0;
}

/* Credits the speakers the text implies but does not repeat: a later
 * quotation in a paragraph inherits the speaker of an earlier one, and every
 * part of a quotation running over several paragraphs shares its speaker. */
static int fill_in_speakers(dl_article *a)
{
    for (size_t i = 1; i < a->quotation_count; i++) {
        dl_quotation *q = &a->quotations[i], *before = &a->quotations[i - 1];
        if (!q->speaker && before->speaker && before->block == q->block &&
            !(q->continued && !before->runs_on))
            if (!(q->speaker = strdup(before->speaker)))
                return dl_error_set(DL_ERROR, "out of memory");
    }
    /* A run-on chain is usually credited at its end: carry that back. */
    for (size_t i = a->quotation_count; i-- > 1;) {
        dl_quotation *q = &a->quotations[i], *before = &a->quotations[i - 1];
        if (q->continued && before->runs_on && q->speaker && !before->speaker)
            if (!(before->speaker = strdup(q->speaker)))
                return dl_error_set(DL_ERROR, "out of memory");
    }
    return 0;
}

/* ------------------------------------------------------------- annotations */

static int add_annotation(builder *b, TSNode node, dl_annotation_kind kind)
{
    dl_article *a = b->article;
    if (reserve((void **)&a->annotations, &b->annotation_capacity, a->annotation_count,
                sizeof(dl_annotation)) < 0)
        return DL_ERROR;
    dl_annotation *n = &a->annotations[a->annotation_count];
    end_children ends = end_children_of(node);
    if (span_of(&n->span, b, node) < 0 || !(n->text = inner_text(b, node, &ends)))
        return dl_error_set(DL_ERROR, "out of memory");
    a->annotation_count++;
    n->kind = kind;
    if (kind == DL_ANNOTATION_SUBSTITUTION) {
        TSNode old = ts_node_child_by_field_name(node, "old", strlen("old"));
        TSNode new = ts_node_child_by_field_name(node, "new", strlen("new"));
        n->old_text = ts_node_is_null(old) ? strdup("") : node_text(b, old);
        n->new_text = ts_node_is_null(new) ? strdup("") : node_text(b, new);
        if (!n->old_text || !n->new_text)
            return dl_error_set(DL_ERROR, "out of memory");
    }
    return 0;
}

static const struct {
    const char *type;
    dl_annotation_kind kind;
} annotation_types[] = {
    {"addition", DL_ANNOTATION_ADDITION},     {"deletion", DL_ANNOTATION_DELETION},
    {"substitution", DL_ANNOTATION_SUBSTITUTION}, {"highlight", DL_ANNOTATION_HIGHLIGHT},
    {"comment", DL_ANNOTATION_COMMENT},
};

/* ------------------------------------------------------------------ blocks */

static const struct {
    const char *type;
    dl_block_kind kind;
} block_types[] = {
    {"byline", DL_BLOCK_BYLINE},     {"timestamp", DL_BLOCK_TIMESTAMP},
    {"paragraph", DL_BLOCK_PARAGRAPH}, {"subhead", DL_BLOCK_SUBHEAD},
    {"list", DL_BLOCK_LIST},         {"editor_note", DL_BLOCK_EDITOR_NOTE},
};

/* Whether a blank (or whitespace-only) line lies between two nodes. Two line
 * ends with text between them are not one: a dek line sits between the
 * headline and a byline in the headline's own block. */
static bool has_blank_line(const builder *b, uint32_t from, uint32_t to)
{
    bool line_empty = false;
    for (uint32_t i = from; i < to; i++) {
        char c = b->text[i];
        if (c == '\n') {
            if (line_empty)
                return true;
            line_empty = true;
        } else if (c != '\r' && c != ' ' && c != '\t') {
            line_empty = false;
        }
    }
    return false;
}

/* A top-level node starts a new block when a blank line comes before it;
 * otherwise it extends the block before (a timestamp under a byline) or, in
 * the headline's block, is front matter and no block at all. */
static int add_block_node(builder *b, TSNode node, dl_block_kind kind)
{
    dl_article *a = b->article;
    uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
    bool new_block = has_blank_line(b, b->previous_block_end, start);
    b->previous_block_end = end;
    if (!new_block && b->in_headline_block)
        return 0;
    b->in_headline_block = false;

    if (!new_block && a->block_count > 0) {
        dl_block *block = &a->blocks[a->block_count - 1];
        block->span.range.end_byte = end;
        block->span.range.end_line = node_range(node).end_line;
        block->span.size = end - block->span.range.start_byte;
    } else {
        if (reserve((void **)&a->blocks, &b->block_capacity, a->block_count, sizeof(dl_block)) < 0)
            return DL_ERROR;
        dl_block *block = &a->blocks[a->block_count++];
        block->kind = kind;
        if (span_of(&block->span, b, node) < 0)
            return DL_ERROR;
    }
    return 0;
}

/* --------------------------------------------------------------- the walk */

/* The walk tells nodes apart by symbol: comparing every node's type name
 * with each name it looks for was a fifth of building a model. Public
 * symbols, as ts_node_symbol gives them, so an aliased node (a run-on
 * paragraph is a `paragraph`) has the symbol of its name. */
struct node_symbols {
    TSSymbol headline, dek, dateline, quotation, section, attribution;
    TSSymbol annotations[sizeof(annotation_types) / sizeof(annotation_types[0])];
    TSSymbol blocks[sizeof(block_types) / sizeof(block_types[0])];
};

static TSSymbol symbol_named(const char *name)
{
    return ts_language_symbol_for_name(tree_sitter_article(), name, (uint32_t)strlen(name), true);
}

static void node_symbols_init(node_symbols *s)
{
    s->headline = symbol_named("headline");
    s->dek = symbol_named("dek");
    s->dateline = symbol_named("dateline");
    s->quotation = symbol_named("quotation");
    s->section = symbol_named("section");
    s->attribution = symbol_named("attribution");
    for (size_t i = 0; i < sizeof(annotation_types) / sizeof(annotation_types[0]); i++)
        s->annotations[i] = symbol_named(annotation_types[i].type);
    for (size_t i = 0; i < sizeof(block_types) / sizeof(block_types[0]); i++)
        s->blocks[i] = symbol_named(block_types[i].type);
}

/* `node`: the node at the builder's cursor. */
static int visit(builder *b, TSNode node, bool top_level);

/* Visits the named children of the node at the builder's cursor in order,
 * leaving the cursor there again. Children are reached with the cursor:
 * indexing them is linear per call, quadratic over a long article. Along the
 * way, an attribution right after a quotation credits it (`“…,” the company
 * said`) and one before a quotation credits the next one (`Smith said: “…”`). */
static int visit_children(builder *b, bool top_level)
{
    dl_article *a = b->article;
    int error = 0;
    enum { NOTHING, QUOTATION, ATTRIBUTION } previous = NOTHING;
    char *lead_speaker = NULL;
    bool went_down = ts_tree_cursor_goto_first_child(&b->cursor);
    for (bool more = went_down; more && error >= 0;
         more = ts_tree_cursor_goto_next_sibling(&b->cursor)) {
        TSNode child = ts_tree_cursor_current_node(&b->cursor);
        if (!ts_node_is_named(child))
            continue;
        TSSymbol symbol = ts_node_symbol(child);
        if (symbol == b->symbols->attribution) {
            if (b->spans_only)
                continue; /* it only names speakers */
            dl_quotation *last = a->quotation_count ? &a->quotations[a->quotation_count - 1] : NULL;
            if (previous == QUOTATION && !last->speaker) {
                last->speaker = speaker_of(b, child);
            } else {
                free(lead_speaker);
                lead_speaker = speaker_of(b, child);
            }
            previous = ATTRIBUTION;
            continue;
        }
        error = visit(b, child, top_level);
        if (symbol == b->symbols->quotation && error >= 0) {
            a->quotations[a->quotation_count - 1].speaker = lead_speaker;
            lead_speaker = NULL;
            previous = QUOTATION;
        }
    }
    free(lead_speaker);
    if (went_down)
        ts_tree_cursor_goto_parent(&b->cursor);
    return error;
}

static int visit_dateline(builder *b, TSNode node)
{
    dl_article *a = b->article;
    if (a->dateline)
        return 0;
    if (new_span(&a->dateline, b, node) < 0)
        return DL_ERROR;
    TSNode location = ts_node_child_by_field_name(node, "location", strlen("location"));
    TSNode agency = ts_node_child_by_field_name(node, "agency", strlen("agency"));
    if (!ts_node_is_null(location) && !(a->dateline_location = node_text(b, location)))
        return dl_error_set(DL_ERROR, "out of memory");
    if (!ts_node_is_null(agency) && !(a->dateline_agency = node_text(b, agency)))
        return dl_error_set(DL_ERROR, "out of memory");
    return 0;
}

/* `top_level`: `node` is a child of the article or of a section, where
 * block nodes are blocks (a list inside a paragraph belongs to it). */
static int visit(builder *b, TSNode node, bool top_level)
{
    dl_article *a = b->article;
    const node_symbols *symbols = b->symbols;
    TSSymbol symbol = ts_node_symbol(node);

    if (symbol == symbols->headline) {
        b->previous_block_end = ts_node_end_byte(node);
        b->in_headline_block = true;
        if (!a->headline && new_span(&a->headline, b, node) < 0)
            return DL_ERROR;
        return visit_children(b, false);
    }
    if (symbol == symbols->dek) {
        if (!a->dek && new_span(&a->dek, b, node) < 0)
            return DL_ERROR;
        return visit_children(b, false);
    }
    if (symbol == symbols->dateline)
        return visit_dateline(b, node);
    if (symbol == symbols->quotation) {
        int error = add_quotation(b, node);
        return error < 0 ? error : visit_children(b, false);
    }
    if (symbol == symbols->section)
        return visit_children(b, true);
    for (size_t i = 0; i < sizeof(annotation_types) / sizeof(annotation_types[0]); i++) {
        if (symbol == symbols->annotations[i]) {
            int error = add_annotation(b, node, annotation_types[i].kind);
            return error < 0 ? error : visit_children(b, false);
        }
    }
    for (size_t i = 0; top_level && i < sizeof(block_types) / sizeof(block_types[0]); i++) {
        if (symbol == symbols->blocks[i]) {
            if (block_types[i].kind == DL_BLOCK_BYLINE && !a->byline &&
                new_span(&a->byline, b, node) < 0)
                return DL_ERROR;
            int error = add_block_node(b, node, block_types[i].kind);
            return error < 0 ? error : visit_children(b, false);
        }
    }
    return visit_children(b, false);
}

static uint32_t block_length(const dl_block *block)
{
    return block->span.range.end_byte - block->span.range.start_byte;
}

/* Where the first words of a block start: after the dateline it opens with. */
static size_t first_words_start(const dl_article *a, const dl_block *block)
{
    if (a->dateline && a->dateline->range.start_byte >= block->span.range.start_byte &&
        a->dateline->range.end_byte <= block->span.range.end_byte)
        return a->dateline->range.end_byte - block->span.range.start_byte;
    return 0;
}

/* The block of `previous` at `*next` or the one after it with the same
 * bytes (and dateline start) as `block`, or NULL; `*next` moves past it.
 * Blocks come in order, so an edit leaves the rest matched one to one. */
static const dl_block *same_block(const dl_article *previous, size_t *next, const dl_article *a,
                                  const dl_block *block)
{
    for (size_t j = *next; previous && j < previous->block_count && j <= *next + 1; j++) {
        const dl_block *old = &previous->blocks[j];
        if (old->kind == block->kind && block_length(old) == block_length(block) &&
            first_words_start(previous, old) == first_words_start(a, block) &&
            memcmp(old->span.text, block->span.text, block_length(block)) == 0) {
            *next = j + 1;
            return old;
        }
    }
    return NULL;
}

/* Each block's counts, first words and number, and the totals; a block
 * unchanged since `previous` (may be NULL) takes them from there. The first
 * words start after the dateline: every outline shows it on its own.
 * `spans_only`: only the numbers and the quotation total, which cost
 * nothing. */
static int compute_stats(dl_article *a, const dl_article *previous, bool spans_only)
{
    size_t next = 0;
    for (size_t i = 0; i < a->block_count && !spans_only; i++) {
        dl_block *block = &a->blocks[i];
        size_t length = block_length(block), from = first_words_start(a, block);
        const dl_block *old = same_block(previous, &next, a, block);
        block->words = old ? old->words : dl_article_count_words(block->span.text, length);
        block->sentences =
            old ? old->sentences : dl_article_count_sentences(block->span.text, length);
        block->first_words =
            old ? strdup(old->first_words)
                : dl_article_first_words(block->span.text + from, length - from, FIRST_WORDS);
        if (!block->first_words)
            return dl_error_set(DL_ERROR, "out of memory");
    }
    dl_article_stats *stats = &a->stats;
    const dl_span *front[] = {a->headline, a->dek};
    for (size_t i = 0; i < sizeof(front) / sizeof(front[0]) && !spans_only; i++) {
        if (front[i]) {
            stats->words += dl_article_count_words(front[i]->text, front[i]->size);
            stats->sentences += dl_article_count_sentences(front[i]->text, front[i]->size);
        }
    }
    for (size_t i = 0; i < a->block_count; i++) {
        dl_block *block = &a->blocks[i];
        stats->words += block->words;
        stats->sentences += block->sentences;
        if (block->kind == DL_BLOCK_PARAGRAPH)
            block->paragraph = ++stats->paragraphs;
    }
    for (size_t i = 0; i < a->quotation_count; i++)
        stats->quotations += !a->quotations[i].continued;
    stats->reading_seconds =
        (stats->words * 60 + DL_READING_WORDS_PER_MINUTE / 2) / DL_READING_WORDS_PER_MINUTE;
    return 0;
}

/* ------------------------------------------------------------------ source */

struct dl_article_source {
    /* Atomic: a model may be freed on another thread than the one whose
     * parser shares its source (the server's history runner). */
    atomic_size_t holders;
    size_t size;
    char bytes[]; /* `size` bytes and a NUL */
};

/* A source holding a copy of `size` bytes of `text`, held once; NULL when
 * out of memory. */
static dl_article_source *source_new(const char *text, size_t size)
{
    dl_article_source *source = malloc(sizeof(*source) + size + 1);
    if (source == NULL)
        return NULL;
    atomic_init(&source->holders, 1);
    source->size = size;
    memcpy(source->bytes, text, size);
    source->bytes[size] = '\0';
    return source;
}

static dl_article_source *source_hold(dl_article_source *source)
{
    atomic_fetch_add(&source->holders, 1);
    return source;
}

static void source_release(dl_article_source *source)
{
    if (source != NULL && atomic_fetch_sub(&source->holders, 1) == 1)
        free(source);
}

/* The model of `source` (which the model holds from then on). */
static int build(dl_article **out, const dl_article *previous, dl_article_source *source,
                 const TSTree *tree, const node_symbols *symbols, bool spans_only)
{
    dl_article *article = calloc(1, sizeof(*article));
    if (!article)
        return dl_error_set(DL_ERROR, "out of memory");
    article->source = source_hold(source);
    builder b = {.text = source->bytes,
                 .size = source->size,
                 .article = article,
                 .spans_only = spans_only,
                 .cursor = ts_tree_cursor_new(ts_tree_root_node(tree)),
                 .symbols = symbols};
    int error = visit_children(&b, true);
    ts_tree_cursor_delete(&b.cursor);
    if (error < 0 || (!spans_only && (error = fill_in_speakers(article)) < 0) ||
        (error = compute_stats(article, previous, spans_only)) < 0) {
        dl_article_free(article);
        return error;
    }
    fit((void **)&article->blocks, article->block_count, sizeof(dl_block));
    fit((void **)&article->quotations, article->quotation_count, sizeof(dl_quotation));
    fit((void **)&article->annotations, article->annotation_count, sizeof(dl_annotation));
    *out = article;
    return 0;
}

int dl_article_from_tree(dl_article **out, const char *text, size_t size, const TSTree *tree)
{
    return dl_article_rebuild(out, NULL, text, size, tree);
}

int dl_article_rebuild(dl_article **out, const dl_article *previous, const char *text,
                       size_t size, const TSTree *tree)
{
    dl_article_source *source = source_new(text, size);
    if (source == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    node_symbols symbols;
    node_symbols_init(&symbols);
    int error = build(out, previous, source, tree, &symbols, false);
    source_release(source);
    return error;
}

struct dl_article_parser {
    TSParser *parser;
    TSTree *tree;              /* of `source`; NULL before the first parse */
    dl_article_source *source; /* the last text, shared with its model */
    bool spans_only;
    node_symbols symbols; /* looked up once for all the texts parsed */
};

int dl_article_parser_new(dl_article_parser **out)
{
    return dl_article_parser_new_with(out, NULL);
}

int dl_article_parser_new_with(dl_article_parser **out, const dl_article_parser_options *opts)
{
    dl_article_parser *p = calloc(1, sizeof(*p));
    if (p == NULL || (p->parser = ts_parser_new()) == NULL) {
        free(p);
        return dl_error_set(DL_ERROR, "out of memory");
    }
    ts_parser_set_language(p->parser, tree_sitter_article());
    p->spans_only = opts != NULL && opts->spans_only;
    node_symbols_init(&p->symbols);
    *out = p;
    return 0;
}

void dl_article_parser_free(dl_article_parser *parser)
{
    if (parser == NULL)
        return;
    ts_tree_delete(parser->tree);
    ts_parser_delete(parser->parser);
    source_release(parser->source);
    free(parser);
}

/* Where `offset` is in `text`, as tree-sitter counts: rows and bytes. */
static TSPoint point_at(const char *text, size_t offset)
{
    TSPoint point = {0, 0};
    const char *line = text, *end = text + offset, *newline;
    while ((newline = memchr(line, '\n', (size_t)(end - line))) != NULL) {
        point.row++;
        line = newline + 1;
    }
    point.column = (uint32_t)(end - line);
    return point;
}

/* Tell the kept tree what changed between its text and `text`: one edit
 * spanning everything between the common start and the common end. */
static void edit_kept_tree(dl_article_parser *p, const char *text, size_t size)
{
    const char *kept = p->source->bytes;
    size_t kept_size = p->source->size;
    size_t shorter = kept_size < size ? kept_size : size;
    size_t start = 0, tail = 0;
    while (start < shorter && kept[start] == text[start])
        start++;
    while (tail < shorter - start && kept[kept_size - 1 - tail] == text[size - 1 - tail])
        tail++;
    TSInputEdit edit = {
        .start_byte = (uint32_t)start,
        .old_end_byte = (uint32_t)(kept_size - tail),
        .new_end_byte = (uint32_t)(size - tail),
        .start_point = point_at(text, start),
        .old_end_point = point_at(kept, kept_size - tail),
        .new_end_point = point_at(text, size - tail),
    };
    ts_tree_edit(p->tree, &edit);
}

int dl_article_parser_parse(dl_article **out, dl_article_parser *parser, const char *text,
                            size_t size)
{
    if (size > UINT32_MAX)
        return dl_error_set(DL_EINVALID, "article too large (%zu bytes)", size);
    if (parser->tree != NULL)
        edit_kept_tree(parser, text, size);
    /* The old text is only needed to edit the tree: with a 100 MB article,
     * holding it through the parse, or copying the new text before the old
     * tree is gone, would add 100 MB to the peak (unless a model of it
     * still holds it). Unless `text` is that text (dl_article_parser_text):
     * then it goes once copied. */
    dl_article_source *stale = parser->source;
    parser->source = NULL;
    if (stale != NULL && stale->bytes != text) {
        source_release(stale);
        stale = NULL;
    }
    TSTree *tree = ts_parser_parse_string(parser->parser, parser->tree, text, (uint32_t)size);
    ts_tree_delete(parser->tree); /* edited for `text`: no use for another */
    parser->tree = NULL;
    /* The parser keeps the text for the next edit and the model points
     * into it: one copy for both. */
    dl_article_source *source = tree ? source_new(text, size) : NULL;
    source_release(stale);
    if (tree == NULL)
        return dl_error_set(DL_ERROR, "the parser gave up on this text");
    if (source == NULL) {
        ts_tree_delete(tree);
        return dl_error_set(DL_ERROR, "out of memory");
    }
    parser->tree = tree;
    parser->source = source;
    return build(out, NULL, source, tree, &parser->symbols, parser->spans_only);
}

const char *dl_article_parser_text(const dl_article_parser *parser, size_t *size)
{
    *size = parser->source ? parser->source->size : 0;
    return parser->source ? parser->source->bytes : NULL;
}

int dl_article_parse(dl_article **out, const char *text, size_t size)
{
    if (size > UINT32_MAX)
        return dl_error_set(DL_EINVALID, "article too large (%zu bytes)", size);
    TSParser *parser = ts_parser_new();
    if (parser == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    ts_parser_set_language(parser, tree_sitter_article());
    TSTree *tree = ts_parser_parse_string(parser, NULL, text, (uint32_t)size);
    int error = tree ? dl_article_from_tree(out, text, size, tree)
                     : dl_error_set(DL_ERROR, "the parser gave up on this text");
    ts_tree_delete(tree);
    ts_parser_delete(parser);
    return error;
}

const char *dl_article_block_kind_name(dl_block_kind kind)
{
    for (size_t i = 0; i < sizeof(block_types) / sizeof(block_types[0]); i++)
        if (block_types[i].kind == kind)
            return block_types[i].type;
    return "block";
}

const char *dl_article_annotation_kind_name(dl_annotation_kind kind)
{
    for (size_t i = 0; i < sizeof(annotation_types) / sizeof(annotation_types[0]); i++)
        if (annotation_types[i].kind == kind)
            return annotation_types[i].type;
    return "annotation";
}

void dl_article_free(dl_article *article)
{
    if (!article)
        return;
    free(article->headline);
    free(article->dek);
    free(article->byline);
    free(article->dateline);
    free(article->dateline_location);
    free(article->dateline_agency);
    for (size_t i = 0; i < article->block_count; i++)
        free(article->blocks[i].first_words);
    free(article->blocks);
    for (size_t i = 0; i < article->quotation_count; i++) {
        free(article->quotations[i].text);
        free(article->quotations[i].speaker);
    }
    free(article->quotations);
    for (size_t i = 0; i < article->annotation_count; i++) {
        free(article->annotations[i].text);
        free(article->annotations[i].old_text);
        free(article->annotations[i].new_text);
    }
    free(article->annotations);
    source_release(article->source);
    free(article);
}
